"""The five real seed reports, read as plain text, against hand-written truth."""

from __future__ import annotations

import pytest

from gxcrawler.catalog import METRICS
from gxcrawler.parsing import parse_path

from .truth import DATA, STEMS, assert_matches, load


@pytest.mark.parametrize("stem", STEMS)
def test_seed_text_every_cell(stem):
    result = parse_path(DATA / "seeds" / f"{stem}.txt")
    assert result.source_type == "text"
    assert_matches(result, load(stem))
    assert set(result.values) <= set(METRICS)


@pytest.mark.parametrize("stem", STEMS)
def test_seed_identities_evaluated(stem):
    """The seeds are internally consistent: every identity that could be checked holds."""
    result = parse_path(DATA / "seeds" / f"{stem}.txt")
    assert result.checks, "identities were evaluated"
    assert all(c.ok for c in result.checks), [c.rule for c in result.checks if not c.ok]


def test_seed_000_run_together_split_is_really_ambiguous():
    """规范性文件321557: more than one cut exists and nothing in section 二 decides."""
    from gxcrawler.parsing.splits import candidates
    from gxcrawler.parsing.tokens import text_tokens

    cuts = candidates(list(text_tokens(["321557"])), 3)
    assert len(cuts) > 1
    assert all("".join(str(v) for v in c) == "321557" for c in cuts)
    result = parse_path(DATA / "seeds" / f"{STEMS[0]}.txt")
    assert not any(k.startswith("s2.art20_1.normative") for k in result.values)
    assert any("normative" in w and "ways" in w for w in result.warnings)


def test_seed_002_date_widget_is_not_the_year_or_date():
    result = parse_path(DATA / "seeds" / f"{STEMS[2]}.txt")
    assert result.year == 2023 and str(result.published) == "2024-01-15"
