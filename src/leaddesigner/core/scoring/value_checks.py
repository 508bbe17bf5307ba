"""Rules whose listed values occur nowhere in the lead file: said, not left silent.

A model written for one CRM meets another's export: HubSpot writes countries
as ``United States``, and a rule ``country is one of US, GB, DE`` then matches
no lead and gives no points. The scores alone never say why; the rules table
shows 0 leads. :func:`values_never_found` names each such rule, the values it
lists, and what the column holds instead (with a hint when the rule lists
codes and the file writes names, or the other way round), so that the user
sees it in the app's Problems tab and in the command line's warnings.

Whether a list matches is the engine's own answer (:func:`conditions.leaf_mask`
of "is one of" on the column's distinct values), so it folds case and Unicode
exactly as scoring does. Only ``equals`` / ``is one of`` conditions
and value maps are checked: a ``contains`` or ``not ...`` that matches nothing
can be what the user wants. A column of text that is not categorical is
checked up to :data:`MAX_TEXT_ROWS` leads, a categorical one up to
:data:`MAX_DISTINCT` distinct values (a value list does not name ids); each column's distinct values are
counted once and kept with the data (the app asks after every edit). The CSV and Parquet readers make repetitive columns,
the ones such rules read, categorical.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from leaddesigner.core.data.reading import Problem
from leaddesigner.core.model.conditions import Leaf, leaves
from leaddesigner.core.model.types import Rule, ScoringModel
from leaddesigner.core.scoring.conditions import leaf_mask, scalar_text

__all__ = ["values_never_found", "count_values", "MAX_TEXT_ROWS", "MAX_DISTINCT", "KIND"]

#: a non-categorical text column with more leads than this is not checked (its distinct values cost too much per edit)
MAX_TEXT_ROWS = 200_000
#: a categorical column with more distinct values than this is not checked (ids, e-mails: not what value lists name)
MAX_DISTINCT = 100_000
#: the Problem kind
KIND = "values_not_found"
_CODE = re.compile(r"^[A-Za-z]{2,3}$")


def values_never_found(model: ScoringModel, data) -> list[Problem]:
    """One problem per enabled rule (and attribute) none of whose listed values any lead has."""
    out: list[Problem] = []
    for r in model.rules:
        if not r.enabled:
            continue
        for attr, values, case_sensitive in _listed(r):
            atype = data.types.get(attr)
            if atype not in ("category", "text") or attr not in data.frame.columns or not values:
                continue
            held = _counted(data, attr)
            if held is None or not len(held.names):
                continue  # not checked, or an empty column (said elsewhere)
            if not held.any_of(values, case_sensitive, atype):
                out.append(_problem(model, r, attr, [scalar_text(v) for v in values], held.names, held.counts))
    return out


def count_values(model: ScoringModel, data) -> None:
    """Count the distinct values of every column the model's value lists read, once, and keep them with the
    data: the load's worker thread does it, so that the app's window only compares them after each edit
    (1M leads: 24 ms that no longer freeze the window when the data arrives)."""
    for r in model.rules:
        for attr, _, _ in _listed(r):
            if data.types.get(attr) in ("category", "text") and attr in data.frame.columns:
                _counted(data, attr)


class _Held:
    """A column's distinct present values, most common first, with how many leads hold each; and which value
    lists match any of them, as the engine matches (asked again after every edit of any rule: kept)."""

    def __init__(self, names: list[str], counts: np.ndarray):
        self.names, self.counts = names, counts
        self._values = pd.Series(names, dtype="str")
        self._answers: dict = {}

    def any_of(self, values: list, case_sensitive: bool, atype: str) -> bool:
        key = (tuple(map(repr, values)), case_sensitive, atype)
        hit = self._answers.get(key)
        if hit is None:  # the engine's own test ("is one of") on the distinct values: its folding, its numbers
            leaf = Leaf("", "in", list(values), case_sensitive)
            hit = bool(leaf_mask(self._values, atype, leaf, 0).any())
            if len(self._answers) >= 256:  # lists edited again and again: keep the recent ones
                self._answers.clear()
            self._answers[key] = hit
        return hit


def _counted(data, attr: str) -> _Held | None:
    key = ("present_values", attr)  # kept with the data: the app asks again after every edit
    if key not in data.cache:
        data.cache[key] = _present(data.frame[attr])
    return data.cache[key]


def _listed(r: Rule) -> list[tuple[str, list, bool]]:
    """(attribute, values, case-sensitive) of each value list a rule's points depend on."""
    if r.map is not None:
        m = r.map
        return [] if m.bins is not None or not m.values else [(m.attribute, list(m.values), m.case_sensitive)]
    if r.when is None or r.activity is not None:
        return []
    found = [(c.attribute, c.value if isinstance(c.value, list) else [c.value], c.case_sensitive)
             for c, negated in leaves(r.when) if c.op in ("equals", "in") and not negated]
    seen: set = set()
    unique = []
    for attr, values, cs in found:  # the same list twice in one rule is said once
        key = (attr, tuple(map(str, values)), cs)
        if key not in seen:
            seen.add(key)
            unique.append((attr, values, cs))
    return unique


def _present(s: pd.Series) -> _Held | None:
    """The distinct values a column holds and how many leads hold each, most common first (None: not checked)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        if len(s.cat.categories) > MAX_DISTINCT:
            return None
        codes = np.asarray(s.array.codes)
        counts = np.bincount(codes[codes >= 0], minlength=len(s.cat.categories))
        names = pd.Index([scalar_text(c) for c in s.cat.categories])
    elif len(s) <= MAX_TEXT_ROWS:
        vc = s.dropna().astype(str).value_counts(sort=False)
        names, counts = pd.Index(vc.index.astype(str)), vc.to_numpy()
    else:
        return None
    keep = (counts > 0) & (names.str.strip() != "")
    order = np.flatnonzero(keep)
    order = order[np.argsort(-counts[order], kind="stable")]  # most common first, ties in the column's order
    return _Held(names[order].tolist(), np.asarray(counts[order], dtype=np.int64))


def _problem(model: ScoringModel, r: Rule, attr: str, wanted: list[str], names: list[str], counts: np.ndarray) -> Problem:
    col = model.column_for(attr)
    listed = ", ".join(wanted[:6]) + (f" and {len(wanted) - 6} more" if len(wanted) > 6 else "")
    held = ", ".join(f"{n} ({int(c):,})" for n, c in zip(names[:6], counts[:6]))
    more = f" and {len(names) - 6:,} other values" if len(names) > 6 else ""
    if r.map is not None:
        effect = f"every lead with a value gets its default ({r.map.default:g} points)"
    else:
        effect = "it gives its points to no lead"
    hint = ""
    codes_listed = all(_CODE.match(w) for w in wanted)
    names_held = sum(int(c) for n, c in zip(names, counts) if not _CODE.match(n)) > 0.8 * int(counts.sum())
    if codes_listed and names_held:
        hint = " The rule lists codes and the file writes names: list the values as the file writes them."
    elif not any(_CODE.match(w) for w in wanted) and not names_held:
        hint = " The file writes codes: list the values as the file writes them."
    label = f"“{r.label}” ({r.id})" if r.label and r.label != r.id else r.id
    message = (f"Rule {label}: none of its values ({listed}) occur in column '{col}', so {effect}. "
               f"The column holds {held}{more}.{hint}")
    return Problem(KIND, col, message, int(counts.sum()), [], rules=[r.id])
