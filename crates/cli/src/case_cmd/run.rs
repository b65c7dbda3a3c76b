//! Running one command as the operator's user: the lifecycle command layer, the read models, the output.

use super::*;

pub(super) struct Ctx {
    db: Db,
    caller: Caller,
    files: files::FileStore,
    json: bool,
}

impl Ctx {
    async fn exec(
        &self,
        household: &str,
        version: Option<i64>,
        on: Option<NaiveDate>,
        command: Command,
    ) -> anyhow::Result<()> {
        let done = lifecycle::execute(
            &self.db,
            &self.caller,
            Request {
                household: household.to_owned(),
                version,
                on,
                command,
            },
        )
        .await
        .map_err(fail)?;
        let rules = lifecycle::county_rules(&self.db, &done.record.county_code)
            .await
            .map_err(fail)?;
        let result = WriteResult {
            filed: done.filed.map(Into::into),
            case: CaseDto::of(done.record, shouwang_app::today(), &rules),
        };
        print(self.json, &result, || {
            let filed = match done.filed {
                Some(lifecycle::Filed::NewCase) => "新建档案 / new case\n",
                Some(lifecycle::Filed::NewClue) => "新线索 / new clue\n",
                Some(lifecycle::Filed::Merged) => "已归并 / merged into a clue\n",
                None => "",
            };
            format!("已办理 / done.\n{filed}{}", case_text(&result.case))
        })
    }

    async fn upload(&self, path: &Path) -> anyhow::Result<Attachment> {
        upload_path(&self.db, &self.files, &self.caller, path, self.json).await
    }
}

/// Uploads the file at `path` to the attachment store as `caller` (its media type from the extension;
/// the store checks it against the content) and returns it as evidence; says so on stderr unless `quiet`.
pub(crate) async fn upload_path(
    db: &Db,
    store: &files::FileStore,
    caller: &Caller,
    path: &Path,
    quiet: bool,
) -> anyhow::Result<Attachment> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read {}", path.display()))
        .map_err(|e| bad(format!("{e:#}")))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let media = match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let row = files::upload(db, store, caller, name, media, &bytes)
        .await
        .map_err(fail)?;
    if !quiet {
        let dto = AttachmentDto::from(row.clone());
        eprintln!(
            "已上传 / uploaded {} ({} bytes, SHA-256 {})",
            dto.name, dto.size, dto.sha256
        );
    }
    Attachment::new(row.name, &row.sha256, row.media_type).map_err(|r| fail(StoreError::Refused(r)))
}

/// Runs `shouwang case …`.
pub async fn run(args: CaseArgs) -> anyhow::Result<()> {
    let files_dir = args
        .files_dir
        .clone()
        .unwrap_or_else(|| args.db.data_dir.join("attachments"));
    let db = args.db.open().await?;
    let caller = shouwang_app::caller_by_username(&db, &args.user)
        .await
        .map_err(fail)?
        .ok_or_else(|| {
            anyhow!(Failure { code: 3 }).context(crate::config::no_such_user(&args.user))
        })?;
    let ctx = Ctx {
        db,
        caller,
        files: files::FileStore::new(files_dir),
        json: args.json,
    };
    dispatch(&ctx, args.command).await
}

pub(super) async fn dispatch(ctx: &Ctx, command: CaseCommand) -> anyhow::Result<()> {
    let scope: &Scope = &ctx.caller.scope;
    match command {
        CaseCommand::List {
            lifecycle,
            region,
            channel,
            cadre,
            page,
            per_page,
        } => {
            let query = CaseQuery {
                lifecycle: lifecycle
                    .as_deref()
                    .map(|s| code::<Lifecycle>(s, "监测状态 lifecycle"))
                    .transpose()?,
                region,
                channel: channel
                    .as_deref()
                    .map(|s| code::<Channel>(s, "监测手段 channel"))
                    .transpose()?,
                cadre_user_id: cadre,
                ..CaseQuery::default()
            };
            let p: CasePage = lifecycle::list(&ctx.db, scope, &query, page, per_page)
                .await
                .map_err(fail)?
                .into();
            print(ctx.json, &p, || rows_text(&p))
        }
        CaseCommand::Show { household } => {
            let rec = repo::cases::get(&ctx.db, scope, &household)
                .await
                .map_err(fail)?
                .ok_or_else(|| fail(StoreError::NotFound))?;
            let rules = lifecycle::county_rules(&ctx.db, &rec.county_code)
                .await
                .map_err(fail)?;
            let dto = CaseDto::of(rec, shouwang_app::today(), &rules);
            print(ctx.json, &dto, || case_text(&dto))
        }
        CaseCommand::Report {
            household,
            channel,
            risks,
            reporter,
            reported_on,
            applicant,
            cause,
            means,
            round,
            department,
            file,
            petition_number,
            on,
        } => {
            let need = |v: Option<String>, flag: &str| {
                v.ok_or_else(|| bad(format!("该渠道需要 --{flag} / this channel needs --{flag}")))
            };
            let source = match code::<Channel>(&channel, "监测手段 channel")? {
                Channel::Application => Source::Application {
                    applicant: need(applicant, "applicant")?,
                    stated_cause: need(cause, "cause")?,
                    means: code::<ApplicationMeans>(&means, "申请方式 means")?,
                },
                Channel::CadreScreening => Source::CadreScreening {
                    round: need(round, "round")?,
                },
                Channel::DepartmentScreening => Source::DepartmentScreening {
                    department: need(department, "department")?,
                    file: need(file, "file")?,
                    round: round
                        .map(|r| {
                            YearMonth::parse(&r).ok_or_else(|| {
                                bad(format!(
                                    "--round {r:?}：部门筛查批次应为 年-月 / expected YYYY-MM"
                                ))
                            })
                        })
                        .transpose()?,
                },
                Channel::Petition => Source::Petition {
                    petition_number: need(petition_number, "petition-number")?,
                },
            };
            let risks = risks
                .iter()
                .map(|r| code::<RiskType>(r, "风险类型 risk"))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let report = Report {
                household: household.clone(),
                source,
                risks,
                reporter,
                reported_on: reported_on.or(on).unwrap_or_else(shouwang_app::today),
            };
            ctx.exec(&household, None, on, Command::Report { report })
                .await
        }
        CaseCommand::Start { household, write } => {
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::StartIdentification,
            )
            .await
        }
        CaseCommand::Identify {
            household,
            step,
            write,
        } => {
            let action: IdentAction = json_arg(&step, "识别步骤 step")?;
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::Identify { action },
            )
            .await
        }
        CaseCommand::GreenChannel {
            household,
            reason,
            write,
        } => {
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::Identify {
                    action: IdentAction::OpenGreenChannel { reason },
                },
            )
            .await
        }
        CaseCommand::Recommend {
            household,
            income_loss,
            weak_drive,
        } => {
            let r: RecommendationsDto =
                lifecycle::recommendations(&ctx.db, scope, &household, income_loss, weak_drive)
                    .await
                    .map_err(fail)?
                    .into();
            print(ctx.json, &r, || {
                let mut out = vec![format!("劳动力 labour: {}", r.situation.labour.label_zh())];
                for x in &r.recommendations {
                    let rules: Vec<&str> = x.because.iter().map(|p| p.code()).collect();
                    out.push(format!(
                        "  {}（{}）  {}",
                        x.class.label_zh(),
                        x.class.code(),
                        rules.join(", ")
                    ));
                }
                out.join("\n")
            })
        }
        CaseCommand::Plan {
            household,
            class,
            item,
            planned_on,
            unit,
            amount,
            write,
        } => {
            let plan = MeasurePlan {
                class: code::<MeasureClass>(&class, "措施类别 class")?,
                item,
                planned_on,
                responsible_unit: unit,
                amount: yuan(&amount)?,
            };
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::PlanMeasure { plan },
            )
            .await
        }
        CaseCommand::Measure {
            household,
            index,
            action,
            text,
            attach,
            write,
        } => {
            let action = match action.as_str() {
                "start" => MeasureAction::Start { note: text },
                "complete" => {
                    let mut attachments = Vec::new();
                    for p in &attach {
                        attachments.push(ctx.upload(p).await?);
                    }
                    MeasureAction::Complete {
                        evidence: Completion {
                            description: text,
                            attachments,
                        },
                    }
                }
                "cancel" => MeasureAction::Cancel { reason: text },
                other => {
                    return Err(bad(format!(
                        "--action 应为 start、complete 或 cancel / unknown action {other:?}"
                    )));
                }
            };
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::UpdateMeasure { index, action },
            )
            .await
        }
        CaseCommand::Cadre {
            household,
            action,
            cadre_user,
            level,
            unit,
            phone,
            reason,
            write,
        } => {
            let level = code::<CadreLevel>(&level, "干部类别 level")?;
            let id =
                || cadre_user.ok_or_else(|| bad("需要 --cadre-user / --cadre-user is required"));
            let action = match action.as_str() {
                "assign" => CadreCommand::Assign {
                    cadre_user_id: id()?,
                    level,
                    unit,
                    phone,
                },
                "reassign" => CadreCommand::Reassign {
                    cadre_user_id: id()?,
                    level,
                    unit,
                    phone,
                    reason,
                },
                "release" => CadreCommand::Release { reason },
                other => {
                    return Err(bad(format!(
                        "--action 应为 assign、reassign 或 release / unknown action {other:?}"
                    )));
                }
            };
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::Cadre { action },
            )
            .await
        }
        CaseCommand::Workload => {
            let w: Vec<WorkloadDto> = repo::cases::workload(&ctx.db, scope)
                .await
                .map_err(fail)?
                .into_iter()
                .map(Into::into)
                .collect();
            print(ctx.json, &w, || {
                w.iter()
                    .map(|l| {
                        format!(
                            "{}（{}）: {} 户",
                            l.cadre_name, l.cadre_user_id, l.households
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        CaseCommand::FollowUp {
            household,
            month,
            visited_on,
            income,
            members,
            income_year,
            amounts,
            measures_not_carried_out,
            policies_not_received,
            standards_not_secure,
            not_approved,
            notes,
            write,
        } => {
            let month = YearMonth::parse(&month).ok_or_else(|| {
                bad(format!(
                    "月份应为 YYYY-MM / month must be YYYY-MM: {month:?}"
                ))
            })?;
            let record = members
                .map(|m| amounts.record(income_year.unwrap_or(month.year()), m))
                .transpose()?;
            let estimate = match (&record, income) {
                (Some(r), _) => r.per_capita(),
                (None, Some(e)) => yuan(&e)?,
                (None, None) => {
                    return Err(bad(
                        "请填写 --income（预计人均纯收入）或 --members（收支测算） / --income or --members is required",
                    ));
                }
            };
            let visit = FollowUp {
                month,
                visited_on,
                measures_carried_out: !measures_not_carried_out,
                policies_received: !policies_not_received,
                standards_secure: !standards_not_secure,
                household_approves: !not_approved,
                per_capita_income_estimate: estimate,
                notes,
                income: record,
            };
            ctx.exec(
                &household,
                Some(write.version),
                write.on,
                Command::FollowUp { visit },
            )
            .await
        }
        CaseCommand::Exit { command } => match command {
            ExitCmd::Candidates { on } => {
                let on = on.unwrap_or_else(shouwang_app::today);
                let c: Vec<CandidateDto> = lifecycle::exit_candidates(&ctx.db, &ctx.caller, on)
                    .await
                    .map_err(fail)?
                    .into_iter()
                    .map(Into::into)
                    .collect();
                print(ctx.json, &c, || {
                    c.iter()
                        .map(|x| {
                            let unmet: Vec<&str> = x
                                .judgment
                                .unmet
                                .iter()
                                .map(|u| u.condition.code())
                                .collect();
                            format!(
                                "{}  {}  {}  按{}年监测线",
                                x.case.household_number,
                                if x.proposed {
                                    "预判风险消除"
                                } else {
                                    "未达条件"
                                },
                                unmet.join(","),
                                x.line_year
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            }
            ExitCmd::Nominate { household, write } => {
                ctx.exec(
                    &household,
                    Some(write.version),
                    write.on,
                    Command::NominateExit,
                )
                .await
            }
            ExitCmd::Step {
                household,
                step,
                write,
            } => {
                let action: ExitCommand = json_arg(&step, "退出步骤 step")?;
                ctx.exec(
                    &household,
                    Some(write.version),
                    write.on,
                    Command::Exit { action },
                )
                .await
            }
            ExitCmd::Appraise {
                household,
                held_on,
                attendance,
                mode,
                opinion,
                write,
            } => {
                let action = ExitCommand::Appraise {
                    meeting: shouwang_core::monitoring::Meeting {
                        held_on,
                        attendance,
                        minutes: String::new(),
                    },
                    decision: shouwang_core::monitoring::Decision::pass(opinion),
                    mode: code::<EliminationMode>(&mode, "风险消除方式 mode")?,
                };
                ctx.exec(
                    &household,
                    Some(write.version),
                    write.on,
                    Command::Exit { action },
                )
                .await
            }
        },
        CaseCommand::Notice { command } => match command {
            NoticeCmd::Issue { household, write } => {
                ctx.exec(
                    &household,
                    Some(write.version),
                    write.on,
                    Command::IssueNotice,
                )
                .await
            }
            NoticeCmd::Show { household } => {
                let n = lifecycle::notice(&ctx.db, scope, &household)
                    .await
                    .map_err(fail)?;
                let dto = NoticeDto {
                    notice: n.notice,
                    text: n.text,
                    plain: n.plain,
                };
                print(ctx.json, &dto, || dto.plain.clone())
            }
        },
        CaseCommand::Queues => {
            let q: QueuesDto = lifecycle::queues(&ctx.db, &ctx.caller, shouwang_app::today())
                .await
                .map_err(fail)?
                .into();
            print(ctx.json, &q, || {
                let mut out = Vec::new();
                for v in &q.clues_waiting {
                    out.push(format!(
                        "待启动识别线索 clues waiting: 村 {} {} 户（最早 {}）",
                        v.village_code, v.cases, v.oldest_reported_on
                    ));
                }
                for w in &q.approvals {
                    let step = w
                        .ident_step
                        .map(|s| s.label_zh())
                        .or(w.exit_step.map(|s| s.label_zh()))
                        .unwrap_or("");
                    out.push(format!(
                        "待办 waiting: {} {}",
                        w.case.household_number, step
                    ));
                }
                out.push(format!(
                    "{} 逾期未跟踪 overdue follow-ups: {} 户",
                    q.follow_up_month,
                    q.overdue_follow_ups.len()
                ));
                out.push(format!(
                    "识别超期 overdue identifications: {} 户",
                    q.overdue_identifications.len()
                ));
                out.push(format!(
                    "无帮扶责任人 without a cadre: {} 户",
                    q.needs_cadre.len()
                ));
                out.join("\n")
            })
        }
        CaseCommand::Do {
            household,
            command,
            version,
            on,
        } => {
            let command: Command = json_arg(&command, "命令 command")?;
            ctx.exec(&household, version, on, command).await
        }
    }
}
