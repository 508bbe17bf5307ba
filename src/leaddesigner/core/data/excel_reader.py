"""Read the table sheet of an Excel workbook (.xlsx, .xlsm) with the row numbers Excel shows."""
from __future__ import annotations

import datetime as _dt
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from .column_types import type_columns
from .reading import LeadFileError, Progress, ReadInfo, check_header, column_letter

__all__ = ["cell_to_str", "read_excel", "workbook_sheets"]


def _table_sheet(wb: Any) -> str:
    """The sheet of a workbook that holds the lead table: the widest header over the most rows.

    Exports often put a cover or summary sheet first; only the first 30 rows
    of each sheet are looked at.
    """
    best, best_score = wb.sheetnames[0], -1
    for name in wb.sheetnames:
        ws = wb[name]
        rows = list(ws.iter_rows(min_row=1, max_row=30, values_only=True))
        if not rows:
            continue
        width = sum(not _is_blank(v) for v in rows[0])
        filled = sum(any(not _is_blank(v) for v in r) for r in rows[1:])
        score = width * (filled + 1) if filled else 0
        if score > best_score:
            best, best_score = name, score
    return best


def workbook_sheets(path: str | os.PathLike[str]) -> tuple[list[str], str]:
    """The sheets of an Excel workbook and the one :func:`read_file` reads by default (the table)."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    p = Path(path)
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise LeadFileError(f'Cannot read "{p.name}": it is not a valid Excel workbook ({exc}).', path=p) from exc
    try:
        names = list(wb.sheetnames)
        return names, (_table_sheet(wb) if len(names) > 1 else names[0])
    finally:
        wb.close()


def read_excel(
    p: Path, wanted: list[str] | None, sheet: str | int | None, report: Progress, info: ReadInfo | None = None
) -> pd.DataFrame:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise LeadFileError(
            f'Cannot read "{p.name}": it is not a valid Excel workbook ({exc}). '
            "It may be password-protected, damaged, or an old .xls file renamed "
            "to .xlsx; open it in Excel and save it as an Excel workbook (.xlsx) "
            "or as CSV.",
            path=p,
        ) from exc
    try:
        sheets = wb.sheetnames
        if sheet is None:
            ws = wb[_table_sheet(wb) if len(sheets) > 1 else sheets[0]]
            if len(sheets) > 1 and info is not None:
                others = [x for x in sheets if x != ws.title]
                info.notes.append(
                    f'Read the sheet "{ws.title}" of {p.name}, the one that holds a table '
                    f"(the workbook also has {', '.join(repr(x) for x in others[:5])}{' ...' if len(others) > 5 else ''}). "
                    "Choose another sheet under Data > Load leads, or with --sheet on the command line."
                )
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(sheets):
                raise LeadFileError(
                    f'"{p.name}" has {len(sheets)} sheet(s) ({", ".join(sheets)}); '
                    f"there is no sheet number {sheet + 1}.",
                    path=p,
                )
            ws = wb[sheets[sheet]]
        else:
            if sheet not in sheets:
                raise LeadFileError(
                    f'"{p.name}" has no sheet named "{sheet}"; its sheets are: '
                    f"{', '.join(sheets)}.",
                    path=p,
                )
            ws = wb[sheet]
        if info is not None:
            info.sheet, info.sheets = ws.title, list(sheets)
        total_rows = _sheet_rows(ws)
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or all(_is_blank(v) for v in header):
            raise LeadFileError(
                f'"{p.name}", sheet "{ws.title}", row 1: expected the column '
                "names in the first row, but it is empty"
                + (" (and so is the sheet)." if header is None else ".")
                + " Put the header in row 1 and load the file again.",
                path=p,
                line=1,
            )
        names = ["" if _is_blank(v) else cell_to_str(v).strip() for v in header]
        check_header(names, p, "row 1")
        width = len(names)
        data: list[list[Any]] = [[] for _ in range(width)]
        last_nonblank = 0
        n = 0
        for row in rows:
            n += 1
            if len(row) > width:
                extra = row[width:]
                if any(not _is_blank(v) for v in extra):
                    grow = width + max(
                        i + 1 for i, v in enumerate(extra) if not _is_blank(v)
                    )
                    for _ in range(width, grow):
                        data.append([None] * (n - 1))
                        names.append("")
                    width = grow
            blank = True
            for j in range(width):
                v = row[j] if j < len(row) else None
                if isinstance(v, str) and not v.strip():
                    v = None
                if v is not None:
                    blank = False
                data[j].append(v)
            if not blank:
                last_nonblank = n
            if n % 5_000 == 0:
                # Without a stored size the total is unknown: approach 85%.
                done = n / total_rows if total_rows > n else n / (n + 100_000)
                report(0.85 * done, f"Reading {p.name}: {n:,} rows")
        sheet_title = ws.title
    finally:
        wb.close()
    for col in data:
        del col[last_nonblank:]
    if info is not None:
        lost = _formulas_without_values(p, sheet_title, data)
        if lost:
            shown = ", ".join(lost[:5]) + (" ..." if len(lost) > 5 else "")
            info.notes.append(
                f'{len(lost):,} cell{"s" if len(lost) != 1 else ""} of sheet "{sheet_title}" in {p.name} hold{"" if len(lost) != 1 else "s"} '
                f"a formula without a saved result ({shown}) and read{'' if len(lost) != 1 else 's'} as empty. "
                "Open the file in Excel (it calculates the formulas), save it, and load it again."
            )
    for j in range(width):
        if not names[j] and any(v is not None for v in data[j]):
            names[j] = f"column_{column_letter(j)}"  # data without a header
    keep = [j for j in range(width) if names[j] and (wanted is None or names[j] in wanted)]
    arrays: list[pa.ChunkedArray] = []
    out_names: list[str] = []
    for j in keep:
        arrays.append(pa.chunked_array([_excel_column(data[j])]))
        out_names.append(names[j])
        data[j] = []
    if not out_names:
        return pd.DataFrame(index=pd.RangeIndex(last_nonblank))
    holder = [pa.table(arrays, names=out_names)]
    del arrays
    return type_columns(holder, infer_numbers=False, report=report)


def _formulas_without_values(p: Path, sheet: str, data: list[list[Any]], limit: int = 1000) -> list[str]:
    """Cells that hold a formula but no cached result (a workbook written by a program, never opened in Excel).

    Only looked for when the workbook has formulas at all (it then stores a
    calculation chain), so ordinary exports cost nothing extra.
    """
    def has_formula(z: zipfile.ZipFile, name: str) -> bool:
        tail = b""
        with z.open(name) as f:
            while chunk := f.read(1 << 20):
                block = tail + chunk
                if b"<f>" in block or b"<f " in block:
                    return True
                tail = block[-3:]
        return False

    try:
        with zipfile.ZipFile(p) as z:
            names = z.namelist()
            if "xl/calcChain.xml" not in names and not any(has_formula(z, n) for n in names if n.startswith("xl/worksheets/")):
                return []
    except (zipfile.BadZipFile, OSError, KeyError):
        return []
    import openpyxl

    out: list[str] = []
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=False)
        try:
            ws = wb[sheet]
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if r == 1:
                    continue
                for j, v in enumerate(row):
                    if isinstance(v, str) and v.startswith("=") and j < len(data) and r - 2 < len(data[j]) and data[j][r - 2] is None:
                        out.append(f"{column_letter(j)}{r}")
                        if len(out) >= limit:
                            return out
        finally:
            wb.close()
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return out
    return out


def _sheet_rows(ws: Any) -> int:
    """The sheet's row count from its stored dimension, or 0 if unknown.

    ``ws.max_row`` would scan the whole sheet when the file does not store
    its dimension (openpyxl's own write-only mode, some exporters).
    """
    try:
        dimension = ws.calculate_dimension()
    except (ValueError, TypeError, AttributeError):
        return 0
    m = re.search(r"(\d+)$", str(dimension))
    return int(m.group(1)) if m else 0


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def cell_to_str(v: Any) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return str(int(v))
    if isinstance(v, _dt.datetime):
        if (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, (_dt.date, _dt.time)):
        return v.isoformat()
    return str(v)


def _excel_column(values: list[Any]) -> pa.Array:
    """Turn one column of openpyxl cell values into a typed Arrow array."""
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return pa.array(values, type=pa.string())
    if kinds <= {int} and all(-(2**63) <= v < 2**63 for v in values if v is not None):
        return pa.array(values, type=pa.int64())
    if kinds <= {int, float}:
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    if kinds <= {bool}:
        return pa.array(values, type=pa.bool_())
    if kinds <= {_dt.datetime, _dt.date}:
        return pa.array(
            [
                None
                if v is None
                else (v if isinstance(v, _dt.datetime) else _dt.datetime(v.year, v.month, v.day))
                for v in values
            ],
            type=pa.timestamp("us"),
        )
    if kinds <= {str}:
        return pa.array(values, type=pa.string())
    return pa.array([None if v is None else cell_to_str(v) for v in values], type=pa.string())
