//! The 光伏收益 board (§四(二)4): the year's income and distribution by month (cumulative 分配到村率 against
//! the county's target, with the gap), by township and by village, the stations and the distributions;
//! and the dashboard's figure (one statement).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use shouwang_core::Fen;
use shouwang_core::monitoring::YearMonth;
use shouwang_core::pv::{MonthProgress, PvTargets, Rate, Uses, income_gap, progress};
use shouwang_store::repo::pv::DistributionRow;
use shouwang_store::{Db, repo};

use super::{StationEntry, StationFilter, may_read, stations};
use crate::caller::Caller;
use crate::error::Error;
use crate::lifecycle::county_rules;
use crate::projects::reads::{Names, area_of};

/// What the board asks.
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct BoardQuery {
    /// The year (default: this year).
    pub year: Option<i32>,
    /// A township or village inside the caller's area.
    pub area: Option<String>,
}

/// A township's or village's line of the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaLine {
    /// Region code (12 digits).
    pub code: String,
    /// Name.
    pub name: String,
    /// 发电收益 of the stations kept there (分).
    pub income: Fen,
    /// 分配到村 (分).
    pub distributed: Fen,
    /// 收益使用合计 (分).
    pub used: Fen,
    /// Months distributed.
    pub months: u32,
}

/// A distribution as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DistributionEntry {
    /// 行政村 code.
    pub village: String,
    /// 村名.
    pub village_name: String,
    /// 月份.
    pub month: YearMonth,
    /// 分配到村金额 (分).
    pub distributed: Fen,
    /// 收益使用.
    pub uses: Uses,
    /// 结余 (分).
    pub balance: Fen,
    /// 公益岗位 ids.
    pub posts: Vec<i64>,
    /// 决议.
    pub decision: String,
    /// 决议日期.
    pub decided_on: NaiveDate,
    /// 备注.
    pub note: String,
    /// 记录人.
    pub recorded_by: String,
    /// Version (send it back with a correction).
    pub version: i64,
}

fn distribution_entry(names: &Names, r: &DistributionRow) -> DistributionEntry {
    let d = &r.record;
    DistributionEntry {
        village: d.village.clone(),
        village_name: names.get(&d.village),
        month: d.month,
        distributed: d.distributed,
        uses: d.uses,
        balance: d.balance(),
        posts: d.posts.clone(),
        decision: d.decision.clone(),
        decided_on: d.decided_on,
        note: d.note.clone(),
        recorded_by: r.recorded_by.clone(),
        version: r.version,
    }
}

/// The board of a year (光伏收益分配看板).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    /// The year.
    pub year: i32,
    /// The county's targets.
    pub targets: PvTargets,
    /// By month, January to this month (a past year: December), with the cumulative rate.
    pub months: Vec<MonthProgress>,
    /// The year so far: income, distributed, rate and gap to the target.
    pub rate: Rate,
    /// 全年收益目标 (分).
    pub income_target: Fen,
    /// What the year's income still lacks to reach the target (分; 0 when reached).
    pub income_gap: Fen,
    /// By township (a county-level station under the county's code).
    pub townships: Vec<AreaLine>,
    /// By village (income: its 村级电站).
    pub villages: Vec<AreaLine>,
    /// The stations.
    pub stations: Vec<StationEntry>,
    /// The year's distributions, by month and village.
    pub distributions: Vec<DistributionEntry>,
}

fn township_of(code: &str) -> String {
    if code.ends_with("000000") {
        code.to_owned()
    } else {
        format!("{}000", code.get(..9).unwrap_or_default())
    }
}

/// The board of the caller's area (narrowed to `q.area`) for `q.year` (default this year) on `today`.
/// Refused: a role outside the registry (403), a year after this one or before 2000 (422).
pub async fn board(
    db: &Db,
    caller: &Caller,
    q: &BoardQuery,
    today: NaiveDate,
) -> Result<Board, Error> {
    if !may_read(caller.scope.role) {
        return Err(Error::forbidden());
    }
    let year = q.year.unwrap_or(today.year());
    if year > today.year() || year < 2000 {
        return Err(Error::invalid(
            format!("年份{year}无效（2000年至今年）"),
            "The year is out of range",
        ));
    }
    let last = if year == today.year() {
        today.month()
    } else {
        12
    };
    let area = area_of(q.area.as_deref())?;
    let county = caller.county()?;
    let targets = county_rules(db, &county).await?.pv;
    let names = Names::of_county(db, Some(&county)).await?;
    let income = repo::pv::income_by_place(db, &caller.scope, area, year, last).await?;
    let (Some(first), Some(end)) = (YearMonth::new(year, 1), YearMonth::new(year, last)) else {
        return Err(Error::invalid("年份无效", "Bad year"));
    };
    let rows = repo::pv::distributions(db, &caller.scope, area, first, end).await?;
    let by_month_income: Vec<(YearMonth, Fen)> = income.iter().map(|(_, m, a)| (*m, *a)).collect();
    let by_month_dist: Vec<(YearMonth, Fen)> = rows
        .iter()
        .map(|r| (r.record.month, r.record.distributed))
        .collect();
    let months = progress(
        year,
        last,
        &by_month_income,
        &by_month_dist,
        targets.village_rate_pct,
    );
    let total_income: Fen = income.iter().map(|(_, _, a)| *a).sum();
    let total_dist: Fen = rows.iter().map(|r| r.record.distributed).sum();
    let mut townships: BTreeMap<String, AreaLine> = BTreeMap::new();
    let mut villages: BTreeMap<String, AreaLine> = BTreeMap::new();
    let line = |code: &str| AreaLine {
        code: code.to_owned(),
        name: names.get(code),
        income: Fen(0),
        distributed: Fen(0),
        used: Fen(0),
        months: 0,
    };
    for (place, _, a) in &income {
        let t = township_of(place);
        townships
            .entry(t.clone())
            .or_insert_with(|| line(&t))
            .income += *a;
        if shouwang_core::pv::is_village(place) {
            villages
                .entry(place.clone())
                .or_insert_with(|| line(place))
                .income += *a;
        }
    }
    for r in &rows {
        let d = &r.record;
        let t = township_of(&d.village);
        for l in [
            townships.entry(t.clone()).or_insert_with(|| line(&t)),
            villages
                .entry(d.village.clone())
                .or_insert_with(|| line(&d.village)),
        ] {
            l.distributed += d.distributed;
            l.used += d.uses.total();
            l.months += 1;
        }
    }
    Ok(Board {
        year,
        targets,
        months,
        rate: Rate::of(total_income, total_dist, targets.village_rate_pct),
        income_target: targets.yearly_income(),
        income_gap: income_gap(total_income, &targets),
        townships: townships.into_values().collect(),
        villages: villages.into_values().collect(),
        stations: stations(
            db,
            caller,
            &StationFilter {
                area: q.area.clone(),
            },
        )
        .await?,
        distributions: rows.iter().map(|r| distribution_entry(&names, r)).collect(),
    })
}

/// The dashboard's 光伏收益分配到村率 of this year so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    /// The year.
    pub year: i32,
    /// Income, distributed, rate and gap.
    pub rate: Rate,
    /// The target (%).
    pub target_pct: u32,
    /// Whether anything is entered (no data: "无数据", never 0 %).
    pub has_data: bool,
}

/// The figure of the caller's area this year (one statement: `repo::pv::year_totals`; the rules are
/// cached).
pub async fn figure(db: &Db, caller: &Caller, today: NaiveDate) -> Result<Figure, Error> {
    let target_pct = county_rules(db, &caller.county()?)
        .await?
        .pv
        .village_rate_pct;
    let (income, distributed) =
        repo::pv::year_totals(db, &caller.scope, today.year(), today.month()).await?;
    Ok(Figure {
        year: today.year(),
        rate: Rate::of(income, distributed, target_pct),
        target_pct,
        has_data: income.0 > 0 || distributed.0 > 0,
    })
}

/// The villages of the caller's area (or `village`) a running station benefits, with the first month of
/// distribution due (the month after the earliest grid connection; none known: January of `from`'s year),
/// and the months distributed between `from` and `to`: what the calendar's 光伏收益分配 task reads (two
/// statements for the whole area).
pub(crate) async fn due_villages(
    db: &Db,
    caller: &Caller,
    village: Option<&str>,
    from: YearMonth,
    to: YearMonth,
) -> Result<Vec<(String, YearMonth, Vec<(YearMonth, NaiveDate)>)>, Error> {
    let rows = repo::pv::stations(db, &caller.scope, village).await?;
    let mut start: BTreeMap<String, YearMonth> = BTreeMap::new();
    for r in &rows {
        let s = &r.station;
        if s.state != shouwang_core::pv::StationState::Running {
            continue;
        }
        let first = s
            .grid_on
            .map(|d| YearMonth::of(d).next())
            .or_else(|| YearMonth::new(from.year(), 1))
            .unwrap_or(from);
        for v in s.beneficiaries() {
            if !caller.scope.covers(&v) || village.is_some_and(|x| x != v) {
                continue;
            }
            let e = start.entry(v).or_insert(first);
            *e = (*e).min(first);
        }
    }
    if start.is_empty() {
        return Ok(Vec::new());
    }
    let done = repo::pv::distributions(db, &caller.scope, village, from, to).await?;
    Ok(start
        .into_iter()
        .map(|(v, first)| {
            let months = done
                .iter()
                .filter(|d| d.record.village == v)
                .map(|d| (d.record.month, d.record.decided_on))
                .collect();
            (v, first, months)
        })
        .collect())
}
