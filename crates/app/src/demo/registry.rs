//! The demo county's registry as a township brings it (演示县农户信息台账): the rows of the registry workbook —
//! 户信息, 家庭成员 and 收支情况, as `shouwang export registry` writes them and the reader reads them — handed
//! to the registry import ([`crate::imports::registry::run_rows`]) by
//! `shouwang_io::registry_rows::RegistryRows`. From the reader's sink on it is the path of `shouwang
//! import registry` and of the upload page: header recognition, the row and household checks, the
//! streaming writes, the database checks, the audit rows.
//!
//! Rows rather than a workbook file: writing the XLSX (rust_xlsxwriter keeps every cell in memory) and
//! reading it back cost more than the import itself — about 0.1 s more of the default county's 0.5 s, and
//! at 100,000 households 10 s for the workbook alone (the whole load 21.6 s and 2.3 GB at its peak, against
//! 10.3 s and 0.7 GB with rows). The reader's part of the path, for the same workbook as the export's, is
//! tested on its own: `shouwang_io::registry_rows`' test compares the rows with what the reader makes of
//! that file.

use std::collections::HashMap;

use shouwang_core::registry::RegionNames;
use shouwang_core::{Household, IncomeRecord};
use shouwang_io::registry_rows::RegistryRows;

use super::DemoCounty;
use crate::imports::registry::Rows;

/// The registry's rows: `households` (each as the registry is to hold it: the generated household, or as
/// promoted for its case; with its income records) in 户编号 order, with the region names of `county`.
pub(super) fn rows(county: &DemoCounty, households: Vec<(Household, Vec<IncomeRecord>)>) -> Rows {
    let names: HashMap<String, String> = county
        .regions
        .iter()
        .map(|r| (r.code.as_str().to_owned(), r.name.clone()))
        .collect();
    Box::new(move |sink, _progress| {
        let name = |code: &str| names.get(code).cloned().unwrap_or_default();
        let mut sorted: Vec<&(Household, Vec<IncomeRecord>)> = households.iter().collect();
        sorted.sort_by(|a, b| a.0.number.cmp(&b.0.number));
        let mut rows = RegistryRows::new(sink)?;
        for (h, incomes) in sorted {
            let v = &h.village;
            let names = RegionNames {
                county: name(&format!("{}000000", v.county())),
                township: name(&format!("{}000", v.township())),
                village: name(v.as_str()),
                natural_village: h.natural_village.as_deref().map(name).unwrap_or_default(),
            };
            rows.add(h, &names);
            rows.add_incomes(&h.number, incomes);
        }
        Ok(RegistryRows::info())
    })
}
