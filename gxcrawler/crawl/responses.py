"""Read what the server really sent: the right encoding, and no error page taken for a document.

:class:`ResponseCheckMiddleware` (downloader, 584: after decompression and the
anti-bot check, before retries and the spider) looks at every spider response:

* a list, report or script page is decoded with the *same* encoding detection as the
  parser uses for documents (``gxcrawler.parsing.htmldoc.decode``: BOM, valid UTF-8,
  declared charset, GB18030, detection), so a GBK list page declared UTF-8 still
  shows its report titles to the spider;
* a page that is not what it claims (``gxcrawler.pagekind``: empty, soft 404,
  maintenance, login, challenge) is refused: recorded by the ledger (``fetches`` row
  with its reason, outcome ``refused``, not settled) and never reaches the spider, so
  a stored report is never replaced by it and the next run asks again;
* a 2xx other than 200/203 (an empty ``202 Accepted``, ``206`` partial content) is a
  transient answer, refused the same way; so is a list page that is not text at all.
"""

from __future__ import annotations

import codecs

from scrapy.http import Response, TextResponse

from gxcrawler import pagekind

from .ledger import Ledger

CHECKED_KINDS = ("list", "report", "attachment", "script", "json")
DECODED_KINDS = ("list", "report", "script")
ACCEPTED_STATUSES = (200, 203)


def _codec(name: str | None) -> str | None:
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def redecoded(response: TextResponse) -> TextResponse:
    """``response`` decoded as the parser would decode it (itself when Scrapy agreed)."""
    from gxcrawler.parsing.htmldoc import decode

    content_type = response.headers.get("Content-Type")
    _, encoding = decode(response.body, content_type.decode("latin-1") if content_type else None)
    if _codec(encoding) in (None, _codec(response.encoding)):
        return response
    return response.replace(encoding=encoding)


class ResponseCheckMiddleware:
    def __init__(self, crawler) -> None:
        self.ledger = Ledger.of(crawler)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response: Response, spider=None) -> Response:
        kind = request.meta.get("gx_kind")
        if kind not in CHECKED_KINDS or not (200 <= response.status < 300):
            return response
        content_type = response.headers.get("Content-Type")
        found = pagekind.classify(
            response.body,
            status=response.status,
            headers=response.headers,
            url=request.url,
            content_type=content_type.decode("latin-1") if content_type else None,
        )
        if found is not None and (kind not in ("script", "json") or found.kind == "empty"):
            self.stats.inc_value(f"gx/pagekind/{found.kind}")
            raise self.ledger.refuse(request, found.reason, response.status)
        if response.status not in ACCEPTED_STATUSES:
            raise self.ledger.refuse(request, f"unexpected_status: HTTP {response.status}", response.status)
        if kind in DECODED_KINDS and not isinstance(response, TextResponse):
            ctype = content_type.decode("latin-1") if content_type else "no Content-Type"
            raise self.ledger.refuse(request, f"not_a_page: a {kind} page answered with {ctype}", response.status)
        if kind in DECODED_KINDS and isinstance(response, TextResponse):
            fixed = redecoded(response)
            if fixed is not response:
                self.stats.inc_value("gx/encoding/redecoded")
            return fixed
        return response
