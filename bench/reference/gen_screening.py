#!/usr/bin/env python3
"""Deterministic synthetic input generator for the department-data screening
spec (docs/spec/screening.md).  Standard library only.

    python3 gen_screening.py --out DIR --households N [--seed S] [--dirty RATE]

Writes the 7 input CSV files (UTF-8, header row first, '\n' line ends).
Same arguments + same Python version => byte-identical files.

Code scheme (synthetic, region 141123 = Xing County, Lüliang, Shanxi):
  村代码 (12 digits) = 141123 + TTT (township, 15 codes: 100-106 镇, 200-207 乡)
                              + VVV (village, 20 per township: 200-219)
  户编号 (17 digits) = 村代码 + SSSSS (household serial within the village, from 00001)
  身份证号 (18 chars) = 1411xx region (mostly 141123) + YYYYMMDD birth date
                       + 3-digit sequence (last digit odd = male, even = female)
                       + GB 11643 check character.
Dates of department rows are spread over 2021-01-01..2022-12-31 (disability
certificates over 2015-01-01..2022-12-31); ages are drawn relative to 2022-06-30.
About 1% of department rows carry valid ID numbers that are not in the registry.
--dirty RATE replaces that fraction of department rows with malformed rows
(bad check character, non-numeric amount / grade, bad date).
"""
import argparse
import datetime as dt
import os
import random
import sys

W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHK = "10X98765432"

REGION = "141123"
OTHER_REGIONS = ["141102", "141121", "141122", "141124", "141125", "141126",
                 "141127", "141128", "141129", "141130", "141181", "141182"]
TOWNSHIPS = ["100", "101", "102", "103", "104", "105", "106",
             "200", "201", "202", "203", "204", "205", "206", "207"]
VILLAGES = ["%03d" % v for v in range(200, 220)]

SURNAMES = ("王李张刘郭杨高贾白任武赵温田薛冯康孙牛苗贺乔韩梁马闫吕常"
            "胡许宋程段陈周徐朱秦成雷崔曹樊孟霍范柴石邓侯史郝卫")
SURNAME_W = [30, 26, 24, 22, 18, 16, 15, 12, 12, 11, 11, 10, 9, 9, 9, 8, 8, 8, 7, 7,
             7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4,
             4, 3, 3, 3, 3, 3, 3, 3, 3]
MALE_CH = "伟强军平明建国华志勇斌俊杰涛亮刚海东林峰磊鹏辉飞文斌宏兵成永福贵生旺喜宝"
FEMALE_CH = "芳秀英娟丽敏静霞燕梅兰玲红琴凤萍艳娥花桂珍翠莉娜婷慧霞云月春玉"

HH_SIZE_W = [14, 26, 22, 19, 12, 5, 2]            # sizes 1..7, mean ~3.12
HH_TYPES = ["脱贫户", "监测户", "一般农户"]
HH_TYPE_W = [35, 3, 62]
PC_MEDIAN = {"脱贫户": 12500.0, "监测户": 9000.0, "一般农户": 15500.0}

REF = dt.date(2022, 6, 30)          # ages are drawn relative to this day
D2021 = dt.date(2021, 1, 1).toordinal()
D2022E = dt.date(2022, 12, 31).toordinal()
D2015 = dt.date(2015, 1, 1).toordinal()


def fen(v):
    return "%d.%02d" % divmod(v, 100) if v >= 0 else "-" + fen(-v)


class Dates:
    """ordinal -> 'YYYY-MM-DD' and 'YYYYMMDD' + weighted digit sum, cached."""

    def __init__(self, lo, hi):
        self.lo = lo
        self.iso = []
        self.compact = []
        self.wsum = []
        for o in range(lo, hi + 1):
            d = dt.date.fromordinal(o)
            s = d.isoformat()
            c = s.replace("-", "")
            self.iso.append(s)
            self.compact.append(c)
            self.wsum.append(sum(int(ch) * w for ch, w in zip(c, W[6:14])))


def check_char(s17):
    return CHK[sum(int(c) * w for c, w in zip(s17, W)) % 11]


def wsum6(p):
    return sum(int(c) * w for c, w in zip(p, W[:6]))


class IdMaker:
    def __init__(self, rng, dates):
        self.rng = rng
        self.dates = dates
        self.used = set()
        self.seq_w = [sum(int(c) * w for c, w in zip("%03d" % q, W[14:17])) for q in range(1000)]
        self.reg_w = {r: wsum6(r) for r in [REGION] + OTHER_REGIONS}

    def make(self, region, birth_ord, male):
        rng = self.rng
        i = birth_ord - self.dates.lo
        b = self.dates.compact[i]
        base = self.reg_w[region] + self.dates.wsum[i]
        while True:
            q = rng.randrange(500) * 2 + (1 if male else 0)
            key = (region, i, q)
            if key not in self.used:
                self.used.add(key)
                break
        return "%s%s%03d%s" % (region, b, q, CHK[(base + self.seq_w[q]) % 11])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--households", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dirty", type=float, default=0.0)
    a = ap.parse_args(argv)
    n_hh = a.households
    if n_hh < 1 or n_hh > 300 * 99999 // 2:
        sys.exit("--households must be 1..%d" % (300 * 99999 // 2))
    os.makedirs(a.out, exist_ok=True)

    rng = random.Random(a.seed)                  # registry + clean department rows
    drng = random.Random(a.seed * 7919 + 17)     # dirty-row decisions only
    ref = REF.toordinal()
    dates = Dates(dt.date(1925, 1, 1).toordinal(), D2022E)
    ids = IdMaker(rng, dates)
    rnd = rng.random
    rint = rng.randint

    # ---------------- registry ----------------
    villages = [REGION + t + v for t in TOWNSHIPS for v in VILLAGES]
    vw = [0.4 + 1.2 * rnd() for _ in villages]
    counts = [0] * len(villages)
    for vi in rng.choices(range(len(villages)), weights=vw, k=n_hh):
        counts[vi] += 1

    hh_lines = ["户编号,村代码,家庭人口,上年家庭纯收入,户类型"]
    mem_lines = ["身份证号,户编号,姓名,与户主关系"]
    sizes = rng.choices(range(1, 8), weights=HH_SIZE_W, k=n_hh)
    types = rng.choices(HH_TYPES, weights=HH_TYPE_W, k=n_hh)
    sn_cw = []
    acc = 0
    for w in SURNAME_W:
        acc += w
        sn_cw.append(acc)

    p_id = []      # person -> ID
    p_age = []     # person -> age on REF
    p_hh = []      # person -> household index
    h_head = []    # household -> head person index
    h_type = types
    h_income = []  # fen

    def birth(age):
        return ref - int(age * 365.2425) - rint(0, 364)

    def region():
        return REGION if rnd() < 0.9 else OTHER_REGIONS[int(rnd() * len(OTHER_REGIONS))]

    def gname(male):
        chars = MALE_CH if male else FEMALE_CH
        if rnd() < 0.25:
            return chars[int(rnd() * len(chars))]
        return chars[int(rnd() * len(chars))] + chars[int(rnd() * len(chars))]

    def surname():
        return rng.choices(SURNAMES, cum_weights=sn_cw)[0]

    hi = 0
    for vi, village in enumerate(villages):
        for serial in range(1, counts[vi] + 1):
            hid = "%s%05d" % (village, serial)
            size = sizes[hi]
            htype = types[hi]
            # members: (relation, age, male, surname)
            sn = surname()
            head_male = rnd() < 0.85
            head_age = rint(24, 90) if rnd() < 0.8 else rint(55, 90)
            if size == 1:
                head_age = max(head_age, rint(40, 90))
            mem = [("户主", head_age, head_male, sn)]
            left = size - 1
            if left and rnd() < 0.88:
                mem.append(("配偶", max(20, min(95, head_age + rint(-6, 4) * (1 if head_male else -1))),
                            not head_male, surname()))
                left -= 1
            if left and head_age < 50 and rnd() < 0.45:
                k = 1 if left == 1 or rnd() < 0.5 else 2
                for j in range(k):
                    father = (j == 0) if k == 2 else rnd() < 0.4
                    mem.append(("之父" if father else "之母",
                                min(95, head_age + rint(21, 36)), father,
                                sn if father else surname()))
                left -= k
            if left and head_age >= 58:
                k = min(left, rint(1, 2))
                for _ in range(k):
                    male = rnd() < 0.52
                    mem.append(("之子" if male else "之女", max(0, head_age - rint(22, 36)), male, sn))
                left -= k
                while left:
                    male = rnd() < 0.52
                    mem.append(("之孙子" if male else "之孙女", rint(0, 20), male, sn))
                    left -= 1
            while left:
                if rnd() < 0.03:
                    male = rnd() < 0.5
                    mem.append(("其他", rint(5, 80), male, surname()))
                else:
                    male = rnd() < 0.52
                    mem.append(("之子" if male else "之女",
                                max(0, min(head_age - 18, head_age - rint(20, 42))), male, sn))
                left -= 1
            h_head.append(len(p_id))
            for rel, age, male, s in mem:
                pid = ids.make(REGION if rel in ("户主", "之子", "之女", "之孙子", "之孙女") and rnd() < 0.97
                               else region(), birth(age), male)
                p_id.append(pid)
                p_age.append(age)
                p_hh.append(hi)
                mem_lines.append("%s,%s,%s%s,%s" % (pid, hid, s, gname(male), rel))
            # income: per-capita log-normal by household type, a few boundary cases
            u = rnd()
            line = 650000 * size
            if u < 0.002:
                inc = line                      # exactly on the monitoring line
            elif u < 0.004:
                inc = line - 1                  # one fen below
            elif u < 0.005:
                inc = line * 3 // 2             # exactly 1.5x
            else:
                pc = max(1500.0, rng.lognormvariate(0.0, 0.45) * PC_MEDIAN[htype])
                inc = int(pc * size * 100)
                if rnd() < 0.5:
                    inc -= inc % 100            # whole yuan
            h_income.append(inc)
            hh_lines.append("%s,%s,%d,%s,%s" % (hid, village, size,
                                                 fen(inc) if inc % 100 else "%d" % (inc // 100), htype))
            hi += 1
    write(a.out, "households.csv", hh_lines)
    write(a.out, "members.csv", mem_lines)
    del hh_lines, mem_lines
    n_p = len(p_id)

    # foreign (unmatched) IDs: valid check char, not in the registry
    def foreign_id():
        return ids.make(region(), birth(rint(0, 90)), rnd() < 0.5)

    def date_in(lo, hi_):
        return dates.iso[rint(lo, hi_) - dates.lo]

    def maybe_foreign(pid):
        return foreign_id() if rnd() < 0.01 else pid

    dirty = a.dirty
    stats = {}

    def dirtify(fields, kinds):
        """kinds: list of (field index, kind) that may be corrupted."""
        i, kind = kinds[int(drng.random() * len(kinds))]
        v = fields[i]
        if kind == "id":
            r = drng.random()
            if r < 0.9 or v[17] == "X":
                good = v[17]
                bad = CHK[(CHK.index(good) + 1 + int(drng.random() * 10)) % 11]
                fields[i] = v[:17] + bad
            elif r < 0.95:
                fields[i] = v[:17]                         # 17 characters
            else:
                fields[i] = v[:17] + "x"                   # lower-case x where X is not the check char
        elif kind == "num":
            fields[i] = drng.choice(['"1,%s.50"' % v.replace(".", "")[-3:], "N/A", "", "约%s" % v,
                                     v + "元", "12.3.4", "1.234"])
        elif kind == "date":
            fields[i] = drng.choice(["2022-02-30", v.replace("-", "/"), v.replace("-", ""), "2022-13-01",
                                     "", "2021-6-1", "未知"])
        return ",".join(fields)

    def emit(lines, name, fields, kinds):
        if dirty and drng.random() < dirty:
            stats[name] = stats.get(name, 0) + 1
            lines.append(dirtify(fields, kinds))
        else:
            lines.append(",".join(fields))

    # ---------------- medical: ~1.5 settlements per person, more for the old ----------------
    n_med = int(round(1.5 * n_p))
    cw = []
    acc = 0.0
    for age in p_age:
        acc += 0.35 + age / 40.0
        cw.append(acc)
    lines = ["身份证号,结算日期,医疗总费用,基本医保支付,大病保险支付,医疗救助支付"]
    kinds = [(0, "id"), (1, "date"), (2, "num"), (3, "num"), (4, "num"), (5, "num")]
    lognorm = rng.lognormvariate
    for p in rng.choices(range(n_p), cum_weights=cw, k=n_med):
        u = rnd()
        if u < 0.004:
            total = int(rint(50000, 600000) * 100 * (1 + rnd()))      # very large
        elif u < 0.15:
            total = int(lognorm(9.0, 0.8) * 100)                      # inpatient
        else:
            total = int(lognorm(5.6, 1.1) * 100)                      # outpatient
        total = max(total, 500)
        basic = int(total * (0.45 + 0.3 * rnd())) if total > 100000 else int(total * 0.5 * rnd())
        rest = total - basic
        serious = int((rest - 1500000) * 0.6) if rest > 1500000 else 0
        rest -= serious
        poor = h_type[p_hh[p]] != "一般农户"
        aid = int(rest * (0.5 + 0.3 * rnd())) if poor and total > 100000 and rnd() < 0.8 else 0
        fields = [maybe_foreign(p_id[p]), date_in(D2021, D2022E), fen(total), fen(basic),
                  fen(serious), fen(aid)]
        emit(lines, "medical.csv", fields, kinds)
    write(a.out, "medical.csv", lines)

    # ---------------- education: school-age members ----------------
    lines = ["身份证号,在校状态"]
    kinds = [(0, "id")]
    for p in range(n_p):
        age = p_age[p]
        if 5 <= age <= 22:
            if age >= 19 and rnd() < 0.6:
                continue
            u = rnd()
            if u < 0.003:
                st = "辍学"
            elif u < 0.005:
                st = "休学"
            elif age >= 15 and u < 0.12:
                st = "毕业"
            else:
                st = "在校"
            emit(lines, "education.csv", [maybe_foreign(p_id[p]), st], kinds)
    write(a.out, "education.csv", lines)

    # ---------------- disability: ~3% of persons ----------------
    lines = ["身份证号,残疾等级,发证日期"]
    kinds = [(0, "id"), (1, "num"), (2, "date")]
    n_dis = int(round(0.03 * n_p))
    cw = []
    acc = 0.0
    for age in p_age:
        acc += 0.3 + age / 50.0
        cw.append(acc)
    seen = set()
    for p in rng.choices(range(n_p), cum_weights=cw, k=n_dis):
        if p in seen:
            continue
        seen.add(p)
        grade = rng.choices("1234", weights=[12, 23, 30, 35])[0]
        emit(lines, "disability.csv", [maybe_foreign(p_id[p]), grade, date_in(D2015, D2022E)], kinds)
    del seen
    write(a.out, "disability.csv", lines)

    # ---------------- housing: ~30% of households, applicant = head ----------------
    lines = ["身份证号,鉴定日期,安全等级"]
    kinds = [(0, "id"), (1, "date")]
    for h in range(n_hh):
        if rnd() >= 0.30:
            continue
        k = 2 if rnd() < 0.05 else 1
        for _ in range(k):
            u = rnd()
            g = "A" if u < 0.60 else "B" if u < 0.98 else "C" if u < 0.995 else "D"
            emit(lines, "housing.csv", [maybe_foreign(p_id[h_head[h]]), date_in(D2021, D2022E), g], kinds)
    write(a.out, "housing.csv", lines)

    # ---------------- disaster: ~1% of households, applicant = head ----------------
    lines = ["身份证号,发生日期,损失金额"]
    kinds = [(0, "id"), (1, "date"), (2, "num")]
    for h in range(n_hh):
        if rnd() >= 0.01:
            continue
        k = 2 if rnd() < 0.15 else 1
        for _ in range(k):
            loss = int(lognorm(8.8, 1.0) * 100)
            if rnd() < 0.5:
                loss -= loss % 100
            emit(lines, "disaster.csv", [maybe_foreign(p_id[h_head[h]]), date_in(D2021, D2022E), fen(loss)],
                 kinds)
    write(a.out, "disaster.csv", lines)

    if dirty:
        print("malformed rows written: " + ", ".join("%s=%d" % kv for kv in sorted(stats.items())),
              file=sys.stderr)


def write(out, name, lines):
    with open(os.path.join(out, name), "w", encoding="utf-8", newline="\n") as f:
        for i in range(0, len(lines), 200000):
            f.write("\n".join(lines[i:i + 200000]))
            f.write("\n")


if __name__ == "__main__":
    main()
