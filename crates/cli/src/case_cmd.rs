//! `shouwang case …`: the monitoring and assistance lifecycle from the command line (监测帮扶档案).
//!
//! Every write goes through the store's command layer (`shouwang_app::lifecycle::execute`), the
//! same as the JSON API and the web pages: the county's rules and the registry's facts are filled
//! in by the server side, never typed here. `--json` prints the same shapes as `/api/v1`.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_app::Caller;
use shouwang_app::attachments as files;
use shouwang_app::lifecycle::{self, Request};
use shouwang_app::views::{
    AttachmentDto, CandidateDto, CaseDto, CasePage, NoticeDto, QueuesDto, RecommendationsDto,
    WorkloadDto, WriteResult,
};
use shouwang_core::CodeList;
use shouwang_core::codes::{EliminationMode, MeasureClass, RiskType};
use shouwang_core::monitoring::clue::ApplicationMeans;
use shouwang_core::monitoring::measures::Completion;
use shouwang_core::monitoring::{
    Attachment, CadreCommand, CadreLevel, Channel, Command, ExitCommand, FollowUp, IdentAction,
    Lifecycle, MeasureAction, MeasurePlan, Report, Source, YearMonth,
};
use shouwang_core::{Fen, Scope};
use shouwang_store::repo::cases::CaseQuery;
use shouwang_store::{Db, StoreError, repo};

use crate::config::DbArgs;

/// Exit status of a refused or failed `case` command (0 = done).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// The process exit code.
    pub code: u8,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit code {}", self.code)
    }
}

impl std::error::Error for Failure {}

/// Arguments of `shouwang case`.
#[derive(Args, Debug)]
#[command(after_help = "\
Acting user: --user names an existing account; its role and area are the scope of every read and \
write (村级工作专班 sees its village, 乡镇管理员 its township …). No password is asked (本机命令行不询问密码): \
the command line runs on the operator's machine with direct access to the database, so whoever can \
run it can already read everything; each write is still recorded under the named user in the audit log.

Writes take --version (the case version read with `case show`; a stale one is refused) and --on \
(办理日期, default today). Complex evidence is JSON, the same as the API's (`@file.json` reads a file).

Exit codes: 0 done; 1 other error; 2 bad input (422/400); 3 not allowed for the role or area (403); \
4 not found in the user's area (404); 5 refused: out of order, wrong state, duplicate, stale version (409).")]
pub struct CaseArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Where uploaded attachments are kept (default DATA_DIR/attachments).
    #[arg(long, global = true)]
    pub files_dir: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: CaseCommand,
}

/// The version and date of a write.
#[derive(Args, Debug, Clone)]
pub struct WriteArgs {
    /// The case version read (optimistic locking).
    #[arg(long)]
    pub version: i64,
    /// 办理日期 YYYY-MM-DD (default today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
}

#[derive(Subcommand, Debug)]
pub enum CaseCommand {
    /// List cases in the user's area (监测帮扶档案列表).
    List {
        /// clue, identifying, monitored, eliminated, deferred, not_included.
        #[arg(long)]
        lifecycle: Option<String>,
        /// A township or village code.
        #[arg(long)]
        region: Option<String>,
        /// application, cadre_screening, department_screening, petition.
        #[arg(long)]
        channel: Option<String>,
        /// Current responsible cadre (user id).
        #[arg(long)]
        cadre: Option<i64>,
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 50)]
        per_page: u32,
    },
    /// Show one case with its 帮扶手册.
    Show { household: String },
    /// Record a clue (登记线索): opens the case or joins it.
    Report {
        household: String,
        /// application (农户申请), cadre_screening (干部排查), department_screening (部门筛查), petition (信访舆情).
        #[arg(long)]
        channel: String,
        /// 风险类型 code (repeat for several), e.g. 01 (因病).
        #[arg(long = "risk", required = true)]
        risks: Vec<String>,
        /// 报告人.
        #[arg(long)]
        reporter: String,
        /// 发现日期 (default --on).
        #[arg(long)]
        reported_on: Option<NaiveDate>,
        /// 农户申请: applicant.
        #[arg(long)]
        applicant: Option<String>,
        /// 农户申请: stated cause.
        #[arg(long)]
        cause: Option<String>,
        /// 农户申请: written, hotline, app.
        #[arg(long, default_value = "written")]
        means: String,
        /// 干部排查: round, e.g. 2022年第1季度; 部门筛查: the month screened, e.g. 2022-06.
        #[arg(long)]
        round: Option<String>,
        /// 部门筛查: department.
        #[arg(long)]
        department: Option<String>,
        /// 部门筛查: data file.
        #[arg(long)]
        file: Option<String>,
        /// 信访舆情: petition number.
        #[arg(long)]
        petition_number: Option<String>,
        /// 登记日期 (default today).
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// 启动识别.
    Start {
        household: String,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// An identification step: the step as JSON (the API's IdentAction, e.g.
    /// '{"action":"post_notice","place":"村委会公示栏"}'), or @file.json.
    Identify {
        household: String,
        #[arg(long)]
        step: String,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// 绿色通道.
    GreenChannel {
        household: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// The decision table's recommended measures (定措施).
    Recommend {
        household: String,
        /// 家庭收入缩减或支出大幅增加.
        #[arg(long)]
        income_loss: bool,
        /// 内生动力不足.
        #[arg(long)]
        weak_drive: bool,
    },
    /// Plan a measure (制定帮扶措施).
    Plan {
        household: String,
        /// 措施类别 code, e.g. public_welfare_post.
        #[arg(long)]
        class: String,
        /// 具体措施.
        #[arg(long)]
        item: String,
        /// 计划完成日期.
        #[arg(long)]
        planned_on: NaiveDate,
        /// 责任单位.
        #[arg(long)]
        unit: String,
        /// 金额 (yuan, e.g. 6000 or 6000.50).
        #[arg(long, default_value = "0")]
        amount: String,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// Change a measure's status: start, complete (with --text as 落实情况 and --attach files), cancel.
    Measure {
        household: String,
        /// Position of the measure (0-based).
        index: usize,
        /// start, complete, cancel.
        #[arg(long)]
        action: String,
        /// Note (start), 落实情况 (complete), reason (cancel).
        #[arg(long, default_value = "")]
        text: String,
        /// Evidence files (JPEG, PNG, WebP, PDF) uploaded and cited (complete).
        #[arg(long = "attach")]
        attach: Vec<PathBuf>,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// 确定 / 更换 / 解除帮扶责任人.
    Cadre {
        household: String,
        /// assign, reassign, release.
        #[arg(long)]
        action: String,
        /// The cadre's user id (assign, reassign).
        #[arg(long)]
        cadre_user: Option<i64>,
        /// township, village, resident.
        #[arg(long, default_value = "village")]
        level: String,
        /// 工作单位.
        #[arg(long, default_value = "")]
        unit: String,
        #[arg(long)]
        phone: Option<String>,
        /// Reason (reassign, release).
        #[arg(long, default_value = "")]
        reason: String,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// Households per responsible cadre.
    Workload,
    /// 逐月跟踪监测: one month's follow-up (answers default to yes).
    FollowUp {
        household: String,
        /// Month YYYY-MM.
        #[arg(long)]
        month: String,
        /// 走访日期.
        #[arg(long)]
        visited_on: NaiveDate,
        /// 预计人均纯收入 (yuan).
        #[arg(long)]
        income: String,
        #[arg(long)]
        measures_not_carried_out: bool,
        #[arg(long)]
        policies_not_received: bool,
        #[arg(long)]
        standards_not_secure: bool,
        #[arg(long)]
        not_approved: bool,
        #[arg(long, default_value = "")]
        notes: String,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// 退出: candidates (定期预判), nominate, or a step.
    Exit {
        #[command(subcommand)]
        command: ExitCmd,
    },
    /// 退出告知书: issue the numbered notice, or show its text.
    Notice {
        #[command(subcommand)]
        command: NoticeCmd,
    },
    /// The user's queues: clues waiting, approvals, overdue work.
    Queues,
    /// Any command as JSON (the API's Command, e.g. '{"command":"start_identification"}'), or @file.json.
    Do {
        household: String,
        #[arg(long)]
        command: String,
        /// Case version (may be left out for a report).
        #[arg(long)]
        version: Option<i64>,
        #[arg(long)]
        on: Option<NaiveDate>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExitCmd {
    /// The quarterly pre-judgment of every monitored household in the user's area.
    Candidates {
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// 预判提名 (facts from the registry).
    Nominate {
        household: String,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// 预判会议决定 / 入户核查 / 民主评议 / 终止 as JSON (the API's ExitCommand), or @file.json.
    Step {
        household: String,
        #[arg(long)]
        step: String,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// 民主评议 passed, with the meeting (→ 风险消除 or 缓退).
    Appraise {
        household: String,
        /// 会议日期.
        #[arg(long)]
        held_on: NaiveDate,
        /// 参会人数.
        #[arg(long)]
        attendance: u32,
        /// assisted (帮扶消除) or natural (自然消除).
        #[arg(long, default_value = "assisted")]
        mode: String,
        #[arg(long, default_value = "")]
        opinion: String,
        #[command(flatten)]
        write: WriteArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum NoticeCmd {
    /// Issue the notice (number from the county's counter).
    Issue {
        household: String,
        #[command(flatten)]
        write: WriteArgs,
    },
    /// Print the notice text.
    Show { household: String },
}

/// An error with the exit code of its kind, the message in Chinese and English.
fn fail(e: StoreError) -> anyhow::Error {
    let code = match &e {
        StoreError::NotFound => 4,
        StoreError::Forbidden => 3,
        StoreError::Invalid { .. } => 2,
        StoreError::StaleVersion { .. } | StoreError::Conflict { .. } => 5,
        StoreError::Refused(r) if r.is_forbidden() => 3,
        StoreError::Refused(r) => match r.code {
            shouwang_core::monitoring::RefusalCode::InvalidInput
            | shouwang_core::monitoring::RefusalCode::EvidenceRequired
            | shouwang_core::monitoring::RefusalCode::SignatureRequired => 2,
            shouwang_core::monitoring::RefusalCode::NotFound => 4,
            _ => 5,
        },
        StoreError::Db(_) => 1,
    };
    let en = match &e {
        StoreError::Refused(r) => r.message_en.clone(),
        other => other.to_string(),
    };
    anyhow!(Failure { code }).context(format!("{} ({en})", e.message_zh()))
}

fn bad(msg: impl Into<String>) -> anyhow::Error {
    anyhow!(Failure { code: 2 }).context(msg.into())
}

/// A JSON argument, or the file after `@`.
fn json_arg<T: serde::de::DeserializeOwned>(arg: &str, what: &str) -> anyhow::Result<T> {
    let text = match arg.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {path}"))
            .map_err(|e| bad(format!("{e:#}")))?,
        None => arg.to_owned(),
    };
    serde_json::from_str(&text)
        .map_err(|e| bad(format!("{what} 不是有效的 JSON / invalid JSON: {e}")))
}

fn code<T: CodeList>(s: &str, what: &str) -> anyhow::Result<T> {
    T::from_any(s).ok_or_else(|| {
        let known: Vec<&str> = T::all().iter().map(|v| v.code()).collect();
        bad(format!(
            "未知的{what} / unknown {what}: {s:?}; one of: {}",
            known.join(", ")
        ))
    })
}

fn yuan(s: &str) -> anyhow::Result<Fen> {
    Fen::parse_yuan(s.trim()).map_err(|e| bad(format!("金额不正确 / bad amount {s:?}: {e}")))
}

fn print<T: serde::Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        println!("{}", text());
    }
    Ok(())
}

fn case_text(c: &CaseDto) -> String {
    let mut out = vec![format!(
        "户编号 {}  村 {}  状态 {}（{}）  版本 version {}",
        c.household_number,
        c.village_code,
        c.lifecycle.label_zh(),
        c.lifecycle.code(),
        c.version
    )];
    if let Some(s) = c.ident_next_step {
        out.push(format!(
            "下一识别步骤 next step: {}（{}）",
            s.label_zh(),
            s.code()
        ));
    }
    if let Some(s) = c.exit_next_step {
        out.push(format!(
            "下一退出步骤 next exit step: {}（{}）",
            s.label_zh(),
            s.code()
        ));
    }
    if !c.missing_follow_ups.is_empty() {
        let m: Vec<String> = c.missing_follow_ups.iter().map(|m| m.to_string()).collect();
        out.push(format!(
            "逾期未跟踪月份 overdue follow-ups: {}",
            m.join(", ")
        ));
    }
    out.push("帮扶手册:".to_owned());
    for e in &c.handbook {
        let who = e.actor.as_deref().unwrap_or("");
        let detail = if e.detail_zh.is_empty() {
            String::new()
        } else {
            format!(" — {}", e.detail_zh)
        };
        out.push(format!("  {} {} {}{}", e.on, e.title_zh, who, detail));
    }
    out.join("\n")
}

fn rows_text(p: &CasePage) -> String {
    let mut out = vec![format!(
        "共 {} 户 / {} cases (page {})",
        p.total, p.total, p.page
    )];
    for r in &p.items {
        out.push(format!(
            "{}  {}  {}  v{}  {}",
            r.household_number,
            r.village_code,
            r.lifecycle.label_zh(),
            r.version,
            r.cadre_name.as_deref().unwrap_or("")
        ));
    }
    out.join("\n")
}

struct Ctx {
    db: Db,
    caller: Caller,
    files: files::FileStore,
    json: bool,
}

impl Ctx {
    async fn exec(
        &self,
        household: &str,
        version: Option<i64>,
        on: Option<NaiveDate>,
        command: Command,
    ) -> anyhow::Result<()> {
        let done = lifecycle::execute(
            &self.db,
            &self.caller,
            Request {
                household: household.to_owned(),
                version,
                on,
                command,
            },
        )
        .await
        .map_err(fail)?;
        let rules = lifecycle::county_rules(&self.db, &done.record.county_code)
            .await
            .map_err(fail)?;
        let result = WriteResult {
            filed: done.filed.map(Into::into),
            case: CaseDto::of(done.record, shouwang_app::today(), &rules),
        };
        print(self.json, &result, || {
            let filed = match done.filed {
                Some(lifecycle::Filed::NewCase) => "新建档案 / new case\n",
                Some(lifecycle::Filed::NewClue) => "新线索 / new clue\n",
                Some(lifecycle::Filed::Merged) => "已归并 / merged into a clue\n",
                None => "",
            };
            format!("已办理 / done.\n{filed}{}", case_text(&result.case))
        })
    }

    async fn upload(&self, path: &Path) -> anyhow::Result<Attachment> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read {}", path.display()))
            .map_err(|e| bad(format!("{e:#}")))?;
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let media = match ext.as_str() {
            "jpg" | "jpeg" => "image/jpeg",
            "png" => "image/png",
            "webp" => "image/webp",
            "pdf" => "application/pdf",
            _ => "application/octet-stream",
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        let row = files::upload(&self.db, &self.files, &self.caller, name, media, &bytes)
            .await
            .map_err(fail)?;
        if !self.json {
            let dto = AttachmentDto::from(row.clone());
            eprintln!(
                "已上传 / uploaded {} ({} bytes, SHA-256 {})",
                dto.name, dto.size, dto.sha256
            );
        }
        Attachment::new(row.name, &row.sha256, row.media_type)
            .map_err(|r| fail(StoreError::Refused(r)))
    }
}

/// Runs `shouwang case …`.
pub async fn run(args: CaseArgs) -> anyhow::Result<()> {
    let files_dir = args
        .files_dir
        .clone()
        .unwrap_or_else(|| args.db.data_dir.join("attachments"));
    let db = args.db.open().await?;
    let caller = shouwang_app::caller_by_username(&db, &args.user)
        .await
        .map_err(fail)?
        .ok_or_else(|| {
            anyhow!(Failure { code: 3 }).context(crate::config::no_such_user(&args.user))
        })?;
    let ctx = Ctx {
        db,
        caller,
        files: files::FileStore::new(files_dir),
        json: args.json,
    };
    dispatch(&ctx, args.command).await
}

async fn dispatch(ctx: &Ctx, command: CaseCommand) -> anyhow::Result<()> {
    let scope: &Scope = &ctx.caller.scope;
    match command {
        CaseCommand::List {
            lifecycle,
            region,
            channel,
            cadre,
            page,
            per_page,
        } => {
            let query = CaseQuery {
                lifecycle: lifecycle
                    .as_deref()
                    .map(|s| code::<Lifecycle>(s, "监测状态 lifecycle"))
                    .transpose()?,
                region,
                channel: channel
                    .as_deref()
                    .map(|s| code::<Channel>(s, "监测手段 channel"))
                    .transpose()?,
                cadre_user_id: cadre,
                ..CaseQuery::default()
            };
            let p: CasePage = lifecycle::list(&ctx.db, scope, &query, page, per_page)
                .await
                .map_err(fail)?
                .into();
            print(ctx.json, &p, || rows_text(&p))
        }
        CaseCommand::Show { household } => {
            let rec = repo::cases::get(&ctx.db, scope, &household)
                .await
                .map_err(fail)?
                .ok_or_else(|| fail(StoreError::NotFound))?;
            let rules = lifecycle::county_rules(&ctx.db, &rec.county_code)
                .await
                .map_err(fail)?;
            let dto = CaseDto::of(rec, shouwang_app::today(), &rules);
            print(ctx.json, &dto, || case_text(&dto))
        }
        CaseCommand::Report {
            household,
            channel,
            risks,
            reporter,
            reported_on,
            applicant,
            cause,
            means,
            round,
            department,
            file,
            petition_number,
            on,
        } => {
            let need = |v: Option<String>, flag: &str| {
                v.ok_or_else(|| bad(format!("该渠道需要 --{flag} / this channel needs --{flag}")))
            };
            let source = match code::<Channel>(&channel, "监测手段 channel")? {
                Channel::Application => Source::Application {
                    applicant: need(applicant, "applicant")?,
                    stated_cause: need(cause, "cause")?,
                    means: code::<ApplicationMeans>(&means, "申请方式 means")?,
                },
                Channel::CadreScreening => Source::CadreScreening {
                    round: need(round, "round")?,
                },
                Channel::DepartmentScreening => Source::DepartmentScreening {
                    department: need(department, "department")?,
                    file: need(file, "file")?,
                    round: round
                        .map(|r| {
                            YearMonth::parse(&r).ok_or_else(|| {
                                bad(format!(
                                    "--round {r:?}：部门筛查批次应为 年-月 / expected YYYY-MM"
                                ))
                            })
                        })
                        .transpose()?,
                },
                Channel::Petition => Source::Petition {
                    petition_number: need(petition_number, "petition-number")?,
                },
            };
            let risks = risks
                .iter()
                .map(|r| code::<RiskType>(r, "风险类型 risk"))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let report = Report {
                household: household.clone(),
                source,
                risks,
                reporter,
                reported_on: reported_on.or(on).unwrap_or_else(shouwang_app::today),
            };
            ctx.exec(&household, None, on, Command::Report { report })
                .await
        }
        CaseCommand::Start { household, write } => {
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::StartIdentification,
            )
            .await
        }
        CaseCommand::Identify {
            household,
            step,
            write,
        } => {
            let action: IdentAction = json_arg(&step, "识别步骤 step")?;
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::Identify { action },
            )
            .await
        }
        CaseCommand::GreenChannel {
            household,
            reason,
            write,
        } => {
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::Identify {
                    action: IdentAction::OpenGreenChannel { reason },
                },
            )
            .await
        }
        CaseCommand::Recommend {
            household,
            income_loss,
            weak_drive,
        } => {
            let r: RecommendationsDto =
                lifecycle::recommendations(&ctx.db, scope, &household, income_loss, weak_drive)
                    .await
                    .map_err(fail)?
                    .into();
            print(ctx.json, &r, || {
                let mut out = vec![format!("劳动力 labour: {}", r.situation.labour.label_zh())];
                for x in &r.recommendations {
                    let rules: Vec<&str> = x.because.iter().map(|p| p.code()).collect();
                    out.push(format!(
                        "  {}（{}）  {}",
                        x.class.label_zh(),
                        x.class.code(),
                        rules.join(", ")
                    ));
                }
                out.join("\n")
            })
        }
        CaseCommand::Plan {
            household,
            class,
            item,
            planned_on,
            unit,
            amount,
            write,
        } => {
            let plan = MeasurePlan {
                class: code::<MeasureClass>(&class, "措施类别 class")?,
                item,
                planned_on,
                responsible_unit: unit,
                amount: yuan(&amount)?,
            };
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::PlanMeasure { plan },
            )
            .await
        }
        CaseCommand::Measure {
            household,
            index,
            action,
            text,
            attach,
            write,
        } => {
            let action = match action.as_str() {
                "start" => MeasureAction::Start { note: text },
                "complete" => {
                    let mut attachments = Vec::new();
                    for p in &attach {
                        attachments.push(ctx.upload(p).await?);
                    }
                    MeasureAction::Complete {
                        evidence: Completion {
                            description: text,
                            attachments,
                        },
                    }
                }
                "cancel" => MeasureAction::Cancel { reason: text },
                other => {
                    return Err(bad(format!(
                        "--action 应为 start、complete 或 cancel / unknown action {other:?}"
                    )));
                }
            };
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::UpdateMeasure { index, action },
            )
            .await
        }
        CaseCommand::Cadre {
            household,
            action,
            cadre_user,
            level,
            unit,
            phone,
            reason,
            write,
        } => {
            let level = code::<CadreLevel>(&level, "干部类别 level")?;
            let id =
                || cadre_user.ok_or_else(|| bad("需要 --cadre-user / --cadre-user is required"));
            let action = match action.as_str() {
                "assign" => CadreCommand::Assign {
                    cadre_user_id: id()?,
                    level,
                    unit,
                    phone,
                },
                "reassign" => CadreCommand::Reassign {
                    cadre_user_id: id()?,
                    level,
                    unit,
                    phone,
                    reason,
                },
                "release" => CadreCommand::Release { reason },
                other => {
                    return Err(bad(format!(
                        "--action 应为 assign、reassign 或 release / unknown action {other:?}"
                    )));
                }
            };
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::Cadre { action },
            )
            .await
        }
        CaseCommand::Workload => {
            let w: Vec<WorkloadDto> = repo::cases::workload(&ctx.db, scope)
                .await
                .map_err(fail)?
                .into_iter()
                .map(Into::into)
                .collect();
            print(ctx.json, &w, || {
                w.iter()
                    .map(|l| {
                        format!(
                            "{}（{}）: {} 户",
                            l.cadre_name, l.cadre_user_id, l.households
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        CaseCommand::FollowUp {
            household,
            month,
            visited_on,
            income,
            measures_not_carried_out,
            policies_not_received,
            standards_not_secure,
            not_approved,
            notes,
            write,
        } => {
            let month = YearMonth::parse(&month).ok_or_else(|| {
                bad(format!(
                    "月份应为 YYYY-MM / month must be YYYY-MM: {month:?}"
                ))
            })?;
            let visit = FollowUp {
                month,
                visited_on,
                measures_carried_out: !measures_not_carried_out,
                policies_received: !policies_not_received,
                standards_secure: !standards_not_secure,
                household_approves: !not_approved,
                per_capita_income_estimate: yuan(&income)?,
                notes,
            };
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::FollowUp { visit },
            )
            .await
        }
        CaseCommand::Exit { command } => match command {
            ExitCmd::Candidates { on } => {
                let on = on.unwrap_or_else(shouwang_app::today);
                let c: Vec<CandidateDto> = lifecycle::exit_candidates(&ctx.db, &ctx.caller, on)
                    .await
                    .map_err(fail)?
                    .into_iter()
                    .map(Into::into)
                    .collect();
                print(ctx.json, &c, || {
                    c.iter()
                        .map(|x| {
                            let unmet: Vec<&str> = x
                                .judgment
                                .unmet
                                .iter()
                                .map(|u| u.condition.code())
                                .collect();
                            format!(
                                "{}  {}  {}",
                                x.case.household_number,
                                if x.proposed {
                                    "预判风险消除"
                                } else {
                                    "未达条件"
                                },
                                unmet.join(",")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            }
            ExitCmd::Nominate { household, write } => {
                ctx.exec(
                    &household,
                    Some(write.version),
                    write.on,
                    Command::NominateExit,
                )
                .await
            }
            ExitCmd::Step {
                household,
                step,
                write,
            } => {
                let action: ExitCommand = json_arg(&step, "退出步骤 step")?;
                ctx.exec(
                    &household,
                    Some(write.version),
                    write.on,
                    Command::Exit { action },
                )
                .await
            }
            ExitCmd::Appraise {
                household,
                held_on,
                attendance,
                mode,
                opinion,
                write,
            } => {
                let action = ExitCommand::Appraise {
                    meeting: shouwang_core::monitoring::Meeting {
                        held_on,
                        attendance,
                        minutes: String::new(),
                    },
                    decision: shouwang_core::monitoring::Decision::pass(opinion),
                    mode: code::<EliminationMode>(&mode, "风险消除方式 mode")?,
                };
                ctx.exec(
                    &household,
                    Some(write.version),
                    write.on,
                    Command::Exit { action },
                )
                .await
            }
        },
        CaseCommand::Notice { command } => match command {
            NoticeCmd::Issue { household, write } => {
                ctx.exec(
                    &household,
                    Some(write.version),
                    write.on,
                    Command::IssueNotice,
                )
                .await
            }
            NoticeCmd::Show { household } => {
                let n = lifecycle::notice(&ctx.db, scope, &household)
                    .await
                    .map_err(fail)?;
                let dto = NoticeDto {
                    notice: n.notice,
                    text: n.text,
                    plain: n.plain,
                };
                print(ctx.json, &dto, || dto.plain.clone())
            }
        },
        CaseCommand::Queues => {
            let q: QueuesDto = lifecycle::queues(&ctx.db, &ctx.caller, shouwang_app::today())
                .await
                .map_err(fail)?
                .into();
            print(ctx.json, &q, || {
                let mut out = Vec::new();
                for v in &q.clues_waiting {
                    out.push(format!(
                        "待启动识别线索 clues waiting: 村 {} {} 户（最早 {}）",
                        v.village_code, v.cases, v.oldest_reported_on
                    ));
                }
                for w in &q.approvals {
                    let step = w
                        .ident_step
                        .map(|s| s.label_zh())
                        .or(w.exit_step.map(|s| s.label_zh()))
                        .unwrap_or("");
                    out.push(format!(
                        "待办 waiting: {} {}",
                        w.case.household_number, step
                    ));
                }
                out.push(format!(
                    "{} 逾期未跟踪 overdue follow-ups: {} 户",
                    q.follow_up_month,
                    q.overdue_follow_ups.len()
                ));
                out.push(format!(
                    "识别超期 overdue identifications: {} 户",
                    q.overdue_identifications.len()
                ));
                out.push(format!(
                    "无帮扶责任人 without a cadre: {} 户",
                    q.needs_cadre.len()
                ));
                out.join("\n")
            })
        }
        CaseCommand::Do {
            household,
            command,
            version,
            on,
        } => {
            let command: Command = json_arg(&command, "命令 command")?;
            ctx.exec(&household, version, on, command).await
        }
    }
}
