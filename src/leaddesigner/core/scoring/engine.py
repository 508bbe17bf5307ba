"""The scoring engine: vectorised, incremental, explainable.

One module because :class:`Scorer` is one object whose incremental state
(per-rule points, group sums, dimension totals, event windows) must stay
consistent across every edit method; split across files, the invariants below
would have no single place to read. Binding frames is here because it decides
the arrays the scorer keeps; the event log and its index are in :mod:`.events`, events matched to lead rows in :mod:`.ids`; conditions, explanations and summaries are in their
own modules.

``bind`` turns raw lead and activity frames into :class:`LeadData` (columns
renamed to attribute names, types coerced, events indexed by lead row).
:class:`Scorer` scores every lead in one pass and then keeps its state so that
an edit to one rule, a threshold or a cap costs a few array operations.

Invariants kept by the scorer (checked by tests against a per-row oracle):

* ``fit + engagement`` before the score range equals the sum of capped group
  sums and ungrouped rule points of each dimension, each dimension clipped;
* the lines of :meth:`Scorer.explain` always add up to the lead's score;
* incremental updates equal a fresh full scoring (up to float rounding).
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leaddesigner.core.data.coerce import coerce_types, recode
from leaddesigner.core.data.reading import Problem
from leaddesigner.core.model.types import (
    DATE_FORMATS,
    NUMBER_FORMATS,
    STATUSES,
    ActivityColumns,
    Rule,
    ScoringModel,
)
from leaddesigner.core.scoring import conditions as C
from leaddesigner.core.scoring.events import MAX_EVENT_GROUPS, EventIndex, Events, event_index  # noqa: F401 - engine.Events etc. stay importable
from leaddesigner.core.scoring.ids import lead_rows

if TYPE_CHECKING:
    from leaddesigner.core.scoring.explain import Explanation

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
    if column_formats:
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
    if keep.all():  # the usual case: no copies of the two big arrays
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


# ---------------------------------------------------------------- scoring state
@dataclass
class RuleState:
    """What the scorer remembers of one enabled rule."""

    rule: Rule  # snapshot of the rule as evaluated
    raw: np.ndarray  # condition: bool mask; map: points; activity: decayed event count
    bucket: tuple  # ("g", group) or ("d", dimension)
    #: leads with a non-zero raw value, and how many of those have a persona weight of 0 (see rule_hits);
    #: None until counted, and again whenever ``raw`` is evaluated anew
    nonzero: tuple[int, int] | None = None


@dataclass
class ScoreArrays:
    """Per-lead results. ``grade`` and ``status`` are codes into ``grade_names`` / STATUSES."""

    score: np.ndarray
    fit: np.ndarray
    engagement: np.ndarray
    grade: np.ndarray  # int16 codes, -1 when the model has no grades
    status: np.ndarray  # int8: 0 lead, 1 MQL, 2 SQL
    products: dict[str, np.ndarray]


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


class Scorer:
    """Scores all leads and follows edits to the model incrementally.

    Edit the model object in place (or through edit commands), then call
    :meth:`refresh`: the scorer compares each rule with the snapshot it scored
    and redoes only what changed. A points change costs one delta on one
    bucket; a condition change re-evaluates that rule only.
    """

    def __init__(self, model: ScoringModel, data: LeadData, progress: Progress | None = None):
        self.model = model
        self.data = data
        self.n = len(data)
        self._states: dict[str, RuleState] = {}
        self._buckets: dict[tuple, np.ndarray] = {}
        self._products: dict[str, np.ndarray] = {}
        self._settings = None
        self._age: np.ndarray | None = None
        self.result: ScoreArrays | None = None
        self.full(progress)

    # -- public API
    def full(self, progress: Progress | None = None) -> ScoreArrays:
        """Score from scratch."""
        self._states.clear()
        self._buckets.clear()
        self._products.clear()
        self._weights = self._persona_weights()
        #: leads whose persona weight is 0 (their engagement rules give 0 points); None when there are none
        self._weightless = None if self._weights is None or self._weights.all() else self._weights == 0
        self._age = None
        self._agg = None  # aggregation cache (see _aggregate)
        self._last_added: tuple | None = None  # (state, raw, rule, points) of the last rule added (see _add)
        self._dirty: set = set()
        self._row_as_of = self.data.row_as_of_ns()
        rules = [r for r in self.model.rules if r.enabled]
        for i, r in enumerate(rules):
            if progress:
                progress(i / max(len(rules), 1), f"Scoring rule {i + 1} of {len(rules)}: {r.label or r.id}")
            st = RuleState(copy.deepcopy(r), self._evaluate(r), self._bucket(r))
            self._states[r.id] = st
            self._add(st, +1.0)
        self._settings = self._settings_key()
        self.result = self._aggregate()
        if progress:
            progress(1.0, "Scored")
        return self.result

    def refresh(self) -> ScoreArrays:
        """Bring the result up to date with the (edited) model."""
        if self._settings_key()[0] != self._settings[0]:  # persona weighting changed
            return self.full()
        current = {r.id: r for r in self.model.rules if r.enabled}
        for rid in [k for k in self._states if k not in current]:
            self._add(self._states.pop(rid), -1.0)
        for rid, r in current.items():
            st = self._states.get(rid)
            if st is None:
                st = RuleState(copy.deepcopy(r), self._evaluate(r), self._bucket(r))
                self._states[rid] = st
                self._add(st, +1.0)
                continue
            if st.rule == r:
                continue
            self._add(st, -1.0)
            if _condition_key(st.rule) != _condition_key(r):
                st.raw = self._evaluate(r)
                st.nonzero = None
            st.rule = copy.deepcopy(r)
            st.bucket = self._bucket(r)
            self._add(st, +1.0)
        self._settings = self._settings_key()
        self.result = self._aggregate()
        return self.result

    def set_as_of(self, as_of: pd.Timestamp, horizon_days: float | None = None) -> ScoreArrays:
        """Score as of another moment, optionally each lead ``horizon_days`` after its creation.

        Re-evaluates everything (activity and date rules depend on the moment).
        """
        self.data.as_of = pd.Timestamp(as_of)
        self.data.horizon_days = horizon_days
        return self.full()

    def score_at(self, moments_ns: np.ndarray, rows: np.ndarray | None = None) -> ScoreArrays:
        """Score each lead as of its own moment, leaving this scorer untouched.

        ``moments_ns``: int64 nanoseconds (or datetime64) per lead, NaT meaning the
        data's ``as_of``; moments later than ``as_of`` are scored as of ``as_of``.
        ``rows``: score only these lead rows (``moments_ns`` then has one entry per
        row given); the result arrays follow ``rows``. Equivalent to
        ``set_as_of(moment)`` run per lead, in one pass: a fresh scorer over a
        shallow copy of the data with per-lead moments (the model is copied, the
        state, caches and ``result`` of this scorer are not changed).
        """
        return Scorer(copy.deepcopy(self.model), subset_data(self.data, rows, moments_ns)).result

    def rule_factor(self, rule_id: str) -> np.ndarray:
        """Points each lead gets from one rule per point of the rule (its count or match, x persona weight).

        For condition and activity rules, ``points x factor`` is the rule's points
        (before an activity rule's ``max_points`` and the caps); zero for a map rule
        or a rule that is not enabled.
        """
        st = self._states.get(rule_id)
        if st is None or st.rule.kind == "map":
            return np.zeros(self.n)
        v = np.asarray(st.raw, dtype=float)
        if st.rule.dimension == "engagement" and self._weights is not None:
            v = v * self._weights
        return v

    def rule_points(self, rule_id: str) -> np.ndarray:
        """Points each lead gets from one rule (after persona weighting, before caps)."""
        st = self._states.get(rule_id)
        if st is None:
            return np.zeros(self.n)
        return self._points(st)

    def rule_hits(self, rule_id: str) -> int:
        """How many leads the rule gives non-zero points now."""
        st = self._states.get(rule_id)
        if st is None:
            return 0
        r = st.rule
        # a count over the raw values, no array of points (1M leads: ~1 ms instead of ~8 ms per rule, which
        # the rules table asks for every rule once a file is scored): points are raw x points, capped at
        # +-max_points for activity rules, or raw itself for a map, and for engagement rules x the persona
        # weight; only a zero factor, a cap of 0 or a weight of 0 turns a raw hit into 0 points.
        # The counts are kept with the rule's state: an edit of points or caps does not count again.
        if r.kind != "map" and (not r.points or (r.kind != "condition" and r.activity.max_points == 0)):
            return 0
        if st.nonzero is None:
            weightless = int(np.count_nonzero(st.raw[self._weightless])) if self._weightless is not None else 0
            st.nonzero = (int(np.count_nonzero(st.raw)), weightless)
        return st.nonzero[0] - (st.nonzero[1] if r.dimension == "engagement" else 0)

    def hit_counts(self) -> dict[str, int]:
        """:meth:`rule_hits` of every enabled rule (counted once; a worker thread can do it before the window asks)."""
        return {rid: self.rule_hits(rid) for rid in self._states}

    def rule_matches(self, rule_id: str) -> int:
        """How many leads the rule's condition matches (whatever its points)."""
        st = self._states.get(rule_id)
        if st is None:
            return 0
        return int(np.count_nonzero(st.raw))

    def points_frame(self, rows: Iterable[int] | None = None) -> pd.DataFrame:
        """Per-rule points (columns = enabled rule ids), for all or some leads."""
        idx = np.arange(self.n) if rows is None else np.asarray(list(rows), dtype=int)
        data = {rid: self._points(st)[idx] for rid, st in self._states.items()}
        return pd.DataFrame(data, index=self.data.ids[idx])

    def frame(self) -> pd.DataFrame:
        """The scored leads: id, score, fit_score, engagement_score, grade, status, product scores."""
        res = self.result
        out = pd.DataFrame({self.data.id_column or self.model.lead_id: self.data.ids.to_numpy()})
        out["score"] = np.round(res.score, 2)
        out["fit_score"] = np.round(res.fit, 2)
        out["engagement_score"] = np.round(res.engagement, 2)
        names = self.grade_names()
        out["grade"] = pd.Categorical.from_codes(res.grade, categories=names) if names else pd.Categorical([None] * self.n)
        out["status"] = pd.Categorical.from_codes(res.status, categories=list(STATUSES))
        for p, arr in res.products.items():
            out[f"product_{p}"] = np.round(arr, 2)
        return out

    def grade_names(self) -> list[str]:
        g = self.model.grades
        if not g.fit or not g.engagement:
            return []
        return [f + e for f in g.fit for e in g.engagement]

    def explain(self, row: int) -> "Explanation":
        from leaddesigner.core.scoring.explain import explain_row

        return explain_row(self, row)

    # -- evaluation
    def _persona_weights(self) -> np.ndarray | None:
        p = self.model.persona
        if p is None:
            return None
        s, atype = self.data.column(p.attribute)
        from leaddesigner.core.model.types import ValueMap

        w = C.map_points(s, atype, ValueMap(p.attribute, values=p.weights, default=p.default))
        # map_points gives 0 for missing values: a lead without a persona gets the default weight
        w[s.isna().to_numpy()] = p.default
        return w

    def _bucket(self, r: Rule) -> tuple:
        return ("g", r.group) if r.group else ("d", r.dimension)

    def _evaluate(self, r: Rule) -> np.ndarray:
        d = self.data
        if r.kind == "condition":
            return C.evaluate(r.when, d.column, self.n, self._row_as_of)
        if r.kind == "map":
            s, atype = d.column(r.map.attribute)
            return C.map_points(s, atype, r.map)
        return self._activity_counts(r)

    def event_ages(self) -> np.ndarray:
        """Age of each event in days at the as-of moment (negative: after it)."""
        if self._age is None:
            ev = self.data.events
            moment = self._row_as_of
            if not np.isscalar(moment):
                moment = moment[ev.lead]
            self._age = (moment - ev.ts) / DAY_NS
        return self._age

    def activity_event_mask(self, r: Rule) -> np.ndarray:
        """Events that count for an activity rule: matching, before as-of, inside the window."""
        ev = self.data.events
        age = self.event_ages()
        m = age > 0
        if r.activity.where is not None:
            m &= C.evaluate(r.activity.where, self.data.event_column, len(ev), self.data.as_of_ns)
        if r.activity.within_days is not None:
            m &= age <= r.activity.within_days
        return m

    def decay_factors(self, r: Rule, age: np.ndarray) -> np.ndarray | None:
        d = r.activity.decay
        if d is None:
            return None
        if d.half_life_days is not None:
            return np.exp2(-age / d.half_life_days)
        return np.clip(1.0 - (d.linear_pct / 100.0) * np.floor(age / d.period_days), 0.0, 1.0)

    def _activity_counts(self, r: Rule) -> np.ndarray:
        ev = self.data.events
        if ev is None or len(ev) == 0:
            return np.zeros(self.n)
        idx = event_index(self.data)
        if idx is None:  # too many (type, detail) pairs: one pass over every event
            m = self.activity_event_mask(r)
            w = self.decay_factors(r, self.event_ages()[m])
            return np.bincount(ev.lead[m], weights=w, minlength=self.n).astype(float, copy=False)
        moment = self._row_as_of
        if np.isscalar(moment):
            lead, age = idx.select(r.activity.where, r.activity.within_days, int(moment), self.data.as_of_ns)
        else:  # each lead at its own moment (N days after creation): the index still picks the matching events
            lead, age = idx.select(r.activity.where, r.activity.within_days, self.data.as_of_ns, self.data.as_of_ns,
                                   moments=np.asarray(moment, dtype=np.int64))
        return np.bincount(lead, weights=self.decay_factors(r, age), minlength=self.n).astype(float, copy=False)

    def _points(self, st: RuleState) -> np.ndarray:
        r = st.rule
        weighted = r.dimension == "engagement" and self._weights is not None
        if r.kind == "map":
            return st.raw * self._weights if weighted else st.raw
        # one new array, clipped and weighted in place: an edit runs this twice per rule (old and new points),
        # and at a million leads each fresh 8 MB array costs the kernel more than the arithmetic
        v = np.multiply(st.raw, r.points, dtype=float)
        if r.kind == "activity" and r.activity.max_points is not None:
            np.clip(v, -r.activity.max_points, r.activity.max_points, out=v)
        if weighted:
            np.multiply(v, self._weights, out=v)
        return v

    def _add(self, st: RuleState, sign: float) -> None:
        self._dirty.add(st.bucket)
        last = self._last_added
        if sign == -1.0 and last is not None and last[0] is st and last[1] is st.raw and last[2] is st.rule:
            v = last[3]  # the points this rule added at the last edit: a rule edited again and again (a spin box)
        else:
            v = self._points(st)
        if sign == 1.0:
            # kept (8 MB at 1M leads) until the next edit; st.raw and st.rule are replaced, never changed in place,
            # and a change of persona weights scores from scratch, so the identities say the points still hold
            self._last_added = (st, st.raw, st.rule, v)
        b = self._buckets.get(st.bucket)
        if b is None:
            self._buckets[st.bucket] = v * sign if sign != 1.0 else v.astype(float, copy=True)
        elif sign == -1.0:
            b -= v
        else:
            b += v * sign if sign != 1.0 else v
        p = st.rule.product
        if p:
            prod = self._products.get(p)
            if prod is None:
                self._products[p] = v * sign if sign != 1.0 else v.astype(float, copy=True)
            elif sign == -1.0:
                prod -= v
            else:
                prod += v * sign if sign != 1.0 else v

    def _settings_key(self) -> tuple:
        m = self.model
        return (copy.deepcopy(m.persona),)

    # -- aggregation
    def group_dimension(self, group: str) -> str:
        for st in self._states.values():
            if st.rule.group == group:
                return st.rule.dimension
        return "fit"

    def _aggregate(self) -> ScoreArrays:
        """Caps, score range, grades and status from the buckets.

        An edit touches one or two buckets: the capped contributions of the
        other buckets, the sums of an untouched dimension and its grade bands
        are kept from the previous call, and a dimension's sum up to the first
        changed bucket (:func:`_dimension_sum`); sums are redone in bucket
        order, so the result equals an aggregation of the same buckets from
        scratch bit for bit. (The buckets themselves take an edit as ``-=``
        the old points and ``+=`` the new: equal to a fresh scoring within
        rounding.) Any change of caps, range, grade bands or bucket layout
        recomputes everything.
        """
        m = self.model
        n = self.n
        group_dims = {st.rule.group: st.rule.dimension for st in self._states.values() if st.rule.group}
        layout = []
        for key in self._buckets:
            if key[0] == "g":
                if key[1] not in group_dims:
                    continue  # emptied bucket
                layout.append((key, group_dims[key[1]]))
            else:
                layout.append((key, key[1]))
        layout = tuple(layout)
        config = (copy.deepcopy(m.caps), copy.deepcopy(m.score_range), copy.deepcopy(m.grades.fit), copy.deepcopy(m.grades.engagement))
        agg = self._agg
        if agg is None or agg["layout"] != layout or agg["config"] != config:
            agg = {"layout": layout, "config": config, "contrib": {}, "raw": {}, "capped": {}, "band": {}}
            dirty = {key for key, _ in layout}
            dims = {"fit", "engagement"}
        else:
            dirty = self._dirty
            dims = {d for key, d in layout if key in dirty}
        for key, _ in layout:
            if key in dirty or key not in agg["contrib"]:
                s = self._buckets[key]
                # ungrouped buckets (and uncapped groups) are read as they are; they change in place only through _add
                agg["contrib"][key] = _clip(s, m.caps.groups.get(key[1])) if key[0] == "g" else s
        g = m.grades
        graded = bool(g.fit and g.engagement)
        for dim in ("fit", "engagement"):
            if dim in dims or dim not in agg["raw"]:
                acc = _dimension_sum(agg, dim, [key for key, d in layout if d == dim], dirty, n)
                agg["raw"][dim] = acc
                agg["capped"][dim] = _clip(acc, m.caps.dimensions.get(dim))
                agg["band"].pop(dim, None)
            if graded and dim not in agg["band"]:
                agg["band"][dim] = band_index(agg["capped"][dim], list((g.fit if dim == "fit" else g.engagement).values()))
                agg.pop("grade", None)
        self._dirty = set()
        self._agg = agg
        fit, eng = agg["capped"]["fit"], agg["capped"]["engagement"]
        total = fit + eng
        r = m.score_range
        if r is not None and (r.min is not None or r.max is not None):
            np.clip(total, -np.inf if r.min is None else r.min, np.inf if r.max is None else r.max, out=total)
        grade = None
        if graded:
            if "grade" not in agg:
                fi = agg["band"]["fit"] * np.int16(len(g.engagement))
                fi += agg["band"]["engagement"]
                agg["grade"] = fi
            grade = agg["grade"]
        eligible = total >= m.thresholds.mql
        if m.grades.mql_cells is not None and grade is not None:
            names = self.grade_names()
            allowed = np.zeros(len(names), dtype=bool)
            allowed[[names.index(c) for c in m.grades.mql_cells if c in names]] = True
            eligible &= allowed[grade]
        status = eligible.view(np.int8).copy()  # True -> 1 (MQL)
        if m.thresholds.sql is not None:
            status += eligible & (total >= m.thresholds.sql)  # SQL -> 2
        products = {p: self._products[p] if p in self._products else np.zeros(n) for p in m.products}
        if grade is None:
            grade = np.full(n, -1, dtype=np.int16)
        return ScoreArrays(total, fit, eng, grade, status, products)

    def _grades(self, fit: np.ndarray, eng: np.ndarray) -> np.ndarray | None:
        g = self.model.grades
        if not g.fit or not g.engagement:
            return None
        fi = band_index(fit, list(g.fit.values()))
        ei = band_index(eng, list(g.engagement.values()))
        return (fi * len(g.engagement) + ei).astype(np.int16)


def band_index(x: np.ndarray, mins: list[float | None]) -> np.ndarray:
    """Index of the first band (highest first) whose minimum ``x`` reaches; the last band catches the rest."""
    if len(mins) < 2:
        return np.zeros(len(x), dtype=np.int16)
    idx = (x < mins[0]).astype(np.int16)
    for lo in mins[1:-1]:
        idx += x < lo
    return idx


def _dimension_sum(agg: dict, dim: str, keys: list, dirty: set, n: int) -> np.ndarray:
    """A dimension's bucket contributions summed in layout order: ``((0 + c0) + c1) + ...``, bit for bit.

    The sum of the buckets before the first changed one is kept (one array per
    dimension), so the next edit of the same bucket adds only from there: a rule
    edited again and again (a spin box) costs the buckets after it, not all of them.
    """
    contrib = agg["contrib"]
    if not keys:
        return np.zeros(n)
    first = next((i for i, k in enumerate(keys) if k in dirty), len(keys))
    kept = agg.setdefault("prefix", {}).get(dim)
    if kept is not None and kept[0] <= first:
        start, acc = kept[0], kept[1]
        acc = acc + contrib[keys[start]] if start < len(keys) else acc.copy()
        start += 1
    else:  # from the start: a bucket before the kept sum changed (or none is kept)
        agg["prefix"].pop(dim, None)
        kept = None
        acc = np.add(contrib[keys[0]], 0.0)  # 0 + c0, as from zeros (a -0.0 becomes +0.0 either way)
        start = 1
    for i in range(start, len(keys)):
        if i == first and kept is None:
            agg["prefix"][dim] = (i, acc.copy())  # the sum before the changed bucket, for its next edit
        acc += contrib[keys[i]]
    return acc


def _clip(x: np.ndarray, r) -> np.ndarray:
    if r is None or (r.min is None and r.max is None):
        return x
    return np.clip(x, -np.inf if r.min is None else r.min, np.inf if r.max is None else r.max)


def _condition_key(r: Rule) -> tuple:
    """The parts of a rule that decide its raw vector (points and caps do not)."""
    if r.kind == "activity":
        a = r.activity
        return ("activity", a.where, a.within_days, a.decay)
    if r.kind == "map":
        return ("map", r.map)
    return ("condition", r.when)


def score(model: ScoringModel, data: LeadData) -> pd.DataFrame:
    """Score leads in one call: the frame written by ``leaddesigner score``."""
    return Scorer(model, data).frame()
