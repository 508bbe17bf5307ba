"""Candidate rules of :mod:`.fit`: the columns that may be scored, their binary features, the screen.

Steps 1-4 of :mod:`.fit`: type the columns, set aside leaks (see the leakage
heuristics there), split by time, build the candidate features (each one a rule
the engine scores) and keep the strongest. Pure numpy/pandas."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from leaddesigner.core.data.detect import ROW_NUMBERS, attribute_kind, detect
from leaddesigner.core.data.outcome import after_outcome_name, after_outcome_values, personal_detail_name
from leaddesigner.core.model.types import (
    DATE_FORMATS,
    NUMBER_FORMATS,
    ActivityColumns,
    ActivitySpec,
    AllOf,
    Attribute,
    Condition,
    Leaf,
    Rule,
    ScoringModel,
)
from leaddesigner.core.scoring import conditions as C
from leaddesigner.core.scoring.engine import LeadData, Scorer, bind

Progress = Callable[[float, str], None]

__all__ = ["ACTIVITY_SATURATION", "ACTIVITY_WINDOWS", "DEFAULT_HORIZON_DAYS", "LEAK_AUC", "MAX_CANDIDATES", "Candidate", "Design", "FitError", "Progress", "prepare"]


#: candidates kept after screening
MAX_CANDIDATES = 160


#: a single feature with a univariate AUC at least this far from 0.5 is taken for a leak
LEAK_AUC = 0.97


#: activity windows (days before the scoring moment; None: any time)
ACTIVITY_WINDOWS: tuple[float | None, ...] = (14, None)


#: "per event, up to N" activity features
ACTIVITY_SATURATION = 3


#: default scoring moment of leads with an activity log: days after creation
DEFAULT_HORIZON_DAYS = 14.0


class FitError(ValueError):
    """Input that cannot be fitted (too few leads, one outcome class, no usable column): the message says why."""


# ---------------------------------------------------------------- results
@dataclass
class Candidate:
    """One candidate binary (or saturating count) feature, as a rule the engine scores."""

    key: str
    label: str
    column: str | None  # the lead column it reads (None: the activity log)
    dimension: str
    when: Condition | None = None
    activity: ActivitySpec | None = None
    cap: int = 1  # activity features: events counted at most


@dataclass
class Design:
    """The candidate features and the split: what the points model, the logistic regression
    and the FasterRisk benchmark are all fitted on."""

    X: np.ndarray  # (n, m) float64, feature values of every lead
    y: np.ndarray  # (n,) bool
    train: np.ndarray  # (n,) bool: fitting rows (the rest is the holdout)
    candidates: list[Candidate]
    data: LeadData
    skeleton: ScoringModel
    order: np.ndarray | None = None  # row indices from oldest to newest (the time split's order)

    @property
    def names(self) -> list[str]:
        return [c.label for c in self.candidates]


# ---------------------------------------------------------------- preparation
def prepare(
    leads: pd.DataFrame,
    outcome: np.ndarray,
    *,
    activities: pd.DataFrame | None = None,
    created: str | None = None,
    holdout_fraction: float = 0.2,
    exclude: Sequence[str] = (),
    base_model: ScoringModel | None = None,
    horizon_days: float | None = DEFAULT_HORIZON_DAYS,
    outcome_column: str | None = None,
    max_candidates: int = MAX_CANDIDATES,
    progress: Progress | None = None,
) -> tuple[Design, dict]:
    """Type the columns, split by time, build and screen the candidate features."""
    prog = progress or (lambda f, m: None)
    y = _check_outcome(leads, outcome)
    n = len(leads)
    excluded: dict[str, str] = {}
    notes: list[str] = []
    exclude = list(exclude or ())
    for c in exclude:
        if c not in leads.columns:
            from leaddesigner.core.model.io import did_you_mean

            raise FitError(f"cannot exclude column '{c}': there is no such column.{did_you_mean(c, [str(x) for x in leads.columns])}")
    cols = [str(c) for c in leads.columns]
    if len(set(cols)) != len(cols):
        raise FitError("the lead file has repeated column names; give every column its own name")
    leads = leads.reset_index(drop=True)

    # -- roles: id, created, outcome (the same detection as the load pipeline and the app)
    if created is not None and created not in leads.columns:
        from leaddesigner.core.model.io import did_you_mean

        raise FitError(f"the creation-date column '{created}' is not in the lead file.{did_you_mean(created, cols)}")
    base_created = None
    if base_model is not None and base_model.created_at and base_model.column_for(base_model.created_at) in leads.columns:
        base_created = base_model.column_for(base_model.created_at)
    det = detect(leads, lead_id=base_model.lead_id if base_model is not None else None, created=created or base_created)
    id_col = None if det.id_column == ROW_NUMBERS else det.id_column
    if created is None:
        created = det.created

    types: dict[str, str] = {}
    formats: dict[str, str] = {}
    for c in cols:
        g = det.columns[c]
        if c == outcome_column:
            excluded[c] = "the outcome"
            continue
        if c in exclude:
            excluded[c] = "excluded by you"
            continue
        if c == id_col:
            excluded[c] = "lead id"
            continue
        if g.format:
            formats[c] = g.format
        if c == created:
            types[c] = "date"
            continue
        if g.filled == 0:
            excluded[c] = "empty"
            continue
        if g.distinct <= 1:
            excluded[c] = "one value only"
            continue
        t = g.type
        if t == "text" and g.distinct >= 0.95 * g.filled and not (g.column.lower().find("mail") >= 0):
            excluded[c] = "(almost) every value is different"
            continue
        if t == "date":
            excluded[c] = "a date (dates are not scored: conversion and contact dates leak the outcome)"
            continue
        if after_outcome_name(c):
            excluded[c] = "its name says it may be recorded with or after the outcome"
            continue
        if personal_detail_name(c):
            excluded[c] = "a person's name or contact detail: points for it would be arbitrary"
            continue
        if t in ("category", "text") and after_outcome_values(leads[c]):
            excluded[c] = "its values read like notes written after the lead was worked (closed, lost, interested, ...)"
            continue
        if _equals_outcome(leads[c], y):
            excluded[c] = "it equals the outcome"
            continue
        types[c] = t
    if created is not None:
        types[created] = "date"

    # -- bind once: the engine's own coercion and scoring moments
    frame = leads
    lead_id = id_col
    if lead_id is None:
        from leaddesigner.core.data.pipeline import row_number_column

        lead_id = row_number_column(leads)
        frame = leads.copy(deep=False)
        frame[lead_id] = (np.arange(n) + 2).astype(str)
        notes.append(
            f"the lead file has no id column: leads are named by their line in the file (lead_id: {lead_id}); "
            "scoring the same file names them the same way"
        )
    attrs, columns = [], {}
    used_names: set[str] = set()
    for c, t in types.items():
        a = _attr_name(c, used_names)
        used_names.add(a)
        if a != c:
            columns[a] = c
        kind = _kind(c, t, base_model)
        fmt = formats.get(c)
        ok = (t == "date" and fmt in DATE_FORMATS) or (t == "number" and fmt in NUMBER_FORMATS)
        attrs.append(Attribute(a, t, kind, format=fmt if ok else None))
    def sk_col(a: str) -> str:
        return columns.get(a, a)

    skeleton = ScoringModel(
        name="fit",
        lead_id=lead_id,
        created_at=None if created is None else next((a.name for a in attrs if sk_col(a.name) == created), None),
        columns=columns,
        attributes=attrs,
    )
    horizon = None
    if activities is not None:
        skeleton.activities = _activity_columns(activities, lead_id, base_model)
        if skeleton.created_at is not None and horizon_days is not None:
            horizon = float(horizon_days)
        else:
            notes.append(
                "events are counted up to the end of the data (no creation date"
                + (")" if skeleton.created_at is None else ", no horizon)")
                + ": events after a lead converted count too, so the holdout AUC may be optimistic"
            )
    prog(0.1, "Checking the data")
    try:
        data = bind(skeleton, frame, activities, horizon_days=horizon)
    except KeyError as e:
        raise FitError(str(e.args[0]) if e.args else str(e)) from None
    for p in data.problems:
        if p.kind == "type_mismatch" and p.count:
            notes.append(f"column '{p.column}': {p.count:,} values do not fit its type ({types.get(p.column, '?')}) and count as missing")

    # -- split
    if skeleton.created_at is not None:
        t = data.frame[skeleton.created_at].to_numpy(dtype="datetime64[ns]").view("int64")
        order = np.argsort(t, kind="stable")
        split = f"by '{created}': the most recent {holdout_fraction:.0%} held out"
        if (t == np.iinfo(np.int64).min).any():
            notes.append(f"{int((t == np.iinfo(np.int64).min).sum()):,} leads without a creation date are in the fitting set")
    else:
        order = np.arange(n)
        split = f"by row order (no creation date): the last {holdout_fraction:.0%} of rows held out"
    n_hold = int(math.ceil(holdout_fraction * n))
    train = np.ones(n, dtype=bool)
    train[order[n - n_hold :]] = False
    _check_split(y, train)

    # -- candidates
    prog(0.2, "Building candidate features")
    cands, cols_x = _lead_candidates(data, skeleton, y, train)
    if activities is not None:
        prog(0.4, "Counting activities")
        ac, ax = _activity_candidates(data, skeleton)
        cands += ac
        cols_x += ax
    if not cands:
        raise FitError(
            "no usable column: every column is an id, a date, a possible leak or has no value frequent enough to learn from"
            + (f" (not used: {', '.join(f'{c} ({w})' for c, w in excluded.items())})" if excluded else "")
        )
    prog(0.5, "Screening candidates")
    X = np.empty((n, len(cols_x)), dtype=np.float32, order="F")  # whole numbers 0..3: exact in float32
    for j, col in enumerate(cols_x):
        X[:, j] = col
    del cols_x
    keep, leaks = _screen(X, y, train, cands, max_candidates)
    for col, auc in leaks.items():
        excluded[col] = f"on its own it predicts the outcome almost perfectly (AUC {auc:.2f}): probably recorded after the outcome"
    if not keep:
        raise FitError("no candidate feature separates converters from the others on the fitting leads; nothing to learn")
    X = X[:, keep]
    cands = [cands[i] for i in keep]
    design = Design(X, y, train, cands, data, skeleton, order)
    info = {"split": split, "horizon": horizon, "excluded": excluded, "notes": notes, "outcome_column": outcome_column}
    return design, info


def _check_outcome(leads: pd.DataFrame, outcome) -> np.ndarray:
    y = np.asarray(outcome)
    if y.ndim != 1 or len(y) != len(leads):
        raise FitError(f"the outcome has {len(y):,} values for {len(leads):,} leads; give one per lead")
    if y.dtype != bool:
        try:
            yf = y.astype(float)
        except (TypeError, ValueError):
            raise FitError("the outcome must be true/false (or 0/1) for each lead") from None
        if np.isnan(yf).any() or not set(np.unique(yf)) <= {0.0, 1.0}:
            raise FitError("the outcome must be true/false (or 0/1) for each lead")
        y = yf == 1.0
    n, pos = len(y), int(y.sum())
    if n == 0:
        raise FitError("the lead file has no rows")
    if pos == 0 or pos == n:
        raise FitError(
            f"all {n:,} leads have the same outcome ({'converted' if pos else 'not converted'}): "
            "a points model needs both converters and non-converters"
        )
    if n < 50 or min(pos, n - pos) < 10:
        raise FitError(
            f"too little history to learn from: {n:,} leads, {pos:,} converted and {n - pos:,} not. "
            "Fitting needs at least 50 leads with 10 of each outcome (a few hundred converters give stable points)"
        )
    return y


def _check_split(y: np.ndarray, train: np.ndarray) -> None:
    yt, yh = y[train], y[~train]
    if yt.sum() < 5 or (~yt).sum() < 5:
        raise FitError(
            f"the fitting part (older leads) has {int(yt.sum())} converters and {int((~yt).sum())} others; "
            "at least 5 of each are needed. Use more history or a smaller --holdout"
        )
    if yh.sum() == 0 or (~yh).sum() == 0:
        raise FitError(
            "the holdout (the most recent leads) has only one outcome, so its AUC cannot be measured; "
            "use a larger --holdout or more history"
        )


def _equals_outcome(s: pd.Series, y: np.ndarray) -> bool:
    from leaddesigner.core.scoring.summary import parse_outcome

    if s.nunique(dropna=True) != 2:
        return False
    try:
        v = parse_outcome(s)
    except (TypeError, ValueError):
        return False
    return v is not None and (bool(np.array_equal(v, y)) or bool(np.array_equal(~v, y)))


def _attr_name(col: str, used: set[str]) -> str:
    a = re.sub(r"[^A-Za-z0-9_.\-]", "_", col.strip())[:70] or "column"
    if not re.match(r"[A-Za-z_]", a):
        a = "c_" + a
    base, i = a, 2
    while a in used:
        a = f"{base}_{i}"
        i += 1
    return a


def _kind(col: str, atype: str, base: ScoringModel | None) -> str:
    if base is not None:
        for a in base.attributes:
            if base.column_for(a.name) == col:
                return a.kind
    return attribute_kind(col, atype)


def _dimension(kind: str) -> str:
    return "engagement" if kind in ("behavioural", "intent", "form") else "fit"


def _activity_columns(act: pd.DataFrame, lead_id: str, base: ScoringModel | None) -> ActivityColumns:
    if base is not None and base.activities is not None:
        b = base.activities
        if all(c in act.columns for c in (b.lead_id, b.timestamp, b.type)):
            return ActivityColumns(b.lead_id, b.timestamp, b.type, b.detail if b.detail in act.columns else None)
    cols = [str(c) for c in act.columns]
    lower = {c.lower(): c for c in cols}

    def pick(names: Iterable[str], role: str) -> str:
        for k in names:
            if k in lower:
                return lower[k]
        raise FitError(
            f"the activity log has no {role} column (looked for {', '.join(names)}); its columns are: {', '.join(cols[:20])}"
        )

    lid = pick([lead_id.lower(), "lead_id", "leadid", "id", "contact_id"], "lead id")
    ts = pick(["timestamp", "time", "occurred_at", "date", "created_at", "datetime"], "timestamp")
    typ = pick(["type", "event", "event_type", "activity", "activity_type"], "event type")
    detail = next((lower[k] for k in ("url", "detail", "page", "asset") if k in lower), None)
    return ActivityColumns(lid, ts, typ, detail)


# ---------------------------------------------------------------- candidate features
def _human(col: str) -> str:
    t = re.sub(r"[_.]+", " ", col).strip()
    return t[:1].upper() + t[1:] if t else col


def _num_text(v: float, integer: bool) -> str:
    if integer or float(v).is_integer():
        return f"{int(round(v)):,}"
    return f"{v:,.6g}"


def _lead_candidates(data: LeadData, sk: ScoringModel, y: np.ndarray, train: np.ndarray) -> tuple[list[Candidate], list[np.ndarray]]:
    n = len(y)
    nt = int(train.sum())
    min_support = max(5, int(0.01 * nt))
    cands: list[Candidate] = []
    cols: list[np.ndarray] = []
    as_of = data.row_as_of_ns()

    def add(attr: Attribute, key: str, label: str, cond: Condition) -> None:
        x = C.evaluate(cond, data.column, n, as_of)
        sup = int(x[train].sum())
        if sup < min_support or sup > nt - min_support:
            return
        cands.append(Candidate(key, label, sk.column_for(attr.name), _dimension(attr.kind), when=cond))
        cols.append(x)

    for attr in sk.attributes:
        if attr.name == sk.created_at or attr.type == "date":
            continue
        s, atype = data.column(attr.name)
        name = _human(sk.column_for(attr.name))
        missing = s.isna().to_numpy()
        if missing[train].any():
            add(attr, f"{attr.name}:missing", f"{name} unknown", Leaf(attr.name, "is_empty"))
        if atype == "number":
            x = s.to_numpy(dtype="float64", na_value=np.nan)
            ok = train & ~np.isnan(x)
            integer = bool(np.all(np.mod(x[~np.isnan(x)], 1) == 0))
            distinct = np.unique(x[ok])
            if len(distinct) <= 6:
                for v in distinct:
                    add(attr, f"{attr.name}=={v:g}", f"{name}: {_num_text(v, integer)}", Leaf(attr.name, "equals", _py(v)))
            cuts = _numeric_cuts(x[ok], y[ok], distinct)
            for c in cuts:
                add(attr, f"{attr.name}>={c:g}", f"{name} {_num_text(c, integer)} or more", Leaf(attr.name, "gte", _py(c)))
            edges = [None] + list(cuts) + [None]
            for lo, hi in zip(edges[:-1], edges[1:]):
                if lo is None and hi is None:
                    continue
                if lo is None:
                    add(attr, f"{attr.name}<{hi:g}", f"{name} under {_num_text(hi, integer)}", Leaf(attr.name, "lt", _py(hi)))
                elif hi is not None:
                    if integer and hi - lo == 1:
                        label = f"{name} {_num_text(lo, True)}"
                    elif integer:
                        label = f"{name} {_num_text(lo, True)}-{_num_text(hi - 1, True)}"
                    else:
                        label = f"{name} {_num_text(lo, False)} to under {_num_text(hi, False)}"
                    add(attr, f"{attr.name}[{lo:g},{hi:g})", label, AllOf([Leaf(attr.name, "gte", _py(lo)), Leaf(attr.name, "lt", _py(hi))]))
        elif atype in ("category", "boolean"):
            vals = s.iloc[np.flatnonzero(train)].astype("str").str.strip()
            counts = vals.value_counts()
            for v, cnt in counts.head(40).items():
                if cnt < min_support:
                    break
                value = v if atype == "category" else (str(v).lower() in ("true", "1", "yes"))
                add(attr, f"{attr.name}=={v}", f"{name}: {v}", Leaf(attr.name, "equals", value))
        else:  # text: e-mail domains, frequent values
            vals = s.iloc[np.flatnonzero(train)].astype("str").str.strip().str.lower()
            if vals.str.contains("@", regex=False).mean() >= 0.8:
                dom = vals.str.rsplit("@", n=1).str[-1]
                for d, cnt in dom.value_counts().head(20).items():
                    if cnt < min_support or not d:
                        break
                    add(attr, f"{attr.name}@{d}", f"{name} at {d}", Leaf(attr.name, "ends_with", "@" + d))
            else:
                for v, cnt in vals.value_counts().head(20).items():
                    if cnt < min_support:
                        break
                    add(attr, f"{attr.name}=={v}", f"{name}: {v}", Leaf(attr.name, "equals", v))
    return cands, cols


def _py(v: float):
    v = float(v)
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


def _numeric_cuts(x: np.ndarray, y: np.ndarray, distinct: np.ndarray, max_bins: int = 6) -> list[float]:
    """Cut points (x >= cut starts a bin) from quantile bins merged while neighbours convert alike."""
    if len(distinct) < 2:
        return []
    n = len(x)
    min_n = max(10, int(0.03 * n))
    if len(distinct) <= 12:
        cuts = list(distinct[1:])
    else:
        qs = np.quantile(x, np.linspace(0, 1, 11)[1:-1], method="higher")
        cuts = sorted(set(float(q) for q in qs if q > distinct[0]))
    # bins and their stats
    def stats(cuts):
        idx = np.searchsorted(np.asarray(cuts, dtype=float), x, side="right")
        cnt = np.bincount(idx, minlength=len(cuts) + 1).astype(float)
        pos = np.bincount(idx, weights=y.astype(float), minlength=len(cuts) + 1)
        return cnt, pos

    cuts = list(cuts)
    while cuts:
        cnt, pos = stats(cuts)
        # merge the smallest bin while one is too small
        small = np.flatnonzero(cnt < min_n)
        rate = (pos + 0.5) / (cnt + 1.0)
        if len(small):
            j = int(small[np.argmin(cnt[small])])
        else:
            # neighbours that convert alike: the smallest z of the rate difference
            z = []
            for k in range(len(cuts)):
                a, b = k, k + 1
                p = (pos[a] + pos[b] + 1.0) / (cnt[a] + cnt[b] + 2.0)
                se = math.sqrt(max(p * (1 - p) * (1 / max(cnt[a], 1) + 1 / max(cnt[b], 1)), 1e-12))
                z.append(abs(rate[a] - rate[b]) / se)
            k = int(np.argmin(z))
            if z[k] >= 1.5 and len(cuts) + 1 <= max_bins:
                break
            cuts.pop(k)
            continue
        # remove the cut on the side of the smaller neighbour
        if j == 0:
            cuts.pop(0)
        elif j == len(cuts):
            cuts.pop(-1)
        else:
            cuts.pop(j - 1 if cnt[j - 1] <= cnt[j + 1] else j)
    return [_nice_cut(c, distinct) for c in cuts]


def _nice_cut(c: float, distinct: np.ndarray) -> float:
    """The roundest number in (previous distinct value, c]: same bins, easier to read."""
    i = int(np.searchsorted(distinct, c, side="left"))
    prev = distinct[i - 1] if i > 0 else -np.inf
    if c == 0:
        return 0.0
    mag = math.floor(math.log10(abs(c)))
    for digits in range(0, 8):
        step = 10.0 ** (mag - digits)
        cand = math.floor(c / step) * step
        cand = float(f"{cand:.10g}")
        if prev < cand <= c:
            return cand
    return float(c)


def _activity_candidates(data: LeadData, sk: ScoringModel) -> tuple[list[Candidate], list[np.ndarray]]:
    ev = data.events
    if ev is None or len(ev) == 0:
        return [], []
    types = ev.frame["type"]
    counts = types.value_counts()
    rules, meta = [], []
    for t, cnt in counts.items():
        if cnt < 10:
            continue
        for w in ACTIVITY_WINDOWS:
            rid = f"a{len(rules)}"
            spec = ActivitySpec(where=Leaf("type", "equals", str(t)), within_days=w)
            rules.append(Rule(rid, rid, "engagement", 1.0, activity=spec))
            meta.append((str(t), w, spec))
    if not rules:
        return [], []
    m = ScoringModel(name="counts", lead_id=sk.lead_id, attributes=sk.attributes, columns=sk.columns, rules=rules, activities=sk.activities)
    sc = Scorer(m, data)
    cands, cols = [], []
    for r, (t, w, spec) in zip(rules, meta):
        c = sc.rule_points(r.id)
        if not (c > 0).any():
            continue
        what = _human(t)
        when = f" in the last {w:g} days" if w is not None else ""
        for cap in (1, ACTIVITY_SATURATION):
            if cap > 1 and (c > 1).mean() < 0.005:
                continue
            label = f"{what}{when}" if cap == 1 else f"{what}{when}, per event (up to {cap})"
            key = f"act:{t}:{w}:{cap}"
            cands.append(Candidate(key, label, None, "engagement", activity=ActivitySpec(Leaf("type", "equals", t), w), cap=cap))
            cols.append(np.minimum(c, cap))
    return cands, cols


def _screen(X: np.ndarray, y: np.ndarray, train: np.ndarray, cands: list[Candidate], max_keep: int) -> tuple[list[int], dict[str, float]]:
    Xt = X[train]
    yt = y[train].astype(float)
    nt = len(yt)
    ybar = yt.mean()
    xbar = Xt.mean(axis=0, dtype=np.float64)
    var = np.maximum((Xt * Xt).sum(axis=0, dtype=np.float64) - nt * xbar**2, 0.0)
    g = (Xt.T @ (yt - ybar).astype(np.float32)).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        z2 = np.where(var > 1e-12, g * g / (ybar * (1 - ybar) * var), 0.0)
    # univariate AUC of binary features: (TPR - FPR + 1) / 2
    pos = yt == 1
    npos = max(int(pos.sum()), 1)
    nneg = max(nt - npos, 1)
    col_sum = Xt.sum(axis=0, dtype=np.float64)
    pos_sum = (yt.astype(np.float32) @ Xt).astype(np.float64)
    binary = (Xt.max(axis=0) <= 1) & (Xt.min(axis=0) >= 0)
    auc = (pos_sum / npos - (col_sum - pos_sum) / nneg + 1) / 2
    leaks: dict[str, float] = {}
    bad_cols: set[str] = set()
    for j, c in enumerate(cands):
        a = max(auc[j], 1 - auc[j])
        if binary[j] and a >= LEAK_AUC and c.column is not None:
            leaks[c.column] = max(leaks.get(c.column, 0.0), float(a))
            bad_cols.add(c.column)
    # duplicates (the same leads, e.g. "x unknown" and "x under 1"): keep the first by strength
    proj = np.random.default_rng(12345).standard_normal(nt, dtype=np.float32) @ Xt
    order = np.argsort(-z2, kind="stable")
    keep, seen = [], {}
    for j in order:
        if cands[j].column in bad_cols or var[j] <= 1e-12:
            continue
        key = round(float(proj[j]), 6)
        if key in seen and np.array_equal(Xt[:, j], Xt[:, seen[key]]):
            continue
        seen.setdefault(key, j)
        keep.append(int(j))
        if len(keep) >= max_keep:
            break
    return sorted(keep), leaks
