//! One member row of a registry file: its cells parsed into a [`Member`] (姓名, 身份证号, 性别 against
//! the ID number, 与户主关系, 劳动技能, 健康状况 …), every bad cell a [`Problem`].

use super::columns::Col;
use super::layout::SheetLayout;
use super::problem::{Problem, reason};
use super::values::{self, Reason};
use crate::CodeList;
use crate::codes::Sex;
use crate::household::Member;
use crate::idnum::IdNumber;

pub(super) fn code_value<T: CodeList>(s: &str, list_zh: &str, list_en: &str) -> Result<T, Reason> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    T::from_any(&t).ok_or_else(|| {
        let allowed: Vec<&str> = T::all().iter().map(CodeList::label_zh).collect();
        reason(
            format!(
                "“{}”不是有效的{list_zh}，可选：{}",
                s.trim(),
                allowed.join("、")
            ),
            format!(
                "{:?} is not a valid {list_en}; allowed: {}",
                s.trim(),
                allowed.join(", ")
            ),
        )
    })
}

/// Parses the member columns of a row.
pub(super) fn parse_member(
    layout: &SheetLayout,
    row: u32,
    cells: &[String],
) -> (Option<Member>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut bad = |c: Col, v: &str, r: Reason| {
        problems.push(Problem::new(&layout.name, row, layout.header_of(c), v, r));
    };
    let cell = |c: Col| layout.cell(cells, c);
    let name = cell(Col::Name);
    let n = name.chars().count();
    if n == 0 {
        bad(Col::Name, "", reason("姓名为空", "name is blank"));
    } else if n > 64 {
        bad(
            Col::Name,
            name,
            reason("姓名超过 64 字", "name longer than 64 characters"),
        );
    }
    let raw_id = cell(Col::IdNumber);
    let id = match IdNumber::parse(raw_id) {
        Ok(id) => Some(id),
        Err(e) => {
            bad(Col::IdNumber, raw_id, reason(e.message_zh(), e.to_string()));
            None
        }
    };
    let sex = match (cell(Col::Sex), id) {
        ("", Some(id)) => Some(id.sex()),
        ("", None) => None,
        (s, id) => match code_value::<Sex>(s, "性别", "sex") {
            Ok(v) => {
                if let Some(id) = id
                    && id.sex() != v
                {
                    bad(
                        Col::Sex,
                        s,
                        reason(
                            format!(
                                "性别“{s}”与身份证号不符（按身份证号为{}）",
                                id.sex().label_zh()
                            ),
                            format!(
                                "sex {s:?} disagrees with the ID number ({})",
                                id.sex().label_en()
                            ),
                        ),
                    );
                }
                Some(v)
            }
            Err(r) => {
                bad(Col::Sex, s, r);
                None
            }
        },
    };
    macro_rules! field {
        ($col:expr, $f:expr, $blank:expr) => {{
            let v = cell($col);
            if v.is_empty() && $blank.is_some() {
                let (zh, en): (&str, &str) = $blank.unwrap_or(("", ""));
                bad($col, "", reason(zh, en));
                None
            } else {
                match $f(v) {
                    Ok(x) => Some(x),
                    Err(r) => {
                        bad($col, v, r);
                        None
                    }
                }
            }
        }};
    }
    let none: Option<(&str, &str)> = None;
    let relation = field!(
        Col::Relation,
        values::relation,
        Some(("与户主关系为空", "relation to the head is blank"))
    );
    let labour = field!(
        Col::Labour,
        values::labour,
        Some(("劳动技能为空", "labour skill is blank"))
    );
    let health = field!(
        Col::Health,
        values::health,
        Some(("健康状况为空", "health status is blank"))
    );
    let disability_grade = field!(Col::DisabilityGrade, values::disability_grade, none);
    let education = field!(Col::Education, values::education, none);
    let school = field!(Col::School, values::school, none);
    let political = field!(Col::Political, values::political, none);
    let insurance = field!(
        Col::MedicalInsurance,
        values::yes_no,
        Some((
            "是否参加基本医疗保险为空，请填“是”或“否”",
            "basic medical insurance is blank"
        ))
    );
    let dibao = field!(Col::Dibao, values::dibao, none);
    let tekun = field!(Col::Tekun, values::tekun, none);
    let member = match (
        id,
        sex,
        relation,
        labour,
        health,
        disability_grade,
        education,
        school,
        political,
        insurance,
        dibao,
        tekun,
    ) {
        (
            Some(id_number),
            Some(sex),
            Some(relation),
            Some(labour),
            Some(health),
            Some(disability_grade),
            Some(education),
            Some(school),
            Some(political),
            Some(Some(has_medical_insurance)),
            Some(dibao),
            Some(tekun),
        ) if problems.is_empty() => Some(Member {
            id_number,
            name: name.to_owned(),
            sex,
            relation,
            labour,
            health,
            education,
            school,
            political,
            has_medical_insurance,
            dibao,
            tekun,
            disability_grade,
        }),
        _ => None,
    };
    (member, problems)
}
