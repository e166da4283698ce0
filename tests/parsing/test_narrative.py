"""Numbers stated in the text, compared with the tables (gxcrawler.parsing.narrative).

The sentences below are real: copied from published 政府信息公开工作年度报告 (the URL of
each is given), found with the project's search of stored public pages. What each must
yield was decided by reading the sentence, not by running the code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from gxcrawler.parsing import parse_bytes, parse_path
from gxcrawler.parsing.narrative import Statement, compare, statements
from gxcrawler.synthetic import make_report
from gxcrawler.synthetic.html import render_page_html

SEEDS = Path(__file__).resolve().parents[1] / "data" / "seeds"
ROOT = Path(__file__).resolve().parents[2]

#: (where it was published, statistics year, the text, {topic: number it states})
REAL: list[tuple[str, int, str, dict[str, int]]] = [
    (
        "https://www.hanyang.gov.cn/bmxxgk/zfgzjg/qrmzfbgs/zfxxgkndbg/202301/t20230119_2136694.shtml",
        2022,
        "2022年,区政府办公室共收到8份政府信息公开申请,均为自然人申请。其中,予以公开2件,部分公开2件,"
        "属于四类过程性性信息1件,本办不掌握相关政府信息2件,其他1件(申请人自主撤销)。无下年度结转。",
        {"received": 8, "granted": 2, "partial": 2},
    ),
    (
        "http://www.qxn.gov.cn/zfxxgk/zfxxgknb/2022n/xs/202303/t20230320_78593121.html",
        2022,
        "(二)依申请公开情况。兴仁市严格执行依申请公开办理程序,依申请公开答复水平进一步提升。"
        "2022年,共收到10件依申请公开请求,2021年结转政府信息公开申请2件,共办结10件,"
        "结转2023年度继续办理2件;全市发生政府信息公开行政复议案件1起。",
        {},  # 全市: the whole city's numbers, not this agency's table
    ),
    (
        "https://www.jordynalvidrez.com/gk/zwgk/2021zfxxgknb/2022/xjbm/1573694.htm",
        2022,
        "(二)依申请公开方面。全年共收到依申请公开0件,公开0件,不予公开0件,"
        "因政府信息依申请公开引起行政复议0件,行政诉讼0件。",
        {"received": 0, "review": 0, "suits": 0},
    ),
    (
        "http://zwgk.changchun.gov.cn/ed/qzfzcbm/edqfwzsyglbgs/zfxxgknb/202301/t20230117_3105437.html",
        2022,
        "2022年,我办受理依申请信息56条,现将有关情况汇报如下:",
        {"accepted": 56},
    ),
    (
        "https://yynanhu.yueyang.gov.cn/29509/29510/55038/55040/55223/55306/content_1649246.html",
        2019,
        "3、依申请公开信息情况。全年收到依申请公开信息3条,答复率100%。",
        {"received": 3},
    ),
    (
        "https://www.lnjp.gov.cn/html/JPXZF/202602/0177068507628231.html",
        2025,
        "二是依申请公开情况。全年共收到政府信息依申请公开89件次,已经答复88件,1件结转下年度继续办理;"
        "产生行政复议13件和行政诉讼1件。",
        {"received": 89, "carried_out": 1, "review": 13, "suits": 1},
    ),
    (
        "https://www.lingyuan.gov.cn/html/LYSZF/202601/0176888997731551.html",
        2025,
        "统一信息公开申请告知书格式模板,提升政务公开工作标准化水平。2025年共收到政府信息公开申请0件次。",
        {"received": 0},
    ),
    (
        "https://shaowu.gov.cn/cms/html/swsrmzf/2026-02-03/1212135618.html",
        2025,
        "截至2025年12月31日,我乡共主动公开政府信息2条,新收依申请公开申请0件。"
        "全年未因政府信息公开申请引发行政复议、行政诉讼案件。",
        {"received": 0, "review": 0, "suits": 0},
    ),
    (
        "http://www.xixianxinqu.gov.cn:9311/zwgk/fdzdgknr/zzjg/jzjg/jzljdbsc/xxgknb/2015678676080836610.html",
        2025,
        "2.依申请公开。规范依申请公开办理流程。2025年度,建章路街道办事处未接收到政府信息公开申请。",
        {"received": 0},
    ),
    (
        "http://tpsnm.com/xwzx/ztzl/zfxxgknb/2022/gzj/jzljd/63d4e79cf8fd1c4c213af4a8.html",
        2022,
        "(二)依申请公开情况。2022年,建章路街道共接收政府信息公开申请0件,"
        "全年没有发生因政府信息公开申请行政复议和提起行政诉讼的情况。",
        {"received": 0, "review": 0, "suits": 0},
    ),
    (
        "http://www.ccxi.gov.cn/info/1308/19381.htm",
        2022,
        "2022年度,长兴岛街道收到和处理政府信息公开申请办理事项为0件。没有因政府信息公开引起的行政复议和行政诉讼案件。",
        {"received": 0, "review": 0, "suits": 0},
    ),
    (
        "http://www.021jzzz.com/gongkai/site_lzqwsjdbsc/channel_c_5f9f6cdc1ebfe2f7fcddefc3_n_1605681680735/doc_5fd87f971e1445b698ca712f.html",
        2019,
        "2019年度街道受理信息公开申请0件。2019年度街道发生针对本部门有关政府信息公开事务的行政复议案0件;"
        "发生针对本部门有关政府信息公开事务的行政诉讼案0件;收到各类针对本部门政府信息公开事务有关的申诉案0件。",
        {"accepted": 0, "review": 0, "suits": 0},
    ),
    (
        "http://www.syyh.gov.cn/zwgk/zfxxgknb/2021/jdbsczfxxgkgzndbg/202206/t20220615_3268918.html",
        2021,
        "受理公民、法人和其他组织向市政府及市政府办公室提出的政府信息公开申请5件,均在法定时限内予以答复。"
        "信息公开类行政复议1起,正在办理中。",
        {"review": 1},  # the 5 requests were made to another body (市政府): not compared
    ),
    (
        "https://www.tjbc.gov.cn/zwgk/zfxxgk/xxgk_zjyq/zjyq_xxgk_jrlj/xxgk_zfxgknb_jrlj/202201/t20220123_5786521.html",
        2021,
        "严格执行《中华人民共和国政府信息公开条例》要求,2021年主动公开的各类政府信息数量66件。"
        "2021年,全街共受理政府信息公开申请总数1件。",
        {},  # 全街 is this 街道 itself, but a scope word all the same: skipped, conservatively
    ),
    (
        "https://www.xjnlk.gov.cn/",  # 2025 township (same wording as 凌源's): 件次
        2025,
        "2025年共收到政府信息公开申请0件次。",
        {"received": 0},
    ),
    (
        "http://www.shpt.gov.cn/shpt/tjsj-tjsjzhzwqfbzfwj2021/20220725/847939.html",
        2022,
        "2022年上半年,全区各行政机关共受理政府信息公开申请267件,答复263件,申请量比2021年同期上升1.52%。"
        "2022年上半年,全区共发生涉及政府信息公开的行政诉讼案件2件,被纠错0件。",
        {},  # half a year, the whole district, a comparison
    ),
    (
        "https://www.bjtzh.gov.cn/tzzfxxgk/c109617fbdgnp/202601/1778607.shtml",
        2025,
        "综合办公室根据领导单位调整及分工调整对“领导介绍”模块进行更新两次;依申请公开3次,行政复议0次,行政诉讼0次;"
        "民生保障办公室(民政科)每月公示低保、特困户数及发放情况信息一条,每季度公示临时救助申请及发放情况信息一条。",
        {},  # one sentence about many things, quarterly counts among them: not certain
    ),
    (
        "https://www.jianhu.gov.cn/art/2026/2/9/art_32142_4403458.html",
        2025,
        "全年通过政府网站主动公开各类信息4200余条,依法依规办理政府信息依申请公开199件。",
        {},  # 办理 (handled) is neither 新收 nor 办结 for certain
    ),
]

#: the seeds' own sentences (tests/data/seeds/*.txt) and the checks they give
SEED_NARRATIVE = {
    "000_91b7c3b427fd0bbb.txt": {"narrative.accepted": (2, 2), "narrative.review": (0, 0), "narrative.suits": (0, 0)},
    "001_88a498967a8a146f.txt": {},
    "002_3f96ae1b893fb698.txt": {"narrative.received": (0, 0)},
    "003_6403ac429d442b10.txt": {"narrative.accepted": (4, 4)},
    "004_351f4af2c3a8fcf1.txt": {},  # 全县共受理依申请公开事项1件: the county, not the table's agency
}


def said(text: str, year: int) -> dict[str, Decimal]:
    return {s.topic: s.value for s in statements(text.split("\n"), year)}


@pytest.mark.parametrize(("url", "year", "text", "expected"), REAL, ids=[f"real{i}" for i in range(len(REAL))])
def test_real_sentences_state_what_a_reader_sees(url, year, text, expected):
    assert said(text, year) == {k: Decimal(v) for k, v in expected.items()}, url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a table row has no unit after its number; a percentage is not a count
        ("一、本年新收政府信息公开申请数量2000002", {}),
        ("行政复议\t1\t0\t0\t0\t1", {}),
        ("依申请公开办结率100%。", {}),
        # one number for two things
        ("2021年共收到行政复议和行政诉讼3件,均与政府信息公开申请有关。", {}),
        # another year, another period, a comparison
        ("2020年共收到政府信息公开申请12件。", {}),
        ("全年共收到政府信息公开申请12件,同比增长20%。", {}),
        # a review not about information requests
        ("全年办理行政复议案件35件。", {}),
        # a corrected review is not the absence of reviews
        ("全年未发生行政复议纠错案件,政府信息公开工作平稳。", {}),
        # the same topic stated twice with different numbers: not certain
        ("2021年共收到政府信息公开申请12件。本年度新收政府信息公开申请13件。", {}),
        # the same number said twice is fine; thousands separators; Chinese numerals; traditional characters
        ("2021年共收到政府信息公开申请1,204件。本年度新收政府信息公开申请1204件。", {"received": 1204}),
        ("2021年共收到政府信息公开申请两件,上年结转一件。", {"received": 2, "carried_in": 1}),
        ("2021年共收到政府資訊公開申請十二件,因政府資訊公開被申請行政復議3件。", {"received": 12, "review": 3}),
        # wrapped PDF lines are one sentence
        ("本年度共收到政府信息公开申请\n12件,上年结转申请3件,办结政府信息\n公开申请14件。", {"received": 12, "carried_in": 3, "closed": 14}),
        ("行政事业性收费金额为160.5964万元。", {"fees": Decimal("160.5964")}),
        ("本年度无政府信息公开申请,无上年结转。", {"received": 0, "carried_in": 0}),
    ],
)
def test_only_certain_numbers_are_statements(text, expected):
    assert said(text, 2021) == {k: Decimal(v) for k, v in expected.items()}


def test_a_sentence_with_years_needs_the_report_year():
    text = "2022年共收到政府信息公开申请8件。"
    assert said(text, 2022) == {"received": 8}
    assert statements([text], None) == []  # the year is not known: whose 2022?


CELLS = {
    "s3.new.total": Decimal(8),
    "s3.carried_in.total": Decimal(0),
    "s3.total.total": Decimal(7),
    "s4.review.total": Decimal(1),
    "s4.suit_direct.total": Decimal(2),
}


def test_compare_names_the_stated_and_the_table_number_with_the_sentence():
    stated = [
        Statement("received", Decimal(8), "共收到8份政府信息公开申请"),
        Statement("closed", Decimal(8), "共办结8件"),
        Statement("accepted", Decimal(8), "受理申请8件"),
        Statement("suits", Decimal(2), "行政诉讼2件"),  # suit_after_review printed blank: 2 + 0
    ]
    checks = {c.rule: c for c in compare(stated, CELLS, ["s4.suit_after_review.total"])}
    assert set(checks) == {"narrative.received", "narrative.closed", "narrative.accepted", "narrative.suits"}
    assert checks["narrative.received"].ok and checks["narrative.received"].sentence == "共收到8份政府信息公开申请"
    closed = checks["narrative.closed"]
    assert (closed.ok, closed.left, closed.right) == (False, Decimal(8), Decimal(7))
    assert checks["narrative.suits"].ok


def test_compare_leaves_out_what_the_table_cannot_say_for_certain():
    cells = dict(CELLS, **{"s3.carried_in.total": Decimal(3)})
    stated = [
        Statement("accepted", Decimal(8), "受理申请8件"),  # 8 (新收) or 11 (新收 + 结转): unsure
        Statement("suits", Decimal(2), "行政诉讼2件"),  # suit_after_review was not read
        Statement("review", Decimal(0), "未发生行政复议"),
        Statement("granted", Decimal(0), "予以公开0件"),  # granted was not read
    ]
    checks = compare(stated, cells, [])
    assert [(c.rule, c.ok) for c in checks] == [("narrative.review", False)]
    # a side the table left all blank says nothing
    assert compare([Statement("granted", Decimal(3), "予以公开3件")], {}, ["s3.granted.total"]) == []


@pytest.mark.parametrize("name", sorted(SEED_NARRATIVE))
def test_seeds(name):
    result = parse_path(SEEDS / name)
    got = {c.rule: (c.left, c.right) for c in result.narrative}
    assert got == {k: (Decimal(a), Decimal(b)) for k, (a, b) in SEED_NARRATIVE[name].items()}
    assert all(c.ok for c in result.narrative)
    assert not any(c.rule.startswith("narrative.") for c in result.checks)  # identities stay apart


def _page(report) -> bytes:  # noqa: ANN001
    return render_page_html(report)[0]


def test_a_page_whose_text_contradicts_its_table_gets_a_failed_narrative_check():
    report = make_report(4242, year=2022, activity="busy")
    received = report.values["s3.new.total"]
    good = parse_bytes(_page(report), source="good.html", content_type="text/html; charset=utf-8")
    assert [(c.rule, c.ok, c.left) for c in good.narrative] == [("narrative.received", True, received)]
    report.prose = [p.replace(f"政府信息公开申请{received}件", f"政府信息公开申请{received + 5}件") for p in report.prose]
    bad = parse_bytes(_page(report), source="bad.html", content_type="text/html; charset=utf-8")
    (check,) = bad.narrative
    assert (check.rule, check.ok, check.left, check.right) == ("narrative.received", False, received + 5, received)
    assert f"{received + 5}件" in (check.sentence or "")
    assert bad.values == good.values and bad.checks == good.checks  # the tables are read the same


def test_parse_json_adds_narrative_and_keeps_every_spec_key():
    out = subprocess.run(
        [sys.executable, "-m", "gxcrawler", "parse", str(SEEDS / "000_91b7c3b427fd0bbb.txt"), str(SEEDS / "001_88a498967a8a146f.txt")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    spec = {"source", "title", "agency", "year", "published", "edition", "values", "blank", "checks", "warnings", "status"}
    assert spec <= set(first) and spec <= set(second)
    assert "narrative" not in second  # nothing stated: the object is exactly as before
    assert {c["rule"] for c in first["narrative"]} == {"narrative.accepted", "narrative.review", "narrative.suits"}
    assert all({"rule", "ok", "left", "right", "sentence"} == set(c) for c in first["narrative"])


def test_a_pdf_whose_prose_wraps_over_lines_is_read_as_one_sentence():
    from gxcrawler.synthetic.pdf import render_pdf

    report = make_report(77, year=2022, activity="busy")
    result = parse_bytes(render_pdf(report), source="r.pdf", content_type="application/pdf")
    received = report.values["s3.new.total"]
    assert [(c.rule, c.ok, c.left, c.right) for c in result.narrative] == [
        ("narrative.received", True, received, received)
    ]
