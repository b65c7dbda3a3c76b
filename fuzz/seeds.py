#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus/TARGET/ (small, hand-made inputs; the
fuzzers start from them). Files already there are kept; run again after adding a seed here.

    python3 fuzz/seeds.py
"""

import io
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "corpus"
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def idn(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, W)) % 11]


A, B, C = idn("14112319700517001"), idn("14112319700517002"), idn("14112320150101003")
COMBINED = "户编号,县,乡镇,行政村,村代码,户类型,家庭人口,姓名,公民身份号码,与户主关系,劳动技能,健康状况,是否参加城乡居民基本医疗保险"
ROWS = [
    f"T001,兴县,圪塔上乡,测试村,141123208201,脱贫户,2,张三,{A},户主,普通劳动力,健康,是",
    f"T001,兴县,圪塔上乡,测试村,141123208201,脱贫户,2,李四,{B},妻,,长期慢性病,是",
    f'T002,兴县,圪塔上乡,测试村,141123208201,一般农户,1,"王 ""五""",{C},户主,无劳动力,健康,否',
]
NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="x/styles" Target="styles.xml"/>'
        '<Relationship Id="rId3" Type="x/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
WORKBOOK = f'<workbook {NS}><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
STYLES = (f'<styleSheet {NS}><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
          '<numFmt numFmtId="165" formatCode="@"/></numFmts><cellXfs count="4"><xf numFmtId="0"/>'
          '<xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165"/><xf numFmtId="14"/></cellXfs></styleSheet>')


def col(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def sheet_parts(rows, merge=None, extra=""):
    """Shared strings and a sheet with the given rows of text (numbers as numbers)."""
    strings, xml = [], []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            ref = f"{col(c)}{r}"
            if v == "":
                continue
            if v.replace(".", "", 1).isdigit() and len(v) < 15:
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                strings.append(v.replace("&", "&amp;").replace("<", "&lt;"))
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    sst = f'<sst {NS} count="{len(strings)}">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>"
    merges = f'<mergeCells count="1"><mergeCell ref="{merge}"/></mergeCells>' if merge else ""
    sheet = (f'<worksheet {NS}><dimension ref="A1:{col(len(rows[0]) - 1)}{len(rows)}"/>'
             f'<sheetData>{"".join(xml)}{extra}</sheetData>{merges}</worksheet>')
    return sheet, sst


def xlsx(sheet, sst, styles=STYLES, workbook=WORKBOOK, rels=RELS, deflate=True):
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as z:
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        z.writestr("xl/sharedStrings.xml", sst)
        z.writestr("xl/styles.xml", styles)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def registry_rows():
    return [COMBINED.split(",")] + [r.replace('"王 ""五"""', "王五").split(",") for r in ROWS]


HAND_SHEET = (f'<worksheet {NS}><dimension ref="A1:F6"/><sheetData>'
              '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>in</t></is></c>'
              '<c r="C1" t="str"><f>A1</f><v>x &amp; y</v></c><c r="D1" t="b"><v>1</v></c>'
              '<c r="E1" t="e"><v>#N/A</v></c></row><row r="3"><c r="A3"><v>42</v></c>'
              '<c r="B3" s="1"><v>45000</v></c><c r="C3" s="3"><v>2.5</v></c><c r="D3" t="d"><v>2024-01-02</v></c>'
              '<c r="E3"><v>141123197005170119</v></c></row></sheetData></worksheet>')
HAND_SST = (f'<sst {NS}><si><t>户编号</t></si><si><r><t>姓</t></r><r><rPr><b/></rPr>'
            '<t xml:space="preserve">名 </t></r></si><si><t>张</t><rPh sb="0" eb="1"><t>zhang</t></rPh></si></sst>')


def seeds():
    rows = registry_rows()
    title = [["兴县测试村农户信息台账"] + [""] * (len(rows[0]) - 1)] + rows
    s1, t1 = sheet_parts(rows)
    s2, t2 = sheet_parts(title, merge="A1:M1")
    s3, t3 = sheet_parts(rows, extra="")
    csv_utf8 = "\n".join([COMBINED] + ROWS) + "\n"
    yield "csv_registry", "utf8.csv", csv_utf8.encode()
    yield "csv_registry", "bom.csv", b"\xef\xbb\xbf" + csv_utf8.replace("\n", "\r\n").encode()
    yield "csv_registry", "gbk.csv", csv_utf8.encode("gb18030")
    yield "csv_registry", "utf16.csv", b"\xff\xfe" + csv_utf8.encode("utf-16-le")
    yield "csv_registry", "tabs.csv", csv_utf8.replace(",", "\t").encode()
    yield "csv_registry", "title.csv", ("农户台账\n\n" + csv_utf8.replace(",", ";")).encode()
    yield "csv_registry", "income.csv", "户编号,年度,工资性收入,经营净收入,财产净收入,转移净收入,生产经营支出\nT001,2022,1000.5,200,0,300,=1+1\n".encode()
    yield "csv_registry", "binary.bin", b"%PDF-1.4\n\x00\x01"
    yield "csv_registry", "xlsx.bin", xlsx(s1, t1)
    for i, name in enumerate(["households", "members", "incomes", "combined"]):
        body = "\n".join(ROWS) if name == "combined" else ""
        if name == "households":
            body = "T001,兴县,圪塔上乡,测试村,141123208201,,,脱贫户,,,否,某地,13800000000,2\nT002,兴县,,,141123208201,,,一般农户,,,,,,1\n"
        if name == "members":
            body = f"T001,张三,{A},男,户主,普通劳动力,健康,,,,,是,否,否\nT001,李四,{B},女,妻,,,,,,,是,,\nT002,王五,{C[:17]}x,,户主,,,一级,,,,,,\n"
        if name == "incomes":
            body = "T001,2022,1000.5,200,0,300,5\nT002,2021,-1,abc,,,\n"
        yield "registry_rows", f"{name}.csv", bytes([i]) + body.encode()
    yield "registry_rows", "merged_rows.csv", bytes([3]) + ("\n".join(ROWS + [",,,,,,,赵六," + idn("14112319800101005") + ",子,,,"])).encode()
    for name, value in [("valid", A), ("x_lower", C[:17] + "x"), ("fullwidth", "".join(chr(0xFF10 + int(d)) for d in A[:17]) + A[17]),
                        ("spaces", f" {A[:6]} {A[6:14]} {A[14:]}\t"), ("scientific", "1.41123E+17"), ("short", A[:15]),
                        ("bad_check", A[:17] + ("0" if A[17] != "0" else "1")), ("bad_birth", idn("14112319701332001")),
                        ("excel_000", "141123197005170000"), ("empty", ""), ("mask", f"户主 {A}，妻 {B}x {C}")]:
        yield "idnum", name, value.encode()
    fields = f'{A}, 2022-03-01 ,"1,234.50",  ００１２ ,-0.5,"a""b"\r\n{C[:17]}x,2022/3/1,1e3,4294967296,\u3000x\u3000\n"open quote\n'
    yield "screen_fields", "mixed.csv", fields.encode()
    yield "screen_fields", "dates", b"2022-02-29,2024-02-29,0000-01-01,9999-12-31,2022-1-1,20220101\n"
    yield "screen_fields", "money", b"-0,0.00,12345678901234567,1.234,-.5,+3,999999999\n"
    yield "screen_fields", "quotes", b'"a\n"b",\r\r\n""""\n,,,\n'
    dept = {
        0: "户编号,村代码,家庭人口,上年家庭纯收入,户类型\nH1,141123208201,2,5000.50,脱贫户\nH1,141123208201,0,-1,一般农户\n",
        1: f"身份证号,户编号,姓名\n{A},H1,甲\n{B},H9,乙\n{A},H2,重\n",
        2: f"医保结算 身份证号,结算日期,医疗总费用,基本医保支付,大病保险支付,医疗救助支付\n{A},2022-03-01,99999999999.99,1,1,1\n{B},2021-12-31,5,,1,1\n",
        3: f"身份证号,在校状态\n{C},辍学\n{C},\n",
        4: f"身份证号,残疾等级,发证日期,备注\n{A},5,2022-02-30,x\n",
        5: f"安全等级,鉴定日期,身份证号\nD级,2022-04-04,{B}\n",
        6: f"身份证号,发生日期,损失金额\n{B},2022-05-05,30000\n{B},2022-05-06,1e9\n",
    }
    for k, text in dept.items():
        yield "department_file", f"kind{k}.csv", bytes([k]) + text.encode()
    yield "department_file", "kind2_gbk.csv", bytes([2]) + dept[2].encode("gb18030")
    dept_sheet, dept_sst = sheet_parts([r.split(",") for r in dept[6].strip().split("\n")])
    yield "department_file", "kind6.xlsx", bytes([6]) + xlsx(dept_sheet, dept_sst)
    yield "xlsx", "registry.xlsx", xlsx(s1, t1)
    yield "xlsx", "title_merged.xlsx", xlsx(s2, t2)
    yield "xlsx", "stored.xlsx", xlsx(s3, t3, deflate=False)
    yield "xlsx", "hand.xlsx", xlsx(HAND_SHEET, HAND_SST)
    yield "xlsx", "date1904.xlsx", xlsx(HAND_SHEET, HAND_SST, workbook=WORKBOOK.replace("<sheets>", '<workbookPr date1904="1"/><sheets>'))
    yield "xlsx", "not_zip.bin", b"PK\x03\x04 not really"
    sep = b"\xff"
    yield "xlsx_parts", "registry", sep.join(p.encode() for p in (s1, t1, STYLES, WORKBOOK, RELS))
    yield "xlsx_parts", "merged", sep.join(p.encode() for p in (s2, t2))
    yield "xlsx_parts", "hand", sep.join(p.encode() for p in (HAND_SHEET, HAND_SST, STYLES))
    yield "xlsx_parts", "two_sheets", sep.join(p.encode() for p in (
        HAND_SHEET, HAND_SST, STYLES,
        WORKBOOK.replace("</sheets>", '<sheet name="T" sheetId="2" r:id="rId4"/></sheets>'),
        RELS.replace("</Relationships>", '<Relationship Id="rId4" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')))
    yield "xlsx_parts", "sheet_only", s1.encode()


def main():
    for target, name, data in seeds():
        d = ROOT / target
        d.mkdir(parents=True, exist_ok=True)
        (d / f"seed-{name}").write_bytes(data)


if __name__ == "__main__":
    main()
