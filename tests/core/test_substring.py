"""``contains`` over a text column's bytes (core/scoring/substring.py) equals Arrow's row-by-row search on any text."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from leaddesigner.core.scoring import substring

pytestmark = pytest.mark.hypothesis

LETTERS = st.sampled_from(list("abcop@.-_ ") + ["İ", "ı", "Σ", "σ", "ς", "ß", "é", "€", "😀", "ğ", "ş", "Ω", "\n"])
TEXTS = st.lists(st.one_of(st.none(), st.text(LETTERS, max_size=12)), min_size=0, max_size=300)


def _arrow(values, kind, split, offset):
    arr = pa.array(values, type=pa.large_string() if kind == "large" else pa.string())
    arr = arr.slice(min(offset, len(arr)))  # a slice: the first row's text does not start the buffer
    cut = min(split, len(arr))
    return pa.chunked_array([arr.slice(0, cut), arr.slice(cut)], type=arr.type), arr


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=TEXTS, needle=st.text(LETTERS, min_size=2, max_size=9), kind=st.sampled_from(["string", "large"]),
       split=st.integers(0, 300), offset=st.integers(0, 5), take=st.integers(0, 299))
def test_equals_arrow_on_any_text(monkeypatch, values, needle, kind, split, offset, take):
    monkeypatch.setattr(substring, "MIN_ROWS", 0)
    monkeypatch.setattr(substring, "_MAX_CANDIDATES", 1.0)  # never hand back to Arrow here
    present = [v for v in values if v]
    if present and take % 2:  # half the time a needle that occurs: part of a value
        v = present[take % len(present)]
        needle = v[len(v) // 3: len(v) // 3 + max(2, len(v) // 2)] if len(v.encode()) >= 2 else needle  # 2-3 bytes: pairs, more: four bytes
        if len(needle.encode()) < 2:
            needle = "ab"
    chunked, whole = _arrow(values, kind, split, offset)
    got = substring.contains(chunked, needle, {})
    want = pc.fill_null(pc.match_substring(whole, needle), False).to_numpy(zero_copy_only=False)
    assert got is not None
    np.testing.assert_array_equal(got, want)


def test_a_hit_never_runs_into_the_next_row(monkeypatch):
    monkeypatch.setattr(substring, "MIN_ROWS", 0)
    monkeypatch.setattr(substring, "_MAX_CANDIDATES", 1.0)
    arr = pa.chunked_array([pa.array(["xxco", "mpetitor", "competitor", None, "", "acompetitor"])])
    assert substring.contains(arr, "competitor", {}).tolist() == [False, False, True, False, False, True]


def test_arrow_answers_where_the_bytes_would_not_be_faster(monkeypatch):
    monkeypatch.setattr(substring, "MIN_ROWS", 0)
    arr = pa.chunked_array([pa.array(["anna@example.com"] * 399 + ["ann@example.org"])])
    assert substring.contains(arr, "a", {}) is None  # one byte
    assert substring.contains(arr, "ex", {}) is None  # a pair in every row
    assert substring.contains(arr, "@example.org", {}).sum() == 1  # 'rg' is rare: searched
    monkeypatch.setattr(substring, "MIN_ROWS", 10_000)
    assert substring.contains(arr, "@example.org", {}) is None  # a short column


def test_a_million_addresses_on_two_cores_equal_arrow():
    rng = np.random.default_rng(2)
    n = 1_000_000
    names = np.array(["anna", "jörg", "ΣοφΙα", "İlker", "li", "max"])
    doms = np.array(["gmail.com", "acme.io", "uni.edu", "şirket.com.tr", "competitor.com"])
    dom = rng.choice(5, n, p=[0.5, 0.3, 0.1, 0.09, 0.01])  # a competitor now and then, as in a real export
    values = [f"{names[a]}.{b}@{doms[c]}" for a, b, c in zip(rng.integers(0, 6, n), rng.integers(0, 999, n), dom, strict=True)]
    arr = pa.chunked_array([pa.array(values[:400_000], pa.large_string()), pa.array(values[400_000:], pa.large_string())])
    store: dict = {}
    searched = 0
    for needle in ("competitor", ".edu", "şirket", "ΣοφΙα", "@acme", "gmail"):
        got = substring.contains(arr, needle, store)
        want = pc.match_substring(arr, needle).to_numpy(zero_copy_only=False)
        if got is not None:
            searched += 1
            np.testing.assert_array_equal(got, want, err_msg=needle)
    assert searched >= 4  # the rare needles go by the bytes
    assert substring.contains(arr, "competitor", store) is not None
    assert "pair_sample" in store  # the sample is taken once per column
