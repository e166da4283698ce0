"""The ``fetches`` table: every URL seen, for incremental (nightly) re-crawls.

Each function takes an Engine (own transaction) or a Connection (the caller's).
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import repeat
from types import NoneType
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .models import Fetch, Report

_fetches = Fetch.__table__
_reports = Report.__table__
T = TypeVar("T")


def _run(bind: Engine | Connection, work: Callable[[Connection], T]) -> T:
    if isinstance(bind, Connection):
        return work(bind)
    with bind.begin() as conn:
        return work(conn)


def _insert(conn: Connection):  # noqa: ANN202 - dialect-specific Insert
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(_fetches)


def record_fetch(
    bind: Engine | Connection,
    url: str,
    *,
    spider: str | None = None,
    kind: str = "detail",
    parent_url: str | None = None,
    sha256: str | None = None,
    status_code: int | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    hints: dict[str, Any] | None = None,
    region: dict[str, Any] | None = None,
    run_id: int | None = None,
    listed: bool = True,
    report_id: int | None = None,
    outcome: str | None = None,
    message: str | None = None,
    seen_at: datetime | None = None,
) -> None:
    """Insert or update the row of ``url``; ``None`` arguments keep what is stored."""
    seen = seen_at or datetime.now(UTC)
    given = {
        "spider": spider,
        "parent_url": parent_url,
        "sha256": sha256,
        "status_code": status_code,
        "etag": etag,
        "last_modified": last_modified,
        "hints": hints or None,
        "region": region or None,
        "last_run_id": run_id,
        "report_id": report_id,
        "outcome": outcome,
        "message": message,
    }
    row = {
        **{k: v for k, v in given.items() if v is not None},
        "url": url,
        "kind": kind,
        "listed": listed,
        "first_seen": seen,
        "last_seen": seen,
    }
    row.setdefault("hints", {})
    row.setdefault("region", {})
    update = {k: v for k, v in given.items() if v is not None}
    update.update(kind=kind, listed=listed, last_seen=seen)
    if outcome is not None and message is None:
        update["message"] = None

    def work(conn: Connection) -> None:
        stmt = _insert(conn).values(**row)
        conn.execute(stmt.on_conflict_do_update(index_elements=["url"], set_=update))

    _run(bind, work)


#: Columns where a NULL in a new row keeps the stored value.
_KEEP_IF_NULL = (
    "spider",
    "parent_url",
    "sha256",
    "status_code",
    "etag",
    "last_modified",
    "last_run_id",
    "report_id",
    "outcome",
)
#: What :func:`record_fetches` does to a URL already stored, column by column, stated once: the
#: PostgreSQL statement (:data:`_PG_UPSERT`) and the SQLite one (:func:`_upsert_fetches`) both set
#: exactly these SQL expressions. A column not named keeps its first value: ``url``, ``first_seen``,
#: and ``kind`` (what the crawler first called the URL: its own "report", say).
_ON_CONFLICT_SET = {
    **{c: f"coalesce(excluded.{c}, fetches.{c})" for c in _KEEP_IF_NULL},
    # an empty hints/region says nothing: what is stored stays
    **{c: f"CASE WHEN excluded.{c} = '{{}}' THEN fetches.{c} ELSE excluded.{c} END" for c in ("hints", "region")},
    **{c: f"excluded.{c}" for c in ("listed", "message", "last_seen")},
}


def record_fetches(bind: Engine | Connection, rows: list[dict[str, Any]]) -> None:
    """Upsert many fetch rows with one cached statement (the loader's path).

    Each row: ``url`` plus any of the columns, and ``seen_at``. NULLs and empty
    ``hints``/``region`` keep what is stored; ``message`` is replaced. URLs must be unique.
    The statement is built once per dialect and run as an executemany; its RETURNING
    makes SQLAlchemy send the rows as one multi-row VALUES (without it, an upsert goes
    row by row). A multi-row ``.values([...])`` was compiled again on every call, which
    cost more than the upsert itself.
    """
    now = datetime.now(UTC)
    full = []
    for r in rows:
        seen = r.get("seen_at") or now
        row = {c: r.get(c) for c in _KEEP_IF_NULL}
        row.update(
            url=r["url"],
            kind=r.get("kind") or "detail",
            hints=r.get("hints") or {},
            region=r.get("region") or {},
            listed=r.get("listed", True),
            message=r.get("message"),
            first_seen=seen,
            last_seen=seen,
        )
        full.append(row)
    if not full:
        return

    def work(conn: Connection) -> None:
        if conn.dialect.name == "postgresql":
            _pg_upsert(conn, full)
        else:
            conn.execute(_upsert_fetches(conn.dialect.name), full)

    _run(bind, work)


#: ``fetches`` columns a loader's row sets, with their SQL types (jsonb travels as text)
_PG_COLUMNS = {
    "url": "text",
    "spider": "text",
    "kind": "text",
    "parent_url": "text",
    "sha256": "text",
    "status_code": "int",
    "etag": "text",
    "last_modified": "text",
    "hints": "jsonb",
    "region": "jsonb",
    "first_seen": "timestamptz",
    "last_seen": "timestamptz",
    "last_run_id": "int",
    "listed": "boolean",
    "report_id": "int",
    "outcome": "text",
    "message": "text",
}
#: columns whose value another column's array carries: a new row is first seen when last seen
#: (:func:`record_fetches` sets both to the same time), so that array is sent once
_PG_SAME_AS = {"first_seen": "last_seen"}
#: the arrays sent
_PG_SENT = {c: t for c, t in _PG_COLUMNS.items() if c not in _PG_SAME_AS}
#: the upsert of :func:`record_fetches` as one statement over arrays (PostgreSQL): no
#: statement compiled or parameters processed per row, one round trip; :data:`_ON_CONFLICT_SET`
_PG_UPSERT = (
    f"INSERT INTO fetches ({', '.join(_PG_COLUMNS)}) "
    "SELECT "
    + ", ".join(f"u.{c}::jsonb" if t == "jsonb" else f"u.{_PG_SAME_AS.get(c, c)}" for c, t in _PG_COLUMNS.items())
    + " FROM unnest("
    + ", ".join(f"%({c})s::{'text' if t == 'jsonb' else t}[]" for c, t in _PG_SENT.items())
    + f") AS u({', '.join(_PG_SENT)}) "
    "ON CONFLICT (url) DO UPDATE SET "
    + ", ".join(f"{c} = {expr}" for c, expr in _ON_CONFLICT_SET.items())
)


def _pg_upsert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """:data:`_PG_UPSERT` of ``rows``, in URL order (concurrent writers lock rows in one order)."""
    rows = sorted(rows, key=lambda r: r["url"])
    params: dict[str, str] = {}
    for column, kind in _PG_SENT.items():
        if kind == "jsonb":
            params[column] = _array_literal([_json_text(r[column]) for r in rows])
        else:
            params[column] = _array_literal([r[column] for r in rows])
    with conn.connection.driver_connection.cursor() as cursor:
        cursor.execute(_PG_UPSERT, params)


def _array_literal(values: list[Any]) -> str:
    """The text form of a one-dimensional array, as ``array_in`` reads it: one string for
    psycopg2 to quote instead of one quoted constant per element (its ``ARRAY[…]`` costs the
    client ~1–3 µs an element and the server a constant node each to parse and cast).

    Elements: None, str, int, bool, datetime (ISO 8601, as psycopg2 sends it; a naive one is
    read in the session's time zone either way); each but NULL double-quoted, ``"`` and ``\\``
    escaped with a backslash.
    """
    kinds = set(map(type, values))
    if len(kinds) == 1 and values:  # one type, no NULL (a column of a batch): one join, the same text
        kind = kinds.pop()
        if kind is NoneType:
            return "{" + ",".join(["NULL"] * len(values)) + "}"
        texts: Iterable[str] | None = None
        if kind is str:
            texts = values
        elif kind is int:
            texts = map(str, values)
        elif kind is datetime:  # one object (a batch's time, record_fetches): its text once
            first = values[0]
            same = all(map(operator.is_, values, repeat(first)))
            texts = [first.isoformat()] * len(values) if same else map(datetime.isoformat, values)
        if texts is not None:
            text = '","'.join(texts)
            # no element holds a quote or a backslash: only the separators' two quotes each
            if "\\" not in text and text.count('"') == 2 * (len(values) - 1):
                return '{"' + text + '"}'
    return "{" + ",".join(map(_element, values)) + "}"


def _element(value: Any) -> str:
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "t" if value else "f"
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _json_text(value: dict[str, Any]) -> str:
    """The JSON text of a ``hints`` or ``region`` dict; of text-only ones (a crawl repeats the
    same few regions and list hints) remembered."""
    if not value:
        return "{}"
    key = tuple(value.items())
    if not all(type(k) is str and type(v) is str for k, v in key):
        return json.dumps(value, ensure_ascii=False)
    text = _JSON_TEXTS.get(key)
    if text is None:
        text = json.dumps(value, ensure_ascii=False)
        if len(_JSON_TEXTS) < 20_000:
            _JSON_TEXTS[key] = text
    return text


_JSON_TEXTS: dict[tuple[tuple[str, str], ...], str] = {}


@functools.cache
def _upsert_fetches(dialect: str):  # noqa: ANN202 - dialect-specific Insert
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    update = {c: sa.literal_column(expr) for c, expr in _ON_CONFLICT_SET.items()}
    return insert(_fetches).on_conflict_do_update(index_elements=["url"], set_=update).returning(_fetches.c.id)


def known(bind: Engine | Connection, url: str) -> sa.RowMapping | None:
    """The stored row of ``url`` (etag, last_modified, sha256, report_id, …), or None."""
    return _run(
        bind, lambda conn: conn.execute(sa.select(_fetches).where(_fetches.c.url == url)).mappings().first()
    )


def mark_seen(
    bind: Engine | Connection, urls: Iterable[str], run_id: int | None, seen_at: datetime | None = None
) -> int:
    """Stamp URLs as seen (and listed) in this run; returns how many rows were known."""
    url_list = sorted(set(urls))  # in URL order, as every writer of fetches locks its rows
    seen = seen_at or datetime.now(UTC)

    def work(conn: Connection) -> int:
        count = 0
        for start in range(0, len(url_list), 500):
            chunk = url_list[start : start + 500]
            res = conn.execute(
                _fetches.update()
                .where(_fetches.c.url.in_(chunk))
                .values(last_seen=seen, last_run_id=run_id, listed=True)
            )
            count += res.rowcount
        return count

    return _run(bind, work)


def mark_unlisted(bind: Engine | Connection, spider: str, seen_since: datetime) -> int:
    """URLs of ``spider`` not seen since ``seen_since`` are no longer listed.

    Reports whose every fetch is unlisted get ``reports.listed = false`` (the report
    was withdrawn from its portal; the data stays). Returns the fetches newly unlisted.
    """

    def work(conn: Connection) -> int:
        res = conn.execute(
            _fetches.update()
            .where(
                _fetches.c.spider == spider,
                _fetches.c.last_seen < seen_since,
                _fetches.c.kind != "list",
                _fetches.c.listed.is_(True),
            )
            .values(listed=False)
        )
        still_listed = (
            sa.select(_fetches.c.id)
            .where(_fetches.c.report_id == _reports.c.id, _fetches.c.listed.is_(True))
            .exists()
        )
        conn.execute(_reports.update().where(_reports.c.spider == spider).values(listed=still_listed))
        return res.rowcount

    return _run(bind, work)
