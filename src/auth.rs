//! Who is acting: roles, what each role may do, the rows each may see, passwords and login.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};

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

impl Role {
    pub const ALL: [Role; 5] = [Role::Owner, Role::Accountant, Role::BranchManager, Role::Salesperson, Role::Clerk];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Accountant => "accountant",
            Role::BranchManager => "branch_manager",
            Role::Salesperson => "salesperson",
            Role::Clerk => "clerk",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Some(match text.trim() {
            "owner" | "老板" => Role::Owner,
            "accountant" | "会计" => Role::Accountant,
            "branch_manager" | "分店经理" | "经理" => Role::BranchManager,
            "salesperson" | "销售" | "销售员" => Role::Salesperson,
            "clerk" | "文员" => Role::Clerk,
            _ => return None,
        })
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
}

impl Permission {
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
        }
    }

    /// The stable name the UI translates ("permission.<key>").
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
        }
    }

    /// Every permission, for the test that each is translated.
    pub fn examples() -> Vec<Permission> {
        use Permission::*;
        let all = vec![
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
        ];
        // A new permission stops compiling here, next to the list it must join.
        for permission in &all {
            match permission {
                ReadCustomers | WriteCustomers | DeleteCustomers | MergeCustomers | EditPickLists | ManageUsers => {}
                ReadAudit | Backup | Restore | ReadProducts | WriteProducts | ReadSales | WriteSales => {}
                ManageStock => {}
            }
        }
        all
    }
}

/// Which rows of owned records (customers, later orders and activities) a user sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Branch(i64),
    Own(i64),
}

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
    fn scopes_follow_the_role() {
        assert_eq!(actor(Role::Owner, Some(1)).scope(), Scope::All);
        assert_eq!(actor(Role::Accountant, None).scope(), Scope::All);
        assert_eq!(actor(Role::BranchManager, Some(3)).scope(), Scope::Branch(3));
        assert_eq!(actor(Role::BranchManager, None).scope(), Scope::Own(7));
        assert_eq!(actor(Role::Salesperson, Some(3)).scope(), Scope::Own(7));
        assert_eq!(actor(Role::Clerk, Some(2)).scope(), Scope::Branch(2));
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
