"""Scoring each lead N days after its creation (cohort horizon)."""
import numpy as np
import pandas as pd
import pytest

from leaddesigner.core.scoring.engine import Scorer

from leaddesigner.core.scoring.engine import bind
from leaddesigner.core.data.leadfile import read_table
from leaddesigner.core.model.io import load_model
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
