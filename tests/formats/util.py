"""Helpers shared by the format tests."""

from __future__ import annotations


def fold(table: list[list[str]]) -> list[list[str]]:
    """Drop every column equal to the one before it in all rows.

    A column that no ruling line (PDF) or grid column (LibreOffice's .doc export)
    separates from its neighbour cannot be seen; folding such twins on both sides
    compares what is there to be read.
    """
    keep = [j for j in range(len(table[0])) if j == 0 or any(row[j] != row[j - 1] for row in table)]
    return [[row[j] for j in keep] for row in table]
