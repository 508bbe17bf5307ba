"""Time the Timeline tab as a user feels it; prints JSON (last line).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_timeline.py [--sizes 4000,100000] [--edits 5]

For each size (4000: the shipped sample data; other sizes: ``core.generate``
with about 20 events per lead, so 100,000 leads give about 2 million events):

* ``recompute_s``: worker time of one run, replay + queue (``simulate``), and
  ``suggest_s`` for the two suggestions after it (median of ``--edits`` MQL
  threshold edits); ``edit_to_plot_s``: from the edit to the new plots shown
  (debounce included; the suggestions follow ``suggest_s`` later);
* ``gui_request_ms``: GUI-thread time to start a run (model copy, worker start);
* ``gui_show_ms``: GUI-thread time to put a result on the plots and the summary;
* ``gui_stall_ms``: the longest gap between two ticks of a 5 ms timer while the
  worker runs (how long the GUI cannot answer: the worker shares the GIL; the
  gaps also hold whatever else the GUI thread does meanwhile: showing the plots,
  other panels).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np


def _wait(app, pred, timeout: float = 900.0) -> None:
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise TimeoutError("timed out")
        app.processEvents()
        time.sleep(0.001)


def _med(xs) -> float:
    return round(float(np.median(xs)), 3) if len(xs) else float("nan")


def bench_size(app, n: int, edits: int) -> dict:
    from PySide6.QtCore import QTimer

    from leaddesigner import paths
    from leaddesigner.core.edits import commands as C
    from leaddesigner.gui.window.main_window import MainWindow

    w = MainWindow(interactive=False, settings_enabled=False)
    w.resize(1366, 768)
    w.show()
    w.open_model(paths.default_model(), ask=False)
    t0 = time.perf_counter()
    if n == 4000:
        w.load_data(paths.sample_leads(), paths.sample_activities())
        events = None
    else:
        from leaddesigner.samples.generate import generate

        leads, acts = generate(n, seed=3, weeks=26, events_per_lead=20.0)
        events = len(acts)
        w.doc.load_frames(leads, acts, name=f"{n:,} generated leads")
    _wait(app, lambda: w.doc.has_data and w.doc.ready)
    load_s = time.perf_counter() - t0
    events = events if events is not None else len(w.doc.data.events)
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentWidget(panel)
    _wait(app, lambda: panel.up_to_date and panel.suggestions is not None)

    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        if panel._worker is not None:  # only while the worker computes (not the edit's own scoring)
            gaps.append((now - last[0]) * 1000)
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    rec, sug, e2p, req_ms, show_ms, stall = [], [], [], [], [], []
    for k in range(edits):
        step = 3 if k % 2 == 0 else -3
        gaps.clear()
        last[0] = time.perf_counter()
        timer.start()
        t0 = time.perf_counter()
        w.doc.push(C.SetThreshold("mql", w.doc.model.thresholds.mql + step), mergeable=False)
        _wait(app, lambda: panel.result is not None and panel.shown_generation == panel.generation)
        e2p.append(time.perf_counter() - t0)
        _wait(app, lambda: panel.up_to_date and panel.suggestions is not None)
        timer.stop()
        app.processEvents()
        rec.append(panel.result.seconds)
        sug.append(panel.result.suggest_seconds if panel.suggestions is not None else float("nan"))
        req_ms.append(panel.last_request_ms)
        show_ms.append(panel.last_gui_ms)
        stall.append(max(gaps) if gaps else 0.0)
    s = panel.result.simulation.summary
    out = {
        "leads": n, "events": int(events), "load_s": round(load_s, 2),
        "period": [str(x.date()) for x in panel.period()],
        "recompute_s": _med(rec), "suggest_s": _med([x for x in sug if x == x]),
        "edit_to_plot_s": _med(e2p),
        "gui_request_ms": round(float(np.median(req_ms)), 2), "gui_show_ms": round(float(np.median(show_ms)), 2),
        "gui_stall_ms": {"median": round(float(np.median(stall)), 1), "max": round(float(np.max(stall)), 1)},
        "mqls": int(s.get("new", 0) + s.get("re_mql", 0)),
    }
    w.doc.wait_for_workers(60000)
    w.doc.undo_stack.setClean()  # the edits were the benchmark's: no "save changes?" question
    w.close()
    w.deleteLater()
    app.processEvents()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="4000,100000")
    ap.add_argument("--edits", type=int, default=5)
    args = ap.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    results = []
    for n in [int(x) for x in args.sizes.split(",")]:
        r = bench_size(app, n, args.edits)
        print(json.dumps(r), flush=True)
        results.append(r)
    print(json.dumps({"machine": platform.platform(), "cpus": os.cpu_count(), "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
