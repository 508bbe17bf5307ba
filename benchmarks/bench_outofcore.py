"""Out-of-core scoring benchmark: ``score --engine duckdb`` on 10 million leads vs the pandas engine.

    python benchmarks/bench_outofcore.py [--leads 10000000] [--pandas-sizes 1000000,2000000,4000000]
                                         [--chunk 1000000] [--dir /tmp/ld-bench-ooc] [--keep]

1. Generates leads and activities with ``core.generate`` in chunks of
   ``--chunk`` leads (each chunk its own seed, ids prefixed with the chunk
   number so they stay unique) and appends every chunk to Parquet files for
   each size (``leads_<N>.parquet``, ``activities_<N>.parquet``): the
   generator never holds more than one chunk.
2. Scores the largest size with ``leaddesigner score --engine duckdb``
   (``--memory-limit``, 2 threads) in a child process, and the pandas engine
   on each of ``--pandas-sizes`` (plus DuckDB on the largest of those, for a
   like-for-like ratio). Wall time and the child's own peak RSS
   (``os.wait4`` rusage: exactly that process) are recorded. A pandas run is
   stopped when its RSS passes ``--pandas-rss-limit-gb`` (the machine is
   shared): the report then says where it stopped.
3. Prints one JSON object (figures, ratios, the load average before and after,
   free disk) as the last line; the files are deleted unless ``--keep``.

Uses the sample model ``enterprise_fit_first.yaml`` (written for the
generator's columns: 24 rules, 7 activity rules with windows, decay and caps)
unless ``--model`` is given; ``--as-of`` is fixed so that both engines score the
same moment without a pass to find the latest date.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_child(argv: list[str], rss_limit_kb: int | None = None) -> dict:
    """Run ``argv``; wall time, peak RSS of exactly that process (wait4), exit status, whether it was stopped."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stopped = {"flag": False, "seen_kb": 0}

    def watch() -> None:
        while proc.poll() is None:
            kb = _rss_kb(proc.pid)
            stopped["seen_kb"] = max(stopped["seen_kb"], kb)
            if rss_limit_kb and kb > rss_limit_kb:
                stopped["flag"] = True
                proc.send_signal(signal.SIGKILL)
                return
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    readers = [
        threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True),
        threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True),
    ]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join()
    watcher.join(timeout=1)
    return {
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "user_s": round(usage.ru_utime, 2),
        "sys_s": round(usage.ru_stime, 2),
        "exit": proc.returncode,
        "stopped_at_rss_limit": stopped["flag"],
        "stderr_tail": "".join(err_chunks).strip().splitlines()[-3:],
    }


def generate_files(out: Path, total: int, sizes: list[int], chunk: int, events_per_lead: float, seed: int) -> dict[int, tuple[Path, Path, int]]:
    """Parquet files per size, appended chunk by chunk. Returns size -> (leads, activities, events)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from leaddesigner.samples.generate import generate

    out.mkdir(parents=True, exist_ok=True)
    sizes = sorted(set(sizes) | {total})
    writers: dict[int, list] = {}
    events = {n: 0 for n in sizes}
    schemas: dict[str, pa.Schema] = {}

    def fix(table: pa.Table, kind: str) -> pa.Table:
        # pandas picks the dictionary index width per chunk: one width for every chunk
        cols = []
        for f, col in zip(table.schema, table.columns):
            if pa.types.is_dictionary(f.type):
                col = col.cast(pa.dictionary(pa.int32(), pa.string()))
            cols.append(col)
        t = pa.table(cols, names=table.column_names)
        if kind in schemas:
            t = t.cast(schemas[kind])
        else:
            schemas[kind] = t.schema.remove_metadata()
            t = t.cast(schemas[kind])
        return t

    done = 0
    k = 0
    while done < total:
        n = min(chunk, total - done)
        t0 = time.perf_counter()
        leads, acts = generate(n, seed=seed + k, events_per_lead=events_per_lead)
        prefix = f"C{k:03d}-"
        leads["lead_id"] = prefix + leads["lead_id"].astype(str)
        acts["lead_id"] = acts["lead_id"].cat.rename_categories(lambda c: prefix + str(c))
        lt = fix(pa.Table.from_pandas(leads, preserve_index=False), "leads")
        at = fix(pa.Table.from_pandas(acts, preserve_index=False), "activities")
        del leads, acts
        for size in sizes:
            if done < size:
                if size not in writers:
                    writers[size] = [
                        pq.ParquetWriter(out / f"leads_{size}.parquet", lt.schema, compression="zstd"),
                        pq.ParquetWriter(out / f"activities_{size}.parquet", at.schema, compression="zstd"),
                    ]
                writers[size][0].write_table(lt, row_group_size=256_000)
                writers[size][1].write_table(at, row_group_size=1_000_000)
                events[size] += at.num_rows
                if done + n >= size:
                    for w in writers.pop(size):
                        w.close()
        done += n
        k += 1
        print(f"generated {done:,} leads ({time.perf_counter() - t0:.1f} s for this chunk, {at.num_rows:,} events)", flush=True)
        del lt, at
    for ws in writers.values():
        for w in ws:
            w.close()
    _ = np  # numpy is imported for the generator's sake only
    return {s: (out / f"leads_{s}.parquet", out / f"activities_{s}.parquet", events[s]) for s in sizes}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--leads", type=int, default=10_000_000)
    p.add_argument("--pandas-sizes", default="1000000,2000000,4000000")
    p.add_argument("--chunk", type=int, default=1_000_000)
    p.add_argument("--events-per-lead", type=float, default=12.0)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--model", default=str(ROOT / "sample_models" / "enterprise_fit_first.yaml"))
    p.add_argument("--as-of", default="2026-08-31")
    p.add_argument("--memory-limit", default="2GB")
    p.add_argument("--pandas-rss-limit-gb", type=float, default=14.0)
    p.add_argument("--dir", default="/tmp/ld-bench-ooc")
    p.add_argument("--keep", action="store_true", help="keep the generated files")
    p.add_argument("--skip-generate", action="store_true", help="reuse the files in --dir (written by --generate-only)")
    p.add_argument("--generate-only", action="store_true", help="write the files into --dir and stop (keeps them)")
    args = p.parse_args(argv)

    work = Path(args.dir)
    pandas_sizes = sorted(int(x) for x in args.pandas_sizes.split(",") if x.strip())
    report: dict = {
        "leads": args.leads,
        "events_per_lead": args.events_per_lead,
        "model": Path(args.model).name,
        "cpus": os.cpu_count(),
        "load_before": _loadavg(),
        "disk_free_gb_before": round(shutil.disk_usage(work.parent if work.parent.exists() else "/").free / 1e9, 1),
        "memory_limit": args.memory_limit,
    }
    t0 = time.perf_counter()
    if args.skip_generate:
        files = {s: (work / f"leads_{s}.parquet", work / f"activities_{s}.parquet", None) for s in sorted(set(pandas_sizes) | {args.leads})}
    else:
        files = generate_files(work, args.leads, pandas_sizes, args.chunk, args.events_per_lead, args.seed)
    report["generate_s"] = round(time.perf_counter() - t0, 1)
    if args.generate_only:
        (work / "events.json").write_text(json.dumps({str(s): e for s, (_, _, e) in files.items()}))
        print(json.dumps({"generated": {str(s): str(lp) for s, (lp, _, _) in files.items()}, "generate_s": report["generate_s"]}))
        return 0
    if args.skip_generate and (work / "events.json").exists():
        known = json.loads((work / "events.json").read_text())
        files = {s: (lp, ap, known.get(str(s))) for s, (lp, ap, _) in files.items()}
    report["files_mb"] = {
        str(s): round((lp.stat().st_size + ap.stat().st_size) / 1e6, 1) for s, (lp, ap, _) in files.items() if lp.exists()
    }
    report["events"] = {str(s): e for s, (_, _, e) in files.items() if e is not None}
    exe = [sys.executable, "-m", "leaddesigner"]

    def score(size: int, engine: str, limit_kb: int | None = None) -> dict:
        lp, ap, _ = files[size]
        out = work / f"scores_{engine}_{size}.parquet"
        argv = [*exe, "score", "-q", args.model, str(lp), "--activities", str(ap), "--as-of", args.as_of, "-o", str(out), "--engine", engine]
        if engine == "duckdb":
            argv += ["--memory-limit", args.memory_limit, "--temp-dir", str(work / "spill")]
        print(f"scoring {size:,} leads with the {engine} engine ...", flush=True)
        r = run_child(argv, limit_kb)
        r["leads"] = size
        if out.exists():
            r["output_mb"] = round(out.stat().st_size / 1e6, 1)
            if r["exit"] == 0 and engine == "duckdb":
                import pyarrow.parquet as pq

                r["rows_out"] = pq.ParquetFile(out).metadata.num_rows
        print(json.dumps(r), flush=True)
        return r

    results: dict = {"duckdb": {}, "pandas": {}}
    limit_kb = int(args.pandas_rss_limit_gb * 1024 * 1024)
    for size in pandas_sizes:
        r = score(size, "pandas", limit_kb)
        results["pandas"][str(size)] = r
        if r["exit"] != 0:
            report["pandas_stopped_at"] = size
            break
    handled = [s for s, r in results["pandas"].items() if r["exit"] == 0]
    largest_pandas = max((int(s) for s in handled), default=None)
    if largest_pandas:
        results["duckdb"][str(largest_pandas)] = score(largest_pandas, "duckdb")
    report["load_before_10m"] = _loadavg()
    results["duckdb"][str(args.leads)] = score(args.leads, "duckdb")
    report["load_after"] = _loadavg()
    report["results"] = results

    ratios = {}
    if largest_pandas:
        pd_r, dk_r = results["pandas"][str(largest_pandas)], results["duckdb"][str(largest_pandas)]
        ratios[f"pandas_over_duckdb_wall_at_{largest_pandas}"] = round(pd_r["wall_s"] / max(dk_r["wall_s"], 1e-9), 2)
        ratios[f"pandas_over_duckdb_peak_rss_at_{largest_pandas}"] = round(pd_r["peak_rss_mb"] / max(dk_r["peak_rss_mb"], 1e-9), 2)
        big = results["duckdb"][str(args.leads)]
        ratios[f"duckdb_{args.leads}_peak_rss_over_pandas_{largest_pandas}"] = round(big["peak_rss_mb"] / max(pd_r["peak_rss_mb"], 1e-9), 2)
        ratios[f"duckdb_leads_per_s_{args.leads}"] = round(args.leads / max(big["wall_s"], 1e-9))
        ratios[f"pandas_leads_per_s_{largest_pandas}"] = round(largest_pandas / max(pd_r["wall_s"], 1e-9))
    sizes_ok = sorted(int(s) for s in handled)
    if len(sizes_ok) >= 2:
        a, b = results["pandas"][str(sizes_ok[0])], results["pandas"][str(sizes_ok[-1])]
        ratios["pandas_rss_mb_per_million_leads"] = round((b["peak_rss_mb"] - a["peak_rss_mb"]) / ((sizes_ok[-1] - sizes_ok[0]) / 1e6), 1)
    report["ratios"] = ratios
    report["largest_pandas_size_run"] = largest_pandas
    report["disk_free_gb_during"] = round(shutil.disk_usage(work).free / 1e9, 1)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
