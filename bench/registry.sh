#!/usr/bin/env bash
# Registry benchmark (issue 2 / issue 5): demo county generation + load time, and
# the household search and household page under load.
#
#   bench/registry.sh [HOUSEHOLDS=100000] [RUNS=3]
#
# Builds the release binary, times `shouwang demo --households N` RUNS times on a
# fresh SQLite data dir (median), then serves the last one and measures with wrk
# (32 connections, 10 s each): a name search, an ID-number search, a household-number
# search and a household page, logged in as the county admin. Installs wrk from
# Debian's packages if missing. Output under bench/out/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
RUNS=${2:-3}
out=bench/out/registry
mkdir -p "$out"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }; }
cargo build --release -q -p shouwang
bin=target/release/shouwang

times=()
for i in $(seq "$RUNS"); do
  rm -rf "$out/data"
  s=$(date +%s.%N)
  "$bin" demo --classic --households "$N" --seed 1 --data-dir "$out/data" >"$out/demo.log" 2>&1
  e=$(date +%s.%N)
  times+=("$(echo "$e - $s" | bc)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "demo --households $N: runs ${times[*]} s; median $(median "${times[@]}") s"
tail -n 1 "$out/demo.log"

port=$((30000 + RANDOM % 20000))
"$bin" serve --listen "127.0.0.1:$port" --data-dir "$out/data" >"$out/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
jar="$out/cookies.txt"; rm -f "$jar"
csrf=$(curl -s -c "$jar" "$base/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
curl -s -b "$jar" -c "$jar" -o /dev/null --data "username=county_admin&password=demo-county-2022&csrf=$csrf" "$base/login"
session=$(awk '$6 == "sw_session" {print $7}' "$jar")
[ -n "$session" ] || { echo "login failed" >&2; exit 1; }
list=$(curl -s -b "sw_session=$session" "$base/households?page=50")
number=$(echo "$list" | sed -n 's/.*href="\/households\/\([0-9]*\)".*/\1/p' | head -n 1)
name=$(echo "$list" | sed -n 's/.*<td>\([^<]*\)<\/td><td class="mono">.*/\1/p' | head -n 1)
export PYTHONIOENCODING=utf-8
qname=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$name")
qsur=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1][:1]))' "$name")
echo "probe household $number, head $name"
for path in "/households?q=$qname" "/households?q=$qsur" "/households?q=$number" "/households/$number" "/households?page=2000" "/households?status=monitored" "/households?risk=01&page=20" "/"; do
  echo "== GET $path"
  wrk -t2 -c32 -d10s --latency -H "Cookie: sw_session=$session" "$base$path" | grep -E 'Requests/sec|50%|99%|Non-2xx'
done
