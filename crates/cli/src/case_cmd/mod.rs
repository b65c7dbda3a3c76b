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

mod input;
mod run;

use crate::config::DbArgs;
use input::*;
pub use run::run;
pub(crate) use run::upload_path;

pub use crate::config::Failure;

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
        /// 预计人均纯收入 (yuan); with --members, computed from the 收支测算 instead.
        #[arg(long, required_unless_present = "members")]
        income: Option<String>,
        /// 收支测算 of the visit: 家庭人口. With it, the amounts (--wage … --payout, yuan) make the
        /// household's income record of --income-year, source 月度走访 (unless a verified record of a
        /// later date counts).
        #[arg(long)]
        members: Option<u32>,
        /// The year of the 收支测算 (default: the month's year).
        #[arg(long, requires = "members")]
        income_year: Option<i32>,
        #[command(flatten)]
        amounts: crate::income_cmd::AmountArgs,
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
