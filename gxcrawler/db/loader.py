"""Load parse results: an upsert keyed by (agency, statistics year), one transaction per report.

For each report the loader stores the raw bytes (``documents``), resolves the agency
(``gxcrawler.agencies`` + ``agency_aliases``), then

* inserts the report, its values and its checks (``inserted``);
* or, when the stored version has the same content hash *and* the same parse
  (``reports.fingerprint``), changes nothing (``unchanged``);
* or replaces the report row, all its values and all its checks (``updated``).

Everything for one report happens in one transaction: a failure anywhere rolls back
to the previous version, never half old and half new. On PostgreSQL the cells go in
with ``COPY`` (the fastest bulk path there is); elsewhere with one executemany.
Safe to call from worker threads: the engine pools connections, the agency cache is
locked, and nothing else is shared.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .. import catalog
from ..agencies import canonical_agency, division_code
from ..model import ParseResult, Provenance, Region
from .engine import is_postgres
from .fetches import record_fetches
from .models import Agency, AgencyAlias, CheckResult, Document, Report, ReportValue

log = logging.getLogger(__name__)

REPORTABLE = ("ok", "partial", "no_tables")
OUTCOMES = ("inserted", "updated", "unchanged", "skipped", "failed")

_agencies = Agency.__table__
_aliases = AgencyAlias.__table__
_documents = Document.__table__
_reports = Report.__table__
_values = ReportValue.__table__
_checks = CheckResult.__table__


@dataclass
class LoadOutcome:
    """What happened to one report: ``status`` is one of :data:`OUTCOMES`."""

    status: str
    report_id: int | None = None
    agency_id: int | None = None
    message: str | None = None
    agency: str | None = None  # the agency's name in the database
    year: int | None = None
    sha256: str | None = None


#: Called inside the report's transaction just before commit (tests inject failures here).
BeforeCommit = Callable[[Connection, int], None]


class Loader:
    """Upsert parse results into the database behind ``engine`` (see the module doc)."""

    def __init__(self, engine: Engine, *, before_commit: BeforeCommit | None = None) -> None:
        self.engine = engine
        self.before_commit = before_commit
        self._postgres = is_postgres(engine)
        self._agencies: dict[tuple[str, str], tuple[int, str]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------ public API
    def load(self, result: ParseResult, provenance: Provenance, region: Region) -> LoadOutcome:
        """Load one report in its own transaction; never raises for a bad report."""
        return self.load_many([(result, provenance, region)])[0]

    def load_many(self, batch: Iterable[tuple[ParseResult, Provenance, Region]]) -> list[LoadOutcome]:
        """Load each report in its own transaction.

        The batch's documents go in first, in one statement (they are immutable and
        content-addressed, so storing them early is safe and keeps failed reports
        re-parseable); the fetch rows are upserted last, in one statement.
        """
        items = list(batch)
        if not items:
            return []
        stored = self._store_documents([prov for _, prov, _ in items])
        outcomes = [self._load_one(result, prov, region, stored) for result, prov, region in items]
        self._record_fetches(items, outcomes)
        return outcomes

    def _load_one(self, result: ParseResult, prov: Provenance, region: Region, stored: bool) -> LoadOutcome:
        created: list[tuple[tuple[str, str], tuple[int, str]]] = []
        try:
            with self.engine.connect() as conn:
                self._tune(conn)
                with conn.begin():
                    if not stored:
                        _store_documents(conn, [prov])
                    outcome = self._load(conn, result, prov, region, created)
        except Exception as exc:  # noqa: BLE001 - a failed report must not stop a crawl
            log.warning("load failed for %s: %s", prov.document_url or prov.page_url, exc)
            message = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
            if not stored:
                self._store_documents([prov])
            return LoadOutcome("failed", message=message, year=result.year, sha256=prov.sha256)
        # Cache agency ids only once committed: a rolled-back load may have created one.
        with self._lock:
            self._agencies.update(created)
        return outcome

    def _tune(self, conn: Connection) -> None:
        """Asynchronous commit, once per pooled PostgreSQL connection.

        Losing the last instant of commits in a server crash is harmless (the next crawl
        reloads them); waiting for a disk flush after every report is not. It never
        risks consistency.
        """
        if self._postgres and not conn.info.get("gx_async_commit"):
            conn.exec_driver_sql("SET synchronous_commit TO OFF")
            conn.commit()
            conn.info["gx_async_commit"] = True

    def _store_documents(self, provs: list[Provenance]) -> bool:
        try:
            with self.engine.begin() as conn:
                _store_documents(conn, provs)
            return True
        except Exception:  # noqa: BLE001 - each report's transaction retries its own
            log.exception("could not store %d documents in one statement", len(provs))
            return False

    def _record_fetches(
        self, items: list[tuple[ParseResult, Provenance, Region]], outcomes: list[LoadOutcome]
    ) -> None:
        rows = {}
        for (result, prov, region), outcome in zip(items, outcomes, strict=True):
            url = prov.document_url or prov.page_url or result.source
            if url:
                rows[url] = _fetch_row(url, prov, region, outcome)
        if not rows:
            return
        try:
            with self.engine.begin() as conn:
                record_fetches(conn, list(rows.values()))
        except Exception:  # noqa: BLE001 - bookkeeping must not fail the loaded reports
            log.exception("could not record %d fetches", len(rows))

    # ------------------------------------------------------------ one report
    def _load(
        self,
        conn: Connection,
        result: ParseResult,
        prov: Provenance,
        region: Region,
        created: list[tuple[tuple[str, str], tuple[int, str]]],
    ) -> LoadOutcome:
        now = datetime.now(UTC)
        sha = prov.sha256
        raw_agency = (result.agency or prov.hints.get("agency") or "").strip()
        reason = _unloadable(result, raw_agency)
        if reason:
            return LoadOutcome("skipped", message=reason, year=result.year, sha256=sha)

        agency_id, agency_name = self._agency(conn, raw_agency, region, created)
        fingerprint = parse_fingerprint(result)
        row = _report_row(result, prov, agency_id, raw_agency, fingerprint, now)

        def outcome(status: str, report_id: int | None, message: str | None = None) -> LoadOutcome:
            return LoadOutcome(status, report_id, agency_id, message, agency_name, result.year, sha)

        current = _current_report(conn, agency_id, result.year)
        report_id = None
        if current is None:
            # ON CONFLICT: a concurrent loader may insert the same (agency, year) first;
            # then we wait for it and treat its row as the stored version.
            report_id = conn.execute(
                _upsert(conn, _reports)
                .values(**row)
                .on_conflict_do_nothing(index_elements=["agency_id", "year"])
                .returning(_reports.c.id)
            ).scalar()
            if report_id is None:
                current = _current_report(conn, agency_id, result.year)
        if current is not None:
            if current.sha256 == sha and current.fingerprint == fingerprint:
                return outcome("unchanged", current.id)
            if (
                current.sha256 != sha
                and current.published
                and result.published
                and result.published < current.published
            ):
                msg = f"a later publication ({current.published}) of this report is loaded"
                return outcome("skipped", current.id, msg)
            report_id = current.id
            conn.execute(_reports.update().where(_reports.c.id == report_id).values(**row, updated_at=now))
            conn.execute(_values.delete().where(_values.c.report_id == report_id))
            conn.execute(_checks.delete().where(_checks.c.report_id == report_id))
            status = "updated"
        else:
            status = "inserted"
        self._insert_rows(conn, report_id, result)
        if self.before_commit is not None:
            self.before_commit(conn, report_id)
        return outcome(status, report_id)

    def _insert_rows(self, conn: Connection, report_id: int, result: ParseResult) -> None:
        """The report's cells and checks: COPY on PostgreSQL, executemany elsewhere."""
        values = [
            {"report_id": report_id, "key": key, "section": s, "row": r, "column": c, "value": value}
            for key, value in result.values.items()
            for s, r, c in (_split_key(key),)
        ]
        checks = [
            {"report_id": report_id, "rule": c.rule, "ok": c.ok, "left": c.left, "right": c.right}
            for c in result.checks
        ]
        for table, rows in ((_values, values), (_checks, checks)):
            if not rows:
                continue
            if self._postgres:
                _copy(conn, table, rows)
            else:
                conn.execute(table.insert(), rows)

    # ------------------------------------------------------------ agencies
    def _agency(
        self,
        conn: Connection,
        raw: str,
        region: Region,
        created: list[tuple[tuple[str, str], tuple[int, str]]],
    ) -> tuple[int, str]:
        """(id, name) of the agency ``raw`` names in ``region``, creating agency and alias if new."""
        canonical = canonical_agency(raw, region)
        cache_key = (canonical.name, raw)  # the raw spelling too: its alias row is written once
        with self._lock:
            cached = self._agencies.get(cache_key)
        if cached is not None:
            return cached
        found = resolve_agency(conn, canonical.name)
        if found is None:
            values = {
                "name": canonical.name,
                "short_name": canonical.short,
                "kind": canonical.kind,
                "province": region.province,
                "city": region.city,
                "county": region.county,
                "division_code": division_code(region),
                "portal": region.portal,
            }
            conn.execute(_upsert(conn, _agencies).values(**values).on_conflict_do_nothing())
            found = resolve_agency(conn, canonical.name)
            assert found is not None
        for alias in {raw, canonical.name}:
            conn.execute(
                _upsert(conn, _aliases).values(alias=alias, agency_id=found[0]).on_conflict_do_nothing()
            )
        created.append((cache_key, found))
        return found


# ---------------------------------------------------------------- helpers


def resolve_agency(conn: Connection, canonical_name: str) -> tuple[int, str] | None:
    """(id, name) of an agency by canonical name, or through an alias row (manual merges)."""
    found = conn.execute(
        sa.select(_agencies.c.id, _agencies.c.name).where(_agencies.c.name == canonical_name)
    ).first()
    if found is not None:
        return found.id, found.name
    rows = conn.execute(
        sa.select(_agencies.c.id, _agencies.c.name)
        .join(_aliases, _aliases.c.agency_id == _agencies.c.id)
        .where(_aliases.c.alias == canonical_name)
        .distinct()
    ).all()
    return (rows[0].id, rows[0].name) if len(rows) == 1 else None


def parse_fingerprint(result: ParseResult) -> str:
    """A hash of everything the loader stores from a parse: equal hashes, equal rows."""
    payload = {
        "values": sorted((k, str(Decimal(v).normalize())) for k, v in result.values.items()),
        "blank": sorted(result.blank),
        "checks": sorted((c.rule, c.ok, str(c.left), str(c.right)) for c in result.checks),
        "status": result.status,
        "edition": result.edition,
        "title": result.title,
        "agency": result.agency,
        "published": result.published.isoformat() if result.published else None,
        "source_type": result.source_type,
        "warnings": list(result.warnings),
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _current_report(conn: Connection, agency_id: int, year: int | None) -> sa.Row | None:
    """The stored version of (agency, year), locked until this transaction ends."""
    return conn.execute(
        sa.select(_reports.c.id, _reports.c.sha256, _reports.c.fingerprint, _reports.c.published)
        .where(_reports.c.agency_id == agency_id, _reports.c.year == year)
        .with_for_update()
    ).first()


def _unloadable(result: ParseResult, raw_agency: str) -> str | None:
    if result.status not in REPORTABLE:
        return f"status {result.status}" + (f": {result.message}" if result.message else "")
    if result.year is None:
        return "no report year"
    if not raw_agency:
        return "no agency"
    return None


def _report_row(
    result: ParseResult, prov: Provenance, agency_id: int, raw_agency: str, fingerprint: str, now: datetime
) -> dict[str, Any]:
    return {
        "agency_id": agency_id,
        "year": result.year,
        "title": result.title,
        "agency_raw": raw_agency,
        "page_url": prov.page_url,
        "document_url": prov.document_url,
        "published": result.published,
        "edition": result.edition,
        "source_type": result.source_type,
        "sha256": prov.sha256,
        "spider": prov.spider,
        "fetched_at": prov.fetched_at,
        "parsed_at": now,
        "status": result.status,
        "warnings": list(result.warnings),
        "blank": sorted(result.blank),
        "checks_failed": sum(1 for c in result.checks if not c.ok),
        "listed": True,
        "fingerprint": fingerprint,
    }


def _split_key(key: str) -> tuple[str, str, str]:
    """(section, row, column) of a key; the row may contain dots."""
    metric = catalog.METRICS.get(key)
    if metric is not None:
        return metric.section, metric.row, metric.column
    head, _, column = key.rpartition(".")
    section, _, row = head.partition(".")
    return section, row, column


def _copy(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """``COPY table FROM STDIN`` (text format) on the transaction's own connection."""
    columns = list(rows[0])
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(_copy_text(row[c]) for c in columns))
        buf.write("\n")
    buf.seek(0)
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.copy_expert(f"COPY {table.name} ({names}) FROM STDIN", buf)
    finally:
        cursor.close()


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _upsert(conn: Connection, table: sa.Table):  # noqa: ANN202 - dialect-specific Insert
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _store_documents(conn: Connection, provs: list[Provenance], chunk_bytes: int = 8 << 20) -> None:
    """Insert documents not stored yet (content-addressed: a conflict means already there)."""
    docs = {p.sha256: p for p in provs}
    big = [sha for sha, p in docs.items() if len(p.content) > 65536]
    if big:  # do not ship megabytes only to have them ignored
        have = conn.execute(sa.select(_documents.c.sha256).where(_documents.c.sha256.in_(big))).scalars()
        for sha in have:
            docs.pop(sha)
    now = datetime.now(UTC)
    rows, size = [], 0
    for sha, p in docs.items():
        rows.append(
            {
                "sha256": sha,
                "content": p.content,
                "content_type": p.content_type,
                "size": len(p.content),
                "url": p.document_url or p.page_url,
                "first_fetched_at": p.fetched_at or now,
            }
        )
        size += len(p.content)
        if size >= chunk_bytes:
            conn.execute(_upsert(conn, _documents).values(rows).on_conflict_do_nothing())
            rows, size = [], 0
    if rows:
        conn.execute(_upsert(conn, _documents).values(rows).on_conflict_do_nothing())


def _fetch_row(url: str, prov: Provenance, region: Region, outcome: LoadOutcome) -> dict[str, Any]:
    return {
        "url": url,
        "spider": prov.spider,
        "kind": "attachment" if prov.document_url else "detail",
        "parent_url": prov.page_url if prov.document_url else None,
        "sha256": prov.sha256,
        "hints": dict(prov.hints),
        "region": _region_dict(region),
        "report_id": outcome.report_id,
        "outcome": outcome.status,
        "message": outcome.message,
        "seen_at": prov.fetched_at,
    }


def _region_dict(region: Region) -> dict[str, Any]:
    return {k: v for k, v in region.__dict__.items() if v is not None}
