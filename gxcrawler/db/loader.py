"""Load parse results: an upsert keyed by (agency, statistics year), one transaction per report.

For each report the loader stores the raw bytes (``documents``), resolves the agency
(``gxcrawler.agencies`` + ``agency_aliases``), then

* inserts the report, its values and its checks (``inserted``);
* or, when the stored version has the same content hash *and* the same parse
  (``reports.fingerprint``), changes nothing (``unchanged``);
* or replaces the report row, all its values and all its checks (``updated``).

Every report is all-or-nothing: a failure anywhere rolls back to the previous version,
never half old and half new. On PostgreSQL ``load_many`` stores the batch's new documents
by one COPY (an INSERT if a concurrent loader stored one of them meanwhile), then inserts
all its new reports — rows, cells, checks — in one transaction (an INSERT of the rows over
arrays, a COPY each of the values and checks: ``gxcrawler.db.batch``); if that fails, it
is rolled back whole and each report is retried in its own transaction, so one bad
report fails alone. Their checks across years are computed from the cells in memory.
Stored reports (re-crawls) are compared in one query per batch; a changed one is
replaced in its own transaction. Elsewhere (SQLite) one transaction per report.
Safe to call from worker threads: the engine pools connections, the agency cache is
locked, and nothing else is shared.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .. import catalog
from ..agencies import AgencyName, canonical_agency, division_code
from ..fingerprint import fingerprint_of, parse_fingerprint  # noqa: F401 - parse_fingerprint: its old home
from ..formats.sniff import image_mime
from ..model import REPORTABLE, ParseResult, Provenance, Region
from . import batch as pg_batch
from . import years
from .engine import is_postgres
from .fetches import record_fetches
from .headlines import headline_values
from .models import Agency, AgencyAlias, CheckResult, Document, Report, ReportPicture, ReportValue
from .refusals import cut_short, refusal, replacement_refusal
from .retry import TRANSIENT_SQLSTATES, retry_reason, retrying

log = logging.getLogger(__name__)

OUTCOMES = ("inserted", "updated", "unchanged", "skipped", "refused", "failed")

_agencies = Agency.__table__
_aliases = AgencyAlias.__table__
_documents = Document.__table__
_reports = Report.__table__
_values = ReportValue.__table__
_checks = CheckResult.__table__
_pictures = ReportPicture.__table__


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
    #: a failed load that may succeed when tried again: why (``gxcrawler.db.retry.retry_reason``: a transient
    #: SQLSTATE, or ``unavailable``); None when the report itself failed
    retry: str | None = None


#: Called inside the report's transaction just before commit (tests inject failures here).
BeforeCommit = Callable[[Connection, int], None]


class Loader:
    """Upsert parse results into the database behind ``engine`` (see the module doc)."""

    def __init__(self, engine: Engine, *, before_commit: BeforeCommit | None = None,
                 on_retry: Callable[[str], None] | None = None) -> None:
        self.engine = engine
        self.before_commit = before_commit
        self.on_retry = on_retry  # told of each of its own retries (the fetch rows'): the crawl counts them
        self._postgres = is_postgres(engine)
        self._agencies: dict[tuple[str, str], tuple[int, str]] = {}
        self._expect_stored = False
        self._lock = threading.Lock()

    # ------------------------------------------------------------ public API
    def load(self, result: ParseResult, provenance: Provenance, region: Region) -> LoadOutcome:
        """Load one report in its own transaction; never raises for a bad report."""
        return self.load_many([(result, provenance, region)])[0]

    def load_many(self, batch: Iterable[tuple[ParseResult, Provenance, Region]]) -> list[LoadOutcome]:
        """Load each report in its own transaction, on one pooled connection.

        The batch's documents go in first, in one statement (they are immutable and
        content-addressed, so storing them early is safe and keeps failed reports
        re-parseable); the fetch rows are upserted last, in one statement.
        """
        items = list(batch)
        if not items:
            return []
        with self.engine.connect() as conn:
            self._tune(conn)
            outcomes: list[LoadOutcome | None] = [None] * len(items)
            one_by_one: list[tuple[int, bool | None]] = [(i, None) for i in range(len(items))]
            known: dict[int, tuple[str, str, dict[str, Any]]] = {}  # cells stored, by report id
            if self._postgres and self.before_commit is None:
                # the documents go in there, after one query told which are stored already
                one_by_one, stored = self._load_batch(conn, items, outcomes, known)
            else:
                stored = self._store_documents(conn, [prov for _, prov, _ in items])
            for i, insert_first in one_by_one:
                outcomes[i] = self._load_one(conn, *items[i], stored, insert_first)
            done = [o for o in outcomes if o is not None]
            assert len(done) == len(items)
            self._refresh_years(conn, done, known)
            self._record_fetches(conn, items, done)
        return done

    def _refresh_years(
        self,
        conn: Connection,
        outcomes: list[LoadOutcome],
        known: dict[int, tuple[str, str, dict[str, Any]]] | None = None,
    ) -> None:
        """The checks across years around each report inserted or replaced (``db/years.py``).

        After the reports' own commits, in one transaction of their own: derived rows must
        not fail a load. Two loaders refreshing the same pair may collide on its rows; the
        loser tries once more (by then it reads what the other committed). ``known``: the
        cells of the reports this batch inserted, by id, with their version (``years.refresh``
        uses them where the row still holds that version, instead of reading them back).
        """
        touched = {
            (o.agency_id, o.year)
            for o in outcomes
            if o.status in ("inserted", "updated") and o.agency_id is not None and o.year is not None
        }
        if not touched:
            return
        for attempt in (1, 2):
            try:
                with conn.begin():
                    years.refresh(conn, touched, known)
                return
            except Exception:  # noqa: BLE001 - the reports are stored; `gxcrawler db recheck` redoes this
                with contextlib.suppress(Exception):
                    if conn.in_transaction():
                        conn.rollback()
                if attempt == 2:
                    log.exception("could not refresh the checks across years of %d reports", len(touched))

    def _load_batch(
        self,
        conn: Connection,
        items: list[tuple[ParseResult, Provenance, Region]],
        outcomes: list[LoadOutcome | None],
        known: dict[int, tuple[str, str, dict[str, Any]]],
    ) -> tuple[list[tuple[int, bool | None]], bool]:
        """PostgreSQL: settle what one batch can in a few statements; return the rest.

        One query finds the stored versions (equal hash and fingerprint: ``unchanged``)
        and which documents are stored already — a batch of unchanged reports costs that
        query and the fetch rows, nothing else; the missing documents go in next, then one
        transaction inserts every new report. A changed report, a second copy of an
        (agency, year) in the batch, one a concurrent loader stored first, and — if the
        batch transaction fails — every new report go back to the caller, to be loaded one
        by one in their own transactions: ``(index, insert_first)``; with whether the
        documents are stored (else each report's transaction stores its own).
        """
        provs = [prov for _, prov, _ in items]
        rest: list[tuple[int, bool | None]] = []
        candidates: list[int] = []
        for i, (result, prov, _region) in enumerate(items):
            if prov.pictures or refusal(result, prov) or _unloadable(result, _raw_agency(result, prov)) or not (
                result.values.keys() <= catalog.METRICS.keys()
            ):
                rest.append((i, None))  # skipped or failed alone, without writing; pictures linked alone
            else:
                candidates.append(i)
        if not candidates:
            return rest, self._store_documents(conn, provs)
        try:
            found = self._agencies_many(conn, [(_raw_agency(*items[i][:2]), items[i][2]) for i in candidates])
        except Exception as exc:  # noqa: BLE001 - each report retries its own agency
            with contextlib.suppress(Exception):
                conn.rollback()
            log.warning("could not resolve the agencies of %d reports at once: %s", len(candidates), exc)
            return sorted(rest + [(i, None) for i in candidates]), self._store_documents(conn, provs)
        agency_of = dict(zip(candidates, found, strict=True))
        firsts: dict[tuple[int, int], int] = {}
        for i in candidates:
            report_key = (agency_of[i][0], items[i][0].year)
            if report_key in firsts:
                rest.append((i, False))  # after the first copy is stored: compare with it
            else:
                firsts[report_key] = i
        now = datetime.now(UTC)
        fingerprints = {i: fingerprint_of(items[i][0]) for i in firsts.values()}

        def outcome(i: int, status: str, report_id: int) -> LoadOutcome:
            result, prov, _ = items[i]
            agency_id, name = agency_of[i]
            return LoadOutcome(status, report_id, agency_id, None, name, result.year, prov.sha256)

        dbapi = conn.connection.driver_connection
        documents_stored = False
        try:
            dbapi.autocommit = True  # a lone SELECT: no BEGIN/COMMIT round trips
            try:
                with dbapi.cursor() as cursor:
                    keys = list(firsts)
                    cursor.execute(
                        pg_batch.STORED_SQL,
                        {
                            "agency_id": [k[0] for k in keys],
                            "year": [k[1] for k in keys],
                            "sha256": sorted({p.sha256 for p in provs}),
                        },
                    )
                    current = cursor.fetchall()
            finally:
                dbapi.autocommit = False
            have = {sha for report_id, _, _, sha, _ in current if report_id is None}
            current = [row for row in current if row[0] is not None]
            documents_stored = self._store_documents(conn, provs, have)
            if not documents_stored:
                return sorted(rest + [(i, None) for i in firsts.values()]), False
            new = dict(firsts)
            for report_id, agency_id, year, sha, fingerprint in current:
                i = new.pop((agency_id, year))
                if sha == items[i][1].sha256 and fingerprint == fingerprints[i]:
                    outcomes[i] = outcome(i, "unchanged", report_id)
                else:
                    rest.append((i, False))
            if new:
                rows = [
                    _report_row(
                        items[i][0],
                        items[i][1],
                        agency_of[i][0],
                        _raw_agency(*items[i][:2]),
                        fingerprints[i],
                        now,
                    )
                    for i in new.values()
                ]
                with conn.begin(), dbapi.cursor() as cursor:
                    cursor.execute(pg_batch.insert_reports_sql(), pg_batch.insert_reports_params(rows))
                    inserted = {(a, y): report_id for report_id, a, y in cursor.fetchall()}
                    pg_batch.copy_cells(
                        cursor, [(inserted[k], items[i][0]) for k, i in new.items() if k in inserted]
                    )
                for report_key, i in new.items():
                    if report_key in inserted:
                        outcomes[i] = outcome(i, "inserted", inserted[report_key])
                        known[inserted[report_key]] = (items[i][1].sha256, fingerprints[i], items[i][0].values)
                    else:
                        rest.append((i, False))  # a concurrent loader stored it first
        except Exception as exc:  # noqa: BLE001 - retried one by one: a bad report fails alone
            with contextlib.suppress(Exception):  # a dead connection cannot roll back either
                if conn.in_transaction():
                    conn.rollback()
            log.warning("batch of %d reports failed, loading them one by one: %s", len(firsts), exc)
            settled = {i for i, _ in rest}
            rest += [(i, None) for i in firsts.values() if outcomes[i] is None and i not in settled]
        return sorted(rest), documents_stored

    def _agencies_many(self, conn: Connection, wanted: list[tuple[str, Region]]) -> list[tuple[int, str]]:
        """(id, name) for each (raw spelling, region): cached, else resolved/created in one transaction."""
        names = [_canonical_agency(raw, region) for raw, region in wanted]
        keys = [(canonical.name, raw) for canonical, (raw, _) in zip(names, wanted, strict=True)]
        with self._lock:
            known = {k: self._agencies[k] for k in keys if k in self._agencies}
        missing: dict[tuple[str, str], tuple[AgencyName, Region]] = {}
        for key, canonical, (_, region) in zip(keys, names, wanted, strict=True):
            if key not in known:
                missing.setdefault(key, (canonical, region))
        if missing:
            # a lone SELECT first (no BEGIN/COMMIT): a re-crawl's agencies and spellings are all
            # stored, and then nothing is written (the aliases' INSERT would insert nothing)
            with _statement_by_statement(conn):
                by_name, stored = pg_batch.resolve_agencies_and_aliases(
                    conn, sorted({name for name, _ in missing}), sorted({s for key in missing for s in key})
                )
            to_create: dict[str, tuple[AgencyName, Region]] = {}
            for (name, _), spec in missing.items():
                if name not in by_name:
                    to_create.setdefault(name, spec)
            if to_create or any(
                (alias, by_name[name][0]) not in stored for name, raw in missing for alias in (raw, name)
            ):
                with conn.begin():
                    by_name |= pg_batch.create_agencies(conn, to_create)
                    aliases: dict[str, int] = {}
                    for name, raw in missing:
                        for alias in sorted({raw, name}):
                            aliases.setdefault(alias, by_name[name][0])
                    pg_batch.add_aliases(conn, aliases)
            made = {key: by_name[key[0]] for key in missing}
            with self._lock:  # cached only once committed
                self._agencies.update(made)
            known |= made
        return [known[k] for k in keys]

    def _load_one(
        self,
        conn: Connection,
        result: ParseResult,
        prov: Provenance,
        region: Region,
        stored: bool,
        insert_first: bool | None = None,
    ) -> LoadOutcome:
        """One report in its own transaction; ``insert_first`` None: as the last report needed."""
        created: list[tuple[tuple[str, str], tuple[int, str]]] = []
        if insert_first is None:
            insert_first = not self._expect_stored
        try:
            outcome = None
            if stored and insert_first:
                outcome = self._insert_alone(conn, result, prov, region)
            if outcome is None:
                with conn.begin():
                    if not stored:
                        _store_documents(conn, [prov])
                    outcome = self._load(conn, result, prov, region, created)
        except Exception as exc:  # noqa: BLE001 - a failed report must not stop a crawl
            with contextlib.suppress(Exception):  # a dead connection cannot roll back either
                if conn.in_transaction():
                    conn.rollback()
            log.warning("load failed for %s: %s", prov.document_url or prov.page_url, exc)
            message = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
            if not stored:
                self._store_documents(conn, [prov])
            return LoadOutcome("failed", message=message, year=result.year, sha256=prov.sha256,
                               retry=retry_reason(exc))
        # Cache agency ids only once committed: a rolled-back load may have created one.
        with self._lock:
            self._agencies.update(created)
        # A re-crawl finds mostly stored reports, a first crawl mostly new ones: try
        # next whichever way the last report needed (a hint, racy by design).
        self._expect_stored = outcome.status != "inserted"
        return outcome

    def _insert_alone(
        self, conn: Connection, result: ParseResult, prov: Provenance, region: Region
    ) -> LoadOutcome | None:
        """PostgreSQL fast path for a report not stored yet: one statement, its own transaction.

        A single statement is atomic by itself, so it runs in autocommit: one round trip
        per new report. Returns None (the caller takes the general path) when the
        report is stored already, cannot be loaded, or a test hook wants a transaction.
        """
        raw_agency = _raw_agency(result, prov)
        if (
            not self._postgres
            or self.before_commit is not None
            or prov.pictures  # linked in the general path's transaction
            or refusal(result, prov)
            or _unloadable(result, raw_agency)
            or not result.values.keys() <= catalog.METRICS.keys()
        ):
            return None
        created: list[tuple[tuple[str, str], tuple[int, str]]] = []
        with conn.begin():  # no round trip when the agency is cached
            agency_id, agency_name = self._agency(conn, raw_agency, region, created)
        with self._lock:
            self._agencies.update(created)
        row = _report_row(result, prov, agency_id, raw_agency, fingerprint_of(result), datetime.now(UTC))
        params = {**_pg_report_params(row), **_pg_cell_arrays(result)}
        # psycopg2's autocommit flag is client-side (no round trip, unlike an isolation
        # level change through SQLAlchemy); no transaction is open on ``conn`` here.
        dbapi = conn.connection.driver_connection
        dbapi.autocommit = True
        try:
            with dbapi.cursor() as cursor:
                cursor.execute(_pg_insert_report_sql(tuple(row)), params)
                found = cursor.fetchone()
        finally:
            dbapi.autocommit = False
        report_id = found[0] if found else None
        if report_id is None:
            return None
        return LoadOutcome("inserted", report_id, agency_id, None, agency_name, result.year, prov.sha256)

    def _store_documents(self, conn: Connection, provs: list[Provenance], have: set[str] | None = None) -> bool:
        """Store the documents not stored yet (``have``: those known to be); False if that failed."""
        if have is not None and all(p.sha256 in have and not p.pictures for p in provs):
            return True  # a re-crawl: no statement at all
        if self._postgres and have is not None and not any(p.pictures for p in provs):
            # the batch's new documents by COPY (a third less work than an INSERT of their
            # bytes); COPY knows no ON CONFLICT, so if a concurrent loader stored one of them
            # since ``have`` was read, the COPY fails whole and the INSERT below stores the rest
            try:
                with _statement_by_statement(conn), conn.connection.driver_connection.cursor() as cursor:
                    pg_batch.copy_documents(cursor, [p for p in provs if p.sha256 not in have])
                return True
            except Exception as exc:  # noqa: BLE001 - the INSERT below decides
                log.info("documents stored by INSERT, COPY failed: %s", str(exc).splitlines()[0][:200])
        try:
            with _statement_by_statement(conn):  # content-addressed: each insert stands alone
                _store_documents(conn, provs, have)
            return True
        except Exception:  # noqa: BLE001 - each report's transaction retries its own
            log.exception("could not store %d documents in one statement", len(provs))
            return False

    def _record_fetches(
        self,
        conn: Connection,
        items: list[tuple[ParseResult, Provenance, Region]],
        outcomes: list[LoadOutcome],
    ) -> None:
        rows = {}
        for (result, prov, region), outcome in zip(items, outcomes, strict=True):
            url = prov.document_url or prov.page_url or result.source
            if url:
                rows[url] = _fetch_row(url, prov, region, outcome)
        if not rows:
            return

        def write() -> None:
            with _statement_by_statement(conn):  # one statement
                record_fetches(conn, list(rows.values()))

        try:  # a lock wait, deadlock or serialization failure leaves the connection usable: again
            retrying(write, codes=TRANSIENT_SQLSTATES, on_retry=self.on_retry)
        except Exception:  # noqa: BLE001 - bookkeeping must not fail the loaded reports
            log.exception("could not record %d fetches", len(rows))

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
        raw_agency = _raw_agency(result, prov)
        refused = refusal(result, prov)  # not a report version: the stored one stays (refusals.py)
        if refused:
            return LoadOutcome("refused", message=refused, year=result.year, sha256=sha)
        reason = _unloadable(result, raw_agency)
        if reason:
            return LoadOutcome("skipped", message=reason, year=result.year, sha256=sha)

        unknown = sorted(k for k in result.values if k not in catalog.METRICS)
        if unknown:
            raise ValueError(f"not metric keys of the catalog: {', '.join(unknown[:5])}")
        agency_id, agency_name = self._agency(conn, raw_agency, region, created)
        fingerprint = fingerprint_of(result)
        row = _report_row(result, prov, agency_id, raw_agency, fingerprint, now)

        def outcome(status: str, report_id: int | None, message: str | None = None) -> LoadOutcome:
            return LoadOutcome(status, report_id, agency_id, message, agency_name, result.year, sha)

        current = _current_report(conn, agency_id, result.year)
        if current is None:
            # ON CONFLICT: a concurrent loader may insert the same (agency, year) first;
            # then we wait for it and treat its row as the stored version.
            report_id = self._insert_new(conn, row, result)
            if report_id is not None:
                _link_pictures(conn, report_id, result, prov)
                return self._done(conn, outcome("inserted", report_id))
            current = _current_report(conn, agency_id, result.year)
            if current is None:
                raise RuntimeError(
                    f"report of agency {agency_id} year {result.year} vanished during the load"
                )
        if current.sha256 == sha and current.fingerprint == fingerprint:
            return outcome("unchanged", current.id)
        if prov.missing_pictures:  # read without some of its pictures: the stored version and its pictures stay
            missing = ", ".join(prov.missing_pictures[:3])
            return outcome("refused", current.id, f"kept: table pictures not fetched this time ({missing})")
        cut = cut_short(result)
        if cut and len(result.values) < _cell_count(conn, current.id):
            # read in part, a wall-clock budget spent (a busy machine): the stored cells stay, read again next night
            return outcome("refused", current.id, f"kept: fewer cells, {cut}")
        refused = replacement_refusal(current.status, result)
        if refused:
            return outcome("refused", current.id, refused)
        if (
            current.sha256 != sha
            and current.published
            and result.published
            and result.published < current.published
        ):
            msg = f"a later publication ({current.published}) of this report is loaded"
            return outcome("skipped", current.id, msg)
        later_publication = bool(current.published and result.published and result.published > current.published)
        if current.sha256 != sha and not later_publication and _earlier(prov.fetched_at, current.fetched_at):
            # an older document (a spool replayed after a newer version was loaded) never replaces a newer one;
            # the dates the reports give, when both give one, decide first
            return outcome("skipped", current.id, f"a later fetch ({current.fetched_at}) of this report is loaded")
        conn.execute(_reports.update().where(_reports.c.id == current.id).values(**row, updated_at=now))
        conn.execute(_values.delete().where(_values.c.report_id == current.id))
        conn.execute(_checks.delete().where(_checks.c.report_id == current.id))
        self._insert_cells(conn, current.id, result)
        _link_pictures(conn, current.id, result, prov)
        return self._done(conn, outcome("updated", current.id))

    def _done(self, conn: Connection, outcome: LoadOutcome) -> LoadOutcome:
        if self.before_commit is not None:
            self.before_commit(conn, outcome.report_id)
        return outcome

    def _insert_new(self, conn: Connection, row: dict[str, Any], result: ParseResult) -> int | None:
        """Insert the report with its cells and checks; None if (agency, year) is stored."""
        if self._postgres:
            params = {**_pg_report_params(row), **_pg_cell_arrays(result)}
            return conn.exec_driver_sql(_pg_insert_report_sql(tuple(row)), params).scalar()
        report_id = conn.execute(
            _upsert(conn, _reports)
            .values(**row)
            .on_conflict_do_nothing(index_elements=["agency_id", "year"])
            .returning(_reports.c.id)
        ).scalar()
        if report_id is not None:
            self._insert_cells(conn, report_id, result)
        return report_id

    def _insert_cells(self, conn: Connection, report_id: int, result: ParseResult) -> None:
        """The report's cells and checks: one statement on PostgreSQL, executemany elsewhere."""
        if self._postgres:
            conn.exec_driver_sql(_PG_INSERT_CELLS, {"report_id": report_id, **_pg_cell_arrays(result)})
            return
        values = [
            {"report_id": report_id, "key": key, "value": value, "ocr": result.ocr.get(key),
             "picture": result.picture.get(key)}
            for key, value in result.values.items()
        ]
        checks = [
            {"report_id": report_id, "rule": c.rule, "ok": c.ok, "left": c.left, "right": c.right, "sentence": c.sentence}
            for c in result.stored_checks
        ]
        for table, rows in ((_values, values), (_checks, checks)):
            if rows:
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
        canonical = _canonical_agency(raw, region)
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
            new_id = conn.execute(
                _upsert(conn, _agencies).values(**values).on_conflict_do_nothing().returning(_agencies.c.id)
            ).scalar()
            found = (new_id, canonical.name) if new_id is not None else resolve_agency(conn, canonical.name)
            assert found is not None
        aliases = [{"alias": alias, "agency_id": found[0]} for alias in sorted({raw, canonical.name})]
        conn.execute(_upsert(conn, _aliases).values(aliases).on_conflict_do_nothing())
        created.append((cache_key, found))
        return found


# ---------------------------------------------------------------- helpers


@contextlib.contextmanager
def _statement_by_statement(conn: Connection) -> Iterator[None]:
    """A block whose statements are each atomic alone: no BEGIN/COMMIT round trips.

    On PostgreSQL each statement commits by itself (psycopg2's autocommit flag is
    client-side: setting it costs nothing); elsewhere it is one transaction. Per batch of
    a re-crawl that is 4 round trips fewer, which mattered more than the statements.
    """
    if conn.dialect.name != "postgresql":
        with conn.begin():
            yield
        return
    dbapi = conn.connection.driver_connection
    dbapi.autocommit = True
    try:
        with conn.begin():  # SQLAlchemy's bookkeeping; its COMMIT is a no-op in autocommit
            yield
    finally:
        dbapi.autocommit = False



#: a pure function of (spelling, region); a crawl repeats the same few thousand
_canonical_agency = functools.lru_cache(maxsize=1 << 16)(canonical_agency)


def resolve_agency(conn: Connection, canonical_name: str) -> tuple[int, str] | None:
    """(id, name) of an agency by canonical name, or through an alias row (manual merges)."""
    direct = sa.select(_agencies.c.id, _agencies.c.name, sa.literal(0).label("via_alias")).where(
        _agencies.c.name == canonical_name
    )
    aliased = (
        sa.select(_agencies.c.id, _agencies.c.name, sa.literal(1).label("via_alias"))
        .join(_aliases, _aliases.c.agency_id == _agencies.c.id)
        .where(_aliases.c.alias == canonical_name)
    )
    rows = conn.execute(sa.union_all(direct, aliased)).all()
    for row in rows:
        if row.via_alias == 0:
            return row.id, row.name
    ids = {(row.id, row.name) for row in rows}
    return ids.pop() if len(ids) == 1 else None


def _current_report(conn: Connection, agency_id: int, year: int | None) -> sa.Row | None:
    """The stored version of (agency, year), locked until this transaction ends."""
    return conn.execute(
        sa.select(
            _reports.c.id, _reports.c.sha256, _reports.c.fingerprint, _reports.c.published, _reports.c.status,
            _reports.c.fetched_at,
        )
        .where(_reports.c.agency_id == agency_id, _reports.c.year == year)
        .with_for_update()
    ).first()


def _cell_count(conn: Connection, report_id: int) -> int:
    return conn.execute(sa.select(sa.func.count()).where(_values.c.report_id == report_id)).scalar_one()


def _earlier(fetched: datetime | None, stored: datetime | None) -> bool:
    """Whether a document fetched at ``fetched`` was fetched before the stored version (a time
    without a zone is UTC: SQLite returns them so)."""
    if fetched is None or stored is None:
        return False
    return fetched.replace(tzinfo=fetched.tzinfo or UTC) < stored.replace(tzinfo=stored.tzinfo or UTC)


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
        "checks": len(result.checks),
        **headline_values(result.values),
    }


def _raw_agency(result: ParseResult, prov: Provenance) -> str:
    """The agency as the report (or, failing that, its list page) spelled it."""
    return (result.agency or prov.hints.get("agency") or "").strip()


# ---------------------------------------------------------------- PostgreSQL statements
# Cells travel as parallel arrays and are unnested server-side: a whole report (row,
# ~200 values, ~40 checks) is one statement and one round trip.

_PG_VALUES = (
    "INSERT INTO report_values (report_id, key, value, ocr, picture) "
    "SELECT {rid}, x.* FROM {src}unnest(%(v_key)s::text[], %(v_value)s::numeric[], %(v_ocr)s::text[], "
    "%(v_picture)s::smallint[]) AS x"
)
_PG_CHECKS = (
    'INSERT INTO check_results (report_id, rule, ok, "left", "right", sentence) '
    "SELECT {rid}, y.* FROM {src}unnest(%(c_rule)s::text[], %(c_ok)s::boolean[], "
    "%(c_left)s::numeric[], %(c_right)s::numeric[], %(c_sentence)s::text[]) AS y"
)
_PG_INSERT_CELLS = (
    f"WITH v AS ({_PG_VALUES.format(rid='%(report_id)s', src='')}) "
    f"{_PG_CHECKS.format(rid='%(report_id)s', src='')}"
)
_JSON_COLUMNS = ("warnings", "blank")


@functools.cache
def _pg_insert_report_sql(columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    params = ", ".join(f"%({c})s::jsonb" if c in _JSON_COLUMNS else f"%({c})s" for c in columns)
    return (
        f"WITH r AS (INSERT INTO reports ({names}) VALUES ({params}) "
        "ON CONFLICT (agency_id, year) DO NOTHING RETURNING id), "
        f"v AS ({_PG_VALUES.format(rid='r.id', src='r CROSS JOIN ')}), "
        f"c AS ({_PG_CHECKS.format(rid='r.id', src='r CROSS JOIN ')}) "
        "SELECT id FROM r"
    )


def _pg_report_params(row: dict[str, Any]) -> dict[str, Any]:
    return {k: json.dumps(v, ensure_ascii=False) if k in _JSON_COLUMNS else v for k, v in row.items()}


def _pg_cell_arrays(result: ParseResult) -> dict[str, list[Any]]:
    checks = result.stored_checks
    return {
        "v_key": list(result.values),
        "v_value": list(result.values.values()),
        "v_ocr": [result.ocr.get(k) for k in result.values],
        "v_picture": [result.picture.get(k) for k in result.values],
        "c_rule": [c.rule for c in checks],
        "c_ok": [c.ok for c in checks],
        "c_left": [c.left for c in checks],
        "c_right": [c.right for c in checks],
        "c_sentence": [c.sentence for c in checks],
    }


def _upsert(conn: Connection, table: sa.Table):  # noqa: ANN202 - dialect-specific Insert
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _store_documents(
    conn: Connection, provs: list[Provenance], have: set[str] | None = None, chunk_bytes: int = 8 << 20
) -> None:
    """Insert documents not stored yet (content-addressed: a conflict means already there).

    The documents stored already (``have``, else one query finds them) are not sent, so a
    re-crawl ships no bytes at all; the rest go in with one cached statement (an
    executemany that RETURNING turns into one multi-row INSERT), never compiled per batch.
    """
    now = datetime.now(UTC)
    docs: dict[str, tuple[bytes, str | None, str | None, datetime]] = {}
    for p in provs:
        docs[p.sha256] = (p.content, p.content_type, p.document_url or p.page_url, p.fetched_at or now)
        for (url, content), sha in zip(p.pictures, p.picture_shas, strict=True):  # a page's table pictures
            if image_mime(content):  # bytes that are not a picture are never stored as one
                docs.setdefault(sha, (content, image_mime(content), url, p.fetched_at or now))
    # ``have`` is about the reports' own documents: their pictures are looked up here
    unknown = list(docs) if have is None else [sha for p in provs for sha in p.picture_shas if sha not in have]
    if unknown:
        have = set(have or ()) | set(
            conn.execute(sa.select(_documents.c.sha256).where(_documents.c.sha256.in_(unknown))).scalars()
        )
    for sha in have or ():
        docs.pop(sha, None)
    rows: list[dict[str, Any]] = []
    size = 0
    for sha, (content, content_type, url, fetched_at) in docs.items():
        rows.append(
            {
                "sha256": sha,
                "content": content,
                "content_type": content_type,
                "size": len(content),
                "url": url,
                "first_fetched_at": fetched_at,
            }
        )
        size += len(content)
        if size >= chunk_bytes:
            conn.execute(_insert_documents(conn.dialect.name), rows)
            rows, size = [], 0
    if rows:
        conn.execute(_insert_documents(conn.dialect.name), rows)


@functools.cache
def _insert_documents(dialect: str):  # noqa: ANN202 - dialect-specific Insert
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(_documents).on_conflict_do_nothing().returning(_documents.c.sha256)


def _link_pictures(conn: Connection, report_id: int, result: ParseResult, prov: Provenance) -> None:
    """The pictures the report's cells were read from, in its transaction: the old links go with
    the old cells. Only pictures the parse read (``result.pictures``) and whose bytes are an image."""
    conn.execute(_pictures.delete().where(_pictures.c.report_id == report_id))
    if not result.pictures or result.pictures != prov.picture_shas:
        return
    rows = [
        {"report_id": report_id, "position": n, "url": url, "sha256": sha}
        for n, ((url, content), sha) in enumerate(zip(prov.pictures, result.pictures, strict=True), start=1)
        if image_mime(content)
    ]
    if rows:
        conn.execute(_pictures.insert(), rows)


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
