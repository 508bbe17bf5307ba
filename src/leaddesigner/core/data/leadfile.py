"""Load lead files and activity logs robustly, with errors a marketer can act on.

The module reads CSV/text (optionally gzipped), Excel workbooks and Parquet
files into pandas DataFrames (:func:`read_table`) and converts columns to the
types a scoring model needs (:func:`coerce_types`), collecting values that do
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

import codecs
import contextlib
import csv
import datetime as _dt
import gzip
import io
import os
import re
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from leaddesigner.core.model.types import DATE_FORMATS, NUMBER_FORMATS  # noqa: F401 - the formats coerce_types accepts

#: what Arrow raises when a compute kernel cannot handle some input: callers fall back to Python
ARROW_CANNOT = (pa.ArrowInvalid, pa.ArrowNotImplementedError)

__all__ = ["COLUMN_TYPES", "LeadFileError", "Problem", "ProgressCallback", "ReadInfo", "SUPPORTED_EXTENSIONS", "read_file", "read_table", "row_label", "workbook_sheets"]

ProgressCallback = Callable[[float, str], None]
"""``progress(fraction, message)``: *fraction* goes from 0.0 to 1.0.

The callback is always invoked from the thread that called :func:`read_table`.
An exception raised by the callback aborts the read (and propagates), which a
caller can use to implement *Cancel*.
"""

_TEXT_EXTS = (".csv", ".tsv", ".txt")
_EXCEL_EXTS = (".xlsx", ".xlsm")
_PARQUET_EXTS = (".parquet", ".pq")

SUPPORTED_EXTENSIONS: tuple[str, ...] = (
    *_TEXT_EXTS,
    *(e + ".gz" for e in _TEXT_EXTS),
    *_EXCEL_EXTS,
    *_PARQUET_EXTS,
)

_SUPPORTED_TEXT = (
    "CSV or text files (.csv, .tsv, .txt, also gzip-compressed as .csv.gz, "
    ".tsv.gz, .txt.gz), Excel workbooks (.xlsx, .xlsm) and Parquet files "
    "(.parquet, .pq)"
)

#: Column type names accepted by :func:`coerce_types`.
COLUMN_TYPES = ("category", "number", "boolean", "date", "text")


# Low-cardinality string columns become pandas ``category``.
_CATEGORY_MAX_RATIO = 0.5
_CATEGORY_MAX_DISTINCT = 100_000

_SAMPLE_BYTES = 1 << 16  # for encoding and delimiter detection
_BLOCK_BYTES = 1 << 20  # pyarrow CSV block: smaller blocks lower the peak memory
_DICT_GROUP_ROWS = 1 << 16  # rows dictionary-encoded together while reading
MAX_EXAMPLES = 5
#: at most this many one-field lines at the end of a text file are a report footer
_MAX_FOOTER_LINES = 12
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


# ---------------------------------------------------------------------------
# Public types
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# File kinds and row numbering
# ---------------------------------------------------------------------------


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
    if name.endswith(_TEXT_EXTS):
        return "text"
    if name.endswith(tuple(e + ".gz" for e in _TEXT_EXTS)):
        return "text.gz"
    if name.endswith(_EXCEL_EXTS):
        return "excel"
    if name.endswith(_PARQUET_EXTS):
        return "parquet"
    return None


def _unsupported(path: str | os.PathLike[str]) -> LeadFileError:
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
        f"{_SUPPORTED_TEXT}.{hint}",
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
    raise _unsupported(path)


def _column_letter(index: int) -> str:
    """Spreadsheet letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


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
        ids to text and matching the text again. Other columns and other
        file kinds are not affected.

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
    return read_file(path, usecols=usecols, progress=progress, sheet=sheet, keep_dictionary=keep_dictionary)[0]


def read_file(
    path: str | os.PathLike[str],
    *,
    usecols: Iterable[str] | None = None,
    progress: ProgressCallback | None = None,
    sheet: str | int | None = None,
    keep_dictionary: Iterable[str] = (),
) -> tuple[pd.DataFrame, ReadInfo]:
    """:func:`read_table`, and a :class:`ReadInfo` saying how the file was read.

    Besides the rows: the report footer that was left out (Salesforce appends
    ``"Grand Totals (N records)"``, a confidentiality and a copyright line
    to its CSV exports; up to 12 one-field lines after the last record are
    taken as such a footer, one anywhere else is an error), the sheet that
    was read (a workbook with several sheets: the one that holds a table,
    said in a note) and the encoding and delimiter of a text file.
    """
    p = Path(path)
    kind = file_kind(p)
    if kind is None:
        raise _unsupported(p)
    _check_exists(p)
    info = ReadInfo(p, kind)
    report = _Progress(progress, p.name)
    report(0.0, f"Opening {p.name}")
    wanted = None if usecols is None else [str(c).strip() for c in usecols]
    if kind in ("text", "text.gz"):
        holder = [_read_text(p, kind == "text.gz", wanted, report, info)]
        df = _finish(holder, infer_numbers=True, report=report)
    elif kind == "excel":
        try:
            df = _read_excel(p, wanted, sheet, report, info)
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
        df = _read_parquet(p, wanted, report, {str(c).strip() for c in keep_dictionary})
    report(1.0, f"Loaded {len(df):,} rows from {p.name}")
    return df, info


class _Progress:
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
            f"file inside it ({_SUPPORTED_TEXT}).",
            path=p,
        )
    if not os.access(p, os.R_OK):
        raise LeadFileError(
            f'Cannot open "{p.name}": permission denied. Check that you may '
            "read the file and that another program is not locking it.",
            path=p,
        )


# -- text files ---------------------------------------------------------------


def _open_binary(p: Path, gz: bool) -> io.BufferedIOBase:
    try:
        raw = open(p, "rb")  # noqa: SIM115 - closed by caller
    except OSError as exc:
        raise LeadFileError(
            f'Cannot open "{p.name}": {exc.strerror or exc}. Check that you '
            "may read the file and that another program is not locking it.",
            path=p,
        ) from exc
    if gz:
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def _read_head(p: Path, gz: bool) -> tuple[bytes, bool]:
    """Return the first bytes of the (decompressed) file and whether that is all."""
    with _open_binary(p, gz) as f:
        try:
            head = f.read(_SAMPLE_BYTES)
            complete = len(head) < _SAMPLE_BYTES or not f.read(1)
        except (OSError, EOFError, zlib.error) as exc:
            if gz:
                raise _bad_gzip(p, exc) from exc
            raise LeadFileError(f'Cannot read "{p.name}": {exc}.', path=p) from exc
    return head, complete


def _bad_gzip(p: Path, exc: BaseException) -> LeadFileError:
    return LeadFileError(
        f'Cannot read "{p.name}": it is not a valid gzip-compressed file '
        f"({exc}). Compress the CSV again, or load the uncompressed file.",
        path=p,
    )


#: file signatures of formats users save under a text extension by mistake: (magic bytes, what it is, what to do)
_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook is one)", "if it is a workbook, rename it to .xlsx"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook (or another Office file)", "open it in Excel and save it as .xlsx or CSV"),
    (b"\x1f\x8b", "gzip-compressed", "rename it to end in .csv.gz"),
    (b"PAR1", "a Parquet file", "rename it to .parquet"),
    (b"%PDF", "a PDF document", "export the leads from the CRM as CSV instead"),
)


def _refuse_binary(p: Path, head: bytes) -> None:
    """Raise for a file that is not text: a known format by its first bytes, or mostly control bytes."""
    for magic, what, todo in _SIGNATURES:
        if head.startswith(magic):
            raise LeadFileError(f'Cannot read "{p.name}": it is {what}, not a text file; {todo}.', path=p)
    sample = head[:65536]
    if not sample:
        return
    control = sum(sample.count(bytes([b])) for b in (*range(0, 9), 11, 12, *range(14, 32), 127))
    if control > max(8, len(sample) // 20):  # more than 5% control bytes: no CRM writes text like that
        raise LeadFileError(
            f'Cannot read "{p.name}": it is not a text file ({control:,} of its first {len(sample):,} bytes are control '
            "characters). Export the leads from the CRM as CSV, or open the workbook it came from.",
            path=p,
        )


def _detect_encoding(head: bytes, complete: bool) -> str:
    """Guess a Python codec name for *head*, the first bytes of a text file."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-16 without BOM: every other byte of ASCII text is NUL.
    sample = head[:4096]
    if len(sample) >= 4:
        even_nul = sample[0::2].count(0) / len(sample[0::2])
        odd_nul = sample[1::2].count(0) / len(sample[1::2])
        if odd_nul > 0.3 and even_nul < 0.05:
            return "utf-16-le"
        if even_nul > 0.3 and odd_nul < 0.05:
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _decode_sample(head: bytes, encoding: str, complete: bool) -> str:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(
        head, final=complete
    )
    return text.lstrip("\ufeff")


def _sample_records(text: str, delimiter: str, complete: bool) -> list[list[str]]:
    """Parse up to 200 non-blank records of *text* (a file's beginning)."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if row:
                rows.append(row)
            if len(rows) >= 200:
                return rows
    except csv.Error:
        pass
    if not complete and rows:
        rows.pop()  # the sample probably cut the last record
    return rows


def _detect_delimiter(text: str, complete: bool, default: str) -> str:
    """Pick the delimiter among , ; tab | for a decoded sample of the file.

    ``csv.Sniffer`` makes the first guess; it is accepted only if it gives
    every sampled record the same number of fields (more than one).
    Otherwise the candidate that does so with the most columns wins; ties go
    to the order of :data:`_DELIMITERS`, starting with the default for the
    extension.
    """
    if not complete:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut > 0:
            text = text[: cut + 1]
    stats: dict[str, tuple[bool, int, float]] = {}
    for d in _DELIMITERS:
        rows = _sample_records(text, d, complete)
        if not rows:
            stats[d] = (False, 0, 0.0)
            continue
        width = len(rows[0])
        same = sum(len(r) == width for r in rows) / len(rows)
        stats[d] = (width > 1 and same == 1.0, width, same)
    try:
        sniffed = csv.Sniffer().sniff(text[:20_000], delimiters="".join(_DELIMITERS))
        guess: str | None = sniffed.delimiter
    except csv.Error:
        guess = None
    if guess in stats and stats[guess][0]:
        return guess
    order = [default] + [d for d in _DELIMITERS if d != default]
    consistent = [d for d in order if stats[d][0]]
    if consistent:
        return max(consistent, key=lambda d: stats[d][1])
    # Nothing is consistent: prefer the candidate that most rows agree with so
    # that the reader reports the offending line.
    multi = [d for d in order if stats[d][1] > 1]
    if multi:
        return max(multi, key=lambda d: (stats[d][2], stats[d][1]))
    return default


def _read_text(
    p: Path, gz: bool, wanted: list[str] | None, report: _Progress, info: ReadInfo | None = None
) -> pa.Table:
    head, complete = _read_head(p, gz)
    if not head.strip(b" \t\r\n\x00" + codecs.BOM_UTF8 + b"\xff\xfe"):
        raise LeadFileError(
            f'"{p.name}" is empty: expected a header line with the column '
            "names, followed by one line per lead.",
            path=p,
        )
    encoding = _detect_encoding(head, complete)
    if not encoding.startswith("utf-16"):
        _refuse_binary(p, head)
    text = _decode_sample(head, encoding, complete)
    default = "\t" if p.name.lower().endswith((".tsv", ".tsv.gz", ".txt", ".txt.gz")) else ","
    if not text.strip():
        raise LeadFileError(
            f'"{p.name}" is empty: expected a header line with the column '
            "names, followed by one line per lead.",
            path=p,
        )
    delimiter = _detect_delimiter(text, complete, default)
    header_rows = _sample_records(text, delimiter, True)
    raw_names = header_rows[0] if header_rows else []
    _check_header([n.strip().lstrip("\ufeff").strip() for n in raw_names], p, "line 1")

    attempts = [encoding]
    if encoding == "utf-8":
        attempts += ["cp1252", "latin-1"]
    elif encoding == "cp1252":
        attempts += ["latin-1"]
    last_exc: Exception | None = None
    for enc in attempts:
        try:
            try:
                table, footer = _arrow_read_csv(p, gz, enc, delimiter, raw_names, wanted, report)
            except _BlockTooSmall:
                table, footer = _arrow_read_csv(p, gz, enc, delimiter, raw_names, wanted, report, block_bytes=_MAX_BLOCK_BYTES)
            if info is not None:
                info.encoding, info.delimiter, info.footer = enc, delimiter, footer
                if footer:
                    shown = [f for f in (_footer_text(x) for x in footer) if f]
                    info.notes.append(
                        f"Left out the report footer at the end of {p.name} ({len(footer)} line{'s' if len(footer) != 1 else ''}"
                        + (": " + "; ".join(f'"{t}"' for t in shown[:3]) if shown else "") + ")."
                    )
            return table
        except _EncodingMismatch as exc:
            last_exc = exc
            continue
    raise LeadFileError(
        f'Cannot read "{p.name}": its text is not valid {encoding.upper()} '
        f'({last_exc}). Save it from Excel as "CSV UTF-8" and try again.',
        path=p,
    )


class _EncodingMismatch(Exception):
    """The chosen encoding failed on data beyond the sample."""


@contextlib.contextmanager
def _invalid_rows_undecodable(seen: list[BaseException]) -> Iterator[None]:
    """Collect (instead of printing) the UnicodeDecodeError pyarrow raises for a bad row that is not UTF-8.

    pyarrow decodes a malformed row's text strictly before it calls the
    invalid-row handler; when that text is not UTF-8 the error is
    "unraisable" and Python would print a traceback to stderr. Such a row
    means the file is not UTF-8, and the reader tries the next encoding.
    """
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, UnicodeDecodeError):
            seen.append(unraisable.exc_value)
        else:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


class _BlockTooSmall(Exception):
    """A record is longer than the read block (a very long value): read again with bigger blocks."""


#: the largest read block tried: a value longer than this cannot be read
_MAX_BLOCK_BYTES = 1 << 26


def _arrow_read_csv(
    p: Path,
    gz: bool,
    encoding: str,
    delimiter: str,
    raw_names: list[str],
    wanted: list[str] | None,
    report: _Progress,
    block_bytes: int = _BLOCK_BYTES,
) -> tuple[pa.Table, list[str]]:
    """The table, and the one-field lines at the end of the file that were left out as a footer."""
    arrow_encoding = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    include: list[str] | None = None
    drop_all = False
    if wanted is not None:
        wanted_set = set(wanted)
        include = [n for n in raw_names if n.strip().lstrip("\ufeff").strip() in wanted_set]
        if not include and raw_names:
            # None of the wanted columns exists: read the first one only to
            # count the rows (an empty list would mean "all columns").
            include, drop_all = raw_names[:1], True
    invalid: list[tuple[int, int, str]] = []
    short: list[str] = []  # one-field lines: a report footer if they all come after the last record

    def on_invalid(row: Any) -> str:
        if row.actual_columns <= 1 < row.expected_columns and len(short) < _MAX_FOOTER_LINES:
            short.append(row.text)
            return "skip"
        invalid.append((row.expected_columns, row.actual_columns, row.text))
        return "error"

    read_options = pacsv.ReadOptions(
        use_threads=True, block_size=block_bytes, encoding=arrow_encoding
    )
    parse_options = pacsv.ParseOptions(
        delimiter=delimiter,
        quote_char='"',
        double_quote=True,
        newlines_in_values=True,
        ignore_empty_lines=True,
        invalid_row_handler=on_invalid,
    )
    convert_options = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in raw_names},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
        include_columns=include,
        include_missing_columns=False,
    )
    expected_bytes = _expected_decoded_size(p, gz, encoding)
    try:
        source = pa.input_stream(str(p), compression="gzip" if gz else None)
    except OSError as exc:
        raise LeadFileError(
            f'Cannot open "{p.name}": {exc}. Check that you may read the file '
            "and that another program is not locking it.",
            path=p,
        ) from exc
    collector: _Collector | None = None
    undecodable: list[BaseException] = []
    try:
        with _invalid_rows_undecodable(undecodable):
            reader = pacsv.open_csv(
            source,
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
            )
            collector = _Collector(reader.schema.names)
            rows = 0
            for nbatch, batch in enumerate(reader, start=1):
                collector.add(batch)
                rows += batch.num_rows
                del batch
                # Each batch is one block of about _BLOCK_BYTES of (UTF-8) text.
                done = nbatch * _BLOCK_BYTES / expected_bytes
                report(0.85 * min(done, 1.0), f"Reading {p.name}: {rows:,} rows")
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "UTF8" in msg or "UTF-8" in msg or (undecodable and encoding == "utf-8"):  # the next encoding may read it
            raise _EncodingMismatch(msg) from exc
        if invalid or ("Expected" in msg and "columns" in msg):
            raise _ragged_error(p, gz, encoding, delimiter, invalid, msg) from exc
        if "straddl" in msg and block_bytes < _MAX_BLOCK_BYTES:
            raise _BlockTooSmall(msg) from exc
        if "straddl" in msg:
            raise LeadFileError(
                f'Cannot read "{p.name}": a single value is longer than {_MAX_BLOCK_BYTES >> 20} MB (a whole document '
                "pasted into one cell?). Remove that column or shorten the value, and load the file again.",
                path=p,
            ) from exc
        if "Empty CSV file" in msg and raw_names:  # a header line without a line break after it: no leads
            names = include if include is not None else raw_names
            empty = pa.table({n: pa.array([], pa.string()) for n in names})
            return (empty.select([]) if drop_all else empty), []
        if "Empty CSV file" in msg:
            raise LeadFileError(
                f'"{p.name}" is empty: expected a header line with the column '
                "names, followed by one line per lead.",
                path=p,
            ) from exc
        raise LeadFileError(
            f'Cannot read "{p.name}" as a {_DELIMITER_NAMES[delimiter]}-'
            f"separated text file: {msg}.",
            path=p,
        ) from exc
    except UnicodeDecodeError as exc:
        raise _EncodingMismatch(str(exc)) from exc
    except (OSError, EOFError, zlib.error) as exc:
        if gz:
            raise _bad_gzip(p, exc) from exc
        raise LeadFileError(f'Cannot read "{p.name}": {exc}.', path=p) from exc
    finally:
        source.close()
    table = collector.table()
    if short and not _is_footer(p, gz, encoding, delimiter, short):
        raise _ragged_error(p, gz, encoding, delimiter, [(len(raw_names), 1, short[0])], "")
    if table.num_rows and _last_row_has_line_break(table):
        _check_unclosed_quote(p, gz, encoding, delimiter)
    if drop_all:
        return table.select([]), short
    return table, short


def _footer_text(line: str) -> str:
    """A footer line as the user reads it: ``"Grand Totals (3 records)"`` -> ``Grand Totals (3 records)``."""
    t = line.strip()
    if len(t) >= 2 and t[0] == t[-1] == '"':
        t = t[1:-1].replace('""', '"')
    return t.strip()


def _is_footer(p: Path, gz: bool, encoding: str, delimiter: str, lines: list[str]) -> bool:
    """Whether the one-field ``lines`` Arrow left out are exactly the last non-blank lines of the file.

    Only the tail of the file is read (all of it when gzipped: no seeking).
    """
    tail_bytes = 1 << 16
    try:
        with _open_binary(p, gz) as f:
            if gz:
                data = f.read()
            else:
                size = f.seek(0, io.SEEK_END)
                f.seek(max(0, size - tail_bytes))
                data = f.read()
    except (OSError, EOFError, zlib.error):
        return False
    text = data[-tail_bytes:].decode(encoding, errors="replace")
    tail = [ln.strip() for ln in text.splitlines() if ln.strip()]
    k = len(lines)
    if len(tail) <= k:
        return False
    last = tail[-k:]
    if sorted(last) != sorted(x.strip() for x in lines):
        return False
    try:
        fields = [next(csv.reader([ln], delimiter=delimiter)) for ln in last]
    except (csv.Error, StopIteration):
        return False
    # the line before the footer must be a record with every field, not another short line
    return all(len(f) <= 1 for f in fields) and tail[-k - 1].count(delimiter) >= 1


class _Collector:
    """Accumulates CSV record batches column by column, compressing as it goes.

    Every column arrives as text. On the first batch where a column has
    values it is classified once: a *number candidate* (its values cast to
    numbers; kept as text until the end, when :func:`_finish` casts it), a
    column that is *almost all distinct* (ids, e-mails, timestamps; kept as
    text) or otherwise *repetitive*, which is dictionary-encoded every
    ~64k rows so that the full text never has to be held in memory at once
    (encoding every small batch would leave too many dictionaries to merge).
    """

    def __init__(self, names: list[str]) -> None:
        self.names = list(names)
        self.chunks: list[list[pa.Array]] = [[] for _ in names]
        self.pending: list[list[pa.Array]] = [[] for _ in names]
        self.pending_rows = 0
        self.mode: list[str | None] = [None] * len(names)

    def add(self, batch: pa.RecordBatch) -> None:
        for i, arr in enumerate(batch.columns):
            if self.mode[i] is None and arr.null_count < len(arr):
                self.mode[i] = _classify_text(arr)
            self.pending[i].append(arr)
        self.pending_rows += batch.num_rows
        if self.pending_rows >= _DICT_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        for i, pending in enumerate(self.pending):
            if not pending:
                continue
            if self.mode[i] == "dict":
                group = pa.concat_arrays(pending) if len(pending) > 1 else pending[0]
                self.chunks[i].append(pc.dictionary_encode(group))
            else:
                self.chunks[i].extend(pending)
            self.pending[i] = []
        self.pending_rows = 0

    def table(self) -> pa.Table:
        self._flush()
        columns = []
        fields = []
        for i in range(len(self.names)):
            chunks, self.chunks[i] = self.chunks[i], []
            if self.mode[i] == "dict":
                # Columns that were all missing before being classified.
                chunks = [
                    c if pa.types.is_dictionary(c.type) else pc.dictionary_encode(c)
                    for c in chunks
                ]
                if _distinct_at_least(chunks, _CATEGORY_MAX_DISTINCT):
                    # Too many distinct values to stay a category (ids seen in a
                    # repetitive first batch, e.g. the lead id of an activity log):
                    # decode each group now rather than unify millions of values
                    # only for _check_category to cast them back to text.
                    text = [pc.cast(c, pa.string()) for c in chunks]
                    field = pa.field(self.names[i], pa.string(), metadata=_FINAL_TEXT)
                    columns.append(pa.chunked_array(text, type=pa.string()))
                    fields.append(field)
                    del chunks, text
                    continue
                col = pa.chunked_array(chunks, type=pa.dictionary(pa.int32(), pa.string()))
                columns.append(col.unify_dictionaries())
            else:
                columns.append(pa.chunked_array(chunks, type=pa.string()))
            fields.append(pa.field(self.names[i], columns[-1].type))
            del chunks
        return pa.table(columns, schema=pa.schema(fields))


#: field metadata of a text column that :func:`_finish` takes as it is (see :meth:`_Collector.table`)
_FINAL_TEXT = {b"leaddesigner.final": b"text"}


def _distinct_at_least(chunks: list[pa.Array], k: int, max_merges: int = 8) -> bool:
    """Whether the dictionary chunks hold at least *k* distinct values in all (False: unknown).

    The chunk dictionaries are merged (``unique``) only when their sizes could
    reach *k*, and at most *max_merges* times: an id column passes *k* after a
    few chunks, while a column that really has few values never gets there and
    is then unified as usual.
    """
    seen: pa.Array | None = None
    pending: list[pa.Array] = []
    pending_size = 0
    merges = 0
    for c in chunks:
        d = c.dictionary
        pending.append(d)
        pending_size += len(d)
        if (0 if seen is None else len(seen)) + pending_size < k:
            continue
        seen = pc.unique(pa.concat_arrays(([seen] if seen is not None else []) + pending))
        pending, pending_size = [], 0
        if len(seen) >= k:
            return True
        merges += 1
        if merges >= max_merges:
            return False
    return False


def _classify_text(arr: pa.Array) -> str:
    """'number', 'distinct' or 'dict' for the first non-empty batch of a column."""
    values = arr.drop_null() if arr.null_count else arr
    for target in (pa.int64(), pa.float64()):
        try:
            pc.cast(values, target)
        except ARROW_CANNOT:
            continue
        if not pc.any(pc.match_substring_regex(values, _NOT_A_NUMBER_PATTERN)).as_py():
            return "number"
        break  # ids such as "00123": text
    if len(values) >= 100 and pc.count_distinct(values).as_py() > 0.95 * len(values):
        return "distinct"
    return "dict"


def _expected_decoded_size(p: Path, gz: bool, encoding: str) -> float:
    """Estimate the size of the file as UTF-8 text (for progress only)."""
    size = p.stat().st_size
    if gz and size >= 18:
        # The gzip trailer holds the uncompressed size modulo 2**32.
        with open(p, "rb") as f:
            f.seek(-4, os.SEEK_END)
            isize = int.from_bytes(f.read(4), "little")
        while isize < size:  # wrapped around (files over 4 GiB)
            isize += 1 << 32
        size = isize
    if encoding.startswith("utf-16"):
        size //= 2
    return float(max(size, 1))


def _ragged_error(
    p: Path,
    gz: bool,
    encoding: str,
    delimiter: str,
    invalid: list[tuple[int, int, str]],
    arrow_message: str,
) -> LeadFileError:
    """Build the error for a row with the wrong number of fields.

    Arrow does not know physical line numbers when reading in parallel, so
    the file is scanned again with the csv module (only on this error path).
    """
    found = _find_ragged_line(p, gz, encoding, delimiter)
    if found is not None:
        line, expected, actual, text = found
    elif invalid:
        expected, actual, text = invalid[0]
        line = None
    else:
        m = re.search(r"Expected (\d+) columns, got (\d+): ?(.*)", arrow_message, re.S)
        if not m:
            return LeadFileError(f'Cannot read "{p.name}": {arrow_message}.', path=p)
        expected, actual, text = int(m.group(1)), int(m.group(2)), m.group(3)
        line = None
    where = f"line {line}" if line is not None else "a line"
    snippet = text.replace("\r", " ").replace("\n", " ")
    if len(snippet) > 80:
        snippet = snippet[:77] + "..."
    dname = _DELIMITER_NAMES[delimiter]
    hint = (
        f"a value probably contains a {dname} ({delimiter!r}) but is not "
        'enclosed in double quotes, or the line has an extra delimiter'
        if actual > expected
        else "values are missing, or the line was cut or broken in two"
    )
    return LeadFileError(
        f'"{p.name}", {where}: expected {expected} fields (one per column of the '
        f"header, {dname}-separated) but found {actual}; {hint}. The line "
        f'starts "{snippet}". Correct that line and load the file again.',
        path=p,
        line=line,
    )


def _find_ragged_line(
    p: Path, gz: bool, encoding: str, delimiter: str
) -> tuple[int, int, int, str] | None:
    try:
        with _open_binary(p, gz) as fb, io.TextIOWrapper(
            fb, encoding=encoding, errors="replace", newline=""
        ) as f:
            reader = csv.reader(f, delimiter=delimiter, quotechar='"', doublequote=True)
            expected: int | None = None
            while True:
                start = reader.line_num + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return None
                if not row:
                    continue
                if expected is None:
                    expected = len(row)
                elif len(row) != expected:
                    return start, expected, len(row), delimiter.join(row)
    except (OSError, EOFError, zlib.error, csv.Error):
        return None


def _last_row_has_line_break(table: pa.Table) -> bool:
    for col in table.columns:
        if pa.types.is_string(col.type) or pa.types.is_dictionary(col.type):
            value = col[len(col) - 1].as_py()
            if isinstance(value, str) and ("\n" in value or "\r" in value):
                return True
    return False


def _check_unclosed_quote(p: Path, gz: bool, encoding: str, delimiter: str) -> None:
    """Raise if a quoted value is never closed and swallows the end of the file.

    Arrow (like most CSV readers) silently reads everything after a stray
    opening quote as one value. This is checked only when the last record
    holds a line break, which is rare in well-formed files.
    """
    try:
        with _open_binary(p, gz) as fb, io.TextIOWrapper(
            fb, encoding=encoding, errors="replace", newline=""
        ) as f:
            reader = csv.reader(f, delimiter=delimiter, quotechar='"', strict=True)
            start = 1
            try:
                while True:
                    start = reader.line_num + 1
                    next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "unexpected end of data" not in str(exc):
                    return  # some other oddity that Arrow tolerated
                end = reader.line_num
    except (OSError, EOFError, zlib.error):
        return
    raise LeadFileError(
        f'"{p.name}", line {start}: a value there opens a double quote (") that '
        f"is never closed, so everything from line {start} to the end of the "
        f"file (line {end}) would be read as a single value. Remove the stray "
        "quote or add the closing one, and load the file again.",
        path=p,
        line=start,
    )


def _check_header(names: list[str], p: Path, where: str) -> None:
    """Raise for duplicate (non-empty) column names; *where* is e.g. "line 1"."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            continue
        if name in seen:
            j = seen[name]
            raise LeadFileError(
                f'"{p.name}", {where}: the column name "{name}" appears twice '
                f"in the header, as column {j + 1} ({_column_letter(j)}) and "
                f"column {i + 1} ({_column_letter(i)}); every column needs a "
                "unique name. Rename or delete one of them and load the file "
                "again.",
                path=p,
                line=1 if where in ("line 1", "row 1") else None,
                column=name,
            )
        seen[name] = i


# -- shared post-processing ----------------------------------------------------

# A leading zero ("00123", "-007"; also "0x1F", which Arrow would read as hex)
# or an integer too long for a float (a long id or phone number) means the
# column is text, not a number.
_NOT_A_NUMBER_PATTERN = r"^[+-]?(?:0[0-9xX]|[0-9]{16,}$)"
_GROUPED_BY_DOT = r"^[+-]?[1-9]\d{0,2}(?:\.\d{3})+$"
_SAMPLE_VALUES = 50_000


def _head_values(col: pa.ChunkedArray, n: int) -> pa.Array:
    """Up to *n* non-null values from the start of *col* (cheap)."""
    parts: list[pa.Array] = []
    have = 0
    for chunk in col.chunks:
        if have >= n:
            break
        part = chunk.drop_null() if chunk.null_count else chunk
        part = part.slice(0, n - have)
        parts.append(part)
        have += len(part)
    if not parts:
        return pa.array([], type=col.type)
    return pa.concat_arrays(parts)


def _numeric_or_none(col: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """Cast a string column to int64/float64 if every value is a plain number.

    Returns None (keep as text) when some value is not a number, has a
    leading zero (``00123`` is an id, not 123), is an integer too long to be
    stored exactly as a float, or is "nan"/"inf".
    """
    if col.null_count == len(col):
        return None
    sample = _head_values(col, 1000)
    target = pa.int64()
    try:
        pc.cast(sample, target)
    except ARROW_CANNOT:
        target = pa.float64()
        try:
            pc.cast(sample, target)
        except ARROW_CANNOT:
            return None
    if pc.any(pc.match_substring_regex(sample, _NOT_A_NUMBER_PATTERN)).as_py():
        return None
    try:
        out = pc.cast(col, target)
    except ARROW_CANNOT:
        if target == pa.float64():
            return None
        try:
            out = pc.cast(col, pa.float64())
        except ARROW_CANNOT:
            return None
    if pa.types.is_floating(out.type) and pc.any(pc.invert(pc.is_finite(out))).as_py():
        return None  # "nan"/"inf" look like words to a marketer
    if pc.any(pc.match_substring_regex(col, _NOT_A_NUMBER_PATTERN)).as_py():
        return None
    if pa.types.is_floating(out.type):
        # "1.500" beside "12.000" and "300": decimals, or thousands grouped by a dot (European
        # exports)? Kept as text, so that detection decides with the file's context and the
        # model's format (coerce.coerce_types) rather than this cast
        decimals = pc.filter(col, pc.match_substring_regex(col, r"\."))
        if len(decimals) and pc.all(pc.match_substring_regex(decimals, _GROUPED_BY_DOT)).as_py():
            return None
    return out


def _maybe_category(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Dictionary-encode a string column with few distinct values.

    A column becomes categorical when it has fewer distinct values than
    half its non-missing values and fewer than 100,000. Columns that are
    almost all distinct in their first 50,000 values (ids, e-mails,
    timestamps) are not hashed in full: with at most 100,000 distinct values
    that sample could not be more than about 80% distinct.
    """
    present = len(col) - col.null_count
    if present == 0:
        return col
    if present > _SAMPLE_VALUES:
        sample = _head_values(col, _SAMPLE_VALUES)
        if pc.count_distinct(sample).as_py() > 0.95 * len(sample):
            return col
    encoded = pc.dictionary_encode(col)
    if encoded.num_chunks == 0:
        return col
    distinct = len(encoded.chunk(0).dictionary)
    if distinct < _CATEGORY_MAX_RATIO * present and distinct < _CATEGORY_MAX_DISTINCT:
        return encoded
    return col


def _check_category(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Keep a (unified) dictionary column only if it has few distinct values."""
    present = len(col) - col.null_count
    distinct = len(col.chunk(0).dictionary) if col.num_chunks else 0
    if present and distinct < _CATEGORY_MAX_RATIO * present and distinct < _CATEGORY_MAX_DISTINCT:
        return col
    return pc.cast(col, pa.string())


def _finish(
    holder: list[pa.Table],
    *,
    infer_numbers: bool,
    report: _Progress,
    keep_dictionary: frozenset[str] | set[str] = frozenset(),
) -> pd.DataFrame:
    """Name, type and convert an Arrow table column by column to pandas.

    The table is passed in a one-element list that this function empties, so
    that each text column can be freed as soon as it has been converted.
    Dictionary columns named in *keep_dictionary* stay dictionaries (see
    :func:`read_table`).
    """
    report(0.9, f"Preparing columns of {report.name}")
    table = holder.pop()
    pa.default_memory_pool().release_unused()
    clean = [str(n).strip().lstrip("\ufeff").strip() for n in table.column_names]
    final = [f.metadata == _FINAL_TEXT for f in table.schema]
    columns = list(table.columns)
    nrows = table.num_rows
    del table
    out_names: list[str] = []
    out_cols: list[pa.ChunkedArray] = []
    for i, (name, col) in enumerate(zip(clean, columns, strict=True)):
        columns[i] = None  # type: ignore[call-overload]
        if not name:
            if col.null_count == len(col):
                continue  # an unnamed, empty column (e.g. trailing delimiter)
            name = f"column_{_column_letter(i)}"
        if final[i]:
            pass  # decided while reading (see _Collector.table)
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            converted = _numeric_or_none(col) if infer_numbers else None
            col = converted if converted is not None else _maybe_category(col)
        elif pa.types.is_dictionary(col.type) and pa.types.is_string(col.type.value_type):
            if name not in keep_dictionary:
                col = _check_category(col)
        if pa.types.is_dictionary(col.type) and col.num_chunks > 1:
            # one chunk of indices (4 bytes a row): pandas then builds the Categorical in one pass instead
            # of unifying hundreds of chunks while holding the GIL (250 -> 80 ms at 12M events)
            col = pa.chunked_array([col.combine_chunks()])
        out_names.append(name)
        out_cols.append(col)
    if not out_cols:
        return pd.DataFrame(index=pd.RangeIndex(nrows))
    table = pa.table(out_cols, names=out_names)
    del out_cols, col
    # Text freed by the conversions above sits in Arrow's allocator; hand it
    # back before pandas allocates its own arrays, to keep the peak low.
    pa.default_memory_pool().release_unused()
    df = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    pa.default_memory_pool().release_unused()
    if not isinstance(df.index, pd.RangeIndex):  # pragma: no cover - defensive
        df = df.reset_index(drop=True)
    return df


# -- Excel -----------------------------------------------------------------------


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


def _read_excel(
    p: Path, wanted: list[str] | None, sheet: str | int | None, report: _Progress, info: ReadInfo | None = None
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
        _check_header(names, p, "row 1")
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
            names[j] = f"column_{_column_letter(j)}"  # data without a header
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
    return _finish(holder, infer_numbers=False, report=report)


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
                        out.append(f"{_column_letter(j)}{r}")
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


# -- Parquet -----------------------------------------------------------------------


_PANDAS_INDEX = re.compile(r"__index_level_\d+__")


def _read_parquet(
    p: Path, wanted: list[str] | None, report: _Progress, keep_dictionary: set[str] | frozenset[str] = frozenset()
) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(p)
        names = [
            str(n) for n in pf.schema_arrow.names if not _PANDAS_INDEX.fullmatch(str(n))
        ]
        _check_header([n.strip() for n in names], p, "in its list of columns")
        columns = names if wanted is None else [n for n in names if n.strip() in wanted]
        table = pf.read(columns=columns, use_threads=True)
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
    return _finish(holder, infer_numbers=False, report=report, keep_dictionary=keep_dictionary)


# ---------------------------------------------------------------------------
# coerce_types
# ---------------------------------------------------------------------------


# -- helpers working on the distinct values of categoricals -----------------------


# -- number ------------------------------------------------------------------------


# -- boolean -----------------------------------------------------------------------


# -- date --------------------------------------------------------------------------


# -- category and text ---------------------------------------------------------------


