"""Reports that depart from the template in what they print, each with its exact truth.

* :func:`with_shape` — section 三/四 in another shape (column order, transposed, 四 as a grid
  or two tables);
* :func:`total_only` — section 三 filled only in its 总计 column (the rest blank: absent,
  not 0; an identity with a side all blank is not evaluated);
* :func:`mixed_editions` — 2021 tables that keep a 2019 row, a 2021 section 二 with a
  2019 section 三, a 2019 (一) among 2021 tables (the report's edition is the one most
  of its tables use).
"""

from __future__ import annotations

import random

from ..catalog import METRICS, S3_PARTS
from .report import Shape, SyntheticReport, expected_failing, make_report

MIXED_VARIANTS = ("kept_row", "s3_2019", "art20_1_2019")


def with_shape(report: SyntheticReport, shape: Shape) -> SyntheticReport:
    """The same report with its tables in ``shape`` (the truth does not change)."""
    report.shape = shape
    report.deviations.append(_describe(shape))
    return report


def _describe(shape: Shape) -> str:
    default = Shape()
    parts = []
    if shape.s3_columns != default.s3_columns:
        parts.append("s3_order=" + "/".join(shape.s3_columns))
    if shape.s3_transposed:
        parts.append("s3_transposed")
    if shape.s4 != "row":
        parts.append(f"s4_{shape.s4}")
    return ",".join(parts) or "template"


def orgs_first() -> tuple[str, ...]:
    return (*S3_PARTS[1:], "natural", "total")


def total_first(rng: random.Random) -> tuple[str, ...]:
    rest = ["natural", *S3_PARTS[1:]]
    if rng.random() < 0.5:
        rest = [*S3_PARTS[1:], "natural"]
    return ("total", *rest)


def random_order(rng: random.Random) -> tuple[str, ...]:
    order = ["natural", *S3_PARTS[1:], "total"]
    while tuple(order) == ("natural", *S3_PARTS[1:], "total"):
        rng.shuffle(order)
    return tuple(order)


def total_only(report: SyntheticReport, rng: random.Random) -> SyntheticReport:
    """Section 三 printed only in its 总计 column: every applicant column blank."""
    mark = rng.choice(("", "", "", "/", "-"))
    blank = set(report.blank)
    for key in [k for k in report.printed if k.startswith("s3.") and not k.endswith(".total")]:
        report.values.pop(key, None)
        blank.add(key)
        report.printed[key] = mark
    # a total that the report left blank stays blank; the rest keep their printed numbers
    report.blank = sorted(blank, key=lambda k: METRICS[k].ordinal)
    report.deviations.append(f"s3_total_only(mark={mark!r})")
    report.failing_rules = expected_failing(report)
    return report


def _take(report: SyntheticReport, other: SyntheticReport, prefix: str) -> None:
    """Replace every cell of ``prefix`` in ``report`` by ``other``'s (another edition's)."""
    for key in [k for k in report.printed if k.startswith(prefix)]:
        report.printed.pop(key)
        report.values.pop(key, None)
    report.blank = [k for k in report.blank if not k.startswith(prefix)]
    for key, text in other.printed.items():
        if key.startswith(prefix):
            report.printed[key] = text
            if key in other.values:
                report.values[key] = other.values[key]
            elif key in other.blank:
                report.blank.append(key)


def mixed_editions(
    seed: int, variant: str, *, consistent: bool = True, deviations: bool = False
) -> SyntheticReport:
    """A 2021-edition report with tables or rows of the 2019 edition inside it."""
    rng = random.Random(seed * 613 + MIXED_VARIANTS.index(variant))
    year = rng.randint(2021, 2024)
    report = make_report(seed, year=year, edition="2021", consistent=consistent, deviations=deviations)
    old = make_report(seed, year=year, edition="2019", deviations=False)
    if variant == "kept_row":  # 其他对外管理服务事项 still printed in the 2021 (五) table
        report.kept_rows.append("s2.art20_5.other_services")
        _take(report, old, "s2.art20_5.other_services.decisions")
    elif variant == "s3_2019":  # the old section 三: (六)其他处理 a single row
        report.table_editions["s3"] = "2019"
        _take(report, old, "s3.")
    elif variant == "art20_1_2019":  # the old (一) columns among 2021 tables
        report.table_editions["s2.art20_1"] = "2019"
        report.labels.pop("s2.art20_1.normative", None)
        _take(report, old, "s2.art20_1.")
        if report.labels.get("s2.art20_1.cols") == "本年新":
            # the truncated headers 本年新 | 本年新 now print over these 2019 columns: which is
            # 新制作, which 新公开, no label proves (as in make_report's truncated_header)
            for key in [k for k in (*report.values, *report.blank) if k.endswith((".new_made", ".new_published"))]:
                report.values.pop(key, None)
                if key in report.blank:
                    report.blank.remove(key)
                report.absent.append(key)
    else:
        raise ValueError(f"unknown variant {variant!r}; one of {MIXED_VARIANTS}")
    report.blank.sort(key=lambda k: METRICS[k].ordinal)
    report.deviations.append(f"mixed:{variant}")
    report.failing_rules = expected_failing(report)
    return report
