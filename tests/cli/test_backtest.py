"""``leaddesigner backtest`` end to end: sample data, bank marketing, bad input."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from leaddesigner import paths
from leaddesigner.cli import main
from leaddesigner.core.analysis.backtest import time_split
from leaddesigner.core.scoring.engine import Scorer, bind
from leaddesigner.core.data.leadfile import read_table
from leaddesigner.core.model.io import load_model, loads_model

from .helpers import run

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
BANK = SHARED_DATA / "uci_bank_marketing" / "bank-additional-full.csv"
MODEL = str(paths.samples_dir() / "product_led_multi_product.yaml")
LEADS = str(paths.sample_leads())
ACTS = str(paths.sample_activities())
BASE = [MODEL, LEADS, "--activities", ACTS, "-q"]




def test_sample_text_report(capsys):
    rc, out, err = run(capsys, "backtest", *BASE, "--outcome", "converted", "--converted-at", "converted_at", "--first-contact", "first_sales_contact_at")
    assert rc == 0, err
    for text in (
        "Outcome: column 'converted', 363 of 4,000 leads converted",
        "the most recent 20% (800 leads) are the holdout",
        "tuning (older)", "holdout (recent)", "ROC AUC (95% CI)", "MQL conversion rate", "non-MQL conversion rate",
        "Conversion by score band (holdout)", "Conversion by grade (holdout)",
        "At conversion (363 converters)", "At first sales contact", "Average qualification score",
        "Fits SDR capacity (12 MQLs a week)", "Catches 80% of converters", "highest F1", "Average score at conversion",
        "on the holdout:", "activity after a lead converted counts too",
    ):
        assert text in out, text


def test_sample_json_matches_the_core(capsys):
    rc, out, err = run(capsys, "backtest", *BASE, "--outcome", "converted", "--converted-at", "converted_at", "--json", "--recall", "0.7")
    assert rc == 0, err
    doc = json.loads(out)
    # recompute the headline figures directly from the core
    model = load_model(MODEL)
    leads, acts = read_table(LEADS), read_table(ACTS)
    sc = Scorer(model, bind(model, leads, acts))
    y = leads["converted"].to_numpy() == 1
    created = pd.to_datetime(leads["created_at"]).to_numpy("datetime64[ns]")
    h = time_split(created, len(y), 0.2)
    bt = doc["backtest"]
    assert bt["n"] == 4000 and bt["parts"]["holdout"]["n"] == 800
    assert bt["auc"] == pytest.approx(roc_auc_score(y, sc.result.score))
    assert bt["parts"]["holdout"]["auc"] == pytest.approx(roc_auc_score(y[h], sc.result.score[h]))
    items = {s["key"]: s for s in doc["suggestions"]["items"]}
    assert set(items) == {"capacity", "recall", "f1", "conversion"} and all(s["available"] for s in items.values())
    tune = ~h
    s_t, y_t = sc.result.score[tune], y[tune]
    for s in items.values():  # each promise holds on the tuning part it was computed on ...
        m = s_t >= s["threshold"]
        assert s["mqls"] == m.sum() and s["conversions_captured"] == (m & y_t).sum()
        hm = sc.result.score[h] >= s["threshold"]  # ... and the holdout figures are what it does there
        assert s["holdout"]["mqls"] == hm.sum() and s["holdout"]["conversions_captured"] == (hm & y[h]).sum()
    assert items["recall"]["recall"] >= 0.7
    assert items["capacity"]["mqls_per_week_max"] <= 12
    assert doc["score_at_conversion"]["at_conversion"]["count"] == int(y.sum())
    assert doc["data"]["split"] == {"by": "created", "holdout_fraction": 0.2}


def _without_outcome(tmp_path, src: str) -> str:
    """A copy of a sample model without its outcome: section (nothing says when leads converted)."""
    from leaddesigner.core.model.io import load_model, save_model

    m = load_model(src)
    m.outcome = None
    out = tmp_path / "no_outcome.yaml"
    save_model(m, out)
    return str(out)


def test_no_split_and_no_dates(capsys, tmp_path):
    model = _without_outcome(tmp_path, MODEL)
    rc, out, err = run(capsys, "backtest", model, LEADS, "--activities", ACTS, "-q", "--outcome", "converted", "--holdout", "0", "--bootstrap", "0")
    assert rc == 0, err
    assert "holdout (recent)" not in out and "computed on all 4,000 leads" in out
    assert "Average score at conversion: not available" in out and "conversion date" in out


def test_the_models_outcome_is_the_default(capsys):
    """The sample model says converted (with converted_at): no --outcome needed, and the dates come along."""
    rc, out, err = run(capsys, "backtest", *BASE, "--bootstrap", "0")
    assert rc == 0, err
    assert "Outcome: column 'converted', 363 of 4,000 leads converted" in out
    assert "Average score at conversion: not available" not in out


def test_unknown_outcome_column(capsys):
    rc, out, err = run(capsys, "backtest", *BASE, "--outcome", "convertd")
    assert rc == 2 and "Traceback" not in err
    assert "no column 'convertd'" in err and "Did you mean 'converted'?" in err and "Columns in the file:" in err and "first_sales_contact_at" in err
    rc, out, err = run(capsys, "backtest", *BASE, "--outcome", "converted", "--converted-at", "industry")  # a column that holds no dates
    assert rc == 2 and "--converted-at: column 'industry' of leads.csv holds no dates" in err and "'Software'" in err
    rc, out, err = run(capsys, "backtest", *BASE, "--outcome", "converted", "--first-contact", "first_contact")
    assert rc == 2 and "--first-contact" in err and "Did you mean" in err


def test_outcome_not_recognisable(capsys):
    rc, out, err = run(capsys, "backtest", *BASE, "--outcome", "industry")
    assert rc == 2
    assert "does not look like an outcome" in err and "Software (872)" in err


def test_bad_arguments(capsys):
    assert main(["backtest", *BASE, "--outcome", "converted", "--holdout", "1"]) == 2
    assert main(["backtest", *BASE, "--outcome", "converted", "--recall", "0"]) == 2
    assert "must be" in capsys.readouterr().err


def test_crm_stage_outcome(tmp_path, capsys):
    leads = read_table(LEADS)
    stage = np.where(leads["converted"] == 1, "Closed Won", np.where(np.arange(len(leads)) % 3 == 0, "Closed Lost", "Negotiation"))
    leads["stage"] = stage
    p = tmp_path / "leads.csv"
    leads.to_csv(p, index=False)
    rc, out, err = run(capsys, "backtest", MODEL, str(p), "--activities", ACTS, "-q", "--outcome", "stage", "--bootstrap", "0")
    assert rc == 0, err
    assert "363 of 4,000 leads converted" in out


BANK_MODEL = """\
schema_version: 1
name: Bank term-deposit calls
lead_id: lead_id
attributes:
  - {name: age, type: number, kind: demographic}
  - {name: job, type: category, kind: demographic}
  - {name: contact, type: category, kind: behavioural}
  - {name: previous, type: number, kind: behavioural}
  - {name: poutcome, type: category, kind: behavioural}
rules:
  - id: job
    label: Job
    dimension: fit
    map: {attribute: job, values: {student: 15, retired: 15, admin.: 3, blue-collar: -5}}
  - id: age
    label: Age band
    dimension: fit
    map: {attribute: age, bins: [{to: 25, points: 10}, {from: 60, points: 15}]}
  - id: previous
    label: Contacted in earlier campaigns
    dimension: engagement
    map: {attribute: previous, bins: [{from: 1, to: 2, points: 8}, {from: 2, points: 15}]}
  - id: success
    label: Earlier campaign succeeded
    dimension: engagement
    when: {attribute: poutcome, op: equals, value: success}
    points: 30
  - id: cellular
    label: Reachable by mobile
    dimension: engagement
    when: {attribute: contact, op: equals, value: cellular}
    points: 6
thresholds: {mql: 30, sql: 50}
capacity: {sdrs: 2, leads_per_sdr_per_week: 100}
"""


def test_bank_marketing(tmp_path, capsys):
    if not BANK.exists():
        pytest.skip(f"real data not available: {BANK} is absent (it lives in ../shared/data beside the repo)")
    raw = read_table(BANK)
    raw.insert(0, "lead_id", np.arange(1, len(raw) + 1))
    leads = tmp_path / "bank.csv"  # the file has no id column: add one (a temporary copy, outside the repo)
    raw.to_csv(leads, index=False)
    model = tmp_path / "bank.yaml"
    model.write_text(BANK_MODEL)
    loads_model(BANK_MODEL, "bank.yaml")
    rc, out, err = run(capsys, "backtest", str(model), str(leads), "-q", "--outcome", "y", "--json")
    assert rc == 0, err
    doc = json.loads(out)
    y = (raw["y"].astype(str) == "yes").to_numpy()
    bt = doc["backtest"]
    assert bt["n"] == 41188 and bt["n_converted"] == int(y.sum()) == 4640
    assert doc["data"]["split"]["by"] == "row_order"  # no creation date: the file is in time order
    h = bt["parts"]["holdout"]
    assert h["n"] == round(41188 * 0.2) and h["n_converted"] == int(y[-h["n"]:].sum())
    assert 0.6 < bt["auc"] < 0.9 and h["auc_low"] < h["auc"] < h["auc_high"]
    items = {s["key"]: s for s in doc["suggestions"]["items"]}
    assert not items["capacity"]["available"] and "creation date" in items["capacity"]["note"]
    assert items["recall"]["available"] and items["f1"]["available"]
    # no rule depends on time, so the current score of converters is their score at conversion
    assert items["conversion"]["available"] and "no rule depends on time" in items["conversion"]["note"]
    rc, out, err = run(capsys, "backtest", str(model), str(leads), "-q", "--outcome", "y")
    assert rc == 0 and "Split by row order (no creation date)" in out
