"""Load lead files and activity logs robustly, with errors a marketer can act on.

The read API: :func:`read_file` / :func:`read_table` read CSV/text (optionally
gzipped, :mod:`.csv_reader`), Excel workbooks (:mod:`.excel_reader`) and Parquet
files into pandas DataFrames whose columns carry a first type
(:mod:`.column_types`); the errors, problems and progress they share live in
:mod:`.reading`. :func:`~leaddesigner.core.data.coerce.coerce_types` then
converts columns to the types a scoring model needs, collecting values that do
not fit as :class:`Problem` records instead of failing.

Row numbers shown to the user
-----------------------------
Every message uses the row number the user sees in the program they would open
the file with (see :func:`row_label`):

* CSV/text: the *line* number in a text editor. The header is line 1, so data
  row ``i`` (0-based) is line ``2 + i``. This assumes that no record before it
  spans several lines (a quoted value with a line break) and that there are no
  blank lines before it; both are rare in exported lead lists.
* Excel: the Excel *row* number. The header must be in row 1, so data row
  ``i`` is row ``2 + i``. Empty rows inside the data are kept (as all-missing
  rows) so that the numbering stays exact; trailing empty rows are dropped.
* Parquet: the 1-based *row* number.

This module is part of the pure core: it must never import Qt.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .column_types import type_columns
from .csv_reader import read_text
from .excel_reader import cell_to_str, read_excel, workbook_sheets
from .reading import (
    ARROW_CANNOT,
    COLUMN_TYPES,
    MAX_EXAMPLES,
    SUPPORTED_EXTENSIONS,
    SUPPORTED_TEXT,
    LeadFileError,
    Problem,
    Progress,
    ProgressCallback,
    ReadInfo,
    check_header,
    clean_name,
    file_kind,
    row_label,
    unsupported,
)

__all__ = ["ARROW_CANNOT", "COLUMN_TYPES", "LeadFileError", "MAX_EXAMPLES", "Problem", "ProgressCallback", "ReadInfo",
           "SUPPORTED_EXTENSIONS", "cell_to_str", "file_kind", "read_file", "read_table", "row_label", "workbook_sheets"]


# ---------------------------------------------------------------------------
# read_table
# ---------------------------------------------------------------------------


def read_table(
    path: str | os.PathLike[str],
    *,
    usecols: Iterable[str] | None = None,
    progress: ProgressCallback | None = None,
    sheet: str | int | None = None,
    keep_dictionary: Iterable[str] = (),
    text_columns: Iterable[str] = (),
) -> pd.DataFrame:
    """Read a lead file or activity log into a DataFrame.

    The reader is chosen by extension: ``.csv``/``.tsv``/``.txt`` (optionally
    ``.gz``-compressed), ``.xlsx``/``.xlsm`` and ``.parquet``/``.pq``.

    For text files the encoding (UTF-8 with or without BOM, UTF-16 with BOM as
    Excel's "Unicode Text" writes it, otherwise Windows-1252) and the
    delimiter (``,`` ``;`` tab ``|``) are detected. Columns are read as text;
    a column becomes numeric (int64, or float64 when it has missing values)
    only if every value is a plain number and none has a leading zero, so
    ids such as ``00123`` stay text. Text columns with few distinct values
    (fewer than half the values and fewer than 100,000) become ``category``;
    the others use pandas' string dtype. Empty values are missing.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.
    usecols : iterable of str, optional
        Only read these columns (names as in the header, surrounding
        whitespace ignored). Names that are not in the file are ignored: the
        caller reports missing columns.
    progress : callable, optional
        ``progress(fraction, message)``, called at the start, at the end and,
        for text and Excel files, as reading proceeds.
    sheet : str or int, optional
        Excel only: the sheet name or 0-based index (default: the first).
    keep_dictionary : iterable of str, optional
        Columns (names as in the header) that the file stores
        dictionary-encoded (Parquet, e.g. a pandas ``category``) and that stay
        ``category`` however many distinct values they have. Meant for the
        activity log's lead id: binding resolves a categorical id column on
        its distinct values, which is much cheaper than casting millions of
        ids to text and matching the text again. In a text file (CSV) the
        same columns are kept as plain text from the first row instead of
        being dictionary-encoded while reading and decoded again. Other
        columns and Excel files are not affected.
    text_columns : iterable of str, optional
        Columns of a text file (CSV) that are read as plain text from the
        first row, never dictionary-encoded on the way: columns the caller
        converts itself (an activity log's timestamps), whose values repeat
        within a batch but not across the file.

    Returns
    -------
    pandas.DataFrame
        With a default RangeIndex; header names are stripped of surrounding
        whitespace. A file with only a header gives zero rows.

    Raises
    ------
    LeadFileError
        For a missing, unreadable, empty or malformed file (unsupported
        extension, duplicate column names, rows with the wrong number of
        fields, ...).
    """
    return read_file(path, usecols=usecols, progress=progress, sheet=sheet, keep_dictionary=keep_dictionary,
                     text_columns=text_columns)[0]


def read_file(
    path: str | os.PathLike[str],
    *,
    usecols: Iterable[str] | None = None,
    progress: ProgressCallback | None = None,
    sheet: str | int | None = None,
    keep_dictionary: Iterable[str] = (),
    text_columns: Iterable[str] = (),
    timestamp_columns: Iterable[str] = (),
) -> tuple[pd.DataFrame, ReadInfo]:
    """:func:`read_table`, and a :class:`ReadInfo` saying how the file was read.

    Besides the rows: the report footer that was left out (Salesforce appends
    ``"Grand Totals (N records)"``, a confidentiality and a copyright line
    to its CSV exports; up to 12 one-field lines after the last record are
    taken as such a footer, one anywhere else is an error), the sheet that
    was read (a workbook with several sheets: the one that holds a table,
    said in a note) and the encoding and delimiter of a text file.

    ``timestamp_columns``: columns a caller parses as dates (the activity
    log's timestamps). A text file gives them as instants when its values are
    plain ISO timestamps (:func:`csv_reader.read_text`), otherwise as text,
    never as a category; the other formats as text or as they are stored.
    """
    p = Path(path)
    kind = file_kind(p)
    if kind is None:
        raise unsupported(p)
    _check_exists(p)
    info = ReadInfo(p, kind)
    report = Progress(progress, p.name)
    report(0.0, f"Opening {p.name}")
    wanted = None if usecols is None else [clean_name(c) for c in usecols]
    dictionaries, texts, instants = ({clean_name(c) for c in cols} for cols in (keep_dictionary, text_columns, timestamp_columns))
    if kind in ("text", "text.gz"):
        # the lead id of an activity log (keep_dictionary): plain text, matched to the leads as it is
        holder = [read_text(p, kind == "text.gz", wanted, report, info, text_columns=dictionaries | texts,
                            timestamp_columns=instants)]
        df = type_columns(holder, infer_numbers=True, report=report)
    elif kind == "excel":
        try:
            df = read_excel(p, wanted, sheet, report, info)
        except LeadFileError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError, IndexError, zipfile.BadZipFile, SyntaxError) as exc:
            # openpyxl on a damaged or hand-made workbook (XML parse errors are SyntaxErrors)
            raise LeadFileError(
                f'Cannot read "{p.name}": the workbook is damaged ({type(exc).__name__}: {str(exc)[:200]}). '
                "Open it in Excel and save it again, or save it as CSV.",
                path=p,
            ) from exc
    else:
        df = _read_parquet(p, wanted, report, dictionaries, dictionaries | texts | instants)
    report(1.0, f"Loaded {len(df):,} rows from {p.name}")
    return df, info


def _check_exists(p: Path) -> None:
    if not p.exists():
        where = p.parent.resolve() if str(p.parent) else Path.cwd()
        raise LeadFileError(
            f'Cannot open "{p.name}": there is no such file in {where}. Check '
            "the file name and folder; the file may have been moved, renamed "
            "or deleted.",
            path=p,
        )
    if p.is_dir():
        raise LeadFileError(
            f'Cannot open "{p}": it is a folder, not a file. Choose a lead '
            f"file inside it ({SUPPORTED_TEXT}).",
            path=p,
        )
    if not os.access(p, os.R_OK):
        raise LeadFileError(
            f'Cannot open "{p.name}": permission denied. Check that you may '
            "read the file and that another program is not locking it.",
            path=p,
        )


# -- Parquet -----------------------------------------------------------------------


_PANDAS_INDEX = re.compile(r"__index_level_\d+__")


def _row_groups(pf, columns: list[str], report: Progress, name: str) -> pa.Table:
    """The file read one row group at a time: a column in chunks, as it is stored, with progress between them.

    ``ParquetFile.read`` joins each text column into one array as it goes: 48M lead ids of a 4M-lead log
    grew one buffer past 700 MB, and the kernel spent 6.5 s moving memory (the read 5.3 -> 2.1 s this way;
    1M leads: 0.43 -> 0.36 s, peak 670 -> 480 MB). pandas keeps text in chunks; other columns are joined by
    Arrow in :func:`column_types.type_columns`. Between row groups the app's Cancel is heard.
    """
    n = pf.metadata.num_row_groups
    if n <= 1:
        return pf.read(columns=columns, use_threads=True)
    parts, rows = [], 0
    for i in range(n):
        parts.append(pf.read_row_group(i, columns=columns, use_threads=True))
        rows += parts[-1].num_rows
        report(0.8 * (i + 1) / n, f"Reading {name}: {rows:,} rows")
    return pa.concat_tables(parts)


def _read_parquet(
    p: Path, wanted: list[str] | None, report: Progress, keep_dictionary: set[str] | frozenset[str] = frozenset(),
    keep_text: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(p)
        names = [
            str(n) for n in pf.schema_arrow.names if not _PANDAS_INDEX.fullmatch(str(n))
        ]
        check_header([clean_name(n) for n in names], p, "in its list of columns")
        columns = names if wanted is None else [n for n in names if clean_name(n) in wanted]
        table = _row_groups(pf, columns, report, p.name)
    except LeadFileError:
        raise
    except (pa.ArrowException, OSError) as exc:
        raise LeadFileError(
            f'Cannot read "{p.name}": it is not a valid Parquet file ({exc}).',
            path=p,
        ) from exc
    report(0.8, f"Read {table.num_rows:,} rows from {p.name}")
    holder = [table.replace_schema_metadata(None)]  # ignore a stored pandas index
    del table
    return type_columns(holder, infer_numbers=False, report=report, keep_dictionary=keep_dictionary, keep_text=keep_text)
