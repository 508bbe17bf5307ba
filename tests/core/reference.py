"""A slow, obviously-correct reference scorer (the oracle for the engine tests).

Written from the documented semantics only (``core/model/types.py`` docstring and
dataclass docstrings, ``core/scoring/conditions.py`` module docstring): plain Python
loops over leads and over events, no numpy, no calls into the engine or into
``conditions.py``. It reads the *bound* data (``LeadData``: attributes already
coerced to their declared types) because type coercion is the lead-file
reader's job, not the scorer's.

Semantics implemented here (one line each, so a reviewer can check them):

* a missing value matches no test except ``is_empty``; ``not`` negates its child
  lead by lead (so ``not (x in [a])`` is true for a missing ``x``);
* text tests are case-insensitive unless ``case_sensitive: true``; a list value
  for contains/starts_with/ends_with/regex means "any of them"; ``not_contains``
  means "contains none of them"; ``regex`` searches anywhere in the value;
* ``between`` is inclusive at both ends;
* ``within_days N``: 0 <= as_of - date <= N days; ``older_than_days N``:
  as_of - date > N days; ``before D``: earlier than the start of day D;
  ``after D``: at or later than the end of day D (the start of the next day);
* value maps: missing -> 0, listed value -> its points, other values ->
  ``default``; bins are ``from <= x < to`` with open ends;
* activity rules: an event counts when it is strictly before as_of, no older
  than ``within_days`` and matches ``where``; each counts ``points`` times its
  decay factor (half-life: 2 ** (-age / half_life); linear: 1 - pct/100 per
  *completed* period, floored at 0); the rule's total is limited to
  ``[-max_points, max_points]``;
* engagement rule points are multiplied by the lead's persona weight (listed
  persona value, case-insensitive; unlisted value or missing persona ->
  ``default``);
* groups summed and clipped, then dimensions summed and clipped, then the
  score range; grades from the clipped dimension scores (first band, highest
  first, whose minimum is reached; the last band catches the rest); status:
  MQL when score >= mql (and the grade is in ``mql_cells`` if set), SQL when
  also score >= sql; products: sums of the (persona-weighted) rule points of
  their rules, no caps.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from leaddesigner.core.model.types import AllOf

from leaddesigner.core.model.types import AnyOf

from leaddesigner.core.model.types import Leaf

from leaddesigner.core.model.types import Not

from leaddesigner.core.model.types import ScoringModel

DAY_NS = 86_400 * 10**9
STATUS_NAMES = ("lead", "MQL", "SQL")


@dataclass
class RefLead:
    rule_points: dict[str, float]
    fit: float
    engagement: float
    score: float
    grade: str | None
    status: str
    products: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------- plain values
def _plain(x: Any, atype: str) -> Any:
    """A bound cell as a plain Python value, ``None`` when missing."""
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float) and math.isnan(x):
        return None
    if atype == "number":
        return float(x)
    if atype == "boolean":
        return bool(x)
    if atype == "date":
        return int(pd.Timestamp(x).value)
    return str(x)


def _text_of(v: Any) -> str:
    """How a YAML scalar compares with text: 10 and 10.0 read as '10', true as 'true'."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _day_start_ns(v: Any) -> int:
    y, m, d = (int(p) for p in str(v)[:10].split("-"))
    return int(pd.Timestamp(year=y, month=m, day=d).value)


# ---------------------------------------------------------------- conditions
def holds(cond, row: dict[str, Any], types: dict[str, str], as_of_ns: int) -> bool:
    if isinstance(cond, AllOf):
        return all(holds(c, row, types, as_of_ns) for c in cond.items)
    if isinstance(cond, AnyOf):
        return any(holds(c, row, types, as_of_ns) for c in cond.items)
    if isinstance(cond, Not):
        return not holds(cond.item, row, types, as_of_ns)
    assert isinstance(cond, Leaf)
    return leaf_holds(cond, row.get(cond.attribute), types[cond.attribute], as_of_ns)


def leaf_holds(c: Leaf, x: Any, atype: str, as_of_ns: int) -> bool:
    op, v = c.op, c.value
    if op == "is_empty":
        return x is None
    if op == "is_not_empty":
        return x is not None
    if x is None:
        return False
    if atype == "number":
        if op == "equals":
            return x == float(v)
        if op == "not_equals":
            return x != float(v)
        if op == "in":
            return any(x == float(e) for e in v)
        if op == "not_in":
            return all(x != float(e) for e in v)
        if op == "gt":
            return x > v
        if op == "gte":
            return x >= v
        if op == "lt":
            return x < v
        if op == "lte":
            return x <= v
        if op == "between":
            return v[0] <= x <= v[1]
        raise AssertionError(op)
    if atype == "boolean":
        if op == "equals":
            return x == v
        if op == "not_equals":
            return x != v
        raise AssertionError(op)
    if atype == "date":
        age = as_of_ns - x
        if op == "within_days":
            return 0 <= age <= v * DAY_NS
        if op == "older_than_days":
            return age > v * DAY_NS
        if op == "before":
            return x < _day_start_ns(v)
        if op == "after":
            return x >= _day_start_ns(v) + DAY_NS
        raise AssertionError(op)
    # category / text
    values = v if isinstance(v, list) else [v]
    if op == "regex":
        # RE2, the one regex dialect of rules (what the engine, DuckDB and the warehouses run)
        import pyarrow as pa
        import pyarrow.compute as pc

        return any(pc.match_substring_regex(pa.array([x], pa.string()), str(p), ignore_case=not c.case_sensitive)[0].as_py()
                   for p in values)
    texts = [_text_of(e) for e in values]
    if not c.case_sensitive:
        x = x.lower()
        texts = [t.lower() for t in texts]
    if op in ("equals", "in"):
        return x in texts
    if op in ("not_equals", "not_in"):
        return x not in texts
    if op == "contains":
        return any(t in x for t in texts)
    if op == "not_contains":
        return not any(t in x for t in texts)
    if op == "starts_with":
        return any(x.startswith(t) for t in texts)
    if op == "ends_with":
        return any(x.endswith(t) for t in texts)
    raise AssertionError(op)


# ---------------------------------------------------------------- value maps
def map_points(m, x: Any, atype: str) -> float:
    if x is None:
        return 0.0
    if m.bins is not None:
        for b in m.bins:
            if (b.lower is None or x >= b.lower) and (b.upper is None or x < b.upper):
                return float(b.points)
        return float(m.default)
    values = m.values or {}
    if atype == "boolean":
        words = ("true", "yes") if x else ("false", "no")
        for k, p in values.items():
            if (k if m.case_sensitive else k.lower()) in words:
                return float(p)
        return float(m.default)
    key = _text_of(x) if m.case_sensitive else _text_of(x).lower()
    for k, p in values.items():
        if (k if m.case_sensitive else k.lower()) == key:
            return float(p)
    return float(m.default)


def persona_weight(model: ScoringModel, row: dict[str, Any]) -> float:
    p = model.persona
    if p is None:
        return 1.0
    x = row.get(p.attribute)
    if x is None:
        return float(p.default)
    for k, w in p.weights.items():
        if k.lower() == _text_of(x).lower():
            return float(w)
    return float(p.default)


# ---------------------------------------------------------------- activity
def decay_factor(decay, age_days: float) -> float:
    if decay is None:
        return 1.0
    if decay.half_life_days is not None:
        return 2.0 ** (-age_days / decay.half_life_days)
    f = 1.0 - (decay.linear_pct / 100.0) * math.floor(age_days / decay.period_days)
    return min(1.0, max(0.0, f))


def activity_points(rule, events: list[tuple], as_of_ns: int) -> float:
    """``events``: this lead's (timestamp_ns, {'type': .., 'detail': ..}) pairs."""
    a = rule.activity
    total = 0.0
    for ts, fields in events:
        age = (as_of_ns - ts) / DAY_NS
        if not age > 0:
            continue  # at or after the as-of moment: not yet happened
        if a.within_days is not None and age > a.within_days:
            continue
        if a.where is not None and not holds(a.where, fields, EVENT_TYPES, as_of_ns):
            continue
        total += rule.points * decay_factor(a.decay, age)
    if a.max_points is not None:
        total = max(-a.max_points, min(a.max_points, total))
    return total


EVENT_TYPES = {"type": "category", "detail": "text"}


# ---------------------------------------------------------------- aggregation
def clip(x: float, r) -> float:
    if r is None:
        return x
    if r.min is not None and x < r.min:
        x = float(r.min)
    if r.max is not None and x > r.max:
        x = float(r.max)
    return x


def band(x: float, bands: dict[str, float | None]) -> str:
    names = list(bands)
    for name in names[:-1]:
        lo = bands[name]
        if lo is not None and x >= lo:
            return name
    return names[-1]


def score_lead(model: ScoringModel, row: dict[str, Any], types: dict[str, str], events: list[tuple], as_of_ns: int) -> RefLead:
    weight = persona_weight(model, row)
    rule_points: dict[str, float] = {}
    groups: dict[str, float] = {}
    group_dim: dict[str, str] = {}
    dims = {"fit": 0.0, "engagement": 0.0}
    products = {p: 0.0 for p in model.products}
    for r in model.rules:
        if not r.enabled:
            continue
        if r.activity is not None:
            pts = activity_points(r, events, as_of_ns)
        elif r.map is not None:
            pts = map_points(r.map, row.get(r.map.attribute), types[r.map.attribute])
        else:
            pts = r.points if holds(r.when, row, types, as_of_ns) else 0.0
        if r.dimension == "engagement":
            pts *= weight
        rule_points[r.id] = pts
        if r.group:
            groups[r.group] = groups.get(r.group, 0.0) + pts
            group_dim[r.group] = r.dimension
        else:
            dims[r.dimension] += pts
        if r.product:
            products[r.product] = products.get(r.product, 0.0) + pts
    for g, s in groups.items():
        dims[group_dim[g]] += clip(s, model.caps.groups.get(g))
    fit = clip(dims["fit"], model.caps.dimensions.get("fit"))
    eng = clip(dims["engagement"], model.caps.dimensions.get("engagement"))
    score = clip(fit + eng, model.score_range)
    grade = None
    g = model.grades
    if g.fit and g.engagement:
        grade = band(fit, g.fit) + band(eng, g.engagement)
    status = "lead"
    eligible = score >= model.thresholds.mql and (g.mql_cells is None or grade in g.mql_cells)
    if eligible:
        status = "MQL"
        if model.thresholds.sql is not None and score >= model.thresholds.sql:
            status = "SQL"
    return RefLead(rule_points, fit, eng, score, grade, status, products)


# ---------------------------------------------------------------- entry points
def reference_score_rows(
    model: ScoringModel,
    rows: list[dict[str, Any]],
    types: dict[str, str],
    events: list[tuple[int, int, Any, Any]],
    as_of: pd.Timestamp,
    horizon_days: float | None = None,
    created: str | None = None,
) -> list[RefLead]:
    """Score plain rows. ``events``: (lead row, timestamp ns, type, detail); rows outside the leads are ignored.

    With ``horizon_days`` (and the ``created`` date attribute), each lead is
    scored as of ``horizon_days`` after its creation, never later than
    ``as_of``; leads without a creation date are scored as of ``as_of``.
    """
    as_of_ns = int(pd.Timestamp(as_of).value)
    per_lead: list[list[tuple]] = [[] for _ in rows]
    for lead, ts, etype, detail in events:
        if 0 <= lead < len(rows):
            per_lead[lead].append((ts, {"type": etype, "detail": detail}))
    out = []
    for i, row in enumerate(rows):
        moment = as_of_ns
        if horizon_days is not None and created is not None and row.get(created) is not None:
            moment = min(row[created] + int(horizon_days * DAY_NS), as_of_ns)
        out.append(score_lead(model, row, types, per_lead[i], moment))
    return out


def rows_of(data) -> tuple[list[dict[str, Any]], list[tuple]]:
    """Plain rows and events of a bound ``LeadData``."""
    columns = {name: [_plain(x, data.types[name]) for x in data.frame[name].tolist()] for name in data.frame.columns}
    n = len(data)
    rows = [{name: columns[name][i] for name in columns} for i in range(n)]
    events: list[tuple] = []
    ev = data.events
    if ev is not None:
        types = ev.frame["type"].tolist()
        details = ev.frame["detail"].tolist()
        for k in range(len(ev)):
            events.append((int(ev.lead[k]), int(ev.ts[k]), _plain(types[k], "category"), _plain(details[k], "text")))
    return rows, events


def reference_score(model: ScoringModel, data, as_of: pd.Timestamp | None = None) -> list[RefLead]:
    """Score every lead of a bound ``LeadData`` (``as_of`` defaults to the data's; its horizon applies)."""
    rows, events = rows_of(data)
    return reference_score_rows(
        model,
        rows,
        dict(data.types),
        events,
        data.as_of if as_of is None else as_of,
        getattr(data, "horizon_days", None),
        getattr(data, "created", None),
    )
