// The customers list: search, filter, sort, and a virtual scroller that stays smooth at 100,000 rows.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { h, showError, debounce, toast } from "../ui.js";
import { can } from "../session.js";
import { openCustomerForm } from "./customer_form.js";
import { openImport } from "./import.js";

const ROW_HEIGHT = 34;
const PAGE_SIZE = 200;
const COLUMNS = [
  { key: "code", sort: "code", width: "90px" },
  { key: "name", sort: "name", width: "minmax(160px, 2fr)" },
  { key: "kind", sort: "kind", width: "80px", format: (v) => t(`kind.${v}`) },
  { key: "source", sort: "source", width: "80px" },
  { key: "level", sort: "level", width: "60px" },
  { key: "phone", width: "115px" },
  { key: "city", sort: "city", width: "60px" },
  { key: "owner_name", label: "owner", sort: "owner", width: "70px" },
  { key: "created_on", sort: "created_on", width: "95px" },
  { key: "tags", width: "minmax(60px, 1fr)" },
];
const GRID = COLUMNS.map((c) => c.width).join(" ");

export function customersView(main, me) {
  const query = { search: "", kind: null, sort: "name", descending: false };
  let total = 0;
  let pages = new Map();
  let generation = 0;

  const search = h("input#customer-search.search", {
    type: "search",
    placeholder: t("customers.search"),
    oninput: debounce(() => { query.search = search.value; reload(); }, 180),
  });
  const kindFilter = h("select#customer-kind-filter", {
    onchange: () => { query.kind = kindFilter.value || null; reload(); },
  }, h("option", { value: "", text: t("customers.all_kinds") }),
    ...["consumer", "channel", "institution"].map((k) => h("option", { value: k, text: t(`kind.${k}`) })));
  const totalLabel = h("span#customer-total.muted");
  const header = h("div.grid-row.header", { style: `grid-template-columns: ${GRID}` },
    ...COLUMNS.map((c) => h("button.th", {
      dataset: { sort: c.sort ?? "" },
      disabled: !c.sort,
      onclick: () => {
        if (!c.sort) return;
        query.descending = query.sort === c.sort ? !query.descending : false;
        query.sort = c.sort;
        reload();
      },
    }, t(`field.${c.label ?? c.key}`), h("span.arrow"))));
  const spacer = h("div.spacer-rows");
  const rowsLayer = h("div.rows");
  const viewport = h("div.viewport#customer-list", { onscroll: () => requestAnimationFrame(render) }, spacer, rowsLayer);
  const empty = h("div.empty#customer-empty", { text: t("customers.empty"), hidden: true });

  main.replaceChildren(
    h("div.toolbar", {},
      h("h2", { text: t("customers.title") }),
      search,
      kindFilter,
      !can(me, "write_customers") ? null : h("button.primary#customer-new", {
        text: t("customers.new"), onclick: () => openForm(null),
      }),
      !can(me, "write_customers") ? null : h("button#customer-import", {
        text: t("customers.import"), onclick: () => openImport("customers", { onImported: () => reload(false) }),
      }),
      h("button#customer-export", {
        text: t("customers.export"),
        onclick: async () => {
          const target = await api.chooseSavePath("customers.xlsx", ["xlsx", "csv"]);
          if (!target) return;
          try { toast(t("customers.exported", { rows: await api.exportList("customers", target) })); } catch (error) { showError(error); }
        },
      }),
      totalLabel),
    h("div.table", {}, header, viewport, empty));

  function openForm(id) {
    openCustomerForm(id, me, { onChanged: () => reload(false) });
  }

  async function fetchPage(index, gen) {
    pages.set(index, null);
    try {
      const page = await api.listCustomers({ ...query, offset: index * PAGE_SIZE, limit: PAGE_SIZE });
      if (gen !== generation) return;
      pages.set(index, page.rows);
      if (page.total !== total) setTotal(page.total);
      render();
    } catch (error) {
      pages.delete(index);
      showError(error);
    }
  }

  function setTotal(value) {
    total = value;
    spacer.style.height = `${total * ROW_HEIGHT}px`;
    totalLabel.textContent = t("customers.total", { total: total.toLocaleString("en-US") });
    empty.hidden = total > 0;
  }

  function render() {
    const first = Math.floor(viewport.scrollTop / ROW_HEIGHT);
    const count = Math.ceil(viewport.clientHeight / ROW_HEIGHT) + 8;
    const last = Math.min(total, first + count);
    const wanted = new Set();
    for (let i = first; i < last; i += 1) wanted.add(Math.floor(i / PAGE_SIZE));
    wanted.forEach((p) => { if (!pages.has(p)) fetchPage(p, generation); });
    const rows = [];
    for (let i = first; i < last; i += 1) {
      const row = pages.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE];
      const el = row
        ? h("div.grid-row.row", {
          style: `grid-template-columns: ${GRID}; top: ${i * ROW_HEIGHT}px`,
          dataset: { code: row.code, id: row.id },
          tabindex: 0,
          ondblclick: () => openForm(row.id),
          onkeydown: (e) => { if (e.key === "Enter") openForm(row.id); },
          onclick: () => openForm(row.id),
        }, ...COLUMNS.map((c) => h("span.td", { text: c.format ? c.format(row[c.key]) : (row[c.key] ?? "") })))
        : h("div.grid-row.row.loading", { style: `top: ${i * ROW_HEIGHT}px`, text: t("common.loading") });
      rows.push(el);
    }
    rowsLayer.replaceChildren(...rows);
    header.querySelectorAll(".th").forEach((th) => {
      th.classList.toggle("sorted", th.dataset.sort === query.sort);
      th.querySelector(".arrow").textContent = th.dataset.sort === query.sort ? (query.descending ? "▼" : "▲") : "";
    });
  }

  function reload(toTop = true) {
    generation += 1;
    pages = new Map();
    if (toTop) viewport.scrollTop = 0;
    fetchPage(Math.floor(viewport.scrollTop / ROW_HEIGHT / PAGE_SIZE), generation);
  }

  const shortcuts = (e) => {
    if (document.querySelector(".overlay")) return;
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "f") { e.preventDefault(); search.focus(); search.select(); }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "n" && can(me, "write_customers")) {
      e.preventDefault();
      openForm(null);
    }
  };
  document.addEventListener("keydown", shortcuts);
  reload();
  search.focus();
  return { dispose: () => document.removeEventListener("keydown", shortcuts) };
}
