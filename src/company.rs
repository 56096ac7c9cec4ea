//! Opening a company file for work: its schema brought up to date (`db`), then what the engine derives
//! from the data in Rust and SQL cannot migrate (the customers' search keys) made again if an older
//! recipe made them.

use std::path::Path;

use crate::db::{Db, Opened};
use crate::error::Result;

/// Opens (creating if needed) the company file at `path`, ready for work. The desktop app and the
/// command line open every file through here.
pub async fn open(path: &Path) -> Result<(Db, Opened)> {
    let (db, opened) = Db::open(path).await?;
    crate::crm::search::refresh_keys(&db).await?;
    Ok((db, opened))
}
