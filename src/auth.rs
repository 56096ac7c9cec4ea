//! Who is acting: roles, what each role may do, the rows each may see, passwords and login.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite};

use crate::choice::Choice;
use crate::db::Db;
use crate::error::{Error, Reason, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 老板: sees and does everything.
    Owner,
    /// 会计: the books and every report; reads customers, does not edit them.
    Accountant,
    /// 分店经理: everything within their own branch.
    BranchManager,
    /// 销售: their own customers, orders and activities.
    Salesperson,
    /// 文员: data entry and import within their branch; deletes nothing.
    Clerk,
}

impl Choice for Role {
    const ALL: &'static [Role] = &[Role::Owner, Role::Accountant, Role::BranchManager, Role::Salesperson, Role::Clerk];

    fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Accountant => "accountant",
            Role::BranchManager => "branch_manager",
            Role::Salesperson => "salesperson",
            Role::Clerk => "clerk",
        }
    }

    fn chinese(self) -> &'static str {
        match self {
            Role::Owner => "老板",
            Role::Accountant => "会计",
            Role::BranchManager => "分店经理",
            Role::Salesperson => "销售",
            Role::Clerk => "文员",
        }
    }

    fn also(self) -> &'static [&'static str] {
        match self {
            Role::BranchManager => &["经理"],
            Role::Salesperson => &["销售员"],
            Role::Owner | Role::Accountant | Role::Clerk => &[],
        }
    }
}

/// Something a user may be allowed to do. Checked by the engine on every call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ReadCustomers,
    WriteCustomers,
    DeleteCustomers,
    MergeCustomers,
    EditPickLists,
    ManageUsers,
    ReadAudit,
    Backup,
    Restore,
    ReadProducts,
    WriteProducts,
    ReadSales,
    WriteSales,
    ManageStock,
    /// Company-wide settings such as payment terms.
    EditSettings,
}

impl Permission {
    /// Every permission, in the order the window receives them; a new permission goes here too.
    pub const ALL: [Permission; 15] = [
        Permission::ReadCustomers,
        Permission::WriteCustomers,
        Permission::DeleteCustomers,
        Permission::MergeCustomers,
        Permission::EditPickLists,
        Permission::ManageUsers,
        Permission::ReadAudit,
        Permission::Backup,
        Permission::Restore,
        Permission::ReadProducts,
        Permission::WriteProducts,
        Permission::ReadSales,
        Permission::WriteSales,
        Permission::ManageStock,
        Permission::EditSettings,
    ];

    /// The stable name the window asks about (`can("write_customers")`); never shown to a person.
    pub fn key(self) -> &'static str {
        match self {
            Permission::ReadCustomers => "read_customers",
            Permission::WriteCustomers => "write_customers",
            Permission::DeleteCustomers => "delete_customers",
            Permission::MergeCustomers => "merge_customers",
            Permission::EditPickLists => "edit_pick_lists",
            Permission::ManageUsers => "manage_users",
            Permission::ReadAudit => "read_audit",
            Permission::Backup => "backup",
            Permission::Restore => "restore",
            Permission::ReadProducts => "read_products",
            Permission::WriteProducts => "write_products",
            Permission::ReadSales => "read_sales",
            Permission::WriteSales => "write_sales",
            Permission::ManageStock => "manage_stock",
            Permission::EditSettings => "edit_settings",
        }
    }

    /// The phrase after "your role may not …".
    pub fn action(self) -> &'static str {
        match self {
            Permission::ReadCustomers => "read customers",
            Permission::WriteCustomers => "edit customers",
            Permission::DeleteCustomers => "delete customers",
            Permission::MergeCustomers => "merge customers",
            Permission::EditPickLists => "edit pick lists",
            Permission::ManageUsers => "manage users and branches",
            Permission::ReadAudit => "read the audit log",
            Permission::Backup => "back up the company file",
            Permission::Restore => "restore the company file",
            Permission::ReadProducts => "read products, suppliers and stock",
            Permission::WriteProducts => "edit products, suppliers and warehouses",
            Permission::ReadSales => "read orders and the sales pipeline",
            Permission::WriteSales => "edit orders and the sales pipeline",
            Permission::ManageStock => "book purchases, receipts and stock moves",
            Permission::EditSettings => "change the company's settings",
        }
    }

    /// Every permission, for the test that each is translated.
    pub fn examples() -> Vec<Permission> {
        Permission::ALL.to_vec()
    }
}

/// Which owned records a user sees and may change: all, their branch's, or their own.
///
/// An owned record names its owner (a customer's `owner_id`, a sales record's `salesperson_id`) and its
/// branch. This is the one place that decides whether a record lies within a scope: [`Scope::sees`]
/// answers it for a record in hand, [`Scope::push_sql`] and [`Scope::sql_condition`] put the same
/// condition into a query, so a list, a search, an export, an import and a report agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Branch(i64),
    Own(i64),
}

impl Scope {
    /// Whether a record owned by `owner` in `branch` lies within this scope.
    pub fn sees(self, owner: Option<i64>, branch: Option<i64>) -> bool {
        match self {
            Scope::All => true,
            Scope::Branch(mine) => branch == Some(mine),
            Scope::Own(me) => owner == Some(me),
        }
    }

    /// Appends ` AND <condition>` to a query over a record aliased `alias` that names its owner in
    /// `owner_column` (customers: [`CUSTOMER_OWNER`], sales records: [`SALES_OWNER`]) and its branch in
    /// `branch_id`. Both names are fixed fragments, never input.
    pub fn push_sql(self, builder: &mut QueryBuilder<Sqlite>, alias: &'static str, owner_column: &'static str) {
        match self {
            Scope::All => {}
            Scope::Branch(branch) => {
                builder.push(format_args!(" AND {alias}.branch_id = ")).push_bind(branch);
            }
            Scope::Own(user) => {
                builder.push(format_args!(" AND {alias}.{owner_column} = ")).push_bind(user);
            }
        }
    }

    /// The same condition for a prepared statement that binds [`Scope::sql_params`] as `?1` and `?2`.
    pub fn sql_condition(alias: &str, owner_column: &str) -> String {
        format!("(?1 = 0 OR (?1 = 1 AND {alias}.branch_id = ?2) OR (?1 = 2 AND {alias}.{owner_column} = ?2))")
    }

    /// The two parameters [`Scope::sql_condition`] reads: the kind (0 all, 1 branch, 2 own) and whose.
    pub fn sql_params(self) -> (i64, i64) {
        match self {
            Scope::All => (0, 0),
            Scope::Branch(branch) => (1, branch),
            Scope::Own(user) => (2, user),
        }
    }
}

/// The column that names a customer's owner.
pub const CUSTOMER_OWNER: &str = "owner_id";
/// The column that names the owner of a sales record (order, deal, quote, lead, expense).
pub const SALES_OWNER: &str = "salesperson_id";

/// The logged-in user every engine call acts as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub branch_id: Option<i64>,
}

impl Actor {
    pub fn can(&self, permission: Permission) -> bool {
        use Permission::*;
        match self.role {
            Role::Owner => true,
            Role::Accountant => {
                matches!(permission, ReadCustomers | ReadAudit | Backup | ReadProducts | ReadSales)
            }
            Role::BranchManager => matches!(
                permission,
                ReadCustomers
                    | WriteCustomers
                    | DeleteCustomers
                    | MergeCustomers
                    | ReadProducts
                    | WriteProducts
                    | ReadSales
                    | WriteSales
                    | ManageStock
            ),
            Role::Salesperson => {
                matches!(
                    permission,
                    ReadCustomers | WriteCustomers | DeleteCustomers | ReadProducts | ReadSales | WriteSales
                )
            }
            Role::Clerk => matches!(
                permission,
                ReadCustomers | WriteCustomers | ReadProducts | WriteProducts | ReadSales | WriteSales | ManageStock
            ),
        }
    }

    /// The keys of everything this user may do, for the window to show or hide what `can` would refuse.
    pub fn permissions(&self) -> Vec<&'static str> {
        Permission::ALL.into_iter().filter(|p| self.can(*p)).map(Permission::key).collect()
    }

    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(Error::Forbidden { permission: permission.key(), action: permission.action() })
        }
    }

    /// Rows of customers (and, later, their orders and activities) this user may see.
    /// A branch manager or clerk without a branch sees only what they own.
    pub fn scope(&self) -> Scope {
        match (self.role, self.branch_id) {
            (Role::Owner | Role::Accountant, _) => Scope::All,
            (Role::BranchManager | Role::Clerk, Some(branch)) => Scope::Branch(branch),
            _ => Scope::Own(self.user_id),
        }
    }
}

pub const MIN_PASSWORD_LEN: usize = 6;

pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(Error::invalid("password", Reason::TooShort { min: MIN_PASSWORD_LEN }));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| Error::Refused(crate::error::Refusal::PasswordNotHashed))
}

fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

#[derive(sqlx::FromRow)]
struct LoginRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    branch_id: Option<i64>,
    password_hash: Option<String>,
    can_login: bool,
    active: bool,
}

/// Checks a user name and password. Unknown users, wrong passwords and users without
/// login rights all get the same answer, after the same work, so nothing leaks.
pub async fn login(db: &Db, username: &str, password: &str) -> Result<Actor> {
    let row: Option<LoginRow> = sqlx::query_as(
        "SELECT id, username, display_name, role, branch_id, password_hash, can_login, active
         FROM users WHERE username = ?",
    )
    .bind(username.trim())
    .fetch_optional(db.pool())
    .await?;
    let (row, hash) = match row {
        Some(row) if row.can_login && row.active && row.password_hash.is_some() => {
            let hash = row.password_hash.clone().unwrap_or_default();
            (Some(row), hash)
        }
        _ => (None, DUMMY_HASH.to_string()),
    };
    let password_ok = verify_password(password, &hash);
    match row {
        Some(row) if password_ok => actor_from_row(row),
        _ => Err(Error::BadLogin),
    }
}

fn actor_from_row(row: LoginRow) -> Result<Actor> {
    let role = Role::parse(&row.role).ok_or(Error::Refused(crate::error::Refusal::UnknownRole))?;
    Ok(Actor {
        user_id: row.id,
        username: row.username,
        display_name: row.display_name,
        role,
        branch_id: row.branch_id,
    })
}

/// An Argon2 hash of a random password, verified against when the user does not exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c3VhbnBhbmR1bW15c2FsdA$4nPZ2NwB5z8l6Hq2m0bW0mFZ8CwQmS0kz1bP3y1yq1c";

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, branch: Option<i64>) -> Actor {
        Actor { user_id: 7, username: "u".into(), display_name: "U".into(), role, branch_id: branch }
    }

    #[test]
    fn role_is_read_and_listed_from_its_variants() {
        crate::choice::tests::check::<Role>();
        assert_eq!(Role::parse("销售员"), Some(Role::Salesperson));
        assert_eq!(Role::parse("经理"), Some(Role::BranchManager));
        assert_eq!(Role::parse(""), None);
    }

    #[test]
    fn scopes_follow_the_role() {
        assert_eq!(actor(Role::Owner, Some(1)).scope(), Scope::All);
        assert_eq!(actor(Role::Accountant, None).scope(), Scope::All);
        assert_eq!(actor(Role::BranchManager, Some(3)).scope(), Scope::Branch(3));
        assert_eq!(actor(Role::BranchManager, None).scope(), Scope::Own(7));
        assert_eq!(actor(Role::Salesperson, Some(3)).scope(), Scope::Own(7));
        assert_eq!(actor(Role::Clerk, Some(2)).scope(), Scope::Branch(2));
    }

    #[test]
    fn a_scope_sees_what_it_owns() {
        assert!(Scope::All.sees(None, None));
        assert!(Scope::Branch(2).sees(Some(9), Some(2)));
        assert!(!Scope::Branch(2).sees(Some(9), Some(3)));
        assert!(!Scope::Branch(2).sees(Some(9), None));
        assert!(Scope::Own(9).sees(Some(9), None));
        assert!(!Scope::Own(9).sees(None, Some(2)));
        assert_eq!(Scope::Branch(4).sql_params(), (1, 4));
        assert_eq!(
            Scope::sql_condition("o", SALES_OWNER),
            "(?1 = 0 OR (?1 = 1 AND o.branch_id = ?2) OR (?1 = 2 AND o.salesperson_id = ?2))"
        );
    }

    #[test]
    fn only_some_roles_delete_or_merge() {
        assert!(actor(Role::Accountant, None).require(Permission::WriteCustomers).is_err());
        assert!(actor(Role::Clerk, Some(1)).require(Permission::DeleteCustomers).is_err());
        assert!(actor(Role::Salesperson, None).require(Permission::MergeCustomers).is_err());
        assert!(actor(Role::BranchManager, Some(1)).require(Permission::MergeCustomers).is_ok());
        assert!(Role::ALL.iter().all(|r| actor(*r, Some(1)).can(Permission::ReadCustomers)));
    }

    #[test]
    fn the_permission_list_is_what_can_answers() {
        for &role in Role::ALL {
            let actor = actor(role, Some(1));
            let expected: Vec<&str> =
                Permission::ALL.into_iter().filter(|p| actor.can(*p)).map(Permission::key).collect();
            assert_eq!(actor.permissions(), expected, "{role:?}");
        }
        assert_eq!(actor(Role::Owner, None).permissions().len(), Permission::ALL.len());
        assert_eq!(
            actor(Role::Clerk, Some(1)).permissions(),
            [
                "read_customers",
                "write_customers",
                "read_products",
                "write_products",
                "read_sales",
                "write_sales",
                "manage_stock"
            ]
        );
        assert_eq!(
            actor(Role::Accountant, None).permissions(),
            ["read_customers", "read_audit", "backup", "read_products", "read_sales"]
        );
    }

    #[test]
    fn permission_keys_are_unique() {
        let keys: std::collections::HashSet<&str> = Permission::ALL.into_iter().map(Permission::key).collect();
        assert_eq!(keys.len(), Permission::ALL.len());
    }

    #[test]
    fn hashes_verify_and_short_passwords_are_refused() {
        let hash = hash_password("秘密password").unwrap();
        assert!(verify_password("秘密password", &hash));
        assert!(!verify_password("wrong-password", &hash));
        assert!(matches!(hash_password("12345"), Err(Error::Invalid { field: "password", .. })));
        // The dummy must be a real Argon2 hash, or an unknown user would be answered faster.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password("anything", DUMMY_HASH));
    }
}
