"""The strip of big numbers over the plots: what the model does, and what the last edit changed.

Tiles: Leads, MQLs (count and share), SQLs, MQLs per week against SDR capacity
(and weeks over), and conversion of MQLs against other leads when outcomes are
known. With a ``previous`` summary each tile shows the signed change of the
last edit, e.g. ``MQLs 412 (+37)``.

Updates are cheap (the strip changes on every edit, up to ~30 times a
second): texts and colours are set only when they change, and colours go
through the labels' palettes, never style sheets (a new style sheet makes Qt
re-polish the label and its layout).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from leaddesigner.gui.plotting.overview import PALETTE, scaled_font

if TYPE_CHECKING:  # pragma: no cover
    from leaddesigner.core.scoring.summary import Summary

__all__ = ["SummaryStrip", "Tile", "format_delta"]

#: neutral colour for unchanged values
_SAME = "#6b6b6b"


def format_delta(delta: float, decimals: int = 0, unit: str = "") -> str:
    """Signed change: ``+37``, ``-4``, ``±0``, ``+0.4 pp``."""
    r = round(delta, decimals)
    if r == 0:
        return f"±0{unit}"
    return f"{r:+,.{decimals}f}{unit}"


def _set_colour(label: QLabel, colour: str) -> None:
    """Text colour through the palette, and only when it changes."""
    c = QColor(colour)
    pal = label.palette()
    if pal.color(QPalette.ColorRole.WindowText) != c:
        pal.setColor(QPalette.ColorRole.WindowText, c)
        label.setPalette(pal)


def _set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


class Tile(QFrame):
    """Caption over a big value with its change, and a detail line.

    The change sits right of the value when the tile is wide enough (``MQLs
    412 (+37)``) and moves up next to the caption when it is narrow (large
    fonts on a 1366 px screen), so the strip keeps its height.
    """

    MARGINS = (10, 4, 10, 4)

    def __init__(self, caption: str, tooltip: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("summaryTile")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.caption_label = QLabel(caption, self)
        self.value_label = QLabel("–", self)
        self.delta_label = QLabel("", self)
        self.detail_label = QLabel("", self)
        self.detail_label.setTextFormat(Qt.TextFormat.RichText)
        self.detail_label.setWordWrap(True)
        for lab in (self.caption_label, self.value_label, self.delta_label, self.detail_label):
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        _set_colour(self.caption_label, PALETTE["muted"])
        _set_colour(self.detail_label, PALETTE["muted"])
        _set_colour(self.value_label, PALETTE["text"])
        _set_colour(self.delta_label, _SAME)
        self._top = QHBoxLayout()
        self._top.setSpacing(8)
        self._top.addWidget(self.caption_label, 0, Qt.AlignmentFlag.AlignBaseline)
        self._top.addStretch(1)
        self._row = QHBoxLayout()
        self._row.setSpacing(8)
        self._row.addWidget(self.value_label, 0, Qt.AlignmentFlag.AlignBaseline)
        self._row.addWidget(self.delta_label, 0, Qt.AlignmentFlag.AlignBaseline)
        self._row.addStretch(1)
        self._compact = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(*self.MARGINS)
        lay.setSpacing(0)
        lay.addLayout(self._top)
        lay.addLayout(self._row)
        lay.addWidget(self.detail_label)
        lay.addStretch(1)
        self.setToolTip(tooltip)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set(self, value: str, delta: str = "", detail: str = "", *, value_color: str | None = None,
            delta_color: str | None = None) -> None:
        _set_text(self.value_label, value)
        _set_colour(self.value_label, value_color or PALETTE["text"])
        _set_text(self.delta_label, f"({delta})" if delta else "")
        if self.delta_label.isHidden() == bool(delta):
            self.delta_label.setVisible(bool(delta))
        _set_colour(self.delta_label, delta_color or _SAME)
        _set_text(self.detail_label, detail)
        if self.detail_label.isHidden() == bool(detail):
            self.detail_label.setVisible(bool(detail))
        self._update_compact()

    def value_colour(self) -> str:
        """The value's text colour, e.g. ``#d55e00`` (tests)."""
        return self.value_label.palette().color(QPalette.ColorRole.WindowText).name()

    def delta_colour(self) -> str:
        return self.delta_label.palette().color(QPalette.ColorRole.WindowText).name()

    def text(self) -> str:
        """Plain text of the tile, e.g. ``MQLs 412 (+37)``."""
        out = f"{self.caption_label.text()} {self.value_label.text()}"
        if self.delta_label.text():
            out += f" {self.delta_label.text()}"
        return out

    def set_font_scale(self, s: float) -> None:
        self.caption_label.setFont(scaled_font(s, 0.95))
        self.value_label.setFont(scaled_font(s, 2.1, bold=True))
        self.delta_label.setFont(scaled_font(s, 1.3, bold=True))
        self.detail_label.setFont(scaled_font(s, 0.9))
        self._update_compact()

    # -- adaptive layout
    def _inline_width(self) -> int:
        w = self.value_label.sizeHint().width()
        if self.delta_label.text():
            w += self._row.spacing() + self.delta_label.sizeHint().width()
        return w + self.MARGINS[0] + self.MARGINS[2]

    def _compact_width(self) -> int:
        top = self.caption_label.sizeHint().width()
        if self.delta_label.text():
            top += self._top.spacing() + self.delta_label.sizeHint().width()
        return max(top, self.value_label.sizeHint().width()) + self.MARGINS[0] + self.MARGINS[2]

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        fm = self.detail_label.fontMetrics()
        words = max((fm.horizontalAdvance(w) for w in self.detail_label.text().split()), default=0)
        w = max(min(self._inline_width(), self._compact_width()), min(words, 160) + self.MARGINS[0] + self.MARGINS[2])
        return QSize(w, super().minimumSizeHint().height())

    def is_compact(self) -> bool:
        return self._compact

    def _update_compact(self) -> None:
        inline = self._inline_width()
        compact = self.width() < inline and self._compact_width() < inline
        if compact == self._compact:
            return
        self._compact = compact
        src, dst = (self._row, self._top) if compact else (self._top, self._row)
        src.removeWidget(self.delta_label)
        dst.insertWidget(1, self.delta_label, 0, Qt.AlignmentFlag.AlignBaseline)
        self.updateGeometry()

    def resizeEvent(self, ev) -> None:  # noqa: N802
        super().resizeEvent(ev)
        self._update_compact()


def _delta_color(delta: float, bad_when_up: bool = False) -> str:
    """Colour of a change: vermillion for decreases (or for increases of a bad thing), blue otherwise."""
    if delta == 0:
        return _SAME
    bad = delta > 0 if bad_when_up else delta < 0
    return PALETTE["warning"] if bad else PALETTE["ok"]


def _mql_conversion(summary: "Summary") -> tuple[float, float] | None:
    """(conversion of MQLs and SQLs together, conversion of the other leads), when outcomes are known."""
    conv = summary.conversion
    if not conv:
        return None
    c = summary.status_counts
    n_m = c.get("MQL", 0) + c.get("SQL", 0)
    if n_m == 0 or "lead" not in conv:
        return None
    rate_m = (c.get("MQL", 0) * conv.get("MQL", 0.0) + c.get("SQL", 0) * conv.get("SQL", 0.0)) / n_m
    return rate_m, conv["lead"]


class SummaryStrip(QWidget):
    """Leads, MQLs (count and share), SQLs, average MQLs/week vs capacity (weeks over),
    conversion of MQLs vs others when known, each with its change from the previous summary."""

    TOOLTIP = "What the model does to the loaded leads; the numbers in brackets are the change made by the last edit."

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._scale = 1.0
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(self.backgroundRole(), QColor(PALETTE["background"]))
        self.setPalette(pal)
        self.setToolTip(self.TOOLTIP)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.tiles: dict[str, Tile] = {
            "leads": Tile("Leads", "Leads scored, and their median score.", self),
            "mqls": Tile("MQLs", "Leads at or over the MQL threshold (SQLs included): the leads sales must work.", self),
            "sqls": Tile("SQLs", "Leads at or over the SQL threshold.", self),
            "weekly": Tile("MQLs per creation week", "Average over full weeks: leads created that week that are MQLs when scored, "
                            "against SDR capacity (the Timeline tab counts MQLs by the day they arrive).", self),
            "conversion": Tile("MQLs converted", "Share of MQLs (SQLs included) that converted, against the other leads.", self),
        }
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(4)
        for i, t in enumerate(self.tiles.values()):
            if i:
                sep = QFrame(self)
                sep.setFrameShape(QFrame.Shape.VLine)
                sep.setStyleSheet("color: #d0d0d0;")
                lay.addWidget(sep)
            lay.addWidget(t, 1)
        self.tiles["conversion"].setVisible(False)
        self.set_font_scale(1.0)
        self.set_summary(None)

    def set_summary(self, summary: "Summary | None", previous: "Summary | None" = None) -> None:
        """Show ``summary``; with ``previous`` (the summary before the last edit) also the changes."""
        t = self.tiles
        if summary is None:
            for k, tile in t.items():
                tile.set("–")
            t["conversion"].setVisible(False)
            return
        prev = previous
        n = summary.leads
        sc = summary.status_counts

        d_leads = n - prev.leads if prev else 0
        median = summary.median
        t["leads"].set(
            f"{n:,}", format_delta(d_leads) if prev and d_leads else "",
            f"median score {median:.1f}" if median is not None and n else "",
            delta_color=_delta_color(d_leads),
        )

        mqls = summary.mqls
        share = 100 * mqls / n if n else 0.0
        detail = f"{share:.1f}% of leads"
        if prev:
            pshare = 100 * prev.mqls / prev.leads if prev.leads else 0.0
            if round(share - pshare, 1):
                detail += f" ({format_delta(share - pshare, 1, ' pp')})"
        d = mqls - prev.mqls if prev else 0
        t["mqls"].set(f"{mqls:,}", format_delta(d) if prev else "", detail, delta_color=_delta_color(d))

        sqls = sc.get("SQL", 0)
        d = sqls - prev.status_counts.get("SQL", 0) if prev else 0
        t["sqls"].set(f"{sqls:,}", format_delta(d) if prev else "", f"{100 * sqls / n:.1f}% of leads" if n else "",
                      delta_color=_delta_color(d))

        wk = summary.weekly
        cap = summary.capacity_per_week
        if wk is None or len(wk.frame) == 0:
            t["weekly"].set("–", "", "needs lead creation dates")
        else:
            mean = wk.mean_mqls
            over = wk.weeks_over
            nweeks = len(wk.frame)
            over_txt = f"{over} of {nweeks} weeks over"
            if over:
                over_txt = f"<span style='color:{PALETTE['warning']}; font-weight:bold'>{over_txt}</span>"
            detail = f"capacity {cap:,.0f} · {over_txt}"
            delta, dcol = "", _SAME
            if prev and prev.weekly is not None and len(prev.weekly.frame):
                dm = mean - prev.weekly.mean_mqls
                delta, dcol = format_delta(dm, 1 if abs(dm) < 10 else 0), _delta_color(dm)
                dov = over - prev.weekly.weeks_over
                if dov:
                    detail += (f" <span style='color:{_delta_color(dov, bad_when_up=True)}'>"
                               f"({format_delta(dov)})</span>")
            t["weekly"].set(
                f"{mean:,.1f}" if mean < 100 else f"{mean:,.0f}", delta, detail,
                value_color=PALETTE["warning"] if cap > 0 and mean > cap else None, delta_color=dcol,
            )

        conv = _mql_conversion(summary)
        if t["conversion"].isHidden() == (conv is not None):
            t["conversion"].setVisible(conv is not None)
        if conv is not None:
            rm, ro = conv
            lift = f" ({rm / ro:.1f}×)" if ro > 0 else ""
            delta, dcol = "", _SAME
            pconv = _mql_conversion(prev) if prev else None
            if pconv is not None:
                dd = 100 * (rm - pconv[0])
                delta, dcol = format_delta(dd, 1, " pp"), _delta_color(dd)
            t["conversion"].set(f"{100 * rm:.1f}%", delta, f"others {100 * ro:.1f}%{lift}",
                                delta_color=dcol)

    def add_tile(self, key: str, tile: Tile) -> Tile:
        """Append a tile that another part of the app keeps up to date (e.g. the holdout AUC).

        :meth:`set_summary` leaves its value alone except without a summary (then it shows "–").
        """
        lay = self.layout()
        sep = QFrame(self)
        sep.setFrameShape(QFrame.Shape.VLine)
        sep.setStyleSheet("color: #d0d0d0;")
        lay.addWidget(sep)
        tile.setParent(self)
        tile.separator = sep  # hide it together with the tile
        lay.addWidget(tile, 1)
        self.tiles[key] = tile
        tile.set_font_scale(self._scale)
        return tile

    def text(self) -> str:
        """One line of plain text: ``Leads 120,000 · MQLs 412 (+37) · ...`` (status bar, copy, tests)."""
        return " · ".join(t.text() for t in self.tiles.values() if not t.isHidden())

    def set_font_scale(self, factor: float) -> None:
        """Scale every text (1.0 = application font; 1.6 for projectors)."""
        self._scale = max(0.5, float(factor))
        for t in self.tiles.values():
            t.set_font_scale(self._scale)
        self.setMinimumHeight(0)  # a new text size: the strip may be lower than before
        self.updateGeometry()

    def hold_height(self) -> None:
        """Never get lower again at this text size: a delta that appears or wraps during a drag would
        otherwise shift the plots under the mouse (the strip only grows, once)."""
        h = self.sizeHint().height()
        if h > self.minimumHeight():
            self.setMinimumHeight(h)
