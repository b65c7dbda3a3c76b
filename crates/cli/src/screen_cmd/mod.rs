//! `shouwang screen`: the file mode (`file_mode`: the seven files of `--input`, flagged households to
//! `--out`) and the database mode (`--month`, here): the department files in `--input` are screened
//! against the registry in the database with the county's thresholds, and every finding becomes a clue
//! of channel 部门筛查 (`shouwang_app::screening::department`), as the user `--user`. Both show the
//! engine's progress on stderr (`progress`).

mod file_mode;
mod progress;

use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;
use shouwang_app::Caller;
use shouwang_app::screening::department::{self as screening, RecordSummary};
use shouwang_core::monitoring::YearMonth;
use shouwang_screen::Params;
use shouwang_store::Db;

use crate::config::DbArgs;

pub use file_mode::{ScreenArgs, run as run_file};
use file_mode::{report, write_outputs};
use progress::screen_with_progress;

/// Screen department data for households at risk (部门数据筛查).
///
/// File mode (no --month): the seven files of --input, flagged households to --out.
/// Database mode (--month 2022-06 --user NAME): the five department files of --input against the
/// registry in the database (households.csv and members.csv in --input are not read), with the
/// county's thresholds; each finding becomes (or joins) a clue of channel 部门筛查. Running the same
/// month again adds nothing.
#[derive(Args, Debug, Clone)]
pub struct ScreenCmd {
    #[command(flatten)]
    pub args: ScreenArgs,
    /// Database mode: the screening round (筛查批次), e.g. 2022-06. The window is the year's
    /// 1 January to the month's last day; --year, --as-of and --line are then taken from it and from
    /// the database.
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// Database mode: the user the clues are recorded as (部门数据员, 乡镇管理员 or 县级管理员).
    #[arg(long, env = "SHOUWANG_USER", value_name = "USERNAME")]
    pub user: Option<String>,
    /// Database mode: the date of the clues (发现日期); default today.
    #[arg(long, value_name = "DATE")]
    pub on: Option<NaiveDate>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// What a database-mode run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbRun {
    /// Households flagged by the engine.
    pub flagged: u64,
    /// Department rows whose ID number is in no registry member (of the user's area).
    pub unmatched: u64,
    /// Malformed rows skipped.
    pub malformed: u64,
    /// What became of the findings.
    pub recorded: RecordSummary,
    /// The year of the monitoring line used.
    pub line_year: i32,
}

/// Runs the database mode: returns the counts (and prints the summary to stderr).
pub async fn run_db(cmd: &ScreenCmd) -> anyhow::Result<DbRun> {
    let Some(month) = cmd.month.as_deref() else {
        anyhow::bail!("internal: the database mode needs --month");
    };
    let round = YearMonth::parse(month).with_context(|| {
        format!("--month {month:?}：应为 年-月，如 2022-06 / expected YYYY-MM, e.g. 2022-06")
    })?;
    let Some(username) = cmd.user.as_deref() else {
        anyhow::bail!(
            "数据库模式须用 --user 指定登记线索的用户 / the database mode needs --user (the user the clues are recorded as)"
        );
    };
    let db = cmd.db.open().await?;
    let caller = crate::config::operator(&db, username).await?;
    run_as(&db, &caller, &cmd.args, round, cmd.on).await
}

/// The database mode as `caller` on `db` (see [`run_db`]): [`screening::run_round`], the code path the
/// web upload (部门数据上传) runs too, with the progress bar on stderr.
pub async fn run_as(
    db: &Db,
    caller: &Caller,
    args: &ScreenArgs,
    round: YearMonth,
    on: Option<NaiveDate>,
) -> anyhow::Result<DbRun> {
    let on = on.unwrap_or_else(shouwang_app::today);
    let quiet = args.quiet;
    let run = screening::run_round(
        db,
        caller,
        &args.input,
        round,
        on,
        args.threads,
        Box::new(move |registry: &Path, departments: &Path, params: &Params| {
            screen_with_progress(registry, departments, params, quiet)
        }),
        &|_| {},
    )
    .await
    .map_err(|e| match &e {
        screening::RoundError::Forbidden { role, role_zh } => anyhow::anyhow!(
            "{}（{role_zh}）不能登记部门筛查线索 / a {role} may not record department-screening clues",
            caller.name
        ),
        _ => anyhow::anyhow!("{} ({e})", e.message_zh()),
    })?;

    let rejected = match &args.out {
        Some(out) => Some(write_outputs(out, &run.outcome)?),
        None => None,
    };
    let result = DbRun {
        line_year: run.line_year,
        flagged: run.outcome.flagged.len() as u64,
        unmatched: run.unmatched(),
        malformed: run.malformed(),
        recorded: run.recorded,
    };
    let mut err = report(
        &run.outcome,
        run.elapsed,
        rejected
            .as_deref()
            .unwrap_or(Path::new("(--out 未指定 / not written)")),
    );
    err.push_str(&summary(round, &run.export, &result));
    eprint!("{err}");
    Ok(result)
}

fn summary(round: YearMonth, export: &screening::RegistryExport, run: &DbRun) -> String {
    let r = &run.recorded;
    let mut s = format!(
        "{} 筛查批次 / round {round}: 登记信息 {} 户 {} 人 (registry households, members); 按{}年监测线 (line of {})",
        round.label_zh(),
        export.households,
        export.members,
        run.line_year,
        run.line_year
    );
    if export.without_income > 0 {
        s.push_str(&format!(
            "；{} 户无上年收入记录未参与筛查 ({} households without an income record left out)",
            export.without_income, export.without_income
        ));
    }
    s.push('\n');
    s.push_str(&format!(
        "预警 {} 户 (flagged); 新建档案 {} (new cases), 新线索 {} (new clues), 已归并 {} (merged), \
         已登记 {} (already present), 未匹配 {} 行 (unmatched rows), 格式错误 {} 行 (malformed rows)\n",
        run.flagged,
        r.new_cases,
        r.new_clues,
        r.merged,
        r.already_present,
        run.unmatched,
        run.malformed
    ));
    if r.not_in_registry + r.out_of_area > 0 {
        s.push_str(&format!(
            "未登记 {} 户，超出范围 {} 户 (not in the registry, outside the area)\n",
            r.not_in_registry, r.out_of_area
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use shouwang_app::demo;
    use shouwang_core::monitoring::Source;
    use shouwang_core::{Role, Scope};
    use shouwang_store::repo::{Actor, cases, rules};
    use shouwang_store::{Db, db_test};

    use super::*;

    fn args(input: PathBuf) -> ScreenArgs {
        ScreenArgs {
            input,
            out: None,
            year: 2022,
            as_of: NaiveDate::from_ymd_opt(2022, 6, 30).unwrap(),
            line: "6500".into(),
            threads: 1,
            quiet: true,
        }
    }

    /// Department files with one medical settlement of 9,000 yuan out of pocket for `id`, a row of an
    /// ID number in no registry, and a malformed row.
    fn department_files(dir: &Path, id: &str) {
        std::fs::write(
            dir.join("medical.csv"),
            format!(
                "身份证号,结算日期,医疗总费用,基本医保支付,大病保险支付,医疗救助支付\n\
                 {id},2022-03-15,12000.00,3000.00,0.00,0.00\n\
                 11010519491231002X,2022-03-15,500.00,100.00,0.00,0.00\n\
                 {id},2022-03-16,N/A,0.00,0.00,0.00\n"
            ),
        )
        .unwrap();
        for (name, header) in [
            ("education.csv", "身份证号,在校状态"),
            ("disability.csv", "身份证号,残疾等级,发证日期"),
            ("housing.csv", "身份证号,鉴定日期,安全等级"),
            ("disaster.csv", "身份证号,发生日期,损失金额"),
        ] {
            std::fs::write(dir.join(name), format!("{header}\n")).unwrap();
        }
        // A registry file sent along is not read in the database mode.
        std::fs::write(dir.join("households.csv"), "garbage\n").unwrap();
    }

    db_test!(
        fn database_mode_records_each_round_once_with_the_countys_thresholds(db: Db) {
            let county = demo::generate(300, 3);
            demo::load(&db, &county, &|_, _| {}).await.unwrap();
            let everyone = Scope::new(0, Role::CountyAdmin, "141123");
            // A household without a case whose last-year income is well above the line and 2 × 9,000.
            let mut chosen = None;
            for dh in &county.households {
                let Some(r) = dh.incomes.iter().find(|r| r.year == 2021) else {
                    continue;
                };
                let rich = r.net_income().0 > 2_000_000
                    && r.net_income().0 > 2 * 650_000 * dh.household.members.len() as i64;
                if rich
                    && cases::history(&db, &everyone, &dh.household.number)
                        .await
                        .unwrap()
                        .is_empty()
                {
                    chosen = Some(dh);
                    break;
                }
            }
            let dh = chosen.expect("a well-off household without a case");
            let number = dh.household.number.clone();
            let dir = tempfile::tempdir().unwrap();
            department_files(dir.path(), &dh.household.members[0].id_number.to_string());
            let caller = shouwang_app::caller_by_username(&db, "department")
                .await
                .unwrap()
                .unwrap();
            let june = YearMonth::new(2022, 6).unwrap();
            let on = NaiveDate::from_ymd_opt(2022, 7, 5).unwrap();

            // Default thresholds: 9,000 is not above 10,000; the low-income households are flagged.
            let first = run_as(&db, &caller, &args(dir.path().into()), june, Some(on))
                .await
                .unwrap();
            assert_eq!(first.unmatched, 1);
            assert_eq!(first.malformed, 1);
            assert!(first.flagged >= 1, "{first:?}");
            let r = first.recorded;
            assert_eq!(r.reports, first.flagged);
            assert!(r.new_cases >= 1, "{r:?}");
            assert_eq!(r.already_present, 0);
            assert!(cases::get(&db, &everyone, &number).await.unwrap().is_none());

            // The same month again adds nothing.
            let again = run_as(&db, &caller, &args(dir.path().into()), june, Some(on))
                .await
                .unwrap();
            let r = again.recorded;
            assert_eq!((r.new_cases, r.new_clues, r.merged), (0, 0, 0), "{r:?}");
            assert_eq!(r.already_present, r.reports);

            // The county lowers the medical threshold to 8,000 yuan: the household is flagged now.
            let admin = shouwang_app::caller_by_username(&db, "county_admin")
                .await
                .unwrap()
                .unwrap();
            let mut county_rules = rules::get(&db, "141123").await.unwrap();
            county_rules.rules.screening.medical_yuan = 8000;
            rules::set(
                &db,
                &Actor::new(admin.user_id, admin.name.clone()),
                &admin.scope,
                "141123",
                &county_rules.rules,
                county_rules.version,
            )
            .await
            .unwrap();
            let lowered = run_as(&db, &caller, &args(dir.path().into()), june, Some(on))
                .await
                .unwrap();
            assert_eq!(lowered.flagged, first.flagged + 1);
            let r = lowered.recorded;
            assert_eq!((r.new_cases, r.new_clues, r.merged), (1, 0, 0), "{r:?}");
            let case = cases::get(&db, &everyone, &number).await.unwrap().unwrap();
            let source = &case.case.clues[0].sources[0];
            assert_eq!(
                source.report.source,
                Source::DepartmentScreening {
                    department: "县医疗保障局".into(),
                    file: "medical.csv".into(),
                    round: Some(june),
                }
            );
            assert_eq!(
                source.report.risks,
                [shouwang_core::codes::RiskType::Illness]
            );
            assert_eq!(source.recorded_by.user_id, caller.user_id);
            assert_eq!(source.report.reported_on, on);

            // And again: nothing.
            let r = run_as(&db, &caller, &args(dir.path().into()), june, Some(on))
                .await
                .unwrap()
                .recorded;
            assert_eq!((r.new_cases, r.new_clues, r.merged), (0, 0, 0), "{r:?}");

            // A village team may not record department screening.
            let team = shouwang_app::caller_by_username(&db, "village_team")
                .await
                .unwrap()
                .unwrap();
            let e = run_as(&db, &team, &args(dir.path().into()), june, Some(on))
                .await
                .unwrap_err();
            assert!(e.to_string().contains("部门筛查"), "{e}");
        }
    );
}
