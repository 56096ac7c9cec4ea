// Small DOM helpers shared by the views: building elements, toasts, dialogs.
import { t, describeError } from "./i18n.js";

/** h("div.card#id", {attrs}, ...children): a terse element builder. */
export function h(spec, attrs = {}, ...children) {
  const tag = spec.match(/^[a-z0-9]*/i)[0] || "div";
  const el = document.createElement(tag);
  const id = spec.match(/#([\w-]+)/);
  if (id) el.id = id[1];
  const classes = [...spec.matchAll(/\.([\w-]+)/g)].map((m) => m[1]);
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "text") el.textContent = value;
    else if (key === "value") el.value = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

let toastTimer;
/** A short message at the top of the window; errors stay until the next one or a click. */
export function toast(message, kind = "info") {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.className = `toast show ${kind}`;
  clearTimeout(toastTimer);
  if (kind !== "error") toastTimer = setTimeout(() => el.classList.remove("show"), 2500);
}

export const showError = (error) => toast(describeError(error), "error");

/** A modal question; resolves true on OK. */
export function confirmDialog(title, body, okLabel = t("common.confirm")) {
  return new Promise((resolve) => {
    const close = (answer) => { overlay.remove(); resolve(answer); };
    const overlay = h("div.overlay#confirm", {},
      h("div.dialog", { role: "dialog" },
        h("h3", { text: title }),
        body instanceof Node ? body : h("p", { text: body }),
        h("div.actions", {},
          h("button#confirm-cancel", { text: t("common.cancel"), onclick: () => close(false) }),
          h("button.primary#confirm-ok", { text: okLabel, onclick: () => close(true) }))));
    overlay.addEventListener("keydown", (e) => { if (e.key === "Escape") close(false); });
    document.body.append(overlay);
    overlay.querySelector("#confirm-ok").focus();
  });
}

/** Debounces a function: it runs once, `ms` after the last call. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

/** An amount as the engine sends it ("1234567.50") with thousands separators ("1,234,567.50"); exact, no float. */
export function grouped(text) {
  if (text === null || text === undefined || text === "") return "";
  const [whole, fraction] = String(text).split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = whole.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction === undefined ? `${sign}${digits}` : `${sign}${digits}.${fraction}`;
}

/** Bar lengths for one chart: a function from an amount to its length in percent of the largest of
 * `amounts` (the engine's decimal strings). Only lengths are computed here, to a tenth of a percent;
 * every figure printed beside a bar is the engine's own string. */
export function barScale(amounts) {
  const largest = Math.max(0, ...amounts.map(Number));
  return (amount) => (largest > 0 ? Math.max(0, Math.round((Number(amount) * 1000) / largest) / 10) : 0);
}
