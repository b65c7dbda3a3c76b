//! `shouwang household …`: a household's changes between registry imports from the command line (户情变更):
//! `show`, `member add|update|leave`, `head`, `update`.
//!
//! Every write goes through `shouwang_app::households::change`, the same function as the household page's
//! forms and `/api/v1/households/{n}/…`; `--json` prints the API's shapes.

use anyhow::anyhow;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_app::Caller;
use shouwang_app::households::{
    self, Change, ChangeRequest, Changed, HouseholdPatch, MemberPatch, MemberRef, NewMember,
};
use shouwang_app::views::HouseholdDto;
use shouwang_core::CodeList;
use shouwang_core::codes::{
    Dibao, Education, HealthStatus, LabourSkill, PoliticalStatus, Relation, SchoolStatus, Sex,
    Tekun,
};
use shouwang_core::household::changes::{JoinReason, LeaveReason};
use shouwang_store::repo;
use shouwang_store::repo::cases::CaseQuery;
use shouwang_store::{Db, StoreError};

use crate::config::{DbArgs, Failure, refused};

/// Arguments of `shouwang household`.
#[derive(Args, Debug)]
#[command(after_help = "\
Acting user: --user (or --as) names an existing account; its role and area limit what the command \
reads and changes (村级工作专班 its village, 乡镇管理员 its township …); a cadre, a department clerk and an \
auditor may not change the registry. The audit log names the user.

A member is named by its member_id (see `household show`) or its full ID number. Writes take \
--version: the household's version read with `household show`, except `member update`, which takes the \
member's; a stale one is refused. Codes are the code or the Chinese label (--dibao rural or --dibao 农村低保).

Exit codes: 0 done; 1 other error; 2 bad input; 3 not allowed for the role or area; 4 not found in the \
user's area; 5 refused: stale version, an ID number registered elsewhere.")]
pub struct HouseholdArgs {
    /// The user to act as (user name).
    #[arg(long, visible_alias = "as", env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: HouseholdCommand,
}

#[derive(Subcommand, Debug)]
pub enum HouseholdCommand {
    /// Show a household: members with member_id and version, former members.
    Show { household: String },
    /// A member joins, changes or leaves (新增成员, 修改成员信息, 减员).
    Member {
        #[command(subcommand)]
        command: Box<MemberCmd>,
    },
    /// 变更户主: MEMBER becomes the head.
    Head {
        household: String,
        /// The new head: member_id or full ID number.
        member: String,
        /// The former head's new 与户主关系 (e.g. father 之父, spouse 配偶).
        #[arg(long)]
        former_head_becomes: String,
        /// The household's version read.
        #[arg(long)]
        version: i64,
    },
    /// The household's own fields: 易地搬迁, 家庭住址, 联系电话.
    Update {
        household: String,
        /// 易地扶贫搬迁户: yes or no.
        #[arg(long)]
        relocated: Option<String>,
        #[arg(long)]
        address: Option<String>,
        /// 联系电话 ("" clears it).
        #[arg(long)]
        phone: Option<String>,
        /// The household's version read.
        #[arg(long)]
        version: i64,
    },
}

#[derive(Subcommand, Debug)]
pub enum MemberCmd {
    /// 新增成员 (出生, 婚入 …).
    Add {
        household: String,
        /// birth 出生, marriage 婚入, moved_in 迁入, other 其他.
        #[arg(long)]
        reason: String,
        /// The date of the birth, marriage or move (default: the birth date for a birth, else today).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// 身份证号.
        #[arg(long)]
        id_number: String,
        /// 姓名.
        #[arg(long)]
        name: String,
        /// 性别 (default: the ID number's).
        #[arg(long)]
        sex: Option<String>,
        /// 与户主关系, e.g. son 之子.
        #[arg(long)]
        relation: String,
        /// 劳动技能, e.g. none 无劳动力.
        #[arg(long)]
        labour: String,
        /// 健康状况 (repeat for several).
        #[arg(long = "health", required = true)]
        health: Vec<String>,
        /// 文化程度.
        #[arg(long)]
        education: Option<String>,
        /// 在校生状况.
        #[arg(long)]
        school: Option<String>,
        /// 政治面貌 (default masses 群众).
        #[arg(long)]
        political: Option<String>,
        /// 参加基本医疗保险: yes or no.
        #[arg(long, default_value = "yes")]
        insured: String,
        /// 低保 (default none).
        #[arg(long)]
        dibao: Option<String>,
        /// 特困 (default none).
        #[arg(long)]
        tekun: Option<String>,
        /// 残疾等级 1-4.
        #[arg(long)]
        disability: Option<u8>,
        /// The household's version read.
        #[arg(long)]
        version: i64,
    },
    /// A member's fields (those given change; `none` clears --education, --school, --disability).
    Update {
        household: String,
        /// member_id or full ID number.
        member: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        relation: Option<String>,
        #[arg(long)]
        labour: Option<String>,
        /// 健康状况 (repeat for several; replaces the list).
        #[arg(long = "health")]
        health: Vec<String>,
        /// 残疾等级 1-4, or none.
        #[arg(long)]
        disability: Option<String>,
        /// 文化程度, or none.
        #[arg(long)]
        education: Option<String>,
        /// 在校生状况, or none (left school).
        #[arg(long)]
        school: Option<String>,
        #[arg(long)]
        political: Option<String>,
        /// yes or no.
        #[arg(long)]
        insured: Option<String>,
        #[arg(long)]
        dibao: Option<String>,
        #[arg(long)]
        tekun: Option<String>,
        /// The member's version read.
        #[arg(long)]
        version: i64,
    },
    /// 减员: the member died or moved out (kept as a former member).
    Leave {
        household: String,
        /// member_id or full ID number.
        member: String,
        /// death 死亡 or moved_out 迁出.
        #[arg(long)]
        reason: String,
        /// The date (default today).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// The household's version read.
        #[arg(long)]
        version: i64,
    },
}

fn bad(msg: String) -> anyhow::Error {
    anyhow!(Failure { code: 2 }).context(msg)
}

fn code<T: CodeList>(s: &str) -> anyhow::Result<T> {
    T::from_any(s).ok_or_else(|| {
        let known: Vec<&str> = T::all().iter().map(|v| v.code()).collect();
        bad(format!(
            "未知的{} / unknown {}: {s:?}; one of: {}",
            T::list_name_zh(),
            T::list_name_en(),
            known.join(", ")
        ))
    })
}

fn opt_code<T: CodeList>(s: Option<&str>) -> anyhow::Result<Option<T>> {
    s.map(code).transpose()
}

/// `none` (or 无, blank) → `Some(None)`, a value → `Some(Some(v))`, absent → `None`.
fn clearable<T>(
    s: Option<&str>,
    parse: impl Fn(&str) -> anyhow::Result<T>,
) -> anyhow::Result<Option<Option<T>>> {
    match s.map(str::trim) {
        None => Ok(None),
        Some("" | "none" | "无") => Ok(Some(None)),
        Some(v) => parse(v).map(|x| Some(Some(x))),
    }
}

fn yes_no(s: &str) -> anyhow::Result<bool> {
    match shouwang_core::registry::values::yes_no(s) {
        Ok(Some(b)) => Ok(b),
        _ => Err(bad(format!("应为 yes 或 no / expected yes or no: {s:?}"))),
    }
}

fn grade(s: &str) -> anyhow::Result<u8> {
    s.parse()
        .map_err(|_| bad(format!("残疾等级应为 1 至 4 / disability grade 1-4: {s:?}")))
}

fn health(v: &[String]) -> anyhow::Result<Vec<HealthStatus>> {
    v.iter().map(|h| code::<HealthStatus>(h)).collect()
}

fn member_ref(s: &str) -> anyhow::Result<MemberRef> {
    MemberRef::parse(s).map_err(refused)
}

/// Runs `shouwang household …`.
pub async fn run(args: HouseholdArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = shouwang_app::caller_by_username(&db, &args.user)
        .await
        .map_err(refused)?
        .ok_or_else(|| {
            anyhow!(Failure { code: 3 }).context(crate::config::no_such_user(&args.user))
        })?;
    let (household, version, change, what) = match args.command {
        HouseholdCommand::Show { household } => {
            return show(&db, &caller, &household, args.json).await;
        }
        HouseholdCommand::Member { command } => match *command {
            MemberCmd::Add {
                household,
                reason,
                on,
                id_number,
                name,
                sex,
                relation,
                labour,
                health: h,
                education,
                school,
                political,
                insured,
                dibao,
                tekun,
                disability,
                version,
            } => {
                let member = NewMember {
                    reason: code::<JoinReason>(&reason)?,
                    on,
                    id_number,
                    name,
                    sex: opt_code::<Sex>(sex.as_deref())?,
                    relation: code::<Relation>(&relation)?,
                    labour: code::<LabourSkill>(&labour)?,
                    health: health(&h)?,
                    education: opt_code::<Education>(education.as_deref())?,
                    school: opt_code::<SchoolStatus>(school.as_deref())?,
                    political: opt_code::<PoliticalStatus>(political.as_deref())?,
                    has_medical_insurance: yes_no(&insured)?,
                    dibao: opt_code::<Dibao>(dibao.as_deref())?,
                    tekun: opt_code::<Tekun>(tekun.as_deref())?,
                    disability_grade: disability,
                };
                (
                    household,
                    version,
                    Change::AddMember(member),
                    "已登记新增成员 / member added",
                )
            }
            MemberCmd::Update {
                household,
                member,
                name,
                relation,
                labour,
                health: h,
                disability,
                education,
                school,
                political,
                insured,
                dibao,
                tekun,
                version,
            } => {
                let patch = MemberPatch {
                    name,
                    relation: opt_code(relation.as_deref())?,
                    labour: opt_code(labour.as_deref())?,
                    health: if h.is_empty() {
                        None
                    } else {
                        Some(health(&h)?)
                    },
                    disability_grade: clearable(disability.as_deref(), grade)?,
                    education: clearable(education.as_deref(), code::<Education>)?,
                    school: clearable(school.as_deref(), code::<SchoolStatus>)?,
                    political: opt_code(political.as_deref())?,
                    has_medical_insurance: insured.as_deref().map(yes_no).transpose()?,
                    dibao: opt_code(dibao.as_deref())?,
                    tekun: opt_code(tekun.as_deref())?,
                };
                let change = Change::UpdateMember {
                    member: member_ref(&member)?,
                    patch,
                };
                (
                    household,
                    version,
                    change,
                    "已保存成员信息 / member changed",
                )
            }
            MemberCmd::Leave {
                household,
                member,
                reason,
                on,
                version,
            } => {
                let change = Change::Leave {
                    member: member_ref(&member)?,
                    reason: code::<LeaveReason>(&reason)?,
                    on,
                };
                (
                    household,
                    version,
                    change,
                    "已登记减员 / departure recorded",
                )
            }
        },
        HouseholdCommand::Head {
            household,
            member,
            former_head_becomes,
            version,
        } => {
            let change = Change::ChangeHead {
                member: member_ref(&member)?,
                former_head_becomes: code::<Relation>(&former_head_becomes)?,
            };
            (household, version, change, "已变更户主 / head changed")
        }
        HouseholdCommand::Update {
            household,
            relocated,
            address,
            phone,
            version,
        } => {
            let patch = HouseholdPatch {
                is_relocated: relocated.as_deref().map(yes_no).transpose()?,
                address,
                phone,
            };
            (
                household,
                version,
                Change::UpdateHousehold(patch),
                "已保存户信息 / household changed",
            )
        }
    };
    let done = households::change(
        &db,
        &caller,
        ChangeRequest {
            household,
            version,
            change,
        },
    )
    .await
    .map_err(refused)?;
    print_changed(&done, what, args.json)
}

fn print_changed(done: &Changed, what: &str, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(done)?);
        return Ok(());
    }
    let what = if done.written {
        what
    } else {
        "没有需要保存的修改 / nothing to change"
    };
    let mut line = format!(
        "{what}. 户编号 {}  版本 version {}",
        done.household, done.version
    );
    if let (Some(id), Some(v)) = (&done.member_id, done.member_version) {
        line.push_str(&format!(
            "  成员 member_id {id}  成员版本 member version {v}"
        ));
    }
    println!("{line}");
    Ok(())
}

/// `household show`: the household as the API answers it (ID numbers as the role may see them; a full
/// view is written to the audit log).
async fn show(db: &Db, caller: &Caller, number: &str, json: bool) -> anyhow::Result<()> {
    let store = |e: StoreError| refused(e);
    let scope = &caller.scope;
    let d = shouwang_app::households::show(db, caller, number, scope.may_view_full_id())
        .await
        .map_err(refused)?
        .ok_or_else(|| refused(shouwang_app::Error::not_found()))?;
    let village = d.household.village.as_str().to_owned();
    let case = repo::cases::list(
        db,
        scope,
        &CaseQuery {
            region: Some(village.clone()),
            ..CaseQuery::default()
        },
        1,
        repo::MAX_PER_PAGE,
    )
    .await
    .map_err(store)?
    .items
    .into_iter()
    .find(|r| r.household_number == d.household.number);
    let dto = HouseholdDto::of(d, case, scope, shouwang_app::today());
    if json {
        println!("{}", serde_json::to_string_pretty(&dto)?);
        return Ok(());
    }
    println!(
        "户编号 {}  村 {}  家庭人口 {}  版本 version {}{}",
        dto.number,
        dto.village_name.as_deref().unwrap_or(&dto.village_code),
        dto.members.len(),
        dto.version,
        if dto.is_relocated {
            "  易地扶贫搬迁户"
        } else {
            ""
        }
    );
    println!(
        "住址 {}  电话 {}",
        dto.address,
        dto.phone.as_deref().unwrap_or("—")
    );
    println!("member_id            版本  姓名      与户主关系  身份证号            劳动技能  低保");
    for m in &dto.members {
        println!(
            "{:<20} {:>4}  {:<8}  {:<10}  {:<18}  {:<8}  {}",
            m.member_id,
            m.version,
            m.name,
            m.relation.label_zh(),
            m.id_number,
            m.labour.label_zh(),
            m.dibao.label_zh()
        );
    }
    if !dto.former_members.is_empty() {
        println!("原家庭成员 / former members:");
        for f in &dto.former_members {
            println!(
                "  {}  {}  {}  {} {}",
                f.name,
                f.relation.label_zh(),
                f.id_number,
                f.reason.label_zh(),
                f.left_on
            );
        }
    }
    Ok(())
}
