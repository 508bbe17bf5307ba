"""The summary's figures: the fast median equals numpy's; conversion per grade cell by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leaddesigner.core.scoring.summary import Summary, fast_median, grade_conversion


@pytest.mark.parametrize("n", [1, 2, 10, 250_000, 1_000_001])
def test_fast_median_equals_numpy(n):
    rng = np.random.default_rng(n)
    for a in (rng.gamma(2.0, 12.0, n), np.round(rng.gamma(2.0, 12.0, n)), np.sort(rng.normal(size=n)), np.zeros(n)):
        assert fast_median(a) == np.median(a)
        assert Summary(n, {}, None, a, None, 0.0).median == np.median(a)


def test_empty_summary_has_no_median():
    assert Summary(0, {}, None, np.array([]), None, 0.0).median is None


def test_grade_conversion_by_hand():
    # cells A1 A2 / B1 B2 (codes 0..3); -1 = ungraded
    grade = np.array([0, 0, 0, 1, 2, 2, -1, 3, 3, 3])
    converted = np.array([1, 0, 1, 0, 0, 1, 1, 0, 0, 0], dtype=bool)
    counts = pd.DataFrame([[3, 1], [2, 3]], index=["A", "B"], columns=["1", "2"])
    rate = grade_conversion(grade, counts, np.flatnonzero(converted))
    assert rate.loc["A", "1"] == pytest.approx(2 / 3) and rate.loc["A", "2"] == 0.0
    assert rate.loc["B", "1"] == 0.5 and rate.loc["B", "2"] == 0.0
    empty = pd.DataFrame([[0, 1], [2, 3]], index=["A", "B"], columns=["1", "2"])
    assert np.isnan(grade_conversion(grade, empty, np.flatnonzero(converted)).loc["A", "1"])
