// The sales pipeline inside 销售管理: the board of opportunities (drag a card to move it on, win it or
// lose it with a reason), the forecast by month, quotes that become orders, and leads that become customers.
// Amounts are the engine's decimal strings, shown as they come; `barScale` draws the bars.
import * as api from "../api.js";
import { t, language } from "../i18n.js";
import { h, toast, showError, debounce, grouped, barScale } from "../ui.js";
import { openOrderForm, productChoices } from "./order_form.js";
import { openImport } from "./import.js";
import { exportButton } from "./stock.js";

const LEAD_STATUSES = ["new", "qualified", "converted", "disqualified"];
const FORECAST_MONTHS = [3, 6, 12];

/** A stage's, column's or pick-list entry's name in the window's language (Chinese when no English one is set). */
const label = (item) => (language() === "en" && item.name_en ? item.name_en : item.name);
const money = (amount) => t("pipeline.money", { amount: grouped(amount) });
const field = (key, control) => h("label.field", {}, h("span", { text: t(key) }), control);

/** Marks the inputs the engine named in `error.fields` and shows the error. */
function showFormError(form, error) {
  for (const f of error?.fields ?? []) form.querySelector(`[data-field="${f.field}"]`)?.classList.add("invalid");
  showError(error);
}
const clearMarks = (form) => form.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));

function listTable(id, columns, body) {
  return h("div.table-scroll", {}, h(`table.list#${id}`, {},
    h("thead", {}, h("tr", {}, ...columns.map(([key, numeric]) => h(numeric ? "th.num" : "th", { text: key ? t(key) : "" })))),
    body));
}
const emptyRow = (columns, key) => h("tr.none", {}, h("td.muted", { colspan: columns, text: t(key) }));

/** A small modal; `build(close)` returns its content; resolves with what `close` was given. */
function modal(id, build) {
  return new Promise((resolve) => {
    const close = (answer) => { overlay.remove(); resolve(answer); };
    const overlay = h(`div.overlay#${id}`, {}, build(close));
    overlay.addEventListener("keydown", (e) => { if (e.key === "Escape") close(null); });
    document.body.append(overlay);
    overlay.querySelector("input, select, button")?.focus();
  });
}

// ---------------------------------------------------------------------------------------------------
// The board

/**
 * The board: one column per open stage, then the deals won and lost lately. Cards move by dragging
 * (mouse events, not HTML5 drag and drop, so WebDriver can drive it too) or with their "move to…" list.
 * `ctx` = { me, canWrite, open(tab, params) }.
 */
export function boardTab(body, ctx) {
  const board = h("div.board#pipeline-board");
  let columns = [];
  let reasons = [];
  let justDragged = false;

  async function load() {
    try {
      [columns, reasons] = await Promise.all([api.opportunitiesBoard(), api.pickList("lost_reason").catch(() => [])]);
      board.replaceChildren(...columns.map(column));
    } catch (error) { showError(error); }
  }

  const columnValue = (c) => (c.kind === "stage" ? `stage-${c.stage_id}` : c.kind);
  const columnOf = (el) => columns.find((c) => c.kind === el.dataset.kind && String(c.stage_id ?? "") === el.dataset.stageId);
  const isHere = (o, c) => (c.kind === "stage" ? o.status === "open" && o.stage_id === c.stage_id : o.status === c.kind);
  const reasonText = (o) => {
    const item = reasons.find((r) => r.id === o.lost_reason_id);
    return item ? label(item) : o.lost_reason ?? "";
  };

  function column(c) {
    const more = c.count - c.cards.length;
    return h("div.board-column", { dataset: { kind: c.kind, stageId: c.stage_id ?? "" } },
      h("header.board-head", {},
        h("div.board-title", {}, h("span", { text: label(c) }), h("span.board-count", { text: String(c.count) })),
        c.probability == null ? null : h("div.muted", { text: t("pipeline.column_probability", { probability: c.probability }) }),
        h("div.board-sum", { text: t("pipeline.column_amount", { amount: grouped(c.amount) }) }),
        h("div.board-sum.muted", { text: t("pipeline.column_weighted", { weighted: grouped(c.weighted) }) })),
      h("div.board-cards", {},
        ...c.cards.map((o) => card(o, c)),
        c.cards.length ? null : h("p.board-empty.muted", { text: t("pipeline.column_empty") }),
        more > 0 ? h("p.board-more.muted", { text: t("pipeline.more_cards", { count: more }) }) : null));
  }

  function card(o, here) {
    const dateLine = o.status === "won" ? t("pipeline.won_on", { date: o.closed_on ?? "" })
      : o.status === "lost" ? t("pipeline.lost_on", { date: o.closed_on ?? "" })
        : t("pipeline.expected_close_on", { date: o.expected_close });
    const el = h("div.opp-card", {
      dataset: { id: o.id, status: o.status },
      tabindex: "0",
      title: t("pipeline.card_hint"),
      onclick: (e) => { if (!justDragged && !e.target.closest("select, button")) openDetail(o); },
      onkeydown: (e) => { if (e.key === "Enter" && e.target === el) openDetail(o); },
    },
      h("div.opp-name", { text: o.name }),
      h("div.opp-customer.muted", { text: o.customer_name }),
      h("div.opp-figures", {}, h("span.opp-amount", { text: money(o.amount) }), h("span.opp-probability", { text: `${o.probability}%` })),
      h("div.opp-date.muted", { text: dateLine }),
      o.status === "lost" ? h("div.opp-reason", { text: reasonText(o) }) : null,
      ctx.canWrite ? moveSelect(o, here) : null);
    if (ctx.canWrite) draggable(el, o);
    return el;
  }

  /** The keyboard (and click) way to move a card: a list of the other columns. */
  function moveSelect(o, here) {
    const select = h("select.opp-move", {
      "aria-label": t("pipeline.move_to"),
      onchange: () => {
        const target = columns.find((c) => columnValue(c) === select.value);
        select.value = "";
        if (target) drop(o, target);
      },
    }, h("option", { value: "", text: t("pipeline.move_to") }),
      ...columns.filter((c) => c !== here).map((c) => h("option", { value: columnValue(c), text: label(c) })));
    return select;
  }

  /** Press on a card, move, release over a column. A press without a move is a click (the details). */
  function draggable(el, o) {
    el.addEventListener("mousedown", (down) => {
      if (down.button !== 0 || down.target.closest("select, button, input")) return;
      down.preventDefault();
      const box = el.getBoundingClientRect();
      const grab = { x: down.clientX - box.left, y: down.clientY - box.top };
      let ghost = null;
      let over = null;
      const columnAt = (x, y) => document.elementFromPoint(x, y)?.closest("#pipeline-board .board-column") ?? null;
      const highlight = (target) => {
        if (target === over) return;
        over?.classList.remove("drop-target");
        over = target;
        over?.classList.add("drop-target");
      };
      const move = (e) => {
        if (!ghost) {
          if (Math.abs(e.clientX - down.clientX) + Math.abs(e.clientY - down.clientY) < 5) return;
          ghost = el.cloneNode(true);
          ghost.className = "opp-card drag-ghost";
          ghost.removeAttribute("data-id");
          ghost.removeAttribute("tabindex");
          ghost.querySelector("select")?.remove();
          ghost.style.width = `${box.width}px`;
          document.body.append(ghost);
          document.body.classList.add("board-dragging");
          el.classList.add("dragging");
        }
        ghost.style.transform = `translate(${e.clientX - grab.x}px, ${e.clientY - grab.y}px)`;
        highlight(columnAt(e.clientX, e.clientY));
      };
      const up = (e) => {
        document.removeEventListener("mousemove", move, true);
        document.removeEventListener("mouseup", up, true);
        if (!ghost) return;
        const target = columnAt(e.clientX, e.clientY);
        ghost.remove();
        document.body.classList.remove("board-dragging");
        el.classList.remove("dragging");
        highlight(null);
        // The click that may follow the release must not open the card.
        justDragged = true;
        setTimeout(() => { justDragged = false; }, 0);
        const chosen = target && columnOf(target);
        if (chosen) drop(o, chosen);
      };
      document.addEventListener("mousemove", move, true);
      document.addEventListener("mouseup", up, true);
    });
  }

  /** Moves `o` into column `c`: a stage, won, or lost (which asks why first; cancel leaves it). */
  async function drop(o, c) {
    if (isHere(o, c)) return;
    try {
      if (c.kind === "stage") {
        await api.moveOpportunity(o.id, c.stage_id);
        toast(t("pipeline.moved", { name: o.name, stage: label(c) }));
      } else if (c.kind === "won") {
        await api.closeOpportunity(o.id, { outcome: "won" });
        toast(t("pipeline.marked_won", { name: o.name }));
      } else {
        const reasonId = await askLostReason(o);
        if (reasonId == null) return;
        await api.closeOpportunity(o.id, { outcome: "lost", reason_id: reasonId });
        toast(t("pipeline.marked_lost", { name: o.name }));
      }
    } catch (error) { showError(error); }
    load();
  }

  /** The opportunity's details, with "make a quote". */
  function openDetail(o) {
    document.getElementById("opp-detail")?.remove();
    const close = () => panel.remove();
    const row = (key, value) => (value === null || value === undefined || value === "" ? null
      : h("div.detail-row", {}, h("dt", { text: t(key) }), h("dd", { text: String(value) })));
    const stage = language() === "en" && o.stage_en ? o.stage_en : o.stage;
    const panel = h("div.overlay.drawer#opp-detail", { onclick: (e) => { if (e.target === panel) close(); } },
      h("section.panel", { role: "dialog" },
        h("header", {}, h("h2", { text: `${o.code} ${o.name}` }), h("button.link#opp-detail-close", { text: t("common.close"), onclick: close })),
        h("p", {}, h(`span.status.status-${o.status}`, { text: t(`pipeline.status_${o.status}`) })),
        h("dl.detail-grid", {},
          row("pipeline.customer", `${o.customer_code} ${o.customer_name}`),
          row("pipeline.amount", money(o.amount)),
          row("pipeline.stage", stage),
          row("pipeline.probability", `${o.probability}%`),
          row("pipeline.expected_close", o.expected_close),
          row("pipeline.closed_on", o.closed_on),
          row("pipeline.lost_reason", o.status === "lost" ? reasonText(o) : null),
          row("pipeline.salesperson", o.salesperson),
          row("pipeline.order", o.order_no),
          row("pipeline.created_on", o.created_on),
          row("pipeline.notes", o.notes)),
        h("div.actions", {},
          ctx.canWrite ? h("button#opp-edit", {
            text: t("pipeline.edit_button"),
            onclick: () => { close(); openOpportunityForm(load, { opportunity: o }); },
          }) : null,
          ctx.canWrite && o.status === "open" ? h("button.primary#opp-quote", {
            text: t("pipeline.make_quote"),
            onclick: () => { close(); ctx.open("quotes", { opportunity: o }); },
          }) : null,
          h("button", { text: t("common.close"), onclick: close }))));
    panel.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
    document.body.append(panel);
    panel.querySelector("#opp-detail-close").focus();
  }

  // Beyond the board's first cards: every deal, open or closed, found by code, name or customer.
  const found = h("tbody#opp-found");
  const results = h("div.opp-results#opp-results", { hidden: true },
    listTable("opp-found-table", [["pipeline.code"], ["pipeline.customer"], ["pipeline.name"], ["pipeline.amount", true],
      ["pipeline.stage"], ["pipeline.status"], ["pipeline.when"]], found));
  const search = h("input#opp-search.search", {
    type: "search", placeholder: t("pipeline.search"),
    oninput: debounce(async () => {
      const text = search.value.trim();
      results.hidden = !text;
      if (!text) return;
      try {
        const page = await api.listOpportunities({ text, limit: 100 });
        found.replaceChildren(...page.rows.map((o) => h("tr.clickable", { dataset: { id: o.id }, onclick: () => openDetail(o) },
          h("td", { text: o.code }), h("td", { text: `${o.customer_code} ${o.customer_name}` }), h("td", { text: o.name }),
          h("td.num", { text: grouped(o.amount) }), h("td", { text: language() === "en" && o.stage_en ? o.stage_en : o.stage }),
          h("td", {}, h(`span.status.status-${o.status}`, { text: t(`pipeline.status_${o.status}`) })),
          h("td", { text: o.closed_on ?? o.expected_close }))));
        if (!page.rows.length) found.append(emptyRow(7, "pipeline.search_none"));
      } catch (error) { showError(error); }
    }, 200),
  });

  body.replaceChildren(
    h("div.toolbar", {},
      search,
      ctx.canWrite ? h("button.primary#opp-new", { text: t("pipeline.new"), onclick: () => openOpportunityForm(load) }) : null,
      ctx.canWrite ? h("button#opp-import", { text: t("pipeline.import"), onclick: () => openImport("opportunities", { onImported: load }) }) : null,
      exportButton("opportunities"),
      h("span.muted", { text: ctx.canWrite ? t("pipeline.drag_hint") : "" })),
    results,
    board);
  load();
}

/** Why the deal was lost, from the active entries of the 丢单原因 list; resolves to its id, or null. */
async function askLostReason(o) {
  let reasons;
  try { reasons = (await api.pickList("lost_reason")).filter((r) => r.active); } catch (error) { showError(error); return null; }
  return modal("lost-dialog", (close) => {
    const select = h("select#lost-reason", {},
      ...reasons.map((r) => h("option", { value: String(r.id), text: label(r), dataset: { name: r.name } })));
    return h("div.dialog", { role: "dialog" },
      h("h3", { text: t("pipeline.lost_title", { name: o.name }) }),
      reasons.length ? field("pipeline.lost_reason", select) : h("p.muted", { text: t("pipeline.no_reasons") }),
      h("div.actions", {},
        h("button#lost-cancel", { text: t("common.cancel"), onclick: () => close(null) }),
        h("button.primary#lost-confirm", {
          text: t("pipeline.mark_lost"), disabled: !reasons.length, onclick: () => close(Number(select.value)),
        })));
  });
}

/** The opportunity form: customer, name, amount, stage, optional probability, expected close. New (from a
 * customer's page with the customer filled in), or an existing deal's fields to change. */
export async function openOpportunityForm(onSaved, { customerCode = "", opportunity = null } = {}) {
  document.getElementById("opp-form-overlay")?.remove();
  let stages;
  try { stages = (await api.stages()).filter((s) => s.active); } catch (error) { showError(error); return; }
  const o = opportunity;
  const customer = h("input#opp-customer", { placeholder: t("pipeline.customer_hint"), value: o?.customer_code ?? customerCode, dataset: { field: "customer_code" } });
  const name = h("input#opp-name", { value: o?.name, dataset: { field: "name" } });
  const amount = h("input#opp-amount.num", { inputmode: "decimal", placeholder: "0.00", value: o?.amount, dataset: { field: "amount" } });
  const probability = h("input#opp-probability.num", { inputmode: "numeric", value: o ? String(o.probability) : null, dataset: { field: "probability" } });
  const stage = h("select#opp-stage", {
    dataset: { field: "stage" },
    onchange: () => hintProbability(),
  }, ...stages.map((s) => h("option", { value: String(s.id), text: `${label(s)} (${s.probability}%)` })));
  const hintProbability = () => {
    const chosen = stages.find((s) => String(s.id) === stage.value);
    probability.placeholder = chosen ? t("pipeline.probability_hint", { probability: chosen.probability }) : "";
  };
  if (o) stage.value = String(o.stage_id);
  hintProbability();
  const expected = h("input#opp-close", { type: "date", title: t("pipeline.close_hint"), value: o?.expected_close, dataset: { field: "expected_close" } });
  const close = () => overlay.remove();
  const form = h("form.dialog.wide#opp-form", {
    onsubmit: async (e) => {
      e.preventDefault();
      clearMarks(form);
      try {
        const input = {
          customer_code: customer.value.trim(), name: name.value.trim(), amount: amount.value.trim(),
          stage_id: stage.value ? Number(stage.value) : null, probability: probability.value.trim(), expected_close: expected.value,
        };
        const made = o ? await api.updateOpportunity(o.id, { ...input, version: o.version }) : await api.createOpportunity(input);
        toast(t("pipeline.saved", { code: made.code }));
        close();
        onSaved();
      } catch (error) { showFormError(form, error); }
    },
  },
    h("h3", { text: t(o ? "pipeline.edit" : "pipeline.new") }),
    h("div.form-grid", {},
      field("pipeline.customer", customer), field("pipeline.name", name),
      field("pipeline.amount", amount), field("pipeline.stage", stage),
      field("pipeline.probability", probability), field("pipeline.expected_close", expected)),
    h("div.actions", {},
      h("button#opp-cancel", { type: "button", text: t("common.cancel"), onclick: close }),
      h("button.primary#opp-save", { type: "submit", text: t("common.save") })));
  const overlay = h("div.overlay#opp-form-overlay", {}, form);
  overlay.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
  document.body.append(overlay);
  (customerCode || o ? name : customer).focus();
}

// ---------------------------------------------------------------------------------------------------
// The forecast

/** Weighted open amounts and won amounts per month, as vertical bars and a table, and what is overdue. */
export function forecastTab(body) {
  let months = 6;
  const chart = h("div.vbar-chart#forecast-chart");
  const rows = h("tbody#forecast-rows");
  const overdue = h("p#forecast-overdue");
  const monthsSelect = h("select#forecast-months", { onchange: () => { months = Number(monthsSelect.value); load(); } },
    ...FORECAST_MONTHS.map((n) => h("option", { value: String(n), text: t("pipeline.forecast_months", { count: n }), selected: n === months ? true : null })));

  async function load() {
    try {
      const forecast = await api.forecast(null, months);
      const length = barScale(forecast.months.flatMap((m) => [m.weighted, m.won_amount]));
      const height = (amount) => `height: ${length(amount)}%`;
      chart.replaceChildren(
        h("div.vbar-plot", {}, ...forecast.months.map((m) => h("div.vbar-group", { dataset: { month: m.month } },
          h("div.vbar-bars", {},
            h("span.vbar.weighted", { style: height(m.weighted), title: t("pipeline.forecast_weighted_of", { month: m.month, amount: m.weighted }) }),
            h("span.vbar.won", { style: height(m.won_amount), title: t("pipeline.forecast_won_of", { month: m.month, amount: m.won_amount }) })),
          h("span.vbar-label", { text: m.month })))),
        h("div.chart-legend", {},
          h("span.legend.weighted", { text: t("pipeline.forecast_weighted") }),
          h("span.legend.won", { text: t("pipeline.forecast_won") })));
      rows.replaceChildren(...forecast.months.map((m) => h("tr", { dataset: { month: m.month } },
        h("td", { text: m.month }), h("td.num", { text: String(m.open_count) }), h("td.num", { text: grouped(m.open_amount) }),
        h("td.num", { text: grouped(m.weighted) }), h("td.num", { text: String(m.won_count) }), h("td.num", { text: grouped(m.won_amount) }))));
      overdue.className = forecast.overdue_count ? "warn" : "muted";
      overdue.textContent = forecast.overdue_count
        ? t("pipeline.overdue", { count: forecast.overdue_count, weighted: grouped(forecast.overdue_weighted) })
        : t("pipeline.no_overdue");
    } catch (error) { showError(error); }
  }

  body.replaceChildren(
    h("div.toolbar", {}, h("h3", { text: t("pipeline.forecast_title") }), monthsSelect),
    chart, overdue,
    listTable("forecast-table", [["pipeline.forecast_month"], ["pipeline.forecast_open_count", true], ["pipeline.forecast_open_amount", true],
      ["pipeline.forecast_weighted", true], ["pipeline.forecast_won_count", true], ["pipeline.forecast_won", true]], rows));
  load();
}

// ---------------------------------------------------------------------------------------------------
// Quotes

/** The quotes, a quote's lines with accept (a draft order) and reject, and a new quote (for an opportunity
 * when `params.opportunity` is given). */
export function quotesTab(body, ctx, params = {}) {
  let opportunity = params.opportunity ?? null;
  const rows = h("tbody#quote-rows");
  const detail = h("div#quote-detail");
  const filterNote = h("div.filter-note#quote-filter");
  const formBox = h("aside.acts-side#quote-form-box");
  const split = h("div.acts-split.quotes-split");

  async function load() {
    filterNote.replaceChildren(...(opportunity ? [
      h("span", { text: t("quotes.for_opportunity", { code: opportunity.code, name: opportunity.name }) }),
      h("button.link#quote-all", { text: t("quotes.show_all"), onclick: () => { opportunity = null; load(); closeForm(); } }),
    ] : []));
    try {
      const quotes = await api.listQuotes(null, opportunity?.id ?? null);
      rows.replaceChildren(...quotes.map((q) => h("tr.clickable", { dataset: { id: q.id }, onclick: (e) => show(q.id, e.currentTarget) },
        h("td", { text: q.quote_no }), h("td", { text: q.quote_date }), h("td", { text: q.valid_until }),
        h("td", { text: q.customer_name, title: `${q.customer_code} ${q.customer_name}` }), h("td", { text: q.opportunity_code ?? "" }),
        h("td", {}, h(`span.status.status-${q.status}`, { text: t(`quotes.status_${q.status}`) })),
        h("td.num", { text: grouped(q.total) }), h("td", { text: q.order_no ?? "" }))));
      if (!quotes.length) rows.append(emptyRow(8, "quotes.empty"));
    } catch (error) { showError(error); }
  }

  async function show(id, tr) {
    rows.querySelectorAll("tr.selected").forEach((r) => r.classList.remove("selected"));
    tr?.classList.add("selected");
    try {
      const q = await api.getQuote(id);
      const open = ctx.canWrite && q.status === "open";
      detail.replaceChildren(h("section.side-card.quote-card", { dataset: { id: q.id } },
        h("h3", {}, t("quotes.title_of", { no: q.quote_no }), " ",
          h(`span.status.status-${q.status}#quote-status`, { text: t(`quotes.status_${q.status}`) })),
        h("p.muted", { text: t("quotes.summary", { customer: `${q.customer_code} ${q.customer_name}`, date: q.quote_date, until: q.valid_until }) }),
        h("table.lines", {},
          h("thead", {}, h("tr", {}, ...[["order.sku"], ["order.name"], ["quotes.unit"], ["order.quantity", true], ["order.unit_price", true], ["order.amount", true]]
            .map(([key, numeric]) => h(numeric ? "th.num" : "th", { text: t(key) })))),
          h("tbody", {}, ...q.lines.map((l) => h("tr", {}, h("td", { text: l.sku }), h("td", { text: l.name }), h("td", { text: l.unit }),
            h("td.num", { text: l.quantity }), h("td.num", { text: grouped(l.unit_price) }), h("td.num", { text: grouped(l.amount) }))))),
        h("p.total", { text: t("quotes.total", { total: grouped(q.total) }) }),
        q.notes ? h("p.muted", { text: q.notes }) : null,
        q.order_no ? h("p", { text: t("quotes.became_order", { no: q.order_no }) }) : null,
        open ? h("div.actions", {},
          h("button.primary#quote-accept", { text: t("quotes.accept"), onclick: () => accept(q) }),
          h("button.danger#quote-reject", { text: t("quotes.reject"), onclick: () => reject(q) })) : null));
    } catch (error) { showError(error); }
  }

  async function accept(q) {
    try {
      const order = await api.acceptQuote(q.id);
      toast(t("quotes.accepted", { no: order.order_no }));
      await load();
      show(q.id, rows.querySelector(`tr[data-id="${q.id}"]`));
      openOrderForm({ orderId: order.id }, ctx.me, { onChanged: load });
    } catch (error) { showError(error); }
  }

  async function reject(q) {
    try {
      await api.rejectQuote(q.id);
      toast(t("quotes.rejected", { no: q.quote_no }));
      await load();
      show(q.id, rows.querySelector(`tr[data-id="${q.id}"]`));
    } catch (error) { showError(error); }
  }

  function closeForm() {
    formBox.replaceChildren();
    split.classList.remove("with-form");
  }

  /** The new-quote form beside the list: for the chosen opportunity, or for a customer by code. */
  async function openForm() {
    if (!ctx.canWrite) return;
    let products;
    try { products = await productChoices(); } catch (error) { showError(error); return; }
    const customer = h("input#quote-customer", { placeholder: t("quotes.customer_hint"), dataset: { field: "customer_code" } });
    const valid = h("input#quote-valid", { type: "date", title: t("quotes.valid_hint"), dataset: { field: "valid_until" } });
    const lines = h("tbody#quote-lines");
    const addLine = () => {
      const row = h("tr.quote-line", {},
        h("td", {}, h("select.ql-product", {}, h("option", { value: "", text: t("quotes.choose_product") }),
          ...products.map((p) => h("option", { value: String(p.id), text: `${p.sku} ${p.name} · ${p.standard_price}` })))),
        h("td", {}, h("input.ql-quantity.num", { inputmode: "decimal", size: 5 })),
        h("td", {}, h("input.ql-price.num", { inputmode: "decimal", size: 7, placeholder: t("order.price_hint") })),
        h("td", {}, h("button.link.danger", { type: "button", text: "×", title: t("common.delete"), onclick: () => row.remove() })));
      lines.append(row);
      return row;
    };
    addLine();
    const form = h("form#quote-form.side-card", {
      onsubmit: async (e) => {
        e.preventDefault();
        clearMarks(form);
        const input = {
          opportunity_id: opportunity?.id ?? null,
          customer_code: opportunity ? "" : customer.value.trim(),
          valid_until: valid.value,
          lines: [...lines.querySelectorAll("tr.quote-line")].map((row) => ({
            product_id: row.querySelector(".ql-product").value ? Number(row.querySelector(".ql-product").value) : null,
            quantity: row.querySelector(".ql-quantity").value.trim(),
            unit_price: row.querySelector(".ql-price").value.trim(),
          })).filter((l) => l.product_id !== null || l.quantity),
        };
        try {
          const made = await api.createQuote(input);
          toast(t("quotes.saved", { no: made.quote_no, total: made.total }));
          closeForm();
          await load();
          show(made.id, rows.querySelector(`tr[data-id="${made.id}"]`));
        } catch (error) { showFormError(form, error); }
      },
    },
      h("h3", { text: t("quotes.new") }),
      opportunity
        ? h("p.chip-line#quote-opportunity", { text: t("quotes.for_opportunity", { code: opportunity.code, name: opportunity.name }) })
        : field("quotes.customer", customer),
      opportunity ? h("p.muted", { text: `${opportunity.customer_code} ${opportunity.customer_name}` }) : null,
      field("quotes.valid_until", valid),
      h("table.lines.quote-lines", {},
        h("thead", {}, h("tr", {}, h("th", { text: t("quotes.product") }), h("th.num", { text: t("order.quantity") }),
          h("th.num", { text: t("order.unit_price") }), h("th"))),
        lines),
      h("button.link#quote-add-line", { type: "button", text: t("order.add_line"), onclick: () => addLine().querySelector("select").focus() }),
      h("div.actions", {}, h("button.primary#quote-save", { type: "submit", text: t("quotes.save") }),
        h("button#quote-cancel", { type: "button", text: t("common.cancel"), onclick: closeForm })));
    formBox.replaceChildren(form);
    split.classList.add("with-form");
    (opportunity ? valid : customer).focus();
  }

  body.replaceChildren(
    h("div.toolbar.filters", {},
      ctx.canWrite ? h("button.primary#quote-new", { text: t("quotes.new"), onclick: openForm }) : null, filterNote),
    split);
  split.append(
    h("div.acts-main", {},
      listTable("quote-table", [["quotes.no"], ["quotes.date"], ["quotes.valid_until"], ["quotes.customer"], ["quotes.opportunity"],
        ["quotes.status"], ["quotes.total_column", true], ["quotes.order"]], rows),
      detail),
    formBox);
  load();
  if (opportunity) openForm();
}

// ---------------------------------------------------------------------------------------------------
// Leads

/** Leads: qualify, drop, or convert into a customer (and an opportunity); a form for a new one. */
export function leadsTab(body, ctx) {
  let status = null;
  let text = "";
  const rows = h("tbody#lead-rows");
  const statusFilter = h("select#lead-status-filter", { onchange: () => { status = statusFilter.value || null; load(); } },
    h("option", { value: "", text: t("leads.all_statuses") }),
    ...LEAD_STATUSES.map((s) => h("option", { value: s, text: t(`leads.status_${s}`) })));
  const search = h("input#lead-search.search", {
    type: "search", placeholder: t("leads.search"),
    oninput: debounce(() => { text = search.value; load(); }, 200),
  });

  async function load() {
    try {
      const leads = await api.listLeads(status, text);
      rows.replaceChildren(...leads.map((l) => h("tr", { dataset: { id: l.id, status: l.status } },
        h("td", {}, h("div", { text: l.name }), l.company ? h("div.muted", { text: l.company }) : null),
        h("td", {}, h("div", { text: l.phone }), l.email ? h("div.muted", { text: l.email }) : null),
        h("td", { text: l.source ?? "" }),
        h("td", {}, h(`span.status.status-${l.status}`, { text: t(`leads.status_${l.status}`) })),
        h("td", {}, ...[l.customer_code, l.opportunity_code].filter(Boolean).map((code) => h("div", { text: code }))),
        h("td", {}, h("div", { text: l.salesperson ?? "" }), h("div.muted", { text: l.created_on })),
        h("td.row-actions", {}, ...(ctx.canWrite && l.status !== "converted" ? [
          l.status !== "qualified" ? h("button.link.lead-qualify", { text: t("leads.qualify"), onclick: () => mark(l, "qualified") }) : null,
          l.status !== "disqualified" ? h("button.link.lead-disqualify", { text: t("leads.disqualify"), onclick: () => mark(l, "disqualified") }) : null,
          h("button.link.lead-edit", { text: t("leads.edit"), onclick: () => edit(l) }),
          h("button.link.lead-convert", { text: t("leads.convert"), onclick: () => convert(l) }),
        ] : [])))));
      if (!leads.length) rows.append(emptyRow(7, "leads.empty"));
    } catch (error) { showError(error); }
  }

  async function mark(lead, to) {
    try {
      await api.markLead(lead.id, to);
      toast(t("leads.marked", { name: lead.name, status: t(`leads.status_${to}`) }));
      load();
    } catch (error) { showError(error); }
  }

  async function convert(lead) {
    const conversion = await modal("convert-dialog", (close) => {
      const name = h("input#convert-name", { placeholder: t("leads.opportunity_hint") });
      const amount = h("input#convert-amount.num", { inputmode: "decimal", placeholder: "0.00" });
      return h("form.dialog", {
        role: "dialog",
        onsubmit: (e) => { e.preventDefault(); close({ opportunity_name: name.value.trim(), amount: amount.value.trim() }); },
      },
        h("h3", { text: t("leads.convert_title", { name: lead.company || lead.name }) }),
        h("p.muted", { text: t("leads.convert_text") }),
        field("leads.opportunity_name", name), field("leads.opportunity_amount", amount),
        h("div.actions", {},
          h("button#convert-cancel", { type: "button", text: t("common.cancel"), onclick: () => close(null) }),
          h("button.primary#convert-ok", { type: "submit", text: t("leads.convert") })));
    });
    if (!conversion) return;
    try {
      const done = await api.convertLead(lead.id, conversion);
      toast(done.opportunity
        ? t("leads.converted_with", { customer: done.lead.customer_code ?? "", code: done.opportunity.code })
        : t("leads.converted", { customer: done.lead.customer_code ?? "" }));
      load();
    } catch (error) { showError(error); }
  }

  const name = h("input#lead-name", { dataset: { field: "name" } });
  const company = h("input#lead-company", { dataset: { field: "company" } });
  const phone = h("input#lead-phone", { dataset: { field: "phone" } });
  const email = h("input#lead-email", { dataset: { field: "email" } });
  const source = h("select#lead-source", { dataset: { field: "source" } }, h("option", { value: "", text: t("common.none") }));
  // The side form makes a new lead, or changes the one chosen with "edit".
  let editing = null;
  const title = h("h3#lead-form-title", { text: t("leads.new") });
  const reset = () => {
    editing = null;
    title.textContent = t("leads.new");
    for (const input of [name, company, phone, email]) input.value = "";
    source.value = "";
  };
  function edit(lead) {
    editing = lead;
    title.textContent = t("leads.editing");
    name.value = lead.name; company.value = lead.company; phone.value = lead.phone; email.value = lead.email;
    source.value = lead.source ?? "";
    name.focus();
  }
  const form = h("form#lead-form.side-card", {
    onsubmit: async (e) => {
      e.preventDefault();
      clearMarks(form);
      const input = {
        name: name.value.trim(), company: company.value.trim(), phone: phone.value.trim(), email: email.value.trim(), source: source.value,
      };
      try {
        if (editing) {
          const changed = await api.updateLead(editing.id, { ...input, version: editing.version });
          toast(t("leads.updated", { name: changed.name }));
        } else {
          const made = await api.createLead(input);
          toast(t("leads.saved", { name: made.name }));
        }
        reset();
        load();
      } catch (error) { showFormError(form, error); }
    },
  },
    title,
    field("leads.name", name), field("leads.company", company), field("leads.phone", phone), field("leads.email", email),
    field("leads.source", source),
    h("div.actions", {}, h("button.primary#lead-save", { type: "submit", text: t("leads.save") })));
  if (ctx.canWrite) {
    api.pickList("source").then((items) => source.append(...items.filter((s) => s.active)
      .map((s) => h("option", { value: s.name, text: label(s) })))).catch(showError);
  }

  body.replaceChildren(
    h("div.toolbar.filters", {}, search, statusFilter),
    h("div.acts-split", {},
      h("div.acts-main", {},
        listTable("lead-table", [["leads.name_company"], ["leads.contact"], ["leads.source"],
          ["leads.status"], ["leads.result"], ["leads.salesperson_date"], [""]], rows)),
      h("aside.acts-side", {}, ctx.canWrite ? form : null)));
  load();
}
