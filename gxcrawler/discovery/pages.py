"""What a report page says about itself: its tables, its publisher, its heading."""

from __future__ import annotations

import re
import unicodedata

from parsel import Selector

from .titles import fold_title, is_annual_report, normalize_title

#: labels of the publisher on detail pages and in 信息公开 metadata tables
AGENCY_LABELS = ("发布机构", "发布单位", "发文机关", "发文单位", "公开主体", "发布主体", "信息来源", "来源", "所属机构",
                 "责任部门")
_LABEL = re.compile(r"(" + "|".join(AGENCY_LABELS) + r")\s*(?:[:：]|\|)[\s|]*([^\s:：|]{2,40})")  # 来源: or a cell
_VALUE_CUT = re.compile(r"(?:发布时间|发布日期|时间|日期|作者|阅读|浏览|点击|字号|字体|访问|打印|分享|索引号|文号|[【\[(（]).*$")
#: 来源 values that name a website or a news agency, not the publisher
_NOT_AN_AGENCY = re.compile(r"网$|网站|本站|本网|原创|转载|新华社|人民日报|客户端|公众号|微信|^[A-Za-z]")


def clean_agency(value: str) -> str | None:
    """A labelled publisher value without its trailing fields; None for a website or news agency."""
    value = _VALUE_CUT.sub("", normalize_title(value)).strip("：:，,。 ")
    if len(value) < 2 or _NOT_AN_AGENCY.search(value):
        return None
    return value


def metadata_table(sel: Selector) -> dict[str, str]:
    """Label → value of a 信息公开 metadata table (标题 / 索引号 / 发布机构 / 发文日期 …), cells paired."""
    out: dict[str, str] = {}
    for row in sel.xpath("//table//tr[th or td]"):
        cells = [normalize_title(" ".join(c.css("::text").getall())) for c in row.xpath("./th|./td")]
        for label, value in zip(cells, cells[1:], strict=False):
            label = label.rstrip(":：")
            if label in ("标题", "名称", "索引号", "文号", "发文日期", "成文日期", "发布日期", *AGENCY_LABELS) \
                    and label not in out and value:
                out[label] = value
    return out


def page_agency(html: str | Selector) -> str | None:
    """The publisher a page names: its metadata table, else a ``来源:``/``发布机构:`` line.

    Used when the report's title names no agency (and for its attachments); the
    title's agency wins otherwise, because ``来源`` is often the office that posted a
    township's report (区政府办), not the township.
    """
    sel = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    table = metadata_table(sel)
    for label in AGENCY_LABELS:
        if label in table and (agency := clean_agency(table[label])):
            return agency
    for text in sel.xpath("//body//text()[contains(., '来源') or contains(., '发布') or contains(., '机构')"
                          " or contains(., '主体') or contains(., '发文')]").getall():
        if agency := labelled_agency(normalize_title(text)):
            return agency
    return None


def labelled_agency(line: str) -> str | None:
    """The publisher a ``来源:``/``发布机构:`` line names (a website or news agency is none).

    The value ends at the first space, so keep the spaces of a line that holds several fields.
    """
    for m in _LABEL.finditer(unicodedata.normalize("NFKC", line)):
        if agency := clean_agency(m.group(2)):
            return agency
    return None


def page_heading(html: str | Selector) -> str | None:
    """The report title a page shows: metadata 标题, a heading, ``<meta ArticleTitle>``, ``<title>``."""
    sel = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    candidates = [metadata_table(sel).get("标题", "")]
    candidates += sel.xpath("//meta[@name='ArticleTitle' or @name='articletitle']/@content").getall()
    candidates += [" ".join(h.css("::text").getall()) for h in sel.css("h1, h2, h3, .title, .article-title")]
    candidates += sel.css("title::text").getall()
    for text in candidates:
        text = " ".join(text.split())
        if is_annual_report(text):
            return text
    return None


def page_title(html: str | Selector) -> str | None:
    """The page's own title, whatever it is: ``<meta ArticleTitle>``, metadata 标题, the first heading."""
    sel = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    candidates = sel.xpath("//meta[@name='ArticleTitle' or @name='articletitle']/@content").getall()
    candidates += [metadata_table(sel).get("标题", "")]
    candidates += [" ".join(h.css("::text").getall()) for h in sel.css("h1, .article-title, h2")]
    return next((" ".join(c.split()) for c in candidates if c and c.strip()), None)


def has_statistics_tables(html: str) -> bool:
    """Does an HTML page carry the report's tables itself (rather than in an attachment)?"""
    if "<table" not in html.lower():
        return False
    text = fold_title(Selector(text=html).xpath("string(//body)").get() or "")
    return "信息公开申请" in text or "第二十条" in text


#: page chrome that is never a table: logos, icons, share buttons, QR codes … (the HTML parser's list)
_CHROME_IMG = re.compile(r"logo|icon|banner|share|qr|ewm|gh\.png|jiucuo|search|btn|button|dzjg|arrow|bg[_.]", re.I)
#: interpretation graphics (一图读懂 / 图解 / 解读): pictures about a report, never the report's tables
_GRAPHIC_WORDS = ("一图读懂", "一图看懂", "一图了解", "图解", "解读", "读懂", "看懂", "漫画", "海报", "长图")
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp")  # a link to the full-size picture
#: an <img> smaller than this (declared width or height, pixels) is an icon, not a table
_MIN_SIDE = 120


def table_images(html: str | Selector, base_url: str, *, limit: int = 12) -> list[str]:
    """Absolute URLs of the pictures in a report page's body that may be its statistics tables.

    A township office often pastes its tables into the page as pictures; the crawl fetches
    them and the parser reads them by OCR with the page. Not taken: page chrome (by name or
    a declared size under :data:`_MIN_SIDE`), inline ``data:`` pictures, and interpretation
    graphics — an ``<img>`` whose alt/title, enclosing link's text or nearest caption says
    一图读懂 / 图解 / 解读, or any picture of a page whose own title says so.
    """
    from urllib.parse import urljoin

    sel = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    title = fold_title(page_title(sel) or "")
    if any(w in title for w in _GRAPHIC_WORDS):
        return []
    out: list[str] = []
    for img in sel.xpath("//body//img"):
        src = (img.attrib.get("src") or img.attrib.get("data-src") or "").strip()
        if not src or src.startswith("data:") or _CHROME_IMG.search(src):
            continue
        if img.xpath("ancestor::*[self::header or self::footer or self::nav]"):
            continue
        sizes = [img.attrib.get(k, "") for k in ("width", "height")]
        if any(s.strip().isdigit() and int(s) < _MIN_SIDE for s in sizes):
            continue
        before = " ".join(img.xpath("ancestor::p[1]/preceding-sibling::*[1]//text()").getall())
        words = " ".join(
            [img.attrib.get("alt", ""), img.attrib.get("title", "")]
            + img.xpath("ancestor::a[1]//text() | ancestor::a[1]/@title").getall()
            + img.xpath("ancestor::figure[1]/figcaption//text()").getall()
            + ([before] if len(before.strip()) <= 30 else [])  # a caption line, not a paragraph
        )
        if any(w in fold_title(words) for w in _GRAPHIC_WORDS):
            continue
        linked = (img.xpath("ancestor::a[1]/@href").get() or "").strip()
        if linked and not linked.split("?")[0].lower().endswith(_IMAGE_EXTENSIONS):
            continue  # a picture linking to another page: a banner or a news item, not a table
        url = urljoin(base_url, src)
        if url not in out:
            out.append(url)
    return out[:limit]
