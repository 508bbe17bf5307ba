"""The Profile tab: every column of the loaded lead file, and a rule from any of them in one click.

An adapter over :func:`leaddesigner.core.data.profile.profile` (the figures
``leaddesigner profile`` prints). The profile is computed in a worker thread
after each load and each change of the outcome (latest request wins); the
table shows type, fill rate, distinct values and, with an outcome, the
information value of each column, strongest first. Selecting a column shows
its values (or number bands) with their conversion rates and the points a
rule would give; *Make a rule* adds that rule (and, if needed, the attribute
and its column mapping) as one undo step.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.data.detect import attribute_kind, attribute_name
from leaddesigner.core.data.profile import MAX_POINTS, MIN_LEADS, POINTS_PER_DOUBLING, ColumnProfile, Profile, profile
from leaddesigner.core.edits import commands as C
from leaddesigner.core.edits.changes import Change
from leaddesigner.core.formatting import pct_text
from leaddesigner.core.model.types import DATE_FORMATS, NUMBER_FORMATS, Attribute
from leaddesigner.gui.tasks import TaskRunner

__all__ = ["ProfilePanel", "ProfileTableModel", "ValuesTableModel", "install", "rule_command"]

_FLAG = QColor("#B9770E")


def rule_command(model, cp: ColumnProfile) -> C.Command:
    """Add the rule made from ``cp`` to ``model`` (with its attribute and mapping when the model lacks them)."""
    cmds: list[C.Command] = []
    attr = next((a.name for a in model.attributes if model.column_for(a.name) == cp.column), None)
    kind = attribute_kind(cp.column, cp.type)
    if attr is None:
        attr = attribute_name(cp.column, {a.name for a in model.attributes})
        fmt = cp.format if (cp.type == "date" and cp.format in DATE_FORMATS) or (cp.type == "number" and cp.format in NUMBER_FORMATS) else None
        cmds.append(C.AddAttribute(None, Attribute(attr, cp.type, kind, format=fmt)))
        if attr != cp.column:
            cmds.append(C.SetColumnMapping(attr, cp.column))
    else:
        a = model.attribute(attr)
        if a.type != cp.type and cp.type in ("category", "boolean", "number"):
            cmds.append(C.SetAttribute(attr, "type", cp.type))
    dimension = "engagement" if kind in ("behavioural", "intent", "form") else "fit"
    rule = cp.rule(attribute=attr, rule_id=C.new_rule_id(model, attr), dimension=dimension)
    cmds.append(C.AddRule(None, rule))
    return C.Compound(cmds, f"Add a rule from column {cp.column}")


class ProfileTableModel(QAbstractTableModel):
    """One row per column of the file (strongest first when there is an outcome)."""

    HEADERS = ("Column", "Type", "Filled", "Distinct", "IV", "Evidence")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[ColumnProfile] = []
        self.has_outcome = False

    def set_profile(self, prof: Profile | None) -> None:
        self.beginResetModel()
        self.rows = [] if prof is None else (prof.ranked() if prof.outcome is not None else list(prof.columns))
        self.has_outcome = prof is not None and prof.outcome is not None
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        c = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return c.column
            if col == 1:
                return c.type + (f" ({c.format})" if c.format else "")
            if col == 2:
                return f"{100 * c.fill_rate:.0f}%"
            if col == 3:
                return f"{c.distinct:,}"
            if col == 4:
                return "" if c.iv is None or c.is_outcome else f"{c.iv:.3f}"
            if col == 5:
                if c.is_id:
                    return "lead id"
                if c.is_outcome:
                    return "the outcome"
                if c.after_outcome:
                    return "recorded after the outcome?"
                return c.strength
        if role == Qt.ItemDataRole.ForegroundRole and (c.after_outcome or c.strength.startswith("suspicious")) and not c.is_outcome:
            return _FLAG
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = []
            if c.note:
                tips.append(c.note)
            if c.after_outcome and not c.is_outcome:
                tips.append("Its name says it may be recorded with or after the outcome: a rule on it flatters every backtest.")
            if c.iv is not None and not c.is_outcome:
                tips.append(f"Information value {c.iv:.3f}: {c.strength} evidence (under 0.02 none, 0.1 weak, 0.3 medium, 0.5 strong).")
            return "\n".join(tips) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ValuesTableModel(QAbstractTableModel):
    """The values (or number bands) of one column, with conversion and the points a rule would give."""

    HEADERS = ("Value", "Leads", "Converted", "Points in a rule")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.column: ColumnProfile | None = None
        self.points: list[float | None] = []

    def set_column(self, cp: ColumnProfile | None) -> None:
        self.beginResetModel()
        self.column = cp
        self.points = []
        if cp is not None and cp.scorable():
            rule = cp.rule()
            if rule.map.bins is not None:
                it = iter(rule.map.bins)
                self.points = [next(it).points if v.value is None and v.label != "(missing)" else None for v in cp.values]
            else:
                vals = rule.map.values or {}
                self.points = [vals.get(str(v.value)) if v.value is not None else None for v in cp.values]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.column is None else len(self.column.values)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if self.column is None or not index.isValid() or not 0 <= index.row() < len(self.column.values):
            return None
        v = self.column.values[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return v.label
            if col == 1:
                return f"{v.leads:,}"
            if col == 2:
                return pct_text(v.rate, missing="")
            if col == 3:
                p = self.points[index.row()] if index.row() < len(self.points) else None
                return "" if p is None else f"{p:+.0f}" if p else "0"
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == 3 and v.leads < MIN_LEADS:
            return f"Fewer than {MIN_LEADS} leads: 0 points (too few to judge)"
        return None


class ProfilePanel(QWidget):
    """See the module docstring."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.doc = document
        self.window_ = None
        self.profile: Profile | None = None
        self.runner = TaskRunner("LeadDesignerProfile", self)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self._stale = True

        self.header = QLabel("Load a lead file to see its columns.", self)
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.outcome_button = QPushButton("What \u201cconverted\u201d means\u2026", self)
        self.outcome_button.setToolTip("Choose the outcome: the profile then shows conversion per value and each column's information value")
        self.outcome_button.clicked.connect(self._on_outcome_button_clicked)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.outcome_button)

        self.columns_model = ProfileTableModel(self)
        self.columns_view = QTableView(self)
        self.columns_view.setModel(self.columns_model)
        self.columns_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.columns_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.columns_view.verticalHeader().hide()
        self.columns_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.columns_view.selectionModel().currentRowChanged.connect(self._on_columns_view_current_changed)
        self.columns_view.doubleClicked.connect(self._on_columns_view_double_clicked)

        self.values_model = ValuesTableModel(self)
        self.values_view = QTableView(self)
        self.values_view.setModel(self.values_model)
        self.values_view.verticalHeader().hide()
        self.values_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.values_title = QLabel("", self)
        self.values_title.setWordWrap(True)
        self.rule_button = QPushButton("Make a rule from this column", self)
        self.rule_button.setToolTip(
            f"Add a rule with points per value or band: about {POINTS_PER_DOUBLING:g} points per doubling of the odds of "
            f"converting (at most \u00b1{MAX_POINTS}); values on fewer than {MIN_LEADS} leads get 0. One undo step; edit the points after.")
        self._rule_tip = self.rule_button.toolTip()
        self.rule_button.clicked.connect(self._on_rule_button_clicked)
        self.rule_button.setEnabled(False)
        bottom = QWidget(self)
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.values_title, 1)
        row.addWidget(self.rule_button)
        bl.addLayout(row)
        bl.addWidget(self.values_view, 1)

        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.columns_view)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)

        document.dataReset.connect(self._on_document_data_reset)
        document.changed.connect(self._on_document_changed)

    # -------------------------------------------------------------- computing
    def _on_document_data_reset(self) -> None:
        self._stale = True
        if self.isVisible():
            self.recompute()

    def _on_document_changed(self, change: Change) -> None:
        if change.touches("outcome"):
            self._stale = True
            if self.isVisible():
                self.recompute()

    def showEvent(self, ev) -> None:  # noqa: N802 (Qt API)
        super().showEvent(ev)
        if self._stale:
            self.recompute()

    def recompute(self) -> None:
        """Profile the loaded file in a worker (a newer request discards the running one)."""
        d = self.doc
        self._stale = False
        self.runner.cancel(quiet=True)
        if d.leads_frame is None:
            self.profile = None
            self.columns_model.set_profile(None)
            self.values_model.set_column(None)
            self.header.setText("Load a lead file to see its columns.")
            return
        det = d.loaded.detection if d.loaded is not None else None
        self.header.setText("Profiling the columns \u2026")
        after = tuple(d.model.outcome.recorded_after or ()) if d.model.outcome is not None else ()
        self.runner.run(profile, d.leads_frame, outcome=d.outcome_read, detection=det, source=d.leads_table.name,
                        recorded_after=after, progress_kw=None)

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def _on_runner_finished(self, prof: Profile) -> None:
        self.show_profile(prof)

    def _on_runner_failed(self, message: str) -> None:
        self.header.setText(f"<span style='color:#C0392B'>The columns could not be profiled: {html.escape(message)}</span>")

    def show_profile(self, prof: Profile) -> None:
        self.profile = prof
        self.columns_model.set_profile(prof)
        d = self.doc
        lines = [html.escape(x) for x in (prof.detection.lines() if prof.detection is not None else [])]
        if prof.outcome is not None:
            lines.append(html.escape(prof.outcome.description) + " Columns are ranked by information value (IV).")
        else:
            lines.append("<b>No outcome chosen:</b> say what \u201cconverted\u201d means to see conversion per value.")
        src = html.escape(d.leads_table.name) if d.leads_table is not None else "the file"
        self.header.setText(f"<b>{prof.headline}</b> in {src}<br>" + "<br>".join(lines))
        self.columns_view.resizeColumnsToContents()
        self.columns_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        if self.columns_model.rowCount():
            self.columns_view.selectRow(0)

    # -------------------------------------------------------------- selection and actions
    def selected(self) -> ColumnProfile | None:
        i = self.columns_view.currentIndex()
        rows = self.columns_model.rows
        return rows[i.row()] if i.isValid() and 0 <= i.row() < len(rows) else None

    def select_column(self, name: str) -> bool:
        for i, c in enumerate(self.columns_model.rows):
            if c.column == name:
                self.columns_view.selectRow(i)
                return True
        return False

    def _on_columns_view_current_changed(self, *_args) -> None:
        cp = self.selected()
        self.values_model.set_column(cp)
        self.values_view.resizeColumnsToContents()
        self.values_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        if cp is None:
            self.values_title.setText("")
            self.rule_button.setEnabled(False)
            return
        what = f"<b>{html.escape(cp.column)}</b>: {cp.type}, filled {100 * cp.fill_rate:.0f}%, {cp.distinct:,} distinct"
        if cp.after_outcome and not cp.is_outcome:
            what += " \u2014 <span style='color:#B9770E'>its name says it may be recorded after the outcome</span>"
        self.values_title.setText(what)
        ok = cp.scorable() and not (cp.after_outcome and not cp.is_outcome)
        self.rule_button.setEnabled(ok)
        self.rule_button.setText(f"Make a rule from {cp.column}" if ok else
                                 "No rule: recorded after the outcome" if cp.scorable() else "No rule from this column")
        self.rule_button.setToolTip(
            "A rule on a column recorded with or after the outcome scores well on history and fails on new leads. "
            "Add one by hand on the Rules tab if you are sure." if cp.scorable() and not ok else self._rule_tip)

    def _on_columns_view_double_clicked(self, _index) -> None:
        self.make_rule()

    def _on_rule_button_clicked(self, _checked: bool = False) -> None:
        self.make_rule()

    def _on_outcome_button_clicked(self, _checked: bool = False) -> None:
        w = self.window_
        if w is not None and hasattr(w, "choose_outcome"):
            w.choose_outcome()

    def make_rule(self, cp: ColumnProfile | None = None) -> bool:
        """Add the rule made from the selected column as one undo step."""
        cp = cp or self.selected()
        if cp is None or not cp.scorable() or (cp.after_outcome and not cp.is_outcome):
            return False
        try:
            cmd = rule_command(self.doc.model, cp)
        except (ValueError, C.CommandError) as e:
            self.doc.error.emit(str(e))
            return False
        ok = self.doc.push(cmd, mergeable=False)
        w = self.window_
        if ok and w is not None:
            rule_id = cmd.commands[-1].rule.id
            if hasattr(w, "select_rule"):
                w.select_rule(rule_id, "points")
            if hasattr(w, "status"):
                w.status(f"Added rule {rule_id} from column {cp.column} (Ctrl+Z undoes it); edit its points on the Rules tab.", 10000)
        return ok


def install(window) -> ProfilePanel:
    """Add the Profile tab to the editor tabs (beside the tables) and "Profile" to the Analysis menu."""
    panel = ProfilePanel(window.doc, window.editor_tabs)
    panel.window_ = window
    i = window.editor_tabs.addTab(panel, "Profile")
    window.editor_tabs.setTabToolTip(i, "Every column of the lead file: type, fill, values, conversion; make a rule from any column")
    act = QAction("&Profile the lead file", window)
    act.setShortcut("Ctrl+Shift+P")
    act.setToolTip("Every column of the lead file with its values and conversion; one click makes a rule")
    act.triggered.connect(lambda: window.editor_tabs.setCurrentWidget(panel))
    window.analysis_menu.addAction(act)
    window.act_profile = act
    window.panels["profile"] = panel
    return panel
