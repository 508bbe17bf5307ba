"""``leaddesigner simulate`` end to end on the sample data."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from .helpers import run


REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "sample_models" / "smb_speed_to_lead.yaml"
LEADS = REPO / "sample_models" / "data" / "leads.csv"
ACTS = REPO / "sample_models" / "data" / "activities.csv"

pytestmark = pytest.mark.skipif(not (LEADS.exists() and ACTS.exists()), reason="sample data not generated (sample_models/data)")


def test_simulate_prints_weekly_table_and_sla_summary(tmp_path, capsys):
    out = tmp_path / "weekly.csv"
    code, text, _ = run(capsys, "simulate", MODEL, LEADS, "--activities", ACTS, "--from", "2026-06-01", "--to", "2026-06-28",
                        "-o", out, "-q")
    assert code == 0
    assert "MQL arrivals and the SDR queue, 2026-06-01 to 2026-06-28" in text
    assert text.count("\n2026-06-") == 4  # four Monday weeks
    assert "SLA 2 h:" in text and "re-MQL" in text and "Smallest team meeting the SLA target" in text
    assert "Lowest MQL threshold" in text
    w = pd.read_csv(out)
    assert w["week"].tolist() == ["2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22"]
    assert {"new", "re_mql", "arriving", "capacity", "worked", "backlog", "median_hours", "p90_hours", "sla_share", "sqls", "recycled"} <= set(w.columns)
    assert (w["capacity"] == 20).all()  # 1 SDR x 20 a week
    assert w["re_mql"].sum() > 0  # the sample model recycles after 14 days without a response


def test_simulate_overrides_and_json(capsys):
    code, out, _ = run(capsys, "simulate", MODEL, LEADS, "--activities", ACTS, "--from", "2026-06-01", "--to", "2026-06-14",
                       "--sdrs", "4", "--sla-hours", "48", "--no-suggest", "--json", "-q")
    assert code == 0
    doc = json.loads(out)
    s = doc["summary"]
    assert s["sdrs"] == 4 and s["sla_hours"] == 48 and s["capacity_per_week"] == 80
    assert "suggested_sdrs" not in s
    assert [w["week"] for w in doc["weekly"]] == ["2026-06-01", "2026-06-08"]
    assert sum(w["arriving"] for w in doc["weekly"]) == s["arrivals"]


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--from", "2026-06-10", "--to", "2026-06-01"], "is after --to"),
        (["-o", "weekly.txt"], "cannot write '.txt'"),
        (["--from", "June"], "is not a date"),
        (["--sla-hours", "0"], "more than 0 hours"),
    ],
)
def test_simulate_bad_input_exits_2(capsys, extra, message):
    code, _, err = run(capsys, "simulate", MODEL, LEADS, "--activities", ACTS, "-q", *extra)
    assert code == 2 and message in err


def test_simulate_missing_activity_log_is_an_error(capsys):
    code, _, err = run(capsys, "simulate", MODEL, LEADS, "-q")
    assert code == 2 and "--activities" in err


def test_simulate_help_lists_the_queue_model(capsys):
    code, out, _ = run(capsys, "simulate", "--help")
    assert code == 0
    assert "--from DATE" in out and "--sdrs N" in out and "routing" in out
