"""Every column of a lead file at a glance, so the first rules come from evidence.

:func:`profile` gives, per column: the type and format it reads as, the fill
rate, the number of distinct values, the most frequent values (or, for
numbers, five quantile bins) and, with an outcome, the conversion rate of each
value or bin, its weight of evidence and the column's information value (IV).
A column whose name says it is recorded with or after the outcome is flagged:
scoring on it flatters every backtest.

:meth:`ColumnProfile.rule` turns a profiled column into an ordinary rule
with per-value (or per-bin) points from the conversion rates: about 10 points
for each doubling of the odds against the average lead, values seen on fewer
than 20 leads get 0. The same function serves ``leaddesigner profile`` and
the app's Profile tab.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leaddesigner.core.data.coerce import coerce_types
from leaddesigner.core.model.types import Bin, Rule, ValueMap

from .detect import Detection, attribute_name, detect
from .outcome import Outcome, after_outcome_name, after_outcome_values

__all__ = ["ValueStat", "ColumnProfile", "Profile", "profile", "POINTS_PER_DOUBLING", "MIN_LEADS"]

#: points a value earns for each doubling of the odds of converting against the average lead
POINTS_PER_DOUBLING = 10.0
#: values or bins with fewer leads than this get 0 points in a rule made from a profile
MIN_LEADS = 20
#: points of a rule made from a profile stay within +-this
MAX_POINTS = 30
#: the most frequent values shown per column
TOP_VALUES = 12


@dataclass
class ValueStat:
    """One value (or bin) of a column: how many leads have it and, with an outcome, how they converted."""

    label: str  # the value as written, a bin such as "1,000 to 5,000", "(missing)" or "(other values)"
    leads: int
    converted: int | None = None
    rate: float | None = None
    woe: float | None = None  # ln(share of converters / share of the others), smoothed
    lower: float | None = None  # number bins: [lower, upper)
    upper: float | None = None
    value: str | None = None  # the value itself (None for missing, other values and bins)


@dataclass
class ColumnProfile:
    column: str
    type: str
    format: str | None
    rows: int
    filled: int
    distinct: int
    note: str = ""
    values: list[ValueStat] = field(default_factory=list)
    iv: float | None = None
    after_outcome: bool = False  # the name says it is recorded with or after the outcome
    is_id: bool = False
    is_outcome: bool = False

    @property
    def fill_rate(self) -> float:
        return self.filled / self.rows if self.rows else 0.0

    @property
    def strength(self) -> str:
        """The usual reading of an information value."""
        iv = self.iv
        if iv is None:
            return ""
        if iv < 0.02:
            return "none"
        if iv < 0.1:
            return "weak"
        if iv < 0.3:
            return "medium"
        if iv < 0.5:
            return "strong"
        return "suspicious (too strong)"

    def scorable(self) -> bool:
        """Whether a rule can be made from this column (not the id, the outcome or free text)."""
        return not (self.is_id or self.is_outcome) and self.type in ("category", "boolean", "number") and bool(self.values)

    def rule(self, attribute: str | None = None, rule_id: str | None = None, dimension: str = "fit") -> Rule:
        """A map rule with points per value or bin from the conversion rates (0 points without an outcome)."""
        attr = attribute or attribute_name(self.column)
        if not self.scorable():
            raise ValueError(f"no rule can be made from '{self.column}' ({'the lead id' if self.is_id else 'the outcome' if self.is_outcome else self.type})")

        def points(v: ValueStat) -> float:
            if v.woe is None or v.leads < MIN_LEADS:
                return 0.0
            return float(max(-MAX_POINTS, min(MAX_POINTS, round(POINTS_PER_DOUBLING * v.woe / math.log(2)))))

        why = (f"Points from the conversion rate of each {'bin' if self.type == 'number' else 'value'} in the data "
               f"(about {POINTS_PER_DOUBLING:g} per doubling of the odds; IV {self.iv:.2f})" if self.iv is not None
               else "Points to be set: made from the column's values, without an outcome")
        if self.type == "number":
            bins = [Bin(v.lower, v.upper, points(v)) for v in self.values if v.value is None and v.label not in ("(missing)",)]
            vm = ValueMap(attr, bins=bins)
        else:
            vm = ValueMap(attr, values={str(v.value): points(v) for v in self.values if v.value is not None})
        return Rule(rule_id or attr, self.column, dimension, map=vm, why=why)


@dataclass
class Profile:
    rows: int
    columns: list[ColumnProfile]
    outcome: Outcome | None = None
    detection: Detection | None = None

    def column(self, name: str) -> ColumnProfile:
        for c in self.columns:
            if c.column == name:
                return c
        raise KeyError(name)

    def ranked(self) -> list[ColumnProfile]:
        """Columns by information value (strongest first), then in file order."""
        return sorted(self.columns, key=lambda c: -(c.iv if c.iv is not None and not (c.is_outcome or c.is_id) else -1.0))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "column": [c.column for c in self.columns],
                "type": [c.type for c in self.columns],
                "format": [c.format or "" for c in self.columns],
                "fill_rate": [round(c.fill_rate, 4) for c in self.columns],
                "distinct": [c.distinct for c in self.columns],
                "iv": [None if c.iv is None else round(c.iv, 4) for c in self.columns],
                "after_outcome": [c.after_outcome for c in self.columns],
                "note": [c.note for c in self.columns],
            }
        )

    @property
    def headline(self) -> str:
        """``1,204 leads, 12 columns``: the first line of the profile, in the terminal and in the app."""
        n = len(self.columns)
        return f"{self.rows:,} lead{'' if self.rows == 1 else 's'}, {n:,} column{'' if n == 1 else 's'}"

    def text(self, values: int = 5) -> str:
        """The profile for a terminal: one block per column, strongest first when there is an outcome."""
        out = [self.headline]
        if self.detection is not None:
            out += self.detection.lines()
        if self.outcome is not None:
            out.append(self.outcome.description)
        cols = self.ranked() if self.outcome is not None else self.columns
        for c in cols:
            head = f"\n{c.column}  [{c.type}{', ' + c.format if c.format else ''}]  filled {100 * c.fill_rate:.0f}%, {c.distinct:,} distinct"
            if c.iv is not None and not c.is_outcome:
                head += f", IV {c.iv:.3f} ({c.strength})"
            tags = [t for t, on in (("lead id", c.is_id), ("the outcome", c.is_outcome),
                                    ("recorded with or after the outcome? not for scoring", c.after_outcome and not c.is_outcome)) if on]
            if tags:
                head += "  <- " + "; ".join(tags)
            out.append(head)
            if c.note:
                out.append(f"  {c.note}")
            for v in c.values[:values]:
                line = f"  {v.label[:40]:<40} {v.leads:>9,}"
                if v.rate is not None:
                    line += f"  {100 * v.rate:6.1f}% converted"
                out.append(line)
            if len(c.values) > values:
                out.append(f"  ... {len(c.values) - values} more")
        return "\n".join(out)


# ---------------------------------------------------------------- computing
def _woe(conv: np.ndarray, leads: np.ndarray, pos: int, neg: int) -> tuple[np.ndarray, float]:
    """Weight of evidence per group (0.5 added to every count) and the information value."""
    good = conv + 0.5
    bad = (leads - conv) + 0.5
    dg = good / (pos + 0.5 * len(leads))
    db = bad / (neg + 0.5 * len(leads))
    woe = np.log(dg / db)
    return woe, float(np.sum((dg - db) * woe))


def _stats(labels: list[str], groups: np.ndarray, y: np.ndarray | None, extra: list[dict]) -> list[ValueStat]:
    """Counts (and conversion) per group code 0..k-1."""
    k = len(labels)
    leads = np.bincount(groups, minlength=k)[:k]
    out = []
    if y is not None:
        conv = np.bincount(groups, weights=y.astype(float), minlength=k)[:k]
        pos = int(y.sum())
        neg = len(y) - pos
        woe, _ = _woe(conv, leads, pos, neg) if pos and neg else (np.full(k, np.nan), 0.0)
    for i in range(k):
        v = ValueStat(labels[i], int(leads[i]), **extra[i])
        if y is not None:
            v.converted = int(conv[i])
            v.rate = float(conv[i] / leads[i]) if leads[i] else None
            v.woe = None if not np.isfinite(woe[i]) else float(woe[i])
        out.append(v)
    return out


def _fmt_num(x: float) -> str:
    if abs(x) >= 1e6 and float(x / 1e6).is_integer():
        return f"{x / 1e6:,.0f}M"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4g}"


def _number_bins(x: np.ndarray, nbins: int) -> list[float]:
    """Cut points at quantiles, made round where that keeps them distinct."""
    ok = x[np.isfinite(x)]
    if not len(ok):
        return []
    qs = np.quantile(ok, np.linspace(0, 1, nbins + 1)[1:-1])
    cuts: list[float] = []
    for q in qs:
        mag = 10 ** max(0, int(math.floor(math.log10(abs(q)))) - 1) if q else 1
        c = float(round(q / mag) * mag)
        if c > ok.min() and (not cuts or c > cuts[-1]):
            cuts.append(c)
    return cuts


def _profile_column(s: pd.Series, g, y: np.ndarray | None, pos: int, neg: int, nbins: int) -> tuple[list[ValueStat], float | None]:
    col = g.column
    if g.type == "number" or (g.type == "date" and False):
        conv, _ = coerce_types(pd.DataFrame({col: s}), {col: "number"}, source="x.parquet", row_offset=1,
                               formats={col: g.format} if g.format else None)
        x = conv[col].to_numpy(dtype="float64", na_value=np.nan)
        cuts = _number_bins(x, nbins)
        edges = [-np.inf, *cuts, np.inf]
        missing = ~np.isfinite(x)
        idx = np.searchsorted(np.array(cuts), np.where(missing, 0, x), side="right")
        groups = np.where(missing, len(edges) - 1, idx)
        labels, extra = [], []
        for i in range(len(edges) - 1):
            lo, hi = edges[i], edges[i + 1]
            if lo == -np.inf:
                labels.append(f"below {_fmt_num(hi)}" if hi != np.inf else "all values")
            elif hi == np.inf:
                labels.append(f"{_fmt_num(lo)} and above")
            else:
                labels.append(f"{_fmt_num(lo)} to {_fmt_num(hi)}")
            extra.append({"lower": None if lo == -np.inf else float(lo), "upper": None if hi == np.inf else float(hi)})
        labels.append("(missing)")
        extra.append({})
        stats = _stats(labels, groups, y, extra)
        stats = [v for v in stats if v.leads or v.label != "(missing)"]
    elif g.type == "date":
        return [], None
    else:
        if g.type == "boolean":
            conv, _ = coerce_types(pd.DataFrame({col: s}), {col: "boolean"}, source="x.parquet", row_offset=1)
            b = conv[col]
            groups = np.where(b.isna().to_numpy(), 2, np.where(b.fillna(False).to_numpy(dtype=bool), 0, 1))
            labels, extra = ["true", "false", "(missing)"], [{"value": "true"}, {"value": "false"}, {}]
        else:
            text = s.astype("str").str.strip()
            codes, uniques = pd.factorize(text.where(text != ""), use_na_sentinel=True)
            counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
            order = np.argsort(-counts, kind="stable")
            top = order[:TOP_VALUES]
            remap = np.full(len(uniques) + 1, TOP_VALUES + 0, dtype=np.int64)  # other values
            remap[top] = np.arange(len(top))
            remap[-1] = len(top) + 1  # missing
            groups = remap[np.where(codes >= 0, codes, len(uniques))]
            groups = np.where(groups == TOP_VALUES, len(top), groups)
            labels = [str(uniques[i]) for i in top] + ["(other values)", "(missing)"]
            extra = [{"value": str(uniques[i])} for i in top] + [{}, {}]
        stats = [v for v in _stats(labels, groups, y, extra) if v.leads or v.value is not None]
    iv = None
    if y is not None and pos and neg:
        leads = np.array([v.leads for v in stats])
        conv_n = np.array([v.converted or 0 for v in stats])
        keep = leads > 0
        _, iv = _woe(conv_n[keep], leads[keep], pos, neg)
    return stats, iv


def profile(
    frame: pd.DataFrame,
    *,
    outcome: Outcome | None = None,
    detection: Detection | None = None,
    bins: int = 5,
    source: str = "the file",
    recorded_after: tuple[str, ...] | list[str] = (),
) -> Profile:
    """Profile every column of a raw lead frame (as read), with conversion per value when ``outcome`` is given.

    ``recorded_after``: columns the model says are recorded with or after the outcome (flagged like
    the ones whose names or values say so).
    """
    det = detection if detection is not None else detect(frame, source=source)
    y = None if outcome is None else np.asarray(outcome.y, dtype=bool)
    if y is not None and len(y) != len(frame):
        raise ValueError(f"the outcome has {len(y):,} values for {len(frame):,} leads")
    pos = int(y.sum()) if y is not None else 0
    neg = len(frame) - pos
    out = []
    for c in frame.columns:
        name = str(c)
        g = det.columns[name]
        cp = ColumnProfile(name, g.type, g.format, g.rows, g.filled, g.distinct, g.note)
        cp.is_id = name == det.id_column
        cp.is_outcome = outcome is not None and name in (outcome.spec.column, outcome.spec.date)
        cp.after_outcome = name in recorded_after or after_outcome_name(name) or (
            g.type in ("category", "text") and after_outcome_values(frame[c]))
        if not cp.is_id and not (g.type == "text" and g.distinct > 0.9 * max(g.filled, 1)):
            cp.values, cp.iv = _profile_column(frame[c], g, y, pos, neg, bins)
        out.append(cp)
    return Profile(len(frame), out, outcome, det)
