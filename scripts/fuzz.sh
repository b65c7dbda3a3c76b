#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets, bodies in crates/fuzzing) for SECONDS each, one after the
# other, with cargo-fuzz on the nightly toolchain (installs cargo-fuzz if it is missing).
#
#   scripts/fuzz.sh SECONDS [TARGET...]        e.g. scripts/fuzz.sh 600, scripts/fuzz.sh 60 xlsx idnum
#
# Each run starts from the committed corpus (fuzz/corpus/TARGET, read only) and keeps what it finds in
# fuzz/work/TARGET (not committed). A crash, hang (a single input over 10 s) or memory use over 2 GB
# stops the run and leaves the input in fuzz/artifacts/TARGET/; the script then exits 1 after the
# other targets ran. Fix the bug, copy the input into fuzz/corpus/TARGET/ as a regression (the stable
# test `cargo test -p shouwang-fuzzing` replays it) and minimise the corpus now and then with
# `cargo +nightly fuzz cmin TARGET` (keep it to a few dozen small files).
# Environment: FUZZ_RSS_MB, the memory limit of a run (default 2048).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
command -v rustup >/dev/null 2>&1 \
  || { echo "scripts/fuzz.sh: rustup not found: install the Rust toolchain (https://rustup.rs)" >&2; exit 2; }
rustup run nightly rustc --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)

# -a: debug assertions and overflow checks on, as in the test suite.
cargo +nightly fuzz build -a
status=0
for t in "${targets[@]}"; do
  mkdir -p "work/$t" "artifacts/$t"
  echo "== $t ($seconds s)"
  if ! cargo +nightly fuzz run -a "$t" "work/$t" "corpus/$t" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
      -max_len=262144 -print_final_stats=1 \
      2>"work/$t.log"; then
    status=1
    echo "!! $t failed: see fuzz/work/$t.log and fuzz/artifacts/$t/" >&2
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|SUMMARY|ERROR" "work/$t.log" | sed "s/^/   /" || true
done
exit $status
