//! 台账导出: the lifecycle ledgers (监测对象, 帮扶措施, 月度监测（帮扶手册）, 风险消除, 线索; issue 6 part 4).
//!
//! The cases of the reader's area (every case, current and closed: a household eliminated and later
//! reopened appears in the 风险消除台账 with its first case) are read with their household and region
//! names, area-scoped in SQL and pre-filtered in SQL by the ledger's date where a derived column holds it
//! (纳入监测日期, 风险消除日期); the rows, their exact date filter and the ID masking are the core's
//! ([`shouwang_core::ledger`]). Every export is written to the audit log (`export_ledger`).

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use shouwang_core::ledger::{
    self, Column, DateRange, LedgerCase, LedgerKind, LedgerOptions, Value,
};
use shouwang_core::monitoring::Case;
use shouwang_core::registry::RegionNames;
use shouwang_core::{CodeList, Household, Scope};

use super::area::{Area, effective_area};
use super::audit;
use super::cases::case_record;
use super::households::{open_household, open_member, to_household};
use super::{Actor, Sql};
use crate::db::Db;
use crate::entity::{households, members, regions};
use crate::error::{Result, StoreError};

const CHUNK: usize = 500;

/// A case with its household (from the registry, members now) and region names.
#[derive(Clone, Debug)]
pub struct LedgerEntry {
    /// 县 code of the case.
    pub county_code: String,
    /// Village code of the case.
    pub village_code: String,
    /// The case.
    pub case: Case,
    /// The household.
    pub household: Household,
    /// Region names.
    pub names: RegionNames,
}

impl LedgerEntry {
    /// The core's view of it.
    pub fn view(&self) -> LedgerCase<'_> {
        LedgerCase {
            case: &self.case,
            household: &self.household,
            names: &self.names,
        }
    }
}

/// A ledger ready to write: columns, rows, and what it covers.
#[derive(Clone, Debug)]
pub struct Ledger {
    /// Which ledger.
    pub kind: LedgerKind,
    /// The columns.
    pub columns: &'static [Column],
    /// The rows (without headers).
    pub rows: Vec<Vec<Value>>,
    /// The area exported (region code prefix).
    pub area: String,
    /// ID numbers written in full.
    pub full_ids: bool,
}

/// The cases of the scope's area (narrowed by `area`), with households and names, by village, 户编号 and
/// case sequence. `kind` and `range` pre-filter in SQL where a derived column holds the ledger's date.
/// An `area` outside the scope gives nothing; a malformed one is `Invalid`.
pub async fn load(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    kind: LedgerKind,
    range: &DateRange,
) -> Result<Vec<LedgerEntry>> {
    let area = area.map(str::trim).filter(|a| !a.is_empty());
    if let Some(a) = area
        && let Err(e) = shouwang_core::RegionCode::parse(a)
    {
        return Err(StoreError::invalid(
            format!("地区代码“{a}”有误：{}", e.message_zh()),
            format!("Bad area {a:?}: {e}"),
        ));
    }
    let Some(area) = effective_area(scope, area) else {
        return Ok(Vec::new());
    };
    let date_col = match kind {
        LedgerKind::Monitored => Some("c.monitored_since"),
        LedgerKind::Eliminated => Some("c.eliminated_on"),
        _ => None,
    };
    let range = *range;
    load_where(db, &area, &move |sql: &mut Sql| {
        if let Some(col) = date_col {
            sql.push(&format!(" AND {col} IS NOT NULL"));
            if let Some(f) = range.from {
                sql.push(&format!(" AND {col} >= ")).bind(f.to_string());
            }
            if let Some(t) = range.to {
                sql.push(&format!(" AND {col} <= ")).bind(t.to_string());
            }
        }
    })
    .await
}

/// The cases in `area` (an effective area prefix) matching `extra` (` AND …` on alias `c`), with their
/// households and region names, by village, 户编号 and case sequence.
pub(crate) async fn load_where(
    db: &Db,
    area: &Area,
    extra: &(dyn Fn(&mut Sql) + Send + Sync),
) -> Result<Vec<LedgerEntry>> {
    let backend = db.backend();
    let mut sql = Sql::new();
    sql.push("SELECT c.* FROM cases c WHERE 1 = 1");
    sql.push_area("c", area);
    extra(&mut sql);
    sql.push(" ORDER BY c.village_code, c.household_number, c.county_code, c.seq");
    let rows = db.conn().query_all_raw(sql.build(backend)).await?;
    let mut cases = Vec::with_capacity(rows.len());
    for r in &rows {
        let household_id: i64 = r.try_get("", "household_id")?;
        cases.push((household_id, case_record(r)?));
    }

    // Households and members of those cases.
    let mut by_county: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (hid, rec) in &cases {
        by_county
            .entry(rec.county_code.clone())
            .or_default()
            .push(*hid);
    }
    let mut hs: HashMap<(String, i64), households::Model> = HashMap::new();
    let mut ms: HashMap<(String, i64), Vec<members::Model>> = HashMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for (county, ids) in &mut by_county {
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(CHUNK) {
            for h in households::Entity::find()
                .filter(households::Column::CountyCode.eq(county.as_str()))
                .filter(households::Column::Id.is_in(chunk.to_vec()))
                .all(db.conn())
                .await?
            {
                hs.insert((h.county_code.clone(), h.id), open_household(db.keys(), h)?);
            }
            for m in members::Entity::find()
                .filter(members::Column::CountyCode.eq(county.as_str()))
                .filter(members::Column::HouseholdId.is_in(chunk.to_vec()))
                .order_by_asc(members::Column::Position)
                .order_by_asc(members::Column::Id)
                .all(db.conn())
                .await?
            {
                ms.entry((m.county_code.clone(), m.household_id))
                    .or_default()
                    .push(open_member(db.keys(), m)?);
            }
        }
        for r in regions::Entity::find()
            .filter(regions::Column::CountyCode.eq(county.as_str()))
            .all(db.conn())
            .await?
        {
            names.insert(r.code, r.name);
        }
    }
    let name = |code: &str| names.get(code).cloned().unwrap_or_default();
    let mut out = Vec::with_capacity(cases.len());
    for (hid, rec) in cases {
        let key = (rec.county_code.clone(), hid);
        let Some(h) = hs.get(&key) else {
            return Err(StoreError::corrupt(format!(
                "case of household {} without its household",
                rec.household_number
            )));
        };
        let household = to_household(h, ms.get(&key).map_or(&[][..], Vec::as_slice))?;
        let names = RegionNames {
            county: name(&format!("{}000000", h.county_code)),
            township: name(&format!("{}000", h.township_code)),
            village: name(&h.village_code),
            natural_village: h.natural_village.as_deref().map(name).unwrap_or_default(),
        };
        out.push(LedgerEntry {
            village_code: rec.village_code.clone(),
            county_code: rec.county_code.clone(),
            case: rec.case,
            household,
            names,
        });
    }
    Ok(out)
}

/// A ledger of the scope's area for `actor`: loads the cases, builds the rows (full ID numbers only if
/// `opts.full_ids` and the scope's role may see them), and records the export in the audit log
/// (`export_ledger`, entity `ledger`, id `KIND AREA FROM..TO`).
pub async fn export(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    area: Option<&str>,
    kind: LedgerKind,
    opts: &LedgerOptions,
) -> Result<Ledger> {
    if opts.range.is_reversed() {
        return Err(StoreError::invalid(
            "起始日期晚于截止日期",
            "The start date is after the end date",
        ));
    }
    let full_ids = opts.full_ids && scope.role.may_view_full_id();
    let opts = LedgerOptions { full_ids, ..*opts };
    let today = || super::income::beijing_date(chrono::Utc::now());
    let rows = if matches!(kind, LedgerKind::Assets | LedgerKind::AssetUpkeep) {
        super::assets::ledger_rows(db, scope, area, kind, &opts.range, full_ids).await?
    } else if matches!(kind, LedgerKind::Projects | LedgerKind::ProjectFunds) {
        super::projects::ledger_rows(db, scope, area, kind, &opts.range).await?
    } else if kind == LedgerKind::LowIncome {
        super::register_records::low_income_rows(db, scope, area, &opts.range, full_ids, today())
            .await?
    } else if kind == LedgerKind::Relocation {
        super::register_records::relocation_rows(db, scope, area, &opts.range, full_ids, today())
            .await?
    } else if kind == LedgerKind::Labour {
        super::register_records::labour_rows(db, scope, area, &opts.range, full_ids, today())
            .await?
    } else if kind == LedgerKind::WelfarePosts {
        super::welfare_posts::ledger_rows(db, scope, area, full_ids).await?
    } else if kind == LedgerKind::Workshops {
        super::workshops::ledger_rows(db, scope, area, kind).await?
    } else if kind == LedgerKind::Grids {
        super::grids::ledger_rows(db, scope, area, &opts.range, full_ids).await?
    } else if kind == LedgerKind::PvDistribution {
        super::pv::ledger_rows(db, scope, area, &opts.range).await?
    } else if kind == LedgerKind::Campaign {
        super::register_records::campaign_rows(db, scope, area, &opts.range, full_ids).await?
    } else if kind == LedgerKind::VillageIndicators {
        super::indicators::ledger_rows(db, scope, area, &opts.range).await?
    } else if kind == LedgerKind::Problems {
        super::problems::ledger_rows(db, scope, area, &opts.range, full_ids, today()).await?
    } else {
        let entries = load(db, scope, area, kind, &opts.range).await?;
        let views: Vec<LedgerCase<'_>> = entries.iter().map(LedgerEntry::view).collect();
        ledger::rows(kind, &views, &opts)
    };
    let area = effective_area(scope, area.map(str::trim).filter(|a| !a.is_empty()))
        .map(|a| a.to_string())
        .unwrap_or_default();
    let d = |x: Option<chrono::NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
    let what = format!(
        "{} {} {}..{}{}{}",
        kind.code(),
        area,
        d(opts.range.from),
        d(opts.range.to),
        if opts.per_member { " per_member" } else { "" },
        if full_ids { " full_ids" } else { "" }
    );
    let audit_area = (area.len() >= 6).then_some(area.as_str());
    audit::record_read(
        db,
        actor,
        "export_ledger",
        "ledger",
        &what,
        audit_area,
        None,
    )
    .await?;
    Ok(Ledger {
        kind,
        columns: ledger::columns(kind, opts.per_member),
        rows,
        area,
        full_ids,
    })
}
