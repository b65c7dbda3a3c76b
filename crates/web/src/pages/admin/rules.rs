//! The county rules page 县级规则配置 (`/admin/rules`, issue 5): the screening thresholds 部门筛查预警阈值,
//! the clue merge window 线索归并时间窗, the 公示期 and the identification time limit 识别办理时限
//! (§三(一)1), the exit rules 退出机制 (缓退 categories, months; §三(一)3), the exit notice numbering
//! 告知书编号, the due days of the work calendar 工作日历 and the monitoring lines 防止返贫监测线 by year.
//!
//! The county admin 县级管理员 of the county edits; a township admin 乡镇管理员 sees the page read-only;
//! every other role gets a 403 page. Saving goes through `repo::rules::set` (validated by the core,
//! versioned, audited) with the version the form was rendered from (hidden field), and through
//! `shouwang_app::lines` for the county's own line (while the province allows it; [`super::lines`]). Invalid input re-shows the form with what was typed and the reason in
//! Chinese (or English); a save redirects to the page with a success message.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use shouwang_core::codes::CodeList;
use shouwang_core::monitoring::exit::DeferredCategory;
use shouwang_core::register::low_income::Category as LowIncomeCategory;
use shouwang_core::rules::CountyRules;
use shouwang_store::StoreError;
use shouwang_store::repo;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::i18n::rules::{FIELDS, SECTIONS};
use crate::http::i18n::{I18n, Lang};
use crate::pages::admin::lines::{self, LineForm, LinesSection};

/// A place in [`CountyRules`] a form field reads and writes.
enum Slot<'a> {
    U32(&'a mut u32),
    I64(&'a mut i64),
    Text(&'a mut String),
}

fn slot<'a>(r: &'a mut CountyRules, name: &str) -> Option<Slot<'a>> {
    Some(match name {
        "medical_yuan" => Slot::I64(&mut r.screening.medical_yuan),
        "medical_income_pct" => Slot::U32(&mut r.screening.medical_income_pct),
        "disaster_yuan" => Slot::I64(&mut r.screening.disaster_yuan),
        "disaster_income_pct" => Slot::U32(&mut r.screening.disaster_income_pct),
        "school_age_min" => Slot::U32(&mut r.screening.school_age_min),
        "school_age_max" => Slot::U32(&mut r.screening.school_age_max),
        "near_line_pct" => Slot::U32(&mut r.screening.near_line_pct),
        "income_drop_pct" => Slot::U32(&mut r.screening.income_drop_pct),
        "merge_window_days" => Slot::U32(&mut r.clue.merge_window_days),
        "publicity_days" => Slot::U32(&mut r.identification.publicity_days),
        "time_limit_working_days" => Slot::U32(&mut r.identification.time_limit_working_days),
        "min_monitored_months" => Slot::U32(&mut r.exit.min_monitored_months),
        "stable_income_months" => Slot::U32(&mut r.exit.stable_income_months),
        "notice_prefix" => Slot::Text(&mut r.exit.notice.prefix),
        "notice_word" => Slot::Text(&mut r.exit.notice.word),
        "follow_up_due_day" => Slot::U32(&mut r.cadence.follow_up_due_day),
        "screening_due_day" => Slot::U32(&mut r.cadence.screening_due_day),
        "prejudgment_due_day" => Slot::U32(&mut r.cadence.prejudgment_due_day),
        "appraisal_due_day" => Slot::U32(&mut r.cadence.appraisal_due_day),
        "pv_yearly_income_yuan" => Slot::I64(&mut r.pv.yearly_income_yuan),
        "pv_village_rate_pct" => Slot::U32(&mut r.pv.village_rate_pct),
        _ => return None,
    })
}

fn value_of(r: &CountyRules, name: &str) -> String {
    let mut r = r.clone();
    match slot(&mut r, name) {
        Some(Slot::U32(v)) => v.to_string(),
        Some(Slot::I64(v)) => v.to_string(),
        Some(Slot::Text(v)) => v.clone(),
        None => String::new(),
    }
}

/// A reason in both languages.
#[derive(Debug)]
struct Reason {
    zh: String,
    en: String,
}

impl Reason {
    fn pick(&self, lang: Lang) -> String {
        lang.pick(&self.zh, &self.en).to_owned()
    }
}

/// The submitted form (every field as typed).
struct Submitted(Vec<(String, String)>);

impl Submitted {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Writes the submitted fields into `rules`; the first bad field's reason.
fn apply(rules: &mut CountyRules, form: &Submitted) -> Result<(), Reason> {
    for f in FIELDS {
        let raw = form.get(f.name).trim();
        let whole = |raw: &str| Reason {
            zh: format!("“{}”应填写不小于 0 的整数，收到“{raw}”", f.zh),
            en: format!(
                "“{}” must be a whole number of at least 0, got “{raw}”",
                f.en
            ),
        };
        if raw.is_empty() {
            return Err(Reason {
                zh: format!("“{}”不能为空", f.zh),
                en: format!("“{}” may not be empty", f.en),
            });
        }
        match slot(rules, f.name) {
            Some(Slot::U32(v)) => *v = raw.parse().map_err(|_| whole(raw))?,
            Some(Slot::I64(v)) => {
                *v = raw
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| whole(raw))?;
            }
            Some(Slot::Text(v)) => {
                if raw.chars().count() > 40 || raw.chars().any(char::is_control) {
                    return Err(Reason {
                        zh: format!("“{}”最多 40 个字，且不能含控制字符", f.zh),
                        en: format!("“{}” takes at most 40 characters", f.en),
                    });
                }
                raw.clone_into(v);
            }
            None => {}
        }
    }
    let mut deferred = Vec::new();
    for code in form.all("deferred") {
        let c = DeferredCategory::from_code(code).ok_or_else(|| Reason {
            zh: format!("未知的缓退类别“{code}”"),
            en: format!("Unknown deferred-exit category “{code}”"),
        })?;
        if !deferred.contains(&c) {
            deferred.push(c);
        }
    }
    rules.exit.deferred = deferred;
    // 低收入人口类别 counted (§三(二)); only a form that showed them (`low_income_shown`) changes them.
    if !form.get("low_income_shown").is_empty() {
        let mut counted = Vec::new();
        for code in form.all("low_income") {
            counted.push(LowIncomeCategory::from_code(code).ok_or_else(|| Reason {
                zh: format!("未知的低收入人口类别“{code}”"),
                en: format!("Unknown low-income category “{code}”"),
            })?);
        }
        rules.low_income.off = LowIncomeCategory::ALL
            .iter()
            .filter(|c| !counted.contains(c))
            .copied()
            .collect();
    }
    // 三保障和饮水安全排查清单 (§三(四)2): each item on or off and its wording; only a form that showed them
    // (`campaign_shown`) changes them (the core refuses a blank or overlong wording, none switched on).
    if !form.get("campaign_shown").is_empty() {
        let on: Vec<&str> = form.all("campaign_on").collect();
        for item in &mut rules.campaign.items {
            item.enabled = on.contains(&item.code.as_str());
            let label = form.get(&format!("campaign_label_{}", item.code)).trim();
            label.clone_into(&mut item.label);
        }
    }
    Ok(())
}

struct FieldView {
    name: &'static str,
    label: &'static str,
    value: String,
    number: bool,
}

struct SectionView {
    title: &'static str,
    fields: Vec<FieldView>,
}

struct CheckView {
    code: &'static str,
    label: &'static str,
    checked: bool,
}

/// An item of the campaign checklist as the form shows it.
struct ItemView {
    code: String,
    sector: &'static str,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "admin/rules.html")]
struct RulesPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: &'a str,
    editable: bool,
    county: String,
    version: i64,
    updated_at: String,
    sections: Vec<SectionView>,
    deferred: Vec<CheckView>,
    low_income: Vec<CheckView>,
    campaign: Vec<ItemView>,
    notice_example: String,
    error: Option<String>,
    saved: Option<&'static str>,
    lines: LinesSection,
}

/// What the form shows: the stored rules, or what was typed.
enum Values<'a> {
    Stored(&'a CountyRules),
    Typed(&'a Submitted),
}

impl Values<'_> {
    fn field(&self, name: &str) -> String {
        match self {
            Values::Stored(r) => value_of(r, name),
            Values::Typed(f) => f.get(name).to_owned(),
        }
    }

    fn deferred(&self, c: DeferredCategory) -> bool {
        match self {
            Values::Stored(r) => r.exit.deferred.contains(&c),
            Values::Typed(f) => f.all("deferred").any(|v| v == c.code()),
        }
    }

    fn campaign(&self, item: &shouwang_core::register::campaign::ChecklistItem) -> (bool, String) {
        match self {
            Values::Stored(_) => (item.enabled, item.label.clone()),
            Values::Typed(f) => (
                f.all("campaign_on").any(|v| v == item.code),
                f.get(&format!("campaign_label_{}", item.code)).to_owned(),
            ),
        }
    }

    fn low_income(&self, c: LowIncomeCategory) -> bool {
        match self {
            Values::Stored(r) => r.low_income.counts(c),
            Values::Typed(f) => f.all("low_income").any(|v| v == c.code()),
        }
    }
}

/// Everything the page needs besides the form values.
struct Context {
    county: String,
    rec: repo::rules::RulesRecord,
    lines: shouwang_app::lines::LinesView,
    editable: bool,
}

async fn context(state: &AppState, user: &CurrentUser) -> Result<Context, AppError> {
    if !user.may_read_rules() {
        return Err(AppError::forbidden());
    }
    let area = user.scope.area_prefix();
    let county = match area.get(..6) {
        Some(c) if c.bytes().all(|b| b.is_ascii_digit()) => c.to_owned(),
        _ => return Err(AppError::forbidden()),
    };
    let rec = repo::rules::get(&state.db, &county).await?;
    let lines = shouwang_app::lines::view(&state.db, &user.caller()).await?;
    Ok(Context {
        editable: user.scope.may_configure(&county),
        county,
        rec,
        lines,
    })
}

#[derive(Default)]
struct Extra {
    error: Option<String>,
    saved: Option<&'static str>,
    /// A refused line: what was typed and why.
    line: Option<(LineForm, String)>,
}

fn page(
    user: &CurrentUser,
    ctx: &Context,
    values: &Values<'_>,
    version: i64,
    extra: Extra,
    status: StatusCode,
) -> Response {
    let i18n = user.i18n();
    let sections = SECTIONS
        .iter()
        .map(|s| SectionView {
            title: i18n.t(&format!("adm.s.{s}")),
            fields: FIELDS
                .iter()
                .filter(|f| f.section == *s)
                .map(|f| FieldView {
                    name: f.name,
                    label: user.lang.pick(f.zh, f.en),
                    value: values.field(f.name),
                    number: !f.name.starts_with("notice_"),
                })
                .collect(),
        })
        .collect();
    let deferred = DeferredCategory::all()
        .iter()
        .map(|c| CheckView {
            code: c.code(),
            label: i18n.label(c),
            checked: values.deferred(*c),
        })
        .collect();
    let low_income = LowIncomeCategory::ALL
        .iter()
        .map(|c| CheckView {
            code: c.code(),
            label: i18n.label(c),
            checked: values.low_income(*c),
        })
        .collect();
    let campaign = ctx
        .rec
        .rules
        .campaign
        .items
        .iter()
        .map(|item| {
            let (checked, label) = values.campaign(item);
            ItemView {
                code: item.code.clone(),
                sector: shouwang_core::register::campaign::sector_short_zh(item.sector),
                label,
                checked,
            }
        })
        .collect();
    let lines = LinesSection::new(
        &ctx.lines,
        "/admin/rules/line",
        extra.line.as_ref().map(|(f, why)| (f, why.clone())),
    );
    let mut example = ctx.rec.rules.exit.notice.clone();
    if let Values::Typed(f) = values {
        f.get("notice_prefix")
            .trim()
            .clone_into(&mut example.prefix);
        f.get("notice_word").trim().clone_into(&mut example.word);
    }
    let year = chrono::Datelike::year(&shouwang_app::today());
    let p = RulesPage {
        i18n,
        user,
        path: "/admin/rules",
        editable: ctx.editable,
        county: ctx.county.clone(),
        version,
        updated_at: ctx.rec.updated_at.map_or_else(
            || i18n.t("adm.never").to_owned(),
            |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
        sections,
        deferred,
        low_income,
        campaign,
        notice_example: example.number(year, 1),
        error: extra.error,
        saved: extra.saved,
        lines,
    };
    match p.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::internal(e.to_string()).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /admin/rules`.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ShowQuery>,
) -> Response {
    let ctx = match context(&state, &user).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let saved = match q.saved.as_deref() {
        Some("rules") => Some(user.i18n().t("adm.saved")),
        Some("line") => Some(user.i18n().t("adm.line_saved")),
        _ => None,
    };
    page(
        &user,
        &ctx,
        &Values::Stored(&ctx.rec.rules),
        ctx.rec.version,
        Extra {
            saved,
            ..Extra::default()
        },
        StatusCode::OK,
    )
}

/// Checks the CSRF token and that the user may edit.
async fn editable_context(
    state: &AppState,
    user: &CurrentUser,
    form: &Submitted,
) -> Result<Context, AppError> {
    check_csrf(user, form.get("csrf"))?;
    let ctx = context(state, user).await?;
    if !ctx.editable {
        return Err(AppError::forbidden_because(
            "只有本县的县级管理员可以修改县级规则和监测线".to_owned(),
            "Only the county admin of this county may change the county rules and lines".to_owned(),
        ));
    }
    Ok(ctx)
}

/// `POST /admin/rules`: saves the rules (county admin).
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = Submitted(pairs);
    let ctx = match editable_context(&state, &user, &form).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let typed_version = form.get("version").trim().parse::<i64>().ok();
    let retry = |reason: Reason, status: StatusCode, version: i64| {
        page(
            &user,
            &ctx,
            &Values::Typed(&form),
            version,
            Extra {
                error: Some(reason.pick(user.lang)),
                ..Extra::default()
            },
            status,
        )
    };
    let Some(version) = typed_version else {
        return retry(
            Reason {
                zh: "页面缺少版本号，请刷新页面后重新编辑".to_owned(),
                en: "The page has no version; reload it and edit again".to_owned(),
            },
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.rec.version,
        );
    };
    let mut rules = ctx.rec.rules.clone();
    if let Err(reason) = apply(&mut rules, &form) {
        return retry(reason, StatusCode::UNPROCESSABLE_ENTITY, version);
    }
    let actor = shouwang_store::Actor::new(user.user_id, user.display_name.clone());
    match repo::rules::set(&state.db, &actor, &user.scope, &ctx.county, &rules, version).await {
        Ok(_) => Redirect::to("/admin/rules?saved=rules").into_response(),
        Err(e @ StoreError::Invalid { .. }) => {
            let e = AppError::from(e);
            retry(
                Reason {
                    zh: e.0.zh,
                    en: e.0.en,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
                version,
            )
        }
        Err(StoreError::StaleVersion { expected, found }) => retry(
            Reason {
                zh: format!(
                    "县级规则已被他人修改（您编辑的是版本 {expected}，当前为版本 {found}），本次保存未生效。请刷新页面后重新编辑。"
                ),
                en: format!(
                    "The rules were changed by someone else (you edited version {expected}, now {found}); nothing was saved. Reload the page and edit again."
                ),
            },
            StatusCode::CONFLICT,
            version,
        ),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// `POST /admin/rules/line`: sets the county's own monitoring line of a year (the county admin, while the
/// province allows it).
pub async fn save_line(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<LineForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &form.csrf) {
        return e.into_response();
    }
    let ctx = match context(&state, &user).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    match lines::save(&state, &user, &form).await {
        Ok(()) => Redirect::to("/admin/rules?saved=line").into_response(),
        Err((status, why)) => page(
            &user,
            &ctx,
            &Values::Stored(&ctx.rec.rules),
            ctx.rec.version,
            Extra {
                line: Some((form, why)),
                ..Extra::default()
            },
            status,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Submitted {
        let rules = CountyRules::default();
        let mut all: Vec<(String, String)> = FIELDS
            .iter()
            .map(|f| (f.name.to_owned(), value_of(&rules, f.name)))
            .collect();
        for (k, v) in pairs {
            all.retain(|(n, _)| n != k);
            all.push(((*k).to_owned(), (*v).to_owned()));
        }
        Submitted(all)
    }

    #[test]
    fn every_field_reads_and_writes_its_place() {
        let rules = CountyRules::default();
        for f in FIELDS {
            let mut r = rules.clone();
            assert!(slot(&mut r, f.name).is_some(), "{}", f.name);
            assert!(SECTIONS.contains(&f.section));
            assert!(crate::http::i18n::rules::text(&format!("adm.f.{}", f.name)).is_some());
        }
        let mut r = rules.clone();
        apply(&mut r, &form(&[("deferred", "dibao")])).unwrap();
        assert_eq!(r.exit.deferred, vec![DeferredCategory::Dibao]);
        assert!(
            r.low_income.off.is_empty(),
            "a form without the categories keeps them"
        );
        apply(
            &mut r,
            &form(&[("low_income_shown", "1"), ("low_income", "dibao")]),
        )
        .unwrap();
        assert!(r.low_income.counts(LowIncomeCategory::Dibao));
        assert!(!r.low_income.counts(LowIncomeCategory::Tekun));
        assert_eq!(r.screening, rules.screening);
        let mut r = rules.clone();
        apply(
            &mut r,
            &form(&[
                ("medical_yuan", " 8000 "),
                ("notice_prefix", "兴县圪塔上乡"),
            ]),
        )
        .unwrap();
        assert_eq!(r.screening.medical_yuan, 8000);
        assert_eq!(r.exit.notice.prefix, "兴县圪塔上乡");
    }

    #[test]
    fn bad_input_names_the_field_in_chinese() {
        let mut r = CountyRules::default();
        let e = apply(&mut r, &form(&[("publicity_days", "五")])).unwrap_err();
        assert!(e.zh.contains("公示期"), "{}", e.zh);
        let e = apply(&mut r, &form(&[("medical_yuan", "-5")])).unwrap_err();
        assert!(e.zh.contains("医疗"), "{}", e.zh);
        let e = apply(&mut r, &form(&[("notice_word", "")])).unwrap_err();
        assert!(e.zh.contains("不能为空"), "{}", e.zh);
        let e = apply(&mut r, &form(&[("deferred", "rich")])).unwrap_err();
        assert!(e.zh.contains("缓退"), "{}", e.zh);
    }
}
