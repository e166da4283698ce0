"""The three simulations publish what the spiders are proven against (their truth is usable)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from gxcrawler import discovery
from tests.simulations.registry import simulation

NAMES = ("yanshan", "zbjkq", "luoning")


@pytest.mark.parametrize("name", NAMES)
def test_truth_covers_years_editions_and_agency_kinds(name):
    sim = simulation(name)
    reports = sim.expected_reports()
    years = {r.year for r in reports}
    assert set(range(2020, 2025)) <= years
    assert {r.edition for r in reports if r.year >= 2019} == {"2019", "2021"}
    agencies = {r.agency for r in reports}
    assert any(a.endswith(("乡人民政府", "镇人民政府")) for a in agencies)
    assert any(a.endswith(("局", "委员会", "办公室")) for a in agencies)
    assert len({(r.agency, r.year) for r in reports}) == len(reports), "one report per agency and year"


@pytest.mark.parametrize("name", NAMES)
def test_expected_documents_are_served_on_owned_hosts(name):
    sim = simulation(name)
    reports = sim.expected_reports()
    assert all(urlsplit(r.page_url).hostname in sim.hosts for r in reports)
    one_per_type = {r.source_type: r for r in reports}.values()  # rendering files takes seconds
    for report in one_per_type:
        answer = sim.handle("GET", report.document_url, {})
        assert answer.status == 200, report.document_url
        kind = answer.headers["Content-Type"]
        assert (report.source_type == "html") == kind.startswith("text/html"), (report.document_url, kind)


@pytest.mark.parametrize("name", NAMES)
def test_noise_is_there(name):
    sim = simulation(name)
    titles = [d.title for d in sim.docs]
    assert any("通知" in t for t in titles) and any("指南" in t for t in titles)
    assert not any(discovery.is_annual_report(t) for t in titles if "通知" in t or "指南" in t)
    gone = [d for d in sim.docs if d.gone]
    expected_pages = {r.page_url for r in sim.expected_reports()}
    assert gone and all(d.url not in expected_pages for d in gone), "a withdrawn report is listed, not expected"
    assert sim.handle("GET", f"http://{sim.hosts[0]}/no/such/page.html", {}).status == 404


def test_seed_reports_sit_at_their_real_urls():
    by_seed = {
        "yanshan": "https://yanshan.gov.cn/view/xxgknb/157142.html",
        "zbjkq": "http://www.zbjkq.gov.cn/gongkai/site_jjkfqbgs/channel_c_5f9f6a81e1a0849e6264c90c_n_1606277174.6444/"
        "doc_6018a4dd2c4de0810dec3140.html",
    }
    for name, url in by_seed.items():
        assert url in {r.page_url for r in simulation(name).expected_reports()}
    luoning = simulation("luoning")
    seed = next(d for d in luoning.docs if d.pub and d.pub.seed_file == "004")
    assert urlsplit(seed.attachment).hostname == "oss.ly.gov.cn"
    assert luoning.handle("GET", seed.attachment, {}).body.startswith(b"%PDF")
