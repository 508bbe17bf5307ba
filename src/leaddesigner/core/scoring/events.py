"""The activity log as the engine reads it: events per lead row, and the index of them by (type, detail).

:class:`Events` holds the bound log (lead row, time, type, detail); :class:`EventIndex`
groups the events by their (type, detail) pair, sorted by time in each group, so an
activity rule evaluates its condition once per pair and reads only the time slices that
count, for one scoring moment or one per lead. Built once per bound data
(:func:`event_index`, kept in ``LeadData.cache``); the replay needs only the pair of each event
(:func:`event_groups`: 12M events, 144 MB and the two gathers less). Pure numpy/pandas."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leaddesigner.core.data.parallel import MIN_ROWS, on_cores
from leaddesigner.core.scoring import conditions as C

DAY_NS = C.DAY_NS

__all__ = ["MAX_EVENT_GROUPS", "EventGroups", "EventIndex", "Events", "event_groups", "event_index"]


# ---------------------------------------------------------------- data binding
@dataclass
class Events:
    """The activity log, reduced to what scoring needs. Rows are events of known leads."""

    lead: np.ndarray  # int64 row index into the leads
    ts: np.ndarray  # int64 nanoseconds
    frame: pd.DataFrame  # columns 'type' (category) and 'detail' (category), same rows

    def __len__(self) -> int:
        return len(self.lead)


@dataclass
class EventGroups:
    """The (type, detail) pair of every event, as one small integer per event.

    An activity rule's condition reads only ``type`` and ``detail``, so it is
    evaluated once per distinct pair (:meth:`matching_groups`) and spread to the
    events through ``group``. The replay needs no more than this; the scorer's
    :class:`EventIndex` adds the events sorted by time in each group. Built once
    per bound data (see :func:`event_groups`).
    """

    combos: pd.DataFrame  # one row per distinct pair: 'type', 'detail' (categorical, as Events.frame)
    sizes: np.ndarray  # events per group
    group: np.ndarray  # uint16: the group of each event of the log, in the log's order
    #: condition (as written) and moment -> its matching groups: an edit of a rule's window, points or decay asks
    #: again for the same condition (at 100k leads, 0.8 ms of a 2.5 ms edit went to evaluating it anew)
    _matches: dict = field(default_factory=dict, repr=False, compare=False, kw_only=True)

    def matching_groups(self, where, cond_as_of_ns: int) -> np.ndarray:
        """Whether each group's (type, detail) pair meets an activity rule's condition (all: ``where`` None).

        Read-only: the answer is kept for the next question about the same condition."""
        from leaddesigner.core.model.types import ACTIVITY_FIELDS

        n = len(self.combos)
        if where is None:
            return np.ones(n, dtype=bool)
        key = (repr(where), cond_as_of_ns)  # a condition's repr names every field and value
        hit = self._matches.get(key)
        if hit is None:
            hit = np.asarray(C.evaluate(where, lambda name: (self.combos[name], ACTIVITY_FIELDS[name]), n, cond_as_of_ns), dtype=bool)
            hit.setflags(write=False)
            if len(self._matches) >= 256:  # conditions edited again and again: keep the recent ones
                self._matches.clear()
            self._matches[key] = hit
        return hit


@dataclass
class EventIndex(EventGroups):
    """The events grouped by their (type, detail) pair, each group sorted by time.

    A rule then reads just the time slices of the matching groups: the work
    follows the events that count, not the size of the log. Built once per bound
    data (see :func:`event_index`), on its :class:`EventGroups`.
    """

    starts: np.ndarray = None  # group k holds positions starts[k]:starts[k + 1] of ts and lead
    ts: np.ndarray = None  # int64 ns, ascending inside each group
    lead: np.ndarray = None  # lead rows, same order

    def select(self, where, within_days: float | None, as_of_ns: int, cond_as_of_ns: int,
               moments: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Lead rows and ages (days) of the events that count: matching ``where``, before the scoring moment,
        inside the window.

        The moment is ``as_of_ns`` for every lead, or ``moments[lead]`` (int64 ns per lead row: each lead
        scored N days after its creation). Per-lead moments read the time slices between the earliest
        moment less the window and the latest moment, then test each event against its own lead's moment.
        """
        ks = np.flatnonzero(self.matching_groups(where, cond_as_of_ns))
        hi_ns = as_of_ns if moments is None else int(moments.max()) if len(moments) else as_of_ns
        first_ns = as_of_ns if moments is None else int(moments.min()) if len(moments) else as_of_ns
        lo = None
        if within_days is not None:
            # a candidate bound 1 ms wide of the window; the exact test (the float age, as elsewhere) follows
            lo_f = first_ns - float(within_days) * DAY_NS - 1e6
            lo = int(np.floor(lo_f)) if lo_f > -9.2e18 else None
        starts, ts = self.starts, self.ts
        i0 = np.empty(len(ks), dtype=np.int64)
        i1 = np.empty(len(ks), dtype=np.int64)
        for j, k in enumerate(ks):
            s, e = int(starts[k]), int(starts[k + 1])
            seg = ts[s:e]
            i0[j] = s + (int(np.searchsorted(seg, lo, "left")) if lo is not None else 0)
            i1[j] = s + int(np.searchsorted(seg, hi_ns, "left"))  # strictly before the (latest) moment
        lengths = np.maximum(i1 - i0, 0)
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        first = np.cumsum(lengths) - lengths
        pos = np.arange(total, dtype=np.int64) + np.repeat(i0 - first, lengths)
        lead = self.lead[pos]
        if moments is None:
            age = (as_of_ns - ts[pos]) / DAY_NS
        else:
            age = (moments[lead] - ts[pos]) / DAY_NS
            keep = age > 0  # strictly before this lead's own moment
            if not keep.all():
                age, lead = age[keep], lead[keep]
        if within_days is not None:
            keep = age <= within_days
            if not keep.all():
                age, lead = age[keep], lead[keep]
        return lead, age


#: above this many distinct (type, detail) pairs the per-group loop costs more than a full pass
MAX_EVENT_GROUPS = 20_000


def event_groups(data) -> EventGroups | None:
    """The :class:`EventGroups` of the data's events (built on first use and kept in ``data.cache``);
    None when the log has too many distinct pairs for the per-pair way."""
    ev = data.events
    if ev is None:
        return None
    for key in ("event_index", "event_groups"):  # an index is its groups too
        hit = data.cache.get(key)
        if hit is not None and hit[0] is ev:
            return hit[1]
    groups = _build_event_groups(ev)
    data.cache["event_groups"] = (ev, groups)
    return groups


def event_index(data) -> EventIndex | None:
    """The :class:`EventIndex` of the data's events (built on first use and kept in ``data.cache``)."""
    ev = data.events
    if ev is None:
        return None
    hit = data.cache.get("event_index")
    if hit is not None and hit[0] is ev:
        return hit[1]
    groups = event_groups(data)
    idx = None if groups is None else _build_event_index(ev, groups)
    data.cache["event_index"] = (ev, idx)
    data.cache.pop("event_groups", None)  # the index is its groups too
    return idx


def _build_event_groups(ev: Events) -> EventGroups | None:
    f = ev.frame
    if not all(isinstance(f[c].dtype, pd.CategoricalDtype) for c in ("type", "detail")):
        return None
    tcat, dcat = f["type"].cat, f["detail"].cat
    nt, nd = len(tcat.categories) + 1, len(dcat.categories) + 1
    if nt * nd > 50_000_000:
        return None
    # the pair of each event as one small integer (at most 50M pairs: int32 halves the passes over 12M events)
    kt = np.int32 if nt * nd < 2**31 else np.int64
    key = np.asarray(f["type"].array.codes).astype(kt)
    key += 1
    key *= nd
    key += np.asarray(f["detail"].array.codes)
    key += 1
    counts = np.bincount(key, minlength=nt * nd)
    used = np.flatnonzero(counts)
    if len(used) > MAX_EVENT_GROUPS:
        return None
    remap = np.zeros(nt * nd, dtype=np.uint16)
    remap[used] = np.arange(len(used), dtype=np.uint16)
    group = remap[key]  # kept: the replay reads a rule's matching events through it
    del key
    combos = pd.DataFrame(
        {
            "type": pd.Categorical.from_codes(used // nd - 1, dtype=f["type"].dtype),
            "detail": pd.Categorical.from_codes(used % nd - 1, dtype=f["detail"].dtype),
        }
    )
    return EventGroups(combos, counts[used], group)


def _build_event_index(ev: Events, groups: EventGroups) -> EventIndex:
    group = groups.group
    ts = ev.ts
    if len(ts) > 1 and not bool(np.all(ts[1:] >= ts[:-1])):
        by_time = np.argsort(ts, kind="stable")
        order = by_time[np.argsort(group[by_time], kind="stable")]  # radix sort on 16-bit keys
    else:
        order = np.argsort(group, kind="stable")
    lead_dtype = np.int32 if len(ev.lead) == 0 or int(ev.lead.max()) < 2**31 - 1 else np.int64
    # the two gathers by the new order, on two threads for a long log (numpy lets go of the GIL while it gathers)
    ts_sorted, lead_sorted = on_cores(lambda gather: gather(), [lambda: ts.take(order),
                                                                lambda: ev.lead.astype(lead_dtype, copy=False).take(order)],
                                      limit=2 if len(ts) >= MIN_ROWS else 1, name="event-index")
    starts = np.zeros(len(groups.sizes) + 1, dtype=np.int64)
    np.cumsum(groups.sizes, out=starts[1:])
    return EventIndex(groups.combos, groups.sizes, group, starts, ts_sorted, lead_sorted)
