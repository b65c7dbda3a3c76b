//! 明责任: one responsible cadre 帮扶责任人 per monitored household (§三(一)2 二是明责任:
//! "帮扶责任人在乡村两级干部和驻村帮扶干部中确定，确保每户监测户都有1名干部帮扶").
//!
//! [`CadreAssignments`] is the assignment history of one household. At most one
//! assignment is current at any time; a change of cadre is a reassignment that
//! closes the current one on the same day. Assigning while one is current is
//! refused (it must be a reassignment); reassigning or releasing without a
//! current cadre is refused.
//!
//! | action | allowed when | who |
//! | --- | --- | --- |
//! | 确定帮扶责任人 assign | no current cadre | village team, township admin |
//! | 更换帮扶责任人 reassign | a current cadre, a different person | village team, township admin |
//! | 解除帮扶责任 release | a current cadre (the case decides when: not while monitored) | village team, township admin |
//!
//! [`workload`] counts the current households of each cadre.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::common::{
    Actor, Label, Refusal, RefusalCode, require_not_before, require_role, require_text,
};
use crate::access::Role;
use crate::codes::code_list;

code_list! {
    /// Where a responsible cadre comes from.
    pub enum CadreLevel ("干部类别", "cadre level") {
        Township = ("township", "乡镇干部", "Township cadre"),
        Village = ("village", "村干部", "Village cadre"),
        Resident = ("resident", "驻村帮扶干部", "Resident working-team cadre"),
    }
}

/// A responsible cadre 帮扶责任人.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cadre {
    /// The cadre's user id.
    pub user_id: i64,
    /// 姓名.
    pub name: String,
    /// 干部类别.
    pub level: CadreLevel,
    /// 工作单位.
    pub unit: String,
    /// 联系电话.
    pub phone: Option<String>,
}

/// One period of responsibility.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignment {
    /// The cadre.
    pub cadre: Cadre,
    /// 起始日期.
    pub from: NaiveDate,
    /// 结束日期 (`None` while current).
    pub until: Option<NaiveDate>,
    /// Who assigned.
    pub assigned_by: Actor,
    /// Why it ended (reassignment or release reason).
    pub end_reason: Option<String>,
}

impl Assignment {
    /// Current (not ended).
    pub fn is_current(&self) -> bool {
        self.until.is_none()
    }
}

/// A change of responsibility.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CadreAction {
    /// 确定帮扶责任人.
    Assign {
        /// The cadre.
        cadre: Cadre,
    },
    /// 更换帮扶责任人.
    Reassign {
        /// The new cadre.
        cadre: Cadre,
        /// 更换原因.
        reason: String,
    },
    /// 解除帮扶责任 (after the household leaves monitoring).
    Release {
        /// 原因.
        reason: String,
    },
}

/// Roles that may assign, reassign or release.
pub const CADRE_ROLES: &[Role] = &[Role::VillageTeam, Role::TownshipAdmin];

const ASSIGN: Label = ("确定帮扶责任人", "Assign the responsible cadre");

/// The responsible-cadre history of one household.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CadreAssignments {
    /// Every assignment, oldest first.
    pub history: Vec<Assignment>,
}

impl CadreAssignments {
    /// No assignment yet.
    pub fn new() -> CadreAssignments {
        CadreAssignments::default()
    }

    /// The current assignment.
    pub fn current(&self) -> Option<&Assignment> {
        self.history.iter().find(|a| a.is_current())
    }

    /// The cadre responsible on a date (the later one on a handover day).
    pub fn on(&self, date: NaiveDate) -> Option<&Cadre> {
        self.history
            .iter()
            .rev()
            .find(|a| a.from <= date && a.until.is_none_or(|u| date <= u))
            .map(|a| &a.cadre)
    }

    /// Number of current assignments (0 or 1, by construction).
    pub fn current_count(&self) -> usize {
        self.history.iter().filter(|a| a.is_current()).count()
    }

    fn last_date(&self) -> Option<NaiveDate> {
        self.history.last().map(|a| a.until.unwrap_or(a.from))
    }

    /// Takes an action (see the module table). Returns the new history or a
    /// [`Refusal`] leaving `self` unchanged.
    pub fn apply(
        &self,
        action: CadreAction,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<CadreAssignments, Refusal> {
        require_role(actor, ASSIGN, CADRE_ROLES)?;
        if let Some(last) = self.last_date() {
            require_not_before(on, last)?;
        }
        let mut next = self.clone();
        let current = next.history.iter_mut().find(|a| a.is_current());
        match (action, current) {
            (CadreAction::Assign { cadre }, None) => {
                check_cadre(&cadre)?;
                next.history.push(Assignment {
                    cadre,
                    from: on,
                    until: None,
                    assigned_by: actor.clone(),
                    end_reason: None,
                });
            }
            (CadreAction::Assign { .. }, Some(cur)) => {
                return Err(Refusal::new(
                    RefusalCode::CadreAlreadyAssigned,
                    format!("该户已有帮扶责任人{}，如需变更请办理更换", cur.cadre.name),
                    format!(
                        "The household already has a responsible cadre ({}); reassign instead",
                        cur.cadre.name
                    ),
                ));
            }
            (CadreAction::Reassign { cadre, reason }, Some(cur)) => {
                check_cadre(&cadre)?;
                require_text(&reason, ("更换原因", "reason for the change"))?;
                if cur.cadre.user_id == cadre.user_id {
                    return Err(Refusal::wrong_state(
                        "新帮扶责任人与现任相同",
                        "The new cadre is the current one",
                    ));
                }
                cur.until = Some(on);
                cur.end_reason = Some(reason);
                next.history.push(Assignment {
                    cadre,
                    from: on,
                    until: None,
                    assigned_by: actor.clone(),
                    end_reason: None,
                });
            }
            (CadreAction::Release { reason }, Some(cur)) => {
                require_text(&reason, ("解除原因", "reason for the release"))?;
                cur.until = Some(on);
                cur.end_reason = Some(reason);
            }
            (CadreAction::Reassign { .. } | CadreAction::Release { .. }, None) => {
                return Err(Refusal::new(
                    RefusalCode::NoCurrentCadre,
                    "该户尚无帮扶责任人",
                    "The household has no responsible cadre",
                ));
            }
        }
        Ok(next)
    }
}

fn check_cadre(c: &Cadre) -> Result<(), Refusal> {
    require_text(&c.name, ("帮扶责任人姓名", "cadre name"))?;
    require_text(&c.unit, ("工作单位", "cadre's unit"))
}

/// A cadre's current workload.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workload {
    /// The cadre (as in their latest assignment).
    pub cadre: Cadre,
    /// 户编号 of the households currently assigned.
    pub households: Vec<String>,
}

impl Workload {
    /// Number of households currently assigned.
    pub fn count(&self) -> usize {
        self.households.len()
    }
}

/// Current households per cadre, most households first, then by user id.
pub fn workload<'a>(
    all: impl IntoIterator<Item = (&'a str, &'a CadreAssignments)>,
) -> Vec<Workload> {
    let mut by: BTreeMap<i64, Workload> = BTreeMap::new();
    for (household, a) in all {
        if let Some(cur) = a.current() {
            by.entry(cur.cadre.user_id)
                .or_insert_with(|| Workload {
                    cadre: cur.cadre.clone(),
                    households: Vec::new(),
                })
                .households
                .push(household.to_owned());
        }
    }
    let mut out: Vec<Workload> = by.into_values().collect();
    out.sort_by(|a, b| {
        b.households
            .len()
            .cmp(&a.households.len())
            .then(a.cadre.user_id.cmp(&b.cadre.user_id))
    });
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::monitoring::identification::tests::actor;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    pub(crate) fn cadre(id: i64) -> Cadre {
        Cadre {
            user_id: id,
            name: format!("干部{id}"),
            level: CadreLevel::Township,
            unit: "圪塔上乡人民政府".into(),
            phone: None,
        }
    }

    #[test]
    fn assign_reassign_release() {
        let team = actor(Role::VillageTeam);
        let a = CadreAssignments::new();
        assert!(a.current().is_none());
        let a = a
            .apply(CadreAction::Assign { cadre: cadre(1) }, &team, d(6, 1))
            .unwrap();
        assert_eq!(a.current().unwrap().cadre.user_id, 1);
        // a second assign is refused
        let e = a
            .apply(CadreAction::Assign { cadre: cadre(2) }, &team, d(6, 2))
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::CadreAlreadyAssigned);
        assert!(e.message_zh.contains("干部1"));
        // reassignment closes the previous one the same day
        let b = a
            .apply(
                CadreAction::Reassign {
                    cadre: cadre(2),
                    reason: "工作调动".into(),
                },
                &actor(Role::TownshipAdmin),
                d(7, 1),
            )
            .unwrap();
        assert_eq!(b.history.len(), 2);
        assert_eq!(b.history[0].until, Some(d(7, 1)));
        assert_eq!(b.history[0].end_reason.as_deref(), Some("工作调动"));
        assert_eq!(b.current().unwrap().cadre.user_id, 2);
        assert_eq!(b.current_count(), 1);
        assert_eq!(b.on(d(6, 15)).unwrap().user_id, 1);
        assert_eq!(b.on(d(7, 1)).unwrap().user_id, 2);
        assert!(b.on(d(5, 1)).is_none());
        // release
        let c = b
            .apply(
                CadreAction::Release {
                    reason: "风险已消除".into(),
                },
                &team,
                d(9, 30),
            )
            .unwrap();
        assert!(c.current().is_none());
        assert!(c.on(d(10, 1)).is_none());
        // assign again after release
        assert!(
            c.apply(CadreAction::Assign { cadre: cadre(3) }, &team, d(10, 1))
                .is_ok()
        );
    }

    #[test]
    fn refusals() {
        let team = actor(Role::VillageTeam);
        let empty = CadreAssignments::new();
        let e = empty
            .apply(
                CadreAction::Reassign {
                    cadre: cadre(2),
                    reason: "x".into(),
                },
                &team,
                d(6, 1),
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::NoCurrentCadre);
        let e = empty
            .apply(CadreAction::Release { reason: "x".into() }, &team, d(6, 1))
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::NoCurrentCadre);
        for role in [
            Role::Cadre,
            Role::CountyAdmin,
            Role::Auditor,
            Role::Department,
        ] {
            let e = empty
                .apply(
                    CadreAction::Assign { cadre: cadre(1) },
                    &actor(role),
                    d(6, 1),
                )
                .unwrap_err();
            assert_eq!(e.code, RefusalCode::RoleNotAllowed);
        }
        let mut nameless = cadre(1);
        nameless.name.clear();
        assert!(
            empty
                .apply(CadreAction::Assign { cadre: nameless }, &team, d(6, 1))
                .is_err()
        );
        let mut unitless = cadre(1);
        unitless.unit.clear();
        assert!(
            empty
                .apply(CadreAction::Assign { cadre: unitless }, &team, d(6, 1))
                .is_err()
        );
        let a = empty
            .apply(CadreAction::Assign { cadre: cadre(1) }, &team, d(6, 1))
            .unwrap();
        let e = a
            .apply(
                CadreAction::Reassign {
                    cadre: cadre(1),
                    reason: "x".into(),
                },
                &team,
                d(6, 2),
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::WrongState);
        let e = a
            .apply(
                CadreAction::Reassign {
                    cadre: cadre(2),
                    reason: " ".into(),
                },
                &team,
                d(6, 2),
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::InvalidInput);
        let e = a
            .apply(CadreAction::Release { reason: "".into() }, &team, d(6, 2))
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::InvalidInput);
        let e = a
            .apply(
                CadreAction::Reassign {
                    cadre: cadre(2),
                    reason: "x".into(),
                },
                &team,
                d(5, 31),
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::DateOrder);
    }

    #[test]
    fn workload_per_cadre() {
        let team = actor(Role::VillageTeam);
        let one = |id| {
            CadreAssignments::new()
                .apply(CadreAction::Assign { cadre: cadre(id) }, &team, d(6, 1))
                .unwrap()
        };
        let h1 = one(1);
        let h2 = one(2);
        let h3 = one(2);
        let h4 = one(1)
            .apply(
                CadreAction::Release {
                    reason: "退出".into(),
                },
                &team,
                d(9, 1),
            )
            .unwrap();
        let w = workload([("H1", &h1), ("H2", &h2), ("H3", &h3), ("H4", &h4)]);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].cadre.user_id, 2);
        assert_eq!(w[0].households, ["H2", "H3"]);
        assert_eq!(w[1].households, ["H1"]);
        assert_eq!((w[0].count(), w[1].count()), (2, 1));
        assert!(workload(std::iter::empty()).is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever the sequence, never more than one current cadre; after any
        /// successful assign or reassign exactly one; periods do not overlap; a
        /// refusal leaves the history unchanged.
        #[test]
        fn exactly_one_current(moves in proptest::collection::vec((0u8..3, 1i64..4, 0u8..3, 0u8..8), 0..40)) {
            let mut a = CadreAssignments::new();
            let mut on = d(1, 1);
            for (kind, id, step, role) in moves {
                on = on + chrono::Days::new(u64::from(step));
                let action = match kind {
                    0 => CadreAction::Assign { cadre: cadre(id) },
                    1 => CadreAction::Reassign { cadre: cadre(id), reason: "调整".into() },
                    _ => CadreAction::Release { reason: "退出".into() },
                };
                let who = if role < 6 { actor(Role::VillageTeam) } else { actor(Role::Cadre) };
                let before = a.clone();
                let is_release = kind == 2;
                match a.apply(action, &who, on) {
                    Ok(n) => {
                        prop_assert_eq!(n.current_count(), usize::from(!is_release));
                        a = n;
                    }
                    Err(_) => prop_assert_eq!(&a, &before),
                }
                prop_assert!(a.current_count() <= 1);
                for w in a.history.windows(2) {
                    prop_assert!(w[0].until.is_some_and(|u| u <= w[1].from));
                }
            }
        }
    }
}
