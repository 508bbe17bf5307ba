"""Scoring each lead N days after its creation (cohort horizon)."""
import numpy as np
import pandas as pd
import pytest

from leaddesigner.core.data.leadfile import read_table
from leaddesigner.core.model.io import load_model
from leaddesigner.core.scoring.engine import Scorer, bind
from leaddesigner.paths import default_model, sample_activities, sample_leads


@pytest.fixture(scope="module")
def sample():
    if not sample_leads().exists():
        pytest.skip("sample data not generated")
    return load_model(default_model()), read_table(sample_leads()), read_table(sample_activities())


def test_horizon_equals_scoring_each_lead_at_its_own_moment(sample):
    model, leads, acts = sample
    horizon = 21.0
    data = bind(model, leads, acts, horizon_days=horizon)
    cohort = Scorer(model, data).result.score
    created = data.frame[model.created_at]
    rng = np.random.default_rng(3)
    for i in rng.choice(len(leads), 12, replace=False):
        moment = min(created.iloc[i] + pd.Timedelta(days=horizon), data.as_of)
        single = bind(model, leads, acts, as_of=moment)
        assert Scorer(model, single).result.score[i] == pytest.approx(cohort[i], abs=1e-9)


def test_horizon_never_scores_after_as_of(sample):
    model, leads, acts = sample
    data = bind(model, leads, acts, horizon_days=10_000)
    plain = bind(model, leads, acts)
    assert data.as_of == plain.as_of
    np.testing.assert_allclose(Scorer(model, data).result.score, Scorer(model, plain).result.score)


def test_set_as_of_switches_horizon_and_back(sample):
    model, leads, acts = sample
    data = bind(model, leads, acts)
    sc = Scorer(model, data)
    before = sc.result.score.copy()
    sc.set_as_of(data.as_of, horizon_days=30)
    assert not np.allclose(sc.result.score, before)
    sc.set_as_of(data.as_of, horizon_days=None)
    np.testing.assert_allclose(sc.result.score, before)


@pytest.mark.parametrize("model_file", ["enterprise_fit_first.yaml", "product_led_multi_product.yaml", "smb_speed_to_lead.yaml"])
def test_per_lead_moments_through_the_event_index_equal_the_full_pass(model_file, monkeypatch):
    """Each lead N days after creation: the event index (per-group time slices, each event tested against its own
    lead's moment) gives the scores of one pass over every event."""
    from leaddesigner import paths
    from leaddesigner.core.model.io import load_model
    from leaddesigner.core.scoring import engine

    m = load_model(paths.samples_dir() / model_file)
    leads = read_table(paths.sample_leads())
    events = read_table(paths.sample_activities())
    for horizon in (7, 30, 90):
        data = engine.bind(m, leads, events, horizon_days=horizon)
        fast = engine.Scorer(m, data).result
        assert "event_index" in data.cache  # the index was used, not the full pass
        with monkeypatch.context() as mp:
            mp.setattr(engine, "event_index", lambda data: None)
            slow = engine.Scorer(m, engine.bind(m, leads, events, horizon_days=horizon)).result
        assert np.allclose(fast.score, slow.score, rtol=0, atol=1e-9), (model_file, horizon)
        assert (fast.status == slow.status).all() and (fast.grade == slow.grade).all()


def test_a_condition_edited_in_place_is_asked_again_not_read_from_the_kept_answer(sample):
    """The index keeps each condition's matching groups for the next edit of the rule's window or points; a
    condition edited in place (a value added to its list) is a new question, and the kept answer cannot be
    written into."""
    from leaddesigner.core.model.types import Leaf
    from leaddesigner.core.scoring.engine import event_index

    model, leads, acts = sample
    data = bind(model, leads, acts, horizon_days=30)
    idx = event_index(data)
    where = Leaf("type", "in", ["page_view"])
    first = idx.matching_groups(where, data.as_of_ns)
    assert idx.matching_groups(where, data.as_of_ns) is first  # kept
    with pytest.raises(ValueError):
        first[0] = not first[0]
    where.value.append("webinar_attended")  # in place: the same object, another condition
    second = idx.matching_groups(where, data.as_of_ns)
    types = idx.combos["type"].astype(str).to_numpy()
    np.testing.assert_array_equal(first, types == "page_view")
    np.testing.assert_array_equal(second, np.isin(types, ["page_view", "webinar_attended"]))
