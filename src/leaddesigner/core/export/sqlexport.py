"""Export a scoring model as one SQL query that scores every lead in a warehouse.

One module because the functions build one sqlglot tree together, step by
step in the scoring order, and are proven equal to the engine as one query.

``export_sql(model, dialect=...)`` returns a single ``WITH ... SELECT`` query
that gives, for every row of the leads table, the lead id column first and
then ``score``, ``fit_score``, ``engagement_score``, ``grade``, ``status``
(``'SQL'`` / ``'MQL'`` / ``'lead'``) and ``product_<name>`` per product: the
same columns as :meth:`leaddesigner.core.scoring.engine.Scorer.frame`, numbers rounded
to 2 decimals, following the scoring order of :mod:`leaddesigner.core.model.types`
step by step (rule points, persona weighting, group caps, dimension caps,
score range, grades, ``mql_cells`` gating, products).

The query is built as a sqlglot expression tree and rendered per dialect, so
every value of the model (category names, text patterns, grade names) is a
quoted literal and identifiers are quoted when they need it: a value such as
``O'Brien; DROP TABLE leads --`` is compared literally. Rows come back in no
particular order (add ``ORDER BY`` when you need one).

Assumptions about the tables (the loader or the warehouse provides them):

* the leads table has one row per lead, the model's ``lead_id`` column and one
  column per declared attribute named as in the file (``model.column_for``),
  **typed**: numbers numeric, dates ``TIMESTAMP`` (naive, UTC like the
  engine; ``DATETIME`` in BigQuery), booleans ``BOOLEAN`` (0/1 in SQLite),
  categories and text ``VARCHAR`` already stripped, with missing values as
  ``NULL`` (not ``''``);
* lead ids are unique; a missing or blank id is ``NULL`` and gets no events.
  Were an id repeated, every row with it would get its events (the engine
  gives them to the first row);
* the activities table has the columns named in the model's ``activities``
  section (defaults ``lead_id``, ``timestamp``, ``type``, ``url``), the lead id
  of the same type as in the leads table and the timestamp as ``TIMESTAMP``;
  events of unknown leads are ignored (LEFT JOIN), events with a ``NULL``
  timestamp never count. Without a ``detail`` column, ``detail`` is ``NULL``;
* event ages and date tests are computed at one-second resolution
  (``DATEDIFF(SECOND, ...)``; the engine uses nanoseconds);
* text comparisons are case-insensitive unless a test says ``case_sensitive``,
  with the engine's one folding (:func:`leaddesigner.core.scoring.conditions.fold_arrow`):
  ``LOWER``, then final sigma and sharp s as their base letters; DuckDB also
  normalises to NFC first (``NFC_NORMALIZE``; text whose byte length equals
  its length is ASCII and takes ``LOWER`` alone), the other dialects have no such
  function, so text written in decomposed form (NFD) matches there only when
  the rule is written the same way; SQLite's ``LOWER`` folds ASCII letters only;
* ``regex`` patterns are RE2 (checked when the model loads) and passed through
  to the database's engine (RE2 in DuckDB and BigQuery, POSIX in PostgreSQL
  and Snowflake, Java in Spark: RE2 without look-around is their common
  subset). Snowflake's
  ``REGEXP_LIKE`` matches the whole value, so the pattern is wrapped as
  ``.*(pattern).*``; T-SQL needs SQL Server 2025 / Azure SQL ``REGEXP_LIKE``;
  SQLite has no regular expressions by default: register a ``regexp(pattern,
  value)`` function on the connection (see :func:`sqlite_regexp`), it receives
  ``(?i)`` in front of case-insensitive patterns;
* SQLite needs the math functions ``POWER`` and ``FLOOR`` (built in since
  SQLite 3.35 when compiled with them, as Python's usually is) and timestamps
  stored as ISO text ``YYYY-MM-DD HH:MM:SS[.ffffff]``; T-SQL needs SQL Server
  2022 (``GREATEST``/``LEAST``; ages use ``DATEDIFF_BIG``);
* SQLite and PostgreSQL inline single-use CTEs, which would evaluate every rule
  once per later reference: there the per-rule CTE (``ld_raw``) and the scores
  (``ld_scored``) are ``MATERIALIZED``. Text tested case-insensitively is
  lowered once in a CTE (columns ``ld_lc_<n>`` next to the leads' own columns,
  ``ev_type_lc`` / ``ev_detail_lc`` for events); when every activity rule has a
  window, older events are filtered out before aggregating, with a plain range
  on the timestamp column when ``as_of`` is given (``ts >= <as_of - longest
  window>``: prunable partitions, pushed into the scan; a test reads DuckDB's
  ``EXPLAIN``) and with the age in seconds on the warehouse clock;
* the engine's per-lead scoring moment (``LeadData.horizon_days``, "score each
  lead N days after creation") is not exported: the query scores every lead
  as of one moment;
* the as-of moment is a literal (``as_of``: a date means the end of that day,
  as :func:`leaddesigner.core.scoring.engine.parse_as_of`); with ``as_of=None`` the
  query uses ``CAST(CURRENT_TIMESTAMP AS TIMESTAMP)`` (``GETDATE()`` in T-SQL,
  ``DATETIME`` in BigQuery and SQLite): the warehouse clock in the session time
  zone, so run it in a UTC session for the engine's semantics;
* numbers are rounded to 2 decimals half to even on ``x * 100`` like the
  engine's ``np.round`` in DuckDB (``ROUND_EVEN``) and Spark (``BROUND``); the
  other dialects use ``ROUND`` (half away from zero: 0.01 more on an exact
  half such as 330.125);
* sums of doubles may differ from the engine in the last bits, so a lead
  exactly on a threshold can in theory fall the other side; PostgreSQL
  returns the rounded numbers as ``NUMERIC`` (its ``ROUND`` takes no
  ``DOUBLE PRECISION`` with decimals).
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Iterator
from typing import Any, Callable

import pandas as pd
from sqlglot import exp

from leaddesigner.core.export.sql_parts import (
    TIMESTAMP as _TIMESTAMP,
    SQLExportError,
    alias_name as _alias_name,
    and_ as _and,
    case as _case,
    clip as _clip,
    comment as _comment,
    double as _dbl,
    not_ as _not,
    not_null as _not_null,
    number as _n,
    or_ as _or,
    scalar_text as _scalar_text,
    string as _s,
    sum_ as _sum,
    text_values as _text_values,
)
from leaddesigner.core.model.io import model_hash
from leaddesigner.core.model.types import (
    ACTIVITY_FIELDS,
    ActivityColumns,
    AllOf,
    AnyOf,
    Condition,
    Leaf,
    Not,
    Range,
    Rule,
    ScoringModel,
    ValueMap,
)
from leaddesigner.core.scoring.conditions import fold_text

DIALECTS = ("duckdb", "postgres", "snowflake", "bigquery", "spark", "tsql", "sqlite")
DAY_S = 86_400

__all__ = ["DIALECTS", "SQLExportError", "build_query", "export_sql", "model_hash", "output_columns", "sqlite_regexp"]


# ---------------------------------------------------------------- public API
def _cased_beyond_ascii(text: str) -> bool:
    """Whether ``text`` has a letter with case that SQLite's LOWER leaves alone (ß and ς are folded by REPLACE)."""
    return any(not c.isascii() and c not in "ßς" and c.lower() != c.upper() for c in text)


def folding_notes(model: ScoringModel, dialect: str) -> list[str]:
    """Where ``dialect`` cannot fold text the way the engine does, the rules that it affects (empty: none).

    SQLite's ``LOWER`` folds ASCII letters only, so a case-insensitive test on
    ``ÉCOLE`` or ``ΟΔΟΣ`` matches only the same capitals there; dialects other
    than DuckDB do not normalise to NFC, so a value written decomposed (NFD)
    matches only text written the same way. The CLI prints these as warnings
    and the app's SQL dialog shows them above the query.
    """
    def texts(c: Any) -> Iterator[str]:
        if isinstance(c, Leaf):
            if not c.case_sensitive:
                vals = c.value if isinstance(c.value, list) else [c.value]
                yield from (v for v in vals if isinstance(v, str))
        elif isinstance(c, Not):
            yield from texts(c.item)
        elif isinstance(c, (AllOf, AnyOf)):
            for i in c.items:
                yield from texts(i)

    non_ascii: list[str] = []
    decomposed: list[str] = []
    for r in model.rules:
        values = list(texts(r.when)) + list(texts(r.activity.where if r.activity is not None else None))
        if r.map is not None:
            values += [k for k in (r.map.values or {}) if isinstance(k, str)]
        if dialect == "sqlite" and any(_cased_beyond_ascii(v) for v in values):
            non_ascii.append(r.id)
        if dialect != "duckdb" and any(unicodedata.normalize("NFC", v) != v for v in values):
            decomposed.append(r.id)
    notes = []
    if non_ascii:
        notes.append(f"SQLite's LOWER folds ASCII letters only: rule{'s' if len(non_ascii) > 1 else ''} "
                     f"{', '.join(non_ascii[:8])}{' ...' if len(non_ascii) > 8 else ''} "
                     f"{'test' if len(non_ascii) > 1 else 'tests'} non-ASCII letters (É, İ, Σ ...) and "
                     f"match{'' if len(non_ascii) > 1 else 'es'} there only when the lead's text has the same capitals as the rule.")
    if decomposed:
        notes.append(f"{dialect} does not normalise text: rule{'s' if len(decomposed) > 1 else ''} "
                     f"{', '.join(decomposed[:8])} {'hold' if len(decomposed) > 1 else 'holds'} accents written as separate marks "
                     f"(NFD) and match{'' if len(decomposed) > 1 else 'es'} only text written the same way; retype the values.")
    return notes


def export_sql(
    model: ScoringModel,
    *,
    dialect: str = "duckdb",
    leads_table: str = "leads",
    activities_table: str = "activities",
    as_of: str | pd.Timestamp | None = None,
    pretty: bool = True,
    quote_identifiers: bool = False,
    row_order: str | None = None,
) -> str:
    """The model as one SQL query for ``dialect`` (one of :data:`DIALECTS`).

    ``leads_table`` / ``activities_table`` may be qualified (``schema.table``).
    ``quote_identifiers=True`` quotes every identifier (exact-case match in
    case-sensitive warehouses); by default only names that need it (spaces,
    punctuation, reserved words) are quoted so that e.g. Snowflake's
    upper-cased unquoted columns still resolve. ``row_order`` names a column
    of the leads table (e.g. a row number) by which the rows are returned
    (``ORDER BY``; the column itself is not returned).
    """
    tree = build_query(
        model,
        dialect=dialect,
        leads_table=leads_table,
        activities_table=activities_table,
        as_of=as_of,
        quote_identifiers=quote_identifiers,
        row_order=row_order,
    )
    return tree.sql(dialect=dialect, pretty=pretty)


def build_query(
    model: ScoringModel,
    *,
    dialect: str = "duckdb",
    leads_table: str = "leads",
    activities_table: str = "activities",
    as_of: str | pd.Timestamp | None = None,
    quote_identifiers: bool = False,
    row_order: str | None = None,
) -> exp.Select:
    """The query of :func:`export_sql` as a sqlglot expression tree."""
    if dialect not in DIALECTS:
        raise SQLExportError(f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    return QueryBuilder(model, dialect, leads_table, activities_table, as_of, quote_identifiers, row_order).query()


def output_columns(model: ScoringModel) -> list[str]:
    """Names of the columns the query returns, in order."""
    return [model.lead_id, "score", "fit_score", "engagement_score", "grade", "status"] + [
        f"product_{p}" for p in model.products
    ]




def sqlite_regexp(pattern: str | None, value: Any) -> bool:
    """A ``regexp`` function for SQLite: ``conn.create_function("regexp", 2, sqlite_regexp, deterministic=True)``.

    RE2 semantics (as the engine and DuckDB): linear time on any value, a ``(?i)`` prefix for case.
    """
    if pattern is None or value is None:
        return False
    import pyarrow as pa
    import pyarrow.compute as pc

    return bool(pc.match_substring_regex(pa.array([str(value)], pa.string()), pattern)[0].as_py())


def as_of_literal(as_of: str | pd.Timestamp) -> pd.Timestamp:
    """The as-of moment as a naive UTC timestamp (a date alone means the end of that day)."""
    from leaddesigner.core.scoring.engine import parse_as_of

    if isinstance(as_of, str):
        t = parse_as_of(as_of)
    else:
        t = pd.Timestamp(as_of)
        if t.tzinfo is not None:
            t = t.tz_convert("UTC").tz_localize(None)
    return t


# ---------------------------------------------------------------- helpers
_SIMPLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: words reserved in at least one target dialect; such identifiers are always quoted
_RESERVED = frozenset(
    """
    ALL ALTER AND ANY ARRAY AS ASC ASYMMETRIC AT AUTHORIZATION BETWEEN BOTH BY CASE CAST CHECK COLLATE COLUMN
    CONSTRAINT CREATE CROSS CUBE CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DEFAULT
    DELETE DESC DISTINCT DO DROP ELSE END ESCAPE EXCEPT EXISTS EXTRACT FALSE FETCH FOR FOREIGN FROM FULL GRANT
    GROUP GROUPING HAVING IF ILIKE IN INNER INSERT INTERSECT INTERVAL INTO IS JOIN KEY LATERAL LEADING LEFT LIKE
    LIMIT MERGE MINUS NATURAL NOT NULL OF OFFSET ON ONLY OR ORDER OUTER OVER PARTITION PIVOT PRIMARY QUALIFY
    RANGE RECURSIVE REFERENCES REGEXP RIGHT RLIKE ROLLUP ROW ROWS SAMPLE SELECT SESSION_USER SET SOME SYMMETRIC
    TABLE TABLESAMPLE THEN TO TOP TRAILING TRUE UNION UNIQUE UNNEST UNPIVOT UPDATE USER USING VALUES WHEN WHERE
    WINDOW WITH
    """.split()
)
# ---------------------------------------------------------------- the builder
class QueryBuilder:
    """Builds the lead query. ``extra``: (alias, function of the builder giving an expression over the leads
    table ``l``) for columns carried through every step and returned after the lead's own columns (the
    account export adds its key, buying-group role and account-rule hits this way)."""

    def __init__(self, model: ScoringModel, dialect: str, leads: str, activities: str, as_of, quote_all: bool,
                 row_order: str | None = None, extra: list[tuple[str, Callable[["QueryBuilder"], exp.Expression]]] | None = None):
        self.m = model
        self.extra = list(extra or [])
        self.row_order = row_order
        self.d = dialect
        self.quote_all = quote_all
        self.leads_table = leads
        self.activities_table = activities
        self.as_of_ts = None if as_of is None else as_of_literal(as_of)
        self.types = {a.name: a.type for a in model.attributes}
        self.rules = [r for r in model.rules if r.enabled]
        #: (table alias, column) -> alias of its LOWER(), computed once in the CTE that reads the table
        self.lowered: dict[tuple[str, str], str] = {}

    def lower(self, s: exp.Expression) -> exp.Expression:
        """``LOWER(s)``; for a column of the leads or events, a column holding it (each text lowered once)."""
        if isinstance(s, exp.Column) and s.table in ("l", "e"):
            key = (s.table, s.name)
            alias = self.lowered.get(key)
            if alias is None:
                alias = f"{s.name}_lc" if s.table == "e" else f"ld_lc_{sum(1 for k in self.lowered if k[0] == 'l') + 1}"
                self.lowered[key] = alias
            return exp.Column(this=self.own(alias), table=self.own(s.table))
        return self.fold(s.copy())

    def fold(self, s: exp.Expression) -> exp.Expression:
        """The engine's text folding in SQL (conditions.fold_arrow): LOWER, then ς -> σ and ß -> ss;
        DuckDB also normalises to NFC first (the other dialects have no such function: see the module notes)."""
        inner = exp.Anonymous(this="NFC_NORMALIZE", expressions=[s]) if self.d == "duckdb" else s
        out: exp.Expression = exp.Lower(this=inner)
        for a, b in (("ς", "σ"), ("ß", "ss")):
            out = exp.Anonymous(this="REPLACE", expressions=[out, _s(a), _s(b)])
        if self.d == "duckdb":
            # ASCII text (as many bytes as characters) needs only LOWER, as the engine's fold_arrow takes its
            # ASCII fast path: normalising and the two replacements of every event's text cost the export 1.66x
            # the hand-written query's time (benchmarks/bench_handwritten.py), this test almost nothing
            ascii_ = exp.EQ(this=exp.Anonymous(this="STRLEN", expressions=[s.copy()]), expression=exp.Length(this=s.copy()))
            return exp.Case(ifs=[exp.If(this=ascii_, true=exp.Lower(this=s.copy()))], default=out)
        return out

    # -- identifiers and tables
    def ident(self, name: str) -> exp.Identifier:
        quoted = self.quote_all or not _SIMPLE_NAME.match(name) or name.upper() in _RESERVED
        return exp.to_identifier(name, quoted=quoted)

    @staticmethod
    def own(name: str) -> exp.Identifier:
        """An identifier the exporter made up (always simple lowercase)."""
        return exp.to_identifier(name)

    def col(self, name: str, table: str) -> exp.Column:
        return exp.Column(this=self.ident(name), table=self.own(table))

    @staticmethod
    def ref(name: str, table: str | None = None) -> exp.Column:
        return exp.Column(this=exp.to_identifier(name), table=exp.to_identifier(table) if table else None)

    def table(self, name: str, alias: str) -> exp.Table:
        parts = name.split(".")
        if len(parts) > 3 or not all(parts):
            raise SQLExportError(f"table name {name!r}: expected table, schema.table or catalog.schema.table")
        ids = [self.ident(p) for p in parts]
        kw: dict[str, Any] = {"this": ids[-1]}
        if len(ids) >= 2:
            kw["db"] = ids[-2]
        if len(ids) == 3:
            kw["catalog"] = ids[0]
        return exp.Table(**kw, alias=exp.TableAlias(this=self.own(alias)))

    # -- time
    def as_of(self) -> exp.Expression:
        if self.as_of_ts is None:
            return exp.cast(exp.CurrentTimestamp(), _TIMESTAMP)
        return self.timestamp_literal(self.as_of_ts)

    @staticmethod
    def timestamp_literal(t: pd.Timestamp) -> exp.Expression:
        text = t.strftime("%Y-%m-%d %H:%M:%S") + (f".{t.microsecond:06d}" if t.microsecond else "")
        return exp.cast(_s(text), _TIMESTAMP)

    def age_seconds(self, ts: exp.Expression) -> exp.Expression:
        """Whole seconds from ``ts`` to the as-of moment (positive: ``ts`` is earlier)."""
        if self.d == "sqlite":
            # sqlglot renders DATEDIFF for SQLite through JULIANDAY, whose float error truncates to the wrong second
            def epoch(e: exp.Expression) -> exp.Expression:
                return exp.cast(exp.TimeToStr(this=e, format=_s("%s")), exp.DataType.build("BIGINT"))

            return exp.Sub(this=epoch(self.as_of()), expression=epoch(ts))
        return exp.DateDiff(this=self.as_of(), expression=ts, unit=exp.var("SECOND"), big_int=True)  # DATEDIFF_BIG in T-SQL

    # -- conditions
    def condition(self, c: Condition | None, column: Callable[[str], tuple[exp.Expression, str]]) -> exp.Expression:
        """A predicate that is never NULL: missing values make a test false (``is_empty`` aside)."""
        if c is None:
            return exp.true()
        if isinstance(c, AllOf):
            return _and(*[self.condition(i, column) for i in c.items]) if c.items else exp.true()
        if isinstance(c, AnyOf):
            return _or(*[self.condition(i, column) for i in c.items])
        if isinstance(c, Not):
            return _not(self.condition(c.item, column))
        s, atype = column(c.attribute)
        return self.leaf(s, atype, c)

    def leaf(self, s: exp.Expression, atype: str, c: Leaf) -> exp.Expression:
        op, v = c.op, c.value
        if op == "is_empty":
            return exp.Is(this=s, expression=exp.null())
        if op == "is_not_empty":
            return _not_null(s)
        if atype == "number":
            pred = self.number(s, op, v)
        elif atype == "date":
            pred = self.date(s, op, v)
        elif atype == "boolean":
            if op not in ("equals", "not_equals"):
                raise SQLExportError(f"operator {op!r} does not apply to booleans")
            lit = exp.true() if bool(v) else exp.false()
            pred = exp.EQ(this=s, expression=lit) if op == "equals" else exp.NEQ(this=s, expression=lit)
        else:
            pred = self.text(s, op, v, c.case_sensitive)
        return _and(_not_null(s.copy()), pred)

    def number(self, x: exp.Expression, op: str, v: Any) -> exp.Expression:
        x = x.copy()
        if op == "equals":
            return exp.EQ(this=x, expression=_n(v))
        if op == "not_equals":
            return exp.NEQ(this=x, expression=_n(v))
        if op == "in":
            return exp.In(this=x, expressions=[_n(i) for i in v])
        if op == "not_in":
            return _not(exp.In(this=x, expressions=[_n(i) for i in v]))
        if op == "gt":
            return exp.GT(this=x, expression=_n(v))
        if op == "gte":
            return exp.GTE(this=x, expression=_n(v))
        if op == "lt":
            return exp.LT(this=x, expression=_n(v))
        if op == "lte":
            return exp.LTE(this=x, expression=_n(v))
        if op == "between":
            return _and(exp.GTE(this=x, expression=_n(v[0])), exp.LTE(this=x.copy(), expression=_n(v[1])))
        raise SQLExportError(f"operator {op!r} does not apply to numbers")

    def date(self, t: exp.Expression, op: str, v: Any) -> exp.Expression:
        if op in ("within_days", "older_than_days"):
            age = self.age_seconds(t.copy())
            limit = _n(float(v) * DAY_S)
            if op == "within_days":
                return _and(exp.GTE(this=age, expression=_n(0)), exp.LTE(this=age.copy(), expression=limit))
            return exp.GT(this=age, expression=limit)
        day = _dt.date.fromisoformat(str(v)[:10])
        if op == "before":
            return exp.LT(this=t.copy(), expression=exp.cast(_s(f"{day.isoformat()} 00:00:00"), _TIMESTAMP))
        if op == "after":
            nxt = day + _dt.timedelta(days=1)
            return exp.GTE(this=t.copy(), expression=exp.cast(_s(f"{nxt.isoformat()} 00:00:00"), _TIMESTAMP))
        raise SQLExportError(f"operator {op!r} does not apply to dates")

    def text(self, s: exp.Expression, op: str, v: Any, case_sensitive: bool) -> exp.Expression:
        if op == "regex":
            pats = [str(p) for p in (v if isinstance(v, list) else [v])]
            return _or(*[self.regex(s.copy(), p, case_sensitive) for p in pats])
        def norm() -> exp.Expression:
            return s.copy() if case_sensitive else self.lower(s)

        vals = _text_values(v, case_sensitive)
        if op in ("equals", "in"):
            return exp.In(this=norm(), expressions=[_s(x) for x in vals])
        if op in ("not_equals", "not_in"):
            return _not(exp.In(this=norm(), expressions=[_s(x) for x in vals]))
        if op in ("contains", "not_contains"):
            hit = _or(*[exp.GT(this=exp.StrPosition(this=norm(), substr=_s(x)), expression=_n(0)) for x in vals])
            return hit if op == "contains" else _not(hit)
        if op == "starts_with":
            return _or(
                *[
                    exp.EQ(this=exp.Substring(this=norm(), start=_n(1), length=_n(len(x))), expression=_s(x))
                    for x in vals
                ]
            )
        if op == "ends_with":
            items = []
            for x in vals:
                start = exp.Add(this=exp.Sub(this=exp.Length(this=norm()), expression=_n(len(x))), expression=_n(1))
                items.append(
                    _and(
                        exp.GTE(this=exp.Length(this=norm()), expression=_n(len(x))),
                        exp.EQ(this=exp.Substring(this=norm(), start=start, length=_n(len(x))), expression=_s(x)),
                    )
                )
            return _or(*items)
        raise SQLExportError(f"operator {op!r} does not apply to text")

    def regex(self, s: exp.Expression, pattern: str, case_sensitive: bool) -> exp.Expression:
        """``re.search`` semantics: the pattern may match anywhere in the value."""
        if self.d == "snowflake":  # REGEXP_LIKE is anchored at both ends there
            flags = "s" if case_sensitive else "is"
            return exp.RegexpLike(this=s, expression=_s(f".*({pattern}).*"), flag=_s(flags))
        if self.d in ("duckdb", "tsql"):
            if case_sensitive:
                return exp.RegexpLike(this=s, expression=_s(pattern))
            return exp.RegexpLike(this=s, expression=_s(pattern), flag=_s("i"))
        if self.d == "postgres":
            cls = exp.RegexpLike if case_sensitive else exp.RegexpILike
            return cls(this=s, expression=_s(pattern))
        # bigquery (RE2), spark (Java), sqlite (the registered Python function): inline flag
        return exp.RegexpLike(this=s, expression=_s(pattern if case_sensitive else "(?i)" + pattern))

    # -- value maps and persona
    def value_map(self, s: exp.Expression, atype: str, m: ValueMap, missing: exp.Expression) -> exp.Expression:
        """Points of a value map; ``missing`` for NULL values (0 for rules, the default for persona weights)."""
        is_null = exp.Is(this=s.copy(), expression=exp.null())
        if m.bins is not None:
            if atype != "number":
                raise SQLExportError(f"bins need a number attribute, '{m.attribute}' is {atype}")
            out: exp.Expression = _dbl(m.default)
            # the engine picks the last bin whose lower end is <= x (bins ascending), then checks x < upper
            for b in m.bins:
                inner = _dbl(b.points) if b.upper is None else _case([(exp.LT(this=s.copy(), expression=_n(b.upper)), _dbl(b.points))], _dbl(m.default))
                if b.lower is None:
                    out = inner
                else:
                    out = _case([(exp.GTE(this=s.copy(), expression=_n(b.lower)), inner)], out)
            return _case([(is_null, missing)], out) if not isinstance(out, exp.Case) else _prepend_if(out, is_null, missing)
        if atype == "date":
            raise SQLExportError(f"value lists need a category, text or boolean attribute, '{m.attribute}' is {atype}")
        key = (lambda k: k) if m.case_sensitive else (lambda k: fold_text([k])[0])
        table = {key(_scalar_text(k)): float(p) for k, p in (m.values or {}).items()}
        if atype == "number":  # a persona on a number column: the engine reads 1.0 as "1"
            ifs = [(is_null, missing)]
            for k, pts in table.items():
                try:
                    x = float(k)
                except ValueError:
                    continue
                if x == x and abs(x) != float("inf") and key(_scalar_text(x)) == k:
                    ifs.append((exp.EQ(this=s.copy(), expression=_n(x)), _dbl(pts)))
            return _case(ifs, _dbl(m.default))
        if atype == "boolean":
            t = table.get("true", table.get("yes", m.default))
            f = table.get("false", table.get("no", m.default))
            return _case([(is_null, missing), (exp.EQ(this=s.copy(), expression=exp.true()), _dbl(t))], _dbl(f))
        norm = s.copy() if m.case_sensitive else self.lower(s)
        ifs: list[tuple[exp.Expression, exp.Expression]] = [(is_null, missing)]
        by_points: dict[float, list[str]] = {}
        for k, p in table.items():
            by_points.setdefault(p, []).append(k)
        for p, keys in by_points.items():
            ifs.append((exp.In(this=norm.copy(), expressions=[_s(k) for k in keys]), _dbl(p)))
        return _case(ifs, _dbl(m.default))

    def persona_weight(self, column) -> exp.Expression | None:
        p = self.m.persona
        if p is None:
            return None
        s, atype = column(p.attribute)
        vm = ValueMap(p.attribute, values=p.weights, default=p.default)
        return self.value_map(s, atype, vm, _dbl(p.default))

    # -- the query
    def lead_column(self, attribute: str) -> tuple[exp.Expression, str]:
        if attribute not in self.types:
            raise SQLExportError(f"'{attribute}' is not a declared attribute")
        return self.col(self.m.column_for(attribute), "l"), self.types[attribute]

    def query(self) -> exp.Select:
        ctes, final = self.parts()
        return self.attach(ctes, final)

    def attach(self, ctes: list[tuple[str, exp.Expression]], final: exp.Select) -> exp.Select:
        """``final`` with the CTEs in front, the header comment on top."""
        # SQLite and PostgreSQL inline single-use CTEs and would evaluate every rule once per later reference:
        # compute the per-rule points and the scores once
        fence = {"ld_raw", "ld_scored"} if self.d in ("sqlite", "postgres") else set()
        for name, q in ctes:
            final = final.with_(name, as_=q, copy=False, materialized=True if name in fence else None)
        final.args["with_"].add_comments(self.header())
        return final

    def parts(self) -> tuple[list[tuple[str, exp.Expression]], exp.Select]:
        """The CTEs (name, query) in order and the final select of the lead query."""
        m = self.m
        ctes: list[tuple[str, exp.Expression]] = []
        used: set[str] = {"ld_id", "ld_weight", "ld_lead"}
        raw_alias = {r.id: _alias_name("r_", r.id, used) for r in self.rules}
        pts_alias = {r.id: _alias_name("p_", r.id, used) for r in self.rules}
        activity_rules = [r for r in self.rules if r.kind == "activity"]
        act_alias = {r.id: _alias_name("a_", r.id, used) for r in activity_rules}

        # 1. events per lead: one decayed count per activity rule
        if activity_rules:
            cols = m.activities or ActivityColumns()
            ts = self.col(cols.timestamp, "a")
            ev_source = {
                "ev_type": self.col(cols.type, "a"),
                "ev_detail": self.col(cols.detail, "a") if cols.detail else exp.cast(exp.null(), exp.DataType.build("VARCHAR")),
            }

            def ev_col(name: str) -> tuple[exp.Expression, str]:
                if name not in ACTIVITY_FIELDS:
                    raise SQLExportError(f"'{name}' is not an event field ({', '.join(ACTIVITY_FIELDS)})")
                return self.ref("ev_" + name, "e"), ACTIVITY_FIELDS[name]

            age_s = self.ref("age_s", "e")
            age_d = exp.Div(this=age_s.copy(), expression=_dbl(DAY_S))  # a double everywhere (Snowflake divides integers to 6 decimals)
            sums = [exp.alias_(self.ref("ld_lead", "e"), "ld_lead")]
            for r in activity_rules:
                a = r.activity
                cond = self.condition(a.where, ev_col)
                if a.within_days is not None:
                    cond = _and(cond, exp.LTE(this=age_s.copy(), expression=_n(float(a.within_days) * DAY_S)))
                factor = self.decay(r, age_d)
                s = exp.Sum(this=_case([(cond, factor)], _dbl(0)))
                s = exp.alias_(s, act_alias[r.id])
                s.add_comments([_comment(f"rule {r.id}: {r.describe()}")])
                sums.append(s)
            counts = (
                exp.select(*sums)
                .from_(exp.Table(this=self.own("ld_events"), alias=exp.TableAlias(this=self.own("e"))), copy=False)
                .group_by(self.ref("ld_lead", "e"), copy=False)
            )
            ev_cols = [
                exp.alias_(self.col(cols.lead_id, "a"), "ld_lead"),
                exp.alias_(ev_source["ev_type"].copy(), "ev_type"),
                exp.alias_(ev_source["ev_detail"].copy(), "ev_detail"),
            ]
            for (table, name), alias in self.lowered.items():
                if table == "e":  # type and detail lowered once per event, not once per rule
                    ev_cols.append(exp.alias_(self.fold(ev_source[name].copy()), alias))
            ev_cols.append(exp.alias_(self.age_seconds(ts.copy()), "age_s"))
            keep = exp.LT(this=ts.copy(), expression=self.as_of())
            windows = [r.activity.within_days for r in activity_rules]
            if all(w is not None for w in windows):  # older events count for no rule
                longest = max(float(w) for w in windows) * DAY_S
                if self.as_of_ts is not None:
                    # a plain range on the timestamp column (partition pruning, zone maps, pushed into the scan);
                    # one second looser than the longest window: each rule still tests its own window exactly
                    cutoff = self.as_of_ts - pd.Timedelta(seconds=longest + 1)
                    keep = _and(keep, exp.GTE(this=ts.copy(), expression=self.timestamp_literal(cutoff)))
                else:  # the warehouse clock: no portable timestamp arithmetic across the dialects
                    keep = _and(keep, exp.LTE(this=self.age_seconds(ts.copy()), expression=_n(longest)))
            events = exp.select(*ev_cols).from_(self.table(self.activities_table, "a"), copy=False).where(keep, copy=False)
            ctes.append(("ld_events", events))
            ctes.append(("ld_activity", counts))

        # 2. raw points per rule (before persona weighting), persona weight
        base = [exp.alias_(self.col(m.lead_id, "l"), "ld_id")]
        # with row_order, "ld_ord" travels through every later CTE: ld_keep() lists it after the id
        carry = [self.ref("ld_ord")] if self.row_order else []

        def ld_keep() -> list[exp.Expression]:
            return [self.ref("ld_id")] + [k.copy() for k in carry]

        if self.row_order:
            base.append(exp.alias_(self.col(self.row_order, "l"), "ld_ord"))
        for alias, make in self.extra:
            base.append(exp.alias_(make(self), alias))
            carry.append(self.ref(alias))
        weight = self.persona_weight(self.lead_column)
        if weight is not None:
            base.append(exp.alias_(weight, "ld_weight"))
        for r in self.rules:
            if r.kind == "condition":
                e = _case([(self.condition(r.when, self.lead_column), _dbl(r.points))], _dbl(0))
            elif r.kind == "map":
                s, atype = self.lead_column(r.map.attribute)
                e = self.value_map(s, atype, r.map, _dbl(0))
            else:
                e = exp.Coalesce(this=self.ref(act_alias[r.id], "c"), expressions=[_dbl(0)])
            col = exp.alias_(e, raw_alias[r.id])
            col.add_comments([_comment(f"rule {r.id} ({r.dimension}): {r.label}: {r.describe()}")])
            base.append(col)
        lead_lc = [(name, alias) for (table, name), alias in self.lowered.items() if table == "l"]
        if lead_lc:  # text columns tested case-insensitively: lowered once per lead, not once per rule
            leads = exp.select(exp.Column(this=exp.Star(), table=self.own("l")), *[exp.alias_(self.fold(self.col(name, "l")), alias) for name, alias in lead_lc])
            ctes.append(("ld_leads", leads.from_(self.table(self.leads_table, "l"), copy=False)))
            source = exp.Table(this=self.own("ld_leads"), alias=exp.TableAlias(this=self.own("l")))
        else:
            source = self.table(self.leads_table, "l")
        q = exp.select(*base).from_(source, copy=False)
        if activity_rules:
            q = q.join(
                exp.Table(this=self.own("ld_activity"), alias=exp.TableAlias(this=self.own("c"))),
                on=exp.EQ(this=self.col(m.lead_id, "l"), expression=self.ref("ld_lead", "c")),
                join_type="left",
                copy=False,
            )
        ctes.append(("ld_raw", q))

        # 3. points per rule: activity rules times points, limited to max_points; engagement times the persona weight
        pts = ld_keep()
        for r in self.rules:
            e: exp.Expression = self.ref(raw_alias[r.id])
            if r.kind == "activity":
                e = exp.Mul(this=e, expression=_dbl(r.points))
                mx = r.activity.max_points
                if mx is not None:
                    e = _clip(e, Range(-float(mx), float(mx)), self.d)
            if r.dimension == "engagement" and weight is not None:
                e = exp.Mul(this=_paren_if_case(e), expression=self.ref("ld_weight"))
            pts.append(exp.alias_(e, pts_alias[r.id]))
        ctes.append(("ld_points", exp.select(*pts).from_(exp.to_table("ld_raw"), copy=False)))

        # 4. buckets (groups and ungrouped rules per dimension, engine order) and products
        buckets: dict[tuple, list[Rule]] = {}
        for r in self.rules:
            buckets.setdefault(("g", r.group) if r.group else ("d", r.dimension), []).append(r)
        group_dim = {r.group: r.dimension for r in self.rules if r.group}
        bucket_alias: dict[tuple, str] = {}
        sel = ld_keep()
        for key, rules in buckets.items():
            name = _alias_name("g_" if key[0] == "g" else "d_", str(key[1]), used)
            bucket_alias[key] = name
            sel.append(exp.alias_(_sum([self.ref(pts_alias[r.id]) for r in rules]), name))
        prod_alias = {p: _alias_name("prod_", p, used) for p in m.products}
        for p in m.products:
            items = [self.ref(pts_alias[r.id]) for r in self.rules if r.product == p]
            sel.append(exp.alias_(_sum(items) if items else _dbl(0), prod_alias[p]))
        ctes.append(("ld_buckets", exp.select(*sel).from_(exp.to_table("ld_points"), copy=False)))

        # 5. dimensions: capped groups plus ungrouped rules, then the dimension cap
        dim_parts: dict[str, list[exp.Expression]] = {"fit": [], "engagement": []}
        for key, name in bucket_alias.items():
            if key[0] == "g":
                dim_parts[group_dim[key[1]]].append(_clip(self.ref(name), m.caps.groups.get(key[1]), self.d))
            else:
                dim_parts[key[1]].append(self.ref(name))
        sel = ld_keep()
        for dim, alias in (("fit", "ld_fit_raw"), ("engagement", "ld_eng_raw")):
            parts = dim_parts.get(dim) or []
            sel.append(exp.alias_(_sum(parts) if parts else _dbl(0), alias))
        sel += [self.ref(prod_alias[p]) for p in m.products]
        ctes.append(("ld_dims", exp.select(*sel).from_(exp.to_table("ld_buckets"), copy=False)))

        sel = ld_keep() + [
            exp.alias_(_clip(self.ref("ld_fit_raw"), m.caps.dimensions.get("fit"), self.d), "ld_fit"),
            exp.alias_(_clip(self.ref("ld_eng_raw"), m.caps.dimensions.get("engagement"), self.d), "ld_eng"),
        ] + [self.ref(prod_alias[p]) for p in m.products]
        ctes.append(("ld_capped", exp.select(*sel).from_(exp.to_table("ld_dims"), copy=False)))

        # 6. score range, grade band indexes
        total = exp.Add(this=self.ref("ld_fit"), expression=self.ref("ld_eng"))
        sel = ld_keep() + [self.ref("ld_fit"), self.ref("ld_eng"), exp.alias_(_clip(total, m.score_range, self.d), "ld_score")]
        g = m.grades
        graded = bool(g.fit and g.engagement)
        if graded:
            for dim, col, alias in ((g.fit, "ld_fit", "ld_fi"), (g.engagement, "ld_eng", "ld_ei")):
                mins = [lo for lo in list(dim.values())[:-1] if lo is not None]
                # band index = how many minimums (all bands but the last) the score is below
                idx = [_case([(exp.LT(this=self.ref(col), expression=_n(lo)), _n(1))], _n(0)) for lo in mins]
                sel.append(exp.alias_(_sum(idx) if idx else _n(0), alias))
        sel += [self.ref(prod_alias[p]) for p in m.products]
        ctes.append(("ld_scored", exp.select(*sel).from_(exp.to_table("ld_capped"), copy=False)))

        # 7. grade names: fit band name followed by engagement band name
        fits, engs = list(g.fit), list(g.engagement)
        if graded:

            def band(idx: str, names: list[str]) -> exp.Expression:
                if len(names) == 1:
                    return _s(names[0])
                ifs = [exp.If(this=_n(i), true=_s(nm)) for i, nm in enumerate(names[:-1])]
                return exp.Case(this=self.ref(idx), ifs=ifs, default=_s(names[-1]))

            grade: exp.Expression = exp.DPipe(this=band("ld_fi", fits), expression=band("ld_ei", engs))
        else:
            grade = exp.cast(exp.null(), exp.DataType.build("VARCHAR"))
        sel = ld_keep() + [self.ref("ld_fit"), self.ref("ld_eng"), self.ref("ld_score"), exp.alias_(grade, "ld_grade")]
        sel += [self.ref(prod_alias[p]) for p in m.products]
        ctes.append(("ld_graded", exp.select(*sel).from_(exp.to_table("ld_scored"), copy=False)))

        # 8. status and the output columns
        eligible = exp.GTE(this=self.ref("ld_score"), expression=_n(m.thresholds.mql))
        if g.mql_cells is not None and graded:
            names = [f + e for f in fits for e in engs]
            cells = [c for c in g.mql_cells if c in names]
            gate = exp.In(this=self.ref("ld_grade"), expressions=[_s(c) for c in cells]) if cells else exp.false()
            eligible = _and(eligible, gate)
        ifs = []
        if m.thresholds.sql is not None:
            ifs.append((_and(eligible.copy(), exp.GTE(this=self.ref("ld_score"), expression=_n(m.thresholds.sql))), _s("SQL")))
        ifs.append((eligible, _s("MQL")))
        status = _case(ifs, _s("lead"))

        final = exp.select(
            exp.alias_(self.ref("ld_id"), self.ident(m.lead_id)),
            exp.alias_(self.round(self.ref("ld_score")), "score"),
            exp.alias_(self.round(self.ref("ld_fit")), "fit_score"),
            exp.alias_(self.round(self.ref("ld_eng")), "engagement_score"),
            exp.alias_(self.ref("ld_grade"), "grade"),
            exp.alias_(status, "status"),
            *[exp.alias_(self.round(self.ref(prod_alias[p])), self.ident(f"product_{p}")) for p in m.products],
            *[self.ref(alias) for alias, _ in self.extra],
        ).from_(exp.to_table("ld_graded"), copy=False)
        if self.row_order:
            final = final.order_by(self.ref("ld_ord"), copy=False)
        return ctes, final

    def decay(self, r: Rule, age_d: exp.Expression) -> exp.Expression:
        d = r.activity.decay
        if d is None:
            return _dbl(1)
        if d.half_life_days is not None:
            return exp.Pow(this=_dbl(2), expression=exp.Div(this=exp.Neg(this=exp.Paren(this=age_d.copy())), expression=_dbl(d.half_life_days)))
        steps = exp.Floor(this=exp.Div(this=age_d.copy(), expression=_dbl(d.period_days)))
        f = exp.Sub(this=_dbl(1), expression=exp.Mul(this=_dbl(float(d.linear_pct) / 100.0), expression=steps))
        return _clip(f, Range(0.0, 1.0), self.d)

    def clip(self, e: exp.Expression, r: Range | None) -> exp.Expression:
        """``e`` limited to the range ``r`` in this dialect (``GREATEST``/``LEAST`` or ``CASE``)."""
        return _clip(e, r, self.d)

    def round(self, e: exp.Expression) -> exp.Expression:
        """Two decimals. DuckDB and Spark round exactly as the engine (``np.round``: ``rint(x * 100) / 100``,
        half to even), e.g. 330.125 -> 330.12 where ``ROUND`` gives 330.13; elsewhere ``ROUND`` (half away from
        zero), which can differ from the engine by 0.01 on an exact half."""
        if self.d in ("duckdb", "spark"):
            fn = "ROUND_EVEN" if self.d == "duckdb" else "BROUND"
            scaled = exp.Mul(this=_paren_if_case(e), expression=_dbl(100))
            return exp.Div(this=exp.Anonymous(this=fn, expressions=[scaled, _n(0)]), expression=_dbl(100))
        if self.d == "postgres":  # ROUND(double precision, int) does not exist there
            e = exp.cast(e, exp.DataType(this=exp.DataType.Type.DECIMAL))
        return exp.Round(this=e, decimals=_n(2))

    def header(self) -> list[str]:
        m = self.m
        when = "the current timestamp of the warehouse" if self.as_of_ts is None else str(self.as_of_ts)
        lines = [
            f"Lead scoring model: {m.name}",
            f"version {m.version or '(none)'}, model sha256 {model_hash(m)} (canonical YAML, first 12 hex digits)",
            f"generated {_dt.datetime.now(_dt.timezone.utc).date().isoformat()} by leaddesigner for {self.d}; as of {when}",
            f"reads {self.leads_table} (one row per lead, id column {m.lead_id})"
            + (f" and {self.activities_table}" if any(r.kind == "activity" for r in self.rules) else ""),
            "returns " + ", ".join(output_columns(m)),
        ]
        return [_comment(x) for x in lines]


def _paren_if_case(e: exp.Expression) -> exp.Expression:
    return e if isinstance(e, (exp.Column, exp.Case, exp.Paren)) else exp.Paren(this=e)


def _prepend_if(case: exp.Case, cond: exp.Expression, value: exp.Expression) -> exp.Expression:
    return exp.Case(ifs=[exp.If(this=cond, true=value)] + [i.copy() for i in case.args["ifs"]], default=case.args["default"].copy())
