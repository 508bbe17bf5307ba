"""Analysis > Suggest points...: learn a sparse whole-number points model from the leads' outcomes.

Runs :func:`leaddesigner.core.analysis.fit.fit_points` in a worker thread (progress,
Cancel) on the lead file and activity log the window holds, then shows the
holdout AUC of the learnt model against a logistic regression on the same
candidate features (and against the open model), and the proposed rules.
"Use this model" replaces the open model with the learnt one as one undo
step (:class:`~leaddesigner.core.edits.commands.ReplaceModel`: Ctrl+Z brings the
user's model back, unsaved edits included); "Save as..." writes it to a new
file and leaves the open model alone.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.edits import commands as C
from leaddesigner.gui.document import DEFAULT_HORIZON_DAYS
from leaddesigner.gui.plotting.overview import PALETTE, scaled_font
from leaddesigner.gui.tasks import TaskRunner

__all__ = ["FitDialog", "open_fit_dialog", "fit_inputs"]

MODEL_FILTER = "Lead-scoring models (*.yaml *.yml *.json);;All files (*)"


def _h(s) -> str:
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _auc(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


def fit_inputs(doc) -> dict:
    """What :func:`fit_points` needs from the document, as keyword arguments (GUI thread, cheap).

    Raises ValueError with a sentence when something is missing.
    """
    frame = doc.leads_frame
    if frame is None or doc.data is None:
        raise ValueError("Load leads first (Data > Load leads): the points are learnt from them.")
    col = doc.outcome_column
    if col is None or doc.outcome is None:
        raise ValueError("Say what \u201cconverted\u201d means first (Data > Outcome, or the Backtest tab): "
                         "the points are learnt from which leads converted.")
    m = doc.model
    raw_col = col
    y = np.asarray(doc.outcome, dtype=bool)
    if len(y) != len(frame):
        raise ValueError(f"The outcome column {col} does not line up with the lead file's rows.")
    created = None
    if m.created_at:
        c = m.column_for(m.created_at)
        created = c if c in frame.columns else None
    horizon = None
    if doc.activities_frame is not None and created is not None:
        # the app's "N days after creation"; with "as of a date" (no horizon) still N days: counting events up
        # to the end of the data would let the run-up to a conversion (and post-sale use) leak into the fit
        horizon = doc.data.horizon_days if doc.data.horizon_days is not None else DEFAULT_HORIZON_DAYS
    return dict(leads=frame, outcome=np.asarray(y, dtype=bool), activities=doc.activities_frame, created=created,
                base_model=m.copy(), outcome_column=raw_col if raw_col in frame.columns else None,
                horizon_days=horizon)


def app_moment(doc) -> dict:
    """How the app scores the loaded leads now: as_of, horizon_days and the sentence the status bar shows."""
    d = doc.data
    text = doc.moment_text() if hasattr(doc, "moment_text") else ""
    return dict(as_of=d.as_of, horizon_days=d.horizon_days, text=text)


def _run_fit(inputs: dict, progress=None, app: dict | None = None, holdout=None, **options):
    from leaddesigner.core.analysis.fit import fit_points, holdout_auc_at, same_moment

    kw = dict(inputs)
    kw.update(options)
    leads, outcome = kw.pop("leads"), kw.pop("outcome")
    res = fit_points(leads, outcome, progress=progress, **kw)
    res.app_auc = None  # the holdout AUC as the app will show it, when the app scores at another moment
    res.app_moment = app
    if app is not None and not same_moment(res, app.get("as_of"), app.get("horizon_days")):
        if progress:
            progress(0.97, "Scoring as the app does")
        try:
            res.app_auc = holdout_auc_at(res, leads, inputs.get("activities"), outcome, as_of=app.get("as_of"),
                                         horizon_days=app.get("horizon_days"), holdout=holdout)
        except (KeyError, ValueError):
            res.app_auc = None
    return res


class FitDialog(QDialog):
    """Learn points from outcomes; use the result (undoable) or save it."""

    #: a fitted model is on screen
    fitted = Signal()

    def __init__(self, window, parent: QWidget | None = None):
        super().__init__(parent or window)
        self.window_ = window
        self.doc = window.doc
        self.result = None
        self.runner = TaskRunner("LeadDesignerFit", self)
        self.runner.progress.connect(self._on_runner_progress)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.cancelled.connect(self._on_runner_cancelled)
        self.setWindowTitle("Suggest points from outcomes")
        self.resize(980, 660)

        intro = QLabel(
            "Learns a small points model from which leads converted: numeric columns are cut into bands, each "
            "band and category becomes a candidate rule, and a sparse whole-number model is fitted on the older "
            "80% of leads. The most recent 20% are held out to check it honestly.", self)
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {PALETTE['muted']};")
        self.max_rules = QSpinBox(self)
        self.max_rules.setRange(1, 30)
        self.max_rules.setValue(12)
        self.max_rules.setToolTip("At most this many rules (fewer when more rules do not help)")
        self.exclude = QListWidget(self)
        self.exclude.setToolTip("Columns that must not be scored, e.g. values only known after the sale. "
                                "Outcome, id and date columns are left out anyway.")
        self.exclude.setMaximumHeight(66)
        self.exclude.setFlow(QListWidget.Flow.LeftToRight)
        self.exclude.setWrapping(True)
        self.exclude.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.keep_settings = QCheckBox("Keep the open model's name, capacity and column mapping", self)
        self.keep_settings.setChecked(True)
        form = QFormLayout()
        form.addRow("At most", self._with_suffix(self.max_rules, "rules"))
        form.addRow("Leave out", self.exclude)
        form.addRow("", self.keep_settings)

        self.run_button = QPushButton("Suggest points", self)
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.start)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setVisible(False)
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.progress, 1)
        run_row.addWidget(self.cancel_button)
        run_row.addStretch(1)

        self.headline = QLabel("", self)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.headline.setWordWrap(True)
        self.headline.setFont(scaled_font(1.0, 1.2))
        self.details = QLabel("", self)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setWordWrap(True)
        self.details.setStyleSheet(f"color: {PALETTE['muted']};")
        self.rules = QTableWidget(0, 4, self)
        self.rules.setHorizontalHeaderLabels(["Points", "Rule", "Dimension", "Why"])
        self.rules.verticalHeader().setVisible(False)
        self.rules.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rules.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rules.setWordWrap(True)
        h = self.rules.horizontalHeader()
        for c in (0, 2):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.rules.setColumnWidth(1, 300)

        self.use_button = QPushButton("Use this model", self)
        self.use_button.setToolTip("Replace the open model with the suggested one (Ctrl+Z brings yours back)")
        self.use_button.clicked.connect(self.use_model)
        self.save_button = QPushButton("Save as…", self)
        self.save_button.setToolTip("Write the suggested model to a new file; the open model stays as it is")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        close = QPushButton("Close", self)
        close.clicked.connect(self.reject)
        for b in (self.use_button, self.save_button):
            b.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)

        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addLayout(run_row)
        lay.addWidget(self.headline)
        lay.addWidget(self.rules, 1)
        lay.addWidget(self.details)
        lay.addLayout(buttons)
        self._fill_columns()

    @staticmethod
    def _with_suffix(w: QWidget, text: str) -> QWidget:
        box = QWidget()
        l_ = QHBoxLayout(box)
        l_.setContentsMargins(0, 0, 0, 0)
        l_.addWidget(w)
        l_.addWidget(QLabel(text))
        l_.addStretch(1)
        return box

    def _fill_columns(self) -> None:
        self.exclude.clear()
        frame = self.doc.leads_frame
        if frame is None:
            return
        from leaddesigner.core.data.outcome import after_outcome_name, after_outcome_values

        o = self.doc.model.outcome
        remembered = set(o.recorded_after or []) if o is not None else set()
        for c in frame.columns:
            name = str(c)
            it = QListWidgetItem(name, self.exclude)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            suspect = after_outcome_name(name) or after_outcome_values(frame[c])
            it.setCheckState(Qt.CheckState.Checked if name in remembered or (suspect and not remembered) else Qt.CheckState.Unchecked)
            if suspect:
                it.setForeground(QColor("#B9770E"))
                it.setToolTip(f"{name} looks recorded with or after the outcome (its name or its values, like closed or lost): "
                              "a score learnt from it looks great and fails on new leads. Left out unless you untick it.")

    def excluded_columns(self) -> list[str]:
        return [self.exclude.item(i).text() for i in range(self.exclude.count())
                if self.exclude.item(i).checkState() == Qt.CheckState.Checked]

    def set_excluded(self, names: list[str]) -> None:
        for i in range(self.exclude.count()):
            it = self.exclude.item(i)
            it.setCheckState(Qt.CheckState.Checked if it.text() in names else Qt.CheckState.Unchecked)

    def _outcome_with_exclusions(self):
        """The open model's outcome, remembering the columns left out (``recorded_after``) for the fitted model."""
        import copy

        o = self.doc.model.outcome
        if o is None:
            return None
        new = copy.deepcopy(o)
        chosen = [c for c in self.excluded_columns() if c not in (o.column, o.date)]
        new.recorded_after = chosen or None
        return new

    # -------------------------------------------------------------- running
    @property
    def busy(self) -> bool:
        return self.runner.busy

    def start(self) -> bool:
        """Fit in the worker. Returns False (with the reason shown) when the inputs are missing."""
        self.cancel()
        try:
            inputs = fit_inputs(self.doc)
        except ValueError as e:
            self._show_error(str(e))
            return False
        if not self.keep_settings.isChecked():
            inputs["base_model"] = None
        self._fit_outcome = self._outcome_with_exclusions()
        name = f"{self.doc.model.name or 'Model'} \u2013 suggested points"
        panel = getattr(self.window_, "panels", {}).get("backtest")
        hold = getattr(panel, "holdout_mask", None)
        self._set_busy(True)
        self.headline.setText("Fitting…")
        self.runner.run(_run_fit, inputs, max_rules=self.max_rules.value(), exclude=tuple(self.excluded_columns()),
                        name=name if self.keep_settings.isChecked() else None,
                        app=app_moment(self.doc), holdout=None if hold is None else np.array(hold, dtype=bool))
        return True

    def cancel(self) -> None:
        if self.runner.busy:
            self.runner.cancel(quiet=True)
            self.headline.setText("Cancelled.")
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_button.setVisible(busy)
        self.run_button.setEnabled(not busy)
        for b in (self.use_button, self.save_button):
            b.setEnabled(not busy and self.result is not None)

    def _on_runner_progress(self, f: float, msg: str) -> None:
        self.progress.setValue(int(f * 1000))
        self.progress.setFormat(f"{msg[:40]} %p%")

    def _on_runner_failed(self, message: str) -> None:
        self._set_busy(False)
        self._show_error(f"No points model could be fitted: {message}")

    def _on_runner_cancelled(self) -> None:
        self._set_busy(False)
        self.headline.setText("Cancelled.")

    def _show_error(self, text: str) -> None:
        self.headline.setText(f"<span style='color:{PALETTE['warning']}'><b>{_h(text)}</b></span>")

    def _on_runner_finished(self, res) -> None:
        # learnt from the open model's outcome: the fitted model reads it the same way, and remembers
        # the columns left out as recorded after the outcome (used, saved, and offered next time)
        res.model.outcome = getattr(self, "_fit_outcome", None)
        self.result = res
        self._set_busy(False)
        self._show(res)
        self.fitted.emit()

    # -------------------------------------------------------------- showing
    def _current_auc(self) -> float | None:
        panel = getattr(self.window_, "panels", {}).get("backtest")
        v = getattr(panel, "holdout_auc", None)
        return None if v is None or math.isnan(v) else float(v)

    def app_auc(self, res=None) -> float:
        """The suggestion's holdout AUC as the app will show it after "Use this model"."""
        res = res if res is not None else self.result
        v = getattr(res, "app_auc", None)
        return float(res.holdout_auc) if v is None else float(v)

    def _show(self, res) -> None:
        diff = res.holdout_auc - res.logistic_auc
        cur = self._current_auc()
        colour = PALETTE["ok"] if diff >= -0.02 else PALETTE["warning"]
        text = (f"Holdout AUC <b>{_auc(res.holdout_auc)}</b> with {res.n_rules} rules · logistic regression on the same "
                f"candidates {_auc(res.logistic_auc)} <span style='color:{colour}'>({diff:+.3f})</span>")
        other_moment = getattr(res, "app_auc", None) is not None
        if other_moment:
            # the fit scored the leads at another moment than the app does: compare with the open model as the app
            # scores both (what the Holdout AUC tile will show after "Use this model"), and say so
            moment = (getattr(res, "app_moment", None) or {}).get("text") or "the app's scoring moment"
            text += f"<br>Scored as the app scores now ({_h(moment)}): suggestion <b>{_auc(res.app_auc)}</b>"
        if cur is not None:
            mine = self.app_auc(res)
            better = mine - cur
            text += (" · " if not other_moment else ", ") + f"your model {_auc(cur)} " \
                    f"<span style='color:{PALETTE['ok'] if better >= 0 else PALETTE['warning']}'>" \
                    f"({better:+.3f} for the suggestion)</span>"
        self.headline.setText(text)
        m = res.model
        self.rules.setRowCount(len(m.rules))
        for r, rule in enumerate(m.rules):
            pts = rule.points
            vals = [f"{pts:+g}" if pts else "0", rule.label or rule.describe(), rule.dimension, rule.why or ""]
            for c, v in enumerate(vals):
                it = QTableWidgetItem(v)
                if c == 0:
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    f = it.font()
                    f.setBold(True)
                    it.setFont(f)
                self.rules.setItem(r, c, it)
        self.rules.resizeRowsToContents()
        t = m.thresholds
        lines = [
            f"Fitted on {res.n_train:,} leads ({res.positives_train:,} converted), checked on the most recent "
            f"{res.n_holdout:,} ({res.positives_holdout:,} converted); {res.n_candidates} candidate rules; "
            f"{res.seconds:.1f} s. Split {_h(res.split)}.",
            f"Thresholds: MQL {t.mql:g}" + (f", SQL {t.sql:g}" if t.sql is not None else "")
            + (f". Fitted with each lead scored {res.horizon_days:g} days after it was created (events after that, "
               "such as the run-up to a conversion, do not count)." if res.horizon_days is not None else "."),
        ]
        if getattr(res, "app_auc", None) is not None:
            moment = (getattr(res, "app_moment", None) or {}).get("text") or "another moment"
            lines.append(f"The app scores {_h(moment)}: there the suggested model's holdout AUC is "
                         f"{_auc(res.app_auc)}, the figure the summary strip shows after <i>Use this model</i> "
                         "(Thresholds &amp; capacity &gt; When leads are scored changes the moment).")
        if res.excluded:
            lines.append("Not used: " + "; ".join(f"{_h(c)} ({_h(w)})" for c, w in list(res.excluded.items())[:12])
                         + (" …" if len(res.excluded) > 12 else ""))
        lines += [_h(n) for n in res.notes]
        self.details.setText("<br>".join(lines))

    # -------------------------------------------------------------- using the result
    def use_model(self) -> bool:
        """Replace the open model with the fitted one as one undo step."""
        from leaddesigner.core.model.types import to_dict

        if self.result is None:
            return False
        ok = self.doc.push(C.ReplaceModel(to_dict(self.result.model), "Use the suggested points model"), mergeable=False)
        self.doc.end_gesture()
        if ok:
            w = self.window_
            if hasattr(w, "status"):
                w.status(f"Using the suggested model ({self.result.n_rules} rules). Ctrl+Z brings yours back.", 10000)
            self.accept()
        return ok

    def _on_save_button_clicked(self, _checked: bool = False) -> None:
        self.save_as()  # clicked(bool) must not reach save_as as the path

    def save_as(self, path: Path | None = None) -> Path | None:
        """Write the fitted model to ``path`` (asks when None); the open model is left alone."""
        from leaddesigner.core.model.io import ModelError, save_model

        if self.result is None:
            return None
        if path is None:
            w = self.window_
            start = Path(w._last_folder() if hasattr(w, "_last_folder") else Path.home()) / "suggested_points.yaml"
            chosen, _ = QFileDialog.getSaveFileName(self, "Save the suggested model", str(start), MODEL_FILTER)
            if not chosen:
                return None
            path = Path(chosen)
            if path.suffix.lower() not in (".yaml", ".yml", ".json"):
                path = path.with_suffix(".yaml")
        try:
            save_model(self.result.model, Path(path))
        except (ModelError, OSError) as e:
            self._show_error(f"Cannot save {path}: {getattr(e, 'strerror', None) or e}")
            return None
        if hasattr(self.window_, "status"):
            self.window_.status(f"Suggested model saved to {path}", 10000)
        return Path(path)

    def done(self, r: int) -> None:  # noqa: D401 (Qt API)
        self.cancel()
        super().done(r)


def open_fit_dialog(window, start: bool = True) -> FitDialog | None:
    """Analysis > Suggest points...: show the dialog and start fitting when the inputs are there."""
    try:
        fit_inputs(window.doc)
    except ValueError as e:
        window.error_dialog("Cannot suggest points yet", str(e))
        return None
    dlg = FitDialog(window)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.show()
    if start:
        dlg.start()
    window._fit_dialog = dlg
    return dlg
