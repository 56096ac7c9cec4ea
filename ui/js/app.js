// Start-up and the frame of the window: first owner, login, the sidebar of modules, the language switch.
import * as api from "./api.js";
import { t, setLanguage, language, translate } from "./i18n.js";
import { h, toast, showError, confirmDialog } from "./ui.js";
import { can } from "./session.js";
import { customersView } from "./views/customers.js";
import { settingsView } from "./views/settings.js";
import { salesView } from "./views/sales.js";
import { stockView } from "./views/stock.js";
import { activitiesView } from "./views/activities.js";
import { analysesView } from "./views/analyses.js";

const MODULES = [
  { id: "customers", view: customersView },
  { id: "sales", view: salesView },
  { id: "stock", view: stockView },
  { id: "activities", view: activitiesView },
  { id: "books" },
  { id: "receivables" },
  { id: "payroll" },
  { id: "analyses", view: analysesView },
  { id: "settings", view: settingsView },
];

const app = { startup: null, me: null, module: "customers", view: null };
const root = () => document.getElementById("app");

async function boot() {
  try {
    app.startup = await api.startup();
    setLanguage(app.startup.language);
    app.startup.needs_owner ? showSetup() : showLogin();
  } catch (error) {
    root().replaceChildren(h("div.fatal", { text: String(error?.message ?? error) }));
  }
}

function languageButton(after) {
  return h("button.link#lang-toggle", {
    text: t("lang.switch"),
    onclick: async () => {
      try {
        const chosen = await api.setLanguage(language() === "zh-CN" ? "en" : "zh-CN");
        setLanguage(chosen);
        after();
      } catch (error) { showError(error); }
    },
  });
}

function card(...children) {
  return h("div.center", {}, h("div.card.auth", {}, ...children));
}

function showSetup() {
  const field = (id, key, type = "text") =>
    h("label", {}, h("span", { text: t(key) }), h(`input#${id}`, { type, autocomplete: "off" }));
  const form = h("form#setup-form", {
    onsubmit: async (e) => {
      e.preventDefault();
      const value = (id) => form.querySelector(`#${id}`).value;
      if (value("owner-password") !== value("owner-password2")) return toast(t("setup.passwords_differ"), "error");
      try {
        enter(await api.createOwner(value("owner-username"), value("owner-name"), value("owner-password")));
      } catch (error) { showError(error); }
    },
  },
    field("owner-username", "setup.username"),
    field("owner-name", "setup.display_name"),
    field("owner-password", "setup.password", "password"),
    field("owner-password2", "setup.password2", "password"),
    h("button.primary#create-owner", { type: "submit", text: t("setup.create") }));
  root().replaceChildren(card(
    h("div.brand", {}, h("span.logo", { text: "算" }), h("h1", { text: t("setup.title") })),
    h("p.lead", { text: t("setup.lead") }),
    form,
    h("div.or", { text: t("setup.or") }),
    h("button#open-demo", {
      text: t("setup.demo"),
      onclick: async (e) => {
        e.target.disabled = true;
        e.target.textContent = t("setup.demo_creating");
        try {
          app.startup = await api.openDemo();
          showLogin();
        } catch (error) { showError(error); e.target.disabled = false; }
      },
    }),
    h("p.hint", { text: t("setup.demo_hint") }),
    h("div.corner", {}, languageButton(showSetup))));
  form.querySelector("input").focus();
}

function showLogin() {
  const form = h("form#login-form", {
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        enter(await api.login(form.querySelector("#login-username").value, form.querySelector("#login-password").value));
      } catch (error) { showError(error); }
    },
  },
    h("label", {}, h("span", { text: t("login.username") }), h("input#login-username", { autocomplete: "username" })),
    h("label", {}, h("span", { text: t("login.password") }),
      h("input#login-password", { type: "password", autocomplete: "current-password" })),
    h("button.primary#login-submit", { type: "submit", text: t("login.submit") }));
  root().replaceChildren(card(
    h("div.brand", {}, h("span.logo", { text: "算" }), h("div", {}, h("h1", { text: t("app.name") }),
      h("p.tagline", { text: t("app.tagline") }))),
    h("h2", { text: t("login.title") }),
    form,
    app.startup.is_demo ? h("p.hint#demo-hint", { text: t("login.demo_hint") }) : null,
    h("p.file", { text: t("login.file", { file: app.startup.company_file }) }),
    h("div.corner", {}, languageButton(showLogin))));
  form.querySelector("#login-username").focus();
}

function enter(me) {
  app.me = me;
  setLanguage(me.language);
  showShell();
}

function showShell() {
  document.getElementById("toast").classList.remove("show");
  const nav = h("nav.sidebar", {},
    h("div.brand.small", {}, h("span.logo", { text: "算" }), h("strong", { text: t("app.name") })),
    ...MODULES.map((m) => h(`button.nav${m.view ? "" : ".coming"}`, {
      dataset: { module: m.id },
      "aria-current": m.id === app.module ? "page" : null,
      onclick: () => { app.module = m.id; showShell(); },
    }, h("span", { text: t(`module.${m.id}`) }), m.view ? null : h("small.badge", { text: t("common.coming") }))),
    h("div.spacer"),
    h("div.me#me", { text: t("shell.user", { name: app.me.user.display_name, role: t(`role.${app.me.user.role}`) }) }),
    can(app.me, "backup") ? h("button.link#backup-now", {
      text: t("shell.backup"),
      onclick: async () => {
        const target = await api.chooseSavePath(`suanpan-${new Date().toISOString().slice(0, 10)}.sqlite`, ["sqlite"]);
        if (!target) return;
        try { await api.backupNow(target); toast(t("shell.backed_up", { file: target })); } catch (error) { showError(error); }
      },
    }) : null,
    can(app.me, "restore") ? h("button.link#restore-backup", {
      text: t("shell.restore"),
      onclick: async () => {
        const source = await api.chooseCompanyFile();
        if (!source) return;
        if (!(await confirmDialog(t("shell.restore_title"), t("shell.restore_text", { file: source }), t("shell.restore")))) return;
        try {
          const kept = await api.restoreBackup(source);
          app.me = null;
          app.view?.dispose?.();
          showLogin();
          toast(t("shell.restored", { kept }));
        } catch (error) { showError(error); }
      },
    }) : null,
    languageButton(showShell),
    h("button.link#logout", {
      text: t("shell.logout"),
      onclick: async () => { await api.logout(); app.me = null; app.view?.dispose?.(); showLogin(); },
    }));
  const main = h("main.content#content");
  root().replaceChildren(h("div.shell", {}, nav, main));
  app.view?.dispose?.();
  const module = MODULES.find((m) => m.id === app.module);
  app.view = module.view
    ? module.view(main, app.me)
    : (main.append(h("div.coming-soon", {}, h("h2", { text: t(`module.${module.id}`) }),
      h("p", { text: t("module.coming_text", { module: t(`module.${module.id}`) }) }))), null);
  translate(main);
}

boot();
