//! 帮扶手册: the handbook view of a case, every dated entry from the first clue
//! to the exit notice ([`Case::handbook`], [`HandbookEntry`]).

use chrono::NaiveDate;

use super::record::Case;
use crate::codes::{CodeList, code_list};
use crate::monitoring::common::Actor;
use crate::monitoring::exit::{ExitStatus, ExitStepEvidence};
use crate::monitoring::identification::IdentEvidence;
use crate::monitoring::measures::MeasureStatus;

impl Case {
    /// 帮扶手册: every dated entry of the case, oldest first (same day: clue,
    /// identification, cadre, measures, follow-up, exit).
    pub fn handbook(&self) -> Vec<HandbookEntry> {
        let mut out = Vec::new();
        for c in &self.clues {
            for s in &c.sources {
                let risks: Vec<String> = s.report.risks.iter().map(|r| r.full_label_zh()).collect();
                out.push(entry(
                    s.report.reported_on,
                    Section::Clue,
                    format!("发现线索（{}）", s.report.source.channel().label_zh()),
                    format!("Clue ({})", s.report.source.channel().label_en()),
                    format!(
                        "{}；风险类型：{}；报告人：{}",
                        s.report.source.describe_zh(),
                        risks.join("、"),
                        s.report.reporter
                    ),
                    Some(&s.recorded_by),
                ));
            }
        }
        if let Some(ident) = &self.identification {
            out.push(entry(
                ident.started_on,
                Section::Identification,
                "启动识别".into(),
                "Identification started".into(),
                String::new(),
                Some(&ident.started_by),
            ));
            if let Some(g) = &ident.green_channel {
                out.push(entry(
                    g.on,
                    Section::Identification,
                    "开启绿色通道".into(),
                    "Green channel opened".into(),
                    g.reason.clone(),
                    Some(&g.actor),
                ));
            }
            for r in &ident.steps {
                let mut detail = r.opinion.clone();
                if let IdentEvidence::Outcome { outcome } = &r.evidence {
                    let risks: Vec<String> =
                        outcome.risks.iter().map(|x| x.full_label_zh()).collect();
                    detail = format!(
                        "{}；{}；风险类型：{}",
                        r.opinion,
                        outcome.monitored_type.label_zh(),
                        risks.join("、")
                    );
                }
                out.push(entry(
                    r.on,
                    Section::Identification,
                    format!("{}：{}", r.step.label_zh(), r.result.label_zh()),
                    format!("{}: {}", r.step.label_en(), r.result.label_en()),
                    detail,
                    Some(&r.actor),
                ));
            }
        }
        for a in &self.cadres.history {
            out.push(entry(
                a.from,
                Section::Cadre,
                format!(
                    "帮扶责任人：{}（{}，{}）",
                    a.cadre.name,
                    a.cadre.level.label_zh(),
                    a.cadre.unit
                ),
                format!("Responsible cadre: {}", a.cadre.name),
                String::new(),
                Some(&a.assigned_by),
            ));
            if let Some(until) = a.until {
                out.push(entry(
                    until,
                    Section::Cadre,
                    format!("帮扶责任人{}结束帮扶", a.cadre.name),
                    format!("Cadre {} ends", a.cadre.name),
                    a.end_reason.clone().unwrap_or_default(),
                    None,
                ));
            }
        }
        for m in &self.measures {
            for ev in &m.history {
                let (zh, detail) = if ev.status == MeasureStatus::Planned {
                    (
                        format!("制定措施：{}—{}", m.plan.class.label_zh(), m.plan.item),
                        format!(
                            "计划 {} 前完成；责任单位：{}；金额：{} 元",
                            m.plan.planned_on, m.plan.responsible_unit, m.plan.amount
                        ),
                    )
                } else {
                    (
                        format!(
                            "措施{}：{}—{}",
                            ev.status.label_zh(),
                            m.plan.class.label_zh(),
                            m.plan.item
                        ),
                        ev.note.clone(),
                    )
                };
                out.push(entry(
                    ev.on,
                    Section::Measure,
                    zh,
                    format!(
                        "Measure {}: {}",
                        ev.status.label_en().to_lowercase(),
                        m.plan.class.label_en()
                    ),
                    detail,
                    Some(&ev.actor),
                ));
            }
        }
        for e in &self.follow_ups.entries {
            let v = &e.visit;
            let yn = |b: bool| if b { "是" } else { "否" };
            out.push(entry(
                v.visited_on,
                Section::FollowUp,
                format!("{}跟踪监测", v.month.label_zh()),
                format!("Follow-up {}", v.month),
                format!(
                    "措施落实到位：{}；政策应享尽享：{}；两不愁三保障及饮水安全：{}；群众认可：{}；预计人均纯收入：{} 元{}",
                    yn(v.measures_carried_out),
                    yn(v.policies_received),
                    yn(v.standards_secure),
                    yn(v.household_approves),
                    v.per_capita_income_estimate,
                    if v.notes.is_empty() { String::new() } else { format!("；{}", v.notes) }
                ),
                Some(&e.recorded_by),
            ));
        }
        for x in &self.exits {
            for r in &x.steps {
                let detail = match &r.evidence {
                    ExitStepEvidence::Notice { notice } => notice.number.clone(),
                    ExitStepEvidence::Appraisal { meeting, mode, .. } => {
                        format!(
                            "参会 {} 人；{}；{}",
                            meeting.attendance,
                            mode.label_zh(),
                            r.opinion
                        )
                    }
                    _ => r.opinion.clone(),
                };
                out.push(entry(
                    r.on,
                    Section::Exit,
                    format!("{}：{}", r.step.label_zh(), r.result.label_zh()),
                    format!("{}: {}", r.step.label_en(), r.result.label_en()),
                    detail,
                    Some(&r.actor),
                ));
            }
            let end = match &x.status {
                ExitStatus::Eliminated { on, mode } => Some((
                    *on,
                    format!("风险消除（{}）", mode.label_zh()),
                    "Risk eliminated".to_owned(),
                    String::new(),
                )),
                ExitStatus::Deferred { on, categories } => {
                    let c: Vec<&str> = categories.iter().map(|c| c.label_zh()).collect();
                    Some((
                        *on,
                        "缓退".to_owned(),
                        "Exit deferred".to_owned(),
                        c.join("、"),
                    ))
                }
                ExitStatus::NotEliminated {
                    step: None,
                    on,
                    reason,
                } => Some((
                    *on,
                    "终止退出程序".to_owned(),
                    "Exit withdrawn".to_owned(),
                    reason.clone(),
                )),
                _ => None,
            };
            if let Some((on, zh, en, detail)) = end {
                out.push(entry(on, Section::Exit, zh, en, detail, None));
            }
        }
        // stable: same-day entries keep the order above
        out.sort_by_key(|e| (e.on, e.section));
        out
    }
}

code_list! {
    /// 帮扶手册 sections.
    pub enum Section ("手册栏目", "handbook section") {
        Clue = ("clue", "线索", "Clue"),
        Identification = ("identification", "识别", "Identification"),
        Cadre = ("cadre", "帮扶责任人", "Responsible cadre"),
        Measure = ("measure", "帮扶措施", "Measures"),
        FollowUp = ("follow_up", "跟踪监测", "Follow-up"),
        Exit = ("exit", "退出", "Exit"),
    }
}

/// One dated line of the 帮扶手册.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandbookEntry {
    /// Date.
    pub on: NaiveDate,
    /// Section.
    pub section: Section,
    /// Title in Chinese.
    pub title_zh: String,
    /// Title in English.
    pub title_en: String,
    /// Details (Chinese, as recorded).
    pub detail_zh: String,
    /// Who (name and role), if recorded.
    pub actor: Option<String>,
}

fn entry(
    on: NaiveDate,
    section: Section,
    title_zh: String,
    title_en: String,
    detail_zh: String,
    actor: Option<&Actor>,
) -> HandbookEntry {
    HandbookEntry {
        on,
        section,
        title_zh,
        title_en,
        detail_zh,
        actor: actor.map(|a| format!("{}（{}）", a.name, a.role.label_zh())),
    }
}
