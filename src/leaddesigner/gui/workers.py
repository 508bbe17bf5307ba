"""Background work: read lead files, bind them to the model, score them.

The worker runs pure core functions (:func:`leadfile.read_table`,
:func:`engine.bind`, :class:`engine.Scorer`) in a ``QThread`` and reports
progress through queued signals; the GUI thread never blocks on I/O. Cancel
sets a flag that the next progress callback turns into :class:`Cancelled`,
which the core lets propagate.
"""
from __future__ import annotations

import copy
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from PySide6.QtCore import QObject, QThread, Signal

from leaddesigner.core.engine import LeadData, Scorer, bind, default_as_of
from leaddesigner.core.leadfile import LeadFileError, read_table, row_label
from leaddesigner.core.model import ScoringModel
from leaddesigner.core.summary import parse_outcome

__all__ = ["Cancelled", "LoadRequest", "LoadResult", "LoadWorker", "outcome_candidates"]

#: columns tried first as the outcome (case-insensitive)
OUTCOME_NAMES = ("converted", "outcome", "won", "closed_won", "is_won", "y")


class Cancelled(Exception):
    """Raised inside the worker when the user pressed Cancel."""


@dataclass
class LoadRequest:
    """What to load. Frames given instead of paths are reused (re-binding after a mapping change)."""

    model: ScoringModel
    leads_path: Path | None = None
    activities_path: Path | None = None
    leads_frame: pd.DataFrame | None = None
    activities_frame: pd.DataFrame | None = None
    as_of: pd.Timestamp | None = None
    #: score each lead this many days after its creation (see :class:`LeadData`)
    horizon_days: float | None = None
    #: already bound data to score again (another scoring moment): no reading, no binding
    rescore: LeadData | None = None
    generation: int = 0


@dataclass
class LoadResult:
    request: LoadRequest
    leads_frame: pd.DataFrame
    activities_frame: pd.DataFrame | None
    data: LeadData
    scorer: Scorer
    outcome_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: time spent in ``Scorer`` alone (decides whether the next re-score needs a thread)
    score_seconds: float = 0.0
    #: the end of the latest day in the data (the default ``as_of``)
    data_end: pd.Timestamp | None = None


def outcome_candidates(data: LeadData) -> list[str]:
    """Columns that read as an outcome (0/1, yes/no, won/lost), likely names first."""
    frames = [f for f in (data.extra, data.frame) if f is not None]
    found: list[str] = []
    for f in frames:
        for c in f.columns:
            s = f[c]
            if c in found:
                continue
            # cheap screen: numbers, booleans and low-cardinality text only
            if pd.api.types.is_datetime64_any_dtype(s.dtype):
                continue
            if not (pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype)):
                if isinstance(s.dtype, pd.CategoricalDtype):
                    if len(s.cat.categories) > 20:
                        continue
                else:
                    head = s.iloc[:2000]
                    if head.nunique(dropna=True) > 20:
                        continue
            if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
                head = s.iloc[:2000].dropna()
                if len(head) and not set(np.unique(head.to_numpy(dtype=float)).tolist()) <= {0.0, 1.0}:
                    continue
            try:
                if parse_outcome(s) is not None:
                    found.append(str(c))
            except (TypeError, ValueError):
                continue
    rank = {n: i for i, n in enumerate(OUTCOME_NAMES)}
    return sorted(found, key=lambda c: (rank.get(c.lower(), len(rank)), found.index(c)))


def outcome_array(data: LeadData, column: str | None) -> np.ndarray | None:
    if column is None:
        return None
    for f in (data.extra, data.frame):
        if f is not None and column in f.columns:
            return parse_outcome(f[column])
    return None


#: workers whose thread has not finished yet: Python must not delete a running QThread
_LIVE: set = set()


class ThreadWorker(QObject):
    """One run of background work in its own ``QThread``.

    Subclasses define their signals (whichever of ``finished``, ``failed`` and
    ``cancelled`` they have end the thread) and ``run()``, which executes in
    the worker thread and checks :attr:`_cancel`. While its thread runs, the
    worker is registered in :data:`_LIVE`, so
    :meth:`ModelDocument.wait_for_workers` (window close, tests) can cancel and
    wait for every worker, whoever started it.
    """

    thread_name = "LeadDesignerWorker"

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cancel = threading.Event()
        self._thread: QThread | None = None

    # -- control (GUI thread)
    def start(self) -> None:
        self._thread = QThread()
        self._thread.setObjectName(self.thread_name)
        self.moveToThread(self._thread)
        self._thread.started.connect(self.run)
        for sig in self._end_signals():
            sig.connect(self._thread.quit)
        _LIVE.add(self)
        self._thread.finished.connect(self._on_thread_finished)
        self._thread.start()

    def _end_signals(self) -> list:
        return [getattr(self, name) for name in ("finished", "failed", "cancelled") if hasattr(self, name)]

    def _on_thread_finished(self) -> None:
        _LIVE.discard(self)

    def cancel(self) -> None:
        self._cancel.set()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def wait(self, ms: int = 30000) -> bool:
        """Wait up to ``ms`` milliseconds (forever when negative) for the thread to end."""
        if self._thread is None:
            return True
        from PySide6.QtCore import QDeadlineTimer

        done = self._thread.wait(QDeadlineTimer(QDeadlineTimer.ForeverConstant.Forever) if ms < 0 else ms)
        if done:
            _LIVE.discard(self)
        return done


class LoadWorker(ThreadWorker):
    """Runs one :class:`LoadRequest` in its own thread.

    Signals are emitted from the worker thread and delivered queued to the
    GUI thread. Exactly one of ``finished``, ``failed`` or ``cancelled`` is
    emitted per run.
    """

    thread_name = "LeadDesignerLoader"
    progress = Signal(float, str)
    finished = Signal(object)  # LoadResult
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, request: LoadRequest, parent: QObject | None = None):
        super().__init__(parent)
        self.request = request

    # -- work (worker thread)
    def _rescore(self, model: ScoringModel, t0: float) -> None:
        """Score ``request.rescore`` (bound data with another scoring moment) from scratch."""
        req = self.request
        data = req.rescore
        self._report(0.0, 0.0)(0.0, f"Scoring {len(data):,} leads")
        scorer = Scorer(model, data, progress=self._report(0.0, 1.0))
        dt = time.perf_counter() - t0
        self.finished.emit(LoadResult(req, req.leads_frame, req.activities_frame, data, scorer, [], dt, dt))

    def _report(self, lo: float, hi: float):
        def cb(fraction: float, message: str) -> None:
            if self._cancel.is_set():
                raise Cancelled()
            self.progress.emit(lo + (hi - lo) * max(0.0, min(1.0, float(fraction))), message)

        return cb

    def run(self) -> None:
        t0 = time.perf_counter()
        req = self.request
        try:
            model = copy.deepcopy(req.model)
            if req.rescore is not None:
                self._rescore(model, t0)
                return
            has_acts = req.activities_path is not None or req.activities_frame is not None
            leads = req.leads_frame
            leads_source = req.leads_path.name if req.leads_path is not None else "leads"
            if leads is None:
                leads = read_table(req.leads_path, progress=self._report(0.0, 0.45 if has_acts else 0.7))
            acts = req.activities_frame
            act_source = req.activities_path.name if req.activities_path is not None else "activities"
            if acts is None and req.activities_path is not None:
                acts = read_table(req.activities_path, progress=self._report(0.45, 0.7))
            self._report(0.7, 0.8)(0.0, "Checking the data against the model")
            lead_offset = row_label(req.leads_path)[1] if req.leads_path is not None else 2
            act_offset = row_label(req.activities_path)[1] if req.activities_path is not None else 2
            data = bind(
                model,
                leads,
                acts,
                as_of=req.as_of,
                leads_source=leads_source,
                activities_source=act_source,
                row_offset=lead_offset,
                activity_row_offset=act_offset,
                horizon_days=req.horizon_days,
            )
            if req.as_of is None:
                data_end = data.as_of
            else:
                created = data.frame[data.created] if data.created is not None else None
                data_end = default_as_of(created, data.events.ts if data.events is not None else None)
            self._report(0.8, 0.8)(0.0, f"Scoring {len(data):,} leads")
            t1 = time.perf_counter()
            scorer = Scorer(model, data, progress=self._report(0.8, 0.97))
            score_s = time.perf_counter() - t1
            candidates = outcome_candidates(data)
            self._report(0.97, 1.0)(1.0, "Ready")
            self.finished.emit(
                LoadResult(req, leads, acts, data, scorer, candidates, time.perf_counter() - t0, score_s, data_end)
            )
        except Cancelled:
            self.cancelled.emit()
        except LeadFileError as e:
            self.failed.emit(str(e))
        except KeyError as e:  # bind: the id column or activity columns are missing; the message says what to do
            self.failed.emit(str(e.args[0]) if e.args else str(e))
        except MemoryError:
            self.failed.emit("There is not enough memory to load this file. Close other programs or load a smaller export.")
        except OSError as e:
            self.failed.emit(f"Cannot read {getattr(e, 'filename', None) or 'the file'}: {e.strerror or e}. Check that it exists and is not open elsewhere.")
        except Exception as e:  # a bug; the user still gets a sentence, the details go to stderr
            traceback.print_exc()
            self.failed.emit(
                f"Loading failed unexpectedly ({type(e).__name__}: {str(e)[:200]}). "
                "Check the file, or report this with the file's first rows."
            )
