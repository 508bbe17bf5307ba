"""Backtest a scoring model against past conversions (issue 4).

Pure numpy/pandas over plain arrays, so the app can run it in a worker thread
on copies of the scorer's arrays:

* :func:`auc` - ROC AUC (equals ``sklearn.metrics.roc_auc_score``, ties included).
* :func:`time_split` - the honest split: the most recent share of leads by
  creation time is the holdout, the older leads are for tuning.
* :func:`backtest` -> :class:`Backtest` - AUC with a bootstrap CI, deciles,
  grade cells, cumulative gains, the MQL cut (precision, recall, F1, share of
  conversions captured vs share of leads handed to sales, MQL vs non-MQL
  conversion rate with CIs), and plain-sentence ``warnings`` when the data is
  too thin to trust a figure.
* :func:`~leaddesigner.core.analysis.at_conversion.score_at_conversion` (its own module) - each converter's
  score as of the moment it converted (and of first sales contact), computed
  by the engine itself (:meth:`Scorer.score_at`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["auc", "time_split", "backtest", "Backtest", "Rate", "MqlCut", "Gains", "THIN_LEADS", "THIN_CONVERSIONS"]

#: a band or grade cell with fewer leads than this is flagged thin
THIN_LEADS = 20
#: ... or with fewer conversions than this
THIN_CONVERSIONS = 5
#: fewer conversions than this in a (part of the) data: the figures are called unreliable
FEW_CONVERSIONS = 30
#: an AUC confidence interval wider than this is called wide
WIDE_AUC_CI = 0.10


Z95 = 1.959963984540054
#: above this many distinct scores the bootstrap runs on this many score bins (see _auc_ci)
BOOT_BINS = 1024


def json_number(x) -> float | None:
    """A JSON-able float (NaN/inf -> None)."""
    if x is None:
        return None
    x = float(x)
    return x if np.isfinite(x) else None


def _records(df: pd.DataFrame | None) -> list[dict] | None:
    if df is None:
        return None
    out = []
    for rec in df.to_dict("records"):
        out.append({k: (json_number(v) if isinstance(v, (float, np.floating)) else v.item() if isinstance(v, np.generic) else v) for k, v in rec.items()})
    return out


def percent_text(x: float, digits: int = 1) -> str:
    return "-" if x is None or not np.isfinite(x) else f"{100 * x:.{digits}f}%"


def wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of a proportion k/n ((nan, nan) when n == 0)."""
    if n <= 0:
        return float("nan"), float("nan")
    p = k / n
    z2 = Z95 * Z95
    den = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / den
    half = Z95 * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


@dataclass
class Rate:
    """A conversion rate with its counts and a 95% Wilson interval (NaN when there are no leads)."""

    conversions: int
    leads: int
    rate: float
    low: float
    high: float

    @classmethod
    def of(cls, conversions: int, leads: int) -> "Rate":
        lo, hi = wilson(conversions, leads)
        return cls(int(conversions), int(leads), conversions / leads if leads else float("nan"), lo, hi)

    @property
    def thin(self) -> bool:
        return self.leads < THIN_LEADS or self.conversions < THIN_CONVERSIONS

    def to_dict(self) -> dict:
        return {"conversions": self.conversions, "leads": self.leads, "rate": json_number(self.rate), "low": json_number(self.low), "high": json_number(self.high)}

    def text(self) -> str:
        if not self.leads:
            return "- (no leads)"
        return f"{percent_text(self.rate)} ({self.conversions:,} of {self.leads:,}; 95% CI {percent_text(self.low)}-{percent_text(self.high)})"


@dataclass
class MqlCut:
    """The MQL cut (leads handed to sales) against the outcome."""

    threshold: float | None  # None when an explicit mask was given
    mqls: int  # leads handed to sales
    converted_mqls: int  # true positives
    precision: float  # = MQL conversion rate (NaN without MQLs)
    recall: float  # = share of all conversions captured by MQLs (NaN without conversions)
    f1: float  # NaN when there are neither MQLs nor conversions
    share_of_leads: float  # share of leads handed to sales
    share_of_conversions: float  # = recall
    mql_rate: Rate  # conversion rate of MQLs, with CI
    non_mql_rate: Rate  # conversion rate of the other leads, with CI
    mqls_per_week: float | None = None  # mean over full weeks (needs created)
    mqls_per_week_max: int | None = None  # busiest full week

    def to_dict(self) -> dict:
        return {
            "threshold": json_number(self.threshold),
            "mqls": self.mqls,
            "converted_mqls": self.converted_mqls,
            "precision": json_number(self.precision),
            "recall": json_number(self.recall),
            "f1": json_number(self.f1),
            "share_of_leads": json_number(self.share_of_leads),
            "share_of_conversions": json_number(self.share_of_conversions),
            "mql_rate": self.mql_rate.to_dict(),
            "non_mql_rate": self.non_mql_rate.to_dict(),
            "mqls_per_week": json_number(self.mqls_per_week),
            "mqls_per_week_max": self.mqls_per_week_max,
        }


@dataclass
class Gains:
    """Cumulative gains: leads sorted by score, best first, cut at each distinct score.

    ``lead_share[i]`` of the leads (those scoring >= ``thresholds[i]``) hold
    ``conversion_share[i]`` of all conversions. Starts at (0, 0) (threshold
    +inf) and ends at (1, 1); thinned to at most ``MAX_GAINS_POINTS`` points
    for plotting (only exact cut points are kept; some are dropped). The
    conversion shares are NaN when nothing converted.
    """

    thresholds: np.ndarray  # float, descending (first is +inf for the (0, 0) point)
    lead_share: np.ndarray
    conversion_share: np.ndarray

    def to_dict(self) -> dict:
        return {
            "thresholds": [json_number(x) for x in self.thresholds],
            "lead_share": [json_number(x) for x in self.lead_share],
            "conversion_share": [json_number(x) for x in self.conversion_share],
        }


#: the most points a gains curve keeps
MAX_GAINS_POINTS = 512


@dataclass
class Backtest:
    """Backtest figures of one set of leads (``label``), and of its parts.

    ``parts`` holds ``{"tuning": Backtest, "holdout": Backtest}`` when a
    holdout mask was given (empty otherwise); the top level covers all leads
    and its ``warnings`` include those of the parts (prefixed with the part).
    ``deciles`` columns: band (1 = highest scores), score_min, score_max,
    leads, conversions, rate, lift, cum_conversion_share, cum_lead_share, thin
    (leads with tied scores share a band, so bands can differ in size and
    fewer than 10 may exist). ``grades`` columns: grade, leads, conversions,
    rate, lift, thin (None without grades); every cell is listed, empty ones
    with rate NaN.
    """

    label: str
    n: int
    n_converted: int
    base_rate: float
    auc: float  # NaN when only one class
    auc_low: float
    auc_high: float
    deciles: pd.DataFrame
    grades: pd.DataFrame | None
    gains: Gains
    mql: MqlCut | None
    warnings: list[str] = field(default_factory=list)
    first_created: pd.Timestamp | None = None
    last_created: pd.Timestamp | None = None
    parts: dict[str, "Backtest"] = field(default_factory=dict)

    @property
    def reported(self) -> "Backtest":
        """The figures to report: the holdout when there is one, else all leads."""
        return self.parts.get("holdout", self)

    def to_dict(self) -> dict:
        """JSON-able dict (tables as lists of records, NaN as None)."""
        return {
            "label": self.label,
            "n": self.n,
            "n_converted": self.n_converted,
            "base_rate": json_number(self.base_rate),
            "auc": json_number(self.auc),
            "auc_low": json_number(self.auc_low),
            "auc_high": json_number(self.auc_high),
            "deciles": _records(self.deciles),
            "grades": _records(self.grades),
            "gains": self.gains.to_dict(),
            "mql": None if self.mql is None else self.mql.to_dict(),
            "warnings": list(self.warnings),
            "first_created": None if self.first_created is None else self.first_created.isoformat(),
            "last_created": None if self.last_created is None else self.last_created.isoformat(),
            "parts": {k: v.to_dict() for k, v in self.parts.items()},
        }

    def text(self) -> str:
        """Terminal report with counts shown (tuning vs holdout when split)."""
        cols = [self.parts["tuning"], self.parts["holdout"], self] if self.parts else [self]
        heads = [_part_head(b) for b in cols]
        rows: list[tuple[str, list[str]]] = [
            ("Leads", [f"{b.n:,}" for b in cols]),
            ("Converted", [f"{b.n_converted:,} ({percent_text(b.base_rate)})" for b in cols]),
            ("ROC AUC (95% CI)", [_auc_text(b) for b in cols]),
        ]
        m0 = self.mql
        if m0 is not None:
            cut = f"score >= {m0.threshold:g}" if m0.threshold is not None else "status MQL or SQL"
            rows += [
                (f"MQLs ({cut})", [f"{b.mql.mqls:,} ({percent_text(b.mql.share_of_leads)} of leads)" for b in cols]),
                ("  conversions captured", [f"{b.mql.converted_mqls:,} ({percent_text(b.mql.share_of_conversions)} of conv.)" for b in cols]),
                ("  MQL conversion rate", [_rate_short(b.mql.mql_rate) for b in cols]),
                ("  non-MQL conversion rate", [_rate_short(b.mql.non_mql_rate) for b in cols]),
                ("  precision / recall / F1", [f"{_f(b.mql.precision)} / {_f(b.mql.recall)} / {_f(b.mql.f1)}" for b in cols]),
            ]
            if m0.mqls_per_week is not None:
                rows.append(
                    ("  MQLs a week: mean (max)", [f"{b.mql.mqls_per_week:.1f} ({b.mql.mqls_per_week_max:,})" if b.mql.mqls_per_week is not None else "-" for b in cols])
                )
        if self.first_created is not None:
            rows.insert(1, ("Created", [_period(b) for b in cols]))
        w0 = max(len(r[0]) for r in rows) + 2
        widths = [max(len(h), *(len(r[1][i]) for r in rows)) + 2 for i, h in enumerate(heads)]
        out = [f"Backtest{' (older leads tune, the most recent are the holdout)' if self.parts else ''}"]
        out.append(" " * w0 + "".join(h.rjust(w) for h, w in zip(heads, widths)))
        for name, vals in rows:
            out.append(name.ljust(w0) + "".join(v.rjust(w) for v, w in zip(vals, widths)))
        rep = self.reported
        which = f" ({rep.label})" if self.parts else ""
        out.append("")
        out.append(f"Conversion by score band{which}: band 1 = highest scores; lift = rate / overall rate")
        out.append(_table(rep.deciles, ["band", "score_min", "score_max", "leads", "conversions", "rate", "lift", "cum_conversion_share", "cum_lead_share"],
                          ["band", "from", "to", "leads", "conv.", "rate", "lift", "cum. conv.", "cum. leads"]))
        if rep.grades is not None:
            out.append("")
            out.append(f"Conversion by grade{which} (* thin: fewer than {THIN_LEADS} leads or {THIN_CONVERSIONS} conversions)")
            out.append(_table(rep.grades, ["grade", "leads", "conversions", "rate", "lift"], ["grade", "leads", "conv.", "rate", "lift"]))
        if self.warnings:
            out.append("")
            out.append("Caution:")
            out += [f"  - {w}" for w in self.warnings]
        return "\n".join(out)


def _part_head(b: Backtest) -> str:
    return {"tuning": "tuning (older)", "holdout": "holdout (recent)", "all leads": "all leads"}.get(b.label, b.label)


def _period(b: Backtest) -> str:
    if b.first_created is None:
        return "-"
    return f"{b.first_created:%Y-%m-%d}..{b.last_created:%Y-%m-%d}"


def _f(x: float) -> str:
    return "-" if x is None or not np.isfinite(x) else f"{x:.3f}"


def _auc_text(b: Backtest) -> str:
    if not np.isfinite(b.auc):
        return "- (one class)"
    if not np.isfinite(b.auc_low):
        return f"{b.auc:.3f}"
    return f"{b.auc:.3f} ({b.auc_low:.3f}-{b.auc_high:.3f})"


def _rate_short(r: Rate) -> str:
    if not r.leads:
        return "-"
    return f"{percent_text(r.rate)} ({percent_text(r.low)}-{percent_text(r.high)})"


def _score_text(v: float) -> str:
    """A score for a table: whole numbers as they are, others to one decimal (decay makes 51.5851)."""
    if not np.isfinite(v):
        return "-"
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"


def _table(df: pd.DataFrame, cols: list[str], heads: list[str]) -> str:
    def cell(c, v, thin):
        if c in ("rate", "cum_conversion_share", "cum_lead_share"):
            s = percent_text(v)
        elif c == "lift":
            s = "-" if not np.isfinite(v) else f"{v:.2f}"
        elif c in ("score_min", "score_max"):
            s = _score_text(v)
        elif c in ("leads", "conversions", "band"):
            s = f"{int(v):,}"
        else:
            s = str(v)
        if c == cols[0] and thin:
            s += "*"
        return s

    body = [[cell(c, r[c], bool(r.get("thin", False))) for c in cols] for r in df.to_dict("records")]
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(heads)]
    lines = ["  " + "  ".join(h.rjust(w) for h, w in zip(heads, widths))]
    lines += ["  " + "  ".join(v.rjust(w) for v, w in zip(row, widths)) for row in body]
    return "\n".join(lines)


# ---------------------------------------------------------------- metrics
def _check(scores, y) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(scores, dtype=float)
    yb = np.asarray(y, dtype=bool)
    if s.shape != yb.shape or s.ndim != 1:
        raise ValueError(f"scores and outcomes must be 1-d arrays of the same length (got {s.shape} and {yb.shape})")
    if np.isnan(s).any():
        raise ValueError("scores contain NaN")
    return s, yb


def _groups(s: np.ndarray, yb: np.ndarray, *, is_sorted: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct scores ascending, with converters and non-converters per distinct score."""
    if not is_sorted:
        # hash the scores into groups (linear) and sort only the distinct ones: a model gives a few
        # hundred distinct scores, so this is 5x faster than sorting 200,000 holdout leads
        codes, uniques = pd.factorize(s, sort=False, use_na_sentinel=False)
        tot = np.bincount(codes, minlength=len(uniques))
        pos = np.bincount(codes, weights=yb, minlength=len(uniques)).astype(np.int64)
        order = np.argsort(uniques, kind="stable")
        return np.asarray(uniques, dtype=float)[order], pos[order], (tot - pos)[order]
    ss, yy = s, yb
    if len(ss) == 0:
        return ss, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    start = np.flatnonzero(np.r_[True, ss[1:] != ss[:-1]])
    tot = np.diff(np.r_[start, len(ss)])
    cy = np.r_[0, np.cumsum(yy, dtype=np.int64)]
    pos = cy[np.r_[start[1:], len(ss)]] - cy[start]
    return ss[start], pos, tot - pos


def _auc_from_counts(pos: np.ndarray, neg: np.ndarray) -> np.ndarray | float:
    """AUC from converters/non-converters per score group (ascending; last axis), ties count half."""
    pos = np.asarray(pos, dtype=float)
    neg = np.asarray(neg, dtype=float)
    below = np.cumsum(neg, axis=-1) - neg
    u = np.sum(pos * (below + 0.5 * neg), axis=-1)
    den = pos.sum(axis=-1) * neg.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, u / np.where(den > 0, den, 1.0), np.nan)


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    """ROC AUC of ``scores`` for the binary outcome ``y`` (rank-based, ties count half).

    Equals ``sklearn.metrics.roc_auc_score(y, scores)``; NaN when ``y`` has one class.
    """
    s, yb = _check(scores, y)
    _, pos, neg = _groups(s, yb)
    return float(_auc_from_counts(pos, neg))


def _auc_ci(pos: np.ndarray, neg: np.ndarray, n_boot: int, seed: int) -> tuple[float, float]:
    """95% percentile bootstrap interval of the AUC, from the per-score-group counts.

    Resampling n leads with replacement and counting them per (score group,
    class) cell is the same as drawing the cell counts from a multinomial with
    the cells' shares: so each resample costs O(cells), not O(n log n). With
    more than ``BOOT_BINS`` distinct scores, neighbouring scores are pooled
    into ``BOOT_BINS`` bins of about equal size for the resampling and the
    interval is shifted by the pooling's effect on the AUC (exact AUC minus
    pooled AUC), which is tiny at that many bins.
    """
    n1, n0 = int(pos.sum()), int(neg.sum())
    if n_boot <= 0 or n1 == 0 or n0 == 0:
        return float("nan"), float("nan")
    shift = 0.0
    if len(pos) > BOOT_BINS:
        cum = np.cumsum(pos + neg)
        b = np.minimum((cum - 1) * BOOT_BINS // cum[-1], BOOT_BINS - 1)
        exact = float(_auc_from_counts(pos, neg))
        pos = np.bincount(b, weights=pos, minlength=BOOT_BINS)
        neg = np.bincount(b, weights=neg, minlength=BOOT_BINS)
        shift = exact - float(_auc_from_counts(pos, neg))
    rng = np.random.default_rng(seed)
    n = n1 + n0
    cells = np.concatenate([pos, neg]).astype(float)
    draws = rng.multinomial(n, cells / n, size=n_boot)
    k = len(pos)
    a = _auc_from_counts(draws[:, :k], draws[:, k:])
    a = a[np.isfinite(a)]
    if len(a) == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(a, [0.025, 0.975]) + shift
    return float(np.clip(lo, 0, 1)), float(np.clip(hi, 0, 1))


def time_split(created: np.ndarray | None, n: int, holdout_fraction: float = 0.2) -> np.ndarray:
    """Holdout mask: the most recent ``holdout_fraction`` of the ``n`` leads by creation time.

    ``created`` is datetime64 (or None: row order, for files in time order).
    Leads are ordered by (creation time, row); leads without a date (NaT) come
    first, i.e. they are tuning data. Ties are broken by row order, so the
    split is deterministic and holds exactly ``round(n * holdout_fraction)``
    leads.
    """
    if not 0.0 <= holdout_fraction < 1.0:
        raise ValueError(f"the holdout fraction must be at least 0 and below 1, not {holdout_fraction}")
    k = int(round(n * holdout_fraction))
    mask = np.zeros(n, dtype=bool)
    if k == 0:
        return mask
    if created is None:
        mask[n - k:] = True
        return mask
    c = np.asarray(created)
    if len(c) != n:
        raise ValueError(f"created has {len(c)} entries for {n} leads")
    if not np.issubdtype(c.dtype, np.datetime64):
        c = pd.to_datetime(pd.Series(c)).to_numpy(dtype="datetime64[ns]")
    t = c.astype("datetime64[ns]").view(np.int64)  # NaT is the smallest int64: sorts first
    order = np.argsort(t, kind="stable")
    mask[order[n - k:]] = True
    return mask


def _deciles(s_asc: np.ndarray, y_asc: np.ndarray, base: float) -> pd.DataFrame:
    """Score bands from scores sorted ascending (and their outcomes)."""
    n = len(s_asc)
    cols = ["band", "score_min", "score_max", "leads", "conversions", "rate", "lift", "cum_conversion_share", "cum_lead_share", "thin"]
    if n == 0:
        return pd.DataFrame(columns=cols)
    ss, yy = s_asc[::-1], y_asc[::-1]  # best first
    new = np.r_[True, ss[1:] != ss[:-1]]
    start = np.maximum.accumulate(np.where(new, np.arange(n), 0))  # first position of each lead's tie group
    band = start * 10 // n  # 0..9: a tie group goes to the band where it starts
    leads = np.bincount(band, minlength=10)
    conv = np.bincount(band, weights=yy, minlength=10).astype(np.int64)
    used = np.flatnonzero(leads)
    first = np.searchsorted(band, used, "left")
    last = np.searchsorted(band, used, "right") - 1
    leads, conv = leads[used], conv[used]
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = conv / leads
        lift = rate / base if base > 0 else np.full(len(used), np.nan)
        total = conv.sum()
        cum_conv = np.cumsum(conv) / total if total else np.full(len(used), np.nan)
    return pd.DataFrame(
        {
            "band": np.arange(1, len(used) + 1),
            "score_min": ss[last],
            "score_max": ss[first],
            "leads": leads,
            "conversions": conv,
            "rate": rate,
            "lift": lift,
            "cum_conversion_share": cum_conv,
            "cum_lead_share": np.cumsum(leads) / n,
            "thin": (leads < THIN_LEADS) | (conv < THIN_CONVERSIONS),
        }
    )


def _grade_table(codes: np.ndarray, names: list[str], yb: np.ndarray, base: float) -> pd.DataFrame:
    g = np.asarray(codes, dtype=np.int64)
    ok = (g >= 0) & (g < len(names))
    leads = np.bincount(g[ok], minlength=len(names))
    conv = np.bincount(g[ok], weights=yb[ok], minlength=len(names)).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(leads > 0, conv / np.maximum(leads, 1), np.nan)
        lift = rate / base if base > 0 else np.full(len(names), np.nan)
    return pd.DataFrame(
        {
            "grade": list(names),
            "leads": leads,
            "conversions": conv,
            "rate": rate,
            "lift": lift,
            "thin": (leads < THIN_LEADS) | (conv < THIN_CONVERSIONS),
        }
    )


def _gains(distinct_asc: np.ndarray, pos: np.ndarray, neg: np.ndarray) -> Gains:
    thr = np.r_[np.inf, distinct_asc[::-1]]
    tot = (pos + neg)[::-1]
    n = tot.sum()
    p = pos.sum()
    lead_share = np.r_[0.0, np.cumsum(tot) / n] if n else np.zeros(1)
    conv_share = np.r_[0.0, np.cumsum(pos[::-1]) / p] if p else np.full(len(thr), np.nan)
    if len(thr) > MAX_GAINS_POINTS:
        keep = np.unique(np.r_[0, np.searchsorted(lead_share, np.linspace(0, 1, MAX_GAINS_POINTS - 1)), len(thr) - 1])
        keep = keep[keep < len(thr)]
        thr, lead_share, conv_share = thr[keep], lead_share[keep], conv_share[keep]
    return Gains(thr, lead_share, conv_share)


def _mql_cut(mql: np.ndarray, yb: np.ndarray, threshold: float | None, weeks) -> MqlCut:
    n = len(yb)
    m = int(mql.sum())
    p = int(yb.sum())
    tp = int(np.count_nonzero(mql & yb))
    precision = tp / m if m else float("nan")
    recall = tp / p if p else float("nan")
    f1 = 2 * tp / (m + p) if (m + p) else float("nan")
    cut = MqlCut(
        threshold=None if threshold is None else float(threshold),
        mqls=m,
        converted_mqls=tp,
        precision=precision,
        recall=recall,
        f1=f1,
        share_of_leads=m / n if n else float("nan"),
        share_of_conversions=recall,
        mql_rate=Rate.of(tp, m),
        non_mql_rate=Rate.of(p - tp, n - m),
    )
    if weeks is not None:
        cut.mqls_per_week, cut.mqls_per_week_max = weeks.mean_max(mql)
    return cut


def _warnings(b: Backtest, n_boot: int) -> list[str]:
    w: list[str] = []
    where = {"all leads": "", "tuning": " in the tuning part", "holdout": " in the holdout"}.get(b.label, f" in {b.label}")
    if b.n == 0:
        return [f"There are no leads{where}."]
    if b.n_converted == 0 or b.n_converted == b.n:
        what = "none of" if b.n_converted == 0 else "all"
        w.append(f"{what.capitalize()} the {b.n:,} leads{where} converted: the AUC, precision and recall cannot be computed.")
        return w
    if b.n_converted < FEW_CONVERSIONS:
        w.append(
            f"Only {b.n_converted:,} conversion{'s' if b.n_converted != 1 else ''} among {b.n:,} leads{where}: "
            "treat every figure as rough."
        )
    if n_boot > 0 and np.isfinite(b.auc_low) and b.auc_high - b.auc_low > WIDE_AUC_CI:
        w.append(
            f"The AUC{where} could be anywhere from {b.auc_low:.2f} to {b.auc_high:.2f} (95% interval): "
            "too few leads or conversions to pin it down."
        )
    if len(b.deciles) < 10:
        w.append(f"Many leads{where} share the same score, so there are only {len(b.deciles)} score bands instead of 10.")
    if b.mql is not None:
        for r, what in ((b.mql.mql_rate, "MQLs"), (b.mql.non_mql_rate, "other leads")):
            if r.leads == 0:
                w.append(f"There are no {what}{where}.")
            elif r.thin:
                w.append(
                    f"The conversion rate of {what}{where} rests on {r.conversions:,} conversion{'s' if r.conversions != 1 else ''} "
                    f"among {r.leads:,} leads ({percent_text(r.rate)}, 95% CI {percent_text(r.low)}-{percent_text(r.high)}): not reliable."
                )
    if b.grades is not None:
        used = b.grades[b.grades["leads"] > 0]
        thin = int(used["thin"].sum())
        if thin:
            w.append(
                f"{thin} of {len(used)} grade cells with leads{where} have fewer than {THIN_LEADS} leads or "
                f"{THIN_CONVERSIONS} conversions (marked *): their rates are not reliable."
            )
    return w


def _one(label, s_asc, y_asc, yb, mql, threshold, grades, grade_names, created, weeks, n_boot, seed) -> Backtest:
    """Figures of one part: ``s_asc``/``y_asc`` sorted by score; ``yb``, ``mql``, ... in lead order."""
    n = len(s_asc)
    p = int(yb.sum())
    base = p / n if n else float("nan")
    distinct, pos, neg = _groups(s_asc, y_asc, is_sorted=True)
    a = float(_auc_from_counts(pos, neg)) if n else float("nan")
    lo, hi = _auc_ci(pos, neg, n_boot, seed) if n else (float("nan"), float("nan"))
    grade_table = None
    if grades is not None and grade_names:
        grade_table = _grade_table(grades, grade_names, yb, base)
    first = last = None
    if created is not None:
        c = created[~np.isnat(created)]
        if len(c):
            first, last = pd.Timestamp(c.min()), pd.Timestamp(c.max())
    b = Backtest(
        label=label,
        n=n,
        n_converted=p,
        base_rate=base,
        auc=a,
        auc_low=lo,
        auc_high=hi,
        deciles=_deciles(s_asc, y_asc, base),
        grades=grade_table,
        gains=_gains(distinct, pos, neg),
        mql=None if mql is None else _mql_cut(mql, yb, threshold, weeks),
        first_created=first,
        last_created=last,
    )
    b.warnings = _warnings(b, n_boot)
    return b


def backtest(
    scores: np.ndarray,
    y: np.ndarray,
    *,
    mql: np.ndarray | None = None,
    threshold: float | None = None,
    grades: np.ndarray | None = None,
    grade_names: list[str] | None = None,
    created: np.ndarray | None = None,
    holdout: np.ndarray | None = None,
    n_boot: int = 200,
    seed: int = 0,
) -> Backtest:
    """Backtest figures of scores against outcomes (see :class:`Backtest`).

    mql: bool mask of leads handed to sales (e.g. ``status >= 1``); default
    ``scores >= threshold`` when a threshold is given, else no MQL figures.
    grades: int grade codes (-1: none) into ``grade_names``. created:
    datetime64 creation times (period covered, MQLs per full week as in
    :mod:`.thresholds`). holdout: bool mask; figures are then also given for
    the holdout and the tuning part (``parts``). n_boot/seed: bootstrap
    resamples for the AUC interval (0: no interval).
    """
    from leaddesigner.core.analysis.thresholds import Weeks

    s, yb = _check(scores, y)
    n = len(s)
    if mql is None and threshold is not None:
        mql = s >= threshold
    if mql is not None:
        mql = np.asarray(mql, dtype=bool)
        if len(mql) != n:
            raise ValueError(f"mql has {len(mql)} entries for {n} leads")
    if grades is not None:
        grades = np.asarray(grades)
        if len(grades) != n:
            raise ValueError(f"grades has {len(grades)} entries for {n} leads")
    if created is not None:
        created = np.asarray(created)
        if not np.issubdtype(created.dtype, np.datetime64):
            created = pd.to_datetime(pd.Series(created)).to_numpy(dtype="datetime64[ns]")
        if len(created) != n:
            raise ValueError(f"created has {len(created)} entries for {n} leads")

    order = np.argsort(s, kind="stable")  # the one sort: parts keep this order by filtering it
    s_asc, y_asc = s[order], yb[order]

    def part(label, sel):
        def take(a):
            return None if a is None else (a if sel is None else a[sel])

        weeks = Weeks.build(take(created), n if sel is None else int(sel.sum())) if created is not None else None
        if sel is None:
            sa, ya = s_asc, y_asc
        else:
            keep = sel[order]
            sa, ya = s_asc[keep], y_asc[keep]
        return _one(label, sa, ya, take(yb), take(mql), threshold, take(grades), grade_names, take(created), weeks, n_boot, seed)

    top = part("all leads", None)
    if holdout is not None:
        h = np.asarray(holdout, dtype=bool)
        if len(h) != n:
            raise ValueError(f"holdout has {len(h)} entries for {n} leads")
        top.parts = {"tuning": part("tuning", ~h), "holdout": part("holdout", h)}
        drift = _drift_warning(top.parts["tuning"], top.parts["holdout"])
        if drift:
            top.warnings.append(drift)
        for key in ("holdout", "tuning"):
            top.warnings += top.parts[key].warnings
    return top


def _drift_warning(t: Backtest, h: Backtest) -> str | None:
    """A sentence when the holdout converts at a clearly different rate than the tuning part."""
    if not (t.n and h.n and t.n_converted and h.n_converted):
        return None
    rt, rh = Rate.of(t.n_converted, t.n), Rate.of(h.n_converted, h.n)
    apart = rh.high < rt.low or rh.low > rt.high  # the 95% intervals do not overlap
    if not apart:
        return None
    if rh.rate < 0.5 * rt.rate:
        return (
            f"The holdout converted at {percent_text(rh.rate)} against {percent_text(rt.rate)} for the older leads: recent leads may not "
            "have had time to convert yet, so holdout rates, precision and recall understate (the AUC suffers less)."
        )
    if rh.rate > 1.5 * rt.rate or rh.rate < 0.67 * rt.rate:
        return (
            f"The holdout converted at {percent_text(rh.rate)} against {percent_text(rt.rate)} for the older leads: the leads or the market "
            "changed over time, so thresholds tuned on older leads may not carry over to new ones."
        )
    return None


