"""Model files: new, from a lead file, open, save (with the changelog), recent files, autosave and recovery.

A part of :class:`~leaddesigner.gui.window.main_window.MainWindow` (a mixin: its methods use the
window's widgets and document as ``self``), kept apart so each part reads in one sitting.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QSettings,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
)

from leaddesigner.core.model.io import (
    ModelError,
    dumps_model,
    load_model,
    loads_model,
    save_model,
)
from leaddesigner.core.model.types import ScoringModel
from leaddesigner.gui.window.common import (
    MAX_RECENT,
    MODEL_FILTER,
    model_file_name,
)

__all__ = ["FilesMixin"]


class FilesMixin:
    """Model files: new, from a lead file, open, save (with the changelog), recent files, autosave and recovery."""

    def new_model(self) -> None:
        """File > New model: from the loaded file's columns (detected types, formats, id, creation date), no rules."""
        if not self.maybe_save():
            return
        self._install_new_model(self.model_from_data())
        self.status("New model from the lead file's columns: add rules from the Profile tab or with Add rule (Ins)"
                    if self.doc.leads_frame is not None else "New model: add rules on the Rules tab (Ins)")

    def model_from_data(self) -> ScoringModel:
        """A model for the loaded file (nothing of the open model is carried over), or an empty one."""
        from leaddesigner.core.data.starter import model_from_file

        d = self.doc
        if d.leads_frame is None or d.loaded is None:
            return ScoringModel(name="Untitled model")
        from leaddesigner.core.data.detect import detect

        t = d.leads_table
        det = detect(t.frame, delimiter=t.info.delimiter if t.info else None, source=t.name)  # the file's own view
        acts = [str(c) for c in d.activities_frame.columns] if d.activities_frame is not None else None
        return model_from_file(det, name=f"Model for {t.name}", activity_log_columns=acts)

    def _install_new_model(self, m: ScoringModel) -> None:
        self.doc.set_model(m, None)
        self._forced_dirty = True  # a model made from a file is worth saving
        self._clear_recovery()
        self._update_title()

    def start_from_file(self, leads: Path, activities: Path | None = None) -> None:
        """Open a lead file with no model: once it is read, a new model is made from its columns."""
        self._new_model_after_load = True
        self.load_data(leads, activities)

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open model", self._last_folder(), MODEL_FILTER)
        if path:
            self.open_model(Path(path), ask=False)

    def open_model(self, path: Path, ask: bool = True) -> bool:
        """Open a model file; problems are shown with their lines. Returns True when opened."""
        if ask and not self.maybe_save():
            return False
        path = Path(path)
        try:
            m = load_model(path)
        except ModelError as e:
            lines = [(f"line {i.line}: " if i.line else "") + (f"{i.path}: " if i.path else "") + i.message for i in e.issues[:12]]
            more = f"\n... and {len(e.issues) - 12} more" if len(e.issues) > 12 else ""
            self.error_dialog(f"Cannot open {path.name}",
                              f"{path.name} has {len(e.issues)} problem{'s' if len(e.issues) != 1 else ''}. "
                              "Fix them in a text editor (the lines are given) and open it again.",
                              "\n".join(lines) + more)
            return False
        except OSError as e:
            self.error_dialog(f"Cannot open {path.name}", f"Cannot read {path}: {e.strerror or e}. Check the file exists and you may read it.")
            return False
        self.doc.set_model(m, path)
        self._forced_dirty = False
        self._clear_recovery()
        self._add_recent(path)
        self._remember_folder(path)
        self._update_title()
        if m.load_notes:  # e.g. no lead can reach the MQL threshold, a 'false' read as text
            self.status(f"Opened {path.name}: " + " ".join(n.split(": ", 2)[-1] for n in m.load_notes), 20000)
        else:
            self.status(f"Opened {path.name}: {len(m.rules)} rules")
        return True

    def save(self) -> bool:
        if self.doc.path is None or self.doc.path.suffix.lower() not in (".yaml", ".yml", ".json"):
            return self.save_as()
        return self._save_to(self.doc.path)

    def save_as(self) -> bool:
        start = str(self.doc.path) if self.doc.path else str(Path(self._last_folder()) / model_file_name(self.doc.model.name))
        path, _ = QFileDialog.getSaveFileName(self, "Save model as", start, MODEL_FILTER)
        if not path:
            return False
        p = Path(path)
        if p.suffix.lower() not in (".yaml", ".yml", ".json"):
            p = p.with_suffix(".yaml")
        return self._save_to(p)

    def _save_to(self, path: Path) -> bool:
        self.doc.flush()
        entry_added = False
        if self.interactive and self.is_modified():
            # an optional changelog entry, added as an undoable edit: undoing it after the save
            # marks the model modified again, as it then differs from the file. Not asked when
            # the model cannot be saved anyway (save_model below lists its problems).
            from leaddesigner.gui.dialogs.model_dialogs import (
                add_changelog_entry,
                ask_changelog_entry,
                model_is_saveable,
            )

            if model_is_saveable(self.doc.model):
                choice, entry = ask_changelog_entry(self, self.doc, settings_enabled=self.settings_enabled)
                if choice == "cancel":
                    self.status("Not saved")
                    return False
                if entry is not None:
                    entry_added = self.doc.push(add_changelog_entry(self.doc.model, entry), mergeable=False)
        try:
            save_model(self.doc.model, path)
        except ModelError as e:
            if entry_added:  # the entry belongs to a save that did not happen
                self.doc.undo_stack.undo()
            lines = [(f"{i.path}: " if i.path else "") + i.message for i in e.issues[:12]]
            self.error_dialog("The model cannot be saved yet",
                              f"The model has {len(e.issues)} problem{'s' if len(e.issues) != 1 else ''} that the production "
                              "system would reject. Fix them (or undo the edit that caused them) and save again.",
                              "\n".join(lines))
            return False
        except OSError as e:
            if entry_added:
                self.doc.undo_stack.undo()
            self.error_dialog("Cannot save", f"Cannot write {path}: {e.strerror or e}. Choose another folder with Save as (Ctrl+Shift+S).")
            return False
        self.doc.set_path(path)
        self.doc.undo_stack.setClean()
        self._forced_dirty = False
        self._clear_recovery()
        self._add_recent(path)
        self._remember_folder(path)
        self._update_title()
        self.status(f"Saved {path}" + (" with a changelog entry" if entry_added else ""))
        return True

    def maybe_save(self) -> bool:
        """Ask to save unsaved changes. False means: stop (the user cancelled or saving failed)."""
        if not self.is_modified():
            return True
        ans = QMessageBox.question(
            self, "Save changes?",
            f"The model \u201c{self.doc.model.name}\u201d has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if ans == QMessageBox.StandardButton.Save:
            return self.save()
        if ans == QMessageBox.StandardButton.Discard:
            self._clear_recovery()
            return True
        return False

    def recent_files(self) -> list[str]:
        if not self.settings_enabled:
            return getattr(self, "_recent", [])
        v = QSettings().value("files/recent", [])
        if isinstance(v, str):
            v = [v]
        return [str(x) for x in (v or [])]

    def _add_recent(self, path: Path) -> None:
        p = str(Path(path).resolve())
        items = [x for x in self.recent_files() if x != p]
        items.insert(0, p)
        items = items[:MAX_RECENT]
        if self.settings_enabled:
            QSettings().setValue("files/recent", items)
        else:
            self._recent = items
        self._rebuild_recent_menu()

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        items = self.recent_files()
        for i, p in enumerate(items):
            a = self.recent_menu.addAction(f"&{i + 1}  {Path(p).name}")
            a.setToolTip(p)
            a.triggered.connect(lambda _c=False, p=p: self.open_model(Path(p)))
        if not items:
            a = self.recent_menu.addAction("No recent models")
            a.setEnabled(False)

    def _on_undo_stack_index_changed_autosave(self, _i: int) -> None:
        self._autosave_soon.start()  # restarts: one write after the burst

    def autosave(self) -> None:
        if self.recovery is None or not self.is_modified():
            return
        try:
            self.recovery.save(
                dumps_model(self.doc.model),
                path=str(self.doc.path) if self.doc.path else None,
                name=self.doc.model.name,
                leads=str(self.doc.leads_path) if self.doc.leads_path else None,
                activities=str(self.doc.activities_path) if self.doc.activities_path else None,
            )
        except OSError as e:
            self.show_error(f"Autosave failed ({e.strerror or e}); save your work with Ctrl+S.")

    def _clear_recovery(self) -> None:
        if self.recovery is not None:
            try:
                self.recovery.clear()
            except OSError:
                pass

    def check_recovery(self) -> bool:
        """Offer the newest recovery file a crashed session left. Returns True if one was recovered."""
        if self.recovery is None:
            return False
        try:
            orphans = self.recovery.orphans()
        except OSError:
            return False
        if not orphans:
            return False
        import datetime as _dt

        recovered = False
        for k, rec in enumerate(orphans):  # every crashed window's work, newest first
            if recovered:
                break
            when = _dt.datetime.fromtimestamp(rec.saved_at).strftime("%d %b %Y at %H:%M:%S")
            where = f" ({rec.original})" if rec.original else ""
            more = (f"\n\n{len(orphans) - k - 1} more crashed window(s) left changes too: you are asked about each, "
                    "now (after No) or the next time LeadDesigner starts.") if k + 1 < len(orphans) else ""
            ans = QMessageBox.question(
                self, "Recover unsaved changes?",
                f"LeadDesigner closed unexpectedly with unsaved changes to \u201c{rec.name}\u201d{where}. "
                f"They were saved for recovery on {when}; changes made in the last second before that moment may be missing.\n\n"
                "Recover them? (No deletes the recovered copy.)" + more,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Yes,
            )
            if ans != QMessageBox.StandardButton.Yes:
                rec.remove()
                continue
            recovered = self._recover(rec)
        return recovered

    def _recover(self, rec) -> bool:
        """Open a recovered model (and its lead files) in this window; its recovery file becomes ours."""
        try:
            m = loads_model(rec.text(), str(rec.model_path))
        except (ModelError, OSError) as e:
            self.error_dialog("Cannot recover", f"The recovered copy cannot be read ({e}). It is kept at {rec.model_path}.")
            return False
        original = Path(rec.original) if rec.original else None
        self.doc.set_model(m, original)
        self._forced_dirty = True
        self._update_title()
        self.autosave()  # our own recovery file now holds it
        self.status(f"Recovered unsaved changes to {rec.name}; save them with Ctrl+S")
        leads = rec.meta.get("leads")
        if leads and not self.doc.has_data and Path(leads).exists():
            acts = rec.meta.get("activities")
            self.load_data(Path(leads), Path(acts) if acts and Path(acts).exists() else None)
        rec.remove()
        return True
