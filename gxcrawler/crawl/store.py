"""The database side of nightly crawls, in bulk: what is known, what was seen, runs and coverage.

``gxcrawler.db.fetches`` works one URL at a time; a crawl needs the whole picture of
a spider at start (one query, not one per request), batched writes while it runs,
and a year-aware "no longer listed" at the end. Those live here, on the same tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gxcrawler.db.models import Agency, CrawlRun, Fetch, Report

_fetches = Fetch.__table__
_reports = Report.__table__
_runs = CrawlRun.__table__
_agencies = Agency.__table__

#: load outcomes after which a document need not be fetched again ("failed" must retry)
SETTLED_OUTCOMES = frozenset({"inserted", "updated", "unchanged", "skipped", "no_report"})


@dataclass(frozen=True)
class Known:
    """What the store knows of one URL: its validators, and whether its processing finished."""

    url: str
    etag: str | None
    last_modified: str | None
    sha256: str | None
    settled: bool
    children: tuple[str, ...] = ()  # documents this page led to (attachments)

    @property
    def has_validators(self) -> bool:
        return bool(self.etag or self.last_modified)


def known_fetches(engine: Engine, spider: str) -> dict[str, Known]:
    """Every report/attachment URL of ``spider``, with validators and settledness.

    A URL is *settled* when the loader finished with it: its row has a load outcome
    other than ``failed``, or a report holds exactly its bytes (the loader commits the
    report before it writes the fetch outcome); a page is settled when a document it
    linked is. Unsettled URLs (fetched, then the crawl died before loading) are fetched again.
    """
    cols = [_fetches.c[c] for c in ("url", "etag", "last_modified", "sha256", "outcome", "parent_url", "kind")]
    loaded = sa.select(_reports.c.id).where(_reports.c.sha256 == _fetches.c.sha256).exists()
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(*cols, loaded.label("loaded")).where(_fetches.c.spider == spider, _fetches.c.kind != "list")
        ).all()
    done = {r.url for r in rows if r.outcome in SETTLED_OUTCOMES or (r.loaded and r.outcome != "failed")}
    children: dict[str, list[str]] = {}
    settled_parents: set[str] = set()
    for r in rows:
        if r.parent_url and r.parent_url != r.url:
            children.setdefault(r.parent_url, []).append(r.url)
            if r.url in done:
                settled_parents.add(r.parent_url)
    return {
        r.url: Known(
            url=r.url,
            etag=r.etag,
            last_modified=r.last_modified,
            sha256=r.sha256,
            settled=r.url in done or r.url in settled_parents,
            children=tuple(children.get(r.url, ())),
        )
        for r in rows
    }


def _insert(conn: Connection):  # noqa: ANN202 - dialect-specific Insert
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(_fetches)


def record_fetches(engine: Engine, rows: Iterable[dict[str, Any]], run_id: int | None) -> int:
    """Upsert what the crawler fetched: url, spider, kind, parent_url, sha256, etag, last_modified.

    A row whose stored content hash differs from the new one loses its load outcome,
    so that, if the crawl dies before the loader stores the new content, the next
    crawl fetches it again instead of trusting validators of content never loaded.
    ``outcome`` in a row (e.g. ``no_report``) is stored as given.
    """
    now = datetime.now(UTC)
    batch = [
        {
            "url": r["url"],
            "spider": r.get("spider"),
            "kind": r.get("kind") or "report",
            "parent_url": r.get("parent_url"),
            "sha256": r.get("sha256"),
            "status_code": r.get("status_code"),
            "etag": r.get("etag"),
            "last_modified": r.get("last_modified"),
            "outcome": r.get("outcome"),
            "hints": {},
            "region": {},
            "first_seen": now,
            "last_seen": now,
            "last_run_id": run_id,
            "listed": True,
        }
        for r in rows
    ]
    if not batch:
        return 0
    with engine.begin() as conn:
        stmt = _insert(conn)
        ex = stmt.excluded
        changed = sa.and_(ex.sha256.is_not(None), _fetches.c.sha256.is_distinct_from(ex.sha256))
        stmt = stmt.on_conflict_do_update(
            index_elements=["url"],
            set_={
                "spider": ex.spider,
                "sha256": sa.func.coalesce(ex.sha256, _fetches.c.sha256),
                "status_code": sa.func.coalesce(ex.status_code, _fetches.c.status_code),
                "etag": ex.etag,
                "last_modified": ex.last_modified,
                "parent_url": sa.func.coalesce(_fetches.c.parent_url, ex.parent_url),
                "outcome": sa.case(
                    (ex.outcome.is_not(None), ex.outcome),
                    (changed, sa.null()),
                    else_=_fetches.c.outcome,
                ),
                "last_seen": ex.last_seen,
                "last_run_id": ex.last_run_id,
                "listed": True,
            },
        )
        conn.execute(stmt, batch)
    return len(batch)


def mark_seen(engine: Engine, urls: Iterable[str], run_id: int | None) -> int:
    """Stamp known URLs as seen (and listed) now, in chunks."""
    from gxcrawler.db.fetches import mark_seen as _mark_seen

    return _mark_seen(engine, urls, run_id)


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


def close_abandoned_runs(engine: Engine, spider: str, older_than: datetime) -> int:
    """Runs of ``spider`` still open that started before ``older_than``: their process died."""
    with engine.begin() as conn:
        return conn.execute(
            _runs.update()
            .where(_runs.c.spider == spider, _runs.c.finished_at.is_(None), _runs.c.started_at < older_than)
            .values(outcome="failed", reason="the crawl process died without closing its run (killed?)")
        ).rowcount


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
