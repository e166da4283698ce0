"""Spreadsheets written the way agencies' files are, for the reader tests.

``.xlsx`` with openpyxl; binary ``.xls`` (BIFF8) with xlwt — unmaintained since 2017,
so a test-only dependency, but the only Python writer of the format. A WPS ``.et``
file is the same BIFF8 workbook (see ``gxcrawler/formats/sheets.py``).
"""

from __future__ import annotations

import io
import re
import zipfile

from gxcrawler.synthetic.archives import sheet_rows, stored_value
from gxcrawler.synthetic.report import SyntheticReport
from gxcrawler.synthetic.tables import expand

#: (row, col, text-or-number, rowspan, colspan): section 三 of a 2021 report, the way a
#: statistics office lays it out in a sheet — title over the whole width, the applicant
#: header three rows deep, numbers stored as numbers, a blank printed as "/", a total
#: with a thousands format, the 万元 amount with decimals elsewhere
S3_SHEET: list[tuple[int, int, object, int, int]] = [
    (0, 0, "某县统计局2023年政府信息公开工作年度报告", 1, 10),
    (1, 0, "三、收到和处理政府信息公开申请情况", 1, 10),
    (2, 0, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
    (2, 3, "申请人情况", 1, 7),
    (3, 3, "自然人", 2, 1),
    (3, 4, "法人或其他组织", 1, 5),
    (3, 9, "总计", 2, 1),
    (4, 4, "商业企业", 1, 1),
    (4, 5, "科研机构", 1, 1),
    (4, 6, "社会公益组织", 1, 1),
    (4, 7, "法律服务机构", 1, 1),
    (4, 8, "其他", 1, 1),
    (5, 0, "一、本年新收政府信息公开申请数量", 1, 3),
    (5, 3, 1203, 1, 1),
    (5, 4, 12, 1, 1),
    (5, 5, "/", 1, 1),
    (5, 6, 0, 1, 1),
    (5, 7, 3, 1, 1),
    (5, 8, 1, 1, 1),
    (5, 9, 1219, 1, 1),
]
S3_EXPECTED = [
    ["某县统计局2023年政府信息公开工作年度报告"] * 10,
    ["三、收到和处理政府信息公开申请情况"] * 10,
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] * 3 + ["申请人情况"] * 7,
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] * 3
    + ["自然人"] + ["法人或其他组织"] * 5 + ["总计"],
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] * 3
    + ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"],
    ["一、本年新收政府信息公开申请数量"] * 3 + ["1203", "12", "/", "0", "3", "1", "1219"],
]


def xlsx_from_cells(cells, *, hidden_col: int | None = None, hidden_sheet: bool = False) -> bytes:
    """A workbook with ``cells`` on its first sheet; a hidden helper column or sheet on request."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    for r, c, value, rs, cs in cells:
        target = sheet.cell(r + 1, c + 1, value)
        if isinstance(value, int) and value >= 1000:
            target.number_format = "#,##0"
        if rs > 1 or cs > 1:
            sheet.merge_cells(start_row=r + 1, start_column=c + 1, end_row=r + rs, end_column=c + cs)
    if hidden_col is not None:
        letter = get_column_letter(hidden_col + 1)
        for r in range(1, 7):
            sheet.cell(r, hidden_col + 1, 99999)  # a helper column the printout hides
        sheet.column_dimensions[letter].hidden = True
    if hidden_sheet:
        other = book.create_sheet("上年数据")
        other.cell(1, 1, "一、本年新收政府信息公开申请数量")
        other.cell(1, 2, 777)
        other.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls_from_cells(cells, *, hidden_col: int | None = None, hidden_sheet: bool = False) -> bytes:
    """The same sheet as a BIFF8 ``.xls`` (what Excel 97–2003 and WPS's ``.et`` store)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    thousands = xlwt.easyxf(num_format_str="#,##0")
    for r, c, value, rs, cs in cells:
        style = thousands if isinstance(value, int) and value >= 1000 else xlwt.Style.default_style
        if rs > 1 or cs > 1:
            sheet.write_merge(r, r + rs - 1, c, c + cs - 1, value, style)
        else:
            sheet.write(r, c, value, style)
    if hidden_col is not None:
        for r in range(6):
            sheet.write(r, hidden_col, 99999)
        sheet.col(hidden_col).hidden = True
    if hidden_sheet:
        other = book.add_sheet("上年数据")
        other.write(0, 0, "一、本年新收政府信息公开申请数量")
        other.write(0, 1, 777)
        other.visibility = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_xls(report: SyntheticReport) -> bytes:
    """A whole generated report as one ``.xls`` sheet: title, headings, tables with merges."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    width = max(len(expand(g)[0]) for _, g in sheet_rows(report) if g is not None)
    r = 0
    for text, grid in sheet_rows(report):
        if grid is None:
            sheet.write_merge(r, r, 0, width - 1, text)
            r += 1
            continue
        matrix = expand(grid)
        for dr, line in enumerate(matrix):
            for c, cell in enumerate(line):
                if cell is None:
                    continue
                value = stored_value(cell)
                value = "" if value is None else value
                if cell.rowspan > 1 or cell.colspan > 1:
                    sheet.write_merge(r + dr, r + dr + cell.rowspan - 1, c, c + cell.colspan - 1, value)
                else:
                    sheet.write(r + dr, c, value)
        r += len(matrix) + 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_results(xlsx: bytes, results: dict[str, str]) -> bytes:
    """The package with stored results written into formula cells (openpyxl writes none; Excel does)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode()
                for ref, value in results.items():
                    text = re.sub(
                        rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)<v\s*/?>(?:</v>)?',
                        rf"\g<1>\g<2><v>{value}</v>",
                        text,
                    )
                data = text.encode()
            dst.writestr(item, data)
    return out.getvalue()
