"""Scrapy feed exports of reports: ``scrapy crawl xinye -O reports.jsonl`` (or ``.json``, ``.csv``).

A crawl's items carry the fetched bytes for the database; a feed gets one record per
report instead — the parsed values, blanks, checks and warnings with their provenance —
and never raw bytes. Documents the parser found not to be a report are left out. The
feed works alongside the database: the pipelines load the same items as usual.

JSON Lines / JSON: ``values`` is an object of exact numbers (``gxcrawler parse``'s format,
docs/spec/metrics.md), ``checks`` a list of ``{rule, ok, left, right}``. CSV: one row per
report, the metadata columns then one column per statistics key (catalog order; empty when
the report has no value there); ``blank``, ``failed_checks`` and ``warnings`` are joined.
"""

from __future__ import annotations

from typing import Any

from scrapy.exporters import CsvItemExporter, JsonItemExporter, JsonLinesItemExporter

from gxcrawler import catalog
from gxcrawler.crawl.items import ReportItem

META = ("spider", "agency", "year", "title", "edition", "published", "status", "message", "source_type",
        "page_url", "document_url", "content_type", "sha256", "fetched_at",
        "province", "city", "county", "division_code")
CSV_COLUMNS = (*META, "blank", "failed_checks", "warnings", *catalog.METRICS)


def report_record(item: Any) -> dict[str, Any] | None:
    """The feed record of one crawled document (None: not a report, or not a report item)."""
    if not isinstance(item, ReportItem) or item.parse_result is None:
        return None
    result = item.parse_result
    if result.status == "not_a_report":
        return None
    parsed = result.to_json_dict()
    prov = item.provenance()
    region = item.region
    return {
        "spider": item.spider,
        "agency": parsed["agency"], "year": parsed["year"], "title": parsed["title"],
        "edition": parsed["edition"], "published": parsed["published"], "status": parsed["status"],
        "message": parsed.get("message"), "source_type": result.source_type,
        "page_url": item.page_url, "document_url": item.document_url, "content_type": item.content_type,
        "sha256": prov.sha256, "fetched_at": item.fetched_at.isoformat() if item.fetched_at else None,
        "province": region.province, "city": region.city, "county": region.county,
        "division_code": region.division_code,
        "values": parsed["values"], "blank": parsed["blank"], "checks": parsed["checks"],
        "warnings": parsed["warnings"],
    }


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """A record flattened to the CSV columns."""
    row = {k: record.get(k) for k in META}
    row["blank"] = " ".join(record["blank"])
    row["failed_checks"] = "; ".join(f"{c['rule']} {c['left']}≠{c['right']}" for c in record["checks"] if not c["ok"])
    row["warnings"] = " | ".join(record["warnings"])
    row.update(record["values"])
    return row


class JsonLinesReportExporter(JsonLinesItemExporter):
    def export_item(self, item: Any) -> None:
        if (record := report_record(item)) is not None:
            super().export_item(record)


class JsonReportExporter(JsonItemExporter):
    def export_item(self, item: Any) -> None:
        if (record := report_record(item)) is not None:
            super().export_item(record)


class CsvReportExporter(CsvItemExporter):
    def __init__(self, file, **kwargs) -> None:  # noqa: ANN001
        kwargs["fields_to_export"] = kwargs.get("fields_to_export") or list(CSV_COLUMNS)  # FEEDS passes None
        super().__init__(file, **kwargs)

    def export_item(self, item: Any) -> None:
        if (record := report_record(item)) is not None:
            super().export_item(csv_row(record))
