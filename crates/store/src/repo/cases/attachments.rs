//! Attachments 附件: metadata of uploaded files (scans, photos) by content hash, per county.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use shouwang_core::Scope;
use shouwang_core::monitoring::verification::Attachment;

use super::writes::write_county;
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::repo::area::effective_area;
use crate::repo::audit::{self, Change};
use crate::repo::{Actor, Sql, to_json};

/// Metadata of an uploaded file (scan, photo), by content hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttachmentRow {
    /// 县 code.
    pub county_code: String,
    /// SHA-256, 64 lower-case hex digits.
    pub sha256: String,
    /// File name as uploaded.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: i64,
    /// Who uploaded it first.
    pub uploaded_by: i64,
    /// UTC.
    pub uploaded_at: DateTime<Utc>,
}

/// Records the metadata of an uploaded file in the scope's county (the bytes are kept elsewhere, by hash).
/// The same content uploaded again keeps the first row. Returns the row as stored.
pub async fn register_attachment(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    attachment: &Attachment,
    size: u64,
) -> Result<AttachmentRow> {
    attachment.validate()?;
    let county = write_county(scope)?;
    let size = i64::try_from(size).map_err(|_| {
        StoreError::invalid(
            format!("附件大小超出范围：{size} 字节"),
            format!("Attachment size {size} out of range"),
        )
    })?;
    let tx = db.begin_write().await?;
    if let Some(row) = find_attachment(&tx, &county, &attachment.sha256).await? {
        return Ok(row);
    }
    let mut ins = Sql::new();
    ins.push(
        "INSERT INTO attachments (county_code, sha256, name, media_type, size, uploaded_by, uploaded_at) \
         VALUES (",
    )
    .bind(county.clone())
    .push(", ")
    .bind(attachment.sha256.clone())
    .push(", ")
    .bind(attachment.name.clone())
    .push(", ")
    .bind(attachment.media_type.clone())
    .push(", ")
    .bind(size)
    .push(", ")
    .bind(actor.user_id)
    .push(", ")
    .bind(Utc::now())
    .push(")");
    tx.execute_raw(ins.build(tx.get_database_backend()))
        .await
        .map_err(|e| StoreError::from_write(e, "附件", "Attachment"))?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "create",
            entity: "attachment",
            entity_id: attachment.sha256.clone(),
            county_code: Some(county.clone()),
            village_code: None,
            before: None,
            after: Some(to_json(attachment)?),
        },
    )
    .await?;
    let row = find_attachment(&tx, &county, &attachment.sha256)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

async fn find_attachment(
    conn: &impl ConnectionTrait,
    county: &str,
    sha256: &str,
) -> Result<Option<AttachmentRow>> {
    let mut sql = Sql::new();
    sql.push("SELECT * FROM attachments WHERE county_code = ")
        .bind(county)
        .push(" AND sha256 = ")
        .bind(sha256.trim().to_ascii_lowercase());
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    row.map(|r| {
        Ok(AttachmentRow {
            county_code: r.try_get("", "county_code")?,
            sha256: r.try_get("", "sha256")?,
            name: r.try_get("", "name")?,
            media_type: r.try_get("", "media_type")?,
            size: r.try_get("", "size")?,
            uploaded_by: r.try_get("", "uploaded_by")?,
            uploaded_at: r.try_get("", "uploaded_at")?,
        })
    })
    .transpose()
}

/// The metadata of a file uploaded in the scope's county, by hash; `Ok(None)` if unknown there. Whether
/// a file exists for a case's evidence: a county keeps each file once, whoever uploaded it.
pub async fn attachment(db: &Db, scope: &Scope, sha256: &str) -> Result<Option<AttachmentRow>> {
    let Ok(county) = write_county(scope) else {
        return Ok(None);
    };
    find_attachment(db.conn(), &county, sha256).await
}

/// The metadata of a file the scope may download, by hash; `Ok(None)` otherwise. A county-wide scope
/// reads every file of its county; a township or village scope only the files it uploaded itself and
/// those a case or a problem (问题台账) of its area refers to.
pub async fn readable_attachment(
    db: &Db,
    scope: &Scope,
    sha256: &str,
) -> Result<Option<AttachmentRow>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(None);
    };
    let Some(county) = area.county().map(str::to_owned) else {
        return Ok(None);
    };
    let Some(row) = find_attachment(db.conn(), &county, sha256).await? else {
        return Ok(None);
    };
    if !area.is_inside_county() || row.uploaded_by == scope.user_id {
        return Ok(Some(row));
    }
    // A case of the area that refers to the file (its hash is in the case's JSON body).
    let mut sql = Sql::new();
    sql.push("SELECT 1 AS found FROM cases c WHERE c.county_code = ")
        .bind(county.as_str());
    sql.push_area_by_village("c", &area);
    sql.push(" AND c.body LIKE ")
        .bind(format!("%{}%", row.sha256));
    sql.push(" LIMIT 1");
    let referred = db
        .conn()
        .query_one_raw(sql.build(db.backend()))
        .await?
        .is_some();
    // Or a problem of the area whose rectification steps refer to it (问题台账 evidence).
    let referred = referred
        || crate::repo::problems::refers_to(db.conn(), &county, &area, &row.sha256).await?;
    Ok(referred.then_some(row))
}
