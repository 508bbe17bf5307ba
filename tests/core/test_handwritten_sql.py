"""The hand-written DuckDB query of benchmarks/handwritten/ (the peer the export and the engine are timed
against) stays equal to the engine on every sample lead, so its figures compare the same job."""
from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from leaddesigner import api, paths

ROOT = Path(__file__).resolve().parents[2]
SQL = ROOT / "benchmarks" / "handwritten" / "enterprise_fit_first.sql"


def test_handwritten_query_equals_the_engine(tmp_path):
    leads_p, acts_p = paths.sample_leads(), paths.sample_activities()
    if not leads_p.exists():
        pytest.skip("sample data not written yet")
    model = paths.samples_dir() / "enterprise_fit_first.yaml"
    eng = api.score(model, leads_p, acts_p, as_of="2026-08-31")
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TABLE leads AS SELECT * FROM read_csv_auto('{leads_p}')")
        con.execute(f"CREATE TABLE activities AS SELECT * FROM read_csv_auto('{acts_p}')")
        sql = (SQL.read_text().replace("{AS_OF}", "2026-08-31 23:59:59.999999")
               .replace("{LEADS}", "leads").replace("{ACTIVITIES}", "activities"))
        hand = con.sql(sql).df().set_index("lead_id").reindex(eng["lead_id"].astype(str))
    finally:
        con.close()
    assert len(hand) == len(eng) == 4000
    for c in ("score", "fit_score", "engagement_score"):
        assert np.array_equal(eng[c].to_numpy(float), hand[c].to_numpy(float)), c
    for c in ("grade", "status"):
        assert (eng[c].astype(str).to_numpy() == hand[c].astype(str).to_numpy()).all(), c
    assert (eng["status"] != "lead").sum() > 50  # the sample has MQLs and SQLs to agree on
