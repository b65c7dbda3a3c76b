//! The registry list with the lifecycle filters (农户信息 with 监测状态 and 风险类型): the household search of
//! [`households::search`] narrowed by the state of the household's case and by a risk type, and the
//! states of the households of one page. Area-scoped in SQL like every read.
//!
//! Without a state or risk filter, [`search`] is [`households::search`] (its index paths). With one, the
//! query runs over the households of the effective area (a village or township: a few hundred to a few
//! thousand rows), joined to `cases` by `(county_code, household_number)`.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use shouwang_core::codes::{HouseholdType, RiskType};
use shouwang_core::monitoring::Lifecycle;
use shouwang_core::{CodeList, IdNumber, Scope};

use super::area::{county_area, effective_area};
use super::households::{self, HouseholdQuery, HouseholdRow, ROW_COLS};
use super::{Page, Sql, paging, prefix_upper};
use crate::db::Db;
use crate::error::{Result, StoreError};

/// The registry filter: the search of [`HouseholdQuery`] plus the case state and a risk type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistryQuery {
    /// Text, region and household type, as in [`households::search`].
    pub base: HouseholdQuery,
    /// 监测状态 of the household's current case; `Some(None)` = households that never had a case.
    pub lifecycle: Option<Option<Lifecycle>>,
    /// Households with this risk type (`02` also matches its sub-codes `0201`…`0299`).
    pub risk: Option<RiskType>,
}

/// Households in the scope matching `query`, by 户编号, one page at a time (`total` counts every match).
pub async fn search(
    db: &Db,
    scope: &Scope,
    query: &RegistryQuery,
    page: u32,
    per_page: u32,
) -> Result<Page<HouseholdRow>> {
    if query.lifecycle.is_none() && query.risk.is_none() {
        return households::search(db, scope, &query.base, page, per_page).await;
    }
    let (page, per_page, offset) = paging(page, per_page);
    let Some(area) = effective_area(scope, query.base.village.as_deref()) else {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            page,
            per_page,
        });
    };
    let mut filter = Sql::new();
    filter.push(" WHERE 1=1");
    filter.push_household_area(&area);
    match query.base.household_type {
        Some(HouseholdType::Monitored) => {
            filter
                .push(" AND (h.household_type = ")
                .bind(HouseholdType::Monitored.code())
                .push(" OR h.monitored_type IS NOT NULL)");
        }
        Some(t) => {
            filter.push(" AND h.household_type = ").bind(t.code());
        }
        None => {}
    }
    if let Some(text) = query
        .base
        .q
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if let Ok(id) = IdNumber::parse(text) {
            households::push_member_id(&mut filter, db.keys(), id);
        } else if text.starts_with(|c: char| c.is_ascii_digit()) {
            let n: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            filter
                .push(" AND h.number >= ")
                .bind(n.clone())
                .push(" AND h.number < ")
                .bind(prefix_upper(&n));
        } else {
            filter.push(
                " AND h.id IN (SELECT m.household_id FROM members m WHERE m.county_code = h.county_code AND ",
            );
            households::push_member_name(&mut filter, db.keys(), text);
            filter.push(")");
        }
    }
    if let Some(risk) = query.risk {
        // `risks` holds the codes comma-separated: match a whole code (or a disaster sub-code of `02`).
        let pattern = if risk == RiskType::Disaster {
            "%,02%".to_owned()
        } else {
            format!("%,{},%", risk.code())
        };
        // The literal `h.risks <> ''` matches the partial index `idx_households_risks` (migration 000006):
        // only households with a risk are read, not the whole county.
        filter
            .push(" AND h.risks <> '' AND (',' || h.risks || ',') LIKE ")
            .bind(pattern);
    }
    // Inside one county the case state is looked up from the few cases (`h.number IN (…)` driven by
    // `idx_cases_lifecycle`), not probed once per household of the county.
    let county = area.county().map(str::to_owned);
    match (query.lifecycle, county) {
        (Some(Some(l)), Some(county)) => {
            filter
                .push(" AND h.number IN (SELECT c.household_number FROM cases c WHERE c.county_code = ")
                .bind(county)
                .push(" AND c.is_current = ")
                .bind(true)
                .push(" AND c.lifecycle = ")
                .bind(l.code())
                .push(")");
        }
        (Some(None), Some(county)) => {
            filter
                .push(" AND h.number NOT IN (SELECT c.household_number FROM cases c WHERE c.county_code = ")
                .bind(county)
                .push(")");
        }
        (Some(Some(l)), None) => {
            filter
                .push(
                    " AND EXISTS (SELECT 1 FROM cases c WHERE c.county_code = h.county_code \
                     AND c.household_number = h.number AND c.is_current = ",
                )
                .bind(true)
                .push(" AND c.lifecycle = ")
                .bind(l.code())
                .push(")");
        }
        (Some(None), None) => {
            filter.push(
                " AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.county_code = h.county_code \
                 AND c.household_number = h.number)",
            );
        }
        (None, _) => {}
    }
    let backend = db.backend();
    let mut count = Sql::new();
    count
        .push("SELECT COUNT(*) AS n FROM households h")
        .append(&filter);
    let total = super::count(db.conn(), count.build(backend)).await?;
    let mut q = Sql::new();
    q.push("SELECT ")
        .push(ROW_COLS)
        .push(" FROM households h")
        .append(&filter)
        .push(" ORDER BY h.number, h.county_code LIMIT ")
        .bind(i64::from(per_page))
        .push(" OFFSET ")
        .bind(i64::try_from(offset).unwrap_or(i64::MAX));
    let rows = db.conn().query_all_raw(q.build(backend)).await?;
    let villages: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String>("", "village_code").ok())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let names = households::region_names(db.conn(), villages).await?;
    let items = rows
        .iter()
        .map(|r| households::row(db.keys(), r, &names))
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// The state of the current case of each of `numbers` (户编号) inside the scope's area; households
/// without a case (or outside the area) are absent.
pub async fn lifecycles(
    db: &Db,
    scope: &Scope,
    numbers: &[String],
) -> Result<HashMap<String, Lifecycle>> {
    let area = county_area(scope, None);
    let (Some(area), false) = (area, numbers.is_empty()) else {
        return Ok(HashMap::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT c.household_number, c.lifecycle FROM cases c WHERE c.is_current = ")
        .bind(true)
        .push_area("c", &area);
    sql.push(" AND c.household_number IN (");
    for (i, n) in numbers.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(n.as_str());
    }
    sql.push(")");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| {
            let number: String = r.try_get("", "household_number")?;
            let code: String = r.try_get("", "lifecycle")?;
            let l = Lifecycle::from_code(&code).ok_or_else(|| StoreError::corrupt(&code))?;
            Ok((number, l))
        })
        .collect()
}

/// Figures of the dashboard (数据看板) for the scope's area.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Monitored households (type 监测户 or a 监测对象类别) by 监测对象类别 code (`""` when unset).
    pub monitored_by_type: Vec<(String, u64)>,
    /// Monitored households by risk type code (a household counts once per risk).
    pub monitored_by_risk: Vec<(String, u64)>,
    /// Monitored households by village code.
    pub monitored_by_village: Vec<(String, u64)>,
    /// Per year: (year, Σ net income in fen, Σ members) over the area's income records.
    pub income_by_year: Vec<(i32, i64, i64)>,
}

/// The dashboard's registry figures in the scope's area (area filtered in SQL).
pub async fn stats(db: &Db, scope: &Scope) -> Result<Stats> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(Stats::default());
    };
    let backend = db.backend();
    let mut sql = Sql::new();
    sql.push("SELECT h.village_code, h.monitored_type, h.risks FROM households h WHERE (h.household_type = ")
        .bind(HouseholdType::Monitored.code())
        .push(" OR h.monitored_type IS NOT NULL)");
    sql.push_household_area(&area);
    let rows = db.conn().query_all_raw(sql.build(backend)).await?;
    let mut by_type: std::collections::BTreeMap<String, u64> = Default::default();
    let mut by_risk: std::collections::BTreeMap<String, u64> = Default::default();
    let mut by_village: std::collections::BTreeMap<String, u64> = Default::default();
    for r in &rows {
        let village: String = r.try_get("", "village_code")?;
        let t: Option<String> = r.try_get("", "monitored_type")?;
        let risks: String = r.try_get("", "risks")?;
        *by_village.entry(village).or_default() += 1;
        *by_type.entry(t.unwrap_or_default()).or_default() += 1;
        for code in risks.split(',').filter(|c| !c.is_empty()) {
            *by_risk.entry(code.to_owned()).or_default() += 1;
        }
    }
    let mut inc = Sql::new();
    inc.push(
        "SELECT i.year AS year, \
         CAST(SUM(i.wage + i.business + i.property + i.transfer - i.production_cost) AS BIGINT) AS net, \
         CAST(SUM(i.members) AS BIGINT) AS members FROM income_records i WHERE 1=1",
    );
    if area.county().is_none() {
        return Ok(Stats::default());
    }
    inc.push_area_by_village("i", &area);
    inc.push(" GROUP BY i.year ORDER BY i.year");
    let income_rows = db.conn().query_all_raw(inc.build(backend)).await?;
    let mut income_by_year = Vec::new();
    for r in &income_rows {
        let year: i32 = r.try_get("", "year")?;
        let net: i64 = r.try_get::<Option<i64>>("", "net")?.unwrap_or(0);
        let members: i64 = r.try_get::<Option<i64>>("", "members")?.unwrap_or(0);
        income_by_year.push((year, net, members));
    }
    Ok(Stats {
        monitored_by_type: by_type.into_iter().collect(),
        monitored_by_risk: by_risk.into_iter().collect(),
        monitored_by_village: by_village.into_iter().collect(),
        income_by_year,
    })
}
