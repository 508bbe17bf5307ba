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
from typing import Sequence

import numpy as np
import pandas as pd

from leaddesigner.core.model.types import (
    ActivitySpec,
    Capacity,
    Grades,
    Rule,
    ScoringModel,
    Thresholds,
)
from leaddesigner.core.scoring.engine import Scorer, bind

from .backtest import auc
from .fit_features import DEFAULT_HORIZON_DAYS, Design, FitError, Progress, prepare
from .fit_search import CHOOSE_SIZE, calibrate, choose_size, forward_select, integer_points, logistic_baseline

__all__ = ["DEFAULT_HORIZON_DAYS", "FitError", "FitResult", "fit_points", "holdout_auc_at", "same_moment"]


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
    k = choose_size(design, max_rules) if CHOOSE_SIZE else max_rules
    prog(0.68, f"Selecting {k} rules")
    support, beta = forward_select(Xt, yt, k)
    prog(0.75, "Rounding to whole points")
    points, mult = integer_points(Xt[:, support], yt, beta, rng)
    keep = points != 0
    support = [s for s, k in zip(support, keep) if k]
    points = points[keep]
    prog(0.85, "Logistic regression on the same candidates")
    log_auc, log_train_auc = logistic_baseline(X, y, train)

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
        holdout_auc=auc(scores[hold], y[hold]),
        logistic_auc=log_auc,
        train_auc=auc(scores[train], y[train]),
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
        calibration=calibrate(scores[train], y[train]),
        design=design,
    )
    _write_descriptions(res)
    res.seconds = time.perf_counter() - t0
    prog(1.0, "Fitted")
    return res


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


def same_moment(res: FitResult, as_of, horizon_days: float | None) -> bool:
    """Whether the fit scored the leads at the moment given (``horizon_days`` after creation, or ``as_of``)."""
    h1, h2 = res.horizon_days, horizon_days
    if (h1 is None) != (h2 is None) or (h1 is not None and abs(float(h1) - float(h2)) > 1e-9):
        return False
    a1, a2 = res.as_of, as_of
    return a1 is None or a2 is None or pd.Timestamp(a1) == pd.Timestamp(a2)


def holdout_auc_at(res: FitResult, leads: pd.DataFrame, activities: pd.DataFrame | None, outcome, *,
                   as_of=None, horizon_days: float | None = None, holdout=None) -> float:
    """Holdout AUC of the fitted model with the leads scored at another moment than the fit's.

    What the app shows after "Use this model" when it scores the leads "as of a
    date" while the fit scored each lead ``horizon_days`` after creation.
    ``holdout``: the rows held out (default: the fit's own holdout).
    """
    data = bind(res.model, leads, activities, as_of=as_of, horizon_days=horizon_days)
    score = Scorer(res.model, data).result.score
    y = np.asarray(outcome, dtype=bool)
    mask = holdout if holdout is not None and len(holdout) == len(y) else res.holdout
    if mask is None or len(score) != len(y) or len(mask) != len(y):
        return float("nan")
    mask = np.asarray(mask, dtype=bool)
    return float(auc(np.asarray(score)[mask], y[mask]))
