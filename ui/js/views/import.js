// The import panel: pick a file, see the encoding, columns and first rows, check every row, then import
// with a progress bar and a cancel button; the list of past imports, each of which can be undone.
import * as api from "../api.js";
import { t, fieldLabel, describeError, describeReason, describeCoded } from "../i18n.js";
import { h, toast, showError, confirmDialog } from "../ui.js";

const ENCODINGS = ["", "UTF-8", "GB18030", "UTF-16LE", "UTF-16BE"];
const SHOWN_ERRORS = 500;

/** Answers can come back out of order (a busy machine, the entity and then the file changed at once):
 * `ticket()` marks a request as the newest of its kind, and its `isNewest()` tells whether it still
 * is when the answer arrives, so an older answer never draws over a newer one. */
function newestOnly() {
  let newest = 0;
  return () => {
    const mine = ++newest;
    return { isNewest: () => mine === newest };
  };
}

export function openImport(initialEntity, { onImported }) {
  document.getElementById("import-panel")?.remove();
  const entitySelect = h("select#import-entity", {},
    ...["customers", "contacts", "products", "suppliers", "orders", "purchases", "activities", "opportunities", "expenses", "service"].map((e) => h("option", { value: e, text: t(`import.entity_${e}`), selected: e === initialEntity ? true : null })));
  const current = () => entitySelect.value;
  // File header → column key, for headers the built-in names do not know (chosen below each header).
  let mapping = {};
  // Column key → value in the file → the entry it means, for values the lists do not know (chosen in the
  // table a check shows); a value not in it is added to its list.
  let values = {};
  let columnKeys = [];
  const profileSelect = h("select#import-profile", {
    onchange: () => {
      const chosen = profiles.find((p) => String(p.id) === profileSelect.value);
      mapping = chosen ? { ...chosen.mapping } : {};
      values = chosen ? structuredClone(chosen.values ?? {}) : {};
      preview();
    },
  });
  let profiles = [];
  const profilesTicket = newestOnly();
  async function loadProfiles() {
    const ticket = profilesTicket();
    try {
      const listed = await api.importProfiles(current());
      if (!ticket.isNewest()) return;
      profiles = listed;
      profileSelect.replaceChildren(h("option", { value: "", text: t("import.no_profile") }),
        ...profiles.map((p) => h("option", { value: p.id, text: p.name })));
    } catch (error) { showError(error); }
  }
  const profileName = h("input#import-profile-name", { placeholder: t("import.profile_name") });
  const saveProfile = h("button#import-profile-save", {
    text: t("import.profile_save"),
    onclick: async () => {
      try {
        await api.saveImportProfile(current(), profileName.value, mapping, values);
        toast(t("common.saved"));
        loadProfiles();
      } catch (error) { showError(error); }
    },
  });
  const path = h("input#import-path", { placeholder: t("import.path_hint") });
  const encoding = h("select#import-encoding", {},
    ...ENCODINGS.map((e) => h("option", { value: e, text: e || t("import.detect") })));
  const movesStock = h("input#import-moves-stock", { type: "checkbox" });
  const movesStockLabel = h("label.inline#import-moves-stock-label", { title: t("import.moves_stock_hint") },
    movesStock, " ", t("import.moves_stock"));
  const mode = h("select#import-mode", {},
    h("option", { value: "insert", text: t("import.mode_insert") }),
    h("option", { value: "upsert", text: t("import.mode_upsert") }));
  const previewBox = h("div#import-preview");
  const resultBox = h("div#import-result");
  const progress = h("progress#import-progress", { max: 100, value: 0, hidden: true });
  const cancel = h("button#import-cancel", { text: t("common.cancel"), hidden: true, onclick: () => api.importCancel() });
  const checkButton = h("button#import-check", { text: t("import.check"), onclick: () => run(true) });
  const commitButton = h("button.primary#import-commit", { text: t("import.commit"), disabled: true, onclick: () => run(false) });
  const batchesBox = h("div#import-batches");

  // The choices the result shown (or the run under way) belongs to. The file field tells its change
  // when it loses focus, which WebKit may do only after the check it was typed for has begun or even
  // answered (a click need not move the focus; locking the field moves it later): that late change
  // must not wipe the check's result for the very same file.
  const chosen = () => JSON.stringify([current(), path.value.trim(), encoding.value, mapping, values]);
  let resultFor = null;
  const previewTicket = newestOnly();
  async function preview() {
    const ticket = previewTicket();
    if (chosen() !== resultFor) {
      // Whatever was checked no longer matches what is chosen: its result goes, and so does the commit.
      resultFor = null;
      resultBox.replaceChildren();
      commitButton.disabled = true;
    }
    const file = path.value.trim();
    if (!file) { previewBox.replaceChildren(); delete previewBox.dataset.path; return; }
    try {
      const p = await api.importPreview(current(), file, encoding.value || null, mapping);
      if (!ticket.isNewest()) return;
      previewBox.dataset.path = file;
      columnKeys = p.columns;
      previewBox.replaceChildren(...[
        h("p#import-detected", { text: t("import.detected", { encoding: p.encoding, delimiter: p.delimiter === "\t" ? "Tab" : p.delimiter }) }),
        p.header_problems.length
          ? h("p.field-error#import-header-problems", { text: p.header_problems.map((hp) => describeCoded("header", hp)).join("；") })
          : null,
        h("div.scroll-x", {}, h("table.plain.preview", {},
          h("tr", {}, ...p.headers.map((header) => h("th", { text: header }))),
          h("tr.mapped", {}, ...p.matched.map((key, index) => h("td", {}, h("select.map", {
            dataset: { header: p.headers[index] },
            onchange: (e) => {
              mapping[p.headers[index]] = e.target.value;
              preview();
            },
          }, h("option", { value: "", text: t("import.ignored") }),
          ...columnKeys.map((k) => h("option", { value: k, text: `→ ${fieldLabel(k)}`, selected: k === key ? true : null })))))),
          ...p.rows.map((row) => h("tr", {}, ...row.map((cell) => h("td", { text: cell })))))),
      ].filter(Boolean));
    } catch (error) {
      if (!ticket.isNewest()) return;
      previewBox.dataset.path = file;
      previewBox.replaceChildren(h("p.field-error", { text: describeError(error) }));
    }
  }

  // What a run reads, and the buttons it locks, are taken the moment it is clicked: waiting first (for
  // the progress listener) let a second click start a second run, or a file or entity chosen meanwhile
  // be imported in place of the one checked. The choices (a fieldset, so columns previewed later are
  // locked too) stay locked until the run answers, so its report belongs to the file the panel shows.
  const choices = h("fieldset.choices#import-choices");
  async function run(dryRun) {
    const entity = current();
    resultFor = chosen();
    const request = [entity, path.value.trim(), encoding.value || null, { ...mapping }, structuredClone(values), mode.value, dryRun,
      movesStock.checked && ["orders", "purchases"].includes(entity)];
    checkButton.disabled = true; commitButton.disabled = true;
    choices.disabled = true;
    progress.value = 0; progress.hidden = false; cancel.hidden = false;
    let stop = () => {};
    try {
      stop = await api.onImportProgress((p) => {
        progress.value = p.total_bytes ? Math.round((100 * p.bytes) / p.total_bytes) : 0;
      });
      const report = await api.importRun(...request);
      await showReport(report, dryRun);
      if (!dryRun && report.batch_id) { onImported(); loadBatches(); }
    } catch (error) {
      resultBox.replaceChildren(h("p.field-error#import-failed", { text: describeError(error) }));
    } finally {
      stop();
      choices.disabled = false;
      progress.hidden = true; cancel.hidden = true; checkButton.disabled = false;
    }
  }

  // The entries of each list a value can be mapped to, read from the engine once per panel.
  const entries = {};
  function entriesOf(list) {
    entries[list] ??= (list === "stage"
      ? api.stages().then((stages) => stages.filter((s) => s.active).map((s) => ({ value: s.name, text: s.name })))
      : list === "user"
        ? api.listUsers().then((users) => users.filter((u) => u.active).map((u) => ({
          value: u.username, text: u.display_name && u.display_name !== u.username ? `${u.display_name}（${u.username}）` : u.username })))
        : api.pickList(list).then((items) => items.filter((i) => i.active).map((i) => ({ value: i.name, text: i.name }))))
      .catch((error) => { delete entries[list]; throw error; });
    return entries[list];
  }

  /** Each value the lists did not know, with its count and a choice: add it (the default) or read it
   * as an existing entry; a changed choice checks the file again with it. */
  async function valuesTable(report) {
    const unknown = report.unknown_values ?? [];
    if (!unknown.length) return null;
    const lists = await Promise.all(unknown.map((u) => entriesOf(u.list).catch(() => [])));
    return h("section.sub#import-values", {},
      h("h3", { text: t("import.values_title") }),
      h("p.muted", { text: t("import.values_hint") }),
      h("table.plain", {},
        h("tr", {}, ...["import.column", "import.value", "import.value_count", "import.value_choice"].map((k) => h("th", { text: t(k) }))),
        ...unknown.map((u, index) => h("tr", { dataset: { column: u.column, value: u.value, outcome: u.outcome } },
          h("td", { text: fieldLabel(u.column) }),
          h("td", { text: u.value }),
          h("td.num", { text: u.count }),
          h("td", {}, h("select.import-value", {
            dataset: { column: u.column, value: u.value },
            onchange: (e) => {
              const byValue = values[u.column] ?? {};
              if (e.target.value) byValue[u.value] = e.target.value; else delete byValue[u.value];
              values[u.column] = byValue;
              if (!Object.keys(byValue).length) delete values[u.column];
              run(true);
            },
          },
          h("option", { value: "", text: t(u.outcome === "refused" ? "import.value_refused" : "import.value_add") }),
          ...lists[index].map((entry) => h("option", {
            value: entry.value, text: `→ ${entry.text}`, selected: u.mapped_to === entry.value ? true : null,
          }))))))));
  }

  async function showReport(report, dryRun) {
    const counts = { rows: report.rows, inserted: report.inserted, updated: report.updated, skipped: report.skipped };
    const unknownValues = await valuesTable(report);
    if (report.errors.length) {
      const shown = report.errors.slice(0, SHOWN_ERRORS);
      resultBox.replaceChildren(...[
        unknownValues,
        h("p.field-error#import-summary", { text: t("import.bad_rows", { bad: report.bad_rows.length, rows: report.rows }) }),
        h("button#import-save-errors", {
          text: t("import.save_errors"),
          onclick: async () => {
            const target = await api.chooseSavePath("errors.csv");
            if (target) api.importSaveErrors(target).then(() => toast(t("common.saved"))).catch(showError);
          },
        }),
        h("table.plain#import-errors", {},
          h("tr", {}, h("th", { text: t("import.line") }), h("th", { text: t("import.column") }), h("th", { text: t("import.reason") })),
          ...shown.map((e) => h("tr", {}, h("td", { text: e.line }), h("td", { text: e.column }),
            h("td", { text: describeReason(e.reason, e.params) })))),
        report.errors.length > SHOWN_ERRORS ? h("p.muted", { text: t("import.more_errors", { more: report.errors.length - SHOWN_ERRORS + report.more_errors }) }) : null,
      ].filter(Boolean));
      return;
    }
    commitButton.disabled = !dryRun;
    resultBox.replaceChildren(
      h("p.ok#import-summary", { text: t(dryRun ? "import.checked" : "import.done", counts) }),
      ...(dryRun && unknownValues ? [unknownValues] : []),
      ...(report.skipped_reasons ?? []).map((s) =>
        h("p.muted.import-skipped", { dataset: { reason: s.code }, text: t(`skipped.${s.code}`, { count: s.count }) })),
      ...report.notices.map((n) => h("p.muted.import-notice", { text: describeCoded("notice", n) })),
      ...report.ignored_columns.map((c) => h("p.muted", { text: t("import.ignored_column", { column: c }) })));
    if (!dryRun) toast(t("import.done", counts));
  }

  const batchesTicket = newestOnly();
  async function loadBatches() {
    const ticket = batchesTicket();
    try {
      const batches = await api.importBatches();
      if (!ticket.isNewest()) return;
      batchesBox.replaceChildren(h("table.plain", {},
        h("tr", {}, ...["import.when", "import.file", "import.user", "import.counts", ""].map((k) => h("th", { text: k ? t(k) : "" }))),
        ...batches.slice(0, 20).map((b) => h("tr", { dataset: { batch: b.id } },
          h("td", { text: b.started_at.slice(0, 16).replace("T", " ") }),
          h("td", { text: b.file_name }),
          h("td", { text: b.username ?? "" }),
          h("td", { text: t("import.batch_counts", b) }),
          h("td", {}, b.undone_at ? h("span.muted", { text: t("import.undone") }) : h("button.link.danger", {
            text: t("import.undo"),
            onclick: async () => {
              if (!(await confirmDialog(t("import.undo"), t("import.undo_confirm", { file: b.file_name })))) return;
              try { await api.importUndo(b.id); toast(t("import.undone")); onImported(); loadBatches(); } catch (error) { showError(error); }
            },
          }))))));
    } catch (error) { showError(error); }
  }

  path.addEventListener("change", preview);
  const showStockOption = () => { movesStockLabel.hidden = !["orders", "purchases"].includes(current()); };
  entitySelect.addEventListener("change", () => { mapping = {}; values = {}; showStockOption(); loadProfiles(); preview(); });
  showStockOption();
  encoding.addEventListener("change", preview);
  const panel = h("div.overlay.drawer#import-panel", {},
    h("section.panel", { role: "dialog" },
      h("header", {}, h("h2", { text: t("import.title") }),
        h("button.link#import-close", { text: t("common.close"), onclick: () => panel.remove() })),
      choices,
      h("div.actions", {}, checkButton, commitButton, progress, cancel),
      resultBox,
      h("section.sub", {}, h("h3", { text: t("import.history") }), batchesBox)));
  choices.append(
    h("div.inline", {}, path, h("button#import-choose", {
      text: t("import.choose"),
      onclick: async () => {
        const chosen = await api.chooseFile();
        if (chosen) { path.value = chosen; preview(); }
      },
    }), h("button#import-template", {
      text: t("import.template"),
      onclick: async () => {
        const target = await api.chooseSavePath(`${current()}-template.csv`);
        if (target) api.templateCsv(current(), target).then(() => toast(t("common.saved"))).catch(showError);
      },
    })),
    h("div.inline", {}, h("label", {}, t("import.entity"), " ", entitySelect),
      h("label", {}, t("import.encoding"), " ", encoding), h("label", {}, t("import.mode"), " ", mode), movesStockLabel),
    h("div.inline", {}, h("label", {}, t("import.profile"), " ", profileSelect), profileName, saveProfile),
    previewBox);
  document.body.append(panel);
  loadBatches();
  loadProfiles();
  path.focus();
}
