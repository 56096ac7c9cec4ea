//! Products, stock, purchases and sales orders: one-line calls into the engine.

use suanpan::catalog::categories::{self, Category};
use suanpan::catalog::products::{self, Product, ProductInput, ProductQuery};
use suanpan::catalog::suppliers::{self, Supplier, SupplierInput};
use suanpan::crm::activities::{self, ActivityInput};
use suanpan::db::Page;
use suanpan::inventory::purchases::{self, Purchase, PurchaseInput};
use suanpan::inventory::stock::{self, AdjustmentInput, LowStock, StockLevel, StockMove, Valuation};
use suanpan::inventory::warehouses::{self, Warehouse};
use suanpan::sales::order_list::{self, OrderQuery, OrderRow};
use suanpan::sales::orders::{self, Order, OrderInput};
use suanpan::sales::timeline::{self, TimelineEvent};
use tauri::State;

use crate::state::{AppState, Reply, fail};

#[tauri::command]
pub async fn products_list(state: State<'_, AppState>, query: ProductQuery) -> Reply<Page<Product>> {
    let (db, actor) = state.session().await?;
    products::list(&db, &actor, &query).await.map_err(fail)
}

#[tauri::command]
pub async fn product_get(state: State<'_, AppState>, id: i64) -> Reply<Product> {
    let (db, actor) = state.session().await?;
    products::get(&db, &actor, id).await.map_err(fail)
}

#[tauri::command]
pub async fn product_create(state: State<'_, AppState>, input: ProductInput) -> Reply<Product> {
    let (db, actor) = state.session().await?;
    products::create(&db, &actor, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn product_update(state: State<'_, AppState>, id: i64, input: ProductInput) -> Reply<Product> {
    let (db, actor) = state.session().await?;
    products::update(&db, &actor, id, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn categories_list(state: State<'_, AppState>) -> Reply<Vec<Category>> {
    let (db, actor) = state.session().await?;
    categories::list(&db, &actor).await.map_err(fail)
}

#[tauri::command]
pub async fn suppliers_list(state: State<'_, AppState>, words: String) -> Reply<Page<Supplier>> {
    let (db, actor) = state.session().await?;
    suppliers::list(&db, &actor, &words, 0, Some(1_000)).await.map_err(fail)
}

#[tauri::command]
pub async fn supplier_create(state: State<'_, AppState>, input: SupplierInput) -> Reply<Supplier> {
    let (db, actor) = state.session().await?;
    suppliers::create(&db, &actor, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn warehouses_list(state: State<'_, AppState>) -> Reply<Vec<Warehouse>> {
    let (db, actor) = state.session().await?;
    warehouses::list(&db, &actor).await.map_err(fail)
}

#[tauri::command]
pub async fn stock_levels(state: State<'_, AppState>, product_id: Option<i64>) -> Reply<Vec<StockLevel>> {
    let (db, actor) = state.session().await?;
    stock::levels(&db, &actor, product_id).await.map_err(fail)
}

#[tauri::command]
pub async fn stock_low(state: State<'_, AppState>) -> Reply<Vec<LowStock>> {
    let (db, actor) = state.session().await?;
    stock::low_stock(&db, &actor).await.map_err(fail)
}

#[tauri::command]
pub async fn stock_valuation(state: State<'_, AppState>) -> Reply<Valuation> {
    let (db, actor) = state.session().await?;
    stock::valuation(&db, &actor).await.map_err(fail)
}

#[tauri::command]
pub async fn stock_moves(state: State<'_, AppState>, product_id: i64) -> Reply<Vec<StockMove>> {
    let (db, actor) = state.session().await?;
    stock::moves(&db, &actor, product_id, 200).await.map_err(fail)
}

#[tauri::command]
pub async fn stock_adjust(state: State<'_, AppState>, input: AdjustmentInput) -> Reply<StockMove> {
    let (db, actor) = state.session().await?;
    stock::adjust(&db, &actor, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn purchases_list(state: State<'_, AppState>) -> Reply<Page<Purchase>> {
    let (db, actor) = state.session().await?;
    purchases::list(&db, &actor, None, 0, Some(500)).await.map_err(fail)
}

#[tauri::command]
pub async fn purchase_create(state: State<'_, AppState>, input: PurchaseInput) -> Reply<Purchase> {
    let (db, actor) = state.session().await?;
    purchases::create(&db, &actor, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn purchase_receive(state: State<'_, AppState>, id: i64) -> Reply<Purchase> {
    let (db, actor) = state.session().await?;
    purchases::receive(&db, &actor, id, None).await.map_err(fail)
}

#[tauri::command]
pub async fn orders_list(state: State<'_, AppState>, query: OrderQuery) -> Reply<Page<OrderRow>> {
    let (db, actor) = state.session().await?;
    order_list::list(&db, &actor, &query).await.map_err(fail)
}

#[tauri::command]
pub async fn order_get(state: State<'_, AppState>, id: i64) -> Reply<Order> {
    let (db, actor) = state.session().await?;
    orders::get(&db, &actor, id).await.map_err(fail)
}

#[tauri::command]
pub async fn order_create(state: State<'_, AppState>, input: OrderInput) -> Reply<Order> {
    let (db, actor) = state.session().await?;
    orders::create(&db, &actor, &input).await.map_err(fail)
}

#[tauri::command]
pub async fn order_update(state: State<'_, AppState>, id: i64, input: OrderInput) -> Reply<Order> {
    let (db, actor) = state.session().await?;
    orders::update(&db, &actor, id, &input).await.map_err(fail)
}

/// Moves an order on: `confirm`, `deliver` or `cancel`.
#[tauri::command]
pub async fn order_step(state: State<'_, AppState>, id: i64, step: String) -> Reply<Order> {
    let (db, actor) = state.session().await?;
    match step.as_str() {
        "confirm" => orders::confirm(&db, &actor, id).await,
        "deliver" => orders::deliver(&db, &actor, id).await,
        "cancel" => orders::cancel(&db, &actor, id).await,
        _ => Err(suanpan::Error::Refused(suanpan::error::Refusal::OrderStatusByAction)),
    }
    .map_err(fail)
}

#[tauri::command]
pub async fn customer_timeline(state: State<'_, AppState>, customer_id: i64) -> Reply<Page<TimelineEvent>> {
    let (db, actor) = state.session().await?;
    timeline::timeline(&db, &actor, customer_id, 0, Some(200)).await.map_err(fail)
}

#[tauri::command]
pub async fn activity_create(state: State<'_, AppState>, input: ActivityInput) -> Reply<i64> {
    let (db, actor) = state.session().await?;
    activities::create(&db, &actor, &input).await.map_err(fail)
}
