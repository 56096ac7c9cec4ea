//! What the desktop shell and the command line exchange with the engine: errors as data, start-up facts
//! and the logged-in session.

use serde::Serialize;

use crate::auth::{Actor, Scope};
use crate::choice::Choice;
use crate::db::Db;
use crate::error::{DuplicateMatch, Error, Result};
use crate::{settings, users};

/// One field's problem, ready for the UI to translate (`reason` is a stable code).
#[derive(Debug, Clone, Serialize)]
pub struct FieldProblem {
    pub field: &'static str,
    pub reason: &'static str,
    pub params: serde_json::Value,
    pub message: String,
}

/// An engine error as the UI receives it: `{code, message, …}`, never a bare string.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorPayload {
    pub code: &'static str,
    /// English, for logs and the CLI; the UI builds its own text from the rest.
    pub message: String,
    pub fields: Vec<FieldProblem>,
    pub matches: Vec<DuplicateMatch>,
    pub params: serde_json::Value,
}

impl From<&Error> for ErrorPayload {
    fn from(error: &Error) -> ErrorPayload {
        let fields = match error {
            Error::Invalid { field, reason } => vec![problem(field, reason)],
            Error::Fields(list) => list.iter().map(|f| problem(f.field, &f.reason)).collect(),
            _ => Vec::new(),
        };
        let matches = match error {
            Error::PossibleDuplicate { matches } => matches.clone(),
            _ => Vec::new(),
        };
        let params = error.params();
        ErrorPayload { code: error.code(), message: error.to_string(), fields, matches, params }
    }
}

fn problem(field: &'static str, reason: &crate::error::Reason) -> FieldProblem {
    FieldProblem { field, reason: reason.code(), params: reason.params(), message: reason.to_string() }
}

/// What the first screen needs to know before anyone logs in.
#[derive(Debug, Clone, Serialize)]
pub struct Startup {
    pub needs_owner: bool,
    pub language: String,
    pub company_file: String,
    pub is_demo: bool,
}

pub async fn startup(db: &Db) -> Result<Startup> {
    Ok(Startup {
        needs_owner: users::needs_owner(db).await?,
        language: settings::get(db, settings::LANGUAGE).await?.unwrap_or_else(|| "zh-CN".to_string()),
        company_file: db.path().display().to_string(),
        is_demo: settings::get(db, crate::demo::MARKER).await?.is_some(),
    })
}

/// Sets the language for the screens before login and, when someone is logged in, for them.
pub async fn set_language(db: &Db, actor: Option<&crate::Actor>, language: &str) -> Result<String> {
    let language = settings::Language::read("language", language)?.as_str();
    settings::set(db, settings::LANGUAGE, language).await?;
    if let Some(actor) = actor {
        users::set_language(db, actor, language).await?;
    }
    Ok(language.to_string())
}

/// Who is logged in and what the window may offer them: it shows or hides a button by asking
/// `permissions`, never by comparing role names, so the rule stays in `Actor::can`.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub user: Actor,
    /// `Permission::key` of everything `user` may do.
    pub permissions: Vec<&'static str>,
    /// Whose records the user sees: "all", "branch" or "own" (who sees only their own records also
    /// records only as themselves).
    pub scope: &'static str,
    /// The user's language, or the company's when they have not chosen one.
    pub language: String,
}

pub async fn session(db: &Db, actor: Actor) -> Result<Session> {
    let language = match users::language(db, actor.user_id).await? {
        Some(language) => language,
        None => startup(db).await?.language,
    };
    let scope = match actor.scope() {
        Scope::All => "all",
        Scope::Branch(_) => "branch",
        Scope::Own(_) => "own",
    };
    Ok(Session { permissions: actor.permissions(), scope, user: actor, language })
}
