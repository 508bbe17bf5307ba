"""The scoring engine: vectorised, incremental, explainable.

One module because :class:`Scorer` is one object whose incremental state
(per-rule points, group sums, dimension totals, event windows) must stay
consistent across every edit method; split across files, the invariants below
would have no single place to read. Binding frames into :class:`LeadData`
is in :mod:`.binding` (its names stay importable from here); the event log
and its index are in :mod:`.events`, events matched to lead rows in
:mod:`.ids`; conditions, explanations and summaries are in their own modules.

:class:`Scorer` scores every lead in one pass and then keeps its state so that
an edit to one rule, a threshold or a cap costs a few array operations.

Invariants kept by the scorer (checked by tests against a per-row oracle):

* ``fit + engagement`` before the score range equals the sum of capped group
  sums and ungrouped rule points of each dimension, each dimension clipped;
* the lines of :meth:`Scorer.explain` always add up to the lead's score;
* incremental updates equal a fresh full scoring (up to float rounding).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

import numpy as np
import pandas as pd

from leaddesigner.core.model.types import (
    STATUSES,
    Rule,
    ScoringModel,
)
from leaddesigner.core.scoring import conditions as C
from leaddesigner.core.scoring.binding import (  # noqa: F401 - engine.bind, engine.LeadData etc. stay importable
    LeadData,
    bind,
    default_as_of,
    future_cutoff,
    parse_as_of,
    subset_data,
)
from leaddesigner.core.scoring.events import MAX_EVENT_GROUPS, EventIndex, Events, event_index  # noqa: F401 - engine.Events etc. stay importable

if TYPE_CHECKING:
    from leaddesigner.core.scoring.explain import Explanation

DAY_NS = C.DAY_NS
Progress = Callable[[float, str], None]


# ---------------------------------------------------------------- scoring state
@dataclass
class RuleState:
    """What the scorer remembers of one enabled rule."""

    rule: Rule  # snapshot of the rule as evaluated
    raw: np.ndarray  # condition: bool mask; map: points; activity: decayed event count
    bucket: tuple  # ("g", group) or ("d", dimension)
    #: leads with a non-zero raw value, and how many of those have a persona weight of 0 (see rule_hits);
    #: None until counted, and again whenever ``raw`` is evaluated anew
    nonzero: tuple[int, int] | None = None


@dataclass
class ScoreArrays:
    """Per-lead results. ``grade`` and ``status`` are codes into ``grade_names`` / STATUSES."""

    score: np.ndarray
    fit: np.ndarray
    engagement: np.ndarray
    grade: np.ndarray  # int16 codes, -1 when the model has no grades
    status: np.ndarray  # int8: 0 lead, 1 MQL, 2 SQL
    products: dict[str, np.ndarray]


class Scorer:
    """Scores all leads and follows edits to the model incrementally.

    Edit the model object in place (or through edit commands), then call
    :meth:`refresh`: the scorer compares each rule with the snapshot it scored
    and redoes only what changed. A points change costs one delta on one
    bucket; a condition change re-evaluates that rule only.
    """

    def __init__(self, model: ScoringModel, data: LeadData, progress: Progress | None = None):
        self.model = model
        self.data = data
        self.n = len(data)
        self._states: dict[str, RuleState] = {}
        self._buckets: dict[tuple, np.ndarray] = {}
        self._products: dict[str, np.ndarray] = {}
        self._settings = None
        self._age: np.ndarray | None = None
        self.result: ScoreArrays | None = None
        self.full(progress)

    # -- public API
    def full(self, progress: Progress | None = None) -> ScoreArrays:
        """Score from scratch."""
        self._states.clear()
        self._buckets.clear()
        self._products.clear()
        self._weights = self._persona_weights()
        #: leads whose persona weight is 0 (their engagement rules give 0 points); None when there are none
        self._weightless = None if self._weights is None or self._weights.all() else self._weights == 0
        self._age = None
        self._agg = None  # aggregation cache (see _aggregate)
        self._last_added: tuple | None = None  # (state, raw, rule, points) of the last rule added (see _add)
        self._dirty: set = set()
        self._row_as_of = self.data.row_as_of_ns()
        rules = [r for r in self.model.rules if r.enabled]
        for i, r in enumerate(rules):
            if progress:
                progress(i / max(len(rules), 1), f"Scoring rule {i + 1} of {len(rules)}: {r.label or r.id}")
            st = RuleState(copy.deepcopy(r), self._evaluate(r), self._bucket(r))
            self._states[r.id] = st
            self._add(st, +1.0)
        self._settings = self._settings_key()
        self.result = self._aggregate()
        if progress:
            progress(1.0, "Scored")
        return self.result

    def refresh(self) -> ScoreArrays:
        """Bring the result up to date with the (edited) model."""
        if self._settings_key()[0] != self._settings[0]:  # persona weighting changed
            return self.full()
        current = {r.id: r for r in self.model.rules if r.enabled}
        for rid in [k for k in self._states if k not in current]:
            self._add(self._states.pop(rid), -1.0)
        for rid, r in current.items():
            st = self._states.get(rid)
            if st is None:
                st = RuleState(copy.deepcopy(r), self._evaluate(r), self._bucket(r))
                self._states[rid] = st
                self._add(st, +1.0)
                continue
            if st.rule == r:
                continue
            self._add(st, -1.0)
            if _condition_key(st.rule) != _condition_key(r):
                st.raw = self._evaluate(r)
                st.nonzero = None
            st.rule = copy.deepcopy(r)
            st.bucket = self._bucket(r)
            self._add(st, +1.0)
        self._settings = self._settings_key()
        self.result = self._aggregate()
        return self.result

    def set_as_of(self, as_of: pd.Timestamp, horizon_days: float | None = None) -> ScoreArrays:
        """Score as of another moment, optionally each lead ``horizon_days`` after its creation.

        Re-evaluates everything (activity and date rules depend on the moment).
        """
        self.data.as_of = pd.Timestamp(as_of)
        self.data.horizon_days = horizon_days
        return self.full()

    def score_at(self, moments_ns: np.ndarray, rows: np.ndarray | None = None) -> ScoreArrays:
        """Score each lead as of its own moment, leaving this scorer untouched.

        ``moments_ns``: int64 nanoseconds (or datetime64) per lead, NaT meaning the
        data's ``as_of``; moments later than ``as_of`` are scored as of ``as_of``.
        ``rows``: score only these lead rows (``moments_ns`` then has one entry per
        row given); the result arrays follow ``rows``. Equivalent to
        ``set_as_of(moment)`` run per lead, in one pass: a fresh scorer over a
        shallow copy of the data with per-lead moments (the model is copied, the
        state, caches and ``result`` of this scorer are not changed).
        """
        return Scorer(copy.deepcopy(self.model), subset_data(self.data, rows, moments_ns)).result

    def rule_factor(self, rule_id: str) -> np.ndarray:
        """Points each lead gets from one rule per point of the rule (its count or match, x persona weight).

        For condition and activity rules, ``points x factor`` is the rule's points
        (before an activity rule's ``max_points`` and the caps); zero for a map rule
        or a rule that is not enabled.
        """
        st = self._states.get(rule_id)
        if st is None or st.rule.kind == "map":
            return np.zeros(self.n)
        v = np.asarray(st.raw, dtype=float)
        if st.rule.dimension == "engagement" and self._weights is not None:
            v = v * self._weights
        return v

    def rule_points(self, rule_id: str) -> np.ndarray:
        """Points each lead gets from one rule (after persona weighting, before caps)."""
        st = self._states.get(rule_id)
        if st is None:
            return np.zeros(self.n)
        return self._points(st)

    def rule_hits(self, rule_id: str) -> int:
        """How many leads the rule gives non-zero points now."""
        st = self._states.get(rule_id)
        if st is None:
            return 0
        r = st.rule
        # a count over the raw values, no array of points (1M leads: ~1 ms instead of ~8 ms per rule, which
        # the rules table asks for every rule once a file is scored): points are raw x points, capped at
        # +-max_points for activity rules, or raw itself for a map, and for engagement rules x the persona
        # weight; only a zero factor, a cap of 0 or a weight of 0 turns a raw hit into 0 points.
        # The counts are kept with the rule's state: an edit of points or caps does not count again.
        if r.kind != "map" and (not r.points or (r.kind != "condition" and r.activity.max_points == 0)):
            return 0
        if st.nonzero is None:
            weightless = int(np.count_nonzero(st.raw[self._weightless])) if self._weightless is not None else 0
            st.nonzero = (int(np.count_nonzero(st.raw)), weightless)
        return st.nonzero[0] - (st.nonzero[1] if r.dimension == "engagement" else 0)

    def hit_counts(self) -> dict[str, int]:
        """:meth:`rule_hits` of every enabled rule (counted once; a worker thread can do it before the window asks)."""
        return {rid: self.rule_hits(rid) for rid in self._states}

    def rule_matches(self, rule_id: str) -> int:
        """How many leads the rule's condition matches (whatever its points)."""
        st = self._states.get(rule_id)
        if st is None:
            return 0
        return int(np.count_nonzero(st.raw))

    def points_frame(self, rows: Iterable[int] | None = None) -> pd.DataFrame:
        """Per-rule points (columns = enabled rule ids), for all or some leads."""
        idx = np.arange(self.n) if rows is None else np.asarray(list(rows), dtype=int)
        data = {rid: self._points(st)[idx] for rid, st in self._states.items()}
        return pd.DataFrame(data, index=self.data.ids[idx])

    def frame(self) -> pd.DataFrame:
        """The scored leads: id, score, fit_score, engagement_score, grade, status, product scores."""
        res = self.result
        out = pd.DataFrame({self.data.id_column or self.model.lead_id: self.data.ids.to_numpy()})
        out["score"] = np.round(res.score, 2)
        out["fit_score"] = np.round(res.fit, 2)
        out["engagement_score"] = np.round(res.engagement, 2)
        names = self.grade_names()
        out["grade"] = pd.Categorical.from_codes(res.grade, categories=names) if names else pd.Categorical([None] * self.n)
        out["status"] = pd.Categorical.from_codes(res.status, categories=list(STATUSES))
        for p, arr in res.products.items():
            out[f"product_{p}"] = np.round(arr, 2)
        return out

    def grade_names(self) -> list[str]:
        g = self.model.grades
        if not g.fit or not g.engagement:
            return []
        return [f + e for f in g.fit for e in g.engagement]

    def explain(self, row: int) -> "Explanation":
        from leaddesigner.core.scoring.explain import explain_row

        return explain_row(self, row)

    # -- evaluation
    def _persona_weights(self) -> np.ndarray | None:
        p = self.model.persona
        if p is None:
            return None
        s, atype = self.data.column(p.attribute)
        from leaddesigner.core.model.types import ValueMap

        w = C.map_points(s, atype, ValueMap(p.attribute, values=p.weights, default=p.default))
        # map_points gives 0 for missing values: a lead without a persona gets the default weight
        w[s.isna().to_numpy()] = p.default
        return w

    def _bucket(self, r: Rule) -> tuple:
        return ("g", r.group) if r.group else ("d", r.dimension)

    def _evaluate(self, r: Rule) -> np.ndarray:
        d = self.data
        if r.kind == "condition":
            return C.evaluate(r.when, d.column, self.n, self._row_as_of)
        if r.kind == "map":
            s, atype = d.column(r.map.attribute)
            return C.map_points(s, atype, r.map)
        return self._activity_counts(r)

    def event_ages(self) -> np.ndarray:
        """Age of each event in days at the as-of moment (negative: after it)."""
        if self._age is None:
            ev = self.data.events
            moment = self._row_as_of
            if not np.isscalar(moment):
                moment = moment[ev.lead]
            self._age = (moment - ev.ts) / DAY_NS
        return self._age

    def activity_event_mask(self, r: Rule) -> np.ndarray:
        """Events that count for an activity rule: matching, before as-of, inside the window."""
        ev = self.data.events
        age = self.event_ages()
        m = age > 0
        if r.activity.where is not None:
            m &= C.evaluate(r.activity.where, self.data.event_column, len(ev), self.data.as_of_ns)
        if r.activity.within_days is not None:
            m &= age <= r.activity.within_days
        return m

    def decay_factors(self, r: Rule, age: np.ndarray) -> np.ndarray | None:
        d = r.activity.decay
        if d is None:
            return None
        if d.half_life_days is not None:
            return np.exp2(-age / d.half_life_days)
        return np.clip(1.0 - (d.linear_pct / 100.0) * np.floor(age / d.period_days), 0.0, 1.0)

    def _activity_counts(self, r: Rule) -> np.ndarray:
        ev = self.data.events
        if ev is None or len(ev) == 0:
            return np.zeros(self.n)
        idx = event_index(self.data)
        if idx is None:  # too many (type, detail) pairs: one pass over every event
            m = self.activity_event_mask(r)
            w = self.decay_factors(r, self.event_ages()[m])
            return np.bincount(ev.lead[m], weights=w, minlength=self.n).astype(float, copy=False)
        moment = self._row_as_of
        if np.isscalar(moment):
            lead, age = idx.select(r.activity.where, r.activity.within_days, int(moment), self.data.as_of_ns)
        else:  # each lead at its own moment (N days after creation): the index still picks the matching events
            lead, age = idx.select(r.activity.where, r.activity.within_days, self.data.as_of_ns, self.data.as_of_ns,
                                   moments=np.asarray(moment, dtype=np.int64))
        return np.bincount(lead, weights=self.decay_factors(r, age), minlength=self.n).astype(float, copy=False)

    def _points(self, st: RuleState) -> np.ndarray:
        r = st.rule
        weighted = r.dimension == "engagement" and self._weights is not None
        if r.kind == "map":
            return st.raw * self._weights if weighted else st.raw
        # one new array, clipped and weighted in place: an edit runs this twice per rule (old and new points),
        # and at a million leads each fresh 8 MB array costs the kernel more than the arithmetic
        v = np.multiply(st.raw, r.points, dtype=float)
        if r.kind == "activity" and r.activity.max_points is not None:
            np.clip(v, -r.activity.max_points, r.activity.max_points, out=v)
        if weighted:
            np.multiply(v, self._weights, out=v)
        return v

    def _add(self, st: RuleState, sign: float) -> None:
        self._dirty.add(st.bucket)
        last = self._last_added
        if sign == -1.0 and last is not None and last[0] is st and last[1] is st.raw and last[2] is st.rule:
            v = last[3]  # the points this rule added at the last edit: a rule edited again and again (a spin box)
        else:
            v = self._points(st)
        if sign == 1.0:
            # kept (8 MB at 1M leads) until the next edit; st.raw and st.rule are replaced, never changed in place,
            # and a change of persona weights scores from scratch, so the identities say the points still hold
            self._last_added = (st, st.raw, st.rule, v)
        b = self._buckets.get(st.bucket)
        if b is None:
            self._buckets[st.bucket] = v * sign if sign != 1.0 else v.astype(float, copy=True)
        elif sign == -1.0:
            b -= v
        else:
            b += v * sign if sign != 1.0 else v
        p = st.rule.product
        if p:
            prod = self._products.get(p)
            if prod is None:
                self._products[p] = v * sign if sign != 1.0 else v.astype(float, copy=True)
            elif sign == -1.0:
                prod -= v
            else:
                prod += v * sign if sign != 1.0 else v

    def _settings_key(self) -> tuple:
        m = self.model
        return (copy.deepcopy(m.persona),)

    # -- aggregation
    def group_dimension(self, group: str) -> str:
        for st in self._states.values():
            if st.rule.group == group:
                return st.rule.dimension
        return "fit"

    def _aggregate(self) -> ScoreArrays:
        """Caps, score range, grades and status from the buckets.

        An edit touches one or two buckets: the capped contributions of the
        other buckets, the sums of an untouched dimension and its grade bands
        are kept from the previous call, and a dimension's sum up to the first
        changed bucket (:func:`_dimension_sum`); sums are redone in bucket
        order, so the result equals an aggregation of the same buckets from
        scratch bit for bit. (The buckets themselves take an edit as ``-=``
        the old points and ``+=`` the new: equal to a fresh scoring within
        rounding.) Any change of caps, range, grade bands or bucket layout
        recomputes everything.
        """
        m = self.model
        n = self.n
        group_dims = {st.rule.group: st.rule.dimension for st in self._states.values() if st.rule.group}
        layout = []
        for key in self._buckets:
            if key[0] == "g":
                if key[1] not in group_dims:
                    continue  # emptied bucket
                layout.append((key, group_dims[key[1]]))
            else:
                layout.append((key, key[1]))
        layout = tuple(layout)
        config = (copy.deepcopy(m.caps), copy.deepcopy(m.score_range), copy.deepcopy(m.grades.fit), copy.deepcopy(m.grades.engagement))
        agg = self._agg
        if agg is None or agg["layout"] != layout or agg["config"] != config:
            agg = {"layout": layout, "config": config, "contrib": {}, "raw": {}, "capped": {}, "band": {}}
            dirty = {key for key, _ in layout}
            dims = {"fit", "engagement"}
        else:
            dirty = self._dirty
            dims = {d for key, d in layout if key in dirty}
        for key, _ in layout:
            if key in dirty or key not in agg["contrib"]:
                s = self._buckets[key]
                # ungrouped buckets (and uncapped groups) are read as they are; they change in place only through _add
                agg["contrib"][key] = _clip(s, m.caps.groups.get(key[1])) if key[0] == "g" else s
        g = m.grades
        graded = bool(g.fit and g.engagement)
        for dim in ("fit", "engagement"):
            if dim in dims or dim not in agg["raw"]:
                acc = _dimension_sum(agg, dim, [key for key, d in layout if d == dim], dirty, n)
                agg["raw"][dim] = acc
                agg["capped"][dim] = _clip(acc, m.caps.dimensions.get(dim))
                agg["band"].pop(dim, None)
            if graded and dim not in agg["band"]:
                agg["band"][dim] = band_index(agg["capped"][dim], list((g.fit if dim == "fit" else g.engagement).values()))
                agg.pop("grade", None)
        self._dirty = set()
        self._agg = agg
        fit, eng = agg["capped"]["fit"], agg["capped"]["engagement"]
        total = fit + eng
        r = m.score_range
        if r is not None and (r.min is not None or r.max is not None):
            np.clip(total, -np.inf if r.min is None else r.min, np.inf if r.max is None else r.max, out=total)
        grade = None
        if graded:
            if "grade" not in agg:
                fi = agg["band"]["fit"] * np.int16(len(g.engagement))
                fi += agg["band"]["engagement"]
                agg["grade"] = fi
            grade = agg["grade"]
        eligible = total >= m.thresholds.mql
        if m.grades.mql_cells is not None and grade is not None:
            names = self.grade_names()
            allowed = np.zeros(len(names), dtype=bool)
            allowed[[names.index(c) for c in m.grades.mql_cells if c in names]] = True
            eligible &= allowed[grade]
        status = eligible.view(np.int8).copy()  # True -> 1 (MQL)
        if m.thresholds.sql is not None:
            status += eligible & (total >= m.thresholds.sql)  # SQL -> 2
        products = {p: self._products[p] if p in self._products else np.zeros(n) for p in m.products}
        if grade is None:
            grade = np.full(n, -1, dtype=np.int16)
        return ScoreArrays(total, fit, eng, grade, status, products)

    def _grades(self, fit: np.ndarray, eng: np.ndarray) -> np.ndarray | None:
        g = self.model.grades
        if not g.fit or not g.engagement:
            return None
        fi = band_index(fit, list(g.fit.values()))
        ei = band_index(eng, list(g.engagement.values()))
        return (fi * len(g.engagement) + ei).astype(np.int16)


def band_index(x: np.ndarray, mins: list[float | None]) -> np.ndarray:
    """Index of the first band (highest first) whose minimum ``x`` reaches; the last band catches the rest."""
    if len(mins) < 2:
        return np.zeros(len(x), dtype=np.int16)
    idx = (x < mins[0]).astype(np.int16)
    for lo in mins[1:-1]:
        idx += x < lo
    return idx


def _dimension_sum(agg: dict, dim: str, keys: list, dirty: set, n: int) -> np.ndarray:
    """A dimension's bucket contributions summed in layout order: ``((0 + c0) + c1) + ...``, bit for bit.

    The sum of the buckets before the first changed one is kept (one array per
    dimension), so the next edit of the same bucket adds only from there: a rule
    edited again and again (a spin box) costs the buckets after it, not all of them.
    """
    contrib = agg["contrib"]
    if not keys:
        return np.zeros(n)
    first = next((i for i, k in enumerate(keys) if k in dirty), len(keys))
    kept = agg.setdefault("prefix", {}).get(dim)
    if kept is not None and kept[0] <= first:
        start, acc = kept[0], kept[1]
        acc = acc + contrib[keys[start]] if start < len(keys) else acc.copy()
        start += 1
    else:  # from the start: a bucket before the kept sum changed (or none is kept)
        agg["prefix"].pop(dim, None)
        kept = None
        acc = np.add(contrib[keys[0]], 0.0)  # 0 + c0, as from zeros (a -0.0 becomes +0.0 either way)
        start = 1
    for i in range(start, len(keys)):
        if i == first and kept is None:
            agg["prefix"][dim] = (i, acc.copy())  # the sum before the changed bucket, for its next edit
        acc += contrib[keys[i]]
    return acc


def _clip(x: np.ndarray, r) -> np.ndarray:
    if r is None or (r.min is None and r.max is None):
        return x
    return np.clip(x, -np.inf if r.min is None else r.min, np.inf if r.max is None else r.max)


def _condition_key(r: Rule) -> tuple:
    """The parts of a rule that decide its raw vector (points and caps do not)."""
    if r.kind == "activity":
        a = r.activity
        return ("activity", a.where, a.within_days, a.decay)
    if r.kind == "map":
        return ("map", r.map)
    return ("condition", r.when)


def score(model: ScoringModel, data: LeadData) -> pd.DataFrame:
    """Score leads in one call: the frame written by ``leaddesigner score``."""
    return Scorer(model, data).frame()
