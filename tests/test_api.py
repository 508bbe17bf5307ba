"""The Python API, called as a user would: ``from leaddesigner import load_model, score, explain``.

Results must equal what the command line writes and prints for the same input.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pandas as pd
import pytest

import leaddesigner
from leaddesigner import (
    DataWarning,
    LeadFileError,
    MissingDataError,
    ModelError,
    ScoringModel,
    UnknownLeadError,
    explain,
    load_model,
    save_model,
    score,
)
from leaddesigner import paths
from leaddesigner.cli import main
from leaddesigner.core.model.types import to_dict

REPO = Path(__file__).resolve().parents[1]
MODEL = paths.default_model()
LEADS = paths.sample_leads()
ACTS = paths.sample_activities()
AS_OF = "2026-08-31"

TINY = """\
schema_version: 1
name: Tiny
lead_id: id
columns: {size: employees}
attributes:
  - {name: size, type: number, kind: firmographic}
  - {name: industry, type: category, kind: firmographic}
products: [crm]
rules:
  - {id: big, label: Big company, dimension: fit, when: {attribute: size, op: gte, value: 100}, points: 30, product: crm}
  - {id: ind, label: Industry, dimension: fit, map: {attribute: industry, values: {Software: 25, Retail: -5}}}
thresholds: {mql: 50, sql: 55}
grades:
  fit: {A: 50, B: 20, C: null}
  engagement: {"1": 10, "2": null}
"""


@pytest.fixture
def tiny(tmp_path) -> Path:
    p = tmp_path / "tiny.yaml"
    p.write_text(TINY)
    return p


def cli_scores(tmp_path, *extra: str) -> pd.DataFrame:
    out = tmp_path / "cli_scores.csv"
    assert main(["score", str(MODEL), str(LEADS), "--activities", str(ACTS), "-o", str(out), "-q", *extra]) == 0
    return out


# ------------------------------------------------------------------ import
def test_import_is_light_and_qt_free():
    code = textwrap.dedent(
        """
        import sys
        import leaddesigner
        heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'pandas', 'numpy'))
        assert not heavy, heavy
        from leaddesigner import load_model, score, explain, ScoringModel
        assert not any(m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph') for m in sys.modules)
        print('ok')
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr


def test_public_names_and_docstrings():
    for name in ("load_model", "save_model", "score", "explain", "accounts", "ScoringModel", "ModelError", "LeadFileError",
                 "MissingDataError", "DataWarning", "UnknownLeadError", "Explanation", "diff_models"):
        assert name in leaddesigner.__all__ and name in dir(leaddesigner)
        assert getattr(leaddesigner, name).__doc__, name
    assert issubclass(MissingDataError, LeadFileError)
    with pytest.raises(AttributeError):
        leaddesigner.no_such_thing  # noqa: B018
    assert (Path(leaddesigner.__file__).parent / "py.typed").exists()


# ------------------------------------------------------------------ score
def test_score_with_paths_equals_the_cli_file(tmp_path):
    out = cli_scores(tmp_path, "--as-of", AS_OF)
    got = score(str(MODEL), LEADS, ACTS, as_of=AS_OF)
    assert list(got.columns) == ["lead_id", "score", "fit_score", "engagement_score", "grade", "status",
                                 "product_analytics", "product_payments"]
    assert got.to_csv(index=False, lineterminator="\n") == out.read_text()


def test_score_with_objects_equals_score_with_paths(tmp_path):
    model = load_model(MODEL)
    assert isinstance(model, ScoringModel)
    leads = pd.read_csv(LEADS)  # plain pandas: the API converts the columns to the declared types
    acts = pd.read_csv(ACTS)
    by_path = score(MODEL, LEADS, ACTS, as_of=AS_OF)
    by_object = score(model, leads, acts, as_of=pd.Timestamp("2026-09-01"))  # end of 2026-08-31
    pd.testing.assert_frame_equal(by_object, by_path)
    # default as-of (end of the latest day in the data), as on the command line
    out = cli_scores(tmp_path)
    assert score(model, leads, acts).to_csv(index=False, lineterminator="\n") == out.read_text()


def test_score_horizon_equals_the_cli(tmp_path):
    out = cli_scores(tmp_path, "--as-of", AS_OF, "--horizon-days", "30")
    got = score(MODEL, LEADS, ACTS, as_of=dt.date(2026, 8, 31), horizon_days=30)
    assert got.to_csv(index=False, lineterminator="\n") == out.read_text()


def test_score_a_hand_made_frame(tiny):
    leads = pd.DataFrame({
        "id": ["a", "b", "c", "d"],
        "employees": [500, 20, 150, None],
        "industry": ["Software", "Retail", "Farming", "Software"],
    })
    before = leads.copy()
    s = score(tiny, leads)
    pd.testing.assert_frame_equal(leads, before)  # the caller's frame is left as it was
    assert list(s["id"]) == ["a", "b", "c", "d"]
    assert list(s["score"]) == [55, -5, 30, 25]
    assert list(s["status"].astype(str)) == ["SQL", "lead", "lead", "lead"]
    assert list(s["grade"].astype(str)) == ["A2", "C2", "B2", "B2"]
    assert list(s["product_crm"]) == [30, 0, 30, 0]
    # numbers as text are converted like a file's values
    as_text = leads.astype({"employees": "string"})
    pd.testing.assert_frame_equal(score(tiny, as_text), s)


def test_explain_lines_add_up_and_match_the_cli(capsys):
    e = explain(MODEL, LEADS, "L0000004", ACTS, as_of=AS_OF)
    assert e.lead_id == "L0000004"
    assert abs(e.total() - e.score) < 1e-9
    row = score(MODEL, LEADS, ACTS, as_of=AS_OF).set_index("lead_id").loc["L0000004"]
    assert round(e.score, 2) == row["score"] and e.status == row["status"]
    assert main(["explain", str(MODEL), str(LEADS), "--activities", str(ACTS), "--lead", "L0000004", "--as-of", AS_OF, "-q"]) == 0
    assert capsys.readouterr().out.strip() == e.text().strip()


def test_explain_takes_numeric_ids_and_suggests_close_ones(tiny):
    leads = pd.DataFrame({"id": [17, 23], "employees": [120, 5], "industry": ["Software", "Retail"]})
    e = explain(tiny, leads, 17)
    assert e.score == 55 and [ln.key for ln in e.lines] == ["big", "ind"]
    with pytest.raises(UnknownLeadError, match="Did you mean '17'") as info:
        explain(tiny, leads, "177")
    assert info.value.lead_id == "177"
    assert isinstance(info.value, LookupError)


# ------------------------------------------------------------------ problems, as the CLI handles them
def test_missing_columns_raise_unless_allowed(tiny):
    leads = pd.DataFrame({"id": ["a", "b"], "industry": ["Software", "Retail"]})  # no 'employees'
    with pytest.raises(MissingDataError, match="employees") as info:
        score(tiny, leads)
    assert info.value.rules == ["big"]
    assert "allow_missing=True" in str(info.value)
    with pytest.warns(DataWarning, match="employees"):
        s = score(tiny, leads, allow_missing=True)
    assert list(s["score"]) == [25, -5]


def test_activity_rules_without_a_log(tmp_path):
    with pytest.raises(MissingDataError, match="no activity log was given"):
        score(MODEL, LEADS)
    with pytest.warns(DataWarning, match="no activities given") as record:
        s = score(MODEL, LEADS, allow_missing=True, as_of=AS_OF)
    assert record[0].filename == __file__  # the warning points at the caller's line
    assert (s["engagement_score"] <= score(MODEL, LEADS, ACTS, as_of=AS_OF)["engagement_score"] + 100).all()


def test_bad_values_warn_and_count_as_missing(tiny, tmp_path):
    f = tmp_path / "leads.csv"
    f.write_text("id,employees,industry\na,500,Software\nb,lots,Retail\n")
    with pytest.warns(DataWarning, match=r"leads.csv line 3: 'lots'"):
        s = score(tiny, f)
    assert list(s["score"]) == [55, -5]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # clean data: no warning at all
        score(tiny, pd.DataFrame({"id": ["a"], "employees": [1], "industry": ["Software"]}))


def test_input_errors_are_specific(tiny, tmp_path):
    # no 'id' column: the frame's 'lead' column is not id-like, so leads are numbered by row (a DataWarning says so)
    with pytest.warns(DataWarning) as said:
        s = score(tiny, pd.DataFrame({"lead": ["a", "b"], "employees": [1, 2], "industry": ["x", "y"]}))
    messages = [str(w.message) for w in said]
    assert any("numbered by their line" in m for m in messages)
    # and the industry map lists values the frame never holds: said too, as the app and the command line say it
    assert any("none of its values (Software, Retail) occur in column 'industry'" in m for m in messages)
    assert s.columns[0] == "row" and s["row"].tolist() == ["0", "1"]
    with pytest.raises(LeadFileError, match="no such file"):
        score(tiny, tmp_path / "nope.csv")
    with pytest.raises(LeadFileError):
        score(tiny, tmp_path / "leads.doc")
    with pytest.raises(ModelError):
        bad = tmp_path / "bad.yaml"
        bad.write_text("schema_version: 1\nname: x\nrules: [{id: a}]\n")
        score(bad, pd.DataFrame({"id": ["a"]}))
    with pytest.raises(ValueError, match="not a date"):
        score(tiny, pd.DataFrame({"id": ["a"], "employees": [1], "industry": ["x"]}), as_of="last tuesday")
    with pytest.raises(ValueError, match="horizon_days"):
        score(tiny, pd.DataFrame({"id": ["a"], "employees": [1], "industry": ["x"]}), horizon_days=0)
    with pytest.raises(TypeError):
        score(42, LEADS)  # type: ignore[arg-type]


# ------------------------------------------------------------------ JSON
def test_export_json_validates_and_loads_back(tmp_path, capsys):
    import jsonschema

    schema = json.loads((REPO / "resources" / "model.schema.json").read_text())
    for src in sorted((REPO / "sample_models").glob("*.yaml")):
        out = tmp_path / (src.stem + ".json")
        assert main(["export", str(src), "--to", "json", "-o", str(out), "-q"]) == 0
        data = json.loads(out.read_text())
        jsonschema.Draft202012Validator(schema).validate(data)
        assert data == to_dict(load_model(src))
        assert to_dict(load_model(out)) == to_dict(load_model(src))  # load_model reads .json
        assert not list(tmp_path.glob(".*.tmp"))  # atomic write leaves no temp file


def test_save_model_json_round_trip(tmp_path):
    m = load_model(MODEL)
    save_model(m, tmp_path / "m.json")
    assert load_model(tmp_path / "m.json") == m
    pd.testing.assert_frame_equal(score(tmp_path / "m.json", LEADS, ACTS, as_of=AS_OF), score(m, LEADS, ACTS, as_of=AS_OF))


# ------------------------------------------------------------------ typing
@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install mypy to run this check)")
def test_user_code_type_checks(tmp_path):
    user = tmp_path / "user.py"
    user.write_text(textwrap.dedent(
        """
        import pandas as pd
        from leaddesigner import load_model, score, explain, ScoringModel, Explanation

        m: ScoringModel = load_model("model.yaml")
        df: pd.DataFrame = score(m, "leads.csv", as_of="2026-06-30")
        e: Explanation = explain("model.yaml", df, "L1")
        total: float = e.total()
        """
    ))
    src = REPO / "src" / "leaddesigner"
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--ignore-missing-imports", "--follow-imports=silent", "--strict",
         str(src / "api.py"), str(src / "__init__.py"), str(user)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
