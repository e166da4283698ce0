"""The title detector on the forms real portals print, and on the documents next to reports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gxcrawler import discovery

TITLES = Path(__file__).resolve().parents[1] / "data" / "titles"

REPORTS = [  # title, year, agency named in the title
    ("攀枝花市仁和区太平乡2020年信息公开工作年度报告", 2020, "攀枝花市仁和区太平乡"),
    ("政府信息公开工作2022年度报告", 2022, None),  # the year after the words
    ("砚山县政府信息公开工作年度报告（2019年度）", 2019, "砚山县"),
    ("关于新野县王庄镇2022年政府信息公开工作的年度报告", 2022, "新野县王庄镇"),
    ("某县统计局2021年政府信息公开报告", 2021, "某县统计局"),
    ("通许县2017年度政府信息公开年报", 2017, "通许县"),
    ("某镇人民政府关于2022年度政府信息公开工作年度报告的公示", 2022, "某镇人民政府"),  # the report posted as 公示
    ("某镇2022年政府信息公开工作年度报告公示", 2022, "某镇"),
    ("某县 ２０２２ 年政府信息公开工作 年度报告", 2022, "某县"),  # spaces, full-width digits
    ("二〇二二年某乡政府信息公开工作年度报告", 2022, "某乡"),
    ("臨湘市人力資源和社會保障局2020年政府信息公開工作年度報告", 2020, "临湘市人力资源和社会保障局"),
    ("某县2021年政府資訊公開工作年度報告", 2021, "某县"),  # Taiwan wording of a mirror
    ("2024年福田区福田街道政府信息公开工作年度报告", 2024, "福田区福田街道"),
    ("中坝乡2025政府信息公开工作年度报告", 2025, "中坝乡"),
    ("《某县2022年政府信息公开工作年度报告》", 2022, "某县"),
    ("某县2022年政府信息公开工作年度报告.pdf", 2022, "某县"),
    ("某县2022年政府信息公开工作年度报告2023-01-20", 2022, "某县"),  # a date after the title is not the year
    ("某县2022年政府信息公开工作年度报告-某县人民政府门户网站", 2022, "某县"),  # <title> with the site name
    ("2023年政府信息公开工作年度报告", 2023, None),  # no agency: taken from the page
    ("某县人民政府办公室2021年度政府信息公开工作报告", 2021, "某县人民政府办公室"),
]

DECOYS = [
    "关于做好2022年政府信息公开工作年度报告编制发布工作的通知",
    "关于2021年度政府信息公开工作年度报告检查情况的通报",
    "2022年度政府信息公开工作年度报告公布情况",
    "某县召开2022年政府信息公开工作年度报告编制工作部署会",
    "某县2022年政府信息公开工作年度报告编制工作会议",
    "某县2023年政务公开工作要点",
    "某县政府信息公开指南",
    "2022年政府信息公开工作年度报告目录",
    "《某县2022年政府信息公开工作年度报告》解读",
    "一图读懂某县2022年政府信息公开工作年度报告",
    "图解：某县2022年政府信息公开工作年度报告",
    "2018年政府信息公开工作年度报告报送通知",
    "2021年某县政府工作报告",
    "信息不存在",
    "页面不存在",
    "该信息已删除",
    "",
]

COLUMN_NAMES = ["信息公开年报", "政府信息公开年度报告", "县(区)级部门政府信息公开工作年度报告", "2020年信息公开年报"]


@pytest.mark.parametrize(("title", "year", "agency"), REPORTS)
def test_report_forms(title, year, agency):
    assert discovery.is_annual_report(title)
    assert discovery.report_year(title) == year
    assert discovery.title_agency(title) == agency


@pytest.mark.parametrize("title", DECOYS)
def test_decoys_are_never_reports(title):
    assert not discovery.is_annual_report(title)
    assert discovery.report_year(title) is None


@pytest.mark.parametrize("name", COLUMN_NAMES)
def test_column_names_have_the_report_words_but_no_year(name):
    assert discovery.is_annual_report(name)
    assert discovery.report_year(name) is None


def _real_titles() -> list[dict[str, str]]:
    rows = []
    for name in ("real_titles.tsv", "synthetic_titles.tsv"):  # the evidence set and issue 10's quoted forms
        with (TITLES / name).open(encoding="utf-8") as f:
            rows += csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
    return rows


@pytest.mark.parametrize("row", _real_titles(), ids=lambda r: r["title"][:40])
def test_real_titles(row):
    """Titles collected from real government sites, labelled by hand (tests/data/titles/README.md)."""
    title = row["title"]
    year = discovery.report_year(title)
    if row["label"] == "report":
        assert discovery.is_annual_report(title)
        printed = discovery.fold_title(title)
        if row["year"] and row["year"] in printed:
            assert year == int(row["year"])
        named = discovery.title_agency(title)
        if row["agency"] and named:
            assert named == discovery.fold_title(row["agency"])
    else:
        assert year is None, "a decoy, column name or soft 404 must never be a report with a year"
