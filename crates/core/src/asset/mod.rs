//! 扶贫项目资产 (B2, §四(二)3 "加强扶贫项目资产管理", issue 23): the registry of the assets formed with public
//! funds since 2013 (确权登记: type, owner, keeper, original value, location, the project it came from, the
//! year formed, its state — [`Draft`]), their upkeep (A7 管护: a plan in months, upkeep and repair records —
//! [`upkeep`]) and their disposal (处置: 村申请 → 乡审核 → 县审批 — [`disposal`]).
//!
//! Pure rules: the store keeps the rows, `shouwang_app::assets` runs the use cases.

pub mod disposal;
pub mod import;
pub mod ledger;
pub mod upkeep;

use crate::codes::code_list;
use crate::household::changes::check_phone;
use crate::money::Fen;
use crate::monitoring::{Refusal, RefusalCode};
use crate::project::{MAX_NAME, MAX_TEXT, check_text};

pub use disposal::{DisposalState, DisposalStep};
pub use upkeep::{Upkeep, UpkeepKind};

code_list! {
    /// 资产类型 (§四(二)3: 经营性资产、公益性资产、到户类资产).
    pub enum AssetKind ("资产类型", "asset type") {
        Operating = ("operating", "经营性资产", "Productive asset"),
        PublicWelfare = ("public_welfare", "公益性资产", "Public-welfare asset"),
        Household = ("household", "到户类资产", "Household asset"),
    }
}

code_list! {
    /// 产权归属 (确权: 村集体, 乡镇, 户).
    pub enum OwnerKind ("产权归属", "owner") {
        VillageCollective = ("village_collective", "村集体", "Village collective"),
        Township = ("township", "乡镇", "Township"),
        Household = ("household", "农户", "Household"),
    }
}

code_list! {
    /// 资产状态.
    pub enum AssetState ("资产状态", "asset state") {
        InUse = ("in_use", "在用", "In use"),
        Idle = ("idle", "闲置", "Idle"),
        Damaged = ("damaged", "损毁", "Damaged"),
        Disposed = ("disposed", "已处置", "Disposed"),
    }
}

/// Longest 管护周期 (months).
pub const MAX_CADENCE: u32 = 60;

/// An asset as registered (确权登记内容).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Draft {
    /// 资产名称.
    pub name: String,
    /// 资产类型.
    pub kind: AssetKind,
    /// 产权归属.
    pub owner_kind: OwnerKind,
    /// 所有权人 (the collective's, the township's or the head's name).
    #[serde(default)]
    pub owner_name: String,
    /// 户编号 of the owning household (产权归属 农户 only).
    #[serde(default)]
    pub household: Option<String>,
    /// 管护责任人.
    pub keeper_name: String,
    /// 管护责任人联系电话 (personal data: sealed at rest, masked for roles that see masked data).
    #[serde(default)]
    pub keeper_phone: Option<String>,
    /// 资产原值, in 分.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub value: Fen,
    /// 坐落位置 (the 行政村 code).
    pub village: String,
    /// 坐落位置（详细）.
    #[serde(default)]
    pub place: String,
    /// 来源项目 (a project of the 项目库, by id).
    #[serde(default)]
    pub project: Option<i64>,
    /// 形成年度.
    pub year: i32,
    /// 资产状态 (已处置 only through the disposal flow).
    pub state: AssetState,
    /// 管护计划: months between two upkeeps (none: no plan).
    #[serde(default)]
    pub upkeep_months: Option<u32>,
}

fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal::new(RefusalCode::InvalidInput, zh, en)
}

impl Draft {
    /// Checks the registration against `this_year`: a name, a keeper, a phone that reads as one, a value above
    /// zero, a village code of 12 digits, a year within 2013 (assets formed since 2013, §四(二)3) and
    /// `this_year`, an owning household exactly when the owner is a household, a cadence of 1–60 months, and
    /// never 已处置 (only the disposal flow disposes).
    pub fn validate(&self, this_year: i32) -> Result<(), Refusal> {
        check_text(&self.name, true, MAX_NAME, "资产名称", "Asset name")?;
        check_text(&self.owner_name, false, MAX_NAME, "所有权人", "Owner")?;
        check_text(&self.keeper_name, true, MAX_NAME, "管护责任人", "Keeper")?;
        check_text(&self.place, false, MAX_TEXT, "坐落位置", "Place")?;
        if let Some(p) = &self.keeper_phone
            && check_phone(p).is_err()
        {
            return Err(invalid(
                "管护责任人联系电话格式不正确",
                "The keeper's phone is not a phone number",
            ));
        }
        if self.value.0 <= 0 {
            return Err(invalid(
                "资产原值应大于0",
                "The original value must be above zero",
            ));
        }
        let v = self.village.trim();
        if v.len() != 12 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(
                "坐落位置应为12位行政村代码",
                "The location must be a 12-digit village code",
            ));
        }
        if !(2013..=this_year).contains(&self.year) {
            return Err(invalid(
                format!("形成年度应在2013年至{this_year}年之间"),
                format!("The year formed must lie between 2013 and {this_year}"),
            ));
        }
        let has_household = self
            .household
            .as_deref()
            .is_some_and(|h| !h.trim().is_empty());
        if has_household != (self.owner_kind == OwnerKind::Household) {
            return Err(invalid(
                "产权归属为农户时须填写户编号（其他归属不填）",
                "A household owner needs its household number (and only then)",
            ));
        }
        if self
            .upkeep_months
            .is_some_and(|m| m == 0 || m > MAX_CADENCE)
        {
            return Err(invalid(
                format!("管护周期应为1至{MAX_CADENCE}个月"),
                format!("The upkeep cadence must be 1 to {MAX_CADENCE} months"),
            ));
        }
        if self.state == AssetState::Disposed {
            return Err(invalid(
                "资产处置须经村申请、乡审核、县审批",
                "An asset is disposed through the disposal flow only",
            ));
        }
        Ok(())
    }

    /// The draft with its texts trimmed and an empty phone or household as none.
    pub fn normalized(mut self) -> Draft {
        self.name = self.name.trim().to_owned();
        self.owner_name = self.owner_name.trim().to_owned();
        self.keeper_name = self.keeper_name.trim().to_owned();
        self.place = self.place.trim().to_owned();
        self.village = self.village.trim().to_owned();
        self.keeper_phone = self
            .keeper_phone
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        self.household = self
            .household
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty());
        self
    }
}

/// A phone as a user who sees masked data sees it: the first three and last four digits kept, the others
/// `*` (`138****5678`); a short number keeps only its last two digits.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let keep = if n >= 11 {
                i < 3 || i >= n - 4
            } else {
                i + 2 >= n
            };
            if keep || !c.is_ascii_digit() { *c } else { '*' }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn draft() -> Draft {
        Draft {
            name: "圪塔上村光伏电站".to_owned(),
            kind: AssetKind::Operating,
            owner_kind: OwnerKind::VillageCollective,
            owner_name: "圪塔上村股份经济合作社".to_owned(),
            household: None,
            keeper_name: "王建国".to_owned(),
            keeper_phone: Some("13812345678".to_owned()),
            value: Fen::from_yuan(320_000),
            village: "141123208201".to_owned(),
            place: "村东荒坡".to_owned(),
            project: None,
            year: 2018,
            state: AssetState::InUse,
            upkeep_months: Some(3),
        }
    }

    #[test]
    fn a_complete_registration_passes() {
        assert_eq!(draft().validate(2026), Ok(()));
        let mut d = draft();
        d.owner_kind = OwnerKind::Household;
        d.kind = AssetKind::Household;
        d.household = Some("H1".to_owned());
        assert_eq!(d.validate(2026), Ok(()));
    }

    #[test]
    fn bad_registrations_are_refused() {
        let cases: Vec<fn(&mut Draft)> = vec![
            |d| d.name = " ".to_owned(),
            |d| d.keeper_name = String::new(),
            |d| d.keeper_phone = Some("电话".to_owned()),
            |d| d.value = Fen(0),
            |d| d.village = "1411232082".to_owned(),
            |d| d.year = 2012,
            |d| d.year = 2027,
            |d| d.household = Some("H1".to_owned()),
            |d| d.owner_kind = OwnerKind::Household,
            |d| d.upkeep_months = Some(0),
            |d| d.upkeep_months = Some(61),
            |d| d.state = AssetState::Disposed,
        ];
        for (i, change) in cases.into_iter().enumerate() {
            let mut d = draft();
            change(&mut d);
            let r = d.validate(2026);
            assert!(
                matches!(&r, Err(e) if e.code == RefusalCode::InvalidInput),
                "case {i}: {r:?}"
            );
        }
    }

    #[test]
    fn normalized_drops_empty_phone_and_household() {
        let mut d = draft();
        d.keeper_phone = Some("  ".to_owned());
        d.household = Some(String::new());
        d.name = " 电站 ".to_owned();
        let n = d.normalized();
        assert_eq!(
            (n.keeper_phone, n.household, n.name.as_str()),
            (None, None, "电站")
        );
    }

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0358-1234567"), "035*-***4567");
        assert_eq!(mask_phone("12345"), "***45");
        assert_eq!(mask_phone(""), "");
    }
}
