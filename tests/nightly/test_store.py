"""The incremental store on a real database: settledness, fetch records, unlisting by year."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from gxcrawler.crawl import store
from gxcrawler.db import Loader
from tests.fixtures.db import RENHE, make_report

SPIDER = RENHE.portal


def _load(engine, agency: str, year: int, *, attachment: bool = False):
    result, prov, region = make_report(agency, year, region=RENHE, page_url=f"http://a.gov.cn/{agency}{year}.shtml")
    if attachment:
        prov = replace(prov, document_url=f"http://a.gov.cn/u/{agency}{year}.pdf")
    outcome = Loader(engine).load(result, prov, region)
    assert outcome.status == "inserted"
    return prov


def _page_row(prov, **extra):
    return {"url": prov.page_url, "spider": SPIDER, "kind": "report", "sha256": "ab" * 32, "etag": '"p1"', **extra}


def test_settled_documents_and_their_pages(db_engine):
    html = _load(db_engine, "仁和镇", 2021)
    pdf = _load(db_engine, "太平乡", 2021, attachment=True)
    store.record_fetches(db_engine, [_page_row(pdf), {"url": "http://a.gov.cn/x.shtml", "spider": SPIDER,
                                                        "kind": "report", "sha256": "cd" * 32}], run_id=None)
    known = store.known_fetches(db_engine, SPIDER)
    assert known[html.page_url].settled and not known[html.page_url].has_validators
    assert known[pdf.document_url].settled
    page = known[pdf.page_url]
    assert page.settled and page.has_validators and page.children == (pdf.document_url,)
    assert not known["http://a.gov.cn/x.shtml"].settled  # fetched, never loaded


def test_a_pages_table_picture_that_failed_is_not_a_document_of_its_own(db_engine):
    """The ledger stores a failed picture download (``image``) under its page: the page's
    children are documents asked for on their own when it is unchanged; a picture is not one."""
    html = _load(db_engine, "仁和镇", 2021)
    store.record_failures(db_engine, [{"url": "http://a.gov.cn/u/t1.jpg", "spider": SPIDER, "kind": "image",
                                       "parent_url": html.page_url, "status_code": 500}], run_id=None)
    known = store.known_fetches(db_engine, SPIDER)
    assert known[html.page_url].children == () and known[html.page_url].settled
    assert known["http://a.gov.cn/u/t1.jpg"].kind == "image"  # the failure itself is kept


def _png(shade: int) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (8, 8), shade).save(buf, "PNG")
    return buf.getvalue()


def test_a_table_picture_is_settled_while_its_report_holds_its_bytes(db_engine):
    """A page's table picture is one of the page's ``pictures`` (revalidated when the page is
    unchanged), settled while a stored report was read from exactly its bytes and its last fetch
    did not fail; ``read`` says the stored report holds those bytes (a failure keeps that)."""
    import hashlib

    picture, png = "http://a.gov.cn/u/t1.png", _png(200)
    sha = hashlib.sha256(png).hexdigest()
    result, prov, region = make_report("仁和镇", 2021, region=RENHE, page_url="http://a.gov.cn/p.shtml")
    assert Loader(db_engine).load(replace(result, pictures=[sha]), replace(prov, pictures=[(picture, png)]),
                                  region).status == "inserted"
    row = {"url": picture, "spider": SPIDER, "kind": "image", "parent_url": prov.page_url, "sha256": sha,
           "etag": '"i1"', "status_code": 200}
    store.record_fetches(db_engine, [row], run_id=None)
    known = store.known_fetches(db_engine, SPIDER)
    assert known[prov.page_url].pictures == (picture,) and known[prov.page_url].children == ()
    assert known[picture].settled and known[picture].read and known[picture].has_validators

    store.record_failures(db_engine, [{**row, "outcome": "failed", "message": "http_500"}], run_id=None)
    known = store.known_fetches(db_engine, SPIDER)[picture]
    assert not known.settled and known.read and known.failing and known.sha256 == sha  # asked again

    store.record_fetches(db_engine, [row], run_id=None)  # fetched fine again, the same bytes
    assert store.known_fetches(db_engine, SPIDER)[picture].settled

    store.record_fetches(db_engine, [{**row, "sha256": hashlib.sha256(_png(90)).hexdigest()}], run_id=None)
    known = store.known_fetches(db_engine, SPIDER)[picture]
    assert not known.settled and not known.read and not known.failing  # new bytes no report was read from


def test_new_bytes_unsettle_a_row_until_the_loader_stores_them(db_engine):
    html = _load(db_engine, "仁和镇", 2021)
    row = {"url": html.page_url, "spider": SPIDER, "kind": "report", "sha256": html.sha256, "etag": '"v1"'}
    store.record_fetches(db_engine, [row], run_id=None)
    assert store.known_fetches(db_engine, SPIDER)[html.page_url].settled  # same bytes: still settled
    store.record_fetches(db_engine, [{**row, "sha256": "ef" * 32, "etag": '"v2"'}], run_id=None)
    k = store.known_fetches(db_engine, SPIDER)[html.page_url]
    assert not k.settled and k.etag == '"v2"'


def test_unlisting_judges_only_the_years_crawled(db_engine):
    old = _load(db_engine, "仁和镇", 2020)
    gone = _load(db_engine, "太平乡", 2021, attachment=True)
    kept = _load(db_engine, "中坝乡", 2021)
    store.record_fetches(db_engine, [_page_row(gone)], run_id=None)
    since = datetime.now(UTC) + timedelta(seconds=1)
    _touch(db_engine, kept.page_url, since + timedelta(seconds=1))  # seen by the crawl that started at `since`

    result = store.mark_unlisted(db_engine, SPIDER, since, years=[2021])
    assert result["reports_unlisted"] == 1
    listed = _listed(db_engine)
    assert listed == {old.page_url: True, gone.page_url: False, kept.page_url: True}

    _touch(db_engine, gone.page_url, since + timedelta(seconds=2))  # back on its list
    _touch(db_engine, gone.document_url, since + timedelta(seconds=2))
    assert store.mark_unlisted(db_engine, SPIDER, since, years=[2021])["reports_relisted"] == 1
    assert store.mark_unlisted(db_engine, SPIDER, since)["reports_unlisted"] == 1  # every year: 2020 too
    assert _listed(db_engine)[old.page_url] is False


def _touch(engine, url: str, when: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE fetches SET last_seen = :w, listed = :t WHERE url = :u"),
                     {"w": when, "u": url, "t": True})


def _listed(engine) -> dict[str, bool]:
    with engine.connect() as conn:
        return {r.page_url: bool(r.listed) for r in conn.execute(sa.text("SELECT page_url, listed FROM reports"))}


def test_the_crawl_and_the_loader_writing_the_same_fetch_rows_at_once_never_deadlock(pg_engine):
    """The incremental store (the crawl's ledger) and the loader (``db.fetches``) upsert the same URLs
    from two connections — as a night does when the spool replay overlaps the crawl. Both lock the rows
    in URL order, so neither can wait on the other in a cycle (a night failed on "deadlock detected",
    its fetch rows spooled, though the database was there)."""
    import threading

    from gxcrawler.db import fetches

    urls = [f"http://a.gov.cn/{k:03d}.shtml" for k in range(60)]
    sha = "ab" * 32
    errors: list[BaseException] = []

    def crawl() -> None:
        try:
            for round_ in range(40):
                order = urls[::-1] if round_ % 2 == 0 else urls[1::2] + urls[::2]
                store.record_fetches(pg_engine, [{"url": u, "spider": SPIDER, "kind": "report", "sha256": sha}
                                                 for u in order], run_id=None)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def loader() -> None:
        try:
            for _ in range(40):
                fetches.record_fetches(pg_engine, [{"url": u, "spider": SPIDER, "kind": "report", "sha256": sha}
                                                   for u in urls])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=crawl), threading.Thread(target=loader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[0]
    with pg_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM fetches")).scalar_one() == len(urls)
