//! Users, branches and company settings: the owner's administration.

use suanpan::branches::{self, Branch, NewBranch};
use suanpan::settings::{self, PaymentTerms};
use suanpan::users::{self, NewUser, User, UserChange};
use tauri::State;

use crate::state::{AppState, Reply, fail};

#[tauri::command]
pub async fn users_list(state: State<'_, AppState>) -> Reply<Vec<User>> {
    let (db, actor) = state.session().await?;
    users::list(&db, &actor).await.map_err(fail)
}

#[tauri::command]
pub async fn user_create(state: State<'_, AppState>, new: NewUser) -> Reply<User> {
    let (db, actor) = state.session().await?;
    users::create(&db, &actor, &new).await.map_err(fail)
}

#[tauri::command]
pub async fn user_update(state: State<'_, AppState>, id: i64, change: UserChange) -> Reply<User> {
    let (db, actor) = state.session().await?;
    users::update(&db, &actor, id, &change).await.map_err(fail)
}

#[tauri::command]
pub async fn user_set_password(state: State<'_, AppState>, id: i64, password: String) -> Reply<()> {
    let (db, actor) = state.session().await?;
    users::set_password(&db, &actor, id, &password).await.map_err(fail)
}

#[tauri::command]
pub async fn branches_list(state: State<'_, AppState>) -> Reply<Vec<Branch>> {
    let (db, _) = state.session().await?;
    branches::list(&db).await.map_err(fail)
}

#[tauri::command]
pub async fn branch_create(state: State<'_, AppState>, new: NewBranch) -> Reply<Branch> {
    let (db, actor) = state.session().await?;
    branches::create(&db, &actor, &new).await.map_err(fail)
}

#[tauri::command]
pub async fn payment_terms(state: State<'_, AppState>) -> Reply<PaymentTerms> {
    let (db, _) = state.session().await?;
    settings::payment_terms(&db).await.map_err(fail)
}

#[tauri::command]
pub async fn payment_terms_set(state: State<'_, AppState>, terms: PaymentTerms) -> Reply<PaymentTerms> {
    let (db, actor) = state.session().await?;
    settings::set_payment_terms(&db, &actor, terms).await.map_err(fail)
}
