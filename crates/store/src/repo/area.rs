//! The area of a read (管辖范围): the one place that says what an area means, and the SQL conditions every
//! query derives from it.
//!
//! An area is a region-code prefix: a 6-digit county (县), a 9-digit township (乡镇), a 12-digit village
//! (行政村), a natural village `<village>-NN` (自然村), or a shorter province or prefecture prefix. A row lies
//! in the area when its county code equals the area's county (the shard key and the leading column of the
//! tenant indexes, so it always comes first) and its village code lies in the area's prefix range (a range
//! predicate an index serves, unlike `LIKE` on SQLite); an area wider than a county is a prefix range on the
//! county code. [`Area::parse`] reads the text once ([`effective_area`] for a user's read), and every
//! rendering derives from [`Area`]:
//!
//! - [`Sql::push_area`] and [`area_condition`] (sea-query): a table kept per administrative village, with
//!   `county_code` and `village_code` (cases, exit notices, rounds, audit rows); a natural village matches
//!   none of its rows;
//! - [`Sql::push_area_by_village`]: rows of a household's people or incomes (members, 姓氏 initials, income
//!   records), where a natural village stands for its village and the household's own `natural_village`
//!   decides;
//! - [`Sql::push_household_area`]: households `h`, which have `township_code` and `natural_village` too, so
//!   that a township, village or natural village is an equality on its own column.
//!
//! A grid member's area (网格员, §四(六)) is one grid of a village ([`Area::Grid`], from
//! [`Scope::grid`]): households by their village and their row in `grid_households`, the rows of a
//! household's people, incomes and cases by their `household_id` likewise; any other table kept per
//! village matches nothing (fail closed: a read that does not know grids answers nothing to a grid member).

use std::fmt;

use sea_orm::sea_query::{Condition, Expr, ExprTrait, IntoColumnRef};
use shouwang_core::codes::RegionLevel;
use shouwang_core::{RegionCode, Scope};

use super::{Sql, prefix_condition, prefix_upper};
use crate::error::{Result, StoreError};

/// A parsed area. Reading nothing is no area: [`Area::parse`] and [`effective_area`] answer `None`, and
/// the caller answers an empty result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Area {
    /// Counties whose code starts with a shorter prefix: a province (`14`) or a prefecture (`1411`).
    Counties(String),
    /// One county (6 digits).
    County(String),
    /// One township (9 digits).
    Township(String),
    /// One administrative village or settlement (12 digits).
    Village(String),
    /// One natural village: the 12 digits of its village, `-` and its number (`141123100201-01`).
    NaturalVillage(String),
    /// Any other prefix inside a county (7, 8, 10 or 11 digits, or a longer text that is no natural
    /// village): the villages whose code starts with it.
    VillagePrefix(String),
    /// One grid (网格) of a village: the village's 12 digits and the grid's number in it (网格编号).
    Grid(String, i64),
}

impl Area {
    /// Reads an area (surrounding whitespace ignored). `None`, which reads nothing, for an empty text or
    /// one that is no code prefix: anything but digits and `-`, or a county part that is not 6 digits.
    pub(crate) fn parse(text: &str) -> Option<Area> {
        let t = text.trim();
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !t.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return None;
        }
        let area = t.to_owned();
        Some(match t.len() {
            0 => return None,
            1..=5 if digits(t) => Area::Counties(area),
            1..=5 => return None,
            _ if !t.get(..6).is_some_and(digits) => return None,
            6 => Area::County(area),
            9 if digits(t) => Area::Township(area),
            12 if digits(t) => Area::Village(area),
            n if n > 12
                && t.get(..12).is_some_and(digits)
                && t.as_bytes().get(12) == Some(&b'-') =>
            {
                Area::NaturalVillage(area)
            }
            _ => Area::VillagePrefix(area),
        })
    }

    /// The area of a region code: its county, township, village or natural village.
    pub(crate) fn of_region(code: &RegionCode) -> Area {
        let prefix = code.scope_prefix().to_owned();
        match code.code_level() {
            RegionLevel::County => Area::County(prefix),
            RegionLevel::Township => Area::Township(prefix),
            RegionLevel::NaturalVillage => Area::NaturalVillage(prefix),
            RegionLevel::Village | RegionLevel::Settlement => Area::Village(prefix),
        }
    }

    /// The area as a code prefix (`141123`, `141123100`, `141123100201-01`, …).
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Area::Counties(s)
            | Area::County(s)
            | Area::Township(s)
            | Area::Village(s)
            | Area::NaturalVillage(s)
            | Area::VillagePrefix(s)
            | Area::Grid(s, _) => s,
        }
    }

    /// The county the area lies in; `None` for an area wider than a county.
    pub(crate) fn county(&self) -> Option<&str> {
        match self {
            Area::Counties(_) => None,
            other => other.as_str().get(..6),
        }
    }

    /// Whether the area is narrower than a county (a township, village, natural village or other prefix
    /// inside one county).
    pub(crate) fn is_inside_county(&self) -> bool {
        !matches!(self, Area::Counties(_) | Area::County(_))
    }

    /// Whether the area is a natural village.
    pub(crate) fn is_natural_village(&self) -> bool {
        matches!(self, Area::NaturalVillage(_))
    }

    /// The conditions that restrict a table of kind `table` to the area, county first.
    fn conditions(&self, table: Table) -> Vec<(Column, Test<'_>)> {
        use Column::{County, HouseholdId, Id, NaturalVillage, Township, Village};
        let Some(county) = self.county() else {
            return vec![(County, Test::Prefix(self.as_str()))];
        };
        let mut out = vec![(County, Test::Equals(county))];
        match (self, table) {
            (Area::Grid(v, n), Table::Households) => {
                out.push((Village, Test::Equals(v)));
                out.push((Id, Test::InGrid(v, *n)));
            }
            (Area::Grid(v, n), Table::ByVillage) => {
                out.push((Village, Test::Equals(v)));
                out.push((HouseholdId, Test::InGrid(v, *n)));
            }
            (Area::Grid(v, n), Table::Cases) => {
                out.push((Village, Test::Equals(v)));
                out.push((HouseholdId, Test::InGrid(v, *n)));
            }
            (Area::Grid(..), Table::PerVillage) => out.push((Village, Test::Never)),
            (Area::Counties(_) | Area::County(_), _) => {}
            (Area::Township(t), Table::Households) => out.push((Township, Test::Equals(t))),
            (Area::Village(v), Table::Households) => out.push((Village, Test::Equals(v))),
            (Area::NaturalVillage(n), Table::Households) => {
                out.push((Village, Test::Equals(village_of(n))));
                out.push((NaturalVillage, Test::Equals(n)));
            }
            (Area::NaturalVillage(n), Table::ByVillage) => {
                out.push((Village, Test::Prefix(village_of(n))));
            }
            (other, _) => out.push((Village, Test::Prefix(other.as_str()))),
        }
        out
    }
}

/// The 12-digit village of a natural-village code.
fn village_of(natural: &str) -> &str {
    natural.get(..12).unwrap_or(natural)
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a table offers the area filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Table {
    /// `county_code` and `village_code` of rows kept per administrative village: a natural village
    /// matches none of them.
    PerVillage,
    /// `county_code` and `village_code` of a household's people or incomes: a natural village stands for
    /// its village.
    ByVillage,
    /// Households: `county_code`, `township_code`, `village_code`, `natural_village`, each compared by
    /// equality where the area is that level.
    Households,
    /// A household's monitoring cases (`cases`): kept per administrative village like
    /// [`Table::PerVillage`], and by `household_id` for a grid member, who follows up its grid's
    /// households (网格员, §四(六)).
    Cases,
}

/// A column of the area filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    County,
    Township,
    Village,
    NaturalVillage,
    /// A household's own id (`households.id`).
    Id,
    /// The household of a row of its people, incomes or cases.
    HouseholdId,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::County => "county_code",
            Column::Township => "township_code",
            Column::Village => "village_code",
            Column::NaturalVillage => "natural_village",
            Column::Id => "id",
            Column::HouseholdId => "household_id",
        }
    }
}

/// How one column is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Test<'a> {
    /// `col = value`.
    Equals(&'a str),
    /// `col >= prefix AND col < prefix || U+10FFFF` ([`prefix_upper`]).
    Prefix(&'a str),
    /// The household `col` lies in grid number `n` of village `v` (`grid_households`).
    InGrid(&'a str, i64),
    /// No row (a table a grid member's area cannot be told on).
    Never,
}

/// The area of a read by `scope` (narrowed to `region`) when it lies inside one county: the tables
/// kept per county read within it, `None` reads nothing.
pub(crate) fn county_area(scope: &Scope, region: Option<&str>) -> Option<Area> {
    effective_area(scope, region).filter(|a| a.county().is_some())
}

/// The area a read by `scope` covers, narrowed by an optional region filter (a county, township, village
/// or natural-village code, padded or not). `None` when the read answers nothing: the scope's area is
/// empty or malformed, the filter is no region code, or the two do not overlap.
pub(crate) fn effective_area(scope: &Scope, region: Option<&str>) -> Option<Area> {
    if let Some((village, n)) = scope.grid() {
        // A grid member: its grid, narrowed by a filter only to itself (the county, township or village
        // of the grid); any other filter reads nothing.
        let grid = Area::Grid(village.to_owned(), i64::from(n));
        return match region.map(str::trim).filter(|r| !r.is_empty()) {
            None => Some(grid),
            Some(r) => {
                let filter = Area::of_region(&RegionCode::parse(r).ok()?);
                (!filter.is_natural_village() && village.starts_with(filter.as_str()))
                    .then_some(grid)
            }
        };
    }
    let area = Area::parse(scope.area_prefix())?;
    let Some(region) = region.map(str::trim).filter(|r| !r.is_empty()) else {
        return Some(area);
    };
    let filter = Area::of_region(&RegionCode::parse(region).ok()?);
    if filter.as_str().starts_with(area.as_str()) {
        Some(filter)
    } else if area.as_str().starts_with(filter.as_str()) {
        Some(area)
    } else {
        None
    }
}

/// The area a read covers for a user (`scope`) or for the system (`None`: the command line, which reads
/// every county), narrowed by a region filter `region`: `Ok(None)` when the read answers nothing (the
/// user's area and the filter do not overlap), `Ok(Some(None))` for everything (the system without a
/// filter), `Invalid` when the system's filter is no region code.
pub(crate) fn read_area(
    scope: Option<&Scope>,
    region: Option<&str>,
) -> Result<Option<Option<Area>>> {
    let region = region.map(str::trim).filter(|r| !r.is_empty());
    match (scope, region) {
        (Some(s), r) => Ok(effective_area(s, r).map(Some)),
        (None, Some(r)) => match RegionCode::parse(r) {
            Ok(code) => Ok(Some(Some(Area::of_region(&code)))),
            Err(e) => Err(StoreError::invalid(
                format!("地区代码“{r}”有误：{}", e.message_zh()),
                format!("Area {r:?}: {e}"),
            )),
        },
        (None, None) => Ok(Some(None)),
    }
}

/// The area as a sea-query condition on a table kept per village (its `county_code` and `village_code`
/// columns), as [`Sql::push_area`] writes it.
pub(crate) fn area_condition(
    area: &Area,
    county_col: impl IntoColumnRef + Clone,
    village_col: impl IntoColumnRef + Clone,
) -> Condition {
    let mut cond = Condition::all();
    for (column, test) in area.conditions(Table::PerVillage) {
        // A table kept per village has no other area column.
        let col = || match column {
            Column::County => county_col.clone().into_column_ref(),
            _ => village_col.clone().into_column_ref(),
        };
        cond = match test {
            Test::Equals(v) => cond.add(Expr::col(col()).eq(v)),
            Test::Prefix(p) => cond.add(prefix_condition(col(), p)),
            // Not on a table kept per village (only `Never` is).
            Test::InGrid(..) | Test::Never => cond.add(Expr::val(1).eq(0)),
        };
    }
    cond
}

impl Sql {
    /// Appends ` AND …` restricting the table `alias`, kept per administrative village (`county_code`,
    /// `village_code`), to `area`: the county by equality, then a township, village or other prefix as a
    /// range on the village code; a wider area is a range on the county code. A natural-village area
    /// matches no row of such a table.
    pub(crate) fn push_area(&mut self, alias: &str, area: &Area) -> &mut Sql {
        self.push_conditions(alias, area.conditions(Table::PerVillage))
    }

    /// Same for a household's monitoring cases `alias` (`cases`): as [`Sql::push_area`], and for a grid
    /// member the cases of its grid's households (by `household_id`).
    pub(crate) fn push_case_area(&mut self, alias: &str, area: &Area) -> &mut Sql {
        self.push_conditions(alias, area.conditions(Table::Cases))
    }

    /// Same for the rows of a household's people or incomes (members `m`, 姓氏 initials `k`, income records
    /// `i`), where a natural-village area is narrowed to its village: the caller checks the household's
    /// `natural_village` (inside the name index / the initials key, the village is what they hold).
    pub(crate) fn push_area_by_village(&mut self, alias: &str, area: &Area) -> &mut Sql {
        self.push_conditions(alias, area.conditions(Table::ByVillage))
    }

    /// Appends ` AND …` restricting households `h` to `area`, by equality where the area is a county,
    /// township, village or natural village, so that the composite indexes are used.
    pub(crate) fn push_household_area(&mut self, area: &Area) -> &mut Sql {
        self.push_conditions("h", area.conditions(Table::Households))
    }

    fn push_conditions(&mut self, alias: &str, conditions: Vec<(Column, Test<'_>)>) -> &mut Sql {
        for (column, test) in conditions {
            let column = column.name();
            match test {
                Test::Equals(v) => {
                    self.push(&format!(" AND {alias}.{column} = ")).bind(v);
                }
                Test::Prefix(p) => {
                    self.push(&format!(" AND {alias}.{column} >= "))
                        .bind(p)
                        .push(&format!(" AND {alias}.{column} < "))
                        .bind(prefix_upper(p));
                }
                Test::InGrid(village, n) => {
                    self.push(&format!(
                        " AND {alias}.{column} IN (SELECT gx.household_id FROM grid_households gx \
                         JOIN grids gg ON gg.county_code = gx.county_code AND gg.id = gx.grid_id \
                         WHERE gx.county_code = {alias}.county_code AND gg.village_code = "
                    ))
                    .bind(village)
                    .push(" AND gg.seq = ")
                    .bind(n)
                    .push(")");
                }
                Test::Never => {
                    self.push(" AND 1 = 0");
                }
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::DbBackend;
    use sea_orm::sea_query::{Alias, Asterisk, Query, SqliteQueryBuilder};
    use shouwang_core::Role;

    use super::*;

    fn area(text: &str) -> Area {
        Area::parse(text).unwrap_or_else(|| panic!("{text:?} is an area"))
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(Area::parse("14"), Some(Area::Counties("14".into())));
        assert_eq!(Area::parse("1411"), Some(Area::Counties("1411".into())));
        assert_eq!(Area::parse("141123"), Some(Area::County("141123".into())));
        assert_eq!(Area::parse(" 141123 "), Some(Area::County("141123".into())));
        assert_eq!(
            Area::parse("141123100"),
            Some(Area::Township("141123100".into()))
        );
        assert_eq!(
            Area::parse("141123100201"),
            Some(Area::Village("141123100201".into()))
        );
        assert_eq!(
            Area::parse("141123100201-01"),
            Some(Area::NaturalVillage("141123100201-01".into()))
        );
        for prefix in [
            "1411231",
            "14112310",
            "1411231002",
            "14112310020",
            "1411231002011",
        ] {
            assert_eq!(
                Area::parse(prefix),
                Some(Area::VillagePrefix(prefix.into()))
            );
        }
        // Nothing: empty, or no code prefix.
        for nothing in ["", "   ", "14112x", "abc", "14-", "1411-3100", "141123 100"] {
            assert_eq!(Area::parse(nothing), None, "{nothing:?}");
        }
    }

    #[test]
    fn county_and_level() {
        assert_eq!(area("1411").county(), None);
        assert_eq!(area("141123").county(), Some("141123"));
        assert_eq!(area("141123100201-01").county(), Some("141123"));
        assert!(!area("1411").is_inside_county());
        assert!(!area("141123").is_inside_county());
        assert!(area("141123100").is_inside_county());
        assert!(area("141123100201-01").is_natural_village());
        assert!(!area("141123100201").is_natural_village());
        assert_eq!(area("141123100").to_string(), "141123100");
    }

    #[test]
    fn areas_of_region_codes() {
        let of = |s: &str| RegionCode::parse(s).map(|c| Area::of_region(&c)).ok();
        assert_eq!(of("141123"), Some(area("141123")));
        assert_eq!(of("141123000000"), Some(area("141123")));
        assert_eq!(of("141123100000"), Some(area("141123100")));
        assert_eq!(of("141123100201"), Some(area("141123100201")));
        assert_eq!(of("141123100201-03"), Some(area("141123100201-03")));
    }

    #[test]
    fn areas_of_a_read() {
        let town = Scope::new(1, Role::TownshipAdmin, "141123100");
        let read =
            |s: Option<&Scope>, r| read_area(s, r).map(|a| a.map(|a| a.map(|a| a.to_string())));
        assert_eq!(
            read(Some(&town), None).ok(),
            Some(Some(Some("141123100".to_owned())))
        );
        assert_eq!(
            read(Some(&town), Some(" 141123100201 ")).ok(),
            Some(Some(Some("141123100201".to_owned())))
        );
        assert_eq!(read(Some(&town), Some("141123101")).ok(), Some(None));
        assert_eq!(read(None, None).ok(), Some(Some(None)));
        assert_eq!(read(None, Some("  ")).ok(), Some(Some(None)));
        assert_eq!(
            read(None, Some("141123100000")).ok(),
            Some(Some(Some("141123100".to_owned())))
        );
        assert!(matches!(
            read(None, Some("1411")),
            Err(StoreError::Invalid { .. })
        ));
    }

    #[test]
    fn effective_areas() {
        let s = Scope::new(1, Role::TownshipAdmin, "141123100");
        let effective = |s: &Scope, region| effective_area(s, region).map(|a| a.to_string());
        assert_eq!(effective(&s, None).as_deref(), Some("141123100"));
        assert_eq!(
            effective(&s, Some("141123100201")).as_deref(),
            Some("141123100201")
        );
        assert_eq!(effective(&s, Some("141123")).as_deref(), Some("141123100"));
        assert_eq!(effective(&s, Some("141123101201")), None);
        let empty = Scope::new(1, Role::Auditor, "");
        assert_eq!(effective(&empty, None), None);
        // Padded codes are their prefixes; a filter that is no region code reads nothing.
        let county = Scope::new(1, Role::CountyAdmin, "141123000000");
        assert_eq!(effective(&county, None).as_deref(), Some("141123"));
        assert_eq!(
            effective(&county, Some("141123100000")).as_deref(),
            Some("141123100")
        );
        assert_eq!(
            effective(&county, Some("141123100201-02")).as_deref(),
            Some("141123100201-02")
        );
        assert_eq!(effective(&county, Some("1411231")), None);
    }

    /// The SQL text (`?` placeholders) and the bound values of a rendering.
    fn rendered(f: impl Fn(&mut Sql)) -> (String, Vec<String>) {
        let mut sql = Sql::new();
        f(&mut sql);
        let stmt = sql.build(DbBackend::Sqlite);
        let values = stmt
            .values
            .map(|v| v.0.iter().map(|x| x.to_string()).collect())
            .unwrap_or_default();
        (stmt.sql, values)
    }

    fn upper(p: &str) -> String {
        sea_orm::Value::from(prefix_upper(p)).to_string()
    }

    #[test]
    fn per_village_tables() {
        let r = |a: &str| rendered(|s| _ = s.push_area("c", &area(a)));
        assert_eq!(
            r("1411"),
            (
                " AND c.county_code >= ? AND c.county_code < ?".to_owned(),
                vec!["'1411'".to_owned(), upper("1411")]
            )
        );
        assert_eq!(
            r("141123"),
            (
                " AND c.county_code = ?".to_owned(),
                vec!["'141123'".to_owned()]
            )
        );
        for a in ["141123100", "141123100201", "141123100201-01", "1411231002"] {
            assert_eq!(
                r(a),
                (
                    " AND c.county_code = ? AND c.village_code >= ? AND c.village_code < ?"
                        .to_owned(),
                    vec!["'141123'".to_owned(), format!("'{a}'"), upper(a)]
                ),
                "{a}"
            );
        }
    }

    #[test]
    fn rows_by_village() {
        let r = |a: &str| rendered(|s| _ = s.push_area_by_village("m", &area(a)));
        assert_eq!(r("1411").0, " AND m.county_code >= ? AND m.county_code < ?");
        assert_eq!(r("141123").0, " AND m.county_code = ?");
        let village = " AND m.county_code = ? AND m.village_code >= ? AND m.village_code < ?";
        assert_eq!(
            r("141123100"),
            (
                village.to_owned(),
                vec![
                    "'141123'".to_owned(),
                    "'141123100'".to_owned(),
                    upper("141123100")
                ]
            )
        );
        // A natural village stands for its village here.
        assert_eq!(
            r("141123100201-01"),
            (
                village.to_owned(),
                vec![
                    "'141123'".to_owned(),
                    "'141123100201'".to_owned(),
                    upper("141123100201")
                ]
            )
        );
    }

    #[test]
    fn households_by_equality() {
        let r = |a: &str| rendered(|s| _ = s.push_household_area(&area(a)));
        assert_eq!(r("1411").0, " AND h.county_code >= ? AND h.county_code < ?");
        assert_eq!(r("141123").0, " AND h.county_code = ?");
        assert_eq!(
            r("141123100"),
            (
                " AND h.county_code = ? AND h.township_code = ?".to_owned(),
                vec!["'141123'".to_owned(), "'141123100'".to_owned()]
            )
        );
        assert_eq!(
            r("141123100201"),
            (
                " AND h.county_code = ? AND h.village_code = ?".to_owned(),
                vec!["'141123'".to_owned(), "'141123100201'".to_owned()]
            )
        );
        assert_eq!(
            r("141123100201-01"),
            (
                " AND h.county_code = ? AND h.village_code = ? AND h.natural_village = ?"
                    .to_owned(),
                vec![
                    "'141123'".to_owned(),
                    "'141123100201'".to_owned(),
                    "'141123100201-01'".to_owned()
                ]
            )
        );
        assert_eq!(
            r("1411231002").0,
            " AND h.county_code = ? AND h.village_code >= ? AND h.village_code < ?"
        );
    }

    #[test]
    fn sea_query_condition() {
        let sql = |a: &str| {
            Query::select()
                .column(Asterisk)
                .from(Alias::new("t"))
                .cond_where(area_condition(
                    &area(a),
                    Alias::new("county_code"),
                    Alias::new("village_code"),
                ))
                .to_string(SqliteQueryBuilder)
        };
        assert_eq!(
            sql("1411"),
            format!(
                r#"SELECT * FROM "t" WHERE "county_code" >= '1411' AND "county_code" < '1411{}'"#,
                char::MAX
            )
        );
        assert_eq!(
            sql("141123"),
            r#"SELECT * FROM "t" WHERE "county_code" = '141123'"#
        );
        assert_eq!(
            sql("141123100"),
            format!(
                r#"SELECT * FROM "t" WHERE "county_code" = '141123' AND ("village_code" >= '141123100' AND "village_code" < '141123100{}')"#,
                char::MAX
            )
        );
    }
}
