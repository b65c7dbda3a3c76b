//! Money as an integer number of 分 (fen, 1/100 yuan). Never `f64` for amounts.
//!
//! Text form: yuan with exactly two decimals (`1234.50`, `-0.05`). Parsing accepts
//! `-?digits(.d{1,2})?` with at most 15 integer digits (the department-file
//! reading of `spec/screening.md`), surrounding whitespace ignored. Rounding is
//! half away from zero. Arithmetic saturates at the `i64` bounds instead of
//! panicking (amounts of 15 integer digits leave a margin of about 90 000 terms).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

/// An amount in 分 (fen). Serde: the number of fen as an integer.
///
/// ```
/// use shouwang_core::money::Fen;
///
/// let total = Fen::parse_yuan("12999.99")?;
/// assert_eq!(total, Fen(1_299_999));
/// assert_eq!(total.div_round(2).to_string(), "6500.00");
/// assert_eq!(Fen(-5).to_string(), "-0.05");
/// # Ok::<(), shouwang_core::money::MoneyError>(())
/// ```
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Debug,
    serde::Serialize,
    serde::Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Fen(pub i64);

/// Why a text is not an amount.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum MoneyError {
    /// Nothing but whitespace.
    #[error("the amount is empty")]
    Empty,
    /// Not of the form `-?digits(.d{1,2})?`.
    #[error("not an amount in yuan (expected digits with at most 2 decimals, e.g. 1234.50)")]
    Invalid,
    /// More than 15 integer digits.
    #[error("the amount is too large (more than 15 integer digits)")]
    TooLarge,
}

impl MoneyError {
    /// The reason in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            MoneyError::Empty => "金额为空".to_owned(),
            MoneyError::Invalid => {
                "金额格式不正确（应为以元为单位的数字，最多两位小数，不带千分位逗号，如 1234.50）"
                    .to_owned()
            }
            MoneyError::TooLarge => "金额过大（整数部分超过 15 位）".to_owned(),
        }
    }
}

/// Maximum number of integer digits accepted by [`Fen::parse_yuan`].
pub const MAX_INTEGER_DIGITS: usize = 15;

impl Fen {
    /// Zero.
    pub const ZERO: Fen = Fen(0);

    /// Whole yuan (saturating).
    pub const fn from_yuan(yuan: i64) -> Fen {
        Fen(yuan.saturating_mul(100))
    }

    /// Parses yuan text `-?digits(.d{1,2})?` (at most 15 integer digits; surrounding
    /// whitespace ignored). `-0` and `-0.00` are zero.
    pub fn parse_yuan(s: &str) -> Result<Fen, MoneyError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::Invalid);
        }
        let frac_fen = match frac {
            None => 0,
            Some(f) if (1..=2).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()) => {
                let v: i64 = f.bytes().fold(0, |a, b| a * 10 + i64::from(b - b'0'));
                if f.len() == 1 { v * 10 } else { v }
            }
            Some(_) => return Err(MoneyError::Invalid),
        };
        if int.len() > MAX_INTEGER_DIGITS {
            return Err(MoneyError::TooLarge);
        }
        let yuan: i64 = int.bytes().fold(0, |a, b| a * 10 + i64::from(b - b'0'));
        let fen = yuan * 100 + frac_fen;
        Ok(Fen(if neg { -fen } else { fen }))
    }

    /// Divides by `n`, rounding half away from zero (人均 = 总额 ÷ 人数). `n == 0`
    /// gives zero (no per-capita figure for an empty household).
    pub fn div_round(self, n: i64) -> Fen {
        if n == 0 {
            return Fen::ZERO;
        }
        let a = i128::from(self.0);
        let n = i128::from(n);
        let q = a / n;
        let r = a % n;
        let q = if 2 * r.abs() >= n.abs() {
            if (a < 0) == (n < 0) { q + 1 } else { q - 1 }
        } else {
            q
        };
        Fen(clamp_i128(q))
    }

    /// `self × num ÷ den`, exact intermediate, rounded half away from zero
    /// (percentages, shares). `den == 0` gives zero.
    pub fn mul_div_round(self, num: i64, den: i64) -> Fen {
        if den == 0 {
            return Fen::ZERO;
        }
        let p = i128::from(self.0) * i128::from(num);
        let d = i128::from(den);
        let q = p / d;
        let r = p % d;
        let q = if 2 * r.abs() >= d.abs() {
            if (p < 0) == (d < 0) { q + 1 } else { q - 1 }
        } else {
            q
        };
        Fen(clamp_i128(q))
    }

    /// The amount in yuan as `f64`, for charts only (never for decisions).
    pub fn to_yuan_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Checked addition.
    pub fn checked_add(self, o: Fen) -> Option<Fen> {
        self.0.checked_add(o.0).map(Fen)
    }

    /// Checked subtraction.
    pub fn checked_sub(self, o: Fen) -> Option<Fen> {
        self.0.checked_sub(o.0).map(Fen)
    }

    /// Absolute value (saturating).
    pub fn abs(self) -> Fen {
        Fen(self.0.saturating_abs())
    }

    /// Below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

fn clamp_i128(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        let s = format!("{sign}{}.{:02}", abs / 100, abs % 100);
        f.pad(&s)
    }
}

impl std::str::FromStr for Fen {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fen::parse_yuan(s)
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, o: Fen) -> Fen {
        Fen(self.0.saturating_add(o.0))
    }
}

impl AddAssign for Fen {
    fn add_assign(&mut self, o: Fen) {
        *self = *self + o;
    }
}

impl Sub for Fen {
    type Output = Fen;
    fn sub(self, o: Fen) -> Fen {
        Fen(self.0.saturating_sub(o.0))
    }
}

impl SubAssign for Fen {
    fn sub_assign(&mut self, o: Fen) {
        *self = *self - o;
    }
}

impl Neg for Fen {
    type Output = Fen;
    fn neg(self) -> Fen {
        Fen(self.0.saturating_neg())
    }
}

impl Mul<i64> for Fen {
    type Output = Fen;
    fn mul(self, n: i64) -> Fen {
        Fen(self.0.saturating_mul(n))
    }
}

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, |a, b| a + b)
    }
}

impl<'a> Sum<&'a Fen> for Fen {
    fn sum<I: Iterator<Item = &'a Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, |a, b| a + *b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_valid() {
        assert_eq!(Fen::parse_yuan("0"), Ok(Fen(0)));
        assert_eq!(Fen::parse_yuan("1234.5"), Ok(Fen(123450)));
        assert_eq!(Fen::parse_yuan("1234.50"), Ok(Fen(123450)));
        assert_eq!(Fen::parse_yuan("1234.05"), Ok(Fen(123405)));
        assert_eq!(Fen::parse_yuan(" 6500 "), Ok(Fen(650000)));
        assert_eq!(Fen::parse_yuan("-0.05"), Ok(Fen(-5)));
        assert_eq!(Fen::parse_yuan("-0"), Ok(Fen(0)));
        assert_eq!(Fen::parse_yuan("007.10"), Ok(Fen(710)));
        assert_eq!(
            Fen::parse_yuan("999999999999999.99"),
            Ok(Fen(99_999_999_999_999_999))
        );
        assert_eq!(
            Fen::parse_yuan("-999999999999999.99"),
            Ok(Fen(-99_999_999_999_999_999))
        );
    }

    #[test]
    fn parse_invalid() {
        assert_eq!(Fen::parse_yuan(""), Err(MoneyError::Empty));
        assert_eq!(Fen::parse_yuan("  "), Err(MoneyError::Empty));
        for s in [
            "1,234.50", "1.234", "N/A", "约300", ".5", "5.", "+5", "--5", "-", "1e3", "１２",
            "5 .0", "0x10", "-.5",
        ] {
            assert_eq!(Fen::parse_yuan(s), Err(MoneyError::Invalid), "{s:?}");
        }
        assert_eq!(
            Fen::parse_yuan("1000000000000000"),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(
            Fen::parse_yuan("-1000000000000000.00"),
            Err(MoneyError::TooLarge)
        );
        assert!(MoneyError::Invalid.message_zh().contains("格式"));
        assert!(MoneyError::TooLarge.message_zh().contains("15"));
        assert!(MoneyError::Empty.message_zh().contains("空"));
    }

    #[test]
    fn display() {
        assert_eq!(Fen(0).to_string(), "0.00");
        assert_eq!(Fen(5).to_string(), "0.05");
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen(-100).to_string(), "-1.00");
        assert_eq!(Fen(123450).to_string(), "1234.50");
        assert_eq!(Fen(i64::MIN).to_string(), "-92233720368547758.08");
        assert_eq!(Fen(i64::MAX).to_string(), "92233720368547758.07");
        assert_eq!(format!("{:>8}", Fen(5)), "    0.05");
        assert_eq!(Fen::from_yuan(6500), Fen(650000));
        assert_eq!(Fen::from_yuan(i64::MAX), Fen(i64::MAX));
    }

    #[test]
    fn div_round_half_away_from_zero() {
        assert_eq!(Fen(5).div_round(2), Fen(3));
        assert_eq!(Fen(-5).div_round(2), Fen(-3));
        assert_eq!(Fen(5).div_round(-2), Fen(-3));
        assert_eq!(Fen(-5).div_round(-2), Fen(3));
        assert_eq!(Fen(4).div_round(3), Fen(1));
        assert_eq!(Fen(5).div_round(3), Fen(2));
        assert_eq!(Fen(1299999).div_round(2), Fen(650000));
        assert_eq!(Fen(7).div_round(0), Fen(0));
        assert_eq!(Fen(i64::MIN).div_round(-1), Fen(i64::MAX));
        assert_eq!(Fen(i64::MIN).div_round(1), Fen(i64::MIN));
        assert_eq!(Fen(1000).mul_div_round(15, 10), Fen(1500));
        assert_eq!(Fen(5).mul_div_round(1, 2), Fen(3));
        assert_eq!(Fen(5).mul_div_round(1, 0), Fen(0));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(Fen(100) + Fen(5), Fen(105));
        assert_eq!(Fen(100) - Fen(105), Fen(-5));
        assert_eq!(-Fen(5), Fen(-5));
        assert_eq!(Fen(5) * 3, Fen(15));
        assert_eq!([Fen(1), Fen(2), Fen(3)].iter().sum::<Fen>(), Fen(6));
        assert_eq!(vec![Fen(1), Fen(-2)].into_iter().sum::<Fen>(), Fen(-1));
        assert_eq!(Fen(i64::MAX) + Fen(1), Fen(i64::MAX));
        assert_eq!(Fen(i64::MIN) - Fen(1), Fen(i64::MIN));
        assert_eq!(-Fen(i64::MIN), Fen(i64::MAX));
        assert_eq!(Fen(i64::MAX) * 2, Fen(i64::MAX));
        let mut x = Fen(1);
        x += Fen(2);
        x -= Fen(5);
        assert_eq!(x, Fen(-2));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), None);
        assert_eq!(Fen(1).checked_sub(Fen(3)), Some(Fen(-2)));
        assert_eq!(Fen(-250).to_yuan_f64(), -2.5);
        assert_eq!(Fen(-3).abs(), Fen(3));
        assert!(Fen(-3).is_negative() && Fen(0).is_zero());
        assert_eq!("12.30".parse::<Fen>(), Ok(Fen(1230)));
    }

    #[test]
    fn serde_as_integer_fen() {
        use crate::testing::{from_i64, to_text};
        assert_eq!(to_text(&Fen(-5)).unwrap(), "-5");
        assert_eq!(from_i64::<Fen>(123_450).unwrap(), Fen(123_450));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn display_parse_round_trip(v in -99_999_999_999_999_999i64..=99_999_999_999_999_999) {
            let s = Fen(v).to_string();
            prop_assert_eq!(Fen::parse_yuan(&s), Ok(Fen(v)));
        }

        #[test]
        fn parse_matches_decimal_reading(neg in any::<bool>(), int in 0u64..1_000_000_000_000_000, frac in proptest::option::of(0u32..100), one in any::<bool>()) {
            let (text, frac_fen) = match frac {
                None => (format!("{int}"), 0i64),
                Some(f) if one => (format!("{int}.{}", f % 10), i64::from(f % 10) * 10),
                Some(f) => (format!("{int}.{f:02}"), i64::from(f)),
            };
            let text = if neg { format!("-{text}") } else { text };
            let expected = (int as i64 * 100 + frac_fen) * if neg { -1 } else { 1 };
            prop_assert_eq!(Fen::parse_yuan(&text), Ok(Fen(expected)));
        }

        #[test]
        fn div_round_matches_exact_rounding(a in any::<i64>(), n in any::<i64>().prop_filter("nonzero", |n| *n != 0)) {
            prop_assume!(!(a == i64::MIN && n == -1)); // exact result beyond i64
            let q = Fen(a).div_round(n).0 as i128;
            let (a, n) = (a as i128, n as i128);
            // |a/n - q| <= 1/2, and equals 1/2 only if |q| > |a/n|.
            let diff = (a - q * n).abs() * 2; // = |a/n - q| * 2|n|
            prop_assert!(diff <= n.abs(), "a={} n={} q={}", a, n, q);
            if diff == n.abs() {
                prop_assert!(q.abs() * n.abs() > a.abs());
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = Fen::parse_yuan(&s);
        }
    }
}
