"""Analysis > Compare with model...: the open model (A) against a model file (B) on the loaded leads.

Shows the metrics side by side, both score distributions overlaid, the
agreement matrix (MQL in both / only A / only B / neither, with conversion
when an outcome is chosen) and the leads one model hands to sales and the
other does not, with the rules that make the difference. The numbers are
:func:`leaddesigner.core.analysis.compare.compare`'s, computed in a worker thread on a
copy of the open model (the user may keep editing meanwhile).
"""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.formatting import pct_text
from leaddesigner.gui.plotting.base import PALETTE, CountAxis, PlotPanel, ScoreAxis, YRange, scaled_font
from leaddesigner.gui.tasks import TaskRunner

__all__ = ["CompareDialog", "DistributionOverlayView", "AgreementMatrix", "open_compare_dialog", "LIST_LIMIT"]

MODEL_FILTER = "Lead-scoring models (*.yaml *.yml *.json);;All files (*)"
#: leads listed (with their reasons) per side; the totals are always exact
LIST_LIMIT = 200
COLOUR_A = PALETTE["converted"]
COLOUR_B = PALETTE["warning"]


def _run_compare(model_a, model_b, data, outcome, progress=None):
    from leaddesigner.core.analysis.compare import compare

    if progress:
        progress(0.05, "Scoring both models")
    out = compare(model_a, model_b, data, outcome=outcome, limit=LIST_LIMIT)
    if progress:
        progress(1.0, "Done")
    return out


class DistributionOverlayView(PlotPanel):
    """Both models' score distributions on common bins: A filled, B as a line on top."""

    TOOLTIP = "How many leads get each score in model A (filled) and model B (line), on the same bins."

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Score distributions", ScoreAxis("bottom"), CountAxis("left"), parent)
        self.setToolTip(self.TOOLTIP)
        self._edges = np.linspace(0, 100, 51)
        self._a = np.zeros(50)
        self._b = np.zeros(50)
        fill = QColor(COLOUR_A)
        fill.setAlpha(150)
        self.curve_a = pg.PlotDataItem(self._edges, self._a, stepMode="center", fillLevel=0,
                                       pen=pg.mkPen(COLOUR_A, width=1), brush=pg.mkBrush(fill))
        self.curve_b = pg.PlotDataItem(self._edges, self._b, stepMode="center", pen=pg.mkPen(COLOUR_B, width=3))
        self.curve_b.setZValue(2)
        self.line_a = pg.InfiniteLine(pos=0, angle=90, movable=False, pen=pg.mkPen(COLOUR_A, width=2, style=Qt.PenStyle.DashLine))
        self.line_b = pg.InfiniteLine(pos=0, angle=90, movable=False, pen=pg.mkPen(COLOUR_B, width=2, style=Qt.PenStyle.DashLine))
        for it in (self.curve_a, self.curve_b, self.line_a, self.line_b):
            self.plot_item.addItem(it)
        self.legend.add("a", "A", "box", fill.name(), COLOUR_A)
        self.legend.add("b", "B", "line", COLOUR_B)
        self.legend.add("t", "MQL thresholds (dashed)", "line", PALETTE["muted"], dashed=True)
        self._yrange = YRange()
        self._set_axis_titles("Score", "Leads")
        self.show_message("Comparing…")
        self.set_font_scale(1.0)

    def set_histograms(self, edges, hist_a, hist_b, threshold_a: float, threshold_b: float,
                       name_a: str = "A", name_b: str = "B") -> None:
        self._edges, self._a, self._b = np.asarray(edges, float), np.asarray(hist_a, float), np.asarray(hist_b, float)
        self.curve_a.setData(self._edges, self._a)
        self.curve_b.setData(self._edges, self._b)
        self.line_a.setValue(threshold_a)
        self.line_b.setValue(threshold_b)
        self.legend.set_text("a", f"A: {name_a}")
        self.legend.set_text("b", f"B: {name_b}")
        self.view_box.setXRange(float(self._edges[0]), float(self._edges[-1]), padding=0.01)
        peak = float(max(self._a.max(initial=0), self._b.max(initial=0)))
        self._yrange.top = None
        self._yrange.update(peak)
        self.view_box.setYRange(0, self._yrange.top, padding=0)
        self.show_message(None)

    def _tooltip_at(self, pos: QPointF) -> str | None:
        e = self._edges
        x = pos.x()
        if not len(self._a) or x < e[0] or x > e[-1]:
            return None
        i = min(int(np.searchsorted(e, x, side="right")) - 1, len(self._a) - 1)
        return f"Score {e[i]:g} to {e[i + 1]:g}: A {int(self._a[i]):,} leads, B {int(self._b[i]):,} leads"


class AgreementMatrix(QWidget):
    """2 x 2 grid: rows A (MQL, not MQL), columns B (MQL, not MQL); count, share and conversion per cell."""

    CELLS = {("a", "b"): "both", ("a", "-"): "only_a", ("-", "b"): "only_b", ("-", "-"): "neither"}

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(3)
        heads = [("B: MQL", 0, 1), ("B: not MQL", 0, 2), ("A: MQL", 1, 0), ("A: not MQL", 2, 0)]
        for text, r, c in heads:
            lab = QLabel(f"<b>{text}</b>", self)
            lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(lab, r, c)
        self.labels: dict[str, QLabel] = {}
        for (ra, cb), key in self.CELLS.items():
            lab = QLabel("–", self)
            lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lab.setTextFormat(Qt.TextFormat.RichText)
            lab.setMinimumSize(150, 64)
            agree = key in ("both", "neither")
            bg = "#eef4fa" if agree else "#fdeee4"
            border = PALETTE["ok"] if agree else PALETTE["warning"]
            lab.setStyleSheet(f"QLabel {{ background: {bg}; border: 1px solid {border}; border-radius: 3px; "
                              f"color: {PALETTE['text']}; padding: 4px; }}")
            grid.addWidget(lab, 1 if ra == "a" else 2, 1 if cb == "b" else 2)
            self.labels[key] = lab
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)

    def set_agreement(self, agreement: dict[str, int], conversion: dict | None) -> None:
        n = max(sum(agreement.values()), 1)
        words = {"both": "MQL in both", "only_a": "only A hands over", "only_b": "only B hands over", "neither": "neither"}
        for key, lab in self.labels.items():
            c = int(agreement.get(key, 0))
            text = f"<span style='font-size:large'><b>{c:,}</b></span><br>{100 * c / n:.1f}% · {words[key]}"
            if conversion is not None:
                r = conversion.get(key)
                text += f"<br>{pct_text(r)} converted" if r is not None else "<br>no leads"
            lab.setText(text)

    def count(self, key: str) -> int:
        """The count shown in cell ``key`` (tests)."""
        import re

        m = re.search(r"<b>([\d,]+)</b>", self.labels[key].text())
        return int(m.group(1).replace(",", "")) if m else -1


class CompareDialog(QDialog):
    """The comparison of the open model (A) with ``path`` (B) on the window's leads."""

    #: the comparison is on screen
    compared = Signal()

    def __init__(self, window, path: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent or window)
        self.window_ = window
        self.doc = window.doc
        self.path: Path | None = None
        self.model_b = None
        self.comparison = None
        self.runner = TaskRunner("LeadDesignerCompare", self)
        self.runner.progress.connect(self._on_runner_progress)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.cancelled.connect(self._on_runner_cancelled)
        self.setWindowTitle("Compare models")
        self.setModal(False)
        self.resize(1180, 720)

        self.heading = QLabel("", self)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.heading.setFont(scaled_font(1.0, 1.1))
        self.choose_button = QPushButton("Choose model B…", self)
        self.choose_button.clicked.connect(self.choose_file)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(240)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)
        top.addWidget(self.choose_button)

        self.metrics = QTableWidget(0, 3, self)
        self.metrics.setHorizontalHeaderLabels(["", "A", "B"])
        self.metrics.verticalHeader().setVisible(False)
        self.metrics.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.metrics.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.metrics.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2):
            self.metrics.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.agreement = AgreementMatrix(self)
        self.agree_note = QLabel("", self)
        self.agree_note.setWordWrap(True)
        self.agree_note.setStyleSheet(f"color: {PALETTE['muted']};")
        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        lab = QLabel("<b>Metrics</b>", left)
        ll.addWidget(lab)
        ll.addWidget(self.metrics, 1)
        ll.addWidget(QLabel("<b>Who goes to sales</b> (MQL = MQL or SQL)", left))
        ll.addWidget(self.agreement)
        ll.addWidget(self.agree_note)

        self.dist = DistributionOverlayView(self)
        upper = QSplitter(Qt.Orientation.Horizontal, self)
        upper.addWidget(left)
        upper.addWidget(self.dist)
        upper.setStretchFactor(0, 4)
        upper.setStretchFactor(1, 5)
        upper.setChildrenCollapsible(False)

        self.lists = QTabWidget(self)
        self.table_a = self._lead_table()
        self.table_b = self._lead_table()
        self.lists.addTab(self.table_a, "Only A hands to sales")
        self.lists.addTab(self.table_b, "Only B hands to sales")
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(upper)
        split.addWidget(self.lists)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        self.notes = QLabel("", self)
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet(f"color: {PALETTE['muted']};")
        self.notes.setVisible(False)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        lay.addWidget(self.notes)
        lay.addWidget(buttons)
        self._set_heading()
        if path is not None:
            self.set_model_file(path)

    def _lead_table(self) -> QTableWidget:
        t = QTableWidget(0, 6, self)
        t.setHorizontalHeaderLabels(["Lead", "Score A", "Score B", "Status A → B", "Converted", "What makes the difference"])
        t.verticalHeader().setVisible(False)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # one line per reason (newlines, no wrapping): row heights do not depend on the column width
        t.setWordWrap(False)
        t.setTextElideMode(Qt.TextElideMode.ElideRight)
        t.setAlternatingRowColors(True)
        h = t.horizontalHeader()
        for c in range(5):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        return t

    # -------------------------------------------------------------- flow
    def _set_heading(self, extra: str = "") -> None:
        a = self.doc.model.name or self.doc.title
        b = (self.model_b.name or self.path.name) if self.model_b is not None else "choose a model file"
        n = len(self.doc.data) if self.doc.data is not None else 0
        text = (f"<b><span style='color:{COLOUR_A}'>A</span></b> {_h(a)} (open now) &nbsp; vs &nbsp; "
                f"<b><span style='color:{COLOUR_B}'>B</span></b> {_h(b)}"
                + (f" <span style='color:{PALETTE['muted']}'>({_h(self.path.name)})</span>" if self.path else "")
                + f"<br><span style='color:{PALETTE['muted']}'>on {n:,} loaded leads"
                + (f", outcome <i>{_h(self.doc.outcome_column)}</i>" if self.doc.outcome is not None else
                   ", no outcome column (Data > Outcome column adds conversion figures)")
                + "</span>" + extra)
        self.heading.setText(text)

    def choose_file(self) -> bool:
        w = self.window_
        start = w._last_folder() if hasattr(w, "_last_folder") else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Compare with model", start, MODEL_FILTER)
        if not path:
            return False
        return self.set_model_file(Path(path))

    def set_model_file(self, path: Path) -> bool:
        """Load model B from ``path`` and compare. Returns False (with a message) when it cannot be read."""
        from leaddesigner.core.model.io import ModelError, load_model

        path = Path(path)
        try:
            model = load_model(path)
        except ModelError as e:
            lines = [(f"line {i.line}: " if i.line else "") + i.message for i in e.issues[:6]]
            self._error(f"{path.name} cannot be compared: it has {len(e.issues)} problem(s).\n" + "\n".join(lines))
            return False
        except OSError as e:
            self._error(f"Cannot read {path}: {e.strerror or e}.")
            return False
        self.path, self.model_b = path, model
        self.start()
        return True

    def start(self) -> None:
        d = self.doc
        if d.data is None or self.model_b is None:
            return
        self.cancel()
        d.flush()
        self._set_busy(True)
        self._set_heading()
        self.dist.show_message("Comparing…")
        self.runner.run(_run_compare, d.model.copy(), self.model_b.copy(), dataclasses.replace(d.data),
                        None if d.outcome is None else np.asarray(d.outcome, dtype=bool))

    def cancel(self) -> None:
        self.runner.cancel(quiet=True)
        self._set_busy(False)

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress.setValue(0)

    def _on_runner_progress(self, f: float, msg: str) -> None:
        self.progress.setValue(int(f * 1000))
        self.progress.setFormat(msg[:30] + " %p%")

    def _on_runner_failed(self, message: str) -> None:
        self._set_busy(False)
        self.dist.show_message("The comparison failed")
        self._error(f"The models could not be compared: {message}")

    def _on_runner_cancelled(self) -> None:
        self._set_busy(False)

    def _error(self, text: str) -> None:
        if not self.isVisible():
            self.window_.error_dialog("Cannot compare the models", text)
        self.notes.setText(f"<span style='color:{PALETTE['warning']}'><b>{_h(text)}</b></span>")
        self.notes.setVisible(True)

    def _on_runner_finished(self, cmp) -> None:
        self._set_busy(False)
        self.comparison = cmp
        self._show(cmp)
        self.compared.emit()

    # -------------------------------------------------------------- showing
    def _show(self, c) -> None:
        a, b = c.metrics_a, c.metrics_b
        rows = [("Name", a.name or "–", b.name or "–"), *c.metric_rows(dash="–")]
        t = self.metrics
        t.setRowCount(len(rows))
        better = _better(c)
        for r, (name, va, vb) in enumerate(rows):
            t.setItem(r, 0, QTableWidgetItem(name))
            for col, v in ((1, va), (2, vb)):
                it = QTableWidgetItem(v)
                it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                side = better.get(name)
                if side is not None and side == ("A" if col == 1 else "B"):
                    f = it.font()
                    f.setBold(True)
                    it.setFont(f)
                t.setItem(r, col, it)
        t.resizeRowsToContents()
        self.agreement.set_agreement(c.agreement, c.agreement_conversion)
        self.agree_note.setText(f"The models agree on {100 * c.agreement_rate:.1f}% of leads."
                                + (" Bold: the better figure." if better else ""))
        self.dist.set_histograms(c.bin_edges, c.hist_a, c.hist_b, a.mql_threshold, b.mql_threshold,
                                 a.name or "A", b.name or "B")
        for table, lst, total, side in ((self.table_a, c.only_a, c.only_a_total, "A"),
                                        (self.table_b, c.only_b, c.only_b_total, "B")):
            self._fill(table, lst)
            shown = f", first {len(lst)}" if len(lst) < total else ""
            self.lists.setTabText(0 if side == "A" else 1, f"Only {side} hands to sales ({total:,}{shown})")
        if c.only_a_total == 0 and c.only_b_total > 0:
            self.lists.setCurrentIndex(1)
        elif c.only_b_total == 0 and c.only_a_total > 0:
            self.lists.setCurrentIndex(0)
        self.notes.setText("<br>".join(_h(n) for n in c.notes))
        self.notes.setVisible(bool(c.notes))
        self._set_heading()

    def _fill(self, table: QTableWidget, lst) -> None:
        table.setRowCount(len(lst))
        for r, dif in enumerate(lst):
            conv = "" if dif.converted is None else ("yes" if dif.converted else "no")
            grade = lambda g: f" {g}" if g else ""  # noqa: E731
            vals = [str(dif.lead_id), _score(dif.score_a), _score(dif.score_b),
                    f"{dif.status_a}{grade(dif.grade_a)} → {dif.status_b}{grade(dif.grade_b)}", conv,
                    "\n".join(dif.words()) or "–"]
            for c, v in enumerate(vals):
                it = QTableWidgetItem(v)
                if c in (1, 2):
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 5:
                    it.setToolTip(v)
                table.setItem(r, c, it)
        table.resizeRowsToContents()

    def done(self, r: int) -> None:  # noqa: D401 (Qt API)
        self.cancel()
        super().done(r)


def _h(s) -> str:
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _score(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _better(c) -> dict[str, str]:
    """Which model has the better figure, for the rows where 'better' is clear."""
    a, b = c.metrics_a, c.metrics_b
    out = {}

    def pick(name, va, vb, higher=True, digits=None):
        if va is None or vb is None or (isinstance(va, float) and math.isnan(va)) or (isinstance(vb, float) and math.isnan(vb)):
            return
        if digits is not None:  # compare what the table shows: 37.7% against 37.7% is a tie, not a bold win
            va, vb = round(float(va), digits), round(float(vb), digits)
        if va == vb:
            return
        out[name] = "A" if (va > vb) == higher else "B"

    pick("ROC AUC (all leads)", a.auc, b.auc, digits=3)
    pick("MQLs that convert", a.precision, b.precision, digits=3)  # shown as 37.7%
    pick("Conversions captured", a.recall, b.recall, digits=3)
    pick("Weeks over capacity", a.weeks_over_capacity, b.weeks_over_capacity, higher=False)
    return out


def open_compare_dialog(window, path: Path | None = None) -> CompareDialog | None:
    """Analysis > Compare with model...: ask for the file (unless given) and show the comparison."""
    if window.doc.data is None:
        window.error_dialog("Nothing to compare on", "Load leads first (Data > Load leads): both models are scored on them.")
        return None
    dlg = CompareDialog(window)
    if path is None:
        if not dlg.choose_file():
            dlg.deleteLater()
            return None
    else:
        dlg.set_model_file(path)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()
    window._compare_dialog = dlg
    return dlg
