"""Points as probabilities: what a score converts at, with its interval, and the points that double the odds.

Points mean nothing to a sales team until they say how likely a lead is to buy.
:func:`calibrate` fits the conversion rate as a non-decreasing function of the
score (isotonic regression, as scorecard tools do) on past outcomes: the leads
are grouped into at most ``bins`` score bands of similar size (every distinct
score its own band when there are few), the bands' rates are made monotone with
their lead counts as weights, and the rate at any score is read by linear
interpolation between band centres. The interval comes from a parametric
bootstrap (each band's conversions redrawn from its binomial at the band's rate,
Jeffreys-smoothed so that a band without conversions is not certain, the fit repeated),
so it is cheap at a million leads. "Points to double the odds" is ln 2 over the
slope of a logistic fit of the outcome on the score (the same fit ``fit`` uses to
calibrate its points).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import isotonic_regression

from leaddesigner.core.analysis.fit_search import calibrate as logistic_on_score

__all__ = ["Calibration", "calibrate"]


@dataclass
class Calibration:
    centres: np.ndarray  # score at each band centre (ascending)
    leads: np.ndarray  # leads per band
    converted: np.ndarray  # conversions per band
    rate: np.ndarray  # the monotone conversion rate per band
    lo: np.ndarray  # 90% interval per band (bootstrap)
    hi: np.ndarray
    points_to_double: float | None  # None: the score does not raise the odds
    n: int
    positives: int

    def at(self, score: float) -> tuple[float, float, float]:
        """(rate, low, high) at ``score``: interpolated between band centres, flat beyond the ends."""
        x = float(score)
        return (float(np.interp(x, self.centres, self.rate)), float(np.interp(x, self.centres, self.lo)),
                float(np.interp(x, self.centres, self.hi)))

    def sentence(self, score: float, line: str | None = None) -> str:
        """"A lead scoring 55 (the MQL line) converts 28% (22-34%)": a lead *at* that score, not the average above it."""
        where = f" (the {line} line)" if line else ""
        return f"A lead scoring {score:g}{where} converts {self.rate_text(score)}"

    def rate_text(self, score: float) -> str:
        """"28% (22-34%)": the rate at ``score`` with its interval."""
        p, lo, hi = self.at(score)
        return f"{_pct(p)} ({_pct(lo, False)}-{_pct(hi)})"

    def lines(self, mql: float, sql: float | None = None) -> list[str]:
        """What the thresholds mean: the MQL line, the SQL line (if any), the points that double the odds."""
        out = [self.sentence(mql, "MQL")]
        if sql is not None:
            out.append(self.sentence(sql, "SQL"))
        return out + [self.doubling_text()]

    def doubling_text(self) -> str:
        if self.points_to_double is None:
            return "Higher scores do not raise the odds of converting in this data."
        return f"Every {self.points_to_double:.0f} points double the odds of converting."


def _pct(x: float, sign: bool = True) -> str:
    v = 100 * x
    text = f"{v:.1f}" if 0 < v < 9.95 else f"{v:.0f}"
    return text + ("%" if sign else "")


def _points_to_double(score: np.ndarray, y: np.ndarray) -> float | None:
    """ln 2 / slope of the logistic fit of ``y`` on ``score`` (the fit's one-feature logistic regression)."""
    _, slope = logistic_on_score(score, y)
    return math.log(2) / slope if slope > 1e-12 else None


def calibrate(score: np.ndarray, outcome: np.ndarray, *, bins: int = 40, n_boot: int = 200, seed: int = 0) -> Calibration:
    """The conversion rate as a non-decreasing function of the score, with a 90% interval (see the module docstring)."""
    score = np.asarray(score, dtype=float)
    y = np.asarray(outcome, dtype=bool)
    ok = np.isfinite(score)
    score, y = score[ok], y[ok]
    if len(score) == 0 or not y.any() or y.all():
        raise ValueError("Calibration needs leads that converted and leads that did not.")
    order = np.argsort(score, kind="stable")
    s, yy = score[order], y[order]
    distinct = np.unique(s)
    if len(distinct) <= bins:
        edges_idx = np.searchsorted(s, distinct, side="left")
    else:  # bands of about the same size, never splitting one score between two bands
        cuts = np.quantile(s, np.linspace(0, 1, bins + 1)[1:-1])
        edges_idx = np.unique(np.concatenate([[0], np.searchsorted(s, cuts, side="left")]))
    bounds = np.append(edges_idx, len(s))
    leads = np.diff(bounds)
    keep = leads > 0
    starts = bounds[:-1][keep]
    leads = leads[keep]
    conv = np.add.reduceat(yy.astype(np.int64), starts)
    centres = np.add.reduceat(s, starts) / leads
    raw = conv / leads
    rate = isotonic_regression(raw, sample_weight=leads.astype(float))
    rng = np.random.default_rng(seed)
    smooth = (conv + 0.5) / (leads + 1.0)  # Jeffreys: a band with no conversions still has an upper bound above 0
    boots = np.empty((n_boot, len(leads)))
    for b in range(n_boot):
        boots[b] = isotonic_regression(rng.binomial(leads, smooth) / leads, sample_weight=leads.astype(float))
    lo, hi = (np.quantile(boots, [0.05, 0.95], axis=0) if n_boot else (rate.copy(), rate.copy()))
    return Calibration(centres, leads, conv, rate, lo, hi, _points_to_double(score, y.astype(float)), len(score),
                       int(y.sum()))
