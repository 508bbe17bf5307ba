"""What the CSV reader makes of each block's columns while it reads a file.

Every column of a text file arrives as text, a block (about a megabyte) at a
time. :class:`Collector` keeps them: ids and timestamps named by the caller
as they come (text in pandas' own form, or instants), numbers as text until
:func:`column_types.type_columns` casts them, repetitive text
dictionary-encoded as it goes so that the full text of 12 million events is
never held at once. Which columns are repetitive is decided on the first
block (:func:`repetitive_columns`), so that the reader's own threads encode
them; which timestamps are plain ISO, on the sample at the top of the file
(:func:`iso_columns_in_sample`).
"""
from __future__ import annotations

import re
import zlib
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .coerce import PLAIN_ISO
from .column_types import CATEGORY_MAX_DISTINCT, FINAL_TEXT, classify_text, distinct_at_least
from .reading import LeadFileError, clean_name

__all__ = ["DICT_GROUP_ROWS", "SWITCH_TO_TEXT", "Collector", "iso_columns_in_sample", "repetitive_columns"]


DICT_GROUP_ROWS = 1 << 16  # rows dictionary-encoded together while reading
#: a column whose encoded group holds more distinct values than this share of its values is read as text
SWITCH_TO_TEXT = 0.9


def repetitive_columns(
    open_source: Any, read_options: pacsv.ReadOptions, parse_options: pacsv.ParseOptions, convert_options: pacsv.ConvertOptions
) -> list[str]:
    """The raw names of the text columns whose first block the collector would dictionary-encode.

    The block is read on its own (a few milliseconds) and classified as
    :class:`Collector` classifies a column's first values
    (:func:`column_types.classify_text`); any trouble reading it is left to the
    real read, which reports it.
    """
    quiet = pacsv.ParseOptions(
        delimiter=parse_options.delimiter, quote_char=parse_options.quote_char, double_quote=parse_options.double_quote,
        newlines_in_values=parse_options.newlines_in_values, ignore_empty_lines=parse_options.ignore_empty_lines,
        invalid_row_handler=lambda row: "skip",
    )
    try:
        with open_source() as src:
            batch = pacsv.open_csv(src, read_options=read_options, parse_options=quiet, convert_options=convert_options).read_next_batch()
    except (StopIteration, pa.ArrowException, OSError, EOFError, zlib.error, UnicodeDecodeError, LeadFileError):
        return []
    return [
        name for name, arr in zip(batch.schema.names, batch.columns, strict=True)
        if pa.types.is_string(arr.type) and arr.null_count < len(arr) and classify_text(arr) == "dict"
    ]


def iso_columns_in_sample(rows: list[list[str]], raw_names: list[str], wanted: frozenset[str] | set[str]) -> frozenset[str]:
    """The columns among ``wanted`` whose values in the sample (``rows[1:]``) are all plain ISO timestamps."""
    if not wanted or len(rows) < 2:
        return frozenset()
    plain = re.compile(PLAIN_ISO)
    out = set()
    for i, raw in enumerate(raw_names):
        name = clean_name(raw)
        if name not in wanted:
            continue
        values = [row[i] for row in rows[1:] if len(row) > i and row[i] != ""]
        if values and all(plain.match(v) for v in values):
            out.add(name)
    return frozenset(out)


def _mostly_new(values: pa.Array, dictionary: pa.Array) -> bool:
    """Whether nearly every value of a group is a new one (more distinct values than SWITCH_TO_TEXT of them)."""
    return len(values) >= 1000 and len(dictionary) > SWITCH_TO_TEXT * (len(values) - values.null_count)


class Collector:
    """Accumulates CSV record batches column by column, compressing as it goes.

    Columns the caller named (ids, instants) come as they are and stay so.
    Columns the reader encoded (:func:`repetitive_columns`) come as dictionary
    blocks and are kept. Any other column arrives as text and is classified on
    the first batch where it has values: a *number candidate* (kept as text
    until :func:`type_columns` casts it), *almost all distinct* (e-mails; kept
    as text) or *repetitive*, dictionary-encoded every ~64k rows so that the
    full text never has to be held in memory at once (encoding every small
    batch would leave too many dictionaries to merge). An encoded column whose
    later groups are nearly all new values turns to text on the way.
    """

    def __init__(self, schema: pa.Schema, text_columns: frozenset[str] | set[str] = frozenset()) -> None:
        self.names = list(schema.names)
        self.types = list(schema.types)
        self.chunks: list[list[pa.Array]] = [[] for _ in self.names]
        self.pending: list[list[pa.Array]] = [[] for _ in self.names]
        self.pending_rows = 0
        # columns named as text by the caller: never classified, never encoded, final text
        self.mode: list[str | None] = [
            "dict" if pa.types.is_dictionary(t)  # encoded by the reader (see repetitive_columns)
            else "text" if clean_name(n) in text_columns or not pa.types.is_string(t)
            else None
            for n, t in zip(self.names, self.types, strict=True)
        ]

    def add(self, batch: pa.RecordBatch) -> None:
        for i, arr in enumerate(batch.columns):
            if pa.types.is_dictionary(arr.type):
                self._add_encoded(i, arr)
                continue
            if self.mode[i] is None and arr.null_count < len(arr):
                self.mode[i] = classify_text(arr)
            self.pending[i].append(arr)
        self.pending_rows += batch.num_rows
        if self.pending_rows >= DICT_GROUP_ROWS:
            self._flush()

    def _add_encoded(self, i: int, arr: pa.DictionaryArray) -> None:
        """A block the reader encoded: kept as it is, unless nearly every value is new (then text, as in _flush)."""
        if self.mode[i] == "distinct":
            self.chunks[i].append(pc.cast(arr, pa.string()))
        elif _mostly_new(arr, arr.dictionary):
            self._to_text(i, pc.cast(arr, pa.string()))
        else:
            self.chunks[i].append(arr)

    def _to_text(self, i: int, last: pa.Array) -> None:
        """Column ``i`` read as text from here on: nearly every value of its latest group is new (timestamps of
        a burst of events, a log's lead ids), so it is not encoded now only to be decoded in table()."""
        self.mode[i] = "distinct"
        self.chunks[i] = [pc.cast(c, pa.string()) if pa.types.is_dictionary(c.type) else c for c in self.chunks[i]]
        self.chunks[i].append(last)

    def _flush(self) -> None:
        for i, pending in enumerate(self.pending):
            if not pending:
                continue
            if self.mode[i] == "dict":
                group = pa.concat_arrays(pending) if len(pending) > 1 else pending[0]
                encoded = pc.dictionary_encode(group)
                if _mostly_new(group, encoded.dictionary):
                    self._to_text(i, group)
                else:
                    self.chunks[i].append(encoded)
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
                if distinct_at_least(chunks, CATEGORY_MAX_DISTINCT):
                    # Too many distinct values to stay a category (ids seen in a
                    # repetitive first batch, e.g. the lead id of an activity log):
                    # decode each group now rather than unify millions of values
                    # only for check_category to cast them back to text.
                    text = [pc.cast(c, pa.string()) for c in chunks]
                    field = pa.field(self.names[i], pa.string(), metadata=FINAL_TEXT)
                    columns.append(pa.chunked_array(text, type=pa.string()))
                    fields.append(field)
                    del chunks, text
                    continue
                col = pa.chunked_array(chunks, type=pa.dictionary(pa.int32(), pa.string()))
                columns.append(col.unify_dictionaries())
            elif self.mode[i] == "text":  # final: text in pandas' form, or instants
                columns.append(pa.chunked_array(chunks, type=self.types[i]))
                fields.append(pa.field(self.names[i], self.types[i], metadata=FINAL_TEXT))
                del chunks
                continue
            else:
                columns.append(pa.chunked_array(chunks, type=pa.string()))
            fields.append(pa.field(self.names[i], columns[-1].type))
            del chunks
        return pa.table(columns, schema=pa.schema(fields))
