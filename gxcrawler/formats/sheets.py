"""Spreadsheet attachments: ``.xlsx`` (openpyxl), ``.xls`` and WPS ``.et`` (xlrd).

Each visible sheet becomes one grid, merged cells repeated over every position they
cover (the ExtractedDocument convention), hidden rows and columns and empty rows left
out. Numbers are written plainly (``1234``, ``160.5964``): the cell holds the number,
not its display format. A row holding one text only (the title, a section heading, a
note) also goes to ``text``, where the parser looks for the title and the dates.

A formula cell is read from the result the file stored. A file written by a program
that never calculated (no stored result) keeps the formula's text in that cell: a
text cannot be taken for a number or a blank, so the cell is not read.

WPS Spreadsheets' ``.et`` is the Excel 97 (BIFF8) layout in an OLE2 compound file
(LibreOffice files it under its "MS Excel 97" type), so xlrd reads it; an ``.et`` in
any other layout fails with a message that says so.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from ..model import ExtractedDocument
from .cells import join_lines
from .errors import FormatError
from .limits import Limits, check_unzipped

#: a sheet bigger than this is not a report's table (and would cost seconds)
MAX_CELLS = 200_000

Grid = list[list[str]]


def read_xlsx(content: bytes, limits: Limits) -> ExtractedDocument:
    try:
        check_unzipped(content, limits, "XLSX")
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(content), data_only=False)
    except FormatError:
        raise
    except Exception as exc:  # zipfile / lxml / KeyError on broken packages
        raise FormatError(f"unreadable XLSX: {exc.__class__.__name__}: {exc}") from exc
    warnings: list[str] = []
    cached = None
    grids: list[Grid] = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            warnings.append(f"hidden sheet {sheet.title!r} not read")
            continue
        if sheet.max_row * sheet.max_column > MAX_CELLS:
            warnings.append(f"sheet {sheet.title!r} has {sheet.max_row}×{sheet.max_column} cells; not read")
            continue
        formulas = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        results: dict[str, object] = {}
        if formulas:
            if cached is None:  # the stored results: a second load, only for books with formulas
                cached = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
            values = cached[sheet.title]
            results = {c.coordinate: values[c.coordinate].value for c in formulas}
            missing = sum(v is None for v in results.values())
            if missing:
                warnings.append(f"sheet {sheet.title!r}: {missing} formula cells without a stored result not read")
        hidden_rows = {r for r, d in sheet.row_dimensions.items() if d.hidden}
        hidden_cols = {i for d in sheet.column_dimensions.values() if d.hidden for i in range(d.min, d.max + 1)}
        rows: list[list[str]] = []
        for row in sheet.iter_rows():
            cells = []
            for c in row:
                if c.data_type == "f":
                    result = results.get(c.coordinate)
                    cells.append(_text(result) if result is not None else str(c.value))
                else:
                    cells.append(_text(c.value))
            rows.append(cells)
        merges = [
            (m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in sheet.merged_cells.ranges
        ]
        grid = _grid(rows, merges, {r - 1 for r in hidden_rows}, {c - 1 for c in hidden_cols})
        if grid:
            grids.append(grid)
    title = (book.properties.title or "").strip() or None
    return _document("xlsx", grids, title, warnings)


def read_xls(content: bytes, limits: Limits, served_as: str = "xls") -> ExtractedDocument:
    """An Excel 97–2003 (BIFF) workbook, or a WPS ``.et`` in the same layout."""
    try:
        import xlrd
    except ImportError as exc:  # pragma: no cover - a runtime dependency
        raise FormatError(f"no reader for .xls files (pip install xlrd): {exc}") from exc
    warnings: list[str] = []
    try:
        try:
            book = xlrd.open_workbook(file_contents=content, formatting_info=True, on_demand=True)
        except NotImplementedError:  # formatting records xlrd does not know: values without merges
            book = xlrd.open_workbook(file_contents=content, on_demand=True)
            warnings.append("merged cells unknown (xlrd could not read the formatting)")
    except Exception as exc:  # xlrd.XLRDError, CompDocError, struct.error on damaged files
        if served_as == "et":
            raise FormatError(
                f"unreadable WPS spreadsheet (.et): {exc.__class__.__name__}: {exc}; only .et files in the "
                "Excel 97 (BIFF8) layout can be read, no maintained reader is known for WPS's own layout "
                "(save it as .xlsx)"
            ) from exc
        raise FormatError(f"unreadable XLS: {exc.__class__.__name__}: {exc}") from exc
    grids: list[Grid] = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.visibility:
                warnings.append(f"hidden sheet {sheet.name!r} not read")
                continue
            if sheet.nrows * sheet.ncols > MAX_CELLS:
                warnings.append(f"sheet {sheet.name!r} has {sheet.nrows}×{sheet.ncols} cells; not read")
                continue
            rows = [
                [_xls_text(sheet.cell(r, c), book.datemode) for c in range(sheet.row_len(r))]
                for r in range(sheet.nrows)
            ]
            hidden_rows = {r for r, info in getattr(sheet, "rowinfo_map", {}).items() if info.hidden}
            hidden_cols = {c for c, info in getattr(sheet, "colinfo_map", {}).items() if info.hidden}
            merges = [(r0, r1, c0, c1) for r0, r1, c0, c1 in getattr(sheet, "merged_cells", [])]
            grid = _grid(rows, merges, hidden_rows, hidden_cols)
            if grid:
                grids.append(grid)
            book.unload_sheet(index)
    except Exception as exc:  # a damaged sheet record
        raise FormatError(f"unreadable XLS sheet: {exc.__class__.__name__}: {exc}") from exc
    return _document("xls", grids, None, warnings)


# ------------------------------------------------------------------ helpers
def _text(value: object) -> str:
    """A cell value as the text a reader would see, numbers without display formatting."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return join_lines(str(value))


def _xls_text(cell, datemode: int) -> str:
    import xlrd

    kind = cell.ctype
    if kind == xlrd.XL_CELL_NUMBER:
        return _text(cell.value)
    if kind == xlrd.XL_CELL_DATE:
        try:
            return _text(xlrd.xldate.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return _text(cell.value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return _text(bool(cell.value))
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return join_lines(str(cell.value))


def _grid(
    rows: list[list[str]],
    merges: Iterable[tuple[int, int, int, int]],
    hidden_rows: set[int],
    hidden_cols: set[int],
) -> Grid:
    """Rows of equal width, merged text repeated, hidden and empty rows and columns dropped.

    ``merges`` are half-open ``(first_row, end_row, first_col, end_col)`` ranges, 0-based.
    """
    width = max((len(r) for r in rows), default=0)
    grid = [r + [""] * (width - len(r)) for r in rows]
    for r0, r1, c0, c1 in merges:
        if r0 >= len(grid) or c0 >= width:
            continue
        text = grid[r0][c0]
        for r in range(r0, min(r1, len(grid))):
            for c in range(c0, min(c1, width)):
                grid[r][c] = text
    keep_cols = [
        c for c in range(width) if c not in hidden_cols and any(row[c] for row in grid)
    ]
    return [
        [row[c] for c in keep_cols]
        for r, row in enumerate(grid)
        if r not in hidden_rows and any(row[c] for c in keep_cols)
    ]


def _document(kind: str, grids: list[Grid], title: str | None, warnings: list[str]) -> ExtractedDocument:
    lines = []
    for grid in grids:
        for row in grid:
            distinct = {cell for cell in row if cell}
            if len(distinct) == 1:  # a title, heading or note spanning the sheet
                lines.append(distinct.pop())
    if not grids:
        warnings.append("no cells in any visible sheet")
    return ExtractedDocument(source_type=kind, text="\n".join(lines), tables=grids, title=title, warnings=warnings)
