//! 户情变更: the rules of one change to a household made between two registry imports (issue 17) — a
//! member joins (出生, 婚入 …), a member leaves (死亡, 迁出), a member's situation changes (劳动技能, 健康状况,
//! 低保 …), the household's own fields change (易地搬迁, 家庭住址, 联系电话).
//!
//! Whatever makes the change (a page, the API, the command line), the household after it still obeys the
//! whole-household rules ([`super::validate_members`]: exactly one 户主, no ID number twice) and every
//! member the rules of a registry row ([`check_member`]: the ones `registry::member_row` applies to a file:
//! a name, a 健康状况, a 残疾等级 of 1 to 4, the 性别 of the ID number). A member who leaves is kept as a
//! former member 原家庭成员 with the reason and the date ([`check_departure`]), so the household's history
//! stays readable; he no longer counts (家庭人口, screening, ledgers).
//!
//! Every refusal is a [`ChangeProblem`] with the reason in Chinese and English.

use chrono::NaiveDate;

use super::Member;
use crate::codes::{CodeList, Relation, code_list};

/// The longest name (registry rule: 姓名 at most 64 characters).
pub const MAX_NAME_CHARS: usize = 64;
/// The longest 家庭住址 (registry rule).
pub const MAX_ADDRESS_CHARS: usize = 200;
/// The longest 联系电话 (one or two numbers).
pub const MAX_PHONE_CHARS: usize = 40;
/// The most 健康状况 values a member may carry.
pub const MAX_HEALTH: usize = 8;

code_list! {
    /// 成员增加原因: why a member joins a household between two imports.
    pub enum JoinReason ("成员增加原因", "reason for joining") {
        Birth = ("birth", "出生", "Birth"),
        Marriage = ("marriage", "婚入", "Marriage"),
        MovedIn = ("moved_in", "迁入", "Moved in"),
        Other = ("other", "其他", "Other"),
    }
}

code_list! {
    /// 成员减少原因: why a member leaves a household (he is kept as a former member 原家庭成员).
    pub enum LeaveReason ("成员减少原因", "reason for leaving") {
        Death = ("death", "死亡", "Death"),
        MovedOut = ("moved_out", "迁出", "Moved out"),
    }
}

/// A change that breaks a rule (户情变更校验问题).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ChangeProblem {
    /// 姓名 blank or longer than [`MAX_NAME_CHARS`].
    Name,
    /// No 健康状况, or more than [`MAX_HEALTH`].
    Health,
    /// 残疾等级 other than 1 to 4.
    DisabilityGrade(u8),
    /// 性别 disagrees with the ID number.
    SexDisagrees,
    /// The birth date in the ID number is after today.
    BornInFuture(NaiveDate),
    /// 出生: a newborn cannot be 户主 or 配偶.
    NewbornRelation(Relation),
    /// A date after today.
    DateInFuture(NaiveDate),
    /// The member left before he was born.
    LeftBeforeBirth(NaiveDate),
    /// The 户主 cannot leave: change the head first.
    HeadLeaves,
    /// The last member cannot leave.
    LastMember,
    /// 家庭住址 blank or longer than [`MAX_ADDRESS_CHARS`].
    Address,
    /// 联系电话 with other characters than digits and `+-() ,、/`, or too long.
    Phone,
}

impl ChangeProblem {
    /// The reason in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            ChangeProblem::Name => format!("姓名应为 1 至 {MAX_NAME_CHARS} 个字"),
            ChangeProblem::Health => {
                format!("健康状况必填（健康，或疾病、残疾，最多 {MAX_HEALTH} 项）")
            }
            ChangeProblem::DisabilityGrade(g) => format!("残疾等级“{g}”应为 1 至 4 级"),
            ChangeProblem::SexDisagrees => "性别与身份证号不符（按身份证号第 17 位）".to_owned(),
            ChangeProblem::BornInFuture(d) => {
                format!("身份证号中的出生日期 {d} 晚于今天，请核对号码")
            }
            ChangeProblem::NewbornRelation(r) => {
                format!("新出生的成员不能是“{}”，请核对与户主关系", r.label_zh())
            }
            ChangeProblem::DateInFuture(d) => format!("日期 {d} 晚于今天"),
            ChangeProblem::LeftBeforeBirth(d) => {
                format!("日期 {d} 早于该成员的出生日期")
            }
            ChangeProblem::HeadLeaves => {
                "户主死亡或迁出前，请先变更户主（由其他成员任户主）".to_owned()
            }
            ChangeProblem::LastMember => {
                "该户仅剩这一名成员，不能登记减员（整户注销请在全国系统办理后重新导入）".to_owned()
            }
            ChangeProblem::Address => format!("家庭住址必填，最多 {MAX_ADDRESS_CHARS} 字"),
            ChangeProblem::Phone => format!(
                "联系电话只能包含数字、空格和 + - ( ) , 、 /，最多 {MAX_PHONE_CHARS} 个字符"
            ),
        }
    }

    /// The reason in English.
    pub fn message_en(&self) -> String {
        match self {
            ChangeProblem::Name => format!("The name must have 1 to {MAX_NAME_CHARS} characters"),
            ChangeProblem::Health => format!(
                "The health status is required (healthy, or illnesses and disability; at most {MAX_HEALTH})"
            ),
            ChangeProblem::DisabilityGrade(g) => {
                format!("Disability grade {g} must be 1 to 4")
            }
            ChangeProblem::SexDisagrees => {
                "The sex disagrees with the ID number (its 17th digit)".to_owned()
            }
            ChangeProblem::BornInFuture(d) => {
                format!("The birth date in the ID number ({d}) is after today")
            }
            ChangeProblem::NewbornRelation(r) => {
                format!("A newborn member cannot be {}", r.label_en().to_lowercase())
            }
            ChangeProblem::DateInFuture(d) => format!("The date {d} is after today"),
            ChangeProblem::LeftBeforeBirth(d) => {
                format!("The date {d} is before the member's birth")
            }
            ChangeProblem::HeadLeaves => {
                "The head of household cannot leave: make another member the head first".to_owned()
            }
            ChangeProblem::LastMember => "The household's last member cannot leave".to_owned(),
            ChangeProblem::Address => {
                format!("The address is required, at most {MAX_ADDRESS_CHARS} characters")
            }
            ChangeProblem::Phone => format!(
                "The phone number may hold digits, spaces and + - ( ) , 、 / only, at most {MAX_PHONE_CHARS} characters"
            ),
        }
    }
}

impl std::fmt::Display for ChangeProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message_zh(), self.message_en())
    }
}

/// `Ok` when there is no problem, else every problem.
fn problems_or_ok(problems: Vec<ChangeProblem>) -> Result<(), Vec<ChangeProblem>> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The rules of one member as a registry row has them (`registry::member_row`), on `today`: a name of 1 to
/// [`MAX_NAME_CHARS`] characters, a 健康状况 (1 to [`MAX_HEALTH`] values), a 残疾等级 of 1 to 4, the 性别 of
/// the ID number, and a birth date (digits 7–14 of the ID number) not after today. Every problem is
/// reported.
pub fn check_member(m: &Member, today: NaiveDate) -> Result<(), Vec<ChangeProblem>> {
    let mut problems = Vec::new();
    let name = m.name.trim();
    let n = name.chars().count();
    if n == 0 || n > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        problems.push(ChangeProblem::Name);
    }
    if m.health.is_empty() || m.health.len() > MAX_HEALTH {
        problems.push(ChangeProblem::Health);
    }
    if let Some(g) = m.disability_grade
        && !(1..=4).contains(&g)
    {
        problems.push(ChangeProblem::DisabilityGrade(g));
    }
    if m.sex != m.id_number.sex() {
        problems.push(ChangeProblem::SexDisagrees);
    }
    let born = m.id_number.birth_date();
    if born > today {
        problems.push(ChangeProblem::BornInFuture(born));
    }
    problems_or_ok(problems)
}

/// A member joining for `reason` on `today`: [`check_member`], and a newborn (出生) is neither 户主 nor 配偶.
pub fn check_join(
    m: &Member,
    reason: JoinReason,
    today: NaiveDate,
) -> Result<(), Vec<ChangeProblem>> {
    let mut problems = check_member(m, today).err().unwrap_or_default();
    if reason == JoinReason::Birth && matches!(m.relation, Relation::Head | Relation::Spouse) {
        problems.push(ChangeProblem::NewbornRelation(m.relation));
    }
    problems_or_ok(problems)
}

/// A member leaving on `on` (death or moving out), checked on `today`: the date not after today nor before
/// the member's birth; the member is not the 户主 (make another member the head first, so the household
/// keeps exactly one) and not the last member (`members_now` is the household's size before he leaves).
pub fn check_departure(
    m: &Member,
    on: NaiveDate,
    members_now: usize,
    today: NaiveDate,
) -> Result<(), Vec<ChangeProblem>> {
    let mut problems = Vec::new();
    if on > today {
        problems.push(ChangeProblem::DateInFuture(on));
    }
    if on < m.id_number.birth_date() {
        problems.push(ChangeProblem::LeftBeforeBirth(on));
    }
    if m.relation == Relation::Head {
        problems.push(ChangeProblem::HeadLeaves);
    }
    if members_now <= 1 {
        problems.push(ChangeProblem::LastMember);
    }
    problems_or_ok(problems)
}

/// 家庭住址 as a change sets it: trimmed, 1 to [`MAX_ADDRESS_CHARS`] characters, no control characters.
pub fn check_address(address: &str) -> Result<String, ChangeProblem> {
    let a = address.trim();
    let n = a.chars().count();
    if n == 0 || n > MAX_ADDRESS_CHARS || a.chars().any(char::is_control) {
        return Err(ChangeProblem::Address);
    }
    Ok(a.to_owned())
}

/// 联系电话 as a change sets it: trimmed; blank is none; digits, spaces and `+-() ,，、/` only, at most
/// [`MAX_PHONE_CHARS`] characters.
pub fn check_phone(phone: &str) -> Result<Option<String>, ChangeProblem> {
    let p = phone.trim();
    if p.is_empty() {
        return Ok(None);
    }
    let ok = p.chars().count() <= MAX_PHONE_CHARS
        && p.chars().any(|c| c.is_ascii_digit())
        && p.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | ',' | '，' | '、' | '/')
        });
    if ok {
        Ok(Some(p.to_owned()))
    } else {
        Err(ChangeProblem::Phone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{HealthStatus, Sex};
    use crate::household::tests::{d, member};

    const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 6, 1) {
        Some(d) => d,
        None => panic!(),
    };

    #[test]
    fn a_registry_member_passes() {
        let m = member(d(1970, 3, 1), 11, Relation::Head);
        assert_eq!(check_member(&m, TODAY), Ok(()));
        let baby = member(d(2025, 5, 30), 12, Relation::Son);
        assert_eq!(check_join(&baby, JoinReason::Birth, TODAY), Ok(()));
    }

    #[test]
    fn member_rules() {
        let mut m = member(d(1970, 3, 1), 11, Relation::Son);
        m.name = "  ".into();
        m.health.clear();
        m.disability_grade = Some(5);
        m.sex = match m.id_number.sex() {
            Sex::Male => Sex::Female,
            Sex::Female => Sex::Male,
        };
        assert_eq!(
            check_member(&m, TODAY),
            Err(vec![
                ChangeProblem::Name,
                ChangeProblem::Health,
                ChangeProblem::DisabilityGrade(5),
                ChangeProblem::SexDisagrees,
            ])
        );
        let mut m = member(d(1970, 3, 1), 11, Relation::Son);
        m.name = "名".repeat(65);
        m.health = vec![HealthStatus::Chronic; 9];
        assert_eq!(
            check_member(&m, TODAY),
            Err(vec![ChangeProblem::Name, ChangeProblem::Health])
        );
        let unborn = member(d(2025, 7, 1), 13, Relation::Son);
        assert_eq!(
            check_member(&unborn, TODAY),
            Err(vec![ChangeProblem::BornInFuture(d(2025, 7, 1))])
        );
    }

    #[test]
    fn a_newborn_is_neither_head_nor_spouse() {
        for r in [Relation::Head, Relation::Spouse] {
            let baby = member(d(2025, 5, 30), 12, r);
            assert_eq!(
                check_join(&baby, JoinReason::Birth, TODAY),
                Err(vec![ChangeProblem::NewbornRelation(r)])
            );
        }
        let bride = member(d(2000, 5, 30), 12, Relation::Spouse);
        assert_eq!(check_join(&bride, JoinReason::Marriage, TODAY), Ok(()));
    }

    #[test]
    fn departure_rules() {
        let son = member(d(2000, 3, 1), 11, Relation::Son);
        assert_eq!(check_departure(&son, d(2025, 1, 1), 3, TODAY), Ok(()));
        assert_eq!(
            check_departure(&son, d(2025, 6, 2), 3, TODAY),
            Err(vec![ChangeProblem::DateInFuture(d(2025, 6, 2))])
        );
        assert_eq!(
            check_departure(&son, d(1999, 1, 1), 1, TODAY),
            Err(vec![
                ChangeProblem::LeftBeforeBirth(d(1999, 1, 1)),
                ChangeProblem::LastMember
            ])
        );
        let head = member(d(1950, 3, 1), 12, Relation::Head);
        assert_eq!(
            check_departure(&head, d(2025, 1, 1), 2, TODAY),
            Err(vec![ChangeProblem::HeadLeaves])
        );
    }

    #[test]
    fn address_and_phone() {
        assert_eq!(check_address(" 李家沟村 3 号 "), Ok("李家沟村 3 号".into()));
        assert_eq!(check_address(" "), Err(ChangeProblem::Address));
        assert_eq!(
            check_address(&"村".repeat(201)),
            Err(ChangeProblem::Address)
        );
        assert_eq!(check_phone(""), Ok(None));
        assert_eq!(
            check_phone(" 0358-6012345、13800000000 "),
            Ok(Some("0358-6012345、13800000000".into()))
        );
        assert_eq!(check_phone("call me"), Err(ChangeProblem::Phone));
        assert_eq!(check_phone("--"), Err(ChangeProblem::Phone));
        assert_eq!(check_phone(&"1".repeat(41)), Err(ChangeProblem::Phone));
    }

    #[test]
    fn every_problem_has_both_messages() {
        for p in [
            ChangeProblem::Name,
            ChangeProblem::Health,
            ChangeProblem::DisabilityGrade(7),
            ChangeProblem::SexDisagrees,
            ChangeProblem::BornInFuture(TODAY),
            ChangeProblem::NewbornRelation(Relation::Head),
            ChangeProblem::DateInFuture(TODAY),
            ChangeProblem::LeftBeforeBirth(TODAY),
            ChangeProblem::HeadLeaves,
            ChangeProblem::LastMember,
            ChangeProblem::Address,
            ChangeProblem::Phone,
        ] {
            assert!(!p.message_zh().is_empty() && !p.message_en().is_empty());
            assert!(p.to_string().contains(&p.message_en()));
        }
        assert_eq!(JoinReason::from_code("birth"), Some(JoinReason::Birth));
        assert_eq!(
            LeaveReason::from_label_zh("迁出"),
            Some(LeaveReason::MovedOut)
        );
    }
}
