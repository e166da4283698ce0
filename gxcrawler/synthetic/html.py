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
    chrome: bool | str = True,
) -> tuple[bytes, dict[str, str]]:
    """A whole detail page as served: bytes in ``encoding`` and the response headers.

    ``declare``: ``header`` (charset in Content-Type), ``meta`` (only in ``<meta>``),
    ``wrong`` (the header or the ``<meta>`` names another charset) or ``none``.
    ``chrome``: ``True`` a light site frame (date widget, crumb, related links, footer),
    ``"portal"`` the whole frame of a county portal's CMS page around the same article —
    the CMS ``<meta>`` tags, stylesheets and scripts, a menu of every column with its
    sub-columns, share and print bars, related documents, the other governments' sites in
    the footer: 15–30 KiB of page around a 7 KiB report (``True`` draws the same page it
    always did; ``"portal"`` adds to it).
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

    portal = chrome == "portal"
    head = _portal_head(report) if portal else ""
    parts = [f"<!DOCTYPE html>\n<html><head>{meta}<title>{escape(report.title)}</title>{head}</head><body>"]
    if portal:
        parts.append(_portal_top(report))
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
    if portal:  # the CMS' share, print and close bars under the article
        article += _portal_tools(report)
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
    if portal:
        parts.append(_portal_bottom(report))
    parts.append("</body></html>")
    text = "\n".join(parts)
    return text.encode(encoding, errors="xmlcharrefreplace"), headers


#: a county portal's columns and sub-columns (the menu every CMS page repeats)
_PORTAL_MENU = (
    ("县情概况", ("概况", "历史沿革", "行政区划", "自然资源", "人口民族", "领导之窗", "机构职能")),
    ("政务公开", ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报", "依申请公开", "政策解读", "重点领域信息公开", "财政资金")),
    ("新闻中心", ("本地要闻", "部门动态", "乡镇动态", "通知公告", "图片新闻", "视频新闻")),
    ("政务服务", ("办事指南", "便民服务", "公共资源交易", "行政许可", "服务事项目录")),
    ("互动交流", ("县长信箱", "在线访谈", "意见征集", "网上调查", "常见问题")),
    ("专题专栏", ("乡村振兴", "优化营商环境", "安全生产", "生态环境保护", "疫情防控", "法治政府建设")),
    ("投资", ("招商引资", "产业园区", "投资政策", "重点项目")),
)
#: the footer's lists of other governments' sites
_PORTAL_SITES = (
    ("国家部委网站", ("中国政府网", "国家发展和改革委员会", "教育部", "科学技术部", "工业和信息化部", "公安部", "民政部", "司法部", "财政部", "人力资源和社会保障部", "自然资源部", "生态环境部", "住房和城乡建设部", "交通运输部", "水利部", "农业农村部", "商务部", "文化和旅游部", "国家卫生健康委员会", "审计署")),
    ("省内政府网站", ("省人民政府", "成都市", "自贡市", "攀枝花市", "泸州市", "德阳市", "绵阳市", "广元市", "遂宁市", "内江市", "乐山市", "南充市", "眉山市", "宜宾市", "广安市", "达州市", "雅安市", "巴中市", "资阳市", "阿坝州", "甘孜州", "凉山州")),
    ("县级部门网站", ("县发展和改革局", "县教育局", "县公安局", "县民政局", "县司法局", "县财政局", "县人力资源和社会保障局", "县自然资源局", "县住房和城乡建设局", "县交通运输局", "县农业农村局", "县卫生健康局", "县应急管理局", "县市场监督管理局", "县统计局", "县医疗保障局")),
)


def _portal_head(report: SyntheticReport) -> str:
    """The CMS' ``<meta>`` tags (the national standard's SiteName … PubDate), styles and scripts."""
    d = report.published
    agency = escape(report.agency)
    title = escape(report.title)
    site = report.seed % 9000 + 1000
    return (
        f'<meta name="SiteName" content="{agency}"><meta name="SiteDomain" content="www.example.gov.cn">'
        f'<meta name="SiteIDCode" content="5104{site}0001"><meta name="ColumnName" content="政府信息公开年报">'
        '<meta name="ColumnType" content="政府信息公开年报"><meta name="ColumnDescription" content="政府信息公开工作年度报告">'
        f'<meta name="ColumnKeywords" content="政府信息公开,年报,{agency}"><meta name="ArticleTitle" content="{title}">'
        f'<meta name="PubDate" content="{d:%Y-%m-%d %H:%M}"><meta name="ContentSource" content="{escape(report.source_name)}">'
        f'<meta name="Keywords" content="{agency},政府信息公开,年度报告"><meta name="Description" content="{title}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">'
        '<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">'
        '<link rel="stylesheet" type="text/css" href="/images/common.css">'
        '<link rel="stylesheet" type="text/css" href="/images/article.css">'
        '<link rel="stylesheet" type="text/css" href="/images/accessible.css">'
        '<style type="text/css">.top-bar{height:36px;line-height:36px;background:#f5f5f5;border-bottom:1px solid #e5e5e5}'
        ".nav-main>li{float:left;position:relative;width:12.5%;text-align:center}"
        ".nav-main>li .sub{display:none;position:absolute;top:48px;left:0;width:100%;background:#fff;z-index:99}"
        ".nav-main>li:hover .sub{display:block}.article-tools a{margin:0 6px;color:#333}"
        ".footer-links select{width:180px;height:28px;margin:0 10px;border:1px solid #ccc}"
        "#zoom p{line-height:2em;text-indent:2em;font-size:16px}#zoom table{margin:0 auto;border-collapse:collapse}</style>"
        '<script type="text/javascript" src="/js/jquery-1.11.3.min.js"></script>'
        '<script type="text/javascript" src="/js/common.js"></script>'
        '<script type="text/javascript" src="//www.example.gov.cn/jiucuo/jiucuo.js" id="_jiucuo_" sitecode="'
        f'5104{site}0001"></script>'
        "<script type=\"text/javascript\">var _hmt = _hmt || [];(function() {var hm = document.createElement(\"script\");"
        f'hm.src = "https://hm.example.com/hm.js?{report.seed:08x}{site:04x}";var s = document.getElementsByTagName("script")[0];'
        "s.parentNode.insertBefore(hm, s);})();</script>"
    )


def _portal_top(report: SyntheticReport) -> str:
    """Accessibility bar, logo and search, and the menu of every column with its sub-columns."""
    agency = escape(report.agency)
    menu = "".join(
        f'<li><a href="/{i}/" target="_self">{name}</a><div class="sub"><ul>'
        + "".join(f'<li><a href="/{i}/{j}/" target="_blank">{sub}</a></li>' for j, sub in enumerate(subs))
        + "</ul></div></li>"
        for i, (name, subs) in enumerate(_PORTAL_MENU)
    )
    return (
        '<div class="top-bar"><div class="w1200"><span class="welcome">欢迎访问' + agency + "门户网站</span>"
        '<span class="links"><a href="javascript:void(0)" id="cniil_wza">无障碍浏览</a> | <a href="javascript:void(0)" '
        'class="old-mode">长者模式</a> | <a href="/m/">手机版</a> | <a href="/wx/">微信公众号</a> | '
        '<a href="javascript:void(0)" onclick="SetHome(this,window.location)">设为首页</a> | '
        '<a href="javascript:void(0)" onclick="AddFavorite(window.location,document.title)">加入收藏</a></span></div></div>'
        '<div class="header"><div class="w1200"><a href="/" class="logo"><img src="/images/logo.png" alt="'
        + agency
        + '"></a><form class="search" action="/search/" method="get" target="_blank"><input type="text" name="q" '
        'placeholder="请输入关键字" autocomplete="off"><input type="hidden" name="siteCode" value="5104000001">'
        '<button type="submit">搜索</button></form><div class="hot">热门搜索：<a href="/search/?q=年报">年报</a>'
        '<a href="/search/?q=政策解读">政策解读</a><a href="/search/?q=招聘">招聘</a></div></div></div>'
        f'<div class="nav"><ul class="nav-main"><li><a href="/">首页</a></li>{menu}</ul></div>'
    )


def _portal_tools(report: SyntheticReport) -> str:
    return (
        '<div class="article-tools"><span>【字体：<a href="javascript:doZoom(18)">大</a> '
        '<a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</span>'
        '<span class="share">分享到：<a href="javascript:void(0)" class="weixin" title="微信"></a>'
        '<a href="javascript:void(0)" class="weibo" title="新浪微博"></a><a href="javascript:void(0)" class="qzone" '
        'title="QQ空间"></a></span><a href="javascript:window.print()">【打印本页】</a>'
        '<a href="javascript:window.close()">【关闭窗口】</a></div>'
    )


def _portal_bottom(report: SyntheticReport) -> str:
    """Related documents, the other governments' sites, the site's registration and its scripts."""
    agency = escape(report.agency)
    related = "".join(
        f'<li><a href="/zfxxgk/{report.year - k % 3}/{report.seed * 13 + k}.html" target="_blank">'
        f"{title}</a><span>{report.year - k % 3 + 1}-0{1 + k % 3}-{10 + k}</span></li>"
        for k, title in enumerate(
            (
                f"{agency}关于印发{report.year + 1}年政务公开工作要点的通知",
                f"{agency}{report.year}年法治政府建设年度报告",
                f"{agency}{report.year}年度部门决算公开",
                f"关于{report.year + 1}年第一季度政府网站检查情况的通报",
                f"{agency}政府信息公开指南",
                f"{agency}{report.year - 1}年政府信息公开工作年度报告",
                f"{agency}政府信息公开制度",
                f"{report.year + 1}年{agency}重点工作任务分解方案",
            )
        )
    )
    sites = "".join(
        f'<select onchange="if(this.value)window.open(this.value)"><option value="">{group}</option>'
        + "".join(f'<option value="http://www.example{i}{j}.gov.cn/">{name}</option>' for j, name in enumerate(names))
        + "</select>"
        for i, (group, names) in enumerate(_PORTAL_SITES)
    )
    return (
        f'<div class="related"><div class="hd"><span>相关文章</span></div><ul>{related}</ul></div>'
        f'<div class="footer-links">政府网站：{sites}</div>'
        f'<div class="footer-bottom"><p><a href="/about/">关于本站</a> | <a href="/sitemap/">网站地图</a> | '
        '<a href="/contact/">联系我们</a> | <a href="/statement/">隐私声明</a></p>'
        f"<p>主办单位：{agency}办公室 承办单位：{agency}大数据中心</p>"
        f"<p>网站标识码：5104{report.seed % 9000 + 1000}0001 蜀ICP备05008523号-1 "
        '<img src="/images/ga.png" alt="">川公网安备 51041102000123号</p>'
        '<p><span id="_ideConac"><a href="http://bszs.conac.cn/sitename?method=show&amp;id=0A1B2C3D" target="_blank">'
        '<img src="/images/red.png" alt="党政机关"></a></span>'
        '<a href="http://www.example.gov.cn/jiucuo/" target="_blank"><img src="/images/jiucuo.png" alt="政府网站找错"></a></p>'
        "<p>建议使用1366*768分辨率 IE9以上版本浏览器</p></div>"
        '<script type="text/javascript" src="/js/accessible.js"></script>'
        "<script type=\"text/javascript\">$(function(){$('.nav-main>li').hover(function(){$(this).addClass('on')},"
        "function(){$(this).removeClass('on')});$('#zoom img').each(function(){if($(this).width()>900)"
        "{$(this).css({width:'100%',height:'auto'})}});});function doZoom(size){$('#zoom p,#zoom td')"
        ".css('font-size',size+'px')}</script>"
    )
