"""Random but realistic annual reports with known truth.

The values are built so that every identity of :mod:`gxcrawler.checks` holds (the
applicant columns are generated first, totals are sums), then, when asked, one or two
cells are bumped so that named rules fail. ``failing_rules`` is not guessed: it is
what :func:`gxcrawler.checks.evaluate` says about the truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from ..catalog import METRICS, S3_COLUMNS, S3_OUTCOME_ROWS, S3_PARTS, S3_ROWS, S4_ROWS, keys_for
from ..checks import evaluate, identities

BLANK_MARKS = ("", "/", "-", "—", "无")

#: (region prefix, short name of a body); agencies are built from these.
_PLACES = (
    ("攀枝花市仁和区", ("仁和镇", "大河中路街道办事处", "太平乡", "人民政府办公室", "教育和体育局")),
    ("新野县", ("人民政府办公室", "王庄镇人民政府", "自然资源局", "人民政府")),
    ("砚山县", ("蚌峨乡人民政府", "平远镇人民政府", "人民政府", "财政局")),
    ("淄博经济开发区", ("管理委员会办公室", "南定镇人民政府", "沣水镇人民政府")),
    ("洛宁县", ("人民政府", "城郊乡人民政府", "卫生健康委员会", "市场监督管理局")),
    ("宁国市", ("商务局", "港口镇人民政府", "人民政府办公室")),
)

#: How titles are worded on real portals (agency, year).
TITLE_FORMATS = (
    "{agency}{year}年政府信息公开工作年度报告",
    "{agency}{year}年度政府信息公开工作报告",
    "{agency} {year}年政府信息公开工作年度报告",
    "{agency}{year}年信息公开工作年度报告",
    "{agency}{year}年度政府信息公开工作年度报告",
)

_FULLWIDTH = str.maketrans("0123456789.,-+", "０１２３４５６７８９．，－＋")


@dataclass
class ExtraRow:
    """A row a real report adds to a sub-table; it is not part of the template."""

    table: str  # table code, e.g. "s2.art20_5"
    label: str
    cells: list[str]


@dataclass
class Shape:
    """How a report lays its tables out when not as the template prints them.

    Every renderer draws from :func:`tables.sections`, which follows this, so one
    shape reaches HTML, text, PDF, DOCX and spreadsheets alike.
    """

    #: section 三's applicant columns, left to right (keys of ``S3_COLUMNS``)
    s3_columns: tuple[str, ...] = tuple(c.key for c in S3_COLUMNS)
    #: applicant types as rows, outcomes as columns
    s3_transposed: bool = False
    #: section 四: ``row`` (15 columns, the template), ``grid`` (3 rows x 5), ``split`` (复议, 诉讼)
    s4: str = "row"
    #: tables replaced whole by the property helpers (table code -> grid of ``tables.Cell``)
    grids: dict[str, list] = field(default_factory=dict)


@dataclass
class SyntheticReport:
    seed: int
    title: str
    agency: str
    year: int
    published: datetime
    edition: str
    values: dict[str, Decimal]
    blank: list[str]
    printed: dict[str, str]
    failing_rules: set[str]
    prose: list[str]
    #: cells printed malformed (e.g. ``--253``): no value, not blank
    malformed: list[str] = field(default_factory=list)
    extra_rows: list[ExtraRow] = field(default_factory=list)
    #: label overrides (key prefix "s2.art20_1.normative" or table code -> printed text)
    labels: dict[str, str] = field(default_factory=dict)
    #: which deviations were applied, for test ids and debugging
    deviations: list[str] = field(default_factory=list)
    traditional: bool = False
    source_name: str = ""  # the page's 来源 (may be shorter than the agency)
    #: printed cells no reader can prove (labels lost, blanks that vanished): must not be emitted
    absent: list[str] = field(default_factory=list)
    shape: Shape = field(default_factory=Shape)
    #: tables printed in another edition than the report's (table code -> edition)
    table_editions: dict[str, str] = field(default_factory=dict)
    #: template rows of the other edition kept in a table (e.g. "s2.art20_5.other_services")
    kept_rows: list[str] = field(default_factory=list)
    #: the address the document was served from (the statistics year may live in it)
    url: str | None = None
    #: the publication date a reader must return; ``None`` where the document prints none
    published_truth: date | None = None
    #: cells printed under another cell's labels (headers swapped): {key the labels name: key of the cell}
    relabelled: dict[str, str] = field(default_factory=dict)

    def edition_of(self, table: str) -> str:
        """The edition ``table`` (``s2.art20_1``, ``s3``…) is printed in."""
        return self.table_editions.get(table, self.edition)

    @property
    def published_date(self) -> date:
        return self.published.date()

    def keys(self) -> tuple[str, ...]:
        return keys_for(self.edition)


def expected_failing(report: SyntheticReport) -> set[str]:
    """The identities a perfect reader finds broken, by the rules of issue 11.

    Each identity is taken in the edition of its own table; one whose cells were not
    all printed and provable is unknown; one with a side whose cells are all blank
    says nothing (a table filled only in 总计 is not broken).
    """
    values, blank = report.values, set(report.blank)
    out: set[str] = set()
    for section in ("s3", "s4"):
        for ident in identities(report.edition_of(section)):
            if not ident.rule.startswith(section + "."):
                continue
            cells = ident.left + ident.right
            if any(c not in values and c not in blank for c in cells):
                continue
            if all(c in blank for c in ident.left) or all(c in blank for c in ident.right):
                continue
            left = sum((values.get(c, Decimal(0)) for c in ident.left), Decimal(0))
            right = sum((values.get(c, Decimal(0)) for c in ident.right), Decimal(0))
            if left != right:
                out.add(ident.rule)
    return out


def edition_for(year: int) -> str:
    return "2019" if year <= 2020 else "2021"


def make_report(
    seed: int,
    *,
    year: int | None = None,
    edition: str | None = None,
    agency: str | None = None,
    consistent: bool = True,
    deviations: bool = False,
    activity: str | None = None,
) -> SyntheticReport:
    """One report, fully determined by its arguments.

    ``activity`` (``quiet``, ``small``, ``busy``) overrides the drawn one: busy reports
    have distinct numbers, so a cell read from the wrong column shows.
    """
    rng = random.Random(seed)
    year = year or rng.randint(2019, 2024)
    if edition is None:
        edition = edition_for(year)
        if deviations and year >= 2022 and rng.random() < 0.15:
            edition = "2019"  # old tables in new years, seen in 2022/2023 reports
    region, body = rng.choice(_PLACES)
    body = rng.choice(body)
    agency = agency or f"{region}{body}"
    title = rng.choice(TITLE_FORMATS).format(agency=agency, year=year)
    published = datetime.combine(
        date(year + 1, rng.randint(1, 3), rng.randint(1, 28)),
        time(rng.randint(8, 19), rng.randint(0, 59), rng.randint(0, 59)),
    )
    builder = _Values(rng, edition, deviations, activity)
    values = builder.build()
    blank = builder.choose_blanks(values)
    if not consistent:
        builder.break_identities(values, blank)
    printed = {k: builder.print_value(k, values.get(k)) for k in keys_for(edition)}
    for key in blank:
        printed[key] = builder.blank_mark
    report = SyntheticReport(
        seed=seed,
        title=title,
        agency=agency,
        year=year,
        published=published,
        edition=edition,
        values=values,
        blank=sorted(blank, key=keys_for(edition).index),
        printed=printed,
        failing_rules=set(),
        prose=_prose(rng, agency, year, values),
        source_name=body if rng.random() < 0.4 else agency,
    )
    if deviations:
        _apply_deviations(rng, report, builder)
    report.failing_rules = {c.rule for c in evaluate(report.values, report.blank, edition) if not c.ok}
    if consistent and report.failing_rules:  # pragma: no cover - a generator bug
        raise AssertionError(f"seed {seed}: consistent report fails {report.failing_rules}")
    return report


class _Values:
    """Draws the numbers of one report."""

    def __init__(
        self, rng: random.Random, edition: str, deviations: bool, activity: str | None = None
    ) -> None:
        self.rng = rng
        self.edition = edition
        self.deviations = deviations
        drawn = rng.choices(("quiet", "small", "busy"), weights=(4, 4, 2))[0]  # drawn always: same stream
        self.activity = activity or drawn
        self.thousands = rng.random() < 0.7
        self.blank_mark = rng.choice(BLANK_MARKS)
        self.blank_style = rng.choices(("none", "zeros", "parts", "s2"), weights=(6, 2, 1, 1))[0]
        self.plus_sign = rng.random() < 0.3
        self.fullwidth: set[str] = set()
        self.jian: set[str] = set()  # change cells printed 减N
        self.unit_suffix: set[str] = set()

    # ------------------------------------------------------------ numbers
    def count(self, scale: int) -> int:
        rng = self.rng
        if scale <= 0:
            return 0
        if rng.random() < 0.45:
            return 0
        if rng.random() < 0.1:
            return rng.randint(scale, scale * 30)  # the occasional big agency
        return rng.randint(0, scale)

    def amount(self) -> Decimal:
        rng = self.rng
        if rng.random() < 0.4:
            return Decimal(0)
        places = rng.choice((0, 1, 2, 3, 4))
        whole = rng.choice((0, rng.randint(1, 99), rng.randint(100, 300000)))
        frac = rng.randint(0, 10**places - 1) if places else 0
        return Decimal(whole) + (Decimal(frac).scaleb(-places) if places else 0)

    def build(self) -> dict[str, Decimal]:
        v: dict[str, int | Decimal] = {}
        self._s2(v)
        self._s3(v)
        self._s4(v)
        return {k: Decimal(x) for k, x in v.items()}

    def _s2(self, v: dict) -> None:
        rng = self.rng
        big = {"quiet": 3, "small": 30, "busy": 3000}[self.activity]
        if self.edition == "2019":
            for row in ("rules", "normative"):
                total = self.count(max(1, big // 3))
                new_pub = rng.randint(0, total)
                v[f"s2.art20_1.{row}.new_made"] = rng.randint(0, new_pub) if rng.random() < 0.5 else new_pub
                v[f"s2.art20_1.{row}.new_published"] = new_pub
                v[f"s2.art20_1.{row}.total_published"] = total
            for table, rows in (
                ("art20_5", ("licensing", "other_services")),
                ("art20_6", ("penalty", "enforcement")),
            ):
                for row in rows:
                    prev = self.count(big)
                    v[f"s2.{table}.{row}.prev_items"] = prev
                    v[f"s2.{table}.{row}.change"] = self._change(prev)
                    v[f"s2.{table}.{row}.decisions"] = self.count(big * 10)
            prev = self.count(max(1, big // 10))
            v["s2.art20_8.fees.prev_items"] = prev
            v["s2.art20_8.fees.change"] = self._change(prev)
            v["s2.art20_9.procurement.projects"] = self.count(big // 5)
            v["s2.art20_9.procurement.amount"] = self.amount()
        else:
            for row in ("rules", "normative"):
                issued = self.count(max(1, big // 10))
                v[f"s2.art20_1.{row}.issued"] = issued
                v[f"s2.art20_1.{row}.repealed"] = self.count(max(1, big // 30))
                v[f"s2.art20_1.{row}.in_force"] = issued + self.count(max(1, big // 3))
            v["s2.art20_5.licensing.decisions"] = self.count(big * 10)
            v["s2.art20_6.penalty.decisions"] = self.count(big * 10)
            v["s2.art20_6.enforcement.decisions"] = self.count(big)
            v["s2.art20_8.fees.amount"] = self.amount()

    def _change(self, prev: int) -> int:
        if self.rng.random() < 0.5:
            return 0
        return self.rng.randint(-prev, max(3, prev // 2 + 1))

    def _s3(self, v: dict) -> None:
        rng = self.rng
        scale = {"quiet": 0, "small": 6, "busy": 400}[self.activity]
        outcome_rows = S3_OUTCOME_ROWS[self.edition]
        weights = [
            {
                "granted": 50,
                "partial": 8,
                "unavailable.not_held": 15,
                "unavailable.needs_creation": 4,
                "rejected.complaint": 5,
                "rejected.duplicate": 3,
                "other": 3,
                "other.other": 3,
            }.get(r, 1)
            for r in outcome_rows
        ]
        for col in S3_PARTS:
            col_scale = scale if col == "natural" else scale // rng.choice((3, 8, 40))
            new = self.count(col_scale) if col_scale else 0
            carried_in = self.count(max(0, col_scale // 10)) if col_scale else 0
            carried_out = rng.randint(0, min(new + carried_in, max(0, col_scale // 8)))
            handled = new + carried_in - carried_out
            counts = dict.fromkeys(outcome_rows, 0)
            for r in rng.choices(outcome_rows, weights=weights, k=handled):
                counts[r] += 1
            v[f"s3.new.{col}"] = new
            v[f"s3.carried_in.{col}"] = carried_in
            v[f"s3.carried_out.{col}"] = carried_out
            v[f"s3.total.{col}"] = handled
            for r, n in counts.items():
                v[f"s3.{r}.{col}"] = n
        for row in S3_ROWS:
            if self.edition in row.editions:
                v[f"s3.{row.key}.total"] = sum(v[f"s3.{row.key}.{c}"] for c in S3_PARTS)

    def _s4(self, v: dict) -> None:
        scale = {"quiet": 0, "small": 2, "busy": 12}[self.activity]
        for row in S4_ROWS:
            parts = [self.count(scale) if scale else 0 for _ in range(4)]
            for col, n in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
                v[f"s4.{row.key}.{col}"] = n
            v[f"s4.{row.key}.total"] = sum(parts)

    # ------------------------------------------------------------ blanks and breaks
    def choose_blanks(self, values: dict[str, Decimal]) -> list[str]:
        """Zero cells printed blank; blanks count as 0, so the identities still hold."""
        style = self.blank_style
        out: list[str] = []
        for key, val in values.items():
            if val != 0:
                continue
            section = key.split(".")[0]
            if (
                (style == "zeros" and section in ("s3", "s4"))
                or (style == "parts" and section == "s3" and not key.endswith(".total"))
                or (style == "s2" and section == "s2")
            ):
                out.append(key)
        if self.blank_mark == "":
            # a table of empty cells reads as "labels only, numbers lost": keep its zeros
            tables: dict[str, list[str]] = {}
            for key in values:
                tables.setdefault(METRICS[key].table, []).append(key)
            chosen = set(out)
            for keys in tables.values():
                if chosen.issuperset(keys):
                    chosen.difference_update(keys)
            out = [k for k in out if k in chosen]
        for key in out:
            del values[key]
        return out

    def break_identities(self, values: dict[str, Decimal], blank: list[str]) -> None:
        """Bump one or two cells so that some identities fail (printed numbers kept)."""
        rng = self.rng
        candidates = [k for k in (*values, *blank) if k.startswith(("s3.", "s4."))]
        for key in rng.sample(candidates, k=rng.choice((1, 1, 2))):
            if key in blank:  # a printed number where the report had a blank
                blank.remove(key)
                values[key] = Decimal(0)
            values[key] += rng.choice((1, 2, 3, 10))

    # ------------------------------------------------------------ printing
    def print_value(self, key: str, value: Decimal | None) -> str:
        if value is None:
            return self.blank_mark
        if key.endswith(".amount"):
            text = f"{value:,}" if self.thousands else f"{value}"
            if key in self.unit_suffix:
                text += "万元"
        elif key.endswith(".change") and value != 0:
            if value < 0 and key in self.jian:
                text = f"减{-value}"
            else:
                text = f"{value:+}" if value > 0 and self.plus_sign else f"{value}"
        else:
            text = f"{value:,}" if (self.thousands and value >= 1000) else f"{value}"
        if key in self.fullwidth:
            text = text.translate(_FULLWIDTH)
        return text


def _apply_deviations(rng: random.Random, report: SyntheticReport, builder: _Values) -> None:
    """Real-world departures from the template; the truth stays in canonical keys."""
    applied = report.deviations
    keys = list(report.values)

    def pick(probability: float) -> bool:
        return rng.random() < probability

    if pick(0.3):  # full-width digits in some cells
        for key in rng.sample(keys, k=min(8, len(keys))):
            builder.fullwidth.add(key)
        applied.append("fullwidth")
    if report.edition == "2019" and pick(0.5):
        neg = [k for k in keys if k.endswith(".change") and report.values[k] < 0]
        if neg:
            builder.jian.update(neg)
            applied.append("jian")
    amounts = [k for k in keys if k.endswith(".amount") and report.values[k] != 0]
    if amounts and pick(0.4):
        builder.unit_suffix.update(amounts)
        applied.append("unit_suffix")
    if report.edition == "2019" and pick(0.1):
        key = rng.choice([k for k in keys if k.endswith(".change")] or [None])
        if key:
            report.values.pop(key)
            report.malformed.append(key)
            report.printed[key] = f"--{rng.randint(1, 400)}"
            applied.append("malformed")
    if pick(0.25):
        report.traditional = True
        applied.append("traditional")
    if pick(0.3):
        report.labels["s2.art20_1"] = rng.choice(("第二十条第", "第二十条(一)项", "第二十条第（一）项"))
        applied.append("truncated_caption")
    if pick(0.2):
        report.labels["s2.art20_1.cols"] = "本年新"  # truncated column headers (2019 only)
        applied.append("truncated_header")
        # 本年新 | 本年新: 新制作 or 新公开? The printed labels cannot tell these two columns
        # apart, so their cells are not provable (issue 11: the truth was "read by position").
        for key in [k for k in (*report.values, *report.blank) if k.startswith("s2.art20_1.")]:
            if key.rsplit(".", 1)[1] in ("new_made", "new_published"):
                report.values.pop(key, None)
                if key in report.blank:
                    report.blank.remove(key)
                report.absent.append(key)
    if report.edition == "2021" and pick(0.4):
        report.labels["s2.art20_1.normative"] = "规范性文件"
        applied.append("2019_label_in_2021")
    if pick(0.3):
        width = 3 if report.edition == "2019" else 1
        for label in ("行政检查", "行政确认"):
            report.extra_rows.append(
                ExtraRow("s2.art20_5", label, [str(rng.randint(0, 40)) for _ in range(width)])
            )
        applied.append("extra_rows")
    if pick(0.15):
        report.extra_rows.append(
            ExtraRow("s2.art20_1", "其他主动公开文件", [str(rng.randint(0, 30)) for _ in range(3)])
        )
        applied.append("extra_row_art20_1")
    # re-print with the chosen styles (values may have changed style, never value)
    for key in keys:
        if key in report.values:
            report.printed[key] = builder.print_value(key, report.values[key])


def _prose(rng: random.Random, agency: str, year: int, values: dict[str, Decimal]) -> list[str]:
    """The narrative around the tables, with the numbers real reports repeat."""
    received = values.get("s3.new.total", Decimal(0))
    published = rng.randint(20, 3000)
    return [
        f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，{agency}编制了{year}年政府信息公开工作年度报告。"
        f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。如对本报告有疑问，请与{agency}联系。",
        "一、总体情况",
        f"{year}年，{agency}认真贯彻落实《条例》，紧紧围绕中心工作和群众关切，扎实推进政务公开。"
        f"全年通过门户网站主动公开政府信息{published}条，解读政策文件{rng.randint(0, 40)}个。",
        f"（一）依申请公开。{year}年共收到政府信息公开申请{received}件，均在法定期限内答复。",
        f"（二）政府信息管理。严格落实“三审三校”制度，{year - 1}年度报告发现的问题已全部整改。",
    ]


EPILOGUE = (
    "五、存在的主要问题及改进情况",
    "一是公开内容不够全面；二是政策解读形式单一。下一步将加强培训，提高公开质量。",
    "六、其他需要报告的事项",
    "本年度未收取信息处理费。",
)
