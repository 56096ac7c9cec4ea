//! The pipeline (opportunities, board, forecast, quotes, leads), activities, expenses and service
//! requests: one-line calls into the engine.

use chrono::NaiveDate;
use suanpan::crm::activities::{self, ActivityQuery, ActivityRow};
use suanpan::crm::service::{self, ServiceBy, ServiceGroup, ServiceInput, ServiceQuery, ServiceRequest};
use suanpan::db::Page;
use suanpan::sales::expenses::{self, Expense, ExpenseBy, ExpenseGroup, ExpenseInput, ExpensePage, ExpenseQuery};
use suanpan::sales::leads::{self, Conversion, Converted, Lead, LeadInput};
use suanpan::sales::orders::Order;
use suanpan::sales::pipeline::{
    self, BoardColumn, Forecast, Opportunity, OpportunityInput, OpportunityQuery, Outcome, Stage,
};
use suanpan::sales::quotes::{self, Quote, QuoteInput};
use tauri::State;

use crate::state::{AppState, Reply, fail};

#[tauri::command]
pub async fn stages_list(state: State<'_, AppState>) -> Reply<Vec<Stage>> {
    let (db, _) = state.session().await?;
    pipeline::stages(&db).await.map_err(fail)
}

#[tauri::command]
pub async fn opportunities_board(
    state: State<'_, AppState>,
    closed_since: Option<NaiveDate>,
) -> Reply<Vec<BoardColumn>> {
    let (db, actor) = state.session().await?;
    pipeline::board(&db, &actor, closed_since).await.map_err(fail)
}

#[tauri::command]
pub async fn opportunities_list(state: State<'_, AppState>, query: OpportunityQuery) -> Reply<Page<Opportunity>> {
    let (db, actor) = state.session().await?;
    pipeline::list(&db, &actor, &query).await.map_err(fail)
}

#[tauri::command]
pub async fn opportunity_get(state: State<'_, AppState>, id: i64) -> Reply<Opportunity> {
    let (db, actor) = state.session().await?;
    pipeline::get(&db, &actor, id).await.map_err(fail)
}

#[tauri::command]
pub async fn opportunity_create(state: State<'_, AppState>, input: OpportunityInput) -> Reply<Opportunity> {
    let (db, actor) = state.session().await?;
    pipeline::create(&db, &actor, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn opportunity_update(state: State<'_, AppState>, id: i64, input: OpportunityInput) -> Reply<Opportunity> {
    let (db, actor) = state.session().await?;
    pipeline::update(&db, &actor, id, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn opportunity_move(state: State<'_, AppState>, id: i64, stage_id: i64) -> Reply<Opportunity> {
    let (db, actor) = state.session().await?;
    pipeline::move_to_stage(&db, &actor, id, stage_id).await.map_err(fail)
}

#[tauri::command]
pub async fn opportunity_close(
    state: State<'_, AppState>,
    id: i64,
    outcome: Outcome,
    on: Option<NaiveDate>,
) -> Reply<Opportunity> {
    let (db, actor) = state.session().await?;
    pipeline::close(&db, &actor, id, outcome, on).await.map_err(fail)
}

#[tauri::command]
pub async fn forecast(state: State<'_, AppState>, from: Option<NaiveDate>, months: u32) -> Reply<Forecast> {
    let (db, actor) = state.session().await?;
    pipeline::forecast(&db, &actor, from, months).await.map_err(fail)
}

#[tauri::command]
pub async fn quotes_list(
    state: State<'_, AppState>,
    customer_id: Option<i64>,
    opportunity_id: Option<i64>,
) -> Reply<Vec<Quote>> {
    let (db, actor) = state.session().await?;
    quotes::list(&db, &actor, customer_id, opportunity_id).await.map_err(fail)
}

#[tauri::command]
pub async fn quote_get(state: State<'_, AppState>, id: i64) -> Reply<Quote> {
    let (db, actor) = state.session().await?;
    quotes::get(&db, &actor, id).await.map_err(fail)
}

#[tauri::command]
pub async fn quote_create(state: State<'_, AppState>, input: QuoteInput) -> Reply<Quote> {
    let (db, actor) = state.session().await?;
    quotes::create(&db, &actor, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn quote_accept(state: State<'_, AppState>, id: i64) -> Reply<Order> {
    let (db, actor) = state.session().await?;
    quotes::accept(&db, &actor, id, None).await.map_err(fail)
}

#[tauri::command]
pub async fn quote_reject(state: State<'_, AppState>, id: i64) -> Reply<Quote> {
    let (db, actor) = state.session().await?;
    quotes::reject(&db, &actor, id).await.map_err(fail)
}

#[tauri::command]
pub async fn leads_list(state: State<'_, AppState>, status: Option<String>, text: String) -> Reply<Vec<Lead>> {
    let (db, actor) = state.session().await?;
    leads::list(&db, &actor, status.as_deref(), &text).await.map_err(fail)
}

#[tauri::command]
pub async fn lead_create(state: State<'_, AppState>, input: LeadInput) -> Reply<Lead> {
    let (db, actor) = state.session().await?;
    leads::create(&db, &actor, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn lead_update(state: State<'_, AppState>, id: i64, input: LeadInput) -> Reply<Lead> {
    let (db, actor) = state.session().await?;
    leads::update(&db, &actor, id, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn lead_mark(state: State<'_, AppState>, id: i64, status: String) -> Reply<Lead> {
    let (db, actor) = state.session().await?;
    leads::set_status(&db, &actor, id, &status).await.map_err(fail)
}

#[tauri::command]
pub async fn lead_convert(state: State<'_, AppState>, id: i64, conversion: Conversion) -> Reply<Converted> {
    let (db, actor) = state.session().await?;
    leads::convert(&db, &actor, id, &conversion).await.map_err(fail)
}

#[tauri::command]
pub async fn activities_list(state: State<'_, AppState>, query: ActivityQuery) -> Reply<Page<ActivityRow>> {
    let (db, actor) = state.session().await?;
    activities::list(&db, &actor, &query).await.map_err(fail)
}

#[tauri::command]
pub async fn expenses_list(state: State<'_, AppState>, query: ExpenseQuery) -> Reply<ExpensePage> {
    let (db, actor) = state.session().await?;
    expenses::list(&db, &actor, &query).await.map_err(fail)
}

#[tauri::command]
pub async fn expense_breakdown(
    state: State<'_, AppState>,
    query: ExpenseQuery,
    by: ExpenseBy,
) -> Reply<Vec<ExpenseGroup>> {
    let (db, actor) = state.session().await?;
    expenses::breakdown(&db, &actor, &query, by).await.map_err(fail)
}

#[tauri::command]
pub async fn expense_create(state: State<'_, AppState>, input: ExpenseInput) -> Reply<Expense> {
    let (db, actor) = state.session().await?;
    expenses::create(&db, &actor, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn expense_delete(state: State<'_, AppState>, id: i64) -> Reply<()> {
    let (db, actor) = state.session().await?;
    expenses::delete(&db, &actor, id).await.map_err(fail)
}

#[tauri::command]
pub async fn service_list(state: State<'_, AppState>, query: ServiceQuery) -> Reply<Page<ServiceRequest>> {
    let (db, actor) = state.session().await?;
    service::list(&db, &actor, &query).await.map_err(fail)
}

#[tauri::command]
pub async fn service_summary(state: State<'_, AppState>, query: ServiceQuery) -> Reply<Vec<ServiceGroup>> {
    let (db, actor) = state.session().await?;
    service::summary(&db, &actor, &query, ServiceBy::Type).await.map_err(fail)
}

#[tauri::command]
pub async fn service_create(state: State<'_, AppState>, input: ServiceInput) -> Reply<ServiceRequest> {
    let (db, actor) = state.session().await?;
    service::create(&db, &actor, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn service_update(state: State<'_, AppState>, id: i64, input: ServiceInput) -> Reply<ServiceRequest> {
    let (db, actor) = state.session().await?;
    service::update(&db, &actor, id, &input).await.map_err(fail)
}
