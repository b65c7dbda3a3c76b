//! A township's own data, without the demo (issue 17 "Real data in"), on both databases: a registry
//! workbook with a 收支情况 sheet, written to disk here with the io crate's writer, imported by the township
//! admin into an empty database (only the regions seeded). Then
//!
//! (a) the income review that follows the import flags, as clues, exactly the households whose income fell
//!     clearly or is below the line;
//! (b) the department screening in database mode flags exactly what the file mode flags for the same
//!     department files (the registry of the file mode written here from the same families);
//! (c) an imported household flagged for its 2021 income is identified, monitored and nominated for exit
//!     (预判提名) on its imported 2022 record, without the E02 refusal, while its twin whose 2022 record is
//!     below the line after rigid expenditure is refused with E02 alone.
//!
//! (c) runs before (b): the screening round records its findings as clues, dated after the lifecycle's
//! January-to-September steps.
//!
//! Every step runs through the use cases the surfaces call (`imports::registry::run`, `lifecycle::execute`,
//! `screening::department::run_round`); dates are fixed in 2022, the year of the default lines.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use shouwang_app::lifecycle::{self, Request};
use shouwang_app::screening::department;
use shouwang_app::{Caller, attachments};
use shouwang_core::codes::{MeasureClass, MonitoredType, RiskType};
use shouwang_core::monitoring::exit::ExitStepEvidence;
use shouwang_core::monitoring::measures::Completion;
use shouwang_core::monitoring::verification::{Authorisation, Signature};
use shouwang_core::monitoring::{
    Attachment, CadreCommand, CadreLevel, Command, Decision, FollowUp, IdentAction, IdentStep,
    Lifecycle, MeasureAction, MeasurePlan, Meeting, Outcome, RefusalCode, Source, Standards,
    Verification, YearMonth,
};
use shouwang_core::{CodeList, Fen, IncomeRecord, Role, Scope};
use shouwang_store::repo::{cases, users};
use shouwang_store::testing::fixtures::{
    VILLAGE_A1, VILLAGE_A2, county_scope, household, seed_regions,
};
use shouwang_store::{Actor, Db, StoreError, db_test};

use crate::workbook::{self, Family, income, township_admin};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, m, day).unwrap()
}

const STEADY: &str = "1411231002010001";
const DROP: &str = "1411231002010002";
const BELOW: &str = "1411231002010003";
const RIGID: &str = "1411231002020004";
const EXIT: &str = "1411231002010005";
const TWIN: &str = "1411231002010006";
const NO_INCOME: &str = "1411231002020007";

/// The township's households (two people each) and their 2021 and 2022 records (per-capita net income,
/// rigid medical costs of the household); the line is 6,000 yuan in 2021 and 6,500 in 2022.
fn families() -> Vec<Family> {
    // Even sequence numbers: the fixture's spouse (sequence + 500) is a woman.
    let f = |n: &str, v: &str, seq: u16, incomes| Family {
        household: household(n, v, &format!("户主{seq}"), seq),
        incomes,
    };
    vec![
        // steady, well above the line
        f(
            STEADY,
            VILLAGE_A1,
            12,
            vec![income(2021, 2, 10_000, 0), income(2022, 2, 10_200, 0)],
        ),
        // −45 %, still above the line: 明显下降
        f(
            DROP,
            VILLAGE_A1,
            14,
            vec![income(2021, 2, 20_000, 0), income(2022, 2, 11_000, 0)],
        ),
        // −11 % and below the 2022 line: 低于监测线
        f(
            BELOW,
            VILLAGE_A1,
            16,
            vec![income(2021, 2, 6_200, 0), income(2022, 2, 5_500, 0)],
        ),
        // the same income, but 9,000 yuan of medical costs: 4,500 a person after rigid expenditure
        f(
            RIGID,
            VILLAGE_A2,
            18,
            vec![income(2021, 2, 9_000, 0), income(2022, 2, 9_000, 9_000)],
        ),
        // below the 2021 line, recovered in 2022: the exit candidate
        f(
            EXIT,
            VILLAGE_A1,
            20,
            vec![income(2021, 2, 5_000, 0), income(2022, 2, 9_000, 0)],
        ),
        // as EXIT, but 7,000 yuan of medical costs in 2022: 5,500 a person after rigid expenditure
        f(
            TWIN,
            VILLAGE_A1,
            22,
            vec![income(2021, 2, 5_000, 0), income(2022, 2, 9_000, 7_000)],
        ),
        // no 收支情况 row at all
        f(NO_INCOME, VILLAGE_A2, 24, vec![]),
    ]
}

fn caller(user_id: i64, name: &str, role: Role, area: &str) -> Caller {
    Caller {
        user_id,
        name: name.to_owned(),
        scope: Scope::new(user_id, role, area),
    }
}

/// The income-review years of each household's clues.
async fn reviewed(db: &Db, numbers: &[&str]) -> BTreeMap<String, Vec<i32>> {
    let mut out = BTreeMap::new();
    for n in numbers {
        let years: Vec<i32> = cases::get(db, &county_scope(), n)
            .await
            .unwrap()
            .map(|r| {
                r.case
                    .clues
                    .iter()
                    .flat_map(|c| c.sources.iter())
                    .filter_map(|s| match s.report.source {
                        Source::IncomeReview { year } => Some(year),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !years.is_empty() {
            out.insert((*n).to_owned(), years);
        }
    }
    out
}

// ------------------------------------------------------------------------------------------------
// (c) The lifecycle through `lifecycle::execute`, as the pages, the API and `shouwang case` run it.

/// The people who work the cases: the village team, the township and county admins, and a cadre with
/// an account (the cadre's name comes from it).
struct Staff {
    team: Caller,
    town: Caller,
    county: Caller,
    cadre: Caller,
    photo: Attachment,
}

async fn staff(db: &Db, files: &Path) -> Staff {
    let id = users::add(
        db,
        &Actor::system(),
        "cadre_zhao",
        "帮扶干部赵六",
        "s3cret-pass-cadre",
        Role::Cadre,
        VILLAGE_A1,
    )
    .await
    .unwrap();
    let team = caller(41, "村专班李四", Role::VillageTeam, VILLAGE_A1);
    // The evidence of a delivered measure is an uploaded file.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
    let store = attachments::FileStore::new(files);
    attachments::upload(db, &store, &team, "工资发放表.png", "image/png", png)
        .await
        .unwrap();
    let photo =
        Attachment::new("工资发放表.png", &attachments::sha256_hex(png), "image/png").unwrap();
    Staff {
        team,
        town: caller(42, "乡镇管理员王芳", Role::TownshipAdmin, "141123100"),
        county: caller(43, "县级管理员刘强", Role::CountyAdmin, "141123"),
        cadre: caller(id, "帮扶干部赵六", Role::Cadre, VILLAGE_A1),
        photo,
    }
}

/// Runs `command` on the household's case as `who` on `on`, with the version as stored.
async fn execute(
    db: &Db,
    who: &Caller,
    number: &str,
    on: NaiveDate,
    command: Command,
) -> Result<cases::CaseRecord, StoreError> {
    let version = cases::get(db, &who.scope, number).await?.map(|r| r.version);
    lifecycle::execute(
        db,
        who,
        Request {
            household: number.to_owned(),
            version,
            on: Some(on),
            command,
        },
    )
    .await
    .map(|done| done.record)
}

/// The visit of identification: it confirms the 2021 record (the year just ended) as the imported one.
fn visit(on: NaiveDate, record: IncomeRecord) -> Verification {
    Verification {
        visited_on: on,
        visitors: vec!["李四".to_owned(), "王五".to_owned()],
        findings: "2021年家庭人均纯收入低于监测线，户主务工不稳定".to_owned(),
        income: Some(record),
        standards: Standards::all_secure(),
        authorisation: Some(Authorisation {
            by: "户主".to_owned(),
            on,
            attachment: None,
        }),
        signature: Signature::Signed {
            by: "户主".to_owned(),
            on,
        },
        attachments: vec![],
    }
}

fn meeting(on: NaiveDate) -> Meeting {
    Meeting {
        held_on: on,
        attendance: 28,
        minutes: "逐户研判".into(),
    }
}

/// From the income-review clue to 监测帮扶中: 启动识别 and the eight steps, each by its role.
async fn identify(db: &Db, s: &Staff, number: &str, record_2021: IncomeRecord) {
    execute(db, &s.team, number, d(1, 4), Command::StartIdentification)
        .await
        .unwrap();
    let steps = [
        (IdentStep::Verification, d(1, 5)),
        (IdentStep::DataComparison, d(1, 6)),
        (IdentStep::Appraisal, d(1, 7)),
        (IdentStep::PublicNotice, d(1, 7)),
        (IdentStep::NoticeClosed, d(1, 12)),
        (IdentStep::TownshipReview, d(1, 13)),
        (IdentStep::CountyApproval, d(1, 14)),
        (IdentStep::Enrolment, d(1, 17)),
    ];
    for (step, on) in steps {
        let action = match step {
            IdentStep::Verification => IdentAction::Verify {
                verification: Box::new(visit(on, record_2021)),
                decision: Decision::pass("情况属实"),
            },
            IdentStep::DataComparison => IdentAction::Compare {
                checked_with: vec!["财政".into(), "公安".into()],
                discrepancies: String::new(),
                decision: Decision::pass("无财政供养人员"),
            },
            IdentStep::Appraisal => IdentAction::Appraise {
                meeting: meeting(on),
                decision: Decision::pass("同意纳入"),
            },
            IdentStep::PublicNotice => IdentAction::PostNotice {
                place: "村委会公示栏".into(),
            },
            IdentStep::NoticeClosed => IdentAction::CloseNotice {
                objections: vec![],
                decision: Decision::pass("公示无异议"),
            },
            IdentStep::TownshipReview => IdentAction::TownshipReview {
                decision: Decision::pass("同意"),
            },
            IdentStep::CountyApproval => IdentAction::CountyApproval {
                decision: Decision::pass("审定同意"),
                outcome: Some(Outcome {
                    monitored_type: MonitoredType::Unstable,
                    risks: vec![RiskType::Other],
                }),
            },
            IdentStep::Enrolment => IdentAction::Enrol {
                opinion: "已录入全国防返贫监测系统".into(),
            },
        };
        let who = match step.roles()[0] {
            Role::TownshipAdmin => &s.town,
            Role::CountyAdmin => &s.county,
            _ => &s.team,
        };
        execute(db, who, number, on, Command::Identify { action })
            .await
            .unwrap_or_else(|e| panic!("{number} {step:?}: {e:?}"));
    }
    let rec = cases::get(db, &county_scope(), number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rec.lifecycle, Lifecycle::Monitored, "{number}");
    assert_eq!(rec.case.monitored_since(), Some(d(1, 17)));
}

/// 明责任, a public-welfare post delivered (a developmental measure), follow-ups February to August with
/// the standards secure and incomes above the line.
async fn assist(db: &Db, s: &Staff, number: &str) {
    let assign = Command::Cadre {
        action: CadreCommand::Assign {
            cadre_user_id: s.cadre.user_id,
            level: CadreLevel::Township,
            unit: "蔚汾镇人民政府".into(),
            phone: None,
        },
    };
    execute(db, &s.team, number, d(1, 18), assign)
        .await
        .unwrap();
    let plan = Command::PlanMeasure {
        plan: MeasurePlan {
            class: MeasureClass::PublicWelfarePost,
            item: "光伏公益岗位".into(),
            planned_on: d(2, 28),
            responsible_unit: "蔚汾镇人民政府".into(),
            amount: Fen::from_yuan(6000),
        },
    };
    execute(db, &s.team, number, d(1, 20), plan).await.unwrap();
    let done = Command::UpdateMeasure {
        index: 0,
        action: MeasureAction::Complete {
            evidence: Completion {
                description: "已上岗，按月发放工资".into(),
                attachments: vec![s.photo.clone()],
            },
        },
    };
    execute(db, &s.cadre, number, d(2, 15), done).await.unwrap();
    for m in 2..=8 {
        let ym = YearMonth::new(2022, m).unwrap();
        let visit = FollowUp {
            month: ym,
            visited_on: ym.day_clamped(10),
            measures_carried_out: true,
            policies_received: true,
            standards_secure: true,
            household_approves: true,
            per_capita_income_estimate: Fen::from_yuan(7000),
            income: None,
            notes: String::new(),
        };
        execute(
            db,
            &s.cadre,
            number,
            ym.day_clamped(12),
            Command::FollowUp { visit },
        )
        .await
        .unwrap_or_else(|e| panic!("{number} follow-up {ym}: {e:?}"));
    }
}

// ------------------------------------------------------------------------------------------------
// (b) Department screening: the same department files in file mode and in database mode.

/// The department files of June 2022: a large medical bill and a disaster loss for DROP's head, a grade-2
/// disability certificate for DROP's spouse, an unsafe house for RIGID, a disaster loss above half of
/// TWIN's income, a bill of NO_INCOME (no income record: screened by neither mode) and a person in no
/// registry.
fn department_files(fams: &[Family], dir: &Path) {
    let head = |n: &str| {
        fams.iter()
            .find(|f| f.household.number == n)
            .unwrap()
            .household
            .members[0]
            .id_number
    };
    let spouse = |n: &str| {
        fams.iter()
            .find(|f| f.household.number == n)
            .unwrap()
            .household
            .members[1]
            .id_number
    };
    let files = [
        (
            "medical.csv",
            format!(
                "身份证号,结算日期,医疗总费用,基本医保支付,大病保险支付,医疗救助支付\n\
                 {},2022-03-15,30000.00,10000.00,5000.00,0.00\n\
                 {},2022-04-02,30000.00,10000.00,5000.00,0.00\n\
                 11010519491231002X,2022-03-15,500.00,100.00,0.00,0.00\n",
                head(DROP),
                head(NO_INCOME)
            ),
        ),
        ("education.csv", "身份证号,在校状态\n".to_owned()),
        (
            "disability.csv",
            format!(
                "身份证号,残疾等级,发证日期\n{},2,2022-02-01\n",
                spouse(DROP)
            ),
        ),
        (
            "housing.csv",
            format!("身份证号,鉴定日期,安全等级\n{},2021-09-01,C\n", head(RIGID)),
        ),
        (
            "disaster.csv",
            format!(
                "身份证号,发生日期,损失金额\n{},2022-05-01,25000.00\n{},2022-06-01,6000.00\n",
                head(DROP),
                head(TWIN)
            ),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// The registry as the file mode reads it, from the same families: 上年家庭纯收入 is the 2021 record's
/// 家庭纯收入; a household without one is not in `households.csv` (the database mode leaves it out too).
fn registry_files(fams: &[Family], dir: &Path) {
    let mut hh = String::from("户编号,村代码,家庭人口,上年家庭纯收入,户类型\n");
    let mut mm = String::from("身份证号,户编号,姓名,与户主关系\n");
    for f in fams {
        let h = &f.household;
        if let Some(last) = f.incomes.iter().find(|r| r.year == 2021) {
            hh.push_str(&format!(
                "{},{},{},{},{}\n",
                h.number,
                h.village.as_str(),
                h.members.len(),
                last.net_income(),
                h.household_type.label_zh()
            ));
        }
        for m in &h.members {
            mm.push_str(&format!(
                "{},{},{},{}\n",
                m.id_number,
                h.number,
                m.name,
                m.relation.label_zh()
            ));
        }
    }
    std::fs::write(dir.join("households.csv"), hh).unwrap();
    std::fs::write(dir.join("members.csv"), mm).unwrap();
}

fn params() -> shouwang_screen::Params {
    shouwang_screen::Params {
        year: 2022,
        as_of: d(6, 30),
        line_fen: 650_000,
        threads: 1,
        thresholds: Default::default(),
    }
}

db_test!(
    fn a_townships_own_registry_from_import_to_exit_nomination(db: Db) {
        seed_regions(&db).await;
        let dir = tempfile::tempdir().unwrap();
        let fams = families();
        let file = workbook::write(&dir.path().join("蔚汾镇农户信息台账.xlsx"), &fams);
        let town = township_admin();

        // The import, on 2 January 2022, into the empty registry.
        let r = workbook::import(&db, Some(&town), &file, d(1, 2), false).await;
        assert!(r.report.committed && r.report.is_clean(), "{:?}", r.report);
        assert_eq!(
            (
                r.report.households_created,
                r.report.incomes_created,
                r.report.income_years.clone()
            ),
            (7, 12, vec![2021, 2022])
        );

        // (a) The review flags the falls and the incomes below the line, once per household and year.
        let years: Vec<_> = r
            .review
            .years
            .iter()
            .map(|s| (s.year, s.households, s.findings, s.clear_drop, s.below_line))
            .collect();
        assert_eq!(years, [(2021, 6, 2, 0, 2), (2022, 6, 4, 1, 3)]);
        let (y21, y22) = (r.review.years[0], r.review.years[1]);
        assert_eq!(y21.new_cases, 2);
        // TWIN's 2022 finding goes to the case its 2021 finding opened.
        assert_eq!(y22.new_cases, 3);
        assert_eq!(y22.new_clues + y22.merged, 1);
        let all = [STEADY, DROP, BELOW, RIGID, EXIT, TWIN, NO_INCOME];
        let expected: BTreeMap<String, Vec<i32>> = [
            (DROP, vec![2022]),
            (BELOW, vec![2022]),
            (RIGID, vec![2022]),
            (EXIT, vec![2021]),
            (TWIN, vec![2021, 2022]),
        ]
        .into_iter()
        .map(|(n, y)| (n.to_owned(), y))
        .collect();
        let mut found = reviewed(&db, &all).await;
        for years in found.values_mut() {
            years.sort_unstable();
        }
        assert_eq!(found, expected);

        // (c) EXIT: flagged for 2021, identified in January (the visit confirms its 2021 income), monitored,
        // nominated in September on its imported 2022 record. TWIN, the same but for its 2022 medical costs,
        // is refused with E02 alone.
        let s = staff(&db, &dir.path().join("attachments")).await;
        for number in [EXIT, TWIN] {
            identify(&db, &s, number, income(2021, 2, 5_000, 0)).await;
            assist(&db, &s, number).await;
        }
        let inputs = cases::exit_inputs(&db, &s.team.scope, EXIT, 2022)
            .await
            .unwrap();
        assert_eq!(inputs.latest_income, Some(income(2022, 2, 9_000, 0)));
        let rec = execute(&db, &s.team, EXIT, d(9, 15), Command::NominateExit)
            .await
            .unwrap_or_else(|e| panic!("EXIT's nomination refused: {e:?}"));
        let exit = rec.case.current_exit().expect("an exit running");
        match &exit.steps[0].evidence {
            ExitStepEvidence::PreJudgment { judgment } => {
                assert!(judgment.proposed(), "{:?}", judgment.unmet);
                assert_eq!(
                    judgment.facts.latest_income,
                    Some(income(2022, 2, 9_000, 0))
                );
            }
            other => panic!("{other:?}"),
        }
        let refused = execute(&db, &s.team, TWIN, d(9, 15), Command::NominateExit)
            .await
            .unwrap_err();
        match refused {
            StoreError::Refused(r) => {
                assert_eq!(r.code, RefusalCode::NotEligible);
                assert!(
                    r.message_zh.contains("E02") && r.message_zh.contains("扣除刚性支出后人均收入"),
                    "{}",
                    r.message_zh
                );
                assert!(!r.message_zh.contains("缺少收支测算"), "{}", r.message_zh);
                for other in ["E01", "E03", "E04", "E05"] {
                    assert!(!r.message_zh.contains(other), "{}", r.message_zh);
                }
            }
            other => panic!("{other:?}"),
        }

        // (b) The same department files: the file mode with the registry written from the families, the
        // database mode (a round of June 2022, recorded in December) with the registry as imported.
        let (by_file, by_db) = (dir.path().join("file"), dir.path().join("departments"));
        std::fs::create_dir_all(&by_file).unwrap();
        std::fs::create_dir_all(&by_db).unwrap();
        department_files(&fams, &by_file);
        department_files(&fams, &by_db);
        registry_files(&fams, &by_file);
        let file_mode = shouwang_screen::run(&by_file, &params(), &Default::default()).unwrap();
        let round = department::run_round(
            &db,
            &town,
            &by_db,
            YearMonth::new(2022, 6).unwrap(),
            d(12, 1),
            1,
            Box::new(|registry, departments, p| {
                let started = Instant::now();
                shouwang_screen::run_dirs(registry, departments, p, &Default::default())
                    .map(|o| (o, started.elapsed()))
            }),
            &|_| {},
        )
        .await
        .unwrap_or_else(|e| panic!("{}", e.message_zh()));
        assert_eq!(
            (round.export.households, round.export.without_income),
            (6, 1)
        );
        let flagged = |o: &shouwang_screen::Outcome| -> Vec<String> {
            o.flagged.iter().map(|f| f.household.clone()).collect()
        };
        // By 户编号; STEADY (no finding) and NO_INCOME (no record: not screened) are not flagged.
        assert_eq!(flagged(&file_mode), [DROP, BELOW, EXIT, TWIN, RIGID]);
        assert_eq!(flagged(&round.outcome), flagged(&file_mode));
        // Row for row: the same codes, sums and per-capita incomes.
        assert_eq!(round.outcome.flagged, file_mode.flagged);
        assert_eq!(round.unmatched(), 1);
    }
);
