//! 结果: the household of a pick, its risks and outcome, and the cases a script yields.

use super::*;

/// The outcome of 县级审定 for a household: its registry type and risks where it is a 监测户, else one from
/// its type and the reported risks.
pub(crate) fn outcome_for(h: &Household, reported: &[RiskType]) -> Outcome {
    let mut risks: Vec<RiskType> = if h.is_monitored() && !h.risks.is_empty() {
        h.risks.clone()
    } else {
        reported.to_vec()
    };
    risks.sort();
    risks.dedup();
    risks.truncate(5);
    if risks.is_empty() {
        risks.push(RiskType::Other);
    }
    let monitored_type = h.monitored_type.unwrap_or_else(|| {
        if h.household_type == HouseholdType::Alleviated {
            MonitoredType::Unstable
        } else if risks
            .iter()
            .any(|r| r.is_disaster() || *r == RiskType::Accident)
        {
            MonitoredType::SuddenHardship
        } else {
            MonitoredType::Marginal
        }
    });
    Outcome {
        monitored_type,
        risks,
    }
}

/// The risks a household's case starts from (registry risks for a 监测户).
pub(crate) fn case_risks(h: &Household, scenario: Scenario, seed: u64) -> Vec<RiskType> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0715_4e55);
    if scenario.enrolled() && !h.risks.is_empty() {
        let mut r = h.risks.clone();
        r.truncate(5);
        return r;
    }
    if scenario == Scenario::IdentGreenChannel {
        return vec![RiskType::Accident];
    }
    vec![reported_risk(h, &mut rng)]
}

/// The household (as the registry will hold it: promoted where `pick.promote`) and the seed of its story.
pub(crate) fn household_for(county: &DemoCounty, pick: &Pick) -> Option<Household> {
    let dh = county.households.get(pick.index)?;
    let mut h = dh.household.clone();
    if pick.promote {
        let seed = county.seed ^ (pick.index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let risks = case_risks(&h, pick.scenario, seed);
        let o = outcome_for(&h, &risks);
        h.household_type = HouseholdType::Monitored;
        h.monitored_type = Some(o.monitored_type);
        h.risks = o.risks;
    }
    Some(h)
}

/// Writes the story of `pick` (its household `h` as the registry holds it) as dated steps, in date order.
pub(crate) fn script(
    ctx: &Ctx<'_>,
    county: &DemoCounty,
    pick: &Pick,
    h: &Household,
) -> Result<Vec<Step>, Refusal> {
    let Some(dh) = county.households.get(pick.index) else {
        return Err(missing("农户", &pick.index.to_string()));
    };
    let seed = county.seed ^ (pick.index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let risks = case_risks(h, pick.scenario, seed);
    let outcome = outcome_for(h, &risks);
    let mut s = Script {
        ctx,
        h,
        income: latest_income(dh).copied(),
        village: h.village.clone(),
        rng: ChaCha8Rng::seed_from_u64(seed),
        steps: Vec::new(),
    };
    match pick.scenario {
        Scenario::ClueApplication
        | Scenario::ClueCadre
        | Scenario::ClueDepartment
        | Scenario::CluePetition => {
            let channel = match pick.scenario {
                Scenario::ClueApplication => 0,
                Scenario::ClueCadre => 1,
                Scenario::ClueDepartment => 2,
                _ => 3,
            };
            let on = s.date(ctx.d(12, 1), ctx.d(12, 28));
            s.open(channel, risks, on)?;
        }
        Scenario::IdentVerified
        | Scenario::IdentAppraised
        | Scenario::IdentPublicity
        | Scenario::IdentOverdue => {
            let (from, to, last) = match pick.scenario {
                Scenario::IdentVerified => (ctx.d(12, 12), ctx.d(12, 20), IdentStep::Verification),
                Scenario::IdentAppraised => (ctx.d(12, 1), ctx.d(12, 12), IdentStep::Appraisal),
                Scenario::IdentPublicity => (ctx.d(12, 19), ctx.d(12, 23), IdentStep::PublicNotice),
                _ => (ctx.d(10, 10), ctx.d(11, 10), IdentStep::NoticeClosed),
            };
            let start = s.date(from, to);
            let back = s.rng.random_range(1..=5);
            let channel = s.rng.random_range(0..=2);
            s.open(channel, risks, minus(start, back))?;
            s.identify(start, Some(last), None, &outcome)?;
        }
        Scenario::IdentGreenChannel => {
            let start = s.date(ctx.d(12, 5), ctx.d(12, 15));
            s.open(0, risks.clone(), minus(start, 1))?;
            s.identify(start, Some(IdentStep::Verification), None, &outcome)?;
            let township = ctx.staff.township(&s.village)?;
            s.act(
                CaseAction::Identify {
                    action: IdentAction::OpenGreenChannel {
                        reason: "家庭主要劳动力意外受伤，生活陷入困境，先行帮扶".to_owned(),
                    },
                },
                township,
                start,
            );
            s.assist(plus(start, 0), &risks, false, (0, 1, 1))?;
        }
        Scenario::NotIncluded | Scenario::Reopened => {
            let start = if pick.scenario == Scenario::Reopened {
                s.date(ctx.d(3, 1), ctx.d(6, 30))
            } else {
                s.date(ctx.d(3, 1), ctx.d(11, 1))
            };
            let well_off = s
                .income
                .is_some_and(|r| r.per_capita() >= Fen(ctx.line.0 * 3 / 2));
            let fail = if well_off {
                (
                    IdentStep::Verification,
                    "经入户核查，家庭人均纯收入明显高于监测线，无返贫致贫风险",
                )
            } else if s.rng.random_bool(0.5) {
                (
                    IdentStep::DataComparison,
                    "信息比对发现家庭成员名下有商品房和小轿车，不符合纳入条件",
                )
            } else {
                (
                    IdentStep::Appraisal,
                    "民主评议认为家庭收入来源稳定，风险可自行化解，不予纳入",
                )
            };
            let back = s.rng.random_range(1..=6);
            s.open(0, risks.clone(), minus(start, back))?;
            s.identify(start, None, Some(fail), &outcome)?;
            if pick.scenario == Scenario::Reopened {
                let again = s.date(ctx.d(12, 1), ctx.d(12, 20));
                let new_risk = if risks.contains(&RiskType::Illness) {
                    RiskType::Accident
                } else {
                    RiskType::Illness
                };
                s.open(0, vec![new_risk], again)?;
            }
        }
        Scenario::Monitored => {
            let reported = s.date(ctx.d(2, 1), ctx.d(10, 31));
            let start = plus(reported, s.rng.random_range(1..=3));
            let channel = s.rng.random_range(0..=2);
            s.open(channel, risks.clone(), reported)?;
            let enrolled = s.identify(start, None, None, &outcome)?;
            s.assist(enrolled, &outcome.risks, true, (1, 1, 1))?;
            let first = YearMonth::of(plus(enrolled, 1));
            let months = first.through(YearMonth::of(ctx.as_of()));
            let mut skip = Vec::new();
            // Some months missing (before December, so they are overdue on 31 December).
            if months.len() > 1 && s.rng.random_bool(0.3) {
                let i = s.rng.random_range(0..months.len() - 1);
                skip.extend(months.get(i).copied());
            }
            s.follow_ups(enrolled, YearMonth::of(ctx.as_of()), 25, &skip)?;
        }
        Scenario::ExitRunning | Scenario::Deferred | Scenario::Eliminated => {
            let q3 = pick.scenario != Scenario::ExitRunning && s.rng.random_bool(0.5);
            let reported = if q3 {
                s.date(ctx.d(1, 4), ctx.d(2, 14))
            } else {
                s.date(ctx.d(1, 4), ctx.d(5, 10))
            };
            let start = plus(reported, s.rng.random_range(1..=3));
            let channel = s.rng.random_range(0..=2);
            s.open(channel, risks.clone(), reported)?;
            let enrolled = s.identify(start, None, None, &outcome)?;
            s.assist(enrolled, &outcome.risks, true, (1, 1, 0))?;
            let api_last = pick.api;
            let dates = match (pick.scenario, q3) {
                (Scenario::ExitRunning, _) => {
                    [ctx.d(12, 12), ctx.d(12, 15), ctx.d(12, 19), ctx.d(12, 23)]
                }
                (_, true) => [ctx.d(9, 13), ctx.d(9, 15), ctx.d(9, 20), ctx.d(9, 26)],
                _ => [ctx.d(12, 5), ctx.d(12, 13), ctx.d(12, 16), ctx.d(12, 21)],
            };
            let exit_steps = match pick.scenario {
                Scenario::ExitRunning => s.rng.random_range(1..=2),
                _ => 4,
            };
            // Follow-ups through the month of the appraisal (visits early in the month, before the exit
            // steps); a deferred household is followed up to December, with a month sometimes missing.
            let last = match pick.scenario {
                Scenario::Deferred => YearMonth::of(ctx.as_of()),
                Scenario::ExitRunning => YearMonth::of(ctx.as_of()),
                _ => YearMonth::of(dates[3]),
            };
            let mut skip = Vec::new();
            if pick.scenario == Scenario::Deferred && q3 && s.rng.random_bool(0.3) {
                skip.push(YearMonth::of(ctx.d(11, 1)));
            }
            s.follow_ups(enrolled, last, 11, &skip)?;
            s.exit(dates, exit_steps)?;
            if pick.scenario == Scenario::Eliminated {
                let on = if api_last {
                    ctx.d(12, 29)
                } else if q3 {
                    s.date(ctx.d(9, 28), ctx.d(10, 12))
                } else {
                    s.date(ctx.d(12, 23), ctx.d(12, 28))
                };
                s.notice(on)?;
            }
        }
    }
    let mut steps = s.steps;
    steps.sort_by_key(Step::on);
    Ok(steps)
}

/// Plays a script through the core's rules, as the bulk load does: `Case::open` for each opening report,
/// `Case::apply` for every action (the nomination with the registry facts `h`, `income` and `line`; the
/// notice with `sequence`). Returns the household's cases, oldest first. A refusal means a script the rules
/// do not allow (a bug of the demo): the load fails.
pub(crate) fn run(
    h: &Household,
    income: Option<IncomeRecord>,
    line: Fen,
    rules: &CountyRules,
    steps: Vec<Step>,
    sequence: u32,
) -> Result<Vec<Case>, Refusal> {
    let mut done: Vec<Case> = Vec::new();
    let mut current: Option<Case> = None;
    let no_case = || Refusal::invalid("演示脚本：尚无档案", "demo script: no case yet");
    for step in steps {
        let next = match step {
            Step::Open { report, by, on } => {
                if let Some(c) = current.take() {
                    if !c.lifecycle().is_closed() {
                        return Err(Refusal::invalid(
                            "演示脚本：档案未结束",
                            "demo script: the case is still open",
                        ));
                    }
                    done.push(c);
                }
                Case::open(report, h.village.clone(), &by, on)?
            }
            Step::Act { action, by, on } => current
                .as_ref()
                .ok_or_else(no_case)?
                .apply(action, &by, on)?,
            Step::Nominate { by, on } => current.as_ref().ok_or_else(no_case)?.apply(
                CaseAction::NominateExit {
                    household: Box::new(h.clone()),
                    line,
                    latest_income: income,
                    rules: Box::new(rules.exit.clone()),
                    open_problems: vec![],
                },
                &by,
                on,
            )?,
            Step::Notice {
                by,
                on,
                addressee,
                village,
                committee,
            } => current.as_ref().ok_or_else(no_case)?.apply(
                CaseAction::Exit {
                    action: ExitAction::IssueNotice {
                        sequence,
                        addressee,
                        village,
                        committee,
                    },
                },
                &by,
                on,
            )?,
        };
        current = Some(next);
    }
    done.extend(current);
    Ok(done)
}
