#!/usr/bin/env python3
"""Builds a 4x screening input from one generated folder, for the scaling
measurement of bench/screen.sh (gen_screening.py cannot make 4,000,000
households: its ID sequence space per birth day runs out).

    python3 bench/make_4x.py SRC_DIR DST_DIR

Copy c (0..3) of every row gets 户编号 prefixed with the digit c and ID
numbers whose first two digits become 14 + 10c, with the GB 11643 check
character recomputed (an ID that was malformed stays malformed). The copies
are disjoint, so flagged.csv has exactly 4x the rows of the source's.
"""
import os
import sys

W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHK = "10X98765432"
FILES = ["households.csv", "members.csv", "medical.csv", "education.csv",
         "disability.csv", "housing.csv", "disaster.csv"]


def check(s17):
    return CHK[sum(int(ch) * w for ch, w in zip(s17, W)) % 11]


def fix_id(s, c):
    if len(s) != 18 or not s[:17].isdigit():
        return s
    t = str(14 + 10 * c) + s[2:17]
    return t + (check(t) if check(s[:17]) == s[17] else s[17])


def main():
    src, dst = sys.argv[1], sys.argv[2]
    os.makedirs(dst, exist_ok=True)
    for name in FILES:
        with open(os.path.join(src, name), encoding="utf-8") as f:
            lines = f.read().split("\n")
        header, rows = lines[0], [line for line in lines[1:] if line]
        with open(os.path.join(dst, name), "w", encoding="utf-8", newline="\n") as out:
            out.write(header + "\n")
            for c in range(4):
                buf = []
                for line in rows:
                    p = line.split(",")
                    if name == "households.csv":
                        p[0] = str(c) + p[0]
                    elif name == "members.csv":
                        p[0] = fix_id(p[0], c)
                        p[1] = str(c) + p[1]
                    else:
                        p[0] = fix_id(p[0], c)
                    buf.append(",".join(p))
                out.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
