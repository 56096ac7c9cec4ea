//! Pinyin of Chinese names: initials for search (`shds` finds 上海鼎盛, `cq` finds 重庆) and full pinyin for sorting.
//!
//! A character can have several readings (重 zhòng / chóng). A name is read the way a person reads it:
//! a phrase from the built-in table (重庆 chóngqìng, 厦门 xiàmén), a surname at the start of a field
//! (曾 zēng, 单 shàn), else the character's most common reading. That reading is the sort key and the
//! first initials string. Search also gets the other common readings of each character, bounded: see
//! [`search_keys`].

use pinyin::ToPinyin;

/// The most initials strings one field adds to the search text: the chosen reading's, the pinyin
/// crate's first reading's (what older versions indexed) and alternatives, in that order.
const MOST_INITIALS: usize = 8;

/// An alternative reading adds the initials of the characters this far either side of it, not of the
/// whole field: initials are typed a few letters at a time, and a long address stays a few bytes more.
const WINDOW: usize = 5;

/// One character of a text as the keys see it.
#[derive(Clone, Copy)]
enum Sound {
    /// A Latin letter or digit, lower case, kept as it is.
    Kept(char),
    /// A Chinese character: the reading chosen for it, the pinyin crate's first reading, and the
    /// other readings worth searching by (none when a phrase settled it).
    Han { chosen: &'static str, first: &'static str, others: &'static [&'static str] },
}

impl Sound {
    fn chosen_initial(self) -> char {
        match self {
            Sound::Kept(c) => c,
            Sound::Han { chosen, .. } => initial(chosen),
        }
    }

    fn first_initial(self) -> char {
        match self {
            Sound::Kept(c) => c,
            Sound::Han { first, .. } => initial(first),
        }
    }
}

fn initial(reading: &str) -> char {
    reading.chars().next().unwrap_or(' ')
}

/// The characters of `text` that have a pinyin key, each with its readings.
fn sounds(text: &str) -> Vec<Sound> {
    let mut sounds = Vec::with_capacity(text.len() / 3 + 1);
    let mut phrase: Option<std::str::Split<'static, char>> = None;
    let mut at_start = true;
    for ((at, c), reading) in text.char_indices().zip(text.to_pinyin()) {
        let Some(reading) = reading else {
            phrase = None;
            if c.is_ascii_alphanumeric() {
                sounds.push(Sound::Kept(c.to_ascii_lowercase()));
            }
            continue;
        };
        let first = reading.plain();
        if let Some(chosen) = phrase.as_mut().and_then(Iterator::next) {
            sounds.push(Sound::Han { chosen, first, others: &[] });
            continue;
        }
        if let Some(readings) = phrase_at(&text[at..]) {
            let mut readings = readings.split(' ');
            let chosen = readings.next().unwrap_or(first);
            sounds.push(Sound::Han { chosen, first, others: &[] });
            phrase = Some(readings);
            at_start = false;
            continue;
        }
        let others = common_readings(c);
        let surname = if at_start { surname_reading(c) } else { None };
        let chosen = surname.or_else(|| others.first().copied()).unwrap_or(first);
        sounds.push(Sound::Han { chosen, first, others });
        at_start = false;
    }
    sounds
}

/// The pinyin spellings of a name as a person reads it, lower case: (initials, full). Latin letters
/// and digits are kept as they are, other characters are dropped: "ABC贸易" → ("abcmy", "abcmaoyi"),
/// "重庆长安" → ("cqca", "chongqingchangan"). The full spelling is the name's sort key.
pub fn pinyin_keys(name: &str) -> (String, String) {
    let sounds = sounds(name);
    let initials = sounds.iter().map(|s| s.chosen_initial()).collect();
    (initials, full(&sounds))
}

/// What a field is found by, beyond its own text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchKeys {
    /// The chosen reading's initials first, then the pinyin crate's first readings' when they differ,
    /// then stretches with one character read another common way; at most [`MOST_INITIALS`].
    pub initials: Vec<String>,
    /// The chosen reading spelt out. The first readings' spelling is not kept: nobody types
    /// "zhongqing" for 重庆, and full spellings are the long part of a search row.
    pub full: String,
}

/// The pinyin keys a field is searched by. Bounded whatever the text: at most [`MOST_INITIALS`]
/// initials strings, alternatives cut to [`WINDOW`] characters either side, one full spelling.
pub fn search_keys(text: &str) -> SearchKeys {
    let sounds = sounds(text);
    let chosen: Vec<char> = sounds.iter().map(|s| s.chosen_initial()).collect();
    let mut initials = vec![chosen.iter().collect::<String>()];
    add_new(&mut initials, sounds.iter().map(|s| s.first_initial()).collect());
    'alternatives: for (at, sound) in sounds.iter().enumerate() {
        let Sound::Han { others, .. } = sound else { continue };
        for other in others.iter().map(|r| initial(r)).filter(|&i| i != chosen[at]) {
            if initials.len() >= MOST_INITIALS {
                break 'alternatives;
            }
            let around = at.saturating_sub(WINDOW)..(at + WINDOW + 1).min(chosen.len());
            add_new(&mut initials, around.map(|k| if k == at { other } else { chosen[k] }).collect());
        }
    }
    SearchKeys { initials, full: full(&sounds) }
}

/// Adds `key` unless a key already there holds it.
fn add_new(keys: &mut Vec<String>, key: String) {
    if !keys.iter().any(|k| k.contains(key.as_str())) {
        keys.push(key);
    }
}

/// The spelling of every sound, each Chinese character as chosen.
fn full(sounds: &[Sound]) -> String {
    let mut out = String::with_capacity(sounds.len() * 4);
    for sound in sounds {
        match *sound {
            Sound::Kept(c) => out.push(c),
            Sound::Han { chosen, .. } => out.push_str(chosen),
        }
    }
    out
}

/// The readings of the phrase `text` starts with, the longest one the table knows, one a character.
fn phrase_at(text: &str) -> Option<&'static str> {
    let first = text.chars().next()?;
    let at = PHRASES.binary_search_by_key(&first, |(c, _)| *c).ok()?;
    PHRASES[at]
        .1
        .iter()
        .filter(|(phrase, _)| text.starts_with(phrase))
        .max_by_key(|(phrase, _)| phrase.len())
        .map(|(_, readings)| *readings)
}

/// Place names and words whose characters a name reads otherwise than alone, with one reading a
/// character, under their first character; sorted by it for a binary search (a test checks it).
/// Changing this or the tables below changes the keys in company files: raise `search::KEYS_RECIPE`
/// so that files are indexed again when opened.
const PHRASES: &[(char, &[(&str, &str)])] = &[
    ('万', &[("万俟", "mo qi")]),
    ('东', &[("东莞", "dong guan"), ("东阿", "dong e")]),
    ('乐', &[("乐亭", "lao ting"), ("乐器", "yue qi"), ("乐山", "le shan"), ("乐清", "yue qing"), ("乐陵", "le ling")]),
    ('会', &[("会稽", "kuai ji"), ("会计", "kuai ji")]),
    ('传', &[("传媒", "chuan mei")]),
    ('六', &[("六合", "lu he"), ("六安", "lu an"), ("六盘水", "liu pan shui")]),
    ('分', &[("分行", "fen hang")]),
    ('单', &[("单于", "chan yu"), ("单位", "dan wei"), ("单县", "shan xian")]),
    ('厦', &[("厦门", "xia men")]),
    ('商', &[("商行", "shang hang")]),
    ('大', &[("大厦", "da sha"), ("大埔", "da bu")]),
    ('尉', &[("尉迟", "yu chi")]),
    ('快', &[("快乐", "kuai le")]),
    ('总', &[("总行", "zong hang")]),
    ('支', &[("支行", "zhi hang")]),
    ('朝', &[("朝阳", "chao yang"), ("朝鲜", "chao xian")]),
    ('枞', &[("枞阳", "zong yang")]),
    ('校', &[("校长", "xiao zhang")]),
    ('歙', &[("歙县", "she xian")]),
    ('浒', &[("浒墅关", "xu shu guan")]),
    ('琴', &[("琴行", "qin hang")]),
    ('番', &[("番禺", "pan yu")]),
    ('筠', &[("筠连", "jun lian")]),
    ('荥', &[("荥阳", "xing yang")]),
    ('莘', &[("莘县", "shen xian"), ("莘庄", "xin zhuang")]),
    ('蔚', &[("蔚县", "yu xian")]),
    ('蚌', &[("蚌埠", "beng bu")]),
    ('行', &[("行业", "hang ye"), ("行长", "hang zhang")]),
    ('西', &[("西藏", "xi zang")]),
    ('解', &[("解放", "jie fang")]),
    ('调', &[("调味", "tiao wei")]),
    ('车', &[("车行", "che hang")]),
    ('重', &[("重型", "zhong xing"), ("重工", "zhong gong"), ("重庆", "chong qing"), ("重点", "zhong dian")]),
    ('铅', &[("铅山", "yan shan")]),
    ('银', &[("银行", "yin hang")]),
    (
        '长',
        &[
            ("长丰", "chang feng"),
            ("长乐", "chang le"),
            ("长兴", "chang xing"),
            ("长城", "chang cheng"),
            ("长子", "zhang zi"),
            ("长宁", "chang ning"),
            ("长安", "chang an"),
            ("长寿", "chang shou"),
            ("长岭", "chang ling"),
            ("长春", "chang chun"),
            ("长武", "chang wu"),
            ("长江", "chang jiang"),
            ("长沙", "chang sha"),
            ("长治", "chang zhi"),
            ("长泰", "chang tai"),
            ("长海", "chang hai"),
            ("长清", "chang qing"),
            ("长白山", "chang bai shan"),
            ("长葛", "chang ge"),
            ("长阳", "chang yang"),
            ("长顺", "chang shun"),
        ],
    ),
    ('音', &[("音乐", "yin yue")]),
    ('黄', &[("黄陂", "huang pi")]),
];

/// A surname's reading where it differs from the character's usual one; used for the first Chinese
/// character of a field, where a person's or a family firm's name has its surname.
fn surname_reading(c: char) -> Option<&'static str> {
    Some(match c {
        '曾' => "zeng",
        '解' => "xie",
        '仇' => "qiu",
        '单' => "shan",
        '查' => "zha",
        '朴' => "piao",
        '区' => "ou",
        '盖' => "ge",
        '缪' => "miao",
        '覃' => "qin",
        '翟' => "zhai",
        '种' => "chong",
        '秘' => "bi",
        '折' => "she",
        '召' => "shao",
        '牟' => "mu",
        _ => return None,
    })
}

/// The readings in common use of a character that has several starting with different letters, the
/// one a name most likely has first. Only these add alternatives: the pinyin data lists rare readings
/// for most characters (有 wěi, 限 wěn, 司 cí), and indexing those would make every name several
/// times longer for nothing.
fn common_readings(c: char) -> &'static [&'static str] {
    match c {
        '重' => &["zhong", "chong"],
        '长' => &["chang", "zhang"],
        '行' => &["xing", "hang"],
        '厦' => &["sha", "xia"],
        '朝' => &["chao", "zhao"],
        '单' => &["dan", "shan", "chan"],
        '曾' => &["zeng", "ceng"],
        '解' => &["jie", "xie"],
        '仇' => &["chou", "qiu"],
        '乐' => &["le", "yue"],
        '会' => &["hui", "kuai"],
        '藏' => &["cang", "zang"],
        '传' => &["chuan", "zhuan"],
        '调' => &["tiao", "diao"],
        '便' => &["bian", "pian"],
        '宿' => &["su", "xiu"],
        '区' => &["qu", "ou"],
        '查' => &["cha", "zha"],
        '种' => &["zhong", "chong"],
        '秘' => &["mi", "bi"],
        '折' => &["zhe", "she"],
        '覃' => &["qin", "tan"],
        '翟' => &["zhai", "di"],
        '尉' => &["wei", "yu"],
        '校' => &["xiao", "jiao"],
        '弹' => &["tan", "dan"],
        '降' => &["jiang", "xiang"],
        '给' => &["gei", "ji"],
        '卡' => &["ka", "qia"],
        '弄' => &["nong", "long"],
        '泊' => &["bo", "po"],
        '屏' => &["ping", "bing"],
        '奇' => &["qi", "ji"],
        '强' => &["qiang", "jiang"],
        '省' => &["sheng", "xing"],
        '石' => &["shi", "dan"],
        '识' => &["shi", "zhi"],
        '属' => &["shu", "zhu"],
        '汤' => &["tang", "shang"],
        '提' => &["ti", "di"],
        '系' => &["xi", "ji"],
        '堡' => &["bao", "bu", "pu"],
        '番' => &["fan", "pan"],
        '蔚' => &["wei", "yu"],
        '铅' => &["qian", "yan"],
        '涌' => &["yong", "chong"],
        '浒' => &["hu", "xu"],
        '莘' => &["shen", "xin"],
        '陂' => &["bei", "pi"],
        '阿' => &["a", "e"],
        '参' => &["can", "shen"],
        '谷' => &["gu", "yu"],
        '车' => &["che", "ju"],
        '乘' => &["cheng", "sheng"],
        '扁' => &["bian", "pian"],
        '吓' => &["xia", "he"],
        '咖' => &["ka", "ga"],
        '纤' => &["xian", "qian"],
        '炮' => &["pao", "bao"],
        '埔' => &["pu", "bu"],
        '莞' => &["guan", "wan"],
        '荥' => &["xing", "ying"],
        '枞' => &["cong", "zong"],
        '筠' => &["yun", "jun"],
        _ => &[],
    }
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

    #[test]
    fn phrases_and_surnames_are_read_as_people_read_them() {
        let check = |name: &str, initials: &str, full: &str| {
            assert_eq!(pinyin_keys(name), (initials.to_string(), full.to_string()), "{name}");
        };
        check("重庆长安贸易", "cqcamy", "chongqingchanganmaoyi");
        check("长沙银行", "csyh", "changshayinhang");
        check("厦门", "xm", "xiamen");
        check("单县", "sx", "shanxian");
        check("单伟", "sw", "shanwei");
        check("曾小明", "zxm", "zengxiaoming");
        check("解大伟", "xdw", "xiedawei");
        check("仇立", "ql", "qiuli");
        check("六安", "la", "luan");
        check("蚌埠", "bb", "bengbu");
        check("简单", "jd", "jiandan");
        check("浒墅关镇", "xsgz", "xushuguanzhen");
    }

    #[test]
    fn search_keys_hold_the_chosen_the_old_and_the_other_common_readings() {
        let keys = search_keys("重庆长安贸易");
        assert_eq!(keys.initials, ["cqcamy", "zqzamy"]);
        assert_eq!(keys.full, "chongqingchanganmaoyi");
        let keys = search_keys("重阳贸易");
        assert_eq!(keys.initials, ["zymy", "cymy"]);
        assert_eq!(search_keys("上海鼎盛有限公司").initials, ["shdsyxgs"], "rare readings add nothing");
    }

    #[test]
    fn a_long_name_of_polyphonic_characters_stays_bounded() {
        let name = "重长行朝单曾解仇乐会藏传调便宿区查种秘折".repeat(5);
        let keys = search_keys(&name);
        assert_eq!(keys.initials.len(), MOST_INITIALS);
        assert!(keys.initials.iter().skip(2).all(|k| k.chars().count() <= 2 * WINDOW + 1));
    }

    #[test]
    fn phrases_are_sorted_with_a_reading_a_character() {
        assert!(PHRASES.windows(2).all(|w| w[0].0 < w[1].0), "sorted for the binary search");
        for (first, phrases) in PHRASES {
            for (phrase, readings) in *phrases {
                assert!(phrase.starts_with(*first), "{phrase} under {first}");
                assert_eq!(phrase.chars().count(), readings.split(' ').count(), "{phrase}");
            }
        }
    }
}
