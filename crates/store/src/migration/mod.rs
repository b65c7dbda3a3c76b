//! The one migration set (数据库迁移), for SQLite and PostgreSQL alike. Applied by [`crate::Db::migrate`].

use sea_orm_migration::prelude::*;

mod columns;
mod m20250601_000001_init;
mod m20250601_000002_member_initials;
mod m20250610_000003_cases;
mod m20250615_000004_county_rules;
mod m20250620_000005_case_sequence;
mod m20250701_000006_households_risks_index;
mod m20251129_000008_screening_rounds;
mod m20251129_000009_code_overrides;
mod m20251210_000010_former_members;
mod m20261207_000011_income_source;
mod m20261207_000013_must_change_password;
mod m20261208_000012_income_other_sources;
mod m20261208_000020_sealed_names;
mod m20261209_000014_register_records;
mod m20261209_000015_data_keys;
mod m20261209_000018_county_lines;
mod m20261210_000019_sealed_columns;
mod m20261210_000021_campaigns;
mod m20261210_000022_projects;
mod m20261210_000023_read_models;
mod m20261212_000026_assets;
mod m20261213_000027_village_indicators;
mod m20261214_000030_workshops;
mod m20261214_000031_welfare_posts;
mod m20261214_000033_campaign_plans;
mod m20261214_000036_grids;
mod m20261215_000037_pv;

/// All migrations, oldest first. Never edit an applied migration: add a new one.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20250601_000001_init::Migration),
            Box::new(m20250601_000002_member_initials::Migration),
            Box::new(m20250610_000003_cases::Migration),
            Box::new(m20250615_000004_county_rules::Migration),
            Box::new(m20250620_000005_case_sequence::Migration),
            Box::new(m20250701_000006_households_risks_index::Migration),
            Box::new(m20251129_000008_screening_rounds::Migration),
            Box::new(m20251129_000009_code_overrides::Migration),
            Box::new(m20251210_000010_former_members::Migration),
            Box::new(m20261207_000011_income_source::Migration),
            Box::new(m20261208_000012_income_other_sources::Migration),
            Box::new(m20261207_000013_must_change_password::Migration),
            Box::new(m20261209_000014_register_records::Migration),
            Box::new(m20261209_000015_data_keys::Migration),
            Box::new(m20261209_000018_county_lines::Migration),
            Box::new(m20261210_000021_campaigns::Migration),
            Box::new(m20261210_000022_projects::Migration),
            Box::new(m20261210_000019_sealed_columns::Migration),
            Box::new(m20261210_000023_read_models::Migration),
            Box::new(m20261212_000026_assets::Migration),
            Box::new(m20261213_000027_village_indicators::Migration),
            Box::new(m20261208_000020_sealed_names::Migration),
            Box::new(m20261214_000030_workshops::Migration),
            Box::new(m20261214_000031_welfare_posts::Migration),
            Box::new(m20261214_000036_grids::Migration),
            Box::new(m20261214_000033_campaign_plans::Migration),
            Box::new(m20261215_000037_pv::Migration),
        ]
    }
}
