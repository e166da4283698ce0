"""Render a full report (known values) as the plain-text flattenings seen in the seeds.

Independent of the parser: it writes the official labels and the values in printed order.
"""

from __future__ import annotations

from decimal import Decimal

from .htmlbuild import OTHER_2021, S2_LAYOUT, S3_GROUPS_COMMON

S3_COL_HEAD = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
S4_HEAD = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
LAYOUTS = ("one_per_line", "concatenated", "tabs", "pipes", "markdown")


def s3_layout(edition: str) -> list[tuple[str, str]]:
    rows = [("new", "一、本年新收政府信息公开申请数量"), ("carried_in", "二、上年结转政府信息公开申请数量")]
    rows += [
        ("granted", "三、本年度办理结果(一)予以公开"),
        ("partial", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"),
    ]
    groups = list(S3_GROUPS_COMMON) + ([OTHER_2021] if edition == "2021" else [])
    for group, members in groups:
        for i, (key, label) in enumerate(members):
            rows.append((key, (group if i == 0 else "") + label))
    if edition == "2019":
        rows.append(("other", "(六)其他处理"))
    rows += [("total", "(七)总计"), ("carried_out", "四、结转下年度继续办理")]
    return rows


def _cell(v: Decimal | None) -> str:
    if v is None:
        return "/"
    return f"{v:f}" if v != v.to_integral_value() else str(int(v))


def render_text(edition: str, rows: dict[str, list[Decimal | None]], layout: str, title: str) -> str:
    """``rows`` maps ``table.row`` (``s3.new``, ``s4.review``) to its cells in printed order."""
    out: list[str] = [
        title,
        "发布时间:2022-01-25 来源:测试",
        "一、总体情况",
        "本年度工作稳步推进。",
        "二、主动公开政府信息情况",
    ]

    def row(label: str, cells: list[str]) -> None:
        if layout == "one_per_line":
            out.append(label)
            out.extend(cells)
        elif layout == "concatenated":
            out.append(label + "".join(cells))
        elif layout == "tabs":
            out.append("\t".join([label, *cells]))
        elif layout == "pipes":
            out.extend(f"{c} |" for c in [label, *cells])
        else:
            out.append("| " + " | ".join([label, *cells]) + " |")

    for code, caption, headers, members in S2_LAYOUT[edition]:
        out.append(caption)
        row("信息内容", [h.replace("<br>", "") for h in headers])
        for key, label in members:
            row(label, [_cell(v) for v in rows[f"{code}.{key}"]])
    out.append("三、收到和处理政府信息公开申请情况")
    row("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)申请人情况", S3_COL_HEAD)
    for key, label in s3_layout(edition):
        row(label, [_cell(v) for v in rows[f"s3.{key}"]])
    out.append("四、政府信息公开行政复议、行政诉讼情况")
    row("行政复议", ["行政诉讼"])
    row("", S4_HEAD + ["未经复议直接起诉", "复议后起诉"])
    row("", S4_HEAD + S4_HEAD)  # the results under each kind of suit, as the template prints them
    s4 = [_cell(v) for r in ("review", "suit_direct", "suit_after_review") for v in rows[f"s4.{r}"]]
    if layout == "one_per_line":
        out.extend(s4)
    elif layout == "concatenated":
        out.append("".join(s4))
    elif layout == "tabs":
        out.append("\t".join(s4))
    elif layout == "pipes":
        out.extend(f"{c} |" for c in s4)
    else:
        out.append("| " + " | ".join(s4) + " |")
    out += ["五、存在的主要问题及改进情况", "无。"]
    return "\n".join(ln for ln in out if ln != "")
