"""Autosave to a recovery file, and find what a crashed session left behind.

Each running window writes ``recovery-<pid>-<token>.yaml`` (the model,
atomically) plus a ``.json`` beside it (where it came from, as absolute
paths, and when) into the recovery folder while it has unsaved changes, and
deletes both when the changes are saved or discarded. The random token makes
every window's files its own: a later process that happens to get a crashed
one's process id never touches them. At start-up, the files of every window
whose process is no longer running are offered for recovery, newest first.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from leaddesigner.core.model.io import atomic_write_text

__all__ = ["RecoveryFile", "RecoveryStore", "default_folder"]


def default_folder() -> Path:
    """``recovery/folder`` from QSettings, else the app-data folder's ``recovery`` subfolder."""
    custom = QSettings().value("recovery/folder", "", type=str)
    if custom:
        return Path(custom)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".leaddesigner") / "recovery"


@dataclass
class RecoveryFile:
    model_path: Path
    meta: dict

    @property
    def saved_at(self) -> float:
        return float(self.meta.get("saved_at", self.model_path.stat().st_mtime if self.model_path.exists() else 0))

    @property
    def original(self) -> str | None:
        return self.meta.get("path")

    @property
    def name(self) -> str:
        return self.meta.get("name") or "Untitled model"

    def text(self) -> str:
        return self.model_path.read_text(encoding="utf-8")

    def remove(self) -> None:
        for p in (self.model_path, self.model_path.with_suffix(".json")):
            try:
                p.unlink()
            except FileNotFoundError:
                pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False  # cannot tell cheaply: offer the file; the user decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class RecoveryStore:
    """The recovery files of one window (``pid`` identifies the session)."""

    def __init__(self, folder: Path | None = None, pid: int | None = None, token: str | None = None):
        self.folder = Path(folder) if folder is not None else default_folder()
        self.pid = os.getpid() if pid is None else pid
        self.token = token or os.urandom(4).hex()

    @property
    def model_path(self) -> Path:
        return self.folder / f"recovery-{self.pid}-{self.token}.yaml"

    def save(self, model_text: str, *, path: str | None, name: str, leads: str | None = None,
             activities: str | None = None) -> Path:
        def absolute(p: str | None) -> str | None:
            return None if p is None else str(Path(p).expanduser().resolve())

        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.model_path, model_text)
        meta = {"path": absolute(path), "name": name, "leads": absolute(leads), "activities": absolute(activities),
                "saved_at": time.time(), "pid": self.pid}
        atomic_write_text(self.model_path.with_suffix(".json"), json.dumps(meta, indent=1))
        return self.model_path

    def clear(self) -> None:
        RecoveryFile(self.model_path, {}).remove()

    def orphans(self) -> list[RecoveryFile]:
        """Recovery files left by sessions that are not running any more, newest first."""
        if not self.folder.is_dir():
            return []
        out = []
        for p in self.folder.glob("recovery-*.yaml"):
            if p == self.model_path:
                continue  # this window's own
            try:
                pid = int(p.stem.split("-")[1])
            except (IndexError, ValueError):
                pid = -1
            if pid >= 0 and pid != os.getpid() and _alive(pid):
                continue  # another window that is still open
            meta = {}
            mp = p.with_suffix(".json")
            if mp.exists():
                try:
                    meta = json.loads(mp.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    meta = {}
            out.append(RecoveryFile(p, meta))
        out.sort(key=lambda r: r.saved_at, reverse=True)
        return out
