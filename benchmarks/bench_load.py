"""Load a lead file from disk in the app as a user does, and time what they feel; prints JSON (last line).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_load.py [--leads N] [--folder DIR] [--no-activities]

Generates ``N`` leads (default 1,000,000) and their activity log as CSV into
``--folder`` (kept, reused when present), then opens the window with the
sample model and loads both files (``Data > Load leads``: read, detect, bind,
score in the worker thread) and reports

* ``data_on_screen_s``: from the load request to painted plots;
* ``settled_s``: until the work that follows is done too (the Backtest tab's
  first run, with the file's outcome column);
* ``stall_ms``: gaps between ticks of a 5 ms timer in the GUI thread from the
  request until settled: the longest, the median, how many exceeded 100 ms and their sum
  (a stall over 100 ms is a window that feels frozen);
* ``profile_s``: the Profile tab's work for the same file (worker thread);
* ``peak_rss_mb_when_settled``: the process's peak resident memory until settled;
* ``peer``: DuckDB reading the same CSV files into memory (``read_csv_auto``),
  measured in the same run, and the ratio app / DuckDB.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from leaddesigner import allocators  # noqa: E402

allocators.configure()  # as `leaddesigner gui` does, before pandas and pyarrow are imported

import numpy as np


def _data(n: int, folder: Path, activities: bool) -> tuple[Path, Path | None]:
    leads, acts = folder / "leads.csv", folder / "activities.csv"
    if not leads.exists() or (activities and not acts.exists()):
        from leaddesigner.samples.generate import write_sample

        write_sample(folder, n, 7, "csv")
    return leads, (acts if activities else None)


def _wait(app, cond, timeout_s: float = 600.0) -> bool:
    t_end = time.perf_counter() + timeout_s
    while time.perf_counter() < t_end:
        app.processEvents()
        if cond():
            return True
        time.sleep(0.002)
    return False


def app_load(leads: Path, acts: Path | None) -> dict:
    from PySide6.QtCore import QSettings, QTimer

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp(prefix="ld-bench-"))
    from leaddesigner import paths
    from leaddesigner.gui.app import create_app, freeze_startup_objects
    from leaddesigner.gui.window.main_window import MainWindow

    app = create_app()
    w = MainWindow(interactive=False, settings_enabled=False)
    w.resize(1366, 768)
    w.show()
    w.open_model(paths.default_model(), ask=False)
    app.processEvents()
    freeze_startup_objects()  # as the app's main() does before the first load
    gaps: list[float] = []
    last = [time.perf_counter()]

    stage = ["start"]
    where: list[str] = []

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        if gaps[-1] > 0.1:
            where.append(f"{gaps[-1] * 1000:.0f} ms during '{stage[0]}'")
        last[0] = now

    w.doc.loadProgress.connect(lambda f, m: stage.__setitem__(0, m))
    w.doc.dataReset.connect(lambda: stage.__setitem__(0, "showing the data"))

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    t0 = time.perf_counter()
    last[0] = t0
    timer.start()
    w.load_data(leads, acts)
    ok = _wait(app, lambda: w.doc.has_data and w.doc.ready and w.doc.summary is not None)
    w.repaint()
    app.processEvents()
    on_screen = time.perf_counter() - t0
    if not ok:
        raise SystemExit("the data did not load in time")
    # the window keeps working after the plots are on screen (the Backtest tab's first run, whose
    # result is shown when it is in): stalls count until that is done too
    stage[0] = "after the data is on screen"
    bt = w.panels["backtest"]
    _wait(app, lambda: not bt.busy, 120.0)
    app.processEvents()
    settled = time.perf_counter() - t0
    timer.stop()
    import resource

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the window, the data and the first tabs
    g = np.array(gaps) * 1000
    over = g[g > 100]
    # the Profile tab's work on the same file
    p = w.panels["profile"]
    t1 = time.perf_counter()
    w.editor_tabs.setCurrentWidget(p)
    _wait(app, lambda: p.profile is not None and not p.busy)
    profile_s = time.perf_counter() - t1
    n = len(w.doc.data)
    n_ev = len(w.doc.data.events) if w.doc.data.events is not None else 0
    w.doc.wait_for_workers(30000)
    w.close()
    app.processEvents()
    return {
        "leads": n,
        "events": n_ev,
        "data_on_screen_s": round(on_screen, 2),
        "settled_s": round(settled, 2),
        "stall_ms": {"max": round(float(g.max()), 1), "median": round(float(np.median(g)), 1),
                     "over_100ms": int(len(over)), "sum_over_100ms": round(float(over.sum()), 1), "where": where},
        "profile_s": round(profile_s, 2),
        "peak_rss_mb_when_settled": round(peak_mb),
    }


def duckdb_peer(leads: Path, acts: Path | None) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE leads AS SELECT * FROM read_csv_auto('{leads}')")
    if acts is not None:
        con.execute(f"CREATE TABLE acts AS SELECT * FROM read_csv_auto('{acts}')")
    return {"duckdb_read_s": round(time.perf_counter() - t0, 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--folder", default=None, help="where the generated CSV files go (default: a folder under /tmp)")
    ap.add_argument("--no-activities", action="store_true")
    args = ap.parse_args(argv)
    folder = Path(args.folder or Path(tempfile.gettempdir()) / f"leaddesigner-bench-{args.leads}")
    folder.mkdir(parents=True, exist_ok=True)
    leads, acts = _data(args.leads, folder, not args.no_activities)
    out = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"}
    out.update(app_load(leads, acts))
    out["peer"] = duckdb_peer(leads, acts)
    out["ratio_app_on_screen_to_duckdb_read"] = round(out["data_on_screen_s"] / max(out["peer"]["duckdb_read_s"], 1e-9), 2)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
