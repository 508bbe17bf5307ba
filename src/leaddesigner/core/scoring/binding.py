"""Lead and activity frames bound to a model: what the scorer reads.

:func:`bind` turns the frames as read into :class:`LeadData`: columns renamed
to attribute names, types coerced (formats from the model or from detection),
events matched to lead rows (:mod:`.ids`) with their instants, types and
details. Nothing is dropped silently: missing columns, values that do not fit
their type, duplicate or empty ids, unknown leads and dates in the future are
:class:`Problem` entries. :func:`subset_data` is the bound data of some rows,
each scored at its own moment (scores at conversion, workshop suggestions);
:func:`default_as_of` / :func:`parse_as_of` decide the scoring moment.

Split from :mod:`.engine` (which re-exports every name) so that the scorer's
incremental state has a module of its own; binding decides the arrays the
scorer keeps and changes nothing after it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leaddesigner.core.data.coerce import coerce_types, recode
from leaddesigner.core.data.reading import Problem
from leaddesigner.core.model.types import (
    DATE_FORMATS,
    NUMBER_FORMATS,
    ActivityColumns,
    ScoringModel,
)
from leaddesigner.core.scoring import conditions as C
from leaddesigner.core.scoring.events import Events
from leaddesigner.core.scoring.ids import lead_rows

__all__ = ["LeadData", "bind", "default_as_of", "formatted_columns", "future_cutoff", "parse_as_of", "subset_data"]

DAY_NS = C.DAY_NS
Progress = Callable[[float, str], None]


@dataclass
class LeadData:
    """Leads (and events) bound to a model: what the engine scores."""

    frame: pd.DataFrame  # one column per declared attribute, coerced, RangeIndex
    ids: pd.Index
    types: dict[str, str]
    events: Events | None = None
    as_of: pd.Timestamp = field(default_factory=lambda: pd.Timestamp("2026-01-01"))
    problems: list[Problem] = field(default_factory=list)
    extra: pd.DataFrame | None = None  # file columns the model does not declare (outcomes, names, ...)
    created: str | None = None  # the date attribute that dates a lead
    #: None: every lead is scored as of ``as_of``. N: each lead is scored as of N days
    #: after its creation (never later than ``as_of``), so weekly cohorts compare fairly.
    horizon_days: float | None = None
    #: derived values that depend only on the data (e.g. each lead's creation week)
    cache: dict = field(default_factory=dict, repr=False, compare=False)
    #: None: moments as above. An int64 ns array (one per lead): each lead is scored as
    #: of its own moment (NaT: ``as_of``; never later than ``as_of``); overrides the horizon.
    #: Set by :meth:`Scorer.score_at` on a temporary copy, e.g. to score converters as of
    #: the day they converted.
    moments_ns: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: the file column the ids came from (the model's lead_id unless the load pipeline chose another)
    id_column: str | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def row_as_of_ns(self) -> np.ndarray | int:
        """The scoring moment of each lead (an int when all leads share ``as_of``)."""
        if self.moments_ns is not None:
            m = np.asarray(self.moments_ns, dtype=np.int64)
            return np.where(m == np.iinfo(np.int64).min, self.as_of_ns, np.minimum(m, self.as_of_ns))
        if self.horizon_days is None or self.created is None:
            return self.as_of_ns
        t = self.frame[self.created].to_numpy(dtype="datetime64[ns]").view("int64")
        nat = t == np.iinfo(np.int64).min
        moment = np.minimum(t + int(self.horizon_days * DAY_NS), self.as_of_ns)
        moment[nat] = self.as_of_ns
        return moment

    def column(self, name: str) -> tuple[pd.Series, str]:
        return self.frame[name], self.types[name]

    def file_column(self, name: str) -> pd.Series:
        """A column of the lead file: a declared attribute (typed) or another column (as read); KeyError if none."""
        if name in self.frame.columns:
            return self.frame[name]
        if self.extra is not None and name in self.extra.columns:
            return self.extra[name]
        raise KeyError(name)

    def event_column(self, name: str) -> tuple[pd.Series, str]:
        from leaddesigner.core.model.types import ACTIVITY_FIELDS

        return self.events.frame[name], ACTIVITY_FIELDS[name]

    @property
    def as_of_ns(self) -> int:
        return int(self.as_of.value)


def future_cutoff() -> pd.Timestamp:
    """Dates after this are in the future (the end of tomorrow): they cannot be when an export was taken."""
    return pd.Timestamp.now().normalize() + pd.Timedelta(days=2)


def default_as_of(data_created: pd.Series | None, events_ts: np.ndarray | None) -> pd.Timestamp:
    """The end of the day of the latest event or lead: the moment the export was taken.

    Dates in the future (a typo like 2099, a scheduled webinar) are left out: one of them
    would move every activity window to that date. :func:`bind` reports them.
    """
    cut = future_cutoff()
    latest = []
    if events_ts is not None and len(events_ts):
        latest_ns = int(events_ts.max())  # one pass; the events before the cut-off only when one is after it
        if latest_ns >= cut.value:
            ts = events_ts[events_ts < cut.value]
            latest_ns = int(ts.max()) if len(ts) else None
        if latest_ns is not None:
            latest.append(pd.Timestamp(latest_ns))
    if data_created is not None and data_created.notna().any():
        c = data_created[data_created < cut]
        if c.notna().any():
            latest.append(pd.Timestamp(c.max()))
    if not latest:
        return pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    return max(latest).normalize() + pd.Timedelta(days=1)


def parse_as_of(text: str | None) -> pd.Timestamp | None:
    """``2026-06-30`` means the end of that day; a timestamp means that moment."""
    if text is None:
        return None
    try:
        t = pd.Timestamp(text)
    except (ValueError, TypeError):
        t = pd.NaT
    if t is pd.NaT:
        raise ValueError(f"'{text}' is not a date: expected a date like 2026-06-30 or a timestamp like 2026-06-30 14:00")
    if t.tzinfo is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    if len(str(text).strip()) <= 10:
        t = t.normalize() + pd.Timedelta(days=1)
    return t


def bind(
    model: ScoringModel,
    leads: pd.DataFrame,
    activities: pd.DataFrame | None = None,
    *,
    as_of: pd.Timestamp | str | None = None,
    leads_source: str = "leads",
    activities_source: str = "activities",
    row_offset: int = 2,
    activity_row_offset: int = 2,
    horizon_days: float | None = None,
    column_formats: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> LeadData:
    """Prepare lead and activity frames for scoring with ``model``.

    ``progress(fraction, message)`` hears each step (the lead file's values,
    the log's dates, matching events to leads): at a million leads binding
    takes seconds, and the app shows the step in progress.

    ``column_formats`` (file column -> format, e.g. from
    :func:`leaddesigner.core.data.detect.detect`) is used for attributes the
    model gives no ``format``; a date format only for date attributes, a
    number format only for numbers.

    Nothing is dropped silently: missing columns, values that do not fit the
    declared type, duplicate or empty ids and events of unknown leads are
    returned as :class:`Problem` entries (rules reading a missing column score 0
    and are named in the problem).
    """
    from leaddesigner.core.model.io import did_you_mean

    problems: list[Problem] = []
    cols = list(leads.columns)
    if model.lead_id not in leads.columns:
        raise KeyError(
            f"{leads_source}: the lead id column '{model.lead_id}' is missing.{did_you_mean(model.lead_id, cols)} "
            f"Columns in the file: {', '.join(map(str, cols[:30]))}{' ...' if len(cols) > 30 else ''}. "
            "Set lead_id in the model to the file's id column."
        )
    ids = leads[model.lead_id]
    id_text = ids.astype("str")
    empty = ids.isna() | (id_text.str.strip() == "")
    if empty.any():
        rows = np.flatnonzero(empty.to_numpy())
        problems.append(
            Problem("empty_id", model.lead_id, f"{_count(len(rows), 'row')} without a lead id", len(rows), [(int(r) + row_offset, "") for r in rows[:5]])
        )
    dup = id_text.duplicated(keep="first") & ~empty
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())
        problems.append(
            Problem(
                "duplicate_id",
                model.lead_id,
                f"{_count(len(rows), 'lead id')} repeated from earlier rows; each row is scored separately, and activity-log events of a repeated id count for its first row only",
                len(rows),
                [(int(r) + row_offset, str(id_text.iloc[r])) for r in rows[:5]],
            )
        )

    rules_by_attr: dict[str, list[str]] = {}
    for r in model.rules:
        for a in r.attributes():
            rules_by_attr.setdefault(a, []).append(r.id)
    if model.persona is not None:
        rules_by_attr.setdefault(model.persona.attribute, []).append("persona")

    types = {a.name: a.type for a in model.attributes}
    present: dict[str, str] = {}
    for a in model.attributes:
        col = model.column_for(a.name)
        if col in leads.columns:
            present[col] = a.name
        else:
            users = rules_by_attr.get(a.name, [])
            what = f"rules {', '.join(users)} score 0 for every lead" if users else "no rule uses it yet"
            problems.append(
                Problem(
                    "missing_column",
                    col,
                    f"column '{col}' (attribute {a.name}) is not in {leads_source}.{did_you_mean(col, cols)} Until it is mapped, {what}.",
                    len(leads),
                    rules=users,
                )
            )
    # coerce under the file's column names, so that messages name the column the user sees
    fmts = {a.name: a.format for a in model.attributes if a.format}
    formats = {col: fmts[attr] for col, attr in present.items() if attr in fmts}
    if column_formats:  # for the columns formatted_columns names
        for col, f in column_formats.items():
            t = types[present[col]] if col in present else None
            if col not in formats and ((t == "date" and f in DATE_FORMATS) or (t == "number" and f in NUMBER_FORMATS)):
                formats[col] = f
    say = progress or (lambda fraction, message: None)
    say(0.0, f"Reading the values of {_count(len(leads), 'lead')}")
    frame, type_problems = coerce_types(
        leads[list(present)], {col: types[attr] for col, attr in present.items()}, source=leads_source, row_offset=row_offset,
        formats=formats,
    )
    frame = frame.rename(columns=present)
    for p in type_problems:
        p.rules = rules_by_attr.get(present.get(p.column, p.column), [])
    problems += type_problems
    n = len(leads)
    for a in model.attributes:
        if a.name not in frame.columns:
            frame[a.name] = _empty_column(a.type, n)
    frame = frame[[a.name for a in model.attributes]].reset_index(drop=True)
    extra_cols = [c for c in leads.columns if c not in present and c != model.lead_id]
    extra = leads[extra_cols].reset_index(drop=True) if extra_cols else None

    id_index = pd.Index(id_text.array)  # the text as it is (to_numpy(object) built a Python string per lead, GIL held)
    events = None
    if activities is not None:
        events, ev_problems = _bind_events(
            model.activities or ActivityColumns(), activities, id_index, activities_source, activity_row_offset, say
        )
        problems += ev_problems

    created = frame[model.created_at] if model.created_at and model.created_at in frame.columns else None
    if isinstance(as_of, str):
        as_of = parse_as_of(as_of)
    if as_of is None:
        as_of = default_as_of(created, events.ts if events is not None else None)
        problems += _future_problems(created, events, model, leads_source, activities_source, row_offset)
    created_attr = model.created_at if created is not None else None
    return LeadData(frame, id_index, types, events, pd.Timestamp(as_of), problems, extra, created_attr, horizon_days, id_column=model.lead_id)


def _future_problems(created, events, model, leads_source: str, activities_source: str, row_offset: int) -> list[Problem]:
    """Dates after tomorrow: said, with examples, because they do not count for the default moment."""
    cut = future_cutoff()
    out = []
    if created is not None:
        fut = (created >= cut).to_numpy(dtype=bool, na_value=False)
        if fut.any():
            rows = np.flatnonzero(fut)
            out.append(Problem(
                "future_date", model.column_for(model.created_at),
                f"{_count(len(rows), 'lead')} of {leads_source} {'are' if len(rows) != 1 else 'is'} dated in the future "
                f"(latest {pd.Timestamp(created[fut].max()):%Y-%m-%d}); they do not set the default scoring moment.",
                len(rows), [(int(r) + row_offset, str(created.iloc[r])) for r in rows[:5]]))
    if events is not None and len(events):
        fut = events.ts >= cut.value
        n = int(fut.sum())
        if n:
            latest = pd.Timestamp(int(events.ts[fut].max()))
            out.append(Problem(
                "future_date", (model.activities or ActivityColumns()).timestamp,
                f"{_count(n, 'event')} of {activities_source} {'are' if n != 1 else 'is'} dated in the future "
                f"(latest {latest:%Y-%m-%d}); they do not count and do not set the default scoring moment.", n))
    return out


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _empty_column(atype: str, n: int) -> pd.Series:
    if atype == "number":
        return pd.Series(np.full(n, np.nan))
    if atype == "date":
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    if atype == "boolean":
        return pd.Series(pd.array([pd.NA] * n, dtype="boolean"))
    if atype == "category":
        return pd.Series(pd.Categorical([None] * n, categories=[]))
    return pd.Series([None] * n, dtype="str")


def _bind_events(
    cols: ActivityColumns, act: pd.DataFrame, ids: pd.Index, source: str, row_offset: int, say: Progress
) -> tuple[Events, list[Problem]]:
    from leaddesigner.core.model.io import did_you_mean

    problems: list[Problem] = []
    need = {"lead_id": cols.lead_id, "timestamp": cols.timestamp, "type": cols.type}
    if cols.detail:
        need["detail"] = cols.detail
    have = list(act.columns)
    missing = [f"'{c}' ({role}){did_you_mean(c, have)}" for role, c in need.items() if c not in act.columns]
    if missing:
        raise KeyError(
            f"{source}: the activity log lacks column(s) {', '.join(missing)}. Columns in the file: {', '.join(map(str, have))}. "
            "Set the activities section of the model to the file's column names."
        )
    types = {cols.timestamp: "date", cols.type: "category"}
    if cols.detail:
        types[cols.detail] = "category"
    say(0.3, f"Reading the dates of {_count(len(act), 'event')}")
    part, tp = coerce_types(act[list(need.values())], types, source=source, row_offset=row_offset)
    problems += tp
    say(0.6, f"Matching {_count(len(act), 'event')} to their leads")
    lead = lead_rows(ids, act[cols.lead_id])
    ts = part[cols.timestamp].to_numpy(dtype="datetime64[ns]").view("int64")
    nat = ts == np.iinfo(np.int64).min
    unknown = lead < 0
    if unknown.any():
        rows = np.flatnonzero(unknown)
        problems.append(
            Problem(
                "unknown_lead",
                cols.lead_id,
                f"{_count(len(rows), 'event')} in {source} {'belongs' if len(rows) == 1 else 'belong'} to lead ids that are not in the lead file; {'it is' if len(rows) == 1 else 'they are'} ignored",
                len(rows),
                [(int(r) + row_offset, str(act[cols.lead_id].iloc[r])) for r in rows[:5]],
            )
        )
    keep = ~unknown & ~nat
    every = bool(keep.all())
    frame = pd.DataFrame(
        {
            "type": _observed_sorted(part[cols.type]) if every else part[cols.type][keep].reset_index(drop=True),
            "detail": (
                (part[cols.detail].reset_index(drop=True) if every else part[cols.detail][keep].reset_index(drop=True))
                if cols.detail
                else pd.Categorical([None] * int(keep.sum()))
            ),
        }
    )
    for c in ("type", "detail"):
        if not isinstance(frame[c].dtype, pd.CategoricalDtype):
            frame[c] = frame[c].astype("category")
    if every:  # the usual case: no copies of the two big arrays
        return Events(lead.astype(np.int64, copy=False), ts, frame), problems
    return Events(lead[keep].astype(np.int64, copy=False), ts[keep], frame), problems


def _observed_sorted(s: pd.Series) -> pd.Categorical:
    """``pd.Categorical(s.to_numpy())`` for a categorical ``s``, without an object array per event.

    That is what binding always gave for the event type when no event was
    dropped: only the categories that occur, in sorted order. Here the codes
    found (``pyarrow.compute.unique``, no sort of the events) and recoded through a
    small lookup table (:func:`~leaddesigner.core.data.coerce.recode`: the
    codes' own width; kept as they are when every category occurs, sorted).
    """
    cat = s.array
    if not isinstance(cat, pd.Categorical):  # pragma: no cover - coerce_types gives categoricals
        return pd.Categorical(s.to_numpy())
    codes = np.asarray(cat.codes)
    n = len(cat.categories)
    # the codes that occur: Arrow's hash of the codes where they lie (12M events: 11 ms), where a bincount
    # first widened them to a 96 MB int64 copy (0.1-0.2 s with the memory it takes fresh)
    distinct = np.asarray(pc.unique(pa.array(codes))) if len(codes) else np.zeros(0, dtype=np.int64)
    used = np.sort(distinct[distinct >= 0]).astype(np.int64)
    names = cat.categories[used]
    order = np.argsort(names.to_numpy(dtype=object), kind="stable")
    new_code = np.full(n, -1, dtype=np.int64)  # a category no event has: none
    new_code[used[order]] = np.arange(len(used))
    return recode(codes, new_code, pd.CategoricalDtype(names[order]))


def subset_data(data: LeadData, rows: np.ndarray | None, moments_ns: np.ndarray | None = None) -> LeadData:
    """The bound data of some lead ``rows`` (all: None), each scored at its own moment.

    ``moments_ns`` (int64 ns or datetime64, one per row; NaT: the data's ``as_of``)
    defaults to each row's moment now (:meth:`LeadData.row_as_of_ns`), so a
    scorer over the subset scores those leads exactly as this one does. Events
    of other leads are left out. Used by :meth:`Scorer.score_at` and to rescore a
    handful of leads under many variants of a model (workshop suggestions).
    """
    d = data
    n = len(d)
    if moments_ns is None:
        now = d.row_as_of_ns()
        full = np.full(n, now, dtype=np.int64) if not isinstance(now, np.ndarray) else now.astype(np.int64)
        moments_ns = full if rows is None else full[np.asarray(rows, dtype=np.int64)]
    m = np.asarray(moments_ns)
    if np.issubdtype(m.dtype, np.datetime64):
        m = m.astype("datetime64[ns]").view(np.int64)
    m = m.astype(np.int64, copy=True)
    if rows is None:
        if len(m) != n:
            raise ValueError(f"score_at: {len(m)} moments for {n} leads")
        return dataclasses.replace(d, moments_ns=m, cache={})  # per-lead moments do not use the event index
    rows = np.asarray(rows, dtype=np.int64)
    if len(m) != len(rows):
        raise ValueError(f"score_at: {len(m)} moments for {len(rows)} rows")
    events = d.events
    if events is not None:
        # the new row of every event's lead in 32 bits, and the kept events by position: the backtest scores
        # 87k converters of 1M leads at conversion, and an int64 row per event of 12M was 96 MB more at its peak
        new_row = np.full(n, -1, dtype=np.int32 if len(rows) < 2**31 - 1 else np.int64)
        new_row[rows] = np.arange(len(rows))
        lead = new_row[events.lead]
        keep = np.flatnonzero(lead >= 0)
        events = Events(lead[keep].astype(np.int64), events.ts[keep], events.frame.take(keep).reset_index(drop=True))
    return dataclasses.replace(
        d,
        frame=d.frame.iloc[rows].reset_index(drop=True),
        ids=d.ids[rows],
        events=events,
        extra=None,
        problems=[],
        moments_ns=m,
        cache={},
    )


def formatted_columns(model: ScoringModel) -> list[str]:
    """The file columns whose format :func:`bind` takes from ``column_formats`` (a detection): the model's dates
    and numbers without a ``format`` of their own. A caller that guesses only these (``score``) binds the same."""
    return [model.column_for(a.name) for a in model.attributes if a.type in ("date", "number") and not a.format]
