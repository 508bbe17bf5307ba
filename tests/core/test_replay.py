"""Replay: a hand-computed scenario (crossing days, decay, recycling, re-MQL) and a property test
against the engine (the replayed score on any day equals ``Scorer.set_as_of`` that day)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from fuzzing import examples  # tests/ is on sys.path; see tests/fuzzing.py
from leaddesigner.core.analysis.replay import replay
from leaddesigner.core.model.types import (
    ActivityColumns,
    ActivitySpec,
    Attribute,
    Decay,
    Leaf,
    Recycling,
    Rule,
    ScoringModel,
    Thresholds,
)
from leaddesigner.core.scoring.engine import Scorer, bind

from . import strategies as S

D = pd.Timestamp


def hand_model(**recycling) -> ScoringModel:
    """fit: SMB +40; engagement: demo +30 (14-day window), visit +20 (half-life 7 days),
    email click +20 (-50% per 7 days). MQL 50, SQL 90. Recycling after 7 days without a demo
    request, 10-day cool-down, engagement reset."""
    rec = dict(no_response_days=7, response_types=["demo_request"], cooldown_days=10, reset_engagement=True)
    rec.update(recycling)

    def act(t):
        return Leaf("type", "equals", t)

    return ScoringModel(
        name="hand",
        lead_id="id",
        created_at="created",
        attributes=[Attribute("segment", "category"), Attribute("created", "date", "system")],
        activities=ActivityColumns("id", "ts", "type", None),
        rules=[
            Rule("smb", "SMB", "fit", 40, when=Leaf("segment", "equals", "SMB")),
            Rule("demo", "Demo", "engagement", 30, activity=ActivitySpec(act("demo_request"), within_days=14)),
            Rule("visit", "Visit", "engagement", 20, activity=ActivitySpec(act("visit"), decay=Decay(half_life_days=7))),
            Rule("email", "Email", "engagement", 20, activity=ActivitySpec(act("email_click"), decay=Decay(linear_pct=50, period_days=7))),
        ],
        thresholds=Thresholds(50, 90),
        recycling=Recycling(**rec),
    )


LEADS = pd.DataFrame(
    {
        "id": ["A", "B", "C", "D", "E", "F"],
        "segment": ["SMB", "Other", "SMB", "SMB", "Other", "SMB"],
        "created": ["2026-03-02 08:00", "2026-03-02 08:00", "2026-03-10 09:00", "2026-03-02 08:00", "2026-03-15 08:00", "2026-02-20 08:00"],
    }
)
EVENTS = pd.DataFrame(
    [
        ("A", "2026-03-04 15:00", "demo_request"),  # 40 + 30 = 70: MQL on 03-04
        ("A", "2026-03-25 10:00", "demo_request"),  # after recycle (03-12) and cool-down (03-22): re-MQL 03-25
        ("B", "2026-03-03 10:00", "visit"),  # 3 visits: 60 * 2**(-age/7) = 56.6 at the end of 03-03
        ("B", "2026-03-03 10:00", "visit"),
        ("B", "2026-03-03 10:00", "visit"),
        ("B", "2026-03-28 12:00", "visit"),  # re-MQL 03-28 (recycled 03-11, cool-down to 03-21)
        ("B", "2026-03-28 12:00", "visit"),
        ("B", "2026-03-28 12:00", "visit"),
        ("C", "2026-03-10 11:00", "email_click"),  # created that day: 40 + 20 = 60, MQL 03-10
        ("D", "2026-03-06 12:00", "demo_request"),  # 70: MQL 03-06
        ("D", "2026-03-09 13:00", "email_click"),  # 70 + 40 = 110: SQL 03-09
        ("D", "2026-03-09 13:00", "email_click"),
        ("D", "2026-03-12 12:00", "demo_request"),  # a response within 7 days: D is not recycled
        ("F", "2026-02-25 10:00", "demo_request"),  # MQL before the period; recycled 03-05
        ("F", "2026-03-20 08:00", "demo_request"),  # re-MQL 03-20, recycled again 03-28
    ],
    columns=["id", "ts", "type"],
)


@pytest.fixture(scope="module")
def hand():
    m = hand_model()
    data = bind(m, LEADS, EVENTS, as_of="2026-04-01")
    return m, data, replay(m, data, "2026-03-02", "2026-03-31")


def test_hand_first_days(hand):
    _, _, rep = hand
    L = rep.leads.set_index("lead_id")
    assert L["first_mql_day"].to_dict() == {
        "A": D("2026-03-04"), "B": D("2026-03-03"), "C": D("2026-03-10"), "D": D("2026-03-06"), "E": pd.NaT, "F": D("2026-03-02")
    } or _same(L["first_mql_day"], ["2026-03-04", "2026-03-03", "2026-03-10", "2026-03-06", None, "2026-03-02"])
    assert _same(L["first_sql_day"], [None, None, None, "2026-03-09", None, None])
    assert L["mql_before_start"].tolist() == [False, False, False, False, False, True]
    assert L.loc["A", "score_at_mql"] == 70
    assert L.loc["B", "score_at_mql"] == pytest.approx(60 * 2 ** (-(14 / 24) / 7))
    assert L.loc["C", "score_at_mql"] == 60
    assert L["mqls"].tolist() == [2, 2, 1, 1, 0, 1]
    assert L["recycles"].tolist() == [1, 1, 1, 0, 0, 2]


def _same(series, expected) -> bool:
    got = [None if pd.isna(x) else x for x in series.tolist()]
    return got == [None if e is None else D(e) for e in expected]


def test_hand_arrivals(hand):
    _, _, rep = hand
    a = rep.arrivals
    got = [(r.lead_id, str(r.moment), r.kind, r.episode) for r in a.itertuples()]
    assert got == [
        ("B", "2026-03-03 10:00:00", "new", 0),
        ("A", "2026-03-04 15:00:00", "new", 0),
        ("D", "2026-03-06 12:00:00", "new", 0),
        ("C", "2026-03-10 11:00:00", "new", 0),  # created 09:00, its email click at 11:00
        ("F", "2026-03-20 08:00:00", "re-MQL", 1),
        ("A", "2026-03-25 10:00:00", "re-MQL", 1),
        ("B", "2026-03-28 12:00:00", "re-MQL", 1),
    ]
    # engagement was reset at the recycle: the re-MQL scores count only the new events
    assert a.set_index(["lead_id", "episode"]).loc[("A", 1), "score"] == 70
    assert a.set_index(["lead_id", "episode"]).loc[("B", 1), "score"] == pytest.approx(60 * 2 ** (-0.5 / 7))


def test_hand_recycles(hand):
    _, _, rep = hand
    got = [(r.lead_id, str(r.moment), r.reason) for r in rep.recycles.itertuples()]
    assert got == [
        ("F", "2026-03-05 00:00:00", "no_response"),  # MQL 02-25, 7 days from the end of that day
        ("B", "2026-03-11 00:00:00", "no_response"),
        ("A", "2026-03-12 00:00:00", "no_response"),
        ("C", "2026-03-18 00:00:00", "no_response"),
        ("F", "2026-03-28 00:00:00", "no_response"),  # re-MQL 03-20 without a later demo request
    ]


def test_hand_weekly(hand):
    _, _, rep = hand
    w = rep.weekly
    assert [str(x.date()) for x in w["week"]] == ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"]
    assert w["new"].tolist() == [3, 1, 0, 0, 0]
    assert w["re_mql"].tolist() == [0, 0, 1, 2, 0]
    assert w["mqls"].tolist() == [3, 1, 1, 2, 0]
    assert w["sqls"].tolist() == [0, 1, 0, 0, 0]
    assert w["recycled"].tolist() == [1, 2, 1, 1, 0]
    assert w["days"].tolist() == [7, 7, 7, 7, 2]
    assert rep.daily["mqls"].sum() == 7 and len(rep.daily) == 30


def test_hand_decay_days_match_engine(hand):
    """The production scores behind the story: half-life (B), window (A) and linear steps (C)."""
    m, data, rep = hand
    sc = Scorer(m, data)
    for day in pd.date_range("2026-03-02", "2026-03-31"):
        got = rep.scores_on(day)
        ref = sc.set_as_of(day + pd.Timedelta(days=1))
        np.testing.assert_allclose(got.score, ref.score, atol=1e-9)
        assert (got.status == ref.status).all(), day
    c = rep.lead_scores(2).set_index("day")["score"]
    assert c[D("2026-03-16")] == 60 and c[D("2026-03-17")] == 50 and c[D("2026-03-24")] == 40  # -50% per 7 days
    a = rep.lead_scores(0).set_index("day")["score"]
    assert a[D("2026-03-17")] == 70 and a[D("2026-03-18")] == 40  # the demo leaves its 14-day window
    b = rep.lead_scores(1).set_index("day")["status"]
    assert b[D("2026-03-04")] == "MQL" and b[D("2026-03-05")] == "lead"  # half-life decay below 50


def test_rearm_needs_a_fall_below_mql_found_inside_a_decay_interval():
    """Without reset, a recycled lead re-MQLs only after its score fell below MQL; the fall happens
    between two change days (half-life decay) and is found by bisection."""
    m = hand_model(no_response_days=1, cooldown_days=5, reset_engagement=False)
    leads = pd.DataFrame({"id": ["G"], "segment": ["Other"], "created": ["2026-03-01 08:00"]})
    ev = pd.DataFrame(
        [("G", "2026-03-02 10:00", "visit")] * 6 + [("G", "2026-03-13 12:00", "visit")] * 3, columns=["id", "ts", "type"]
    )
    data = bind(m, leads, ev, as_of="2026-04-01")
    rep = replay(m, data, "2026-03-02", "2026-03-31")
    # 120 * 2**(-age/7): still >= 50 at the end of 03-10 (52.2), below at the end of 03-11 (46.6)
    s = rep.lead_scores(0).set_index("day")["score"]
    assert s[D("2026-03-10")] > 50 > s[D("2026-03-11")]
    got = [(str(r.day.date()), r.kind) for r in rep.arrivals.itertuples()]
    assert got == [("2026-03-02", "new"), ("2026-03-13", "re-MQL")]
    assert [str(d.date()) for d in rep.recycles["day"]] == ["2026-03-04", "2026-03-15"]


def test_outcome_columns_recycle_and_missing_column_is_a_problem():
    from leaddesigner.core.model.types import RecycleOutcome

    m = hand_model(no_response_days=None, response_types=None, cooldown_days=3,
                   closed_lost=RecycleOutcome("stage", ["Closed Lost"], "lost_at"),
                   disqualified=RecycleOutcome("dq_reason_col", ["x"], "dq_at"))
    leads = LEADS.assign(stage=["closed lost", "", "", "", "", ""], lost_at=["2026-03-08", None, None, None, None, None])
    data = bind(m, leads, EVENTS, as_of="2026-04-01")
    rep = replay(m, data, "2026-03-02", "2026-03-31")
    assert [(r.lead_id, str(r.day.date()), r.reason) for r in rep.recycles.itertuples()] == [("A", "2026-03-08", "closed_lost")]
    assert any("dq_reason_col" in p for p in rep.problems)
    # recycled 03-08 with reset: 40 points until the demo of 03-25 (cool-down ended 03-11)
    a = rep.arrivals[rep.arrivals.lead_id == "A"]
    assert a["kind"].tolist() == ["new", "re-MQL"] and str(a["day"].iloc[1].date()) == "2026-03-25"


def test_period_checks():
    m = hand_model()
    data = bind(m, LEADS, EVENTS, as_of="2026-04-01")
    with pytest.raises(ValueError, match="after it ends"):
        replay(m, data, "2026-03-10", "2026-03-01")
    rep = replay(m, data)  # defaults: the 26 weeks up to the last full day before as_of (the end of 04-01)
    assert rep.end == D("2026-04-01") and rep.start == D("2026-04-01") - pd.Timedelta(days=26 * 7 - 1)


def test_without_recycling_an_mql_stays_one():
    m = hand_model()
    m.recycling = None
    data = bind(m, LEADS, EVENTS, as_of="2026-04-01")
    rep = replay(m, data, "2026-03-02", "2026-03-31")
    assert rep.arrivals["kind"].tolist() == ["new"] * 4 and len(rep.recycles) == 0


# ---------------------------------------------------------------- property: replay == engine
@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(model=S.models(1, 8), frames=S.lead_frames(1, 25, 80), offset=st.integers(-30, 0), length=st.integers(1, 40))
def test_replayed_scores_equal_engine(model, frames, offset, length):
    leads, acts, as_of = frames
    data = bind(model, leads, acts, as_of=as_of)
    start = (S.AS_OF + pd.Timedelta(days=offset)).normalize()
    end = start + pd.Timedelta(days=length - 1)
    rep = replay(model, data, start, end)
    sc = Scorer(model, data)
    n = len(data)
    eps = 1e-7
    created = data.frame["created"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    first = [None] * n
    first_sql = [None] * n
    unsure = np.zeros(n, dtype=bool)
    thr = [model.thresholds.mql] + ([model.thresholds.sql] if model.thresholds.sql is not None else [])
    for day in pd.date_range(start, end):
        got = rep.scores_on(day)
        ref = sc.set_as_of(day + pd.Timedelta(days=1))
        np.testing.assert_allclose(got.score, ref.score, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(got.fit, ref.fit, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(got.engagement, ref.engagement, rtol=1e-9, atol=1e-9)
        near = np.zeros(n, dtype=bool)
        for t in thr:
            near |= np.abs(ref.score - t) < eps
        for bands, x in ((model.grades.fit, ref.fit), (model.grades.engagement, ref.engagement)):
            for lo in list(bands.values())[:-1] if bands else []:
                near |= np.abs(x - lo) < eps
        unsure |= near
        assert (got.status[~near] == ref.status[~near]).all()
        assert (got.grade[~near] == ref.grade[~near]).all()
        d64 = np.datetime64(day.date())
        exists = ~(created > d64)  # NaT compares False: no date means it exists
        for i in np.flatnonzero(exists & (ref.status >= 1)):
            if first[i] is None:
                first[i] = day
        for i in np.flatnonzero(exists & (ref.status >= 2)):
            if first_sql[i] is None:
                first_sql[i] = day
    got_first = [None if pd.isna(x) else x for x in rep.leads["first_mql_day"].tolist()]
    got_sql = [None if pd.isna(x) else x for x in rep.leads["first_sql_day"].tolist()]
    for i in range(n):
        if unsure[i]:
            continue
        assert got_first[i] == first[i], (i, got_first[i], first[i])
        assert got_sql[i] == first_sql[i], (i, got_sql[i], first_sql[i])
    # without recycling, arrivals are exactly the new MQLs whose first MQL day falls in the period
    if model.recycling is None:
        assert (rep.arrivals["kind"] == "new").all()
        assert rep.leads["mqls"].max() <= 1 if n else True


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    model=S.models(1, 8),
    frames=S.lead_frames(1, 25, 80),
    silent=st.sampled_from((1.0, 2.0, 5.0, 0.5)),
    cool=st.sampled_from((0.0, 1.0, 3.0, 7.5)),
)
def test_re_mqls_follow_the_recycling_rules(model, frames, silent, cool):
    """Without an engagement reset the production score decides everything: a re-MQL comes on
    the first day at or after the cool-down on which the lead is an MQL again, after having been
    below MQL on some day since the recycle."""
    model.recycling = Recycling(no_response_days=silent, cooldown_days=cool, reset_engagement=False)
    leads, acts, as_of = frames
    data = bind(model, leads, acts, as_of=as_of)
    start = (S.AS_OF - pd.Timedelta(days=30)).normalize()
    end = S.AS_OF.normalize() + pd.Timedelta(days=2)
    rep = replay(model, data, start, end)
    days = pd.date_range(start, end)
    status = np.stack([rep.scores_on(d).status for d in days])  # day x lead (checked against the engine above)
    score = np.stack([rep.scores_on(d).score for d in days])
    thr = [model.thresholds.mql] + ([model.thresholds.sql] if model.thresholds.sql is not None else [])
    near = np.zeros_like(score, dtype=bool)
    for t in thr:
        near |= np.abs(score - t) < 1e-7
    day_ix = {d: i for i, d in enumerate(days)}
    for row, grp in rep.arrivals.groupby("row"):
        if near[:, row].any():
            continue
        rec = rep.recycles[rep.recycles["row"] == row]
        for a in grp.itertuples():
            d = day_ix[a.day]
            assert status[d, row] >= 1
            if a.kind != "re-MQL":
                continue
            before = rec[rec["moment"] < a.day + pd.Timedelta(days=1)]
            if not len(before):
                continue  # recycled before the period
            r = before.iloc[-1]
            r_ix = day_ix[r["day"]]
            cool_day = (r["moment"] + pd.Timedelta(days=cool)).normalize()
            assert a.day >= cool_day
            below = np.flatnonzero(status[r_ix:d, row] < 1)
            assert len(below), "re-MQL without a fall below MQL since the recycle"
            first_ok = max(r_ix + below[0], day_ix.get(cool_day, r_ix) if cool_day >= days[0] else r_ix)
            assert not (status[first_ok:d, row] >= 1).any(), "a re-MQL came later than the first eligible day"


# ---------------------------------------------------------------- caches kept with the data
def _frames_equal(a, b) -> bool:
    return all(
        x.equals(y) and list(x.dtypes) == list(y.dtypes)
        for x, y in ((a.leads, b.leads), (a.arrivals, b.arrivals), (a.recycles, b.recycles), (a.daily, b.daily), (a.weekly, b.weekly))
    )


_DECAYS = st.sampled_from((None, Decay(half_life_days=2.0), Decay(linear_pct=30, period_days=2.0), Decay(linear_pct=100, period_days=1.0)))


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    model=S.models(1, 8),
    frames=S.lead_frames(1, 25, 80),
    windows=st.lists(st.sampled_from((None, 1.0, 3.5, 14.0)), min_size=8, max_size=8),
    decays=st.lists(_DECAYS, min_size=8, max_size=8),
    scale=st.sampled_from((0.5, 1.0, 3.0)),
    recycle=st.booleans(),
)
def test_replay_after_an_edit_equals_a_fresh_replay(model, frames, windows, decays, scale, recycle):
    """The step tables and event order kept with the data (``data.cache``) never leak from one
    model into the next: after edits to windows, decay, points and the threshold, a replay on
    the same data equals one on freshly bound data."""
    leads, acts, as_of = frames
    if recycle:
        model.recycling = Recycling(no_response_days=2.0, cooldown_days=1.0, reset_engagement=True)
    data = bind(model, leads, acts, as_of=as_of)
    start = (S.AS_OF - pd.Timedelta(days=20)).normalize()
    end = S.AS_OF.normalize()
    first = replay(model, data, start, end)
    m2 = model.copy()
    for i, r in enumerate(m2.rules):
        if r.activity is not None:
            r.activity.within_days = windows[i % 8]
            r.activity.decay = decays[i % 8]
        r.points *= scale
    m2.thresholds.mql *= scale
    again = replay(model, data, start, end)  # unchanged model: from the caches
    edited = replay(m2, data, start, end)
    fresh = replay(m2, bind(m2, leads, acts, as_of=as_of), start, end)
    assert _frames_equal(again, first)
    assert _frames_equal(edited, fresh)
    for d in (start, end):
        np.testing.assert_array_equal(edited.scores_on(d).score, fresh.scores_on(d).score)


def test_threshold_arrays_match_the_frame(hand):
    m, data, rep = hand
    for t in (30, 45, 50, 60, 65, 75, 200):
        f = rep.arrivals_for_threshold(t)
        a = rep._arrivals_for_threshold_arrays(t)
        assert a["moment"].tolist() == f["moment"].to_numpy(dtype="datetime64[ns]").view("int64").tolist()
        assert a["row"].tolist() == f["row"].tolist()
        assert a["score"].tolist() == f["score"].tolist()
        assert a["grade"].tolist() == f["grade"].tolist()
        # first_days reads the cached candidates: the same as scanning the whole grid
        st_ = rep._state
        ok = (st_["score0"] >= t) & (st_["gday0"] >= st_["exist"][st_["glead0"]])
        ref = np.full(len(data), -(10**9), dtype=np.int64)
        for i in np.flatnonzero(ok)[::-1]:
            ref[st_["glead0"][i]] = st_["gday0"][i]
        np.testing.assert_array_equal(rep.first_days(t), ref)


@given(st.lists(st.tuples(st.integers(-(10**12), 10**12), st.integers(0, 4)), max_size=30))
def test_repeat_counts_is_np_repeat(pairs):
    from leaddesigner.core.analysis.replay import repeat_counts

    v = np.array([p[0] for p in pairs], dtype=np.int64)
    c = np.array([p[1] for p in pairs], dtype=np.int64)
    got = repeat_counts(v, c)
    assert got.dtype == v.dtype and np.array_equal(got, np.repeat(v, c))


def test_kept_step_tables_stay_within_their_budget(monkeypatch):
    """Tables of models no longer in use are forgotten beyond the budget; the current ones stay."""
    from leaddesigner.core.analysis import replay as R

    monkeypatch.setattr(R.ReplayCore, "TABLE_CACHE_BYTES", 0)
    m = hand_model()
    data = bind(m, LEADS, EVENTS, as_of="2026-04-01")
    for w in (3.0, 5.0, 9.0):
        m.rules[1].activity.within_days = w
        rep = replay(m, data, "2026-03-02", "2026-03-31")
        kept = data.cache["replay_events"][5]
        assert len(kept) == 3  # demo, visit, email: the current model's tables only
        fresh = replay(m, bind(m, LEADS, EVENTS, as_of="2026-04-01"), "2026-03-02", "2026-03-31")
        assert _frames_equal(rep, fresh)


@pytest.mark.parametrize("case", ["time_ordered", "shuffled_with_ties", "empty", "one", "leads_too_many_to_pack"])
def test_lead_time_order_is_the_stable_sort_by_lead_then_time(case) -> None:
    from leaddesigner.core.analysis.replay_steps import _lead_time_order

    rng = np.random.default_rng(11)
    n = {"empty": 0, "one": 1}.get(case, 5_000)
    lead = rng.integers(0, 300, n).astype(np.int64)
    ts = np.sort(rng.integers(0, 40, n)) * 10**9  # many events share a second
    if case == "shuffled_with_ties":
        ts = rng.permutation(ts)
    if case == "leads_too_many_to_pack":
        lead = lead << 52  # no room left for the time rank in 63 bits: the radix passes
    got = _lead_time_order(lead, ts)
    np.testing.assert_array_equal(got, np.lexsort((ts, lead)))  # lexsort is stable: ties keep log order


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(model=S.models(1, 8), frames=S.lead_frames(1, 25, 80), part=st.sampled_from((1, 5, 64)))
def test_replay_evaluated_in_parts_equals_one_evaluation(model, frames, part):
    """A big grid is scored a part of the (lead, day) pairs at a time, each part reading only its own
    stretch of every step table: the same replay as scoring all pairs at once."""
    from leaddesigner.core.analysis.replay_steps import ReplayCore

    leads, acts, as_of = frames
    data = bind(model, leads, acts, as_of=as_of)
    start, end = (S.AS_OF - pd.Timedelta(days=25)).normalize(), S.AS_OF.normalize()
    whole = replay(model, data, start, end)
    default = ReplayCore.EVALUATE_PART
    ReplayCore.EVALUATE_PART = part
    try:
        parts = replay(model, bind(model, leads, acts, as_of=as_of), start, end)
    finally:
        ReplayCore.EVALUATE_PART = default
    assert _frames_equal(parts, whole)
    for d in (start, end - pd.Timedelta(days=3), end):
        for f in ("score", "fit", "engagement", "grade", "status"):
            np.testing.assert_array_equal(getattr(parts.scores_on(d), f), getattr(whole.scores_on(d), f))


def test_replay_without_an_event_index_equals_with_one(monkeypatch):
    """An activity rule's matching events come through the event index's (type, detail) groups; a log with
    too many distinct pairs for an index evaluates each event instead: the same replay."""
    from leaddesigner.core.scoring import events

    model = hand_model()
    leads, acts = LEADS.copy(), EVENTS.copy()
    start, end = D("2026-03-01"), D("2026-03-31")
    with_index = replay(model, bind(model, leads, acts, as_of="2026-04-01"), start, end)
    monkeypatch.setattr(events, "MAX_EVENT_GROUPS", 0)
    data = bind(model, leads, acts, as_of="2026-04-01")
    without = replay(model, data, start, end)
    assert events.event_index(data) is None
    assert _frames_equal(without, with_index) and len(with_index.arrivals) > 0


def test_rules_events_kept_as_positions_replay_as_masks(tmp_path, monkeypatch):
    """A rule that few events match keeps their positions instead of a mask over every event (12M events:
    12 MB a rule); the replay, a subset's replay after an edit and each day's scores are the same either way."""
    from pathlib import Path

    from leaddesigner.core.analysis import replay_steps
    from leaddesigner.core.data import pipeline
    from leaddesigner.core.model.io import load_model
    from leaddesigner.samples.generate import write_sample

    write_sample(tmp_path, 1500, seed=5)
    model = load_model(Path(__file__).resolve().parents[2] / "sample_models" / "enterprise_fit_first.yaml")
    # recycled leads start their engagement again: their events are replayed as a subset (positions looked up)
    model.recycling = Recycling(no_response_days=3.0, cooldown_days=2.0, reset_engagement=True)

    def run():
        data = pipeline.load(model, tmp_path / "leads.csv", tmp_path / "activities.csv", score=False).data
        rep = replay(model, data)
        edited = model.copy()
        next(r for r in edited.rules if r.kind == "activity").points += 5
        return rep, replay(edited, data), data

    compact, edited, data = run()
    assert len(compact.recycles) > 0
    core = replay_steps.ReplayCore(model, data, 0, 1)
    kinds = {str(m.dtype) for m in core.match.values()}
    assert "int32" in kinds  # some rules keep positions here
    monkeypatch.setattr(replay_steps, "_compact", lambda mask: mask)
    masks, edited_masks, _ = run()
    assert _frames_equal(compact, masks) and _frames_equal(edited, edited_masks)
    for day in (compact.start, compact.end):
        np.testing.assert_array_equal(compact.scores_on(day).score, masks.scores_on(day).score)


def test_the_replay_reads_the_event_pairs_without_the_scorers_index(tmp_path):
    """The replay needs each event's (type, detail) pair only; the time-sorted index the scorer reads (two
    gathers of the whole log) is not built for it, and when the scorer has built it, its pairs are used."""
    from pathlib import Path

    from leaddesigner.core.data import pipeline
    from leaddesigner.core.model.io import load_model
    from leaddesigner.core.scoring.events import event_groups, event_index
    from leaddesigner.samples.generate import write_sample

    write_sample(tmp_path, 300, seed=8)
    model = load_model(Path(__file__).resolve().parents[2] / "sample_models" / "enterprise_fit_first.yaml")
    data = pipeline.load(model, tmp_path / "leads.csv", tmp_path / "activities.csv", score=False).data
    first = replay(model, data)
    assert "event_groups" in data.cache and "event_index" not in data.cache
    groups = event_groups(data)
    index = event_index(data)  # the scorer's, built on the same pairs
    assert index.group is groups.group and event_groups(data) is index and "event_groups" not in data.cache
    np.testing.assert_array_equal(np.diff(index.starts), groups.sizes)
    scored = pipeline.load(model, tmp_path / "leads.csv", tmp_path / "activities.csv").data  # scored: has the index
    assert _frames_equal(replay(model, scored), first)


def test_a_behaviour_condition_edited_in_place_is_replayed_anew_not_from_the_kept_matches():
    """Each activity rule's matching events are kept with the data for the next replay (an edit elsewhere
    replays without finding them again); a condition edited in place is a new question: the replay then
    equals one on freshly bound data, and what is kept stays within its budget."""
    from leaddesigner import paths
    from leaddesigner.core.analysis import replay_steps
    from leaddesigner.core.data.leadfile import read_table
    from leaddesigner.core.model.conditions import Leaf
    from leaddesigner.core.model.io import load_model

    if not paths.sample_leads().exists():
        pytest.skip("sample data not generated")
    model = load_model(paths.default_model())
    leads, acts = read_table(paths.sample_leads()), read_table(paths.sample_activities())
    data = bind(model, leads, acts)
    first = replay(model, data)
    kept = data.cache["replay_events"][4]
    assert kept and sum(m.nbytes for m in kept.values()) <= replay_steps._MATCHES_BYTES
    rule = next(r for r in model.rules if r.kind == "activity" and r.activity.where is not None
                and any(isinstance(x, Leaf) and x.op == "contains" for x in getattr(r.activity.where, "items", [])))
    leaf = next(x for x in rule.activity.where.items if isinstance(x, Leaf) and x.op == "contains")
    leaf.value = "/" if leaf.value != "/" else "/p"  # in place: the same condition object, other events
    edited = replay(model, data)
    fresh = replay(model, bind(model, leads, acts))
    assert _frames_equal(edited, fresh)
    assert not _frames_equal(edited, first)  # the edit mattered: a stale match would have shown the first replay
