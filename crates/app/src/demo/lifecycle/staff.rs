//! 职员: the staff accounts of the demo county and who acts at which level.

use super::*;

/// A staff account the load creates besides the demo accounts: the township office of each other
/// township, the village team and a responsible cadre of each other village with cases. They are inactive
/// (no one signs in as them; the county admin may enable them) and act in the cases of their area.
pub(crate) use shouwang_store::repo::bulk::Account as StaffAccount;

/// The staff accounts the picks need (townships and villages other than the demo users').
pub(crate) fn staff_accounts(county: &DemoCounty, picks: &[Pick]) -> Vec<StaffAccount> {
    let names = region_names(county);
    let village = demo_village();
    let township = &village[..Ord::min(9, village.len())];
    let mut townships: Vec<String> = Vec::new();
    let mut villages: Vec<String> = Vec::new();
    for p in picks {
        let Some(dh) = county.households.get(p.index) else {
            continue;
        };
        let v = dh.household.village.as_str();
        let t = dh.household.village.township();
        if t != township && !townships.iter().any(|x| x == t) {
            townships.push(t.to_owned());
        }
        if v != village && !villages.iter().any(|x| x == v) {
            villages.push(v.to_owned());
        }
    }
    // The settlement point's team keeps the relocated households' quarterly screening (易地搬迁, §三(三)).
    for r in &county.regions {
        let code = r.code.as_str();
        if r.level == shouwang_core::codes::RegionLevel::Settlement
            && code != village
            && !villages.iter().any(|x| x == code)
        {
            villages.push(code.to_owned());
        }
    }
    townships.sort();
    villages.sort();
    let mut out = Vec::new();
    for t in townships {
        let name = names.get(&t).cloned().unwrap_or_default();
        out.push(StaffAccount {
            username: format!("township_{t}"),
            display_name: format!("{name}乡村振兴办"),
            role: Role::TownshipAdmin,
            area: t,
        });
    }
    for v in villages {
        let name = names.get(&v).cloned().unwrap_or_default();
        let short = name.chars().take(20).collect::<String>();
        out.push(StaffAccount {
            username: format!("team_{v}"),
            display_name: format!("{short}工作专班"),
            role: Role::VillageTeam,
            area: v.clone(),
        });
        out.push(StaffAccount {
            username: format!("cadre_{v}"),
            display_name: cadre_name(&v),
            role: Role::Cadre,
            area: v,
        });
    }
    out
}

/// A person's name for the cadre of a village, from the village code (deterministic).
pub(super) fn cadre_name(village: &str) -> String {
    let h = village.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let s = SURNAMES
        .get((h % SURNAMES.len() as u64) as usize)
        .map_or("王", |s| s.0);
    let given = MALE_GIVEN[1];
    let g = given
        .get(((h >> 20) % given.len() as u64) as usize)
        .copied()
        .unwrap_or("建国");
    format!("{s}{g}")
}

/// Who acts in the cases: the demo users where their area covers the case, the staff accounts elsewhere.
#[derive(Clone, Debug, Default)]
pub(crate) struct Staff {
    /// 县级管理员 (demo account).
    pub county_admin: Option<CoreActor>,
    /// 部门数据员 (demo account).
    pub department: Option<CoreActor>,
    /// 乡镇管理员 per township (9 digits).
    pub townships: HashMap<String, CoreActor>,
    /// 村级工作专班 per village (12 digits).
    pub teams: HashMap<String, CoreActor>,
    /// 帮扶责任人 per village.
    pub cadres: HashMap<String, CoreActor>,
}

pub(super) fn missing(what: &str, area: &str) -> Refusal {
    Refusal::invalid(
        format!("演示数据缺少{what}（{area}）"),
        format!("the demo has no {what} for {area}"),
    )
}

impl Staff {
    /// Adds a user as the one acting in `role` over `area`.
    pub(crate) fn add(&mut self, user_id: i64, name: &str, role: Role, area: &str) {
        let actor = CoreActor::new(user_id, name, role);
        match role {
            Role::CountyAdmin => self.county_admin = Some(actor),
            Role::Department => self.department = Some(actor),
            Role::TownshipAdmin => {
                self.townships.insert(area.to_owned(), actor);
            }
            Role::VillageTeam => {
                self.teams.insert(area.to_owned(), actor);
            }
            Role::Cadre => {
                self.cadres.insert(area.to_owned(), actor);
            }
            Role::Auditor | Role::ProvinceAdmin | Role::GridMember => {}
        }
    }

    pub(super) fn county(&self) -> Result<CoreActor, Refusal> {
        self.county_admin
            .clone()
            .ok_or_else(|| missing("县级管理员", "county"))
    }

    pub(super) fn department(&self) -> Result<CoreActor, Refusal> {
        self.department
            .clone()
            .ok_or_else(|| missing("部门数据员", "county"))
    }

    pub(super) fn township(&self, v: &RegionCode) -> Result<CoreActor, Refusal> {
        self.townships
            .get(v.township())
            .cloned()
            .ok_or_else(|| missing("乡镇管理员", v.township()))
    }

    pub(super) fn team(&self, v: &RegionCode) -> Result<CoreActor, Refusal> {
        self.teams
            .get(v.as_str())
            .cloned()
            .ok_or_else(|| missing("村级工作专班", v.as_str()))
    }

    pub(super) fn cadre(&self, v: &RegionCode) -> Result<CoreActor, Refusal> {
        self.cadres
            .get(v.as_str())
            .cloned()
            .ok_or_else(|| missing("帮扶责任人", v.as_str()))
    }
}

/// Region code (12 digits) → name.
pub(crate) fn region_names(county: &DemoCounty) -> HashMap<String, String> {
    county
        .regions
        .iter()
        .map(|r| (r.code.as_str().to_owned(), r.name.clone()))
        .collect()
}
