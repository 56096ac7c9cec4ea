//! The users table: the first owner, adding users, listing them, and their language.

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::audit;
use crate::auth::{self, Actor, Permission, Role};
use crate::choice::Choice;
use crate::db::{Db, now_stamp, unique_violation};
use crate::error::{Error, Reason, Refusal, Result};
use crate::settings::Language;
use crate::text;

/// A user as the admin screen and the CLI list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub branch_id: Option<i64>,
    pub branch_name: Option<String>,
    pub can_login: bool,
    pub active: bool,
    /// Offered as a customer's owner (负责人) in the customer form: the people who sell.
    #[sqlx(skip)]
    pub keeps_customers: bool,
}

impl User {
    fn with_role_facts(mut self) -> User {
        self.keeps_customers =
            matches!(Role::parse(&self.role), Some(Role::Owner | Role::BranchManager | Role::Salesperson));
        self
    }
}

/// A new user as typed in a form or on the command line, not yet validated.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub branch_code: Option<String>,
    /// None: a record-only user (a salesperson named in an import) who cannot log in.
    pub password: Option<String>,
}

/// True while the company file has no user: the first start must create the owner.
pub async fn needs_owner(db: &Db) -> Result<bool> {
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(db.pool()).await?;
    Ok(users == 0)
}

/// Creates the owner of a new company file. Refused once any user exists.
pub async fn create_owner(db: &Db, username: &str, display_name: &str, password: &str) -> Result<Actor> {
    let username = valid_username(username)?;
    let display_name = text::required("display_name", display_name, 60).unwrap_or_else(|_| username.clone());
    let hash = auth::hash_password(password)?;
    let mut tx = db.write().await?;
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&mut *tx).await?;
    if users > 0 {
        return Err(Error::Refused(Refusal::OwnerExists));
    }
    let id = insert(&mut tx, &username, &display_name, Role::Owner, None, Some(&hash), true).await?;
    let actor = Actor { user_id: id, username, display_name, role: Role::Owner, branch_id: None };
    audit::record(&mut tx, &actor, "user", id, "create", serde_json::json!({ "role": "owner" })).await?;
    tx.commit().await?;
    Ok(actor)
}

/// Adds a user; only the owner manages users.
pub async fn create(db: &Db, actor: &Actor, new: &NewUser) -> Result<User> {
    actor.require(Permission::ManageUsers)?;
    let username = valid_username(&new.username)?;
    let display_name = text::required("display_name", &new.display_name, 60)?;
    let role = Role::read("role", &new.role)?;
    let hash = new.password.as_deref().map(auth::hash_password).transpose()?;
    let mut tx = db.write().await?;
    let branch_id = match text::optional(new.branch_code.as_deref()) {
        Some(code) => Some(crate::branches::id_by_code(&mut tx, &code).await?),
        None => None,
    };
    let id = insert(&mut tx, &username, &display_name, role, branch_id, hash.as_deref(), hash.is_some()).await?;
    audit::record(
        &mut tx,
        actor,
        "user",
        id,
        "create",
        serde_json::json!({ "username": username, "role": role.as_str(), "branch_id": branch_id }),
    )
    .await?;
    tx.commit().await?;
    get(db, id).await
}

async fn insert(
    conn: &mut SqliteConnection,
    username: &str,
    display_name: &str,
    role: Role,
    branch_id: Option<i64>,
    password_hash: Option<&str>,
    can_login: bool,
) -> Result<i64> {
    let id = sqlx::query(
        "INSERT INTO users (username, display_name, role, branch_id, password_hash, can_login, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(username)
    .bind(display_name)
    .bind(role.as_str())
    .bind(branch_id)
    .bind(password_hash)
    .bind(can_login)
    .bind(now_stamp())
    .execute(&mut *conn)
    .await
    .map_err(|e| unique_violation(e, "user", "username", username))?
    .last_insert_rowid();
    Ok(id)
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub role: Option<String>,
    /// Some("") takes the user out of any branch.
    pub branch_code: Option<String>,
    pub active: Option<bool>,
}

/// Edits a user (owner only). The company always keeps one active owner who can log in.
pub async fn update(db: &Db, actor: &Actor, id: i64, change: &UserChange) -> Result<User> {
    actor.require(Permission::ManageUsers)?;
    let before = get(db, id).await?;
    let display_name = match &change.display_name {
        Some(name) => text::required("display_name", name, 60)?,
        None => before.display_name.clone(),
    };
    let role = match &change.role {
        Some(role) => Role::read("role", role)?,
        None => Role::parse(&before.role).unwrap_or(Role::Salesperson),
    };
    let active = change.active.unwrap_or(before.active);
    let mut tx = db.write().await?;
    let branch_id = match change.branch_code.as_deref().map(str::trim) {
        None => before.branch_id,
        Some("") => None,
        Some(code) => Some(crate::branches::id_by_code(&mut tx, code).await?),
    };
    sqlx::query("UPDATE users SET display_name = ?, role = ?, branch_id = ?, active = ? WHERE id = ?")
        .bind(&display_name)
        .bind(role.as_str())
        .bind(branch_id)
        .bind(active)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let owners: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM users WHERE role = 'owner' AND active AND can_login AND password_hash IS NOT NULL",
    )
    .fetch_one(&mut *tx)
    .await?;
    if owners == 0 {
        return Err(Error::Refused(Refusal::LastOwner));
    }
    let changes = serde_json::json!({
        "display_name": [before.display_name, display_name],
        "role": [before.role, role.as_str()],
        "branch_id": [before.branch_id, branch_id],
        "active": [before.active, active],
    });
    audit::record(&mut tx, actor, "user", id, "update", changes).await?;
    tx.commit().await?;
    get(db, id).await
}

/// Sets a user's password: the owner for anyone (which also lets a record-only salesperson log
/// in), everyone for themselves.
pub async fn set_password(db: &Db, actor: &Actor, id: i64, password: &str) -> Result<()> {
    if actor.user_id != id {
        actor.require(Permission::ManageUsers)?;
    }
    get(db, id).await?;
    let hash = auth::hash_password(password)?;
    let mut tx = db.write().await?;
    sqlx::query("UPDATE users SET password_hash = ?, can_login = 1 WHERE id = ?")
        .bind(&hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, actor, "user", id, "password", serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// A user's id by user name.
pub async fn id_by_username(db: &Db, username: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT id FROM users WHERE username = ?")
        .bind(username.trim())
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| Error::not_found("user", username))
}

/// Finds a salesperson by user name or display name, creating a record-only salesperson
/// (no login) when nobody has that name. Returns the id and whether it was created.
pub async fn ensure_salesperson(conn: &mut SqliteConnection, actor: &Actor, name: &str) -> Result<(i64, bool)> {
    let name = name.trim();
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE username = ? OR display_name = ? ORDER BY username = ? DESC LIMIT 1",
    )
    .bind(name)
    .bind(name)
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = existing {
        return Ok((id, false));
    }
    let id = insert(conn, name, name, Role::Salesperson, actor.branch_id, None, false).await?;
    audit::record(conn, actor, "user", id, "create", serde_json::json!({ "username": name, "role": "salesperson" }))
        .await?;
    Ok((id, true))
}

pub async fn get(db: &Db, id: i64) -> Result<User> {
    let user: Option<User> = sqlx::query_as(USER_SELECT_BY_ID).bind(id).fetch_optional(db.pool()).await?;
    user.map(User::with_role_facts).ok_or_else(|| Error::not_found("user", id))
}

const USER_SELECT_BY_ID: &str = "SELECT u.id, u.username, u.display_name, u.role, u.branch_id, b.name AS branch_name,
        u.can_login, u.active
 FROM users u LEFT JOIN branches b ON b.id = u.branch_id WHERE u.id = ?";

/// Every user, for pickers (owner of a customer) and the admin screen.
pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<User>> {
    actor.require(Permission::ReadCustomers)?;
    let users: Vec<User> = sqlx::query_as(
        "SELECT u.id, u.username, u.display_name, u.role, u.branch_id, b.name AS branch_name, u.can_login, u.active
         FROM users u LEFT JOIN branches b ON b.id = u.branch_id ORDER BY u.username",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(users.into_iter().map(User::with_role_facts).collect())
}

/// The language a user last chose ("zh-CN" or "en"); None until they choose.
pub async fn language(db: &Db, user_id: i64) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT language FROM users WHERE id = ?")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?
        .flatten())
}

pub async fn set_language(db: &Db, actor: &Actor, language: &str) -> Result<()> {
    let language = Language::read("language", language)?.as_str();
    sqlx::query("UPDATE users SET language = ? WHERE id = ?")
        .bind(language)
        .bind(actor.user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

fn valid_username(username: &str) -> Result<String> {
    let username = text::required("username", username, 40)?;
    if username.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid("username", Reason::Forbidden { value: username }));
    }
    Ok(username)
}
