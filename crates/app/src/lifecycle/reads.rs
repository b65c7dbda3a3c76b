//! Read models of a case the three clients share: the decision table's advice (定措施), the exit notice
//! 告知书, 定期预判 candidates, and the case list.

use chrono::NaiveDate;
use serde::Serialize;
use shouwang_core::Scope;
use shouwang_core::monitoring::exit::{ExitNotice, NoticeText};
use shouwang_core::monitoring::measures::{Recommendation, Situation, recommend};
use shouwang_store::repo::cases::{self, Candidate, CaseQuery, CaseRow};
use shouwang_store::repo::{self, Page};
use shouwang_store::{Db, Result, StoreError};

use super::county_rules;
use crate::caller::Caller;

/// The decision table's advice for a household (定措施).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recommendations {
    /// What the table looked at.
    pub situation: Situation,
    /// Recommended classes with the rules behind them.
    pub recommendations: Vec<Recommendation>,
}

/// The decision table (DOMAIN A2) for household `number`: its risks are those of the county
/// approval, else of the clues, else of the registry; its labour and school status come from the
/// registry. The two judgement flags are the team's to set.
pub async fn recommendations(
    db: &Db,
    scope: &Scope,
    number: &str,
    income_loss_or_expense_surge: bool,
    weak_inner_drive: bool,
) -> Result<Recommendations> {
    let detail = repo::households::get(db, scope, number)
        .await?
        .ok_or(StoreError::NotFound)?;
    let case = cases::get(db, scope, number).await?;
    let risks = case
        .as_ref()
        .and_then(|r| {
            r.case
                .identification
                .as_ref()
                .and_then(|i| i.outcome())
                .map(|o| o.risks.clone())
                .or_else(|| Some(r.case.clue_risks()))
        })
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| detail.household.risks.clone());
    let mut situation = Situation::of(&detail.household, &risks);
    situation.income_loss_or_expense_surge = income_loss_or_expense_surge;
    situation.weak_inner_drive = weak_inner_drive;
    let recommendations = recommend(&situation);
    Ok(Recommendations {
        situation,
        recommendations,
    })
}

/// The exit notice of a household's case with its printable text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NoticeView {
    /// The notice.
    pub notice: ExitNotice,
    /// Its text.
    pub text: NoticeText,
    /// The text as plain lines (for a preview or a plain printout).
    pub plain: String,
}

/// The latest exit notice of household `number` (`NotFound` if none or outside the area).
pub async fn notice(db: &Db, scope: &Scope, number: &str) -> Result<NoticeView> {
    let rec = cases::get(db, scope, number)
        .await?
        .ok_or(StoreError::NotFound)?;
    let notice = rec
        .case
        .exits
        .iter()
        .rev()
        .find_map(|x| x.notice())
        .cloned()
        .ok_or(StoreError::NotFound)?;
    let text = notice.text();
    Ok(NoticeView {
        plain: text.plain(),
        notice,
        text,
    })
}

/// 定期预判 in the caller's area on `on` with the county's exit rules.
pub async fn exit_candidates(db: &Db, caller: &Caller, on: NaiveDate) -> Result<Vec<Candidate>> {
    let rules = county_rules(db, &caller.county()?).await?;
    cases::prejudge(db, &caller.scope, on, &rules.exit).await
}

/// Cases of the caller's area (a page), for lists.
pub async fn list(
    db: &Db,
    scope: &Scope,
    query: &CaseQuery,
    page: u32,
    per_page: u32,
) -> Result<Page<CaseRow>> {
    cases::list(db, scope, query, page, per_page).await
}
