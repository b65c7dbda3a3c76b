//! One phase of a run (一个阶段): `threads` workers pull jobs (a block of a CSV file, or a whole
//! spreadsheet) from a shared queue, which reads the next block under its lock while the workers parse
//! outside it; what every phase's workers share read-only ([`Ctx`]).

use std::sync::Mutex;

use super::merge::{HidIndex, Households};
use shouwang_io::xlsx::Sheet;

use super::open::{Body, SourceInfo, read_err};
use super::worker::{WorkerOut, worker};
use crate::map::ShardedMap;
use crate::schema::FileKind;
use crate::{Progress, ScreenError};

/// Shared read-only state of a phase.
#[derive(Clone, Copy)]
pub(super) struct Ctx<'a> {
    pub(super) infos: &'a [SourceInfo],
    pub(super) window: (u32, u32),
    pub(super) as_of: u32,
    /// 因学: youngest and oldest age of a drop-out that counts.
    pub(super) school_ages: (i64, i64),
    pub(super) hids: &'a HidIndex,
    pub(super) households: Option<&'a Households>,
    pub(super) persons: &'a ShardedMap,
    pub(super) n_households: usize,
}

struct QueueState {
    sources: Vec<(usize, Body)>,
    cur: usize,
    next_seq: Vec<u32>,
    error: Option<ScreenError>,
}

pub(super) enum Job {
    Block {
        src: usize,
        seq: u32,
    },
    Sheet {
        src: usize,
        sheet: Sheet,
        header_row: usize,
    },
}

pub(super) struct Queue {
    state: Mutex<QueueState>,
}

impl Queue {
    pub(super) fn next(&self, infos: &[SourceInfo], buf: &mut Vec<u8>) -> Option<Job> {
        let mut guard = self.state.lock().ok()?;
        let st = &mut *guard;
        while st.cur < st.sources.len() && st.error.is_none() {
            let cur = st.cur;
            let (src, body) = &mut st.sources[cur];
            let src = *src;
            match body {
                Body::Csv(reader) => match reader.next_block(buf) {
                    Ok(true) => {
                        let seq = st.next_seq[src];
                        st.next_seq[src] += 1;
                        return Some(Job::Block { src, seq });
                    }
                    Ok(false) => st.cur += 1,
                    Err(e) => {
                        st.error = Some(read_err(&infos[src].path)(e));
                    }
                },
                Body::Sheet(sheet) => {
                    st.cur += 1;
                    if let Some((sheet, header_row)) = sheet.take() {
                        return Some(Job::Sheet {
                            src,
                            sheet,
                            header_row,
                        });
                    }
                }
            }
        }
        None
    }
}

pub(super) fn run_phase(
    ctx: &Ctx<'_>,
    sources: Vec<(usize, Body)>,
    threads: usize,
    progress: &Progress,
) -> Result<Vec<WorkerOut>, ScreenError> {
    let queue = Queue {
        state: Mutex::new(QueueState {
            sources,
            cur: 0,
            next_seq: vec![0; FileKind::ALL.len()],
            error: None,
        }),
    };
    let outs: Vec<WorkerOut> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| s.spawn(|| worker(*ctx, &queue, progress)))
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let state = queue
        .state
        .into_inner()
        .map_err(|_| ScreenError::Limit("a worker thread panicked".into()))?;
    if let Some(e) = state.error {
        return Err(e);
    }
    if outs.len() != threads.max(1) {
        return Err(ScreenError::Limit("a worker thread panicked".into()));
    }
    Ok(outs)
}
