"""``leaddesigner score --engine duckdb`` (core/export/outofcore.py) writes what the pandas engine writes.

Both engines run through the CLI on the same files (CSV and Parquet in and out,
with activities, odd category values) and the outputs must be equal row for
row: same columns, same order, same ids, grades and statuses, numbers equal
(both round to 2 decimals). Random models and data (hypothesis) go through
:func:`score_files` directly. Bad input stops with exit 2 and one paragraph
naming the file, the line or row, the column and what was expected.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from fuzzing import examples  # tests/ is on sys.path; see tests/fuzzing.py

from leaddesigner import cli, paths
from leaddesigner.core.scoring.engine import Scorer, bind
from leaddesigner.core.data.leadfile import read_table
from leaddesigner.core.model.types import (
    ActivityColumns,
    ActivitySpec,
    Attribute,
    Leaf,
    Rule,
    ScoringModel,
    Thresholds,
    ValueMap,
)
from leaddesigner.core.model.io import load_model, save_model
from leaddesigner.core.export.outofcore import OutOfCoreError, score_files

from core import strategies as S  # tests/ is on sys.path (rootdir conftest, no package)

SAMPLE_MODELS = sorted(paths.samples_dir().glob("*.yaml"))


def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=str)


def _cells(s: pd.Series) -> list:
    return [None if (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))) else v for v in s.astype(object)]


def assert_frames_equal(a: pd.DataFrame, b: pd.DataFrame, context: str = "") -> None:
    """Row for row: same columns in the same order, text equal, numbers equal."""
    assert list(a.columns) == list(b.columns), context
    assert len(a) == len(b), f"{context}: {len(a)} vs {len(b)} rows"
    for i, c in enumerate(a.columns):
        x, y = _cells(a[c]), _cells(b[c])
        if i == 0 or c in ("grade", "status"):
            x = [None if v is None else str(v) for v in x]
            y = [None if v is None else str(v) for v in y]
            bad = [k for k, (p, q) in enumerate(zip(x, y)) if p != q]
        else:
            xf = np.array([np.nan if v is None else float(v) for v in x])
            yf = np.array([np.nan if v is None else float(v) for v in y])
            bad = list(np.flatnonzero(~((xf == yf) | (np.isnan(xf) & np.isnan(yf)))))
        assert not bad, f"{context}: column {c} differs in {len(bad)} rows, e.g. row {bad[0]}: {x[bad[0]]!r} vs {y[bad[0]]!r}"


def run_cli(*argv: str) -> int:
    return cli.main(["score", "-q", *argv])


def both_engines(tmp_path: Path, model_path, leads, acts, ext: str, *extra: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    outs = []
    for engine in ("pandas", "duckdb"):
        out = tmp_path / f"{engine}{ext}"
        args = [str(model_path), str(leads), "-o", str(out), "--engine", engine, *extra]
        if acts is not None:
            args += ["--activities", str(acts)]
        assert run_cli(*args) == 0
        outs.append(_read(out))
    return outs[0], outs[1]


@pytest.fixture(scope="module")
def sample_parquet(tmp_path_factory):
    """The sample leads and activities as Parquet (typed as read_table reads them)."""
    d = tmp_path_factory.mktemp("parquet")
    leads, acts = read_table(paths.sample_leads()), read_table(paths.sample_activities())
    leads.to_parquet(d / "leads.parquet", index=False)
    acts.to_parquet(d / "activities.parquet", index=False)
    return d / "leads.parquet", d / "activities.parquet"


# ---------------------------------------------------------------- sample models, CSV and Parquet
@pytest.mark.parametrize("ext", [".csv", ".parquet"])
@pytest.mark.parametrize("model_path", SAMPLE_MODELS, ids=lambda p: p.stem)
def test_sample_models_csv_input(tmp_path, model_path, ext):
    a, b = both_engines(tmp_path, model_path, paths.sample_leads(), paths.sample_activities(), ext)
    assert_frames_equal(a, b, f"{model_path.stem} csv -> {ext}")


@pytest.mark.parametrize("as_of", [None, "2026-06-30", "2026-07-15T12:30"])
def test_sample_model_parquet_input(tmp_path, sample_parquet, as_of):
    leads, acts = sample_parquet
    extra = ("--as-of", as_of) if as_of else ()
    for model_path in SAMPLE_MODELS:
        a, b = both_engines(tmp_path, model_path, leads, acts, ".parquet", *extra)
        assert_frames_equal(a, b, f"{model_path.stem} parquet as of {as_of}")


def test_generated_parquet_with_typed_columns(tmp_path):
    """Parquet as the generator writes it: Int64 numbers, dictionary categories, timestamps."""
    from leaddesigner.samples.generate import generate, write_frames

    leads, acts = generate(3000, seed=5)
    lp, ap = write_frames(leads, acts, tmp_path / "gen", fmt="parquet")
    a, b = both_engines(tmp_path, SAMPLE_MODELS[0], lp, ap, ".csv")
    assert_frames_equal(a, b, "generated parquet")


# ---------------------------------------------------------------- odd values: quotes, backslashes, separators
QUOTED = 'O\'Brien "The Boss", Ltd; DROP TABLE leads --'
BACKSLASH = "it's a \\ path\\"


def _odd_model() -> ScoringModel:
    return ScoringModel(
        name="odd values",
        lead_id="Lead ID",
        columns={"company": "Company's \"Name\"", "flag": "opted in?"},
        attributes=[Attribute("company", "category"), Attribute("title", "text"), Attribute("n", "number"),
                    Attribute("flag", "boolean"), Attribute("seen", "date")],
        activities=ActivityColumns("who", "when", "what", "page"),
        rules=[
            Rule("q", "quoted company", "fit", 10, when=Leaf("company", "equals", QUOTED)),
            Rule("bs", "backslash", "fit", 7, when=Leaf("title", "contains", "\\ path")),
            Rule("m", "map", "fit", map=ValueMap("company", values={BACKSLASH: 3, "acme": 2})),
            Rule("n", "number", "fit", 1.5, when=Leaf("n", "gte", 10)),
            Rule("f", "flag", "engagement", 4, when=Leaf("flag", "equals", True)),
            Rule("s", "seen", "engagement", 2, when=Leaf("seen", "within_days", 30)),
            Rule("ev", "quoted event", "engagement", 5, activity=ActivitySpec(Leaf("type", "equals", QUOTED), 60, 15)),
        ],
        thresholds=Thresholds(10, 20),
    )


def _odd_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    leads = pd.DataFrame({
        "Lead ID": ["a1", "a,2", 'a"3', "a4", "a5", "a6"],
        "Company's \"Name\"": [QUOTED, "  " + QUOTED.lower() + " ", BACKSLASH, "\u00a0Acme\u2003", None, "x\ny"],
        "title": ["it's a \\ path\\", "none", "\\", "", "  PATH  ", "tab\there"],
        "n": ["10", " 12.5 ", "n/a", "-3", "1e3", ""],
        "opted in?": ["yes", "NO", "", "1", "t", "null"],
        "seen": ["2026-06-01", "2026-06-30 23:59:59", "", "2026-06-01T10:00:00+02:00", "2025-01-01", "NA"],
        "extra": ["x", "y", "z", "w", "v", "u"],
    })
    acts = pd.DataFrame({
        "who": ["a1", "a,2", "a,2", 'a"3', "ghost", "a4", ""],
        "when": ["2026-06-20 10:00:00", "2026-06-21", "2026-07-05", "2026-06-01 00:00:01", "2026-06-20", "", "2026-06-20"],
        "what": [QUOTED, QUOTED.upper(), QUOTED, QUOTED, QUOTED, QUOTED, QUOTED],
        "page": ["/", None, "/p", "/q", "/", "/", "/"],
    })
    return leads, acts


@pytest.mark.parametrize("ext", [".csv", ".parquet"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_quotes_backslashes_and_separators(tmp_path, fmt, ext):
    model = _odd_model()
    mp = tmp_path / "odd.yaml"
    save_model(model, mp)
    leads, acts = _odd_frames()
    if fmt == "csv":
        lp, ap = tmp_path / "leads.csv", tmp_path / "acts.csv"
        leads.to_csv(lp, index=False)
        acts.to_csv(ap, index=False)
    else:
        lp, ap = tmp_path / "leads.parquet", tmp_path / "acts.parquet"
        leads.to_parquet(lp, index=False)
        acts.to_parquet(ap, index=False)
    a, b = both_engines(tmp_path, mp, lp, ap, ext, "--as-of", "2026-06-30")
    assert_frames_equal(a, b, f"odd values {fmt} -> {ext}")
    fit = dict(zip(b["Lead ID"], b["fit_score"].astype(float)))
    assert fit["a1"] == 10 + 7 + 1.5 and fit["a,2"] == 10 + 1.5 and fit['a"3'] == 3
    assert fit["a4"] == 2  # no-break and em spaces stripped as Python strips them: "acme" in the map
    eng = dict(zip(b["Lead ID"], b["engagement_score"].astype(float)))
    assert eng["a,2"] == 2 + 5  # NO is false (no 4); seen in the window (2); one event (5): the 07-05 one is after the as-of moment
    # the default moment (no --as-of) is the pandas engine's too
    a, b = both_engines(tmp_path, mp, lp, ap, ext)
    assert_frames_equal(a, b, f"odd values {fmt} -> {ext}, default as-of")


# ---------------------------------------------------------------- random models and data
@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(model=S.models(max_rules=8), frames=S.lead_frames(max_leads=25, max_events=60))
def test_random_models_equal_pandas_engine(tmp_path_factory, model, frames):
    leads_raw, acts_raw, as_of = frames
    d = tmp_path_factory.mktemp("rand")
    lp, ap = d / "leads.csv", d / "acts.csv"
    leads_raw.to_csv(lp, index=False)
    acts_raw.to_csv(ap, index=False)
    data = bind(model, read_table(lp), read_table(ap), as_of=as_of, leads_source="leads.csv", activities_source="acts.csv")
    want = Scorer(model, data).frame()
    out = d / "out.parquet"
    res = score_files(model, lp, out, activities_path=ap, as_of=as_of, allow_missing=True)
    assert res.rows == len(want)
    assert_frames_equal(want, pd.read_parquet(out), "random model")


# ---------------------------------------------------------------- bad input: exit 2, file, row, column, what was expected
@pytest.fixture()
def small(tmp_path):
    leads = read_table(paths.sample_leads()).head(50)
    acts = read_table(paths.sample_activities())
    acts = acts[acts["lead_id"].isin(set(leads["lead_id"]))]
    lp, ap = tmp_path / "leads.csv", tmp_path / "acts.csv"
    leads.to_csv(lp, index=False)
    acts.to_csv(ap, index=False)
    return lp, ap, SAMPLE_MODELS[0]


def _score_err(capsys, *argv) -> str:
    capsys.readouterr()
    assert run_cli(*argv, "--engine", "duckdb") == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("error: ")
    return err


def _replace_cell(path: Path, row: int, column: str, value: str) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(path, index=False)


@pytest.mark.parametrize("column,value,expected", [
    ("company_size", "1,475", "is not a plain number"),
    ("created_at", "31.12.2026", "is not an ISO date"),
    ("annual_revenue", "inf", "is not a plain number"),
])
def test_unreadable_lead_value(tmp_path, small, capsys, column, value, expected):
    lp, ap, mp = small
    _replace_cell(lp, 6, column, value)
    err = _score_err(capsys, str(mp), str(lp), "--activities", str(ap), "-o", str(tmp_path / "o.csv"))
    assert f"leads.csv line 8, column {column}: '{value}' {expected}" in err
    assert not (tmp_path / "o.csv").exists()
    assert not list(tmp_path.glob(".o.csv*"))  # no temporary file left behind


def test_unreadable_boolean_and_event_time(tmp_path, capsys):
    model = _odd_model()
    mp = tmp_path / "odd.yaml"
    save_model(model, mp)
    leads, acts = _odd_frames()
    leads.loc[2, "opted in?"] = "maybe"
    lp, ap = tmp_path / "leads.parquet", tmp_path / "acts.csv"
    leads.to_parquet(lp, index=False)
    acts.to_csv(ap, index=False)
    err = _score_err(capsys, str(mp), str(lp), "--activities", str(ap), "--as-of", "2026-06-30", "-o", str(tmp_path / "o.parquet"))
    assert "leads.parquet row 3, column opted in?: 'maybe' is not a yes/no value" in err
    leads.loc[2, "opted in?"] = "y"
    leads.to_parquet(lp, index=False)
    acts.loc[3, "when"] = "last tuesday"
    acts.to_csv(ap, index=False)
    err = _score_err(capsys, str(mp), str(lp), "--activities", str(ap), "--as-of", "2026-06-30", "-o", str(tmp_path / "o.parquet"))
    assert "acts.csv line 5, column when: 'last tuesday' is not an ISO date" in err


def test_missing_columns_and_unsupported_options(tmp_path, small, capsys):
    lp, ap, mp = small
    df = pd.read_csv(lp, dtype=str)
    df.drop(columns=["industry"]).to_csv(tmp_path / "noind.csv", index=False)
    err = _score_err(capsys, str(mp), str(tmp_path / "noind.csv"), "--activities", str(ap), "-o", str(tmp_path / "o.csv"))
    assert "column 'industry' (attribute industry) is not in noind.csv" in err and "--allow-missing" in err
    assert run_cli(str(mp), str(tmp_path / "noind.csv"), "--activities", str(ap), "-o", str(tmp_path / "o.csv"), "--engine", "duckdb", "--allow-missing") == 0
    df.drop(columns=["lead_id"]).to_csv(tmp_path / "noid.csv", index=False)
    err = _score_err(capsys, str(mp), str(tmp_path / "noid.csv"), "-o", str(tmp_path / "o.csv"))
    assert "noid.csv: the lead id column 'lead_id' is missing" in err
    pd.read_csv(ap, dtype=str).drop(columns=["url"]).to_csv(tmp_path / "nourl.csv", index=False)
    err = _score_err(capsys, str(mp), str(lp), "--activities", str(tmp_path / "nourl.csv"), "-o", str(tmp_path / "o.csv"))
    assert "nourl.csv: the activity log lacks column(s) 'url' (detail)" in err
    err = _score_err(capsys, str(mp), str(lp), "--activities", str(ap), "--horizon-days", "30", "-o", str(tmp_path / "o.csv"))
    assert "--horizon-days is not supported with --engine duckdb" in err
    err = _score_err(capsys, str(mp), str(lp), "--activities", str(ap), "-o", str(tmp_path / "o.xlsx"))
    assert "write .csv or .parquet" in err
    df.to_excel(tmp_path / "leads.xlsx", index=False)
    err = _score_err(capsys, str(mp), str(tmp_path / "leads.xlsx"), "--activities", str(ap), "-o", str(tmp_path / "o.csv"))
    assert "CSV/TSV/TXT" in err and "--engine pandas" in err
    capsys.readouterr()
    assert cli.main(["score", "-q", str(mp), str(lp), "-o", str(tmp_path / "o.csv"), "--memory-limit", "1GB", "--allow-missing"]) == 2
    assert "only apply to --engine duckdb" in capsys.readouterr().err


def test_score_files_api_errors(tmp_path, small):
    lp, ap, mp = small
    model = load_model(mp)
    with pytest.raises(OutOfCoreError, match="write .csv or .parquet"):
        score_files(model, lp, tmp_path / "o.json", activities_path=ap)
    with pytest.raises(OutOfCoreError, match="not a size DuckDB understands"):
        score_files(model, lp, tmp_path / "o.csv", activities_path=ap, memory_limit="lots")
    res = score_files(model, lp, tmp_path / "o.csv", activities_path=ap, memory_limit="200MB", temp_directory=tmp_path / "spill", threads=1)
    assert res.rows == 50 and sum(res.status_counts.values()) == 50 and not res.as_of_given


def test_unreadable_files(tmp_path, small, capsys):
    lp, ap, mp = small
    (tmp_path / "empty.csv").write_text("")
    err = _score_err(capsys, str(mp), str(tmp_path / "empty.csv"), "-o", str(tmp_path / "o.csv"), "--allow-missing")
    assert "empty.csv is empty" in err
    (tmp_path / "x.parquet").write_text("not parquet")
    err = _score_err(capsys, str(mp), str(tmp_path / "x.parquet"), "-o", str(tmp_path / "o.csv"), "--allow-missing")
    assert "x.parquet: cannot be read as a Parquet file" in err
    lines = lp.read_text().splitlines()
    lines[30] += ",surplus"
    (tmp_path / "ragged.csv").write_text("\n".join(lines) + "\n")
    err = _score_err(capsys, str(mp), str(tmp_path / "ragged.csv"), "--activities", str(ap), "-o", str(tmp_path / "o.csv"))
    assert "ragged.csv" in err and ("line 31" in err or "number of fields" in err)
