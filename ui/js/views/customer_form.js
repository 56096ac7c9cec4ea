// The customer form: fields, contacts, duplicate warnings, merge and history, in a side panel.
import * as api from "../api.js";
import { t, fieldLabel, describeError, describeReason } from "../i18n.js";
import { h, toast, showError, confirmDialog, grouped } from "../ui.js";
import { can, onlyOwnRecords } from "../session.js";
import { openOrderForm } from "./order_form.js";
import { openOpportunityForm } from "./pipeline.js";

const TEXT_FIELDS = ["phone", "email", "city", "address", "birthday", "hobbies", "created_on", "tags"];
const CONTACT_FIELDS = ["name", "title", "phone", "email", "birthday", "hobbies"];

let lists = null;
/** Sources, levels and users for the pickers, loaded once per session of the form. */
async function pickers() {
  const [sources, levels, users] = await Promise.all([api.pickList("source"), api.pickList("level"), api.listUsers()]);
  lists = { sources, levels, users };
  return lists;
}

export async function openCustomerForm(id, me, { onChanged }) {
  document.getElementById("customer-form")?.remove();
  let card = null;
  try {
    [card] = await Promise.all([id ? api.getCustomer(id) : null, pickers()]);
  } catch (error) { showError(error); return; }
  const canWrite = can(me, "write_customers");
  const canDelete = can(me, "delete_customers");
  const canMerge = can(me, "merge_customers");
  const ownOnly = onlyOwnRecords(me);
  const customer = card?.customer ?? {};

  const input = (field, attrs = {}) => h(`input#cf-${field}`, { value: customer[field] ?? "", disabled: !canWrite, ...attrs });
  const select = (field, options, selected) => h(`select#cf-${field}`, { disabled: !canWrite },
    ...options.map(([value, label]) => h("option", { value, text: label, selected: value === selected ? true : null })));
  const row = (field, control, hint) => h("label.field", { dataset: { field } },
    h("span", { text: fieldLabel(field) }), control, hint ? h("small.hint", { text: hint }) : null,
    h("small.field-error", { dataset: { for: field } }));

  const pickOptions = (items, current) => [["", t("common.none")],
    ...items.filter((i) => i.active || i.name === current).map((i) => [i.name, i.name])];
  const owners = [["", t("common.none")], ...lists.users.filter((u) => u.active && u.keeps_customers)
    .map((u) => [u.username, `${u.display_name} (${u.username})`])];

  const fields = h("div.form-grid", {},
    row("code", input("code", { placeholder: t("form.code_hint") })),
    row("name", input("name")),
    row("type", select("kind", ["consumer", "channel", "institution"].map((k) => [k, t(`kind.${k}`)]), customer.kind ?? "consumer")),
    row("source", select("source", pickOptions(lists.sources, customer.source), customer.source ?? "")),
    row("level", select("level", pickOptions(lists.levels, customer.level), customer.level ?? "")),
    row("owner", select("owner", owners, customer.owner ?? (ownOnly ? me.user.username : ""))),
    ...TEXT_FIELDS.map((f) => row(f, input(f, { placeholder: f === "birthday" || f === "created_on" ? "2024-03-15" : null }),
      f === "tags" ? t("form.tags_hint") : null)),
    h("label.field.wide", { dataset: { field: "notes" } }, h("span", { text: fieldLabel("notes") }),
      h("textarea#cf-notes", { disabled: !canWrite, rows: 3, text: customer.notes ?? "" }),
      h("small.field-error", { dataset: { for: "notes" } })));
  if (ownOnly) fields.querySelector("#cf-owner").disabled = true;

  const value = (f) => panel.querySelector(`#cf-${f}`).value;
  const gather = (allowDuplicate) => ({
    code: value("code"), name: value("name"), kind: value("kind"), source: value("source"), level: value("level"),
    owner: value("owner"), notes: value("notes"), ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, value(f)])),
    version: customer.version ?? null, allow_duplicate: allowDuplicate,
  });

  async function save(allowDuplicate = false) {
    panel.querySelectorAll(".field-error").forEach((el) => { el.textContent = ""; });
    try {
      const saved = id ? await api.updateCustomer(id, gather(allowDuplicate)) : await api.createCustomer(gather(allowDuplicate));
      toast(t("common.saved"));
      onChanged();
      openCustomerForm(saved.id, me, { onChanged });
    } catch (error) {
      if (error?.code === "possible_duplicate") {
        const list = h("ul.matches", {}, ...error.matches.map((m) =>
          h("li", { text: `${m.code} ${m.name}（${t(m.field === "name" ? "dup.same_name" : "dup.same_phone")}）` })));
        if (await confirmDialog(t("dup.title"), h("div", {}, h("p", { text: t("dup.text") }), list), t("dup.save_anyway"))) {
          save(true);
        }
        return;
      }
      (error?.fields ?? []).forEach((f) => {
        const target = panel.querySelector(`.field-error[data-for="${f.field}"]`);
        if (target) target.textContent = describeReason(f.reason, f.params);
      });
      showError(error);
    }
  }

  async function remove() {
    if (!(await confirmDialog(t("common.delete"), t("form.delete_confirm", { name: customer.name })))) return;
    try {
      await api.deleteCustomer(id);
      toast(t("common.deleted"));
      close();
      onChanged();
    } catch (error) { showError(error); }
  }

  const close = () => { panel.remove(); document.removeEventListener("keydown", keys, true); };
  const keys = (e) => {
    if (document.getElementById("confirm")) return;
    if (e.key === "Escape") { e.preventDefault(); close(); }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") { e.preventDefault(); if (canWrite) save(); }
  };
  document.addEventListener("keydown", keys, true);

  const panel = h("div.overlay.drawer#customer-form", {},
    h("section.panel", { role: "dialog" },
      h("header", {},
        h("h2", { text: id ? t("form.edit_title", { code: customer.code }) : t("form.new_title") }),
        h("button.link#cf-close", { text: t("common.close"), onclick: close })),
      canWrite ? null : h("p.notice", { text: t("form.no_rights") }),
      fields,
      h("div.actions", {},
        canWrite ? h("button.primary#cf-save", { text: `${t("common.save")} (Ctrl+S)`, onclick: () => save() }) : null,
        h("button#cf-cancel", { text: t("common.cancel"), onclick: close }),
        id && canDelete ? h("button.danger#cf-delete", { text: t("common.delete"), onclick: remove }) : null),
      contactsSection(id, card?.contacts ?? [], canWrite, () => openCustomerForm(id, me, { onChanged })),
      id ? ordersSection(customer, me) : null,
      id ? timelineSection(customer, canWrite, can(me, "write_sales")) : null,
      id && canMerge ? mergeSection(customer, () => { onChanged(); openCustomerForm(id, me, { onChanged }); }) : null,
      id ? historySection(id) : null));
  document.body.append(panel);
  panel.querySelector("#cf-name").focus();
}

const ACTIVITY_KINDS = ["call", "visit", "email", "meeting", "service", "other"];

/** Where each kind of event with a status finds its status names. */
const STATUS_KEYS = { order: "order", opportunity: "pipeline", service: "service" };

/** An event's status, or an activity's minutes. */
function timelineStatus(e) {
  if (e.status && STATUS_KEYS[e.kind]) return t(`${STATUS_KEYS[e.kind]}.status_${e.status}`);
  return e.minutes ? t("timeline.minutes", { minutes: e.minutes }) : "";
}

/** A service request's type by name; an opportunity's stage or an expense's category as they come. */
const timelineDetail = (e) => (e.kind === "service" && e.detail ? t(`service.type_${e.detail}`) : e.detail ?? "");

/** The customer's timeline (orders, opportunities, activities, service requests and expenses, newest
 * first) and a line to record an activity. */
function timelineSection(customer, canWrite, canSell) {
  const rows = h("tbody#cf-timeline");
  const load = async () => {
    try {
      const page = await api.customerTimeline(customer.id);
      rows.replaceChildren(...page.rows.map((e) => h("tr", { dataset: { kind: e.kind } },
        h("td", { text: e.date }), h("td", { text: t(`timeline.kind_${e.kind}`) }),
        h("td", { text: e.title }), h("td", { text: timelineDetail(e) }),
        h("td", { text: timelineStatus(e) }),
        h("td.num", { text: grouped(e.amount) }), h("td", { text: e.who ?? "" }),
        h("td", { text: e.next_follow_up ? t("timeline.follow_up", { date: e.next_follow_up }) : "" }))));
    } catch (error) { showError(error); }
  };
  const kind = h("select#act-kind", {}, ...ACTIVITY_KINDS.map((k) => h("option", { value: k, text: t(`timeline.kind_${k}`) })));
  const minutes = h("input#act-minutes.num", { placeholder: t("timeline.minutes_hint"), size: 6 });
  const subject = h("input#act-subject", { placeholder: t("timeline.subject_hint") });
  const next = h("input#act-next", { type: "date", title: t("timeline.next_hint") });
  const record = async () => {
    try {
      await api.createActivity({ customer_id: customer.id, kind: kind.value, minutes: minutes.value, subject: subject.value, next_follow_up: next.value });
      subject.value = ""; minutes.value = ""; next.value = "";
      toast(t("timeline.recorded"));
      load();
    } catch (error) { showError(error); }
  };
  load();
  return h("section.sub#customer-timeline", {},
    h("h3", { text: t("timeline.title") }),
    canWrite || canSell ? h("div.inline.activity-form", {},
      ...(canWrite ? [kind, minutes, subject, next, h("button#act-save", { text: t("timeline.record"), onclick: record })] : []),
      canSell ? h("button#cf-new-opportunity", { text: t("form.new_opportunity"), onclick: () => openOpportunityForm(load, { customerCode: customer.code }) }) : null) : null,
    h("table.list", {}, rows));
}

/** The customer's orders, newest first, and a button for a new one. */
function ordersSection(customer, me) {
  const rows = h("tbody#cf-orders");
  const load = async () => {
    try {
      const page = await api.listOrders({ customer_id: customer.id, limit: 20 });
      rows.replaceChildren(...page.rows.map((o) => h("tr.clickable", {
        onclick: () => openOrderForm({ orderId: o.id }, me, { onChanged: load }),
      }, h("td", { text: o.order_no }), h("td", { text: o.order_date }),
        h("td", { text: t(`order.status_${o.status}`) }), h("td.num", { text: grouped(o.total) }))));
    } catch (error) { showError(error); }
  };
  load();
  return h("section.sub#customer-orders", {},
    h("h3", { text: t("form.orders") }),
    can(me, "write_sales") ? h("button#cf-new-order", {
      text: t("form.new_order"),
      onclick: () => openOrderForm({ customer: { id: customer.id, code: customer.code, name: customer.name } }, me, { onChanged: load }),
    }) : null,
    h("table.list", {}, rows));
}

function contactsSection(customerId, contacts, canWrite, refresh) {
  const section = h("section.sub#contacts", {}, h("h3", { text: t("form.contacts") }));
  if (!customerId) return section.append(h("p.muted", { text: t("form.contacts_after_save") })), section;
  let editing = null;
  const inputs = Object.fromEntries(CONTACT_FIELDS.map((f) => [f, h(`input#ct-${f}`, { placeholder: fieldLabel(f), disabled: !canWrite })]));
  const table = h("table.contacts", {},
    h("tr", {}, ...CONTACT_FIELDS.map((f) => h("th", { text: fieldLabel(f) })), h("th")),
    ...contacts.map((c) => h("tr", { dataset: { contact: c.id } },
      ...CONTACT_FIELDS.map((f) => h("td", { text: c[f] ?? "" })),
      h("td", {}, canWrite ? h("button.link", {
        text: t("common.edit"),
        onclick: () => { editing = c.id; CONTACT_FIELDS.forEach((f) => { inputs[f].value = c[f] ?? ""; }); },
      }) : null, canWrite ? h("button.link.danger", {
        text: t("common.delete"),
        onclick: async () => {
          try { await api.deleteContact(c.id); refresh(); } catch (error) { showError(error); }
        },
      }) : null))));
  section.append(table);
  if (canWrite) {
    section.append(h("div.contact-form", {}, ...Object.values(inputs), h("button#ct-save", {
      text: t("form.contact_new"),
      onclick: async () => {
        const input = Object.fromEntries(CONTACT_FIELDS.map((f) => [f, inputs[f].value]));
        try {
          if (editing) await api.updateContact(editing, input); else await api.addContact(customerId, input);
          refresh();
        } catch (error) { showError(error); }
      },
    })));
  }
  return section;
}

function mergeSection(customer, merged) {
  const code = h("input#merge-code", { placeholder: t("form.merge_code") });
  const similar = h("div.similar");
  const mergeIn = async (mergedId, mergedCode) => {
    if (!(await confirmDialog(t("form.merge"), t("form.merge_confirm", { code: mergedCode })))) return;
    try {
      await api.mergeCustomers(customer.id, mergedId);
      toast(t("form.merged"));
      merged();
    } catch (error) { showError(error); }
  };
  api.findDuplicates(customer.name, customer.phone, customer.id).then((matches) => {
    if (!matches.length) return;
    similar.append(h("span.muted", { text: t("form.similar") }), ...matches.map((m) =>
      h("button.chip", { text: `${m.code} ${m.name}`, onclick: () => mergeIn(m.id, m.code) })));
  }).catch(() => {});
  return h("section.sub#merge", {},
    h("h3", { text: t("form.merge") }),
    h("p.muted", { text: t("form.merge_hint") }),
    similar,
    h("div.inline", {}, code, h("button#merge-do", {
      text: t("form.merge_do"),
      onclick: async () => {
        try {
          const page = await api.listCustomers({ search: code.value.trim(), limit: 5 });
          const found = page.rows.find((r) => r.code === code.value.trim());
          if (!found) throw { code: "not_found", params: { entity: "customer", key: code.value }, message: "" };
          mergeIn(found.id, found.code);
        } catch (error) { toast(describeError(error), "error"); }
      },
    })));
}

function historySection(id) {
  const list = h("ol.history");
  const details = h("details.sub#history", {
    ontoggle: async () => {
      if (!details.open || list.childElementCount) return;
      try {
        const entries = await api.customerHistory(id);
        if (!entries.length) list.append(h("li", { text: t("form.history_empty") }));
        entries.forEach((e) => list.append(h("li", {},
          h("strong", { text: `${e.at.slice(0, 19).replace("T", " ")} ${e.username ?? ""} ${t(`history.${e.action}`)}` }),
          h("code", { text: e.changes }))));
      } catch (error) { showError(error); }
    },
  }, h("summary", { text: t("form.history") }), list);
  return details;
}
