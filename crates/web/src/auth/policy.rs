//! 访问控制表: which roles may call each route (least privilege, PIPL; issue 19). Every route of the
//! router is in [`RULES`] — a test reads the route definitions and fails on one missing — and the
//! extractors of a signed-in user ([`crate::auth::CurrentUser`], [`crate::auth::ApiUser`]) refuse a role
//! the rule does not admit before the handler runs (a route without a rule admits nobody). The
//! handlers keep their own finer checks (a county admin's county, a case's state); the table is the
//! outer gate and the source of the route table in `docs/security.md`.
//!
//! The department data provider 部门数据员 uploads the month's files, follows their rounds and files a clue
//! of its channel by hand: it reads no household, case, ledger or document.

use shouwang_core::Role;

/// Who may call a route.
#[derive(Clone, Copy)]
pub enum Who {
    /// No sign-in (the log-in, static files, health).
    Public,
    /// Signed-in users whose role passes the test.
    Roles(fn(Role) -> bool),
}

/// What a route's answers are limited to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Nothing personal (static files, the log-in, the user's own session).
    None,
    /// The user's own records (its account, its jobs).
    Own,
    /// The user's area (county, township or village), filtered in the query.
    Area,
}

/// One route's rule.
pub struct Rule {
    /// The route as the router declares it (`/households/{number}`; the API's with `/api/v1`).
    pub path: &'static str,
    /// Its methods, for the table.
    pub methods: &'static str,
    pub who: Who,
    pub reach: Reach,
}

fn anyone(_: Role) -> bool {
    true
}

/// Everyone who works with the registry: all but the department data provider.
fn registry(role: Role) -> bool {
    role.may_read_registry()
}

/// Who reads households (the registry list, a household's page, the search): every role of the registry
/// and the grid member 网格员, whose area is its grid (网格化管理, §四(六)) and who reads nothing else.
fn households(role: Role) -> bool {
    role.may_read_households()
}

/// Who reads a household's case and records its monthly follow-up (逐月跟踪监测): every role of the registry
/// (the core says who records), and the grid member 网格员 for its grid's monitored households (§四(六)),
/// filtered to its grid in the query.
fn case_visit(role: Role) -> bool {
    registry(role) || role == Role::GridMember
}

/// Who files a clue: everyone of the registry, and the department data provider for its channel
/// (部门筛查: a finding of its own data, recorded by hand).
fn clue(role: Role) -> bool {
    registry(role) || upload(role)
}

/// Who manages accounts (用户管理): the province, county and township admins (the roles they give).
fn admins(role: Role) -> bool {
    !role.grantable().is_empty()
}

/// Who reads the monitoring lines: every role of the registry and the province admin.
fn lines_read(role: Role) -> bool {
    shouwang_app::lines::may_read(role)
}

fn province_admin(role: Role) -> bool {
    role.may_set_province_line()
}

fn county_admin(role: Role) -> bool {
    role == Role::CountyAdmin
}

fn dashboard(role: Role) -> bool {
    shouwang_app::dashboard::may_see(role)
}

fn audit(role: Role) -> bool {
    shouwang_app::audit::may_read(role)
}

fn quality(role: Role) -> bool {
    shouwang_app::quality::may_see(role)
}

fn rules(role: Role) -> bool {
    role.may_read_county_rules()
}

fn upload(role: Role) -> bool {
    shouwang_app::screening::upload::may_upload(role)
}

fn import(role: Role) -> bool {
    role.may_import_registry()
}

fn change_registry(role: Role) -> bool {
    role.may_change_registry()
}

fn full_ids(role: Role) -> bool {
    role.may_view_full_id()
}

fn cadre_round(role: Role) -> bool {
    shouwang_core::monitoring::Channel::CadreScreening
        .roles()
        .contains(&role)
}

/// Who keeps the registers' records (低收入人口走访): the village team, the cadre, the township.
fn register_recorder(role: Role) -> bool {
    shouwang_app::registers::RECORDERS.contains(&role)
}

/// Who records a 低收入人口 monthly visit: the registers' recorders and the grid member 网格员 for its grid's
/// households (网格化管理, §四(六)).
fn visit_recorder(role: Role) -> bool {
    register_recorder(role) || role == Role::GridMember
}

/// Who takes part in the problem ledger (问题台账: find, rectify, accept; the core says who does which).
fn problem_roles(role: Role) -> bool {
    shouwang_app::problems::PROBLEM_ROLES.contains(&role)
}

/// Who enters a township's 年度工作方案 (the township admin; the county admin).
fn plan_roles(role: Role) -> bool {
    shouwang_core::register::plan::PLAN_ROLES.contains(&role)
}

/// Who enters, checks or returns the 村容村貌 indicators (the core says who does which).
fn indicator_roles(role: Role) -> bool {
    shouwang_app::indicators::may_act(role)
}

/// Who keeps the grids of a village and assigns its households (网格化管理; the core says who).
fn grid_edit(role: Role) -> bool {
    shouwang_core::grid::may_edit(role)
}

fn projects_read(role: Role) -> bool {
    shouwang_app::projects::may_read(role)
}

fn projects_flow(role: Role) -> bool {
    shouwang_app::projects::FLOW_ROLES.contains(&role)
}

fn assets_read(role: Role) -> bool {
    shouwang_app::assets::may_read(role)
}

fn assets_keep(role: Role) -> bool {
    shouwang_app::assets::KEEPERS.contains(&role)
}

fn workshops_read(role: Role) -> bool {
    shouwang_app::workshops::may_read(role)
}

fn workshops_keep(role: Role) -> bool {
    shouwang_app::workshops::KEEPERS.contains(&role)
}

fn posts_read(role: Role) -> bool {
    shouwang_app::welfare_posts::may_read(role)
}

fn posts_keep(role: Role) -> bool {
    shouwang_app::welfare_posts::KEEPERS.contains(&role)
}

fn pv_read(role: Role) -> bool {
    shouwang_app::pv::may_read(role)
}

fn pv_keep(role: Role) -> bool {
    shouwang_app::pv::KEEPERS.contains(&role)
}

fn pv_record(role: Role) -> bool {
    shouwang_app::pv::RECORDERS.contains(&role)
}

fn projects_pay(role: Role) -> bool {
    shouwang_app::projects::PAYERS.contains(&role)
}

const fn rule(path: &'static str, methods: &'static str, who: Who, reach: Reach) -> Rule {
    Rule {
        path,
        methods,
        who,
        reach,
    }
}

use Reach::{Area, Own};
use Who::{Public, Roles};

/// Every route and who may call it.
pub const RULES: &[Rule] = &[
    // Sign-in, language, static files.
    rule("/login", "GET POST", Public, Reach::None),
    rule("/lang", "GET", Public, Reach::None),
    rule("/healthz", "GET", Public, Reach::None),
    rule("/assets/style.css", "GET", Public, Reach::None),
    rule("/assets/dashboard.js", "GET", Public, Reach::None),
    rule(
        "/assets/vendor/echarts-5.6.0/echarts.min.js",
        "GET",
        Public,
        Reach::None,
    ),
    rule("/api/v1/login", "POST", Public, Reach::None),
    rule("/api/v1/openapi.json", "GET", Public, Reach::None),
    // The user's own session, account and jobs.
    rule("/", "GET", Roles(anyone), Area),
    rule("/logout", "POST", Roles(anyone), Own),
    rule("/account/password", "GET POST", Roles(anyone), Own),
    rule("/jobs/{id}", "GET", Roles(anyone), Own),
    rule("/jobs/{id}/status", "GET", Roles(anyone), Own),
    rule("/jobs/{id}/files/{n}", "GET", Roles(anyone), Own),
    rule("/api/v1/logout", "POST", Roles(anyone), Own),
    rule("/api/v1/me", "GET", Roles(anyone), Own),
    rule("/api/v1/me/password", "POST", Roles(anyone), Own),
    rule("/api/v1/jobs/{id}", "GET", Roles(anyone), Own),
    rule("/api/v1/jobs/{id}/files/{n}", "GET", Roles(anyone), Own),
    // Department screening: the upload and its round.
    rule("/screening/upload", "GET POST", Roles(upload), Area),
    rule("/api/v1/screening/rounds", "POST", Roles(upload), Area),
    // The registry.
    rule("/households", "GET", Roles(households), Area),
    rule("/households/{number}", "GET", Roles(households), Area),
    rule(
        "/households/{number}/full-ids",
        "POST",
        Roles(full_ids),
        Area,
    ),
    rule(
        "/households/{number}/income",
        "GET POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/households/{number}/members/new",
        "GET POST",
        Roles(change_registry),
        Area,
    ),
    rule(
        "/households/{number}/members/{member}/edit",
        "GET POST",
        Roles(change_registry),
        Area,
    ),
    rule(
        "/households/{number}/members/{member}/leave",
        "GET POST",
        Roles(change_registry),
        Area,
    ),
    rule(
        "/households/{number}/head",
        "GET POST",
        Roles(change_registry),
        Area,
    ),
    rule(
        "/households/{number}/edit",
        "GET POST",
        Roles(change_registry),
        Area,
    ),
    rule("/grids", "GET", Roles(registry), Area),
    rule("/grids/new", "GET POST", Roles(grid_edit), Area),
    rule("/grids/{id}", "GET", Roles(registry), Area),
    rule("/grids/{id}/edit", "POST", Roles(grid_edit), Area),
    rule("/grids/{id}/households", "POST", Roles(grid_edit), Area),
    rule("/api/v1/grids", "GET POST", Roles(registry), Area),
    rule("/api/v1/grids/coverage", "GET", Roles(registry), Area),
    rule("/api/v1/grids/{id}", "GET PUT", Roles(registry), Area),
    rule(
        "/api/v1/grids/{id}/households",
        "POST",
        Roles(grid_edit),
        Area,
    ),
    rule("/indicators", "GET", Roles(registry), Area),
    rule("/indicators/{village}", "GET", Roles(registry), Area),
    rule(
        "/indicators/{village}/act",
        "POST",
        Roles(indicator_roles),
        Area,
    ),
    rule("/api/v1/indicators", "GET", Roles(registry), Area),
    rule(
        "/api/v1/indicators/{village}",
        "POST",
        Roles(indicator_roles),
        Area,
    ),
    rule("/low-income", "GET", Roles(registry), Area),
    rule("/low-income/{number}", "GET", Roles(households), Area),
    rule(
        "/low-income/{number}/visit",
        "POST",
        Roles(visit_recorder),
        Area,
    ),
    rule("/api/v1/low-income", "GET", Roles(registry), Area),
    rule("/api/v1/low-income/figures", "GET", Roles(registry), Area),
    rule(
        "/api/v1/low-income/{number}",
        "GET",
        Roles(households),
        Area,
    ),
    rule(
        "/api/v1/low-income/{number}/visits",
        "POST",
        Roles(visit_recorder),
        Area,
    ),
    // GET for every registry reader; POST (find a problem) further checked by the core's roles.
    rule("/api/v1/problems", "GET POST", Roles(registry), Area),
    rule("/api/v1/problems/board", "GET", Roles(registry), Area),
    rule("/api/v1/problems/{id}", "GET", Roles(registry), Area),
    rule(
        "/api/v1/problems/{id}/actions",
        "POST",
        Roles(problem_roles),
        Area,
    ),
    rule("/problems", "GET", Roles(registry), Area),
    rule("/problems/new", "GET POST", Roles(problem_roles), Area),
    rule("/problems/{id}", "GET", Roles(registry), Area),
    rule("/problems/{id}/rectify", "POST", Roles(problem_roles), Area),
    rule("/problems/{id}/accept", "POST", Roles(problem_roles), Area),
    rule("/campaign", "GET", Roles(registry), Area),
    rule("/campaign/{number}", "GET", Roles(registry), Area),
    rule(
        "/campaign/{number}/check",
        "POST",
        Roles(register_recorder),
        Area,
    ),
    rule("/campaign-plans", "POST", Roles(plan_roles), Area),
    rule("/api/v1/campaign-plans", "GET", Roles(registry), Area),
    rule(
        "/api/v1/campaign-plans/{township}",
        "PUT",
        Roles(plan_roles),
        Area,
    ),
    rule("/api/v1/campaign", "GET", Roles(registry), Area),
    rule("/api/v1/campaign/{number}", "GET", Roles(registry), Area),
    rule(
        "/api/v1/campaign/{number}/checks",
        "POST",
        Roles(register_recorder),
        Area,
    ),
    rule("/relocation", "GET", Roles(registry), Area),
    rule("/relocation/{number}", "GET", Roles(registry), Area),
    rule(
        "/relocation/{number}/screening",
        "POST",
        Roles(register_recorder),
        Area,
    ),
    rule("/api/v1/relocation", "GET", Roles(registry), Area),
    rule("/api/v1/relocation/figures", "GET", Roles(registry), Area),
    rule("/api/v1/relocation/{number}", "GET", Roles(registry), Area),
    rule(
        "/api/v1/relocation/{number}/screenings",
        "POST",
        Roles(register_recorder),
        Area,
    ),
    rule("/labour", "GET", Roles(registry), Area),
    rule("/labour/{number}", "GET", Roles(registry), Area),
    rule(
        "/labour/{number}/record",
        "POST",
        Roles(register_recorder),
        Area,
    ),
    rule("/api/v1/labour", "GET", Roles(registry), Area),
    rule("/api/v1/labour/figures", "GET", Roles(registry), Area),
    rule("/api/v1/labour/{number}", "GET", Roles(registry), Area),
    rule(
        "/api/v1/labour/{number}/records",
        "POST",
        Roles(register_recorder),
        Area,
    ),
    rule("/projects", "GET", Roles(projects_read), Area),
    rule("/projects/new", "GET POST", Roles(projects_read), Area),
    rule("/projects/{id}", "GET", Roles(projects_read), Area),
    rule("/projects/{id}/step", "POST", Roles(projects_flow), Area),
    rule("/projects/{id}/pay", "POST", Roles(projects_pay), Area),
    rule("/api/v1/projects", "GET POST", Roles(projects_read), Area),
    rule("/api/v1/projects/queue", "GET", Roles(projects_read), Area),
    rule("/api/v1/projects/board", "GET", Roles(projects_read), Area),
    rule("/api/v1/projects/{id}", "GET", Roles(projects_read), Area),
    rule(
        "/api/v1/projects/{id}/steps",
        "POST",
        Roles(projects_flow),
        Area,
    ),
    rule(
        "/api/v1/projects/{id}/payments",
        "POST",
        Roles(projects_pay),
        Area,
    ),
    rule("/imports/registry", "GET POST", Roles(import), Area),
    rule("/imports/registry/commit", "POST", Roles(import), Area),
    rule("/api/v1/households", "GET", Roles(households), Area),
    rule(
        "/api/v1/households/{number}",
        "GET PATCH",
        Roles(households),
        Area,
    ),
    rule(
        "/api/v1/households/{number}/income",
        "GET",
        Roles(registry),
        Area,
    ),
    rule(
        "/api/v1/households/{number}/income/{year}",
        "GET PUT",
        Roles(registry),
        Area,
    ),
    rule(
        "/api/v1/households/{number}/members",
        "POST",
        Roles(change_registry),
        Area,
    ),
    rule(
        "/api/v1/households/{number}/members/{member}",
        "PATCH",
        Roles(change_registry),
        Area,
    ),
    rule(
        "/api/v1/households/{number}/members/{member}/departure",
        "POST",
        Roles(change_registry),
        Area,
    ),
    rule(
        "/api/v1/households/{number}/head",
        "POST",
        Roles(change_registry),
        Area,
    ),
    rule("/api/v1/imports/registry", "POST", Roles(import), Area),
    // Data quality.
    rule("/quality", "GET", Roles(quality), Area),
    rule("/quality/export.xlsx", "GET", Roles(quality), Area),
    rule("/quality/duplicates", "GET", Roles(quality), Area),
    rule("/quality/duplicates/merge", "POST", Roles(quality), Area),
    rule(
        "/quality/duplicates/remove-member",
        "POST",
        Roles(quality),
        Area,
    ),
    rule("/api/v1/quality", "GET", Roles(quality), Area),
    rule("/api/v1/quality/duplicates", "GET", Roles(quality), Area),
    rule(
        "/api/v1/quality/duplicates/merge",
        "POST",
        Roles(quality),
        Area,
    ),
    rule(
        "/api/v1/quality/duplicates/remove-member",
        "POST",
        Roles(quality),
        Area,
    ),
    // The lifecycle: clues, identification, help, follow-up, exit.
    rule("/clues/new", "GET", Roles(clue), Area),
    rule("/clues", "POST", Roles(clue), Area),
    rule(
        "/households/{number}/case/start",
        "POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/households/{number}/case/review",
        "POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/households/{number}/case/cadre",
        "GET POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/households/{number}/case/plan",
        "GET POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/households/{number}/case/follow-up",
        "GET POST",
        Roles(case_visit),
        Area,
    ),
    rule(
        "/households/{number}/case/ident",
        "GET POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/households/{number}/case/green-channel",
        "POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/households/{number}/case/exit",
        "GET POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/households/{number}/case/exit/withdraw",
        "POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/households/{number}/case/measures/{index}",
        "GET POST",
        Roles(registry),
        Area,
    ),
    rule("/households/{number}/notice", "GET", Roles(registry), Area),
    rule("/screening/cadre", "GET POST", Roles(cadre_round), Area),
    rule("/api/v1/cases", "GET", Roles(registry), Area),
    rule("/api/v1/cases/{number}", "GET", Roles(case_visit), Area),
    rule(
        "/api/v1/cases/{number}/commands",
        "POST",
        Roles(registry),
        Area,
    ),
    rule("/api/v1/clues", "POST", Roles(clue), Area),
    rule(
        "/api/v1/cases/{number}/identification/start",
        "POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/api/v1/cases/{number}/identification/steps",
        "POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/api/v1/cases/{number}/identification/green-channel",
        "POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/api/v1/cases/{number}/recommendations",
        "GET",
        Roles(registry),
        Area,
    ),
    rule(
        "/api/v1/cases/{number}/measures",
        "POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/api/v1/cases/{number}/measures/{index}",
        "POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/api/v1/cases/{number}/cadre",
        "POST",
        Roles(registry),
        Area,
    ),
    rule("/api/v1/cadres/workload", "GET", Roles(registry), Area),
    rule(
        "/api/v1/cases/{number}/follow-ups",
        "POST",
        Roles(case_visit),
        Area,
    ),
    rule("/api/v1/follow-ups/overdue", "GET", Roles(registry), Area),
    rule("/api/v1/exit/candidates", "GET", Roles(registry), Area),
    rule(
        "/api/v1/cases/{number}/exit/nominate",
        "POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/api/v1/cases/{number}/exit/steps",
        "POST",
        Roles(registry),
        Area,
    ),
    rule(
        "/api/v1/cases/{number}/exit/notice",
        "GET POST",
        Roles(registry),
        Area,
    ),
    rule("/api/v1/notices", "GET", Roles(registry), Area),
    rule("/api/v1/attachments", "POST", Roles(registry), Area),
    rule("/api/v1/attachments/{sha256}", "GET", Roles(registry), Area),
    rule("/api/v1/queues", "GET", Roles(registry), Area),
    rule("/api/v1/calendar", "GET", Roles(registry), Area),
    rule(
        "/api/v1/screening/cadre-rounds",
        "GET POST",
        Roles(cadre_round),
        Area,
    ),
    // Boards, ledgers, documents, the dashboard.
    rule("/publicity", "GET", Roles(registry), Area),
    rule("/exits", "GET", Roles(registry), Area),
    rule("/publicity/document", "GET", Roles(dashboard), Area),
    rule("/exits/notices", "GET", Roles(dashboard), Area),
    rule(
        "/households/{number}/documents/{kind}",
        "GET",
        Roles(registry),
        Area,
    ),
    rule("/ledgers", "GET", Roles(registry), Area),
    rule("/ledgers/download", "GET", Roles(registry), Area),
    rule("/dashboard", "GET", Roles(dashboard), Area),
    rule("/api/v1/ledgers/{kind}", "GET", Roles(registry), Area),
    rule(
        "/api/v1/households/{number}/documents/{kind}",
        "GET",
        Roles(registry),
        Area,
    ),
    rule("/api/v1/documents/publicity", "GET", Roles(dashboard), Area),
    rule(
        "/api/v1/documents/exit-notices",
        "GET",
        Roles(dashboard),
        Area,
    ),
    rule("/api/v1/dashboard", "GET", Roles(dashboard), Area),
    // Administration: accounts, rules, code lists, the audit log.
    rule("/admin/users", "GET POST", Roles(admins), Area),
    rule("/admin/users/{id}/active", "POST", Roles(admins), Area),
    rule("/admin/users/{id}/password", "POST", Roles(admins), Area),
    rule("/admin/rules", "GET POST", Roles(rules), Area),
    rule("/admin/rules/line", "POST", Roles(county_admin), Area),
    rule("/admin/lines", "GET", Roles(province_admin), Area),
    rule("/admin/lines/line", "POST", Roles(province_admin), Area),
    rule("/admin/lines/policy", "POST", Roles(province_admin), Area),
    rule("/admin/codes", "GET", Roles(registry), Area),
    rule(
        "/admin/codes/{list}/{code}",
        "GET POST",
        Roles(county_admin),
        Area,
    ),
    rule("/admin/audit", "GET", Roles(audit), Area),
    rule("/api/v1/users", "GET POST", Roles(admins), Area),
    rule("/api/v1/users/{id}/role", "POST", Roles(admins), Area),
    rule("/api/v1/users/{id}/active", "POST", Roles(admins), Area),
    rule("/api/v1/rules", "GET PUT", Roles(registry), Area),
    // PUT: the province admin or a county admin, decided by `shouwang_app::lines::set`.
    rule("/api/v1/lines", "GET PUT", Roles(lines_read), Area),
    rule("/api/v1/lines/policy", "PUT", Roles(province_admin), Area),
    rule("/api/v1/codes", "GET PUT", Roles(registry), Area),
    rule("/api/v1/audit", "GET", Roles(audit), Area),
    rule("/assets", "GET", Roles(assets_read), Area),
    rule("/assets/new", "GET POST", Roles(assets_keep), Area),
    rule("/assets/import", "GET POST", Roles(assets_keep), Area),
    rule("/assets/{id}", "GET", Roles(assets_read), Area),
    rule("/assets/{id}/upkeep", "POST", Roles(assets_keep), Area),
    rule("/assets/{id}/dispose", "POST", Roles(assets_keep), Area),
    rule("/workshops", "GET", Roles(workshops_read), Area),
    rule("/workshops/new", "GET POST", Roles(workshops_keep), Area),
    rule("/workshops/{id}", "GET", Roles(workshops_read), Area),
    rule(
        "/workshops/{id}/edit",
        "GET POST",
        Roles(workshops_keep),
        Area,
    ),
    rule(
        "/workshops/{id}/workers",
        "POST",
        Roles(workshops_keep),
        Area,
    ),
    rule(
        "/workshops/{id}/release",
        "POST",
        Roles(workshops_keep),
        Area,
    ),
    // POST and PUT: the township or the county, decided by `shouwang_app::workshops`.
    rule("/api/v1/workshops", "GET POST", Roles(workshops_read), Area),
    rule(
        "/api/v1/workshops/{id}",
        "GET PUT",
        Roles(workshops_read),
        Area,
    ),
    rule(
        "/api/v1/workshops/{id}/workers",
        "POST",
        Roles(workshops_keep),
        Area,
    ),
    rule(
        "/api/v1/workshops/{id}/release",
        "POST",
        Roles(workshops_keep),
        Area,
    ),
    rule("/welfare-posts", "GET", Roles(posts_read), Area),
    rule("/welfare-posts/new", "GET POST", Roles(posts_keep), Area),
    // POST: the township or the county, decided by `shouwang_app::welfare_posts`.
    rule("/welfare-posts/{id}", "GET POST", Roles(posts_read), Area),
    rule("/api/v1/welfare-posts", "GET POST", Roles(posts_read), Area),
    rule(
        "/api/v1/welfare-posts/{id}",
        "GET PUT",
        Roles(posts_read),
        Area,
    ),
    rule("/pv", "GET", Roles(pv_read), Area),
    rule("/pv/stations/new", "GET POST", Roles(pv_keep), Area),
    // POST: the township or the county, decided by `shouwang_app::pv`.
    rule("/pv/stations/{id}", "GET POST", Roles(pv_read), Area),
    rule("/pv/stations/{id}/income", "POST", Roles(pv_keep), Area),
    rule("/pv/distribute", "GET POST", Roles(pv_record), Area),
    rule("/api/v1/pv", "GET", Roles(pv_read), Area),
    // POST: the township or the county, decided by `shouwang_app::pv`.
    rule("/api/v1/pv/stations", "GET POST", Roles(pv_read), Area),
    rule("/api/v1/pv/stations/{id}", "GET PUT", Roles(pv_read), Area),
    rule(
        "/api/v1/pv/stations/{id}/income",
        "POST",
        Roles(pv_keep),
        Area,
    ),
    rule("/api/v1/pv/distributions", "POST", Roles(pv_record), Area),
    rule("/api/v1/assets", "GET POST", Roles(assets_read), Area),
    rule("/api/v1/assets/queue", "GET", Roles(assets_read), Area),
    rule("/api/v1/assets/overdue", "GET", Roles(assets_read), Area),
    rule("/api/v1/assets/{id}", "GET PUT", Roles(assets_read), Area),
    rule(
        "/api/v1/assets/{id}/upkeep",
        "POST",
        Roles(assets_keep),
        Area,
    ),
    rule(
        "/api/v1/assets/{id}/disposal",
        "POST",
        Roles(assets_keep),
        Area,
    ),
    rule("/api/v1/imports/assets", "POST", Roles(assets_keep), Area),
];

/// The routes a user whose password an admin reset may still call: choosing a new one, signing out.
pub const WHILE_PASSWORD_MUST_CHANGE: &[&str] = &[
    "/account/password",
    "/logout",
    "/api/v1/me",
    "/api/v1/me/password",
    "/api/v1/logout",
];

/// The rule of route `path` (as the router matched it).
pub fn rule_of(path: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.path == path)
}

/// Whether `role` may call the route `path`; a route without a rule admits nobody.
pub fn admits(path: &str, role: Role) -> bool {
    match rule_of(path).map(|r| r.who) {
        Some(Who::Public) => true,
        Some(Who::Roles(test)) => test(role),
        None => false,
    }
}

/// The route table of `docs/security.md` (Markdown), generated from [`RULES`].
pub fn table() -> String {
    use shouwang_core::CodeList;
    let roles = Role::all();
    let mut out = String::from("| route | methods | area |");
    for r in roles {
        out.push_str(&format!(" {} |", r.label_zh()));
    }
    out.push_str("\n| --- | --- | --- |");
    for _ in roles {
        out.push_str(" :-: |");
    }
    out.push('\n');
    for rule in RULES {
        let reach = match rule.reach {
            Reach::None => "–",
            Reach::Own => "own",
            Reach::Area => "area",
        };
        out.push_str(&format!("| `{}` | {} | {reach} |", rule.path, rule.methods));
        for r in roles {
            let mark = match rule.who {
                Who::Public => "public",
                Who::Roles(test) if test(*r) => "✓",
                Who::Roles(_) => "",
            };
            out.push_str(&format!(" {mark} |"));
        }
        out.push('\n');
    }
    out
}
