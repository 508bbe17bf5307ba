"""The Timeline tab's plots: MQLs arriving per period against SDR capacity, the backlog, SLA attainment.

Plot panels built from :mod:`~leaddesigner.gui.plotting.base`, drawing a
:class:`~leaddesigner.core.analysis.timeline.TimelineSeries`; :mod:`~leaddesigner.gui.panels.timeline`
lays them out and feeds them.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from leaddesigner.core.analysis.timeline import TimelineSeries
from leaddesigner.gui.plotting.base import (
    PALETTE,
    CountAxis,
    PercentAxis,
    PlotPanel,
    WeekAxis,
    YRange,
    lighter,
    scaled_font,
)

__all__ = [
    "COLORS",
    "ArrivalsView",
    "BacklogView",
    "ScrollPage",
    "SlaView",
    "Veil",
    "hours_text",
    "plural",
    "summary_html",
    "team_text",
    "threshold_choice_text",
]

COLORS = {
    "new": PALETTE["converted"],  # dark blue, at the bottom of the stack
    "re": "#56B4E9",  # Okabe-Ito sky blue, stacked on top
    "capacity": PALETTE["capacity"],
    "backlog": PALETTE["warning"],
    "worked": PALETTE["muted"],
    "sla_ok": PALETTE["ok"],
    "sla_miss": PALETTE["warning"],
    "target": PALETTE["capacity"],
}


# ====================================================================== plots
class _DayAxis(WeekAxis):
    """Period index -> 'Mar 2' for days, thinned in whole weeks."""

    STEPS = (1, 2, 7, 14, 28, 56, 91, 182, 364, 728)


class _WholeCountAxis(CountAxis):
    """Counts of leads: ticks on whole numbers only, in steps of 1, 2 or 5 times a power of ten."""

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels:
            return levels
        major = levels[0][0]
        exp = 10.0 ** math.floor(math.log10(major))
        m = major / exp
        # 2.5 x 10^k is not whole below 10: 2, 5 and 10 are
        nice = next(x for x in (1.0, 2.0, 5.0, 10.0) if x >= m - 1e-9) * exp
        return [(max(1.0, nice), 0)]


class _TimelinePlot(PlotPanel):
    """A plot over the timeline's periods; x is the period index (0..n-1)."""

    #: plot-area height in lines of text below which the plot clips instead of shrinking
    MIN_LINES = 5.0

    def __init__(self, title: str, y_axis, parent=None, *, dates: bool = False):
        self._dates = dates
        self._y_width: int | None = None
        super().__init__(title, WeekAxis("bottom"), y_axis, parent)
        self._series: TimelineSeries | None = None
        self._yrange = YRange()
        self.x_axis.showLabel(False)

    def _apply_axis_fonts(self) -> None:
        super()._apply_axis_fonts()
        fh = QFontMetricsF(scaled_font(self._font_scale, 1.0)).height()
        # three plots share the tab: smaller minimums than the overview's (the splitter gives more)
        self.plot_widget.setMinimumHeight(round(fh * self.MIN_LINES))
        # the dates are read off the bottom plot; the others keep the ticks, not the labels
        self.x_axis.setStyle(showValues=self._dates)
        self.x_axis.setHeight(math.ceil(fh + max(3, round(fh * 0.25)) + 4) if self._dates else max(4, round(fh * 0.3)))
        if self._y_width is not None:
            self.y_axis.setWidth(self._y_width)

    def set_y_width(self, px: int) -> None:
        """Give the y axis this width, so the plots stacked in the tab line up."""
        self._y_width = int(px)
        self.y_axis.setWidth(self._y_width)

    def natural_y_width(self) -> int:
        """Pixels the y axis needs for its widest tick label and its title."""
        ax = self.y_axis
        fm = QFontMetricsF(ax._tick_font)
        # pyqtgraph adds the title's height to this width itself
        w = fm.horizontalAdvance("00,000") + max(3, round(fm.height() * 0.25)) + max(4, round(fm.height() * 0.3))
        return math.ceil(w) + 4

    def _set_x(self, s: TimelineSeries) -> None:
        axis = self.x_axis
        steps = _DayAxis.STEPS if s.unit == "day" else WeekAxis.STEPS
        if axis.STEPS != steps:  # same axis item, tick steps in days or weeks
            axis.STEPS = steps
            axis.picture = None
        if list(s.starts) != axis.weeks:
            axis.set_weeks(list(s.starts))
        n = max(1, len(s))
        xr = [-0.6, n - 0.4]
        if self.view_box.viewRange()[0] != xr:
            self.view_box.setXRange(*xr, padding=0)

    def _set_top(self, peak: float) -> None:
        if self._yrange.update(peak):
            self.view_box.setYRange(0, self._yrange.top, padding=0)

    def _index_at(self, pos: QPointF) -> int | None:
        s = self._series
        if s is None:
            return None
        i = int(round(pos.x()))
        if not 0 <= i < len(s) or abs(pos.x() - i) > 0.5:
            return None
        return i

    def _period_text(self, i: int) -> str:
        s = self._series
        ts = pd.Timestamp(s.starts[i])
        return f"{ts:%a %d %b %Y}" if s.unit == "day" else f"Week starting {ts:%a %d %b %Y}"

    def y_top(self) -> float | None:
        return self._yrange.top


class ArrivalsView(_TimelinePlot):
    """MQLs arriving per period, stacked new (bottom) vs re-MQL (top), against capacity (dashed).

    Per week the capacity is a step line (weeks cut by the period have fewer
    working days); per day it is a dash over each working day (none on days off).
    """

    TOOLTIP = ("MQLs arriving per period: each lead counted on the day its score crosses the MQL threshold in a "
               "day-by-day replay of its activity; new MQLs (dark) and recycled leads coming back (re-MQL, light), "
               "against the leads the SDR team can touch (dashed line).\n"
               "Pale bars: weeks cut by the start or end of the period.\n"
               "Not the Overview's figure: that counts the leads created each week that are MQLs when scored.")
    MIN_LINES = 7.0

    def __init__(self, parent=None):
        super().__init__("MQLs arriving (when they cross the threshold) vs SDR capacity", _WholeCountAxis("left"), parent)
        self.setToolTip(self.TOOLTIP)
        self.new_bars = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.8, brush=COLORS["new"], pen=None)
        self.re_bars = pg.BarGraphItem(x=[0.0], y0=[0.0], height=[0.0], width=0.8, brush=COLORS["re"], pen=None)
        for b in (self.new_bars, self.re_bars):
            b.setVisible(False)
            self.plot_item.addItem(b)
        self.brushes = {
            ("new", False): pg.mkBrush(COLORS["new"]), ("new", True): pg.mkBrush(lighter(COLORS["new"], 0.55)),
            ("re", False): pg.mkBrush(COLORS["re"]), ("re", True): pg.mkBrush(lighter(COLORS["re"], 0.55)),
        }
        # per week: one step line; per day: one dash per working day (connect pairs)
        self.capacity_steps = pg.PlotDataItem(x=[0.0, 1.0], y=[0.0], stepMode="center")
        self.capacity_days = pg.PlotDataItem(x=[0.0, 1.0], y=[0.0, 0.0], connect="pairs")
        for it in (self.capacity_steps, self.capacity_days):
            it.setZValue(5)
            it.setVisible(False)
            self.plot_item.addItem(it)
        self.legend.add("new", "New MQLs", "box", COLORS["new"])
        self.legend.add("re", "Re-MQLs", "box", COLORS["re"])
        self.legend.add("partial", "Partial week", "box", lighter(COLORS["new"], 0.55).name())
        self.legend.add("capacity", "SDR capacity", "line", COLORS["capacity"], dashed=True)
        self._set_axis_titles("", "MQLs")
        self.set_font_scale(1.0)

    def set_series(self, s: TimelineSeries | None) -> None:
        self._series = s if s is not None and len(s) else None
        if self._series is None:
            for it in (self.new_bars, self.re_bars, self.capacity_steps, self.capacity_days):
                it.setVisible(False)
            return
        n = len(s)
        x = np.arange(n, dtype=float)
        part = s.partial.tolist()
        self.new_bars.setOpts(x=x, height=s.new, width=0.8, brushes=[self.brushes["new", p] for p in part])
        self.re_bars.setOpts(x=x, y0=s.new, height=s.re, width=0.8, brushes=[self.brushes["re", p] for p in part])
        has_re = bool(s.re.any())
        self.new_bars.setVisible(True)
        self.re_bars.setVisible(has_re)
        self.legend.set_entry_visible("re", has_re)
        self.legend.set_entry_visible("partial", any(part))
        cap = np.nan_to_num(s.capacity)
        has_cap = bool(cap.max() > 0)
        day = s.unit == "day"
        self.capacity_steps.setVisible(has_cap and not day)
        self.capacity_days.setVisible(has_cap and day)
        self.legend.set_entry_visible("capacity", has_cap)
        if has_cap:
            if day:
                work = np.flatnonzero(cap > 0)
                xs = np.repeat(work.astype(float), 2) + np.tile([-0.45, 0.45], len(work))
                self.capacity_days.setData(x=xs, y=np.repeat(cap[work], 2), connect="pairs")
            else:
                self.capacity_steps.setData(x=np.arange(n + 1, dtype=float) - 0.5, y=cap, stepMode="center")
            whole = cap[(cap > 0) & ~s.partial]
            typical = float(np.mean(whole)) if len(whole) else float(cap.max())
            shown = f"{typical:,.0f}" if abs(typical - round(typical)) < 0.05 or typical >= 20 else f"{typical:.1f}"
            self.legend.set_text("capacity", f"SDR capacity {shown}/{'working day' if day else 'week'}")
        self._set_x(s)
        self._set_top(max(float(s.arriving.max()), float(cap.max())))

    def bar_heights(self) -> tuple[np.ndarray, np.ndarray]:
        """(new, re-MQL) heights as drawn."""
        if not self.new_bars.isVisible():
            return np.zeros(0), np.zeros(0)
        return (np.asarray(self.new_bars.opts["height"], dtype=float),
                np.asarray(self.re_bars.opts["height"], dtype=float))

    def capacity_values(self) -> np.ndarray:
        """The capacity drawn: per week (step line), or per working day (dashes)."""
        for it, step in ((self.capacity_steps, 1), (self.capacity_days, 2)):
            if it.isVisible() and it.yData is not None:
                return np.asarray(it.yData, dtype=float)[::step]
        return np.zeros(0)

    def set_font_scale(self, factor: float) -> None:
        super().set_font_scale(factor)
        w = max(3, round(3 * self._font_scale))
        self.capacity_steps.setPen(pg.mkPen(COLORS["capacity"], width=w, style=Qt.PenStyle.DashLine))
        self.capacity_days.setPen(pg.mkPen(COLORS["capacity"], width=w))

    def _tooltip_at(self, pos: QPointF) -> str | None:
        i = self._index_at(pos)
        if i is None:
            return None
        s = self._series
        text = (f"{self._period_text(i)}\n{int(s.arriving[i]):,} MQLs arriving: {int(s.new[i]):,} new, "
                f"{int(s.re[i]):,} re-MQL\n{int(s.worked[i]):,} touched; the team could touch {s.capacity[i]:,.0f}")
        if s.partial[i]:
            text += f"\nOnly {int(s.days[i])} of its days are in the period"
        return text


class BacklogView(_TimelinePlot):
    """MQLs waiting for a first touch at the end of each period."""

    TOOLTIP = "MQLs still waiting for a first touch at the end of each period (carried over to the next)."

    def __init__(self, parent=None):
        super().__init__("Backlog: MQLs waiting for a first touch", _WholeCountAxis("left"), parent)
        self.setToolTip(self.TOOLTIP)
        self.fill = pg.PlotDataItem(x=[0.0], y=[0.0], pen=None, fillLevel=0.0,
                                    brush=pg.mkBrush(lighter(COLORS["backlog"], 0.75)))
        self.curve = pg.PlotDataItem(x=[0.0], y=[0.0], pen=pg.mkPen(COLORS["backlog"], width=2.5))
        for it in (self.fill, self.curve):
            it.setVisible(False)
            self.plot_item.addItem(it)
        self.legend.add("backlog", "Waiting at the end of each week", "line", COLORS["backlog"])
        self._set_axis_titles("", "MQLs")
        self.set_font_scale(1.0)

    def set_series(self, s: TimelineSeries | None) -> None:
        self._series = s if s is not None and len(s) else None
        if self._series is None:
            self.fill.setVisible(False)
            self.curve.setVisible(False)
            return
        # "the period" reads as the whole From-To range: say which period each point is
        self.legend.set_text("backlog", f"Waiting at the end of each {'day' if s.unit == 'day' else 'week'}")
        x = np.arange(len(s), dtype=float)
        self.curve.setData(x=x, y=s.backlog)
        self.fill.setData(x=x, y=s.backlog)
        self.curve.setVisible(True)
        self.fill.setVisible(True)
        self._set_x(s)
        self._set_top(max(float(s.backlog.max()), 1.0))

    def backlog_values(self) -> np.ndarray:
        y = self.curve.yData if self.curve.isVisible() else None
        return np.asarray(y if y is not None else [], dtype=float)

    def set_font_scale(self, factor: float) -> None:
        super().set_font_scale(factor)
        self.curve.setPen(pg.mkPen(COLORS["backlog"], width=max(2.5, 2.5 * self._font_scale)))

    def _tooltip_at(self, pos: QPointF) -> str | None:
        i = self._index_at(pos)
        if i is None:
            return None
        s = self._series
        return f"{self._period_text(i)}\n{int(s.backlog[i]):,} MQLs waiting at the end"


class SlaView(_TimelinePlot):
    """Share of each week's MQLs touched within the SLA (a line through one point per week),
    against the target (dashed). Points below the target are vermillion; weeks with nothing
    decided yet (no MQLs, or all still inside the SLA at the period end) leave a gap."""

    TOOLTIP = ("Share of each week's MQLs that got a first touch within the follow-up SLA; "
               "orange-red points: below the target (dashed line).")

    def __init__(self, parent=None):
        super().__init__("Follow-up within the SLA", PercentAxis("left"), parent, dates=True)
        self.setToolTip(self.TOOLTIP)
        self.curve = pg.PlotDataItem(x=[0.0], y=[0.0], connect="finite", pen=pg.mkPen(PALETTE["muted"], width=1.5),
                                     symbol="o", symbolSize=8, symbolPen=None)
        self.curve.setVisible(False)
        self.plot_item.addItem(self.curve)
        self.target_line = pg.InfiniteLine(pos=90.0, angle=0, movable=False,
                                           pen=pg.mkPen(COLORS["target"], width=3, style=Qt.PenStyle.DashLine))
        self.target_line.setZValue(5)
        self.plot_item.addItem(self.target_line)
        self.brush_ok = pg.mkBrush(COLORS["sla_ok"])
        self.brush_miss = pg.mkBrush(COLORS["sla_miss"])
        self.legend.add("ok", "Met target", "box", COLORS["sla_ok"])
        self.legend.add("miss", "Below target", "box", COLORS["sla_miss"])
        self.legend.add("target", "Target 90%", "line", COLORS["target"], dashed=True)
        self._target = 0.9
        self._sla_hours: float | None = None
        self._set_axis_titles("", "SLA")
        self.view_box.setYRange(-6, 106, padding=0)  # points at 0% and 100% drawn whole
        self.set_font_scale(1.0)

    def set_target(self, target: float | None, sla_hours: float | None) -> None:
        self._target = target
        self._sla_hours = sla_hours
        self.target_line.setVisible(target is not None)
        self.legend.set_entry_visible("target", target is not None)
        if target is not None:
            self.target_line.setValue(100.0 * target)
            self.legend.set_text("target", f"Target {100 * target:.0f}%")
        if sla_hours is not None:
            self.setTitle(f"Touched within the {sla_hours:g}-hour SLA")

    def set_series(self, weekly: TimelineSeries | None, display: TimelineSeries | None = None) -> None:
        """Weekly shares; with a daily ``display`` series each week's point sits over the middle of its days."""
        display = display if display is not None else weekly
        self._series = weekly if weekly is not None and len(weekly) else None
        if self._series is None or display is None or not len(display):
            self._series = None
            self.curve.setVisible(False)
            return
        w = self._series
        if display.unit == "day":
            origin = pd.Timestamp(display.starts[0])
            first = np.array([max(0, (pd.Timestamp(t) - origin).days) for t in w.starts], dtype=float)
            x0, x1 = first - 0.5, first - 0.5 + w.days
        else:
            x0, x1 = np.arange(len(w), dtype=float) - 0.5, np.arange(len(w), dtype=float) + 0.5
        self._spans = (x0, x1)
        share = np.asarray(w.sla_share, dtype=float)
        target = self._target
        miss = np.isfinite(share) & (share < target) if target is not None else np.zeros(len(w), dtype=bool)
        self.curve.setData(x=(x0 + x1) / 2, y=100.0 * share, connect="finite",
                           symbolBrush=[self.brush_miss if m else self.brush_ok for m in miss.tolist()])
        self.curve.setVisible(True)
        self.legend.set_entry_visible("ok", bool((np.isfinite(share) & ~miss).any()))
        self.legend.set_entry_visible("miss", bool(miss.any()))
        self._set_x(display)

    def shares(self) -> np.ndarray:
        """The weekly shares drawn (0..1; NaN where nothing was decided)."""
        y = self.curve.yData if self.curve.isVisible() else None
        return np.asarray(y, dtype=float) / 100.0 if y is not None else np.zeros(0)

    def set_font_scale(self, factor: float) -> None:
        super().set_font_scale(factor)
        self.target_line.setPen(pg.mkPen(COLORS["target"], width=max(3, round(3 * self._font_scale)),
                                         style=Qt.PenStyle.DashLine))
        self.curve.setSymbolSize(max(8, round(9 * self._font_scale)))
        self.curve.setPen(pg.mkPen(PALETTE["muted"], width=max(1.5, 1.5 * self._font_scale)))

    def _tooltip_at(self, pos: QPointF) -> str | None:
        w = self._series
        if w is None:
            return None
        x0, x1 = self._spans
        hit = np.flatnonzero((x0 <= pos.x()) & (pos.x() < x1))
        if not len(hit):
            return None
        i = int(hit[0])
        ts = pd.Timestamp(w.starts[i])
        head = f"Week starting {ts:%a %d %b %Y}"
        share = w.sla_share[i]
        if not np.isfinite(share):
            return f"{head}\nNo MQLs touched or overdue yet"
        text = f"{head}\n{100 * share:.0f}% of its MQLs touched within the SLA"
        if np.isfinite(w.median_h[i]):
            text += f"\nFirst touch: median {hours_text(w.median_h[i])}"
            if np.isfinite(w.p90_h[i]):
                text += f", 90% within {hours_text(w.p90_h[i])}"
        return text


def hours_text(h: float) -> str:
    """``40 min``, ``5.5 h``, ``3.2 days``."""
    if h is None or not np.isfinite(h):
        return "n/a"
    if h < 1:
        return f"{h * 60:.0f} min"
    if h < 48:
        return f"{h:.1f} h" if h < 10 else f"{h:.0f} h"
    return f"{h / 24:.1f} days"


# ---------------------------------------------------------------- small widgets and texts of the panel
class Veil(QWidget):
    """A translucent white veil over ``target`` (the plots) while they show a stale result.

    A sibling of ``target`` that follows its geometry (a child of a splitter
    would become one of its panes); ``label`` sits in its middle.
    """

    def __init__(self, target: QWidget, label: QLabel):
        super().__init__(target.parentWidget())
        self._target = target
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setVisible(False)
        lay = QVBoxLayout(self)
        lay.addWidget(label, 0, Qt.AlignmentFlag.AlignCenter)
        target.installEventFilter(self)
        self.setGeometry(target.geometry())

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if obj is self._target and ev.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            self.setGeometry(obj.geometry())
        return super().eventFilter(obj, ev)

    def paintEvent(self, ev) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(255, 255, 255, 150))
        p.end()


class ScrollPage(QWidget):
    """The page inside the tab's scroll area: as tall as the viewport unless its minimum needs more.

    A resizable ``QScrollArea`` makes a height-for-width page as tall as its
    *preferred* height (the plots' size hints) and scrolls; this page asks for
    its minimum height for the width instead, so it scrolls only when the
    plots' minimums (big presentation text) do not fit.
    """

    def heightForWidth(self, w: int) -> int:  # noqa: N802
        lay = self.layout()
        return lay.totalMinimumHeightForWidth(w) if lay is not None else super().heightForWidth(w)


def plural(n: float, word: str) -> str:
    return f"{n:,.0f} {word}{'' if round(n) == 1 else 's'}"


def summary_html(summ: dict, weekly: TimelineSeries) -> str:
    """Two lines over the period: the flow of MQLs, then the follow-up (time to first touch, SLA share)."""
    new, re = float(summ.get("new", weekly.new.sum())), float(summ.get("re_mql", weekly.re.sum()))
    flow = f"<b>{new + re:,.0f} MQLs</b> crossed the threshold ({new:,.0f} new, {re:,.0f} re-MQL)"
    per_week, cap = summ.get("mean_arrivals_per_week"), summ.get("capacity_per_week")
    if per_week is not None and cap is not None:
        flow += f": {float(per_week):,.0f}/week vs capacity {float(cap):,.0f}"
    parts = [flow]
    if "worked" in summ:
        parts.append(f"{float(summ['worked']):,.0f} touched")
    backlog = summ.get("backlog_end", weekly.backlog[-1] if len(weekly) else 0)
    parts.append(f"{float(backlog):,.0f} left waiting")
    follow = []
    med, p90 = summ.get("median_hours"), summ.get("p90_hours")
    if med is not None and np.isfinite(med):
        text = f"First touch: median {hours_text(float(med))}"
        if p90 is not None and np.isfinite(p90):
            text += f", 90% within {hours_text(float(p90))}"
        follow.append(text)
    share, target, hours = summ.get("sla_share"), summ.get("sla_target"), summ.get("sla_hours")
    if share is not None and np.isfinite(share):
        met = summ.get("sla_met")
        met = bool(met) if met is not None else (target is None or share >= target)
        colour = PALETTE["ok"] if met else PALETTE["warning"]
        within = f"within {float(hours):g} h" if hours is not None else "within the SLA"
        tgt = f" (target {100 * float(target):.0f}%)" if target is not None else ""
        follow.append(f"<b style='color:{colour}'>{100 * float(share):.0f}% {within}</b>{tgt}")
    elif new + re == 0:
        follow.append("No MQLs to follow up in this period")
    return " \u00b7 ".join(parts) + ("<br>" + " \u00b7 ".join(follow) if follow else "")


def team_text(value, model) -> tuple[str, int | None]:
    """(sentence, SDRs to apply or None) for :func:`~leaddesigner.core.analysis.queue.suggest_team`'s answer."""
    cap = model.capacity
    if value is None:
        return (f"No team size meets the {cap.sla_hours:g}-hour SLA: MQLs arriving after hours or before days "
                "off wait longer whatever the team.", None)
    cur, v = int(cap.sdrs), int(value)
    if v == cur:
        return f"The team of {plural(cur, 'SDR')} is the smallest that meets the SLA.", None
    return f"Smallest team meeting the SLA: <b>{plural(v, 'SDR')}</b> (now {cur})", v


def threshold_choice_text(value, model) -> tuple[str, float | None]:
    """(sentence, MQL threshold to apply or None) for :func:`~leaddesigner.core.analysis.queue.suggest_threshold`.

    The core returns the lowest threshold at which the current team meets the
    SLA target: raising the threshold to it trades MQLs for follow-up in time;
    lowering to it hands the team as many MQLs as it can follow up in time.
    """
    if value is None:
        return "No MQL threshold meets the SLA with this team.", None
    cur, v = float(model.thresholds.mql), float(value)
    if math.isclose(v, cur):
        return f"MQL threshold {cur:g} is the lowest at which this team meets it.", None
    if v > cur:
        return f"Or keep the team and raise the MQL threshold to <b>{v:g}</b> (now {cur:g}).", v
    return f"The team could follow up more: MQL threshold <b>{v:g}</b> still meets the SLA (now {cur:g}).", v
