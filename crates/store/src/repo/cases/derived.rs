//! The list columns of a case (监测状态, 监测手段, dates, 帮扶责任人, months), derived from the core's view
//! of it, and the case's JSON body.

use std::collections::BTreeMap;

use shouwang_core::CodeList;
use shouwang_core::monitoring::{Case, Channel};

use crate::error::{Result, StoreError};
use crate::repo::Sql;

/// The list columns of a case, all derived from the core's view of it.
pub(super) struct Derived {
    lifecycle: &'static str,
    channels: String,
    first_reported_on: String,
    ident_started_on: Option<String>,
    ident_next_step: Option<&'static str>,
    monitored_since: Option<String>,
    eliminated_on: Option<String>,
    exit_next_step: Option<&'static str>,
    cadre_user_id: Option<i64>,
    cadre_name: Option<String>,
    last_follow_up_month: Option<String>,
    /// Month → (visit date, all four answers yes).
    pub(super) months: BTreeMap<String, (String, bool)>,
}

pub(super) fn derive(case: &Case) -> Derived {
    let lifecycle = case.lifecycle();
    let channels: Vec<&'static str> = Channel::all()
        .iter()
        .filter(|ch| {
            case.clues
                .iter()
                .flat_map(|c| &c.sources)
                .any(|s| s.report.source.channel() == **ch)
        })
        .map(|ch| ch.code())
        .collect();
    let first_reported_on = case
        .clues
        .iter()
        .flat_map(|c| &c.sources)
        .map(|s| s.report.reported_on)
        .min()
        .unwrap_or(case.opened_on);
    let current = case.cadres.current();
    Derived {
        lifecycle: lifecycle.code(),
        channels: format!(",{},", channels.join(",")),
        first_reported_on: first_reported_on.to_string(),
        ident_started_on: case
            .identification
            .as_ref()
            .map(|i| i.started_on.to_string()),
        ident_next_step: case
            .identification
            .as_ref()
            .and_then(|i| i.next_step())
            .map(|s| s.code()),
        monitored_since: case.monitored_since().map(|d| d.to_string()),
        eliminated_on: case.eliminated_on().map(|d| d.to_string()),
        exit_next_step: case
            .current_exit()
            .and_then(|x| x.next_step())
            .map(|s| s.code()),
        cadre_user_id: current.map(|a| a.cadre.user_id),
        cadre_name: current.map(|a| a.cadre.name.clone()),
        last_follow_up_month: case
            .follow_ups
            .entries
            .iter()
            .map(|e| e.visit.month)
            .max()
            .map(|m| m.to_string()),
        months: case
            .follow_ups
            .entries
            .iter()
            .map(|e| {
                (
                    e.visit.month.to_string(),
                    (e.visit.visited_on.to_string(), e.visit.all_well()),
                )
            })
            .collect(),
    }
}

pub(super) fn body_of(case: &Case) -> Result<String> {
    serde_json::to_string(case)
        .map_err(|e| StoreError::internal(format!("cannot serialise case: {e}")))
}

/// Appends `, col = ?` pairs for the derived columns (for UPDATE), or the values (for INSERT).
pub(super) fn bind_derived(sql: &mut Sql, d: &Derived, assign: bool) {
    let cols: [(&str, sea_orm::Value); 11] = [
        ("lifecycle", d.lifecycle.into()),
        ("channels", d.channels.clone().into()),
        ("first_reported_on", d.first_reported_on.clone().into()),
        ("ident_started_on", d.ident_started_on.clone().into()),
        (
            "ident_next_step",
            d.ident_next_step.map(str::to_owned).into(),
        ),
        ("monitored_since", d.monitored_since.clone().into()),
        ("eliminated_on", d.eliminated_on.clone().into()),
        ("exit_next_step", d.exit_next_step.map(str::to_owned).into()),
        ("cadre_user_id", d.cadre_user_id.into()),
        ("cadre_name", d.cadre_name.clone().into()),
        (
            "last_follow_up_month",
            d.last_follow_up_month.clone().into(),
        ),
    ];
    for (col, v) in cols {
        if assign {
            sql.push(&format!(", {col} = "));
        } else {
            sql.push(", ");
        }
        sql.bind(v);
    }
}
