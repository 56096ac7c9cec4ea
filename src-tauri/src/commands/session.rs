//! Start-up, first owner, login, logout, language and the demo company.

use suanpan::api::{self, Session, Startup};
use suanpan::{Actor, Db, auth, demo, users};
use tauri::State;

use crate::state::{AppState, Reply, fail};

#[tauri::command]
pub async fn startup(state: State<'_, AppState>) -> Reply<Startup> {
    let db = state.db().await?;
    api::startup(&db).await.map_err(fail)
}

#[tauri::command]
pub async fn create_owner(
    state: State<'_, AppState>,
    username: String,
    display_name: String,
    password: String,
) -> Reply<Session> {
    let db = state.db().await?;
    let actor = users::create_owner(&db, &username, &display_name, &password).await.map_err(fail)?;
    session(&state, &db, actor).await
}

#[tauri::command]
pub async fn login(state: State<'_, AppState>, username: String, password: String) -> Reply<Session> {
    let db = state.db().await?;
    let actor = auth::login(&db, &username, &password).await.map_err(fail)?;
    session(&state, &db, actor).await
}

async fn session(state: &AppState, db: &Db, actor: Actor) -> Reply<Session> {
    let session = api::session(db, actor).await.map_err(fail)?;
    state.set_actor(Some(session.user.clone())).await;
    Ok(session)
}

#[tauri::command]
pub async fn logout(state: State<'_, AppState>) -> Reply<()> {
    state.set_actor(None).await;
    Ok(())
}

#[tauri::command]
pub async fn set_language(state: State<'_, AppState>, language: String) -> Reply<String> {
    let db = state.db().await?;
    let actor = state.actor().await;
    api::set_language(&db, actor.as_ref(), &language).await.map_err(fail)
}

/// Opens the demo company (creating it on first use) in place of the current file.
#[tauri::command]
pub async fn open_demo(state: State<'_, AppState>) -> Reply<Startup> {
    let path = suanpan::db::data_dir().join("demo.sqlite");
    let db = state.switch_to(path).await?;
    if users::needs_owner(&db).await.map_err(fail)? {
        demo::generate(&db, 1).await.map_err(fail)?;
    }
    api::startup(&db).await.map_err(fail)
}
