"""Points as probabilities: the monotone fit by hand, the interval, points to double the odds."""
from __future__ import annotations

import math

import numpy as np
import pytest

from leaddesigner.core.analysis.calibration import calibrate


def test_pooling_weighs_the_bands_by_their_leads():
    # a band of 30 leads converting 50% above a band of 10 converting 10% violate the order:
    # pooled by their weights to (0.5 * 30 + 0.1 * 10) / 40 = 0.4
    score = np.repeat([10.0, 20.0], [30, 10])
    y = np.zeros(40, dtype=bool)
    y[:15] = True
    y[30:31] = True
    cal = calibrate(score, y, n_boot=20)
    assert np.allclose(cal.rate, [0.4, 0.4])


def test_rates_per_band_by_hand():
    # four scores, 10 leads each: 1, 3, 2 and 6 conversions
    score = np.repeat([10.0, 20.0, 30.0, 40.0], 10)
    y = np.zeros(40, dtype=bool)
    for k, c in enumerate([1, 3, 2, 6]):
        y[10 * k: 10 * k + c] = True
    cal = calibrate(score, y, n_boot=300)
    assert list(cal.leads) == [10] * 4 and list(cal.converted) == [1, 3, 2, 6]
    assert np.allclose(cal.rate, [0.1, 0.25, 0.25, 0.6])
    p, lo, hi = cal.at(25)  # halfway between two band centres with the same rate
    assert p == pytest.approx(0.25) and lo < p < hi
    assert cal.at(40)[0] == pytest.approx(0.6) and cal.at(99)[0] == pytest.approx(0.6)  # flat beyond the ends
    assert all(cal.lo <= cal.rate + 1e-12) and all(cal.rate <= cal.hi + 1e-12)
    assert cal.sentence(40, "MQL") == f"A lead scoring 40 (the MQL line) converts 60% ({round(100 * cal.lo[-1]):.0f}-{round(100 * cal.hi[-1]):.0f}%)"


def test_points_to_double_the_odds_from_a_known_model():
    rng = np.random.default_rng(3)
    score = rng.uniform(0, 100, 200_000)
    logit = -5 + score * math.log(2) / 12.5  # every 12.5 points double the odds
    y = rng.random(len(score)) < 1 / (1 + np.exp(-logit))
    cal = calibrate(score, y, n_boot=50)
    assert cal.points_to_double == pytest.approx(12.5, rel=0.05)
    assert "Every 12 points double the odds" in cal.doubling_text() or "Every 13 points" in cal.doubling_text()
    assert len(cal.leads) == 40 and np.all(np.diff(cal.rate) >= 0)
    # the fit follows the true curve where there are leads
    true = 1 / (1 + np.exp(-(-5 + 60 * math.log(2) / 12.5)))
    assert cal.at(60)[0] == pytest.approx(true, abs=0.03)


def test_a_score_that_does_not_raise_the_odds():
    score = np.arange(100, dtype=float)
    y = score < 30  # the low scores convert: the score lowers the odds
    cal = calibrate(score, y, n_boot=10)
    assert cal.points_to_double is None and "do not raise the odds" in cal.doubling_text()
    assert np.all(np.diff(cal.rate) >= 0)  # the fit stays monotone: one flat rate, the overall 30%
    assert cal.rate == pytest.approx(np.full(len(cal.rate), 0.3))
    with pytest.raises(ValueError, match="converted and leads that did not"):
        calibrate(score, np.zeros(100, dtype=bool))
