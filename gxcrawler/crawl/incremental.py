"""Incremental re-crawls: download only what may have changed since the last crawl, and find what did.

List pages are always fetched (that is where new reports appear). Every report page
and attachment URL is judged *on its own* (an attachment is never "unchanged" just
because the page that links it answered 304). One the store has *settled* (fetched
and successfully loaded, ``store.known_fetches``) is

* with validators (``ETag``/``Last-Modified``): requested conditionally one night in
  ``GX_REVALIDATE_EVERY`` (28 in the project's settings; every night when unset); a 304 confirms it unchanged;
* without validators: re-downloaded one night in ``GX_REFETCH_EVERY`` (default 7) and
  compared by hash; the same bytes confirm it unchanged (not parsed, not loaded);
* on its other nights: not requested (only marked seen);
* gone (its last fetch failed with 404/410, or a soft 404: ``store.is_gone``): asked again one night in ``GX_GONE_RETRY_EVERY``
  (default 7), not every night — a transient failure (5xx, network, error page) still is;
* in any case re-checked once its last confirmation (``fetches.checked_at``) is
  ``N`` nights old, so a missed night does not stretch the schedule: every document is
  confirmed within ``N`` nights.

The rotation deals a spider's known documents of one period out to the N nights in
hash order (``rotation_slots``), so each night checks ⌊n/N⌋ or ⌈n/N⌉ of them — not a
random share, which gave some nights twice the mean — starting from a night of the spider's
own (a hash of its name), so the portals' heavier nights do not all fall together. When a page is confirmed unchanged or skipped, the attachments it
led to are requested on their own (the same rules apply to each). ``-a refresh=1`` /
``-s GX_REFRESH=True`` fetch everything; ``GX_INCREMENTAL=False`` turns it all off.

What was fetched is written to ``fetches`` once its chain is done (the page and the
document it led to, when the document's item left the pipelines): a crawl killed
before loading leaves the URL unsettled, so the next crawl fetches it again. The
loader records the load outcome on the same row. Failures (``gxcrawler.crawl.ledger``)
are written on the same rows and unsettle them. All writes are batched and run on
the crawl's writer thread (``gxcrawler.crawl.writer``), never on the reactor; a transient failure
(deadlock, serialization failure, lock not available, a dropped connection) is tried again there at
once; if the database is down they are kept and retried, and spooled to disk when the crawl ends.

A document link that redirects (``http://`` → ``https://``, a CMS's ``download.jsp?id=`` →
``/uploads/…``) is stored as an *alias* of where it led (``fetch_aliases``), recorded only
from the link's own request (``LINK``: the URL a request had before its own redirects; the
redirect meta of the page a link was found on never reaches the requests made from it,
:class:`FreshRequestMiddleware`). On later nights a link whose target is settled is
mapped to the target's request (conditional, skipped, as the target decides), without
the redirect; the link itself is followed again when it is due on the same rotation as a
document (``GX_REVALIDATE_EVERY``, or overdue), so a changed redirect is found within N
nights; and at once when the target answers anything but 200/304 (gone, moved again).

This module is the base of the cheap nightly re-crawl: the decision for one URL is
:func:`decide`, pure, from what the store knows and the settings.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from twisted.internet import defer

from gxcrawler.model import Region

from . import store
from .writer import SerialWriter

logger = logging.getLogger(__name__)

DOCUMENT_KINDS = ("report", "attachment")
CHAIN = "gx_fetch_chain"  # meta: fetch records of the pages that led to this request
KNOWN_SHA = "gx_known_sha256"  # meta: the stored hash a re-download is compared with
LINK = "gx_link"  # meta: the URL this document request had before its own redirects (the link)
ALIAS = "gx_alias"  # meta: the link this request was mapped from (its target asked directly)
NO_ALIAS = "gx_no_alias"  # meta: follow the link itself (its mapped target did not answer 200/304)
PROBE = "gx_picture_of"  # meta: a table picture revalidated on its own; the report page it belongs to
REREAD = "gx_reread"  # meta: a report page asked again in full because one of its pictures changed
VALIDATED = "gx_validators_of"  # meta: the URL whose validators a conditional request carries (through its redirects)
#: meta of a request's own download (Scrapy's redirect/retry bookkeeping, ours): never in a new request
DOWNLOAD_META = ("redirect_urls", "redirect_reasons", "redirect_times", "redirect_ttl", "retry_times", LINK, ALIAS,
                 NO_ALIAS, "gx_conditional", KNOWN_SHA, "dont_redirect", "download_slot", VALIDATED)
STATS = "gx/incremental"

#: what :func:`decide` says about a settled URL tonight
CONDITIONAL, REFETCH, SKIP = "conditional", "refetch", "skip"


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    # a NUL (which Twisted passes on) is refused by PostgreSQL in text: the whole batch of fetch rows would fail
    return value.decode("latin-1").replace("\x00", "") if value else None


def _url_hash(url: str) -> int:
    return int(hashlib.sha1(url.encode()).hexdigest()[:8], 16)


def due_for_revalidation(url: str, every: int, day: int | None = None, slot: int | None = None) -> bool:
    """Whether ``url`` is re-checked on ``day`` (days since the epoch, default today, UTC) in a 1-in-``every``
    rotation: on its ``slot``'s night (``rotation_slots``), else on its hash's."""
    if every <= 1:
        return True
    day = int(time.time() // 86400) if day is None else day
    return ((_url_hash(url) if slot is None else slot) + day) % every == 0


def rotation_slots(urls: Iterable[tuple[str, int]], rotation: str) -> dict[str, int]:
    """Each URL's night in its ``every``-night rotation, dealt evenly: one period's URLs in hash order, in turn,
    from a night of the rotation's own (``rotation``: its name, e.g. the spider's — :func:`rotation_start`).

    Why: by the hash alone each night gets a random share (the 110 documents of the Panzhihua
    simulation at N = 28: 0 to 9 a night); dealt in turn a night gets ⌊n/N⌋ or ⌈n/N⌉. The ⌈n/N⌉
    nights are the first ones dealt: were every rotation dealt from the same night, every portal's
    heavy nights (and the only nights its few dead links are asked) would fall together. A URL added
    or gone shifts the turns of those after it by one night; the overdue bound (``decide``: checked
    N nights ago) still holds for each.
    """
    groups: dict[int, list[str]] = {}
    for url, every in urls:
        if every > 1:
            groups.setdefault(every, []).append(url)
    slots: dict[str, int] = {}
    for every, members in groups.items():
        start = rotation_start(rotation, every)
        for i, url in enumerate(sorted(members, key=lambda u: (_url_hash(u), u))):
            slots[url] = (start + i) % every
    return slots


def rotation_start(rotation: str, every: int) -> int:
    """The slot an ``every``-night rotation named ``rotation`` deals its first URL to: stable (a hash of
    the name), and spread over the ``every`` slots from one name to another."""
    return _url_hash(f"{rotation}/{every}") % every


def alias_due(alias: store.Alias, every: int, now: datetime | None = None) -> bool:
    """Whether a redirecting link is followed itself tonight (its redirect checked): its night in an
    ``every``-night rotation by the link's hash, or overdue (not followed for ``every`` nights)."""
    now = now or datetime.now(UTC)
    if alias.checked_at is None or now - alias.checked_at >= timedelta(days=max(every, 1)) - timedelta(hours=1):
        return True
    return due_for_revalidation(alias.url, every, int(now.timestamp() // 86400))


def period(known: store.Known, *, revalidate_every: int, refetch_every: int, gone_every: int) -> int:
    """The nights of ``known``'s rotation: gone (404/410), with validators, without."""
    if known.gone:
        return gone_every
    return revalidate_every if known.has_validators else refetch_every


def decide(known: store.Known, *, revalidate_every: int, refetch_every: int, now: datetime | None = None,
           slot: int | None = None) -> str:
    """For a settled URL: ``conditional`` request, full ``refetch`` (compared by hash), or ``skip`` tonight."""
    now = now or datetime.now(UTC)
    every = revalidate_every if known.has_validators else refetch_every
    overdue = known.checked_at is None or now - known.checked_at >= timedelta(days=max(every, 1)) - timedelta(hours=1)
    if not (overdue or due_for_revalidation(known.url, every, int(now.timestamp() // 86400), slot)):
        return SKIP
    return CONDITIONAL if known.has_validators else REFETCH


def fetch_record(response: Response, spider_name: str, outcome: str | None = None,
                 request: Request | None = None) -> dict[str, Any]:
    """The ``fetches`` row for one downloaded report page or attachment (``request``: where the
    response is not tied to its request yet, in a downloader middleware)."""
    meta = (request or response).meta
    return {
        "url": response.url,
        "spider": spider_name,
        "kind": meta.get("gx_kind"),
        "parent_url": meta.get("gx_page_url"),
        "sha256": hashlib.sha256(response.body).hexdigest(),
        "status_code": response.status,
        "etag": _header(response, "ETag"),
        "last_modified": _header(response, "Last-Modified"),
        "outcome": outcome,
    }


class IncrementalState:
    """One crawl's view of the store, and its buffered writes (one per crawler)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.settings = crawler.settings
        self.enabled = self.settings.getbool("GX_INCREMENTAL", True)
        self.flush_every = self.settings.getint("GX_FETCH_FLUSH_EVERY", 10)
        self.flush_seconds = self.settings.getfloat("GX_FETCH_FLUSH_SECONDS", 2.0)
        self.revalidate_every = self.settings.getint("GX_REVALIDATE_EVERY", 1)
        self.refetch_every = self.settings.getint("GX_REFETCH_EVERY", 7)
        self.gone_every = self.settings.getint("GX_GONE_RETRY_EVERY", 7)
        self.writer = SerialWriter.of(crawler)
        self._timer = None
        self._flushing: defer.Deferred | None = None
        self.engine = None
        self.spider_name = ""
        self.refresh = False
        self.run_id: int | None = None
        self.known: dict[str, store.Known] = {}
        self.aliases: dict[str, store.Alias] = {}  # redirecting document links, by link
        self._aliases: dict[str, dict[str, Any]] = {}
        self.lists: dict[str, store.KnownList] = {}  # list pages as last read (gxcrawler.crawl.lists)
        self.slots: dict[str, int] = {}  # each known document's night in its rotation (rotation_slots)
        self.list_slots: dict[str, int] = {}
        self._lists: dict[str, dict[str, Any]] = {}
        self._lists_seen: list[str] = []
        self._list_children: dict[str, set[str]] = {}  # each list URL's children read tonight, all its pages
        self._records: dict[str, dict[str, Any]] = {}
        self.recorded: set[str] = set()  # URLs whose fetch record was written (or queued) this run
        self.failed: set[str] = set()  # URLs that failed this run (the ledger's record_failure)
        self._settle: dict[str, dict[str, Any]] = {}  # pages to write as ``unchanged`` at the end (settle_later)
        self._failures: dict[str, dict[str, Any]] = {}
        self._seen: list[str] = []
        self._checked: list[str] = []

    @classmethod
    def of(cls, crawler) -> IncrementalState:
        state = getattr(crawler, "_gx_incremental_state", None)
        if state is None:
            state = cls(crawler)
            crawler._gx_incremental_state = state
        return state

    def open(self, engine, spider, run_id: int | None, known: dict[str, store.Known],
             lists: dict[str, store.KnownList] | None = None,
             aliases: dict[str, store.Alias] | None = None) -> None:
        """Start recording for ``spider`` (``known``: ``store.known_fetches``, read off the reactor)."""
        self.engine = engine
        self.spider_name = spider.name
        self.run_id = run_id
        self.refresh = self.settings.getbool("GX_REFRESH", False) or _truthy(getattr(spider, "refresh", ""))
        if self.flush_seconds > 0:  # a killed crawl loses at most this much of its records
            from twisted.internet import task

            self._timer = task.LoopingCall(self.flush)
            self._timer.start(self.flush_seconds, now=False)
        if self.enabled:
            self.known = known
            self.lists = lists or {}
            self.aliases = aliases or {}
            self.slots = rotation_slots(((k.url, self.period(k)) for k in known.values()), spider.name)
            every = self.settings.getint("GX_LIST_REVISIT_EVERY", 7)
            # the lists' rotation starts on a night of its own, not on the documents' heavy nights
            self.list_slots = rotation_slots(((url, every) for url in self.lists), f"{spider.name} lists")
            logger.info("incremental: %d known documents for %s%s", len(self.known), spider.name,
                        " (refresh: fetching all)" if self.refresh else "")

    # -- decisions ---------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether known pages may be left out tonight (incremental, not a refresh)."""
        return self.enabled and not self.refresh and self.engine is not None

    def record_list(self, response: Response, sha256: str, children: list[str], request: str | None = None) -> None:
        """A list page read tonight: the fingerprint of the requests it led to, their URLs, its own request."""
        if self.engine is None or not self.enabled:
            return
        # one row per URL, but two list pages may share one (Hanweb's dataproxy: both columns POST to the
        # same URL, the form tells them apart): its children are all of theirs, or ``lists._below`` would
        # judge one column's reports from the other's page and leave them unseen
        known = self._list_children.setdefault(response.url, set())
        known.update(children)
        children = sorted(known)
        self._lists[response.url] = {"url": response.url, "spider": self.spider_name,
                                     "kind": response.meta.get("gx_kind"), "sha256": sha256,
                                     "children": children, "status_code": response.status, "request": request}
        self._maybe_flush()

    def list_seen(self, url: str) -> None:
        """A list page not read tonight because the page linking it is unchanged: still listed."""
        self._lists_seen.append(url)
        self._maybe_flush()

    def settled(self, url: str) -> store.Known | None:
        if not self.enabled or self.refresh:
            return None
        k = self.known.get(url)
        return k if k is not None and k.settled else None

    def alias_target(self, url: str) -> str | None:
        """Where to ask for the link ``url`` tonight instead of following its redirect: its alias's target,
        when that target is a settled document and the link is not due to be followed itself."""
        alias = self.aliases.get(url) if self.active else None
        if alias is None or alias.target == url or self.settled(alias.target) is None:
            return None
        return None if alias_due(alias, self.revalidate_every) else alias.target

    def record_alias(self, link: str, target: str) -> None:
        """The link ``link`` was followed tonight and led to the document ``target``."""
        if self.engine is None or not self.enabled or link == target:
            return
        self._aliases[link] = {"url": link, "target": target, "spider": self.spider_name,
                               "checked_at": datetime.now(UTC).isoformat()}
        self._maybe_flush()

    def period(self, known: store.Known) -> int:
        return period(known, revalidate_every=self.revalidate_every, refetch_every=self.refetch_every,
                      gone_every=self.gone_every)

    def gone_not_due(self, url: str) -> store.Known | None:
        """``url`` if it was gone (404/410, soft 404) at its last fetch and is not due to be asked again tonight."""
        k = self.known.get(url) if self.enabled and not self.refresh else None
        if k is None or not k.gone or due_for_revalidation(url, self.gone_every, slot=self.slots.get(url)):
            return None
        return k

    def decide(self, known: store.Known) -> str:
        return decide(known, revalidate_every=self.revalidate_every, refetch_every=self.refetch_every,
                      slot=self.slots.get(known.url))

    def seen(self, known: store.Known) -> None:
        self._seen.append(known.url)
        self._maybe_flush()

    def checked(self, known: store.Known) -> None:
        self._checked.append(known.url)
        self._maybe_flush()

    # -- writes (buffered; flushed on the writer thread) --------------------------
    def record(self, rows: Iterable[dict[str, Any]]) -> None:
        if self.engine is None:
            return
        for row in rows:
            self._records[row["url"]] = row
            self._failures.pop(row["url"], None)
            self.recorded.add(row["url"])
        self._maybe_flush()

    def record_failure(self, row: dict[str, Any]) -> None:
        """A URL this run could not get (``gxcrawler.crawl.ledger``); unsettles its row."""
        if self.engine is None:
            return
        self._failures[row["url"]] = {"spider": self.spider_name, **row}
        self.failed.add(row["url"])
        self._records.pop(row["url"], None)
        self._maybe_flush()

    def settle_later(self, rows: Iterable[dict[str, Any]]) -> None:
        """Pages that led to a document the store holds: written as ``unchanged`` when the crawl ends, unless
        their record was written meanwhile (a page that gave a report of its own: the loader's outcome
        stands) or they failed (a page whose parse failed stays unsettled)."""
        for row in rows:
            self._settle.setdefault(row["url"], row)

    def _release_settled(self) -> None:
        rows = [{**row, "outcome": row.get("outcome") or "unchanged"} for url, row in self._settle.items()
                if url not in self.recorded and url not in self.failed]
        self._settle = {}
        if rows:
            self.stats.inc_value(f"{STATS}/pages_settled", len(rows))
            self.record(rows)

    def pending(self) -> int:
        return (len(self._records) + len(self._failures) + len(self._seen) + len(self._checked)
                + len(self._lists) + len(self._lists_seen) + len(self._aliases))

    def _maybe_flush(self) -> None:
        if self.pending() >= self.flush_every:
            self.flush()

    def flush(self) -> defer.Deferred:
        """Hand the buffered writes to the writer thread (one flush at a time); fires when written."""
        if self.engine is None or not self.pending():
            return self._flushing or defer.succeed(None)
        if self._flushing is not None:  # the next flush starts when this one ends
            return self._flushing
        snapshot = (list(self._records.values()), list(self._failures.values()), self._seen, self._checked,
                    list(self._lists.values()), self._lists_seen, list(self._aliases.values()))
        self._records, self._failures, self._seen, self._checked = {}, {}, [], []
        self._lists, self._lists_seen, self._aliases = {}, [], {}
        d = self.writer.submit(self._write, snapshot, self.run_id)
        d.addErrback(self._write_failed, snapshot)
        d.addBoth(self._flushed)
        self._flushing = d
        return d

    def _write(self, snapshot, run_id) -> None:
        """On the writer thread: each kind in its own transaction, a transient failure of one tried again
        (``SerialWriter.call``); what still fails goes back to the buffer (:meth:`_write_failed`)."""
        records, failures, seen, checked, lists, lists_seen, aliases = snapshot
        call = self.writer.call
        if lists:
            call(store.record_lists, self.engine, lists, run_id)
        if lists_seen:
            call(store.mark_seen, self.engine, lists_seen, run_id)
        if records:
            call(store.record_fetches, self.engine, records, run_id)
        if failures:
            call(store.record_failures, self.engine, failures, run_id)
        if seen:
            call(store.mark_seen, self.engine, seen, run_id)
        if checked:
            call(store.mark_checked, self.engine, checked, run_id)
        if aliases:
            call(store.record_aliases, self.engine, aliases)

    def _write_failed(self, failure, snapshot) -> None:
        """Keep what could not be written; the next flush (or the spool at the end) takes it."""
        records, failures, seen, checked, lists, lists_seen, aliases = snapshot
        for row in aliases:
            self._aliases.setdefault(row["url"], row)
        for row in lists:
            self._lists.setdefault(row["url"], row)
        self._lists_seen[:0] = lists_seen
        for row in records:
            self._records.setdefault(row["url"], row)
        for row in failures:
            self._failures.setdefault(row["url"], row)
        self._seen[:0], self._checked[:0] = seen, checked
        self.stats.inc_value(f"{STATS}/write_errors")
        logger.error("incremental: could not write %d fetch records (kept for later): %s",
                     len(records) + len(failures) + len(seen) + len(checked), failure.getErrorMessage())

    def _flushed(self, result) -> None:
        self._flushing = None
        return result

    def drain(self) -> defer.Deferred:
        """Flush until nothing is buffered or a write fails; fires with the count left unwritten."""
        result = defer.Deferred()
        self._release_settled()

        def step(_=None) -> None:
            before = self.pending()
            if not before:
                result.callback(0)
                return
            errors = self.stats.get_value(f"{STATS}/write_errors", 0)
            d = self.flush()

            def after(_) -> None:
                failed = self.stats.get_value(f"{STATS}/write_errors", 0) > errors
                result.callback(self.pending()) if failed else step()

            d.addBoth(after)

        step()
        return result

    def unwritten(self) -> dict[str, list]:
        """What is still buffered, by kind (for the spool). Aliases are kept: without them every later night
        would pay each redirect again until the link's own turn."""
        return {"fetches": list(self._records.values()), "failures": list(self._failures.values()),
                "seen": list(self._seen), "checked": list(self._checked),
                "aliases": list(self._aliases.values())}  # list rows: re-read next run

    def stop_timer(self) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()


class IncrementalMiddleware:
    """Downloader middleware: conditional, hash-compared or skipped requests for settled documents."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.state = IncrementalState.of(crawler)
        self.stats = crawler.stats
        self._reread_pages: set[str] = set()  # pages read again tonight for a changed picture

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        middleware = cls(crawler)
        crawler.signals.connect(middleware.request_dropped, signal=signals.request_dropped)
        return middleware

    def process_request(self, request: Request, spider=None):
        if request.meta.get("gx_kind") not in DOCUMENT_KINDS or request.meta.get(REREAD):
            return None
        if not request.meta.get("redirect_urls"):  # not a redirect of this request: the link itself
            request.meta[LINK] = request.url
            mappable = not (request.meta.get(ALIAS) or request.meta.get(NO_ALIAS))
            if mappable and self.state.settled(request.url) is None and (
                    target := self.state.alias_target(request.url)) is not None:
                self.stats.inc_value(f"{STATS}/alias_used")
                # the target's own request (judged as the target); a 3xx comes back here (fallback)
                return request.replace(url=target, meta={**request.meta, ALIAS: request.url, LINK: target,
                                                         "dont_redirect": True})
        known = self.state.settled(request.url)
        if known is None:
            if (gone := self.state.gone_not_due(request.url)) is not None:
                # a dead link (404/410 last time) is asked again on its rotation, not every night;
                # still linked, so still listed
                self.state.seen(gone)
                self.stats.inc_value(f"{STATS}/gone_not_due")
                raise IgnoreRequest(f"gone at its last fetch, not due tonight: {request.url}")
            return None
        decision = self.state.decide(known)
        if decision == SKIP:
            self._note_alias(request)
            self._unchanged(request, known, "skipped_known", checked=False)
            raise IgnoreRequest(f"known document, not due tonight: {request.url}")
        if decision == CONDITIONAL:
            if known.etag:
                request.headers.setdefault("If-None-Match", known.etag)
            if known.last_modified:
                request.headers.setdefault("If-Modified-Since", known.last_modified)
            request.meta["gx_conditional"] = True
            request.meta.setdefault(VALIDATED, request.url)  # a redirect keeps these headers, and this
        if known.sha256:
            request.meta[KNOWN_SHA] = known.sha256
        self.stats.inc_value(f"{STATS}/{decision}")
        return None

    def process_response(self, request: Request, response: Response, spider=None):
        if page := request.meta.get(PROBE):
            return self._probed(request, response, page)
        if (link := request.meta.get(ALIAS)) and response.status not in (200, 304):
            return self._follow_link(request, link, response.status)
        if response.status in (200, 304):
            self._note_alias(request)
        known = self.state.known.get(request.url)
        if response.status == 304 and request.meta.get("gx_conditional"):
            # a 304 confirms the document whose validators were sent: a redirect carried its first URL's
            known = self.state.known.get(request.meta.get(VALIDATED) or request.url)
        if response.status == 304 and request.meta.get("gx_conditional") and known is not None:
            self._unchanged(request, known, "not_modified")
            raise IgnoreRequest(f"not modified: {request.url}")
        stored = request.meta.get(KNOWN_SHA)
        if response.status == 200 and stored and known is not None and hashlib.sha256(response.body).hexdigest() == stored:
            # validators may be new; the response is not tied to its request yet (downloader middleware)
            self.state.record([fetch_record(response, self.state.spider_name, request=request)])
            self._unchanged(request, known, "same_hash")
            raise IgnoreRequest(f"unchanged (same hash): {request.url}")
        return response

    def _note_alias(self, request: Request) -> None:
        """A document request that reached ``request.url`` through its *own* redirects: its link is an alias."""
        redirects = request.meta.get("redirect_urls") or ()
        link = request.meta.get(LINK)
        if request.meta.get("gx_kind") in DOCUMENT_KINDS and redirects and link == redirects[0]:
            self.state.record_alias(link, request.url)

    def _follow_link(self, request: Request, link: str, status: int) -> Request:
        """The mapped target answered ``status`` (gone, moved, failing): ask for the link itself, as
        the spider made it, so a changed redirect still leads to the document."""
        self.stats.inc_value(f"{STATS}/alias_fallback")
        logger.info("alias target %s answered %s: following the link %s", request.url, status, link)
        meta = {k: v for k, v in request.meta.items() if k not in DOWNLOAD_META}
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in (b"if-none-match", b"if-modified-since")}
        return request.replace(url=link, headers=headers, meta={**meta, NO_ALIAS: True}, dont_filter=True)

    def _unchanged(self, request: Request, known: store.Known, how: str, *, checked: bool = True) -> None:
        self.stats.inc_value(f"{STATS}/{how}")
        (self.state.checked if checked else self.state.seen)(known)
        self._settle_chain(request, how)
        children = [c for c in known.children if c in self.state.known]
        # one report per document: a page that led to attachments counts through them
        if not children and (request.meta.get("gx_kind") == "report" or not request.meta.get(CHAIN)):
            self.stats.inc_value(f"{STATS}/reports_unchanged")
        for child in children:
            self._revalidate(self.state.known[child], known)
        for url in known.pictures:
            self._probe(url, known)

    def _settle_chain(self, request: Request, how: str) -> None:
        """The pages downloaded tonight that led to a document the store already holds (skipped, 304, same
        hash, or asked for through another page tonight): written as ``unchanged``, their document being so.

        Why: a page's record travels in its documents' requests and was written only when one of them was
        loaded, so a page that is the same report under a second URL (PowerEasy's ``Item/N.aspx`` and
        ``ShowArticle.asp?ArticleID=N``, a report page moved to a new address) leading to an attachment already
        stored was never written, stayed unknown, and was downloaded again every night it was listed.
        Pages the store holds settled keep their rows (their rotation is theirs) unless they came with other
        bytes tonight: their row's old hash and validators would never match again, and once overdue the page
        was downloaded every night. Written when the crawl ends
        (``IncrementalState.settle_later``): by then a page that gave a report of its own, or failed, is known."""
        rows = [row for row in request.meta.get(CHAIN) or ()
                if (settled := self.state.settled(row["url"])) is None or settled.sha256 != row.get("sha256")]
        if rows:
            self.stats.inc_value(f"{STATS}/pages_to_settle_{how}", len(rows))
            self.state.settle_later(rows)

    def request_dropped(self, request: Request, spider=None) -> None:
        """A document request dropped by the scheduler (the duplicate filter: asked for through another
        page tonight): the pages that led to it are done with."""
        if request.meta.get("gx_kind") in DOCUMENT_KINDS and request.meta.get(CHAIN):
            self._settle_chain(request, "duplicate")

    def _revalidate(self, child: store.Known, page: store.Known) -> None:
        """Ask for an attachment of an unchanged page on its own (it may have changed nonetheless)."""
        spider = self.crawler.spider
        callback = getattr(spider, "parse_attachment", None)
        if callback is None:
            return
        meta = {
            "gx_kind": "attachment",
            "gx_hints": dict(child.hints),
            "gx_region": _region(child),
            "gx_page_url": page.url,
        }
        self.stats.inc_value(f"{STATS}/attachments_revalidated")
        self.crawler.engine.crawl(Request(child.url, callback=callback, meta=meta))

    def _probe(self, url: str, page: store.Known) -> None:
        """A table picture of an unchanged page, on its own rotation as a document: skipped, asked
        conditionally (validators) or downloaded and compared by hash; one whose last fetch failed
        is asked every night (``gone`` ones on their rotation)."""
        picture = self.state.known.get(url)
        if picture is None:
            return
        settled = self.state.settled(url)
        # a picture fetched fine that the stored report was not read from (the page read from its
        # text) has nothing to revalidate: asking would re-read the page every night for nothing
        unused = not (picture.read or picture.failing)
        if unused or settled is not None and self.state.decide(settled) == SKIP or self.state.gone_not_due(url):
            self.state.seen(picture)
            self.stats.inc_value(f"{STATS}/pictures_skipped")
            return
        meta: dict[str, Any] = {"gx_kind": "image", "gx_page_url": page.url, PROBE: page.url}
        headers: dict[str, str] = {"Referer": page.url}
        if picture.read:  # the stored report was read from its last bytes: the same bytes change nothing
            meta[KNOWN_SHA] = picture.sha256
        if settled is not None and settled.has_validators:
            meta["gx_conditional"] = True
            headers.update({"If-None-Match": settled.etag} if settled.etag else {})
            headers.update({"If-Modified-Since": settled.last_modified} if settled.last_modified else {})
        self.stats.inc_value(f"{STATS}/pictures_revalidated")
        # never handed to a callback: every answer ends in _probed (or the retry/ledger middlewares)
        self.crawler.engine.crawl(Request(url, meta=meta, headers=headers, dont_filter=True))

    def _probed(self, request: Request, response: Response, page_url: str) -> Response:
        """A picture's answer: unchanged (304, same hash) is confirmed; a new picture has its report
        page read again in full (with all its pictures; the loader replaces the report only when
        every picture came); anything but a picture is a failure on the ledger, the report kept."""
        from gxcrawler.formats.sniff import image_mime

        from .ledger import Ledger

        asked = (request.meta.get("redirect_urls") or [request.url])[0]  # the URL its page names
        picture = self.state.known.get(asked)
        if response.status == 304 and request.meta.get("gx_conditional") and picture is not None:
            self.state.checked(picture)
            self.stats.inc_value(f"{STATS}/pictures_unchanged")
            raise IgnoreRequest(f"picture not modified: {request.url}")
        if response.status != 200:
            return response  # retried, redirected or failed by the middlewares after this one
        if not image_mime(response.body):
            Ledger.of(self.crawler).record(request, "not a picture (HTTP 200)", 200)
            raise IgnoreRequest(f"not a picture: {request.url}")
        if picture is not None and hashlib.sha256(response.body).hexdigest() == request.meta.get(KNOWN_SHA):
            row = fetch_record(response, self.state.spider_name, request=request)
            self.state.record([{**row, "url": asked}])  # clears a failure; new validators
            self.state.checked(picture)
            self.stats.inc_value(f"{STATS}/pictures_unchanged")
            raise IgnoreRequest(f"picture unchanged (same hash): {request.url}")
        self.stats.inc_value(f"{STATS}/pictures_changed")
        self._reread(page_url)
        raise IgnoreRequest(f"picture changed: {request.url}; its page {page_url} is read again")

    def _reread(self, page_url: str) -> None:
        """Ask for a report page again, in full (not conditionally): one of its pictures changed."""
        page = self.state.known.get(page_url)
        callback = getattr(self.crawler.spider, "parse_report", None)
        if page is None or callback is None or page_url in self._reread_pages:
            return
        self._reread_pages.add(page_url)
        meta = {"gx_kind": "report", "gx_hints": dict(page.hints), "gx_region": _region(page), REREAD: True}
        self.crawler.engine.crawl(Request(page_url, callback=callback, meta=meta, dont_filter=True))


def _region(known: store.Known) -> Region:
    """The region a document was stored with, for a request made again from the store."""
    return Region(**{k: v for k, v in known.region.items() if k in Region.__dataclass_fields__})


class FreshRequestMiddleware:
    """Spider middleware: a request a callback yields has not been downloaded, so it carries none of a
    download's bookkeeping (``DOWNLOAD_META``) — a page's ``redirect_urls`` copied into the requests
    made from it would make a list page's redirect pass for a document's (a wrong alias)."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    @staticmethod
    def _clean(obj: Any) -> Any:
        if isinstance(obj, Request):
            for key in DOWNLOAD_META:
                obj.meta.pop(key, None)
        return obj

    def process_spider_output(self, response, result, spider=None):
        for obj in result:
            yield self._clean(obj)

    async def process_spider_output_async(self, response, result, spider=None) -> AsyncIterator[Any]:
        async for obj in result:
            yield self._clean(obj)


class FetchChainMiddleware:
    """Spider middleware: pass a page's fetch record down to the documents it links.

    A page that links attachments is finished only when one of them is loaded, so its
    record travels in their requests' meta (and through a JOBDIR queue when paused). A
    report page or attachment whose callback yields neither items nor documents is
    finished at once (``no_report``).
    """

    def __init__(self, crawler) -> None:
        self.state = IncrementalState.of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _wrap(self, response: Response):
        """(tag each output, call when done), or None for responses that are not documents."""
        if response.meta.get("gx_kind") not in DOCUMENT_KINDS or response.status != 200:
            return None
        own = fetch_record(response, self.state.spider_name)
        chain = [*response.meta.get(CHAIN, ()), own]
        tracker = {"produced": False}

        def tag(obj):
            if isinstance(obj, Request):
                if obj.meta.get("gx_kind") in DOCUMENT_KINDS:
                    obj.meta[CHAIN] = chain
                    tracker["produced"] = True
            else:
                tracker["produced"] = True
            return obj

        def done():
            if not tracker["produced"]:
                self.state.record([*chain[:-1], {**own, "outcome": "no_report"}])

        return tag, done

    def process_spider_output(self, response, result, spider=None):
        hooks = self._wrap(response)
        if hooks is None:
            yield from result
            return
        tag, done = hooks
        for obj in result:
            yield tag(obj)
        done()

    async def process_spider_output_async(self, response, result, spider=None) -> AsyncIterator[Any]:
        hooks = self._wrap(response)
        if hooks is None:
            async for obj in result:
                yield obj
            return
        tag, done = hooks
        async for obj in result:
            yield tag(obj)
        done()


def on_item_scraped(state: IncrementalState, item: Any, response: Response | None) -> None:
    """An item left the pipelines: write its document's and page's fetch records."""
    if response is None or response.meta.get("gx_kind") not in DOCUMENT_KINDS:
        return
    rows = [*response.meta.get(CHAIN, ()), fetch_record(response, state.spider_name)]
    state.record([*rows, *getattr(item, "picture_fetches", ())])


__all__ = [
    "FetchChainMiddleware",
    "FreshRequestMiddleware",
    "IncrementalMiddleware",
    "IncrementalState",
    "decide",
    "due_for_revalidation",
    "fetch_record",
    "on_item_scraped",
]
