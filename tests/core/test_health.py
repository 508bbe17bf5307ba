"""Health over time: PSI by hand, per-period figures and flags on a constructed example, the CLI prints the core."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from leaddesigner.api import scorer
from leaddesigner.cli import main
from leaddesigner.core.analysis.health import health, psi
from leaddesigner.core.model.io import save_model
from leaddesigner.core.model.types import Attribute, Leaf, Rule, ScoringModel, Thresholds


def test_psi_by_hand():
    e = np.arange(100, dtype=float)  # deciles cut at 9.9, 19.8, ...: ten bands of 10%
    assert psi(e, e) == pytest.approx(0.0)
    a = np.zeros(50)  # everything in the first band
    pa, pe = np.array([1.0] + [1e-4] * 9), np.full(10, 0.1)
    assert psi(e, a) == pytest.approx(float(np.sum((pa - pe) * np.log(pa / pe))))
    assert math.isnan(psi(e, np.array([])))


def _model_and_leads():
    """March: 100 leads, 10 from Software (+60, MQL at 50); April: 100 leads, 50 from Software."""
    m = ScoringModel(name="h", lead_id="id", created_at="created")
    m.attributes = [Attribute("industry", "category", "firmographic"), Attribute("created", "date", "other")]
    m.rules = [Rule("sw", "Software company", "fit", 60, when=Leaf("industry", "equals", "Software"))]
    m.thresholds = Thresholds(mql=50)
    rows = []
    for month, n_sw in (("2026-03", 10), ("2026-04", 50)):
        for i in range(100):
            rows.append({"id": f"{month}-{i}", "created": f"{month}-{1 + i % 28:02d}",
                         "industry": "Software" if i < n_sw else "Retail",
                         "converted": int(i < n_sw // 2 or i == 99)})
    return m, pd.DataFrame(rows)


def test_periods_flags_by_hand():
    m, leads = _model_and_leads()
    sc = scorer(m, leads.drop(columns=["converted"]))
    y = leads["converted"].to_numpy().astype(bool)
    h = health(sc, y)
    march, april = h.periods
    assert (march.period, march.leads, march.mqls) == ("2026-03", 100, 10)
    assert (april.period, april.leads, april.mqls) == ("2026-04", 100, 50)
    assert march.psi == 0.0 and april.psi == pytest.approx(psi(sc.result.score[:100], sc.result.score[100:]))
    # March: 5 of 10 MQLs converted, 1 of 90 others; April: 25 of 50, 1 of 50
    assert march.mql_conversion == 0.5 and march.other_conversion == pytest.approx(1 / 90)
    assert april.mql_conversion == 0.5 and april.other_conversion == pytest.approx(1 / 50)
    text = "\n".join(h.flags)
    assert "Scores shifted a lot from 2026-03 to 2026-04" in text
    assert "The MQL rate moved from 10.0% (2026-03) to 50.0% (2026-04)" in text
    assert "'Software company' gave points to 10% of the leads of 2026-03 and 50% of 2026-04" in text
    assert [r.rule_id for r in h.rules] == ["sw"]


def test_cli_prints_the_core_lines(capsys, tmp_path):
    m, leads = _model_and_leads()
    save_model(m, tmp_path / "m.yaml")
    leads.to_csv(tmp_path / "leads.csv", index=False)
    assert main(["health", str(tmp_path / "m.yaml"), str(tmp_path / "leads.csv"), "--outcome", "converted", "-q"]) == 0
    out = capsys.readouterr().out
    sc = scorer(m, leads.drop(columns=["converted"]), horizon_days=30)
    h = health(sc, leads["converted"].to_numpy().astype(bool))
    for line in h.lines():
        if not line.startswith("Inflation"):
            assert line in out
    assert main(["health", str(tmp_path / "m.yaml"), str(tmp_path / "leads.csv"), "--json", "-q"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [p["leads"] for p in doc["periods"]] == [100, 100] and doc["rules"][0]["rule"] == "sw"


def test_health_needs_creation_dates(capsys, tmp_path):
    m, leads = _model_and_leads()
    m.created_at = None
    m.attributes = [a for a in m.attributes if a.name != "created"]
    save_model(m, tmp_path / "m.yaml")
    leads.drop(columns=["created"]).to_csv(tmp_path / "leads.csv", index=False)
    assert main(["health", str(tmp_path / "m.yaml"), str(tmp_path / "leads.csv"), "-q"]) == 2
    assert "needs the leads' creation date" in capsys.readouterr().err


def test_no_inflation_line_when_no_rule_changes_with_time():
    """A model of lead attributes only (a Salesforce report, no activity log) scores the same at any moment."""
    m, leads = _model_and_leads()
    sc = scorer(m, leads.drop(columns=["converted"]), horizon_days=30)
    h = health(sc)
    assert h.inflation is None and not any(line.startswith("Inflation") for line in h.lines())


def test_days_to_mql_and_the_sales_cycle_by_hand():
    """Fit 30 + 10 per event, MQL at 50, each lead scored 30 days after creation (2026-03-01 00:00).
    A: fit, events on days 2.5 and 5.5 -> an MQL from day 6; converted on day 19 -> 13 days MQL to won.
    B: fit, events on days 0.5 and 1.5 -> an MQL from day 2; converted on day 3 -> 1 day.
    C: no fit, one event: never an MQL."""
    from leaddesigner.core.analysis.health import days_to_mql
    from leaddesigner.core.model.types import ActivityColumns, ActivitySpec

    m = ScoringModel(name="cycle", lead_id="id", created_at="created")
    m.attributes = [Attribute("created", "date"), Attribute("fit", "boolean")]
    m.rules = [Rule("fit", "Fit", "fit", 30, when=Leaf("fit", "equals", True)),
               Rule("ev", "Any event", "engagement", 10, activity=ActivitySpec())]
    m.thresholds = Thresholds(mql=50)
    m.activities = ActivityColumns(detail=None)
    leads = pd.DataFrame({"id": ["A", "B", "C"], "created": ["2026-03-01"] * 3, "fit": [True, True, False]})
    t0 = pd.Timestamp("2026-03-01")
    acts = pd.DataFrame({"lead_id": ["A", "A", "B", "B", "C"],
                         "timestamp": [t0 + pd.Timedelta(days=d) for d in (2.5, 5.5, 0.5, 1.5, 1.0)], "type": ["x"] * 5})
    sc = scorer(m, leads, acts, horizon_days=30, as_of="2026-05-01")
    assert sc.result.status.tolist() == [1, 1, 0]
    days = days_to_mql(sc, np.array([0, 1]))
    assert days[:2].tolist() == [6, 2] and math.isnan(days[2])
    conv_at = pd.to_datetime([t0 + pd.Timedelta(days=19), t0 + pd.Timedelta(days=3), None]).to_numpy(dtype="datetime64[ns]")
    h = health(sc, np.array([True, True, False]), converted_at=conv_at, min_leads=1)
    (march,) = h.periods
    assert march.days_to_mql == 4 and march.days_mql_to_convert == 7  # medians of (6, 2) and (13, 1)
    assert "to MQL" in h.lines()[0] and "MQL to won" in h.lines()[0]
