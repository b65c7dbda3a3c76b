//! `shouwang-fuzzing` — the bodies of the fuzz targets (模糊测试), one plain function per target of
//! `fuzz/fuzz_targets/`: each takes any bytes, runs a parser of ours on them and panics only when a
//! property fails (a panic inside the parser is a failure too). `cargo +nightly fuzz run TARGET`
//! (`scripts/fuzz.sh`) searches for such inputs; the stable test `tests/corpus.rs` replays the committed
//! corpus `fuzz/corpus/TARGET/` through the same functions, so CI covers it without nightly.
//!
//! Targets ([`TARGETS`]): the ID-number parsers, the CSV/GBK registry reader, the XLSX readers (the fast
//! reader against calamine, on whole files and on workbooks built from fuzzed parts), the registry row
//! mapper (rows of text into households), the screening field parsers and record splitter, and a
//! department file screened against a small registry.

mod department;
mod fields;
mod idnum;
mod registry;
mod xlsx;

pub use department::department_file;
pub use fields::screen_fields;
pub use idnum::idnum;
pub use registry::{csv_registry, registry_rows};
pub use xlsx::{xlsx, xlsx_parts};

/// The body of a fuzz target.
pub type Body = fn(&[u8]);

/// Every target: its name (the folder of `fuzz/corpus/` and the file of `fuzz/fuzz_targets/`) and body.
pub const TARGETS: &[(&str, Body)] = &[
    ("idnum", idnum),
    ("csv_registry", csv_registry),
    ("xlsx", xlsx),
    ("xlsx_parts", xlsx_parts),
    ("registry_rows", registry_rows),
    ("screen_fields", screen_fields),
    ("department_file", department_file),
];

/// For the fuzz targets, whose panic hook (libfuzzer-sys) aborts at any panic, even one caught: lets a
/// panic inside calamine unwind to our guard (`shouwang_io`'s `calamine_guard`, which turns it into a
/// "damaged file" refusal) and aborts at every other panic as before. A calamine panic that no guard
/// catches still aborts, in libfuzzer-sys's `catch_unwind` around the target.
pub fn let_guarded_calamine_panics_unwind() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_calamine = info
                .location()
                .is_some_and(|l| l.file().contains("/calamine-"));
            if !in_calamine {
                fuzzer_hook(info);
            }
        }));
    });
}
