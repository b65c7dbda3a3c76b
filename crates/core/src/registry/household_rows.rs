//! From the rows of one household to a [`Household`]: the household fields (village code, type,
//! monitored type, risks, size, address, phone, 户编号), the rules of the household as a whole
//! ([`validate_members`]: exactly one 户主, at most one 配偶, no ID number twice), reported at the
//! rows they concern, and 家庭人口 equal to the member rows.

use super::assembler::{Acc, Assembler, Given, HOUSEHOLD_TEXT_COLS, MemberRow};
use super::columns::Col;
use super::entry::{RegionNames, RegistryEntry, RowRef};
use super::member_row::code_value;
use super::problem::{Problem, reason};
use super::values::{self, Reason, digits_only};
use crate::codes::{HouseholdType, MonitoredType, RegionLevel};
use crate::household::{Household, HouseholdProblem, MAX_RISKS, validate_members};
use crate::region::RegionCode;

impl Assembler {
    /// Builds and validates one household.
    pub(super) fn household(&self, mut acc: Acc) -> Result<RegistryEntry, Vec<Problem>> {
        let mut problems = std::mem::take(&mut acc.problems);
        let (home_sheet, home_row) = acc
            .home
            .or_else(|| acc.members.first().map(|m| (m.sheet, m.row)))
            .unwrap_or((0, 0));
        let sheet_name = |s: usize| -> &str { self.sheets.get(s).map_or("", |x| &x.layout.name) };
        let header = |s: usize, c: Col| -> String {
            self.sheets
                .get(s)
                .map_or(c.header(), |x| x.layout.header_of(c))
                .to_owned()
        };
        if !acc.has_household_row {
            problems.push(Problem::new(
                sheet_name(home_sheet),
                home_row,
                &header(home_sheet, Col::Number),
                &acc.number,
                reason(
                    "户信息表中没有这个户编号：请在户信息表中补上该户，或核对成员表中的户编号",
                    "the household sheet has no household with this number",
                ),
            ));
        }
        if acc.members.is_empty() {
            problems.push(Problem::new(
                sheet_name(home_sheet),
                home_row,
                &header(home_sheet, Col::Number),
                &acc.number,
                reason(
                    "该户在家庭成员表中没有成员",
                    "the household has no member rows",
                ),
            ));
        }
        // Household fields.
        let text = |c: Col| -> Option<&Given> {
            HOUSEHOLD_TEXT_COLS
                .iter()
                .position(|x| *x == c)
                .and_then(|i| acc.given.get(i))
                .and_then(Option::as_ref)
        };
        let mut field_problems: Vec<Problem> = Vec::new();
        let mut fail = |c: Col, g: Option<&Given>, r: Reason| {
            let (s, row, v) = g.map_or((home_sheet, home_row, ""), |g| {
                (g.sheet, g.row, g.text.as_str())
            });
            field_problems.push(Problem::new(sheet_name(s), row, &header(s, c), v, r));
        };
        let village = match text(Col::VillageCode) {
            None => {
                fail(
                    Col::VillageCode,
                    None,
                    reason("村代码为空", "village code is blank"),
                );
                None
            }
            Some(g) => match RegionCode::parse(&digits_only(&g.text)) {
                Ok(code) if code.code_level() == RegionLevel::Village => Some(code),
                Ok(_) => {
                    fail(
                        Col::VillageCode,
                        Some(g),
                        reason(
                            "村代码应为 12 位行政村（安置点）代码，不能是县或乡镇代码",
                            "the village code must be a 12-digit village code, not a county or township",
                        ),
                    );
                    None
                }
                Err(e) => {
                    fail(
                        Col::VillageCode,
                        Some(g),
                        reason(
                            format!("村代码不正确：{}", e.message_zh()),
                            format!("bad village code: {e}"),
                        ),
                    );
                    None
                }
            },
        };
        let natural_village = match (text(Col::NaturalVillageCode), &village) {
            (Some(g), Some(v)) => match RegionCode::parse(&g.text) {
                Ok(code)
                    if code.code_level() == RegionLevel::NaturalVillage
                        && code.village() == v.as_str() =>
                {
                    Some(code.as_str().to_owned())
                }
                Ok(_) => {
                    fail(
                        Col::NaturalVillageCode,
                        Some(g),
                        reason(
                            format!("自然村代码应为本村代码 {v} 加“-”和 2 位序号"),
                            format!("the natural-village code must be {v}-NN"),
                        ),
                    );
                    None
                }
                Err(e) => {
                    fail(
                        Col::NaturalVillageCode,
                        Some(g),
                        reason(
                            format!("自然村代码不正确：{}", e.message_zh()),
                            format!("bad natural-village code: {e}"),
                        ),
                    );
                    None
                }
            },
            _ => None,
        };
        let household_type = match text(Col::HouseholdType) {
            None => {
                fail(
                    Col::HouseholdType,
                    None,
                    reason("户类型为空", "household type is blank"),
                );
                None
            }
            Some(g) => match code_value::<HouseholdType>(&g.text, "户类型", "household type") {
                Ok(v) => Some(v),
                Err(r) => {
                    fail(Col::HouseholdType, Some(g), r);
                    None
                }
            },
        };
        let monitored_type = match text(Col::MonitoredType) {
            None => None,
            Some(g) if matches!(g.text.as_str(), "无" | "否" | "非监测对象" | "不是") => {
                None
            }
            Some(g) => {
                match code_value::<MonitoredType>(&g.text, "监测对象类别", "monitored type") {
                    Ok(v) => Some(v),
                    Err(r) => {
                        fail(Col::MonitoredType, Some(g), r);
                        None
                    }
                }
            }
        };
        let risks = match text(Col::Risks) {
            None => Vec::new(),
            Some(g) => match values::risks(&g.text, MAX_RISKS) {
                Ok(v) => v,
                Err(r) => {
                    fail(Col::Risks, Some(g), r);
                    Vec::new()
                }
            },
        };
        let is_relocated = match text(Col::Relocated) {
            None => false,
            Some(g) => match values::yes_no(&g.text) {
                Ok(v) => v.unwrap_or(false),
                Err(r) => {
                    fail(Col::Relocated, Some(g), r);
                    false
                }
            },
        };
        let size = match text(Col::Size) {
            None => None,
            Some(g) => match values::count(&g.text) {
                Ok(v) => v.map(|n| (n, g)),
                Err(r) => {
                    fail(Col::Size, Some(g), r);
                    None
                }
            },
        };
        let address = text(Col::Address).map_or(String::new(), |g| g.text.clone());
        if address.chars().count() > 200 {
            fail(
                Col::Address,
                text(Col::Address),
                reason("家庭住址超过 200 字", "address longer than 200 characters"),
            );
        }
        let phone = text(Col::Phone).map(|g| g.text.clone());
        if let Some(g) = text(Col::Phone)
            && g.text.contains('E')
            && g.text.contains('.')
        {
            fail(
                Col::Phone,
                Some(g),
                reason(
                    "联系电话被 Excel 转成了科学计数法，请把该列设为文本",
                    "the phone number was turned into scientific notation by Excel",
                ),
            );
        }
        if acc.number.chars().count() > 64 {
            fail(
                Col::Number,
                text(Col::Number),
                reason(
                    "户编号超过 64 位",
                    "household number longer than 64 characters",
                ),
            );
        }
        if acc.number.contains(['E', 'e']) && acc.number.contains('.') {
            fail(
                Col::Number,
                text(Col::Number),
                reason(
                    "户编号被 Excel 转成了科学计数法（丢失了末几位），请把该列设为文本后重新导出",
                    "the household number was turned into scientific notation by Excel; format the column as text",
                ),
            );
        }
        // Members: the whole-household rules (exactly one 户主, at most one 配偶, no ID number
        // twice) on the members that could be read; `read[i]` is the row of the i-th of them.
        let read: Vec<&MemberRow> = acc.members.iter().filter(|m| m.member.is_some()).collect();
        let all_parsed = read.len() == acc.members.len();
        let member_problem = |m: &MemberRow, c: Col, v: &str, r: Reason| {
            Problem::new(sheet_name(m.sheet), m.row, &header(m.sheet, c), v, r)
        };
        let found = validate_members(read.iter().filter_map(|m| m.member.as_ref()));
        for p in found.err().unwrap_or_default() {
            let message = || reason(p.message_zh(), p.message_en());
            let at = |i: usize| read.get(i).copied();
            match p {
                // No member rows is reported above; none readable: each row has its problems.
                HouseholdProblem::NoMembers => {}
                // The 户主 may be one of the rows that could not be read.
                HouseholdProblem::NoHead => {
                    if all_parsed && let Some(m) = acc.members.first() {
                        problems.push(member_problem(m, Col::Relation, "", message()));
                    }
                }
                HouseholdProblem::SeveralHeads { member, .. } => {
                    if let Some(m) = at(member) {
                        problems.push(member_problem(m, Col::Relation, "户主", message()));
                    }
                }
                HouseholdProblem::SeveralSpouses { member, .. } => {
                    if let Some(m) = at(member) {
                        problems.push(member_problem(m, Col::Relation, "配偶", message()));
                    }
                }
                // In a file the first one is found by its row.
                HouseholdProblem::DuplicateId { member, first, .. } => {
                    if let (Some(m), Some(first)) = (at(member), at(first).map(|f| f.row)) {
                        problems.push(member_problem(
                            m,
                            Col::IdNumber,
                            &m.raw_id,
                            reason(
                                format!("同一户内身份证号重复（与第 {first} 行相同）"),
                                format!("ID number repeated in the household (row {first})"),
                            ),
                        ));
                    }
                }
            }
        }
        if let Some((n, g)) = size
            && n as usize != acc.members.len()
            && !acc.members.is_empty()
        {
            fail(
                Col::Size,
                Some(g),
                reason(
                    format!("家庭人口为 {n}，但该户有 {} 行成员", acc.members.len()),
                    format!("household size {n} but {} member rows", acc.members.len()),
                ),
            );
        }
        problems.extend(field_problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let (Some(village), Some(household_type)) = (village, household_type) else {
            return Err(problems);
        };
        let mut members = Vec::with_capacity(acc.members.len());
        let mut member_rows = Vec::with_capacity(acc.members.len());
        for m in acc.members {
            let Some(member) = m.member else {
                return Err(problems);
            };
            members.push(member);
            member_rows.push(RowRef {
                sheet: self.sheets[m.sheet].layout.name.clone(),
                row: m.row,
            });
        }
        let name = |c: Col| text(c).map_or(String::new(), |g| g.text.clone());
        Ok(RegistryEntry {
            household: Household {
                number: acc.number,
                village,
                natural_village,
                household_type,
                address,
                phone,
                is_relocated,
                monitored_type,
                risks,
                members,
            },
            names: RegionNames {
                county: name(Col::County),
                township: name(Col::Township),
                village: name(Col::Village),
                natural_village: name(Col::NaturalVillage),
            },
            row: RowRef {
                sheet: self.sheets[home_sheet].layout.name.clone(),
                row: home_row,
            },
            member_rows,
        })
    }
}
