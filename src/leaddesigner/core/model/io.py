"""Read, validate, migrate and save model files.

Errors are for marketers: every message names the file and YAML line, the key
path (``rules[3].when.op``), what was expected, and a "did you mean" where a
key, operator, attribute or group looks misspelt. All problems are collected,
not just the first. Saving writes a temp file beside the target and renames
it, so a crash never leaves a half-written model.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import jsonschema
import yaml

from leaddesigner.core.model import types as M
from leaddesigner.core.model.schema import SCHEMA


# ---------------------------------------------------------------- errors
@dataclass
class ModelIssue:
    path: str  # e.g. "rules[3].when.op"; "" for the document
    message: str
    line: int | None = None

    def format(self, source: str | None = None) -> str:
        where = source or "model"
        if self.line is not None:
            where += f":{self.line}"
        key = f" {self.path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


class ModelError(ValueError):
    """A model file that cannot be used. ``issues`` lists every problem found."""

    def __init__(self, issues: list[ModelIssue], source: str | None = None):
        self.issues = sorted(issues, key=lambda i: (i.line or 0, i.path))
        self.source = source
        super().__init__(self.format())

    def format(self) -> str:
        n = len(self.issues)
        head = f"{self.source or 'The model'} has {n} problem{'s' if n != 1 else ''}:"
        return "\n".join([head] + ["  " + i.format(self.source) for i in self.issues])


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` did you mean 'x'?`` or ``""``."""
    choices = [c for c in choices if c is not None]
    lower = {c.lower(): c for c in choices}
    if str(word).lower() in lower and str(word) not in choices:
        return f" Did you mean '{lower[str(word).lower()]}'?"
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(str(word).lower(), list(lower), n=1, cutoff=0.6)
        close = [lower[c] for c in close]
    return f" Did you mean '{close[0]}'?" if close else ""


def path_text(path: Iterable[Any]) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


# ---------------------------------------------------------------- YAML with line numbers
class _Lines:
    """Maps key paths to 1-based YAML line numbers (of the value, and of the key)."""

    def __init__(self) -> None:
        self.value: dict[tuple, int] = {}
        self.key: dict[tuple, int] = {}
        #: plain scalars read as numbers, booleans or null: the text as written (for values_as_written)
        self.raw: dict[tuple, str] = {}

    def of(self, path: tuple, key: bool = False) -> int | None:
        path = tuple(path)
        if key and path in self.key:
            return self.key[path]
        while path:
            if path in self.value:
                return self.value[path]
            path = path[:-1]
        return self.value.get((), None)


#: limits that no real model comes near and that stop hostile files early
MAX_MODEL_BYTES = 5_000_000
MAX_NODES = 500_000  # values built, aliases counted each time they are used (an alias bomb expands here)
MAX_DEPTH = 60
#: |numbers| above this are refused: no points, threshold or bound is that large
MAX_MAGNITUDE = 1e12

# YAML 1.2 core schema for plain (unquoted) scalars: `NO`, `yes`, `on`, `off` are text,
# `12:30` is text (no sexagesimal numbers), `0o17` and `0x1F` are the only non-decimal ints
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
#: explicit tags a model may use (all standard); anything else (!!python/..., !!binary, custom) is refused
_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
         "tag:yaml.org,2002:null", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def _plain_scalar(text: str) -> Any:
    """A plain scalar read with YAML 1.2 core-schema rules."""
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if _SPECIAL_FLOAT.match(text):
        return float(text.replace(".", "").lower().replace("inf", "inf").replace("nan", "nan"))
    return text


class _Budget(Exception):
    def __init__(self, message: str, line: int | None):
        self.message, self.line = message, line


#: libyaml's composer where PyYAML has it: linear in the file and limited to 1,000 levels of nesting
#: (the pure-Python scanner takes seconds on 10,000 nested brackets); the same nodes and line marks
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _children(n: yaml.Node) -> list[yaml.Node]:
    if isinstance(n, yaml.MappingNode):
        return [x for kv in n.value for x in kv]
    if isinstance(n, yaml.SequenceNode):
        return list(n.value)
    return []


def _expanded_size(root: yaml.Node) -> int | None:
    """How many values the document holds once every alias is expanded (None: an alias inside itself).

    Counted on the node graph, each shared node once, so a "billion laughs"
    is measured in microseconds instead of being expanded; stops counting
    past :data:`MAX_NODES`.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        n, children_done = stack.pop()
        key = id(n)
        if children_done:
            in_progress.discard(key)
            sizes[key] = total = 1 + sum(sizes[id(c)] for c in _children(n))
            if total > MAX_NODES:
                return total
            continue
        if key in sizes:
            continue
        if key in in_progress:  # met again inside its own subtree
            return None
        in_progress.add(key)
        stack.append((n, True))
        stack.extend((c, False) for c in _children(n) if id(c) not in sizes)
    return sizes[id(root)]


def parse_yaml(text: str, source: str | None = None) -> tuple[Any, _Lines]:
    """Parse YAML into plain data plus line numbers. Duplicate keys are errors.

    Read with YAML 1.2 core-schema semantics (``NO``, ``yes``, ``on``,
    ``12:30`` and ``01234`` are not booleans, times or octal numbers; the text
    as written is kept for :func:`values_as_written`). Hostile input ends in
    a :class:`ModelError` naming the line: files over 5 MB, aliases that
    expand past 500,000 values (a "billion laughs"), an alias inside
    itself, nesting deeper than 60 levels, tags other than the standard
    ones, NaN, infinity and numbers above 10^12.
    """
    if len(text) > MAX_MODEL_BYTES:
        raise ModelError([ModelIssue("", f"the file is {len(text) / 1e6:.0f} MB: a model is a few KB of YAML "
                                         f"(at most {MAX_MODEL_BYTES / 1e6:.0f} MB are read). Is this the right file?", 1)], source)
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.reader.ReaderError as e:  # a control character: binary data, or text from a broken export
        pos = e.position if isinstance(e.position, int) else 0
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        raise ModelError([ModelIssue("", f"column {col} holds a control character (#x{e.character:04x}): a model is plain "
                                         "text. Is this the right file?", line)], source) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e)
        if "maximum nesting depth" in problem:  # libyaml stops at 1,000 levels
            raise ModelError([ModelIssue("", f"the YAML is nested too deeply (a model needs fewer than {MAX_DEPTH} levels)",
                                         line)], source) from None
        context = getattr(e, "context", None)
        msg = f"this is not valid YAML: {problem}" + (f" ({context})" if context else "")
        msg += ". Check indentation (spaces, not tabs) and that every 'key: value' has a space after the colon."
        raise ModelError([ModelIssue("", msg, line)], source) from None
    except RecursionError:
        raise ModelError([ModelIssue("", f"the YAML is nested too deeply (a model needs fewer than {MAX_DEPTH} levels)", 1)], source) from None
    lines = _Lines()
    if node is None:
        raise ModelError([ModelIssue("", "the file is empty: expected a model (schema_version, name, rules, ...)", 1)], source)
    size = _expanded_size(node) if "*" in text else 0  # without an alias ("*name") build() counts as it goes
    if size is None:
        raise ModelError([ModelIssue("", "an alias refers to the value it is part of (a loop)", 1)], source)
    if size > MAX_NODES:
        raise ModelError([ModelIssue("", f"the file expands to more than {MAX_NODES:,} values (aliases used over and over?): "
                                         "a model is far smaller", 1)], source)
    issues: list[ModelIssue] = []
    loader = yaml.SafeLoader("")
    count = [0]
    on_path: set[int] = set()

    def scalar(n: yaml.ScalarNode, path: tuple) -> Any:
        line = n.start_mark.line + 1
        quoted = bool(n.style)  # libyaml writes '' for a plain scalar, PyYAML None
        explicit = n.tag if (not quoted and n.tag != loader.resolve(yaml.ScalarNode, n.value, (True, False))) or (
            quoted and n.tag != "tag:yaml.org,2002:str") else None
        if explicit is not None and explicit not in _TAGS:
            raise _Budget(f"the tag {explicit} is not allowed in a model (only plain values, lists and maps)", line)
        if quoted or explicit == "tag:yaml.org,2002:str":
            value: Any = n.value  # quoted (or !!str): text as written
        elif explicit is not None:
            try:
                value = loader.construct_object(n, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError) as e:
                raise _Budget(f"'{n.value}' cannot be read as {explicit.rsplit(':', 1)[-1]} ({e})", line) from None
        else:
            value = _plain_scalar(n.value)
            if not isinstance(value, str):
                lines.raw[path] = n.value
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            issues.append(ModelIssue(path_text(path), f"'{n.value}' is not a usable number (NaN or infinity); give a finite number", line))
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_MAGNITUDE:
            issues.append(ModelIssue(path_text(path), f"{n.value} is too large for a model (at most {MAX_MAGNITUDE:.0e} in size)", line))
            return None
        return value

    def build(n: yaml.Node, path: tuple) -> Any:
        count[0] += 1
        line = n.start_mark.line + 1
        if count[0] > MAX_NODES:
            raise _Budget(f"the file expands to more than {MAX_NODES:,} values (aliases used over and over?): "
                          "a model is far smaller", line)
        if len(path) > MAX_DEPTH:
            raise _Budget(f"the YAML is nested more than {MAX_DEPTH} levels deep", line)
        if id(n) in on_path:
            raise _Budget("an alias refers to the value it is part of (a loop)", line)
        lines.value[path] = line
        if isinstance(n, yaml.MappingNode):
            if n.tag != "tag:yaml.org,2002:map":
                raise _Budget(f"the tag {n.tag} is not allowed in a model", line)
            on_path.add(id(n))
            try:
                loader.flatten_mapping(n)
            except yaml.YAMLError as e:
                raise _Budget(f"'<<' can only merge maps into a map ({getattr(e, 'problem', e)})", line) from None
            out: dict = {}
            for k, v in n.value:
                if not isinstance(k, yaml.ScalarNode):
                    raise _Budget("a key must be a plain word or text, not a list or a map", k.start_mark.line + 1)
                key = k.value  # keys are names: the text as written ("01234", "no")
                if key in out:
                    issues.append(
                        ModelIssue(path_text(path + (key,)), f"key '{key}' appears twice; keep one", k.start_mark.line + 1)
                    )
                lines.key[path + (key,)] = k.start_mark.line + 1
                out[key] = build(v, path + (key,))
            on_path.discard(id(n))
            return out
        if isinstance(n, yaml.SequenceNode):
            if n.tag != "tag:yaml.org,2002:seq":
                raise _Budget(f"the tag {n.tag} is not allowed in a model", line)
            on_path.add(id(n))
            out_list = [build(v, path + (i,)) for i, v in enumerate(n.value)]
            on_path.discard(id(n))
            return out_list
        return scalar(n, path)

    try:
        data = build(node, ())
    except _Budget as b:
        raise ModelError([ModelIssue("", b.message, b.line)], source) from None
    except RecursionError:
        raise ModelError([ModelIssue("", f"the YAML is nested too deeply (a model needs fewer than {MAX_DEPTH} levels)", 1)], source) from None
    if issues:
        raise ModelError(issues, source)
    if data is None:  # "---" or "~" alone: as empty as an empty file
        raise ModelError([ModelIssue("", "the file is empty: expected a model (schema_version, name, rules, ...)", 1)], source)
    return data, lines


#: attribute types whose rule values are text whatever they look like (``NO``, ``yes``, ``01234``, ``12:30``)
_TEXT_TYPES = ("category", "text")


def values_as_written(data: Any, lines: _Lines) -> list[ModelIssue]:
    """Give category and text rule values back the text the file has (YAML reads ``01234`` as 1234).

    Values of category/text attributes (and of the activity log's type and
    detail) are compared as text, so ``value: [US, NO, 01234, 12:30]`` means
    those four texts. Returns notes for values written as ``true``/``false``
    (earlier versions saved a YAML 1.1 ``NO`` that way): they are read as the
    text ``true``/``false``; the note names the line.
    """
    notes: list[ModelIssue] = []
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        return notes
    types = {a.get("name"): a.get("type") for a in data.get("attributes") or [] if isinstance(a, dict)}
    types.update({"type": "category", "detail": "text"})

    def fix(v: Any, path: tuple) -> Any:
        raw = lines.raw.get(path)
        if isinstance(v, bool):
            text = raw if raw is not None else ("true" if v else "false")
            notes.append(ModelIssue(path_text(path), f"{text} is read as the text '{text}' (this attribute holds text). "
                                    "If you meant a value such as the country code NO, write that value.", lines.of(path)))
            return text
        if raw is not None:
            return raw
        if isinstance(v, (int, float)):
            return str(v)
        return v

    def walk(c: Any, path: tuple, activity: bool) -> None:
        if not isinstance(c, dict):
            return
        for k in ("all", "any"):
            if isinstance(c.get(k), list):
                for i, x in enumerate(c[k]):
                    walk(x, path + (k, i), activity)
        if "not" in c:
            walk(c["not"], path + ("not",), activity)
        attr = c.get("attribute")
        if attr is None or "value" not in c:
            return
        atype = ("category" if attr == "type" else "text") if activity else types.get(attr)
        if atype not in _TEXT_TYPES:
            return
        v = c["value"]
        if isinstance(v, list):
            c["value"] = [fix(x, path + ("value", i)) for i, x in enumerate(v)]
        elif v is not None:
            c["value"] = fix(v, path + ("value",))

    for i, r in enumerate(data["rules"]):
        if not isinstance(r, dict):
            continue
        walk(r.get("when"), ("rules", i, "when"), False)
        act = r.get("activity")
        if isinstance(act, dict):
            walk(act.get("where"), ("rules", i, "activity", "where"), True)
    rec = data.get("recycling")
    if isinstance(rec, dict):
        for key in ("disqualified", "closed_lost"):
            o = rec.get(key)
            if isinstance(o, dict) and isinstance(o.get("values"), list):
                o["values"] = [fix(x, ("recycling", key, "values", j)) for j, x in enumerate(o["values"])]
    out = data.get("outcome")
    if isinstance(out, dict) and isinstance(out.get("positive"), list):
        out["positive"] = [fix(x, ("outcome", "positive", j)) for j, x in enumerate(out["positive"])]
    return notes


# ---------------------------------------------------------------- migrations
#: version N -> function turning a version-N dict into a version-N+1 dict.
#: Add an entry (and a fixture file in tests/fixtures/models/) with every format change.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


def migrate(data: dict, source: str | None = None, lines: _Lines | None = None) -> dict:
    """Bring an older model dict up to the current ``schema_version``."""
    version = data.get("schema_version")
    line = lines.of(("schema_version",)) if lines is not None and "schema_version" in data else None
    if version is None:
        raise ModelError(
            [ModelIssue("schema_version", f"missing: add 'schema_version: {M.SCHEMA_VERSION}' at the top of the file", 1)],
            source,
        )
    if not isinstance(version, int) or version < 1:
        raise ModelError([ModelIssue("schema_version", f"expected a whole number like {M.SCHEMA_VERSION}, found {version!r}", line)], source)
    if version > M.SCHEMA_VERSION:
        raise ModelError(
            [
                ModelIssue(
                    "schema_version",
                    f"this file uses format version {version}, newer than this LeadDesigner "
                    f"(reads up to {M.SCHEMA_VERSION}). Update LeadDesigner to open it.",
                    line,
                )
            ],
            source,
        )
    while data["schema_version"] < M.SCHEMA_VERSION:
        data = MIGRATIONS[data["schema_version"]](data)
    return data


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


def _schema_issues(data: Any, lines: _Lines) -> list[ModelIssue]:
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


def _explain(err: jsonschema.ValidationError, lines: _Lines) -> list[ModelIssue]:
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

    def __init__(self, data: dict, lines: _Lines):
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


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def validate_dict(data: Any, lines: _Lines | None = None, source: str | None = None) -> None:
    """Raise :class:`ModelError` listing every problem in a (migrated) model dict."""
    lines = lines or _Lines()
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


# ---------------------------------------------------------------- public API
def loads_model(text: str, source: str | None = None) -> M.ScoringModel:
    """Parse a model from YAML text.

    Notes that do not stop loading (a ``false`` where a category value
    belongs) are in the returned model's ``load_notes``.
    """
    data, lines = parse_yaml(text, source)
    if isinstance(data, dict):
        data = migrate(data, source, lines)
    notes = values_as_written(data, lines)
    validate_dict(data, lines, source)
    m = M.from_dict(data)
    m.load_notes = [n.format(source) for n in notes]
    unreachable = never_mql(m)
    if unreachable:
        m.load_notes.append(ModelIssue("thresholds.mql", unreachable, lines.of(("thresholds", "mql"))).format(source))
    return m


def highest_score(m: M.ScoringModel) -> float | None:
    """The most points a lead can get from the model (None: unbounded, e.g. activity rules without max_points)."""
    dims: dict[str, float] = {d: 0.0 for d in M.DIMENSIONS}
    groups: dict[tuple[str, str], float] = {}
    for r in m.rules:
        if not r.enabled:
            continue
        if r.kind == "map":
            vals = list((r.map.values or {}).values()) + [b.points for b in (r.map.bins or [])] + [r.map.default]
            best = max([v for v in vals if v is not None] + [0.0])
        elif r.kind == "activity":  # points per event, up to max_points
            if r.points <= 0:
                best = 0.0
            elif r.activity.max_points is None:
                return None
            else:
                best = float(r.activity.max_points)
        else:
            best = max(0.0, r.points)
        if m.persona is not None and r.dimension == "engagement":
            best *= max([1.0, m.persona.default, *m.persona.weights.values()])
        if r.group:
            groups[(r.dimension, r.group)] = groups.get((r.dimension, r.group), 0.0) + best
        else:
            dims[r.dimension] += best
    for (dim, g), v in groups.items():
        cap = m.caps.groups.get(g)
        dims[dim] += min(v, cap.max) if cap is not None and cap.max is not None else v
    total = 0.0
    for dim, v in dims.items():
        cap = m.caps.dimensions.get(dim)
        total += min(v, cap.max) if cap is not None and cap.max is not None else v
    if m.score_range is not None and m.score_range.max is not None:
        total = min(total, m.score_range.max)
    return total


def never_mql(m: M.ScoringModel) -> str:
    """A sentence when no lead can ever reach the MQL threshold (rules, caps and score range allow less), else ""."""
    if not m.rules:
        return ""
    top = highest_score(m)
    if top is None or top >= m.thresholds.mql:
        return ""
    return (f"no lead can become an MQL: the most a lead can score with these rules and caps is {top:g}, "
            f"below the MQL threshold {m.thresholds.mql:g}")


def load_model(path: str | os.PathLike) -> M.ScoringModel:
    """Read and validate a model file. Raises :class:`ModelError` or ``OSError``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise ModelError([ModelIssue("", f"the file is not UTF-8 text (byte {e.start}); save it as UTF-8")], str(p)) from None
    if p.suffix.lower() == ".json":
        import json

        def no_constant(name: str) -> Any:
            raise json.JSONDecodeError(f"{name} is not a usable number", text, 0)

        try:
            data = json.loads(text, parse_constant=no_constant)
        except json.JSONDecodeError as e:
            raise ModelError([ModelIssue("", f"this is not valid JSON: {e.msg}", e.lineno)], str(p)) from None
        if isinstance(data, dict):
            data = migrate(data, str(p))
        validate_dict(data, None, str(p))
        return M.from_dict(data)
    return loads_model(text, str(p))


class YamlDumper(yaml.SafeDumper):
    """Block style for structure; flow style for short leaves like conditions and ranges."""


def _repr_str(dumper: yaml.SafeDumper, s: str) -> yaml.Node:
    style = "|" if "\n" in s else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)


def _is_flat(v: Any) -> bool:
    return not isinstance(v, (dict, list)) or (isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v))


def _repr_dict(dumper: yaml.SafeDumper, d: dict) -> yaml.Node:
    flow = 0 < len(d) <= 4 and all(_is_flat(v) for v in d.values()) and all(
        not (isinstance(v, str) and (len(v) > 40 or "\n" in v)) for v in d.values()
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", d.items(), flow_style=flow)


def _repr_list(dumper: yaml.SafeDumper, items: list) -> yaml.Node:
    flow = all(not isinstance(x, (dict, list)) for x in items) and len(str(items)) < 80
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


YamlDumper.add_representer(str, _repr_str)
YamlDumper.add_representer(dict, _repr_dict)
YamlDumper.add_representer(list, _repr_list)


def dumps_model(m: M.ScoringModel) -> str:
    """The model as YAML text, keys in the canonical order."""
    return yaml.dump(M.to_dict(m), Dumper=YamlDumper, sort_keys=False, allow_unicode=True, width=100)


#: temp files of an interrupted save (kill -9) older than this are removed by the next save in the folder
STALE_TMP_SECONDS = 600


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and a rename.

    Readers see either the old file or the new one, never a partial file.
    A symbolic link is followed (its target is written, the link stays); the
    original's permissions and, where the process may set it, its owner are
    kept. Temp files that an interrupted save left beside the file (a crash,
    ``kill -9``) are removed. A full disk or a folder without write access is
    an ``OSError`` whose message names the file.
    """
    p = Path(path)
    if p.is_symlink():
        p = Path(os.path.realpath(p))
    p.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(p)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    except OSError as e:
        raise OSError(e.errno, f"cannot write {p}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if p.exists():
            st = p.stat()
            os.chmod(tmp, st.st_mode & 0o7777)
            if hasattr(os, "chown"):
                try:
                    os.chown(tmp, st.st_uid, st.st_gid)
                except OSError:
                    pass  # not ours to give away: the owner becomes the writer, as with any editor
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except OSError as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise OSError(e.errno, f"cannot write {p}: {e.strerror or e}") from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _remove_stale_temps(p: Path) -> None:
    """Remove ``.<name>.*.tmp`` files of earlier interrupted saves of ``p`` (older than a few minutes)."""
    import time

    now = time.time()
    try:
        for t in p.parent.glob(f".{p.name}.*.tmp"):
            try:
                if now - t.stat().st_mtime > STALE_TMP_SECONDS:
                    t.unlink()
            except OSError:
                pass
    except OSError:
        pass


def save_model(m: M.ScoringModel, path: str | os.PathLike) -> None:
    """Validate and write the model atomically (YAML, or JSON for a .json path)."""
    data = M.to_dict(m)
    validate_dict(data, None, str(path))
    if Path(path).suffix.lower() == ".json":
        import json

        atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        atomic_write_text(path, dumps_model(m))
