"""What every edit command shares: the Command and Compound base classes, CommandError, checks of ids
and numbers, and the snapshot command that restores a whole model.
"""
from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from leaddesigner.core.edits.changes import Change
from leaddesigner.core.model.types import (
    ScoringModel,
)

__all__ = [
    "CommandError",
    "value_text",
    "number_arg",
    "optional_number",
    "optional_text",
    "checked_id",
    "M_did_you_mean",
    "is_whole",
    "issue_text",
    "needs_rebind",
    "rule_row",
    "Command",
    "Compound",
    "restore_model",
    "RestoreModel",
]


_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


class CommandError(ValueError):
    """An edit that cannot be made; the message says why and what to do instead."""


# ---------------------------------------------------------------- helpers
def value_text(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer():
            return str(int(v))
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        shown = ", ".join(value_text(x) for x in list(v)[:4])
        return f"[{shown}{', ...' if len(v) > 4 else ''}]"
    if isinstance(v, dict):
        return f"{len(v)} values"
    s = str(v)
    return s if len(s) <= 40 else s[:37] + "..."


def number_arg(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise CommandError(f"{what} must be a number, not {value}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise CommandError(f"{what} must be a number; '{value}' is not one") from None
    if not math.isfinite(x):
        raise CommandError(f"{what} must be a finite number")
    return x


def optional_number(value: Any, what: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return number_arg(value, what)


def optional_text(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def checked_id(value: Any, what: str) -> str:
    s = str(value).strip() if value is not None else ""
    if not _ID_RE.match(s) or len(s) > 80:
        raise CommandError(
            f"{what} '{s}' is not valid: use letters, digits, '_', '.' or '-', starting with a letter or '_' (e.g. pricing_views)"
        )
    return s


def M_did_you_mean(word: str, choices: list[str]) -> str:
    from leaddesigner.core.model.io import did_you_mean

    return did_you_mean(word, choices)


def is_whole(x: float) -> float | int:
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else x


def issue_text(err: Exception) -> str:
    """First issue of a ModelError without the file/path prefix."""
    issues = getattr(err, "issues", None)
    if not issues:
        return str(err)
    return "; ".join(i.message for i in issues[:3])


def needs_rebind(cmd: "Command") -> bool:
    """True when lead data must be bound again after ``cmd`` (attribute types, columns, ids)."""
    if isinstance(cmd, Compound):
        return any(needs_rebind(c) for c in cmd.commands)
    if cmd.scope in ("attributes", "columns", "model"):
        return True
    if cmd.scope == "meta" and getattr(cmd, "field", None) in ("lead_id", "created_at"):
        return True
    return False


#: parts of the model that no lead's score reads (the account roll-up reads them after scoring)
UNSCORED_SCOPES = ("accounts",)


def needs_rescore(cmd: "Command") -> bool:
    """False when ``cmd`` changes only what no lead's score reads: no lead needs scoring again."""
    if isinstance(cmd, Compound):
        return any(needs_rescore(c) for c in cmd.commands)
    return cmd.scope not in UNSCORED_SCOPES


def rule_row(model: ScoringModel, rule_id: str) -> int:
    try:
        return model.rule_index(rule_id)
    except KeyError:
        return -1


# ---------------------------------------------------------------- base
@dataclass
class Command:
    """Base class. Subclasses implement :meth:`_apply`."""

    scope: ClassVar[str] = "model"

    def apply(self, model: ScoringModel) -> "Command":
        """Mutate ``model`` and return the inverse command."""
        return self._apply(model)

    def change(self, model: ScoringModel) -> Change:
        """What applying this to ``model`` will do, for views (read before applying; changes nothing)."""
        return Change("changed", self.scope)

    def _apply(self, model: ScoringModel) -> "Command":  # pragma: no cover - abstract
        raise TypeError(f"{type(self).__name__} must define _apply (Command is an abstract base)")

    @property
    def text(self) -> str:
        return type(self).__name__

    @property
    def merge_key(self) -> Any:
        return None


@dataclass
class Compound(Command):
    """Several commands as one undo step (applied in order, undone in reverse)."""

    commands: list[Command]
    label: str = "Edit"
    scope: ClassVar[str] = "model"

    def _apply(self, model: ScoringModel) -> Command:
        done: list[Command] = []
        try:
            for c in self.commands:
                done.append(c.apply(model))
        except Exception:
            for inv in reversed(done):
                inv.apply(model)
            raise
        return Compound(list(reversed(done)), self.label)

    @property
    def text(self) -> str:
        return self.label


def restore_model(model: ScoringModel, snapshot: ScoringModel) -> None:
    """Make ``model`` equal to ``snapshot`` in place (the same object stays referenced)."""
    for k, v in vars(copy.deepcopy(snapshot)).items():
        setattr(model, k, v)


@dataclass
class RestoreModel(Command):
    """Restore a snapshot in place; its inverse is a snapshot of the state it replaced."""

    snapshot: ScoringModel
    label: str
    scope_name: str = "model"

    @property
    def scope(self) -> str:  # type: ignore[override]
        return self.scope_name

    @property
    def text(self) -> str:
        return self.label

    def change(self, model: ScoringModel) -> Change:
        return Change("reset", self.scope_name)

    def _apply(self, model: ScoringModel) -> Command:
        before = copy.deepcopy(model)
        restore_model(model, self.snapshot)
        return RestoreModel(before, self.label, self.scope_name)
