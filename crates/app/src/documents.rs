//! 文书: the official documents of the lifecycle (风险消除告知书, 入户核查表, 帮扶手册, 民主评议结果公示,
//! a quarter's 告知书) — one code path for `shouwang document`, the pages' downloads and print views and
//! `/api/v1/…/documents`. The store builds each from the records (area-scoped, the read audited); the
//! `io` crate renders it as DOCX or HTML.

use chrono::NaiveDate;
use shouwang_core::document::{Document, parse_quarter};
use shouwang_core::monitoring::Quarter;
use shouwang_io::document_docx;
use shouwang_store::Db;
use shouwang_store::repo::documents;

use crate::caller::Caller;
use crate::error::{Error, Kind};

/// A household's document by kind: `handbook` 帮扶手册, `verification` 入户核查表, `notice` 风险消除告知书;
/// [`Kind::NotFound`] for another kind or a household outside the caller's area.
pub async fn household(
    db: &Db,
    caller: &Caller,
    number: &str,
    kind: &str,
) -> Result<Document, Error> {
    let (actor, scope) = (caller.actor(), &caller.scope);
    Ok(match kind {
        "handbook" => documents::handbook(db, &actor, scope, number).await?,
        "verification" => documents::verification(db, &actor, scope, number).await?,
        "notice" => documents::notice(db, &actor, scope, number).await?,
        _ => return Err(Error::not_found()),
    })
}

/// The 民主评议结果公示 of `village` (default: the caller's own village) with the 公示期 as on `on`; the
/// document and the village code.
pub async fn publicity(
    db: &Db,
    caller: &Caller,
    village: Option<&str>,
    on: NaiveDate,
) -> Result<(Document, String), Error> {
    let area = caller.scope.area_prefix();
    let village: String = match village.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => v.chars().filter(|c| !c.is_control()).take(20).collect(),
        None if area.len() == 12 => area.to_owned(),
        None => {
            return Err(Error::new(
                Kind::BadRequest,
                "bad_request",
                "请选择行政村（village=村代码）",
                "choose a village (village=CODE)",
            ));
        }
    };
    let doc = documents::publicity(db, &caller.actor(), &caller.scope, &village, on).await?;
    Ok((doc, village))
}

/// A quarter written as `2022Q3`.
pub fn quarter(s: &str) -> Result<Quarter, Error> {
    parse_quarter(s.trim()).ok_or_else(|| {
        let shown: String = s.chars().filter(|c| !c.is_control()).take(20).collect();
        Error::new(
            Kind::BadRequest,
            "bad_request",
            format!("季度格式应为 2022Q3：{shown}"),
            "quarter must look like 2022Q3",
        )
    })
}

/// Every 告知书 issued in `quarter` in `area` (inside the caller's) as one document, and how many;
/// [`Kind::BadRequest`] when there are none.
pub async fn quarter_notices(
    db: &Db,
    caller: &Caller,
    quarter: Quarter,
    area: Option<&str>,
) -> Result<(Document, u64), Error> {
    let (doc, n) =
        documents::quarter_notices(db, &caller.actor(), &caller.scope, area, quarter).await?;
    if n == 0 {
        return Err(Error::new(
            Kind::BadRequest,
            "bad_request",
            format!("{}没有告知书", quarter.label_zh()),
            format!("no notices issued in {quarter}"),
        ));
    }
    Ok((doc, n as u64))
}

/// A document as DOCX bytes.
pub fn docx(doc: &Document) -> Result<Vec<u8>, Error> {
    document_docx::render(doc).map_err(|e| Error::internal(e.message_zh()))
}

/// `s` without anything but ASCII letters, digits, `-` and `_` (for file names).
pub fn ascii(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// `format` of a document request: `docx` or `html` (empty: `default_docx`); [`Kind::BadRequest`]
/// otherwise.
pub fn wants_docx(format: Option<&str>, default_docx: bool) -> Result<bool, Error> {
    match format.map(str::trim).unwrap_or("") {
        "" => Ok(default_docx),
        "docx" => Ok(true),
        "html" => Ok(false),
        other => {
            let shown: String = other.chars().filter(|c| !c.is_control()).take(20).collect();
            Err(Error::new(
                Kind::BadRequest,
                "bad_query",
                format!("格式应为 docx 或 html：{shown}"),
                "format must be docx or html",
            ))
        }
    }
}
