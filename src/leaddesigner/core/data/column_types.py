"""The pandas type of each column read: numbers (also EU-formatted), categories, text."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .reading import ARROW_CANNOT, Progress, clean_name, column_letter

__all__ = ["CATEGORY_MAX_DISTINCT", "FINAL_TEXT", "check_category", "classify_text", "distinct_at_least", "type_columns"]


# Low-cardinality string columns become pandas ``category``.
_CATEGORY_MAX_RATIO = 0.5


CATEGORY_MAX_DISTINCT = 100_000


#: field metadata of a text column that :func:`type_columns` takes as it is (see the CSV reader's collector)
FINAL_TEXT = {b"leaddesigner.final": b"text"}


def distinct_at_least(chunks: list[pa.Array], k: int, max_merges: int = 8) -> bool:
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


def classify_text(arr: pa.Array) -> str:
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
    that sample could not be more than about 80% distinct. A column with
    100,000 distinct values in its first 200,000 is text without hashing the
    rest (1M company names: 0.3 -> 0.07 s).
    """
    present = len(col) - col.null_count
    if present == 0:
        return col
    if present > _SAMPLE_VALUES:
        sample = _head_values(col, _SAMPLE_VALUES)
        if pc.count_distinct(sample).as_py() > 0.95 * len(sample):
            return col
    if present > 2 * CATEGORY_MAX_DISTINCT:
        # company names: repeated, yet more than the limit in the first 200,000 already (exact, not a guess)
        if pc.count_distinct(_head_values(col, 2 * CATEGORY_MAX_DISTINCT)).as_py() >= CATEGORY_MAX_DISTINCT:
            return col
    encoded = pc.dictionary_encode(col)
    if encoded.num_chunks == 0:
        return col
    distinct = len(encoded.chunk(0).dictionary)
    if distinct < _CATEGORY_MAX_RATIO * present and distinct < CATEGORY_MAX_DISTINCT:
        return encoded
    return col


def check_category(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Keep a (unified) dictionary column only if it has few distinct values."""
    present = len(col) - col.null_count
    distinct = len(col.chunk(0).dictionary) if col.num_chunks else 0
    if present and distinct < _CATEGORY_MAX_RATIO * present and distinct < CATEGORY_MAX_DISTINCT:
        return col
    return pc.cast(col, pa.string())


def type_columns(
    holder: list[pa.Table],
    *,
    infer_numbers: bool,
    report: Progress,
    keep_dictionary: frozenset[str] | set[str] = frozenset(),
    keep_text: frozenset[str] | set[str] = frozenset(),
) -> pd.DataFrame:
    """Name, type and convert an Arrow table column by column to pandas.

    The table is passed in a one-element list that this function empties, so
    that each text column can be freed as soon as it has been converted.
    Dictionary columns named in *keep_dictionary* stay dictionaries (see
    :func:`read_table`); text columns named in *keep_text* stay text (not
    hashed in full to decide whether they are categories: a log's 12 million
    lead ids cost ~1.4 s for that).
    """
    report(0.9, f"Preparing columns of {report.name}")
    table = holder.pop()
    pa.default_memory_pool().release_unused()
    clean = [clean_name(n) for n in table.column_names]
    final = [f.metadata == FINAL_TEXT for f in table.schema]
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
            name = f"column_{column_letter(i)}"
        if final[i] or (name in keep_text and (pa.types.is_string(col.type) or pa.types.is_large_string(col.type))):
            pass  # decided while reading (see _Collector.table), or by the caller
        elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            converted = _numeric_or_none(col) if infer_numbers else None
            col = converted if converted is not None else _maybe_category(col)
        elif pa.types.is_dictionary(col.type) and pa.types.is_string(col.type.value_type):
            if name not in keep_dictionary:
                col = check_category(col)
        if col.num_chunks > 1 and not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            # one chunk, joined by Arrow without the GIL: pandas would join hundreds of chunks holding it (a
            # dictionary's: 250 -> 80 ms at 12M events; 12M instants read from a CSV: a 330 ms freeze of the
            # window -> none); text stays in chunks, which pandas keeps as they are
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
