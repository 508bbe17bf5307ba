"""The engine and the exported SQL against a query written by hand for DuckDB (benchmarks/handwritten/).

    .venv/bin/python benchmarks/bench_handwritten.py [--data DIR] [--leads 1000000] [--repeat 3] [--format csv]

DIR holds ``leads.parquet`` and ``activities.parquet`` as ``leaddesigner generate --format parquet`` writes
them (default: generated once into /tmp/ld-bench-handwritten), and for ``--format csv`` also ``leads.csv``
and ``activities.csv`` (written by ``generate --format csv`` when missing). The model is the sample
"Enterprise, fit first", scored as of 2026-08-31 (the end of that day). The script

1. proves the hand-written query equal to the engine on every lead (score, fit, engagement, grade, status);
2. times, interleaved in one DuckDB connection over the same tables, the exported SQL and the hand-written
   query (the ratio is what a warehouse pays for the export);
3. times the whole job in child processes, Parquet (or CSV) in and Parquet out: ``leaddesigner score`` against
   DuckDB running the hand-written query over ``read_parquet`` (``read_csv``) into ``COPY ... TO``, with each
   child's peak memory, and checks that the two written files agree on every lead.

The last line is a JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "sample_models" / "enterprise_fit_first.yaml"
SQL = ROOT / "benchmarks" / "handwritten" / "enterprise_fit_first.sql"
AS_OF_DAY = "2026-08-31"
AS_OF = "2026-08-31 23:59:59.999999"  # the end of that day, as the engine reads --as-of 2026-08-31


def handwritten(leads: str, activities: str) -> str:
    return SQL.read_text().replace("{AS_OF}", AS_OF).replace("{LEADS}", leads).replace("{ACTIVITIES}", activities)


def child(argv: list[str]) -> tuple[float, float]:
    """Run ``argv``; its wall seconds and peak RSS in MB (rusage of exactly that process)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"{' '.join(argv[:4])} ... failed: {proc.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data")
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="what the whole job reads")
    args = ap.parse_args()
    import duckdb
    import numpy as np

    from leaddesigner import api
    from leaddesigner.core.export.sqlexport import export_sql

    data = Path(args.data or "/tmp/ld-bench-handwritten")
    leads_p, acts_p = data / "leads.parquet", data / "activities.parquet"
    if not leads_p.exists():
        subprocess.run([sys.executable, "-m", "leaddesigner", "generate", "--leads", str(args.leads), "--seed", "7",
                        "--format", "parquet", "-o", str(data), "-q"], check=True)

    # 3. the whole job, Parquet (or CSV) in and Parquet out, child processes (first: a child's peak memory
    #    counts what this process holds when it forks, so they run before anything is loaded here)
    if args.format == "csv":
        in_leads, in_acts = data / "leads.csv", data / "activities.csv"
        if not in_leads.exists():
            subprocess.run([sys.executable, "-m", "leaddesigner", "generate", "--leads", str(args.leads), "--seed", "7",
                            "--format", "csv", "-o", str(data), "-q"], check=True)
        # DuckDB sniffs the types from its default sample, as a user of it would (sample_size = -1 reads the files twice)
        read = "read_csv('{}', header = true)"
    else:
        in_leads, in_acts = leads_p, acts_p
        read = "read_parquet('{}')"
    out_dir = data / "out"
    out_dir.mkdir(exist_ok=True)
    copy_sql = handwritten(read.format(in_leads), read.format(in_acts))
    duck_out, ours_out = out_dir / f"duck_{args.format}.parquet", out_dir / f"ours_{args.format}.parquet"
    duck_job = (f"import duckdb; c = duckdb.connect(); c.execute('SET threads = 2'); "
                f"c.execute({('COPY (' + copy_sql + ') TO ' + repr(str(duck_out)) + ' (FORMAT PARQUET)')!r})")
    ours = [sys.executable, "-m", "leaddesigner", "score", "-q", str(MODEL), str(in_leads), "--activities", str(in_acts),
            "--as-of", AS_OF_DAY, "-o", str(ours_out)]
    runs: dict[str, list[tuple[float, float]]] = {"leaddesigner": [], "duckdb": []}
    for _ in range(args.repeat):
        runs["leaddesigner"].append(child(ours))
        runs["duckdb"].append(child([sys.executable, "-c", duck_job]))
    e2e = {k: (statistics.median(w for w, _ in v), max(m for _, m in v)) for k, v in runs.items()}
    fmt = args.format.capitalize() if args.format == "parquet" else "CSV"
    print(f"score, {fmt} to Parquet: leaddesigner {e2e['leaddesigner'][0]:.2f} s ({e2e['leaddesigner'][1]:.0f} MB), "
          f"DuckDB hand-written {e2e['duckdb'][0]:.2f} s ({e2e['duckdb'][1]:.0f} MB): DuckDB / leaddesigner "
          f"{e2e['duckdb'][0] / e2e['leaddesigner'][0]:.2f}x")
    written = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{ours_out}') o FULL JOIN read_parquet('{duck_out}') d USING (lead_id) "
        "WHERE o.lead_id IS NULL OR d.lead_id IS NULL OR abs(o.score - d.score) > 1e-9 OR o.grade IS DISTINCT FROM d.grade "
        "OR o.status IS DISTINCT FROM d.status").fetchone()[0]
    print(f"the two written files differ on {written} leads")
    # 1. equal on every lead
    eng = api.score(MODEL, leads_p, acts_p, as_of=AS_OF_DAY)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(f"CREATE TABLE leads AS SELECT * FROM read_parquet('{leads_p}')")
    con.execute(f"CREATE TABLE activities AS SELECT * FROM read_parquet('{acts_p}')")
    hand_sql = handwritten("leads", "activities")
    hand = con.execute(hand_sql).df().set_index("lead_id").reindex(eng["lead_id"].astype(str))
    same = {c: int((np.abs(eng[c].to_numpy(float) - hand[c].to_numpy(float)) > 1e-9).sum())
            for c in ("score", "fit_score", "engagement_score")}
    same.update({c: int((eng[c].astype(str).to_numpy() != hand[c].astype(str).to_numpy()).sum()) for c in ("grade", "status")})
    equal = not any(same.values())
    print(f"{len(eng):,} leads; hand-written query equal to the engine: {equal} (rows that differ per column: {same})")

    # 2. exported SQL against hand-written, same tables, interleaved
    exported = export_sql(api.load_model(MODEL), dialect="duckdb", as_of=AS_OF_DAY)
    times: dict[str, list[float]] = {"exported": [], "handwritten": []}
    for _ in range(args.repeat):
        for name, q in (("exported", exported), ("handwritten", hand_sql)):
            t0 = time.perf_counter()
            con.sql(q).to_arrow_table()
            times[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"DuckDB, same tables: exported {med['exported']:.2f} s, hand-written {med['handwritten']:.2f} s "
          f"({med['exported'] / med['handwritten']:.2f}x)")

    print(json.dumps({"leads": len(eng), "format": args.format, "equal": equal, "differ": same, "written_differ": written,
                      "duckdb_exported_s": round(med["exported"], 3), "duckdb_handwritten_s": round(med["handwritten"], 3),
                      "exported_over_handwritten": round(med["exported"] / med["handwritten"], 3),
                      "e2e_leaddesigner_s": round(e2e["leaddesigner"][0], 2), "e2e_leaddesigner_mb": round(e2e["leaddesigner"][1]),
                      "e2e_duckdb_s": round(e2e["duckdb"][0], 2), "e2e_duckdb_mb": round(e2e["duckdb"][1]),
                      "duckdb_over_leaddesigner": round(e2e["duckdb"][0] / e2e["leaddesigner"][0], 3),
                      "self_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
    return 0 if equal and not written else 1


if __name__ == "__main__":
    raise SystemExit(main())
