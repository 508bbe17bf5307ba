"""Backtest metrics against scikit-learn; score at conversion against per-lead set_as_of."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score, roc_curve

from fuzzing import examples  # tests/ is on sys.path; see tests/fuzzing.py
from leaddesigner import paths
from leaddesigner.core.analysis.at_conversion import score_at_conversion
from leaddesigner.core.analysis.backtest import BOOT_BINS, THIN_LEADS, auc, backtest, time_split, wilson
from leaddesigner.core.data.leadfile import read_table
from leaddesigner.core.model.io import load_model
from leaddesigner.core.scoring.engine import Scorer, bind
from leaddesigner.core.scoring.summary import parse_outcome


def sample(seed=0, n=3000, distinct=60):
    rng = np.random.default_rng(seed)
    s = rng.integers(0, distinct, n).astype(float)
    y = rng.random(n) < 0.03 + s / (distinct * 4)
    return s, y


# ---------------------------------------------------------------- auc
@settings(max_examples=examples(200))
@given(
    st.lists(st.tuples(st.integers(-5, 5), st.booleans()), min_size=2, max_size=80),
    st.booleans(),
)
def test_auc_equals_sklearn_with_ties(pairs, scale):
    s = np.array([p[0] for p in pairs], dtype=float) * (0.37 if scale else 1.0)
    y = np.array([p[1] for p in pairs])
    if y.all() or not y.any():
        assert np.isnan(auc(s, y))
    else:
        assert auc(s, y) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_auc_continuous_and_errors():
    rng = np.random.default_rng(4)
    s = rng.normal(size=5000)
    y = rng.random(5000) < 1 / (1 + np.exp(-s))
    assert auc(s, y) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert np.isnan(auc(s, np.zeros(5000, bool)))
    with pytest.raises(ValueError):
        auc(np.array([1.0, np.nan]), np.array([True, False]))
    with pytest.raises(ValueError):
        auc(np.ones(3), np.ones(2, bool))


# ---------------------------------------------------------------- backtest figures
def test_metrics_equal_sklearn():
    s, y = sample()
    b = backtest(s, y, threshold=30, n_boot=100)
    m = s >= 30
    assert b.n == len(s) and b.n_converted == int(y.sum()) and b.base_rate == pytest.approx(y.mean())
    assert b.auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert b.auc_low < b.auc < b.auc_high
    cut = b.mql
    assert cut.precision == pytest.approx(precision_score(y, m))
    assert cut.recall == pytest.approx(recall_score(y, m))
    assert cut.f1 == pytest.approx(f1_score(y, m))
    assert cut.mqls == m.sum() and cut.converted_mqls == (m & y).sum()
    assert cut.share_of_leads == pytest.approx(m.mean()) and cut.share_of_conversions == cut.recall
    assert cut.mql_rate.rate == pytest.approx(y[m].mean()) and cut.non_mql_rate.rate == pytest.approx(y[~m].mean())
    assert cut.mql_rate.low < cut.mql_rate.rate < cut.mql_rate.high
    # cumulative gains = (share of leads, TPR) at every distinct score (scikit-learn's ROC points)
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    lead_share = (tpr * y.sum() + fpr * (~y).sum()) / len(y)
    g = b.gains
    assert g.lead_share[0] == 0 and g.conversion_share[-1] == pytest.approx(1) and g.lead_share[-1] == pytest.approx(1)
    np.testing.assert_allclose(g.lead_share, lead_share, atol=1e-12)
    np.testing.assert_allclose(g.conversion_share, tpr, atol=1e-12)
    np.testing.assert_array_equal(g.thresholds[1:], thr[1:])
    json.dumps(b.to_dict(), allow_nan=False)


def test_explicit_mql_mask_wins():
    s, y = sample(1)
    mask = np.zeros(len(s), bool)
    mask[::7] = True
    b = backtest(s, y, mql=mask, threshold=99)
    assert b.mql.mqls == mask.sum() and b.mql.threshold == 99
    assert backtest(s, y).mql is None


def test_deciles():
    rng = np.random.default_rng(2)
    s = rng.random(1000)
    y = rng.random(1000) < s
    d = backtest(s, y, n_boot=0).deciles
    assert list(d["band"]) == list(range(1, 11)) and (d["leads"] == 100).all()
    order = np.argsort(-s)
    for i, r in d.iterrows():
        rows = order[i * 100:(i + 1) * 100]
        assert r["conversions"] == y[rows].sum()
        assert r["score_max"] == s[rows].max() and r["score_min"] == s[rows].min()
        assert r["lift"] == pytest.approx(y[rows].mean() / y.mean())
    assert d["cum_conversion_share"].iloc[-1] == pytest.approx(1) and d["cum_lead_share"].iloc[-1] == 1
    # ties: a tie group never straddles two bands, and the counts still add up
    s, y = sample(3, distinct=7)
    b = backtest(s, y, n_boot=0)
    d = b.deciles
    assert d["leads"].sum() == len(s) and d["conversions"].sum() == y.sum()
    assert (d["score_min"].to_numpy()[:-1] > d["score_max"].to_numpy()[1:]).all()
    assert len(d) <= 7 and any("only" in w and "score bands" in w for w in b.warnings)


def test_grade_cells():
    s, y = sample(5, n=800)
    names = ["A1", "A2", "B1", "B2"]
    codes = np.random.default_rng(5).choice([-1, 0, 1, 2], size=len(s), p=[0.05, 0.5, 0.44, 0.01])
    g = backtest(s, y, grades=codes, grade_names=names, n_boot=0).grades
    assert list(g["grade"]) == names
    df = pd.DataFrame({"g": codes, "y": y})
    for i, name in enumerate(names):
        part = df[df["g"] == i]
        row = g[g["grade"] == name].iloc[0]
        assert row["leads"] == len(part) and row["conversions"] == part["y"].sum()
        if len(part):
            assert row["rate"] == pytest.approx(part["y"].mean())
        assert row["thin"] == (len(part) < THIN_LEADS or part["y"].sum() < 5)
    assert g.loc[g["grade"] == "B2", "thin"].item()


def test_bootstrap_interval_matches_plain_resampling():
    """Resampling cell counts (multinomial) gives the interval of resampling leads."""
    s, y = sample(6, n=1500, distinct=25)
    b = backtest(s, y, n_boot=1000, seed=1)
    rng = np.random.default_rng(7)
    plain = []
    for _ in range(1000):
        i = rng.integers(0, len(s), len(s))
        plain.append(auc(s[i], y[i]))  # auc equals roc_auc_score (tested above)
    lo, hi = np.quantile(plain, [0.025, 0.975])
    assert b.auc_low == pytest.approx(lo, abs=0.01) and b.auc_high == pytest.approx(hi, abs=0.01)
    again = backtest(s, y, n_boot=1000, seed=1)
    assert (again.auc_low, again.auc_high) == (b.auc_low, b.auc_high)


def test_bootstrap_with_many_distinct_scores():
    rng = np.random.default_rng(8)
    n = 3 * BOOT_BINS
    s = rng.normal(size=n)
    y = rng.random(n) < 1 / (1 + np.exp(-2 * s))
    b = backtest(s, y, n_boot=300)
    assert b.auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    se = np.sqrt(b.auc * (1 - b.auc) / min(y.sum(), (~y).sum()))  # a rough scale
    assert b.auc_low < b.auc < b.auc_high and b.auc_high - b.auc_low < 6 * se
    assert len(b.gains.lead_share) <= 512 and b.gains.lead_share[-1] == pytest.approx(1)


def test_wilson():
    lo, hi = wilson(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and all(np.isnan(wilson(0, 0)))


def test_warnings_when_thin():
    s = np.arange(40, dtype=float)
    y = np.zeros(40, bool)
    y[[35, 38, 39]] = True
    b = backtest(s, y, threshold=30, n_boot=200)
    text = " ".join(b.warnings)
    assert "Only 3 conversions" in text and "could be anywhere" in text
    assert "not reliable" in text  # the MQL rate rests on 3 conversions
    one = backtest(s, np.zeros(40, bool))
    assert np.isnan(one.auc) and "None of the 40 leads converted" in one.warnings[0]
    assert "- (one class)" in one.text()


def test_holdout_parts_and_text():
    s, y = sample(9, n=2000)
    created = (np.datetime64("2026-01-05") + np.arange(2000) * np.timedelta64(2, "h")).astype("datetime64[ns]")
    h = time_split(created, 2000, 0.2)
    b = backtest(s, y, threshold=40, created=created, holdout=h, n_boot=50)
    t, ho = b.parts["tuning"], b.parts["holdout"]
    assert (t.n, ho.n) == (1600, 400) and t.n_converted + ho.n_converted == b.n_converted
    assert ho.auc == pytest.approx(roc_auc_score(y[h], s[h]))
    assert ho.first_created == pd.Timestamp(created[1600]) and t.last_created == pd.Timestamp(created[1599])
    assert b.reported is ho and b.mql.mqls_per_week is not None
    text = b.text()
    for word in ("tuning (older)", "holdout (recent)", "all leads", "1,600", "400", "ROC AUC", "MQL conversion rate", "band"):
        assert word in text
    d = json.loads(json.dumps(b.to_dict(), allow_nan=False))
    assert d["parts"]["holdout"]["n"] == 400


def test_time_split():
    n = 10
    c = np.array(["2026-01-05", "2026-01-01", None, "2026-01-09", "2026-01-09", "2026-01-02", "2026-01-08", "2026-01-03", "2026-01-04", "2026-01-09"], dtype="datetime64[ns]")
    h = time_split(c, n, 0.3)
    assert h.sum() == 3 and set(np.flatnonzero(h)) == {3, 4, 9}  # the three latest
    h = time_split(c, n, 0.2)  # a tie at the cut: broken by row order, deterministically
    assert set(np.flatnonzero(h)) == {4, 9}
    assert not time_split(c, n, 0.0).any()
    assert np.flatnonzero(time_split(None, n, 0.2)).tolist() == [8, 9]
    h = time_split(c, n, 0.8)
    assert h.sum() == 8 and not h[2]  # a lead without a date is tuning data
    with pytest.raises(ValueError):
        time_split(None, n, 1.0)


def test_backtest_at_a_million_leads():
    """The vectorised paths at scale give the figures the definitions promise (speed: benchmarks/)."""
    rng = np.random.default_rng(10)
    n = 1_000_000
    s = np.round(rng.gamma(2.0, 15.0, n), 1)
    y = rng.random(n) < s / 400
    created = (np.datetime64("2025-01-06") + (rng.random(n) * 364 * 86400).astype("timedelta64[s]")).astype("datetime64[ns]")
    hold = time_split(created, n)
    b = backtest(s, y, threshold=50, grades=rng.integers(0, 12, n), grade_names=[f"G{i}" for i in range(12)],
                 created=created, holdout=hold)
    assert b.parts["holdout"].n == n // 5 and hold.sum() == n // 5
    assert created[hold].min() >= created[~hold].max()  # the most recent fifth
    assert b.parts["holdout"].auc == pytest.approx(roc_auc_score(y[hold], s[hold]), abs=1e-12)


# ---------------------------------------------------------------- score at conversion
@pytest.fixture(scope="module")
def scored():
    model = load_model(paths.samples_dir() / "product_led_multi_product.yaml")
    leads = read_table(paths.sample_leads()).iloc[:400].reset_index(drop=True)
    acts = read_table(paths.sample_activities())
    data = bind(model, leads, acts)
    return model, leads, acts, data, Scorer(model, data)


def test_score_at_equals_set_as_of_per_lead(scored):
    model, leads, acts, data, sc = scored
    before = sc.result.score.copy()
    conv = pd.to_datetime(leads["converted_at"]).to_numpy("datetime64[ns]")
    fc = pd.to_datetime(leads["first_sales_contact_at"]).to_numpy("datetime64[ns]")
    r = score_at_conversion(sc, conv, fc)
    assert (sc.result.score == before).all() and sc.data.moments_ns is None  # the scorer is untouched
    rows = np.flatnonzero(~np.isnat(conv))
    assert r.at_conversion.count == len(rows) > 10
    np.testing.assert_array_equal(r.at_conversion.rows, rows)
    ref = Scorer(model, bind(model, leads, acts))
    as_of = data.as_of
    checked = 0
    for k, row in enumerate(rows[:25]):
        moment = min(pd.Timestamp(conv[row]), as_of)
        res = ref.set_as_of(moment)
        assert r.at_conversion.scores[k] == pytest.approx(res.score[row], abs=1e-9), row
        assert r.at_conversion.mql[k] == (res.status[row] >= 1)
        checked += 1
    assert checked == min(25, len(rows))
    assert r.average == pytest.approx(r.at_conversion.scores.mean())
    assert r.at_conversion.share_mql == pytest.approx(r.at_conversion.mql.mean())
    assert r.at_first_contact is not None and r.at_first_contact.count <= len(rows)
    k = 0
    fc_rows = r.at_first_contact.rows
    res = ref.set_as_of(min(pd.Timestamp(fc[fc_rows[k]]), as_of))
    assert r.at_first_contact.scores[k] == pytest.approx(res.score[fc_rows[k]], abs=1e-9)
    text = r.text()
    assert "At conversion" in text and "At first sales contact" in text and "Average qualification score" in text
    json.dumps(r.to_dict(), allow_nan=False)


def test_scorer_score_at(scored):
    model, leads, acts, data, sc = scored
    n = sc.n
    nat = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    np.testing.assert_allclose(sc.score_at(nat).score, sc.result.score)  # NaT: the data's as-of
    later = np.full(n, (data.as_of + pd.Timedelta(days=30)).to_datetime64())
    np.testing.assert_allclose(sc.score_at(later).score, sc.result.score)  # never later than as-of
    m = (data.as_of - pd.Timedelta(days=40)).to_datetime64()
    moments = np.full(n, m, dtype="datetime64[ns]")
    full = sc.score_at(moments)
    rows = np.array([5, 3, 100, 399])
    sub = sc.score_at(moments[rows], rows=rows)
    np.testing.assert_allclose(sub.score, full.score[rows])
    np.testing.assert_array_equal(sub.status, full.status[rows])
    ref = Scorer(model, bind(model, leads, acts)).set_as_of(pd.Timestamp(m))
    np.testing.assert_allclose(full.score, ref.score)
    with pytest.raises(ValueError):
        sc.score_at(moments[:3])
    # the scorer still follows edits incrementally afterwards
    rule = next(r for r in model.rules if r.kind == "condition")
    old = rule.points
    try:
        rule.points = old + 5
        refreshed = sc.refresh().score.copy()
        np.testing.assert_allclose(refreshed, Scorer(model, bind(model, leads, acts)).result.score)
    finally:
        rule.points = old
        sc.refresh()


def test_outcome_spellings():
    assert parse_outcome(pd.Series(["Prospecting", "Closed Won", "Closed Lost", "Negotiation"])).tolist() == [False, True, False, False]
    assert parse_outcome(pd.Series(["closed_won", "Closed-Lost", "6 - Closed Won"])).tolist() == [True, False, True]
    assert parse_outcome(pd.Series(["red", "green", "blue"])) is None
    assert parse_outcome(pd.Series(["yes", "no", "no"])).tolist() == [True, False, False]


def test_drift_between_tuning_and_holdout_is_called_out():
    rng = np.random.default_rng(11)
    n = 4000
    s = rng.integers(0, 50, n).astype(float)
    h = np.zeros(n, bool)
    h[-800:] = True
    y = rng.random(n) < np.where(h, 0.02, 0.12)  # recent leads have not converted yet
    b = backtest(s, y, holdout=h, n_boot=0)
    assert any("may not have had time to convert" in w for w in b.warnings)
    y = rng.random(n) < np.where(h, 0.30, 0.06)  # the market changed
    b = backtest(s, y, holdout=h, n_boot=0)
    assert any("changed over time" in w for w in b.warnings)
    y = rng.random(n) < 0.1  # same rate: no sentence
    b = backtest(s, y, holdout=h, n_boot=0)
    assert not any("converted at" in w for w in b.warnings)


def test_converters_binned_once_for_the_report_and_the_app(scored):
    """The report's chart and the app's Backtest tab draw ``ScoreDistribution.binned``: every converter in one bin
    (outside scores in the end bins), about two points a bin, the report's SVG a bar per bin."""
    import re

    from leaddesigner.core.analysis.at_conversion import bins_between
    from leaddesigner.core.export.report_charts import chart_score_at

    model, leads, acts, data, sc = scored
    conv = pd.to_datetime(leads["converted_at"]).to_numpy("datetime64[ns]")
    dist = score_at_conversion(sc, conv).at_conversion
    lo, hi = 0.0, 60.0
    counts, edges = dist.binned(lo, hi)
    assert len(counts) == bins_between(lo, hi) == 30 and len(edges) == 31 and counts.sum() == dist.count
    s = np.clip(dist.scores, lo, hi)
    inner = (s > lo) & (s < hi) & ~np.isclose((s - lo) / 2, np.round((s - lo) / 2))  # not on an edge
    expected = np.bincount(((s[inner] - lo) // 2).astype(int), minlength=30)
    assert (counts >= expected).all() and counts.sum() == dist.count
    assert bins_between(0, 10) == 10 and bins_between(0, 400) == 50 and bins_between(5, 5) == 10
    svg = chart_score_at(dist, 20.0, lo, hi, "at conversion")
    tips = {float(a): int(n) for a, _, n in re.findall(r"score ([\d.]+)-([\d.]+): (\d+) converters", svg)}
    assert tips == {float(edges[i]): int(c) for i, c in enumerate(counts) if c}  # a bar per bin that has converters
