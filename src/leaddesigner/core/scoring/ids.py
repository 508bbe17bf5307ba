"""Which row of the lead file each activity-log event belongs to.

An event belongs to the first row whose lead id is the event's lead id, byte for
byte (``L-1`` is not ``l-1``); a row without an id (missing or blank) gets no
events, and an event whose id is in no row is an unknown lead (-1).

Three ways to the same answer, by size:

* a categorical event id column (a Parquet dictionary, or a bound log's ids
  kept as a categorical) is resolved on its categories, then one gather;
* text ids are matched by Arrow's ``index_in`` (the text is hashed where it
  lies, no Python strings);
* from :data:`JOIN_MIN_EVENTS` events on, DuckDB joins the two columns on
  every core: 12 million events to 1 million leads in 0.6 s instead of
  1.2 s (``benchmarks/bench_score_cli.py``, stage ``bind``). DuckDB releases
  the GIL while it joins, so the app's window keeps painting.

``tests/core/test_bind_fastpaths.py`` proves the three equal to a plain pandas
``get_indexer`` on hostile ids (blanks, repeats, case, Greek and Turkish text).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leaddesigner.core.scoring.conditions import arrow_strings

__all__ = ["JOIN_MIN_EVENTS", "lead_rows"]

#: from this many events on, the ids are matched by a DuckDB join (below it, connecting costs more than it saves)
JOIN_MIN_EVENTS = 1_000_000


def lead_rows(ids: pd.Index, event_ids: pd.Series) -> np.ndarray:
    """Row of each event's lead in the lead file (-1: unknown lead), as int64.

    Lead ids may repeat (a problem reported by ``bind``): events then belong to
    the first row with that id.
    """
    if not isinstance(event_ids.dtype, pd.CategoricalDtype) and len(event_ids) >= JOIN_MIN_EVENTS:
        rows = _joined_rows(ids, event_ids)
        if rows is not None:
            return rows
    codes, uniques = pd.factorize(ids)
    first = np.full(len(uniques), -1, dtype=np.int64)
    # rows without an id (missing: code -1, or blank text) get no events: an event
    # with a blank lead id is an unknown lead, not the lead whose id is also blank
    blank = np.asarray(pd.Index(uniques).astype(str).str.strip() == "", dtype=bool)
    known = codes >= 0
    known[known] = ~blank[codes[known]]
    first[codes[known][::-1]] = np.flatnonzero(known)[::-1]  # last write wins: the first row
    lookup = pd.Index(uniques)
    if isinstance(event_ids.dtype, pd.CategoricalDtype):
        # resolve the categories, then one gather: no event-sized temporaries. The categories go through Arrow
        # too: a bound log keeps its lead ids as a categorical of a million lead ids (pipeline._slim_log), and
        # a Python string for each held the GIL while a rebind ran in the app's worker
        cats = pd.Series(event_ids.cat.categories)
        pos = _arrow_positions(cats, uniques)
        if pos is None:  # pragma: no cover - categories Arrow cannot take
            pos = lookup.get_indexer(cats.astype(str).to_numpy(dtype=object))
        cat_rows = np.append(np.where(pos >= 0, first[np.maximum(pos, 0)], -1), -1)
        return cat_rows[np.asarray(event_ids.array.codes)]
    pos = _arrow_positions(event_ids, uniques)
    if pos is None:
        pos = lookup.get_indexer(event_ids.astype("str").to_numpy(dtype=object))
    return np.append(first, -1)[pos]  # one gather; position -1 (no match) picks the appended -1


def _arrow_text(values: pd.Series | pd.Index) -> pa.ChunkedArray | None:
    """The values as Arrow text without Python strings (None: Arrow cannot take them as text)."""
    try:
        return arrow_strings(values if isinstance(values.dtype, pd.StringDtype) else values.astype("str"))
    except (TypeError, ValueError, pa.ArrowException):  # pragma: no cover - Arrow cannot take the ids
        return None


def _arrow_positions(event_ids: pd.Series, uniques) -> np.ndarray | None:
    """``pd.Index(uniques).get_indexer(event_ids.astype("str"))`` without Python strings.

    Millions of event ids as Python ``str`` objects cost seconds and about 80
    bytes each; Arrow's ``index_in`` hashes the text where it lies (the
    ``str`` dtype is Arrow-backed) and returns int32 positions. ``uniques``
    are distinct, so the position of a match is unambiguous; a missing event
    id matches nothing (-1), as with ``get_indexer``. Returns None when Arrow
    cannot take the values (the caller then uses pandas).
    """
    arr = _arrow_text(event_ids)
    if arr is None:
        return None
    try:
        if isinstance(uniques.dtype, pd.StringDtype) and hasattr(uniques.array, "__arrow_array__"):
            values = pa.chunked_array(uniques.array.__arrow_array__()).combine_chunks().cast(arr.type)
        else:
            values = pa.array(np.asarray(uniques, dtype=object), type=arr.type)
        found = pc.index_in(arr, value_set=values)
        del arr
        return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False))
    except (TypeError, ValueError, pa.ArrowException):  # pragma: no cover - Arrow cannot take the ids
        return None


def _joined_rows(ids: pd.Index, event_ids: pd.Series) -> np.ndarray | None:
    """:func:`lead_rows` for text ids by a DuckDB hash join (None: the ids are not text).

    The lead table keeps its rows with an id (blank text is trimmed the way
    pandas' ``str.strip`` trims); ``MIN(row)`` per id is the first row. Events
    carry their position, so the join's output order (chunks of both threads,
    interleaved) does not matter: each event's row, -1 when it matched no id,
    is scattered back into place.
    """
    lead_text, event_text = _arrow_text(ids), _arrow_text(event_ids)
    if lead_text is None or event_text is None:
        return None
    import duckdb

    has_id = pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(lead_text), ""), False)
    leads = pa.table({"id": lead_text, "row": pa.array(np.arange(len(lead_text), dtype=np.int32))}).filter(has_id)
    events = pa.table({"id": event_text, "pos": pa.array(np.arange(len(event_text), dtype=np.int32))})
    del lead_text, event_text
    con = duckdb.connect()
    try:
        con.register("leads", leads)
        con.register("events", events)
        found = con.sql(
            "SELECT e.pos, COALESCE(f.row, -1) AS row FROM events e"
            " LEFT JOIN (SELECT id, MIN(row) AS row FROM leads GROUP BY id) f ON e.id = f.id"
        ).to_arrow_table()
    finally:
        con.close()
    if found.num_rows != len(events):  # pragma: no cover - one row per event, as a LEFT JOIN on distinct ids gives
        raise AssertionError(f"{found.num_rows} matches for {len(events)} events")
    out = np.empty(len(events), dtype=np.int64)  # every position is written once: no fill
    for pos, row in zip(found["pos"].chunks, found["row"].chunks, strict=True):
        # chunk by chunk, each read where it lies: the whole columns joined first were two more copies
        out[pos.to_numpy(zero_copy_only=False)] = row.to_numpy(zero_copy_only=False)
    del found, events, leads
    pa.default_memory_pool().release_unused()  # the join's ~120 MB at 12M events, kept by Arrow's allocator otherwise
    return out
