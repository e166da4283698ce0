"""Plain-text flattenings of a report, as the seeds show them.

* ``cell_per_line`` — every cell on its own line, blank lines between (seeds 001, 002)
* ``pipe`` — ``cell |`` per line, covered cells as bare ``|`` runs (seed 003)
* ``tab`` — one table row per line, tab-separated, merges left empty (seed 004)
* ``concatenated`` — a row's cells run together (seed 000)
* ``markdown`` — ``| a | b |`` rows

An empty value cell cannot be seen in ``cell_per_line``/``pipe``/``concatenated``
(a real page shows nothing there either), so those layouts print ``/`` for it; the
truth (no value, listed in ``blank``) is the same.
"""

from __future__ import annotations

import random

from .html import publication_line
from .report import EPILOGUE, SyntheticReport
from .tables import Grid, expand, sections

LAYOUTS = ("cell_per_line", "pipe", "tab", "concatenated", "markdown")


def _visible(text: str, kind: str, layout: str) -> str:
    if kind == "value" and text == "" and layout in ("cell_per_line", "pipe", "concatenated"):
        return "/"
    return text


def _flatten(grid: Grid, layout: str, rng: random.Random) -> list[str]:
    lines: list[str] = []
    if layout == "cell_per_line":
        gap = rng.random() < 0.7
        for row in grid:
            for cell in row:
                text = _visible(cell.text, cell.kind, layout)
                if cell.kind == "header" and len(text) >= 4 and rng.random() < 0.3:
                    text = text[: len(text) // 2] + "\n\n" + text[len(text) // 2 :]  # 商业 / 企业
                lines.append(text or " ")
                if gap:
                    lines.append("")
        return lines
    matrix = expand(grid)
    if layout == "pipe":
        for row in matrix:
            run = 0
            for cell in row:
                if cell is None:
                    run += 1
                    continue
                if run:
                    lines.append("|" * run)
                    run = 0
                text = _visible(cell.text, cell.kind, layout)
                lines.append(f"{text} |" if text else "|")
            if run:
                lines.append("|" * run)
        return lines
    if layout == "tab":
        return ["\t".join(c.text if c else "" for c in row) for row in matrix]
    if layout == "markdown":
        out = ["| " + " | ".join(c.text if c else "" for c in row) + " |" for row in matrix]
        return [out[0], "|" + "---|" * len(matrix[0]), *out[1:]]
    if layout == "concatenated":
        return ["".join(_visible(c.text, c.kind, layout) for c in row) for row in grid]
    raise ValueError(f"unknown layout {layout!r}; one of {LAYOUTS}")


def render_text(report: SyntheticReport, layout: str = "cell_per_line") -> str:
    """The report as text extracted from a page or a file, tables flattened by ``layout``."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; one of {LAYOUTS}")
    rng = random.Random(report.seed * 17 + LAYOUTS.index(layout))
    lines = [report.title, ""]
    if rng.random() < 0.7:
        lines += [publication_line(report, rng).replace("&nbsp;", " "), ""]
    lines += [p for para in report.prose for p in (para, "")]
    for section in sections(report, split_headers=rng.random() < 0.2):
        lines += [section.heading, ""]
        for grid in section.tables:
            lines += _flatten(grid, layout, rng)
            lines.append("")
    lines += [p for para in EPILOGUE for p in (para, "")]
    return "\n".join(lines)
