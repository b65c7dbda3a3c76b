//! The demo county 演示县: a synthetic, deterministic county modelled on Xing County, Shanxi (兴县,
//! region code 141123), for demonstrations, manual tests and benchmarks.
//!
//! - [`generate`] builds the county in memory: 17 townships with the real township names of Xing
//!   County, administrative villages (≈ 0.95·√N of them, ≈ 300 at 100,000 households), natural
//!   villages 自然村, one relocation settlement point 易地扶贫搬迁集中安置点 (§三(三)), households
//!   with members and income records of two years. It is pure: the same `(households, seed, frame)`
//!   gives the same county.
//! - [`load`] writes a generated county into the database: its registry (households, members and their
//!   income records) through the registry import as the rows of a registry workbook, as a township
//!   would, the rest (cases, staff accounts) in bulk, with the demo accounts of [`DEMO_USERS`].
//!
//! **All data are synthetic.** The township names are real, but the township, village and
//! settlement codes (12-digit 行政区划代码 `141123` + 3-digit township + 3-digit village) are made
//! up, as are every village name, person, ID number (valid GB 11643 check characters, generated
//! with [`shouwang_core::idnum::make`]), phone number and amount.
//!
//! **Dates.** A county is generated in a [`DemoFrame`]: its registry is dated at the end of the frame's
//! registry year (ages are completed years on 31 December of it; labour skill, school status and
//! relations are consistent on that date, and checked later some children have grown past 16 — as in a
//! real registry that was not updated), its income records are of that year and the one before, and its
//! cases run over the twelve months up to the frame's `as_of`. `shouwang demo` and `serve --demo` use
//! [`DemoFrame::around`] today (registry and latest income of last year, cases up to this week);
//! tests use the fixed [`DemoFrame::CLASSIC`] (the plan year 2022, cases up to 31 December 2022), so
//! their expectations do not move with the clock.

mod assets;
mod campaign;
mod generate;
mod grids;
mod indicators;
mod labour;
mod lifecycle;
mod load;
mod low_income;
mod names;
mod problems;
mod projects;
mod pv;
mod registry;
mod relocation;
mod stats;
#[cfg(test)]
mod tests;
mod welfare_posts;
mod workshops;

use std::fmt;

use chrono::{Datelike, NaiveDate};
use shouwang_core::access::Role;
use shouwang_core::region::Region;
use shouwang_core::{Household, IncomeRecord};

pub use load::{is_loaded, load};
pub use names::{COUNTY_CODE, COUNTY_NAME, TOWNSHIPS};
pub use problems::problems;
pub use stats::DemoStats;

/// Reference date of the classic demo data (数据截止日期): 2022-12-31, the end of the plan year
/// ([`DemoFrame::CLASSIC`]).
pub const AS_OF: NaiveDate = match NaiveDate::from_ymd_opt(2022, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// When a demo county is set 演示数据的时间: the year of its registry and latest income records, and the
/// last day of its cases. The cases' script is written for the classic frame (the plan year 2022, up to
/// 31 December 2022) and moved to another frame by whole weeks ([`DemoFrame::date`]), so weekdays, and
/// with them every working-day limit of the procedure, stay as the script was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DemoFrame {
    /// Year of the registry (ages on 31 December of it) and of the latest income records (the one
    /// before has records too).
    pub registry_year: i32,
    /// The last day of the cases (数据截止日期 of the monitoring work): no step, visit or notice later.
    pub as_of: NaiveDate,
}

impl DemoFrame {
    /// The plan year 2022: registry and incomes of 2022 (and 2021), cases up to 2022-12-31.
    pub const CLASSIC: DemoFrame = DemoFrame {
        registry_year: 2022,
        as_of: AS_OF,
    };

    /// The frame of a demo opened on `today`: registry and latest income of last year, the cases' year
    /// ending in the week of `today` (its `as_of` is at most six days before `today`).
    pub fn around(today: NaiveDate) -> DemoFrame {
        let weeks = (today - AS_OF).num_days().div_euclid(7);
        DemoFrame {
            registry_year: today.year() - 1,
            as_of: AS_OF + chrono::Duration::days(weeks * 7),
        }
    }

    /// The registry's reference date: 31 December of [`DemoFrame::registry_year`].
    pub fn registry_date(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.registry_year, 12, 31).unwrap_or(AS_OF)
    }

    /// The years of the income records: the one before the registry year, then the registry year.
    pub fn income_years(self) -> [i32; 2] {
        [self.registry_year - 1, self.registry_year]
    }

    /// The date of this frame that the classic script's `classic` (a date of 2022) stands for: moved by
    /// the whole weeks between [`AS_OF`] and `as_of`.
    pub fn date(self, classic: NaiveDate) -> NaiveDate {
        classic + (self.as_of - AS_OF)
    }
}

/// Password of every demo account (演示账号密码).
pub const DEMO_PASSWORD: &str = "demo-county-2022";

/// A demo account (演示账号), created by [`load`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoUser {
    /// Login name.
    pub username: &'static str,
    /// Display name (Chinese).
    pub display_name: &'static str,
    /// Password ([`DEMO_PASSWORD`]).
    pub password: &'static str,
    /// Role.
    pub role: Role,
    /// Area: region-code prefix (6 digits county, 9 township, 12 village).
    pub area: &'static str,
}

/// One demo account per role of [`Role`]: the county admin at the county (141123), the township
/// admin at 圪塔上乡 (the township of the plan, `141123208`), the village team and the cadre at
/// that township's first village (`141123208201`, present in every generated county), the
/// department data provider and the auditor at the county, the province admin at the province, and the
/// grid member 网格员 at that village's first grid (`141123208201/1`, set up by `demo::grids`).
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        username: "county_admin",
        display_name: "县乡村振兴局管理员",
        password: DEMO_PASSWORD,
        role: Role::CountyAdmin,
        area: "141123",
    },
    DemoUser {
        username: "township_admin",
        display_name: "圪塔上乡乡村振兴办",
        password: DEMO_PASSWORD,
        role: Role::TownshipAdmin,
        area: "141123208",
    },
    DemoUser {
        username: "village_team",
        display_name: "村级工作专班",
        password: DEMO_PASSWORD,
        role: Role::VillageTeam,
        area: "141123208201",
    },
    DemoUser {
        username: "cadre",
        display_name: "帮扶责任人",
        password: DEMO_PASSWORD,
        role: Role::Cadre,
        area: "141123208201",
    },
    DemoUser {
        username: "department",
        display_name: "县医保局数据员",
        password: DEMO_PASSWORD,
        role: Role::Department,
        area: "141123",
    },
    DemoUser {
        username: "auditor",
        display_name: "县纪委监委审计",
        password: DEMO_PASSWORD,
        role: Role::Auditor,
        area: "141123",
    },
    DemoUser {
        username: "province_admin",
        display_name: "省乡村振兴局管理员",
        password: DEMO_PASSWORD,
        role: Role::ProvinceAdmin,
        area: "14",
    },
    DemoUser {
        username: "grid_member",
        display_name: "第一网格网格员",
        password: DEMO_PASSWORD,
        role: Role::GridMember,
        area: "141123208201/1",
    },
];

/// A generated demo county.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoCounty {
    /// The seed it was generated from.
    pub seed: u64,
    /// When it is set: the registry's year and the cases' last day.
    pub frame: DemoFrame,
    /// Reference date of ages and school status (31 December of the registry year).
    pub as_of: NaiveDate,
    /// Regions, parents before children: the county, townships, villages and the settlement
    /// point, natural villages.
    pub regions: Vec<Region>,
    /// Households in village order, each with its income records.
    pub households: Vec<DemoHousehold>,
}

/// A household of the demo county with its income records 家庭收入 (the frame's two income years).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoHousehold {
    /// The registry record with its members.
    pub household: Household,
    /// Income records, the earlier year first ([`DemoFrame::income_years`]).
    pub incomes: Vec<IncomeRecord>,
}

impl DemoCounty {
    /// Number of members of all households.
    pub fn member_count(&self) -> usize {
        self.households
            .iter()
            .map(|h| h.household.members.len())
            .sum()
    }

    /// Number of income records of all households.
    pub fn income_count(&self) -> usize {
        self.households.iter().map(|h| h.incomes.len()).sum()
    }
}

/// What [`load`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    /// Regions (county, townships, villages, settlement point, natural villages).
    pub regions: u64,
    /// Households.
    pub households: u64,
    /// Members.
    pub members: u64,
    /// Income records.
    pub income_records: u64,
    /// Monitoring lines written by the load (0 when the store had seeded them).
    pub monitoring_lines: u64,
    /// Demo accounts created (0 for those that existed already).
    pub users: u64,
    /// Staff accounts (inactive) of the townships and villages with cases.
    pub staff_accounts: u64,
    /// Monitoring cases 监测帮扶档案 (a household whose first case closed has two).
    pub cases: u64,
    /// 低收入人口 visits of the demo village (issue 21).
    pub low_income_visits: u64,
    /// 易地搬迁 screenings recorded at the settlement point.
    pub relocation_screenings: u64,
    /// 三保障和饮水安全问题排查 checks of the demo village (last quarter and this one, A6).
    pub campaign_checks: u64,
    /// Projects of the demo village's 项目库 (issue 23).
    pub projects: u64,
    /// 劳动力就业 records of the demo village (this year's and last year's months, B1).
    pub labour_records: u64,
    /// 扶贫项目资产 of the demo village (issue 23).
    pub assets: u64,
    /// 帮扶车间 of the demo village (issue 21).
    pub workshops: u64,
    /// 公益岗位 of the demo village (issue 21).
    pub welfare_posts: u64,
    /// 光伏收益分配 of the demo township's villages (issue 23).
    pub pv_distributions: u64,
    /// 村容村貌指标 records of the demo township (issue 22).
    pub village_indicators: u64,
    /// 网格 of the demo village (网格化管理, issue 22).
    pub grids: u64,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} 个区划, {} 户, {} 人, {} 条收入记录, {} 份监测帮扶档案, {} 个演示账号 ({} regions, {} households, {} members, {} income records, {} monitoring cases, {} demo accounts)",
            self.regions,
            self.households,
            self.members,
            self.income_records,
            self.cases,
            self.users,
            self.regions,
            self.households,
            self.members,
            self.income_records,
            self.cases,
            self.users
        )
    }
}

/// Generates a demo county of `households` households (`0` is allowed: regions only),
/// deterministically from `seed` (ChaCha8). Pure: no I/O.
///
/// Households: ≈ 30 % 脱贫户, ≈ 3 % 监测户 (with a monitored type and 1–3 consistent risk types),
/// the rest 一般农户; ≈ 3.5 % live in the settlement point (`is_relocated`). 户编号 is the village
/// code followed by a 5-digit serial (more digits only beyond 99,999 households in one village,
/// i.e. beyond ≈ 80 million households in all). Each household has income records for the frame's two years with a
/// log-normal-like spread (wages per labourer, farming with production costs, PV dividends,
/// pensions, 低保/特困, subsidies, rigid expenditure and insurance payouts); a few per cent fall
/// below the monitoring line and a few show a clear drop from one year to the next.
pub fn generate(households: u32, seed: u64) -> DemoCounty {
    generate::generate(households, seed, DemoFrame::CLASSIC)
}

/// [`generate`] in another frame: the same county (same households, people and amounts) with its
/// birth dates, ID numbers and income years moved to `frame` (see [`DemoFrame`]).
pub fn generate_in(households: u32, seed: u64, frame: DemoFrame) -> DemoCounty {
    generate::generate(households, seed, frame)
}
