#!/usr/bin/env python3
"""Department files (docs/spec/screening.md format) for the members of a demo county, read from its
registry workbook (`shouwang export registry --out R.xlsx`: the database holds the ID numbers sealed), so
`shouwang screen --month` can be measured on the demo registry.  Standard library only.

    python3 bench/gen_demo_departments.py --registry R.xlsx --out DIR [--seed S]

Writes medical.csv, education.csv, disability.csv, housing.csv and disaster.csv with about the rates of
bench/reference/gen_screening.py: ~1.5 medical settlements a person (more for the old), the school-age
members' status, disability certificates for ~1.5 % of people, housing appraisals for ~4 % and disaster
losses for ~2 % of households (the head as applicant), and ~1 % of rows with ID numbers of no member.
Synthetic data only.
"""
import argparse
import datetime as dt
import os
import random
import xml.etree.ElementTree as ET
import zipfile

W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHK = "10X98765432"
REF = dt.date(2022, 6, 30)
D2021 = dt.date(2021, 1, 1).toordinal()
D2022E = dt.date(2022, 12, 31).toordinal()
D2015 = dt.date(2015, 1, 1).toordinal()


def fen(v):
    return "%d.%02d" % divmod(v, 100)


def age_of(pid):
    b = dt.date(int(pid[6:10]), int(pid[10:12]), int(pid[12:14]))
    return REF.year - b.year - ((REF.month, REF.day) < (b.month, b.day))


def registry_people(path):
    """(ID number, household number, relation) of every member of the workbook's 家庭成员 sheet, in its
    order; relation "head" for the 户主."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    z = zipfile.ZipFile(path)
    strings = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(ns + "si"):
            strings.append("".join(t.text or "" for t in si.iter(ns + "t")))
    sheets = {s.get("name"): s.get(rel) for s in ET.fromstring(z.read("xl/workbook.xml")).iter(ns + "sheet")}
    targets = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
    target = targets[sheets["家庭成员"]].lstrip("/")
    sheet = ET.fromstring(z.read(target if target.startswith("xl/") else "xl/" + target))

    def value(c):
        v = c.find(ns + "v")
        if c.get("t") == "s" and v is not None:
            return strings[int(v.text)]
        if v is not None:
            return v.text or ""
        return "".join(t.text or "" for t in c.iter(ns + "t"))

    def col(ref):
        return "".join(ch for ch in ref if ch.isalpha())

    rows = [{col(c.get("r")): value(c) for c in r.iter(ns + "c")} for r in sheet.iter(ns + "row")]
    header = {v: k for k, v in rows[0].items()}
    hid, pid, relc = header["户编号"], header["身份证号"], header["与户主关系"]
    return [(r.get(pid, ""), r.get(hid, ""), "head" if r.get(relc) == "户主" else "other")
            for r in rows[1:] if r.get(pid)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--registry", required=True, help="the workbook of `shouwang export registry`")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    rnd, rint = rng.random, rng.randint
    people = registry_people(a.registry)
    os.makedirs(a.out, exist_ok=True)

    def date_in(lo, hi):
        return dt.date.fromordinal(rint(lo, hi)).isoformat()

    def foreign():
        s = "141124%04d%02d%02d%03d" % (rint(1950, 2015), rint(1, 12), rint(1, 28), rint(0, 999))
        return s + CHK[sum(int(c) * w for c, w in zip(s, W)) % 11]

    def maybe_foreign(pid):
        return foreign() if rnd() < 0.01 else pid

    def write(name, header, rows):
        with open(os.path.join(a.out, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(header + "\n")
            for r in rows:
                f.write(r + "\n")

    ages = [age_of(p[0]) for p in people]
    heads = [p[0] for p in people if p[2] == "head"]

    cw, acc = [], 0.0
    for age in ages:
        acc += 0.35 + age / 40.0
        cw.append(acc)
    rows = []
    for i in rng.choices(range(len(people)), cum_weights=cw, k=int(1.5 * len(people))):
        u = rnd()
        if u < 0.004:
            total = int(rint(50000, 600000) * 100 * (1 + rnd()))
        elif u < 0.15:
            total = int(rng.lognormvariate(9.0, 0.8) * 100)
        else:
            total = int(rng.lognormvariate(5.6, 1.1) * 100)
        total = max(total, 500)
        basic = int(total * (0.45 + 0.3 * rnd())) if total > 100000 else int(total * 0.5 * rnd())
        rest = total - basic
        serious = int((rest - 1500000) * 0.6) if rest > 1500000 else 0
        rows.append("%s,%s,%s,%s,%s,0.00" % (maybe_foreign(people[i][0]), date_in(D2021, D2022E),
                                           fen(total), fen(basic), fen(serious)))
    write("medical.csv", "身份证号,结算日期,医疗总费用,基本医保支付,大病保险支付,医疗救助支付", rows)

    rows = []
    for (pid, _, _), age in zip(people, ages):
        if 5 <= age <= 22 and not (age >= 19 and rnd() < 0.6):
            u = rnd()
            st = "辍学" if u < 0.003 else "休学" if u < 0.005 else "毕业" if age >= 15 and u < 0.12 else "在校"
            rows.append("%s,%s" % (maybe_foreign(pid), st))
    write("education.csv", "身份证号,在校状态", rows)

    rows = ["%s,%d,%s" % (maybe_foreign(pid), rint(1, 4), date_in(D2015, D2022E))
            for pid, _, _ in people if rnd() < 0.015]
    write("disability.csv", "身份证号,残疾等级,发证日期", rows)

    rows = ["%s,%s,%s" % (maybe_foreign(pid), date_in(D2015, D2022E), rng.choice("AABBBCD"))
            for pid in heads if rnd() < 0.04]
    write("housing.csv", "身份证号,鉴定日期,安全等级", rows)

    rows = ["%s,%s,%s" % (maybe_foreign(pid), date_in(D2021, D2022E),
                          fen(int(rng.lognormvariate(8.5, 1.2) * 100)))
            for pid in heads if rnd() < 0.02]
    write("disaster.csv", "身份证号,发生日期,损失金额", rows)


if __name__ == "__main__":
    main()
