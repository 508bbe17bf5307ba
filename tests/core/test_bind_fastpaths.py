"""The fast paths of binding and reading (Arrow id matching, ISO dates, id columns) equal the general ones."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from leaddesigner.core.data import coerce, leadfile
from leaddesigner.core.scoring import binding, ids as id_matching


def _slow_rows(ids: pd.Index, event_ids: pd.Series) -> np.ndarray:
    codes, uniques = pd.factorize(ids)
    first = np.full(len(uniques), -1, dtype=np.int64)
    blank = np.asarray(pd.Index(uniques).astype(str).str.strip() == "", dtype=bool)
    known = codes >= 0
    known[known] = ~blank[codes[known]]
    first[codes[known][::-1]] = np.flatnonzero(known)[::-1]
    pos = pd.Index(uniques).get_indexer(event_ids.astype("str").to_numpy(dtype=object))
    return np.append(first, -1)[pos]  # an unmatched id (-1) picks the appended -1


def test_lead_rows_arrow_matches_pandas() -> None:
    ids = pd.Index(np.array(["a", "b", "a", " ", "c", "d"], dtype=object))
    for events in (
        pd.Series(["a", "b", "x", None, " ", "c", "d", "a", "A"], dtype="str"),
        pd.Series(["a", "b", "x", None, " ", "c"], dtype=object),
        pd.Series([1, 2, 3]),
    ):
        got = id_matching.lead_rows(ids, events)
        np.testing.assert_array_equal(got, _slow_rows(ids, events))
        assert got.dtype == np.int64
    ids_num = pd.Index(np.array(["1", "2", "3"], dtype=object))
    np.testing.assert_array_equal(id_matching.lead_rows(ids_num, pd.Series([3, 1, 7])), [2, 0, -1])


HOSTILE = ["a", "A", "b", " ", "", "\t", "\xa0", "\u3000", " a", "a ", "İ", "i", "ı", "I", "Σ", "σ", "ς", "NO", "no", "L-1", "l-1", "O'Brien"]


@pytest.mark.parametrize("join", [False, True], ids=["arrow", "duckdb"])
def test_lead_rows_equal_pandas_on_hostile_ids(monkeypatch, join) -> None:
    """Arrow's index_in and the DuckDB join (used from a million events on) give pandas' answer byte for byte:
    case, blanks, Turkish and Greek letters, repeats (the first row), missing ids and unknown leads."""
    monkeypatch.setattr(id_matching, "JOIN_MIN_EVENTS", 0 if join else 10**12)
    ids = pd.Index(pd.array(["a", "A", "İ", "a", " ", None, "Σ", "no", "ς", "", "L-1"], dtype="str"))
    events = pd.Series(HOSTILE + [None, "a", "σ", "NO", "x"] * 3, dtype="str")
    got = id_matching.lead_rows(ids, events)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, _slow_rows(ids, events))
    np.testing.assert_array_equal(got[:4], [0, 1, -1, -1])  # "a" -> row 0 (not the repeat at 3), "A" -> 1, "b", " "


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lead=st.lists(st.sampled_from(HOSTILE + [None]), max_size=25), events=st.lists(st.sampled_from(HOSTILE + [None]), max_size=40))
def test_lead_rows_paths_agree(monkeypatch, lead, events) -> None:
    ids, ev = pd.Index(pd.array(lead, dtype="str")), pd.Series(events, dtype="str")
    expected = _slow_rows(ids, ev)
    for threshold in (10**12, 0):
        monkeypatch.setattr(id_matching, "JOIN_MIN_EVENTS", threshold)
        np.testing.assert_array_equal(id_matching.lead_rows(ids, ev), expected)


@pytest.mark.parametrize("categories,codes", [
    (["page_view", "email_open", "webinar"], [0, 1, 0, 2, 1]),  # unsorted, as a Parquet dictionary comes
    (["a", "b", "c"], [2, 0, 1, 1]),  # sorted and all used: kept
    (["z", "a", "unused", "m"], [0, 1, -1, 3, 0, -1]),  # missing types and a category no event has
    (["b", "a"], [-1, -1]),  # nothing present
    ([f"t{i:03d}" for i in range(300)][::-1], list(range(0, 300, 7)) * 3),  # int16 codes
])
def test_observed_sorted_equals_the_categorical_of_the_values(categories, codes) -> None:
    s = pd.Series(pd.Categorical.from_codes(codes, categories=categories))
    got = binding._observed_sorted(s)
    want = pd.Categorical(s.to_numpy())
    assert list(got.categories) == list(want.categories)
    np.testing.assert_array_equal(np.asarray(got.codes), np.asarray(want.codes))


def test_plain_iso_dates_equal_general_parser() -> None:
    cases = [
        ["2026-03-02 00:00:07", "2026-03-02T10:11:12.123456", None, "2024-02-29", "2026-03-02 10:11"],
        ["2024-02-30", "2026-01-01"],
        ["2026-03-02 24:00:00"],
        ["2026-03-02", "n/a"],
        ["2026-03-02 00:00:07Z"],
        ["2300-01-01", "2026-01-01"],
        ["2026-03-02 10:11:12.1234567"],
        ["  2026-03-02  "],
    ]
    for values in cases:
        df = pd.DataFrame({"d": pd.Series(values, dtype="str")})
        fast, problems = coerce.coerce_types(df, {"d": "date"}, source="x.csv", row_offset=2)
        text = coerce._text_view(df["d"])
        if coerce._plain_iso_dates(text) is not None:
            general = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True).dt.tz_localize(None).astype("datetime64[ns]")
            pd.testing.assert_series_equal(fast["d"], general.rename("d"), check_index=False)
            assert problems == []


def test_id_column_of_a_csv_log_stays_text(tmp_path) -> None:
    # repetitive in the first batch (so dictionary-encoded while reading) but with
    # more than 100,000 distinct values: text, as before, without unifying dictionaries
    n = 240_000
    ids = np.repeat(np.arange(n // 2), 2)
    path = tmp_path / "acts.csv"
    pd.DataFrame({"lead_id": [f"L{i:07d}" for i in ids], "type": np.where(ids % 2 == 0, "a", "b")}).to_csv(path, index=False)
    df = leadfile.read_table(path)
    assert isinstance(df["lead_id"].dtype, pd.StringDtype)
    assert df["lead_id"].iloc[-1] == f"L{n // 2 - 1:07d}"
    assert isinstance(df["type"].dtype, pd.CategoricalDtype)


def test_keep_dictionary_keeps_a_parquet_id_column(tmp_path) -> None:
    path = tmp_path / "acts.parquet"
    ids = pd.Categorical([f"L{i}" for i in range(200_000)] * 2)
    pq.write_table(pa.table({"lead_id": pa.array(ids), "n": np.arange(len(ids))}), path)
    assert isinstance(leadfile.read_table(path)["lead_id"].dtype, pd.StringDtype)
    kept = leadfile.read_table(path, keep_dictionary=["lead_id"])
    assert isinstance(kept["lead_id"].dtype, pd.CategoricalDtype)
    lead_ids = pd.Index(np.array([f"L{i}" for i in range(0, 200_000, 2)], dtype=object))
    np.testing.assert_array_equal(
        id_matching.lead_rows(lead_ids, kept["lead_id"]), id_matching.lead_rows(lead_ids, leadfile.read_table(path)["lead_id"])
    )


def test_text_columns_of_a_csv_log_are_read_as_plain_text(tmp_path, monkeypatch) -> None:
    """The log's lead id and timestamps are never dictionary-encoded while reading (they were encoded per
    64k rows and decoded again); a column repetitive in its first rows only turns to text on the way. Same
    values and types either way."""
    from leaddesigner.core.data import csv_columns, csv_reader

    n = 200_000
    rng = np.random.default_rng(5)
    t = pd.Timestamp("2026-03-01") + pd.to_timedelta(np.sort(rng.integers(0, 90 * 86400, n)), unit="s")
    frame = pd.DataFrame({"lead_id": [f"L{i:07d}" for i in np.repeat(np.arange(n // 2), 2)],
                          "timestamp": t.strftime("%Y-%m-%d %H:%M:%S"),
                          "type": np.where(np.arange(n) % 3 == 0, "page_view", "email_open"),
                          # the same value for its first 70,000 rows, then all distinct
                          "later": ["x"] * 70_000 + [f"v{i}" for i in range(n - 70_000)]})
    path = tmp_path / "acts.csv"
    frame.to_csv(path, index=False)
    encoded: list[str] = []  # the first value of every array the collector dictionary-encodes
    real = csv_columns.pc.dictionary_encode
    monkeypatch.setattr(csv_columns.pc, "dictionary_encode",
                        lambda arr, *a, **k: (encoded.append(str(arr[0])), real(arr, *a, **k))[1])
    by_reader: list[str] = []  # the columns the reader's threads encode (decided on the first block)
    first_block = csv_reader.repetitive_columns
    monkeypatch.setattr(csv_reader, "repetitive_columns", lambda *a: (by_reader.extend(first_block(*a)), by_reader)[1])
    plain = leadfile.read_table(path, keep_dictionary=["lead_id"], text_columns=["timestamp"])
    monkeypatch.undo()
    before = leadfile.read_table(path)
    for c in frame.columns:
        assert plain[c].astype(str).tolist() == before[c].astype(str).tolist() == frame[c].astype(str).tolist(), c
    assert isinstance(plain["lead_id"].dtype, pd.StringDtype) and isinstance(plain["timestamp"].dtype, pd.StringDtype)
    assert isinstance(plain["type"].dtype, pd.CategoricalDtype) and isinstance(plain["later"].dtype, pd.StringDtype)
    # never encoded: the id and the timestamps
    assert by_reader == ["type", "later"]
    assert not any(v.startswith("L0") or v.startswith("2026-") for v in encoded)


def test_a_parquet_logs_text_id_is_not_hashed_to_decide_a_category(tmp_path) -> None:
    """A Parquet log whose lead id is plain text: named by the caller, it stays text (12 million ids hashed in
    full only to find they are not a category cost ~1.4 s); unnamed, a repetitive column still becomes one.
    Binding gives the same rows either way."""
    path = tmp_path / "acts.parquet"
    ids = [f"L{i % 500}" for i in range(20_000)]
    pq.write_table(pa.table({"lead_id": pa.array(ids, pa.string()), "n": np.arange(len(ids))}), path)
    kept = leadfile.read_table(path, keep_dictionary=["lead_id"])
    assert isinstance(kept["lead_id"].dtype, pd.StringDtype)
    guessed = leadfile.read_table(path)
    assert isinstance(guessed["lead_id"].dtype, pd.CategoricalDtype)  # 500 values in 20,000 rows
    lead_ids = pd.Index(np.array([f"L{i}" for i in range(0, 600, 3)], dtype=object))
    np.testing.assert_array_equal(id_matching.lead_rows(lead_ids, kept["lead_id"]), id_matching.lead_rows(lead_ids, guessed["lead_id"]))


def test_a_repeated_column_with_many_values_is_text_without_hashing_it_all(monkeypatch) -> None:
    """Company names repeat (so the first 50,000 are not all distinct) but pass 100,000 distinct values within
    the first 200,000: text, decided there; a column just under the limit is still a category."""
    from leaddesigner.core.data import column_types

    n = 450_000
    company = pa.chunked_array([pa.array([f"Company {i // 2}" for i in range(n)])])  # 225,000 names, each twice
    city = pa.chunked_array([pa.array([f"City {(i // 3) % 99_999}" for i in range(n)])])  # 66,667 in the first 200,000
    encoded: list[int] = []
    real = column_types.pc.dictionary_encode
    monkeypatch.setattr(column_types.pc, "dictionary_encode", lambda arr, *a, **k: (encoded.append(len(arr)), real(arr, *a, **k))[1])
    assert column_types._maybe_category(company) is company and encoded == []
    as_category = column_types._maybe_category(city)
    assert pa.types.is_dictionary(as_category.type) and len(as_category.chunk(0).dictionary) == 99_999
    assert as_category.cast(pa.string()).equals(city.cast(pa.string()))


@pytest.mark.parametrize("min_rows", [0, 10**12], ids=["sliced", "whole"])
def test_arrow_kernels_on_slices_equal_the_whole_column(monkeypatch, min_rows) -> None:
    """ISO timestamps and text conditions run a slice of a long column per core: the same answer as the whole
    column in one call, in order, with missing values (a slice of only missing values included), Greek and
    Turkish text, and a bad timestamp in the last slice sending the column to the general parser."""
    from leaddesigner.core.data import parallel
    from leaddesigner.core.model.types import Leaf
    from leaddesigner.core.scoring import conditions as C

    monkeypatch.setattr(parallel, "MIN_ROWS", min_rows)
    n = 60_000
    stamps = pd.Series([None] * 40_000 + [f"2026-03-{1 + i % 28:02d} 10:{i % 60:02d}:00" for i in range(n - 40_000)], dtype="str")
    fast = coerce._plain_iso_dates(stamps)
    assert fast is not None and fast.isna().sum() == 40_000
    assert str(fast.iloc[-1]) == f"2026-03-{1 + (n - 40_001) % 28:02d} 10:{(n - 40_001) % 60:02d}:00"
    assert coerce._plain_iso_dates(pd.Series(list(stamps[:-1]) + ["2026-02-30 10:00:00"], dtype="str")) is None
    words = ["İstanbul Ltd", "ΣΟΦΙΑ σοφός", "acme.NO", None, "Straße GmbH", "competitor-a.com"]
    text = pd.Series([words[i % len(words)] + (f" {i}" if i % 7 == 0 and words[i % len(words)] else "")
                      if words[i % len(words)] else None for i in range(n)], dtype="str")
    leaves = [Leaf("t", "contains", "σοφ"), Leaf("t", "contains", ["istanbul", "strasse"]), Leaf("t", "starts_with", "competitor"),
              Leaf("t", "ends_with", ".no"), Leaf("t", "in", ["acme.no", "σοφια σοφος"]), Leaf("t", "not_in", "acme.no")]
    got = [C.evaluate(leaf, lambda name: (text, "text"), n, 0) for leaf in leaves]
    monkeypatch.setattr(parallel, "MIN_ROWS", 10**12)
    C._derived.clear()
    for leaf, mask in zip(leaves, got):
        np.testing.assert_array_equal(mask, C.evaluate(leaf, lambda name: (text, "text"), n, 0), err_msg=str(leaf))
    assert got[0].sum() > 0 and got[3].sum() > 0


def test_a_clean_text_column_is_bound_without_a_copy() -> None:
    """A text attribute whose values need no stripping and hold no empty value is bound as the lead file's
    own column (1M e-mails: 37 MB less); one that does is stripped, its empty values missing, as before."""
    from leaddesigner.core.data.coerce import coerce_types

    n = 5_000
    clean = pd.Series([f"user{i}@acme.io" for i in range(n)], dtype="str")
    out, problems = coerce_types(pd.DataFrame({"email": clean}), {"email": "text"}, source="leads.csv", row_offset=2)
    assert not problems and out["email"].tolist() == clean.tolist()
    bound, given = (s.array.__arrow_array__().chunk(0).buffers()[2].address for s in (out["email"], clean))
    assert bound == given  # the same text buffer
    for dirty in ([" Ayşe@örnek.com.tr"] + [f"u{i}@x.gr" for i in range(n)], ["\u00a0Σοφία@x.gr\u00a0"] + ["a@b.c"] * n,
                  [""] + ["a@b.c"] * n):
        s = pd.Series(dirty, dtype="str")
        out, _ = coerce_types(pd.DataFrame({"email": s}), {"email": "text"}, source="leads.csv", row_offset=2)
        want = s.str.strip()
        want = want.where(want.str.len() > 0)
        assert out["email"].tolist() == want.tolist()
