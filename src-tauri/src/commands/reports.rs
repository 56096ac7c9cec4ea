//! The analyses (分析报表): the catalog and one report run, one-line calls into the engine.

use std::path::PathBuf;

use suanpan::reports::{self, Report, ReportQuery, Table, write::Lang};
use tauri::State;

use crate::state::{AppState, Reply, fail};

#[tauri::command]
pub async fn reports_catalog() -> Reply<Vec<Report>> {
    Ok(reports::CATALOG.to_vec())
}

#[tauri::command]
pub async fn report_run(state: State<'_, AppState>, slug: String, query: ReportQuery) -> Reply<Table> {
    let (db, actor) = state.session().await?;
    reports::run(&db, &actor, &slug, &query).await.map_err(fail)
}

/// Writes the report to the file the save dialog chose (XLSX or CSV by its name), headed in `english` or Chinese.
#[tauri::command]
pub async fn report_export(
    state: State<'_, AppState>,
    slug: String,
    query: ReportQuery,
    path: PathBuf,
    english: bool,
) -> Reply<usize> {
    let (db, actor) = state.session().await?;
    let lang = if english { Lang::En } else { Lang::Zh };
    reports::export(&db, &actor, &slug, &query, lang, &path).await.map_err(fail)
}
