#!/usr/bin/env bash
# Database-mode screening benchmark (issue 4, part 3): `shouwang screen --month` on the demo county.
#
#   bench/screen_db.sh [HOUSEHOLDS=100000] [RUNS=3]
#
# Builds the release binary, loads the demo county into a fresh SQLite data dir, writes department
# files for its members (bench/gen_demo_departments.py), then times RUNS runs of
#   shouwang screen --input DIR --month 2022-06 --user department --on 2022-07-05
# (the first records the clues, the later ones find them all present) and prints each run's summary.
# Output under bench/out/screen_db/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
RUNS=${2:-3}
out=bench/out/screen_db
mkdir -p "$out"
cargo build --release -q -p shouwang
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/shouwang

rm -rf "$out/data" "$out/departments" "$out/registry.xlsx"
"$bin" demo --classic --households "$N" --seed 1 --data-dir "$out/data" >"$out/demo.log" 2>&1
# The database holds the ID numbers sealed: the department files are made from the exported registry.
"$bin" export registry --out "$out/registry.xlsx" --data-dir "$out/data" >>"$out/demo.log" 2>&1
python3 bench/gen_demo_departments.py --registry "$out/registry.xlsx" --out "$out/departments"
wc -l "$out"/departments/*.csv | tail -n 1

times=()
for i in $(seq "$RUNS"); do
  s=$(date +%s.%N)
  "$bin" screen --input "$out/departments" --month 2022-06 --user department --on 2022-07-05 \
    --quiet --data-dir "$out/data" >"$out/run$i.log" 2>&1
  e=$(date +%s.%N)
  times+=("$(echo "$e - $s" | bc)")
  echo "run $i: ${times[-1]} s"
  grep -E "预警|登记信息" "$out/run$i.log"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "screen --month 2022-06 on the $N-household demo: first run ${times[0]} s (records the clues);" \
     "re-runs median $(median "${times[@]:1}") s"
