"""The account query gives, per account, exactly what the engine's roll-up gives (DuckDB and SQLite here,
Spark in test_spark.py): the sample models' own accounts sections and every way to combine, on the sample
data and on generated data, plus keys written in other scripts and an account key column."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import sqlglot

from leaddesigner.core.export.account_sql import ACCOUNT_SQL_COLUMNS, export_account_sql
from leaddesigner.core.export.sqlexport import DIALECTS
from leaddesigner.core.model.accounts import AccountRule, Accounts, BuyingGroup
from leaddesigner.core.model.types import Attribute, Leaf, Rule, ScoringModel, Thresholds
from leaddesigner.core.scoring.accounts import roll_up
from leaddesigner.core.scoring.engine import Scorer, bind, parse_as_of

from .test_sqlexport import _generated_data, _models, _sample_data, run_duckdb, run_sqlite, warehouse_tables

NUMBERS = ["contacts", "engaged", "roles_covered", "contact_points", "role_points", "rule_points", "score"]

#: settings that exercise every branch; the sample models' own sections are checked too
VARIANTS = {
    "top 2, cap, roles, rules": Accounts(
        combine="top_n", top_n=2, cap=150, buying_group=BuyingGroup("persona", ["Buyer", "influencer"], 7.5),
        rules=[AccountRule("big", Leaf("company_size", "gte", 1000), 25),
               AccountRule("comp", Leaf("email", "contains", "competitor"), -300)], mqa=90),
    "max of engagement": Accounts(combine="max", engaged_min=5, contact_score="engagement", mqa=30),
    "engaged, key column": Accounts(combine="engaged", cap=40, mqa=20, key="company"),
}


def assert_same_accounts(engine: pd.DataFrame, out: pd.DataFrame, context: str, tol: float = 0.011) -> None:
    assert list(out.columns) == ACCOUNT_SQL_COLUMNS, context
    assert len(out) == len(engine), f"{context}: {len(out)} accounts from SQL, {len(engine)} from the engine"
    e = engine.set_index("account")
    o = out.set_index("account").reindex(e.index)
    assert o.index.notna().all(), context
    for c in NUMBERS:
        x, y = e[c].to_numpy(dtype=float), o[c].to_numpy(dtype=float)
        bad = np.flatnonzero(~(np.abs(x - y) <= tol))
        assert len(bad) == 0, f"{context}: {c} differs for {len(bad)} accounts, e.g. {e.index[bad[0]]}: engine {x[bad[0]]} SQL {y[bad[0]]}"
    bad = np.flatnonzero(e["status"].to_numpy() != o["status"].to_numpy())
    assert len(bad) == 0, f"{context}: status differs for {e.index[bad[0]]}"


def _check(model, leads_raw, acts_raw, as_of, settings, engines=("duckdb", "sqlite")):
    at = parse_as_of(as_of)
    data = bind(model, leads_raw, acts_raw, as_of=at)
    res = roll_up(model, data, Scorer(model, data).full(), settings)
    leads, acts = warehouse_tables(model, data, acts_raw)
    a = settings or model.accounts
    if a is not None and a.key not in ("email_domain",) and a.key not in leads.columns:
        col = leads_raw[a.key].astype(object)
        leads[a.key] = [None if v is None or (isinstance(v, float) and math.isnan(v)) or not str(v).strip() else str(v).strip() for v in col]
    for name in engines:
        sql = export_account_sql(model, dialect=name, as_of=as_of, settings=settings)
        out = (run_duckdb if name == "duckdb" else run_sqlite)(sql, leads, acts)
        assert_same_accounts(res.frame, out, f"{model.name}, {name}, {settings and settings.combine}", tol=0 if name == "duckdb" else 0.011)
    return res


@pytest.fixture(scope="module")
def sample():
    return _sample_data()


def test_sample_models_own_sections(sample):
    leads, acts = sample
    for m in _models():
        assert m.accounts is not None, m.name
        res = _check(m, leads, acts, "2026-08-31", None)
        assert res.mqas > 20 and res.frame["contacts"].max() > 5  # real multi-contact accounts


@pytest.mark.parametrize("variant", VARIANTS, ids=VARIANTS.keys())
def test_every_way_to_combine(sample, variant):
    leads, acts = sample
    settings = VARIANTS[variant]
    m = _models()[list(VARIANTS).index(variant)]  # one sample model per variant
    if m.attribute("persona") is None:
        m = _models()[0]
    for _ in (0,):
        res = _check(m, leads, acts, "2026-08-31", settings)
        if settings.rules:
            assert res.rule_hits["comp"].sum() >= 3 and res.rule_hits["big"].sum() > 10


def test_generated_data_other_moment():
    leads, acts = _generated_data()
    for m in _models():
        _check(m, leads, acts, "2026-06-15 13:30:00", None)


def test_keys_in_other_scripts_and_free_mail():
    model = ScoringModel(
        name="intl", attributes=[Attribute("email", "text"), Attribute("role", "category"), Attribute("n", "number")],
        rules=[Rule("n", "n", "engagement", 10, when=Leaf("n", "gt", 0))], thresholds=Thresholds(10),
    )
    leads = pd.DataFrame({
        "lead_id": list("abcdefghi"),
        "email": ["Ελένη@ΕΤΑΙΡΕΙΑ.GR", "x@εταιρεια.gr", "y@Sirket.com.tr", "z@sirket.COM.TR", "w@GMAIL.com", "nomail",
                  "v@", None, "O'Brien@it's.ie"],
        "role": ["Αγοραστής", "αγοραστής", "buyer", "BUYER", "buyer", "buyer", "buyer", "buyer", "buyer"],
        "n": [1, 2, 3, 0, 5, 6, 7, 8, 9],
    })
    st = Accounts(buying_group=BuyingGroup("role", ["αγοραστής", "buyer"], 5), rules=[
        AccountRule("quote", Leaf("email", "contains", "it's"), 1)], mqa=15)
    # SQLite folds ASCII only: the Greek keys are checked on DuckDB
    res = _check(model, leads, None, "2026-03-01", st, engines=("duckdb",))
    f = res.frame.set_index("account")
    assert f["contacts"].to_dict() == {"εταιρεια.gr": 2, "sirket.com.tr": 2, "it's.ie": 1}
    assert f.loc["εταιρεια.gr", "roles_covered"] == 1 and f.loc["εταιρεια.gr", "score"] == 20 + 5
    assert f.loc["it's.ie", "rule_points"] == 1
    ascii_only = leads.iloc[2:].reset_index(drop=True)
    _check(model, ascii_only, None, "2026-03-01", st, engines=("sqlite",))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_renders_and_parses_back(dialect):
    m = _models()[0]
    sql = export_account_sql(m, dialect=dialect, as_of="2026-08-31", settings=VARIANTS["top 2, cap, roles, rules"])
    tree = sqlglot.parse_one(sql, read=dialect)
    assert tree.find(sqlglot.exp.Window) is not None  # ROW_NUMBER for the top contacts
    assert "accounts: Account score: the sum of the 2 best contacts' scores" in sql
