"""Load the hand-written truth files and expand their rows into canonical keys.

A truth row lists the printed cells in the catalog's column order for the row's edition;
the expansion uses only ``gxcrawler.catalog`` (never the parser).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from gxcrawler.catalog import METRICS

DATA = Path(__file__).resolve().parents[1] / "data"
SEEDS = sorted((DATA / "seeds").glob("*.txt"))


@dataclass
class Truth:
    stem: str
    title: str
    agency: str
    year: int
    published: str | None
    edition: str
    status: str
    rows: dict[str, list]
    values: dict[str, Decimal]
    absent: set[str]
    blank: set[str]
    warnings_mention: list[str]

    def cells(self, row: str) -> list[str]:
        """Keys of one row (``s3.new``) in printed order."""
        return row_keys(row, self.edition)


def row_keys(row: str, edition: str) -> list[str]:
    keys = [k for k, m in METRICS.items() if f"{m.table}.{m.row}" == row and edition in m.editions]
    return sorted(keys, key=lambda k: METRICS[k].ordinal)


def load(stem: str) -> Truth:
    raw = json.loads((DATA / "truth" / f"{stem}.json").read_text(encoding="utf-8"))
    ed = raw["edition"]
    values: dict[str, Decimal] = {}
    for row, cells in raw["rows"].items():
        keys = row_keys(row, ed)
        assert len(keys) == len(cells), f"{stem}: {row} has {len(cells)} cells, template {len(keys)}"
        for k, v in zip(keys, cells, strict=True):
            if v is not None:
                values[k] = Decimal(str(v))
    absent = {k for row in raw["absent_rows"] for k in row_keys(row, ed)}
    return Truth(
        stem=stem,
        title=raw["title"],
        agency=raw["agency"],
        year=raw["year"],
        published=raw["published"],
        edition=ed,
        status=raw["status"],
        rows=raw["rows"],
        values=values,
        absent=absent,
        blank=set(raw["blank"]),
        warnings_mention=raw["warnings_mention"],
    )


STEMS = [p.stem for p in SEEDS]


def assert_matches(result, truth: Truth, *, metadata: bool = True, layout_warnings: bool = True) -> None:
    """Every cell exactly as the truth, no extra keys; metadata too unless told otherwise.

    ``layout_warnings=False`` for renderings of the truth, which do not reproduce the quirks
    of the seed's own flattening (such as an extra cell).
    """
    assert result.status == truth.status, (result.status, result.message, result.warnings)
    assert result.edition == truth.edition
    got = dict(result.values)
    missing = sorted(set(truth.values) - set(got))
    extra = sorted(set(got) - set(truth.values))
    wrong = {k: (got[k], truth.values[k]) for k in truth.values if k in got and got[k] != truth.values[k]}
    assert not missing and not extra and not wrong, {"missing": missing, "extra": extra, "wrong": wrong}
    assert set(result.blank) == truth.blank
    assert not (truth.absent & set(got))
    for needle in truth.warnings_mention:
        if not layout_warnings and not any(k.startswith(needle) for k in truth.absent):
            continue  # a quirk of the seed's flattening, not of the report
        assert any(needle in w for w in result.warnings), (needle, result.warnings)
    if metadata:
        assert result.title == truth.title
        assert result.agency == truth.agency
        assert result.year == truth.year
        assert (result.published.isoformat() if result.published else None) == truth.published
