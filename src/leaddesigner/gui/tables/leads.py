"""Table models over the loaded leads: the lead table (sortable, filtered, scores and statuses), a
lead's explanation (rule by rule), and the data problems found while loading.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont

from leaddesigner.core.model.types import (
    STATUSES,
)
from leaddesigner.core.scoring.value_checks import values_never_found
from leaddesigner.gui.document import ModelDocument
from leaddesigner.gui.tables.base import (
    ALIGN_NUM,
    MQL_COLOR,
    MUTED_COLOR,
    NEGATIVE_COLOR,
    POSITIVE_COLOR,
    ROLE_KEY,
    SQL_COLOR,
    WARNING_COLOR,
    ColumnSpec,
    DocTableModel,
    cell_text,
    fmt_number,
    fmt_points,
)

__all__ = ["LeadsTableModel", "ProblemsTableModel", "ExplanationTableModel"]


# ===================================================================== leads
class LeadsTableModel(DocTableModel):
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
                return cell_text(self.doc.data.frame[key[5:]].iat[r])
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
                return ALIGN_NUM
            return None
        if role == Qt.ItemDataRole.ToolTipRole and key == "id":
            return "Double-click (or Enter) to see why this lead has its score"
        return None


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
    "values_not_found": "Values not in the file",
}


class ProblemsTableModel(DocTableModel):
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
        from leaddesigner.core.data.leadfile import Problem
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
        if d.data is not None:  # follows every edit of a rule's values (the columns' values are counted once)
            items += values_never_found(d.model, d.data)
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
            return ALIGN_NUM
        return None


# ===================================================================== explanation
class ExplanationTableModel(QAbstractTableModel):
    """The lines of one lead's :class:`~leaddesigner.core.scoring.explain.Explanation`."""

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
            return ALIGN_NUM
        return None
