"""Edits to the words around a model: definitions, name and metadata, the outcome, the changelog, and
replacing the whole model.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

from leaddesigner.core.edits.base import (
    Command,
    CommandError,
    checked_id,
    issue_text,
    optional_text,
    restore_model,
    value_text,
)
from leaddesigner.core.edits.changes import Change
from leaddesigner.core.model import types as M
from leaddesigner.core.model.types import (
    ScoringModel,
)

__all__ = ["SetDefinition", "SetMeta", "SetOutcome", "ReplaceModel", "SetChangelog", "add_changelog_entry"]


# ---------------------------------------------------------------- definitions and metadata
@dataclass
class SetDefinition(Command):
    """Set what ``lead``, ``mql``, ``sql`` (or another key) means; empty text removes it."""

    key: str
    text_value: str | None
    scope: ClassVar[str] = "definitions"

    @property
    def text(self) -> str:
        return f"Edit the {self.key.upper() if self.key in ('mql', 'sql') else self.key} definition"

    def _apply(self, model: ScoringModel) -> Command:
        old_items = list(model.definitions.items())
        v = optional_text(self.text_value)
        if v is None:
            model.definitions.pop(self.key, None)
        else:
            model.definitions[self.key] = v
        return _RestoreDefinitions(old_items, self.key)


@dataclass
class _RestoreDefinitions(Command):
    items: list[tuple[str, str]]
    key: str
    scope: ClassVar[str] = "definitions"

    @property
    def text(self) -> str:
        return f"Restore the {self.key} definition"

    def _apply(self, model: ScoringModel) -> Command:
        old = list(model.definitions.items())
        model.definitions = dict(self.items)
        return _RestoreDefinitions(old, self.key)


_META_FIELDS = ("name", "description", "version", "owners", "lead_id", "created_at", "products")


@dataclass
class SetMeta(Command):
    """Set ``name``, ``description``, ``version``, ``owners`` (list), ``lead_id``, ``created_at`` or ``products``."""

    field: str
    value: Any
    scope: ClassVar[str] = "meta"

    @property
    def text(self) -> str:
        return f"Set {self.field.replace('_', ' ')} to {value_text(self.value)}"

    def change(self, model: ScoringModel) -> Change:
        return Change("changed", "meta", field=self.field)

    def _apply(self, model: ScoringModel) -> Command:
        f, v = self.field, self.value
        if f not in _META_FIELDS:
            raise CommandError(f"unknown model field '{f}'; fields: {', '.join(_META_FIELDS)}")
        old = copy.deepcopy(getattr(model, f))
        if f == "name":
            s = optional_text(v)
            if s is None:
                raise CommandError("the model needs a name")
            model.name = s
        elif f in ("description", "version"):
            setattr(model, f, optional_text(v))
        elif f in ("owners", "products"):
            items = [x.strip() for x in v.split(",")] if isinstance(v, str) else [str(x).strip() for x in (v or [])]
            items = [x for x in items if x]
            if f == "products":
                items = [checked_id(x, "Product") for x in items]
                used = sorted({r.product for r in model.rules if r.product and r.product not in items})
                if used:
                    raise CommandError(f"product(s) {', '.join(used)} are still used by rules; change those rules first")
            setattr(model, f, items)
        elif f == "lead_id":
            s = optional_text(v)
            if s is None:
                raise CommandError("name the file column that holds the lead id")
            model.lead_id = s
        else:  # created_at
            s = optional_text(v)
            if s is not None:
                a = model.attribute(s)
                if a is None or a.type != "date":
                    dates = [x.name for x in model.attributes if x.type == "date"]
                    raise CommandError(f"created_at must be a date attribute ({', '.join(dates) or 'none declared'})")
            model.created_at = s
        return SetMeta(f, old)


@dataclass
class SetOutcome(Command):
    """Say which lead-file column means "converted" (None: no outcome; the app then shows no conversion)."""

    outcome: M.Outcome | None
    scope: ClassVar[str] = "outcome"

    @property
    def text(self) -> str:
        if self.outcome is None:
            return "Clear the outcome"
        o = self.outcome
        return f"Set the outcome to {o.column}" + (f" = {', '.join(o.positive)}" if o.positive else "")

    def _apply(self, model: ScoringModel) -> Command:
        o = self.outcome
        if o is not None:
            col = optional_text(o.column)
            if col is None:
                raise CommandError("name the column that says a lead converted")
            pos = None if not o.positive else [str(v).strip() for v in o.positive if str(v).strip()]
            after = None if not o.recorded_after else [str(c) for c in o.recorded_after]
            o = M.Outcome(col, pos or None, optional_text(o.date), after)
        old = copy.deepcopy(model.outcome)
        model.outcome = o
        return SetOutcome(old)


# ---------------------------------------------------------------- whole model
@dataclass
class ReplaceModel(Command):
    """Replace the whole model (in place) with the model described by ``data`` (a model dict)."""

    data: dict
    label: str = "Replace the model"
    scope: ClassVar[str] = "model"

    @property
    def text(self) -> str:
        return self.label

    def change(self, model: ScoringModel) -> Change:
        return Change("reset", "model")

    def _apply(self, model: ScoringModel) -> Command:
        from leaddesigner.core.model.io import ModelError, validate_dict

        data = copy.deepcopy(self.data)
        try:
            validate_dict(data)
        except ModelError as e:
            raise CommandError(issue_text(e)) from None
        old = M.to_dict(model)
        restore_model(model, M.from_dict(data))
        return ReplaceModel(old, self.label)


# ---------------------------------------------------------------- changelog
@dataclass
class SetChangelog(Command):
    """Replace the model's changelog (one undo step); the inverse restores the previous list.

    Scope ``meta``: no re-binding of lead data and nothing to re-score.
    """

    entries: list[M.ChangelogEntry]
    label: str = "Add a changelog entry"
    scope: ClassVar[str] = "meta"

    @property
    def text(self) -> str:
        return self.label

    def _apply(self, model: ScoringModel) -> Command:
        old = [M.ChangelogEntry(e.date, e.author, e.note) for e in model.changelog]
        model.changelog = [M.ChangelogEntry(e.date, e.author, e.note) for e in self.entries]
        return SetChangelog(old, "Remove the changelog entry" if len(old) < len(self.entries) else self.label)


def add_changelog_entry(model: ScoringModel, entry: M.ChangelogEntry) -> SetChangelog:
    """The command that appends ``entry`` to ``model``'s changelog."""
    return SetChangelog([*model.changelog, entry])
