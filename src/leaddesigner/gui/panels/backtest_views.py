"""The Backtest tab's views: decile conversion, gains curve, score at conversion, threshold suggestion rows.

Plot panels built from :mod:`~leaddesigner.gui.plotting.base`; they show what a
:class:`~leaddesigner.core.analysis.backtest.Backtest` holds and compute nothing of their
own. :mod:`~leaddesigner.gui.panels.backtest` lays them out and feeds them.
"""
from __future__ import annotations

import math
from html import escape

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.formatting import pct_text
from leaddesigner.gui.plotting.base import (
    PALETTE,
    CountAxis,
    FontAwareAxis,
    PlotPanel,
    ScoreAxis,
    ShareAxis,
    YRange,
    scaled_font,
)

__all__ = [
    "SUGGESTION_TITLES",
    "DecileConversionView",
    "GainsCurveView",
    "ReflowGrid",
    "ScoreAtConversionView",
    "SuggestionRow",
    "number_text",
    "section_title",
    "threshold_text",
]

SUGGESTION_TITLES = {
    "capacity": "Fits SDR capacity",
    "recall": "Reaches a share of converters",
    "f1": "Best balance (F1)",
    "conversion": "Average score at conversion",
}


def number_text(x: float | None, fmt: str = ".3f") -> str:
    """A number in ``fmt`` (``–`` when unknown)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return format(x, fmt)


def threshold_text(x: float) -> str:
    """A threshold as people read it: ``47.08``, ``55``."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


# ------------------------------------------------------------------ plot views
class _BandAxis(FontAwareAxis):
    """Decile numbers 1..10 under the bars."""

    _widest_label = "10"

    def tickValues(self, minVal, maxVal, size):  # noqa: N802
        lo, hi = int(math.ceil(minVal)), int(math.floor(maxVal))
        return [(1.0, [float(i) for i in range(max(lo, 1), hi + 1)])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        return [f"{int(round(v))}" for v in values]


class DecileConversionView(PlotPanel):
    """Conversion rate per score decile (1 = the highest scores), with the overall rate as a dashed line."""

    TOOLTIP = ("Leads sorted by score and cut into ten bands of equal size (1 = the top 10%).\n"
               "Each bar: the share of that band that converted. Dashed line: all leads.\n"
               "A good model has tall bars on the left falling to short bars on the right.\n"
               "Light bars: fewer than 5 conversions, too few to trust.")

    def __init__(self, parent: QWidget | None = None, title: str = "Conversion by score decile"):
        super().__init__(title, _BandAxis("bottom"), ShareAxis("left"), parent)
        self.setToolTip(self.TOOLTIP)
        self._frame: pd.DataFrame | None = None
        self._yrange = YRange()
        self.bars = pg.BarGraphItem(x=[0.0], height=[0.0], width=0.75, brush=PALETTE["ok"], pen=None)
        self.bars.setVisible(False)
        self.plot_item.addItem(self.bars)
        self.base_line = pg.InfiniteLine(pos=0.0, angle=0, movable=False,
                                         pen=pg.mkPen(PALETTE["sql"], width=2, style=Qt.PenStyle.DashLine))
        self.base_line.setZValue(5)
        self.plot_item.addItem(self.base_line)
        self.legend.add("rate", "Converted", "box", PALETTE["ok"])
        self.legend.add("base", "All leads", "line", PALETTE["sql"], dashed=True)
        self._thin_brush = pg.mkBrush(QColor(PALETTE["ok"]).lighter(170))
        self._brush = pg.mkBrush(PALETTE["ok"])
        self._set_axis_titles("Score decile (1 = top 10%)", "Converted")
        self.set_deciles(None)
        self.set_font_scale(1.0)

    def set_deciles(self, deciles: pd.DataFrame | None, base_rate: float | None = None) -> None:
        if deciles is None or not len(deciles):
            self._frame = None
            self.bars.setVisible(False)
            self.show_message("No conversions to show yet")
            return
        self.show_message(None)
        self._frame = deciles
        x = deciles["band"].to_numpy(dtype=float)
        h = np.nan_to_num(deciles["rate"].to_numpy(dtype=float))
        thin = deciles["conversions"].to_numpy() < 5
        self.bars.setOpts(x=x, height=h, width=0.75, brushes=[self._thin_brush if t else self._brush for t in thin], pens=None)
        self.bars.setVisible(True)
        base = float(base_rate or 0.0)
        self.base_line.setValue(base)
        self.legend.set_text("base", f"All leads {pct_text(base)}")
        self.view_box.setXRange(0.4, max(10, len(x)) + 0.6, padding=0)
        if self._yrange.update(max(float(h.max()) if len(h) else 0.0, base)):
            self.view_box.setYRange(0, min(1.0, self._yrange.top) if self._yrange.top <= 1.0 else self._yrange.top, padding=0)

    def frame(self) -> pd.DataFrame | None:
        return self._frame

    def bar_heights(self) -> np.ndarray:
        return np.asarray(self.bars.opts["height"], dtype=float) if self.bars.isVisible() else np.zeros(0)

    def _tooltip_at(self, pos: QPointF) -> str | None:
        f = self._frame
        if f is None:
            return None
        i = int(round(pos.x()))
        rows = f[f["band"] == i]
        if not len(rows) or abs(pos.x() - i) > 0.45:
            return None
        r = rows.iloc[0]
        text = (f"Band {i}: scores {r['score_min']:g} to {r['score_max']:g}\n"
                f"{int(r['conversions']):,} of {int(r['leads']):,} leads converted ({pct_text(r['rate'])})")
        if "lift" in r and not pd.isna(r["lift"]):
            text += f"\n{r['lift']:.1f}× the average"
        if int(r["conversions"]) < 5:
            text += "\nToo few conversions to trust this rate"
        return text


class GainsCurveView(PlotPanel):
    """Cumulative gains: share of conversions captured against share of leads handed over, best scores first."""

    TOOLTIP = ("Hand the best-scored leads to sales first: the curve shows how many of all conversions\n"
               "you capture (up) for the share of leads handed over (across).\n"
               "Dashed diagonal: random order. The dot: today's MQL threshold.")

    def __init__(self, parent: QWidget | None = None, title: str = "Conversions captured vs leads handed over"):
        super().__init__(title, ShareAxis("bottom"), ShareAxis("left"), parent)
        self.setToolTip(self.TOOLTIP)
        self._gains = None
        self.curve = pg.PlotDataItem([0, 1], [0, 1], pen=pg.mkPen(PALETTE["converted"], width=3), antialias=True)
        self.random = pg.PlotDataItem([0, 1], [0, 1], pen=pg.mkPen(PALETTE["muted"], width=1.5, style=Qt.PenStyle.DashLine))
        self.mql_point = pg.ScatterPlotItem([0.0], [0.0], size=12, brush=pg.mkBrush(PALETTE["mql"]),
                                            pen=pg.mkPen("#ffffff", width=1.5))
        self.mql_point.setZValue(10)
        # on a white backing: it stays readable where the random-order diagonal crosses it
        self.mql_label = pg.TextItem("", color=PALETTE["mql"], anchor=(0, 0.5), fill=pg.mkBrush(255, 255, 255, 215))
        self.mql_label.setZValue(10)
        self._mql_xy: tuple[float, float] | None = None
        self._mql_text = ""
        for it in (self.random, self.curve, self.mql_point, self.mql_label):
            self.plot_item.addItem(it)
        self.legend.add("model", "This model", "line", PALETTE["converted"])
        self.legend.add("random", "Random order", "line", PALETTE["muted"], dashed=True)
        self.legend.add("mql", "MQL threshold", "box", PALETTE["mql"])
        self.view_box.setXRange(0, 1, padding=0.02)
        self.view_box.setYRange(0, 1, padding=0.02)
        self._set_axis_titles("Leads handed over", "Conversions captured")
        self.view_box.sigResized.connect(self._place_mql_label)
        self.set_gains(None)
        self.set_font_scale(1.0)

    def set_gains(self, gains, mql_lead_share: float | None = None, mql_conv_share: float | None = None) -> None:
        self._gains = gains
        if gains is None or not len(gains.lead_share):
            self.curve.setVisible(False)
            self.mql_point.setVisible(False)
            self.mql_label.setVisible(False)
            self.show_message("No conversions to show yet")
            return
        self.show_message(None)
        self.curve.setData(np.asarray(gains.lead_share, float), np.asarray(gains.conversion_share, float))
        self.curve.setVisible(True)
        ok = mql_lead_share is not None and mql_conv_share is not None and not math.isnan(mql_conv_share)
        self.mql_point.setVisible(ok)
        self.mql_label.setVisible(ok)
        self.legend.set_entry_visible("mql", ok)
        self._mql_xy = (float(mql_lead_share), float(mql_conv_share)) if ok else None
        if ok:
            self.mql_point.setData([mql_lead_share], [mql_conv_share])
            self._mql_text = f"MQLs: {pct_text(mql_lead_share, 0)} of leads, {pct_text(mql_conv_share, 0)} of conversions"
            self.mql_label.setText(self._mql_text)
            self._place_mql_label()

    def _place_mql_label(self, *_args) -> None:
        """Put the MQL label beside its point, inside the plot area (in pixels: the text does not scale with the view).

        Right of the point (left when it would stick out), vertically centred on it but never
        below the x axis or above the top: at big text and a low point it used to cover the axis.
        """
        if self._mql_xy is None:
            return
        x, y = self._mql_xy
        (x0, x1), (y0, y1) = self.view_box.viewRange()
        try:
            px, py = self.view_box.viewPixelSize()
        except Exception:  # noqa: BLE001 - not laid out yet (zero size): placed again on resize
            px = py = float("nan")
        if self.mql_label.toPlainText() != self._mql_text:  # one line whenever it fits
            self.mql_label.setText(self._mql_text)
        br = self.mql_label.boundingRect()
        if not (np.isfinite(px) and np.isfinite(py)) or px <= 0 or py <= 0:
            px, py = (x1 - x0) / 300.0, (y1 - y0) / 200.0
        w, h, gap = br.width() * px, br.height() * py, 10 * px
        if x + gap + w > x1 and x - gap - w < x0:
            # too wide beside the point on either side (narrow plot, big text): two lines
            two = self._mql_text.replace(", ", "\n", 1)
            if self.mql_label.toPlainText() != two:
                self.mql_label.setText(two)
            br = self.mql_label.boundingRect()
            w, h = br.width() * px, br.height() * py
        if x + gap + w <= x1 or x - gap - w < x0:
            lx = min(x + gap, x1 - w)  # right of the point; never past the right edge
        else:
            lx = x - gap - w
        lx = max(x0, lx)
        ly = min(max(y, y0 + h / 2), y1 - h / 2) if y1 - y0 > h else (y0 + y1) / 2
        self.mql_label.setAnchor((0.0, 0.5))
        self.mql_label.setPos(lx, ly)

    def mql_label_rect(self):
        """The MQL label's rectangle in data coordinates (tests: it must lie inside the plot area)."""
        return self.mql_label.mapRectToView(self.mql_label.boundingRect())

    def set_font_scale(self, factor: float) -> None:
        super().set_font_scale(factor)
        self.mql_label.setFont(scaled_font(self._font_scale, 0.95, bold=True))
        self._place_mql_label()

    def _tooltip_at(self, pos: QPointF) -> str | None:
        g = self._gains
        if g is None or not len(g.lead_share):
            return None
        x = float(pos.x())
        i = int(np.clip(np.searchsorted(np.asarray(g.lead_share), x), 0, len(g.lead_share) - 1))
        ls, cs = float(g.lead_share[i]), float(g.conversion_share[i])
        th = float(g.thresholds[i])
        lift = f" ({cs / ls:.1f}× random)" if ls > 0 else ""
        cut = f"Leads scoring {th:g} or more: " if np.isfinite(th) else ""
        return f"{cut}{pct_text(ls)} of leads hold {pct_text(cs)} of conversions{lift}"


class ScoreAtConversionView(PlotPanel):
    """Distribution of converters' scores on the day they converted, with their average and the MQL line."""

    TOOLTIP = ("Each converted lead's score as of the day it converted (from the conversion-date column).\n"
               "Solid line: their average (the 'average qualification score'). Purple: today's MQL threshold.")

    def __init__(self, parent: QWidget | None = None, title: str = "Score at conversion"):
        super().__init__(title, ScoreAxis("bottom"), CountAxis("left"), parent)
        self.setToolTip(self.TOOLTIP)
        self._yrange = YRange()
        self._edges = np.linspace(0, 100, 41)
        self._counts = np.zeros(40)
        self.curve = pg.PlotDataItem(self._edges, self._counts, stepMode="center", fillLevel=0,
                                     pen=pg.mkPen(PALETTE["converted"], width=1), brush=pg.mkBrush(PALETTE["converted"]))
        self.contact_curve = pg.PlotDataItem(self._edges, self._counts, stepMode="center",
                                             pen=pg.mkPen(PALETTE["warning"], width=2.5))
        self.contact_curve.setZValue(2)
        self.mean_line = pg.InfiniteLine(pos=0, angle=90, movable=False, pen=pg.mkPen(PALETTE["text"], width=2.5))
        self.mql_line = pg.InfiniteLine(pos=0, angle=90, movable=False, pen=pg.mkPen(PALETTE["mql"], width=3))
        for it in (self.curve, self.contact_curve, self.mean_line, self.mql_line):
            self.plot_item.addItem(it)
        self.legend.add("conv", "At conversion", "box", PALETTE["converted"])
        self.legend.add("contact", "At first sales contact", "line", PALETTE["warning"])
        self.legend.add("mean", "Average", "line", PALETTE["text"])
        self.legend.add("mql", "MQL threshold", "line", PALETTE["mql"])
        self._set_axis_titles("Score", "Converted leads")
        self.set_distribution(None)
        self.set_font_scale(1.0)

    def set_distribution(self, sac, message: str | None = None, bounds: tuple[float, float] | None = None) -> None:
        if sac is None or sac.at_conversion is None or not sac.at_conversion.count:
            for it in (self.curve, self.contact_curve, self.mean_line, self.mql_line):
                it.setVisible(False)
            self.show_message(message or "Choose the column with the conversion date to see each converter's score "
                                         "on the day it converted")
            return
        self.show_message(None)
        dist = sac.at_conversion
        scores = np.asarray(dist.scores, float)
        lo, hi = bounds if bounds else (float(np.floor(scores.min())), float(np.ceil(scores.max())) + 1)
        if hi <= lo:
            hi = lo + 1
        counts, edges = dist.binned(lo, hi)  # the report's bins for the same bounds
        self._edges, self._counts = edges, counts
        self.curve.setData(edges, counts)
        self.curve.setVisible(True)
        peak = float(counts.max()) if len(counts) else 0.0
        fc = sac.at_first_contact
        has_contact = fc is not None and fc.count > 0
        if has_contact:
            cc, _ = fc.binned(lo, hi)
            self.contact_curve.setData(edges, cc)
            peak = max(peak, float(cc.max()))
        self.contact_curve.setVisible(has_contact)
        self.legend.set_entry_visible("contact", has_contact)
        self.mean_line.setValue(float(dist.mean))
        self.mean_line.setVisible(True)
        self.legend.set_text("mean", f"Average {dist.mean:.1f}")
        self.set_threshold(sac.threshold)
        self.view_box.setXRange(lo, hi, padding=0.01)
        if self._yrange.update(peak):
            self.view_box.setYRange(0, self._yrange.top, padding=0)

    def set_threshold(self, threshold: float) -> None:
        """Today's MQL threshold: the line and its legend follow every edit at once (the scores wait for the worker)."""
        self.mql_line.setValue(float(threshold))
        self.mql_line.setVisible(True)
        self.legend.set_text("mql", f"MQL threshold {threshold:g}")

    def _tooltip_at(self, pos: QPointF) -> str | None:
        x = pos.x()
        e = self._edges
        if not len(self._counts) or x < e[0] or x > e[-1]:
            return None
        i = min(int(np.searchsorted(e, x, side="right")) - 1, len(self._counts) - 1)
        return f"Score {e[i]:.0f} to {e[i + 1]:.0f}: {int(self._counts[i]):,} converters at conversion"


# ------------------------------------------------------------------ small widgets
class ReflowGrid(QWidget):
    """Up to ``max_cols`` columns, fewer when narrow (plots side by side on a wide window)."""

    def __init__(self, widgets: list[QWidget], min_column_width: int = 420, parent: QWidget | None = None,
                 max_cols: int = 2):
        super().__init__(parent)
        self._widgets = widgets
        self._min = min_column_width
        self._max = max_cols
        self._cols = 0
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(8)
        self._grid.setVerticalSpacing(8)
        for w in widgets:
            w.setParent(self)
        self._place(max_cols)

    def _place(self, cols: int) -> None:
        if cols == self._cols:
            return
        self._cols = cols
        for w in self._widgets:
            self._grid.removeWidget(w)
        for i, w in enumerate(self._widgets):
            self._grid.addWidget(w, i // cols, i % cols)
        for c in range(self._max):
            self._grid.setColumnStretch(c, 1 if c < cols else 0)

    def columns(self) -> int:
        return self._cols

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        # as narrow as one column: the parent may squeeze us, resizeEvent then takes fewer columns
        hint = super().minimumSizeHint()
        widest = max((w.minimumSizeHint().width() for w in self._widgets), default=0)
        return QSize(widest, hint.height())

    def resizeEvent(self, ev) -> None:  # noqa: N802
        super().resizeEvent(ev)
        w = ev.size().width()
        cols = self._max
        while cols > 1 and (w < cols * self._min or self._max % cols):
            cols -= 1
        self._place(cols)


def section_title(text: str, parent: QWidget) -> QLabel:
    lab = QLabel(text, parent)
    lab.setFont(scaled_font(1.0, 1.15, bold=True))
    lab.setStyleSheet(f"color: {PALETTE['text']};")
    return lab


class SuggestionRow(QWidget):
    """One threshold suggestion: title and threshold, what it would mean, an Apply button."""

    applyClicked = Signal(str)

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.suggestion = None
        self.checked = None  # the same threshold on the holdout (a Suggestion), when there is one
        self.title = QLabel(SUGGESTION_TITLES.get(key, key), self)
        self.title.setFont(scaled_font(1.0, 1.0, bold=True))
        self.value = QLabel("–", self)
        self.value.setFont(scaled_font(1.0, 1.35, bold=True))
        self.value.setMinimumWidth(QFontMetricsF(self.value.font()).horizontalAdvance("000.00") + 8)
        self.value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.meaning = QLabel("", self)
        self.meaning.setWordWrap(True)
        self.meaning.setTextFormat(Qt.TextFormat.RichText)
        self.meaning.setStyleSheet(f"color: {PALETTE['muted']};")
        self.meaning.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(lambda: self.applyClicked.emit(self.key))
        self.extra: QWidget | None = None
        self.title.setWordWrap(True)
        left = self._left = QVBoxLayout()
        left.setSpacing(1)
        self._title_row = QHBoxLayout()
        self._title_row.setSpacing(6)
        # the title takes the row (a word-wrapped label beside a stretch wrapped "converters" onto a line of its own)
        self._title_row.addWidget(self.title, 1)
        left.addLayout(self._title_row)
        left.addWidget(self.meaning)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(10)
        lay.addWidget(self.value, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(left, 1)
        lay.addWidget(self.apply_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def add_extra(self, widget: QWidget) -> None:
        """A control under the title (the recall spin box)."""
        self.extra = widget
        widget.setParent(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget)
        row.addStretch(1)
        self._left.insertLayout(1, row)

    def set_suggestion(self, s, current: float | None, weekly: bool, checked=None) -> None:
        """Show suggestion ``s``; ``checked``: the same threshold on the holdout (kept when None is given again)."""
        if checked is not None or s is not self.suggestion:
            self.checked = checked
        self.suggestion = s
        if s is None or not getattr(s, "available", s is not None and s.threshold is not None):
            self.value.setText("–")
            self.meaning.setText(escape(s.note) if s is not None and s.note else "Not available for this data")
            self.apply_button.setEnabled(False)
            self.apply_button.setToolTip("")
            return
        th = float(s.threshold)
        self.value.setText(threshold_text(th))
        parts = []
        if s.mqls_per_week is not None and weekly:
            mx = f" (busiest week {s.mqls_per_week_max:,})" if getattr(s, "mqls_per_week_max", None) is not None else ""
            parts.append(f"<b>{s.mqls_per_week:,.1f} MQLs a week</b>{mx}")
        else:
            parts.append(f"<b>{s.mqls:,} MQLs</b>")
        if s.conversions_captured is not None:
            rec = f" ({pct_text(s.recall, 0)} of them)" if s.recall is not None else ""
            parts.append(f"<b>{s.conversions_captured:,} conversions captured</b>{rec}")
        if s.precision is not None:
            parts.append(f"{pct_text(s.precision)} of MQLs convert")
        text = " · ".join(parts)
        if s.note:
            text += f"<br>{escape(s.note)}"
        if self.checked is not None and self.checked.available:
            text += f"<br><i>On the holdout (the most recent leads): {escape(self.checked.meaning())}.</i>"
        self.meaning.setText(text)
        same = current is not None and abs(float(current) - th) < 1e-9
        self.apply_button.setEnabled(not same)
        self.apply_button.setText("Applied" if same else "Apply")
        self.apply_button.setToolTip("This is the MQL threshold now" if same
                                     else f"Set the MQL threshold to {th:g} (Ctrl+Z to undo)")
        self.setToolTip(s.label or "")


