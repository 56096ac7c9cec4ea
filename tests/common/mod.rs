//! A small company for engine tests: a temporary file, two branches, one user of every role.
#![allow(dead_code)]

use suanpan::branches::{self, NewBranch};
use suanpan::crm::customers::{self, CustomerInput};
use suanpan::users::{self, NewUser};
use suanpan::{Actor, Db, auth};
use tempfile::TempDir;

pub const PASSWORD: &str = "secret-123";

pub struct Company {
    pub db: Db,
    pub owner: Actor,
    pub accountant: Actor,
    /// Manager of branch SH.
    pub manager: Actor,
    /// Salespeople of branch SH and GZ.
    pub sales_sh: Actor,
    pub sales_gz: Actor,
    /// Clerk of branch SH.
    pub clerk: Actor,
    _dir: TempDir,
}

pub async fn company() -> Company {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, _) = Db::open(&dir.path().join("company.sqlite")).await.expect("open");
    let owner = users::create_owner(&db, "boss", "王老板", PASSWORD).await.expect("owner");
    for (code, name) in [("SH", "上海分公司"), ("GZ", "广州分公司")] {
        let new = NewBranch { code: code.into(), name: name.into(), ..Default::default() };
        branches::create(&db, &owner, &new).await.expect("branch");
    }
    let add = async |username: &str, name: &str, role: &str, branch: &str| {
        let new = NewUser {
            username: username.into(),
            display_name: name.into(),
            role: role.into(),
            branch_code: Some(branch.into()),
            password: Some(PASSWORD.into()),
        };
        users::create(&db, &owner, &new).await.expect("user");
        auth::login(&db, username, PASSWORD).await.expect("login")
    };
    let accountant = add("kuaiji", "赵会计", "accountant", "SH").await;
    let manager = add("sh_manager", "孙经理", "branch_manager", "SH").await;
    let sales_sh = add("zhangwei", "张伟", "salesperson", "SH").await;
    let sales_gz = add("liuyang", "刘洋", "salesperson", "GZ").await;
    let clerk = add("wenyuan", "吴文", "clerk", "SH").await;
    Company { db, owner, accountant, manager, sales_sh, sales_gz, clerk, _dir: dir }
}

/// The names of the customers `actor` sees in `db`, sorted.
pub async fn customer_names(db: &Db, actor: &Actor) -> Vec<String> {
    let query = customers::CustomerQuery::default();
    let mut names: Vec<String> =
        customers::list(db, actor, &query).await.expect("list customers").rows.into_iter().map(|r| r.name).collect();
    names.sort();
    names
}

pub fn input(name: &str, phone: &str) -> CustomerInput {
    CustomerInput { name: name.into(), phone: phone.into(), ..Default::default() }
}

impl Company {
    /// The names of the indexes on `tables`, sorted: a bulk load must leave them as it found them.
    pub async fn index_names(&self, tables: &[&str]) -> Vec<String> {
        let mut names = Vec::new();
        for table in tables {
            let on_table: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?")
                    .bind(table)
                    .fetch_all(self.db.pool())
                    .await
                    .expect("index names");
            names.extend(on_table);
        }
        names.sort();
        names
    }

    /// Creates a customer as `actor` and returns its id.
    pub async fn add(&self, actor: &Actor, name: &str, phone: &str) -> i64 {
        customers::create(&self.db, actor, &input(name, phone)).await.expect("create customer").customer.id
    }
}
