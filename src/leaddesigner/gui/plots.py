"""Plot views of the main window: score histogram, MQLs per week, grade grid.

Performance contract (the window calls :meth:`ScoreHistogramView.set_scores` on
every edit, with up to 1,000,000 leads):

* plot items are created once and updated with ``setData``/``setOpts``;
* histogram bin edges are fixed (:meth:`ScoreHistogramView.set_bounds`) and
  counts come from :func:`leaddesigner.core.summary.histogram` (``np.bincount``);
* the y range changes only when the peak leaves ``[0.5, 1.0]`` of the current
  top, never by autorange; Qt coalesces the repaints of several updates.

Mouse zoom/pan and the pyqtgraph context menu are off: workshop users drag the
threshold lines, not the view. Colours are colour-blind safe (Okabe-Ito blues,
vermillion for warnings) on a white background for projectors, and every text
scales with :meth:`set_font_scale`.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QSizePolicy,
    QToolTip,
    QWidget,
)

from leaddesigner.core.summary import histogram

from .plotting import (
    PALETTE,
    CountAxis,
    PlotPanel,
    ScoreAxis,
    WeekAxis,
    YRange,
    base_point_size,
    lighter,
    scaled_font,
)

if TYPE_CHECKING:  # pragma: no cover
    from leaddesigner.core.summary import WeeklyVolume

__all__ = [
    "PALETTE",
    "ScoreHistogramView",
    "WeeklyVolumeView",
    "GradeGridView",
    "base_point_size",
    "scaled_font",
]

# ------------------------------------------------------------------ histogram
class _ThresholdLine(pg.InfiniteLine):
    """A vertical threshold line that snaps to ``snap`` while the user drags it."""

    def __init__(self, *args, snap: float = 1.0, **kw):
        super().__init__(*args, **kw)
        self.snap = snap

    def set_grab_width(self, px: int) -> None:
        """Pixels either side of the line that still grab it (workshop users on touchpads)."""
        # pyqtgraph sizes the line's bounding rect (its grab area) from its largest marker
        pw = max(self.pen.widthF(), self.hoverPen.widthF()) / 2
        self._maxMarkerSize = max(float(px) - pw - 1.0, 0.0)
        self._boundingRect = None
        self.prepareGeometryChange()
        self.update()

    def setPos(self, pos):  # noqa: N802 (pyqtgraph API)
        if self.moving and self.snap:
            x = float(pos.x() if isinstance(pos, QPointF) else (pos[0] if np.ndim(pos) else pos))
            start = getattr(self, "startPosition", None)
            if start is None or x != start.x():  # a right-click cancel restores the exact start
                x = round(x / self.snap) * self.snap
            pos = [x, 0.0]
        super().setPos(pos)


class ScoreHistogramView(PlotPanel):
    """Score histogram (fixed bin edges) with draggable MQL and SQL threshold lines.

    Signals
    -------
    thresholdMoved(name, value)
        ``'mql'`` or ``'sql'``, live while the user drags (values snap to
        :attr:`snap_step`).
    thresholdDragFinished(name, before, after)
        Once when the user releases a line that moved: the window turns it into
        one undo step. Not emitted for a click that leaves the value unchanged.

    Programmatic changes (:meth:`set_thresholds`, :meth:`set_bounds`) never emit.
    """

    thresholdMoved = Signal(str, float)
    thresholdDragFinished = Signal(str, float, float)

    TOOLTIP = (
        "How many leads get each score (bars).\n"
        "Drag the MQL line (and the dashed SQL line) to change the thresholds;\n"
        "leads right of a line become MQLs / SQLs."
    )

    def __init__(self, parent: QWidget | None = None, title: str = "Score distribution"):
        super().__init__(title, ScoreAxis("bottom"), CountAxis("left"), parent)
        self.setToolTip(self.TOOLTIP)
        self._lo, self._hi, self._bins = 0.0, 100.0, 100
        self._edges = np.linspace(self._lo, self._hi, self._bins + 1)
        self._total = np.zeros(self._bins, dtype=np.int64)
        self._converted: np.ndarray | None = None
        self._score: np.ndarray | None = None
        self._conv_mask: np.ndarray | None = None
        self._yrange = YRange()
        self._programmatic = False
        self._stacked = False
        #: last value the window knows of each line (set programmatically or at a drag's end)
        self._committed: dict[str, float | None] = {"mql": 50.0, "sql": None}
        self.snap_step = 1.0

        # Items are created once; updates only call setData/setPos.
        # Stacked bars: the total in the light colour, the converted part in front from 0.
        self.total_curve = pg.PlotDataItem(
            self._edges, self._total, stepMode="center", fillLevel=0,
            pen=pg.mkPen(PALETTE["bars"], width=1), brush=pg.mkBrush(PALETTE["bars"]), antialias=False,
        )
        self.converted_curve = pg.PlotDataItem(
            self._edges, self._total, stepMode="center", fillLevel=0,
            pen=pg.mkPen(PALETTE["converted"], width=1), brush=pg.mkBrush(PALETTE["converted"]), antialias=False,
        )
        self.converted_curve.setZValue(1)
        self.converted_curve.setVisible(False)
        self.plot_item.addItem(self.total_curve)
        self.plot_item.addItem(self.converted_curve)

        self.mql_line = self._make_line("mql", "MQL {value:g}", PALETTE["mql"], Qt.PenStyle.SolidLine, 0.93)
        self.sql_line = self._make_line("sql", "SQL {value:g}", PALETTE["sql"], Qt.PenStyle.DashLine, 0.78)
        self.sql_line.setVisible(False)

        self.legend.add("bars", "Leads", "box", PALETTE["bars"])
        self.legend.add("converted", "Converted", "box", PALETTE["converted"])
        self.legend.add("not_converted", "Not converted", "box", PALETTE["not_converted"], PALETTE["bars"])
        self.legend.set_entry_visible("converted", False)
        self.legend.set_entry_visible("not_converted", False)

        self._set_axis_titles("Score", "Leads")
        self._apply_bounds()
        self._set_top(1.0)
        self.set_thresholds(50.0, None)
        self.set_font_scale(1.0)

    # -- construction helpers
    def _make_line(self, name: str, fmt: str, color: str, style, label_pos: float) -> _ThresholdLine:
        line = _ThresholdLine(
            pos=0.0, angle=90, movable=True, snap=self.snap_step,
            pen=pg.mkPen(color, width=3, style=style),
            hoverPen=pg.mkPen(color, width=6, style=style),
            label=fmt,
            labelOpts={"position": label_pos, "color": color, "fill": (255, 255, 255, 230),
                       "border": pg.mkPen(color, width=1), "movable": False},
        )
        line.set_grab_width(10)
        line.setZValue(10)
        line.setCursor(Qt.CursorShape.SizeHorCursor)
        line.setToolTip(f"{name.upper()} threshold: drag to change it")
        line.sigPositionChanged.connect(lambda _l, n=name: self._on_line_moved(n))
        line.sigPositionChangeFinished.connect(lambda _l, n=name: self._on_line_finished(n))
        self.plot_item.addItem(line)
        return line

    def _line(self, name: str) -> _ThresholdLine:
        return self.mql_line if name == "mql" else self.sql_line

    # -- public API
    def set_bounds(self, lo: float, hi: float, bins: int = 100, *, rebin: bool = True) -> None:
        """Fix the x range and the bin edges. Call only when the score range changes.

        ``rebin=False`` when :meth:`set_scores` follows at once: the scores shown
        are binned again only once (two passes over a million scores otherwise).
        """
        lo, hi = float(lo), float(hi)
        if not hi > lo:
            hi = lo + 1.0
        self._lo, self._hi, self._bins = lo, hi, max(1, int(bins))
        self._edges = self._lo + (self._hi - self._lo) / self._bins * np.arange(self._bins + 1)
        self.snap_step = 0.5 if hi - lo <= 20 else 1.0
        self.mql_line.snap = self.sql_line.snap = self.snap_step
        self._yrange = YRange()
        self._programmatic = True  # clamping the lines to new bounds is not a user edit
        try:
            self._apply_bounds()
        finally:
            self._programmatic = False
        if rebin and self._score is not None:
            self.set_scores(self._score, self._conv_mask)

    def bounds(self) -> tuple[float, float, int]:
        return self._lo, self._hi, self._bins

    def set_scores(self, score: np.ndarray, converted: np.ndarray | None = None) -> None:
        """Show the distribution of ``score``; stack converted/not converted when ``converted`` is given."""
        score = np.asarray(score)
        self._score, self._conv_mask = score, converted
        self.show_message(None if len(score) else "No leads scored yet")
        total, edges = histogram(score, self._lo, self._hi, self._bins)
        self._edges = edges
        self._total = total
        if converted is not None:
            conv = np.asarray(converted, dtype=bool)
            c, _ = histogram(score[conv], self._lo, self._hi, self._bins)
            self._converted = c
        else:
            self._converted = None
        self._refresh_items()

    def set_thresholds(self, mql: float, sql: float | None) -> None:
        """Move the lines to the model's thresholds without emitting any signal.

        A line the user is dragging right now is left alone (the hand wins; the
        drag ends with :attr:`thresholdDragFinished`).
        """
        self._programmatic = True
        try:
            for line in (self.mql_line, self.sql_line):
                line.setBounds([None, None])
            if not self.mql_line.moving:
                self.mql_line.setValue(float(mql))
                self._committed["mql"] = float(mql)
            if sql is None:
                self.sql_line.setVisible(False)
                self._committed["sql"] = None
            elif not self.sql_line.moving:
                self.sql_line.setVisible(True)
                self.sql_line.setValue(float(sql))
                self._committed["sql"] = float(sql)
            self._update_line_bounds()
        finally:
            self._programmatic = False

    def thresholds(self) -> tuple[float, float | None]:
        """The values the lines show now."""
        return float(self.mql_line.value()), (float(self.sql_line.value()) if self.sql_line.isVisible() else None)

    def shown_counts(self) -> dict[str, np.ndarray | None]:
        """What the bars show, read back from the plot items: edges, total, converted, not_converted."""
        x, total = self.total_curve.getData()
        if not self.converted_curve.isVisible():
            return {"edges": x, "total": total, "converted": None, "not_converted": None}
        _, conv = self.converted_curve.getData()
        return {"edges": x, "total": total, "converted": conv, "not_converted": total - conv}

    def y_top(self) -> float:
        return float(self.view_box.viewRange()[1][1])

    def set_font_scale(self, factor: float) -> None:
        super().set_font_scale(factor)
        s = self._font_scale
        for line in (self.mql_line, self.sql_line):
            line.label.setFont(scaled_font(s, 1.0, bold=True))
            line.set_grab_width(round(10 * s))
            line.setPen(pg.mkPen(line.pen.color(), width=max(3, round(3 * s)), style=line.pen.style()))
            line.label.updatePosition()

    # -- internals
    def _apply_bounds(self) -> None:
        self.view_box.setXRange(self._lo, self._hi, padding=0.01)
        self._update_line_bounds()

    def _set_top(self, top: float) -> None:
        self.view_box.setYRange(0, top, padding=0)

    def _refresh_items(self) -> None:
        total = self._total
        stacked = self._converted is not None
        self.total_curve.setData(self._edges, total)
        if stacked:
            self.converted_curve.setData(self._edges, self._converted)
        if stacked != self._stacked:  # switch colours and legend only when the mode changes
            self._stacked = stacked
            self.total_curve.setBrush(pg.mkBrush(PALETTE["not_converted" if stacked else "bars"]))
            self.converted_curve.setVisible(stacked)
            self.legend.set_entry_visible("bars", not stacked)
            self.legend.set_entry_visible("converted", stacked)
            self.legend.set_entry_visible("not_converted", stacked)
        if self._yrange.update(float(total.max()) if len(total) else 0.0):
            self._set_top(self._yrange.top)

    def _update_line_bounds(self) -> None:
        """The SQL line cannot go below MQL and vice versa; both stay in the score range."""
        mql = float(self.mql_line.value())
        lo, hi = min(self._lo, mql), max(self._hi, mql)
        if self.sql_line.isVisible():
            sql = float(self.sql_line.value())
            self.mql_line.setBounds([lo, max(sql, mql)])
            self.sql_line.setBounds([min(mql, sql), max(self._hi, sql)])
        else:
            self.mql_line.setBounds([lo, hi])

    def _on_line_moved(self, name: str) -> None:
        if self._programmatic:
            return
        self._programmatic = True  # bounds updates below must not re-enter
        try:
            self._update_line_bounds()
        finally:
            self._programmatic = False
        self.thresholdMoved.emit(name, float(self._line(name).value()))

    def _on_line_finished(self, name: str) -> None:
        if self._programmatic:
            return
        after = float(self._line(name).value())
        before = self._committed.get(name)
        self._committed[name] = after
        if before is None or before != after:
            self.thresholdDragFinished.emit(name, float(after if before is None else before), after)

    def _tooltip_at(self, pos: QPointF) -> str | None:
        x = pos.x()
        for line in (self.mql_line, self.sql_line):
            if line.isVisible():
                px = self.view_box.viewPixelSize()[0]
                if abs(x - line.value()) <= 10 * px:
                    return f"{'MQL' if line is self.mql_line else 'SQL'} threshold {line.value():g}: drag to change it"
        if not self._lo <= x <= self._hi or not len(self._total):
            return None
        i = min(int((x - self._lo) / (self._hi - self._lo) * self._bins), self._bins - 1)
        a, b = self._edges[i], self._edges[i + 1]
        text = f"Score {a:g} to {b:g}: {int(self._total[i]):,} leads"
        if self._converted is not None:
            c = int(self._converted[i])
            text += f"\n{c:,} converted, {int(self._total[i]) - c:,} not converted"
        return text


# ------------------------------------------------------------------ weekly volume
class WeeklyVolumeView(PlotPanel):
    """MQLs per week (bars) against SDR capacity (horizontal line).

    Weeks over capacity are vermillion; partial weeks (the export does not cover
    the whole week) are lighter with a dashed outline.
    """

    TOOLTIP = (
        "Leads created each week that are MQLs when scored (bars) against what the SDR team can work (dashed line).\n"
        "Orange-red bars: weeks over capacity. Light bars: partial weeks at the start or end of the data.\n"
        "Not the Timeline's figure: that counts MQLs on the day they cross the threshold, re-MQLs included."
    )

    def __init__(self, parent: QWidget | None = None, title: str = "MQLs by week of lead creation vs SDR capacity"):
        week_axis = WeekAxis("bottom")
        super().__init__(title, week_axis, CountAxis("left"), parent)
        self.week_axis = week_axis
        self.setToolTip(self.TOOLTIP)
        self._frame: pd.DataFrame | None = None
        self._capacity = 0.0
        self._yrange = YRange()
        self._as_of: pd.Timestamp | None = None
        self._horizon: float | None = None

        self.bars = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.8, brush=PALETTE["ok"], pen=None)
        self.bars.setVisible(False)
        self.plot_item.addItem(self.bars)
        self.capacity_line = pg.InfiniteLine(
            pos=0.0, angle=0, movable=False,
            pen=pg.mkPen(PALETTE["capacity"], width=3, style=Qt.PenStyle.DashLine),
        )  # labelled in the legend: a label on the line would cover the bars
        self.capacity_line.setZValue(5)
        self.capacity_line.setToolTip("SDR capacity: MQLs the team can work per week")
        self.plot_item.addItem(self.capacity_line)

        self.brushes = {
            (False, False): pg.mkBrush(PALETTE["ok"]),
            (True, False): pg.mkBrush(PALETTE["warning"]),
            (False, True): pg.mkBrush(lighter(PALETTE["ok"], 0.62)),
            (True, True): pg.mkBrush(lighter(PALETTE["warning"], 0.55)),
        }
        self.pens = {
            (over, part): pg.mkPen(PALETTE["warning"] if over else PALETTE["ok"], width=1.5,
                                   style=Qt.PenStyle.DashLine if part else Qt.PenStyle.SolidLine)
            for over in (False, True) for part in (False, True)
        }
        self.legend.add("mqls", "MQLs", "box", PALETTE["ok"])
        self.legend.add("over", "Over capacity", "box", PALETTE["warning"])
        self.legend.add("partial", "Partial week", "box", lighter(PALETTE["ok"], 0.62).name(), PALETTE["ok"], dashed=True)
        self.legend.add("capacity", "SDR capacity", "line", PALETTE["capacity"], dashed=True)

        self._set_axis_titles("Week starting", "MQLs")
        self.set_weekly(None)
        self.set_font_scale(1.0)

    def set_weekly(self, weekly: "WeeklyVolume | None") -> None:
        """Show ``weekly.frame`` (week_start, leads, mqls, sqls, capacity, over_capacity, partial)."""
        frame = None if weekly is None else weekly.frame
        if frame is None or len(frame) == 0:
            self._frame = None
            self.bars.setVisible(False)
            for key in self.legend.entries:
                self.legend.set_entry_visible(key, False)
            self.show_message(
                "No MQLs per week to show: the model needs a lead creation date (created_at)"
                if weekly is not None else "No leads scored yet"
            )
            return
        self.show_message(None)
        self._frame = frame
        n = len(frame)
        mqls = frame["mqls"].to_numpy(dtype=float)
        over = frame["over_capacity"].to_numpy(dtype=bool)
        partial = frame["partial"].to_numpy(dtype=bool)
        cap = float(weekly.capacity)
        self._capacity = cap
        keys = list(zip(over.tolist(), partial.tolist()))
        self.bars.setOpts(
            x=np.arange(n, dtype=float), height=mqls, width=0.8,
            brushes=[self.brushes[k] for k in keys], pens=[self.pens[k] for k in keys],
        )
        self.bars.setVisible(True)
        self.legend.set_entry_visible("mqls", True)
        self.legend.set_entry_visible("over", bool(over.any()))
        self.legend.set_entry_visible("partial", bool(partial.any()))
        self.capacity_line.setVisible(cap > 0)
        self.legend.set_entry_visible("capacity", cap > 0)
        self.legend.set_text("capacity", f"SDR capacity {cap:,.0f}/week")
        if cap > 0:
            self.capacity_line.setValue(cap)
        if list(frame["week_start"]) != self.week_axis.weeks:
            self.week_axis.set_weeks(list(pd.to_datetime(frame["week_start"])))
        xr = (-0.6, n - 0.4)
        if self.view_box.viewRange()[0] != list(xr):
            self.view_box.setXRange(*xr, padding=0)
        if self._yrange.update(max(float(mqls.max()), cap)):
            self.view_box.setYRange(0, self._yrange.top, padding=0)

    def frame(self) -> pd.DataFrame | None:
        return self._frame

    def set_moment(self, as_of: pd.Timestamp | None, horizon_days: float | None) -> None:
        """When the leads were scored (for the tooltips of weeks too young for the horizon)."""
        self._as_of = pd.Timestamp(as_of) if as_of is not None else None
        self._horizon = horizon_days

    def bar_heights(self) -> np.ndarray:
        """Heights of the bars as drawn."""
        return np.asarray(self.bars.opts["height"], dtype=float) if self.bars.isVisible() else np.zeros(0)

    def bar_brushes(self) -> list:
        return list(self.bars.opts.get("brushes") or [])

    def set_font_scale(self, factor: float) -> None:
        super().set_font_scale(factor)
        s = self._font_scale
        # big text: the header wraps to more lines (title, scoring moment, legend); the dated ticks
        # say enough, so the axis title gives its line to the bars
        big_text = s >= 1.3
        self.x_axis.showLabel(not big_text)
        if big_text:  # pyqtgraph's own height misses part of the tick labels once the title is gone
            fh = QFontMetricsF(scaled_font(s, 1.0)).height()
            self.x_axis.setHeight(math.ceil(fh + max(3, round(fh * 0.25)) + 4))
        else:
            self.x_axis.setHeight(None)
        self.capacity_line.setPen(pg.mkPen(PALETTE["capacity"], width=max(3, round(3 * s)), style=Qt.PenStyle.DashLine))

    def _tooltip_at(self, pos: QPointF) -> str | None:
        if self._frame is None:
            return None
        i = int(round(pos.x()))
        if not 0 <= i < len(self._frame) or abs(pos.x() - i) > 0.45:
            return None
        r = self._frame.iloc[i]
        ws = pd.Timestamp(r["week_start"])
        text = f"Week starting {ws:%a %d %b %Y}\n{int(r['mqls']):,} MQLs of {int(r['leads']):,} leads ({int(r['sqls']):,} SQLs)"
        if self._capacity > 0:
            text += f"\nSDR capacity {self._capacity:,.0f}"
            if bool(r["over_capacity"]):
                text += f": {int(r['mqls']) - self._capacity:,.0f} over"
        if bool(r["partial"]):
            text += "\nPartial week: the data does not cover all of it"
        h, as_of = self._horizon, self._as_of
        if h is not None and as_of is not None and ws + pd.Timedelta(days=7 + h) > as_of:
            day = as_of - pd.Timedelta(days=1) if as_of == as_of.normalize() else as_of
            text += (f"\nSome leads of this week were not {h:g} days old yet on {day:%Y-%m-%d}: "
                     "they are scored as of then, with less time to engage")
        return text


# ------------------------------------------------------------------ grade grid
#: cells with fewer leads show "n<20" instead of a conversion rate nobody should read
MIN_LEADS_FOR_RATE = 20


def _pct(rate: float) -> str:
    """``35%``, ``2.5%``: one decimal below 10%."""
    v = 100.0 * rate
    return f"{v:.1f}%" if 0 < v < 9.95 else f"{v:.0f}%"


class _Cell:
    """What one grade cell shows; computed once per :meth:`GradeGridView.set_grid`."""

    __slots__ = ("name", "row", "col", "n", "converted", "rate", "count_text", "small_text", "small_dim",
                 "fill", "text_colour", "small_colour", "tooltip", "mql")

    def __init__(self, name: str, row: int, col: int):
        self.name, self.row, self.col = name, row, col


class GradeGridView(QWidget):
    """Fit letter (rows, e.g. A..D) x engagement number (columns, e.g. 1..4) grid of lead counts.

    Cells are shaded by count. Each shows its count big and, below it (or to
    its right when the cell is wide and short), the conversion rate when
    outcomes are known (``12% conv.``; ``n<20`` for cells too small to read a
    rate from), else the share of graded leads. Cells that may become MQL are
    outlined. Clicking a cell (or Enter on the focused cell) emits
    :attr:`cellClicked` with its grade, e.g. ``"A1"``.

    Everything a cell shows is computed in :meth:`set_grid`; the cell
    geometry and fitted fonts once per size or font change; painting only
    reads them.
    """

    cellClicked = Signal(str)

    NO_GRADES = "No grades defined in this model"
    TOOLTIP = "Leads per grade: fit (rows) x engagement (columns). Click a cell to select its leads."

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._scale = 1.0
        self._counts: pd.DataFrame | None = None
        self._conversion: pd.DataFrame | None = None
        self._mql_cells: set[str] = set()
        self._cells: dict[str, _Cell] = {}
        self._hover: str | None = None
        self._focus: tuple[int, int] = (0, 0)
        self._geo: dict | None = None  # geometry and fitted fonts for the current size (None: stale)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(self.backgroundRole(), QColor(PALETTE["background"]))
        self.setPalette(pal)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip(self.TOOLTIP)

    # -- public API
    @property
    def counts(self) -> pd.DataFrame | None:
        """The lead counts on screen (fit bands x engagement bands), or None."""
        return self._counts

    def set_grid(
        self,
        counts: pd.DataFrame | None,
        conversion: pd.DataFrame | None = None,
        mql_cells: list[str] | None = None,
    ) -> None:
        """Show lead counts per grade (index = fit bands, columns = engagement bands); None: no grades.

        ``conversion`` (same shape, rates 0..1, NaN for empty cells) adds each
        cell's conversion rate.
        """
        old_shape = None if self._counts is None else self._counts.shape
        self._counts = counts if counts is not None and counts.size else None
        self._conversion = conversion if self._counts is not None else None
        self._mql_cells = set(mql_cells or [])
        self._build_cells()
        if self._counts is not None:
            r, c = self._counts.shape
            self._focus = (min(self._focus[0], r - 1), min(self._focus[1], c - 1))
        self._geo = None
        if old_shape != (None if self._counts is None else self._counts.shape):
            self.updateGeometry()
        self.update()

    def set_font_scale(self, factor: float) -> None:
        self._scale = max(0.5, float(factor))
        self._geo = None
        self.updateGeometry()
        self.update()

    def cells(self) -> list[str]:
        """Grade names, row by row (e.g. A1, A2, ..., D4)."""
        return list(self._cells)

    def cell_rect(self, name: str) -> QRectF:
        """Where the cell ``name`` is drawn (widget coordinates)."""
        return self._geometry()["rects"].get(name, QRectF()) if self._counts is not None else QRectF()

    def cell_at(self, pos: QPointF) -> str | None:
        if self._counts is None:
            return None
        for name, r in self._geometry()["rects"].items():
            if r.contains(QPointF(pos)):
                return name
        return None

    def cell_lines(self, name: str) -> list[str]:
        """The texts of a cell: the count, then the conversion rate (``12% conv.``, ``n<20``) or the share."""
        c = self._cells.get(name)
        if c is None:
            return []
        return [c.count_text] + ([c.small_text] if c.small_text else [])

    def cell_tooltip(self, name: str) -> str:
        """``A1: 20 leads, 7 converted (35%), MQL cell`` and more lines."""
        c = self._cells.get(name)
        return c.tooltip if c is not None else ""

    def shown_lines(self, name: str) -> list[str]:
        """The texts that fit the cell at its current size (the count always)."""
        c = self._cells.get(name)
        if c is None:
            return []
        return [c.count_text] + ([c.small_text] if c.small_text and self._geometry()["mode"] != "count" else [])

    def message(self) -> str | None:
        return self.NO_GRADES if self._counts is None else None

    # -- cell contents (once per set_grid)
    def _build_cells(self) -> None:
        self._cells = {}
        counts = self._counts
        if counts is None:
            return
        values = np.nan_to_num(counts.to_numpy(dtype=float))
        total = float(values.sum())
        vmax = float(values.max()) if values.size and values.max() > 0 else 1.0
        rates = None
        if self._conversion is not None:
            rates = self._conversion.reindex(index=counts.index, columns=counts.columns).to_numpy(dtype=float)
        low, high = QColor(PALETTE["grid_low"]), QColor(PALETTE["grid_high"])
        for i, f in enumerate(counts.index):
            for j, e in enumerate(counts.columns):
                name = f"{f}{e}"
                c = _Cell(name, i, j)
                n = int(values[i, j])
                c.n = n
                c.mql = name in self._mql_cells
                t = 0.0 if n <= 0 else 0.12 + 0.88 * (n / vmax) ** 0.6
                c.fill = QColor(round(low.red() + (high.red() - low.red()) * t),
                                round(low.green() + (high.green() - low.green()) * t),
                                round(low.blue() + (high.blue() - low.blue()) * t))
                dark = t > 0.45
                c.text_colour = QColor("#ffffff") if dark else QColor(PALETTE["text"])
                c.count_text = f"{n:,}"
                share = f"{100 * n / total:.1f}%" if total else "0%"
                rate = float(rates[i, j]) if rates is not None else float("nan")
                c.rate = rate
                c.converted = int(round(rate * n)) if rates is not None and n and rate == rate else None
                c.small_dim = False
                if rates is None:
                    c.small_text = share
                elif n == 0:
                    c.small_text = ""
                elif n < MIN_LEADS_FOR_RATE:
                    c.small_text = f"n<{MIN_LEADS_FOR_RATE}"
                    c.small_dim = True
                else:
                    c.small_text = f"{_pct(rate)} conv."
                if c.small_dim:
                    c.small_colour = QColor(255, 255, 255, 165) if dark else QColor("#7a7a7a")
                else:
                    c.small_colour = c.text_colour
                head = f"{name}: {n:,} lead{'' if n == 1 else 's'}"
                if c.converted is not None:
                    head += f", {c.converted:,} converted ({_pct(rate)})"
                if c.mql:
                    head += ", MQL cell"
                lines = [head, f"{share} of the graded leads"]
                if rates is not None and 0 < n < MIN_LEADS_FOR_RATE:
                    lines.append(f"Fewer than {MIN_LEADS_FOR_RATE} leads: too few to read a conversion rate from")
                lines.append("Click to select these leads")
                c.tooltip = "\n".join(lines)
                self._cells[name] = c

    # -- layout (once per size, font or grid change)
    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        s = self._scale
        return scaled_font(s, 1.0, bold=True), scaled_font(s, 1.35, bold=True), scaled_font(s, 0.85)

    def sizeHint(self) -> QSize:  # noqa: N802
        head, big, small = self._fonts()
        h = QFontMetricsF(big).height() + 2 * QFontMetricsF(small).height()
        rows, cols = (4, 4) if self._counts is None else self._counts.shape
        return QSize(round(QFontMetricsF(head).height() * 3 + cols * h * 2.2), round(QFontMetricsF(head).height() * 4 + rows * h * 1.25))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        head, big, _ = self._fonts()
        rows, cols = (4, 4) if self._counts is None else self._counts.shape
        hh = QFontMetricsF(head).height()
        return QSize(round(hh * 3 + cols * QFontMetricsF(big).horizontalAdvance("00,000")),
                     round(hh * 3 + rows * QFontMetricsF(big).height() * 1.3))

    def resizeEvent(self, ev) -> None:  # noqa: N802
        self._geo = None
        super().resizeEvent(ev)

    def _geometry(self) -> dict:
        """Cell rectangles, captions and fonts fitted to the current size (cached)."""
        if self._geo is not None:
            return self._geo
        head, big, small = self._fonts()
        fm = QFontMetricsF(head)
        pad = fm.height() * 0.4
        counts = self._counts
        rows, cols = counts.shape
        gap = max(3.0, 3.0 * self._scale)
        row_w = max(fm.horizontalAdvance(str(f)) for f in counts.index) + 2 * pad
        col_head = fm.height() + pad * 0.5
        foot = fm.height() + pad if self._mql_cells else pad
        # the "Engagement" and "Fit" captions go first when the cells would be too short for their counts
        captions = (self.height() - 2 * pad - col_head - foot - fm.height() - gap * (rows - 1)) / rows \
            >= QFontMetricsF(big).height() * 1.05
        axis_w = fm.height() + pad if captions else 0.0  # rotated "Fit" caption
        top_caption = fm.height() + pad * 0.5 if captions else 0.0  # "Engagement"
        left = pad + axis_w + row_w
        top = pad + top_caption + col_head
        grid = QRectF(left, top, self.width() - left - pad, self.height() - top - foot)
        cw = (grid.width() - gap * (cols - 1)) / cols
        ch = (grid.height() - gap * (rows - 1)) / rows
        rects = {c.name: QRectF(grid.left() + c.col * (cw + gap), grid.top() + c.row * (ch + gap), cw, ch)
                 for c in self._cells.values()}

        # the counts shrink (never grow) to fit the cells; the small line follows
        inner_w = cw - 8
        widest = max(QFontMetricsF(big).horizontalAdvance(c.count_text) for c in self._cells.values())
        if widest > inner_w > 0:
            big.setPointSizeF(max(6.0, big.pointSizeF() * inner_w / widest))
            small.setPointSizeF(min(small.pointSizeF(), max(6.0, big.pointSizeF() * 0.7)))
        fb = QFontMetricsF(big)
        if fb.height() > ch - 1 > 0:  # and to the height of very short cells (big text, small pane)
            big.setPointSizeF(max(6.0, big.pointSizeF() * (ch - 1) / fb.height()))
            small.setPointSizeF(min(small.pointSizeF(), max(6.0, big.pointSizeF() * 0.7)))
        fb, fs = QFontMetricsF(big), QFontMetricsF(small)
        widest = max(fb.horizontalAdvance(c.count_text) for c in self._cells.values())
        small_texts = [c.small_text for c in self._cells.values() if c.small_text]
        widest_small = max((fs.horizontalAdvance(t) for t in small_texts), default=0.0)
        side_gap = fs.averageCharWidth()
        nominal_small = self._fonts()[2].pointSizeF()
        room = cw - 6  # beside the count: what is left of the cell
        if not small_texts or small.pointSizeF() < 0.8 * nominal_small:  # shrunk past reading: the tooltip has it
            mode = "count"
        elif fb.height() + fs.height() <= ch - 4 and widest_small <= cw - 8:
            mode = "stacked"
        elif widest + side_gap + widest_small <= room:
            mode = "side"  # wide and short cells (a 768 px high screen)
        elif widest_small and (room - widest - side_gap) / widest_small * small.pointSizeF() >= 0.8 * nominal_small:
            small.setPointSizeF(small.pointSizeF() * (room - widest - side_gap) / widest_small * 0.98)
            mode = "side"  # with the rate a little smaller
        else:
            mode = "count"  # the tooltip still has it all
        self._geo = {"pad": pad, "grid": grid, "row_w": row_w, "axis_w": axis_w, "top_caption": top_caption,
                     "col_head": col_head, "rects": rects, "head": head, "big": big, "small": small,
                     "mode": mode, "side_gap": side_gap, "captions": captions}
        return self._geo

    # -- painting (reads the caches only)
    def paintEvent(self, ev) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(PALETTE["background"]))
        if self._counts is None:
            p.setFont(scaled_font(self._scale, 1.2))
            p.setPen(QColor(PALETTE["muted"]))
            p.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.NO_GRADES)
            p.end()
            return
        geo = self._geometry()
        g, pad, rects = geo["grid"], geo["pad"], geo["rects"]
        head, big, small, mode = geo["head"], geo["big"], geo["small"], geo["mode"]
        counts = self._counts
        center = Qt.AlignmentFlag.AlignCenter
        text_pen = QColor(PALETTE["text"])

        # captions and headers
        p.setFont(head)
        p.setPen(text_pen)
        if geo["captions"]:
            p.drawText(QRectF(g.left(), pad, g.width(), geo["top_caption"]), center, "Engagement")
            p.save()
            p.translate(pad, g.center().y())
            p.rotate(-90)
            p.drawText(QRectF(-g.height() / 2, 0, g.height(), geo["axis_w"]), center, "Fit")
            p.restore()
        first_row, first_col = counts.index[0], counts.columns[0]
        for e in counts.columns:
            r = rects[f"{first_row}{e}"]
            p.drawText(QRectF(r.left(), pad + geo["top_caption"], r.width(), geo["col_head"]), center, str(e))
        for f in counts.index:
            r = rects[f"{f}{first_col}"]
            p.drawText(QRectF(pad + geo["axis_w"], r.top(), geo["row_w"] - pad, r.height()), center, str(f))

        fm_big, fm_small = QFontMetricsF(big), QFontMetricsF(small)
        hb, hs = fm_big.height(), fm_small.height()
        focus_name = None
        if self.hasFocus():
            i, j = self._focus
            focus_name = f"{counts.index[i]}{counts.columns[j]}"
        outline_w = max(3.0, 3.5 * self._scale)
        for name, c in self._cells.items():
            r = rects[name]
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(c.fill)
            p.drawRect(r)
            show_small = mode != "count" and bool(c.small_text)
            p.setFont(big)
            p.setPen(c.text_colour)
            if not show_small:
                p.drawText(QRectF(r.left() + 2, r.top(), r.width() - 4, r.height()), center, c.count_text)
            elif mode == "stacked":
                y = r.center().y() - (hb + hs) / 2
                p.drawText(QRectF(r.left() + 2, y, r.width() - 4, hb), center, c.count_text)
                p.setFont(small)
                p.setPen(c.small_colour)
                p.drawText(QRectF(r.left() + 2, y + hb, r.width() - 4, hs), center, c.small_text)
            else:  # side by side, on one baseline, centred as a pair
                wb, ws = fm_big.horizontalAdvance(c.count_text), fm_small.horizontalAdvance(c.small_text)
                x = r.center().x() - (wb + geo["side_gap"] + ws) / 2
                base = r.center().y() + (fm_big.ascent() - fm_big.descent()) / 2
                p.drawText(QPointF(x, base), c.count_text)
                p.setFont(small)
                p.setPen(c.small_colour)
                p.drawText(QPointF(x + wb + geo["side_gap"], base), c.small_text)
            if c.mql:
                p.setPen(QPen(QColor(PALETTE["mql"]), outline_w))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(r.adjusted(outline_w / 2, outline_w / 2, -outline_w / 2, -outline_w / 2))
            if name == self._hover or name == focus_name:
                pen = QPen(text_pen, 1.5, Qt.PenStyle.DashLine if name == focus_name else Qt.PenStyle.SolidLine)
                p.setPen(pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                inset = outline_w + 2
                p.drawRect(r.adjusted(inset, inset, -inset, -inset))
        if self._mql_cells:
            p.setFont(small)
            y = g.bottom() + pad * 0.5
            key = QRectF(g.left(), y + hs * 0.15, hs * 1.2, hs * 0.7)
            p.setPen(QPen(QColor(PALETTE["mql"]), max(2.0, 2.5 * self._scale)))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(key)
            p.setPen(text_pen)
            p.drawText(QRectF(key.right() + pad, y, g.width(), hs),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "outlined: grades that can become MQL")
        p.end()

    # -- interaction
    def mouseMoveEvent(self, ev) -> None:  # noqa: N802
        name = self.cell_at(ev.position())
        if name != self._hover:
            self._hover = name
            self.setCursor(Qt.CursorShape.PointingHandCursor if name else Qt.CursorShape.ArrowCursor)
            self.update()
        super().mouseMoveEvent(ev)

    def leaveEvent(self, ev) -> None:  # noqa: N802
        if self._hover is not None:
            self._hover = None
            self.update()
        super().leaveEvent(ev)

    def mouseReleaseEvent(self, ev) -> None:  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            name = self.cell_at(ev.position())
            if name is not None:
                c = self._cells[name]
                self._focus = (c.row, c.col)
                self.update()
                self.cellClicked.emit(name)
                ev.accept()
                return
        super().mouseReleaseEvent(ev)

    def keyPressEvent(self, ev) -> None:  # noqa: N802
        if self._counts is None:
            return super().keyPressEvent(ev)
        rows, cols = self._counts.shape
        i, j = self._focus
        k = ev.key()
        moves = {Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0), Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1)}
        if k in moves:
            di, dj = moves[k]
            self._focus = (min(max(i + di, 0), rows - 1), min(max(j + dj, 0), cols - 1))
            self.update()
        elif k in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.cellClicked.emit(f"{self._counts.index[i]}{self._counts.columns[j]}")
        else:
            super().keyPressEvent(ev)

    def event(self, ev) -> bool:
        if ev.type() == QEvent.Type.ToolTip:
            name = self.cell_at(ev.position() if hasattr(ev, "position") else QPointF(ev.pos()))
            if name is None:
                QToolTip.showText(ev.globalPos(), self.toolTip() if self._counts is not None else self.NO_GRADES, self)
            else:
                QToolTip.showText(ev.globalPos(), self.cell_tooltip(name), self)
            return True
        return super().event(ev)
