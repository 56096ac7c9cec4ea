// Translation: Simplified Chinese by default, English on request. Strings live in ../i18n/*.js.
import zh from "../i18n/zh-CN.js";
import en from "../i18n/en.js";

const dictionaries = { "zh-CN": zh, en };
let current = "zh-CN";

export function setLanguage(language) {
  current = dictionaries[language] ? language : "zh-CN";
  document.documentElement.lang = current;
}

export const language = () => current;

/** The text for `key` in the current language, with {name} filled from `params`. */
export function t(key, params = {}) {
  const text = dictionaries[current][key] ?? dictionaries["zh-CN"][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? `{${name}}`));
}

/** Whether a key exists, for optional labels (an entity or field without a translation). */
export const has = (key) => key in dictionaries[current];

/** Fills every element marked data-i18n (text) or data-i18n-placeholder (placeholder) below `root`. */
export function translate(root = document) {
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  root.querySelectorAll("[data-i18n-title]").forEach((el) => { el.title = t(el.dataset.i18nTitle); });
}

/** An engine error as a sentence in the current language. */
export function describeError(error) {
  if (!error || typeof error !== "object" || !error.code) {
    return t("error.unknown", { message: String(error) });
  }
  if (error.code === "invalid" && error.fields?.length) {
    return error.fields.map((f) => `${fieldLabel(f.field)}：${describeReason(f.reason, f.params)}`).join("；");
  }
  const params = { ...error.params, message: error.message };
  if (error.code === "wrong_status") {
    params.status = statusLabel(error.params.entity, error.params.status);
    params.action = t(`status_action.${error.params.action}`);
  }
  if (params.why) params.why = t(`not_company.${params.why}`, error.params);
  if (params.entity) params.entity = has(`entity.${params.entity}`) ? t(`entity.${params.entity}`) : params.entity;
  if (params.field) params.field = fieldLabel(params.field);
  if (params.permission) params.action = t(`permission.${params.permission}`);
  if (params.refusal) params.refusal = t(`refused.${params.refusal}`, error.params);
  if (params.problem) {
    const problems = (params.problems ?? []).map((p) => describeCoded("header", p)).join("；");
    params.problem = t(`bad_file.${params.problem}`, { ...error.params, problems });
  }
  return has(`error.${error.code}`) ? t(`error.${error.code}`, params) : t("error.unknown", params);
}

/** Why a field or an import row was refused (`reason.<code>`); a reason inside it (a document line's) first. */
export function describeReason(code, params = {}) {
  const filled = { ...params };
  if (filled.inner) filled.inner = describeReason(filled.inner.reason, filled.inner.params);
  if (filled.permission) filled.action = t(`permission.${filled.permission}`);
  if (problemFamilies[code] && filled.problem) filled.problem = t(`${problemFamilies[code]}.${filled.problem}`, params);
  if (filled.unit) filled.unit = t(`unit.${filled.unit}`);
  if (filled.of) filled.of = fieldLabel(filled.of);
  // Another error reported against a row or record: told as the error itself would be.
  if (filled.error) filled.error = describeError(filled.error);
  return t(`reason.${code}`, filled);
}

/** Where the kind of an unreadable amount or quantity (`problem`) is translated. */
const problemFamilies = { bad_money: "money_problem", bad_quantity: "quantity_problem" };

/** The keys that already name each document's statuses on its own screens. */
const statusKeys = { order: "order.status_", purchase: "stock.po_status_", quote: "quotes.status_", lead: "leads.status_" };

const statusLabel = (entity, status) =>
  (statusKeys[entity] && has(`${statusKeys[entity]}${status}`) ? t(`${statusKeys[entity]}${status}`) : status);

/** A coded message the engine sends as {code, params} (an import's notices, header problems) in `family`. */
export function describeCoded(family, { code, params = {} }) {
  const filled = { ...params };
  if (filled.column) filled.column = fieldLabel(filled.column);
  if (filled.list) filled.list = has(`picklist.${filled.list}`) ? t(`picklist.${filled.list}`) : filled.list;
  return t(`${family}.${code}`, filled);
}

export const fieldLabel = (field) => (has(`field.${field}`) ? t(`field.${field}`) : field);
