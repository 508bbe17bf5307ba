"""MQL threshold suggestions from the loaded data (issue 4).

:func:`suggest_thresholds` returns four :class:`Suggestion` objects, always in
this order and with these keys:

* ``capacity`` - the lowest threshold whose MQLs per week stay within SDR
  capacity in **every full week**. Capacity is counted in whole MQLs: a
  capacity of 12.5 a week means at most 12 MQLs in any week, and a capacity
  within 1e-9 of a whole number (floating-point noise, e.g. 0.1 x 30)
  counts as that number (see :func:`whole_mqls_per_week`); the label shows
  the whole number and the note says when the capacity was rounded down (weeks the data covers only partly, i.e. the
  first and last week of an export that starts or ends mid-week, are left out:
  they would understate the volume). Without week information or capacity the
  suggestion is unavailable (``threshold`` None, ``note`` says why).
* ``recall`` - the highest threshold that still hands at least the chosen
  share of converters to sales; the next-higher distinct score does not.
* ``f1`` - the threshold that maximises F1 of "MQL" against "converted"
  (ties: the highest such threshold, i.e. the fewest MQLs).
* ``conversion`` - the average score at conversion (rounded to 2 decimals).

Every threshold is applied as ``score >= threshold`` and the figures of a
suggestion (MQLs, MQLs per week, conversions captured, recall, precision) are
exactly what that cut gives on the data it was computed on. The engine may
further restrict MQLs by grade cells (``grades.mql_cells``); suggestions look
at the score only.

Vectorised: the scores are sorted once and every candidate threshold is
evaluated with cumulative sums (1M leads take a fraction of a second).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = ["Suggestion", "suggest_thresholds", "evaluate_threshold", "whole_mqls_per_week", "Weeks", "KEYS"]

#: the keys of the suggestions, in the order they are returned
KEYS = ("capacity", "recall", "f1", "conversion")


@dataclass
class Suggestion:
    """One suggested MQL threshold and what it would mean on the data.

    ``threshold`` is None when the suggestion is unavailable (then ``note``
    says why and the figures are 0/None). ``mqls_per_week`` is the mean over
    full weeks, ``mqls_per_week_max`` the busiest full week (both None without
    week information). ``conversions_captured``, ``recall`` and ``precision``
    are None without outcomes (``precision`` also when there are no MQLs).
    """

    key: str  # 'capacity' | 'recall' | 'f1' | 'conversion' (| 'current' from evaluate_threshold)
    label: str  # plain words, e.g. "Fits SDR capacity (20 MQLs a week)"
    threshold: float | None
    mqls: int = 0
    mqls_per_week: float | None = None
    mqls_per_week_max: int | None = None
    conversions_captured: int | None = None
    recall: float | None = None
    precision: float | None = None
    note: str = ""

    @property
    def available(self) -> bool:
        return self.threshold is not None

    def to_dict(self) -> dict:
        """JSON-able dict of the fields (plus ``available``)."""
        d = asdict(self)
        d["available"] = self.available
        return d

    def meaning(self) -> str:
        """What the threshold would mean, in one sentence (empty when unavailable)."""
        if not self.available:
            return ""
        parts = [f"{self.mqls:,} MQL{'' if self.mqls == 1 else 's'}"]
        if self.mqls_per_week is not None:
            parts[0] += f" ({self.mqls_per_week:.1f} a week on average, {self.mqls_per_week_max:,} in the busiest week)"
        if self.conversions_captured is not None:
            parts.append(
                f"{self.conversions_captured:,} conversion{'' if self.conversions_captured == 1 else 's'} captured"
                + (f" ({100 * self.recall:.0f}% of all conversions)" if self.recall is not None else "")
            )
        if self.precision is not None:
            parts.append(f"{100 * self.precision:.1f}% of MQLs convert")
        return ", ".join(parts)

    def text(self) -> str:
        """One or two lines for a terminal: the threshold and what it would mean."""
        if not self.available:
            return f"{self.label}: not available. {self.note}".rstrip()
        out = f"{self.label}: MQL threshold {_fmt(self.threshold)} -> {self.meaning()}."
        if self.note:
            out += f"\n    {self.note}"
        return out


def whole_mqls_per_week(capacity: float) -> int:
    """The number of MQLs a week a capacity allows: whole leads, rounded down.

    A capacity within 1e-9 of a whole number counts as that number, so that
    floating-point noise (``0.1 * 10 == 0.9999999999999999``) does not cost a
    lead. This is the one rounding every capacity text and check uses.
    """
    return max(0, int(np.floor(float(capacity) + 1e-9)))


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x is not None else "-"


# ---------------------------------------------------------------- weeks
@dataclass
class Weeks:
    """Each lead's week as a position 0..nweeks-1 (-1: no date), and which weeks are full."""

    rel: np.ndarray  # intp per lead
    nweeks: int
    full: np.ndarray  # bool per week: counts in the per-week figures

    @classmethod
    def build(cls, weeks: np.ndarray | None, n: int) -> "Weeks | None":
        """From int week numbers (all weeks full) or creation datetimes (partial first/last weeks left out)."""
        if weeks is None:
            return None
        w = np.asarray(weeks)
        if len(w) != n:
            raise ValueError(f"weeks has {len(w)} entries for {n} leads")
        if n == 0:
            return None
        if np.issubdtype(w.dtype, np.integer):
            ok = w >= 0
            if not ok.any():
                return None
            w0, w1 = int(w[ok].min()), int(w[ok].max())
            rel = np.where(ok, w - w0, -1).astype(np.intp)
            return cls(rel, w1 - w0 + 1, np.ones(w1 - w0 + 1, dtype=bool))
        from leaddesigner.core.scoring.summary import WeekIndex

        created = pd.to_datetime(pd.Series(w)).to_numpy(dtype="datetime64[ns]") if w.dtype == object else w
        wi = WeekIndex.build(created)
        if wi is None:
            return None
        rel = np.full(n, -1, dtype=np.intp)
        if wi.ok is None:
            rel[:] = wi.rel
        else:
            rel[wi.ok] = wi.rel
        full = ~wi.partial
        if not full.any():  # e.g. a single, partly covered week: better than nothing
            full = np.ones(wi.nweeks, dtype=bool)
        return cls(rel, wi.nweeks, full)

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Leads of ``mask`` per full week."""
        sel = mask & (self.rel >= 0)
        return np.bincount(self.rel[sel], minlength=self.nweeks)[self.full]

    def mean_max(self, mask: np.ndarray) -> tuple[float, int]:
        c = self.counts(mask)
        return (float(c.mean()), int(c.max())) if len(c) else (0.0, 0)


# ---------------------------------------------------------------- evaluation
def evaluate_threshold(
    scores: np.ndarray,
    threshold: float,
    y: np.ndarray | None = None,
    *,
    weeks: np.ndarray | Weeks | None = None,
    key: str = "current",
    label: str = "Current threshold",
    note: str = "",
) -> Suggestion:
    """What the cut ``score >= threshold`` gives on this data, as a :class:`Suggestion`."""
    s = np.asarray(scores, dtype=float)
    wk = weeks if isinstance(weeks, Weeks) or weeks is None else Weeks.build(weeks, len(s))
    mask = s >= threshold
    mqls = int(np.count_nonzero(mask))
    out = Suggestion(key, label, float(threshold), mqls, note=note)
    if wk is not None:
        out.mqls_per_week, out.mqls_per_week_max = wk.mean_max(mask)
    if y is not None:
        yb = np.asarray(y, dtype=bool)
        tp = int(np.count_nonzero(mask & yb))
        pos = int(np.count_nonzero(yb))
        out.conversions_captured = tp
        out.recall = tp / pos if pos else None
        out.precision = tp / mqls if mqls else None
    return out


def _nice(lo: float, hi: float) -> float:
    """A round number in (lo, hi] (the same cut as ``hi`` when no score lies in between), else ``hi``."""
    for step, digits in ((1.0, 0), (0.1, 1), (0.01, 2)):
        c = round(np.floor(hi / step + 1e-9) * step, digits)
        if lo < c <= hi:
            return float(c)
    return float(hi)


def suggest_thresholds(
    scores: np.ndarray,
    y: np.ndarray | None = None,
    *,
    weeks: np.ndarray | None = None,
    capacity_per_week: float | None = None,
    recall: float = 0.8,
    conversion_scores: np.ndarray | None = None,
    current: float | None = None,
) -> list[Suggestion]:
    """The four threshold suggestions (see the module docstring), in :data:`KEYS` order.

    scores: each lead's score. y: bool, converted (None: recall/F1 unavailable).
    weeks: each lead's creation week, either int week numbers (every week
    counts as full) or creation datetimes (datetime64; Monday-based weeks,
    partly covered first/last weeks left out of the per-week figures; NaT
    leads are left out of the per-week figures only).
    capacity_per_week: MQLs the SDR team can work per week.
    recall: the share of converters the ``recall`` suggestion must reach (0..1).
    conversion_scores: each converter's score at conversion (e.g.
    ``ScoreAtConversion.at_conversion.scores``).
    current: the model's current threshold; notes then say how far each
    suggestion is from it.

    A threshold found by searching the distinct scores is reported as the
    roundest number giving the same cut (e.g. 46 when no lead scores between
    45.2 and 47.31), so it reads well and keeps its promise.
    """
    s = np.asarray(scores, dtype=float)
    n = len(s)
    if np.isnan(s).any():
        raise ValueError("scores contain NaN")
    if not 0.0 <= recall <= 1.0:
        raise ValueError(f"recall must be between 0 and 1, not {recall}")
    yb = None if y is None else np.asarray(y, dtype=bool)
    if yb is not None and len(yb) != n:
        raise ValueError(f"y has {len(yb)} entries for {n} leads")
    wk = Weeks.build(weeks, n)

    # sort once (descending); groups of tied scores; cumulative counts per group
    order = np.argsort(-s, kind="stable")
    ss = s[order]
    if n:
        start = np.flatnonzero(np.r_[True, ss[1:] != ss[:-1]])
        distinct = ss[start]  # descending
        cum_n = np.r_[start[1:], n]  # leads scoring >= distinct[g]
    else:
        start = distinct = cum_n = np.zeros(0)
    cum_tp = pos = None
    if yb is not None and n:
        cy = np.cumsum(yb[order])
        cum_tp = cy[cum_n - 1]
        pos = int(cy[-1])

    def lower(g: int) -> float:
        """The next lower distinct score (-inf below the lowest)."""
        return float(distinct[g + 1]) if g + 1 < len(distinct) else -np.inf

    def evaluate(key, label, t, note):
        return evaluate_threshold(s, t, yb, weeks=wk, key=key, label=label, note=note)

    def versus(t: float) -> str:
        if current is None:
            return ""
        d = t - current
        if abs(d) < 1e-9:
            return " Same as the current threshold."
        return f" {_fmt(abs(d))} points {'above' if d > 0 else 'below'} the current threshold ({_fmt(current)})."

    out: list[Suggestion] = []

    # (a) capacity: every full week within capacity
    if capacity_per_week is None:
        label = "Fits SDR capacity"
        out.append(Suggestion("capacity", label, None, note="Needs the SDR capacity (MQLs a week the team can work)."))
    else:
        k = whole_mqls_per_week(capacity_per_week)
        label = f"Fits SDR capacity ({_plural(k, 'MQL')} a week)"
        rounded = (
            f" The capacity of {capacity_per_week:.6g} a week is counted as {_plural(k, 'whole MQL')}."
            if abs(capacity_per_week - k) > 1e-9 else ""
        )
        if wk is None:
            out.append(Suggestion("capacity", label, None, note="Needs each lead's creation date to count MQLs per week."))
        elif n == 0:
            out.append(Suggestion("capacity", label, None, note="There are no leads."))
        else:
            # within each week, leads best first: ``order`` is by score, a stable sort by week keeps it
            in_full = np.zeros(n, dtype=bool)
            has = wk.rel >= 0
            in_full[has] = wk.full[wk.rel[has]]
            o = order[in_full[order]]
            wo = wk.rel[o]
            by_week = np.argsort(wo, kind="stable")
            o, wo = o[by_week], wo[by_week]
            first = np.searchsorted(wo, np.arange(wk.nweeks), "left")
            posn = np.arange(len(o)) - first[wo]
            over = posn == k  # the (k+1)-th best lead of a week: the threshold must lie above its score
            nfull = int(wk.full.sum())
            basis = f"every full week ({nfull} week{'s' if nfull != 1 else ''}; weeks the data covers only partly are left out)"
            if not over.any():
                t = float(distinct[-1])
                note = f"Every lead can be an MQL: no full week has more than {k:,} leads. Capacity holds in {basis}."
                out.append(evaluate("capacity", label, t, note + rounded + versus(t)))
            else:
                v = float(s[o[over]].max())
                g = int(np.searchsorted(-distinct, -v, "left")) - 1  # last distinct score above v
                if g < 0:
                    out.append(
                        Suggestion(
                            "capacity", label, None,
                            note=f"No threshold keeps every full week within {_plural(k, 'MQL')}: "
                            "the busiest week has more top-scoring leads than that even at the highest score." + rounded,
                        )
                    )
                else:
                    t = _nice(v, float(distinct[g]))
                    note = f"The lowest threshold that keeps MQLs within capacity in {basis}."
                    out.append(evaluate("capacity", label, t, note + rounded + versus(t)))

    # (b) recall and (c) F1 need outcomes
    rlabel = f"Catches {100 * recall:g}% of converters"
    flabel = "Best balance of precision and recall (highest F1)"
    if yb is None:
        why = "Needs an outcome column (which leads converted)."
        out += [Suggestion("recall", rlabel, None, note=why), Suggestion("f1", flabel, None, note=why)]
    elif not pos:
        why = "No lead converted in this data."
        out += [Suggestion("recall", rlabel, None, note=why), Suggestion("f1", flabel, None, note=why)]
    else:
        need = recall * pos
        g = int(np.argmax(cum_tp >= need - 1e-9 * pos))  # cum_tp reaches pos, so a group qualifies
        t = _nice(lower(g), float(distinct[g]))
        note = (
            f"The highest threshold that hands at least {100 * recall:g}% of the {pos:,} converters to sales"
            + (f"; the next higher score ({float(distinct[g - 1]):.6g}) catches only {int(cum_tp[g - 1]):,}." if g > 0 else ".")
        )
        out.append(evaluate("recall", rlabel, t, note + versus(t)))
        f1 = 2.0 * cum_tp / (cum_n + pos)
        g = int(np.argmax(f1))
        t = _nice(lower(g), float(distinct[g]))
        note = f"Maximises F1 = {f1[g]:.3f} (the harmonic mean of precision and recall) on this data."
        out.append(evaluate("f1", flabel, t, note + versus(t)))

    # (d) average score at conversion
    clabel = "Average score at conversion"
    cs = None if conversion_scores is None else np.asarray(conversion_scores, dtype=float)
    if cs is None:
        out.append(Suggestion("conversion", clabel, None, note="Needs each converter's score at conversion (give the conversion date column)."))
    elif len(cs) == 0 or np.isnan(cs).all():
        out.append(Suggestion("conversion", clabel, None, note="No converter has a score at conversion."))
    else:
        c = cs[~np.isnan(cs)]
        t = round(float(c.mean()), 2)
        note = f"The average score of {len(c):,} converters at the moment they converted (the 'average qualification score')."
        out.append(evaluate("conversion", clabel, t, note + versus(t)))
    return out
