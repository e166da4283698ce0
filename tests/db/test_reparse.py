"""Re-parsing stored documents (no network) with the current parser."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from gxcrawler.db import Loader
from gxcrawler.db.reparse import reparse
from gxcrawler.model import ParseResult, Provenance, Region
from gxcrawler.parsing import parse_bytes

SEEDS = Path(__file__).parents[1] / "data" / "seeds"
RENHE = Region("四川省", "攀枝花市", "仁和区", None, "panzhihua")
YANSHAN = Region("云南省", "文山壮族苗族自治州", "砚山县", None, "yanshan")
RENHE_URL = "http://www.screnhe.gov.cn/zfxxgk/zfxxgknb/rhq/xqjbmzfxxgkgzndbg/rhqrmzfbgs/4113673.shtml"
BENGE_URL = "https://yanshan.gov.cn/view/xxgknb/157142.html"


def seed(name: str, url: str, spider: str) -> Provenance:
    content = next(SEEDS.glob(f"{name}_*.txt")).read_bytes()
    return Provenance(content=content, page_url=url, content_type="text/plain; charset=utf-8", spider=spider)


def parsed(prov: Provenance) -> ParseResult:
    return parse_bytes(prov.content, source=prov.page_url, content_type=prov.content_type, hints=prov.hints)


def values_of(engine, report_id: int) -> dict:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                sa.text("SELECT key, value FROM report_values WHERE report_id = :r"), {"r": report_id}
            ).all()
        )


def test_reparse_updates_a_report_an_older_parser_got_wrong(db_engine):
    prov = seed("001", RENHE_URL, "panzhihua")
    good = parsed(prov)
    assert good.status == "ok" and good.year == 2021  # the seed itself is readable
    old = replace(
        good, values={k: v for k, v in good.values.items() if not k.startswith("s4.")}, warnings=["old"]
    )
    first = Loader(db_engine).load(old, prov, RENHE)
    assert first.status == "inserted"
    assert not any(k.startswith("s4.") for k in values_of(db_engine, first.report_id))

    outcomes = reparse(db_engine, report_ids=[first.report_id])
    assert [o.status for _, o in outcomes] == ["updated"]
    assert outcomes[0][0] == RENHE_URL
    stored = values_of(db_engine, first.report_id)
    assert len(stored) == len(good.values)
    assert {k: float(v) for k, v in stored.items()} == {k: float(v) for k, v in good.values.items()}

    again = reparse(db_engine, report_ids=[first.report_id])
    assert [o.status for _, o in again] == ["unchanged"]


def test_reparse_all_loads_documents_an_older_parser_skipped(db_engine):
    prov = seed("002", BENGE_URL, "yanshan")
    failed_before = ParseResult(source=BENGE_URL, status="error", message="old parser crashed")
    # unreadable is a transient failure (issue 9): refused, never settled; the bytes are kept
    assert Loader(db_engine).load(failed_before, prov, YANSHAN).status == "refused"
    with db_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM reports")).scalar_one() == 0

    outcomes = reparse(db_engine, all_documents=True)
    assert [o.status for _, o in outcomes] == ["inserted"]
    with db_engine.connect() as conn:
        name, year = conn.execute(
            sa.text("SELECT a.name, r.year FROM reports r JOIN agencies a ON a.id = r.agency_id")
        ).one()
    assert (name, year) == ("砚山县蚌峨乡人民政府", 2023)


def test_reparse_command(pg_url):
    from gxcrawler.db import make_engine, upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    prov = seed("001", RENHE_URL, "panzhihua")
    good = parsed(prov)
    report = Loader(engine).load(replace(good, warnings=["stale"]), prov, RENHE)
    engine.dispose()
    env = {**os.environ, "GXCRAWLER_DATABASE_URL": pg_url}
    cmd = [sys.executable, "-m", "gxcrawler", "reparse", "--report", str(report.report_id), "-v"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "updated 1" in done.stdout and RENHE_URL in done.stdout
    done = subprocess.run([*cmd[:4], "--all"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and "unchanged 1" in done.stdout


def test_reparse_leaves_a_report_read_from_a_pages_pictures_alone(db_engine):
    """A report page whose tables were pictures (OCR'd by the crawl): the store has the page,
    not its pictures, so re-parsing would lose its numbers; it is skipped, its values kept."""
    prov = seed("001", RENHE_URL, "panzhihua")
    page = Provenance(content="<html><body><h1>2021年政府信息公开工作年度报告</h1><img src='t.jpg'></body></html>".encode(),
                      page_url=RENHE_URL, content_type="text/html; charset=utf-8", spider="panzhihua")
    from_pictures = replace(parsed(prov), source_type="ocr")
    first = Loader(db_engine).load(from_pictures, page, RENHE)
    assert first.status == "inserted"
    before = values_of(db_engine, first.report_id)
    assert before

    (outcome,) = reparse(db_engine, report_ids=[first.report_id])
    assert outcome[1].status == "skipped" and "pictures" in outcome[1].message
    assert values_of(db_engine, first.report_id) == before
