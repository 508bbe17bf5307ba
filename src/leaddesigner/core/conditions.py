"""Vectorised evaluation of conditions and value maps over whole columns.

Contract: every function returns one value per row and never loops over rows in
Python. Categorical columns are evaluated on their categories (a few hundred
strings) and broadcast through the codes, which is what makes text operators
cheap on millions of rows. Missing values match nothing except ``is_empty``;
``not`` negates its child row by row (so ``not (x in [a])`` is true for a
missing x, while ``x not_in [a]`` is false).
"""
from __future__ import annotations

import re
import warnings
from typing import Any, Callable

import numpy as np
import pandas as pd

from .model import AllOf, AnyOf, Bin, Condition, Leaf, Not, ValueMap

DAY_NS = 86_400 * 10**9

#: name -> (series, attribute type)
Accessor = Callable[[str], tuple[pd.Series, str]]


def evaluate(cond: Condition, column: Accessor, n: int, as_of_ns: int | np.ndarray) -> np.ndarray:
    """Boolean mask of the rows where ``cond`` holds.

    ``as_of_ns`` is the scoring moment (epoch nanoseconds), one for all rows or one per row.
    """
    if isinstance(cond, AllOf):
        out = np.ones(n, dtype=bool)
        for c in cond.items:
            out &= evaluate(c, column, n, as_of_ns)
        return out
    if isinstance(cond, AnyOf):
        out = np.zeros(n, dtype=bool)
        for c in cond.items:
            out |= evaluate(c, column, n, as_of_ns)
        return out
    if isinstance(cond, Not):
        return ~evaluate(cond.item, column, n, as_of_ns)
    series, atype = column(cond.attribute)
    return leaf_mask(series, atype, cond, as_of_ns)


def leaf_mask(s: pd.Series, atype: str, c: Leaf, as_of_ns: int) -> np.ndarray:
    op, v = c.op, c.value
    if op == "is_empty":
        return s.isna().to_numpy()
    if op == "is_not_empty":
        return s.notna().to_numpy()
    if atype == "number":
        return _number(np.asarray(s.to_numpy(dtype="float64", na_value=np.nan)), op, v)
    if atype == "date":
        return _date(s, op, v, as_of_ns)
    if atype == "boolean":
        b = s.astype("boolean")
        eq = (b == bool(v)).fillna(False).to_numpy(dtype=bool)
        if op == "equals":
            return eq
        return (~eq) & b.notna().to_numpy()
    return _text(s, op, v, c.case_sensitive)


def _number(x: np.ndarray, op: str, v: Any) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        if op == "equals":
            return x == float(v)
        if op == "not_equals":
            return (x != float(v)) & ~np.isnan(x)
        if op == "in":
            return np.isin(x, np.asarray(v, dtype=float))
        if op == "not_in":
            return ~np.isin(x, np.asarray(v, dtype=float)) & ~np.isnan(x)
        if op == "gt":
            return x > v
        if op == "gte":
            return x >= v
        if op == "lt":
            return x < v
        if op == "lte":
            return x <= v
        if op == "between":
            return (x >= v[0]) & (x <= v[1])
    raise ValueError(f"operator {op!r} does not apply to numbers")


def _date(s: pd.Series, op: str, v: Any, as_of_ns: int) -> np.ndarray:
    t = s.to_numpy(dtype="datetime64[ns]").view("int64")
    valid = t != np.iinfo(np.int64).min  # NaT
    if op == "within_days":
        age = as_of_ns - t
        return valid & (age >= 0) & (age <= float(v) * DAY_NS)
    if op == "older_than_days":
        return valid & ((as_of_ns - t) > float(v) * DAY_NS)
    day = pd.Timestamp(str(v)[:10]).value
    if op == "before":
        return valid & (t < day)
    if op == "after":
        return valid & (t >= day + DAY_NS)
    raise ValueError(f"operator {op!r} does not apply to dates")


def _norm_values(v: Any, case_sensitive: bool) -> list[str]:
    vals = v if isinstance(v, list) else [v]
    out = [_scalar_text(x) for x in vals]
    return out if case_sensitive else [x.lower() for x in out]


def _scalar_text(x: Any) -> str:
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _text(s: pd.Series, op: str, v: Any, case_sensitive: bool) -> np.ndarray:
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Series(s.cat.categories.astype(str))
        on_cats = _text_values(cats, op, v, case_sensitive)
        codes = s.cat.codes.to_numpy()
        # code -1 (missing) indexes the appended False
        return np.append(on_cats, False)[codes]
    return _text_values(s, op, v, case_sensitive)


def _text_values(s: pd.Series, op: str, v: Any, case_sensitive: bool) -> np.ndarray:
    present = s.notna().to_numpy()
    if op == "regex":
        flags = 0 if case_sensitive else re.IGNORECASE
        out = np.zeros(len(s), dtype=bool)
        for pat in (v if isinstance(v, list) else [v]):
            with warnings.catch_warnings():
                # pandas warns about capture groups, e.g. "(ceo|cfo)": harmless for a search
                warnings.filterwarnings("ignore", "This pattern is interpreted as a regular expression", UserWarning)
                hit = s.str.contains(str(pat), flags=flags, regex=True)
            out |= hit.fillna(False).to_numpy(dtype=bool)
        return out
    norm = s.astype("str") if s.dtype == object else s
    if not case_sensitive:
        norm = norm.str.lower()
    vals = _norm_values(v, case_sensitive)
    if op in ("equals", "in"):
        return norm.isin(vals).to_numpy(dtype=bool) & present
    if op in ("not_equals", "not_in"):
        return ~norm.isin(vals).to_numpy(dtype=bool) & present
    if op in ("contains", "not_contains"):
        hit = np.zeros(len(s), dtype=bool)
        for x in vals:
            hit |= norm.str.contains(x, regex=False).fillna(False).to_numpy(dtype=bool)
        return hit if op == "contains" else ~hit & present
    if op == "starts_with":
        return norm.str.startswith(tuple(vals)).fillna(False).to_numpy(dtype=bool)
    if op == "ends_with":
        return norm.str.endswith(tuple(vals)).fillna(False).to_numpy(dtype=bool)
    raise ValueError(f"operator {op!r} does not apply to text")


def map_points(s: pd.Series, atype: str, m: ValueMap) -> np.ndarray:
    """Points per row for a value map; missing values get 0, unlisted values ``default``."""
    if m.bins is not None:
        return bin_points(np.asarray(s.to_numpy(dtype="float64", na_value=np.nan)), m.bins, m.default)
    values = m.values or {}
    key = (lambda k: k) if m.case_sensitive else (lambda k: k.lower())
    table = {key(_scalar_text(k)): float(p) for k, p in values.items()}
    if atype == "boolean":
        b = s.astype("boolean")
        t, f = table.get("true", table.get("yes", m.default)), table.get("false", table.get("no", m.default))
        out = np.where(b.fillna(False).to_numpy(dtype=bool), t, f)
        return np.where(b.isna().to_numpy(), 0.0, out)
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, cats = s.cat.codes.to_numpy(), s.cat.categories.astype(str)
    else:
        codes, uniques = pd.factorize(s)
        # numbers read as the YAML keys are written: 1.0 -> "1" (a persona on a number column)
        cats = [_scalar_text(c) for c in uniques]
    per_cat = np.array([table.get(key(c), m.default) for c in cats] + [0.0], dtype=float)
    return per_cat[codes]


def bin_points(x: np.ndarray, bins: list[Bin], default: float) -> np.ndarray:
    lo = np.array([-np.inf if b.lower is None else b.lower for b in bins], dtype=float)
    hi = np.array([np.inf if b.upper is None else b.upper for b in bins], dtype=float)
    pts = np.array([b.points for b in bins], dtype=float)
    idx = np.searchsorted(lo, x, side="right") - 1
    safe = np.clip(idx, 0, len(bins) - 1)
    with np.errstate(invalid="ignore"):
        inside = (idx >= 0) & (x < hi[safe])
    out = np.where(inside, pts[safe], default)
    return np.where(np.isnan(x), 0.0, out)
