//! The JSON shapes of the read models (监测帮扶档案, lists, queues, the calendar, households): what
//! `/api/v1` answers and what `shouwang … --json` prints — one shape for both. ID numbers are masked by
//! role where a view shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shouwang_core::codes::{
    Dibao, Education, HealthStatus, HouseholdType, LabourSkill, MonitoredType, PoliticalStatus,
    Relation, RiskType, SchoolStatus, Sex, Tekun,
};
use shouwang_core::household::changes::LeaveReason;
use shouwang_core::monitoring::calendar::{Period, TaskKind, TaskStatus};
use shouwang_core::monitoring::exit::{ExitNotice, NoticeText, PreJudgment};
use shouwang_core::monitoring::measures::{Recommendation, Situation};
use shouwang_core::monitoring::{
    Case, Channel, ExitStep, HandbookEntry, IdentStep, Lifecycle, YearMonth,
};
use shouwang_core::{Fen, IncomeRecord, Scope};
use shouwang_store::repo::cases::{
    AttachmentRow, CadreLoad, Candidate, CaseRecord, CaseRow, NoticeRow, VillageQueue,
};
use shouwang_store::repo::households::{HouseholdDetail, HouseholdRow};

use crate::lifecycle::{self, Filed, Queues, TaskView, Waiting};

/// One row of a case list.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseRowDto {
    /// 户编号.
    pub household_number: String,
    /// 行政村 code.
    pub village_code: String,
    /// 监测状态.
    pub lifecycle: Lifecycle,
    /// Channels of the clues.
    pub channels: Vec<Channel>,
    /// Earliest 发现日期.
    pub first_reported_on: NaiveDate,
    /// 识别 started.
    pub ident_started_on: Option<NaiveDate>,
    /// Next identification step.
    pub ident_next_step: Option<IdentStep>,
    /// 纳入监测.
    pub monitored_since: Option<NaiveDate>,
    /// 风险消除.
    pub eliminated_on: Option<NaiveDate>,
    /// Next exit step.
    pub exit_next_step: Option<ExitStep>,
    /// Current 帮扶责任人 (user id).
    pub cadre_user_id: Option<i64>,
    /// Current 帮扶责任人 (name).
    pub cadre_name: Option<String>,
    /// Latest month with a follow-up.
    pub last_follow_up_month: Option<YearMonth>,
    /// Case version.
    pub version: i64,
}

impl From<CaseRow> for CaseRowDto {
    fn from(r: CaseRow) -> Self {
        CaseRowDto {
            household_number: r.household_number,
            village_code: r.village_code,
            lifecycle: r.lifecycle,
            channels: r.channels,
            first_reported_on: r.first_reported_on,
            ident_started_on: r.ident_started_on,
            ident_next_step: r.ident_next_step,
            monitored_since: r.monitored_since,
            eliminated_on: r.eliminated_on,
            exit_next_step: r.exit_next_step,
            cadre_user_id: r.cadre_user_id,
            cadre_name: r.cadre_name,
            last_follow_up_month: r.last_follow_up_month,
            version: r.version,
        }
    }
}

/// A page of cases.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CasePage {
    /// Rows.
    pub items: Vec<CaseRowDto>,
    /// Rows over all pages.
    pub total: u64,
    /// Page (1-based).
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
}

impl From<shouwang_store::Page<CaseRow>> for CasePage {
    fn from(p: shouwang_store::Page<CaseRow>) -> Self {
        CasePage {
            items: p.items.into_iter().map(Into::into).collect(),
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        }
    }
}

/// A household's case with its 帮扶手册.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDto {
    /// 户编号.
    pub household_number: String,
    /// 行政村 code.
    pub village_code: String,
    /// 监测状态.
    pub lifecycle: Lifecycle,
    /// Version: send it with the next write.
    pub version: i64,
    /// The next identification step while 识别中.
    pub ident_next_step: Option<IdentStep>,
    /// The next exit step while an exit runs (or awaits its notice).
    pub exit_next_step: Option<ExitStep>,
    /// Assistance may be given (monitored, or the green channel is open).
    pub assistance_allowed: bool,
    /// Needs a responsible cadre.
    pub needs_cadre: bool,
    /// Months whose follow-up is overdue today.
    pub missing_follow_ups: Vec<YearMonth>,
    /// The whole case (clues, identification, measures, cadres, follow-ups, exits).
    pub case: Case,
    /// 帮扶手册: every dated entry, oldest first.
    pub handbook: Vec<HandbookEntry>,
    /// Last change (UTC).
    pub updated_at: DateTime<Utc>,
}

impl CaseDto {
    /// The DTO of a stored case on `today` (with the county's cadence rules).
    pub fn of(
        rec: CaseRecord,
        today: NaiveDate,
        rules: &shouwang_core::rules::CountyRules,
    ) -> Self {
        CaseDto {
            ident_next_step: rec.case.identification.as_ref().and_then(|i| i.next_step()),
            exit_next_step: rec.case.current_exit().and_then(|x| x.next_step()),
            assistance_allowed: rec.case.assistance_allowed(),
            needs_cadre: rec.case.needs_cadre(),
            missing_follow_ups: rec.case.missing_follow_ups(today, &rules.cadence),
            handbook: rec.case.handbook(),
            household_number: rec.household_number,
            village_code: rec.village_code,
            lifecycle: rec.lifecycle,
            version: rec.version,
            case: rec.case,
            updated_at: rec.updated_at,
        }
    }
}

/// Where a report went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FiledDto {
    /// It opened the household's case.
    NewCase,
    /// A new clue in the existing case.
    NewClue,
    /// Merged into an open clue (same cause, within the merge window).
    Merged,
}

impl From<Filed> for FiledDto {
    fn from(f: Filed) -> Self {
        match f {
            Filed::NewCase => FiledDto::NewCase,
            Filed::NewClue => FiledDto::NewClue,
            Filed::Merged => FiledDto::Merged,
        }
    }
}

/// The answer to a write: the case as stored now.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WriteResult {
    /// For a report: where it went.
    pub filed: Option<FiledDto>,
    /// The case.
    pub case: CaseDto,
}

/// A household in a search (the head's ID number always masked in lists).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdRowDto {
    /// 户编号.
    pub number: String,
    /// 行政村 code.
    pub village_code: String,
    /// 村名.
    pub village_name: String,
    /// 户主姓名.
    pub head_name: String,
    /// 户主身份证号, masked (`141123********123X`).
    pub head_id: String,
    /// 家庭人口.
    pub size: u32,
    /// 户类型.
    pub household_type: HouseholdType,
    /// 监测对象类别.
    pub monitored_type: Option<MonitoredType>,
}

impl From<HouseholdRow> for HouseholdRowDto {
    fn from(r: HouseholdRow) -> Self {
        HouseholdRowDto {
            head_id: r.head_id.masked(),
            number: r.number,
            village_code: r.village_code,
            village_name: r.village_name,
            head_name: r.head_name,
            size: r.size,
            household_type: r.household_type,
            monitored_type: r.monitored_type,
        }
    }
}

/// A page of households.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdPage {
    /// Rows.
    pub items: Vec<HouseholdRowDto>,
    /// Rows over all pages.
    pub total: u64,
    /// Page (1-based).
    pub page: u32,
    /// Rows per page.
    pub per_page: u32,
}

/// A member, the ID number as the role may see it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberDto {
    /// The member's row id, as a string (it does not fit a JavaScript number): the handle of
    /// `/api/v1/households/{n}/members/{member}` (a full ID number works there too).
    pub member_id: String,
    /// The member row's version (for `PATCH …/members/{member}`).
    pub version: i64,
    /// 身份证号: full for county and township admins and auditors (each such read is audited), else masked.
    pub id_number: String,
    /// 姓名.
    pub name: String,
    /// 性别.
    pub sex: Sex,
    /// 与户主关系.
    pub relation: Relation,
    /// 年龄 (completed years today): only for a role that sees full ID numbers (see `birth_year`).
    pub age: Option<u32>,
    /// 出生年份.
    pub birth_year: i32,
    /// 劳动技能.
    pub labour: LabourSkill,
    /// 健康状况.
    pub health: Vec<HealthStatus>,
    /// 文化程度.
    pub education: Option<Education>,
    /// 在校生状况.
    pub school: Option<SchoolStatus>,
    /// 政治面貌.
    pub political: PoliticalStatus,
    /// 参加基本医疗保险.
    pub has_medical_insurance: bool,
    /// 低保.
    pub dibao: Dibao,
    /// 特困.
    pub tekun: Tekun,
    /// 残疾等级.
    pub disability_grade: Option<u8>,
}

/// A member who left the household (原家庭成员).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormerMemberDto {
    /// 身份证号, masked like the members'.
    pub id_number: String,
    /// 姓名.
    pub name: String,
    /// 与户主关系 when he left.
    pub relation: Relation,
    /// 减员原因: `death` 死亡, `moved_out` 迁出.
    pub reason: LeaveReason,
    /// The date.
    pub left_on: NaiveDate,
}

/// An income record with its derived figures.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomeDto {
    /// The record.
    pub record: IncomeRecord,
    /// 家庭纯收入.
    pub net_income: Fen,
    /// 人均纯收入.
    pub per_capita: Fen,
    /// Row version.
    pub version: i64,
}

/// One household with members and income, and its case (if any).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdDto {
    /// 户编号.
    pub number: String,
    /// Row version.
    pub version: i64,
    /// 县.
    pub county_code: String,
    /// 乡镇.
    pub township_code: String,
    /// 乡镇名.
    pub township_name: Option<String>,
    /// 行政村 code.
    pub village_code: String,
    /// 村名.
    pub village_name: Option<String>,
    /// 户类型.
    pub household_type: HouseholdType,
    /// 监测对象类别.
    pub monitored_type: Option<MonitoredType>,
    /// 风险类型.
    pub risks: Vec<RiskType>,
    /// 家庭住址.
    pub address: String,
    /// 易地扶贫搬迁.
    pub is_relocated: bool,
    /// 联系电话.
    pub phone: Option<String>,
    /// 家庭成员 (the members who are there now; 家庭人口 is their number).
    pub members: Vec<MemberDto>,
    /// 原家庭成员: the members who died or moved out, with the reason and the date.
    pub former_members: Vec<FormerMemberDto>,
    /// Income by year.
    pub incomes: Vec<IncomeDto>,
    /// The household's case, if it has one.
    pub case: Option<CaseRowDto>,
}

impl HouseholdDto {
    /// The DTO of a household as `scope` may see it.
    pub fn of(d: HouseholdDetail, case: Option<CaseRow>, scope: &Scope, today: NaiveDate) -> Self {
        let h = d.household;
        HouseholdDto {
            number: h.number,
            version: d.version,
            county_code: d.county_code,
            township_code: d.township_code,
            township_name: d.township_name,
            village_code: h.village.as_str().to_owned(),
            village_name: d.village_name,
            household_type: h.household_type,
            monitored_type: h.monitored_type,
            risks: h.risks,
            address: h.address,
            is_relocated: h.is_relocated,
            phone: h.phone,
            former_members: d
                .former_members
                .into_iter()
                .map(|f| FormerMemberDto {
                    id_number: scope.show_id(f.member.id_number),
                    name: f.member.name,
                    relation: f.member.relation,
                    reason: f.reason,
                    left_on: f.left_on,
                })
                .collect(),
            members: h
                .members
                .into_iter()
                .zip(d.member_ids.into_iter().zip(d.member_versions))
                .map(|(m, (member_id, version))| MemberDto {
                    member_id: member_id.to_string(),
                    version,
                    id_number: scope.show_id(m.id_number),
                    age: scope.exact_age(m.id_number, today),
                    birth_year: chrono::Datelike::year(&m.id_number.birth_date()),
                    name: m.name,
                    sex: m.sex,
                    relation: m.relation,
                    labour: m.labour,
                    health: m.health,
                    education: m.education,
                    school: m.school,
                    political: m.political,
                    has_medical_insurance: m.has_medical_insurance,
                    dibao: m.dibao,
                    tekun: m.tekun,
                    disability_grade: m.disability_grade,
                })
                .collect(),
            incomes: d
                .incomes
                .into_iter()
                .map(|e| IncomeDto {
                    net_income: e.record.net_income(),
                    per_capita: e.record.per_capita(),
                    record: e.record,
                    version: e.version,
                })
                .collect(),
            case: case.map(Into::into),
        }
    }
}

/// The decision table's advice.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecommendationsDto {
    /// What the table looked at.
    pub situation: Situation,
    /// Recommended classes with their rules (R1–R7).
    pub recommendations: Vec<Recommendation>,
    /// The classes, Chinese labels, in the same order (for a quick display).
    pub classes_zh: Vec<String>,
}

impl From<lifecycle::Recommendations> for RecommendationsDto {
    fn from(r: lifecycle::Recommendations) -> Self {
        use shouwang_core::CodeList;
        RecommendationsDto {
            classes_zh: r
                .recommendations
                .iter()
                .map(|x| x.class.label_zh().to_owned())
                .collect(),
            situation: r.situation,
            recommendations: r.recommendations,
        }
    }
}

/// Households per responsible cadre.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkloadDto {
    /// The cadre's user id.
    pub cadre_user_id: i64,
    /// The cadre's name.
    pub cadre_name: String,
    /// Households currently assigned.
    pub households: u64,
}

impl From<CadreLoad> for WorkloadDto {
    fn from(l: CadreLoad) -> Self {
        WorkloadDto {
            cadre_user_id: l.cadre_user_id,
            cadre_name: l.cadre_name,
            households: l.households,
        }
    }
}

/// One household's pre-judgment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateDto {
    /// The case.
    pub case: CaseRowDto,
    /// Every condition met: proposed for exit (预判风险消除).
    pub proposed: bool,
    /// The judgment with the unmet conditions (E01–E05) and the 缓退 categories.
    pub judgment: PreJudgment,
    /// The year of the monitoring line used (the latest set up to the day's year).
    pub line_year: i32,
}

impl From<Candidate> for CandidateDto {
    fn from(c: Candidate) -> Self {
        CandidateDto {
            line_year: c.line_year,
            proposed: c.judgment.proposed(),
            case: c.row.into(),
            judgment: c.judgment,
        }
    }
}

/// An issued notice.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeRowDto {
    /// 文号.
    pub number: String,
    /// Year.
    pub year: i32,
    /// Sequence in the county and year.
    pub sequence: i64,
    /// 户编号.
    pub household_number: String,
    /// 行政村 code.
    pub village_code: String,
    /// 告知日期.
    pub issued_on: NaiveDate,
}

impl From<NoticeRow> for NoticeRowDto {
    fn from(n: NoticeRow) -> Self {
        NoticeRowDto {
            number: n.number,
            year: n.year,
            sequence: n.sequence,
            household_number: n.household_number,
            village_code: n.village_code,
            issued_on: n.issued_on,
        }
    }
}

/// A household's exit notice with its printable text.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeDto {
    /// The notice.
    pub notice: ExitNotice,
    /// Its text.
    pub text: NoticeText,
    /// The text as plain lines.
    pub plain: String,
}

/// An uploaded file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentDto {
    /// SHA-256 (cite it in evidence as `{name, sha256, media_type}`).
    pub sha256: String,
    /// File name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: i64,
    /// Download path.
    pub url: String,
    /// Uploaded (UTC).
    pub uploaded_at: DateTime<Utc>,
}

impl From<AttachmentRow> for AttachmentDto {
    fn from(a: AttachmentRow) -> Self {
        AttachmentDto {
            url: format!("/api/v1/attachments/{}", a.sha256),
            sha256: a.sha256,
            name: a.name,
            media_type: a.media_type,
            size: a.size,
            uploaded_at: a.uploaded_at,
        }
    }
}

/// Clues waiting in a village.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageQueueDto {
    /// 行政村 code.
    pub village_code: String,
    /// Cases in 线索.
    pub cases: u64,
    /// The oldest 发现日期.
    pub oldest_reported_on: NaiveDate,
}

impl From<VillageQueue> for VillageQueueDto {
    fn from(v: VillageQueue) -> Self {
        VillageQueueDto {
            village_code: v.village_code,
            cases: v.cases,
            oldest_reported_on: v.oldest_reported_on,
        }
    }
}

/// A step waiting at the user's level.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitingDto {
    /// The case.
    pub case: CaseRowDto,
    /// The identification step waiting.
    pub ident_step: Option<IdentStep>,
    /// The exit step waiting.
    pub exit_step: Option<ExitStep>,
}

impl From<Waiting> for WaitingDto {
    fn from(w: Waiting) -> Self {
        WaitingDto {
            case: w.row.into(),
            ident_step: w.ident_step,
            exit_step: w.exit_step,
        }
    }
}

/// A user's work queues (工作台).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuesDto {
    /// The day.
    pub today: NaiveDate,
    /// 线索 waiting for 启动识别, per village.
    pub clues_waiting: Vec<VillageQueueDto>,
    /// Steps waiting at the user's level (审批待办).
    pub approvals: Vec<WaitingDto>,
    /// The month checked for overdue follow-ups.
    pub follow_up_month: YearMonth,
    /// Monitored households missing that month's follow-up.
    pub overdue_follow_ups: Vec<CaseRowDto>,
    /// 识别 past the time limit.
    pub overdue_identifications: Vec<CaseRowDto>,
    /// Monitored households without a responsible cadre.
    pub needs_cadre: Vec<CaseRowDto>,
    /// For a cadre: the households assigned.
    pub my_households: Vec<CaseRowDto>,
}

fn rows(v: Vec<CaseRow>) -> Vec<CaseRowDto> {
    v.into_iter().map(Into::into).collect()
}

impl From<Queues> for QueuesDto {
    fn from(q: Queues) -> Self {
        QueuesDto {
            today: q.today,
            clues_waiting: q.clues_waiting.into_iter().map(Into::into).collect(),
            approvals: q.approvals.into_iter().map(Into::into).collect(),
            follow_up_month: q.follow_up_month,
            overdue_follow_ups: rows(q.overdue_follow_ups),
            overdue_identifications: rows(q.overdue_identifications),
            needs_cadre: rows(q.needs_cadre),
            my_households: rows(q.my_households),
        }
    }
}

/// A task of the cadence calendar.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskDto {
    /// 行政村 code.
    pub village: String,
    /// What.
    pub kind: TaskKind,
    /// 任务名称.
    pub title_zh: String,
    /// For which month or quarter.
    pub period: Period,
    /// 截止日期.
    pub due_on: NaiveDate,
    /// State.
    pub status: TaskStatus,
    /// When found done.
    pub completed_on: Option<NaiveDate>,
    /// For a monthly follow-up: households still without a record.
    pub outstanding: Option<u64>,
}

impl From<TaskView> for TaskDto {
    fn from(t: TaskView) -> Self {
        use shouwang_core::CodeList;
        TaskDto {
            title_zh: format!("{}（{}）", t.task.kind.label_zh(), t.task.period.label_zh()),
            village: t.task.village,
            kind: t.task.kind,
            period: t.task.period,
            due_on: t.task.due_on,
            status: t.status,
            completed_on: t.completed_on,
            outstanding: t.outstanding,
        }
    }
}
