//! Administrative division codes 行政区划代码 and the region tree.
//!
//! A [`RegionCode`] is the 12-digit statistical division code (统计用区划代码):
//! digits 1–6 the county (县), 7–9 the township (乡镇), 10–12 the village
//! (行政村 / 社区, including relocation settlement points 安置点 that have their own
//! code). A county or township is written padded with zeros
//! (`141123000000`, `141123100000`); its *significant prefix* (6 or 9 digits)
//! is what area scopes use ([`crate::access::Scope`]).
//!
//! Natural villages (自然村) have no national code. Decision: a natural village
//! gets the code of its administrative village followed by `-` and two digits,
//! `141123100201-01` … `-99`, assigned by the county. So a natural village sorts
//! under its village, is covered by the village's scope prefix, and
//! [`crate::household::Household::natural_village`] holds such a code.

use std::fmt;
use std::str::FromStr;

use crate::codes::RegionLevel;

/// Why a text is not a region code.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum RegionError {
    /// Not 6, 9 or 12 digits (or 12 digits, `-` and 2 digits).
    #[error(
        "a region code has 6, 9 or 12 digits, or 12 digits, '-' and 2 digits for a natural village"
    )]
    Format,
    /// The digits do not describe a division (zero county part, a village under
    /// township `000`, natural village `00`).
    #[error("the region code is not a valid division code")]
    Structure,
}

impl RegionError {
    /// The reason in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            RegionError::Format => {
                "行政区划代码应为 6、9 或 12 位数字（自然村为 12 位村代码加“-”和 2 位序号）"
                    .to_owned()
            }
            RegionError::Structure => "行政区划代码结构不正确".to_owned(),
        }
    }
}

/// A division code: 12 digits, or 12 digits + `-NN` for a natural village.
/// Serde: the text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(String);

impl RegionCode {
    /// Parses a code. 6 and 9 digits are a county and a township and are padded
    /// to 12; 12 digits are taken as they are; `12 digits-NN` is a natural
    /// village. Surrounding whitespace is ignored.
    pub fn parse(s: &str) -> Result<RegionCode, RegionError> {
        let t = s.trim();
        let (main, nat) = match t.split_once('-') {
            Some((m, n)) => (m, Some(n)),
            None => (t, None),
        };
        if !main.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionError::Format);
        }
        let mut code = match (main.len(), nat) {
            (6, None) => format!("{main}000000"),
            (9, None) => format!("{main}000"),
            (12, _) => main.to_owned(),
            _ => return Err(RegionError::Format),
        };
        if &code[..6] == "000000" || (&code[6..9] == "000" && &code[9..12] != "000") {
            return Err(RegionError::Structure);
        }
        if let Some(n) = nat {
            if n.len() != 2 || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(RegionError::Format);
            }
            if n == "00" || &code[9..12] == "000" {
                return Err(RegionError::Structure);
            }
            code.push('-');
            code.push_str(n);
        }
        Ok(RegionCode(code))
    }

    /// The text (`141123100201`, `141123000000`, `141123100201-01`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The county part: the first 6 digits.
    pub fn county(&self) -> &str {
        &self.0[..6]
    }

    /// The township part: the first 9 digits.
    pub fn township(&self) -> &str {
        &self.0[..9]
    }

    /// The 12-digit code (for a natural village, its administrative village's code).
    pub fn village(&self) -> &str {
        &self.0[..12]
    }

    /// The level the code itself shows: county, township, village, or natural
    /// village. (A settlement point has a village-level code; the registry's
    /// [`Region::level`] says which.)
    pub fn code_level(&self) -> RegionLevel {
        if self.0.len() > 12 {
            RegionLevel::NaturalVillage
        } else if &self.0[6..12] == "000000" {
            RegionLevel::County
        } else if &self.0[9..12] == "000" {
            RegionLevel::Township
        } else {
            RegionLevel::Village
        }
    }

    /// The significant prefix used by area scopes: 6 digits for a county, 9 for a
    /// township, 12 for a village, the whole code for a natural village.
    pub fn scope_prefix(&self) -> &str {
        match self.code_level() {
            RegionLevel::County => self.county(),
            RegionLevel::Township => self.township(),
            _ => &self.0,
        }
    }

    /// The enclosing division: natural village → village → township → county → `None`.
    pub fn parent(&self) -> Option<RegionCode> {
        match self.code_level() {
            RegionLevel::NaturalVillage => Some(RegionCode(self.village().to_owned())),
            RegionLevel::Village | RegionLevel::Settlement => {
                Some(RegionCode(format!("{}000", self.township())))
            }
            RegionLevel::Township => Some(RegionCode(format!("{}000000", self.county()))),
            RegionLevel::County => None,
        }
    }

    /// The code of natural village number `n` (1..=99) of this village; `None`
    /// unless this is a village code and `n` is in range.
    pub fn natural_village(&self, n: u8) -> Option<RegionCode> {
        if self.code_level() != RegionLevel::Village || !(1..=99).contains(&n) {
            return None;
        }
        Some(RegionCode(format!("{}-{n:02}", self.0)))
    }

    /// Whether `other` is this division or lies inside it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(self.scope_prefix())
    }
}

impl FromStr for RegionCode {
    type Err = RegionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({})", self.0)
    }
}

impl AsRef<str> for RegionCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for RegionCode {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for RegionCode {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl serde::Serialize for RegionCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RegionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A division in the registry's region tree (县 → 乡镇 → 行政村 / 安置点 → 自然村).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Region {
    /// Its code.
    pub code: RegionCode,
    /// Its name (e.g. 圪塔上乡).
    pub name: String,
    /// Its level.
    pub level: RegionLevel,
    /// The enclosing division (`None` for the county).
    pub parent: Option<RegionCode>,
}

/// OpenAPI: 行政区划代码: 12 digits (a natural village adds `-NN`)
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for RegionCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::codes::string_schema(
            "行政区划代码: 12 digits (a natural village adds `-NN`)",
            None,
            Some("^[0-9]{12}(-[0-9]{2})?$"),
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for RegionCode {}

#[cfg(test)]
mod tests {
    use super::*;

    fn rc(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn parse_forms() {
        assert_eq!(rc("141123").as_str(), "141123000000");
        assert_eq!(rc("141123100").as_str(), "141123100000");
        assert_eq!(rc(" 141123100201 ").as_str(), "141123100201");
        assert_eq!(rc("141123100201-03").as_str(), "141123100201-03");
        assert_eq!(RegionCode::parse("14112"), Err(RegionError::Format));
        assert_eq!(RegionCode::parse("14112310020a"), Err(RegionError::Format));
        assert_eq!(RegionCode::parse(""), Err(RegionError::Format));
        assert_eq!(RegionCode::parse("141123-01"), Err(RegionError::Format));
        assert_eq!(
            RegionCode::parse("141123100201-1"),
            Err(RegionError::Format)
        );
        assert_eq!(
            RegionCode::parse("141123100201-00"),
            Err(RegionError::Structure)
        );
        assert_eq!(
            RegionCode::parse("141123000201"),
            Err(RegionError::Structure)
        );
        assert_eq!(
            RegionCode::parse("000000100201"),
            Err(RegionError::Structure)
        );
        assert_eq!(
            RegionCode::parse("141123100000-01"),
            Err(RegionError::Structure)
        );
        assert!(RegionError::Format.message_zh().contains("12 位"));
        assert!(RegionError::Structure.message_zh().contains("结构"));
    }

    #[test]
    fn parts_levels_and_parents() {
        let v = rc("141123100201");
        assert_eq!(v.county(), "141123");
        assert_eq!(v.township(), "141123100");
        assert_eq!(v.village(), "141123100201");
        assert_eq!(v.code_level(), RegionLevel::Village);
        assert_eq!(v.scope_prefix(), "141123100201");
        let t = v.parent().unwrap();
        assert_eq!(t, rc("141123100"));
        assert_eq!(t.code_level(), RegionLevel::Township);
        assert_eq!(t.scope_prefix(), "141123100");
        let c = t.parent().unwrap();
        assert_eq!(c.code_level(), RegionLevel::County);
        assert_eq!(c.scope_prefix(), "141123");
        assert_eq!(c.parent(), None);
        let n = v.natural_village(7).unwrap();
        assert_eq!(n.as_str(), "141123100201-07");
        assert_eq!(n.code_level(), RegionLevel::NaturalVillage);
        assert_eq!(n.village(), "141123100201");
        assert_eq!(n.parent(), Some(v.clone()));
        assert_eq!(v.natural_village(0), None);
        assert_eq!(v.natural_village(100), None);
        assert_eq!(t.natural_village(1), None);
        assert!(c.contains(&n) && t.contains(&v) && v.contains(&n) && v.contains(&v));
        assert!(!v.contains(&t));
        assert!(!rc("141123101").contains(&v));
        assert!(v == "141123100201");
        assert_eq!(format!("{v}"), "141123100201");
        assert_eq!(format!("{v:?}"), "RegionCode(141123100201)");
        assert_eq!("141123".parse::<RegionCode>(), Ok(c));
    }

    #[test]
    fn serde_as_text() {
        use crate::testing::{from_str, to_text};
        assert_eq!(to_text(&rc("141123100201")).unwrap(), "\"141123100201\"");
        assert_eq!(
            from_str::<RegionCode>("141123").unwrap(),
            rc("141123000000")
        );
        assert!(from_str::<RegionCode>("1411").is_err());
    }

    #[test]
    fn ordering_puts_natural_villages_under_their_village() {
        let mut v = [
            rc("141123100202"),
            rc("141123100201-01"),
            rc("141123100201"),
        ];
        v.sort();
        let s: Vec<&str> = v.iter().map(RegionCode::as_str).collect();
        assert_eq!(s, ["141123100201", "141123100201-01", "141123100202"]);
    }
}
