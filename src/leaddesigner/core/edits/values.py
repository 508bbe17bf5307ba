"""Condition values as users type them and as rules store them: operators per attribute type, parsing
typed text, formatting values back, adapting a value when the operator changes.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Iterable

from leaddesigner.core.edits.base import CommandError, M_did_you_mean, is_whole, number_arg
from leaddesigner.core.model.types import (
    ACTIVITY_FIELDS,
    LIST_OPS,
    NO_VALUE_OPS,
    OPERATORS,
    TEXT_OPS,
    ScoringModel,
)

__all__ = [
    "valid_ops",
    "default_op",
    "attr_type",
    "parse_value",
    "quote_known_values",
    "format_value",
    "adapt_value",
]


def valid_ops(atype: str) -> list[str]:
    """Operators that apply to an attribute type, in the order of :data:`OPERATORS`."""
    return [op for op, types in OPERATORS.items() if atype in types]


def default_op(atype: str) -> str:
    return {"number": "gte", "date": "within_days", "boolean": "equals", "text": "contains"}.get(atype, "in")


def attr_type(model: ScoringModel, name: str, activity: bool) -> str:
    if activity:
        if name not in ACTIVITY_FIELDS:
            raise CommandError(f"'{name}' is not an event field; activity rules test {', '.join(ACTIVITY_FIELDS)}")
        return ACTIVITY_FIELDS[name]
    a = model.attribute(name)
    if a is None:
        hint = M_did_you_mean(name, [x.name for x in model.attributes])
        raise CommandError(f"'{name}' is not a declared attribute.{hint or ' Add it on the Attributes tab first.'}")
    return a.type


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
        lo, hi = (number_arg(p, "each end of 'between'") for p in parts)
        if lo > hi:
            lo, hi = hi, lo
        return [is_whole(lo), is_whole(hi)]
    if op in ("in", "not_in") or (op in TEXT_OPS and ("," in s or "\n" in s)):
        # one value per line keeps commas inside values; otherwise commas separate (quotes keep them)
        parts = s.splitlines() if "\n" in s else _split_list(s)
        items = [p.strip().strip('"') if "\n" in s else p.strip() for p in parts if p.strip()]
        if not items:
            raise CommandError(f"'{op}' needs at least one value; separate several with commas")
        if atype == "number":
            return [is_whole(number_arg(p, "each value")) for p in items]
        return items if op not in TEXT_OPS or len(items) > 1 else items[0]
    if op in ("gt", "gte", "lt", "lte", "within_days", "older_than_days"):
        return is_whole(number_arg(s, f"the value of '{op}'"))
    if op in ("before", "after"):
        try:
            return _dt.date.fromisoformat(s[:10]).isoformat()
        except ValueError:
            raise CommandError(f"expected a date like 2026-01-31; found '{s}'") from None
    if not s:
        raise CommandError("the value is empty; type a value or use 'is_empty'")
    if atype == "number":
        return is_whole(number_arg(s, "the value"))
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


def _coerce_value(v: Any, op: str, atype: str) -> Any:
    if op in LIST_OPS:
        if not isinstance(v, (list, tuple)):
            v = [v]
        v = list(v)
        if op == "between" or atype == "number":
            return [is_whole(number_arg(x, "each value")) for x in v]
        return [str(x) for x in v]
    if isinstance(v, (list, tuple)) and op not in TEXT_OPS:
        raise CommandError(f"'{op}' takes one value; use 'in' for a list")
    if atype == "number" or op in ("gt", "gte", "lt", "lte", "within_days", "older_than_days"):
        return is_whole(number_arg(v, f"the value of '{op}'"))
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


def adapt_value(value: Any, old_op: str, new_op: str, atype: str) -> Any:
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
