//! The three customer types of SPEC §2.1, read from English or Chinese.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Reason, Result};

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

impl CustomerKind {
    pub const ALL: [CustomerKind; 3] = [CustomerKind::Consumer, CustomerKind::Channel, CustomerKind::Institution];

    pub fn as_str(self) -> &'static str {
        match self {
            CustomerKind::Consumer => "consumer",
            CustomerKind::Channel => "channel",
            CustomerKind::Institution => "institution",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            CustomerKind::Consumer => "消费客户",
            CustomerKind::Channel => "中间客户",
            CustomerKind::Institution => "公利客户",
        }
    }

    pub fn parse(field: &'static str, text: &str) -> Result<CustomerKind> {
        let text = text.trim();
        CustomerKind::ALL.into_iter().find(|k| text.eq_ignore_ascii_case(k.as_str()) || text == k.chinese()).ok_or_else(
            || {
                Error::invalid(
                    field,
                    Reason::NotAllowed {
                        value: text.to_string(),
                        allowed: "consumer/消费客户, channel/中间客户, institution/公利客户".to_string(),
                    },
                )
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_english_and_chinese() {
        assert_eq!(CustomerKind::parse("type", "中间客户").unwrap(), CustomerKind::Channel);
        assert_eq!(CustomerKind::parse("type", " Consumer ").unwrap(), CustomerKind::Consumer);
        assert!(CustomerKind::parse("type", "vip").is_err());
    }
}
