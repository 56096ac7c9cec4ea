// Activities and service: follow-ups with every customer, salespeople's expenses (with a breakdown chart)
// and service requests with their satisfaction.
import * as api from "../api.js";
import { t, language } from "../i18n.js";
import { h, toast, showError, confirmDialog, grouped, barScale } from "../ui.js";
import { can, onlyOwnRecords } from "../session.js";
import { openImport } from "./import.js";
import { exportButton } from "./stock.js";
import { openCustomerForm } from "./customer_form.js";

const PAGE = 100;
const TABS = ["activities", "expenses", "service"];
const KINDS = ["call", "visit", "email", "meeting", "service", "other"];
const SERVICE_TYPES = ["complaint", "consultation", "repair", "suggestion", "praise"];
const SERVICE_STATUSES = ["open", "in_progress", "resolved", "closed"];
const BREAKDOWNS = ["category", "salesperson", "customer"];

export function activitiesView(main, me) {
  let current = "activities";
  const body = h("div.tab-body#acts-body");
  const tabs = h("div.tabs", {}, ...TABS.map((tab) => h(`button.tab#acts-tab-${tab}`, {
    dataset: { tab },
    "aria-selected": tab === current ? "true" : "false",
    onclick: () => { current = tab; show(); },
  }, t(`acts.tab_${tab}`))));

  function show() {
    tabs.querySelectorAll("button.tab").forEach((b) => b.setAttribute("aria-selected", b.dataset.tab === current ? "true" : "false"));
    // Activities and service requests are customer records; expenses are sales records.
    const canWrite = can(me, current === "expenses" ? "write_sales" : "write_customers");
    ({ activities: activitiesTab, expenses: expensesTab, service: serviceTab })[current](body, me, canWrite);
  }

  main.replaceChildren(h("div.toolbar", {}, h("h2", { text: t("acts.title") })), tabs, body);
  show();
  return { dispose() {} };
}

/** Today in the local calendar, as "YYYY-MM-DD". */
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

const idOrNull = (value) => (value === "" ? null : Number(value));
const customerText = (row) => (row.customer_code ? `${row.customer_code} ${row.customer_name ?? ""}` : "");
/** A pick-list item's name in the window's language (the Chinese name when no English one is set). */
const pickLabel = (item) => (language() === "en" && item.name_en ? item.name_en : item.name);

function dateFilter(id, query, key, reload) {
  return h(`input#${id}.date`, { type: "date", onchange: (e) => { query[key] = e.target.value || null; reload(); } });
}

function listTable(id, columns, body) {
  return h("div.table-scroll", {}, h(`table.list#${id}`, {},
    h("thead", {}, h("tr", {}, ...columns.map(([key, numeric]) => h(numeric ? "th.num" : "th", { text: key ? t(key) : "" })))),
    body));
}

const emptyRow = (columns) => h("tr.none", {}, h("td.muted", { colspan: columns, text: t("acts.empty") }));

function pager(prefix, query, load) {
  const prev = h(`button#${prefix}-prev`, { text: t("common.previous"), onclick: () => { query.offset = Math.max(0, query.offset - PAGE); load(); } });
  const next = h(`button#${prefix}-next`, { text: t("common.next"), onclick: () => { query.offset += PAGE; load(); } });
  return {
    element: h("div.pager", {}, prev, next),
    update(total) { prev.disabled = query.offset === 0; next.disabled = query.offset + PAGE >= total; },
  };
}

/** Marks the inputs the engine named in `error.fields` and shows the error. */
function showFormError(form, error) {
  for (const f of error?.fields ?? []) form.querySelector(`[data-field="${f.field}"]`)?.classList.add("invalid");
  showError(error);
}
const clearMarks = (form) => form.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));

const labelled = (key, control) => h("label.field", {}, h("span", { text: t(key) }), control);

function activitiesTab(body, me, canWrite) {
  const query = { kind: null, from: null, to: null, customer_id: null, follow_up_due: false, offset: 0, limit: PAGE };
  const reload = () => { query.offset = 0; load(); };
  const kind = h("select#acts-kind-filter", { onchange: () => { query.kind = kind.value || null; reload(); } },
    h("option", { value: "", text: t("acts.all_kinds") }),
    ...KINDS.map((k) => h("option", { value: k, text: t(`timeline.kind_${k}`) })));
  const due = h("input#acts-due", { type: "checkbox", onchange: () => { query.follow_up_due = due.checked; reload(); } });
  const rows = h("tbody#acts-rows");
  const total = h("span#acts-total.muted");
  const pages = pager("acts", query, load);

  async function load() {
    try {
      const page = await api.listActivities(query);
      const now = today();
      total.textContent = t("acts.total", { count: page.total });
      rows.replaceChildren(...page.rows.map((a) => h("tr.clickable", {
        dataset: { id: a.id },
        title: t("acts.open_customer"),
        onclick: () => openCustomerForm(a.customer_id, me, { onChanged: load }),
      },
        h("td", { text: a.date }), h("td", { text: customerText(a) }), h("td", { text: t(`timeline.kind_${a.kind}`) }),
        h("td", { text: a.operator ?? "" }), h("td.num", { text: a.minutes == null ? "" : String(a.minutes) }),
        h("td", { text: a.subject ?? "" }),
        h(a.next_follow_up && a.next_follow_up <= now ? "td.follow-up.overdue" : "td.follow-up", {
          text: a.next_follow_up ?? "",
          title: a.next_follow_up && a.next_follow_up <= now ? t("acts.overdue") : null,
        }))));
      if (!page.rows.length) rows.append(emptyRow(7));
      pages.update(page.total);
    } catch (error) { showError(error); }
  }

  body.replaceChildren(
    h("div.toolbar.filters", {}, kind,
      h("label.inline", {}, t("acts.from"), " ", dateFilter("acts-from", query, "from", reload)),
      h("label.inline", {}, t("acts.to"), " ", dateFilter("acts-to", query, "to", reload)),
      h("label.inline", {}, due, " ", t("acts.due_only")), total,
      canWrite ? h("button#acts-import", { text: t("acts.import"), onclick: () => openImport("activities", { onImported: load }) }) : null,
      exportButton("activities")),
    listTable("acts-table", [["acts.date"], ["acts.customer"], ["acts.kind"], ["acts.operator"], ["acts.minutes", true],
      ["acts.subject"], ["acts.next_follow_up"]], rows),
    pages.element);
  load();
}

function expensesTab(body, me, canWrite) {
  const query = { from: null, to: null, salesperson_id: null, customer_id: null, category_id: null, offset: 0, limit: PAGE };
  const reload = () => { query.offset = 0; load(); };
  let categories = [];
  const categoryName = (name) => {
    const item = categories.find((c) => c.name === name);
    return item ? pickLabel(item) : name ?? "";
  };
  const categoryFilter = h("select#exp-category-filter", {
    onchange: () => { query.category_id = idOrNull(categoryFilter.value); reload(); },
  }, h("option", { value: "", text: t("expenses.all_categories") }));
  const salespersonFilter = h("select#exp-salesperson-filter", {
    onchange: () => { query.salesperson_id = idOrNull(salespersonFilter.value); reload(); },
  }, h("option", { value: "", text: t("expenses.all_salespeople") }));
  const rows = h("tbody#exp-rows");
  const sum = h("p.total#exp-sum");
  const pages = pager("exp", query, load);
  let by = "category";
  const bySelect = h("select#exp-by", { onchange: () => { by = bySelect.value; loadChart(); } },
    ...BREAKDOWNS.map((b) => h("option", { value: b, text: t(`expenses.by_${b}`) })));
  const chart = h("div.bar-chart#exp-chart");

  async function load() {
    try {
      const page = await api.listExpenses(query);
      sum.textContent = t("expenses.sum", { sum: grouped(page.sum), count: page.total });
      rows.replaceChildren(...page.rows.map((e) => h("tr", { dataset: { id: e.id } },
        h("td", { text: e.date }), h("td", { text: e.salesperson ?? "" }), h("td", { text: customerText(e) }),
        h("td", { text: categoryName(e.category) }), h("td.num", { text: grouped(e.amount) }), h("td", { text: e.note ?? "" }),
        h("td", {}, canWrite ? h("button.link.danger.exp-delete", {
          text: t("common.delete"),
          onclick: async () => {
            if (!(await confirmDialog(t("common.delete"), t("expenses.delete_confirm", { date: e.date, amount: e.amount })))) return;
            try { await api.deleteExpense(e.id); toast(t("common.deleted")); load(); } catch (error) { showError(error); }
          },
        }) : null))));
      if (!page.rows.length) rows.append(emptyRow(7));
      pages.update(page.total);
    } catch (error) { showError(error); }
    loadChart();
  }

  /** The filtered expenses by salesperson, customer or category as horizontal bars, largest first. */
  async function loadChart() {
    try {
      const parts = await api.expenseBreakdown(query, by);
      const length = barScale(parts.map((p) => p.amount));
      chart.replaceChildren(...(parts.length ? parts.map((p) => h("div.bar-row", { title: t("expenses.count", { count: p.count }) },
        h("span.bar-label", { text: by === "category" ? categoryName(p.key) : p.key ?? t("common.none") }),
        h("span.bar", { style: `width: ${length(p.amount)}%` }),
        h("span.bar-value", { text: grouped(p.amount) }))) : [h("p.muted", { text: t("expenses.chart_empty") })]));
    } catch (error) { showError(error); }
  }

  const date = h("input#exp-date", { type: "date", value: today(), dataset: { field: "date" } });
  const salesperson = h("select#exp-salesperson", { disabled: onlyOwnRecords(me), dataset: { field: "salesperson" } },
    h("option", { value: me.user.username, text: me.user.display_name }));
  const customer = h("input#exp-customer", { placeholder: t("expenses.customer_hint"), dataset: { field: "customer_code" } });
  const category = h("select#exp-category", { dataset: { field: "category" } });
  const amount = h("input#exp-amount.num", { inputmode: "decimal", placeholder: "0.00", dataset: { field: "amount" } });
  const note = h("input#exp-note", { placeholder: t("expenses.note_hint"), dataset: { field: "note" } });
  const form = h("form#exp-form.side-card", {
    onsubmit: async (e) => {
      e.preventDefault();
      clearMarks(form);
      try {
        const made = await api.createExpense({
          date: date.value, salesperson: salesperson.value, customer_code: customer.value.trim(),
          category: category.value, amount: amount.value.trim(), note: note.value,
        });
        toast(t("expenses.saved", { amount: made.amount }));
        amount.value = ""; note.value = "";
        load();
      } catch (error) { showFormError(form, error); }
    },
  },
    h("h3", { text: t("expenses.new") }),
    labelled("expenses.date", date), labelled("expenses.salesperson", salesperson), labelled("expenses.customer", customer),
    labelled("expenses.category", category), labelled("expenses.amount", amount), labelled("expenses.note", note),
    h("div.actions", {}, h("button.primary#exp-save", { type: "submit", text: t("expenses.save") })));

  body.replaceChildren(
    h("div.toolbar.filters", {},
      h("label.inline", {}, t("acts.from"), " ", dateFilter("exp-from", query, "from", reload)),
      h("label.inline", {}, t("acts.to"), " ", dateFilter("exp-to", query, "to", reload)),
      categoryFilter, salespersonFilter,
      canWrite ? h("button#exp-import", { text: t("expenses.import"), onclick: () => openImport("expenses", { onImported: load }) }) : null,
      exportButton("expenses")),
    h("div.acts-split", {},
      h("div.acts-main", {},
        listTable("exp-table", [["expenses.date"], ["expenses.salesperson"], ["expenses.customer"], ["expenses.category"],
          ["expenses.amount", true], ["expenses.note"], [""]], rows),
        h("div.acts-foot", {}, sum, pages.element)),
      h("aside.acts-side", {},
        canWrite ? form : null,
        h("section.side-card", {}, h("h3", {}, t("expenses.chart_title"), " ", bySelect), chart))));

  Promise.all([api.pickList("expense_category"), api.listUsers()]).then(([items, users]) => {
    categories = items;
    categoryFilter.append(...items.map((c) => h("option", { value: c.id, text: pickLabel(c) })));
    category.replaceChildren(...items.filter((c) => c.active).map((c) => h("option", { value: c.name, text: pickLabel(c) })));
    salespersonFilter.append(...users.map((u) => h("option", { value: u.id, text: u.display_name })));
    salesperson.replaceChildren(...users.filter((u) => u.active || u.username === me.user.username).map((u) =>
      h("option", { value: u.username, text: u.display_name, selected: u.username === me.user.username ? true : null })));
  }).catch(showError).then(load);
}

const stars = (n) => (n ? "★".repeat(n) : "—");

function satisfactionSelect(id, current) {
  return h(`select#${id}`, { dataset: { field: "satisfaction" } },
    h("option", { value: "", text: t("service.unrated") }),
    ...[1, 2, 3, 4, 5].map((n) => h("option", { value: String(n), text: `${n} ${"★".repeat(n)}`, selected: n === current ? true : null })));
}

function serviceTab(body, me, canWrite) {
  const query = { status: null, kind: null, from: null, to: null, customer_id: null, offset: 0, limit: PAGE };
  const reload = () => { query.offset = 0; load(); };
  const statusFilter = h("select#svc-status-filter", { onchange: () => { query.status = statusFilter.value || null; reload(); } },
    h("option", { value: "", text: t("service.all_statuses") }),
    ...SERVICE_STATUSES.map((s) => h("option", { value: s, text: t(`service.status_${s}`) })));
  const typeFilter = h("select#svc-type-filter", { onchange: () => { query.kind = typeFilter.value || null; reload(); } },
    h("option", { value: "", text: t("service.all_types") }),
    ...SERVICE_TYPES.map((k) => h("option", { value: k, text: t(`service.type_${k}`) })));
  const summary = h("div.svc-summary#svc-summary");
  const rows = h("tbody#svc-rows");
  const pages = pager("svc", query, load);
  const editBox = h("div#svc-edit-box");

  async function load() {
    try {
      const [page, totals] = await Promise.all([api.listService(query), api.serviceSummary(query)]);
      summary.replaceChildren(...totals.map((s) => h("span.stat", { dataset: { type: s.key } },
        h("strong", { text: t(`service.type_${s.key}`) }), " ", t("service.requests", { count: s.requests }),
        s.avg_satisfaction == null ? null : h("span.muted", { text: ` · ${t("service.average", { avg: s.avg_satisfaction, rated: s.rated })}` }))));
      rows.replaceChildren(...page.rows.map((s) => h(canWrite ? "tr.clickable" : "tr", {
        dataset: { id: s.id },
        onclick: canWrite ? (e) => openEdit(s, e.currentTarget) : null,
      },
        h("td", { text: s.date }), h("td", { text: customerText(s) }), h("td", { text: t(`service.type_${s.kind}`) }),
        h("td.stars", { text: stars(s.satisfaction), title: s.satisfaction ? String(s.satisfaction) : null }),
        h("td", {}, h(`span.status.status-${s.status}`, { text: t(`service.status_${s.status}`) })),
        h("td", { text: s.content ?? "" }), h("td", { text: s.resolution ?? "" }), h("td", { text: s.handler ?? "" }))));
      if (!page.rows.length) rows.append(emptyRow(8));
      pages.update(page.total);
    } catch (error) { showError(error); }
  }

  /** The inline panel that moves a request on: status, the customer's rating, what was done. */
  function openEdit(row, tr) {
    rows.querySelectorAll("tr.selected").forEach((r) => r.classList.remove("selected"));
    tr.classList.add("selected");
    const status = h("select#svc-edit-status", { dataset: { field: "status" } },
      ...SERVICE_STATUSES.map((s) => h("option", { value: s, text: t(`service.status_${s}`), selected: s === row.status ? true : null })));
    const satisfaction = satisfactionSelect("svc-edit-satisfaction", row.satisfaction);
    const resolution = h("textarea#svc-edit-resolution", { rows: 3, value: row.resolution ?? "", dataset: { field: "resolution" } });
    const close = () => { panel.remove(); tr.classList.remove("selected"); };
    const panel = h("form#svc-edit.side-card", {
      onsubmit: async (e) => {
        e.preventDefault();
        clearMarks(panel);
        try {
          await api.updateService(row.id, {
            date: row.date, customer_id: row.customer_id, customer_code: row.customer_code ?? "", type: row.kind,
            satisfaction: satisfaction.value, status: status.value, content: row.content ?? "", resolution: resolution.value,
            version: row.version,
          });
          toast(t("service.updated"));
          close();
          load();
        } catch (error) { showFormError(panel, error); }
      },
    },
      h("h3", { text: t("service.edit_title", { customer: customerText(row), date: row.date }) }),
      h("p.muted", {}, h("strong", { text: t(`service.type_${row.kind}`) }), " ", row.content ?? ""),
      labelled("service.status", status), labelled("service.satisfaction", satisfaction),
      labelled("service.resolution", resolution),
      h("div.actions", {}, h("button.primary#svc-edit-save", { type: "submit", text: t("common.save") }),
        h("button#svc-edit-cancel", { type: "button", text: t("common.cancel"), onclick: close })));
    editBox.replaceChildren(panel);
    status.focus();
  }

  const date = h("input#svc-date", { type: "date", value: today(), dataset: { field: "date" } });
  const customer = h("input#svc-customer", { placeholder: t("service.customer_hint"), dataset: { field: "customer_code" } });
  const type = h("select#svc-type", { dataset: { field: "type" } },
    ...SERVICE_TYPES.map((k) => h("option", { value: k, text: t(`service.type_${k}`) })));
  const content = h("textarea#svc-content", { rows: 3, placeholder: t("service.content_hint"), dataset: { field: "content" } });
  const satisfaction = satisfactionSelect("svc-satisfaction", null);
  const status = h("select#svc-status", { dataset: { field: "status" } },
    ...SERVICE_STATUSES.map((s) => h("option", { value: s, text: t(`service.status_${s}`), selected: s === "open" ? true : null })));
  const resolution = h("textarea#svc-resolution", { rows: 2, dataset: { field: "resolution" } });
  const form = h("form#svc-form.side-card", {
    onsubmit: async (e) => {
      e.preventDefault();
      clearMarks(form);
      try {
        await api.createService({
          date: date.value, customer_id: null, customer_code: customer.value.trim(), type: type.value,
          satisfaction: satisfaction.value, status: status.value, content: content.value, resolution: resolution.value,
        });
        toast(t("service.saved"));
        content.value = ""; resolution.value = ""; satisfaction.value = ""; status.value = "open";
        load();
      } catch (error) { showFormError(form, error); }
    },
  },
    h("h3", { text: t("service.new") }),
    labelled("service.date", date), labelled("service.customer", customer), labelled("service.type", type),
    labelled("service.content", content), labelled("service.satisfaction", satisfaction), labelled("service.status", status),
    labelled("service.resolution", resolution),
    h("div.actions", {}, h("button.primary#svc-save", { type: "submit", text: t("service.save") })));

  body.replaceChildren(
    h("div.toolbar.filters", {}, statusFilter, typeFilter,
      h("label.inline", {}, t("acts.from"), " ", dateFilter("svc-from", query, "from", reload)),
      h("label.inline", {}, t("acts.to"), " ", dateFilter("svc-to", query, "to", reload)),
      canWrite ? h("button#svc-import", { text: t("service.import"), onclick: () => openImport("service", { onImported: load }) }) : null,
      exportButton("service")),
    summary,
    h("div.acts-split", {},
      h("div.acts-main", {},
        listTable("svc-table", [["service.date"], ["service.customer"], ["service.type"], ["service.satisfaction"], ["service.status"],
          ["service.content"], ["service.resolution"], ["service.handler"]], rows),
        pages.element),
      h("aside.acts-side", {}, editBox, canWrite ? form : null)));
  load();
}
