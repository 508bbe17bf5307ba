"""The report's charts as inline SVG drawn from numpy arrays (no scripts, no external files): score
distribution, MQLs per week against capacity, conversion by decile, cumulative gains, score at
conversion; and the text helpers they share with the report.
"""
from __future__ import annotations

import math
from html import escape
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from leaddesigner.core import formatting
from leaddesigner.core.analysis.at_conversion import ScoreDistribution
from leaddesigner.core.model import describe as D
from leaddesigner.core.model.types import ScoringModel
from leaddesigner.core.scoring.summary import histogram, score_bounds

__all__ = [
    "C_LEAD",
    "C_MQL",
    "C_SQL",
    "C_OVER",
    "C_CAP",
    "C_CONV",
    "C_GRID",
    "C_AXIS",
    "C_TEXT",
    "C_MUTED",
    "esc",
    "pct_text",
    "number_text",
    "nice_ticks",
    "Svg",
    "chart_distribution",
    "chart_weekly",
    "chart_deciles",
    "chart_gains",
    "chart_score_at",
]


# palette (colour-blind safe blues/oranges; status colours as the app's plots)
C_LEAD = "#c3cbd6"


C_MQL = "#3b78c9"


C_SQL = "#163f73"


C_OVER = "#e07b1f"


C_CAP = "#c62828"


C_CONV = "#2e7d4f"


C_GRID = "#e3e7ec"


C_AXIS = "#5b6673"


C_TEXT = "#1f2933"


C_MUTED = "#66707c"


# ---------------------------------------------------------------- helpers
def esc(x: Any) -> str:
    """Escape for text and attribute values (quotes too)."""
    return escape("" if x is None else str(x), quote=True)


def pct_text(x: float | None, digits: int = 1) -> str:
    """A share as the report shows it (``n/a`` when unknown)."""
    return formatting.pct_text(x, digits, missing="n/a")


def number_text(x: float | None, digits: int = 1) -> str:
    if x is None or not np.isfinite(x):
        return "n/a"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{digits}f}"


def nice_ticks(lo: float, hi: float, n: int = 5) -> np.ndarray:
    """About ``n`` round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of 10)."""
    if not np.isfinite(lo) or not np.isfinite(hi):
        return np.array([0.0])
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    start = math.floor(lo / step + 1e-9) * step
    stop = math.ceil(hi / step - 1e-9) * step
    return np.round(np.arange(start, stop + step / 2, step), 10)


def _tick_text(v: float, step: float, suffix: str = "") -> str:
    if abs(step) >= 1 or float(v).is_integer():
        return f"{int(round(v)):,}{suffix}"
    digits = max(0, -int(math.floor(math.log10(abs(step)))))
    return f"{v:.{digits}f}{suffix}"


# ---------------------------------------------------------------- SVG charts
class Svg:
    """A small SVG chart: plot area, linear scales, axes with ticks, bars, lines, legend."""

    def __init__(self, width: int = 900, height: int = 290, *, left: int = 66, right: int = 20, top: int = 34,
                 bottom: int = 52, title: str = "", font: int = 11):
        self.w, self.h = width, height
        self.font = font
        self.x0, self.x1 = left, width - right
        self.y0, self.y1 = height - bottom, top  # y0: bottom pixel
        self.title = title
        self.parts: list[str] = []
        self.xlo, self.xhi, self.ylo, self.yhi = 0.0, 1.0, 0.0, 1.0

    def scale(self, xlo: float, xhi: float, ylo: float, yhi: float) -> "Svg":
        self.xlo, self.xhi = float(xlo), float(xhi) if xhi > xlo else float(xlo) + 1
        self.ylo, self.yhi = float(ylo), float(yhi) if yhi > ylo else float(ylo) + 1
        return self

    def sx(self, v: float) -> float:
        return self.x0 + (v - self.xlo) / (self.xhi - self.xlo) * (self.x1 - self.x0)

    def sy(self, v: float) -> float:
        return self.y0 - (v - self.ylo) / (self.yhi - self.ylo) * (self.y0 - self.y1)

    def add(self, s: str) -> None:
        self.parts.append(s)

    def text(self, x: float, y: float, s: str, *, anchor: str = "middle", size: float | None = None, fill: str = C_AXIS,
             weight: str = "normal", rotate: float | None = None, halo: bool = False) -> None:
        tr = f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"' if rotate else ""
        size = self.font if size is None else size * self.font / 11
        hl = ' stroke="#ffffff" stroke-width="3.5" stroke-linejoin="round" paint-order="stroke"' if halo else ""
        self.add(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
            f'font-weight="{weight}"{tr}{hl}>{esc(s)}</text>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, *, stroke: str = C_AXIS, width: float = 1,
             dash: str | None = None, opacity: float = 1.0) -> None:
        d = f' stroke-dasharray="{dash}"' if dash else ""
        o = f' stroke-opacity="{opacity:g}"' if opacity != 1.0 else ""
        self.add(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" stroke-width="{width:g}"{d}{o}/>')

    def rect(self, x: float, y: float, w: float, h: float, fill: str, *, tip: str | None = None, opacity: float = 1.0,
             stroke: str | None = None) -> None:
        if w <= 0 or h <= 0:
            return
        o = f' fill-opacity="{opacity:g}"' if opacity != 1.0 else ""
        s = f' stroke="{stroke}" stroke-width="1"' if stroke else ""
        body = f"<title>{esc(tip)}</title>" if tip else ""
        if body:
            self.add(f'<rect x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}" fill="{fill}"{o}{s}>{body}</rect>')
        else:
            self.add(f'<rect x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}" fill="{fill}"{o}{s}/>')

    def polyline(self, xs: Sequence[float], ys: Sequence[float], *, stroke: str, width: float = 2, dash: str | None = None) -> None:
        pts = " ".join(f"{self.sx(x):.1f},{self.sy(y):.1f}" for x, y in zip(xs, ys))
        d = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<polyline points="{pts}" fill="none" stroke="{stroke}" stroke-width="{width:g}" stroke-linejoin="round"{d}/>')

    def circle(self, x: float, y: float, r: float, fill: str) -> None:
        self.add(f'<circle cx="{self.sx(x):.1f}" cy="{self.sy(y):.1f}" r="{r:g}" fill="{fill}" stroke="#ffffff" stroke-width="1.5"/>')

    def y_axis(self, ticks: Iterable[float], *, label: str = "", suffix: str = "", fmt=None) -> None:
        ticks = [t for t in ticks if self.ylo - 1e-9 <= t <= self.yhi + 1e-9]
        step = (ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
        for t in ticks:
            y = self.sy(t)
            self.line(self.x0, y, self.x1, y, stroke=C_GRID)
            self.text(self.x0 - 7, y + 4, fmt(t) if fmt else _tick_text(t, step, suffix), anchor="end")
        if label:
            cy = (self.y0 + self.y1) / 2
            self.text(15 * self.font / 11, cy, label, rotate=-90, fill=C_TEXT)

    def x_axis(self, ticks: Iterable[float], *, label: str = "", labels: Sequence[str] | None = None, suffix: str = "") -> None:
        ticks = list(ticks)
        self.line(self.x0, self.y0, self.x1, self.y0, stroke=C_AXIS)
        step = (ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
        for i, t in enumerate(ticks):
            if t < self.xlo - 1e-9 or t > self.xhi + 1e-9:
                continue
            x = self.sx(t)
            self.line(x, self.y0, x, self.y0 + 4, stroke=C_AXIS)
            self.text(x, self.y0 + 6 + self.font, labels[i] if labels is not None else _tick_text(t, step, suffix))
        if label:
            self.text((self.x0 + self.x1) / 2, self.h - 10, label, size=11, fill=C_TEXT)

    def legend(self, items: Sequence[tuple[str, str, str]]) -> None:
        """(label, colour, 'box' | 'line' | 'dash') in one row above the plot, right-aligned."""
        widths = [(34 if kind == "box" else 40) + 0.58 * self.font * len(lbl) for lbl, _, kind in items]
        x = self.x1 - sum(widths)
        y = self.y1 - 16
        for (lbl, col, kind), w in zip(items, widths):
            if kind == "box":
                self.add(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="12" fill="{col}" rx="2"/>')
            else:
                self.line(x, y - 3, x + 16, y - 3, stroke=col, width=2.5 if kind == "line" else 2, dash="5 3" if kind == "dash" else None)
            self.text(x + (16 if kind == "box" else 21), y + 1, lbl, anchor="start", size=11, fill=C_TEXT)
            x += w

    def heading(self, text: str) -> None:
        self.text(self.x0, self.y1 - 16, text, anchor="start", size=12, fill=C_TEXT, weight="bold")

    def render(self) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.w} {self.h}" width="{self.w}" height="{self.h}" '
            f'role="img" aria-label="{esc(self.title)}" font-family="Segoe UI, Helvetica, Arial, sans-serif">'
            f"<title>{esc(self.title)}</title>" + "".join(self.parts) + "</svg>"
        )


def chart_distribution(model: ScoringModel, score: np.ndarray, status: np.ndarray) -> str:
    """Stacked histogram of scores by status, with the MQL and SQL thresholds."""
    lo, hi = score_bounds(model, score)
    span = hi - lo
    bins = int(min(60, max(10, round(span / 2)))) if span > 0 else 10
    parts = [histogram(score[status == k], lo, hi, bins)[0] for k in range(3)]
    edges = lo + (hi - lo) / bins * np.arange(bins + 1)
    total = parts[0] + parts[1] + parts[2]
    ymax = max(1, int(total.max(initial=0)))
    # one bar far taller than the rest (everyone clipped to the score range's 0): cut it, label it
    second = np.sort(total)[-2] if len(total) > 1 else ymax
    clip = ymax > 3 * max(second, 1)
    if clip:
        ymax = int(max(second, 1) * 1.6)
    yt = nice_ticks(0, ymax, 5)
    c = Svg(title="Score distribution: number of leads per score band, by status").scale(lo, hi, 0, yt[-1])
    c.y_axis(yt, label="Leads")
    xt = nice_ticks(lo, hi, 10)
    names = ["Below MQL (lead)", "MQL", "SQL"]
    colors = [C_LEAD, C_MQL, C_SQL]
    for i in range(bins):
        x, w = c.sx(edges[i]) + 0.5, c.sx(edges[i + 1]) - c.sx(edges[i]) - 1
        base = 0
        top = float(yt[-1])
        for k in range(3):
            v = int(parts[k][i])
            if v and base < top:
                hi_v = min(base + v, top)
                c.rect(x, c.sy(hi_v), w, c.sy(base) - c.sy(hi_v), colors[k],
                       tip=f"score {edges[i]:g}-{edges[i + 1]:g}: {v:,} {names[k]}")
            base += v
        if base > top:  # the cut bar: a white break and its count
            yb = c.sy(top) + 10
            c.add(f'<path d="M{x - 2:.1f},{yb + 3:.1f} L{x + w + 2:.1f},{yb - 3:.1f} L{x + w + 2:.1f},{yb + 1:.1f} '
                  f'L{x - 2:.1f},{yb + 7:.1f} Z" fill="#ffffff"/>')
            c.text(x + w + 4, c.sy(top) + 12, f"{int(base):,} leads (bar cut)", anchor="start", size=10.5, fill=C_TEXT)
    c.x_axis(xt, label="Score")
    t = model.thresholds
    marks = [("MQL threshold " + D.number(t.mql), t.mql, C_MQL)]
    if t.sql is not None:
        marks.append(("SQL threshold " + D.number(t.sql), t.sql, C_SQL))
    for i, (lbl, v, col) in enumerate(marks):
        if lo <= v <= hi:
            x = c.sx(v)
            c.line(x, c.y0, x, c.y1, stroke=col, width=1.5, dash="6 4")
            right = x < (c.x0 + c.x1) * 0.75
            c.text(x + (5 if right else -5), c.y1 + 12 + 15 * i, lbl, anchor="start" if right else "end", size=11, fill=col, weight="bold", halo=True)
    c.legend([(names[0], C_LEAD, "box"), (names[1], C_MQL, "box"), (names[2], C_SQL, "box")])
    return c.render()


def chart_weekly(frame: pd.DataFrame, capacity: float) -> str:
    """MQLs per week of lead creation as bars against the SDR capacity line."""
    n = len(frame)
    mq = frame["mqls"].to_numpy(dtype=float)
    ymax = max(float(mq.max(initial=0)), float(capacity), 1.0) * 1.08
    yt = nice_ticks(0, ymax, 5)
    c = Svg(title="MQLs per week of lead creation against SDR capacity").scale(-0.5, n - 0.5, 0, yt[-1])
    c.y_axis(yt, label="MQLs per week")
    bw = (c.x1 - c.x0) / max(n, 1)
    for i, r in enumerate(frame.itertuples(index=False)):
        over = bool(r.over_capacity)
        partial = bool(r.partial)
        x = c.sx(i - 0.5) + bw * 0.14
        col = C_OVER if over else C_MQL
        tip = f"week of {r.week_start:%Y-%m-%d}: {int(r.mqls):,} MQLs of {int(r.leads):,} leads" + (" (over capacity)" if over else "") + (" (partial week)" if partial else "")
        c.rect(x, c.sy(r.mqls), bw * 0.72, c.sy(0) - c.sy(r.mqls), col, opacity=0.4 if partial else 1.0, tip=tip)
    # x labels: at most ~10, on a regular step
    step = max(1, int(math.ceil(n / 10)))
    idx = list(range(0, n, step))
    labels = [f"{frame['week_start'].iloc[i]:%b %d}" for i in idx]
    c.x_axis(idx, labels=labels, label="Week the leads were created (weeks start on Monday)")
    if capacity > 0:
        y = c.sy(capacity)
        c.line(c.x0, y, c.x1, y, stroke=C_CAP, width=2, dash="7 4")
    items = [("MQLs", C_MQL, "box"), ("Over capacity", C_OVER, "box")]
    if frame["partial"].any():
        items.append(("Partial week", "#9dbbe3", "box"))
    items.append((f"SDR capacity ({capacity:g}/week)", C_CAP, "dash"))
    c.legend(items)
    return c.render()


def chart_deciles(deciles: pd.DataFrame, base_rate: float) -> str:
    """Conversion rate per score band (band 1 = highest scores) with the average rate."""
    rates = deciles["rate"].to_numpy(dtype=float)
    n = len(rates)
    ymax = max(float(np.nanmax(rates)) if n else 0.0, base_rate, 0.01) * 1.12
    yt = nice_ticks(0, ymax * 100, 5) / 100
    c = Svg(height=270, title="Conversion rate by score band (band 1 = the tenth of leads with the highest scores)").scale(-0.5, n - 0.5, 0, yt[-1])
    c.y_axis(yt, label="Converted", fmt=lambda t: f"{100 * t:.0f}%" if (yt[1] - yt[0]) * 100 >= 1 else f"{100 * t:.1f}%")
    y = c.sy(base_rate)
    c.line(c.x0, y, c.x1, y, stroke=C_AXIS, width=1.5, dash="5 4")
    bw = (c.x1 - c.x0) / max(n, 1)
    for i, r in enumerate(deciles.itertuples(index=False)):
        rate = float(r.rate) if np.isfinite(r.rate) else 0.0
        x = c.sx(i - 0.5) + bw * 0.15
        c.rect(x, c.sy(rate), bw * 0.7, c.sy(0) - c.sy(rate), C_CONV,
               tip=f"band {int(r.band)} (scores {number_text(r.score_min)} to {number_text(r.score_max)}): {int(r.conversions):,} of {int(r.leads):,} converted")
        c.text(x + bw * 0.35, c.sy(rate) - 5, pct_text(rate, 0 if rate >= 0.1 else 1), size=11, fill=C_TEXT, halo=True)
    labels = [str(int(b)) for b in deciles["band"]]
    c.x_axis(list(range(n)), labels=labels, label="Score band (1 = highest scores)")
    c.legend([("Conversion rate", C_CONV, "box"), (f"All leads ({pct_text(base_rate)})", C_AXIS, "dash")])
    return c.render()


def chart_gains(lead_share: np.ndarray, conv_share: np.ndarray, mql_point: tuple[float, float] | None) -> str:
    """Share of conversions captured against share of leads handed over (cumulative gains)."""
    c = Svg(width=560, height=420, left=80, right=24, top=40, bottom=60,
            title="Share of all conversions captured against share of leads handed to sales", font=14).scale(0, 1, 0, 1)
    t = np.linspace(0, 1, 6)
    c.y_axis(t, label="Conversions captured", fmt=lambda v: f"{100 * v:.0f}%")
    c.x_axis(t, labels=[f"{100 * v:.0f}%" for v in t], label="Leads handed to sales (highest scores first)")
    c.polyline([0, 1], [0, 1], stroke=C_AXIS, width=1.2, dash="5 4")
    c.polyline(lead_share, conv_share, stroke=C_CONV, width=2.5)
    items = [("This model", C_CONV, "line"), ("Random order", C_AXIS, "dash")]
    if mql_point is not None:
        c.circle(mql_point[0], mql_point[1], 5.5, C_MQL)
        x, y = c.sx(mql_point[0]), c.sy(mql_point[1])
        right = mql_point[0] < 0.5
        c.text(x + (10 if right else -10), y - 10, f"MQLs: {pct_text(mql_point[0])} of leads, {pct_text(mql_point[1])} of conversions",
               anchor="start" if right else "end", size=12, fill=C_MQL, weight="bold", halo=True)
        items.append(("MQL handover", C_MQL, "box"))
    c.legend(items)
    return c.render()


def chart_score_at(dist: ScoreDistribution, threshold: float, lo: float, hi: float, what: str) -> str:
    """Histogram of converters' scores at the moment they converted, with the MQL threshold and the mean."""
    counts, edges = dist.binned(lo, hi)  # the bins the app's Backtest tab draws
    bins, mean = len(counts), dist.mean
    yt = nice_ticks(0, max(1, int(counts.max(initial=0))), 5)
    c = Svg(height=260, title=f"Score of each converter {what}").scale(lo, hi, 0, yt[-1])
    c.y_axis(yt, label="Converters")
    for i in range(bins):
        v = int(counts[i])
        col = C_MQL if edges[i] >= threshold else C_LEAD
        c.rect(c.sx(edges[i]) + 0.5, c.sy(v), c.sx(edges[i + 1]) - c.sx(edges[i]) - 1, c.sy(0) - c.sy(v), col,
               tip=f"score {edges[i]:g}-{edges[i + 1]:g}: {v:,} converters")
    c.x_axis(nice_ticks(lo, hi, 10), label=f"Score {what}")
    for lbl, v, col, dash, row in ((f"MQL threshold {D.number(threshold)}", threshold, C_MQL, "6 4", 0),
                                   (f"Average {mean:.1f}", mean, C_CONV, "2 3", 1)):
        if np.isfinite(v) and lo <= v <= hi:
            x = c.sx(v)
            c.line(x, c.y0, x, c.y1, stroke=col, width=2, dash=dash)
            right = x < (c.x0 + c.x1) * 0.75
            c.text(x + (5 if right else -5), c.y1 + 12 + 15 * row, lbl, anchor="start" if right else "end", size=11, fill=col, weight="bold", halo=True)
    c.legend([("At or above the MQL threshold", C_MQL, "box"), ("Below", C_LEAD, "box")])
    return c.render()
