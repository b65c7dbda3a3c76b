//! Hand-written byte parsers for the hot path (字段解析): resident ID numbers,
//! dates, money and counts, exactly as `docs/spec/screening.md` reads them,
//! plus the normalisations the spec asks for (full-width digits, a lower-case
//! `x` check character, spaces and tabs around a field).
//!
//! The fast path of every parser looks at ASCII bytes only and allocates
//! nothing; a field with non-ASCII bytes takes a slower path that folds
//! full-width characters first.

/// GB 11643 weights and check characters, and the check character of 17 digits:
/// one definition, in `shouwang-core`. This module keeps its own parser because the
/// screening spec validates the check character only (not the birth date), and the
/// hot path needs a u64 key without building an [`shouwang_core::IdNumber`].
pub use shouwang_core::idnum::{CHECK_CHARS as CHECK, WEIGHTS, check_char};

/// Why an ID number (身份证号) is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    /// The field is empty.
    Empty,
    /// Excel turned the number into scientific notation (`1.41123E+17`).
    ExcelScientific,
    /// Not 18 characters (`len` characters found).
    Length(usize),
    /// A character that is neither a digit nor the check character `X` (1-based position).
    BadCharacter(usize),
    /// The GB 11643 check character does not match.
    BadCheck { expected: u8, found: u8 },
}

impl IdError {
    /// The reason in Chinese, for `rejected.csv`.
    pub fn message_zh(&self) -> String {
        match self {
            IdError::Empty => "身份证号为空".into(),
            IdError::ExcelScientific => {
                "身份证号被 Excel 转成了科学计数法（如 1.41123E+17），请把该列设为文本后重新导出"
                    .into()
            }
            IdError::Length(n) => format!("身份证号应为 18 位，实为 {n} 位"),
            IdError::BadCharacter(p) => {
                format!("身份证号第 {p} 位不是数字（只有第 18 位可以是 X）")
            }
            IdError::BadCheck { expected, found } => format!(
                "身份证号校验码错误：应为 {}，实为 {}",
                *expected as char, *found as char
            ),
        }
    }
}

/// Parses an 18-character ID number into its u64 key: the 17 leading digits
/// as a number (the check character follows from them). Accepts full-width
/// digits and a lower-case or full-width `x` as check character.
#[inline]
pub fn parse_id(b: &[u8]) -> Result<u64, IdError> {
    if b.len() != 18 {
        return parse_id_slow(b);
    }
    let mut v = 0u64;
    let mut s = 0u32;
    for i in 0..17 {
        let d = b[i].wrapping_sub(b'0');
        if d > 9 {
            return parse_id_slow(b);
        }
        v = v * 10 + u64::from(d);
        s += u32::from(d) * WEIGHTS[i];
    }
    let expected = CHECK[(s % 11) as usize];
    let found = b[17];
    if found == expected || (expected == b'X' && found == b'x') {
        Ok(v)
    } else if found.is_ascii_digit() || found == b'X' || found == b'x' {
        Err(IdError::BadCheck {
            expected,
            found: found.to_ascii_uppercase(),
        })
    } else {
        parse_id_slow(b)
    }
}

#[cold]
fn parse_id_slow(b: &[u8]) -> Result<u64, IdError> {
    if b.is_empty() {
        return Err(IdError::Empty);
    }
    let s = String::from_utf8_lossy(b);
    if s.contains(['E', 'e']) && s.contains(['.', '+']) {
        return Err(IdError::ExcelScientific);
    }
    let mut buf = [0u8; 18];
    let mut n = 0usize;
    let mut bad = None;
    for (i, ch) in s.chars().enumerate() {
        let a = match ch {
            '0'..='9' => ch as u8,
            '０'..='９' => b'0' + (ch as u32 - 0xFF10) as u8,
            'X' | 'x' | 'Ｘ' | 'ｘ' => b'X',
            _ => 0,
        };
        if a == 0 && bad.is_none() {
            bad = Some(i + 1);
        }
        if n < 18 {
            buf[n] = a;
        }
        n += 1;
    }
    if let Some(p) = bad {
        return Err(IdError::BadCharacter(p));
    }
    if n != 18 {
        return Err(IdError::Length(n));
    }
    if let Some(p) = buf[..17].iter().position(|&c| c == b'X') {
        return Err(IdError::BadCharacter(p + 1));
    }
    // now ASCII digits + check char: the fast path decides
    let mut v = 0u64;
    let mut sum = 0u32;
    for i in 0..17 {
        let d = buf[i] - b'0';
        v = v * 10 + u64::from(d);
        sum += u32::from(d) * WEIGHTS[i];
    }
    let expected = CHECK[(sum % 11) as usize];
    if buf[17] == expected {
        Ok(v)
    } else {
        Err(IdError::BadCheck {
            expected,
            found: buf[17],
        })
    }
}

/// Formats an ID key back into its 18 characters.
pub fn id_string(key: u64) -> String {
    let digits = format!("{key:017}");
    let mut first = [0u8; 17];
    first.copy_from_slice(&digits.as_bytes()[..17.min(digits.len())]);
    let mut s = digits;
    s.push(check_char(&first) as char);
    s
}

/// Birth date (yyyymmdd) inside an ID key, if it is a calendar date.
pub fn id_birth(key: u64) -> Option<u32> {
    let ymd = ((key / 1000) % 100_000_000) as u32;
    let (y, m, d) = (ymd / 10000, ymd / 100 % 100, ymd % 100);
    valid_ymd(y, m, d).then_some(ymd)
}

/// Completed years on `as_of` (both yyyymmdd); a birthday on `as_of` counts.
pub fn age_on(birth: u32, as_of: u32) -> i64 {
    let years = i64::from(as_of / 10000) - i64::from(birth / 10000);
    if as_of % 10000 < birth % 10000 {
        years - 1
    } else {
        years
    }
}

fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

/// True for a proleptic Gregorian date with year 1..=9999.
pub fn valid_ymd(y: u32, m: u32, d: u32) -> bool {
    let dim = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=9999).contains(&y) && d >= 1 && d <= dim
}

#[inline]
fn digits<const N: usize>(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b.iter().take(N) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u32::from(d);
    }
    Some(v)
}

/// Parses `YYYY-MM-DD` (a calendar date, year ≥ 1) into `yyyymmdd`.
#[inline]
pub fn parse_date(b: &[u8]) -> Option<u32> {
    if b.len() != 10 {
        return fold(b).and_then(|(buf, n)| parse_date_ascii(&buf[..n]));
    }
    parse_date_ascii(b).or_else(|| fold(b).and_then(|(buf, n)| parse_date_ascii(&buf[..n])))
}

#[inline]
fn parse_date_ascii(b: &[u8]) -> Option<u32> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits::<4>(&b[0..4])?;
    let m = digits::<2>(&b[5..7])?;
    let d = digits::<2>(&b[8..10])?;
    valid_ymd(y, m, d).then_some(y * 10000 + m * 100 + d)
}

/// Parses money `-?digits(.d{1,2})?` (at most 15 integer digits) into fen.
#[inline]
pub fn parse_money(b: &[u8]) -> Option<i64> {
    parse_money_ascii(b).or_else(|| fold(b).and_then(|(buf, n)| parse_money_ascii(&buf[..n])))
}

#[inline]
fn parse_money_ascii(b: &[u8]) -> Option<i64> {
    let (neg, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let mut i = 0;
    let mut v = 0i64;
    // a 16th digit is refused below: stop there, before 19 digits overflow (found by the
    // `screen_fields` fuzz target, issue 20)
    while i < b.len() && i <= 15 {
        let d = b[i].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        v = v * 10 + i64::from(d);
        i += 1;
    }
    if i == 0 || i > 15 {
        return None;
    }
    let frac = match &b[i..] {
        [] => 0,
        [b'.', d1] if d1.is_ascii_digit() => i64::from(d1 - b'0') * 10,
        [b'.', d1, d2] if d1.is_ascii_digit() && d2.is_ascii_digit() => {
            i64::from(d1 - b'0') * 10 + i64::from(d2 - b'0')
        }
        _ => return None,
    };
    let v = v * 100 + frac;
    Some(if neg { -v } else { v })
}

/// Parses `[0-9]{1,9}` (残疾等级, 家庭人口).
#[inline]
pub fn parse_uint(b: &[u8]) -> Option<u32> {
    parse_uint_ascii(b).or_else(|| fold(b).and_then(|(buf, n)| parse_uint_ascii(&buf[..n])))
}

#[inline]
fn parse_uint_ascii(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    digits::<9>(b)
}

/// Folds full-width digits, `．` and `－` of a short non-ASCII field to ASCII.
/// Returns `None` when the field is ASCII already (nothing to fold), longer
/// than 32 characters, or holds another non-ASCII character.
#[cold]
fn fold(b: &[u8]) -> Option<([u8; 32], usize)> {
    if b.is_ascii() {
        return None;
    }
    let s = std::str::from_utf8(b).ok()?;
    let mut out = [0u8; 32];
    let mut n = 0;
    for ch in s.chars() {
        let a = match ch {
            '\u{0}'..='\u{7F}' => ch as u8,
            '０'..='９' => b'0' + (ch as u32 - 0xFF10) as u8,
            '．' => b'.',
            '－' => b'-',
            _ => return None,
        };
        *out.get_mut(n)? = a;
        n += 1;
    }
    Some((out, n))
}

/// Trims spaces, tabs, a carriage return and the ideographic space U+3000
/// from both ends of a field.
#[inline]
pub fn trim(mut b: &[u8]) -> &[u8] {
    loop {
        match b {
            [b' ' | b'\t' | b'\r', rest @ ..] => b = rest,
            [0xE3, 0x80, 0x80, rest @ ..] => b = rest,
            _ => break,
        }
    }
    loop {
        match b {
            [rest @ .., b' ' | b'\t' | b'\r'] => b = rest,
            [rest @ .., 0xE3, 0x80, 0x80] => b = rest,
            _ => break,
        }
    }
    b
}

/// A key for a 户编号 made of 1 to 18 ASCII digits (the usual case): distinct
/// strings give distinct keys (bijective base-10 numbering by length).
#[inline]
pub fn digit_key(b: &[u8]) -> Option<u64> {
    const OFFSET: [u64; 19] = {
        let mut o = [0u64; 19];
        let mut i = 2;
        let mut p = 10u64;
        while i < 19 {
            o[i] = o[i - 1] + p;
            p *= 10;
            i += 1;
        }
        o
    };
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    let mut v = 0u64;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some(v + OFFSET[b.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "14112319900101123X";

    fn with_check(first17: &str) -> String {
        let mut a = [0u8; 17];
        a.copy_from_slice(first17.as_bytes());
        format!("{first17}{}", check_char(&a) as char)
    }

    #[test]
    fn ids() {
        let id = with_check("14112319900101123");
        let key = parse_id(id.as_bytes()).unwrap();
        assert_eq!(key, 14112319900101123);
        assert_eq!(id_string(key), id);
        let x = with_check("11010519491231002");
        assert!(x.ends_with('X'), "{x}");
        assert!(parse_id(x.as_bytes()).is_ok());
        assert!(parse_id(x.to_lowercase().as_bytes()).is_ok());
        let fw: String = x
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - 0x30 + 0xFF10).unwrap(),
                'X' => 'ｘ',
                c => c,
            })
            .collect();
        assert_eq!(parse_id(fw.as_bytes()), parse_id(x.as_bytes()));
        // lower-case x where the check character is a digit is still wrong
        let mut wrong = id.clone();
        wrong.replace_range(17.., "x");
        assert!(matches!(
            parse_id(wrong.as_bytes()),
            Err(IdError::BadCheck { .. }) | Ok(_)
        ));
        if !id.ends_with('X') {
            assert!(parse_id(wrong.as_bytes()).is_err());
        }
        assert_eq!(parse_id(b""), Err(IdError::Empty));
        assert_eq!(parse_id(&id.as_bytes()[..17]), Err(IdError::Length(17)));
        assert_eq!(parse_id(b"1.41123E+17"), Err(IdError::ExcelScientific));
        assert_eq!(
            parse_id(b"1411231990010112X4"),
            Err(IdError::BadCharacter(17))
        );
        assert!(matches!(
            parse_id(GOOD.as_bytes()),
            Err(IdError::BadCheck { .. }) | Ok(_)
        ));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date(b"2022-06-30"), Some(20220630));
        assert_eq!(parse_date(b"2024-02-29"), Some(20240229));
        assert_eq!(parse_date(b"2000-02-29"), Some(20000229));
        for bad in [
            "2022-02-29",
            "1900-02-29",
            "2022-02-30",
            "2022/03/05",
            "20220305",
            "2022-13-01",
            "2021-6-1",
            "",
            "未知",
            "0000-01-01",
            "2022-00-10",
            "2022-01-00",
            "2022-01-32",
        ] {
            assert_eq!(parse_date(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(parse_date("２０２２-０６-３０".as_bytes()), Some(20220630));
        assert_eq!(age_on(20060630, 20220630), 16);
        assert_eq!(age_on(20060701, 20220630), 15);
        assert_eq!(age_on(20050630, 20220630), 17);
        assert_eq!(age_on(20050701, 20220630), 16);
    }

    #[test]
    fn money() {
        assert_eq!(parse_money(b"0"), Some(0));
        assert_eq!(parse_money(b"-0"), Some(0));
        assert_eq!(parse_money(b"1234.5"), Some(123450));
        assert_eq!(parse_money(b"1234.56"), Some(123456));
        assert_eq!(parse_money(b"-12.05"), Some(-1205));
        assert_eq!(parse_money(b"999999999999999.99"), Some(99999999999999999));
        assert_eq!(parse_money(b"1234567890123456"), None);
        assert_eq!(parse_money(b"-12345678901678901234567.5"), None);
        assert_eq!(parse_money("１２．５".as_bytes()), Some(1250));
        for bad in [
            "1,234.50",
            "1.234",
            "N/A",
            "约300",
            "",
            "12.3.4",
            "300元",
            "-",
            ".5",
            "5.",
            "+5",
            "1000000000000000",
            " 5",
            "--5",
            "1e5",
        ] {
            assert_eq!(parse_money(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(parse_uint(b"02"), Some(2));
        assert_eq!(parse_uint(b"123456789"), Some(123456789));
        assert_eq!(parse_uint(b"1234567890"), None);
        assert_eq!(parse_uint(b"-1"), None);
        assert_eq!(parse_uint(b""), None);
    }

    #[test]
    fn trims_and_keys() {
        assert_eq!(trim(b" \t ab c\r"), b"ab c");
        assert_eq!(trim("\u{3000}12\u{3000}".as_bytes()), b"12");
        assert_eq!(trim(b"   "), b"");
        assert_ne!(digit_key(b"1"), digit_key(b"01"));
        assert_ne!(digit_key(b"0"), digit_key(b"00"));
        assert_eq!(digit_key(b"0"), Some(0));
        assert_eq!(digit_key(b"00"), Some(10));
        assert!(digit_key(b"999999999999999999").unwrap() < u64::MAX);
        assert_eq!(digit_key(b"1234567890123456789"), None);
        assert_eq!(digit_key(b"12a"), None);
    }
}
