"""Replay time: each lead's score day by day, when it becomes an MQL/SQL, recycling and re-MQLs.

``replay(model, data, start, end)`` answers "what would this model have done on
each day of the period": the day each lead first reaches MQL and SQL (and its
grade then), the MQL arrivals (new MQLs and re-MQLs after recycling) and their
daily and weekly counts. It is event-driven, not a rescore per day: a lead's
score as of the end of a day changes only at its events, when an event leaves
an activity window, at linear-decay steps, when a date condition flips
(``within_days`` / ``older_than_days``) and, continuously, under half-life
decay. The replay evaluates the score on those days only (plus the lead's
creation day and the period's first and last day).

Semantics (the engine's, see ``core/scoring/engine.py`` and the oracle in tests):

* "the score on day d" is the engine's score with ``as_of`` = the end of day d
  (midnight after it): events at exactly that moment do not count yet;
* a lead exists from its creation day (``created_at``; leads without a date
  exist from the start of the history); it cannot be an MQL before it exists;
* half-life decay is continuous, so between two change days a lead's score only
  falls when its half-life points are positive. Crossing *up* can then only
  happen on a change day; crossing *down* is found by bisection inside the
  interval. Leads for which this does not hold (negative half-life points, or
  ``mql_cells`` that are not "upward closed") are evaluated on every day;
* the replay starts from the lead's history (up to ``HISTORY_DAYS`` before
  ``start``), so a lead that was already an MQL before ``start`` is not a new
  arrival in the period (``mql_before_start``), but its recycling and re-MQL
  inside the period are;
* without recycling an MQL stays an MQL (it is sales' lead now). With
  ``model.recycling`` see :class:`~leaddesigner.core.model.types.Recycling`;
* the scoring moment per lead (``horizon_days``) of the data is ignored: every
  lead is replayed on the calendar.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from leaddesigner.core.scoring import conditions as C
from leaddesigner.core.scoring.engine import LeadData, ScoreArrays, band_index
from leaddesigner.core.model.types import STATUSES, Leaf, Not, ScoringModel, ValueMap

DAY_NS = 86_400 * 10**9
#: how far before ``start`` the replay looks for earlier MQLs (days)
HISTORY_DAYS = 730
Progress = Callable[[float, str], None]

#: columns of :attr:`Replay.arrivals`
ARRIVAL_COLUMNS = ("row", "lead_id", "day", "moment", "kind", "grade", "score", "episode")


_NAT = np.iinfo(np.int64).min
#: at most this many recycles per lead are followed
MAX_EPISODES = 50
#: windows longer than this many days are treated as "no window" (they outlast any replay)
_LONG_DAYS = 100_000


def _as_day(t: pd.Timestamp | str) -> int:
    t = pd.Timestamp(t)
    if t.tzinfo is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    return int(t.value // DAY_NS)


def day_number(t: pd.Timestamp | str) -> int:
    """Days since 1970-01-01 of a date or timestamp (the day it falls on)."""
    return _as_day(t)


def day_stamp(d: int | np.ndarray) -> pd.Timestamp | pd.DatetimeIndex:
    """The midnight starting day number ``d`` (NaT for -1 / negative sentinels)."""
    if np.isscalar(d):
        return pd.NaT if d is None or d < -10**8 else pd.Timestamp(int(d) * DAY_NS)
    d = np.asarray(d, dtype=np.int64)
    out = d * DAY_NS
    out[d < -10**8] = _NAT
    return pd.DatetimeIndex(out.view("datetime64[ns]"))


_NONE = -(10**9)  # "no day"


# ---------------------------------------------------------------- per-rule step tables
@dataclass
class _Table:
    """One activity rule's per-lead value, stored only at the days it changes.

    ``keys`` (sorted, unique) encode (lead, day); ``c`` is the number of counted
    events with a positive factor, ``s`` the sum of their linear-decay steps,
    ``a`` the half-life sum relative to ``tref[lead]``. The rule's decayed count on
    day d is ``c`` (no decay), ``c - pct/100 * s`` (linear) or
    ``a * 2 ** ((tref - end of d) / half_life)`` (half-life), read at the last
    key at or before (lead, d).
    """

    kind: str  # count | linear | half
    keys: np.ndarray
    c: np.ndarray
    s: np.ndarray | None = None
    a: np.ndarray | None = None
    tref: np.ndarray | None = None  # per lead row (ns), half-life only
    p: float = 0.0
    half_life: float = 1.0


class _Core:
    """The replay machinery over one model and one bound data set (internal)."""

    def __init__(self, model: ScoringModel, data: LeadData, day_lo: int, day_hi: int):
        self.model, self.data = model, data
        self.n = len(data)
        self.day_lo, self.day_hi = day_lo, day_hi
        self.stride = day_hi - day_lo + 2
        self.rules = [r for r in model.rules if r.enabled]
        self.weights = self._persona_weights()
        g = model.grades
        self.graded = bool(g.fit and g.engagement)
        self.allowed = None
        if self.graded:
            names = [f + e for f in g.fit for e in g.engagement]
            self.grade_names = names
            if g.mql_cells is not None:
                allowed = np.zeros(len(names), dtype=bool)
                allowed[[names.index(c) for c in g.mql_cells if c in names]] = True
                self.allowed = allowed
        else:
            self.grade_names = []
        # lead-constant raw values, and rules whose condition depends on the day
        self.const: dict[str, np.ndarray] = {}
        self.timed: dict[str, list] = {}
        for r in self.rules:
            if r.kind == "map":
                s_, atype = data.column(r.map.attribute)
                self.const[r.id] = C.map_points(s_, atype, r.map)
            elif r.kind == "condition":
                leaves = self._timed_leaves(r.when)
                if leaves:
                    self.timed[r.id] = leaves
                else:
                    self.const[r.id] = C.evaluate(r.when, data.column, self.n, data.as_of_ns)
        # creation
        self.created_ns = None
        if data.created is not None:
            self.created_ns = data.frame[data.created].to_numpy(dtype="datetime64[ns]").view("int64")
        # events sorted by (lead, ts), and each activity rule's matching events
        ev = data.events
        self.ev_lead = np.zeros(0, dtype=np.int64)
        self.ev_ts = np.zeros(0, dtype=np.int64)
        #: step tables over all events from day_lo, by what they depend on (kept with the data:
        #: an edit to points, thresholds, grades, capacity or another rule reuses them)
        self.table_cache: dict = {}
        self.match: dict[str, np.ndarray] = {}
        if ev is not None and len(ev):
            hit = data.cache.get("replay_events")
            if hit is None or hit[0] is not ev:
                # sorted by (lead, time), kept with the data: edits to the model reuse it
                order = _lead_time_order(ev.lead, ev.ts)
                hit = (ev, order, ev.lead[order], ev.ts[order], {}, {})
                data.cache["replay_events"] = hit
            _, order, self.ev_lead, self.ev_ts, matches, self.table_cache = hit
            self.ev_order = order
            for r in self.rules:
                if r.kind != "activity":
                    continue
                if r.activity.where is None:
                    self.match[r.id] = np.ones(len(order), dtype=bool)
                    continue
                key = repr(r.activity.where)
                m = matches.get(key)
                if m is None:
                    m = C.evaluate(r.activity.where, data.event_column, len(ev), data.as_of_ns)[order]
                    if len(matches) > 64:
                        matches.clear()
                    matches[key] = m
                self.match[r.id] = m
        self.events = _EventSet(self.ev_lead, self.ev_ts, self.n)

    # -- helpers
    def _persona_weights(self) -> np.ndarray | None:
        p = self.model.persona
        if p is None:
            return None
        s_, atype = self.data.column(p.attribute)
        w = C.map_points(s_, atype, ValueMap(p.attribute, values=p.weights, default=p.default))
        w[s_.isna().to_numpy()] = p.default
        return w

    def _timed_leaves(self, c) -> list[Leaf]:
        if c is None:
            return []
        if isinstance(c, Leaf):
            t = self.data.types.get(c.attribute)
            return [c] if t == "date" and c.op in ("within_days", "older_than_days") else []
        items = [c.item] if isinstance(c, Not) else c.items
        out: list[Leaf] = []
        for i in items:
            out += self._timed_leaves(i)
        return out

    def key(self, lead: np.ndarray, day: np.ndarray) -> np.ndarray:
        k = np.multiply(lead, self.stride, dtype=np.int64)
        k += day
        k -= self.day_lo
        return k

    def upward_closed(self) -> bool:
        """Whether mql_cells never allow a worse cell while forbidding a better one."""
        if self.allowed is None:
            return True
        g = self.model.grades
        nf, ne = len(g.fit), len(g.engagement)
        a = self.allowed.reshape(nf, ne)
        for i in range(nf):
            for j in range(ne):
                if a[i, j] and not a[: i + 1, : j + 1].all():
                    return False
        return True

    # -- tables
    def tables(self, subset: np.ndarray | None, floor: np.ndarray | None, lo: np.ndarray) -> dict[str, _Table]:
        """Step tables of every activity rule for the leads in ``subset`` (bool per lead; None: all),
        counting only events at or after ``floor`` (ns per lead; None: all). Changes before a
        lead's ``lo`` day are folded into that day."""
        out = {}
        if not len(self.ev_lead):
            return out
        whole = subset is None and floor is None and len(lo) and int(lo.min()) == int(lo.max()) == self.day_lo
        todo = []
        for r in self.rules:
            if r.kind != "activity":
                continue
            if whole:
                a = r.activity
                key = (repr(a.where), a.within_days, repr(a.decay), self.day_lo, self.day_hi)
                tab = self.table_cache.get(key)
                if tab is not None:
                    out[r.id] = tab
                    continue
            todo.append(r)
        if not todo:
            return out
        t_end = (self.day_hi + 1) * DAY_NS  # later events count on no replayed day
        if subset is None:
            idx = None
            keep = self.ev_ts < t_end
            if floor is not None:
                keep &= self.ev_ts >= floor[self.ev_lead]
            if keep.all():
                keep = None
        else:  # only the subset's slices of the sorted events
            rows = np.flatnonzero(subset)
            a, b = self.events.start[rows], self.events.start[rows + 1]
            cnt = b - a
            idx = repeat_counts(a - (np.cumsum(cnt) - cnt), cnt) + np.arange(int(cnt.sum()))
            ts = self.ev_ts[idx]
            k = ts < t_end
            if floor is not None:
                k &= ts >= floor[self.ev_lead[idx]]
            idx = idx[k]
            keep = None
        for r in todo:
            m = self.match[r.id]
            if idx is not None:
                sel = idx[m[idx]]
            elif keep is not None:
                sel = m & keep
            else:
                sel = m
            out[r.id] = tab = self._table(r, self.ev_lead[sel], self.ev_ts[sel], lo)
            if whole:
                a = r.activity
                self.table_cache[(repr(a.where), a.within_days, repr(a.decay), self.day_lo, self.day_hi)] = tab
        if whole:
            self._trim_table_cache(set(map(id, out.values())))
        # in rule order, as before
        return {r.id: out[r.id] for r in self.rules if r.kind == "activity"}

    #: the step tables kept with the data stay under this many bytes (the current model's always stay)
    TABLE_CACHE_BYTES = 256 * 2**20

    def _trim_table_cache(self, in_use: set) -> None:
        """Forget the oldest kept tables that the current model does not use, beyond the budget
        (a user trying window after window would otherwise pile them up)."""
        cache = self.table_cache

        def size(t: _Table) -> int:
            return sum(x.nbytes for x in (t.keys, t.c, t.s, t.a, t.tref) if x is not None)

        total = sum(size(t) for t in cache.values())
        for k in list(cache):  # oldest first
            if total <= self.TABLE_CACHE_BYTES:
                break
            t = cache[k]
            if id(t) not in in_use:
                total -= size(t)
                del cache[k]

    def _last_window_day(self, ts: np.ndarray, w: float) -> np.ndarray:
        lim = w * DAY_NS

        def counts(d):  # the engine's test: (as_of - ts) / DAY_NS <= within_days
            return ((d + 1) * DAY_NS - ts) / DAY_NS <= w

        d = np.floor((ts + lim) / DAY_NS).astype(np.int64) - 2  # within a day of the answer: float rounding only
        for _ in range(3):
            d = np.where(counts(d + 1), d + 1, d)
        return d

    def _table(self, r, lead: np.ndarray, ts: np.ndarray, lo: np.ndarray) -> _Table:
        a = r.activity
        day_hi = self.day_hi
        d0 = np.floor_divide(ts, DAY_NS)
        windowed = a.within_days is not None and float(a.within_days) < _LONG_DAYS
        if windowed:
            d1 = self._last_window_day(ts, float(a.within_days))
            ok = d1 >= d0
            lead, ts, d0, d1 = lead[ok], ts[ok], d0[ok], d1[ok]
        decay = a.decay
        kind = "count" if decay is None else ("half" if decay.half_life_days is not None else "linear")
        keys_l: list[np.ndarray] = []
        c_l: list[np.ndarray] = []
        s_l: list[np.ndarray] = []
        a_l: list[np.ndarray] = []
        tref = None

        lo_min = int(lo.min()) if len(lo) else 0
        uniform_lo = len(lo) > 0 and lo_min == int(lo.max())

        def emit(ld, d, dc, ds=None, da=None):
            d = np.maximum(d, lo_min if uniform_lo else lo[ld])
            k = d <= day_hi
            every = bool(k.all())

            def part(v):
                v = np.broadcast_to(np.asarray(v, dtype=float), ld.shape)
                return v if every else v[k]

            keys_l.append(self.key(ld, d) if every else self.key(ld[k], d[k]))
            c_l.append(part(dc))
            if kind == "linear":
                s_l.append(part(ds))
            if kind == "half":
                a_l.append(part(da))

        if kind == "count":
            emit(lead, d0, 1.0)
            if windowed:
                emit(lead, d1 + 1, -1.0)
        elif kind == "half":
            h = float(decay.half_life_days)
            tref = np.zeros(self.n, dtype=np.int64)
            if len(lead):
                last = np.r_[np.flatnonzero(lead[1:] != lead[:-1]), len(lead) - 1]
                tref[lead[last]] = ts[last]
            term = np.exp2(((ts - tref[lead]) / DAY_NS) / h)
            emit(lead, d0, 1.0, da=term)
            if windowed:
                emit(lead, d1 + 1, -1.0, da=-term)
        else:
            p = float(decay.linear_pct) / 100.0
            per = float(decay.period_days)
            kz = 0
            while 1.0 - p * kz > 0 and kz < 100_000:
                kz += 1

            def kof(d, t):
                return np.floor((((d + 1) * DAY_NS - t) / DAY_NS) / per).astype(np.int64)

            k0 = kof(d0, ts)
            live = k0 < kz
            lead, ts, d0, k0 = lead[live], ts[live], d0[live], k0[live]
            if windowed:
                d1 = d1[live]
                dend = np.minimum(d1, day_hi)
            else:
                dend = np.full(len(ts), day_hi, dtype=np.int64)
            dend = np.maximum(dend, d0)
            kend = np.minimum(kof(dend, ts), kz)
            emit(lead, d0, 1.0, k0.astype(float))
            nsteps = np.maximum(kend - k0, 0)
            # step q of every event that takes at least q steps, one q at a time: a few passes
            # over the events instead of one array per step (np.repeat holds the GIL, and the
            # expanded arrays were several times the event log). The sums below are of whole
            # numbers, so the order of the steps does not change them.
            ev = np.flatnonzero(nsteps)
            q = 1
            while len(ev):
                j = k0[ev] + q
                t = ts[ev]
                dj = np.ceil(t / DAY_NS + j * per - 1).astype(np.int64)
                for _ in range(2):
                    dj = np.where(kof(dj - 1, t) >= j, dj - 1, dj)
                for _ in range(2):
                    dj = np.where(kof(dj, t) < j, dj + 1, dj)
                zero = j >= kz
                emit(lead[ev], dj, np.where(zero, -1.0, 0.0), np.where(zero, -(j - 1).astype(float), 1.0))
                ev = ev[nsteps[ev] > q]
                q += 1
            if windowed:
                kl = kof(d1, ts)
                still = kl < kz
                emit(lead[still], d1[still] + 1, -1.0, -kl[still].astype(float))
        if not keys_l:
            return _Table(kind, np.zeros(0, dtype=np.int64), np.zeros(0))
        keys = np.concatenate(keys_l)
        order = np.argsort(keys, kind="stable")  # runs of sorted keys: timsort merges them
        keys = keys[order]
        if len(keys):
            starts = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
        else:
            starts = np.zeros(0, dtype=np.int64)
        ukeys = keys[starts]
        ulead = ukeys // self.stride

        def seg_cumsum_int(vals):
            v = np.add.reduceat(np.concatenate(vals)[order], starts) if len(starts) else np.zeros(0)
            cs = np.cumsum(v)
            if not len(cs):
                return cs
            first = np.r_[True, ulead[1:] != ulead[:-1]]
            base = np.maximum.accumulate(np.where(first, np.arange(len(cs)), 0))
            return cs - (cs[base] - v[base])

        c = seg_cumsum_int(c_l)
        tab = _Table(kind, ukeys, c)
        if kind == "linear":
            tab.s = seg_cumsum_int(s_l)
            tab.p = p
        if kind == "half":
            v = np.add.reduceat(np.concatenate(a_l)[order], starts) if len(starts) else np.zeros(0)
            acc = pd.Series(v).groupby(ulead, sort=False).cumsum().to_numpy().copy() if len(v) else v
            acc[c <= 0] = 0.0
            tab.a, tab.tref, tab.half_life = acc, tref, h
        return tab

    def _raw(self, tab: _Table, lead: np.ndarray, day: np.ndarray, qkeys: np.ndarray, qsorted: bool = False) -> np.ndarray:
        if not len(tab.keys):
            return np.zeros(len(lead))
        if qsorted and 2 * len(tab.keys) < len(qkeys):
            # the grid: many sorted queries, fewer table keys. Place each key among the queries
            # and count: the number of keys <= q, as searchsorted(keys, q, "right"), by a running sum
            p = np.searchsorted(qkeys, tab.keys, "left")
            i = np.cumsum(np.bincount(p, minlength=len(qkeys) + 1)[: len(qkeys)]) - 1
        else:
            i = np.searchsorted(tab.keys, qkeys, "right") - 1
        ok = i >= 0
        i = np.maximum(i, 0)
        ok &= (tab.keys[i] // self.stride) == lead
        if tab.kind == "count":
            v = tab.c[i]
        elif tab.kind == "linear":
            v = tab.c[i] - tab.p * tab.s[i]
        else:
            a = tab.a[i]
            e = ((tab.tref[lead] - (day + 1) * DAY_NS) / DAY_NS) / tab.half_life
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                v = a * np.exp2(e)
                far = e > 1000  # a lead whose events span > 1000 half-lives: multiply in the log domain
                if far.any():
                    v[far] = np.exp2(np.log2(a[far]) + e[far])
            v = np.where(a == 0, 0.0, v)
        return np.where(ok, v, 0.0)

    # -- scoring at (lead, day) pairs
    def evaluate(self, lead: np.ndarray, day: np.ndarray, tabs: dict[str, _Table]) -> ScoreArrays:
        """Scores as of the end of ``day`` for each (lead, day) pair, the engine's way."""
        m = self.model
        n = len(lead)
        lead = np.asarray(lead, dtype=np.int64)
        day = np.asarray(day, dtype=np.int64)
        qkeys = self.key(lead, day) if tabs else None
        qsorted = qkeys is not None and n > 1 and bool(np.all(qkeys[1:] >= qkeys[:-1]))
        as_of = (day + 1) * DAY_NS
        taken: dict[str, tuple] = {}

        def column(name):
            if name not in taken:
                s_, t = self.data.column(name)
                taken[name] = (s_.take(lead).reset_index(drop=True), t)
            return taken[name]

        buckets: dict[tuple, np.ndarray] = {}
        group_dims: dict[str, str] = {}
        for r in self.rules:
            if r.id in self.const:
                raw = self.const[r.id][lead]
            elif r.id in self.timed:
                raw = C.evaluate(r.when, column, n, as_of)
            elif r.kind == "activity":
                tab = tabs.get(r.id)
                raw = np.zeros(n) if tab is None else self._raw(tab, lead, day, qkeys, qsorted)
            else:  # pragma: no cover
                raw = np.zeros(n)
            if r.kind == "map":
                v = raw.astype(float, copy=True)
            else:
                v = raw * r.points
                if r.kind == "activity" and r.activity.max_points is not None:
                    v = np.clip(v, -r.activity.max_points, r.activity.max_points)
            if r.dimension == "engagement" and self.weights is not None:
                v = v * self.weights[lead]
            key = ("g", r.group) if r.group else ("d", r.dimension)
            if r.group:
                group_dims[r.group] = r.dimension
            b = buckets.get(key)
            if b is None:
                buckets[key] = np.asarray(v, dtype=float).copy()
            else:
                b += v
        acc = {"fit": np.zeros(n), "engagement": np.zeros(n)}
        for key, s_ in buckets.items():
            if key[0] == "g":
                acc[group_dims[key[1]]] += _clip(s_, m.caps.groups.get(key[1]))
            else:
                acc[key[1]] += s_
        fit = _clip(acc["fit"], m.caps.dimensions.get("fit"))
        eng = _clip(acc["engagement"], m.caps.dimensions.get("engagement"))
        total = fit + eng
        rg = m.score_range
        if rg is not None and (rg.min is not None or rg.max is not None):
            total = np.clip(total, -np.inf if rg.min is None else rg.min, np.inf if rg.max is None else rg.max)
        g = m.grades
        if self.graded:
            grade = (band_index(fit, list(g.fit.values())) * np.int16(len(g.engagement)) + band_index(eng, list(g.engagement.values()))).astype(np.int16)
        else:
            grade = np.full(n, -1, dtype=np.int16)
        eligible = total >= m.thresholds.mql
        if self.allowed is not None:
            eligible &= self.allowed[grade]
        status = eligible.astype(np.int8)
        if m.thresholds.sql is not None:
            status += (eligible & (total >= m.thresholds.sql)).astype(np.int8)
        return ScoreArrays(total, fit, eng, grade, status, {})

    # -- candidate days
    def flip_days(self) -> tuple[np.ndarray, np.ndarray]:
        """(lead, day) of every day a within_days / older_than_days test flips."""
        if getattr(self, "_flips", None) is None:
            self._flips = self._flip_days()
        return self._flips

    def _flip_days(self) -> tuple[np.ndarray, np.ndarray]:
        leads, days = [], []
        seen = set()
        for leaves in self.timed.values():
            for c in leaves:
                k = (c.attribute, float(c.value))
                if k in seen:
                    continue
                seen.add(k)
                x = self.data.frame[c.attribute].to_numpy(dtype="datetime64[ns]").view("int64")
                rows = np.flatnonzero(x != _NAT)
                x = x[rows]
                a = -((-x) // DAY_NS) - 1  # first day whose end is at or after x
                lim = float(c.value) * DAY_NS

                def inside(d):
                    return ((d + 1) * DAY_NS - x) <= lim

                b = np.floor((x + lim) / DAY_NS).astype(np.int64) - 2
                for _ in range(4):
                    b = np.where(inside(b), b + 1, b)
                leads += [rows, rows]
                days += [a, b]
        if not leads:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(leads), np.concatenate(days)

    def grid(self, tabs: dict[str, _Table], subset: np.ndarray, lo: np.ndarray, extra_days: list, dense: np.ndarray, eves: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Sorted unique (lead, day) pairs where the leads in ``subset`` may change status."""
        rows = np.flatnonzero(subset)
        parts = []
        for tab in tabs.values():
            if len(tab.keys):
                parts.append(tab.keys)
        k = lo[rows] <= self.day_hi
        parts.append(self.key(rows[k], lo[rows][k]))
        for d in extra_days:
            d = np.maximum(np.broadcast_to(np.asarray(d, dtype=np.int64), (self.n,))[rows], lo[rows])
            k = d <= self.day_hi
            parts.append(self.key(rows[k], d[k]))
        fl, fd = self.flip_days()
        if len(fl):
            k = subset[fl] & (fd <= self.day_hi)
            fl, fd = fl[k], fd[k]
            parts.append(self.key(fl, np.maximum(fd, lo[fl])))
        drows = np.flatnonzero(dense & subset)
        if len(drows):
            span = self.day_hi - lo[drows] + 1
            span = np.maximum(span, 0)
            rep = repeat_counts(drows, span)
            first = np.cumsum(span) - span
            dd = lo[rep] + (np.arange(len(rep)) - repeat_counts(first, span))
            parts.append(self.key(rep, dd))
        keys = np.concatenate(parts)
        if eves:  # the last day before each change: where a falling score is lowest
            keys = np.concatenate([keys, keys - 1])
        glead = keys // self.stride
        gday = keys % self.stride + self.day_lo
        ok = subset[glead] & (gday <= self.day_hi) & (gday >= lo[glead])
        keys = _unique_sorted(keys[ok])
        return keys // self.stride, keys % self.stride + self.day_lo

    def dense_leads(self) -> np.ndarray:
        """Leads whose score may rise between change days (evaluated on every day)."""
        dense = np.zeros(self.n, dtype=bool)
        closed = self.upward_closed()
        for r in self.rules:
            if r.kind != "activity" or r.activity.decay is None or r.activity.decay.half_life_days is None:
                continue
            if r.id not in self.match:
                continue
            has = np.zeros(self.n, dtype=bool)
            has[self.ev_lead[self.match[r.id]]] = True
            if not closed:
                dense |= has
                continue
            sign = np.full(self.n, np.sign(r.points))
            if r.dimension == "engagement" and self.weights is not None:
                sign = sign * np.sign(self.weights)
            dense |= has & (sign < 0)
        return dense


class _EventSet:
    """Events sorted by (lead row, time), with each lead's slice: per-lead searches for all leads at once."""

    def __init__(self, lead: np.ndarray, ts: np.ndarray, n: int):
        self.lead, self.ts = lead, ts
        self.start = np.searchsorted(lead, np.arange(n + 1))

    def first_at_or_after(self, lead: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Index of the lead's first event at or after ``t`` (its slice end when none)."""
        lo_ = self.start[lead].copy()
        hi_ = self.start[lead + 1].copy()
        ts = self.ts
        if not len(ts):
            return lo_
        while True:
            act = lo_ < hi_
            if not act.any():
                break
            mid = (lo_ + hi_) // 2
            go = act & (ts[np.minimum(mid, len(ts) - 1)] < t)
            lo_ = np.where(go, mid + 1, lo_)
            hi_ = np.where(act & ~go, mid, hi_)
        return lo_

    def last_before(self, lead: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Time of the lead's last event strictly before ``t`` (NaT value when none)."""
        if not len(self.ts):
            return np.full(len(lead), _NAT, dtype=np.int64)
        i = self.first_at_or_after(lead, t) - 1
        ok = i >= self.start[lead]
        return np.where(ok, self.ts[np.maximum(i, 0)], _NAT)

    def next_at_or_after(self, lead: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Time of the lead's first event at or after ``t`` (NaT value when none)."""
        if not len(self.ts):
            return np.full(len(lead), _NAT, dtype=np.int64)
        i = self.first_at_or_after(lead, t)
        ok = i < self.start[lead + 1]
        return np.where(ok, self.ts[np.minimum(i, len(self.ts) - 1)], _NAT)


def _lead_time_order(lead: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Permutation sorting events by (lead, time): stable 16-bit radix passes over the lead
    after ordering by time (skipped when the log is already in time order)."""
    if len(ts) > 1 and not bool(np.all(ts[1:] >= ts[:-1])):
        order = np.argsort(ts, kind="stable")
    else:
        order = np.arange(len(ts))
    mx = int(lead.max()) if len(lead) else 0
    shift = 0
    while True:
        digit = ((lead[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
        if mx >> shift == 0:
            break
    return order


def repeat_counts(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``np.repeat(values, counts)`` for integer ``values`` and counts >= 0, built from a
    scatter and a running sum: the same result, but numpy releases the GIL for those
    (``np.repeat`` holds it, ~40 ms per 5 million items), so a GUI thread keeps running."""
    values = np.asarray(values)
    counts = np.asarray(counts, dtype=np.int64)
    nz = np.flatnonzero(counts > 0)
    if len(nz) < len(counts):
        values, counts = values[nz], counts[nz]
    end = np.cumsum(counts)
    total = int(end[-1]) if len(end) else 0
    out = np.zeros(total, dtype=values.dtype)
    if total:
        step = np.empty(len(values), dtype=values.dtype)
        step[0] = values[0]
        np.subtract(values[1:], values[:-1], out=step[1:])
        out[end - counts] = step
        np.cumsum(out, out=out)
    return out


def _clip(x: np.ndarray, r) -> np.ndarray:
    if r is None or (r.min is None and r.max is None):
        return x
    return np.clip(x, -np.inf if r.min is None else r.min, np.inf if r.max is None else r.max)


def _unique_sorted(keys: np.ndarray) -> np.ndarray:
    """Sorted unique values (a sort and a mask: faster than np.unique's hashing here)."""
    keys = np.sort(keys)
    if len(keys) < 2:
        return keys
    keep = np.empty(len(keys), dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


def _first_per_lead(glead: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Index into the grid of each lead's first True (``-1``: none)."""
    out = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(mask)
    if len(idx):
        gl = glead[idx]
        step = gl[1:] != gl[:-1]
        if bool(np.all(gl[1:] >= gl[:-1])):  # grid order (by lead): the first of each run, no sort
            first = np.flatnonzero(np.concatenate(([True], step)))
            out[gl[first]] = idx[first]
        else:
            leads, first = np.unique(gl, return_index=True)
            out[leads] = idx[first]
    return out


def _ids_take(data: LeadData, rows: np.ndarray | None = None):
    """The lead ids of ``rows`` (all leads for None) for a result frame, as the frame would
    hold ``data.ids.to_numpy()[rows]``: pandas' ``str`` ids are taken as they are (turning
    100,000 Arrow strings into Python objects and back holds the GIL for tens of ms)."""
    ids = data.ids
    dt = ids.dtype
    if isinstance(dt, pd.StringDtype) and dt.na_value is np.nan and dt.storage == "pyarrow":
        return ids if rows is None else ids.take(rows)
    hit = data.cache.get("replay_ids")
    if hit is None or hit[0] is not ids:
        hit = (ids, ids.to_numpy())
        data.cache["replay_ids"] = hit
    return hit[1] if rows is None else hit[1][rows]


def _grade_names(core: "_Core", codes: np.ndarray) -> np.ndarray:
    """Grade names (object array; None without grades or for code -1)."""
    names = core.grade_names
    table = np.array(list(names) + [None], dtype=object)
    codes = np.asarray(codes)
    if not names:
        return np.full(len(codes), None, dtype=object)
    return table[np.where(codes >= 0, codes, len(names))]


# ---------------------------------------------------------------- the result
@dataclass
class Replay:
    """The result of :func:`replay`. Days are ``pd.Timestamp`` at midnight (the start of the day).

    Attributes
    ----------
    start, end:
        first and last day of the period (inclusive).
    leads:
        one row per lead (in the order of the data), columns ``lead_id``,
        ``created_day`` (NaT: no date), ``mql_before_start`` (bool: the replay
        made it an MQL before ``start``), ``first_mql_day``, ``first_sql_day``
        (first day in the period, not before creation, on which the production
        status is >= MQL / SQL, recycling aside; NaT if none), ``grade_at_mql``
        (grade name on ``first_mql_day``, None without grades), ``score_at_mql``,
        ``mqls`` (arrivals in the period), ``recycles`` (recycles in the period).
    arrivals:
        one row per MQL arrival in the period (sorted by ``moment``): ``row``
        (lead row), ``lead_id``, ``day``, ``moment`` (Timestamp: the lead's last
        event on that day, its creation time on its creation day, else the
        start of the day), ``kind`` (``new`` or ``re-MQL``), ``grade``,
        ``score``, ``episode`` (0 for the first MQL, 1 for the first re-MQL...).
    recycles:
        one row per recycle in the period: ``row``, ``lead_id``, ``day``,
        ``moment``, ``reason`` (``disqualified``, ``closed_lost``, ``no_response``).
    daily:
        one row per day of the period: ``day``, ``new``, ``re_mql``, ``mqls``
        (= new + re_mql), ``sqls`` (leads reaching SQL for the first time that
        day; leads already SQL before ``start`` are not counted), ``recycled``.
    weekly:
        the same summed per Monday-based week: ``week`` (the Monday), ``new``,
        ``re_mql``, ``mqls``, ``sqls``, ``recycled``, ``days`` (days of the
        week inside the period; < 7 marks a partial week).
    problems:
        plain-words notes (e.g. a recycling column missing from the lead file).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    leads: pd.DataFrame
    arrivals: pd.DataFrame
    recycles: pd.DataFrame
    daily: pd.DataFrame
    weekly: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    _core: object = field(default=None, repr=False, compare=False)
    _state: dict = field(default_factory=dict, repr=False, compare=False)

    def scores_on(self, day: pd.Timestamp | str) -> ScoreArrays:
        """All leads' production scores as of the end of ``day`` (no recycling reset).

        Equals ``Scorer(model, data).set_as_of(end of day)`` up to float rounding
        (``products`` is empty). ``day`` must lie inside the replayed history.
        """
        core: _Core = self._core
        d = _as_day(day)
        if d < core.day_lo or d > core.day_hi:
            raise ValueError(f"{day_stamp(d).date()} is outside the replayed days {day_stamp(core.day_lo).date()} .. {day_stamp(core.day_hi).date()}")
        return core.evaluate(np.arange(core.n), np.full(core.n, d), self._state["tabs0"])

    def lead_scores(self, row: int, days: pd.DatetimeIndex | None = None) -> pd.DataFrame:
        """One lead's daily production score over the period (for a timeline of one lead):
        columns ``day``, ``score``, ``fit``, ``engagement``, ``grade``, ``status``."""
        core: _Core = self._core
        if days is None:
            dn = np.arange(_as_day(self.start), _as_day(self.end) + 1)
        else:
            dn = np.asarray(pd.DatetimeIndex(days).normalize().asi8 // DAY_NS, dtype=np.int64)
        res = core.evaluate(np.full(len(dn), int(row)), dn, self._state["tabs0"])
        names = core.grade_names
        return pd.DataFrame(
            {
                "day": day_stamp(dn),
                "score": res.score,
                "fit": res.fit,
                "engagement": res.engagement,
                "grade": [names[g] if g >= 0 and names else None for g in res.grade],
                "status": [STATUSES[s] for s in res.status],
            }
        )

    def first_days(self, mql: float, sql: float | None = None) -> np.ndarray:
        """Each lead's first MQL day under another MQL threshold, recycling aside.

        Day numbers since the epoch (``-10**9``: none), counted from the lead's
        creation (so days before ``start`` mean "already an MQL"). Cheap: reads the
        replay's change days. ``sql`` is accepted for symmetry and unused.
        """
        core: _Core = self._core
        c_idx, c_score, c_lead = self._mql_candidates()
        out = np.full(core.n, _NONE, dtype=np.int64)
        hit = np.flatnonzero(c_score >= mql)
        if len(hit):
            gl = c_lead[hit]
            first = hit[np.concatenate(([True], gl[1:] != gl[:-1]))]  # candidates are in grid order
            out[c_lead[first]] = self._state["gday0"][c_idx[first]]
        return out

    def _mql_candidates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Grid points where a lead exists and its grade cell may be an MQL (what does not depend
        on the threshold; kept for the threshold search): (grid index, score, lead)."""
        st = self._state
        hit = st.get("mql_candidates")
        if hit is None:
            core: _Core = self._core
            ok = st["gday0"] >= st["exist"][st["glead0"]]
            if core.allowed is not None:
                ok &= core.allowed[st["grade0"]]
            c_idx = np.flatnonzero(ok)
            hit = (c_idx, st["score0"][c_idx], st["glead0"][c_idx])
            st["mql_candidates"] = hit
        return hit

    def _threshold_new(self, mql: float) -> tuple[np.ndarray, np.ndarray, ScoreArrays]:
        """(rows, days, scores) of the new MQL arrivals in the period under threshold ``mql``."""
        core: _Core = self._core
        s0, e0 = _as_day(self.start), _as_day(self.end)
        first = self.first_days(mql)
        rows = np.flatnonzero((first >= s0) & (first <= e0))
        days = first[rows]
        return rows, days, core.evaluate(rows, days, self._state["tabs0"])

    def arrivals_for_threshold(self, mql: float) -> pd.DataFrame:
        """The arrivals frame with the new MQLs of another MQL threshold (re-MQLs kept as replayed)."""
        core: _Core = self._core
        rows, days, res = self._threshold_new(mql)
        new = _arrival_frame(self, core, rows, days, res, "new", np.zeros(len(rows), dtype=np.int64))
        old = self.arrivals[self.arrivals["kind"] != "new"]
        out = pd.concat([new, old], ignore_index=True) if len(old) else new
        return out.sort_values(["moment", "row"], kind="stable").reset_index(drop=True)

    def _arrivals_for_threshold_arrays(self, mql: float) -> dict:
        """What the queue reads of :meth:`arrivals_for_threshold` (``moment`` ns, ``row``,
        ``grade`` object, ``score``), in the same order, without building a frame: one probe
        of the threshold search."""
        core: _Core = self._core
        rows, days, res = self._threshold_new(mql)
        old = self._state.get("re_mql_arrays")
        if old is None:
            a = self.arrivals[(self.arrivals["kind"] != "new").to_numpy()]
            old = (
                a["moment"].to_numpy(dtype="datetime64[ns]").view("int64"),
                a["row"].to_numpy(dtype=np.int64),
                a["grade"].to_numpy(dtype=object),
                a["score"].to_numpy(dtype=float),
            )
            self._state["re_mql_arrays"] = old
        moment = np.concatenate([_arrival_moments(core, rows, days), old[0]])
        row = np.concatenate([rows, old[1]])
        grade = np.concatenate([_grade_names(core, res.grade), old[2]])
        score = np.concatenate([np.asarray(res.score, dtype=float), old[3]])
        order = np.lexsort((row, moment))  # stable, as sort_values(["moment", "row"], kind="stable")
        return {"moment": moment[order], "row": row[order], "grade": grade[order], "score": score[order]}


def _arrival_frame(rep_or_none, core: "_Core", rows, days, res: ScoreArrays, kind: str, episode) -> pd.DataFrame:
    rows = np.asarray(rows, dtype=np.int64)
    days = np.asarray(days, dtype=np.int64)
    moment = _arrival_moments(core, rows, days)
    grade = _grade_names(core, res.grade) if len(rows) else []
    return pd.DataFrame(
        {
            "row": rows,
            "lead_id": _ids_take(core.data, rows) if len(rows) else np.array([], dtype=object),
            "day": day_stamp(days),
            "moment": pd.DatetimeIndex(moment.view("datetime64[ns]")),
            "kind": pd.Categorical.from_codes(np.full(len(rows), 0 if kind == "new" else 1, dtype=np.int8), categories=["new", "re-MQL"]),
            "grade": pd.Series(grade, dtype=object),
            "score": np.asarray(res.score, dtype=float),
            "episode": np.asarray(episode, dtype=np.int64),
        }
    )


def _arrival_moments(core: "_Core", rows: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The moment an MQL arrives: the lead's last event on its MQL day, else its creation
    time when it was created that day, else the start of the day."""
    day_start = days * DAY_NS
    day_end = (days + 1) * DAY_NS
    last = core.events.last_before(rows, day_end) if len(rows) else np.zeros(0, dtype=np.int64)
    moment = np.where(last >= day_start, last, _NAT)
    if core.created_ns is not None and len(rows):
        c = core.created_ns[rows]
        same = (c >= day_start) & (c < day_end)
        moment = np.where(same & ((moment == _NAT) | (c > moment)), c, moment)
    return np.where(moment == _NAT, day_start, moment)


# ---------------------------------------------------------------- recycling inputs
def _outcome_times(model: ScoringModel, data: LeadData, key: str, o, problems: list[str]) -> np.ndarray | None:
    """Per lead: the moment the outcome sent it back (NaT value when it did not)."""
    from leaddesigner.core.model.io import did_you_mean

    def series(col: str) -> pd.Series | None:
        if col in data.frame.columns:
            return data.frame[col]
        attr = next((a for a, c in model.columns.items() if c == col), None)
        if attr is not None and attr in data.frame.columns:
            return data.frame[attr]
        if data.extra is not None and col in data.extra.columns:
            return data.extra[col]
        have = list(data.frame.columns) + ([] if data.extra is None else list(data.extra.columns))
        problems.append(f"recycling.{key}: column '{col}' is not in the lead file.{did_you_mean(col, have)} That rule recycles no lead.")
        return None

    col, date = series(o.column), series(o.date)
    if col is None or date is None:
        return None
    wanted = {str(v).strip().lower() for v in o.values}
    hit = col.astype("string").str.strip().str.lower().isin(wanted).fillna(False).to_numpy(dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(date.dtype):
        t = date
    else:
        t = pd.to_datetime(date.astype("string"), errors="coerce", format="mixed")
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    ns = t.to_numpy(dtype="datetime64[ns]").view("int64")
    bad = hit & (ns == _NAT)
    if bad.any():
        problems.append(f"recycling.{key}: {int(bad.sum()):,} lead(s) marked {', '.join(o.values)} have no readable date in '{o.date}'; they are not recycled.")
    return np.where(hit, ns, _NAT)


def _response_events(core: "_Core", rec) -> _EventSet:
    if rec.response_types is None or core.data.events is None or not len(core.ev_ts):
        return core.events
    t = core.data.events.frame["type"]
    wanted = {str(x).strip().lower() for x in rec.response_types}
    if isinstance(t.dtype, pd.CategoricalDtype):  # decide on the categories, broadcast through the codes
        cats = np.array([str(c).strip().lower() in wanted for c in t.cat.categories] + [False])
        m = cats[t.cat.codes.to_numpy()]
    else:
        m = t.astype("string").str.strip().str.lower().isin(wanted).fillna(False).to_numpy(dtype=bool)
    m = m[core.ev_order]
    return _EventSet(core.ev_lead[m], core.ev_ts[m], core.n)


# ---------------------------------------------------------------- replay
def replay(
    model: ScoringModel,
    data: LeadData,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    *,
    freq: str = "D",
    progress: Progress | None = None,
) -> Replay:
    """Replay ``model`` over the days ``start`` .. ``end`` (inclusive, dates).

    ``start`` defaults to 26 weeks before ``end``; ``end`` defaults to the last
    day before ``data.as_of`` (the last complete day of the export). ``freq`` is
    ``"D"`` (the only resolution: the score as of the end of each day).
    ``data`` is not modified. Raises ``ValueError`` with a plain-words message
    for an empty or reversed period.
    """
    if freq != "D":
        raise ValueError(f"freq must be 'D' (daily), not {freq!r}")

    def say(f: float, msg: str) -> None:
        if progress:
            progress(f, msg)

    end_day = _as_day(end) if end is not None else _as_day(pd.Timestamp(data.as_of) - pd.Timedelta(1, "ns"))
    start_day = _as_day(start) if start is not None else end_day - 26 * 7 + 1
    if start_day > end_day:
        raise ValueError(f"the period starts ({day_stamp(start_day).date()}) after it ends ({day_stamp(end_day).date()})")
    n = len(data)
    earliest = [start_day]
    created_ns = None
    if data.created is not None:
        created_ns = data.frame[data.created].to_numpy(dtype="datetime64[ns]").view("int64")
        ok = created_ns != _NAT
        if ok.any():
            earliest.append(int(created_ns[ok].min() // DAY_NS))
    if data.events is not None and len(data.events):
        earliest.append(int(data.events.ts.min() // DAY_NS))
    day_lo = min(start_day, max(start_day - HISTORY_DAYS, min(earliest)))
    say(0.02, "indexing events")
    core = _Core(model, data, day_lo, end_day)
    problems: list[str] = []

    exist = np.full(n, day_lo, dtype=np.int64)
    if created_ns is not None:
        c = created_ns != _NAT
        exist[c] = np.maximum(created_ns[c] // DAY_NS, day_lo)
    lo0 = np.full(n, day_lo, dtype=np.int64)
    say(0.1, "building step tables")
    tabs0 = core.tables(None, None, lo0)
    dense = core.dense_leads()
    say(0.35, "finding change days")
    everyone = np.ones(n, dtype=bool)
    glead, gday = core.grid(tabs0, everyone, lo0, [exist, start_day, end_day, start_day - 1], dense)
    say(0.5, f"scoring {len(glead):,} lead-days")
    res0 = core.evaluate(glead, gday, tabs0)
    status0 = res0.status

    in_period_from = np.maximum(exist, start_day)
    fm = _first_per_lead(glead, (status0 >= 1) & (gday >= in_period_from[glead]), n)
    fs = _first_per_lead(glead, (status0 >= 2) & (gday >= in_period_from[glead]), n)
    m0 = _first_per_lead(glead, (status0 >= 1) & (gday >= exist[glead]), n)
    names = core.grade_names

    def pick(idx, arr, fill):
        return np.where(idx >= 0, arr[np.maximum(idx, 0)], fill)

    first_mql = pick(fm, gday, _NONE)
    first_sql = pick(fs, gday, _NONE)
    mql_day = pick(m0, gday, _NONE)

    arrivals = []
    recycles = []
    ep0 = (mql_day >= start_day) & (mql_day <= end_day)
    rows = np.flatnonzero(ep0)
    if len(rows):
        arrivals.append(_arrival_frame(None, core, rows, mql_day[rows], _take(res0, m0[rows]), "new", np.zeros(len(rows), dtype=np.int64)))

    rec = model.recycling
    if rec is not None:
        say(0.7, "recycling")
        outcome_t = []
        for key, o in rec.outcomes():
            t = _outcome_times(model, data, key, o, problems)
            if t is not None:
                outcome_t.append((key, t))
        resp = _response_events(core, rec) if rec.no_response_days is not None else None
        active = mql_day != _NONE
        BIG = np.iinfo(np.int64).max
        for episode in range(1, MAX_EPISODES + 1):
            R = np.full(n, BIG, dtype=np.int64)
            reason = np.full(n, -1, dtype=np.int8)
            for j, (key, t) in enumerate(outcome_t):
                ok = active & (t != _NAT) & (t // DAY_NS >= mql_day)
                better = ok & (t < R)
                R = np.where(better, t, R)
                reason[better] = j
            if resp is not None:
                a_rows = np.flatnonzero(active)
                tm = (mql_day[a_rows] + 1) * DAY_NS
                limit = tm + int(round(float(rec.no_response_days) * DAY_NS))
                nxt = resp.next_at_or_after(a_rows, tm)
                silent = (nxt == _NAT) | (nxt >= limit)
                rr = a_rows[silent]
                lim = limit[silent]
                better = lim < R[rr]
                R[rr[better]] = lim[better]
                reason[rr[better]] = len(outcome_t)
            has = active & (R != BIG) & (R // DAY_NS <= end_day)
            if not has.any():
                break
            rrows = np.flatnonzero(has)
            r_day = R[rrows] // DAY_NS
            labels = [k for k, _ in outcome_t] + ["no_response"]
            inp = (r_day >= start_day)
            if inp.any():
                recycles.append(
                    pd.DataFrame(
                        {
                            "row": rrows[inp],
                            "lead_id": _ids_take(data, rrows[inp]),
                            "day": day_stamp(r_day[inp]),
                            "moment": pd.DatetimeIndex(R[rrows[inp]].view("datetime64[ns]")),
                            "reason": [labels[k] for k in reason[rrows[inp]]],
                        }
                    )
                )
            lo = np.full(n, end_day + 1, dtype=np.int64)
            lo[rrows] = r_day
            if rec.reset_engagement:
                floor = np.full(n, BIG, dtype=np.int64)
                floor[rrows] = R[rrows]
                tabs = core.tables(has, floor, lo)
            else:
                tabs = tabs0
            cool = np.full(n, _NONE, dtype=np.int64)
            cool[rrows] = (R[rrows] + int(round(float(rec.cooldown_days) * DAY_NS))) // DAY_NS
            gl, gd = core.grid(tabs, has, lo, [cool], dense, eves=True)
            res = core.evaluate(gl, gd, tabs)
            # armed: the first day at or after the recycle with status below MQL
            gi = _first_per_lead(gl, res.status < 1, n)
            fi = _first_per_lead(gl, np.ones(len(gl), dtype=bool), n)
            arm = np.full(n, _NONE, dtype=np.int64)
            ok = has & (gi >= 0)
            arm[ok] = gd[gi[ok]]
            bis = np.flatnonzero(ok & (gi > fi))
            if len(bis):
                lo_d = gd[gi[bis] - 1].copy()
                hi_d = gd[gi[bis]].copy()
                while True:
                    act = hi_d - lo_d > 1
                    if not act.any():
                        break
                    a_idx = np.flatnonzero(act)
                    mid = (lo_d[a_idx] + hi_d[a_idx]) // 2
                    st = core.evaluate(bis[a_idx], mid, tabs).status
                    below = st < 1
                    hi_d[a_idx[below]] = mid[below]
                    lo_d[a_idx[~below]] = mid[~below]
                arm[bis] = hi_d
            armed = np.flatnonzero(arm != _NONE)
            L = np.maximum(arm[armed], cool[armed])
            new_day = np.full(n, _NONE, dtype=np.int64)
            inside = L <= end_day
            armed, L = armed[inside], L[inside]
            if len(armed):
                at_L = core.evaluate(armed, L, tabs).status >= 1
                new_day[armed[at_L]] = L[at_L]
                Lfull = np.full(n, BIG, dtype=np.int64)
                Lfull[armed] = L
                later = _first_per_lead(gl, (res.status >= 1) & (gd > Lfull[gl]), n)
                rest = armed[~at_L]
                got = later[rest] >= 0
                new_day[rest[got]] = gd[later[rest[got]]]
            nrows = np.flatnonzero(new_day != _NONE)
            if len(nrows):
                rr = core.evaluate(nrows, new_day[nrows], tabs)
                inp = new_day[nrows] >= start_day
                if inp.any():
                    arrivals.append(
                        _arrival_frame(None, core, nrows[inp], new_day[nrows][inp], _take(rr, np.flatnonzero(inp)), "re-MQL", np.full(int(inp.sum()), episode))
                    )
            mql_day = new_day
            active = new_day != _NONE
            if not active.any():
                break

    say(0.9, "tables")
    if arrivals:
        arr = pd.concat(arrivals, ignore_index=True)
    else:
        none = np.zeros(0, dtype=np.int64)
        empty = ScoreArrays(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int16), np.zeros(0, dtype=np.int8), {})
        arr = _arrival_frame(None, core, none, none, empty, "new", none)
    arr = arr.sort_values(["moment", "row"], kind="stable").reset_index(drop=True)
    if recycles:
        rcy = pd.concat(recycles, ignore_index=True)
    else:
        rcy = pd.DataFrame(
            {"row": np.zeros(0, dtype=np.int64), "lead_id": [], "day": pd.DatetimeIndex([]), "moment": pd.DatetimeIndex([]), "reason": []}
        )
    rcy = rcy.sort_values(["moment", "row"], kind="stable").reset_index(drop=True)

    grade_at = [None] * n
    if names:
        gcodes = pick(fm, res0.grade, -1)
        name_arr = np.array(names + [None], dtype=object)
        grade_at = name_arr[np.where(gcodes >= 0, gcodes, len(names))]
    mqls = np.bincount(arr["row"].to_numpy(dtype=np.int64), minlength=n) if len(arr) else np.zeros(n, dtype=np.int64)
    rcount = np.bincount(rcy["row"].to_numpy(dtype=np.int64), minlength=n) if len(rcy) else np.zeros(n, dtype=np.int64)
    created_day = np.full(n, _NONE, dtype=np.int64)
    if created_ns is not None:
        c = created_ns != _NAT
        created_day[c] = created_ns[c] // DAY_NS
    m0day = pick(m0, gday, _NONE)
    leads = pd.DataFrame(
        {
            "lead_id": _ids_take(data),
            "created_day": day_stamp(created_day),
            "mql_before_start": (m0day != _NONE) & (m0day < start_day),
            "first_mql_day": day_stamp(first_mql),
            "first_sql_day": day_stamp(first_sql),
            "grade_at_mql": pd.Series(grade_at, dtype=object),
            "score_at_mql": np.where(fm >= 0, res0.score[np.maximum(fm, 0)] if len(glead) else 0.0, np.nan),
            "mqls": mqls,
            "recycles": rcount,
        }
    )
    s0 = _first_per_lead(glead, (status0 >= 2) & (gday >= exist[glead]), n)  # first SQL ever (not "already SQL at start")
    daily, weekly = _tables(start_day, end_day, arr, pick(s0, gday, _NONE), rcy)
    rep = Replay(day_stamp(start_day), day_stamp(end_day), leads, arr, rcy, daily, weekly, problems, core)
    rep._state = {"tabs0": tabs0, "glead0": glead, "gday0": gday, "score0": res0.score, "grade0": res0.grade, "exist": exist}
    say(1.0, "replayed")
    return rep


def _take(res: ScoreArrays, idx: np.ndarray) -> ScoreArrays:
    return ScoreArrays(res.score[idx], res.fit[idx], res.engagement[idx], res.grade[idx], res.status[idx], {})


def week_monday(day: np.ndarray | int) -> np.ndarray | int:
    """Day number of the Monday starting the week of ``day`` (day numbers since the epoch)."""
    return (np.floor_divide(np.asarray(day) + 3, 7)) * 7 - 3


def _tables(start_day: int, end_day: int, arr: pd.DataFrame, first_sql: np.ndarray, rcy: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    nd = end_day - start_day + 1

    def count(days: np.ndarray) -> np.ndarray:
        days = np.asarray(days, dtype=np.int64)
        days = days[(days >= start_day) & (days <= end_day)]
        return np.bincount(days - start_day, minlength=nd)

    aday = arr["day"].to_numpy(dtype="datetime64[ns]").view("int64") // DAY_NS if len(arr) else np.zeros(0, dtype=np.int64)
    isnew = (arr["kind"] == "new").to_numpy() if len(arr) else np.zeros(0, dtype=bool)
    rday = rcy["day"].to_numpy(dtype="datetime64[ns]").view("int64") // DAY_NS if len(rcy) else np.zeros(0, dtype=np.int64)
    days = np.arange(start_day, end_day + 1)
    daily = pd.DataFrame(
        {
            "day": day_stamp(days),
            "new": count(aday[isnew]),
            "re_mql": count(aday[~isnew]),
        }
    )
    daily["mqls"] = daily["new"] + daily["re_mql"]
    daily["sqls"] = count(first_sql[first_sql != _NONE])
    daily["recycled"] = count(rday)
    wk = week_monday(days)
    weekly = daily.drop(columns="day").groupby(wk, sort=True).sum()
    weekly["days"] = np.bincount(wk - wk.min())[weekly.index - wk.min()]
    weekly.insert(0, "week", day_stamp(weekly.index.to_numpy()))
    weekly = weekly.reset_index(drop=True)
    return daily, weekly
