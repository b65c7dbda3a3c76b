//! 线索: risk clues from the four monitoring channels 四种监测手段 (§三(一)1):
//! 农户申请, 干部排查, 部门筛查, 信访舆情研判.
//!
//! Each [`Report`] records its channel with the channel's own source details
//! ([`Source`]), the risk types it points at, who reported it and when. Reports
//! for the same household and the same cause within a configurable window
//! ([`ClueRules::merge_window_days`]) merge into one [`Clue`] that keeps every
//! source, so that a household flagged by the health-insurance file, then by the
//! quarterly screening, then by its own application is verified once.
//!
//! **Same cause**: the two share a risk type, compared at the top level
//! ([`RiskType::parent`]: a 洪涝 report and a 因自然灾害 report are the same cause).
//! **Within the window**: the new report is dated at most `merge_window_days`
//! days (before or after) from some report already in the clue, so a household
//! flagged every month stays one clue while it is open.

use chrono::NaiveDate;

use super::calendar::YearMonth;
use super::common::{Actor, Label, Refusal, require_not_future, require_role, require_text};
use crate::access::Role;
use crate::codes::{CodeList, RiskType, code_list};

code_list! {
    /// 监测手段: the channel a clue comes through (§三(一)1 "四种监测手段").
    pub enum Channel ("监测手段", "channel") {
        Application = ("application", "农户申请", "Household application"),
        CadreScreening = ("cadre_screening", "干部排查", "Cadre screening"),
        DepartmentScreening = ("department_screening", "部门筛查", "Department data screening"),
        Petition = ("petition", "信访舆情", "Petition and public opinion"),
    }
}

impl Channel {
    /// The roles that may record a clue of this channel.
    ///
    /// | channel | roles |
    /// | --- | --- |
    /// | 农户申请 | village team, township admin |
    /// | 干部排查 | village team, responsible cadre, township admin |
    /// | 部门筛查 | department data provider, township admin, county admin |
    /// | 信访舆情 | township admin, county admin |
    pub fn roles(self) -> &'static [Role] {
        match self {
            Channel::Application => &[Role::VillageTeam, Role::TownshipAdmin],
            Channel::CadreScreening => &[Role::VillageTeam, Role::Cadre, Role::TownshipAdmin],
            Channel::DepartmentScreening => {
                &[Role::Department, Role::TownshipAdmin, Role::CountyAdmin]
            }
            Channel::Petition => &[Role::TownshipAdmin, Role::CountyAdmin],
        }
    }
}

code_list! {
    /// How a household applied (national practice: in writing, by the 12317
    /// hotline, or by app).
    pub enum ApplicationMeans ("申请方式", "application means") {
        Written = ("written", "书面申请", "Written application"),
        Hotline = ("hotline", "12317热线", "12317 hotline"),
        App = ("app", "手机应用", "Mobile app"),
    }
}

/// Where a clue came from: the channel and its source details. Serde: tagged by
/// `channel` with the [`Channel`] code.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "channel", rename_all = "snake_case")]
pub enum Source {
    /// 农户申请: "农户书面向村委申请，讲清返贫风险原因".
    Application {
        /// 申请人.
        applicant: String,
        /// 申请理由: the cause the household states.
        stated_cause: String,
        /// 申请方式.
        means: ApplicationMeans,
    },
    /// 干部排查: the quarterly screening "每季度集中开展一次".
    CadreScreening {
        /// 排查批次, e.g. `2022年第2季度`.
        round: String,
    },
    /// 部门筛查: a monthly department data file.
    DepartmentScreening {
        /// 部门, e.g. 县医保局.
        department: String,
        /// 数据文件 (name or id of the uploaded file).
        file: String,
        /// 筛查批次: the month screened (set by the screening; absent on a report entered by hand).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        round: Option<YearMonth>,
    },
    /// 信访舆情研判.
    Petition {
        /// 信访件编号.
        petition_number: String,
    },
    /// 收支测算比对: a household's yearly income record shows 人均纯收入明显下降 against the year before,
    /// or an income after rigid expenditure below the line (§三(一)1 "家庭收入水平比2021年明显下降",
    /// "刚性支出较大或收入大幅缩减"). A data comparison, so of channel 部门筛查; recorded by whoever wrote
    /// the income ([`Source::roles`]), once per household and year.
    IncomeReview {
        /// 收入年度.
        year: i32,
    },
}

impl Source {
    /// The channel.
    pub fn channel(&self) -> Channel {
        match self {
            Source::Application { .. } => Channel::Application,
            Source::CadreScreening { .. } => Channel::CadreScreening,
            Source::DepartmentScreening { .. } | Source::IncomeReview { .. } => {
                Channel::DepartmentScreening
            }
            Source::Petition { .. } => Channel::Petition,
        }
    }

    /// The roles that may record a report of this source: the channel's ([`Channel::roles`]); for a
    /// [`Source::IncomeReview`] every role that may write an income record ([`Role::may_write`]).
    pub fn roles(&self) -> &'static [Role] {
        match self {
            Source::IncomeReview { .. } => &[
                Role::CountyAdmin,
                Role::TownshipAdmin,
                Role::VillageTeam,
                Role::Cadre,
            ],
            // 干部排查 covers the visits of the registers too (低收入人口, 季度排查): a grid member's visit to
            // its grid's households reports what it finds (网格化管理, §四(六)), though it runs no round.
            Source::CadreScreening { .. } => &[
                Role::VillageTeam,
                Role::Cadre,
                Role::TownshipAdmin,
                Role::GridMember,
            ],
            other => other.channel().roles(),
        }
    }

    fn validate(&self) -> Result<(), Refusal> {
        match self {
            Source::Application {
                applicant,
                stated_cause,
                ..
            } => {
                require_text(applicant, ("申请人", "applicant"))?;
                require_text(stated_cause, ("申请理由", "stated cause"))
            }
            Source::CadreScreening { round } => {
                require_text(round, ("排查批次", "screening round"))
            }
            Source::DepartmentScreening {
                department, file, ..
            } => {
                require_text(department, ("部门", "department"))?;
                require_text(file, ("数据文件", "data file"))
            }
            Source::Petition { petition_number } => {
                require_text(petition_number, ("信访件编号", "petition number"))
            }
            Source::IncomeReview { year } => {
                if (2000..=2100).contains(year) {
                    Ok(())
                } else {
                    Err(Refusal::invalid(
                        format!("收入年度有误：{year}"),
                        format!("Income year out of range: {year}"),
                    ))
                }
            }
        }
    }

    /// A one-line description: `部门筛查：县医保局（2022年5月医保数据.csv）`.
    pub fn describe_zh(&self) -> String {
        match self {
            Source::Application {
                applicant,
                stated_cause,
                means,
            } => format!(
                "农户申请：{applicant}（{}）：{stated_cause}",
                means.label_zh()
            ),
            Source::CadreScreening { round } => format!("干部排查：{round}"),
            Source::DepartmentScreening {
                department,
                file,
                round,
            } => match round {
                Some(r) => format!("部门筛查：{department}（{}批次，{file}）", r.label_zh()),
                None => format!("部门筛查：{department}（{file}）"),
            },
            Source::Petition { petition_number } => format!("信访舆情：{petition_number}"),
            Source::IncomeReview { year } => format!("收支测算比对：{year}年收入"),
        }
    }
}

/// One report of risk 风险线索 as it arrives.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// 户编号 of the household.
    pub household: String,
    /// Channel and source details.
    pub source: Source,
    /// 风险类型 the report points at (at least one).
    pub risks: Vec<RiskType>,
    /// 报告人: who reported (the applicant, the screening cadre, the department
    /// contact, the petition team).
    pub reporter: String,
    /// 发现日期.
    pub reported_on: NaiveDate,
}

impl Report {
    /// Refuses an incomplete report, or one dated after `on`.
    pub fn validate(&self, on: NaiveDate) -> Result<(), Refusal> {
        require_text(&self.household, ("户编号", "household number"))?;
        self.source.validate()?;
        if self.risks.is_empty() {
            return Err(Refusal::invalid(
                "请至少填写一项风险类型",
                "At least one risk type is required",
            ));
        }
        require_text(&self.reporter, ("报告人", "reporter"))?;
        require_not_future(self.reported_on, on, ("发现", "report"))
    }
}

/// A report as kept in a clue: with who recorded it and when.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClueSource {
    /// The report.
    pub report: Report,
    /// Who entered it.
    pub recorded_by: Actor,
    /// When.
    pub recorded_on: NaiveDate,
}

/// Merge rules (configurable by the county).
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ClueRules {
    /// Reports of the same household and cause at most this many days apart merge
    /// (default 30).
    pub merge_window_days: u32,
}

impl Default for ClueRules {
    fn default() -> Self {
        ClueRules {
            merge_window_days: 30,
        }
    }
}

/// A risk clue 线索: one or more reports of the same household and cause.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Clue {
    /// 户编号.
    pub household: String,
    /// Every report merged into the clue, in the order they were recorded.
    pub sources: Vec<ClueSource>,
}

const RECORD_CLUE: Label = ("登记线索", "Record a clue");

impl Clue {
    /// Opens a clue from a report. Refuses an incomplete report or a role that may
    /// not record the report's channel ([`Channel::roles`]).
    pub fn open(report: Report, actor: &Actor, on: NaiveDate) -> Result<Clue, Refusal> {
        check_report(&report, actor, on)?;
        Ok(Clue {
            household: report.household.clone(),
            sources: vec![ClueSource {
                report,
                recorded_by: actor.clone(),
                recorded_on: on,
            }],
        })
    }

    /// The risk types of all sources, each once, in list order.
    pub fn risks(&self) -> Vec<RiskType> {
        let mut out: Vec<RiskType> = self
            .sources
            .iter()
            .flat_map(|s| s.report.risks.iter().copied())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The channels of all sources, each once, in list order.
    pub fn channels(&self) -> Vec<Channel> {
        let mut out: Vec<Channel> = self
            .sources
            .iter()
            .map(|s| s.report.source.channel())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The earliest report date 发现日期.
    pub fn first_reported_on(&self) -> Option<NaiveDate> {
        self.sources.iter().map(|s| s.report.reported_on).min()
    }

    /// The latest report date.
    pub fn last_reported_on(&self) -> Option<NaiveDate> {
        self.sources.iter().map(|s| s.report.reported_on).max()
    }

    /// Whether a report belongs in this clue: same household, a shared cause, and
    /// within the window of one of its reports (see the module doc).
    pub fn accepts(&self, report: &Report, rules: &ClueRules) -> bool {
        let window = i64::from(rules.merge_window_days);
        let same_cause = self.sources.iter().any(|s| {
            s.report
                .risks
                .iter()
                .any(|a| report.risks.iter().any(|b| a.parent() == b.parent()))
        });
        let near = self
            .sources
            .iter()
            .any(|s| (s.report.reported_on - report.reported_on).num_days().abs() <= window);
        self.household == report.household && same_cause && near
    }

    /// This clue with the report merged in. Refuses a report the clue does not
    /// [`Clue::accepts`], or one the actor may not record.
    pub fn absorb(
        &self,
        report: Report,
        rules: &ClueRules,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<Clue, Refusal> {
        check_report(&report, actor, on)?;
        if !self.accepts(&report, rules) {
            return Err(Refusal::wrong_state(
                "该报告与线索不是同一户、同一原因或不在合并期限内",
                "The report is not for the same household and cause within the merge window",
            ));
        }
        let mut next = self.clone();
        next.sources.push(ClueSource {
            report,
            recorded_by: actor.clone(),
            recorded_on: on,
        });
        Ok(next)
    }
}

fn check_report(report: &Report, actor: &Actor, on: NaiveDate) -> Result<(), Refusal> {
    require_role(actor, RECORD_CLUE, report.source.roles())?;
    report.validate(on)
}

/// Where [`file_report`] put a report.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Filed {
    /// Merged into the open clue at this index (the new clue replaces it).
    Merged(usize, Clue),
    /// A new clue.
    New(Clue),
}

/// Files a report against the open clues of its household: merged into the
/// first clue that [`Clue::accepts`] it, or a new clue.
pub fn file_report(
    open: &[Clue],
    report: Report,
    rules: &ClueRules,
    actor: &Actor,
    on: NaiveDate,
) -> Result<Filed, Refusal> {
    match open.iter().position(|c| c.accepts(&report, rules)) {
        Some(i) => open[i]
            .absorb(report, rules, actor, on)
            .map(|c| Filed::Merged(i, c)),
        None => Clue::open(report, actor, on).map(Filed::New),
    }
}

/// Merges a batch of clues (e.g. after an import): clues are taken in order of
/// their first report date and each joins the first earlier clue that accepts
/// one of its reports. Every source is kept.
pub fn merge_all(clues: Vec<Clue>, rules: &ClueRules) -> Vec<Clue> {
    let mut sorted = clues;
    sorted.sort_by_key(|c| c.first_reported_on());
    let mut out: Vec<Clue> = Vec::new();
    for c in sorted {
        let target = out
            .iter()
            .position(|o| c.sources.iter().any(|s| o.accepts(&s.report, rules)));
        match target {
            Some(i) => out[i].sources.extend(c.sources),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::monitoring::RefusalCode;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    pub(crate) fn team() -> Actor {
        Actor::new(10, "村专班李四", Role::VillageTeam)
    }

    pub(crate) fn application(household: &str, risks: Vec<RiskType>, on: NaiveDate) -> Report {
        Report {
            household: household.to_owned(),
            source: Source::Application {
                applicant: "张三".to_owned(),
                stated_cause: "妻子患病住院，医疗费用高".to_owned(),
                means: ApplicationMeans::Written,
            },
            risks,
            reporter: "张三".to_owned(),
            reported_on: on,
        }
    }

    fn department(household: &str, risks: Vec<RiskType>, on: NaiveDate) -> Report {
        Report {
            household: household.to_owned(),
            source: Source::DepartmentScreening {
                department: "县医保局".to_owned(),
                file: "2022年5月医保数据.csv".to_owned(),
                round: None,
            },
            risks,
            reporter: "医保局王五".to_owned(),
            reported_on: on,
        }
    }

    #[test]
    fn channels_and_sources() {
        let r = application("H1", vec![RiskType::Illness], d(3, 1));
        assert_eq!(r.source.channel(), Channel::Application);
        assert_eq!(
            r.source.describe_zh(),
            "农户申请：张三（书面申请）：妻子患病住院，医疗费用高"
        );
        let s = Source::CadreScreening {
            round: "2022年第1季度".into(),
        };
        assert_eq!(s.channel(), Channel::CadreScreening);
        assert_eq!(s.describe_zh(), "干部排查：2022年第1季度");
        let s = Source::Petition {
            petition_number: "XF-2022-17".into(),
        };
        assert_eq!(s.channel().label_zh(), "信访舆情");
        assert_eq!(s.describe_zh(), "信访舆情：XF-2022-17");
        assert_eq!(
            department("H1", vec![], d(1, 1)).source.describe_zh(),
            "部门筛查：县医保局（2022年5月医保数据.csv）"
        );
        for c in Channel::ALL {
            assert!(!c.roles().is_empty());
        }
    }

    #[test]
    fn a_grid_member_reports_what_its_visits_find_and_nothing_else() {
        use crate::access::Role;
        let visit = Source::CadreScreening {
            round: "2022年第1季度低收入人口走访".into(),
        };
        assert!(visit.roles().contains(&Role::GridMember));
        // it runs no round and files no clue of any channel by hand
        for c in Channel::ALL {
            assert!(!c.roles().contains(&Role::GridMember), "{c:?}");
        }
        assert!(
            !Source::IncomeReview { year: 2022 }
                .roles()
                .contains(&Role::GridMember)
        );
    }

    #[test]
    fn open_validates_and_checks_role() {
        let on = d(3, 2);
        let c = Clue::open(
            application("H1", vec![RiskType::Illness], d(3, 1)),
            &team(),
            on,
        )
        .unwrap();
        assert_eq!(c.risks(), [RiskType::Illness]);
        assert_eq!(c.channels(), [Channel::Application]);
        assert_eq!(c.first_reported_on(), Some(d(3, 1)));

        let dept = Actor::new(20, "医保局", Role::Department);
        let e = Clue::open(
            application("H1", vec![RiskType::Illness], d(3, 1)),
            &dept,
            on,
        )
        .unwrap_err();
        assert_eq!(e.code, RefusalCode::RoleNotAllowed);
        assert!(
            Clue::open(
                department("H1", vec![RiskType::Illness], d(3, 1)),
                &dept,
                on
            )
            .is_ok()
        );

        let e = Clue::open(application("H1", vec![], d(3, 1)), &team(), on).unwrap_err();
        assert_eq!(e.code, RefusalCode::InvalidInput);
        let e = Clue::open(
            application("H1", vec![RiskType::Illness], d(3, 3)),
            &team(),
            on,
        )
        .unwrap_err();
        assert_eq!(e.code, RefusalCode::InvalidInput);
        let e = Clue::open(
            application(" ", vec![RiskType::Illness], d(3, 1)),
            &team(),
            on,
        )
        .unwrap_err();
        assert_eq!(e.code, RefusalCode::InvalidInput);
        let mut r = application("H1", vec![RiskType::Illness], d(3, 1));
        r.reporter.clear();
        assert!(Clue::open(r, &team(), on).is_err());
        for s in [
            Source::Application {
                applicant: "".into(),
                stated_cause: "x".into(),
                means: ApplicationMeans::App,
            },
            Source::Application {
                applicant: "x".into(),
                stated_cause: " ".into(),
                means: ApplicationMeans::Hotline,
            },
            Source::CadreScreening { round: "".into() },
            Source::DepartmentScreening {
                department: "".into(),
                file: "f".into(),
                round: None,
            },
            Source::DepartmentScreening {
                department: "d".into(),
                file: "".into(),
                round: None,
            },
            Source::Petition {
                petition_number: "".into(),
            },
        ] {
            assert!(s.validate().is_err(), "{s:?}");
        }
    }

    #[test]
    fn merge_rule() {
        let rules = ClueRules::default();
        let on = d(6, 30);
        let c = Clue::open(
            department("H1", vec![RiskType::Illness], d(5, 10)),
            &Actor::new(20, "医保局", Role::Department),
            on,
        )
        .unwrap();
        // same household, same cause, 30 days later: merges
        let r = application("H1", vec![RiskType::Illness, RiskType::Schooling], d(6, 9));
        assert!(c.accepts(&r, &rules));
        let merged = c.absorb(r, &rules, &team(), on).unwrap();
        assert_eq!(merged.sources.len(), 2);
        assert_eq!(merged.risks(), [RiskType::Illness, RiskType::Schooling]);
        assert_eq!(
            merged.channels(),
            [Channel::Application, Channel::DepartmentScreening]
        );
        assert_eq!(merged.last_reported_on(), Some(d(6, 9)));
        // 31 days: no
        assert!(!c.accepts(
            &application("H1", vec![RiskType::Illness], d(6, 10)),
            &rules
        ));
        // earlier report within the window: yes (order of arrival does not matter)
        assert!(c.accepts(
            &application("H1", vec![RiskType::Illness], d(4, 10)),
            &rules
        ));
        // other cause or household: no
        assert!(!c.accepts(
            &application("H1", vec![RiskType::Housing], d(5, 11)),
            &rules
        ));
        assert!(!c.accepts(
            &application("H2", vec![RiskType::Illness], d(5, 11)),
            &rules
        ));
        let e = c
            .absorb(
                application("H2", vec![RiskType::Illness], d(5, 11)),
                &rules,
                &team(),
                on,
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::WrongState);
        // disaster sub-codes are the same cause as 因自然灾害
        let flood = Clue::open(
            application("H1", vec![RiskType::DisasterFlood], d(7, 1)),
            &team(),
            d(7, 1),
        )
        .unwrap();
        assert!(flood.accepts(
            &application("H1", vec![RiskType::Disaster], d(7, 2)),
            &rules
        ));
        assert!(!flood.accepts(&application("H1", vec![RiskType::Other], d(7, 2)), &rules));
        // window 0: same day only
        let zero = ClueRules {
            merge_window_days: 0,
        };
        assert!(c.accepts(&application("H1", vec![RiskType::Illness], d(5, 10)), &zero));
        assert!(!c.accepts(&application("H1", vec![RiskType::Illness], d(5, 11)), &zero));
    }

    #[test]
    fn file_report_merges_or_opens() {
        let rules = ClueRules::default();
        let on = d(6, 30);
        let a = Clue::open(
            application("H1", vec![RiskType::Illness], d(5, 1)),
            &team(),
            on,
        )
        .unwrap();
        let b = Clue::open(
            application("H1", vec![RiskType::Housing], d(5, 1)),
            &team(),
            on,
        )
        .unwrap();
        let open = vec![a, b];
        match file_report(
            &open,
            application("H1", vec![RiskType::Housing], d(5, 20)),
            &rules,
            &team(),
            on,
        )
        .unwrap()
        {
            Filed::Merged(1, c) => assert_eq!(c.sources.len(), 2),
            other => panic!("{other:?}"),
        }
        match file_report(
            &open,
            application("H1", vec![RiskType::Water], d(5, 20)),
            &rules,
            &team(),
            on,
        )
        .unwrap()
        {
            Filed::New(c) => assert_eq!(c.risks(), [RiskType::Water]),
            other => panic!("{other:?}"),
        }
        let cadre = Actor::new(5, "帮扶人", Role::Cadre);
        assert!(
            file_report(
                &open,
                application("H1", vec![RiskType::Housing], d(5, 20)),
                &rules,
                &cadre,
                on
            )
            .is_err()
        );
    }

    fn arb_report() -> impl Strategy<Value = Report> {
        (0usize..3, 0usize..4, 0i64..200).prop_map(|(h, r, day)| {
            let risks = [
                RiskType::Illness,
                RiskType::DisasterFlood,
                RiskType::Disaster,
                RiskType::Housing,
            ];
            department(
                &format!("H{h}"),
                vec![risks[r]],
                d(1, 1) + chrono::Days::new(day as u64),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Batch merging and one-by-one filing keep every source and never mix
        /// households.
        #[test]
        fn merge_all_keeps_sources(reports in proptest::collection::vec(arb_report(), 0..25), window in 0u32..60) {
            let rules = ClueRules { merge_window_days: window };
            let actor = Actor::new(20, "部门", Role::Department);
            let on = d(12, 31);
            let clues: Vec<Clue> = reports.iter().cloned().map(|r| Clue::open(r, &actor, on).unwrap()).collect();
            let merged = merge_all(clues, &rules);
            let total: usize = merged.iter().map(|c| c.sources.len()).sum();
            prop_assert_eq!(total, reports.len());
            for c in &merged {
                prop_assert!(c.sources.iter().all(|s| s.report.household == c.household));
            }
            // filing the reports one by one keeps every source too
            let mut open: Vec<Clue> = Vec::new();
            for r in reports.iter().cloned() {
                match file_report(&open, r, &rules, &actor, on).unwrap() {
                    Filed::Merged(i, c) => open[i] = c,
                    Filed::New(c) => open.push(c),
                }
            }
            let total: usize = open.iter().map(|c| c.sources.len()).sum();
            prop_assert_eq!(total, reports.len());
        }
    }
}
