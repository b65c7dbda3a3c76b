//! `shouwang demo` and `serve --demo`: the synthetic demo county (演示县).

use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use shouwang_app::attachments::FileStore;
use shouwang_app::demo;
use shouwang_core::codes::CodeList;
use shouwang_store::Db;

/// Generates and loads a demo county set in `frame`, with a progress bar on a terminal, and the demo
/// village's problems (问题整改台账) with their photo written to `files`, the server's attachment store.
pub async fn load(
    db: &Db,
    files: &FileStore,
    households: u32,
    seed: u64,
    frame: demo::DemoFrame,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let county = demo::generate_in(households, seed, frame);
    let generated = started.elapsed();
    let bar = progress_bar();
    let summary = demo::load(db, &county, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .context("loading the demo county failed")?;
    let problems = demo::problems(db, files, county.frame.as_of)
        .await
        .context("loading the demo problems failed")?;
    bar.finish_and_clear();
    println!(
        "演示县已生成 / demo county loaded: {summary}, {problems} 个问题 (problems) (generate {:.1} s, total {:.1} s)",
        generated.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Loads the demo county only when the database holds no household yet.
pub async fn ensure_demo(
    db: &Db,
    files: &FileStore,
    households: u32,
    seed: u64,
    frame: demo::DemoFrame,
) -> anyhow::Result<()> {
    if demo::is_loaded(db).await? {
        println!("数据库已有数据，跳过演示数据 / database already has data, demo load skipped");
        return Ok(());
    }
    load(db, files, households, seed, frame).await
}

/// Prints the demo accounts, one per role.
pub fn print_accounts() {
    println!("演示账号 / demo accounts (用户名 / 密码 / 角色 / 范围):");
    for u in demo::DEMO_USERS {
        println!(
            "  {:<15} {:<18} {} ({}) {}",
            u.username,
            u.password,
            u.role.label_zh(),
            u.role.code(),
            u.area
        );
    }
}

fn progress_bar() -> ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} 写入 {wide_bar} {pos}/{len} 行 ({per_sec}, 剩余 {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}
