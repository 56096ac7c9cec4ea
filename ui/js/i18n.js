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
    return error.fields.map((f) => `${fieldLabel(f.field)}：${t(`reason.${f.reason}`, f.params)}`).join("；");
  }
  const params = { ...error.params, message: error.message };
  if (params.entity) params.entity = has(`entity.${params.entity}`) ? t(`entity.${params.entity}`) : params.entity;
  if (params.field) params.field = fieldLabel(params.field);
  return has(`error.${error.code}`) ? t(`error.${error.code}`, params) : t("error.unknown", params);
}

export const fieldLabel = (field) => (has(`field.${field}`) ? t(`field.${field}`) : field);
