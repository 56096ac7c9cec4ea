// 分析报表: every report by the question it answers; the chosen one with its filters, a chart of its first
// figures and its table, all computed by the engine (this file only lays them out and sizes the bars).
import * as api from "../api.js";
import { t, language } from "../i18n.js";
import { h, showError, grouped, barScale, toast } from "../ui.js";

const GRANULARITIES = ["day", "week", "month", "quarter", "year"];

/** The first and last day of this year, up to today: the default period of every report. */
function thisYear() {
  const today = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return { from: `${today.getFullYear()}-01-01`, to: `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}` };
}

/** A cell as the engine typed it, written for a person: money grouped, percentages with one decimal. */
function shown(cell) {
  switch (cell.kind) {
    case "money": return grouped(cell.value);
    case "label": return language() === "en" ? cell.value.en : cell.value.zh;
    case "empty": return "";
    case "percent":
    case "decimal": return cell.value === null ? "" : String(cell.value);
    default: return String(cell.value ?? "");
  }
}

/** The amount a bar stands for: the engine's figure as sent (decimal text), never a sum made here. */
function figure(cell) {
  return cell.kind === "money" || cell.kind === "quantity" || cell.kind === "decimal" ? cell.value ?? "0"
    : cell.kind === "integer" ? String(cell.value) : "0";
}

export function analysesView(main) {
  const english = () => language() === "en";
  const state = { slug: null, by: "", key: "", limit: "", ...thisYear() };
  const list = h("nav.report-list#report-list");
  const body = h("section.report-body#report-body", {}, h("p.muted", { text: t("reports.pick") }));
  let catalog = [];

  function options(report) {
    const o = report.options;
    if (o === "Trend") return { by: GRANULARITIES, byDefault: "month", key: true };
    if (o === "Person") return { key: true };
    if (o === "Year") return { key: true, noDates: true };
    if (o === "Ranking") return { limit: true };
    if (o && o.Dimension) return { by: o.Dimension.by, byDefault: o.Dimension.by[0], key: o.Dimension.keyed };
    return {};
  }

  function open(slug) {
    const report = catalog.find((r) => r.slug === slug);
    state.slug = slug;
    state.by = options(report).byDefault ?? "";
    state.key = "";
    list.querySelectorAll("button").forEach((b) => b.setAttribute("aria-selected", b.dataset.slug === slug ? "true" : "false"));
    const opts = options(report);
    const input = (id, type, field, placeholder = "") => h(`input#${id}`, {
      type, value: state[field], placeholder,
      onchange: (e) => { state[field] = e.target.value; load(); },
    });
    const filters = h("div.toolbar#report-filters", {},
      opts.noDates ? null : h("label.inline", {}, t("reports.from"), " ", input("report-from", "date", "from")),
      opts.noDates ? null : h("label.inline", {}, t("reports.to"), " ", input("report-to", "date", "to")),
      !opts.by ? null : h("label.inline", {}, t("reports.by"), " ", h("select#report-by", {
        onchange: (e) => { state.by = e.target.value; load(); },
      }, ...opts.by.map((by) => h("option", { value: by, text: t(`reports.by_${by}`), selected: by === state.by })))),
      !opts.key ? null : h("label.inline", {}, t("reports.key"), " ", input("report-key", "text", "key", t(`reports.key_${report.options === "Year" ? "year" : "any"}`))),
      !opts.limit ? null : h("label.inline", {}, t("reports.limit"), " ", input("report-limit", "number", "limit")),
      h("button#report-export", { text: t("common.export"), onclick: () => exportIt(report) }));
    body.replaceChildren(
      h("h2#report-title", { text: english() ? report.en : report.zh }),
      filters,
      h("div.bar-chart#report-chart"),
      h("div.table-scroll", {}, h("table.list#report-table", {}, h("thead#report-head"), h("tbody#report-rows"))));
    load();
  }

  /** The report as shown, to the XLSX or CSV file the save dialog names. */
  async function exportIt(report) {
    const target = await api.chooseSavePath(`${report.slug}.xlsx`, ["xlsx", "csv"]);
    if (!target) return;
    try { toast(t("common.exported", { rows: await api.exportReport(report.slug, queryOf(report), target, english()) })); } catch (error) { showError(error); }
  }

  function queryOf(report) {
    const opts = options(report);
    return {
      from: opts.noDates ? null : state.from || null,
      to: opts.noDates ? null : state.to || null,
      by: state.by || null,
      key: state.key || null,
      limit: state.limit ? Number(state.limit) : null,
    };
  }

  async function load() {
    const query = queryOf(catalog.find((r) => r.slug === state.slug));
    try {
      const table = await api.runReport(state.slug, query);
      if (table.slug !== state.slug) return;
      const heading = (c) => (english() ? c.en : c.zh);
      body.querySelector("#report-head").replaceChildren(h("tr", {}, ...table.columns.map((c) =>
        h(`th${numeric(c) ? ".num" : ""}`, { text: heading(c) }))));
      const row = (cells, total) => h(`tr${total ? ".total" : ""}`, {}, ...cells.map((cell, i) =>
        h(`td${numeric(table.columns[i]) ? ".num" : ""}`, { text: total && i === firstEmpty(cells) ? t("reports.total") : shown(cell) })));
      body.querySelector("#report-rows").replaceChildren(
        ...table.rows.map((cells) => row(cells, false)),
        ...(table.totals ? [row(table.totals, true)] : []));
      drawChart(table);
    } catch (error) { showError(error); }
  }

  /** Horizontal bars of the chart's first series against its labels (the engine names both columns). */
  function drawChart(table) {
    const chart = body.querySelector("#report-chart");
    if (!table.chart || table.rows.length === 0) { chart.replaceChildren(); return; }
    const at = (key) => table.columns.findIndex((c) => c.key === key);
    const label = at(table.chart.label);
    const value = at(table.chart.values[0]);
    const rows = table.rows.slice(0, 40);
    const length = barScale(rows.map((r) => figure(r[value])));
    chart.replaceChildren(...rows.map((r) => h("div.bar-row", {},
      h("span.bar-label", { text: shown(r[label]) }),
      h("span.bar", { style: `width: ${length(figure(r[value]))}%` }),
      h("span.bar-value", { text: shown(r[value]) }))));
  }

  main.replaceChildren(
    h("div.toolbar", {}, h("h2", { text: t("module.analyses") })),
    h("div.reports", {}, list, body));
  api.reportsCatalog().then((reports) => {
    catalog = reports;
    list.replaceChildren(...reports.map((r) => h("button.report-link", {
      dataset: { slug: r.slug },
      text: english() ? r.en : r.zh,
      onclick: () => open(r.slug),
    })));
  }).catch(showError);
  return { dispose() {} };
}

function numeric(column) {
  return ["money", "quantity", "integer", "percent", "decimal"].includes(column.kind);
}

function firstEmpty(cells) {
  return cells.findIndex((c) => c.kind === "empty");
}
