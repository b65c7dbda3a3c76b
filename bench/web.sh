#!/usr/bin/env bash
# Web benchmark: Shouwang's pages against the bare-framework anchor (bench/anchor-web: the same stack,
# the same pool and pragmas, a one-SELECT cookie session), side by side in one run.
#
#   bench/web.sh [--households N] [--rounds R] [--seconds S]     defaults: 100000, 3, 10
#
# Builds both in release mode (the anchor with mimalloc, like for like; WEB_BIN / WEB_ANCHOR_BIN use
# binaries built before, e.g. an older commit's for a before/after pair), seeds both databases once per
# size under bench/out/web/ (gitignored; reused; WEB_OUT another folder, one per binary of another schema), starts both servers and runs wrk (-t2 -c32) on every
# route in R interleaved rounds: anchor route, then its Shouwang counterpart, then the next pair. Prints
# the median req/s, p50 and p99 of each route and the ratio Shouwang/anchor; pages with no anchor
# counterpart (工作台, registry filters) are printed against the anchor's household page. Installs wrk
# from Debian's packages when missing. Needs nothing outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
n=100000; rounds=3; secs=10
while [ $# -gt 0 ]; do
  case "$1" in
    --households) n=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --seconds) secs=$2; shift 2 ;;
    *) echo "usage: bench/web.sh [--households N] [--rounds R] [--seconds S]" >&2; exit 2 ;;
  esac
done
out=${WEB_OUT:-$root/bench/out/web}
mkdir -p "$out"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }; }
command -v curl >/dev/null || { echo "bench/web.sh needs curl" >&2; exit 2; }

if [ -n "${WEB_BIN:-}" ]; then
  bin=$WEB_BIN
else
  echo "building shouwang (release) ..." >&2
  cargo build --release -q -p shouwang
  bin=${CARGO_TARGET_DIR:-$root/target}/release/shouwang
fi
if [ -n "${WEB_ANCHOR_BIN:-}" ]; then
  anchor=$WEB_ANCHOR_BIN
else
  echo "building bench/anchor-web (release, mimalloc) ..." >&2
  (cd bench/anchor-web && cargo build --release -q --features mimalloc)
  anchor=$root/bench/anchor-web/target/release/anchor-web
fi

data=$out/shouwang_h$n
if [ ! -f "$data/.done" ]; then
  rm -rf "$data"
  echo "seeding the Shouwang demo county ($n households) ..." >&2
  "$bin" demo --classic --households "$n" --seed 1 --data-dir "$data" >"$out/demo.log" 2>&1
  touch "$data/.done"
fi
adb=$out/anchor_h$n.db
if [ ! -f "$adb.done" ]; then
  rm -f "$adb" "$adb-wal" "$adb-shm"
  echo "seeding the anchor ($n households) ..." >&2
  "$anchor" seed "$adb" "$n" >"$out/anchor-seed.log" 2>&1
  touch "$adb.done"
fi

port=$((30000 + RANDOM % 10000)); aport=$((port + 1))
"$bin" serve --listen "127.0.0.1:$port" --data-dir "$data" >"$out/serve.log" 2>&1 &
spid=$!
"$anchor" serve "$adb" "127.0.0.1:$aport" >"$out/anchor.log" 2>&1 &
apid=$!
trap 'kill $spid $apid 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"; abase="http://127.0.0.1:$aport"
for _ in $(seq 100); do
  curl -fs "$base/healthz" >/dev/null && curl -fs "$abase/healthz" >/dev/null && break
  sleep 0.2
done

# login USER: prints the session cookie of a demo account
login() {
  local jar csrf; jar=$(mktemp)
  csrf=$(curl -s -c "$jar" "$base/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
  curl -s -b "$jar" -c "$jar" -o /dev/null --data "username=$1&password=demo-county-2022&csrf=$csrf" "$base/login"
  awk '$6 == "sw_session" {print $7}' "$jar"; rm -f "$jar"
}
county=$(login county_admin); village=$(login village_team)
[ -n "$county" ] && [ -n "$village" ] || { echo "login failed (see $out/serve.log)" >&2; exit 1; }
urlq() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

# probes: a household and its head's full name on both sides
list=$(curl -s -b "sw_session=$county" "$base/households?page=50")
number=$(echo "$list" | sed -n 's/.*href="\/households\/\([0-9]*\)".*/\1/p' | head -n 1)
name=$(echo "$list" | sed -n 's/.*<td>\([^<]*\)<\/td><td class="mono">.*/\1/p' | head -n 1)
alist=$(curl -s -H 'Cookie: sid=anchor-bench-token' "$abase/search?q=$(urlq 张)")
anumber=$(echo "$alist" | sed -n 's/.*href="\/h\/\([0-9]*\)".*/\1/p' | head -n 1)
aname=$(echo "$alist" | sed -n 's/.*<td>\([^<]*\)<\/td><td class="mono">.*/\1/p' | head -n 1)
[ -n "$number" ] && [ -n "$name" ] && [ -n "$anumber" ] && [ -n "$aname" ] \
  || { echo "could not find probe households (shouwang '$number' '$name', anchor '$anumber' '$aname')" >&2; exit 1; }
echo "probes: shouwang household $number head $name; anchor household $anumber head $aname" >&2

# routes: label | anchor path | shouwang cookie | shouwang path
routes=(
  "household page|/h/$anumber|$county|/households/$number"
  "search by surname 张|/search?q=$(urlq 张)|$county|/households?q=$(urlq 张)"
  "search by full name|/search?q=$(urlq "$aname")|$county|/households?q=$(urlq "$name")"
  "工作台 county admin|/h/$anumber|$county|/"
  "工作台 village team|/h/$anumber|$village|/"
  "registry: 监测帮扶中|/h/$anumber|$county|/households?status=monitored"
  "registry: risk 01, page 20|/h/$anumber|$county|/households?risk=01&page=20"
)

# wrk_run COOKIE URL: prints "req_s p50_ms p99_ms non2xx"
wrk_run() {
  wrk -t2 -c32 -d"${secs}s" --latency -H "Cookie: $1" "$2" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, bad }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A runs
for ((r = 1; r <= rounds; r++)); do
  echo "round $r of $rounds ..." >&2
  for i in "${!routes[@]}"; do
    IFS='|' read -r label apath cookie spath <<<"${routes[$i]}"
    runs[a$i]+="$(wrk_run "sid=anchor-bench-token" "$abase$apath")"$'\n'
    runs[s$i]+="$(wrk_run "sw_session=$cookie" "$base$spath")"$'\n'
  done
done

col() { printf '%s' "${runs[$1]}" | awk -v c="$2" 'NF { print $c }' | median; }
printf '\n%s households, wrk -t2 -c32 -d%ss, median of %s interleaved rounds\n\n' "$n" "$secs" "$rounds"
printf '| page | Shouwang req/s | p50 / p99 ms | anchor req/s | p50 / p99 ms | ratio req/s | ratio p99 |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
status=0
for i in "${!routes[@]}"; do
  IFS='|' read -r label apath _ spath <<<"${routes[$i]}"
  sr=$(col s$i 1); s50=$(col s$i 2); s99=$(col s$i 3); sbad=$(col s$i 4)
  ar=$(col a$i 1); a50=$(col a$i 2); a99=$(col a$i 3)
  ref=""; [ "${apath%%\?*}" = "/h/$anumber" ] && [ "$label" != "household page" ] && ref=" (anchor: household page)"
  awk -v l="$label$ref" -v sr="$sr" -v s50="$s50" -v s99="$s99" -v ar="$ar" -v a50="$a50" -v a99="$a99" 'BEGIN {
    printf "| %s | %d | %.1f / %.1f | %d | %.1f / %.1f | %.2f | %.2f |\n", l, sr, s50, s99, ar, a50, a99, sr / ar, s99 / a99 }'
  [ "$sbad" = 0 ] || { echo "warning: $spath answered $sbad non-2xx responses" >&2; status=1; }
done
rss=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$spid/status"); arss=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$apid/status")
printf '\nRSS after the load: Shouwang %s MiB, anchor %s MiB\n' "$rss" "$arss"
exit $status
