"""The Backtest tab's holdout AUC after every edit, and what the edit changed.

The holdout (the most recent 20% of leads by creation, from the last backtest)
is fixed while the data and outcome stay; after each rescore its AUC is one sort
of the holdout's scores in the GUI thread. "What the edit changed" compares with
the AUC of the scores the document names as the baseline (the result before the
last edit): looked up among the last 16 results, else computed from the
baseline's scores; right after re-binding the same leads, with the AUC carried
over from before. Also the words and the summary strip's tile that show it.
Split from :mod:`.backtest`, the panel that owns it.
"""
from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from leaddesigner.gui.panels.summary_strip import Tile, format_delta
from leaddesigner.gui.plotting.base import PALETTE

__all__ = ["AucTile", "HoldoutAuc", "auc_words", "show_on_tile"]


class HoldoutAuc:
    """The holdout and the AUC history of one Backtest panel (GUI thread)."""

    def __init__(self) -> None:
        #: the holdout as one flag per lead (the last backtest's split), None until the first backtest
        self.mask: np.ndarray | None = None
        self._rows: np.ndarray | None = None
        self._y: np.ndarray | None = None
        self._key: tuple | None = None
        self._history: list[tuple[Any, float]] = []  # (summary, holdout AUC), newest last
        self._carry: float | None = None
        #: milliseconds the last :meth:`compute` took
        self.last_ms = 0.0

    def new_data(self, same_rows: bool, carry: float | None) -> None:
        """The document bound data again: the same leads keep their holdout and carry ``carry`` to the next AUC."""
        self._key = None
        self._history.clear()
        self._carry = carry if same_rows else None
        if not same_rows:
            self.drop()

    def drop(self) -> None:
        """Forget the holdout (other leads or another outcome): the next backtest brings a new one."""
        self.mask = self._rows = self._y = None

    def clear_history(self) -> None:
        self._history.clear()

    def set_mask(self, mask: np.ndarray) -> bool:
        """Take the backtest's holdout unless one of that length is kept; whether it was taken."""
        if self.mask is not None and len(self.mask) == len(mask):
            return False
        self.mask = mask
        return True

    def _ensure(self, doc) -> bool:
        key = (id(doc.data), id(doc.outcome))
        if self._key == key and self._rows is not None:
            return True
        if self.mask is None or len(self.mask) != len(doc.outcome):
            return False  # the first backtest brings it (time_split sorts every lead: worker thread)
        self._rows = np.flatnonzero(self.mask)
        self._y = np.asarray(doc.outcome, dtype=bool)[self._rows]
        self._key = key
        return True

    def compute(self, doc) -> tuple[float, float | None] | None:
        """(holdout AUC of the current scores, its change since the baseline or None); None without a holdout."""
        from leaddesigner.core.analysis.backtest import auc

        if doc.scorer is None or doc.outcome is None or not self._ensure(doc):
            return None
        t0 = time.perf_counter()
        value = float(auc(doc.scorer.result.score[self._rows], self._y))
        summary, base = doc.summary, doc.baseline
        before = None
        if base is None and self._carry is not None:  # the first scores after re-binding the same leads
            before = self._carry
        self._carry = None
        if base is not None:
            before = next((a for s, a in reversed(self._history) if s is base), None)
            if before is None and getattr(base, "score", None) is not None and len(base.score) == len(doc.outcome):
                before = float(auc(np.asarray(base.score)[self._rows], self._y))
        self._history.append((summary, value))
        del self._history[:-16]
        self.last_ms = (time.perf_counter() - t0) * 1000
        delta = None if before is None or math.isnan(before) or math.isnan(value) else value - before
        return value, delta


def _delta_colour(delta: float | None) -> str:
    return "#6b6b6b" if delta is None or abs(delta) <= 0.0005 else (PALETTE["ok"] if delta > 0 else PALETTE["warning"])


def auc_words(value: float, delta: float | None, *, html: bool) -> str:
    """``Holdout AUC 0.741 (+0.012 since the last change)``; the change coloured when ``html``."""
    text = f"Holdout AUC {value:.3f}"
    if delta is None:
        return text
    change = f"({format_delta(delta, 3)} since the last change)"
    return text + (f" <span style='color:{_delta_colour(delta)}'>{change}</span>" if html else f" {change}")


class AucTile(Tile):
    """The summary strip's holdout AUC tile, fed by the panel."""


def show_on_tile(tile: Tile, value: float | None, delta: float | None) -> None:
    """The holdout AUC on the summary strip's tile, hidden (with its separator) while there is none."""
    show = value is not None and not math.isnan(value)
    if tile.isHidden() == show:
        tile.setVisible(show)
        sep = getattr(tile, "separator", None)
        if sep is not None:
            sep.setVisible(show)
    if not show:
        return
    tile.set(f"{value:.3f}", format_delta(delta, 3) if delta is not None else "", "most recent 20% of leads",
             delta_color=_delta_colour(delta))
