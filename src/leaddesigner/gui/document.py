"""The open document: one core model, its lead data, its scorer, its undo stack.

``ModelDocument`` is the only object that mutates the model, and only through
core edit commands (:mod:`leaddesigner.core.edits.commands`). It forwards the core's
change events (:mod:`leaddesigner.core.edits.changes`) as ``aboutToChange`` /
``changed`` with a :class:`~leaddesigner.core.edits.changes.Change` (what kind, which
area, which row), so the table models emit ``beginInsertRows``/``endInsertRows``
and friends without knowing any command, and it turns edits into scores:

    command -> model mutated -> (coalesced, <= ~33/s) Scorer.refresh()
            -> Summary -> ``scoresChanged``

The refresh runs in the GUI thread (it is incremental: ~10-30 ms for a
million leads); loading and re-binding after attribute or column changes run
in a :class:`~leaddesigner.gui.workers.LoadWorker`.

The *scoring moment* (every lead as of one moment, or each lead N days after
its creation) is a view setting, not part of the model: changing it re-scores
everything (in the worker when a full scoring took more than
``RESCORE_IN_THREAD_S``) but is neither undoable nor a modification.
"""
from __future__ import annotations

import dataclasses
import time
import traceback
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from leaddesigner.core.data.outcome import Outcome, OutcomeCandidate, OutcomeSpec, read_model_outcome
from leaddesigner.core.data.pipeline import Loaded, Table
from leaddesigner.core.edits import commands as C
from leaddesigner.core.edits.changes import Change, ChangeEvents
from leaddesigner.core.model.types import ScoringModel
from leaddesigner.core.scoring.engine import LeadData, Scorer
from leaddesigner.core.scoring.summary import Summary, grade_conversion, score_bounds, summarize

from .tasks import stop_workers
from .undo import CoreUndoCommand
from .workers import LoadRequest, LoadResult, LoadWorker

__all__ = ["Coalescer", "ModelDocument", "DEFAULT_HORIZON_DAYS", "moment_text"]

#: each lead is scored this many days after its creation unless the user chose otherwise
DEFAULT_HORIZON_DAYS = 30.0
#: a full scoring slower than this (about 1M leads) re-scores in the worker thread
RESCORE_IN_THREAD_S = 0.1


def day_text(as_of: pd.Timestamp) -> str:
    """``2026-08-30`` for the end of that day (midnight after it), else the moment."""
    ts = pd.Timestamp(as_of)
    if ts == ts.normalize():
        return f"{ts - pd.Timedelta(days=1):%Y-%m-%d}"
    return f"{ts:%Y-%m-%d %H:%M}"


def moment_text(as_of: pd.Timestamp, horizon_days: float | None) -> str:
    """How leads are scored, in words: ``each lead 30 days after creation (at most 2026-08-30)``."""
    if horizon_days is not None:
        return f"each lead {horizon_days:g} days after creation (at most {day_text(as_of)})"
    ts = pd.Timestamp(as_of)
    return f"every lead as of the end of {day_text(ts)}" if ts == ts.normalize() else f"every lead as of {day_text(ts)}"


class Coalescer(QObject):
    """Run ``callback`` soon after :meth:`request`, at most once per ``interval_ms``.

    The first request after a quiet period runs on the next event-loop turn
    (no added latency for a single edit); requests arriving faster are merged
    and run ``interval_ms`` after the previous run, so typing or dragging never
    queues up work.
    """

    def __init__(self, callback, interval_ms: int = 30, parent: QObject | None = None):
        super().__init__(parent)
        self._callback = callback
        self._interval = interval_ms / 1000.0
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run)

    def request(self) -> None:
        if self._timer.isActive():
            return
        wait = self._interval - (time.perf_counter() - self._last)
        self._timer.start(max(0, int(wait * 1000)))

    def pending(self) -> bool:
        return self._timer.isActive()

    def flush(self) -> None:
        """Run now if a run is pending."""
        if self._timer.isActive():
            self._timer.stop()
            self._run()

    def _run(self) -> None:
        self._last = time.perf_counter()
        self._callback()


#: how long a deferred view update waits: past the ~5 ms after which Qt paints a window whose
#: widgets changed (QPlatformWindow::requestUpdate), so that the paint comes between the steps
FRAME_MS = 10


class ModelDocument(QObject):
    """Model + data + scorer + undo stack, with change signals for the views."""

    #: a core Change, just before an edit mutates the model (views see the old rows)
    aboutToChange = Signal(object)
    #: the same Change after the edit mutated the model
    changed = Signal(object)
    #: the edit announced by aboutToChange raised; the model is unchanged
    changeFailed = Signal(object)
    #: a different model object was installed (open, new, recover)
    modelReset = Signal()
    #: lead data (re)bound: a new LeadData and Scorer
    dataReset = Signal()
    #: scores, summary and baseline are up to date
    scoresChanged = Signal()
    #: path or title changed
    pathChanged = Signal()
    #: the scoring moment (preference or the data's) changed; scoresChanged follows once scored
    momentChanged = Signal()
    loadStarted = Signal(str)
    loadProgress = Signal(float, str)
    loadFinished = Signal()
    loadFailed = Signal(str)
    loadCancelled = Signal()
    #: an edit or refresh failed; the text says what to do
    error = Signal(str)

    def __init__(self, model: ScoringModel | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.model = model or ScoringModel()
        self.path: Path | None = None
        self.undo_stack = QUndoStack(self)
        #: the files whose leads are shown (set when a load succeeds, never before)
        self.leads_path: Path | None = None
        self.activities_path: Path | None = None
        self.leads_table: Table | None = None
        self.activities_table: Table | None = None
        #: what the core pipeline decided for the shown data (notes, detection, id column)
        self.loaded: Loaded | None = None
        self.data: LeadData | None = None
        self.scorer: Scorer | None = None
        self.summary: Summary | None = None
        #: the summary before the last edit (for before/after deltas)
        self.baseline: Summary | None = None
        #: columns that could be the outcome, for the user to choose from (nothing is chosen by itself)
        self.outcome_candidates: list[OutcomeCandidate] = []
        #: the model's outcome read from the data (None: no outcome set, or it cannot be read)
        self.outcome_read: Outcome | None = None
        #: why the model's outcome cannot be read from this file ("" when it can or there is none)
        self.outcome_problem = ""
        self.outcome: np.ndarray | None = None
        self.bounds: tuple[float, float] = (0.0, 100.0)
        self.last_refresh_ms = 0.0
        self.load_seconds = 0.0
        #: the user's choice: days after creation (applies when the data has creation dates), or None
        self.horizon_pref: float | None = DEFAULT_HORIZON_DAYS
        #: the user's as-of moment; None: the end of the latest day in the data
        self.as_of_pref: pd.Timestamp | None = None
        #: the end of the latest day in the loaded data (the default as-of)
        self.data_end: pd.Timestamp | None = None
        self.last_score_seconds = 0.0
        self._has_dates = False
        self._worker: LoadWorker | None = None
        self._generation = 0  # bumps on edits that need a re-bind
        self._last_merge_key = None
        self._batch = 0
        self._rebind_due = False
        self._refresher = Coalescer(self._refresh_now, 30, self)
        #: (data, request, summary still valid) of loaded data whose scores are not on the plots yet
        self._showing: tuple | None = None
        self._events = ChangeEvents()
        self._events.about_to_change.append(self.aboutToChange.emit)
        self._events.changed.append(self._on_model_changed)
        self._events.failed.append(self.changeFailed.emit)
        #: view updates that wait for a later pass of the event loop (see :meth:`defer`)
        self._deferred: list[Callable[[], None]] = []

    # ------------------------------------------------------------ state
    @property
    def has_data(self) -> bool:
        return self.scorer is not None

    @property
    def loading(self) -> bool:
        return self._worker is not None

    @property
    def ready(self) -> bool:
        """Data scored and no refresh pending (what --screenshot waits for)."""
        return (self._worker is None and self._showing is None and not self._deferred
                and not self._refresher.pending())

    def defer(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` after the window has painted what changed so far; :attr:`ready` waits for it.

        Views split the work of showing a fresh load with it, so that no single pass of the
        event loop (handlers plus the paint that follows) blocks the window for long: a
        million leads showed in one 150-240 ms pass, and each part now takes its own frame.
        Deferred calls run in order, one per pass; a new load, another model or
        :meth:`flush` runs what is still waiting first, so a view is never left behind.
        """
        self._deferred.append(fn)
        if len(self._deferred) == 1:
            QTimer.singleShot(FRAME_MS, self._run_deferred)

    def _run_deferred(self) -> None:
        if not self._deferred:
            return
        fn = self._deferred.pop(0)
        if self._deferred:
            QTimer.singleShot(FRAME_MS, self._run_deferred)
        try:
            fn()
        except Exception as e:  # a bug in a view: say so, do not stop the ones after it
            traceback.print_exc()
            self.error.emit(f"Part of the window could not be updated ({type(e).__name__}: {str(e)[:200]}).")

    def _finish_deferred(self) -> None:
        while self._deferred:
            self._run_deferred()

    @property
    def leads_frame(self) -> pd.DataFrame | None:
        """The lead file as read (raw columns), or None."""
        return None if self.leads_table is None else self.leads_table.frame

    @property
    def activities_frame(self) -> pd.DataFrame | None:
        return None if self.activities_table is None else self.activities_table.frame

    @property
    def outcome_column(self) -> str | None:
        """The outcome column, once the user has chosen it (it is in the model)."""
        o = self.model.outcome
        return None if o is None or self.outcome is None else o.column

    @property
    def outcome_columns(self) -> list[str]:
        return [c.column for c in self.outcome_candidates]

    @property
    def title(self) -> str:
        return self.path.name if self.path else (self.model.name or "Untitled model")

    # ------------------------------------------------------------ edits
    def push(self, cmd: C.Command, inverse: C.Command | None = None, *, mergeable: bool = True) -> bool:
        """Apply ``cmd`` as one undo step. Returns False (and emits ``error``) if it cannot be applied.

        With ``inverse`` the command is taken as already applied (a threshold
        drag: the model moved live; this records the step).
        """
        try:
            if inverse is None:
                inverse = self.apply(cmd)
        except C.CommandError as e:
            self.error.emit(str(e))
            return False
        self.undo_stack.push(CoreUndoCommand(self, cmd, inverse, mergeable))
        return True

    def apply(self, cmd: C.Command, *, track: bool = True) -> C.Command:
        """Apply one command (raising :class:`CommandError`), announce it, schedule scoring.

        Compound commands are applied child by child so each child is announced.
        """
        if track:
            self._start_edit(cmd)
        if isinstance(cmd, C.Compound):
            done: list[C.Command] = []
            self._batch += 1
            try:
                for c in cmd.commands:
                    done.append(self.apply(c, track=False))
            except Exception:
                for inv in reversed(done):
                    self.apply(inv, track=False)
                raise
            finally:
                self._batch -= 1
                if self._batch == 0 and self._rebind_due:
                    self._rebind_due = False
                    self.rebind()
            return C.Compound(list(reversed(done)), cmd.label)
        inverse = self._events.apply(self.model, cmd)
        if C.needs_rebind(cmd):
            self._generation += 1
            if self._batch:
                self._rebind_due = True  # once, after the whole compound
            else:
                self.rebind()
        elif C.needs_rescore(cmd):  # an accounts edit rescores no lead: the account view follows the change event
            self.schedule_refresh()
        return inverse

    def _on_model_changed(self, change: Change) -> None:
        if change.area == "outcome":  # before the views hear of it: they read the new outcome
            self._read_outcome()
            self.baseline = None
        self.changed.emit(change)

    def apply_live(self, cmd: C.Command) -> None:
        """Apply without an undo step (a drag in progress); errors go to ``error``."""
        try:
            self.apply(cmd)
        except C.CommandError as e:
            self.error.emit(str(e))

    def _start_edit(self, cmd: C.Command) -> None:
        """Remember the summary before an edit; merged steps of one gesture keep the first baseline."""
        key = cmd.merge_key
        if key is None or key != self._last_merge_key:
            self._refresher.flush()
            self.baseline = self.summary
        self._last_merge_key = key

    def end_gesture(self) -> None:
        """The next edit starts a new baseline even if it has the same merge key."""
        self._last_merge_key = None

    # ------------------------------------------------------------ model lifecycle
    def set_model(self, model: ScoringModel, path: Path | None = None) -> None:
        """Install another model (open, recover); clears undo history."""
        self._show_scores()  # a load shown halfway is finished first
        self._finish_deferred()
        self.model = model
        self.path = Path(path) if path else None
        self.undo_stack.clear()
        self.baseline = None
        self.summary = None
        self._last_merge_key = None
        self._generation += 1
        self._read_outcome()  # the new model's outcome (or none): never the previous model's
        self.modelReset.emit()
        self.pathChanged.emit()
        if self.leads_frame is not None:
            self.rebind()

    def set_path(self, path: Path | None) -> None:
        self.path = Path(path) if path else None
        self.pathChanged.emit()

    # ------------------------------------------------------------ data
    def load(self, leads: Path, activities: Path | None = None, sheet: str | None = None) -> None:
        """Read files in the background, bind and score.

        The shown data (and ``leads_path``) change only when the load succeeds: a
        failed load leaves the previous file's leads and name in place.
        """
        leads = Path(leads)
        self._start(
            LoadRequest(self.model, leads, Path(activities) if activities else None, generation=self._generation,
                        sheet=sheet, **self._moment_request(leads)),
            f"Loading {leads.name}" + (f" and {Path(activities).name}" if activities else ""),
        )

    def load_frames(self, leads: pd.DataFrame, activities: pd.DataFrame | None = None, name: str = "leads") -> None:
        """Bind and score frames already in memory (generated data, benchmarks, tests)."""
        self._start(
            LoadRequest(self.model, None, None, leads_table=Table(leads, name, "row", 1),
                        activities_table=None if activities is None else Table(activities, "activities", "row", 1),
                        generation=self._generation, **self._moment_request(None)),
            f"Scoring {name}",
        )

    def load_activities(self, activities: Path) -> None:
        if self.leads_table is None:
            self.loadFailed.emit("Load a lead file first (Data > Load leads), then its activity log.")
            return
        self._start(
            LoadRequest(self.model, self.leads_path, Path(activities), leads_table=self.leads_table,
                        generation=self._generation, **self._moment_request(self.leads_path)),
            f"Loading {Path(activities).name}",
        )

    def rebind(self) -> None:
        """Bind the lead tables already in memory to the (changed) model again."""
        if self.leads_table is None:
            return
        self._start(
            LoadRequest(self.model, self.leads_path, self.activities_path, self.leads_table, self.activities_table,
                        generation=self._generation, **self._moment_request(self.leads_path)),
            "Checking the data against the model",
        )

    def _start(self, req: LoadRequest, message: str) -> None:
        self._show_scores()  # a load shown halfway is finished first
        self._finish_deferred()
        req.undo_index = self.undo_stack.index()
        if self._worker is not None:
            self._discard_worker()
        w = LoadWorker(req)
        w.progress.connect(self._on_worker_progress)
        w.finished.connect(self._on_worker_finished)
        w.failed.connect(self._on_worker_failed)
        w.cancelled.connect(self._on_worker_cancelled)
        self._worker = w
        self.loadStarted.emit(message)
        w.start()

    def _discard_worker(self) -> None:
        """Stop listening to the running worker and let it finish in the background."""
        w = self._worker
        self._worker = None
        if w is None:
            return
        for sig in (w.progress, w.finished, w.failed, w.cancelled):
            try:
                sig.disconnect()
            except (RuntimeError, TypeError):
                pass
        w.cancel()  # its thread ends when the run returns

    def cancel_load(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def wait_for_workers(self, ms: int = 30000) -> None:
        stop_workers(ms)

    def _on_worker_progress(self, fraction: float, message: str) -> None:
        if self.sender() is self._worker:
            self.loadProgress.emit(fraction, message)

    def _on_worker_finished(self, result: LoadResult) -> None:
        w = self._worker
        if w is None or result.request is not w.request:
            return
        self._worker = None
        try:
            self._install(result)
        except Exception as e:  # a bug while showing the result: say so, never stay half-loaded and silent
            traceback.print_exc()
            self.loadFailed.emit(f"The data could not be shown ({type(e).__name__}: {str(e)[:200]}). Report this with the file's first rows.")

    def _install(self, result: LoadResult) -> None:
        if result.request.rescore is not None:
            self._install_rescored(result)
            return
        req = result.request
        if req.as_of is None:
            self.as_of_pref = None  # another file (or the file's own end): the horizon choice stays
        self.leads_path, self.activities_path = req.leads_path, req.activities_path
        self.leads_table, self.activities_table = result.leads_table, result.activities_table
        if req.generation != self._generation:
            # the model's attributes changed while loading: bind again with the tables we now have
            self.rebind()
            return
        self.loaded = result.loaded
        self.data = result.data
        scorer = result.scorer
        scorer.model = self.model  # follow the live model from now on (rules are compared by value)
        self.scorer = scorer
        self.load_seconds = result.seconds
        self.last_score_seconds = result.score_seconds
        self.data_end = result.data_end if result.data_end is not None else self.data.as_of
        created = self.data.created
        self._has_dates = created is not None and bool(self.data.frame[created].notna().any())
        if not self._has_dates:
            self.data.horizon_days = None  # nothing to count days from: every lead is scored as of as_of
        self.outcome_candidates = list(result.outcome_candidates)
        # the worker read the outcome and summarised the scores for the model as it was sent; use that
        # unless the user edited meanwhile (a million leads: ~0.3 s the window would otherwise freeze)
        unchanged = req.undo_index == self.undo_stack.index() and result.summary is not None
        self._read_outcome(result.outcome if unchanged else None)
        self.bounds = score_bounds(self.model, scorer.result.score)
        self.baseline = None
        if unchanged:
            self.summary = result.summary
        self.dataReset.emit()
        self.momentChanged.emit()
        # The plots follow in the next pass of the event loop (benchmarks/bench_load.py, a million leads:
        # the longest stall 120-260 ms with everything in one pass, 89-137 ms over six runs this way;
        # waiting a frame for the tables to paint first measured 135-172 ms).
        self._showing = (self.data, req, unchanged)
        QTimer.singleShot(0, self._show_scores)

    def _show_scores(self) -> None:
        """Second half of showing loaded data: scores to the plots, then ``loadFinished``.

        Runs once per install: from the event loop, or at once when another load,
        model or moment comes first (so nothing is ever left half-shown).
        """
        if self._showing is None:
            return
        data, req, unchanged = self._showing
        self._showing = None
        if data is not self.data:
            return
        try:
            self.loadFinished.emit()
            if unchanged and req.undo_index == self.undo_stack.index():
                self.scoresChanged.emit()
            else:
                self._refresh_now()
            if self._data_moment() != self.scoring_moment():  # the user changed it while this loaded
                self._apply_moment()
        except Exception as e:  # a bug while showing the result: say so, never stay half-loaded and silent
            traceback.print_exc()
            self.loadFailed.emit(f"The data could not be shown ({type(e).__name__}: {str(e)[:200]}). Report this with the file's first rows.")

    def _on_worker_failed(self, message: str) -> None:
        if self.sender() is not self._worker:
            return
        self._worker = None
        self.loadFailed.emit(message)

    def _on_worker_cancelled(self) -> None:
        if self.sender() is not self._worker:
            return
        rescore = self._worker.request.rescore is not None
        self._worker = None
        if rescore and self.data is not None:  # keep showing what is scored: the data's moment
            self.as_of_pref = None if self.data.as_of == self.data_end else self.data.as_of
            if self.data.horizon_days is not None:
                self.horizon_pref = self.data.horizon_days
            elif self._has_dates:
                self.horizon_pref = None
            self.momentChanged.emit()
        self.loadCancelled.emit()
        if rescore:
            self.schedule_refresh()  # edits made while it ran

    def set_outcome(self, spec: OutcomeSpec | None) -> bool:
        """Say what "converted" means (stored in the model: one undo step). None: show no conversion."""
        from leaddesigner.core.model.types import Outcome as ModelOutcome

        keep = self.model.outcome.recorded_after if self.model.outcome is not None else None
        o = None if spec is None else ModelOutcome(spec.column, list(spec.positive) if spec.positive else None, spec.date, keep)
        return self.push(C.SetOutcome(o))

    def set_outcome_column(self, column: str | None) -> bool:
        """The outcome from one column, read as its candidate suggests (a yes/no column, a date, suggested values)."""
        if column is None:
            return self.set_outcome(None)
        cand = next((c for c in self.outcome_candidates if c.column == column), None)
        spec = cand.spec() if cand is not None else OutcomeSpec(column)
        return self.set_outcome(spec)

    def _read_outcome(self, read: tuple | None = None) -> None:
        """Read the model's outcome from the shown data (no outcome in the model: no conversion anywhere).

        ``read``: ``(outcome, problem)`` already worked out (by the load worker) for this model and data.
        """
        self.outcome_read, self.outcome, self.outcome_problem = None, None, ""
        if self.data is None:
            return
        if read is None:
            src = self.leads_path.name if self.leads_path else "these leads"
            read = read_model_outcome(self.model.outcome, self.leads_frame, src)
        self.outcome_read, self.outcome_problem = read
        if self.outcome_read is not None and len(self.outcome_read.y) == len(self.data):
            self.outcome = self.outcome_read.y
        else:
            self.outcome_read = None

    # ------------------------------------------------------------ scoring moment
    @property
    def has_creation_dates(self) -> bool:
        """Whether the loaded leads have creation dates (so a horizon in days can apply)."""
        return self.data is not None and self._has_dates

    def scoring_moment(self) -> tuple[pd.Timestamp | None, float | None]:
        """(as_of, horizon_days) the preferences give for the loaded data (as_of None without data)."""
        as_of = self.as_of_pref if self.as_of_pref is not None else self.data_end
        return as_of, (self.horizon_pref if self.has_creation_dates else None)

    def moment_text(self) -> str:
        """The moment the current scores are for, in words (empty without data)."""
        if self.data is None:
            return ""
        return moment_text(self.data.as_of, self.data.horizon_days)

    def set_scoring_moment(self, horizon_days: float | None, as_of: pd.Timestamp | None = None) -> None:
        """Score each lead ``horizon_days`` after its creation (None: all as of one moment), at most ``as_of``.

        ``as_of`` None means the end of the latest day in the data. Not an edit of
        the model: no undo step, the model stays unmodified. Re-scores at once,
        or in the worker when scoring takes long (then ``loadStarted`` ... ``loadFinished``).
        """
        self.horizon_pref = float(horizon_days) if horizon_days is not None else None
        self.as_of_pref = pd.Timestamp(as_of) if as_of is not None else None
        if self.as_of_pref is not None and self.as_of_pref == self.data_end:
            self.as_of_pref = None
        self.momentChanged.emit()
        self._apply_moment()

    def _moment_request(self, leads: Path | None = ...) -> dict:  # type: ignore[assignment]
        """The scoring moment for a request; another lead file starts at its own end (the horizon choice stays)."""
        same = leads is ... or (leads is not None and self.leads_path is not None and Path(leads).resolve() == self.leads_path.resolve())
        return {"as_of": self.as_of_pref if same else None, "horizon_days": self.horizon_pref}

    def _data_moment(self) -> tuple:
        return (self.data.as_of, self.data.horizon_days) if self.data is not None else (None, None)

    def _apply_moment(self) -> None:
        """Re-score for the preferred moment if the data is scored for another one."""
        if self.scorer is None:
            return
        w = self._worker
        if w is not None and w.request.rescore is None:
            return  # loading or re-binding: the moment is checked when it finishes
        as_of, horizon = self.scoring_moment()
        if w is not None:  # a re-score for another moment is running: its result is not wanted
            self._discard_worker()
        if self._data_moment() == (as_of, horizon):
            if w is not None:
                self.loadFinished.emit()
                self.schedule_refresh()
            return
        before = self.summary
        if self.last_score_seconds > RESCORE_IN_THREAD_S:
            data = dataclasses.replace(self.data, as_of=as_of, horizon_days=horizon)
            self._start(
                LoadRequest(self.model, self.leads_path, self.activities_path, self.leads_table, self.activities_table,
                            rescore=data, generation=self._generation),
                f"Re-scoring {len(data):,} leads",
            )
            return
        t0 = time.perf_counter()
        try:
            self.scorer.set_as_of(as_of, horizon)
        except Exception as e:  # a rule that cannot be evaluated
            traceback.print_exc()
            self.error.emit(f"The leads could not be scored for that moment: {type(e).__name__}: {str(e)[:200]}.")
            return
        self.last_score_seconds = time.perf_counter() - t0
        self.baseline = before  # the strip shows what the other moment changes
        self.momentChanged.emit()
        self._refresh_now()

    def _install_rescored(self, result: LoadResult) -> None:
        before = self.summary
        self.data = result.data
        scorer = result.scorer
        scorer.model = self.model  # edits made meanwhile are picked up by the refresh below
        self.scorer = scorer
        self.last_score_seconds = result.score_seconds
        self.baseline = before
        self.loadFinished.emit()
        self.momentChanged.emit()
        self._refresh_now()

    # ------------------------------------------------------------ scoring
    def schedule_refresh(self) -> None:
        if self.scorer is not None and self._worker is None:
            self._refresher.request()

    def flush(self) -> None:
        """Score pending edits now (tests, benchmarks, before saving a screenshot)."""
        self._show_scores()
        self._finish_deferred()
        self._refresher.flush()

    def _refresh_now(self) -> None:
        sc = self.scorer
        if sc is None or self._worker is not None:
            return
        t0 = time.perf_counter()
        try:
            sc.refresh()
            self.summary = summarize(sc, self.outcome)
        except Exception as e:  # a rule that cannot be evaluated: say which, keep the last good scores
            traceback.print_exc()
            self.error.emit(
                f"The scores could not be updated: {type(e).__name__}: {str(e)[:200]}. "
                "Undo the last edit (Ctrl+Z) or correct the rule."
            )
            return
        lo, hi = self.bounds
        score = sc.result.score
        if len(score):
            smin, smax = float(score.min()), float(score.max())
            if smin < lo or smax > hi:
                self.bounds = score_bounds(self.model, score)
        self.last_refresh_ms = (time.perf_counter() - t0) * 1000
        self.scoresChanged.emit()

    def attribute_for_column(self, column: str):
        """The attribute the loaded file's ``column`` becomes when added (core ``attribute_for_column``)."""
        from leaddesigner.core.data.starter import attribute_for_column

        frame = self.leads_frame
        return attribute_for_column(
            column, {a.name for a in self.model.attributes},
            detection=self.loaded.detection if self.loaded is not None else None,
            values=frame[column] if frame is not None and column in frame.columns else None,
            delimiter=getattr(getattr(self.leads_table, "info", None), "delimiter", None))

    def grade_conversion(self) -> pd.DataFrame | None:
        """Conversion rate per grade cell (fit rows x engagement columns), when outcomes are known."""
        sc, out = self.scorer, self.outcome
        if sc is None or out is None or self.summary is None or self.summary.grade_counts is None:
            return None
        if getattr(self, "_converted_rows_of", None) is not out:  # counted once per outcome, not per refresh
            self._converted_rows = np.flatnonzero(out)
            self._converted_rows_of = out
        return grade_conversion(sc.result.grade, self.summary.grade_counts, self._converted_rows)
