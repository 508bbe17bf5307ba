"""Pieces of the SQL the exports build (sqlglot expressions): literals, boolean combinators, CASE, sums, clips.

Shared by the lead query (:mod:`leaddesigner.core.export.sqlexport`) and the account query
(:mod:`leaddesigner.core.export.account_sql`); every value of a model becomes a quoted literal here.
"""
from __future__ import annotations

import re
from typing import Any

from sqlglot import exp

from leaddesigner.core.model.types import Range
from leaddesigner.core.scoring.conditions import fold_text, scalar_text

__all__ = ["DOUBLE", "TIMESTAMP", "SQLExportError", "alias_name", "and_", "case", "clip", "comment", "double", "not_",
           "not_null", "num_text", "number", "or_", "paren", "scalar_text", "string", "sum_", "text_values"]


class SQLExportError(ValueError):
    """The model cannot be expressed for the requested dialect (the message says why)."""


DOUBLE = exp.DataType.build("DOUBLE")
TIMESTAMP = exp.DataType.build("TIMESTAMP")


def comment(text: str) -> str:
    """Comment text that cannot end (or nest) the block comment it is placed in."""
    text = " ".join(str(text).split())
    while "*/" in text or "/*" in text:
        text = text.replace("*/", "* /").replace("/*", "/ *")
    return text


def num_text(v: float) -> str:
    f = float(v)
    if f != f or f in (float("inf"), float("-inf")):
        raise SQLExportError(f"{v!r} is not a finite number; SQL has no literal for it")
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def double(v: float) -> exp.Expression:
    """A DOUBLE literal (plain numeric literals would be DECIMAL or INTEGER in most warehouses)."""
    return exp.cast(exp.Literal.number(num_text(v)), DOUBLE)


def number(v: float) -> exp.Expression:
    """A numeric literal for comparisons."""
    return exp.Literal.number(num_text(v))


def string(v: str) -> exp.Expression:
    return exp.Literal.string(v)


def paren(e: exp.Expression) -> exp.Expression:
    return exp.Paren(this=e) if isinstance(e, (exp.Connector, exp.Not)) else e


def and_(*items: exp.Expression) -> exp.Expression:
    items = [i for i in items if i is not None]
    if not items:
        return exp.true()
    out = paren(items[0])
    for i in items[1:]:
        out = exp.And(this=out, expression=paren(i))
    return out


def or_(*items: exp.Expression) -> exp.Expression:
    if not items:
        return exp.false()
    out = paren(items[0])
    for i in items[1:]:
        out = exp.Or(this=out, expression=paren(i))
    return out


def not_(e: exp.Expression) -> exp.Expression:
    return exp.Not(this=exp.Paren(this=e) if not isinstance(e, (exp.Paren, exp.Column, exp.Is)) else e)


def not_null(e: exp.Expression) -> exp.Expression:
    return exp.Not(this=exp.Is(this=e, expression=exp.null()))


def case(ifs: list[tuple[exp.Expression, exp.Expression]], default: exp.Expression) -> exp.Expression:
    if not ifs:
        return default
    return exp.Case(ifs=[exp.If(this=c, true=v) for c, v in ifs], default=default)


def sum_(items: list[exp.Expression]) -> exp.Expression:
    """Left-associative sum in the given order (the engine adds in the same order)."""
    out = items[0]
    for i in items[1:]:
        out = exp.Add(this=out, expression=i)
    return out


def clip(e: exp.Expression, r: Range | None, dialect: str) -> exp.Expression:
    """``np.clip`` for a range with optional ends: ``LEAST(GREATEST(e, min), max)``, ``e`` appears once.

    Values are never NULL here; ``ignore_nulls`` only picks the plain rendering
    (DuckDB: GREATEST/LEAST; SQLite: scalar MAX/MIN; T-SQL: SQL Server 2022+).
    """
    if r is None or (r.min is None and r.max is None):
        return e
    plain = dialect == "duckdb"
    if r.min is not None:
        e = exp.Greatest(this=e, expressions=[double(r.min)], ignore_nulls=plain)
    if r.max is not None:
        e = exp.Least(this=e, expressions=[double(r.max)], ignore_nulls=plain)
    return e


def text_values(v: Any, case_sensitive: bool) -> list[str]:
    vals = v if isinstance(v, list) else [v]
    out = [scalar_text(x) for x in vals]
    return out if case_sensitive else fold_text(out)


def alias_name(prefix: str, text: str, used: set[str]) -> str:
    base = prefix + (re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")[:40] or "x")
    name, k = base, 2
    while name in used:
        name, k = f"{base}_{k}", k + 1
    used.add(name)
    return name
