//! 网格化管理 grids (B6, issue 22; plan §四(六) "推行网格化管理"): each 行政村 is divided into grids (网格),
//! each with the village's 党支部 (Party branch), a 网格长 (grid head) and its 网格员 (grid members), names and
//! phones; every household of the village belongs to exactly one grid. A household of a village that has
//! grids but in none of them is a data-quality finding (Q19, [`crate::quality`]).
//!
//! Pure rules: a [`GridDraft`] is checked by [`GridDraft::validate`]; who may keep a village's grids is
//! [`may_edit`]; a phone is shown masked ([`GridPerson::shown`]) unless the role sees personal data. The
//! store keeps the rows, `shouwang_app::grids` runs the use cases.

use crate::access::Role;
use crate::asset::mask_phone;
use crate::household::changes::check_phone;
use crate::ledger::{Column, ColumnKind, Value, col};
use crate::monitoring::{Refusal, RefusalCode};
use crate::project::check_text;

/// Longest grid name (网格名称), 党支部 name or person's name.
pub const MAX_NAME: usize = 60;
/// Most 网格员 in one grid.
pub const MAX_MEMBERS: usize = 20;
/// Most households assigned in one request (分配农户).
pub const MAX_ASSIGN: usize = 2000;

/// A person of a grid (网格长 or 网格员): a name and a phone (联系电话, may be empty).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridPerson {
    /// 姓名.
    pub name: String,
    /// 联系电话 (empty: none).
    #[serde(default)]
    pub phone: String,
}

impl GridPerson {
    /// The person as a user sees it: the phone in full when `full` (a role that sees personal data,
    /// [`Role::may_view_full_id`]), masked otherwise ([`mask_phone`]).
    pub fn shown(&self, full: bool) -> GridPerson {
        GridPerson {
            name: self.name.clone(),
            phone: if full {
                self.phone.clone()
            } else {
                mask_phone(&self.phone)
            },
        }
    }

    fn validate(&self, zh: &str, en: &str) -> Result<(), Refusal> {
        check_text(&self.name, true, MAX_NAME, &format!("{zh}姓名"), en)?;
        if check_phone(&self.phone).is_err() {
            return Err(invalid(
                format!("{zh}“{}”的联系电话格式不正确", self.name.trim()),
                format!(
                    "The phone of {en} {} is not a phone number",
                    self.name.trim()
                ),
            ));
        }
        Ok(())
    }

    /// Trimmed.
    fn trimmed(&self) -> GridPerson {
        GridPerson {
            name: self.name.trim().to_owned(),
            phone: self.phone.trim().to_owned(),
        }
    }
}

/// A grid as the village keeps it (网格信息): its village, name, 党支部, 网格长 and 网格员.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridDraft {
    /// 行政村 code (12 digits).
    pub village: String,
    /// 网格名称 (unique in the village).
    pub name: String,
    /// 党支部 (the village's Party branch, e.g. "中共某某村支部委员会").
    pub branch: String,
    /// 网格长.
    pub leader: GridPerson,
    /// 网格员.
    #[serde(default)]
    pub members: Vec<GridPerson>,
}

fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal::new(RefusalCode::InvalidInput, zh, en)
}

impl GridDraft {
    /// Checks the grid: a 12-digit village code, a name, a 党支部, a 网格长 with a name, at most
    /// [`MAX_MEMBERS`] 网格员 each with a name, phones that read as phones.
    pub fn validate(&self) -> Result<(), Refusal> {
        let v = self.village.trim();
        if v.len() != 12 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(
                "所属行政村应为12位行政村代码",
                "The village must be a 12-digit village code",
            ));
        }
        check_text(&self.name, true, MAX_NAME, "网格名称", "Grid name")?;
        check_text(&self.branch, true, MAX_NAME, "党支部", "Party branch")?;
        self.leader.validate("网格长", "the grid head")?;
        if self.members.len() > MAX_MEMBERS {
            return Err(invalid(
                format!("网格员不能超过{MAX_MEMBERS}人"),
                format!("At most {MAX_MEMBERS} grid members"),
            ));
        }
        for m in &self.members {
            m.validate("网格员", "a grid member")?;
        }
        Ok(())
    }

    /// The draft trimmed, blank 网格员 rows (no name and no phone, as a form sends them) left out.
    pub fn normalised(&self) -> GridDraft {
        GridDraft {
            village: self.village.trim().to_owned(),
            name: self.name.trim().to_owned(),
            branch: self.branch.trim().to_owned(),
            leader: self.leader.trimmed(),
            members: self
                .members
                .iter()
                .map(GridPerson::trimmed)
                .filter(|m| !m.name.is_empty() || !m.phone.is_empty())
                .collect(),
        }
    }

    /// The grid as a user sees it (phones masked unless `full`).
    pub fn shown(&self, full: bool) -> GridDraft {
        GridDraft {
            leader: self.leader.shown(full),
            members: self.members.iter().map(|m| m.shown(full)).collect(),
            ..self.clone()
        }
    }
}

/// May create and edit the grids of a village and assign its households (网格设置、分配农户): the county and
/// township admins and the village working team (村级工作专班), within their area (§四(六), "村抓落实").
pub fn may_edit(role: Role) -> bool {
    matches!(
        role,
        Role::CountyAdmin | Role::TownshipAdmin | Role::VillageTeam
    )
}

/// Households with a grid over all households, in percent with one decimal (`None` with no household):
/// the dashboard's 网格覆盖率.
pub fn coverage_pct(with_grid: u64, all: u64) -> Option<f64> {
    if all == 0 {
        return None;
    }
    let tenths = (with_grid.min(all) * 1000 + all / 2) / all;
    // At most 1000 tenths: exact in f64.
    Some(tenths as f64 / 10.0)
}

/// The columns of the 网格台账 (one row per grid).
pub const LEDGER_COLUMNS: &[Column] = &[
    col("序号", 6.0, ColumnKind::Number),
    col("乡（镇）", 14.0, ColumnKind::Text),
    col("行政村", 14.0, ColumnKind::Text),
    col("网格名称", 16.0, ColumnKind::Text),
    col("党支部", 20.0, ColumnKind::Text),
    col("网格长", 10.0, ColumnKind::Text),
    col("网格长联系电话", 14.0, ColumnKind::Digits),
    col("网格员", 24.0, ColumnKind::Text),
    col("网格员联系电话", 28.0, ColumnKind::Digits),
    col("户数", 8.0, ColumnKind::Number),
];

/// The ledger row of a grid with `households` households (`序号` left 0: numbered when the ledger is put
/// together); phones as given (the caller masks them for a role that does not see personal data).
pub fn ledger_row(township: &str, village: &str, g: &GridDraft, households: u64) -> Vec<Value> {
    let t = |s: &str| Value::Text(s.to_owned());
    let names: Vec<&str> = g.members.iter().map(|m| m.name.as_str()).collect();
    let phones: Vec<&str> = g
        .members
        .iter()
        .map(|m| m.phone.as_str())
        .filter(|p| !p.is_empty())
        .collect();
    vec![
        Value::Number(0.0),
        t(township),
        t(village),
        t(&g.name),
        t(&g.branch),
        t(&g.leader.name),
        t(&g.leader.phone),
        t(&names.join("、")),
        t(&phones.join("、")),
        // Fewer than 2^53 households.
        Value::Number(households as f64),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, phone: &str) -> GridPerson {
        GridPerson {
            name: name.into(),
            phone: phone.into(),
        }
    }

    fn draft() -> GridDraft {
        GridDraft {
            village: "141123100201".into(),
            name: "第一网格".into(),
            branch: "中共圪塔上村支部委员会".into(),
            leader: person("王建国", "13812345678"),
            members: vec![person("李红", "13900001111"), person("张强", "")],
        }
    }

    #[test]
    fn a_good_grid_passes() {
        assert_eq!(draft().validate(), Ok(()));
    }

    #[test]
    fn refusals_name_the_field() {
        let refused = |f: fn(&mut GridDraft)| {
            let mut d = draft();
            f(&mut d);
            d.validate().err().map(|r| r.message_zh).unwrap_or_default()
        };
        assert!(refused(|d| d.village = "1411231002".into()).contains("行政村"));
        assert!(refused(|d| d.name = "  ".into()).contains("网格名称"));
        assert!(refused(|d| d.branch = String::new()).contains("党支部"));
        assert!(refused(|d| d.leader.name = String::new()).contains("网格长"));
        assert!(refused(|d| d.leader.phone = "电话".into()).contains("联系电话"));
        assert!(refused(|d| d.members[1].phone = "abc".into()).contains("张强"));
        assert!(refused(|d| d.name = "格".repeat(MAX_NAME + 1)).contains("网格名称"));
        assert!(
            refused(|d| d.members = vec![person("甲", ""); MAX_MEMBERS + 1]).contains("网格员")
        );
        for f in [
            (|d: &mut GridDraft| d.members[0].name = String::new()) as fn(&mut GridDraft),
            |d| d.village = "14112310020a".into(),
        ] {
            let mut d = draft();
            f(&mut d);
            assert_eq!(
                d.validate().err().map(|r| r.code),
                Some(RefusalCode::InvalidInput)
            );
        }
    }

    #[test]
    fn normalised_drops_blank_member_rows() {
        let mut d = draft();
        d.name = " 第一网格 ".into();
        d.members.push(person(" ", " "));
        let n = d.normalised();
        assert_eq!(n.name, "第一网格");
        assert_eq!(n.members.len(), 2);
        assert_eq!(n.validate(), Ok(()));
    }

    #[test]
    fn phones_masked_unless_full() {
        let d = draft();
        assert_eq!(d.shown(false).leader.phone, "138****5678");
        assert_eq!(d.shown(false).members[0].phone, "139****1111");
        assert_eq!(d.shown(false).members[1].phone, "");
        assert_eq!(d.shown(true), d);
        assert_eq!(d.shown(false).leader.name, "王建国");
    }

    #[test]
    fn editors() {
        let editors: Vec<Role> = Role::ALL.iter().copied().filter(|r| may_edit(*r)).collect();
        assert_eq!(
            editors,
            [Role::CountyAdmin, Role::TownshipAdmin, Role::VillageTeam]
        );
    }

    #[test]
    fn coverage() {
        assert_eq!(coverage_pct(0, 0), None);
        assert_eq!(coverage_pct(0, 7), Some(0.0));
        assert_eq!(coverage_pct(7, 7), Some(100.0));
        assert_eq!(coverage_pct(1, 3), Some(33.3));
        assert_eq!(coverage_pct(2, 3), Some(66.7));
        assert_eq!(coverage_pct(9, 3), Some(100.0));
    }

    #[test]
    fn ledger_row_has_every_column() {
        let row = ledger_row("圪塔上乡", "圪塔上村", &draft(), 12);
        assert_eq!(row.len(), LEDGER_COLUMNS.len());
        assert_eq!(row[7], Value::Text("李红、张强".into()));
        assert_eq!(row[8], Value::Text("13900001111".into()));
        assert_eq!(row[9], Value::Number(12.0));
    }

    proptest::proptest! {
        #[test]
        fn coverage_is_a_percentage(with in 0u64..100_000, all in 0u64..100_000) {
            if let Some(p) = coverage_pct(with, all) {
                proptest::prop_assert!((0.0..=100.0).contains(&p));
            } else {
                proptest::prop_assert_eq!(all, 0);
            }
        }

        #[test]
        fn validate_never_panics(name in ".{0,80}", phone in ".{0,20}", village in "[0-9a]{0,14}") {
            let mut d = draft();
            d.name = name;
            d.leader.phone = phone;
            d.village = village;
            let _ = d.validate();
            let _ = d.normalised().shown(false);
        }
    }
}
