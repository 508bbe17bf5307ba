"""`leaddesigner score --accounts` and `leaddesigner export --to sql --accounts`: the core's roll-up, stated in
words, from the sample files and from a HubSpot export."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from leaddesigner.api import load_model, scorer
from leaddesigner.core.model.io import save_model
from leaddesigner.core.scoring.accounts import account_frame, roll_up

from .helpers import run

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "sample_models" / "enterprise_fit_first.yaml"
LEADS = ROOT / "sample_models" / "data" / "leads.csv"
EVENTS = ROOT / "sample_models" / "data" / "activities.csv"
HUBSPOT = ROOT / "tests" / "fixtures" / "crm" / "hubspot_contacts.csv"


def test_score_accounts_writes_the_core_frame_and_says_it(tmp_path, capsys):
    out = tmp_path / "accounts.csv"
    code, _, err = run(capsys, "score", MODEL, LEADS, "--activities", EVENTS, "--accounts", "-o", out)
    assert code == 0, err
    sc = scorer(MODEL, LEADS, EVENTS)
    res = roll_up(sc.model, sc.data, sc.full())
    want = account_frame(res)
    got = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert got["account"].tolist() == want["account"].tolist()
    assert got["score"].tolist() == want["score"].tolist() and got["status"].tolist() == want["status"].tolist()
    assert got["roles"].fillna("").tolist() == want["roles"].tolist()
    for line in res.lines():
        assert line in err
    assert "defaults used" not in err and "the sum of the 3 best contacts' scores" in err


def test_score_accounts_without_a_section_states_the_defaults(tmp_path, capsys):
    m = load_model(MODEL)
    m.accounts = None
    save_model(m, tmp_path / "m.yaml")
    code, _, err = run(capsys, "score", tmp_path / "m.yaml", LEADS, "--activities", EVENTS, "--accounts", "-o", tmp_path / "a.parquet")
    assert code == 0, err
    assert "The model has no accounts section; defaults used" in err
    assert "grouped by the domain of 'email' (free-mail domains are no account)" in err
    assert "MQA: account score at least 120." in err  # twice the MQL line of 60
    f = pd.read_parquet(tmp_path / "a.parquet")
    assert not f["account"].isin(["gmail.com", "outlook.com"]).any() and f["contacts"].max() > 10


def test_a_hubspot_export_rolls_up_by_its_email_column(tmp_path, capsys):
    fitted = tmp_path / "fitted.yaml"
    code, _, err = run(capsys, "fit", HUBSPOT, "--outcome", "Lifecycle Stage", "--positive", "opportunity,customer",
                       "--max-rules", "6", "-q", "-o", fitted)
    assert code == 0, err
    code, _, err = run(capsys, "score", fitted, HUBSPOT, "--accounts", "-o", tmp_path / "a.csv")
    assert code == 0, err
    f = pd.read_csv(tmp_path / "a.csv")
    assert len(f) > 100 and (f["contacts"] > 1).sum() > 50 and f["account"].str.contains("@").sum() == 0
    assert "free-mail" in err and f["score"].max() > 0


def test_export_account_sql_runs_in_duckdb(tmp_path, capsys):
    out = tmp_path / "accounts.sql"
    code, _, err = run(capsys, "export", MODEL, "--to", "sql", "--accounts", "--as-of", "2026-08-31", "-o", out)
    assert code == 0, err
    con = duckdb.connect()
    con.execute(f"CREATE TABLE leads AS SELECT * FROM read_csv_auto('{LEADS}')")
    con.execute(f"CREATE TABLE activities AS SELECT * FROM read_csv_auto('{EVENTS}')")
    got = con.execute(out.read_text()).df()
    sc = scorer(MODEL, LEADS, EVENTS, as_of="2026-08-31")
    want = roll_up(sc.model, sc.data, sc.full()).frame
    assert len(got) == len(want) and (got["status"] == "MQA").sum() == (want["status"] == "MQA").sum()


def test_account_options_in_the_wrong_place(tmp_path, capsys):
    code, _, err = run(capsys, "export", MODEL, "--to", "yaml", "--accounts")
    assert code == 2 and "--accounts only applies to --to sql" in err
    code, _, err = run(capsys, "score", MODEL, LEADS, "--accounts", "--engine", "duckdb", "-o", tmp_path / "a.csv")
    assert code == 2 and "--to sql --accounts" in err
    m = load_model(MODEL)
    m.accounts.key = "Company Name"
    save_model(m, tmp_path / "m.yaml")
    code, _, err = run(capsys, "score", tmp_path / "m.yaml", LEADS, "--activities", EVENTS, "--accounts", "-o", tmp_path / "a.csv")
    assert code == 2 and "'Company Name' named in the accounts section is not in the lead file" in err and "company" in err


def test_api_and_report_say_the_same(tmp_path, capsys):
    from leaddesigner import api

    f = api.accounts(MODEL, LEADS, EVENTS)
    sc = scorer(MODEL, LEADS, EVENTS)
    res = roll_up(sc.model, sc.data, sc.full())
    pd.testing.assert_frame_equal(f, account_frame(res))
    code, _, err = run(capsys, "report", MODEL, LEADS, "--activities", EVENTS, "-o", tmp_path / "r.html")
    assert code == 0, err
    html = (tmp_path / "r.html").read_text()
    assert "Accounts: the companies that buy" in html
    assert res.lines()[-1] in html.replace("&#x27;", "'")
    assert f["account"].iloc[0] in html


def test_a_file_without_email_says_what_to_set(tmp_path, capsys):
    f = ROOT / "tests" / "fixtures" / "crm" / "web_analytics_no_id.csv"
    m = tmp_path / "m.yaml"
    m.write_text("schema_version: 1\nname: web\nattributes: [{name: Country, type: category}]\n"
                 "rules: [{id: no, label: Norway, dimension: fit, when: {attribute: Country, op: equals, value: Norway}, points: 5}]\n")
    code, _, err = run(capsys, "score", m, f, "--accounts", "-o", tmp_path / "a.csv")
    assert code == 2
    assert "no column 'email'" in err and "accounts: key:" in err and "Session Start" in err
