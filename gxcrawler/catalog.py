"""The template catalog: every statistics cell of the national tables, by canonical key.

The keys follow ``docs/spec/metrics.md`` exactly (``section.row.column``; the row
may contain dots). Everything else in the project — parser, checks, database,
exports — takes its keys and official labels from here, so there is one truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

EDITIONS: tuple[str, ...] = ("2019", "2021")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    editions: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    editions: tuple[str, ...]
    #: short label as printed in the row (without its group prefix)
    short: str = ""


@dataclass(frozen=True)
class Table:
    """One sub-table of a section (s2 has five, s3 and s4 one each)."""

    code: str  # e.g. "s2.art20_1", "s3", "s4"
    label: str
    editions: tuple[str, ...]
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Metric:
    key: str
    section: str  # "s2" | "s3" | "s4"
    table: str  # table code, e.g. "s2.art20_5"
    table_label: str
    row: str
    row_label: str
    column: str
    column_label: str
    editions: tuple[str, ...]
    ordinal: int  # position in the printed report, for stable ordering


BOTH = ("2019", "2021")
OLD = ("2019",)
NEW = ("2021",)

# ---------------------------------------------------------------- section 二
_ITEMS_COLS_2019 = (
    Column("prev_items", "上一年项目数量", OLD),
    Column("change", "本年增/减", OLD),
)

S2_TABLES: tuple[Table, ...] = (
    Table(
        "s2.art20_1",
        "第二十条第(一)项",
        BOTH,
        rows=(
            Row("rules", "规章", BOTH),
            Row("normative", "行政规范性文件", BOTH),  # 2019 prints 规范性文件
        ),
        columns=(
            Column("new_made", "本年新制作数量", OLD),
            Column("new_published", "本年新公开数量", OLD),
            Column("total_published", "对外公开总数量", OLD),
            Column("issued", "本年制发件数", NEW),
            Column("repealed", "本年废止件数", NEW),
            Column("in_force", "现行有效件数", NEW),
        ),
    ),
    Table(
        "s2.art20_5",
        "第二十条第(五)项",
        BOTH,
        rows=(
            Row("licensing", "行政许可", BOTH),
            Row("other_services", "其他对外管理服务事项", OLD),
        ),
        columns=(*_ITEMS_COLS_2019, Column("decisions", "本年处理决定数量", BOTH)),
    ),
    Table(
        "s2.art20_6",
        "第二十条第(六)项",
        BOTH,
        rows=(Row("penalty", "行政处罚", BOTH), Row("enforcement", "行政强制", BOTH)),
        columns=(*_ITEMS_COLS_2019, Column("decisions", "本年处理决定数量", BOTH)),
    ),
    Table(
        "s2.art20_8",
        "第二十条第(八)项",
        BOTH,
        rows=(Row("fees", "行政事业性收费", BOTH),),
        columns=(*_ITEMS_COLS_2019, Column("amount", "本年收费金额(单位:万元)", NEW)),
    ),
    Table(
        "s2.art20_9",
        "第二十条第(九)项",
        OLD,
        rows=(Row("procurement", "政府集中采购", OLD),),
        columns=(
            Column("projects", "采购项目数量", OLD),
            Column("amount", "采购总金额(单位:万元)", OLD),
        ),
    ),
)

#: Labels that differ in the 2019 edition (key -> label), for display and matching.
LABELS_2019: dict[str, str] = {
    "s2.art20_1.normative": "规范性文件",
    "decisions": "处理决定数量",
}

# ---------------------------------------------------------------- section 三
S3_COLUMNS: tuple[Column, ...] = (
    Column("natural", "自然人", BOTH),
    Column("commercial", "商业企业", BOTH),
    Column("research", "科研机构", BOTH),
    Column("nonprofit", "社会公益组织", BOTH),
    Column("legal", "法律服务机构", BOTH),
    Column("other", "其他", BOTH),
    Column("total", "总计", BOTH),
)
S3_PARTS: tuple[str, ...] = tuple(c.key for c in S3_COLUMNS if c.key != "total")

S3_ROWS: tuple[Row, ...] = (
    Row("new", "一、本年新收政府信息公开申请数量", BOTH, "本年新收政府信息公开申请数量"),
    Row("carried_in", "二、上年结转政府信息公开申请数量", BOTH, "上年结转政府信息公开申请数量"),
    Row("granted", "三、(一)予以公开", BOTH, "予以公开"),
    Row(
        "partial",
        "三、(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
        BOTH,
        "部分公开",
    ),
    Row("denied.state_secret", "(三)不予公开 1.属于国家秘密", BOTH, "属于国家秘密"),
    Row("denied.prohibited", "2.其他法律行政法规禁止公开", BOTH, "其他法律行政法规禁止公开"),
    Row("denied.security", "3.危及“三安全一稳定”", BOTH, "危及“三安全一稳定”"),
    Row("denied.third_party", "4.保护第三方合法权益", BOTH, "保护第三方合法权益"),
    Row("denied.internal", "5.属于三类内部事务信息", BOTH, "属于三类内部事务信息"),
    Row("denied.process", "6.属于四类过程性信息", BOTH, "属于四类过程性信息"),
    Row("denied.enforcement_file", "7.属于行政执法案卷", BOTH, "属于行政执法案卷"),
    Row("denied.query", "8.属于行政查询事项", BOTH, "属于行政查询事项"),
    Row(
        "unavailable.not_held",
        "(四)无法提供 1.本机关不掌握相关政府信息",
        BOTH,
        "本机关不掌握相关政府信息",
    ),
    Row("unavailable.needs_creation", "2.没有现成信息需要另行制作", BOTH, "没有现成信息需要另行制作"),
    Row("unavailable.unclear", "3.补正后申请内容仍不明确", BOTH, "补正后申请内容仍不明确"),
    Row("rejected.complaint", "(五)不予处理 1.信访举报投诉类申请", BOTH, "信访举报投诉类申请"),
    Row("rejected.duplicate", "2.重复申请", BOTH, "重复申请"),
    Row("rejected.publication", "3.要求提供公开出版物", BOTH, "要求提供公开出版物"),
    Row("rejected.excessive", "4.无正当理由大量反复申请", BOTH, "无正当理由大量反复申请"),
    Row(
        "rejected.confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        BOTH,
        "要求行政机关确认或重新出具已获取信息",
    ),
    Row("other", "(六)其他处理", OLD, "其他处理"),
    Row(
        "other.no_correction",
        "(六)其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        NEW,
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    Row(
        "other.no_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        NEW,
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    Row("other.other", "3.其他", NEW, "其他"),
    Row("total", "(七)总计", BOTH, "总计"),
    Row("carried_out", "四、结转下年度继续办理", BOTH, "结转下年度继续办理"),
)

#: Outcome rows that add up to s3.total, per edition (identity 3).
S3_OUTCOME_ROWS: dict[str, tuple[str, ...]] = {
    ed: tuple(
        r.key
        for r in S3_ROWS
        if ed in r.editions and r.key not in ("new", "carried_in", "total", "carried_out")
    )
    for ed in EDITIONS
}

S3_TABLE = Table("s3", "收到和处理政府信息公开申请情况", BOTH, S3_ROWS, S3_COLUMNS)

# ---------------------------------------------------------------- section 四
S4_COLUMNS: tuple[Column, ...] = (
    Column("upheld", "结果维持", BOTH),
    Column("corrected", "结果纠正", BOTH),
    Column("other", "其他结果", BOTH),
    Column("pending", "尚未审结", BOTH),
    Column("total", "总计", BOTH),
)
S4_ROWS: tuple[Row, ...] = (
    Row("review", "行政复议", BOTH),
    Row("suit_direct", "行政诉讼 未经复议直接起诉", BOTH),
    Row("suit_after_review", "行政诉讼 复议后起诉", BOTH),
)
S4_TABLE = Table("s4", "政府信息公开行政复议、行政诉讼情况", BOTH, S4_ROWS, S4_COLUMNS)

TABLES: tuple[Table, ...] = (*S2_TABLES, S3_TABLE, S4_TABLE)


def _build() -> dict[str, Metric]:
    metrics: dict[str, Metric] = {}
    ordinal = 0
    for table in TABLES:
        section = table.code.split(".")[0]
        for row in table.rows:
            for col in table.columns:
                editions = tuple(e for e in row.editions if e in col.editions and e in table.editions)
                if not editions:
                    continue
                key = f"{table.code}.{row.key}.{col.key}"
                metrics[key] = Metric(
                    key=key,
                    section=section,
                    table=table.code,
                    table_label=table.label,
                    row=row.key,
                    row_label=row.label,
                    column=col.key,
                    column_label=col.label,
                    editions=editions,
                    ordinal=ordinal,
                )
                ordinal += 1
    return metrics


METRICS: dict[str, Metric] = _build()


@cache
def keys_for(edition: str) -> tuple[str, ...]:
    """All keys of one edition, in printed order."""
    return tuple(k for k, m in METRICS.items() if edition in m.editions)


def is_key(key: str) -> bool:
    return key in METRICS


def label(key: str, edition: str | None = None) -> tuple[str, str]:
    """(row label, column label) of a key, as printed in the given edition."""
    m = METRICS[key]
    row_label, col_label = m.row_label, m.column_label
    if edition == "2019":
        row_label = LABELS_2019.get(f"{m.table}.{m.row}", row_label)
        col_label = LABELS_2019.get(m.column, col_label) if m.column == "decisions" else col_label
    return row_label, col_label
