"""The command line: every subcommand in-process (``main([...])``), plus real subprocess runs.

No Qt here: the ``gui`` command is tested with a stand-in ``leaddesigner.gui.app``.
Exit codes are checked exactly: 0 ok, 2 bad input, 1 would be a bug.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from leaddesigner import paths
from leaddesigner.cli import commands as cli
from leaddesigner.cli import common as cli_common
from leaddesigner.core.model import types as M
from leaddesigner.core.model.io import load_model, loads_model
from leaddesigner.core.scoring.explain import close_ids

from .helpers import run

REPO = Path(__file__).resolve().parents[2]

MODEL = """\
schema_version: 1
name: Tiny test model
lead_id: lead_id
created_at: created
columns: {company_size: employees}
attributes:
  - {name: company_size, type: number, kind: firmographic}
  - {name: industry, type: category, kind: firmographic}
  - {name: created, type: date, kind: system}
  - {name: title, type: text, kind: demographic}
activities: {lead_id: lead_id, timestamp: timestamp, type: type, detail: url}
products: [crm, ads]
rules:
  - id: big
    label: Big company
    dimension: fit
    when: {attribute: company_size, op: gte, value: 100}
    points: 30
    product: crm
  - id: industry
    label: Industry
    dimension: fit
    map: {attribute: industry, values: {Software: 20, Retail: -5}}
  - id: visits
    label: Page visits
    dimension: engagement
    activity: {where: {attribute: type, op: equals, value: visit}, within_days: 30, max_points: 40}
    points: 10
    product: ads
thresholds: {mql: 40, sql: 70}
grades:
  fit: {A: 40, B: 20, C: null}
  engagement: {"1": 30, "2": null}
"""

LEADS = """\
lead_id,employees,industry,created,title,converted
L0001,500,Software,2026-01-05,CTO,yes
L0002,20,Retail,2026-01-06,Intern,no
L0003,70,Software,2026-01-12,VP Sales,no
L0004,150,Finance,2026-01-13,CEO,yes
"""

ACTIVITIES = """\
lead_id,timestamp,type,url
L0001,2026-01-10 09:00:00,visit,/pricing
L0001,2026-01-11 10:00:00,visit,/docs
L0004,2026-01-14 11:00:00,visit,/pricing
L0009,2026-01-14 12:00:00,visit,/careers
"""

# score, fit, engagement, grade, status, product_crm, product_ads of each lead (as of the default date)
EXPECTED = {
    "L0001": (70.0, 50.0, 20.0, "A2", "SQL", 30.0, 20.0),
    "L0002": (-5.0, -5.0, 0.0, "C2", "lead", 0.0, 0.0),
    "L0003": (20.0, 20.0, 0.0, "B2", "lead", 0.0, 0.0),
    "L0004": (40.0, 30.0, 10.0, "B2", "MQL", 30.0, 10.0),
}
COLUMNS = ["lead_id", "score", "fit_score", "engagement_score", "grade", "status", "product_crm", "product_ads"]


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A tiny model, leads and activity log in tmp_path (also the working directory)."""
    (tmp_path / "model.yaml").write_text(MODEL)
    (tmp_path / "leads.csv").write_text(LEADS)
    (tmp_path / "activities.csv").write_text(ACTIVITIES)
    monkeypatch.chdir(tmp_path)
    return tmp_path




def score_args(*extra):
    return ["score", "model.yaml", "leads.csv", "--activities", "activities.csv", *extra]


def check_scores(df: pd.DataFrame) -> None:
    assert list(df.columns) == COLUMNS
    assert list(df["lead_id"].astype(str)) == list(EXPECTED)
    for _, row in df.iterrows():
        exp = EXPECTED[str(row["lead_id"])]
        got = (row["score"], row["fit_score"], row["engagement_score"], row["grade"], row["status"], row["product_crm"], row["product_ads"])
        assert tuple(got) == exp, (row["lead_id"], got, exp)


# ---------------------------------------------------------------- general
def test_version(capsys):
    import leaddesigner

    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"leaddesigner {leaddesigner.__version__}"


@pytest.mark.parametrize("command", [[], ["validate"], ["score"], ["explain"], ["summary"], ["generate"], ["export"], ["gui"]])
def test_help_has_examples(capsys, command):
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    assert "examples:" in out
    assert "usage: leaddesigner" in out


def test_usage_error_is_exit_2(capsys):
    code, _, err = run(capsys, "score", "model.yaml")
    assert code == 2
    assert "required" in err
    code, _, err = run(capsys, "frobnicate")
    assert code == 2
    assert "invalid choice" in err


# ---------------------------------------------------------------- validate
def test_validate_ok(files, capsys):
    code, out, err = run(capsys, "validate", "model.yaml")
    assert code == 0
    assert out == "model.yaml: valid (3 rules, 4 attributes)\n"
    assert err == ""


BAD_MODEL = """\
schema_version: 1
name: Bad
attributes:
  - {name: company_size, type: number}
rules:
  - id: big
    label: Big
    dimension: fit
    pionts: 10
    when: {attribute: company_sise, op: gte, value: 100}
"""


def test_validate_reports_every_problem_with_line_and_hint(files, capsys):
    (files / "bad.yaml").write_text(BAD_MODEL)
    code, out, err = run(capsys, "validate", "bad.yaml")
    assert code == 2
    assert out == ""
    assert "bad.yaml has 3 problems:" in err
    assert "bad.yaml:9: rules[0].pionts: unknown key 'pionts'. Did you mean 'points'?" in err
    assert "bad.yaml:10: rules[0].when.attribute: 'company_sise' is not a declared attribute. Did you mean 'company_size'?" in err
    assert "bad.yaml:6: rules[0]: missing required key 'points'" in err


def test_validate_several_files(files, capsys):
    (files / "bad.yaml").write_text(BAD_MODEL)
    code, out, err = run(capsys, "validate", "model.yaml", "bad.yaml", "nope.yaml")
    assert code == 2
    assert "model.yaml: valid" in out
    assert "bad.yaml has 3 problems" in err
    assert 'Cannot open model "nope.yaml": there is no such file' in err


def test_validate_invalid_yaml_syntax(files, capsys):
    (files / "broken.yaml").write_text("schema_version: 1\nname: x\nrules:\n  - id: a\n\tlabel: b\n")
    code, _, err = run(capsys, "validate", "broken.yaml")
    assert code == 2
    assert "broken.yaml:" in err and "not valid YAML" in err


# ---------------------------------------------------------------- score
def test_score_csv(files, capsys):
    code, out, err = run(capsys, *score_args("-o", "scores.csv"))
    assert code == 0
    assert out == ""
    df = pd.read_csv(files / "scores.csv", dtype={"lead_id": str})
    check_scores(df)
    # one result line on stderr: counts, as-of date, where it went
    last = err.strip().splitlines()[-1]
    assert last.startswith("Scored 4 leads: 1 SQL, 1 MQL, 2 below MQL; as of end of 2026-01-14 (the latest date in the data);")
    assert last.endswith("wrote scores.csv")
    # the event of an unknown lead is a warning with its line
    assert "warning: 1 event in activities.csv belongs to lead ids that are not in the lead file" in err
    assert "activities.csv line 5, column lead_id: lead id 'L0009' is not in the lead file" in err
    assert [p.name for p in files.iterdir() if p.name.startswith(".")] == []  # no temp file left


@pytest.mark.parametrize("ext", ["xlsx", "parquet"])
def test_score_xlsx_and_parquet(files, capsys, ext):
    code, _, _ = run(capsys, *score_args("-o", f"scores.{ext}"))
    assert code == 0
    df = pd.read_excel(files / "scores.xlsx", dtype={"lead_id": str}) if ext == "xlsx" else pd.read_parquet(files / "scores.parquet")
    for c in ("grade", "status"):
        df[c] = df[c].astype(str)
    check_scores(df)
    assert [p.name for p in files.iterdir() if p.name.startswith(".")] == []


def test_score_replaces_existing_output(files, capsys):
    (files / "scores.csv").write_text("old content\n")
    code, _, _ = run(capsys, *score_args("-o", "scores.csv", "-q"))
    assert code == 0
    assert (files / "scores.csv").read_text().startswith("lead_id,score,")


def test_score_quiet(files, capsys):
    code, out, err = run(capsys, *score_args("-o", "scores.csv", "--quiet"))
    assert code == 0
    assert "Scored" not in err
    assert "warning:" in err  # warnings still show


@pytest.mark.parametrize("name", ["scores.txt", "scores", "scores.json"])
def test_score_unsupported_output_extension(files, capsys, name):
    code, _, err = run(capsys, *score_args("-o", name))
    assert code == 2
    assert ".csv, .xlsx, .parquet" in err
    assert not (files / name).exists()


def test_score_output_folder_missing(files, capsys):
    code, _, err = run(capsys, *score_args("-o", "nowhere/scores.csv"))
    assert code == 2
    assert 'the folder "nowhere" does not exist' in err


def test_score_as_of(files, capsys):
    code, _, err = run(capsys, *score_args("-o", "scores.csv", "--as-of", "2026-03-31"))
    assert code == 0
    df = pd.read_csv(files / "scores.csv", dtype={"lead_id": str})
    assert df["engagement_score"].tolist() == [0.0, 0.0, 0.0, 0.0]  # visits are older than 30 days now
    assert "as of end of 2026-03-31 (--as-of)" in err


def test_score_type_problems_are_warnings_with_examples(files, capsys):
    (files / "leads.csv").write_text(LEADS.replace("L0003,70,", "L0003,abc,"))
    code, _, err = run(capsys, *score_args("-o", "scores.csv"))
    assert code == 0
    assert "warning: 1 value in column " in err and " of leads.csv is not a number" in err
    assert "Rules using it: big." in err
    assert "leads.csv line 4, column employees: 'abc' is not a number" in err
    df = pd.read_csv(files / "scores.csv", dtype={"lead_id": str})
    assert df.loc[df.lead_id == "L0003", "fit_score"].item() == 20.0  # missing size: no 'big' points


def test_score_duplicate_ids_warn(files, capsys):
    (files / "leads.csv").write_text(LEADS + "L0002,30,Retail,2026-01-07,Intern,no\n")
    code, _, err = run(capsys, "score", "model.yaml", "leads.csv", "--allow-missing", "-o", "scores.csv")
    assert code == 0
    assert "leads.csv line 6, column lead_id: lead id 'L0002' appears again" in err
    assert len(pd.read_csv(files / "scores.csv")) == 5


def test_score_duplicate_ids_with_activities(files, capsys):
    (files / "leads.csv").write_text(LEADS + "L0002,30,Retail,2026-01-07,Intern,no\n")
    code, _, err = run(capsys, *score_args("-o", "scores.csv"))
    assert code == 0, err
    assert "leads.csv line 6, column lead_id: lead id 'L0002' appears again" in err


def test_score_missing_column_is_an_error_unless_allowed(files, capsys):
    (files / "leads.csv").write_text(LEADS.replace("employees", "employes"))
    code, _, err = run(capsys, *score_args("-o", "scores.csv"))
    assert code == 2
    assert "column 'employees' (attribute company_size) is not in leads.csv. Did you mean 'employes'?" in err
    assert "rules big score 0" in err
    assert "--allow-missing" in err
    assert not (files / "scores.csv").exists()

    code, _, err = run(capsys, *score_args("-o", "scores.csv", "--allow-missing"))
    assert code == 0
    assert "warning: column 'employees' (attribute company_size) is not in leads.csv" in err
    df = pd.read_csv(files / "scores.csv", dtype={"lead_id": str})
    assert df["product_crm"].tolist() == [0.0] * 4


def test_score_missing_activity_log_is_an_error_unless_allowed(files, capsys):
    code, _, err = run(capsys, "score", "model.yaml", "leads.csv", "-o", "scores.csv")
    assert code == 2
    assert "activity rules (visits)" in err and "--activities" in err
    code, _, err = run(capsys, "score", "model.yaml", "leads.csv", "-o", "scores.csv", "--allow-missing")
    assert code == 0
    assert "warning: no --activities file: activity rules visits score 0" in err
    df = pd.read_csv(files / "scores.csv", dtype={"lead_id": str})
    assert df["engagement_score"].tolist() == [0.0] * 4


def test_unused_missing_column_is_only_a_warning(files, capsys):
    (files / "leads.csv").write_text(LEADS.replace(",title,", ",job,"))
    code, _, err = run(capsys, *score_args("-o", "scores.csv"))
    assert code == 0
    assert "warning: column 'title' (attribute title) is not in leads.csv" in err


def test_score_excel_and_parquet_input(files, capsys):
    leads = pd.read_csv(files / "leads.csv", dtype=str)
    leads.to_excel(files / "leads.xlsx", index=False)
    acts = pd.read_csv(files / "activities.csv", dtype=str)
    acts.to_parquet(files / "activities.parquet", index=False)
    code, _, err = run(capsys, "score", "model.yaml", "leads.xlsx", "--activities", "activities.parquet", "-o", "scores.csv")
    assert code == 0
    check_scores(pd.read_csv(files / "scores.csv", dtype={"lead_id": str}))
    assert "activities.parquet row 4, column lead_id" in err  # parquet rows count from 1


def test_progress_lines(files, capsys, monkeypatch):
    monkeypatch.setattr(cli_common, "PROGRESS_DELAY", 0.0)
    code, _, err = run(capsys, *score_args("-o", "scores.csv"))
    assert code == 0
    for line in ("Loading leads.csv ...", "Loading activities.csv ...", "Checking the data against the model ...",
                 "Scoring 4 leads with 3 rules ...", "Writing scores.csv ..."):
        assert line in err.splitlines()
    assert "\r" not in err  # no in-place updates when stderr is not a terminal


def test_progress_on_a_terminal_rewrites_one_line():
    class TTY(io.StringIO):
        def isatty(self):
            return True

    s = TTY()
    p = cli.Progress(s, delay=0.0)
    p.stage("Scoring")
    p(0.5, "half")
    p(0.5, "again")  # same percentage: not repeated
    p(1.0, "done")
    p.done()
    assert s.getvalue() == "\rScoring ...\x1b[K\rScoring ...  50%\x1b[K\rScoring ... 100%\x1b[K\n"
    quiet = TTY()
    p = cli.Progress(quiet, delay=60.0)  # fast runs show nothing
    p.stage("Scoring")
    p(1.0, "")
    p.done()
    assert quiet.getvalue() == ""


# ---------------------------------------------------------------- explain
def test_explain(files, capsys):
    code, out, _ = run(capsys, "explain", "model.yaml", "leads.csv", "--activities", "activities.csv", "--lead", "L0004")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Lead L0004: score 40 (MQL, grade B2)"
    assert any("+30  Big company (rule big)" in ln for ln in lines)
    assert any("+10  Page visits (rule visits)  [1 event in the last 30 days]" in ln for ln in lines)
    assert "30 more points to SQL (70)." in out


def test_explain_several_leads(files, capsys):
    code, out, _ = run(capsys, "explain", "model.yaml", "leads.csv", "--activities", "activities.csv",
                       "--lead", "L0001", "--lead", "L0002")
    assert code == 0
    assert "Lead L0001: score 70 (SQL, grade A2)" in out
    assert "Lead L0002: score -5 (lead, grade C2)" in out
    assert "To become an MQL: 45 more points to reach the MQL threshold (40)." in out


def test_explain_unknown_lead(files, capsys):
    code, out, err = run(capsys, "explain", "model.yaml", "leads.csv", "--activities", "activities.csv", "--lead", "L00004")
    assert code == 2
    assert out == ""
    assert "Lead 'L00004' is not in leads.csv (column 'lead_id', 4 leads). Did you mean 'L0004'" in err
    code, _, err = run(capsys, "explain", "model.yaml", "leads.csv", "--activities", "activities.csv", "--lead", "l0002")
    assert code == 2
    assert "Did you mean 'L0002'?" in err
    code, _, err = run(capsys, "explain", "model.yaml", "leads.csv", "--activities", "activities.csv", "--lead", "zzz")
    assert code == 2
    assert "Did you mean" not in err


def test_close_ids_in_a_big_file():
    ids = pd.Index([f"L{i:07d}" for i in range(0, 1_200_000, 10)])  # 120,000 ids ending in 0
    assert "'L0001230'" in close_ids("L001230", ids)  # a missing digit
    assert "'L0001230'" in close_ids("L00012330", ids)  # an extra digit
    assert "'L0001230'" in close_ids("L0001203", ids)  # swapped digits
    assert "'L0001230'" in close_ids("L0001231", ids)  # a wrong digit
    assert close_ids("l0001230 ", ids) == " Did you mean 'L0001230'?"
    assert close_ids("L000042", pd.Index([f"L{i:07d}" for i in range(4000)])).startswith(" Did you mean 'L0000042' or")
    assert close_ids("nothing like it", ids) == ""
    assert close_ids("L0001234", pd.Index([])) == ""


# ---------------------------------------------------------------- summary
def test_summary_finds_the_outcome_column(files, capsys):
    code, out, _ = run(capsys, "summary", "model.yaml", "leads.csv", "--activities", "activities.csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Model: Tiny test model (model.yaml)"
    assert lines[1] == "Data: leads.csv + activities.csv, scored as of end of 2026-01-14"
    assert lines[2] == "Outcome: column 'converted', 2 of 4 leads converted (50.0%)"
    assert "Leads: 4" in lines
    assert any(ln.startswith("  SQL") and ln.endswith("converted 100.0%") for ln in lines)
    assert any(ln.startswith("  lead") and ln.endswith("converted 0.0%") for ln in lines)
    assert "MQLs per week" in out


def test_summary_without_outcome(files, capsys):
    code, out, _ = run(capsys, "summary", "model.yaml", "leads.csv", "--activities", "activities.csv", "--no-outcome")
    assert code == 0
    assert "Outcome:" not in out and "converted " not in out
    (files / "leads.csv").write_text(LEADS.replace(",converted", ",notes").replace(",yes", ",x").replace(",no\n", ",y\n"))
    code, out, _ = run(capsys, "summary", "model.yaml", "leads.csv", "--activities", "activities.csv")
    assert code == 0
    assert "Outcome:" not in out


def test_summary_explicit_outcome(files, capsys):
    (files / "leads.csv").write_text(LEADS.replace(",converted", ",stage").replace(",yes", ",Closed Won").replace(",no\n", ",Closed Lost\n"))
    code, out, _ = run(capsys, "summary", "model.yaml", "leads.csv", "--activities", "activities.csv", "--outcome", "stage")
    assert code == 0
    assert "Outcome: column 'stage', 2 of 4 leads converted (50.0%)" in out


def test_summary_bad_outcome(files, capsys):
    code, out, err = run(capsys, "summary", "model.yaml", "leads.csv", "--activities", "activities.csv", "--outcome", "convertd")
    assert code == 2
    assert out == ""
    assert "leads.csv: there is no column 'convertd' in the lead file. Did you mean 'converted'?" in err
    code, _, err = run(capsys, "summary", "model.yaml", "leads.csv", "--activities", "activities.csv", "--outcome", "title")
    assert code == 2
    assert "--outcome: leads.csv: 'title' does not look like an outcome (converted or not): it holds" in err
    assert "--positive" in err  # how to say which values mean converted


# ---------------------------------------------------------------- generate
def test_generate_csv(tmp_path, capsys):
    code, out, _ = run(capsys, "generate", "--leads", "60", "--seed", "3", "--weeks", "4", "--events-per-lead", "3", "-o", tmp_path / "d")
    assert code == 0
    assert f"Wrote {tmp_path / 'd' / 'leads.csv'} (60 leads," in out
    assert f"Wrote {tmp_path / 'd' / 'activities.csv'}" in out
    leads = pd.read_csv(tmp_path / "d" / "leads.csv")
    assert len(leads) == 60 and leads.columns[0] == "lead_id"
    assert len(pd.read_csv(tmp_path / "d" / "activities.csv")) > 0


def test_generate_parquet(tmp_path, capsys):
    code, out, _ = run(capsys, "generate", "--leads", "30", "--format", "parquet", "-o", tmp_path)
    assert code == 0
    assert len(pd.read_parquet(tmp_path / "leads.parquet")) == 30
    assert (tmp_path / "activities.parquet").exists()


def test_generate_bad_arguments(tmp_path, capsys):
    code, _, err = run(capsys, "generate", "--leads", "-5", "-o", tmp_path)
    assert code == 2 and "expected 0 or more" in err
    code, _, err = run(capsys, "generate", "--format", "xlsx", "-o", tmp_path)
    assert code == 2 and "invalid choice" in err
    (tmp_path / "afile").write_text("x")
    code, _, err = run(capsys, "generate", "--leads", "5", "-o", tmp_path / "afile")
    assert code == 2 and "it is a file, not a folder" in err


# ---------------------------------------------------------------- export
def test_export_json_is_the_yaml_structure(files, capsys):
    code, out, _ = run(capsys, "export", "model.yaml", "--to", "json")
    assert code == 0
    assert json.loads(out) == M.to_dict(load_model(files / "model.yaml"))
    code, _, err = run(capsys, "export", "model.yaml", "--to", "json", "-o", "model.json")
    assert code == 0
    assert json.loads((files / "model.json").read_text()) == json.loads(out)
    assert "Wrote model.json" in err
    assert load_model(files / "model.json") == load_model(files / "model.yaml")  # the JSON loads back


def test_export_yaml_round_trips(files, capsys):
    code, out, _ = run(capsys, "export", "model.yaml", "--to", "yaml")
    assert code == 0
    assert loads_model(out) == load_model(files / "model.yaml")
    code, _, _ = run(capsys, "export", "model.yaml", "--to", "yaml", "-o", "out/x.yaml")
    assert code == 2  # the folder does not exist
    code, _, _ = run(capsys, "export", "model.yaml", "--to", "yaml", "-o", "normalised.yaml")
    assert code == 0
    assert (files / "normalised.yaml").read_text() == out


def test_export_sql_options_only_for_sql(files, capsys):
    code, _, err = run(capsys, "export", "model.yaml", "--to", "json", "--dialect", "duckdb", "--leads-table", "t")
    assert code == 2
    assert "--dialect, --leads-table only apply to --to sql" in err


def test_export_sql_runs_in_duckdb_and_matches_score(files, capsys):
    pytest.importorskip("leaddesigner.core.export.sqlexport", reason="core/export/sqlexport.py is not written yet")
    duckdb = pytest.importorskip("duckdb")
    code, out, _ = run(capsys, "export", "model.yaml", "--to", "sql", "--dialect", "duckdb", "--leads-table", "lead_rows",
                       "--activities-table", "events", "--as-of", "2026-01-14")
    assert code == 0
    leads = pd.read_csv(files / "leads.csv", dtype={"lead_id": str}, parse_dates=["created"]).astype({"employees": float})
    events = pd.read_csv(files / "activities.csv", parse_dates=["timestamp"])
    con = duckdb.connect()
    con.register("lead_rows", leads)
    con.register("events", events)
    check_scores(con.execute(out).df().sort_values("lead_id").reset_index(drop=True))


def test_export_sql_to_file_and_bad_dialect(files, capsys):
    sqlexport = pytest.importorskip("leaddesigner.core.export.sqlexport", reason="core/export/sqlexport.py is not written yet")
    code, _, err = run(capsys, "export", "model.yaml", "--to", "sql", "--dialect", "postgress")
    assert code == 2
    assert "--dialect: 'postgress' is not supported. Did you mean 'postgres'?" in err
    code, out, _ = run(capsys, "export", "--help")
    for d in sqlexport.DIALECTS:  # the help text names every dialect the exporter knows
        assert d in out
    code, _, err = run(capsys, "export", "model.yaml", "--to", "sql", "--dialect", "sqlite", "--quote-identifiers", "-o", "score.sql")
    assert code == 0
    assert "Wrote score.sql (sql" in err
    assert "SELECT" in (files / "score.sql").read_text()


# ---------------------------------------------------------------- gui (no Qt: a stand-in app module)
@pytest.fixture
def fake_app(monkeypatch):
    calls = []
    mod = types.ModuleType("leaddesigner.gui.app")

    def fake_main(**kw):
        calls.append(kw)
        return 0

    mod.main = fake_main
    monkeypatch.setitem(sys.modules, "leaddesigner.gui.app", mod)
    monkeypatch.setattr(cli, "_check_qt", lambda: None)
    monkeypatch.setattr(cli, "_check_display", lambda: None)
    return calls


def test_gui_passes_files(files, capsys, fake_app, monkeypatch):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    code, _, _ = run(capsys, "gui", "model.yaml", "--leads", "leads.csv", "--activities", "activities.csv", "--screenshot", "shot.png")
    assert code == 0
    assert fake_app == [
        {"model": Path("model.yaml"), "leads": Path("leads.csv"), "activities": Path("activities.csv"), "screenshot": Path("shot.png")}
    ]
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"  # a screenshot renders without a display
    code, _, _ = run(capsys, "gui")
    assert code == 0
    assert fake_app[-1] == {"model": None, "leads": None, "activities": None, "screenshot": None}
    code, _, err = run(capsys, "gui", "model.yaml", "--activities", "activities.csv")
    assert code == 2 and "--activities needs a lead file too" in err
    assert len(fake_app) == 2


def test_no_command_opens_the_app_with_the_samples(capsys, fake_app):
    code, _, _ = run(capsys)
    assert code == 0
    exists = lambda p: p if p.exists() else None  # noqa: E731
    assert fake_app == [
        {
            "model": exists(paths.default_model()),
            "leads": exists(paths.sample_leads()),
            "activities": exists(paths.sample_activities()),
            "screenshot": None,
        }
    ]


def test_gui_missing_file(files, capsys, fake_app):
    code, _, err = run(capsys, "gui", "nope.yaml")
    assert code == 2
    assert 'Cannot open model "nope.yaml"' in err
    assert fake_app == []


def test_gui_without_pyside6(files, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "PySide6", None)  # makes "import PySide6..." fail
    monkeypatch.setitem(sys.modules, "PySide6.QtWidgets", None)
    code, out, err = run(capsys, "gui", "model.yaml")
    assert code == 2
    assert "pip install" in err and "PySide6" in err
    if sys.platform.startswith("linux"):
        assert "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in err


def test_gui_without_pyqtgraph(files, capsys, fake_app, monkeypatch):
    import importlib

    real = importlib.import_module

    def fake_import(name, *a, **kw):
        if name == "leaddesigner.gui.app":
            raise ModuleNotFoundError("No module named 'pyqtgraph'", name="pyqtgraph")
        return real(name, *a, **kw)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    code, _, err = run(capsys, "gui", "model.yaml")
    assert code == 2
    assert "The app needs pyqtgraph" in err and "pip install" in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xcb is Linux only")
def test_display_checks(monkeypatch):
    monkeypatch.setattr(cli, "_missing_xcb_packages", lambda: ["libxcb-icccm4", "libxcb-keysyms1"])
    with pytest.raises(cli.CliError, match="Qt's xcb plugin needs libxcb-icccm4, libxcb-keysyms1, which are not installed"):
        cli._check_display({"DISPLAY": ":0"})
    cli._check_display({"QT_QPA_PLATFORM": "offscreen"})  # no window: nothing to check
    cli._check_display({"WAYLAND_DISPLAY": "wayland-0"})
    monkeypatch.setattr(cli, "_missing_xcb_packages", lambda: [])
    cli._check_display({"DISPLAY": ":0"})
    with pytest.raises(cli.CliError, match="there is no display"):
        cli._check_display({"QT_QPA_PLATFORM": "xcb"})


def test_gui_exits_2_where_qt_would_abort(files, capsys, fake_app, monkeypatch):
    def no_libs():
        raise cli.CliError("The app cannot open a window: Qt's xcb plugin needs libxcb-cursor0")

    monkeypatch.setattr(cli, "_check_display", no_libs)
    code, _, err = run(capsys, "gui", "model.yaml")
    assert code == 2 and "libxcb-cursor0" in err
    assert fake_app == []
    code, _, _ = run(capsys, "gui", "model.yaml", "--screenshot", "shot.png")  # offscreen rendering needs no display
    assert code == 0


# ---------------------------------------------------------------- bad input: exit 2, one message, no traceback
BAD_INPUTS = {
    "missing model": ["score", "nope.yaml", "leads.csv", "-o", "s.csv"],
    "model is a folder": ["validate", "."],
    "invalid model": ["score", "bad.yaml", "leads.csv", "-o", "s.csv"],
    "model not utf-8": ["validate", "latin1.yaml"],
    "missing leads": ["score", "model.yaml", "nope.csv", "-o", "s.csv"],
    "leads is a folder": ["summary", "model.yaml", "sub"],
    "unsupported lead file": ["score", "model.yaml", "model.yaml", "-o", "s.csv"],
    "empty lead file": ["score", "model.yaml", "empty.csv", "-o", "s.csv"],
    "ragged csv": ["score", "model.yaml", "ragged.csv", "-o", "s.csv", "--allow-missing"],
    "missing activity log": ["score", "model.yaml", "leads.csv", "--activities", "nope.csv", "-o", "s.csv"],
    "activity log lacks columns": ["score", "model.yaml", "leads.csv", "--activities", "leads.csv", "-o", "s.csv"],
    "bad --as-of": ["score", "model.yaml", "leads.csv", "-o", "s.csv", "--as-of", "2026-02-30"],
    "garbage --as-of": ["explain", "model.yaml", "leads.csv", "--lead", "L0001", "--as-of", "soon"],
    "empty --as-of": ["summary", "model.yaml", "leads.csv", "--as-of", ""],
    "unknown lead": ["explain", "model.yaml", "leads.csv", "--activities", "activities.csv", "--lead", "X1"],
    "bad output extension": ["score", "model.yaml", "leads.csv", "-o", "s.xls"],
    "export to folder": ["export", "model.yaml", "--to", "json", "-o", "sub"],
    "export missing model": ["export", "nope.yaml", "--to", "yaml"],
    "gui missing leads": ["gui", "model.yaml", "--leads", "nope.csv"],
    "generate into a file": ["generate", "--leads", "3", "-o", "leads.csv"],
}


@pytest.mark.parametrize("argv", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_exits_2_with_a_message(files, capsys, argv):
    (files / "bad.yaml").write_text(BAD_MODEL)
    (files / "latin1.yaml").write_bytes("schema_version: 1\nname: Caf\xe9\nrules: []\n".encode("latin-1"))
    (files / "sub").mkdir()
    (files / "empty.csv").write_text("")
    (files / "ragged.csv").write_text("lead_id,industry\nL1,Software\nL2,Retail,extra,more\n")
    (files / "noid.csv").write_text(LEADS.replace("lead_id,", "id,"))
    code, out, err = run(capsys, *argv)
    assert code == 2, err
    assert err.strip(), "a message on stderr"
    assert "Traceback" not in err
    assert "bug" not in err  # bad input is not reported as a bug
    assert not (files / "s.csv").exists()


def test_a_file_without_the_models_id_column_uses_its_own(files, capsys):
    """The model says lead_id; the export calls it 'id': scored under that column, said in one note."""
    (files / "noid.csv").write_text(LEADS.replace("lead_id,", "id,"))
    code, _, err = run(capsys, *["score", "model.yaml", "noid.csv", "--activities", "activities.csv", "-o", "s.csv"])
    assert code == 0, err
    assert "note: Lead id: the model's lead id column 'lead_id' is not in noid.csv; using 'id'" in err
    out = pd.read_csv(files / "s.csv", dtype=str)
    assert out.columns[0] == "id" and out["id"].tolist() == pd.read_csv(files / "noid.csv", dtype=str)["id"].tolist()


def test_a_file_without_any_id_column_numbers_its_leads_by_line(files, capsys):
    (files / "noid.csv").write_text(LEADS.replace("lead_id,", "ref,").replace("L000", "X"))  # 'ref' is no id name
    code, _, err = run(capsys, *["score", "model.yaml", "noid.csv", "-o", "s.csv", "--allow-missing"])
    assert code == 0, err
    assert "leads are numbered by their line in noid.csv (the first lead is line 2)" in err
    out = pd.read_csv(files / "s.csv", dtype=str)
    assert out.columns[0] == "row" and out["row"].tolist() == [str(i) for i in range(2, 2 + len(out))]


def test_unexpected_error_exits_1_and_asks_for_a_report(files, capsys, monkeypatch):
    def boom(path, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(cli_common, "read_model", boom)
    monkeypatch.delenv("LEADDESIGNER_DEBUG", raising=False)
    code, _, err = run(capsys, "validate", "model.yaml")
    assert code == 1
    assert "unexpected error RuntimeError: something broke" in err
    assert "please report" in err


# ---------------------------------------------------------------- sample models and data (when present)
SAMPLE_MODELS = sorted((REPO / "sample_models").glob("*.yaml"))


@pytest.mark.parametrize("model", SAMPLE_MODELS, ids=[m.name for m in SAMPLE_MODELS])
def test_sample_models_validate(capsys, model):
    code, out, _ = run(capsys, "validate", model)
    assert code == 0
    assert out.startswith(f"{model}: valid (")


def test_sample_models_exist():
    if not SAMPLE_MODELS:
        pytest.skip("sample_models/*.yaml not written yet")


@pytest.mark.parametrize("model", SAMPLE_MODELS, ids=[m.name for m in SAMPLE_MODELS])
def test_sample_models_score_and_summarise_sample_data(tmp_path, capsys, model):
    leads, acts = REPO / "sample_models" / "data" / "leads.csv", REPO / "sample_models" / "data" / "activities.csv"
    if not leads.exists() or not acts.exists():
        pytest.skip("sample_models/data/leads.csv and activities.csv not generated yet")
    m = load_model(model)
    code, _, err = run(capsys, "score", model, leads, "--activities", acts, "-o", tmp_path / "s.parquet")
    assert code == 0, err
    df = pd.read_parquet(tmp_path / "s.parquet")
    assert list(df.columns) == [m.lead_id, "score", "fit_score", "engagement_score", "grade", "status"] + [f"product_{p}" for p in m.products]
    code, out, err = run(capsys, "summary", model, leads, "--activities", acts)
    assert code == 0, err
    assert "Outcome: column 'converted'" in out
    lead = str(df[m.lead_id].iloc[0])
    code, out, err = run(capsys, "explain", model, leads, "--activities", acts, "--lead", lead)
    assert code == 0, err
    assert out.startswith(f"Lead {lead}: score ")


# ---------------------------------------------------------------- the real entry point
def _subprocess(*argv, cwd):
    env = dict(os.environ, PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "leaddesigner", *map(str, argv)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_python_m_leaddesigner(files):
    r = _subprocess("--version", cwd=files)
    assert r.returncode == 0 and r.stdout.startswith("leaddesigner ")
    r = _subprocess("score", "model.yaml", "leads.csv", "--activities", "activities.csv", "-o", "out.parquet", cwd=files)
    assert r.returncode == 0, r.stderr
    check_scores(pd.read_parquet(files / "out.parquet").astype({"grade": str, "status": str}))
    r = _subprocess("validate", "nope.yaml", cwd=files)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "nope.yaml" in r.stderr


def test_explain_subprocess_output_is_clean(files):
    r = _subprocess("explain", "model.yaml", "leads.csv", "--activities", "activities.csv", "--lead", "L0001", cwd=files)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "Lead L0001: score 70 (SQL, grade A2)"


def test_summary_with_horizon_days_scores_cohorts(capsys):
    from leaddesigner.paths import default_model, sample_activities, sample_leads

    if not sample_leads().exists():
        pytest.skip("sample data not generated")
    args = ["summary", str(default_model()), str(sample_leads()), "--activities", str(sample_activities())]
    code, plain, _ = run(capsys, *args)
    assert code == 0
    code, cohort, _ = run(capsys, *args, "--horizon-days", "30")
    assert code == 0
    assert "30 days after each lead was created" in cohort
    assert plain != cohort
    code, _, err = run(capsys, *args, "--horizon-days", "0")
    assert code == 2 and "above 0" in err
