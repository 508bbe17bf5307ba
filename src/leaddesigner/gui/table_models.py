"""Thin ``QAbstractTableModel`` adapters over the document's core objects.

None of these models keeps a copy of the rules, attributes or leads: ``data()``
reads the core model (or the scorer's arrays) on demand, ``setData()`` turns an
edit into a core command pushed on the undo stack, and the core's change events
(the document's ``aboutToChange``/``changed``, each with a
:class:`~leaddesigner.core.changes.Change`) become ``beginInsertRows``,
``beginRemoveRows``, ``beginMoveRows``, ``dataChanged`` or
``beginResetModel``: no model here knows the edit commands.
"""
from __future__ import annotations

import math
from html import escape
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QByteArray, QMimeData, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from leaddesigner.core import commands as C
from leaddesigner.core.changes import Change
from leaddesigner.core.model import (
    ATTRIBUTE_KINDS,
    ATTRIBUTE_TYPES,
    OP_WORDS,
    STATUSES,
    Leaf,
    Rule,
    condition_attributes,
    condition_text,
)

from .document import ModelDocument

__all__ = [
    "AttributesTableModel",
    "CapsTableModel",
    "ColumnSpec",
    "ExplanationTableModel",
    "GradeBandsTableModel",
    "LeadsTableModel",
    "ProblemsTableModel",
    "RulesTableModel",
    "ValueMapTableModel",
    "NEGATIVE_COLOR",
    "fmt_number",
    "fmt_points",
]

NEGATIVE_COLOR = QColor("#C0392B")  # red-vermillion: negative points at a glance
POSITIVE_COLOR = QColor("#1B6E3A")
MUTED_COLOR = QColor("#7a7a7a")
WARNING_COLOR = QColor("#B34700")
MQL_COLOR = QColor("#AA3377")
SQL_COLOR = QColor("#222222")

ROLE_KEY = Qt.ItemDataRole.UserRole + 1  # rule id / attribute name / lead row of the row
ROLE_SORT = Qt.ItemDataRole.UserRole + 2

_ALIGN_NUM = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ALIGN_CENTER = int(Qt.AlignmentFlag.AlignCenter)


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


class _DocTableModel(QAbstractTableModel):
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


# ===================================================================== rules
class RulesTableModel(_DocTableModel):
    """The model's rules, one row each, in scoring order."""

    MIME = "application/x-leaddesigner-rule-id"
    COLUMNS = [
        ColumnSpec("enabled", "On", "Untick to switch a rule off without deleting it (Space)"),
        ColumnSpec("label", "Rule", "The rule's name as sales and marketing read it"),
        ColumnSpec("points", "Points", "Points a matching lead gets (per event for behaviour rules); negative points subtract"),
        ColumnSpec("matches", "Leads", "How many loaded leads get points from this rule now"),
        ColumnSpec("attribute", "Attribute", "The lead attribute (file column) or event field the rule tests"),
        ColumnSpec("op", "Operator", "How the attribute is compared; only operators that fit its type are offered"),
        ColumnSpec("value", "Value(s)", "What it is compared with; pick from the values in the loaded file"),
        ColumnSpec("dimension", "Dimension", "fit: who the lead is; engagement: what the lead does"),
        ColumnSpec("max_points", "Max", "Behaviour rules: at most this many points per lead (empty: no limit)"),
        ColumnSpec("within_days", "Window", "Behaviour rules: only events in the last N days count (empty: all)"),
        ColumnSpec("decay", "Half-life", "Behaviour rules: an event's points halve every N days (empty: no decay)"),
        ColumnSpec("group", "Group", "Rules in a group are summed and the sum is capped (Targets tab)"),
        ColumnSpec("product", "Product", "Product line whose interest score this rule also counts for"),
        ColumnSpec("id", "ID", "Unique id of the rule, used by the production system"),
        ColumnSpec("why", "Why", "Why this rule exists: shown to sales"),
    ]
    _FIELD = {
        "label": "label",
        "dimension": "dimension",
        "attribute": "attribute",
        "op": "op",
        "value": "value",
        "points": "points",
        "max_points": "max_points",
        "within_days": "within_days",
        "decay": "half_life_days",
        "group": "group",
        "product": "product",
        "id": "id",
        "why": "why",
    }

    def __init__(self, document: ModelDocument, parent=None):
        super().__init__(document, parent)
        #: rules edited since the last scoring: their Leads cell is repainted after the next refresh
        #: (the scorer keeps each rule's count with the rule's state, so one edit recounts one rule)
        self._edited: set[str] = set()
        document.scoresChanged.connect(self._on_document_scores_changed)

    # -- structure
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.doc.model.rules)

    def rule(self, row: int) -> Rule:
        return self.doc.model.rules[row]

    def row_of(self, rule_id: str) -> int:
        try:
            return self.doc.model.rule_index(rule_id)
        except KeyError:
            return -1

    def _invalidate(self) -> None:
        self._edited = set()

    ROWS_OF = "rules"

    def _follow(self, change: Change, pending: str | None) -> None:
        if change.area == "rules" and change.kind == "inserted":
            self._edited.add(change.key)
        if pending is not None:
            return
        if change.area == "rules" and change.kind == "changed" and change.key:
            self._edited.update({change.key, change.old_key or change.key})
            row = self.row_of(change.key)
            if row >= 0:
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        elif change.area in ("attributes", "columns", "meta"):
            self._all_changed()

    def _on_document_scores_changed(self) -> None:
        edited, self._edited = self._edited, set()
        c = self.column_of("matches")
        for rid in edited:
            row = self.row_of(rid)
            if row >= 0:
                idx = self.index(row, c)
                self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DisplayRole])

    def hits(self, rule_id: str) -> int | None:
        sc = self.doc.scorer
        return None if sc is None else sc.rule_hits(rule_id)

    # -- cells
    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        key = self.key_of(index.column())
        r = self.rule(index.row())
        if key == "enabled":
            return f | Qt.ItemFlag.ItemIsUserCheckable
        if self.editable(r, key):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    @staticmethod
    def leaf(r: Rule) -> Leaf | None:
        c = r.activity.where if r.kind == "activity" else r.when
        return c if isinstance(c, Leaf) else None

    @classmethod
    def editable(cls, r: Rule, key: str) -> bool:
        """Whether a cell can be edited in place (the rest opens the rule editor)."""
        if key in ("label", "dimension", "group", "product", "id", "why"):
            return True
        if key == "points":
            return r.kind != "map"
        if key in ("max_points", "within_days", "decay"):
            return r.kind == "activity" and (key != "decay" or r.activity.decay is None or r.activity.decay.half_life_days is not None)
        if key == "attribute":
            if r.kind == "map":
                return True
            cond = r.activity.where if r.kind == "activity" else r.when
            return cond is None or isinstance(cond, Leaf)
        if key in ("op", "value"):
            return r.kind != "map" and cls.leaf(r) is not None
        return False

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.doc.model.rules):
            return None
        r = self.rule(index.row())
        key = self.key_of(index.column())
        if role == ROLE_KEY:
            return r.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, key)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_value(r, key)
        if role == Qt.ItemDataRole.CheckStateRole and key == "enabled":
            return Qt.CheckState.Checked if r.enabled else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, key)
        if role == Qt.ItemDataRole.ForegroundRole:
            if not r.enabled:
                return MUTED_COLOR
            if key == "points" and r.kind != "map" and r.points < 0:
                return NEGATIVE_COLOR
            if key == "points" and r.kind == "map":
                lo, hi = _map_range(r)
                return NEGATIVE_COLOR if hi < 0 else None
            if key in ("matches",) or (key == "value" and r.kind == "map"):
                return MUTED_COLOR
            return None
        if role == Qt.ItemDataRole.FontRole:
            if not r.enabled:
                f = QFont()
                f.setItalic(True)
                return f
            if key == "points" and r.kind != "map" and r.points < 0:
                f = QFont()
                f.setBold(True)
                return f
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key in ("points", "matches", "max_points", "within_days", "decay"):
                return _ALIGN_NUM
            if key == "enabled":
                return _ALIGN_CENTER
            return None
        return None

    def _display(self, r: Rule, key: str) -> str | None:
        leaf = self.leaf(r)
        if key == "enabled":
            return None
        if key in ("label", "id", "dimension"):
            return getattr(r, key)
        if key in ("group", "product", "why"):
            return getattr(r, key) or ""
        if key == "attribute":
            if r.kind == "map":
                return r.map.attribute
            if r.kind == "activity":
                cond = r.activity.where
                if cond is None:
                    return "any event"
                return "event " + ", ".join(condition_attributes(cond))
            if r.when is None:
                return "always"
            return ", ".join(condition_attributes(r.when))
        if key == "op":
            if r.kind == "map":
                return "maps"
            if leaf is not None:
                return OP_WORDS.get(leaf.op, leaf.op)
            cond = r.when if r.kind == "condition" else r.activity.where
            return {"AllOf": "all of", "AnyOf": "any of", "Not": "not"}.get(type(cond).__name__, "")
        if key == "value":
            if r.kind == "map":
                return _map_summary(r)
            if leaf is not None:
                return C.format_value(leaf.value, leaf.op)
            cond = r.when if r.kind == "condition" else r.activity.where
            return condition_text(cond) if cond is not None else ""
        if key == "points":
            if r.kind == "map":
                lo, hi = _map_range(r)
                return fmt_points(lo) if lo == hi else f"{fmt_points(lo)} .. {fmt_points(hi)}"
            text = fmt_points(r.points)
            return text + " each" if r.kind == "activity" else text
        if key == "matches":
            h = self.hits(r.id)
            if h is None:
                return ""
            n = self.doc.scorer.n if self.doc.scorer is not None else 0
            pct = 100 * h / n if n else 0
            return f"{h:,}  ({pct:.0f}%)" if pct >= 1 or h == 0 else f"{h:,}  (<1%)"
        if r.kind != "activity":
            return ""
        a = r.activity
        if key == "max_points":
            return fmt_number(a.max_points) if a.max_points is not None else ""
        if key == "within_days":
            return f"{fmt_number(a.within_days)} d" if a.within_days is not None else ""
        if key == "decay":
            if a.decay is None:
                return ""
            if a.decay.half_life_days is not None:
                return f"{fmt_number(a.decay.half_life_days)} d"
            return a.decay.describe()
        return ""

    def _edit_value(self, r: Rule, key: str) -> Any:
        leaf = self.leaf(r)
        if key == "enabled":
            return r.enabled
        if key == "points":
            return float(r.points)
        if key == "attribute":
            return r.map.attribute if r.kind == "map" else (leaf.attribute if leaf is not None else "")
        if key == "op":
            return leaf.op if leaf is not None else ""
        if key == "value":
            return C.format_value(leaf.value, leaf.op) if leaf is not None else ""
        if r.kind == "activity" and key in ("max_points", "within_days", "decay"):
            a = r.activity
            v = {"max_points": a.max_points, "within_days": a.within_days,
                 "decay": a.decay.half_life_days if a.decay is not None else None}[key]
            return None if v is None else float(v)
        if key in ("max_points", "within_days", "decay", "matches"):
            return None
        return self._display(r, key)

    def _tooltip(self, r: Rule, key: str) -> str:
        head = f"<b>{escape(r.label)}</b> ({r.id}, {r.dimension}{', disabled' if not r.enabled else ''})"
        body = escape(r.describe())
        extra = []
        if r.why:
            extra.append(f"<i>Why:</i> {escape(r.why)}")
        if key == "matches":
            h = self.hits(r.id)
            if h is not None:
                m = self.doc.scorer.rule_matches(r.id)
                extra.append(f"{h:,} leads get points from this rule now ({m:,} match its condition).")
        if not self.editable(r, key) and key in ("attribute", "op", "value", "points"):
            extra.append("Double-click to edit this rule's " + ("values" if r.kind == "map" else "condition") + ".")
        return "<br>".join([head, body, *extra])

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        r = self.rule(index.row())
        key = self.key_of(index.column())
        if key == "enabled" and role == Qt.ItemDataRole.CheckStateRole:
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
            if checked == r.enabled:
                return False
            return self.doc.push(C.SetRuleField(r.id, "enabled", checked))
        if role != Qt.ItemDataRole.EditRole or key not in self._FIELD:
            return False
        if key in ("max_points", "within_days", "decay") and value is not None and not isinstance(value, str):
            value = None if float(value) <= 0 else float(value)
        if isinstance(value, str) and key in ("max_points", "within_days", "decay"):
            value = value.replace("d", "").strip() or None
        if value == self._edit_value(r, key):
            return False
        return self.doc.push(C.SetRuleField(r.id, self._FIELD[key], value))

    # -- drag and drop reorder
    def supportedDropActions(self):  # noqa: N802
        return Qt.DropAction.MoveAction

    def supportedDragActions(self):  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [self.MIME]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802
        rows = sorted({i.row() for i in indexes if i.isValid()})
        md = QMimeData()
        md.setData(self.MIME, QByteArray("\n".join(self.rule(r).id for r in rows).encode()))
        return md

    def canDropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: N802
        return data.hasFormat(self.MIME)

    def dropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: N802
        if not data.hasFormat(self.MIME):
            return False
        ids = [s for s in bytes(data.data(self.MIME).data()).decode().split("\n") if s]
        if row < 0:
            row = parent.row() if parent.isValid() else self.rowCount()
        cmds = []
        target = row
        for rid in ids:
            i = self.row_of(rid)
            if i < 0:
                continue
            j = target - 1 if i < target else target
            cmds.append(C.MoveRule(rid, j))
            if i >= target:
                target += 1
        if not cmds:
            return False
        cmd = cmds[0] if len(cmds) == 1 else C.Compound(cmds, f"Move {len(cmds)} rules")
        self.doc.push(cmd)
        return False  # the move is done; tell the view not to remove anything


def _map_range(r: Rule) -> tuple[float, float]:
    m = r.map
    pts = list(m.values.values()) if m.values is not None else [b.points for b in m.bins or []]
    pts = pts + ([m.default] if m.default else [])
    if not pts:
        return 0.0, 0.0
    return float(min(pts)), float(max(pts))


def _map_summary(r: Rule) -> str:
    m = r.map
    if m.values is not None:
        items = sorted(m.values.items(), key=lambda kv: -kv[1])
        parts = [f"{k} {fmt_points(v)}" for k, v in items]
    else:
        parts = []
        for b in m.bins or []:
            if b.lower is None:
                band = f"<{fmt_number(b.upper)}"
            elif b.upper is None:
                band = f"\u2265{fmt_number(b.lower)}"
            else:
                band = f"{fmt_number(b.lower)}\u2013{fmt_number(b.upper)}"
            parts.append(f"{band} {fmt_points(b.points)}")
    if m.default:
        parts.append(f"other {fmt_points(m.default)}")
    return ", ".join(parts)


# ===================================================================== attributes
class AttributesTableModel(_DocTableModel):
    """Declared attributes, where each is read from, and how well the loaded file fills it."""

    COLUMNS = [
        ColumnSpec("name", "Attribute", "The name rules use"),
        ColumnSpec("type", "Type", "category, number, boolean, date or text: decides the operators rules can use"),
        ColumnSpec("column", "File column", "The column of the lead file that holds it (pick from the loaded file)"),
        ColumnSpec("status", "In file", "Whether the loaded lead file has that column"),
        ColumnSpec("filled", "Filled", "Share of leads with a value"),
        ColumnSpec("distinct", "Distinct", "How many different values the leads have"),
        ColumnSpec("used_by", "Used by", "Rules that read this attribute"),
        ColumnSpec("kind", "Kind", "What sort of information it is (for documentation)"),
        ColumnSpec("description", "Description", "What it means, for people reading the model"),
    ]

    def __init__(self, document: ModelDocument, parent=None):
        super().__init__(document, parent)
        self._stats: dict[str, tuple[float, int]] = {}

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.doc.model.attributes)

    def _invalidate(self) -> None:
        self._stats = {}

    def file_columns(self) -> list[str]:
        f = self.doc.leads_frame
        return [str(c) for c in f.columns] if f is not None else []

    ROWS_OF = "attributes"

    def _follow(self, change: Change, pending: str | None) -> None:
        if pending is None and change.area in ("attributes", "columns", "rules", "meta"):
            self._all_changed()

    def _stat(self, name: str) -> tuple[float, int] | None:
        d = self.doc.data
        if d is None or name not in d.frame.columns:
            return None
        if name not in self._stats:
            s = d.frame[name]
            n = len(s)
            filled = float(s.notna().sum()) / n if n else 0.0
            try:
                distinct = int(s.nunique(dropna=True))
            except TypeError:
                distinct = -1
            self._stats[name] = (filled, distinct)
        return self._stats[name]

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.key_of(index.column()) in ("name", "type", "column", "kind", "description"):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        m = self.doc.model
        if not index.isValid() or not 0 <= index.row() < len(m.attributes):
            return None
        a = m.attributes[index.row()]
        key = self.key_of(index.column())
        col = m.column_for(a.name)
        in_file = None if self.doc.leads_frame is None else col in self.doc.leads_frame.columns
        if role == ROLE_KEY:
            return a.name
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if key == "name":
                return a.name
            if key == "type":
                return a.type
            if key == "kind":
                return a.kind
            if key == "description":
                return a.description or ""
            if key == "column":
                return col
            if key == "status":
                if in_file is None:
                    return "" if role == Qt.ItemDataRole.DisplayRole else None
                return "\u2713 yes" if in_file else "missing"
            if key == "filled":
                st = self._stat(a.name)
                return "" if st is None or not in_file else f"{100 * st[0]:.0f}%"
            if key == "distinct":
                st = self._stat(a.name)
                return "" if st is None or not in_file or st[1] < 0 else f"{st[1]:,}"
            if key == "used_by":
                users = [r.id for r in m.rules if a.name in r.attributes()]
                if m.persona is not None and m.persona.attribute == a.name:
                    users.append("persona weights")
                if m.created_at == a.name:
                    users.append("MQLs per week (created_at)")
                return ", ".join(users)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "status" and in_file is False:
                return NEGATIVE_COLOR
            if key == "column" and col != a.name:
                return QColor("#0b5c99")
            if key in ("filled", "distinct", "used_by"):
                return MUTED_COLOR
            return None
        if role == Qt.ItemDataRole.FontRole and key == "status" and in_file is False:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("filled", "distinct"):
            return _ALIGN_NUM
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "status" and in_file is False:
                return f"The lead file has no column '{col}'. Pick the right column in 'File column' (or Data > Map columns, Ctrl+M)."
            if key == "column":
                return "Double-click to pick the column of the loaded file that holds this attribute"
            return a.description or self.columns()[index.column()].tip
        return None

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        a = self.doc.model.attributes[index.row()]
        key = self.key_of(index.column())
        if key == "column":
            value = str(value or "").strip() or None
            if (value or a.name) == self.doc.model.column_for(a.name):
                return False
            return self.doc.push(C.SetColumnMapping(a.name, value))
        if key in ("name", "type", "kind", "description"):
            if value == (getattr(a, key) or ""):
                return False
            return self.doc.push(C.SetAttribute(a.name, key, value))
        return False


ATTRIBUTE_TYPE_CHOICES = list(ATTRIBUTE_TYPES)
ATTRIBUTE_KIND_CHOICES = list(ATTRIBUTE_KINDS)


# ===================================================================== leads
class LeadsTableModel(_DocTableModel):
    """Scored leads, read straight from the scorer's arrays and the bound frame.

    ``rows`` maps view rows to data rows (filtered and sorted with numpy); no
    value is copied into Qt items. While the view is hidden (``set_active``)
    score changes only mark the order stale.
    """

    def __init__(self, document: ModelDocument, parent=None):
        super().__init__(document, parent)
        self._rows: np.ndarray | None = None  # None: all rows in file order
        self._cols: list[ColumnSpec] = []
        self._sort: tuple[str, Qt.SortOrder] | None = ("score", Qt.SortOrder.DescendingOrder)
        self.status_filter: int | None = None  # None all, 1: MQL and SQL, 0 lead, 2 SQL
        self.grade_filter: str | None = None
        self.search: str = ""
        self._active = False  # the window says when the table is on screen
        self._stale = False
        self._build_columns()
        self._apply_rows()
        document.scoresChanged.connect(self._on_document_scores_changed)

    # -- columns
    def columns(self) -> list[ColumnSpec]:
        return self._cols

    def _build_columns(self) -> None:
        d = self.doc
        cols = [
            ColumnSpec("id", "Lead", "Lead id"),
            ColumnSpec("score", "Score", "Total score (fit + engagement, capped)"),
            ColumnSpec("status", "Status", "lead, MQL or SQL under the current thresholds"),
            ColumnSpec("grade", "Grade", "Fit band and engagement band, e.g. A1"),
            ColumnSpec("fit", "Fit", "Fit score (who they are)"),
            ColumnSpec("engagement", "Engagement", "Engagement score (what they do)"),
        ]
        if d.outcome is not None:
            cols.append(ColumnSpec("outcome", "Converted", f"Outcome from column '{d.outcome_column}'"))
        if d.scorer is not None:
            for p in d.scorer.result.products:
                cols.append(ColumnSpec("product:" + p, p.capitalize(), f"Interest score for product {p}"))
        if d.data is not None:
            for a in d.model.attributes:
                if a.name in d.data.frame.columns:
                    cols.append(ColumnSpec("attr:" + a.name, a.name, a.description or a.name))
        self._cols = cols

    def _reset(self) -> None:
        self.beginResetModel()
        self._build_columns()
        if not self._active and self._depends_on_scores() and self.n:
            self._rows, self._stale = None, True  # sorted when the Leads tab is shown (a million rows: 0.1 s)
        else:
            self._apply_rows()
        self._attr_cache = {}
        self.endResetModel()

    # -- rows
    @property
    def n(self) -> int:
        return len(self.doc.data) if self.doc.data is not None and self.doc.scorer is not None else 0

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        if parent.isValid():
            return 0
        return self.n if self._rows is None else len(self._rows)

    def data_row(self, row: int) -> int:
        return int(row if self._rows is None else self._rows[row])

    def view_row(self, data_row: int) -> int:
        if self._rows is None:
            return data_row
        hit = np.flatnonzero(self._rows == data_row)
        return int(hit[0]) if len(hit) else -1

    def set_active(self, active: bool) -> None:
        self._active = active
        if active and self._stale:
            self._stale = False
            self._resort()

    def set_filters(self, status: int | None = None, grade: str | None = None, search: str = "") -> None:
        self.status_filter, self.grade_filter, self.search = status, grade, search.strip()
        self._resort()

    def _depends_on_scores(self) -> bool:
        return (self._sort is not None and self._sort[0] in ("score", "fit", "engagement", "status", "grade")) or \
            self.status_filter is not None or self.grade_filter is not None or (
                self._sort is not None and self._sort[0].startswith("product:"))

    def _on_document_scores_changed(self) -> None:
        if not self.n:
            return
        if self._depends_on_scores():
            if not self._active:
                self._stale = True
                return
            self._resort()
        else:
            self._all_changed(1, 5)

    def _resort(self) -> None:
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_rows = [self.data_row(i.row()) if i.row() < self.rowCount() else -1 for i in old]
        self._apply_rows()
        new = []
        for i, dr in zip(old, old_rows):
            vr = self.view_row(dr) if dr >= 0 else -1
            new.append(self.index(vr, i.column()) if vr >= 0 else QModelIndex())
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _apply_rows(self) -> None:
        n = self.n
        if n == 0:
            self._rows = None
            return
        res = self.doc.scorer.result
        mask = None
        if self.status_filter is not None:
            mask = res.status >= 1 if self.status_filter == 1 else res.status == self.status_filter
        if self.grade_filter:
            names = self.doc.scorer.grade_names()
            code = names.index(self.grade_filter) if self.grade_filter in names else -2
            m = res.grade == code
            mask = m if mask is None else mask & m
        if self.search:
            ids = self.doc.data.ids
            m = np.asarray(pd.Index(ids).str.contains(self.search, case=False, regex=False), dtype=bool)
            mask = m if mask is None else mask & m
        rows = None if mask is None else np.flatnonzero(mask)
        if self._sort is not None:
            key, order = self._sort
            vals = self._sort_values(key)
            if vals is not None:
                sub = vals if rows is None else vals[rows]
                idx = np.argsort(-sub if order == Qt.SortOrder.DescendingOrder and sub.dtype.kind in "fiu" else sub,
                                 kind="stable")
                if order == Qt.SortOrder.DescendingOrder and sub.dtype.kind not in "fiu":
                    idx = idx[::-1]
                rows = idx if rows is None else rows[idx]
            elif order == Qt.SortOrder.DescendingOrder:
                rows = np.arange(n)[::-1] if rows is None else rows[::-1]
        self._rows = rows

    def _sort_values(self, key: str) -> np.ndarray | None:
        res = self.doc.scorer.result
        if key == "score":
            return res.score
        if key == "fit":
            return res.fit
        if key == "engagement":
            return res.engagement
        if key == "status":
            return res.status.astype(np.int16)
        if key == "grade":
            return res.grade.astype(np.int32)
        if key == "outcome" and self.doc.outcome is not None:
            return self.doc.outcome.astype(np.int8)
        if key.startswith("product:"):
            return res.products.get(key[8:])
        if key.startswith("attr:"):
            s = self.doc.data.frame[key[5:]]
            if isinstance(s.dtype, pd.CategoricalDtype):
                order = np.argsort(np.asarray(s.cat.categories.astype(str)))
                rank = np.empty(len(order), dtype=np.int64)
                rank[order] = np.arange(len(order))
                codes = s.cat.codes.to_numpy()
                return np.where(codes < 0, len(order), rank[np.maximum(codes, 0)])
            if pd.api.types.is_numeric_dtype(s.dtype):
                return np.nan_to_num(s.to_numpy(dtype=float, na_value=np.nan), nan=-np.inf)
            if pd.api.types.is_datetime64_any_dtype(s.dtype):
                return s.to_numpy(dtype="datetime64[ns]").view("int64")
            return np.asarray(s.astype(str).fillna(""), dtype=object)
        return None  # id: file order

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        key = self.key_of(column)
        if not key:
            return
        self._sort = (key, order)
        if self.n:
            self._resort()

    # -- cells
    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= self.rowCount() or index.column() >= len(self._cols):
            return None
        r = self.data_row(index.row())
        key = self._cols[index.column()].key
        res = self.doc.scorer.result
        if role == ROLE_KEY:
            return r
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "id":
                return str(self.doc.data.ids[r])
            if key == "score":
                return fmt_number(round(float(res.score[r]), 1), 1)
            if key == "fit":
                return fmt_number(round(float(res.fit[r]), 1), 1)
            if key == "engagement":
                return fmt_number(round(float(res.engagement[r]), 1), 1)
            if key == "status":
                return STATUSES[int(res.status[r])]
            if key == "grade":
                g = int(res.grade[r])
                names = self.doc.scorer.grade_names()
                return names[g] if 0 <= g < len(names) else ""
            if key == "outcome":
                return "yes" if self.doc.outcome is not None and self.doc.outcome[r] else "no"
            if key.startswith("product:"):
                a = res.products.get(key[8:])
                return fmt_number(round(float(a[r]), 1), 1) if a is not None else ""
            if key.startswith("attr:"):
                return _cell_text(self.doc.data.frame[key[5:]].iat[r])
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "status":
                st = int(res.status[r])
                return MQL_COLOR if st == 1 else (SQL_COLOR if st == 2 else MUTED_COLOR)
            if key in ("score", "fit", "engagement") and float(getattr(res, key)[r]) < 0:
                return NEGATIVE_COLOR
            return None
        if role == Qt.ItemDataRole.FontRole and key == "status" and int(res.status[r]) > 0:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key in ("score", "fit", "engagement") or key.startswith("product:"):
                return _ALIGN_NUM
            return None
        if role == Qt.ItemDataRole.ToolTipRole and key == "id":
            return "Double-click (or Enter) to see why this lead has its score"
        return None


def cell_text(v: Any) -> str:
    """A lead-file value as a table cell shows it (dates without midnight, numbers grouped, yes/no)."""
    return _cell_text(v)


def _cell_text(v: Any) -> str:
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


# ===================================================================== problems
_PROBLEM_NAMES = {
    "missing_column": "Missing column",
    "type_mismatch": "Wrong type",
    "duplicate_id": "Duplicate id",
    "empty_id": "Empty id",
    "unknown_lead": "Unknown lead",
    "no_activities": "No activity log",
    "note": "Read as",
    "outcome": "Outcome",
    "future_date": "Date in the future",
}


class ProblemsTableModel(_DocTableModel):
    """``LeadData.problems``: what does not fit the model, with example rows and the rules affected."""

    COLUMNS = [
        ColumnSpec("kind", "Problem", "What kind of problem"),
        ColumnSpec("column", "Column", "The file column concerned"),
        ColumnSpec("count", "Rows", "How many rows (or values) are affected"),
        ColumnSpec("message", "What it means", "What happens and what to do"),
        ColumnSpec("examples", "Examples", "Rows as your spreadsheet numbers them, with the value found"),
        ColumnSpec("rules", "Rules affected", "Rules that read this column"),
    ]

    def __init__(self, document: ModelDocument, parent=None):
        super().__init__(document, parent)
        self._items: list = []
        self._refresh_items()

    def _invalidate(self) -> None:
        self._refresh_items()

    def _refresh_items(self) -> None:
        from leaddesigner.core.leadfile import Problem

        d = self.doc
        items = list(d.data.problems) if d.data is not None else []
        if d.data is not None and d.data.events is None:
            act = [r.id for r in d.model.rules if r.enabled and r.kind == "activity"]
            if act:
                items.insert(0, Problem(
                    "no_activities", None,
                    "No activity log is loaded, so behaviour rules score 0 for every lead. Load one with Data > Load activity log (Ctrl+Shift+L).",
                    len(d.data), rules=act,
                ))
        # what the load decided by itself (footer left out, id column chosen, date order): said once, here
        if d.loaded is not None:
            for note in d.loaded.notes:
                items.append(Problem("note", None, note, 0))
        if d.outcome_problem:
            items.insert(0, Problem("outcome", d.model.outcome.column if d.model.outcome else None, d.outcome_problem, 0))
        self._items = items

    def problems(self) -> list:
        return list(self._items)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._items)

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        p = self._items[index.row()]
        key = self.key_of(index.column())
        if role == ROLE_KEY:
            return p.kind
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if key == "kind":
                return _PROBLEM_NAMES.get(p.kind, p.kind.replace("_", " ").capitalize())
            if key == "column":
                return p.column or ""
            if key == "count":
                return f"{p.count:,}" if p.count else ""
            if key == "message":
                return p.message
            if key == "examples":
                unit = "line" if self.doc.leads_path is None or self.doc.leads_path.suffix.lower() in (".csv", ".tsv", ".txt", ".gz") else "row"
                sep = "\n" if role == Qt.ItemDataRole.ToolTipRole else "; "
                return sep.join(f"{unit} {row}: '{raw}'" if raw != "" else f"{unit} {row}" for row, raw in p.examples[:5])
            if key == "rules":
                return ", ".join(p.rules)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and key == "kind":
            serious = p.kind in ("missing_column", "no_activities") and p.rules
            return NEGATIVE_COLOR if serious else WARNING_COLOR
        if role == Qt.ItemDataRole.FontRole and key == "kind":
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "count":
            return _ALIGN_NUM
        return None


# ===================================================================== explanation
class ExplanationTableModel(QAbstractTableModel):
    """The lines of one lead's :class:`~leaddesigner.core.explain.Explanation`."""

    COLUMNS = [
        ColumnSpec("points", "Points", "Points this line adds (caps subtract what is over the limit)"),
        ColumnSpec("label", "Why", "The rule or cap"),
        ColumnSpec("dimension", "Dimension", "fit or engagement"),
        ColumnSpec("detail", "Detail", "Events counted, decay, limits and persona weights"),
    ]

    def __init__(self, parent=None):
        super().__init__(parent)
        self._exp = None

    def set_explanation(self, exp) -> None:
        self.beginResetModel()
        self._exp = exp
        self.endResetModel()

    def explanation(self):
        return self._exp

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self._exp is None else len(self._exp.lines)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section].header
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.COLUMNS[section].tip
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self._exp is None or not 0 <= index.row() < len(self._exp.lines):
            return None
        ln = self._exp.lines[index.row()]
        key = self.COLUMNS[index.column()].key
        if role == ROLE_KEY:
            return ln.key
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "points":
                return fmt_points(round(ln.points, 2))
            if key == "label":
                return ln.label
            if key == "dimension":
                return ln.dimension or "total"
            if key == "detail":
                return ln.detail
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{ln.label} ({ln.kind} {ln.key})" + (f"\n{ln.detail}" if ln.detail else "")
        if role == Qt.ItemDataRole.ForegroundRole:
            if key == "points":
                return NEGATIVE_COLOR if ln.points < 0 else POSITIVE_COLOR
            if ln.kind != "rule":
                return WARNING_COLOR
            return None
        if role == Qt.ItemDataRole.FontRole:
            f = QFont()
            if key == "points":
                f.setBold(True)
                return f
            if ln.kind != "rule":
                f.setItalic(True)
                return f
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "points":
            return _ALIGN_NUM
        return None


# ===================================================================== grade bands and caps
class GradeBandsTableModel(_DocTableModel):
    """Bands of one dimension: name and minimum score, highest first."""

    COLUMNS = [
        ColumnSpec("name", "Band", "Band name (fit: letters, engagement: numbers, by convention)"),
        ColumnSpec("min", "From score", "Minimum dimension score for this band; the last band catches the rest"),
        ColumnSpec("leads", "Leads", "Leads in this band now"),
    ]

    def __init__(self, document: ModelDocument, dimension: str, parent=None):
        super().__init__(document, parent)
        self.dimension = dimension
        document.scoresChanged.connect(self._on_document_scores_changed)

    def bands(self) -> list[tuple[str, float | None]]:
        return list(getattr(self.doc.model.grades, self.dimension).items())

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.bands())

    def _resets_on(self, change: Change) -> bool:
        return change.touches("grades")

    def _on_document_scores_changed(self) -> None:
        self._all_changed(2, 2)

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.key_of(index.column()) in ("name", "min"):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def _band_counts(self) -> list[int] | None:
        s = self.doc.summary
        if s is None or s.grade_counts is None:
            return None
        g = s.grade_counts
        return [int(x) for x in (g.sum(axis=1) if self.dimension == "fit" else g.sum(axis=0)).tolist()]

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        bands = self.bands()
        if not index.isValid() or not 0 <= index.row() < len(bands):
            return None
        name, lo = bands[index.row()]
        key = self.key_of(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "name":
                return name
            if key == "min":
                return "rest" if lo is None else f"\u2265 {fmt_number(lo)}"
            if key == "leads":
                c = self._band_counts()
                return f"{c[index.row()]:,}" if c is not None and index.row() < len(c) else ""
        if role == Qt.ItemDataRole.EditRole:
            if key == "name":
                return name
            if key == "min":
                return None if lo is None else float(lo)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("min", "leads"):
            return _ALIGN_NUM
        if role == Qt.ItemDataRole.ForegroundRole and (key == "leads" or lo is None):
            return MUTED_COLOR
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.COLUMNS[index.column()].tip
        return None

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        bands = self.bands()
        name, lo = bands[index.row()]
        key = self.key_of(index.column())
        if key == "min":
            if isinstance(value, str):
                value = value.replace("\u2265", "").strip() or None
            if value is not None and lo is not None and float(value) == float(lo):
                return False
            return self.doc.push(C.SetGradeBand(self.dimension, name, value))
        if key == "name":
            new = str(value).strip()
            if not new or new == name:
                return False
            d = {(new if k == name else k): v for k, v in bands}
            return self.doc.push(C.SetGradeBands(self.dimension, d))
        return False


class CapsTableModel(_DocTableModel):
    """Score range, dimension caps and group caps."""

    COLUMNS = [
        ColumnSpec("what", "Cap on", "Which sum is kept within the limits"),
        ColumnSpec("min", "Minimum", "The sum never goes below this (empty: no minimum)"),
        ColumnSpec("max", "Maximum", "The sum never goes above this (empty: no maximum)"),
        ColumnSpec("rules", "Rules", "Rules summed under this cap"),
    ]

    def rows(self) -> list[tuple[str, str | None]]:
        m = self.doc.model
        out: list[tuple[str, str | None]] = [("score_range", None), ("dimension", "fit"), ("dimension", "engagement")]
        groups: list[str] = []
        for r in m.rules:
            if r.group and r.group not in groups:
                groups.append(r.group)
        for g in m.caps.groups:
            if g not in groups:
                groups.append(g)
        out += [("group", g) for g in groups]
        return out

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows())

    def _resets_on(self, change: Change) -> bool:
        # a rule added, deleted or given another group or dimension changes the groups listed
        groups = change.area == "rules" and (change.kind in ("inserted", "removed") or (
            change.kind == "changed" and change.field in (None, "group", "dimension")))
        return groups or change.touches("caps")

    def _range(self, kind: str, name: str | None):
        m = self.doc.model
        if kind == "score_range":
            return m.score_range
        if kind == "dimension":
            return m.caps.dimensions.get(name)
        return m.caps.groups.get(name)

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.key_of(index.column()) in ("min", "max"):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        rows = self.rows()
        if not index.isValid() or not 0 <= index.row() < len(rows):
            return None
        kind, name = rows[index.row()]
        rng = self._range(kind, name)
        key = self.key_of(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if key == "what":
                return {"score_range": "Total score", "dimension": f"{str(name).capitalize()} score"}.get(kind, f"Group {name}")
            if key in ("min", "max"):
                v = None if rng is None else (rng.min if key == "min" else rng.max)
                if role == Qt.ItemDataRole.EditRole:
                    return None if v is None else float(v)
                return fmt_number(v) if v is not None else "\u2013"
            if key == "rules":
                if kind == "group":
                    return ", ".join(r.id for r in self.doc.model.rules if r.group == name)
                if kind == "dimension":
                    return f"all {name} rules"
                return "fit + engagement"
        if role == Qt.ItemDataRole.ForegroundRole and key in ("min", "max", "rules"):
            v = None if rng is None else (rng.min if key == "min" else rng.max) if key != "rules" else 0
            return MUTED_COLOR if v is None or key == "rules" else None
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("min", "max"):
            return _ALIGN_NUM
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.COLUMNS[index.column()].tip
        return None

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        kind, name = self.rows()[index.row()]
        key = self.key_of(index.column())
        if key not in ("min", "max"):
            return False
        if isinstance(value, str):
            value = value.strip().replace("\u2013", "") or None
        rng = self._range(kind, name)
        lo = None if rng is None else rng.min
        hi = None if rng is None else rng.max
        if key == "min":
            if value == lo:
                return False
            lo = value
        else:
            if value == hi:
                return False
            hi = value
        return self.doc.push(C.SetCap(kind, name, lo, hi))


# ===================================================================== value maps
class ValueMapTableModel(_DocTableModel):
    """Rows of one value-map rule, read from the live rule.

    For value maps: the union of the mapped values and the values found in the
    loaded file (with lead counts); an empty Points cell means "other" (the
    default). For number bands: one row per band. Edits push commands.
    """

    def __init__(self, document: ModelDocument, rule_id: str, parent=None):
        super().__init__(document, parent)
        self.rule_id = rule_id
        self._values: list[str] = []
        self._counts: dict[str, int] = {}
        self._rebuild()

    def rule(self) -> Rule | None:
        try:
            return self.doc.model.rule(self.rule_id)
        except KeyError:
            return None

    @property
    def bins_mode(self) -> bool:
        r = self.rule()
        return r is not None and r.map is not None and r.map.bins is not None

    def columns(self) -> list[ColumnSpec]:
        if self.bins_mode:
            return [
                ColumnSpec("from", "From", "Lower end (included); empty: no lower end"),
                ColumnSpec("to", "To", "Upper end (excluded); empty: no upper end"),
                ColumnSpec("points", "Points", "Points for leads in this band"),
                ColumnSpec("leads", "Leads", "Loaded leads in this band"),
            ]
        return [
            ColumnSpec("value", "Value", "A value of the attribute"),
            ColumnSpec("leads", "Leads", "Loaded leads with this value"),
            ColumnSpec("points", "Points", "Points for this value; empty: the 'other values' points"),
        ]

    def _rebuild(self) -> None:
        r = self.rule()
        self._values, self._counts = [], {}
        if r is None or r.map is None or r.map.bins is not None:
            return
        counts = value_counts(self.doc, r.map.attribute, activity=False)
        self._counts = dict(counts)
        vals = list((r.map.values or {}).keys())
        vals += [v for v, _ in counts if v not in (r.map.values or {})]
        self._values = vals

    def _resets_on(self, change: Change) -> bool:
        return change.kind == "reset" or (change.area == "rules" and self.rule_id in (change.key, change.old_key))

    def _on_document_changed(self, change: Change) -> None:
        if self._pending == "reset" and change.old_key == self.rule_id and change.key:
            self.rule_id = change.key  # the rule was renamed: follow it
        super()._on_document_changed(change)

    def _invalidate(self) -> None:
        self._rebuild()

    def _reset(self) -> None:
        self.beginResetModel()
        self._rebuild()
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        if parent.isValid():
            return 0
        r = self.rule()
        if r is None or r.map is None:
            return 0
        return len(r.map.bins) if r.map.bins is not None else len(self._values)

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.key_of(index.column()) in ("from", "to", "points"):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def _bin_count(self, lo, hi) -> int | None:
        d = self.doc.data
        r = self.rule()
        if d is None or r is None or r.map.attribute not in d.frame.columns:
            return None
        x = d.frame[r.map.attribute].to_numpy(dtype=float, na_value=np.nan)
        m = ~np.isnan(x)
        if lo is not None:
            m &= x >= lo
        if hi is not None:
            m &= x < hi
        return int(m.sum())

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        r = self.rule()
        if not index.isValid() or r is None or r.map is None or index.row() >= self.rowCount():
            return None
        key = self.key_of(index.column())
        if r.map.bins is not None:
            b = r.map.bins[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                if key == "from":
                    return fmt_number(b.lower) if b.lower is not None else "\u2013"
                if key == "to":
                    return fmt_number(b.upper) if b.upper is not None else "\u2013"
                if key == "points":
                    return fmt_points(b.points)
                if key == "leads":
                    c = self._bin_count(b.lower, b.upper)
                    return "" if c is None else f"{c:,}"
            if role == Qt.ItemDataRole.EditRole:
                v = {"from": b.lower, "to": b.upper, "points": b.points}.get(key)
                return None if v is None else float(v)
            if role == Qt.ItemDataRole.ForegroundRole and key == "points" and b.points < 0:
                return NEGATIVE_COLOR
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _ALIGN_NUM
            return None
        v = self._values[index.row()]
        pts = (r.map.values or {}).get(v)
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "value":
                return v
            if key == "leads":
                c = self._counts.get(v)
                return "" if c is None else f"{c:,}"
            if key == "points":
                return fmt_points(pts) if pts is not None else f"other ({fmt_points(r.map.default) or '0'})"
        if role == Qt.ItemDataRole.EditRole:
            if key == "points":
                return None if pts is None else float(pts)
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.ForegroundRole and key == "points":
            if pts is None:
                return MUTED_COLOR
            return NEGATIVE_COLOR if pts < 0 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("leads", "points"):
            return _ALIGN_NUM
        return None

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        r = self.rule()
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or r is None:
            return False
        key = self.key_of(index.column())
        if isinstance(value, str):
            value = value.strip() or None
        if r.map.bins is not None:
            bins = [(b.lower, b.upper, b.points) for b in r.map.bins]
            lo, hi, pts = bins[index.row()]
            if key == "from":
                lo = value
            elif key == "to":
                hi = value
            elif key == "points":
                if value is None:
                    return False
                pts = value
            else:
                return False
            bins[index.row()] = (lo, hi, pts)
            return self.doc.push(C.SetRuleField(r.id, "map_bins", bins))
        if key != "points":
            return False
        v = self._values[index.row()]
        values = dict(r.map.values or {})
        if value is None:
            if v not in values:
                return False
            del values[v]
        else:
            if values.get(v) == float(value):
                return False
            values[v] = value
        return self.doc.push(C.SetRuleField(r.id, "map_values", values))


# ===================================================================== helpers for editors
def value_counts(doc: ModelDocument, attribute: str, activity: bool, limit: int = 2000) -> list[tuple[str, int]]:
    """Distinct values of a lead attribute (or event field) with their counts, most frequent first."""
    cache = getattr(doc, "_value_counts_cache", None)
    if cache is None or cache[0] is not doc.data:
        cache = (doc.data, {})
        doc._value_counts_cache = cache
    key = (attribute, activity)
    if key in cache[1]:
        return cache[1][key]
    out: list[tuple[str, int]] = []
    d = doc.data
    s = None
    if d is not None:
        if activity:
            if d.events is not None and attribute in d.events.frame.columns:
                s = d.events.frame[attribute]
        elif attribute in d.frame.columns:
            s = d.frame[attribute]
    if s is not None:
        if pd.api.types.is_datetime64_any_dtype(s.dtype) or (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)):
            vc = s.value_counts(dropna=True)
            if len(vc) > 200:
                vc = vc.iloc[:0]
        else:
            vc = s.value_counts(dropna=True)
        for v, c in vc.iloc[:limit].items():
            if c > 0:
                out.append((_cell_text(v), int(c)))
    cache[1][key] = out
    return out
