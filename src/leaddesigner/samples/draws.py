"""Vectorised drawing helpers of the sample generator, and :class:`Draw`, what its stages share."""
from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .world import DAY, HOUR


class Draw(SimpleNamespace):
    """What the generator has drawn so far, passed from stage to stage.

    Per-lead arrays (length ``n``), per-company arrays, the event log (``ev``),
    the URL vocabulary and the period (``t0``, ``end``, ``n_days``). Each stage
    reads the names it needs with :meth:`get` and :meth:`keep`s the ones a later
    stage reads; :meth:`drop` lets go of large temporaries as soon as they are used.
    """

    def get(self, *names: str) -> tuple:
        return tuple(getattr(self, n) for n in names)

    def keep(self, **values) -> None:
        self.__dict__.update(values)

    def drop(self, *names: str) -> None:
        for n in names:
            self.__dict__.pop(n, None)




def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def choice_rows(rng: np.random.Generator, cum: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one category per element of ``rows`` from per-row cumulative weights.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    cum : numpy.ndarray
        ``(n_rows, k)`` cumulative probabilities; the last column is 1.
    rows : numpy.ndarray
        Row of ``cum`` to use for each draw.

    Returns
    -------
    numpy.ndarray
        ``int8`` category per draw, in ``0..k-1``.  Loops over the ``k``
        categories only.
    """
    u = rng.random(rows.size, dtype=np.float32)
    out = np.zeros(rows.size, dtype=np.int8)
    for j in range(cum.shape[1] - 1):
        out += u >= cum[rows, j]
    return out


def cumulative(weights: np.ndarray) -> np.ndarray:
    """Normalise ``(n, k)`` weights row-wise into float32 cumulative probabilities."""
    cum = np.cumsum(weights, axis=1, dtype=np.float32)
    cum /= cum[:, -1:]
    return cum


def tod(rng: np.random.Generator, size: int) -> np.ndarray:
    """Seconds into the (UTC) day, mostly business hours of a global audience."""
    business = np.clip(rng.normal(14.0 * HOUR, 2.9 * HOUR, size), 5 * HOUR, 23.5 * HOUR)
    anytime = rng.uniform(0, DAY, size)
    return np.where(rng.random(size) < 0.86, business, anytime).astype(np.int64)


def weekday(ts: np.ndarray) -> np.ndarray:
    """Monday=0 weekday of epoch seconds."""
    return (ts // DAY + 3) % 7


def later(rng: np.random.Generator, base: np.ndarray, tau_days: np.ndarray, end: int, tail: float = 0.2) -> np.ndarray:
    """Timestamps on a later day than ``base``, decaying with mean ``tau_days``.

    A fraction ``tail`` is spread uniformly over the rest of the period
    (re-engagement).  Most weekend draws slide to the following Monday.
    """
    size = base.size
    rem_days = np.maximum((end - base) / DAY, 1.0)
    decay = rng.exponential(1.0, size) * tau_days
    spread = rng.random(size) * rem_days
    day_off = 1 + np.floor(np.where(rng.random(size) < tail, spread, decay)).astype(np.int64)
    ts = (base // DAY + day_off) * DAY + tod(rng, size)
    wd = weekday(ts)
    slide = (wd >= 5) & (rng.random(size) < 0.7)
    return ts + np.where(slide, (7 - wd) * DAY, 0)


def ids(prefix: str, n: int) -> pa.Array:
    width = max(7, len(str(n)))
    nums = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(nums, width, "0"), "")


def take(values: Sequence[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    arr = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    return arr.take(pa.array(idx))


def join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def str_series(arr: pa.Array | pa.ChunkedArray) -> pd.Series:
    return pd.Series(pd.array(arr, dtype="str"))


def cat(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes), categories=list(categories))


def ts_series(sec: np.ndarray, valid: np.ndarray | None = None) -> pd.Series:
    out = sec.astype("datetime64[s]").astype("datetime64[ns]")
    if valid is not None:
        out[~valid] = np.datetime64("NaT")
    return pd.Series(out)


class Vocab:
    """Unique detail strings for the categorical ``url`` column."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, strings: Sequence[str]) -> np.ndarray:
        codes = []
        for s in strings:
            if s not in self._index:
                self._index[s] = len(self.items)
                self.items.append(s)
            codes.append(self._index[s])
        return np.asarray(codes, dtype=np.int16)


class Events:
    """Accumulates event chunks (lead index, timestamp, type, detail code).

    Every chunk holds a single event type, so per-type look-ups touch only the
    chunks of that type.
    """

    def __init__(self, created: np.ndarray, end: int) -> None:
        self.created = created
        self.end = end
        self.chunks: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, lead: np.ndarray, ts: np.ndarray, etype: int, url: np.ndarray) -> None:
        """Add events, dropping those before their lead's creation or at/after the end."""
        ts = np.asarray(ts, dtype=np.int64)
        keep = (ts < self.end) & (ts >= self.created[lead])
        url = np.broadcast_to(np.asarray(url, dtype=np.int16), keep.shape)[keep]
        self.chunks.append((etype, lead[keep].astype(np.int32, copy=False), ts[keep], url))

    def select(self, etype: int, urls: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Lead indices and timestamps of the events of one type (and detail codes)."""
        leads, tss = [np.zeros(0, np.int32)], [np.zeros(0, np.int64)]
        for t, lead, ts, url in self.chunks:
            if t != etype:
                continue
            if urls is not None:
                m = np.isin(url, np.asarray(urls, dtype=np.int16))
                lead, ts = lead[m], ts[m]
            leads.append(lead)
            tss.append(ts)
        return np.concatenate(leads), np.concatenate(tss)

    def count(self, n: int, etype: int, urls: Sequence[int] | None = None) -> np.ndarray:
        """Events of one type (and detail codes) per lead."""
        return np.bincount(self.select(etype, urls)[0], minlength=n)

    def take_sorted(self, t0: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All events sorted by time (ties in insertion order); empties the buffer.

        Returns lead indices, ``datetime64[ns]`` timestamps, type codes and
        detail codes.
        """
        types = [np.full(c[1].size, c[0], np.int8) for c in self.chunks]
        leads = [c[1] for c in self.chunks]
        tss = [c[2] for c in self.chunks]
        urls = [c[3] for c in self.chunks]
        self.chunks = []
        # concatenate field by field, releasing each field's chunks right away
        etype = np.concatenate([np.zeros(0, np.int8), *types])
        del types
        url = np.concatenate([np.zeros(0, np.int16), *urls])
        del urls
        lead = np.concatenate([np.zeros(0, np.int32), *leads])
        del leads
        rel = np.concatenate([np.zeros(0, np.int64), *tss])
        del tss
        rel -= t0
        size = rel.size
        pos_bits = max(1, int(size - 1).bit_length())
        ts_bits = int(rel.max(initial=0)).bit_length()
        if pos_bits + ts_bits <= 62:
            # unique composite keys: an (unstable, fast) sort equals a stable argsort
            rel <<= pos_bits
            rel |= np.arange(size, dtype=np.int64)
            rel.sort()
            order = rel & ((1 << pos_bits) - 1)
            rel >>= pos_bits
        else:  # pragma: no cover - periods of many decades with huge data
            order = np.argsort(rel, kind="stable")
            rel = rel[order]
        rel += t0
        rel *= 1_000_000_000
        lead = lead[order]
        etype = etype[order]
        url = url[order]
        return lead, rel.view("datetime64[ns]"), etype, url


def first_time(n: int, lead: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Earliest timestamp per lead (``int64`` max where none)."""
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, lead, ts)
    return out


def calibrate_intercept(logit: np.ndarray, target: float) -> float:
    """Intercept ``b`` such that ``mean(sigmoid(logit + b)) == target`` (bisection)."""
    lo, hi = -20.0, 20.0
    for _ in range(50):
        mid = (lo + hi) / 2
        if sigmoid(logit + mid).mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


# --------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------
