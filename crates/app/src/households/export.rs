//! 农户信息导出: the registry (户信息, 家庭成员, 收支情况) as the workbook the registry import reads back —
//! with full ID numbers, so only for a reader who may see them (the operator's CLI, a county or township
//! admin, an auditor), and written to the audit log (`export_registry`).

use shouwang_core::Scope;
use shouwang_io::registry_xlsx::RegistryWriter;
use shouwang_store::Db;
use shouwang_store::repo::{self, Actor};

use crate::error::{Error, Result};
use crate::privacy;

/// A written registry workbook.
pub struct RegistryExport {
    /// The XLSX file.
    pub bytes: Vec<u8>,
    /// Households, members and income records written.
    pub households: u64,
    pub members: u64,
    pub incomes: u64,
}

/// The registry of `area` (inside `scope`'s; `None`: the operator's CLI, everything) as a workbook.
pub async fn export(
    db: &Db,
    actor: &Actor,
    scope: Option<&Scope>,
    area: Option<&str>,
) -> Result<RegistryExport> {
    if !privacy::full_ids(scope) {
        return Err(Error::role_not_allowed(
            "农户信息导出含完整身份证号，仅县、乡镇管理员和审计监督可导出",
            "The registry export carries full ID numbers: only county and township admins and auditors may export it",
        ));
    }
    let mut writer = RegistryWriter::new().map_err(|e| Error::internal(e.message_zh()))?;
    let mut failed: Option<String> = None;
    repo::registry_file::export_with_incomes(db, scope, area, &mut |h, names, incomes| {
        if failed.is_none()
            && let Err(e) = writer
                .add(h, names)
                .and_then(|()| writer.add_incomes(&h.number, incomes))
        {
            failed = Some(e.message_zh());
        }
        Ok(())
    })
    .await?;
    if let Some(e) = failed {
        return Err(Error::internal(e));
    }
    let (households, members, incomes) = (
        writer.households() as u64,
        writer.members() as u64,
        writer.income_rows() as u64,
    );
    let bytes = writer
        .finish()
        .map_err(|e| Error::internal(e.message_zh()))?;
    let area = privacy::read_area(scope, area);
    privacy::export(db, actor, "registry", area, households, true).await?;
    Ok(RegistryExport {
        bytes,
        households,
        members,
        incomes,
    })
}
