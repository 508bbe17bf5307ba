"""The replay's machinery: each activity rule as a step table over (lead, day), and scores evaluated from them.

:class:`ReplayCore` keeps, per enabled rule, the days on which a lead's counted
events (and decay) change the rule's value (:class:`StepTable`), evaluates the
model's score at any (lead, day) pairs from those tables with the engine's
semantics, and finds the days a lead's score can change (events entering and
leaving windows, decay steps, date conditions flipping). :class:`EventSet` finds
the first or last event of a lead at or after (before) a moment by binary search.
Used by :func:`~leaddesigner.core.analysis.replay.replay`; pure numpy."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leaddesigner.core.data.parallel import on_cores
from leaddesigner.core.model.types import Leaf, ScoringModel, ValueMap, leaves
from leaddesigner.core.scoring import conditions as C
from leaddesigner.core.scoring.aggregation import (
    band_index,
    clip_bounds,
    grade_code,
    grade_names,
    mql_allowed,
    status_into,
)
from leaddesigner.core.scoring.conditions import DAY_NS
from leaddesigner.core.scoring.engine import LeadData, ScoreArrays
from leaddesigner.core.scoring.events import event_groups

__all__ = ["NAT", "EventSet", "ReplayCore", "StepTable", "repeat_counts"]


NAT = np.iinfo(np.int64).min


#: windows longer than this many days are treated as "no window" (they outlast any replay)
_LONG_DAYS = 100_000


# ---------------------------------------------------------------- per-rule step tables
@dataclass
class StepTable:
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


class ReplayCore:
    """The replay machinery over one model and one bound data set (internal)."""

    def __init__(self, model: ScoringModel, data: LeadData, day_lo: int, day_hi: int):
        self.model, self.data = model, data
        self.n = len(data)
        self.day_lo, self.day_hi = day_lo, day_hi
        self.stride = day_hi - day_lo + 2
        self.rules = [r for r in model.rules if r.enabled]
        self.weights = self._persona_weights()
        self.grade_names = grade_names(model.grades)  # the scorer's cells and MQL rule (core.scoring.aggregation)
        self.graded = bool(self.grade_names)
        self.allowed = mql_allowed(model.grades, self.grade_names)
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
        #: each activity rule's sorted events: a mask, or their positions when that is smaller (see _compact)
        self.match: dict[str, np.ndarray] = {}
        if ev is not None and len(ev):
            hit = data.cache.get("replay_events")
            if hit is None or hit[0] is not ev:
                # sorted by (lead, time), kept with the data: edits to the model reuse it; with the
                # (type, detail) pair of each sorted event (none when the log has too many pairs)
                order = _lead_time_order(ev.lead, ev.ts)
                if len(order) < 2**31 - 1:
                    order = order.astype(np.int32)  # a gather index only: 12M events, 48 MB less
                pairs = event_groups(data)  # the pair of each event: the time-sorted index is the scorer's
                groups = pairs.group[order] if pairs is not None else None
                # the leads in that order are each lead's row repeated by its event count: no gather of 12M
                # in int32 where rows fit (12M events: 48 MB less kept); keys widen it (key(): int64 products)
                row_type = np.int32 if self.n < 2**31 else ev.lead.dtype
                sorted_lead = repeat_counts(np.arange(self.n, dtype=row_type), np.bincount(ev.lead, minlength=self.n))
                hit = (ev, order, sorted_lead, ev.ts[order], {}, {}, pairs, groups)
                data.cache["replay_events"] = hit
            _, order, self.ev_lead, self.ev_ts, matches, self.table_cache, pairs, groups = hit
            self.ev_order = order
            for r in self.rules:
                if r.kind != "activity":
                    continue
                if r.activity.where is None:
                    self.match[r.id] = np.ones(len(order), dtype=bool)
                    continue
                key = repr(r.activity.where)
                m = matches.get(key)
                if m is None:  # kept with the data: the next replay (after an edit) reads it again
                    if groups is not None:  # the condition on each distinct (type, detail) pair, one gather per event
                        m = _compact(pairs.matching_groups(r.activity.where, data.as_of_ns)[groups])
                    else:
                        m = _compact(C.evaluate(r.activity.where, data.event_column, len(ev), data.as_of_ns)[order])
                    if len(matches) >= 64 or sum(x.nbytes for x in matches.values()) + m.nbytes > _MATCHES_BYTES:
                        matches.clear()  # conditions edited again and again: start over with the current ones
                    matches[key] = m
                self.match[r.id] = m
        self.events = EventSet(self.ev_lead, self.ev_ts, self.n)

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
        return [leaf for leaf, _ in leaves(c)
                if self.data.types.get(leaf.attribute) == "date" and leaf.op in ("within_days", "older_than_days")]

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
    def tables(self, subset: np.ndarray | None, floor: np.ndarray | None, lo: np.ndarray) -> dict[str, StepTable]:
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
                sel = idx[_holds(m, idx)]
            elif keep is not None:
                sel = m[keep[m]] if m.dtype != bool else m & keep
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

        def size(t: StepTable) -> int:
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

    def _table(self, r, lead: np.ndarray, ts: np.ndarray, lo: np.ndarray) -> StepTable:
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
            return StepTable(kind, np.zeros(0, dtype=np.int64), np.zeros(0))
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
        tab = StepTable(kind, ukeys, c)
        if kind == "linear":
            tab.s = seg_cumsum_int(s_l)
            tab.p = p
        if kind == "half":
            v = np.add.reduceat(np.concatenate(a_l)[order], starts) if len(starts) else np.zeros(0)
            acc = pd.Series(v).groupby(ulead, sort=False).cumsum().to_numpy().copy() if len(v) else v
            acc[c <= 0] = 0.0
            tab.a, tab.tref, tab.half_life = acc, tref, h
        return tab

    def _raw(self, tab: StepTable, lead: np.ndarray, day: np.ndarray, qkeys: np.ndarray, qsorted: bool = False,
             qbase: np.ndarray | None = None) -> np.ndarray:
        """The rule's raw value at each (lead, day) query: the table's last step at or before it, when that
        step is the same lead's. ``qbase`` is ``lead * stride`` (the lead's first possible key), shared by
        every rule of one evaluation: a key at or above it is the lead's own (no division per query)."""
        if qbase is None:
            qbase = np.multiply(lead, self.stride, dtype=np.int64)
        keys, k0 = tab.keys, 0
        if qsorted and len(keys) and len(qkeys):
            # only the keys of the queried leads can count (a part of the grid reads its own stretch)
            k0 = int(np.searchsorted(keys, qbase[0], "left"))
            keys = keys[k0:int(np.searchsorted(keys, qkeys[-1], "right"))]
        if not len(keys):
            return np.zeros(len(lead))
        if qsorted and 2 * len(keys) < len(qkeys):
            # the grid: many sorted queries, fewer table keys. Place each key among the queries
            # and count: the number of keys <= q, as searchsorted(keys, q, "right"), by a running sum
            p = np.searchsorted(qkeys, keys, "left")
            i = np.cumsum(np.bincount(p, minlength=len(qkeys) + 1)[: len(qkeys)]) - 1
        else:
            i = np.searchsorted(keys, qkeys, "right") - 1
        ok = i >= 0
        np.maximum(i, 0, out=i)
        ok &= keys[i] >= qbase
        i += k0
        if tab.kind == "count":
            return np.where(ok, tab.c[i], 0.0)
        if tab.kind == "linear":
            return np.where(ok, tab.c[i] - tab.p * tab.s[i], 0.0)
        # half-life: the decay factor only where the lead has a step with a non-zero sum
        out = np.zeros(len(lead))
        at = np.flatnonzero(ok)
        a = tab.a[i[at]]
        live = a != 0
        at, a = at[live], a[live]
        e = ((tab.tref[lead[at]] - (day[at] + 1) * DAY_NS) / DAY_NS) / tab.half_life
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            v = a * np.exp2(e)
            far = e > 1000  # a lead whose events span > 1000 half-lives: multiply in the log domain
            if far.any():
                v[far] = np.exp2(np.log2(a[far]) + e[far])
        out[at] = v
        return out

    # -- scoring at (lead, day) pairs
    #: (lead, day) pairs evaluated together: a part's ~40 temporaries stay a few MB each and are reused,
    #: instead of fresh arrays of every pair (5.3M pairs at 1M leads: 2.2 -> 1.0 s, 380 -> 60 MB over the grid);
    #: the parts on a thread per core (numpy lets go of the GIL): 1.0 -> 0.66 s
    EVALUATE_PART = 1 << 18

    def evaluate(self, lead: np.ndarray, day: np.ndarray, tabs: dict[str, StepTable]) -> ScoreArrays:
        """Scores as of the end of ``day`` for each (lead, day) pair, the engine's way."""
        lead = np.asarray(lead, dtype=np.int64)
        day = np.asarray(day, dtype=np.int64)
        n, step = len(lead), self.EVALUATE_PART
        if n <= step:
            return self._evaluate(lead, day, tabs)
        # each part written into its place (a list of parts joined at the end held every lead-day twice: 1M
        # leads, 5.3M lead-days, 130 MB more at the peak of `simulate`)
        out = ScoreArrays(np.empty(n), np.empty(n), np.empty(n), np.empty(n, dtype=np.int16), np.empty(n, dtype=np.int8), {})

        def part(a: int) -> None:
            p = self._evaluate(lead[a:a + step], day[a:a + step], tabs)
            for f in ("score", "fit", "engagement", "grade", "status"):
                getattr(out, f)[a:a + step] = getattr(p, f)

        on_cores(part, range(0, n, step), limit=4, name="replay-part")  # numpy lets go of the GIL
        return out

    def _evaluate(self, lead: np.ndarray, day: np.ndarray, tabs: dict[str, StepTable]) -> ScoreArrays:
        m = self.model
        n = len(lead)
        qkeys = self.key(lead, day) if tabs else None
        qsorted = qkeys is not None and n > 1 and bool(np.all(qkeys[1:] >= qkeys[:-1]))
        qbase = np.multiply(lead, self.stride, dtype=np.int64) if tabs else None
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
                raw = np.zeros(n) if tab is None else self._raw(tab, lead, day, qkeys, qsorted, qbase)
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
        total = _clip(total, m.score_range)
        g = m.grades
        if self.graded:
            grade = grade_code(band_index(fit, list(g.fit.values())), band_index(eng, list(g.engagement.values())), len(g.engagement))
        else:
            grade = np.full(n, -1, dtype=np.int16)
        status = np.empty(n, dtype=np.int8)
        status_into(total, grade, self.allowed, m.thresholds.mql, m.thresholds.sql, status)  # the scorer's rule
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
        for timed in self.timed.values():
            for c in timed:
                k = (c.attribute, float(c.value))
                if k in seen:
                    continue
                seen.add(k)
                x = self.data.frame[c.attribute].to_numpy(dtype="datetime64[ns]").view("int64")
                rows = np.flatnonzero(x != NAT)
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

    def grid(self, tabs: dict[str, StepTable], subset: np.ndarray, lo: np.ndarray, extra_days: list, dense: np.ndarray, eves: bool = False) -> tuple[np.ndarray, np.ndarray]:
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
        if len(rows) == self.n and len(lo) and int(lo.min()) == int(lo.max()):
            # every lead, one first day (the whole period): the day offset decides alone, no lead gathers
            off = keys % self.stride
            ok = (off <= self.day_hi - self.day_lo) & (off >= int(lo[0]) - self.day_lo)
        else:
            glead, off = np.divmod(keys, self.stride)
            gday = off + self.day_lo
            ok = subset[glead] & (gday <= self.day_hi) & (gday >= lo[glead])
        keys = _unique_sorted(keys[ok])
        glead, off = np.divmod(keys, self.stride)
        return glead, off + self.day_lo

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


class EventSet:
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
            return np.full(len(lead), NAT, dtype=np.int64)
        i = self.first_at_or_after(lead, t) - 1
        ok = i >= self.start[lead]
        return np.where(ok, self.ts[np.maximum(i, 0)], NAT)

    def next_at_or_after(self, lead: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Time of the lead's first event at or after ``t`` (NaT value when none)."""
        if not len(self.ts):
            return np.full(len(lead), NAT, dtype=np.int64)
        i = self.first_at_or_after(lead, t)
        ok = i < self.start[lead + 1]
        return np.where(ok, self.ts[np.minimum(i, len(self.ts) - 1)], NAT)


def _lead_time_order(lead: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Permutation sorting events by (lead, time), ties in log order (a stable sort's answer).

    Each event's lead row and its rank in time order are packed into one int64
    (lead in the high bits), so one plain sort of distinct keys does it: 12M
    events 1.6 -> 0.3-0.5 s against two 16-bit radix passes with their random
    gathers, which stay for leads too many to pack."""
    n = len(ts)
    by_time = None if n <= 1 or bool(np.all(ts[1:] >= ts[:-1])) else np.argsort(ts, kind="stable")
    bits = max(1, (n - 1).bit_length())
    if n == 0 or (int(lead.min()) >= 0 and int(lead.max()).bit_length() + bits <= 63):
        key = (lead if by_time is None else lead[by_time]).astype(np.int64)  # a copy either way
        key <<= bits
        key |= np.arange(n, dtype=np.int64)
        key.sort()
        key &= (1 << bits) - 1  # the time rank: the position in time order
        return key if by_time is None else by_time[key]
    order = np.arange(n) if by_time is None else by_time
    mx = int(lead.max())
    shift = 0
    while True:
        digit = ((lead[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
        if mx >> shift == 0:
            break
    return order


#: at most this much of kept rule matches per bound data (a common condition over 12M events: a 12 MB mask)
_MATCHES_BYTES = 256 << 20


def _compact(mask: np.ndarray) -> np.ndarray:
    """A rule's event mask, or the positions of its events when fewer than one in eight match (12M events:
    a 12 MB mask each; a demo request's 1% are 0.5 MB of positions). Both select with ``events[m]``."""
    n = len(mask)
    if n < 1024 or n >= 2**31:
        return mask
    count = int(np.count_nonzero(mask))
    return np.flatnonzero(mask).astype(np.int32) if count < n // 8 else mask


def _holds(m: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Whether each sorted event ``idx`` is one of ``m`` (a mask, or ascending positions)."""
    if m.dtype == bool:
        return m[idx]
    at = np.searchsorted(m, idx)
    inside = at < len(m)
    out = np.zeros(len(idx), dtype=bool)
    out[inside] = m[at[inside]] == idx[inside]
    return out


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
    """``x`` within the cap ``r`` (``x`` itself when it bounds nothing), as the scorer's aggregation reads caps."""
    bounds = clip_bounds(r)
    return x if bounds is None else np.clip(x, *bounds)


def _unique_sorted(keys: np.ndarray) -> np.ndarray:
    """Sorted unique values (a sort and a mask: faster than np.unique's hashing here)."""
    keys = np.sort(keys)
    if len(keys) < 2:
        return keys
    keep = np.empty(len(keys), dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]
