"""Change events: what an edit is about to do to the model, announced before and after.

Views of the model's lists (the rules table, the attributes table) need to know
*where* a row appears, disappears or moves before it happens (Qt's
``beginInsertRows``), and everything else needs to know *which part* of the model
changed. Each command describes its own effect with :meth:`Command.change`
(leaddesigner.core.edits.commands); :class:`ChangeEvents` applies a command and calls
its listeners with that :class:`Change` before and after, in the manner of
napari's evented list (``inserting``/``inserted``, ``removing``/``removed``,
``moving``/``moved``, ``changed``), so listeners never inspect command types.

Pure Python (no Qt): the GUI's document forwards the events as Qt signals.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # pragma: no cover
    from leaddesigner.core.edits.commands import Command
    from leaddesigner.core.model.types import ScoringModel

__all__ = ["Change", "ChangeEvents", "KINDS", "STRUCTURAL"]

#: what a change does to its area: ``changed`` (values, no rows move), ``inserted``,
#: ``removed``, ``moved`` (rows of a list), ``reset`` (any part of the model may differ)
KINDS = ("changed", "inserted", "removed", "moved", "reset")
#: kinds whose listeners begin something (rows) that the second event must end
STRUCTURAL = ("inserted", "removed", "moved", "reset")


@dataclass(frozen=True)
class Change:
    """One edit's effect, as views need it.

    ``area`` is the part of the model (a command's scope: ``rules``,
    ``attributes``, ``thresholds``, ``meta`` ...). For ``inserted``, ``index``
    is the new row; for ``removed``, ``moved`` and ``changed`` rows, the row
    before the change, and ``to`` the row after a move. ``key`` is the item's
    id or name after the change, ``old_key`` before it (a renamed rule).
    ``field`` names the field a one-field edit sets (``SetRuleField``, ``SetMeta``).
    """

    kind: str
    area: str
    index: int = -1
    to: int = -1
    key: str | None = None
    old_key: str | None = None
    field: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")

    def touches(self, *areas: str) -> bool:
        """Whether views of ``areas`` must follow: the area is one of them, or the whole model was replaced."""
        return self.kind == "reset" or self.area in areas

    @property
    def structural(self) -> bool:
        return self.kind in STRUCTURAL


Listener = Callable[[Change], None]


class ChangeEvents:
    """Apply commands to a model and announce each :class:`Change` before and after.

    ``about_to_change`` listeners run before the model changes (they see the
    old rows), ``changed`` listeners after; ``failed`` listeners when the
    command raised after ``about_to_change`` (the model is unchanged). A
    structural command is tried on a copy first, so a listener that began
    inserting or removing rows always hears the end.
    """

    def __init__(self) -> None:
        self.about_to_change: list[Listener] = []
        self.changed: list[Listener] = []
        self.failed: list[Listener] = []

    def apply(self, model: "ScoringModel", cmd: "Command") -> "Command":
        """Apply one (non-compound) command; returns its inverse. Raises what the command raises."""
        change = cmd.change(model)
        if change.structural:
            cmd.apply(model.copy())  # raises here, before anyone began anything
        for f in list(self.about_to_change):
            f(change)
        try:
            inverse = cmd.apply(model)
        except Exception:
            for f in list(self.failed):
                f(change)
            raise
        for f in list(self.changed):
            f(change)
        return inverse
