//! Replays the committed fuzz corpus (`fuzz/corpus/TARGET/`, the regressions of crashes found included)
//! through the bodies of the fuzz targets, on stable: what the fuzzers once found stays fixed.

use std::path::PathBuf;

fn corpus(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

#[test]
fn every_target_replays_its_corpus() {
    for (target, body) in shouwang_fuzzing::TARGETS {
        let dir = corpus(target);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        assert!(
            files.len() >= 3,
            "{target}: only {} corpus files",
            files.len()
        );
        for f in files {
            let data = std::fs::read(&f).expect("corpus file");
            let run = std::panic::catch_unwind(|| body(&data));
            assert!(run.is_ok(), "{target}: {} fails", f.display());
        }
    }
}

#[test]
fn every_target_has_a_fuzz_target_file() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/fuzz_targets");
    for (target, _) in shouwang_fuzzing::TARGETS {
        let file = dir.join(format!("{target}.rs"));
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(
            text.contains(&format!("shouwang_fuzzing::{target}")),
            "{}",
            file.display()
        );
    }
}
