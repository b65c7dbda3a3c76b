//! 农村低收入人口常态化帮扶 (A4, §三(二)): who is in scope — derived from the registry and the cases, with the
//! rule and the member that put each household there ([`reasons`]) — the monthly visit ([`Visit`]) and the
//! 低收入人口台账's columns ([`LEDGER_COLUMNS`], [`ledger_row`]).
//!
//! The registry keeps no parents' status (deceased, missing, working away) and no 供养 relation, so the two
//! child categories and the "两无" elderly are read off what it does keep (ages, 与户主关系, 劳动技能):
//!
//! | category | rule on the registry |
//! | --- | --- |
//! | 风险消除的监测对象 | the household's latest case was closed by 风险消除 |
//! | 低保对象 / 特困人员 | a member receives 低保 / 特困 |
//! | 残疾人家庭 | a member is disabled (残疾 recorded, or a 残疾等级) |
//! | “两无”老人 | a member aged 60 or more without labour, in a household without a member aged 18–59 able to work |
//! | 孤儿和事实无人抚养儿童 | a member under 18 in a household without a member aged 18–59 able to work |
//! | 留守儿童 | a member under 16 registered as a grandchild, with neither parent (之子/之女/之儿媳/之女婿) registered |
//!
//! The county may switch any category off ([`LowIncomeRules::off`]).

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::codes::{CodeList, MonitoredType, Relation, RiskType, code_list};
use crate::household::{Household, Member};
use crate::ledger::{Column, ColumnKind, Value, col, t as text};
use crate::monitoring::calendar::YearMonth;
use crate::monitoring::{Lifecycle, Refusal};
use crate::registry::RegionNames;

use super::{check_text, household_cells};

code_list! {
    /// 低收入人口类别: why a household is in the low-income register (§三(二)).
    pub enum Category ("低收入人口类别", "low-income category") {
        FormerMonitored = ("former_monitored", "风险消除的监测对象", "Monitored household after risk elimination"),
        Dibao = ("dibao", "低保对象", "Minimum-living-allowance recipient"),
        Tekun = ("tekun", "特困人员", "Extreme-poverty support recipient"),
        Disabled = ("disabled", "残疾人家庭", "Household with a disabled member"),
        TwoWithout = ("two_without", "“两无”老人", "Elderly without labour and without support"),
        UnsupportedChild = ("unsupported_child", "孤儿和事实无人抚养儿童", "Orphan or de-facto unsupported child"),
        LeftBehindChild = ("left_behind_child", "留守儿童", "Left-behind child"),
    }
}

code_list! {
    /// 已享受政策: the policy checklist of a visit (§三(二) 分类帮扶).
    pub enum Policy ("已享受政策", "policy received") {
        Dibao = ("dibao", "低保", "Minimum living allowance"),
        Tekun = ("tekun", "特困供养", "Extreme-poverty support"),
        TemporaryRelief = ("temporary_relief", "临时救助", "Temporary relief"),
        MedicalAid = ("medical_aid", "医疗救助", "Medical aid"),
        EducationAid = ("education_aid", "教育资助", "Education aid"),
        DisabilitySubsidies = ("disability_subsidies", "残疾人两项补贴", "Two disability subsidies"),
        PensionPaid = ("pension_paid", "养老保险代缴", "Pension contributions paid"),
        WelfarePost = ("welfare_post", "公益岗位", "Public-welfare post"),
    }
}

/// The county's switches of the low-income register (县级规则). `#[serde(default)]`: every category on.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LowIncomeRules {
    /// Categories the county does not count (switched off).
    pub off: BTreeSet<Category>,
}

impl LowIncomeRules {
    /// Whether the county counts `c`.
    pub fn counts(&self, c: Category) -> bool {
        !self.off.contains(&c)
    }
}

/// Why a household is in scope: the rule, and the member it applies to (none for a household rule).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    /// The rule.
    pub category: Category,
    /// The member's 姓名 (none for 风险消除的监测对象).
    pub member: Option<String>,
    /// The member's place in the household (0 = first).
    pub position: Option<usize>,
}

impl Reason {
    /// `低保对象（张三）`.
    pub fn label_zh(&self) -> String {
        match &self.member {
            Some(m) => format!("{}（{m}）", self.category.label_zh()),
            None => self.category.label_zh().to_owned(),
        }
    }
}

/// The household's latest case, as far as the scope needs it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct CaseFacts {
    /// Its latest case was closed by 风险消除, with this 监测对象类别 (if recorded).
    pub eliminated: Option<Option<MonitoredType>>,
}

impl CaseFacts {
    /// The facts of a household whose latest case is in `lifecycle` (none: never a case), registered with
    /// `monitored_type`.
    pub fn of(lifecycle: Option<Lifecycle>, monitored_type: Option<MonitoredType>) -> CaseFacts {
        CaseFacts {
            eliminated: (lifecycle == Some(Lifecycle::Eliminated)).then_some(monitored_type),
        }
    }
}

fn able_adult(m: &Member, on: NaiveDate) -> bool {
    (18..60).contains(&m.age_on(on)) && m.labour.can_work()
}

fn is_grandchild(r: Relation) -> bool {
    matches!(
        r,
        Relation::Grandson
            | Relation::Granddaughter
            | Relation::DaughtersSon
            | Relation::DaughtersDaughter
    )
}

fn is_parent_generation(r: Relation) -> bool {
    matches!(
        r,
        Relation::Son | Relation::Daughter | Relation::DaughterInLaw | Relation::SonInLaw
    )
}

/// Every reason that puts `h` in the low-income register on `on` (empty: not in scope), in category order,
/// the categories the county switched off left out. See the module doc for each rule.
pub fn reasons(
    h: &Household,
    case: CaseFacts,
    on: NaiveDate,
    rules: &LowIncomeRules,
) -> Vec<Reason> {
    let mut out = Vec::new();
    let mut push = |category: Category, m: Option<(usize, &Member)>| {
        if rules.counts(category) {
            out.push(Reason {
                category,
                member: m.map(|(_, m)| m.name.clone()),
                position: m.map(|(i, _)| i),
            });
        }
    };
    if case.eliminated.is_some() {
        push(Category::FormerMonitored, None);
    }
    let members = || h.members.iter().enumerate();
    let supported = h.members.iter().any(|m| able_adult(m, on));
    let parents = h.members.iter().any(|m| is_parent_generation(m.relation));
    for (cat, pred) in [
        (
            Category::Dibao,
            &(|m: &Member| m.dibao.is_receiving()) as &dyn Fn(&Member) -> bool,
        ),
        (Category::Tekun, &|m: &Member| m.tekun.is_receiving()),
        (Category::Disabled, &|m: &Member| m.is_disabled()),
        (Category::TwoWithout, &|m: &Member| {
            !supported && m.age_on(on) >= 60 && !m.labour.can_work()
        }),
        (Category::UnsupportedChild, &|m: &Member| {
            !supported && m.age_on(on) < 18
        }),
        (Category::LeftBehindChild, &|m: &Member| {
            !parents && m.age_on(on) < 16 && is_grandchild(m.relation)
        }),
    ] {
        for (i, m) in members().filter(|(_, m)| pred(m)) {
            push(cat, Some((i, m)));
        }
    }
    out
}

/// Members of compulsory-school age (6–15) in school status none or 学龄前 — the dropout watch
/// (控辍保学) of a household in scope: their names.
pub fn dropout_watch(h: &Household, on: NaiveDate) -> Vec<String> {
    h.members
        .iter()
        .filter(|m| on_dropout_watch(m, on))
        .map(|m| m.name.clone())
        .collect()
}

/// Whether `m` is on the dropout watch on `on`: aged 6–15 and not recorded in school.
fn on_dropout_watch(m: &Member, on: NaiveDate) -> bool {
    (6..16).contains(&m.age_on(on)) && !m.is_in_school()
}

/// 控辍保学 as a problem of the 问题台账 (§三(二)3 "特别要关注……义务教育政策落实，不得出现辍学现象"): for a
/// household whose dropout watch ([`dropout_watch`]) is not empty on `on`, the 义务教育 problem to rectify and
/// close (县教育局, within 30 days), in words that name no member; `None` otherwise. Closing it (销号) is the
/// date the watch was closed.
pub fn dropout_problem(
    h: &Household,
    on: NaiveDate,
) -> Option<crate::monitoring::problem::NewProblem> {
    let ages: Vec<String> = h
        .members
        .iter()
        .filter(|m| on_dropout_watch(m, on))
        .map(|m| format!("{}周岁", m.age_on(on)))
        .collect();
    (!ages.is_empty()).then(|| crate::monitoring::problem::NewProblem {
        village: h.village.clone(),
        household: Some(h.number.clone()),
        sector: crate::codes::Guarantee::CompulsoryEducation,
        found: format!(
            "控辍保学：{}名义务教育年龄儿童（{}）未在校（低收入人口走访发现）",
            ages.len(),
            ages.join("、")
        ),
        unit: crate::monitoring::problem::ResponsibleUnit::Education,
        deadline: on + chrono::Duration::days(30),
    })
}

/// The most characters of a visit's text field.
pub const MAX_TEXT: usize = 500;

/// 走访记录: the monthly visit of a household in scope (§三(二) 常态化帮扶).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Visit {
    /// 走访月份.
    pub month: YearMonth,
    /// 走访日期.
    pub visited_on: NaiveDate,
    /// 家庭需求.
    pub needs: String,
    /// 已享受政策.
    pub policies: Vec<Policy>,
    /// 存在困难.
    pub difficulties: String,
    /// 帮扶措施 arranged.
    pub help: String,
    /// 下一步打算.
    pub next_step: String,
    /// 发现的新风险 (each files a clue of channel 干部排查).
    pub new_risks: Vec<RiskType>,
    /// 分类帮扶: where the household's applications to 民政 for 低保 or 特困 stand at this visit (§三(二)3).
    #[serde(default)]
    pub applications: Vec<super::classified_help::Application>,
}

impl Visit {
    /// Refuses a visit outside its month or in the future, an overlong text, or one without 家庭需求 and
    /// 帮扶措施 both empty (a visit records what was found or done).
    pub fn validate(&self, today: NaiveDate) -> Result<(), Refusal> {
        super::check_record_day(
            crate::monitoring::calendar::Period::Month(self.month),
            self.visited_on,
            today,
        )?;
        for (what, text) in [
            ("家庭需求", &self.needs),
            ("存在困难", &self.difficulties),
            ("帮扶措施", &self.help),
            ("下一步打算", &self.next_step),
        ] {
            check_text(what, text, MAX_TEXT)?;
        }
        if self.needs.trim().is_empty() && self.help.trim().is_empty() {
            return Err(Refusal::invalid(
                "请填写家庭需求或帮扶措施",
                "Fill in the household's needs or the help arranged",
            ));
        }
        super::classified_help::validate(&self.applications)?;
        if self.new_risks.len() > crate::household::MAX_RISKS {
            return Err(Refusal::invalid(
                "新发现风险最多 5 项",
                "At most 5 new risks",
            ));
        }
        Ok(())
    }
}

/// 低收入人口台账: one row per household in scope and month visited (a household not visited in the range
/// has one row without a visit).
pub const LEDGER_COLUMNS: &[Column] = &[
    col("序号", 6.0, ColumnKind::Number),
    col("乡（镇）", 14.0, ColumnKind::Text),
    col("行政村", 14.0, ColumnKind::Text),
    col("户编号", 20.0, ColumnKind::Digits),
    col("户主姓名", 10.0, ColumnKind::Text),
    col("户主身份证号", 20.0, ColumnKind::Digits),
    col("家庭人口", 8.0, ColumnKind::Number),
    col("低收入人口类别", 36.0, ColumnKind::Text),
    col("走访月份", 10.0, ColumnKind::Text),
    col("走访日期", 12.0, ColumnKind::Date),
    col("家庭需求", 30.0, ColumnKind::Text),
    col("已享受政策", 30.0, ColumnKind::Text),
    col("存在困难", 30.0, ColumnKind::Text),
    col("帮扶措施", 30.0, ColumnKind::Text),
    col("下一步打算", 30.0, ColumnKind::Text),
    col("新发现风险", 16.0, ColumnKind::Text),
    col("走访人", 12.0, ColumnKind::Text),
    col("低保、特困申请", 20.0, ColumnKind::Text),
];

/// One row of the 低收入人口台账 (`seq` from 1); the head's ID number in full when `full_ids`.
pub fn ledger_row(
    seq: usize,
    h: &Household,
    names: &RegionNames,
    reasons: &[Reason],
    visit: Option<(&Visit, &str)>,
    full_ids: bool,
) -> Vec<Value> {
    let join = |v: Vec<String>| v.join("、");
    let mut row = household_cells(seq, h, names, full_ids);
    row.extend([text(join(reasons.iter().map(Reason::label_zh).collect()))]);
    match visit {
        Some((v, by)) => row.extend([
            text(v.month.label_zh()),
            text(v.visited_on.to_string()),
            text(v.needs.clone()),
            text(join(
                v.policies.iter().map(|p| p.label_zh().to_owned()).collect(),
            )),
            text(v.difficulties.clone()),
            text(v.help.clone()),
            text(v.next_step.clone()),
            text(join(
                v.new_risks
                    .iter()
                    .map(|r| r.label_zh().to_owned())
                    .collect(),
            )),
            text(by),
            text(join(v.applications.iter().map(|a| a.label_zh()).collect())),
        ]),
        None => row.extend(std::iter::repeat_n(Value::Empty, 10)),
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{Dibao, HealthStatus, LabourSkill, Tekun};
    use crate::household::tests::{d, household, member};

    fn on() -> NaiveDate {
        d(2026, 6, 1)
    }

    fn cats(h: &Household, case: CaseFacts) -> Vec<(Category, Option<String>)> {
        reasons(h, case, on(), &LowIncomeRules::default())
            .into_iter()
            .map(|r| (r.category, r.member))
            .collect()
    }

    #[test]
    fn an_ordinary_household_is_out_of_scope() {
        assert!(cats(&household(), CaseFacts::default()).is_empty());
    }

    #[test]
    fn risk_eliminated_household_is_in_scope() {
        let case = CaseFacts {
            eliminated: Some(Some(MonitoredType::Marginal)),
        };
        assert_eq!(
            cats(&household(), case),
            [(Category::FormerMonitored, None)]
        );
    }

    #[test]
    fn dibao_tekun_disabled_name_the_member() {
        let mut h = household();
        h.members[1].dibao = Dibao::Rural;
        h.members[0].tekun = Tekun::Rural;
        h.members[0].health = vec![HealthStatus::Disabled];
        assert_eq!(
            cats(&h, CaseFacts::default()),
            [
                (Category::Dibao, Some("成员22".to_owned())),
                (Category::Tekun, Some("成员11".to_owned())),
                (Category::Disabled, Some("成员11".to_owned())),
            ]
        );
        let off = LowIncomeRules {
            off: [Category::Dibao, Category::Disabled].into(),
        };
        let r: Vec<Category> = reasons(&h, CaseFacts::default(), on(), &off)
            .into_iter()
            .map(|r| r.category)
            .collect();
        assert_eq!(r, [Category::Tekun]);
    }

    #[test]
    fn two_without_elderly_and_unsupported_children() {
        // An old couple without labour raising a grandson: 两无 elderly, an unsupported and a left-behind child.
        let mut h = household();
        h.members = vec![
            member(d(1950, 1, 1), 11, Relation::Head),
            member(d(1952, 1, 1), 22, Relation::Spouse),
            member(d(2014, 1, 1), 33, Relation::Grandson),
        ];
        h.members[0].labour = LabourSkill::None;
        h.members[1].labour = LabourSkill::Lost;
        h.members[2].labour = LabourSkill::None;
        assert_eq!(
            cats(&h, CaseFacts::default()),
            [
                (Category::TwoWithout, Some("成员11".to_owned())),
                (Category::TwoWithout, Some("成员22".to_owned())),
                (Category::UnsupportedChild, Some("成员33".to_owned())),
                (Category::LeftBehindChild, Some("成员33".to_owned())),
            ]
        );
        // An able grandmother of 59 supports them: only the left-behind child remains.
        h.members[1] = member(d(1967, 7, 1), 22, Relation::Spouse);
        assert_eq!(
            cats(&h, CaseFacts::default()),
            [(Category::LeftBehindChild, Some("成员33".to_owned()))]
        );
        // With the child's father registered, he is no left-behind child either.
        h.members.push(member(d(1990, 1, 1), 44, Relation::Son));
        assert!(cats(&h, CaseFacts::default()).is_empty());
    }

    #[test]
    fn a_child_of_school_age_without_school_is_watched() {
        let mut h = household();
        h.members.push(member(d(2015, 1, 1), 33, Relation::Son));
        h.members[2].school = None;
        assert_eq!(dropout_watch(&h, on()), ["成员33"]);
        let p = dropout_problem(&h, on()).expect("a problem to close");
        assert_eq!(p.sector, crate::codes::Guarantee::CompulsoryEducation);
        assert_eq!(p.household.as_deref(), Some(h.number.as_str()));
        assert!(
            p.found.contains("1名") && !p.found.contains("成员33"),
            "{}",
            p.found
        );
        assert_eq!(p.deadline, on() + chrono::Duration::days(30));
        h.members[2].school = Some(crate::codes::SchoolStatus::Primary);
        assert!(dropout_watch(&h, on()).is_empty());
        assert!(dropout_problem(&h, on()).is_none());
    }

    fn visit() -> Visit {
        Visit {
            month: YearMonth::new(2026, 6).unwrap(),
            visited_on: d(2026, 6, 5),
            needs: "护理".to_owned(),
            policies: vec![Policy::Dibao],
            difficulties: String::new(),
            help: "申请临时救助".to_owned(),
            next_step: String::new(),
            new_risks: vec![],
            applications: vec![],
        }
    }

    #[test]
    fn a_visit_is_checked() {
        assert!(visit().validate(d(2026, 6, 30)).is_ok());
        assert!(visit().validate(d(2026, 6, 4)).is_err(), "in the future");
        let mut v = visit();
        v.visited_on = d(2026, 7, 1);
        assert!(v.validate(d(2026, 7, 2)).is_err(), "outside its month");
        let mut v = visit();
        v.needs.clear();
        v.help = " ".to_owned();
        assert!(v.validate(d(2026, 6, 30)).is_err(), "nothing found or done");
        let mut v = visit();
        v.difficulties = "难".repeat(MAX_TEXT + 1);
        assert!(v.validate(d(2026, 6, 30)).is_err(), "overlong");
    }

    #[test]
    fn ledger_rows_fit_the_columns() {
        let h = household();
        let names = RegionNames::default();
        let r = [Reason {
            category: Category::Dibao,
            member: Some("成员22".to_owned()),
            position: Some(1),
        }];
        let v = visit();
        let row = ledger_row(1, &h, &names, &r, Some((&v, "村专班")), false);
        assert_eq!(row.len(), LEDGER_COLUMNS.len());
        assert_eq!(row[7], Value::Text("低保对象（成员22）".to_owned()));
        assert!(row[5].to_text().contains('*'));
        let empty = ledger_row(2, &h, &names, &r, None, true);
        assert_eq!(empty.len(), LEDGER_COLUMNS.len());
        assert_eq!(empty[8], Value::Empty);
    }
}
