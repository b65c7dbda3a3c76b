//! 台账导出: the lifecycle ledgers 全过程台账 of a user's area as XLSX (监测对象台账, 帮扶措施台账,
//! 月度监测（帮扶手册）台账, 风险消除台账, 线索台账) — one code path for `shouwang export ledger`, the page
//! `/ledgers` and `GET /api/v1/ledgers/{kind}`. The store scopes the rows to the user's area, shows full
//! ID numbers only to roles that may see them and writes the export to the audit log.

use serde::Deserialize;
use shouwang_core::CodeList;
use shouwang_core::ledger::{DateRange, LedgerKind, LedgerOptions};
use shouwang_io::ledger_xlsx;
use shouwang_store::Db;
use shouwang_store::repo;

use crate::caller::Caller;
use crate::error::{Error, Kind};

/// What to export, as a client sends it (a form, a query string, command-line flags).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct LedgerRequest {
    /// The ledger: its code (`monitored`, `measures`, `followups`, `eliminated`, `clues`) or its
    /// Chinese name.
    pub kind: Option<String>,
    /// A township or village inside the user's area (default: the whole area).
    pub area: Option<String>,
    /// First day (YYYY-MM-DD) of the ledger's own date.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD), inclusive.
    pub to: Option<String>,
    /// One row per member (监测对象台账): `1`, `true`, `on`.
    pub per_member: Option<String>,
}

/// An exported ledger.
pub struct LedgerFile {
    /// Which ledger.
    pub kind: LedgerKind,
    /// The workbook.
    pub bytes: Vec<u8>,
    /// Data rows.
    pub rows: usize,
    /// Whether ID numbers are in full.
    pub full_ids: bool,
    /// An ASCII file name (`clues-141123.xlsx`).
    pub ascii_name: String,
    /// The Chinese file name (`线索台账-141123-2022-01-01至2022-12-31.xlsx`).
    pub name: String,
}

fn day(what_zh: &str, what_en: &str, s: Option<&str>) -> Result<Option<chrono::NaiveDate>, Error> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            let shown: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
            Error::new(
                Kind::BadRequest,
                "bad_request",
                format!("{what_zh}日期格式应为 YYYY-MM-DD（如 2022-01-31）：{shown}"),
                format!("{what_en} date must be YYYY-MM-DD"),
            )
        }),
    }
}

/// The download file name: `监测对象台账-141123208-2022-01-01至2022-12-31.xlsx`.
pub fn file_name(kind: LedgerKind, area: &str, range: &DateRange) -> String {
    let mut name = kind.label_zh().to_owned();
    if !area.is_empty() {
        name.push('-');
        name.push_str(area);
    }
    if range.from.is_some() || range.to.is_some() {
        let d = |x: Option<chrono::NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
        name.push_str(&format!("-{}至{}", d(range.from), d(range.to)));
    }
    name.push_str(".xlsx");
    name
}

/// Exports the ledger `req` as `caller` (see the module doc). Refusals: an unknown ledger or a bad
/// date ([`Kind::BadRequest`]), a reversed range or an area that is no region ([`Kind::Invalid`]), an
/// area outside the caller's ([`Kind::NotFound`]).
pub async fn export(db: &Db, caller: &Caller, req: &LedgerRequest) -> Result<LedgerFile, Error> {
    let kind_s = req.kind.as_deref().unwrap_or_default();
    let kind = LedgerKind::parse(kind_s).ok_or_else(|| {
        let shown: String = kind_s.chars().filter(|c| !c.is_control()).take(40).collect();
        Error::new(
            Kind::BadRequest,
            "bad_request",
            format!(
                "未知的台账种类：{shown}（monitored、measures、followups、eliminated、clues、low_income、projects、project_funds、assets、asset_upkeep、workshops、welfare_posts、grids、campaign、pv_distribution，或 监测对象台账、帮扶措施台账、月度监测（帮扶手册）台账、风险消除台账、线索台账、低收入人口台账、项目库台账、资金拨付进度台账、扶贫项目资产台账、资产管护台账、帮扶车间台账、公益岗位台账、网格台账、三保障和饮水安全排查台账、光伏收益分配台账）"
            ),
            "unknown ledger (monitored, measures, followups, eliminated, clues, low_income, projects, project_funds, assets, asset_upkeep, workshops, welfare_posts, grids, campaign, pv_distribution)",
        )
    })?;
    let range = DateRange {
        from: day("起始", "start", req.from.as_deref())?,
        to: day("截止", "end", req.to.as_deref())?,
    };
    let opts = LedgerOptions {
        per_member: req
            .per_member
            .as_deref()
            .is_some_and(|v| !v.is_empty() && v != "0" && v != "false"),
        full_ids: true,
        range,
    };
    let area: Option<String> = req
        .area
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| a.chars().filter(|c| !c.is_control()).take(20).collect());
    let ledger = repo::ledgers::export(
        db,
        &caller.actor(),
        &caller.scope,
        area.as_deref(),
        kind,
        &opts,
    )
    .await?;
    let bytes = ledger_xlsx::write(kind, ledger.columns, &ledger.rows)
        .map_err(|e| Error::internal(e.message_zh()))?;
    Ok(LedgerFile {
        kind,
        rows: ledger.rows.len(),
        full_ids: ledger.full_ids,
        ascii_name: format!("{}-{}.xlsx", kind.file_stem_en(), ledger.area),
        name: file_name(kind, &ledger.area, &range),
        bytes,
    })
}
