//! Customers, contacts and their pick lists: one-line calls into the engine.

use serde::Serialize;
use suanpan::audit::AuditEntry;
use suanpan::crm::contacts::{self, Contact, ContactInput};
use suanpan::crm::customers::{self, Customer, CustomerInput, CustomerQuery, CustomerRow, Page};
use suanpan::crm::merge;
use suanpan::crm::picklists::{self, PickItem, PickList};
use suanpan::error::DuplicateMatch;
use tauri::State;

use crate::state::{AppState, Reply, fail};

#[derive(Serialize)]
pub struct CustomerCard {
    pub customer: Customer,
    pub contacts: Vec<Contact>,
}

#[tauri::command]
pub async fn customers_list(state: State<'_, AppState>, query: CustomerQuery) -> Reply<Page<CustomerRow>> {
    let (db, actor) = state.session().await?;
    customers::list(&db, &actor, &query).await.map_err(fail)
}

#[tauri::command]
pub async fn customer_get(state: State<'_, AppState>, id: i64) -> Reply<CustomerCard> {
    let (db, actor) = state.session().await?;
    let customer = customers::get(&db, &actor, id).await.map_err(fail)?;
    let contacts = contacts::list(&db, &actor, id).await.map_err(fail)?;
    Ok(CustomerCard { customer, contacts })
}

#[tauri::command]
pub async fn customer_create(state: State<'_, AppState>, input: CustomerInput) -> Reply<Customer> {
    let (db, actor) = state.session().await?;
    customers::create(&db, &actor, &input).await.map(|saved| saved.customer).map_err(fail)
}

#[tauri::command]
pub async fn customer_update(state: State<'_, AppState>, id: i64, input: CustomerInput) -> Reply<Customer> {
    let (db, actor) = state.session().await?;
    customers::update(&db, &actor, id, &input).await.map(|saved| saved.customer).map_err(fail)
}

#[tauri::command]
pub async fn customer_delete(state: State<'_, AppState>, id: i64) -> Reply<()> {
    let (db, actor) = state.session().await?;
    customers::delete(&db, &actor, id).await.map_err(fail)
}

#[tauri::command]
pub async fn customer_merge(state: State<'_, AppState>, survivor_id: i64, merged_id: i64) -> Reply<Customer> {
    let (db, actor) = state.session().await?;
    merge::merge(&db, &actor, survivor_id, merged_id).await.map_err(fail)
}

#[tauri::command]
pub async fn customer_duplicates(
    state: State<'_, AppState>,
    name: String,
    phone: String,
    except: Option<i64>,
) -> Reply<Vec<DuplicateMatch>> {
    let (db, actor) = state.session().await?;
    customers::find_duplicates(&db, &actor, &name, &phone, except).await.map_err(fail)
}

#[tauri::command]
pub async fn customer_history(state: State<'_, AppState>, id: i64) -> Reply<Vec<AuditEntry>> {
    let (db, actor) = state.session().await?;
    customers::history(&db, &actor, id).await.map_err(fail)
}

#[tauri::command]
pub async fn contact_add(state: State<'_, AppState>, customer_id: i64, input: ContactInput) -> Reply<Contact> {
    let (db, actor) = state.session().await?;
    contacts::add(&db, &actor, customer_id, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn contact_update(state: State<'_, AppState>, id: i64, input: ContactInput) -> Reply<Contact> {
    let (db, actor) = state.session().await?;
    contacts::update(&db, &actor, id, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn contact_delete(state: State<'_, AppState>, id: i64) -> Reply<()> {
    let (db, actor) = state.session().await?;
    contacts::delete(&db, &actor, id).await.map_err(fail)
}

#[tauri::command]
pub async fn picklist(state: State<'_, AppState>, list: PickList) -> Reply<Vec<PickItem>> {
    let (db, _) = state.session().await?;
    picklists::list(&db, list).await.map_err(fail)
}

#[tauri::command]
pub async fn picklist_add(
    state: State<'_, AppState>,
    list: PickList,
    name: String,
    name_en: String,
) -> Reply<PickItem> {
    let (db, actor) = state.session().await?;
    picklists::add(&db, &actor, list, &name, &name_en).await.map_err(fail)
}

#[tauri::command]
pub async fn picklist_update(
    state: State<'_, AppState>,
    list: PickList,
    id: i64,
    name: String,
    name_en: String,
    active: bool,
) -> Reply<PickItem> {
    let (db, actor) = state.session().await?;
    picklists::update(&db, &actor, list, id, &name, &name_en, active).await.map_err(fail)
}

#[tauri::command]
pub async fn picklist_delete(state: State<'_, AppState>, list: PickList, id: i64) -> Reply<()> {
    let (db, actor) = state.session().await?;
    picklists::delete(&db, &actor, list, id).await.map_err(fail)
}
