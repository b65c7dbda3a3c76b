//! Fixtures shared by the storage and application tests: a small county with two townships and three
//! villages, and households built from them.

// Test fixtures: a broken fixture fails the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::entity::audit_log;
use crate::repo::regions;
use crate::{Actor, Db};
use chrono::NaiveDate;
use sea_orm::{EntityTrait, PaginatorTrait};
use shouwang_core::codes::{
    Dibao, Education, HealthStatus, HouseholdType, LabourSkill, PoliticalStatus, RegionLevel,
    Relation, Sex, Tekun,
};
use shouwang_core::{Household, IdNumber, Member, Region, RegionCode, Role, Scope};

pub const COUNTY: &str = "141123";
pub const TOWN_A: &str = "141123100";
pub const TOWN_B: &str = "141123101";
pub const VILLAGE_A1: &str = "141123100201";
pub const VILLAGE_A2: &str = "141123100202";
pub const VILLAGE_B1: &str = "141123101201";

pub fn rc(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

pub fn actor() -> Actor {
    Actor::new(7, "测试员")
}

pub fn county_scope() -> Scope {
    Scope::new(1, Role::CountyAdmin, COUNTY)
}

pub fn scope(role: Role, area: &str) -> Scope {
    Scope::new(2, role, area)
}

pub async fn seed_regions(db: &Db) {
    let r = |code: &str, name: &str, level: RegionLevel, parent: Option<&str>| Region {
        code: rc(code),
        name: name.to_owned(),
        level,
        parent: parent.map(rc),
    };
    let list = vec![
        r(COUNTY, "兴县", RegionLevel::County, None),
        r(TOWN_A, "蔚汾镇", RegionLevel::Township, Some(COUNTY)),
        r(TOWN_B, "魏家滩镇", RegionLevel::Township, Some(COUNTY)),
        r(VILLAGE_A1, "李家沟村", RegionLevel::Village, Some(TOWN_A)),
        r(VILLAGE_A2, "高家塔村", RegionLevel::Village, Some(TOWN_A)),
        r(VILLAGE_B1, "王家坪村", RegionLevel::Village, Some(TOWN_B)),
        r(
            "141123100201-01",
            "前沟",
            RegionLevel::NaturalVillage,
            Some(VILLAGE_A1),
        ),
    ];
    regions::upsert_many(db, &Actor::system(), &list)
        .await
        .unwrap();
}

pub fn id(seq: u16, year: i32) -> IdNumber {
    shouwang_core::idnum::make(141123, NaiveDate::from_ymd_opt(year, 3, 15).unwrap(), seq)
}

pub fn member(id_number: IdNumber, name: &str, relation: Relation) -> Member {
    Member {
        id_number,
        name: name.to_owned(),
        sex: id_number.sex(),
        relation,
        labour: LabourSkill::Ordinary,
        health: vec![HealthStatus::Healthy],
        education: Some(Education::JuniorSecondary),
        school: None,
        political: PoliticalStatus::Masses,
        has_medical_insurance: true,
        dibao: Dibao::None,
        tekun: Tekun::None,
        disability_grade: None,
    }
}

/// A household `number` in `village` whose head is `head` (ID seq `seq`), with a spouse.
pub fn household(number: &str, village: &str, head: &str, seq: u16) -> Household {
    let mut spouse = member(id(seq + 500, 1972), &format!("{head}妻"), Relation::Spouse);
    spouse.sex = Sex::Female;
    Household {
        number: number.to_owned(),
        village: rc(village),
        natural_village: None,
        household_type: HouseholdType::Alleviated,
        address: format!("{village} 1号"),
        phone: None,
        is_relocated: false,
        monitored_type: None,
        risks: vec![],
        members: vec![member(id(seq, 1970), head, Relation::Head), spouse],
    }
}

pub async fn audit_count(db: &Db) -> u64 {
    audit_log::Entity::find().count(db.conn()).await.unwrap()
}
