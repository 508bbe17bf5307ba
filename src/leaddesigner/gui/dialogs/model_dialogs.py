"""Dialogs: editing a rule (or the whole model) as YAML, value maps, shortcuts, changelog entry.

Dialogs about the lead file (column mapping, the outcome) are in :mod:`~leaddesigner.gui.dialogs.data`.
"""
from __future__ import annotations

import datetime as _dt
import getpass
from html import escape

import yaml
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont, QFontDatabase, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.edits import commands as C
from leaddesigner.core.model import types as M
from leaddesigner.core.model.diff import change_summary
from leaddesigner.core.model.io import ModelError, YamlDumper, load_model, loads_model
from leaddesigner.gui.document import ModelDocument
from leaddesigner.gui.tables.delegates import NumberDelegate
from leaddesigner.gui.tables.rules import ValueMapTableModel

__all__ = [
    "ChangelogDialog",
    "ModelYamlDialog",
    "RuleYamlDialog",
    "SetChangelog",
    "ShortcutsDialog",
    "ValueMapDialog",
    "add_changelog_entry",
    "ask_changelog_entry",
    "model_is_saveable",
]

def _mono() -> QFont:
    f = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    return f


class _YamlDialog(QDialog):
    """A YAML editor that validates on Apply and shows the problems inline."""

    def __init__(self, title: str, text: str, help_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.edit = QPlainTextEdit(self)
        self.edit.setFont(_mono())
        self.edit.setPlainText(text)
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        info = QLabel(help_text, self)
        info.setWordWrap(True)
        info.setStyleSheet("color: #555;")
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #C0392B;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Apply")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip("Check and apply (Ctrl+Enter)")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setShortcut(QKeySequence("Ctrl+Return"))
        buttons.accepted.connect(self._on_apply)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(info)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.resize(720, 560)
        self.result_command: C.Command | None = None

    def _on_apply(self) -> None:
        try:
            cmd = self.build()
        except (ModelError, C.CommandError, ValueError, KeyError, TypeError, yaml.YAMLError) as e:
            self.error.setText(_error_text(e))
            return
        self.result_command = cmd
        self.accept()

    def build(self) -> C.Command:  # pragma: no cover - abstract
        raise TypeError(f"{type(self).__name__} must define build() (an abstract base dialog)")


def _error_text(e: Exception) -> str:
    if isinstance(e, ModelError):
        return "\n".join(
            (f"line {i.line}: " if i.line else "") + (f"{i.path}: " if i.path else "") + i.message for i in e.issues[:8]
        )
    if isinstance(e, KeyError):
        return f"missing key {e}"
    if isinstance(e, yaml.YAMLError):
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        return f"{where}not valid YAML ({getattr(e, 'problem', None) or e}). Check the indentation."
    return str(e)


class RuleYamlDialog(_YamlDialog):
    """Edit one rule as YAML: any condition (all / any / not), value maps, activity options."""

    def __init__(self, document: ModelDocument, rule_id: str, parent: QWidget | None = None):
        self.doc = document
        self.rule_id = rule_id
        rule = document.model.rule(rule_id)
        text = yaml.dump(M.rule_to_dict(rule), Dumper=YamlDumper, sort_keys=False, allow_unicode=True, width=100)
        attrs = ", ".join(a.name for a in document.model.attributes)
        super().__init__(
            f"Edit rule {rule_id}",
            text,
            "The rule as it appears in the model file. Conditions can combine tests with <b>all</b>, <b>any</b> and "
            f"<b>not</b>; behaviour rules test event fields <b>type</b> and <b>detail</b>.<br>Attributes: {escape(attrs)}",
            parent,
        )

    def build(self) -> C.Command:
        data = yaml.safe_load(self.edit.toPlainText())
        if not isinstance(data, dict):
            raise ValueError("expected a rule: id, label, dimension and one of when / map / activity")
        for k in ("id", "dimension"):
            if k not in data:
                raise ValueError(f"the rule needs '{k}'")
        rule = M.rule_from_dict(data)
        cmd = C.SetRule(self.rule_id, rule, f"Edit rule {rule.id}")
        cmd.apply(self.doc.model.copy())  # check now, so the dialog can show the problem
        return cmd


class ModelYamlDialog(_YamlDialog):
    """Edit the whole model as YAML (persona weights, activity columns, changelog ...)."""

    def __init__(self, document: ModelDocument, parent: QWidget | None = None):
        from leaddesigner.core.model.io import dumps_model

        self.doc = document
        super().__init__(
            "Edit the whole model as YAML",
            dumps_model(document.model),
            "Everything the tables do not show (persona weights, the activity log's columns, the changelog) can be "
            "edited here. Apply checks the model and reports every problem with its line.",
            parent,
        )
        self.resize(820, 700)

    def build(self) -> C.Command:
        model = loads_model(self.edit.toPlainText(), "line")
        return C.ReplaceModel(M.to_dict(model), "Edit the model as YAML")


class ValueMapDialog(QDialog):
    """Points per value (or per number band) of one map rule; every edit is live and undoable."""

    def __init__(self, document: ModelDocument, rule_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = document
        rule = document.model.rule(rule_id)
        self.setWindowTitle(f"Points per value: {rule.label}")
        self.model = ValueMapTableModel(document, rule_id, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setItemDelegate(NumberDelegate(self.table, optional=True))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        bins = rule.map.bins is not None
        info = QLabel(
            (f"Number bands of <b>{escape(rule.map.attribute)}</b>: a lead gets the points of the band its value falls in "
             "(from included, to excluded)." if bins else
             f"Values of <b>{escape(rule.map.attribute)}</b> in the model and in the loaded leads. Type points for a value; "
             "leave it empty to give it the 'other values' points.")
            + " The plots follow each change; Ctrl+Z undoes it.",
            self,
        )
        info.setWordWrap(True)
        row = QHBoxLayout()
        if bins:
            add = QPushButton("Add band", self)
            add.setToolTip("Split the last band in two")
            add.clicked.connect(self._on_add_band_clicked)
            rem = QPushButton("Remove band", self)
            rem.setToolTip("Remove the selected band")
            rem.clicked.connect(self._on_remove_band_clicked)
            row.addWidget(add)
            row.addWidget(rem)
        row.addStretch(1)
        close = QPushButton("Close", self)
        close.setDefault(True)
        close.clicked.connect(self.accept)
        row.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(info)
        lay.addWidget(self.table, 1)
        lay.addLayout(row)
        self.resize(520, 520)

    def _on_add_band_clicked(self) -> None:
        r = self.doc.model.rule(self.model.rule_id)
        bins = [(b.lower, b.upper, b.points) for b in r.map.bins]
        lo, hi, pts = bins[-1]
        if lo is None:
            return
        split = lo * 2 if lo > 0 else lo + 100
        bins[-1] = (lo, split, pts)
        bins.append((split, hi, pts))
        self.doc.push(C.SetRuleField(r.id, "map_bins", bins))

    def _on_remove_band_clicked(self) -> None:
        r = self.doc.model.rule(self.model.rule_id)
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows or len(r.map.bins) <= len(rows):
            return
        bins = [(b.lower, b.upper, b.points) for i, b in enumerate(r.map.bins) if i not in rows]
        # keep the bands contiguous: each band starts where the previous one ends
        fixed = []
        for i, (lo, hi, pts) in enumerate(bins):
            if i == 0:
                lo = None if r.map.bins[0].lower is None else lo
            else:
                lo = fixed[-1][1]
            fixed.append((lo, hi, pts))
        fixed[-1] = (fixed[-1][0], None if r.map.bins[-1].upper is None else fixed[-1][1], fixed[-1][2])
        self.doc.push(C.SetRuleField(r.id, "map_bins", fixed))


SHORTCUTS = [
    ("File", [("Ctrl+N", "New model"), ("Ctrl+O", "Open a model"), ("Ctrl+S", "Save"), ("Ctrl+Shift+S", "Save as"),
              ("Ctrl+Shift+R", "Export report for sales"), ("Ctrl+Alt+S", "Export the scores"), ("Ctrl+Q", "Quit")]),
    ("Data", [("Ctrl+L", "Load leads"), ("Ctrl+Shift+L", "Load an activity log"), ("Ctrl+M", "Map columns"),
              ("F5", "Reload the data"), ("Esc", "Cancel loading")]),
    ("Health", [("Ctrl+Shift+H", "The Health tab: the model over time")]),
    ("Workshop", [("Ctrl+Shift+W", "The Workshop tab"), ("1 / 2 / 3", "Reach out now / not yet / never (on a card)"),
                  ("Left / Right", "Previous / next card"), ("R", "Reveal the model's verdict"),
                  ("F11", "Present the card full screen (Esc ends)"), ("Alt+1 ... Alt+9", "Switch to a scenario")]),
    ("Edit", [("Ctrl+Z", "Undo"), ("Ctrl+Shift+Z / Ctrl+Y", "Redo"), ("Ctrl+H", "Edit history"),
              ("Ins / Ctrl+Shift+A", "Add a rule"), ("Shift+Ins / Ctrl+Shift+B", "Add a behaviour rule"),
              ("Ctrl+D", "Duplicate the rule"), ("Del", "Delete the rule"),
              ("Ctrl+Up / Ctrl+Down", "Move the rule up / down"), ("Ctrl+E", "Edit the rule as YAML"),
              ("Ctrl+Shift+E", "Edit the whole model as YAML"),
              ("Space", "Switch the rule on / off"), ("F2 / Enter", "Edit the cell"), ("Ctrl+F", "Filter the rules")]),
    ("Analysis", [("Ctrl+T", "Timeline"), ("Ctrl+B", "Backtest")]),
    ("View", [("Ctrl+= / Ctrl+-", "Bigger / smaller text (projector)"), ("Ctrl+0", "Normal text size"),
              ("Ctrl+1 .. Ctrl+6", "Rules, Attributes, Targets, Definitions, Leads, Problems"),
              ("Ctrl+I", "Lead inspector"), ("Ctrl+G", "Grades"), ("F1", "This list")]),
]
#: keys that are not menu entries (tab switching, keys inside the rules table), listed after the menus' own
EXTRA_SHORTCUTS = [
    ("View", [("Ctrl+1 .. Ctrl+6", "Rules, Attributes, Targets, Definitions, Leads, Problems")]),
    ("Rules table", [("F2 / Enter", "Edit the cell"), ("Space", "Switch the rule on / off")]),
]


def _keys(action) -> str:
    return " / ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty())


def _menu_text(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".").rstrip("\u2026").strip()


def shortcuts_of(window) -> list[tuple[str, list[tuple[str, str]]]]:
    """(menu title, [(keys, what)]) for every menu entry of ``window`` that has a shortcut, then the extras.

    Read from the actions themselves, so the list can never promise a key the app does not have
    (it once listed Ctrl+N for "Add a rule"; Ctrl+N is New model).
    """
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    bar = window.menuBar() if hasattr(window, "menuBar") else None
    if bar is None:
        return list(SHORTCUTS)

    def walk(menu, out: list) -> None:
        for a in menu.actions():
            if a.menu() is not None:
                walk(a.menu(), out)
            elif not a.isSeparator() and a.shortcuts():
                out.append((_keys(a), _menu_text(a.text())))

    for top in bar.actions():
        if top.menu() is None:
            continue
        items: list[tuple[str, str]] = []
        walk(top.menu(), items)
        if items:
            groups.append((_menu_text(top.text()), items))
    names = [g for g, _ in groups]
    for group, items in EXTRA_SHORTCUTS:
        if group in names:
            target = groups[names.index(group)][1]
            target += [it for it in items if it[0] not in {k for k, _ in target}]
        else:
            groups.append((group, list(items)))
            names.append(group)
    return groups


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: built from the window's menus (see :func:`shortcuts_of`)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.groups = shortcuts_of(parent) if parent is not None and hasattr(parent, "menuBar") else list(SHORTCUTS)
        html = []
        for group, items in self.groups:
            html.append(f"<h3>{escape(group)}</h3><table cellspacing=4>")
            html += [f"<tr><td><b>{escape(k)}</b></td><td>&nbsp;&nbsp;{escape(v)}</td></tr>" for k, v in items]
            html.append("</table>")
        lab = self.label = QLabel("".join(html), self)
        lab.setTextFormat(Qt.TextFormat.RichText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        scroll = QScrollArea(self)
        scroll.setWidget(lab)
        scroll.setWidgetResizable(True)
        lay.addWidget(scroll)
        lay.addWidget(buttons)
        self.resize(560, 680)

    def keys(self) -> dict[str, str]:
        """What each listed key combination does (tests)."""
        return {k: v for _, items in self.groups for k, v in items}


# ---------------------------------------------------------------- changelog entry on save
# the edit itself is pure: core.commands.SetChangelog / add_changelog_entry
SetChangelog = C.SetChangelog
add_changelog_entry = C.add_changelog_entry


def model_is_saveable(model: M.ScoringModel) -> bool:
    """True when ``save_model`` would accept the model (no point asking for a changelog entry otherwise)."""
    from leaddesigner.core.model.io import validate_dict

    try:
        validate_dict(M.to_dict(model))
    except ModelError:
        return False
    return True


def default_author(settings_enabled: bool = True) -> str:
    """QSettings ``author`` (the name given last time), else the operating-system user."""
    if settings_enabled:
        v = QSettings().value("author", "", type=str)
        if v:
            return str(v)
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name in the environment or password database
        return ""


def last_saved_model(document: ModelDocument) -> M.ScoringModel | None:
    """The model as last saved: the document's file on disk (None for a new, never saved model)."""
    path = document.path
    if path is None or not path.exists():
        return None
    try:
        return load_model(path)
    except (ModelError, OSError):
        return None


class ChangelogDialog(QDialog):
    """Asked on Save when the model has unsaved changes: an optional changelog entry.

    The note is prefilled with a summary of what changed since the last save;
    the user says why. ``exec()`` returns ``Accepted`` (add the entry and save),
    :attr:`SKIP` (save without an entry) or ``Rejected`` (do not save).
    """

    SKIP = 2

    def __init__(self, summary: str, changes: list[str], author: str, date: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Save: add a changelog entry?")
        self.setObjectName("ChangelogDialog")
        intro = QLabel(
            "Say what changed and why. The entry is saved in the model file, so whoever reviews the model "
            "next (or runs <i>leaddesigner diff</i>) knows the reason. It is optional: <b>Save without entry</b> skips it.",
            self,
        )
        intro.setWordWrap(True)
        self.date_edit = QLineEdit(date or _dt.date.today().isoformat(), self)
        self.date_edit.setPlaceholderText("YYYY-MM-DD")
        self.date_edit.setMaximumWidth(140)
        self.author_edit = QLineEdit(author, self)
        self.author_edit.setPlaceholderText("your name")
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setPlaceholderText("What changed, and why (the reason matters most: 'Q3 review: too many MQLs for 3 SDRs')")
        self.note_edit.setPlainText(summary)
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the text wraps
        form = QGridLayout()
        form.addWidget(QLabel("Date", self), 0, 0)
        form.addWidget(self.date_edit, 0, 1, Qt.AlignmentFlag.AlignLeft)
        form.addWidget(QLabel("Author", self), 1, 0)
        form.addWidget(self.author_edit, 1, 1)
        label = QLabel("What changed and why", self)
        form.addWidget(label, 2, 0, Qt.AlignmentFlag.AlignTop)
        form.addWidget(self.note_edit, 2, 1)
        form.setColumnStretch(1, 1)
        self.changes_label = QLabel(self)
        self.changes_label.setWordWrap(True)
        self.changes_label.setStyleSheet("color: #555;")
        self.changes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if changes:
            shown = changes[:8]
            more = f"<br>... and {len(changes) - len(shown)} more" if len(changes) > len(shown) else ""
            self.changes_label.setText(
                f"<b>Changes since the last save ({len(changes)}):</b><br>" + "<br>".join(escape(c) for c in shown) + more
            )
        else:
            self.changes_label.hide()
        self.error = QLabel("", self)
        self.error.setStyleSheet("color: #C0392B;")
        buttons = QDialogButtonBox(self)
        self.ok_button = buttons.addButton("Add entry and save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip_button = buttons.addButton("Save without entry", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setDefault(True)
        self.ok_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.ok_button.setToolTip("Add the entry to the model's changelog and save (Ctrl+Enter)")
        self.skip_button.setToolTip("Save the model without a changelog entry")
        self.ok_button.clicked.connect(self._on_ok_clicked)
        self.skip_button.clicked.connect(self._on_skip_clicked)
        self.cancel_button.clicked.connect(self.reject)
        for w in (self.date_edit, self.author_edit):
            w.textChanged.connect(self._on_field_changed)
        self.note_edit.textChanged.connect(self._on_field_changed)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form, 1)
        lay.addWidget(self.changes_label)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.resize(620, 420)
        self.note_edit.setFocus()
        self.note_edit.selectAll()  # typing replaces the summary; arrows keep it
        self._on_field_changed()

    def problem(self) -> str:
        """Why the entry cannot be added yet ("" when it can)."""
        if not M.is_iso_day(self.date_edit.text().strip()):
            return "The date must look like 2026-11-22."
        if not self.author_edit.text().strip():
            return "Name the author."
        if not self.note_edit.toPlainText().strip():
            return "Say what changed and why (or save without an entry)."
        return ""

    def _on_field_changed(self, *_args: object) -> None:
        msg = self.problem()
        self.ok_button.setEnabled(not msg)
        self.error.setText(msg if self.date_edit.text().strip() and self.author_edit.text().strip() else "")

    def _on_ok_clicked(self) -> None:
        if not self.problem():
            self.accept()

    def _on_skip_clicked(self) -> None:
        self.done(self.SKIP)

    def entry(self) -> M.ChangelogEntry | None:
        """The entry as filled in, or None while it is incomplete."""
        if self.problem():
            return None
        return M.ChangelogEntry(
            self.date_edit.text().strip(), self.author_edit.text().strip(), self.note_edit.toPlainText().strip()
        )


def ask_changelog_entry(parent: QWidget, document: ModelDocument, *, settings_enabled: bool = True
                        ) -> tuple[str, M.ChangelogEntry | None]:
    """Show :class:`ChangelogDialog` for the document; returns ``("add", entry)``, ``("skip", None)`` or ``("cancel", None)``.

    The author the user gives is remembered in QSettings ``author`` (when settings are enabled).
    """
    summary, changes = change_summary(last_saved_model(document), document.model)
    dlg = ChangelogDialog(summary, changes, default_author(settings_enabled), parent=parent)
    code = dlg.exec()
    if code == ChangelogDialog.SKIP:
        return "skip", None
    if code != QDialog.DialogCode.Accepted and code != int(QDialog.DialogCode.Accepted):
        return "cancel", None
    entry = dlg.entry()
    if entry is None:  # cannot happen through the buttons; be safe
        return "skip", None
    if settings_enabled:
        QSettings().setValue("author", entry.author)
    return "add", entry
