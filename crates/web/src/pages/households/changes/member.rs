//! The member forms: 新增成员, 修改成员信息, 减员 (see the parent module).

use shouwang_app::households::{MemberPatch, NewMember};
use shouwang_core::Member;
use shouwang_core::codes::{
    Dibao, Education, HealthStatus, LabourSkill, PoliticalStatus, SchoolStatus, Sex, Tekun,
};
use shouwang_core::household::changes::{JoinReason, LeaveReason};

use super::*;

/// A member's values as the form holds them (from the record, or as the user typed them).
#[derive(Clone, Debug, Default)]
struct Values {
    name: String,
    id_number: String,
    sex: Option<Sex>,
    relation: Option<Relation>,
    labour: Option<LabourSkill>,
    health: Vec<HealthStatus>,
    disability: Option<u8>,
    education: Option<Education>,
    school: Option<SchoolStatus>,
    political: Option<PoliticalStatus>,
    insured: bool,
    dibao: Option<Dibao>,
    tekun: Option<Tekun>,
    reason: Option<JoinReason>,
    on: String,
}

impl Values {
    /// A new member's defaults: 健康, 群众, 参保, 未享受.
    fn blank() -> Values {
        Values {
            health: vec![HealthStatus::Healthy],
            political: Some(PoliticalStatus::Masses),
            insured: true,
            dibao: Some(Dibao::None),
            tekun: Some(Tekun::None),
            ..Values::default()
        }
    }

    fn of(m: &Member) -> Values {
        Values {
            name: m.name.clone(),
            id_number: String::new(),
            sex: Some(m.sex),
            relation: Some(m.relation),
            labour: Some(m.labour),
            health: m.health.clone(),
            disability: m.disability_grade,
            education: m.education,
            school: m.school,
            political: Some(m.political),
            insured: m.has_medical_insurance,
            dibao: Some(m.dibao),
            tekun: Some(m.tekun),
            reason: None,
            on: String::new(),
        }
    }

    fn from_fields(f: &Fields) -> Values {
        fn code<C: CodeList>(f: &Fields, name: &str) -> Option<C> {
            C::from_code(&f.get(name))
        }
        Values {
            name: f.get("name"),
            id_number: f.get("id_number"),
            sex: code(f, "sex"),
            relation: code(f, "relation"),
            labour: code(f, "labour"),
            health: f
                .all("health")
                .iter()
                .filter_map(|c| HealthStatus::from_code(c))
                .collect(),
            disability: f.get("disability_grade").parse().ok(),
            education: code(f, "education"),
            school: code(f, "school"),
            political: code(f, "political"),
            insured: f.get("insured") == "1",
            dibao: code(f, "dibao"),
            tekun: code(f, "tekun"),
            reason: code(f, "reason"),
            on: f.get("on"),
        }
    }

    /// The new member, or what is missing.
    fn new_member(&self, f: &Fields) -> Result<NewMember, AppError> {
        let missing = |zh: &str, en: &str| Err(AppError::invalid(zh.to_owned(), en.to_owned()));
        let Some(reason) = self.reason else {
            return missing("请选择增加原因", "Choose the reason");
        };
        let Some(relation) = self.relation else {
            return missing("请选择与户主关系", "Choose the relation to the head");
        };
        let Some(labour) = self.labour else {
            return missing("请选择劳动技能", "Choose the labour skill");
        };
        let on = if self.on.is_empty() {
            None
        } else {
            match f.date("on") {
                Some(d) => Some(d),
                None => return missing("日期格式应为 年-月-日", "The date must be YYYY-MM-DD"),
            }
        };
        Ok(NewMember {
            reason,
            on,
            id_number: self.id_number.clone(),
            name: self.name.clone(),
            sex: self.sex,
            relation,
            labour,
            health: self.health.clone(),
            education: self.education,
            school: self.school,
            political: self.political,
            has_medical_insurance: self.insured,
            dibao: self.dibao,
            tekun: self.tekun,
            disability_grade: self.disability,
        })
    }

    /// The member's fields as the form sent them (every field: the form shows them all).
    fn patch(&self, head: bool) -> MemberPatch {
        MemberPatch {
            name: Some(self.name.clone()),
            relation: if head { None } else { self.relation },
            labour: self.labour,
            health: Some(self.health.clone()),
            disability_grade: Some(self.disability),
            education: Some(self.education),
            school: Some(self.school),
            political: self.political,
            has_medical_insurance: Some(self.insured),
            dibao: self.dibao,
            tekun: self.tekun,
        }
    }
}

/// The choices of an optional field: a blank first.
fn optional<C: CodeList + PartialEq>(
    i18n: I18n,
    codes: &CodeOverrides,
    selected: Option<C>,
    blank: &str,
) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: i18n.t(blank).to_owned(),
        checked: selected.is_none(),
    }];
    out.extend(choices(
        i18n,
        codes,
        &selected.into_iter().collect::<Vec<_>>(),
    ));
    out
}

/// The selects and boxes of a member form.
pub struct MemberForm {
    pub name: String,
    pub id_number: String,
    pub sex: Vec<Choice>,
    pub relation: Vec<Choice>,
    /// The member is the 户主 (relation fixed here: change the head instead).
    pub head: bool,
    pub relation_label: String,
    pub labour: Vec<Choice>,
    pub health: Vec<Choice>,
    pub disability: Vec<Choice>,
    pub education: Vec<Choice>,
    pub school: Vec<Choice>,
    pub political: Vec<Choice>,
    pub insured: bool,
    pub dibao: Vec<Choice>,
    pub tekun: Vec<Choice>,
    pub reasons: Vec<Choice>,
    pub on: String,
}

/// A selected value as the `checked` list of [`choices`].
fn one<C>(x: Option<C>) -> Vec<C> {
    x.into_iter().collect()
}

fn form_of(i18n: I18n, codes: &CodeOverrides, v: &Values, head: bool) -> MemberForm {
    let disability = std::iter::once((String::new(), i18n.t("hc.none").to_owned()))
        .chain((1u8..=4).map(|g| (g.to_string(), format!("{g}"))))
        .map(|(value, label)| Choice {
            checked: value == v.disability.map(|g| g.to_string()).unwrap_or_default(),
            value,
            label,
        })
        .collect();
    MemberForm {
        name: v.name.clone(),
        id_number: v.id_number.clone(),
        sex: optional::<Sex>(i18n, codes, v.sex, "hc.sex_auto"),
        relation: choices::<Relation>(i18n, codes, &one(v.relation))
            .into_iter()
            .filter(|c| c.value != Relation::Head.code())
            .collect(),
        head,
        relation_label: v
            .relation
            .map(|r| code_label(i18n, codes, &r))
            .unwrap_or_default(),
        labour: choices::<LabourSkill>(i18n, codes, &one(v.labour)),
        health: choices::<HealthStatus>(i18n, codes, &v.health),
        disability,
        education: optional::<Education>(i18n, codes, v.education, "hc.blank"),
        school: optional::<SchoolStatus>(i18n, codes, v.school, "hc.not_school"),
        political: choices::<PoliticalStatus>(i18n, codes, &one(v.political)),
        insured: v.insured,
        dibao: choices::<Dibao>(i18n, codes, &one(v.dibao)),
        tekun: choices::<Tekun>(i18n, codes, &one(v.tekun)),
        reasons: choices::<JoinReason>(i18n, &CodeOverrides::new(), &one(v.reason)),
        on: v.on.clone(),
    }
}

#[derive(Template)]
#[template(path = "households/member_form.html")]
struct MemberPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    number: String,
    /// Adding (新增成员) or changing one member.
    new: bool,
    member_id: i64,
    member_name: String,
    version: i64,
    today: String,
    f: MemberForm,
    error: Option<String>,
}

/// The member form (`member`: the member changed, `None` to add one).
fn member_page(
    user: &CurrentUser,
    d: &HouseholdDetail,
    codes: &CodeOverrides,
    member: Option<(i64, &Member)>,
    version: i64,
    values: &Values,
    error: Option<&AppError>,
) -> Response {
    let i18n = user.i18n();
    let head = member.is_some_and(|(_, m)| m.relation == Relation::Head);
    let path = match member {
        Some((id, _)) => format!("{}/members/{id}/edit", household_path(&d.household.number)),
        None => format!("{}/members/new", household_path(&d.household.number)),
    };
    let page = MemberPage {
        i18n,
        user,
        path,
        number: d.household.number.clone(),
        new: member.is_none(),
        member_id: member.map_or(0, |(id, _)| id),
        member_name: member.map(|(_, m)| m.name.clone()).unwrap_or_default(),
        version,
        today: shouwang_app::today().to_string(),
        f: form_of(i18n, codes, values, head),
        error: error.map(|e| message(user, e)),
    };
    match error {
        Some(e) => render_status(&page, e.status()),
        None => render(&page),
    }
}

/// The member with row id `member` (the path's), or 404.
fn member_of(d: &HouseholdDetail, member: &str) -> Result<(usize, i64), AppError> {
    let id: i64 = member.trim().parse().map_err(|_| AppError::not_found())?;
    d.member_ids
        .iter()
        .position(|m| *m == id)
        .map(|i| (i, id))
        .ok_or_else(AppError::not_found)
}

/// GET /households/{n}/members/new
pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
) -> Response {
    match load(&state, &user, &number).await {
        Ok((d, codes)) => member_page(&user, &d, &codes, None, d.version, &Values::blank(), None),
        Err(e) => e.into_response(),
    }
}

/// POST /households/{n}/members/new
pub async fn new_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let (d, codes) = match load(&state, &user, &number).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let values = Values::from_fields(&f);
    let version = version_of(&f);
    let again = |e: &AppError| member_page(&user, &d, &codes, None, version, &values, Some(e));
    let new = match values.new_member(&f) {
        Ok(n) => n,
        Err(e) => return again(&e),
    };
    let change = Change::AddMember(new);
    match submit(&state, &user, &number, version, change, "member_added").await {
        Ok(r) => r,
        Err(Refused::Form(e)) => again(&e),
        Err(Refused::Page(e)) => e.into_response(),
    }
}

/// GET /households/{n}/members/{member}/edit
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((number, member)): Path<(String, String)>,
) -> Response {
    let result = async {
        let (d, codes) = load(&state, &user, &number).await?;
        let (i, id) = member_of(&d, &member)?;
        Ok::<_, AppError>((d, codes, i, id))
    }
    .await;
    match result {
        Ok((d, codes, i, id)) => {
            let m = &d.household.members[i];
            member_page(
                &user,
                &d,
                &codes,
                Some((id, m)),
                d.member_versions[i],
                &Values::of(m),
                None,
            )
        }
        Err(e) => e.into_response(),
    }
}

/// POST /households/{n}/members/{member}/edit
pub async fn edit_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((number, member)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let result = async {
        let (d, codes) = load(&state, &user, &number).await?;
        let (i, id) = member_of(&d, &member)?;
        Ok::<_, AppError>((d, codes, i, id))
    }
    .await;
    let (d, codes, i, id) = match result {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let m = &d.household.members[i];
    let values = Values::from_fields(&f);
    let version = version_of(&f);
    let change = Change::UpdateMember {
        member: MemberRef::Row(id),
        patch: values.patch(m.relation == Relation::Head),
    };
    match submit(&state, &user, &number, version, change, "member_updated").await {
        Ok(r) => r,
        Err(Refused::Form(e)) => {
            member_page(&user, &d, &codes, Some((id, m)), version, &values, Some(&e))
        }
        Err(Refused::Page(e)) => e.into_response(),
    }
}

#[derive(Template)]
#[template(path = "households/member_leave.html")]
struct LeavePage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    number: String,
    member_name: String,
    relation: String,
    id: String,
    head: bool,
    version: i64,
    reasons: Vec<Choice>,
    on: String,
    today: String,
    error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn leave_page(
    user: &CurrentUser,
    d: &HouseholdDetail,
    codes: &CodeOverrides,
    (id, m): (i64, &Member),
    version: i64,
    reason: Option<LeaveReason>,
    on: String,
    error: Option<&AppError>,
) -> Response {
    let i18n = user.i18n();
    let today = shouwang_app::today().to_string();
    let page = LeavePage {
        i18n,
        user,
        path: format!("{}/members/{id}/leave", household_path(&d.household.number)),
        number: d.household.number.clone(),
        member_name: m.name.clone(),
        relation: code_label(i18n, codes, &m.relation),
        id: m.id_number.masked(),
        head: m.relation == Relation::Head,
        version,
        reasons: choices::<LeaveReason>(
            i18n,
            &CodeOverrides::new(),
            &reason.into_iter().collect::<Vec<_>>(),
        ),
        on: if on.is_empty() { today.clone() } else { on },
        today,
        error: error.map(|e| message(user, e)),
    };
    match error {
        Some(e) => render_status(&page, e.status()),
        None => render(&page),
    }
}

/// GET /households/{n}/members/{member}/leave
pub async fn leave_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((number, member)): Path<(String, String)>,
) -> Response {
    let result = async {
        let (d, codes) = load(&state, &user, &number).await?;
        let (i, id) = member_of(&d, &member)?;
        Ok::<_, AppError>((d, codes, i, id))
    }
    .await;
    match result {
        Ok((d, codes, i, id)) => leave_page(
            &user,
            &d,
            &codes,
            (id, &d.household.members[i]),
            d.version,
            None,
            String::new(),
            None,
        ),
        Err(e) => e.into_response(),
    }
}

/// POST /households/{n}/members/{member}/leave
pub async fn leave_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((number, member)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let result = async {
        let (d, codes) = load(&state, &user, &number).await?;
        let (i, id) = member_of(&d, &member)?;
        Ok::<_, AppError>((d, codes, i, id))
    }
    .await;
    let (d, codes, i, id) = match result {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let m = &d.household.members[i];
    let version = version_of(&f);
    let reason = LeaveReason::from_code(&f.get("reason"));
    let on_text = f.get("on");
    let again = |e: &AppError| {
        leave_page(
            &user,
            &d,
            &codes,
            (id, m),
            version,
            reason,
            on_text.clone(),
            Some(e),
        )
    };
    let Some(reason) = reason else {
        return again(&AppError::invalid(
            "请选择减员原因（死亡或迁出）",
            "Choose the reason (death or moving out)",
        ));
    };
    let Some(on) = f.date("on") else {
        return again(&AppError::invalid(
            "请填写减员日期（年-月-日）",
            "Enter the date (YYYY-MM-DD)",
        ));
    };
    let change = Change::Leave {
        member: MemberRef::Row(id),
        reason,
        on: Some(on),
    };
    match submit(&state, &user, &number, version, change, "member_left").await {
        Ok(r) => r,
        Err(Refused::Form(e)) => again(&e),
        Err(Refused::Page(e)) => e.into_response(),
    }
}
