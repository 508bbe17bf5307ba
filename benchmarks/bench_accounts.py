"""Accounts and health at scale: the engine's roll-up and `health` against DuckDB running the exported account query.

    .venv/bin/python benchmarks/bench_accounts.py --folder DIR [--repeat 3]

DIR holds leads.csv and activities.csv (``leaddesigner generate --leads 1000000 -o DIR``). On the same bound
data, in one run: the engine scoring every lead and rolling contacts up to accounts (the sample model's accounts
section), the roll-up alone, ``health`` (with the days to MQL), and DuckDB running the account query of the SQL
export over the same typed tables (loaded into DuckDB before timing). Checks that DuckDB and the engine give the
same accounts, then prints medians and ratios; the last line is a JSON object.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", default=str(Path(__file__).resolve().parents[1] / "sample_models" / "enterprise_fit_first.yaml"))
    args = ap.parse_args()
    import duckdb

    from leaddesigner.core.analysis.health import health
    from leaddesigner.core.data.leadfile import read_table
    from leaddesigner.core.export.account_sql import export_account_sql
    from leaddesigner.core.model.io import load_model
    from leaddesigner.core.scoring import engine
    from leaddesigner.core.scoring.accounts import roll_up

    m = load_model(args.model)
    leads = read_table(Path(args.folder) / "leads.csv")
    events = read_table(Path(args.folder) / "activities.csv")
    data = engine.bind(m, leads, events)
    print(f"{len(data):,} leads, {len(data.events):,} events, model {m.name}; as of {data.as_of}")

    def timed(fn):
        out, times = None, []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t0)
        return out, statistics.median(times)

    sc = engine.Scorer(m, data)
    res, t_rollup = timed(lambda: roll_up(m, data, sc.result))
    (_, res2), t_both = timed(lambda: (s := engine.Scorer(m, data), roll_up(m, data, s.result)))
    # health as the CLI and the app run it: each lead scored 30 days after creation, the scorer already built
    data30 = engine.bind(m, leads, events, horizon_days=30)
    sc30 = engine.Scorer(m, data30)
    h, t_health = timed(lambda: health(sc30))

    con = duckdb.connect()
    con.execute("SET threads = 2")
    lt = data.frame.copy()
    lt.insert(0, m.lead_id, data.ids.to_numpy(dtype=object))
    for c in lt.columns:
        if isinstance(lt[c].dtype, pd.CategoricalDtype):
            lt[c] = lt[c].astype(object)
    ev = events.copy()
    ev["timestamp"] = pd.to_datetime(ev["timestamp"])
    con.register("leads_df", lt)
    con.register("ev_df", ev)
    con.execute("CREATE TABLE leads AS SELECT * FROM leads_df")
    con.execute("CREATE TABLE activities AS SELECT * FROM ev_df")
    sql = export_account_sql(m, dialect="duckdb", as_of=data.as_of)
    out, t_duck = timed(lambda: con.execute(sql).df())
    e = res.frame.set_index("account")
    o = out.set_index("account").reindex(e.index)
    same = bool(len(out) == len(e) and np.allclose(e["score"], o["score"].astype(float), atol=0.011)
                and (e["status"].to_numpy() == o["status"].to_numpy()).all())
    print(f"accounts: {len(e):,} ({res.mqas:,} MQAs); DuckDB gives the same accounts: {same}")
    print(f"roll-up alone (engine)           {t_rollup:8.3f} s")
    print(f"score + roll-up (engine)         {t_both:8.3f} s")
    print(f"account query (DuckDB, 2 threads){t_duck:8.3f} s   engine is {t_duck / t_both:.1f}x faster")
    print(f"health (30-day horizon, days to MQL, inflation) {t_health:8.3f} s ({len(h.periods)} periods)")
    print(json.dumps({"leads": len(data), "accounts": len(e), "same": same, "rollup_s": round(t_rollup, 3),
                      "score_rollup_s": round(t_both, 3), "duckdb_s": round(t_duck, 3), "health_s": round(t_health, 3),
                      "ratio_duckdb_over_engine": round(t_duck / t_both, 2)}))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
