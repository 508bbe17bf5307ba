"""Score lead files larger than memory: the exported SQL on DuckDB, streamed to CSV or Parquet.

:func:`score_files` is what ``leaddesigner score ... --engine duckdb`` runs. It
puts DuckDB views over the files (``read_csv`` / ``read_parquet``: nothing is
loaded up front), converts every column the model declares to its type in SQL
(the same rules as :func:`leaddesigner.core.data.coerce.coerce_types` for the
common formats), runs the query of :mod:`leaddesigner.core.export.sqlexport` and
writes the result with ``COPY ... TO`` into a temporary file that replaces the
output when complete. DuckDB works within ``memory_limit`` and spills to
``temp_directory``; ``threads`` defaults to 2.

The output has the columns and the row order of the pandas engine
(:meth:`leaddesigner.core.scoring.engine.Scorer.frame`): lead id, ``score``,
``fit_score``, ``engagement_score``, ``grade``, ``status``, ``product_<name>``.

What the DuckDB engine reads (stricter than the pandas engine, which guesses
more formats; anything else stops with :class:`OutOfCoreError` naming the file,
the line or row, the column and what was expected):

* CSV/TSV/TXT (optionally ``.gz``; delimiter and quoting detected by DuckDB,
  UTF-8) and Parquet; not Excel;
* numbers: plain numbers (``1200``, ``-3.5``, ``1e3``), no thousands
  separators or decimal commas; dates: ISO 8601 (``2026-06-30``,
  ``2026-06-30 14:05:00``, with ``T`` or an offset, converted to UTC);
  booleans: true/false, yes/no, y/n, 1/0, t/f; for these three the missing
  tokens of the pandas engine (``NA``, ``n/a``, ``null``, ``-`` ...) are
  missing values;
* category and text values are stripped, empty means missing.

Differences that remain (documented, rare in exports): a lead id that repeats
gets its events on every row with it (the pandas engine gives them to the first
row); in a CSV category column made only of numbers the pandas reader rewrites
``1.50`` as ``1.5``, DuckDB keeps the text; per-lead horizons
(``--horizon-days``) are not supported.

Without ``as_of`` the moment is the end of the day of the latest event of a
known lead or the latest creation date, as in the pandas engine: that costs one
extra pass over the files.

This module is part of the pure core: no Qt.
"""
from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from leaddesigner.core.model.types import ActivityColumns, ScoringModel

__all__ = ["OutOfCoreError", "OutOfCoreResult", "UNSUPPORTED_OPTIONS", "score_files", "input_kind"]

#: options of ``score`` that the DuckDB engine does not support, with the reason
UNSUPPORTED_OPTIONS = {
    "--horizon-days": "per-lead scoring moments (N days after each lead's creation) are not part of the exported SQL",
}
ROW = "__ld_row"  # the row number column added to the leads
_BAD = "ld_bad"  # marker of the errors raised by the conversions
_SEP = "\x1f"
_STRIP = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_MISSING = ("", "na", "n/a", "#n/a", "nan", "null", "none", "unknown", "-")
_TRUE = ("true", "yes", "y", "1", "t", "1.0")
_FALSE = ("false", "no", "n", "0", "f", "0.0")
_EXPECTED = {
    "number": "a plain number like 1200 or -3.5 (no thousands separators or decimal commas with --engine duckdb)",
    "date": "an ISO date like 2026-06-30 or 2026-06-30 14:05:00 (other date formats need --engine pandas)",
    "boolean": "a yes/no value (true/false, yes/no, y/n, 1/0, t/f)",
}


class OutOfCoreError(ValueError):
    """Bad input or an unsupported option: the message is for the user (one paragraph)."""


@dataclass
class OutOfCoreResult:
    rows: int
    status_counts: dict[str, int]
    as_of: pd.Timestamp
    as_of_given: bool
    seconds: float
    warnings: list[str] = field(default_factory=list)


ProgressFn = Callable[[str], None]


# ---------------------------------------------------------------- small helpers
def _q(name: str) -> str:
    """A quoted DuckDB identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def _lit(text: str) -> str:
    """A DuckDB string literal (backslashes are plain characters in DuckDB)."""
    return "'" + str(text).replace("'", "''") + "'"


def _in_list(values) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")"


def input_kind(path: str | os.PathLike) -> str | None:
    """``'csv'``, ``'parquet'`` or None (not readable by the DuckDB engine)."""
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith((".csv", ".tsv", ".txt")):
        return "csv"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    return None


def _header_delimiter(path: Path) -> str:
    """The most frequent of , ; tab | in the header line (comma when none)."""
    import gzip

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as f:
        head = f.readline(1 << 16)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    counts = {d: text.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _unit(kind: str) -> tuple[str, int]:
    """Row label and the number of the first data row as the user sees it (a CSV header is line 1)."""
    return ("line", 2) if kind == "csv" else ("row", 1)


# ---------------------------------------------------------------- conversions
def _plain_ends(x: str) -> str:
    """True when ``x`` starts and ends with a printable ASCII character: nothing to strip (the usual case, and
    much faster than ``trim`` with a character set)."""
    return f"(unicode({x}) BETWEEN 33 AND 126 AND unicode(right({x}, 1)) BETWEEN 33 AND 126)"


def _strip(x: str) -> str:
    """Python's ``str.strip()`` (Unicode white space), empty -> NULL."""
    return f"CASE WHEN {_plain_ends(x)} THEN {x} ELSE NULLIF(trim({x}, {_lit(_STRIP)}), '') END"


class _Source:
    """One input file as a DuckDB relation with its column types."""

    def __init__(self, con, path: Path, role: str, display: str):
        self.path = path
        self.role = role  # "leads" or "activities"
        self.display = display
        self.kind = input_kind(path)
        if self.kind is None:
            raise OutOfCoreError(
                f"Cannot read {display} with --engine duckdb: only CSV/TSV/TXT (optionally .gz) and Parquet files are supported "
                f"(\"{path.name}\"). Save it as CSV or Parquet, or use --engine pandas."
            )
        if path.stat().st_size == 0:
            raise OutOfCoreError(f"{display} is empty: expected a header line with the column names, followed by one line per lead.")
        try:
            if self.kind == "csv":
                # the delimiter from the header line (as the pandas reader does), so that a line with a different
                # number of fields is an error with its line number instead of a misread dialect
                rel = con.read_csv(str(path), header=True, all_varchar=True, sep=_header_delimiter(path), quotechar='"', escapechar='"')
            else:
                rel = con.read_parquet(str(path))
            self.columns = list(rel.columns)
            self.types = [str(t) for t in rel.types]
        except Exception as e:  # noqa: BLE001 - DuckDB's errors are translated for the user
            raise OutOfCoreError(_translate(e, self)) from None
        self.rel = rel
        self.unit, self.first = _unit(self.kind)
        self.name = f"ld_src_{role}"
        rel.create_view(self.name + "_raw", replace=True)
        self.by_name = dict(zip(self.columns, self.types))

    def bad(self, column: str, kind: str, raw: str) -> str:
        """``error(...)``: stops the query with a message naming the file, the row, the column and the value."""
        parts = [_lit(_BAD), _lit(self.role), _lit(column), _lit(kind), f"CAST({ROW} AS VARCHAR)", f"CAST({raw} AS VARCHAR)"]
        return f"error(concat_ws({_lit(_SEP)}, {', '.join(parts)}))"

    def text_of(self, col: str) -> str:
        """The column as stripped text, NULL when empty; numbers as the pandas engine writes them (1 not 1.0)."""
        t = self.by_name[col].upper()
        x = _q(col)
        if t in ("VARCHAR",) or t.startswith("VARCHAR"):
            return _strip(x)
        if t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"):
            return f"CAST({x} AS VARCHAR)"
        if t in ("FLOAT", "DOUBLE") or t.startswith("DECIMAL"):
            d = f"CAST({x} AS DOUBLE)"
            return (
                f"CASE WHEN {d} IS NULL OR isnan({d}) THEN NULL WHEN isfinite({d}) AND {d} = floor({d}) AND abs({d}) < 9007199254740992 "
                f"THEN CAST(CAST({d} AS BIGINT) AS VARCHAR) ELSE CAST({d} AS VARCHAR) END"
            )
        if t == "BOOLEAN":
            return f"CASE WHEN {x} THEN 'True' WHEN NOT {x} THEN 'False' END"
        if t.startswith("TIMESTAMP") or t == "DATE":
            return f"strftime(CAST({x} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S')"
        return _strip(f"CAST({x} AS VARCHAR)")

    def typed(self, col: str, atype: str) -> str:
        """SQL for the column converted to ``atype`` (number DOUBLE, date TIMESTAMP, boolean, text)."""
        t = self.by_name[col].upper()
        x = _q(col)
        if atype in ("category", "text"):
            return self.text_of(col)
        numeric = t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE") or t.startswith("DECIMAL")
        if atype == "number":
            if numeric:
                return f"CAST({x} AS DOUBLE)"
            if t == "BOOLEAN":
                return f"CAST(CAST({x} AS INTEGER) AS DOUBLE)"
            s = _strip(f"CAST({x} AS VARCHAR)")
            v = f"TRY_CAST({s} AS DOUBLE)"
            return (
                f"CASE WHEN {s} IS NULL OR lower({s}) IN {_in_list(_MISSING)} THEN NULL "
                f"WHEN {v} IS NOT NULL AND isfinite({v}) THEN {v} ELSE {self.bad(col, 'number', x)} END"
            )
        if atype == "boolean":
            if t == "BOOLEAN":
                return x
            if numeric:
                d = f"CAST({x} AS DOUBLE)"
                return f"CASE WHEN {x} IS NULL OR isnan({d}) THEN NULL WHEN {d} = 1 THEN TRUE WHEN {d} = 0 THEN FALSE ELSE {self.bad(col, 'boolean', x)} END"
            s = f"lower({_strip(f'CAST({x} AS VARCHAR)')})"
            return (
                f"CASE WHEN {s} IS NULL OR {s} IN {_in_list(_MISSING)} THEN NULL WHEN {s} IN {_in_list(_TRUE)} THEN TRUE "
                f"WHEN {s} IN {_in_list(_FALSE)} THEN FALSE ELSE {self.bad(col, 'boolean', x)} END"
            )
        if atype == "date":
            if t == "TIMESTAMP" or t.startswith("TIMESTAMP_") or t == "DATE":
                return f"CAST({x} AS TIMESTAMP)"
            if t.startswith("TIMESTAMP WITH TIME ZONE") or t == "TIMESTAMPTZ":
                return f"CAST({x} AS TIMESTAMP)"  # the session is in UTC
            s = _strip(f"CAST({x} AS VARCHAR)")
            v = f"CAST(TRY_CAST({s} AS TIMESTAMPTZ) AS TIMESTAMP)"
            return (
                f"CASE WHEN {s} IS NULL OR lower({s}) IN {_in_list(_MISSING)} THEN NULL "
                f"WHEN {v} IS NOT NULL THEN {v} ELSE {self.bad(col, 'date', x)} END"
            )
        raise OutOfCoreError(f"unknown attribute type {atype!r}")

    def id_of(self, col: str) -> str:
        """A lead id as text; blank means no id (NULL)."""
        t = self.by_name[col].upper()
        text = f"CAST({_q(col)} AS VARCHAR)" if t != "VARCHAR" else _q(col)
        return f"CASE WHEN {_plain_ends(text)} THEN {text} WHEN trim({text}, {_lit(_STRIP)}) = '' THEN NULL ELSE {text} END"


# ---------------------------------------------------------------- errors
def _translate(e: BaseException, source: "_Source | None" = None, sources: dict | None = None) -> str:
    """One paragraph for the user from a DuckDB exception."""
    msg = str(e)
    if _BAD in msg and _SEP in msg:
        raw = msg[msg.index(_BAD):]
        parts = raw.split(_SEP)
        role, column, kind, row = parts[1], parts[2], parts[3], parts[4]
        value = _SEP.join(parts[5:])
        value = re.sub(r"\s*(LINE \d+:.*)?$", "", value.split("\n")[0]) if "\n" in value else value
        src = (sources or {}).get(role)
        display = src.display if src else role
        unit, first = (src.unit, src.first) if src else ("row", 1)
        try:
            where = f"{unit} {int(row) - 1 + first:,}"
        except ValueError:
            where = unit
        return (
            f"{display} {where}, column {column}: '{value}' is not {_EXPECTED.get(kind, 'a valid ' + kind)}. "
            "The DuckDB engine stops at the first value it cannot read; fix the value, or score with --engine pandas "
            "(which reads more formats and reports such values as warnings)."
        )
    if source is None and sources:  # a reading error during the query: DuckDB names the file
        fm = re.search(r"file = (.+)", msg)
        for src in sources.values():
            if src is not None and fm and fm.group(1).strip() in (str(src.path), src.path.name):
                source = src
    where = f"{source.display}: " if source is not None else ""
    first_line = msg.strip().split("\n")[0]
    if "Out of Memory" in msg or "out of memory" in msg.lower():
        return (
            f"DuckDB ran out of memory ({first_line}). Raise --memory-limit, or give --temp-dir a folder with more free space "
            "for what does not fit in memory."
        )
    if "No space left" in msg or "could not write" in msg.lower():
        return f"DuckDB could not write its temporary files ({first_line}). Give --temp-dir a folder with more free space."
    m = re.search(r"CSV Error on Line: (\d+)", msg)
    if m:
        cols = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", msg)
        why = f"it has {cols.group(2)} fields where the header has {cols.group(1)}" if cols else first_line.split(":", 1)[-1].strip()
        return f"{where}line {int(m.group(1)):,} cannot be read: {why}. Fix that line (a missing or extra delimiter, an unclosed quote), or score with --engine pandas."
    if "CSV Error" in msg or "sniff" in msg.lower():
        return (
            f"{where}DuckDB cannot work out how this CSV file is laid out (delimiter, quoting, header, or lines with a different "
            "number of fields than the header). Check the file, or score it with --engine pandas, which names the line that does not fit."
        )
    if "Invalid Input Error" in msg and "parquet" in msg.lower():
        return f"{where}cannot be read as a Parquet file: {first_line}"
    if isinstance(e, OSError) or "IO Error" in msg:
        return f"{where}{first_line}"
    return f"{where}DuckDB could not run the scoring query: {first_line}"


# ---------------------------------------------------------------- the run
def _views(con, model: ScoringModel, leads: _Source, acts: _Source | None, allow_missing: bool) -> list[str]:
    """Create the typed views ``ld_in_leads`` and ``ld_in_activities``; return warnings."""
    from leaddesigner.core.model.io import did_you_mean

    warnings: list[str] = []
    cols = leads.columns
    if model.lead_id not in cols:
        raise OutOfCoreError(
            f"{leads.display}: the lead id column '{model.lead_id}' is missing.{did_you_mean(model.lead_id, cols)} "
            f"Columns in the file: {', '.join(map(str, cols[:30]))}{' ...' if len(cols) > 30 else ''}. "
            "Set lead_id in the model to the file's id column."
        )
    users: dict[str, list[str]] = {}
    for r in model.rules:
        if r.enabled:
            for a in r.attributes():
                users.setdefault(a, []).append(r.id)
    if model.persona is not None:
        users.setdefault(model.persona.attribute, []).append("persona")
    sel = [f"{ROW}", f"{leads.id_of(model.lead_id)} AS {_q(model.lead_id)}"]
    needed: list[str] = []
    null_type = {"number": "DOUBLE", "date": "TIMESTAMP", "boolean": "BOOLEAN", "category": "VARCHAR", "text": "VARCHAR"}
    seen = {model.lead_id}
    for a in model.attributes:
        col = model.column_for(a.name)
        if col in seen:
            continue
        seen.add(col)
        if col in cols:
            sel.append(f"{leads.typed(col, a.type)} AS {_q(col)}")
        else:
            u = users.get(a.name, [])
            what = f"rules {', '.join(u)} score 0 for every lead" if u else "no rule uses it yet"
            text = f"column '{col}' (attribute {a.name}) is not in {leads.display}.{did_you_mean(col, cols)} Until it is mapped, {what}."
            if u:
                needed.append(text)
            else:
                warnings.append(text)
            sel.append(f"CAST(NULL AS {null_type[a.type]}) AS {_q(col)}")
    act_rules = [r.id for r in model.rules if r.enabled and r.kind == "activity"]
    no_log = bool(act_rules) and acts is None
    if (needed or no_log) and not allow_missing:
        lines = list(needed)
        if no_log:
            lines.append(f"The model has activity rules ({', '.join(act_rules)}) but no --activities file was given, so they would score 0 for every lead.")
        raise OutOfCoreError(
            f"{leads.display} cannot be scored with this model as it is ({len(lines)} problem{'s' if len(lines) != 1 else ''}): "
            + " ".join(lines)
            + " Map the columns under 'columns:' in the model (attribute: file column), give the activity log with --activities, "
            "or pass --allow-missing to score anyway (those rules then give 0 points)."
        )
    warnings += [n for n in needed]
    if no_log:
        warnings.append(f"no --activities file: activity rules {', '.join(act_rules)} score 0 for every lead.")
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW ld_in_leads AS SELECT {', '.join(sel)} "
        f"FROM (SELECT row_number() OVER () AS {ROW}, * FROM {leads.name}_raw)"
    )
    ac = model.activities or ActivityColumns()
    if acts is not None:
        need = {"lead_id": ac.lead_id, "timestamp": ac.timestamp, "type": ac.type}
        if ac.detail:
            need["detail"] = ac.detail
        missing = [f"'{c}' ({role}){did_you_mean(c, acts.columns)}" for role, c in need.items() if c not in acts.columns]
        if missing:
            raise OutOfCoreError(
                f"{acts.display}: the activity log lacks column(s) {', '.join(missing)}. Columns in the file: {', '.join(map(str, acts.columns))}. "
                "Set the activities section of the model to the file's column names."
            )
        asel = [
            f"{acts.id_of(ac.lead_id)} AS {_q(ac.lead_id)}",
            f"{acts.typed(ac.timestamp, 'date')} AS {_q(ac.timestamp)}",
            f"{acts.typed(ac.type, 'category')} AS {_q(ac.type)}",
        ]
        if ac.detail:
            asel.append(f"{acts.typed(ac.detail, 'category')} AS {_q(ac.detail)}")
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW ld_in_activities AS SELECT {', '.join(asel)} "
            f"FROM (SELECT row_number() OVER () AS {ROW}, * FROM {acts.name}_raw)"
        )
    else:
        cols_sql = [f"CAST(NULL AS VARCHAR) AS {_q(ac.lead_id)}", f"CAST(NULL AS TIMESTAMP) AS {_q(ac.timestamp)}", f"CAST(NULL AS VARCHAR) AS {_q(ac.type)}"]
        if ac.detail:
            cols_sql.append(f"CAST(NULL AS VARCHAR) AS {_q(ac.detail)}")
        con.execute(f"CREATE OR REPLACE TEMP VIEW ld_in_activities AS SELECT {', '.join(cols_sql)} WHERE FALSE")
    return warnings


def _default_as_of(con, model: ScoringModel, has_acts: bool) -> pd.Timestamp:
    """The pandas engine's default: end of the day of the latest event of a known lead or the latest creation date."""
    parts = []
    ac = model.activities or ActivityColumns()
    if has_acts:
        parts.append(
            f"SELECT max(a.{_q(ac.timestamp)}) AS t FROM ld_in_activities a "
            f"WHERE a.{_q(ac.lead_id)} IN (SELECT {_q(model.lead_id)} FROM ld_in_leads WHERE {_q(model.lead_id)} IS NOT NULL)"
        )
    created = model.created_at
    types = {a.name: a.type for a in model.attributes}
    if created and types.get(created) == "date":
        parts.append(f"SELECT max({_q(model.column_for(created))}) AS t FROM ld_in_leads")
    if not parts:
        return pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    from leaddesigner.core.scoring.engine import (
        future_cutoff,  # dates in the future do not set the moment (as in the pandas engine)
    )

    cut = future_cutoff()
    t = con.execute(f"SELECT max(t) FROM ({' UNION ALL '.join(parts)}) WHERE t < TIMESTAMP '{cut:%Y-%m-%d %H:%M:%S}'").fetchone()[0]
    if t is None:
        return pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    return pd.Timestamp(t).normalize() + pd.Timedelta(days=1)


def score_files(
    model: ScoringModel,
    leads_path: str | os.PathLike,
    out_path: str | os.PathLike,
    *,
    activities_path: str | os.PathLike | None = None,
    as_of: str | pd.Timestamp | None = None,
    allow_missing: bool = False,
    memory_limit: str = "2GB",
    temp_directory: str | os.PathLike | None = None,
    threads: int = 2,
    leads_display: str | None = None,
    activities_display: str | None = None,
    progress: ProgressFn | None = None,
) -> OutOfCoreResult:
    """Score ``leads_path`` (and ``activities_path``) with ``model`` on DuckDB into ``out_path`` (.csv or .parquet).

    Raises :class:`OutOfCoreError` for bad input (the message names the file,
    the line or row, the column and what was expected) and for outputs other
    than CSV/Parquet. The output is written atomically (a temporary file in
    the output's folder, renamed when complete).
    """
    import duckdb

    from leaddesigner.core.export.sqlexport import SQLExportError, as_of_literal, build_query

    t0 = time.perf_counter()
    say = progress or (lambda _msg: None)
    out = Path(out_path)
    ext = out.suffix.lower()
    if ext not in (".csv", ".parquet"):
        raise OutOfCoreError(f"Cannot write \"{out}\" with --engine duckdb: write .csv or .parquet.")
    leads_path, acts_path = Path(leads_path), Path(activities_path) if activities_path is not None else None
    tmpdir = Path(temp_directory) if temp_directory else Path(tempfile.gettempdir()) / "leaddesigner-duckdb"
    try:
        tmpdir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutOfCoreError(f"Cannot use \"{tmpdir}\" for DuckDB's temporary files: {e.strerror or e}. Give --temp-dir a folder you may write to.") from None
    try:
        con = duckdb.connect(":memory:", config={"threads": int(threads), "memory_limit": str(memory_limit), "temp_directory": str(tmpdir)})
    except duckdb.Error as e:
        raise OutOfCoreError(
            f"--memory-limit '{memory_limit}' is not a size DuckDB understands ({str(e).splitlines()[0]}): use a size like 2GB or 500MB."
        ) from None
    tmp_out = None
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        con.execute("SET preserve_insertion_order = false")  # the query orders its rows itself
        leads = _Source(con, leads_path, "leads", leads_display or leads_path.name)
        acts = _Source(con, acts_path, "activities", activities_display or acts_path.name) if acts_path is not None else None
        sources = {"leads": leads, "activities": acts}
        warnings = _views(con, model, leads, acts, allow_missing)
        try:
            if as_of is None:
                say("Finding the latest date in the data (one pass; give --as-of to skip it)")
                moment = _default_as_of(con, model, acts is not None)
            else:
                moment = as_of_literal(as_of)
            query = build_query(
                model, dialect="duckdb", leads_table="ld_in_leads", activities_table="ld_in_activities", as_of=moment, row_order=ROW
            ).sql(dialect="duckdb", pretty=False)
        except SQLExportError as e:
            raise OutOfCoreError(f"The model cannot be run as SQL: {e}") from None
        say(f"Scoring {leads.display} on DuckDB")
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=f".tmp{ext}", dir=out.parent if str(out.parent) else ".")
        os.close(fd)
        tmp_out = Path(tmp)
        fmt = "(FORMAT CSV, HEADER TRUE)" if ext == ".csv" else "(FORMAT PARQUET, COMPRESSION ZSTD)"
        con.execute(f"COPY ({query}) TO {_lit(str(tmp_out))} {fmt}")
        reader = "read_csv" if ext == ".csv" else "read_parquet"
        opts = ", header = true, all_varchar = true" if ext == ".csv" else ""
        counts = dict(con.execute(f"SELECT status, count(*) FROM {reader}({_lit(str(tmp_out))}{opts}) GROUP BY status").fetchall())
        mode = out.stat().st_mode & 0o777 if out.exists() else 0o644
        os.chmod(tmp_out, mode)
        os.replace(tmp_out, out)
        tmp_out = None
    except OutOfCoreError:
        raise
    except duckdb.Error as e:
        raise OutOfCoreError(_translate(e, None, locals().get("sources"))) from None
    finally:
        con.close()
        if tmp_out is not None and tmp_out.exists():
            tmp_out.unlink()
    counts = {k: int(counts.get(k, 0)) for k in ("SQL", "MQL", "lead")}
    return OutOfCoreResult(sum(counts.values()), counts, moment, as_of is not None, time.perf_counter() - t0, warnings)
