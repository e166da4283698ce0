"""Pages and PDFs whose metadata a reader has to find where real reports put it.

* the agency only in the narrative's self-reference (``特编制…年度报告``, ``现将…公布如下``,
  ``现公布…``), the title and the page naming no agency, the site's owner (a prefix of the
  agency) in the page title and the footer;
* the statistics year only in the period sentence (``统计期限自2023年1月1日起…``), the page
  published the next year; or only in the URL's year folder (next to a publication folder
  of the next year);
* the publication date on the page's own 公开日期 / 发布日期 / 成文日期 line, with a capture
  time (``采集时间``) and a print date (``打印日期``) around it;
* PDFs whose title is split over two lines (the agency on its own line) and whose
  document-information title says nothing (``Administrator``, ``微软用户``, ``Scan_…``,
  ``扫描全能王…``); realistic 2023–2024 PDFs (title block, 2021 tables, page numbers).

Each function returns the report (its truth: agency, year, published_truth, edition) and the
bytes; the report's title, prose and dates are rewritten so that the fact under test is
printed **only** where the case says.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from html import escape

from .html import render_body_html
from .report import SyntheticReport

JUNK_PDF_TITLES = ("Administrator", "微软用户", "Scan_{d:%Y%m%d_%H%M%S}", "扫描全能王 {d:%Y-%m-%d %H.%M}", "")
FOOTERS = ("- {n} -", "第 {n} 页", "— {n} —", "{n}")
_HOSTS = ("xinye", "ry", "zbj", "luoning", "ningguo", "yanshan", "zjdfz", "tcq")
_UNITS = ("局", "办", "单位", "委", "镇", "乡", "中心")


def site_owner(report: SyntheticReport) -> str:
    """The government whose portal hosts the page: a prefix of many agencies' names."""
    for cut in ("县", "区", "市"):
        if cut in report.agency:
            return report.agency[: report.agency.index(cut) + 1] + "人民政府"
    return report.agency


def plain_prose(report: SyntheticReport, rng: random.Random, *, period: bool) -> list[str]:
    """Narrative that names neither the agency nor a year (``本年度``, ``我局``), unless ``period``."""
    unit = rng.choice(_UNITS)
    received = report.values.get("s3.new.total", Decimal(0))
    first = (
        "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，编制本年度政府信息公开工作年度报告。"
    )
    if period:
        y = report.year
        first += rng.choice(
            (
                f"本报告所列数据统计期限自{y}年1月1日起至{y}年12月31日止。",
                f"所列数据统计期限自{y}年1月1日起到{y}年12月31日止。",
                f"本报告中使用的数据统计期限为{y}年1月1日至{y}年12月31日。",
            )
        )
    return [
        first,
        "一、总体情况",
        f"本年度，我{unit}认真贯彻落实《条例》，紧紧围绕中心工作和群众关切，扎实推进政务公开工作。"
        f"全年主动公开政府信息{rng.randint(20, 900)}条。",
        f"（一）依申请公开。本年度共收到政府信息公开申请{received}件，均在法定期限内答复。",
        "（二）政府信息管理。严格落实信息发布审核制度，上一年度报告发现的问题已全部整改。",
    ]


def self_reference(report: SyntheticReport, rng: random.Random) -> str:
    """The narrative's opening that names the agency (the only place it does)."""
    a, y = report.agency, report.year
    return rng.choice(
        (
            f"根据《中华人民共和国政府信息公开条例》要求，特编制{a}{y}年政府信息公开工作年度报告。"
            f"所列数据统计期限自{y}年1月1日起到{y}年12月31日止。",
            f"根据《中华人民共和国政府信息公开条例》（国务院令第711号，以下简称《条例》）的要求，"
            f"结合工作实际，现将{a}{y}年政府信息公开工作情况公布如下。",
            f"根据《中华人民共和国政府信息公开条例》规定，现公布{a}{y}年政府信息公开工作年度报告。"
            "本报告由总体情况、主动公开政府信息情况等六部分组成。",
        )
    )


def _page(
    report: SyntheticReport,
    rng: random.Random,
    *,
    head_title: str,
    info: str,
    related: list[str],
) -> bytes:
    """A portal page built around the report's body (utf-8 or gbk, declared in ``<meta>``)."""
    encoding = rng.choice(("utf-8", "gbk"))
    owner = site_owner(report)
    body = render_body_html(report, rng.choice(("separate_tables", "word_export")))
    links = "".join(f'<li><a href="/zfxxgk/nb/{i}.html">{escape(t)}</a></li>' for i, t in enumerate(related))
    html = (
        f'<!DOCTYPE html><html><head><meta charset="{encoding}"><title>{escape(head_title)}</title></head><body>'
        f'<div class="top">{escape(owner)}门户网站 <a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>'
        '<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政府信息公开 &gt; 政府信息公开年报</div>'
        f'<h1 class="title">{escape(report.title)}</h1>{info}'
        f'<div class="content" id="zoom">{body}</div>'
        f'<div class="sidebar"><h3>相关信息</h3><ul>{links}</ul></div>'
        f'<div class="footer">版权所有：{escape(owner)} 主办：{escape(owner)}办公室 '
        f"© 2008-{report.year + 2} 网站标识码：{rng.randint(4400000000, 4499999999)}</div></body></html>"
    )
    return html.encode(encoding, errors="xmlcharrefreplace")


def _info_line(report: SyntheticReport, rng: random.Random, source: str) -> str:
    d = report.published
    when = rng.choice((f"{d:%Y-%m-%d %H:%M:%S}", f"{d:%Y-%m-%d}", f"{d.year}年{d.month}月{d.day}日"))
    tail = f"&nbsp;&nbsp;来源：{escape(source)}" if source else ""
    return f'<div class="info">发布时间：{when}{tail}&nbsp;&nbsp;【打印】【关闭】</div>'


# ---------------------------------------------------------------- HTML cases
def narrative_agency(report: SyntheticReport, rng: random.Random) -> bytes:
    """The agency named only in the narrative's opening."""
    y = report.year
    report.title = rng.choice((f"{y}年政府信息公开工作年度报告", f"{y}年度政府信息公开工作年度报告"))
    report.prose = [self_reference(report, rng), *plain_prose(report, rng, period=False)[1:]]
    report.published_truth = report.published_date
    owner = site_owner(report)
    source = rng.choice(("本网", "", f"{owner}门户网站"))
    report.deviations.append(f"agency_in_narrative(source={source!r})")
    related = [f"{y - 1}年政府信息公开工作年度报告", f"{y - 2}年政府信息公开工作年度报告"]
    return _page(
        report,
        rng,
        head_title=f"{report.title}_{owner}门户网站",
        info=_info_line(report, rng, source),
        related=related,
    )


def period_year(report: SyntheticReport, rng: random.Random) -> bytes:
    """The statistics year only in the period sentence; published the next year."""
    report.title = f"{report.agency}政府信息公开工作年度报告"
    report.prose = plain_prose(report, rng, period=True)
    report.published_truth = report.published_date
    report.deviations.append("year_in_period")
    return _page(
        report,
        rng,
        head_title=report.title,
        info=_info_line(report, rng, report.agency),
        related=[f"{report.agency}政府信息公开指南", f"{report.agency}政府信息公开制度"],
    )


def url_year(report: SyntheticReport, rng: random.Random) -> tuple[bytes, str]:
    """The statistics year only in the URL's year folder (a publication folder beside it)."""
    report.title = f"{report.agency}政府信息公开工作年度报告"
    report.prose = plain_prose(report, rng, period=False)
    report.published_truth = report.published_date
    y, p, n = report.year, report.published, rng.randint(100000, 9999999)
    host = rng.choice(_HOSTS)
    url = rng.choice(
        (
            f"http://www.{host}.gov.cn/zwgk/zfxxgknb/{y}nb/{p:%Y%m}/t{p:%Y%m%d}_{n}.html",
            f"http://www.{host}.gov.cn/xxgk/ndbg/{y}/{n}.html",
            f"http://www.{host}.gov.cn/zfxxgk/nb/nb{y}/{p:%Y%m}/t{p:%Y%m%d}_{n}.html",
            f"https://www.{host}.gov.cn/gk/zfxxgknb/{y}nd/{n}.shtml",
        )
    )
    report.url = url
    report.deviations.append("year_in_url")
    page = _page(
        report,
        rng,
        head_title=report.title,
        info=_info_line(report, rng, report.agency),
        related=[f"{report.agency}政府信息公开指南"],
    )
    return page, url


def date_lines(report: SyntheticReport, rng: random.Random) -> bytes:
    """The publication date on a 公开日期/发布日期/成文日期 line, capture and print dates around it."""
    pub = report.published
    written = pub - timedelta(days=rng.randint(1, 20))
    capture = pub + timedelta(days=rng.randint(30, 700), hours=rng.randint(0, 23))
    printed = date(pub.year + rng.randint(1, 2), rng.randint(1, 12), rng.randint(1, 28))

    def fmt(d) -> str:
        return rng.choice((f"{d:%Y-%m-%d}", f"{d.year}年{d.month:02d}月{d.day:02d}日", f"{d:%Y/%m/%d}"))

    variant = rng.choice(("公开日期", "发布日期", "成文日期", "成文+发布"))
    if variant == "成文日期":
        lines = [("成文日期", fmt(pub))]
    elif variant == "成文+发布":
        lines = [("成文日期", fmt(written)), ("发布日期", fmt(pub))]
    else:
        lines = [(variant, fmt(pub))]
    distractors = [("采集时间", f"{capture:%Y-%m-%d %H:%M:%S}"), ("打印日期", fmt(printed))]
    rng.shuffle(distractors)
    before, after = distractors[: rng.randint(0, 2)], []
    after = [d for d in distractors if d not in before]
    index = ("索引号", f"{rng.randint(10000000, 99999999)}/{pub.year}-{rng.randint(100, 999)}")
    rows = [*before, index, *lines, ("发布机构", report.agency), *after]
    if rng.random() < 0.5:  # key / value cells, as the 政府信息公开目录 pages print them
        cells = "".join(f"<tr><td>{k}：</td><td>{escape(v)}</td></tr>" for k, v in rows)
        info = f'<table class="xxgk-meta">{cells}</table>'
    else:
        info = "".join(f"<p>{k}：{escape(v)}</p>" for k, v in rows)
    report.published_truth = pub.date()
    report.deviations.append(f"date_lines({variant})")
    return _page(report, rng, head_title=report.title, info=info, related=[])


# ---------------------------------------------------------------- PDFs
def junk_title(report: SyntheticReport, rng: random.Random) -> str:
    return rng.choice(JUNK_PDF_TITLES).format(d=report.published)


def split_title_pdf(report: SyntheticReport, rng: random.Random) -> bytes:
    """The title over two lines (the agency on its own line, or cut mid-phrase), no useful metadata."""
    y = report.year
    report.title = f"{report.agency}{y}年政府信息公开工作年度报告"
    if rng.random() < 0.7:
        lines = (report.agency, f"{y}年政府信息公开工作年度报告")
    else:
        lines = (f"{report.agency}{y}年政府", "信息公开工作年度报告")
    report.prose = plain_prose(report, rng, period=True)
    report.deviations.append("split_title")
    from .pdf import PdfLook, render_pdf  # reportlab: a test dependency

    return render_pdf(report, PdfLook(title_lines=lines, meta_title=junk_title(report, rng)))


def junk_title_pdf(report: SyntheticReport, rng: random.Random) -> bytes:
    """The title on one line of the first page; the document-information title says nothing."""
    report.prose = plain_prose(report, rng, period=True)
    meta = junk_title(report, rng)
    report.deviations.append(f"pdf_meta_title={meta!r}")
    from .pdf import PdfLook, render_pdf

    return render_pdf(
        report, PdfLook(meta_title=meta, meta_author=rng.choice(("Administrator", "微软用户", None)))
    )


def recent_pdf(report: SyntheticReport, rng: random.Random) -> bytes:
    """A 2023–2024 report as agencies export it from Word/WPS."""
    y = report.year
    report.title = f"{report.agency}{y}年政府信息公开工作年度报告"
    report.prose = [self_reference(report, rng), *report.prose[1:]]
    pub = report.published
    meta = rng.choice((junk_title(report, rng), report.title, f"{y}年政府信息公开工作年度报告"))
    from .pdf import PdfLook, render_pdf

    look = PdfLook(
        title_lines=(report.agency, f"{y}年政府信息公开工作年度报告"),
        meta_title=meta,
        page_numbers=rng.choice(FOOTERS),
        large_cells=True,
        flowing=True,
        closing=(report.agency, f"{pub.year}年{pub.month}月{pub.day}日"),
        single_s2=rng.random() < 0.5,
        spaced_labels=rng.random() < 0.5,
        ruled=rng.random() < 0.7,
    )
    report.deviations.append(
        f"recent_pdf(meta={meta!r},footer={look.page_numbers!r},single_s2={look.single_s2},"
        f"spaced={look.spaced_labels},ruled={look.ruled})"
    )
    return render_pdf(report, look)
