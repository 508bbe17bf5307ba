"""What the Backtest tab hands its worker: a job (snapshots of the scores, the model and the data), and the output.

:func:`compute_backtest` runs the core's one backtest workflow
(:func:`leaddesigner.core.analysis.backtesting.run_backtest`, the same as
``leaddesigner backtest`` and the report) in a worker thread; only reading the
date columns (once per column and data) is done here."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from leaddesigner.core.analysis.backtesting import (
    BacktestRun,
    ScorerSnapshot,
    column_of,
    run_backtest,
)
from leaddesigner.core.data.dates import parse_dates

__all__ = ["BacktestJob", "BacktestOutput", "compute_backtest"]


# ------------------------------------------------------------------ the job (worker thread)
@dataclass
class BacktestJob:
    """Everything the worker needs, captured in the GUI thread (arrays are never mutated later)."""

    score: np.ndarray
    status: np.ndarray
    grade: np.ndarray
    grade_names: list[str]
    outcome: np.ndarray
    created: np.ndarray | None
    threshold: float
    capacity_per_week: float
    recall: float
    model: Any  # a copy
    data: Any  # LeadData (read only)
    result: Any  # ScoreArrays
    conversion_column: str | None = None
    contact_column: str | None = None
    holdout: np.ndarray | None = None
    generation: int = 0
    #: parsed date columns, shared between runs on the same leads: column -> datetime64
    date_cache: dict = field(default_factory=dict)
    #: how the file writes its date columns (the load's detection): column -> format
    formats: dict = field(default_factory=dict)


@dataclass
class BacktestOutput:
    job: BacktestJob
    backtest: Any  # core.backtest.Backtest
    holdout: np.ndarray
    suggestions: list = field(default_factory=list)
    at_conversion: Any = None  # core.analysis.at_conversion.ScoreAtConversion
    at_conversion_error: str | None = None
    seconds: float = 0.0
    run: BacktestRun | None = None  # everything the core's workflow returned (holdout checks, notes)


def compute_backtest(job: BacktestJob, progress=None) -> BacktestOutput:
    """The core's backtest workflow (:func:`leaddesigner.core.analysis.backtesting.run_backtest`, the same as the CLI
    and the report) for ``job``, in a worker thread; only reading the date columns is done here."""
    t0 = time.perf_counter()

    def dates(name: str | None) -> np.ndarray | None:
        col = column_of(job.data, name)
        if col is None:
            return None
        if name not in job.date_cache:  # parsing text dates is the slow part: once per column and data
            read = parse_dates(col, job.formats.get(name), name=name)
            job.date_cache[name] = read if read is not None else np.full(len(col), np.datetime64("NaT"), "datetime64[ns]")
        return job.date_cache[name]

    conv = dates(job.conversion_column) if job.conversion_column is not None else None
    contact = dates(job.contact_column) if conv is not None and job.contact_column else None
    run = run_backtest(
        ScorerSnapshot(job.model, job.data, job.result), job.outcome, created=job.created, holdout=job.holdout,
        capacity_per_week=job.capacity_per_week, recall=job.recall, converted_at=conv, first_contact=contact,
        conversion_column=job.conversion_column or "", progress=progress,
    )
    holdout = run.holdout if run.holdout is not None else np.zeros(len(job.score), dtype=bool)
    return BacktestOutput(job, run.backtest, holdout, run.suggestions, run.at_conversion, run.at_conversion_error,
                          time.perf_counter() - t0, run)
