"""``gxcrawler.pagekind``: error pages told from documents, and never a document taken for one."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from gxcrawler.pagekind import classify, classify_challenge, visible_length
from tests.simulations.registry import NAMES, simulation

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"
URL = "http://www.example.gov.cn/zfxxgk/zfxxgknb/4113673.shtml"
CHROME = "".join(f"<li><a href='/c{i}/'>栏目{i} 政务公开 政策解读 办事服务</a></li>" for i in range(40))


def page(body: str, title: str = "攀枝花市仁和区人民政府", encoding: str = "utf-8") -> bytes:
    return (
        f"<html><head><meta charset='{encoding}'><title>{title}</title><style>.a{{}}</style></head>"
        f"<body><ul class='nav'>{CHROME}</ul>{body}<div class='foot'>主办单位：某县人民政府办公室 "
        f"技术支持：某公司 ICP备案号 12345678号</div></body></html>"
    ).encode(encoding)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (page("<div class='main'>信息不存在或已删除！</div>"), "soft_404"),
        (page("<p>抱歉，您访问的页面不存在或已被移除</p>", encoding="gbk"), "soft_404"),
        (page("<p>返回首页</p>", title="ERROR 404 您访问的页面不存在"), "soft_404"),
        (b"<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center>"
         b"<hr><center>nginx</center></body></html>", "soft_404"),
        (page("<h2>该信息已被删除</h2>"), "soft_404"),
        (page("<p>系统维护中，请稍后访问。</p>"), "maintenance"),
        ("<html><body><h1>网站升级维护公告</h1><p>为提供更好的服务，本站于今晚22:00至次日6:00进行系统升级，"
         "期间暂停访问。</p></body></html>".encode("gbk"), "maintenance"),
        (page("<form action='/login'>用户名<input name='u'>密码<input type='password' name='p'>"
              "<button>登录</button></form>", title="统一身份认证平台"), "login"),
        (b"", "empty"),
        (b"   \r\n ", "empty"),
        (b"<html><head><title></title></head><body>\n</body></html>", "empty"),
    ],
)
def test_error_pages_are_recognised(body: bytes, kind: str):
    found = classify(body, url=URL, content_type="text/html")
    assert found is not None and found.kind == kind, found
    assert found.reason.startswith(kind)


def test_challenges_are_a_page_kind_with_their_own_label():
    jsl_521 = (b"<html><script>document.cookie=('__jsl_clearance=1|0|'+'x')+';path=/';"
               b"location.href=location.pathname+location.search</script></html>")
    found = classify(jsl_521, status=521, headers={"Server": "nginx"}, url=URL)
    assert (found.kind, found.label) == ("challenge", "js_challenge")  # 加速乐, not Cloudflare
    assert classify_challenge(521, {"Server": "cloudflare"}, b"", URL) == "cloudflare"
    assert classify_challenge(521, {"CF-RAY": "8a1b2c3d4e5f-LAX"}, b"<html></html>", URL) == "cloudflare"


def _report_html(extra: str = "") -> bytes:
    text = next(iter(sorted(SEEDS.glob("*.txt")))).read_text(encoding="utf-8")
    body = "".join(f"<p>{line}</p>" for line in text.splitlines())
    return page(extra + body, title="仁和区2021年政府信息公开工作年度报告")


def test_a_report_that_mentions_deletion_and_maintenance_is_a_report():
    extra = "<h3>信息已删除的过时栏目</h3><p>本年度网站维护中发现并清理了已删除的栏目，页面不存在的链接12个。</p>"
    assert classify(_report_html(extra), url=URL) is None


def test_a_short_page_that_only_links_its_report_attachment_is_a_document():
    body = page("<h1>太平乡2021年政府信息公开工作年度报告</h1><p>发布时间：2022-01-20</p>"
                "<a href='/u/2022/report.pdf'>太平乡2021年年度报告.pdf</a>")
    assert classify(body, url=URL) is None


def test_a_short_report_page_with_a_login_box_in_its_header_is_a_document():
    box = "<div class='top'>用户名<input name='u'>密码<input type='password' name='p'><a>登录</a></div>"
    body = page(box + "<h1>太平乡2021年度报告</h1><a href='/u/r.pdf'>附件：年度报告.pdf</a>", title="太平乡2021年度报告")
    assert classify(body, url=URL) is None


@pytest.mark.parametrize("magic", [b"%PDF-1.4\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"])
def test_binary_documents_are_never_error_pages(magic: bytes):
    body = magic + "页面不存在 404 Not Found 系统维护中".encode() + b"\x00\xff" * 200
    assert classify(body, url=URL + ".pdf", content_type="application/octet-stream") is None


def test_visible_length_ignores_markup_scripts_and_entities():
    assert visible_length("<p>a&nbsp;b</p><script>var x='页面不存在';</script><!-- 信息不存在 -->") == 2


def _start_urls(name: str) -> list[str]:
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    spider = SpiderLoader.from_settings(get_project_settings()).load(name)
    return [c if isinstance(c, str) else c.url for c in spider.columns]


#: binary attachments (generated slowly by some simulations) and assets: not pages
_NOT_PAGES = (".js", ".css", ".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".jpg", ".png", ".gif", ".zip")
_HREF = re.compile(r"""(?:href|src)\s*=\s*["']([^"'#]+)""", re.I)


def _every_page(name: str, limit: int = 1500):
    """Every page and document a simulation serves from its start columns (a breadth-first walk)."""
    sim = simulation(name)
    queue = deque(_start_urls(name))
    seen = set(queue)
    while queue and len(seen) < limit:
        url = queue.popleft()
        response = sim.handle("GET", url, {})
        yield url, response
        if response.status != 200 or "html" not in response.headers.get("Content-Type", "html"):
            continue
        text = response.body.decode("utf-8", "ignore") + response.body.decode("gb18030", "ignore")
        for href in _HREF.findall(text):
            nxt = urljoin(url, href.strip())
            if urlsplit(nxt).hostname in sim.hosts and nxt not in seen and not nxt.lower().endswith(_NOT_PAGES):
                seen.add(nxt)
                queue.append(nxt)


@pytest.mark.parametrize("name", NAMES)
def test_no_page_of_the_simulated_portals_is_taken_for_an_error_page(name: str):
    pages = 0
    for url, response in _every_page(name):
        if response.status != 200:
            continue
        pages += 1
        found = classify(response.body, status=200, headers=response.headers, url=url,
                         content_type=response.headers.get("Content-Type"))
        assert found is None, (url, found)
    assert pages > 20
