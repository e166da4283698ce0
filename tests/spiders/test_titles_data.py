"""Shape of the real-title evidence set (tests/data/titles), not the detector.

The set is collected from real government pages independently of the code; the
discovery tests read it. These checks only keep the file usable: known labels,
plausible years, agencies as printed, no duplicates, a source for every row.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "titles"
COLUMNS = ["title", "label", "year", "agency", "source", "note"]
LABELS = {"report", "not_report"}
FILES = ["real_titles.tsv", "synthetic_titles.tsv"]


def read_rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        assert reader.fieldnames == COLUMNS, f"{name}: header {reader.fieldnames}"
        rows = list(reader)
    for number, row in enumerate(rows, start=2):
        assert None not in row and all(value is not None for value in row.values()), f"{name}:{number} cell count"
    return rows


@pytest.fixture(scope="module", params=[name for name in FILES if (DATA / name).exists()])
def rows(request: pytest.FixtureRequest) -> list[dict[str, str]]:
    return read_rows(request.param)


def test_the_real_set_exists_and_holds_both_classes() -> None:
    rows = read_rows("real_titles.tsv")
    labels = {row["label"] for row in rows}
    assert labels == LABELS
    assert sum(row["label"] == "report" for row in rows) >= 50
    assert sum(row["label"] == "not_report" for row in rows) >= 50


def test_labels_are_known_and_titles_are_single_lines(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert row["label"] in LABELS, row
        title = row["title"]
        assert title and title == title.strip(), row
        assert not re.search(r"[\t\r\n]", title), row
        assert row["source"].strip(), row


def test_report_years_are_plausible_and_printed_in_the_title(rows: list[dict[str, str]]) -> None:
    for row in rows:
        if row["label"] != "report":
            assert row["year"] == "" and row["agency"] == "", row
            continue
        year = int(row["year"])
        assert 2007 <= year <= 2030, row
        printed = {int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", unicodedata.normalize("NFKC", row["title"]))}
        if printed:
            assert year in printed, row
        else:
            assert row["note"], f"a report title without a year needs a note saying where the year comes from: {row}"


def test_agencies_are_as_printed(rows: list[dict[str, str]]) -> None:
    for row in rows:
        if row["agency"]:
            assert row["agency"] in row["title"], row


def test_no_title_is_listed_twice() -> None:
    seen: dict[str, str] = {}
    for name in FILES:
        if not (DATA / name).exists():
            continue
        for row in read_rows(name):
            assert row["title"] not in seen, f"{row['title']} in {name} and {seen.get(row['title'])}"
            seen[row["title"]] = name
