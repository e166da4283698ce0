"""The official tables of a report as grids of cells with their merges.

Every renderer (HTML, text, PDF, DOCX) draws from these grids, so all layouts of one
report carry the same cells; they differ only in how they print them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..catalog import S2_TABLES, S3_COLUMNS, S3_ROWS
from .report import SyntheticReport

WIDTH_S2 = 4


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    kind: str = "label"  # caption | header | label | value | note | empty
    key: str | None = None

    @property
    def is_header(self) -> bool:
        return self.kind in ("caption", "header", "note")


Grid = list[list[Cell]]


@dataclass
class Section:
    heading: str
    tables: list[Grid]
    #: the table code of each grid (``s2.art20_1`` … ``s3``, ``s4`` or ``s4.review``/``s4.suit``)
    codes: list[str] = field(default_factory=list)


#: group rows of section 三's outcomes, and the rows printed on their own
S3_GROUP_LABELS = {
    "denied": "(三)不予公开",
    "unavailable": "(四)无法提供",
    "rejected": "(五)不予处理",
    "other": "(六)其他处理",
}
S3_SINGLE_LABELS = {
    "granted": "(一)予以公开",
    "partial": "(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
    "other": "(六)其他处理",
    "total": "(七)总计",
}
S3_NOTE = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
S3_ORGS = "法人或其他组织"


def outcome_labels(result_rows: list) -> list[tuple[str | None, int, str]]:
    """Per outcome row of section 三: (its group's label where the group starts, the group's
    size, its own label); a row printed on its own is ``(None, 0, label)``."""
    out: list[tuple[str | None, int, str]] = []
    for row in result_rows:
        if row.key in S3_SINGLE_LABELS:
            out.append((None, 0, S3_SINGLE_LABELS[row.key]))
            continue
        group = row.key.split(".")[0]
        members = [r.key for r in result_rows if r.key.startswith(group + ".")]
        first = members[0] == row.key
        out.append(
            (
                S3_GROUP_LABELS[group] if first else None,
                len(members),
                f"{members.index(row.key) + 1}.{row.short}",
            )
        )
    return out


def column_runs(order: tuple[str, ...]) -> list[list[str]]:
    """Section 三's applicant columns grouped as printed: 自然人, 总计 alone, 法人 sub-columns in runs."""
    runs: list[list[str]] = []
    for key in order:
        single = key in ("natural", "total")
        if runs and not single and runs[-1][0] not in ("natural", "total"):
            runs[-1].append(key)
        else:
            runs.append([key])
    return runs


_TRAD_WORDS = (("文件", "檔案"),)
_TRAD_CHARS = str.maketrans(
    "规范开处罚强许项数发废现请结计结务决复讼诉维纠审总县区镇乡办门务机关业构会组织律类单条内计须实话围开岗术认证协议划报务",
    "規範開處罰強許項數發廢現請結計結務決復訟訴維糾審總縣區鎮鄉辦門務機關業構會組織律類單條內計須實話圍開崗術認證協議劃報務",
)


def to_traditional(text: str) -> str:
    """The word conversion of traditional-character mirrors (规范性文件 -> 規範性檔案)."""
    for simple, trad in _TRAD_WORDS:
        text = text.replace(simple, trad)
    return text.translate(_TRAD_CHARS)


def _fw(label: str) -> str:
    return label.replace("(", "（").replace(")", "）").replace(",", "，").replace(":", "：")


class _Builder:
    def __init__(self, report: SyntheticReport, split_headers: bool) -> None:
        self.r = report
        self.split = split_headers
        self.rng = random.Random(report.seed * 7919 + 1)
        self.fullwidth_parens = self.rng.random() < 0.8

    def t(self, text: str) -> str:
        """A label as this report prints it."""
        if self.fullwidth_parens:
            text = _fw(text)
        if self.r.traditional:
            text = to_traditional(text)
        return text

    def value(self, key: str) -> Cell:
        return Cell(self.r.printed.get(key, ""), kind="value", key=key)

    # ------------------------------------------------------------ s2
    def s2(self) -> list[Grid]:
        grids = []
        labels = self.r.labels
        for table in S2_TABLES:
            ed = self.r.edition_of(table.code)
            if ed not in table.editions:
                continue
            cols = [c for c in table.columns if ed in c.editions]
            rows = [r for r in table.rows if ed in r.editions or f"{table.code}.{r.key}" in self.r.kept_rows]
            caption = labels.get(table.code, table.label)
            grid: Grid = [[Cell(self.t(caption), colspan=WIDTH_S2, kind="caption")]]
            heads = [self._s2_col_label(ed, c.key, c.label) for c in cols]
            grid.append(
                [
                    Cell(self.t("信息内容"), kind="header"),
                    *self._fill([Cell(self.t(h), kind="header") for h in heads]),
                ]
            )
            for row in rows:
                row_label = labels.get(f"{table.code}.{row.key}") or (
                    "规范性文件" if (row.key == "normative" and ed == "2019") else row.label
                )
                cells = [self.value(f"{table.code}.{row.key}.{c.key}") for c in cols]
                grid.append([Cell(self.t(row_label)), *self._fill(cells)])
            for extra in self.r.extra_rows:
                if extra.table == table.code:
                    cells = [Cell(x, kind="value") for x in extra.cells[: len(cols)]]
                    grid.append([Cell(self.t(extra.label)), *self._fill(cells)])
            grids.append(grid)
        return grids

    def _s2_col_label(self, ed: str, col: str, label: str) -> str:
        if ed == "2019":
            if col == "decisions":
                return "处理决定数量"
            if col == "amount":
                return self.rng.choice(
                    ("采购总金额", "采购总金额(单位:万元)", "采购总金额(万元,保留四位小数)")
                )
            if col in ("new_made", "new_published") and "s2.art20_1.cols" in self.r.labels:
                return self.r.labels["s2.art20_1.cols"]
        return label

    def _fill(self, cells: list[Cell]) -> list[Cell]:
        """Pad a short s2 row to the table width, as the official table does."""
        missing = WIDTH_S2 - 1 - len(cells)
        if missing <= 0:
            return cells
        if len(cells) == 1:
            cells[0].colspan = WIDTH_S2 - 1
            return cells
        return [*cells, *[Cell("", kind="empty") for _ in range(missing)]]

    # ------------------------------------------------------------ s3
    def s3_header(self, order: tuple[str, ...], header_rows: int) -> Grid:
        """The applicant header over ``order``: 申请人情况, then 自然人 / 法人或其他组织 / 总计, then the parts."""
        labels = {c.key: c.label for c in S3_COLUMNS}
        second: list[Cell] = []
        for run in column_runs(order):
            if run[0] in ("natural", "total"):
                second.append(Cell(self.t(labels[run[0]]), rowspan=header_rows - 1, kind="header"))
            else:
                second.append(Cell(self.t(S3_ORGS), colspan=len(run), kind="header"))
        parts = [labels[k] for k in order if k not in ("natural", "total")]
        grid: Grid = [[Cell(self.t("申请人情况"), colspan=len(order), kind="header")], second]
        if self.split:  # header cells broken across two rows: 商业 / 企业
            grid.append([Cell(self.t(p[:2]), kind="header") for p in parts])
            grid.append([Cell(self.t(p[2:]), kind="header") for p in parts])
        else:
            grid.append([Cell(self.t(p), kind="header") for p in parts])
        return grid

    def s3_rows(self) -> list:
        return [r for r in S3_ROWS if self.r.edition_of("s3") in r.editions]

    def s3(self) -> Grid:
        order = self.r.shape.s3_columns
        header_rows = 4 if self.split else 3
        grid = self.s3_header(order, header_rows)
        grid[0].insert(0, Cell(self.t(S3_NOTE), rowspan=header_rows, colspan=3, kind="note"))
        rows = self.s3_rows()
        values = {r.key: [self.value(f"s3.{r.key}.{c}") for c in order] for r in rows}
        grid.append([Cell(self.t("一、本年新收政府信息公开申请数量"), colspan=3), *values["new"]])
        grid.append([Cell(self.t("二、上年结转政府信息公开申请数量"), colspan=3), *values["carried_in"]])
        result_rows = [r for r in rows if r.key not in ("new", "carried_in", "carried_out")]
        for i, (row, (group, size, own)) in enumerate(
            zip(result_rows, outcome_labels(result_rows), strict=True)
        ):
            line: list[Cell] = []
            if i == 0:
                line.append(Cell(self.t("三、本年度办理结果"), rowspan=len(result_rows)))
            if group is None and size == 0:
                line.append(Cell(self.t(own), colspan=2))
            else:
                if group is not None:
                    line.append(Cell(self.t(group), rowspan=size))
                line.append(Cell(self.t(own)))
            grid.append([*line, *values[row.key]])
        grid.append([Cell(self.t("四、结转下年度继续办理"), colspan=3), *values["carried_out"]])
        return grid

    # ------------------------------------------------------------ s4
    def s4(self) -> Grid:
        results = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
        keys = ("upheld", "corrected", "other", "pending", "total")
        if self.split:  # every result header broken in two rows: 结果 / 维持

            def top(x: str, rowspan: int = 1) -> Cell:
                return Cell(self.t(x[:2]), rowspan=rowspan, kind="header")

            def bottom(x: str, rowspan: int = 1) -> Cell:
                return Cell(self.t(x[2:]), rowspan=rowspan, kind="header")

            def total(rowspan: int) -> Cell:
                return Cell(self.t("总计"), rowspan=rowspan, kind="header")

            grid: Grid = [
                [
                    Cell(self.t("行政复议"), colspan=5, kind="header"),
                    Cell(self.t("行政诉讼"), colspan=10, kind="header"),
                ],
                [
                    *[top(x) for x in results[:4]],
                    total(3),
                    Cell(self.t("未经复议直接起诉"), colspan=5, kind="header"),
                    Cell(self.t("复议后起诉"), colspan=5, kind="header"),
                ],
                [
                    *[bottom(x, 2) for x in results[:4]],
                    *[top(x) for x in results[:4]],
                    total(2),
                    *[top(x) for x in results[:4]],
                    total(2),
                ],
                [*[bottom(x) for x in results[:4]] * 2],
            ]
        else:
            grid = [
                [
                    Cell(self.t("行政复议"), colspan=5, kind="header"),
                    Cell(self.t("行政诉讼"), colspan=10, kind="header"),
                ],
                [
                    *[Cell(self.t(x), rowspan=2, kind="header") for x in results],
                    Cell(self.t("未经复议直接起诉"), colspan=5, kind="header"),
                    Cell(self.t("复议后起诉"), colspan=5, kind="header"),
                ],
                [Cell(self.t(x), kind="header") for x in results * 2],
            ]
        grid.append(
            [
                self.value(f"s4.{row}.{k}")
                for row in ("review", "suit_direct", "suit_after_review")
                for k in keys
            ]
        )
        return grid


def sections(report: SyntheticReport, *, split_headers: bool = False) -> list[Section]:
    """Sections 二, 三 and 四 with their tables, in the report's shape."""
    from . import shapes  # the non-template shapes build on this module's builder

    b = _Builder(report, split_headers)
    s4_heading = b.rng.choice(
        ("四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况")
    )
    s2_codes = [t.code for t in S2_TABLES if report.edition_of(t.code) in t.editions]
    shape = report.shape
    s3 = shapes.s3_transposed(b) if shape.s3_transposed else b.s3()
    if shape.s4 == "row":
        s4 = Section(s4_heading, [b.s4()], ["s4"])
    elif shape.s4 == "grid":
        s4 = Section(s4_heading, [shapes.s4_grid(b)], ["s4"])
    else:
        s4 = Section(s4_heading, shapes.s4_split(b), ["s4.review", "s4.suit"])
    out = [
        Section("二、主动公开政府信息情况", b.s2(), s2_codes),
        Section("三、收到和处理政府信息公开申请情况", [s3], ["s3"]),
        s4,
    ]
    for section in out:  # tables replaced whole (property helpers)
        section.tables = [
            shape.grids.get(code, grid) for code, grid in zip(section.codes, section.tables, strict=True)
        ]
    return out


def expand(grid: Grid) -> list[list[Cell | None]]:
    """The grid as a full matrix: a merged cell at its origin, ``None`` where it extends."""
    matrix: list[list[Cell | None]] = []
    pending: dict[tuple[int, int], bool] = {}
    for r, row in enumerate(grid):
        line: list[Cell | None] = []
        c = 0
        cells = iter(row)
        while True:
            while pending.pop((r, c), False):
                line.append(None)
                c += 1
            cell = next(cells, None)
            if cell is None:
                break
            line.append(cell)
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    if dr or dc:
                        if dr == 0:
                            line.append(None)
                        else:
                            pending[(r + dr, c + dc)] = True
            c += cell.colspan
        matrix.append(line)
    width = max(len(x) for x in matrix)
    return [x + [None] * (width - len(x)) for x in matrix]


def filled(grid: Grid) -> list[list[str]]:
    """The grid as a reader should return it: a merged cell's text in every position it covers."""
    matrix = expand(grid)
    out = [[c.text if c else "" for c in row] for row in matrix]
    for r, row in enumerate(matrix):
        for c, cell in enumerate(row):
            if cell:
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        out[r + dr][c + dc] = cell.text
    return out


def all_tables(report: SyntheticReport, *, split_headers: bool = False) -> list[list[list[str]]]:
    """Every table of the report, filled (see :func:`filled`), in printed order."""
    return [filled(g) for s in sections(report, split_headers=split_headers) for g in s.tables]
