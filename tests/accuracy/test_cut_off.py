"""Excerpts cut off mid-table (as real stored copies are): read what is there, say partial."""

from __future__ import annotations

import random

import pytest

from gxcrawler.parsing import parse_text
from gxcrawler.synthetic import make_report, render_text

LAYOUTS = ("cell_per_line", "pipe", "tab", "markdown")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("seed", range(700, 706))
def test_cut_inside_section_three(layout: str, seed: int) -> None:
    report = make_report(seed)
    text = render_text(report, layout)
    start = text.index("三、收到和处理政府信息公开申请情况")
    end = text.index("结转下年度继续办理", start)
    cut = random.Random(seed).randrange(start + (end - start) // 3, end)
    # stored copies end where their bytes were cut: a broken character, as the seeds show
    result = parse_text(text[:cut] + "\ufffd", source="excerpt")
    assert result.status == "partial"
    wrong = {k: v for k, v in result.values.items() if report.values.get(k) != v}
    assert not wrong
    s2 = {k: v for k, v in report.values.items() if k.startswith("s2.")}
    assert {k: v for k, v in result.values.items() if k.startswith("s2.")} == s2
    assert not any(k.startswith("s4.") for k in result.values)
