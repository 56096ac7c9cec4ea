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
    /// A name that more than one record has (two customers called the same): the file must give the code.
    #[error("'{value}' is the name of {count} records: give the code instead")]
    Ambiguous { value: String, count: usize },
    /// A name given beside a code that is not that record's name.
    #[error("'{value}' is not the name of {code}")]
    NameDiffers { value: String, code: String },
    /// A line's amount in a file that is not quantity × unit price as the engine computes it.
    #[error("'{value}' is not quantity × unit price ({expected})")]
    AmountDiffers { value: String, expected: String },
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
    /// A problem with one line of a document (an order's or a purchase's goods), by its number from 1.
    #[error("line {line}: {inner}")]
    OnLine { line: u64, inner: Box<Reason> },
    #[error(
        "'{value}' is also on line {first_line}: a file holds each record once, so merge the two rows or \
         give this one another code"
    )]
    DuplicateInFile { value: String, first_line: u64 },
    /// A contacts file names one customer's contact twice (contacts are matched by customer and name).
    #[error(
        "customer '{customer}' has the contact '{name}' twice in this file (also on line {first_line}): merge \
         the two rows, or give this one a different name"
    )]
    ContactTwice { customer: String, name: String, first_line: u64 },
    #[error("'{value}' has unreadable characters: is the encoding right?")]
    Unreadable { value: String },
    #[error("{found} fields where the header has {expected} (is the row cut short?)")]
    WrongFieldCount { found: usize, expected: usize },
    #[error("'{value}' is no longer sold")]
    Discontinued { value: String },
    #[error("'{value}' must not be negative")]
    Negative { value: String },
    /// A document entered or confirmed in the app (or already in stock), which an import leaves alone.
    #[error("'{value}' was entered or confirmed in the app: an import does not replace it")]
    NotReplaceable { value: String },
    #[error("'{value}' already exists")]
    AlreadyExists { value: String },
    /// `permission` is the permission's stable key, for the UI; `action` the English phrase.
    #[error("your role may not {action}")]
    NotPermitted { permission: &'static str, action: &'static str },
    /// A whole number outside the range a field takes, in the field's unit.
    #[error("'{value}' is not between {min} and {max}{unit}")]
    OutOfRange { value: String, min: i64, max: i64, unit: RangeUnit },
    #[error("'{value}' is not a percentage such as 25")]
    NotAPercentage { value: String },
    /// A date before the date in field `of` (a quote valid until before the quote's own date).
    #[error("'{value}' is before the {of} {earliest}")]
    TooEarly { value: String, earliest: String, of: &'static str },
    #[error("'{value}': an open opportunity has no closing date")]
    OpenHasNoCloseDate { value: String },
    #[error("'{value}': only a lost opportunity has a reason")]
    OnlyLostHasReason { value: String },
    /// Any other error, reported against a row or a record: its own code and values, for the UI to
    /// translate as it would the error itself.
    #[error("{message}")]
    Refused { code: &'static str, params: serde_json::Value, message: String },
}

/// The unit of an [`Reason::OutOfRange`]'s bounds; the `code()` is stable: the UI translates it as
/// `unit.<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeUnit {
    Percent,
    Minutes,
    Days,
    Score,
}

impl RangeUnit {
    pub fn code(self) -> &'static str {
        match self {
            RangeUnit::Percent => "percent",
            RangeUnit::Minutes => "minutes",
            RangeUnit::Days => "days",
            RangeUnit::Score => "score",
        }
    }

    /// Every unit, for the test that every code is translated.
    pub fn examples() -> Vec<RangeUnit> {
        use RangeUnit::*;
        let all = vec![Percent, Minutes, Days, Score];
        for unit in &all {
            match unit {
                Percent | Minutes | Days | Score => {}
            }
        }
        all
    }
}

/// English, for logs and the command line.
impl std::fmt::Display for RangeUnit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RangeUnit::Percent => "%",
            RangeUnit::Minutes => " minutes",
            RangeUnit::Days => " days",
            RangeUnit::Score => "",
        })
    }
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
            Reason::Ambiguous { .. } => "ambiguous",
            Reason::NameDiffers { .. } => "name_differs",
            Reason::AmountDiffers { .. } => "amount_differs",
            Reason::TooShort { .. } => "too_short",
            Reason::Forbidden { .. } => "forbidden_value",
            Reason::InFuture => "in_future",
            Reason::BadQuantity(_) => "bad_quantity",
            Reason::NotPositive { .. } => "not_positive",
            Reason::Differs { .. } => "differs",
            Reason::Taken { .. } => "taken",
            Reason::TooLarge { .. } => "too_large",
            Reason::OnLine { .. } => "on_line",
            Reason::DuplicateInFile { .. } => "duplicate_in_file",
            Reason::ContactTwice { .. } => "contact_twice",
            Reason::Unreadable { .. } => "unreadable",
            Reason::WrongFieldCount { .. } => "wrong_field_count",
            Reason::Discontinued { .. } => "discontinued",
            Reason::Negative { .. } => "negative",
            Reason::NotReplaceable { .. } => "not_replaceable",
            Reason::AlreadyExists { .. } => "already_exists",
            Reason::NotPermitted { .. } => "not_permitted",
            Reason::OutOfRange { .. } => "out_of_range",
            Reason::NotAPercentage { .. } => "not_a_percentage",
            Reason::TooEarly { .. } => "too_early",
            Reason::OpenHasNoCloseDate { .. } => "open_has_no_close_date",
            Reason::OnlyLostHasReason { .. } => "only_lost_has_reason",
            Reason::Refused { .. } => "refused",
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
            | Reason::Taken { value }
            | Reason::Unreadable { value }
            | Reason::Discontinued { value }
            | Reason::Negative { value }
            | Reason::NotReplaceable { value }
            | Reason::AlreadyExists { value }
            | Reason::NotAPercentage { value }
            | Reason::OpenHasNoCloseDate { value }
            | Reason::OnlyLostHasReason { value } => serde_json::json!({ "value": value }),
            Reason::OutOfRange { value, min, max, unit } => {
                serde_json::json!({ "value": value, "min": min, "max": max, "unit": unit.code() })
            }
            Reason::TooEarly { value, earliest, of } => {
                serde_json::json!({ "value": value, "earliest": earliest, "of": of })
            }
            // The error's own code and values, translated by the UI as "error.<code>".
            Reason::Refused { code, params, .. } => {
                serde_json::json!({ "error": { "code": code, "params": params } })
            }
            Reason::NotPermitted { permission, action } => {
                serde_json::json!({ "permission": permission, "action": action })
            }
            Reason::Differs { value, line } => serde_json::json!({ "value": value, "line": line }),
            Reason::Ambiguous { value, count } => serde_json::json!({ "value": value, "count": count }),
            Reason::NameDiffers { value, code } => serde_json::json!({ "value": value, "code": code }),
            Reason::AmountDiffers { value, expected } => serde_json::json!({ "value": value, "expected": expected }),
            // The inner reason travels as its own code and values, for the UI to translate first.
            Reason::OnLine { line, inner } => {
                serde_json::json!({ "line": line, "inner": { "reason": inner.code(), "params": inner.params() } })
            }
            Reason::DuplicateInFile { value, first_line } => {
                serde_json::json!({ "value": value, "first_line": first_line })
            }
            Reason::ContactTwice { customer, name, first_line } => {
                serde_json::json!({ "customer": customer, "name": name, "first_line": first_line })
            }
            Reason::WrongFieldCount { found, expected } => {
                serde_json::json!({ "found": found, "expected": expected })
            }
            Reason::TooLarge { value, max } => serde_json::json!({ "value": value, "max": max }),
            // What was typed and the kind of problem, translated by the UI as "quantity_problem.<problem>".
            Reason::BadQuantity(e) => serde_json::json!({ "value": e.typed(), "problem": e.code() }),
            Reason::NotAllowed { value, allowed } => {
                serde_json::json!({ "value": value, "allowed": allowed })
            }
            // As "money_problem.<problem>".
            Reason::BadMoney(e) => serde_json::json!({ "value": e.typed(), "problem": e.code() }),
            Reason::Required | Reason::InFuture => serde_json::json!({}),
        }
    }

    /// One of each kind, for the test that every code is translated.
    pub fn examples() -> Vec<Reason> {
        use Reason::*;
        let value = || "x".to_string();
        let mut all = vec![
            Required,
            TooLong { max: 1 },
            BadDate { value: value() },
            BadEmail { value: value() },
            BadPhone { value: value() },
            NotAllowed { value: value(), allowed: value() },
            Unknown { value: value() },
            Ambiguous { value: value(), count: 2 },
            NameDiffers { value: value(), code: value() },
            AmountDiffers { value: value(), expected: value() },
            TooShort { min: 1 },
            Forbidden { value: value() },
            InFuture,
            NotPositive { value: value() },
            Differs { value: value(), line: 1 },
            OnLine { line: 1, inner: Box::new(Required) },
            DuplicateInFile { value: value(), first_line: 1 },
            ContactTwice { customer: value(), name: value(), first_line: 1 },
            Unreadable { value: value() },
            WrongFieldCount { found: 1, expected: 2 },
            Discontinued { value: value() },
            Negative { value: value() },
            NotReplaceable { value: value() },
            AlreadyExists { value: value() },
            NotPermitted { permission: "read_customers", action: "read customers" },
            Taken { value: value() },
            TooLarge { value: value(), max: value() },
            OutOfRange { value: value(), min: 0, max: 100, unit: RangeUnit::Percent },
            NotAPercentage { value: value() },
            TooEarly { value: value(), earliest: value(), of: "quote_date" },
            OpenHasNoCloseDate { value: value() },
            OnlyLostHasReason { value: value() },
            Refused { code: "conflict", params: serde_json::json!({ "entity": "order" }), message: value() },
        ];
        // Every kind of unreadable amount and quantity: each is translated on its own.
        all.extend(MoneyParseError::examples().into_iter().map(BadMoney));
        all.extend(QuantityParseError::examples().into_iter().map(BadQuantity));
        // A new kind stops compiling here, next to the list it must join.
        for reason in &all {
            match reason {
                Required | TooLong { .. } | BadDate { .. } | BadMoney(_) | BadEmail { .. } | BadPhone { .. } => {}
                NotAllowed { .. } | Unknown { .. } | TooShort { .. } | Forbidden { .. } | InFuture => {}
                BadQuantity(_) | NotPositive { .. } | Differs { .. } | OnLine { .. } | DuplicateInFile { .. } => {}
                Unreadable { .. } | WrongFieldCount { .. } | Discontinued { .. } | Negative { .. } => {}
                NotReplaceable { .. } | AlreadyExists { .. } | NotPermitted { .. } | Taken { .. } => {}
                TooLarge { .. } | ContactTwice { .. } | OutOfRange { .. } | NotAPercentage { .. } => {}
                TooEarly { .. } | OpenHasNoCloseDate { .. } | OnlyLostHasReason { .. } | Refused { .. } => {}
                Ambiguous { .. } | NameDiffers { .. } | AmountDiffers { .. } => {}
            }
        }
        all
    }
}

/// Why the engine would not do something that is not any one field's fault. The `code()` is stable: the
/// UI translates it; the English text is for logs and the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("a customer cannot be merged into itself")]
    MergeIntoItself,
    #[error("the password could not be hashed")]
    PasswordNotHashed,
    #[error("the user has an unknown role")]
    UnknownRole,
    #[error("this company file already has an owner")]
    OwnerExists,
    #[error("the company must keep at least one active owner")]
    LastOwner,
    #[error("a transfer needs two different warehouses")]
    SameWarehouse,
    #[error("the last active warehouse cannot be deactivated")]
    LastWarehouse,
    #[error("the demo company needs a new, empty company file")]
    DemoNeedsEmptyFile,
    #[error("the demo has no owner")]
    DemoHasNoOwner,
    #[error("an import record without its previous values cannot be undone")]
    NoPreviousValues,
    #[error("the import was cancelled; nothing was written")]
    ImportCancelled,
    #[error("this import was already undone")]
    AlreadyUndone,
    #[error("this import's kind of record cannot be undone")]
    UndoUnknownKind,
    #[error("no import to save errors of")]
    NoImportErrors,
    #[error("an order moves on by confirm, deliver or cancel")]
    OrderStatusByAction,
    #[error("the two passwords differ")]
    PasswordsDiffer,
    #[error("say who you are with --user NAME (or SUANPAN_USER)")]
    NoUser,
    #[error("no password: set SUANPAN_PASSWORD or run in a terminal")]
    NoPassword,
    #[error("no password for the new user: set SUANPAN_NEW_PASSWORD or use --no-login")]
    NoNewPassword,
    /// SQLite is handed a path as text: one whose name is not valid UTF-8 cannot be given to it.
    #[error("the file's path has characters that are not text; choose another folder or name")]
    PathNotText,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::MergeIntoItself => "merge_into_itself",
            Refusal::PasswordNotHashed => "password_not_hashed",
            Refusal::UnknownRole => "unknown_role",
            Refusal::OwnerExists => "owner_exists",
            Refusal::LastOwner => "last_owner",
            Refusal::SameWarehouse => "same_warehouse",
            Refusal::LastWarehouse => "last_warehouse",
            Refusal::DemoNeedsEmptyFile => "demo_needs_empty_file",
            Refusal::DemoHasNoOwner => "demo_has_no_owner",
            Refusal::NoPreviousValues => "no_previous_values",
            Refusal::ImportCancelled => "import_cancelled",
            Refusal::AlreadyUndone => "already_undone",
            Refusal::UndoUnknownKind => "undo_unknown_kind",
            Refusal::NoImportErrors => "no_import_errors",
            Refusal::OrderStatusByAction => "order_status_by_action",
            Refusal::PasswordsDiffer => "passwords_differ",
            Refusal::NoUser => "no_user",
            Refusal::NoPassword => "no_password",
            Refusal::NoNewPassword => "no_new_password",
            Refusal::PathNotText => "path_not_text",
        }
    }

    /// The values the UI's translated message fills in (none yet: each refusal says all it needs).
    pub fn params(self) -> serde_json::Value {
        serde_json::json!({})
    }

    /// Every refusal, for the test that every code is translated.
    pub fn examples() -> Vec<Refusal> {
        use Refusal::*;
        let all = vec![
            MergeIntoItself,
            PasswordNotHashed,
            UnknownRole,
            OwnerExists,
            LastOwner,
            SameWarehouse,
            LastWarehouse,
            DemoNeedsEmptyFile,
            DemoHasNoOwner,
            NoPreviousValues,
            ImportCancelled,
            AlreadyUndone,
            UndoUnknownKind,
            NoImportErrors,
            OrderStatusByAction,
            PasswordsDiffer,
            NoUser,
            NoPassword,
            NoNewPassword,
            PathNotText,
        ];
        // A new refusal stops compiling here, next to the list it must join.
        for refusal in &all {
            match refusal {
                MergeIntoItself | PasswordNotHashed | UnknownRole | OwnerExists | LastOwner | SameWarehouse => {}
                DemoNeedsEmptyFile | DemoHasNoOwner | NoPreviousValues | ImportCancelled | AlreadyUndone => {}
                UndoUnknownKind | NoImportErrors | OrderStatusByAction | PasswordsDiffer | NoUser | NoPassword => {}
                NoNewPassword | LastWarehouse | PathNotText => {}
            }
        }
        all
    }
}

/// Why a file as a whole cannot be read or imported (not one row's fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileProblem {
    #[error("the file is empty")]
    Empty,
    #[error("the file has a header but no data rows")]
    NoRows,
    /// The CSV reader failed (the detail is the reader's own English, for logs).
    #[error("the file cannot be read: {detail}")]
    Unreadable { detail: String },
    #[error("reading the file stopped unexpectedly")]
    Stopped,
    #[error("{}", describe_headers(.0))]
    Headers(Vec<HeaderProblem>),
}

impl FileProblem {
    pub fn code(&self) -> &'static str {
        match self {
            FileProblem::Empty => "empty",
            FileProblem::NoRows => "no_rows",
            FileProblem::Unreadable { .. } => "unreadable",
            FileProblem::Stopped => "stopped",
            FileProblem::Headers(_) => "headers",
        }
    }

    pub fn params(&self) -> serde_json::Value {
        match self {
            FileProblem::Unreadable { detail } => serde_json::json!({ "detail": detail }),
            FileProblem::Headers(problems) => serde_json::json!({ "problems": problems }),
            FileProblem::Empty | FileProblem::NoRows | FileProblem::Stopped => serde_json::json!({}),
        }
    }

    /// One of each kind, for the test that every code is translated.
    pub fn examples() -> Vec<FileProblem> {
        use FileProblem::*;
        let all = vec![
            Empty,
            NoRows,
            Unreadable { detail: "x".into() },
            Stopped,
            Headers(vec![HeaderProblem::Missing("code")]),
        ];
        // A new kind stops compiling here, next to the list it must join.
        for problem in &all {
            match problem {
                Empty | NoRows | Unreadable { .. } | Stopped | Headers(_) => {}
            }
        }
        all
    }
}

/// Why a file's headers do not fit the format: a column is missing, or two headers name one column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderProblem {
    #[error("no column for '{0}'")]
    Missing(&'static str),
    #[error("two columns for '{0}'")]
    Twice(&'static str),
}

impl HeaderProblem {
    pub fn code(&self) -> &'static str {
        match self {
            HeaderProblem::Missing(_) => "missing",
            HeaderProblem::Twice(_) => "twice",
        }
    }

    pub fn params(&self) -> serde_json::Value {
        match self {
            HeaderProblem::Missing(column) | HeaderProblem::Twice(column) => serde_json::json!({ "column": column }),
        }
    }

    /// One of each kind, for the test that every code is translated.
    pub fn examples() -> Vec<HeaderProblem> {
        let all = vec![HeaderProblem::Missing("code"), HeaderProblem::Twice("code")];
        for problem in &all {
            match problem {
                HeaderProblem::Missing(_) | HeaderProblem::Twice(_) => {}
            }
        }
        all
    }
}

impl Serialize for HeaderProblem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        Coded { code: self.code(), params: self.params(), message: self.to_string() }.serialize(serializer)
    }
}

fn describe_headers(problems: &[HeaderProblem]) -> String {
    problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ")
}

/// How a coded message travels to the UI: the stable code, the values its translation fills in, and
/// the English text for logs.
#[derive(Debug, Clone, Serialize)]
pub struct Coded {
    pub code: &'static str,
    pub params: serde_json::Value,
    pub message: String,
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
    /// `permission` is the permission's stable key, for the UI; `action` the English phrase.
    #[error("your role may not {action}")]
    Forbidden { permission: &'static str, action: &'static str },
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
    Refused(Refusal),
    #[error("not enough {sku} in {warehouse}: {available} available, {needed} needed")]
    InsufficientStock { sku: String, warehouse: String, available: String, needed: String },
    #[error("a {entity} that is {status} cannot be {action}")]
    WrongStatus { entity: &'static str, status: String, action: StatusAction },
    #[error("{bad_rows} rows are bad; nothing was imported")]
    ImportRefused { bad_rows: usize },
    #[error("{changed} records of this import were changed or deleted since; it can no longer be undone")]
    BatchChanged { changed: usize },
    #[error("{path}: not a Suanpan company file ({why})")]
    NotACompanyFile { path: String, why: NotCompany },
    /// The file's schema has a migration this build does not know: a newer Suanpan wrote it.
    #[error("{path} was written by a newer version of Suanpan (schema version {version}); update Suanpan to open it")]
    NewerFile { path: String, version: i64 },
    /// A backup may not be written over the open company file or its write-ahead log.
    #[error("{path} is the open company file itself; choose another place for the backup")]
    TargetIsCompanyFile { path: String },
    #[error("{file}, line {line}: {problem}")]
    BadFile { file: String, line: u64, problem: FileProblem },
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

/// What a document's status kept from happening; the `code()` is stable: the UI translates it as
/// `status_action.<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusAction {
    Edited,
    Confirmed,
    Delivered,
    Cancelled,
    Changed,
    Converted,
    Received,
    Accepted,
    Rejected,
}

impl StatusAction {
    pub fn code(self) -> &'static str {
        match self {
            StatusAction::Edited => "edited",
            StatusAction::Confirmed => "confirmed",
            StatusAction::Delivered => "delivered",
            StatusAction::Cancelled => "cancelled",
            StatusAction::Changed => "changed",
            StatusAction::Converted => "converted",
            StatusAction::Received => "received",
            StatusAction::Accepted => "accepted",
            StatusAction::Rejected => "rejected",
        }
    }

    /// Every action, for the test that every code is translated.
    pub fn examples() -> Vec<StatusAction> {
        use StatusAction::*;
        let all = vec![Edited, Confirmed, Delivered, Cancelled, Changed, Converted, Received, Accepted, Rejected];
        for action in &all {
            match action {
                Edited | Confirmed | Delivered | Cancelled | Changed | Converted | Received | Accepted | Rejected => {}
            }
        }
        all
    }
}

/// The English past participle, for logs and the command line.
impl std::fmt::Display for StatusAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Why a file is not a Suanpan company file; the `code()` is stable: the UI translates it as
/// `not_company.<code>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotCompany {
    #[error("it cannot be opened")]
    CannotOpen,
    #[error("it is not an SQLite database")]
    NotADatabase,
    /// SQLite's integrity check failed; `detail` is its own (English, technical) report.
    #[error("it is damaged ({detail})")]
    Damaged { detail: String },
    #[error("it has no Suanpan tables")]
    NoSuanpanTables,
    #[error("it holds other tables")]
    OtherTables,
}

impl NotCompany {
    pub fn code(&self) -> &'static str {
        match self {
            NotCompany::CannotOpen => "cannot_open",
            NotCompany::NotADatabase => "not_a_database",
            NotCompany::Damaged { .. } => "damaged",
            NotCompany::NoSuanpanTables => "no_suanpan_tables",
            NotCompany::OtherTables => "other_tables",
        }
    }

    pub fn params(&self) -> serde_json::Value {
        match self {
            NotCompany::Damaged { detail } => serde_json::json!({ "detail": detail }),
            _ => serde_json::json!({}),
        }
    }

    /// One of each kind, for the test that every code is translated.
    pub fn examples() -> Vec<NotCompany> {
        use NotCompany::*;
        let all = vec![CannotOpen, NotADatabase, Damaged { detail: "x".into() }, NoSuanpanTables, OtherTables];
        for why in &all {
            match why {
                CannotOpen | NotADatabase | Damaged { .. } | NoSuanpanTables | OtherTables => {}
            }
        }
        all
    }
}

/// `params` with `code` added under `key`, so one object carries both.
fn with_code(key: &str, code: &'static str, params: serde_json::Value) -> serde_json::Value {
    let mut params = match params {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    params.insert(key.to_string(), code.into());
    serde_json::Value::Object(params)
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
            Error::AlreadyExists { field, value, .. } => {
                vec![FieldError { field, reason: Reason::AlreadyExists { value } }]
            }
            Error::Forbidden { permission, action } => {
                vec![FieldError { field: "record", reason: Reason::NotPermitted { permission, action } }]
            }
            other => {
                let reason = Reason::Refused { code: other.code(), params: other.params(), message: other.to_string() };
                vec![FieldError { field: "record", reason }]
            }
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

    /// The values the UI's translated message (`error.<code>`) fills in; an error whose kind has its own
    /// codes (a refusal, a file's problem) carries that code among them.
    pub fn params(&self) -> serde_json::Value {
        match self {
            Error::NotFound { entity, key } => serde_json::json!({ "entity": entity, "key": key }),
            Error::Forbidden { permission, action } => {
                serde_json::json!({ "permission": permission, "action": action })
            }
            Error::AlreadyExists { entity, field, value } => {
                serde_json::json!({ "entity": entity, "field": field, "value": value })
            }
            Error::InUse { entity, by } => serde_json::json!({ "entity": entity, "by": by }),
            Error::NewerFile { path, version } => serde_json::json!({ "path": path, "version": version }),
            Error::TargetIsCompanyFile { path } => serde_json::json!({ "path": path }),
            Error::ImportRefused { bad_rows } => serde_json::json!({ "bad_rows": bad_rows }),
            Error::BatchChanged { changed } => serde_json::json!({ "changed": changed }),
            Error::Conflict { entity } => serde_json::json!({ "entity": entity }),
            // The refusal's own code and values, translated by the UI as "refused.<refusal>".
            Error::Refused(refusal) => with_code("refusal", refusal.code(), refusal.params()),
            // As "bad_file.<problem>"; a header problem carries its own list of coded problems.
            Error::BadFile { file, line, problem } => {
                let mut params = with_code("problem", problem.code(), problem.params());
                params["file"] = file.as_str().into();
                params["line"] = (*line).into();
                params
            }
            Error::InsufficientStock { sku, warehouse, available, needed } => {
                serde_json::json!({ "sku": sku, "warehouse": warehouse, "available": available, "needed": needed })
            }
            // The status as the entity's own code ("draft"), the action as "status_action.<action>".
            Error::WrongStatus { entity, status, action } => {
                serde_json::json!({ "entity": entity, "status": status, "action": action.code() })
            }
            // As "not_company.<why>".
            Error::NotACompanyFile { path, why } => {
                let mut params = with_code("why", why.code(), why.params());
                params["path"] = path.as_str().into();
                params
            }
            // The operating system's and SQLite's own words stay as a technical detail.
            Error::Io { path, source } => serde_json::json!({ "path": path, "detail": source.to_string() }),
            Error::Db(source) => serde_json::json!({ "detail": source.to_string() }),
            Error::RawDb(source) => serde_json::json!({ "detail": source.to_string() }),
            Error::Migrate(source) => serde_json::json!({ "detail": source.to_string() }),
            Error::Invalid { .. } | Error::Fields(_) | Error::BadLogin | Error::NotLoggedIn => serde_json::json!({}),
            Error::PossibleDuplicate { .. } => serde_json::json!({}),
        }
    }

    /// Is this the user's doing (exit code 1, a one-line message) rather than a fault of the program?
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Error::Db(_) | Error::RawDb(_) | Error::Migrate(_))
    }

    /// One of each kind, for the test that every code is translated.
    pub fn examples() -> Vec<Error> {
        use Error::*;
        let io = || std::io::Error::other("x");
        let all = vec![
            Invalid { field: "name", reason: Reason::Required },
            Fields(Vec::new()),
            NotFound { entity: "customer", key: "x".into() },
            Forbidden { permission: "read_customers", action: "read customers" },
            BadLogin,
            NotLoggedIn,
            AlreadyExists { entity: "customer", field: "code", value: "x".into() },
            PossibleDuplicate { matches: Vec::new() },
            InUse { entity: "customer", by: "x".into() },
            Conflict { entity: "customer" },
            Refused(Refusal::LastOwner),
            InsufficientStock { sku: "x".into(), warehouse: "x".into(), available: "0".into(), needed: "1".into() },
            WrongStatus { entity: "order", status: "draft".into(), action: StatusAction::Edited },
            ImportRefused { bad_rows: 1 },
            BatchChanged { changed: 1 },
            NotACompanyFile { path: "x".into(), why: NotCompany::NotADatabase },
            NewerFile { path: "x".into(), version: 9 },
            TargetIsCompanyFile { path: "x".into() },
            BadFile { file: "x".into(), line: 1, problem: FileProblem::Empty },
            Io { path: "x".into(), source: io() },
            Db(sqlx::Error::PoolTimedOut),
            RawDb(rusqlite::Error::QueryReturnedNoRows),
            Migrate(sqlx::migrate::MigrateError::VersionMissing(1)),
        ];
        // A new kind stops compiling here, next to the list it must join.
        for error in &all {
            match error {
                Invalid { .. } | Fields(_) | NotFound { .. } | Forbidden { .. } | BadLogin | NotLoggedIn => {}
                AlreadyExists { .. } | PossibleDuplicate { .. } | InUse { .. } | Conflict { .. } | Refused(_) => {}
                InsufficientStock { .. } | WrongStatus { .. } | ImportRefused { .. } | BatchChanged { .. } => {}
                NotACompanyFile { .. } | BadFile { .. } | Io { .. } | Db(_) | RawDb(_) | Migrate(_) => {}
                NewerFile { .. } | TargetIsCompanyFile { .. } => {}
            }
        }
        all
    }
}
