"""The upsert keyed by (agency, year), on PostgreSQL and on SQLite."""

from __future__ import annotations

import hashlib
import json
import random
import threading
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from gxcrawler import catalog
from gxcrawler.checks import evaluate
from gxcrawler.db import Loader
from gxcrawler.db.loader import parse_fingerprint
from gxcrawler.model import Check
from tests.analytics.expected import HEADLINES, headline
from tests.fixtures.db import make_report


def stored_values(engine, report_id: int) -> dict[str, Decimal]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT key, value FROM report_values WHERE report_id = :r"), {"r": report_id}
        )
        return {k: Decimal(str(v)) for k, v in rows}


def stored_checks(engine, report_id: int) -> dict[str, tuple[bool, Decimal, Decimal]]:
    with engine.connect() as conn:
        rows = conn.execute(
            # the report's own checks (those across years depend on its neighbours: test_years.py)
            sa.text('SELECT rule, ok, "left", "right" FROM check_results WHERE report_id = :r AND other_report_id IS NULL'),
            {"r": report_id},
        )
        return {r: (bool(ok), Decimal(str(a)), Decimal(str(b))) for r, ok, a, b in rows}


def stored_headlines(engine, report_id: int) -> dict[str, Decimal | None]:
    """The headline columns and check count stored on the reports row."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(f"SELECT checks, {', '.join(HEADLINES)} FROM reports WHERE id = :r"), {"r": report_id}
        ).one()._mapping
    return {k: None if v is None else Decimal(str(v)) for k, v in row.items()}


def expected_headlines(result) -> dict[str, Decimal | None]:  # noqa: ANN001
    return {"checks": Decimal(len(result.checks))} | {c: headline(result.values, c) for c in HEADLINES}


def count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_same_report_twice_is_unchanged(db_engine):
    loader = Loader(db_engine)
    batch = [make_report("蚌峨乡", 2023)]
    first = loader.load(*batch[0])
    second = loader.load(*batch[0])
    assert first.status == "inserted" and first.report_id
    assert second.status == "unchanged"
    assert second.report_id == first.report_id and second.agency_id == first.agency_id
    assert stored_values(db_engine, first.report_id) == batch[0][0].values
    assert count(db_engine, "reports") == 1
    assert count(db_engine, "documents") == 1


def test_changed_values_replace_the_old_ones(db_engine):
    loader = Loader(db_engine)
    old = make_report("蚌峨乡", 2022, seed=1)
    new_result, new_prov, region = make_report("蚌峨乡", 2022, seed=2, content=b"<html>corrected</html>")
    del new_result.values["s4.review.upheld"]  # a cell the new version no longer has
    new_result.values["s3.new.natural"] += 1  # and one that now breaks an identity
    new_result.checks = evaluate(new_result.values, [], "2021")

    inserted = loader.load(*old)
    updated = loader.load(new_result, new_prov, region)

    assert (inserted.status, updated.status) == ("inserted", "updated")
    assert updated.report_id == inserted.report_id
    assert stored_values(db_engine, updated.report_id) == new_result.values
    checks = stored_checks(db_engine, updated.report_id)
    assert checks == {c.rule: (c.ok, c.left, c.right) for c in new_result.checks}
    assert checks["s3.balance.natural"][0] is False
    with db_engine.connect() as conn:
        sha, failed = conn.execute(sa.text("SELECT sha256, checks_failed FROM reports")).one()
    assert sha == new_prov.sha256
    assert failed == sum(1 for c in new_result.checks if not c.ok) > 0
    assert stored_headlines(db_engine, updated.report_id) == expected_headlines(new_result)
    assert stored_headlines(db_engine, updated.report_id) != expected_headlines(old[0])
    assert count(db_engine, "documents") == 2  # both versions stay re-parseable


def test_same_bytes_parsed_differently_is_an_update(db_engine):
    """A better parser re-reading stored bytes must update, not be called unchanged."""
    loader = Loader(db_engine)
    result, prov, region = make_report("蚌峨乡", 2021)
    loader.load(result, prov, region)
    better = replace(result, values=dict(result.values), warnings=["re-read"])
    better.values["s2.art20_8.fees.amount"] = Decimal("209512.943")
    outcome = loader.load(better, prov, region)
    assert outcome.status == "updated"
    assert stored_values(db_engine, outcome.report_id)["s2.art20_8.fees.amount"] == Decimal("209512.943")


def test_failure_mid_load_keeps_the_previous_version(db_engine):
    """A check row violating the primary key fails after the old rows were deleted."""
    loader = Loader(db_engine)
    good = make_report("平远镇", 2023, seed=5)
    loader.load(*good)
    with db_engine.connect() as conn:
        before = conn.execute(sa.text("SELECT id, sha256, fingerprint, title FROM reports")).one()

    bad_result, bad_prov, region = make_report("平远镇", 2023, seed=6, content=b"<html>v2</html>")
    bad_result.checks.append(bad_result.checks[0])  # the same rule twice: (report_id, rule) clash
    outcome = loader.load(bad_result, bad_prov, region)

    assert outcome.status == "failed" and outcome.message
    assert "unique" in outcome.message.lower() or "duplicate" in outcome.message.lower()
    with db_engine.connect() as conn:
        after = conn.execute(sa.text("SELECT id, sha256, fingerprint, title FROM reports")).one()
    assert tuple(after) == tuple(before)
    assert stored_values(db_engine, before.id) == good[0].values
    assert stored_checks(db_engine, before.id) == {c.rule: (c.ok, c.left, c.right) for c in good[0].checks}
    with db_engine.connect() as conn:
        fetch = conn.execute(
            sa.text("SELECT outcome, sha256 FROM fetches WHERE url = :u"), {"u": bad_prov.page_url}
        ).one()
        kept = conn.execute(
            sa.text("SELECT count(*) FROM documents WHERE sha256 = :s"), {"s": bad_prov.sha256}
        ).scalar_one()
    assert fetch.outcome == "failed" and fetch.sha256 == bad_prov.sha256
    assert kept == 1  # the bytes are kept for a later re-parse


def test_unknown_metric_keys_are_refused(db_engine):
    loader = Loader(db_engine)
    good = make_report("平远镇", 2022)
    loader.load(*good)
    bad_result, bad_prov, region = make_report("平远镇", 2022, seed=9, content=b"other")
    bad_result.values["s9.not_a_metric.total"] = Decimal(1)
    outcome = loader.load(bad_result, bad_prov, region)
    assert outcome.status == "failed" and "s9.not_a_metric.total" in outcome.message
    with db_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT sha256 FROM reports")).scalar_one() == good[1].sha256
        assert (
            conn.execute(sa.text("SELECT count(*) FROM report_values WHERE key LIKE 's9.%'")).scalar_one()
            == 0
        )


def test_failure_just_before_commit_rolls_back_everything(db_engine):
    seen: list[int] = []

    def explode(conn, report_id):
        seen.append(report_id)
        raise RuntimeError("disk full")

    good = make_report("阿猛镇", 2022, seed=1)
    Loader(db_engine).load(*good)
    changed = make_report("阿猛镇", 2022, seed=2, content=b"other bytes")
    outcome = Loader(db_engine, before_commit=explode).load(*changed)

    assert outcome.status == "failed" and "disk full" in outcome.message
    assert seen  # the hook ran after values and checks were written
    with db_engine.connect() as conn:
        report_id, sha = conn.execute(sa.text("SELECT id, sha256 FROM reports")).one()
    assert sha == good[1].sha256
    assert stored_values(db_engine, report_id) == good[0].values


def test_load_many_counts_each_outcome(db_engine):
    loader = Loader(db_engine)
    first = [make_report(a, y) for a in ("蚌峨乡", "平远镇") for y in (2021, 2022)]
    assert [o.status for o in loader.load_many(first)] == ["inserted"] * 4

    changed = make_report("平远镇", 2022, seed=99, content=b"new")
    not_a_report = make_report("平远镇", 2024, status="not_a_report")
    second = [*first[:3], changed, not_a_report]
    statuses = [o.status for o in loader.load_many(second)]
    assert statuses == ["unchanged", "unchanged", "unchanged", "updated", "skipped"]
    assert count(db_engine, "reports") == 4


def test_reports_without_year_or_agency_are_kept_as_documents_only(db_engine):
    loader = Loader(db_engine)
    no_year = make_report("蚌峨乡", 2023)
    no_year[0].year = None
    no_agency = make_report("", 2023, content=b"anonymous")
    outcomes = loader.load_many([no_year, no_agency])
    assert [o.status for o in outcomes] == ["skipped", "skipped"]
    assert outcomes[0].message == "no report year" and outcomes[1].message == "no agency"
    assert count(db_engine, "reports") == 0
    assert count(db_engine, "documents") == 2
    with db_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT DISTINCT outcome FROM fetches")).scalars().all() == ["skipped"]


def test_an_older_publication_does_not_replace_a_newer_one(db_engine):
    loader = Loader(db_engine)
    newer = make_report("蚌峨乡", 2023, published=date(2024, 3, 1), content=b"corrected edition")
    older = make_report("蚌峨乡", 2023, seed=7, published=date(2024, 1, 15), content=b"first edition")
    assert loader.load(*newer).status == "inserted"
    outcome = loader.load(*older)
    assert outcome.status == "skipped" and "later publication" in outcome.message
    with db_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT sha256 FROM reports")).scalar_one() == newer[1].sha256


def test_values_are_exact_decimals(db_engine):
    result, prov, region = make_report("蚌峨乡", 2019, edition="2019")
    result.values["s2.art20_9.procurement.amount"] = Decimal("209512.943")
    result.values["s2.art20_5.licensing.change"] = Decimal("-1942")
    result.values["s2.art20_8.fees.prev_items"] = Decimal("12345678901234.0001")
    outcome = Loader(db_engine).load(result, prov, region)
    stored = stored_values(db_engine, outcome.report_id)
    assert stored["s2.art20_9.procurement.amount"] == Decimal("209512.943")
    assert stored["s2.art20_5.licensing.change"] == Decimal("-1942")
    assert stored["s2.art20_8.fees.prev_items"] == Decimal("12345678901234.0001")


def test_cells_get_section_row_and_column_from_the_catalog(db_engine):
    """report_values stores key and value; section, row and column come from metrics."""
    outcome = Loader(db_engine).load(*make_report("蚌峨乡", 2021))
    with db_engine.connect() as conn:
        row = conn.execute(
            sa.text(
                'SELECT m.section, m.row_key, m.column_key, v.value FROM report_values v '
                "JOIN metrics m USING (key) WHERE v.report_id = :r AND v.key = 's3.denied.state_secret.natural'"
            ),
            {"r": outcome.report_id},
        ).one()
    assert tuple(row)[:3] == ("s3", "denied.state_secret", "natural")


def test_fingerprint_ignores_order_but_not_content():
    result, _, _ = make_report("蚌峨乡", 2021)
    shuffled = replace(result, values=dict(reversed(list(result.values.items()))))
    assert parse_fingerprint(shuffled) == parse_fingerprint(result)
    shuffled.values["s3.new.natural"] += 1
    assert parse_fingerprint(shuffled) != parse_fingerprint(result)


def _reference_fingerprint(result) -> str:  # noqa: ANN001
    """The fingerprint as the loader first wrote it: stored fingerprints depend on these bytes."""
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


def test_fingerprint_is_unchanged_from_the_stored_format():
    """A faster fingerprint must give the bytes already stored, or every report would look changed."""
    plain, _, _ = make_report("蚌峨乡", 2019, edition="2019", seed=3)
    odd = replace(plain, values=dict(plain.values), warnings=['表格 "三" 未读\t完', "x\\y"], published=None)
    odd.values["s2.art20_9.procurement.amount"] = Decimal("209512.9430")  # normalized to 209512.943
    odd.values["s2.art20_8.fees.amount"] = Decimal("-0.00")
    odd.values["s3.new.natural"] = 12  # an int, as a caller may pass
    odd.values['odd"key\n'] = Decimal("1E+2")  # refused later by the loader, hashed all the same
    odd.blank = ["s4.review.total", "s3.new.legal"]
    for result in (plain, odd, replace(plain, values={}, checks=[], status="no_tables", title=None)):
        assert parse_fingerprint(result) == _reference_fingerprint(result)
    # cells read by OCR add their marks after the object; without any, the bytes stay the above
    scanned = replace(plain, ocr={"s3.new.natural": "read"})
    assert parse_fingerprint(scanned) != _reference_fingerprint(scanned)
    assert parse_fingerprint(replace(scanned, ocr={})) == _reference_fingerprint(plain)


def test_fingerprint_equals_the_stored_format_on_random_parses():
    """The fast paths (cached key and rule layouts, cached number texts) against the plain
    JSON text on random parses: keys in any order and subset, numbers in every spelling
    (trailing zeros, exponents, -0, ints), checks shuffled, repeated or needing escapes."""
    rnd = random.Random(12)
    keys = sorted(catalog.METRICS)
    spellings = [
        "0", "-0", "-0.00", "1E+2", "100", "1.50", "0.0000001", "7", "12345678901234.5600", "-3", "0E-3",
        "-12.30", "NaN", "Infinity", "-Infinity", "1e5", "-1E-7",
    ]
    base, _, _ = make_report("蚌峨乡", 2021)
    for trial in range(300):
        chosen = rnd.sample(keys, rnd.choice([0, 1, 2, 30, 200]))
        if trial % 3:  # the same key sets again (cached layouts), in another order
            chosen = keys[: 40 + trial % 5]
            rnd.shuffle(chosen)
        values = {}
        for key in chosen:
            kind = rnd.random()
            values[key] = (
                rnd.randint(-50, 50) if kind < 0.05 else Decimal(rnd.choice(spellings)) if kind < 0.5 else Decimal(rnd.randint(0, 400))
            )
        if trial % 19 == 0 and values:  # a float among the numbers: its Decimal is not its text's
            values[next(iter(values))] = 0.1
        if trial % 17 == 0:
            values['odd"key'] = Decimal("2")
        checks = [
            Check(rule, rnd.random() < 0.5, Decimal(rnd.choice(spellings)), Decimal(rnd.randint(0, 9)))
            for rule in rnd.sample([c.rule for c in base.checks], rnd.randint(0, len(base.checks)))
        ]
        if trial % 11 == 0 and checks:
            checks.append(Check(checks[0].rule, not checks[0].ok, Decimal(1), Decimal(2)))  # a rule twice
        if trial % 13 == 0:
            checks.append(Check('s3.odd"rule', True, Decimal(1), Decimal(1)))
        rnd.shuffle(checks)
        result = replace(
            base,
            values=values,
            checks=checks,
            blank=rnd.sample(keys, rnd.randint(0, 3)),
            warnings=rnd.choice([[], ["表格三未读"], ['a "quoted" one', "tab\there"], ["x", "y"]]),
            title=rnd.choice([base.title, None, 'a "title"']),
        )
        assert parse_fingerprint(result) == _reference_fingerprint(result), trial


def _afresh(result):  # noqa: ANN001, ANN202
    """An equal parse made of new objects, as a re-parse has it (nothing shared, nothing cached)."""
    return replace(
        result,
        values={k: Decimal(str(v)) for k, v in result.values.items()},
        checks=[Check(c.rule, c.ok, Decimal(str(c.left)), Decimal(str(c.right)), c.sentence) for c in result.checks],
    )


def test_fingerprint_tells_every_single_changed_number():
    """Unchanged means equal fingerprints: a copy of new objects hashes the same, and any one
    number changed — in any cell, to any other number, or two cells' numbers swapped, or a
    check's side — hashes differently (values out of key order, as a parse lists them)."""
    result, _, _ = make_report("蚌峨乡", 2021, seed=4)
    result.values = dict(reversed(list(result.values.items())))  # sorted by key in the hash
    result.values["s2.art20_8.fees.amount"] = Decimal("120.50")
    result.checks = evaluate(result.values, [], "2021")
    same = parse_fingerprint(result)
    assert parse_fingerprint(_afresh(result)) == same == _reference_fingerprint(result)

    class Spelled(Decimal):  # a Decimal subclass with its own text hashes as its number
        def __str__(self) -> str:
            return "spelled"

    spelled = _afresh(result)
    spelled.values = {k: Spelled(v) for k, v in spelled.values.items()}
    assert parse_fingerprint(spelled) == same
    for key, value in result.values.items():
        for other in (value + 1, value * 10 + 10, -value - 1, value + Decimal("0.001")):
            changed = _afresh(result)
            changed.values[key] = other
            assert parse_fingerprint(changed) != same, (key, value, other)
    keys = list(result.values)
    for a, b in zip(keys, keys[1:], strict=False):
        swapped = _afresh(result)
        swapped.values[a], swapped.values[b] = swapped.values[b], swapped.values[a]
        assert (parse_fingerprint(swapped) == same) == (result.values[a] == result.values[b]), (a, b)
    for n, check in enumerate(result.checks):
        for moved_check in (replace(check, left=check.left + 1), replace(check, right=check.right - 1)):
            moved = _afresh(result)
            moved.checks[n] = moved_check
            assert parse_fingerprint(moved) != same, moved_check


def test_a_reload_of_new_objects_stores_each_changed_number(pg_engine):
    """A re-parse's batch (new objects, a new loader): the equal reports are unchanged, each
    one with a number changed is updated and stores it."""
    agencies = ["蚌峨乡", "平远镇", "者腊乡", "维摩乡", "阿猛镇", "八嘎乡"]
    reports = [make_report(agency, 2023, seed=n) for n, agency in enumerate(agencies)]
    assert {o.status for o in Loader(pg_engine).load_many(reports)} == {"inserted"}
    again = [(_afresh(r), p, g) for r, p, g in reports]
    first_key = sorted(again[1][0].values)[0]
    again[1][0].values["s3.new.natural"] += 1  # a count
    again[2][0].values[first_key] += Decimal("0.5")  # the first key in the hash's order
    keys = sorted(k for k, v in again[3][0].values.items() if v != again[3][0].values["s3.new.legal"])
    a, b = "s3.new.legal", keys[-1]
    again[3][0].values[a], again[3][0].values[b] = again[3][0].values[b], again[3][0].values[a]  # swapped
    check = again[4][0].checks[0]
    again[4][0].checks[0] = replace(check, right=check.right + 1)  # a check's side alone
    outcomes = Loader(pg_engine).load_many(again)
    assert [o.status for o in outcomes] == ["unchanged", "updated", "updated", "updated", "updated", "unchanged"]
    for (result, _, _), outcome in zip(again, outcomes, strict=True):
        assert stored_values(pg_engine, outcome.report_id) == result.values
        assert stored_checks(pg_engine, outcome.report_id) == {c.rule: (c.ok, c.left, c.right) for c in result.checks}


def test_loading_from_many_threads_creates_each_agency_once(db_engine):
    """The Scrapy pipeline loads off the reactor thread; several loaders may share an engine."""
    loader = Loader(db_engine)
    agencies = ["蚌峨乡", "蚌峨乡人民政府", "砚山县蚌峨乡人民政府", "平远镇"]
    work = [make_report(agencies[i % 4], 2019 + i // 4) for i in range(16)]
    outcomes: list = []
    lock = threading.Lock()

    def run(part):
        got = loader.load_many(part)
        with lock:
            outcomes.extend(got)

    threads = [threading.Thread(target=run, args=(work[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = [o.status for o in outcomes]
    assert statuses.count("inserted") == 8  # two agencies x four years
    assert statuses.count("updated") == 8  # the other spellings' versions replaced them
    assert count(db_engine, "agencies") == 2
    with db_engine.connect() as conn:
        per_year = conn.execute(
            sa.text(
                "SELECT a.name, count(*) FROM reports r JOIN agencies a ON a.id = r.agency_id GROUP BY a.name"
            )
        ).all()
    assert dict(per_year) == {"砚山县蚌峨乡人民政府": 4, "砚山县平远镇人民政府": 4}


@pytest.mark.parametrize("status", ["partial", "no_tables"])
def test_partial_and_tableless_reports_are_stored(db_engine, status):
    result, prov, region = make_report("蚌峨乡", 2023, status=status)
    if status == "no_tables":
        result.values, result.checks = {}, []
    outcome = Loader(db_engine).load(result, prov, region)
    assert outcome.status == "inserted"
    with db_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status FROM reports")).scalar_one() == status
    assert len(stored_values(db_engine, outcome.report_id)) == len(result.values)


def test_fast_and_transactional_paths_store_the_same_rows(pg_engine):
    """PostgreSQL inserts new reports in one autocommitted statement; a before_commit hook
    forces the general transactional path. Both must store exactly the same thing."""
    fast = make_report("蚌峨乡", 2021)
    slow = make_report("平远镇", 2021, values=dict(fast[0].values))
    slow[0].checks = list(fast[0].checks)
    slow[0].warnings = ["w"]
    fast[0].warnings = ["w"]
    a = Loader(pg_engine).load(*fast)
    b = Loader(pg_engine, before_commit=lambda conn, report_id: None).load(*slow)
    assert (a.status, b.status) == ("inserted", "inserted")
    assert stored_values(pg_engine, a.report_id) == stored_values(pg_engine, b.report_id) == fast[0].values
    assert stored_checks(pg_engine, a.report_id) == stored_checks(pg_engine, b.report_id)
    cols = "year, edition, status, source_type, warnings, blank, checks_failed, listed, published"
    cols += ", checks, " + ", ".join(HEADLINES)
    with pg_engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT {cols} FROM reports ORDER BY id")).all()
    assert rows[0] == rows[1]
    assert rows[0].warnings == ["w"] and rows[0].blank == []
    assert stored_headlines(pg_engine, a.report_id) == expected_headlines(fast[0])
