//! What a record's checks look up by what a person types — customers by code, people by name, entries
//! of the editable lists by name — read from the company file once: for a form only the names it
//! gives, for an import everything at its start. The checks then run without the database, which lets
//! an import check its rows on the thread that reads the file while another writes.

use std::collections::HashMap;

use sqlx::SqliteConnection;

use crate::auth::{Actor, Role};
use crate::crm::picklists::PickList;
use crate::error::{FieldError, Reason, Result};
use crate::sales::salesperson::Assignee;

/// A customer as the checks of the records made for it need it: who owns it and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerRef {
    pub id: i64,
    pub owner_id: Option<i64>,
    pub branch_id: Option<i64>,
}

/// A user as a record names them: their id and branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonRef {
    pub id: i64,
    pub branch_id: Option<i64>,
}

/// The names a form gives, for [`Directory::for_names`].
#[derive(Debug, Default)]
pub struct Wanted<'a> {
    pub customer_ids: Vec<i64>,
    pub customer_codes: Vec<&'a str>,
    pub picks: Vec<(PickList, &'a str)>,
}

/// Customers, people and list entries, found by what a person types.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    customers: HashMap<String, CustomerRef>,
    customer_codes: HashMap<i64, String>,
    /// User name or display name → the user; a user name wins when both match.
    people: HashMap<String, PersonRef>,
    branch_of: HashMap<i64, Option<i64>>,
    /// (list, name) and (list, lower-cased English name) → entry; an active entry wins.
    picks: HashMap<(PickList, String), i64>,
    /// The pipeline's stages: name and `en:` + lower-cased English name → (id, probability).
    stages: HashMap<String, StageRef>,
    stage_by_id: HashMap<i64, StageRef>,
    /// The stage a new opportunity starts in: the first active one.
    first_stage: Option<StageRef>,
    /// How many people and entries an import had added when the lists were last read.
    added: usize,
}

/// A stage of the pipeline: its id and the probability an open deal in it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StageRef {
    pub id: i64,
    pub probability: i64,
}

/// A customer as read: code, id, owner, branch.
type CustomerRow = (String, i64, Option<i64>, Option<i64>);

impl Directory {
    /// Everything: what an import checks its rows against.
    pub async fn whole(conn: &mut SqliteConnection) -> Result<Directory> {
        let mut directory = Directory::people(conn).await?;
        // Straight from SQLite into the map: a hundred thousand customers are read at the start of every
        // import that names them, before its first row is checked. An import names customers by code
        // only: no map by id (a million customers would double it).
        let customers = &mut directory.customers;
        crate::db::with_raw(conn, |raw| {
            let count: i64 = raw.query_row("SELECT count(*) FROM customers", [], |row| row.get(0))?;
            customers.reserve(usize::try_from(count).unwrap_or_default());
            let mut select = raw.prepare("SELECT code, id, owner_id, branch_id FROM customers")?;
            let mut rows = select.query([])?;
            while let Some(row) = rows.next()? {
                customers.insert(
                    row.get(0)?,
                    CustomerRef { id: row.get(1)?, owner_id: row.get(2)?, branch_id: row.get(3)? },
                );
            }
            Ok(())
        })
        .await?;
        directory.read_lists(conn).await?;
        Ok(directory)
    }

    /// What one form names (and every user: there are few).
    pub async fn for_names(conn: &mut SqliteConnection, wanted: &Wanted<'_>) -> Result<Directory> {
        let mut directory = Directory::people(conn).await?;
        directory.read_stages(conn).await?;
        for id in &wanted.customer_ids {
            let row: Option<CustomerRow> =
                sqlx::query_as("SELECT code, id, owner_id, branch_id FROM customers WHERE id = ?")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
            directory.add_customer_option(row);
        }
        for code in &wanted.customer_codes {
            let row: Option<CustomerRow> =
                sqlx::query_as("SELECT code, id, owner_id, branch_id FROM customers WHERE code = ?")
                    .bind(code.trim())
                    .fetch_optional(&mut *conn)
                    .await?;
            directory.add_customer_option(row);
        }
        for (list, name) in &wanted.picks {
            let sql = format!(
                "SELECT id, name, name_en FROM {} WHERE name = ?1 OR (name_en <> '' AND lower(name_en) = lower(?1))
                 ORDER BY active, id DESC",
                list.table()
            );
            let entries: Vec<(i64, String, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(name.trim()).fetch_all(&mut *conn).await?;
            for (id, entry, entry_en) in entries {
                directory.add_pick(*list, id, &entry, &entry_en);
            }
        }
        Ok(directory)
    }

    /// Reads the people and every list again, keeping the customers, when an import has added to them
    /// since the last read: `added` is how many people and entries it has added so far (`io::values`
    /// counts them). True when it read them again.
    pub async fn catch_up(&mut self, conn: &mut SqliteConnection, added: usize) -> Result<bool> {
        if added == self.added {
            return Ok(false);
        }
        let fresh = Directory::people(conn).await?;
        self.people = fresh.people;
        self.branch_of = fresh.branch_of;
        self.picks.clear();
        self.read_lists(conn).await?;
        self.added = added;
        Ok(true)
    }

    /// The stages, by name and id (there are few: read whole for forms too).
    async fn read_stages(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        let stages: Vec<(i64, String, String, i64, i64, bool)> = sqlx::query_as(
            "SELECT id, name, name_en, probability, sort_order, active FROM opportunity_stages ORDER BY id DESC",
        )
        .fetch_all(&mut *conn)
        .await?;
        // The first active stage in the board's order starts a deal.
        self.first_stage = stages
            .iter()
            .filter(|(.., active)| *active)
            .min_by_key(|(id, _, _, _, sort_order, _)| (*sort_order, *id))
            .map(|(id, _, _, probability, ..)| StageRef { id: *id, probability: *probability });
        self.stages.clear();
        self.stage_by_id.clear();
        // Read from the newest: the oldest stage of a name is inserted last and wins it.
        for (id, name, name_en, probability, ..) in stages {
            let stage = StageRef { id, probability };
            if !name_en.is_empty() {
                self.stages.insert(format!("en:{}", name_en.to_ascii_lowercase()), stage);
            }
            self.stages.insert(name, stage);
            self.stage_by_id.insert(id, stage);
        }
        Ok(())
    }

    /// The stage a record names by id, by name (or English name), or, named by neither, the first.
    pub fn stage(&self, id: Option<i64>, name: &str) -> Option<StageRef> {
        match (id, name.trim()) {
            (Some(id), _) => self.stage_by_id.get(&id).copied(),
            (None, "") => self.first_stage,
            (None, name) => {
                self.stages.get(name).or_else(|| self.stages.get(&format!("en:{}", name.to_ascii_lowercase()))).copied()
            }
        }
    }

    async fn read_lists(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        self.read_stages(conn).await?;
        for list in <PickList as crate::choice::Choice>::ALL {
            let sql = format!("SELECT id, name, name_en FROM {} ORDER BY active, id DESC", list.table());
            let entries: Vec<(i64, String, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await?;
            for (id, name, name_en) in entries {
                self.add_pick(*list, id, &name, &name_en);
            }
        }
        Ok(())
    }

    async fn people(conn: &mut SqliteConnection) -> Result<Directory> {
        let users: Vec<(i64, String, String, Option<i64>)> =
            sqlx::query_as("SELECT id, username, display_name, branch_id FROM users ORDER BY id DESC")
                .fetch_all(&mut *conn)
                .await?;
        let mut directory = Directory::default();
        // Display names first, user names after: a user name wins when both match.
        for (id, _, display_name, branch_id) in &users {
            directory.people.insert(display_name.clone(), PersonRef { id: *id, branch_id: *branch_id });
        }
        for (id, username, _, branch_id) in users {
            directory.people.insert(username, PersonRef { id, branch_id });
            directory.branch_of.insert(id, branch_id);
        }
        Ok(directory)
    }

    fn add_customer_option(&mut self, row: Option<CustomerRow>) {
        if let Some(row) = row {
            self.add_customer(row);
        }
    }

    fn add_customer(&mut self, (code, id, owner_id, branch_id): CustomerRow) {
        self.customer_codes.insert(id, code.clone());
        self.customers.insert(code, CustomerRef { id, owner_id, branch_id });
    }

    /// Entries come inactive first: a later (active) one with the same name takes its place.
    fn add_pick(&mut self, list: PickList, id: i64, name: &str, name_en: &str) {
        if !name_en.is_empty() {
            self.picks.insert((list, format!("en:{}", name_en.to_ascii_lowercase())), id);
        }
        self.picks.insert((list, name.to_string()), id);
    }

    /// The user a record names by user name or display name.
    pub fn person(&self, name: &str) -> Option<PersonRef> {
        self.people.get(name.trim()).copied()
    }

    /// The entry of `list` named `name` (its Chinese name, or its English one in any case).
    pub fn entry(&self, list: PickList, name: &str) -> Option<i64> {
        let name = name.trim();
        self.picks
            .get(&(list, name.to_string()))
            .or_else(|| self.picks.get(&(list, format!("en:{}", name.to_ascii_lowercase()))))
            .copied()
    }

    /// An entry a record must name: required, and known to the list; problems go under `field`.
    pub fn required_entry(
        &self,
        list: PickList,
        field: &'static str,
        name: &str,
        problems: &mut Vec<FieldError>,
    ) -> Option<i64> {
        match name.trim() {
            "" => {
                problems.push(FieldError { field, reason: Reason::Required });
                None
            }
            name => self.entry(list, name).or_else(|| {
                problems.push(FieldError { field, reason: Reason::Unknown { value: name.to_string() } });
                None
            }),
        }
    }

    /// The customer a form or a row names — by id, else by code — when the actor sees it. Otherwise a
    /// problem on `field` is noted (required, or unknown: a customer outside the actor's scope is as
    /// unknown as a mistyped code) and the answer is None.
    pub fn customer(
        &self,
        actor: &Actor,
        field: &'static str,
        id: Option<i64>,
        code: &str,
        required: bool,
        problems: &mut Vec<FieldError>,
    ) -> Option<CustomerRef> {
        let code = code.trim();
        let found = match (id, code) {
            (Some(id), _) => self.customer_codes.get(&id).and_then(|code| self.customers.get(code)),
            (None, "") => {
                if required {
                    problems.push(FieldError { field, reason: Reason::Required });
                }
                return None;
            }
            (None, code) => self.customers.get(code),
        };
        let visible = found.filter(|c| actor.scope().sees(c.owner_id, c.branch_id)).copied();
        if visible.is_none() {
            let value = match (id, code) {
                (Some(id), "") => id.to_string(),
                _ => code.to_string(),
            };
            problems.push(FieldError { field, reason: Reason::Unknown { value } });
        }
        visible
    }

    /// The record's salesperson and branch from what a person typed (a user name or display name;
    /// empty: the customer's owner, else the actor). A salesperson always records their own; the record
    /// must land where its author still sees it ([`Assignee::may_be_given_by`]).
    pub fn assignee(
        &self,
        actor: &Actor,
        field: &'static str,
        typed: &str,
        customer: Option<CustomerRef>,
        problems: &mut Vec<FieldError>,
    ) -> Assignee {
        let salesperson_id = match typed.trim() {
            _ if actor.role == Role::Salesperson => Some(actor.user_id),
            "" => customer.and_then(|c| c.owner_id).or(Some(actor.user_id)),
            name => {
                let found = self.person(name).map(|p| p.id);
                if found.is_none() {
                    problems.push(FieldError { field, reason: Reason::Unknown { value: name.into() } });
                }
                found
            }
        };
        let salesperson_branch = salesperson_id.and_then(|id| self.branch_of.get(&id).copied().flatten());
        let assignee = Assignee::of(salesperson_id, salesperson_branch, customer.and_then(|c| c.branch_id));
        if !assignee.may_be_given_by(actor) {
            problems.push(FieldError { field, reason: Reason::Forbidden { value: typed.trim().to_string() } });
        }
        assignee
    }

    /// Who did what a record tells (an activity's operator): a person by name, or the actor when
    /// none is named; a salesperson always records their own.
    pub fn operator(
        &self,
        actor: &Actor,
        field: &'static str,
        typed: &str,
        problems: &mut Vec<FieldError>,
    ) -> Option<PersonRef> {
        match typed.trim() {
            _ if actor.role == Role::Salesperson => Some(self.me(actor)),
            "" => Some(self.me(actor)),
            name => self.person(name).or_else(|| {
                problems.push(FieldError { field, reason: Reason::Unknown { value: name.into() } });
                None
            }),
        }
    }

    fn me(&self, actor: &Actor) -> PersonRef {
        PersonRef { id: actor.user_id, branch_id: actor.branch_id }
    }
}
