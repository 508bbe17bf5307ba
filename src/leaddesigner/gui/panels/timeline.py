"""The Timeline tab: when leads become MQLs, and whether the SDR team keeps up.

Three stacked plots share one time axis (per day or per week):

* MQLs arriving, stacked new vs re-MQL (bars), against what the team can touch (capacity, dashed);
* the backlog: MQLs waiting for a first touch at the end of each period;
* the share of each week's MQLs touched within the follow-up SLA (points), against the target.

A summary gives the totals, the median and 90th-percentile time to a first
touch and the SLA share; below it the core's suggestions (the smallest team
that meets the SLA target, and the MQL threshold at which the current team
meets it: the lowest such threshold, see :func:`~leaddesigner.core.analysis.queue.suggest_threshold`),
each with an Apply button that pushes an undoable model edit
(:class:`~leaddesigner.core.edits.commands.SetCapacity` / :class:`~leaddesigner.core.edits.commands.SetThreshold`).

Live updates
------------
The replay and queue simulation are pure core functions
(:func:`leaddesigner.core.analysis.queue.simulate`) that take up to a few seconds on big
data, so they run in a :class:`TimelineWorker` thread. The panel:

* listens to the document (``applied``, ``dataReset``, ``modelReset``) and
  marks itself stale; while it is hidden that is all it does (the rest of the
  app stays fast), and it recomputes when it is shown again;
* coalesces edits (a trailing :data:`DEBOUNCE_MS`, at most :data:`MAX_WAIT_MS`
  while edits keep coming) and keeps at most one computation
  running; edits during a run cancel it (at its next progress call) and
  start one more run for the newest model when it ends;
* stamps each request with a generation number and drops any result whose
  generation is not the newest (a stale result is never shown);
* keeps showing the last result, greyed with "updating..." once a run takes
  longer than :data:`GREY_AFTER_MS`, until the new one is ready.

The worker gets a deep copy of the model (taken in the GUI thread when the run
starts) and a shallow copy of the bound data (the GUI thread may change the
scoring moment of the original meanwhile); it never touches the scorer.
"""
from __future__ import annotations

import copy
import dataclasses
import time
from typing import Callable

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.analysis.timeline import (
    TimelineSeries,
    compute_timeline,
    series_of,
)
from leaddesigner.core.edits import commands as C
from leaddesigner.core.edits.changes import Change
from leaddesigner.gui.panels.timeline_views import (
    ArrivalsView,
    BacklogView,
    ScrollPage,
    SlaView,
    Veil,
    plural,
    summary_html,
    team_text,
    threshold_choice_text,
)
from leaddesigner.gui.panels.timeline_worker import TimelineRequest, TimelineResult, TimelineWorker, unavailable_reason
from leaddesigner.gui.plotting.base import (
    PALETTE,
    FlowLayout,
    scaled_font,
)

__all__ = ["TimelinePanel", "TimelineSeries", "install", "compute_timeline"]

#: edits closer together than this are merged into one recomputation
DEBOUNCE_MS = 150
#: edits that never pause for DEBOUNCE_MS still start a run this often
MAX_WAIT_MS = 1000
#: a run longer than this greys the shown result and says "updating..."
GREY_AFTER_MS = 250
#: the default period: the data's last N weeks
DEFAULT_WEEKS = 26
#: why the replay's MQL count differs from the summary strip's (users compare the two)
SUMMARY_TOOLTIP = (
    "MQLs counted on the day each lead crosses the MQL threshold, replayed day by day as production would see them\n"
    "(a lead that crosses later than the scoring moment of the summary strip counts here, not there;\n"
    "the summary strip counts each lead's status at one moment, e.g. 30 days after it was created).")


# ====================================================================== the panel
class TimelinePanel(QWidget):
    """The Timeline tab over one :class:`~leaddesigner.gui.document.ModelDocument`."""

    #: a result (or message) is shown; the argument is the generation it belongs to
    resultShown = Signal(int)

    def __init__(self, document, parent: QWidget | None = None, *, font_scale: Callable[[], float] | None = None):
        super().__init__(parent)
        self.setObjectName("timelinePanel")
        self.doc = document
        self._font_scale_of = font_scale
        self.generation = 0  # bumps on every change that makes the shown result stale
        self.shown_generation = -1
        self.dropped = 0  # stale results dropped (tests, diagnostics)
        self.result: TimelineResult | None = None
        self.series: TimelineSeries | None = None
        self.suggestions: dict | None = None
        self.last_gui_ms = 0.0  # GUI-thread time of the last result shown
        self.last_request_ms = 0.0  # GUI-thread time to start the last run (model copy)
        self._dirty = True
        self._worker: TimelineWorker | None = None
        self._pending = False
        self._first_request = 0.0
        self._unit = "week"
        self._period_user_set = False
        self._scale = 1.0

        # -- controls row: period and day/week
        self.from_date = QDateEdit(self)
        self.to_date = QDateEdit(self)
        for d, tip in ((self.from_date, "First day replayed"), (self.to_date, "Last day replayed")):
            d.setDisplayFormat("yyyy-MM-dd")
            d.setCalendarPopup(True)
            d.setKeyboardTracking(False)
            d.setToolTip(tip)
            d.dateChanged.connect(self._on_period_date_changed)
        self.last_weeks_button = QPushButton(f"Last {DEFAULT_WEEKS} weeks", self)
        self.last_weeks_button.setToolTip(f"Replay the data's last {DEFAULT_WEEKS} weeks")
        self.last_weeks_button.clicked.connect(self._on_last_weeks_clicked)
        self.day_button = QToolButton(self)
        self.day_button.setText("Per day")
        self.week_button = QToolButton(self)
        self.week_button.setText("Per week")
        self.unit_group = QButtonGroup(self)
        for b, tip in ((self.day_button, "One bar per day"), (self.week_button, "One bar per week (Monday to Sunday)")):
            b.setCheckable(True)
            b.setToolTip(tip)
            b.setAutoRaise(False)
            self.unit_group.addButton(b)
        self.week_button.setChecked(True)
        self.unit_group.buttonToggled.connect(self._on_unit_toggled)
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("timelineStatus")
        # shown on the veil over the plots: opaque, so it reads over titles and bars
        pal = self.status_label.palette()
        pal.setColor(QPalette.ColorRole.WindowText, QColor(PALETTE["text"]))
        pal.setColor(QPalette.ColorRole.Window, QColor(PALETTE["background"]))
        self.status_label.setPalette(pal)
        self.status_label.setAutoFillBackground(True)
        self.status_label.setFrameShape(QFrame.Shape.Box)
        self.status_label.setMargin(10)
        # groups that stay together; the row wraps between them at big text instead of clipping
        period = QWidget(self)
        ph = QHBoxLayout(period)
        ph.setContentsMargins(0, 0, 0, 0)
        ph.setSpacing(6)
        ph.addWidget(QLabel("From", period))
        ph.addWidget(self.from_date)
        ph.addWidget(QLabel("to", period))
        ph.addWidget(self.to_date)
        units = QWidget(self)
        uh = QHBoxLayout(units)
        uh.setContentsMargins(0, 0, 0, 0)
        uh.setSpacing(0)
        uh.addWidget(self.day_button)
        uh.addWidget(self.week_button)
        controls = FlowLayout(hspacing=10, vspacing=3)
        controls.setContentsMargins(6, 4, 6, 0)
        for w in (period, self.last_weeks_button, units):
            controls.addWidget(w)

        # -- summary line and suggestions
        self.summary_label = QLabel("", self)
        self.summary_label.setObjectName("timelineSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.setToolTip(SUMMARY_TOOLTIP)
        self.notes_label = QLabel("", self)
        self.notes_label.setObjectName("timelineNotes")
        self.notes_label.setWordWrap(True)
        self.notes_label.setContentsMargins(6, 0, 6, 0)
        self.notes_label.setVisible(False)
        pal = self.notes_label.palette()
        pal.setColor(QPalette.ColorRole.WindowText, QColor(PALETTE["muted"]))
        self.notes_label.setPalette(pal)
        self.team_label = QLabel("", self)
        self.team_apply = QPushButton("Apply", self)
        self.team_apply.setToolTip("Set the number of SDRs to the suggestion (Ctrl+Z undoes it)")
        self.team_apply.clicked.connect(self._on_team_apply_clicked)
        self.threshold_label = QLabel("", self)
        self.threshold_apply = QPushButton("Apply", self)
        self.threshold_apply.setToolTip("Set the MQL threshold to the suggestion (Ctrl+Z undoes it)")
        self.threshold_apply.clicked.connect(self._on_threshold_apply_clicked)
        # one row per suggestion: the sentence wraps, its Apply button stays at its end
        sugg = QVBoxLayout()
        sugg.setContentsMargins(6, 0, 6, 0)
        sugg.setSpacing(2)
        for label, button in ((self.team_label, self.team_apply), (self.threshold_label, self.threshold_apply)):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            row = QHBoxLayout()
            row.setSpacing(8)
            row.addWidget(label, 1)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
            sugg.addLayout(row)
        for w in (self.team_label, self.team_apply, self.threshold_label, self.threshold_apply):
            w.setVisible(False)

        # -- plots
        self.arrivals = ArrivalsView(self)
        self.backlog = BacklogView(self)
        self.sla = SlaView(self)
        self.plot_split = QSplitter(Qt.Orientation.Vertical, self)
        self.plot_split.setObjectName("timelineSplit")
        for i, (v, stretch) in enumerate(((self.arrivals, 5), (self.backlog, 3), (self.sla, 3))):
            self.plot_split.addWidget(v)
            self.plot_split.setStretchFactor(i, stretch)
            v.setMinimumWidth(220)  # heights: the views' own minimums (text lines), which grow with the font
        self.plot_split.setChildrenCollapsible(False)

        inner = ScrollPage(self)
        cv = QVBoxLayout(inner)
        cv.setContentsMargins(0, 0, 0, 0)
        cv.setSpacing(3)
        cv.addWidget(self.summary_label)
        cv.addWidget(self.notes_label)
        cv.addLayout(sugg)
        cv.addWidget(self.plot_split, 1)
        # a translucent veil over the plots while they show a stale result (cheaper than an opacity
        # effect, which renders the three plots through an offscreen pixmap on every repaint)
        self.veil = Veil(self.plot_split, self.status_label)
        # at presentation sizes the three plots need more than a laptop screen's height: scroll then
        self.content = content = QScrollArea(self)
        # the plots take no wheel (no zoom), but pyqtgraph swallows it: scroll the tab instead
        self._wheel_viewports = [v.plot_widget.viewport() for v in (self.arrivals, self.backlog, self.sla)]
        for vp in self._wheel_viewports:
            vp.installEventFilter(self)
        content.setWidgetResizable(True)
        content.setFrameShape(QFrame.Shape.NoFrame)
        content.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content.setWidget(inner)
        self.summary_label.setContentsMargins(6, 2, 6, 0)

        self.message_label = QLabel("", self)
        self.message_label.setObjectName("timelineMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setMargin(24)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.message_label)
        self.stack.addWidget(content)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(controls)
        lay.addWidget(self.stack, 1)
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(self.backgroundRole(), pg.mkColor(PALETTE["background"]))
        self.setPalette(pal)

        # -- timers
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._start_run)
        self._grey_timer = QTimer(self)
        self._grey_timer.setSingleShot(True)
        self._grey_timer.setInterval(GREY_AFTER_MS)
        self._grey_timer.timeout.connect(self._on_grey_timer_timeout)
        self._font_timer = QTimer(self)
        self._font_timer.setSingleShot(True)
        self._font_timer.setInterval(0)
        self._font_timer.timeout.connect(self._apply_font_scale)

        from leaddesigner.gui.plotting.base import palette_colours

        palette_colours(self)  # plot titles keep their bold font when the window changes the text size
        document.changed.connect(self._on_document_changed)
        document.dataReset.connect(self._on_document_data_reset)
        document.modelReset.connect(self._on_document_model_reset)
        document.loadStarted.connect(self._on_document_load_started)
        document.loadFinished.connect(self._on_document_load_ended)
        document.loadFailed.connect(self._on_document_load_ended)
        document.loadCancelled.connect(self._on_document_load_ended)
        self._sync_period()
        self._show_state()

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if ev.type() == QEvent.Type.Wheel and obj in getattr(self, "_wheel_viewports", ()):
            QApplication.sendEvent(self.content.verticalScrollBar(), ev)
            return True
        return super().eventFilter(obj, ev)

    # ------------------------------------------------------------ public
    @property
    def busy(self) -> bool:
        """A run is under way or due."""
        return self._worker is not None or self._debounce.isActive() or self._pending

    @property
    def up_to_date(self) -> bool:
        """The shown result is for the current model, data and period."""
        return not self.busy and self.shown_generation == self.generation and not self._dirty

    def unit(self) -> str:
        return self._unit

    def set_unit(self, unit: str) -> None:
        """``"day"`` or ``"week"``: one bar per day or per week."""
        (self.day_button if unit == "day" else self.week_button).setChecked(True)

    def period(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """(first day, last day) replayed, from the date fields (None before data)."""
        if not self.from_date.isEnabled():
            return None, None
        return _ts(self.from_date.date()), _ts(self.to_date.date())

    def set_period(self, start, end) -> None:
        """Replay from ``start`` to ``end`` (days, inclusive)."""
        self._period_user_set = True
        self._set_dates(pd.Timestamp(start), pd.Timestamp(end))
        self.invalidate()

    def message(self) -> str | None:
        """The sentence shown instead of the plots, or None."""
        return self.message_label.text() if self.stack.currentWidget() is self.message_label else None

    def summary_text(self) -> str:
        return self.summary_label.text()

    def invalidate(self) -> None:
        """The shown result is stale: recompute (soon if the tab is visible, else when it is shown)."""
        self.generation += 1
        self._dirty = True
        # the shown suggestions are for the model before this change: never apply them to the new one
        for w in (self.team_label, self.team_apply, self.threshold_label, self.threshold_apply):
            w.setEnabled(False)  # greyed until the new suggestions come
        if self._worker is not None:
            self._worker.cancel()
        self._schedule()

    def refresh_now(self) -> None:
        """Start a run now (no debounce), e.g. from a benchmark."""
        self._debounce.stop()
        self._dirty = True
        self._start_run()

    def set_font_scale(self, factor: float) -> None:
        self._scale = max(0.5, float(factor))
        for v in (self.arrivals, self.backlog, self.sla):
            v.set_font_scale(self._scale)
        self.summary_label.setFont(scaled_font(self._scale, 1.0))
        self.message_label.setFont(scaled_font(self._scale, 1.2))
        f = scaled_font(self._scale, 1.3)
        f.setItalic(True)
        self.status_label.setFont(f)
        for w in (self.team_label, self.threshold_label, self.notes_label):
            w.setFont(scaled_font(self._scale, 0.95))
        self._align_axes()
        QTimer.singleShot(0, self, self._rebalance_plots)  # once the layouts know the new text sizes

    #: shares of the plots' height: arrivals, backlog, SLA
    PLOT_SHARES = (0.44, 0.23, 0.33)

    def _rebalance_plots(self) -> None:
        total = sum(self.plot_split.sizes())
        if total > 0:
            self.plot_split.setSizes([round(total * f) for f in self.PLOT_SHARES])

    def _align_axes(self) -> None:
        """One y-axis width for the three plots: their x axes line up, period under period."""
        views = (self.arrivals, self.backlog, self.sla)
        w = max(v.natural_y_width() for v in views)
        for v in views:
            v.set_y_width(w)

    # ------------------------------------------------------------ document -> panel
    def _on_document_changed(self, change: Change) -> None:
        if change.kind != "reset" and (change.area == "definitions" or (
                change.area == "meta" and change.field not in ("created_at", "lead_id"))):
            return  # words only: the replay does not change
        self.invalidate()

    def _on_document_data_reset(self) -> None:
        self._period_user_set = False if self._data_changed() else self._period_user_set
        self._sync_period()
        self.invalidate()

    def _on_document_model_reset(self) -> None:
        self.invalidate()

    def _on_document_load_started(self, _message: str) -> None:
        self._set_status("updating\u2026" if self.result is not None else "")

    def _on_document_load_ended(self, *_args) -> None:
        self._set_status("")
        self._show_state()

    def _data_changed(self) -> bool:
        """Other lead frames than before (a re-bind after a model edit keeps the frames)."""
        d = self.doc
        key = (id(d.leads_frame), id(d.activities_frame), d.leads_path)
        changed = key != getattr(self, "_data_key", None)
        self._data_key = key
        return changed

    # ------------------------------------------------------------ period
    def _data_span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """(first day, last day) the period may cover: the first lead's creation to the end of the data."""
        doc = self.doc
        d = doc.data
        if d is None or d.created is None:
            return None
        cache = d.cache.setdefault("timeline_span", {})
        if "first" not in cache:
            v = d.frame[d.created].to_numpy(dtype="datetime64[ns]")  # a date attribute: already datetimes
            v = v[~np.isnat(v)]
            cache["first"] = pd.Timestamp(v.min()).normalize() if len(v) else None
        first = cache["first"]
        # the last complete day of the export (the core's default end), not the chosen scoring moment
        end = doc.data_end if doc.data_end is not None else d.as_of
        if first is None or end is None:
            return None
        last = pd.Timestamp(end).normalize() - pd.Timedelta(days=1) if pd.Timestamp(end) == pd.Timestamp(end).normalize() \
            else pd.Timestamp(end).normalize()
        return first, max(first, last)

    def _default_period(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        span = self._data_span()
        if span is None:
            return None
        first, last = span
        start = max(first, last - pd.Timedelta(weeks=DEFAULT_WEEKS) + pd.Timedelta(days=1))
        return start, last

    def _sync_period(self) -> None:
        span = self._data_span()
        enabled = span is not None
        for w in (self.from_date, self.to_date, self.last_weeks_button, self.day_button, self.week_button):
            w.setEnabled(enabled)
        if not enabled:
            return
        lo, hi = span
        for d in (self.from_date, self.to_date):
            d.blockSignals(True)
            d.setDateRange(_qdate(lo), _qdate(hi))
            d.blockSignals(False)
        if not self._period_user_set:
            self._set_dates(*self._default_period())

    def _set_dates(self, start: pd.Timestamp, end: pd.Timestamp) -> None:
        for d, v in ((self.from_date, start), (self.to_date, end)):
            d.blockSignals(True)
            d.setDate(_qdate(v))
            d.blockSignals(False)

    def _on_period_date_changed(self, _d) -> None:
        start, end = self.period()
        if start is not None and end is not None and end < start:
            # keep the period non-empty: move the other end
            if self.sender() is self.from_date:
                self._set_dates(start, start)
            else:
                self._set_dates(end, end)
        self._period_user_set = True
        self.invalidate()

    def _on_last_weeks_clicked(self) -> None:
        p = self._default_period()
        if p is None:
            return
        self._period_user_set = False
        self._set_dates(*p)
        self.invalidate()

    def _on_unit_toggled(self, button, checked: bool) -> None:
        if not checked:
            return
        self._unit = "day" if button is self.day_button else "week"
        if self.result is not None and self.result.simulation is not None:
            self._show_simulation(self.result)  # both frames are in the result: no recompute

    # ------------------------------------------------------------ scheduling
    def _schedule(self) -> None:
        reason = unavailable_reason(self.doc)
        if reason is not None or self.doc.loading:
            self._debounce.stop()
            self._show_state()
            return
        if not self.isVisible():
            return  # recomputed when shown (showEvent)
        # trailing debounce: a drag of a spin box runs once when it pauses, not once per step (a run
        # started mid-drag would be cancelled anyway, and competes with the scoring for the CPU);
        # a stream of edits that never pauses still runs every MAX_WAIT_MS
        now = time.perf_counter()
        if not self._debounce.isActive():
            self._first_request = now
        if (now - self._first_request) * 1000 < MAX_WAIT_MS or not self._debounce.isActive():
            self._debounce.start()

    def showEvent(self, ev) -> None:  # noqa: N802
        super().showEvent(ev)
        if not getattr(self, "_balanced", False):
            self._balanced = True
            QTimer.singleShot(0, self, self._rebalance_plots)
        if self._dirty or self.shown_generation != self.generation:
            self._schedule()
            self._show_state()

    def changeEvent(self, ev) -> None:  # noqa: N802
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.FontChange and self._font_scale_of is not None:
            # the window sets fonts on styled labels after ours: apply the scale once it is done
            self._font_timer.start()

    def _apply_font_scale(self) -> None:
        # even at an unchanged scale (Ctrl+0 at normal size): the window sets its plain font on every label
        # with a style sheet, the plot titles among them, so ours are set again after it
        if self._font_scale_of is not None:
            self.set_font_scale(float(self._font_scale_of()))

    def _start_run(self) -> None:
        """Start a run for the newest state, or note that one is due when the current run ends."""
        if self._worker is not None:
            self._pending = True
            self._worker.cancel()
            return
        self._pending = False
        doc = self.doc
        if unavailable_reason(doc) is not None or doc.loading:
            self._show_state()
            return
        if not self.isVisible():
            return
        t0 = time.perf_counter()
        start, end = self.period()
        req = TimelineRequest(
            generation=self.generation,
            model=copy.deepcopy(doc.model),
            data=dataclasses.replace(doc.data),
            start=start,
            end=end,
        )
        w = TimelineWorker(req)
        w.simulated.connect(self._on_worker_simulated)
        w.finished.connect(self._on_worker_finished)
        w.cancelled.connect(self._on_worker_cancelled)
        self._worker = w
        self._dirty = False
        w.start()
        self.last_request_ms = (time.perf_counter() - t0) * 1000
        self._grey_timer.start()

    def _run_ended(self) -> None:
        self._worker = None
        self._grey_timer.stop()
        if self._pending or self.shown_generation != self.generation:
            self._pending = False
            if self.isVisible():
                self._dirty = True
                self._schedule()
            else:
                self._dirty = True
        if self._worker is None and not self._debounce.isActive():
            self._set_busy_look(False)

    def _on_grey_timer_timeout(self) -> None:
        if self._worker is not None and self.result is not None and self.shown_generation != self.generation:
            self._set_busy_look(True)

    def _set_busy_look(self, busy: bool) -> None:
        self._set_status("updating\u2026" if busy else "")
        self.summary_label.setEnabled(not busy)  # greyed with the plots: it is the last result's
        if busy:
            self.veil.layout().activate()
            self.veil.raise_()
        self.veil.setVisible(busy)

    def is_greyed(self) -> bool:
        """The plots show the last result, veiled, while the new one is computed."""
        return self.veil.isVisible()

    def _set_status(self, text: str) -> None:
        if self.status_label.text() != text:
            self.status_label.setText(text)

    # ------------------------------------------------------------ worker -> panel
    def _accept(self, res: TimelineResult) -> bool:
        if res.generation != self.generation:
            self.dropped += 1
            return False
        return True

    def _on_worker_simulated(self, res: TimelineResult) -> None:
        if self.sender() is not self._worker or not self._accept(res):
            return
        self._show_result(res)

    def _on_worker_finished(self, res: TimelineResult) -> None:
        if self.sender() is not self._worker:
            return
        if self._accept(res):
            shown = self.result
            if shown is not None and res.simulation is not None and shown.simulation is res.simulation:
                # the plots already show this simulation (``simulated``): add the suggestions
                t0 = time.perf_counter()
                self.result = res
                self._show_suggestions(res.suggestions)
                self.last_gui_ms += (time.perf_counter() - t0) * 1000
            else:
                self._show_result(res)
        self._run_ended()

    def _on_worker_cancelled(self, _generation: int) -> None:
        if self.sender() is not self._worker:
            return
        self._run_ended()

    # ------------------------------------------------------------ showing
    def _show_state(self) -> None:
        """The empty-state sentence when the timeline cannot be computed, else the content."""
        reason = unavailable_reason(self.doc)
        if reason is None and self.result is None:
            reason = "Replaying\u2026" if self.isVisible() else "The timeline is computed when this tab is shown."
        if reason is not None and not (self.doc.loading and self.result is not None):
            if self.message_label.text() != reason:
                self.message_label.setText(reason)
            self.stack.setCurrentWidget(self.message_label)
        else:
            self.stack.setCurrentWidget(self.content)

    def _show_result(self, res: TimelineResult) -> None:
        t0 = time.perf_counter()
        if res.message or res.error:
            self.result = None
            self.series = None
            self.message_label.setText(res.message or res.error)
            self.stack.setCurrentWidget(self.message_label)
        else:
            self.result = res
            self._show_simulation(res)
            self.stack.setCurrentWidget(self.content)
        self.shown_generation = res.generation
        if res.generation == self.generation:
            self._set_busy_look(False)  # the plots are current; the suggestions may still be coming
        self.last_gui_ms = (time.perf_counter() - t0) * 1000
        self.resultShown.emit(res.generation)

    def _show_simulation(self, res: TimelineResult) -> None:
        sim = res.simulation
        if res.series is None:
            res.series = {unit: series_of(sim, unit) for unit in ("day", "week")}
        self.series = s = res.series[self._unit]
        weekly = res.series["week"]
        summ = sim.summary or {}
        target = summ.get("sla_target")
        self.sla.set_target(None if target is None else float(target), summ.get("sla_hours"))
        self.arrivals.set_series(s)
        self.backlog.set_series(s)
        self.sla.set_series(weekly, s)
        _set_text(self.summary_label, summary_html(summ, weekly))
        problems = list(getattr(sim.replay, "problems", None) or [])
        _set_text(self.notes_label, " ".join(problems))
        self.notes_label.setVisible(bool(problems))
        if res.suggestions is not None or self.suggestions is None:
            self._show_suggestions(res.suggestions)
        # else: the last suggestions stay (their Apply buttons off) until the new ones come, so the
        # rows above the plots change once per run, and the plots are laid out and painted once

    def _show_suggestions(self, sug: dict | None) -> None:
        self.suggestions = sug
        m = self.doc.model
        if sug is None:
            t_text, t_value = "Looking for the smallest team and the MQL threshold that meet the SLA\u2026", None
            h_text, h_value = "", None
        else:
            t_text, t_value = team_text(sug.get("team"), m)
            h_text, h_value = threshold_choice_text(sug.get("threshold"), m)
        for label, button, text, value in ((self.team_label, self.team_apply, t_text, t_value),
                                           (self.threshold_label, self.threshold_apply, h_text, h_value)):
            _set_text(label, text)
            label.setVisible(bool(text))
            button.setProperty("value", value)
            button.setVisible(value is not None)
            button.setEnabled(True)
            label.setEnabled(True)

    # ------------------------------------------------------------ suggestions -> model
    def _on_team_apply_clicked(self) -> None:
        v = self.team_apply.property("value")
        if v is not None and self._push(C.SetCapacity("sdrs", int(v))):
            self._status(f"Team set to {plural(int(v), 'SDR')} (Ctrl+Z to undo)")

    def _on_threshold_apply_clicked(self) -> None:
        v = self.threshold_apply.property("value")
        if v is not None and self._push(C.SetThreshold("mql", float(v))):
            self._status(f"MQL threshold set to {float(v):g} (Ctrl+Z to undo)")

    def _push(self, cmd) -> bool:
        """One undo step of its own (never merged with a spin-box drag before it)."""
        ok = bool(self.doc.push(cmd, mergeable=False))
        end = getattr(self.doc, "end_gesture", None)
        if end is not None:
            end()
        return ok

    def _status(self, text: str) -> None:
        w = getattr(self, "window_", None)
        if w is not None and hasattr(w, "status"):
            w.status(text)


# ====================================================================== text helpers
def _set_text(label: QLabel, text: str) -> None:
    """Change a label only when its text changes (a new text re-lays out the tab)."""
    if label.text() != text:
        label.setText(text)


def _qdate(ts: pd.Timestamp) -> QDate:
    ts = pd.Timestamp(ts)
    return QDate(ts.year, ts.month, ts.day)


def _ts(q: QDate) -> pd.Timestamp:
    return pd.Timestamp(q.year(), q.month(), q.day())


# ====================================================================== installation
def install(window) -> TimelinePanel:
    """Add the Timeline tab to ``window.view_tabs`` and "Show timeline" to the Analysis menu."""
    panel = TimelinePanel(window.doc, window.view_tabs, font_scale=window.font_scale)
    panel.window_ = window  # status-bar messages after Apply
    i = window.view_tabs.addTab(panel, "Timeline")
    window.view_tabs.setTabToolTip(
        i, "Replay day by day: MQLs arriving (new and re-MQL) against SDR capacity, backlog, SLA attainment")
    act = QAction("&Timeline", window)
    act.setShortcut("Ctrl+T")
    act.setToolTip("MQLs arriving per day or week, the SDR backlog and follow-up within the SLA")
    act.triggered.connect(lambda: window.view_tabs.setCurrentWidget(panel))
    window.analysis_menu.addAction(act)
    window.act_timeline = act
    window.panels["timeline"] = panel
    panel.set_font_scale(window.font_scale())
    return panel
