#!/usr/bin/env bash
# Registry import benchmark (issues 6 and 17): `shouwang import registry` of an XLSX with households,
# members and two years of income per household (户信息, 家庭成员, 收支情况) into an empty SQLite database,
# against calamine alone reading the same file (crates/io/examples/calamine_read.rs). Goal: import ≤ 1.5 ×
# calamine.
#
#   bench/import.sh [HOUSEHOLDS=33000] [RUNS=3]
#
# The workbook is the demo county (`shouwang demo --classic --households N`, ≈ 3.04 people a household, so
# 33,000 households ≈ 100,000 people; income records of 2021 and 2022 for each) exported with
# `shouwang export registry`. Each run imports into a fresh data dir (process start, migration, reading,
# checks, writing and commit all included; wall time) and runs the calamine reader on the same file; the
# medians and their ratio are printed. Output under bench/out/import (gitignored). Set CARGO_TARGET_DIR to
# use another target dir.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-33000}
RUNS=${2:-3}
out=bench/out/import
mkdir -p "$out"
target=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p shouwang
cargo build --release -q -p shouwang-io --example calamine_read
bin=$target/release/shouwang
reader=$target/release/examples/calamine_read
export SHOUWANG_LOG=warn

# (registry-$N.xlsx of earlier runs has no 收支情况 sheet.)
file=$out/registry-incomes-$N.xlsx
if [ ! -s "$file" ]; then
  rm -rf "$out/source"
  "$bin" demo --classic --households "$N" --seed 1 --data-dir "$out/source" >/dev/null
  "$bin" export registry --out "$file" --data-dir "$out/source" | tee "$out/export.log"
  rm -rf "$out/source"
  # two years of income per household
  grep -q " $((2 * N)) 条收支" "$out/export.log" || { echo "the export has not 2 × $N income rows" >&2; rm -f "$file"; exit 1; }
fi
ls -l "$file"

now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
imports=(); reads=()
for i in $(seq "$RUNS"); do
  rm -rf "$out/db"
  s=$(now)
  "$bin" import registry "$file" --data-dir "$out/db" >"$out/import.log" 2>&1 || { cat "$out/import.log"; exit 1; }
  e=$(now)
  imports+=("$(echo "$e - $s" | bc)")
  s=$(now)
  "$reader" "$file" 2>"$out/calamine.log"
  e=$(now)
  reads+=("$(echo "$e - $s" | bc)")
done
grep -E "读取 read|已导入|收支情况" "$out/import.log"
cat "$out/calamine.log"
mi=$(median "${imports[@]}"); mr=$(median "${reads[@]}")
echo "import registry: runs ${imports[*]} s; median $mi s"
echo "calamine alone:  runs ${reads[*]} s; median $mr s"
echo "ratio import / calamine: $(echo "scale=2; $mi / $mr" | bc)  (goal ≤ 1.5)"
