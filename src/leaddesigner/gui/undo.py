"""One generic ``QUndoCommand`` over the core's edit commands.

Core commands return their inverse when applied, so undo and redo are just
"apply what you have, keep what you get back". Consecutive commands with the
same ``merge_key`` (spin-box steps, a dragged threshold) that arrive within
:data:`MERGE_WINDOW` seconds of each other become one undo step.
"""
from __future__ import annotations

import time
import traceback
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from leaddesigner.core.edits.commands import Command, CommandError

if TYPE_CHECKING:  # pragma: no cover
    from .document import ModelDocument

__all__ = ["CoreUndoCommand", "MERGE_WINDOW"]

#: seconds between two edits of the same field that still merge into one step
MERGE_WINDOW = 2.0
_MERGE_ID = 0x1EAD


class CoreUndoCommand(QUndoCommand):
    """Wraps a core command whose forward edit has already been applied.

    ``command`` is what redo applies; ``inverse`` is what undo applies. Each
    application returns the command for the opposite direction.
    """

    def __init__(self, document: "ModelDocument", command: Command, inverse: Command, mergeable: bool = True):
        super().__init__(command.text)
        self._mergeable = mergeable
        self._doc = document
        self._forward = command
        self._inverse = inverse
        self._applied = True  # QUndoStack.push calls redo() at once: skip it
        self._stamp = time.monotonic()

    @property
    def command(self) -> Command:
        return self._forward

    def redo(self) -> None:
        if self._applied:
            return
        self._inverse = self._run(self._forward) or self._inverse
        self._applied = True

    def undo(self) -> None:
        self._forward = self._run(self._inverse) or self._forward
        self._applied = False

    def _run(self, cmd: Command) -> Command | None:
        try:
            return self._doc.apply(cmd)
        except CommandError as e:
            self._doc.error.emit(f"Could not {'redo' if not self._applied else 'undo'} '{self.text()}': {e}")
        except Exception as e:  # never let an exception escape into Qt's event loop from the stack
            traceback.print_exc()
            self._doc.error.emit(f"Could not undo/redo '{self.text()}' ({type(e).__name__}: {e}).")
        return None

    def id(self) -> int:  # noqa: A003 (Qt API)
        return _MERGE_ID if self._mergeable and self._forward.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt API)
        if not isinstance(other, CoreUndoCommand) or not self._applied or not other._mergeable:
            return False
        if other._forward.merge_key != self._forward.merge_key:
            return False
        if other._stamp - self._stamp > MERGE_WINDOW:
            return False
        # keep our inverse (back to before the first step), take the latest forward edit
        self._forward = other._forward
        self._stamp = other._stamp
        self.setText(other.text())
        return True
