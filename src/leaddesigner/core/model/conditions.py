"""The condition language of rules: leaves (attribute, operator, value) combined by all of / any of / not,
their mapping to the YAML structure, the attributes they read and their plain-words text.

Split from :mod:`.types` (which re-exports every name here): the dataclasses of a rule's ``when`` and of an
activity rule's ``where`` are one small language with its own reader and writer."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from leaddesigner.core.model.vocabulary import NO_VALUE_OPS

__all__ = ["plain_value", 'Leaf', 'AllOf', 'AnyOf', 'Not', 'Condition', 'condition_from_dict', 'condition_to_dict', 'condition_attributes', 'condition_text', 'OP_WORDS', 'plain_number', 'leaves']


# ---------------------------------------------------------------- conditions
@dataclass
class Leaf:
    """``attribute op value``. Missing values match nothing but ``is_empty``."""

    attribute: str
    op: str
    value: Any = None
    case_sensitive: bool = False


@dataclass
class AllOf:
    items: list[Condition]


@dataclass
class AnyOf:
    items: list[Condition]


@dataclass
class Not:
    item: Condition


Condition = Leaf | AllOf | AnyOf | Not


def condition_from_dict(d: dict) -> Condition:
    if "all" in d:
        return AllOf([condition_from_dict(c) for c in d["all"]])
    if "any" in d:
        return AnyOf([condition_from_dict(c) for c in d["any"]])
    if "not" in d:
        return Not(condition_from_dict(d["not"]))
    value = d.get("value")
    if isinstance(value, list):
        value = list(value)
    return Leaf(d["attribute"], d["op"], value, bool(d.get("case_sensitive", False)))


def condition_to_dict(c: Condition) -> dict:
    if isinstance(c, AllOf):
        return {"all": [condition_to_dict(i) for i in c.items]}
    if isinstance(c, AnyOf):
        return {"any": [condition_to_dict(i) for i in c.items]}
    if isinstance(c, Not):
        return {"not": condition_to_dict(c.item)}
    out: dict[str, Any] = {"attribute": c.attribute, "op": c.op}
    if c.op not in NO_VALUE_OPS:
        out["value"] = _plain(c.value)
    if c.case_sensitive:
        out["case_sensitive"] = True
    return out


def leaves(c: Condition | None, negated: bool = False) -> Iterator[tuple[Leaf, bool]]:
    """Every leaf of a condition in order, with whether it is negated (inside an odd number of ``not``)."""
    if c is None:
        return
    if isinstance(c, Leaf):
        yield c, negated
    elif isinstance(c, Not):
        yield from leaves(c.item, not negated)
    else:
        for item in c.items:
            yield from leaves(item, negated)


def condition_attributes(c: Condition | None) -> list[str]:
    """Attribute names a condition reads, in order of first use."""
    return list(dict.fromkeys(leaf.attribute for leaf, _ in leaves(c)))


def condition_text(c: Condition | None) -> str:
    """Plain-words rendering, e.g. ``industry in (Software, Finance)``."""
    if c is None:
        return "always"
    if isinstance(c, AllOf):
        return " and ".join(_paren(condition_text(i), i) for i in c.items)
    if isinstance(c, AnyOf):
        return " or ".join(_paren(condition_text(i), i) for i in c.items)
    if isinstance(c, Not):
        return "not " + _paren(condition_text(c.item), c.item)
    words = OP_WORDS.get(c.op, c.op)
    if c.op in NO_VALUE_OPS:
        return f"{c.attribute} {words}"
    if c.op == "between":
        lo, hi = c.value
        return f"{c.attribute} between {plain_number(lo)} and {plain_number(hi)}"
    if c.op in ("within_days", "older_than_days"):
        return f"{c.attribute} {words} {plain_number(c.value)} days"
    if isinstance(c.value, list):
        shown = ", ".join(plain_number(v) for v in c.value)
        return f"{c.attribute} {words} ({shown})"
    return f"{c.attribute} {words} {plain_number(c.value)}"


OP_WORDS = {
    "equals": "is",
    "not_equals": "is not",
    "in": "is one of",
    "not_in": "is none of",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "contains": "contains",
    "not_contains": "does not contain",
    "starts_with": "starts with",
    "ends_with": "ends with",
    "regex": "matches",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
    "within_days": "is within the last",
    "older_than_days": "is older than",
    "before": "is before",
    "after": "is after",
}


def _paren(text: str, c: Condition) -> str:
    return f"({text})" if isinstance(c, (AllOf, AnyOf)) else text


def plain_number(v: Any) -> str:
    """``5.0`` as ``5``, anything else as ``str`` does (rule texts, model diffs)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def plain_value(v: Any) -> Any:
    """Floats that are whole numbers are written as ints: ``10`` not ``10.0``."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, list):
        return [plain_value(x) for x in v]
    return v


_plain = plain_value
