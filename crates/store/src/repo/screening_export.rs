//! 筛查用登记信息: the registry of an area as the department-screening engine needs it (A1 channel 3,
//! database mode): per household 户编号, 村代码, 家庭人口, 户类型 and its latest 家庭纯收入 before the
//! screening year; per member 身份证号, 户编号, 姓名, 与户主关系. Rows are read in pages of [`PAGE`] and
//! handed to the caller one by one (the use case writes them as the engine's CSV files); nothing is
//! held for the whole area but the income map.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, QueryResult};
use shouwang_core::codes::{HouseholdType, Relation};
use shouwang_core::{CodeList, Fen, IncomeRecord};

use crate::crypto::sealed::{MEMBER_ID, MEMBER_NAME};
use crate::db::Db;
use crate::error::Result;
use crate::repo::Sql;
use crate::repo::area::Area;

/// Rows a page of the export reads.
pub const PAGE: i64 = 20_000;

/// One household of the export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScreeningHousehold {
    /// 户编号.
    pub number: String,
    /// 村代码.
    pub village: String,
    /// 家庭人口.
    pub size: i32,
    /// 户类型 (Chinese label; the stored code when unknown).
    pub household_type: String,
    /// The latest income record before the screening year: (year, 家庭纯收入); `None` without one.
    pub income: Option<(i32, Fen)>,
}

/// One member of the export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScreeningMember {
    /// 身份证号.
    pub id_number: String,
    /// 户编号.
    pub household: String,
    /// 姓名.
    pub name: String,
    /// 与户主关系 (Chinese label; the stored code when unknown).
    pub relation: String,
}

fn income_of(r: &QueryResult) -> Result<(i32, Fen)> {
    let fen = |c: &str| -> Result<Fen> { Ok(Fen(r.try_get::<i64>("", c)?)) };
    let rec = IncomeRecord {
        year: r.try_get("", "year")?,
        wage: fen("wage")?,
        business: fen("business")?,
        property: fen("property")?,
        transfer: fen("transfer")?,
        production_cost: fen("production_cost")?,
        ..IncomeRecord::default()
    };
    Ok((rec.year, rec.net_income()))
}

/// Hands every household of `area` (a county, township or village prefix), in 户编号 order, to `each`,
/// with its latest income record before `year`. An empty or malformed area hands none.
pub async fn households(
    db: &Db,
    area: &str,
    year: i32,
    each: &mut (dyn FnMut(ScreeningHousehold) -> Result<()> + Send),
) -> Result<()> {
    let Some(area) = Area::parse(area) else {
        return Ok(());
    };
    let conn = db.conn();
    let backend = db.backend();
    let mut incomes: HashMap<i64, (i32, Fen)> = HashMap::new();
    let mut sql = Sql::new();
    sql.push(
        "SELECT r.household_id, r.year, r.wage, r.business, r.property, r.transfer, \
         r.production_cost FROM income_records r WHERE r.year < ",
    )
    .bind(year);
    sql.push_area("r", &area);
    for r in conn.query_all_raw(sql.build(backend)).await? {
        let hid: i64 = r.try_get("", "household_id")?;
        let (y, net) = income_of(&r)?;
        let e = incomes.entry(hid).or_insert((y, net));
        if y > e.0 {
            *e = (y, net);
        }
    }
    let mut after = String::new();
    loop {
        let mut sql = Sql::new();
        sql.push(
            "SELECT h.id, h.number, h.village_code, h.size, h.household_type FROM households h \
             WHERE h.number > ",
        )
        .bind(after.clone());
        sql.push_area("h", &area);
        sql.push(" ORDER BY h.number LIMIT ").bind(PAGE);
        let rows = conn.query_all_raw(sql.build(backend)).await?;
        let n = rows.len();
        for r in &rows {
            let id: i64 = r.try_get("", "id")?;
            let number: String = r.try_get("", "number")?;
            let htype: String = r.try_get("", "household_type")?;
            let household_type =
                HouseholdType::from_code(&htype).map_or(htype.clone(), |t| t.label_zh().to_owned());
            after = number.clone();
            each(ScreeningHousehold {
                number,
                village: r.try_get("", "village_code")?,
                size: r.try_get("", "size")?,
                household_type,
                income: incomes.get(&id).copied(),
            })?;
        }
        if n < PAGE as usize {
            return Ok(());
        }
    }
}

/// Hands every member of `area` to `each` (none for an empty or malformed area).
pub async fn members(
    db: &Db,
    area: &str,
    each: &mut (dyn FnMut(ScreeningMember) -> Result<()> + Send),
) -> Result<()> {
    let Some(area) = Area::parse(area) else {
        return Ok(());
    };
    let conn = db.conn();
    let backend = db.backend();
    let mut after = i64::MIN;
    loop {
        let mut sql = Sql::new();
        sql.push(
            "SELECT m.id, m.id_number, m.key_version, h.number, m.name, m.names_plain, m.relation \
             FROM members m \
             JOIN households h ON h.county_code = m.county_code AND h.id = m.household_id \
             WHERE m.id > ",
        )
        .bind(after);
        sql.push_area("m", &area);
        sql.push(" ORDER BY m.id LIMIT ").bind(PAGE);
        let rows = conn.query_all_raw(sql.build(backend)).await?;
        let n = rows.len();
        for r in &rows {
            after = r.try_get("", "id")?;
            let rel: String = r.try_get("", "relation")?;
            let relation =
                Relation::from_code(&rel).map_or(rel.clone(), |x| x.label_zh().to_owned());
            each(ScreeningMember {
                id_number: db.keys().open(
                    &r.try_get::<String>("", "id_number")?,
                    MEMBER_ID,
                    r.try_get("", "key_version")?,
                )?,
                household: r.try_get("", "number")?,
                name: db.keys().open_name(
                    &r.try_get::<String>("", "name")?,
                    MEMBER_NAME,
                    r.try_get("", "names_plain")?,
                )?,
                relation,
            })?;
        }
        if n < PAGE as usize {
            return Ok(());
        }
    }
}
