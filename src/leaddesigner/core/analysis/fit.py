"""Learn a sparse integer points model from past outcomes (``leaddesigner fit``, "Suggest points").

:func:`fit_points` turns a lead file with a known outcome (and optionally an
activity log) into an ordinary :class:`~leaddesigner.core.model.types.ScoringModel`:
a handful of condition and activity rules with whole-number points, fit and
engagement dimensions, MQL/SQL thresholds and grade bands.

Steps
-----
1. **Type the columns** (number, category, text, boolean, date) and set aside
   the ones that must not be scored (see *Leakage* below).
2. **Split by time**: leads are ordered by their creation date (the ``created``
   column, or a column named like ``created_at``; without one, by row order:
   files exported in time order, like the bank-marketing file). The oldest
   ``1 - holdout_fraction`` are used to fit, the most recent are held out and
   only used to report AUCs. Everything below is learnt on the fitting rows.
3. **Candidate binary features** (each one is a rule the engine can score):
   ``category == value`` for values seen in at least ~1% of the fitting leads,
   e-mail domains (``ends with @gmail.com``) for e-mail-like text, numeric
   bands from quantile bins merged while neighbouring bins convert alike
   (``x >= cut`` and ``lo <= x < hi``), ``is empty`` where values are missing,
   and with an activity log: "at least one event of type T" and "per event,
   up to 3" in the last 14 days and at any time before the scoring moment.
   Every feature column is computed by the engine itself
   (:mod:`leaddesigner.core.scoring.conditions`, :class:`~leaddesigner.core.scoring.engine.Scorer`),
   so the written model reproduces the fitted scores exactly.
4. **Screen**: drop rare and duplicate features, keep the strongest
   ``max_candidates`` by a univariate score test.
5. **Sparse fit**: beam search over supports (forward selection keeping the 10
   best supports of each size, as FasterRisk does; children shortlisted by a
   score test, chosen by Newton refits of the logistic loss, with leads that share their feature
   values fitted as one weighted row), then swap passes (drop one rule, add the
   best other) while the loss falls; it stops before ``max_rules`` when a
   further rule gains less than the BIC penalty (log n / 2).
6. **Integers**: for a ladder of multipliers (largest points 6 .. 30), round
   the log-odds coefficients and polish the points by coordinate descent on
   the logistic loss (intercept refit at each step); the best multiplier wins.
7. **Model**: one rule per feature with a plain label ("Company size 200-999")
   and a ``why`` giving the fitted lift, dimension fit (firmographic,
   demographic, other) or engagement (behaviour, forms, intent, activity),
   thresholds at the top-decile (MQL) and top-3% (SQL) score of the fitting
   leads, fit grades A-D and engagement grades 1-4 from score quantiles.

Leakage heuristics (documented in the result's ``notes``)
---------------------------------------------------------
* the outcome column and any column equal to the outcome are never used;
* id columns (named ``id``, ``lead_id``, ``*_id``, or text unique on almost every row);
* columns whose names (split into words at ``_ . -``, spaces and camelCase)
  contain a word of :data:`LEAK_WORDS`: converted, conversion, outcome, won,
  lost, closed, churn, stage, status, opportunity, result, ... or
  ``sales_contact`` / ``customer_since`` (a lead-status column is usually
  updated after the fact). Whole words only: ``poutcome`` (the outcome of an
  earlier campaign) is kept;
* a person's name or contact details (``First Name``, ``Phone``, ``Street``) are
  never scored: points for one first name over another would be arbitrary;
* date columns are never scored (conversion and contact dates are the usual
  leaks, and a date's meaning depends on when a lead is scored); the creation
  date only orders the leads;
* any single feature that on its own separates converters almost perfectly
  (univariate AUC >= 0.97 on the fitting leads) is taken for a leak and its
  column dropped;
* with an activity log and a creation date, each lead is scored as of
  ``horizon_days`` after it was created (``leaddesigner score --horizon-days``
  reproduces it), so events after the decision (the run-up to a conversion,
  post-sale usage) do not count;
* columns the caller names in ``exclude`` (e.g. ``duration`` in the bank
  marketing file: the call length is only known after the call).

Pure: numpy, pandas, scikit-learn; no Qt.
"""
from __future__ import annotations

import copy
import math
import re
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from leaddesigner.core.scoring import conditions as C
from leaddesigner.core.scoring.engine import LeadData, Scorer, bind
from leaddesigner.core.data.detect import ROW_NUMBERS, attribute_kind, detect
from leaddesigner.core.data.outcome import after_outcome_name, after_outcome_values, personal_detail_name
from leaddesigner.core.model.types import (
    DATE_FORMATS,
    NUMBER_FORMATS,
    ActivityColumns,
    ActivitySpec,
    AllOf,
    Attribute,
    Capacity,
    Condition,
    Grades,
    Leaf,
    Rule,
    ScoringModel,
    Thresholds,
)

Progress = Callable[[float, str], None]

#: points of one rule lie in [-MAX_POINTS, MAX_POINTS]
MAX_POINTS = 30
#: candidates kept after screening
MAX_CANDIDATES = 160
#: a single feature with a univariate AUC at least this far from 0.5 is taken for a leak
LEAK_AUC = 0.97
#: activity windows (days before the scoring moment; None: any time)
ACTIVITY_WINDOWS: tuple[float | None, ...] = (14, None)
#: "per event, up to N" activity features
ACTIVITY_SATURATION = 3
#: choose the number of rules on a time-ordered validation part of the fitting leads
#: (off: on the sample data it was noisier than the BIC stop; kept for experiments)
CHOOSE_SIZE = False
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


@dataclass
class FitResult:
    model: ScoringModel
    holdout_auc: float
    logistic_auc: float
    train_auc: float
    n_candidates: int
    seconds: float
    n_train: int = 0
    n_holdout: int = 0
    positives_train: int = 0
    positives_holdout: int = 0
    split: str = ""
    horizon_days: float | None = None
    as_of: pd.Timestamp | None = None
    scores: np.ndarray | None = field(default=None, repr=False)  # fitted score of every lead (engine-equal)
    holdout: np.ndarray | None = field(default=None, repr=False)  # bool mask of the held-out leads
    excluded: dict[str, str] = field(default_factory=dict)  # column -> why it was not used
    notes: list[str] = field(default_factory=list)
    logistic_train_auc: float = float("nan")
    calibration: tuple[float, float] = (0.0, 0.0)  # P(convert) = sigmoid(a + b * score)
    design: Design | None = field(default=None, repr=False)

    @property
    def n_rules(self) -> int:
        return len(self.model.rules)

    def text(self) -> str:
        m = self.model
        lines = [
            f"Fitted {self.n_rules} rules from {self.n_candidates} candidate features in {self.seconds:.1f} s.",
            f"Split: {self.split}",
            f"  fit on {self.n_train:,} leads ({self.positives_train:,} converted), "
            f"held out {self.n_holdout:,} ({self.positives_holdout:,} converted)",
        ]
        if self.horizon_days is not None:
            lines.append(f"Scored as of {self.horizon_days:g} days after each lead was created (score with --horizon-days {self.horizon_days:g}).")
        lines += [
            f"Holdout AUC: points model {_fmt_auc(self.holdout_auc)}, logistic regression on the same candidates {_fmt_auc(self.logistic_auc)} "
            f"(difference {_fmt_diff(self.holdout_auc - self.logistic_auc)})",
            f"Fitting AUC: points model {_fmt_auc(self.train_auc)}, logistic regression {_fmt_auc(self.logistic_train_auc)}",
            "",
            "Rules:",
        ]
        width = max([len(r.label) for r in m.rules] + [10])
        for r in m.rules:
            lines.append(f"  {_signed(r.points):>4}  {r.label:<{width}}  [{r.dimension}]")
        g = m.grades
        lines += [
            "",
            f"Thresholds: MQL {m.thresholds.mql:g}" + (f", SQL {m.thresholds.sql:g}" if m.thresholds.sql is not None else ""),
            "Grades: fit " + ", ".join(f"{k} {'>= ' + format(v, 'g') if v is not None else 'rest'}" for k, v in g.fit.items())
            + "; engagement " + ", ".join(f"{k} {'>= ' + format(v, 'g') if v is not None else 'rest'}" for k, v in g.engagement.items()),
        ]
        if self.excluded:
            lines.append("Not used: " + "; ".join(f"{c} ({why})" for c, why in self.excluded.items()))
        for n in self.notes:
            lines.append("Note: " + n)
        return "\n".join(lines)


def _fmt_auc(v: float) -> str:
    return "n/a" if v != v else f"{v:.3f}"


def _fmt_diff(v: float) -> str:
    return "n/a" if v != v else f"{v:+.3f}"


def _signed(v: float) -> str:
    v = int(v) if float(v).is_integer() else v
    return f"+{v}" if v > 0 else str(v)


# ---------------------------------------------------------------- public API
def fit_points(
    leads: pd.DataFrame,
    outcome: np.ndarray,
    *,
    activities: pd.DataFrame | None = None,
    created: str | None = None,
    max_rules: int = 12,
    holdout_fraction: float = 0.2,
    exclude: Sequence[str] = (),
    base_model: ScoringModel | None = None,
    seed: int = 0,
    progress: Progress | None = None,
    horizon_days: float | None = DEFAULT_HORIZON_DAYS,
    outcome_column: str | None = None,
    name: str | None = None,
) -> FitResult:
    """Learn a sparse integer points model predicting ``outcome`` from ``leads``.

    Parameters
    ----------
    leads : DataFrame
        One row per lead, as read by :func:`~leaddesigner.core.data.leadfile.read_table`.
    outcome : array of bool (one per row of ``leads``)
        True for leads that converted.
    activities : DataFrame, optional
        Activity log (one row per event: lead id, timestamp, type[, url/detail]).
    created : str, optional
        The lead column with the creation date (time split, and scoring moment with
        an activity log). Default: a column named like ``created_at``; without one the
        rows are taken to be in time order.
    max_rules : int
        At most this many rules (non-zero points).
    holdout_fraction : float
        The most recent share of leads held out to report AUCs (0 < f < 0.9).
    exclude : list of str
        Lead columns never to use (known leaks, e.g. ``duration`` for bank marketing).
    base_model : ScoringModel, optional
        Takes name, lead id, column mapping, attribute kinds, capacity and activity
        columns from it (the app's current model).
    seed : int
        Seed for the (rare) random choices; the result is a pure function of the inputs.
    progress : callable, optional
        ``progress(fraction, message)``.
    horizon_days : float or None
        With an activity log and a creation date: score each lead as of this many days
        after its creation (default 14). None: as of the end of the data.
    outcome_column : str, optional
        Name of the outcome column in ``leads`` (never used as a feature).

    Raises
    ------
    FitError
        Too few leads, a single outcome class, or no usable column.
    """
    from threadpoolctl import threadpool_limits

    # one BLAS thread: as fast on a shared 2-core machine, and the same sums in the same order every run
    with threadpool_limits(1):
        return _fit_points(
            leads, outcome, activities=activities, created=created, max_rules=max_rules, holdout_fraction=holdout_fraction,
            exclude=exclude, base_model=base_model, seed=seed, progress=progress, horizon_days=horizon_days,
            outcome_column=outcome_column, name=name,
        )


def _fit_points(leads, outcome, *, activities, created, max_rules, holdout_fraction, exclude, base_model, seed, progress,
                horizon_days, outcome_column, name) -> FitResult:
    t0 = time.perf_counter()
    prog = progress or (lambda f, m: None)
    if max_rules < 1:
        raise FitError(f"max_rules must be at least 1, got {max_rules}")
    if not 0.0 < holdout_fraction < 0.9:
        raise FitError(f"the holdout fraction must be between 0 and 0.9 (e.g. 0.2), got {holdout_fraction}")
    prog(0.0, "Preparing candidate features")
    design, info = prepare(
        leads,
        outcome,
        activities=activities,
        created=created,
        holdout_fraction=holdout_fraction,
        exclude=exclude,
        base_model=base_model,
        horizon_days=horizon_days,
        outcome_column=outcome_column,
        progress=lambda f, m: prog(0.6 * f, m),
    )
    X, y, train = design.X, design.y, design.train
    Xt, yt = np.asfortranarray(X[train]), y[train].astype(float)
    prog(0.6, "Selecting rules")
    rng = np.random.default_rng(seed)
    k = _choose_size(design, max_rules) if CHOOSE_SIZE else max_rules
    prog(0.68, f"Selecting {k} rules")
    support, beta = _forward_select(Xt, yt, k)
    prog(0.75, "Rounding to whole points")
    points, mult = _integer_points(Xt[:, support], yt, beta, rng)
    keep = points != 0
    support = [s for s, k in zip(support, keep) if k]
    points = points[keep]
    prog(0.85, "Logistic regression on the same candidates")
    log_auc, log_train_auc = _logistic_baseline(X, y, train)

    prog(0.92, "Writing the model")
    model = _build_model(design, support, points, info, base_model, name)
    scorer = Scorer(model, design.data)
    scores = scorer.result.score.copy()
    expect = X[:, support].astype(float) @ points if support else np.zeros(len(y))
    if not np.allclose(scores, expect, atol=1e-9):  # pragma: no cover - the engine and the fit disagree: a bug
        raise AssertionError("the engine does not reproduce the fitted scores")
    _set_thresholds_and_grades(model, scorer, train)
    hold = ~train
    res = FitResult(
        model=model,
        holdout_auc=_auc(y[hold], scores[hold]),
        logistic_auc=log_auc,
        train_auc=_auc(y[train], scores[train]),
        n_candidates=X.shape[1],
        seconds=0.0,
        n_train=int(train.sum()),
        n_holdout=int(hold.sum()),
        positives_train=int(y[train].sum()),
        positives_holdout=int(y[hold].sum()),
        split=info["split"],
        horizon_days=info["horizon"],
        as_of=design.data.as_of,
        scores=scores,
        holdout=hold,
        excluded=info["excluded"],
        notes=info["notes"],
        logistic_train_auc=log_train_auc,
        calibration=_calibrate(scores[train], y[train]),
        design=design,
    )
    _write_descriptions(res)
    res.seconds = time.perf_counter() - t0
    prog(1.0, "Fitted")
    return res


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


# ---------------------------------------------------------------- sparse logistic fit
def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _logloss(eta: np.ndarray, y: np.ndarray) -> float:
    # sum log(1 + exp(eta)) - y * eta, stably
    return float(np.sum(np.logaddexp(0.0, eta) - y * eta))


def _logloss_w(eta: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> float:
    v = np.logaddexp(0.0, eta) - y * eta
    return float(np.sum(v) if w is None else v @ w)


def _newton(
    X: np.ndarray, y: np.ndarray, beta: np.ndarray | None = None, l2: float = 1e-4, iters: int = 30, tol: float = 1e-9,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Logistic regression with an intercept (first coefficient), tiny ridge; returns (coef, loss).

    ``weights``: rows stand for that many identical leads (see :func:`_compress`).
    """
    n, k = X.shape
    sw = float(n if weights is None else weights.sum())
    A = np.empty((n, k + 1))
    A[:, 0] = 1.0
    A[:, 1:] = X
    b = np.zeros(k + 1) if beta is None else beta.astype(float, copy=True)
    if beta is None:
        ybar = float(y.mean() if weights is None else (y @ weights) / sw)
        p0 = min(max(ybar, 1e-6), 1 - 1e-6)
        b[0] = math.log(p0 / (1 - p0))
    reg = np.full(k + 1, l2 * sw)
    reg[0] = 0.0
    eta = A @ b
    loss = _logloss_w(eta, y, weights) + 0.5 * float(np.sum(reg * b * b))
    for _ in range(iters):
        p = _sigmoid(eta)
        w = p * (1 - p)
        r = p - y
        if weights is not None:
            w = w * weights
            r = r * weights
        grad = A.T @ r + reg * b
        H = (A * w[:, None]).T @ A
        H[np.diag_indices_from(H)] += reg + 1e-9
        try:
            step = np.linalg.solve(H, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, grad, rcond=None)[0]
        t = 1.0
        d_eta = A @ step
        while True:
            nb = b - t * step
            ne = eta - t * d_eta
            nl = _logloss_w(ne, y, weights) + 0.5 * float(np.sum(reg * nb * nb))
            if nl <= loss + 1e-12 or t < 1e-4:
                break
            t *= 0.5
        done = loss - nl < tol * max(1.0, abs(loss))
        if nl <= loss:
            b, eta, loss = nb, ne, nl
        if done:
            break
    return b, loss


def _forward_select(
    X: np.ndarray, y: np.ndarray, max_rules: int, shortlist: int = 8, path: list | None = None, swaps: bool = True, beam: int = 10,
    swap_shortlist: int = 10,
) -> tuple[list[int], np.ndarray]:
    """Beam search (forward selection) + swaps on the logistic loss; returns (support, coefficients).

    Each step shortlists the candidates with the largest score-test statistic
    (one matrix-vector product over all candidates) and refits the model with
    each of them (Newton, warm start) to choose. The swap passes try, for every
    chosen rule, the best replacements by the same test and keep a swap that
    lowers the loss. A rule is added only while it gains more log-likelihood
    than the BIC penalty (log n / 2).
    """
    n, m = X.shape
    penalty = 0.5 * math.log(n)  # BIC: a rule must gain at least this much log-likelihood
    small = bool(X.min() >= 0 and X.max() <= 3)  # indicators and capped counts (whole numbers by construction)
    X32 = np.asarray(X, dtype=np.float32, order="F")  # score tests: one pass over all candidates
    binary = np.all((X32 == 0) | (X32 == 1), axis=0)
    X2 = X32 if binary.all() else np.asarray(X32 * X32, order="F")
    X8 = np.asarray(X32, dtype=np.uint8, order="F") if small else None
    yi = y.astype(np.int64)
    support: list[int] = []
    beta, loss = _newton(np.zeros((n, 0)), y)

    def groups_of(S):
        """Leads with the same values on S (and the same outcome) as one weighted row: (row -> group, values, outcome, count)."""
        key = yi.copy()
        mul = 2
        for j in S:
            key += X8[:, j].astype(np.int64) * mul
            mul *= 4
        _, first, inv, counts = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
        return inv.astype(np.int64).ravel(), X8[np.ix_(first, S)].astype(float), y[first], counts.astype(float)

    def child_fit(G, j, b0, **kw):
        """Fit S + [j] from the groups of S: one bincount instead of a sort."""
        gid, feats, yv, w = G
        key2 = gid * 4 + X8[:, j]
        cnt = np.bincount(key2, minlength=4 * len(w))
        nz = np.flatnonzero(cnt)
        par = nz // 4
        f = np.column_stack([feats[par], (nz % 4).astype(float)])
        b, l = _newton(f, yv[par], b0, weights=cnt[nz].astype(float), **kw)
        return b, l

    def child_groups(G, j):
        gid, feats, yv, w = G
        key2 = gid * 4 + X8[:, j]
        cnt = np.bincount(key2, minlength=4 * len(w))
        nz = np.flatnonzero(cnt)
        remap = np.zeros(4 * len(w), dtype=np.int64)
        remap[nz] = np.arange(len(nz))
        par = nz // 4
        return remap[key2], np.column_stack([feats[par], (nz % 4).astype(float)]), yv[par], cnt[nz].astype(float)

    def fit_S(S, b0, G=None, **kw):
        if X8 is None:
            return _newton(X[:, S], y, b0, **kw)
        if G is None:
            G = groups_of(S)
        gid, feats, yv, w = G
        return _newton(feats, yv, b0, weights=w, **kw)

    def fit_child(S0, G0, j, b0, **kw):
        if X8 is None:
            return _newton(X[:, S0 + [j]], y, b0, **kw)
        return child_fit(G0, j, b0, **kw)

    def score_test(S, b):
        eta = b[0] + (X[:, S] @ b[1:] if S else np.zeros(n))
        p = _sigmoid(eta)
        g = (X32.T @ (y - p).astype(np.float32)).astype(float)
        h = (X2.T @ (p * (1 - p)).astype(np.float32)).astype(float) + 1e-9
        s = g * g / h
        s[S] = -1.0
        return s

    quick = dict(iters=6, tol=1e-7)
    G_empty = groups_of([]) if X8 is not None else None
    # beam search: keep the `beam` best supports of each size (FasterRisk's idea, on our cheap fits)
    parents = [(support, beta, loss, G_empty)]
    while len(support) < max_rules:
        children: dict[frozenset, tuple] = {}
        for S0, b0, _, G0 in parents:
            s = score_test(S0, b0)
            for j in np.argsort(-s, kind="stable")[:shortlist]:
                if s[j] <= 0:
                    continue
                key = frozenset(S0 + [int(j)])
                if key in children:
                    continue
                b, l = fit_child(S0, G0, int(j), np.append(b0, 0.0), **quick)
                children[key] = (S0 + [int(j)], b, l, G0, int(j))
        if not children:
            break
        ranked = sorted(children.values(), key=lambda c: c[2])[:beam]
        nxt = []
        for S, b, l, G0, j in ranked:
            G = child_groups(G0, j) if X8 is not None else None
            nxt.append((S, b, l, G))
        S, b, l, G = nxt[0]
        b, l = fit_S(S, b, G)
        if loss - l < penalty:
            break
        support, beta, loss = S, b, l
        nxt[0] = (S, b, l, G)
        parents = nxt
        if path is not None:
            path.append((list(support), beta[1:].copy(), float(beta[0])))
    # swaps: drop one rule, add the best other (by the score test on the rest, then a fit)
    for _ in range(4 if swaps else 0):
        improved = False
        for i in range(len(support)):
            rest = support[:i] + support[i + 1 :]
            G_rest = groups_of(rest) if X8 is not None else None
            b_rest, _ = fit_S(rest, np.delete(beta, i + 1), G_rest, **quick)
            s = score_test(rest, b_rest)
            s[support[i]] = -1.0
            for j in np.argsort(-s, kind="stable")[:swap_shortlist]:
                if s[j] <= 0:
                    continue
                b, l = fit_child(rest, G_rest, int(j), np.append(b_rest, 0.0), **quick)
                if l < loss - 1e-6:
                    S = rest + [int(j)]
                    b, l = fit_S(S, b)
                    support, beta, loss, improved = S, b, l, True
                    break
        if not improved:
            break
    return support, beta[1:]


def _choose_size(design: Design, max_rules: int) -> int:
    """How many rules: the forward path on the older 80% of the fitting leads, scored on the newer 20%.

    The size with the lowest validation log-loss wins, or a smaller one within 0.1% of it
    (fewer rules for the same accuracy). Falls back to ``max_rules`` with too little data.
    """
    train, order, y = design.train, design.order, design.y
    if order is None or max_rules <= 1:
        return max_rules
    rows = order[train[order]]  # fitting rows, oldest first
    cut = int(len(rows) * 0.8)
    inner, val = np.sort(rows[:cut]), np.sort(rows[cut:])
    if y[val].sum() < 10 or y[inner].sum() < 10 or (~y[val]).sum() < 10:
        return max_rules
    path: list = []
    Xi = np.asfortranarray(design.X[inner])
    _forward_select(Xi, y[inner].astype(float), max_rules, path=path, swaps=False)
    if not path:
        return max_rules
    Xv, yv = design.X[val], y[val].astype(float)
    losses = [_logloss(b0 + Xv[:, S].astype(float) @ b, yv) for S, b, b0 in path]
    best = min(losses)
    for k, l in enumerate(losses, start=1):
        if l <= best + 1e-3 * abs(best):
            return k
    return max_rules


def _integer_points(X: np.ndarray, y: np.ndarray, beta: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Whole points for the selected features: multiplier ladder + coordinate-descent polish.

    For each multiplier ``m`` (the largest coefficient becomes 6 .. 30 points) the
    log-odds coefficients times ``m`` are rounded, then each rule's points move by
    +-1 while the logistic loss of ``intercept + score / m`` falls. The multiplier
    with the lowest loss wins (the smaller one on a near tie).
    """
    k = X.shape[1]
    if k == 0:
        return np.zeros(0), 1.0
    n = len(y)
    if n > 100_000:  # polish on a sample: the loss differences it needs are large
        idx = np.sort(rng.choice(n, 100_000, replace=False))
        X, y = X[idx], y[idx]
        n = len(y)
    big = float(np.max(np.abs(beta)))
    if big <= 0:
        return np.zeros(k), 1.0
    rows = [np.flatnonzero(X[:, j]) for j in range(k)]
    vals = [X[r, j] for j, r in enumerate(rows)]
    best = None
    for top in (6, 8, 10, 12, 15, 20, 25, 30):
        mult = top / big
        p = np.clip(np.round(beta * mult), -MAX_POINTS, MAX_POINTS)
        p, loss = _polish(X, y, p, mult, rows, vals)
        if best is None or loss < best[2] - 1e-3:
            best = (p, mult, loss)
    return best[0], best[1]


def _fit_intercept(s: np.ndarray, y: np.ndarray, a: float) -> tuple[float, float]:
    for _ in range(20):
        p = _sigmoid(a + s)
        g = float(np.sum(p - y))
        h = float(np.sum(p * (1 - p))) + 1e-9
        a -= g / h
        if abs(g / h) < 1e-8:
            break
    return a, _logloss(a + s, y)


def _polish(X: np.ndarray, y: np.ndarray, p: np.ndarray, mult: float, rows: list, vals: list) -> tuple[np.ndarray, float]:
    """Coordinate descent on whole points; a move is scored on the rows it changes only."""
    p = p.copy()
    score = X @ p / mult
    a, loss = _fit_intercept(score, y, math.log(max(y.mean(), 1e-6) / max(1 - y.mean(), 1e-6)) - float(score.mean()))
    eta = a + score
    for _ in range(8):
        moved = False
        for j in range(len(p)):
            r, v = rows[j], vals[j] / mult
            if len(r) == 0:
                continue
            e, yr = eta[r], y[r]
            base = float(np.sum(np.logaddexp(0.0, e) - yr * e))
            for d in (1.0, -1.0):
                steps = 0
                while abs(p[j] + d) <= MAX_POINTS:
                    e2 = e + d * v
                    new = float(np.sum(np.logaddexp(0.0, e2) - yr * e2))
                    if new < base - 1e-9:
                        p[j] += d
                        e, base, steps = e2, new, steps + 1
                    else:
                        break
                if steps:
                    eta[r] = e
                    moved = True
                    break
        score = eta - a
        a, loss = _fit_intercept(score, y, a)
        eta = a + score
        if not moved:
            break
    return p, loss


def _logistic_baseline(X: np.ndarray, y: np.ndarray, train: np.ndarray) -> tuple[float, float]:
    """Holdout and fitting AUC of an L2 logistic regression on all candidate features."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=1.0, max_iter=2000)
    clf.fit(X[train], y[train])
    z = clf.decision_function(X)
    return _auc(y[~train], z[~train]), _auc(y[train], z[train])


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():
        return float("nan")
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s))


def _calibrate(score: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    b, _ = _newton(score.reshape(-1, 1).astype(float), y.astype(float), l2=0.0)
    return float(b[0]), float(b[1])


# ---------------------------------------------------------------- the model
def _rule_id(label: str, used: set[str]) -> str:
    rid = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40] or "rule"
    if not re.match(r"[a-z_]", rid):
        rid = "r_" + rid
    base, i = rid, 2
    while rid in used:
        rid = f"{base}_{i}"
        i += 1
    used.add(rid)
    return rid


def _build_model(design: Design, support: list[int], points: np.ndarray, info: dict, base: ScoringModel | None, name: str | None) -> ScoringModel:
    sk = design.skeleton
    X, y, train = design.X, design.y, design.train
    rules: list[Rule] = []
    used: set[str] = set()
    order = sorted(range(len(support)), key=lambda i: (design.candidates[support[i]].dimension != "fit", -abs(points[i])))
    yt = y[train]
    for i in order:
        j = support[i]
        c = design.candidates[j]
        p = float(points[i])
        x = X[train, j] > 0
        r_in = yt[x].mean() if x.any() else float("nan")
        r_out = yt[~x].mean() if (~x).any() else float("nan")
        lift = r_in / yt.mean() if yt.mean() > 0 else float("nan")
        why = (
            f"Fitted: {x.mean():.1%} of the fitting leads match; {r_in:.1%} of them converted against {r_out:.1%} of the others "
            f"(lift {lift:.2f}x on the {yt.mean():.1%} average)."
        )
        if c.activity is not None:
            spec = ActivitySpec(c.activity.where, c.activity.within_days, max_points=abs(p) * c.cap)
            rules.append(Rule(_rule_id(c.label, used), c.label, "engagement", p, activity=spec, why=why))
        else:
            rules.append(Rule(_rule_id(c.label, used), c.label, c.dimension, p, when=c.when, why=why))
    used_attrs: list[str] = []
    for r in rules:
        for a in r.attributes():
            if a not in used_attrs:
                used_attrs.append(a)
    keep = [a for a in sk.attributes if a.name in used_attrs or a.name == sk.created_at]
    names = {a.name for a in keep}
    model = ScoringModel(
        name=name or (base.name + " (fitted points)" if base is not None else "Fitted points model"),
        lead_id=sk.lead_id,
        created_at=sk.created_at,
        columns={k: v for k, v in sk.columns.items() if k in names},
        attributes=keep,
        activities=sk.activities if any(r.kind == "activity" for r in rules) else None,
        rules=rules,
        capacity=base.capacity if base is not None else Capacity(),
    )
    if base is not None:
        model.owners = list(base.owners)
        model.definitions = dict(base.definitions)
        model.outcome = copy.deepcopy(base.outcome)  # learnt from that outcome: the same one reads it back
    return model


def _set_thresholds_and_grades(model: ScoringModel, scorer: Scorer, train: np.ndarray) -> None:
    res = scorer.result
    s = res.score[train]
    mql = float(np.ceil(np.quantile(s, 0.9)))
    if (s >= mql).mean() < 0.02:  # ties: a lower threshold still hands over about a decile
        mql = float(np.floor(np.quantile(s, 0.9)))
    sql = float(np.ceil(np.quantile(s, 0.97)))
    if sql <= mql:
        higher = np.unique(s[s > mql])
        sql = float(higher[0]) if len(higher) else None
    model.thresholds = Thresholds(mql=mql, sql=sql)
    model.grades = Grades(fit=_bands(res.fit[train], "ABCD"), engagement=_bands(res.engagement[train], "1234"))
    scorer.refresh()


def _bands(x: np.ndarray, names: str) -> dict[str, float | None]:
    """Bands at the 75th, 50th and 25th percentiles (distinct minima), the last catches the rest."""
    mins: list[float] = []
    for q in (0.75, 0.5, 0.25):
        v = float(np.ceil(np.quantile(x, q)))
        if v > float(np.min(x)) and (not mins or v < mins[-1]):
            mins.append(v)
    out: dict[str, float | None] = {names[i]: v for i, v in enumerate(mins)}
    out[names[len(mins)]] = None
    return out


def _write_descriptions(res: FitResult) -> None:
    m = res.model
    a, b = res.calibration
    parts = [
        f"Points learnt from outcomes by 'leaddesigner fit' on {res.n_train:,} leads ({res.positives_train:,} converted); "
        f"checked on the {res.n_holdout:,} most recent ({res.split}).",
        f"Holdout AUC {_fmt_auc(res.holdout_auc)} (logistic regression on the same {res.n_candidates} candidate features: {_fmt_auc(res.logistic_auc)}).",
    ]
    if res.horizon_days is not None:
        parts.append(
            f"Activity counted as of {res.horizon_days:g} days after each lead was created: "
            f"score with --horizon-days {res.horizon_days:g} to reproduce the fitted scores."
        )
    if b > 0:
        parts.append(f"Each point multiplies the odds of converting by about {math.exp(b):.3f}.")
    m.description = " ".join(parts)
    m.definitions = dict(m.definitions)
    # the thresholds are new: so are their definitions (a base model's would describe other numbers)
    m.definitions["mql"] = f"Score of {m.thresholds.mql:g} or more: about the top 10% of the leads the points were fitted on."
    if m.thresholds.sql is not None:
        m.definitions["sql"] = f"Score of {m.thresholds.sql:g} or more: about the top 3%."
    else:
        m.definitions.pop("sql", None)
