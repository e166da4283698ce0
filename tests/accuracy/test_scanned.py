"""A scanned PDF report (no text layer): no tables, the page images named."""

from __future__ import annotations

from gxcrawler.parsing import parse_bytes
from tests.formats.test_pdf import _image_only_pdf


def test_scanned_pdf_is_no_tables_with_its_images() -> None:
    title = "洛宁县人民政府2020年政府信息公开工作年度报告"
    result = parse_bytes(_image_only_pdf(pages=2), source="report.pdf", hints={"title": title})
    assert result.status == "no_tables"
    assert result.values == {} and result.checks == []
    assert [i.split("/")[0] for i in result.images] == ["page1", "page2"]
    assert any("no text layer" in w for w in result.warnings)
    assert result.year == 2020
