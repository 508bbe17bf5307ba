"""The grade grid: leads (and their conversion) per fit band x engagement band, MQL cells marked."""
from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from leaddesigner.gui.plotting.base import PALETTE, scaled_font

__all__ = ["MIN_LEADS_FOR_RATE", "GradeGridView"]


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
