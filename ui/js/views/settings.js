// Users, branches, payment terms and the customer pick lists: the owner's administration screen.
import * as api from "../api.js";
import { t, fieldLabel } from "../i18n.js";
import { h, toast, showError, confirmDialog } from "../ui.js";
import { can } from "../session.js";

export function settingsView(main, me) {
  const manageUsers = can(me, "manage_users");
  const editLists = can(me, "edit_pick_lists");
  const editSettings = can(me, "edit_settings");
  const refresh = () => settingsView(main, me);
  main.replaceChildren(h("h2", { text: t("module.settings") }), h("p.muted", { text: t("common.loading") }));
  Promise.all([api.listUsers(), api.listBranches(), api.pickList("source"), api.pickList("level"),
    api.pickList("expense_category"), api.pickList("lost_reason"), api.paymentTerms()])
    .then(([users, branches, sources, levels, expenseCategories, lostReasons, terms]) => {
      main.replaceChildren(...[
        h("h2", { text: t("module.settings") }),
        manageUsers || editLists ? null : h("p.notice", { text: t("settings.owner_only") }),
        h("div.settings-grid", {},
          usersCard(users, branches, manageUsers, refresh),
          branchesCard(branches, manageUsers, refresh),
          termsCard(terms, editSettings, refresh),
          pickCard("source", "settings.sources", sources, editLists, refresh),
          pickCard("level", "settings.levels", levels, editLists, refresh),
          pickCard("expense_category", "picklist.expense_category", expenseCategories, editLists, refresh),
          pickCard("lost_reason", "picklist.lost_reason", lostReasons, editLists, refresh)),
      ].filter(Boolean));
    })
    .catch(showError);
  return null;
}

function table(columns, rows) {
  return h("table.plain", {},
    h("tr", {}, ...columns.map((c) => h("th", { text: fieldLabel(c) }))),
    ...rows.map((cells) => h("tr", {}, ...cells.map((c) => h("td", {}, c)))));
}

function usersCard(users, branches, canEdit, refresh) {
  const form = h("form.inline-form#user-form", {
    onsubmit: async (e) => {
      e.preventDefault();
      const value = (name) => form.elements[name].value;
      try {
        await api.createUser({
          username: value("username"), display_name: value("display_name"), role: value("role"),
          branch_code: value("branch") || null, password: value("password") || null,
        });
        toast(t("common.saved"));
        refresh();
      } catch (error) { showError(error); }
    },
  },
    h("input", { name: "username", placeholder: fieldLabel("username") }),
    h("input", { name: "display_name", placeholder: fieldLabel("display_name") }),
    h("select", { name: "role" }, ...["salesperson", "clerk", "branch_manager", "accountant", "owner"]
      .map((r) => h("option", { value: r, text: t(`role.${r}`) }))),
    h("select", { name: "branch" }, h("option", { value: "", text: t("common.none") }),
      ...branches.map((b) => h("option", { value: b.code, text: b.name }))),
    h("input", { name: "password", type: "password", placeholder: fieldLabel("password") }),
    h("button.primary", { type: "submit", text: t("settings.add_user") }));
  return h("section.card#users-card", {},
    h("h3", { text: t("settings.users") }),
    table(["username", "display_name", "role", "branch", "login", "active", ""], users.map((u) => [
      u.username, u.display_name, t(`role.${u.role}`), u.branch_name ?? "", u.can_login ? t("common.yes") : t("common.no"),
      canEdit ? h("input", {
        type: "checkbox", checked: u.active ? true : null, dataset: { user: u.username },
        onchange: (e) => api.updateUser(u.id, { active: e.target.checked }).then(() => { toast(t("common.saved")); refresh(); })
          .catch((error) => { showError(error); refresh(); }),
      }) : (u.active ? t("common.yes") : t("common.no")),
      canEdit ? h("button.link", {
        text: t("settings.reset_password"),
        onclick: async () => {
          const input = h("input", { type: "password", placeholder: fieldLabel("password") });
          if (!(await confirmDialog(t("settings.reset_password_for", { name: u.display_name }), input))) return;
          api.setUserPassword(u.id, input.value).then(() => toast(t("common.saved"))).catch(showError);
        },
      }) : "",
    ])),
    canEdit ? form : null);
}

function branchesCard(branches, canEdit, refresh) {
  const form = h("form.inline-form#branch-form", {
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        await api.createBranch({ code: form.elements.code.value, name: form.elements.name.value, kind: form.elements.kind.value });
        toast(t("common.saved"));
        refresh();
      } catch (error) { showError(error); }
    },
  },
    h("input", { name: "code", placeholder: fieldLabel("code") }),
    h("input", { name: "name", placeholder: fieldLabel("name") }),
    h("select", { name: "kind" }, h("option", { value: "branch", text: t("settings.kind_branch") }),
      h("option", { value: "department", text: t("settings.kind_department") })),
    h("button.primary", { type: "submit", text: t("settings.add_branch") }));
  return h("section.card#branches-card", {},
    h("h3", { text: t("settings.branches") }),
    table(["code", "name", "type"], branches.map((b) => [b.code, b.name, t(`settings.kind_${b.kind}`)])),
    canEdit ? form : null);
}

/** Days after an order (customers) or a purchase (suppliers) that payment falls due by default. */
function termsCard(terms, canEdit, refresh) {
  const days = (name) => h("input", {
    name, type: "number", min: "0", step: "1", required: true, value: String(terms[name]), disabled: canEdit ? null : true,
  });
  const form = h("form.inline-form#terms-form", {
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        await api.setPaymentTerms({
          customer_days: Number.parseInt(form.elements.customer_days.value, 10),
          supplier_days: Number.parseInt(form.elements.supplier_days.value, 10),
        });
        toast(t("common.saved"));
        refresh();
      } catch (error) { showError(error); }
    },
  },
    h("label", {}, t("settings.terms_customer"), days("customer_days")),
    h("label", {}, t("settings.terms_supplier"), days("supplier_days")),
    canEdit ? h("button.primary#terms-save", { type: "submit", text: t("common.save") }) : null);
  return h("section.card#terms-card", {},
    h("h3", { text: t("settings.terms") }),
    h("p.muted", { text: t("settings.terms_hint") }),
    form);
}

function pickCard(list, titleKey, items, canEdit, refresh) {
  const act = (promise) => promise.then(() => { toast(t("common.saved")); refresh(); }).catch(showError);
  const rows = items.map((item) => [
    item.name,
    item.name_en,
    String(item.used),
    canEdit ? h("input", {
      type: "checkbox", checked: item.active ? true : null,
      onchange: (e) => act(api.updatePickItem(list, item.id, item.name, item.name_en, e.target.checked)),
    }) : (item.active ? t("common.yes") : t("common.no")),
    canEdit ? h("button.link.danger", { text: t("common.delete"), onclick: () => act(api.deletePickItem(list, item.id)) }) : "",
  ]);
  const form = h("form.inline-form", {
    onsubmit: (e) => {
      e.preventDefault();
      act(api.addPickItem(list, form.elements.name.value, form.elements.name_en.value));
    },
  },
    h("input", { name: "name", placeholder: fieldLabel("name") }),
    h("input", { name: "name_en", placeholder: fieldLabel("name_en") }),
    h("button.primary", { type: "submit", text: t("settings.add_item") }));
  return h(`section.card#${list}-card`, {},
    h("h3", { text: t(titleKey) }),
    table(["name", "name_en", "used", "active", ""], rows),
    canEdit ? form : null);
}
