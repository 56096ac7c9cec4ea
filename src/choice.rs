//! Values chosen from a fixed list (statuses, kinds, roles): each enum names its variants once, with
//! their English code and Chinese word, and parsing, the list of allowed values and the error follow.

use crate::error::{Error, Reason, Result};

/// An enum whose values people type as an English code or a Chinese word.
///
/// Only `ALL`, `as_str` and `chinese` (and `also` for synonyms) are written per enum; `parse`,
/// `allowed` and `read` are these defaults, so a new variant added to `ALL` is parsed, listed and
/// named in errors at once. `choice::tests::check` fails for a variant left out of `ALL`.
pub trait Choice: Copy + PartialEq + 'static {
    /// Every variant, in the order lists show them.
    const ALL: &'static [Self];

    /// What an empty field means, when it means one of the values.
    const WHEN_EMPTY: Option<Self> = None;

    /// The English code: what is stored, exported and sent to the window.
    fn as_str(self) -> &'static str;

    /// The Chinese word shown beside the code in the list of allowed values.
    fn chinese(self) -> &'static str;

    /// Other spellings accepted too, English or Chinese, that the list does not show.
    fn also(self) -> &'static [&'static str] {
        &[]
    }

    /// The code, the Chinese word or a synonym, trimmed; English in any case.
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() {
            return Self::WHEN_EMPTY;
        }
        let same = |word: &str| text.eq_ignore_ascii_case(word);
        Self::ALL.iter().copied().find(|v| same(v.as_str()) || same(v.chinese()) || v.also().iter().any(|w| same(w)))
    }

    /// `code/中文, code/中文, …`: what the error for a value not in the list shows.
    fn allowed() -> String {
        Self::ALL.iter().map(|v| format!("{}/{}", v.as_str(), v.chinese())).collect::<Vec<_>>().join(", ")
    }

    /// The reason `text` is refused: not one of [`Choice::allowed`].
    fn not_allowed(text: &str) -> Reason {
        Reason::NotAllowed { value: text.trim().to_string(), allowed: Self::allowed() }
    }

    /// [`Choice::parse`], or the field error naming what is allowed.
    fn read(field: &'static str, text: &str) -> Result<Self> {
        Self::parse(text).ok_or_else(|| Error::invalid(field, Self::not_allowed(text)))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::fmt::Debug;

    use serde::de::{self, DeserializeOwned, Visitor};

    use super::Choice;

    /// Every variant in `ALL` once, its serde name its code, and each read back from its code (in
    /// upper case too) and its Chinese word, named in `allowed()`. The variants are counted from the
    /// enum's own `Deserialize`, so a variant missing from `ALL` fails here.
    pub(crate) fn check<T: Choice + DeserializeOwned + Debug>() {
        let declared = variant_names::<T>();
        let codes: Vec<&str> = T::ALL.iter().map(|v| v.as_str()).collect();
        assert_eq!(codes, declared, "ALL lists every variant, in declaration order, by its serde name");
        let allowed = T::allowed();
        for &v in T::ALL {
            assert_eq!(T::parse(v.as_str()), Some(v), "{v:?} from its code");
            assert_eq!(
                T::parse(&format!(" {} ", v.as_str().to_uppercase())),
                Some(v),
                "{v:?} from its code in capitals"
            );
            assert_eq!(T::parse(v.chinese()), Some(v), "{v:?} from its Chinese word");
            for word in v.also() {
                assert_eq!(T::parse(word), Some(v), "{v:?} from {word}");
            }
            let shown = format!("{}/{}", v.as_str(), v.chinese());
            assert!(allowed.split(", ").any(|item| item == shown), "{allowed} names {shown}");
        }
        assert_eq!(T::parse("no such value"), None);
        match T::read("field", " no such value ") {
            Err(crate::Error::Invalid {
                field: "field",
                reason: crate::error::Reason::NotAllowed { value, allowed },
            }) => {
                assert_eq!(value, "no such value");
                assert_eq!(allowed, T::allowed());
            }
            other => panic!("{other:?}"),
        }
    }

    /// The variant names serde derived for `T`, read by a deserializer that only asks for an enum.
    fn variant_names<T: DeserializeOwned>() -> Vec<&'static str> {
        let mut names: &'static [&'static str] = &[];
        let _refused = T::deserialize(VariantNames(&mut names));
        names.to_vec()
    }

    struct VariantNames<'a>(&'a mut &'static [&'static str]);

    impl<'de> de::Deserializer<'de> for VariantNames<'_> {
        type Error = de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("only an enum is read"))
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            _name: &'static str,
            variants: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = variants;
            Err(de::Error::custom("names read"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
        }
    }
}
