"""Plot views of the main window: score histogram, MQLs per week (the grade grid: :mod:`~leaddesigner.gui.panels.grade_grid`).

Performance contract (the window calls :meth:`ScoreHistogramView.set_scores` on
every edit, with up to 1,000,000 leads):

* plot items are created once and updated with ``setData``/``setOpts``;
* histogram bin edges are fixed (:meth:`ScoreHistogramView.set_bounds`) and
  counts come from :func:`leaddesigner.core.scoring.summary.histogram` (``np.bincount``);
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
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (
    QWidget,
)

from leaddesigner.core.scoring.summary import histogram
from leaddesigner.gui.plotting.base import (
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
    from leaddesigner.core.scoring.summary import WeeklyVolume

__all__ = ["PALETTE", "ScoreHistogramView", "WeeklyVolumeView", "base_point_size", "scaled_font"]

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

    def __init__(self, parent: QWidget | None = None, title: str = "MQLs by week of lead creation vs SDR capacity",
                 noun: str = "MQLs", capacity_word: str = "SDR capacity"):
        week_axis = WeekAxis("bottom")
        super().__init__(title, week_axis, CountAxis("left"), parent)
        self.noun, self.capacity_word = noun, capacity_word
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
        self.capacity_line.setToolTip(f"{capacity_word}: {noun} the team can work per week")
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
        self.legend.add("mqls", noun, "box", PALETTE["ok"])
        self.legend.add("over", "Over capacity", "box", PALETTE["warning"])
        self.legend.add("partial", "Partial week", "box", lighter(PALETTE["ok"], 0.62).name(), PALETTE["ok"], dashed=True)
        self.legend.add("capacity", capacity_word, "line", PALETTE["capacity"], dashed=True)

        self._set_axis_titles("Week starting", noun)
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
                f"No {self.noun} per week to show: the model needs a lead creation date (created_at)"
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
        self.legend.set_text("capacity", f"{self.capacity_word} {cap:,.0f}/week")
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


