"""The database side of nightly crawls, in bulk: what is known, what was seen, runs and coverage.

``gxcrawler.db.fetches`` works one URL at a time; a crawl needs the whole picture of
a spider at start (one query, not one per request), batched writes while it runs,
and a year-aware "no longer listed" at the end. Those live here, on the same tables.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gxcrawler.db.models import Agency, CrawlRun, Fetch, FetchAlias, Report, ReportPicture

_fetches = Fetch.__table__
_reports = Report.__table__
_runs = CrawlRun.__table__
_agencies = Agency.__table__
_aliases = FetchAlias.__table__
_pictures = ReportPicture.__table__

#: outcomes after which a document need not be fetched again
SETTLED_OUTCOMES = frozenset({"inserted", "updated", "unchanged", "skipped", "no_report"})
#: outcomes of a fetch or load that must be tried again by the next run: a transient
#: failure (``failed``) or something that was not the document (``refused``)
UNSETTLED_OUTCOMES = frozenset({"failed", "refused"})
#: a document whose last fetch failed with these is gone, not failing: asked again one night in
#: ``GX_GONE_RETRY_EVERY`` (gxcrawler.crawl.incremental), not every night
GONE_STATUSES = frozenset({404, 410})
#: ``fetches.message`` of a page that said the document does not exist (``gxcrawler.pagekind``): gone too
SOFT_404 = "soft_404"


def is_gone(outcome: str | None, status_code: int | None, message: str | None) -> bool:
    """A dead link: its last fetch failed with 404/410, or with a page saying the document does not exist
    (a soft 404: 信息不存在, 页面不存在, 已删除 — a 404 served as 200, ``gxcrawler.pagekind``). Asked
    again on a rotation (``GX_GONE_RETRY_EVERY``), not every night. Maintenance, login, challenge,
    empty and truncated pages, 5xx and network errors are not: transient, asked the next night."""
    if outcome not in UNSETTLED_OUTCOMES:
        return False
    return status_code in GONE_STATUSES or (message or "").startswith(SOFT_404)


@dataclass(frozen=True)
class Known:
    """What the store knows of one URL: validators, content hash, settledness, where it came from."""

    url: str
    etag: str | None
    last_modified: str | None
    sha256: str | None
    settled: bool
    children: tuple[str, ...] = ()  # documents this page led to (attachments)
    kind: str | None = None
    hints: dict[str, Any] = field(default_factory=dict, compare=False)
    region: dict[str, Any] = field(default_factory=dict, compare=False)
    checked_at: datetime | None = None  # when its content was last confirmed
    gone: bool = False  # its last fetch failed with 404/410 or a soft 404 (is_gone): asked on a rotation
    pictures: tuple[str, ...] = ()  # a report page's table pictures (``image`` rows whose parent it is)
    read: bool = False  # a table picture: a stored report was read from its bytes (``sha256``)
    failing: bool = False  # its last fetch failed, or the loader refused what it gave

    @property
    def has_validators(self) -> bool:
        return bool(self.etag or self.last_modified)


def known_fetches(engine: Engine, spider: str) -> dict[str, Known]:
    """Every report/attachment URL of ``spider``, with validators and settledness.

    A URL is *settled* when the loader finished with it: its row has a load outcome
    that settles (:data:`SETTLED_OUTCOMES`), or a report holds exactly its bytes (the
    loader commits the report before it writes the fetch outcome) and its last fetch
    did not fail; a page is settled when a document it linked is and its own last fetch
    did not fail. Unsettled URLs (failed, refused, or fetched and never loaded because
    the crawl died) are fetched again.

    A table picture (kind ``image``) is settled when a stored report was read from exactly
    its bytes (``report_pictures``: its URL and hash) and its last fetch did not fail; it is
    one of its page's ``pictures``, never a child (it is read with its page, never alone).
    """
    names = ("url", "etag", "last_modified", "sha256", "outcome", "parent_url", "kind", "hints", "region",
             "checked_at", "status_code", "message")
    cols = [_fetches.c[c] for c in names]
    loaded = sa.select(_reports.c.id).where(_reports.c.sha256 == _fetches.c.sha256).exists()
    pictured = (
        sa.select(_pictures.c.report_id)
        .where(_pictures.c.url == _fetches.c.url, _pictures.c.sha256 == _fetches.c.sha256)
        .exists()
    )
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(*cols, loaded.label("loaded"), pictured.label("pictured"))
            .where(_fetches.c.spider == spider, _fetches.c.kind != "list")
        ).all()
    failing = {r.url for r in rows if r.outcome in UNSETTLED_OUTCOMES}
    done = {
        r.url for r in rows
        if r.url not in failing and (r.pictured if r.kind == "image" else r.outcome in SETTLED_OUTCOMES or r.loaded)
    }
    children: dict[str, list[str]] = {}
    pictures: dict[str, list[str]] = {}
    settled_parents: set[str] = set()
    for r in rows:
        if not r.parent_url or r.parent_url == r.url:
            continue
        if r.kind == "image":  # read with its page: revalidated when the page is unchanged, never a report
            pictures.setdefault(r.parent_url, []).append(r.url)
            continue
        children.setdefault(r.parent_url, []).append(r.url)
        if r.url in done:
            settled_parents.add(r.parent_url)
    return {
        r.url: Known(
            url=r.url,
            etag=r.etag,
            last_modified=r.last_modified,
            sha256=r.sha256,
            settled=r.url not in failing and (r.url in done or r.url in settled_parents),
            children=tuple(sorted(children.get(r.url, ()))),
            kind=r.kind,
            hints=dict(r.hints or {}),
            region=dict(r.region or {}),
            checked_at=_aware(r.checked_at),
            gone=is_gone(r.outcome, r.status_code, r.message),
            pictures=tuple(sorted(pictures.get(r.url, ()))),
            read=r.kind == "image" and bool(r.pictured),
            failing=r.url in failing,
        )
        for r in rows
    }


@dataclass(frozen=True)
class KnownList:
    """A list page as last read: the fingerprint of the requests it led to, and their URLs."""

    url: str
    sha256: str | None
    children: tuple[str, ...]
    checked_at: datetime | None
    failed: bool  # its last fetch failed: read again, whatever the rotation says
    request: str | None = None  # its own request (gxcrawler.crawl.codec JSON), to ask for it again


LIST_KINDS = ("list", "json", "script")


def known_lists(engine: Engine, spider: str) -> dict[str, KnownList]:
    """Every list page of ``spider`` read before (``gxcrawler.crawl.lists``)."""
    cols = [_fetches.c[c] for c in ("url", "sha256", "hints", "checked_at", "outcome")]
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(*cols).where(_fetches.c.spider == spider, _fetches.c.kind.in_(LIST_KINDS))
        ).all()
    return {
        r.url: KnownList(url=r.url, sha256=r.sha256, children=tuple((r.hints or {}).get("children") or ()),
                         checked_at=_aware(r.checked_at), failed=r.outcome in UNSETTLED_OUTCOMES,
                         request=(r.hints or {}).get("request"))
        for r in rows
    }


def record_lists(engine: Engine, rows: Iterable[dict[str, Any]], run_id: int | None) -> int:
    """Upsert list pages read: url, spider, kind, sha256 (fingerprint of their links), children, status_code."""
    now = datetime.now(UTC)
    batch = [
        _new_row(now, run_id, url=r["url"], spider=r.get("spider"), kind=r.get("kind") or "list", parent_url=None,
                 sha256=r.get("sha256"), status_code=r.get("status_code"), etag=None, last_modified=None,
                 outcome=None, hints={"children": list(r.get("children") or ()), "request": r.get("request")},
                 checked_at=now)
        for r in rows
    ]
    return _upsert(
        engine, batch,
        lambda ex: {"spider": ex.spider, "kind": ex.kind, "sha256": ex.sha256, "status_code": ex.status_code,
                    "outcome": sa.null(), "message": sa.null(), "hints": ex.hints, "last_seen": ex.last_seen,
                    "last_run_id": ex.last_run_id, "listed": True, "checked_at": ex.checked_at},
        # a page that is also a document (a channel rendering its only report) keeps its document row
        where=_is_list_row(),
    )


@dataclass(frozen=True)
class Alias:
    """A link that redirected to ``target`` (a document) when it was last followed (``checked_at``)."""

    url: str
    target: str
    checked_at: datetime | None


def known_aliases(engine: Engine, spider: str) -> dict[str, Alias]:
    """Every redirecting document link of ``spider`` (``gxcrawler.crawl.incremental``), by link."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(_aliases.c.url, _aliases.c.target, _aliases.c.checked_at)
                            .where(_aliases.c.spider == spider)).all()
    return {r.url: Alias(url=r.url, target=r.target, checked_at=_aware(r.checked_at)) for r in rows}


def record_aliases(engine: Engine, rows: Iterable[dict[str, Any]]) -> int:
    """Upsert links followed tonight: ``url`` (the link), ``target`` (where it led), ``spider`` and
    ``checked_at`` (when it was followed, ISO; default now).

    Only ``fetch_aliases`` is written: an alias never changes a fetch row or a report. The time it was
    followed, not written, is kept: a spooled alias replayed a night later is not due a night later.
    """
    now = datetime.now(UTC)
    batch = []
    for r in {r["url"]: r for r in rows}.values():
        when = datetime.fromisoformat(r["checked_at"]) if r.get("checked_at") else now
        batch.append({"url": r["url"], "target": r["target"], "spider": r.get("spider"), "first_seen": when,
                      "checked_at": when})
    if not batch:
        return 0
    batch.sort(key=_url)  # one lock order for every writer
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(_aliases)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["url"],
            set_={"target": stmt.excluded.target, "spider": stmt.excluded.spider,
                  "checked_at": stmt.excluded.checked_at}), batch)
    return len(batch)


def _aware(when: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every time the store writes is UTC."""
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def _was_failing() -> sa.ColumnElement[bool]:
    """The stored row's last *fetch* failed (the ledger's ``failed``; the loader's ``refused`` is about
    content and stays until the loader says otherwise). A constant inline: executemany upserts."""
    return _fetches.c.outcome == sa.literal_column("'failed'")


def _is_list_row() -> sa.ColumnElement[bool]:
    """The stored row is a list page's. Constants inline, like :func:`_was_failing` (executemany upserts)."""
    kinds = ", ".join(f"'{k}'" for k in LIST_KINDS)  # the module's own constants, never crawled data
    return sa.literal_column(f"fetches.kind IN ({kinds})", sa.Boolean)


def _insert(conn: Connection):  # noqa: ANN202 - dialect-specific Insert
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(_fetches)


#: a row's URL: the order every writer of ``fetches`` locks its rows in
_url = operator.itemgetter("url")


def _new_row(now: datetime, run_id: int | None, **fields: Any) -> dict[str, Any]:
    """A fetches row as first recorded: seen now, by this run, listed, no hints or region unless given."""
    return {"hints": {}, "region": {}, "first_seen": now, "last_seen": now, "last_run_id": run_id, "listed": True,
            **fields}


def _upsert(
    engine: Engine,
    batch: list[dict[str, Any]],
    changes: Callable[[Any], dict[str, Any]],
    where: sa.ColumnElement[bool] | None = None,
) -> int:
    """Insert ``batch`` into fetches; a URL already stored gets ``changes(excluded)`` instead (where
    ``where`` holds). One statement for the whole batch (executemany). Returns the rows written.

    The rows go in URL order, as the loader's (``db.fetches``) do: two writers of the same rows at
    once (a night's crawl and its spool replay) then lock them in one order and cannot deadlock."""
    if not batch:
        return 0
    batch = sorted(batch, key=_url)
    with engine.begin() as conn:
        stmt = _insert(conn)
        conn.execute(stmt.on_conflict_do_update(index_elements=["url"], set_=changes(stmt.excluded), where=where),
                     batch)
    return len(batch)


def record_fetches(engine: Engine, rows: Iterable[dict[str, Any]], run_id: int | None) -> int:
    """Upsert what the crawler fetched: url, spider, kind, parent_url, sha256, etag, last_modified.

    A row whose stored content hash differs from the new one loses its load outcome,
    so that, if the crawl dies before the loader stores the new content, the next
    crawl fetches it again instead of trusting validators of content never loaded;
    so does a row whose last fetch had failed (the loader, or the page's document,
    settles it again). A ``refused`` outcome (the loader's) stays: the same bytes are
    still refused. ``outcome`` in a row (e.g. ``no_report``) is stored as given.
    """
    now = datetime.now(UTC)
    batch = [
        _new_row(now, run_id, url=r["url"], spider=r.get("spider"), kind=r.get("kind") or "report",
                 parent_url=r.get("parent_url"), sha256=r.get("sha256"), status_code=r.get("status_code"),
                 etag=r.get("etag"), last_modified=r.get("last_modified"), outcome=r.get("outcome"), checked_at=now)
        for r in rows
    ]

    def changes(ex: Any) -> dict[str, Any]:
        changed = sa.and_(ex.sha256.is_not(None), _fetches.c.sha256.is_distinct_from(ex.sha256))
        return {
            "spider": ex.spider,
            "sha256": sa.func.coalesce(ex.sha256, _fetches.c.sha256),
            "status_code": sa.func.coalesce(ex.status_code, _fetches.c.status_code),
            "etag": ex.etag,
            "last_modified": ex.last_modified,
            "parent_url": sa.func.coalesce(_fetches.c.parent_url, ex.parent_url),
            # a URL read as a list page first and now fetched as a document becomes the document's row
            "kind": sa.case((_is_list_row(), ex.kind), else_=_fetches.c.kind),
            "hints": sa.case((_is_list_row(), ex.hints), else_=_fetches.c.hints),
            "outcome": sa.case(
                (ex.outcome.is_not(None), ex.outcome),
                (changed, sa.null()),
                (_was_failing(), sa.null()),  # fetched fine now
                else_=_fetches.c.outcome,
            ),
            "message": sa.case((ex.outcome.is_not(None), sa.null()),
                               (_was_failing(), sa.null()),
                               else_=_fetches.c.message),
            "last_seen": ex.last_seen,
            "last_run_id": ex.last_run_id,
            "listed": True,
            "checked_at": ex.checked_at,
        }

    return _upsert(engine, batch, changes)


def record_failures(engine: Engine, rows: Iterable[dict[str, Any]], run_id: int | None) -> int:
    """Upsert what a run could not get: ``url``, ``spider``, ``kind``, ``outcome``, ``message``, ``status_code``.

    The stored content hash, validators and report link stay (the stored report is
    still the right one); the outcome (``failed`` or ``refused``) unsettles the URL,
    so the next run fetches it again; ``last_seen``/``listed`` say it is still listed.
    """
    now = datetime.now(UTC)
    batch = [
        _new_row(now, run_id, url=r["url"], spider=r.get("spider"), kind=r.get("kind") or "report",
                 parent_url=r.get("parent_url"), status_code=r.get("status_code"),
                 outcome=r.get("outcome") or "failed", message=r.get("message"))
        for r in rows
    ]
    return _upsert(
        engine, batch,
        lambda ex: {
            "spider": sa.func.coalesce(ex.spider, _fetches.c.spider),
            "parent_url": sa.func.coalesce(_fetches.c.parent_url, ex.parent_url),
            "status_code": sa.func.coalesce(ex.status_code, _fetches.c.status_code),
            "outcome": ex.outcome,
            "message": ex.message,
            "last_seen": ex.last_seen,
            "last_run_id": ex.last_run_id,
            "listed": True,
        },
    )


def mark_checked(engine: Engine, urls: Iterable[str], run_id: int | None) -> int:
    """URLs whose content this run confirmed unchanged (304, or the same hash): seen and checked now."""
    url_list = sorted(set(urls))  # in URL order, as every writer of fetches locks its rows
    now = datetime.now(UTC)
    count = 0
    with engine.begin() as conn:
        for start in range(0, len(url_list), 500):
            chunk = url_list[start : start + 500]
            count += conn.execute(
                _fetches.update()
                .where(_fetches.c.url.in_(chunk))
                .values(last_seen=now, checked_at=now, last_run_id=run_id, listed=True)
            ).rowcount
    return count


def mark_seen(engine: Engine, urls: Iterable[str], run_id: int | None) -> int:
    """Stamp known URLs as seen (and listed) now, in chunks."""
    from gxcrawler.db.fetches import mark_seen as _mark_seen

    return _mark_seen(engine, urls, run_id)


def lists_failed_since(engine: Engine, spider: str, since: datetime) -> int:
    """List pages of ``spider`` whose last read, since ``since``, failed: the reports they list went unseen.

    A resumed crawl's own stats do not hold the failures of the runs it resumes, and it never asks for
    a list whose request those runs used up."""
    with engine.connect() as conn:
        return int(conn.execute(
            sa.select(sa.func.count()).select_from(_fetches).where(
                _fetches.c.spider == spider, _fetches.c.kind.in_(LIST_KINDS),
                _fetches.c.outcome.in_(sorted(UNSETTLED_OUTCOMES)), _fetches.c.last_seen >= since)
        ).scalar() or 0)


def mark_unlisted(engine: Engine, spider: str, since: datetime, years: Iterable[int] | None = None) -> dict[str, int]:
    """After a complete crawl: what was not seen since ``since`` is no longer listed.

    With ``years`` (a year-filtered crawl) only reports of those years, and their
    fetches, are judged: the crawl did not look for the others. Reports are kept
    (``listed = false``), never deleted; one seen again is listed again.
    """
    year_list = sorted(set(years or ()))
    with engine.begin() as conn:
        in_scope = (
            sa.select(_reports.c.id)
            .where(
                _reports.c.year.in_(year_list),
                sa.or_(
                    _reports.c.id == _fetches.c.report_id,
                    _reports.c.page_url == _fetches.c.url,
                    _reports.c.document_url == _fetches.c.url,
                ),
            )
            .exists()
        )
        where = [
            _fetches.c.spider == spider,
            _fetches.c.kind != "list",
            _fetches.c.last_seen < since,
            _fetches.c.listed.is_(True),
        ]
        if year_list:
            where.append(in_scope)
        fetches = conn.execute(_fetches.update().where(*where).values(listed=False)).rowcount
        # a report is listed while one of its fetch rows is (linked by id, or by URL when
        # a crawl died before the loader wrote the link)
        still_listed = (
            sa.select(_fetches.c.id)
            .where(
                sa.or_(
                    _fetches.c.report_id == _reports.c.id,
                    _fetches.c.url == _reports.c.page_url,
                    _fetches.c.url == _reports.c.document_url,
                ),
                _fetches.c.listed.is_(True),
            )
            .exists()
        )
        report_where = [_reports.c.spider == spider]
        if year_list:
            report_where.append(_reports.c.year.in_(year_list))
        unlisted = conn.execute(
            _reports.update().where(*report_where, _reports.c.listed.is_(True), ~still_listed).values(listed=False)
        ).rowcount
        relisted = conn.execute(
            _reports.update().where(*report_where, _reports.c.listed.is_(False), still_listed).values(listed=True)
        ).rowcount
    return {"fetches_unlisted": fetches, "reports_unlisted": unlisted, "reports_relisted": relisted}


# ---------------------------------------------------------------- runs and status


def close_abandoned_runs(engine: Engine, spider: str, silent_since: datetime) -> int:
    """Close the runs of ``spider`` still open whose last sign of life is older than ``silent_since``.

    A running crawl stamps ``heartbeat_at`` every ``GX_HEARTBEAT_SECONDS``; one that
    stopped stamping without closing its run was killed (SIGKILL, power loss, OOM):
    ``failed``, with a reason that says so. A run that never stamped is judged by its start.

    The loader refreshes the checks across years in a transaction of its own after the
    reports' commits, so a kill between the two leaves reports without them — and the
    next crawl finds those reports unchanged and never refreshes them. The checks across
    years of every report the spider loaded since the killed run started are therefore
    computed again here, in the same transaction that closes the run.
    """
    from gxcrawler.db import years

    last_sign = sa.func.coalesce(_runs.c.heartbeat_at, _runs.c.started_at)
    with engine.begin() as conn:
        closed = conn.execute(
            _runs.update()
            .where(_runs.c.spider == spider, _runs.c.finished_at.is_(None), last_sign < silent_since)
            .values(
                outcome="failed",
                finished_at=sa.func.coalesce(_runs.c.heartbeat_at, _runs.c.started_at),
                reason="killed: the crawl process stopped without closing its run "
                "(SIGKILL, power loss or out of memory); closed by the next start",
            )
            .returning(_runs.c.started_at)
        ).scalars().all()
        if closed:
            touched = conn.execute(
                sa.select(_reports.c.agency_id, _reports.c.year).where(
                    _reports.c.spider == spider, _reports.c.parsed_at >= min(closed)
                )
            ).all()
            years.refresh(conn, [(a, y) for a, y in touched])
        return len(closed)


def heartbeat(engine: Engine, run_id: int) -> None:
    """A running crawl's sign of life."""
    with engine.begin() as conn:
        conn.execute(_runs.update().where(_runs.c.id == run_id).values(heartbeat_at=datetime.now(UTC)))


def failures_of_last_runs(engine: Engine, spider: str | None = None, limit: int = 200) -> list[sa.RowMapping]:
    """What each spider's last run could not get: url, kind, outcome, message (reason), status code."""
    latest = sa.select(_runs.c.spider, sa.func.max(_runs.c.id).label("id")).group_by(_runs.c.spider)
    if spider:
        latest = latest.where(_runs.c.spider == spider)
    latest = latest.subquery()
    q = (
        sa.select(_fetches.c.spider, _fetches.c.url, _fetches.c.kind, _fetches.c.outcome, _fetches.c.message,
                  _fetches.c.status_code)
        .join(latest, latest.c.id == _fetches.c.last_run_id)
        .where(_fetches.c.outcome.in_(sorted(UNSETTLED_OUTCOMES)))
        .order_by(_fetches.c.spider, _fetches.c.url)
        .limit(limit)
    )
    with engine.connect() as conn:
        return list(conn.execute(q).mappings())


def prior_reports_found(engine: Engine, spider: str, since: datetime, run_id: int | None) -> int:
    """Reports found by the earlier (interrupted) runs of a resumed crawl that started at ``since``."""
    q = sa.select(sa.func.coalesce(sa.func.sum(_runs.c.reports_found), 0)).where(
        _runs.c.spider == spider, _runs.c.started_at >= since, _runs.c.id != (run_id or -1)
    )
    with engine.connect() as conn:
        return int(conn.execute(q).scalar() or 0)


def last_runs(engine: Engine) -> list[sa.RowMapping]:
    """The latest run of each spider, newest first."""
    latest = sa.select(_runs.c.spider, sa.func.max(_runs.c.id).label("id")).group_by(_runs.c.spider).subquery()
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(_runs).join(latest, latest.c.id == _runs.c.id).order_by(_runs.c.started_at.desc())
            ).mappings()
        )


def run_rows(engine: Engine, ids: Iterable[int]) -> list[sa.RowMapping]:
    id_list = list(ids)
    with engine.connect() as conn:
        return list(conn.execute(sa.select(_runs).where(_runs.c.id.in_(id_list)).order_by(_runs.c.id)).mappings())


@dataclass
class Coverage:
    years: list[int]
    #: (portal, agency) → years with a report
    found: dict[tuple[str, str], set[int]]

    @property
    def latest_year(self) -> int | None:
        return max(self.years) if self.years else None

    def missing_latest(self) -> list[tuple[str, str, int]]:
        """Agencies with a report in an earlier year but none for the latest year: (portal, agency, last year)."""
        latest = self.latest_year
        if latest is None:
            return []
        return sorted(
            (portal, agency, max(years))
            for (portal, agency), years in self.found.items()
            if latest not in years
        )


def coverage(engine: Engine, spider: str | None = None) -> Coverage:
    """Agencies × report years found (listed or not), per portal."""
    portal = sa.func.coalesce(_agencies.c.portal, _reports.c.spider, "")
    q = (
        sa.select(portal.label("portal"), _agencies.c.name, _reports.c.year)
        .select_from(_reports.join(_agencies, _agencies.c.id == _reports.c.agency_id))
        .distinct()
    )
    if spider:
        q = q.where(portal == spider)
    found: dict[tuple[str, str], set[int]] = {}
    with engine.connect() as conn:
        for row in conn.execute(q):
            found.setdefault((row.portal, row.name), set()).add(int(row.year))
    years = sorted({y for ys in found.values() for y in ys})
    return Coverage(years=years, found=found)
