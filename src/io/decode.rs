//! Bytes to text at the edge: detect a file's encoding (BOM, strict UTF-8, else GB18030) and decode it as a stream.

use std::io::Read;

use encoding_rs::{Encoding as Codec, GB18030, UTF_8, UTF_16BE, UTF_16LE};
use encoding_rs_io::DecodeReaderBytesBuilder;
use serde::{Deserialize, Serialize};

/// The encodings a spreadsheet file arrives in. GB18030 is a superset of GBK and GB2312,
/// which is what Chinese Excel writes for "CSV".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoding {
    #[serde(rename = "UTF-8")]
    Utf8,
    #[serde(rename = "UTF-8 BOM")]
    Utf8Bom,
    #[serde(rename = "UTF-16LE")]
    Utf16Le,
    #[serde(rename = "UTF-16BE")]
    Utf16Be,
    #[serde(rename = "GB18030")]
    Gb18030,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Gb18030 => "GB18030",
        }
    }

    /// What a user may type to override detection: utf-8, utf8, gbk, gb2312, gb18030, utf-16le, …
    pub fn parse(text: &str) -> Option<Encoding> {
        let folded: String = text.trim().to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        Some(match folded.as_str() {
            "utf8" => Encoding::Utf8,
            "utf8bom" | "utf8sig" => Encoding::Utf8Bom,
            "utf16" | "utf16le" => Encoding::Utf16Le,
            "utf16be" => Encoding::Utf16Be,
            "gbk" | "gb2312" | "gb18030" | "cp936" => Encoding::Gb18030,
            _ => return None,
        })
    }

    fn codec(self) -> &'static Codec {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => UTF_8,
            Encoding::Utf16Le => UTF_16LE,
            Encoding::Utf16Be => UTF_16BE,
            Encoding::Gb18030 => GB18030,
        }
    }
}

/// How many bytes of the file's start decide the encoding.
pub const SAMPLE_LEN: usize = 1 << 20;

/// Decides the encoding from the first bytes of a file: a byte-order mark if there is one, UTF-8 if
/// the sample is valid UTF-8 (a character cut off at the sample's end is fine), otherwise GB18030.
pub fn detect(sample: &[u8]) -> Encoding {
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Encoding::Utf8Bom;
    }
    if sample.starts_with(&[0xFF, 0xFE]) {
        return Encoding::Utf16Le;
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return Encoding::Utf16Be;
    }
    let valid = match std::str::from_utf8(sample) {
        Ok(text) => text,
        // None: the sample ends inside a character; everything before it was valid.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&sample[..e.valid_up_to()]).unwrap_or_default(),
        Err(_) => return Encoding::Gb18030,
    };
    if looks_like_gbk_in_disguise(valid, sample) { Encoding::Gb18030 } else { Encoding::Utf8 }
}

/// Some GBK byte pairs are also valid two-byte UTF-8: 盛 is CA A2, which UTF-8 reads as ʢ.
/// Chinese in UTF-8 takes three bytes a character, so when the only non-ASCII characters are
/// two-byte ones, look at which: accented Latin, Greek or Cyrillic are real text (café stays
/// UTF-8), but IPA letters, combining marks, C1 controls or Armenian-to-N'Ko in a Chinese business
/// file mean the bytes were GBK all along.
fn looks_like_gbk_in_disguise(text: &str, sample: &[u8]) -> bool {
    let implausible = |c: char| matches!(c, '\u{80}'..='\u{9F}' | '\u{180}'..='\u{36F}' | '\u{530}'..='\u{7FF}');
    let wider = text.chars().any(|c| c >= '\u{800}');
    !wider
        && text.chars().any(implausible)
        && GB18030.decode_without_bom_handling_and_without_replacement(sample).is_some()
}

/// A reader that yields the file as UTF-8, without its byte-order mark. Bytes that are not
/// valid in `encoding` come out as U+FFFD, which row validation reports with the line.
pub fn utf8_reader<R: Read>(source: R, encoding: Encoding) -> impl Read {
    DecodeReaderBytesBuilder::new().encoding(Some(encoding.codec())).bom_override(true).strip_bom(true).build(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (Encoding, String) {
        let encoding = detect(bytes);
        let mut text = String::new();
        utf8_reader(bytes, encoding).read_to_string(&mut text).unwrap();
        (encoding, text)
    }

    #[test]
    fn detects_and_decodes_every_encoding_excel_writes() {
        let text = "客户编号,客户名称\nC001,上海鼎盛\n";
        let (gbk, _, _) = GB18030.encode(text);
        assert_eq!(decode(&gbk), (Encoding::Gb18030, text.to_string()));
        assert_eq!(decode(text.as_bytes()), (Encoding::Utf8, text.to_string()));
        let bom: Vec<u8> = [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat();
        assert_eq!(decode(&bom), (Encoding::Utf8Bom, text.to_string()));
        let utf16le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode(&utf16le), (Encoding::Utf16Le, text.to_string()));
        let utf16be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode(&utf16be), (Encoding::Utf16Be, text.to_string()));
    }

    #[test]
    fn a_sample_cut_inside_a_character_is_still_utf8() {
        let bytes = "上海".as_bytes();
        assert_eq!(detect(&bytes[..4]), Encoding::Utf8);
    }

    #[test]
    fn short_gbk_that_happens_to_be_valid_utf8_is_still_gbk() {
        let (bytes, _, _) = GB18030.encode("a,b\r\n盛,盛盛\r\n");
        assert!(std::str::from_utf8(&bytes).is_ok(), "the trap: these bytes are valid UTF-8");
        assert_eq!(detect(&bytes), Encoding::Gb18030);
        assert_eq!(detect("café,naïve".as_bytes()), Encoding::Utf8, "real two-byte UTF-8 is not valid GB18030");
    }

    #[test]
    fn overrides_by_name() {
        assert_eq!(Encoding::parse("GBK"), Some(Encoding::Gb18030));
        assert_eq!(Encoding::parse("utf-8"), Some(Encoding::Utf8));
        assert_eq!(Encoding::parse("UTF-16 LE"), Some(Encoding::Utf16Le));
        assert_eq!(Encoding::parse("latin1"), None);
    }
}
