"""The Timeline tab's background work: one replay request, its result, and the worker thread.

The panel (:mod:`~leaddesigner.gui.panels.timeline`) sends a :class:`TimelineRequest` per change;
the latest request wins (an older run stops at its next progress call).
"""
from __future__ import annotations

import dataclasses
import time
import traceback
from dataclasses import dataclass
from typing import Any

import pandas as pd
from PySide6.QtCore import QObject, Signal

from leaddesigner.core.analysis.timeline import (
    compute_suggestions,
    compute_timeline,
    has_activity_rules,
    series_of,
)
from leaddesigner.gui.tasks import Cancelled, ThreadWorker

__all__ = ["TimelineRequest", "TimelineResult", "unavailable_reason", "TimelineWorker"]


# ====================================================================== data passed around
@dataclass
class TimelineRequest:
    """One computation: the model as it was when the run started, the data, the period."""

    generation: int
    model: Any  # ScoringModel (a private deep copy)
    data: Any  # LeadData (a shallow copy)
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    suggest: bool = True


@dataclass
class TimelineResult:
    generation: int
    simulation: Any = None
    #: the core's suggestions (see :func:`compute_suggestions`), None when not computed
    suggestions: dict | None = None
    #: plot arrays per unit ("day", "week"), read from the simulation in the worker
    series: dict | None = None
    #: a sentence for the user when the timeline cannot be computed (no dates, no activity log...)
    message: str | None = None
    error: str | None = None
    seconds: float = 0.0
    suggest_seconds: float = 0.0


# ====================================================================== core adapter
# Everything that knows the core's names lives here: the panel reads TimelineResult/TimelineSeries.
def unavailable_reason(doc) -> str | None:
    """Why the timeline cannot be computed for the document's data, in one sentence (None: it can)."""
    if doc.data is None:
        if doc.loading:
            return "Loading the leads\u2026"
        return ("Load a lead file with creation dates and its activity log (Data > Load leads, then Data > "
                "Load activity log) to replay when leads become MQLs and whether the SDR team keeps up.")
    data = doc.data
    if data.created is None or not doc.model.created_at:
        return ("The timeline needs each lead's creation date: pick the date attribute that dates a lead "
                "under Definitions > Created date.")
    key = ("created_any", data.created)
    if key not in data.cache:  # asked on every state change; a notna() over a million dates costs ~20 ms
        data.cache[key] = bool(data.frame[data.created].notna().any())
    if not data.cache[key]:
        return (f"No lead has a creation date in the column \u201c{data.created}\u201d: the timeline needs "
                "them to replay when leads become MQLs.")
    if data.events is None and has_activity_rules(doc.model):
        return ("The timeline needs the activity log (one row per event: lead id, time, type) to replay how "
                "behaviour points rise and decay day by day: Data > Load activity log.")
    return None


# ====================================================================== worker
class TimelineWorker(ThreadWorker):
    """Runs one :class:`TimelineRequest` in its own thread (like :class:`~leaddesigner.gui.workers.LoadWorker`).

    ``simulated`` carries the plots' result first, ``finished`` the same result
    with the suggestions (or an error) last; exactly one of ``finished`` or
    ``cancelled`` ends each run. Registered while its thread runs, so :func:`~leaddesigner.gui.tasks.stop_workers`
    (window close, tests) cancels and waits for it too.
    """

    thread_name = "LeadDesignerTimeline"
    simulated = Signal(object)  # TimelineResult without suggestions
    finished = Signal(object)  # TimelineResult
    cancelled = Signal(int)

    def __init__(self, request: TimelineRequest, parent: QObject | None = None):
        super().__init__(parent)
        self.request = request

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    # -- work (worker thread)
    def _progress(self, fraction: float = 0.0, message: str = "") -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def run(self) -> None:
        req = self.request
        t0 = time.perf_counter()
        res = TimelineResult(req.generation)
        try:
            res.simulation = compute_timeline(req.model, req.data, req.start, req.end, progress=self._progress)
            # the plot arrays too: the GUI thread only hands them to the plots
            res.series = {unit: series_of(res.simulation, unit) for unit in ("day", "week")}
            res.seconds = time.perf_counter() - t0
            self._progress()
            self.simulated.emit(dataclasses.replace(res))
            if req.suggest:
                t1 = time.perf_counter()
                res.suggestions = compute_suggestions(req.model, res.simulation, check=self._progress)
                res.suggest_seconds = time.perf_counter() - t1
        except Cancelled:
            self.cancelled.emit(req.generation)
            return
        except ValueError as e:  # the core's "cannot replay this data" sentences
            res.message = str(e)
        except MemoryError:
            res.error = "There is not enough memory to replay this period: choose a shorter period."
        except Exception as e:  # a bug: the user still gets a sentence, the details go to stderr
            traceback.print_exc()
            res.error = f"The timeline could not be computed ({type(e).__name__}: {str(e)[:200]})."
        res.seconds = res.seconds or time.perf_counter() - t0
        self.finished.emit(res)
