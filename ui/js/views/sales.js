// 销售管理: the orders list (words, status and dates, newest first, a page at a time; a click opens the
// order) and the pipeline's tabs (board, forecast, quotes, leads), which live in pipeline.js.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { h, showError, debounce } from "../ui.js";
import { can } from "../session.js";
import { openOrderForm } from "./order_form.js";
import { openImport } from "./import.js";
import { exportButton } from "./stock.js";
import { boardTab, forecastTab, quotesTab, leadsTab } from "./pipeline.js";

const PAGE = 100;
const STATUSES = ["draft", "confirmed", "delivered", "cancelled"];
const TABS = ["orders", "board", "forecast", "quotes", "leads"];

export function salesView(main, me) {
  const canWrite = can(me, "write_sales");
  let current = "orders";
  const body = h("div.tab-body#sales-body");
  const tabs = h("div.tabs", {}, ...TABS.map((tab) => h(`button.tab#sales-tab-${tab}`, {
    dataset: { tab },
    "aria-selected": tab === current ? "true" : "false",
    onclick: () => { current = tab; show(); },
  }, t(`pipeline.tab_${tab}`))));
  /** What the pipeline's tabs may use: who is logged in, and a way to open another tab (a quote for an opportunity). */
  const context = { me, canWrite, open: (tab, params) => { current = tab; show(params); } };

  function show(params = {}) {
    tabs.querySelectorAll("button.tab").forEach((b) => b.setAttribute("aria-selected", b.dataset.tab === current ? "true" : "false"));
    ({ orders: ordersTab, board: boardTab, forecast: forecastTab, quotes: quotesTab, leads: leadsTab })[current](body, context, params);
  }

  main.replaceChildren(h("div.toolbar", {}, h("h2", { text: t("module.sales") })), tabs, body);
  show();
  return { dispose() {} };
}

function ordersTab(tab, { me, canWrite }) {
  const query = { text: "", status: null, from: null, to: null, offset: 0, limit: PAGE };
  const search = h("input#order-search.search", {
    type: "search",
    placeholder: t("orders.search"),
    oninput: debounce(() => { query.text = search.value; query.offset = 0; load(); }, 200),
  });
  const statusFilter = h("select#order-status-filter", {
    onchange: () => { query.status = statusFilter.value || null; query.offset = 0; load(); },
  }, h("option", { value: "", text: t("orders.all_statuses") }),
    ...STATUSES.map((s) => h("option", { value: s, text: t(`order.status_${s}`) })));
  const date = (id, key) => h(`input#${id}.date`, {
    type: "date",
    onchange: (e) => { query[key] = e.target.value || null; query.offset = 0; load(); },
  });
  const body = h("tbody#order-rows");
  const totalLabel = h("span#order-total.muted");
  const pager = h("div.pager", {},
    h("button#order-prev", { text: t("common.previous"), onclick: () => { query.offset = Math.max(0, query.offset - PAGE); load(); } }),
    h("button#order-next", { text: t("common.next"), onclick: () => { query.offset += PAGE; load(); } }));

  async function load() {
    try {
      const page = await api.listOrders(query);
      totalLabel.textContent = t("orders.total", { count: page.total });
      body.replaceChildren(...page.rows.map((o) => h("tr.clickable", {
        dataset: { id: o.id },
        onclick: () => openOrderForm({ orderId: o.id }, me, { onChanged: load }),
      },
        h("td", { text: o.order_no }), h("td", { text: o.order_date }),
        h("td", { text: `${o.customer_code} ${o.customer_name}` }), h("td", { text: o.salesperson ?? "" }),
        h("td", {}, h(`span.status.status-${o.status}`, { text: t(`order.status_${o.status}`) })),
        h("td.num", { text: o.total }), h("td.num", { text: String(o.line_count) }), h("td", { text: o.due_date ?? "" }))));
      pager.querySelector("#order-prev").disabled = query.offset === 0;
      pager.querySelector("#order-next").disabled = query.offset + PAGE >= page.total;
    } catch (error) { showError(error); }
  }

  tab.replaceChildren(
    h("div.toolbar", {}, search, statusFilter,
      h("label.inline", {}, t("orders.from"), " ", date("order-from", "from")),
      h("label.inline", {}, t("orders.to"), " ", date("order-to", "to")), totalLabel,
      !canWrite ? null : h("button#order-import", {
        text: t("orders.import"), onclick: () => openImport("orders", { onImported: load }),
      }),
      exportButton("orders")),
    h("div.table-scroll", {}, h("table.list#order-table", {},
      h("thead", {}, h("tr", {}, ...["order_no", "date", "customer", "salesperson", "status", "total", "lines", "due"].map((c) =>
        h("th", { text: t(`orders.${c}`) })))),
      body)),
    pager);
  load();
}
