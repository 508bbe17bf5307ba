"""``leaddesigner compare`` and ``leaddesigner report`` end to end on the sample data."""
from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from leaddesigner import paths
from leaddesigner.cli import main
from leaddesigner.core.scoring.engine import Scorer, bind
from leaddesigner.core.data.leadfile import read_table
from leaddesigner.core.model.io import load_model

SAMPLES = paths.samples_dir()
A = str(SAMPLES / "enterprise_fit_first.yaml")
B = str(SAMPLES / "smb_speed_to_lead.yaml")
LEADS = str(paths.sample_leads())
ACTS = str(paths.sample_activities())


def test_compare_json_matches_the_engine(capsys):
    code = main(["compare", A, B, LEADS, "--activities", ACTS, "--outcome", "converted", "--limit", "3", "--json", "-q"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    leads, acts = read_table(LEADS), read_table(ACTS)
    ma, mb = load_model(A), load_model(B)
    qa = Scorer(ma, bind(ma, leads, acts)).result.status >= 1
    qb = Scorer(mb, bind(mb, leads, acts)).result.status >= 1
    counts = d["agreement"]["counts"]
    assert counts == {"both": int((qa & qb).sum()), "only_a": int((qa & ~qb).sum()),
                      "only_b": int((~qa & qb).sum()), "neither": int((~qa & ~qb).sum())}
    assert sum(counts.values()) == 4000
    assert len(d["only_a"]["leads"]) == 3 and d["only_a"]["total"] == counts["only_a"]
    for lead in d["only_a"]["leads"]:
        assert lead["status_a"] in ("MQL", "SQL") and lead["status_b"] == "lead"
        assert lead["reasons"]
    assert 0.5 < d["metrics"]["a"]["auc"] < 1
    assert d["outcome"] == "converted"


def test_compare_text(capsys):
    code = main(["compare", A, B, LEADS, "--activities", ACTS, "--limit", "2", "-q"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Agreement" in out and "Only A hands to sales" in out and "Only B hands to sales" in out
    assert "ROC AUC" in out  # no --outcome: the model's own outcome (converted) is read


def test_compare_without_any_outcome(capsys, tmp_path):
    from leaddesigner.core.model.io import load_model, save_model

    paths_ = []
    for src in (A, B):
        m = load_model(src)
        m.outcome = None
        paths_.append(tmp_path / Path(src).name)
        save_model(m, paths_[-1])
    code = main(["compare", str(paths_[0]), str(paths_[1]), LEADS, "--activities", ACTS, "--limit", "2", "-q"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "ROC AUC" not in out and "Agreement" in out


def test_compare_bad_outcome_is_exit_2(capsys):
    code = main(["compare", A, B, LEADS, "--activities", ACTS, "--outcome", "convertd", "-q"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "convertd" in err and "converted" in err and "Traceback" not in err


def test_compare_needs_the_activity_log(capsys):
    code = main(["compare", A, B, LEADS, "-q"])
    _, err = capsys.readouterr()
    assert code == 2 and "--activities" in err


def test_report_end_to_end(tmp_path, capsys):
    out = tmp_path / "report.html"
    code = main([
        "report", A, LEADS, "--activities", ACTS, "--outcome", "converted", "--converted-at", "converted_at",
        "--bootstrap", "50", "-o", str(out),
    ])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert "Wrote" in err
    html = out.read_text(encoding="utf-8")
    root = ET.fromstring(html.split("\n", 1)[1])
    assert len(root.findall(".//{http://www.w3.org/2000/svg}svg")) == 5
    assert "Score at the moment of conversion" in html
    for r in load_model(A).rules:
        assert r.label in "".join(root.itertext())


@pytest.mark.parametrize(
    "extra, needle",
    [
        (["--outcome", "nope"], "no column 'nope'"),
        (["--outcome", "industry"], "does not look like an outcome"),
        (["--converted-at", "converted_at"], "need --outcome"),
        (["--outcome", "converted", "--converted-at", "converted_att"], "no column 'converted_att'"),
    ],
)
def test_report_bad_input_is_exit_2(tmp_path, capsys, extra, needle):
    model = A
    if needle == "need --outcome":  # a model that does not say what converted means
        from leaddesigner.core.model.io import load_model, save_model

        m = load_model(A)
        m.outcome = None
        model = str(tmp_path / "no_outcome.yaml")
        save_model(m, model)
    code = main(["report", model, LEADS, "--activities", ACTS, "-q", "-o", str(tmp_path / "r.html")] + extra)
    _, err = capsys.readouterr()
    assert code == 2, err
    assert needle in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_report_into_missing_folder_is_exit_2(tmp_path, capsys):
    code = main(["report", A, LEADS, "--activities", ACTS, "-o", str(tmp_path / "no" / "r.html")])
    _, err = capsys.readouterr()
    assert code == 2 and "does not exist" in err


def test_commands_are_listed_in_help():
    r = subprocess.run([sys.executable, "-m", "leaddesigner", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0
    assert "compare" in r.stdout and "report" in r.stdout
    r = subprocess.run([sys.executable, "-m", "leaddesigner", "report", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "--converted-at" in r.stdout
    assert "--outcome" in r.stdout and "--output" in r.stdout
