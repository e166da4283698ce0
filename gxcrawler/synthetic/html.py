"""HTML renderings of a synthetic report: the body fragment and the whole portal page."""

from __future__ import annotations

import random
from datetime import date, datetime
from html import escape

from .report import EPILOGUE, SyntheticReport
from .tables import Cell, Grid, sections

STYLES = ("separate_tables", "single_table", "word_export", "split_headers")
#: tables published as pictures (common): nothing to read, the parser names the images
IMAGE_STYLE = "image_tables"
ENCODINGS = ("utf-8", "gbk", "gb2312", "gb18030")
DECLARATIONS = ("header", "meta", "wrong", "none")

_WORD_TD = "valign=center style='border:solid windowtext 1.0pt;border-top:none;padding:0cm 5.4pt 0cm 5.4pt'"


def _attrs(cell: Cell) -> str:
    out = ""
    if cell.rowspan > 1:
        out += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        out += f' colspan="{cell.colspan}"'
    return out


def _word_text(text: str, rng: random.Random, kind: str) -> str:
    """How Word breaks and pads a label: 商业<br>企业, 结果&nbsp;维持."""
    if not text:
        return "&nbsp;"
    body = escape(text)
    if kind in ("header", "label") and 4 <= len(text) <= 8 and rng.random() < 0.5:
        mid = len(text) // 2
        sep = rng.choice(("<br>", "<br/>", "&nbsp;", " "))
        body = escape(text[:mid]) + sep + escape(text[mid:])
    return (
        "<p class=MsoNormal align=center style='text-align:center;line-height:15.0pt'>"
        f"<span lang=EN-US style='font-size:10.5pt;font-family:宋体'>{body}<o:p></o:p></span></p>"
    )


def _table(grid: Grid, style: str, rng: random.Random) -> str:
    word = style == "word_export"
    if word:
        head = "<table class=MsoNormalTable border=0 cellspacing=0 cellpadding=0 style='border-collapse:collapse'>"
    else:
        head = rng.choice(
            ('<table border="1" cellspacing="0" cellpadding="0">', '<table class="table">', "<table>")
        )
    rows = []
    for row in grid:
        cells = []
        for cell in row:
            if word:
                cells.append(f"<td{_attrs(cell)} {_WORD_TD}>{_word_text(cell.text, rng, cell.kind)}</td>")
            else:
                text = escape(cell.text) if cell.text else rng.choice(("", "&nbsp;", " "))
                tag = "th" if cell.is_header and rng.random() < 0.2 else "td"
                cells.append(f"<{tag}{_attrs(cell)}>{text}</{tag}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    tbody = "<tbody>" if rng.random() < 0.5 else ""
    return head + tbody + "\n".join(rows) + ("</tbody>" if tbody else "") + "</table>"


def _para(text: str, style: str) -> str:
    if style == "word_export":
        return (
            "<p class=MsoNormal style='text-indent:32.0pt'><span style='font-size:16.0pt;"
            f"font-family:仿宋_GB2312'>{escape(text)}</span></p>"
        )
    return f"<p>{escape(text)}</p>"


def render_body_html(report: SyntheticReport, style: str = "separate_tables") -> str:
    """The article body as a portal stores it: title, prose, sections with tables."""
    if style not in (*STYLES, IMAGE_STYLE):
        raise ValueError(f"unknown style {style!r}; one of {STYLES} or {IMAGE_STYLE!r}")
    rng = random.Random(report.seed * 31 + len(style))
    parts = [f'<p style="text-align:center"><strong>{escape(report.title)}</strong></p>']
    parts += [_para(p, style) for p in report.prose]
    for section in sections(report, split_headers=style == "split_headers"):
        parts.append(_para(section.heading, style))
        if style == IMAGE_STYLE:
            parts += [image_url(report, i) for i, _ in enumerate(section.tables, len(parts))]
        elif style == "single_table" and len(section.tables) > 1:
            merged: Grid = [row for grid in section.tables for row in grid]
            parts.append(_table(merged, style, rng))
        else:
            parts += [_table(grid, style, rng) for grid in section.tables]
    parts += [_para(p, style) for p in EPILOGUE]
    return "\n".join(parts)


def image_url(report: SyntheticReport, number: int) -> str:
    return f'<p style="text-align:center"><img src="/uploads/{report.year + 1}/{report.seed}_{number}.png" width="600"></p>'


def publication_line(report: SyntheticReport, rng: random.Random) -> str:
    """The page's own 发布时间 line, in one of the portals' formats."""
    d: datetime = report.published
    source = report.source_name
    return rng.choice(
        (
            f"www.panzhihua.gov.cn&nbsp;&nbsp;&nbsp;发布时间:{d:%Y-%m-%d}&nbsp;&nbsp;&nbsp;来源:{source}&nbsp;&nbsp;选择阅读字号:[ 大 中 小 ] 阅读次数:",
            f"发布时间:{d:%Y-%m-%d %H:%M:%S} 来源:{source} 作者:{source} 分享",
            f"发布时间:{d:%Y-%m-%d %H:%M:%S}&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;来源:{source} 阅读次数:{rng.randint(10, 5000)}",
            f"时间：{d:%Y-%m-%d %H:%M} 来源：{source}",
            f"发布日期：{d.year}年{d.month}月{d.day}日 来源：{source}",
        )
    )


def _meta_table(report: SyntheticReport, rng: random.Random) -> str:
    """The Shandong-style metadata table (标题/索引号/发文日期/发布机构)."""
    d = report.published
    when = f"{d:%Y-%m-%dT%H:%M:%S}" if rng.random() < 0.5 else f"{d:%Y-%m-%d}"
    return (
        '<table class="xxgk_table"><tr><td>标题:</td><td colspan="3">' + escape(report.title) + "</td></tr>"
        f"<tr><td>索引号:</td><td>11370300MB2823262F/{report.year + 1}-{rng.randint(1000, 9999)}</td>"
        "<td>文号:</td><td>无文号</td></tr>"
        f"<tr><td>发文日期:</td><td>{when}</td><td>发布机构:</td><td>{escape(report.source_name)}</td></tr></table>"
    )


def render_page_html(
    report: SyntheticReport,
    style: str = "separate_tables",
    encoding: str = "utf-8",
    declare: str = "header",
    chrome: bool = True,
) -> tuple[bytes, dict[str, str]]:
    """A whole detail page as served: bytes in ``encoding`` and the response headers.

    ``declare``: ``header`` (charset in Content-Type), ``meta`` (only in ``<meta>``),
    ``wrong`` (the header or the ``<meta>`` names another charset) or ``none``.
    """
    if declare not in DECLARATIONS:
        raise ValueError(f"unknown declaration {declare!r}")
    rng = random.Random(report.seed * 131 + len(style) + len(encoding) + DECLARATIONS.index(declare))
    body = render_body_html(report, style)
    meta = ""
    headers = {"Content-Type": "text/html"}
    if declare == "header":
        headers["Content-Type"] = f"text/html; charset={encoding}"
    elif declare == "meta":
        meta = rng.choice(
            (
                f'<meta charset="{encoding}">',
                f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">',
            )
        )
    elif declare == "wrong":  # the header, or the page's own <meta>, names another charset
        lie = "utf-8" if encoding.lower().startswith("gb") else rng.choice(("gbk", "gb2312"))
        if rng.random() < 0.5:
            headers["Content-Type"] = f"text/html; charset={lie}"
        else:
            meta = f'<meta http-equiv="Content-Type" content="text/html; charset={lie}">'

    parts = [f"<!DOCTYPE html>\n<html><head>{meta}<title>{escape(report.title)}</title></head><body>"]
    if chrome:
        stale = date(report.year + rng.choice((0, 2, 3)), rng.randint(1, 12), rng.randint(1, 28))
        week = "一二三四五六日"[stale.weekday()]
        parts.append(
            '<div class="top"><span class="date-widget">'
            f"{stale.year}年{stale.month}月{stale.day}日 星期{week}</span>"
            '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
            '<li><a href="/zfxxgk/">政府信息公开</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>'
            '<div class="crumb">当前位置:<a href="/">首页</a> &gt; <a href="/zfxxgk/">政府信息公开</a> &gt; '
            '<a href="/zfxxgk/nb/">政府信息公开年报</a></div>'
        )
    if chrome and rng.random() < 0.3:
        parts.append(_meta_table(report, rng))
        info = ""
    else:
        info = f'<div class="info">{publication_line(report, rng)}</div>'
    article = (
        f'<h1 class="title">{escape(report.title)}</h1>{info}<div class="content" id="zoom">{body}</div>'
    )
    if chrome and rng.random() < 0.4:  # article nested in a page-layout table
        article = f'<table width="100%" border="0"><tr><td class="main">{article}</td></tr></table>'
    parts.append(article)
    if chrome:
        others = [report.year - 1, report.year - 2]
        links = "".join(
            f'<li><a href="/zfxxgk/nb/{y}.html">{escape(report.agency)}{y}年政府信息公开工作年度报告</a></li>'
            for y in others
        )
        parts.append(f'<div class="sidebar"><h3>相关信息</h3><ul>{links}</ul></div>')
        parts.append(
            f'<div class="footer">版权所有：{escape(report.agency)} 网站标识码：5104110001 '
            f"备案号：蜀ICP备05008523号 © 2008-{report.year + 3}</div>"
        )
    parts.append("</body></html>")
    text = "\n".join(parts)
    return text.encode(encoding, errors="xmlcharrefreplace"), headers
