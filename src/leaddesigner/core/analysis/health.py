"""Model health over time: score drift (PSI), MQL rate, conversion by band, the sales cycle, inflation, rule drift.

The leads are grouped by the period they were created in (month, quarter or
week). For each period: how many leads, the MQL rate, the median score, the
population stability index (PSI) of its scores against the first period, and
with outcomes the conversion rate of MQLs and of the other leads and the median
days from creation to conversion (the sales cycle) per band. Flags name what
moved: a PSI over 0.1 (a shift worth a look) or 0.25 (a major one), a rule whose
share of leads matched changed by more than half (and 5 points), MQLs that
convert at half the rate they did. *Inflation*: the same leads scored as of the
end of the data against the moment the model scores them (N days after
creation): points that come only from accumulating activity, not from buying.
"""
from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leaddesigner.core.analysis.backtesting import time_dependent
from leaddesigner.core.formatting import pct_text
from leaddesigner.core.scoring.engine import Scorer, subset_data

__all__ = ["PERIODS", "Health", "PeriodHealth", "RuleDrift", "health", "psi"]

PERIODS = {"month": "M", "quarter": "Q", "week": "W-SUN"}
#: PSI at which a shift is worth a look, and a major one (the usual credit-scoring rule of thumb)
PSI_WATCH, PSI_MAJOR = 0.1, 0.25
DAY_NS = 86_400 * 10**9


def psi(expected: np.ndarray, actual: np.ndarray, bins: int = 10) -> float:
    """Population stability index of ``actual`` against ``expected``: bands at ``expected``'s deciles.

    PSI = sum over bands of (a - e) * ln(a / e), with the shares a and e floored at
    0.0001 so an empty band does not make it infinite. NaN when either is empty.
    """
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    if len(e) == 0 or len(a) == 0:
        return float("nan")
    cuts = np.unique(np.quantile(e, np.linspace(0, 1, bins + 1)[1:-1]))
    pe = np.bincount(np.searchsorted(cuts, e, side="right"), minlength=len(cuts) + 1) / len(e)
    pa = np.bincount(np.searchsorted(cuts, a, side="right"), minlength=len(cuts) + 1) / len(a)
    pe, pa = np.maximum(pe, 1e-4), np.maximum(pa, 1e-4)
    return float(np.sum((pa - pe) * np.log(pa / pe)))


@dataclass
class PeriodHealth:
    period: str  # "2026-03", "2026Q1", "2026-03-02" (week start)
    leads: int
    mqls: int
    median_score: float
    psi: float  # against the first period
    converted: int | None = None
    mql_conversion: float | None = None
    other_conversion: float | None = None
    days_to_convert_mql: float | None = None  # median days from creation to conversion, MQLs
    days_to_convert_other: float | None = None
    days_to_mql: float | None = None  # median days from creation to becoming an MQL
    days_mql_to_convert: float | None = None  # median days from becoming an MQL to conversion (the sales cycle)

    @property
    def mql_rate(self) -> float:
        return self.mqls / self.leads if self.leads else float("nan")


@dataclass
class RuleDrift:
    rule_id: str
    label: str
    first: float  # share of the first period's leads the rule gives points
    last: float
    note: str


@dataclass
class Health:
    period: str
    periods: list[PeriodHealth]
    rules: list[RuleDrift]
    flags: list[str] = field(default_factory=list)
    inflation: float | None = None  # mean points gained by scoring at the end of the data instead
    inflation_text: str = ""
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The health table and flags in plain text (``leaddesigner health``)."""
        def pct(x):
            return pct_text(x, missing="-")

        def days(x):
            return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0f}"

        head = f"{'period':<11}{'leads':>8}{'MQL rate':>10}{'median':>8}{'PSI':>7}{'to MQL':>8}"
        conv = any(p.converted is not None for p in self.periods)
        if conv:
            head += f"{'MQLs conv.':>12}{'others conv.':>14}{'days MQL':>10}{'days others':>13}{'MQL to won':>12}"
        out = [head]
        for p in self.periods:
            row = f"{p.period:<11}{p.leads:>8,}{pct(p.mql_rate):>10}{p.median_score:>8.1f}{p.psi:>7.3f}{days(p.days_to_mql):>8}"
            if conv:
                row += (f"{pct(p.mql_conversion):>12}{pct(p.other_conversion):>14}"
                        f"{days(p.days_to_convert_mql):>10}{days(p.days_to_convert_other):>13}{days(p.days_mql_to_convert):>12}")
            out.append(row)
        if self.inflation_text:
            out.append(self.inflation_text)
        out += [f"! {f}" for f in self.flags] or ["No flags: scores, MQL rate and rules are steady."]
        return out


def _periods(created: pd.Series, period: str) -> pd.Series:
    t = pd.to_datetime(created)
    if period == "week":
        return t.dt.to_period("W-SUN").dt.start_time.dt.strftime("%Y-%m-%d")
    if period == "quarter":
        return t.dt.to_period("Q").astype(str)
    return t.dt.to_period("M").astype(str)


def _median(x: np.ndarray) -> float | None:
    return float(np.median(x)) if len(x) else None


def health(sc: Scorer, outcome: np.ndarray | None = None, *, period: str = "month",
           converted_at: np.ndarray | None = None, min_leads: int = 30) -> Health:
    """Health of the model scored by ``sc`` over the creation periods of its leads (see the module docstring)."""
    import time

    t0 = time.perf_counter()
    if period not in PERIODS:
        raise ValueError(f"--period is one of {', '.join(PERIODS)}, not {period!r}")
    model, data = sc.model, sc.data
    if not model.created_at or model.created_at not in data.frame.columns:
        raise ValueError("Health over time needs the leads' creation date: the model's created_at "
                         f"({model.created_at or 'not set'}) is not a column of the data.")
    created = data.frame[model.created_at]
    ok = created.notna().to_numpy()
    if not ok.any():
        raise ValueError(f"No lead has a creation date in {model.created_at}.")
    keys = _periods(created[ok], period)
    rows = np.flatnonzero(ok)
    res = sc.result
    score, mql = res.score, res.status >= 1
    y = None if outcome is None else np.asarray(outcome, dtype=bool)
    conv_days = None
    if y is not None and converted_at is not None:
        c = np.asarray(converted_at, dtype="datetime64[ns]")
        conv_days = (c - created.to_numpy(dtype="datetime64[ns]")) / np.timedelta64(1, "D")
    mql_day = days_to_mql(sc, np.flatnonzero(mql & ok))
    # the rows of each period, grouped once (not one comparison of a million keys per period)
    codes, labels = pd.factorize(keys.to_numpy(), sort=True)
    by = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[by], np.arange(len(labels) + 1))
    rows_of = {str(lab): rows[by[bounds[i]:bounds[i + 1]]] for i, lab in enumerate(labels)}
    order = list(rows_of)
    first_rows = rows_of[order[0]]
    periods: list[PeriodHealth] = []
    for k in order:
        r = rows_of[k]
        ph = PeriodHealth(str(k), len(r), int(mql[r].sum()), float(np.median(score[r])), psi(score[first_rows], score[r]))
        ph.days_to_mql = _median(mql_day[r][mql[r]])
        if y is not None:
            yr, mr = y[r], mql[r]
            ph.converted = int(yr.sum())
            ph.mql_conversion = float(yr[mr].mean()) if mr.any() else None
            ph.other_conversion = float(yr[~mr].mean()) if (~mr).any() else None
            if conv_days is not None:
                d = conv_days[r]
                ph.days_to_convert_mql = _median(d[mr & yr & np.isfinite(d)])
                ph.days_to_convert_other = _median(d[~mr & yr & np.isfinite(d)])
                cycle = d - mql_day[r]  # conversion after becoming an MQL (a conversion before it is no MQL's cycle)
                ph.days_mql_to_convert = _median(cycle[mr & yr & np.isfinite(cycle) & (cycle >= 0)])
        periods.append(ph)
    h = Health(period, periods, [])
    full = [p for p in periods if p.leads >= min_leads]
    if len(full) >= 2:
        a, b = full[0], full[-1]
        if b.psi > PSI_MAJOR:
            h.flags.append(f"Scores shifted a lot from {a.period} to {b.period} (PSI {b.psi:.2f} > {PSI_MAJOR}).")
        elif b.psi > PSI_WATCH:
            h.flags.append(f"Scores shifted from {a.period} to {b.period} (PSI {b.psi:.2f} > {PSI_WATCH}): worth a look.")
        if a.mql_rate > 0 and abs(b.mql_rate - a.mql_rate) > max(0.5 * a.mql_rate, 0.02):
            h.flags.append(f"The MQL rate moved from {100 * a.mql_rate:.1f}% ({a.period}) to {100 * b.mql_rate:.1f}% "
                           f"({b.period}).")
        if a.mql_conversion and b.mql_conversion is not None and b.mql_conversion < 0.5 * a.mql_conversion:
            h.flags.append(f"MQLs of {b.period} converted at {100 * b.mql_conversion:.1f}% against "
                           f"{100 * a.mql_conversion:.1f}% in {a.period} (recent leads may not have had time yet).")
        ra, rb = rows_of[a.period], rows_of[b.period]
        for r in model.rules:
            if not r.enabled:
                continue
            hit = sc.rule_points(r.id) != 0
            fa, fb = float(hit[ra].mean()), float(hit[rb].mean())
            if abs(fb - fa) > 0.05 and abs(fb - fa) > 0.5 * max(fa, fb):
                note = f"'{r.label}' gave points to {100 * fa:.0f}% of the leads of {a.period} and {100 * fb:.0f}% of {b.period}."
                h.rules.append(RuleDrift(r.id, r.label, fa, fb, note))
                h.flags.append(note)
    _inflation(sc, h)
    h.seconds = time.perf_counter() - t0
    return h


def days_to_mql(sc: Scorer, rows: np.ndarray) -> np.ndarray:
    """Whole days from creation until each lead of ``rows`` first scores as an MQL (NaN for other leads).

    Every lead of ``rows`` is an MQL at its scoring moment; the day is found by halving the days between
    creation and that moment (6 rescorings of those leads for a 30-day horizon): exact when a lead's
    status only rises with time (points accumulate); with decay or windows a lead that was an MQL earlier
    and dropped below again counts from its later crossing. Day 0 is the moment of creation.
    """
    out = np.full(len(sc.data), np.nan)
    if len(rows) == 0 or sc.data.created is None:
        return out
    created = sc.data.frame[sc.data.created].to_numpy(dtype="datetime64[ns]").view(np.int64)[rows]
    moment = np.broadcast_to(np.asarray(sc.data.row_as_of_ns(), dtype=np.int64), (len(sc.data),))[rows]
    lo = np.zeros(len(rows), dtype=np.int64)
    hi = np.maximum(np.ceil((moment - created) / DAY_NS), 0).astype(np.int64)  # an MQL at ``moment``
    base = subset_data(sc.data, rows, moment)  # these leads and their events once (a million-row take costs ~0.2 s)
    while True:
        active = np.flatnonzero(lo < hi)
        if not len(active):
            break
        mid = (lo[active] + hi[active]) // 2
        at = np.minimum(created[active] + mid * DAY_NS, moment[active])
        mql = Scorer(copy.deepcopy(sc.model), subset_data(base, active, at)).result.status >= 1
        hi[active] = np.where(mql, mid, hi[active])
        lo[active] = np.where(mql, lo[active], mid + 1)
    out[rows] = hi
    return out


def _inflation(sc: Scorer, h: Health) -> None:
    """Points gained by scoring every lead at the end of the data instead of N days after its creation."""
    d = sc.data
    if d.horizon_days is None or d.moments_ns is not None or not time_dependent(sc.model):
        return  # scored at the end of the data already, or no rule changes with time: nothing to compare
    # the same cache: the event index depends on the data only (building it again costs ~3 s at a million leads)
    late = Scorer(copy.deepcopy(sc.model), dataclasses.replace(d, horizon_days=None)).result
    h.inflation = float(np.mean(late.score - sc.result.score))
    now, then = float(np.mean(sc.result.status >= 1)), float(np.mean(late.status >= 1))
    why = ("activity piles up over time; it does not make them better leads" if h.inflation > 0
           else "activity decays and leaves its windows")
    h.inflation_text = (f"Inflation: scored at the end of the data instead of {d.horizon_days:g} days after creation, "
                        f"leads score {h.inflation:+.1f} points on average and {100 * then:.1f}% would be MQLs instead "
                        f"of {100 * now:.1f}% ({why}).")
