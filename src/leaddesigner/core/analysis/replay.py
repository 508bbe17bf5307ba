"""Replay time: each lead's score day by day, when it becomes an MQL/SQL, recycling and re-MQLs.

``replay(model, data, start, end)`` answers "what would this model have done on
each day of the period": the day each lead first reaches MQL and SQL (and its
grade then), the MQL arrivals (new MQLs and re-MQLs after recycling) and their
daily and weekly counts. It is event-driven, not a rescore per day: a lead's
score as of the end of a day changes only at its events, when an event leaves
an activity window, at linear-decay steps, when a date condition flips
(``within_days`` / ``older_than_days``) and, continuously, under half-life
decay. The replay evaluates the score on those days only (plus the lead's
creation day and the period's first and last day).

Semantics (the engine's, see ``core/scoring/engine.py`` and the oracle in tests):

* "the score on day d" is the engine's score with ``as_of`` = the end of day d
  (midnight after it): events at exactly that moment do not count yet;
* a lead exists from its creation day (``created_at``; leads without a date
  exist from the start of the history); it cannot be an MQL before it exists;
* half-life decay is continuous, so between two change days a lead's score only
  falls when its half-life points are positive. Crossing *up* can then only
  happen on a change day; crossing *down* is found by bisection inside the
  interval. Leads for which this does not hold (negative half-life points, or
  ``mql_cells`` that are not "upward closed") are evaluated on every day;
* the replay starts from the lead's history (up to ``HISTORY_DAYS`` before
  ``start``), so a lead that was already an MQL before ``start`` is not a new
  arrival in the period (``mql_before_start``), but its recycling and re-MQL
  inside the period are;
* without recycling an MQL stays an MQL (it is sales' lead now). With
  ``model.recycling`` see :class:`~leaddesigner.core.model.types.Recycling`;
* the scoring moment per lead (``horizon_days``) of the data is ignored: every
  lead is replayed on the calendar.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from leaddesigner.core.model.types import STATUSES, ScoringModel
from leaddesigner.core.scoring.engine import LeadData, ScoreArrays

from .replay_steps import NAT, EventSet, ReplayCore, repeat_counts

__all__ = ["ARRIVAL_COLUMNS", "DAY_NS", "HISTORY_DAYS", "MAX_EPISODES", "Replay", "ReplayCore", "day_number", "day_stamp",
           "repeat_counts", "replay", "week_monday"]

DAY_NS = 86_400 * 10**9
#: how far before ``start`` the replay looks for earlier MQLs (days)
HISTORY_DAYS = 730
Progress = Callable[[float, str], None]

#: columns of :attr:`Replay.arrivals`
ARRIVAL_COLUMNS = ("row", "lead_id", "day", "moment", "kind", "grade", "score", "episode")


#: at most this many recycles per lead are followed
MAX_EPISODES = 50


def _as_day(t: pd.Timestamp | str) -> int:
    t = pd.Timestamp(t)
    if t.tzinfo is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    return int(t.value // DAY_NS)


def day_number(t: pd.Timestamp | str) -> int:
    """Days since 1970-01-01 of a date or timestamp (the day it falls on)."""
    return _as_day(t)


def day_stamp(d: int | np.ndarray) -> pd.Timestamp | pd.DatetimeIndex:
    """The midnight starting day number ``d`` (NaT for -1 / negative sentinels)."""
    if np.isscalar(d):
        return pd.NaT if d is None or d < -10**8 else pd.Timestamp(int(d) * DAY_NS)
    d = np.asarray(d, dtype=np.int64)
    out = d * DAY_NS
    out[d < -10**8] = NAT
    return pd.DatetimeIndex(out.view("datetime64[ns]"))


_NONE = -(10**9)  # "no day"


def _first_per_lead(glead: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Index into the grid of each lead's first True (``-1``: none)."""
    out = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(mask)
    if len(idx):
        gl = glead[idx]
        step = gl[1:] != gl[:-1]
        if bool(np.all(gl[1:] >= gl[:-1])):  # grid order (by lead): the first of each run, no sort
            first = np.flatnonzero(np.concatenate(([True], step)))
            out[gl[first]] = idx[first]
        else:
            leads, first = np.unique(gl, return_index=True)
            out[leads] = idx[first]
    return out


def _ids_take(data: LeadData, rows: np.ndarray | None = None):
    """The lead ids of ``rows`` (all leads for None) for a result frame, as the frame would
    hold ``data.ids.to_numpy()[rows]``: pandas' ``str`` ids are taken as they are (turning
    100,000 Arrow strings into Python objects and back holds the GIL for tens of ms)."""
    ids = data.ids
    dt = ids.dtype
    if isinstance(dt, pd.StringDtype) and dt.na_value is np.nan and dt.storage == "pyarrow":
        return ids if rows is None else ids.take(rows)
    hit = data.cache.get("replay_ids")
    if hit is None or hit[0] is not ids:
        hit = (ids, ids.to_numpy())
        data.cache["replay_ids"] = hit
    return hit[1] if rows is None else hit[1][rows]


def _grade_names(core: "ReplayCore", codes: np.ndarray) -> np.ndarray:
    """Grade names (object array; None without grades or for code -1)."""
    names = core.grade_names
    table = np.array(list(names) + [None], dtype=object)
    codes = np.asarray(codes)
    if not names:
        return np.full(len(codes), None, dtype=object)
    return table[np.where(codes >= 0, codes, len(names))]


# ---------------------------------------------------------------- the result
@dataclass
class Replay:
    """The result of :func:`replay`. Days are ``pd.Timestamp`` at midnight (the start of the day).

    Attributes
    ----------
    start, end:
        first and last day of the period (inclusive).
    leads:
        one row per lead (in the order of the data), columns ``lead_id``,
        ``created_day`` (NaT: no date), ``mql_before_start`` (bool: the replay
        made it an MQL before ``start``), ``first_mql_day``, ``first_sql_day``
        (first day in the period, not before creation, on which the production
        status is >= MQL / SQL, recycling aside; NaT if none), ``grade_at_mql``
        (grade name on ``first_mql_day``, None without grades), ``score_at_mql``,
        ``mqls`` (arrivals in the period), ``recycles`` (recycles in the period).
    arrivals:
        one row per MQL arrival in the period (sorted by ``moment``): ``row``
        (lead row), ``lead_id``, ``day``, ``moment`` (Timestamp: the lead's last
        event on that day, its creation time on its creation day, else the
        start of the day), ``kind`` (``new`` or ``re-MQL``), ``grade``,
        ``score``, ``episode`` (0 for the first MQL, 1 for the first re-MQL...).
    recycles:
        one row per recycle in the period: ``row``, ``lead_id``, ``day``,
        ``moment``, ``reason`` (``disqualified``, ``closed_lost``, ``no_response``).
    daily:
        one row per day of the period: ``day``, ``new``, ``re_mql``, ``mqls``
        (= new + re_mql), ``sqls`` (leads reaching SQL for the first time that
        day; leads already SQL before ``start`` are not counted), ``recycled``.
    weekly:
        the same summed per Monday-based week: ``week`` (the Monday), ``new``,
        ``re_mql``, ``mqls``, ``sqls``, ``recycled``, ``days`` (days of the
        week inside the period; < 7 marks a partial week).
    problems:
        plain-words notes (e.g. a recycling column missing from the lead file).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    leads: pd.DataFrame
    arrivals: pd.DataFrame
    recycles: pd.DataFrame
    daily: pd.DataFrame
    weekly: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    _core: object = field(default=None, repr=False, compare=False)
    _state: dict = field(default_factory=dict, repr=False, compare=False)

    def scores_on(self, day: pd.Timestamp | str) -> ScoreArrays:
        """All leads' production scores as of the end of ``day`` (no recycling reset).

        Equals ``Scorer(model, data).set_as_of(end of day)`` up to float rounding
        (``products`` is empty). ``day`` must lie inside the replayed history.
        """
        core: ReplayCore = self._core
        d = _as_day(day)
        if d < core.day_lo or d > core.day_hi:
            raise ValueError(f"{day_stamp(d).date()} is outside the replayed days {day_stamp(core.day_lo).date()} .. {day_stamp(core.day_hi).date()}")
        return core.evaluate(np.arange(core.n), np.full(core.n, d), self._state["tabs0"])

    def lead_scores(self, row: int, days: pd.DatetimeIndex | None = None) -> pd.DataFrame:
        """One lead's daily production score over the period (for a timeline of one lead):
        columns ``day``, ``score``, ``fit``, ``engagement``, ``grade``, ``status``."""
        core: ReplayCore = self._core
        if days is None:
            dn = np.arange(_as_day(self.start), _as_day(self.end) + 1)
        else:
            dn = np.asarray(pd.DatetimeIndex(days).normalize().asi8 // DAY_NS, dtype=np.int64)
        res = core.evaluate(np.full(len(dn), int(row)), dn, self._state["tabs0"])
        names = core.grade_names
        return pd.DataFrame(
            {
                "day": day_stamp(dn),
                "score": res.score,
                "fit": res.fit,
                "engagement": res.engagement,
                "grade": [names[g] if g >= 0 and names else None for g in res.grade],
                "status": [STATUSES[s] for s in res.status],
            }
        )

    def first_days(self, mql: float, sql: float | None = None) -> np.ndarray:
        """Each lead's first MQL day under another MQL threshold, recycling aside.

        Day numbers since the epoch (``-10**9``: none), counted from the lead's
        creation (so days before ``start`` mean "already an MQL"). Cheap: reads the
        replay's change days. ``sql`` is accepted for symmetry and unused.
        """
        core: ReplayCore = self._core
        c_idx, c_score, c_lead = self._mql_candidates()
        out = np.full(core.n, _NONE, dtype=np.int64)
        hit = np.flatnonzero(c_score >= mql)
        if len(hit):
            gl = c_lead[hit]
            first = hit[np.concatenate(([True], gl[1:] != gl[:-1]))]  # candidates are in grid order
            out[c_lead[first]] = self._state["gday0"][c_idx[first]]
        return out

    def _mql_candidates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Grid points where a lead exists and its grade cell may be an MQL (what does not depend
        on the threshold; kept for the threshold search): (grid index, score, lead)."""
        st = self._state
        hit = st.get("mql_candidates")
        if hit is None:
            core: ReplayCore = self._core
            ok = st["gday0"] >= st["exist"][st["glead0"]]
            if core.allowed is not None:
                ok &= core.allowed[st["grade0"]]
            c_idx = np.flatnonzero(ok)
            hit = (c_idx, st["score0"][c_idx], st["glead0"][c_idx])
            st["mql_candidates"] = hit
        return hit

    def _threshold_new(self, mql: float) -> tuple[np.ndarray, np.ndarray, ScoreArrays]:
        """(rows, days, scores) of the new MQL arrivals in the period under threshold ``mql``."""
        core: ReplayCore = self._core
        s0, e0 = _as_day(self.start), _as_day(self.end)
        first = self.first_days(mql)
        rows = np.flatnonzero((first >= s0) & (first <= e0))
        days = first[rows]
        return rows, days, core.evaluate(rows, days, self._state["tabs0"])

    def arrivals_for_threshold(self, mql: float) -> pd.DataFrame:
        """The arrivals frame with the new MQLs of another MQL threshold (re-MQLs kept as replayed)."""
        core: ReplayCore = self._core
        rows, days, res = self._threshold_new(mql)
        new = _arrival_frame(self, core, rows, days, res, "new", np.zeros(len(rows), dtype=np.int64))
        old = self.arrivals[self.arrivals["kind"] != "new"]
        out = pd.concat([new, old], ignore_index=True) if len(old) else new
        return out.sort_values(["moment", "row"], kind="stable").reset_index(drop=True)

    def _arrivals_for_threshold_arrays(self, mql: float) -> dict:
        """What the queue reads of :meth:`arrivals_for_threshold` (``moment`` ns, ``row``,
        ``grade`` object, ``score``), in the same order, without building a frame: one probe
        of the threshold search."""
        core: ReplayCore = self._core
        rows, days, res = self._threshold_new(mql)
        old = self._state.get("re_mql_arrays")
        if old is None:
            a = self.arrivals[(self.arrivals["kind"] != "new").to_numpy()]
            old = (
                a["moment"].to_numpy(dtype="datetime64[ns]").view("int64"),
                a["row"].to_numpy(dtype=np.int64),
                a["grade"].to_numpy(dtype=object),
                a["score"].to_numpy(dtype=float),
            )
            self._state["re_mql_arrays"] = old
        moment = np.concatenate([_arrival_moments(core, rows, days), old[0]])
        row = np.concatenate([rows, old[1]])
        grade = np.concatenate([_grade_names(core, res.grade), old[2]])
        score = np.concatenate([np.asarray(res.score, dtype=float), old[3]])
        order = np.lexsort((row, moment))  # stable, as sort_values(["moment", "row"], kind="stable")
        return {"moment": moment[order], "row": row[order], "grade": grade[order], "score": score[order]}


def _arrival_frame(rep_or_none, core: "ReplayCore", rows, days, res: ScoreArrays, kind: str, episode) -> pd.DataFrame:
    rows = np.asarray(rows, dtype=np.int64)
    days = np.asarray(days, dtype=np.int64)
    moment = _arrival_moments(core, rows, days)
    grade = _grade_names(core, res.grade) if len(rows) else []
    return pd.DataFrame(
        {
            "row": rows,
            "lead_id": _ids_take(core.data, rows) if len(rows) else np.array([], dtype=object),
            "day": day_stamp(days),
            "moment": pd.DatetimeIndex(moment.view("datetime64[ns]")),
            "kind": pd.Categorical.from_codes(np.full(len(rows), 0 if kind == "new" else 1, dtype=np.int8), categories=["new", "re-MQL"]),
            "grade": pd.Series(grade, dtype=object),
            "score": np.asarray(res.score, dtype=float),
            "episode": np.asarray(episode, dtype=np.int64),
        }
    )


def _arrival_moments(core: "ReplayCore", rows: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The moment an MQL arrives: the lead's last event on its MQL day, else its creation
    time when it was created that day, else the start of the day."""
    day_start = days * DAY_NS
    day_end = (days + 1) * DAY_NS
    last = core.events.last_before(rows, day_end) if len(rows) else np.zeros(0, dtype=np.int64)
    moment = np.where(last >= day_start, last, NAT)
    if core.created_ns is not None and len(rows):
        c = core.created_ns[rows]
        same = (c >= day_start) & (c < day_end)
        moment = np.where(same & ((moment == NAT) | (c > moment)), c, moment)
    return np.where(moment == NAT, day_start, moment)


# ---------------------------------------------------------------- recycling inputs
def _outcome_times(model: ScoringModel, data: LeadData, key: str, o, problems: list[str]) -> np.ndarray | None:
    """Per lead: the moment the outcome sent it back (NaT value when it did not)."""
    from leaddesigner.core.model.io import did_you_mean

    def series(col: str) -> pd.Series | None:
        if col in data.frame.columns:
            return data.frame[col]
        attr = next((a for a, c in model.columns.items() if c == col), None)
        if attr is not None and attr in data.frame.columns:
            return data.frame[attr]
        if data.extra is not None and col in data.extra.columns:
            return data.extra[col]
        have = list(data.frame.columns) + ([] if data.extra is None else list(data.extra.columns))
        problems.append(f"recycling.{key}: column '{col}' is not in the lead file.{did_you_mean(col, have)} That rule recycles no lead.")
        return None

    col, date = series(o.column), series(o.date)
    if col is None or date is None:
        return None
    wanted = {str(v).strip().lower() for v in o.values}
    hit = col.astype("string").str.strip().str.lower().isin(wanted).fillna(False).to_numpy(dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(date.dtype):
        t = date
    else:
        t = pd.to_datetime(date.astype("string"), errors="coerce", format="mixed")
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    ns = t.to_numpy(dtype="datetime64[ns]").view("int64")
    bad = hit & (ns == NAT)
    if bad.any():
        problems.append(f"recycling.{key}: {int(bad.sum()):,} lead(s) marked {', '.join(o.values)} have no readable date in '{o.date}'; they are not recycled.")
    return np.where(hit, ns, NAT)


def _response_events(core: "ReplayCore", rec) -> EventSet:
    if rec.response_types is None or core.data.events is None or not len(core.ev_ts):
        return core.events
    t = core.data.events.frame["type"]
    wanted = {str(x).strip().lower() for x in rec.response_types}
    if isinstance(t.dtype, pd.CategoricalDtype):  # decide on the categories, broadcast through the codes
        cats = np.array([str(c).strip().lower() in wanted for c in t.cat.categories] + [False])
        m = cats[np.asarray(t.array.codes)]
    else:
        m = t.astype("string").str.strip().str.lower().isin(wanted).fillna(False).to_numpy(dtype=bool)
    m = m[core.ev_order]
    return EventSet(core.ev_lead[m], core.ev_ts[m], core.n)


# ---------------------------------------------------------------- replay
def replay(
    model: ScoringModel,
    data: LeadData,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    *,
    freq: str = "D",
    progress: Progress | None = None,
) -> Replay:
    """Replay ``model`` over the days ``start`` .. ``end`` (inclusive, dates).

    ``start`` defaults to 26 weeks before ``end``; ``end`` defaults to the last
    day before ``data.as_of`` (the last complete day of the export). ``freq`` is
    ``"D"`` (the only resolution: the score as of the end of each day).
    ``data`` is not modified. Raises ``ValueError`` with a plain-words message
    for an empty or reversed period.
    """
    if freq != "D":
        raise ValueError(f"freq must be 'D' (daily), not {freq!r}")

    def say(f: float, msg: str) -> None:
        if progress:
            progress(f, msg)

    end_day = _as_day(end) if end is not None else _as_day(pd.Timestamp(data.as_of) - pd.Timedelta(1, "ns"))
    start_day = _as_day(start) if start is not None else end_day - 26 * 7 + 1
    if start_day > end_day:
        raise ValueError(f"the period starts ({day_stamp(start_day).date()}) after it ends ({day_stamp(end_day).date()})")
    n = len(data)
    earliest = [start_day]
    created_ns = None
    if data.created is not None:
        created_ns = data.frame[data.created].to_numpy(dtype="datetime64[ns]").view("int64")
        ok = created_ns != NAT
        if ok.any():
            earliest.append(int(created_ns[ok].min() // DAY_NS))
    if data.events is not None and len(data.events):
        earliest.append(int(data.events.ts.min() // DAY_NS))
    day_lo = min(start_day, max(start_day - HISTORY_DAYS, min(earliest)))
    say(0.02, "indexing events")
    core = ReplayCore(model, data, day_lo, end_day)
    problems: list[str] = []

    exist = np.full(n, day_lo, dtype=np.int64)
    if created_ns is not None:
        c = created_ns != NAT
        exist[c] = np.maximum(created_ns[c] // DAY_NS, day_lo)
    lo0 = np.full(n, day_lo, dtype=np.int64)
    say(0.1, "building step tables")
    tabs0 = core.tables(None, None, lo0)
    dense = core.dense_leads()
    say(0.35, "finding change days")
    everyone = np.ones(n, dtype=bool)
    glead, gday = core.grid(tabs0, everyone, lo0, [exist, start_day, end_day, start_day - 1], dense)
    say(0.5, f"scoring {len(glead):,} lead-days")
    res0 = core.evaluate(glead, gday, tabs0)
    status0 = res0.status

    in_period_from = np.maximum(exist, start_day)
    fm = _first_per_lead(glead, (status0 >= 1) & (gday >= in_period_from[glead]), n)
    fs = _first_per_lead(glead, (status0 >= 2) & (gday >= in_period_from[glead]), n)
    m0 = _first_per_lead(glead, (status0 >= 1) & (gday >= exist[glead]), n)
    names = core.grade_names

    def pick(idx, arr, fill):
        return np.where(idx >= 0, arr[np.maximum(idx, 0)], fill)

    first_mql = pick(fm, gday, _NONE)
    first_sql = pick(fs, gday, _NONE)
    mql_day = pick(m0, gday, _NONE)

    arrivals = []
    recycles = []
    ep0 = (mql_day >= start_day) & (mql_day <= end_day)
    rows = np.flatnonzero(ep0)
    if len(rows):
        arrivals.append(_arrival_frame(None, core, rows, mql_day[rows], _take(res0, m0[rows]), "new", np.zeros(len(rows), dtype=np.int64)))
    # the fit and engagement of every lead-day are read no further (1M leads: 5.3M lead-days, 85 MB let go)
    score0, grade0 = res0.score, res0.grade
    del res0

    rec = model.recycling
    if rec is not None:
        say(0.7, "recycling")
        outcome_t = []
        for key, o in rec.outcomes():
            t = _outcome_times(model, data, key, o, problems)
            if t is not None:
                outcome_t.append((key, t))
        resp = _response_events(core, rec) if rec.no_response_days is not None else None
        active = mql_day != _NONE
        BIG = np.iinfo(np.int64).max
        for episode in range(1, MAX_EPISODES + 1):
            R = np.full(n, BIG, dtype=np.int64)
            reason = np.full(n, -1, dtype=np.int8)
            for j, (key, t) in enumerate(outcome_t):
                ok = active & (t != NAT) & (t // DAY_NS >= mql_day)
                better = ok & (t < R)
                R = np.where(better, t, R)
                reason[better] = j
            if resp is not None:
                a_rows = np.flatnonzero(active)
                tm = (mql_day[a_rows] + 1) * DAY_NS
                limit = tm + int(round(float(rec.no_response_days) * DAY_NS))
                nxt = resp.next_at_or_after(a_rows, tm)
                silent = (nxt == NAT) | (nxt >= limit)
                rr = a_rows[silent]
                lim = limit[silent]
                better = lim < R[rr]
                R[rr[better]] = lim[better]
                reason[rr[better]] = len(outcome_t)
            has = active & (R != BIG) & (R // DAY_NS <= end_day)
            if not has.any():
                break
            rrows = np.flatnonzero(has)
            r_day = R[rrows] // DAY_NS
            labels = [k for k, _ in outcome_t] + ["no_response"]
            inp = (r_day >= start_day)
            if inp.any():
                recycles.append(
                    pd.DataFrame(
                        {
                            "row": rrows[inp],
                            "lead_id": _ids_take(data, rrows[inp]),
                            "day": day_stamp(r_day[inp]),
                            "moment": pd.DatetimeIndex(R[rrows[inp]].view("datetime64[ns]")),
                            "reason": [labels[k] for k in reason[rrows[inp]]],
                        }
                    )
                )
            lo = np.full(n, end_day + 1, dtype=np.int64)
            lo[rrows] = r_day
            if rec.reset_engagement:
                floor = np.full(n, BIG, dtype=np.int64)
                floor[rrows] = R[rrows]
                tabs = core.tables(has, floor, lo)
            else:
                tabs = tabs0
            cool = np.full(n, _NONE, dtype=np.int64)
            cool[rrows] = (R[rrows] + int(round(float(rec.cooldown_days) * DAY_NS))) // DAY_NS
            gl, gd = core.grid(tabs, has, lo, [cool], dense, eves=True)
            res = core.evaluate(gl, gd, tabs)
            # armed: the first day at or after the recycle with status below MQL
            gi = _first_per_lead(gl, res.status < 1, n)
            fi = _first_per_lead(gl, np.ones(len(gl), dtype=bool), n)
            arm = np.full(n, _NONE, dtype=np.int64)
            ok = has & (gi >= 0)
            arm[ok] = gd[gi[ok]]
            bis = np.flatnonzero(ok & (gi > fi))
            if len(bis):
                lo_d = gd[gi[bis] - 1].copy()
                hi_d = gd[gi[bis]].copy()
                while True:
                    act = hi_d - lo_d > 1
                    if not act.any():
                        break
                    a_idx = np.flatnonzero(act)
                    mid = (lo_d[a_idx] + hi_d[a_idx]) // 2
                    st = core.evaluate(bis[a_idx], mid, tabs).status
                    below = st < 1
                    hi_d[a_idx[below]] = mid[below]
                    lo_d[a_idx[~below]] = mid[~below]
                arm[bis] = hi_d
            armed = np.flatnonzero(arm != _NONE)
            L = np.maximum(arm[armed], cool[armed])
            new_day = np.full(n, _NONE, dtype=np.int64)
            inside = L <= end_day
            armed, L = armed[inside], L[inside]
            if len(armed):
                at_L = core.evaluate(armed, L, tabs).status >= 1
                new_day[armed[at_L]] = L[at_L]
                Lfull = np.full(n, BIG, dtype=np.int64)
                Lfull[armed] = L
                later = _first_per_lead(gl, (res.status >= 1) & (gd > Lfull[gl]), n)
                rest = armed[~at_L]
                got = later[rest] >= 0
                new_day[rest[got]] = gd[later[rest[got]]]
            nrows = np.flatnonzero(new_day != _NONE)
            if len(nrows):
                rr = core.evaluate(nrows, new_day[nrows], tabs)
                inp = new_day[nrows] >= start_day
                if inp.any():
                    arrivals.append(
                        _arrival_frame(None, core, nrows[inp], new_day[nrows][inp], _take(rr, np.flatnonzero(inp)), "re-MQL", np.full(int(inp.sum()), episode))
                    )
            mql_day = new_day
            active = new_day != _NONE
            if not active.any():
                break

    say(0.9, "tables")
    if arrivals:
        arr = pd.concat(arrivals, ignore_index=True)
    else:
        none = np.zeros(0, dtype=np.int64)
        empty = ScoreArrays(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int16), np.zeros(0, dtype=np.int8), {})
        arr = _arrival_frame(None, core, none, none, empty, "new", none)
    arr = arr.sort_values(["moment", "row"], kind="stable").reset_index(drop=True)
    if recycles:
        rcy = pd.concat(recycles, ignore_index=True)
    else:
        rcy = pd.DataFrame(
            {"row": np.zeros(0, dtype=np.int64), "lead_id": [], "day": pd.DatetimeIndex([]), "moment": pd.DatetimeIndex([]), "reason": []}
        )
    rcy = rcy.sort_values(["moment", "row"], kind="stable").reset_index(drop=True)

    grade_at = [None] * n
    if names:
        gcodes = pick(fm, grade0, -1)
        name_arr = np.array(names + [None], dtype=object)
        grade_at = name_arr[np.where(gcodes >= 0, gcodes, len(names))]
    mqls = np.bincount(arr["row"].to_numpy(dtype=np.int64), minlength=n) if len(arr) else np.zeros(n, dtype=np.int64)
    rcount = np.bincount(rcy["row"].to_numpy(dtype=np.int64), minlength=n) if len(rcy) else np.zeros(n, dtype=np.int64)
    created_day = np.full(n, _NONE, dtype=np.int64)
    if created_ns is not None:
        c = created_ns != NAT
        created_day[c] = created_ns[c] // DAY_NS
    m0day = pick(m0, gday, _NONE)
    leads = pd.DataFrame(
        {
            "lead_id": _ids_take(data),
            "created_day": day_stamp(created_day),
            "mql_before_start": (m0day != _NONE) & (m0day < start_day),
            "first_mql_day": day_stamp(first_mql),
            "first_sql_day": day_stamp(first_sql),
            "grade_at_mql": pd.Series(grade_at, dtype=object),
            "score_at_mql": np.where(fm >= 0, score0[np.maximum(fm, 0)] if len(glead) else 0.0, np.nan),
            "mqls": mqls,
            "recycles": rcount,
        }
    )
    s0 = _first_per_lead(glead, (status0 >= 2) & (gday >= exist[glead]), n)  # first SQL ever (not "already SQL at start")
    daily, weekly = _tables(start_day, end_day, arr, pick(s0, gday, _NONE), rcy)
    rep = Replay(day_stamp(start_day), day_stamp(end_day), leads, arr, rcy, daily, weekly, problems, core)
    rep._state = {"tabs0": tabs0, "glead0": glead, "gday0": gday, "score0": score0, "grade0": grade0, "exist": exist}
    say(1.0, "replayed")
    return rep


def _take(res: ScoreArrays, idx: np.ndarray) -> ScoreArrays:
    return ScoreArrays(res.score[idx], res.fit[idx], res.engagement[idx], res.grade[idx], res.status[idx], {})


def week_monday(day: np.ndarray | int) -> np.ndarray | int:
    """Day number of the Monday starting the week of ``day`` (day numbers since the epoch)."""
    return (np.floor_divide(np.asarray(day) + 3, 7)) * 7 - 3


def _tables(start_day: int, end_day: int, arr: pd.DataFrame, first_sql: np.ndarray, rcy: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    nd = end_day - start_day + 1

    def count(days: np.ndarray) -> np.ndarray:
        days = np.asarray(days, dtype=np.int64)
        days = days[(days >= start_day) & (days <= end_day)]
        return np.bincount(days - start_day, minlength=nd)

    aday = arr["day"].to_numpy(dtype="datetime64[ns]").view("int64") // DAY_NS if len(arr) else np.zeros(0, dtype=np.int64)
    isnew = (arr["kind"] == "new").to_numpy() if len(arr) else np.zeros(0, dtype=bool)
    rday = rcy["day"].to_numpy(dtype="datetime64[ns]").view("int64") // DAY_NS if len(rcy) else np.zeros(0, dtype=np.int64)
    days = np.arange(start_day, end_day + 1)
    daily = pd.DataFrame(
        {
            "day": day_stamp(days),
            "new": count(aday[isnew]),
            "re_mql": count(aday[~isnew]),
        }
    )
    daily["mqls"] = daily["new"] + daily["re_mql"]
    daily["sqls"] = count(first_sql[first_sql != _NONE])
    daily["recycled"] = count(rday)
    wk = week_monday(days)
    weekly = daily.drop(columns="day").groupby(wk, sort=True).sum()
    weekly["days"] = np.bincount(wk - wk.min())[weekly.index - wk.min()]
    weekly.insert(0, "week", day_stamp(weekly.index.to_numpy()))
    weekly = weekly.reset_index(drop=True)
    return daily, weekly
