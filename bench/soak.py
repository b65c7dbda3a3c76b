#!/usr/bin/env python3
"""Soak driver (issue 20 part 5), standard library only: N simulated users against a running `shouwang
serve` through /api/v1, for a duration. Run by bench/soak.sh, which starts the server and checks the
audit log; alone:

    python3 bench/soak.py --base http://127.0.0.1:8080 --users 200 --seconds 600 --out summary.json

Roles in a county's proportions (of 200: 100 village teams, 60 cadres, 20 township admins, 8 county
admins, 6 department staff, 6 auditors), each user logged in once with the demo account of its role.
A user loops: think (uniform 0.5-1.5 s by default), then one action by its role's weights:
  search    GET  /households?q=…          (a surname, or a 户编号 prefix)
  open      GET  /households/{n}
  queues    GET  /queues
  me        GET  /me                      (the department staff: no registry reads)
  audit     GET  /audit
  change    GET  /households/{n}, PATCH /households/{n} (户情变更: the phone number, from the version read)
  clue      POST /clues (村专班 files a clue: 群众申请, merged into the case when one is open)
  followup  GET  /cases/{n}, POST /cases/{n}/follow-ups (the cadre's own households, a random month)
Counted per kind: requests, errors (5xx, 4xx other than 409/422, no answer), refusals (409/422: the
rules said no — a follow-up of a month already recorded, a clue on a closed case), p50/p99. Writes
that succeeded are counted apart: soak.sh compares them with the audit rows the run added.
"""

import argparse
import json
import os
import random
import threading
import time
import urllib.error
import urllib.request

# Every demo account's password (crates/app/src/demo: DEMO_PASSWORD); SOAK_PASSWORD overrides.
PASSWORD = os.environ.get("SOAK_PASSWORD", "demo-county-2022")
# Users per 200 and action weights by role.
MIX = [("village_team", 100), ("cadre", 60), ("township_admin", 20), ("county_admin", 8),
       ("department", 6), ("auditor", 6)]
ACTIONS = {
    "village_team": [("search", 35), ("open", 35), ("change", 15), ("clue", 15)],
    "cadre": [("search", 20), ("open", 30), ("queues", 20), ("followup", 30)],
    "township_admin": [("search", 40), ("open", 40), ("queues", 10), ("change", 10)],
    "county_admin": [("search", 50), ("open", 40), ("queues", 10)],
    # 部门数据员 upload their department's files and follow their rounds; no registry reads (PIPL).
    "department": [("me", 100)],
    "auditor": [("search", 40), ("open", 40), ("audit", 20)],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
WRITES = ("change", "clue", "followup")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.lat = {}
        self.errors = {}
        self.refused = {}
        self.writes = 0
        self.samples = []

    def record(self, kind, ms, outcome, detail=""):
        with self.lock:
            self.lat.setdefault(kind, []).append(ms)
            if outcome == "error":
                self.errors[kind] = self.errors.get(kind, 0) + 1
                if len(self.samples) < 20:
                    self.samples.append(f"{kind}: {detail}"[:300])
            elif outcome == "refused":
                self.refused[kind] = self.refused.get(kind, 0) + 1


def call(base, method, path, token=None, body=None):
    """(status, parsed JSON or None, milliseconds)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + "/api/v1" + path, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        raw = e.read()
        status = e.code
    except Exception as e:  # no answer: counted as an error by the caller
        return 0, {"error": repr(e)}, (time.perf_counter() - t0) * 1000
    ms = (time.perf_counter() - t0) * 1000
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        value = None
    return status, value, ms


def outcome(status):
    if 200 <= status < 300:
        return "ok"
    if status in (409, 422):
        return "refused"
    return "error"


class User(threading.Thread):
    def __init__(self, args, role, stats, stop, seed):
        super().__init__(daemon=True)
        self.args, self.role, self.stats, self.stop = args, role, stats, stop
        self.rng = random.Random(seed)
        self.token = None
        self.numbers = []
        self.mine = []

    def req(self, kind, method, path, body=None):
        status, value, ms = call(self.args.base, method, path, self.token, body)
        o = outcome(status)
        self.stats.record(kind, ms, o, f"{self.role} {method} {path} -> {status} {value}")
        return status, value, o

    def login(self):
        for attempt in range(20):
            status, value, ms = call(self.args.base, "POST", "/login", None,
                                     {"username": self.role, "password": PASSWORD})
            if status == 200:
                self.stats.record("login", ms, "ok")
                return value["token"]
            if status in (429, 503):  # throttled: wait and try again
                self.stats.record("login", ms, "refused")
                time.sleep(1 + attempt)
                continue
            self.stats.record("login", ms, "error", f"login {self.role} -> {status} {value}")
            return None
        return None

    def run(self):
        time.sleep(self.rng.uniform(0, self.args.ramp))
        self.token = self.login()
        if not self.token:
            return
        if self.role != "department":
            _, page, _ = self.req("search", "GET", f"/households?per_page=100&page={self.rng.randint(1, 3)}")
            self.numbers = [h["number"] for h in (page or {}).get("items", [])]
        if self.role == "cadre":
            _, q, _ = self.req("queues", "GET", "/queues")
            self.mine = [c["household_number"] for c in (q or {}).get("my_households", [])]
        weights = ACTIONS[self.role]
        kinds = [k for k, _ in weights]
        w = [x for _, x in weights]
        while not self.stop.is_set():
            time.sleep(self.rng.uniform(self.args.think * 0.5, self.args.think * 1.5))
            if self.stop.is_set():
                break
            self.act(self.rng.choices(kinds, w)[0])

    def act(self, kind):
        rng = self.rng
        if kind == "search":
            q = rng.choice(SURNAMES) if rng.random() < 0.7 or not self.numbers else rng.choice(self.numbers)[:12]
            self.req("search", "GET", "/households?q=" + urllib.request.quote(q))
        elif kind == "open" and self.numbers:
            self.req("open", "GET", "/households/" + rng.choice(self.numbers))
        elif kind == "me":
            self.req("me", "GET", "/me")
        elif kind == "queues":
            self.req("queues", "GET", "/queues")
        elif kind == "audit":
            self.req("audit", "GET", "/audit?page=1")
        elif kind == "change" and self.numbers:
            n = rng.choice(self.numbers)
            s, h, _ = self.req("open", "GET", "/households/" + n)
            if s == 200:
                phone = "139%08d" % rng.randint(0, 99999999)
                _, r, o = self.req("change", "PATCH", "/households/" + n,
                                   {"version": h["version"], "fields": {"phone": phone}})
                # The same phone again is no change: nothing written, no audit row.
                self.wrote(o if (r or {}).get("written", True) else "unchanged")
        elif kind == "clue" and self.numbers:
            n = rng.choice(self.numbers)
            report = {"household": n, "source": {"channel": "application", "applicant": "户主",
                      "stated_cause": "因病支出大", "means": "written"}, "risks": ["01"],
                      "reporter": "村专班", "reported_on": "2022-11-20"}
            _, _, o = self.req("clue", "POST", "/clues", {"report": report, "on": "2022-11-20"})
            self.wrote(o)
        elif kind == "followup" and self.mine:
            n = rng.choice(self.mine)
            s, c, _ = self.req("open", "GET", "/cases/" + n)
            if s == 200:
                # The classic demo has its follow-ups up to 2022-12: a month of 2023-2025.
                y, m = rng.randint(2023, 2025), rng.randint(1, 12)
                visit = {"month": f"{y}-{m:02d}", "visited_on": f"{y}-{m:02d}-10",
                         "measures_carried_out": True, "policies_received": True, "standards_secure": True,
                         "household_approves": True, "per_capita_income_estimate": 900_000, "notes": ""}
                _, _, o = self.req("followup", "POST", f"/cases/{n}/follow-ups",
                                   {"version": c.get("version") or c["case"]["version"], "on": f"{y}-{m:02d}-12", "visit": visit})
                self.wrote(o)

    def wrote(self, o):
        if o == "ok":
            with self.stats.lock:
                self.stats.writes += 1


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--think", type=float, default=1.0, help="mean think time between actions, seconds")
    ap.add_argument("--ramp", type=float, default=10.0, help="users log in spread over this many seconds")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: the clock)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    roles = []
    for role, share in MIX:
        roles += [role] * max(1, round(args.users * share / 200))
    roles = roles[: args.users]
    stats, stop = Stats(), threading.Event()
    seed = args.seed if args.seed is not None else time.time_ns()
    print(f"seed {seed}")
    users = [User(args, r, stats, stop, seed=seed + i) for i, r in enumerate(roles)]
    t0 = time.time()
    for u in users:
        u.start()
    time.sleep(args.seconds)
    stop.set()
    for u in users:
        u.join(timeout=90)
    wall = time.time() - t0
    kinds = {}
    for k, xs in sorted(stats.lat.items()):
        kinds[k] = {"requests": len(xs), "errors": stats.errors.get(k, 0), "refused": stats.refused.get(k, 0),
                    "p50_ms": round(pct(xs, 50), 1), "p99_ms": round(pct(xs, 99), 1)}
    summary = {"users": len(roles), "seconds": round(wall, 1), "kinds": kinds,
               "requests": sum(v["requests"] for v in kinds.values()),
               "errors": sum(v["errors"] for v in kinds.values()),
               "writes_ok": stats.writes, "error_samples": stats.samples,
               "roles": {r: roles.count(r) for r, _ in MIX}}
    with open(args.out, "w") as f:
        json.dump(summary, f, ensure_ascii=False, indent=1)
    print(f"{summary['requests']} requests in {summary['seconds']} s by {len(roles)} users, "
          f"{summary['errors']} errors, {stats.writes} writes")
    print("| kind | requests | errors | refused (409/422) | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for k, v in kinds.items():
        print(f"| {k} | {v['requests']} | {v['errors']} | {v['refused']} | {v['p50_ms']} | {v['p99_ms']} |")
    for s in stats.samples[:5]:
        print("error sample:", s)


if __name__ == "__main__":
    main()
