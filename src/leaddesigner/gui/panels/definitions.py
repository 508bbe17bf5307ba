"""The Definitions tab: the model's name, version, owners and products, what a lead and an MQL mean
(words for people), and which columns identify and date a lead."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.edits import commands as C
from leaddesigner.core.edits.changes import Change
from leaddesigner.gui.document import ModelDocument

__all__ = ["DefinitionsPanel"]


class _TextEdit(QPlainTextEdit):
    """A multi-line edit that reports editing finished when it loses focus."""

    editingFinished = Signal()

    def focusOutEvent(self, ev) -> None:  # noqa: N802
        super().focusOutEvent(ev)
        self.editingFinished.emit()


class DefinitionsPanel(QWidget):
    """What lead / MQL / SQL mean, and the model's name, version, owners and products."""

    def __init__(self, document: ModelDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = document
        inner = QWidget(self)
        self.name = QLineEdit(inner)
        self.name.setToolTip("The model's name")
        self.version = QLineEdit(inner)
        self.version.setToolTip("Version label, e.g. 2026.11")
        self.owners = QLineEdit(inner)
        self.owners.setToolTip("Who owns the model (comma-separated)")
        self.products = QLineEdit(inner)
        self.products.setToolTip("Product lines rules can count for (comma-separated ids)")
        self.lead_id = QLineEdit(inner)
        self.lead_id.setToolTip("The file column holding each lead's unique id")
        self.created_at = QComboBox(inner)
        self.created_at.setToolTip("The date attribute that dates a lead: used for MQLs per week")
        self.description = _TextEdit(inner)
        self.description.setToolTip("What the model is for")
        self.defs = {k: _TextEdit(inner) for k in ("lead", "mql", "sql")}
        tips = {"lead": "What counts as a lead", "mql": "When marketing hands a lead to sales", "sql": "When sales accepts it"}
        for k, w in self.defs.items():
            w.setToolTip(tips[k] + ": agreed in words by sales and marketing")
            w.setPlaceholderText(tips[k] + " ...")
            w.setMinimumHeight(60)
        self.description.setMinimumHeight(50)

        box1 = QGroupBox("Definitions agreed by sales and marketing", inner)
        f1 = QFormLayout(box1)
        f1.addRow("Lead", self.defs["lead"])
        f1.addRow("MQL", self.defs["mql"])
        f1.addRow("SQL", self.defs["sql"])
        box2 = QGroupBox("Model", inner)
        f2 = QFormLayout(box2)
        f2.addRow("Name", self.name)
        f2.addRow("Version", self.version)
        f2.addRow("Owners", self.owners)
        f2.addRow("Products", self.products)
        f2.addRow("Lead id column", self.lead_id)
        f2.addRow("Created date", self.created_at)
        f2.addRow("Description", self.description)
        v = QVBoxLayout(inner)
        v.addWidget(box1)
        v.addWidget(box2)
        v.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(scroll)

        self.name.editingFinished.connect(lambda: self._meta("name", self.name.text()))
        self.version.editingFinished.connect(lambda: self._meta("version", self.version.text()))
        self.owners.editingFinished.connect(lambda: self._meta("owners", self.owners.text()))
        self.products.editingFinished.connect(lambda: self._meta("products", self.products.text()))
        self.lead_id.editingFinished.connect(lambda: self._meta("lead_id", self.lead_id.text()))
        self.created_at.activated.connect(lambda _i: self._meta("created_at", self.created_at.currentData()))
        self.description.editingFinished.connect(lambda: self._meta("description", self.description.toPlainText()))
        for k, w in self.defs.items():
            w.editingFinished.connect(lambda k=k, w=w: self._definition(k, w.toPlainText()))
        document.changed.connect(self._on_document_changed)
        document.modelReset.connect(self.sync)
        self.sync()

    def _meta(self, field: str, value) -> None:
        m = self.doc.model
        cur = getattr(m, field)
        if isinstance(cur, list):
            cur_text = ", ".join(cur)
            if str(value).strip() == cur_text:
                return
        elif (cur or "") == (value or "").strip() if isinstance(value, str) else cur == value:
            return
        if not self.doc.push(C.SetMeta(field, value)):
            self.sync()

    def _definition(self, key: str, text: str) -> None:
        if (self.doc.model.definitions.get(key) or "").strip() == text.strip():
            return
        self.doc.push(C.SetDefinition(key, text))

    def _on_document_changed(self, change: Change) -> None:
        if change.touches("meta", "definitions", "attributes", "model"):
            self.sync()

    def sync(self) -> None:
        m = self.doc.model
        for w, text in (
            (self.name, m.name),
            (self.version, m.version or ""),
            (self.owners, ", ".join(m.owners)),
            (self.products, ", ".join(m.products)),
            (self.lead_id, m.lead_id),
        ):
            if w.text() != text:
                w.blockSignals(True)
                w.setText(text)
                w.blockSignals(False)
        for w, text in [(self.description, m.description or "")] + [(self.defs[k], m.definitions.get(k, "")) for k in self.defs]:
            if w.toPlainText() != text:
                w.blockSignals(True)
                w.setPlainText(text)
                w.blockSignals(False)
        self.created_at.blockSignals(True)
        self.created_at.clear()
        self.created_at.addItem("(none: no MQLs per week)", None)
        for a in m.attributes:
            if a.type == "date":
                self.created_at.addItem(a.name, a.name)
        i = self.created_at.findData(m.created_at)
        self.created_at.setCurrentIndex(max(0, i))
        self.created_at.blockSignals(False)
