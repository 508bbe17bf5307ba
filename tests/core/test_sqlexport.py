"""The SQL export runs on real engines and gives exactly what the Python engine gives.

DuckDB (in-process) and SQLite (Python's sqlite3) execute the exported query
over typed tables built from the same data the engine scores; every lead's
numbers must agree within 0.01 (both round to 2 decimals) and grade and status
must be equal (DuckDB exactly: it rounds half to even like the engine). Spark SQL runs in
tests/core/test_spark.py (``make test-spark``). The other dialects are rendered and parsed back by sqlglot.
"""
from __future__ import annotations

import math
import re
import sqlite3

import duckdb
import numpy as np
import pandas as pd
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings

from fuzzing import examples  # tests/ is on sys.path; see tests/fuzzing.py
from leaddesigner import paths
from leaddesigner.core.data.coerce import coerce_types
from leaddesigner.core.data.leadfile import read_table
from leaddesigner.core.export.sqlexport import (
    DIALECTS,
    SQLExportError,
    export_sql,
    model_hash,
    output_columns,
    sqlite_regexp,
)
from leaddesigner.core.model.io import load_model
from leaddesigner.core.model.types import (
    ActivityColumns,
    ActivitySpec,
    Attribute,
    Decay,
    Grades,
    Leaf,
    Not,
    Rule,
    ScoringModel,
    Thresholds,
    ValueMap,
)
from leaddesigner.core.scoring.engine import Scorer, bind

from . import strategies as S

SAMPLE_MODELS = sorted(paths.samples_dir().glob("*.yaml"))
TOL = 0.01 + 1e-9


# ---------------------------------------------------------------- tables as a warehouse holds them
def _sql_column(s: pd.Series, atype: str) -> pd.Series:
    if atype in ("category", "text"):
        obj = s.astype(object)
        return pd.Series([None if (v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA) else str(v) for v in obj], dtype=object)
    if atype == "number":
        return s.astype("float64")
    if atype == "boolean":
        return s.astype("boolean")
    return s.astype("datetime64[ns]")


def _sql_id(s: pd.Series) -> pd.Series:
    """Lead ids as a loader stores them: text, NULL when missing or blank (a blank id is no id)."""
    return pd.Series([None if v is None or (isinstance(v, float) and math.isnan(v)) or not str(v).strip() else str(v) for v in s.astype(object)], dtype=object)


def warehouse_tables(model: ScoringModel, data, activities: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Typed leads (file column names, from the bound data) and typed raw activities (unknown leads included)."""
    leads = {model.lead_id: _sql_id(pd.Series(data.ids.to_numpy(dtype=object), dtype=object))}
    for a in model.attributes:
        leads[model.column_for(a.name)] = _sql_column(data.frame[a.name].reset_index(drop=True), a.type)
    acts = None
    if activities is not None:
        cols = model.activities or ActivityColumns()
        types = {cols.timestamp: "date", cols.type: "category"}
        if cols.detail:
            types[cols.detail] = "category"
        typed, _ = coerce_types(activities[[c for c in [cols.lead_id, *types] if c in activities.columns]], types, source="activities", row_offset=2)
        acts = pd.DataFrame({cols.lead_id: _sql_id(activities[cols.lead_id])})
        acts[cols.timestamp] = typed[cols.timestamp].astype("datetime64[ns]").to_numpy()
        acts[cols.type] = _sql_column(typed[cols.type], "category").to_numpy()
        if cols.detail:
            acts[cols.detail] = _sql_column(typed[cols.detail], "category").to_numpy()
    return pd.DataFrame(leads), acts


def run_duckdb(sql: str, leads: pd.DataFrame, acts: pd.DataFrame | None, *, leads_name: str = "leads", acts_name: str = "activities") -> pd.DataFrame:
    con = duckdb.connect()
    try:
        con.register("leads_df", leads)
        con.execute(f'CREATE TABLE "{leads_name}" AS SELECT * FROM leads_df')
        if acts is not None:
            con.register("acts_df", acts)
            con.execute(f'CREATE TABLE "{acts_name}" AS SELECT * FROM acts_df')
        return con.execute(sql).df()
    finally:
        con.close()


def sqlite_connection(leads: pd.DataFrame, acts: pd.DataFrame | None) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    con.create_function("regexp", 2, sqlite_regexp, deterministic=True)
    lt = leads.copy()
    for c in lt.columns:
        if str(lt[c].dtype) == "boolean":  # 0/1 integers, NULL for missing
            lt[c] = lt[c].astype("Int64")
    lt.to_sql("leads", con, index=False)
    if acts is not None:
        acts.to_sql("activities", con, index=False)
    return con


def run_sqlite(sql: str, leads: pd.DataFrame, acts: pd.DataFrame | None) -> pd.DataFrame:
    con = sqlite_connection(leads, acts)
    try:
        return pd.read_sql_query(sql, con)
    finally:
        con.close()


def assert_same(model: ScoringModel, scorer: Scorer, out: pd.DataFrame, context: str = "", tol: float = TOL) -> None:
    """Every lead's row equals the engine's: numbers within ``tol`` (0 for DuckDB and Spark, which round
    half to even like the engine; 0.01 elsewhere: ROUND rounds an exact half away from zero)."""
    eng = scorer.frame()
    assert list(out.columns) == list(eng.columns) == output_columns(model), context
    assert len(out) == len(eng), f"{context}: {len(out)} rows from SQL, {len(eng)} from the engine"
    idc = model.lead_id
    # rows are matched by id: leads without an id or with a repeated id are left out (in SQL every row of a
    # repeated id gets that id's events, the engine gives them to the first row: a documented difference)
    def unique_rows(f: pd.DataFrame) -> pd.DataFrame:
        ids = _sql_id(f[idc])
        return f[(ids.notna() & ~ids.duplicated(keep=False)).to_numpy()]

    eng, out = unique_rows(eng), unique_rows(out)
    assert len(out) == len(eng), context
    out = out.set_index(out[idc].astype(str)).reindex(eng[idc].astype(str))
    assert out.index.notna().all() and out[idc].notna().all(), context
    for c in eng.columns[1:]:
        if c in ("grade", "status"):
            a = [None if pd.isna(v) else str(v) for v in eng[c].astype(object)]
            b = [None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in out[c].astype(object)]
            bad = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
            assert not bad, f"{context}: {c} differs for {len(bad)} leads, e.g. {eng[idc].iloc[bad[0]]}: engine {a[bad[0]]} SQL {b[bad[0]]}"
        else:
            x = eng[c].to_numpy(dtype=float)
            y = out[c].to_numpy(dtype=float)
            diff = np.abs(x - y)
            bad = np.flatnonzero(~(diff <= tol))
            assert len(bad) == 0, f"{context}: {c} differs for {len(bad)} leads, e.g. {eng[idc].iloc[bad[0]]}: engine {x[bad[0]]} SQL {y[bad[0]]}"


def _sample_data():
    leads_p, acts_p = paths.sample_leads(), paths.sample_activities()
    if not leads_p.exists() or not acts_p.exists():
        pytest.skip(f"sample data not written yet ({leads_p.parent})")
    return read_table(leads_p), read_table(acts_p)


def _generated_data():
    from leaddesigner.samples.generate import generate

    return generate(600, seed=11)


@pytest.fixture(scope="module")
def sample_data():
    return _sample_data()


@pytest.fixture(scope="module")
def generated_data():
    return _generated_data()


def _models():
    if not SAMPLE_MODELS:
        pytest.skip("no sample models yet (sample_models/*.yaml)")
    return [load_model(p) for p in SAMPLE_MODELS]


# ---------------------------------------------------------------- sample models on real engines
@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
def test_sample_models_on_sample_data(engine, sample_data):
    leads_raw, acts_raw = sample_data
    for model in _models():
        data = bind(model, leads_raw, acts_raw)
        scorer = Scorer(model, data)
        leads, acts = warehouse_tables(model, data, acts_raw)
        sql = export_sql(model, dialect=engine, as_of=data.as_of)
        out = (run_duckdb if engine == "duckdb" else run_sqlite)(sql, leads, acts)
        assert_same(model, scorer, out, f"{model.name} on {engine}", tol=0 if engine == "duckdb" else TOL)


@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
@pytest.mark.parametrize("as_of", ["2026-05-15", "2026-07-01 13:30:00", "2026-09-30"])
def test_sample_models_on_generated_data(engine, as_of, generated_data):
    leads_raw, acts_raw = generated_data
    for model in _models():
        data = bind(model, leads_raw, acts_raw, as_of=as_of)
        scorer = Scorer(model, data)
        leads, acts = warehouse_tables(model, data, acts_raw)
        sql = export_sql(model, dialect=engine, as_of=as_of)
        out = (run_duckdb if engine == "duckdb" else run_sqlite)(sql, leads, acts)
        assert_same(model, scorer, out, f"{model.name} on {engine} as of {as_of}", tol=0 if engine == "duckdb" else TOL)


# ---------------------------------------------------------------- random models and data
@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(model=S.models(max_rules=10), frames=S.lead_frames(messy_ids=True))
def test_random_models_duckdb(model, frames):
    leads_raw, acts_raw, as_of = frames
    data = bind(model, leads_raw, acts_raw, as_of=as_of)
    scorer = Scorer(model, data)
    leads, acts = warehouse_tables(model, data, acts_raw)
    sql = export_sql(model, dialect="duckdb", as_of=as_of)
    assert_same(model, scorer, run_duckdb(sql, leads, acts), "random model on duckdb", tol=0)


def _ascii_only(model, leads_raw, acts_raw) -> bool:
    text = repr(model) + leads_raw.to_csv() + acts_raw.to_csv()
    return text.isascii()


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(model=S.models(max_rules=8), frames=S.lead_frames(max_leads=15, max_events=30, messy_ids=True))
def test_random_models_sqlite(model, frames):
    from hypothesis import assume

    leads_raw, acts_raw, as_of = frames
    assume(_ascii_only(model, leads_raw, acts_raw))  # SQLite's LOWER() only folds ASCII (documented)
    data = bind(model, leads_raw, acts_raw, as_of=as_of)
    scorer = Scorer(model, data)
    leads, acts = warehouse_tables(model, data, acts_raw)
    sql = export_sql(model, dialect="sqlite", as_of=as_of)
    assert_same(model, scorer, run_sqlite(sql, leads, acts), "random model on sqlite")


# ---------------------------------------------------------------- injection, quoting, odd values
EVIL = "O'Brien; DROP TABLE leads --"


def _evil_model() -> ScoringModel:
    return ScoringModel(
        name="evil */ DROP TABLE leads; /* model",
        version="1'; --",
        lead_id="lead id",
        columns={"company": "Company's \"Name\"", "note": "select"},
        attributes=[Attribute("company", "category"), Attribute("note", "text"), Attribute("seen", "date")],
        activities=ActivityColumns("who", "when", "order", None),
        rules=[
            Rule("evil_eq", "equals evil", "fit", 10, when=Leaf("company", "equals", EVIL)),
            Rule("pct", "literal percent", "fit", 5, when=Leaf("note", "contains", "50%_off")),
            Rule("under", "underscore prefix", "fit", 3, when=Leaf("note", "starts_with", ["a_b", "x\\y"])),
            Rule("tail", "quote suffix", "fit", 2, when=Leaf("note", "ends_with", "--'")),
            Rule("not_evil", "not evil", "fit", 1, when=Not(Leaf("company", "in", [EVIL, "Acme"]))),
            Rule("rx", "regex quote", "fit", 7, when=Leaf("note", "regex", r"^it's\b")),
            Rule(
                "ev",
                "evil events",
                "engagement",
                4,
                activity=ActivitySpec(Leaf("type", "equals", "x'); DELETE FROM activities; --"), 30, 8, Decay(half_life_days=7)),
            ),
        ],
        products=["it's"],
        grades=Grades({"A'": 10, "B--": None}, {"1;": 3, "2": None}, ["A'1;"]),
        thresholds=Thresholds(5, 15),
    )


def _evil_frames():
    leads = pd.DataFrame(
        {
            "lead id": ["1", "2", "3", "4", "5"],
            "Company's \"Name\"": [EVIL, "o'brien; drop table leads --", "Acme", None, "50%_off"],
            "select": ["50%_off now", "50xyoff", "a_b c", "axb c", "it's here --'"],
            "seen": ["2026-01-01", None, "2026-02-01", "2026-02-02", "2026-02-03"],
        }
    )
    acts = pd.DataFrame(
        {
            "who": ["1", "1", "2", "9"],
            "when": ["2026-02-20 10:00:00", "2026-02-25 10:00:00", "2026-02-25 10:00:00", "2026-02-25 10:00:00"],
            "order": ["x'); DELETE FROM activities; --", "X'); delete from activities; --", "page_view", "x'); DELETE FROM activities; --"],
        }
    )
    return leads, acts


@pytest.mark.parametrize("engine", ["duckdb", "sqlite"])
def test_injection_values_are_literals(engine):
    model = _evil_model()
    model.rules[5].product = "it's"
    leads_raw, acts_raw = _evil_frames()
    as_of = "2026-02-28"
    data = bind(model, leads_raw, acts_raw, as_of=as_of)
    scorer = Scorer(model, data)
    leads, acts = warehouse_tables(model, data, acts_raw)
    sql = export_sql(model, dialect=engine, as_of=as_of)
    assert "DROP TABLE leads; /*" not in sql and "*/ DROP" not in sql
    if engine == "duckdb":
        con = duckdb.connect()
        con.register("l_df", leads)
        con.register("a_df", acts)
        con.execute("CREATE TABLE leads AS SELECT * FROM l_df")
        con.execute("CREATE TABLE activities AS SELECT * FROM a_df")
        out = con.execute(sql).df()
        assert con.execute("SELECT COUNT(*) FROM leads").fetchone()[0] == 5
        assert con.execute("SELECT COUNT(*) FROM activities").fetchone()[0] == 4
    else:
        con = sqlite_connection(leads, acts)
        out = pd.read_sql_query(sql, con)
        assert con.execute("SELECT COUNT(*) FROM leads").fetchone()[0] == 5
        assert con.execute("SELECT COUNT(*) FROM activities").fetchone()[0] == 4
    assert_same(model, scorer, out, f"injection on {engine}")
    fit = dict(zip(out["lead id"].astype(str), out["fit_score"]))
    # lead 1: the evil company (10) and '50%_off' literally (5); lead 2 matches case-insensitively but not '50%_off'
    assert fit["1"] == 15 and fit["2"] == 10
    # lead 3: 'a_b' prefix (3) + not evil (1); lead 4: 'axb' is no match for 'a_b' (the _ is literal), company missing
    assert fit["3"] == 3 and fit["4"] == 1
    assert fit["5"] == 1 + 2 + 7
    eng = dict(zip(out["lead id"].astype(str), out["engagement_score"]))
    assert eng["1"] > 0 and eng["2"] == 0


def test_table_names_are_identifiers():
    model = _evil_model()
    sql = export_sql(model, dialect="duckdb", leads_table='my"leads; DROP', activities_table="crm.events", as_of="2026-02-28")
    tree = sqlglot.parse_one(sql, read="duckdb")
    tables = sorted({t.name for t in tree.find_all(sqlglot.exp.Table)})
    assert 'my"leads; DROP' in tables and "events" in tables
    with pytest.raises(SQLExportError):
        export_sql(model, leads_table="a..b")


# ---------------------------------------------------------------- every dialect renders
def _all_models():
    models = [_evil_model()]
    if SAMPLE_MODELS:
        models += [load_model(p) for p in SAMPLE_MODELS]
    return models


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_renders(dialect):
    for model in _all_models():
        for as_of in (None, "2026-06-30"):
            sql = export_sql(model, dialect=dialect, as_of=as_of)
            assert model_hash(model) in sql
            tree = sqlglot.parse_one(sql, read=dialect)  # valid in that dialect's grammar
            assert isinstance(tree, sqlglot.exp.Select)
            names = [e.alias_or_name for e in tree.expressions]
            assert names == output_columns(model)
            compact = export_sql(model, dialect=dialect, as_of=as_of, pretty=False)
            assert "\n" not in compact.split("*/")[-1]


def test_dialect_specifics():
    m = load_model(SAMPLE_MODELS[0]) if SAMPLE_MODELS else _evil_model()
    assert "CURRENT_TIMESTAMP" in export_sql(m, dialect="duckdb")
    assert "GETDATE()" in export_sql(m, dialect="tsql")
    assert "DATEDIFF(SECOND" in export_sql(m, dialect="snowflake", as_of="2026-01-01")
    assert "STRFTIME('%s'" in export_sql(_evil_model(), dialect="sqlite", as_of="2026-01-01")
    sf = export_sql(_evil_model(), dialect="snowflake", as_of="2026-01-01")
    assert "REGEXP_LIKE" in sf and ".*(^it''s\\\\b).*" in sf.replace("\\'", "''")
    pg = export_sql(_evil_model(), dialect="postgres", as_of="2026-01-01")
    assert "~*" in pg and "ROUND(CAST(" in pg
    bq = export_sql(_evil_model(), dialect="bigquery", as_of="2026-01-01")
    assert "REGEXP_CONTAINS" in bq and "(?i)" in bq
    with pytest.raises(SQLExportError):
        export_sql(m, dialect="oracle")


def test_header_names_model_version_hash_and_date():
    m = _evil_model()
    sql = export_sql(m, dialect="duckdb", as_of="2026-02-28")
    head = sql.split("WITH", 1)[0]
    assert "evil * / DROP TABLE leads; / * model" in head
    assert re.search(r"sha256 [0-9a-f]{12}\b", head)
    assert re.search(r"generated \d{4}-\d{2}-\d{2}", head)
    assert "version 1'; --" in head
    # the header is comments only: the statement starts after it
    assert sqlglot.parse_one(sql, read="duckdb").sql(comments=False).startswith("WITH")


def test_as_of_current_timestamp_runs_in_duckdb():
    model = _evil_model()
    leads_raw, acts_raw = _evil_frames()
    data = bind(model, leads_raw, acts_raw, as_of="2026-02-28")
    leads, acts = warehouse_tables(model, data, acts_raw)
    out = run_duckdb(export_sql(model, dialect="duckdb"), leads, acts)
    assert len(out) == 5
    # today is after every event's window: only lead attributes count
    assert (out["engagement_score"] == 0).all()


def test_empty_model_and_no_activity_rules():
    m = ScoringModel(name="empty", attributes=[Attribute("x", "number")], rules=[], thresholds=Thresholds(0))
    leads = pd.DataFrame({"lead_id": ["a", "b"], "x": [1.0, None]})
    data = bind(m, leads)
    out = run_duckdb(export_sql(m, as_of="2026-01-01"), *warehouse_tables(m, data, None))
    assert_same(m, Scorer(m, data), out, "empty model")
    assert set(out["status"]) == {"MQL"}


def test_boolean_maps_and_persona_on_sqlite_and_duckdb():
    m = ScoringModel(
        name="bool",
        attributes=[Attribute("opt", "boolean"), Attribute("role", "category"), Attribute("n", "number")],
        persona=__import__("leaddesigner.core.model.types", fromlist=["Persona"]).Persona("role", {"Buyer": 2.0, "user": 0.5}, 0.75),
        rules=[
            Rule("m", "opt map", "engagement", map=ValueMap("opt", values={"yes": 4, "false": -2})),
            Rule("e", "opt eq", "fit", 3, when=Leaf("opt", "equals", True)),
            Rule("ne", "opt ne", "engagement", 5, when=Leaf("opt", "not_equals", True)),
            Rule("nn", "n not in", "fit", 1, when=Not(Leaf("n", "not_in", [1, 2]))),
        ],
        thresholds=Thresholds(3, 6),
    )
    leads = pd.DataFrame({"lead_id": list("abcdef"), "opt": ["yes", "no", None, "TRUE", "0", None], "role": ["buyer", "USER", None, "x", "Buyer", "user"], "n": [1, 3, None, 2, None, 5]})
    data = bind(m, leads)
    scorer = Scorer(m, data)
    tables = warehouse_tables(m, data, None)
    for engine in ("duckdb", "sqlite"):
        sql = export_sql(m, dialect=engine, as_of="2026-01-01")
        out = (run_duckdb if engine == "duckdb" else run_sqlite)(sql, *tables)
        assert_same(m, scorer, out, f"booleans on {engine}")


def test_persona_on_a_number_column():
    from leaddesigner.core.model.types import Persona

    m = ScoringModel(
        name="numeric persona",
        attributes=[Attribute("tier", "number"), Attribute("seen", "boolean")],
        persona=Persona("tier", {"1": 2.0, "2.5": 0.5, "3.0": 9.0, "x": 4.0}, 0.75),
        rules=[Rule("e", "seen", "engagement", 10, when=Leaf("seen", "equals", True)), Rule("f", "fit", "fit", 1, when=Leaf("seen", "is_not_empty"))],
        thresholds=Thresholds(5, 15),
    )
    leads = pd.DataFrame({"lead_id": list("abcdef"), "tier": [1, 2.5, 3, None, 7, 1], "seen": ["yes", "yes", "yes", "yes", "yes", "no"]})
    data = bind(m, leads)
    scorer = Scorer(m, data)
    tables = warehouse_tables(m, data, None)
    for engine in ("duckdb", "sqlite"):
        out = (run_duckdb if engine == "duckdb" else run_sqlite)(export_sql(m, dialect=engine, as_of="2026-01-01"), *tables)
        assert_same(m, scorer, out, f"numeric persona on {engine}")
    # "3.0" is not how the engine writes 3.0 ("3"): the default weight applies
    assert list(scorer.frame()["engagement_score"]) == [20.0, 5.0, 7.5, 7.5, 7.5, 0.0]


# ---------------------------------------------------------------- engine fast paths (text on Arrow strings)
REGEXES = [r"\.edu$", r"^(vp|director|head)\b", "c.o", "(ceo|cfo)", r"\(bi\)", "^[a-z ]+$", r"\d{2,}", r"a{,2}b", r"(a)\1",
           r"(?i)ab", r"(?=a)b", r"[[:alpha:]]+", r"\s", r"\w+@\w+", "", "^$", "a|", r"\x41", "[^a-z]", r"(?:ab)+c?", r"\bab\B"]


#: patterns Python's re reads differently from RE2 even on ASCII text (RE2 is the rules' dialect)
_NOT_PYTHON = {r"a{,2}b", r"[[:alpha:]]+"}


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")
@pytest.mark.parametrize("ascii_only", [True, False])
def test_engine_text_paths_agree_and_regex_is_re2(ascii_only):
    """Every text path (big Arrow column, dictionary, object dtype) gives the same answers; regex is RE2 everywhere.

    On printable ASCII text RE2 and Python's re agree (checked); patterns RE2 refuses
    (look-around, back-references) are an error, never a slow fallback.
    """
    import random
    import string

    from leaddesigner.core.scoring import conditions as C

    rng = random.Random(3)
    alphabet = string.ascii_letters + string.digits + " .@-_()|\\'" + ("" if ascii_only else "ÄäİıßK\u212a\x0b\n")
    vals = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(60_000)] + [None] * 50
    for strings in (pd.Series(vals, dtype="str"), pd.Series([rng.choice(vals[:300]) for _ in range(60_000)], dtype="str")):  # unique-ish / few distinct
        py = [None if v is None or (isinstance(v, float) and v != v) else v for v in strings.astype(object)]
        for pat in REGEXES:
            for cs in (True, False):
                leaf = Leaf("t", "regex", pat, cs)
                if C.regex_problem(pat) is not None:
                    with pytest.raises(ValueError, match="not supported|not a valid RE2"):
                        C.leaf_mask(strings, "text", leaf, 0)
                    continue
                got = C.leaf_mask(strings, "text", leaf, 0)
                assert np.array_equal(got, C._text_values(strings.astype(object), "regex", pat, cs)), (pat, cs)
                assert np.array_equal(got, C.leaf_mask(strings.astype("category"), "category", leaf, 0)), (pat, cs)
                if ascii_only and pat not in _NOT_PYTHON:
                    rx = re.compile(pat, 0 if cs else re.IGNORECASE)
                    want = np.array([v is not None and rx.search(v) is not None for v in py])
                    assert np.array_equal(got, want), (pat, cs)
        for op, value in [("contains", ["a", "."]), ("starts_with", ["ab", "x"]), ("ends_with", "z"), ("in", ["ab", "AB", "a b"]), ("not_contains", "e"), ("not_in", ["ab"])]:
            for cs in (True, False):
                got = C.leaf_mask(strings, "text", Leaf("t", op, value, cs), 0)
                old = C._text_values(strings.astype(object), op, value, cs)  # the pandas (object dtype) path
                assert np.array_equal(got, old), (op, value, cs)


def test_a_catastrophic_pattern_runs_in_linear_time():
    """(a+)+$ over long non-ASCII values: a backtracking engine needs minutes, RE2 milliseconds."""
    import time

    from leaddesigner.core.scoring import conditions as C

    s = pd.Series(["a" * 40 + "é!"] * 20_000 + ["aaaa"], dtype="str")
    t0 = time.perf_counter()
    got = C.leaf_mask(s, "text", Leaf("t", "regex", "(a+)+$", True), 0)
    assert got.sum() == 1 and time.perf_counter() - t0 < 5  # a hang is what is tested, not a speed


def _half_model() -> tuple[ScoringModel, pd.DataFrame]:
    """Scores on an exact half of a cent (330.125, 0.125, 2.5 + 0.005 ...): the engine rounds half to even."""
    m = ScoringModel(
        name="halves",
        attributes=[Attribute("x", "number")],
        rules=[
            Rule("a", "a", "fit", 330.125, when=Leaf("x", "gte", 1)),
            Rule("b", "b", "engagement", 0.125, when=Leaf("x", "gte", 2)),
            Rule("c", "c", "engagement", -2.675, when=Leaf("x", "gte", 3)),
        ],
        thresholds=Thresholds(100, 400),
    )
    return m, pd.DataFrame({"lead_id": list("abcd"), "x": [0, 1, 2, 3]})


def test_rounding_half_to_even_like_the_engine():
    m, leads = _half_model()
    data = bind(m, leads)
    scorer = Scorer(m, data)
    eng = scorer.frame()
    assert list(eng["fit_score"])[1] == 330.12  # np.round: rint(33012.5) / 100
    out = run_duckdb(export_sql(m, dialect="duckdb", as_of="2026-01-01"), *warehouse_tables(m, data, None))
    assert_same(m, scorer, out, "halves on duckdb", tol=0)
    assert "ROUND_EVEN(" in export_sql(m, dialect="duckdb") and "BROUND(" in export_sql(m, dialect="spark")
    # SQLite's ROUND rounds an exact half away from zero: within 0.01 (documented)
    out = run_sqlite(export_sql(m, dialect="sqlite", as_of="2026-01-01"), *warehouse_tables(m, data, None))
    assert_same(m, scorer, out, "halves on sqlite")


def test_row_order_returns_rows_in_the_order_of_a_column():
    m, leads = _half_model()
    data = bind(m, leads)
    tables = warehouse_tables(m, data, None)
    t = tables[0].assign(ord=[4, 2, 3, 1])
    sql = export_sql(m, dialect="duckdb", as_of="2026-01-01", row_order="ord")
    out = run_duckdb(sql, t, None)
    assert list(out["lead_id"]) == ["d", "b", "c", "a"] and list(out.columns) == output_columns(m)


def test_explain_shows_the_event_scan_filtered_by_time(sample_data):
    """When every activity rule has a window and the query has an as-of moment, the events older than the
    longest window are cut by a plain range on the timestamp column, which DuckDB pushes into the scan of the
    activity table (the plan's 'Filters'); on the warehouse clock the filter is the age in seconds. The scores
    stay equal to the engine's."""
    import copy

    leads_raw, acts_raw = sample_data
    m = copy.deepcopy(load_model(paths.samples_dir() / "enterprise_fit_first.yaml"))
    for r in m.rules:
        if r.kind == "activity" and r.activity.within_days is None:
            r.activity.within_days = 60
    as_of = "2026-08-31"
    data = bind(m, leads_raw, acts_raw, as_of=as_of)
    leads, acts = warehouse_tables(m, data, acts_raw)
    longest = max(r.activity.within_days for r in m.rules if r.kind == "activity")
    cutoff = (pd.Timestamp("2026-09-01") - pd.Timedelta(days=longest, seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
    sql = export_sql(m, dialect="duckdb", as_of=as_of)
    assert f"a.timestamp >= CAST('{cutoff}' AS TIMESTAMP)" in sql
    con = duckdb.connect()
    try:
        con.register("leads_df", leads)
        con.register("acts_df", acts)
        con.execute("CREATE TABLE leads AS SELECT * FROM leads_df")
        con.execute('CREATE TABLE activities AS SELECT lead_id, CAST("timestamp" AS TIMESTAMP) AS "timestamp", type, url FROM acts_df')
        plan = "\n".join(row[1] for row in con.execute("EXPLAIN " + sql).fetchall())
        scan = plan[plan.index("Table: memory.main.activities"):]
        scan = scan[:scan.index("rows")]
        flat = "".join(scan.split()).replace("│", "")
        assert "Filters:" in flat and "timestamp>='" + cutoff.replace(" ", "") + "'::TIMESTAMP" in flat
        older = int((acts["timestamp"] < pd.Timestamp(cutoff)).sum())
        assert older > 1000  # the filter has work to do on this data
        out = con.execute(sql).df()
    finally:
        con.close()
    assert_same(m, Scorer(m, data), out, "time-filtered events", tol=0)
    # on the warehouse clock there is no portable timestamp arithmetic: the filter is the age
    assert "DATE_DIFF('SECOND', a.timestamp, CAST(CURRENT_TIMESTAMP AS TIMESTAMP)) <= " in export_sql(m, dialect="duckdb")
