"""Files whose name says one format and whose bytes are another, as portals serve them.

* ``.doc`` that is Word's HTML export ("另存为网页", renamed): Office namespaces,
  ``ProgId Word.Document``, ``MsoNormal`` paragraphs, GB2312 or UTF-8;
* ``.doc`` that is a Word web archive (MHT, "单个文件网页"): a MIME ``multipart/related``
  message whose HTML part is quoted-printable (or base64) in GB2312, beside a
  ``filelist.xml`` part;
* ``.xls`` that is Excel's HTML export: one sheet as one table, numbers carrying
  ``x:num``, the title in a merged first row.

No maintained library writes binary ``.xls`` (BIFF8): xlwt, the only writer, was last
released in 2017 and pyexcel-xls sits on it; so the binary ``.xls`` is not generated,
and the HTML ``.xls`` real portals also serve is.
"""

from __future__ import annotations

import base64
import quopri
import random
from html import escape

from .html import render_body_html
from .report import SyntheticReport
from .tables import Grid, sections

WORD_NAMESPACES = (
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w="urn:schemas-microsoft-com:office:word" '
    'xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40"'
)
MHT_PREAMBLE = (
    "This document is a Single File Web Page, also known as a Web Archive file.  If you are seeing "
    "this message, your browser or editor doesn't support Web Archive files.  Please download a "
    "browser that supports Web Archive."
)


def word_html(report: SyntheticReport, rng: random.Random, charset: str) -> str:
    """The report as Word writes it when saved as a web page."""
    body = render_body_html(report, "word_export")
    title = f"<title>{escape(report.title)}</title>" if rng.random() < 0.7 else ""
    return (
        f"<html {WORD_NAMESPACES}>\n<head>\n"
        f'<meta http-equiv=Content-Type content="text/html; charset={charset}">\n'
        '<meta name=ProgId content=Word.Document>\n<meta name=Generator content="Microsoft Word 15">\n'
        f'<meta name=Originator content="Microsoft Word 15">\n{title}\n'
        "<!--[if gte mso 9]><xml>\n <o:DocumentProperties>\n  <o:Author>Administrator</o:Author>\n"
        f"  <o:Created>{report.published:%Y-%m-%dT%H:%M:00Z}</o:Created>\n"
        " </o:DocumentProperties>\n</xml><![endif]-->\n"
        "<style>\n<!-- p.MsoNormal {margin:0cm;text-align:justify;font-size:10.5pt;font-family:等线;} -->\n</style>\n"
        "</head>\n<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>\n"
        f"<div class=WordSection1 style='layout-grid:15.6pt'>\n{body}\n</div>\n</body>\n</html>\n"
    )


def render_doc_html(report: SyntheticReport) -> bytes:
    """A ``.doc`` file that is Word's HTML export."""
    rng = random.Random(report.seed * 59 + 1)
    charset = rng.choice(("gb2312", "utf-8"))
    return word_html(report, rng, charset).encode("gb18030" if charset == "gb2312" else "utf-8")


def render_mht(report: SyntheticReport) -> bytes:
    """A ``.doc`` file that is a Word web archive (MIME multipart/related)."""
    rng = random.Random(report.seed * 61 + 2)
    stamp = f"{rng.getrandbits(32):08X}"
    boundary = f"----=_NextPart_01D{rng.getrandbits(28):07X}.{stamp}"
    html = word_html(report, rng, "gb2312").encode("gb18030")
    if rng.random() < 0.8:
        encoding, payload = "quoted-printable", quopri.encodestring(html)
    else:
        encoding, payload = "base64", base64.encodebytes(html)
    filelist = (
        b'<xml xmlns:o="urn:schemas-microsoft-com:office:office">\n'
        b' <o:MainFile HRef="../report.htm"/>\n <o:File HRef="filelist.xml"/>\n</xml>'
    )
    parts = [
        b"MIME-Version: 1.0\n",
        f'Content-Type: multipart/related; boundary="{boundary}"\n\n'.encode(),
        MHT_PREAMBLE.encode() + b"\n\n",
        f"--{boundary}\nContent-Location: file:///C:/{stamp}/report.htm\n".encode(),
        f'Content-Transfer-Encoding: {encoding}\nContent-Type: text/html; charset="gb2312"\n\n'.encode(),
        payload,
        f"\n--{boundary}\nContent-Location: file:///C:/{stamp}/report.files/filelist.xml\n".encode(),
        b'Content-Transfer-Encoding: quoted-printable\nContent-Type: text/xml; charset="utf-8"\n\n',
        quopri.encodestring(filelist),
        f"\n--{boundary}--\n".encode(),
    ]
    return b"".join(parts).replace(b"\n", b"\r\n")


def sheet_rows(report: SyntheticReport) -> list[tuple[str, Grid | None]]:
    """What a statistics spreadsheet holds, top to bottom: the title, each heading and table."""
    out: list[tuple[str, Grid | None]] = [(report.title, None)]
    for section in sections(report):
        out.append((section.heading, None))
        out += [("", grid) for grid in section.tables]
    return out


def plain_number(text: str) -> str | None:
    """The digits of a printed number a spreadsheet stores as a number (``1,234`` -> ``1234``)."""
    t = text.replace(",", "")
    body = t[1:] if t.startswith("-") else t
    if body and body.replace(".", "", 1).isdigit() and body.isascii():
        return t
    return None


def stored_value(cell) -> object:
    """What a spreadsheet stores for a printed cell: a number as int/float, else its text (None if empty)."""
    from decimal import Decimal

    number = plain_number(cell.text) if cell.kind == "value" else None
    if number is None:
        return cell.text or None
    d = Decimal(number)
    return int(d) if d == d.to_integral_value() and "." not in number else float(d)


def render_xls_html(report: SyntheticReport) -> bytes:
    """A ``.xls`` file that is Excel's HTML export: one table for the sheet."""
    from .tables import expand

    width = max(len(expand(g)[0]) for _, g in sheet_rows(report) if g is not None)
    rows: list[str] = []
    for text, grid in sheet_rows(report):
        if grid is None:
            rows.append(f"<tr height=27><td colspan={width} class=xl65>{escape(text)}</td></tr>")
            continue
        for line in grid:
            cells = []
            for cell in line:
                span = (f" rowspan={cell.rowspan}" if cell.rowspan > 1 else "") + (
                    f" colspan={cell.colspan}" if cell.colspan > 1 else ""
                )
                number = plain_number(cell.text) if cell.kind == "value" else None
                if number is not None:
                    cells.append(f'<td{span} class=xl67 x:num="{number}">{escape(cell.text)}</td>')
                else:
                    cells.append(f"<td{span} class=xl66>{escape(cell.text)}</td>")
            rows.append("<tr height=20>" + "".join(cells) + "</tr>")
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns="http://www.w3.org/TR/REC-html40">\n'
        '<head><meta http-equiv=Content-Type content="text/html; charset=gb2312">\n'
        '<meta name=ProgId content=Excel.Sheet><meta name=Generator content="Microsoft Excel 15">\n'
        "<!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets><x:ExcelWorksheet>"
        "<x:Name>Sheet1</x:Name></x:ExcelWorksheet></x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]-->\n"
        "</head><body link=blue vlink=purple>\n"
        "<table border=0 cellpadding=0 cellspacing=0 style='border-collapse:collapse;table-layout:fixed'>\n"
        + "\n".join(rows)
        + "\n</table></body></html>\n"
    )
    return html.encode("gb18030")


def render_xlsx(report: SyntheticReport) -> bytes:
    """The report's tables as an ``.xlsx`` workbook (openpyxl): merged cells, numbers as numbers.

    One sheet holds everything, or one sheet per section (主动公开 / 依申请 / 复议诉讼).
    """
    import io

    from openpyxl import Workbook

    from .tables import expand

    rng = random.Random(report.seed * 67 + 3)
    per_section = rng.random() < 0.5
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    r = 1
    names = iter(("主动公开", "依申请公开", "复议诉讼"))
    headings = 0
    for text, grid in sheet_rows(report):
        if grid is None:
            if per_section and text != report.title:
                headings += 1
                if headings == 1:
                    sheet.title = next(names)
                else:  # a sheet per section, each under the report's title
                    sheet = book.create_sheet(next(names))
                    sheet.cell(1, 1, report.title)
                    r = 2
            sheet.cell(r, 1, text)
            r += 1
            continue
        matrix = expand(grid)
        for dr, line in enumerate(matrix):
            for c, cell in enumerate(line):
                if cell is None:
                    continue
                value = stored_value(cell)
                target = sheet.cell(r + dr, c + 1, value)
                if isinstance(value, int | float) and "," in cell.text:
                    target.number_format = "#,##0"
                if cell.rowspan > 1 or cell.colspan > 1:
                    sheet.merge_cells(
                        start_row=r + dr,
                        start_column=c + 1,
                        end_row=r + dr + cell.rowspan - 1,
                        end_column=c + cell.colspan,
                    )
        r += len(matrix) + 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
