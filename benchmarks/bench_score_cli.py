"""The whole ``leaddesigner score`` command (pandas engine) in a child process: wall, CPU, peak RSS, stages.

    python benchmarks/bench_score_cli.py [--leads 1000000] [--format parquet|csv] [--runs 3]
                                         [--dir /tmp/ld-bench-score-cli] [--data DIR] [--keep]

1. Writes leads and activities with ``leaddesigner generate --leads N --seed S
   --format F`` into ``--dir`` (or uses ``--data DIR`` holding
   ``leads.<F>`` and ``activities.<F>`` as written by ``generate``).
2. Runs ``leaddesigner score -q MODEL leads --activities activities --as-of
   2026-08-31 -o scores.parquet`` ``--runs`` times, each in a fresh child
   process, and records per run the wall time, the child's CPU time (user +
   system) and its peak RSS (``os.wait4`` rusage: exactly that process).
3. The child is this script with ``--child``: it runs ``cli.main`` with the
   same arguments and wraps the stages of the command (``pipeline.read`` of
   each file, ``detect``, ``bind``, ``report_problems``, ``Scorer``, ``frame``,
   ``write_table``) to time them: wall and CPU seconds per stage and the
   process's peak RSS when the stage ended (``ru_maxrss``, a running maximum,
   so a jump names the stage that raised the peak).

Prints one line per run, then one JSON object (the medians, every run, the
load average before and after) as the last line. Generated files are deleted
unless ``--keep`` or ``--data``.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
MODEL = ROOT / "sample_models" / "enterprise_fit_first.yaml"


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(argv: list[str], stages_out: str) -> int:
    """Run the CLI in this process with timers around its stages; write them as JSON to *stages_out*."""
    from leaddesigner import cli
    from leaddesigner.cli import common
    from leaddesigner.core.data import pipeline
    from leaddesigner.core.scoring import engine

    stages: list[dict] = []

    def timed(name_of, fn):
        def wrapper(*a, **k):
            t0, c0 = time.perf_counter(), _cpu()
            try:
                return fn(*a, **k)
            finally:
                stages.append(
                    {
                        "stage": name_of(a),
                        "wall_s": round(time.perf_counter() - t0, 3),
                        "cpu_s": round(_cpu() - c0, 3),
                        "peak_rss_mb_after": round(_peak_mb()),
                    }
                )

        return wrapper

    read_calls = {"n": 0}

    def read_name(a) -> str:
        read_calls["n"] += 1
        return "read_leads" if read_calls["n"] == 1 else "read_activities"

    # the names as the load pipeline and the command look them up (pipeline.load reads, detects, binds, scores)
    pipeline.read = timed(read_name, pipeline.read)
    pipeline.detect = timed(lambda a: "detect", pipeline.detect)
    pipeline.bind = timed(lambda a: "bind", pipeline.bind)
    engine.Scorer.__init__ = timed(lambda a: "score", engine.Scorer.__init__)
    engine.Scorer.frame = timed(lambda a: "frame", engine.Scorer.frame)
    common.report_problems = timed(lambda a: "report_problems", common.report_problems)
    common.write_table = timed(lambda a: "write", common.write_table)
    t0, c0 = time.perf_counter(), _cpu()
    rc = cli.main(argv)
    total = {"stage": "command", "wall_s": round(time.perf_counter() - t0, 3), "cpu_s": round(_cpu() - c0, 3), "peak_rss_mb_after": round(_peak_mb())}
    Path(stages_out).write_text(json.dumps(stages + [total]))
    return rc


def run_once(argv: list[str]) -> dict:
    fd, stages_path = tempfile.mkstemp(prefix="ld-bench-stages-", suffix=".json")
    os.close(fd)
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "--child", stages_path, "--", *argv], stderr=subprocess.PIPE, text=True)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        err = proc.stderr.read() if proc.stderr else ""
        proc.returncode = os.waitstatus_to_exitcode(status)
        text = Path(stages_path).read_text()
        stages = json.loads(text) if text else []
    finally:
        os.unlink(stages_path)
    return {
        "rc": proc.returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round(ru.ru_utime + ru.ru_stime, 2),
        "user_s": round(ru.ru_utime, 2),
        "sys_s": round(ru.ru_stime, 2),
        "peak_rss_mb": round(ru.ru_maxrss / 1024),
        "stages": stages,
        "stderr_tail": err[-2000:],
    }


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        return child(argv[3:], argv[1])
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--leads", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--dir", default="/tmp/ld-bench-score-cli")
    p.add_argument("--data", help="use leads/activities already written by `generate` in this folder")
    p.add_argument("--model", default=str(MODEL))
    p.add_argument("--as-of", default="2026-08-31")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args(argv)

    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    data = Path(args.data) if args.data else work / "data"
    report: dict = {"leads": args.leads, "format": args.format, "model": Path(args.model).name, "cpus": os.cpu_count(), "load_before": _loadavg()}
    if not args.data:
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "leaddesigner", "generate", "-q", "--leads", str(args.leads), "--seed", str(args.seed), "--format", args.format, "-o", str(data)],
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        report["generate_s"] = round(time.perf_counter() - t0, 1)
    leads, acts = data / f"leads.{args.format}", data / f"activities.{args.format}"
    out = work / "scores.parquet"
    cmd = ["score", "-q", args.model, str(leads), "--activities", str(acts), "--as-of", args.as_of, "-o", str(out)]
    runs = []
    for i in range(args.runs):
        r = run_once(cmd)
        runs.append(r)
        print(f"run {i + 1}: rc={r['rc']} wall {r['wall_s']} s, cpu {r['cpu_s']} s, peak RSS {r['peak_rss_mb']} MB  load {_loadavg()}", flush=True)
        if r["rc"] != 0:
            print(r["stderr_tail"], file=sys.stderr)
    report["load_after"] = _loadavg()
    ok = [r for r in runs if r["rc"] == 0] or runs

    def med(key: str) -> float:
        return round(statistics.median(r[key] for r in ok), 2)

    report.update({k: med(k) for k in ("wall_s", "cpu_s", "user_s", "sys_s", "peak_rss_mb")})
    names = [s["stage"] for s in ok[0]["stages"]]
    report["stages"] = {
        name: {
            k: round(statistics.median(next(s[k] for s in r["stages"] if s["stage"] == name) for r in ok), 3)
            for k in ("wall_s", "cpu_s", "peak_rss_mb_after")
        }
        for name in names
        if all(any(s["stage"] == name for s in r["stages"]) for r in ok)
    }
    report["runs"] = [{k: v for k, v in r.items() if k != "stderr_tail"} for r in runs]
    if not (args.keep or args.data):
        shutil.rmtree(work, ignore_errors=True)
    elif out.exists():
        out.unlink()
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
