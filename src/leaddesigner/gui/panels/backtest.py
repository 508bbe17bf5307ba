"""The Backtest tab: how well the model ranks the leads that converted, and where to put the MQL line.

One module because it is one widget, :class:`BacktestPanel` (the outcome and date choices, the debounced
worker and its stale results, showing a result). Its plot views and suggestion rows are in :mod:`.backtest_views`, the job its worker runs in
:mod:`.backtest_job`, the holdout AUC after every edit in :mod:`.backtest_auc`, the workflow in
:mod:`leaddesigner.core.analysis.backtesting`.

What it shows (when the lead file has an outcome column):

* ROC AUC with a bootstrap interval on the older leads (tuning) against the
  most recent 20% (holdout, a split by creation time), with counts;
* the holdout AUC after every edit and what the edit changed
  ("Holdout AUC 0.741 (+0.012 since the last change)"), also as a tile of the
  summary strip: one sort of the holdout's scores, in the GUI thread;
* conversion per score decile (bars), cumulative gains (curve), conversion per
  grade cell, the MQL cut (precision, recall, share of conversions captured
  against share of leads handed over, MQL against non-MQL conversion);
* score at conversion (distribution and average) when a conversion-date column
  is chosen;
* four MQL threshold suggestions (capacity, recall, F1, average score at
  conversion), computed on the older leads (tuning), each with what it would
  mean and an Apply button (undoable);
* warnings when the data is too thin to trust a figure.

Everything but the holdout AUC is computed by the pure core's one backtest
workflow (:func:`leaddesigner.core.analysis.backtesting.run_backtest`, which the CLI's
``backtest`` and the report call too: the same figures to the digit) in a
:class:`~leaddesigner.gui.tasks.TaskRunner`, over snapshots of the
scorer's arrays (the scorer replaces, never mutates, its result arrays) and a
copy of the model. Edits are debounced; the last result stays on screen, marked
"updating", until the new one is ready.
"""
from __future__ import annotations

import dataclasses
import math
import time
from html import escape
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFontMetricsF
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.analysis.backtesting import (
    CONTACT_DATE_HINTS,
    CONVERSION_DATE_HINTS,
    date_candidates,
    guess_date_column,
)
from leaddesigner.core.analysis.thresholds import whole_mqls_per_week
from leaddesigner.core.edits import commands as C
from leaddesigner.core.formatting import pct_text
from leaddesigner.gui.panels.backtest_auc import AucTile, HoldoutAuc, auc_words, show_on_tile
from leaddesigner.gui.panels.backtest_job import BacktestJob, BacktestOutput, compute_backtest
from leaddesigner.gui.panels.backtest_views import (
    SUGGESTION_TITLES,
    DecileConversionView,
    GainsCurveView,
    ReflowGrid,
    ScoreAtConversionView,
    SuggestionRow,
    number_text,
    section_title,
    threshold_text,
)
from leaddesigner.gui.panels.grade_grid import GradeGridView
from leaddesigner.gui.panels.summary_strip import Tile
from leaddesigner.gui.plotting.base import PALETTE, palette_colours, scaled_font
from leaddesigner.gui.tasks import TaskRunner

__all__ = ["BacktestPanel", "DecileConversionView", "GainsCurveView", "ScoreAtConversionView", "date_candidates", "install"]

#: minimum height of each plot at normal text size (px); grows with View > Bigger text
PLOT_MIN_HEIGHT = 230
#: warnings listed in the box (all of them in its tooltip)
MAX_WARNINGS_SHOWN = 3
#: wait this long after the last edit before recomputing the backtest (ms)
DEBOUNCE_MS = 350
PART_LABELS = {"all": "All leads", "tuning": "Older 80% (tuning)", "holdout": "Most recent 20% (holdout)"}


# ------------------------------------------------------------------ the panel
class BacktestPanel(QWidget):
    """The Backtest tab over a :class:`~leaddesigner.gui.document.ModelDocument`.

    ``window`` is optional (tests may build the panel on a bare document); with
    a window, the outcome combo goes through ``window.set_outcome_column`` so the
    Data menu stays in step.
    """

    #: a new backtest result is on screen
    resultShown = Signal()
    #: points as probabilities of the latest run (core.analysis.calibration.Calibration or None), shown or not
    calibrationChanged = Signal(object)
    #: the holdout AUC (and its change) was updated after an edit
    holdoutAucChanged = Signal()

    EMPTY_NO_DATA = ("<h3>Backtest: does the model find the leads that converted?</h3>"
                     "<p>Load a lead file that tells which leads converted (Data &gt; Load leads).</p>")
    EMPTY_NO_OUTCOME = ("<h3>Choose the outcome column</h3>"
                        "<p>The backtest compares the scores with what happened: pick the column of the lead file "
                        "that says which leads converted (0/1, yes/no, won/lost, a stage, a date) in the box above, or "
                        "with <b>Data &gt; What \u201cconverted\u201d means</b>.</p>")

    def __init__(self, doc, window=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = doc
        self.window_ = window
        self.runner = TaskRunner("LeadDesignerBacktest", self)
        self.runner.finished.connect(self._on_runner_finished)
        self.runner.failed.connect(self._on_runner_failed)
        self.runner.cancelled.connect(self._after_run)
        self._pending = False
        self._output: BacktestOutput | None = None
        self._auc = HoldoutAuc()  # the holdout and the AUC after every edit
        self.holdout_auc: float | None = None
        self.holdout_auc_delta: float | None = None
        self._generation = 0
        self._outcome_seen: Any = None
        self._frame_seen: Any = None
        self._date_cache: dict = {}
        self._outcome_column_seen: str | None = None
        self._stale = False
        self._unshown = False  # a result came in while the tab was hidden: shown with the tab
        self.last_apply_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._build()
        doc.scoresChanged.connect(self._on_document_scores_changed)
        doc.dataReset.connect(self._on_document_data_reset)
        doc.modelReset.connect(self._on_document_model_reset)
        self._on_document_data_reset()

    # -------------------------------------------------------------- construction
    def _build(self) -> None:
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(self.backgroundRole(), QColor(PALETTE["background"]))
        self.setPalette(pal)

        # controls: outcome, conversion date, first contact, which leads the plots show
        self.outcome_combo = QComboBox(self)
        self.outcome_combo.setToolTip("The column that says which leads converted (also Data > Outcome column)")
        self.outcome_combo.activated.connect(self._on_outcome_combo_activated)
        self.date_combo = QComboBox(self)
        self.date_combo.setToolTip("The column with the day each lead converted: gives each converter's score on that day")
        self.date_combo.activated.connect(self._on_date_combo_activated)
        self.contact_combo = QComboBox(self)
        self.contact_combo.setToolTip("The column with the day of first sales contact (optional)")
        self.contact_combo.activated.connect(self._on_date_combo_activated)
        self.part_combo = QComboBox(self)
        for key, text in PART_LABELS.items():
            self.part_combo.addItem(text, key)
        self.part_combo.setToolTip("Which leads the figures and plots below describe")
        self.part_combo.activated.connect(self._show_output)
        for cb in (self.outcome_combo, self.date_combo, self.contact_combo, self.part_combo):
            cb.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            cb.setMinimumContentsLength(8)
        controls = QGridLayout()
        controls.setHorizontalSpacing(6)
        controls.setVerticalSpacing(3)
        for i, (text, w) in enumerate((("Outcome", self.outcome_combo), ("Converted on", self.date_combo),
                                       ("First sales contact", self.contact_combo), ("Figures for", self.part_combo))):
            lab = QLabel(text, self)
            lab.setBuddy(w)
            controls.addWidget(lab, i // 2, (i % 2) * 2)
            controls.addWidget(w, i // 2, (i % 2) * 2 + 1)
        controls.setColumnStretch(1, 1)
        controls.setColumnStretch(3, 1)

        # header: the holdout AUC and what the last edit did to it
        self.auc_label = QLabel("", self)
        self.auc_label.setFont(scaled_font(1.0, 1.6, bold=True))
        self.auc_label.setTextFormat(Qt.TextFormat.RichText)
        self.auc_label.setWordWrap(True)
        self.auc_label.setToolTip(
            "ROC AUC on the most recent 20% of leads (by creation date), which the model was not tuned on:\n"
            "the chance that a random converter scores higher than a random non-converter.\n"
            "0.5 is a coin toss, 1.0 is perfect. In brackets: what the last edit changed.")
        self.auc_detail = QLabel("", self)
        self.auc_detail.setWordWrap(True)
        self.auc_detail.setTextFormat(Qt.TextFormat.RichText)
        self.auc_detail.setStyleSheet(f"color: {PALETTE['muted']};")
        self.busy_label = QLabel("", self)
        self.busy_label.setToolTip("Updating: the figures below are from before the last edit until the new ones are in.\n"
                                   "Otherwise: how long the last backtest took (in the background).")
        self.busy_label.setStyleSheet(f"color: {PALETTE['muted']};")
        self.busy_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        head_row = QVBoxLayout()
        head_row.setSpacing(0)
        head_row.addWidget(self.auc_label)
        detail_row = QHBoxLayout()
        detail_row.addWidget(self.auc_detail, 1)
        detail_row.addWidget(self.busy_label, 0, Qt.AlignmentFlag.AlignTop)
        head_row.addLayout(detail_row)

        self.warning_box = QLabel("", self)
        self.warning_box.setWordWrap(True)
        self.warning_box.setTextFormat(Qt.TextFormat.RichText)
        self.warning_box.setStyleSheet(
            f"QLabel {{ background: #fff4e5; border: 1px solid {PALETTE['warning']}; border-radius: 3px; "
            f"padding: 4px 6px; color: {PALETTE['text']}; }}")
        self.warning_box.setVisible(False)
        self.warning_box.setFont(scaled_font(1.0, 0.92))

        # the MQL cut in four tiles
        self.tiles = {
            "precision": Tile("MQLs that convert", "Precision: the share of MQLs (SQLs included) that converted.", self),
            "recall": Tile("Conversions captured", "Recall: the share of all conversions that were MQLs.", self),
            "handover": Tile("Leads handed over", "The share of all leads that became MQLs (the SDR team's work).", self),
            "rates": Tile("MQL vs other leads", "Conversion rate of MQLs against the leads below the threshold, with 95% intervals.", self),
        }
        for t in self.tiles.values():
            t.set_font_scale(1.0)
        tiles_box = ReflowGrid(list(self.tiles.values()), 175, self, max_cols=4)

        # plots
        self.decile_view = DecileConversionView(self)
        self.gains_view = GainsCurveView(self)
        self.grade_title = QLabel("Conversion by grade", self)
        self.grade_grid = GradeGridView(self)
        self.grade_grid.setMinimumHeight(150)
        grade_box = QWidget(self)
        gl = QVBoxLayout(grade_box)
        gl.setContentsMargins(6, 2, 6, 0)
        gl.setSpacing(2)
        self.grade_title.setFont(scaled_font(1.0, 1.15, bold=True))
        gl.addWidget(self.grade_title)
        gl.addWidget(self.grade_grid, 1)
        self.sac_view = ScoreAtConversionView(self)
        self.sac_detail = QLabel("", self)
        self.sac_detail.setWordWrap(True)
        self.sac_detail.setStyleSheet(f"color: {PALETTE['muted']};")
        sac_box = QWidget(self)
        sl = QVBoxLayout(sac_box)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.setSpacing(2)
        sl.addWidget(self.sac_view, 1)
        sl.addWidget(self.sac_detail)
        for v in (self.decile_view, self.gains_view, grade_box, sac_box):
            v.setMinimumHeight(PLOT_MIN_HEIGHT)
        self.plots = ReflowGrid([self.decile_view, self.gains_view], parent=self)
        self.plots2 = ReflowGrid([grade_box, sac_box], parent=self)

        # threshold suggestions
        self.suggest_title = section_title("Where to put the MQL threshold", self)
        self.suggest_hint = QLabel("", self)
        self.suggest_hint.setWordWrap(True)
        self.suggest_hint.setStyleSheet(f"color: {PALETTE['muted']};")
        self.recall_spin = QSpinBox(self)
        self.recall_spin.setRange(10, 99)
        self.recall_spin.setSingleStep(5)
        self.recall_spin.setValue(80)
        self.recall_spin.setSuffix("% of converters")
        self.recall_spin.setToolTip("The share of converted leads the threshold must hand to sales")
        self.recall_spin.valueChanged.connect(self._on_recall_spin_value_changed)
        self.suggestion_rows: dict[str, SuggestionRow] = {}
        # a framed box without a style sheet: a style sheet on a parent stops its children (the Apply
        # buttons, the recall spin box) from following the window's text size (View > Bigger text)
        sug_box = QFrame(self)
        sug_box.setObjectName("suggestions")
        sug_box.setFrameShape(QFrame.Shape.StyledPanel)
        sug_box.setFrameShadow(QFrame.Shadow.Plain)
        self.suggestions_box = sug_box
        sgl = QVBoxLayout(sug_box)
        sgl.setContentsMargins(4, 2, 4, 2)
        sgl.setSpacing(0)
        for i, key in enumerate(SUGGESTION_TITLES):
            row = SuggestionRow(key, sug_box)
            row.applyClicked.connect(self.apply_suggestion)
            if key == "recall":
                row.add_extra(self.recall_spin)
            if i:
                line = QFrame(sug_box)
                line.setFrameShape(QFrame.Shape.HLine)
                line.setStyleSheet("color: #e4e4e4;")
                sgl.addWidget(line)
            sgl.addWidget(row)
            self.suggestion_rows[key] = row

        # content page
        content = QWidget(self)
        cl = QVBoxLayout(content)
        cl.setContentsMargins(8, 6, 8, 8)
        cl.setSpacing(6)
        cl.addLayout(head_row)
        cl.addWidget(self.warning_box)
        cl.addWidget(tiles_box)
        cl.addWidget(self.plots)
        cl.addWidget(self.suggest_title)
        cl.addWidget(self.suggest_hint)
        cl.addWidget(sug_box)
        cl.addWidget(self.plots2)
        cl.addStretch(1)
        self.content = content

        self.empty_label = QLabel("", self)
        self.empty_label.setWordWrap(True)
        self.empty_label.setTextFormat(Qt.TextFormat.RichText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty_label.setStyleSheet(f"color: {PALETTE['text']};")
        self.empty_buttons = QHBoxLayout()
        self.empty_buttons.setContentsMargins(0, 0, 0, 0)
        self.empty_page = QWidget(self)
        el = QVBoxLayout(self.empty_page)
        el.setContentsMargins(16, 12, 16, 12)
        el.addWidget(self.empty_label)
        el.addLayout(self.empty_buttons)
        el.addStretch(1)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty_page)
        self.stack.addWidget(content)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.stack)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        top = QWidget(self)
        top.setLayout(controls)
        controls.setContentsMargins(8, 4, 8, 2)
        lay.addWidget(top)
        lay.addWidget(self.scroll, 1)
        # the plots take no wheel (no zoom), but pyqtgraph swallows it: scroll the page instead
        self._wheel_viewports = [v.plot_widget.viewport() for v in (self.decile_view, self.gains_view, self.sac_view)]
        for vp in self._wheel_viewports:
            vp.installEventFilter(self)
        self._plot_boxes = (self.decile_view, self.gains_view, grade_box, sac_box)
        palette_colours(self)  # keep our fonts when the window changes the text size

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if ev.type() == QEvent.Type.Wheel and obj in getattr(self, "_wheel_viewports", ()):
            QApplication.sendEvent(self.scroll.verticalScrollBar(), ev)
            return True
        return super().eventFilter(obj, ev)

    # -------------------------------------------------------------- state
    @property
    def busy(self) -> bool:
        return self.runner.busy or self._timer.isActive()

    @property
    def output(self) -> BacktestOutput | None:
        return self._output

    def has_outcome(self) -> bool:
        return self.doc.scorer is not None and self.doc.outcome is not None

    def conversion_column(self) -> str | None:
        return self.date_combo.currentData() if self.date_combo.count() else None

    def contact_column(self) -> str | None:
        return self.contact_combo.currentData() if self.contact_combo.count() else None

    def set_conversion_column(self, name: str | None, contact: str | None = None) -> None:
        """Choose the conversion-date (and first-contact) columns and recompute."""
        for combo, value in ((self.date_combo, name), (self.contact_combo, contact)):
            i = combo.findData(value)
            combo.setCurrentIndex(max(0, i))
        self.schedule(0)

    # -------------------------------------------------------------- document signals
    def _on_document_data_reset(self) -> None:
        d = self.doc
        out = self._output
        # the same leads bound again (an attribute edit, "Use this model"): keep the result on screen until the
        # new one is in, keep the holdout, and let the next holdout AUC show what the change did
        same_rows = (out is not None and d.data is not None and d.leads_frame is not None
                     and d.leads_frame is self._frame_seen and d.outcome_column == self._outcome_column_seen
                     and len(d.data) == len(out.holdout))
        self._frame_seen, self._outcome_column_seen = d.leads_frame, d.outcome_column
        self._cancel_worker()
        self._auc.new_data(same_rows, self.holdout_auc)
        self._stale = False
        if not same_rows:
            self._output = None
            self.calibrationChanged.emit(None)
            self.holdout_auc = self.holdout_auc_delta = None
        if not same_rows:
            self._date_cache = {}
        self._fill_combos()
        self._outcome_seen = self.doc.outcome
        self._update_state()
        if self.has_outcome():
            self.schedule(0)

    def _on_document_model_reset(self) -> None:
        self._auc.clear_history()
        self.holdout_auc_delta = None

    def _on_document_scores_changed(self) -> None:
        d = self.doc
        if d.outcome is not self._outcome_seen:  # Data > Outcome column (or our combo) changed it
            self._outcome_seen = d.outcome
            self._sync_outcome_combo()
            self._auc.clear_history()
            self._auc.drop()
            self._output = None
            self.calibrationChanged.emit(None)
            self._update_state()
        if not self.has_outcome():
            self._update_auc(None)
            return
        if self._output is not None and self.sac_view.mql_line.isVisible():
            self.sac_view.set_threshold(d.model.thresholds.mql)
        self._update_holdout_auc()
        self.schedule()

    # -------------------------------------------------------------- combos
    def _fill_combos(self) -> None:
        d = self.doc
        self.outcome_combo.blockSignals(True)
        self.outcome_combo.clear()
        self.outcome_combo.addItem("None", None)
        for c in d.outcome_columns:
            self.outcome_combo.addItem(c, c)
        self.outcome_combo.blockSignals(False)
        self._sync_outcome_combo()
        cands = date_candidates(d.data, d.loaded.detection if d.loaded is not None else None) if d.data is not None else []
        prev_conv, prev_contact = self.conversion_column(), self.contact_column()
        for combo, hints, prev in ((self.date_combo, CONVERSION_DATE_HINTS, prev_conv),
                                   (self.contact_combo, CONTACT_DATE_HINTS, prev_contact)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("None", None)
            for c in cands:
                combo.addItem(c, c)
            known = None
            if combo is self.date_combo and d.model.outcome is not None and d.outcome is not None:
                # the outcome's own date: a date outcome, or the conversion date stored with it
                o = d.model.outcome
                known = o.date or (o.column if d.outcome_read is not None and d.outcome_read.kind == "date" else None)
            pick = prev if prev in cands else known if known in cands else guess_date_column(cands, hints)
            combo.setCurrentIndex(max(0, combo.findData(pick)))
            combo.blockSignals(False)

    def _sync_outcome_combo(self) -> None:
        i = self.outcome_combo.findData(self.doc.outcome_column if self.doc.outcome is not None else None)
        self.outcome_combo.blockSignals(True)
        self.outcome_combo.setCurrentIndex(max(0, i))
        self.outcome_combo.blockSignals(False)
        self.outcome_combo.setEnabled(self.doc.data is not None)

    def _on_outcome_combo_activated(self, _i: int) -> None:
        self._choose_outcome(self.outcome_combo.currentData())

    def _on_date_combo_activated(self, _i: int) -> None:
        if self.has_outcome():
            self.schedule(0)

    def _on_recall_spin_value_changed(self, _v: int) -> None:
        if self.has_outcome():
            self.schedule()

    # -------------------------------------------------------------- holdout AUC per edit
    @property
    def holdout_mask(self) -> np.ndarray | None:
        """The holdout of the last backtest, one flag per lead (the fit dialog scores its model on it)."""
        return self._auc.mask

    @property
    def last_auc_ms(self) -> float:
        return self._auc.last_ms

    def _update_holdout_auc(self) -> None:
        got = self._auc.compute(self.doc)
        self._update_auc(*(got if got is not None else (None, None)))

    def _update_auc(self, value: float | None, delta: float | None = None) -> None:
        self.holdout_auc, self.holdout_auc_delta = value, delta
        if value is None or math.isnan(value):
            self.auc_label.setText("Holdout AUC –" if self.has_outcome() else "")
        else:
            self.auc_label.setText(auc_words(value, delta, html=True))
        self.holdoutAucChanged.emit()

    def auc_text(self) -> str:
        """``Holdout AUC 0.741 (+0.012 since the last change)`` as plain text (tests, status bar)."""
        if self.holdout_auc is None or math.isnan(self.holdout_auc):
            return ""
        return auc_words(self.holdout_auc, self.holdout_auc_delta, html=False)

    # -------------------------------------------------------------- recompute
    def schedule(self, delay_ms: int | None = None) -> None:
        """Recompute the backtest soon (debounced); the current result stays until the new one is ready."""
        if not self.has_outcome():
            return
        self._set_busy(True)
        self._timer.start(DEBOUNCE_MS if delay_ms is None else delay_ms)

    def _on_timer_timeout(self) -> None:
        if not self.isVisible() and self._auc.mask is not None:
            # nobody looks: recompute when the tab is shown (the holdout AUC per edit needs only the split)
            self._stale = True
            self._set_busy(False)
            return
        if self.runner.busy:
            self._pending = True  # one more run once this one is in
            return
        self._start()

    def _make_job(self) -> BacktestJob | None:
        d = self.doc
        sc = d.scorer
        if sc is None or d.outcome is None or d.data is None:
            return None
        res = sc.result
        created = None
        if d.data.created is not None and d.data.created in d.data.frame.columns:
            created = d.data.frame[d.data.created].to_numpy(dtype="datetime64[ns]")
        m = d.model
        names = sc.grade_names() if m.grades.fit and m.grades.engagement else []
        self._generation += 1
        return BacktestJob(
            score=res.score, status=res.status, grade=res.grade, grade_names=list(names),
            outcome=np.asarray(d.outcome, dtype=bool), created=created, threshold=float(m.thresholds.mql),
            capacity_per_week=float(m.capacity.per_week), recall=self.recall_spin.value() / 100.0,
            model=m.copy(), data=dataclasses.replace(d.data), result=res, conversion_column=self.conversion_column(),
            contact_column=self.contact_column(), date_cache=self._date_cache,
            formats=d.loaded.detection.formats() if d.loaded is not None else {},
            holdout=self._auc.mask if self._auc.mask is not None and len(self._auc.mask) == len(res.score) else None,
            generation=self._generation,
        )

    def _start(self) -> None:
        if self.doc.loading:
            self._pending = False
            return  # dataReset / scoresChanged will bring us back
        job = self._make_job()
        if job is None:
            self._set_busy(False)
            return
        self._pending = False
        self._set_busy(True)
        self.runner.run(compute_backtest, job)

    def _cancel_worker(self) -> None:
        self._timer.stop()
        self._pending = False
        self.runner.cancel(quiet=True)
        self._set_busy(False)

    def _on_runner_finished(self, out: BacktestOutput) -> None:
        d = self.doc
        if d.outcome is None or len(out.holdout) != len(d.outcome):
            self._after_run()
            return
        self._output = out
        self.calibrationChanged.emit(out.run.calibration if out.run is not None else None)
        if self._auc.set_mask(out.holdout):
            if self.isVisible():
                self._update_holdout_auc()
            else:  # a pass of its own: at a million leads the AUC and the tile it updates take ~60 ms
                d.defer(self._update_holdout_auc)
        if self.isVisible():
            self._show_now()
        else:  # nobody looks: shown when the tab is (its plots and tables take 60-160 ms at a million leads)
            self._unshown = True
        self._after_run()

    def _show_now(self) -> None:
        self._unshown = False
        t0 = time.perf_counter()
        self._show_output()
        self.last_show_ms = (time.perf_counter() - t0) * 1000
        self.resultShown.emit()

    def _on_runner_failed(self, message: str) -> None:
        self.busy_label.setText("")
        self.warning_box.setText(f"<b>The backtest could not be computed:</b> {escape(message)}")
        self.warning_box.setVisible(True)
        self._after_run()

    def _after_run(self) -> None:
        if self._pending and self.has_outcome():
            self._pending = False
            self._on_timer_timeout()  # a hidden tab waits until it is shown
        else:
            self._set_busy(self._timer.isActive())

    def _set_busy(self, busy: bool) -> None:
        if busy:
            text = "Updating…" if self._output is not None else "Computing…"
        else:
            out = self._output
            text = f"{out.seconds:.1f} s" if out is not None else ""
        if self.busy_label.text() != text:
            self.busy_label.setText(text)

    # -------------------------------------------------------------- showing results
    def _set_empty_buttons(self, columns: list[str]) -> None:
        while self.empty_buttons.count():
            it = self.empty_buttons.takeAt(0)
            if it.widget() is not None:
                it.widget().deleteLater()
        for c in columns[:3]:
            b = QPushButton(f"Use {c}", self.empty_page)
            b.setToolTip(f"Take column {c} as the outcome (which leads converted)")
            b.clicked.connect(lambda _c=False, col=c: self._choose_outcome(col))
            self.empty_buttons.addWidget(b)
        self.empty_buttons.addStretch(1)

    def _choose_outcome(self, col: str | None) -> None:
        w = self.window_
        if w is not None and hasattr(w, "set_outcome_column"):
            w.set_outcome_column(col)
        else:
            self.doc.set_outcome_column(col)

    def _update_state(self) -> None:
        d = self.doc
        has = d.outcome is not None
        for combo in (self.date_combo, self.contact_combo, self.part_combo):
            combo.setEnabled(has and combo.count() > 1)
        if d.data is None:
            self.empty_label.setText(self.EMPTY_NO_DATA)
            self._set_empty_buttons([])
            self.stack.setCurrentWidget(self.empty_page)
        elif d.outcome is None:
            cands = d.outcome_columns
            extra = (f"<p>Columns that look like an outcome: <b>{escape(', '.join(cands))}</b>.</p>" if cands else
                     "<p>No column of this lead file looks like an outcome (0/1, yes/no, won/lost, a stage, a "
                     "conversion date). Choose one under Data &gt; What \u201cconverted\u201d means, or add one to the export.</p>")
            self.empty_label.setText(self.EMPTY_NO_OUTCOME + extra)
            self._set_empty_buttons(list(cands))
            self.stack.setCurrentWidget(self.empty_page)
        else:
            self.stack.setCurrentWidget(self.content)
            if self._output is None:
                self.auc_detail.setText("Computing the backtest…")
        self._sync_outcome_combo()

    def current_part(self):
        """The Backtest shown below the header: all leads, tuning or holdout."""
        out = self._output
        if out is None:
            return None
        key = self.part_combo.currentData()
        bt = out.backtest
        return bt.parts.get(key, bt) if key in ("tuning", "holdout") else bt

    def _show_output(self, *_args) -> None:
        out = self._output
        self._update_state()
        if out is None:
            return
        bt = out.backtest
        part = self.current_part()
        self._show_header(bt)
        self._show_warnings(bt)
        self._show_mql(part)
        self.decile_view.set_deciles(part.deciles, part.base_rate)
        mq = part.mql
        self.gains_view.set_gains(part.gains, mq.share_of_leads if mq else None, mq.share_of_conversions if mq else None)
        self.decile_view.setTitle(f"Conversion by score decile · {PART_LABELS[self.part_combo.currentData()].lower()}")
        self._show_grades(part, out.job)
        self._show_sac(out)
        self._show_suggestions(out)

    def _show_header(self, bt) -> None:
        parts = bt.parts
        lines = []
        for key in ("tuning", "holdout"):
            p = parts.get(key)
            if p is None:
                continue
            when = ""
            if p.first_created is not None and p.last_created is not None:
                when = f", created {p.first_created:%Y-%m-%d} to {p.last_created:%Y-%m-%d}"
            lines.append(
                f"<b>{'Tuning' if key == 'tuning' else 'Holdout'}</b> AUC {number_text(p.auc)} "
                f"[{number_text(p.auc_low, '.2f')}–{number_text(p.auc_high, '.2f')}] · {p.n:,} leads, "
                f"{p.n_converted:,} converted{when}")
        lines.append(f"All leads: AUC {number_text(bt.auc)} · {bt.n:,} leads, {bt.n_converted:,} converted "
                     f"({pct_text(bt.base_rate)}). Brackets: 95% bootstrap interval.")
        run = self._output.run if self._output is not None else None
        if run is not None and run.calibration_lines:  # the same sentences as `leaddesigner backtest` and the report
            lines.append("<b>What a score means:</b> " + escape(" ".join(x.rstrip(".") + "." for x in run.calibration_lines))
                         + " <span style='color:#6b6b6b'>(90% interval)</span>")
        self.auc_detail.setText("<br>".join(lines))

    def _show_warnings(self, bt) -> None:
        seen: list[str] = []
        for w in list(bt.warnings) + [w for p in bt.parts.values() for w in p.warnings]:
            if w not in seen:
                seen.append(w)
        out = self._output
        if out is not None and out.at_conversion_error:
            seen.append(out.at_conversion_error)
        if seen:
            shown = seen[:MAX_WARNINGS_SHOWN]
            more = len(seen) - len(shown)
            self.warning_box.setText("<b>Read with care:</b><br>" + "<br>".join("• " + escape(w) for w in shown)
                                     + (f"<br><i>… and {more} more (hover here to read them)</i>" if more else ""))
            self.warning_box.setToolTip("\n".join("• " + w for w in seen))
        self.warning_box.setVisible(bool(seen))

    def _show_mql(self, part) -> None:
        mq = part.mql if part is not None else None
        t = self.tiles
        if mq is None:
            for tile in t.values():
                tile.set("–")
            return
        t["precision"].set(pct_text(mq.precision), "", f"{mq.converted_mqls:,} of {mq.mqls:,} MQLs")
        t["recall"].set(pct_text(mq.recall), "", f"{mq.converted_mqls:,} of {part.n_converted:,} conversions")
        wk = f" · {mq.mqls_per_week:,.1f}/week" if mq.mqls_per_week is not None else ""
        t["handover"].set(pct_text(mq.share_of_leads), "", f"{mq.mqls:,} of {part.n:,} leads{wk}")
        mr, nr = mq.mql_rate, mq.non_mql_rate
        lift = f" ({mr.rate / nr.rate:.1f}×)" if nr.rate and not math.isnan(nr.rate) and not math.isnan(mr.rate) else ""
        t["rates"].set(f"{pct_text(mr.rate)} vs {pct_text(nr.rate)}", "",
                       f"MQL [{pct_text(mr.low)}–{pct_text(mr.high)}] · others [{pct_text(nr.low)}–{pct_text(nr.high)}]{lift}")

    def _show_grades(self, part, job: BacktestJob) -> None:
        g = part.grades if part is not None else None
        m = job.model
        fits, engs = list(m.grades.fit), list(m.grades.engagement)
        if g is None or not fits or not engs or not len(g):
            self.grade_grid.set_grid(None)
            return
        by = {str(r["grade"]): r for _, r in g.iterrows()}
        counts = np.zeros((len(fits), len(engs)))
        rate = np.full((len(fits), len(engs)), np.nan)
        for i, f in enumerate(fits):
            for j, e in enumerate(engs):
                r = by.get(f"{f}{e}")
                if r is not None:
                    counts[i, j] = r["leads"]
                    rate[i, j] = r["rate"] if r["leads"] else np.nan
        idx, cols = pd.Index([str(f) for f in fits], dtype=object), pd.Index([str(e) for e in engs], dtype=object)
        self.grade_grid.set_grid(pd.DataFrame(counts.astype(np.int64), index=idx, columns=cols),
                                 pd.DataFrame(rate, index=idx, columns=cols), list(m.grades.mql_cells or []))

    def _show_sac(self, out: BacktestOutput) -> None:
        sac = out.at_conversion
        if out.job.conversion_column is None:
            self.sac_view.set_distribution(None)
            self.sac_detail.setText("")
            return
        lo, hi = self.doc.bounds
        self.sac_view.set_distribution(sac, out.at_conversion_error, (lo, hi))
        if sac is None or sac.at_conversion is None or not sac.at_conversion.count:
            self.sac_detail.setText("")
            return
        a = sac.at_conversion
        q = a.quantiles
        text = (f"{a.count:,} converters: average {a.mean:.1f}, median {q.get('median', float('nan')):.1f} "
                f"(middle half {q.get('p25', float('nan')):.0f}–{q.get('p75', float('nan')):.0f}); "
                f"{pct_text(a.share_mql, 0)} were MQLs when they converted.")
        fc = sac.at_first_contact
        if fc is not None and fc.count:
            text += f" At first sales contact: average {fc.mean:.1f}, {pct_text(fc.share_mql, 0)} MQLs."
        self.sac_detail.setText(text)

    def _show_suggestions(self, out: BacktestOutput) -> None:
        current = float(self.doc.model.thresholds.mql)
        weekly = out.job.created is not None
        by_key = {s.key: s for s in out.suggestions}
        for key, row in self.suggestion_rows.items():
            checked = out.run.checked.get(key) if out.run is not None else None
            row.set_suggestion(by_key.get(key), current, weekly, checked)
        cap = out.job.capacity_per_week
        self.suggest_hint.setText(
            f"Computed on {out.run.suggested_on if out.run is not None else f'all {len(out.job.score):,} leads'}, "
            f"by score alone; today's threshold is {current:g}"
            + (f" and the SDR team can work {whole_mqls_per_week(cap):,} MQLs a week." if cap else ".")
            + " Apply sets the MQL threshold (Ctrl+Z undoes it).")

    # -------------------------------------------------------------- actions
    def suggestion(self, key: str):
        out = self._output
        if out is None:
            return None
        return next((s for s in out.suggestions if s.key == key), None)

    def apply_suggestion(self, key: str) -> bool:
        """Set the MQL threshold to suggestion ``key`` as one undo step. Returns False if unavailable."""
        s = self.suggestion(key)
        if s is None or s.threshold is None:
            return False
        t0 = time.perf_counter()
        ok = self.doc.push(C.SetThreshold("mql", float(s.threshold)), mergeable=False)
        self.doc.end_gesture()
        self.last_apply_ms = (time.perf_counter() - t0) * 1000
        if ok:
            for row in self.suggestion_rows.values():
                if row.suggestion is not None:
                    row.set_suggestion(row.suggestion, float(s.threshold), self._output.job.created is not None)
            w = self.window_
            if w is not None and hasattr(w, "status"):
                title = SUGGESTION_TITLES.get(key, key)
                w.status(f"MQL threshold set to {threshold_text(s.threshold)} ({title[:1].lower() + title[1:]}); "
                         "Ctrl+Z to undo")
        return ok

    def set_font_scale(self, factor: float) -> None:
        """Scale the texts the panel sizes itself (1.0 = application font)."""
        for v in (self.decile_view, self.gains_view, self.sac_view, self.grade_grid):
            v.set_font_scale(factor)
        for t in self.tiles.values():
            t.set_font_scale(factor)
        self.auc_label.setFont(scaled_font(factor, 1.6, bold=True))
        self.grade_title.setFont(scaled_font(factor, 1.15, bold=True))
        self.suggest_title.setFont(scaled_font(factor, 1.15, bold=True))
        for row in self.suggestion_rows.values():
            row.title.setFont(scaled_font(factor, 1.0, bold=True))
            row.value.setFont(scaled_font(factor, 1.35, bold=True))
            row.value.setMinimumWidth(round(QFontMetricsF(row.value.font()).horizontalAdvance("000.00") + 8))
        # the plots keep their share of the page: at big text their titles, legends and ticks take more room
        for box in getattr(self, "_plot_boxes", ()):
            box.setMinimumHeight(round(PLOT_MIN_HEIGHT * max(1.0, factor)))

    def showEvent(self, ev) -> None:  # noqa: N802
        super().showEvent(ev)
        if self._unshown and self._output is not None:
            self._show_now()
        if self._stale:
            self._stale = False
            self.schedule(0)

    @property
    def stale(self) -> bool:
        """The result on screen is older than the scores (the tab was hidden while they changed)."""
        return self._stale

    def changeEvent(self, ev) -> None:  # noqa: N802
        """Follow the window's text size (View > Bigger text): plots and tiles set their own fonts."""
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.FontChange:
            w = self.window_
            self._font_scale = w.font_scale() if w is not None and hasattr(w, "font_scale") else 1.0
            # always, even at an unchanged scale (Ctrl+0 at normal size): the window also sets its plain font on
            # every label with a style sheet (our plot titles); after it is done, set ours again
            if not getattr(self, "_font_pending", False):
                self._font_pending = True
                QTimer.singleShot(0, self, self._reapply_font_scale)

    def _reapply_font_scale(self) -> None:
        self._font_pending = False
        self.set_font_scale(getattr(self, "_font_scale", 1.0))

    def shutdown(self) -> None:
        self._cancel_worker()


# ------------------------------------------------------------------ install
def install(window) -> BacktestPanel:
    """Add the Backtest tab to ``window.view_tabs`` and the holdout AUC tile to the summary strip."""
    panel = BacktestPanel(window.doc, window, window.view_tabs)
    i = window.view_tabs.addTab(panel, "Backtest")
    window.view_tabs.setTabToolTip(i, "How well the model finds the leads that converted; where to put the MQL threshold")
    window.panels["backtest"] = panel
    if hasattr(window, "targets_panel"):
        panel.calibrationChanged.connect(window.targets_panel.set_calibration)
    if hasattr(window, "inspector"):
        panel.calibrationChanged.connect(window.inspector.set_calibration)
    menu = getattr(window, "analysis_menu", None)
    if menu is not None:  # keyboard users reach the tab like the Timeline (Ctrl+T)
        act = QAction("&Backtest", window)
        act.setShortcut("Ctrl+B")
        act.setToolTip("How well the model finds the leads that converted; where to put the MQL threshold")
        act.triggered.connect(lambda _c=False: window.view_tabs.setCurrentWidget(panel))
        menu.addAction(act)
        window.addAction(act)
        window.act_backtest = act
    if hasattr(window, "_on_grid_cell_clicked"):  # a grade cell lists its leads, as on the Overview
        panel.grade_grid.cellClicked.connect(window._on_grid_cell_clicked)
    strip = getattr(window, "summary_strip", None)
    if strip is not None and hasattr(strip, "add_tile"):
        tile = strip.add_tile("auc", AucTile(
            "Holdout AUC", "ROC AUC of the scores on the most recent 20% of leads (needs an outcome column); "
            "in brackets: what the last edit changed.", strip))
        tile.setVisible(False)
        tile.separator.setVisible(False)
        panel.holdoutAucChanged.connect(lambda: show_on_tile(tile, panel.holdout_auc, panel.holdout_auc_delta))
        panel.auc_tile = tile
    return panel
