"""The open document: one core model, its lead data, its scorer, its undo stack.

``ModelDocument`` is the only object that mutates the model, and only through
core edit commands (:mod:`leaddesigner.core.commands`). It announces each
change before and after (``aboutToApply`` / ``applied``) so the table models
can emit ``beginInsertRows``/``endInsertRows`` and friends, and it turns edits
into scores:

    command -> model mutated -> (coalesced, <= ~33/s) Scorer.refresh()
            -> Summary -> ``scoresChanged``

The refresh runs in the GUI thread (it is incremental: ~10-30 ms for a
million leads); loading and re-binding after attribute or column changes run
in a :class:`~leaddesigner.gui.workers.LoadWorker`.
"""
from __future__ import annotations

import time
import traceback
from pathlib import Path

import numpy as np
import pandas as pd
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from leaddesigner.core import commands as C
from leaddesigner.core.engine import LeadData, Scorer
from leaddesigner.core.model import ScoringModel
from leaddesigner.core.summary import Summary, score_bounds, summarize

from .undo import CoreUndoCommand
from .workers import LoadRequest, LoadResult, LoadWorker, outcome_array

__all__ = ["Coalescer", "ModelDocument"]


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


class ModelDocument(QObject):
    """Model + data + scorer + undo stack, with change signals for the views."""

    #: emitted with every command just before it mutates the model
    aboutToApply = Signal(object)
    #: emitted with the command after it mutated the model
    applied = Signal(object)
    #: the command announced by aboutToApply raised; the model is unchanged
    applyFailed = Signal(object)
    #: a different model object was installed (open, new, recover)
    modelReset = Signal()
    #: lead data (re)bound: a new LeadData and Scorer
    dataReset = Signal()
    #: scores, summary and baseline are up to date
    scoresChanged = Signal()
    #: path or title changed
    pathChanged = Signal()
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
        self.leads_path: Path | None = None
        self.activities_path: Path | None = None
        self.leads_frame: pd.DataFrame | None = None
        self.activities_frame: pd.DataFrame | None = None
        self.data: LeadData | None = None
        self.scorer: Scorer | None = None
        self.summary: Summary | None = None
        #: the summary before the last edit (for before/after deltas)
        self.baseline: Summary | None = None
        self.outcome_column: str | None = None
        self.outcome_columns: list[str] = []
        self.outcome: np.ndarray | None = None
        self.bounds: tuple[float, float] = (0.0, 100.0)
        self.last_refresh_ms = 0.0
        self.load_seconds = 0.0
        self._worker: LoadWorker | None = None
        self._generation = 0  # bumps on edits that need a re-bind
        self._last_merge_key = None
        self._outcome_user_set = False
        self._batch = 0
        self._rebind_due = False
        self._refresher = Coalescer(self._refresh_now, 30, self)

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
        return self._worker is None and not self._refresher.pending()

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
        if isinstance(cmd, (C.AddRule, C.RemoveRule, C.MoveRule, C.AddAttribute, C.RemoveAttribute, C.ReplaceModel)):
            # dry run on a copy: views that begin inserting or removing rows must see the end too
            cmd.apply(self.model.copy())
        self.aboutToApply.emit(cmd)
        try:
            inverse = cmd.apply(self.model)
        except Exception:
            self.applyFailed.emit(cmd)
            raise
        self.applied.emit(cmd)
        if C.needs_rebind(cmd):
            self._generation += 1
            if self._batch:
                self._rebind_due = True  # once, after the whole compound
            else:
                self.rebind()
        else:
            self.schedule_refresh()
        return inverse

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
        self.model = model
        self.path = Path(path) if path else None
        self.undo_stack.clear()
        self.baseline = None
        self.summary = None
        self._last_merge_key = None
        self._generation += 1
        self.modelReset.emit()
        self.pathChanged.emit()
        if self.leads_frame is not None:
            self.rebind()

    def set_path(self, path: Path | None) -> None:
        self.path = Path(path) if path else None
        self.pathChanged.emit()

    # ------------------------------------------------------------ data
    def load(self, leads: Path, activities: Path | None = None) -> None:
        """Read files in the background, bind and score."""
        self.leads_path = Path(leads)
        self.activities_path = Path(activities) if activities else None
        self._start(
            LoadRequest(self.model, self.leads_path, self.activities_path, generation=self._generation),
            f"Loading {self.leads_path.name}" + (f" and {self.activities_path.name}" if activities else ""),
        )

    def load_frames(self, leads: pd.DataFrame, activities: pd.DataFrame | None = None, name: str = "leads") -> None:
        """Bind and score frames already in memory (generated data, benchmarks, tests)."""
        self.leads_path = None
        self.activities_path = None
        self._start(
            LoadRequest(self.model, None, None, leads_frame=leads, activities_frame=activities, generation=self._generation),
            f"Scoring {name}",
        )

    def load_activities(self, activities: Path) -> None:
        if self.leads_frame is None and self.leads_path is None:
            self.loadFailed.emit("Load a lead file first (Data > Load leads), then its activity log.")
            return
        self.activities_path = Path(activities)
        self.activities_frame = None
        self._start(
            LoadRequest(self.model, None if self.leads_frame is not None else self.leads_path, self.activities_path,
                        leads_frame=self.leads_frame, generation=self._generation),
            f"Loading {self.activities_path.name}",
        )

    def rebind(self) -> None:
        """Bind the lead frames already in memory to the (changed) model again."""
        if self.leads_frame is None:
            return
        self._start(
            LoadRequest(self.model, self.leads_path, self.activities_path, self.leads_frame, self.activities_frame,
                        generation=self._generation),
            "Checking the data against the model",
        )

    def _start(self, req: LoadRequest, message: str) -> None:
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
        w.cancel()
        w.finished.connect(w._thread.quit)
        w.failed.connect(w._thread.quit)
        w.cancelled.connect(w._thread.quit)

    def cancel_load(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def wait_for_workers(self, ms: int = 30000) -> None:
        from .workers import _LIVE

        for w in list(_LIVE):
            w.cancel()
            w.wait(ms)

    def _on_worker_progress(self, fraction: float, message: str) -> None:
        if self.sender() is self._worker:
            self.loadProgress.emit(fraction, message)

    def _on_worker_finished(self, result: LoadResult) -> None:
        w = self._worker
        if w is None or result.request is not w.request:
            return
        self._worker = None
        if result.request.generation != self._generation:
            # the model's attributes changed while loading: bind again with the frames we now have
            self.leads_frame, self.activities_frame = result.leads_frame, result.activities_frame
            self.rebind()
            return
        self.leads_frame = result.leads_frame
        self.activities_frame = result.activities_frame
        self.data = result.data
        scorer = result.scorer
        scorer.model = self.model  # follow the live model from now on (rules are compared by value)
        self.scorer = scorer
        self.load_seconds = result.seconds
        self.outcome_columns = result.outcome_columns
        if not self._outcome_user_set or self.outcome_column not in self.outcome_columns:
            self.outcome_column = self.outcome_columns[0] if self.outcome_columns else None
        self.outcome = outcome_array(self.data, self.outcome_column)
        self.bounds = score_bounds(self.model, scorer.result.score)
        self.baseline = None
        self.dataReset.emit()
        self.loadFinished.emit()
        self._refresh_now()

    def _on_worker_failed(self, message: str) -> None:
        if self.sender() is not self._worker:
            return
        self._worker = None
        self.loadFailed.emit(message)

    def _on_worker_cancelled(self) -> None:
        if self.sender() is not self._worker:
            return
        self._worker = None
        self.loadCancelled.emit()

    def set_outcome_column(self, column: str | None) -> None:
        self.outcome_column = column
        self._outcome_user_set = True
        self.outcome = outcome_array(self.data, column) if self.data is not None else None
        self.baseline = None
        self._refresh_now()

    # ------------------------------------------------------------ scoring
    def schedule_refresh(self) -> None:
        if self.scorer is not None and self._worker is None:
            self._refresher.request()

    def flush(self) -> None:
        """Score pending edits now (tests, benchmarks, before saving a screenshot)."""
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

    def grade_conversion(self) -> pd.DataFrame | None:
        """Conversion rate per grade cell (fit rows x engagement columns), when outcomes are known."""
        sc, out = self.scorer, self.outcome
        if sc is None or out is None or self.summary is None or self.summary.grade_counts is None:
            return None
        # only the converted leads are counted per refresh (a tenth of the leads, typically)
        if getattr(self, "_converted_rows_of", None) is not out:
            self._converted_rows = np.flatnonzero(out)
            self._converted_rows_of = out
        gc = self.summary.grade_counts
        g = sc.result.grade[self._converted_rows]
        conv = np.bincount(g[g >= 0], minlength=gc.size)[: gc.size].astype(float)
        counts = gc.to_numpy(dtype=float).ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(counts > 0, conv / counts, np.nan)
        return pd.DataFrame(rate.reshape(gc.shape), index=gc.index, columns=gc.columns)
