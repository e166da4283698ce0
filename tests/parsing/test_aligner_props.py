"""Property tests for the text aligner: random reports, consistent with the identities, in every
flattening of the seeds, read back exactly (or, where cells run together, never wrongly)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gxcrawler.catalog import METRICS
from gxcrawler.parsing import parse_text

from .htmlbuild import S2_LAYOUT
from .textbuild import LAYOUTS, render_text, s3_layout
from .truth import row_keys

PROP = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def reports(draw, *, small: bool, blanks: bool):
    """(edition, rows, expected values, expected blanks) with the identities holding."""
    edition = draw(st.sampled_from(["2019", "2021"]))
    hi = 9 if small else 3000
    count = st.integers(0, hi)
    rows: dict[str, list] = {}
    for code, _caption, _headers, members in S2_LAYOUT[edition]:
        for key, _label in members:
            cells = []
            for k in row_keys(f"{code}.{key}", edition):
                col = METRICS[k].column
                if blanks and draw(st.integers(0, 9)) == 0:
                    cells.append(None)
                elif col == "change" and not small:
                    cells.append(Decimal(draw(st.integers(-hi, hi))))
                elif col == "amount" and not small:
                    cells.append(draw(st.decimals(0, 99999, places=3, allow_nan=False, allow_infinity=False)))
                else:
                    cells.append(Decimal(draw(count)))
            rows[f"{code}.{key}"] = cells
    outcome_rows = [
        k for k, _ in s3_layout(edition) if k not in ("new", "carried_in", "total", "carried_out")
    ]
    part = st.integers(0, 9 if small else 40)
    cols: dict[str, list[int]] = {}
    for r in outcome_rows:
        cols[r] = [draw(part) if draw(st.integers(0, 3)) == 0 else 0 for _ in range(6)]
    total = [sum(cols[r][c] for r in outcome_rows) for c in range(6)]
    if small and any(t > 9 for t in total):  # keep every cell one digit
        for r in outcome_rows:
            cols[r] = [0] * 6
        cols["granted"] = [draw(st.integers(0, 1)) for _ in range(6)]
        total = list(cols["granted"])
    carried_in = [draw(st.integers(0, min(t, 9))) for t in total]
    carried_out = [draw(st.integers(0, 3 if small else 20)) for _ in range(6)]
    new = [t + o - i for t, o, i in zip(total, carried_out, carried_in, strict=True)]
    cols.update(new=new, carried_in=carried_in, total=total, carried_out=carried_out)
    for r, parts in cols.items():
        whole = parts + [sum(parts)]  # a row total may have two digits: the identities pick the cut
        rows[f"s3.{r}"] = [Decimal(v) for v in whole]
    for r in ("review", "suit_direct", "suit_after_review"):
        parts = [draw(st.integers(0, 3 if small else 50)) for _ in range(4)]
        rows[f"s4.{r}"] = [Decimal(v) for v in parts + [sum(parts)]]
    values, blank = {}, set()
    for row, cells in rows.items():
        for k, v in zip(row_keys(row, edition), cells, strict=True):
            if v is None:
                blank.add(k)
            else:
                values[k] = v
    return edition, rows, values, blank


def _parse(edition, rows, layout):
    text = render_text(
        edition, rows, layout, f"测试县某局{edition if edition == '2021' else 2020}年政府信息公开工作年度报告"
    )
    return parse_text(text, source=layout)


@PROP
@given(reports(small=False, blanks=True), st.sampled_from([lay for lay in LAYOUTS if lay != "concatenated"]))
def test_delimited_layouts_read_every_cell(report, layout):
    edition, rows, values, blank = report
    r = _parse(edition, rows, layout)
    assert r.edition == edition
    assert r.values == values
    assert set(r.blank) == blank
    assert r.status == "ok"
    assert all(c.ok for c in r.checks)


@PROP
@given(reports(small=False, blanks=True))
def test_concatenated_layout_is_never_wrong(report):
    """Cells run together (blank marks too): what is read is right; what is not is said."""
    edition, rows, values, blank = report
    r = _parse(edition, rows, "concatenated")
    assert r.edition == edition
    wrong = {k: v for k, v in r.values.items() if values.get(k) != v}
    assert not wrong
    assert set(r.blank) <= blank
    for k in set(values) - set(r.values):
        row = k.rsplit(".", 1)[0]
        assert any(row in w for w in r.warnings), (k, r.warnings)


@PROP
@given(reports(small=True, blanks=False))
def test_concatenated_single_digits_are_read_completely(report):
    edition, rows, values, _ = report
    r = _parse(edition, rows, "concatenated")
    missing = set(values) - set(r.values)
    wrong = {k: v for k, v in r.values.items() if values.get(k) != v}
    assert not wrong
    # s3 row totals may have two digits; the identities must then pick the cut
    assert not missing, (sorted(missing)[:5], r.warnings)
