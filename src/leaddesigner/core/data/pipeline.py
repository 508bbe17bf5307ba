"""The one way a lead file becomes scored leads: read, detect, bind, check, score.

The command line, the Python API and the app all call :func:`load`, so the
same file gives the same leads, ids, types, problems and scores everywhere.
Each step reports progress through ``progress(fraction, message)``; an
exception raised by that callback (the app's *Cancel*) stops the load and
propagates.

What the pipeline decides by itself, each said in :attr:`Loaded.notes`:

* the report footer of a Salesforce export is left out, a workbook's table
  sheet is found (:func:`leaddesigner.core.data.leadfile.read_file`);
* when the file lacks the model's ``lead_id`` column, the id comes from an
  id-like column, the e-mail address or the line numbers
  (:func:`leaddesigner.core.data.detect.detect`);
* dates and numbers without a ``format`` in the model are read the way the
  whole column shows (``6/12/2025, 2:58 PM`` month first, ``1.500,00``
  with a decimal comma).
"""
from __future__ import annotations

import dataclasses
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from leaddesigner.core.data.leadfile import (
    LeadFileError,
    ReadInfo,
    read_file,
    row_label,
)
from leaddesigner.core.model.types import ActivityColumns, ScoringModel
from leaddesigner.core.scoring.binding import formatted_columns
from leaddesigner.core.scoring.engine import LeadData, Scorer, bind, default_as_of
from leaddesigner.core.scoring.value_checks import count_values, values_never_found

from .detect import ROW_NUMBERS, Detection, detect

__all__ = ["Table", "Loaded", "Check", "Notice", "read", "load", "check", "row_number_column"]

Progress = Callable[[float, str], None]


def _quiet(fraction: float, message: str) -> None:
    return None


@dataclass
class Table:
    """A file read into memory (or a frame given by a caller), with what messages need to name it."""

    frame: pd.DataFrame
    name: str  # shown in messages: the file name, or e.g. "the lead file DataFrame"
    unit: str = "line"  # 'line' (text files) or 'row' (Excel, Parquet, frames)
    offset: int = 2  # the user-visible number of the first data row
    info: ReadInfo | None = None
    path: Path | None = None

    @property
    def notes(self) -> list[str]:
        return list(self.info.notes) if self.info is not None else []


def read(
    source: str | os.PathLike[str] | pd.DataFrame | Table,
    what: str = "lead file",
    *,
    progress: Progress | None = None,
    sheet: str | int | None = None,
    keep_dictionary: tuple[str, ...] = (),
    text_columns: tuple[str, ...] = (),
    timestamp_columns: tuple[str, ...] = (),
) -> Table:
    """A lead file or activity log as a :class:`Table` (frames and tables pass through)."""
    if isinstance(source, Table):
        return source
    if isinstance(source, pd.DataFrame):
        return Table(source, f"the {what} DataFrame", "row", 0)
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"{what} must be a pandas DataFrame or the path of a file, not {type(source).__name__}")
    p = Path(source)
    unit, offset = row_label(p)  # an unsupported extension fails here, before any reading
    if not p.exists():
        where = p.parent.resolve() if str(p.parent) else Path.cwd()
        raise LeadFileError(f'Cannot open {what} "{p}": there is no such file in {where}. Check the file name and folder.', path=p)
    if p.is_dir():
        raise LeadFileError(f'Cannot open {what} "{p}": it is a folder, not a file.', path=p)
    frame, info = read_file(p, progress=progress, sheet=sheet, keep_dictionary=keep_dictionary, text_columns=text_columns,
                            timestamp_columns=timestamp_columns)
    return Table(frame, p.name, unit, offset, info, p)


def row_number_column(frame: pd.DataFrame) -> str:
    """The name of the column that holds line numbers as ids: ``row`` unless the file has one."""
    name = "row"
    while name in frame.columns:
        name = "_" + name
    return name


@dataclass
class Loaded:
    """A lead file (and activity log) bound to a model and scored."""

    model: ScoringModel
    data: LeadData
    scorer: Scorer | None  # None when loaded with score=False (a caller that scores its own way, e.g. the replay)
    leads: Table
    activities: Table | None
    detection: Detection
    id_column: str  # the file column that names each lead (or the added line-number column)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    score_seconds: float = 0.0
    #: the end of the latest day in the data (the default ``as_of``, whatever ``as_of`` was given)
    data_end: pd.Timestamp | None = None

    @property
    def id_from_model(self) -> bool:
        """Whether the ids came from the model's own ``lead_id`` column."""
        return self.id_column == self.model.lead_id


def load(
    model: ScoringModel,
    leads: str | os.PathLike[str] | pd.DataFrame | Table,
    activities: str | os.PathLike[str] | pd.DataFrame | Table | None = None,
    *,
    as_of: pd.Timestamp | str | None = None,
    horizon_days: float | None = None,
    sheet: str | int | None = None,
    progress: Progress | None = None,
    on_stage: Callable[[str], None] | None = None,
    score: bool = True,
    guess: str = "all",
    keep_files: bool = True,
) -> Loaded:
    """Read, detect, bind and score (see the module docstring).

    Raises :class:`~leaddesigner.core.data.leadfile.LeadFileError` for a file that
    cannot be read or bound (the message names the file, line and column).
    Data problems that do not stop scoring are in ``data.problems``; what a
    caller should refuse is decided by :func:`check`. ``score=False`` stops
    after binding (``scorer`` is None): for a caller that scores its own way
    (``simulate`` replays every day; a full score of 1M leads it never reads cost 0.4 s).

    ``guess``: ``"all"`` guesses the type and format of every column of the
    lead file (:attr:`Loaded.detection`: what the app's mapping and outcome
    choices show); ``"model"`` only those whose format binding reads (the
    model's dates and numbers without a ``format``), for a caller that uses
    nothing else, such as ``score`` (1M leads: 0.65-0.87 s of guessing, whose
    Python competes with the activity log's reader, down to 0.07 s).

    ``keep_files=False``: once bound, the files as read keep their columns but
    not their rows (``Loaded.leads.frame`` is empty), for a caller that reads
    only the bound data, such as ``score`` (1M leads: ~80 MB less at its peak,
    which the scoring reaches).
    """
    if guess not in ("all", "model"):
        raise ValueError(f"guess must be 'all' or 'model', not {guess!r}")
    t0 = time.perf_counter()
    prog = progress or _quiet
    say = on_stage or (lambda message: None)
    has_acts = activities is not None
    cut = 0.45 if has_acts else 0.7

    def stage(lo: float, hi: float) -> Progress:
        return lambda f, m: prog(lo + (hi - lo) * max(0.0, min(1.0, float(f))), m)

    cols = model.activities or ActivityColumns()

    def read_log(progress: Progress) -> Table:
        # a dictionary-encoded (Parquet) lead id column stays categorical: bind then matches the distinct ids
        # only, not one text per event; the timestamps are instants when a CSV's are plain ISO (parsed while
        # the file is read), otherwise text that bind parses
        return read(activities, "activity log", progress=progress, keep_dictionary=(cols.lead_id,),
                    timestamp_columns=(cols.timestamp,))

    def read_leads_and_detect(progress: Progress) -> tuple[Table, Detection]:
        lt = read(leads, "lead file", progress=progress, sheet=sheet)
        created_col = model.column_for(model.created_at) if model.created_at else None
        return lt, detect(lt.frame, lead_id=model.lead_id, created=created_col,
                          delimiter=lt.info.delimiter if lt.info else None, source=lt.name,
                          columns=None if guess == "all" else formatted_columns(model))

    for source in (leads, activities):
        if source is not None and not isinstance(source, (Table, pd.DataFrame)):
            say(f"Loading {Path(source).name}")
    if activities is None:
        lt, det = read_leads_and_detect(stage(0.0, cut))
        at = None
    else:
        lt, det, at = _side_by_side(read_leads_and_detect, read_log, prog, cut)
        if at.name == lt.name and lt.path is not None and at.path is not None:
            lt.name, at.name = str(lt.path), str(at.path)
    say("Checking the data against the model")
    prog(0.7, "Checking the data against the model")
    notes = lt.notes + (at.notes if at is not None else [])
    frame = lt.frame
    id_column = det.id_column
    bind_model = model
    if id_column != model.lead_id:
        if id_column == ROW_NUMBERS:
            id_column = row_number_column(frame)
            numbers = pd.DataFrame({id_column: (np.arange(len(frame)) + lt.offset).astype(str)}, index=frame.index)
            frame = pd.concat([frame, numbers], axis=1)  # not frame[col] = ...: a wide file has a block per column
        bind_model = dataclasses.replace(model, lead_id=id_column)
        notes.append(det.id_note)
    notes += det.notes
    formats = det.formats()
    try:
        data = bind(
            bind_model,
            frame,
            at.frame if at is not None else None,
            as_of=as_of,
            horizon_days=horizon_days,
            leads_source=lt.name,
            activities_source=at.name if at is not None else "activities",
            row_offset=lt.offset,
            activity_row_offset=at.offset if at is not None else 2,
            column_formats=formats,
            progress=stage(0.7, 0.8),
        )
    except KeyError as e:  # the activity log's columns are missing: the message is for the user
        raise LeadFileError(str(e.args[0]) if e.args else str(e), path=at.path if at is not None else lt.path) from None
    if at is not None:
        _slim_log(at, data, cols)
    count_values(model, data)  # here, in the caller's thread (the app's worker), not when the window first asks
    if as_of is None:
        data_end = data.as_of
    else:
        created = data.frame[data.created] if data.created is not None else None
        data_end = default_as_of(created, data.events.ts if data.events is not None else None)
    if not keep_files:
        for t, source in ((lt, leads), (at, activities)):
            if t is not None and not isinstance(source, (Table, pd.DataFrame)):  # what the caller gave is the caller's
                t.frame = t.frame.iloc[:0]
        pa.default_memory_pool().release_unused()
    scorer, score_s = None, 0.0
    if score:
        n_rules = sum(r.enabled for r in model.rules)
        say(f"Scoring {len(data):,} lead{'s' if len(data) != 1 else ''} with {n_rules:,} rule{'s' if n_rules != 1 else ''}")
        prog(0.8, f"Scoring {len(data):,} leads")
        t1 = time.perf_counter()
        scorer = Scorer(model, data, progress=stage(0.8, 0.97))
        score_s = time.perf_counter() - t1
    prog(1.0, "Ready")
    return Loaded(model, data, scorer, lt, at, det, id_column, [n for n in notes if n], time.perf_counter() - t0, score_s, data_end)


def _side_by_side(
    leads_step: Callable[[Progress], tuple[Table, Detection]], log_step: Callable[[Progress], Table], prog: Progress, cut: float
) -> tuple[Table, Detection, Table]:
    """Read (and detect) the lead file while the activity log is read on a second thread.

    Each reader spends most of its time in Arrow, which lets go of the GIL, so
    the two files take about as long as the longer one (1M leads + 12M events
    from CSV: the whole ``score`` 11.0-11.7 -> 9.3-9.8 s; from Parquet, whose
    reader already uses every core, no gain). Progress is the two fractions together, never
    going back; a failure of the lead file is reported first, as when they were
    read one after the other, and a cancel (the callback raising) stops both.
    """
    done = [0.0, 0.0]
    lock = threading.Lock()
    stop = threading.Event()

    def part(i: int) -> Progress:
        def report(fraction: float, message: str) -> None:
            if stop.is_set():
                raise _Stopped
            with lock:  # one report at a time: a terminal's progress line is not written from two threads
                done[i] = max(done[i], max(0.0, min(1.0, float(fraction))))
                prog(cut * done[0] + (0.7 - cut) * done[1], message)
        return report

    with ThreadPoolExecutor(1, thread_name_prefix="activity-log") as pool:
        log = pool.submit(log_step, part(1))
        try:
            lt, det = leads_step(part(0))
        except BaseException:
            stop.set()  # the log's reader stops at its next progress report
            _drain(log)
            raise
        at = log.result()
    return lt, det, at


class _Stopped(Exception):
    """Raised in the activity log's reader when the lead file failed: its result is not wanted."""


def _drain(future) -> None:
    """Wait for a side job whose result no longer matters (its error is not the one to report)."""
    try:
        future.result()
    except BaseException:  # noqa: BLE001 - the lead file's error is reported instead
        pass


def _slim_log(at: Table, data: LeadData, cols: ActivityColumns) -> None:
    """The activity log's text, once bound, kept in the form bind made of it (12M events: ~470 MB less).

    The raw log stays with the loaded data for a later bind (another model's
    columns, a fit). When every row became an event, in the log's order (no
    unknown lead, no timestamp that failed to parse: a later bind reports those
    problems from the text), its timestamps are the parsed instants (sharing
    the events' memory) and, when the lead file's ids are unique, its lead ids
    a categorical of those ids coded by the events' lead rows: the same values,
    which a later bind matches on the categories alone.
    """
    frame, ev = at.frame, data.events
    if at.path is None or ev is None or len(ev) != len(frame):
        return  # a frame the caller gave is the caller's: never changed
    names = list(frame.columns)
    ts = cols.timestamp
    if ts in names and not pd.api.types.is_datetime64_any_dtype(frame[ts].dtype):
        frame.isetitem(names.index(ts), pd.Series(ev.ts.view("datetime64[ns]"), index=frame.index, name=ts, copy=False))
    lid = cols.lead_id
    unique_ids = not any(p.kind in ("duplicate_id", "empty_id") for p in data.problems)
    if lid in names and unique_ids and isinstance(frame[lid].dtype, pd.StringDtype) and len(data.ids):
        codes = ev.lead.astype(np.int32 if len(data.ids) < 2**31 - 1 else np.int64)
        ids = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(data.ids), validate=False)
        frame.isetitem(names.index(lid), pd.Series(ids, index=frame.index, name=lid, copy=False))
    pa.default_memory_pool().release_unused()  # the text lived in Arrow's allocator


@dataclass
class Notice:
    """One data problem that does not stop scoring, with examples as ``(where, raw value)``."""

    message: str
    examples: list[tuple[str, str]] = field(default_factory=list)  # ("leads.csv line 17", "12,5x")
    more: int = 0  # problems beyond the examples
    kind: str = ""
    column: str | None = None


@dataclass
class Check:
    """What a scoring run should refuse (``errors``) and what it should only warn about."""

    errors: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # rules that would score 0 because of the errors
    warnings: list[Notice] = field(default_factory=list)


def check(loaded: Loaded, *, has_log: bool | None = None) -> Check:
    """Missing columns (or activity log) that rules need are errors; other data problems, and rules whose
    listed values no lead has (:func:`~leaddesigner.core.scoring.value_checks.values_never_found`), are warnings."""
    m, data = loaded.model, loaded.data
    has_log = loaded.activities is not None if has_log is None else has_log
    out = Check()
    needed = [p for p in data.problems if p.kind == "missing_column" and p.rules]
    act_rules = [r.id for r in m.rules if r.enabled and r.kind == "activity"]
    no_log = bool(act_rules) and not has_log
    out.errors = [p.message for p in needed]
    if no_log:
        out.errors.append(
            f"The model has activity rules ({', '.join(act_rules)}) but no activity log was given, "
            "so they would score 0 for every lead."
        )
    out.rules = sorted({r for p in needed for r in p.rules} | (set(act_rules) if no_log else set()))
    lt, at = loaded.leads, loaded.activities
    for p in data.problems:
        from_log = at is not None and (p.kind == "unknown_lead" or (p.kind == "type_mismatch" and f" of {at.name} " in p.message))
        name, unit = (at.name, at.unit) if from_log and at is not None else (lt.name, lt.unit)
        msg = p.message
        if p.rules and p.kind != "missing_column":
            msg += f" Rules using it: {', '.join(p.rules)}."
        shown = p.examples[:5]
        out.warnings.append(
            Notice(msg, [(f"{name} {unit} {row}", str(raw)) for row, raw in shown], max(0, p.count - len(shown)) if shown else 0, p.kind, p.column)
        )
    for p in values_never_found(m, data):  # e.g. countries listed as codes where the export writes names
        out.warnings.append(Notice(p.message, [], 0, p.kind, p.column))
    return out
