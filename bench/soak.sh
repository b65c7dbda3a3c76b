#!/usr/bin/env bash
# Soak test (issue 20 part 5): N simulated users for a duration against the demo county, on SQLite and
# then on PostgreSQL. Not part of the test run.
#
#   bench/soak.sh [--users N] [--seconds S] [--households H] [--db sqlite|postgres|both]
#                 defaults: 200 users, 600 s, 100,000 households, both
#   bench/soak.sh --users 50 --seconds 60 --households 10000          # a short look
#
# Builds shouwang in release mode (SOAK_BIN=path uses another binary), seeds the classic demo county once
# per size under bench/out/soak/ (gitignored; SQLite reused, PostgreSQL database `soak_hH` recreated),
# starts `shouwang serve`, runs bench/soak.py (standard library only: roles in real proportions log in,
# search, open households, record 户情变更, clues and follow-ups) and prints per kind requests, errors,
# refusals (409/422), p50/p99; then the server's peak RSS (VmHWM) and the audit check: the audit rows
# of writes the run added (entity household or case, action create or update) against the writes the
# driver saw succeed — they must be equal. PostgreSQL: SOAK_PG_URL=postgres://user@host:port (an admin
# URL; database `postgres`); without it a throwaway cluster is started from /usr/lib/postgresql/*/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
users=200; secs=600; n=100000; which=both
while [ $# -gt 0 ]; do
  case "$1" in
    --users) users=$2; shift 2 ;;
    --seconds) secs=$2; shift 2 ;;
    --households) n=$2; shift 2 ;;
    --db) which=$2; shift 2 ;;
    *) echo "usage: bench/soak.sh [--users N] [--seconds S] [--households H] [--db sqlite|postgres|both]" >&2; exit 2 ;;
  esac
done
out=$root/bench/out/soak
mkdir -p "$out"
target=${CARGO_TARGET_DIR:-$root/target}
bin=${SOAK_BIN:-$target/release/shouwang}
if [ -z "${SOAK_BIN:-}" ]; then
  echo "building shouwang (release) ..." >&2
  cargo build --release -q -p shouwang
fi
export SHOUWANG_LOG=warn

# The audit rows of writes in the database $1 (a SQLite file or a PostgreSQL URL): households and cases
# created or updated.
audit_writes() {
  local q="SELECT COUNT(*) FROM audit_log WHERE entity IN ('household','case') AND action IN ('create','update')"
  case "$1" in
    postgres*) psql -qtA "$1" -c "$q" ;;
    *) python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$1" "$q" ;;
  esac
}

run() { # $1 = label, $2.. = database arguments of shouwang; $DBREF = what audit_writes reads
  local label=$1; shift
  local port=$((30000 + RANDOM % 10000))
  # Every simulated user signs in from this one machine: the per-address and global sign-in limits are
  # raised above the users' count, so that the figures are of the work, not of the login limits.
  "$bin" serve --listen "127.0.0.1:$port" --login-limit-address $((users * 4)) \
    --login-limit-all $((users * 4 + 1200)) "$@" >"$out/serve-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  local before
  before=$(audit_writes "$DBREF")
  echo "== $label: $users users, $secs s, $n households ==" | tee "$out/result-$label.txt"
  python3 bench/soak.py --base "http://127.0.0.1:$port" --users "$users" --seconds "$secs" \
    --out "$out/summary-$label.json" | tee -a "$out/result-$label.txt"
  local rss
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local writes logged
  writes=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['writes_ok'])" "$out/summary-$label.json")
  logged=$(( $(audit_writes "$DBREF") - before ))
  {
    echo "peak RSS of the server: $((rss / 1024)) MiB"
    if [ "$writes" = "$logged" ]; then
      echo "audit: $logged rows for $writes writes — one row per write"
    else
      echo "AUDIT MISMATCH: $logged rows for $writes writes"
    fi
  } | tee -a "$out/result-$label.txt"
  [ "$writes" = "$logged" ]
}

status=0
if [ "$which" = sqlite ] || [ "$which" = both ]; then
  data=$out/sqlite_h$n
  if [ ! -f "$data/.done" ]; then
    rm -rf "$data"
    echo "seeding the demo county ($n households) into SQLite ..." >&2
    "$bin" demo --classic --households "$n" --seed 1 --data-dir "$data" >"$out/demo-sqlite.log" 2>&1
    touch "$data/.done"
  fi
  DBREF=$data/shouwang.db run sqlite --data-dir "$data" || status=1
fi
if [ "$which" = postgres ] || [ "$which" = both ]; then
  pgpid=""
  if [ -z "${SOAK_PG_URL:-}" ]; then
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    pgdir=$out/pg; rm -rf "$pgdir"; mkdir -p "$pgdir"
    as=(); [ "$(id -u)" = 0 ] && { chown postgres "$pgdir"; as=(su postgres -s /bin/sh -c); }
    pgport=$((40000 + RANDOM % 10000))
    init="$pgbin/initdb -D $pgdir/data -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null"
    start="$pgbin/pg_ctl -D $pgdir/data -l $pgdir/log -o '-p $pgport -k $pgdir -c listen_addresses=127.0.0.1' -w start >/dev/null"
    if [ ${#as[@]} -gt 0 ]; then "${as[@]}" "$init" && "${as[@]}" "$start"; else sh -c "$init" && sh -c "$start"; fi
    stop_pg() { if [ ${#as[@]} -gt 0 ]; then "${as[@]}" "$pgbin/pg_ctl -D $pgdir/data -m fast stop >/dev/null"; else "$pgbin/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null; fi; }
    trap stop_pg EXIT
    SOAK_PG_URL=postgres://postgres@127.0.0.1:$pgport
  fi
  db=soak_h$n
  psql -qtA "$SOAK_PG_URL/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  echo "seeding the demo county ($n households) into PostgreSQL ..." >&2
  "$bin" demo --classic --households "$n" --seed 1 --database-url "$SOAK_PG_URL/$db" >"$out/demo-postgres.log" 2>&1
  DBREF=$SOAK_PG_URL/$db run postgres --database-url "$SOAK_PG_URL/$db" || status=1
fi
exit $status
