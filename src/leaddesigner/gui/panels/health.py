"""The Health tab: the model over the months its leads were created in (the figures ``leaddesigner health`` prints).

An adapter over :func:`leaddesigner.core.analysis.health.health`, computed in a
worker (latest request wins) after each load and edit while the tab is shown:
per period the leads, MQL rate, median score, PSI against the first period and,
with an outcome, the conversion of MQLs and of the others and the median days
to convert; then inflation and the flags (score shift, MQL rate, rule drift).
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.analysis.health import PSI_MAJOR, PSI_WATCH, health
from leaddesigner.core.formatting import pct_text
from leaddesigner.core.scoring.engine import Scorer
from leaddesigner.gui.tasks import TaskRunner

__all__ = ["HealthPanel", "install"]

COLUMNS = ["Period", "Leads", "MQL rate", "Median", "PSI", "Days to MQL", "MQLs conv.", "Others conv.", "Days (MQLs)",
           "Days (others)", "MQL to won"]
TIPS = {3: "Median score of the period's leads", 5: "Median days from creation until an MQL first scores as one",
        6: "Share of the period's MQLs that converted", 7: "Share of the other leads that converted",
        8: "Median days from creation to conversion, converted MQLs",
        9: "Median days from creation to conversion, other converted leads",
        10: "The sales cycle: median days from becoming an MQL to conversion"}


def _run(model, data, outcome, converted_at, period: str):
    """In the worker: score a copy (the window keeps editing its own), then the health figures."""
    return health(Scorer(model, data), outcome, period=period, converted_at=converted_at)


def _days(x) -> str:
    return "" if x is None else f"{x:.0f}"


class HealthPanel(QWidget):
    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = document
        self.result = None
        self._stale = True
        self.runner = TaskRunner("LeadDesignerHealth", self)
        self.runner.finished.connect(self._on_result)
        self.runner.failed.connect(self._on_failed)
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Leads grouped by the", self))
        self.period = QComboBox(self)
        for key in ("month", "quarter", "week"):
            self.period.addItem(key, key)
        self.period.currentIndexChanged.connect(lambda _i: self.recompute())
        top.addWidget(self.period)
        top.addWidget(QLabel("they were created in", self))
        top.addStretch(1)
        lay.addLayout(top)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for col, tip in TIPS.items():
            self.table.horizontalHeaderItem(col).setToolTip(tip)
        self.table.horizontalHeaderItem(4).setToolTip(
            f"Population stability index of the period's scores against the first period: over {PSI_WATCH} worth a "
            f"look, over {PSI_MAJOR} a major shift")
        lay.addWidget(self.table, 1)
        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.notes)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.recompute)
        document.scoresChanged.connect(self._on_document_scores_changed)

    @property
    def busy(self) -> bool:
        return self.runner.busy or self._timer.isActive()

    def _on_document_scores_changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self._timer.start(300)  # an edit burst (a drag) computes once

    def showEvent(self, ev) -> None:  # noqa: N802 (Qt API)
        super().showEvent(ev)
        if self._stale:
            self.recompute()

    def recompute(self) -> None:
        d = self.doc
        self._stale = False
        if d.data is None or d.scorer is None:
            self.notes.setText("Load leads first: health is the model over the months your leads were created in.")
            return
        read = getattr(d, "outcome_read", None)
        at = getattr(read, "at", None) if read is not None else None
        self.notes.setText("Computing \u2026")
        self.runner.run(_run, d.model.copy(), d.data, None if d.outcome is None else d.outcome.copy(), at,
                        self.period.currentData(), progress_kw=None)

    def _on_failed(self, message: str) -> None:
        self.result = None
        self.table.setRowCount(0)
        self.notes.setText(f"<span style='color:#C0392B'>{html.escape(message)}</span>")

    def _on_result(self, h) -> None:
        self.result = h
        self.table.setRowCount(len(h.periods))
        for r, p in enumerate(h.periods):
            cells = [p.period, f"{p.leads:,}", pct_text(p.mql_rate, missing=""), f"{p.median_score:.1f}", f"{p.psi:.3f}",
                     _days(p.days_to_mql), pct_text(p.mql_conversion, missing=""), pct_text(p.other_conversion, missing=""),
                     _days(p.days_to_convert_mql), _days(p.days_to_convert_other), _days(p.days_mql_to_convert)]
            for c, text in enumerate(cells):
                it = QTableWidgetItem(text)
                if c:
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 4 and p.psi > PSI_WATCH:
                    it.setForeground(QColor("#C0392B" if p.psi > PSI_MAJOR else "#B9770E"))
                self.table.setItem(r, c, it)
        parts = []
        if h.inflation_text:
            parts.append(html.escape(h.inflation_text))
        parts += [f"<span style='color:#B9770E'>\u26a0 {html.escape(f)}</span>" for f in h.flags] or [
            "No flags: scores, MQL rate and rules are steady."]
        self.notes.setText("<br>".join(parts))


def install(window) -> HealthPanel:
    """Add the Health tab to ``window.view_tabs`` and "Model health" to the Analysis menu."""
    panel = HealthPanel(window.doc, window.view_tabs)
    panel.window_ = window
    i = window.view_tabs.addTab(panel, "Health")
    window.view_tabs.setTabToolTip(i, "The model over time: score drift (PSI), MQL rate, conversion, sales cycle, "
                                      "inflation, rules whose reach moved")
    act = QAction("Model &health over time", window)
    act.setShortcut("Ctrl+Shift+H")
    act.triggered.connect(lambda: window.view_tabs.setCurrentWidget(panel))
    window.analysis_menu.addAction(act)
    window.act_health = act
    window.panels["health"] = panel
    return panel
