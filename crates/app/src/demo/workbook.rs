//! The demo county as a township brings its registry (演示县农户信息台账): an XLSX workbook with the sheets
//! 户信息, 家庭成员 and 收支情况 (`shouwang_io::registry_xlsx::RegistryWriter`, the writer of `shouwang export
//! registry`), which the load imports through the registry import (`crate::imports::registry::run`), the
//! code path of `shouwang import registry` and the upload page. So every demo load proves that path:
//! the file, the reader, the row checks, the import's writes and audit rows.

use std::collections::HashMap;

use shouwang_core::registry::RegionNames;
use shouwang_core::{Household, IncomeRecord};
use shouwang_io::registry_xlsx::RegistryWriter;
use shouwang_store::{Result, StoreError};

use super::DemoCounty;

/// The region names of `county` by code, for [`workbook`].
pub(super) fn region_names(county: &DemoCounty) -> HashMap<String, String> {
    county
        .regions
        .iter()
        .map(|r| (r.code.as_str().to_owned(), r.name.clone()))
        .collect()
}

/// The workbook of `households` (each as the registry is to hold it: the generated household, or as
/// promoted for its case; with its income records) with the region `names` by code, in 户编号 order as the
/// export writes them.
pub(super) fn workbook(
    names: &HashMap<String, String>,
    households: &[(Household, Vec<IncomeRecord>)],
) -> Result<Vec<u8>> {
    let name = |code: &str| names.get(code).cloned().unwrap_or_default();
    let mut sorted: Vec<&(Household, Vec<IncomeRecord>)> = households.iter().collect();
    sorted.sort_by(|a, b| a.0.number.cmp(&b.0.number));
    let failed = |e: shouwang_io::IoError| {
        StoreError::Db(sea_orm::DbErr::Custom(format!(
            "the demo registry workbook: {}",
            e.message_zh()
        )))
    };
    let mut w = RegistryWriter::new().map_err(failed)?;
    for (h, incomes) in sorted {
        let v = &h.village;
        let names = RegionNames {
            county: name(&format!("{}000000", v.county())),
            township: name(&format!("{}000", v.township())),
            village: name(v.as_str()),
            natural_village: h.natural_village.as_deref().map(name).unwrap_or_default(),
        };
        w.add(h, &names).map_err(failed)?;
        w.add_incomes(&h.number, incomes).map_err(failed)?;
    }
    w.finish_fast().map_err(failed)
}
