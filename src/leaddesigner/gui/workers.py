"""Background work: read lead files, bind them to the model, score them.

The worker runs pure core functions (:func:`leadfile.read_table`,
:func:`engine.bind`, :class:`engine.Scorer`) in a ``QThread`` and reports
progress through queued signals; the GUI thread never blocks on I/O. Cancel
sets a flag that the next progress callback turns into :class:`Cancelled`,
which the core lets propagate.
"""
from __future__ import annotations

import copy
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from PySide6.QtCore import QObject, Signal

from leaddesigner.core.data.leadfile import LeadFileError
from leaddesigner.core.data.outcome import candidates, read_model_outcome
from leaddesigner.core.data.pipeline import Loaded, Table, load
from leaddesigner.core.model.types import ScoringModel
from leaddesigner.core.scoring.engine import LeadData, Scorer
from leaddesigner.core.scoring.summary import Summary, summarize

from .tasks import Cancelled, ThreadWorker

__all__ = ["LoadRequest", "LoadResult", "LoadWorker"]





@dataclass
class LoadRequest:
    """What to load. Tables given instead of paths are reused (re-binding after a mapping change)."""

    model: ScoringModel
    leads_path: Path | None = None
    activities_path: Path | None = None
    leads_table: Table | pd.DataFrame | None = None
    activities_table: Table | pd.DataFrame | None = None
    as_of: pd.Timestamp | None = None
    #: score each lead this many days after its creation (see :class:`LeadData`)
    horizon_days: float | None = None
    #: already bound data to score again (another scoring moment): no reading, no binding
    rescore: LeadData | None = None
    generation: int = 0
    #: Excel: the sheet to read (None: the one that holds a table)
    sheet: str | None = None
    #: the undo stack's index when the request was made (no edit since: the worker's summary is current)
    undo_index: int = -1


@dataclass
class LoadResult:
    request: LoadRequest
    leads_table: Table | None
    activities_table: Table | None
    data: LeadData
    scorer: Scorer
    loaded: Loaded | None = None  # what the core pipeline decided (notes, detection, id column)
    seconds: float = 0.0
    #: time spent in ``Scorer`` alone (decides whether the next re-score needs a thread)
    score_seconds: float = 0.0
    #: the end of the latest day in the data (the default ``as_of``)
    data_end: pd.Timestamp | None = None
    #: columns that could be the outcome (worked out in the worker: a million rows take a second)
    outcome_candidates: list = field(default_factory=list)
    #: the model's outcome read from the leads, as (Outcome or None, why not)
    outcome: tuple = (None, "")
    #: the scores summarised for the model as it was sent (None for a re-score)
    summary: Summary | None = None

    @property
    def leads_frame(self) -> pd.DataFrame | None:
        return None if self.leads_table is None else self.leads_table.frame

    @property
    def activities_frame(self) -> pd.DataFrame | None:
        return None if self.activities_table is None else self.activities_table.frame


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
        scorer.hit_counts()
        dt = time.perf_counter() - t0
        self.finished.emit(LoadResult(req, req.leads_table, req.activities_table, data, scorer, None, dt, dt))

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
            leads = req.leads_table if req.leads_table is not None else req.leads_path
            acts = req.activities_table if req.activities_table is not None else req.activities_path
            loaded = load(model, leads, acts, as_of=req.as_of, horizon_days=req.horizon_days, sheet=req.sheet,
                          progress=self._report(0.0, 0.97))
            self._report(0.97, 1.0)(0.0, "Looking for outcome columns")
            try:  # a convenience: never a reason for a failed load
                cands = candidates(loaded.leads.frame, loaded.detection)
            except Exception:
                traceback.print_exc()
                cands = []
            src = req.leads_path.name if req.leads_path is not None else "these leads"
            outcome = read_model_outcome(model.outcome, loaded.leads.frame, src)
            summary = summarize(loaded.scorer, outcome[0].y if outcome[0] is not None else None)
            loaded.scorer.hit_counts()  # the rules table shows them first thing: count here, not while painting
            self.finished.emit(
                LoadResult(req, loaded.leads, loaded.activities, loaded.data, loaded.scorer, loaded,
                           time.perf_counter() - t0, loaded.score_seconds, loaded.data_end, cands, outcome, summary)
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
