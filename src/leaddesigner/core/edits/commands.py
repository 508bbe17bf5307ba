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
  ``definitions``, ``meta``, ``model``) so views know what to refresh;
  :func:`needs_rebind` says whether lead data must be bound again.

This module is part of the pure core: it never imports Qt.
"""
from __future__ import annotations

import copy
import datetime as _dt
import math
import re
from dataclasses import dataclass
from typing import Any, ClassVar, Iterable

from leaddesigner.core.model import types as M
from leaddesigner.core.edits.changes import Change
from leaddesigner.core.model.types import (
    ACTIVITY_FIELDS,
    ATTRIBUTE_KINDS,
    ATTRIBUTE_TYPES,
    DIMENSIONS,
    LIST_OPS,
    NO_VALUE_OPS,
    OPERATORS,
    TEXT_OPS,
    Attribute,
    Bin,
    Decay,
    Leaf,
    Range,
    Rule,
    ScoringModel,
)

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
    "SetAttribute",
    "SetCap",
    "SetCapacity",
    "SetRecycling",
    "SetColumnMapping",
    "SetDefinition",
    "SetGradeBand",
    "SetGradeBands",
    "SetMeta",
    "SetMqlCells",
    "SetOutcome",
    "SetRule",
    "SetRuleField",
    "SetThreshold",
    "RULE_FIELDS",
    "default_op",
    "format_value",
    "needs_rebind",
    "new_rule_id",
    "parse_value",
    "quote_known_values",
    "valid_ops",
]

_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


class CommandError(ValueError):
    """An edit that cannot be made; the message says why and what to do instead."""


# ---------------------------------------------------------------- helpers
def _fmt(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer():
            return str(int(v))
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        shown = ", ".join(_fmt(x) for x in list(v)[:4])
        return f"[{shown}{', ...' if len(v) > 4 else ''}]"
    if isinstance(v, dict):
        return f"{len(v)} values"
    s = str(v)
    return s if len(s) <= 40 else s[:37] + "..."


def _num(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise CommandError(f"{what} must be a number, not {value}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise CommandError(f"{what} must be a number; '{value}' is not one") from None
    if not math.isfinite(x):
        raise CommandError(f"{what} must be a finite number")
    return x


def _opt_num(value: Any, what: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _num(value, what)


def _opt_text(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def _check_id(value: Any, what: str) -> str:
    s = str(value).strip() if value is not None else ""
    if not _ID_RE.match(s) or len(s) > 80:
        raise CommandError(
            f"{what} '{s}' is not valid: use letters, digits, '_', '.' or '-', starting with a letter or '_' (e.g. pricing_views)"
        )
    return s


def valid_ops(atype: str) -> list[str]:
    """Operators that apply to an attribute type, in the order of :data:`OPERATORS`."""
    return [op for op, types in OPERATORS.items() if atype in types]


def default_op(atype: str) -> str:
    return {"number": "gte", "date": "within_days", "boolean": "equals", "text": "contains"}.get(atype, "in")


def _attr_type(model: ScoringModel, name: str, activity: bool) -> str:
    if activity:
        if name not in ACTIVITY_FIELDS:
            raise CommandError(f"'{name}' is not an event field; activity rules test {', '.join(ACTIVITY_FIELDS)}")
        return ACTIVITY_FIELDS[name]
    a = model.attribute(name)
    if a is None:
        hint = M_did_you_mean(name, [x.name for x in model.attributes])
        raise CommandError(f"'{name}' is not a declared attribute.{hint or ' Add it on the Attributes tab first.'}")
    return a.type


def M_did_you_mean(word: str, choices: list[str]) -> str:
    from leaddesigner.core.model.io import did_you_mean

    return did_you_mean(word, choices)


def parse_value(text: Any, op: str, atype: str) -> Any:
    """Turn what a user typed into a condition value for ``op`` on an ``atype`` attribute.

    Lists are comma-separated (``Software, Finance``); ``between`` takes
    ``low, high`` (or ``low-high`` / ``low..high``); booleans accept yes/no,
    true/false, 1/0. Raises :class:`CommandError` with a hint when the text
    does not fit.
    """
    if op in NO_VALUE_OPS:
        return None
    if not isinstance(text, str):
        return _coerce_value(text, op, atype)
    s = text.strip()
    if op == "between":
        parts = [p for p in re.split(r"\s*(?:,|;|\.\.|\s-\s|\s+to\s+)\s*", s) if p]
        if len(parts) != 2:
            m = re.match(r"^(-?[\d.]+)\s*-\s*(-?[\d.]+)$", s)
            parts = [m.group(1), m.group(2)] if m else parts
        if len(parts) != 2:
            raise CommandError(f"'between' takes two numbers like '50, 500'; found '{s}'")
        lo, hi = (_num(p, "each end of 'between'") for p in parts)
        if lo > hi:
            lo, hi = hi, lo
        return [_intish(lo), _intish(hi)]
    if op in ("in", "not_in") or (op in TEXT_OPS and ("," in s or "\n" in s)):
        # one value per line keeps commas inside values; otherwise commas separate (quotes keep them)
        parts = s.splitlines() if "\n" in s else _split_list(s)
        items = [p.strip().strip('"') if "\n" in s else p.strip() for p in parts if p.strip()]
        if not items:
            raise CommandError(f"'{op}' needs at least one value; separate several with commas")
        if atype == "number":
            return [_intish(_num(p, "each value")) for p in items]
        return items if op not in TEXT_OPS or len(items) > 1 else items[0]
    if op in ("gt", "gte", "lt", "lte", "within_days", "older_than_days"):
        return _intish(_num(s, f"the value of '{op}'"))
    if op in ("before", "after"):
        try:
            return _dt.date.fromisoformat(s[:10]).isoformat()
        except ValueError:
            raise CommandError(f"expected a date like 2026-01-31; found '{s}'") from None
    if not s:
        raise CommandError("the value is empty; type a value or use 'is_empty'")
    if atype == "number":
        return _intish(_num(s, "the value"))
    if atype == "boolean":
        low = s.lower()
        if low in ("true", "yes", "y", "1", "t"):
            return True
        if low in ("false", "no", "n", "0", "f"):
            return False
        raise CommandError(f"expected yes or no; found '{s}'")
    return s


def quote_known_values(text: str, known: Iterable[str]) -> str:
    """Put quotes around values of ``known`` that contain a comma where ``text`` has them unquoted.

    So that typing ``Banking, Investment And Insurance, Retail`` (two values
    of the column) is read as those two values, as picking them from the
    list would give, and not as three.
    """
    out = text
    for v in sorted((k for k in known if "," in str(k)), key=len, reverse=True):
        pat = re.compile(r'(^|,)(\s*)(' + re.escape(str(v)) + r')(\s*)(?=,|$)', re.IGNORECASE)
        out = pat.sub(lambda m: f'{m.group(1)}{m.group(2)}"{m.group(3)}"{m.group(4)}', out)
    return out


def _split_list(s: str) -> list[str]:
    """Split on commas, keeping quoted parts ("Acme, Inc.") together."""
    out, cur, quote = [], "", None
    for ch in s:
        if quote:
            if ch == quote:
                quote = None
            else:
                cur += ch
        elif ch in "\"'" and not cur.strip():
            quote = ch
        elif ch == ",":
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def _intish(x: float) -> float | int:
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else x


def _coerce_value(v: Any, op: str, atype: str) -> Any:
    if op in LIST_OPS:
        if not isinstance(v, (list, tuple)):
            v = [v]
        v = list(v)
        if op == "between" or atype == "number":
            return [_intish(_num(x, "each value")) for x in v]
        return [str(x) for x in v]
    if isinstance(v, (list, tuple)) and op not in TEXT_OPS:
        raise CommandError(f"'{op}' takes one value; use 'in' for a list")
    if atype == "number" or op in ("gt", "gte", "lt", "lte", "within_days", "older_than_days"):
        return _intish(_num(v, f"the value of '{op}'"))
    return v


def format_value(value: Any, op: str) -> str:
    """The text a user would type for ``value`` (inverse of :func:`parse_value`)."""
    if op in NO_VALUE_OPS or value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt_item(x) for x in value)
    return _fmt_item(value)


def _fmt_item(x: Any) -> str:
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    s = str(x)
    return f'"{s}"' if "," in s else s


def _adapt_value(value: Any, old_op: str, new_op: str, atype: str) -> Any:
    """Carry a value over to another operator as sensibly as possible."""
    if new_op in NO_VALUE_OPS:
        return None
    vals = value if isinstance(value, list) else ([] if value is None else [value])
    if new_op == "between":
        nums = [x for x in vals if isinstance(x, (int, float)) and not isinstance(x, bool)]
        if len(nums) >= 2:
            return [min(nums[:2]), max(nums[:2])]
        if nums:
            return [nums[0], nums[0]]
        return [0, 100]
    if new_op in ("in", "not_in"):
        if atype == "number":
            nums = [x for x in vals if isinstance(x, (int, float)) and not isinstance(x, bool)]
            return nums or [0]
        return [str(x) for x in vals] or [""]
    if new_op in ("gt", "gte", "lt", "lte"):
        nums = [x for x in vals if isinstance(x, (int, float)) and not isinstance(x, bool)]
        return nums[0] if nums else 0
    if new_op in ("within_days", "older_than_days"):
        nums = [x for x in vals if isinstance(x, (int, float)) and not isinstance(x, bool)]
        return nums[0] if nums else 30
    if new_op in ("before", "after"):
        for x in vals:
            try:
                return _dt.date.fromisoformat(str(x)[:10]).isoformat()
            except ValueError:
                pass
        return _dt.date.today().isoformat()
    if new_op in TEXT_OPS:
        if len(vals) > 1:
            return [str(x) for x in vals]
        return str(vals[0]) if vals else ""
    # equals / not_equals
    if atype == "boolean":
        return vals[0] if vals and isinstance(vals[0], bool) else True
    if atype == "number":
        nums = [x for x in vals if isinstance(x, (int, float)) and not isinstance(x, bool)]
        return nums[0] if nums else 0
    return str(vals[0]) if vals else ""


def _issue_text(err: Exception) -> str:
    """First issue of a ModelError without the file/path prefix."""
    issues = getattr(err, "issues", None)
    if not issues:
        return str(err)
    return "; ".join(i.message for i in issues[:3])


def _check_rule(model: ScoringModel, rule: Rule, others: bool = True) -> None:
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
        raise CommandError(f"Rule {rule.id}: {_issue_text(e)}") from None
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


def _drop_orphan_caps(model: ScoringModel, inverse: Command) -> Command:
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
        restores.append(_RestoreCaps("group", g, model.caps.groups.pop(g), order))
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


def needs_rebind(cmd: "Command") -> bool:
    """True when lead data must be bound again after ``cmd`` (attribute types, columns, ids)."""
    if isinstance(cmd, Compound):
        return any(needs_rebind(c) for c in cmd.commands)
    if cmd.scope in ("attributes", "columns", "model"):
        return True
    if cmd.scope == "meta" and getattr(cmd, "field", None) in ("lead_id", "created_at"):
        return True
    return False


def _rule_row(model: ScoringModel, rule_id: str) -> int:
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
            _check_rule(model, new)
        except CommandError:
            model.rules[i] = old
            raise
        return _drop_orphan_caps(model, SetRule(new.id, old, self.label))

    @property
    def text(self) -> str:
        return self.label or f"Edit rule {self.rule.id}"

    def change(self, model: ScoringModel) -> Change:
        return Change("changed", "rules", _rule_row(model, self.rule_id), key=self.rule.id, old_key=self.rule_id)

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
        return f"Set {name} of {self.rule_id} to {_fmt(self.value)}"

    @property
    def merge_key(self) -> Any:
        if self.field in _MERGEABLE_RULE_FIELDS:
            return ("rule", self.rule_id, self.field)
        return None

    def change(self, model: ScoringModel) -> Change:
        return Change("changed", "rules", _rule_row(model, self.rule_id), key=self.new_id, old_key=self.rule_id,
                      field=self.field)

    @property
    def new_id(self) -> str:
        return _check_id(self.value, "Rule id") if self.field == "id" else self.rule_id

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
                _check_rule(model, new)
            except CommandError:
                model.rules[i] = old
                raise
        return _drop_orphan_caps(model, SetRule(new.id, old, self.text))

    # the per-field logic: mutate ``r`` (a copy) or raise CommandError
    def _set(self, model: ScoringModel, r: Rule) -> None:
        f, v = self.field, self.value
        if f == "id":
            r.id = _check_id(v, "Rule id")
        elif f == "label":
            s = _opt_text(v)
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
            r.points = float(_num(v, "Points"))
        elif f in ("group", "product"):
            s = _opt_text(v)
            if s is not None:
                s = _check_id(s, f.capitalize())
            if f == "product" and s is not None and s not in model.products:
                hint = M_did_you_mean(s, model.products)
                known = ", ".join(model.products) or "none yet"
                raise CommandError(f"product '{s}' is not one of the model's products ({known}).{hint}")
            setattr(r, f, s)
        elif f == "why":
            r.why = _opt_text(v)
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
                x = _opt_num(v, "Window (days)")
                if x is not None and x <= 0:
                    raise CommandError("the window must be more than 0 days; leave it empty for no window")
                a.within_days = None if x is None else _intish(x)
            elif f == "max_points":
                x = _opt_num(v, "Max points")
                if x is not None and x < 0:
                    raise CommandError("max points is a limit on the size of the points; it cannot be negative")
                a.max_points = None if x is None else _intish(x)
            elif f == "half_life_days":
                x = _opt_num(v, "Half-life (days)")
                if x is not None and x <= 0:
                    raise CommandError("the half-life must be more than 0 days; leave it empty for no decay")
                a.decay = None if x is None else Decay(half_life_days=_intish(x))
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
                    r.map.values = {str(k): float(_num(p, f"Points of '{k}'")) for k, p in dict(v).items()}
                    r.map.bins = None
            elif f == "map_bins":
                if v is None:
                    r.map.bins = None
                else:
                    bins = []
                    for b in v:
                        if not isinstance(b, Bin):
                            b = Bin(*b) if isinstance(b, (tuple, list)) else Bin(b.get("from"), b.get("to"), b["points"])
                        bins.append(Bin(_opt_num(b.lower, "From"), _opt_num(b.upper, "To"), float(_num(b.points, "Points"))))
                    r.map.bins = bins
                    r.map.values = None
            else:
                r.map.default = float(_num(v, "Default points"))

    def _set_leaf(self, model: ScoringModel, r: Rule) -> None:
        f, v = self.field, self.value
        if r.kind == "map":
            if f == "attribute":
                atype = _attr_type(model, str(v), activity=False)
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
            atype = _attr_type(model, str(v), activity)
            op = default_op(atype) if not activity else "equals"
            cond = Leaf(str(v), op, _adapt_value(None, op, op, atype))
        elif f == "attribute":
            atype = _attr_type(model, str(v), activity)
            before = cond.attribute
            cond.attribute = str(v)
            if before != cond.attribute and atype in ("category", "text", "boolean") and not activity:
                # the old column's values mean nothing for the new one: start from the new column's default
                cond.op = cond.op if atype in OPERATORS.get(cond.op, ()) else default_op(atype)
                cond.value = _adapt_value(None, cond.op, cond.op, atype)
                _follow_attribute(model, r, before, cond.attribute)
            elif atype not in OPERATORS.get(cond.op, ()):
                new_op = default_op(atype)
                cond.value = _adapt_value(cond.value, cond.op, new_op, atype)
                cond.op = new_op
            elif cond.op in NO_VALUE_OPS:
                cond.value = None
            else:
                cond.value = _adapt_value(cond.value, cond.op, cond.op, atype)
        elif f == "op":
            atype = _attr_type(model, cond.attribute, activity)
            if v not in OPERATORS:
                raise CommandError(f"unknown operator '{v}'.{M_did_you_mean(str(v), list(OPERATORS))}")
            if atype not in OPERATORS[v]:
                raise CommandError(f"'{v}' does not apply to {cond.attribute} ({atype}); use one of: {', '.join(valid_ops(atype))}")
            cond.value = _adapt_value(cond.value, cond.op, v, atype)
            cond.op = v
        elif f == "value":
            atype = _attr_type(model, cond.attribute, activity)
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
            _check_rule(model, new)
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
        return Change("removed", "rules", _rule_row(model, self.rule_id), key=self.rule_id)

    def _apply(self, model: ScoringModel) -> Command:
        try:
            i = model.rule_index(self.rule_id)
        except KeyError:
            raise CommandError(f"there is no rule '{self.rule_id}'") from None
        rule = model.rules.pop(i)
        return _drop_orphan_caps(model, AddRule(i, rule))


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
        i = _rule_row(model, self.rule_id)
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


# ---------------------------------------------------------------- thresholds, capacity, grades, caps
@dataclass
class SetThreshold(Command):
    """``name`` is ``mql`` or ``sql``; the SQL threshold may be ``None`` (no SQL stage)."""

    name: str
    value: float | None
    scope: ClassVar[str] = "thresholds"

    @property
    def text(self) -> str:
        if self.value is None:
            return f"Remove the {self.name.upper()} threshold"
        return f"Set {self.name.upper()} threshold to {_fmt(float(self.value))}"

    @property
    def merge_key(self) -> Any:
        return ("threshold", self.name)

    def _apply(self, model: ScoringModel) -> Command:
        t = model.thresholds
        if self.name == "mql":
            if self.value is None:
                raise CommandError("the MQL threshold cannot be empty")
            v = float(_num(self.value, "The MQL threshold"))
            old = t.mql
            t.mql = v
        elif self.name == "sql":
            v = None if self.value is None else float(_num(self.value, "The SQL threshold"))
            old = t.sql
            t.sql = v
        else:
            raise CommandError(f"threshold must be 'mql' or 'sql', not '{self.name}'")
        return SetThreshold(self.name, old)


_CAPACITY_FIELDS = {
    "sdrs": ("SDRs", int, 0),
    "leads_per_sdr_per_week": ("leads per SDR per week", float, 0),
    "sla_hours": ("SLA hours", float, 0),
    "working_days": ("working days", int, 1),
}


#: capacity settings beyond the four numbers (field -> name as people read it)
_CAPACITY_EXTRA = {
    "leads_per_sdr_per_day": "leads per SDR per day",
    "workday_start": "start of the working day",
    "workday_hours": "working hours per day",
    "routing": "routing",
    "order": "queue order",
    "sla_target": "SLA target",
    "sla_working_hours": "SLA clock",
}


@dataclass
class SetCapacity(Command):
    """Set one capacity field. Besides sdrs, leads_per_sdr_per_week, sla_hours and
    working_days: leads_per_sdr_per_day (None: use the weekly figure), workday_start,
    workday_hours, routing (list of grade cells or None), order (fifo/score),
    sla_target (0-1) and sla_working_hours (bool)."""

    field: str
    value: Any
    scope: ClassVar[str] = "capacity"

    @property
    def text(self) -> str:
        if self.field in _CAPACITY_EXTRA:
            name = _CAPACITY_EXTRA[self.field]
            v = self.value
            if v is None:
                return f"Clear {name}"
            if isinstance(v, list):
                return f"Set {name} to {', '.join(v) or 'none'}"
            if isinstance(v, bool):
                return f"Set {name} to {'working hours' if v else 'around the clock'}"
            return f"Set {name} to {_fmt(v) if not isinstance(v, str) else v}"
        name = _CAPACITY_FIELDS.get(self.field, (self.field,))[0]
        return f"Set {name} to {_fmt(self.value)}"

    @property
    def merge_key(self) -> Any:
        return ("capacity", self.field)

    def _apply(self, model: ScoringModel) -> Command:
        if self.field in _CAPACITY_EXTRA:
            return self._apply_extra(model)
        if self.field not in _CAPACITY_FIELDS:
            raise CommandError(f"capacity has no field '{self.field}'; fields: {', '.join(list(_CAPACITY_FIELDS) + list(_CAPACITY_EXTRA))}")
        name, typ, lo = _CAPACITY_FIELDS[self.field]
        x = _num(self.value, name.capitalize())
        if typ is int:
            if not float(x).is_integer():
                raise CommandError(f"{name} must be a whole number")
            x = int(x)
        if x < lo:
            raise CommandError(f"{name} must be at least {lo}")
        if self.field == "working_days" and x > 7:
            raise CommandError("a week has at most 7 working days")
        old = getattr(model.capacity, self.field)
        setattr(model.capacity, self.field, typ(x))
        return SetCapacity(self.field, old)

    def _apply_extra(self, model: ScoringModel) -> Command:
        c = model.capacity
        f, v = self.field, self.value
        old = copy.deepcopy(getattr(c, f))
        if f == "leads_per_sdr_per_day":
            if v is not None:
                v = float(_num(v, "Leads per SDR per day"))
                if v < 0:
                    raise CommandError("leads per SDR per day must be at least 0")
        elif f in ("workday_start", "workday_hours"):
            v = float(_num(v, _CAPACITY_EXTRA[f].capitalize()))
            start = v if f == "workday_start" else c.workday_start
            hours = v if f == "workday_hours" else c.workday_hours
            if start < 0 or hours <= 0:
                raise CommandError("the working day must start at or after 0h and last more than 0 hours")
            if start + hours > 24:
                raise CommandError(f"a working day from {_fmt(start)}h lasting {_fmt(hours)} hours would end after midnight")
        elif f == "sla_target":
            v = float(_num(v, "The SLA target"))
            if not 0 < v <= 1:
                raise CommandError("the SLA target is a share between 0 and 1, like 0.9 for 90%")
        elif f == "order":
            if v not in M.QUEUE_ORDERS:
                raise CommandError(f"order must be one of {', '.join(M.QUEUE_ORDERS)}, not '{v}'")
        elif f == "sla_working_hours":
            if not isinstance(v, bool):
                raise CommandError("sla_working_hours is true or false")
        elif f == "routing":
            if v is not None:
                v = [str(x).strip() for x in v]
                g = model.grades
                cells = [a + b for a in g.fit for b in g.engagement]
                if not cells:
                    raise CommandError("routing lists grade cells, but the model has no grades yet")
                for x in v:
                    if x not in cells:
                        raise CommandError(f"'{x}' is not a grade cell.{M_did_you_mean(x, cells)} Cells look like {cells[0]}")
                if len(set(v)) != len(v):
                    raise CommandError("routing lists a grade cell twice")
        setattr(c, f, v)
        return SetCapacity(f, old)


@dataclass
class SetRecycling(Command):
    """Replace the recycling settings (a :class:`~leaddesigner.core.model.types.Recycling` or None to switch
    recycling off). The value is checked like the model file would be."""

    value: M.Recycling | None
    scope: ClassVar[str] = "recycling"

    @property
    def text(self) -> str:
        if self.value is None:
            return "Turn recycling off"
        return "Set recycling"

    def _apply(self, model: ScoringModel) -> Command:
        r = self.value
        if r is not None:
            if not isinstance(r, M.Recycling):
                raise CommandError("recycling must be a Recycling value or None")
            if r.disqualified is None and r.closed_lost is None and r.no_response_days is None:
                raise CommandError("recycling needs at least one of disqualified, closed lost or no response after N days")
            if r.no_response_days is not None and float(_num(r.no_response_days, "No response days")) <= 0:
                raise CommandError("no response days must be more than 0")
            if float(_num(r.cooldown_days, "The cool-down")) < 0:
                raise CommandError("the cool-down must be at least 0 days")
            for key, o in r.outcomes():
                what = key.replace("_", " ")
                if not str(o.column).strip() or not str(o.date).strip():
                    raise CommandError(f"{what}: name the column and the date column")
                if not o.values:
                    raise CommandError(f"{what}: list the values that mean it, like Disqualified")
                a = model.attribute(o.date)
                if a is not None and a.type != "date":
                    raise CommandError(f"{what}: '{o.date}' must be a date column, it is declared as {a.type}")
            if r.response_types is not None and not r.response_types:
                raise CommandError("response types: list at least one event type, or leave it empty for any event")
        old = copy.deepcopy(model.recycling)
        model.recycling = copy.deepcopy(r)
        return SetRecycling(old)


def _band_name(k: Any) -> str:
    s = str(k).strip()
    if not s:
        raise CommandError("a grade band needs a name, like A or 1")
    return s


def _check_bands(dim: str, bands: dict) -> None:
    items = list(bands.items())
    prev = None
    for j, (name, lo) in enumerate(items):
        if lo is None and j != len(items) - 1:
            raise CommandError(f"{dim} band '{name}': only the last band may have no minimum")
        if lo is not None and prev is not None and lo >= prev:
            raise CommandError(f"{dim} bands go from highest to lowest minimum; {name}'s {_fmt(lo)} is not below {_fmt(prev)}")
        if lo is not None:
            prev = lo


@dataclass
class SetGradeBand(Command):
    """Set the minimum score of one band (``dimension`` is fit or engagement)."""

    dimension: str
    band: str
    minimum: float | None
    scope: ClassVar[str] = "grades"

    @property
    def text(self) -> str:
        return f"Set {self.dimension} band {self.band} to {_fmt(self.minimum)}"

    @property
    def merge_key(self) -> Any:
        return ("grade", self.dimension, self.band)

    def _apply(self, model: ScoringModel) -> Command:
        if self.dimension not in DIMENSIONS:
            raise CommandError(f"dimension must be {' or '.join(DIMENSIONS)}")
        bands: dict = getattr(model.grades, self.dimension)
        if self.band not in bands:
            raise CommandError(f"there is no {self.dimension} band '{self.band}'")
        new = dict(bands)
        new[self.band] = _opt_num(self.minimum, "The band minimum")
        if new[self.band] is not None:
            new[self.band] = _intish(new[self.band])
        _check_bands(self.dimension, new)
        old = bands[self.band]
        bands[self.band] = new[self.band]
        return SetGradeBand(self.dimension, self.band, old)


@dataclass
class SetGradeBands(Command):
    """Replace all bands of a dimension (add, rename, remove bands); keeps mql_cells valid."""

    dimension: str
    bands: dict
    mql_cells: list[str] | None = None
    keep_cells: bool = True
    scope: ClassVar[str] = "grades"

    @property
    def text(self) -> str:
        return f"Edit {self.dimension} grade bands"

    def _apply(self, model: ScoringModel) -> Command:
        if self.dimension not in DIMENSIONS:
            raise CommandError(f"dimension must be {' or '.join(DIMENSIONS)}")
        new = {_band_name(k): (None if v is None else _intish(_num(v, f"Minimum of {k}"))) for k, v in self.bands.items()}
        _check_bands(self.dimension, new)
        old = dict(getattr(model.grades, self.dimension))
        old_cells = None if model.grades.mql_cells is None else list(model.grades.mql_cells)
        setattr(model.grades, self.dimension, new)
        if not self.keep_cells:
            model.grades.mql_cells = None if self.mql_cells is None else list(self.mql_cells)
        elif model.grades.mql_cells is not None:
            valid = {f + e for f in model.grades.fit for e in model.grades.engagement}
            model.grades.mql_cells = [c for c in model.grades.mql_cells if c in valid]
        return SetGradeBands(self.dimension, old, old_cells, keep_cells=False)


@dataclass
class SetMqlCells(Command):
    """Only leads graded in one of ``cells`` can be MQL (``None``: any grade)."""

    cells: list[str] | None
    scope: ClassVar[str] = "grades"

    @property
    def text(self) -> str:
        return "Allow MQLs from any grade" if self.cells is None else f"MQL grades: {', '.join(self.cells) or 'none'}"

    def _apply(self, model: ScoringModel) -> Command:
        if self.cells is not None:
            valid = [f + e for f in model.grades.fit for e in model.grades.engagement]
            for c in self.cells:
                if c not in valid:
                    raise CommandError(f"'{c}' is not a grade cell.{M_did_you_mean(c, valid)}")
        old = None if model.grades.mql_cells is None else list(model.grades.mql_cells)
        model.grades.mql_cells = None if self.cells is None else list(self.cells)
        return SetMqlCells(old)


@dataclass
class SetCap(Command):
    """Set or remove a cap. ``kind``: ``dimension`` (name fit/engagement), ``group`` or ``score_range``.

    ``minimum``/``maximum`` ``None`` both: remove the cap.
    """

    kind: str
    name: str | None
    minimum: float | None
    maximum: float | None
    scope: ClassVar[str] = "caps"

    @property
    def text(self) -> str:
        what = "score range" if self.kind == "score_range" else f"{self.name} cap"
        if self.minimum is None and self.maximum is None:
            return f"Remove the {what}"
        return f"Set the {what} to {_fmt(self.minimum)}..{_fmt(self.maximum)}"

    @property
    def merge_key(self) -> Any:
        return ("cap", self.kind, self.name)

    def _apply(self, model: ScoringModel) -> Command:
        lo = _opt_num(self.minimum, "The minimum")
        hi = _opt_num(self.maximum, "The maximum")
        lo = None if lo is None else _intish(lo)
        hi = None if hi is None else _intish(hi)
        if lo is not None and hi is not None and lo > hi:
            raise CommandError(f"the minimum ({_fmt(lo)}) is above the maximum ({_fmt(hi)})")
        rng = None if lo is None and hi is None else Range(lo, hi)
        if self.kind == "score_range":
            old = model.score_range
            model.score_range = rng
            return SetCap("score_range", None, None if old is None else old.min, None if old is None else old.max)
        if self.kind == "dimension":
            if self.name not in DIMENSIONS:
                raise CommandError(f"dimension caps are for {' or '.join(DIMENSIONS)}")
            table = model.caps.dimensions
        elif self.kind == "group":
            _check_id(self.name, "Group")
            if rng is not None and not any(r.group == self.name for r in model.rules):
                groups = sorted({r.group for r in model.rules if r.group})
                raise CommandError(f"no rule is in group '{self.name}'.{M_did_you_mean(str(self.name), groups)} Set the group on the rules first")
            table = model.caps.groups
        else:
            raise CommandError(f"cap kind must be dimension, group or score_range, not '{self.kind}'")
        old = table.get(self.name)
        keys = list(table)
        if rng is None:
            table.pop(self.name, None)
        else:
            table[self.name] = rng
        inv = _RestoreCaps(self.kind, self.name, copy.deepcopy(old), keys)
        return inv


@dataclass
class _RestoreCaps(Command):
    """Inverse of SetCap on a dict of caps: restores the value and the key order."""

    kind: str
    name: str
    old: Range | None
    order: list[str]
    scope: ClassVar[str] = "caps"

    @property
    def text(self) -> str:
        return f"Restore the {self.name} cap"

    def _apply(self, model: ScoringModel) -> Command:
        table = model.caps.dimensions if self.kind == "dimension" else model.caps.groups
        cur = table.get(self.name)
        keys = list(table)
        if self.old is None:
            table.pop(self.name, None)
        else:
            table[self.name] = copy.deepcopy(self.old)
            ordered = {k: table[k] for k in self.order if k in table}
            ordered.update({k: v for k, v in table.items() if k not in ordered})
            table.clear()
            table.update(ordered)
        return _RestoreCaps(self.kind, self.name, copy.deepcopy(cur), keys)


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
        return f"Set {self.field} of {self.attribute} to {_fmt(self.value)}"

    def _apply(self, model: ScoringModel) -> Command:
        a = model.attribute(self.attribute)
        if a is None:
            raise CommandError(f"there is no attribute '{self.attribute}'")
        f, v = self.field, self.value
        if f == "description":
            old = a.description
            a.description = _opt_text(v)
            return SetAttribute(a.name, "description", old)
        if f == "format":
            v = _opt_text(v)
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
                        _check_rule(model, r, others=False)
                if model.created_at == a.name and v != "date":
                    raise CommandError(f"{a.name} dates the leads (created_at); it must stay a date")
            except CommandError as e:
                _restore(model, snapshot)
                raise CommandError(f"{a.name} cannot become {v}: {e}. Change or delete those rules first") from None
            before = snapshot.attribute(a.name)
            if before.format is not None and a.format is None:
                return Compound([SetAttribute(a.name, "type", before.type), SetAttribute(a.name, "format", before.format)],
                                f"Set type of {a.name} to {before.type}")
            return SetAttribute(a.name, "type", before.type)
        if f == "name":
            new = _check_id(v, "Attribute name")
            if new == a.name:
                return SetAttribute(a.name, "name", a.name)
            if model.attribute(new) is not None:
                raise CommandError(f"there is already an attribute '{new}'")
            before = copy.deepcopy(model)
            _rename_attribute(model, a.name, new)
            return _RestoreModel(before, f"Rename attribute {new} back to {a.name}", "attributes")
        raise CommandError(f"attributes have no field '{f}'; fields: name, type, kind, description, format")


def _rename_attribute(model: ScoringModel, old: str, new: str) -> None:
    def walk(c):
        if c is None:
            return
        if isinstance(c, Leaf):
            if c.attribute == old:
                c.attribute = new
        elif isinstance(c, M.Not):
            walk(c.item)
        else:
            for i in c.items:
                walk(i)

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


def _restore(model: ScoringModel, snapshot: ScoringModel) -> None:
    """Make ``model`` equal to ``snapshot`` in place (the same object stays referenced)."""
    for k, v in vars(copy.deepcopy(snapshot)).items():
        setattr(model, k, v)


@dataclass
class _RestoreModel(Command):
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
        _restore(model, self.snapshot)
        return _RestoreModel(before, self.label, self.scope_name)


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
        a.name = _check_id(a.name, "Attribute name")
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
            return _RestoreModel(before, f"Restore attribute {self.name}", "attributes")
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
        col = _opt_text(self.column)
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
        v = _opt_text(self.text_value)
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
        return f"Set {self.field.replace('_', ' ')} to {_fmt(self.value)}"

    def change(self, model: ScoringModel) -> Change:
        return Change("changed", "meta", field=self.field)

    def _apply(self, model: ScoringModel) -> Command:
        f, v = self.field, self.value
        if f not in _META_FIELDS:
            raise CommandError(f"unknown model field '{f}'; fields: {', '.join(_META_FIELDS)}")
        old = copy.deepcopy(getattr(model, f))
        if f == "name":
            s = _opt_text(v)
            if s is None:
                raise CommandError("the model needs a name")
            model.name = s
        elif f in ("description", "version"):
            setattr(model, f, _opt_text(v))
        elif f in ("owners", "products"):
            items = [x.strip() for x in v.split(",")] if isinstance(v, str) else [str(x).strip() for x in (v or [])]
            items = [x for x in items if x]
            if f == "products":
                items = [_check_id(x, "Product") for x in items]
                used = sorted({r.product for r in model.rules if r.product and r.product not in items})
                if used:
                    raise CommandError(f"product(s) {', '.join(used)} are still used by rules; change those rules first")
            setattr(model, f, items)
        elif f == "lead_id":
            s = _opt_text(v)
            if s is None:
                raise CommandError("name the file column that holds the lead id")
            model.lead_id = s
        else:  # created_at
            s = _opt_text(v)
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
            col = _opt_text(o.column)
            if col is None:
                raise CommandError("name the column that says a lead converted")
            pos = None if not o.positive else [str(v).strip() for v in o.positive if str(v).strip()]
            after = None if not o.recorded_after else [str(c) for c in o.recorded_after]
            o = M.Outcome(col, pos or None, _opt_text(o.date), after)
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
            raise CommandError(_issue_text(e)) from None
        old = M.to_dict(model)
        _restore(model, M.from_dict(data))
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
