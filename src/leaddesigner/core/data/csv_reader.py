"""Read CSV and text files: encodings, delimiters, report footers, ragged rows and unclosed quotes."""
from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import os
import re
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from .csv_columns import Collector, iso_columns_in_sample, repetitive_columns
from .reading import (
    LeadFileError,
    Progress,
    ReadInfo,
    check_header,
    clean_name,
)

__all__ = ["read_text"]


_SAMPLE_BYTES = 1 << 16  # for encoding and delimiter detection


_BLOCK_BYTES = 1 << 20  # pyarrow CSV block: smaller blocks lower the peak memory


#: at most this many one-field lines at the end of a text file are a report footer
_MAX_FOOTER_LINES = 12


_DELIMITERS = (",", ";", "\t", "|")


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


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


def read_text(
    p: Path, gz: bool, wanted: list[str] | None, report: Progress, info: ReadInfo | None = None,
    text_columns: frozenset[str] | set[str] = frozenset(),
    timestamp_columns: frozenset[str] | set[str] = frozenset(),
) -> pa.Table:
    """The file as an Arrow table of text (dictionary-encoded where values repeat).

    ``text_columns`` (cleaned names) are kept as plain text from the first row:
    ids that are matched as text later (the lead id of an activity log repeats
    within a batch, but a million distinct ids would only be encoded to be
    decoded again), in the 64-bit-offset form pandas keeps (no copy into it).

    ``timestamp_columns`` are read as instants (naive ``timestamp[ns]``) by
    Arrow's ISO parser while the file is read, when the sample at the top of
    the file shows only plain ISO timestamps (:data:`coerce.PLAIN_ISO`): the
    activity log's 12 million timestamps are then never held as text nor
    parsed again when binding. Arrow's parser gives the instant the binding
    would give for every value it takes, and refuses the rest (an offset, a
    day that does not exist, other forms); one refused value and the file is
    read again with the column as text, which the binding then reads its own
    way, reporting the bad values with their lines.
    """
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
    check_header([clean_name(n) for n in raw_names], p, "line 1")
    instants = iso_columns_in_sample(_sample_records(text, delimiter, complete), raw_names, timestamp_columns)
    text_columns = frozenset(text_columns) | frozenset(timestamp_columns)

    attempts = [encoding]
    if encoding == "utf-8":
        attempts += ["cp1252", "latin-1"]
    elif encoding == "cp1252":
        attempts += ["latin-1"]
    last_exc: Exception | None = None
    for enc in attempts:
        try:
            def attempt(block_bytes: int = _BLOCK_BYTES) -> tuple[pa.Table, list[str]]:
                nonlocal instants
                try:
                    return _arrow_read_csv(p, gz, enc, delimiter, raw_names, wanted, report, block_bytes=block_bytes,
                                           text_columns=text_columns, instants=instants)
                except _NotInstants:  # a value further down is not a plain ISO timestamp: read it as text
                    instants = frozenset()
                    report(0.0, f"Reading {p.name} again: its timestamps are not all in one ISO form")
                    return _arrow_read_csv(p, gz, enc, delimiter, raw_names, wanted, report, block_bytes=block_bytes,
                                           text_columns=text_columns)

            try:
                table, footer = attempt()
            except _BlockTooSmall:
                table, footer = attempt(_MAX_BLOCK_BYTES)
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


class _NotInstants(Exception):
    """A column read as instants holds a value Arrow's ISO parser refuses."""


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
    report: Progress,
    block_bytes: int = _BLOCK_BYTES,
    text_columns: frozenset[str] | set[str] = frozenset(),
    instants: frozenset[str] | set[str] = frozenset(),
) -> tuple[pa.Table, list[str]]:
    """The table, and the one-field lines at the end of the file that were left out as a footer.

    Columns in ``instants`` are read as ``timestamp[ns]`` (:class:`_NotInstants` when a value is not one),
    those in ``text_columns`` as ``large_string`` (pandas' own form), all others as text to be typed later.
    """
    arrow_encoding = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    include: list[str] | None = None
    drop_all = False
    if wanted is not None:
        wanted_set = set(wanted)
        include = [n for n in raw_names if clean_name(n) in wanted_set]
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
    def column_type(raw: str) -> pa.DataType:
        name = clean_name(raw)
        return pa.timestamp("ns") if name in instants else pa.large_string() if name in text_columns else pa.string()

    types = {n: column_type(n) for n in raw_names}

    def convert_options() -> pacsv.ConvertOptions:
        return pacsv.ConvertOptions(
            column_types=types,
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
            include_columns=include,
            include_missing_columns=False,
        )

    def open_source() -> pa.NativeFile:
        try:
            return pa.input_stream(str(p), compression="gzip" if gz else None)
        except OSError as exc:
            raise LeadFileError(
                f'Cannot open "{p.name}": {exc}. Check that you may read the file '
                "and that another program is not locking it.",
                path=p,
            ) from exc

    expected_bytes = _expected_decoded_size(p, gz, encoding)
    source = open_source()
    collector: Collector | None = None
    undecodable: list[BaseException] = []
    try:
        with _invalid_rows_undecodable(undecodable):
            if not drop_all:
                # text columns whose first block repeats values are dictionary-encoded by the reader's threads
                # as they convert each block (12M events' type and page: 0.4 s less, and never held as text)
                for raw in repetitive_columns(open_source, read_options, parse_options, convert_options()):
                    types[raw] = pa.dictionary(pa.int32(), pa.string())
            reader = pacsv.open_csv(
                source,
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options(),
            )
            collector = Collector(reader.schema, text_columns)
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
        if instants and "conversion error to timestamp" in msg:
            raise _NotInstants(msg) from exc
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
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_dictionary(col.type):
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
