"""Table models of the model's other parts: attributes, grade bands, caps.

All table models are thin ``QAbstractTableModel`` adapters: none keeps a copy
of the rules, attributes or leads; ``data()`` reads the core model (or the
scorer's arrays) on demand, ``setData()`` turns an edit into a core command
pushed on the undo stack, and the core's change events become row operations
(:class:`~leaddesigner.gui.tables.base.DocTableModel`). The rules and value maps
are in :mod:`~leaddesigner.gui.tables.rules`, the leads, explanations and problems in
:mod:`~leaddesigner.gui.tables.leads`.
"""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from leaddesigner.core.edits import commands as C
from leaddesigner.core.edits.changes import Change
from leaddesigner.core.model.types import (
    ATTRIBUTE_KINDS,
    ATTRIBUTE_TYPES,
)
from leaddesigner.gui.document import ModelDocument
from leaddesigner.gui.tables.base import (
    ALIGN_NUM,
    MUTED_COLOR,
    NEGATIVE_COLOR,
    ROLE_KEY,
    ColumnSpec,
    DocTableModel,
    fmt_number,
)

__all__ = ["AttributesTableModel", "CapsTableModel", "GradeBandsTableModel"]


# ===================================================================== attributes
class AttributesTableModel(DocTableModel):
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
            return ALIGN_NUM
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


# ===================================================================== grade bands and caps
class GradeBandsTableModel(DocTableModel):
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
            return ALIGN_NUM
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


class CapsTableModel(DocTableModel):
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
            return ALIGN_NUM
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


