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
from leaddesigner.core.scoring import aggregation, conditions as C
from leaddesigner.core.scoring.aggregation import aggregate
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
    bucket; a condition change re-evaluates that rule only, and when it
    changes the points of few leads (a window, a value list, a text
    condition) the bucket and the aggregation are redone at those leads' rows
    only (:meth:`_replace`, :mod:`.aggregation`). Results handed out are never
    written again: an edit makes new arrays.
    """

    def __init__(self, model: ScoringModel, data: LeadData, progress: Progress | None = None):
        self.model = model
        self.data = data
        self.n = len(data)
        self._states: dict[str, RuleState] = {}
        self._buckets: dict[tuple, np.ndarray] = {}
        self._products: dict[str, np.ndarray] = {}  # product -> points, updated in place by each edit
        self._handed_products: dict[str, np.ndarray] = {}  # product -> the copy the last result handed out
        self._persona = None
        self._age: np.ndarray | None = None
        self.result: ScoreArrays | None = None
        self.full(progress)

    # -- public API
    def full(self, progress: Progress | None = None) -> ScoreArrays:
        """Score from scratch."""
        self._states.clear()
        self._buckets.clear()
        self._products.clear()
        self._handed_products = {}
        self._weights = self._persona_weights()
        #: leads whose persona weight is 0 (their engagement rules give 0 points); None when there are none
        self._weightless = None if self._weights is None or self._weights.all() else self._weights == 0
        self._age = None
        self._agg = None  # aggregation cache (see _aggregate)
        self._last_added: tuple | None = None  # (state, raw, rule, points) of the last rule added (see _add)
        #: buckets changed since the last aggregation -> the rows whose points changed (None: any row)
        self._dirty: dict = {}
        self._dirty_products: set = set()  # products whose points changed since the last aggregation
        self._row_as_of = self.data.row_as_of_ns()
        rules = [r for r in self.model.rules if r.enabled]
        for i, r in enumerate(rules):
            if progress:
                progress(i / max(len(rules), 1), f"Scoring rule {i + 1} of {len(rules)}: {r.label or r.id}")
            st = RuleState(copy.deepcopy(r), self._evaluate(r), self._bucket(r))
            self._states[r.id] = st
            self._add(st, +1.0)
        self._persona = copy.deepcopy(self.model.persona)  # what the weights were computed from
        self.result = self._aggregate()
        if progress:
            progress(1.0, "Scored")
        return self.result

    def refresh(self) -> ScoreArrays:
        """Bring the result up to date with the (edited) model."""
        if self.model.persona != self._persona:  # persona weighting changed: every engagement point changes
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
            if self._bucket(r) == st.bucket and r.product == st.rule.product:
                self._replace(st, r)
                continue
            self._add(st, -1.0)
            if _condition_key(st.rule) != _condition_key(r):
                st.raw = self._evaluate(r)
                st.nonzero = None
            st.rule = copy.deepcopy(r)
            st.bucket = self._bucket(r)
            self._add(st, +1.0)
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
        return aggregation.grade_names(self.model.grades)

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
        return self._points_of(st.rule, st.raw, self._weights)

    @staticmethod
    def _points_of(r: Rule, raw: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
        """A rule's points for the leads of ``raw`` (all leads, or some rows with their ``weights``)."""
        weighted = r.dimension == "engagement" and weights is not None
        if r.kind == "map":
            return raw * weights if weighted else raw
        # one new array, clipped and weighted in place: an edit runs this twice per rule (old and new points),
        # and at a million leads each fresh 8 MB array costs the kernel more than the arithmetic
        v = np.multiply(raw, r.points, dtype=float)
        if r.kind == "activity" and r.activity.max_points is not None:
            np.clip(v, -r.activity.max_points, r.activity.max_points, out=v)
        if weighted:
            np.multiply(v, weights, out=v)
        return v

    def _last_points(self, st: RuleState) -> np.ndarray | None:
        """The points this rule added at the last edit, while its raw vector and rule are the ones they were
        computed from (a rule edited again and again: a spin box); None otherwise."""
        last = self._last_added
        if last is not None and last[0] is st and last[1] is st.raw and last[2] is st.rule:
            return last[3]
        return None

    def _added(self, st: RuleState) -> np.ndarray:
        """The points a rule has in its bucket now."""
        v = self._last_points(st)
        return self._points(st) if v is None else v

    def _replace(self, st: RuleState, r: Rule) -> None:
        """An edited rule that stays in its bucket: its old points swapped for the new ones.

        When only its condition changed (a window, a value list, a text
        condition) and the leads it now matches differently are few (at most
        one in :data:`.aggregation.SPARSE_SHARE`), the points are computed and swapped at
        those rows only, and the aggregation redoes only those rows.
        """
        old_rule, old_raw = st.rule, st.raw
        old = self._last_points(st)
        if _condition_key(old_rule) != _condition_key(r):
            st.raw = self._evaluate(r)
            st.nonzero = None
        st.rule = copy.deepcopy(r)
        rows = None
        if _points_key(old_rule) == _points_key(r):  # the points change where the raw vector does
            rows = np.flatnonzero(old_raw != st.raw) if st.raw is not old_raw else np.zeros(0, dtype=np.intp)
            if len(rows) * aggregation.SPARSE_SHARE > self.n:
                rows = None
        if rows is None and old is None:  # every lead's points swapped: the old ones whole
            old = self._points_of(old_rule, old_raw, self._weights)
        targets = [self._buckets[st.bucket]] + ([self._products[r.product]] if r.product else [])
        if r.product:
            self._dirty_products.add(r.product)
        if rows is None:
            new = self._points(st)
            self._last_added = (st, st.raw, st.rule, new)  # see _add
            for arr in targets:
                arr -= old
                arr += new
        elif len(rows):
            w = None if self._weights is None else self._weights[rows]
            old, new = self._points_of(old_rule, old_raw[rows], w), self._points_of(st.rule, st.raw[rows], w)
            for arr in targets:  # the same arithmetic at the changed rows; the other rows keep their value exactly
                part = arr[rows]
                part -= old
                part += new
                arr[rows] = part
        key = st.bucket
        if rows is None or (key in self._dirty and self._dirty[key] is None):
            self._dirty[key] = None
        elif len(rows):
            self._dirty[key] = rows if key not in self._dirty else np.union1d(self._dirty[key], rows)

    def _add(self, st: RuleState, sign: float) -> None:
        self._dirty[st.bucket] = None
        v = self._added(st) if sign == -1.0 else self._points(st)
        if sign == 1.0:
            # kept (8 MB at 1M leads) until the next edit; st.raw and st.rule are replaced, never changed in place,
            # and a change of persona weights scores from scratch, so the identities say the points still hold
            self._last_added = (st, st.raw, st.rule, v)
        targets = [(self._buckets, st.bucket)]
        if st.rule.product:
            self._dirty_products.add(st.rule.product)
            targets.append((self._products, st.rule.product))
        for store, key in targets:  # sign is +1 or -1
            arr = store.get(key)
            if arr is None:
                store[key] = -v if sign == -1.0 else v.astype(float, copy=True)
            elif sign == -1.0:
                arr -= v
            else:
                arr += v

    # -- aggregation
    def group_dimension(self, group: str) -> str:
        for st in self._states.values():
            if st.rule.group == group:
                return st.rule.dimension
        return "fit"

    def _aggregate(self) -> ScoreArrays:
        """Caps, score range, grades and status from the buckets (:mod:`.aggregation`: what it keeps between
        edits, and why the result equals an aggregation from scratch bit for bit)."""
        group_dims = {st.rule.group: st.rule.dimension for st in self._states.values() if st.rule.group}
        self._agg, (total, fit, eng, grade, status) = aggregate(
            self._agg, self.model, self._buckets, group_dims, self._dirty, self.n)
        self._dirty = {}
        n = self.n
        products = {}
        for p in self.model.products:  # a copy when the product's points changed: a result handed out never changes
            if p not in self._products:
                products[p] = np.zeros(n)
                continue
            if p in self._dirty_products or p not in self._handed_products:
                self._handed_products[p] = self._products[p].copy()
            products[p] = self._handed_products[p]
        self._dirty_products = set()
        if grade is None:
            grade = np.full(n, -1, dtype=np.int16)
        return ScoreArrays(total, fit, eng, grade, status, products)


def _points_key(r: Rule) -> tuple:
    """The parts of a rule that turn its raw vector into points (the persona weights aside)."""
    return (r.kind, r.dimension, None if r.kind == "map" else r.points,
            r.activity.max_points if r.kind == "activity" else None)


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
