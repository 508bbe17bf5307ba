"""What converted leads scored on the day they converted: the distribution and the average, the seeds'
'score at conversion' (a threshold suggestion uses it).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leaddesigner.core.analysis.backtest import FEW_CONVERSIONS, json_number, percent_text
from leaddesigner.core.scoring.summary import histogram

__all__ = ["ScoreDistribution", "ScoreAtConversion", "score_at_conversion", "bins_between"]


def bins_between(lo: float, hi: float) -> int:
    """How many bins a histogram of converters' scores over [lo, hi] has: about two points each, 10 to 50."""
    span = hi - lo
    return int(min(50, max(10, round(span / 2)))) if span > 0 else 10


# ---------------------------------------------------------------- score at conversion
@dataclass
class ScoreDistribution:
    """Converters' scores at one kind of moment (conversion or first sales contact)."""

    moment: str  # 'conversion' | 'first_contact'
    rows: np.ndarray  # lead rows of the converters with that moment
    scores: np.ndarray  # their scores at that moment
    mql: np.ndarray  # bool: was MQL (or beyond) at that moment
    count: int
    mean: float  # the "average qualification score" (NaN when count == 0)
    quantiles: dict[str, float]  # p10, p25, median, p75, p90
    share_mql: float

    @classmethod
    def of(cls, moment: str, rows: np.ndarray, scores: np.ndarray, mql: np.ndarray) -> "ScoreDistribution":
        n = len(scores)
        keys = ("p10", "p25", "median", "p75", "p90")
        qs = np.quantile(scores, [0.1, 0.25, 0.5, 0.75, 0.9]) if n else np.full(5, np.nan)
        return cls(
            moment, rows, scores, mql, n,
            float(scores.mean()) if n else float("nan"),
            {k: float(v) for k, v in zip(keys, qs)},
            float(mql.mean()) if n else float("nan"),
        )

    def binned(self, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
        """Converters per score bin over [lo, hi] (:func:`bins_between` bins; scores outside in the end bins) and
        the bin edges: what the report's chart and the app's Backtest tab both draw."""
        return histogram(np.asarray(self.scores, dtype=float), lo, hi, bins_between(lo, hi))

    def to_dict(self) -> dict:
        return {
            "moment": self.moment,
            "count": self.count,
            "mean": json_number(self.mean),
            "quantiles": {k: json_number(v) for k, v in self.quantiles.items()},
            "share_mql": json_number(self.share_mql),
        }

    def text(self) -> str:
        what = {"conversion": "At conversion", "first_contact": "At first sales contact"}.get(self.moment, self.moment)
        if not self.count:
            return f"{what}: no converters with that date."
        q = self.quantiles
        return (
            f"{what} ({self.count:,} converters): average {self.mean:.1f}; "
            + "  ".join(f"{k} {v:.1f}" for k, v in q.items())
            + f"; {percent_text(self.share_mql)} were MQL at that moment"
        )


@dataclass
class ScoreAtConversion:
    """Score of each converter as of the moment it converted (and of first sales contact)."""

    at_conversion: ScoreDistribution
    at_first_contact: ScoreDistribution | None
    threshold: float  # the model's MQL threshold at the time of the call

    @property
    def average(self) -> float:
        """The average qualification score: the mean score at conversion."""
        return self.at_conversion.mean

    def to_dict(self) -> dict:
        return {
            "threshold": json_number(self.threshold),
            "average": json_number(self.average),
            "at_conversion": self.at_conversion.to_dict(),
            "at_first_contact": None if self.at_first_contact is None else self.at_first_contact.to_dict(),
        }

    def text(self) -> str:
        out = ["Score at conversion (each converter scored as of that moment, with the data known then):"]
        out.append("  " + self.at_conversion.text())
        if self.at_first_contact is not None:
            out.append("  " + self.at_first_contact.text())
        a = self.average
        if np.isfinite(a):
            rel = "above" if a > self.threshold else "below" if a < self.threshold else "equal to"
            out.append(f"  Average qualification score {a:.1f}, {rel} the MQL threshold {self.threshold:g}.")
        if 0 < self.at_conversion.count < FEW_CONVERSIONS:
            out.append(f"  Caution: only {self.at_conversion.count} converters with a conversion date: treat these figures as rough.")
        return "\n".join(out)


def _ns(a: np.ndarray, n: int, what: str) -> np.ndarray:
    a = np.asarray(a)
    if len(a) != n:
        raise ValueError(f"{what} has {len(a)} entries for {n} leads")
    if not np.issubdtype(a.dtype, np.datetime64):
        a = pd.to_datetime(pd.Series(a)).to_numpy(dtype="datetime64[ns]")
    return a.astype("datetime64[ns]").view(np.int64)


def score_at_conversion(scorer, converted_at: np.ndarray, first_contact: np.ndarray | None = None) -> ScoreAtConversion:
    """Each converter's score as of its conversion moment, using the engine itself.

    converted_at: datetime64 per lead (NaT: did not convert); a lead with a
    date counts as a converter. first_contact: datetime64 per lead (NaT: never
    contacted), optional; it is read for converters only. A moment is used as
    given (a date without a time is the start of that day: events of that day
    do not count yet); moments after the data's as-of are scored as of as-of.
    The scorer's state is not touched (see
    :meth:`leaddesigner.core.scoring.engine.Scorer.score_at`).
    """
    n = scorer.n
    nat = np.iinfo(np.int64).min
    conv = _ns(converted_at, n, "converted_at")
    rows = np.flatnonzero(conv != nat)

    def dist(moment: str, at: np.ndarray, rows: np.ndarray) -> ScoreDistribution:
        if len(rows) == 0:
            return ScoreDistribution.of(moment, rows, np.zeros(0), np.zeros(0, dtype=bool))
        res = scorer.score_at(at[rows], rows=rows)
        return ScoreDistribution.of(moment, rows, np.asarray(res.score, dtype=float), np.asarray(res.status) >= 1)

    at_conv = dist("conversion", conv, rows)
    at_fc = None
    if first_contact is not None:
        fc = _ns(first_contact, n, "first_contact")
        at_fc = dist("first_contact", fc, rows[fc[rows] != nat])
    return ScoreAtConversion(at_conv, at_fc, float(scorer.model.thresholds.mql))
