"""Replay benchmark: 100,000 leads, ~2 million events, 26 weeks, then the SDR queue.

    python benchmarks/bench_replay.py [--leads 100000] [--events-per-lead 20] [--seed 7] [--check 3]

Generates leads and activities with ``core.generate`` (``events_per_lead`` 20
gives about 2 million events for 100,000 leads) and times, for two models:

* ``smb``: ``sample_models/smb_speed_to_lead.yaml`` with recycling (no response
  after 14 days, 30-day cool-down, engagement reset) - half-life and linear
  decay, windows;
* ``bench40``: the 40-rule model of ``bench_scoring.py`` (12 activity rules
  with windows, decay and caps, groups, persona weighting, grades, mql_cells);

``replay_s`` is ``replay.replay`` over the 26 weeks (median of ``--repeat``
warm runs: the events sorted by lead and time are kept with the bound data, as
in the app; ``replay_cold_s`` is the first run, which sorts them; ``*_cpu_s``
are process CPU seconds, which a busy machine inflates less than wall time),
``queue_s`` one ``simulate_queue`` run, ``simulate_s`` the whole
``queue.simulate`` (replay, queue and the team / threshold suggestions),
``suggest_team_s`` / ``suggest_threshold_s`` the two suggestions alone.
``replay_edit_s`` is a replay after an edit to one activity rule's window (the
step tables of the other rules are kept with the data, as after a threshold or
points edit in the app). ``*_gil_ms`` is the longest time a background thread
that sleeps 1 ms at a time could not run (the GIL held, or the machine busy):
what a GUI thread would feel while a worker computes.
``check`` days are compared with the engine (``Scorer.set_as_of``): the largest
score difference and the number of status differences are reported (expect ~1e-12
and 0). Human-readable lines first; the last line is one JSON object.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from leaddesigner.core.scoring.engine import Scorer  # noqa: E402

from leaddesigner.core.scoring.engine import bind  # noqa: E402
from leaddesigner.samples.generate import generate  # noqa: E402
from leaddesigner.core.model.types import Recycling  # noqa: E402
from leaddesigner.core.model.io import load_model  # noqa: E402
from leaddesigner.core.analysis.queue import simulate  # noqa: E402
from leaddesigner.core.analysis.queue import simulate_queue  # noqa: E402
from leaddesigner.core.analysis.queue import suggest_team  # noqa: E402
from leaddesigner.core.analysis.queue import suggest_threshold  # noqa: E402
from leaddesigner.core.analysis.replay import replay  # noqa: E402


class GilProbe:
    """A daemon thread that sleeps 1 ms at a time and records the longest gap between wake-ups."""

    def __init__(self):
        import threading

        self.on, self.worst = False, 0.0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        last = time.perf_counter()
        while True:
            time.sleep(0.001)
            now = time.perf_counter()
            if self.on:
                self.worst = max(self.worst, now - last)
            last = now

    def __enter__(self):
        self.worst, self.on = 0.0, True
        return self

    def __exit__(self, *exc):
        self.on = False

    @property
    def ms(self) -> float:
        return round(self.worst * 1000, 1)


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, statistics.median(times), times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--events-per-lead", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", type=int, default=3, help="days compared with the engine")
    a = ap.parse_args(argv)
    out: dict = {"leads": a.leads, "python": platform.python_version(), "cpus": os.cpu_count(), "loadavg_start": round(os.getloadavg()[0], 2)}
    t = time.perf_counter()
    leads, acts = generate(a.leads, seed=a.seed, events_per_lead=a.events_per_lead)
    out["generate_s"] = round(time.perf_counter() - t, 2)
    out["events"] = int(len(acts))
    print(f"generated {a.leads:,} leads, {len(acts):,} events in {out['generate_s']} s")

    smb = load_model(REPO / "sample_models" / "smb_speed_to_lead.yaml")
    if smb.recycling is None:
        smb.recycling = Recycling(no_response_days=14, cooldown_days=30, reset_engagement=True)
    models = {"smb": smb}
    try:
        from bench_scoring import build_model

        models["bench40"] = build_model()
    except Exception as e:  # pragma: no cover - the other benchmark moved
        print(f"(bench_scoring.build_model unavailable: {e})")
    as_of = "2026-08-31"
    probe = GilProbe()
    for name, model in models.items():
        r: dict = {"rules": len(model.rules)}
        t = time.perf_counter()
        data = bind(model, leads, acts, as_of=as_of)
        r["bind_s"] = round(time.perf_counter() - t, 3)
        c0, t0 = time.process_time(), time.perf_counter()
        with probe:
            replay(model, data, "2026-03-02", "2026-08-30")  # cold: sorts the events by lead and time, kept with the data
        r["replay_cold_s"] = round(time.perf_counter() - t0, 3)
        r["replay_cold_cpu_s"] = round(time.process_time() - c0, 3)
        r["replay_cold_gil_ms"] = probe.ms
        c0 = time.process_time()
        with probe:
            rep, med, times = timed(lambda: replay(model, data, "2026-03-02", "2026-08-30"), a.repeat)
        r["replay_s"] = round(med, 3)
        r["replay_cpu_s"] = round((time.process_time() - c0) / a.repeat, 3)
        r["replay_runs_s"] = [round(x, 3) for x in times]
        r["replay_gil_ms"] = probe.ms
        edits = iter(range(10**6))

        def edited():
            m2 = copy.deepcopy(model)
            rule = next(x for x in m2.rules if x.kind == "activity")
            rule.activity.within_days = 1000 + next(edits)  # this rule's step table is rebuilt, the others are kept
            return replay(m2, data, "2026-03-02", "2026-08-30")

        c0 = time.process_time()
        with probe:
            _, med, _ = timed(edited, a.repeat)
        r["replay_edit_s"] = round(med, 3)
        r["replay_edit_cpu_s"] = round((time.process_time() - c0) / a.repeat, 3)
        r["arrivals"] = int(len(rep.arrivals))
        r["re_mqls"] = int((rep.arrivals["kind"] == "re-MQL").sum())
        r["recycles"] = int(len(rep.recycles))
        r["lead_days_scored"] = int(len(rep._state["glead0"]))
        _, q_s, _ = timed(lambda: simulate_queue(rep.arrivals, model.capacity, start=rep.start, end=rep.end), 1)
        r["queue_s"] = round(q_s, 3)
        t = time.perf_counter()
        with probe:
            sim = simulate(model, data, "2026-03-02", "2026-08-30")
        r["simulate_s"] = round(time.perf_counter() - t, 3)
        r["simulate_gil_ms"] = probe.ms
        for key, fn in (
            ("suggest_team", lambda: suggest_team(rep.arrivals, model.capacity, start=rep.start, end=rep.end)),
            ("suggest_threshold", lambda: suggest_threshold(model, rep, capacity=model.capacity)),
        ):
            c0, t = time.process_time(), time.perf_counter()
            with probe:
                fn()
            r[f"{key}_s"] = round(time.perf_counter() - t, 3)
            r[f"{key}_cpu_s"] = round(time.process_time() - c0, 3)
            r[f"{key}_gil_ms"] = probe.ms
        r["suggested_sdrs"] = sim.summary.get("suggested_sdrs")
        r["suggested_mql_threshold"] = sim.summary.get("suggested_mql_threshold")
        if a.check:
            sc = Scorer(model, data)
            worst, diff = 0.0, 0
            for d in pd.date_range(rep.start, rep.end, periods=a.check).normalize():
                s = rep.scores_on(d)
                e = sc.set_as_of(d + pd.Timedelta(days=1))
                worst = max(worst, float(np.abs(s.score - e.score).max()))
                diff += int((s.status != e.status).sum())
            r["check_max_abs_diff"] = worst
            r["check_status_diffs"] = diff
        out[name] = r
        print(
            f"{name}: {r['rules']} rules, replay {r['replay_s']:.2f} s (cpu {r['replay_cpu_s']:.2f} s; runs {r['replay_runs_s']}; "
            f"cold {r['replay_cold_s']:.2f} s, cpu {r['replay_cold_cpu_s']:.2f} s; after a rule edit {r['replay_edit_s']:.2f} s), "
            f"{r['arrivals']:,} MQL arrivals ({r['re_mqls']:,} re-MQL), {r['lead_days_scored']:,} lead-days scored, "
            f"queue {r['queue_s']:.2f} s, simulate {r['simulate_s']:.2f} s, suggestions {r['suggest_team_s']:.2f} + {r['suggest_threshold_s']:.2f} s, "
            f"longest GIL wait {max(r['replay_cold_gil_ms'], r['replay_gil_ms'], r['simulate_gil_ms'], r['suggest_team_gil_ms'], r['suggest_threshold_gil_ms'])} ms"
            + (f", engine check: max |diff| {r['check_max_abs_diff']:.1e}, status diffs {r['check_status_diffs']}" if a.check else "")
        )
    out["loadavg_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
