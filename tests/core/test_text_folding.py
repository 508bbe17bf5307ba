"""One text folding everywhere (issue 21): the engine, DuckDB and SQLite agree on non-ASCII text.

Greek final sigma, Turkish dotted and dotless i, German sharp s, ligatures,
combining accents, NFC against NFD: a value always equals itself, a rule
written in capitals matches the same word in small letters, and the SQL
export scores every lead as the engine does.
"""
from __future__ import annotations

import sqlite3
import unicodedata

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzzing import examples
from leaddesigner.core.scoring import conditions as C
from leaddesigner.core.scoring.engine import Scorer, bind
from leaddesigner.core.model.types import Attribute, Leaf, Rule, ScoringModel, ValueMap
from leaddesigner.core.export.sqlexport import export_sql, sqlite_regexp

WORDS = ["İstanbul", "ISTANBUL", "ıstanbul", "ΟΔΟΣ", "οδος", "Οδός", "Straße", "STRASSE", "ﬁnance", "École", "ÉCOLE",
         unicodedata.normalize("NFD", "École"), "Ǆemal", "Kelvin", "Ωmega", "naïve", "NAÏVE", "plain", "PLAIN"]
TEXT = st.sampled_from(WORDS + [w.upper() for w in WORDS] + [w.lower() for w in WORDS])
OPS = ("equals", "not_equals", "in", "not_in", "contains", "not_contains", "starts_with", "ends_with")


def _nfc(x: str) -> str:
    return unicodedata.normalize("NFC", x)


@pytest.mark.parametrize("word", WORDS)
def test_a_value_always_equals_itself(word):
    s = pd.Series([word, word.upper(), word.lower(), "other"], dtype="str")
    for dtype in ("str", "category", object):
        got = C.leaf_mask(s.astype(dtype), "category", Leaf("x", "equals", word), 0)
        assert got[0] and not got[3], (word, dtype)
        # written in capitals or small letters, the rule still finds the word as written
        assert C.leaf_mask(s.astype(dtype), "category", Leaf("x", "equals", word.upper()), 0)[1]


def test_the_issues_examples():
    s = pd.Series(["İstanbul", "ΟΔΟΣ ΑΘΗΝΩΝ", "ΟΔΟΣ", "Norway"], dtype="str")
    assert C.leaf_mask(s, "category", Leaf("c", "in", ["İstanbul", "ΟΔΟΣ"]), 0).tolist() == [True, False, True, False]
    assert C.leaf_mask(s, "text", Leaf("c", "contains", "ΟΔΟΣ"), 0).tolist() == [False, True, True, False]
    assert C.leaf_mask(pd.Series(["STRASSE"], dtype="str"), "text", Leaf("c", "equals", "Straße"), 0).tolist() == [True]
    assert C.leaf_mask(pd.Series([unicodedata.normalize("NFD", "École")], dtype="str"), "text", Leaf("c", "equals", "école"), 0).tolist() == [True]


def _model(op: str, value, map_values: dict | None) -> ScoringModel:
    rules = [Rule("r", "r", "fit", 10, when=Leaf("c", op, value))]
    if map_values:
        rules.append(Rule("m", "m", "fit", map=ValueMap("c", values=map_values)))
    return ScoringModel(lead_id="id", attributes=[Attribute("c", "category")], rules=rules)


@settings(max_examples=examples(60), deadline=None)
@given(data=st.lists(TEXT, min_size=1, max_size=12), op=st.sampled_from(OPS), values=st.lists(TEXT, min_size=1, max_size=3),
       map_keys=st.lists(TEXT, max_size=3, unique=True))
def test_engine_duckdb_and_sqlite_agree(data, op, values, map_keys):
    value = values if op in ("in", "not_in") else values[0]
    m = _model(op, value, {k: float(i + 1) for i, k in enumerate(map_keys)} or None)
    leads = pd.DataFrame({"id": [f"L{i}" for i in range(len(data))], "c": data})
    eng = Scorer(m, bind(m, leads)).result.score
    duck = duckdb.connect()
    duck.register("leads", leads)
    got = duck.execute(export_sql(m, dialect="duckdb", as_of="2026-01-01")).df()["score"].to_numpy()
    np.testing.assert_allclose(got, eng, err_msg=f"duckdb {op} {value!r} on {data!r}")
    # SQLite folds ASCII only and normalises nothing: it agrees on ASCII-only text (said in the export's notes)
    if all(x.isascii() for x in data + values + map_keys):
        con = sqlite3.connect(":memory:")
        con.create_function("regexp", 2, sqlite_regexp, deterministic=True)
        leads.to_sql("leads", con, index=False)
        got = pd.read_sql_query(export_sql(m, dialect="sqlite", as_of="2026-01-01"), con)["score"].to_numpy()
        np.testing.assert_allclose(got, eng)


def test_export_warns_where_a_dialect_cannot_fold_like_the_engine(tmp_path, capsys):
    """SQLite folds ASCII only and no dialect but DuckDB normalises NFD: the export says which rules it affects."""
    from leaddesigner.cli import main
    from leaddesigner.core.model.io import save_model
    from leaddesigner.core.export.sqlexport import folding_notes

    m = _model("contains", "ÉCOLE", None)
    assert folding_notes(m, "duckdb") == []
    (note,) = folding_notes(m, "sqlite")
    assert "SQLite's LOWER folds ASCII letters only" in note and "rule r" in note
    assert folding_notes(_model("equals", "plain", {"Straße": 3.0}), "sqlite") == []  # ß is folded by the REPLACE
    assert folding_notes(_model("equals", "plain", None), "sqlite") == []
    nfd = _model("equals", unicodedata.normalize("NFD", "École"), None)
    assert any("does not normalise" in n for n in folding_notes(nfd, "postgres"))
    assert folding_notes(nfd, "duckdb") == []
    path = tmp_path / "m.yaml"
    save_model(m, path)
    assert main(["export", str(path), "--to", "sql", "--dialect", "sqlite", "-o", str(tmp_path / "q.sql")]) == 0
    assert "warning: SQLite's LOWER folds ASCII letters only" in capsys.readouterr().err
    assert main(["export", str(path), "--to", "sql", "--dialect", "duckdb", "-o", str(tmp_path / "q.sql")]) == 0
    assert "LOWER" not in capsys.readouterr().err
