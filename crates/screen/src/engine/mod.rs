//! The screening engine (筛查引擎).
//!
//! Three phases, each run by `threads` workers pulling blocks from a shared
//! queue (the queue reads the next block under its lock; workers parse
//! outside it):
//! 1. households.csv → household table and 户编号 index;
//! 2. members.csv → ID number (u64) → household index;
//! 3. the five department files → per-worker sums and flags by household,
//!    added up at the end.
//!
//! Line numbers of malformed rows are fixed up after each run from the line
//! counts of the blocks, so blocks can be processed in any order.
//!
//! By step: `open` (finding the seven files and their headers), `phase` (the work queue and the
//! worker threads of a phase), `worker` (what a worker does with a block: validate each row, then
//! keep a household, a member or a department row's sums and flags), `merge` (the workers' results
//! put together: household table, member index, sums), `rules` (the risk codes of each household),
//! `summary` (counts per file and the malformed rows with their line numbers).

mod merge;
mod open;
mod phase;
mod rules;
mod summary;
mod worker;

use std::path::Path;
use std::sync::atomic::Ordering;

use chrono::Datelike;

use crate::map::ShardedMap;
use crate::schema::{FileKind, MAX_COLS};
use crate::{Outcome, Params, Progress, ScreenError};
use merge::{HidIndex, merge_acc, merge_households, merge_members};
use open::{Body, open_source};
use phase::{Ctx, run_phase};
use rules::flag;
use summary::summarise;
use worker::WorkerOut;

/// Household index of a member whose 户编号 is not in households.csv.
const NO_HOUSEHOLD: u32 = u32::MAX;
/// Index of the "wrong number of columns" counter.
const COLUMNS: usize = MAX_COLS;
/// Line of a spreadsheet row is absolute, not relative to a block.
const ABSOLUTE: u32 = u32::MAX;

/// Screens the files in `input_dir` (see the crate documentation).
pub fn run(input_dir: &Path, params: &Params, progress: &Progress) -> Result<Outcome, ScreenError> {
    run_dirs(input_dir, input_dir, params, progress)
}

/// Screens the department files in `department_dir` against the registry files (households, members)
/// in `registry_dir` (the database mode writes the registry from the database into a folder of its
/// own, so a `households.csv` sent along with the department files is not read).
pub fn run_dirs(
    registry_dir: &Path,
    department_dir: &Path,
    params: &Params,
    progress: &Progress,
) -> Result<Outcome, ScreenError> {
    let t = &params.thresholds;
    if t.medical_yuan < 0 || t.disaster_yuan < 0 || t.school_age_min > t.school_age_max {
        return Err(ScreenError::Param(format!(
            "thresholds out of range: {t:?}"
        )));
    }
    let year = params.year;
    if !(1..=9999).contains(&year) {
        return Err(ScreenError::Param(format!("year {year} out of range")));
    }
    let as_of = params.as_of;
    let as_of = (as_of.year() as u32) * 10000 + as_of.month() * 100 + as_of.day();
    if !(10101..=99991231).contains(&as_of) {
        return Err(ScreenError::Param("as-of date out of range".into()));
    }
    let window = (year as u32 * 10000 + 101, as_of);
    let threads = if params.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        params.threads
    };

    let timing = std::env::var_os("SHOUWANG_SCREEN_TIMING").is_some();
    let t0 = std::time::Instant::now();
    let lap = |what: &str| {
        if timing {
            eprintln!("timing {what}: {:.3} s", t0.elapsed().as_secs_f64());
        }
    };
    // open every file first: a missing file or a bad header stops the run before any work
    let mut infos = Vec::new();
    let mut bodies = Vec::new();
    for kind in FileKind::ALL {
        let dir = if kind.is_department() {
            department_dir
        } else {
            registry_dir
        };
        let (info, body) = open_source(dir, kind)?;
        infos.push(info);
        bodies.push(Some(body));
    }
    progress
        .bytes_total
        .store(infos.iter().map(|i| i.bytes).sum(), Ordering::Relaxed);

    let mut outs: Vec<WorkerOut> = Vec::new();
    let mut take = |kinds: &[FileKind]| -> Vec<(usize, Body)> {
        kinds
            .iter()
            .filter_map(|k| bodies[k.index()].take().map(|b| (k.index(), b)))
            .collect()
    };

    // phase 1: households
    let empty_hh = HidIndex::default();
    let empty_persons = ShardedMap::empty();
    let ctx = Ctx {
        infos: &infos,
        window,
        as_of,
        school_ages: (i64::from(t.school_age_min), i64::from(t.school_age_max)),
        hids: &empty_hh,
        households: None,
        persons: &empty_persons,
        n_households: 0,
    };
    let mut phase = run_phase(&ctx, take(&[FileKind::Households]), threads, progress)?;
    lap("households parsed");
    let households = merge_households(&mut phase, threads)?;
    outs.extend(phase);
    lap("households indexed");

    // phase 2: members
    let ctx = Ctx {
        hids: &households.index,
        households: Some(&households),
        ..ctx
    };
    let mut phase = run_phase(&ctx, take(&[FileKind::Members]), threads, progress)?;
    lap("members parsed");
    let persons = merge_members(&mut phase, threads);
    outs.extend(phase);
    lap("members indexed");

    // phase 3: department files
    let ctx = Ctx {
        persons: &persons,
        n_households: households.recs.len(),
        ..ctx
    };
    let departments = [
        FileKind::Medical,
        FileKind::Education,
        FileKind::Disability,
        FileKind::Housing,
        FileKind::Disaster,
    ];
    let mut phase = run_phase(&ctx, take(&departments), threads, progress)?;
    lap("departments parsed");
    let acc = merge_acc(&mut phase, households.recs.len());
    outs.extend(phase);
    drop(persons);

    let flagged = flag(&households, &acc, params.line_fen, t);
    let (files, rejected) = summarise(&infos, outs);
    lap("flagged and summarised");
    Ok(Outcome {
        flagged,
        files,
        rejected,
        households: households.index.len() as u64,
    })
}
