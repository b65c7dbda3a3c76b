//! `shouwang user …`: account management from the command line (用户管理).

use anyhow::Context;
use clap::Subcommand;
use shouwang_core::access::Role;
use shouwang_core::codes::CodeList;
use shouwang_store::{Actor, repo};

use crate::config::DbArgs;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user with a role scoped to an area (新增用户).
    Add {
        /// Role code: county_admin, township_admin, village_team, cadre, department, auditor.
        #[arg(long)]
        role: String,
        /// Region code of the area: 2 digits (province), 6 (county), 9 (township) or 12 (village).
        #[arg(long)]
        area: String,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Name shown in the UI (defaults to the login name).
        #[arg(long)]
        name: Option<String>,
        /// Password; if absent, read from the SHOUWANG_PASSWORD environment variable.
        #[arg(long, env = "SHOUWANG_PASSWORD", hide_env_values = true)]
        password: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            role,
            area,
            username,
            name,
            password,
            db,
        } => {
            let role = Role::from_code(&role).with_context(|| {
                let known: Vec<&str> = Role::all().iter().map(|r| r.code()).collect();
                format!("unknown role {role:?}; one of: {}", known.join(", "))
            })?;
            let db = db.open().await?;
            let display = name.unwrap_or_else(|| username.clone());
            let id = repo::users::add(
                &db,
                &Actor::system(),
                &username,
                &display,
                &password,
                role,
                &area,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{} ({e})", e.message_zh()))?;
            println!(
                "已新增用户 / user added: {username} (id {id}), {} {}",
                role.label_zh(),
                area
            );
            Ok(())
        }
    }
}
