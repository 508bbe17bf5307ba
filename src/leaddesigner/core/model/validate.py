"""Validating a model dict before it becomes a ScoringModel: the JSON Schema (structure and types) and
the checks a schema cannot say (ids that exist, operators that fit an attribute's type, sensible
ranges), each issue with its line in the file.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Iterable

import jsonschema

from leaddesigner.core.model import types as M
from leaddesigner.core.model.errors import ModelError, ModelIssue, SourceLines, did_you_mean, path_text
from leaddesigner.core.model.schema import SCHEMA

__all__ = ["validate_dict"]


# ---------------------------------------------------------------- validation
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys to values",
    "null": "nothing",
}


def _subschema(path: Iterable[Any]) -> dict | None:
    """The schema that applies at ``path`` in a document (follows $ref, properties, items)."""
    s: dict | None = SCHEMA
    for p in path:
        s = _deref(s)
        if s is None:
            return None
        if isinstance(p, int):
            s = s.get("items")
        elif p in s.get("properties", {}):
            s = s["properties"][p]
        elif isinstance(s.get("additionalProperties"), dict):
            s = s["additionalProperties"]
        else:
            return None
    return _deref(s)


def _deref(s: dict | None) -> dict | None:
    while s is not None and "$ref" in s:
        s = SCHEMA["$defs"][s["$ref"].split("/")[-1]]
    return s


def _schema_issues(data: Any, lines: SourceLines) -> list[ModelIssue]:
    issues = []
    for err in _VALIDATOR.iter_errors(data):
        issues.extend(_explain(err, lines))
    # de-duplicate (anyOf branches repeat themselves)
    seen, out = set(), []
    for i in issues:
        if (i.path, i.message) not in seen:
            seen.add((i.path, i.message))
            out.append(i)
    return out


def _explain(err: jsonschema.ValidationError, lines: SourceLines) -> list[ModelIssue]:
    path = tuple(err.absolute_path)
    where = path_text(path)
    line = lines.of(path)
    v = err.validator
    if v == "additionalProperties":
        sub = _subschema(path) or {}
        allowed = list(sub.get("properties", {}))
        out = []
        for key in err.instance:
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                msg = f"unknown key '{key}'." + (hint or f" Allowed here: {', '.join(allowed)}.")
                out.append(ModelIssue(path_text(path + (key,)), msg, lines.of(path + (key,), key=True)))
        return out
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", err.message)
        key = missing[0] if missing else "?"
        return [ModelIssue(where, f"missing required key '{key}'", line)]
    if v == "enum":
        allowed = [str(x) for x in err.validator_value]
        hint = did_you_mean(str(err.instance), allowed)
        return [ModelIssue(where, f"'{err.instance}' is not allowed here.{hint} Expected one of: {', '.join(allowed)}.", line)]
    if v == "type":
        expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in expected)
        return [ModelIssue(where, f"expected {words}, found {_show(err.instance)}", line)]
    if v == "const":
        return [ModelIssue(where, f"expected {err.validator_value!r}, found {_show(err.instance)}", line)]
    if v == "pattern":
        return [
            ModelIssue(
                where,
                f"{_show(err.instance)} is not a valid id: use letters, digits, '_', '-' or '.', starting with a letter",
                line,
            )
        ]
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most", "exclusiveMaximum": "less than"}[v]
        return [ModelIssue(where, f"expected a number {words} {err.validator_value}, found {_show(err.instance)}", line)]
    if v in ("minItems", "minProperties"):
        return [ModelIssue(where, "must not be empty", line)]
    if v == "uniqueItems":
        return [ModelIssue(where, "lists the same item twice", line)]
    if v == "anyOf":
        return [ModelIssue(where, f"expected a value or a list of values, found {_show(err.instance)}", line)]
    if v == "maxLength":
        return [ModelIssue(where, f"is longer than {err.validator_value} characters", line)]
    return [ModelIssue(where, err.message, line)]


def _show(v: Any) -> str:
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if v is None:
        return "nothing"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f"text '{v}'"
    return repr(v)


class _Checker:
    """Cross-reference checks that JSON Schema cannot express."""

    def __init__(self, data: dict, lines: SourceLines):
        self.d = data
        self.lines = lines
        self.issues: list[ModelIssue] = []
        self.attrs = {a["name"]: a for a in data.get("attributes") or []}

    def add(self, path: tuple, message: str, key: bool = False) -> None:
        self.issues.append(ModelIssue(path_text(path), message, self.lines.of(path, key=key)))

    def attribute(self, name: Any, path: tuple) -> dict | None:
        if name in self.attrs:
            return self.attrs[name]
        hint = did_you_mean(name, self.attrs)
        self.add(path, f"'{name}' is not a declared attribute.{hint or ' Declare it under attributes first.'}")
        return None

    def run(self) -> list[ModelIssue]:
        d = self.d
        names = [a["name"] for a in d.get("attributes") or []]
        for i, n in enumerate(names):
            if n in names[:i]:
                self.add(("attributes", i, "name"), f"attribute '{n}' is declared twice")
        for i, a in enumerate(d.get("attributes") or []):
            fmt = a.get("format")
            if fmt is None:
                continue
            allowed = M.DATE_FORMATS if a.get("type") == "date" else M.NUMBER_FORMATS if a.get("type") == "number" else ()
            if fmt not in allowed:
                what = (f"one of {', '.join(allowed)}" if allowed else "none: only date and number attributes have a format")
                self.add(("attributes", i, "format"), f"format '{fmt}' does not fit a {a.get('type')} attribute; expected {what}")
        for i, e in enumerate(d.get("changelog") or []):
            day = e.get("date") if isinstance(e, dict) else None
            if isinstance(day, str) and not M.is_iso_day(day):
                self.add(("changelog", i, "date"), f"'{day}' is not a date; expected YYYY-MM-DD, e.g. 2026-03-31")
        for k in d.get("columns") or {}:
            if k not in self.attrs:
                self.add(("columns", k), f"maps '{k}', which is not a declared attribute.{did_you_mean(k, self.attrs)}", key=True)
        if d.get("created_at") is not None:
            a = self.attribute(d["created_at"], ("created_at",))
            if a is not None and a.get("type") != "date":
                self.add(("created_at",), f"'{d['created_at']}' must be a date attribute, it is declared as {a.get('type')}")
        if d.get("persona"):
            self.attribute(d["persona"]["attribute"], ("persona", "attribute"))
        self.rules()
        self.caps()
        self.grades()
        self.capacity()
        self.recycling()
        self.accounts()
        thr = d.get("thresholds") or {}
        if thr.get("sql") is not None and thr.get("mql") is not None and thr["sql"] < thr["mql"]:
            self.add(("thresholds", "sql"), f"the SQL threshold ({thr['sql']}) is below the MQL threshold ({thr['mql']}); it should be at least as high")
        sr = d.get("score_range")
        if sr:
            self.range(sr, ("score_range",))
            lo, hi = sr.get("min"), sr.get("max")
            for key in ("mql", "sql"):
                t = thr.get(key)
                if not _is_num(t):
                    continue
                if _is_num(hi) and t > hi:
                    self.add(("thresholds", key), f"the {key.upper()} threshold ({t:g}) is above the highest score a lead can have "
                             f"(score_range max {hi:g}): no lead could ever be an {key.upper()}")
                elif _is_num(lo) and t < lo:
                    self.add(("thresholds", key), f"the {key.upper()} threshold ({t:g}) is below the lowest score (score_range min {lo:g}): "
                             f"every lead would be an {key.upper()}")
        return self.issues

    def range(self, r: dict, path: tuple) -> None:
        if path[0] == "caps" and _is_num(r.get("max")) and r["max"] < 0:
            self.add(path + ("max",), f"a cap's max ({r['max']:g}) below 0 would take points away from every lead; "
                     "use a negative rule for that, and a cap of 0 or more")
        if r.get("min") is not None and r.get("max") is not None and r["min"] > r["max"]:
            self.add(path, f"min ({r['min']}) is above max ({r['max']})")

    def rules(self) -> None:
        ids: dict[str, int] = {}
        products = self.d.get("products") or []
        group_dims: dict[str, tuple[str, int]] = {}
        for i, r in enumerate(self.d.get("rules") or []):
            p = ("rules", i)
            rid = r.get("id")
            if rid in ids:
                self.add(p + ("id",), f"rule id '{rid}' is already used by rules[{ids[rid]}]; ids must be unique")
            ids.setdefault(rid, i)
            forms = [k for k in ("when", "map", "activity") if k in r]
            if len(forms) != 1:
                self.add(
                    p,
                    "a rule needs exactly one of 'when' (a condition), 'map' (per-value points) or 'activity' (events)"
                    + (f"; found {', '.join(forms)}" if forms else ""),
                )
            if "when" in r:
                self.condition(r["when"], p + ("when",), activity=False)
                if "points" not in r:
                    self.add(p, "missing required key 'points' (the points a matching lead gets; negative allowed)")
            if "map" in r:
                self.value_map(r["map"], p + ("map",))
                if "points" in r:
                    self.add(p + ("points",), "a 'map' rule takes its points from the map; remove 'points'", key=True)
            if "activity" in r:
                a = r["activity"] or {}
                if "where" in a:
                    self.condition(a["where"], p + ("activity", "where"), activity=True)
                dec = a.get("decay")
                if dec is not None:
                    has_hl, has_lin = "half_life_days" in dec, "linear_pct" in dec
                    if has_hl == has_lin:
                        self.add(p + ("activity", "decay"), "give either half_life_days or linear_pct (with period_days)")
                    elif has_hl and "period_days" in dec:
                        self.add(p + ("activity", "decay", "period_days"), "period_days goes with linear_pct, not half_life_days", key=True)
                if "points" not in r:
                    self.add(p, "missing required key 'points' (points per matching event)")
            if r.get("product") is not None and r["product"] not in products:
                hint = did_you_mean(r["product"], products)
                self.add(p + ("product",), f"product '{r['product']}' is not listed under products.{hint}")
            g = r.get("group")
            if g is not None and r.get("dimension"):
                if g in group_dims and group_dims[g][0] != r["dimension"]:
                    self.add(
                        p + ("group",),
                        f"group '{g}' mixes dimensions: rules[{group_dims[g][1]}] is {group_dims[g][0]}, this rule is {r['dimension']}",
                    )
                group_dims.setdefault(g, (r["dimension"], i))
        self.group_dims = group_dims

    def condition(self, c: dict, path: tuple, activity: bool) -> None:
        forms = [k for k in ("all", "any", "not") if k in c]
        leaf_keys = [k for k in ("attribute", "op", "value", "case_sensitive") if k in c]
        if forms:
            if len(forms) > 1 or leaf_keys:
                self.add(path, "a condition is either a test {attribute, op, value} or one of all/any/not, not both")
                return
            f = forms[0]
            if f == "not":
                self.condition(c["not"], path + ("not",), activity)
            else:
                for j, item in enumerate(c[f]):
                    self.condition(item, path + (f, j), activity)
            return
        for k in ("attribute", "op"):
            if k not in c:
                self.add(path, f"missing required key '{k}' (a test looks like {{attribute: industry, op: in, value: [Software]}})")
                return
        name, op = c["attribute"], c["op"]
        if activity:
            if name not in M.ACTIVITY_FIELDS:
                self.add(
                    path + ("attribute",),
                    f"'{name}' is not an event field.{did_you_mean(name, M.ACTIVITY_FIELDS)} Activity conditions test: "
                    + ", ".join(M.ACTIVITY_FIELDS),
                )
                return
            atype = M.ACTIVITY_FIELDS[name]
        else:
            a = self.attribute(name, path + ("attribute",))
            if a is None:
                return
            atype = a.get("type", "category")
        if op not in M.OPERATORS or atype not in M.ATTRIBUTE_TYPES:
            return  # the schema already reported it (unknown operator or attribute type)
        if atype not in M.OPERATORS[op]:
            valid = [o for o, types in M.OPERATORS.items() if atype in types]
            self.add(path + ("op",), f"'{op}' does not apply to '{name}' ({atype}). Use one of: {', '.join(valid)}")
            return
        self.value(op, c.get("value"), "value" in c, atype, path)

    def value(self, op: str, v: Any, present: bool, atype: str, path: tuple) -> None:
        vp = path + ("value",)
        if op in M.NO_VALUE_OPS:
            if present:
                self.add(vp, f"'{op}' takes no value; remove it", key=True)
            return
        if not present:
            self.add(path, f"missing 'value' for '{op}'")
            return
        if op == "between":
            if not (isinstance(v, list) and len(v) == 2 and all(_is_num(x) for x in v)):
                self.add(vp, f"'between' takes two numbers [low, high], found {_show(v)}")
            elif v[0] > v[1]:
                self.add(vp, f"low ({v[0]}) is above high ({v[1]})")
            return
        if op in ("in", "not_in"):
            if not isinstance(v, list) or not v:
                self.add(vp, f"'{op}' takes a list of values like [A, B], found {_show(v)}")
            elif atype == "number" and not all(_is_num(x) for x in v):
                self.add(vp, "expected a list of numbers")
            return
        if op in ("gt", "gte", "lt", "lte", "within_days", "older_than_days"):
            if not _is_num(v):
                self.add(vp, f"'{op}' takes a number, found {_show(v)}")
            return
        if op in ("before", "after"):
            try:
                _dt.date.fromisoformat(str(v)[:10])
            except ValueError:
                self.add(vp, f"expected a date like 2026-01-31, found {_show(v)}")
            return
        if op in M.TEXT_OPS:
            vals = v if isinstance(v, list) else [v]
            if not vals or not all(isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in vals):
                self.add(vp, f"'{op}' takes text or a list of texts, found {_show(v)}")
                return
            if op == "regex":
                from leaddesigner.core.scoring.conditions import regex_problem

                for x in vals:
                    problem = regex_problem(str(x))
                    if problem is not None:
                        self.add(vp, f"'{x}': {problem}")
            return
        # equals / not_equals
        if isinstance(v, list):
            self.add(vp, f"'{op}' takes one value; use 'in' for a list")
        elif atype == "number" and not _is_num(v):
            self.add(vp, f"expected a number, found {_show(v)}")
        elif atype == "boolean" and not isinstance(v, bool):
            self.add(vp, f"expected true or false, found {_show(v)}")

    def value_map(self, m: dict, path: tuple) -> None:
        a = self.attribute(m["attribute"], path + ("attribute",))
        has_v, has_b = "values" in m, "bins" in m
        if has_v == has_b:
            self.add(path, "a map needs exactly one of 'values' (category -> points) or 'bins' (number ranges -> points)")
            return
        if a is None:
            return
        atype = a.get("type")
        if atype not in M.ATTRIBUTE_TYPES:
            return  # the schema already reported the attribute's type
        if has_b:
            if atype != "number":
                self.add(path + ("bins",), f"bins need a number attribute; '{a['name']}' is {atype}: use 'values'", key=True)
                return
            prev_hi = None
            for j, b in enumerate(m["bins"]):
                lo, hi = b.get("from"), b.get("to")
                if lo is not None and hi is not None and lo >= hi:
                    self.add(path + ("bins", j), f"'from' ({lo}) must be below 'to' ({hi})")
                if j > 0 and (lo is None or prev_hi is None or lo < prev_hi):
                    self.add(path + ("bins", j), "bins must be in ascending order and must not overlap (each 'from' at or above the previous 'to')")
                prev_hi = hi
        elif atype == "number" or atype == "date":
            self.add(path + ("values",), f"values need a category, text or boolean attribute; '{a['name']}' is {atype}: use 'bins'", key=True)

    def caps(self) -> None:
        caps = self.d.get("caps") or {}
        for dim, r in (caps.get("dimensions") or {}).items():
            self.range(r, ("caps", "dimensions", dim))
        groups = getattr(self, "group_dims", {})
        for g, r in (caps.get("groups") or {}).items():
            self.range(r, ("caps", "groups", g))
            if g not in groups:
                hint = did_you_mean(g, groups)
                self.add(("caps", "groups", g), f"no rule is in group '{g}'.{hint or ' Set group on the rules it should cap.'}", key=True)

    def grades(self) -> None:
        g = self.d.get("grades") or {}
        for dim in ("fit", "engagement"):
            bands = g.get(dim)
            if not bands:
                continue
            items = list(bands.items())
            prev = None
            for j, (name, lo) in enumerate(items):
                p = ("grades", dim, name)
                if lo is None and j != len(items) - 1:
                    self.add(p, "only the last band may have no minimum")
                if lo is not None and prev is not None and lo >= prev:
                    self.add(p, f"bands must go from highest to lowest minimum; {lo} is not below {prev}")
                if lo is not None:
                    prev = lo
        fit_bands, eng_bands = list(g.get("fit") or {}), list(g.get("engagement") or {})
        made: dict[str, tuple] = {}
        for f in fit_bands:
            for e in eng_bands:
                cell = f"{f}{e}"
                if cell in made and made[cell] != (f, e):
                    # grade names would repeat (the engine's grade column cannot hold that)
                    self.add(
                        ("grades",),
                        f"grade cell '{cell}' is ambiguous: it is {made[cell][0]} + {made[cell][1]} and {f} + {e}. Rename a band",
                        key=True,
                    )
                made.setdefault(cell, (f, e))
        cells = g.get("mql_cells")
        if cells is not None:
            fit, eng = list((g.get("fit") or {})), list((g.get("engagement") or {}))
            if not fit or not eng:
                self.add(("grades", "mql_cells"), "mql_cells need both fit and engagement bands")
                return
            valid = [f + e for f in fit for e in eng]
            for j, c in enumerate(cells):
                if c not in valid:
                    self.add(("grades", "mql_cells", j), f"'{c}' is not a grade cell.{did_you_mean(c, valid)} Cells combine a fit band and an engagement band, like {valid[0]}")


    def grade_cells(self) -> list[str]:
        g = self.d.get("grades") or {}
        return [f"{f}{e}" for f in (g.get("fit") or {}) for e in (g.get("engagement") or {})]

    def capacity(self) -> None:
        cap = self.d.get("capacity") or {}
        routing = cap.get("routing")
        if routing:
            valid = self.grade_cells()
            if not valid:
                self.add(("capacity", "routing"), "routing lists grade cells, but the model has no grades; add fit and engagement bands under grades")
                return
            for j, c in enumerate(routing):
                if c not in valid:
                    self.add(("capacity", "routing", j), f"'{c}' is not a grade cell.{did_you_mean(str(c), valid)} Cells combine a fit band and an engagement band, like {valid[0]}")
                elif c in routing[:j]:
                    self.add(("capacity", "routing", j), f"'{c}' is listed twice")
        start, hours = cap.get("workday_start"), cap.get("workday_hours")
        if _is_num(start) and _is_num(hours) and start + hours > 24:
            self.add(("capacity", "workday_hours"), f"the working day starts at {start}h and lasts {hours} hours: it must end by midnight (24h)")

    def recycling(self) -> None:
        r = self.d.get("recycling")
        if not isinstance(r, dict):
            return
        for key in ("disqualified", "closed_lost"):
            o = r.get(key)
            if not isinstance(o, dict):
                continue
            date = o.get("date")
            a = self.attrs.get(date)
            if a is not None and a.get("type") != "date":
                self.add(("recycling", key, "date"), f"'{date}' must be a date column, it is declared as {a.get('type')}")
        if not any(r.get(k) is not None for k in ("disqualified", "closed_lost", "no_response_days")):
            self.add(("recycling",), "recycling needs at least one of disqualified, closed_lost or no_response_days", key=True)
        if r.get("response_types") is not None and r.get("no_response_days") is None:
            self.add(("recycling", "response_types"), "response_types only matter with no_response_days; set no_response_days too")


    def accounts(self) -> None:
        a = self.d.get("accounts")
        if not isinstance(a, dict):
            return
        key = a.get("key", "email_domain")
        if key == "email_domain":
            email = a.get("email", "email")
            at = self.attribute(email, ("accounts", "email"))
            if at is not None and at.get("type") not in ("text", "category"):
                self.add(("accounts", "email"), f"'{email}' must be a text attribute with e-mail addresses, it is declared as {at.get('type')}")
        elif "email" in a:
            self.add(("accounts", "email"), "email only matters with key: email_domain; remove it or set key: email_domain", key=True)
        bg = a.get("buying_group")
        if isinstance(bg, dict) and "attribute" in bg:
            self.attribute(bg["attribute"], ("accounts", "buying_group", "attribute"))
        ids: dict[str, int] = {}
        for i, r in enumerate(a.get("rules") or []):
            rid = r.get("id")
            if rid in ids:
                self.add(("accounts", "rules", i, "id"), f"account rule id '{rid}' is already used by accounts.rules[{ids[rid]}]")
            ids.setdefault(rid, i)
            if isinstance(r.get("when"), dict):
                self.condition(r["when"], ("accounts", "rules", i, "when"), activity=False)


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def validate_dict(data: Any, lines: SourceLines | None = None, source: str | None = None) -> None:
    """Raise :class:`ModelError` listing every problem in a (migrated) model dict."""
    lines = lines or SourceLines()
    if not isinstance(data, dict):
        raise ModelError([ModelIssue("", f"expected a mapping of keys (schema_version, name, rules, ...), found {_show(data)}", 1)], source)
    issues = _schema_issues(data, lines)
    # Cross-references are checked even when the structure has problems, so a
    # user sees everything at once; a checker crash on malformed input is moot.
    try:
        reported = {i.path for i in issues}
        issues += [i for i in _Checker(data, lines).run() if i.path not in reported]
    except (TypeError, AttributeError, KeyError, ValueError):
        if not issues:
            raise
    if issues:
        raise ModelError(issues, source)
