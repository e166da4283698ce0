"""Re-parse stored documents with the current parser and reload them, without re-crawling.

The bytes are in ``documents``; where they came from (URLs, list-page hints, region)
is in ``fetches``. A better parser turns into ``updated`` reports; an unchanged one
into ``unchanged``. A page whose tables were pictures is read again with its stored
pictures (``report_pictures``), with no network.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from ..parsing.pool import ParsePool

from ..model import Provenance, Region
from .loader import Loader, LoadOutcome
from .models import Agency, Document, Fetch, Report, ReportPicture

_fetches = Fetch.__table__
_documents = Document.__table__
_reports = Report.__table__
_agencies = Agency.__table__
_pictures = ReportPicture.__table__


def reparse(
    engine: Engine,
    *,
    report_ids: Iterable[int] = (),
    all_documents: bool = False,
    spider: str | None = None,
    loader: Loader | None = None,
    pool: ParsePool | None = None,
) -> list[tuple[str, LoadOutcome]]:
    """Re-parse the given reports' documents (or every stored document); ``(url, outcome)``.

    ``pool``: parse worker processes (``gxcrawler reparse`` passes one); without it the
    documents are parsed in this thread. Loading stays here, in document order.
    """
    from ..parsing.pool import ParsePool, ParseTask, PoolConfig  # the parser is optional for the db layer

    loader = loader or Loader(engine)
    pool = pool or ParsePool(PoolConfig(workers=0))
    origins: deque[tuple[str, Provenance, Region]] = deque()

    def tasks() -> Iterator[ParseTask]:
        for url, content, prov, region in _targets(engine, list(report_ids), all_documents, spider):
            origins.append((url, prov, region))
            name = PurePosixPath(urlsplit(url).path).name or None
            yield ParseTask(content, url, prov.content_type, name, dict(prov.hints), tuple(prov.pictures))

    out: list[tuple[str, LoadOutcome]] = []
    for result in pool.map(tasks()):
        url, prov, region = origins.popleft()
        out.append((url, loader.load(result, prov, region)))
    return out


def _targets(
    engine: Engine, report_ids: list[int], all_documents: bool, spider: str | None
) -> Iterator[tuple[str, bytes, Provenance, Region]]:
    """One document at a time, each read in its own short transaction.

    (SQLite allows one writer: no read transaction may stay open while the loader writes.)
    """
    query = (
        sa.select(_fetches.c.id, _fetches.c.sha256)
        .join(_documents, _documents.c.sha256 == _fetches.c.sha256)
        .where(_fetches.c.kind != "list")
        .order_by(_fetches.c.first_seen, _fetches.c.id)
    )
    if report_ids:
        wanted = sa.select(_reports.c.sha256).where(_reports.c.id.in_(report_ids))
        query = query.where(_fetches.c.sha256.in_(wanted))
    elif not all_documents:
        return
    if spider:
        query = query.where(_fetches.c.spider == spider)
    with engine.connect() as conn:
        fetch_ids: list[int] = []
        shas: set[str] = set()
        for fetch_id, sha in conn.execute(query):
            if report_ids and sha in shas:
                continue  # the same bytes under two URLs: one re-parse is enough
            shas.add(sha)
            fetch_ids.append(fetch_id)
        missing = sorted(set(report_ids) - _loaded_ids(conn, shas)) if report_ids else []
    for fetch_id in fetch_ids:
        with engine.connect() as conn:
            row = (
                conn.execute(
                    sa.select(_fetches, _documents.c.content, _documents.c.content_type, _documents.c.first_fetched_at)
                    .join(_documents, _documents.c.sha256 == _fetches.c.sha256)
                    .where(_fetches.c.id == fetch_id)
                )
                .mappings()
                .one()
            )
            region = _region(conn, row)
            prov = _provenance(conn, row)
            prov.pictures = _stored_pictures(conn, row["sha256"])
        yield row["url"], row["content"], prov, region
    for report_id in missing:
        with engine.connect() as conn:
            target = _from_report(conn, report_id)
        if target is not None:
            yield target


def _provenance(conn: sa.Connection, row: sa.RowMapping) -> Provenance:
    """Where the bytes came from: the loaded report's URLs, else the fetch row's kind."""
    urls = None
    if row["report_id"] is not None:
        urls = conn.execute(
            sa.select(_reports.c.page_url, _reports.c.document_url).where(
                _reports.c.id == row["report_id"], _reports.c.sha256 == row["sha256"]
            )
        ).first()
    if urls is not None:
        page_url, document_url = urls
    elif row["kind"] == "attachment":
        page_url, document_url = row["parent_url"], row["url"]
    else:
        page_url, document_url = row["url"], None
    return Provenance(
        content=row["content"],
        page_url=page_url,
        document_url=document_url,
        # when these bytes were fetched (the loader keeps a later fetch's version), not when the URL was last seen
        fetched_at=row["first_fetched_at"] or row["last_seen"],
        content_type=row["content_type"],
        spider=row["spider"],
        hints=dict(row["hints"] or {}),
    )


def _region(conn: sa.Connection, row: sa.RowMapping) -> Region:
    if row["region"]:
        return Region(**row["region"])
    if row["report_id"] is not None:
        return _agency_region(conn, row["report_id"])
    return Region(portal=row["spider"])


def _agency_region(conn: sa.Connection, report_id: int) -> Region:
    a = conn.execute(
        sa.select(_agencies)
        .join(_reports, _reports.c.agency_id == _agencies.c.id)
        .where(_reports.c.id == report_id)
    ).first()
    if a is None:
        return Region()
    return Region(a.province, a.city, a.county, a.division_code, a.portal)


def _loaded_ids(conn: sa.Connection, shas: set[str]) -> set[int]:
    if not shas:
        return set()
    return set(conn.execute(sa.select(_reports.c.id).where(_reports.c.sha256.in_(shas))).scalars())


def _from_report(conn: sa.Connection, report_id: int) -> tuple[str, bytes, Provenance, Region] | None:
    """A report whose fetch rows are gone: rebuild its provenance from the report itself."""
    r = conn.execute(
        sa.select(_reports, _documents.c.content, _documents.c.content_type)
        .join(_documents, _documents.c.sha256 == _reports.c.sha256)
        .where(_reports.c.id == report_id)
    ).first()
    if r is None:
        return None
    prov = Provenance(
        content=r.content,
        page_url=r.page_url,
        document_url=r.document_url,
        fetched_at=r.fetched_at,
        content_type=r.content_type,
        spider=r.spider,
        hints={"title": r.title or "", "agency": r.agency_raw or ""},
        pictures=_stored_pictures(conn, r.sha256),
    )
    return (
        r.document_url or r.page_url or f"report:{report_id}",
        r.content,
        prov,
        _agency_region(conn, report_id),
    )


def _stored_pictures(conn: sa.Connection, sha256: str) -> list[tuple[str, bytes]]:
    """The table pictures a report of these page bytes was read with, ``(url, bytes)`` in page
    order, from ``documents`` (the stored ones: a page is re-read as it was crawled)."""
    report_id = conn.execute(
        sa.select(sa.func.min(_pictures.c.report_id))
        .join(_reports, _reports.c.id == _pictures.c.report_id)
        .where(_reports.c.sha256 == sha256)
    ).scalar()
    if report_id is None:
        return []
    rows = conn.execute(
        sa.select(_pictures.c.url, _documents.c.content)
        .join(_documents, _documents.c.sha256 == _pictures.c.sha256)
        .where(_pictures.c.report_id == report_id)
        .order_by(_pictures.c.position)
    ).all()
    return [(url, content) for url, content in rows]
