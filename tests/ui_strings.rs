//! Every string the window shows comes from the translation files, in both languages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use suanpan::api::ErrorPayload;
use suanpan::auth::Permission;
use suanpan::error::{Error, FileProblem, HeaderProblem, NotCompany, RangeUnit, Reason, Refusal, StatusAction};
use suanpan::io::import::SkipReason;
use suanpan::io::notice::Notice;
use suanpan::money::{Money, MoneyParseError};
use suanpan::quantity::QuantityParseError;

fn keys(file: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    text.lines()
        .filter_map(|line| {
            line.trim().strip_prefix('"').and_then(|rest| rest.split_once("\":")).map(|(key, _)| key.to_string())
        })
        .collect()
}

/// The literal keys the views ask for: t("…") and data-i18n="…".
fn used_keys() -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut files = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/js/app.js")];
    for dir in ["ui/js", "ui/js/views"] {
        for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    for file in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "js")) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices("t(\"") {
            // `t(` itself, not the end of `select(` or `input(`.
            if text[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            if let Some((key, _)) = text[at + 3..].split_once('"') {
                used.insert(key.to_string());
            }
        }
    }
    used
}

#[test]
fn chinese_and_english_have_the_same_keys() {
    let chinese = keys("ui/i18n/zh-CN.js");
    let english = keys("ui/i18n/en.js");
    assert!(chinese.len() > 100, "read {} keys", chinese.len());
    let only_chinese: Vec<_> = chinese.difference(&english).collect();
    let only_english: Vec<_> = english.difference(&chinese).collect();
    assert!(
        only_chinese.is_empty() && only_english.is_empty(),
        "zh-CN only: {only_chinese:?}; en only: {only_english:?}"
    );
}

#[test]
fn every_key_the_views_use_is_translated() {
    let chinese = keys("ui/i18n/zh-CN.js");
    let used = used_keys();
    assert!(used.len() > 50, "found only {} keys in the views", used.len());
    let missing: Vec<_> = used.into_iter().filter(|k| !chinese.contains(k)).collect();
    assert!(missing.is_empty(), "used but not translated: {missing:?}");
}

/// Every code the engine sends, in both languages, from the engine's own lists of its kinds; each with
/// the values its translations fill in.
fn engine_messages() -> Vec<(String, BTreeSet<String>)> {
    let names = |params: serde_json::Value| -> BTreeSet<String> {
        params.as_object().map(|map| map.keys().cloned().collect()).unwrap_or_default()
    };
    let mut messages = Vec::new();
    for error in Error::examples() {
        let payload = ErrorPayload::from(&error);
        // The UI says which action a permission is; it does not fill in the English `message` here.
        let mut filled = names(payload.params);
        filled.insert("action".to_string());
        messages.push((format!("error.{}", payload.code), filled));
    }
    for reason in Reason::examples() {
        let mut filled = names(reason.params());
        filled.insert("action".into());
        messages.push((format!("reason.{}", reason.code()), filled));
    }
    for problem in MoneyParseError::examples() {
        messages.push((format!("money_problem.{}", problem.code()), BTreeSet::from(["value".to_string()])));
    }
    for problem in QuantityParseError::examples() {
        messages.push((format!("quantity_problem.{}", problem.code()), BTreeSet::from(["value".to_string()])));
    }
    for unit in RangeUnit::examples() {
        messages.push((format!("unit.{}", unit.code()), BTreeSet::new()));
    }
    for action in StatusAction::examples() {
        messages.push((format!("status_action.{}", action.code()), BTreeSet::new()));
    }
    for why in NotCompany::examples() {
        messages.push((format!("not_company.{}", why.code()), names(why.params())));
    }
    for refusal in Refusal::examples() {
        messages.push((format!("refused.{}", refusal.code()), names(refusal.params())));
    }
    for notice in Notice::examples() {
        messages.push((format!("notice.{}", notice.code()), names(notice.params())));
    }
    for reason in SkipReason::examples() {
        // The import summary says how many rows were skipped for each reason.
        messages.push((format!("skipped.{}", reason.code()), BTreeSet::from(["count".to_string()])));
    }
    for problem in HeaderProblem::examples() {
        messages.push((format!("header.{}", problem.code()), names(problem.params())));
    }
    for problem in FileProblem::examples() {
        // A file problem is told inside the file's error, whose file and line it can name.
        let mut filled = names(problem.params());
        filled.extend(["file".to_string(), "line".to_string()]);
        messages.push((format!("bad_file.{}", problem.code()), filled));
    }
    for permission in Permission::examples() {
        messages.push((format!("permission.{}", permission.key()), BTreeSet::new()));
    }
    messages
}

/// The text of each key of a translation file.
fn texts(file: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    text.lines()
        .filter_map(|line| {
            let (key, value) = line.trim().strip_prefix('"')?.split_once("\":")?;
            let value: String = serde_json::from_str(value.trim().trim_end_matches(',')).ok()?;
            Some((key.to_string(), value))
        })
        .collect()
}

/// The `{name}` placeholders of a translation, and the text without them.
fn placeholders(text: &str) -> (BTreeSet<String>, String) {
    let mut names = BTreeSet::new();
    let mut rest = String::new();
    let mut remaining = text;
    while let Some(open) = remaining.find('{') {
        rest.push_str(&remaining[..open]);
        match remaining[open..].find('}') {
            Some(close) => {
                names.insert(remaining[open + 1..open + close].to_string());
                remaining = &remaining[open + close + 1..];
            }
            None => {
                remaining = &remaining[open..];
                break;
            }
        }
    }
    rest.push_str(remaining);
    (names, rest)
}

#[test]
fn every_code_the_engine_sends_is_translated_in_both_languages() {
    let chinese = texts("ui/i18n/zh-CN.js");
    let english = texts("ui/i18n/en.js");
    let messages = engine_messages();
    assert!(messages.len() > 80, "only {} codes", messages.len());
    let mut wrong = Vec::new();
    for (key, filled) in &messages {
        for (language, texts) in [("zh-CN", &chinese), ("en", &english)] {
            let Some(text) = texts.get(key) else {
                wrong.push(format!("{language}: no {key}"));
                continue;
            };
            let (names, rest) = placeholders(text);
            let unknown: Vec<_> = names.difference(filled).collect();
            if !unknown.is_empty() {
                wrong.push(format!("{language} {key}: the engine sends no {unknown:?}"));
            }
            // `{message}` is the engine's English sentence: a Chinese text built on it is not translated.
            if language == "zh-CN" && names.contains("message") {
                wrong.push(format!("zh-CN {key}: built on the English {{message}} in “{text}”"));
            }
            if language == "zh-CN" && rest.chars().any(|c| c.is_ascii_alphabetic()) {
                wrong.push(format!("zh-CN {key}: English in “{text}”"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_window_gets_codes_and_values_where_it_got_english_sentences() {
    let payload = |error: Error| serde_json::to_value(ErrorPayload::from(&error)).unwrap();

    let refused = payload(Error::Refused(Refusal::LastOwner));
    assert_eq!(
        (refused["code"].as_str(), refused["params"]["refusal"].as_str()),
        (Some("refused"), Some("last_owner"))
    );

    let forbidden = payload(Error::Forbidden { permission: "merge_customers", action: "merge customers" });
    assert_eq!(forbidden["params"]["permission"], "merge_customers");

    let headers = FileProblem::Headers(vec![HeaderProblem::Missing("name"), HeaderProblem::Twice("code")]);
    let bad_file = payload(Error::BadFile { file: "a.csv".into(), line: 1, problem: headers });
    assert_eq!(bad_file["params"]["problem"], "headers");
    assert_eq!(bad_file["params"]["line"], 1);
    assert_eq!(bad_file["params"]["problems"][0]["code"], "missing");
    assert_eq!(bad_file["params"]["problems"][0]["params"]["column"], "name");
    assert_eq!(bad_file["params"]["problems"][1]["code"], "twice");

    let line = Reason::OnLine { line: 3, inner: Box::new(Reason::Unknown { value: "P9".into() }) };
    let on_line = payload(Error::invalid("lines", line));
    let field = &on_line["fields"][0];
    assert_eq!((field["reason"].as_str(), field["params"]["line"].as_u64()), (Some("on_line"), Some(3)));
    assert_eq!(field["params"]["inner"]["reason"], "unknown");
    assert_eq!(field["params"]["inner"]["params"]["value"], "P9");
    assert_eq!(field["message"], "line 3: 'P9' does not exist", "English stays for logs and the CLI");

    let notice = serde_json::to_value(Notice::SalespersonCreated { name: "小马".into() }).unwrap();
    assert_eq!(notice["code"], "salesperson_created");
    assert_eq!(notice["params"]["name"], "小马");
    assert!(notice["message"].as_str().unwrap().contains("小马"));
}

/// The strings of a payload the window shows translated (all but the English `message` kept for logs)
/// that read as English: text with both letters and spaces. Codes have no spaces; typed values here none.
fn english_in(value: &serde_json::Value, at: &str, found: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) if text.contains(' ') && text.chars().any(|c| c.is_ascii_alphabetic()) => {
            found.push(format!("{at}: {text}"));
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                english_in(item, &format!("{at}[{i}]"), found);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map.iter().filter(|(key, _)| key.as_str() != "message") {
                english_in(item, &format!("{at}.{key}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn refused_amounts_ranges_stock_and_rows_reach_the_window_as_codes_and_values() {
    let payload = |error: Error| serde_json::to_value(ErrorPayload::from(&error)).unwrap();
    let bad_money = payload(Error::invalid("price", Reason::from("12.345".parse::<Money>().unwrap_err())));
    let field = &bad_money["fields"][0];
    assert_eq!(
        (field["reason"].as_str(), field["params"]["problem"].as_str()),
        (Some("bad_money"), Some("too_many_decimals"))
    );
    assert_eq!(field["params"]["value"], "12.345");

    let range = Reason::OutOfRange { value: "150".into(), min: 0, max: 100, unit: RangeUnit::Percent };
    let percentage = payload(Error::invalid("probability", range));
    assert_eq!(percentage["fields"][0]["params"]["unit"], "percent");
    assert_eq!(percentage["fields"][0]["params"]["max"], 100);

    let shortage = || Error::InsufficientStock {
        sku: "P1".into(),
        warehouse: "主仓库".into(),
        available: "2".into(),
        needed: "5".into(),
    };
    let stock = payload(shortage());
    assert_eq!(
        [
            &stock["params"]["sku"],
            &stock["params"]["warehouse"],
            &stock["params"]["available"],
            &stock["params"]["needed"]
        ],
        ["P1", "主仓库", "2", "5"]
    );

    // A row refused for a reason that is no field's: the error travels whole, as its code and values.
    let row = payload(Error::from_fields(shortage().field_errors()));
    let refused = &row["fields"][0];
    assert_eq!(refused["reason"], "refused");
    assert_eq!(refused["params"]["error"]["code"], "insufficient_stock");
    assert_eq!(refused["params"]["error"]["params"]["warehouse"], "主仓库");

    let status =
        payload(Error::WrongStatus { entity: "order", status: "cancelled".into(), action: StatusAction::Delivered });
    assert_eq!(
        (status["params"]["status"].as_str(), status["params"]["action"].as_str()),
        (Some("cancelled"), Some("delivered"))
    );

    let mut english = Vec::new();
    for (name, payload) in
        [("money", &bad_money), ("percentage", &percentage), ("stock", &stock), ("row", &row), ("status", &status)]
    {
        english_in(payload, name, &mut english);
    }
    assert!(english.is_empty(), "English outside `message`: {english:?}");
}
