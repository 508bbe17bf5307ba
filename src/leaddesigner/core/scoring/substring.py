"""``contains`` over a long text column by its bytes: which rows hold a needle, without a scan per row.

Arrow's ``match_substring`` runs its search row by row (a million e-mail
addresses, 30 MB: 60-75 ms on one core, 35-40 ms on two), and a rule like
"e-mail contains competitor" on a column of unique values gains nothing from
a dictionary. Here the column's text buffer is searched as one: the four
bytes of the needle around its rarest two-byte pair (rarity read from a
sample of the buffer, kept per column; the pair itself for a needle of two
or three bytes) are found with 32-bit comparisons at each of four
alignments over the buffer, a slice per core; the other bytes are checked at
those candidates only; each hit is mapped to its row by the offsets, and a
hit that runs into the next row is no hit. 5-20 ms for the needles of a
lead-scoring model on 1M e-mails (with pairs alone 9-23 ms: collecting the
far more candidates of a pair was most of it). (``starts_with`` and
``ends_with`` stay with Arrow, which compares the bytes where the value would
sit: 7 ms on a million addresses; done here the same way it took 25 ms.)

UTF-8 is self-synchronising, so a byte match is a character match: the
result equals Arrow's on any text (a hypothesis test says so). The caller
folds case first (the folded column is kept), so this is the case-sensitive
search. :func:`contains` returns None where it would not be faster (a short
column, a one-byte needle, a pair that is common in the text): the caller
then asks Arrow.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from leaddesigner.core.data.parallel import cores, on_cores

__all__ = ["MIN_ROWS", "contains"]

#: below this many rows Arrow's own search is as fast
MIN_ROWS = 100_000
_SAMPLE_BYTES = 1 << 20
#: a pair expected at more than this share of the buffer's bytes: Arrow's search is faster
_MAX_CANDIDATES = 1 / 64


def contains(arr: pa.ChunkedArray, needle: str, store: dict | None = None) -> np.ndarray | None:
    """True where a row of ``arr`` (text) contains ``needle``, False for a missing row; None: ask Arrow.

    ``store``: a dict kept with the column (the pair sample is computed once per column).
    """
    nb = needle.encode("utf-8")
    if len(nb) < 2 or len(arr) < MIN_ROWS or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    store = {} if store is None else store
    chunks = [c for c in arr.chunks if len(c)]
    sample = store.get("pair_sample")
    if sample is None:
        sample = store["pair_sample"] = _pair_sample(chunks)
    counts, sampled = sample
    pairs = [int.from_bytes(nb[i:i + 2], "little") for i in range(len(nb) - 1)]
    at = min(range(len(pairs)), key=lambda i: counts[pairs[i]])
    if counts[pairs[at]] > _MAX_CANDIDATES * sampled:  # no text sampled: nothing is common
        return None
    parts = [_chunk(c, nb, at) for c in chunks]
    if not parts:
        return np.zeros(len(arr), dtype=bool)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _views(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets of the chunk's rows (one more than rows) and its whole data buffer, as numpy views."""
    offsets_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    bufs = chunk.buffers()
    offsets = np.frombuffer(bufs[1], dtype=offsets_type)[chunk.offset: chunk.offset + len(chunk) + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


def _pair_sample(chunks: list[pa.Array]) -> tuple[np.ndarray, int]:
    """How often each two-byte pair starts in the first megabyte of text (and how many pairs were counted)."""
    if not chunks:
        return np.zeros(65536, dtype=np.int64), 0
    offsets, data = _views(chunks[0])
    start = int(offsets[0])
    head = data[start: min(int(offsets[-1]), start + _SAMPLE_BYTES)]
    counts = np.zeros(65536, dtype=np.int64)
    for first in (0, 1):
        part = head[first: first + ((len(head) - first) // 2) * 2]
        if len(part):
            counts += np.bincount(part.view(np.uint16), minlength=65536)
    return counts, max(len(head) - 1, 0)


def _chunk(chunk: pa.Array, nb: bytes, at: int) -> np.ndarray:
    offsets, data = _views(chunk)
    start, end = int(offsets[0]), int(offsets[-1])
    text = data[start:end]
    k = len(nb)
    out = np.zeros(len(chunk), dtype=bool)
    if len(text) < k:
        return out
    # the rarest pair, inside four bytes of the needle when it has four: a 32-bit comparison at each of four
    # alignments finds far fewer candidates than a 16-bit one at two ("competitor" in 1M e-mails: 85,000 pairs
    # 'mp'), and collecting the candidates was most of the search (three interleaved pairs of runs: 15.8-22.9 ->
    # 11.1-15.8 ms for "competitor", 9.2-11.5 -> 5.3-9.6 ms for "student")
    width = 4 if k >= 4 else 2
    at = min(max(at - 1, 0), k - width) if width == 4 else at
    dtype = np.uint32 if width == 4 else np.uint16
    key = np.frombuffer(nb[at:at + width], dtype=dtype)[0]
    last = len(text) - width + 1  # windows start at 0 .. len - width
    n = min(cores(), max(1, last // (1 << 20)))
    bounds = [last * i // n for i in range(n + 1)]

    def window_starts(i: int) -> np.ndarray:
        a, b = bounds[i], bounds[i + 1]
        seg = text[a: b + width - 1]  # the windows that start in [a, b)
        found = []
        for first in range(width):
            part = seg[first: first + ((len(seg) - first) // width) * width]
            found.append(np.flatnonzero(part.view(dtype) == key) * width + (a + first))
        return np.concatenate(found)

    cand = np.concatenate(on_cores(window_starts, range(n), name="contains")) - at  # where the needle would start
    cand = cand[(cand >= 0) & (cand <= len(text) - k)]
    for j in range(k):
        if at <= j < at + width or not len(cand):
            continue
        cand = cand[text[cand + j] == nb[j]]
    if not len(cand):
        return out
    pos = cand + start
    row = np.searchsorted(offsets, pos, side="right") - 1
    inside = pos + k <= offsets[row + 1]  # not running into the next row
    out[row[inside]] = True
    if chunk.null_count:
        out &= np.asarray(chunk.is_valid())
    return out

