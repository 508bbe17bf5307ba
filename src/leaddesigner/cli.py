"""The ``leaddesigner`` command line: a thin adapter over :mod:`leaddesigner.core`.

Every subcommand loads files with the core (``modelio``, ``leadfile``), binds and
scores with :mod:`leaddesigner.core.engine` and prints or writes what the core
returns; no scoring logic lives here.

Exit codes: 0 success, 2 bad input (missing or unreadable file, invalid model,
bad date, unknown lead, missing columns, ...; one paragraph on stderr, no
traceback), 1 an unexpected error (a bug: a short message asking to report it;
``LEADDESIGNER_DEBUG=1`` shows the traceback), 130 interrupted.
"""
from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
import textwrap
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any, Sequence, TextIO

import leaddesigner

PROG = "leaddesigner"
#: output formats of ``score`` (by the extension of ``-o``)
SCORE_FORMATS = (".csv", ".xlsx", ".parquet")
#: column names ``summary`` tries as the outcome when ``--outcome`` is not given (case-insensitive)
OUTCOME_NAMES = ("converted", "outcome", "won", "y", "status")
#: progress is shown only once a command has run this long (seconds)
PROGRESS_DELAY = 1.0
#: Excel's sheet limit, header row included
EXCEL_MAX_ROWS = 1_048_576
XCB_LIBS = "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"


class CliError(Exception):
    """Bad input: printed as one paragraph, exit status 2."""


# ---------------------------------------------------------------- output helpers
class Progress:
    """Progress on stderr, only for runs longer than :data:`PROGRESS_DELAY`.

    ``stage(msg)`` names the current step; the core's ``progress(fraction, msg)``
    callbacks go to ``__call__``. On a terminal the line is rewritten in place
    with a percentage; otherwise each step is one plain line, printed at most
    once and only when the run has taken long enough to be worth it.
    """

    def __init__(self, stream: TextIO, enabled: bool = True, delay: float | None = None):
        self.stream = stream
        self.enabled = enabled
        self.delay = PROGRESS_DELAY if delay is None else delay
        self.t0 = time.perf_counter()
        try:
            self.tty = stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self._stage: str | None = None
        self._shown = False  # current stage printed?
        self._open_line = False  # a \r line awaits its newline
        self._pct = -1

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def _due(self) -> bool:
        return self.enabled and self.elapsed() >= self.delay

    def stage(self, message: str) -> None:
        self._finish_line()
        self._stage = message
        self._shown = False
        self._pct = -1
        if self._due():
            self._show(None)

    def __call__(self, fraction: float, message: str = "") -> None:
        if self._stage is None or not self._due():
            return
        if self.tty:
            pct = int(max(0.0, min(1.0, float(fraction))) * 100)
            if pct != self._pct:
                self._pct = pct
                self._show(pct)
        elif not self._shown:
            self._show(None)

    def _show(self, pct: int | None) -> None:
        if self.tty:
            text = f"{self._stage} ..." + (f" {pct:3d}%" if pct is not None else "")
            self.stream.write("\r" + text + "\x1b[K")
            self._open_line = True
        else:
            self.stream.write(f"{self._stage} ...\n")
        self._shown = True
        self.stream.flush()

    def _finish_line(self) -> None:
        if self._open_line:
            self.stream.write("\n")
            self.stream.flush()
            self._open_line = False

    def done(self) -> None:
        self._finish_line()
        self._stage = None


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def _as_of_text(ts) -> str:
    """``end of 2026-06-30`` for a midnight, else the moment."""
    import pandas as pd

    ts = pd.Timestamp(ts)
    if ts == ts.normalize():
        return f"end of {(ts - pd.Timedelta(days=1)):%Y-%m-%d}"
    return f"{ts:%Y-%m-%d %H:%M:%S}"


def _seconds(s: float) -> str:
    return f"{s:.1f} s" if s < 60 else f"{int(s // 60)} min {s % 60:.0f} s"


# ---------------------------------------------------------------- argument types
def _horizon_arg(text: str) -> float:
    try:
        v = _nonneg_float(text)
    except argparse.ArgumentTypeError:
        v = 0.0
    if v == 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of days above 0, like 30")
    return v


def _as_of_arg(text: str):
    from leaddesigner.core.engine import parse_as_of

    try:
        ts = parse_as_of(text) if text.strip() else None
    except (ValueError, TypeError, OverflowError, AttributeError):  # AttributeError: NaT from odd input
        ts = None
    if ts is None or ts != ts:  # NaT
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date: use YYYY-MM-DD (scores as of the end of that day) "
            "or YYYY-MM-DDTHH:MM (that moment)"
        )
    return ts


def _nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, found {v}")
    return v


def _pos_int(text: str) -> int:
    v = _nonneg_int(text)
    if v == 0:
        raise argparse.ArgumentTypeError("expected 1 or more, found 0")
    return v


def _nonneg_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not v >= 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, found {text}")
    return v


# ---------------------------------------------------------------- loading
def _existing_file(path: str, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        where = p.parent.resolve() if str(p.parent) else Path.cwd()
        raise CliError(f"Cannot open {what} \"{path}\": there is no such file in {where}. Check the file name and folder.")
    if p.is_dir():
        raise CliError(f"Cannot open {what} \"{path}\": it is a folder, not a file.")
    return p


def _load_model(path: str, *, notes: bool = True):
    from leaddesigner.core.modelio import load_model

    p = _existing_file(path, "model")
    try:
        m = load_model(p)
        if notes:
            for note in m.load_notes:
                _err(f"warning: {note}")
        return m
    except OSError as e:
        raise CliError(f"Cannot read model \"{path}\": {e.strerror or e}.") from None


def _sources(leads: str, activities: str | None) -> tuple[str, str]:
    """Names used in messages: the file names, or the paths when the names clash."""
    ln = Path(leads).name
    an = Path(activities).name if activities else "activities"
    if activities and ln == an:
        return leads, activities
    return ln, an


class Loaded:
    """What score/explain/summary share: the model, the bound data, the scorer (from the core pipeline)."""

    def __init__(self, loaded, as_of_given: bool):
        self.pipeline = loaded
        self.model = loaded.model
        self.data = loaded.data
        self.scorer = loaded.scorer
        self.leads_source = loaded.leads.name
        self.activities_source = loaded.activities.name if loaded.activities is not None else None
        self.as_of_given = as_of_given


def _load_and_score(args: argparse.Namespace, progress: Progress) -> Loaded:
    """Model, leads, activities -> read, detected, bound, checked and scored (the core pipeline)."""
    from leaddesigner.core.data.pipeline import load
    from leaddesigner.core.leadfile import row_label

    model = _load_model(args.model)
    # unsupported extensions and missing files fail here, before a long read of the other file
    row_label(args.leads)
    _existing_file(args.leads, "lead file")
    if args.activities:
        row_label(args.activities)
        _existing_file(args.activities, "activity log")
    loaded = load(
        model,
        args.leads,
        args.activities,
        as_of=args.as_of,
        horizon_days=getattr(args, "horizon_days", None),
        sheet=getattr(args, "sheet", None),
        progress=progress,
        on_stage=progress.stage,
    )
    progress.done()
    for note in loaded.notes:
        _err(f"note: {note}")
    _report_problems(loaded, args)
    return Loaded(loaded, args.as_of is not None)


def _report_problems(loaded, args) -> None:
    """Warnings for data problems; missing columns (or activity log) that rules need are errors."""
    from leaddesigner.core.data.pipeline import check

    c = check(loaded)
    if c.errors and not getattr(args, "allow_missing", False):
        head = f"{loaded.leads.name} cannot be scored with {args.model} as it is ({_count(len(c.errors), 'problem')}):"
        tail = (
            "Map the columns under 'columns:' in the model (attribute: file column), give the activity log with "
            "--activities, or pass --allow-missing to score anyway (those rules then give 0 points)."
        )
        raise CliError("\n".join([head] + ["  " + ln for ln in c.errors] + [tail]))
    no_log = [e for e in c.errors if "activity rules" in e]
    if no_log:
        act_rules = [r.id for r in loaded.model.rules if r.enabled and r.kind == "activity"]
        _err(f"warning: no --activities file: activity rules {', '.join(act_rules)} score 0 for every lead.")
    for w in c.warnings:
        _err(f"warning: {w.message}")
        for where, raw in w.examples:
            _err(f"  {where}, column {w.column}: {_example_text(w.kind, raw, _column_type(loaded, w))}")
        if w.more:
            _err(f"  ... {_count(w.more, 'more')}")


def _column_type(loaded, w) -> str:
    m = loaded.model
    if loaded.activities is not None and w.examples and w.examples[0][0].startswith(loaded.activities.name + " "):
        return "date"
    types = {m.column_for(a.name): a.type for a in m.attributes}
    return types.get(w.column or "", "")


def _example_text(kind: str, raw: str, atype: str) -> str:
    if kind == "type_mismatch":
        what = {"number": "a number", "date": "a date", "boolean": "a yes/no value"}.get(atype, f"a valid {atype or 'value'}")
        return f"'{raw}' is not {what}"
    if kind == "duplicate_id":
        return f"lead id '{raw}' appears again (each row is scored separately; its events count for the first row only)"
    if kind == "empty_id":
        return "no lead id"
    if kind == "unknown_lead":
        return f"lead id '{raw}' is not in the lead file (event ignored)"
    return f"'{raw}'"


# ---------------------------------------------------------------- commands
def cmd_validate(args: argparse.Namespace) -> int:
    from leaddesigner.core.modelio import ModelError

    status = 0
    for path in args.models:
        try:
            m = _load_model(path, notes=False)
        except ModelError as e:
            _err(e.format())
            status = 2
            continue
        except CliError as e:
            _err(f"error: {e}")
            status = 2
            continue
        print(f"{path}: valid ({_count(len(m.rules), 'rule')}, {_count(len(m.attributes), 'attribute')})")
        for note in m.load_notes:
            _err(f"warning: {note}")
    return status


def _score_duckdb(args: argparse.Namespace, out: Path, progress: Progress) -> int:
    """``score --engine duckdb``: the exported SQL on DuckDB over the files, streamed to the output (core/outofcore.py)."""
    from leaddesigner.core.outofcore import UNSUPPORTED_OPTIONS, OutOfCoreError, input_kind, score_files

    if getattr(args, "horizon_days", None) is not None:
        raise CliError(f"--horizon-days is not supported with --engine duckdb: {UNSUPPORTED_OPTIONS['--horizon-days']}. Use --engine pandas.")
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise CliError(f"Cannot write \"{args.output}\" with --engine duckdb: write .csv or .parquet (or use --engine pandas for .xlsx).")
    model = _load_model(args.model)
    leads_source, act_source = _sources(args.leads, args.activities)
    for path, what in ((args.leads, "lead file"), (args.activities, "activity log")):
        if path is None:
            continue
        _existing_file(path, what)
        if input_kind(path) is None:
            raise CliError(
                f"Cannot read {what} \"{path}\" with --engine duckdb: it reads CSV/TSV/TXT (optionally .gz) and Parquet files. "
                "Save it as CSV or Parquet, or use --engine pandas."
            )
    try:
        res = score_files(
            model,
            args.leads,
            out,
            activities_path=args.activities,
            as_of=args.as_of,
            allow_missing=getattr(args, "allow_missing", False),
            memory_limit=args.memory_limit,
            temp_directory=args.temp_dir,
            threads=args.threads,
            leads_display=leads_source,
            activities_display=act_source,
            progress=progress.stage,
        )
    except OutOfCoreError as e:
        raise CliError(str(e)) from None
    progress.done()
    for w in res.warnings:
        _err(f"warning: {w}")
    if not args.quiet:
        c = res.status_counts
        why = "--as-of" if res.as_of_given else "the latest date in the data"
        _err(
            f"Scored {_count(res.rows, 'lead')} on DuckDB: {c['SQL']:,} SQL, {c['MQL']:,} MQL, {c['lead']:,} below MQL; "
            f"as of {_as_of_text(res.as_of)} ({why}); {_seconds(progress.elapsed())}; wrote {args.output}"
        )
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    out = Path(args.output)
    ext = out.suffix.lower()
    engine = getattr(args, "engine", "pandas")
    if engine != "duckdb" and (
        getattr(args, "memory_limit", None) is not None or getattr(args, "temp_dir", None) is not None or getattr(args, "threads", 2) != 2
    ):
        raise CliError("--memory-limit, --temp-dir and --threads only apply to --engine duckdb.")
    if ext not in SCORE_FORMATS:
        raise CliError(
            f"Cannot write \"{args.output}\": the output format is chosen by the extension, and "
            f"{'it has none' if not ext else repr(ext) + ' is not supported'}. Use one of: {', '.join(SCORE_FORMATS)}."
        )
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise CliError(f"Cannot write \"{args.output}\": the folder \"{folder}\" does not exist. Create it first.")
    progress = Progress(sys.stderr, enabled=not args.quiet)
    if engine == "duckdb":
        if getattr(args, "memory_limit", None) is None:
            args.memory_limit = "2GB"
        args.temp_dir = getattr(args, "temp_dir", None)
        args.threads = getattr(args, "threads", 2)
        return _score_duckdb(args, out, progress)
    loaded = _load_and_score(args, progress)
    frame = loaded.scorer.frame()
    if ext == ".xlsx" and len(frame) >= EXCEL_MAX_ROWS:
        raise CliError(
            f"{_count(len(frame), 'lead')} do not fit in an Excel sheet ({EXCEL_MAX_ROWS - 1:,} rows at most). "
            "Write .csv or .parquet instead."
        )
    slow = " (Excel is slow for large files; .csv or .parquet are much faster)" if ext == ".xlsx" and len(frame) > 100_000 else ""
    progress.stage(f"Writing {out.name}{slow}")
    _write_table(frame, out, ext)
    progress.done()
    if not args.quiet:
        res = loaded.scorer.result
        import numpy as np

        counts = np.bincount(res.status, minlength=3)
        why = _as_of_reason(loaded)
        _err(
            f"Scored {_count(len(frame), 'lead')}: {counts[2]:,} SQL, {counts[1]:,} MQL, {counts[0]:,} below MQL; "
            f"as of {_as_of_text(loaded.data.as_of)} ({why}); {_seconds(progress.elapsed())}; wrote {args.output}"
        )
    return 0


def _as_of_reason(loaded: Loaded) -> str:
    """Why the scores are as of that moment: the option, the data, or (no dates at all) today."""
    if loaded.as_of_given:
        return "--as-of"
    d = loaded.data
    no_created = d.created is None or not bool(d.frame[d.created].notna().any())
    if no_created and (d.events is None or len(d.events) == 0):
        return "today: the data holds no dates; give --as-of to choose the day"
    return "the latest date in the data"


def _write_table(frame, out: Path, ext: str) -> None:
    """Scores (or any table) through the core writer: atomic, no formulas from lead data."""
    from leaddesigner.core.outputs import OutputError, write_scores

    try:
        write_scores(frame, out)
    except OutputError as e:
        raise CliError(str(e)) from None


def cmd_explain(args: argparse.Namespace) -> int:
    import numpy as np

    progress = Progress(sys.stderr, enabled=not args.quiet)
    loaded = _load_and_score(args, progress)
    ids = loaded.data.ids
    rows = []
    for lead in args.lead:
        hits = np.flatnonzero(ids.to_numpy() == lead)
        if len(hits) == 0:
            raise CliError(
                f"Lead '{lead}' is not in {loaded.leads_source} (column '{loaded.model.lead_id}', {_count(len(ids), 'lead')})."
                + _close_ids(lead, ids)
            )
        rows.append(int(hits[0]))  # a repeated id: its first row
    texts = [loaded.scorer.explain(r).text() for r in rows]
    print("\n\n".join(texts))
    return 0


def _close_ids(word: str, ids) -> str:
    """`` Did you mean 'L0042' or 'L0024'?`` for the ids that look most like ``word``.

    Fast on millions of ids: case and spaces first, then every id one edit away
    (a missing, extra, wrong or swapped character), then ``difflib`` over all ids
    (small files) or over the ids sorted next to ``word`` (big files).
    """
    import pandas as pd

    ids = pd.Index(ids).astype("str")
    if len(ids) == 0:
        return ""
    key = word.strip().lower()
    same = ids[ids.str.strip().str.lower() == key]
    if len(same):
        return f" Did you mean '{same[0]}'?"
    alphabet = sorted(set("".join(ids[:10_000])) | set(word))
    edits: list[str] = []
    for i in range(len(word) + 1):
        a, b = word[:i], word[i:]
        if b:
            edits.append(a + b[1:])  # deletion
            edits.extend(a + c + b[1:] for c in alphabet)  # replacement
        if len(b) > 1:
            edits.append(a + b[1] + b[0] + b[2:])  # transposition
        edits.extend(a + c + b for c in alphabet)  # insertion
    # an id that several edits lead to is the likelier one ('L000042' -> 'L0000042' by a '0' in 5 places)
    found = set(ids[ids.isin(set(edits) - {word})])
    ways = Counter(e for e in edits if e in found)
    close = [e for e, _ in sorted(ways.items(), key=lambda kv: (-kv[1], kv[0]))][:3]
    if not close:
        if len(ids) <= 50_000:
            pool = list(ids)
        else:  # the ids sorted next to the word: typos in the tail of long ids land there
            srt = ids.sort_values()
            pool = []
            for w in {word, word.upper(), word.lower()}:
                i = int(srt.searchsorted(w))
                pool += list(srt[max(0, i - 20) : i + 20])
            pool = list(dict.fromkeys(pool))
        close = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


def cmd_summary(args: argparse.Namespace) -> int:
    from leaddesigner.core.data.outcome import OutcomeSpec, candidates
    from leaddesigner.core.summary import summarize

    progress = Progress(sys.stderr, enabled=not args.quiet)
    loaded = _load_and_score(args, progress)
    outcome = None
    spec = outcome_spec(args, loaded.model)
    if spec is None and not args.no_outcome:
        # a column plainly named like an outcome and holding 0/1, yes/no or won/lost
        raw = loaded.pipeline.leads.frame
        lower = {str(c).lower(): c for c in raw.columns}
        for name in OUTCOME_NAMES:
            col = lower.get(name)
            if col is None:
                continue
            hit = [c for c in candidates(raw, loaded.pipeline.detection) if c.column == col and c.kind == "flag"]
            if hit:
                spec = OutcomeSpec(str(col))
                break
    if spec is not None:
        outcome = read_outcome(loaded.pipeline.leads.frame, spec, loaded.leads_source)
    s = summarize(loaded.scorer, None if outcome is None else outcome.y)
    m = loaded.model
    files = loaded.leads_source + (f" + {loaded.activities_source}" if loaded.activities_source else "")
    print(f"Model: {m.name} ({args.model})")
    horizon = loaded.data.horizon_days
    when = f"{horizon:g} days after each lead was created, at most " if horizon else ""
    print(f"Data: {files}, scored as of {when}{_as_of_text(loaded.data.as_of)}")
    if outcome is not None:
        print(f"Outcome: {outcome.summary()}")
    print(s.text())
    return 0


OUTCOME_HELP = (
    "lead-file column saying who converted: 0/1, yes/no, won/lost or a CRM stage; with --positive, the values "
    "that mean converted; a date column: filled = converted (default: the model's outcome:)"
)
POSITIVE_HELP = "comma-separated values of the --outcome column that mean converted, e.g. opportunity,customer"


def add_outcome_args(sp: argparse.ArgumentParser, *, required: bool = False, help: str = OUTCOME_HELP) -> None:
    """``--outcome COLUMN [--positive VALUE,...]``, as every command that reads conversions takes them."""
    sp.add_argument("--outcome", metavar="COL", required=required, help=help)
    sp.add_argument("--positive", metavar="VALUES", help=POSITIVE_HELP)


def outcome_spec(args: argparse.Namespace, model=None):
    """The outcome the command line asks for, else the one stored in the model, else None."""
    from leaddesigner.core.data.outcome import OutcomeSpec

    col = getattr(args, "outcome", None)
    pos = getattr(args, "positive", None)
    if col is None:
        if pos:
            raise CliError("--positive needs --outcome (the column whose values it lists).")
        o = getattr(model, "outcome", None) if model is not None else None
        if o is None or getattr(args, "no_outcome", False):
            return None
        return OutcomeSpec(o.column, tuple(o.positive) if o.positive else None, o.date)
    values = tuple(v.strip() for v in pos.split(",") if v.strip()) if pos else None
    o = getattr(model, "outcome", None)
    date = o.date if o is not None and o.column == col else None
    return OutcomeSpec(col, values, date)


def read_outcome(frame, spec, source: str, option: str = "--outcome"):
    """``spec`` read from the raw lead table (same rows as the bound data), or a CliError that says what the column holds."""
    from leaddesigner.core.data.outcome import OutcomeError, resolve

    try:
        return resolve(spec, frame)
    except OutcomeError as e:
        raise CliError(f"{option}: {source}: {e}") from None


def _outcome_column(loaded: Loaded, col: str):
    data, model = loaded.data, loaded.model
    if data.extra is not None and col in data.extra.columns:
        return data.extra[col]
    for a in model.attributes:
        if model.column_for(a.name) == col:
            return data.frame[a.name]
    from leaddesigner.core.modelio import did_you_mean

    cols = [model.column_for(a.name) for a in model.attributes if model.column_for(a.name) in data.frame.columns]
    cols += [] if data.extra is None else [str(c) for c in data.extra.columns]
    raise CliError(
        f"--outcome: there is no column '{col}' in {loaded.leads_source}.{did_you_mean(col, cols)}"
        + (f" Columns not used by the model: {', '.join(map(str, data.extra.columns[:20]))}." if data.extra is not None else "")
    )


def cmd_generate(args: argparse.Namespace) -> int:
    from leaddesigner.core.generate import write_sample

    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise CliError(f"Cannot write into \"{args.output}\": it is a file, not a folder.")
    progress = Progress(sys.stderr, enabled=not args.quiet)
    progress.stage(f"Generating {_count(args.leads, 'lead')}")
    paths = write_sample(
        out,
        args.leads,
        args.seed,
        args.format,
        start=args.start,
        weeks=args.weeks,
        events_per_lead=args.events_per_lead,
        progress=progress,
    )
    progress.done()
    leads_path, act_path = paths
    print(f"Wrote {leads_path} ({_count(args.leads, 'lead')}, {_size(leads_path)})")
    print(f"Wrote {act_path} (activity log, {_size(act_path)})")
    if not args.quiet:
        _err(f"Generated in {_seconds(progress.elapsed())} (seed {args.seed}, {args.weeks} weeks from {args.start}).")
    return 0


def _size(p: Path) -> str:
    n = float(p.stat().st_size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return ""


def cmd_export(args: argparse.Namespace) -> int:
    from leaddesigner.core.modelio import atomic_write_text, dumps_model

    sql_only = {
        "--dialect": args.dialect,
        "--leads-table": args.leads_table,
        "--activities-table": args.activities_table,
        "--as-of": args.as_of,
        "--quote-identifiers": args.quote_identifiers or None,
    }
    given = [k for k, v in sql_only.items() if v is not None]
    if args.to != "sql" and given:
        raise CliError(f"{', '.join(given)} only {'applies' if len(given) == 1 else 'apply'} to --to sql.")
    model = _load_model(args.model)
    if args.to == "yaml":
        text = dumps_model(model)
    elif args.to == "json":
        # the same structure as the YAML, checked against the schema we ship before anything is written
        from leaddesigner.core.outputs import model_json

        try:
            text = model_json(model)
        except (OSError, ValueError) as e:
            raise CliError(f"Cannot write the model as JSON ({e}); reinstall LeadDesigner.") from None
    else:
        from leaddesigner.core.modelio import did_you_mean
        from leaddesigner.core.sqlexport import DIALECTS, SQLExportError, export_sql, folding_notes

        kwargs: dict[str, Any] = {}  # only what was given: the exporter's defaults stay its own
        if args.dialect is not None:
            if args.dialect not in DIALECTS:
                raise CliError(
                    f"--dialect: '{args.dialect}' is not supported.{did_you_mean(args.dialect, DIALECTS)} "
                    f"Choose one of: {', '.join(DIALECTS)}."
                )
            kwargs["dialect"] = args.dialect
        if args.leads_table is not None:
            kwargs["leads_table"] = args.leads_table
        if args.activities_table is not None:
            kwargs["activities_table"] = args.activities_table
        if args.as_of is not None:
            kwargs["as_of"] = args.as_of
        if args.quote_identifiers:
            kwargs["quote_identifiers"] = True
        try:
            text = export_sql(model, **kwargs)
        except SQLExportError as e:  # the model cannot be expressed in that dialect: the message says why
            raise CliError(f"Cannot export {args.model} as SQL: {e}") from None
        if not text.endswith("\n"):
            text += "\n"
        for note in folding_notes(model, kwargs.get("dialect", "duckdb")):
            print(f"warning: {note}", file=sys.stderr)
    if args.output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        out = Path(args.output)
        if out.is_dir():
            raise CliError(f"Cannot write \"{args.output}\": it is a folder. Give a file name.")
        if not (out.parent if str(out.parent) else Path(".")).is_dir():
            raise CliError(f"Cannot write \"{args.output}\": the folder \"{out.parent}\" does not exist. Create it first.")
        atomic_write_text(out, text)
        if not args.quiet:
            _err(f"Wrote {args.output} ({args.to}, {_count(len(model.rules), 'rule')})")
    return 0


def _check_qt() -> None:
    """Raise CliError with install hints when PySide6 cannot be imported."""
    import importlib

    try:
        importlib.import_module("PySide6.QtWidgets")
    except ImportError as e:
        msg = (
            f"The app needs PySide6 (Qt for Python), which cannot be imported here ({e}). "
            "Install it with: python -m pip install 'PySide6-Essentials>=6.8,<6.12' pyqtgraph "
            "(or reinstall LeadDesigner: python -m pip install leaddesigner)."
        )
        if sys.platform.startswith("linux"):
            msg += (
                f" On Linux, Qt's xcb window plugin also needs {XCB_LIBS} "
                f"(Debian/Ubuntu: sudo apt-get install {XCB_LIBS})."
            )
        msg += " Everything else works without it: see 'leaddesigner --help'."
        raise CliError(msg) from None


#: shared libraries Qt's xcb platform plugin loads that minimal Linux installs lack -> Debian/Ubuntu package
XCB_SONAMES = {"libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-keysyms.so.1": "libxcb-keysyms1"}


def _missing_xcb_packages() -> list[str]:
    """Packages whose libraries the dynamic loader cannot find (the same search Qt does)."""
    import ctypes

    missing = []
    for soname, package in XCB_SONAMES.items():
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(package)
    return missing


def _check_display(environ: dict | None = None) -> None:
    """On Linux with Qt's xcb plugin: fail early (exit 2) where Qt would abort the process."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return  # offscreen, wayland, ...: not our business
    if not platform and env.get("WAYLAND_DISPLAY"):
        return  # Qt prefers Wayland there
    missing = _missing_xcb_packages()
    if missing:
        raise CliError(
            f"The app cannot open a window: Qt's xcb plugin needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed. Install them (Debian/Ubuntu: "
            f"sudo apt-get install {XCB_LIBS}) and try again. The other commands work without them."
        )
    if not env.get("DISPLAY"):
        raise CliError(
            "The app cannot open a window: there is no display (DISPLAY is not set). Run it in a desktop "
            "session, or use 'leaddesigner gui MODEL --screenshot out.png' to render without one."
        )


def cmd_gui(args: argparse.Namespace) -> int:
    from leaddesigner import paths

    if getattr(args, "defaults", False):
        model = paths.default_model()
        leads = paths.sample_leads()
        acts = paths.sample_activities()
        model, leads, acts = (p if p.exists() else None for p in (model, leads, acts))
    else:
        model = _existing_file(args.model, "model") if args.model else None
        leads = _existing_file(args.leads, "lead file") if args.leads else None
        acts = _existing_file(args.activities, "activity log") if args.activities else None
    screenshot = None
    if getattr(args, "screenshot", None):
        screenshot = Path(args.screenshot)
        folder = screenshot.parent if str(screenshot.parent) else Path(".")
        if not folder.is_dir():
            raise CliError(f"Cannot write \"{args.screenshot}\": the folder \"{folder}\" does not exist.")
    if acts is not None and leads is None and not getattr(args, "defaults", False):
        raise CliError("--activities needs a lead file too: add --leads FILE.")
    _check_qt()
    if screenshot is None:
        _check_display()
    elif "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no display
    import importlib

    try:
        app = importlib.import_module("leaddesigner.gui.app")
    except ModuleNotFoundError as e:
        top = (e.name or "").split(".")[0]
        if top in ("PySide6", "pyqtgraph", "shiboken6"):
            raise CliError(
                f"The app needs {top}, which is not installed here. Install it with: "
                "python -m pip install 'PySide6-Essentials>=6.8,<6.12' pyqtgraph "
                "(or reinstall LeadDesigner)."
            ) from None
        raise
    return int(app.main(model=model, leads=leads, activities=acts, screenshot=screenshot) or 0)


# ---------------------------------------------------------------- parser
EPILOG = """\
examples:
  leaddesigner validate sample_models/enterprise_fit_first.yaml
  leaddesigner score MODEL.yaml leads.csv --activities activities.csv -o scores.parquet
  leaddesigner explain MODEL.yaml leads.csv --activities activities.csv --lead L0000042
  leaddesigner summary MODEL.yaml leads.csv --activities activities.csv
  leaddesigner generate --leads 100000 --seed 7 -o /tmp/leads
  leaddesigner export MODEL.yaml --to json -o model.json
  leaddesigner backtest MODEL.yaml leads.csv --outcome converted --converted-at converted_at
  leaddesigner fit leads.csv --outcome converted --activities activities.csv -o learned.yaml
  leaddesigner compare A.yaml B.yaml leads.csv --outcome converted
  leaddesigner report MODEL.yaml leads.csv --outcome converted -o report.html
  leaddesigner simulate MODEL.yaml leads.csv --activities activities.csv -o weekly.csv
  leaddesigner diff OLD.yaml NEW.yaml --leads leads.csv
  leaddesigner score MODEL.yaml leads.parquet --engine duckdb -o scores.parquet
  leaddesigner            (the app, with the sample model and sample leads)

Lead files and activity logs: .csv/.tsv/.txt (optionally .gz), .xlsx/.xlsm, .parquet.
Exit status: 0 ok, 2 bad input (the message says which file, line and column), 1 a bug
(`diff`: 0 same, 1 the models differ, 2 trouble).
"""

DATA_HELP = {
    "sheet": "Excel lead file: the sheet to read (default: the one that holds a table)",
    "model": "the model file (.yaml, or .json)",
    "leads": "lead file: one row per lead (.csv, .tsv, .txt, .gz, .xlsx, .parquet)",
    "activities": "activity log: one row per event, columns as in the model's 'activities' section",
    "as_of": (
        "score as of this moment: YYYY-MM-DD means the end of that day (default: the end of the day "
        "of the latest event or lead in the data)"
    ),
    "horizon_days": (
        "score each lead as it stood N days after it was created (never later than --as-of), so that "
        "weekly MQL volumes of old and new leads compare fairly; default: every lead as of --as-of"
    ),
    "allow_missing": (
        "score even if columns that rules need (or the activity log for activity rules) are missing; "
        "those rules give 0 points"
    ),
}


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=min(100, max(60, _terminal_width())))


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns - 2


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=30)


# Sub-command modules (one per feature area), registered in this order after the built-in ones.
COMMAND_MODULES: tuple[str, ...] = (
    "leaddesigner.cli_profile",
    "leaddesigner.cli_backtest",
    "leaddesigner.cli_diff",
    "leaddesigner.cli_compare",
    "leaddesigner.cli_fit",
    "leaddesigner.cli_simulate",
)


def build_parser() -> argparse.ArgumentParser:
    quiet = argparse.ArgumentParser(add_help=False)
    quiet.add_argument("-q", "--quiet", action="store_true", help="no progress and no result line on stderr (warnings still show)")

    p = argparse.ArgumentParser(
        prog=PROG,
        description=_wrap(
            "Design, test and ship lead-scoring models. Without a command, opens the app "
            "with the sample model and sample leads."
        ),
        epilog=EPILOG,
        formatter_class=_formatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {leaddesigner.__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    def data_args(sp: argparse.ArgumentParser, allow_missing: bool = True) -> None:
        sp.add_argument("model", metavar="MODEL", help=DATA_HELP["model"])
        sp.add_argument("leads", metavar="LEADS", help=DATA_HELP["leads"])
        sp.add_argument("--activities", metavar="FILE", help=DATA_HELP["activities"])
        sp.add_argument("--as-of", metavar="DATE", type=_as_of_arg, help=DATA_HELP["as_of"])
        sp.add_argument("--horizon-days", metavar="N", type=_horizon_arg, help=DATA_HELP["horizon_days"])
        sp.add_argument("--sheet", metavar="NAME", help=DATA_HELP["sheet"])
        if allow_missing:
            sp.add_argument("--allow-missing", action="store_true", help=DATA_HELP["allow_missing"])

    # validate
    sp = sub.add_parser(
        "validate",
        parents=[quiet],
        help="check model files; print every problem with its line",
        description=_wrap(
            "Check model files: structure, operators against attribute types, declared attributes, groups, "
        "grades. Every problem is printed as FILE:LINE: key.path: message, with a 'did you mean' for misspellings."),
        epilog="examples:\n  leaddesigner validate model.yaml\n  leaddesigner validate sample_models/*.yaml\n\n"
        "Exit status 0 when all files are valid, 2 otherwise.",
        formatter_class=_formatter,
    )
    sp.add_argument("models", metavar="MODEL", nargs="+", help="model file(s) to check")
    sp.set_defaults(func=cmd_validate)

    # score
    sp = sub.add_parser(
        "score",
        parents=[quiet],
        help="score a lead file and write the scores",
        description=_wrap(
            "Score every lead and write one row per lead: the lead id, score, fit_score, engagement_score, "
        "grade, status (SQL, MQL or lead) and product_<name> per product. Data problems are printed as warnings; "
        "columns that rules need must be present (or pass --allow-missing)."),
        epilog="examples:\n"
        "  leaddesigner score model.yaml leads.csv --activities activities.csv -o scores.csv\n"
        "  leaddesigner score model.yaml leads.xlsx -o scores.xlsx --as-of 2026-06-30\n"
        "  leaddesigner score model.yaml leads.parquet --activities events.parquet -o scores.parquet\n"
        "  leaddesigner score model.yaml big.parquet --activities events.parquet --engine duckdb -o scores.parquet\n\n"
        "--engine duckdb scores files larger than memory: it runs the model's SQL export on DuckDB over\n"
        "the files (CSV or Parquet in and out) within --memory-limit, spilling to --temp-dir. It reads\n"
        "plain numbers, ISO dates and yes/no values and stops at the first value it cannot read (the\n"
        "pandas engine reads more formats and warns instead); --horizon-days and .xlsx are not supported.",
        formatter_class=_formatter,
    )
    data_args(sp)
    sp.add_argument(
        "-o", "--output", metavar="OUT", required=True,
        help="output file; the format follows the extension: .csv, .xlsx or .parquet (written atomically)",
    )
    sp.add_argument(
        "--engine", choices=("pandas", "duckdb"), default="pandas",
        help="pandas (default): load everything into memory; duckdb: stream files larger than memory through the SQL export",
    )
    sp.add_argument("--memory-limit", metavar="SIZE", help="duckdb engine: memory DuckDB may use, like 2GB or 500MB (default: 2GB)")
    sp.add_argument(
        "--temp-dir", metavar="DIR",
        help="duckdb engine: folder for what does not fit in memory (default: leaddesigner-duckdb in the system temp folder)",
    )
    sp.add_argument("--threads", metavar="N", type=_pos_int, default=2, help="duckdb engine: threads (default: 2)")
    sp.set_defaults(func=cmd_score)

    # explain
    sp = sub.add_parser(
        "explain",
        parents=[quiet],
        help="show why a lead has its score, rule by rule",
        description=_wrap(
            "Print every rule that gave a lead points, every cap that applied, the grade and status, and "
        "what the lead needs to become an MQL. The lines add up to the score."),
        epilog="examples:\n"
        "  leaddesigner explain model.yaml leads.csv --activities activities.csv --lead L0000042\n"
        "  leaddesigner explain model.yaml leads.csv --lead 17 --lead 23 --as-of 2026-06-30",
        formatter_class=_formatter,
    )
    data_args(sp)
    sp.add_argument("--lead", metavar="ID", action="append", required=True, help="lead id (repeat for several leads)")
    sp.set_defaults(func=cmd_explain)

    # summary
    sp = sub.add_parser(
        "summary",
        parents=[quiet],
        help="statuses, score quantiles, grade grid and MQLs per week vs SDR capacity",
        description=_wrap(
            "Summarise what the model does to a set of leads: leads per status, score quantiles, the "
        "fit x engagement grade grid and MQLs per week of lead creation against SDR capacity. With an outcome "
        "column (--outcome, or a column named converted, outcome, won, y or status holding 0/1, yes/no or "
        "won/lost values), also the conversion rate per status."),
        epilog="examples:\n"
        "  leaddesigner summary model.yaml leads.csv --activities activities.csv\n"
        "  leaddesigner summary model.yaml leads.csv --outcome closed_won --as-of 2026-06-30",
        formatter_class=_formatter,
    )
    data_args(sp)
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--outcome", metavar="COL", help=OUTCOME_HELP)
    g.add_argument("--no-outcome", action="store_true", help="do not look for an outcome column")
    sp.add_argument("--positive", metavar="VALUES", help=POSITIVE_HELP)
    sp.set_defaults(func=cmd_summary)

    # generate
    sp = sub.add_parser(
        "generate",
        parents=[quiet],
        help="write realistic synthetic leads and an activity log",
        description=_wrap(
            "Generate a seeded, realistic B2B lead export (firmographics, persona, form answers, intent, "
        "outcome) and its activity log, and write leads.<format> and activities.<format> into a folder. "
        "The same arguments always give the same files."),
        epilog="examples:\n  leaddesigner generate -o data\n  leaddesigner generate --leads 1000000 --format parquet -o /tmp/big",
        formatter_class=_formatter,
    )
    sp.add_argument("--leads", type=_nonneg_int, default=4000, metavar="N", help="number of leads (default: 4000)")
    sp.add_argument("--seed", type=int, default=7, metavar="S", help="random seed (default: 7)")
    sp.add_argument("--weeks", type=_pos_int, default=26, metavar="W", help="length of the period in weeks (default: 26)")
    sp.add_argument("--start", default="2026-03-02", metavar="DATE", type=_date_arg, help="first day of the period (default: 2026-03-02)")
    sp.add_argument(
        "--events-per-lead", type=_nonneg_float, default=12.0, metavar="E", help="mean activity rows per lead (default: 12)"
    )
    sp.add_argument("-o", "--output", metavar="DIR", required=True, help="folder to write into (created if missing)")
    sp.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format (default: csv)")
    sp.set_defaults(func=cmd_generate)

    # export
    sp = sub.add_parser(
        "export",
        parents=[quiet],
        help="write the model as YAML, JSON or SQL",
        description=_wrap(
            "Write the model in canonical YAML, as JSON with the same structure (for systems that read "
        "JSON; validates against resources/model.schema.json), or as a SQL query that scores leads in a database."),
        epilog="examples:\n"
        "  leaddesigner export model.yaml --to json -o model.json\n"
        "  leaddesigner export model.yaml --to yaml            (normalised YAML on stdout)\n"
        "  leaddesigner export model.yaml --to sql --dialect duckdb --leads-table leads --activities-table events",
        formatter_class=_formatter,
    )
    sp.add_argument("model", metavar="MODEL", help=DATA_HELP["model"])
    sp.add_argument("--to", required=True, choices=("yaml", "json", "sql"), help="output format")
    sp.add_argument(
        "--dialect", metavar="D",
        help="SQL only: database dialect: duckdb (default), postgres, snowflake, bigquery, spark, tsql or sqlite",
    )
    sp.add_argument("--leads-table", metavar="T", help="SQL only: table holding the leads, may be schema.table (default: leads)")
    sp.add_argument(
        "--activities-table", metavar="A", help="SQL only: table holding the activity log (default: activities)"
    )
    sp.add_argument(
        "--as-of", metavar="DATE", type=_date_text_arg,
        help="SQL only: score as of this moment; a date means the end of that day (default: the database's clock)",
    )
    sp.add_argument("--quote-identifiers", action="store_true", help="SQL only: quote every column and table name")
    sp.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead of to stdout")
    sp.set_defaults(func=cmd_export)

    # gui
    sp = sub.add_parser(
        "gui",
        help="open the app",
        description=_wrap(
            "Open the LeadDesigner app, optionally with a model, a lead file and an activity log."),
        epilog="examples:\n"
        "  leaddesigner gui\n"
        "  leaddesigner gui model.yaml --leads leads.csv --activities activities.csv\n"
        "  leaddesigner gui model.yaml --leads leads.csv --screenshot shot.png   (render, save, quit)\n\n"
        f"Needs PySide6; on Linux, Qt's xcb plugin needs {XCB_LIBS}.",
        formatter_class=_formatter,
    )
    sp.add_argument("model", metavar="MODEL", nargs="?", help=DATA_HELP["model"])
    sp.add_argument("--leads", metavar="FILE", help=DATA_HELP["leads"])
    sp.add_argument("--activities", metavar="FILE", help=DATA_HELP["activities"])
    sp.add_argument(
        "--screenshot", metavar="PNG",
        help="render the window into this PNG file and quit (offscreen unless QT_QPA_PLATFORM says otherwise)",
    )
    sp.set_defaults(func=cmd_gui)

    # commands that live in their own modules: each has ``register(sub)`` that adds its
    # parser(s) with ``set_defaults(func=...)``; the functions may use this module's helpers
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return p


def _date_arg(text: str) -> str:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-03-02") from None
    return text


def _date_text_arg(text: str) -> str:
    _as_of_arg(text)  # validates
    return text


# ---------------------------------------------------------------- entry point
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (never raises for bad input)."""
    parser = build_parser()
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as e:  # --help, --version, usage errors
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    if args.command is None:
        args = argparse.Namespace(command="gui", defaults=True, func=cmd_gui)
    return run(args)


def run(args: argparse.Namespace) -> int:
    from leaddesigner.core.leadfile import LeadFileError
    from leaddesigner.core.modelio import ModelError

    try:
        return args.func(args)
    except ModelError as e:
        _err(e.format())
    except (CliError, LeadFileError) as e:
        _err(f"error: {e}")
    except BrokenPipeError:
        # `leaddesigner explain ... | head`: stop quietly
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 1
    except OSError as e:
        name = f" \"{e.filename}\"" if getattr(e, "filename", None) else ""
        _err(f"error: cannot read or write{name}: {e.strerror or e}.")
    except ModuleNotFoundError as e:
        if e.name in ("leaddesigner.core.sqlexport", "leaddesigner.gui.app", "leaddesigner.gui"):
            _err(f"error: this installation of LeadDesigner lacks {e.name}; reinstall it.")
            return 2
        return _unexpected(e, args)
    except ValueError as e:  # other bad values; could also be a bug, so say how to tell
        _err(
            f"error: {e}. If the input looks right to you, this may be a bug in LeadDesigner: please report it "
            "(LEADDESIGNER_DEBUG=1 shows the details)."
        )
        if os.environ.get("LEADDESIGNER_DEBUG"):
            traceback.print_exc()
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception as e:  # a bug: short message, exit 1
        return _unexpected(e, args)
    return 2


def _unexpected(e: BaseException, args: argparse.Namespace) -> int:
    if os.environ.get("LEADDESIGNER_DEBUG"):
        traceback.print_exc()
    msg = str(e).strip().splitlines()[0][:300] if str(e).strip() else ""
    _err(
        textwrap.fill(
            f"leaddesigner {getattr(args, 'command', '') or ''}: unexpected error {type(e).__name__}"
            + (f": {msg}" if msg else "")
            + ". This is a bug in LeadDesigner; please report it with the command you ran"
            + ("" if os.environ.get("LEADDESIGNER_DEBUG") else " (run again with LEADDESIGNER_DEBUG=1 to see the details)")
            + ".",
            width=100,
        )
    )
    return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
