"""Form panels bound to the model: thresholds, capacity, grades and caps; definitions and metadata.

Two-way binding without loops: widgets push core commands; when the document
reports a change the panel writes model values back with signals blocked.
"""
from __future__ import annotations

import copy

import pandas as pd
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.edits import commands as C
from leaddesigner.core.edits.changes import Change
from leaddesigner.core.model import types as M
from leaddesigner.gui.document import DEFAULT_HORIZON_DAYS, ModelDocument, day_text
from leaddesigner.gui.panels.accounts_form import AccountsBox
from leaddesigner.gui.tables.delegates import NumberDelegate
from leaddesigner.gui.tables.parts import CapsTableModel, GradeBandsTableModel

__all__ = ["RecyclingBox", "ScoringMomentBox", "TargetsPanel"]


def _spin(parent, lo: float, hi: float, step: float = 1.0, decimals: int = 1, suffix: str = "") -> QDoubleSpinBox:
    sb = QDoubleSpinBox(parent)
    sb.setRange(lo, hi)
    sb.setDecimals(decimals)
    sb.setSingleStep(step)
    sb.setKeyboardTracking(False)
    sb.setAccelerated(True)
    if suffix:
        sb.setSuffix(suffix)
    sb.setMaximumWidth(130)
    return sb


def _ispin(parent, lo: int, hi: int, suffix: str = "") -> QSpinBox:
    sb = QSpinBox(parent)
    sb.setRange(lo, hi)
    sb.setKeyboardTracking(False)
    if suffix:
        sb.setSuffix(suffix)
    sb.setMaximumWidth(130)
    return sb


def _small_table(parent, model) -> QTableView:
    t = QTableView(parent)
    t.setModel(model)
    t.setItemDelegate(NumberDelegate(t, optional=True))
    t.verticalHeader().setVisible(False)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                      | QAbstractItemView.EditTrigger.AnyKeyPressed)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    t.setAlternatingRowColors(True)
    return t


class ScoringMomentBox(QGroupBox):
    """When leads are scored: every lead as of one date, or each lead N days after it was created.

    A view setting, not a model edit (no undo step): it pushes
    :meth:`ModelDocument.set_scoring_moment` and follows ``momentChanged``.
    The date is the last day counted (scores as of the end of it) and caps the
    N days of young leads.
    """

    def __init__(self, document: ModelDocument, parent: QWidget | None = None):
        super().__init__("When leads are scored", parent)
        self.doc = document
        self.setObjectName("scoringMomentBox")
        self.as_of_radio = QRadioButton("as of the end of", self)
        self.as_of_radio.setToolTip("Every lead as it stood at the end of one day (by default the latest day in the data)")
        self.horizon_radio = QRadioButton("", self)
        self.horizon_radio.setToolTip(
            "Each lead as it stood N days after it was created: every week's leads are judged alike "
            "(leads younger than that are scored as of the date above)")
        self.group = QButtonGroup(self)
        self.group.addButton(self.as_of_radio)
        self.group.addButton(self.horizon_radio)
        self.date = QDateEdit(self)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setCalendarPopup(True)
        self.date.setKeyboardTracking(False)
        self.date.setToolTip("The last day counted: scores as of the end of it (activity after it is ignored)")
        self.end_label = QLabel("", self)
        self.end_label.setTextFormat(Qt.TextFormat.RichText)
        self.end_label.linkActivated.connect(self._on_end_label_link_activated)
        self.days = QSpinBox(self)
        self.days.setRange(1, 3650)
        self.days.setValue(int(DEFAULT_HORIZON_DAYS))
        self.days.setKeyboardTracking(False)
        self.days.setToolTip("Days after creation at which each lead is scored")
        self.days_label = QLabel("days after they were created (at most that day)", self)
        self.days_label.setToolTip(self.horizon_radio.toolTip())
        self.hint = QLabel(
            "With one date, old leads have lost the points of their recent activity, so MQLs per week seem to "
            "rise toward the latest weeks; N days after creation judges every week's leads the same way.", self)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")

        g = QGridLayout(self)
        g.setHorizontalSpacing(6)
        g.addWidget(QLabel("Score leads:", self), 0, 0)
        row1 = QHBoxLayout()
        row1.setSpacing(6)
        row1.addWidget(self.as_of_radio)
        row1.addWidget(self.date)
        row1.addWidget(self.end_label)
        row1.addStretch(1)
        row2 = QHBoxLayout()
        row2.setSpacing(6)
        row2.addWidget(self.horizon_radio)
        row2.addWidget(self.days)
        row2.addWidget(self.days_label)
        row2.addStretch(1)
        g.addLayout(row1, 0, 1)
        g.addLayout(row2, 1, 1)
        g.addWidget(self.hint, 2, 0, 1, 2)
        g.setColumnStretch(1, 1)

        self.as_of_radio.toggled.connect(self._on_radio_toggled)
        self.days.valueChanged.connect(self._on_days_value_changed)
        self.date.dateChanged.connect(self._on_date_changed)
        document.momentChanged.connect(self.sync)
        document.dataReset.connect(self.sync)
        self.sync()

    # -- model -> widgets
    def sync(self) -> None:
        d = self.doc
        widgets = (self.as_of_radio, self.horizon_radio, self.days, self.date)
        for w in widgets:
            w.blockSignals(True)
        try:
            dates = d.has_creation_dates or d.data is None
            horizon = d.horizon_pref if dates else None
            (self.horizon_radio if horizon is not None else self.as_of_radio).setChecked(True)
            if d.horizon_pref is not None:
                self.days.setValue(int(round(d.horizon_pref)))
            self.horizon_radio.setEnabled(dates)
            self.days.setEnabled(dates)
            self.days_label.setEnabled(dates)
            why = "" if dates else "The leads have no creation dates (the model's created date): every lead is scored as of one date."
            self.horizon_radio.setToolTip(why or self.days_label.toolTip())
            as_of, _ = d.scoring_moment()
            self.date.setEnabled(as_of is not None)
            if as_of is not None:
                day = pd.Timestamp(as_of) - pd.Timedelta(days=1)
                self.date.setDate(QDate(day.year, day.month, day.day))
            if d.data_end is None:
                self.end_label.setText("<span style='color:#555'>(the end of the data once leads are loaded)</span>")
            elif d.as_of_pref is None:
                self.end_label.setText("<span style='color:#555'>(end of data)</span>")
            else:
                self.end_label.setText(f"<a href='end'>back to the end of data ({day_text(d.data_end)})</a>")
        finally:
            for w in widgets:
                w.blockSignals(False)

    def text(self) -> str:
        """What the controls say, e.g. ``30 days after creation`` (tests, status)."""
        if self.horizon_radio.isChecked():
            return f"{self.days.value()} days after creation"
        return f"as of {self.date.date().toString('yyyy-MM-dd')}"

    # -- widgets -> document
    def _as_of(self) -> pd.Timestamp | None:
        if not self.date.isEnabled():
            return self.doc.as_of_pref
        q = self.date.date()
        ts = pd.Timestamp(q.year(), q.month(), q.day()) + pd.Timedelta(days=1)
        return None if ts == self.doc.data_end else ts

    def _push(self) -> None:
        horizon = float(self.days.value()) if self.horizon_radio.isChecked() else None
        self.doc.set_scoring_moment(horizon, self._as_of())

    def _on_radio_toggled(self, _on: bool) -> None:
        self._push()

    def _on_days_value_changed(self, _v: int) -> None:
        if not self.horizon_radio.isChecked():
            self.horizon_radio.setChecked(True)  # toggled pushes
        else:
            self._push()

    def _on_date_changed(self, _d) -> None:
        self._push()

    def _on_end_label_link_activated(self, _link: str) -> None:
        horizon = float(self.days.value()) if self.horizon_radio.isChecked() else None
        self.doc.set_scoring_moment(horizon, None)


class TargetsPanel(QWidget):
    """MQL/SQL thresholds, SDR capacity, grade bands and MQL grades, caps."""

    def __init__(self, document: ModelDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = document
        inner = QWidget(self)

        # -- thresholds
        self.mql = _spin(inner, -10000, 10000)
        self.mql.setToolTip("Leads with at least this score are MQLs (you can also drag the MQL line on the histogram)")
        self.sql_on = QCheckBox("SQL stage", inner)
        self.sql_on.setToolTip("Mark leads above a second, higher threshold as SQLs")
        self.sql = _spin(inner, -10000, 10000)
        self.sql.setToolTip("MQLs with at least this score are SQLs (dashed line on the histogram)")
        thr = QGroupBox("Thresholds", inner)
        f = QFormLayout(thr)
        f.addRow("MQL at score \u2265", self.mql)
        row = QHBoxLayout()
        row.addWidget(self.sql_on)
        row.addWidget(self.sql, 1)
        f.addRow("SQL at score \u2265", row)
        self.calibration_label = QLabel("", thr)
        self.calibration_label.setWordWrap(True)
        self.calibration_label.setToolTip("What past leads with these scores converted at (all leads with an outcome, "
                                          "90% interval), from the last backtest (Backtest tab)")
        self.calibration_label.setVisible(False)
        f.addRow(self.calibration_label)
        self.calibration = None
        hint = QLabel("Tip: drag the lines on the histogram; each drag is one undo step.", thr)
        hint.setStyleSheet("color: #555;")
        hint.setWordWrap(True)
        f.addRow(hint)

        # -- capacity
        self.sdrs = _ispin(inner, 0, 10000)
        self.sdrs.setToolTip("How many SDRs work the MQLs")
        self.per_sdr = _spin(inner, 0, 100000, 5, 0)
        self.per_sdr.setToolTip("How many MQLs one SDR can work in a week")
        self.sla = _spin(inner, 0, 10000, 1, 0, " h")
        self.sla.setToolTip("Hours within which an SDR must follow up an MQL")
        self.days = _ispin(inner, 1, 7)
        self.days.setToolTip("Working days per week")
        self.capacity_label = QLabel("", inner)
        self.capacity_label.setWordWrap(True)
        cap = QGroupBox("SDR capacity", inner)
        f2 = QFormLayout(cap)
        f2.addRow("SDRs", self.sdrs)
        f2.addRow("MQLs per SDR per week", self.per_sdr)
        f2.addRow("", self.capacity_label)
        f2.addRow("Follow-up SLA", self.sla)
        f2.addRow("Working days per week", self.days)
        self._build_capacity_extras(inner, f2)

        # -- grades
        grades = QGroupBox("Grades: fit letter x engagement number", inner)
        g = QGridLayout(grades)
        self.band_models = {}
        self.band_tables = {}
        for j, dim in enumerate(("fit", "engagement")):
            m = GradeBandsTableModel(document, dim, self)
            t = _small_table(grades, m)
            t.setToolTip(f"{dim.capitalize()} bands, highest first: a lead gets the first band whose minimum its {dim} score reaches")
            t.setMinimumHeight(120)
            self.band_models[dim], self.band_tables[dim] = m, t
            g.addWidget(QLabel(f"<b>{dim.capitalize()} bands</b>", grades), 0, 2 * j)
            add = QPushButton("+", grades)
            add.setToolTip(f"Add a {dim} band")
            add.setFixedWidth(32)
            add.clicked.connect(lambda _c=False, d=dim: self._on_add_band_clicked(d))
            rem = QPushButton("\u2212", grades)
            rem.setToolTip(f"Remove the selected {dim} band")
            rem.setFixedWidth(32)
            rem.clicked.connect(lambda _c=False, d=dim: self._on_remove_band_clicked(d))
            btns = QHBoxLayout()
            btns.addStretch(1)
            btns.addWidget(add)
            btns.addWidget(rem)
            g.addLayout(btns, 0, 2 * j + 1)
            g.addWidget(t, 1, 2 * j, 1, 2)
        self.cells_box = QWidget(grades)
        self.cells_layout = QGridLayout(self.cells_box)
        self.cells_layout.setContentsMargins(0, 0, 0, 0)
        self.any_grade = QCheckBox("MQLs may come from any grade", grades)
        self.any_grade.setToolTip("Untick to allow MQLs only from the grades ticked below (e.g. not from poor-fit leads)")
        self.any_grade.toggled.connect(self._on_any_grade_toggled)
        g.addWidget(self.any_grade, 2, 0, 1, 4)
        g.addWidget(self.cells_box, 3, 0, 1, 4)
        self.cell_boxes: dict[str, QCheckBox] = {}

        # -- caps
        caps = QGroupBox("Caps: limits on sums of points", inner)
        v = QVBoxLayout(caps)
        self.caps_model = CapsTableModel(document, self)
        self.caps_table = _small_table(caps, self.caps_model)
        self.caps_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.caps_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.caps_table.setMinimumHeight(170)
        self.caps_table.setToolTip("Double-click a minimum or maximum to change it; empty means no limit")
        v.addWidget(self.caps_table)

        # -- when leads are scored (next to capacity: it decides what MQLs per week mean)
        self.moment_box = ScoringMomentBox(document, inner)

        # -- recycling: when MQLs go back to nurture and may come back (re-MQL; see the Timeline tab)
        self.recycling_box = RecyclingBox(document, inner)

        grid = QGridLayout(inner)
        grid.addWidget(thr, 0, 0)
        grid.addWidget(cap, 0, 1)
        grid.addWidget(self.moment_box, 1, 0, 1, 2)
        grid.addWidget(self.recycling_box, 2, 0, 1, 2)
        grid.addWidget(grades, 3, 0, 1, 2)
        grid.addWidget(caps, 4, 0, 1, 2)
        # -- accounts: how contacts roll up to the companies that buy (results in the Accounts tab)
        self.accounts_box = AccountsBox(document, inner)
        grid.addWidget(self.accounts_box, 5, 0, 1, 2)
        grid.setRowStretch(6, 1)
        self.scroll = scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(scroll)

        self.mql.valueChanged.connect(lambda v: self.doc.push(C.SetThreshold("mql", v)))
        self.sql.valueChanged.connect(lambda v: self.doc.push(C.SetThreshold("sql", v)) if self.sql_on.isChecked() else None)
        self.sql_on.toggled.connect(self._on_sql_toggled)
        self.sdrs.valueChanged.connect(lambda v: self.doc.push(C.SetCapacity("sdrs", v)))
        self.per_sdr.valueChanged.connect(lambda v: self.doc.push(C.SetCapacity("leads_per_sdr_per_week", v)))
        self.sla.valueChanged.connect(lambda v: self.doc.push(C.SetCapacity("sla_hours", v)))
        self.days.valueChanged.connect(lambda v: self.doc.push(C.SetCapacity("working_days", v)))
        document.changed.connect(self._on_document_changed)
        document.modelReset.connect(self.sync)
        self.sync()

    # -- model -> widgets
    def _on_document_changed(self, change: Change) -> None:
        if change.touches("thresholds", "capacity", "grades", "model"):
            self.sync()

    def sync(self) -> None:
        m = self.doc.model
        widgets = (self.mql, self.sql, self.sql_on, self.sdrs, self.per_sdr, self.sla, self.days, self.any_grade)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.mql.setValue(m.thresholds.mql)
            self.sql_on.setChecked(m.thresholds.sql is not None)
            self.sql.setEnabled(m.thresholds.sql is not None)
            if m.thresholds.sql is not None:
                self.sql.setValue(m.thresholds.sql)
            c = m.capacity
            self.sdrs.setValue(int(c.sdrs))
            self.per_sdr.setValue(c.leads_per_sdr_per_week)
            self.sla.setValue(c.sla_hours)
            self.days.setValue(int(c.working_days))
            self.capacity_label.setText(f"= <b>{c.per_week:,.0f} MQLs per week</b> the team can work")
            self.any_grade.setChecked(m.grades.mql_cells is None)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._sync_capacity_extras()
        self._rebuild_cells()
        self._show_calibration()

    def set_calibration(self, cal) -> None:
        """Points as probabilities from the last backtest (core.analysis.calibration.Calibration, or None)."""
        self.calibration = cal
        self._show_calibration()

    def _show_calibration(self) -> None:
        """"A lead scoring 55 (the MQL line) converts 28% (22-34%)" at the thresholds as they are now (a drag follows)."""
        cal, t = self.calibration, self.doc.model.thresholds
        self.calibration_label.setVisible(cal is not None)
        if cal is None:
            return
        *lines, doubling = cal.lines(t.mql, t.sql)
        self.calibration_label.setText("; ".join(lines) + ". " + doubling)

    def _rebuild_cells(self) -> None:
        m = self.doc.model
        names = [f + e for f in m.grades.fit for e in m.grades.engagement]
        if list(self.cell_boxes) != names:
            while self.cells_layout.count():
                it = self.cells_layout.takeAt(0)
                if it.widget() is not None:
                    it.widget().deleteLater()
            self.cell_boxes = {}
            ne = max(1, len(m.grades.engagement))
            for i, name in enumerate(names):
                cb = QCheckBox(name, self.cells_box)
                cb.setToolTip(f"Leads graded {name} can become MQLs")
                cb.toggled.connect(self._on_cell_toggled)
                self.cell_boxes[name] = cb
                self.cells_layout.addWidget(cb, i // ne, i % ne)
        allowed = m.grades.mql_cells
        for name, cb in self.cell_boxes.items():
            cb.blockSignals(True)
            cb.setChecked(allowed is None or name in allowed)
            cb.setEnabled(allowed is not None)
            cb.blockSignals(False)
        self.any_grade.setEnabled(bool(names))

    # -- capacity extras (the SDR queue of the Timeline tab: SLA target and clock, hours, order, routing)
    def _build_capacity_extras(self, parent: QWidget, form: QFormLayout) -> None:
        self.sla_target = _ispin(parent, 1, 100, " %")
        self.sla_target.setToolTip("Share of the MQLs that must get a first touch within the SLA hours for the SLA to count as met")
        self.sla_clock = QComboBox(parent)
        self.sla_clock.addItem("around the clock", False)
        self.sla_clock.addItem("in working hours only", True)
        self.sla_clock.setToolTip("Whether nights and days off count toward the SLA hours")
        self.workday_start = _spin(parent, 0, 23.5, 0.5, 1, " h")
        self.workday_start.setToolTip("Hour of the day the SDRs start touching leads (9 = 9:00)")
        self.workday_hours = _spin(parent, 0.5, 24, 0.5, 1, " h")
        self.workday_hours.setToolTip("Hours per working day the SDRs touch leads")
        self.queue_order = QComboBox(parent)
        self.queue_order.addItem("oldest MQL first", "fifo")
        self.queue_order.addItem("highest score first", "score")
        self.queue_order.setToolTip("Which waiting MQL an SDR takes next (after the grade cells worked first)")
        self.routing = QLineEdit(parent)
        self.routing.setPlaceholderText("e.g. A1, A2, B1 (empty: no grade goes first)")
        self.routing.setToolTip("Grade cells the SDRs work first, in this order; the other cells come after them")
        form.addRow("SLA target", self.sla_target)
        form.addRow("SLA hours count", self.sla_clock)
        form.addRow("Working day starts at", self.workday_start)
        form.addRow("Working hours per day", self.workday_hours)
        form.addRow("Queue order", self.queue_order)
        form.addRow("Work first", self.routing)
        self.sla_target.valueChanged.connect(lambda v: self.doc.push(C.SetCapacity("sla_target", v / 100.0)))
        self.sla_clock.activated.connect(
            lambda _i: self.doc.push(C.SetCapacity("sla_working_hours", bool(self.sla_clock.currentData()))))
        self.workday_start.valueChanged.connect(self._on_workday_start_changed)
        self.workday_hours.valueChanged.connect(self._on_workday_hours_changed)
        self.queue_order.activated.connect(lambda _i: self.doc.push(C.SetCapacity("order", self.queue_order.currentData())))
        self.routing.editingFinished.connect(self._on_routing_editing_finished)

    def _sync_capacity_extras(self) -> None:
        c = self.doc.model.capacity
        widgets = (self.sla_target, self.sla_clock, self.workday_start, self.workday_hours, self.queue_order, self.routing)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.sla_target.setValue(round(100 * float(c.sla_target)))
            self.sla_clock.setCurrentIndex(max(0, self.sla_clock.findData(bool(c.sla_working_hours))))
            self.workday_start.setValue(float(c.workday_start))
            self.workday_hours.setValue(float(c.workday_hours))
            self.queue_order.setCurrentIndex(max(0, self.queue_order.findData(c.order)))
            text = ", ".join(c.routing or [])
            if self.routing.text() != text:
                self.routing.setText(text)
            self.routing.setEnabled(bool(self.doc.model.grades.fit and self.doc.model.grades.engagement))
        finally:
            for w in widgets:
                w.blockSignals(False)

    def _on_workday_start_changed(self, v: float) -> None:
        if not self.doc.push(C.SetCapacity("workday_start", v)):
            self._sync_capacity_extras()

    def _on_workday_hours_changed(self, v: float) -> None:
        if not self.doc.push(C.SetCapacity("workday_hours", v)):
            self._sync_capacity_extras()

    def _on_routing_editing_finished(self) -> None:
        cells = [x.strip() for x in self.routing.text().replace(";", ",").split(",") if x.strip()]
        value = cells or None
        if value == self.doc.model.capacity.routing:
            return
        if not self.doc.push(C.SetCapacity("routing", value)):
            self._sync_capacity_extras()

    # -- widgets -> model
    def _on_sql_toggled(self, on: bool) -> None:
        m = self.doc.model
        if on:
            v = max(self.sql.value(), m.thresholds.mql + 20)
            self.doc.push(C.SetThreshold("sql", v))
        else:
            self.doc.push(C.SetThreshold("sql", None))

    def _on_any_grade_toggled(self, on: bool) -> None:
        if on:
            self.doc.push(C.SetMqlCells(None))
        else:
            self.doc.push(C.SetMqlCells(list(self.cell_boxes)))

    def _on_cell_toggled(self, _on: bool) -> None:
        cells = [n for n, cb in self.cell_boxes.items() if cb.isChecked()]
        self.doc.push(C.SetMqlCells(cells))

    def _on_add_band_clicked(self, dim: str) -> None:
        bands = dict(getattr(self.doc.model.grades, dim))
        items = list(bands.items())
        if dim == "fit":
            used = set(bands)
            name = next(ch for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if ch not in used)
        else:
            used = set(bands)
            k = 1
            while str(k) in used:
                k += 1
            name = str(k)
        # the new band goes last; the old last band gets a minimum below the one before it
        if items:
            last_name, last_min = items[-1]
            prev_min = next((v for _, v in reversed(items[:-1]) if v is not None), 10.0)
            bands[last_name] = prev_min - 10 if last_min is None else last_min
        bands[name] = None
        self.doc.push(C.SetGradeBands(dim, bands))

    def _on_remove_band_clicked(self, dim: str) -> None:
        t = self.band_tables[dim]
        rows = sorted({i.row() for i in t.selectionModel().selectedRows()} or {t.currentIndex().row()})
        items = list(getattr(self.doc.model.grades, dim).items())
        keep = [(k, v) for i, (k, v) in enumerate(items) if i not in rows]
        if len(keep) < 1 or len(keep) == len(items):
            return
        keep[-1] = (keep[-1][0], None)
        self.doc.push(C.SetGradeBands(dim, dict(keep)))


class RecyclingBox(QGroupBox):
    """Recycling: when an MQL goes back to nurture, and when it may come back as a re-MQL.

    Every change pushes one :class:`~leaddesigner.core.edits.commands.SetRecycling`
    with the whole edited setting (undoable); a setting the core refuses (no
    trigger left, an empty values list...) is reported and the form shows the
    model again. The Timeline tab counts new MQLs and re-MQLs apart.
    """

    OUTCOMES = (("disqualified", "Disqualified"), ("closed_lost", "Closed lost"))

    def __init__(self, document: ModelDocument, parent: QWidget | None = None):
        super().__init__("Recycling: MQLs that go back to nurture and may come back (re-MQL)", parent)
        self.doc = document
        self.setObjectName("recyclingBox")
        self.enabled = QCheckBox("Recycle MQLs", self)
        self.enabled.setToolTip("Off: an MQL stays an MQL (it is sales' lead now). On: the triggers below send it "
                                "back, and it counts as a re-MQL when its score crosses the threshold again")
        self.no_response_on = QCheckBox("No response after", self)
        self.no_response_on.setToolTip("Recycle an MQL when this many days pass without a response event")
        self.no_response_days = _spin(self, 1, 3650, 1, 0, " days")
        self.response_types = QLineEdit(self)
        self.response_types.setPlaceholderText("response events, e.g. email_reply (empty: any)")
        self.response_types.setToolTip("Activity-log event types that count as a response (comma-separated; empty: any event)")
        self.cooldown = _spin(self, 0, 3650, 1, 0, " days")
        self.cooldown.setToolTip("Days after a recycle before the lead may become an MQL again")
        self.reset = QCheckBox("Reset engagement points at recycle", self)
        self.reset.setToolTip("Events before the recycle stop counting: the lead must earn its engagement points again")
        self.outcome_widgets: dict[str, tuple] = {}
        g = QGridLayout(self)
        g.setHorizontalSpacing(6)
        g.addWidget(self.enabled, 0, 0, 1, 4)
        g.addWidget(self.no_response_on, 1, 0)
        g.addWidget(self.no_response_days, 1, 1)
        g.addWidget(self.response_types, 1, 2, 1, 2)
        for i, (key, label) in enumerate(self.OUTCOMES):
            on = QCheckBox(label, self)
            on.setToolTip(f"Recycle an MQL when a lead-file column says it is {label.lower()}, at that column's date")
            column = QComboBox(self)
            column.setEditable(True)
            column.setToolTip("The lead-file column holding the status")
            values = QLineEdit(self)
            values.setPlaceholderText("values, e.g. " + ("Disqualified, Bad fit" if key == "disqualified" else "Closed Lost"))
            values.setToolTip("Values of that column that mean it (comma-separated, any case)")
            date = QComboBox(self)
            date.setEditable(True)
            date.setToolTip("The lead-file column dating it")
            for box in (column, date):  # long column names must not widen the whole tab
                box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                box.setMinimumContentsLength(8)
            self.outcome_widgets[key] = (on, column, values, date)
            g.addWidget(on, 2 + i, 0)
            g.addWidget(column, 2 + i, 1)
            g.addWidget(values, 2 + i, 2)
            row = QHBoxLayout()
            row.setSpacing(6)
            row.addWidget(QLabel("dated by", self))
            row.addWidget(date, 1)
            g.addLayout(row, 2 + i, 3)
            on.toggled.connect(lambda _on, k=key: self._on_outcome_changed(k))
            column.activated.connect(lambda _i, k=key: self._on_outcome_changed(k))
            column.lineEdit().editingFinished.connect(lambda k=key: self._on_outcome_changed(k))
            values.editingFinished.connect(lambda k=key: self._on_outcome_changed(k))
            date.activated.connect(lambda _i, k=key: self._on_outcome_changed(k))
            date.lineEdit().editingFinished.connect(lambda k=key: self._on_outcome_changed(k))
        cool = QHBoxLayout()
        cool.setSpacing(6)
        cool.addWidget(QLabel("Come back no sooner than", self))
        cool.addWidget(self.cooldown)
        cool.addWidget(QLabel("after a recycle", self))
        cool.addStretch(1)
        g.addLayout(cool, 4, 0, 1, 4)
        g.addWidget(self.reset, 5, 0, 1, 4)
        g.setColumnStretch(2, 2)
        g.setColumnStretch(3, 1)

        self.enabled.toggled.connect(self._on_enabled_toggled)
        self.no_response_on.toggled.connect(lambda _on: self._push_edit())
        self.no_response_days.valueChanged.connect(lambda _v: self._push_edit())
        self.response_types.editingFinished.connect(self._on_response_types_editing_finished)
        self.cooldown.valueChanged.connect(lambda _v: self._push_edit())
        self.reset.toggled.connect(lambda _on: self._push_edit())
        document.changed.connect(self._on_document_changed)
        document.modelReset.connect(self.sync)
        document.dataReset.connect(self._fill_columns)
        self._fill_columns()
        self.sync()

    def _widgets(self) -> list:
        out = [self.enabled, self.no_response_on, self.no_response_days, self.response_types, self.cooldown, self.reset]
        for ws in self.outcome_widgets.values():
            out.extend(ws)
        return out

    # -- model -> widgets
    def _on_document_changed(self, change: Change) -> None:
        if change.touches("recycling", "model"):
            self.sync()

    def _fill_columns(self) -> None:
        """Offer the lead file's columns (and the model's attributes) in the column boxes."""
        names: list[str] = []
        frame = self.doc.leads_frame
        if frame is not None:
            names += [str(c) for c in frame.columns]
        names += [a.name for a in self.doc.model.attributes if a.name not in names]
        dates = [a.name for a in self.doc.model.attributes if a.type == "date"]
        if frame is not None:
            dates += [str(c) for c in frame.columns if str(c) not in dates and ("date" in str(c).lower() or str(c).lower().endswith("_at"))]
        for on, column, values, date in self.outcome_widgets.values():
            for box, items in ((column, names), (date, dates)):
                text = box.currentText()
                box.blockSignals(True)
                box.clear()
                box.addItems(items)
                box.setEditText(text)
                box.blockSignals(False)

    def sync(self) -> None:
        r = self.doc.model.recycling
        ws = self._widgets()
        for w in ws:
            w.blockSignals(True)
        try:
            on = r is not None
            self.enabled.setChecked(on)
            for w in ws[1:]:
                w.setEnabled(on)
            r = r or M.Recycling()
            self.no_response_on.setChecked(r.no_response_days is not None)
            self.no_response_days.setEnabled(on and r.no_response_days is not None)
            self.response_types.setEnabled(on and r.no_response_days is not None)
            if r.no_response_days is not None:
                self.no_response_days.setValue(float(r.no_response_days))
            text = ", ".join(r.response_types or [])
            if self.response_types.text() != text:
                self.response_types.setText(text)
            self.cooldown.setValue(float(r.cooldown_days))
            self.reset.setChecked(bool(r.reset_engagement))
            for key, (box, column, values, date) in self.outcome_widgets.items():
                o = getattr(r, key)
                box.setChecked(o is not None)
                for w in (column, values, date):
                    w.setEnabled(on and o is not None)
                if o is not None:
                    column.setEditText(o.column)
                    values.setText(", ".join(o.values))
                    date.setEditText(o.date)
        finally:
            for w in ws:
                w.blockSignals(False)

    # -- widgets -> model
    def _current(self) -> M.Recycling:
        r = self.doc.model.recycling
        return copy.deepcopy(r) if r is not None else M.Recycling()

    def _push(self, value: M.Recycling | None) -> None:
        if not self.doc.push(C.SetRecycling(value)):
            self.sync()  # refused: show the model's setting again

    def _on_enabled_toggled(self, on: bool) -> None:
        if not on:
            self._push(None)
            return
        # a start that works on any data: no response for 30 days (the outcome columns need the user's file)
        self._push(M.Recycling(no_response_days=30.0, cooldown_days=30.0))

    def _push_edit(self) -> None:
        if self.doc.model.recycling is None:
            return
        r = self._current()
        r.no_response_days = float(self.no_response_days.value()) if self.no_response_on.isChecked() else None
        r.cooldown_days = float(self.cooldown.value())
        r.reset_engagement = self.reset.isChecked()
        if r != self.doc.model.recycling:
            self._push(r)

    def _on_response_types_editing_finished(self) -> None:
        if self.doc.model.recycling is None:
            return
        r = self._current()
        types = [t.strip() for t in self.response_types.text().split(",") if t.strip()]
        r.response_types = types or None
        if r != self.doc.model.recycling:
            self._push(r)

    def _on_outcome_changed(self, key: str) -> None:
        if self.doc.model.recycling is None:
            return
        on, column, values, date = self.outcome_widgets[key]
        r = self._current()
        if not on.isChecked():
            setattr(r, key, None)
        else:
            vals = [v.strip() for v in values.text().split(",") if v.strip()]
            col, dcol = column.currentText().strip(), date.currentText().strip()
            if not (col and vals and dcol):  # not complete yet: let the user fill in the row
                for w in (column, values, date):
                    w.setEnabled(True)
                return
            setattr(r, key, M.RecycleOutcome(col, vals, dcol))
        if r != self.doc.model.recycling:
            self._push(r)


