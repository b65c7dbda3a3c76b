//! 公益岗位 (B1 §四(一)3 "公益岗位援助一批", A4 §三(二) 两无老人看护) pages:
//! - `GET /welfare-posts` — the posts of the user's area, filtered by state;
//! - `GET/POST /welfare-posts/new`, `GET/POST /welfare-posts/{id}` — 设置 and the post with its change form
//!   (township, county) — through `shouwang_app::welfare_posts`.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use shouwang_app::assets::Versioned;
use shouwang_app::welfare_posts::{self, Entry, KEEPERS, ListFilter};
use shouwang_core::CodeList;
use shouwang_core::welfare_post::{Draft, Funding, MemberRef, PostKind, PostState};

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::{AppError, status_of};
use crate::http::form::opt;
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render_status, see_other};
use crate::pages::cases::{Fields, caller};
use crate::pages::households::{FilterOption, code_options as options};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/welfare-posts", get(list))
        .route("/welfare-posts/new", get(new_form).post(create))
        .route("/welfare-posts/{id}", get(show).post(change))
}

/// A post as shown.
pub struct Row {
    id: i64,
    name: String,
    kind: String,
    village: String,
    funding: String,
    pay: String,
    holder: String,
    term: String,
    state: String,
    cared: String,
}

fn row(e: &Entry, i18n: I18n) -> Row {
    let person =
        |p: &welfare_posts::PersonView| format!("{}（{} {}）", p.name, p.household, p.id_number);
    Row {
        id: e.id,
        name: e.name.clone(),
        kind: i18n.label(&e.kind).to_owned(),
        village: e.village_name.clone(),
        funding: i18n.label(&e.funding).to_owned(),
        pay: e.monthly_pay.map(|p| p.to_string()).unwrap_or_default(),
        holder: e.holder.as_ref().map(person).unwrap_or_default(),
        term: format!(
            "{}～{}",
            e.from.map(|d| d.to_string()).unwrap_or_default(),
            e.to.map(|d| d.to_string()).unwrap_or_default()
        ),
        state: i18n.label(&e.state).to_owned(),
        cared: e.cared.iter().map(person).collect::<Vec<_>>().join("、"),
    }
}

#[derive(Template)]
#[template(path = "welfare_posts/list.html")]
struct ListPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    rows: Vec<Row>,
    states: Vec<FilterOption>,
    may_keep: bool,
    filtered: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    area: Option<String>,
    state: Option<String>,
}

/// GET /welfare-posts?area=…&state=…
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let filter = ListFilter {
        area: opt(&q.area, 20),
        state: opt(&q.state, 30),
    };
    let entries = welfare_posts::list(&state.db, &caller(&user), &filter).await?;
    Ok(render_status(
        &ListPage {
            i18n,
            user: &user,
            path: "/welfare-posts".to_owned(),
            rows: entries.iter().map(|e| row(e, i18n)).collect(),
            states: options(PostState::ALL, filter.state.as_deref(), i18n),
            may_keep: KEEPERS.contains(&user.scope.role),
            filtered: filter.area.is_some() || filter.state.is_some(),
        },
        StatusCode::OK,
    ))
}

type Choices = Vec<(&'static str, &'static str)>;

fn choices<C: CodeList>(all: &[C], i18n: I18n) -> Choices {
    all.iter().map(|c| (c.code(), i18n.label(c))).collect()
}

#[derive(Template)]
#[template(path = "welfare_posts/form.html")]
struct FormPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    /// The post shown above the form (changing it).
    current: Option<Row>,
    kinds: Choices,
    fundings: Choices,
    states: Choices,
    v: Fields,
    may_keep: bool,
    error: Option<String>,
    done: bool,
}

impl FormPage<'_> {
    fn get(&self, name: &str) -> String {
        self.v.get(name)
    }
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    user: &CurrentUser,
    path: String,
    current: Option<Row>,
    v: Fields,
    error: Option<String>,
    done: bool,
    status: StatusCode,
) -> Response {
    let i18n = user.i18n();
    render_status(
        &FormPage {
            i18n,
            user,
            path,
            current,
            kinds: choices(PostKind::ALL, i18n),
            fundings: choices(Funding::ALL, i18n),
            states: choices(PostState::ALL, i18n),
            v,
            may_keep: KEEPERS.contains(&user.scope.role),
            error,
            done,
        },
        status,
    )
}

/// GET /welfare-posts/new
pub async fn new_form(user: CurrentUser) -> Response {
    form_page(
        &user,
        "/welfare-posts/new".to_owned(),
        None,
        Fields(Vec::new()),
        None,
        false,
        StatusCode::OK,
    )
}

fn bad(zh: &str, en: &str) -> AppError {
    AppError::bad_request("bad_request", zh.to_owned(), en.to_owned())
}

/// `户编号:序号` (序号 1 = first) as a member reference.
fn member_ref(s: &str) -> Result<MemberRef, AppError> {
    let (h, p) = s.trim().rsplit_once([':', '：']).ok_or_else(|| {
        bad(
            "看护对象应写为“户编号:成员序号”",
            "Write a person cared for as HOUSEHOLD:MEMBER",
        )
    })?;
    let position = p
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .ok_or_else(|| bad("成员序号从1开始", "The member's number starts at 1"))?;
    Ok(MemberRef {
        household: h.trim().to_owned(),
        position,
    })
}

fn number(f: &Fields, name: &str) -> Result<Option<u32>, AppError> {
    match f.get(name).trim() {
        "" => Ok(None),
        s => s
            .parse()
            .map(Some)
            .map_err(|_| bad("请填写整数", "A whole number is expected")),
    }
}

/// The post of the form: `name`, `kind`, `village` (default the user's area), `funding`, `monthly_pay`,
/// `holder_household`, `holder_member` (1 = first), `from`, `to`, `state`, `duties`, `cared` (one
/// `户编号:序号` a line).
fn draft_of(f: &Fields, user: &CurrentUser) -> Result<Draft, AppError> {
    let village = match f.get("village") {
        v if v.is_empty() => user.scope.area_prefix().to_owned(),
        v => v,
    };
    let holder = match f.get("holder_household").trim() {
        "" => None,
        h => Some(member_ref(&format!("{h}:{}", f.get("holder_member")))?),
    };
    let cared =
        f.0.iter()
            .filter(|(k, _)| k == "cared")
            .flat_map(|(_, v)| v.lines().map(str::to_owned).collect::<Vec<_>>())
            .filter(|l| !l.trim().is_empty())
            .map(|l| member_ref(&l))
            .collect::<Result<Vec<_>, _>>()?;
    Ok(Draft {
        name: f.get("name"),
        kind: PostKind::from_code(&f.get("kind"))
            .ok_or_else(|| bad("请选择岗位类别", "Choose the kind"))?,
        village,
        funding: Funding::from_code(&f.get("funding"))
            .ok_or_else(|| bad("请选择资金来源", "Choose the funding"))?,
        monthly_pay: number(f, "monthly_pay")?,
        holder,
        from: f.date("from"),
        to: f.date("to"),
        state: PostState::from_code(&f.get("state")).unwrap_or(PostState::Vacant),
        duties: f.get("duties"),
        cared,
    })
}

/// POST /welfare-posts/new
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let zh = user.i18n().lang == Lang::Zh;
    let draft = match draft_of(&f, &user) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    match welfare_posts::create(&state.db, &caller(&user), draft, shouwang_app::today()).await {
        Ok(id) => see_other(&format!("/welfare-posts/{id}?done=1")),
        Err(e) => form_page(
            &user,
            "/welfare-posts/new".to_owned(),
            None,
            f,
            Some(e.message(zh).to_owned()),
            false,
            status_of(e.kind),
        ),
    }
}

/// The form's fields of the post `e`.
fn fields_of(e: &Entry) -> Fields {
    let mut v: Vec<(String, String)> = [
        ("name", e.name.clone()),
        ("kind", e.kind.code().to_owned()),
        ("village", e.village.clone()),
        ("funding", e.funding.code().to_owned()),
        (
            "monthly_pay",
            e.monthly_pay.map(|p| p.to_string()).unwrap_or_default(),
        ),
        ("from", e.from.map(|d| d.to_string()).unwrap_or_default()),
        ("to", e.to.map(|d| d.to_string()).unwrap_or_default()),
        ("state", e.state.code().to_owned()),
        ("duties", e.duties.clone()),
        ("version", e.version.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let Some(h) = &e.holder {
        v.push(("holder_household".to_owned(), h.household.clone()));
    }
    Fields(v)
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    done: Option<String>,
}

/// GET /welfare-posts/{id}: the post, and for the township or county the form to change it (the holder's
/// member number and the people cared for are entered again).
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let e = welfare_posts::show(&state.db, &caller(&user), id).await?;
    Ok(form_page(
        &user,
        format!("/welfare-posts/{id}"),
        Some(row(&e, user.i18n())),
        fields_of(&e),
        None,
        q.done.is_some(),
        StatusCode::OK,
    ))
}

/// POST /welfare-posts/{id}: the change (with `version`).
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let zh = user.i18n().lang == Lang::Zh;
    let draft = match draft_of(&f, &user) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let body = Versioned {
        version: f.get("version").parse().ok(),
        body: draft,
    };
    let c = caller(&user);
    match welfare_posts::update(&state.db, &c, id, body, shouwang_app::today()).await {
        Ok(()) => see_other(&format!("/welfare-posts/{id}?done=1")),
        Err(e) => match welfare_posts::show(&state.db, &c, id).await {
            Ok(post) => form_page(
                &user,
                format!("/welfare-posts/{id}"),
                Some(row(&post, user.i18n())),
                f,
                Some(e.message(zh).to_owned()),
                false,
                status_of(e.kind),
            ),
            Err(_) => AppError::from(e).into_response(),
        },
    }
}
