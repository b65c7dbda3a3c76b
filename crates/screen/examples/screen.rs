//! Stand-alone `screen` for development and benchmarks of this crate alone
//! (`cargo run --release -p shouwang-screen --example screen -- --input DIR --out FILE`);
//! the product command is `shouwang screen` with the same arguments.

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: shouwang_screen::cli::ScreenArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match shouwang_screen::cli::run(&cli.args) {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("错误 error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
