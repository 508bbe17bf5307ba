"""Edit commands: every change to a model as a small data object.

A command's :meth:`Command.apply` mutates the model *in place* (the scorer and
the GUI hold a reference to the one model object) and returns the command that
undoes it. Applying the returned inverse restores ``to_dict(model)`` exactly,
and applying the inverse of the inverse redoes the edit. The GUI wraps any
command in one generic ``QUndoCommand``; the CLI and scripts apply them
directly.

Contracts
---------
* ``apply`` either changes the model and returns an inverse, or raises
  :class:`CommandError` (a ``ValueError`` whose message a marketer can act on)
  and leaves the model untouched.
* ``text`` is a short phrase for the Edit menu ("Set points of pricing_views
  to 10").
* ``merge_key`` is ``None`` or a hashable: two consecutive commands with the
  same key (spin-box steps on the same field) may be merged into one undo step
  by keeping the first one's inverse and the last one's forward command.
* ``scope`` says which part of the model changed (``rules``, ``thresholds``,
  ``capacity``, ``recycling``, ``grades``, ``caps``, ``attributes``, ``columns``,
  ``definitions``, ``meta``, ``accounts``, ``model``) so views know what to refresh;
  :func:`needs_rebind` says whether lead data must be bound again, :func:`needs_rescore`
  whether the leads must be scored again.

This module is the public entry point (``from leaddesigner.core.edits import
commands as C``): it gathers the commands, which live by area in
:mod:`.base` (Command, Compound, CommandError, checks), :mod:`.values` (typed
values and operators), :mod:`.rules`, :mod:`.targets` (thresholds, capacity,
recycling, grades, caps), :mod:`.attributes` (attributes and column mapping)
and :mod:`.meta` (definitions, metadata, outcome, changelog, whole model).
Each command also says what it will change (:meth:`Command.change`, for the
views: :mod:`.changes`). Part of the pure core: it never imports Qt.
"""
from __future__ import annotations

from leaddesigner.core.edits.accounts import SetAccounts
from leaddesigner.core.edits.attributes import AddAttribute, RemoveAttribute, SetAttribute, SetColumnMapping
from leaddesigner.core.edits.base import Command, CommandError, Compound, RestoreModel, needs_rebind, needs_rescore
from leaddesigner.core.edits.changes import Change
from leaddesigner.core.edits.meta import (
    ReplaceModel,
    SetChangelog,
    SetDefinition,
    SetMeta,
    SetOutcome,
    add_changelog_entry,
)
from leaddesigner.core.edits.rules import RULE_FIELDS, AddRule, MoveRule, RemoveRule, SetRule, SetRuleField, new_rule_id
from leaddesigner.core.edits.targets import (
    SetCap,
    SetCapacity,
    SetGradeBand,
    SetGradeBands,
    SetMqlCells,
    SetRecycling,
    SetThreshold,
)
from leaddesigner.core.edits.values import default_op, format_value, parse_value, quote_known_values, valid_ops

__all__ = [
    "AddAttribute",
    "AddRule",
    "Change",
    "Command",
    "CommandError",
    "Compound",
    "MoveRule",
    "RemoveAttribute",
    "RemoveRule",
    "ReplaceModel",
    "RestoreModel",
    "SetAttribute",
    "SetCap",
    "SetCapacity",
    "SetChangelog",
    "SetColumnMapping",
    "SetDefinition",
    "SetGradeBand",
    "SetGradeBands",
    "SetMeta",
    "SetMqlCells",
    "SetOutcome",
    "SetRecycling",
    "SetAccounts",
    "SetRule",
    "SetRuleField",
    "SetThreshold",
    "RULE_FIELDS",
    "add_changelog_entry",
    "default_op",
    "format_value",
    "needs_rebind",
    "needs_rescore",
    "new_rule_id",
    "parse_value",
    "quote_known_values",
    "valid_ops",
]
