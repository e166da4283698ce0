"""PostgreSQL statements that load a whole batch of new reports in one transaction.

A batch of ~20 new reports is one INSERT of their rows (columns sent as arrays and
unnested server-side, ``ON CONFLICT DO NOTHING RETURNING id``) and one COPY each of their
~4,000 values and ~800 checks: a handful of round trips and one commit instead of one
per report. A failure rolls the whole transaction back, and the loader retries the
reports one by one. Rows go in sorted by (agency, year) so that concurrent loaders
take their locks in the same order.
"""

from __future__ import annotations

import functools
import io
import json
import operator
import struct
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection

from ..agencies import AgencyName, division_code
from ..model import ParseResult, Provenance, Region
from .headlines import HEADLINES

#: Report columns as the loader builds them (``loader._report_row``), with their SQL types.
REPORT_COLUMNS: dict[str, str] = {
    "agency_id": "int",
    "year": "int",
    "title": "text",
    "agency_raw": "text",
    "page_url": "text",
    "document_url": "text",
    "published": "date",
    "edition": "text",
    "source_type": "text",
    "sha256": "text",
    "spider": "text",
    "fetched_at": "timestamptz",
    "parsed_at": "timestamptz",
    "status": "text",
    "warnings": "jsonb",
    "blank": "jsonb",
    "checks_failed": "int",
    "listed": "boolean",
    "fingerprint": "text",
    "checks": "int",
    **dict.fromkeys(HEADLINES, "numeric"),
}


def _unnest(prefix: str, columns: Sequence[tuple[str, str]]) -> str:
    """``unnest(%(p_a)s::t[], …) AS p("a", …)`` — jsonb travels as text (cast per element)."""
    arrays = ", ".join(
        f"%({prefix}_{name})s::{'text' if kind == 'jsonb' else kind}[]" for name, kind in columns
    )
    names = ", ".join(f'"{name}"' for name, _ in columns)
    return f"unnest({arrays}) AS {prefix}({names})"


@functools.cache
def insert_reports_sql() -> str:
    """Insert the report rows not stored yet; returns (id, agency_id, year) of the new ones."""
    cols = list(REPORT_COLUMNS.items())
    names = ", ".join(f'"{c}"' for c, _ in cols)
    select = ", ".join(f'i."{c}"::jsonb' if kind == "jsonb" else f'i."{c}"' for c, kind in cols)
    return (
        f"INSERT INTO reports ({names}) SELECT {select} FROM {_unnest('i', cols)} "
        "ON CONFLICT (agency_id, year) DO NOTHING RETURNING id, agency_id, year"
    )


def insert_reports_params(rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """The arrays for :func:`insert_reports_sql`, rows sorted by (agency, year)."""
    rows = sorted(rows, key=lambda row: (row["agency_id"], row["year"]))
    return {
        f"i_{column}": [
            json.dumps(row[column], ensure_ascii=False) if kind == "jsonb" else row[column] for row in rows
        ]
        for column, kind in REPORT_COLUMNS.items()
    }


COPY_VALUES = "COPY report_values (report_id, key, value, ocr) FROM STDIN"
COPY_CHECKS = 'COPY check_results (report_id, rule, ok, "left", "right", sentence, other_report_id) FROM STDIN'


def check_line(
    report_id: int, rule: str, ok: bool, left: Any, right: Any, sentence: str | None, other_report_id: int | None
) -> str:
    """One ``check_results`` row in COPY text format (:data:`COPY_CHECKS`' columns)."""
    return (
        f"{report_id}\t{_rule_column(rule)}{'t' if ok else 'f'}\t{_NULL if left is None else left!s}"
        f"\t{_NULL if right is None else right!s}\t{_NULL if sentence is None else _escape(sentence)}"
        f"\t{_NULL if other_report_id is None else other_report_id}\n"
    )


_NULL = "\\N"


@functools.lru_cache(maxsize=4096)
def _rule_column(rule: str) -> str:
    """``rule<TAB>`` in COPY text format (a few hundred rules, each written for every report)."""
    return f"{_escape(rule)}\t"


def copy_checks(cursor: Any, lines: Sequence[str]) -> None:
    """COPY ``check_results`` rows made by :func:`check_line`."""
    if lines:
        cursor.copy_expert(COPY_CHECKS, io.StringIO("".join(lines)))


def copy_cells(cursor: Any, reports: Sequence[tuple[int, ParseResult]]) -> None:
    """COPY the values and checks of the newly inserted ``(report_id, result)`` pairs."""
    values, checks = io.StringIO(), io.StringIO()
    for report_id, result in reports:
        rid = f"{report_id}\t"
        numbers = list(result.values.values())
        # printed cells (ocr NULL) of Decimal/int numbers (``None in numbers`` would ask each
        # Decimal whether None is a Rational: an ABC check per cell)
        if numbers and not result.ocr and set(map(type, numbers)) <= _PLAIN_NUMBERS:
            # rid, key, number, \N: joined by C loops over the report's cached key columns
            between = "\t\\N\n" + rid
            values.write(
                rid + between.join(map(operator.add, _key_columns_of(tuple(result.values)), map(str, numbers)))
                + "\t\\N\n"
            )
        else:
            values.writelines(
                f"{rid}{_key_columns(key)}{_copy_number(value)}\t{_copy_text(result.ocr.get(key))}\n"
                for key, value in result.values.items()
            )
        checks.writelines(  # check_line's text, its call inlined
            [
                f"{rid}{_rule_column(c.rule)}{'t' if c.ok else 'f'}\t{_NULL if c.left is None else c.left!s}"
                f"\t{_NULL if c.right is None else c.right!s}\t{_NULL if c.sentence is None else _escape(c.sentence)}"
                "\t\\N\n"
                for c in result.stored_checks
            ]
        )
    for sql, buffer in ((COPY_VALUES, values), (COPY_CHECKS, checks)):
        if buffer.tell():
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)


COPY_DOCUMENTS = "COPY documents (sha256, content, content_type, size, url, first_fetched_at) FROM STDIN"
COPY_DOCUMENTS_BINARY = f"{COPY_DOCUMENTS} WITH (FORMAT binary)"


def copy_documents(cursor: Any, provs: Sequence[Provenance]) -> None:
    """COPY the documents of ``provs`` (none stored yet; each sha256 once).

    In COPY's binary format: the bytes go as they are, where the text format's hex doubled
    them for the client to write and the server to decode (3,000 pages of 8.5 KiB: the
    server's COPY took 87 ms binary, 250 ms as hex text). A fetch time without a time zone
    (which the text format leaves to the server's) sends the batch as text, as before.
    """
    now = datetime.now(UTC)
    docs: dict[str, Provenance] = {}
    for p in provs:
        docs.setdefault(p.sha256, p)
    if not docs:
        return
    times = [p.fetched_at or now for p in docs.values()]
    if any(t.utcoffset() is None for t in times):
        buffer = io.StringIO()
        for p, fetched_at in zip(docs.values(), times, strict=True):
            buffer.write(
                f"{_escape(p.sha256)}\t\\\\x{p.content.hex()}\t{_copy_text(p.content_type)}\t{len(p.content)}"
                f"\t{_copy_text(p.document_url or p.page_url)}\t{fetched_at.isoformat()}\n"
            )
        buffer.seek(0)
        cursor.copy_expert(COPY_DOCUMENTS, buffer)
        return
    codec = _python_codec(cursor)
    out = io.BytesIO()
    out.write(_BINARY_HEADER)
    for p, fetched_at in zip(docs.values(), times, strict=True):
        out.write(_SIX_FIELDS)
        for field in (p.sha256.encode(codec), p.content):
            out.write(_LENGTH.pack(len(field)))
            out.write(field)
        _binary_text(out, p.content_type, codec)
        out.write(_INT4_FIELD.pack(4, len(p.content)))
        _binary_text(out, p.document_url or p.page_url, codec)
        out.write(_INT8_FIELD.pack(8, (fetched_at - _PG_EPOCH) // _MICROSECOND))
    out.write(_LENGTH_16.pack(-1))
    out.seek(0)
    cursor.copy_expert(COPY_DOCUMENTS_BINARY, out)


#: COPY's binary format: signature, flags, header extension length; per row its field count
#: and each field's length (-1: NULL) and bytes, big-endian; an int4, a timestamptz as
#: microseconds since 2000-01-01 UTC (int8); -1 fields end the data
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_LENGTH = struct.Struct("!i")
_LENGTH_16 = struct.Struct("!h")
_SIX_FIELDS = _LENGTH_16.pack(6)
_INT4_FIELD = struct.Struct("!ii")
_INT8_FIELD = struct.Struct("!iq")
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _python_codec(cursor: Any) -> str:
    """The Python codec of the connection's client encoding (text fields travel in it)."""
    try:
        from psycopg2.extensions import encodings

        return encodings[cursor.connection.encoding]
    except (ImportError, AttributeError, KeyError):
        return "utf-8"


def _binary_text(out: io.BytesIO, text: str | None, codec: str) -> None:
    """A text field in COPY's binary format, in the connection's encoding."""
    if text is None:
        out.write(_LENGTH.pack(-1))
    else:
        data = text.encode(codec)
        out.write(_LENGTH.pack(len(data)))
        out.write(data)


_PLAIN_NUMBERS = {Decimal, int}


@functools.lru_cache(maxsize=256)
def _key_columns_of(keys: tuple[str, ...]) -> list[str]:
    """``key<TAB>`` of each key, in order (a report's keys are one of a few catalog lists)."""
    return [_key_columns(key) for key in keys]


@functools.cache
def _key_columns(key: str) -> str:
    """``key<TAB>`` in COPY text format."""
    return f"{_escape(key)}\t"


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escape(text: str) -> str:
    return text.translate(_COPY_ESCAPES)


def _copy_text(text: str | None) -> str:
    return "\\N" if text is None else _escape(text)


def _copy_number(value: Any) -> str:
    """A number's text (Decimal/int: no tab, newline or backslash to escape), NULL for None."""
    return "\\N" if value is None else str(value)


#: the stored versions of (agency, year) pairs (each pair once), then (id NULL) the documents
#: stored already (each sha256 once): one round trip settles a batch of unchanged reports. Each
#: pair and each sha256 is looked up in its index by itself (the LIMIT keeps the subquery from being flattened
#: into a join; both keys are unique, so it drops nothing): the IN and ANY forms read ``reports``
#: and ``documents`` whole until they were large enough for the planner to prefer the indexes
#: (at 3,000 reports ~1 ms more a batch, growing with the tables)
STORED_SQL = (
    "SELECT r.id, r.agency_id, r.year, r.sha256, r.fingerprint "
    "FROM unnest(%(agency_id)s::int[], %(year)s::int[]) AS k(agency_id, year) "
    "CROSS JOIN LATERAL (SELECT id, agency_id, year, sha256, fingerprint FROM reports "
    "WHERE reports.agency_id = k.agency_id AND reports.year = k.year LIMIT 1) AS r "
    "UNION ALL SELECT NULL, NULL, NULL, d.sha256, NULL FROM unnest(%(sha256)s::text[]) AS s(sha256) "
    "CROSS JOIN LATERAL (SELECT sha256 FROM documents WHERE documents.sha256 = s.sha256 LIMIT 1) AS d"
)


# ---------------------------------------------------------------- agencies


def resolve_agencies(conn: Connection, names: Sequence[str]) -> dict[str, tuple[int, str]]:
    """(id, name) by canonical name for those stored — by name, else through one alias row.

    The rule of ``loader.resolve_agency``, for many names in one query.
    """
    return resolve_agencies_and_aliases(conn, names, ())[0]


def resolve_agencies_and_aliases(
    conn: Connection, names: Sequence[str], spellings: Sequence[str]
) -> tuple[dict[str, tuple[int, str]], set[tuple[str, int]]]:
    """:func:`resolve_agencies`, and in the same query the alias rows ``(alias, agency id)``
    stored for ``spellings``: :func:`add_aliases` of those would insert nothing (their key)."""
    if not names:
        return {}, set()
    direct_hits: dict[str, tuple[int, str]] = {}
    alias_hits: dict[str, set[tuple[int, str]]] = {}
    stored: set[tuple[str, int]] = set()
    params = {"names": list(names), "spellings": list(spellings)}
    for wanted, agency_id, name, via_alias in conn.exec_driver_sql(_RESOLVE_AGENCIES, params):
        if via_alias == 0:
            direct_hits[wanted] = (agency_id, name)
        elif via_alias == 1:
            alias_hits.setdefault(wanted, set()).add((agency_id, name))
        else:
            stored.add((wanted, agency_id))
    found = {name: next(iter(ids)) for name, ids in alias_hits.items() if len(ids) == 1}
    return found | direct_hits, stored


#: by name, else through an alias; then (2) the alias rows of the spellings asked about; the
#: names as one array (an expanding IN of a batch's ~100 names was compiled by SQLAlchemy again
#: for every batch: ~4 ms of client CPU)
_RESOLVE_AGENCIES = (
    "SELECT a.name, a.id, a.name, 0 FROM agencies a WHERE a.name = ANY(%(names)s::text[]) "
    "UNION ALL SELECT l.alias, a.id, a.name, 1 FROM agency_aliases l JOIN agencies a ON a.id = l.agency_id "
    "WHERE l.alias = ANY(%(names)s::text[]) "
    "UNION ALL SELECT l.alias, l.agency_id, NULL, 2 FROM agency_aliases l WHERE l.alias = ANY(%(spellings)s::text[])"
)


def create_agencies(
    conn: Connection, wanted: dict[str, tuple[AgencyName, Region]]
) -> dict[str, tuple[int, str]]:
    """Insert the agencies named by ``wanted`` (name → first spelling's canonical name, region).

    A concurrent loader may create one first: those are looked up after its commit.
    """
    rows = [
        {
            "name": name,
            "short_name": canonical.short,
            "kind": canonical.kind,
            "province": region.province,
            "city": region.city,
            "county": region.county,
            "division_code": division_code(region),
            "portal": region.portal,
        }
        for name, (canonical, region) in sorted(wanted.items())
    ]
    if not rows:
        return {}
    made = conn.exec_driver_sql(_INSERT_AGENCIES, {c: [row[c] for row in rows] for c in _AGENCY_COLUMNS})
    found = {name: (agency_id, name) for agency_id, name in made}
    missing = [name for name in wanted if name not in found]
    found |= resolve_agencies(conn, missing)
    if len(found) != len(wanted):
        raise RuntimeError(f"agencies vanished during the load: {sorted(set(wanted) - set(found))[:3]}")
    return found


def add_aliases(conn: Connection, aliases: dict[str, int]) -> None:
    """Alias rows (spelling → agency id); a spelling already recorded keeps its agency."""
    if aliases:
        ordered = sorted(aliases.items())
        conn.exec_driver_sql(
            "INSERT INTO agency_aliases (alias, agency_id) SELECT * FROM unnest(%(alias)s::text[], %(agency_id)s::int[]) "
            "ON CONFLICT DO NOTHING",
            {"alias": [a for a, _ in ordered], "agency_id": [i for _, i in ordered]},
        )


#: the agencies' columns a loader sets; their rows go in as arrays (one statement, nothing
#: compiled per batch: a multi-row VALUES was compiled again for every batch)
_AGENCY_COLUMNS = ("name", "short_name", "kind", "province", "city", "county", "division_code", "portal")
_INSERT_AGENCIES = (
    f"INSERT INTO agencies ({', '.join(_AGENCY_COLUMNS)}) "
    f"SELECT * FROM unnest({', '.join(f'%({c})s::text[]' for c in _AGENCY_COLUMNS)}) "
    "ON CONFLICT DO NOTHING RETURNING id, name"
)
