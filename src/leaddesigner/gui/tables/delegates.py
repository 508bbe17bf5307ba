"""Cell editors that fit the cell: the file's columns, operators valid for the type,
a value picker with the values found in the data and their counts, spin boxes
for points that update the plots while they spin."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.edits import commands as C
from leaddesigner.core.model.types import ACTIVITY_FIELDS, DIMENSIONS, LIST_OPS, NO_VALUE_OPS, OP_WORDS, TEXT_OPS
from leaddesigner.gui.tables.parts import ATTRIBUTE_KIND_CHOICES, ATTRIBUTE_TYPE_CHOICES, AttributesTableModel
from leaddesigner.gui.tables.rules import RulesTableModel, value_counts

__all__ = [
    "AttributesDelegate",
    "NumberDelegate",
    "PointsSpinBox",
    "RulesDelegate",
    "ValuePickerEditor",
    "op_label",
]

NEW_ATTRIBUTE_PREFIX = "+ "


def op_label(op: str) -> str:
    """``is one of (in)``: the words people read, with the operator the file uses."""
    words = OP_WORDS.get(op, op)
    return f"{words}  ({op})" if words != op else op


def _source(index: QModelIndex):
    """The source model and row of a (possibly proxied) index."""
    model = index.model()
    while hasattr(model, "mapToSource"):
        index = model.mapToSource(index)
        model = index.model()
    return model, index


class PointsSpinBox(QDoubleSpinBox):
    """Points: -1000..1000, whole steps, two decimals when typed; red when negative."""

    def __init__(self, parent=None, minimum: float = -1000.0, maximum: float = 1000.0):
        super().__init__(parent)
        self.setRange(minimum, maximum)
        self.setDecimals(2)
        self.setSingleStep(1.0)
        self.setKeyboardTracking(False)  # typing "15" commits 15, not 1 then 15
        self.setAccelerated(True)
        self.setToolTip("Arrow keys or mouse wheel: +/-1 (PgUp/PgDn: +/-10). The plots follow as you change it.")
        self.valueChanged.connect(self._tint)

    def textFromValue(self, v: float) -> str:  # noqa: N802
        return f"{v:g}" if abs(v) < 1e6 else f"{v:.2f}"

    def _tint(self, v: float) -> None:
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Text, QColor("#C0392B") if v < 0 else self.style().standardPalette().color(QPalette.ColorRole.Text))
        self.setPalette(pal)


class OptionalNumberEdit(QLineEdit):
    """A number that may be empty (no limit)."""

    def __init__(self, parent=None, placeholder: str = "none"):
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)


class ValuePickerEditor(QFrame):
    """Pick condition values: the attribute's values in the loaded data with their counts.

    List operators (in / not_in, text operators) get checkable items; single-value
    operators get one selection; either way free text can be typed in the box at
    the top (comma-separated for lists). ``value_text()`` is what the model's
    ``setData`` receives (parsed by :func:`leaddesigner.core.edits.commands.parse_value`).
    """

    committed = Signal()
    cancelled = Signal()

    def __init__(self, parent, values: list[tuple[str, int]], current: str, op: str, atype: str, hint: str = ""):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.op, self.atype = op, atype
        self._known = [v for v, _ in values]
        self.multi = op in LIST_OPS and op != "between" or (op in TEXT_OPS and atype in ("category", "text"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(3)
        self.edit = QLineEdit(current, self)
        self.edit.setPlaceholderText(_placeholder(op, atype))
        self.edit.setToolTip("Type a value" + (" (several: separate with commas)" if self.multi else "") + ", or pick below. Enter to apply, Esc to cancel.")
        lay.addWidget(self.edit)
        self.list: QListWidget | None = None
        if values and atype not in ("number", "date") and op not in NO_VALUE_OPS and op != "between":
            info = QLabel(hint or f"{len(values):,} values in the loaded leads (count of leads):", self)
            info.setWordWrap(True)
            info.setStyleSheet("color: #555;")
            lay.addWidget(info)
            self.list = QListWidget(self)
            self.list.setUniformItemSizes(True)
            chosen = set(_split(current)) if self.multi else {current.strip()}
            for v, n in values:
                it = QListWidgetItem(f"{v}    ({n:,})")
                it.setData(Qt.ItemDataRole.UserRole, v)
                it.setToolTip(f"{n:,} leads have '{v}'")
                if self.multi:
                    it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    it.setCheckState(Qt.CheckState.Checked if v in chosen else Qt.CheckState.Unchecked)
                self.list.addItem(it)
                if not self.multi and v in chosen:
                    self.list.setCurrentItem(it)
            self.list.itemChanged.connect(self._on_list_item_changed)
            self.list.itemActivated.connect(self._on_list_item_activated)
            self.list.itemClicked.connect(self._on_list_item_clicked)
            lay.addWidget(self.list, 1)
        elif hint:
            info = QLabel(hint, self)
            info.setWordWrap(True)
            info.setStyleSheet("color: #555;")
            lay.addWidget(info)
        row = QHBoxLayout()
        row.addStretch(1)
        ok = QPushButton("Apply", self)
        ok.setDefault(True)
        ok.setToolTip("Apply the value (Enter)")
        ok.clicked.connect(self.committed.emit)
        cancel = QPushButton("Cancel", self)
        cancel.setToolTip("Keep the old value (Esc)")
        cancel.clicked.connect(self.cancelled.emit)
        row.addWidget(ok)
        row.addWidget(cancel)
        lay.addLayout(row)
        self.setFocusProxy(self.edit)

    def preferred_height(self) -> int:
        if self.list is None:
            return self.sizeHint().height()
        rows = min(self.list.count(), 12)
        return min(330, self.sizeHint().height() - self.list.sizeHint().height() + rows * self.list.sizeHintForRow(0) + 8)

    def value_text(self) -> str:
        """The typed text, with values of the column that hold a comma kept whole (quoted)."""
        return C.quote_known_values(self.edit.text(), self._known)

    def _on_list_item_changed(self, item: QListWidgetItem) -> None:
        if not self.multi:
            return
        current = _split(self.edit.text())
        v = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked and v not in current:
            current.append(v)
        elif item.checkState() != Qt.CheckState.Checked and v in current:
            current.remove(v)
        self.edit.setText(C.format_value(current, "in"))

    def _on_list_item_clicked(self, item: QListWidgetItem) -> None:
        if not self.multi:
            self.edit.setText(item.data(Qt.ItemDataRole.UserRole))

    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        if self.multi:
            item.setCheckState(Qt.CheckState.Unchecked if item.checkState() == Qt.CheckState.Checked else Qt.CheckState.Checked)
        else:
            self.edit.setText(item.data(Qt.ItemDataRole.UserRole))
            self.committed.emit()

    def keyPressEvent(self, ev) -> None:  # noqa: N802
        if ev.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(ev)


def _split(text: str) -> list[str]:
    try:
        v = C.parse_value(text, "in", "category") if text.strip() else []
    except C.CommandError:
        return []
    return list(v) if isinstance(v, list) else [v]


def _placeholder(op: str, atype: str) -> str:
    if op == "between":
        return "low, high   e.g. 50, 500"
    if op in ("within_days", "older_than_days"):
        return "days, e.g. 30"
    if op in ("before", "after"):
        return "a date, e.g. 2026-01-31"
    if op in ("in", "not_in"):
        return "values separated by commas"
    if atype == "number":
        return "a number"
    if atype == "boolean":
        return "yes or no"
    return "a value"


class RulesDelegate(QStyledItemDelegate):
    """Editors for the rules table, chosen by column and by the rule's kind."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.doc = document

    # -- editors
    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget | None:  # noqa: N802
        model, src = _source(index)
        if not isinstance(model, RulesTableModel):
            return super().createEditor(parent, option, index)
        r = model.rule(src.row())
        key = model.key_of(src.column())
        m = self.doc.model
        if key == "points" or key in ("max_points", "within_days", "decay"):
            if key == "points":
                sb = PointsSpinBox(parent)
            else:
                sb = PointsSpinBox(parent, 0.0, 100000.0)
                sb.setSpecialValueText("none")
                sb.setToolTip({"max_points": "At most this many points per lead; 0 = no limit",
                               "within_days": "Only events in the last N days count; 0 = all events",
                               "decay": "Points halve every N days; 0 = no decay"}[key])
            # every step commits, so the plots move while the user spins
            sb.valueChanged.connect(lambda _v, w=sb: self.commitData.emit(w))
            return sb
        if key == "dimension":
            cb = QComboBox(parent)
            for d in DIMENSIONS:
                cb.addItem(d, d)  # the item data is what setModelData commits
            cb.activated.connect(lambda _i, w=cb: self._commit_close(w))
            return cb
        if key == "product":
            cb = QComboBox(parent)
            cb.addItem("(none)", "")
            for p in m.products:
                cb.addItem(p, p)
            cb.setToolTip("Products are listed on the Definitions tab")
            cb.activated.connect(lambda _i, w=cb: self._commit_close(w))
            return cb
        if key == "group":
            cb = QComboBox(parent)
            cb.setEditable(True)
            groups = []
            for x in m.rules:
                if x.group and x.group not in groups and x.dimension == r.dimension:
                    groups.append(x.group)
            cb.addItem("")
            cb.addItems(groups)
            cb.setToolTip("Pick a group of the same dimension or type a new name; empty: no group")
            return cb
        if key == "attribute":
            cb = QComboBox(parent)
            cb.setMaxVisibleItems(25)
            if r.kind == "activity":
                for f, t in ACTIVITY_FIELDS.items():
                    cb.addItem(f"{f}  (event {t})", f)
            else:
                types = ("number",) if r.kind == "map" and r.map.bins is not None else None
                for a in m.attributes:
                    if types and a.type not in types:
                        continue
                    if r.kind == "map" and r.map.values is not None and a.type in ("number", "date"):
                        continue
                    col = m.column_for(a.name)
                    label = f"{a.name}  ({a.type})" + (f"  \u2190 {col}" if col != a.name else "")
                    cb.addItem(label, a.name)
                if r.kind == "condition":
                    declared = {m.column_for(a.name) for a in m.attributes}
                    extra = [c for c in (self.doc.leads_frame.columns if self.doc.leads_frame is not None else [])
                             if c not in declared and c != m.lead_id]
                    if extra:
                        cb.insertSeparator(cb.count())
                        for c in extra:
                            cb.addItem(f"{NEW_ATTRIBUTE_PREFIX}{c}  (file column, add as attribute)", NEW_ATTRIBUTE_PREFIX + str(c))
            cb.activated.connect(lambda _i, w=cb: self._commit_close(w))
            return cb
        if key == "op":
            cb = QComboBox(parent)
            leaf = model.leaf(r)
            atype = _attr_type(m, leaf.attribute, r.kind == "activity") if leaf else "category"
            for op in C.valid_ops(atype):
                cb.addItem(op_label(op), op)
            cb.activated.connect(lambda _i, w=cb: self._commit_close(w))
            return cb
        if key == "value":
            leaf = model.leaf(r)
            activity = r.kind == "activity"
            atype = _attr_type(m, leaf.attribute, activity)
            values = value_counts(self.doc, leaf.attribute, activity) if atype in ("category", "text", "boolean") else []
            hits = model.hits(r.id)
            hint = ""
            if values:
                hint = f"Values of {leaf.attribute} in the loaded {'events' if activity else 'leads'} (count):"
            if hits is not None:
                hint = (hint + "\n" if hint else "") + f"This rule gives points to {hits:,} leads now."
            ed = ValuePickerEditor(parent, values, model.data(index, Qt.ItemDataRole.EditRole) or "", leaf.op, atype, hint)
            ed.committed.connect(lambda w=ed: self._commit_close(w))
            ed.cancelled.connect(lambda w=ed: self.closeEditor.emit(w, QStyledItemDelegate.EndEditHint.RevertModelCache))
            return ed
        return super().createEditor(parent, option, index)

    def _commit_close(self, w: QWidget) -> None:
        self.commitData.emit(w)
        self.closeEditor.emit(w, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        v = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QDoubleSpinBox):
            editor.blockSignals(True)
            editor.setValue(float(v) if v is not None else editor.minimum() if editor.minimum() >= 0 else 0.0)
            editor._tint(editor.value()) if isinstance(editor, PointsSpinBox) else None
            editor.blockSignals(False)
            return
        if isinstance(editor, QComboBox):
            i = editor.findData(v)
            if i < 0:
                i = editor.findText(str(v or ""))
            if i >= 0:
                editor.setCurrentIndex(i)
            elif editor.isEditable():
                editor.setEditText(str(v or ""))
            return
        if isinstance(editor, ValuePickerEditor):
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:  # noqa: N802
        if isinstance(editor, QDoubleSpinBox):
            v = editor.value()
            if editor.specialValueText() and v <= editor.minimum():
                v = None
            model.setData(index, v, Qt.ItemDataRole.EditRole)
            return
        if isinstance(editor, QComboBox):
            data = editor.currentData()
            text = editor.currentText() if editor.isEditable() else None
            v = text if editor.isEditable() else data
            if isinstance(v, str) and v.startswith(NEW_ATTRIBUTE_PREFIX):
                self._add_attribute_and_use(index, v[len(NEW_ATTRIBUTE_PREFIX):])
                return
            model.setData(index, v, Qt.ItemDataRole.EditRole)
            return
        if isinstance(editor, ValuePickerEditor):
            model.setData(index, editor.value_text(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)

    def _add_attribute_and_use(self, index: QModelIndex, column: str) -> None:
        """Declare a file column as an attribute (type guessed from the data) and point the rule at it."""

        src_model, src = _source(index)
        r = src_model.rule(src.row())
        attr = self.doc.attribute_for_column(column)
        name = attr.name
        cmds = [C.AddAttribute(None, attr)]
        if name != column:
            cmds.append(C.SetColumnMapping(name, column))
        cmds.append(C.SetRuleField(r.id, "attribute", name))
        self.doc.push(C.Compound(cmds, f"Use column {column} in {r.id}"))

    def updateEditorGeometry(self, editor: QWidget, option, index: QModelIndex) -> None:  # noqa: N802
        if isinstance(editor, ValuePickerEditor):
            vp = editor.parentWidget()
            rect = QRect(option.rect)
            w = max(rect.width(), 340)
            h = editor.preferred_height()
            x = min(rect.x(), max(0, vp.width() - w))
            y = rect.y()
            if y + h > vp.height():
                y = max(0, vp.height() - h)
            editor.setGeometry(QRect(x, y, min(w, vp.width()), min(h, vp.height())))
            return
        super().updateEditorGeometry(editor, option, index)


def _attr_type(model, name: str, activity: bool) -> str:
    if activity:
        return ACTIVITY_FIELDS.get(name, "category")
    a = model.attribute(name)
    return a.type if a is not None else "category"


class AttributesDelegate(QStyledItemDelegate):
    """Type and kind combos; the file-column combo lists the loaded file's columns."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.doc = document

    def createEditor(self, parent, option, index):  # noqa: N802
        model, src = _source(index)
        if not isinstance(model, AttributesTableModel):
            return super().createEditor(parent, option, index)
        key = model.key_of(src.column())
        if key in ("type", "kind"):
            cb = QComboBox(parent)
            cb.addItems(ATTRIBUTE_TYPE_CHOICES if key == "type" else ATTRIBUTE_KIND_CHOICES)
            cb.activated.connect(lambda _i, w=cb: self._commit_close(w))
            return cb
        if key == "column":
            cb = QComboBox(parent)
            cb.setEditable(True)
            cb.setMaxVisibleItems(25)
            a = self.doc.model.attributes[src.row()]
            cols = model.file_columns()
            taken = {self.doc.model.column_for(x.name) for x in self.doc.model.attributes if x.name != a.name}
            for c in cols:
                cb.addItem(c + ("   (used by another attribute)" if c in taken else ""), c)
            cb.setToolTip("Columns of the loaded lead file" if cols else "Load a lead file to pick from its columns, or type the column name")
            cb.activated.connect(lambda _i, w=cb: self._commit_close(w))
            return cb
        return super().createEditor(parent, option, index)

    def _commit_close(self, w: QWidget) -> None:
        self.commitData.emit(w)
        self.closeEditor.emit(w, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor, index):  # noqa: N802
        if isinstance(editor, QComboBox):
            v = str(index.data(Qt.ItemDataRole.EditRole) or "")
            i = editor.findData(v)
            if i < 0:
                i = editor.findText(v)
            if i >= 0:
                editor.setCurrentIndex(i)
            elif editor.isEditable():
                editor.setEditText(v)
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor, model, index):  # noqa: N802
        if isinstance(editor, QComboBox):
            v = editor.currentData() if not editor.isEditable() else editor.currentData()
            if editor.isEditable() and (v is None or editor.currentText() != editor.itemText(editor.currentIndex())):
                v = editor.currentText()
            if v is None:
                v = editor.currentText()
            model.setData(index, v, Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)


class NumberDelegate(QStyledItemDelegate):
    """Numbers that may be empty (caps, band minimums, map points); spin boxes commit live."""

    def __init__(self, parent=None, optional: bool = True, live: bool = False):
        super().__init__(parent)
        self.optional = optional
        self.live = live

    def createEditor(self, parent, option, index):  # noqa: N802
        if not index.flags() & Qt.ItemFlag.ItemIsEditable:
            return None
        v = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(v, str):
            return super().createEditor(parent, option, index)
        if self.optional:
            ed = OptionalNumberEdit(parent, "none")
            ed.setToolTip("A number; leave empty for none")
            return ed
        sb = PointsSpinBox(parent)
        if self.live:
            sb.valueChanged.connect(lambda _v, w=sb: self.commitData.emit(w))
        return sb

    def setEditorData(self, editor, index):  # noqa: N802
        v = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, OptionalNumberEdit):
            editor.setText("" if v is None else f"{float(v):g}")
            return
        if isinstance(editor, QDoubleSpinBox):
            editor.blockSignals(True)
            editor.setValue(float(v or 0))
            editor.blockSignals(False)
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor, model, index):  # noqa: N802
        if isinstance(editor, OptionalNumberEdit):
            t = editor.text().strip()
            if not t:
                model.setData(index, None, Qt.ItemDataRole.EditRole)
                return
            try:
                model.setData(index, float(t.replace(",", "")), Qt.ItemDataRole.EditRole)
            except ValueError:
                model.setData(index, t, Qt.ItemDataRole.EditRole)  # the command explains what is wrong
            return
        if isinstance(editor, QDoubleSpinBox):
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        return super().sizeHint(option, index)
