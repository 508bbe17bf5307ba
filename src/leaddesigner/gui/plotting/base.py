"""The plotting toolkit of the app's views: palette, fonts, axes, legend, the base plot panel.

Every plot of the window and its tabs (:mod:`~leaddesigner.gui.plotting.overview`, the Backtest and Timeline
tabs, the compare dialog) is built from these pieces, so text sizes, colours,
wheel handling and the fixed y range behave the same everywhere:

* :data:`PALETTE`, :func:`scaled_font`, :func:`base_point_size`: colour-blind safe
  colours on white, fonts that follow View > Bigger text;
* :class:`FontAwareAxis` and its kinds (:class:`CountAxis`, :class:`ScoreAxis`,
  :class:`WeekAxis`): tick labels in the panel's font, sized to their text;
* :class:`Legend` (a flowing row of :class:`LegendEntry` swatches above the plot);
* :class:`PlotPanel`: title, legend, a pyqtgraph plot without mouse zoom, a
  message overlay, and :class:`YRange` (the top moves only when the peak leaves
  half to all of it).
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLayout,
    QSizePolicy,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = [
    "PALETTE",
    "CountAxis",
    "FlowLayout",
    "FontAwareAxis",
    "Legend",
    "LegendEntry",
    "PercentAxis",
    "PlotPanel",
    "ScoreAxis",
    "ShareAxis",
    "Swatch",
    "WeekAxis",
    "YRange",
    "base_point_size",
    "lighter",
    "nice_top",
    "palette_colours",
    "scaled_font",
]

#: Colour-blind safe palette (Okabe-Ito / Paul Tol), readable on a projector.
PALETTE = {
    "background": "#ffffff",
    "text": "#1a1a1a",
    "muted": "#555555",
    "axis": "#333333",
    "bars": "#3d8bcd",  # one series
    "converted": "#0072B2",  # Okabe-Ito blue, dark: stacked at the bottom
    "not_converted": "#a8cbe8",  # light blue: stacked on top
    "mql": "#AA3377",  # Tol purple
    "sql": "#222222",  # near black, dashed
    "capacity": "#222222",
    "ok": "#0072B2",
    "warning": "#D55E00",  # Okabe-Ito vermillion: over capacity, negative deltas
    "grid_low": "#eef4fa",
    "grid_high": "#0b5c99",
}


_BASE_POINT_SIZE: list[float] = []


def base_point_size() -> float:
    """The application's font size in points (at least 10) as it started: font scale 1.0.

    Read once: the window scales the application font itself for a projector
    (menus, dialogs, status bar), and every scaled font here is relative to
    the size the application started with, never to an already scaled one.
    """
    if not _BASE_POINT_SIZE:
        app = QApplication.instance()
        pt = app.font().pointSizeF() if app is not None else -1.0
        if app is None:
            return max(pt, 10.0)
        _BASE_POINT_SIZE.append(max(pt, 10.0))
    return _BASE_POINT_SIZE[0]


def scaled_font(scale: float, rel: float = 1.0, bold: bool = False) -> QFont:
    """The application font at ``base_point_size() * scale * rel`` points."""
    app = QApplication.instance()
    f = QFont(app.font()) if app is not None else QFont()
    f.setPointSizeF(base_point_size() * scale * rel)
    f.setBold(bold)
    return f


def lighter(color: str, amount: float) -> QColor:
    """``color`` blended with white (amount 0 = unchanged, 1 = white)."""
    c = QColor(color)
    return QColor(
        round(c.red() + (255 - c.red()) * amount),
        round(c.green() + (255 - c.green()) * amount),
        round(c.blue() + (255 - c.blue()) * amount),
    )


def nice_top(peak: float) -> float:
    """A round axis top with headroom: the peak lands at about 80% of it."""
    if peak <= 0:
        return 1.0
    target = peak * 1.25
    exp = 10.0 ** math.floor(math.log10(target))
    for m in (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if m * exp >= target:
            return m * exp
    return 10.0 * exp  # pragma: no cover


class YRange:
    """Hysteresis for the y axis top: rescale only when the peak leaves [0.5, 1.0] x top."""

    def __init__(self) -> None:
        self.top: float | None = None

    def update(self, peak: float) -> bool:
        """Return True when the top changed."""
        if self.top is None or peak > self.top or peak < 0.5 * self.top:
            new = nice_top(peak)
            if new != self.top:
                self.top = new
                return True
        return False


# ------------------------------------------------------------------ axes
class FontAwareAxis(pg.AxisItem):
    """Axis whose tick density follows its tick font, so large fonts never overlap."""

    def __init__(self, orientation: str, **kw) -> None:
        super().__init__(orientation, **kw)
        self._tick_font = QFont()
        self.overflow = 15

    def set_tick_font(self, font: QFont) -> None:
        self._tick_font = QFont(font)
        self.setTickFont(font)
        fm = QFontMetricsF(font)
        # end labels may overflow the axis by this much (the plot layout keeps that room free)
        self.overflow = self._overflow()
        self.setStyle(
            tickTextOffset=max(3, round(fm.height() * 0.25)),
            tickLength=-max(4, round(fm.height() * 0.3)),
            hideOverlappingLabels=self.overflow,
        )
        self.picture = None
        self.update()

    def _overflow(self) -> int:
        fm = QFontMetricsF(self._tick_font)
        if self.orientation in ("left", "right"):
            return math.ceil(fm.height() / 2) + 2
        return math.ceil(fm.horizontalAdvance(self._widest_label) / 2) + 2

    _widest_label = "000,000"

    def _label_extent(self) -> float:
        """Pixels one tick label needs along the axis (with a gap)."""
        fm = QFontMetricsF(self._tick_font)
        if self.orientation in ("left", "right"):
            return fm.height() * 2.2
        return fm.horizontalAdvance("000,000") + fm.height()

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802 (pyqtgraph API)
        if self._tickSpacing is not None:
            return self._tickSpacing
        dif = abs(maxVal - minVal)
        if dif == 0 or size <= 0:
            return []
        intervals = max(1.5, min(size / self._label_extent(), 12.0))
        raw = dif / intervals
        exp = 10.0 ** math.floor(math.log10(raw))
        for m in (1, 2, 2.5, 5, 10):
            if m * exp >= raw:
                major = m * exp
                break
        return [(major, 0)]  # one labelled level: minor labels crowd large fonts


class ShareAxis(FontAwareAxis):
    """Shares (values 0..1) shown as ``40%``, with pyqtgraph's tick spacing."""

    _widest_label = "100%"

    def __init__(self, orientation: str, **kw) -> None:
        super().__init__(orientation, **kw)
        self.enableAutoSIPrefix(False)

    def _label_extent(self) -> float:
        fm = QFontMetricsF(self._tick_font)
        if self.orientation in ("left", "right"):
            return fm.height() * 2.2
        return fm.horizontalAdvance("100%") + 2 * fm.height()

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802
        spacing = super().tickSpacing(minVal * 100, maxVal * 100, size)
        return [(s / 100, o) for s, o in spacing]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        places = 0 if spacing >= 0.0099 else 1
        return [f"{100 * v:.{places}f}%" for v in values]


class PercentAxis(FontAwareAxis):
    """Percentages (values 0..100) shown as ``40%``, every 25 (every 50 when the axis is short)."""

    _widest_label = "100%"

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802
        fm = QFontMetricsF(self._tick_font)
        fit = size / (fm.height() * 2.0) if size > 0 else 1
        major = 25.0 if fit >= 4 else 50.0
        return [(major, 0)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        return [f"{v:.0f}%" for v in values]


class CountAxis(FontAwareAxis):
    """Counts: whole numbers only, thousands separators, ``120k`` above 10,000."""

    def tickValues(self, minVal, maxVal, size):  # noqa: N802
        out = []
        for spacing, values in super().tickValues(minVal, maxVal, size):
            if spacing < 1:
                values = [v for v in values if abs(v - round(v)) < 1e-9]
            out.append((spacing, values))
        return out

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        big = max((abs(v) for v in values), default=0) >= 10_000
        if big:
            return [f"{v / 1000:,.{0 if spacing >= 1000 else 1}f}k" for v in values]
        return [f"{v:,.0f}" for v in values]


class ScoreAxis(FontAwareAxis):
    _widest_label = "-100"

    def _label_extent(self) -> float:
        fm = QFontMetricsF(self._tick_font)
        return fm.horizontalAdvance(self._widest_label) + 2 * fm.height()

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        places = 0 if spacing >= 1 else 1
        return [f"{v:.{places}f}" for v in values]


class WeekAxis(FontAwareAxis):
    """Bar index -> 'Mar 2' (with the year where it changes), thinned to fit."""

    STEPS = (1, 2, 3, 4, 6, 8, 13, 26, 52, 104, 208)
    _widest_label = "Sep 30"  # a year suffix (only where the year changes) may eat the gap

    def __init__(self, orientation: str = "bottom", **kw) -> None:
        super().__init__(orientation, **kw)
        self.weeks: list[pd.Timestamp] = []

    def set_weeks(self, weeks: list[pd.Timestamp]) -> None:
        self.weeks = list(weeks)
        self.picture = None
        self.update()

    def _label_extent(self) -> float:
        fm = QFontMetricsF(self._tick_font)
        return fm.horizontalAdvance(self._widest_label) + fm.height()

    def tickValues(self, minVal, maxVal, size):  # noqa: N802
        n = len(self.weeks)
        if n == 0 or size <= 0:
            return []
        fit = max(1, int(size / self._label_extent()))
        step = next((s for s in self.STEPS if math.ceil(n / s) <= fit), self.STEPS[-1])
        values = [float(i) for i in range(0, n, step) if minVal - 0.5 <= i <= maxVal + 0.5]
        return [(float(step), values)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        out = []
        prev_year = None
        for v in values:
            i = int(round(v))
            if not 0 <= i < len(self.weeks):
                out.append("")
                continue
            ts = self.weeks[i]
            s = f"{ts:%b} {ts.day}"
            if prev_year is not None and ts.year != prev_year:
                s += f" '{ts:%y}"
            prev_year = ts.year
            out.append(s)
        return out


# ------------------------------------------------------------------ legend
class Swatch(QWidget):
    """A legend key: filled box, solid or dashed line; sized from the font."""

    def __init__(self, kind: str, color: str, border: str | None = None, dashed: bool = False, parent=None):
        super().__init__(parent)
        self.kind, self.color, self.border, self.dashed = kind, QColor(color), QColor(border or color), dashed

    def sizeHint(self) -> QSize:  # noqa: N802
        h = self.fontMetrics().height()
        return QSize(round(h * (1.6 if self.kind == "line" else 1.0)), h)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def paintEvent(self, ev) -> None:  # noqa: N802
        p = QPainter(self)
        r = QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5)
        if self.kind == "line":
            pen = QPen(self.color, max(2.0, r.height() / 6))
            if self.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(QPointF(r.left(), r.center().y()), QPointF(r.right(), r.center().y()))
        else:
            s = min(r.width(), r.height()) * 0.85
            box = QRectF(r.center().x() - s / 2, r.center().y() - s / 2, s, s)
            pen = QPen(self.border, 1.5)
            if self.dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(self.color)
            p.drawRect(box)
        p.end()


class FlowLayout(QLayout):
    """Lays widgets out left to right and wraps to the next line when the width runs out."""

    def __init__(self, parent=None, hspacing: int = 14, vspacing: int = 2):
        super().__init__(parent)
        self._items: list = []
        self._h, self._v = hspacing, vspacing

    def addItem(self, item) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, i):  # noqa: N802
        return self._items[i] if 0 <= i < len(self._items) else None

    def takeAt(self, i):  # noqa: N802
        return self._items.pop(i) if 0 <= i < len(self._items) else None

    def expandingDirections(self):  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._do_layout(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._do_layout(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        w = sum(i.sizeHint().width() for i in self._visible()) + self._h * max(0, len(self._visible()) - 1)
        h = max((i.sizeHint().height() for i in self._visible()), default=0)
        m = self.contentsMargins()
        return QSize(w + m.left() + m.right(), h + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802
        w = max((i.minimumSize().width() for i in self._visible()), default=0)
        m = self.contentsMargins()
        return QSize(w + m.left() + m.right(), self.heightForWidth(w + m.left() + m.right()))

    def _visible(self) -> list:
        return [i for i in self._items if not (i.widget() is not None and i.widget().isHidden())]

    def _do_layout(self, rect: QRect, apply: bool) -> int:
        m = self.contentsMargins()
        r = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line_h = r.x(), r.y(), 0
        line: list = []

        def place_line():
            for item, ix in line:  # vertically centre each line
                sh = item.sizeHint()
                if apply:
                    item.setGeometry(QRect(QPoint(ix, y + (line_h - sh.height()) // 2), sh))

        for item in self._visible():
            sh = item.sizeHint()
            if line and x + sh.width() > r.right() + 1:
                place_line()
                y += line_h + self._v
                x, line_h, line = r.x(), 0, []
            line.append((item, x))
            x += sh.width() + self._h
            line_h = max(line_h, sh.height())
        place_line()
        return y + line_h - rect.y() + m.bottom()


class LegendEntry(QWidget):
    def __init__(self, text: str, kind: str, color: str, border: str | None = None, dashed: bool = False, parent=None):
        super().__init__(parent)
        self.swatch = Swatch(kind, color, border, dashed, self)
        self.label = QLabel(text, self)
        self.label.setStyleSheet(f"color: {PALETTE['text']};")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(5)
        lay.addWidget(self.swatch)
        lay.addWidget(self.label)

    def set_font(self, font: QFont) -> None:
        self.swatch.setFont(font)
        self.label.setFont(font)
        self.swatch.updateGeometry()


class Legend:
    """Legend keys in the header's flow layout, outside the plot: never covers data, never hides series."""

    def __init__(self, parent: QWidget, layout: FlowLayout):
        self._parent, self._layout = parent, layout
        self.entries: dict[str, LegendEntry] = {}

    def add(self, key: str, text: str, kind: str, color: str, border: str | None = None, dashed: bool = False) -> None:
        e = LegendEntry(text, kind, color, border, dashed, self._parent)
        self._layout.addWidget(e)
        self.entries[key] = e

    def set_entry_visible(self, key: str, visible: bool) -> None:
        self.entries[key].setVisible(visible)

    def set_text(self, key: str, text: str) -> None:
        self.entries[key].label.setText(text)

    def text(self, key: str) -> str:
        return self.entries[key].label.text()

    def set_font(self, font: QFont) -> None:
        for e in self.entries.values():
            e.set_font(font)


# ------------------------------------------------------------------ base panel
class PlotPanel(QWidget):
    """Title + legend row over a white, non-zoomable pyqtgraph plot (or a message)."""

    #: a link in the note next to the title was clicked (its href)
    noteLinkActivated = Signal(str)

    def __init__(self, title: str, x_axis: FontAwareAxis, y_axis: FontAwareAxis, parent=None):
        super().__init__(parent)
        self._font_scale = 1.0
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(self.backgroundRole(), QColor(PALETTE["background"]))
        self.setPalette(pal)

        self.title_label = QLabel(title, self)
        self.title_label.setStyleSheet(f"color: {PALETTE['text']};")
        head = FlowLayout(hspacing=14)
        head.setContentsMargins(6, 2, 6, 0)
        head.addWidget(self.title_label)
        self.note_label = QLabel("", self)  # e.g. how the plotted leads were scored
        self.note_label.setTextFormat(Qt.TextFormat.RichText)
        self.note_label.setStyleSheet(f"color: {PALETTE['muted']};")
        self.note_label.linkActivated.connect(self.noteLinkActivated)
        self.note_label.setVisible(False)
        head.addWidget(self.note_label)
        self.legend = Legend(self, head)

        self.plot_widget = pg.PlotWidget(
            parent=self, background=PALETTE["background"], axisItems={"bottom": x_axis, "left": y_axis}
        )
        self.plot_widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.view_box: pg.ViewBox = self.plot_item.getViewBox()
        # Users drag lines, not the view: no zoom, pan, wheel, menu or autorange button.
        self.plot_item.setMouseEnabled(x=False, y=False)
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        self.view_box.disableAutoRange()
        self.plot_item.showAxis("top", False)
        self.plot_item.showAxis("right", False)
        for ax in (x_axis, y_axis):
            ax.setPen(pg.mkPen(PALETTE["axis"], width=1))
            ax.setTextPen(pg.mkPen(PALETTE["text"]))
        self.x_axis, self.y_axis = x_axis, y_axis
        self._viewport = self.plot_widget.viewport()
        self._viewport.installEventFilter(self)

        self.message_label = QLabel("", self)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(f"color: {PALETTE['muted']}; background: {PALETTE['background']};")
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.plot_widget)
        self._stack.addWidget(self.message_label)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(head)
        lay.addWidget(self._stack, 1)
        self._axis_titles: tuple[str, str] = ("", "")

    # -- public helpers shared by the views
    def setTitle(self, text: str) -> None:  # noqa: N802 (Qt naming)
        """Set the title over the plot; an empty text hides it (when the window shows its own)."""
        self.title_label.setText(text)
        self.title_label.setVisible(bool(text))

    def set_note(self, html: str) -> None:
        """A muted note after the title (rich text; links emit :attr:`noteLinkActivated`); empty hides it."""
        if self.note_label.text() != html:
            self.note_label.setText(html)
        self.note_label.setVisible(bool(html))

    def note(self) -> str:
        return self.note_label.text()

    def font_scale(self) -> float:
        return self._font_scale

    def show_message(self, text: str | None) -> None:
        """Show ``text`` instead of the plot, or the plot again when ``text`` is None."""
        if text:
            self.message_label.setText(text)
            self._stack.setCurrentWidget(self.message_label)
        else:
            self._stack.setCurrentWidget(self.plot_widget)

    def message(self) -> str | None:
        return self.message_label.text() if self._stack.currentWidget() is self.message_label else None

    # -- shared internals
    def _set_axis_titles(self, x: str, y: str) -> None:
        self._axis_titles = (x, y)
        self._apply_axis_fonts()

    def _apply_axis_fonts(self) -> None:
        s = self._font_scale
        tick = scaled_font(s, 1.0)
        pt = f"{base_point_size() * s * 1.05:.1f}pt"
        for ax, title in zip((self.x_axis, self.y_axis), self._axis_titles):
            ax.set_tick_font(tick)
            ax.setLabel(title, color=PALETTE["text"], **{"font-size": pt})
        # room for the half of the top tick label that sits above the plot area
        fh = QFontMetricsF(tick).height()
        # below this the plot is unreadable. Not more: on a projector (200% on 1366x768) a larger minimum
        # than the splitter can give clips the plot and its x axis instead of shrinking it
        self.plot_widget.setMinimumHeight(round(fh * 4))
        self.plot_widget.setMinimumWidth(round(fh * 14))
        # room for the end tick labels that stick out of the plot area (top of y, right of x)
        self.plot_item.layout.setContentsMargins(4, self.y_axis.overflow, max(8, self.x_axis.overflow), 4)
        # on a projector the axis labels grow fully (read from the back of the room); the title row less,
        # so that the plot keeps its height on a short screen
        head = 1.0 if s < 1.4 else 0.85
        self.title_label.setFont(scaled_font(s, 1.15 * head, bold=True))
        self.note_label.setFont(scaled_font(s, 0.95 * head))
        self.legend.set_font(scaled_font(s, 0.95 * head))
        self.message_label.setFont(scaled_font(s, 1.2))

    def set_font_scale(self, factor: float) -> None:
        """Scale every text of the view (1.0 = application font; 1.6 for projectors)."""
        self._font_scale = max(0.5, float(factor))
        self._apply_axis_fonts()

    def _view_pos(self, widget_pos) -> QPointF | None:
        """Data coordinates under a viewport position, or None outside the plot area."""
        scene_pos = self.plot_widget.mapToScene(widget_pos)
        if not self.view_box.sceneBoundingRect().contains(scene_pos):
            return None
        return self.view_box.mapSceneToView(scene_pos)

    def _tooltip_at(self, pos: QPointF) -> str | None:  # overridden
        return None

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if obj is self._viewport and ev.type() == QEvent.Type.ToolTip:
            p = self._view_pos(ev.pos())
            text = self._tooltip_at(p) if p is not None else None
            QToolTip.showText(ev.globalPos(), text or self.toolTip(), self.plot_widget)
            return True
        return super().eventFilter(obj, ev)


_SIMPLE_SHEET = re.compile(r"^\s*((color|background)\s*:\s*[#\w]+\s*;?\s*)+$")


def palette_colours(root: QWidget) -> None:
    """Turn plain ``color: ...; background: ...`` style sheets of ``root``'s labels into palette colours.

    The main window sets its plain text font on every widget that has a style sheet (View > Bigger
    text, Ctrl+0), which replaced the bold, bigger plot titles of the tabs with body text even at an
    unchanged scale. Labels coloured through the palette keep the fonts their views give them.
    """
    from PySide6.QtGui import QPalette

    for lab in [root, *root.findChildren(QLabel)] if isinstance(root, QLabel) else root.findChildren(QLabel):
        sheet = lab.styleSheet()
        if not sheet or not _SIMPLE_SHEET.match(sheet):
            continue
        pal = lab.palette()
        for prop, value in re.findall(r"(color|background)\s*:\s*([#\w]+)", sheet):
            if prop == "color":
                pal.setColor(QPalette.ColorRole.WindowText, QColor(value))
            else:
                pal.setColor(QPalette.ColorRole.Window, QColor(value))
                lab.setAutoFillBackground(True)
        lab.setStyleSheet("")
        lab.setPalette(pal)
