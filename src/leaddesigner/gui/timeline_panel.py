"""The Timeline tab: when leads become MQLs, and whether the SDR team keeps up.

Three stacked plots share one time axis (per day or per week):

* MQLs arriving, stacked new vs re-MQL (bars), against what the team can touch (capacity, dashed);
* the backlog: MQLs waiting for a first touch at the end of each period;
* the share of each week's MQLs touched within the follow-up SLA (points), against the target.

A summary gives the totals, the median and 90th-percentile time to a first
touch and the SLA share; below it the core's suggestions (the smallest team
that meets the SLA target, and the MQL threshold at which the current team
meets it: the lowest such threshold, see :func:`~leaddesigner.core.queue.suggest_threshold`),
each with an Apply button that pushes an undoable model edit
(:class:`~leaddesigner.core.commands.SetCapacity` / :class:`~leaddesigner.core.commands.SetThreshold`).

Live updates
------------
The replay and queue simulation are pure core functions
(:func:`leaddesigner.core.queue.simulate`) that take up to a few seconds on big
data, so they run in a :class:`TimelineWorker` thread. The panel:

* listens to the document (``applied``, ``dataReset``, ``modelReset``) and
  marks itself stale; while it is hidden that is all it does (the rest of the
  app stays fast), and it recomputes when it is shown again;
* coalesces edits (a trailing :data:`DEBOUNCE_MS`, at most :data:`MAX_WAIT_MS`
  while edits keep coming) and keeps at most one computation
  running; edits during a run cancel it (at its next progress call) and
  start one more run for the newest model when it ends;
* stamps each request with a generation number and drops any result whose
  generation is not the newest (a stale result is never shown);
* keeps showing the last result, greyed with "updating..." once a run takes
  longer than :data:`GREY_AFTER_MS`, until the new one is ready.

The worker gets a deep copy of the model (taken in the GUI thread when the run
starts) and a shallow copy of the bound data (the GUI thread may change the
scoring moment of the original meanwhile); it never touches the scorer.
"""
from __future__ import annotations

import copy
import dataclasses
import math
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QDate, QEvent, QObject, QPointF, QTimer, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFontMetricsF, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core import commands as C

from .plotting import (
    PALETTE,
    CountAxis,
    FlowLayout,
    FontAwareAxis,
    lighter,
    PlotPanel,
    WeekAxis,
    YRange,
    scaled_font,
)
from .workers import ThreadWorker

__all__ = [
    "TimelinePanel",
    "TimelineRequest",
    "TimelineResult",
    "TimelineSeries",
    "TimelineWorker",
    "install",
    "compute_timeline",
]

#: edits closer together than this are merged into one recomputation
DEBOUNCE_MS = 150
#: edits that never pause for DEBOUNCE_MS still start a run this often
MAX_WAIT_MS = 1000
#: a run longer than this greys the shown result and says "updating..."
GREY_AFTER_MS = 250
#: the default period: the data's last N weeks
DEFAULT_WEEKS = 26
#: why the replay's MQL count differs from the summary strip's (users compare the two)
SUMMARY_TOOLTIP = (
    "MQLs counted on the day each lead crosses the MQL threshold, replayed day by day as production would see them\n"
    "(a lead that crosses later than the scoring moment of the summary strip counts here, not there;\n"
    "the summary strip counts each lead's status at one moment, e.g. 30 days after it was created).")

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


class Cancelled(Exception):
    """Raised inside the worker (from the core's progress callback) when a newer request exists."""


# ====================================================================== data passed around
@dataclass
class TimelineRequest:
    """One computation: the model as it was when the run started, the data, the period."""

    generation: int
    model: Any  # ScoringModel (a private deep copy)
    data: Any  # LeadData (a shallow copy)
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    suggest: bool = True


@dataclass
class TimelineResult:
    generation: int
    simulation: Any = None
    #: the core's suggestions (see :func:`compute_suggestions`), None when not computed
    suggestions: dict | None = None
    #: plot arrays per unit ("day", "week"), read from the simulation in the worker
    series: dict | None = None
    #: a sentence for the user when the timeline cannot be computed (no dates, no activity log...)
    message: str | None = None
    error: str | None = None
    seconds: float = 0.0
    suggest_seconds: float = 0.0


@dataclass
class TimelineSeries:
    """What the plots draw, per period (day or week), read from a simulation's frames."""

    unit: str  # "day" or "week"
    starts: list  # pd.Timestamp: the day, or the Monday of the week
    new: np.ndarray
    re: np.ndarray
    worked: np.ndarray
    backlog: np.ndarray
    #: touch slots of the period (0 on days off)
    capacity: np.ndarray
    #: share of the period's arrivals touched within the SLA (0..1; NaN: none decided; weekly only)
    sla_share: np.ndarray
    median_h: np.ndarray
    p90_h: np.ndarray
    #: days of the period inside the replayed period (7 for whole weeks, 1 for days)
    days: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def arriving(self) -> np.ndarray:
        return self.new + self.re

    @property
    def partial(self) -> np.ndarray:
        """Weeks cut by the period's first or last day."""
        return self.days < (7 if self.unit == "week" else 1)


# ====================================================================== core adapter
# Everything that knows the core's names lives here: the panel reads TimelineResult/TimelineSeries.
def compute_timeline(model, data, start, end, progress: Callable[[float, str], None] | None = None):
    """Replay + SDR queue for the period: :func:`leaddesigner.core.queue.simulate` (worker thread)."""
    from leaddesigner.core import queue as Q

    return Q.simulate(model, data, start, end, suggest=False, progress=progress)


def compute_suggestions(model, simulation, check: Callable[[], None] | None = None) -> dict:
    """The core's suggestions for the simulated period (worker thread).

    ``{"team": smallest number of SDRs meeting the SLA target or None,
    "threshold": lowest MQL threshold at which the current team meets it, or None}``
    (see :func:`~leaddesigner.core.queue.suggest_team` and
    :func:`~leaddesigner.core.queue.suggest_threshold`). ``check`` is called
    between the two searches (it raises :class:`Cancelled` when the result is no longer wanted).
    """
    from leaddesigner.core import queue as Q

    rep = simulation.replay
    out: dict = {"team": None, "threshold": None}
    out["team"] = Q.suggest_team(rep.arrivals, model.capacity, start=rep.start, end=rep.end)
    if check is not None:
        check()
    out["threshold"] = Q.suggest_threshold(model, rep, capacity=model.capacity)
    return out


def _has_activity_rules(model) -> bool:
    return any(r.kind == "activity" and r.enabled for r in model.rules)


def unavailable_reason(doc) -> str | None:
    """Why the timeline cannot be computed for the document's data, in one sentence (None: it can)."""
    if doc.data is None:
        if doc.loading:
            return "Loading the leads\u2026"
        return ("Load a lead file with creation dates and its activity log (Data > Load leads, then Data > "
                "Load activity log) to replay when leads become MQLs and whether the SDR team keeps up.")
    data = doc.data
    if data.created is None or not doc.model.created_at:
        return ("The timeline needs each lead's creation date: pick the date attribute that dates a lead "
                "under Definitions > Created date.")
    if not data.frame[data.created].notna().any():
        return (f"No lead has a creation date in the column \u201c{data.created}\u201d: the timeline needs "
                "them to replay when leads become MQLs.")
    if data.events is None and _has_activity_rules(doc.model):
        return ("The timeline needs the activity log (one row per event: lead id, time, type) to replay how "
                "behaviour points rise and decay day by day: Data > Load activity log.")
    return None


def series_of(simulation, unit: str) -> TimelineSeries:
    """The simulation's daily or weekly table (``Simulation.daily`` / ``.weekly``) as plot arrays."""
    frame = simulation.daily if unit == "day" else simulation.weekly
    n = 0 if frame is None else len(frame)
    if n == 0:
        z = np.zeros(0)
        return TimelineSeries(unit, [], z, z, z, z, z, z, z, z, z)
    key = "day" if unit == "day" else "week"
    nan = np.full(n, np.nan)
    return TimelineSeries(
        unit=unit,
        starts=list(pd.to_datetime(frame[key])),
        new=_num(frame, "new"),
        re=_num(frame, "re_mql"),
        worked=_num(frame, "worked"),
        backlog=_num(frame, "backlog"),
        capacity=_num(frame, "capacity"),
        sla_share=_num(frame, "sla_share", nan),
        median_h=_num(frame, "median_hours", nan),
        p90_h=_num(frame, "p90_hours", nan),
        days=_num(frame, "days", np.ones(n) if unit == "day" else np.full(n, 7.0)),
    )


def _num(frame: pd.DataFrame, name: str, default: np.ndarray | None = None) -> np.ndarray:
    if name in frame.columns:
        x = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        return x if default is not None else np.nan_to_num(x)
    return default if default is not None else np.zeros(len(frame))


# ====================================================================== worker
class TimelineWorker(ThreadWorker):
    """Runs one :class:`TimelineRequest` in its own thread (like :class:`~.workers.LoadWorker`).

    ``simulated`` carries the plots' result first, ``finished`` the same result
    with the suggestions (or an error) last; exactly one of ``finished`` or
    ``cancelled`` ends each run. Registered in :data:`workers._LIVE` while its
    thread runs, so :meth:`ModelDocument.wait_for_workers` (window close, tests)
    cancels and waits for it too.
    """

    thread_name = "LeadDesignerTimeline"
    simulated = Signal(object)  # TimelineResult without suggestions
    finished = Signal(object)  # TimelineResult
    cancelled = Signal(int)

    def __init__(self, request: TimelineRequest, parent: QObject | None = None):
        super().__init__(parent)
        self.request = request

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    # -- work (worker thread)
    def _progress(self, fraction: float = 0.0, message: str = "") -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def run(self) -> None:
        req = self.request
        t0 = time.perf_counter()
        res = TimelineResult(req.generation)
        try:
            res.simulation = compute_timeline(req.model, req.data, req.start, req.end, progress=self._progress)
            # the plot arrays too: the GUI thread only hands them to the plots
            res.series = {unit: series_of(res.simulation, unit) for unit in ("day", "week")}
            res.seconds = time.perf_counter() - t0
            self._progress()
            self.simulated.emit(dataclasses.replace(res))
            if req.suggest:
                t1 = time.perf_counter()
                res.suggestions = compute_suggestions(req.model, res.simulation, check=self._progress)
                res.suggest_seconds = time.perf_counter() - t1
        except Cancelled:
            self.cancelled.emit(req.generation)
            return
        except ValueError as e:  # the core's "cannot replay this data" sentences
            res.message = str(e)
        except MemoryError:
            res.error = "There is not enough memory to replay this period: choose a shorter period."
        except Exception as e:  # a bug: the user still gets a sentence, the details go to stderr
            traceback.print_exc()
            res.error = f"The timeline could not be computed ({type(e).__name__}: {str(e)[:200]})."
        res.seconds = res.seconds or time.perf_counter() - t0
        self.finished.emit(res)


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


class _PercentAxis(FontAwareAxis):
    _widest_label = "100%"

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802
        fm = QFontMetricsF(self._tick_font)
        fit = size / (fm.height() * 2.0) if size > 0 else 1
        major = 25.0 if fit >= 4 else 50.0
        return [(major, 0)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        return [f"{v:.0f}%" for v in values]


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

    TOOLTIP = ("MQLs arriving per period: new MQLs (dark) and recycled leads coming back (re-MQL, light), "
               "against the leads the SDR team can touch (dashed line).\n"
               "Pale bars: weeks cut by the start or end of the period.")
    MIN_LINES = 7.0

    def __init__(self, parent=None):
        super().__init__("MQLs arriving vs SDR capacity", _WholeCountAxis("left"), parent)
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
        super().__init__("Follow-up within the SLA", _PercentAxis("left"), parent, dates=True)
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
            text += f"\nFirst touch: median {_hours(w.median_h[i])}"
            if np.isfinite(w.p90_h[i]):
                text += f", 90% within {_hours(w.p90_h[i])}"
        return text


def _hours(h: float) -> str:
    """``40 min``, ``5.5 h``, ``3.2 days``."""
    if h is None or not np.isfinite(h):
        return "n/a"
    if h < 1:
        return f"{h * 60:.0f} min"
    if h < 48:
        return f"{h:.1f} h" if h < 10 else f"{h:.0f} h"
    return f"{h / 24:.1f} days"


# ====================================================================== the panel
class _Veil(QWidget):
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


class _ScrollPage(QWidget):
    """The page inside the tab's scroll area: as tall as the viewport unless its minimum needs more.

    A resizable ``QScrollArea`` makes a height-for-width page as tall as its
    *preferred* height (the plots' size hints) and scrolls; this page asks for
    its minimum height for the width instead, so it scrolls only when the
    plots' minimums (big presentation text) do not fit.
    """

    def heightForWidth(self, w: int) -> int:  # noqa: N802
        lay = self.layout()
        return lay.totalMinimumHeightForWidth(w) if lay is not None else super().heightForWidth(w)


class TimelinePanel(QWidget):
    """The Timeline tab over one :class:`~.document.ModelDocument`."""

    #: a result (or message) is shown; the argument is the generation it belongs to
    resultShown = Signal(int)

    def __init__(self, document, parent: QWidget | None = None, *, font_scale: Callable[[], float] | None = None):
        super().__init__(parent)
        self.setObjectName("timelinePanel")
        self.doc = document
        self._font_scale_of = font_scale
        self.generation = 0  # bumps on every change that makes the shown result stale
        self.shown_generation = -1
        self.dropped = 0  # stale results dropped (tests, diagnostics)
        self.result: TimelineResult | None = None
        self.series: TimelineSeries | None = None
        self.suggestions: dict | None = None
        self.last_gui_ms = 0.0  # GUI-thread time of the last result shown
        self.last_request_ms = 0.0  # GUI-thread time to start the last run (model copy)
        self._dirty = True
        self._worker: TimelineWorker | None = None
        self._pending = False
        self._first_request = 0.0
        self._unit = "week"
        self._period_user_set = False
        self._scale = 1.0

        # -- controls row: period and day/week
        self.from_date = QDateEdit(self)
        self.to_date = QDateEdit(self)
        for d, tip in ((self.from_date, "First day replayed"), (self.to_date, "Last day replayed")):
            d.setDisplayFormat("yyyy-MM-dd")
            d.setCalendarPopup(True)
            d.setKeyboardTracking(False)
            d.setToolTip(tip)
            d.dateChanged.connect(self._on_period_date_changed)
        self.last_weeks_button = QPushButton(f"Last {DEFAULT_WEEKS} weeks", self)
        self.last_weeks_button.setToolTip(f"Replay the data's last {DEFAULT_WEEKS} weeks")
        self.last_weeks_button.clicked.connect(self._on_last_weeks_clicked)
        self.day_button = QToolButton(self)
        self.day_button.setText("Per day")
        self.week_button = QToolButton(self)
        self.week_button.setText("Per week")
        self.unit_group = QButtonGroup(self)
        for b, tip in ((self.day_button, "One bar per day"), (self.week_button, "One bar per week (Monday to Sunday)")):
            b.setCheckable(True)
            b.setToolTip(tip)
            b.setAutoRaise(False)
            self.unit_group.addButton(b)
        self.week_button.setChecked(True)
        self.unit_group.buttonToggled.connect(self._on_unit_toggled)
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("timelineStatus")
        # shown on the veil over the plots: opaque, so it reads over titles and bars
        pal = self.status_label.palette()
        pal.setColor(QPalette.ColorRole.WindowText, QColor(PALETTE["text"]))
        pal.setColor(QPalette.ColorRole.Window, QColor(PALETTE["background"]))
        self.status_label.setPalette(pal)
        self.status_label.setAutoFillBackground(True)
        self.status_label.setFrameShape(QFrame.Shape.Box)
        self.status_label.setMargin(10)
        # groups that stay together; the row wraps between them at big text instead of clipping
        period = QWidget(self)
        ph = QHBoxLayout(period)
        ph.setContentsMargins(0, 0, 0, 0)
        ph.setSpacing(6)
        ph.addWidget(QLabel("From", period))
        ph.addWidget(self.from_date)
        ph.addWidget(QLabel("to", period))
        ph.addWidget(self.to_date)
        units = QWidget(self)
        uh = QHBoxLayout(units)
        uh.setContentsMargins(0, 0, 0, 0)
        uh.setSpacing(0)
        uh.addWidget(self.day_button)
        uh.addWidget(self.week_button)
        controls = FlowLayout(hspacing=10, vspacing=3)
        controls.setContentsMargins(6, 4, 6, 0)
        for w in (period, self.last_weeks_button, units):
            controls.addWidget(w)

        # -- summary line and suggestions
        self.summary_label = QLabel("", self)
        self.summary_label.setObjectName("timelineSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.setToolTip(SUMMARY_TOOLTIP)
        self.notes_label = QLabel("", self)
        self.notes_label.setObjectName("timelineNotes")
        self.notes_label.setWordWrap(True)
        self.notes_label.setContentsMargins(6, 0, 6, 0)
        self.notes_label.setVisible(False)
        pal = self.notes_label.palette()
        pal.setColor(QPalette.ColorRole.WindowText, QColor(PALETTE["muted"]))
        self.notes_label.setPalette(pal)
        self.team_label = QLabel("", self)
        self.team_apply = QPushButton("Apply", self)
        self.team_apply.setToolTip("Set the number of SDRs to the suggestion (Ctrl+Z undoes it)")
        self.team_apply.clicked.connect(self._on_team_apply_clicked)
        self.threshold_label = QLabel("", self)
        self.threshold_apply = QPushButton("Apply", self)
        self.threshold_apply.setToolTip("Set the MQL threshold to the suggestion (Ctrl+Z undoes it)")
        self.threshold_apply.clicked.connect(self._on_threshold_apply_clicked)
        # one row per suggestion: the sentence wraps, its Apply button stays at its end
        sugg = QVBoxLayout()
        sugg.setContentsMargins(6, 0, 6, 0)
        sugg.setSpacing(2)
        for label, button in ((self.team_label, self.team_apply), (self.threshold_label, self.threshold_apply)):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            row = QHBoxLayout()
            row.setSpacing(8)
            row.addWidget(label, 1)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
            sugg.addLayout(row)
        for w in (self.team_label, self.team_apply, self.threshold_label, self.threshold_apply):
            w.setVisible(False)

        # -- plots
        self.arrivals = ArrivalsView(self)
        self.backlog = BacklogView(self)
        self.sla = SlaView(self)
        self.plot_split = QSplitter(Qt.Orientation.Vertical, self)
        self.plot_split.setObjectName("timelineSplit")
        for i, (v, stretch) in enumerate(((self.arrivals, 5), (self.backlog, 3), (self.sla, 3))):
            self.plot_split.addWidget(v)
            self.plot_split.setStretchFactor(i, stretch)
            v.setMinimumWidth(220)  # heights: the views' own minimums (text lines), which grow with the font
        self.plot_split.setChildrenCollapsible(False)

        inner = _ScrollPage(self)
        cv = QVBoxLayout(inner)
        cv.setContentsMargins(0, 0, 0, 0)
        cv.setSpacing(3)
        cv.addWidget(self.summary_label)
        cv.addWidget(self.notes_label)
        cv.addLayout(sugg)
        cv.addWidget(self.plot_split, 1)
        # a translucent veil over the plots while they show a stale result (cheaper than an opacity
        # effect, which renders the three plots through an offscreen pixmap on every repaint)
        self.veil = _Veil(self.plot_split, self.status_label)
        # at presentation sizes the three plots need more than a laptop screen's height: scroll then
        self.content = content = QScrollArea(self)
        # the plots take no wheel (no zoom), but pyqtgraph swallows it: scroll the tab instead
        self._wheel_viewports = [v.plot_widget.viewport() for v in (self.arrivals, self.backlog, self.sla)]
        for vp in self._wheel_viewports:
            vp.installEventFilter(self)
        content.setWidgetResizable(True)
        content.setFrameShape(QFrame.Shape.NoFrame)
        content.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content.setWidget(inner)
        self.summary_label.setContentsMargins(6, 2, 6, 0)

        self.message_label = QLabel("", self)
        self.message_label.setObjectName("timelineMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setMargin(24)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.message_label)
        self.stack.addWidget(content)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(controls)
        lay.addWidget(self.stack, 1)
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(self.backgroundRole(), pg.mkColor(PALETTE["background"]))
        self.setPalette(pal)

        # -- timers
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._start_run)
        self._grey_timer = QTimer(self)
        self._grey_timer.setSingleShot(True)
        self._grey_timer.setInterval(GREY_AFTER_MS)
        self._grey_timer.timeout.connect(self._on_grey_timer_timeout)
        self._font_timer = QTimer(self)
        self._font_timer.setSingleShot(True)
        self._font_timer.setInterval(0)
        self._font_timer.timeout.connect(self._apply_font_scale)

        from .plotting import palette_colours

        palette_colours(self)  # plot titles keep their bold font when the window changes the text size
        document.applied.connect(self._on_document_applied)
        document.dataReset.connect(self._on_document_data_reset)
        document.modelReset.connect(self._on_document_model_reset)
        document.loadStarted.connect(self._on_document_load_started)
        document.loadFinished.connect(self._on_document_load_ended)
        document.loadFailed.connect(self._on_document_load_ended)
        document.loadCancelled.connect(self._on_document_load_ended)
        self._sync_period()
        self._show_state()

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if ev.type() == QEvent.Type.Wheel and obj in getattr(self, "_wheel_viewports", ()):
            QApplication.sendEvent(self.content.verticalScrollBar(), ev)
            return True
        return super().eventFilter(obj, ev)

    # ------------------------------------------------------------ public
    @property
    def busy(self) -> bool:
        """A run is under way or due."""
        return self._worker is not None or self._debounce.isActive() or self._pending

    @property
    def up_to_date(self) -> bool:
        """The shown result is for the current model, data and period."""
        return not self.busy and self.shown_generation == self.generation and not self._dirty

    def unit(self) -> str:
        return self._unit

    def set_unit(self, unit: str) -> None:
        """``"day"`` or ``"week"``: one bar per day or per week."""
        (self.day_button if unit == "day" else self.week_button).setChecked(True)

    def period(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """(first day, last day) replayed, from the date fields (None before data)."""
        if not self.from_date.isEnabled():
            return None, None
        return _ts(self.from_date.date()), _ts(self.to_date.date())

    def set_period(self, start, end) -> None:
        """Replay from ``start`` to ``end`` (days, inclusive)."""
        self._period_user_set = True
        self._set_dates(pd.Timestamp(start), pd.Timestamp(end))
        self.invalidate()

    def message(self) -> str | None:
        """The sentence shown instead of the plots, or None."""
        return self.message_label.text() if self.stack.currentWidget() is self.message_label else None

    def summary_text(self) -> str:
        return self.summary_label.text()

    def invalidate(self) -> None:
        """The shown result is stale: recompute (soon if the tab is visible, else when it is shown)."""
        self.generation += 1
        self._dirty = True
        # the shown suggestions are for the model before this change: never apply them to the new one
        for w in (self.team_label, self.team_apply, self.threshold_label, self.threshold_apply):
            w.setEnabled(False)  # greyed until the new suggestions come
        if self._worker is not None:
            self._worker.cancel()
        self._schedule()

    def refresh_now(self) -> None:
        """Start a run now (no debounce), e.g. from a benchmark."""
        self._debounce.stop()
        self._dirty = True
        self._start_run()

    def set_font_scale(self, factor: float) -> None:
        self._scale = max(0.5, float(factor))
        for v in (self.arrivals, self.backlog, self.sla):
            v.set_font_scale(self._scale)
        self.summary_label.setFont(scaled_font(self._scale, 1.0))
        self.message_label.setFont(scaled_font(self._scale, 1.2))
        f = scaled_font(self._scale, 1.3)
        f.setItalic(True)
        self.status_label.setFont(f)
        for w in (self.team_label, self.threshold_label, self.notes_label):
            w.setFont(scaled_font(self._scale, 0.95))
        self._align_axes()
        QTimer.singleShot(0, self, self._rebalance_plots)  # once the layouts know the new text sizes

    #: shares of the plots' height: arrivals, backlog, SLA
    PLOT_SHARES = (0.44, 0.23, 0.33)

    def _rebalance_plots(self) -> None:
        total = sum(self.plot_split.sizes())
        if total > 0:
            self.plot_split.setSizes([round(total * f) for f in self.PLOT_SHARES])

    def _align_axes(self) -> None:
        """One y-axis width for the three plots: their x axes line up, period under period."""
        views = (self.arrivals, self.backlog, self.sla)
        w = max(v.natural_y_width() for v in views)
        for v in views:
            v.set_y_width(w)

    # ------------------------------------------------------------ document -> panel
    def _on_document_applied(self, cmd) -> None:
        if cmd.scope in ("definitions",) or (cmd.scope == "meta" and getattr(cmd, "field", None) not in
                                             ("created_at", "lead_id")):
            return  # words only: the replay does not change
        self.invalidate()

    def _on_document_data_reset(self) -> None:
        self._period_user_set = False if self._data_changed() else self._period_user_set
        self._sync_period()
        self.invalidate()

    def _on_document_model_reset(self) -> None:
        self.invalidate()

    def _on_document_load_started(self, _message: str) -> None:
        self._set_status("updating\u2026" if self.result is not None else "")

    def _on_document_load_ended(self, *_args) -> None:
        self._set_status("")
        self._show_state()

    def _data_changed(self) -> bool:
        """Other lead frames than before (a re-bind after a model edit keeps the frames)."""
        d = self.doc
        key = (id(d.leads_frame), id(d.activities_frame), d.leads_path)
        changed = key != getattr(self, "_data_key", None)
        self._data_key = key
        return changed

    # ------------------------------------------------------------ period
    def _data_span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """(first day, last day) the period may cover: the first lead's creation to the end of the data."""
        doc = self.doc
        d = doc.data
        if d is None or d.created is None:
            return None
        cache = d.cache.setdefault("timeline_span", {})
        if "first" not in cache:
            created = pd.to_datetime(d.frame[d.created], errors="coerce")
            cache["first"] = created.min().normalize() if created.notna().any() else None
        first = cache["first"]
        # the last complete day of the export (the core's default end), not the chosen scoring moment
        end = doc.data_end if doc.data_end is not None else d.as_of
        if first is None or end is None:
            return None
        last = pd.Timestamp(end).normalize() - pd.Timedelta(days=1) if pd.Timestamp(end) == pd.Timestamp(end).normalize() \
            else pd.Timestamp(end).normalize()
        return first, max(first, last)

    def _default_period(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        span = self._data_span()
        if span is None:
            return None
        first, last = span
        start = max(first, last - pd.Timedelta(weeks=DEFAULT_WEEKS) + pd.Timedelta(days=1))
        return start, last

    def _sync_period(self) -> None:
        span = self._data_span()
        enabled = span is not None
        for w in (self.from_date, self.to_date, self.last_weeks_button, self.day_button, self.week_button):
            w.setEnabled(enabled)
        if not enabled:
            return
        lo, hi = span
        for d in (self.from_date, self.to_date):
            d.blockSignals(True)
            d.setDateRange(_qdate(lo), _qdate(hi))
            d.blockSignals(False)
        if not self._period_user_set:
            self._set_dates(*self._default_period())

    def _set_dates(self, start: pd.Timestamp, end: pd.Timestamp) -> None:
        for d, v in ((self.from_date, start), (self.to_date, end)):
            d.blockSignals(True)
            d.setDate(_qdate(v))
            d.blockSignals(False)

    def _on_period_date_changed(self, _d) -> None:
        start, end = self.period()
        if start is not None and end is not None and end < start:
            # keep the period non-empty: move the other end
            if self.sender() is self.from_date:
                self._set_dates(start, start)
            else:
                self._set_dates(end, end)
        self._period_user_set = True
        self.invalidate()

    def _on_last_weeks_clicked(self) -> None:
        p = self._default_period()
        if p is None:
            return
        self._period_user_set = False
        self._set_dates(*p)
        self.invalidate()

    def _on_unit_toggled(self, button, checked: bool) -> None:
        if not checked:
            return
        self._unit = "day" if button is self.day_button else "week"
        if self.result is not None and self.result.simulation is not None:
            self._show_simulation(self.result)  # both frames are in the result: no recompute

    # ------------------------------------------------------------ scheduling
    def _schedule(self) -> None:
        reason = unavailable_reason(self.doc)
        if reason is not None or self.doc.loading:
            self._debounce.stop()
            self._show_state()
            return
        if not self.isVisible():
            return  # recomputed when shown (showEvent)
        # trailing debounce: a drag of a spin box runs once when it pauses, not once per step (a run
        # started mid-drag would be cancelled anyway, and competes with the scoring for the CPU);
        # a stream of edits that never pauses still runs every MAX_WAIT_MS
        now = time.perf_counter()
        if not self._debounce.isActive():
            self._first_request = now
        if (now - self._first_request) * 1000 < MAX_WAIT_MS or not self._debounce.isActive():
            self._debounce.start()

    def showEvent(self, ev) -> None:  # noqa: N802
        super().showEvent(ev)
        if not getattr(self, "_balanced", False):
            self._balanced = True
            QTimer.singleShot(0, self, self._rebalance_plots)
        if self._dirty or self.shown_generation != self.generation:
            self._schedule()
            self._show_state()

    def changeEvent(self, ev) -> None:  # noqa: N802
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.FontChange and self._font_scale_of is not None:
            # the window sets fonts on styled labels after ours: apply the scale once it is done
            self._font_timer.start()

    def _apply_font_scale(self) -> None:
        # even at an unchanged scale (Ctrl+0 at normal size): the window sets its plain font on every label
        # with a style sheet, the plot titles among them, so ours are set again after it
        if self._font_scale_of is not None:
            self.set_font_scale(float(self._font_scale_of()))

    def _start_run(self) -> None:
        """Start a run for the newest state, or note that one is due when the current run ends."""
        if self._worker is not None:
            self._pending = True
            self._worker.cancel()
            return
        self._pending = False
        doc = self.doc
        if unavailable_reason(doc) is not None or doc.loading:
            self._show_state()
            return
        if not self.isVisible():
            return
        t0 = time.perf_counter()
        start, end = self.period()
        req = TimelineRequest(
            generation=self.generation,
            model=copy.deepcopy(doc.model),
            data=dataclasses.replace(doc.data),
            start=start,
            end=end,
        )
        w = TimelineWorker(req)
        w.simulated.connect(self._on_worker_simulated)
        w.finished.connect(self._on_worker_finished)
        w.cancelled.connect(self._on_worker_cancelled)
        self._worker = w
        self._dirty = False
        w.start()
        self.last_request_ms = (time.perf_counter() - t0) * 1000
        self._grey_timer.start()

    def _run_ended(self) -> None:
        self._worker = None
        self._grey_timer.stop()
        if self._pending or self.shown_generation != self.generation:
            self._pending = False
            if self.isVisible():
                self._dirty = True
                self._schedule()
            else:
                self._dirty = True
        if self._worker is None and not self._debounce.isActive():
            self._set_busy_look(False)

    def _on_grey_timer_timeout(self) -> None:
        if self._worker is not None and self.result is not None and self.shown_generation != self.generation:
            self._set_busy_look(True)

    def _set_busy_look(self, busy: bool) -> None:
        self._set_status("updating\u2026" if busy else "")
        self.summary_label.setEnabled(not busy)  # greyed with the plots: it is the last result's
        if busy:
            self.veil.layout().activate()
            self.veil.raise_()
        self.veil.setVisible(busy)

    def is_greyed(self) -> bool:
        """The plots show the last result, veiled, while the new one is computed."""
        return self.veil.isVisible()

    def _set_status(self, text: str) -> None:
        if self.status_label.text() != text:
            self.status_label.setText(text)

    # ------------------------------------------------------------ worker -> panel
    def _accept(self, res: TimelineResult) -> bool:
        if res.generation != self.generation:
            self.dropped += 1
            return False
        return True

    def _on_worker_simulated(self, res: TimelineResult) -> None:
        if self.sender() is not self._worker or not self._accept(res):
            return
        self._show_result(res)

    def _on_worker_finished(self, res: TimelineResult) -> None:
        if self.sender() is not self._worker:
            return
        if self._accept(res):
            shown = self.result
            if shown is not None and res.simulation is not None and shown.simulation is res.simulation:
                # the plots already show this simulation (``simulated``): add the suggestions
                t0 = time.perf_counter()
                self.result = res
                self._show_suggestions(res.suggestions)
                self.last_gui_ms += (time.perf_counter() - t0) * 1000
            else:
                self._show_result(res)
        self._run_ended()

    def _on_worker_cancelled(self, _generation: int) -> None:
        if self.sender() is not self._worker:
            return
        self._run_ended()

    # ------------------------------------------------------------ showing
    def _show_state(self) -> None:
        """The empty-state sentence when the timeline cannot be computed, else the content."""
        reason = unavailable_reason(self.doc)
        if reason is None and self.result is None:
            reason = "Replaying\u2026" if self.isVisible() else "The timeline is computed when this tab is shown."
        if reason is not None and not (self.doc.loading and self.result is not None):
            if self.message_label.text() != reason:
                self.message_label.setText(reason)
            self.stack.setCurrentWidget(self.message_label)
        else:
            self.stack.setCurrentWidget(self.content)

    def _show_result(self, res: TimelineResult) -> None:
        t0 = time.perf_counter()
        if res.message or res.error:
            self.result = None
            self.series = None
            self.message_label.setText(res.message or res.error)
            self.stack.setCurrentWidget(self.message_label)
        else:
            self.result = res
            self._show_simulation(res)
            self.stack.setCurrentWidget(self.content)
        self.shown_generation = res.generation
        if res.generation == self.generation:
            self._set_busy_look(False)  # the plots are current; the suggestions may still be coming
        self.last_gui_ms = (time.perf_counter() - t0) * 1000
        self.resultShown.emit(res.generation)

    def _show_simulation(self, res: TimelineResult) -> None:
        sim = res.simulation
        if res.series is None:
            res.series = {unit: series_of(sim, unit) for unit in ("day", "week")}
        self.series = s = res.series[self._unit]
        weekly = res.series["week"]
        summ = sim.summary or {}
        target = summ.get("sla_target")
        self.sla.set_target(None if target is None else float(target), summ.get("sla_hours"))
        self.arrivals.set_series(s)
        self.backlog.set_series(s)
        self.sla.set_series(weekly, s)
        _set_text(self.summary_label, _summary_html(summ, weekly))
        problems = list(getattr(sim.replay, "problems", None) or [])
        _set_text(self.notes_label, " ".join(problems))
        self.notes_label.setVisible(bool(problems))
        if res.suggestions is not None or self.suggestions is None:
            self._show_suggestions(res.suggestions)
        # else: the last suggestions stay (their Apply buttons off) until the new ones come, so the
        # rows above the plots change once per run, and the plots are laid out and painted once

    def _show_suggestions(self, sug: dict | None) -> None:
        self.suggestions = sug
        m = self.doc.model
        if sug is None:
            t_text, t_value = "Looking for the smallest team and the MQL threshold that meet the SLA\u2026", None
            h_text, h_value = "", None
        else:
            t_text, t_value = _team_text(sug.get("team"), m)
            h_text, h_value = _threshold_text(sug.get("threshold"), m)
        for label, button, text, value in ((self.team_label, self.team_apply, t_text, t_value),
                                           (self.threshold_label, self.threshold_apply, h_text, h_value)):
            _set_text(label, text)
            label.setVisible(bool(text))
            button.setProperty("value", value)
            button.setVisible(value is not None)
            button.setEnabled(True)
            label.setEnabled(True)

    # ------------------------------------------------------------ suggestions -> model
    def _on_team_apply_clicked(self) -> None:
        v = self.team_apply.property("value")
        if v is not None and self._push(C.SetCapacity("sdrs", int(v))):
            self._status(f"Team set to {_plural(int(v), 'SDR')} (Ctrl+Z to undo)")

    def _on_threshold_apply_clicked(self) -> None:
        v = self.threshold_apply.property("value")
        if v is not None and self._push(C.SetThreshold("mql", float(v))):
            self._status(f"MQL threshold set to {float(v):g} (Ctrl+Z to undo)")

    def _push(self, cmd) -> bool:
        """One undo step of its own (never merged with a spin-box drag before it)."""
        ok = bool(self.doc.push(cmd, mergeable=False))
        end = getattr(self.doc, "end_gesture", None)
        if end is not None:
            end()
        return ok

    def _status(self, text: str) -> None:
        w = getattr(self, "window_", None)
        if w is not None and hasattr(w, "status"):
            w.status(text)


# ====================================================================== text helpers
def _set_text(label: QLabel, text: str) -> None:
    """Change a label only when its text changes (a new text re-lays out the tab)."""
    if label.text() != text:
        label.setText(text)


def _plural(n: float, word: str) -> str:
    return f"{n:,.0f} {word}{'' if round(n) == 1 else 's'}"


def _summary_html(summ: dict, weekly: TimelineSeries) -> str:
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
        text = f"First touch: median {_hours(float(med))}"
        if p90 is not None and np.isfinite(p90):
            text += f", 90% within {_hours(float(p90))}"
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


def _team_text(value, model) -> tuple[str, int | None]:
    """(sentence, SDRs to apply or None) for :func:`~leaddesigner.core.queue.suggest_team`'s answer."""
    cap = model.capacity
    if value is None:
        return (f"No team size meets the {cap.sla_hours:g}-hour SLA: MQLs arriving after hours or before days "
                "off wait longer whatever the team.", None)
    cur, v = int(cap.sdrs), int(value)
    if v == cur:
        return f"The team of {_plural(cur, 'SDR')} is the smallest that meets the SLA.", None
    return f"Smallest team meeting the SLA: <b>{_plural(v, 'SDR')}</b> (now {cur})", v


def _threshold_text(value, model) -> tuple[str, float | None]:
    """(sentence, MQL threshold to apply or None) for :func:`~leaddesigner.core.queue.suggest_threshold`.

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


def _qdate(ts: pd.Timestamp) -> QDate:
    ts = pd.Timestamp(ts)
    return QDate(ts.year, ts.month, ts.day)


def _ts(q: QDate) -> pd.Timestamp:
    return pd.Timestamp(q.year(), q.month(), q.day())


# ====================================================================== installation
def install(window) -> TimelinePanel:
    """Add the Timeline tab to ``window.view_tabs`` and "Show timeline" to the Analysis menu."""
    panel = TimelinePanel(window.doc, window.view_tabs, font_scale=window.font_scale)
    panel.window_ = window  # status-bar messages after Apply
    i = window.view_tabs.addTab(panel, "Timeline")
    window.view_tabs.setTabToolTip(
        i, "Replay day by day: MQLs arriving (new and re-MQL) against SDR capacity, backlog, SLA attainment")
    act = QAction("&Timeline", window)
    act.setShortcut("Ctrl+T")
    act.setToolTip("MQLs arriving per day or week, the SDR backlog and follow-up within the SLA")
    act.triggered.connect(lambda: window.view_tabs.setCurrentWidget(panel))
    window.analysis_menu.addAction(act)
    window.act_timeline = act
    window.panels["timeline"] = panel
    panel.set_font_scale(window.font_scale())
    return panel
