// Products and stock: the catalogue, stock per warehouse, the low-stock list, valuation (with a chart)
// and purchase orders with goods received.
import * as api from "../api.js";
import { t, describeError } from "../i18n.js";
import { h, toast, showError, debounce, grouped, barScale } from "../ui.js";
import { can } from "../session.js";
import { productChoices } from "./order_form.js";
import { openImport } from "./import.js";

/** A button that exports a list (`entity`) to XLSX or CSV, within what the user may see. */
export function exportButton(entity) {
  return h(`button#${entity}-export`, {
    text: t("common.export"),
    onclick: async () => {
      const target = await api.chooseSavePath(`${entity}.xlsx`, ["xlsx", "csv"]);
      if (!target) return;
      try { toast(t("common.exported", { rows: await api.exportList(entity, target) })); } catch (error) { showError(error); }
    },
  });
}

const TABS = ["products", "levels", "low", "valuation", "purchases"];

export function stockView(main, me) {
  let current = "products";
  const body = h("div.tab-body#stock-body");
  const tabs = h("div.tabs", {}, ...TABS.map((tab) => h("button.tab", {
    dataset: { tab },
    "aria-selected": tab === current ? "true" : "false",
    onclick: () => { current = tab; show(); },
  }, t(`stock.tab_${tab}`))));

  function show() {
    tabs.querySelectorAll("button.tab").forEach((b) => b.setAttribute("aria-selected", b.dataset.tab === current ? "true" : "false"));
    ({ products: productsTab, levels: levelsTab, low: lowTab, valuation: valuationTab, purchases: purchasesTab })[current](body, me);
  }

  main.replaceChildren(h("div.toolbar", {}, h("h2", { text: t("stock.title") })), tabs, body);
  show();
  return { dispose() {} };
}

const table = (id, columns, rows) => h("div.table-scroll", {}, h(`table.list#${id}`, {},
  h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", { text: t(c) })))),
  h("tbody", {}, ...rows)));

function productsTab(body, me) {
  const canEdit = can(me, "write_products");
  const query = { text: "", include_inactive: false, low_stock_only: false, limit: 1000 };
  const list = h("div#product-list");
  const search = h("input#product-search.search", {
    type: "search", placeholder: t("stock.product_search"),
    oninput: debounce(() => { query.text = search.value; load(); }, 200),
  });
  async function load() {
    try {
      const page = await api.listProducts(query);
      list.replaceChildren(table("product-table",
        ["field.sku", "field.name", "field.category", "field.subcategory", "field.unit", "stock.price", "stock.member_price", "stock.average_cost", "stock.on_hand"],
        page.rows.map((p) => h("tr.clickable", { dataset: { sku: p.sku }, onclick: () => canEdit && openProductForm(p, load) },
          h("td", { text: p.sku }), h("td", { text: p.name }), h("td", { text: p.category ?? "" }), h("td", { text: p.subcategory ?? "" }),
          h("td", { text: p.unit }), h("td.num", { text: p.standard_price }), h("td.num", { text: p.member_price ?? "" }),
          h("td.num", { text: p.average_cost ?? "—" }), h("td.num", { text: p.stock_quantity })))));
    } catch (error) { showError(error); }
  }
  body.replaceChildren(h("div.toolbar", {}, search,
    canEdit ? h("button.primary#product-new", { text: t("stock.new_product"), onclick: () => openProductForm(null, load) }) : null,
    canEdit ? h("button#product-import", { text: t("stock.import_products"), onclick: () => openImport("products", { onImported: load }) }) : null,
    exportButton("products")), list);
  load();
}

function openProductForm(product, onSaved) {
  document.getElementById("product-form")?.remove();
  const fields = ["sku", "name", "category", "subcategory", "unit", "standard_price", "member_price", "cost_price", "markup", "low_stock", "notes"];
  const value = (f) => {
    if (!product) return "";
    if (f === "markup") return product.markup ?? "";
    return product[f] ?? "";
  };
  const inputs = Object.fromEntries(fields.map((f) => [f, h(`input#pf-${f}`, { value: value(f) })]));
  const close = () => panel.remove();
  async function save() {
    const input = Object.fromEntries(fields.map((f) => [f, inputs[f].value]));
    input.version = product?.version ?? null;
    try {
      const saved = product ? await api.updateProduct(product.id, input) : await api.createProduct(input);
      toast(t("stock.product_saved", { sku: saved.sku }));
      await productChoices(true);
      close();
      onSaved();
    } catch (error) { toast(describeError(error), "error"); }
  }
  const panel = h("div.overlay.drawer#product-form", {},
    h("section.panel", { role: "dialog" },
      h("header", {}, h("h2", { text: product ? `${product.sku} ${product.name}` : t("stock.new_product") }),
        h("button.link", { text: t("common.close"), onclick: close })),
      h("div.form-grid", {}, ...fields.map((f) => h("label.field", {}, h("span", { text: t(`stock.field_${f}`) }), inputs[f]))),
      h("p.muted", { text: t("stock.markup_hint") }),
      h("div.actions", {}, h("button.primary#pf-save", { text: t("common.save"), onclick: save }),
        h("button", { text: t("common.cancel"), onclick: close }))));
  document.body.append(panel);
  inputs.sku.focus();
}

async function levelsTab(body) {
  try {
    const levels = await api.stockLevels();
    body.replaceChildren(levels.length === 0 ? h("p.empty", { text: t("stock.no_stock") }) :
      table("level-table", ["field.sku", "field.name", "stock.warehouse", "stock.on_hand", "stock.reserved", "stock.available"],
        levels.map((l) => h("tr", { dataset: { sku: l.sku } }, h("td", { text: l.sku }), h("td", { text: l.name }), h("td", { text: l.warehouse }),
          h("td.num.on-hand", { text: l.on_hand }), h("td.num", { text: l.reserved }), h("td.num.available", { text: l.available })))));
  } catch (error) { showError(error); }
}

async function lowTab(body) {
  try {
    const low = await api.lowStock();
    body.replaceChildren(low.length === 0 ? h("p.empty", { text: t("stock.none_low") }) :
      table("low-table", ["field.sku", "field.name", "stock.on_hand", "stock.threshold", "field.unit"],
        low.map((l) => h("tr.warn", {}, h("td", { text: l.sku }), h("td", { text: l.name }), h("td.num", { text: l.on_hand }),
          h("td.num", { text: l.low_stock }), h("td", { text: l.unit })))));
  } catch (error) { showError(error); }
}

/** Stock value by 大分类 as horizontal bars (a person compares lengths faster than numbers); the engine
 * sums each category and sorts them, largest first. */
function valueChart(parts) {
  const length = barScale(parts.map((p) => p.value));
  return h("div.bar-chart#valuation-chart", {}, ...parts.map((p) =>
    h("div.bar-row", {}, h("span.bar-label", { text: p.category ?? t("stock.uncategorised") }),
      h("span.bar", { style: `width: ${length(p.value)}%` }),
      h("span.bar-value", { text: grouped(p.value) }))));
}

async function valuationTab(body) {
  try {
    const valuation = await api.stockValuation();
    body.replaceChildren(
      h("p.total#valuation-total", { dataset: { total: valuation.total }, text: t("stock.valuation_total", { total: grouped(valuation.total) }) }),
      valueChart(valuation.by_category),
      table("valuation-table", ["field.sku", "field.name", "field.category", "stock.quantity", "stock.average_cost", "stock.value"],
        valuation.rows.map((r) => h("tr", {}, h("td", { text: r.sku }), h("td", { text: r.name }), h("td", { text: r.category ?? "" }),
          h("td.num", { text: r.quantity }), h("td.num", { text: r.average_cost ?? "—" }), h("td.num", { text: r.value })))));
  } catch (error) { showError(error); }
}

async function purchasesTab(body, me) {
  const canBuy = can(me, "manage_stock");
  try {
    const page = await api.listPurchases();
    const reload = () => purchasesTab(body, me);
    body.replaceChildren(
      h("div.toolbar", {},
        canBuy ? h("button.primary#purchase-new", { text: t("stock.new_purchase"), onclick: () => openPurchaseForm(reload) }) : null,
        can(me, "write_products") ? h("button#supplier-new", { text: t("stock.new_supplier"), onclick: () => openSupplierForm(reload) }) : null,
        canBuy ? h("button#purchase-import", { text: t("stock.import_purchases"), onclick: () => openImport("purchases", { onImported: reload }) }) : null,
        exportButton("purchases"), exportButton("suppliers")),
      table("purchase-table", ["stock.po_no", "orders.date", "stock.supplier", "orders.status", "orders.total", ""],
        page.rows.map((p) => h("tr", {}, h("td", { text: p.po_no }), h("td", { text: p.po_date }), h("td", { text: `${p.supplier_code} ${p.supplier_name}` }),
          h("td", { text: t(`stock.po_status_${p.status}`) }), h("td.num", { text: p.total }),
          h("td", {}, canBuy && p.status === "ordered" ? h("button.link", {
            text: t("stock.receive"),
            onclick: async () => {
              try { await api.receivePurchase(p.id); toast(t("stock.received", { no: p.po_no })); reload(); } catch (error) { showError(error); }
            },
          }) : null)))));
  } catch (error) { showError(error); }
}

async function openPurchaseForm(onSaved) {
  document.getElementById("purchase-form")?.remove();
  let suppliers;
  try { suppliers = (await api.listSuppliers()).rows; await productChoices(); } catch (error) { showError(error); return; }
  const supplier = h("select#po-supplier", {}, ...suppliers.map((s) => h("option", { value: s.code, text: `${s.code} ${s.name}` })));
  const lines = h("tbody");
  const addLine = () => lines.append(h("tr.po-line", {},
    h("td", {}, h("input.po-sku", { list: "of-products-po", placeholder: t("order.sku_hint") })),
    h("td", {}, h("input.po-quantity.num")), h("td", {}, h("input.po-cost.num", { placeholder: t("stock.cost_hint") }))));
  addLine();
  const products = await productChoices();
  const close = () => panel.remove();
  async function save() {
    const input = {
      supplier_code: supplier.value,
      lines: [...lines.querySelectorAll("tr.po-line")].map((row) => ({
        sku: row.querySelector(".po-sku").value.trim(),
        quantity: row.querySelector(".po-quantity").value.trim(),
        unit_cost: row.querySelector(".po-cost").value.trim(),
      })).filter((l) => l.sku || l.quantity),
    };
    try { const made = await api.createPurchase(input); toast(t("stock.purchase_saved", { no: made.po_no })); close(); onSaved(); }
    catch (error) { toast(describeError(error), "error"); }
  }
  const panel = h("div.overlay.drawer#purchase-form", {},
    h("section.panel", { role: "dialog" },
      h("header", {}, h("h2", { text: t("stock.new_purchase") }), h("button.link", { text: t("common.close"), onclick: close })),
      h("label.field", {}, h("span", { text: t("stock.supplier") }), supplier),
      h("datalist#of-products-po", {}, ...products.map((p) => h("option", { value: p.sku, text: p.name }))),
      h("table.lines", {}, h("thead", {}, h("tr", {}, ...["order.sku", "order.quantity", "stock.unit_cost"].map((c) => h("th", { text: t(c) })))), lines),
      h("button.link", { text: t("order.add_line"), onclick: addLine }),
      h("div.actions", {}, h("button.primary#po-save", { text: t("common.save"), onclick: save }), h("button", { text: t("common.cancel"), onclick: close }))));
  document.body.append(panel);
}

function openSupplierForm(onSaved) {
  document.getElementById("supplier-form")?.remove();
  const fields = ["code", "name", "phone", "address"];
  const inputs = Object.fromEntries(fields.map((f) => [f, h(`input#sf-${f}`)]));
  const close = () => panel.remove();
  async function save() {
    try {
      const saved = await api.createSupplier(Object.fromEntries(fields.map((f) => [f, inputs[f].value])));
      toast(t("stock.supplier_saved", { code: saved.code }));
      close();
      onSaved();
    } catch (error) { toast(describeError(error), "error"); }
  }
  const panel = h("div.overlay.drawer#supplier-form", {},
    h("section.panel", { role: "dialog" },
      h("header", {}, h("h2", { text: t("stock.new_supplier") }), h("button.link", { text: t("common.close"), onclick: close })),
      h("div.form-grid", {}, ...fields.map((f) => h("label.field", {}, h("span", { text: t(`field.${f}`) }), inputs[f]))),
      h("div.actions", {}, h("button.primary#sf-save", { text: t("common.save"), onclick: save }), h("button", { text: t("common.cancel"), onclick: close }))));
  document.body.append(panel);
  inputs.code.focus();
}
