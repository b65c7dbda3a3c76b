//! 入户核查: household verification, the record a team brings back from a visit
//! (§三(一)1 "入户核查农户申请的真实性", §三(一)3 二是入户核查).
//!
//! A [`Verification`] holds the findings 核查情况, a re-estimated income
//! ([`IncomeRecord`]: the four income kinds, production cost, rigid expenditure),
//! the 两不愁三保障 and drinking-water checks ([`Standards`]), the household's
//! 承诺授权 ([`Authorisation`]: it authorises the county to check its data), its
//! signature 签字 ([`Signature`]), and attachments 附件 (scans, photos) as
//! metadata with a SHA-256 content hash ([`Attachment`]; the file itself is
//! stored by the store, not here).

use chrono::NaiveDate;

use super::common::{Refusal, require_not_future, require_text};
use crate::codes::{Guarantee, HousingSafety};
use crate::income::IncomeRecord;

/// An attached file 附件, described by name, SHA-256 content hash (64 lower-case
/// hex digits) and media type.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    /// File name as uploaded (e.g. `申请书.jpg`).
    pub name: String,
    /// SHA-256 of the content, 64 lower-case hex digits.
    pub sha256: String,
    /// Media type, e.g. `image/jpeg`, `application/pdf`.
    pub media_type: String,
}

impl Attachment {
    /// An attachment; the hash is trimmed and lower-cased. Refuses an empty name,
    /// a hash that is not 64 hex digits, or a media type without `/`.
    pub fn new(
        name: impl Into<String>,
        sha256: &str,
        media_type: impl Into<String>,
    ) -> Result<Attachment, Refusal> {
        let a = Attachment {
            name: name.into(),
            sha256: sha256.trim().to_ascii_lowercase(),
            media_type: media_type.into(),
        };
        a.validate()?;
        Ok(a)
    }

    /// Refuses a malformed attachment (also one deserialised from elsewhere).
    pub fn validate(&self) -> Result<(), Refusal> {
        require_text(&self.name, ("附件名称", "attachment name"))?;
        let h = &self.sha256;
        if h.len() != 64 || !h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(Refusal::invalid(
                format!("附件“{}”的 SHA-256 值应为 64 位小写十六进制数", self.name),
                format!(
                    "The SHA-256 of attachment {:?} must be 64 lower-case hex digits",
                    self.name
                ),
            ));
        }
        let mt = self.media_type.trim();
        if mt.is_empty() || !mt.contains('/') || mt.contains(char::is_whitespace) {
            return Err(Refusal::invalid(
                format!("附件“{}”的文件类型不正确", self.name),
                format!("The media type of attachment {:?} is invalid", self.name),
            ));
        }
        Ok(())
    }
}

/// Refuses if any attachment is malformed.
pub(crate) fn validate_attachments(list: &[Attachment]) -> Result<(), Refusal> {
    list.iter().try_for_each(Attachment::validate)
}

/// The household's signature 签字认可 on a verification (signed, by whom), or why
/// there is none.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Signature {
    /// 已签字.
    Signed {
        /// Who signed (the head of household or a member).
        by: String,
        /// 签字日期.
        on: NaiveDate,
    },
    /// 未签字, with the reason (refused, absent …).
    NotSigned {
        /// 未签字原因.
        reason: String,
    },
}

impl Signature {
    /// 已签字.
    pub fn is_signed(&self) -> bool {
        matches!(self, Signature::Signed { .. })
    }

    fn validate(&self, on: NaiveDate) -> Result<(), Refusal> {
        match self {
            Signature::Signed { by, on: signed_on } => {
                require_text(by, ("签字人", "signer"))?;
                require_not_future(*signed_on, on, ("签字", "signature"))
            }
            Signature::NotSigned { reason } => {
                require_text(reason, ("未签字原因", "reason for no signature"))
            }
        }
    }
}

/// 承诺授权书: the household's commitment that its statements are true and its
/// authorisation to check its data with other departments (national practice:
/// it comes with the application and is needed for 信息比对).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Authorisation {
    /// Who signed it.
    pub by: String,
    /// When.
    pub on: NaiveDate,
    /// The scanned form, if uploaded.
    pub attachment: Option<Attachment>,
}

/// 饮水安全 the four indicators of the rural drinking-water standard (农村饮水安全评价准则):
/// quantity, quality, convenience, reliability. All four must pass.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaterCheck {
    /// 水量: ≥ 35 L a person a day (≥ 20 L in water-short areas).
    pub quantity: bool,
    /// 水质: by test report (on-site check for scattered sources).
    pub quality: bool,
    /// 用水方便程度: piped, or one trip ≤ 20 min / ≤ 800 m / ≤ 80 m up.
    pub convenience: bool,
    /// 供水保证率: cut or short ≤ 36 days a year.
    pub reliability: bool,
}

impl WaterCheck {
    /// All four indicators pass.
    pub fn passes(&self) -> bool {
        self.quantity && self.quality && self.convenience && self.reliability
    }
}

/// 两不愁三保障及饮水安全: the standards checked at every household (§三(一)1).
/// [`Standards::problems`] lists the guarantees found *not* secure; a housing
/// grade C/D or a failed water indicator adds its problem even if not flagged.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Standards {
    /// 不愁吃.
    pub food_secure: bool,
    /// 不愁穿.
    pub clothing_secure: bool,
    /// 三保障 and water problems flagged by the visitors ([`Guarantee`] marks a
    /// guarantee that is not secure).
    pub problems: Vec<Guarantee>,
    /// 住房安全等级, if appraised.
    pub housing_grade: Option<HousingSafety>,
    /// The four water indicators, if checked.
    pub water: Option<WaterCheck>,
}

impl Standards {
    /// Everything secure, nothing flagged.
    pub fn all_secure() -> Standards {
        Standards {
            food_secure: true,
            clothing_secure: true,
            problems: Vec::new(),
            housing_grade: None,
            water: None,
        }
    }

    /// The guarantees that are not secure: flagged ones, plus housing when the
    /// grade is C or D, plus water when an indicator fails; in list order.
    pub fn problems(&self) -> Vec<Guarantee> {
        let mut out: Vec<Guarantee> = Guarantee::ALL
            .iter()
            .copied()
            .filter(|g| self.problems.contains(g))
            .collect();
        let mut add = |g: Guarantee| {
            if !out.contains(&g) {
                out.push(g);
            }
        };
        if self.housing_grade.is_some_and(|h| !h.is_secure()) {
            add(Guarantee::Housing);
        }
        if self.water.is_some_and(|w| !w.passes()) {
            add(Guarantee::DrinkingWater);
        }
        out.sort();
        out
    }

    /// 两不愁三保障及饮水安全 all hold.
    pub fn secure(&self) -> bool {
        self.food_secure && self.clothing_secure && self.problems().is_empty()
    }
}

/// 入户核查: one household visit and its record.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    /// 核查日期.
    pub visited_on: NaiveDate,
    /// 核查人员 (names of the visitors).
    pub visitors: Vec<String>,
    /// 核查情况: what was found.
    pub findings: String,
    /// The re-estimated income 收支测算 (the 12 months before identification starts).
    pub income: Option<IncomeRecord>,
    /// 两不愁三保障及饮水安全.
    pub standards: Standards,
    /// 承诺授权 (required for identification).
    pub authorisation: Option<Authorisation>,
    /// 农户签字.
    pub signature: Signature,
    /// 附件.
    pub attachments: Vec<Attachment>,
}

impl Verification {
    /// Refuses a record that is incomplete or dated after `on`: no visitor, no
    /// findings, an income without members, a malformed attachment or signature.
    pub fn validate(&self, on: NaiveDate) -> Result<(), Refusal> {
        require_not_future(self.visited_on, on, ("核查", "visit"))?;
        if self.visitors.iter().all(|v| v.trim().is_empty()) {
            return Err(Refusal::invalid(
                "请填写核查人员",
                "The visitors (核查人员) are required",
            ));
        }
        require_text(&self.findings, ("核查情况", "findings"))?;
        if let Some(inc) = &self.income
            && inc.members == 0
        {
            return Err(Refusal::invalid(
                "收入测算的家庭人口须大于 0",
                "The income estimate needs at least one member",
            ));
        }
        self.signature.validate(on)?;
        if let Some(a) = &self.authorisation {
            require_text(&a.by, ("承诺授权人", "authorising person"))?;
            require_not_future(a.on, on, ("承诺授权", "authorisation"))?;
            if let Some(f) = &a.attachment {
                f.validate()?;
            }
        }
        validate_attachments(&self.attachments)
    }

    /// Per-capita net income 人均纯收入 of the re-estimate.
    pub fn per_capita(&self) -> Option<crate::money::Fen> {
        self.income.map(|i| i.per_capita())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::money::Fen;
    use crate::monitoring::RefusalCode;

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    pub(crate) fn photo() -> Attachment {
        Attachment::new("入户照片.jpg", &"AB".repeat(32), "image/jpeg").unwrap()
    }

    pub(crate) fn income(per_capita_yuan: i64, members: u32) -> IncomeRecord {
        IncomeRecord {
            year: 2022,
            wage: Fen::from_yuan(per_capita_yuan * i64::from(members)),
            members,
            ..IncomeRecord::default()
        }
    }

    /// A complete, signed verification on `on` with income `per_capita_yuan`.
    pub(crate) fn verification(on: NaiveDate, per_capita_yuan: i64) -> Verification {
        Verification {
            visited_on: on,
            visitors: vec!["李四".to_owned(), "王五".to_owned()],
            findings: "家中主要劳动力因病住院，医疗支出大幅增加".to_owned(),
            income: Some(income(per_capita_yuan, 3)),
            standards: Standards::all_secure(),
            authorisation: Some(Authorisation {
                by: "张三".to_owned(),
                on,
                attachment: Some(photo()),
            }),
            signature: Signature::Signed {
                by: "张三".to_owned(),
                on,
            },
            attachments: vec![photo()],
        }
    }

    #[test]
    fn attachments() {
        let a = photo();
        assert_eq!(a.sha256, "ab".repeat(32));
        assert!(Attachment::new(" ", &"a".repeat(64), "image/png").is_err());
        assert!(Attachment::new("x", &"a".repeat(63), "image/png").is_err());
        assert!(Attachment::new("x", &"g".repeat(64), "image/png").is_err());
        assert!(Attachment::new("x", &"a".repeat(64), "png").is_err());
        assert!(Attachment::new("x", &"a".repeat(64), "image/ png").is_err());
        let mut bad = a.clone();
        bad.sha256 = "AB".repeat(32); // deserialised upper-case is refused
        assert_eq!(bad.validate().unwrap_err().code, RefusalCode::InvalidInput);
    }

    #[test]
    fn standards() {
        let mut s = Standards::all_secure();
        assert!(s.secure() && s.problems().is_empty());
        s.housing_grade = Some(HousingSafety::B);
        assert!(s.secure());
        s.housing_grade = Some(HousingSafety::C);
        assert_eq!(s.problems(), [Guarantee::Housing]);
        s.problems = vec![Guarantee::Housing, Guarantee::BasicMedical];
        assert_eq!(s.problems(), [Guarantee::BasicMedical, Guarantee::Housing]);
        s = Standards::all_secure();
        let mut w = WaterCheck {
            quantity: true,
            quality: true,
            convenience: true,
            reliability: true,
        };
        s.water = Some(w);
        assert!(s.secure());
        w.reliability = false;
        s.water = Some(w);
        assert_eq!(s.problems(), [Guarantee::DrinkingWater]);
        s = Standards {
            food_secure: false,
            ..Standards::all_secure()
        };
        assert!(!s.secure());
        s = Standards {
            clothing_secure: false,
            ..Standards::all_secure()
        };
        assert!(!s.secure());
    }

    #[test]
    fn verification_validation() {
        let on = d(2022, 3, 10);
        let v = verification(on, 5000);
        assert!(v.validate(on).is_ok());
        assert_eq!(v.per_capita(), Some(Fen::from_yuan(5000)));
        assert!(
            v.validate(d(2022, 3, 9)).is_err(),
            "visited after recording"
        );
        let mut x = v.clone();
        x.visitors = vec![" ".to_owned()];
        assert!(x.validate(on).is_err());
        let mut x = v.clone();
        x.findings.clear();
        assert!(x.validate(on).is_err());
        let mut x = v.clone();
        x.income = Some(income(1, 0));
        assert!(x.validate(on).is_err());
        let mut x = v.clone();
        x.signature = Signature::Signed {
            by: "".to_owned(),
            on,
        };
        assert!(x.validate(on).is_err());
        let mut x = v.clone();
        x.signature = Signature::NotSigned {
            reason: "".to_owned(),
        };
        assert!(x.validate(on).is_err());
        x.signature = Signature::NotSigned {
            reason: "外出务工".to_owned(),
        };
        assert!(x.validate(on).is_ok() && !x.signature.is_signed());
        let mut x = v.clone();
        x.authorisation.as_mut().unwrap().by.clear();
        assert!(x.validate(on).is_err());
        let mut x = v.clone();
        x.authorisation
            .as_mut()
            .unwrap()
            .attachment
            .as_mut()
            .unwrap()
            .media_type = "x".into();
        assert!(x.validate(on).is_err());
        let mut x = v.clone();
        x.attachments[0].name.clear();
        assert!(x.validate(on).is_err());
    }
}
