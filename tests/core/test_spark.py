"""The spark dialect of the SQL export runs on Spark SQL (PySpark, local mode) and equals the Python engine.

Spark is big (PySpark ~300 MB, a JVM): these tests run with ``make test-spark``
(which installs the ``spark`` extra and sets ``LEADDESIGNER_TEST_SPARK=1``;
CI calls it after ``make test``). A plain ``pytest`` skips them with that reason.

Tables are built from the same typed frames as the DuckDB/SQLite tests
(:func:`tests.core.test_sqlexport.warehouse_tables`): ids and text as
``STRING``, numbers ``DOUBLE``, booleans ``BOOLEAN``, dates ``TIMESTAMP``
(cast from ISO text in a UTC session, so that no Python-side time-zone
conversion is involved). Rows are collected as Python values (no pandas
round-trip through Arrow, which PySpark does not support for pandas 3 yet).
"""
from __future__ import annotations

import math
import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from fuzzing import examples  # tests/ is on sys.path; see tests/fuzzing.py

if os.environ.get("LEADDESIGNER_TEST_SPARK") != "1":
    pytest.skip("Spark tests run with `make test-spark` (set LEADDESIGNER_TEST_SPARK=1 and install the 'spark' extra)", allow_module_level=True)
pytest.importorskip("pyspark", reason="PySpark is not installed: pip install -e '.[spark]' (or `make test-spark`)")

from leaddesigner.core.export.sqlexport import export_sql, output_columns  # noqa: E402
from leaddesigner.core.model.types import Attribute, Leaf, Rule, ScoringModel, Thresholds, ValueMap  # noqa: E402
from leaddesigner.core.scoring.engine import Scorer, bind  # noqa: E402

from . import strategies as S  # noqa: E402
from .test_sqlexport import (  # noqa: E402
    EVIL,
    _evil_frames,
    _evil_model,
    _generated_data,
    _models,
    _sample_data,
    assert_same,
    warehouse_tables,
)

# createDataFrame checks the pandas version even without pandas data; no pandas interop is used here
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("leaddesigner-sql-export-test")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .config("spark.log.level", "ERROR")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC -XX:+UseSerialGC")
        .config("spark.sql.adaptive.enabled", "false")  # small data: skip the re-planning
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


# ---------------------------------------------------------------- tables and running
def _spark_type(dtype) -> str:
    s = str(dtype)
    if s == "float64":
        return "double"
    if s == "boolean":
        return "boolean"
    if s.startswith("datetime64"):
        return "timestamp"
    return "string"


def _py(v, kind: str):
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if kind == "timestamp":
        if pd.isna(v):
            return None
        t = pd.Timestamp(v)
        return t.strftime("%Y-%m-%d %H:%M:%S") + (f".{t.microsecond:06d}" if t.microsecond else "")
    if kind == "double":
        return float(v)
    if kind == "boolean":
        return bool(v)
    return str(v)


def spark_table(spark, name: str, frame: pd.DataFrame) -> None:
    """A temp view ``name`` with the frame's columns, typed for Spark (timestamps cast from ISO text in UTC)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    kinds = {c: _spark_type(frame[c].dtype) for c in frame.columns}
    fields = [T.StructField(c, {"double": T.DoubleType(), "boolean": T.BooleanType()}.get(k, T.StringType()), True) for c, k in kinds.items()]
    cols = [[_py(v, kinds[c]) for v in frame[c].astype(object)] for c in frame.columns]
    rows = list(zip(*cols)) if cols else []
    df = spark.createDataFrame(rows, T.StructType(fields))
    for c, k in kinds.items():
        if k == "timestamp":
            df = df.withColumn(c, F.col(f"`{c}`").cast("timestamp"))
    df.createOrReplaceTempView(name)


def run_spark(spark, sql: str, leads: pd.DataFrame, acts: pd.DataFrame | None) -> pd.DataFrame:
    spark_table(spark, "leads", leads)
    if acts is not None:
        spark_table(spark, "activities", acts)
    df = spark.sql(sql)
    names = df.columns
    rows = df.collect()
    out = pd.DataFrame([tuple(r) for r in rows], columns=names) if rows else pd.DataFrame({c: [] for c in names})
    for c in names[1:]:
        if c not in ("grade", "status"):  # ROUND of a double is a double; None -> NaN
            out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    return out


def _check(spark, model, leads_raw, acts_raw, as_of, context):
    data = bind(model, leads_raw, acts_raw, as_of=as_of)
    scorer = Scorer(model, data)
    leads, acts = warehouse_tables(model, data, acts_raw)
    sql = export_sql(model, dialect="spark", as_of=as_of if as_of is not None else data.as_of)
    out = run_spark(spark, sql, leads, acts)
    assert_same(model, scorer, out, context, tol=0)  # BROUND: half to even like the engine
    return out


# ---------------------------------------------------------------- sample models
def test_sample_models_on_sample_data(spark):
    leads_raw, acts_raw = _sample_data()
    for model in _models():
        _check(spark, model, leads_raw, acts_raw, None, f"{model.name} on spark")


@pytest.mark.parametrize("as_of", ["2026-05-15", "2026-07-01 13:30:00"])
def test_sample_models_on_generated_data(spark, as_of):
    leads_raw, acts_raw = _generated_data()
    for model in _models():
        _check(spark, model, leads_raw, acts_raw, as_of, f"{model.name} on spark as of {as_of}")


# ---------------------------------------------------------------- random models and data
@settings(max_examples=examples(int(os.environ.get("LEADDESIGNER_SPARK_EXAMPLES", "25"))), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(model=S.models(max_rules=10), frames=S.lead_frames(max_leads=25, max_events=60, messy_ids=True))
def test_random_models_spark(spark, model, frames):
    leads_raw, acts_raw, as_of = frames
    _check(spark, model, leads_raw, acts_raw, as_of, "random model on spark")


# ---------------------------------------------------------------- quoting: Spark string literals treat \ as an escape
def test_injection_and_backslashes_are_literals(spark):
    model = _evil_model()
    model.rules[5].product = "it's"
    quote_bs = "it's a \\ back\\'slash\\"  # a quote, a lone backslash, a backslash before a quote, one at the end
    model.rules.append(Rule("bs", "backslash value", "fit", 11, when=Leaf("company", "equals", quote_bs)))
    model.rules.append(Rule("bs2", "backslash contains", "fit", 13, when=Leaf("note", "contains", "\\'")))
    model.rules.append(Rule("bsmap", "backslash map", "fit", map=ValueMap("company", values={"A\\B": 17, quote_bs: 1})))
    leads_raw, acts_raw = _evil_frames()
    leads_raw = pd.concat(
        [leads_raw, pd.DataFrame({"lead id": ["6", "7", "8"], "Company's \"Name\"": [quote_bs, "a\\b", "it's a \\\\ back"],
                                  "select": ["x\\'y", "x'y", "x\\y"], "seen": [None, None, None]})],
        ignore_index=True,
    )
    out = _check(spark, model, leads_raw, acts_raw, "2026-02-28", "injection on spark")
    fit = dict(zip(out["lead id"].astype(str), out["fit_score"]))
    assert fit["1"] == 15 and fit["2"] == 10 and fit["3"] == 3 and fit["4"] == 1
    assert fit["6"] == 11 + 13 + 1 + 1  # equals, contains \' , map value, not evil
    assert fit["7"] == 17 + 1  # map is case-insensitive: a\b -> A\B
    assert fit["8"] == 3 + 1  # the note starts with x\y (rule under), not evil
    assert spark.sql("SELECT COUNT(*) FROM leads").collect()[0][0] == 8


def test_spark_specifics(spark):
    """Semantics where Spark differs from DuckDB: ANSI mode, integer division, NULL comparisons, || on NULL."""
    m = ScoringModel(
        name="spark specifics",
        attributes=[Attribute("n", "number"), Attribute("b", "boolean"), Attribute("c", "category"), Attribute("d", "date")],
        rules=[
            Rule("odd", "between", "fit", 2.5, when=Leaf("n", "between", [1, 3])),
            Rule("big", "gt", "fit", -7.25, when=Leaf("n", "gt", 1e12)),
            Rule("bt", "bool true", "fit", 3, when=Leaf("b", "equals", True)),
            Rule("bf", "bool not true", "engagement", 4, when=Leaf("b", "not_equals", True)),
            Rule("ne", "not c", "engagement", 1, when=Leaf("c", "not_equals", "x")),
            Rule("new", "recent", "engagement", 6, when=Leaf("d", "within_days", 7)),
            Rule("old", "old", "engagement", 5, when=Leaf("d", "older_than_days", 7)),
            Rule("bef", "before", "fit", 1, when=Leaf("d", "before", "2026-01-10")),
        ],
        thresholds=Thresholds(3, 8),
    )
    leads = pd.DataFrame({
        "lead_id": list("abcdefg"),
        "n": [1, 3, 3.0000001, None, 2e12, 7, 2],
        "b": ["yes", "no", None, "1", "0", None, "t"],
        "c": ["x", "X", None, "y", "x", "", "z"],
        "d": ["2026-01-14 23:59:59", "2026-01-08", None, "2026-01-15 00:00:00", "2026-01-07 23:59:59.5", "2026-01-16", "2025-12-31"],
    })
    _check(spark, m, leads, None, "2026-01-15", "spark specifics")
    # the as-of moment as a date and as a moment with microseconds
    _check(spark, m, leads, None, "2026-01-15 12:00:00.250000", "spark specifics (microseconds)")


def test_output_columns_and_header_on_spark(spark):
    leads_raw, acts_raw = _evil_frames()
    model = _evil_model()
    out = _check(spark, model, leads_raw, acts_raw, "2026-02-28", "evil on spark")
    assert list(out.columns) == output_columns(model)
    sql = export_sql(model, dialect="spark", as_of="2026-02-28")
    assert sql.lstrip().startswith("/* Lead scoring model:")
    assert EVIL.lower().replace("'", "\\'") in sql  # compared lowered; Spark escapes the quote with a backslash


def test_rounding_half_to_even_on_spark(spark):
    from .test_sqlexport import _half_model

    m, leads = _half_model()
    out = _check(spark, m, leads, None, "2026-01-01", "halves on spark")
    assert list(out["fit_score"])[1] == 330.12


# ---------------------------------------------------------------- accounts
def test_account_query_on_spark(spark):
    """The account roll-up of every sample model (and a top-N variant) equals the engine's on Spark."""
    from leaddesigner.core.export.account_sql import export_account_sql
    from leaddesigner.core.scoring.accounts import roll_up

    from .test_account_sql import VARIANTS, assert_same_accounts

    leads_raw, acts_raw = _sample_data()
    for model in _models():
        for variant in (None, VARIANTS["top 2, cap, roles, rules"] if model.attribute("persona") else None):
            data = bind(model, leads_raw, acts_raw, as_of="2026-08-31")
            res = roll_up(model, data, Scorer(model, data).full(), variant)
            leads, acts = warehouse_tables(model, data, acts_raw)
            out = run_spark(spark, export_account_sql(model, dialect="spark", as_of="2026-08-31", settings=variant), leads, acts)
            for c in ("contacts", "engaged", "roles_covered"):
                out[c] = out[c].astype("int64")
            assert_same_accounts(res.frame, out, f"{model.name} accounts on spark", tol=0)
