//! The sales pipeline: opportunities moving through stages to won or lost (a lost one keeps its amount,
//! date and reason), the board by stage, and the forecast by month (amount × probability).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::choice::Choice;
use crate::crm::picklists::PickList;
use crate::db::{Db, Page, fetch_page, next_number, now_stamp, push_between, push_contains, today, unique_violation};
use crate::directory::{Directory, Wanted};
use crate::error::{Error, FieldError, RangeUnit, Reason, Result};
use crate::io::insert::{self, Insertable, Inserting};
use crate::money::Money;
use crate::sales::salesperson::{self, Assignee};
use crate::text;
use rusqlite::types::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpportunityStatus {
    Open,
    Won,
    Lost,
}

impl Choice for OpportunityStatus {
    const ALL: &'static [OpportunityStatus] =
        &[OpportunityStatus::Open, OpportunityStatus::Won, OpportunityStatus::Lost];
    const WHEN_EMPTY: Option<OpportunityStatus> = Some(OpportunityStatus::Open);

    fn as_str(self) -> &'static str {
        match self {
            OpportunityStatus::Open => "open",
            OpportunityStatus::Won => "won",
            OpportunityStatus::Lost => "lost",
        }
    }

    /// As SPEC §3 lists them.
    fn chinese(self) -> &'static str {
        match self {
            OpportunityStatus::Open => "进行中",
            OpportunityStatus::Won => "赢单",
            OpportunityStatus::Lost => "丢单",
        }
    }

    fn also(self) -> &'static [&'static str] {
        match self {
            OpportunityStatus::Open => &[],
            OpportunityStatus::Won => &["成交", "已成交", "赢", "签单"],
            OpportunityStatus::Lost => &["失败", "输单", "已丢单", "丢失"],
        }
    }
}

/// A stage of the pipeline and the probability an opportunity entering it gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Stage {
    pub id: i64,
    pub name: String,
    pub name_en: String,
    pub probability: i64,
    pub sort_order: i64,
    pub active: bool,
}

pub async fn stages(db: &Db) -> Result<Vec<Stage>> {
    Ok(sqlx::query_as(
        "SELECT id, name, name_en, probability, sort_order, active FROM opportunity_stages ORDER BY sort_order, id",
    )
    .fetch_all(db.pool())
    .await?)
}

/// An opportunity as a form, an import row or the CLI sends it. Empty strings mean "not given".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OpportunityInput {
    /// Empty: the next `OP000123`.
    pub code: String,
    pub customer_id: Option<i64>,
    pub customer_code: String,
    /// A user name; empty: the acting salesperson, else the customer's owner.
    pub salesperson: String,
    pub name: String,
    pub amount: String,
    pub stage_id: Option<i64>,
    /// A stage by its Chinese or English name when no id is given; empty: the first stage.
    pub stage: String,
    /// Percent, 0–100; empty: the stage's.
    pub probability: String,
    /// Empty: 30 days from today.
    pub expected_close: String,
    /// open (default), won or lost: files bring closed deals; forms close through [`close`].
    pub status: String,
    pub closed_on: String,
    /// A lost deal's reason, by name.
    pub lost_reason: String,
    pub notes: String,
    pub version: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Opportunity {
    pub id: i64,
    pub code: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub salesperson_id: Option<i64>,
    pub salesperson: Option<String>,
    pub branch_id: Option<i64>,
    pub name: String,
    pub amount: Money,
    pub stage_id: i64,
    pub stage: String,
    pub stage_en: String,
    pub probability: i64,
    pub expected_close: String,
    pub status: String,
    pub closed_on: Option<String>,
    pub lost_reason_id: Option<i64>,
    pub lost_reason: Option<String>,
    pub order_id: Option<i64>,
    pub order_no: Option<String>,
    pub notes: String,
    pub created_on: String,
    pub version: i64,
}

const OPPORTUNITY_SELECT: &str = "SELECT p.id, p.code, p.customer_id, c.code AS customer_code, c.name AS customer_name,
        p.salesperson_id, u.username AS salesperson, p.branch_id, p.name, p.amount, p.stage_id, s.name AS stage,
        s.name_en AS stage_en, p.probability, p.expected_close, p.status, p.closed_on, p.lost_reason_id,
        r.name AS lost_reason, p.order_id, o.order_no, p.notes, p.created_on, p.version
    FROM opportunities p JOIN customers c ON c.id = p.customer_id
    JOIN opportunity_stages s ON s.id = p.stage_id
    LEFT JOIN users u ON u.id = p.salesperson_id
    LEFT JOIN lost_reasons r ON r.id = p.lost_reason_id
    LEFT JOIN orders o ON o.id = p.order_id";

/// An opportunity's weighted amount: amount × probability %, rounded half away from zero (amounts are
/// never negative, so half up). The forecast's SQL does the same sum: `(amount * probability + 50) / 100`.
/// The table holds probabilities of 0 to 100, so the weighted amount is never more than the amount.
pub fn weighted(amount: Money, probability: i64) -> Money {
    let minor = (i128::from(amount.minor()) * i128::from(probability.clamp(0, 100)) + 50) / 100;
    Money::from_i128(minor).unwrap_or(amount)
}

/// The largest amount an opportunity may have: what any amount may be ([`crate::money::MAX_ENTRY`],
/// 100 billion yuan, which the table checks too), so that amount × probability and their sums stay far
/// inside 64 bits.
pub const MAX_AMOUNT: Money = crate::money::MAX_ENTRY;

pub(crate) async fn fetch_visible_in(conn: &mut SqliteConnection, actor: &Actor, id: i64) -> Result<Opportunity> {
    let mut builder = QueryBuilder::<Sqlite>::new(OPPORTUNITY_SELECT);
    builder.push(" WHERE p.id = ").push_bind(id);
    salesperson::push_scope(&mut builder, "p", actor.scope());
    builder.build_query_as().fetch_optional(conn).await?.ok_or_else(|| Error::not_found("opportunity", id))
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Opportunity> {
    actor.require(Permission::ReadSales)?;
    fetch_visible_in(&mut *db.pool().acquire().await?, actor, id).await
}

pub async fn by_code(db: &Db, actor: &Actor, code: &str) -> Result<Opportunity> {
    actor.require(Permission::ReadSales)?;
    let id: i64 = sqlx::query_scalar("SELECT id FROM opportunities WHERE code = ?")
        .bind(code.trim())
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| Error::not_found("opportunity", code))?;
    get(db, actor, id).await
}

/// An opportunity once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValidOpportunity {
    pub code: Option<String>,
    pub customer_id: i64,
    pub assignee: Assignee,
    pub name: String,
    pub amount: Money,
    pub stage_id: i64,
    pub probability: i64,
    pub expected_close: NaiveDate,
    pub status: OpportunityStatus,
    pub closed_on: Option<NaiveDate>,
    pub lost_reason_id: Option<i64>,
    pub notes: String,
}

/// Checks every field against what the form names, read from the company file.
pub(crate) async fn validate(
    conn: &mut SqliteConnection,
    actor: &Actor,
    input: &OpportunityInput,
) -> Result<ValidOpportunity> {
    let wanted = Wanted {
        customer_ids: input.customer_id.into_iter().collect(),
        customer_codes: vec![input.customer_code.as_str()],
        picks: vec![(PickList::LostReason, input.lost_reason.as_str())],
    };
    let directory = Directory::for_names(conn, &wanted).await?;
    check(actor, input, &directory)
}

/// Checks every field, naming every problem; the customer must be one the actor sees. Pure: an import
/// runs it against the directory it read at its start.
pub(crate) fn check(actor: &Actor, input: &OpportunityInput, directory: &Directory) -> Result<ValidOpportunity> {
    let mut problems: Vec<FieldError> = Vec::new();
    let code = text::collect(text::bounded("code", &input.code, 40), String::new(), &mut problems);
    let name = text::collect(text::required("name", &input.name, 200), String::new(), &mut problems);
    let notes = text::collect(text::bounded("notes", &input.notes, 2_000), String::new(), &mut problems);
    // Parsing refuses more than MAX_AMOUNT.
    let amount = match input.amount.trim().parse::<Money>() {
        Ok(amount) if !amount.is_negative() => amount,
        Ok(_) => {
            problems.push(FieldError { field: "amount", reason: Reason::NotPositive { value: input.amount.clone() } });
            Money::ZERO
        }
        Err(e) => {
            problems.push(FieldError { field: "amount", reason: e.into() });
            Money::ZERO
        }
    };
    // Today only when the row gives no date: the local date costs a look at the time zone.
    let expected_close = match input.expected_close.trim() {
        "" => today() + chrono::Days::new(30),
        typed => text::collect(text::parse_date("expected_close", typed), NaiveDate::MIN, &mut problems),
    };
    let status = OpportunityStatus::parse(&input.status).unwrap_or_else(|| {
        let reason = OpportunityStatus::not_allowed(&input.status);
        problems.push(FieldError { field: "status", reason });
        OpportunityStatus::Open
    });
    let closed_on = match status {
        OpportunityStatus::Open if !input.closed_on.trim().is_empty() => {
            let reason = Reason::OpenHasNoCloseDate { value: input.closed_on.trim().to_string() };
            problems.push(FieldError { field: "closed_on", reason });
            None
        }
        OpportunityStatus::Open => None,
        _ => Some(text::collect(
            text::date_or("closed_on", &input.closed_on, expected_close),
            expected_close,
            &mut problems,
        )),
    };
    let lost_reason_id = match (status, input.lost_reason.trim()) {
        (OpportunityStatus::Lost, "") => {
            problems.push(FieldError { field: "lost_reason", reason: Reason::Required });
            None
        }
        (OpportunityStatus::Lost, reason) => {
            directory.required_entry(PickList::LostReason, PickList::LostReason.field(), reason, &mut problems)
        }
        (_, "") => None,
        (_, reason) => {
            let reason = Reason::OnlyLostHasReason { value: reason.to_string() };
            problems.push(FieldError { field: "lost_reason", reason });
            None
        }
    };
    let stage = directory.stage(input.stage_id, &input.stage).map(|s| (s.id, s.probability));
    if stage.is_none() {
        let value = input.stage_id.map_or(input.stage.trim().to_string(), |id| id.to_string());
        problems.push(FieldError { field: "stage", reason: Reason::Unknown { value } });
    }
    let (stage_id, stage_probability) = stage.unwrap_or_default();
    let probability = match (status, input.probability.trim()) {
        (OpportunityStatus::Won, _) => 100,
        (OpportunityStatus::Lost, _) => 0,
        (OpportunityStatus::Open, "") => stage_probability,
        (OpportunityStatus::Open, typed) => match typed.trim_end_matches('%').trim().parse::<i64>() {
            Ok(p) if (0..=100).contains(&p) => p,
            _ => {
                let reason = Reason::OutOfRange { value: typed.into(), min: 0, max: 100, unit: RangeUnit::Percent };
                problems.push(FieldError { field: "probability", reason });
                0
            }
        },
    };
    let customer =
        directory.customer(actor, "customer_code", input.customer_id, &input.customer_code, true, &mut problems);
    let assignee = directory.assignee(actor, "salesperson", &input.salesperson, customer, &mut problems);
    match customer {
        Some(customer) if problems.is_empty() => Ok(ValidOpportunity {
            code: (!code.is_empty()).then_some(code),
            customer_id: customer.id,
            assignee,
            name,
            amount,
            stage_id,
            probability,
            expected_close,
            status,
            closed_on,
            lost_reason_id,
            notes,
        }),
        _ => Err(Error::from_fields(problems)),
    }
}

type Query<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>;

/// Binds an opportunity's fields in the order both the insert and the update name them.
fn bind_fields<'q>(query: Query<'q>, code: &'q str, valid: &'q ValidOpportunity) -> Query<'q> {
    query
        .bind(code)
        .bind(valid.customer_id)
        .bind(valid.assignee.salesperson_id)
        .bind(valid.assignee.branch_id)
        .bind(&valid.name)
        .bind(valid.amount)
        .bind(valid.stage_id)
        .bind(valid.probability)
        .bind(valid.expected_close.to_string())
        .bind(valid.status.as_str())
        .bind(valid.closed_on.map(|d| d.to_string()))
        .bind(valid.lost_reason_id)
        .bind(&valid.notes)
}

/// Writes a new opportunity (numbered when it has no code yet) and returns its id.
pub(crate) async fn insert_in(
    conn: &mut SqliteConnection,
    actor: &Actor,
    valid: &ValidOpportunity,
    batch: Option<i64>,
) -> Result<i64> {
    let mut valid = valid.clone();
    let code = match valid.code.take() {
        Some(code) => code,
        None => next_number(conn, "opportunities", "code", "OP").await?,
    };
    valid.code = Some(code.clone());
    insert::insert_one(conn, &valid, actor, batch)
        .await
        .map_err(|e| insert::unique_violation(e, "opportunity", "code", &code))
}

impl Insertable for ValidOpportunity {
    const TABLE: &'static str = "opportunities";
    const INSERTED: &'static [&'static str] = &[
        "code",
        "customer_id",
        "salesperson_id",
        "branch_id",
        "name",
        "amount",
        "stage_id",
        "probability",
        "expected_close",
        "status",
        "closed_on",
        "lost_reason_id",
        "notes",
        "created_on",
        "updated_at",
    ];

    /// A record without a code is numbered by [`insert_in`] before it gets here.
    fn inserted(&self, inserting: &Inserting) -> Vec<Value> {
        vec![
            insert::text(self.code.clone().unwrap_or_default()),
            Value::Integer(self.customer_id),
            insert::optional(self.assignee.salesperson_id),
            insert::optional(self.assignee.branch_id),
            insert::text(self.name.as_str()),
            Value::Integer(self.amount.minor()),
            Value::Integer(self.stage_id),
            Value::Integer(self.probability),
            insert::text(self.expected_close.to_string()),
            insert::text(self.status.as_str()),
            insert::optional(self.closed_on.map(|d| d.to_string())),
            insert::optional(self.lost_reason_id),
            insert::text(self.notes.as_str()),
            insert::text(inserting.today.to_string()),
            insert::text(inserting.now.as_str()),
        ]
    }
}

pub(crate) async fn update_in(
    conn: &mut SqliteConnection,
    id: i64,
    code: &str,
    valid: &ValidOpportunity,
) -> Result<()> {
    let update = sqlx::query(
        "UPDATE opportunities SET code = ?, customer_id = ?, salesperson_id = ?, branch_id = ?, name = ?, amount = ?,
             stage_id = ?, probability = ?, expected_close = ?, status = ?, closed_on = ?, lost_reason_id = ?,
             notes = ?, version = version + 1, updated_at = ?
         WHERE id = ?",
    );
    bind_fields(update, code, valid)
        .bind(now_stamp())
        .bind(id)
        .execute(conn)
        .await
        .map_err(|e| unique_violation(e, "opportunity", "code", code))?;
    Ok(())
}

/// Opens an opportunity (or records a closed one, as files do).
pub async fn create(db: &Db, actor: &Actor, input: &OpportunityInput) -> Result<Opportunity> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let valid = validate(&mut tx, actor, input).await?;
    let id = insert_in(&mut tx, actor, &valid, None).await?;
    let created = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record(&mut tx, actor, "opportunity", id, "create", serde_json::to_value(&created).unwrap_or_default())
        .await?;
    tx.commit().await?;
    Ok(created)
}

/// Edits an opportunity's fields; those the input leaves empty (stage, salesperson, customer, expected
/// close, status) stay as they were.
pub async fn update(db: &Db, actor: &Actor, id: i64, input: &OpportunityInput) -> Result<Opportunity> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let before = fetch_visible_in(&mut tx, actor, id).await?;
    if input.version.is_some_and(|v| v != before.version) {
        return Err(Error::Conflict { entity: "opportunity" });
    }
    // What the input leaves empty stays as it was.
    let mut input = input.clone();
    if input.stage_id.is_none() && input.stage.trim().is_empty() {
        input.stage_id = Some(before.stage_id);
    }
    if input.salesperson.trim().is_empty() {
        input.salesperson = before.salesperson.clone().unwrap_or_default();
    }
    if input.expected_close.trim().is_empty() {
        input.expected_close = before.expected_close.clone();
    }
    if input.customer_id.is_none() && input.customer_code.trim().is_empty() {
        input.customer_id = Some(before.customer_id);
    }
    if input.status.trim().is_empty() {
        input.status = before.status.clone();
        if input.closed_on.trim().is_empty() {
            input.closed_on = before.closed_on.clone().unwrap_or_default();
        }
        if input.lost_reason.trim().is_empty() {
            input.lost_reason = before.lost_reason.clone().unwrap_or_default();
        }
    }
    let valid = validate(&mut tx, actor, &input).await?;
    let code = valid.code.clone().unwrap_or(before.code.clone());
    update_in(&mut tx, id, &code, &valid).await?;
    let after = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record_changes(&mut tx, actor, "opportunity", id, "update", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// Moves an opportunity to a stage (a drag on the board): it takes the stage's probability, and a
/// closed one opens again.
pub async fn move_to_stage(db: &Db, actor: &Actor, id: i64, stage_id: i64) -> Result<Opportunity> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let before = fetch_visible_in(&mut tx, actor, id).await?;
    let probability: i64 = sqlx::query_scalar("SELECT probability FROM opportunity_stages WHERE id = ? AND active = 1")
        .bind(stage_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| Error::invalid("stage", Reason::Unknown { value: stage_id.to_string() }))?;
    sqlx::query(
        "UPDATE opportunities SET stage_id = ?, probability = ?, status = 'open', closed_on = NULL,
             lost_reason_id = NULL, version = version + 1, updated_at = ?
         WHERE id = ?",
    )
    .bind(stage_id)
    .bind(probability)
    .bind(now_stamp())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let after = fetch_visible_in(&mut tx, actor, id).await?;
    audit::record_changes(&mut tx, actor, "opportunity", id, "move", &before, &after).await?;
    tx.commit().await?;
    Ok(after)
}

/// How a deal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub enum Outcome {
    Won,
    /// A lost deal needs its reason (an entry of the lost-reason list).
    Lost {
        reason_id: i64,
    },
}

/// Closes an opportunity as won (probability 100) or lost (probability 0, with its reason); it keeps
/// its amount. `on` defaults to today.
pub async fn close(db: &Db, actor: &Actor, id: i64, outcome: Outcome, on: Option<NaiveDate>) -> Result<Opportunity> {
    actor.require(Permission::WriteSales)?;
    let mut tx = db.write().await?;
    let closed = close_in(&mut tx, actor, id, outcome, on.unwrap_or_else(today)).await?;
    tx.commit().await?;
    Ok(closed)
}

pub(crate) async fn close_in(
    conn: &mut SqliteConnection,
    actor: &Actor,
    id: i64,
    outcome: Outcome,
    on: NaiveDate,
) -> Result<Opportunity> {
    let before = fetch_visible_in(conn, actor, id).await?;
    let (status, probability, reason) = match outcome {
        Outcome::Won => (OpportunityStatus::Won, 100, None),
        Outcome::Lost { reason_id } => {
            let known: Option<i64> = sqlx::query_scalar("SELECT id FROM lost_reasons WHERE id = ?")
                .bind(reason_id)
                .fetch_optional(&mut *conn)
                .await?;
            let reason_id =
                known.ok_or_else(|| Error::invalid("lost_reason", Reason::Unknown { value: reason_id.to_string() }))?;
            (OpportunityStatus::Lost, 0, Some(reason_id))
        }
    };
    sqlx::query(
        "UPDATE opportunities SET status = ?, probability = ?, closed_on = ?, lost_reason_id = ?,
             version = version + 1, updated_at = ?
         WHERE id = ?",
    )
    .bind(status.as_str())
    .bind(probability)
    .bind(on.to_string())
    .bind(reason)
    .bind(now_stamp())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let after = fetch_visible_in(conn, actor, id).await?;
    audit::record_changes(conn, actor, "opportunity", id, status.as_str(), &before, &after).await?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OpportunityQuery {
    /// A code (or its start), or part of the opportunity's or the customer's name.
    pub text: String,
    pub status: Option<OpportunityStatus>,
    pub stage_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub salesperson_id: Option<i64>,
    /// Inclusive ISO dates on the closing date (closed ones) or the expected close (open ones).
    pub from: Option<String>,
    pub to: Option<String>,
    pub offset: i64,
    pub limit: Option<i64>,
}

fn push_filters(builder: &mut QueryBuilder<Sqlite>, actor: &Actor, query: &OpportunityQuery) {
    builder.push(" WHERE 1 = 1");
    salesperson::push_scope(builder, "p", actor.scope());
    if let Some(status) = query.status {
        builder.push(" AND p.status = ").push_bind(status.as_str());
    }
    if let Some(stage) = query.stage_id {
        builder.push(" AND p.stage_id = ").push_bind(stage);
    }
    if let Some(customer) = query.customer_id {
        builder.push(" AND p.customer_id = ").push_bind(customer);
    }
    if let Some(salesperson) = query.salesperson_id {
        builder.push(" AND p.salesperson_id = ").push_bind(salesperson);
    }
    push_between(builder, "coalesce(p.closed_on, p.expected_close)", &query.from, &query.to);
    let text = query.text.trim();
    if !text.is_empty() {
        push_contains(builder, &["p.code", "p.name", "c.name", "c.code"], text);
    }
}

/// Opportunities the actor sees, open ones by expected close, closed ones newest first.
pub async fn list(db: &Db, actor: &Actor, query: &OpportunityQuery) -> Result<Page<Opportunity>> {
    actor.require(Permission::ReadSales)?;
    // One status at a time pages along its index; all of them mix open and closed deals.
    let order = match query.status {
        Some(OpportunityStatus::Open) => "ORDER BY p.expected_close, p.id",
        Some(_) => "ORDER BY p.closed_on DESC, p.id DESC",
        None => {
            "ORDER BY p.status <> 'open', CASE WHEN p.status = 'open' THEN p.expected_close END,
                 p.closed_on DESC, p.id DESC"
        }
    };
    fetch_page(
        db,
        "SELECT count(*) FROM opportunities p JOIN customers c ON c.id = p.customer_id",
        OPPORTUNITY_SELECT,
        |builder| push_filters(builder, actor, query),
        order,
        query.offset,
        query.limit,
    )
    .await
}

/// One column of the board: an open stage, or the won or lost deals closed recently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardColumn {
    /// "stage", "won" or "lost".
    pub kind: &'static str,
    pub stage_id: Option<i64>,
    pub name: String,
    pub name_en: String,
    pub probability: Option<i64>,
    pub count: i64,
    pub amount: Money,
    pub weighted: Money,
    /// The first cards (at most `BOARD_CARDS`), open ones by expected close, closed ones newest first.
    pub cards: Vec<Opportunity>,
}

/// Cards shown per column; the counts and sums cover all of them.
pub const BOARD_CARDS: i64 = 100;

/// The kanban board: a column per active stage with its open opportunities, then won and lost ones
/// closed on or after `closed_since` (default: 90 days ago).
pub async fn board(db: &Db, actor: &Actor, closed_since: Option<NaiveDate>) -> Result<Vec<BoardColumn>> {
    actor.require(Permission::ReadSales)?;
    let closed_since = closed_since.unwrap_or_else(|| today() - chrono::Days::new(90)).to_string();
    let mut conn = db.pool().acquire().await?;
    let mut columns: Vec<BoardColumn> = stages(db)
        .await?
        .into_iter()
        .filter(|s| s.active)
        .map(|s| BoardColumn {
            kind: "stage",
            stage_id: Some(s.id),
            name: s.name,
            name_en: s.name_en,
            probability: Some(s.probability),
            count: 0,
            amount: Money::ZERO,
            weighted: Money::ZERO,
            cards: Vec::new(),
        })
        .collect();
    for (kind, name, name_en) in [("won", "赢单", "Won"), ("lost", "丢单", "Lost")] {
        columns.push(BoardColumn {
            kind,
            stage_id: None,
            name: name.into(),
            name_en: name_en.into(),
            probability: None,
            count: 0,
            amount: Money::ZERO,
            weighted: Money::ZERO,
            cards: Vec::new(),
        });
    }
    for column in &mut columns {
        let filter = |builder: &mut QueryBuilder<Sqlite>| {
            builder.push(" WHERE 1 = 1");
            salesperson::push_scope(builder, "p", actor.scope());
            match column.stage_id {
                Some(stage) => {
                    builder.push(" AND p.status = 'open' AND p.stage_id = ").push_bind(stage);
                }
                None => {
                    builder.push(" AND p.status = ").push_bind(column.kind);
                    builder.push(" AND p.closed_on >= ").push_bind(closed_since.clone());
                }
            }
        };
        // Sums of amounts the table bounds by MAX_AMOUNT: they fit in 64 bits up to 900,000 opportunities
        // in one column, and beyond that SQLite's sum() raises "integer overflow" (an Error::Db), never wraps.
        let mut sums = QueryBuilder::<Sqlite>::new(
            "SELECT count(*), coalesce(sum(p.amount), 0), coalesce(sum((p.amount * p.probability + 50) / 100), 0)
             FROM opportunities p",
        );
        filter(&mut sums);
        let (count, amount, weighted): (i64, Money, Money) = sums.build_query_as().fetch_one(&mut *conn).await?;
        let mut cards = QueryBuilder::<Sqlite>::new(OPPORTUNITY_SELECT);
        filter(&mut cards);
        cards.push(if column.stage_id.is_some() {
            " ORDER BY p.expected_close, p.id LIMIT "
        } else {
            " ORDER BY p.closed_on DESC, p.id DESC LIMIT "
        });
        cards.push_bind(BOARD_CARDS);
        column.cards = cards.build_query_as().fetch_all(&mut *conn).await?;
        (column.count, column.amount, column.weighted) = (count, amount, weighted);
    }
    Ok(columns)
}

/// One month of the forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForecastMonth {
    /// "2026-11".
    pub month: String,
    /// Open opportunities expected to close this month, their amount and amount × probability.
    pub open_count: i64,
    pub open_amount: Money,
    pub weighted: Money,
    /// What was actually won in the month.
    pub won_count: i64,
    pub won_amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forecast {
    pub months: Vec<ForecastMonth>,
    /// Open opportunities whose expected close is already before the first month.
    pub overdue_count: i64,
    pub overdue_weighted: Money,
}

/// The forecast over `months` months from the month of `from` (default: this month).
pub async fn forecast(db: &Db, actor: &Actor, from: Option<NaiveDate>, months: u32) -> Result<Forecast> {
    actor.require(Permission::ReadSales)?;
    let from = from.unwrap_or_else(today);
    let first = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
    let months = months.clamp(1, 60);
    let end = first + chrono::Months::new(months);
    let mut conn = db.pool().acquire().await?;
    // Sums of bounded amounts, as on the board: exact, or SQLite's "integer overflow" error.
    let grouped = |status: &'static str, date_column: &'static str| {
        let mut builder = QueryBuilder::<Sqlite>::new(format!(
            "SELECT substr(p.{date_column}, 1, 7), count(*), coalesce(sum(p.amount), 0),
                    coalesce(sum((p.amount * p.probability + 50) / 100), 0)
             FROM opportunities p"
        ));
        builder.push(" WHERE p.status = ").push_bind(status);
        salesperson::push_scope(&mut builder, "p", actor.scope());
        builder.push(format_args!(" AND p.{date_column} >= ")).push_bind(first.to_string());
        builder.push(format_args!(" AND p.{date_column} < ")).push_bind(end.to_string());
        builder.push(" GROUP BY 1");
        builder
    };
    let open: Vec<(String, i64, Money, Money)> =
        grouped("open", "expected_close").build_query_as().fetch_all(&mut *conn).await?;
    let won: Vec<(String, i64, Money, Money)> =
        grouped("won", "closed_on").build_query_as().fetch_all(&mut *conn).await?;
    let mut overdue = QueryBuilder::<Sqlite>::new(
        "SELECT count(*), coalesce(sum((p.amount * p.probability + 50) / 100), 0) FROM opportunities p
         WHERE p.status = 'open'",
    );
    salesperson::push_scope(&mut overdue, "p", actor.scope());
    overdue.push(" AND p.expected_close < ").push_bind(first.to_string());
    let (overdue_count, overdue_weighted): (i64, Money) = overdue.build_query_as().fetch_one(&mut *conn).await?;
    let months = (0..months)
        .map(|n| {
            let month = (first + chrono::Months::new(n)).format("%Y-%m").to_string();
            let open = open.iter().find(|row| row.0 == month);
            let won = won.iter().find(|row| row.0 == month);
            ForecastMonth {
                open_count: open.map_or(0, |r| r.1),
                open_amount: open.map_or(Money::ZERO, |r| r.2),
                weighted: open.map_or(Money::ZERO, |r| r.3),
                won_count: won.map_or(0, |r| r.1),
                won_amount: won.map_or(Money::ZERO, |r| r.2),
                month,
            }
        })
        .collect();
    Ok(Forecast { months, overdue_count, overdue_weighted })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opportunity_status_is_read_and_listed_from_its_variants() {
        crate::choice::tests::check::<OpportunityStatus>();
        assert_eq!(OpportunityStatus::parse(" "), Some(OpportunityStatus::Open));
        assert_eq!(OpportunityStatus::parse("成交"), Some(OpportunityStatus::Won));
        assert_eq!(OpportunityStatus::parse("失败"), Some(OpportunityStatus::Lost));
    }
}
