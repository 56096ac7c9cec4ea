//! Values of an import that an editable list backs (customer sources and levels, deal stages and lost
//! reasons, expense categories, salespeople): each unknown one is listed with its count, and mapped to a
//! known entry or added to its list, before the entity's own checks see the row (SPEC §2.9).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::auth::{Actor, Permission};
use crate::choice::Choice;
use crate::crm::picklists::{self, PickList};
use crate::error::{Error, Reason, Result};
use crate::io::columns::{self, ColumnMap};
use crate::io::entity::Entity;
use crate::io::fields;
use crate::io::notice::Notice;
use crate::sales::pipeline::OpportunityStatus;

/// An editable list that backs a column of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueList {
    Pick(PickList),
    /// The pipeline's stages (table `opportunity_stages`): each has a probability and a place on the board.
    Stage,
    /// Salespeople, operators, owners: users, made record-only when a file names someone new.
    User,
}

impl ValueList {
    /// The stable key the window and the CLI see: a pick list's own key, `stage` or `user`.
    pub fn key(self) -> &'static str {
        match self {
            ValueList::Pick(list) => list.as_str(),
            ValueList::Stage => "stage",
            ValueList::User => "user",
        }
    }
}

impl Serialize for ValueList {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

/// Which column of which entity an editable list backs. Order lines are not here: they are checked on
/// the reading thread, by position, before any row reaches this module.
const BACKED: &[(Entity, &str, ValueList)] = &[
    (Entity::Customers, "source", ValueList::Pick(PickList::Source)),
    (Entity::Customers, "level", ValueList::Pick(PickList::Level)),
    (Entity::Customers, "owner", ValueList::User),
    (Entity::Opportunities, "stage", ValueList::Stage),
    (Entity::Opportunities, "lost_reason", ValueList::Pick(PickList::LostReason)),
    (Entity::Opportunities, "salesperson", ValueList::User),
    (Entity::Expenses, "category", ValueList::Pick(PickList::ExpenseCategory)),
    (Entity::Expenses, "salesperson", ValueList::User),
    (Entity::Activities, "operator", ValueList::User),
];

/// The list behind `column` of `entity`, if an editable one backs it.
pub fn list_of(entity: Entity, column: &str) -> Option<ValueList> {
    BACKED.iter().find(|(e, c, _)| *e == entity && *c == column).map(|(_, _, list)| *list)
}

/// What a person chose for values of a file: column key → value in the file → the entry it means.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ValueMap(pub BTreeMap<String, BTreeMap<String, String>>);

impl ValueMap {
    pub fn is_empty(&self) -> bool {
        self.0.values().all(BTreeMap::is_empty)
    }

    /// Maps `from` in column `column` to `to`.
    pub fn insert(&mut self, column: &str, from: &str, to: &str) {
        self.0.entry(column.to_string()).or_default().insert(from.trim().to_string(), to.trim().to_string());
    }

    fn get(&self, column: &str, from: &str) -> Option<&str> {
        self.0.get(column).and_then(|m| m.get(from)).map(String::as_str)
    }

    /// Adds what the command line says, `COLUMN:FROM=TO`, where COLUMN is a column key or one of its
    /// Chinese headers (`来源:展会会务=展会`).
    pub fn add_spec(&mut self, entity: Entity, spec: &str) -> Result<()> {
        let malformed = || {
            Error::invalid(
                "map_value",
                Reason::NotAllowed { value: spec.to_string(), allowed: "COLUMN:FROM=TO".into() },
            )
        };
        let (column, pair) = spec.split_once([':', '：']).ok_or_else(malformed)?;
        let (from, to) = pair.split_once('=').ok_or_else(malformed)?;
        if from.trim().is_empty() || to.trim().is_empty() {
            return Err(malformed());
        }
        let key = columns::find(entity.columns(), column).map(|c| c.key).unwrap_or_default();
        self.insert(key_of_backed(entity, column, key)?, from, to);
        Ok(())
    }

    /// Checks that every column is one a list backs and every target an entry of its list (or, for a
    /// stage, a deal's outcome).
    async fn check(&self, conn: &mut SqliteConnection, entity: Entity) -> Result<()> {
        for (column, pairs) in &self.0 {
            let key = key_of_backed(entity, column, column)?;
            let Some(list) = list_of(entity, key) else { continue };
            for to in pairs.values() {
                let closes = list == ValueList::Stage && outcome_named(to).is_some();
                if !closes && !known(conn, list, to).await? {
                    return Err(Error::invalid("map_value", Reason::Unknown { value: to.clone() }));
                }
            }
        }
        Ok(())
    }
}

/// `key` when a list backs that column of `entity`; else the error naming the columns that have one.
fn key_of_backed<'k>(entity: Entity, given: &str, key: &'k str) -> Result<&'k str> {
    if list_of(entity, key).is_some() {
        return Ok(key);
    }
    let allowed = BACKED.iter().filter(|(e, _, _)| *e == entity).map(|(_, c, _)| *c).collect::<Vec<_>>().join(", ");
    Err(Error::invalid("map_value", Reason::NotAllowed { value: given.trim().to_string(), allowed }))
}

/// What became of an unknown (or mapped) value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ValueOutcome {
    /// Added to its list (with a notice).
    Added,
    /// Read as the entry the value map names.
    MappedTo { mapped_to: String },
    /// Left unknown: the user may not edit the lists (or no list could hold it), so each row naming it
    /// is refused.
    Refused,
}

/// One value a file gave that its list did not know, or that the value map translated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownValue {
    pub column: &'static str,
    pub list: ValueList,
    pub value: String,
    /// How many rows gave it.
    pub count: u64,
    #[serde(flatten)]
    pub outcome: ValueOutcome,
}

/// What is known of a value already met in a column: nothing to do, or an entry of the tally.
#[derive(Clone, Copy)]
enum Seen {
    Known,
    Tallied(usize),
}

/// Translates the backed values of each row of one import, and keeps the tally of what it met.
pub(crate) struct Translator {
    /// Each backed column the file has: its key, list, and position in the file.
    columns: Vec<(&'static str, ValueList, usize)>,
    /// Where the file gives a deal's status, if it does.
    status_position: Option<usize>,
    values: ValueMap,
    may_add: bool,
    /// Per backed column, each value met so far (looked up without allocating: a million rows name a
    /// handful of sources).
    seen: Vec<HashMap<String, Seen>>,
    tally: Vec<UnknownValue>,
    /// The stage a closed deal is filed under when its stage column names its outcome.
    last_open_stage: Option<String>,
}

/// A value a row's column must read as instead of what the file says (a mapped value, or a deal's
/// status taken from its stage column), for `RowFields::overrides`.
pub type Overrides = Vec<(&'static str, String)>;

impl Translator {
    /// Reads which backed columns the file has; refuses a value map that names an unknown entry.
    pub(crate) async fn start(
        conn: &mut SqliteConnection,
        actor: &Actor,
        entity: Entity,
        map: &ColumnMap,
        values: ValueMap,
    ) -> Result<Translator> {
        values.check(conn, entity).await?;
        let format = entity.columns();
        let position = |key: &str| format.iter().position(|c| c.key == key).and_then(|i| map.positions[i]);
        let columns = BACKED
            .iter()
            .filter(|(e, _, _)| *e == entity)
            .filter_map(|(_, key, list)| position(key).map(|p| (*key, *list, p)))
            .collect::<Vec<_>>();
        let last_open_stage = if columns.iter().any(|c| c.1 == ValueList::Stage) {
            sqlx::query_scalar("SELECT name FROM opportunity_stages WHERE active = 1 ORDER BY sort_order DESC, id DESC")
                .fetch_optional(&mut *conn)
                .await?
        } else {
            None
        };
        let seen = vec![HashMap::new(); columns.len()];
        Ok(Translator {
            columns,
            status_position: position("status"),
            values,
            may_add: actor.can(Permission::EditPickLists),
            seen,
            tally: Vec::new(),
            last_open_stage,
        })
    }

    /// What the row's backed columns read as: values the map names become its targets; unknown ones
    /// are added to their lists (once each, with a notice) when the actor may, else left for the
    /// entity's checks to refuse. A stage naming a closed deal's outcome is read as its status.
    pub(crate) async fn translate(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        fields: &[String],
        notices: &mut Vec<Notice>,
    ) -> Result<Overrides> {
        let mut overrides = Overrides::new();
        for index in 0..self.columns.len() {
            let (key, list, position) = self.columns[index];
            let value = fields.get(position).map_or("", |f| f.trim());
            if value.is_empty() {
                continue;
            }
            if list == ValueList::Stage
                && let Some(status) = outcome_named(value)
            {
                self.read_as_outcome(fields, status, &mut overrides);
                continue;
            }
            let seen = match self.seen[index].get(value) {
                Some(seen) => *seen,
                None => {
                    let seen = self.first_met(conn, actor, key, list, value, notices).await?;
                    self.seen[index].insert(value.to_string(), seen);
                    seen
                }
            };
            if let Seen::Tallied(entry) = seen {
                let unknown = &mut self.tally[entry];
                unknown.count += 1;
                if let ValueOutcome::MappedTo { mapped_to } = &unknown.outcome {
                    match outcome_named(mapped_to).filter(|_| list == ValueList::Stage) {
                        Some(status) => self.read_as_outcome(fields, status, &mut overrides),
                        None => overrides.push((key, mapped_to.clone())),
                    }
                }
            }
        }
        Ok(overrides)
    }

    /// Decides what a value met for the first time in its column becomes.
    async fn first_met(
        &mut self,
        conn: &mut SqliteConnection,
        actor: &Actor,
        column: &'static str,
        list: ValueList,
        value: &str,
        notices: &mut Vec<Notice>,
    ) -> Result<Seen> {
        let added = match self.values.get(column, value) {
            Some(to) => Ok(ValueOutcome::MappedTo { mapped_to: to.to_string() }),
            None if known(conn, list, value).await? => return Ok(Seen::Known),
            None => match list {
                ValueList::User => {
                    fields::ensure_salesperson(conn, actor, value, notices).await.map(|()| ValueOutcome::Added)
                }
                ValueList::Pick(_) | ValueList::Stage if !self.may_add => Ok(ValueOutcome::Refused),
                ValueList::Pick(pick) => {
                    fields::ensure_pick(conn, actor, pick, value, notices).await.map(|()| ValueOutcome::Added)
                }
                ValueList::Stage => add_stage(conn, actor, value).await.map(|()| {
                    notices.push(Notice::StageAdded { name: value.to_string() });
                    ValueOutcome::Added
                }),
            },
        };
        let outcome = match added {
            Ok(outcome) => outcome,
            // A value no list could hold (too long for an entry): each row naming it is refused by the
            // entity's own checks, as the file's fault, rather than the whole import stopping here.
            Err(Error::Invalid { .. } | Error::Fields(_)) => ValueOutcome::Refused,
            Err(fault) => return Err(fault),
        };
        self.tally.push(UnknownValue { column, list, value: value.to_string(), count: 0, outcome });
        Ok(Seen::Tallied(self.tally.len() - 1))
    }

    /// A closed deal whose stage column says how it ended: its status is that (unless a status column
    /// says otherwise: the file's own status wins), and its stage the last open one, the stage a deal
    /// closes from.
    fn read_as_outcome(&self, fields: &[String], status: OpportunityStatus, overrides: &mut Overrides) {
        if let Some(stage) = &self.last_open_stage {
            overrides.push(("stage", stage.clone()));
        }
        let status_given = self.status_position.and_then(|p| fields.get(p)).is_some_and(|s| !s.trim().is_empty());
        if !status_given {
            overrides.push(("status", status.as_str().to_string()));
        }
    }

    /// How many values the import has added to their lists so far (a checker that read the lists
    /// before knows none of them).
    pub(crate) fn added(&self) -> usize {
        self.tally.iter().filter(|v| v.outcome == ValueOutcome::Added).count()
    }

    /// Each value listed once, in the order the file first gave it.
    pub(crate) fn finish(self) -> Vec<UnknownValue> {
        self.tally
    }
}

/// The closed status a stage value names (赢单, 丢单, 成交, 输单 …), never an open one.
pub fn outcome_named(value: &str) -> Option<OpportunityStatus> {
    OpportunityStatus::parse(value).filter(|s| *s != OpportunityStatus::Open)
}

/// Whether `value` names an entry of `list` as the entity's checks would find it.
async fn known(conn: &mut SqliteConnection, list: ValueList, value: &str) -> Result<bool> {
    let value = value.trim();
    let found: Option<i64> = match list {
        ValueList::Pick(pick) => match picklists::resolve(conn, pick, value).await {
            Ok(id) => Some(id),
            Err(Error::Db(e)) => return Err(Error::Db(e)),
            Err(_) => None,
        },
        ValueList::Stage => {
            sqlx::query_scalar(
                "SELECT id FROM opportunity_stages WHERE name = ?1 OR (name_en <> '' AND lower(name_en) = lower(?1)) LIMIT 1",
            )
            .bind(value)
            .fetch_optional(&mut *conn)
            .await?
        }
        ValueList::User => {
            sqlx::query_scalar("SELECT id FROM users WHERE username = ?1 OR display_name = ?1 LIMIT 1")
                .bind(value)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    Ok(found.is_some())
}

/// Adds a stage a file names. It goes after the open stages the company has (the board's columns run
/// from first contact to closing, and a file's own stages come in the order it first names them), and
/// takes the lowest probability any stage has: nothing says how far a deal in it has got, and the
/// forecast should not count on it until the owner says so.
async fn add_stage(conn: &mut SqliteConnection, actor: &Actor, name: &str) -> Result<()> {
    let name = crate::text::required("stage", name, 30)?;
    let id = sqlx::query(
        "INSERT INTO opportunity_stages (name, probability, sort_order)
         VALUES (?, (SELECT coalesce(min(probability), 10) FROM opportunity_stages WHERE active = 1),
                 (SELECT coalesce(max(sort_order), 0) + 1 FROM opportunity_stages))",
    )
    .bind(&name)
    .execute(&mut *conn)
    .await?
    .last_insert_rowid();
    crate::audit::record(conn, actor, "opportunity_stage", id, "create", serde_json::json!({ "name": name })).await
}
