"""Reports that deviate from the template the way real ones do (docs/spec/template.md, last section)."""

from __future__ import annotations

from decimal import Decimal

from gxcrawler.catalog import METRICS
from gxcrawler.parsing import parse_bytes, parse_text

from .truth import DATA, STEMS, load

S3_HEADER = "申请人情况\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计"
S3_2019_ZERO_ROWS = f"""三、收到和处理政府信息公开申请情况
{S3_HEADER}
一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1
二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0
(七)总计\t1\t0\t0\t0\t0\t0\t1
四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0
"""


def _html(body: str, title: str = "某县某局2021年政府信息公开工作年度报告") -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<h1>{title}</h1><div>发布时间：2022-01-20</div>{body}</body></html>"
    ).encode()


def _table(*rows: list[str]) -> str:
    return (
        "<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows) + "</table>"
    )


def test_traditional_characters_and_taiwan_wording():
    text = "二、主動公開政府資訊情況\n第二十條第(一)項\n信息內容\t本年新製作數量\t本年新公開數量\t對外公開總數量\n規章\t1\t2\t3\n規範性檔案\t4\t5\t6\n"
    r = parse_text(text, source="t")
    assert r.values["s2.art20_1.normative.new_made"] == 4
    assert r.values["s2.art20_1.normative.total_published"] == 6
    assert r.values["s2.art20_1.rules.new_published"] == 2


def test_normative_without_prefix_in_a_2021_table():
    text = "第二十条第(一)项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n规范性文件\t2\t12\t8\n"
    r = parse_text(text, source="t")
    assert r.values["s2.art20_1.normative.issued"] == 2
    assert r.values["s2.art20_1.normative.repealed"] == 12
    assert r.values["s2.art20_1.normative.in_force"] == 8
    assert not any(k.endswith("new_made") for k in r.values)


def test_mixed_editions_are_keyed_per_table_and_reported():
    page = _html(
        _table(
            ["第二十条第（一）项"],
            ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
            ["规章", "0", "0", "0"],
            ["规范性文件", "3", "3", "40"],
            ["第二十条第（五）项"],
            ["信息内容", "本年处理决定数量"],
            ["行政许可", "120"],
            ["第二十条第（六）项"],
            ["信息内容", "本年处理决定数量"],
            ["行政处罚", "7"],
            ["行政强制", "0"],
            ["第二十条第（八）项"],
            ["信息内容", "本年收费金额（单位：万元）"],
            ["行政事业性收费", "160.5964万元"],
        )
    )
    r = parse_bytes(page, source="mixed.html")
    assert r.values["s2.art20_1.normative.total_published"] == 40
    assert r.values["s2.art20_5.licensing.decisions"] == 120
    assert r.values["s2.art20_8.fees.amount"] == Decimal("160.5964")
    assert any("mixed editions" in w for w in r.warnings)
    assert set(r.values) <= set(METRICS)


def test_extra_rows_are_read_past_and_reported_not_keyed():
    text = (
        "第二十条第(五)项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n"
        "行政许可\t716\t-417\t298\n其他对外管理服务事项\t10\t减4\t6\n行政检查\t5\t+43\t9\n行政确认\t1\t0\t1\n"
        "第二十条第(六)项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政处罚\t8249\t-1942\t6307\n"
    )
    r = parse_text(text, source="t")
    assert r.values["s2.art20_5.licensing.change"] == -417
    assert r.values["s2.art20_5.other_services.change"] == -4
    assert r.values["s2.art20_5.other_services.decisions"] == 6
    assert r.values["s2.art20_6.penalty.decisions"] == 6307
    assert any("行政检查" in w for w in r.warnings) and any("行政确认" in w for w in r.warnings)
    assert 43 not in r.values.values()


def test_truncated_captions_and_headers_still_map():
    text = "第二十条第\n信息内容\t本年新制作\t本年新公开\t对外公开总数量\n规章\t0\t1\t2\n规范性文件\t3\t4\t5\n"
    r = parse_text(text, source="t")
    assert r.values["s2.art20_1.rules.total_published"] == 2
    assert r.values["s2.art20_1.normative.new_made"] == 3


def test_headers_truncated_past_telling_apart_leave_their_cells_out():
    """本年新 / 本年新: 新制作 or 新公开? The labels do not say, so nothing of the table is guessed."""
    text = "第二十条第\n信息内容\t本年新\t本年新\t对外公开总数量\n规章\t0\t1\t2\n规范性文件\t3\t4\t5\n"
    r = parse_text(text, source="t")
    assert not any(k.endswith(("new_made", "new_published")) for k in r.values)
    assert r.values["s2.art20_1.rules.total_published"] == 2
    assert r.values["s2.art20_1.normative.total_published"] == 5
    assert r.status != "ok" and any("names no column" in w for w in r.warnings)


def test_blanks_and_malformed_numbers():
    text = (
        "第二十条第(五)项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n"
        "行政许可\t/\t--253\t—\n其他对外管理服务事项\t无\t-\t33,764\n"
    )
    r = parse_text(text, source="t")
    assert "s2.art20_5.licensing.change" not in r.values
    assert "s2.art20_5.licensing.change" not in r.blank
    assert any("--253" in w for w in r.warnings)
    assert {"s2.art20_5.licensing.prev_items", "s2.art20_5.licensing.decisions"} <= set(r.blank)
    assert {"s2.art20_5.other_services.prev_items", "s2.art20_5.other_services.change"} <= set(r.blank)
    assert r.values["s2.art20_5.other_services.decisions"] == 33764


def test_only_totals_filled_in_html_gives_blanks_and_checks_pass():
    rows = [S3_HEADER.split("\t")]
    rows.append(["一、本年新收政府信息公开申请数量", "", "", "", "", "", "", "5"])
    rows.append(["二、上年结转政府信息公开申请数量", "", "", "", "", "", "", "1"])
    rows.append(["（七）总计", "", "", "", "", "", "", "6"])
    rows.append(["四、结转下年度继续办理", "", "", "", "", "", "", "0"])
    r = parse_bytes(_html("<p>三、收到和处理政府信息公开申请情况</p>" + _table(*rows)), source="x.html")
    assert r.values["s3.new.total"] == 5 and r.values["s3.total.total"] == 6
    assert "s3.new.natural" in r.blank and "s3.new.natural" not in r.values
    balance = {c.rule: c.ok for c in r.checks}
    assert balance["s3.balance.total"] is True
    assert "s3.balance.natural" not in balance  # all blank: says nothing
    assert r.status == "partial"  # most of the tables are missing


def test_section_3_without_column_headers_is_not_read_by_position():
    text = S3_2019_ZERO_ROWS.replace(S3_HEADER + "\n", "")
    r = parse_text(text, source="t")
    assert not any(k.startswith("s3.") for k in r.values)
    assert any("not proven" in w for w in r.warnings)


def test_failing_identity_keeps_printed_numbers():
    text = S3_2019_ZERO_ROWS.replace("(七)总计\t1\t0\t0\t0\t0\t0\t1", "(七)总计\t1\t0\t0\t0\t0\t0\t3")
    r = parse_text(text, source="t")
    assert r.values["s3.total.total"] == 3
    failed = {c.rule for c in r.checks if not c.ok}
    assert "s3.row_total.total" in failed and "s3.balance.total" in failed


def test_cut_off_excerpt_reads_what_is_there_and_is_partial():
    stem = STEMS[2]
    text = (DATA / "seeds" / f"{stem}.txt").read_text("utf-8")
    cut = text[: text.index("4.保护第三方合法权益")]
    r = parse_text(cut, source="cut")
    truth = load(stem)
    assert r.status == "partial"
    assert r.values and all(truth.values[k] == v for k, v in r.values.items())
    assert "s3.granted.total" in r.values and "s3.denied.third_party.total" not in r.values
    assert any("not read" in w for w in r.warnings)


def test_tables_as_images_give_no_tables_and_name_the_images():
    body = (
        "<p>一、总体情况</p><p>……</p><p>二、主动公开政府信息情况</p>"
        "<p><img src='/upload/2021/01/tj1.png'></p><p>三、收到和处理政府信息公开申请情况</p>"
        "<p><img src='/upload/2021/01/tj2.jpg'></p>"
    )
    r = parse_bytes(_html(body), source="img.html")
    assert r.status == "no_tables"
    assert r.images == ["/upload/2021/01/tj1.png", "/upload/2021/01/tj2.jpg"]
    assert any("tj1.png" in w for w in r.warnings)
    assert r.values == {} and r.checks == []


def test_notice_and_guide_pages_are_not_reports():
    notice = "关于做好2021年度政府信息公开工作年度报告编制和发布工作的通知"
    r = parse_bytes(_html("<p>各乡镇：请于1月31日前报送。</p>", title=notice), source="n.html")
    assert r.status == "not_a_report"
    guide = _html("<p>一、主动公开</p><p>申请表下载</p>", title="某县人民政府政府信息公开指南")
    assert parse_bytes(guide, source="g.html").status == "not_a_report"


def test_labels_only_tables_are_no_tables():
    rows = [
        ["第二十条第（一）项"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章"],
        ["行政规范性文件"],
    ]
    r = parse_bytes(_html(_table(*rows)), source="labels.html")
    assert r.status == "no_tables"


def test_run_together_row_chosen_by_row_total():
    text = S3_2019_ZERO_ROWS.replace(
        "一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1", "一、本年新收政府信息公开申请数量100000010"
    )
    r = parse_text(text, source="t")
    assert r.values["s3.new.natural"] == 10 and r.values["s3.new.total"] == 10
    assert any("s3.new" in w and "identities" in w for w in r.warnings)


def test_markdown_rows():
    text = "第二十条第(一)项\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---|---|---|\n| 规章 | 0 | 1 | 2 |\n| 行政规范性文件 | 3 | 4 | 5 |\n"
    r = parse_text(text, source="md")
    assert r.values["s2.art20_1.rules.in_force"] == 2
    assert r.values["s2.art20_1.normative.repealed"] == 4


def test_space_separated_pdf_like_lines():
    text = "第二十条第（九）项\n信息内容 采购项目数量 采购总金额（单位：万元）\n政府集中采购 12 282.1\n"
    r = parse_text(text, source="pdf-like")
    assert r.values["s2.art20_9.procurement.projects"] == 12
    assert r.values["s2.art20_9.procurement.amount"] == Decimal("282.1")


def test_markdown_row_with_only_empty_cells_is_blank():
    text = "第二十条第(一)项\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n|---|---|---|---|\n| 规章 |  |  |  |\n| 行政规范性文件 |  | 1 |  |\n"
    r = parse_text(text, source="md")
    assert {"s2.art20_1.rules.issued", "s2.art20_1.rules.in_force", "s2.art20_1.normative.issued"} <= set(
        r.blank
    )
    assert r.values == {"s2.art20_1.normative.repealed": Decimal(1)}


def test_run_together_cells_with_blank_marks_inside():
    text = "第二十条第(一)项\n信息内容本年新制作数量本年新公开数量对外公开总数量\n规章244无757\n规范性文件无无300\n"
    r = parse_text(text, source="t")
    assert (
        r.values["s2.art20_1.rules.new_made"] == 244 and r.values["s2.art20_1.rules.total_published"] == 757
    )
    assert r.values["s2.art20_1.normative.total_published"] == 300
    assert {"s2.art20_1.rules.new_published", "s2.art20_1.normative.new_made"} <= set(r.blank)


def test_statistics_in_a_table_that_also_holds_a_table_are_read_as_rows():
    """A data table with a stray inner table is walked as layout: its cells stay cells."""
    inner = "<table><tr><td>注</td></tr></table>"
    rows = (
        f"<tr><td>第二十条第（一）项{inner}</td></tr>"
        "<tr><td>信息内容</td><td>本年新制作数量</td><td>本年新公开数量</td><td>对外公开总数量</td></tr>"
        "<tr><td>规章</td><td>12</td><td>3</td><td>45</td></tr>"
    )
    r = parse_bytes(
        _html(f"<table>{rows}</table>", title="某县2020年政府信息公开工作年度报告"), source="x.html"
    )
    assert r.values["s2.art20_1.rules.new_made"] == 12
    assert r.values["s2.art20_1.rules.total_published"] == 45


def test_hubei_instructions_inside_labels_do_not_name_other_rows():
    text = (
        "第二十条第(五)项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n"
        "行政许可（填写本年度作出的行政许可决定数量）\t5\t1\t7\n"
        "其他对外管理服务事项（含行政确认、行政检查等）\t2\t0\t3\n"
        "其他主动公开文件\t9\t9\t9\n"
    )
    r = parse_text(text, source="hubei")
    assert r.values["s2.art20_5.licensing.decisions"] == 7
    assert r.values["s2.art20_5.other_services.decisions"] == 3
    assert any("主动公开文件" in w for w in r.warnings)


def test_rows_printed_twice_are_warned_in_one_order_whatever_the_hash_seed():
    """The rows found twice are a set of strings: iterated as is, their warnings came in the
    process's hash order, so one page parsed in two worker processes gave two fingerprints."""
    import re

    from gxcrawler.synthetic import make_report, render_page_html

    body, headers = render_page_html(make_report(7), "separate_tables", encoding="utf-8", chrome=False)
    html = body.decode()
    for label in ("属于国家秘密", "危及“三安全一稳定”", "四、结转下年度继续办理"):
        row = next(r for r in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if label in r)
        html = html.replace(row, row + row, 1)
    result = parse_bytes(html.encode(), source="t", content_type=headers["Content-Type"])
    twice = [w.split(":")[0] for w in result.warnings if "one row label on two rows" in w]
    assert twice == ["s3.carried_out", "s3.denied.security", "s3.denied.state_secret"]
    assert "s3: its header or row labels do not match its cells; table left out" in result.warnings
    assert not any(k.startswith("s3.") for k in result.values)
