//! Every string the window shows comes from the translation files, in both languages.

use std::collections::BTreeSet;
use std::path::Path;

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

#[test]
fn every_error_code_and_reason_is_translated() {
    let chinese = keys("ui/i18n/zh-CN.js");
    let codes = ["invalid", "not_found", "forbidden", "bad_login", "not_logged_in", "already_exists"]
        .into_iter()
        .chain([
            "possible_duplicate",
            "in_use",
            "conflict",
            "refused",
            "not_a_company_file",
            "io",
            "database",
            "migration",
        ])
        .chain(["newer_file", "target_is_company_file"]);
    for code in codes {
        assert!(chinese.contains(&format!("error.{code}")), "error.{code}");
    }
    let reasons = ["required", "too_long", "bad_date", "bad_money", "bad_email", "bad_phone", "not_allowed"]
        .into_iter()
        .chain(["unknown", "too_short", "forbidden_value", "in_future", "bad_quantity", "not_positive", "differs"])
        .chain(["too_large"]);
    for reason in reasons {
        assert!(chinese.contains(&format!("reason.{reason}")), "reason.{reason}");
    }
}
