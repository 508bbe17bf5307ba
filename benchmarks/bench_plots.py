"""Time the plot updates the main window does on every edit; prints JSON.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_plots.py [--repeat 30]

For each size (100k and 1M leads) and each view it reports the median and p95
milliseconds of:

* ``update_ms``: the ``set_*`` call alone (binning + plot item updates);
* ``update_repaint_ms``: the call plus a forced synchronous repaint
  (``widget.repaint()``; what a user waits for on screen);
* ``update_grab_ms``: the call plus ``widget.grab()`` (a full render into a pixmap).

``weekly_incl_core_weekly_volume`` includes ``core.summary.weekly_volume`` (most
of its time at 1M leads); ``weekly_view_only`` is the view's own share.

Targets (STYLE.md): histogram update + repaint well under 50 ms at 100k leads
and under about 100 ms at 1M.
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
import pandas as pd


def _stats(samples: list[float]) -> dict[str, float]:
    a = np.asarray(samples) * 1000.0
    return {"median": round(float(np.median(a)), 2), "p95": round(float(np.percentile(a, 95)), 2), "max": round(float(a.max()), 2)}


def _scores(n: int, rng: np.random.Generator, shift: float) -> tuple[np.ndarray, np.ndarray]:
    k = rng.random(n) < 0.7
    score = np.where(k, rng.gamma(2.2, 9.0, n), rng.normal(60 + shift, 14, n))
    converted = rng.random(n) < 1 / (1 + np.exp(-(score - 70) / 8)) * 0.3
    return score, converted


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--sizes", default="100000,1000000")
    args = ap.parse_args(argv)

    from PySide6 import __version__ as pyside_version
    from PySide6.QtWidgets import QApplication
    import pyqtgraph as pg

    app = QApplication.instance() or QApplication([])
    from leaddesigner.core.scoring.summary import weekly_volume
    from leaddesigner.gui.plotting.overview import ScoreHistogramView
    from leaddesigner.gui.plotting.overview import WeeklyVolumeView

    rng = np.random.default_rng(0)
    hist = ScoreHistogramView()
    hist.resize(900, 450)
    hist.set_bounds(0, 150)
    hist.set_thresholds(50, 80)
    weekly = WeeklyVolumeView()
    weekly.resize(900, 450)
    hist.show()
    weekly.show()
    app.processEvents()

    out: dict = {
        "python": platform.python_version(),
        "pyside6": pyside_version,
        "pyqtgraph": pg.__version__,
        "platform": os.environ.get("QT_QPA_PLATFORM"),
        "widget_size": [900, 450],
        "repeat": args.repeat,
        "results": {},
    }
    for n in [int(x) for x in args.sizes.split(",")]:
        variants = [_scores(n, rng, shift) for shift in (0.0, 3.0, -3.0, 6.0)]
        created = pd.Series(pd.Timestamp("2026-01-07") + pd.to_timedelta(rng.integers(0, 90 * 86400, n), unit="s"))
        res: dict = {}

        def bench(name, fn, widget):
            fn(0)  # warm up
            widget.repaint()
            t_up, t_rep, t_grab = [], [], []
            for i in range(args.repeat):
                t0 = time.perf_counter()
                fn(i)
                t_up.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                fn(i + 1)
                widget.repaint()
                app.processEvents()
                t_rep.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                fn(i)
                widget.grab()
                t_grab.append(time.perf_counter() - t0)
            res[name] = {"update_ms": _stats(t_up), "update_repaint_ms": _stats(t_rep), "update_grab_ms": _stats(t_grab)}

        bench("histogram", lambda i: hist.set_scores(variants[i % 4][0]), hist)
        bench("histogram_converted", lambda i: hist.set_scores(*variants[i % 4]), hist)

        def set_weekly(i):
            score = variants[i % 4][0]
            status = (score >= 50 + i % 5).astype(np.int8) + (score >= 80)
            weekly.set_weekly(weekly_volume(created, status, 0.03 * n))

        bench("weekly_incl_core_weekly_volume", set_weekly, weekly)
        volumes = [weekly_volume(created, (v[0] >= 50 + k).astype(np.int8), 0.03 * n) for k, v in enumerate(variants)]
        bench("weekly_view_only", lambda i: weekly.set_weekly(volumes[i % 4]), weekly)
        res["leads"] = n
        out["results"][f"{n // 1000}k"] = res
    h = out["results"]
    out["summary_ms_per_update"] = {
        k: {"histogram": v["histogram"]["update_repaint_ms"]["median"],
            "histogram_converted": v["histogram_converted"]["update_repaint_ms"]["median"],
            "weekly_view_only": v["weekly_view_only"]["update_repaint_ms"]["median"]}
        for k, v in h.items()
    }
    json.dump(out, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
