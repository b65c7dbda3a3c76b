//! Resident ID number 居民身份证号码 (公民身份号码, GB 11643-1999).
//!
//! Layout of the 18 characters: 6 digits address code (the region of first
//! registration, 行政区划代码 of the county), 8 digits birth date `YYYYMMDD`,
//! 3 digits sequence (顺序码; odd for a male, even for a female), 1 check
//! character (校验码, `0`–`9` or `X`) computed by ISO 7064 MOD 11-2.
//!
//! [`IdNumber`] is a validated value packed into a `u64` (the 17 leading digits as
//! a number × 11 + the check value, `X` = 10), so that it is `Copy`, orders like
//! its text, and joins fast. Parsing normalises what real spreadsheets contain
//! (spaces and tabs anywhere, full-width digits, a lower-case or full-width `x`)
//! and refuses, with a reason, what cannot be an ID number: wrong length, a bad
//! character, a wrong check character, an impossible birth date, and the forms
//! Excel leaves behind when it treats the column as a number (`1.41123E+17`,
//! `141123199001011234.0`, or the last digits turned into `000`).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::codes::Sex;

/// GB 11643 weights of the 17 leading digits (2^(17-i) mod 11).
pub const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for `sum mod 11`.
pub const CHECK_CHARS: &[u8; 11] = b"10X98765432";
/// 10^17: the 17 leading digits are below it.
const TEN_POW_17: u64 = 100_000_000_000_000_000;
/// Earliest and latest accepted birth year.
const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2100;

/// The GB 11643 check character of the 17 leading ASCII digits: `b'0'..=b'9'` or `b'X'`.
///
/// Allocation-free and branch-free; a byte that is not an ASCII digit gives a
/// meaningless (but in-range) result, never a panic.
#[inline]
pub const fn check_char(first17: &[u8; 17]) -> u8 {
    let mut sum: u32 = 0;
    let mut i = 0;
    while i < 17 {
        sum += (first17[i].wrapping_sub(b'0') as u32) * WEIGHTS[i];
        i += 1;
    }
    CHECK_CHARS[(sum % 11) as usize]
}

/// Numeric value of a check character (`X` = 10).
#[inline]
const fn check_value(c: u8) -> u64 {
    if c == b'X' {
        10
    } else {
        c.wrapping_sub(b'0') as u64
    }
}

/// Why a text is not a valid ID number. `Display` is English; [`IdError::message_zh`]
/// gives the Chinese reason shown to users.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum IdError {
    /// Nothing but whitespace.
    #[error("the ID number is empty")]
    Empty,
    /// The text is a number as Excel writes it (`1.41123E+17`, `141123199001011234.0`):
    /// the column was stored as numbers and the digits are lost.
    #[error(
        "the ID number was turned into a number by Excel (e.g. 1.41123E+17); format the column as text and export again"
    )]
    ExcelScientific,
    /// 18 digits whose last three are `000` with a wrong check character: Excel kept
    /// only 15 significant digits.
    #[error(
        "the ID number ends in 000 and its check character is wrong: Excel probably stored it as a number and lost the last digits; format the column as text and export again"
    )]
    ExcelPrecisionLost,
    /// Not 18 characters after normalisation.
    #[error("the ID number must have 18 characters, found {len}")]
    Length {
        /// Number of characters found (whitespace not counted).
        len: usize,
    },
    /// A character that is not a digit (or `X` in the last place).
    #[error(
        "invalid character at position {pos} of the ID number (17 digits and a check character 0-9 or X expected)"
    )]
    BadCharacter {
        /// 1-based position (第 pos 位) in the text without whitespace.
        pos: usize,
    },
    /// The check character does not match the 17 leading digits.
    #[error("wrong check character of the ID number: expected {expected}, found {found}")]
    BadCheck {
        /// The check character the 17 digits give.
        expected: char,
        /// The check character in the text.
        found: char,
    },
    /// Digits 7–14 are not a calendar date in 1900..=2100.
    #[error(
        "the birth date in the ID number (digits 7-14) is not a real date between 1900 and 2100"
    )]
    BadBirthDate,
}

impl IdError {
    /// The reason in Chinese, for users and import reports.
    pub fn message_zh(&self) -> String {
        match self {
            IdError::Empty => "身份证号为空".to_owned(),
            IdError::ExcelScientific => {
                "身份证号被 Excel 转成了科学计数法（如 1.41123E+17），请把该列设为文本后重新导出".to_owned()
            }
            IdError::ExcelPrecisionLost => {
                "身份证号末三位为 000 且校验码不符，疑似被 Excel 当作数字保存而丢失了后几位，请把该列设为文本后重新导出"
                    .to_owned()
            }
            IdError::Length { len: 15 } => {
                "身份证号应为 18 位，实际为 15 位（疑似一代身份证号，请使用 18 位号码）".to_owned()
            }
            IdError::Length { len } => format!("身份证号应为 18 位，实际为 {len} 位"),
            IdError::BadCharacter { pos } => format!(
                "身份证号第 {pos} 位字符不合法（应为 17 位数字加 1 位校验码 0-9 或 X）"
            ),
            IdError::BadCheck { expected, found } => {
                format!("身份证号校验码不符：按前 17 位应为 {expected}，实为 {found}，请核对号码")
            }
            IdError::BadBirthDate => {
                "身份证号中的出生日期（第 7-14 位）不是 1900-2100 年间的有效日期".to_owned()
            }
        }
    }
}

/// A valid resident ID number 居民身份证号码, packed into a `u64`.
///
/// Orders like its 18-character text. Serde reads and writes the 18-character
/// text (reading normalises like [`IdNumber::parse`]). `Display` shows the full
/// number; `Debug` shows it masked, so that logs and panic messages never carry a
/// whole ID number. Use [`IdNumber::masked`] wherever the viewer may not see it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IdNumber(u64);

impl IdNumber {
    /// Parses and validates an ID number, normalising spaces and tabs (also inside),
    /// full-width digits `０`–`９`, and `x` / `ｘ` / `Ｘ` as `X`.
    ///
    /// ```
    /// use shouwang_core::idnum::{IdError, IdNumber};
    /// use shouwang_core::codes::Sex;
    ///
    /// let id = IdNumber::parse(" 110105 19491231 002x")?;
    /// assert_eq!(id.to_string(), "11010519491231002X");
    /// assert_eq!(id.sex(), Sex::Female);
    /// assert_eq!(id.masked(), "110105********002X");
    /// assert_eq!(IdNumber::parse("1.10105E+17"), Err(IdError::ExcelScientific));
    /// # Ok::<(), IdError>(())
    /// ```
    pub fn parse(s: &str) -> Result<IdNumber, IdError> {
        let b = s.as_bytes();
        if let Ok(a) = <&[u8; 18]>::try_from(b)
            && a.iter().all(|c| c.is_ascii_digit() || *c == b'X')
        {
            return Self::from_ascii(a);
        }
        Self::parse_slow(s)
    }

    /// Like [`IdNumber::parse`] on bytes (e.g. a CSV field); non-UTF-8 input is a bad character.
    pub fn parse_bytes(b: &[u8]) -> Result<IdNumber, IdError> {
        if let Ok(a) = <&[u8; 18]>::try_from(b)
            && a.iter().all(|c| c.is_ascii_digit() || *c == b'X')
        {
            return Self::from_ascii(a);
        }
        match std::str::from_utf8(b) {
            Ok(s) => Self::parse_slow(s),
            Err(e) => Err(IdError::BadCharacter {
                pos: e.valid_up_to() + 1,
            }),
        }
    }

    fn parse_slow(s: &str) -> Result<IdNumber, IdError> {
        let mut buf = [0u8; 18];
        let mut len = 0usize;
        let mut first_bad: Option<usize> = None;
        for c in s.chars().filter(|c| !is_ignorable(*c)) {
            len += 1;
            match normalise_char(c) {
                Some(a) => {
                    if len <= 18 {
                        buf[len - 1] = a;
                    }
                }
                None => {
                    if first_bad.is_none() {
                        first_bad = Some(len);
                    }
                }
            }
        }
        if len == 0 {
            return Err(IdError::Empty);
        }
        if let Some(pos) = first_bad {
            if looks_like_excel_number(s) {
                return Err(IdError::ExcelScientific);
            }
            return Err(IdError::BadCharacter { pos });
        }
        if len != 18 {
            return Err(IdError::Length { len });
        }
        Self::from_ascii(&buf)
    }

    /// Validates 18 normalised ASCII characters (digits, `X` only last).
    fn from_ascii(a: &[u8; 18]) -> Result<IdNumber, IdError> {
        let mut first17 = [0u8; 17];
        let mut n: u64 = 0;
        for (i, (&c, slot)) in a.iter().zip(first17.iter_mut()).enumerate() {
            if !c.is_ascii_digit() {
                return Err(IdError::BadCharacter { pos: i + 1 });
            }
            *slot = c;
            n = n * 10 + u64::from(c - b'0');
        }
        let found = a[17];
        if !(found.is_ascii_digit() || found == b'X') {
            return Err(IdError::BadCharacter { pos: 18 });
        }
        let expected = check_char(&first17);
        if expected != found {
            if &a[15..18] == b"000" {
                return Err(IdError::ExcelPrecisionLost);
            }
            return Err(IdError::BadCheck {
                expected: char::from(expected),
                found: char::from(found),
            });
        }
        if birth_from_digits(&first17).is_none() {
            return Err(IdError::BadBirthDate);
        }
        Ok(IdNumber(n * 11 + check_value(found)))
    }

    /// The 18 ASCII characters (upper-case `X`), without allocating.
    pub fn to_ascii(self) -> [u8; 18] {
        let mut out = [b'0'; 18];
        let check = (self.0 % 11) as usize;
        let mut n = self.0 / 11;
        for slot in out[..17].iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
        out[17] = if check == 10 {
            b'X'
        } else {
            b'0' + check as u8
        };
        out
    }

    fn first17(self) -> [u8; 17] {
        let a = self.to_ascii();
        let mut f = [0u8; 17];
        f.copy_from_slice(&a[..17]);
        f
    }

    /// The packed value (17 leading digits × 11 + check value, `X` = 10).
    pub fn to_u64(self) -> u64 {
        self.0
    }

    /// Unpacks a value of [`IdNumber::to_u64`]; `None` unless it is a valid ID number.
    pub fn from_u64(v: u64) -> Option<IdNumber> {
        let digits = v / 11;
        if digits >= TEN_POW_17 {
            return None;
        }
        let id = IdNumber(v);
        let first17 = id.first17();
        let check = check_char(&first17);
        if check_value(check) != v % 11 || birth_from_digits(&first17).is_none() {
            return None;
        }
        Some(id)
    }

    /// Date of birth (digits 7–14).
    pub fn birth_date(self) -> NaiveDate {
        // Valid by construction; the fallback is unreachable.
        birth_from_digits(&self.first17()).unwrap_or_default()
    }

    /// Sex: the 17th digit (sequence code) is odd for a male, even for a female.
    pub fn sex(self) -> Sex {
        let seq_last = (self.0 / 11) % 10;
        if seq_last % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The address code: the first 6 digits (county 行政区划代码 of first registration).
    pub fn region_code(self) -> u32 {
        // 17 digits / 10^11 leaves the first 6 digits, < 1_000_000.
        ((self.0 / 11) / 100_000_000_000) as u32
    }

    /// The 3-digit sequence code 顺序码 (digits 15–17).
    pub fn sequence(self) -> u16 {
        ((self.0 / 11) % 1000) as u16
    }

    /// Age in completed years (周岁) on `date`; the birthday itself counts (on
    /// the birthday the age goes up). Someone born on 29 February turns a year
    /// older on 1 March in a common year. 0 before the birth date.
    pub fn age_on(self, date: NaiveDate) -> u32 {
        age_between(self.birth_date(), date)
    }

    /// The number with the birth date and sequence hidden: `141123********123X`
    /// (first 6, eight `*`, last 4).
    pub fn masked(self) -> String {
        let a = self.to_ascii();
        let mut s = String::with_capacity(18);
        s.extend(a[..6].iter().map(|&c| char::from(c)));
        s.push_str("********");
        s.extend(a[14..].iter().map(|&c| char::from(c)));
        s
    }
}

/// Completed years from `birth` to `date` (0 if `date` is before `birth`).
pub(crate) fn age_between(birth: NaiveDate, date: NaiveDate) -> u32 {
    if date < birth {
        return 0;
    }
    let mut years = date.year() - birth.year();
    if (date.month(), date.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// Builds a valid ID number (computing the check character), for demo and test data.
///
/// `region` is taken modulo 1 000 000 and `seq` modulo 1000; a birth date outside
/// 1900..=2100 is clamped into that range. Odd `seq` gives a male, even a female.
pub fn make(region: u32, birth: NaiveDate, seq: u16) -> IdNumber {
    let lo = NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).unwrap_or(NaiveDate::MIN);
    let hi = NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31).unwrap_or(NaiveDate::MAX);
    let birth = birth.clamp(lo, hi);
    let ymd = u64::from(birth.year_ce().1) * 10_000 + u64::from(birth.month() * 100 + birth.day());
    let digits =
        u64::from(region % 1_000_000) * 100_000_000_000 + ymd * 1000 + u64::from(seq % 1000);
    let mut first17 = [0u8; 17];
    let mut n = digits;
    for slot in first17.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    IdNumber(digits * 11 + check_value(check_char(&first17)))
}

/// The birth date in digits 7–14, if a calendar date in 1900..=2100.
fn birth_from_digits(d: &[u8; 17]) -> Option<NaiveDate> {
    let num = |r: std::ops::Range<usize>| -> u32 {
        d[r].iter().fold(0u32, |acc, &c| {
            acc * 10 + u32::from(c.wrapping_sub(b'0') % 10)
        })
    };
    let year = i32::try_from(num(6..10)).ok()?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, num(10..12), num(12..14))
}

/// Whitespace (ASCII, full-width space, NBSP…) and invisible marks dropped before parsing.
fn is_ignorable(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// Maps a character to an ASCII digit or `X`, if it is one in some width or case.
fn normalise_char(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8),
        '０'..='９' => Some(b'0' + (c as u32 - '０' as u32) as u8),
        'X' | 'x' | 'Ｘ' | 'ｘ' => Some(b'X'),
        _ => None,
    }
}

/// Whether the text (ignoring whitespace) is a decimal number with a point or an
/// exponent, as Excel or a float conversion writes a numeric cell:
/// `[+-]? digits [. digits*] [(e|E) [+-] digits]`, with a point or exponent present.
fn looks_like_excel_number(s: &str) -> bool {
    let mut chars = s
        .chars()
        .filter(|c| !is_ignorable(*c))
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            'Ｅ' | 'ｅ' => 'E',
            '＋' => '+',
            other => other,
        })
        .peekable();
    if matches!(chars.peek(), Some('+' | '-')) {
        chars.next();
    }
    let mut int_digits = 0;
    while chars.next_if(char::is_ascii_digit).is_some() {
        int_digits += 1;
    }
    if int_digits == 0 {
        return false;
    }
    let mut marked = false;
    if chars.next_if_eq(&'.').is_some() {
        marked = true;
        while chars.next_if(char::is_ascii_digit).is_some() {}
    }
    if chars.next_if(|c| *c == 'e' || *c == 'E').is_some() {
        marked = true;
        if matches!(chars.peek(), Some('+' | '-')) {
            chars.next();
        }
        let mut exp_digits = 0;
        while chars.next_if(char::is_ascii_digit).is_some() {
            exp_digits += 1;
        }
        if exp_digits == 0 {
            return false;
        }
    }
    marked && chars.next().is_none()
}

impl FromStr for IdNumber {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdNumber::parse(s)
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.to_ascii();
        f.pad(std::str::from_utf8(&a).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdNumber")
            .field(&format_args!("{}", self.masked()))
            .finish()
    }
}

impl serde::Serialize for IdNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let a = self.to_ascii();
        let text = std::str::from_utf8(&a).map_err(serde::ser::Error::custom)?;
        s.serialize_str(text)
    }
}

impl<'de> serde::Deserialize<'de> for IdNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = IdNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an 18-character resident ID number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IdNumber, E> {
                IdNumber::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// OpenAPI: 居民身份证号码 (GB 11643): 18 characters, 17 digits and a check character (0-9 or X)
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for IdNumber {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::codes::string_schema(
            "居民身份证号码 (GB 11643): 18 characters, 17 digits and a check character (0-9 or X)",
            None,
            Some("^[0-9]{17}[0-9X]$"),
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for IdNumber {}

/// Replaces every run of 17 digits and a check character standing alone in `text` (an ID number,
/// checked or not) by its masked form, as [`IdNumber::masked`] shows it: the audit log's values are
/// shown so to everyone.
pub fn mask_in_text(text: &str) -> String {
    mask_ids(text).into_owned()
}

/// [`mask_in_text`] without a copy when `text` holds no ID number (the audit log masks every value it
/// stores; issue 19). Works on bytes: the digits, `X` and the neighbours it checks are ASCII, and no byte
/// of a multi-byte character is ASCII.
pub fn mask_ids(text: &str) -> std::borrow::Cow<'_, str> {
    let b = text.as_bytes();
    let alnum = |i: usize| b.get(i).is_some_and(u8::is_ascii_alphanumeric);
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    while i + 18 <= b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !alnum(i - 1)) {
            let run = &b[i..i + 18];
            let digits = run[..17].iter().all(u8::is_ascii_digit);
            let check = run[17].is_ascii_digit() || run[17] == b'X' || run[17] == b'x';
            if digits && check && !alnum(i + 18) {
                let o = out.get_or_insert_with(|| Vec::with_capacity(b.len()));
                o.extend_from_slice(&b[copied..i + 6]);
                o.extend_from_slice(b"********");
                o.extend_from_slice(&b[i + 14..i + 18]);
                i += 18;
                copied = i;
                continue;
            }
        }
        i += 1;
    }
    match out {
        None => std::borrow::Cow::Borrowed(text),
        Some(mut o) => {
            o.extend_from_slice(&b[copied..]);
            // Only ASCII was replaced by ASCII: still UTF-8.
            std::borrow::Cow::Owned(
                String::from_utf8(o)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The well-known GB 11643 sample number.
    const SAMPLE: &str = "11010519491231002X";

    #[test]
    fn sample_number_parses() {
        let id = IdNumber::parse(SAMPLE).unwrap();
        assert_eq!(id.to_string(), SAMPLE);
        assert_eq!(id.birth_date(), d(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.region_code(), 110105);
        assert_eq!(id.sequence(), 2);
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(110105********002X)");
    }

    #[test]
    fn check_char_known_values() {
        assert_eq!(check_char(b"11010519491231002"), b'X');
        assert_eq!(check_char(b"44052418800101001"), b'4');
        // sum ≡ 0 gives '1', sum ≡ 2 gives 'X'
        assert_eq!(check_char(b"00000000000000000"), b'1');
        assert!(check_char(b"zzzzzzzzzzzzzzzzz").is_ascii_alphanumeric());
    }

    #[test]
    fn normalisation() {
        let id = IdNumber::parse(SAMPLE).unwrap();
        for s in [
            " 11010519491231002x ",
            "110105 19491231 002X",
            "\t110105\t19491231002ｘ",
            "１１０１０５１９４９１２３１００２Ｘ",
            "\u{FEFF}11010519491231002X\u{3000}",
            "110105\u{00A0}19491231002X",
        ] {
            assert_eq!(IdNumber::parse(s), Ok(id), "{s:?}");
        }
        assert_eq!(IdNumber::parse_bytes(SAMPLE.as_bytes()), Ok(id));
        assert_eq!(IdNumber::parse_bytes(b"11010519491231002x"), Ok(id));
        assert_eq!(
            IdNumber::parse_bytes(b"1101\xff"),
            Err(IdError::BadCharacter { pos: 5 })
        );
    }

    #[test]
    fn errors() {
        assert_eq!(IdNumber::parse(""), Err(IdError::Empty));
        assert_eq!(IdNumber::parse(" \t "), Err(IdError::Empty));
        assert_eq!(
            IdNumber::parse("1101051949123100"),
            Err(IdError::Length { len: 16 })
        );
        assert_eq!(
            IdNumber::parse("11010519491231002X1"),
            Err(IdError::Length { len: 19 })
        );
        assert_eq!(
            IdNumber::parse("1101X519491231002X"),
            Err(IdError::BadCharacter { pos: 5 })
        );
        assert_eq!(
            IdNumber::parse("110105194912310-2X"),
            Err(IdError::BadCharacter { pos: 16 })
        );
        assert_eq!(
            IdNumber::parse("张三"),
            Err(IdError::BadCharacter { pos: 1 })
        );
        assert_eq!(
            IdNumber::parse("110105194912310021"),
            Err(IdError::BadCheck {
                expected: 'X',
                found: '1'
            })
        );
        // 1949-02-30 with a matching check character
        let mut f: [u8; 17] = *b"11010519490230002";
        let c = check_char(&f);
        let mut s = String::from_utf8(f.to_vec()).unwrap();
        s.push(char::from(c));
        assert_eq!(IdNumber::parse(&s), Err(IdError::BadBirthDate));
        // year 1899
        f = *b"11010518990101002";
        let mut s = String::from_utf8(f.to_vec()).unwrap();
        s.push(char::from(check_char(&f)));
        assert_eq!(IdNumber::parse(&s), Err(IdError::BadBirthDate));
    }

    #[test]
    fn excel_forms() {
        for s in [
            "1.41123E+17",
            "1.41123e17",
            "1.41123E17",
            "141123199001011234.0",
            "141123199001011000.00",
            " 1.41123199001011E+17 ",
            "1E+17",
            "１.４１１２３Ｅ＋１７",
        ] {
            assert_eq!(IdNumber::parse(s), Err(IdError::ExcelScientific), "{s:?}");
        }
        // Not numbers: ordinary bad characters.
        assert_eq!(
            IdNumber::parse("1.41123E"),
            Err(IdError::BadCharacter { pos: 2 })
        );
        assert_eq!(
            IdNumber::parse("E17"),
            Err(IdError::BadCharacter { pos: 1 })
        );
        // Lost precision: 15 significant digits kept, the rest zeros.
        let id = make(141123, d(1990, 1, 1), 123);
        let mut t = id.to_string();
        t.replace_range(15.., "000");
        if IdNumber::parse(&t).is_err() {
            assert_eq!(IdNumber::parse(&t), Err(IdError::ExcelPrecisionLost));
        }
        assert_eq!(
            IdNumber::parse("141123199001011000").unwrap_err(),
            IdError::ExcelPrecisionLost
        );
    }

    #[test]
    fn messages() {
        assert!(IdError::ExcelScientific.message_zh().contains("科学计数法"));
        assert!(IdError::ExcelScientific.to_string().contains("Excel"));
        assert!(IdError::Length { len: 15 }.message_zh().contains("一代"));
        assert!(IdError::Length { len: 17 }.message_zh().contains("17"));
        assert!(
            IdError::BadCharacter { pos: 3 }
                .message_zh()
                .contains("第 3 位")
        );
        assert!(
            IdError::BadCheck {
                expected: 'X',
                found: '1'
            }
            .message_zh()
            .contains("应为 X")
        );
        assert!(IdError::BadBirthDate.message_zh().contains("出生日期"));
        assert!(IdError::Empty.message_zh().contains("空"));
        assert!(IdError::ExcelPrecisionLost.message_zh().contains("000"));
    }

    #[test]
    fn age() {
        let id = make(141123, d(2006, 6, 30), 11);
        assert_eq!(id.age_on(d(2022, 6, 29)), 15);
        assert_eq!(id.age_on(d(2022, 6, 30)), 16);
        assert_eq!(id.age_on(d(2006, 6, 30)), 0);
        assert_eq!(id.age_on(d(2000, 1, 1)), 0);
        let leap = make(141123, d(2004, 2, 29), 11);
        assert_eq!(leap.age_on(d(2021, 2, 28)), 16);
        assert_eq!(leap.age_on(d(2021, 3, 1)), 17);
        assert_eq!(leap.age_on(d(2024, 2, 29)), 20);
    }

    #[test]
    fn make_and_sex() {
        let m = make(141123, d(1990, 1, 1), 123);
        assert_eq!(m.sex(), Sex::Male);
        assert_eq!(m.to_string()[..17], *"14112319900101123");
        assert_eq!(make(141123, d(1990, 1, 1), 122).sex(), Sex::Female);
        assert_eq!(make(1_141_123, d(1990, 1, 1), 1122).region_code(), 141123);
        assert_eq!(make(141123, d(1800, 5, 5), 1).birth_date(), d(1900, 1, 1));
        assert_eq!(make(141123, d(2200, 5, 5), 1).birth_date(), d(2100, 12, 31));
        assert_eq!(make(11, d(1990, 1, 1), 1).to_string()[..6], *"000011");
    }

    #[test]
    fn u64_packing_edges() {
        assert_eq!(IdNumber::from_u64(0), None);
        assert_eq!(IdNumber::from_u64(u64::MAX), None);
        let id = IdNumber::parse(SAMPLE).unwrap();
        assert_eq!(IdNumber::from_u64(id.to_u64()), Some(id));
        assert_eq!(IdNumber::from_u64(id.to_u64() + 1), None);
    }

    #[test]
    fn ordering_follows_text() {
        let a = make(141123, d(1990, 1, 1), 1);
        let b = make(141123, d(1990, 1, 1), 2);
        let c = make(141124, d(1900, 1, 1), 0);
        assert!(a < b && b < c);
    }

    #[test]
    fn serde_as_text() {
        use crate::testing::{from_str, to_text};
        let id = IdNumber::parse(SAMPLE).unwrap();
        assert_eq!(to_text(&id).unwrap(), format!("\"{SAMPLE}\""));
        assert_eq!(from_str::<IdNumber>(SAMPLE).unwrap(), id);
        assert_eq!(from_str::<IdNumber>(" 11010519491231002x").unwrap(), id);
        let e = from_str::<IdNumber>("1.10105E+17").unwrap_err();
        assert!(e.to_string().contains("Excel"), "{e}");
    }

    fn arb_date() -> impl Strategy<Value = NaiveDate> {
        let lo = d(1900, 1, 1);
        let days = (d(2100, 12, 31) - lo).num_days();
        (0..=days).prop_map(move |n| lo + chrono::Duration::days(n))
    }

    fn arb_id() -> impl Strategy<Value = IdNumber> {
        (0u32..1_000_000, arb_date(), 0u16..1000).prop_map(|(r, b, s)| make(r, b, s))
    }

    #[test]
    fn every_single_substitution_is_caught_exhaustively() {
        for id in [
            IdNumber::parse(SAMPLE).unwrap(),
            make(141123, d(1990, 1, 1), 123),
            make(659999, d(2100, 12, 31), 999),
            make(110000, d(1900, 1, 1), 0),
        ] {
            let orig = id.to_ascii();
            for pos in 0..18 {
                for c in b"0123456789X" {
                    if *c == orig[pos] {
                        continue;
                    }
                    let mut a = orig;
                    a[pos] = *c;
                    assert!(IdNumber::parse_bytes(&a).is_err(), "{a:?}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn round_trip_text(id in arb_id()) {
            let s = id.to_string();
            prop_assert_eq!(s.len(), 18);
            prop_assert_eq!(IdNumber::parse(&s), Ok(id));
            prop_assert_eq!(IdNumber::parse(&s.to_lowercase()), Ok(id));
            prop_assert_eq!(s.parse::<IdNumber>(), Ok(id));
        }

        #[test]
        fn make_keeps_parts(r in 0u32..1_000_000, b in arb_date(), seq in 0u16..1000) {
            let id = make(r, b, seq);
            prop_assert_eq!(id.region_code(), r);
            prop_assert_eq!(id.birth_date(), b);
            prop_assert_eq!(id.sequence(), seq);
            prop_assert_eq!(id.sex() == Sex::Male, seq % 2 == 1);
        }

        #[test]
        fn single_changed_character_is_caught(id in arb_id(), pos in 0usize..18, delta in 1u8..11) {
            let mut a = id.to_ascii();
            // Cycle through the 11 symbols 0-9, X; any other symbol than the original.
            let sym = |c: u8| if c == b'X' { 10 } else { c - b'0' };
            let new = (sym(a[pos]) + delta) % 11;
            a[pos] = if new == 10 { b'X' } else { b'0' + new };
            let s = std::str::from_utf8(&a).unwrap();
            prop_assert!(IdNumber::parse(s).is_err(), "{} accepted", s);
        }

        #[test]
        fn adjacent_transposition_is_caught(id in arb_id(), pos in 0usize..16) {
            let mut a = id.to_ascii();
            prop_assume!(a[pos] != a[pos + 1]);
            a.swap(pos, pos + 1);
            prop_assert!(IdNumber::parse_bytes(&a).is_err());
        }

        #[test]
        fn u64_round_trip(id in arb_id()) {
            prop_assert_eq!(IdNumber::from_u64(id.to_u64()), Some(id));
        }

        #[test]
        fn from_u64_never_panics(v in any::<u64>()) {
            if let Some(id) = IdNumber::from_u64(v) {
                prop_assert_eq!(id.to_u64(), v);
                prop_assert_eq!(IdNumber::parse(&id.to_string()), Ok(id));
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = IdNumber::parse(&s);
            let _ = IdNumber::parse_bytes(s.as_bytes());
        }

        #[test]
        fn scientific_forms_rejected(m in 1u32..10, frac in 0u32..100000, e in 14u32..20, lower in any::<bool>()) {
            let s = format!("{m}.{frac}{}+{e}", if lower { 'e' } else { 'E' });
            prop_assert_eq!(IdNumber::parse(&s), Err(IdError::ExcelScientific));
        }
    }

    #[test]
    fn masks_id_numbers_in_a_text_only() {
        assert_eq!(
            mask_in_text(r#"{"id_number":"14112319800101123X","n":"141123208201001"}"#),
            r#"{"id_number":"141123********123X","n":"141123208201001"}"#
        );
        assert_eq!(mask_in_text("1411231980010112345"), "1411231980010112345");
        assert_eq!(mask_in_text("张三"), "张三");
        assert!(matches!(
            mask_ids("张三 141123208201001"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    /// The former character-wise masking, the reference of the byte-wise one.
    fn mask_reference(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            let before = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
            if before && i + 18 <= chars.len() {
                let run = &chars[i..i + 18];
                let digits = run[..17].iter().all(char::is_ascii_digit);
                let check = run[17].is_ascii_digit() || run[17] == 'X' || run[17] == 'x';
                let after = chars.get(i + 18).is_none_or(|c| !c.is_ascii_alphanumeric());
                if digits && check && after {
                    out.extend(&run[..6]);
                    out.push_str("********");
                    out.extend(&run[14..]);
                    i += 18;
                    continue;
                }
            }
            out.push(chars[i]);
            i += 1;
        }
        out
    }

    proptest! {
        #[test]
        fn byte_wise_masking_is_the_character_wise_one(s in "[0-9Xxa张\" :]{0,64}", id in "[0-9]{17}[0-9X]") {
            let text = format!("{s}{id}{s}");
            prop_assert_eq!(mask_ids(&text).into_owned(), mask_reference(&text));
            prop_assert_eq!(mask_ids(&s).into_owned(), mask_reference(&s));
        }
    }
}
