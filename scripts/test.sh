#!/usr/bin/env bash
# Runs every test of the workspace, the storage tests on SQLite and on PostgreSQL.
#
#   scripts/test.sh [extra cargo test args]       e.g. scripts/test.sh -p shouwang-core
#
# Needs the Rust toolchain, Python 3 (the screening tests compare with bench/reference/reference.py)
# and PostgreSQL 15+ server binaries. If SHOUWANG_TEST_PG_URL is set, that server is used. Otherwise a
# throwaway PostgreSQL cluster is started from the machine's binaries (initdb, pg_ctl; PG_BIN or
# /usr/lib/postgresql/*/bin) in a temporary folder and stopped at the end; when they are missing and the
# script runs as root with apt-get, it installs Debian's `postgresql` package first (also with
# SHOUWANG_TEST_PG_URL: the PostgreSQL-over-TLS test starts a cluster of its own, with ssl=on). Anything else
# missing stops the script at once, before the build, with one line saying how to get it.
# With SHOUWANG_SKIP_PG=1 the PostgreSQL half of the storage tests is skipped (by hand only).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

command -v cargo >/dev/null 2>&1 \
  || { echo "scripts/test.sh: cargo not found: install the Rust toolchain (https://rustup.rs)" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 \
  || { echo "scripts/test.sh: python3 not found: the screening tests need Python 3 (e.g. apt-get install python3)" >&2; exit 2; }

find_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
# The server binaries are needed even with SHOUWANG_TEST_PG_URL: the PostgreSQL-over-TLS test
# (crates/store/tests/store/pg_tls.rs) starts a cluster of its own with ssl=on (it finds them by PG_BIN).
if [ "${SHOUWANG_SKIP_PG:-}" != 1 ]; then
  PG_BIN=${PG_BIN:-$(find_pg_bin)}
  if { [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; } && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "scripts/test.sh: PostgreSQL binaries not found; installing Debian's postgresql package" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -qq postgresql || { apt-get update -qq && apt-get install -y -qq postgresql; }; } >/dev/null
    PG_BIN=$(find_pg_bin)
  fi
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    if [ -z "${SHOUWANG_TEST_PG_URL:-}" ]; then
      echo "scripts/test.sh: PostgreSQL 15+ server binaries (initdb, pg_ctl) not found: install them (Debian: apt-get install postgresql, as root), or set PG_BIN, SHOUWANG_TEST_PG_URL, or SHOUWANG_SKIP_PG=1" >&2
      exit 2
    fi
    echo "scripts/test.sh: PostgreSQL server binaries not found: the PostgreSQL-over-TLS test will be skipped (install them, or set PG_BIN)" >&2
  else
    export PG_BIN
  fi
fi
if [ -z "${SHOUWANG_TEST_PG_URL:-}" ] && [ "${SHOUWANG_SKIP_PG:-}" != 1 ]; then
  pg_dir=$(mktemp -d /tmp/shouwang-pg.XXXXXX)
  trap cleanup EXIT
  [ "$(id -u)" = 0 ] && chown postgres "$pg_dir"
  port=${SHOUWANG_TEST_PG_PORT:-$((20000 + RANDOM % 20000))}
  as_pg "$PG_BIN/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; exit 2; }
  as_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$pg_dir/server.log" >&2; exit 2; }
  export SHOUWANG_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "scripts/test.sh: throwaway PostgreSQL at $SHOUWANG_TEST_PG_URL"
fi

# Every crate, unless the arguments name some (`-p`/`--package`).
scope=(--workspace)
for a in "$@"; do
  case "$a" in -p|--package|-p*|--package=*) scope=() ;; esac
done
cargo test "${scope[@]}" --all-features "$@"
