//! The three customer types of SPEC §2.1, read from English or Chinese.

use serde::{Deserialize, Serialize};

use crate::choice::Choice;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomerKind {
    /// 消费客户
    Consumer,
    /// 中间客户: dealers, agents.
    Channel,
    /// 公利客户
    Institution,
}

impl Choice for CustomerKind {
    const ALL: &'static [CustomerKind] = &[CustomerKind::Consumer, CustomerKind::Channel, CustomerKind::Institution];

    fn as_str(self) -> &'static str {
        match self {
            CustomerKind::Consumer => "consumer",
            CustomerKind::Channel => "channel",
            CustomerKind::Institution => "institution",
        }
    }

    fn chinese(self) -> &'static str {
        match self {
            CustomerKind::Consumer => "消费客户",
            CustomerKind::Channel => "中间客户",
            CustomerKind::Institution => "公利客户",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_english_and_chinese() {
        crate::choice::tests::check::<CustomerKind>();
        assert_eq!(CustomerKind::read("type", "中间客户").unwrap(), CustomerKind::Channel);
        assert_eq!(CustomerKind::read("type", " Consumer ").unwrap(), CustomerKind::Consumer);
        assert!(CustomerKind::read("type", "vip").is_err());
        assert!(CustomerKind::read("type", "").is_err(), "the form decides what an empty type means");
    }
}
