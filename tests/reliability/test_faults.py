"""Each fault of the real web on its own URL, over three nights: what is stored, what is recorded.

One scenario, crawled once (three ``crawl-all`` runs of the Panzhihua simulation, year
2021, real PostgreSQL), and one test per fault reading its outcome:

* night 1 — faults on reports never stored yet, on a list page and on a list's pagination;
* night 2 — every night-1 fault gone; stored reports now answer error pages instead;
* night 3 — a clean night: the database equals a crawl that never met a fault.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fixtures.faults import FaultyPortal, faulty_portal, stored
from tests.fixtures.nightly import query
from tests.fixtures.pg import create_database, drop_database
from tests.reliability import faults as F

pytestmark = pytest.mark.slow
YEAR = 2021
RENHE = "http://www.screnhe.gov.cn/zfxxgk/zfxxgknb/rhq/"
CITY = "http://www.panzhihua.gov.cn/zfxxgk1/zfxxgknb/"
DONGQU = "http://www.scdongqu.gov.cn/zfxxgk/zfxxgknb/xxgkgzndbg/"

#: night 1: a fault on each report page never stored yet
NIGHT1 = {
    "http_500": (CITY + "pzhszfxxgkgzndbg/4110146.shtml", lambda: F.Status(500, b"Internal Server Error")),
    "empty_202": (CITY + "sjbmzfxxgkgzndbg/srmzfbgs/4110122.shtml", F.empty_202),
    "truncated": (CITY + "sjbmzfxxgkgzndbg/ssjj/4110135.shtml", F.Truncated),
    "timeout": (CITY + "sjbmzfxxgkgzndbg/swhgdlyj/4110132.shtml", lambda: F.Slow(seconds=8)),
    "reset": ("http://www.pzhsxq.gov.cn/zfxxgk/zfxxgknb/xq/xqxxgkgzndbg/4110103.shtml", F.Reset),
    "soft_404": (DONGQU + "xqjbmzfxxgkgzndbg_3/dqxzspj/4110169.shtml", F.soft_404),
    "login": (DONGQU + "xxgkgzndbg/4110155.shtml", F.login),
    "retry_after": (DONGQU + "xzjdzfxxgkgzndbg_3/dqbcgjd/4110126.shtml", lambda: F.RetryAfter(times=1, seconds=2)),
    "corrupt": ("http://www.scmiyi.gov.cn/zfxxgk/zfxxgknb/myx/xzjdzfxxgkgzndbg/myxmlx/4110195.shtml", F.Corrupt),
    "redirect_internal": (RENHE + "rhqxxgkgzndbg/4110186.shtml", lambda: F.Redirect(location="http://127.0.0.1:5432/")),
    "redirect_port": (RENHE + "xqjbmzfxxgkgzndbg/rhqfzhggj/4110177.shtml",
                      lambda: F.Redirect(location="http://www.screnhe.gov.cn:8080/manager/html")),
    "gzip_bomb": (RENHE + "xqjbmzfxxgkgzndbg/rhqjytyj/4110162.shtml", F.GzipBomb),
    "challenge_521": (RENHE + "xqjbmzfxxgkgzndbg/rhqrmzfbgs/4113673.shtml", F.challenge_521),
}
#: night 1: a list page in GBK declared UTF-8, and a list that never ends
GBK_LIST = RENHE + "xzjdzfxxgkgzndbg/dhzljd/index.shtml"
GBK_LISTED = RENHE + "xzjdzfxxgkgzndbg/dhzljd/4110112.shtml"
ENDLESS = RENHE + "xzjdzfxxgkgzndbg/rhz/index"
#: night 2: reports stored on night 1 now answer error pages
NIGHT2 = {
    "maintenance": (RENHE + "xzjdzfxxgkgzndbg/dhzljd/4110112.shtml", F.maintenance),
    "not_found_200": (RENHE + "xzjdzfxxgkgzndbg/rhz/4110210.shtml", lambda: F.Status(200, F.NOT_FOUND_200)),
    "empty_200": (RENHE + "xzjdzfxxgkgzndbg/tpxrmzf/4110199.shtml", F.empty_200),
    "login_stored": (RENHE + "xzjdzfxxgkgzndbg/zbxrmzf/4110216.shtml", F.login),
    "http_503_stored": (DONGQU + "xzjdzfxxgkgzndbg_3/dqbcgjd/4110126.shtml", lambda: F.Status(503, b"busy")),
}
#: what the fetches row and the run record must say for each fault (a prefix of the reason)
REASONS = {
    "http_500": "http_500", "empty_202": "empty", "truncated": "truncated", "timeout": "timeout",
    "reset": "connection", "soft_404": "soft_404", "login": "login", "corrupt": "unreadable",
    "redirect_internal": "blocked", "redirect_port": "blocked", "gzip_bomb": "too_large",
    "challenge_521": "challenge: js_challenge", "maintenance": "maintenance", "not_found_200": "soft_404",
    "empty_200": "empty", "login_stored": "login", "http_503_stored": "http_503",
}


@dataclass
class Scenario:
    portal: FaultyPortal
    db: str
    reference: dict[str, object]
    nights: list = field(default_factory=list)  # CompletedProcess of each crawl
    logs: list = field(default_factory=list)  # the server's (t, method, url, what) of each night
    after: list = field(default_factory=list)  # stored(db) after each night
    status: list = field(default_factory=list)  # `gxcrawler status` output after each night
    fetches: list = field(default_factory=list)  # url -> (outcome, message, status_code, kind) after each night


def _status(db: str) -> str:
    import subprocess
    import sys

    env = {**os.environ, "GXCRAWLER_DATABASE_URL": db}
    out = subprocess.run([sys.executable, "-m", "gxcrawler", "status"], env=env, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], timeout=120)
    return out.stdout + out.stderr


@pytest.fixture(scope="module")
def scenario(tmp_path_factory, pg_server) -> Scenario:
    tmp = tmp_path_factory.mktemp("faults")
    clean = faulty_portal("panzhihua", tmp / "clean")
    ref_db = create_database("gxc_faults_ref")
    try:
        assert clean.run(ref_db, "--year", str(YEAR)).returncode == 0
        reference = stored(ref_db)
    finally:
        clean.server.stop()
        drop_database(ref_db)

    portal = faulty_portal("panzhihua", tmp / "crawls")
    db = create_database("gxc_faults")
    s = Scenario(portal, db, reference)
    server = portal.server
    try:
        for night in (NIGHT1, NIGHT2, {}):
            server.clear()
            for url, make in night.values():
                server.faults[url] = make()
            if night is NIGHT1:
                server.faults[GBK_LIST] = F.Recoded()
                server.prefix_faults[ENDLESS] = F.EndlessList()
            server.reset_counts()
            s.nights.append(portal.run(db, "--year", str(YEAR)))
            s.logs.append(list(server.timed))
            s.after.append(stored(db))
            s.status.append(_status(db))
            rows = query(db, "SELECT url, outcome, message, status_code, kind FROM fetches")
            s.fetches.append({r.url: r for r in rows})
        yield s
    finally:
        server.stop()
        drop_database(db)


def _fetch(s: Scenario, url: str, night: int):
    return s.fetches[night].get(url)


def _report(after: dict, url: str):
    return [r for r in after["reports"] if url in (r[6], r[7])]


def _night_of(name: str) -> int:
    return 0 if name in NIGHT1 else 1


@pytest.mark.parametrize("name", sorted(NIGHT1))
def test_a_fault_on_a_new_report_stores_nothing_records_why_and_is_retried(scenario, name):
    url, _ = NIGHT1[name]
    night1 = scenario.after[0]
    if name == "retry_after":  # the server said when to come back; the crawl came back then, and got it
        times = [t for t, _, u, _ in scenario.logs[0] if u == url]
        assert len(times) == 2 and times[1] - times[0] >= 1.8, times
        assert _report(night1, url)
        return
    assert not _report(night1, url), f"{name}: a fault was stored as a report"
    run1 = query(scenario.db, "SELECT errors FROM crawl_runs ORDER BY id")[0].errors
    failed = {f["url"]: f["reason"] for f in run1.get("failed", [])}
    assert failed.get(url, "").startswith(REASONS[name]), (name, failed.get(url))
    row = _fetch(scenario, url, 0)
    assert row.outcome in ("failed", "refused") and row.message.startswith(REASONS[name]), (name, row)
    assert url in scenario.status[0] and REASONS[name].split(":")[0] in scenario.status[0]
    # never settled: asked again the next night, and loaded then
    assert any(u == url for _, _, u, _ in scenario.logs[1]), f"{name}: not retried on the next run"
    assert _report(scenario.after[1], url), f"{name}: not loaded once the fault was gone"


def test_redirects_to_internal_addresses_and_other_ports_are_never_followed(scenario):
    asked = {u for log in scenario.logs for _, _, u, _ in log}
    assert not any(u.startswith(("http://127.0.0.1", "http://www.screnhe.gov.cn:8080")) for u in asked)


@pytest.mark.parametrize("name", sorted(NIGHT2))
def test_an_error_page_never_replaces_a_stored_report(scenario, name):
    url, _ = NIGHT2[name]
    before, after = _report(scenario.after[0], url), _report(scenario.after[1], url)
    assert before and after == before, f"{name}: the stored report changed"
    row = _fetch(scenario, url, 1)
    assert row.outcome in ("failed", "refused") and row.message.startswith(REASONS[name]), (name, row)
    assert url in scenario.status[1]
    assert any(u == url for _, _, u, _ in scenario.logs[2]), f"{name}: not asked again on the next run"


def test_a_gbk_list_page_declared_utf8_still_yields_its_reports(scenario):
    assert _report(scenario.after[0], GBK_LISTED)


def test_an_endless_list_is_bounded_and_the_rest_of_the_crawl_completes(scenario):
    pages = {u for _, _, u, _ in scenario.logs[0] if u.startswith(ENDLESS)}
    # page 1 claims 3,000,000 pages; page 2 repeats page 1: the list ends there (a few pages
    # were already on their way), far below the cap of 200 pages per list
    assert 2 <= len(pages) <= 40, len(pages)
    assert _report(scenario.after[0], RENHE + "xzjdzfxxgkgzndbg/rhz/4110210.shtml")


def test_the_crawl_completes_around_the_faults(scenario):
    untouched = {r.page_url for r in scenario.portal.sim.expected_reports(YEAR)} - {
        u for u, _ in NIGHT1.values()} - {GBK_LISTED}
    loaded = {r[6] for r in scenario.after[0]["reports"]}
    assert untouched <= loaded
    runs = query(scenario.db, "SELECT outcome, reason, finished_at FROM crawl_runs ORDER BY id")
    assert all(r.finished_at is not None for r in runs)
    assert runs[0].outcome == "failed" and runs[0].reason  # the faults are the run's news
    assert runs[2].outcome == "success", runs[2].reason


def test_after_a_clean_night_the_database_equals_a_fault_free_crawl(scenario):
    assert scenario.nights[2].returncode == 0, scenario.nights[2].stdout[-3000:]
    assert scenario.after[2] == scenario.reference
    unsettled = query(scenario.db, "SELECT url, outcome FROM fetches WHERE outcome IN ('failed', 'refused') "
                                    "AND kind IN ('report', 'attachment')")
    assert not unsettled
