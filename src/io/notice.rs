//! What an import did besides writing rows (a salesperson created, a pick-list entry added), as coded
//! notices the UI translates.

use serde::Serialize;

use crate::crm::picklists::PickList;
use crate::error::Coded;

/// One thing an import did on the side. The `code()` is stable; the English text is for the CLI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Notice {
    #[error("created salesperson '{name}' (cannot log in until the owner sets a password)")]
    SalespersonCreated { name: String },
    #[error("added '{name}' to the list of {}", .list.field())]
    PickAdded { name: String, list: PickList },
    #[error("added '{name}' to the pipeline's stages")]
    StageAdded { name: String },
}

impl Notice {
    pub fn code(&self) -> &'static str {
        match self {
            Notice::SalespersonCreated { .. } => "salesperson_created",
            Notice::PickAdded { .. } => "pick_added",
            Notice::StageAdded { .. } => "stage_added",
        }
    }

    pub fn params(&self) -> serde_json::Value {
        match self {
            Notice::SalespersonCreated { name } => serde_json::json!({ "name": name }),
            Notice::PickAdded { name, list } => serde_json::json!({ "name": name, "list": list }),
            Notice::StageAdded { name } => serde_json::json!({ "name": name }),
        }
    }

    /// One of each kind, for the test that every code is translated.
    pub fn examples() -> Vec<Notice> {
        let name = || "x".to_string();
        let all = vec![
            Notice::SalespersonCreated { name: name() },
            Notice::PickAdded { name: name(), list: PickList::LostReason },
            Notice::StageAdded { name: name() },
        ];
        // A new kind stops compiling here, next to the list it must join.
        for notice in &all {
            match notice {
                Notice::SalespersonCreated { .. } | Notice::PickAdded { .. } | Notice::StageAdded { .. } => {}
            }
        }
        all
    }
}

impl Serialize for Notice {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Coded { code: self.code(), params: self.params(), message: self.to_string() }.serialize(serializer)
    }
}
