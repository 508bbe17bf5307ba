"""The SDR queue against the follow-up SLA, and ``simulate``: replay + queue in one call.

Queue model (simple, deterministic, documented so the numbers can be checked by hand):

* an MQL arrival enters the queue at its ``moment`` (see
  :attr:`~leaddesigner.core.analysis.replay.Replay.arrivals`); new MQLs and re-MQLs
  are worked alike;
* working days are the first ``capacity.working_days`` days of each Monday
  week. Working day number ``i`` of the period gets
  ``floor((i + 1) * per_day) - floor(i * per_day)`` touch slots (so a
  fractional daily capacity adds up exactly over the week), spread evenly over
  the working hours: slot ``k`` of ``C`` is at ``workday_start + k *
  workday_hours / C`` hours. A slot with nobody waiting is lost;
* at each slot the SDRs take the first waiting lead in priority order: its
  routing rank (position of its grade in ``capacity.routing``; cells not listed
  come after all listed ones, in one rank), then ``capacity.order``: ``fifo``
  (earliest arrival first) or ``score`` (highest score at arrival first), then
  arrival;
* hours to first touch = touch moment - arrival moment, in calendar hours, or
  with ``capacity.sla_working_hours`` only the working hours between them
  (a lead arriving at night and called at 9:30 waited 0.5 h);
  contacted within the SLA means hours <= ``capacity.sla_hours``;
* leads are counted in the week of their arrival (SLA share, median, p90).
  A lead still waiting at the end of the period counts as breached when it has
  already waited longer than the SLA, and as pending (left out of the SLA share)
  when not; in the median and p90 its wait so far is used (a lower bound);
* ``worked`` counts touches in the week; ``backlog`` is the number of leads
  waiting at the end of the week (Sunday midnight, or the period end).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from leaddesigner.core.analysis.replay import DAY_NS, Replay, day_stamp, repeat_counts, replay, week_monday
from leaddesigner.core.model.types import Capacity, ScoringModel
from leaddesigner.core.scoring.engine import LeadData

Progress = Callable[[float, str], None]

#: columns of :attr:`QueueResult.weekly` / :attr:`Simulation.weekly`
WEEKLY_COLUMNS = (
    "week",  # Monday of the week (Timestamp)
    "new",  # new MQLs arriving
    "re_mql",  # re-MQLs arriving
    "arriving",  # new + re_mql
    "capacity",  # touch slots in the week (inside the period)
    "worked",  # leads touched in the week
    "backlog",  # leads waiting at the end of the week
    "median_hours",  # median hours to first touch of the week's arrivals (NaN: none)
    "p90_hours",  # 90th percentile of the same
    "within_sla",  # arrivals of the week touched within the SLA
    "breached",  # arrivals touched late, or still waiting past the SLA at the period end
    "pending",  # arrivals still waiting at the period end, not yet past the SLA
    "sla_share",  # within_sla / (within_sla + breached); NaN when both are 0
    "days",  # days of the week inside the period (< 7: partial week)
)
#: columns of :attr:`QueueResult.daily`
DAILY_COLUMNS = ("day", "new", "re_mql", "arriving", "capacity", "worked", "backlog")


HOUR_NS = 3_600 * 10**9


@dataclass
class QueueResult:
    """What :func:`simulate_queue` returns.

    ``leads`` has one row per arrival (the arrivals frame plus ``rank``,
    ``touched`` (Timestamp or NaT), ``hours`` (to first touch; for leads still
    waiting, the wait so far), ``waiting`` (bool), ``within_sla`` (bool),
    ``breached`` (bool)). ``summary`` holds the totals over the period:
    ``arrivals``, ``new``, ``re_mql``, ``worked``, ``backlog_end``,
    ``within_sla``, ``breached``, ``pending``, ``sla_share``, ``median_hours``,
    ``p90_hours``, ``capacity_per_week``, ``slots``, ``sla_hours``,
    ``sla_target``, ``sla_met`` (bool).
    """

    weekly: pd.DataFrame
    daily: pd.DataFrame
    leads: pd.DataFrame
    summary: dict
    capacity: Capacity


def _day(t) -> int:
    t = pd.Timestamp(t)
    return int(t.value // DAY_NS)


def slot_times(capacity: Capacity, start_day: int, end_day: int) -> np.ndarray:
    """Touch-slot moments (ns, ascending) of the working days ``start_day`` .. ``end_day``."""
    days = np.arange(start_day, end_day + 1, dtype=np.int64)
    weekday = (days + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    work = days[weekday < capacity.working_days]
    per_day = max(float(capacity.per_day), 0.0)
    i = np.arange(len(work) + 1, dtype=float)
    cum = np.floor(i * per_day + 1e-9).astype(np.int64)
    count = np.diff(cum)
    total = int(count.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    day_of = repeat_counts(work, count)
    c_of = repeat_counts(count, count)
    first = repeat_counts(np.cumsum(count) - count, count)
    k = np.arange(total) - first
    hours = capacity.workday_start + k * (capacity.workday_hours / c_of)
    return day_of * DAY_NS + np.round(hours * HOUR_NS).astype(np.int64)


def _working_clock(capacity: Capacity, s0: int, e0: int):
    """t -> working nanoseconds since the start of day ``s0`` (for t inside the period)."""
    days = np.arange(s0, e0 + 2, dtype=np.int64)
    working = ((days + 3) % 7) < capacity.working_days
    open_ns = int(round(capacity.workday_start * HOUR_NS))
    length = int(round(capacity.workday_hours * HOUR_NS))
    before = np.concatenate([[0], np.cumsum(np.where(working, length, 0))])

    def clock(t: np.ndarray) -> np.ndarray:
        d = np.clip(t // DAY_NS - s0, 0, len(days) - 1)
        inside = np.clip(t - (days[d] * DAY_NS + open_ns), 0, length)
        return before[d] + np.where(working[d], inside, 0)

    return clock


def _ranks(grades: pd.Series, routing: list[str] | None) -> np.ndarray:
    if not routing:
        return np.zeros(len(grades), dtype=np.int64)
    pos = {c: i for i, c in enumerate(routing)}
    # one dict look-up per distinct grade (a few dozen cells), broadcast through the codes
    codes, uniques = pd.factorize(grades, use_na_sentinel=True)
    table = np.array([pos.get(g, len(routing)) for g in list(uniques)] + [pos.get(None, len(routing))], dtype=np.int64)
    return table[codes]  # code -1 (None / NaN) reads the last entry


def _fifo(moment: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """First-come-first-served over ``slots`` (ascending): the slot index each arrival
    (ascending ``moment``) is touched in, ``-1`` for none.

    Arrival i takes the first free slot at or after it: ``j[i] = max(j[i-1] + 1, s[i])``
    with ``s[i]`` its first slot at or after ``moment[i]``; unrolled,
    ``j[i] = i + max(s[k] - k for k <= i)`` (a running maximum, no Python loop)."""
    k = len(moment)
    if not k or not len(slots):
        return np.full(k, -1, dtype=np.int64)
    ar = np.arange(k, dtype=np.int64)
    j = np.searchsorted(slots, moment, "left").astype(np.int64)
    j -= ar
    np.maximum.accumulate(j, out=j)
    j += ar
    j[j >= len(slots)] = -1
    return j


def _touch(moment: np.ndarray, rank: np.ndarray, score: np.ndarray, slots: np.ndarray, by_score: bool) -> np.ndarray:
    """Touch moment (ns) of each arrival (sorted by ``moment``), ``-1`` when it is still waiting.

    The queue of the module docstring: at each slot the first waiting arrival by
    (rank, -score if ``by_score``, moment, position). In ``fifo`` order it is
    computed rank by rank: the best rank is worked first-come-first-served on every
    slot, the next one on the slots the better ranks left free, and so on (a slot
    goes to a lower rank only when no better-ranked lead waits). ``score`` order
    needs a priority queue (:func:`_touch_heap`)."""
    m = len(moment)
    touched = np.full(m, -1, dtype=np.int64)
    if not m or not len(slots):
        return touched
    if by_score:
        return _touch_heap(moment, rank, score, slots, by_score)
    free = slots
    ranks = np.unique(rank)
    for r in ranks:
        idx = np.flatnonzero(rank == r) if len(ranks) > 1 else np.arange(m)
        j = _fifo(moment[idx], free)
        got = j >= 0
        touched[idx[got]] = free[j[got]]
        if not len(free) or r == ranks[-1]:
            break
        keep = np.ones(len(free), dtype=bool)
        keep[j[got]] = False
        free = free[keep]
        if not len(free):
            break
    return touched


def _touch_heap(moment: np.ndarray, rank: np.ndarray, score: np.ndarray, slots: np.ndarray, by_score: bool) -> np.ndarray:
    """:func:`_touch` with a heap, slot by slot (the reference; used for ``score`` order).
    A plain Python loop: it lets other threads run every few milliseconds."""
    import heapq

    m = len(moment)
    touched = np.full(m, -1, dtype=np.int64)
    keys = list(zip(rank.tolist(), (-np.asarray(score, dtype=float)).tolist() if by_score else [0.0] * m, moment.tolist(), range(m)))
    mom = moment.tolist()
    heap: list = []
    nxt = 0  # next arrival to enter the queue
    si = 0  # next slot
    ns = len(slots)
    while si < ns:
        t = int(slots[si])
        while nxt < m and mom[nxt] <= t:
            heapq.heappush(heap, keys[nxt])
            nxt += 1
        if heap:
            touched[heapq.heappop(heap)[3]] = t
            si += 1
        elif nxt < m:
            si = int(np.searchsorted(slots, mom[nxt], "left"))  # idle until the next arrival
        else:
            break
    return touched


def _queue_arrays(arrivals: pd.DataFrame, s0: int, e0: int, routing: list[str] | None):
    """(positions in ``arrivals``, moment, rank, score) of the arrivals inside days
    ``s0`` .. ``e0`` in queue order (by moment, ties in frame order)."""
    a = arrivals
    n = len(a)
    moment_all = a["moment"].to_numpy(dtype="datetime64[ns]").view("int64") if n else np.zeros(0, dtype=np.int64)
    score_all = a["score"].to_numpy(dtype=float) if "score" in a else None
    grades = a["grade"] if "grade" in a else None
    return _queue_order(moment_all, grades, score_all, s0, e0, routing)


def _queue_order(moment_all: np.ndarray, grades, score_all: np.ndarray | None, s0: int, e0: int, routing: list[str] | None):
    t_start, t_end = s0 * DAY_NS, (e0 + 1) * DAY_NS
    keep = (moment_all >= t_start) & (moment_all < t_end)
    idx = np.flatnonzero(keep)
    moment = moment_all[idx]
    if len(moment) > 1 and not bool(np.all(moment[1:] >= moment[:-1])):
        order = np.argsort(moment, kind="stable")
        idx, moment = idx[order], moment[order]
    m = len(idx)
    if grades is None:
        rank = np.full(m, _ranks(pd.Series([None], dtype=object), routing)[0] if routing else 0, dtype=np.int64)
    elif not routing:
        rank = np.zeros(m, dtype=np.int64)
    else:
        rank = _ranks(grades, routing)[idx]
    score = score_all[idx] if score_all is not None else np.zeros(m)
    return idx, moment, rank, score


def _share_of(moment: np.ndarray, rank: np.ndarray, score: np.ndarray, capacity: Capacity, s0: int, e0: int, clock=None) -> float:
    """:func:`simulate_queue`'s ``summary["sla_share"]`` from the queue arrays alone (1.0 for NaN)."""
    slots = slot_times(capacity, s0, e0)
    touched = _touch(moment, rank, score, slots, capacity.order == "score")
    was_touched = touched >= 0
    until = np.where(was_touched, touched, (e0 + 1) * DAY_NS)
    if capacity.sla_working_hours:
        clock = clock or _working_clock(capacity, s0, e0)
        hours = (clock(until) - clock(moment)) / HOUR_NS
    else:
        hours = (until - moment) / HOUR_NS
    sla = float(capacity.sla_hours)
    n_within = int(np.count_nonzero(was_touched & (hours <= sla)))
    n_breached = int(np.count_nonzero(hours > sla))  # touched late, or still waiting past the SLA
    return n_within / (n_within + n_breached) if (n_within + n_breached) else 1.0


def simulate_queue(
    arrivals: pd.DataFrame,
    capacity: Capacity,
    *,
    start: pd.Timestamp | str,
    end: pd.Timestamp | str,
    routing: list[str] | None = None,
) -> QueueResult:
    """Work the ``arrivals`` (a :attr:`Replay.arrivals` frame: ``moment``, ``kind``,
    ``grade``, ``score``) through the SDR queue from the start of day ``start`` to
    the end of day ``end``. ``routing`` overrides ``capacity.routing``.
    Arrivals outside the period are ignored."""
    s0, e0 = _day(start), _day(end)
    if e0 < s0:
        raise ValueError(f"the period starts ({day_stamp(s0).date()}) after it ends ({day_stamp(e0).date()})")
    t_end = (e0 + 1) * DAY_NS
    routing = capacity.routing if routing is None else routing
    idx, moment, rank, score = _queue_arrays(arrivals, s0, e0, routing)
    a = arrivals.iloc[idx].reset_index(drop=True)
    m = len(a)
    by_score = capacity.order == "score"
    slots = slot_times(capacity, s0, e0)
    touched = _touch(moment, rank, score, slots, by_score)
    was_touched = touched >= 0
    until = np.where(was_touched, touched, t_end)
    if capacity.sla_working_hours:
        clock = _working_clock(capacity, s0, e0)
        hours = (clock(until) - clock(moment)) / HOUR_NS
    else:
        hours = (until - moment) / HOUR_NS
    sla = float(capacity.sla_hours)
    within = was_touched & (hours <= sla)
    breached = (was_touched & (hours > sla)) | (~was_touched & (hours > sla))
    pending = ~was_touched & ~breached
    leads = a.copy()
    leads["rank"] = rank
    leads["touched"] = pd.DatetimeIndex(np.where(was_touched, touched, np.iinfo(np.int64).min).view("datetime64[ns]"))
    leads["hours"] = hours
    leads["waiting"] = ~was_touched
    leads["within_sla"] = within
    leads["breached"] = breached
    isnew = (a["kind"].astype(str) == "new").to_numpy() if m else np.zeros(0, dtype=bool)

    # ---- daily
    days = np.arange(s0, e0 + 1)
    nd = len(days)
    aday = moment // DAY_NS - s0
    tday = touched[was_touched] // DAY_NS - s0
    sday = slots // DAY_NS - s0
    daily = pd.DataFrame({"day": day_stamp(days)})
    daily["new"] = np.bincount(aday[isnew], minlength=nd)
    daily["re_mql"] = np.bincount(aday[~isnew], minlength=nd)
    daily["arriving"] = daily["new"] + daily["re_mql"]
    daily["capacity"] = np.bincount(sday, minlength=nd)
    daily["worked"] = np.bincount(tday, minlength=nd)
    daily["backlog"] = np.cumsum(daily["arriving"].to_numpy()) - np.cumsum(daily["worked"].to_numpy())

    # ---- weekly (arrival week for SLA figures, calendar week for work)
    wk = week_monday(days)
    wk_of_day = (wk - wk.min()) // 7
    nw = int(wk_of_day.max()) + 1
    a_w = wk_of_day[aday] if m else np.zeros(0, dtype=np.int64)
    weekly = pd.DataFrame({"week": day_stamp(np.unique(wk))})
    for col in ("new", "re_mql", "arriving", "capacity", "worked"):
        weekly[col] = np.bincount(wk_of_day, weights=daily[col].to_numpy(), minlength=nw).astype(np.int64)
    last_day_of_week = np.full(nw, -1)
    np.maximum.at(last_day_of_week, wk_of_day, np.arange(nd))
    weekly["backlog"] = daily["backlog"].to_numpy()[last_day_of_week]
    med, p90 = np.full(nw, np.nan), np.full(nw, np.nan)
    for w in np.unique(a_w):
        h = hours[a_w == w]
        med[w] = float(np.median(h))
        p90[w] = float(np.percentile(h, 90))
    weekly["median_hours"] = med
    weekly["p90_hours"] = p90
    weekly["within_sla"] = np.bincount(a_w[within], minlength=nw)
    weekly["breached"] = np.bincount(a_w[breached], minlength=nw)
    weekly["pending"] = np.bincount(a_w[pending], minlength=nw)
    denom = (weekly["within_sla"] + weekly["breached"]).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        weekly["sla_share"] = np.where(denom > 0, weekly["within_sla"].to_numpy() / np.maximum(denom, 1), np.nan)
    weekly["days"] = np.bincount(wk_of_day, minlength=nw)

    n_within, n_breached = int(within.sum()), int(breached.sum())
    share = n_within / (n_within + n_breached) if (n_within + n_breached) else float("nan")
    target = float(capacity.sla_target)
    summary = {
        "arrivals": int(m),
        "new": int(isnew.sum()),
        "re_mql": int((~isnew).sum()),
        "worked": int(was_touched.sum()),
        "backlog_end": int((~was_touched).sum()),
        "within_sla": n_within,
        "breached": n_breached,
        "pending": int(pending.sum()),
        "sla_share": share,
        "median_hours": float(np.median(hours)) if m else float("nan"),
        "p90_hours": float(np.percentile(hours, 90)) if m else float("nan"),
        "capacity_per_week": float(capacity.per_week),
        "slots": int(len(slots)),
        "sla_hours": sla,
        "sla_target": target,
        "sla_met": bool(share != share or share >= target),
    }
    return QueueResult(weekly, daily, leads, summary, capacity)


def suggest_team(
    arrivals: pd.DataFrame,
    capacity: Capacity,
    *,
    start: pd.Timestamp | str,
    end: pd.Timestamp | str,
    target: float | None = None,
    max_sdrs: int = 500,
) -> int | None:
    """The smallest number of SDRs whose queue contacts at least ``target`` (default
    ``capacity.sla_target``) of the period's MQLs within the SLA. ``None`` when even
    ``max_sdrs`` cannot (e.g. an SLA shorter than the night: leads arriving after
    hours then wait too long whatever the team). Assumes more SDRs never make the
    share worse (bisection). 0 when there is nothing to work."""
    target = capacity.sla_target if target is None else float(target)
    if not len(arrivals):
        return 0

    if capacity.per_sdr_day <= 0:
        return None
    s0, e0 = _day(start), _day(end)
    if e0 < s0:
        raise ValueError(f"the period starts ({day_stamp(s0).date()}) after it ends ({day_stamp(e0).date()})")
    # the arrivals in queue order once; each team size then runs the queue on arrays only
    _, moment, rank, score = _queue_arrays(arrivals, s0, e0, capacity.routing)
    clock = _working_clock(capacity, s0, e0) if capacity.sla_working_hours else None

    def ok(k: int) -> bool:
        c = copy.deepcopy(capacity)
        c.sdrs = k
        return _share_of(moment, rank, score, c, s0, e0, clock) >= target - 1e-12

    hi = 1
    while not ok(hi):
        if hi >= max_sdrs:
            return None
        hi = min(hi * 2, max_sdrs)
    lo = hi // 2  # fails (or 0)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def suggest_threshold(
    model: ScoringModel,
    rep: Replay,
    *,
    capacity: Capacity | None = None,
    target: float | None = None,
    step: float = 1.0,
) -> float | None:
    """The LOWEST MQL threshold at which the current team meets the SLA target.

    The issue asks for "the highest threshold that meets the SLA"; read literally
    that is meaningless (a threshold nobody reaches makes no MQLs and trivially
    meets it). Raising the threshold only removes MQLs, so the thresholds that
    meet the SLA are all those above some value, and the useful suggestion is
    that value: the most MQLs the team can follow up in time. Thresholds are
    tried on a grid of ``step`` points around the current one (bisection; new
    MQLs are recomputed from the replay's change days, re-MQLs are kept as
    replayed). ``None`` when no threshold meets the target (e.g. the re-MQLs
    alone overwhelm the team, or the SLA is shorter than the night), and when only
    a threshold above every score would (no new MQLs at all).
    """
    capacity = model.capacity if capacity is None else capacity
    target = capacity.sla_target if target is None else float(target)
    scores = rep._state.get("score0")
    cur = float(model.thresholds.mql)
    if scores is None or not len(scores):
        return cur

    s0, e0 = _day(rep.start), _day(rep.end)
    if e0 < s0:
        raise ValueError(f"the period starts ({day_stamp(s0).date()}) after it ends ({day_stamp(e0).date()})")
    clock = _working_clock(capacity, s0, e0) if capacity.sla_working_hours else None

    def ok(t: float) -> bool:
        # the arrivals of threshold t as arrays (no frame): rep.arrivals_for_threshold(t) in queue order
        arr = rep._arrivals_for_threshold_arrays(t)
        _, moment, rank, score = _queue_order(arr["moment"], arr["grade"], arr["score"], s0, e0, capacity.routing)
        return _share_of(moment, rank, score, capacity, s0, e0, clock) >= target - 1e-12

    top = float(np.max(scores))
    bottom = float(np.min(scores))
    k_hi = int(np.ceil((top - cur) / step)) + 1  # above every score: no new MQLs
    k_lo = int(np.floor((bottom - cur) / step))  # everyone an MQL
    if not ok(cur + k_hi * step):
        return None
    if ok(cur + k_lo * step):
        return cur + k_lo * step
    lo, hi = k_lo, k_hi  # lo fails, hi meets
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(cur + mid * step):
            hi = mid
        else:
            lo = mid
    best = float(round(cur + hi * step, 6))
    # a threshold above every score makes no new MQLs at all: that "meets" the SLA only
    # by handing sales nothing, so it is no suggestion
    return best if best <= top else None


@dataclass
class Simulation:
    """Replay + queue for one model and one period.

    ``weekly`` and ``daily`` are the queue tables (see ``WEEKLY_COLUMNS`` /
    ``DAILY_COLUMNS``) with the replay's ``sqls`` and ``recycled`` added;
    ``summary`` is a dict: ``start``, ``end`` (dates as text), ``leads``,
    ``new``, ``re_mql``, ``arrivals``, ``sqls``, ``recycled``, ``worked``,
    ``backlog_end``, ``within_sla``, ``breached``, ``pending``, ``sla_hours``,
    ``sla_target``, ``sla_share``, ``median_hours``, ``p90_hours``, ``sla_met``,
    ``capacity_per_week``, ``mean_arrivals_per_week`` (full weeks),
    ``suggested_sdrs`` (int or None), ``suggested_mql_threshold`` (float or
    None), ``mql_threshold``, ``sdrs``, ``routing``, ``order``, ``problems``.
    """

    replay: Replay
    queue: QueueResult
    weekly: pd.DataFrame
    daily: pd.DataFrame
    summary: dict

    def text(self) -> str:
        """The weekly table and the SLA summary as plain text (what the CLI prints)."""
        s = self.summary
        w = self.weekly
        head = f"{'week':<10} {'new':>5} {'re-MQL':>6} {'cap':>5} {'worked':>6} {'backlog':>7} {'median h':>8} {'p90 h':>7} {'in SLA':>7}"
        lines = [f"MQL arrivals and the SDR queue, {s['start']} to {s['end']} (weeks start on Monday)", head]

        def h(x):
            return "-" if x != x else f"{x:.1f}"

        for r in w.itertuples(index=False):
            share = "-" if r.sla_share != r.sla_share else f"{r.sla_share:.0%}"
            mark = " (partial)" if r.days < 7 else ""
            lines.append(
                f"{r.week.strftime('%Y-%m-%d'):<10} {r.new:>5} {r.re_mql:>6} {r.capacity:>5} {r.worked:>6} {r.backlog:>7} {h(r.median_hours):>8} {h(r.p90_hours):>7} {share:>7}{mark}"
            )
        share = "-" if s["sla_share"] != s["sla_share"] else f"{s['sla_share']:.1%}"
        lines += [
            "",
            f"MQLs: {s['arrivals']:,} ({s['new']:,} new, {s['re_mql']:,} re-MQL; {s['recycled']:,} recycled), "
            f"{s['mean_arrivals_per_week']:.1f} a week against a capacity of {s['capacity_per_week']:g} "
            f"({s['sdrs']} SDR{'s' if s['sdrs'] != 1 else ''}).",
            f"SLA {s['sla_hours']:g} h: {share} contacted in time (target {s['sla_target']:.0%}: "
            f"{'met' if s['sla_met'] else 'NOT met'}); median {h(s['median_hours'])} h, p90 {h(s['p90_hours'])} h to first touch; "
            f"{s['backlog_end']:,} still waiting at the end ({s['pending']:,} not yet past the SLA).",
        ]
        if "suggested_sdrs" in s:
            t = s["suggested_sdrs"]
            lines.append(
                "Smallest team meeting the SLA target: "
                + (f"{t} SDR{'s' if t != 1 else ''}." if t is not None else "none up to 500 SDRs (is the SLA shorter than the time outside working hours?).")
            )
        if "suggested_mql_threshold" in s:
            t = s["suggested_mql_threshold"]
            lines.append(
                f"Lowest MQL threshold the current team can follow up in time: {t:g} (now {s['mql_threshold']:g})."
                if t is not None
                else "No MQL threshold lets the current team meet the SLA target."
            )
        for p in s.get("problems", []):
            lines.append(f"note: {p}")
        return "\n".join(lines)


def simulate(
    model: ScoringModel,
    data: LeadData,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    *,
    sdrs: int | None = None,
    sla_hours: float | None = None,
    suggest: bool = True,
    progress: Progress | None = None,
) -> Simulation:
    """Replay ``model`` over the period and run the SDR queue with ``model.capacity``
    (``sdrs`` / ``sla_hours`` override it without touching the model). With
    ``suggest`` the summary carries the smallest team and the lowest MQL threshold
    that meet the SLA target. Pure: safe to run in a worker thread on a model copy."""
    cap = copy.deepcopy(model.capacity)
    if sdrs is not None:
        cap.sdrs = int(sdrs)
    if sla_hours is not None:
        cap.sla_hours = float(sla_hours)

    def sub(lo: float, hi: float):
        if progress is None:
            return None
        return lambda f, msg: progress(lo + (hi - lo) * f, msg)

    rep = replay(model, data, start, end, progress=sub(0.0, 0.8))
    if progress:
        progress(0.8, "SDR queue")
    q = simulate_queue(rep.arrivals, cap, start=rep.start, end=rep.end)
    weekly = q.weekly.merge(rep.weekly[["week", "sqls", "recycled"]], on="week", how="left")
    daily = q.daily.merge(rep.daily[["day", "sqls", "recycled"]], on="day", how="left")
    full = weekly[weekly["days"] == 7]
    base = full if len(full) else weekly
    summary = {
        "start": str(rep.start.date()),
        "end": str(rep.end.date()),
        "leads": int(len(rep.leads)),
        **q.summary,
        "sqls": int(rep.daily["sqls"].sum()),
        "recycled": int(len(rep.recycles)),
        "mean_arrivals_per_week": float(base["arriving"].mean()) if len(base) else 0.0,
        "mql_threshold": float(model.thresholds.mql),
        "sdrs": int(cap.sdrs),
        "routing": None if cap.routing is None else list(cap.routing),
        "order": cap.order,
        "problems": list(rep.problems),
    }
    if suggest:
        if progress:
            progress(0.85, "suggesting a team")
        summary["suggested_sdrs"] = suggest_team(rep.arrivals, cap, start=rep.start, end=rep.end)
        if progress:
            progress(0.92, "suggesting a threshold")
        summary["suggested_mql_threshold"] = suggest_threshold(model, rep, capacity=cap)
    if progress:
        progress(1.0, "simulated")
    return Simulation(rep, q, weekly, daily, summary)
