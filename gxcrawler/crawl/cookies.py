"""Scrapy's cookie middleware without a download of the Public Suffix List.

Scrapy asks tldextract whether a cookie's domain is a public suffix (cookies set for a whole
suffix are refused). tldextract's default fetches the list from publicsuffix.org the first
time on each machine: a request no portal asked for, and, where the crawler has no internet
(or publicsuffix.org is unreachable from China), a logged traceback before it falls back to
the copy bundled with it. The bundled copy is used from the start: the same answers, offline.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares import cookies
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from tldextract import TLDExtract

#: tldextract with its bundled list only (no suffix_list_urls: nothing downloaded)
OFFLINE_SUFFIXES = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


class OfflineSuffixCookiesMiddleware(CookiesMiddleware):
    """``CookiesMiddleware`` whose public-suffix test reads tldextract's bundled list."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - Scrapy's own signature
        super().__init__(*args, **kwargs)
        if hasattr(cookies, "_split_domain"):  # the module-level extractor _is_public_domain reads
            cookies._split_domain = OFFLINE_SUFFIXES
