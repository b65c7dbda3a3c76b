#!/usr/bin/env python3
"""DuckDB baseline for docs/spec/screening.md: reads the CSVs directly, all rules
in SQL, money as integer fen (BIGINT / HUGEINT sums), writes flagged.csv.

    python3 baseline_duckdb.py DIR OUT_CSV [--year 2022] [--as-of 2022-06-30]
                                           [--line 6500] [--threads 2]

Requires: pip install duckdb
Prints per-file counts of rows, skipped (malformed) rows by bad column, and
unmatched rows to stderr.
"""
import argparse
import datetime as dt
import os
import re
import sys

import duckdb

HEADERS = {
    "households.csv": ["户编号", "村代码", "家庭人口", "上年家庭纯收入", "户类型"],
    "members.csv": ["身份证号", "户编号", "姓名", "与户主关系"],
    "medical.csv": ["身份证号", "结算日期", "医疗总费用", "基本医保支付", "大病保险支付", "医疗救助支付"],
    "education.csv": ["身份证号", "在校状态"],
    "disability.csv": ["身份证号", "残疾等级", "发证日期"],
    "housing.csv": ["身份证号", "鉴定日期", "安全等级"],
    "disaster.csv": ["身份证号", "发生日期", "损失金额"],
}
# same validation kinds as the column order above (None = free text)
KINDS = {
    "households.csv": [None, None, "size", "money", None],
    "members.csv": ["id", None, None, None],
    "medical.csv": ["id", "date", "money", "money", "money", "money"],
    "education.csv": ["id", None],
    "disability.csv": ["id", "int", "date"],
    "housing.csv": ["id", "date", None],
    "disaster.csv": ["id", "date", "money"],
}
DEPARTMENT = ["medical.csv", "education.csv", "disability.csv", "housing.csv", "disaster.csv"]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
MONEY_RE = r"-?[0-9]{1,15}(\.[0-9]{1,2})?"

MACROS = """
CREATE OR REPLACE TEMP MACRO id_ok(s) AS
  coalesce(regexp_full_match(s, '[0-9]{17}[0-9X]')
           AND substr('10X98765432', 1 + ((%s) %% 11)::INTEGER, 1) = substr(s, 18, 1), false);
CREATE OR REPLACE TEMP MACRO date_ok(s) AS
  coalesce(regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND substr(s, 1, 4) <> '0000'
           AND TRY_CAST(s AS DATE) IS NOT NULL, false);
CREATE OR REPLACE TEMP MACRO money_ok(s) AS coalesce(regexp_full_match(s, '%s'), false);
CREATE OR REPLACE TEMP MACRO int_ok(s) AS coalesce(regexp_full_match(s, '[0-9]{1,9}'), false);
CREATE OR REPLACE TEMP MACRO size_ok(s) AS coalesce(regexp_full_match(s, '[0-9]{1,9}') AND s::BIGINT >= 1, false);
CREATE OR REPLACE TEMP MACRO fen(s) AS CAST(CAST(s AS DECIMAL(18, 2)) * 100 AS BIGINT);
CREATE OR REPLACE TEMP MACRO fmt(v) AS
  (CASE WHEN v < 0 THEN '-' ELSE '' END) || (abs(v) // 100)::VARCHAR || '.'
  || lpad((abs(v) %% 100)::VARCHAR, 2, '0');
""" % (" + ".join("(unicode(substr(s, %d, 1)) - 48) * %d" % (i + 1, w) for i, w in enumerate(WEIGHTS)),
       MONEY_RE)


def q(s):
    return "'" + s.replace("'", "''") + "'"


def load(con, folder, name):
    """Creates raw_<stem> (all VARCHAR, columns c0..cN) and returns the stem."""
    path = os.path.join(folder, name)
    header = HEADERS[name]
    with open(path, encoding="utf-8-sig", newline="") as f:
        first = f.readline().rstrip("\r\n").split(",")
    if first != header:
        sys.exit("%s: header must be %s, found %s" % (name, ",".join(header), first))
    stem = name[:-4]
    cols = "{" + ", ".join("'c%d': 'VARCHAR'" % i for i in range(len(header))) + "}"
    con.execute(
        "CREATE TEMP TABLE raw_%s AS SELECT * FROM read_csv(%s, header = true, auto_detect = false, "
        "delim = ',', quote = '\"', escape = '\"', columns = %s, store_rejects = true, "
        "rejects_table = 'rej_%s', rejects_scan = 'rejscan_%s')"
        % (stem, q(path), cols, stem, stem))
    # validity: name of the first bad column, NULL when the row is valid
    cases = []
    for i, (col, kind) in enumerate(zip(header, KINDS[name])):
        if kind:
            cases.append("WHEN NOT %s_ok(c%d) THEN %s" % (kind, i, q(col)))
    con.execute("CREATE TEMP TABLE chk_%s AS SELECT *, CASE %s END AS bad FROM raw_%s"
                % (stem, " ".join(cases), stem))
    return stem


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("out")
    ap.add_argument("--year", type=int, default=2022)
    ap.add_argument("--as-of", default="2022-06-30")
    ap.add_argument("--line", default="6500")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    start = dt.date(a.year, 1, 1).isoformat()
    as_of = dt.date.fromisoformat(a.as_of).isoformat()
    if not re.fullmatch(MONEY_RE, a.line):
        sys.exit("bad --line")

    con = duckdb.connect()
    con.execute("SET threads = %d" % a.threads)
    con.execute(MACROS)
    for name in HEADERS:
        load(con, a.dir, name)

    con.execute(f"""
    CREATE TEMP TABLE hh AS
      SELECT c0 AS hid, c1 AS vcode, c4 AS htype, c2::BIGINT AS n, fen(c3) AS inc
      FROM chk_households WHERE bad IS NULL;
    CREATE TEMP TABLE person AS
      SELECT c0 AS pid, c1 AS hid FROM chk_members WHERE bad IS NULL;
    CREATE TEMP TABLE med AS
      SELECT m.hid, sum(fen(c2) - fen(c3) - fen(c4) - fen(c5)) AS oop
      FROM chk_medical d JOIN person m ON m.pid = d.c0
      WHERE d.bad IS NULL AND d.c1::DATE BETWEEN DATE '{start}' AND DATE '{as_of}'
      GROUP BY m.hid;
    CREATE TEMP TABLE school AS
      SELECT DISTINCT m.hid
      FROM chk_education d JOIN person m ON m.pid = d.c0
      WHERE d.bad IS NULL AND d.c1 = '辍学'
        AND substr(d.c0, 7, 4) <> '0000'
        AND TRY_CAST(substr(d.c0, 7, 4) || '-' || substr(d.c0, 11, 2) || '-' || substr(d.c0, 13, 2) AS DATE)
            IS NOT NULL
        AND {as_of[:4]} - substr(d.c0, 7, 4)::INTEGER
            - (CASE WHEN '{as_of[5:7] + as_of[8:10]}' < substr(d.c0, 11, 4) THEN 1 ELSE 0 END)
            BETWEEN 6 AND 16;
    CREATE TEMP TABLE dis AS
      SELECT DISTINCT m.hid
      FROM chk_disability d JOIN person m ON m.pid = d.c0
      WHERE d.bad IS NULL AND d.c1::INTEGER IN (1, 2)
        AND d.c2::DATE BETWEEN DATE '{start}' AND DATE '{as_of}';
    CREATE TEMP TABLE house AS
      SELECT DISTINCT m.hid
      FROM chk_housing d JOIN person m ON m.pid = d.c0
      WHERE d.bad IS NULL AND d.c2 IN ('C', 'D');
    CREATE TEMP TABLE loss AS
      SELECT m.hid, sum(fen(c2)) AS loss
      FROM chk_disaster d JOIN person m ON m.pid = d.c0
      WHERE d.bad IS NULL AND d.c1::DATE BETWEEN DATE '{start}' AND DATE '{as_of}'
      GROUP BY m.hid;
    """)
    line_fen = "fen(%s)" % q(a.line)
    con.execute(f"""
    CREATE TEMP TABLE flags AS
    WITH f AS (
      SELECT h.hid, h.vcode, h.htype, h.n, h.inc,
             coalesce(med.oop, 0) AS oop, coalesce(loss.loss, 0) AS loss,
             (coalesce(med.oop, 0) > 1000000 OR 2 * coalesce(med.oop, 0) > h.inc) AS illness,
             school.hid IS NOT NULL AS school,
             dis.hid IS NOT NULL AS disability,
             house.hid IS NOT NULL AS housing,
             (coalesce(loss.loss, 0) > 2000000 OR 2 * coalesce(loss.loss, 0) > h.inc) AS disaster,
             h.inc < {line_fen} * h.n AS low
      FROM hh h
      LEFT JOIN med USING (hid) LEFT JOIN loss USING (hid) LEFT JOIN school USING (hid)
      LEFT JOIN dis USING (hid) LEFT JOIN house USING (hid)
    )
    SELECT *,
           NOT low AND 2 * inc < 3 * {line_fen} * n
             AND (illness OR school OR disability OR housing OR disaster) AS near
    FROM f
    """)
    con.execute(f"""
    COPY (
      SELECT hid AS "户编号", vcode AS "村代码", htype AS "户类型",
             concat_ws(';', CASE WHEN illness THEN 'ILLNESS' END, CASE WHEN school THEN 'SCHOOL' END,
                       CASE WHEN disability THEN 'DISABILITY' END, CASE WHEN housing THEN 'HOUSING' END,
                       CASE WHEN disaster THEN 'DISASTER' END, CASE WHEN low THEN 'LOW_INCOME' END,
                       CASE WHEN near THEN 'NEAR_LINE' END) AS "风险代码",
             fmt(oop) AS "医疗自付合计", fmt(loss) AS "灾害损失合计",
             fmt(sign(inc) * ((2 * abs(inc) + n) // (2 * n))) AS "人均纯收入"
      FROM flags
      WHERE illness OR school OR disability OR housing OR disaster OR low
      ORDER BY hid
    ) TO {q(a.out)} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"')
    """)

    # summary on stderr (same format as reference.py)
    for name in HEADERS:
        stem = name[:-4]
        rows = con.execute("SELECT count(*) FROM raw_%s" % stem).fetchone()[0]
        nrej = con.execute("SELECT count(DISTINCT line) FROM rej_%s" % stem).fetchone()[0]
        bad = dict(con.execute("SELECT bad, count(*) FROM chk_%s WHERE bad IS NOT NULL GROUP BY bad"
                               % stem).fetchall())
        if nrej:
            bad["columns"] = nrej
        if name in DEPARTMENT:
            um = con.execute(
                "SELECT count(*) FROM chk_%s d WHERE bad IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM person m WHERE m.pid = d.c0)" % stem).fetchone()[0]
        else:
            um = "-"
        print("summary %s: rows=%d skipped=%d%s unmatched=%s" % (
            name, rows + nrej, sum(bad.values()),
            "".join(" [%s=%d]" % kv for kv in sorted(bad.items())), um), file=sys.stderr)
    nf, nh = con.execute("SELECT count(*) FILTER (WHERE illness OR school OR disability OR housing "
                         "OR disaster OR low), count(*) FROM flags").fetchone()
    print("summary flagged=%d households=%d" % (nf, nh), file=sys.stderr)


if __name__ == "__main__":
    main()
