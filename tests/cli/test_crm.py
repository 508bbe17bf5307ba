"""From a raw CRM export to scores and a backtest on the command line, with no hand edits (issue 10)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest


from .helpers import run


CRM = Path(__file__).resolve().parents[1] / "fixtures" / "crm"

# file, outcome arguments, the id column the scores are keyed by, the creation column the backtest splits by
SHAPES = {
    "hubspot": ("hubspot_contacts.csv", ["--outcome", "Lifecycle Stage", "--positive", "opportunity,customer"], "Record ID", "Create Date"),
    "hubspot-date": ("hubspot_contacts.csv", ["--outcome", "Became an Opportunity Date"], "Record ID", "Create Date"),
    "salesforce": ("salesforce_leads_report.csv", ["--outcome", "Converted"], "Lead ID", "Create Date"),
    "marketo": ("marketo_leads.xlsx", ["--outcome", "Person Status", "--positive", "Sales Accepted"], "Id", "Created At"),
    "european": ("eu_leads_semicolon.csv", ["--outcome", "Gewonnen"], "Kontakt-ID", "Erstellt am"),
    "web analytics": ("web_analytics_no_id.csv", ["--outcome", "Signed Up"], "row", "Session Start"),
}




@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_profile_fit_score_backtest(shape, tmp_path, capsys):
    name, outcome, id_col, created = shape
    f = CRM / name
    code, out, err = run(capsys, "profile", f, *outcome, "--new-model", tmp_path / "start.yaml")
    assert code == 0, err
    assert "Converted:" in out and "IV" in out and "Traceback" not in err
    code, out, err = run(capsys, "validate", tmp_path / "start.yaml")
    assert code == 0, err

    fitted = tmp_path / "fitted.yaml"
    code, out, err = run(capsys, "fit", f, *outcome, "--max-rules", "6", "-q", "-o", fitted)
    assert code == 0, err
    assert "holdout" in out.lower()

    scores = tmp_path / "scores.csv"
    code, out, err = run(capsys, "score", fitted, f, "-o", scores)
    assert code == 0, err
    got = pd.read_csv(scores, dtype={id_col: str})
    assert got.columns[0] == id_col and len(got) == 1000 and got[id_col].is_unique
    assert "cannot" not in err and "warning: 1,000" not in err

    # the backtest reads the outcome the fit stored in the model, and splits by the creation date
    code, out, err = run(capsys, "backtest", fitted, f, "--bootstrap", "0")
    assert code == 0, err
    assert f"creation date ('" in out and "row order" not in out
    assert "Outcome: column" in out


def test_profile_json_is_one_document(capsys):
    code, out, err = run(capsys, "profile", CRM / "salesforce_leads_report.csv", "--outcome", "Lead Status", "--positive", "Qualified", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["rows"] == 1000 and doc["lead_id"] == "Lead ID" and doc["created"] == "Create Date"
    cols = {c["column"]: c for c in doc["columns"]}
    assert cols["Converted"]["after_outcome"] and cols["Create Date"]["format"] == "M/D/Y"
    assert any("Grand Totals" in n for n in doc["notes"])
    assert doc["outcome"]["converted"] == 87


def test_profile_bad_outcome_is_exit_2(capsys):
    code, out, err = run(capsys, "profile", CRM / "hubspot_contacts.csv", "--outcome", "Lead Status")
    assert code == 2 and "--positive" in err and "Connected" in err


def test_score_says_when_the_data_has_no_dates(tmp_path, capsys):
    f = tmp_path / "nodates.csv"
    f.write_text("lead_id,industry\nL1,Software\nL2,Retail\n")
    m = tmp_path / "m.yaml"
    m.write_text("schema_version: 1\nname: x\nattributes: [{name: industry, type: category}]\n"
                 "rules: [{id: sw, label: Software, dimension: fit, when: {attribute: industry, op: equals, value: Software}, points: 10}]\n")
    code, _, err = run(capsys, "score", m, f, "-o", tmp_path / "s.csv")
    assert code == 0, err
    assert "today: the data holds no dates; give --as-of" in err and "the latest date in the data" not in err


@pytest.mark.parametrize("written", ["[US, GB, NO, DE]", "[US, GB, 'NO', DE]"])
def test_norway_is_not_false(written, tmp_path, capsys):
    """Issue 21: YAML 1.1 read NO as false, so a lead from Norway got no points for 'Country we sell in'."""
    from leaddesigner import paths

    src = (paths.samples_dir() / "enterprise_fit_first.yaml").read_text(encoding="utf-8")
    model = tmp_path / "m.yaml"
    model.write_text(src.replace("value: [US, GB, DE, CA, NL, AU]", f"value: {written}"), encoding="utf-8")
    code, out, err = run(capsys, "validate", model)
    assert code == 0 and "warning" not in err
    leads = pd.read_csv(paths.sample_leads(), dtype=str).head(200)
    leads["country"] = ["NO" if i % 2 else "US" for i in range(len(leads))]
    f = tmp_path / "leads.csv"
    leads.to_csv(f, index=False)
    code, out, err = run(capsys, "explain", model, f, "--lead", leads["lead_id"][1], "--allow-missing")
    assert code == 0, err
    assert "Country we sell in" in out  # the Norwegian lead gets the points


def test_yes_no_map_keys_and_zip_codes(tmp_path, capsys):
    model = tmp_path / "m.yaml"
    model.write_text(
        "schema_version: 1\nname: t\nlead_id: id\n"
        "attributes: [{name: optin, type: category}, {name: zip, type: category}, {name: slot, type: category}]\n"
        "rules:\n"
        "  - {id: o, label: Opted in, dimension: fit, map: {attribute: optin, values: {yes: 5, no: -5}}}\n"
        "  - {id: z, label: Zip, dimension: fit, when: {attribute: zip, op: in, value: [01234, 00501]}, points: 7}\n"
        "  - {id: s, label: Slot, dimension: fit, when: {attribute: slot, op: equals, value: 12:30}, points: 1}\n"
        "thresholds: {mql: 1}\n", encoding="utf-8")
    f = tmp_path / "l.csv"
    f.write_text("id,optin,zip,slot\na,yes,01234,12:30\nb,no,99999,13:00\n")
    out = tmp_path / "s.csv"
    code, _, err = run(capsys, "score", model, f, "-o", out)
    assert code == 0, err
    assert pd.read_csv(out)["score"].tolist() == [13.0, -5.0]


def test_score_warns_of_a_rule_whose_values_the_export_never_writes(tmp_path, capsys):
    """HubSpot writes ``United States``; the sample model lists ``US``: ``score`` says so instead of scoring 0 in silence."""
    import dataclasses

    from leaddesigner import paths
    from leaddesigner.core.model.io import load_model, save_model

    m = load_model(paths.samples_dir() / "enterprise_fit_first.yaml")
    m = dataclasses.replace(m, lead_id="Record ID", columns={"country": "Country/Region", "industry": "Industry",
                                                             "job_title": "Job Title", "created_at": "Create Date"})
    save_model(m, tmp_path / "m.yaml")
    code, _, err = run(capsys, "score", tmp_path / "m.yaml", CRM / "hubspot_contacts.csv", "--allow-missing",
                       "-o", tmp_path / "s.csv")
    assert code == 0, err
    line = next(ln for ln in err.splitlines() if "icp_country" in ln and "none of its values" in ln)
    assert line.startswith("warning: Rule “Country we sell in” (icp_country): none of its values (US, GB, DE, CA, NL, AU)")
    assert "United States (378)" in line and "lists codes and the file writes names" in line
