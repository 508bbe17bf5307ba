"""``leaddesigner fit``: writes a model that validates and scores through the CLI; bad input exits 2."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaddesigner.cli import main
from leaddesigner.core.analysis.fit import fit_points
from leaddesigner.core.data.leadfile import read_table
from leaddesigner.core.model.io import dumps_model, load_model
from leaddesigner.core.scoring.summary import parse_outcome

from .helpers import run

REPO = Path(__file__).resolve().parents[2]
LEADS = REPO / "sample_models" / "data" / "leads.csv"
ACTS = REPO / "sample_models" / "data" / "activities.csv"




@pytest.fixture(scope="module")
def fitted_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("fit") / "fitted.yaml"
    code = main(["fit", str(LEADS), "--outcome", "converted", "--activities", str(ACTS), "-q", "-o", str(out)])
    assert code == 0
    return out


def test_fit_writes_a_model_that_validates_and_scores(fitted_file, tmp_path, capsys):
    code, out, err = run(capsys, "validate", fitted_file)
    assert code == 0, err
    assert "valid" in out
    scores = tmp_path / "scores.csv"
    code, out, err = run(
        capsys, "score", fitted_file, LEADS, "--activities", ACTS, "--horizon-days", "14", "-q", "-o", scores
    )
    assert code == 0, err
    got = pd.read_csv(scores)
    leads = read_table(LEADS)
    res = fit_points(leads, parse_outcome(leads["converted"]), activities=read_table(ACTS), outcome_column="converted")
    # the CLI's model is the in-process fit (plus the outcome it learned from), and scoring it reproduces the fitted scores
    written = load_model(fitted_file)
    assert written.outcome is not None and written.outcome.column == "converted"
    written.outcome = None
    assert dumps_model(written) == dumps_model(res.model)
    assert np.array_equal(got["score"].to_numpy(), res.scores)
    assert set(got["status"]) == {"lead", "MQL", "SQL"}


def test_fit_prints_auc_and_rules(tmp_path, capsys):
    out_path = tmp_path / "m.yaml"
    code, out, err = run(capsys, "fit", LEADS, "--outcome", "converted", "--max-rules", "4", "--exclude", "intent_score", "-o", out_path)
    assert code == 0, err
    assert "Holdout AUC: points model" in out and "logistic regression" in out
    m = load_model(out_path)
    assert 1 <= len(m.rules) <= 4
    for r in m.rules:
        assert r.label in out
    assert "intent_score" not in {a.name for a in m.attributes}
    assert f"Wrote {out_path}" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--outcome", "convertd"], "no column 'convertd'"),
        (["--outcome", "industry"], "does not look like an outcome"),
        (["--outcome", "converted", "--exclude", "nope"], "--exclude nope"),
        (["--outcome", "converted", "--created", "nope"], "--created nope"),
    ],
)
def test_bad_input_exit_2(tmp_path, capsys, argv, message):
    out_path = tmp_path / "m.yaml"
    code, out, err = run(capsys, "fit", LEADS, *argv, "-o", out_path)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not out_path.exists()


def test_single_class_and_tiny_files_exit_2_and_keep_old_model(tmp_path, capsys):
    leads = read_table(LEADS).head(500).copy()
    leads["converted"] = 0
    p = tmp_path / "one_class.csv"
    leads.to_csv(p, index=False)
    out_path = tmp_path / "m.yaml"
    out_path.write_text("old model\n")
    code, out, err = run(capsys, "fit", p, "--outcome", "converted", "-o", out_path)
    assert code == 2 and "same outcome" in err and "Traceback" not in err
    assert out_path.read_text() == "old model\n"  # nothing half-written
    tiny = tmp_path / "tiny.csv"
    read_table(LEADS).head(30).to_csv(tiny, index=False)
    code, out, err = run(capsys, "fit", tiny, "--outcome", "converted", "-o", out_path)
    assert code == 2 and "too little history" in err


@pytest.mark.parametrize("name", ["model.txt", "model"])
def test_bad_output_extension(tmp_path, capsys, name):
    code, out, err = run(capsys, "fit", LEADS, "--outcome", "converted", "-o", tmp_path / name)
    assert code == 2 and ".yaml" in err


def test_missing_files(tmp_path, capsys):
    code, out, err = run(capsys, "fit", tmp_path / "nope.csv", "--outcome", "converted", "-o", tmp_path / "m.yaml")
    assert code == 2 and "nope.csv" in err
    code, out, err = run(capsys, "fit", LEADS, "--outcome", "converted", "--activities", tmp_path / "x.csv", "-o", tmp_path / "m.yaml")
    assert code == 2 and "x.csv" in err
    code, out, err = run(capsys, "fit", LEADS, "--outcome", "converted", "-o", tmp_path / "no_dir" / "m.yaml")
    assert code == 2 and "does not exist" in err


def test_bad_holdout_is_a_usage_error(tmp_path, capsys):
    code, out, err = run(capsys, "fit", LEADS, "--outcome", "converted", "--holdout", "1.5", "-o", tmp_path / "m.yaml")
    assert code == 2 and "between 0 and 0.9" in err
