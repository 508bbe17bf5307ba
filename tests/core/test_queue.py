"""The SDR queue against hand-computed figures, the suggestions, and simulate() end to end."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leaddesigner.core.scoring.engine import bind
from leaddesigner.core.model.types import Capacity
from leaddesigner.core.analysis.queue import (
    DAILY_COLUMNS,
    WEEKLY_COLUMNS,
    simulate,
    simulate_queue,
    slot_times,
    suggest_team,
    suggest_threshold,
)
from leaddesigner.core.analysis.replay import replay

from .test_replay import EVENTS, LEADS, hand_model

START, END = "2026-03-02", "2026-03-15"  # Monday .. Sunday two weeks later


def arrivals() -> pd.DataFrame:
    rows = [
        ("a1", "2026-03-02 08:00", "new", "A1", 60.0),
        ("a2", "2026-03-02 10:00", "new", "B2", 55.0),
        ("a3", "2026-03-02 11:00", "re-MQL", "A1", 70.0),
        ("a4", "2026-03-02 12:00", "new", "B2", 52.0),
        ("a5", "2026-03-06 20:00", "new", "A1", 65.0),  # Friday night
        ("a6", "2026-03-10 09:30", "new", "B2", 51.0),
    ]
    f = pd.DataFrame(rows, columns=["lead_id", "moment", "kind", "grade", "score"])
    f["moment"] = pd.to_datetime(f["moment"])
    f["row"] = range(len(f))
    return f


def cap(**kw) -> Capacity:
    c = Capacity(sdrs=1, leads_per_sdr_per_day=2, sla_hours=24)  # slots 9:00 and 13:00, Monday-Friday
    for k, v in kw.items():
        setattr(c, k, v)
    return c


def touches(q) -> dict:
    return {r.lead_id: (str(r.touched) if not pd.isna(r.touched) else None) for r in q.leads.itertuples()}


def test_slots():
    t = pd.to_datetime(slot_times(cap(), 20514, 20520))  # 2026-03-02 .. 03-08
    assert [str(x) for x in t[:3]] == ["2026-03-02 09:00:00", "2026-03-02 13:00:00", "2026-03-03 09:00:00"]
    assert len(t) == 10  # 5 working days x 2
    # 12 a week over 5 days: 2.4 a day, floor((i + 1) * 2.4) - floor(i * 2.4) = 2, 2, 3, 2, 3
    c = Capacity(sdrs=1, leads_per_sdr_per_week=12)
    days = pd.to_datetime(slot_times(c, 20514, 20520)).normalize()
    assert days.value_counts().sort_index().tolist() == [2, 2, 3, 2, 3]


def test_fifo_by_hand():
    q = simulate_queue(arrivals(), cap(), start=START, end=END)
    assert touches(q) == {
        "a1": "2026-03-02 09:00:00",  # 1 h
        "a2": "2026-03-02 13:00:00",  # 3 h
        "a3": "2026-03-03 09:00:00",  # 22 h
        "a4": "2026-03-03 13:00:00",  # 25 h: late
        "a5": "2026-03-09 09:00:00",  # 61 h over the weekend: late
        "a6": "2026-03-10 13:00:00",  # 3.5 h
    }
    w = q.weekly
    assert list(w.columns) == list(WEEKLY_COLUMNS) and list(q.daily.columns) == list(DAILY_COLUMNS)
    assert w["new"].tolist() == [4, 1] and w["re_mql"].tolist() == [1, 0] and w["arriving"].tolist() == [5, 1]
    assert w["capacity"].tolist() == [10, 10] and w["worked"].tolist() == [4, 2] and w["backlog"].tolist() == [1, 0]
    assert w["median_hours"].tolist() == [22.0, 3.5]
    assert w["p90_hours"].iloc[0] == pytest.approx(np.percentile([1, 3, 22, 25, 61], 90))  # 46.6
    assert w["within_sla"].tolist() == [3, 1] and w["breached"].tolist() == [2, 0] and w["pending"].tolist() == [0, 0]
    assert w["sla_share"].tolist() == [0.6, 1.0]
    s = q.summary
    assert (s["arrivals"], s["new"], s["re_mql"], s["worked"], s["backlog_end"]) == (6, 5, 1, 6, 0)
    assert s["sla_share"] == pytest.approx(4 / 6) and s["sla_met"] is False
    assert q.daily["backlog"].tolist()[:3] == [2, 0, 0]  # Monday: 4 arrived, 2 worked


def test_routing_and_score_order():
    # routing: A1 first. Monday 13:00 finds a2 (B2), a3 (A1), a4 (B2) waiting: a3 goes first
    q = simulate_queue(arrivals(), cap(), start=START, end=END, routing=["A1"])
    t = touches(q)
    assert t["a3"] == "2026-03-02 13:00:00" and t["a2"] == "2026-03-03 09:00:00" and t["a4"] == "2026-03-03 13:00:00"
    assert q.leads.set_index("lead_id")["rank"].to_dict() == {"a1": 0, "a2": 1, "a3": 0, "a4": 1, "a5": 0, "a6": 1}
    # score order, no routing: a3 (70) > a2 (55) > a4 (52)
    q2 = simulate_queue(arrivals(), cap(order="score"), start=START, end=END)
    assert touches(q2) == t


def test_working_hours_clock_and_pending():
    q = simulate_queue(arrivals(), cap(sla_working_hours=True, sla_hours=8), start=START, end=END)
    h = q.leads.set_index("lead_id")["hours"]
    assert h["a4"] == pytest.approx(9.0)  # Monday 12-17 (5 h) + Tuesday 9-13 (4 h)
    assert h["a5"] == 0.0  # Friday 20:00 -> Monday 9:00: no working hour passed
    assert h["a1"] == 0.0  # arrived 8:00, called at opening
    # a period ending Tuesday 10:00... (end of Monday): a3 and a4 still waiting, not yet past 8 h
    q = simulate_queue(arrivals(), cap(sla_working_hours=True, sla_hours=8), start=START, end="2026-03-02")
    assert q.summary["backlog_end"] == 2 and q.summary["pending"] == 2 and q.summary["breached"] == 0


def test_waiting_past_the_sla_counts_as_breached():
    q = simulate_queue(arrivals(), cap(sdrs=0), start=START, end=END)
    s = q.summary
    assert s["worked"] == 0 and s["backlog_end"] == 6 and s["within_sla"] == 0
    assert s["breached"] == 6  # all waited more than 24 h by Sunday midnight
    assert q.weekly["backlog"].tolist() == [5, 6]


def test_suggest_team():
    # the Friday-night lead waits 61 h whatever the team: at most 5 of 6 in time
    assert suggest_team(arrivals(), cap(), start=START, end=END, target=0.8) == 2
    assert suggest_team(arrivals(), cap(), start=START, end=END, target=0.9, max_sdrs=16) is None
    assert suggest_team(arrivals().iloc[:0], cap(), start=START, end=END) == 0


def test_simulate_and_suggest_threshold():
    m = hand_model()
    m.capacity = Capacity(sdrs=1, leads_per_sdr_per_day=1, sla_hours=24, sla_target=0.99)
    data = bind(m, LEADS, EVENTS, as_of="2026-04-01")
    sim = simulate(m, data, "2026-03-02", "2026-03-31")
    assert sim.summary["arrivals"] == 7 and sim.summary["new"] == 4 and sim.summary["re_mql"] == 3
    assert sim.summary["recycled"] == 5
    assert {"sqls", "recycled"} <= set(sim.weekly.columns) and len(sim.daily) == 30
    text = sim.text()
    assert "re-MQL" in text and "SLA 24 h" in text and "Smallest team" in text
    # the threshold suggestion: each candidate threshold really meets the target, one step lower does not
    rep = sim.replay
    t = sim.summary["suggested_mql_threshold"]
    if t is not None:
        ok = simulate_queue(rep.arrivals_for_threshold(t), m.capacity, start=rep.start, end=rep.end).summary
        assert ok["sla_share"] != ok["sla_share"] or ok["sla_share"] >= 0.99
        lower = simulate_queue(rep.arrivals_for_threshold(t - 1), m.capacity, start=rep.start, end=rep.end).summary
        assert lower["sla_share"] < 0.99
    # sdrs / sla_hours override without touching the model
    sim2 = simulate(m, data, "2026-03-02", "2026-03-31", sdrs=3, sla_hours=48, suggest=False)
    assert sim2.summary["sdrs"] == 3 and sim2.summary["sla_hours"] == 48 and m.capacity.sdrs == 1
    assert "suggested_sdrs" not in sim2.summary


def test_first_days_what_if_matches_a_replay_with_that_threshold():
    m = hand_model()
    m.recycling = None
    data = bind(m, LEADS, EVENTS, as_of="2026-04-01")
    rep = replay(m, data, "2026-03-02", "2026-03-31")
    for t in (45, 60, 65, 75):
        m2 = m.copy()
        m2.thresholds.mql = t
        m2.thresholds.sql = max(t, 90)
        other = replay(m2, data, "2026-03-02", "2026-03-31")
        a = rep.arrivals_for_threshold(t)
        assert a[["lead_id", "day", "moment"]].reset_index(drop=True).equals(other.arrivals[["lead_id", "day", "moment"]].reset_index(drop=True))


def test_suggest_threshold_none_when_re_mqls_alone_overwhelm():
    m = hand_model()
    m.capacity = Capacity(sdrs=0)
    data = bind(m, LEADS, EVENTS, as_of="2026-04-01")
    rep = replay(m, data, "2026-03-02", "2026-03-31")
    assert suggest_threshold(m, rep) is None


# ---------------------------------------------------------------- model settings: capacity extras, recycling
SETTINGS_YAML = """\
schema_version: 1
name: queue settings
lead_id: id
created_at: created
attributes:
  - {name: created, type: date, kind: system}
  - {name: stage, type: category, kind: outcome}
  - {name: lost_at, type: date, kind: outcome}
rules: []
thresholds: {mql: 50}
grades:
  fit: {A: 20, B: null}
  engagement: {1: 20, 2: null}
capacity:
  sdrs: 2
  leads_per_sdr_per_week: 50
  sla_hours: 24
  leads_per_sdr_per_day: 12
  workday_start: 8.5
  workday_hours: 9
  routing: [A1, B1]
  order: score
  sla_target: 0.95
  sla_working_hours: true
recycling:
  disqualified: {column: stage, values: [Disqualified, Junk], date: lost_at}
  closed_lost: {column: Opportunity Stage, values: Closed Lost, date: Closed Date}
  no_response_days: 14
  response_types: [email_reply]
  cooldown_days: 30
  reset_engagement: false
"""


def test_settings_load_and_round_trip():
    from leaddesigner.core.model.io import dumps_model, loads_model

    m = loads_model(SETTINGS_YAML)
    c = m.capacity
    assert (c.leads_per_sdr_per_day, c.workday_start, c.workday_hours, c.routing, c.order, c.sla_target, c.sla_working_hours) == (
        12, 8.5, 9, ["A1", "B1"], "score", 0.95, True
    )
    assert c.per_day == 24 and c.per_week == 120
    r = m.recycling
    assert r.disqualified.values == ["Disqualified", "Junk"] and r.closed_lost.values == ["Closed Lost"]
    assert (r.no_response_days, r.response_types, r.cooldown_days, r.reset_engagement) == (14, ["email_reply"], 30, False)
    again = loads_model(dumps_model(m))
    assert again == m


def test_old_files_load_unchanged():
    from leaddesigner.core.model.types import to_dict
    from leaddesigner.core.model.io import loads_model

    m = loads_model("schema_version: 1\nname: old\nrules: []\ncapacity: {sdrs: 3, leads_per_sdr_per_week: 40, sla_hours: 48}\n")
    assert m.recycling is None and m.capacity.routing is None and m.capacity.per_week == 120
    assert to_dict(m)["capacity"] == {"sdrs": 3, "leads_per_sdr_per_week": 40, "sla_hours": 48}
    assert "recycling" not in to_dict(m)


@pytest.mark.parametrize(
    "old,new,message",
    [
        ("routing: [A1, B1]", "routing: [A1, B7]", "capacity.routing[1]: 'B7' is not a grade cell."),
        ("routing: [A1, B1]", "routing: [A1, A1]", "'A1' is listed twice"),
        ("order: score", "order: scores", "Did you mean 'score'?"),
        ("workday_hours: 9", "workday_hours: 16", "must end by midnight"),
        ("sla_target: 0.95", "sla_target: 95", "sla_target"),
        ("date: lost_at}", "date: stage}", "'stage' must be a date column, it is declared as category"),
        ("cooldown_days: 30", "cooldown_dayz: 30", "cooldown_days"),
    ],
)
def test_settings_validation_messages(old, new, message):
    from leaddesigner.core.model.io import ModelError, loads_model

    text = SETTINGS_YAML.replace(old, new)
    assert text != SETTINGS_YAML
    with pytest.raises(ModelError) as e:
        loads_model(text, source="m.yaml")
    out = e.value.format()
    assert message in out, out
    assert "m.yaml:" in out  # file:line


def test_recycling_needs_a_trigger():
    from leaddesigner.core.model.io import ModelError, loads_model

    with pytest.raises(ModelError) as e:
        loads_model("schema_version: 1\nname: x\nrules: []\nrecycling:\n  cooldown_days: 10\n", source="m.yaml")
    assert "m.yaml:4" in e.value.format() and "at least one of disqualified, closed_lost or no_response_days" in e.value.format()


def test_capacity_and_recycling_commands_undo_exactly():
    from leaddesigner.core.edits import commands as C
    from leaddesigner.core.model.types import RecycleOutcome, Recycling, to_dict
    from leaddesigner.core.model.io import loads_model

    m = loads_model(SETTINGS_YAML)
    for cmd in [
        C.SetCapacity("leads_per_sdr_per_day", None),
        C.SetCapacity("leads_per_sdr_per_day", 7.5),
        C.SetCapacity("workday_start", 7),
        C.SetCapacity("workday_hours", 10),
        C.SetCapacity("routing", ["B1", "A2"]),
        C.SetCapacity("routing", None),
        C.SetCapacity("order", "fifo"),
        C.SetCapacity("sla_target", 0.8),
        C.SetCapacity("sla_working_hours", False),
        C.SetCapacity("sdrs", 4),
        C.SetRecycling(None),
        C.SetRecycling(Recycling(closed_lost=RecycleOutcome("stage", ["Lost"], "lost_at"), cooldown_days=60)),
    ]:
        before = to_dict(m)
        inv = cmd.apply(m)
        assert to_dict(m) != before or cmd.text
        inv2 = inv.apply(m)
        assert to_dict(m) == before, cmd
        inv2.apply(m)  # redo
        inv2_inv = inv  # noqa: F841
        inv.apply(m)
        assert to_dict(m) == before
    assert C.SetRecycling(None).text == "Turn recycling off"
    assert C.SetCapacity("routing", ["A1"]).text == "Set routing to A1"


@pytest.mark.parametrize(
    "cmd,message",
    [
        ("SetCapacity('routing', ['Z9'])", "not a grade cell"),
        ("SetCapacity('order', 'random')", "order must be one of"),
        ("SetCapacity('sla_target', 1.5)", "between 0 and 1"),
        ("SetCapacity('workday_hours', 20)", "after midnight"),
        ("SetCapacity('leads_per_sdr_per_day', -1)", "at least 0"),
        ("SetCapacity('sla_working_hours', 'yes')", "true or false"),
        ("SetRecycling(Recycling(cooldown_days=5))", "at least one of"),
        ("SetRecycling(Recycling(no_response_days=0))", "more than 0"),
        ("SetRecycling(Recycling(closed_lost=RecycleOutcome('stage', [], 'lost_at')))", "list the values"),
        ("SetRecycling(Recycling(closed_lost=RecycleOutcome('stage', ['x'], 'stage')))", "must be a date column"),
    ],
)
def test_settings_command_errors_leave_the_model_alone(cmd, message):
    from leaddesigner.core.edits import commands as C
    from leaddesigner.core.model.types import RecycleOutcome  # noqa: F401
    from leaddesigner.core.model.types import Recycling  # noqa: F401
    from leaddesigner.core.model.types import to_dict  # noqa: F401
    from leaddesigner.core.model.io import loads_model

    m = loads_model(SETTINGS_YAML)
    before = to_dict(m)
    c = eval("C." + cmd, {"C": C, "Recycling": Recycling, "RecycleOutcome": RecycleOutcome})
    with pytest.raises(C.CommandError, match=message):
        c.apply(m)
    assert to_dict(m) == before


# ---------------------------------------------------------------- the vectorised queue == the heap
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from fuzzing import examples  # tests/ is on sys.path; see tests/fuzzing.py

from leaddesigner.core.analysis.queue import _touch  # noqa: E402

from leaddesigner.core.analysis.queue import _touch_heap  # noqa: E402


@settings(max_examples=examples(300), deadline=None)
@given(
    moments=st.lists(st.integers(0, 60), max_size=40),
    ranks=st.lists(st.integers(0, 3), min_size=40, max_size=40),
    scores=st.lists(st.sampled_from((1.0, 2.0, 2.5, 7.0)), min_size=40, max_size=40),
    slots=st.lists(st.integers(0, 70), max_size=40),
    one_rank=st.booleans(),
)
def test_fifo_queue_by_rank_equals_the_heap(moments, ranks, scores, slots, one_rank):
    """First-come-first-served rank by rank (running maxima) touches every lead when the
    slot-by-slot priority queue does, ties included."""
    m = np.sort(np.array(moments, dtype=np.int64))
    r = np.zeros(len(m), dtype=np.int64) if one_rank else np.array(ranks[: len(m)], dtype=np.int64)
    s = np.array(scores[: len(m)], dtype=float)
    sl = np.sort(np.array(slots, dtype=np.int64))
    np.testing.assert_array_equal(_touch(m, r, s, sl, False), _touch_heap(m, r, s, sl, False))
    np.testing.assert_array_equal(_touch(m, r, s, sl, True), _touch_heap(m, r, s, sl, True))


def test_suggestions_equal_the_frame_based_search():
    """suggest_team / suggest_threshold probe the queue on arrays; the answers equal a search
    that runs simulate_queue on frames (the definition)."""
    import copy

    m = hand_model()
    data = bind(m, LEADS, EVENTS, as_of="2026-04-01")
    rep = replay(m, data, "2026-03-02", "2026-03-31")
    for kw in ({}, {"routing": ["SMB"], "order": "score"}, {"sla_working_hours": True, "sla_hours": 6}, {"sla_hours": 4}):
        c = Capacity(sdrs=1, leads_per_sdr_per_day=1, sla_hours=24, sla_target=0.6)
        for k, v in kw.items():
            setattr(c, k, v)

        def share(arr, k=None):
            cc = copy.deepcopy(c)
            if k is not None:
                cc.sdrs = k
            s = simulate_queue(arr, cc, start=rep.start, end=rep.end).summary["sla_share"]
            return 1.0 if s != s else s

        team = suggest_team(rep.arrivals, c, start=rep.start, end=rep.end, max_sdrs=64)
        ok = [share(rep.arrivals, k) >= c.sla_target - 1e-12 for k in range(1, 65)]
        assert team == (ok.index(True) + 1 if any(ok) else None)
        assert suggest_threshold(m, rep, capacity=c) == _threshold_by_frames(m, rep, lambda t: share(rep.arrivals_for_threshold(t)) >= c.sla_target - 1e-12)


def _threshold_by_frames(model, rep, ok, step: float = 1.0):
    """suggest_threshold's search (the documented bisection) with a frame-based test."""
    scores = rep._state["score0"]
    cur = float(model.thresholds.mql)
    top, bottom = float(np.max(scores)), float(np.min(scores))
    k_hi = int(np.ceil((top - cur) / step)) + 1
    k_lo = int(np.floor((bottom - cur) / step))
    if not ok(cur + k_hi * step):
        return None
    if ok(cur + k_lo * step):
        return cur + k_lo * step
    lo, hi = k_lo, k_hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(cur + mid * step):
            hi = mid
        else:
            lo = mid
    best = float(round(cur + hi * step, 6))
    return best if best <= top else None
