"""Full score and an activity-window edit with each lead scored N days after creation (the app's default moment).

    .venv/bin/python benchmarks/bench_horizon.py --folder DIR [--horizon-days 30] [--repeat 3]

DIR holds leads.csv and activities.csv (``leaddesigner generate --leads 1000000 -o DIR``). Prints, in the
same run and on the same bound data, the engine through the event index (per-group time slices, each event
tested against its own lead's moment) against one pass over every event (the path per-lead moments took
before), after checking both give the same scores. The last line is a JSON object.
"""
from __future__ import annotations

import argparse
import copy
import json
import statistics
import time
from pathlib import Path

import numpy as np


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", required=True)
    ap.add_argument("--horizon-days", type=float, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", default=str(Path(__file__).resolve().parents[1] / "sample_models" / "enterprise_fit_first.yaml"))
    args = ap.parse_args()
    from leaddesigner.core.data.leadfile import read_table
    from leaddesigner.core.model.io import load_model
    from leaddesigner.core.scoring import engine

    m = load_model(args.model)
    leads = read_table(Path(args.folder) / "leads.csv")
    events = read_table(Path(args.folder) / "activities.csv")
    data = engine.bind(m, leads, events, horizon_days=args.horizon_days)
    act = next(r for r in m.rules if r.kind == "activity" and r.activity.within_days is not None)

    def run(use_index: bool) -> tuple[list[float], list[float], np.ndarray]:
        real = engine.event_index
        if not use_index:
            engine.event_index = lambda d: None
        try:
            full, edit = [], []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                sc = engine.Scorer(m, data)
                full.append(time.perf_counter() - t0)
                m2 = copy.deepcopy(m)
                sc.model = m2
                r2 = next(r for r in m2.rules if r.id == act.id)
                r2.activity.within_days = float(r2.activity.within_days) + 7
                t0 = time.perf_counter()
                sc.refresh()
                edit.append(time.perf_counter() - t0)
            return full, edit, sc.result.score
        finally:
            engine.event_index = real

    engine.event_index(data)  # built once per data in the app too (the first score pays it)
    full_i, edit_i, s_i = run(True)
    full_p, edit_p, s_p = run(False)
    assert np.allclose(s_i, s_p, atol=1e-9)
    out = {
        "leads": len(data), "events": len(data.events), "horizon_days": args.horizon_days,
        "full_index_s": statistics.median(full_i), "full_pass_s": statistics.median(full_p),
        "edit_window_index_ms": 1000 * statistics.median(edit_i), "edit_window_pass_ms": 1000 * statistics.median(edit_p),
    }
    out["full_speedup"] = out["full_pass_s"] / out["full_index_s"]
    out["edit_speedup"] = out["edit_window_pass_ms"] / out["edit_window_index_ms"]
    print(f"full score: index {out['full_index_s']:.2f} s, one pass {out['full_pass_s']:.2f} s ({out['full_speedup']:.1f}x); "
          f"window edit: {out['edit_window_index_ms']:.0f} ms vs {out['edit_window_pass_ms']:.0f} ms ({out['edit_speedup']:.1f}x)")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
