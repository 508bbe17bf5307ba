"""What every ``leaddesigner`` command shares: errors, progress, argument types, loading, outcomes, help text.

The command modules (:mod:`leaddesigner.cli` and ``cli_<area>.py``) import these
public names; none of them reaches into another command module's private
helpers, and this module imports no command module (no import loop).
"""
from __future__ import annotations

import argparse
import os
import sys
import textwrap
import time
import traceback
from pathlib import Path
from typing import TextIO

#: progress is shown only once a command has run this long (seconds)
PROGRESS_DELAY = 1.0


class CliError(Exception):
    """Bad input: printed as one paragraph, exit status 2."""


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


def err(message: str) -> None:
    print(message, file=sys.stderr)


def count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def as_of_text(ts) -> str:
    """``end of 2026-06-30`` for a midnight, else the moment."""
    import pandas as pd

    ts = pd.Timestamp(ts)
    if ts == ts.normalize():
        return f"end of {(ts - pd.Timedelta(days=1)):%Y-%m-%d}"
    return f"{ts:%Y-%m-%d %H:%M:%S}"


def seconds(s: float) -> str:
    return f"{s:.1f} s" if s < 60 else f"{int(s // 60)} min {s % 60:.0f} s"


def horizon_arg(text: str) -> float:
    try:
        v = nonneg_float(text)
    except argparse.ArgumentTypeError:
        v = 0.0
    if v == 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of days above 0, like 30")
    return v


def as_of_arg(text: str):
    from leaddesigner.core.scoring.engine import parse_as_of

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


def nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, found {v}")
    return v


def pos_int(text: str) -> int:
    v = nonneg_int(text)
    if v == 0:
        raise argparse.ArgumentTypeError("expected 1 or more, found 0")
    return v


def nonneg_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not v >= 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, found {text}")
    return v


def existing_file(path: str, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        where = p.parent.resolve() if str(p.parent) else Path.cwd()
        raise CliError(f"Cannot open {what} \"{path}\": there is no such file in {where}. Check the file name and folder.")
    if p.is_dir():
        raise CliError(f"Cannot open {what} \"{path}\": it is a folder, not a file.")
    return p


def read_model(path: str, *, notes: bool = True):
    from leaddesigner.core.model.io import load_model

    p = existing_file(path, "model")
    try:
        m = load_model(p)
        if notes:
            for note in m.load_notes:
                err(f"warning: {note}")
        return m
    except OSError as e:
        raise CliError(f"Cannot read model \"{path}\": {e.strerror or e}.") from None


def sources(leads: str, activities: str | None) -> tuple[str, str]:
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


def load_and_score(args: argparse.Namespace, progress: Progress, *, score: bool = True, guess: str = "all",
                   keep_files: bool = True) -> Loaded:
    """Model, leads, activities -> read, detected, bound, checked and scored (the core pipeline; ``score=False``:
    bound and checked only, ``scorer`` None; ``guess="model"``: only the columns binding reads a format of are
    guessed, for a command that reads no other column's guess; ``keep_files=False``: the files as read are let go
    once bound, for a command that reads only the bound data)."""
    from leaddesigner.core.data.leadfile import row_label
    from leaddesigner.core.data.pipeline import load
    model = read_model(args.model)
    # unsupported extensions and missing files fail here, before a long read of the other file
    row_label(args.leads)
    existing_file(args.leads, "lead file")
    if args.activities:
        row_label(args.activities)
        existing_file(args.activities, "activity log")
    loaded = load(
        model,
        args.leads,
        args.activities,
        as_of=args.as_of,
        horizon_days=getattr(args, "horizon_days", None),
        sheet=getattr(args, "sheet", None),
        progress=progress,
        on_stage=progress.stage,
        score=score,
        guess=guess,
        keep_files=keep_files,
    )
    progress.done()
    for note in loaded.notes:
        err(f"note: {note}")
    report_problems(loaded, args)
    return Loaded(loaded, args.as_of is not None)


def report_problems(loaded, args) -> None:
    """Warnings for data problems; missing columns (or activity log) that rules need are errors."""
    from leaddesigner.core.data.pipeline import check

    c = check(loaded)
    if c.errors and not getattr(args, "allow_missing", False):
        head = f"{loaded.leads.name} cannot be scored with {args.model} as it is ({count(len(c.errors), 'problem')}):"
        tail = (
            "Map the columns under 'columns:' in the model (attribute: file column), give the activity log with "
            "--activities, or pass --allow-missing to score anyway (those rules then give 0 points)."
        )
        raise CliError("\n".join([head] + ["  " + ln for ln in c.errors] + [tail]))
    no_log = [e for e in c.errors if "activity rules" in e]
    if no_log:
        act_rules = [r.id for r in loaded.model.rules if r.enabled and r.kind == "activity"]
        err(f"warning: no --activities file: activity rules {', '.join(act_rules)} score 0 for every lead.")
    for w in c.warnings:
        err(f"warning: {w.message}")
        for where, raw in w.examples:
            err(f"  {where}, column {w.column}: {_example_text(w.kind, raw, _column_type(loaded, w))}")
        if w.more:
            err(f"  ... {count(w.more, 'more')}")


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


def write_table(frame, out: Path, ext: str) -> None:
    """Scores (or any table) through the core writer: atomic, no formulas from lead data."""
    from leaddesigner.core.scoring.outputs import OutputError, write_scores

    try:
        write_scores(frame, out)
    except OutputError as e:
        raise CliError(str(e)) from None


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


def wrap(text: str) -> str:
    return textwrap.fill(text, width=min(100, max(60, _terminal_width())))


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns - 2


def formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=30)


def unexpected(e: BaseException, args: argparse.Namespace) -> int:
    """A bug: one paragraph asking to report it (the traceback with LEADDESIGNER_DEBUG=1); exit code 1."""
    if os.environ.get("LEADDESIGNER_DEBUG"):
        traceback.print_exc()
    msg = str(e).strip().splitlines()[0][:300] if str(e).strip() else ""
    err(
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
