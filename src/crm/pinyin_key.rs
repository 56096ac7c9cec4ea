//! Pinyin of Chinese names: initials for search (`shds` finds 上海鼎盛) and full pinyin for sorting.

use pinyin::ToPinyin;

/// The pinyin spellings of a name, lower case: (initials, full). Latin letters and digits
/// are kept as they are, other characters are dropped: "ABC贸易" → ("abcmy", "abcmaoyi").
pub fn pinyin_keys(name: &str) -> (String, String) {
    let mut initials = String::with_capacity(name.len());
    let mut full = String::with_capacity(name.len() * 3);
    for (c, reading) in name.chars().zip(name.to_pinyin()) {
        match reading {
            Some(reading) => {
                initials.push_str(reading.first_letter());
                full.push_str(reading.plain());
            }
            None if c.is_ascii_alphanumeric() => {
                let lower = c.to_ascii_lowercase();
                initials.push(lower);
                full.push(lower);
            }
            None => {}
        }
    }
    (initials, full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_and_full_pinyin() {
        assert_eq!(pinyin_keys("上海鼎盛"), ("shds".to_string(), "shanghaidingsheng".to_string()));
        assert_eq!(pinyin_keys("ABC贸易 (集团)").0, "abcmyjt");
        assert_eq!(pinyin_keys("").0, "");
    }
}
