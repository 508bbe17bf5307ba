"""The shared vocabulary of every reader: errors, problems, row labels, progress, the header check."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

__all__ = ["ARROW_CANNOT", "COLUMN_TYPES", "LeadFileError", "MAX_EXAMPLES", "Problem", "Progress", "ProgressCallback", "ReadInfo", "SUPPORTED_EXTENSIONS", "SUPPORTED_TEXT", "TEXT_EXTS", "EXCEL_EXTS", "PARQUET_EXTS", "check_header", "clean_name", "column_letter", "file_kind", "row_label", "unsupported"]


#: what Arrow raises when a compute kernel cannot handle some input: callers fall back to Python
ARROW_CANNOT = (pa.ArrowInvalid, pa.ArrowNotImplementedError)


ProgressCallback = Callable[[float, str], None]
"""``progress(fraction, message)``: *fraction* goes from 0.0 to 1.0.

The callback is always invoked from the thread that called :func:`~leaddesigner.core.data.leadfile.read_table`.
An exception raised by the callback aborts the read (and propagates), which a
caller can use to implement *Cancel*.
"""


TEXT_EXTS = (".csv", ".tsv", ".txt")


EXCEL_EXTS = (".xlsx", ".xlsm")


PARQUET_EXTS = (".parquet", ".pq")


SUPPORTED_EXTENSIONS: tuple[str, ...] = (
    *TEXT_EXTS,
    *(e + ".gz" for e in TEXT_EXTS),
    *EXCEL_EXTS,
    *PARQUET_EXTS,
)


SUPPORTED_TEXT = (
    "CSV or text files (.csv, .tsv, .txt, also gzip-compressed as .csv.gz, "
    ".tsv.gz, .txt.gz), Excel workbooks (.xlsx, .xlsm) and Parquet files "
    "(.parquet, .pq)"
)


#: Column type names accepted by :func:`coerce_types`.
COLUMN_TYPES = ("category", "number", "boolean", "date", "text")


MAX_EXAMPLES = 5


class LeadFileError(ValueError):
    """Raised for input that cannot be read.

    ``str()`` of the error is one clear paragraph that names the file and,
    where known, the line/row and column, what was found and what was
    expected, so that it can be shown to a marketer as is.

    Parameters
    ----------
    message : str
        The complete, user-facing message.
    path : str or os.PathLike, optional
        The file that could not be read.
    line : int, optional
        The line (text files) or row (Excel, Parquet) the problem is on, as
        the user sees it (the header is line/row 1).
    column : str, optional
        The column the problem is in, when it concerns a single column.

    Attributes
    ----------
    path : pathlib.Path or None
    line : int or None
    column : str or None
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path: Path | None = Path(path) if path is not None else None
        self.line: int | None = line
        self.column: str | None = column


@dataclass
class Problem:
    """A data-quality problem found while loading or checking a lead file.

    Problems never stop loading: the affected values are treated as missing.

    Attributes
    ----------
    kind : str
        ``'missing_column'``, ``'type_mismatch'``, ``'duplicate_id'``,
        ``'empty_id'``, ... (:func:`coerce_types` produces ``'type_mismatch'``).
    column : str or None
        The column concerned, if any.
    message : str
        One specific sentence for the user.
    count : int
        How many values are affected.
    examples : list of (int, str)
        Up to five ``(row number as the user sees it, raw value)`` pairs.
    rules : list of str
        Filled in later by the engine: ids of the rules that need the column.
    """

    kind: str
    column: str | None
    message: str
    count: int = 0
    examples: list[tuple[int, str]] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


@dataclass
class ReadInfo:
    """What :func:`read_file` found out about a file besides its rows.

    ``notes`` are plain sentences for the user ("Left out the report footer
    ..."), each worth showing once after a load; the other fields say how the
    file was read.
    """

    path: Path
    kind: str  # 'text', 'text.gz', 'excel', 'parquet'
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None  # Excel: the sheet that was read
    sheets: list[str] = field(default_factory=list)  # Excel: every sheet of the workbook
    footer: list[str] = field(default_factory=list)  # text: the footer lines left out
    notes: list[str] = field(default_factory=list)


def file_kind(path: str | os.PathLike[str]) -> str | None:
    """Return ``'text'``, ``'text.gz'``, ``'excel'``, ``'parquet'`` or None."""
    name = os.fspath(path).lower()
    if name.endswith(TEXT_EXTS):
        return "text"
    if name.endswith(tuple(e + ".gz" for e in TEXT_EXTS)):
        return "text.gz"
    if name.endswith(EXCEL_EXTS):
        return "excel"
    if name.endswith(PARQUET_EXTS):
        return "parquet"
    return None


def unsupported(path: str | os.PathLike[str]) -> LeadFileError:
    p = Path(path)
    suffix = "".join(p.suffixes[-2:]) if p.suffix.lower() == ".gz" else p.suffix
    found = f'the extension "{suffix}"' if suffix else "no extension"
    hint = ""
    if p.suffix.lower() in (".xls", ".ods", ".numbers"):
        hint = (
            " Open it in its spreadsheet program and save it as an Excel "
            "workbook (.xlsx) or as CSV."
        )
    return LeadFileError(
        f'Cannot read "{p.name}": it has {found}, and LeadDesigner reads '
        f"{SUPPORTED_TEXT}.{hint}",
        path=p,
    )


def row_label(path: str | os.PathLike[str]) -> tuple[str, int]:
    """How rows of *path* are numbered for the user.

    Parameters
    ----------
    path : str or os.PathLike
        A file name or path; only its extension is used.

    Returns
    -------
    (str, int)
        The word to use and the number of the first data row:
        ``("line", 2)`` for CSV/text files (the header is line 1),
        ``("row", 2)`` for Excel (Excel's row numbers, header in row 1) and
        ``("row", 1)`` for Parquet.

    Raises
    ------
    LeadFileError
        If the extension is not supported.
    """
    kind = file_kind(path)
    if kind in ("text", "text.gz"):
        return ("line", 2)
    if kind == "excel":
        return ("row", 2)
    if kind == "parquet":
        return ("row", 1)
    raise unsupported(path)


def column_letter(index: int) -> str:
    """Spreadsheet letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class Progress:
    """Calls the user's progress callback, never going backwards."""

    def __init__(self, callback: ProgressCallback | None, name: str) -> None:
        self._callback = callback
        self._last = -1.0
        self.name = name

    def __call__(self, fraction: float, message: str) -> None:
        if self._callback is None:
            return
        fraction = min(max(float(fraction), self._last, 0.0), 1.0)
        if 0.0 < fraction < 1.0 and fraction - self._last < 0.01:
            return  # at most about a hundred calls per file
        self._last = fraction
        self._callback(fraction, message)


def clean_name(raw: object) -> str:
    """A header cell as the column's name: the spaces around it and a byte-order mark dropped."""
    return str(raw).strip().lstrip("\ufeff").strip()


def check_header(names: list[str], p: Path, where: str) -> None:
    """Raise for duplicate (non-empty) column names; *where* is e.g. "line 1"."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            continue
        if name in seen:
            j = seen[name]
            raise LeadFileError(
                f'"{p.name}", {where}: the column name "{name}" appears twice '
                f"in the header, as column {j + 1} ({column_letter(j)}) and "
                f"column {i + 1} ({column_letter(i)}); every column needs a "
                "unique name. Rename or delete one of them and load the file "
                "again.",
                path=p,
                line=1 if where in ("line 1", "row 1") else None,
                column=name,
            )
        seen[name] = i
