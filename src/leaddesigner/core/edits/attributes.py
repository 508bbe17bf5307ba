"""Edits to attributes and where they are read from: declare, change (a rename follows through every
rule), delete, map to a file column.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

from leaddesigner.core.edits.base import (
    Command,
    CommandError,
    Compound,
    RestoreModel,
    checked_id,
    optional_text,
    restore_model,
    value_text,
)
from leaddesigner.core.edits.changes import Change
from leaddesigner.core.edits.rules import check_rule
from leaddesigner.core.model import types as M
from leaddesigner.core.model.types import (
    ATTRIBUTE_KINDS,
    ATTRIBUTE_TYPES,
    Attribute,
    ScoringModel,
)

__all__ = ["SetAttribute", "AddAttribute", "RemoveAttribute", "SetColumnMapping"]


# ---------------------------------------------------------------- attributes and columns
def _attribute_users(model: ScoringModel, name: str) -> list[str]:
    users = [r.id for r in model.rules if name in r.attributes()]
    if model.persona is not None and model.persona.attribute == name:
        users.append("persona")
    if model.created_at == name:
        users.append("created_at")
    return users


@dataclass
class SetAttribute(Command):
    """Set ``name`` (renames references in rules, columns, persona, created_at), ``type``, ``kind``,
    ``description`` or ``format`` (how the file writes dates or numbers; None: decided from the values)."""

    attribute: str
    field: str
    value: Any
    scope: ClassVar[str] = "attributes"

    @property
    def text(self) -> str:
        if self.field == "name":
            return f"Rename attribute {self.attribute} to {self.value}"
        return f"Set {self.field} of {self.attribute} to {value_text(self.value)}"

    def _apply(self, model: ScoringModel) -> Command:
        a = model.attribute(self.attribute)
        if a is None:
            raise CommandError(f"there is no attribute '{self.attribute}'")
        f, v = self.field, self.value
        if f == "description":
            old = a.description
            a.description = optional_text(v)
            return SetAttribute(a.name, "description", old)
        if f == "format":
            v = optional_text(v)
            allowed = M.DATE_FORMATS if a.type == "date" else M.NUMBER_FORMATS if a.type == "number" else ()
            if v is not None and v not in allowed:
                raise CommandError(
                    f"{a.name} is a {a.type} attribute: its format is one of {', '.join(allowed)}" if allowed
                    else f"{a.name} is a {a.type} attribute: only dates and numbers have a format"
                )
            old = a.format
            a.format = v
            return SetAttribute(a.name, "format", old)
        if f == "kind":
            if v not in ATTRIBUTE_KINDS:
                raise CommandError(f"kind must be one of {', '.join(ATTRIBUTE_KINDS)}")
            old = a.kind
            a.kind = v
            return SetAttribute(a.name, "kind", old)
        if f == "type":
            if v not in ATTRIBUTE_TYPES:
                raise CommandError(f"type must be one of {', '.join(ATTRIBUTE_TYPES)}")
            snapshot = copy.deepcopy(model)
            if a.type != v:
                a.format = None  # a date format does not fit a number, and so on
            a.type = v
            try:
                for r in model.rules:
                    if a.name in r.attributes():
                        check_rule(model, r, others=False)
                if model.created_at == a.name and v != "date":
                    raise CommandError(f"{a.name} dates the leads (created_at); it must stay a date")
            except CommandError as e:
                restore_model(model, snapshot)
                raise CommandError(f"{a.name} cannot become {v}: {e}. Change or delete those rules first") from None
            before = snapshot.attribute(a.name)
            if before.format is not None and a.format is None:
                return Compound([SetAttribute(a.name, "type", before.type), SetAttribute(a.name, "format", before.format)],
                                f"Set type of {a.name} to {before.type}")
            return SetAttribute(a.name, "type", before.type)
        if f == "name":
            new = checked_id(v, "Attribute name")
            if new == a.name:
                return SetAttribute(a.name, "name", a.name)
            if model.attribute(new) is not None:
                raise CommandError(f"there is already an attribute '{new}'")
            before = copy.deepcopy(model)
            _rename_attribute(model, a.name, new)
            return RestoreModel(before, f"Rename attribute {new} back to {a.name}", "attributes")
        raise CommandError(f"attributes have no field '{f}'; fields: name, type, kind, description, format")


def _rename_attribute(model: ScoringModel, old: str, new: str) -> None:
    def walk(c):
        for leaf, _ in M.leaves(c):
            if leaf.attribute == old:
                leaf.attribute = new

    model.attribute(old).name = new
    for r in model.rules:
        if r.map is not None and r.map.attribute == old:
            r.map.attribute = new
        walk(r.when)
    if old in model.columns:
        model.columns = {(new if k == old else k): v for k, v in model.columns.items()}
    else:
        # the file column keeps its name: read the renamed attribute from it
        model.columns[new] = old
    if model.persona is not None and model.persona.attribute == old:
        model.persona.attribute = new
    if model.created_at == old:
        model.created_at = new


@dataclass
class AddAttribute(Command):
    index: int | None
    attribute: Attribute
    scope: ClassVar[str] = "attributes"

    @property
    def text(self) -> str:
        return f"Add attribute {self.attribute.name}"

    def change(self, model: ScoringModel) -> Change:
        n = len(model.attributes)
        i = n if self.index is None or self.index > n else max(0, self.index)
        return Change("inserted", "attributes", i, key=self.attribute.name)

    def _apply(self, model: ScoringModel) -> Command:
        a = copy.deepcopy(self.attribute)
        a.name = checked_id(a.name, "Attribute name")
        if model.attribute(a.name) is not None:
            raise CommandError(f"there is already an attribute '{a.name}'")
        if a.type not in ATTRIBUTE_TYPES:
            raise CommandError(f"type must be one of {', '.join(ATTRIBUTE_TYPES)}")
        if a.kind not in ATTRIBUTE_KINDS:
            raise CommandError(f"kind must be one of {', '.join(ATTRIBUTE_KINDS)}")
        n = len(model.attributes)
        i = n if self.index is None or self.index > n else max(0, self.index)
        model.attributes.insert(i, a)
        return RemoveAttribute(a.name)


@dataclass
class RemoveAttribute(Command):
    name: str
    scope: ClassVar[str] = "attributes"

    @property
    def text(self) -> str:
        return f"Delete attribute {self.name}"

    def change(self, model: ScoringModel) -> Change:
        i = next((k for k, a in enumerate(model.attributes) if a.name == self.name), -1)
        return Change("removed", "attributes", i, key=self.name)

    def _apply(self, model: ScoringModel) -> Command:
        for i, a in enumerate(model.attributes):
            if a.name == self.name:
                break
        else:
            raise CommandError(f"there is no attribute '{self.name}'")
        users = _attribute_users(model, self.name)
        if users:
            raise CommandError(f"{self.name} is used by {', '.join(users)}; change or delete those first")
        if self.name in model.columns:
            before = copy.deepcopy(model)
            del model.attributes[i]
            del model.columns[self.name]
            return RestoreModel(before, f"Restore attribute {self.name}", "attributes")
        removed = model.attributes.pop(i)
        return AddAttribute(i, removed)


@dataclass
class SetColumnMapping(Command):
    """Read ``attribute`` from file column ``column`` (``None`` or the same name: no mapping)."""

    attribute: str
    column: str | None
    scope: ClassVar[str] = "columns"

    @property
    def text(self) -> str:
        if not self.column or self.column == self.attribute:
            return f"Read {self.attribute} from its own column"
        return f"Read {self.attribute} from column {self.column}"

    def _apply(self, model: ScoringModel) -> Command:
        if model.attribute(self.attribute) is None:
            raise CommandError(f"there is no attribute '{self.attribute}'")
        old_items = list(model.columns.items())
        col = optional_text(self.column)
        if col is None or col == self.attribute:
            model.columns.pop(self.attribute, None)
        else:
            model.columns[self.attribute] = col
        return _RestoreColumns(old_items, self.attribute)


@dataclass
class _RestoreColumns(Command):
    items: list[tuple[str, str]]
    attribute: str
    scope: ClassVar[str] = "columns"

    @property
    def text(self) -> str:
        return f"Restore the column of {self.attribute}"

    def _apply(self, model: ScoringModel) -> Command:
        old = list(model.columns.items())
        model.columns = dict(self.items)
        return _RestoreColumns(old, self.attribute)
