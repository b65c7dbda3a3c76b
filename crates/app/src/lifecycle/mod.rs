//! 监测帮扶操作层: the one place where a client's [`Command`] meets the server's rules and facts.
//!
//! The JSON API, the CLI and the web pages all call [`execute`] with a [`Request`] (household, the
//! case version the client saw, the 办理日期, the command); none of them builds a
//! [`shouwang_core::monitoring::CaseAction`] by hand. `execute`:
//!
//! 1. checks the date (default today in China; never in the future);
//! 2. checks that every attachment the command cites was uploaded in the caller's county;
//! 3. gathers what the command needs ([`Command::needs`]): the county's rules ([`county_rules`]), the
//!    household and its latest income and the line of the year (pre-judgment), the cadre's account;
//! 4. resolves the command into the core action ([`Command::resolve`]) and runs it through
//!    [`repo::cases`] in one transaction (version check, core rule, JSON, audit row).
//!
//! A report on a household without a case (or whose case is closed) opens one; on one with an open
//! case it is merged into a clue or added as a new clue ([`Filed`]). A report may omit the version (reports only add); every other command must carry it.
//!
//! Besides, the read models the three clients share: [`recommendations`] (the decision table),
//! [`queues`] (clues, approvals and overdue work at the caller's level), [`calendar`] (the cadence
//! tasks of each village with their state), [`exit_candidates`] (定期预判), [`notice`] (the
//! 告知书 text).

mod calendar;
mod command;
mod queues;
mod reads;
mod report;

use shouwang_core::rules::CountyRules;
use shouwang_store::repo;
use shouwang_store::{Db, Result};

pub use calendar::{TaskView, calendar, overdue_upkeep};
pub(crate) use command::check_uploaded;
pub use command::{Done, Request, execute};
pub use queues::{Queues, Waiting, queues};
pub use reads::{NoticeView, Recommendations, exit_candidates, list, notice, recommendations};
pub use report::{Filed, Filing, file_report_on};

/// The county's rules in force (merge window, identification and exit rules, notice numbering,
/// cadence, working calendar): the county admin's saved rules, else the defaults
/// ([`repo::rules::get`]).
pub async fn county_rules(db: &Db, county: &str) -> Result<CountyRules> {
    Ok(repo::rules::get(db, county).await?.rules)
}
