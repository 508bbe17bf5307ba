"""The SDR timeline's figures as plot arrays: replay + queue for a period, and the suggestions for it.

Pure core (no Qt). The app's Timeline tab runs these in a worker thread and
draws :class:`TimelineSeries`; :func:`compute_timeline` is
:func:`leaddesigner.core.analysis.queue.simulate` for a period, :func:`series_of` reads
its daily or weekly table.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["TimelineSeries", "compute_suggestions", "compute_timeline", "has_activity_rules", "series_of"]


@dataclass
class TimelineSeries:
    """What the plots draw, per period (day or week), read from a simulation's frames."""

    unit: str  # "day" or "week"
    starts: list  # pd.Timestamp: the day, or the Monday of the week
    new: np.ndarray
    re: np.ndarray
    worked: np.ndarray
    backlog: np.ndarray
    #: touch slots of the period (0 on days off)
    capacity: np.ndarray
    #: share of the period's arrivals touched within the SLA (0..1; NaN: none decided; weekly only)
    sla_share: np.ndarray
    median_h: np.ndarray
    p90_h: np.ndarray
    #: days of the period inside the replayed period (7 for whole weeks, 1 for days)
    days: np.ndarray

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def arriving(self) -> np.ndarray:
        return self.new + self.re

    @property
    def partial(self) -> np.ndarray:
        """Weeks cut by the period's first or last day."""
        return self.days < (7 if self.unit == "week" else 1)


def compute_timeline(model, data, start, end, progress: Callable[[float, str], None] | None = None):
    """Replay + SDR queue for the period: :func:`leaddesigner.core.analysis.queue.simulate` (worker thread)."""
    from leaddesigner.core.analysis import queue as Q

    return Q.simulate(model, data, start, end, suggest=False, progress=progress)


def compute_suggestions(model, simulation, check: Callable[[], None] | None = None) -> dict:
    """The core's suggestions for the simulated period (worker thread).

    ``{"team": smallest number of SDRs meeting the SLA target or None,
    "threshold": lowest MQL threshold at which the current team meets it, or None}``
    (see :func:`~leaddesigner.core.analysis.queue.suggest_team` and
    :func:`~leaddesigner.core.analysis.queue.suggest_threshold`). ``check`` is called
    between the two searches (it raises an exception when the result is no longer wanted).
    """
    from leaddesigner.core.analysis import queue as Q

    rep = simulation.replay
    out: dict = {"team": None, "threshold": None}
    out["team"] = Q.suggest_team(rep.arrivals, model.capacity, start=rep.start, end=rep.end)
    if check is not None:
        check()
    out["threshold"] = Q.suggest_threshold(model, rep, capacity=model.capacity)
    return out


def has_activity_rules(model) -> bool:
    """Whether an enabled rule scores behaviour (then the timeline needs the activity log)."""
    return any(r.kind == "activity" and r.enabled for r in model.rules)


def series_of(simulation, unit: str) -> TimelineSeries:
    """The simulation's daily or weekly table (``Simulation.daily`` / ``.weekly``) as plot arrays."""
    frame = simulation.daily if unit == "day" else simulation.weekly
    n = 0 if frame is None else len(frame)
    if n == 0:
        z = np.zeros(0)
        return TimelineSeries(unit, [], z, z, z, z, z, z, z, z, z)
    key = "day" if unit == "day" else "week"
    nan = np.full(n, np.nan)
    return TimelineSeries(
        unit=unit,
        starts=list(pd.to_datetime(frame[key])),
        new=_num(frame, "new"),
        re=_num(frame, "re_mql"),
        worked=_num(frame, "worked"),
        backlog=_num(frame, "backlog"),
        capacity=_num(frame, "capacity"),
        sla_share=_num(frame, "sla_share", nan),
        median_h=_num(frame, "median_hours", nan),
        p90_h=_num(frame, "p90_hours", nan),
        days=_num(frame, "days", np.ones(n) if unit == "day" else np.full(n, 7.0)),
    )


def _num(frame: pd.DataFrame, name: str, default: np.ndarray | None = None) -> np.ndarray:
    if name in frame.columns:
        x = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        return x if default is not None else np.nan_to_num(x)
    return default if default is not None else np.zeros(len(frame))
