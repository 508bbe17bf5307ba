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


@pytest.mark.parametrize("n", [0, 1, 1000, 3 * blocks.BLOCK + 5])
def test_weekly_volume_grades_and_conversion_equal_plain_counts(n):
    """The counts of an edit's summary (three per week in one count, statuses by comparison, grades and
    converted leads by blocks) equal the plain bincounts they replace, leads without a date left out."""
    from types import SimpleNamespace

    from leaddesigner.core.model.types import STATUSES, Grades, ScoringModel
    from leaddesigner.core.scoring.summary import WeekIndex, count_statuses, summarize, weekly_volume

    rng = np.random.default_rng(n)
    created = pd.Series(pd.Timestamp("2026-01-07") + pd.to_timedelta(rng.integers(0, 90 * 86400, n), unit="s"))
    created[rng.random(n) < 0.05] = pd.NaT
    status = ((rng.random(n) < 0.2).astype(np.int8) + (rng.random(n) < 0.05)).astype(np.int8)
    np.testing.assert_array_equal(count_statuses(status), np.bincount(status, minlength=3))
    wv = weekly_volume(created, status, 50.0).frame
    if n:
        wi = WeekIndex.build(created)
        st = status if wi.ok is None else status[wi.ok]
        np.testing.assert_array_equal(wv["leads"], np.bincount(wi.rel, minlength=wi.nweeks))
        np.testing.assert_array_equal(wv["mqls"], np.bincount(wi.rel, weights=st >= 1, minlength=wi.nweeks).astype(np.int64))
        np.testing.assert_array_equal(wv["sqls"], np.bincount(wi.rel, weights=st >= 2, minlength=wi.nweeks).astype(np.int64))
        assert wv["mqls"].dtype == np.int64 and wv["leads"].sum() == (created.notna()).sum()
    model = ScoringModel(grades=Grades({"A": 50, "B": 20, "C": None}, {"1": 30, "2": None}))
    grade = rng.integers(0, 6, n).astype(np.int16)
    res = SimpleNamespace(status=status, grade=grade, score=rng.normal(40, 20, n))
    scorer = SimpleNamespace(model=model, result=res, grade_names=lambda: ["A1", "A2", "B1", "B2", "C1", "C2"],
                             data=SimpleNamespace(cache={}, frame=pd.DataFrame({model.created_at: created})))
    converted = rng.random(n) < 0.1
    s = summarize(scorer, converted)
    np.testing.assert_array_equal(s.grade_counts.to_numpy().ravel(), np.bincount(grade, minlength=6))
    plain = np.bincount(status, weights=converted, minlength=3)
    counts = np.bincount(status, minlength=3)
    assert s.conversion == {k: float(plain[i] / counts[i]) for i, k in enumerate(STATUSES) if counts[i]} or n == 0
    assert summarize(scorer, converted.astype(float)).conversion == s.conversion  # weights that are not yes/no
