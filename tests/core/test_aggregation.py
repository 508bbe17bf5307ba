"""The aggregation of buckets into scores, at the rows an edit changed and over every lead by blocks.

* random models, data and edit sequences, with the sparse path forced on
  (every edit redone at its changed rows) or off, and blocks of 1, 3 and 64
  values: after every edit the result equals a fresh scoring (within
  rounding) and, bit for bit, an aggregation of the same buckets from scratch;
  every result handed out earlier is unchanged (products too);
* the sample model on 3,000 leads: window, value-list and text edits take the
  path at changed rows (checked), with the same three guarantees.
"""
from __future__ import annotations

from pathlib import Path
from unittest import mock

import numpy as np
from hypothesis import given, settings, strategies as st

from fuzzing import examples  # tests/ is on sys.path; see tests/fuzzing.py
from leaddesigner.core.scoring import aggregation, blocks
from leaddesigner.core.scoring.engine import Scorer

from . import strategies as S
from .test_engine_properties import EDITS, HORIZONS, SETTINGS, _bind, apply_edit, assert_same_result

FIELDS = ("score", "fit", "engagement", "grade", "status")


def snapshot(res) -> dict:
    """Copies of a result's arrays, to check later that nobody wrote into the result handed out."""
    out = {f: getattr(res, f).copy() for f in FIELDS}
    out.update({f"product {p}": a.copy() for p, a in res.products.items()})
    return out


def assert_as_from_scratch(sc: Scorer, got, context: str) -> None:
    """The result equals, bit for bit, the aggregation of the scorer's buckets with nothing kept."""
    kept, sc._agg = sc._agg, None
    scratch = sc._aggregate()
    sc._agg = kept  # the next edit goes on from what the scorer kept
    for f in FIELDS:
        a, b = getattr(got, f), getattr(scratch, f)
        assert np.array_equal(a, b), f"{context}: {f} differs from the aggregation from scratch"
        if a.dtype.kind == "f":
            assert np.array_equal(np.signbit(a), np.signbit(b)), f"{context}: {f} sign of zero"


def check_edits(sc: Scorer, model, data, edit_steps, after_refresh=None) -> None:
    handed = [(sc.result, snapshot(sc.result))]
    done = []
    for step in edit_steps:
        done.append(step())
        context = " / ".join(done)
        got = sc.refresh()
        if after_refresh:
            after_refresh(done[-1])
        assert_same_result(got, Scorer(model, data).result, model, context=context)
        assert_as_from_scratch(sc, got, context)
        handed.append((got, snapshot(got)))
    for i, (res, snap) in enumerate(handed):
        for f in FIELDS:
            assert np.array_equal(getattr(res, f), snap[f], equal_nan=True), f"result {i} handed out changed: {f}"
        for p, a in res.products.items():
            assert np.array_equal(a, snap[f"product {p}"], equal_nan=True), f"result {i} handed out changed: product {p}"


@settings(max_examples=examples(60), **SETTINGS)
@given(model=S.models(max_rules=8), frames=S.lead_frames(max_leads=20, max_events=40, messy_ids=True), horizon=HORIZONS,
       share=st.sampled_from([1, 10**9]), block=st.sampled_from([1, 3, 64]), data=st.data())
def test_edits_at_changed_rows_or_by_blocks_equal_fresh_scoring_and_aggregation_from_scratch(model, frames, horizon, share, block, data):
    with mock.patch.object(aggregation, "SPARSE_SHARE", share), mock.patch.object(blocks, "BLOCK", block):
        lead_data = _bind(model, frames, horizon)
        sc = Scorer(model, lead_data)
        counter = [0]
        steps = [lambda: apply_edit(data.draw, model, data.draw(st.sampled_from(EDITS), label="edit"), counter)
                 for _ in range(data.draw(st.integers(1, 10), label="edits"))]
        check_edits(sc, model, lead_data, steps)


def test_sample_model_edits_take_the_path_at_changed_rows(tmp_path):
    """Windows, value lists and text conditions on the sample model change few leads: the scorer swaps points
    and aggregates at those rows only (counted), with results as from scratch; a points edit goes by blocks."""
    from leaddesigner.core.data import pipeline
    from leaddesigner.core.model.io import load_model
    from leaddesigner.samples.generate import write_sample

    write_sample(tmp_path, 3_000, seed=5)
    model = load_model(Path(__file__).resolve().parents[2] / "sample_models" / "enterprise_fit_first.yaml")
    loaded = pipeline.load(model, tmp_path / "leads.csv", tmp_path / "activities.csv", as_of="2026-08-31")
    sc, data = loaded.scorer, loaded.data
    acts = [r for r in model.rules if r.kind == "activity" and r.activity.within_days and r.id != "pricing"]
    lists = [r for r in model.rules if r.kind == "condition" and isinstance(getattr(r.when, "value", None), list)]
    assert acts and lists

    def window(r, days):
        def step():
            r.activity.within_days = days
            return f"{r.id} window {days}"
        return step

    def one_value_less(r):
        def step():
            r.when.value = r.when.value[:-1] if len(r.when.value) > 1 else r.when.value + ["zz-none"]
            return f"{r.id} values {r.when.value}"
        return step

    def points(r):
        def step():
            r.points += 2.5
            return f"{r.id} points"
        return step

    # the points of a later bucket (content) go by blocks and keep the sum of the buckets before it; a window in
    # an earlier bucket (web) changed at its rows must bring that kept sum up to date there, or the next points
    # edit of the later bucket would add onto a stale sum
    pricing, webinar, demo = model.rule("pricing"), model.rule("webinar"), model.rule("demo")
    assert sc._bucket(pricing) == ("g", "web") and sc._bucket(webinar) == ("g", "content")
    steps = [points(webinar), window(pricing, pricing.activity.within_days + 3), points(webinar),
             window(demo, demo.activity.within_days - 5), one_value_less(lists[0]), points(webinar),
             window(acts[0], acts[0].activity.within_days + 9)]
    calls = {"at rows": 0, "by blocks": 0}
    paths = {}

    def count(name, fn):
        def wrapped(*a, **k):
            calls[name] += 1
            return fn(*a, **k)
        return wrapped

    def record(step):  # which path the refresh of this step took
        paths[step] = dict(calls)

    def counted(step):  # counting starts at the edit (the checks after a refresh aggregate from scratch too)
        def run():
            calls.update({"at rows": 0, "by blocks": 0})
            return step()
        return run

    with mock.patch.object(blocks, "BLOCK", 700), \
            mock.patch.object(aggregation, "_dimension_at", count("at rows", aggregation._dimension_at)), \
            mock.patch.object(aggregation, "_dimension", count("by blocks", aggregation._dimension)):
        check_edits(sc, model, data, [counted(s) for s in steps], after_refresh=record)
    for step, took in paths.items():
        if "points" in step:
            assert took == {"at rows": 0, "by blocks": 1}, (step, took)
        else:
            assert took == {"at rows": 1, "by blocks": 0}, (step, took)
