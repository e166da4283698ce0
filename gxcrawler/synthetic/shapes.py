"""Tables laid out in shapes the template does not print, all seen on real portals.

* section 三 transposed: applicant types as rows, the outcomes as columns;
* section 四 as 3 rows × 5 columns (复议, 诉讼 直接起诉, 诉讼 复议后起诉 × 结果维持 … 总计);
* section 四 as two tables, one for 行政复议 and one for 行政诉讼.

Section 三 with its applicant columns in another order is drawn by the template builder
itself (``Shape.s3_columns``). Every function takes the builder of :mod:`.tables`, so the
labels are printed the way the rest of the report prints them (full-width parentheses,
traditional characters).
"""

from __future__ import annotations

import random

from ..catalog import S3_COLUMNS
from .tables import S3_ORGS, Cell, Grid, column_runs, outcome_labels

S4_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
S4_KEYS = ("upheld", "corrected", "other", "pending", "total")
S3_TRANSPOSED_CORNERS = (
    "申请人情况",
    "申请人类型",
    "",
    "(本行数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
)


def _rng(builder, salt: int) -> random.Random:
    return random.Random(builder.r.seed * 7 + salt)


def s3_transposed(b) -> Grid:
    """Section 三 turned: one row per applicant type, one column per outcome row."""
    rows = b.s3_rows()
    result_rows = [r for r in rows if r.key not in ("new", "carried_in", "carried_out")]
    order = b.r.shape.s3_columns
    corner = _rng(b, 1).choice(S3_TRANSPOSED_CORNERS)
    top: list[Cell] = [
        Cell(b.t(corner), rowspan=3, colspan=2, kind="note"),
        Cell(b.t("一、本年新收政府信息公开申请数量"), rowspan=3, kind="header"),
        Cell(b.t("二、上年结转政府信息公开申请数量"), rowspan=3, kind="header"),
        Cell(b.t("三、本年度办理结果"), colspan=len(result_rows), kind="header"),
        Cell(b.t("四、结转下年度继续办理"), rowspan=3, kind="header"),
    ]
    second: list[Cell] = []
    third: list[Cell] = []
    for group, size, own in outcome_labels(result_rows):
        if group is None and size == 0:
            second.append(Cell(b.t(own), rowspan=2, kind="header"))
            continue
        if group is not None:
            second.append(Cell(b.t(group), colspan=size, kind="header"))
        third.append(Cell(b.t(own), kind="header"))
    # the columns in printed order: 一, 二, the outcomes, 四
    keys = ["new", "carried_in", *[r.key for r in result_rows], "carried_out"]
    grid: Grid = [top, second, third]
    labels = {c.key: c.label for c in S3_COLUMNS}
    for run in column_runs(order):
        for i, col in enumerate(run):
            line: list[Cell] = []
            if col in ("natural", "total"):
                line.append(Cell(b.t(labels[col]), colspan=2))
            else:
                if i == 0:
                    line.append(Cell(b.t(S3_ORGS), rowspan=len(run)))
                line.append(Cell(b.t(labels[col])))
            grid.append([*line, *[b.value(f"s3.{k}.{col}") for k in keys]])
    return grid


def s4_grid(b) -> Grid:
    """Section 四 as three rows (the deciding body) by five result columns."""
    rng = _rng(b, 2)
    corner = rng.choice(("", "类别", "项目", "情况"))
    results = [Cell(b.t(x), kind="header") for x in S4_RESULTS]
    values = {
        row: [b.value(f"s4.{row}.{k}") for k in S4_KEYS]
        for row in ("review", "suit_direct", "suit_after_review")
    }
    if rng.random() < 0.5:  # two label columns: 行政诉讼 spanning its two kinds
        return [
            [Cell(b.t(corner), colspan=2, kind="note"), *results],
            [Cell(b.t("行政复议"), colspan=2), *values["review"]],
            [Cell(b.t("行政诉讼"), rowspan=2), Cell(b.t("未经复议直接起诉")), *values["suit_direct"]],
            [Cell(b.t("复议后起诉")), *values["suit_after_review"]],
        ]
    return [
        [Cell(b.t(corner), kind="note"), *results],
        [Cell(b.t("行政复议")), *values["review"]],
        [Cell(b.t("行政诉讼(未经复议直接起诉)")), *values["suit_direct"]],
        [Cell(b.t("行政诉讼(复议后起诉)")), *values["suit_after_review"]],
    ]


def s4_split(b) -> list[Grid]:
    """Section 四 as a 行政复议 table and a 行政诉讼 table."""
    review: Grid = [
        [Cell(b.t("行政复议"), colspan=5, kind="caption")],
        [Cell(b.t(x), kind="header") for x in S4_RESULTS],
        [b.value(f"s4.review.{k}") for k in S4_KEYS],
    ]
    suit: Grid = [
        [Cell(b.t("行政诉讼"), colspan=10, kind="caption")],
        [
            Cell(b.t("未经复议直接起诉"), colspan=5, kind="header"),
            Cell(b.t("复议后起诉"), colspan=5, kind="header"),
        ],
        [Cell(b.t(x), kind="header") for x in S4_RESULTS * 2],
        [b.value(f"s4.{row}.{k}") for row in ("suit_direct", "suit_after_review") for k in S4_KEYS],
    ]
    return [review, suit]
