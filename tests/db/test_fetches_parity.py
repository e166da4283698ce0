"""``record_fetches`` keeps the same rows on PostgreSQL (one statement over arrays) as on SQLite.

The two upserts are different statements (``fetches._PG_UPSERT``, ``fetches._upsert_fetches``)
derived from one table of update rules (``fetches._ON_CONFLICT_SET``). This replays the same
random history of fetch writes (new URLs, repeated ones, NULLs, empty and full ``hints``/
``region``, times with a +08:00 offset, the one-URL ``record_fetch`` between batches) through
both and compares every stored column. It found SQLite storing a +08:00 time's wall time as if
it were UTC (``models.UtcDateTime`` now stores UTC).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gxcrawler.db import Loader
from gxcrawler.db.fetches import record_fetch, record_fetches
from gxcrawler.db.models import Fetch
from gxcrawler.db.runs import start_run
from tests.fixtures.db import make_report

FETCHES = Fetch.__table__
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
#: columns a history may leave out of a row, give as None, or give a value
NULLABLE = ("spider", "parent_url", "sha256", "status_code", "etag", "last_modified", "outcome", "message")
#: the columns compared (``id`` is the database's own; ``checked_at`` is not the upsert's)
COMPARED = (
    "url", "spider", "kind", "parent_url", "sha256", "status_code", "etag", "last_modified", "hints", "region",
    "first_seen", "last_seen", "last_run_id", "listed", "report_id", "outcome", "message",
)


def _value(rnd: random.Random, column: str, step: int) -> Any:
    if column == "status_code":
        return rnd.choice([200, 304, 404, 500])
    if column == "outcome":
        return rnd.choice(["inserted", "unchanged", "failed", "refused", "no_report"])
    if column == "sha256":
        return f"{rnd.randrange(4):x}" * 64
    if column == "parent_url":
        return f"http://a.gov.cn/list_{rnd.randrange(3)}.html"
    # and texts the arrays' text form must quote or escape (fetches._array_literal)
    return rnd.choice([f"{column}-{step}", f"{column}-值-{rnd.randrange(3)}", "", "'{}'", "NULL",
                       ' {a, "b"} ', "back\\slash\\", 'x"\\"y'])


def _json(rnd: random.Random) -> Any:
    return rnd.choice([
        None,
        {},
        {"title": f"标题{rnd.randrange(3)}"},
        {"title": "t", "date": f"2026-01-0{rnd.randrange(1, 4)}"},
        {"n": rnd.randrange(3), "nested": {"a": [1, "二"]}, "none": None},
        {"": ""},
    ])


def _seen(rnd: random.Random, step: int) -> datetime:
    at = T0 + timedelta(hours=step, microseconds=rnd.randrange(10**6))
    return at.astimezone(timezone(timedelta(hours=8))) if rnd.random() < 0.3 else at


def history(seed: int, runs: list[int], reports: list[int]) -> list[tuple[str, Any]]:
    """Steps ``("many", rows)`` (a ``record_fetches`` batch, its URLs unique) and ``("one", kwargs)``."""
    rnd = random.Random(seed)
    urls = [f"http://a.gov.cn/{seed}/doc_{i}.pdf" for i in range(12)]
    steps: list[tuple[str, Any]] = []
    for step in range(40):
        if rnd.random() < 0.15:
            kwargs = {c: rnd.choice([None, _value(rnd, c, step)]) for c in NULLABLE}
            kwargs.update(hints=_json(rnd), region=_json(rnd), seen_at=_seen(rnd, step),
                          kind=rnd.choice(["detail", "list"]), listed=rnd.random() < 0.8,
                          run_id=rnd.choice([None, *runs]), report_id=rnd.choice([None, *reports]))
            steps.append(("one", {"url": rnd.choice(urls), **kwargs}))
            continue
        rows = []
        for url in rnd.sample(urls, rnd.randint(1, 6)):
            row: dict[str, Any] = {"url": url}
            for column in NULLABLE:
                pick = rnd.random()
                if pick < 0.3:
                    continue  # left out: None
                row[column] = None if pick < 0.5 else _value(rnd, column, step)
            for column in ("hints", "region"):
                if rnd.random() < 0.8:
                    row[column] = _json(rnd)
            if rnd.random() < 0.5:
                row["kind"] = rnd.choice([None, "detail", "attachment", "list"])
            if rnd.random() < 0.7:
                row["listed"] = rnd.random() < 0.8
            if rnd.random() < 0.6:
                row["last_run_id"] = rnd.choice([None, *runs])
            if rnd.random() < 0.6:
                row["report_id"] = rnd.choice([None, *reports])
            row["seen_at"] = _seen(rnd, step)
            rows.append(row)
        steps.append(("many", rows))
    return steps


def _prepare(engine: Engine) -> tuple[list[int], list[int]]:
    """Crawl runs and reports the fetch rows may point at (ids alike on both databases)."""
    runs = [start_run(engine, "parity", {"n": n}, started_at=T0) for n in range(2)]
    outcomes = Loader(engine).load_many([make_report("蚌峨乡", 2022), make_report("平远镇", 2023)])
    return runs, sorted(o.report_id for o in outcomes)


def _replay(engine: Engine, steps: list[tuple[str, Any]]) -> None:
    for how, payload in steps:
        if how == "many":
            record_fetches(engine, [dict(r) for r in payload])
        else:
            record_fetch(engine, **payload)


def _stored(engine: Engine, seeds: list[int]) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(*(FETCHES.c[c] for c in COMPARED)).where(FETCHES.c.url.like("http://a.gov.cn/%/doc_%"))
        ).mappings().all()
    out = {}
    for row in rows:
        norm = dict(row)
        for column in ("hints", "region"):
            if isinstance(norm[column], str):
                norm[column] = json.loads(norm[column])
        for column in ("first_seen", "last_seen"):
            at = norm[column]
            norm[column] = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        norm["listed"] = bool(norm["listed"])
        out[norm["url"]] = norm
    return out


def test_record_fetches_same_rows_on_postgresql_and_sqlite(pg_engine, sqlite_engine):
    seeds = [7, 23, 1305]
    prepared = [_prepare(engine) for engine in (pg_engine, sqlite_engine)]
    assert prepared[0] == prepared[1]
    runs, reports = prepared[0]
    for seed in seeds:
        steps = history(seed, runs, reports)
        _replay(pg_engine, steps)
        _replay(sqlite_engine, steps)
    on_pg, on_sqlite = _stored(pg_engine, seeds), _stored(sqlite_engine, seeds)
    assert len(on_pg) == 3 * 12
    assert on_pg.keys() == on_sqlite.keys()
    differ = {url: {c: (on_pg[url][c], on_sqlite[url][c]) for c in COMPARED if on_pg[url][c] != on_sqlite[url][c]}
              for url in on_pg}
    assert {url: d for url, d in differ.items() if d} == {}


def test_array_literals_by_column_are_those_made_element_by_element():
    """``_array_literal``'s one-join paths (a column of one type, no NULL) write exactly the text
    the element-by-element form writes, on columns whose elements need quoting or escaping too."""
    from gxcrawler.db.fetches import _array_literal, _element

    rnd = random.Random(5)
    pieces = ["a", "", 'q"', "b\\s", '","', "中文", "NULL", "{x}", "a,b", " ", '"', "\\", "https://x/1.html"]
    same = datetime(2026, 5, 1, 8, tzinfo=timezone(timedelta(hours=8)))
    makers = {
        "str": lambda: "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 3))) if rnd.random() < 0.2 else f"u{rnd.randint(0, 99)}",
        "int": lambda: rnd.randint(-(10**12), 10**12),
        "time": lambda: same if rnd.random() < 0.7 else T0 + timedelta(seconds=rnd.randint(0, 10**6)),
        "one time": lambda: same,
        "bool": lambda: rnd.random() < 0.5,
        "null": lambda: None,
        "mixed": lambda: rnd.choice([None, 1, "x", True, same, 'a"b']),
    }
    for trial in range(3000):
        make = makers[rnd.choice(list(makers))]
        values = [make() for _ in range(rnd.choice([0, 1, 2, 7, 100]))]
        assert _array_literal(values) == "{" + ",".join(map(_element, values)) + "}", (trial, values)
