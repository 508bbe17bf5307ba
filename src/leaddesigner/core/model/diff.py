"""What changed between two versions of a model, in words, and what the change does to leads.

One module because every section comparison feeds one list of changes and the
leaf-by-leaf check at the end must know what the sections already described.

:func:`diff_models` compares two :class:`~leaddesigner.core.model.types.ScoringModel`
objects section by section and says what changed the way a reviewer would:
rules added, removed, re-weighted, with conditions changed ("company_size >=
200 -> >= 500"), enabled or disabled, renamed, moved; activity windows, decay,
caps, groups, thresholds, grades, capacity, attributes and column mapping,
definitions, metadata and changelog entries.

Nothing is silently missed: after the specific comparisons, the two models'
``to_dict`` trees are compared leaf by leaf, and every difference that no
specific comparison described is listed as a generic change (its key path,
old and new value). So a field added to the format later still shows up.

What a change does to leads (MQLs gained and lost) is
:mod:`leaddesigner.core.analysis.impact`.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from leaddesigner.core.model import types as M

__all__ = ["Change", "ModelDiff", "SECTIONS", "change_summary", "diff_models"]

#: sections in the order the text lists them, with their headings
SECTIONS: dict[str, str] = {
    "metadata": "Model",
    "definitions": "Definitions",
    "attributes": "Attributes",
    "columns": "Column mapping",
    "activities": "Activity log columns",
    "persona": "Persona weights",
    "products": "Products",
    "rules": "Rules",
    "caps": "Caps",
    "score_range": "Score range",
    "thresholds": "Thresholds",
    "grades": "Grades",
    "capacity": "SDR capacity",
    "recycling": "Recycling",
    "accounts": "Accounts",
    "changelog": "Changelog",
    "other": "Other changes",
}

Path = tuple  # a key path into the model's to_dict tree (rules and attributes keyed by id/name)


@dataclass
class Change:
    """One difference, in words.

    ``kind`` is one of ``added``, ``removed``, ``changed``, ``reweighted``,
    ``condition``, ``enabled``, ``disabled``, ``renamed``, ``moved``.
    ``key`` names the rule, band, field, ... concerned; ``old``/``new`` are plain
    (JSON-ready) values where they make sense.
    """

    section: str
    kind: str
    key: str
    text: str
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict:
        return {"section": self.section, "kind": self.kind, "key": self.key, "text": self.text,
                "old": _jsonable(self.old), "new": _jsonable(self.new)}


@dataclass
class ModelDiff:
    """The differences between two models (``old`` -> ``new``)."""

    old_name: str
    new_name: str
    old_version: str | None
    new_version: str | None
    changes: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the models are the same (as files: the same ``to_dict``)."""
        return not self.changes

    def __len__(self) -> int:
        return len(self.changes)

    def sections(self) -> dict[str, list[Change]]:
        out: dict[str, list[Change]] = {}
        for s in SECTIONS:
            items = [c for c in self.changes if c.section == s]
            if items:
                out[s] = items
        return out

    def text(self) -> str:
        """The changes grouped by section, one line each (what ``leaddesigner diff`` prints)."""
        a, b = _v(self.old_name, self.old_version), _v(self.new_name, self.new_version)
        head = a if a == b else f"{a} -> {b}"
        if self.empty:
            return f"{head}: no differences."
        n = len(self.changes)
        out = [f"{head}: {n} change{'s' if n != 1 else ''}"]
        for s, items in self.sections().items():
            out.append("")
            out.append(f"{SECTIONS[s]}:")
            out.extend(f"  {_MARK.get(c.kind, '~')} {c.text}" for c in items)
        return "\n".join(out)

    def summary(self, max_items: int = 6) -> str:
        """A short summary for a changelog entry: the first changes, then how many more."""
        if self.empty:
            return ""
        items = [c.text for c in self.changes if c.section != "changelog"]
        if not items:
            return ""
        shown = items[:max_items]
        more = len(items) - len(shown)
        return "; ".join(shown) + (f"; and {more} more change{'s' if more != 1 else ''}" if more else "") + "."

    def to_dict(self) -> dict:
        """Plain data (for ``--json``): old/new names and versions, and the list of changes."""
        return {
            "old": {"name": self.old_name, "version": self.old_version},
            "new": {"name": self.new_name, "version": self.new_version},
            "identical": self.empty,
            "changes": [c.to_dict() for c in self.changes],
        }


_MARK = {"added": "+", "removed": "-", "moved": "^", "enabled": "+", "disabled": "-"}


def _v(name: str, version: str | None) -> str:
    return f"'{name}'" + (f" (version {version})" if version else "")


# ---------------------------------------------------------------- formatting helpers
def _n(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return M.plain_number(round(v, 6))
    return str(v)


def _pts(v: float | None) -> str:
    return "none" if v is None else M.signed_number(v)


def _q(s: Any, limit: int = 60) -> str:
    text = " ".join(str(s).split())
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return f"'{text}'"


def _range_text(r: M.Range | None) -> str:
    if r is None or (r.min is None and r.max is None):
        return "none"
    if r.min is not None and r.max is not None:
        return f"{_n(r.min)}..{_n(r.max)}"
    if r.max is not None:
        return f"max {_n(r.max)}"
    return f"min {_n(r.min)}"


def _rule_name(r: M.Rule) -> str:
    return f"{r.id}" if r.label == r.id else f"{r.id} ({r.label})"


def _what(r: M.Rule) -> str:
    """What the rule gives, in words: ``+20 when size >= 200``, ``industry -> Software: +10, ...``."""
    return f"{_pts(r.points)} when {r.describe()}" if r.kind == "condition" else r.describe()


def _rule_summary(r: M.Rule) -> str:
    what = _what(r)
    bits = [r.dimension]
    if r.group:
        bits.append(f"group {r.group}")
    if r.product:
        bits.append(f"product {r.product}")
    if not r.enabled:
        bits.append("disabled")
    return f"{_rule_name(r)} [{', '.join(bits)}]: {what}"


def _condition_change(old: M.Condition | None, new: M.Condition | None) -> str:
    """``company_size >= 200 -> >= 500`` for one test on the same attribute, else both in full."""
    if isinstance(old, M.Leaf) and isinstance(new, M.Leaf) and old.attribute == new.attribute:
        a = old.attribute
        ot, nt = M.condition_text(old), M.condition_text(new)
        if ot.startswith(a + " ") and nt.startswith(a + " "):
            cs = ""
            if old.case_sensitive != new.case_sensitive:
                cs = " (now case-sensitive)" if new.case_sensitive else " (now ignoring case)"
            if ot == nt:
                return f"{ot}{cs}"
            return f"{ot} -> {nt[len(a) + 1:]}{cs}"
    return f"{M.condition_text(old)} -> {M.condition_text(new)}"


# ---------------------------------------------------------------- the comparison
class _Differ:
    def __init__(self, old: M.ScoringModel, new: M.ScoringModel):
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.covered: list[Path] = []

    def add(self, section: str, kind: str, key: str, text: str, old: Any = None, new: Any = None,
            covers: Iterable[Path] = ()) -> None:
        self.changes.append(Change(section, kind, key, text, old, new))
        self.covered.extend(tuple(c) for c in covers)

    def cover(self, *paths: Path) -> None:
        self.covered.extend(tuple(p) for p in paths)

    # -- the sections
    def run(self) -> list[Change]:
        self.metadata()
        self.definitions()
        self.attributes()
        self.columns()
        self.activity_columns()
        self.persona()
        self.products()
        self.rules()
        self.caps()
        self.thresholds()
        self.grades()
        self.capacity()
        self.recycling()
        self.accounts()
        self.changelog()
        self.generic()
        order = list(SECTIONS)
        return sorted(self.changes, key=lambda c: order.index(c.section))  # stable: keeps the order within a section

    def metadata(self) -> None:
        o, n = self.old, self.new
        words = {"name": "Name", "version": "Version", "lead_id": "Lead id column",
                 "created_at": "Creation date attribute", "schema_version": "Format version"}
        for f, label in words.items():
            a, b = getattr(o, f, M.SCHEMA_VERSION), getattr(n, f, M.SCHEMA_VERSION)
            self.cover((f,))
            if a != b:
                self.add("metadata", "changed", f, f"{label}: {_n(a) if f != 'name' else _q(a)} -> {_n(b) if f != 'name' else _q(b)}", a, b)
        self.cover(("description",), ("owners",))
        if (o.description or None) != (n.description or None):
            if not o.description:
                self.add("metadata", "added", "description", f"Description added: {_q(n.description)}", None, n.description)
            elif not n.description:
                self.add("metadata", "removed", "description", "Description removed", o.description, None)
            else:
                self.add("metadata", "changed", "description", f"Description changed: {_q(o.description)} -> {_q(n.description)}",
                         o.description, n.description)
        if o.owners != n.owners:
            self.add("metadata", "changed", "owners",
                     f"Owners: {', '.join(o.owners) or 'none'} -> {', '.join(n.owners) or 'none'}", list(o.owners), list(n.owners))

    def definitions(self) -> None:
        o, n = self.old.definitions, self.new.definitions
        for k in _keys(o, n):
            self.cover(("definitions", k))
            name = k.upper() if k in ("mql", "sql") else k
            if k not in o:
                self.add("definitions", "added", k, f"Definition of {name} added: {_q(n[k])}", None, n[k])
            elif k not in n:
                self.add("definitions", "removed", k, f"Definition of {name} removed", o[k], None)
            elif o[k] != n[k]:
                self.add("definitions", "changed", k, f"Definition of {name} changed: {_q(o[k])} -> {_q(n[k])}", o[k], n[k])

    def attributes(self) -> None:
        o = {a.name: a for a in self.old.attributes}
        n = {a.name: a for a in self.new.attributes}
        for name in _keys(o, n):
            p = ("attributes", name)
            if name not in o:
                a = n[name]
                self.add("attributes", "added", name, f"Attribute {name} added ({a.type}, {a.kind})", None, a.type, covers=[p])
                continue
            if name not in n:
                a = o[name]
                self.add("attributes", "removed", name, f"Attribute {name} removed (was {a.type}, {a.kind})", a.type, None, covers=[p])
                continue
            a, b = o[name], n[name]
            self.cover(p + ("name",))
            for f in ("type", "kind", "description"):
                self.cover(p + (f,))
                va, vb = getattr(a, f), getattr(b, f)
                if (va or None) == (vb or None):
                    continue
                if f != "description":
                    text = f"Attribute {name}: {f} {_n(va)} -> {_n(vb)}"
                elif not va:
                    text = f"Attribute {name}: description added: {_q(vb)}"
                elif not vb:
                    text = f"Attribute {name}: description removed"
                else:
                    text = f"Attribute {name}: description {_q(va)} -> {_q(vb)}"
                self.add("attributes", "changed", f"{name}.{f}", text, va, vb)
        if [a for a in o if a in n] != [a for a in n if a in o]:
            self.add("attributes", "moved", "order", "Attribute order changed", [a for a in o], [a for a in n])

    def columns(self) -> None:
        o, n = self.old.columns, self.new.columns
        for k in _keys(o, n):
            self.cover(("columns", k))
            a, b = o.get(k, k), n.get(k, k)  # unmapped: the column has the attribute's name
            if a != b:
                self.add("columns", "changed", k, f"Attribute {k} is read from column '{b}' (was '{a}')", a, b)

    def activity_columns(self) -> None:
        o, n = self.old.activities, self.new.activities
        self.cover(("activities",))
        if o is None and n is None:
            return
        oc, nc = o or M.ActivityColumns(), n or M.ActivityColumns()
        for f in ("lead_id", "timestamp", "type", "detail"):
            a, b = getattr(oc, f), getattr(nc, f)
            if a != b:
                self.add("activities", "changed", f, f"Activity log column for {f}: {_n(a)} -> {_n(b)}", a, b)
        if (o is None) != (n is None) and all(getattr(oc, f) == getattr(nc, f) for f in ("lead_id", "timestamp", "type", "detail")):
            self.add("activities", "added" if o is None else "removed",
                     "activities", f"Activity log columns {'stated' if o is None else 'no longer stated'} (the defaults)", None, None)

    def persona(self) -> None:
        o, n = self.old.persona, self.new.persona
        self.cover(("persona",))
        if o is None and n is None:
            return
        if o is None or n is None:
            p = n or o
            assert p is not None
            w = ", ".join(f"{k} x{_n(v)}" for k, v in p.weights.items())
            if o is None:
                self.add("persona", "added", "persona", f"Persona weighting added: {p.attribute} ({w})", None, p.attribute)
            else:
                self.add("persona", "removed", "persona", f"Persona weighting removed (was {p.attribute}: {w})", p.attribute, None)
            return
        if o.attribute != n.attribute:
            self.add("persona", "changed", "attribute", f"Persona attribute: {o.attribute} -> {n.attribute}", o.attribute, n.attribute)
        for k in _keys(o.weights, n.weights):
            a, b = o.weights.get(k), n.weights.get(k)
            if a == b:
                continue
            if a is None:
                self.add("persona", "added", k, f"Persona {k}: weight x{_n(b)} added", None, b)
            elif b is None:
                self.add("persona", "removed", k, f"Persona {k}: weight removed (was x{_n(a)})", a, None)
            else:
                self.add("persona", "reweighted", k, f"Persona {k}: weight x{_n(a)} -> x{_n(b)}", a, b)
        if o.default != n.default:
            self.add("persona", "reweighted", "default", f"Persona default weight: x{_n(o.default)} -> x{_n(n.default)}", o.default, n.default)

    def products(self) -> None:
        o, n = self.old.products, self.new.products
        self.cover(("products",))
        for p in n:
            if p not in o:
                self.add("products", "added", p, f"Product {p} added", None, p)
        for p in o:
            if p not in n:
                self.add("products", "removed", p, f"Product {p} removed", p, None)
        if [p for p in o if p in n] != [p for p in n if p in o]:
            self.add("products", "moved", "order", f"Product order: {', '.join(o)} -> {', '.join(n)}", list(o), list(n))

    # -- rules
    def rules(self) -> None:
        o = {r.id: r for r in self.old.rules}
        n = {r.id: r for r in self.new.rules}
        for r in self.new.rules:
            if r.id not in o:
                self.add("rules", "added", r.id, f"Rule added: {_rule_summary(r)}", None, M.rule_to_dict(r), covers=[("rules", r.id)])
        for r in self.old.rules:
            if r.id not in n:
                self.add("rules", "removed", r.id, f"Rule removed: {_rule_summary(r)}", M.rule_to_dict(r), None, covers=[("rules", r.id)])
        for r in self.new.rules:
            if r.id in o:
                self.rule(o[r.id], r)
        self.rule_order([r.id for r in self.old.rules if r.id in n], [r.id for r in self.new.rules if r.id in o])

    def rule(self, a: M.Rule, b: M.Rule) -> None:
        p = ("rules", a.id)
        name = _rule_name(b)
        self.cover(p + ("id",))

        def add(kind: str, field_: str, text: str, old: Any = None, new: Any = None, covers: Iterable[Path] = ()) -> None:
            self.add("rules", kind, f"{a.id}.{field_}", f"Rule {name}: {text}", old, new, covers=[p + (field_,), *covers])

        if a.label != b.label:
            add("renamed", "label", f"renamed from {_q(a.label)}", a.label, b.label)
        if a.enabled != b.enabled:
            add("enabled" if b.enabled else "disabled", "enabled", "enabled" if b.enabled else "disabled", a.enabled, b.enabled)
        if a.dimension != b.dimension:
            add("changed", "dimension", f"moved from {a.dimension} to {b.dimension}", a.dimension, b.dimension)
        for f, word in (("group", "group"), ("product", "product")):
            va, vb = getattr(a, f), getattr(b, f)
            self.cover(p + (f,))
            if va != vb:
                add("changed", f, f"{word} {_n(va)} -> {_n(vb)}", va, vb)
        self.cover(p + ("why",))
        if (a.why or None) != (b.why or None):
            add("changed", "why", f"reason changed to {_q(b.why or '')}" if b.why else "reason removed", a.why, b.why)

        if a.kind != b.kind:
            add("condition", "kind", f"now a {b.kind} rule: {_what(a)} -> {_what(b)}", a.kind, b.kind,
                covers=[p + ("when",), p + ("map",), p + ("activity",), p + ("points",)])
            return
        if a.kind == "map":
            self.value_map(a, b, add)
            return
        # condition and activity rules both have points
        self.cover(p + ("points",))
        if a.points != b.points:
            per = "per-event points" if a.kind == "activity" else "points"
            sign = ""
            if (a.points < 0) != (b.points < 0) and a.points != 0 and b.points != 0:
                sign = " (now a negative rule)" if b.points < 0 else " (no longer negative)"
            add("reweighted", "points", f"{per} {_pts(a.points)} -> {_pts(b.points)}{sign}", a.points, b.points)
        if a.kind == "condition":
            self.cover(p + ("when",))
            if a.when != b.when:
                add("condition", "when", f"condition {_condition_change(a.when, b.when)}",
                    M.condition_text(a.when), M.condition_text(b.when))
            return
        self.activity(a, b, add)

    def value_map(self, a: M.Rule, b: M.Rule, add: Any) -> None:
        ma, mb = a.map, b.map
        assert ma is not None and mb is not None
        mp = ("rules", a.id, "map")
        self.cover(mp + ("attribute",), mp + ("values",), mp + ("bins",), mp + ("default",), mp + ("case_sensitive",))
        if ma.attribute != mb.attribute:
            add("condition", "map.attribute", f"maps {mb.attribute} instead of {ma.attribute}", ma.attribute, mb.attribute)
        if ma.values is not None and mb.values is not None:
            for k in _keys(ma.values, mb.values):
                va, vb = ma.values.get(k), mb.values.get(k)
                if va == vb:
                    continue
                if va is None:
                    add("added", "map.values", f"value {k!r} added ({_pts(vb)})", None, vb)
                elif vb is None:
                    add("removed", "map.values", f"value {k!r} removed (was {_pts(va)})", va, None)
                else:
                    add("reweighted", "map.values", f"{ma.attribute} {k}: {_pts(va)} -> {_pts(vb)}", va, vb)
        elif ma.values != mb.values or ma.bins != mb.bins:
            if ma.bins is not None and mb.bins is not None and len(ma.bins) == len(mb.bins) and all(
                (x.lower, x.upper) == (y.lower, y.upper) for x, y in zip(ma.bins, mb.bins)
            ):
                for x, y in zip(ma.bins, mb.bins):
                    if x.points != y.points:
                        add("reweighted", "map.bins", f"{ma.attribute} {M.band_text(x)}: {_pts(x.points)} -> {_pts(y.points)}", x.points, y.points)
            else:
                old_t = a.describe().split(" -> ", 1)[-1]
                new_t = b.describe().split(" -> ", 1)[-1]
                add("condition", "map.bins" if mb.bins is not None else "map.values", f"{mb.attribute} bands {old_t} -> {new_t}", old_t, new_t)
        if ma.default != mb.default:
            add("reweighted", "map.default", f"other values {_pts(ma.default)} -> {_pts(mb.default)}", ma.default, mb.default)
        if ma.case_sensitive != mb.case_sensitive:
            add("condition", "map.case_sensitive", "values now compared case-sensitively" if mb.case_sensitive else "values now compared ignoring case",
                ma.case_sensitive, mb.case_sensitive)

    def activity(self, a: M.Rule, b: M.Rule, add: Any) -> None:
        xa, xb = a.activity, b.activity
        assert xa is not None and xb is not None
        ap = ("rules", a.id, "activity")
        self.cover(ap + ("where",), ap + ("within_days",), ap + ("max_points",), ap + ("decay",))
        if xa.where != xb.where:
            add("condition", "activity.where", f"events {_condition_change(xa.where, xb.where)}",
                M.condition_text(xa.where), M.condition_text(xb.where))
        if xa.within_days != xb.within_days:
            wa = "all time" if xa.within_days is None else f"last {_n(xa.within_days)} days"
            wb = "all time" if xb.within_days is None else f"last {_n(xb.within_days)} days"
            add("condition", "activity.within_days", f"window {wa} -> {wb}", xa.within_days, xb.within_days)
        if xa.max_points != xb.max_points:
            add("reweighted", "activity.max_points", f"max {_n(xa.max_points)} -> {_n(xb.max_points)}", xa.max_points, xb.max_points)
        if xa.decay != xb.decay:
            da = "none" if xa.decay is None else xa.decay.describe()
            db = "none" if xb.decay is None else xb.decay.describe()
            add("reweighted", "activity.decay", f"decay {da} -> {db}", da, db)

    def rule_order(self, old_ids: list[str], new_ids: list[str]) -> None:
        if old_ids == new_ids:
            return
        sm = difflib.SequenceMatcher(a=old_ids, b=new_ids, autojunk=False)
        kept = {old_ids[blk.a + i] for blk in sm.get_matching_blocks() for i in range(blk.size)}
        for rid in new_ids:
            if rid not in kept:
                i, j = old_ids.index(rid), new_ids.index(rid)
                self.add("rules", "moved", rid, f"Rule {rid} moved from position {i + 1} to {j + 1}", i + 1, j + 1)

    # -- totals and bands
    def caps(self) -> None:
        for kind in ("dimensions", "groups"):
            o, n = getattr(self.old.caps, kind), getattr(self.new.caps, kind)
            for k in _keys(o, n):
                self.cover(("caps", kind, k))
                a, b = o.get(k), n.get(k)
                if _range_text(a) == _range_text(b):
                    continue
                what = f"{k.capitalize()} score" if kind == "dimensions" else f"Group '{k}'"
                if a is None:
                    self.add("caps", "added", f"{kind}.{k}", f"{what} capped at {_range_text(b)}", None, _range_text(b))
                elif b is None:
                    self.add("caps", "removed", f"{kind}.{k}", f"{what} cap removed (was {_range_text(a)})", _range_text(a), None)
                else:
                    self.add("caps", "changed", f"{kind}.{k}", f"{what} cap {_range_text(a)} -> {_range_text(b)}", _range_text(a), _range_text(b))
        self.cover(("score_range",))
        a, b = self.old.score_range, self.new.score_range
        if _range_text(a) != _range_text(b):
            self.add("score_range", "changed", "score_range", f"Score kept within {_range_text(a)} -> {_range_text(b)}",
                     _range_text(a), _range_text(b))

    def thresholds(self) -> None:
        o, n = self.old.thresholds, self.new.thresholds
        self.cover(("thresholds", "mql"), ("thresholds", "sql"))
        if o.mql != n.mql:
            self.add("thresholds", "changed", "mql", f"MQL threshold {_n(o.mql)} -> {_n(n.mql)}", o.mql, n.mql)
        if o.sql != n.sql:
            self.add("thresholds", "changed", "sql", f"SQL threshold {_n(o.sql)} -> {_n(n.sql)}", o.sql, n.sql)

    def grades(self) -> None:
        for dim in ("fit", "engagement"):
            o, n = getattr(self.old.grades, dim), getattr(self.new.grades, dim)
            for k in _keys(o, n):
                self.cover(("grades", dim, k))
                if k not in o:
                    self.add("grades", "added", f"{dim}.{k}", f"{dim.capitalize()} band {k} added (from {_n(n[k])})", None, n[k])
                elif k not in n:
                    self.add("grades", "removed", f"{dim}.{k}", f"{dim.capitalize()} band {k} removed (was from {_n(o[k])})", o[k], None)
                elif o[k] != n[k]:
                    self.add("grades", "changed", f"{dim}.{k}", f"{dim.capitalize()} band {k} starts at {_n(n[k])} (was {_n(o[k])})", o[k], n[k])
            if [k for k in o if k in n] != [k for k in n if k in o]:
                self.add("grades", "moved", f"{dim}.order", f"{dim.capitalize()} band order: {', '.join(o)} -> {', '.join(n)}", list(o), list(n))
        self.cover(("grades", "mql_cells"))
        a, b = self.old.grades.mql_cells, self.new.grades.mql_cells
        if a != b:
            if a is None:
                self.add("grades", "changed", "mql_cells", f"Only grades {', '.join(b or [])} can be MQL (any grade before)", None, b)
            elif b is None:
                self.add("grades", "changed", "mql_cells", f"Any grade can be MQL (was only {', '.join(a)})", a, None)
            else:
                plus = [c for c in b if c not in a]
                minus = [c for c in a if c not in b]
                parts = ([f"added {', '.join(plus)}"] if plus else []) + ([f"removed {', '.join(minus)}"] if minus else [])
                self.add("grades", "changed", "mql_cells", "MQL grade cells: " + ("; ".join(parts) or "reordered"), a, b)

    def capacity(self) -> None:
        import dataclasses

        o, n = self.old.capacity, self.new.capacity
        last = None
        for f in dataclasses.fields(M.Capacity):  # every field, also those added to the format later
            name = f.name
            word = _CAPACITY_WORDS.get(name, name.replace("_", " "))
            self.cover(("capacity", name))
            a, b = getattr(o, name), getattr(n, name)
            if a == b:
                continue
            shown = (", ".join(a) if isinstance(a, list) else _n(a), ", ".join(b) if isinstance(b, list) else _n(b))
            self.add("capacity", "changed", name, f"{word[0].upper() + word[1:]}: {shown[0] or 'none'} -> {shown[1] or 'none'}",
                     _jsonable(a), _jsonable(b))
            if name in _VOLUME_FIELDS:
                last = self.changes[-1]
        if last is not None and o.per_week != n.per_week:  # what the team can follow up, per week
            last.text += f" (capacity {_n(o.per_week)} -> {_n(n.per_week)} leads per week)"

    def recycling(self) -> None:
        """Recycling settings in words; the outcome rules (column, values, date) go to the generic pass."""
        o, n = self.old.recycling, self.new.recycling
        if o is None and n is None:
            return
        if o is None or n is None:
            self.cover(("recycling",))
            what = "added: MQLs can now go back to nurture and re-MQL" if o is None else "removed: MQLs no longer recycle"
            self.add("recycling", "added" if o is None else "removed", "recycling", f"Recycling {what}",
                     None if o is None else _jsonable(M.to_dict(self.old).get("recycling")),
                     None if n is None else _jsonable(M.to_dict(self.new).get("recycling")))
            return
        for name, word in _RECYCLING_WORDS.items():
            a, b = getattr(o, name), getattr(n, name)
            self.cover(("recycling", name))
            if a == b:
                continue
            shown = [", ".join(v) if isinstance(v, list) else ("yes" if v is True else "no" if v is False else _n(v))
                     for v in (a, b)]
            self.add("recycling", "changed", name, f"{word}: {shown[0] or 'none'} -> {shown[1] or 'none'}",
                     _jsonable(a), _jsonable(b))

    def accounts(self) -> None:
        """The accounts section added or removed as one change; its settings otherwise in the generic pass."""
        o, n = self.old.accounts, self.new.accounts
        if o is not None and n is not None:  # account rules by id, in words; the other settings in the generic pass
            self.cover(("accounts", "rules"))
            old_rules, new_rules = {r.id: r for r in o.rules}, {r.id: r for r in n.rules}
            for rid in _keys(old_rules, new_rules):
                a, b = old_rules.get(rid), new_rules.get(rid)
                name = _q((b or a).label or rid)
                if a is None or b is None:
                    r = b or a
                    text = f"Account rule {name} {'added' if a is None else 'removed'}: {_pts(r.points)} when {M.condition_text(r.when)}"
                    self.add("accounts", "added" if a is None else "removed", rid, text, None if a is None else _pts(a.points),
                             None if b is None else _pts(b.points))
                elif a != b:
                    parts = [f"points {_pts(a.points)} -> {_pts(b.points)}"] if a.points != b.points else []
                    if a.when != b.when:
                        parts.append(f"condition {M.condition_text(a.when)} -> {M.condition_text(b.when)}")
                    if a.enabled != b.enabled:
                        parts.append("enabled" if b.enabled else "disabled")
                    if a.label != b.label:
                        parts.append(f"renamed from {_q(a.label or rid)}")
                    self.add("accounts", "changed", rid, f"Account rule {name}: {'; '.join(parts)}", _pts(a.points), _pts(b.points))
            return
        if o is None and n is None:
            return
        self.cover(("accounts",))
        what = f"added: MQA at {_n(n.mqa)}" if o is None else "removed"
        self.add("accounts", "added" if o is None else "removed", "accounts", f"Accounts section {what}",
                 None if o is None else _jsonable(M.to_dict(self.old).get("accounts")),
                 None if n is None else _jsonable(M.to_dict(self.new).get("accounts")))

    def changelog(self) -> None:
        self.cover(("changelog",))
        o = [(e.date, e.author, e.note) for e in self.old.changelog]
        n = [(e.date, e.author, e.note) for e in self.new.changelog]
        for e in n:
            if e not in o:
                self.add("changelog", "added", e[0], f"Entry added: {e[0]} {e[1]}: {_q(e[2], 80)}", None,
                         {"date": e[0], "author": e[1], "note": e[2]})
        for e in o:
            if e not in n:
                self.add("changelog", "removed", e[0], f"Entry removed: {e[0]} {e[1]}: {_q(e[2], 80)}",
                         {"date": e[0], "author": e[1], "note": e[2]}, None)

    # -- anything else
    def generic(self) -> None:
        """Every leaf of the to_dict trees that differs and that no comparison above described."""
        a, b = _flatten(M.to_dict(self.old)), _flatten(M.to_dict(self.new))
        covered = set(self.covered)
        for path in sorted(set(a) | set(b), key=lambda p: [str(x) for x in p]):
            va, vb = a.get(path, _MISSING), b.get(path, _MISSING)
            if va == vb and type(va) is type(vb):
                continue
            if any(path[:i] in covered for i in range(1, len(path) + 1)):
                continue
            section = path[0] if path and path[0] in SECTIONS else "other"
            key = ".".join(str(x) for x in path)
            if va is _MISSING:
                self.add(section, "added", key, f"{key} set to {_show(vb)}", None, vb)
            elif vb is _MISSING:
                self.add(section, "removed", key, f"{key} removed (was {_show(va)})", va, None)
            else:
                self.add(section, "changed", key, f"{key}: {_show(va)} -> {_show(vb)}", va, vb)


_MISSING = object()

_CAPACITY_WORDS = {
    "sdrs": "SDRs",
    "leads_per_sdr_per_week": "leads per SDR per week",
    "leads_per_sdr_per_day": "leads per SDR per day",
    "sla_hours": "follow-up SLA (hours)",
    "sla_target": "share of MQLs to follow up within the SLA",
    "sla_working_hours": "SLA counts working hours only",
    "working_days": "working days per week",
    "workday_start": "workday starts at (hour)",
    "workday_hours": "hours per workday",
    "routing": "grade cells worked first",
    "order": "queue order",
}
_RECYCLING_WORDS = {
    "no_response_days": "Recycle an MQL after this many days without a response",
    "response_types": "Events that count as a response",
    "cooldown_days": "Days before a recycled lead may re-MQL",
    "reset_engagement": "Engagement points start again after a recycle",
}
#: capacity fields that change how many leads the team follows up per week
_VOLUME_FIELDS = ("sdrs", "leads_per_sdr_per_week", "leads_per_sdr_per_day", "working_days")


def _keys(a: dict, b: dict) -> list:
    """Keys of both dicts: those of ``b`` in its order, then those only in ``a``."""
    return list(b) + [k for k in a if k not in b]


def _show(v: Any) -> str:
    if isinstance(v, str):
        return _q(v)
    return json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (list, dict)) else _n(v)


def _flatten(d: Any, path: Path = ()) -> dict[Path, Any]:
    """Leaves of a to_dict tree; rules keyed by id and attributes by name, other lists are leaves."""
    out: dict[Path, Any] = {}
    if isinstance(d, dict):
        if not d and path:
            out[path] = {}
        for k, v in d.items():
            out.update(_flatten(v, path + (k,)))
    elif isinstance(d, list) and path in (("rules",), ("attributes",)):
        key = "id" if path == ("rules",) else "name"
        for item in d:
            out.update(_flatten(item, path + (str(item.get(key)),)))
    else:
        out[path] = d
    return out


def _jsonable(v: Any) -> Any:
    try:
        json.dumps(v)
        return v
    except TypeError:
        return str(v)


def diff_models(old: M.ScoringModel, new: M.ScoringModel) -> ModelDiff:
    """What changed from ``old`` to ``new``, section by section (see the module docstring).

    Parameters
    ----------
    old, new : ScoringModel

    Returns
    -------
    ModelDiff
        ``.changes`` (each a :class:`Change`), ``.empty``, ``.text()``,
        ``.summary()`` and ``.to_dict()``.
    """
    changes = _Differ(old, new).run()
    return ModelDiff(old.name, new.name, old.version, new.version, changes)


def change_summary(old: M.ScoringModel | None, new: M.ScoringModel, max_items: int = 6) -> tuple[str, list[str]]:
    """(a one-paragraph summary for the note, every change as a line) between the saved and current model."""
    if old is None:
        n = len(new.rules)
        return f"New model '{new.name}' with {n} rule{'s' if n != 1 else ''}.", []
    d = diff_models(old, new)
    lines = [c.text for c in d.changes if c.section != "changelog"]
    return d.summary(max_items), lines
