"""What is wrong with a model file, said so a person can fix it: each issue with its path in the model,
its line and column, and a did-you-mean.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Iterable

__all__ = ["ModelIssue", "ModelError", "did_you_mean", "path_text", "SourceLines"]


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
class SourceLines:
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
