"""The backtest workflow: one function behind the Backtest tab, ``leaddesigner backtest`` and the report.

:func:`run_backtest` takes scored leads and their outcomes and answers, in one
way for every caller:

* the split: the most recent :data:`HOLDOUT_FRACTION` of the leads by creation
  date (row order without dates) is the holdout, when there are at least
  :data:`MIN_SPLIT_LEADS` leads;
* the backtest figures on all leads, the tuning part and the holdout
  (:func:`.backtest.backtest`);
* each converter's score at its conversion (and first sales contact), when a
  conversion date is known (:func:`.at_conversion.score_at_conversion`);
* the MQL threshold suggestions, computed on the tuning part and checked on the
  holdout, and today's threshold on both (:mod:`.thresholds`);
* notes about what the data leaves out.

The app shows these figures, the CLI prints them and the report renders them:
the same numbers to the digit for the same leads, model and options (a test
runs all three). Pure core: no Qt; the app runs it in a worker thread over a
:class:`ScorerSnapshot`.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leaddesigner.core.analysis.at_conversion import ScoreAtConversion, score_at_conversion
from leaddesigner.core.analysis.backtest import Backtest, backtest, time_split
from leaddesigner.core.analysis.calibration import Calibration, calibrate
from leaddesigner.core.analysis.thresholds import Suggestion, evaluate_threshold, suggest_thresholds
from leaddesigner.core.model.types import ScoringModel

__all__ = [
    "CONTACT_DATE_HINTS",
    "CONVERSION_DATE_HINTS",
    "HOLDOUT_FRACTION",
    "MIN_SPLIT_LEADS",
    "BacktestRun",
    "ScorerSnapshot",
    "column_of",
    "date_candidates",
    "guess_date_column",
    "holdout_split",
    "run_backtest",
    "time_dependent",
]

#: the holdout: the most recent share of leads by creation time
HOLDOUT_FRACTION = 0.2
#: below this many leads there is no holdout (a handful of leads says nothing about the rest)
MIN_SPLIT_LEADS = 50
#: columns tried first as the conversion date / first sales contact date (case-insensitive substrings)
CONVERSION_DATE_HINTS = ("converted_at", "conversion_date", "converted_on", "won_at", "closed_at", "close_date", "won_date",
                         "became a customer date", "became an opportunity date", "converted date")
CONTACT_DATE_HINTS = ("first_sales_contact", "first_contact", "contacted_at", "sales_contact")


# ---------------------------------------------------------------- date columns of the lead file
def _frames(data: Any) -> list[pd.DataFrame]:
    return [f for f in (getattr(data, "extra", None), getattr(data, "frame", None)) if f is not None]


def column_of(data: Any, name: str | None) -> pd.Series | None:
    """A column of bound lead data (the file's other columns first, then the model's attributes), or None."""
    if name is None or data is None:
        return None
    for f in _frames(data):
        if name in f.columns:
            return f[name]
    return None


def date_candidates(data: Any, detection: Any = None) -> list[str]:
    """Columns of the lead file that hold dates, likely conversion and contact dates first.

    The load pipeline's detection decides what is a date (the same reading as
    everywhere else: US and European orders, epoch numbers, Excel serials); the
    creation date is left out.
    """
    if data is None:
        return []
    created = getattr(data, "created", None)
    if detection is None:
        from leaddesigner.core.data.detect import detect

        found: list[str] = []
        for f in _frames(data):
            det = detect(f)
            found += [c for c, g in det.columns.items() if g.type == "date" and c not in found]
    else:
        found = [c for c, g in detection.columns.items() if g.type == "date"]
    found = [c for c in found if c != created]
    if created is not None and detection is not None:
        # the model's creation attribute is read from a file column under another name
        found = [c for c in found if c != detection.created]

    def rank(c: str) -> tuple:
        low = c.lower()
        for i, h in enumerate(CONVERSION_DATE_HINTS):
            if h in low:
                return (0, i)
        for i, h in enumerate(CONTACT_DATE_HINTS):
            if h in low:
                return (1, i)
        return (2, 0)

    return sorted(found, key=lambda c: (rank(c), found.index(c)))


def guess_date_column(candidates: list[str], hints: tuple[str, ...]) -> str | None:
    """The first candidate whose name contains one of ``hints`` (tried in order), or None."""
    for h in hints:
        for c in candidates:
            if h in c.lower():
                return c
    return None


def time_dependent(model: ScoringModel) -> bool:
    """Whether a lead's score can change with the moment it is scored at (activity or date rules)."""
    types = {a.name: a.type for a in model.attributes}
    for r in model.rules:
        if not r.enabled:
            continue
        if r.kind == "activity" or any(types.get(a) == "date" for a in r.attributes()):
            return True
    return False


def holdout_split(created: np.ndarray | None, n: int, fraction: float = HOLDOUT_FRACTION) -> tuple[np.ndarray | None, str]:
    """The holdout mask (None: no split) and what it is split by: ``"created"``, ``"row_order"`` or ``"none"``."""
    if fraction <= 0 or n < MIN_SPLIT_LEADS:
        return None, "none"
    h = time_split(created, n, fraction)
    if h.all() or not h.any():
        return None, "none"
    return h, "created" if created is not None else "row_order"


@dataclass
class BacktestRun:
    """Everything :func:`run_backtest` found (see the module docstring)."""

    backtest: Backtest
    holdout: np.ndarray | None
    split_by: str  # "created" | "row_order" | "none"
    at_conversion: ScoreAtConversion | None = None
    at_conversion_error: str | None = None
    #: threshold suggestions computed on the tuning part (all leads without a holdout), in thresholds.KEYS order
    suggestions: list[Suggestion] = field(default_factory=list)
    #: today's threshold on the same leads as the suggestions
    current: Suggestion | None = None
    #: suggestion key (and "current") -> the same threshold on the holdout
    checked: dict[str, Suggestion] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: points as conversion probabilities on all leads with an outcome (None: one class only)
    calibration: Calibration | None = None
    #: "A lead scoring 55 (the MQL line) converts 28% (22-34%)", the same at the SQL line, the points that double the odds
    calibration_lines: list[str] = field(default_factory=list)

    @property
    def tuning(self) -> np.ndarray:
        """Leads the suggestions are computed on."""
        n = self.backtest.n
        return ~self.holdout if self.holdout is not None else np.ones(n, dtype=bool)

    @property
    def suggested_on(self) -> str:
        """Plain words: which leads the suggestions come from."""
        k = int(self.tuning.sum())
        if self.holdout is None:
            return f"all {k:,} leads"
        return f"the tuning part ({k:,} older leads), checked on the holdout"


class ScorerSnapshot:
    """A scorer as a worker thread sees it: a copy of the model, the bound data and the result arrays.

    :meth:`Scorer.score_at` reads only ``model``, ``data`` and ``n`` (it scores a
    fresh scorer over a copy), so it runs here without touching the live scorer
    the window keeps editing.
    """

    def __init__(self, model: ScoringModel, data: Any, result: Any):
        from leaddesigner.core.scoring.engine import Scorer

        self.model, self.data, self.result, self.n = model, data, result, len(data)
        self._score_at = Scorer.score_at

    def score_at(self, *args, **kwargs):
        return self._score_at(self, *args, **kwargs)

    def grade_names(self) -> list[str]:
        from leaddesigner.core.scoring.aggregation import grade_names

        return grade_names(self.model.grades)


def run_backtest(
    scorer: Any,
    y: np.ndarray,
    *,
    created: np.ndarray | None = None,
    holdout_fraction: float = HOLDOUT_FRACTION,
    holdout: np.ndarray | None = None,
    capacity_per_week: float | None = None,
    recall: float = 0.8,
    converted_at: np.ndarray | None = None,
    first_contact: np.ndarray | None = None,
    conversion_column: str = "the conversion date column",
    n_boot: int = 200,
    progress: Callable[[float, str], None] | None = None,
) -> BacktestRun:
    """Backtest the scorer's scores against ``y`` (bool per lead), see the module docstring.

    ``scorer``: a :class:`~.engine.Scorer` or a :class:`ScorerSnapshot` (its
    ``model`` gives the threshold and grades). ``created``: datetime64 creation
    times. ``holdout``: a split computed before (the app keeps one per data);
    otherwise :func:`holdout_split` with ``holdout_fraction``. ``converted_at``:
    datetime64 per lead (a filled date of a lead that did not convert is left
    out, and said so).
    """
    t0 = time.perf_counter()
    report = progress or (lambda f, m="": None)
    model = scorer.model
    res = scorer.result
    y = np.asarray(y, dtype=bool)
    n = len(y)
    threshold = float(model.thresholds.mql)
    if holdout is not None and len(holdout) == n:
        split_by = "created" if created is not None else "row_order"
        if holdout.all() or not holdout.any():
            holdout, split_by = None, "none"
    else:
        holdout, split_by = holdout_split(created, n, holdout_fraction)
    names = scorer.grade_names()
    report(0.1, "Backtest")
    bt = backtest(
        res.score, y, mql=res.status >= 1, threshold=threshold,
        grades=res.grade if names else None, grade_names=names or None,
        created=created, holdout=holdout, n_boot=n_boot,
    )
    run = BacktestRun(bt, holdout, split_by)

    report(0.5, "Score at conversion")
    if converted_at is not None:
        converted_at = np.asarray(converted_at, dtype="datetime64[ns]")
        dated = ~np.isnat(converted_at)
        odd = int(np.count_nonzero(dated & ~y))
        if odd:
            run.notes.append(f"{odd:,} leads have a conversion date in {conversion_column} but did not convert; "
                             "they are left out of the score at conversion.")
        conv = np.where(y, converted_at, np.datetime64("NaT"))
        if not np.any(~np.isnat(conv)):
            run.at_conversion_error = f"No converted lead has a date in {conversion_column}."
        else:
            try:
                run.at_conversion = score_at_conversion(scorer, conv, first_contact)
            except (ValueError, KeyError) as e:
                run.at_conversion_error = f"Scores at conversion could not be computed: {e}"
            else:
                missing = int(y.sum()) - run.at_conversion.at_conversion.count
                if missing:
                    run.notes.append(f"{missing:,} converters have no date in {conversion_column}; "
                                     "they are left out of the score at conversion.")

    report(0.85, "Threshold suggestions")
    tune = run.tuning
    conv_scores, conv_note = None, ""
    sac = run.at_conversion
    if sac is not None and sac.at_conversion is not None and sac.at_conversion.count:
        conv_scores = sac.at_conversion.scores[tune[sac.at_conversion.rows]]
    elif converted_at is None and not time_dependent(model):
        conv_scores = res.score[tune & y]
        conv_note = "No conversion dates, but no rule depends on time, so each converter's score now is its score at conversion."
    weeks = None if created is None else created[tune]
    run.suggestions = list(suggest_thresholds(
        res.score[tune], y[tune], weeks=weeks, capacity_per_week=capacity_per_week or None,
        recall=recall, conversion_scores=conv_scores, current=threshold,
    ))
    if conv_note:
        for s in run.suggestions:
            if s.key == "conversion" and s.available:
                s.note = f"{s.note} {conv_note}"
    run.current = evaluate_threshold(res.score[tune], threshold, y[tune], weeks=weeks)
    if holdout is not None:
        wk_h = None if created is None else created[holdout]
        run.checked = {
            s.key: evaluate_threshold(res.score[holdout], s.threshold, y[holdout], weeks=wk_h, key=s.key, label=s.label)
            for s in [run.current, *run.suggestions] if s.available
        }
    report(0.95, "Points as probabilities")
    try:
        run.calibration = calibrate(res.score, y)
    except ValueError:
        run.calibration = None
    else:
        run.calibration_lines = run.calibration.lines(threshold, model.thresholds.sql)
    report(1.0, "Done")
    run.seconds = time.perf_counter() - t0
    return run
