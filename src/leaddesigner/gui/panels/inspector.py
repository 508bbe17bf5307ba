"""Lead inspector: one lead's score, rule by rule, and what it would take to become an MQL."""
from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.gui.document import ModelDocument
from leaddesigner.gui.tables.base import cell_text, fmt_number
from leaddesigner.gui.tables.leads import ExplanationTableModel

__all__ = ["LeadInspector"]

#: attributes shown in the lead's one-line profile when the model has them
PROFILE = ("company", "industry", "company_size", "country", "job_title", "seniority", "persona", "lead_source")


class LeadInspector(QWidget):
    """Shows :meth:`Scorer.explain` for the chosen lead and follows every edit."""

    leadChanged = Signal(int)

    def __init__(self, document: ModelDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = document
        self.row: int | None = None
        self._rng = np.random.default_rng(7)
        self._dirty = False

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Lead id, e.g. L0000042")
        self.search.setToolTip("Type a lead id and press Enter")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self.near_btn = QPushButton("Near miss", self)
        self.near_btn.setToolTip("A random lead just below the MQL threshold: what is it missing? (Alt+N)")
        self.near_btn.setShortcut("Alt+N")
        self.near_btn.clicked.connect(self.show_near_miss)
        self.mql_btn = QPushButton("Random MQL", self)
        self.mql_btn.setToolTip("A random lead that is an MQL now: why? (Alt+M)")
        self.mql_btn.setShortcut("Alt+M")
        self.mql_btn.clicked.connect(lambda: self.show_random(status=1))
        self.top_btn = QPushButton("Top lead", self)
        self.top_btn.setToolTip("The lead with the highest score (Alt+T)")
        self.top_btn.setShortcut("Alt+T")
        self.top_btn.clicked.connect(self.show_top)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.search, 1)
        for b in (self.near_btn, self.mql_btn, self.top_btn):
            bar.addWidget(b)

        self.header = QLabel("Pick a lead in the Leads tab (double-click), or use the buttons above.", self)
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.profile = QLabel("", self)
        self.profile.setWordWrap(True)
        self.profile.setStyleSheet("color: #555;")

        self.model = ExplanationTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        h.setStretchLastSection(True)
        self.table.setColumnWidth(1, 230)
        self.table.setToolTip("Every rule that gave this lead points and every cap that applied; they add up to the score")

        self.verdict = QLabel("", self)
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.verdict.setFrameShape(QFrame.Shape.StyledPanel)
        self.verdict.setStyleSheet("QLabel { background: #f7eef3; border: 1px solid #d9b3c8; border-radius: 4px; padding: 6px; }")
        self.verdict.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.verdict.setVisible(False)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)
        lay.addLayout(bar)
        lay.addWidget(self.header)
        lay.addWidget(self.profile)
        lay.addWidget(self.verdict)
        lay.addWidget(self.table, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)  # explaining reads every rule's column: after the plots, not before
        self._timer.timeout.connect(self.refresh)
        document.scoresChanged.connect(self._on_document_scores_changed)
        document.dataReset.connect(self._on_document_data_reset)

    # -- choosing a lead
    def set_row(self, row: int | None) -> None:
        self.row = row
        self.refresh()
        if row is not None:
            self.leadChanged.emit(row)

    def show_lead_id(self, lead_id: str) -> bool:
        d = self.doc.data
        if d is None:
            return False
        try:
            loc = d.ids.get_loc(lead_id.strip())
        except KeyError:
            return False
        if isinstance(loc, slice):
            loc = loc.start
        elif not isinstance(loc, (int, np.integer)):
            loc = int(np.flatnonzero(loc)[0])
        self.set_row(int(loc))
        return True

    def show_near_miss(self) -> None:
        sc = self.doc.scorer
        if sc is None:
            return
        res = sc.result
        mql = self.doc.model.thresholds.mql
        cand = np.flatnonzero((res.status == 0) & (res.score >= mql - 10))
        if not len(cand):
            cand = np.flatnonzero(res.status == 0)
        if len(cand):
            self.set_row(int(self._rng.choice(cand)))

    def show_random(self, status: int) -> None:
        sc = self.doc.scorer
        if sc is None:
            return
        cand = np.flatnonzero(sc.result.status >= status)
        if len(cand):
            self.set_row(int(self._rng.choice(cand)))

    def show_top(self) -> None:
        sc = self.doc.scorer
        if sc is not None and sc.n:
            self.set_row(int(np.argmax(sc.result.score)))

    def _on_search_return_pressed(self) -> None:
        text = self.search.text().strip()
        if not text:
            return
        if not self.show_lead_id(text):
            self.header.setText(f"<span style='color:#C0392B'>No lead with id <b>{escape(text)}</b> in the loaded file.</span>")

    # -- following edits
    def _on_document_scores_changed(self) -> None:
        if self.row is None:
            return
        if self.isVisible():
            self._timer.start()
        else:
            self._dirty = True

    def _on_document_data_reset(self) -> None:
        self.row = None
        self.model.set_explanation(None)
        self.header.setText("Pick a lead in the Leads tab (double-click), or use the buttons above.")
        self.profile.setText("")
        self.verdict.setVisible(False)

    def showEvent(self, ev) -> None:  # noqa: N802
        super().showEvent(ev)
        if self._dirty:
            self._dirty = False
            self.refresh()

    def set_calibration(self, cal) -> None:
        """Points as probabilities from the last backtest (core.analysis.calibration.Calibration, or None)."""
        self.calibration = cal
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        sc = self.doc.scorer
        if sc is None or self.row is None or self.row >= sc.n:
            return
        try:
            exp = sc.explain(self.row)
        except Exception as e:  # keep the panel alive; the status bar has the scoring error
            self.header.setText(f"Cannot explain this lead now ({type(e).__name__}).")
            return
        self.model.set_explanation(exp)
        status = exp.status
        colour = {"MQL": "#AA3377", "SQL": "#222222"}.get(status, "#555555")
        grade = f" &nbsp;·&nbsp; grade <b>{exp.grade}</b>" if exp.grade else ""
        self.header.setText(
            f"<span style='font-size:120%'><b>{escape(exp.lead_id)}</b> &nbsp; score <b>{fmt_number(round(exp.score, 1), 1)}</b>"
            f" &nbsp;<span style='color:{colour}'><b>{status}</b></span>{grade}</span><br>"
            f"fit {fmt_number(round(exp.fit, 1), 1)} + engagement {fmt_number(round(exp.engagement, 1), 1)}"
            + ("".join(f" &nbsp;·&nbsp; {p} {fmt_number(round(v, 1), 1)}" for p, v in exp.products.items()))

        )
        self.profile.setText(" · ".join(t for t in (self._profile_text(self.row), self._moment_text(self.row)) if t))
        cal = getattr(self, "calibration", None)
        if cal is not None:  # from the last backtest: what leads with this score converted at
            self.header.setText(self.header.text() + " &nbsp;·&nbsp; leads scoring like this converted "
                                + escape(cal.rate_text(exp.score)))
        if exp.to_mql:
            self.verdict.setText(f"<b>What it would take:</b> {escape(exp.to_mql)}")
            self.verdict.setVisible(True)
        elif status != "lead":
            self.verdict.setText(f"<b>{status}</b>: at or above the {status} threshold"
                                 + (" with an allowed grade." if self.doc.model.grades.mql_cells else "."))
            self.verdict.setVisible(True)
        else:
            self.verdict.setVisible(False)
        self.table.resizeColumnToContents(0)

    def _moment_text(self, row: int) -> str:
        """When this lead is scored: ``scored 30 days after creation (2026-05-13)``."""
        d = self.doc.data
        end = d.as_of
        end_text = f"the end of {end - pd.Timedelta(days=1):%Y-%m-%d}" if end == end.normalize() else f"{end:%Y-%m-%d %H:%M}"
        h = d.horizon_days
        if h is not None and d.created is not None:
            created = d.frame[d.created].iat[row]
            if created == created:  # not NaT
                moment = pd.Timestamp(created) + pd.Timedelta(days=h)
                if moment < end:
                    return f"scored {h:g} days after creation ({moment:%Y-%m-%d})"
                return f"scored at {end_text} (younger than {h:g} days)"
        return f"scored at {end_text}"

    def _profile_text(self, row: int) -> str:
        d = self.doc.data
        parts = []
        for name in PROFILE:
            for f in (d.frame, d.extra):
                if f is not None and name in f.columns:
                    t = cell_text(f[name].iat[row])
                    if t:
                        parts.append(f"{t} employees" if name == "company_size" else t)
                    break
        n_ev = ""
        if d.events is not None:
            k = int(np.count_nonzero(d.events.lead == row))
            n_ev = f"{k:,} event{'s' if k != 1 else ''}"
        return " · ".join(parts + ([n_ev] if n_ev else []))

    def explanation(self):
        return self.model.explanation()

    def current_status(self) -> str | None:
        exp = self.model.explanation()
        return exp.status if exp is not None else None

