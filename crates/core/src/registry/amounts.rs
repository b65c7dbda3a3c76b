//! 收支金额、年度、家庭人口: the cell rules of the registry's 收支情况 sheet, as pure functions. A cell is
//! the text the reader made of it (a number cell as `12345.6`; see `shouwang-io`'s registry reader).
//!
//! - [`amount`]: yuan with at most 2 decimals into [`Fen`]. Read: surrounding spaces, full-width digits,
//!   point, comma and sign (`１２３４５．６０`), thousands separators in groups of three (`12,345.60`,
//!   `1,234,567`), a leading `¥` / `￥`, a trailing `元`, decimals beyond the second that are zeros
//!   (`12.300`). Blank is 0 (the national system's exports leave a zero amount blank). Refused: text,
//!   commas that are not thousands separators (`12,50`: a decimal comma would be read as 1250), a third
//!   decimal that is not 0, a negative amount (every amount of the sheet is an income, a cost or an
//!   expenditure, none below zero), more than [`MAX_AMOUNT`].
//! - [`year`]: `2022`, `2022年`, `２０２２`, a number cell `2022`; within [`YEARS`].
//! - [`members`]: 家庭人口, a whole number in `1..=`[`MAX_MEMBERS`] (`3`, `3人`, `３`); blank and 0 are
//!   refused (the per-capita income divides by it).

use std::borrow::Cow;
use std::ops::RangeInclusive;

use super::values::{Reason, count};
use crate::money::Fen;

/// The largest amount a cell may hold: 100 亿 yuan (10^12 fen, the bound of an income record).
pub const MAX_AMOUNT: Fen = Fen(1_000_000_000_000);
/// The years an income record may have (收支年度).
pub const YEARS: RangeInclusive<i32> = 2000..=2100;
/// The most people an income record may count (家庭人口).
pub const MAX_MEMBERS: u32 = 100;

/// Full-width digits, point, comma and signs as ASCII (borrowed when there are none, the usual case).
fn half_width(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '．' => '.',
                '，' => ',',
                '－' | '−' => '-',
                '＋' => '+',
                _ => c,
            })
            .collect(),
    )
}

fn not_an_amount(v: &str) -> Reason {
    Reason::new(
        format!("“{v}”不是金额：请填写以元为单位的数字（如 12345.60）"),
        format!("{v:?} is not an amount: write yuan as a number (e.g. 12345.60)"),
    )
}

/// An amount in yuan with at most 2 decimals (see the module docs). Blank is 0.
pub fn amount(s: &str) -> Result<Fen, Reason> {
    let v = s.trim();
    if v.is_empty() {
        return Ok(Fen::ZERO);
    }
    let t = half_width(v);
    let t = t
        .trim_start_matches(['¥', '￥'])
        .trim_end_matches('元')
        .trim();
    let (negative, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(frac) || (body.contains('.') && frac.is_empty()) {
        return Err(not_an_amount(v));
    }
    // Thousands separators: 1–3 digits, then groups of exactly 3.
    let int: Cow<'_, str> = if int.contains(',') {
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or("");
        let first_ok = (1..=3).contains(&first.len()) && digits(first);
        let rest_ok = groups.clone().all(|g| g.len() == 3 && digits(g));
        if !first_ok || !rest_ok {
            if !digits(&int.replace(',', "")) {
                return Err(not_an_amount(v));
            }
            return Err(Reason::new(
                format!(
                    "“{v}”的逗号不是千分位分隔符：千分位应每 3 位一个（如 12,345.60），小数点请用“.”"
                ),
                format!(
                    "{v:?}: the commas are not thousands separators (groups of 3, e.g. 12,345.60); use a point for decimals"
                ),
            ));
        }
        Cow::Owned(int.replace(',', ""))
    } else {
        Cow::Borrowed(int)
    };
    if !digits(&int) {
        return Err(not_an_amount(v));
    }
    let (cents, rest) = frac.split_at(frac.len().min(2));
    if rest.bytes().any(|b| b != b'0') {
        return Err(Reason::new(
            format!("“{v}”的小数超过 2 位：金额以元为单位，最多精确到分"),
            format!("{v:?} has more than 2 decimals: amounts are in yuan, to the fen"),
        ));
    }
    let int = int.trim_start_matches('0');
    let too_large = || {
        Reason::new(
            format!("“{v}”超出范围：金额最多 100 亿元"),
            format!("{v:?} is out of range: at most 10,000,000,000 yuan"),
        )
    };
    if int.len() > 11 {
        return Err(too_large());
    }
    let yuan: i64 = int.bytes().fold(0, |a, b| a * 10 + i64::from(b - b'0'));
    let fen: i64 = cents.bytes().fold(0, |a, b| a * 10 + i64::from(b - b'0'))
        * if cents.len() == 1 { 10 } else { 1 };
    let total = Fen(yuan * 100 + fen);
    if total > MAX_AMOUNT {
        return Err(too_large());
    }
    if negative && !total.is_zero() {
        return Err(Reason::new(
            format!("“{v}”是负数：收入、支出和理赔金额不能小于 0"),
            format!("{v:?} is negative: incomes, expenditures and payouts cannot be below 0"),
        ));
    }
    Ok(total)
}

/// 年度: a year in [`YEARS`] (`2022`, `2022年`, `２０２２`, `2022.0`).
pub fn year(s: &str) -> Result<i32, Reason> {
    let v = s.trim();
    if v.is_empty() {
        return Err(Reason::new("年度为空", "the year is blank"));
    }
    let t = half_width(v);
    let t = t.trim_end_matches('年').trim();
    let t = t.strip_suffix(".0").unwrap_or(t);
    let y = match t.parse::<i32>() {
        Ok(y) if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) => y,
        _ => {
            return Err(Reason::new(
                format!("“{v}”不是年度：请填写 4 位年份，如 2022"),
                format!("{v:?} is not a year: write 4 digits, e.g. 2022"),
            ));
        }
    };
    if !YEARS.contains(&y) {
        return Err(Reason::new(
            format!(
                "年度 {y} 超出范围（应在 {} 至 {} 年之间）",
                YEARS.start(),
                YEARS.end()
            ),
            format!(
                "year {y} is out of range ({} to {})",
                YEARS.start(),
                YEARS.end()
            ),
        ));
    }
    Ok(y)
}

/// 家庭人口 of an income record: 1 to [`MAX_MEMBERS`] (`3`, `3人`, `３`, `3.0`); blank and 0 refused.
pub fn members(s: &str) -> Result<u32, Reason> {
    let v = s.trim();
    let n = count(&half_width(v)).map_err(|_| {
        Reason::new(
            format!("家庭人口“{v}”不是整数"),
            format!("household size {v:?} is not a whole number"),
        )
    })?;
    match n {
        None | Some(0) => Err(Reason::new(
            format!(
                "家庭人口{}：收支测算按家庭人口计算人均收入，须填写 1 至 {MAX_MEMBERS} 的整数",
                if n.is_none() { "为空" } else { "为 0" }
            ),
            format!(
                "household size is {}: the per-capita income divides by it; write a whole number from 1 to {MAX_MEMBERS}",
                if n.is_none() { "blank" } else { "0" }
            ),
        )),
        Some(n) if n > MAX_MEMBERS => Err(Reason::new(
            format!("家庭人口 {n} 超出范围（1 至 {MAX_MEMBERS} 人）"),
            format!("household size {n} is out of range (1 to {MAX_MEMBERS})"),
        )),
        Some(n) => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> i64 {
        match amount(s) {
            Ok(f) => f.0,
            Err(r) => panic!("{s:?}: {}", r.zh),
        }
    }

    fn refused(s: &str) -> Reason {
        match amount(s) {
            Ok(f) => panic!("{s:?} read as {f}"),
            Err(r) => r,
        }
    }

    #[test]
    fn plain_amounts() {
        for (s, fen) in [
            ("0", 0),
            ("0.00", 0),
            ("1", 100),
            ("12345", 1_234_500),
            ("12345.6", 1_234_560),
            ("12345.60", 1_234_560),
            ("12345.06", 1_234_506),
            ("0.01", 1),
            ("0.1", 10),
            ("007", 700),
            (" 12345.60 ", 1_234_560),
            ("\u{3000}88\u{3000}", 8_800),
            ("+5", 500),
            ("-0", 0),
            ("-0.00", 0),
            ("12.300", 1_230),
            ("12.3000000", 1_230),
            ("10000000000", 1_000_000_000_000),
            ("10000000000.00", 1_000_000_000_000),
            ("000000000000000001", 100),
        ] {
            assert_eq!(ok(s), fen, "{s}");
        }
    }

    #[test]
    fn blank_is_zero() {
        for s in ["", " ", "\u{3000}", "\t"] {
            assert_eq!(ok(s), 0, "{s:?}");
        }
    }

    #[test]
    fn thousands_separators() {
        for (s, fen) in [
            ("12,345.60", 1_234_560),
            ("1,234", 123_400),
            ("1,234,567", 123_456_700),
            ("1,234,567.8", 123_456_780),
            ("123,456", 12_345_600),
            ("12，345．60", 1_234_560),
            ("1,000,000,000", 100_000_000_000),
        ] {
            assert_eq!(ok(s), fen, "{s}");
        }
        for s in [
            "12,50", "1,2345", "1234,567", ",123", "123,", "1,,234", "1,23,456", "12,345,6",
        ] {
            let r = refused(s);
            assert!(r.zh.contains("千分位"), "{s}: {}", r.zh);
            assert!(r.en.contains("thousands"), "{s}: {}", r.en);
        }
    }

    #[test]
    fn full_width_and_currency() {
        for (s, fen) in [
            ("１２３４５", 1_234_500),
            ("１２３４５．６", 1_234_560),
            ("１２，３４５．６０", 1_234_560),
            ("＋１", 100),
            ("¥12.5", 1_250),
            ("￥1,200", 120_000),
            ("3000元", 300_000),
            ("3000.50 元", 300_050),
            ("￥ 3000元", 300_000),
        ] {
            assert_eq!(ok(s), fen, "{s}");
        }
    }

    #[test]
    fn text_is_refused() {
        for s in [
            "abc", "一万", "N/A", "#VALUE!", "12a", "1 234", "1.2.3", "12.", ".5", ".", "-", "+",
            "--5", "+-5", "1e5", "1.2E+4", "(100)", "12.3a", "元", "¥", "12,a45", "无", "TRUE",
        ] {
            let r = refused(s);
            assert!(r.zh.contains("不是金额"), "{s}: {}", r.zh);
            assert!(r.en.contains("not an amount"), "{s}: {}", r.en);
            assert!(r.zh.contains(s.trim()), "the value is named: {}", r.zh);
        }
    }

    #[test]
    fn more_than_two_decimals_is_refused() {
        for s in [
            "12.345",
            "0.001",
            "1.005",
            "12,345.678",
            "１．２３４",
            "0.0001",
        ] {
            let r = refused(s);
            assert!(r.zh.contains("小数超过 2 位"), "{s}: {}", r.zh);
            assert!(r.en.contains("more than 2 decimals"), "{s}: {}", r.en);
        }
    }

    #[test]
    fn negative_is_refused() {
        for s in ["-1", "-0.01", "-12,345.60", "－１２３", "−5", "-¥5"] {
            let r = amount(s);
            let Err(r) = r else {
                // "-¥5": the sign before the currency sign is not a number at all.
                panic!("{s:?} read as {r:?}");
            };
            assert!(
                r.zh.contains("负数") || r.zh.contains("不是金额"),
                "{s}: {}",
                r.zh
            );
        }
        let r = refused("-1");
        assert!(r.zh.contains("不能小于 0") && r.en.contains("negative"));
    }

    #[test]
    fn too_large_is_refused() {
        for s in [
            "10000000000.01",
            "10000000001",
            "99999999999999999999",
            "12,345,678,901,234",
        ] {
            let r = refused(s);
            assert!(r.zh.contains("超出范围"), "{s}: {}", r.zh);
        }
    }

    #[test]
    fn amounts_round_trip_through_their_text() {
        for fen in [0i64, 1, 10, 99, 100, 123_456, 1_234_560, 99_999_999_999] {
            let f = Fen(fen);
            assert_eq!(amount(&f.to_string()), Ok(f));
            // as a number cell reads: the shortest decimal of the f64
            let cell = format!("{}", fen as f64 / 100.0);
            assert_eq!(amount(&cell), Ok(f), "{cell}");
        }
    }

    #[test]
    fn years() {
        for (s, y) in [
            ("2022", 2022),
            (" 2021 ", 2021),
            ("2021年", 2021),
            ("２０２１", 2021),
            ("２０２１年", 2021),
            ("2021.0", 2021),
            ("2000", 2000),
            ("2100", 2100),
        ] {
            assert_eq!(year(s), Ok(y), "{s}");
        }
        for s in ["1999", "2101", "0", "3000"] {
            let r = year(s).unwrap_err();
            assert!(
                r.zh.contains("超出范围") || r.zh.contains("不是年度"),
                "{s}: {}",
                r.zh
            );
        }
        assert!(year("1999").unwrap_err().zh.contains("2000 至 2100"));
        assert!(year("2101").unwrap_err().en.contains("out of range"));
        for s in ["", " "] {
            assert_eq!(year(s).unwrap_err().zh, "年度为空");
        }
        for s in [
            "22",
            "2022.5",
            "二〇二二",
            "2022-01",
            "20221",
            "abcd",
            "-2022",
            "2,022",
        ] {
            let r = year(s).unwrap_err();
            assert!(r.zh.contains("不是年度"), "{s}: {}", r.zh);
            assert!(r.en.contains("not a year"), "{s}: {}", r.en);
        }
    }

    #[test]
    fn household_sizes() {
        for (s, n) in [
            ("1", 1),
            ("3", 3),
            (" 3 ", 3),
            ("3.0", 3),
            ("3人", 3),
            ("３", 3),
            ("１０", 10),
            ("100", 100),
        ] {
            assert_eq!(members(s), Ok(n), "{s}");
        }
        for s in ["", "  ", "0", "0.0", "０"] {
            let r = members(s).unwrap_err();
            assert!(r.zh.contains("家庭人口为"), "{s}: {}", r.zh);
            assert!(r.en.contains("divides"), "{s}: {}", r.en);
        }
        for s in ["101", "1000"] {
            assert!(members(s).unwrap_err().zh.contains("超出范围"), "{s}");
        }
        for s in ["三", "2.5", "-1", "abc", "3户"] {
            let r = members(s).unwrap_err();
            assert!(r.zh.contains("不是整数"), "{s}: {}", r.zh);
        }
    }
}
