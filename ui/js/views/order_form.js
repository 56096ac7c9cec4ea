// The order form: customer, dates, lines; save a draft, confirm (stock is reserved), deliver, cancel.
// Amounts and totals come back from the engine: nothing is computed here.
import * as api from "../api.js";
import { t, describeError } from "../i18n.js";
import { h, toast, showError, confirmDialog, grouped } from "../ui.js";
import { can } from "../session.js";

let products = null;
/** Active products for the line pickers, loaded once per window (reloaded after a product is saved). */
export async function productChoices(reload = false) {
  if (!products || reload) products = (await api.listProducts({ limit: 1000 })).rows;
  return products;
}

/**
 * Opens an order: `{ orderId }` for an existing one, `{ customer: {id, code, name} }` for a new one.
 * `onChanged` runs after every save or step.
 */
export async function openOrderForm({ orderId = null, customer = null }, me, { onChanged = () => {} } = {}) {
  document.getElementById("order-form")?.remove();
  let order = null;
  try {
    [order] = await Promise.all([orderId ? api.getOrder(orderId) : null, productChoices()]);
  } catch (error) { showError(error); return; }
  const canWrite = can(me, "write_sales");
  const status = order?.status ?? "draft";
  const editable = canWrite && status === "draft";
  const owner = order ? { id: order.customer_id, code: order.customer_code, name: order.customer_name } : customer;

  const datalist = h("datalist#of-products", {}, ...products.map((p) => h("option", { value: p.sku, text: `${p.name} · ${p.standard_price}` })));
  const lineRows = h("tbody#of-lines");
  const addLine = (line = {}) => {
    const product = products.find((p) => p.id === line.product_id);
    const row = h("tr.order-line", {},
      h("td", {}, h("input.of-sku", { list: "of-products", value: line.sku ?? product?.sku ?? "", disabled: !editable, placeholder: t("order.sku_hint") })),
      h("td.muted.of-name", { text: line.name ?? product?.name ?? "" }),
      h("td", {}, h("input.of-quantity.num", { value: line.quantity ?? "", disabled: !editable, inputmode: "decimal" })),
      h("td", {}, h("input.of-price.num", { value: line.unit_price ?? "", disabled: !editable, inputmode: "decimal", placeholder: t("order.price_hint") })),
      h("td.num.of-amount", { text: grouped(line.amount) }),
      h("td", {}, editable ? h("button.link.danger", { text: "×", title: t("common.delete"), onclick: () => row.remove() }) : null));
    row.querySelector(".of-sku").addEventListener("change", (e) => {
      const chosen = products.find((p) => p.sku === e.target.value.trim());
      row.querySelector(".of-name").textContent = chosen?.name ?? "";
    });
    lineRows.append(row);
    return row;
  };
  (order?.lines ?? []).forEach(addLine);
  if (!order) addLine();

  const input = (id, value, attrs = {}) => h(`input#${id}`, { value: value ?? "", disabled: !editable, ...attrs });
  const field = (label, control) => h("label.field", {}, h("span", { text: label }), control);
  const gather = () => ({
    customer_id: owner.id,
    order_date: panel.querySelector("#of-date").value,
    due_date: panel.querySelector("#of-due").value,
    notes: panel.querySelector("#of-notes").value,
    lines: [...lineRows.querySelectorAll("tr.order-line")]
      .map((row) => ({
        sku: row.querySelector(".of-sku").value.trim(),
        quantity: row.querySelector(".of-quantity").value.trim(),
        unit_price: row.querySelector(".of-price").value.trim(),
      }))
      .filter((line) => line.sku || line.quantity),
    version: order?.version ?? null,
  });

  async function save() {
    try {
      const saved = order ? await api.updateOrder(order.id, gather()) : await api.createOrder(gather());
      toast(t("order.saved", { no: saved.order_no }));
      onChanged();
      return openOrderForm({ orderId: saved.id }, me, { onChanged });
    } catch (error) { toast(describeError(error), "error"); }
  }

  async function step(name) {
    if (name === "cancel" && !(await confirmDialog(t("order.cancel_title"), t("order.cancel_text", { no: order.order_no })))) return;
    try {
      const moved = await api.orderStep(order.id, name);
      toast(t(`order.done_${name}`, { no: moved.order_no }));
      onChanged();
      openOrderForm({ orderId: moved.id }, me, { onChanged });
    } catch (error) { toast(describeError(error), "error"); }
  }

  const close = () => { panel.remove(); document.removeEventListener("keydown", keys, true); };
  const keys = (e) => {
    if (document.getElementById("confirm")) return;
    if (e.key === "Escape") { e.preventDefault(); close(); }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s" && editable) { e.preventDefault(); save(); }
  };
  document.addEventListener("keydown", keys, true);

  const panel = h("div.overlay.drawer#order-form", {},
    h("section.panel", { role: "dialog" },
      h("header", {},
        h("h2", { text: order ? t("order.title", { no: order.order_no }) : t("order.new_title") }),
        h("button.link#of-close", { text: t("common.close"), onclick: close })),
      h("p", {}, h("strong", { text: `${owner.code} ${owner.name}` }), " ",
        h(`span.status.status-${status}#of-status`, { text: t(`order.status_${status}`) })),
      h("div.form-grid", {},
        field(t("order.date"), input("of-date", order?.order_date, { placeholder: new Date().toISOString().slice(0, 10) })),
        field(t("order.due"), input("of-due", order?.due_date, { placeholder: t("order.due_hint") })),
        h("label.field.wide", {}, h("span", { text: t("field.notes") }),
          h("textarea#of-notes", { rows: 2, disabled: !editable, text: order?.notes ?? "" }))),
      datalist,
      h("table.lines", {},
        h("thead", {}, h("tr", {}, ...["sku", "name", "quantity", "unit_price", "amount", ""].map((c) =>
          h("th", { text: c ? t(`order.${c}`) : "" })))),
        lineRows),
      editable ? h("button.link#of-add-line", { text: t("order.add_line"), onclick: () => addLine().querySelector(".of-sku").focus() }) : null,
      order ? h("p.total#of-total", { text: t("order.total", { total: grouped(order.total) }) }) : null,
      h("div.actions", {},
        editable ? h("button.primary#of-save", { text: `${t("order.save_draft")} (Ctrl+S)`, onclick: save }) : null,
        canWrite && status === "draft" && order ? h("button#of-confirm", { text: t("order.confirm"), onclick: () => step("confirm") }) : null,
        canWrite && status === "confirmed" ? h("button.primary#of-deliver", { text: t("order.deliver"), onclick: () => step("deliver") }) : null,
        canWrite && ["draft", "confirmed"].includes(status) && order ? h("button.danger#of-cancel", { text: t("order.cancel"), onclick: () => step("cancel") }) : null,
        h("button#of-dismiss", { text: t("common.close"), onclick: close }))));
  document.body.append(panel);
  (editable ? panel.querySelector(".of-sku") : panel.querySelector("#of-close"))?.focus();
}
