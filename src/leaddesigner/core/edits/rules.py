"""Edits to rules: replace one, set one field (with the value adapted to the operator), add, delete,
move; ids for new rules.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from leaddesigner.core.edits.base import (
    Command,
    CommandError,
    Compound,
    M_did_you_mean,
    checked_id,
    is_whole,
    issue_text,
    number_arg,
    optional_number,
    optional_text,
    rule_row,
    value_text,
)
from leaddesigner.core.edits.changes import Change
from leaddesigner.core.edits.targets import RestoreCaps
from leaddesigner.core.edits.values import adapt_value, attr_type, default_op, parse_value, valid_ops
from leaddesigner.core.model import types as M
from leaddesigner.core.model.types import (
    DIMENSIONS,
    NO_VALUE_OPS,
    OPERATORS,
    Bin,
    Decay,
    Leaf,
    Rule,
    ScoringModel,
)

__all__ = [
    "check_rule",
    "drop_orphan_caps",
    "new_rule_id",
    "RULE_FIELDS",
    "SetRule",
    "SetRuleField",
    "AddRule",
    "RemoveRule",
    "MoveRule",
]


def check_rule(model: ScoringModel, rule: Rule, others: bool = True) -> None:
    """Validate one rule against the model's attributes, products and ids."""
    from leaddesigner.core.model.io import ModelError, validate_dict

    d = {
        "schema_version": M.SCHEMA_VERSION,
        "name": "check",
        "attributes": [{"name": a.name, "type": a.type} for a in model.attributes],
        "products": list(model.products),
        "rules": [M.rule_to_dict(rule)],
    }
    try:
        validate_dict(d)
    except ModelError as e:
        raise CommandError(f"Rule {rule.id}: {issue_text(e)}") from None
    if others:
        for r in model.rules:
            if r is not rule and r.id == rule.id:
                raise CommandError(f"rule id '{rule.id}' is already used; pick another id")
        if rule.group:
            for r in model.rules:
                if r is not rule and r.id != rule.id and r.group == rule.group and r.dimension != rule.dimension:
                    raise CommandError(
                        f"group '{rule.group}' holds {r.dimension} rules (e.g. {r.id}); a group cannot mix dimensions"
                    )


def drop_orphan_caps(model: ScoringModel, inverse: Command) -> Command:
    """Remove group caps no rule uses any more (a saved model may not have them).

    Returns an inverse that first undoes the rule change, then restores the caps.
    """
    groups = {r.group for r in model.rules if r.group}
    orphans = [g for g in model.caps.groups if g not in groups]
    if not orphans:
        return inverse
    order = list(model.caps.groups)
    restores: list[Command] = []
    for g in orphans:
        restores.append(RestoreCaps("group", g, model.caps.groups.pop(g), order))
    return Compound([inverse, *restores], inverse.text)


def new_rule_id(model: ScoringModel, base: str = "rule") -> str:
    """A rule id not used yet: ``base``, ``base_2``, ``base_3``, ..."""
    base = re.sub(r"[^A-Za-z0-9_.\-]+", "_", base).strip("_") or "rule"
    if not re.match(r"[A-Za-z_]", base[0]):
        base = "r_" + base
    used = {r.id for r in model.rules}
    if base not in used:
        return base
    m = re.match(r"^(.*?)_(\d+)$", base)
    stem, k = (m.group(1), int(m.group(2))) if m else (base, 1)
    while True:
        k += 1
        cand = f"{stem}_{k}"
        if cand not in used:
            return cand


# ---------------------------------------------------------------- rules
#: fields SetRuleField understands, with what they mean (for the CLI's help)
RULE_FIELDS = {
    "id": "rule id (letters, digits, _ . -)",
    "label": "the rule's name as people read it",
    "enabled": "whether the rule counts",
    "dimension": "fit or engagement",
    "points": "points when the condition holds (per event for activity rules)",
    "group": "group whose sum is capped (empty: none)",
    "product": "product line the points also count for (empty: none)",
    "why": "why the rule exists",
    "attribute": "attribute tested (condition rules, value maps) or event field (activity rules)",
    "op": "operator of a simple condition",
    "value": "value of a simple condition",
    "case_sensitive": "whether text comparisons respect case",
    "when": "the whole condition (condition rules)",
    "where": "the whole event condition (activity rules)",
    "within_days": "only events in the last N days count (activity rules)",
    "max_points": "limit on the rule's points per lead (activity rules)",
    "decay": "a Decay, or None (activity rules)",
    "half_life_days": "points of an event halve every N days (activity rules)",
    "map_values": "value -> points (value maps)",
    "map_bins": "list of Bin(lower, upper, points) (value maps)",
    "map_default": "points for values not listed (value maps)",
}


_MERGEABLE_RULE_FIELDS = ("points", "within_days", "max_points", "half_life_days", "map_default")


#: fields whose values ``_set`` validates completely: no schema check needed (spin-box edits stay cheap)
_SELF_CHECKED_FIELDS = ("points", "enabled", "label", "why", "within_days", "max_points", "half_life_days", "map_default")


@dataclass
class SetRule(Command):
    """Replace a whole rule (keeps its position). Used as the inverse of rule edits."""

    rule_id: str
    rule: Rule
    label: str | None = None
    scope: ClassVar[str] = "rules"

    def _apply(self, model: ScoringModel) -> Command:
        try:
            i = model.rule_index(self.rule_id)
        except KeyError:
            raise CommandError(f"there is no rule '{self.rule_id}'") from None
        old = model.rules[i]
        new = copy.deepcopy(self.rule)
        model.rules[i] = new
        try:
            check_rule(model, new)
        except CommandError:
            model.rules[i] = old
            raise
        return drop_orphan_caps(model, SetRule(new.id, old, self.label))

    @property
    def text(self) -> str:
        return self.label or f"Edit rule {self.rule.id}"

    def change(self, model: ScoringModel) -> Change:
        return Change("changed", "rules", rule_row(model, self.rule_id), key=self.rule.id, old_key=self.rule_id)

    @property
    def new_id(self) -> str:
        return self.rule.id


@dataclass
class SetRuleField(Command):
    """Set one field of a rule; see :data:`RULE_FIELDS`."""

    rule_id: str
    field: str
    value: Any
    scope: ClassVar[str] = "rules"

    @property
    def text(self) -> str:
        name = {"map_values": "values", "map_bins": "bands", "map_default": "default points", "op": "operator"}.get(
            self.field, self.field.replace("_", " ")
        )
        if self.field == "enabled":
            return f"{'Enable' if self.value else 'Disable'} rule {self.rule_id}"
        if self.field in ("when", "where", "map_values", "map_bins"):
            return f"Edit the {name} of {self.rule_id}"
        return f"Set {name} of {self.rule_id} to {value_text(self.value)}"

    @property
    def merge_key(self) -> Any:
        if self.field in _MERGEABLE_RULE_FIELDS:
            return ("rule", self.rule_id, self.field)
        return None

    def change(self, model: ScoringModel) -> Change:
        return Change("changed", "rules", rule_row(model, self.rule_id), key=self.new_id, old_key=self.rule_id,
                      field=self.field)

    @property
    def new_id(self) -> str:
        return checked_id(self.value, "Rule id") if self.field == "id" else self.rule_id

    def _apply(self, model: ScoringModel) -> Command:
        if self.field not in RULE_FIELDS:
            raise CommandError(f"unknown rule field '{self.field}'; fields: {', '.join(RULE_FIELDS)}")
        try:
            i = model.rule_index(self.rule_id)
        except KeyError:
            raise CommandError(f"there is no rule '{self.rule_id}'") from None
        old = model.rules[i]
        new = copy.deepcopy(old)
        self._set(model, new)
        model.rules[i] = new
        if self.field not in _SELF_CHECKED_FIELDS:
            try:
                check_rule(model, new)
            except CommandError:
                model.rules[i] = old
                raise
        return drop_orphan_caps(model, SetRule(new.id, old, self.text))

    # the per-field logic: mutate ``r`` (a copy) or raise CommandError
    def _set(self, model: ScoringModel, r: Rule) -> None:
        f, v = self.field, self.value
        if f == "id":
            r.id = checked_id(v, "Rule id")
        elif f == "label":
            s = optional_text(v)
            if s is None:
                raise CommandError("a rule needs a label; type a short name people will understand")
            r.label = s
        elif f == "enabled":
            r.enabled = bool(v)
        elif f == "dimension":
            if v not in DIMENSIONS:
                raise CommandError(f"dimension must be {' or '.join(DIMENSIONS)}, not '{v}'")
            r.dimension = v
        elif f == "points":
            if r.kind == "map":
                raise CommandError(f"{r.id} maps each value to its own points; edit the values instead")
            r.points = float(number_arg(v, "Points"))
        elif f in ("group", "product"):
            s = optional_text(v)
            if s is not None:
                s = checked_id(s, f.capitalize())
            if f == "product" and s is not None and s not in model.products:
                hint = M_did_you_mean(s, model.products)
                known = ", ".join(model.products) or "none yet"
                raise CommandError(f"product '{s}' is not one of the model's products ({known}).{hint}")
            setattr(r, f, s)
        elif f == "why":
            r.why = optional_text(v)
        elif f in ("attribute", "op", "value", "case_sensitive"):
            self._set_leaf(model, r)
        elif f in ("when", "where"):
            if f == "when" and r.kind != "condition":
                raise CommandError(f"{r.id} is a {r.kind} rule; it has no 'when' condition")
            if f == "where" and r.kind != "activity":
                raise CommandError(f"{r.id} is not an activity rule; it has no event condition")
            cond = copy.deepcopy(v)
            if isinstance(cond, dict):
                cond = M.condition_from_dict(cond)
            if f == "when":
                r.when = cond
            else:
                r.activity.where = cond
        elif f in ("within_days", "max_points", "decay", "half_life_days"):
            if r.kind != "activity":
                raise CommandError(f"{f.replace('_', ' ')} applies to activity rules; {r.id} is a {r.kind} rule")
            a = r.activity
            if f == "within_days":
                x = optional_number(v, "Window (days)")
                if x is not None and x <= 0:
                    raise CommandError("the window must be more than 0 days; leave it empty for no window")
                a.within_days = None if x is None else is_whole(x)
            elif f == "max_points":
                x = optional_number(v, "Max points")
                if x is not None and x < 0:
                    raise CommandError("max points is a limit on the size of the points; it cannot be negative")
                a.max_points = None if x is None else is_whole(x)
            elif f == "half_life_days":
                x = optional_number(v, "Half-life (days)")
                if x is not None and x <= 0:
                    raise CommandError("the half-life must be more than 0 days; leave it empty for no decay")
                a.decay = None if x is None else Decay(half_life_days=is_whole(x))
            else:
                if v is not None and not isinstance(v, Decay):
                    raise CommandError("decay must be a Decay or None")
                a.decay = copy.deepcopy(v)
        elif f in ("map_values", "map_bins", "map_default"):
            if r.kind != "map":
                raise CommandError(f"{r.id} is not a value-map rule")
            if f == "map_values":
                if v is None:
                    r.map.values = None
                else:
                    r.map.values = {str(k): float(number_arg(p, f"Points of '{k}'")) for k, p in dict(v).items()}
                    r.map.bins = None
            elif f == "map_bins":
                if v is None:
                    r.map.bins = None
                else:
                    bins = []
                    for b in v:
                        if not isinstance(b, Bin):
                            b = Bin(*b) if isinstance(b, (tuple, list)) else Bin(b.get("from"), b.get("to"), b["points"])
                        bins.append(Bin(optional_number(b.lower, "From"), optional_number(b.upper, "To"), float(number_arg(b.points, "Points"))))
                    r.map.bins = bins
                    r.map.values = None
            else:
                r.map.default = float(number_arg(v, "Default points"))

    def _set_leaf(self, model: ScoringModel, r: Rule) -> None:
        f, v = self.field, self.value
        if r.kind == "map":
            if f == "attribute":
                atype = attr_type(model, str(v), activity=False)
                if r.map.bins is not None and atype != "number":
                    raise CommandError(f"{r.id} uses number bands; '{v}' is {atype}. Pick a number attribute")
                if r.map.values is not None and atype in ("number", "date"):
                    raise CommandError(f"{r.id} maps category values; '{v}' is {atype}. Pick a category attribute")
                before = r.map.attribute
                r.map.attribute = str(v)
                if before != r.map.attribute:
                    if r.map.values is not None:
                        r.map.values = {}  # the old column's values mean nothing for the new one
                    _follow_attribute(model, r, before, r.map.attribute)
                return
            if f == "case_sensitive":
                r.map.case_sensitive = bool(v)
                return
            raise CommandError(f"{r.id} maps values to points; it has no operator or single value (edit the values)")
        activity = r.kind == "activity"
        cond = r.activity.where if activity else r.when
        if cond is not None and not isinstance(cond, Leaf):
            raise CommandError(
                f"{r.id} has a combined condition ({M.condition_text(cond)}); edit it as a whole (Edit rule, Ctrl+E)"
            )
        if cond is None:
            if f != "attribute":
                raise CommandError(f"{r.id} has no condition yet; pick an attribute first")
            atype = attr_type(model, str(v), activity)
            op = default_op(atype) if not activity else "equals"
            cond = Leaf(str(v), op, adapt_value(None, op, op, atype))
        elif f == "attribute":
            atype = attr_type(model, str(v), activity)
            before = cond.attribute
            cond.attribute = str(v)
            if before != cond.attribute and atype in ("category", "text", "boolean") and not activity:
                # the old column's values mean nothing for the new one: start from the new column's default
                cond.op = cond.op if atype in OPERATORS.get(cond.op, ()) else default_op(atype)
                cond.value = adapt_value(None, cond.op, cond.op, atype)
                _follow_attribute(model, r, before, cond.attribute)
            elif atype not in OPERATORS.get(cond.op, ()):
                new_op = default_op(atype)
                cond.value = adapt_value(cond.value, cond.op, new_op, atype)
                cond.op = new_op
            elif cond.op in NO_VALUE_OPS:
                cond.value = None
            else:
                cond.value = adapt_value(cond.value, cond.op, cond.op, atype)
        elif f == "op":
            atype = attr_type(model, cond.attribute, activity)
            if v not in OPERATORS:
                raise CommandError(f"unknown operator '{v}'.{M_did_you_mean(str(v), list(OPERATORS))}")
            if atype not in OPERATORS[v]:
                raise CommandError(f"'{v}' does not apply to {cond.attribute} ({atype}); use one of: {', '.join(valid_ops(atype))}")
            cond.value = adapt_value(cond.value, cond.op, v, atype)
            cond.op = v
        elif f == "value":
            atype = attr_type(model, cond.attribute, activity)
            cond.value = parse_value(v, cond.op, atype)
        else:
            cond.case_sensitive = bool(v)
        if activity:
            r.activity.where = cond
        else:
            r.when = cond


def _human(name: str) -> str:
    return re.sub(r"[_.\-]+", " ", name).strip().lower()


def _follow_attribute(model: ScoringModel, r: Rule, old: str, new: str) -> None:
    """A rule named after its attribute takes the new attribute's name (its id reaches YAML and SQL columns)."""
    if old and old in r.id:
        others = ScoringModel(rules=[x for x in model.rules if x.id != r.id])
        r.id = new_rule_id(others, r.id.replace(old, new))
    if _human(r.label) in (_human(old), _human(old) + " rule") or _human(old) in _human(r.label):
        r.label = re.sub(re.escape(old), new, r.label, flags=re.IGNORECASE) if old.lower() in r.label.lower() else new


@dataclass
class AddRule(Command):
    """Insert ``rule`` at ``index`` (``None`` or past the end: append)."""

    index: int | None
    rule: Rule
    scope: ClassVar[str] = "rules"

    @property
    def text(self) -> str:
        return f"Add rule {self.rule.id}"

    def change(self, model: ScoringModel) -> Change:
        n = len(model.rules)
        i = n if self.index is None or self.index > n else max(0, self.index)
        return Change("inserted", "rules", i, key=self.rule.id)

    def _apply(self, model: ScoringModel) -> Command:
        n = len(model.rules)
        i = n if self.index is None or self.index > n else max(0, self.index)
        new = copy.deepcopy(self.rule)
        model.rules.insert(i, new)
        try:
            check_rule(model, new)
        except CommandError:
            del model.rules[i]
            raise
        return RemoveRule(new.id)

    @property
    def position(self) -> int | None:
        return self.index


@dataclass
class RemoveRule(Command):
    rule_id: str
    scope: ClassVar[str] = "rules"

    @property
    def text(self) -> str:
        return f"Delete rule {self.rule_id}"

    def change(self, model: ScoringModel) -> Change:
        return Change("removed", "rules", rule_row(model, self.rule_id), key=self.rule_id)

    def _apply(self, model: ScoringModel) -> Command:
        try:
            i = model.rule_index(self.rule_id)
        except KeyError:
            raise CommandError(f"there is no rule '{self.rule_id}'") from None
        rule = model.rules.pop(i)
        return drop_orphan_caps(model, AddRule(i, rule))


@dataclass
class MoveRule(Command):
    """Move a rule to ``new_index`` (its index after the move)."""

    rule_id: str
    new_index: int
    scope: ClassVar[str] = "rules"

    @property
    def text(self) -> str:
        return f"Move rule {self.rule_id}"

    def change(self, model: ScoringModel) -> Change:
        i = rule_row(model, self.rule_id)
        j = min(max(0, int(self.new_index)), len(model.rules) - 1)
        if i < 0 or i == j:
            return Change("changed", "rules", i, key=self.rule_id)
        return Change("moved", "rules", i, j, key=self.rule_id)

    def _apply(self, model: ScoringModel) -> Command:
        try:
            i = model.rule_index(self.rule_id)
        except KeyError:
            raise CommandError(f"there is no rule '{self.rule_id}'") from None
        j = min(max(0, int(self.new_index)), len(model.rules) - 1)
        rule = model.rules.pop(i)
        model.rules.insert(j, rule)
        return MoveRule(self.rule_id, i)
