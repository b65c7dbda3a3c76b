//! The demo village's 劳动力就业 records (B1, issue 21), as its village team records them through
//! `registers::labour::record`, so that every state shows: last month recorded by every household with
//! labour but one (已逾期), this month by every other one (已完成; the rest 待完成 until the month's end), every
//! 就业状态 (外出务工 省外/省内县外/县内, 就近就业, 公益岗位, 帮扶车间, 自主创业, 未就业) with the four drives, training
//! wanted and taken; and the same two months of last year with fewer at work, so that the figure
//! 脱贫劳动力务工就业人数 compares with last year.

use chrono::NaiveDate;
use shouwang_core::monitoring::calendar::YearMonth;
use shouwang_core::register::labour::{Drive, Status};
use shouwang_core::register::relocation::WorkPlace;
use shouwang_store::{Db, Result, StoreError};

use crate::caller::caller_by_username;
use crate::registers::labour::{self, Entry, ListFilter, RecordInput, WorkerInput};

/// The job of the `k`-th worker of the village (round the statuses); last year every other one not at
/// work.
fn worker(position: usize, k: usize, last_year: bool) -> WorkerInput {
    let (status, place, employer, wage, drive) = match k % 8 {
        0 => (
            Status::Migrant,
            Some(WorkPlace::OutOfProvince),
            "浙江宁波某电子厂",
            4800,
            Some(Drive::Enterprise),
        ),
        1 => (
            Status::Migrant,
            Some(WorkPlace::InProvince),
            "太原某物业公司",
            3600,
            Some(Drive::Leader),
        ),
        2 => (
            Status::Migrant,
            Some(WorkPlace::InCounty),
            "县城建筑工地",
            3000,
            None,
        ),
        3 => (
            Status::Nearby,
            None,
            "本村种植合作社",
            1800,
            Some(Drive::Leader),
        ),
        4 => (
            Status::WelfarePost,
            None,
            "村保洁公益岗位（光伏收益）",
            500,
            Some(Drive::WelfarePost),
        ),
        5 => (
            Status::Workshop,
            None,
            "乡帮扶车间（手套加工）",
            2200,
            Some(Drive::Workshop),
        ),
        6 => (Status::SelfEmployed, None, "自营小卖部", 2500, None),
        _ => (Status::Unemployed, None, "", 0, None),
    };
    if status == Status::Unemployed || (last_year && k.is_multiple_of(2)) {
        return WorkerInput {
            position,
            status: Status::Unemployed,
            place: None,
            employer: String::new(),
            monthly_income: None,
            drive: None,
            training_wanted: if k.is_multiple_of(2) {
                "电工培训".to_owned()
            } else {
                String::new()
            },
            training_taken: String::new(),
        };
    }
    WorkerInput {
        position,
        status,
        place,
        employer: employer.to_owned(),
        monthly_income: Some(wage),
        drive,
        training_wanted: String::new(),
        training_taken: if k.is_multiple_of(5) {
            "家政服务培训".to_owned()
        } else {
            String::new()
        },
    }
}

fn input(e: &Entry, first_worker: usize, on: NaiveDate, last_year: bool) -> RecordInput {
    RecordInput {
        recorded_on: Some(on),
        workers: e
            .labour
            .iter()
            .enumerate()
            .map(|(j, l)| worker(l.position, first_worker + j, last_year))
            .collect(),
    }
}

fn a_year_before(m: YearMonth) -> YearMonth {
    YearMonth::new(m.year() - 1, m.month()).unwrap_or(m)
}

/// Records the demo village's employment of the month before `as_of`, of its month and of the same two
/// months of last year; returns how many.
pub(super) async fn records(db: &Db, as_of: NaiveDate) -> Result<u64> {
    let Some(team) = caller_by_username(db, "village_team").await? else {
        return Ok(0);
    };
    let this = YearMonth::of(as_of);
    let last = labour::last_month(as_of);
    let err = |e: crate::Error| StoreError::invalid(e.zh, e.en);
    let entries = labour::list(db, &team, &ListFilter::default(), as_of)
        .await
        .map_err(err)?;
    let mut n = 0;
    for (month, on, last_year) in [
        (
            a_year_before(last),
            a_year_before(last).day_clamped(10),
            true,
        ),
        (
            a_year_before(this),
            a_year_before(this).day_clamped(3),
            true,
        ),
        (last, last.day_clamped(10), false),
        (this, this.day_clamped(3).min(as_of), false),
    ] {
        let mut k = 0;
        for (i, e) in entries.iter().enumerate() {
            let first = k;
            k += e.labour.len();
            // Last month: all but the first (overdue); this month: every other one (the rest pending);
            // last year: all.
            let skip = if month == this {
                i % 2 == 1
            } else {
                month == last && i == 0
            };
            if skip || !month.contains(on) {
                continue;
            }
            match labour::record(db, &team, &e.number, &input(e, first, on, last_year), as_of).await
            {
                Ok(_) => n += 1,
                // A member who was not yet 16 (or already past 60) on the day: left unrecorded.
                Err(e) if e.kind == crate::Kind::Invalid => {}
                Err(e) => return Err(err(e)),
            }
        }
    }
    Ok(n)
}
