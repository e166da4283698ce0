"""The anti-bot classifier on challenge pages seen in the wild, and on ordinary pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from gxcrawler.crawl.antibot import classify_block

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"
URL = "http://www.example.gov.cn/zfxxgk/zfxxgknb/4113673.shtml"

JSL_412 = (
    b"<html><body><script>document.cookie=('__jsl_clearance=1700000000.1|0|'+"
    b"(function(){return 'abc'})()+';max-age=3600;path=/');location.href=location.pathname+"
    b"location.search</script></body></html>"
)
WAF_202 = b"<html><head><script src='/waf_verify.js'></script></head><body></body></html>"
SAFEDOG = (
    "<html><head><title>网站防火墙</title></head><body><h1>您的访问被阻断</h1>"
    "<p>当前访问疑似黑客攻击，已被网站管理员设置为拦截。 safedog</p></body></html>"
).encode("gbk")
YUNSUO = "<html><body><div>访问被拒绝</div><p>Powered by yunsuo</p></body></html>".encode()
CF_JUST_A_MOMENT = b"<html><head><title>Just a moment...</title></head><body><div id='challenge-platform'></div></body></html>"


def _report_html() -> bytes:
    text = next(iter(sorted(SEEDS.glob("*.txt")))).read_text(encoding="utf-8")
    body = "".join(f"<p>{line}</p>" for line in text.splitlines())
    return f"<html><head><script src='/js/jquery.js'></script></head><body>{body}</body></html>".encode()


@pytest.mark.parametrize(
    ("status", "headers", "body", "kind"),
    [
        (412, {"Content-Type": "text/html"}, JSL_412, "js_challenge"),
        (202, {}, WAF_202, "js_challenge"),
        (200, {}, JSL_412, "js_challenge"),
        (521, {"Server": "cloudflare"}, b"", "cloudflare"),
        (503, {"Server": "nginx"}, CF_JUST_A_MOMENT, "cloudflare"),
        (403, {"cf-mitigated": "challenge"}, b"", "cloudflare"),
        (200, {"Content-Type": "text/html; charset=gbk"}, SAFEDOG, "waf_block"),
        (403, {}, YUNSUO, "waf_block"),
        (302, {"Location": URL, "Set-Cookie": "CT6T=abc123; path=/"}, b"", "cookie_challenge"),
        (302, {"Location": "/other", "Set-Cookie": "CT6T=abc123; path=/"}, b"", "cookie_challenge"),
        (302, {b"Location": [b"/zfxxgk/zfxxgknb/4113673.shtml"], b"Set-Cookie": [b"x=1"]}, b"", "cookie_challenge"),
    ],
)
def test_challenges_are_recognised(status, headers, body, kind):
    assert classify_block(status, headers, body, URL) == kind


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (200, {"Content-Type": "text/html"}, "report"),
        (404, {}, b"<html><body><h1>404 Not Found</h1><script>var x=1;</script></body></html>"),
        (302, {"Location": "http://www.example.gov.cn/new/index.shtml"}, b""),
        (302, {"Location": "/login", "Set-Cookie": "JSESSIONID=1"}, b""),
        (304, {"ETag": '"abc"'}, b""),
        (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 binary \x00\xff" * 100),
    ],
)
def test_ordinary_pages_are_not_blocks(status, headers, body):
    if body == "report":
        body = _report_html()
    assert classify_block(status, headers, body, URL) is None


def test_a_long_report_mentioning_waf_words_is_still_a_report():
    body = _report_html().replace(b"<body>", "<body><p>本网站已部署网站防火墙(安全狗)</p>".encode())
    assert classify_block(200, {}, body, URL) is None


def test_an_upgrade_to_https_with_a_load_balancer_cookie_is_not_a_challenge():
    """review3, 2026-12-01: the same page under ``https`` is another URL, not a redirect to itself; F5's
    ``BIGipServer…`` (or any sticky-session) cookie rides on every answer, redirects included. Taken
    for a cookie challenge, the redirect was dropped and the whole host backed off for the night."""
    upgrade = {"Location": URL.replace("http://", "https://", 1),
               "Set-Cookie": "BIGipServerpool_web=1677787402.20480.0000; path=/; Httponly"}
    assert classify_block(301, upgrade, b"", URL) is None
