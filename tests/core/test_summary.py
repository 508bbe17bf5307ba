"""The summary's figures: the fast median equals numpy's; the histogram by blocks equals one pass; conversion per grade cell by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leaddesigner.core.scoring import blocks
from leaddesigner.core.scoring.summary import Summary, fast_median, grade_conversion, histogram


@pytest.mark.parametrize("n", [1, 2, 10, 250_000, 1_000_001])
def test_fast_median_equals_numpy(n):
    rng = np.random.default_rng(n)
    for a in (rng.gamma(2.0, 12.0, n), np.round(rng.gamma(2.0, 12.0, n)), np.sort(rng.normal(size=n)), np.zeros(n)):
        assert fast_median(a) == np.median(a)
        assert Summary(n, {}, None, a, None, 0.0).median == np.median(a)


def one_pass_histogram(score, lo, hi, bins):
    """The histogram over the whole column at once (as it was written before blocks)."""
    width = (hi - lo) / bins if hi > lo else 1.0
    idx = np.clip(((np.asarray(score, dtype=float) - lo) / width).astype(np.int64), 0, bins - 1)
    return np.bincount(idx, minlength=bins)


@pytest.mark.parametrize("n", [0, 1, blocks.BLOCK - 1, blocks.BLOCK, 3 * blocks.BLOCK + 17])
def test_histogram_by_blocks_equals_one_pass(n):
    rng = np.random.default_rng(n)
    s = rng.normal(50, 30, n)
    # bin edges exactly, values outside [lo, hi] (they land in the end bins), in every block
    s[rng.integers(0, max(n, 1), min(n, 40))] = rng.choice([-5.0, 0.0, 0.5, 99.5, 100.0, 250.0], min(n, 40))
    for lo, hi, bins in ((0.0, 100.0, 100), (-20.0, 180.0, 40), (7.0, 7.0, 10)):
        counts, edges = histogram(s, lo, hi, bins)
        np.testing.assert_array_equal(counts, one_pass_histogram(s, lo, hi, bins))
        assert counts.sum() == n and len(edges) == bins + 1
    ints = np.arange(n) % 120  # integer scores: every value on an edge
    np.testing.assert_array_equal(histogram(ints, 0, 100, 100)[0], one_pass_histogram(ints, 0, 100, 100))


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
