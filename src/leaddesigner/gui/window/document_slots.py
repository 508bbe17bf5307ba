"""The window following its document: scores, data, model and load signals, and the plots' gestures.

A part of :class:`~leaddesigner.gui.window.main_window.MainWindow` (a mixin: its methods use the
window's widgets and document as ``self``), kept apart so each part reads in one sitting.
The document's signals are connected in ``MainWindow._connect_document``.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtGui import QFontMetrics

from leaddesigner.core.edits import commands as C
from leaddesigner.core.edits.changes import Change
from leaddesigner.gui.document import day_text
from leaddesigner.gui.window.common import set_text

__all__ = ["DocumentViewMixin"]


class DocumentViewMixin:
    """Slots for the document's signals (scores, data, moment, model, changes, loads) and the plots' gestures."""

    # ================================================================== document signals
    def _on_document_scores_changed(self) -> None:
        d = self.doc
        sc, s, m = d.scorer, d.summary, d.model
        if sc is None or s is None:
            return
        lo, hi = d.bounds
        if self._hist_bounds != (lo, hi):
            span = hi - lo
            bins = int(span) if 20 <= span <= 200 and float(span).is_integer() else 100
            self.hist.set_bounds(lo, hi, bins, rebin=False)  # set_scores below bins the new scores
            self._hist_bounds = (lo, hi)
        self.hist.set_scores(sc.result.score, d.outcome)
        self.hist.set_thresholds(m.thresholds.mql, m.thresholds.sql)
        if self._fresh_load:
            # a new file: each part paints in its own pass, so the window never blocks for long
            self._fresh_load = False
            d.defer(self._show_weeks_and_grades)
            d.defer(self._show_summary)
        else:
            self._show_weeks_and_grades()
            self._show_summary()

    def _show_weeks_and_grades(self) -> None:
        d = self.doc
        s, m = d.summary, d.model
        if s is None:
            return
        self.weekly.set_weekly(s.weekly)
        grid = (_plain_frame(s.grade_counts), _plain_frame(d.grade_conversion()), list(m.grades.mql_cells or []))
        if not _same_grid(grid, self._last_grid):  # threshold drags leave the grades alone: no repaint
            self._last_grid = grid
            self.grid.set_grid(*grid)

    def _show_summary(self) -> None:
        d = self.doc
        if d.summary is None:
            return
        self.summary_strip.set_summary(d.summary, d.baseline)
        self.summary_strip.hold_height()
        self._update_lead_count()
        self._show_rule_details()  # its "N leads get points now" follows the scores, as the table does

    def _on_document_data_reset(self) -> None:
        if self._new_model_after_load and self.doc.leads_frame is not None:
            self._new_model_after_load = False
            self._install_new_model(self.model_from_data())  # re-binds: this slot runs again with the new model
            self._next_load_status = (f"New model from {self.doc.leads_path.name if self.doc.leads_path else 'the file'}: "
                                      "add rules from the Profile tab, and say what \u201cconverted\u201d means (Ctrl+Shift+O)")
            return
        d = self.doc
        self._hist_bounds = None
        self._last_grid = None
        self._fresh_load = True
        n_ev = len(d.data.events) if d.data is not None and d.data.events is not None else 0
        src = d.leads_path.name if d.leads_path else "leads"
        self._update_data_label()
        self._rebuild_grade_filter()
        self._update_problems()
        self._update_actions()
        self._update_lead_count()
        loaded = f"Loaded {len(d.data):,} leads from {src}" + (f" and {n_ev:,} events" if n_ev else "") + f" in {d.load_seconds:.1f} s"
        follow = getattr(self, "_next_load_status", None)
        self._next_load_status = None
        self.status(f"{loaded}. {follow}" if follow else loaded, 20000 if follow else 6000)

    def _update_data_label(self) -> None:
        """Status bar, right: the leads, events and the moment they are scored for."""
        d = self.doc
        if d.data is None:
            return
        n_ev = len(d.data.events) if d.data.events is not None else 0
        moment = d.moment_text()
        text = f"{len(d.data):,} leads" + (f" \u00b7 {n_ev:,} events" if n_ev else "") + f" \u00b7 {moment}"
        set_text(self.data_label, text)
        # at most half the bar: the status messages on the left stay readable at a projector's text size
        self.data_label.setMinimumWidth(min(QFontMetrics(self.data_label.font()).horizontalAdvance(text) + 12, self.width() // 2))
        end = f"the end of {day_text(d.data_end)}, the latest day in the data" if d.data_end is not None else "-"
        self.data_label.setToolTip(
            f"Leads: {d.leads_path or '-'}\nActivity log: {d.activities_path or '-'}\n"
            f"Scored: {moment}\nEnd of the data: {end}\n"
            "(Thresholds && capacity tab: when leads are scored)\n"
            f"Outcome column: {d.outcome_column or 'none'}\nLoaded and scored in {d.load_seconds:.1f} s"
        )

    def _on_document_moment_changed(self) -> None:
        d = self.doc
        self._update_data_label()
        if d.data is not None:
            as_of, horizon = d.data.as_of, d.data.horizon_days
            short = (f"each lead {horizon:g} days after creation" if horizon is not None
                     else f"every lead as of {day_text(as_of)}")
            self.weekly.set_note(f"{short} <a href='moment'>change</a>")
            self.weekly.note_label.setToolTip(
                f"Leads scored {d.moment_text()}.\nClick \u201cchange\u201d to choose when leads are scored "
                "(Thresholds && capacity tab).")
            self.weekly.set_moment(as_of, horizon)
        else:
            self.weekly.set_note("")
        if self.settings_enabled:
            s = QSettings()
            s.setValue("scoring/mode", "horizon" if d.horizon_pref is not None else "as_of")
            s.setValue("scoring/horizon_days", float(d.horizon_pref or self.targets_panel.moment_box.days.value()))

    def _on_weekly_note_link_activated(self, _link: str) -> None:
        self.show_scoring_moment()

    def show_scoring_moment(self) -> None:
        """Show the control that sets when leads are scored."""
        self.editor_tabs.setCurrentWidget(self.targets_panel)
        box = self.targets_panel.moment_box
        self.targets_panel.scroll.ensureWidgetVisible(box)
        (box.days if box.horizon_radio.isChecked() else box.date).setFocus()

    def _on_document_model_reset(self) -> None:
        self._hist_bounds = None
        self._last_grid = None
        self._update_title()
        self._update_actions()
        self._update_rules_tab_title()
        self._rebuild_grade_filter()
        if self.doc.scorer is None:
            self.hist.set_thresholds(self.doc.model.thresholds.mql, self.doc.model.thresholds.sql)

    def _on_document_changed(self, change: Change) -> None:
        if change.touches("thresholds") and self.doc.scorer is None:
            self.hist.set_thresholds(self.doc.model.thresholds.mql, self.doc.model.thresholds.sql)
        self._update_rules_tab_title()
        if change.touches("attributes", "columns", "model", "rules", "meta"):
            self._update_problems()
        if change.touches("grades"):
            self._rebuild_grade_filter()
        self._show_rule_details()
        self._update_actions()

    def _on_document_load_started(self, message: str) -> None:
        self.progress.setValue(0)
        self.progress.setFormat("%p%")  # the words are in the status bar: in the bar they wrapped and were cut
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.act_cancel.setEnabled(True)
        self.statusBar().showMessage(message + " ...")

    def _on_document_load_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.progress.setToolTip(message)
        if message:  # the step in progress ("Reading activities.csv: 3,000,000 rows"); the end of the load says its own
            self.statusBar().showMessage(message + " ...")

    def _on_document_load_ended(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.act_cancel.setEnabled(False)
        self._maybe_offer_mapping()

    def _on_document_load_failed(self, message: str) -> None:
        self._new_model_after_load = False
        self._on_document_load_ended()
        d = self.doc
        kept = (f" Still showing {len(d.data):,} leads from {d.leads_path.name if d.leads_path else 'the previous data'}."
                if d.data is not None else "")
        self.statusBar().clearMessage()
        self.status("Loading failed." + kept, 15000)
        self.error_dialog("Cannot load the data", message + kept)

    def _on_document_load_cancelled(self) -> None:
        self._on_document_load_ended()
        self.status("Loading cancelled; the previous data is kept." if self.doc.has_data else "Loading cancelled.")

    # ================================================================== plots
    def _on_hist_threshold_moved(self, name: str, value: float) -> None:
        # live: the model follows the line; no undo step until the drag ends
        self.doc.apply_live(C.SetThreshold(name, value))

    def _on_hist_threshold_drag_finished(self, name: str, before: float, after: float) -> None:
        current = self.doc.model.thresholds.mql if name == "mql" else self.doc.model.thresholds.sql
        if current != after:
            self.doc.apply_live(C.SetThreshold(name, after))
        self.doc.push(C.SetThreshold(name, after), inverse=C.SetThreshold(name, before), mergeable=False)
        self.doc.end_gesture()
        self.status(f"{name.upper()} threshold {before:g} \u2192 {after:g} (Ctrl+Z to undo)")

    def _on_grid_cell_clicked(self, cell: str) -> None:
        i = self.lead_grade.findData(cell)
        if i >= 0:
            self.lead_grade.setCurrentIndex(i)
        self.editor_tabs.setCurrentWidget(self.leads_tab)
        self.status(f"Showing the leads graded {cell}")


def _plain_frame(df):
    """The same table with object-dtype labels: cheap ``.loc`` lookups when the grid paints."""
    if df is None:
        return None
    import pandas as pd

    return pd.DataFrame(df.to_numpy(), index=pd.Index([str(x) for x in df.index], dtype=object),
                        columns=pd.Index([str(x) for x in df.columns], dtype=object))


def _same_grid(a: tuple, b: tuple | None) -> bool:
    """Whether two (counts, conversion, mql_cells) tuples show the same grid."""
    if b is None:
        return False
    for x, y in zip(a[:2], b[:2]):
        if (x is None) != (y is None):
            return False
        if x is not None and (x.shape != y.shape or list(x.index) != list(y.index) or list(x.columns) != list(y.columns)
                              or not np.array_equal(x.to_numpy(), y.to_numpy(), equal_nan=True)):
            return False
    return a[2] == b[2]


