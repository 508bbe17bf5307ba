"""What every table model shares: column specs, colours and roles, number formats, and DocTableModel
(headers from specs, resets, rows from the core's change events).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from leaddesigner.core.edits.changes import Change
from leaddesigner.gui.document import ModelDocument

__all__ = [
    "NEGATIVE_COLOR",
    "POSITIVE_COLOR",
    "MUTED_COLOR",
    "WARNING_COLOR",
    "MQL_COLOR",
    "SQL_COLOR",
    "ROLE_KEY",
    "ROLE_SORT",
    "ALIGN_NUM",
    "ALIGN_CENTER",
    "fmt_number",
    "fmt_points",
    "ColumnSpec",
    "DocTableModel",
    "cell_text",
]


NEGATIVE_COLOR = QColor("#C0392B")  # red-vermillion: negative points at a glance


POSITIVE_COLOR = QColor("#1B6E3A")


MUTED_COLOR = QColor("#7a7a7a")


WARNING_COLOR = QColor("#B34700")


MQL_COLOR = QColor("#AA3377")


SQL_COLOR = QColor("#222222")


ROLE_KEY = Qt.ItemDataRole.UserRole + 1  # rule id / attribute name / lead row of the row


ROLE_SORT = Qt.ItemDataRole.UserRole + 2


ALIGN_NUM = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


ALIGN_CENTER = int(Qt.AlignmentFlag.AlignCenter)


def fmt_number(v: Any, decimals: int = 2) -> str:
    if v is None:
        return ""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isnan(x):
        return ""
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}" if abs(x) >= 10000 else str(int(x))
    return f"{x:,.{decimals}f}".rstrip("0").rstrip(".")


def fmt_points(v: float | None) -> str:
    if v is None:
        return ""
    s = fmt_number(v)
    if v > 0:
        return "+" + s
    if v < 0:
        return "\u2212" + s.lstrip("-")  # a real minus sign reads better on a projector
    return s


class ColumnSpec:
    """One column: key, header, header tooltip."""

    def __init__(self, key: str, header: str, tip: str):
        self.key, self.header, self.tip = key, header, tip


class DocTableModel(QAbstractTableModel):
    """Shared plumbing: header from specs, reset on model/data reset, rows from change events.

    A subclass that shows a list of the model row by row names it in
    :attr:`ROWS_OF` (a change area: ``rules``, ``attributes``): inserted, removed
    and moved items become row operations. :meth:`_resets_on` says which other
    changes may alter any row (reset), :meth:`_follow` what to repaint after a
    change that moved no row.
    """

    COLUMNS: list[ColumnSpec] = []
    #: the model list shown one item per row (a Change area), or None
    ROWS_OF: str | None = None

    def __init__(self, document: ModelDocument, parent=None):
        super().__init__(parent)
        self.doc = document
        self._pending: str | None = None
        document.modelReset.connect(self._reset)
        document.dataReset.connect(self._reset)
        document.aboutToChange.connect(self._on_document_about_to_change)
        document.changed.connect(self._on_document_changed)
        document.changeFailed.connect(self._on_document_change_failed)

    # -- change events
    def _resets_on(self, change: Change) -> bool:
        """Whether ``change`` may alter any row: the whole model was replaced (subclasses widen it)."""
        return change.kind == "reset"

    def _on_document_about_to_change(self, change: Change) -> None:
        self._pending = None
        if self._resets_on(change):
            self.beginResetModel()
            self._pending = "reset"
        elif change.area != self.ROWS_OF or change.index < 0:
            return
        elif change.kind == "inserted":
            self.beginInsertRows(QModelIndex(), change.index, change.index)
            self._pending = "insert"
        elif change.kind == "removed":
            self.beginRemoveRows(QModelIndex(), change.index, change.index)
            self._pending = "remove"
        elif change.kind == "moved":
            i, j = change.index, change.to
            if self.beginMoveRows(QModelIndex(), i, i, QModelIndex(), j + 1 if j > i else j):
                self._pending = "move"

    def _on_document_changed(self, change: Change) -> None:
        pending, self._pending = self._pending, None
        if pending == "insert":
            self.endInsertRows()
        elif pending == "remove":
            self.endRemoveRows()
        elif pending == "move":
            self.endMoveRows()
        elif pending == "reset":
            self._invalidate()
            self.endResetModel()
        self._follow(change, pending)

    def _follow(self, change: Change, pending: str | None) -> None:
        """After ``change`` (and the row operation ``pending`` it caused, if any): repaint what it changed."""

    def _on_document_change_failed(self, change: Change) -> None:
        pending, self._pending = self._pending, None
        if pending == "reset":  # nothing changed: end what began, rows as they were
            self._invalidate()
            self.endResetModel()

    def columns(self) -> list[ColumnSpec]:
        return self.COLUMNS

    def column_of(self, key: str) -> int:
        for i, c in enumerate(self.columns()):
            if c.key == key:
                return i
        return -1

    def key_of(self, column: int) -> str:
        cols = self.columns()
        return cols[column].key if 0 <= column < len(cols) else ""

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns())

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal:
            cols = self.columns()
            if not 0 <= section < len(cols):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return cols[section].header
            if role == Qt.ItemDataRole.ToolTipRole:
                return cols[section].tip
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def _reset(self) -> None:
        self.beginResetModel()
        self._invalidate()
        self.endResetModel()

    def _invalidate(self) -> None:
        """Drop caches (called inside a reset)."""

    def _all_changed(self, first_col: int = 0, last_col: int | None = None) -> None:
        n = self.rowCount()
        if n == 0:
            return
        last = self.columnCount() - 1 if last_col is None else last_col
        self.dataChanged.emit(self.index(0, first_col), self.index(n - 1, last))


def cell_text(v: Any) -> str:
    """A lead-file value as a table cell shows it (dates without midnight, numbers grouped, yes/no)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, float):
        return "" if math.isnan(v) else fmt_number(v)
    if isinstance(v, pd.Timestamp):
        return f"{v:%Y-%m-%d}" if v == v.normalize() else f"{v:%Y-%m-%d %H:%M}"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)
