"""Monitor verdicts from a run's stats."""

from __future__ import annotations

from gxcrawler.crawl.monitors import evaluate, failures, thresholds

HEALTHY = {
    "gx/reports/found": 40,
    "gx/parse/ok": 38,
    "gx/parse/partial": 2,
    "gx/checks/reports": 40,
    "gx/checks/reports_failing": 3,
    "downloader/response_count": 120,
    "downloader/response_status_count/200": 118,
    "downloader/response_status_count/404": 2,
}


def names(stats, limits=None):
    return {r.name for r in failures(evaluate(stats, limits))}


def test_healthy_run_passes():
    assert names(HEALTHY) == set()


def test_no_reports_found_fails():
    assert names({**HEALTHY, "gx/reports/found": 0}) == {"reports_found"}


def test_unchanged_reports_count_as_found():
    stats = {"gx/incremental/reports_unchanged": 12, "downloader/response_count": 8,
             "downloader/response_status_count/200": 8}
    assert names(stats) == set()


def test_parse_failures_above_threshold_fail():
    stats = {**HEALTHY, "gx/parse/ok": 20, "gx/parse/error": 20}
    assert names(stats) == {"parse_failures"}
    assert names(stats, {"GX_MONITOR_MAX_PARSE_FAILURE_RATE": 0.6}) == set()


def test_identity_failures_above_threshold_fail():
    assert names({**HEALTHY, "gx/checks/reports_failing": 30}) == {"identity_failures"}


def test_http_errors_above_threshold_fail_but_antibot_pages_are_not_counted_twice():
    stats = {**HEALTHY, "downloader/response_status_count/500": 40, "downloader/response_count": 160}
    assert names(stats) == {"http_errors"}
    blocked = {**HEALTHY, "downloader/response_status_count/412": 40, "downloader/response_count": 160,
               "gx/antibot/total": 40, "gx/antibot/total_error_status": 40,
               "gx/antibot/pages": [{"url": "http://a.gov.cn/1.html", "kind": "js_challenge"}]}
    result = failures(evaluate(blocked))
    assert [r.name for r in result] == ["antibot_pages"]
    assert "js_challenge http://a.gov.cn/1.html" in result[0].reason


def test_thresholds_read_from_settings():
    from scrapy.settings import Settings

    limits = thresholds(Settings({"GX_MONITOR_MAX_ANTIBOT_PAGES": 5}))
    assert limits["GX_MONITOR_MAX_ANTIBOT_PAGES"] == 5
    assert limits["GX_MONITOR_MIN_REPORTS"] == 1


def test_http_error_rate_of_a_recrawl_counts_the_documents_it_did_not_request():
    recrawl = {"gx/incremental/reports_unchanged": 40, "gx/incremental/skipped_known": 40,
               "downloader/response_count": 10, "downloader/response_status_count/200": 7,
               "downloader/response_status_count/404": 3,
               "downloader/exception_count": 40,
               "downloader/exception_type_count/scrapy.exceptions.IgnoreRequest": 40}
    assert names(recrawl) == set()
    assert names({**recrawl, "gx/incremental/skipped_known": 0}) == {"http_errors"}
