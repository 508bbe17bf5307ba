"""Dialogs about the lead file: where each attribute is read from and how, and what "converted" means.

* :class:`ColumnMappingDialog` (Data > Map columns, Ctrl+M) is the one place
  to correct what the load pipeline guessed: the lead id column (or line
  numbers), the creation date, the file column of each attribute and, for
  dates and numbers, how the file writes them (``6/12/2025`` month first,
  ``1.234,5`` decimal comma). OK applies every change as one undo step; the
  choices are stored in the model so production reads the file the same way.
* :class:`OutcomeDialog` (Data > Outcome..., also from the Backtest tab):
  a column, and for a stage or status column the values that mean
  converted, with the conversion rate that choice gives. No conversion
  figure is shown anywhere until the user has confirmed it here.

Combo boxes here ignore the mouse wheel unless they have focus, so that
scrolling the dialog never changes a mapping by accident.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.data.detect import ROW_NUMBERS, suggest_column
from leaddesigner.core.data.outcome import OutcomeError, OutcomeSpec, fold, resolve
from leaddesigner.core.edits import commands as C
from leaddesigner.core.model.types import DATE_FORMATS, NUMBER_FORMATS
from leaddesigner.gui.document import ModelDocument
from leaddesigner.gui.tables.base import cell_text

__all__ = ["ColumnMappingDialog", "OutcomeDialog", "NoWheelComboBox", "NOT_IN_FILE", "ROW_NUMBERS_TEXT"]

NOT_IN_FILE = "(not in the file)"
ROW_NUMBERS_TEXT = "(no id column: number leads by line)"
#: how each format reads, for the format combos
FORMAT_TEXT = {
    "ISO": "2025-06-12 (ISO)",
    "M/D/Y": "6/12/2025 (month first, US)",
    "D/M/Y": "12/6/2025 (day first)",
    "unix_s": "seconds since 1970",
    "unix_ms": "milliseconds since 1970",
    "excel": "Excel day numbers",
    "1,234.5": "1,234.5 (decimal point)",
    "1.234,5": "1.234,5 (decimal comma)",
}


def _esc(s: object) -> str:
    return html.escape(str(s), quote=False)


class NoWheelComboBox(QComboBox):
    """A combo box that leaves the mouse wheel to the scroll area unless it has the keyboard focus."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class ColumnMappingDialog(QDialog):
    """The lead id, the creation date, and each attribute's file column and format (see the module docstring)."""

    def __init__(self, document: ModelDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Map the model to the file's columns")
        self.doc = document
        m = document.model
        frame = document.leads_frame
        self.columns = [str(c) for c in frame.columns] if frame is not None else []
        det = document.loaded.detection if document.loaded is not None else None
        self.detection = det
        self.combos: dict[str, QComboBox] = {}
        self.formats: dict[str, QComboBox] = {}
        have = set(self.columns)
        missing = [a for a in m.attributes if m.column_for(a.name) not in have]
        present = [a for a in m.attributes if m.column_for(a.name) in have]
        taken = {m.column_for(a.name) for a in present}
        src = document.leads_path.name if document.leads_path else "the lead file"

        intro = QLabel(
            (f"<b>{len(missing)} of {len(m.attributes)} attributes</b> are not columns of {_esc(src)}. "
             "Pick the column that holds each one; rules reading an unmapped attribute give 0 points."
             if missing else f"Every attribute is read from a column of {_esc(src)}. You can change where each is read from.")
            + "<br><span style='color:#555'>Suggestions are preselected where a column name looks alike. "
            "What you choose here is saved in the model, so production reads the file the same way.</span>",
            self,
        )
        intro.setWordWrap(True)

        # -- the lead id and the creation date
        top = QGridLayout()
        top.addWidget(QLabel("<b>Lead id</b>", self), 0, 0)
        self.id_combo = NoWheelComboBox(self)
        ids = [c for c in self.columns if det is None or (det.columns[c].unique and det.columns[c].type in ("number", "text", "category"))]
        for c in ids:
            self.id_combo.addItem(c, c)
        self.id_combo.addItem(ROW_NUMBERS_TEXT, ROW_NUMBERS)
        used = document.loaded.id_column if document.loaded is not None else m.lead_id
        current = m.lead_id if m.lead_id in have else (used if used in have else ROW_NUMBERS)
        i = self.id_combo.findData(current)
        self.id_combo.setCurrentIndex(i if i >= 0 else self.id_combo.count() - 1)
        self.id_combo.setToolTip("The column that names each lead: every value must differ. Only such columns are listed.")
        top.addWidget(self.id_combo, 0, 1)
        id_note = QLabel(_esc(det.id_note) if det is not None and det.id_note else "", self)
        id_note.setWordWrap(True)
        id_note.setStyleSheet("color:#555;")
        top.addWidget(id_note, 0, 2)
        top.addWidget(QLabel("<b>Creation date</b>", self), 1, 0)
        self.created_combo = NoWheelComboBox(self)
        self.created_combo.addItem("(none: no MQLs per week)", None)
        for a in m.attributes:
            if a.type == "date":
                self.created_combo.addItem(f"{a.name} ({m.column_for(a.name)})" if m.column_for(a.name) != a.name else a.name, a.name)
        self.created_combo.setCurrentIndex(max(0, self.created_combo.findData(m.created_at)))
        self.created_combo.setToolTip("The date attribute that dates each lead: MQLs per week, the holdout split, the scoring moment")
        top.addWidget(self.created_combo, 1, 1)
        top.setColumnStretch(2, 1)

        # -- the attributes
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        for j, h in enumerate(("Attribute", "Type", "File column", "Written as", "Values in that column")):
            grid.addWidget(QLabel(f"<b>{h}</b>", self), 0, j)
        self.samples: dict[str, QLabel] = {}
        kinds = det.types() if det is not None else None
        for i, a in enumerate(missing + present, start=1):
            name = QLabel(a.name + ("  \u26a0" if a in missing else ""), self)
            if a in missing:
                name.setStyleSheet("color: #C0392B; font-weight: bold;")
                users = [r.id for r in m.rules if a.name in r.attributes()]
                name.setToolTip(f"Used by: {', '.join(users)}" if users else "No rule uses it yet")
            grid.addWidget(name, i, 0)
            grid.addWidget(QLabel(a.type, self), i, 1)
            cb = NoWheelComboBox(self)
            cb.addItem(NOT_IN_FILE, None)
            for c in self.columns:
                cb.addItem(c, c)
            cur = m.column_for(a.name)
            pick = cur if cur in have else suggest_column(a.name, self.columns, taken, a.type, kinds)
            if pick is not None:
                taken.add(pick)
                cb.setCurrentIndex(cb.findData(pick))
            cb.setToolTip(f"The column of {src} that holds {a.name}")
            cb.currentIndexChanged.connect(lambda _i, n=a.name: self._on_combo_changed(n))
            grid.addWidget(cb, i, 2)
            if a.type in ("date", "number"):
                fc = NoWheelComboBox(self)
                fc.addItem("as the values show", None)
                for f in DATE_FORMATS if a.type == "date" else NUMBER_FORMATS:
                    fc.addItem(FORMAT_TEXT[f], f)
                fc.setCurrentIndex(max(0, fc.findData(a.format)))
                fc.setToolTip("How the file writes the values. 'As the values show' decides from the whole column "
                              "(the detected reading is shown beside it); choose one to fix it.")
                self.formats[a.name] = fc
                grid.addWidget(fc, i, 3)
            sample = QLabel("", self)
            sample.setStyleSheet("color: #555;")
            self.samples[a.name] = sample
            grid.addWidget(sample, i, 4)
            self.combos[a.name] = cb
            self._on_combo_changed(a.name)
        grid.setRowStretch(len(self.combos) + 1, 1)
        grid.setColumnStretch(4, 1)
        inner = QWidget(self)
        inner.setLayout(grid)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Apply mapping")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(top)
        lay.addWidget(scroll, 1)
        lay.addWidget(buttons)
        self.resize(900, min(680, 220 + 34 * len(self.combos)))

    def _on_combo_changed(self, name: str) -> None:
        col = self.combos[name].currentData() if name in self.combos else None
        lab = self.samples.get(name)
        if lab is None:
            return
        if col is None or self.doc.leads_frame is None:
            lab.setText("")
            return
        s = self.doc.leads_frame[col]
        vals = [cell_text(v) for v in s.dropna().iloc[:200].unique()[:4]]
        text = ", ".join(v[:24] for v in vals)
        g = self.detection.columns.get(col) if self.detection is not None else None
        how = ""
        if g is not None and g.format:
            how = f"read as {FORMAT_TEXT.get(g.format, g.format)}" + (" (ambiguous)" if g.ambiguous else "") + ": "
        shown = text if len(text) <= 60 else text[:59] + "\u2026"
        lab.setText(how + shown)
        lab.setToolTip((g.note + "\n" if g is not None and g.note else "") + ", ".join(vals))

    def mapping(self) -> dict[str, str | None]:
        """Attribute -> chosen column (None: not in the file)."""
        return {n: cb.currentData() for n, cb in self.combos.items()}

    def command(self) -> C.Command | None:
        """The changes as one command, or None when nothing changed."""
        m = self.doc.model
        cmds: list[C.Command] = []
        lead_id = self.id_combo.currentData()
        lead_id = "row" if lead_id == ROW_NUMBERS else lead_id
        if lead_id and lead_id != m.lead_id:
            cmds.append(C.SetMeta("lead_id", lead_id))
        created = self.created_combo.currentData()
        if created != m.created_at:
            cmds.append(C.SetMeta("created_at", created))
        for name, col in self.mapping().items():
            if col is not None and col != m.column_for(name):
                cmds.append(C.SetColumnMapping(name, col))
        for name, fc in self.formats.items():
            if fc.currentData() != m.attribute(name).format:
                cmds.append(C.SetAttribute(name, "format", fc.currentData()))
        if not cmds:
            return None
        return cmds[0] if len(cmds) == 1 else C.Compound(cmds, f"Map the file ({len(cmds)} changes)")


class OutcomeDialog(QDialog):
    """What "converted" means: a column and, for a stage or status column, its values (see the module docstring)."""

    def __init__(self, document: ModelDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("What does \u201cconverted\u201d mean?")
        self.doc = document
        frame = document.leads_frame
        self.columns = [str(c) for c in frame.columns] if frame is not None else []
        cands = {c.column: c for c in document.outcome_candidates}
        o = document.model.outcome
        intro = QLabel(
            "Choose the column that says a lead converted. A yes/no column (0/1, true/false, won/lost) is read as it is; "
            "for a stage or status column, tick the values that mean converted; a date column counts a lead as converted "
            "when the date is filled (and says when). Until you choose, no conversion figure is shown.",
            self,
        )
        intro.setWordWrap(True)
        self.column_combo = NoWheelComboBox(self)
        self.column_combo.addItem("(none: show no conversion)", None)
        ordered = [c for c in cands] + [c for c in self.columns if c not in cands]
        for c in ordered:
            cand = cands.get(c)
            self.column_combo.addItem(c + ("  \u2014 suggested" if cand is not None else ""), c)
        self.values = QListWidget(self)
        self.values.setMinimumHeight(160)
        self.result_label = QLabel("", self)
        self.result_label.setWordWrap(True)
        self.column_combo.currentIndexChanged.connect(self._on_column_combo_changed)
        self.values.itemChanged.connect(self._on_values_item_changed)
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Column</b>", self))
        row.addWidget(self.column_combo, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use this outcome")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(row)
        self.values_label = QLabel("<b>Values that mean converted</b>", self)
        lay.addWidget(self.values_label)
        lay.addWidget(self.values, 1)
        lay.addWidget(self.result_label)
        lay.addStretch(0)
        lay.addWidget(buttons)
        self.resize(620, 520)
        # the most likely column is offered (nothing is used until "Use this outcome")
        start = o.column if o is not None else (document.outcome_candidates[0].column if document.outcome_candidates else None)
        i = self.column_combo.findData(start)
        self.column_combo.setCurrentIndex(max(0, i))
        self._fill_values(o.positive if o is not None and o.column == start else None)

    # -- state
    def _on_column_combo_changed(self, _i: int) -> None:
        self._fill_values(None)

    def _on_values_item_changed(self, _item: QListWidgetItem) -> None:
        self._update_result()

    def _fill_values(self, positive: list[str] | None) -> None:
        col = self.column_combo.currentData()
        self.values.blockSignals(True)
        self.values.clear()
        self._kind = None
        if col is not None and self.doc.leads_frame is not None:
            cand = next((c for c in self.doc.outcome_candidates if c.column == col), None)
            s = self.doc.leads_frame[col]
            try:
                probe = resolve(OutcomeSpec(col), self.doc.leads_frame)
                self._kind = probe.kind  # a yes/no column or a date: nothing to tick
            except OutcomeError:
                self._kind = "values"
            if cand is not None and cand.kind == "values":
                self._kind = "values"
            if self._kind == "values":
                want = {fold(v) for v in (positive if positive is not None else (cand.suggested if cand is not None else ()))}
                vc = s.dropna().astype(str).str.strip().value_counts()
                for v, n in list(vc.items())[:60]:
                    it = QListWidgetItem(f"{v}  ({n:,} leads)")
                    it.setData(Qt.ItemDataRole.UserRole, str(v))
                    it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    it.setCheckState(Qt.CheckState.Checked if fold(v) in want else Qt.CheckState.Unchecked)
                    self.values.addItem(it)
        self.values.blockSignals(False)
        show = self._kind == "values"
        self.values.setVisible(show)
        self.values_label.setVisible(show)
        lay = self.layout()
        if lay is not None:  # without the list, the stretch keeps the rest at the top
            lay.setStretch(lay.count() - 2, 0 if show else 1)
        self._update_result()

    def checked_values(self) -> list[str]:
        out = []
        for i in range(self.values.count()):
            it = self.values.item(i)
            if it.checkState() == Qt.CheckState.Checked:
                out.append(it.data(Qt.ItemDataRole.UserRole))
        return out

    def spec(self) -> OutcomeSpec | None:
        col = self.column_combo.currentData()
        if col is None:
            return None
        if self._kind == "values":
            vals = self.checked_values()
            return OutcomeSpec(col, tuple(vals)) if vals else None
        o = self.doc.model.outcome
        date = o.date if o is not None and o.column == col else None
        if date is None and self._kind == "flag":
            # a yes/no outcome with a conversion-date column beside it (Converted + Converted Date)
            date = next((c.column for c in self.doc.outcome_candidates if c.kind == "date"
                         and c.column.lower().startswith(col.lower())), None)
        return OutcomeSpec(col, None, date)

    def _update_result(self) -> None:
        col = self.column_combo.currentData()
        if col is None:
            self.result_label.setText("No conversion will be shown (no outcome).")
            self.ok_button.setEnabled(True)
            return
        spec = self.spec()
        if spec is None:
            self.result_label.setText("<span style='color:#C0392B'>Tick at least one value that means converted.</span>")
            self.ok_button.setEnabled(False)
            return
        try:
            o = resolve(spec, self.doc.leads_frame)
        except OutcomeError as e:
            self.result_label.setText(f"<span style='color:#C0392B'>{_esc(e)}</span>")
            self.ok_button.setEnabled(False)
            return
        n = len(o.y)
        rate = 100 * o.converted / n if n else 0.0
        warn = ""
        if o.converted == 0 or o.converted == n:
            warn = " <span style='color:#C0392B'>Every lead has the same outcome: nothing to learn or backtest.</span>"
        elif rate > 60:
            warn = " <span style='color:#B9770E'>Most leads count as converted: is this the right column?</span>"
        self.result_label.setText(f"{_esc(o.summary())}." + (f" Conversion date: '{_esc(spec.date)}'." if spec.date else "") + warn)
        self.ok_button.setEnabled(True)
