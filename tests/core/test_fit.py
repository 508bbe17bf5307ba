"""Points learnt from outcomes (core/analysis/fit.py): a valid model, scores the engine reproduces, honest AUCs.

The generated sample (sample_models/data) has a known outcome and an activity log; the real
files in ../shared/data are used when present (skipped with the reason otherwise).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaddesigner.core.analysis import fit_features, fit_search
from leaddesigner.core.scoring.engine import Scorer, bind
from leaddesigner.core.analysis.fit import FitError, fit_points
from leaddesigner.core.data.leadfile import read_table
from leaddesigner.core.model.io import dumps_model, loads_model, save_model, load_model
from leaddesigner.core.scoring.summary import parse_outcome

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_models" / "data"
SHARED = REPO.parent / "shared" / "data"
BANK = SHARED / "uci_bank_marketing" / "bank-additional-full.csv"
SALVIRT = SHARED / "salvirt_b2b" / "Salvirt_B2B_ML_dataset_HF.csv"
POST_OUTCOME = {"converted", "converted_at", "first_sales_contact_at", "lead_id"}


@pytest.fixture(scope="module")
def sample():
    leads = read_table(SAMPLE / "leads.csv")
    acts = read_table(SAMPLE / "activities.csv")
    return leads, acts, parse_outcome(leads["converted"])


@pytest.fixture(scope="module")
def fitted(sample):
    leads, acts, y = sample
    return fit_points(leads, y, activities=acts, outcome_column="converted")


def test_fitted_model_is_valid_and_readable(fitted):
    m = fitted.model
    text = dumps_model(m)
    again = loads_model(text, "fitted.yaml")  # validates
    assert dumps_model(again) == text
    assert 1 <= len(m.rules) <= 12
    for r in m.rules:
        assert r.points == int(r.points) and r.points != 0 and abs(r.points) <= fit_search.MAX_POINTS
        assert r.label and r.why and "converted" in r.why  # the fitted lift, in words
        assert r.dimension in ("fit", "engagement")
        if r.kind == "activity":
            assert r.dimension == "engagement"
    dims = {r.dimension for r in m.rules}
    assert dims == {"fit", "engagement"}, dims
    assert m.thresholds.sql is not None and m.thresholds.sql > m.thresholds.mql
    assert list(m.grades.fit)[-1] and list(m.grades.fit.values())[-1] is None
    assert m.created_at == "created_at"
    # MQL at about the top decile of the fitting leads
    s = fitted.scores[~fitted.holdout]
    assert 0.04 <= (s >= m.thresholds.mql).mean() <= 0.2


def test_engine_reproduces_fitted_scores_exactly(fitted, sample, tmp_path):
    leads, acts, y = sample
    path = tmp_path / "fitted.yaml"
    save_model(fitted.model, path)
    model = load_model(path)
    data = bind(model, leads, acts, horizon_days=fitted.horizon_days)
    assert not [p for p in data.problems if p.kind == "missing_column"]
    score = Scorer(model, data).result.score
    assert np.array_equal(score, fitted.scores)
    # and the AUC it reports is the AUC of those scores on the newest 20%
    from sklearn.metrics import roc_auc_score

    hold = fitted.holdout
    created = pd.to_datetime(leads["created_at"])
    assert created[hold].min() >= created[~hold].max()  # a time split: holdout = the most recent leads
    assert abs(hold.mean() - 0.2) < 0.01
    assert fitted.holdout_auc == pytest.approx(roc_auc_score(y[hold], score[hold]))


def test_holdout_auc_close_to_logistic_regression(fitted):
    assert fitted.holdout_auc >= fitted.logistic_auc - 0.02, fitted.text()
    assert fitted.holdout_auc > 0.7
    assert fitted.n_candidates >= 50


def test_no_leakage_columns_are_used(fitted):
    m = fitted.model
    used = {m.column_for(a) for r in m.rules for a in r.attributes()}
    assert not used & POST_OUTCOME
    assert {a.name for a in m.attributes}.isdisjoint(POST_OUTCOME - {"lead_id"})
    assert {"converted", "converted_at", "first_sales_contact_at"} <= set(fitted.excluded)
    assert "lead_id" in fitted.excluded


def test_planted_leaks_and_exclude_are_caught(sample):
    leads, _, y = sample
    leads = leads.copy()
    rng = np.random.default_rng(1)
    # a copy of the outcome under an innocent name (recorded after the fact), 1% noise
    noisy = np.where(rng.random(len(y)) < 0.01, ~y, y)
    leads["sales_flag"] = np.where(noisy, "A", "B")
    leads["deal_status"] = np.where(y, "Won", "Open")  # its name says it: status
    r = fit_points(leads, y, exclude=["intent_score"], outcome_column="converted", max_rules=6)
    used = {r.model.column_for(a) for rule in r.model.rules for a in rule.attributes()}
    assert "sales_flag" not in used and "sales_flag" in r.excluded and "predicts the outcome" in r.excluded["sales_flag"]
    assert "deal_status" not in used and "deal_status" in r.excluded
    assert "intent_score" not in used and r.excluded["intent_score"] == "excluded by you"
    assert len(r.model.rules) <= 6


def test_deterministic_with_seed(sample):
    leads, acts, y = sample
    a = fit_points(leads, y, activities=acts, outcome_column="converted", seed=3)
    b = fit_points(leads, y, activities=acts, outcome_column="converted", seed=3)
    assert dumps_model(a.model) == dumps_model(b.model)
    assert a.holdout_auc == b.holdout_auc and a.logistic_auc == b.logistic_auc
    assert np.array_equal(a.scores, b.scores)


def test_row_order_split_and_no_id_column(sample):
    leads, _, y = sample
    df = leads.drop(columns=["lead_id", "created_at", "converted_at", "first_sales_contact_at"])
    r = fit_points(df, y, outcome_column="converted", max_rules=5)
    assert "row order" in r.split
    assert np.array_equal(r.holdout, np.arange(len(df)) >= len(df) - 800)
    assert any("no id column" in n for n in r.notes)
    assert r.model.lead_id == "row"
    # the same file, as it is, scores the same through the load pipeline: leads named by their line
    from leaddesigner.core.data.pipeline import load

    loaded = load(r.model, df)
    assert np.array_equal(loaded.scorer.result.score, r.scores)
    # a DataFrame's rows count from 0 (a file's from its first data line, 2)
    assert loaded.data.ids[:2].tolist() == ["0", "1"] and loaded.scorer.frame().columns[0] == "row"


def test_max_rules_and_text(sample):
    leads, _, y = sample
    r = fit_points(leads, y, outcome_column="converted", max_rules=3)
    assert 1 <= len(r.model.rules) <= 3
    t = r.text()
    assert "Holdout AUC" in t and "logistic regression" in t
    for rule in r.model.rules:
        assert rule.label in t


def test_progress_is_reported(sample):
    leads, _, y = sample
    seen = []
    fit_points(leads, y, outcome_column="converted", max_rules=2, progress=lambda f, m: seen.append((f, m)))
    fr = [f for f, _ in seen]
    assert fr[0] == 0.0 and fr[-1] == 1.0 and fr == sorted(fr)


def test_clear_errors_for_bad_outcomes(sample):
    leads, _, y = sample
    with pytest.raises(FitError, match="same outcome"):
        fit_points(leads, np.zeros(len(leads), dtype=bool))
    with pytest.raises(FitError, match="same outcome"):
        fit_points(leads, np.ones(len(leads), dtype=bool))
    small = leads.head(40)
    with pytest.raises(FitError, match="too little history"):
        fit_points(small, np.arange(40) % 2 == 0)
    with pytest.raises(FitError, match="one per lead"):
        fit_points(leads, y[:10])
    with pytest.raises(FitError, match="no such column"):
        fit_points(leads, y, exclude=["durration"])
    with pytest.raises(FitError, match="max_rules"):
        fit_points(leads, y, max_rules=0)
    # converters only in the oldest leads: the holdout has one class
    y2 = np.zeros(len(leads), dtype=bool)
    order = np.argsort(pd.to_datetime(leads["created_at"]).to_numpy())
    y2[order[:200]] = True
    with pytest.raises(FitError, match="holdout"):
        fit_points(leads, y2, outcome_column="converted")


def test_nice_cuts_keep_the_bins():
    distinct = np.array([1.0, 150.0, 197.0, 240.0, 1000.0, 4321.0])
    assert fit_features._nice_cut(197.0, distinct) == 190.0  # two significant digits, still above 150
    for c in (150.0, 197.0, 240.0, 1000.0, 4321.0):
        nice = fit_features._nice_cut(c, distinct)
        i = int(np.searchsorted(distinct, c))
        assert distinct[i - 1] < nice <= c  # the same leads fall on each side


def need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (it lives in ../shared/data beside the repo, not in the project)")


def test_bank_marketing_without_duration():
    need(BANK)
    raw = read_table(BANK)
    y = parse_outcome(raw["y"])
    r = fit_points(raw, y, exclude=["duration"], outcome_column="y")
    used = {r.model.column_for(a) for rule in r.model.rules for a in rule.attributes()}
    assert "duration" not in used and "y" not in used
    assert {a.name for a in r.model.attributes}.isdisjoint({"duration", "y"})
    assert "row order" in r.split and r.n_holdout == 8238
    assert 1 <= r.n_rules <= 12 and 0.5 < r.holdout_auc < 1 and 0.5 < r.logistic_auc < 1
    text = dumps_model(r.model)
    loads_model(text, "bank.yaml")
    # economic indicators have dotted names: attributes keep them (valid ids)
    # no id column: the fitted model names leads by their row, and the file scores as it is
    from leaddesigner.core.data.pipeline import load

    assert r.model.lead_id == "row"
    assert np.array_equal(load(r.model, BANK).scorer.result.score, r.scores)


def test_salvirt_b2b():
    need(SALVIRT)
    raw = read_table(SALVIRT)
    y = parse_outcome(raw["Status"])
    r = fit_points(raw, y, outcome_column="Status")
    assert "Status" in r.excluded
    assert 1 <= r.n_rules <= 12 and r.holdout_auc > 0.6
    loads_model(dumps_model(r.model), "salvirt.yaml")


def test_base_model_supplies_names_kinds_and_capacity(sample):
    leads, acts, y = sample
    base = load_model(REPO / "sample_models" / "enterprise_fit_first.yaml")
    r = fit_points(leads, y, activities=acts, base_model=base, outcome_column="converted", max_rules=6)
    m = r.model
    assert m.name == base.name + " (fitted points)"
    assert m.capacity == base.capacity and m.lead_id == base.lead_id and m.created_at == base.created_at
    kinds = {a.name: a.kind for a in base.attributes}
    for a in m.attributes:
        assert a.kind == kinds[a.name]
    assert f"{m.thresholds.mql:g}" in m.definitions["mql"]  # not the base model's definition
    loads_model(dumps_model(m), "fitted.yaml")


def test_person_names_and_contact_details_are_never_scored():
    """A Salesforce lead report: First Name, Last Name (and a phone) must not earn points, whatever their AUC."""
    from leaddesigner.core.data.outcome import personal_detail_name

    assert all(personal_detail_name(c) for c in ("First Name", "LastName", "full_name", "Mobile Phone", "Street", "Vorname"))
    assert not any(personal_detail_name(c) for c in ("Company Name", "Account Name", "Title", "Email", "Country"))

    path = Path(__file__).resolve().parents[1] / "fixtures" / "crm" / "salesforce_leads_report.csv"
    leads = read_table(path)
    leads["Phone"] = [f"+30 21 {i % 40:07d}" for i in range(len(leads))]  # shared switchboards: not unique
    y = leads["Converted"].astype(str).eq("1").to_numpy()
    fitted = fit_points(leads, y, max_rules=12, exclude=["Converted Date"])
    for col in ("First Name", "Last Name", "Phone"):
        assert "name or contact detail" in fitted.excluded[col], fitted.excluded
    used = {r.when.attribute if r.when is not None and hasattr(r.when, "attribute") else (r.map.attribute if r.map else None)
            for r in fitted.model.rules}
    assert not used & {"first_name", "last_name", "phone"}, used
