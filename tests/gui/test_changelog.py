"""The changelog entry asked for on Save: prefilled, optional (Skip), Cancel aborts, undoable; never in tests/screenshots."""
from __future__ import annotations

import datetime as dt
import getpass
import os
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QFileDialog

from leaddesigner.core.edits import commands as C
from leaddesigner.core.model.diff import change_summary
from leaddesigner.core.model.io import load_model
from leaddesigner.core.model.types import ChangelogEntry, to_dict
from leaddesigner.gui.dialogs.model_dialogs import (
    ChangelogDialog,
    SetChangelog,
    add_changelog_entry,
    default_author,
)

SHOTS = Path(os.environ.get("LEADDESIGNER_SHOTS", "")) if os.environ.get("LEADDESIGNER_SHOTS") else None


def answer(monkeypatch, code, note: str | None = None, author: str | None = None, seen: list | None = None):
    """Make ChangelogDialog.exec return ``code`` after (optionally) filling the fields."""

    def fake_exec(self):
        if seen is not None:
            seen.append({"note": self.note_edit.toPlainText(), "author": self.author_edit.text(),
                         "date": self.date_edit.text(), "changes": self.changes_label.text()})
        if note is not None:
            self.note_edit.setPlainText(note)
        if author is not None:
            self.author_edit.setText(author)
        return code

    monkeypatch.setattr(ChangelogDialog, "exec", fake_exec)


def save_copy(window, tmp_path) -> Path:
    """Save the open model to a file of our own (no dialog: nothing changed yet) and return it."""
    out = tmp_path / "model.yaml"
    assert window._save_to(out)
    return out


def test_no_dialog_when_not_interactive(window, tmp_path, monkeypatch):
    def boom(self):
        raise AssertionError("a dialog opened in a non-interactive window")

    monkeypatch.setattr(ChangelogDialog, "exec", boom)
    w = window
    out = save_copy(w, tmp_path)
    w.doc.push(C.SetThreshold("mql", w.doc.model.thresholds.mql + 1))
    assert w.is_modified()
    assert w.save()
    assert load_model(out).changelog == [] and not w.is_modified()


def test_ok_adds_a_prefilled_entry_and_saves(window, tmp_path, monkeypatch):
    w = window
    w.interactive = True
    out = save_copy(w, tmp_path)  # unmodified: no dialog
    mql = w.doc.model.thresholds.mql
    w.doc.push(C.SetThreshold("mql", mql + 5))
    QSettings().setValue("author", "Ann Example")
    seen: list = []
    answer(monkeypatch, QDialog.DialogCode.Accepted, note="MQL bar up: too many MQLs for the SDRs", seen=seen)
    assert w.save()
    assert seen[0]["note"] == f"MQL threshold {mql:g} -> {mql + 5:g}."  # the summary of the diff since the last save
    assert seen[0]["author"] == "Ann Example"
    assert seen[0]["date"] == dt.date.today().isoformat()
    assert "Changes since the last save (1)" in seen[0]["changes"]
    saved = load_model(out)
    assert saved.changelog[-1] == ChangelogEntry(dt.date.today().isoformat(), "Ann Example", "MQL bar up: too many MQLs for the SDRs")
    assert to_dict(saved) == to_dict(w.doc.model)
    assert not w.is_modified()
    assert "changelog entry" in w.statusBar().currentMessage()
    # the entry is an undo step of its own: undoing it makes the model differ from the file again
    w.doc.undo_stack.undo()
    assert w.doc.model.changelog == [] and w.is_modified()
    w.doc.undo_stack.redo()
    assert len(w.doc.model.changelog) == 1 and not w.is_modified()


def test_skip_saves_without_an_entry(window, tmp_path, monkeypatch):
    w = window
    w.interactive = True
    out = save_copy(w, tmp_path)
    w.doc.push(C.SetCapacity("sdrs", w.doc.model.capacity.sdrs + 1))
    answer(monkeypatch, ChangelogDialog.SKIP)
    assert w.save()
    saved = load_model(out)
    assert saved.changelog == [] and saved.capacity.sdrs == w.doc.model.capacity.sdrs
    assert not w.is_modified()


def test_cancel_aborts_the_save(window, tmp_path, monkeypatch):
    w = window
    w.interactive = True
    target = tmp_path / "new name.yaml"
    w.doc.push(C.SetThreshold("mql", w.doc.model.thresholds.mql + 2))
    answer(monkeypatch, QDialog.DialogCode.Rejected)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    assert not w.save_as()
    assert not target.exists() and w.is_modified() and w.doc.model.changelog == []
    assert w.statusBar().currentMessage() == "Not saved"


def test_save_as_compares_with_the_file_it_came_from(window, tmp_path, monkeypatch):
    w = window
    w.interactive = True
    rid = w.doc.model.rules[0].id
    w.doc.push(C.SetRuleField(rid, "label", "Renamed for the test"))
    seen: list = []
    answer(monkeypatch, QDialog.DialogCode.Accepted, seen=seen, author="Bo")
    target = tmp_path / "copy.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    assert w.save_as()
    assert seen[0]["note"].startswith(f"Rule {rid} (Renamed for the test): renamed from ")
    assert load_model(target).changelog[-1].author == "Bo"
    assert QSettings().value("author") == "Bo"  # remembered for next time


def test_an_invalid_model_is_not_asked_about(window, tmp_path, monkeypatch):
    def boom(self):
        raise AssertionError("asked for a changelog entry for a model that cannot be saved")

    monkeypatch.setattr(ChangelogDialog, "exec", boom)
    w = window
    w.interactive = True
    out = save_copy(w, tmp_path)
    before = out.read_text()
    w.doc.push(C.SetThreshold("sql", w.doc.model.thresholds.mql - 5))
    assert not w.save()
    assert out.read_text() == before and w.doc.model.changelog == []


def test_a_failed_write_takes_the_entry_back(window, tmp_path, monkeypatch):
    w = window
    w.interactive = True
    save_copy(w, tmp_path)
    w.doc.push(C.SetThreshold("mql", w.doc.model.thresholds.mql + 1))
    answer(monkeypatch, QDialog.DialogCode.Accepted, note="why")
    import leaddesigner.gui.window.files as files  # the window's saving (File > Save)

    def fail(model, path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files, "save_model", fail)
    assert not w.save()
    assert w.doc.model.changelog == [] and w.is_modified()


# ------------------------------------------------------------------ the dialog itself
def test_dialog_fields_buttons_and_picture(qtbot, tmp_path, model_path):
    old = load_model(model_path)
    new = old.copy()
    new.thresholds.mql += 5
    new.rules[0].label = "Company size (employees)"
    new.capacity.sdrs += 1
    summary, changes = change_summary(old, new)
    assert len(changes) == 3 and summary.count(";") == 2
    dlg = ChangelogDialog(summary, changes, "Ann Example", date="2026-11-22")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.ok_button.isEnabled() and dlg.ok_button.isDefault()
    assert dlg.entry() == ChangelogEntry("2026-11-22", "Ann Example", summary)
    dlg.note_edit.setPlainText("   ")
    assert not dlg.ok_button.isEnabled() and dlg.entry() is None and "what changed" in dlg.problem()
    dlg.note_edit.setPlainText(summary + " Q4 review: SDRs were overloaded.")
    dlg.date_edit.setText("22/11/2026")
    assert not dlg.ok_button.isEnabled() and "2026-11-22" in dlg.error.text()
    dlg.date_edit.setText("2026-11-22")
    assert dlg.ok_button.isEnabled() and dlg.error.text() == ""
    shot = (SHOTS or tmp_path) / "changelog_dialog.png"
    assert dlg.grab().save(str(shot))
    assert shot.stat().st_size > 5000
    dlg.skip_button.click()
    assert dlg.result() == ChangelogDialog.SKIP


def test_new_model_summary_and_default_author(qapp):
    from leaddesigner.core.model.types import Rule, ScoringModel

    m = ScoringModel(name="Fresh", rules=[Rule("a", "A", "fit", 1.0)])
    assert change_summary(None, m) == ("New model 'Fresh' with 1 rule.", [])
    QSettings().remove("author")
    assert default_author() == getpass.getuser()
    QSettings().setValue("author", "Cy")
    assert default_author() == "Cy" and default_author(settings_enabled=False) == getpass.getuser()


def test_set_changelog_command_round_trip():
    from leaddesigner.core.model.types import ScoringModel

    m = ScoringModel()
    e = ChangelogEntry("2026-11-22", "Ann", "first")
    inv = add_changelog_entry(m, e).apply(m)
    assert m.changelog == [e] and isinstance(inv, SetChangelog)
    assert not C.needs_rebind(add_changelog_entry(m, e))  # a note: no re-binding, no re-scoring
    inv.apply(m)
    assert m.changelog == []
