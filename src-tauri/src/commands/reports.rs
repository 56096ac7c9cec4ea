//! The analyses (分析报表): the catalog and one report run, one-line calls into the engine.

use suanpan::reports::{self, Report, ReportQuery, Table};
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
