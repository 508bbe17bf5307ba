"""The exported SQL in DuckDB: events cut by a range on the timestamp column against the age in seconds.

    .venv/bin/python benchmarks/bench_sql_window.py --folder DIR [--repeat 5]

With ``--parquet`` the events are read from a Parquet file written in time order. DIR holds leads.csv and
activities.csv (``leaddesigner generate --leads 1000000 -o DIR``). The enterprise
sample model with a 60-day window on its one unwindowed activity rule (so every activity rule has a window),
as of the end of the data. Runs, interleaved in one DuckDB connection over the same typed tables, the
exported query as it is (``timestamp >= <as of - longest window>``, pushed into the scan) and the same query
with the filter written as before (``DATE_DIFF('SECOND', timestamp, as_of) <= longest``), checks they return
the same rows, prints medians and the ratio; the last line is a JSON object.
"""
from __future__ import annotations

import argparse
import copy
import json
import statistics
import time
from pathlib import Path

import pandas as pd


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--parquet", action="store_true",
                    help="read the events from a Parquet file (in time order, as exports are) instead of a DuckDB table")
    args = ap.parse_args()
    import duckdb

    from leaddesigner.core.data.leadfile import read_table
    from leaddesigner.core.export.sqlexport import export_sql
    from leaddesigner.core.model.io import load_model
    from leaddesigner.core.scoring import engine

    m = copy.deepcopy(load_model(Path(__file__).resolve().parents[1] / "sample_models" / "enterprise_fit_first.yaml"))
    for r in m.rules:
        if r.kind == "activity" and r.activity.within_days is None:
            r.activity.within_days = 60
    leads = read_table(Path(args.folder) / "leads.csv")
    events = read_table(Path(args.folder) / "activities.csv")
    data = engine.bind(m, leads, events)
    as_of = data.as_of
    lt = data.frame.copy()
    lt.insert(0, m.lead_id, data.ids.to_numpy(dtype=object))
    for c in lt.columns:
        if isinstance(lt[c].dtype, pd.CategoricalDtype):
            lt[c] = lt[c].astype(object)
    ev = events.copy()
    ev["timestamp"] = pd.to_datetime(ev["timestamp"])
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.register("leads_df", lt)
    con.register("ev_df", ev)
    con.execute("CREATE TABLE leads AS SELECT * FROM leads_df")
    if args.parquet:  # row groups carry min/max timestamps: a range filter skips the old ones unread
        pq = Path(args.folder) / "activities_typed.parquet"
        con.execute(f"COPY (SELECT lead_id, CAST(\"timestamp\" AS TIMESTAMP) AS \"timestamp\", type, url FROM ev_df "
                    f"ORDER BY \"timestamp\") TO '{pq}' (FORMAT PARQUET, ROW_GROUP_SIZE 100000)")
        con.execute(f"CREATE VIEW activities AS SELECT * FROM read_parquet('{pq}')")
    else:
        con.execute('CREATE TABLE activities AS SELECT lead_id, CAST("timestamp" AS TIMESTAMP) AS "timestamp", type, url FROM ev_df')

    new = export_sql(m, dialect="duckdb", as_of=as_of)
    longest = max(float(r.activity.within_days) for r in m.rules if r.kind == "activity") * 86400
    cutoff = (as_of - pd.Timedelta(seconds=longest + 1)).strftime("%Y-%m-%d %H:%M:%S")
    at = as_of.strftime("%Y-%m-%d %H:%M:%S") + (f".{as_of.microsecond:06d}" if as_of.microsecond else "")
    range_filter = f"a.timestamp >= CAST('{cutoff}' AS TIMESTAMP)"
    assert range_filter in new, "the export has no range filter on the timestamp"
    old = new.replace(range_filter, f"DATE_DIFF('SECOND', a.timestamp, CAST('{at}' AS TIMESTAMP)) <= {int(longest)}")
    older = con.execute(f"SELECT count(*) FROM activities WHERE timestamp < CAST('{cutoff}' AS TIMESTAMP)").fetchone()[0]
    total = con.execute("SELECT count(*) FROM activities").fetchone()[0]
    print(f"{len(lt):,} leads, {total:,} events ({older:,} older than the longest window, {longest / 86400:g} days)")

    times: dict[str, list[float]] = {"range": [], "age": []}
    outs = {}
    for _ in range(args.repeat):
        for name, sql in (("range", new), ("age", old)):
            t0 = time.perf_counter()
            outs[name] = con.execute(sql).df()
            times[name].append(time.perf_counter() - t0)
    a = outs["range"].sort_values(m.lead_id).reset_index(drop=True)
    b = outs["age"].sort_values(m.lead_id).reset_index(drop=True)
    same = bool(a.equals(b))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"range on the timestamp (exported)   median {med['range']:.3f} s  runs {[round(x, 3) for x in times['range']]}")
    print(f"age in seconds (before)             median {med['age']:.3f} s  runs {[round(x, 3) for x in times['age']]}")
    print(f"before / exported: {med['age'] / med['range']:.2f}x; same rows: {same}")
    print(json.dumps({"leads": len(lt), "events": total, "older": older, "range_s": round(med["range"], 3),
                      "age_s": round(med["age"], 3), "ratio": round(med["age"] / med["range"], 2), "same": same}))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
