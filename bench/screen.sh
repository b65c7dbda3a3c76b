#!/usr/bin/env bash
# Screening benchmark: `shouwang screen` (file mode) against the DuckDB baseline
# of bench/reference/, on the same generated input; checks that the two
# flagged.csv files are byte-identical and prints wall time and peak RSS
# (median of RUNS runs, /usr/bin/time -v) with their ratios.
#
#   bench/screen.sh [HOUSEHOLDS ...]      default: 100000 1000000
#   RUNS=3 SEED=1 THREADS=2 bench/screen.sh 100000 250000 1000000
#   X4=1 bench/screen.sh 1000000      # also 4x the 1M input (bench/make_4x.py)
#
# Data is generated once per size into bench/out/ (gitignored) and reused.
# Above 1,000,000 households DuckDB runs once instead of RUNS times.
# SCREEN_CMD="/path/to/shouwang screen" uses an existing binary instead of building.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
ref=$root/bench/reference
out=$root/bench/out
runs=${RUNS:-3}
seed=${SEED:-1}
threads=${THREADS:-2}
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100000 1000000)
mkdir -p "$out"

# --- tools -------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (Debian package 'time')" >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null
fi
if ! python3 -c 'import duckdb' 2>/dev/null; then
  echo "installing duckdb (pip)" >&2
  pip install -q duckdb
fi
target=${CARGO_TARGET_DIR:-$root/target}
if [ -n "${SCREEN_CMD:-}" ]; then
  read -r -a bin <<<"$SCREEN_CMD"
else
  cargo build --release -q -p shouwang
  bin=("$target/release/shouwang" screen)
fi
echo "engine: ${bin[*]}   baseline: python3 baseline_duckdb.py --threads $threads   runs: $runs (median)"

# --- helpers -----------------------------------------------------------------
# measure OUTFILE CMD...: runs CMD under /usr/bin/time -v, prints "wall_s rss_kb"
measure() {
  local log; log=$(mktemp)
  /usr/bin/time -v -o "$log" "$@" >/dev/null 2>>"$out/stderr.log"
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall = s }
    /Maximum resident set size/ { rss = $2 }
    END { printf "%.3f %d\n", wall, rss }' "$log"
  rm -f "$log"
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

printf '\n%-11s %-8s %10s %10s %8s %12s %12s %8s %s\n' \
  households engine "wall s" "duckdb s" ratio "RSS MiB" "duckdb MiB" ratio output
declare -A wall_of
for n in "${sizes[@]}"; do
  data=$out/h${n}_s${seed}
  if [ ! -f "$data/.done" ]; then
    echo "generating $n households (seed $seed) into $data ..." >&2
    python3 "$ref/gen_screening.py" --out "$data" --households "$n" --seed "$seed" >&2
    touch "$data/.done"
  fi
  ours=(); duck=()
  # above 1M households DuckDB runs once (it needs minutes and ~9 GiB at 4M)
  druns=$runs; [ "$n" -gt 1000000 ] && druns=1
  for ((r = 1; r <= runs; r++)); do
    ours+=("$(measure "${bin[@]}" --input "$data" --out "$out/ours_$n.csv" --threads "$threads" --quiet)")
    if [ "$r" -le "$druns" ]; then
      duck+=("$(measure python3 "$ref/baseline_duckdb.py" "$data" "$out/duck_$n.csv" --threads "$threads")")
    fi
  done
  ow=$(printf '%s\n' "${ours[@]}" | cut -d' ' -f1 | median)
  orss=$(printf '%s\n' "${ours[@]}" | cut -d' ' -f2 | median)
  dw=$(printf '%s\n' "${duck[@]}" | cut -d' ' -f1 | median)
  drss=$(printf '%s\n' "${duck[@]}" | cut -d' ' -f2 | median)
  if cmp -s "$out/ours_$n.csv" "$out/duck_$n.csv"; then same="byte-identical"; else same="DIFFERENT"; fi
  wall_of[$n]=$ow
  awk -v n="$n" -v ow="$ow" -v dw="$dw" -v orss="$orss" -v drss="$drss" -v same="$same" 'BEGIN {
    printf "%-11s %-8s %10.2f %10.2f %8.3f %12.0f %12.0f %8.3f %s\n",
      n, "shouwang", ow, dw, ow / dw, orss / 1024, drss / 1024, orss / drss, same }'
  echo "  runs (wall_s rss_kb): shouwang ${ours[*]} | duckdb ${duck[*]}" >&2
  [ "$same" = "byte-identical" ] || status=1
done
# 4x the largest size, built by bench/make_4x.py (the generator cannot make
# 4,000,000 households); shouwang only, its output checked to be 4x the rows
if [ "${X4:-0}" = 1 ]; then
  n=${sizes[-1]}
  src=$out/h${n}_s${seed}
  x4=$out/x4_h${n}_s${seed}
  if [ ! -f "$x4/.done" ]; then
    echo "building 4x of $src into $x4 ..." >&2
    python3 "$root/bench/make_4x.py" "$src" "$x4"
    touch "$x4/.done"
  fi
  ours=()
  for ((r = 1; r <= runs; r++)); do
    ours+=("$(measure "${bin[@]}" --input "$x4" --out "$out/ours_x4_$n.csv" --threads "$threads" --quiet)")
  done
  ow=$(printf '%s\n' "${ours[@]}" | cut -d' ' -f1 | median)
  orss=$(printf '%s\n' "${ours[@]}" | cut -d' ' -f2 | median)
  rows1=$(($(wc -l <"$out/ours_$n.csv") - 1))
  rows4=$(($(wc -l <"$out/ours_x4_$n.csv") - 1))
  [ "$rows4" -eq $((4 * rows1)) ] && chk="4x the rows" || { chk="ROWS $rows4 != 4 x $rows1"; status=1; }
  awk -v n="$n" -v ow="$ow" -v orss="$orss" -v chk="$chk" -v a="${wall_of[$n]}" 'BEGIN {
    printf "%-11s %-8s %10.2f %10s %8s %12.0f %12s %8s %s\n", "4x" n, "shouwang", ow, "-", "-", orss / 1024, "-", "-", chk
    printf "scaling: %d -> 4x%d households: time x%.2f (goal <= 4.4)\n", n, n, ow / a }'
  echo "  runs (wall_s rss_kb): shouwang ${ours[*]}" >&2
fi
# scaling: time at 4x the data over time at 1x, for every pair of sizes 4x apart
for n in "${sizes[@]}"; do
  m=$((n * 4))
  if [ -n "${wall_of[$m]:-}" ]; then
    awk -v a="${wall_of[$n]}" -v b="${wall_of[$m]}" -v n="$n" -v m="$m" \
      'BEGIN { printf "scaling: %d -> %d households: time x%.2f (goal <= 4.4)\n", n, m, b / a }'
  fi
done
exit ${status:-0}
