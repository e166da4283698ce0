"""Re-parsing stored documents (no network) with the current parser."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
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


PICTURE_URL = "http://www.screnhe.gov.cn/uploadfiles/t1.jpg"
#: a picture's bytes as far as the store is concerned: a JPEG's signature (nothing here reads it)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256))
PAGE = "<html><body><h1>2021年政府信息公开工作年度报告</h1><img src='/uploadfiles/t1.jpg'></body></html>".encode()


def read_from_pictures(prov: Provenance, pictures: list[tuple[str, bytes]]) -> tuple[ParseResult, Provenance]:
    """A page whose cells were read from its pictures (the seed's values, every one from picture 1)."""
    page = Provenance(content=PAGE, page_url=RENHE_URL, content_type="text/html; charset=utf-8",
                      spider="panzhihua", pictures=pictures)
    result = parsed(prov)
    return replace(result, source_type="ocr", ocr={k: "read" for k in result.values},
                   pictures=page.picture_shas, picture={k: 1 for k in result.values}), page


def provenance_of(engine, report_id: int) -> list[tuple]:
    """Each value with the picture it was read from: the query docs/notes/ocr.md gives analysts."""
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT v.key, p.url, d.sha256, d.content_type FROM report_values v "
            "JOIN report_pictures p ON p.report_id = v.report_id AND p.position = v.picture "
            "JOIN documents d ON d.sha256 = p.sha256 WHERE v.report_id = :r ORDER BY v.key"), {"r": report_id}).all()


def test_a_report_read_from_pictures_stores_them_and_names_each_values_picture(db_engine):
    """The pictures are documents of their own, linked to the report; a value names its picture;
    bytes that are not a picture are never stored as one; unchanged pictures load nothing."""
    not_a_picture = ("http://www.screnhe.gov.cn/uploadfiles/t2.jpg", "<html>系统繁忙</html>".encode())
    result, page = read_from_pictures(seed("001", RENHE_URL, "panzhihua"), [(PICTURE_URL, JPEG), not_a_picture])
    first = Loader(db_engine).load(result, page, RENHE)
    assert first.status == "inserted"
    traced = provenance_of(db_engine, first.report_id)
    assert len(traced) == len(result.values) == len(values_of(db_engine, first.report_id))
    assert {(url, ctype) for _, url, _, ctype in traced} == {(PICTURE_URL, "image/jpeg")}
    with db_engine.connect() as conn:
        links = conn.execute(sa.text("SELECT position, url FROM report_pictures WHERE report_id = :r"),
                             {"r": first.report_id}).all()
        stored = conn.execute(sa.text("SELECT url, content FROM documents WHERE url LIKE '%uploadfiles%'")).all()
        documents = conn.execute(sa.text("SELECT count(*) FROM documents")).scalar()
    assert links == [(1, PICTURE_URL)]
    assert [(u, bytes(c)) for u, c in stored] == [(PICTURE_URL, JPEG)]  # the HTML in a picture's place: not kept

    again = Loader(db_engine).load(result, replace(page), RENHE)
    assert again.status == "unchanged"
    with db_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM documents")).scalar() == documents


def test_a_picture_not_fetched_on_a_later_night_keeps_the_stored_values_and_picture(db_engine):
    """The page parsed again without its picture (an error page, a challenge, nothing): refused;
    the stored report, its values and its picture stay as they are."""
    result, page = read_from_pictures(seed("001", RENHE_URL, "panzhihua"), [(PICTURE_URL, JPEG)])
    first = Loader(db_engine).load(result, page, RENHE)
    before = (values_of(db_engine, first.report_id), provenance_of(db_engine, first.report_id))
    fewer = replace(result, values=dict(list(result.values.items())[:5]), pictures=[], picture={})
    later = Provenance(content=PAGE, page_url=RENHE_URL, content_type="text/html; charset=utf-8",
                       spider="panzhihua", missing_pictures=[PICTURE_URL])
    outcome = Loader(db_engine).load(fewer, later, RENHE)
    assert outcome.status == "refused" and PICTURE_URL in outcome.message
    assert (values_of(db_engine, first.report_id), provenance_of(db_engine, first.report_id)) == before


def test_reparse_keeps_a_report_read_from_pictures_stored_before_they_were(db_engine):
    """A report read from a page's pictures before they were stored (no ``report_pictures``):
    re-parsing the page alone finds no tables, and never replaces the stored values with that."""
    prov = seed("001", RENHE_URL, "panzhihua")
    page = Provenance(content=PAGE, page_url=RENHE_URL, content_type="text/html; charset=utf-8", spider="panzhihua")
    from_pictures = replace(parsed(prov), source_type="ocr")
    first = Loader(db_engine).load(from_pictures, page, RENHE)
    assert first.status == "inserted"
    before = values_of(db_engine, first.report_id)
    assert before

    (outcome,) = reparse(db_engine, report_ids=[first.report_id])
    assert outcome[1].status in ("skipped", "refused")
    assert values_of(db_engine, first.report_id) == before


def test_reparse_reads_a_page_again_with_its_stored_pictures(db_engine):
    """OCR'd from a page's picture, then re-parsed from the store alone: the same values, each
    naming the picture. (Stored cells altered first, as an older parser's: the re-parse must
    read the picture to put them right.)"""
    from tests.spiders.test_table_pictures import needs_ocr

    needs_ocr()
    from gxcrawler.synthetic.scans import make_scan

    scan = make_scan(3, kind="jpeg", dpi=150)
    title = scan.report.title.replace(" ", "")
    html = (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
            f'<p>来源：城郊乡人民政府　发布时间：2021-01-20</p><p><img src="{PICTURE_URL}" width="800"></p>'
            "</body></html>").encode()
    page = Provenance(content=html, page_url=RENHE_URL, content_type="text/html; charset=utf-8",
                      spider="panzhihua", pictures=[(PICTURE_URL, scan.content)])
    result = parse_bytes(html, source=RENHE_URL, content_type=page.content_type, images=page.pictures)
    assert result.source_type == "ocr" and result.values
    first = Loader(db_engine).load(result, page, Region("河南省", "洛阳市", "洛宁县", None, "panzhihua"))
    assert first.status == "inserted", first.message
    read = values_of(db_engine, first.report_id)
    assert read and all(scan.report.values.get(k) == Decimal(str(v)) for k, v in read.items())  # SQLite: text
    with db_engine.begin() as conn:
        conn.execute(sa.text("UPDATE report_values SET value = value + 1, picture = NULL WHERE report_id = :r"),
                     {"r": first.report_id})
        conn.execute(sa.text("UPDATE reports SET fingerprint = 'older parser' WHERE id = :r"), {"r": first.report_id})

    (outcome,) = reparse(db_engine, report_ids=[first.report_id])
    assert outcome[1].status == "updated", outcome[1].message
    assert values_of(db_engine, first.report_id) == read
    assert {url for _, url, _, _ in provenance_of(db_engine, first.report_id)} == {PICTURE_URL}
    assert len(provenance_of(db_engine, first.report_id)) == len(read)
