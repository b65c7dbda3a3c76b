//! 监测帮扶档案: the case of one household, which ties the modules of
//! [`crate::monitoring`] together from the first clue to the exit notice.
//!
//! | file | holds |
//! | --- | --- |
//! | `record.rs` | the record [`Case`], its [`Lifecycle`] and what is read off it |
//! | `action.rs` | [`CaseAction`] and [`Case::apply`]: which action fits which lifecycle state |
//! | `handbook.rs` | 帮扶手册: [`Case::handbook`] as dated [`HandbookEntry`] lines |
//! | `tests.rs` | whole journeys and the case's own rules |

mod action;
mod handbook;
mod record;
#[cfg(test)]
mod tests;

pub use action::CaseAction;
pub use handbook::{HandbookEntry, Section};
pub use record::{Case, Lifecycle};
