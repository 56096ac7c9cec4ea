//! Import, export, templates and backups from the window: thin calls into the engine's io and backup.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use serde::Deserialize;
use suanpan::Error;
use suanpan::io::csv_source::SourceOptions;
use suanpan::io::decode::Encoding;
use suanpan::io::export;
use suanpan::io::import::{self, Batch, Entity, ImportOptions, ImportReport, Mode, Preview};
use suanpan::io::profiles::{self, Profile};
use suanpan::io::values::ValueMap;
use tauri::{AppHandle, Emitter, State};

use crate::state::{AppState, Reply, fail};

fn options(
    encoding: Option<String>,
    mapping: HashMap<String, String>,
    mode: Mode,
    dry_run: bool,
) -> Reply<ImportOptions> {
    let encoding = match encoding.as_deref().filter(|e| !e.is_empty()) {
        None => None,
        Some(name) => Some(Encoding::parse(name).ok_or_else(|| {
            fail(Error::invalid(
                "encoding",
                suanpan::error::Reason::NotAllowed {
                    value: name.to_string(),
                    allowed: "UTF-8, GB18030, UTF-16LE, UTF-16BE".into(),
                },
            ))
        })?),
    };
    Ok(ImportOptions {
        source: SourceOptions { encoding, delimiter: None },
        mapping,
        mode,
        dry_run,
        ..Default::default()
    })
}

#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    entity: Entity,
    path: PathBuf,
    encoding: Option<String>,
    mapping: HashMap<String, String>,
) -> Reply<Preview> {
    state.session().await?;
    import::preview(entity, &path, &options(encoding, mapping, Mode::Insert, true)?, 8).map_err(fail)
}

/// What the import panel asks to check or import.
#[derive(Deserialize)]
pub struct ImportRequest {
    entity: Entity,
    path: PathBuf,
    encoding: Option<String>,
    #[serde(default)]
    mapping: HashMap<String, String>,
    /// What the person chose for values the lists do not know.
    #[serde(default)]
    values: ValueMap,
    mode: Mode,
    dry_run: bool,
    /// Orders and purchases: book their stock (imported history moves none by default).
    #[serde(default)]
    moves_stock: bool,
}

/// Checks (dry run) or imports a file, sending `import-progress` events as it goes.
#[tauri::command]
pub async fn import_run<R: tauri::Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: ImportRequest,
) -> Reply<ImportReport> {
    let (db, actor) = state.session().await?;
    let ImportRequest { entity, path, encoding, mapping, values, mode, dry_run, moves_stock } = request;
    let mut options = options(encoding, mapping, mode, dry_run)?;
    options.moves_stock = moves_stock;
    options.values = values;
    state.import_cancel.store(false, Ordering::Relaxed);
    options.cancel = Some(state.import_cancel.clone());
    options.progress = Some(Box::new(move |progress| {
        let _ = app.emit("import-progress", progress);
    }));
    let report = import::import_file(&db, &actor, entity, &path, options).await.map_err(fail)?;
    state.remember_import(report.clone()).await;
    Ok(report)
}

#[tauri::command]
pub async fn profiles_list(state: State<'_, AppState>, entity: Entity) -> Reply<Vec<Profile>> {
    let (db, _) = state.session().await?;
    profiles::list(&db, entity).await.map_err(fail)
}

#[tauri::command]
pub async fn profile_save(
    state: State<'_, AppState>,
    entity: Entity,
    name: String,
    mapping: HashMap<String, String>,
    values: Option<ValueMap>,
) -> Reply<Profile> {
    let (db, actor) = state.session().await?;
    profiles::save(&db, &actor, entity, &name, &mapping, &values.unwrap_or_default()).await.map_err(fail)
}

#[tauri::command]
pub async fn import_cancel(state: State<'_, AppState>) -> Reply<()> {
    state.import_cancel.store(true, Ordering::Relaxed);
    Ok(())
}

#[tauri::command]
pub async fn import_save_errors(state: State<'_, AppState>, path: PathBuf) -> Reply<()> {
    state.save_import_errors(&path).await
}

#[tauri::command]
pub async fn import_batches(state: State<'_, AppState>) -> Reply<Vec<Batch>> {
    let (db, actor) = state.session().await?;
    import::batches(&db, &actor).await.map_err(fail)
}

#[tauri::command]
pub async fn import_undo(state: State<'_, AppState>, id: i64) -> Reply<Batch> {
    let (db, actor) = state.session().await?;
    import::undo(&db, &actor, id).await.map_err(fail)
}

/// Exports to the path the save dialog gave: XLSX when it ends in .xlsx, CSV otherwise.
#[tauri::command]
pub async fn export_list(state: State<'_, AppState>, entity: Entity, path: PathBuf) -> Reply<u64> {
    let (db, actor) = state.session().await?;
    let is_xlsx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let format = if is_xlsx { export::Format::Xlsx } else { export::Format::Csv };
    export::export(&db, &actor, entity, format, &path).await.map_err(fail)
}

#[tauri::command]
pub async fn template_csv(state: State<'_, AppState>, entity: Entity, path: PathBuf) -> Reply<()> {
    state.session().await?;
    export::template_csv(entity, &path).map_err(fail)
}

#[tauri::command]
pub async fn backup_now(state: State<'_, AppState>, path: PathBuf) -> Reply<()> {
    let (db, actor) = state.session().await?;
    suanpan::backup::backup(&db, &actor, &path).await.map_err(fail)
}

/// Replaces the company file with a backup; returns where the replaced file was kept. Logs out.
#[tauri::command]
pub async fn restore_backup(state: State<'_, AppState>, path: PathBuf) -> Reply<PathBuf> {
    state.restore_from(path).await
}
