//! A township's registry workbook built in a test: 户信息, 家庭成员 and 收支情况 written by the io crate's
//! `RegistryWriter` (what `shouwang export registry` writes), saved as a real `.xlsx` file and read back as
//! the upload the import takes; and the import itself as the surfaces run it.

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use shouwang_app::Caller;
use shouwang_app::imports::registry::{self, RegistryImportResult};
use shouwang_app::jobs::Quiet;
use shouwang_app::uploads::UploadedFile;
use shouwang_core::registry::RegionNames;
use shouwang_core::{Fen, Household, IncomeRecord, Role, Scope};
use shouwang_io::registry_xlsx::RegistryWriter;
use shouwang_store::Db;
use shouwang_store::repo::registry_file::ImportOptions;

/// A household of the file with its yearly income records.
#[derive(Clone, Debug)]
pub struct Family {
    pub household: Household,
    pub incomes: Vec<IncomeRecord>,
}

/// The names of the fixtures' regions (`seed_regions`).
fn names(h: &Household) -> RegionNames {
    let village = match h.village.as_str() {
        "141123100201" => "李家沟村",
        "141123100202" => "高家塔村",
        _ => "王家坪村",
    };
    let township = if h.village.as_str().starts_with("141123100") {
        "蔚汾镇"
    } else {
        "魏家滩镇"
    };
    RegionNames {
        county: "兴县".to_owned(),
        township: township.to_owned(),
        village: village.to_owned(),
        natural_village: String::new(),
    }
}

/// A year's record of `members` people with a per-capita net income of `per_capita` yuan (wages and a
/// production cost of 1,000 yuan) and `rigid_medical` yuan of compliant out-of-pocket medical costs.
pub fn income(year: i32, members: u32, per_capita: i64, rigid_medical: i64) -> IncomeRecord {
    IncomeRecord {
        year,
        wage: Fen::from_yuan(per_capita * i64::from(members) + 1_000),
        production_cost: Fen::from_yuan(1_000),
        rigid_medical: Fen::from_yuan(rigid_medical),
        members,
        ..IncomeRecord::default()
    }
}

/// Writes the workbook of `families` to `path` (a real file) and reads it back as an upload.
pub fn write(path: &Path, families: &[Family]) -> UploadedFile {
    let mut w = RegistryWriter::new().unwrap();
    for f in families {
        w.add(&f.household, &names(&f.household)).unwrap();
        w.add_incomes(&f.household.number, &f.incomes).unwrap();
    }
    std::fs::write(path, w.finish().unwrap()).unwrap();
    UploadedFile {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        bytes: Arc::new(std::fs::read(path).unwrap()),
    }
}

/// The township admin of 蔚汾镇 (`TOWN_A`), who imports.
pub fn township_admin() -> Caller {
    Caller {
        user_id: 31,
        name: "乡镇管理员王芳".to_owned(),
        scope: Scope::new(31, Role::TownshipAdmin, "141123100"),
    }
}

/// Imports `file` as `who` (`None`: the system) on `on`, as `shouwang import registry` and the upload
/// page run it.
pub async fn import(
    db: &Db,
    who: Option<&Caller>,
    file: &UploadedFile,
    on: NaiveDate,
    dry_run: bool,
) -> RegistryImportResult {
    let options = ImportOptions {
        dry_run,
        all_or_nothing: false,
        source: file.name.clone(),
    };
    registry::run(db, who, file, &options, on, Arc::new(Quiet))
        .await
        .unwrap_or_else(|e| panic!("{}", e.zh()))
}
