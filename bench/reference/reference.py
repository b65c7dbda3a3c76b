#!/usr/bin/env python3
"""Plain-Python (stdlib only) reference implementation of docs/spec/screening.md,
for cross-checking other implementations on small inputs.

    python3 reference.py DIR OUT_CSV [--year 2022] [--as-of 2022-06-30] [--line 6500]

Money is kept as integer fen.  Malformed rows are skipped and listed on stderr
(file, line, reason), followed by a summary of counts per file.
"""
import argparse
import csv
import datetime as dt
import os
import re
import sys

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
MONEY = re.compile(r"(-?)([0-9]{1,15})(?:\.([0-9]{1,2}))?")
INT = re.compile(r"[0-9]{1,9}")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ID = re.compile(r"[0-9]{17}[0-9X]")

HEADERS = {
    "households.csv": ["户编号", "村代码", "家庭人口", "上年家庭纯收入", "户类型"],
    "members.csv": ["身份证号", "户编号", "姓名", "与户主关系"],
    "medical.csv": ["身份证号", "结算日期", "医疗总费用", "基本医保支付", "大病保险支付", "医疗救助支付"],
    "education.csv": ["身份证号", "在校状态"],
    "disability.csv": ["身份证号", "残疾等级", "发证日期"],
    "housing.csv": ["身份证号", "鉴定日期", "安全等级"],
    "disaster.csv": ["身份证号", "发生日期", "损失金额"],
}
# per file: how each column is validated (None = free text)
KINDS = {
    "households.csv": [None, None, "size", "money", None],
    "members.csv": ["id", None, None, None],
    "medical.csv": ["id", "date", "money", "money", "money", "money"],
    "education.csv": ["id", None],
    "disability.csv": ["id", "int", "date"],
    "housing.csv": ["id", "date", None],
    "disaster.csv": ["id", "date", "money"],
}


def parse_money(s):
    m = MONEY.fullmatch(s)
    if not m:
        return None
    frac = (m.group(3) or "").ljust(2, "0")
    v = int(m.group(2)) * 100 + int(frac)
    return -v if m.group(1) else v


def parse_date(s):
    if not DATE.fullmatch(s):
        return None
    try:
        return dt.date(int(s[0:4]), int(s[5:7]), int(s[8:10]))
    except ValueError:
        return None


def id_ok(s):
    if not ID.fullmatch(s):
        return False
    total = 0
    for i in range(17):
        total += (ord(s[i]) - 48) * WEIGHTS[i]
    return CHECK[total % 11] == s[17]


def parse_field(kind, s):
    """returns (ok, value)"""
    if kind is None:
        return True, s
    if kind == "id":
        return id_ok(s), s
    if kind == "date":
        d = parse_date(s)
        return d is not None, d
    if kind == "money":
        v = parse_money(s)
        return v is not None, v
    if kind == "int":
        return (True, int(s)) if INT.fullmatch(s) else (False, None)
    if kind == "size":
        if INT.fullmatch(s) and int(s) >= 1:
            return True, int(s)
        return False, None
    raise ValueError(kind)


class Reader:
    def __init__(self, folder):
        self.folder = folder
        self.bad = {}          # file -> {column: count}
        self.rows = {}         # file -> rows read (data rows)
        self.shown = 0

    def read(self, name):
        """yields parsed, valid rows (lists of values) of one file."""
        path = os.path.join(self.folder, name)
        header = HEADERS[name]
        kinds = KINDS[name]
        bad = self.bad.setdefault(name, {})
        n = 0
        with open(path, encoding="utf-8-sig", newline="") as f:
            rd = csv.reader(f)
            first = next(rd, None)
            if first != header:
                sys.exit("%s: header must be %s, found %s" % (name, ",".join(header), first))
            for row in rd:
                n += 1
                if len(row) != len(header):
                    self.report(name, rd.line_num, "columns")
                    bad["columns"] = bad.get("columns", 0) + 1
                    continue
                out = []
                for col, kind, s in zip(header, kinds, row):
                    ok, v = parse_field(kind, s)
                    if not ok:
                        self.report(name, rd.line_num, "%s %r" % (col, s))
                        bad[col] = bad.get(col, 0) + 1
                        break
                    out.append(v)
                else:
                    yield out
        self.rows[name] = n

    def report(self, name, line, why):
        self.shown += 1
        if self.shown <= 20:
            print("skipped %s line %d: bad %s" % (name, line, why), file=sys.stderr)


def fmt(v):
    sign = "-" if v < 0 else ""
    v = abs(v)
    return "%s%d.%02d" % (sign, v // 100, v % 100)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("out")
    ap.add_argument("--year", type=int, default=2022)
    ap.add_argument("--as-of", default="2022-06-30")
    ap.add_argument("--line", default="6500")
    ap.add_argument("--threads", type=int, default=1, help="ignored")
    a = ap.parse_args(argv)
    start = dt.date(a.year, 1, 1)
    as_of = dt.date.fromisoformat(a.as_of)
    line = parse_money(a.line)
    if line is None:
        sys.exit("bad --line")

    rd = Reader(a.dir)
    hh = {}
    for hid, vcode, size, income, htype in rd.read("households.csv"):
        hh[hid] = {"v": vcode, "t": htype, "n": size, "inc": income,
                   "oop": 0, "loss": 0, "school": False, "dis": False, "house": False}
    person = {}
    for pid, hid, _name, _rel in rd.read("members.csv"):
        person[pid] = hid

    unmatched = {}

    def household(name, pid):
        hid = person.get(pid)
        if hid is None:
            unmatched[name] = unmatched.get(name, 0) + 1
            return None
        return hh.get(hid)      # None when the member's household is not in households.csv

    for pid, d, total, basic, serious, aid in rd.read("medical.csv"):
        h = household("medical.csv", pid)
        if h is not None and start <= d <= as_of:
            h["oop"] += total - basic - serious - aid

    for pid, status in rd.read("education.csv"):
        h = household("education.csv", pid)
        if h is not None and status == "辍学":
            try:
                born = dt.date(int(pid[6:10]), int(pid[10:12]), int(pid[12:14]))
            except ValueError:
                continue
            age = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
            if 6 <= age <= 16:
                h["school"] = True

    for pid, grade, d in rd.read("disability.csv"):
        h = household("disability.csv", pid)
        if h is not None and grade in (1, 2) and start <= d <= as_of:
            h["dis"] = True

    for pid, _d, level in rd.read("housing.csv"):
        h = household("housing.csv", pid)
        if h is not None and level in ("C", "D"):
            h["house"] = True

    for pid, d, loss in rd.read("disaster.csv"):
        h = household("disaster.csv", pid)
        if h is not None and start <= d <= as_of:
            h["loss"] += loss

    out_rows = []
    for hid in sorted(hh):
        h = hh[hid]
        inc, n = h["inc"], h["n"]
        codes = []
        if h["oop"] > 1000000 or 2 * h["oop"] > inc:
            codes.append("ILLNESS")
        if h["school"]:
            codes.append("SCHOOL")
        if h["dis"]:
            codes.append("DISABILITY")
        if h["house"]:
            codes.append("HOUSING")
        if h["loss"] > 2000000 or 2 * h["loss"] > inc:
            codes.append("DISASTER")
        low = inc < line * n
        if low:
            codes.append("LOW_INCOME")
        elif 2 * inc < 3 * line * n and codes:
            codes.append("NEAR_LINE")
        if not codes:
            continue
        q = (2 * abs(inc) + n) // (2 * n)          # |inc| / n rounded half away from zero
        pc = -q if inc < 0 else q
        out_rows.append("%s,%s,%s,%s,%s,%s,%s" % (hid, h["v"], h["t"], ";".join(codes),
                                                   fmt(h["oop"]), fmt(h["loss"]), fmt(pc)))

    with open(a.out, "w", encoding="utf-8", newline="") as f:
        f.write("户编号,村代码,户类型,风险代码,医疗自付合计,灾害损失合计,人均纯收入\n")
        for r in out_rows:
            f.write(r + "\n")

    for name in HEADERS:
        bad = rd.bad.get(name, {})
        print("summary %s: rows=%d skipped=%d%s unmatched=%s" % (
            name, rd.rows.get(name, 0), sum(bad.values()),
            "".join(" [%s=%d]" % kv for kv in sorted(bad.items())),
            unmatched.get(name, 0) if name not in ("households.csv", "members.csv") else "-"),
            file=sys.stderr)
    print("summary flagged=%d households=%d" % (len(out_rows), len(hh)), file=sys.stderr)


if __name__ == "__main__":
    main()
