"""Reading a model's YAML safely: plain scalars only (no tags, no objects), and budgets on size, nodes,
depth and alias expansion, so a hostile file (an alias bomb, a 1 GB file) is refused with a clear
error instead of hanging the app.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

from leaddesigner.core.model.errors import ModelError, ModelIssue, SourceLines, path_text

__all__ = ["MAX_MODEL_BYTES", "MAX_NODES", "MAX_DEPTH", "MAX_MAGNITUDE", "parse_yaml"]


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


def parse_yaml(text: str, source: str | None = None) -> tuple[Any, SourceLines]:
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
    lines = SourceLines()
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
