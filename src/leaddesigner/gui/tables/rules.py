"""Table models of the rules: the rules table (one row per rule, in scoring order, drag to reorder) and
a value map's values or bands with their points and lead counts.
"""
from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, Qt
from PySide6.QtGui import QFont

from leaddesigner.core.edits import commands as C
from leaddesigner.core.edits.changes import Change
from leaddesigner.core.model.types import (
    OP_WORDS,
    Leaf,
    Rule,
    condition_attributes,
    condition_text,
)
from leaddesigner.gui.document import ModelDocument
from leaddesigner.gui.tables.base import (
    ALIGN_CENTER,
    ALIGN_NUM,
    MUTED_COLOR,
    NEGATIVE_COLOR,
    ROLE_KEY,
    ColumnSpec,
    DocTableModel,
    cell_text,
    fmt_number,
    fmt_points,
)

__all__ = ["RulesTableModel", "ValueMapTableModel", "value_counts"]


# ===================================================================== rules
class RulesTableModel(DocTableModel):
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
                return ALIGN_NUM
            if key == "enabled":
                return ALIGN_CENTER
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


# ===================================================================== value maps
class ValueMapTableModel(DocTableModel):
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
                return ALIGN_NUM
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
            return ALIGN_NUM
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
                out.append((cell_text(v), int(c)))
    cache[1][key] = out
    return out
