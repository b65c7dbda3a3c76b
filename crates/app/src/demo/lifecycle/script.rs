//! 剧本: the steps of each scenario, played through the core's rules as the staff would take them.

use super::*;

/// One dated action of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Opens the household's (next) case.
    Open {
        report: Report,
        by: CoreActor,
        on: NaiveDate,
    },
    /// An action on the current case.
    Act {
        action: CaseAction,
        by: CoreActor,
        on: NaiveDate,
    },
    /// 预判提名 with the registry's facts (the household, its latest income, the line in force).
    Nominate { by: CoreActor, on: NaiveDate },
    /// 退出告知 (the sequence comes from the county's counter).
    Notice {
        by: CoreActor,
        on: NaiveDate,
        addressee: String,
        village: String,
        committee: String,
    },
}

impl Step {
    /// The action date.
    pub(crate) fn on(&self) -> NaiveDate {
        match self {
            Step::Open { on, .. }
            | Step::Act { on, .. }
            | Step::Nominate { on, .. }
            | Step::Notice { on, .. } => *on,
        }
    }

    /// Who acts.
    pub(crate) fn by(&self) -> &CoreActor {
        match self {
            Step::Open { by, .. }
            | Step::Act { by, .. }
            | Step::Nominate { by, .. }
            | Step::Notice { by, .. } => by,
        }
    }
}

/// What every script needs.
pub(crate) struct Ctx<'a> {
    pub staff: &'a Staff,
    pub rules: &'a CountyRules,
    /// The monitoring line in force in the cases' year (per capita).
    pub line: Fen,
    /// When the demo is set: the script's classic dates are moved into it.
    pub frame: DemoFrame,
    /// Region code → name.
    pub names: &'a HashMap<String, String>,
    /// The demo's scanned documents and photos (registered as attachments by the load).
    pub attachments: &'a [Attachment],
}

impl Ctx<'_> {
    /// The script's 2022-`m`-`day` (31 December for an impossible date), moved into the frame.
    pub(super) fn d(&self, m: u32, day: u32) -> NaiveDate {
        self.frame
            .date(NaiveDate::from_ymd_opt(2022, m, day).unwrap_or(AS_OF))
    }

    /// The last day of the cases: no step is later.
    pub(super) fn as_of(&self) -> NaiveDate {
        self.frame.as_of
    }
}

pub(super) fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

pub(super) fn minus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(date)
}

/// A uniformly random date in `from..=to`.
pub(super) fn between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0) as u64;
    plus(from, rng.random_range(0..=span))
}

/// The risk a non-monitored household reports: illness or disability where a member has it, else one of
/// the common causes.
pub(super) fn reported_risk(h: &Household, rng: &mut ChaCha8Rng) -> RiskType {
    let serious = h.members.iter().any(|m| {
        m.health
            .iter()
            .any(|s| matches!(s, HealthStatus::SeriousIllness | HealthStatus::Chronic))
    });
    if serious && rng.random_bool(0.7) {
        return RiskType::Illness;
    }
    if h.members.iter().any(|m| m.is_disabled()) && rng.random_bool(0.5) {
        return RiskType::Disability;
    }
    const COMMON: [RiskType; 5] = [
        RiskType::UnstableEmployment,
        RiskType::DisasterFlood,
        RiskType::IndustryFailure,
        RiskType::Accident,
        RiskType::Illness,
    ];
    COMMON[rng.random_range(0..COMMON.len())]
}

pub(super) fn cause_zh(r: RiskType) -> &'static str {
    match r.parent() {
        RiskType::Illness => "家庭成员患病住院，医疗费用支出大",
        RiskType::Disaster => "连续强降雨，房屋受损、庄稼减产",
        RiskType::Disability => "家庭成员残疾，护理和康复支出大",
        RiskType::LackOfLabour => "家中缺少劳动力，收入来源少",
        RiskType::Accident => "家庭主要劳动力意外受伤，暂时无法务工",
        RiskType::IndustryFailure => "养殖的牛羊因病死亡，产业收入大幅减少",
        RiskType::UnstableEmployment => "务工单位停工，家庭收入大幅减少",
        RiskType::Schooling => "子女上学费用支出大",
        RiskType::Housing => "房屋出现裂缝，存在安全隐患",
        RiskType::Water => "饮水困难",
        _ => "家庭生活困难",
    }
}

pub(super) fn measure_text(class: MeasureClass, township: &str) -> (&'static str, String, i64) {
    let gov = format!("{township}人民政府");
    match class {
        MeasureClass::Industry => (
            "发展养殖（肉牛2头），享受产业奖补",
            "县农业农村局".into(),
            8000,
        ),
        MeasureClass::Employment => (
            "转移就业（县城务工），落实稳岗补贴",
            "县人力资源和社会保障局".into(),
            1500,
        ),
        MeasureClass::Finance => ("脱贫人口小额信贷5万元", "兴县农村商业银行".into(), 50000),
        MeasureClass::PublicWelfarePost => ("光伏公益岗位（护林员）", gov, 6000),
        MeasureClass::Health => ("大病专项救治、医疗救助", "县医疗保障局".into(), 3000),
        MeasureClass::CompulsoryEducation => (
            "义务教育控辍保学，落实营养餐补助",
            "县教育科技局".into(),
            1000,
        ),
        MeasureClass::OtherEducation => ("雨露计划职业教育补助", "县乡村振兴局".into(), 3000),
        MeasureClass::SocialSecurity => ("纳入低保，落实临时救助", "县民政局".into(), 4800),
        MeasureClass::Housing => ("农村危房改造", "县住房和城乡建设局".into(), 20000),
        MeasureClass::Water => ("农村供水工程入户", "县水利局".into(), 1500),
        MeasureClass::SocialAssistance => {
            ("社会帮扶（爱心企业捐助）", "县工商业联合会".into(), 2000)
        }
        MeasureClass::Relocation => ("易地扶贫搬迁后续扶持", "县发展和改革局".into(), 0),
        MeasureClass::LivingConditions => ("改善生产生活条件（改厨改厕）", gov, 3000),
        MeasureClass::Infrastructure => ("入户道路硬化", gov, 0),
    }
}

/// The identification steps in order with their offsets (days from the start) and default roles.
pub(super) const IDENT_OFFSETS: [(IdentStep, u64); 8] = [
    (IdentStep::Verification, 2),
    (IdentStep::DataComparison, 4),
    (IdentStep::Appraisal, 7),
    (IdentStep::PublicNotice, 7),
    (IdentStep::NoticeClosed, 7), // + the objection period
    (IdentStep::TownshipReview, 8),
    (IdentStep::CountyApproval, 10),
    (IdentStep::Enrolment, 11),
];

/// Builds one household's script.
pub(super) struct Script<'a> {
    pub(super) ctx: &'a Ctx<'a>,
    pub(super) h: &'a Household,
    pub(super) income: Option<IncomeRecord>,
    pub(super) village: RegionCode,
    pub(super) rng: ChaCha8Rng,
    pub(super) steps: Vec<Step>,
}

impl Script<'_> {
    pub(super) fn head(&self) -> String {
        self.h
            .head()
            .or(self.h.members.first())
            .map_or_else(|| "户主".to_owned(), |m| m.name.clone())
    }

    pub(super) fn township_name(&self) -> String {
        self.ctx
            .names
            .get(&format!("{}000", self.village.township()))
            .cloned()
            .unwrap_or_default()
    }

    pub(super) fn village_name(&self) -> String {
        self.ctx
            .names
            .get(self.village.as_str())
            .cloned()
            .unwrap_or_default()
    }

    pub(super) fn date(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        between(&mut self.rng, from, to)
    }

    pub(super) fn act(&mut self, action: CaseAction, by: CoreActor, on: NaiveDate) {
        self.steps.push(Step::Act { action, by, on });
    }

    pub(super) fn photo(&self, i: usize) -> Vec<Attachment> {
        self.ctx
            .attachments
            .get(i % self.ctx.attachments.len().max(1))
            .cloned()
            .into_iter()
            .collect()
    }

    pub(super) fn verification(
        &mut self,
        on: NaiveDate,
        findings: &str,
    ) -> Result<Verification, Refusal> {
        let team = self.ctx.staff.team(&self.village)?;
        let head = self.head();
        Ok(Verification {
            visited_on: on,
            visitors: vec![
                team.name.clone(),
                format!("{}驻村工作队", self.village_name()),
            ],
            findings: findings.to_owned(),
            income: self.income,
            standards: Standards::all_secure(),
            authorisation: Some(Authorisation {
                by: head.clone(),
                on,
                attachment: self.photo(1).into_iter().next(),
            }),
            signature: Signature::Signed { by: head, on },
            attachments: self.photo(0),
        })
    }

    pub(super) fn meeting(&mut self, on: NaiveDate, what: &str) -> Meeting {
        Meeting {
            held_on: on,
            attendance: self.rng.random_range(18..=45),
            minutes: format!("{}：逐户研判，{what}", self.village_name()),
        }
    }

    /// The report opening a case.
    pub(super) fn open(
        &mut self,
        channel: u8,
        risks: Vec<RiskType>,
        on: NaiveDate,
    ) -> Result<(), Refusal> {
        let first = risks.first().copied().unwrap_or(RiskType::Illness);
        let (source, by, reporter) = match channel {
            0 => {
                let means = if self.rng.random_bool(0.8) {
                    ApplicationMeans::Written
                } else {
                    ApplicationMeans::Hotline
                };
                (
                    Source::Application {
                        applicant: self.head(),
                        stated_cause: cause_zh(first).to_owned(),
                        means,
                    },
                    self.ctx.staff.team(&self.village)?,
                    self.head(),
                )
            }
            1 => {
                let cadre = self.ctx.staff.cadre(&self.village)?;
                let quarter = (on.month() - 1) / 3 + 1;
                (
                    Source::CadreScreening {
                        round: format!("{}年第{quarter}季度集中排查", on.year()),
                    },
                    cadre.clone(),
                    cadre.name,
                )
            }
            2 => {
                let (department, list, month) = match first.parent() {
                    RiskType::Disaster => ("县应急管理局", "洪涝灾害受灾户名单", 10),
                    RiskType::Schooling => ("县教育科技局", "控辍保学名单", 11),
                    RiskType::UnstableEmployment => {
                        ("县人力资源和社会保障局", "失业登记人员名单", 11)
                    }
                    _ => ("县医疗保障局", "医疗费用报销明细", 11),
                };
                let round = YearMonth::of(self.ctx.d(month, 15));
                let file = format!("{}年{}月{list}.xlsx", round.year(), round.month());
                let dep = self.ctx.staff.department()?;
                (
                    Source::DepartmentScreening {
                        department: department.to_owned(),
                        file,
                        round: Some(round),
                    },
                    dep,
                    department.to_owned(),
                )
            }
            _ => {
                let by = self.ctx.staff.township(&self.village)?;
                let n = self.rng.random_range(100..=999);
                (
                    Source::Petition {
                        petition_number: format!("兴信〔{}〕{n}号", on.year()),
                    },
                    by,
                    "县信访局".to_owned(),
                )
            }
        };
        self.steps.push(Step::Open {
            report: Report {
                household: self.h.number.clone(),
                source,
                risks,
                reporter,
                reported_on: on,
            },
            by,
            on,
        });
        Ok(())
    }

    /// 启动识别 on `start`, then the steps up to and including `last` (`None`: through 纳入监测); a step in
    /// `fail` is decided 不通过 with the reason (and ends the procedure). Returns the date of the last step.
    pub(super) fn identify(
        &mut self,
        start: NaiveDate,
        last: Option<IdentStep>,
        fail: Option<(IdentStep, &str)>,
        outcome: &Outcome,
    ) -> Result<NaiveDate, Refusal> {
        let staff = self.ctx.staff;
        let team = staff.team(&self.village)?;
        self.act(
            CaseAction::StartIdentification {
                rules: self.ctx.rules.identification.clone(),
            },
            team.clone(),
            start,
        );
        let publicity = u64::from(self.ctx.rules.identification.publicity_days);
        let mut on = start;
        for (step, offset) in IDENT_OFFSETS {
            let extra = if step.index() >= IdentStep::NoticeClosed.index() {
                publicity
            } else {
                0
            };
            on = plus(start, offset + extra);
            let decision = |pass: &str| match fail {
                Some((s, reason)) if s == step => Decision::fail(reason),
                _ => Decision::pass(pass),
            };
            let (action, by) = match step {
                IdentStep::Verification => (
                    IdentAction::Verify {
                        verification: Box::new(
                            self.verification(on, "入户核实家庭收支和两不愁三保障情况")?,
                        ),
                        decision: decision("情况属实，符合识别条件"),
                    },
                    team.clone(),
                ),
                IdentStep::DataComparison => (
                    IdentAction::Compare {
                        checked_with: ["财政", "公安", "住建", "人社", "市场监管"]
                            .map(str::to_owned)
                            .to_vec(),
                        discrepancies: match fail {
                            Some((s, r)) if s == step => r.to_owned(),
                            _ => String::new(),
                        },
                        decision: decision("比对无异常"),
                    },
                    staff.county()?,
                ),
                IdentStep::Appraisal => (
                    IdentAction::Appraise {
                        meeting: self.meeting(on, "民主评议"),
                        decision: decision("评议同意纳入监测"),
                    },
                    team.clone(),
                ),
                IdentStep::PublicNotice => (
                    IdentAction::PostNotice {
                        place: format!("{}村委会公示栏", self.village_name()),
                    },
                    team.clone(),
                ),
                IdentStep::NoticeClosed => (
                    IdentAction::CloseNotice {
                        objections: Vec::new(),
                        decision: decision("公示期满无异议"),
                    },
                    team.clone(),
                ),
                IdentStep::TownshipReview => (
                    IdentAction::TownshipReview {
                        decision: decision("审核同意"),
                    },
                    staff.township(&self.village)?,
                ),
                IdentStep::CountyApproval => (
                    IdentAction::CountyApproval {
                        decision: decision("审定同意纳入监测"),
                        outcome: Some(outcome.clone()),
                    },
                    staff.county()?,
                ),
                IdentStep::Enrolment => (
                    IdentAction::Enrol {
                        opinion: "已录入全国防返贫监测信息系统".to_owned(),
                    },
                    staff.county()?,
                ),
            };
            self.act(CaseAction::Identify { action }, by, on);
            if fail.is_some_and(|(s, _)| s == step) || last == Some(step) {
                break;
            }
        }
        Ok(on)
    }

    /// Cadre, measures (the decision table's classes; `statuses`: how many done, in progress, planned).
    pub(super) fn assist(
        &mut self,
        from: NaiveDate,
        risks: &[RiskType],
        developmental: bool,
        statuses: (usize, usize, usize),
    ) -> Result<(), Refusal> {
        let staff = self.ctx.staff;
        let team = staff.team(&self.village)?;
        let cadre = staff.cadre(&self.village)?;
        self.act(
            CaseAction::Cadre {
                action: CadreAction::Assign {
                    cadre: Cadre {
                        user_id: cadre.user_id,
                        name: cadre.name.clone(),
                        level: CadreLevel::Resident,
                        unit: format!("{}驻村工作队", self.township_name()),
                        phone: None,
                    },
                },
            },
            team.clone(),
            plus(from, 1),
        );
        let mut classes: Vec<MeasureClass> = recommend(&Situation::of(self.h, risks))
            .into_iter()
            .map(|r| r.class)
            .collect();
        if developmental && self.h.has_labour() && !classes.iter().any(|c| c.is_developmental()) {
            classes.insert(0, MeasureClass::PublicWelfarePost);
        } else if developmental && let Some(i) = classes.iter().position(|c| c.is_developmental()) {
            let c = classes.remove(i);
            classes.insert(0, c);
        }
        if classes.is_empty() {
            classes.push(MeasureClass::SocialAssistance);
        }
        let (done, running, planned) = statuses;
        let township = self.township_name();
        let planned_on = plus(from, 30);
        for (i, class) in classes.iter().take(done + running + planned).enumerate() {
            let (item, unit, amount) = measure_text(*class, &township);
            self.act(
                CaseAction::PlanMeasure {
                    plan: MeasurePlan {
                        class: *class,
                        item: item.to_owned(),
                        planned_on: if i < done + running {
                            planned_on
                        } else {
                            Ord::max(plus(self.ctx.as_of(), 90), planned_on)
                        },
                        responsible_unit: unit,
                        amount: Fen::from_yuan(amount),
                    },
                },
                team.clone(),
                plus(from, 3),
            );
            if i < done + running {
                self.act(
                    CaseAction::UpdateMeasure {
                        index: i,
                        action: MeasureAction::Start {
                            note: "已开始实施".to_owned(),
                        },
                    },
                    cadre.clone(),
                    plus(from, 8),
                );
            }
            if i < done {
                let on = Ord::min(plus(from, 20 + i as u64 * 5), self.ctx.as_of());
                self.act(
                    CaseAction::UpdateMeasure {
                        index: i,
                        action: MeasureAction::Complete {
                            evidence: Completion {
                                description: format!("已落实：{item}"),
                                attachments: self.photo(i),
                            },
                        },
                    },
                    cadre.clone(),
                    on,
                );
            }
        }
        Ok(())
    }

    /// Monthly follow-ups from the month after `since` through `last` (visited by `visit_by` day of the
    /// month at the latest), leaving out `skip`.
    pub(super) fn follow_ups(
        &mut self,
        since: NaiveDate,
        last: YearMonth,
        visit_by: u32,
        skip: &[YearMonth],
    ) -> Result<(), Refusal> {
        let cadre = self.ctx.staff.cadre(&self.village)?;
        let estimate = self.income.map_or(Fen::ZERO, |r| r.per_capita());
        let start = plus(since, 1);
        let mut m = YearMonth::of(start);
        while m <= last {
            if !skip.contains(&m) {
                let day = self.rng.random_range(3..=visit_by.max(3));
                let visited = Ord::max(m.day_clamped(day), start);
                let visited = Ord::min(visited, self.ctx.as_of());
                if m.contains(visited) {
                    let on = Ord::min(
                        plus(visited, self.rng.random_range(0..=2)),
                        self.ctx.as_of(),
                    );
                    self.act(
                        CaseAction::FollowUp {
                            visit: FollowUp {
                                month: m,
                                visited_on: visited,
                                measures_carried_out: true,
                                policies_received: true,
                                standards_secure: true,
                                household_approves: true,
                                per_capita_income_estimate: estimate,
                                notes: String::new(),
                                income: None,
                            },
                        },
                        cadre.clone(),
                        on,
                    );
                }
            }
            m = m.next();
        }
        Ok(())
    }

    /// The exit from `nominate` on: nomination, meeting, check, appraisal (as many as `steps`, 1..=4).
    pub(super) fn exit(&mut self, dates: [NaiveDate; 4], steps: usize) -> Result<(), Refusal> {
        let team = self.ctx.staff.team(&self.village)?;
        self.steps.push(Step::Nominate {
            by: team.clone(),
            on: dates[0],
        });
        if steps >= 2 {
            let meeting = self.meeting(dates[1], "预判会议");
            self.act(
                CaseAction::Exit {
                    action: ExitAction::DecideAtMeeting {
                        meeting,
                        decision: Decision::pass("同意启动风险消除程序"),
                    },
                },
                team.clone(),
                dates[1],
            );
        }
        if steps >= 3 {
            let verification =
                self.verification(dates[2], "入户核查：收入稳定，两不愁三保障及饮水安全有保障")?;
            let work = if self.h.has_labour() {
                "家庭主要劳动力稳定务工，产业收入稳定"
            } else {
                "家庭无劳动力，已落实综合保障"
            };
            self.act(
                CaseAction::Exit {
                    action: ExitAction::CheckHousehold {
                        check: Box::new(ExitCheck {
                            verification,
                            measures_delivered: true,
                            industry_employment_ok: true,
                            industry_employment: work.to_owned(),
                        }),
                        opinion: "四查达标".to_owned(),
                    },
                },
                team.clone(),
                dates[2],
            );
        }
        if steps >= 4 {
            let meeting = self.meeting(dates[3], "民主评议风险消除");
            let mode = if self.rng.random_bool(0.85) {
                EliminationMode::Assisted
            } else {
                EliminationMode::Natural
            };
            self.act(
                CaseAction::Exit {
                    action: ExitAction::Appraise {
                        meeting,
                        decision: Decision::pass("评议通过，返贫风险已稳定消除"),
                        mode,
                        categories: DeferredCategory::of(self.h),
                        blockers: vec![],
                    },
                },
                team,
                dates[3],
            );
        }
        Ok(())
    }

    pub(super) fn notice(&mut self, on: NaiveDate) -> Result<(), Refusal> {
        let team = self.ctx.staff.team(&self.village)?;
        let village_name = self.village_name();
        let (village, committee) = if village_name.ends_with('村') {
            (
                format!("{}{village_name}", self.township_name()),
                format!("{village_name}村民委员会"),
            )
        } else {
            (
                village_name.clone(),
                format!("{SETTLEMENT_STREET}社区居民委员会"),
            )
        };
        self.steps.push(Step::Notice {
            by: team.clone(),
            on,
            addressee: self.head(),
            village,
            committee,
        });
        self.act(
            CaseAction::Cadre {
                action: CadreAction::Release {
                    reason: "返贫风险已消除，退出监测".to_owned(),
                },
            },
            team,
            plus(on, 1),
        );
        Ok(())
    }
}
