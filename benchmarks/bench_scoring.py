"""Scoring benchmark: bind, full scoring, incremental edits, DuckDB over the exported SQL, memory.

    python benchmarks/bench_scoring.py --leads 1000000 [--events-per-lead 12] [--seed 7]

Generates leads and activities with ``core.generate``, builds a realistic
40-rule model over the generated columns (condition rules on categories,
numbers, text and dates, value maps with values and bins, 12 activity rules
with windows, decay and caps, groups with caps, persona weighting, two
products, grades with mql_cells) and times:

* ``bind_s``: ``engine.bind`` (type coercion, event indexing);
* ``full_s``: a fresh ``Scorer`` (median of 3);
* ``incremental_s``: one rule's points changed, ``refresh()`` plus a 100-bin
  histogram of the scores (median of 20);
* ``incremental_condition_s``: one rule's condition changed, same (median of 20);
* ``duckdb_s``: DuckDB running ``sqlexport.export_sql`` over the same pandas
  frames (registration timed separately as ``duckdb_register_s``; median of 3),
  checked against the engine row by row;
* ``reference_rows_per_s``: the per-row reference scorer of
  ``tests/core/reference.py`` on the first leads;
* memory: ``baseline_rss_mb`` (interpreter + imports), ``peak_rss_mb`` (high
  water mark of the scoring path: bind, full, incremental; the generator's
  own peak is reset first when ``/proc/self/clear_refs`` allows it),
  ``frame_mb`` / ``events_mb`` (generated frames, deep), ``bound_mb``.

Human-readable lines go first; the last line is one JSON object.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from leaddesigner.core.scoring import summary  # noqa: E402
from leaddesigner.core.scoring.engine import Events  # noqa: E402
from leaddesigner.core.scoring.engine import LeadData  # noqa: E402
from leaddesigner.core.scoring.engine import Scorer  # noqa: E402
from leaddesigner.core.scoring.engine import bind  # noqa: E402
from leaddesigner.samples.generate import generate  # noqa: E402
from leaddesigner.core.model.types import (  # noqa: E402
    ActivityColumns,
    ActivitySpec,
    AllOf,
    AnyOf,
    Attribute,
    Bin,
    Caps,
    Capacity,
    Decay,
    Grades,
    Leaf,
    Not,
    Persona,
    Range,
    Rule,
    ScoringModel,
    Thresholds,
    ValueMap,
)
from leaddesigner.core.export.sqlexport import export_sql  # noqa: E402


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_now_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def reset_peak() -> bool:
    """Reset the kernel's RSS high-water mark (Linux >= 4.0), so later peaks exclude the generator."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def malloc_trim() -> bool:
    """Return freed heap memory to the OS (glibc), so RSS reflects live data."""
    try:
        import ctypes

        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def median_time(fn, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


# ---------------------------------------------------------------- the 40-rule model
def L(attribute, op, value=None, cs=False):
    return Leaf(attribute, op, value, cs)


def build_model() -> ScoringModel:
    attrs = [
        Attribute("created_at", "date", "system"),
        Attribute("email", "text", "demographic"),
        Attribute("company_size", "number", "firmographic"),
        Attribute("annual_revenue", "number", "firmographic"),
        Attribute("industry", "category", "firmographic"),
        Attribute("country", "category", "firmographic"),
        Attribute("job_title", "text", "demographic"),
        Attribute("seniority", "category", "demographic"),
        Attribute("department", "category", "demographic"),
        Attribute("persona", "category", "demographic"),
        Attribute("lead_source", "category", "behavioural"),
        Attribute("form_timeline", "category", "form"),
        Attribute("form_budget", "category", "form"),
        Attribute("form_product_interest", "category", "form"),
        Attribute("intent_score", "number", "intent"),
    ]
    free_mail = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com"]

    def fit(rid, points, when, **kw):
        return Rule(rid, rid.replace("_", " "), "fit", float(points), when=when, **kw)

    def eng(rid, points, when, **kw):
        return Rule(rid, rid.replace("_", " "), "engagement", float(points), when=when, **kw)

    def act(rid, points, where, within=None, max_points=None, decay=None, **kw):
        return Rule(rid, rid.replace("_", " "), "engagement", float(points), activity=ActivitySpec(where, within, max_points, decay), **kw)

    page = L("type", "equals", "page_view")
    rules = [
        # ---- fit: value maps
        Rule("company_size", "Company size band", "fit", map=ValueMap("company_size", bins=[Bin(None, 10, -10), Bin(10, 50, 5), Bin(50, 1000, 15), Bin(1000, 5000, 12), Bin(5000, None, 5)])),
        Rule("industry", "Industry", "fit", map=ValueMap("industry", values={"Software": 10, "Financial Services": 10, "Retail": 6, "Professional Services": 4, "Media": 3, "Education": -5, "Government": -10})),
        Rule("seniority", "Seniority", "fit", map=ValueMap("seniority", values={"C-level": 12, "VP": 12, "Director": 9, "Manager": 5, "Student": -25})),
        Rule("lead_source", "Lead source", "fit", map=ValueMap("lead_source", values={"Referral": 6, "Partner": 5, "Event": 3, "Content Syndication": -3}, default=0)),
        Rule("revenue_band", "Revenue band", "fit", map=ValueMap("annual_revenue", bins=[Bin(None, 1e6, -5), Bin(1e6, 1e7, 0), Bin(1e7, 5e8, 6), Bin(5e8, None, 3)])),
        # ---- fit: conditions
        fit("buying_department", 4, L("department", "in", ["Marketing", "Sales"])),
        fit("core_country", 3, L("country", "in", ["US", "GB", "CA", "AU", "IE"])),
        fit("far_country", -3, L("country", "in", ["IN", "BR", "MX", "ZA"])),
        fit("marketing_title", 4, L("job_title", "contains", ["marketing", "demand gen"])),
        fit("leader_title", 6, L("job_title", "regex", r"^(vp|director|head)\b")),
        fit("chief_title", 8, L("job_title", "starts_with", ["chief", "ceo", "cfo", "cmo"])),
        fit("free_email", -10, L("email", "ends_with", free_mail), group="email_quality"),
        fit("student_email", -20, L("email", "regex", r"\.edu$"), group="email_quality"),
        fit("competitor", -60, L("email", "contains", "competitor")),
        fit("budget", 8, L("form_budget", "in", ["Approved", "Planned"])),
        fit("no_budget", -4, L("form_budget", "equals", "No budget")),
        fit("buyer_with_form", 3, AllOf([Not(L("form_budget", "is_empty")), L("persona", "equals", "buyer")])),
        fit("icp_combo", 5, AnyOf([AllOf([L("industry", "equals", "Software"), L("company_size", "gte", 200)]), L("industry", "equals", "Financial Services")])),
        fit("mid_revenue", 2, L("annual_revenue", "between", [5e6, 5e8])),
        fit("tiny_company", -6, AllOf([L("company_size", "lt", 5), Not(L("industry", "in", ["Software"]))])),
        # ---- engagement: conditions
        eng("timeline_soon", 10, L("form_timeline", "in", ["Now", "1-3 months"])),
        eng("just_researching", -5, L("form_timeline", "equals", "Just researching")),
        eng("intent_high", 8, L("intent_score", "gte", 70)),
        eng("intent_mid", 3, L("intent_score", "between", [40, 69])),
        eng("analytics_interest", 5, L("form_product_interest", "in", ["Analytics", "Both"]), product="analytics"),
        eng("payments_interest", 5, L("form_product_interest", "in", ["Payments", "Both"]), product="payments"),
        eng("new_lead", 3, L("created_at", "within_days", 30)),
        eng("stale_lead", -5, L("created_at", "older_than_days", 120)),
        # ---- engagement: activity rules
        act("trial_active", 4, L("type", "equals", "trial_active_day"), 14, 24, group="trial"),
        act("trial_signup", 10, L("type", "equals", "trial_signup"), 60, 10, group="trial"),
        act("pricing_views", 5, AllOf([page, L("detail", "contains", "/pricing")]), 30, 15, Decay(half_life_days=10), group="web"),
        act("analytics_pages", 3, AllOf([page, L("detail", "contains", "/products/analytics")]), 30, 9, Decay(half_life_days=14), group="web", product="analytics"),
        act("payments_pages", 3, AllOf([page, L("detail", "contains", "/products/payments")]), 30, 9, Decay(half_life_days=14), group="web", product="payments"),
        act("demo_request", 30, L("type", "in", ["demo_request", "contact_us"]), 45, 30),
        act("webinar", 8, L("type", "equals", "webinar_attended"), 60, 16, Decay(linear_pct=25, period_days=14), group="content"),
        act("downloads", 3, L("type", "equals", "content_download"), 60, 9, group="content"),
        act("email_clicks", 2, L("type", "equals", "email_click"), 30, 6, Decay(half_life_days=7)),
        act("careers_page", -15, L("detail", "contains", "/careers"), 90, 30),
        act("unsubscribed", -15, L("type", "equals", "unsubscribe"), None, 15),
        act("intent_surge_events", 4, L("type", "equals", "intent_surge"), 21, 8, Decay(linear_pct=50, period_days=7)),
    ]
    assert len(rules) == 40, len(rules)
    return ScoringModel(
        name="Benchmark model (40 rules)",
        version="bench-1",
        lead_id="lead_id",
        created_at="created_at",
        attributes=attrs,
        activities=ActivityColumns("lead_id", "timestamp", "type", "url"),
        persona=Persona("persona", {"buyer": 1.0, "influencer": 0.6, "user": 0.4, "other": 0.25}),
        products=["analytics", "payments"],
        rules=rules,
        caps=Caps(
            {"fit": Range(-40, 50), "engagement": Range(-30, 70)},
            {"trial": Range(None, 30), "web": Range(None, 20), "content": Range(None, 18), "email_quality": Range(-20, None)},
        ),
        score_range=Range(0, 100),
        thresholds=Thresholds(55, 80),
        grades=Grades({"A": 35, "B": 22, "C": 10, "D": None}, {"1": 40, "2": 25, "3": 10, "4": None}, ["A1", "A2", "A3", "B1", "B2", "C1"]),
        capacity=Capacity(3, 40, 8),
    )


# ---------------------------------------------------------------- helpers
def histogram_of(scorer: Scorer):
    score = scorer.result.score
    lo, hi = summary.score_bounds(scorer.model, score)
    return summary.histogram(score, lo, hi, 100)


def subset(data: LeadData, k: int) -> LeadData:
    """The first ``k`` leads of bound data, with their events."""
    ev = data.events
    keep = ev.lead < k
    events = Events(ev.lead[keep], ev.ts[keep], ev.frame[keep].reset_index(drop=True))
    return LeadData(data.frame.iloc[:k].reset_index(drop=True), data.ids[:k], dict(data.types), events, data.as_of)


def compare_with_engine(frame: pd.DataFrame, out: pd.DataFrame, lead_id: str) -> dict:
    out = out.set_index(lead_id).reindex(frame[lead_id].to_numpy())
    res = {"rows": int(len(out)), "missing": int(out["score"].isna().sum())}
    for c in ("score", "fit_score", "engagement_score", "product_analytics", "product_payments"):
        diff = np.abs(frame[c].to_numpy(dtype=float) - out[c].to_numpy(dtype=float))
        res[f"{c}_max_diff"] = float(np.nanmax(diff)) if len(diff) else 0.0
    for c in ("grade", "status"):
        a = frame[c].astype(str).to_numpy()
        b = out[c].astype(str).to_numpy()
        res[f"{c}_mismatches"] = int((a != b).sum())
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--events-per-lead", type=float, default=12.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=20, help="repetitions of the incremental timings")
    ap.add_argument("--reference-leads", type=int, default=2000, help="leads scored by the per-row reference")
    ap.add_argument("--no-duckdb", action="store_true")
    ap.add_argument("--profile", metavar="FILE", help="write a cProfile of one full scoring to FILE")
    a = ap.parse_args(argv)
    out: dict = {"leads": a.leads, "seed": a.seed, "python": platform.python_version(), "cpus": os.cpu_count()}

    gc.collect()
    baseline = rss_peak_mb()
    out["baseline_rss_mb"] = round(baseline, 1)
    print(f"interpreter + imports: {baseline:.0f} MB")

    t = time.perf_counter()
    leads, acts = generate(a.leads, seed=a.seed, events_per_lead=a.events_per_lead)
    out["generate_s"] = round(time.perf_counter() - t, 3)
    out["events"] = int(len(acts))
    out["frame_mb"] = round(leads.memory_usage(deep=True).sum() / 2**20, 1)
    out["events_mb"] = round(acts.memory_usage(deep=True).sum() / 2**20, 1)
    gc.collect()
    out["malloc_trim"] = malloc_trim()  # give the generator's freed memory back before measuring the scoring path
    out["generate_peak_rss_mb"] = round(rss_peak_mb(), 1)
    out["rss_after_generate_mb"] = round(rss_now_mb(), 1)
    out["peak_reset"] = reset_peak()
    print(f"generated {a.leads:,} leads, {len(acts):,} events in {out['generate_s']:.2f} s; leads frame {out['frame_mb']:.0f} MB, events {out['events_mb']:.0f} MB")

    model = build_model()
    out["rules"] = len(model.rules)
    as_of = "2026-08-31"

    t = time.perf_counter()
    data = bind(model, leads, acts, as_of=as_of)
    out["bind_s"] = round(time.perf_counter() - t, 3)
    out["bound_mb"] = round(data.frame.memory_usage(deep=True).sum() / 2**20, 1)
    out["problems"] = [p.kind for p in data.problems]
    print(f"bind: {out['bind_s']:.3f} s ({len(data.events):,} events kept, bound frame {out['bound_mb']:.0f} MB)")

    scorer = None

    def full():
        nonlocal scorer
        scorer = Scorer(model, data)

    first = time.perf_counter()
    full()
    out["full_first_s"] = round(time.perf_counter() - first, 3)
    out["full_s"], runs = median_time(full, 3)
    out["full_s"] = round(out["full_s"], 3)
    print(f"full scoring (Scorer): median {out['full_s']:.3f} s  runs {[round(x, 3) for x in runs]}  first {out['full_first_s']:.3f} s")
    if a.profile:
        import cProfile

        cProfile.runctx("Scorer(model, data)", globals(), {"Scorer": Scorer, "model": model, "data": data}, a.profile)
        print(f"profile of one full scoring written to {a.profile}")

    # the floor of any edit (the yardstick): one masked add to the scores and the 100-bin count of a
    # histogram; each edit below is reported as a multiple of it
    hit = np.random.default_rng(0).random(len(data)) < 0.3
    lo_s, hi_s = summary.score_bounds(scorer.model, scorer.result.score)
    width = max(hi_s - lo_s, 1e-9) / 100

    def floor_op():
        x = scorer.result.score.copy()
        x[hit] += 3.0
        np.bincount(np.clip(((x - lo_s) / width).astype(np.intp), 0, 99), minlength=100)

    floor_op()
    out["edit_floor_s"] = round(median_time(floor_op, a.repeat)[0], 4)
    print(f"edit floor (one masked add + a 100-bin count over {len(data):,} scores): {1000 * out['edit_floor_s']:.1f} ms")

    # one rule's points
    budget = model.rule("budget")

    def points_edit():
        budget.points = 9.0 if budget.points == 8.0 else 8.0
        scorer.refresh()
        histogram_of(scorer)

    points_edit()
    out["incremental_s"], runs = median_time(points_edit, a.repeat)
    out["incremental_s"] = round(out["incremental_s"], 4)
    print(f"incremental (points of one rule + refresh + 100-bin histogram): median {1000 * out['incremental_s']:.1f} ms  min {1000 * min(runs):.1f} ms  max {1000 * max(runs):.1f} ms")

    dept = model.rule("buying_department")

    def condition_edit():
        v = dept.when.value
        dept.when.value = ["Marketing", "Sales", "Finance"] if len(v) == 2 else ["Marketing", "Sales"]
        scorer.refresh()
        histogram_of(scorer)

    condition_edit()
    out["incremental_condition_s"], runs = median_time(condition_edit, a.repeat)
    out["incremental_condition_s"] = round(out["incremental_condition_s"], 4)
    print(f"incremental (condition of one rule + refresh + histogram): median {1000 * out['incremental_condition_s']:.1f} ms  min {1000 * min(runs):.1f} ms")

    title = model.rule("marketing_title")

    def text_edit():
        v = title.when.value
        title.when.value = ["marketing", "demand gen", "growth"] if len(v) == 2 else ["marketing", "demand gen"]
        scorer.refresh()
        histogram_of(scorer)

    text_edit()
    out["incremental_text_condition_s"], runs = median_time(text_edit, a.repeat)
    out["incremental_text_condition_s"] = round(out["incremental_text_condition_s"], 4)
    print(f"incremental (text condition on job_title + refresh + histogram): median {1000 * out['incremental_text_condition_s']:.1f} ms")

    pricing = model.rule("pricing_views")

    def activity_edit():
        pricing.activity.within_days = 45 if pricing.activity.within_days == 30 else 30
        scorer.refresh()
        histogram_of(scorer)

    activity_edit()
    out["incremental_activity_s"], runs = median_time(activity_edit, a.repeat)
    out["incremental_activity_s"] = round(out["incremental_activity_s"], 4)
    print(f"incremental (window of one activity rule + refresh + histogram): median {1000 * out['incremental_activity_s']:.1f} ms")

    ratios = []
    for name, k in (("points", "incremental_s"), ("condition", "incremental_condition_s"),
                    ("text condition", "incremental_text_condition_s"), ("activity window", "incremental_activity_s")):
        out[k[:-2] + "_over_floor"] = r = round(out[k] / out["edit_floor_s"], 2) if out["edit_floor_s"] else None
        ratios.append(f"{name} {r}x")
    print("edits over their floor: " + ", ".join(ratios))
    gc.collect()
    out["peak_rss_mb"] = round(rss_peak_mb(), 1)
    out["rss_target_mb"] = round(3 * out["frame_mb"] + baseline, 1)
    print(
        f"peak RSS of the scoring path: {out['peak_rss_mb']:.0f} MB (target 3 x frame + interpreter = {out['rss_target_mb']:.0f} MB;"
        f" generator peak {out['generate_peak_rss_mb']:.0f} MB{'' if out['peak_reset'] else ', could not reset the peak: includes it'})"
    )
    engine_frame = scorer.frame()

    # DuckDB over the exported SQL
    if not a.no_duckdb:
        import duckdb

        sql = export_sql(model, dialect="duckdb", as_of=as_of)
        con = duckdb.connect()
        t = time.perf_counter()
        con.register("leads", leads)
        con.register("activities", acts)
        out["duckdb_register_s"] = round(time.perf_counter() - t, 3)
        result = None

        def run():
            nonlocal result
            rel = con.sql(sql)
            result = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()

        out["duckdb_s"], runs = median_time(run, 3)
        out["duckdb_s"] = round(out["duckdb_s"], 3)
        out["duckdb_threads"] = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
        df = result.to_pandas()
        check = compare_with_engine(engine_frame, df, model.lead_id)
        out["duckdb_check"] = check
        ok = check["missing"] == 0 and check["grade_mismatches"] == 0 and check["status_mismatches"] == 0 and max(v for k, v in check.items() if k.endswith("max_diff")) <= 0.01 + 1e-9
        out["duckdb_matches_engine"] = bool(ok)
        print(f"DuckDB (exported SQL, {out['duckdb_threads']} threads): median {out['duckdb_s']:.3f} s  runs {[round(x, 3) for x in runs]}; registration {out['duckdb_register_s']:.3f} s; equals engine: {ok}")
        con.close()
        del result, df

    # per-row reference
    ref_path = REPO / "tests" / "core" / "reference.py"
    if ref_path.exists():
        sys.path.insert(0, str(ref_path.parent))
        import reference  # type: ignore

        k = min(a.reference_leads, len(data))
        sub = subset(data, k)
        rows, events = reference.rows_of(sub)
        t = time.perf_counter()
        ref = reference.reference_score_rows(model, rows, dict(sub.types), events, sub.as_of)
        dt = time.perf_counter() - t
        out["reference_rows_per_s"] = round(k / dt, 1) if dt > 0 else None
        eng_rows_per_s = len(data) / out["full_s"]
        out["engine_rows_per_s"] = round(eng_rows_per_s, 1)
        ref_scores = np.array([r.score for r in ref])
        out["reference_max_diff"] = float(np.max(np.abs(ref_scores - scorer.result.score[:k]))) if k else 0.0
        print(f"reference scorer: {out['reference_rows_per_s']:,.0f} leads/s on {k:,} leads (engine {eng_rows_per_s:,.0f} leads/s, {eng_rows_per_s / out['reference_rows_per_s']:,.0f}x); max |diff| {out['reference_max_diff']:.2e}")
    else:
        out["reference_note"] = "tests/core/reference.py not found: reference_rows_per_s skipped"
        print(out["reference_note"])

    out["peak_rss_total_mb"] = round(rss_peak_mb(), 1)
    targets = {
        "full_s<1": bool(out["full_s"] < 1.0),
        "full_s<duckdb_s": bool(("duckdb_s" in out) and out["full_s"] < out["duckdb_s"]),
        "incremental_s<0.03": bool(out["incremental_s"] < 0.03),
        "peak_rss<3x_frame+interp": bool(out["peak_rss_mb"] < out["rss_target_mb"]),
    }
    out["targets_met"] = targets
    print("targets: " + ", ".join(f"{k} {'ok' if v else 'MISSED'}" for k, v in targets.items()))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
