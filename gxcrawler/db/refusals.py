"""The loader's last line of defence: a page that is not a report never becomes or replaces one.

The crawl refuses error pages before parsing (``gxcrawler.crawl.responses``); these
rules hold for anything that reaches the loader all the same (a re-parse, a library
caller, an error page the crawl did not recognise):

* an unreadable document (parse status ``error``: empty, corrupt, truncated, no
  converter) is ``refused`` — a transient failure, never settled;
* a page without statistics tables that is an error page (``gxcrawler.pagekind``:
  soft 404, maintenance, login, empty, challenge) is ``refused``;
* a page without statistics tables becomes a report row only on an explicit decision
  read from the document itself: its tables are pictures (``images``), it is a
  document file (PDF/Word: a file published under the report's title), or its own
  text (title, a heading, a line — not a link) names an annual report (a
  narrative-only report). A list-page title alone is not enough;
* a report stored with statistics is never replaced by a version without them.

``refused`` loads leave the stored report as it is and record why on the URL's
``fetches`` row; the next crawl asks again.
"""

from __future__ import annotations

from gxcrawler import discovery, pagekind
from gxcrawler.model import ParseResult, Provenance

#: parse statuses that carry statistics
WITH_TABLES = ("ok", "partial")
_DOCUMENT_FILES = ("pdf", "docx", "doc")


def refusal(result: ParseResult, prov: Provenance) -> str | None:
    """Why this parse must not create or replace a report, or None when it may be loaded."""
    if result.status == "error":
        return f"unreadable: {result.message or 'the document could not be read'}"
    if result.status in WITH_TABLES:
        return None
    found = pagekind.classify(prov.content, content_type=prov.content_type, url=prov.document_url or prov.page_url)
    if found is not None:
        return found.reason
    if result.status == "no_tables" and not names_itself_a_report(result, prov):
        return "no_tables: no statistics tables, and nothing in the document itself says it is a report"
    return None


def names_itself_a_report(result: ParseResult, prov: Provenance) -> bool:
    """The explicit decision a report row without statistics needs (see the module doc)."""
    if result.images or result.source_type in _DOCUMENT_FILES:
        return True
    html = pagekind.head_text(prov.content)
    if "<" in html and discovery.page_heading(html):
        return True
    return any(discovery.is_annual_report(block) for block in pagekind.own_text_blocks(html))


#: what the PDF reader writes when a wall-clock budget left pages unread (``formats/pdf.py``: the
#: PDF's and a page's): a busy machine's read, not the document's (OCR's budget is CPU time)
_CUT_SHORT = ("PDF time budget spent", "not read within")


def cut_short(result: ParseResult) -> str | None:
    """The warning saying a wall-clock budget left part of the document unread, or None."""
    return next((w for w in result.warnings if any(m in w for m in _CUT_SHORT)), None)


def replacement_refusal(stored_status: str | None, result: ParseResult) -> str | None:
    """Why ``result`` must not replace a stored report of status ``stored_status``, or None."""
    if stored_status in WITH_TABLES and result.status not in WITH_TABLES:
        return f"kept: the stored version has statistics tables, this one ({result.status}) has none"
    return None
