"""Lead files in the window: load leads and activity logs, sheets, column mapping, problems, outcome, the leads table.

A part of :class:`~leaddesigner.gui.window.main_window.MainWindow` (a mixin: its methods use the
window's widgets and document as ``self``), kept apart so each part reads in one sitting.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
)

from leaddesigner.core.data.detect import suggest_column
from leaddesigner.gui.dialogs.data import ColumnMappingDialog, OutcomeDialog
from leaddesigner.gui.window.common import (
    DATA_FILTER,
    set_tab_text,
    set_text,
)

__all__ = ["DataMixin"]


class DataMixin:
    """Lead files in the window: load leads and activity logs, sheets, column mapping, problems, outcome, the leads table."""

    def _last_folder(self) -> str:
        if not self.settings_enabled:
            return str(Path.home())
        return QSettings().value("files/last_folder", str(Path.home()), type=str)

    def _remember_folder(self, path: Path) -> None:
        if self.settings_enabled:
            QSettings().setValue("files/last_folder", str(Path(path).parent))

    def load_leads_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load leads", self._last_folder(), DATA_FILTER)
        if not path:
            return
        self._remember_folder(Path(path))
        sheet = None
        if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
            sheet = self.ask_sheet(Path(path))
            if sheet is False:
                return
        acts = None
        guess = Path(path).with_name("activities" + "".join(Path(path).suffixes))
        if guess.exists() and guess != Path(path):
            acts = guess
        self.load_data(Path(path), acts, sheet=sheet or None)
        if acts is not None:
            self.status(f"Also loading the activity log next to it: {acts.name}")

    def ask_sheet(self, path: Path):
        """The sheet to read from a workbook with several (the table sheet preselected); False: cancelled."""
        from PySide6.QtWidgets import QInputDialog

        from leaddesigner.core.data.leadfile import LeadFileError, workbook_sheets
        try:
            sheets, table = workbook_sheets(path)
        except LeadFileError:
            return None  # the load itself says what is wrong with the file
        if len(sheets) < 2:
            return None
        item, ok = QInputDialog.getItem(self, "Which sheet?", f"{path.name} has {len(sheets)} sheets. Read the leads from:",
                                        sheets, sheets.index(table), False)
        return item if ok else False

    def load_activities_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load activity log", self._last_folder(), DATA_FILTER)
        if path:
            self._remember_folder(Path(path))
            self.doc.load_activities(Path(path))

    def load_data(self, leads: Path, activities: Path | None = None, *, sheet: str | None = None) -> None:
        self._mapping_offered_for = None
        self.doc.load(Path(leads), Path(activities) if activities else None, sheet=sheet)
        self._update_actions()

    def reload_data(self) -> None:
        if self.doc.leads_path is not None:
            t = self.doc.leads_table
            sheet = t.info.sheet if t is not None and t.info is not None and t.info.sheet else None
            self.load_data(self.doc.leads_path, self.doc.activities_path, sheet=sheet)

    def map_columns(self) -> None:
        if self.doc.leads_frame is None:
            self.show_error("Load a lead file first (Data > Load leads, Ctrl+L); then map its columns.")
            return
        dlg = ColumnMappingDialog(self.doc, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            cmd = dlg.command()
            if cmd is not None:
                self.doc.push(cmd)

    def missing_attributes(self) -> list[str]:
        d = self.doc
        if d.leads_frame is None:
            return []
        cols = set(d.leads_frame.columns)
        return [a.name for a in d.model.attributes if d.model.column_for(a.name) not in cols]

    def _maybe_offer_mapping(self) -> None:
        missing = self.missing_attributes()
        if not missing:
            return
        d = self.doc
        used = [a for a in missing if any(a in r.attributes() for r in d.model.rules)]
        taken = {d.model.column_for(a.name) for a in d.model.attributes}
        cols = [str(c) for c in d.leads_frame.columns]
        det = d.loaded.detection if d.loaded is not None else None
        kinds = det.types() if det is not None else None
        types = {a.name: a.type for a in d.model.attributes}
        suggest = [a for a in used if suggest_column(a, cols, taken, types.get(a), kinds)]
        key = (id(d.leads_frame), tuple(missing))
        if self.interactive and suggest and self._mapping_offered_for != key and self.isVisible():
            self._mapping_offered_for = key
            QTimer.singleShot(0, self, self.map_columns)

    def _update_problems(self) -> None:
        self.problems_model._reset()
        n = self.problems_model.rowCount()
        set_tab_text(self.editor_tabs, 5, f"Problems ({n})" if n else "Problems")
        self.problems_empty.setVisible(n == 0 and self.doc.data is not None)
        self.problems_view.setVisible(n > 0 or self.doc.data is None)
        self.problems_view.resizeRowsToContents()
        missing = self.missing_attributes()
        if missing:
            d = self.doc
            used = [a for a in missing if any(a in r.attributes() for r in d.model.rules)]
            src = d.leads_path.name if d.leads_path else "the lead file"
            names = ", ".join(missing[:6]) + (" ..." if len(missing) > 6 else "")
            self.banner_label.setText(
                f"<b>{len(missing)} attribute{'s' if len(missing) != 1 else ''} of the model {'are' if len(missing) != 1 else 'is'} not in {escape(src)}</b>: "
                f"{escape(names)}." + (f" {len(used)} {'are' if len(used) != 1 else 'is'} used by rules, which give 0 points until mapped." if used else "")
            )
            self.banner.setVisible(True)
        else:
            self.banner.setVisible(False)

    def choose_outcome(self, column: str | None = ..., *, ask: bool = True) -> bool:  # type: ignore[assignment]
        """Data > What "converted" means: the outcome dialog (a yes/no or date column can be set directly).

        ``column`` preselects a column; with ``ask=False`` a column whose reading needs no choice
        (yes/no, a date, or suggested values) is set at once. One undo step; stored in the model.
        """
        d = self.doc
        if d.leads_frame is None:
            self.show_error("Load a lead file first (Data > Load leads, Ctrl+L); then say which column means converted.")
            return False
        if column is None and column is not ...:
            ok = d.set_outcome(None)
            self.status("Conversion not shown (no outcome)." if ok else "")
            return ok
        if column is not ... and not ask:
            ok = d.set_outcome_column(column)
            if ok:
                self.status(f"Converted: {d.outcome_read.summary() if d.outcome_read is not None else column}")
            return ok
        dlg = OutcomeDialog(d, self)
        if column is not ...:
            dlg.column_combo.setCurrentIndex(max(0, dlg.column_combo.findData(column)))
        if not self.interactive:
            self._last_outcome_dialog = dlg
            return False
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        ok = d.set_outcome(dlg.spec())
        if ok:
            self.status(f"Converted: {d.outcome_read.summary()}" if d.outcome_read is not None else "Conversion not shown (no outcome).", 10000)
        return ok

    def _on_outcome_action_triggered(self, _checked: bool = False) -> None:
        self.choose_outcome()

    def set_outcome_column(self, column: str | None) -> None:
        """An outcome column chosen from a list (the Backtest tab): set directly, or ask for the values that mean converted."""
        cand = next((c for c in self.doc.outcome_candidates if c.column == column), None)
        needs_values = column is not None and (cand is None or (cand.kind == "values" and not cand.suggested))
        self.choose_outcome(column, ask=needs_values)
        self.leads_model._reset()

    def _rebuild_grade_filter(self) -> None:
        cur = self.lead_grade.currentData()
        self.lead_grade.blockSignals(True)
        self.lead_grade.clear()
        self.lead_grade.addItem("All grades", None)
        g = self.doc.model.grades
        for f in g.fit:
            for e in g.engagement:
                self.lead_grade.addItem(f"Grade {f}{e}", f"{f}{e}")
        i = self.lead_grade.findData(cur)
        self.lead_grade.setCurrentIndex(max(0, i))
        self.lead_grade.blockSignals(False)

    def _on_lead_filter_changed(self, *_args) -> None:
        self.leads_model.set_filters(self.lead_status.currentData(), self.lead_grade.currentData(), self.lead_search.text())
        self._update_lead_count()

    def _update_lead_count(self) -> None:
        n = self.leads_model.rowCount()
        total = self.leads_model.n
        set_text(self.lead_count, f"{n:,} of {total:,} leads" if total else "")
        set_tab_text(self.editor_tabs, 4, f"Leads ({total:,})" if total else "Leads")

    def _on_leads_view_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        self.inspector.set_row(self.leads_model.data_row(index.row()))

    def _on_problems_view_double_clicked(self, index: QModelIndex) -> None:
        kind = self.problems_model.data(index, Qt.ItemDataRole.UserRole + 1)
        if kind == "missing_column":
            self.map_columns()
        elif kind == "no_activities":
            self.load_activities_dialog()

    def _on_editor_tabs_current_changed(self, i: int) -> None:
        self.leads_model.set_active(self.editor_tabs.widget(i) is self.leads_tab)
