//! 退出告知书, printable (`/households/{n}/notice`).

use super::*;

#[derive(Template)]
#[template(path = "cases/notice.html")]
struct NoticePage {
    i18n: I18n,
    number: String,
    title: String,
    doc_number: String,
    salutation: String,
    body: Vec<String>,
    issuer: String,
    date: String,
}

/// GET /households/{n}/notice — the latest exit notice, ready to print.
pub async fn notice(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
) -> Response {
    let view = match lifecycle::notice(&state.db, &user.scope, &number).await {
        Ok(v) => v,
        Err(e) => return AppError::from(e).into_response(),
    };
    let t = view.text;
    render(&NoticePage {
        i18n: user.i18n(),
        number: number.clone(),
        title: t.title,
        doc_number: t.number,
        salutation: t.salutation,
        body: t.body,
        issuer: t.issuer,
        date: t.date,
    })
}
