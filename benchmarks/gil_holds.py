"""Which step of the load pipeline holds the GIL long enough to freeze the window? Prints each hold over a limit.

    .venv/bin/python benchmarks/gil_holds.py [--leads N] [--folder DIR] [--limit-ms 60]

The app loads files in a worker thread; the window freezes whenever that
thread runs one C call that keeps the GIL (pandas building Python strings,
Arrow concatenating chunks without releasing it ...). This script runs
``pipeline.load`` (read, detect, bind, score: what the app's worker runs) in a
thread while the main thread sleeps 5 ms at a time; when it wakes up late, a
thread just released the GIL, and the stacks of the worker and its helpers
(the log's reader, pool threads) at that moment show the step that held it. Generated data as in ``bench_load.py`` (kept in --folder).
The last line is JSON: the longest hold and how many exceeded the limit.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--folder", default=None, help="generated CSV files (default: the folder bench_load.py uses)")
    ap.add_argument("--limit-ms", type=float, default=60.0, help="report holds longer than this")
    args = ap.parse_args(argv)
    from leaddesigner import paths
    from leaddesigner.core.data import pipeline
    from leaddesigner.core.model.io import load_model
    from leaddesigner.samples.generate import write_sample

    folder = Path(args.folder or Path(tempfile.gettempdir()) / f"leaddesigner-bench-{args.leads}")
    folder.mkdir(parents=True, exist_ok=True)
    leads, acts = folder / "leads.csv", folder / "activities.csv"
    if not leads.exists() or not acts.exists():
        write_sample(folder, args.leads, 7, "csv")
    model = load_model(paths.default_model())
    done = threading.Event()

    def work() -> None:
        try:
            pipeline.load(model, leads, acts)
        finally:
            done.set()

    worker = threading.Thread(target=work, name="load")
    holds: list[tuple[float, list[str]]] = []
    gaps: list[float] = []
    t0 = time.perf_counter()
    worker.start()
    last = time.perf_counter()
    while not done.is_set():
        time.sleep(0.005)
        now = time.perf_counter()
        gap = (now - last) * 1000
        last = now
        gaps.append(gap)
        if gap > args.limit_ms:
            # every thread's stack: the one that held the GIL may be a helper (a reader of the log, a pool thread)
            stacks = []
            for ident, frame in sys._current_frames().items():
                if ident == threading.main_thread().ident:
                    continue
                stack = [f"{Path(s.filename).name}:{s.lineno} {s.name}: {s.line}" for s in traceback.extract_stack(frame)
                         if "threading.py" not in s.filename and "concurrent/futures" not in s.filename]
                if stack:
                    stacks.append(stack[-4:])
            holds.append((gap, stacks))
    worker.join()
    for gap, stacks in holds:
        print(f"{gap:6.0f} ms, released at (each thread's stack):")
        for stack in stacks:
            for line in stack:
                print(f"          {line}")
            print("          --")
    print(json.dumps({"leads": args.leads, "seconds": round(time.perf_counter() - t0, 2),
                      "longest_hold_ms": round(max(gaps, default=0.0), 1),
                      "holds_over_limit": len(holds), "holds_over_100ms": sum(g > 100 for g, _ in holds)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
