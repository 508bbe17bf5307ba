"""``leaddesigner diff``: text and JSON output, impact on leads, exit codes as diff(1)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from leaddesigner import paths
from leaddesigner.core.analysis.impact import impact_of_scores
from leaddesigner.core.model.io import load_model, save_model

from .helpers import run

MODEL = paths.default_model()
LEADS = paths.sample_leads()
ACTS = paths.sample_activities()




@pytest.fixture
def pair(tmp_path) -> tuple[Path, Path]:
    """The sample model and a copy with a lower MQL bar, a re-weighted rule and a changelog entry."""
    from leaddesigner.core.model.types import ChangelogEntry

    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    m = load_model(MODEL)
    save_model(m, old)
    m.thresholds.mql -= 10
    r = next(r for r in m.rules if r.kind == "condition")
    r.points += 5
    m.changelog.append(ChangelogEntry("2026-11-22", "Ann", "Lower MQL bar for Q4"))
    save_model(m, new)
    return old, new


def test_identical_models_exit_0(capsys, tmp_path):
    copy = tmp_path / "same.json"
    save_model(load_model(MODEL), copy)  # YAML vs JSON of the same model: no differences
    code, out, err = run(capsys, "diff", MODEL, copy)
    assert code == 0, err
    assert "no differences" in out and err == ""


def test_different_models_exit_1_with_the_changes(capsys, pair):
    old, new = pair
    code, out, err = run(capsys, "diff", old, new)
    assert code == 1, err
    lines = out.splitlines()
    assert lines[0] == f"--- {old}" and lines[1] == f"+++ {new}"
    assert "3 changes" in lines[2]
    assert "Thresholds:" in out and "  ~ MQL threshold 55 -> 45" in out
    assert "Rules:" in out and ": points -" in out
    assert "Changelog:\n  + Entry added: 2026-11-22 Ann: 'Lower MQL bar for Q4'" in out


def test_json_output(capsys, pair):
    old, new = pair
    code, out, _ = run(capsys, "diff", old, new, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["identical"] is False and data["impact"] is None
    assert [c["section"] for c in data["changes"]] == ["rules", "thresholds", "changelog"]
    assert data["changes"][1] == {"section": "thresholds", "kind": "changed", "key": "mql",
                                  "text": "MQL threshold 55 -> 45", "old": 55.0, "new": 45.0}


def test_with_leads_shows_mqls_gained_and_lost(capsys, pair):
    from leaddesigner.api import scorer

    old, new = pair
    code, out, err = run(capsys, "diff", old, new, "--leads", LEADS, "--activities", ACTS, "--as-of", "2026-08-31",
                         "--limit", "3", "--json", "-q")
    assert code == 1, err
    imp = json.loads(out)["impact"]
    want = impact_of_scores(scorer(old, LEADS, ACTS, as_of="2026-08-31"), scorer(new, LEADS, ACTS, as_of="2026-08-31"), 3)
    assert imp == json.loads(json.dumps(want.to_dict()))
    assert imp["mql_gained"] > 0 and imp["mql_lost"] == 0
    assert imp["new_counts"]["MQL"] + imp["new_counts"]["SQL"] - imp["old_counts"]["MQL"] - imp["old_counts"]["SQL"] == imp["mql_gained"]
    assert len(imp["examples"]["mql_gained"]) == 3
    assert imp["new_mqls_per_week"] > imp["old_mqls_per_week"]
    # the same in words
    code, out, err = run(capsys, "diff", old, new, "--leads", LEADS, "--activities", ACTS, "--as-of", "2026-08-31", "--limit", "2")
    assert code == 1
    assert "Impact on 4,000 leads (scored as of the end of 2026-08-31):" in out
    assert f"{imp['mql_gained']:,} gained, 0 lost" in out
    first = imp["examples"]["mql_gained"][0]
    assert f"Now MQL or better ({imp['mql_gained']:,}, first 2):\n  {first['lead_id']}: " in out
    assert "MQLs per week:" in out


def test_missing_activity_log_is_an_error_unless_allowed(capsys, pair):
    old, new = pair
    code, _, err = run(capsys, "diff", old, new, "--leads", LEADS)
    assert code == 2
    assert err.startswith(f"error: {old}: leads.csv cannot be scored") and "--allow-missing" in err and "--activities" in err
    code, out, err = run(capsys, "diff", old, new, "--leads", LEADS, "--allow-missing", "-q")
    assert code == 1
    assert err.count("warning:") == 1 and "activity rules" in err  # the same problem is reported once
    assert "Impact on 4,000 leads" in out


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--activities", "x.csv"], "--activities needs --leads"),
        (["--as-of", "2026-01-01"], "--as-of needs --leads"),
        (["--leads", "nope.csv"], "no such file"),
    ],
)
def test_bad_arguments_exit_2(capsys, pair, extra, message):
    old, new = pair
    code, _, err = run(capsys, "diff", old, new, *extra)
    assert code == 2 and message in err


def test_bad_models_exit_2(capsys, pair, tmp_path):
    old, _ = pair
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nname: x\nrules:\n  - {id: a, dimension: fit, points: 1, when: {attribute: nope, op: gte, value: 1}}\n")
    code, _, err = run(capsys, "diff", old, bad)
    assert code == 2 and "bad.yaml:4" in err and "'nope' is not a declared attribute" in err
    code, _, err = run(capsys, "diff", old, tmp_path / "missing.yaml")
    assert code == 2 and "no such file" in err


def test_a_bug_exits_2_not_1(capsys, pair, monkeypatch):
    import leaddesigner.core.model.diff as D

    def boom(*a, **k):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(D, "diff_models", boom)
    code, _, err = run(capsys, "diff", *pair)
    assert code == 2 and "unexpected error ZeroDivisionError" in err


def test_help_documents_the_exit_status(capsys):
    code, out, _ = run(capsys, "diff", "--help")
    assert code == 0
    assert "exit status (as diff(1)):" in out and "0  the models are the same" in out and "1  the models differ" in out
    code, out, _ = run(capsys, "--help")
    assert "diff" in out


def test_real_process_exit_codes(pair):
    old, new = pair
    same = subprocess.run([sys.executable, "-m", "leaddesigner", "diff", str(old), str(old)], capture_output=True, text=True, timeout=120)
    differ = subprocess.run([sys.executable, "-m", "leaddesigner", "diff", str(old), str(new)], capture_output=True, text=True, timeout=120)
    assert (same.returncode, differ.returncode) == (0, 1), same.stderr + differ.stderr
    assert "MQL threshold" in differ.stdout
