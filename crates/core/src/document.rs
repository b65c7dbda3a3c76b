//! 文书: the official documents of the lifecycle (issue 6 part 5) as a small document model — pages of
//! blocks (title, centred line, heading, paragraph, right-aligned line, table, signature lines) — built
//! once here, pure, and rendered twice by the `io` crate (DOCX and print-ready HTML), so the layout is
//! never written twice.
//!
//! | document | plan | builder |
//! | --- | --- | --- |
//! | 民主评议结果公示 (with its 公示期) | §三(一)1 "民主评议、公示" | [`publicity`] |
//! | 风险消除告知书 (退出告知书) | §三(一)3 四是退出告知 | [`notices`] |
//! | 入户核查表 (with signature lines) | §三(一)1, §三(一)3 入户核查 | [`verification`] |
//! | 帮扶手册 | §三(一)2 | [`handbook`] |

use chrono::NaiveDate;

use crate::codes::{CodeList, Guarantee};
use crate::household::Household;
use crate::monitoring::exit::ExitNotice;
use crate::monitoring::verification::{Signature, Verification};
use crate::monitoring::{Case, date_zh};
use crate::registry::RegionNames;
use crate::registry::values::{join_labels, join_risks};

/// A document: a title (file and window title) and its pages (a page break between pages).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Document {
    /// Title.
    pub title: String,
    /// Pages, each a list of blocks.
    pub pages: Vec<Vec<Block>>,
}

/// A table: optional header row, rows of text, relative column widths.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Table {
    /// Header row (bold), if any.
    pub header: Option<Vec<String>>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
    /// Relative widths (one per column).
    pub widths: Vec<u16>,
}

/// A block of a page.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Block {
    /// The document title (large, bold, centred).
    Title(String),
    /// A centred line (文号).
    Centered(String),
    /// A section heading (bold).
    Heading(String),
    /// A body paragraph (first line indented two characters).
    Paragraph(String),
    /// A line without indent (称呼).
    Plain(String),
    /// A right-aligned line (落款, 日期).
    Right(String),
    /// A table.
    Table(Table),
    /// Signature lines: each label followed by a blank line to sign and a date.
    Signatures(Vec<String>),
}

impl Document {
    /// Every text of the document (for tests and search).
    pub fn text(&self) -> String {
        let mut out = vec![self.title.clone()];
        for p in &self.pages {
            for b in p {
                match b {
                    Block::Title(s)
                    | Block::Centered(s)
                    | Block::Heading(s)
                    | Block::Paragraph(s)
                    | Block::Plain(s)
                    | Block::Right(s) => out.push(s.clone()),
                    Block::Table(t) => {
                        for r in t.header.iter().chain(&t.rows) {
                            out.push(r.join(" "));
                        }
                    }
                    Block::Signatures(v) => out.extend(v.iter().cloned()),
                }
            }
        }
        out.join("\n")
    }
}

fn s(v: impl Into<String>) -> String {
    v.into()
}

fn fields(pairs: &[(&str, String)]) -> Table {
    let mut rows = Vec::new();
    for chunk in pairs.chunks(2) {
        let mut r = Vec::new();
        for (k, v) in chunk {
            r.push(s(*k));
            r.push(v.clone());
        }
        while r.len() < 4 {
            r.push(String::new());
        }
        rows.push(r);
    }
    Table {
        header: None,
        rows,
        widths: vec![18, 32, 18, 32],
    }
}

fn id_text(id: crate::IdNumber, full: bool) -> String {
    if full { id.to_string() } else { id.masked() }
}

fn place(names: &RegionNames) -> String {
    format!("{}{}{}", names.county, names.township, names.village)
}

fn members_table(h: &Household, full_ids: bool) -> Table {
    Table {
        header: Some(
            [
                "姓名",
                "与户主关系",
                "性别",
                "身份证号",
                "健康状况",
                "劳动技能",
            ]
            .map(s)
            .to_vec(),
        ),
        rows: h
            .members
            .iter()
            .map(|m| {
                vec![
                    m.name.clone(),
                    s(m.relation.label_zh()),
                    s(m.sex.label_zh()),
                    id_text(m.id_number, full_ids),
                    join_labels(&m.health),
                    s(m.labour.label_zh()),
                ]
            })
            .collect(),
        widths: vec![12, 12, 8, 26, 20, 16],
    }
}

// ---------------------------------------------------------------------------------------------------------
// 风险消除告知书.

/// The 退出告知书 pages: one notice a page (a quarter's notices as one file). The text is the core's
/// [`ExitNotice::text`], as on the printable notice page.
pub fn notices(title: &str, list: &[&ExitNotice]) -> Document {
    let pages = list
        .iter()
        .map(|n| {
            let t = n.text();
            let mut p = vec![
                Block::Title(t.title),
                Block::Centered(t.number),
                Block::Plain(t.salutation),
            ];
            p.extend(t.body.into_iter().map(Block::Paragraph));
            p.push(Block::Right(t.issuer));
            p.push(Block::Right(t.date));
            p
        })
        .collect();
    Document {
        title: title.to_owned(),
        pages,
    }
}

// ---------------------------------------------------------------------------------------------------------
// 民主评议结果公示.

/// One household of a 公示.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PublicityEntry {
    /// 户编号.
    pub number: String,
    /// 户主姓名.
    pub head: String,
    /// 家庭人口.
    pub size: usize,
    /// 风险类型 (as reported and appraised).
    pub risks: String,
    /// 民主评议 date.
    pub appraised_on: NaiveDate,
    /// 评议结果 (通过 / 不通过).
    pub result: String,
    /// First day of the 公示期.
    pub from: NaiveDate,
    /// First day the notice may be closed (the 公示期 ends the day before).
    pub closes_on: NaiveDate,
}

/// 民主评议结果公示 of one village (§三(一)1: 民主评议 then 公示): the households appraised, with the
/// public-notice period 公示期 (from the county rules' `publicity_days`: first day to the day before
/// the notice may close) and where to object.
pub fn publicity(
    names: &RegionNames,
    publicity_days: u32,
    on: NaiveDate,
    entries: &[PublicityEntry],
) -> Document {
    let title = format!("{}防止返贫监测对象民主评议结果公示", names.village);
    let first = entries.iter().map(|e| e.from).min().unwrap_or(on);
    let last = entries
        .iter()
        .map(|e| e.closes_on.pred_opt().unwrap_or(e.closes_on))
        .max()
        .unwrap_or(on);
    let mut page = vec![
        Block::Title(title.clone()),
        Block::Paragraph(format!(
            "根据防止返贫动态监测和帮扶工作要求，经农户申请、干部排查或部门筛查发现线索，村级工作专班入户核查、信息比对，{}村民代表民主评议，拟将以下 {} 户纳入防止返贫监测对象，现予以公示。",
            names.village,
            entries.len()
        )),
        Block::Paragraph(format!(
            "公示期为 {} 天：{}至{}。公示期内如有异议，请以书面或口头形式向{}村民委员会或{}人民政府反映（反映情况须实事求是）。",
            publicity_days,
            date_zh(first),
            date_zh(last),
            names.village,
            names.township
        )),
    ];
    let rows = entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            vec![
                (i + 1).to_string(),
                e.number.clone(),
                e.head.clone(),
                e.size.to_string(),
                e.risks.clone(),
                format!("{}（{}）", e.result, e.appraised_on),
                format!(
                    "{}至{}",
                    e.from,
                    e.closes_on.pred_opt().unwrap_or(e.closes_on)
                ),
            ]
        })
        .collect::<Vec<_>>();
    if rows.is_empty() {
        page.push(Block::Paragraph("本期无拟纳入监测的农户。".to_owned()));
    } else {
        page.push(Block::Table(Table {
            header: Some(
                [
                    "序号",
                    "户编号",
                    "户主姓名",
                    "家庭人口",
                    "风险类型",
                    "民主评议结果",
                    "公示期",
                ]
                .map(s)
                .to_vec(),
            ),
            rows,
            widths: vec![6, 16, 10, 8, 22, 18, 20],
        }));
    }
    page.push(Block::Paragraph(format!(
        "监督单位：{}人民政府。",
        names.township
    )));
    page.push(Block::Right(format!("{}村民委员会", names.village)));
    page.push(Block::Right(date_zh(on)));
    Document {
        title,
        pages: vec![page],
    }
}

// ---------------------------------------------------------------------------------------------------------
// 入户核查表.

fn yes(b: bool) -> String {
    s(if b { "是" } else { "否" })
}

/// 入户核查表: the household, the visit (date, visitors), the income re-estimate, 两不愁三保障及饮水安全,
/// the findings, the 承诺授权, and signature lines for 核查人 and 户主.
pub fn verification(
    h: &Household,
    names: &RegionNames,
    v: &Verification,
    purpose: &str,
    full_ids: bool,
) -> Document {
    let title = "防止返贫监测入户核查表".to_owned();
    let head = h.head().or(h.members.first());
    let mut page = vec![
        Block::Title(title.clone()),
        Block::Centered(format!("（{purpose}）")),
        Block::Table(fields(&[
            ("地址", place(names)),
            ("户编号", h.number.clone()),
            ("户主姓名", head.map(|m| m.name.clone()).unwrap_or_default()),
            (
                "户主身份证号",
                head.map(|m| id_text(m.id_number, full_ids))
                    .unwrap_or_default(),
            ),
            ("家庭人口", h.members.len().to_string()),
            ("联系电话", h.phone.clone().unwrap_or_default()),
            ("核查日期", v.visited_on.to_string()),
            ("核查人员", v.visitors.join("、")),
        ])),
        Block::Heading("一、家庭成员".to_owned()),
        Block::Table(members_table(h, full_ids)),
    ];
    page.push(Block::Heading("二、收支测算".to_owned()));
    match &v.income {
        Some(r) => page.push(Block::Table(fields(&[
            ("工资性收入（元）", r.wage.to_string()),
            ("生产经营性收入（元）", r.business.to_string()),
            ("财产性收入（元）", r.property.to_string()),
            ("转移性收入（元）", r.transfer.to_string()),
            ("生产经营性支出（元）", r.production_cost.to_string()),
            ("家庭纯收入（元）", r.net_income().to_string()),
            ("计算人口", r.members.to_string()),
            ("人均纯收入（元）", r.per_capita().to_string()),
        ]))),
        None => page.push(Block::Paragraph("本次核查未测算收支。".to_owned())),
    }
    page.push(Block::Heading("三、两不愁三保障及饮水安全".to_owned()));
    let st = &v.standards;
    let problems = st.problems();
    let mut pairs = vec![
        ("不愁吃", yes(st.food_secure)),
        ("不愁穿", yes(st.clothing_secure)),
    ];
    for g in Guarantee::all() {
        let mut v = yes(!problems.contains(g));
        if *g == Guarantee::Housing
            && let Some(grade) = st.housing_grade
        {
            v = format!("{v}（{}）", grade.label_zh());
        }
        pairs.push((g.label_zh(), v));
    }
    page.push(Block::Table(fields(&pairs)));
    page.push(Block::Heading("四、核查情况".to_owned()));
    page.push(Block::Paragraph(v.findings.clone()));
    if let Some(a) = &v.authorisation {
        page.push(Block::Paragraph(format!(
            "承诺授权：{} 于 {} 签署承诺授权书，承诺所提供信息真实，并授权有关部门核查家庭经济状况。",
            a.by, a.on
        )));
    }
    let signed = match &v.signature {
        Signature::Signed { by, on } => format!("（系统记录：{by} 于 {on} 已签字）"),
        Signature::NotSigned { reason } => format!("（系统记录：未签字，{reason}）"),
    };
    page.push(Block::Signatures(vec![
        "核查人（签字）".to_owned(),
        format!("户主（签字）{signed}"),
    ]));
    Document {
        title,
        pages: vec![page],
    }
}

// ---------------------------------------------------------------------------------------------------------
// 帮扶手册.

/// 帮扶手册 of a household (§三(一)2): basic information, members, responsible cadres, measures, the
/// monthly follow-ups and every dated entry of the case ([`Case::handbook`]).
pub fn handbook(h: &Household, names: &RegionNames, case: &Case, full_ids: bool) -> Document {
    let title = "防止返贫监测帮扶手册".to_owned();
    let head = h.head().or(h.members.first());
    let outcome = case.identification.as_ref().and_then(|i| i.outcome());
    let risks = outcome.map_or_else(|| case.clue_risks(), |o| o.risks.clone());
    let ty = outcome
        .map(|o| o.monitored_type)
        .or(h.monitored_type)
        .map_or(String::new(), |t| s(t.label_zh()));
    let mut page = vec![
        Block::Title(title.clone()),
        Block::Centered(format!(
            "{} · 户主 {}",
            place(names),
            head.map(|m| m.name.as_str()).unwrap_or("")
        )),
        Block::Heading("一、基本情况".to_owned()),
        Block::Table(fields(&[
            ("户编号", h.number.clone()),
            ("户主姓名", head.map(|m| m.name.clone()).unwrap_or_default()),
            ("家庭人口", h.members.len().to_string()),
            ("联系电话", h.phone.clone().unwrap_or_default()),
            ("监测对象类别", ty),
            ("风险类型", join_risks(&risks)),
            (
                "纳入监测日期",
                case.monitored_since()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ),
            ("监测状态", s(case.lifecycle().label_zh())),
        ])),
        Block::Heading("二、家庭成员".to_owned()),
        Block::Table(members_table(h, full_ids)),
        Block::Heading("三、帮扶责任人".to_owned()),
    ];
    if case.cadres.history.is_empty() {
        page.push(Block::Paragraph("尚未确定帮扶责任人。".to_owned()));
    } else {
        page.push(Block::Table(Table {
            header: Some(
                ["姓名", "类别", "单位", "联系电话", "起止日期"]
                    .map(s)
                    .to_vec(),
            ),
            rows: case
                .cadres
                .history
                .iter()
                .map(|a| {
                    vec![
                        a.cadre.name.clone(),
                        s(a.cadre.level.label_zh()),
                        a.cadre.unit.clone(),
                        a.cadre.phone.clone().unwrap_or_default(),
                        format!(
                            "{}至{}",
                            a.from,
                            a.until.map_or("今".to_owned(), |d| d.to_string())
                        ),
                    ]
                })
                .collect(),
            widths: vec![12, 14, 26, 16, 26],
        }));
    }
    page.push(Block::Heading("四、帮扶措施".to_owned()));
    if case.measures.is_empty() {
        page.push(Block::Paragraph("尚无帮扶措施。".to_owned()));
    } else {
        page.push(Block::Table(Table {
            header: Some(
                [
                    "措施类别",
                    "措施内容",
                    "责任单位",
                    "金额（元）",
                    "计划完成",
                    "状态",
                ]
                .map(s)
                .to_vec(),
            ),
            rows: case
                .measures
                .iter()
                .map(|m| {
                    vec![
                        s(m.plan.class.label_zh()),
                        m.plan.item.clone(),
                        m.plan.responsible_unit.clone(),
                        m.plan.amount.to_string(),
                        m.plan.planned_on.to_string(),
                        s(m.status.label_zh()),
                    ]
                })
                .collect(),
            widths: vec![14, 28, 18, 12, 14, 10],
        }));
    }
    page.push(Block::Heading("五、逐月跟踪监测".to_owned()));
    if case.follow_ups.entries.is_empty() {
        page.push(Block::Paragraph("尚无跟踪监测记录。".to_owned()));
    } else {
        page.push(Block::Table(Table {
            header: Some(
                [
                    "监测月份",
                    "走访日期",
                    "措施落实",
                    "政策享受",
                    "两不愁三保障",
                    "群众认可",
                    "预计人均纯收入（元）",
                    "记录人",
                ]
                .map(s)
                .to_vec(),
            ),
            rows: case
                .follow_ups
                .entries
                .iter()
                .map(|e| {
                    let v = &e.visit;
                    vec![
                        v.month.label_zh(),
                        v.visited_on.to_string(),
                        yes(v.measures_carried_out),
                        yes(v.policies_received),
                        yes(v.standards_secure),
                        yes(v.household_approves),
                        v.per_capita_income_estimate.to_string(),
                        e.recorded_by.name.clone(),
                    ]
                })
                .collect(),
            widths: vec![12, 13, 9, 9, 12, 9, 14, 14],
        }));
    }
    page.push(Block::Heading("六、帮扶记录".to_owned()));
    page.push(Block::Table(Table {
        header: Some(["日期", "栏目", "事项", "情况"].map(s).to_vec()),
        rows: case
            .handbook()
            .into_iter()
            .map(|e| {
                vec![
                    e.on.to_string(),
                    s(e.section.label_zh()),
                    e.title_zh,
                    e.detail_zh,
                ]
            })
            .collect(),
        widths: vec![14, 10, 30, 46],
    }));
    page.push(Block::Signatures(vec![
        "帮扶责任人（签字）".to_owned(),
        "户主（签字）".to_owned(),
    ]));
    Document {
        title,
        pages: vec![page],
    }
}

/// Parses a quarter: `2022Q3`, `2022-Q3`, `2022q3` or `2022年第3季度`.
pub fn parse_quarter(s: &str) -> Option<crate::monitoring::Quarter> {
    let s = s.trim();
    let (y, q) = if let Some(rest) = s.strip_suffix("季度") {
        let (y, q) = rest.split_once("年第")?;
        (y, q)
    } else {
        let upper = s.to_ascii_uppercase();
        let (y, q) = upper.split_once('Q')?;
        return build_quarter(y.trim_end_matches('-'), q);
    };
    build_quarter(y, q)
}

fn build_quarter(y: &str, q: &str) -> Option<crate::monitoring::Quarter> {
    let year: i32 = y.trim().parse().ok()?;
    let q: u32 = q.trim().parse().ok()?;
    ((1900..=2100).contains(&year) && (1..=4).contains(&q))
        .then_some(crate::monitoring::Quarter { year, q })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse() {
        let q = |y, q| Some(crate::monitoring::Quarter { year: y, q });
        assert_eq!(parse_quarter("2022Q3"), q(2022, 3));
        assert_eq!(parse_quarter("2022-q1"), q(2022, 1));
        assert_eq!(parse_quarter("2022年第4季度"), q(2022, 4));
        assert_eq!(parse_quarter("2022Q5"), None);
        assert_eq!(parse_quarter("Q3"), None);
        assert_eq!(parse_quarter(""), None);
    }
}
