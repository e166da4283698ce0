"""Cookies' public-suffix test reads tldextract's bundled list: no download on a first crawl."""

from __future__ import annotations

import socket

import pytest
from scrapy.downloadermiddlewares import cookies
from scrapy.utils.test import get_crawler

from gxcrawler import settings as project_settings
from gxcrawler.crawl.cookies import OfflineSuffixCookiesMiddleware


def test_the_project_uses_the_offline_cookie_middleware_in_scrapys_place():
    mws = project_settings.DOWNLOADER_MIDDLEWARES
    assert mws["scrapy.downloadermiddlewares.cookies.CookiesMiddleware"] is None
    assert mws["gxcrawler.crawl.cookies.OfflineSuffixCookiesMiddleware"] == 700  # Scrapy's own place


def test_public_suffixes_are_told_without_the_network(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cookies, "_split_domain", cookies._split_domain)  # restored after the test
    OfflineSuffixCookiesMiddleware.from_crawler(get_crawler(settings_dict={"COOKIES_ENABLED": True}))
    assert cookies._split_domain.suffix_list_urls == ()  # nothing to download from

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert cookies._is_public_domain("gov.cn")
    assert cookies._is_public_domain("com.cn")
    assert not cookies._is_public_domain("www.juyang.gov.cn")
    assert not cookies._is_public_domain("panzhihua.gov.cn")
