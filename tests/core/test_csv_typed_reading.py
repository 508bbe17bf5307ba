"""The CSV reader types two kinds of column while it reads, and either way the frame is the one it gave before.

* An activity log's timestamps are read as instants by Arrow's ISO parser when
  the top of the file shows plain ISO timestamps; a value further down that the
  parser refuses (an offset, a day that does not exist, another form) reads the
  file again with the column as text, which binding parses its own way. The
  events bound either way are the same, and so are the problems reported.
* A text column whose first block repeats values is dictionary-encoded by the
  reader's threads; the columns come out as when the collector encoded them
  itself (categories, text, numbers), whatever the column does further down.
"""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from leaddesigner.core.data import csv_columns, csv_reader, pipeline
from leaddesigner.core.model.types import ScoringModel
from leaddesigner.core.scoring.engine import bind

pytestmark = pytest.mark.hypothesis

SAMPLE = 200  # records the reader looks at before it decides (the sample at the top of the file)


def _log(path, stamps: list[str]) -> None:
    lines = ["lead_id,timestamp,type,url"]
    lines += [f"L{i % 7},{s},{'page_view' if i % 3 else 'form_submit'},/p{i % 5}" for i, s in enumerate(stamps)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _bound(log: pd.DataFrame):
    model = ScoringModel(name="m")
    leads = pd.DataFrame({"lead_id": [f"L{i}" for i in range(7)]})
    data = bind(model, leads, log, as_of="2030-01-01", activities_source="activities.csv")
    problems = sorted((p.kind, p.count, tuple(p.examples)) for p in data.problems)
    return data.events, problems


def _both(path) -> tuple[pipeline.Table, pipeline.Table]:
    typed = pipeline.read(path, "activity log", keep_dictionary=("lead_id",), timestamp_columns=("timestamp",))
    text = pipeline.read(path, "activity log", keep_dictionary=("lead_id",), text_columns=("timestamp",))
    return typed, text


def _same_events(typed: pipeline.Table, text: pipeline.Table) -> None:
    (ev1, p1), (ev2, p2) = _bound(typed.frame), _bound(text.frame)
    np.testing.assert_array_equal(ev1.ts, ev2.ts)
    np.testing.assert_array_equal(ev1.lead, ev2.lead)
    assert list(ev1.frame["type"]) == list(ev2.frame["type"])
    assert p1 == p2


def test_plain_iso_timestamps_are_read_as_instants(tmp_path):
    path = tmp_path / "activities.csv"
    stamps = [f"2026-0{1 + i % 9}-1{i % 10} 0{i % 10}:1{i % 6}:2{i % 10}" for i in range(500)]
    stamps[7] = ""  # a blank is no objection: an event without a time, as when read as text
    stamps[9] = "2026-03-04"  # a day without a time of day
    _log(path, stamps)
    typed, text = _both(path)
    assert typed.frame["timestamp"].dtype == "datetime64[ns]"
    assert isinstance(text.frame["timestamp"].dtype, pd.StringDtype)
    assert typed.frame["timestamp"].iloc[9] == pd.Timestamp("2026-03-04")
    _same_events(typed, text)


@pytest.mark.parametrize(
    "bad, instant",
    [
        ("2026-02-30 10:00:00", None),  # no such day: a problem with its line, as before
        ("2026-03-02T10:00:07Z", pd.Timestamp("2026-03-02 10:00:07")),  # UTC, as the text path reads it
        ("2026-03-02 10:00:07+01:00", pd.Timestamp("2026-03-02 09:00:07")),
        ("N/A", None),  # a missing-value token: no time, no problem
        ("06.03.2026 10:00", None),  # one value in another form: a problem with its line, as before
    ],
)
def test_a_value_the_iso_parser_refuses_far_down_reads_the_file_as_text(tmp_path, bad, instant):
    path = tmp_path / "activities.csv"
    stamps = ["2026-03-01 08:00:00"] * 3000
    stamps[2500] = bad  # beyond the sample the reader decides from
    _log(path, stamps)
    said: list[str] = []
    typed = pipeline.read(path, "activity log", keep_dictionary=("lead_id",), timestamp_columns=("timestamp",),
                          progress=lambda f, m: said.append(m))
    assert isinstance(typed.frame["timestamp"].dtype, pd.StringDtype)
    assert typed.frame["timestamp"].iloc[2500] == bad  # the text as the file has it
    assert any("again" in m and "ISO" in m for m in said)
    _, text = _both(path)
    _same_events(typed, text)
    events, problems = _bound(typed.frame)
    if instant is not None:
        assert pd.Timestamp(events.ts[2500]) == instant
    if bad in ("2026-02-30 10:00:00", "06.03.2026 10:00"):
        assert any(kind == "type_mismatch" and (2502, bad) in examples for kind, _, examples in problems)


def test_a_sample_that_is_not_plain_iso_keeps_the_text(tmp_path):
    path = tmp_path / "activities.csv"
    _log(path, ["2026-03-01T08:00:00Z"] * 50)  # zoned from the first line: the reader does not try
    said: list[str] = []
    typed = pipeline.read(path, "activity log", timestamp_columns=("timestamp",), progress=lambda f, m: said.append(m))
    assert isinstance(typed.frame["timestamp"].dtype, pd.StringDtype)
    assert not any("again" in m for m in said)  # read once


STAMPS = st.one_of(
    st.builds(
        lambda y, mo, d, h, mi, s, frac, sep: f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{frac}",
        st.integers(1650, 2270), st.integers(1, 12), st.integers(1, 31), st.integers(0, 24), st.integers(0, 59),
        st.integers(0, 60), st.sampled_from(["", ".5", ".123456", ".123456789"]), st.sampled_from([" ", "T"]),
    ),
    st.sampled_from(["", "N/A", "2026-03-02", "2026-03-02 10:00", "20260302", "2026-3-2 10:00:00", " 2026-03-02 10:00:07",
                     "2026-03-02 10:00:07Z", "2026-03-02 10:00:07-05:00", "2024-02-29 12:00:00", "2025-02-29 12:00:00",
                     "31/12/2025 10:00", "12/31/2025 10:00", "1699-12-31 23:59:59", "2262-04-12 00:00:00"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tail=st.lists(STAMPS, min_size=1, max_size=40), at=st.integers(0, 400))
def test_instants_equal_the_text_path_for_any_timestamps_below_the_sample(tmp_path, tail, at):
    """Whatever values follow a plain ISO top of the file, the bound events and problems are those of the text path."""
    path = tmp_path / "activities.csv"
    head = [f"2026-01-{1 + i % 28:02d} 10:{i % 60:02d}:00" for i in range(SAMPLE + at)]
    _log(path, head + tail)
    typed, text = _both(path)
    _same_events(typed, text)


# -- text columns the reader encodes -------------------------------------------------------------------------


def _column(kind: str, n: int, rng: random.Random) -> list[str]:
    if kind == "few":
        return [rng.choice(["Retail", "SaaS", "Ναυτιλία", "İnşaat", ""]) for _ in range(n)]
    if kind == "distinct":
        return [f"user{i}@example.com" for i in range(n)]
    if kind == "repeats_then_distinct":  # a burst at the top, then every value new
        return ["2026-01-01"] * (n // 10) + [f"v{i}" for i in range(n - n // 10)]
    if kind == "empty_then_few":
        return [""] * (n // 3) + [rng.choice(["a", "b", "NO"]) for _ in range(n - n // 3)]
    if kind == "numbers":
        return [str(rng.randint(0, 50)) for _ in range(n)]
    if kind == "few_then_many":  # few values in the first block, more than a category holds later
        return [rng.choice(["x", "y"]) for _ in range(n // 4)] + [f"c{rng.randint(0, n)}" for _ in range(n - n // 4)]
    return [rng.choice(["yes", "no", "", "NO", "Evet"]) for _ in range(n)]


KINDS = ["few", "distinct", "repeats_then_distinct", "empty_then_few", "numbers", "few_then_many", "mixed"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=5), n=st.integers(1, 4000), seed=st.integers(0, 99),
       block=st.sampled_from([2048, 8192, 1 << 20]), group=st.sampled_from([64, 1024, 1 << 16]))
def test_columns_encoded_by_the_reader_equal_those_the_collector_encodes(tmp_path, monkeypatch, kinds, n, seed, block, group):
    rng = random.Random(seed)
    cols = {f"c{i}_{k}": _column(k, n, rng) for i, k in enumerate(kinds)}
    path = tmp_path / "leads.csv"
    frame = pd.DataFrame(cols)
    path.write_text(frame.to_csv(index=False), encoding="utf-8")
    monkeypatch.setattr(csv_reader, "_BLOCK_BYTES", block)
    monkeypatch.setattr(csv_columns, "DICT_GROUP_ROWS", group)
    encoded = pipeline.read(path).frame
    monkeypatch.setattr(csv_reader, "repetitive_columns", lambda *a, **k: [])
    collected = pipeline.read(path).frame
    pd.testing.assert_frame_equal(encoded, collected)


def test_the_log_type_and_page_come_encoded_from_the_reader(tmp_path, monkeypatch):
    path = tmp_path / "activities.csv"
    _log(path, ["2026-03-01 08:00:00"] * 2000)
    seen: list[list[str]] = []
    real = csv_columns.repetitive_columns
    monkeypatch.setattr(csv_reader, "repetitive_columns", lambda *a: seen.append(real(*a)) or seen[-1])
    at = pipeline.read(path, "activity log", keep_dictionary=("lead_id",), timestamp_columns=("timestamp",))
    assert seen == [["type", "url"]]  # the ids and the instants are never encoded
    assert isinstance(at.frame["type"].dtype, pd.CategoricalDtype) and isinstance(at.frame["lead_id"].dtype, pd.StringDtype)
