"""Proof by labels (issue 11): a value's row and column come from the labels printed with it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gxcrawler.checks import evaluate
from gxcrawler.synthetic.accuracy import parse_case, score
from gxcrawler.synthetic.unseen import make_unseen_case


def test_an_identity_with_a_side_all_blank_is_not_evaluated() -> None:
    cells = {"s3.new.total": Decimal(5), "s3.carried_in.total": Decimal(0)}
    blank = [f"s3.new.{c}" for c in ("natural", "commercial", "research", "nonprofit", "legal", "other")]
    rules = {c.rule for c in evaluate(cells, blank, "2021")}
    assert "s3.row_total.new" not in rules
    broken = evaluate({"s3.new.total": Decimal(5), "s3.new.natural": Decimal(4)}, blank[1:], "2021")
    assert any(c.rule == "s3.row_total.new" and not c.ok for c in broken)


@pytest.mark.parametrize("seed", range(6))
def test_total_only_reports_are_not_flagged(seed: int) -> None:
    case = make_unseen_case("s3/total-only", seed)
    s = score(case.report, parse_case(case))
    assert not s.wrong
    assert not [p for p in s.problems if p.startswith("failing rules")]
