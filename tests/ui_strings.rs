//! Every string the window shows comes from the translation files, in both languages.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use suanpan::api::ErrorPayload;
use suanpan::auth::Permission;
use suanpan::error::{Error, FileProblem, HeaderProblem, NotCompany, RangeUnit, Reason, Refusal, StatusAction};
use suanpan::io::columns;
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

/// Every `.rs` file of the engine, as text, without its unit tests; not the command line's (`src/bin`),
/// which speaks English and never reaches the window.
fn engine_sources() -> Vec<String> {
    let mut sources = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.ends_with("bin") {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(path).unwrap();
                let engine = text.split_once("#[cfg(test)]").map_or(text.as_str(), |(engine, _)| engine);
                sources.push(engine.to_string());
            }
        }
    }
    sources
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The string literal `text` starts with (after spaces), if it is one.
fn literal_at(text: &str) -> Option<String> {
    let rest = text.trim_start().strip_prefix('"')?;
    let (literal, _) = rest.split_once('"')?;
    Some(literal.to_string())
}

/// The arguments of a call whose `(` was just before `text`, split at the commas outside brackets and strings.
fn arguments(text: &str) -> Vec<&str> {
    let (mut depth, mut in_string, mut escaped, mut start) = (0usize, false, false, 0);
    let mut found = Vec::new();
    for (at, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                found.push(&text[start..at]);
                return found;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                found.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    found
}

/// A function or closure that takes `name: &'static str`: its name, the parameter's place, and whether
/// its first parameter is `self` (a method call `.f(…)` then lists one argument fewer).
struct Taker {
    function: String,
    place: usize,
    method: bool,
}

/// The functions and closures of `source` with a parameter `name: &'static str`.
fn takers(source: &str, name: &str) -> Vec<Taker> {
    let mut found = Vec::new();
    for (at, _) in source.match_indices(&format!("{name}: &'static str")) {
        if source[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        // Back to the bracket that opens the parameter list, counting the parameters before this one.
        let (mut depth, mut commas, mut open) = (0usize, 0, None);
        for (i, c) in source[..at].char_indices().rev() {
            match c {
                ')' | ']' | '>' | '}' => depth += 1,
                '(' | '[' | '<' | '{' | '|' if depth == 0 => {
                    open = Some((i, c));
                    break;
                }
                '(' | '[' | '<' | '{' => depth -= 1,
                ',' if depth == 0 => commas += 1,
                _ => {}
            }
        }
        let Some((open, bracket)) = open else { continue };
        let before = source[..open].trim_end();
        let function = match bracket {
            // `fn name(` or `fn name<T>(`.
            '(' => {
                let before = match before.strip_suffix('>') {
                    Some(generic) => &generic[..generic.rfind('<').unwrap_or(0)],
                    None => before,
                };
                let name_start = before.rfind(|c: char| !is_ident(c)).map_or(0, |i| i + 1);
                if !before[..name_start].trim_end().ends_with("fn") {
                    continue;
                }
                &before[name_start..]
            }
            // `let [mut] name = [move] |`.
            '|' => {
                let before = before.strip_suffix("move").unwrap_or(before).trim_end();
                let Some(before) = before.strip_suffix('=') else { continue };
                let before = before.trim_end();
                &before[before.rfind(|c: char| !is_ident(c)).map_or(0, |i| i + 1)..]
            }
            _ => continue,
        };
        let first = source[open + 1..].trim_start();
        let method = ["self", "&self", "&mut self", "mut self"].iter().any(|s| first.starts_with(s));
        if !function.is_empty() {
            found.push(Taker { function: function.to_string(), place: commas, method });
        }
    }
    found
}

/// The string literals the engine gives where a parameter or a struct field `name` is a `&'static str`:
/// `name: "…"` in a struct, and literals passed in that place to any function or closure that takes it.
fn engine_literals(name: &str) -> BTreeSet<String> {
    let sources = engine_sources();
    let mut found = BTreeSet::new();
    let takers: Vec<Taker> = sources.iter().flat_map(|source| takers(source, name)).collect();
    for source in &sources {
        for (at, _) in source.match_indices(&format!("{name}: \"")) {
            if !source[..at].chars().next_back().is_some_and(is_ident) {
                found.extend(literal_at(&source[at + name.len() + 1..]));
            }
        }
        for taker in &takers {
            for (at, _) in source.match_indices(&format!("{}(", taker.function)) {
                let before = source[..at].trim_end();
                if before.ends_with("fn") || source[..at].chars().next_back().is_some_and(is_ident) {
                    continue;
                }
                let is_method = source[..at].ends_with('.');
                let place = match (taker.method, is_method) {
                    (true, true) => taker.place.checked_sub(1),
                    (true, false) | (false, _) => Some(taker.place),
                };
                let args = arguments(&source[at + taker.function.len() + 1..]);
                if let Some(arg) = place.and_then(|p| args.get(p)) {
                    found.extend(literal_at(arg).filter(|_| arg.trim().ends_with('"')));
                }
            }
        }
    }
    found
}

/// The keys `family.<name>` missing from either translation file, or whose Chinese text has English in it.
fn untranslated(family: &str, names: &BTreeSet<String>) -> Vec<String> {
    let chinese = texts("ui/i18n/zh-CN.js");
    let english = texts("ui/i18n/en.js");
    let mut wrong = Vec::new();
    for name in names {
        let key = format!("{family}.{name}");
        match chinese.get(&key) {
            None => wrong.push(format!("zh-CN: no {key}")),
            Some(text) if text.chars().any(|c| c.is_ascii_alphabetic()) => {
                wrong.push(format!("zh-CN {key}: English in “{text}”"));
            }
            Some(_) => {}
        }
        if !english.contains_key(&key) {
            wrong.push(format!("en: no {key}"));
        }
    }
    wrong
}

#[test]
fn every_field_the_engine_names_has_a_label_in_both_languages() {
    let mut fields = engine_literals("field");
    // A date that may not come before another names that other field.
    fields.extend(engine_literals("of"));
    let formats = [
        columns::CUSTOMERS,
        columns::CONTACTS,
        columns::PRODUCTS,
        columns::SUPPLIERS,
        columns::ORDERS,
        columns::PURCHASES,
        columns::ACTIVITIES,
        columns::OPPORTUNITIES,
        columns::EXPENSES,
        columns::SERVICE,
    ];
    fields.extend(formats.iter().flat_map(|format| format.iter().map(|column| column.key.to_string())));
    for known in ["probability", "minutes", "satisfaction", "quantity", "unit_price", "owner", "lines", "language"] {
        assert!(fields.contains(known), "the scan missed {known}: found {fields:?}");
    }
    let wrong = untranslated("field", &fields);
    assert!(wrong.is_empty(), "{} fields:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn every_record_kind_the_engine_names_has_a_name_in_both_languages() {
    let entities = engine_literals("entity");
    for known in ["customer", "order", "product", "lead"] {
        assert!(entities.contains(known), "the scan missed {known}: found {entities:?}");
    }
    let wrong = untranslated("entity", &entities);
    assert!(wrong.is_empty(), "{} record kinds:\n{}", wrong.len(), wrong.join("\n"));
}
