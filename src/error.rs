//! Typed engine errors, each with a stable code the shell and the UI can react to.

use serde::Serialize;

use crate::money::MoneyParseError;
use crate::quantity::QuantityParseError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a field's value was refused. The `code()` is stable: the UI translates it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    #[error("is required")]
    Required,
    #[error("is longer than {max} characters")]
    TooLong { max: usize },
    #[error("'{value}' is not a date (use YYYY-MM-DD)")]
    BadDate { value: String },
    #[error("{0}")]
    BadMoney(MoneyParseError),
    #[error("'{value}' is not an e-mail address")]
    BadEmail { value: String },
    #[error("'{value}' is not a phone number")]
    BadPhone { value: String },
    #[error("'{value}' is not one of: {allowed}")]
    NotAllowed { value: String, allowed: String },
    #[error("'{value}' does not exist")]
    Unknown { value: String },
    #[error("must be at least {min} characters")]
    TooShort { min: usize },
    #[error("'{value}' is not allowed here")]
    Forbidden { value: String },
    #[error("must not be in the future")]
    InFuture,
    #[error("{0}")]
    BadQuantity(QuantityParseError),
    #[error("'{value}' must be greater than zero")]
    NotPositive { value: String },
    #[error("'{value}' differs from line {line} of the same document")]
    Differs { value: String, line: u64 },
    /// A code or number that a record outside the user's scope already holds: it cannot be used
    /// again, and nothing more of that record is told.
    #[error("'{value}' is already used by a record you cannot see")]
    Taken { value: String },
    /// An amount or quantity beyond what may be entered, or a computed one beyond 64 bits.
    #[error("'{value}' is too large (at most {max})")]
    TooLarge { value: String, max: String },
}

impl From<MoneyParseError> for Reason {
    fn from(error: MoneyParseError) -> Reason {
        match error {
            MoneyParseError::TooLarge(value) => Reason::TooLarge { value, max: crate::money::MAX_ENTRY.to_string() },
            other => Reason::BadMoney(other),
        }
    }
}

impl From<QuantityParseError> for Reason {
    fn from(error: QuantityParseError) -> Reason {
        match error {
            QuantityParseError::TooLarge(value) => {
                Reason::TooLarge { value, max: crate::quantity::MAX_ENTRY.to_string() }
            }
            other => Reason::BadQuantity(other),
        }
    }
}

impl From<crate::money::AmountTooLarge> for Reason {
    fn from(error: crate::money::AmountTooLarge) -> Reason {
        Reason::TooLarge { value: crate::money::format_minor(error.0), max: crate::money::Money::MAX.to_string() }
    }
}

/// A computed amount that does not fit, where no better field is known than "amount".
impl From<crate::money::AmountTooLarge> for Error {
    fn from(error: crate::money::AmountTooLarge) -> Error {
        Error::invalid("amount", error.into())
    }
}

impl Reason {
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Required => "required",
            Reason::TooLong { .. } => "too_long",
            Reason::BadDate { .. } => "bad_date",
            Reason::BadMoney(_) => "bad_money",
            Reason::BadEmail { .. } => "bad_email",
            Reason::BadPhone { .. } => "bad_phone",
            Reason::NotAllowed { .. } => "not_allowed",
            Reason::Unknown { .. } => "unknown",
            Reason::TooShort { .. } => "too_short",
            Reason::Forbidden { .. } => "forbidden_value",
            Reason::InFuture => "in_future",
            Reason::BadQuantity(_) => "bad_quantity",
            Reason::NotPositive { .. } => "not_positive",
            Reason::Differs { .. } => "differs",
            Reason::Taken { .. } => "taken",
            Reason::TooLarge { .. } => "too_large",
        }
    }

    /// The values the UI's translated message fills in.
    pub fn params(&self) -> serde_json::Value {
        match self {
            Reason::TooLong { max } => serde_json::json!({ "max": max }),
            Reason::TooShort { min } => serde_json::json!({ "min": min }),
            Reason::BadDate { value }
            | Reason::BadEmail { value }
            | Reason::BadPhone { value }
            | Reason::Unknown { value }
            | Reason::Forbidden { value }
            | Reason::NotPositive { value }
            | Reason::Taken { value } => serde_json::json!({ "value": value }),
            Reason::Differs { value, line } => serde_json::json!({ "value": value, "line": line }),
            Reason::TooLarge { value, max } => serde_json::json!({ "value": value, "max": max }),
            Reason::BadQuantity(e) => serde_json::json!({ "value": e.to_string() }),
            Reason::NotAllowed { value, allowed } => {
                serde_json::json!({ "value": value, "allowed": allowed })
            }
            Reason::BadMoney(e) => serde_json::json!({ "value": e.to_string() }),
            Reason::Required | Reason::InFuture => serde_json::json!({}),
        }
    }
}

/// One field's problem, when a form or an import row has several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub reason: Reason,
}

/// An existing record that looks like the one being saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateMatch {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Which field matched: "name" or "phone".
    pub field: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: Reason },
    #[error("{}", describe_fields(.0))]
    Fields(Vec<FieldError>),
    #[error("{entity} '{key}' not found")]
    NotFound { entity: &'static str, key: String },
    #[error("your role may not {action}")]
    Forbidden { action: &'static str },
    #[error("wrong user name or password")]
    BadLogin,
    #[error("not logged in")]
    NotLoggedIn,
    #[error("a {entity} with {field} '{value}' already exists")]
    AlreadyExists { entity: &'static str, field: &'static str, value: String },
    #[error("looks like an existing customer: {}", describe_matches(.matches))]
    PossibleDuplicate { matches: Vec<DuplicateMatch> },
    #[error("this {entity} is still used by {by} and cannot be deleted")]
    InUse { entity: &'static str, by: String },
    #[error("this {entity} was changed by someone else since you opened it; reload it and try again")]
    Conflict { entity: &'static str },
    #[error("{0}")]
    Refused(&'static str),
    #[error("not enough {sku} in {warehouse}: {available} available, {needed} needed")]
    InsufficientStock { sku: String, warehouse: String, available: String, needed: String },
    #[error("a {entity} that is {status} cannot be {action}")]
    WrongStatus { entity: &'static str, status: String, action: &'static str },
    #[error("{bad_rows} rows are bad; nothing was imported")]
    ImportRefused { bad_rows: usize },
    #[error("{changed} records of this import were changed or deleted since; it can no longer be undone")]
    BatchChanged { changed: usize },
    #[error("{path}: not a Suanpan company file ({why})")]
    NotACompanyFile { path: String, why: String },
    /// The file's schema has a migration this build does not know: a newer Suanpan wrote it.
    #[error("{path} was written by a newer version of Suanpan (schema version {version}); update Suanpan to open it")]
    NewerFile { path: String, version: i64 },
    /// A backup may not be written over the open company file or its write-ahead log.
    #[error("{path} is the open company file itself; choose another place for the backup")]
    TargetIsCompanyFile { path: String },
    #[error("{file}, line {line}: {reason}")]
    BadFile { file: String, line: u64, reason: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// From the bulk path, which talks to SQLite through rusqlite.
    #[error("database: {0}")]
    RawDb(#[from] rusqlite::Error),
    #[error("upgrading the company file: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

fn describe_fields(fields: &[FieldError]) -> String {
    fields.iter().map(|f| format!("{}: {}", f.field, f.reason)).collect::<Vec<_>>().join("; ")
}

fn describe_matches(matches: &[DuplicateMatch]) -> String {
    matches.iter().map(|m| format!("{} {} (same {})", m.code, m.name, m.field)).collect::<Vec<_>>().join(", ")
}

impl Error {
    pub fn invalid(field: &'static str, reason: Reason) -> Error {
        Error::Invalid { field, reason }
    }

    /// One problem as [`Error::Invalid`], several as [`Error::Fields`].
    pub fn from_fields(mut fields: Vec<FieldError>) -> Error {
        if fields.len() == 1 {
            let FieldError { field, reason } = fields.remove(0);
            Error::Invalid { field, reason }
        } else {
            Error::Fields(fields)
        }
    }

    /// The field problems this error carries (for collecting several into one report).
    pub fn field_errors(self) -> Vec<FieldError> {
        match self {
            Error::Invalid { field, reason } => vec![FieldError { field, reason }],
            Error::Fields(fields) => fields,
            other => vec![FieldError { field: "record", reason: Reason::Forbidden { value: other.to_string() } }],
        }
    }

    pub fn not_found(entity: &'static str, key: impl ToString) -> Error {
        Error::NotFound { entity, key: key.to_string() }
    }

    /// A stable, machine-readable kind; never changes once shipped.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } | Error::Fields(_) => "invalid",
            Error::NotFound { .. } => "not_found",
            Error::Forbidden { .. } => "forbidden",
            Error::BadLogin => "bad_login",
            Error::NotLoggedIn => "not_logged_in",
            Error::AlreadyExists { .. } => "already_exists",
            Error::PossibleDuplicate { .. } => "possible_duplicate",
            Error::InUse { .. } => "in_use",
            Error::Conflict { .. } => "conflict",
            Error::Refused(_) => "refused",
            Error::InsufficientStock { .. } => "insufficient_stock",
            Error::WrongStatus { .. } => "wrong_status",
            Error::BatchChanged { .. } => "batch_changed",
            Error::ImportRefused { .. } => "import_refused",
            Error::NotACompanyFile { .. } => "not_a_company_file",
            Error::NewerFile { .. } => "newer_file",
            Error::TargetIsCompanyFile { .. } => "target_is_company_file",
            Error::BadFile { .. } => "bad_file",
            Error::Io { .. } => "io",
            Error::Db(_) | Error::RawDb(_) => "database",
            Error::Migrate(_) => "migration",
        }
    }

    /// Is this the user's doing (exit code 1, a one-line message) rather than a fault of the program?
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Db(_) | Error::RawDb(_) | Error::Migrate(_))
    }
}
