"""Tests for leaddesigner.core.data.leadfile: robust loading and type coercion."""

from __future__ import annotations

import datetime as dt
import gzip
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaddesigner.core.data.coerce import coerce_types
from leaddesigner.core.data.leadfile import LeadFileError, Problem, read_table, row_label

# tests/core/test_leadfile.py -> parents[0]=tests/core, [1]=tests, [2]=repo, [3]=repo's parent
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


# ---------------------------------------------------------------------------
# CSV dialects and encodings
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter(tmp_path: Path, delimiter: str) -> None:
    rows = [["id", "name", "score"], ["1", "Ann", "3.5"], ["2", "Bob", "4"], ["3", "Cy", ""]]
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    df = read_table(write(tmp_path, "leads.csv", text))
    assert list(df.columns) == ["id", "name", "score"]
    assert df.shape == (3, 3)
    assert df["id"].tolist() == [1, 2, 3]
    assert df["name"].tolist() == ["Ann", "Bob", "Cy"]
    assert df["score"].iloc[0] == 3.5 and np.isnan(df["score"].iloc[2])


def test_delimiter_inside_quotes_does_not_confuse_detection(tmp_path: Path) -> None:
    # Commas inside quoted values, semicolon as the real delimiter.
    text = 'name;company;city\n"Ann";"Acme, Inc.";"Paris, FR"\n"Bob";"B, C & D";"Rome, IT"\n'
    df = read_table(write(tmp_path, "leads.csv", text))
    assert list(df.columns) == ["name", "company", "city"]
    assert df["company"].tolist() == ["Acme, Inc.", "B, C & D"]


def test_quoted_fields_with_delimiter_quote_and_newline(tmp_path: Path) -> None:
    text = (
        "id,note,city\r\n"
        '1,"Called, said ""call me later""\r\nthen hung up",Paris\r\n'
        '2,"plain",Rome\r\n'
        '3,"line one\nline two",Oslo\r\n'
    )
    df = read_table(write(tmp_path, "leads.csv", text))
    assert df.shape == (3, 3)
    assert df["note"].iloc[0] == 'Called, said "call me later"\r\nthen hung up'
    assert df["note"].iloc[2] == "line one\nline two"
    assert df["city"].tolist() == ["Paris", "Rome", "Oslo"]


def test_utf8_bom_is_not_part_of_the_first_column_name(tmp_path: Path) -> None:
    path = write(tmp_path, "leads.csv", b"\xef\xbb\xbfemail,country\nann@x.com,Espa\xc3\xb1a\n")
    df = read_table(path)
    assert list(df.columns) == ["email", "country"]
    assert df["country"].iloc[0] == "España"


def test_utf16_le_with_bom_and_tabs_as_excel_unicode_text(tmp_path: Path) -> None:
    text = "Name\tCity\tRevenue\r\nZoë\tKöln\t1200\r\nJosé\tSão Paulo\t€5\r\n"
    data = b"\xff\xfe" + text.encode("utf-16-le")
    df = read_table(write(tmp_path, "export.txt", data))
    assert list(df.columns) == ["Name", "City", "Revenue"]
    assert df["Name"].tolist() == ["Zoë", "José"]
    assert df["City"].tolist() == ["Köln", "São Paulo"]
    assert df["Revenue"].tolist() == ["1200", "€5"]


def test_cp1252_fallback(tmp_path: Path) -> None:
    text = "Name;Stadt;Betrag\r\nRené;Zürich;100 €\r\nJürgen;Genève;50 €\r\n"
    df = read_table(write(tmp_path, "leads.csv", text, encoding="cp1252"))
    assert df["Name"].tolist() == ["René", "Jürgen"]
    assert df["Stadt"].tolist() == ["Zürich", "Genève"]
    assert df["Betrag"].tolist() == ["100 €", "50 €"]


def test_cp1252_bytes_beyond_the_detection_sample(tmp_path: Path) -> None:
    # The first 64 KiB are pure ASCII; the é only appears later.
    lines = ["id,city"] + [f"{i},Paris" for i in range(20_000)] + ["20000,Montréal"]
    path = write(tmp_path, "leads.csv", "\n".join(lines) + "\n", encoding="cp1252")
    assert path.stat().st_size > 65536
    df = read_table(path)
    assert len(df) == 20_001
    assert df["city"].iloc[-1] == "Montréal"


def test_crlf_line_endings(tmp_path: Path) -> None:
    df = read_table(write(tmp_path, "leads.csv", "a,b\r\n1,x\r\n2,y\r\n"))
    assert df["b"].tolist() == ["x", "y"]  # no stray "\r"
    assert list(df.columns) == ["a", "b"]


def test_header_whitespace_is_stripped(tmp_path: Path) -> None:
    df = read_table(write(tmp_path, "leads.csv", " id , Email \n1,a@b.c\n"))
    assert list(df.columns) == ["id", "Email"]


def test_ids_with_leading_zeros_stay_text(tmp_path: Path) -> None:
    df = read_table(write(tmp_path, "leads.csv", "id,zip,n\n00123,01000,5\n00124,75001,6\n"))
    assert df["id"].tolist() == ["00123", "00124"]
    assert df["zip"].tolist() == ["01000", "75001"]
    assert df["n"].dtype == np.int64


def test_low_cardinality_text_becomes_category(tmp_path: Path) -> None:
    lines = ["email,country"] + [f"u{i}@x.com,{'DE' if i % 3 else 'FR'}" for i in range(300)]
    df = read_table(write(tmp_path, "leads.csv", "\n".join(lines)))
    assert isinstance(df["country"].dtype, pd.CategoricalDtype)
    assert set(df["country"].cat.categories) == {"DE", "FR"}
    assert not isinstance(df["email"].dtype, pd.CategoricalDtype)
    assert df["email"].iloc[5] == "u5@x.com"


def test_usecols_reads_only_the_named_columns_and_ignores_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "leads.csv", "a, b ,c\n1,2,3\n4,5,6\n")
    df = read_table(path, usecols=["c", "b", "zzz"])
    assert list(df.columns) == ["b", "c"]
    assert df["c"].tolist() == [3, 6]
    none = read_table(path, usecols=["zzz"])
    assert none.shape == (2, 0)


def test_header_only_gives_zero_rows(tmp_path: Path) -> None:
    df = read_table(write(tmp_path, "leads.csv", "id;email;country\r\n"))
    assert list(df.columns) == ["id", "email", "country"]
    assert len(df) == 0


def test_gzip_csv(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv.gz"
    path.write_bytes(gzip.compress("id;city\n1;Ljubljana\n2;Maribor\n".encode()))
    df = read_table(path)
    assert df["city"].tolist() == ["Ljubljana", "Maribor"]


def test_progress_is_reported_from_start_to_end(tmp_path: Path) -> None:
    lines = ["id,v"] + [f"{i},{i % 7}" for i in range(200_000)]
    path = write(tmp_path, "leads.csv", "\n".join(lines))
    calls: list[tuple[float, str]] = []
    read_table(path, progress=lambda f, m: calls.append((f, m)))
    fractions = [f for f, _ in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert len(calls) > 2  # intermediate steps for a multi-block file
    assert fractions == sorted(fractions)
    assert all(isinstance(m, str) and m for _, m in calls)


def test_unclosed_quote_is_an_error_not_a_swallowed_file(tmp_path: Path) -> None:
    path = write(tmp_path, "leads.csv", 'id,note\n1,ok\n2,"oops\n3,lost\n4,lost too\n')
    with pytest.raises(LeadFileError) as info:
        read_table(path)
    assert info.value.line == 3
    assert "line 3" in str(info.value) and "never closed" in str(info.value)
    # A properly closed multi-line value at the end is fine.
    df = read_table(write(tmp_path, "ok.csv", 'id,note\n1,"two\nlines"\n'))
    assert df["note"].tolist() == ["two\nlines"]


def test_column_that_turns_out_not_numeric_after_many_rows(tmp_path: Path) -> None:
    # Far beyond the first block that decides how a column is collected.
    lines = ["zip,visits"] + [f"{10000 + i},{i % 5}" for i in range(150_000)]
    lines.append("SW1A 1AA,3")
    df = read_table(write(tmp_path, "leads.csv", "\n".join(lines) + "\n"))
    assert len(df) == 150_001
    assert df["zip"].iloc[0] == "10000" and df["zip"].iloc[-1] == "SW1A 1AA"
    assert df["visits"].dtype == np.int64


def test_unnamed_columns(tmp_path: Path) -> None:
    # A trailing delimiter makes an unnamed, empty column: dropped.
    assert read_table(write(tmp_path, "a.csv", "a;b;\n1;2;\n")).columns.tolist() == ["a", "b"]
    # An unnamed column with data is kept under its spreadsheet letter.
    df = read_table(write(tmp_path, "b.csv", "a,,c\n1,x,3\n"))
    assert df.columns.tolist() == ["a", "column_B", "c"]


def test_numbers_that_are_really_ids_stay_text(tmp_path: Path) -> None:
    text = "hex,long,ok\n0x1F,12345678901234567890,1\n0x20,12345678901234567891,2\n"
    df = read_table(write(tmp_path, "leads.csv", text))
    assert df["hex"].tolist() == ["0x1F", "0x20"]
    assert df["long"].tolist() == ["12345678901234567890", "12345678901234567891"]
    assert df["ok"].tolist() == [1, 2]


def test_core_module_does_not_import_qt() -> None:
    code = (
        "import sys, leaddesigner.core.data.leadfile;"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'pyqtgraph'))];"
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# ---------------------------------------------------------------------------
# Excel and Parquet
# ---------------------------------------------------------------------------


def test_xlsx_with_real_dates(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([" Lead ID", "Signed up", "Employees", "Country"])
    ws.append(["00017", dt.datetime(2024, 3, 31, 14, 5), 250, "SI"])
    ws.append(["00018", dt.date(2024, 4, 1), None, "SI"])
    ws.append(["00019", dt.datetime(2024, 4, 2), 12, "HR"])
    ws.append([None, None, None, None])  # trailing empty row: dropped
    other = wb.create_sheet("Second")
    other.append(["x"])
    other.append([1])
    path = tmp_path / "leads.xlsx"
    wb.save(path)

    df = read_table(path)
    assert list(df.columns) == ["Lead ID", "Signed up", "Employees", "Country"]
    assert len(df) == 3
    assert df["Lead ID"].tolist() == ["00017", "00018", "00019"]
    assert pd.api.types.is_datetime64_any_dtype(df["Signed up"].dtype)
    assert df["Signed up"].iloc[0] == pd.Timestamp("2024-03-31 14:05")
    assert df["Signed up"].iloc[1] == pd.Timestamp("2024-04-01")
    assert df["Employees"].iloc[0] == 250 and np.isnan(df["Employees"].iloc[1])

    second = read_table(path, sheet="Second")
    assert second["x"].tolist() == [1]
    with pytest.raises(LeadFileError, match='no sheet named "Nope"'):
        read_table(path, sheet="Nope")

    out, problems = coerce_types(df, {"Signed up": "date"}, source=path.name, row_offset=2)
    assert problems == []
    assert out["Signed up"].dtype == "datetime64[ns]"


def test_xlsx_mixed_column_and_duplicate_header(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "employees"])
    ws.append([1, 200])
    ws.append([2, "about 50"])
    path = tmp_path / "mixed.xlsx"
    wb.save(path)
    df = read_table(path)
    assert df["employees"].tolist() == ["200", "about 50"]
    out, problems = coerce_types(df, {"employees": "number"}, source="mixed.xlsx", row_offset=2)
    assert out["employees"].iloc[0] == 200.0
    assert problems[0].examples == [(3, "about 50")]
    assert "row 3" in problems[0].message

    wb = openpyxl.Workbook()
    wb.active.append(["email", "name", "email"])
    wb.active.append(["a", "b", "c"])
    dup = tmp_path / "dup.xlsx"
    wb.save(dup)
    with pytest.raises(LeadFileError) as info:
        read_table(dup)
    assert "column 1 (A)" in str(info.value) and "column 3 (C)" in str(info.value)


def test_parquet(tmp_path: Path) -> None:
    source = pd.DataFrame(
        {
            "lead_id": ["00001", "00002", "00003"],
            "score": [1.5, None, 3.0],
            "created": pd.to_datetime(["2024-01-01", "2024-01-02", None]),
            "stage": ["new", "won", "new"],
        }
    )
    path = tmp_path / "leads.parquet"
    source.to_parquet(path)
    df = read_table(path)
    assert list(df.columns) == ["lead_id", "score", "created", "stage"]
    assert df["lead_id"].tolist() == ["00001", "00002", "00003"]
    assert df["score"].iloc[0] == 1.5
    assert pd.api.types.is_datetime64_any_dtype(df["created"].dtype)
    assert read_table(path, usecols=["score"]).columns.tolist() == ["score"]
    assert row_label(path) == ("row", 1)


def test_parquet_in_row_groups_reads_as_one_with_progress_and_cancel(tmp_path: Path) -> None:
    """A Parquet file is read a row group at a time (text stays in those chunks): the frame is the one a
    whole-file read gives (ids, instants with gaps, categories whose dictionaries differ per row group,
    Greek and Turkish text), progress moves with each row group, and a cancel between them stops the read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 5_000
    rng = np.random.default_rng(4)
    source = pd.DataFrame({
        "lead_id": [f"L{i:05d}" for i in range(n)],
        "created": pd.to_datetime(rng.integers(1.7e18, 1.78e18, n)).where(rng.random(n) > 0.1),
        "score": rng.normal(size=n),
        # early row groups hold only some of the values: each row group's dictionary differs
        "country": pd.Categorical(np.where(np.arange(n) < 2_000, "NO", rng.choice(["NO", "TR", "GR", "Ελλάδα", "İzmir"], n))),
        "title": rng.choice(["Σύμβουλος", "Müdür", "VP Sales", None], n),
    })
    path = tmp_path / "leads.parquet"
    pq.write_table(pa.Table.from_pandas(source, preserve_index=False), path, row_group_size=700)
    assert pq.ParquetFile(path).metadata.num_row_groups == 8
    said: list[tuple[float, str]] = []
    df = read_table(path, progress=lambda f, m: said.append((f, m)))
    whole = pq.read_table(path).to_pandas()
    for c in source.columns:
        assert df[c].astype(object).where(df[c].notna(), None).tolist() == whole[c].astype(object).where(whole[c].notna(), None).tolist(), c
    assert isinstance(df["country"].dtype, pd.CategoricalDtype)
    rows = [m for _, m in said if m.startswith("Reading leads.parquet")]
    assert len(rows) == 8 and rows[-1] == "Reading leads.parquet: 5,000 rows"
    fractions = [f for f, _ in said]
    assert fractions == sorted(fractions)

    class Cancel(Exception):
        pass

    def cancel_at_third(f, m):
        if m.startswith("Reading leads.parquet: 2,100"):
            raise Cancel

    with pytest.raises(Cancel):
        read_table(path, progress=cancel_at_third)


# ---------------------------------------------------------------------------
# Errors a marketer can act on
# ---------------------------------------------------------------------------


def test_ragged_row_error_names_file_line_and_counts(tmp_path: Path) -> None:
    text = (
        'id;name;city\r\n1;"Ann\r\nMarie";Paris\r\n2;Bob;Rome\r\n'
        "3;Cy;Oslo;extra\r\n4;Di;Bern\r\n"
    )
    path = write(tmp_path, "leads.csv", text)
    with pytest.raises(LeadFileError) as info:
        read_table(path)
    err = info.value
    message = str(err)
    # Line 1 header, record 1 spans lines 2-3, then line 4, then the bad line 5.
    assert err.line == 5
    assert "leads.csv" in message
    assert "line 5" in message
    assert "expected 3 fields" in message and "found 4" in message
    assert "3;Cy;Oslo;extra" in message
    assert err.path == path


def test_short_row_error(tmp_path: Path) -> None:
    path = write(tmp_path, "leads.csv", "a,b,c\n1,2,3\n4,5\n")
    with pytest.raises(LeadFileError, match=r"line 3: expected 3 fields .* found 2"):
        read_table(path)


def test_duplicate_header_names_both_positions(tmp_path: Path) -> None:
    path = write(tmp_path, "leads.csv", "id,email,name, email\n1,a,b,c\n")
    with pytest.raises(LeadFileError) as info:
        read_table(path)
    message = str(info.value)
    assert "leads.csv" in message and '"email"' in message
    assert "column 2 (B)" in message and "column 4 (D)" in message
    assert info.value.column == "email" and info.value.line == 1


def test_unknown_extension_lists_supported_formats(tmp_path: Path) -> None:
    path = write(tmp_path, "leads.xls", b"\xd0\xcf\x11\xe0")
    with pytest.raises(LeadFileError) as info:
        read_table(path)
    message = str(info.value)
    assert "leads.xls" in message
    for ext in (".csv", ".tsv", ".txt", ".xlsx", ".parquet"):
        assert ext in message
    with pytest.raises(LeadFileError):
        row_label("leads.json")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LeadFileError) as info:
        read_table(tmp_path / "nope.csv")
    assert "nope.csv" in str(info.value) and "no such file" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"\xef\xbb\xbf", b"   \n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(LeadFileError, match="empty"):
        read_table(write(tmp_path, "leads.csv", content))


def test_corrupt_xlsx(tmp_path: Path) -> None:
    with pytest.raises(LeadFileError, match="not a valid Excel workbook"):
        read_table(write(tmp_path, "leads.xlsx", b"this is not a zip file"))


def test_corrupt_gzip(tmp_path: Path) -> None:
    with pytest.raises(LeadFileError, match="gzip"):
        read_table(write(tmp_path, "leads.csv.gz", b"not gzip at all"))


def test_row_label() -> None:
    assert row_label("a.csv") == ("line", 2)
    assert row_label("a.TSV.gz") == ("line", 2)
    assert row_label("a.txt") == ("line", 2)
    assert row_label("a.xlsx") == ("row", 2)
    assert row_label("a.xlsm") == ("row", 2)
    assert row_label("a.pq") == ("row", 1)


# ---------------------------------------------------------------------------
# coerce_types
# ---------------------------------------------------------------------------


def test_number_problems_carry_user_row_numbers(tmp_path: Path) -> None:
    text = "id,employees\n1,10\n2,abc\n3,\n4,N/A\n5,12kg\n6, 7 \n"
    path = write(tmp_path, "leads.csv", text)
    df = read_table(path)
    label, first = row_label(path)
    out, problems = coerce_types(df, {"employees": "number"}, source=path.name, row_offset=first)
    assert out["employees"].dtype == np.float64
    assert out["employees"].tolist()[:1] == [10.0]
    assert np.isnan(out["employees"].iloc[1]) and out["employees"].iloc[5] == 7.0
    assert len(problems) == 1
    problem = problems[0]
    assert isinstance(problem, Problem)
    assert problem.kind == "type_mismatch" and problem.column == "employees"
    assert problem.count == 2
    # "abc" is data row 1 -> line 3; "12kg" is data row 4 -> line 6.
    assert problem.examples == [(3, "abc"), (6, "12kg")]
    assert "line 3" in problem.message and "leads.csv" in problem.message
    assert problem.rules == []


def test_examples_are_capped_at_five() -> None:
    df = pd.DataFrame({"n": ["x1", "x2", "1", "x3", "x4", "x5", "x6", "x7"]})
    _, problems = coerce_types(df, {"n": "number"}, source="leads.xlsx", row_offset=2)
    assert problems[0].count == 7
    assert len(problems[0].examples) == 5
    assert problems[0].examples[0] == (2, "x1")
    assert problems[0].examples[2] == (5, "x3")


def test_thousands_separators() -> None:
    df = pd.DataFrame(
        {
            "en": ["1,200", "1,234,567.5", "3.25", "12", "-2,000"],
            "plain": ["1,200", "15", "7", None, ""],
            "eu": ["1.234,5", "3,5", "12", "1.200", "-0,25"],
            "spaced": ["1 200", "12 345,5", "7", "1\u00a0000", "2"],
        }
    )
    out, problems = coerce_types(
        df, {c: "number" for c in df.columns}, source="x.csv", row_offset=2
    )
    assert problems == []
    assert out["en"].tolist() == [1200.0, 1234567.5, 3.25, 12.0, -2000.0]
    assert out["plain"].tolist()[:3] == [1200.0, 15.0, 7.0]
    assert out["eu"].tolist() == [1234.5, 3.5, 12.0, 1200.0, -0.25]
    assert out["spaced"].tolist() == [1200.0, 12345.5, 7.0, 1000.0, 2.0]


def test_ambiguous_separators_are_reported_not_guessed() -> None:
    # "3,5" says decimal comma, "2.75" says decimal point: "1,200" is ambiguous.
    df = pd.DataFrame({"v": ["3,5", "2.75", "1,200", "4"]})
    out, problems = coerce_types(df, {"v": "number"}, source="x.csv", row_offset=2)
    assert out["v"].iloc[1] == 2.75 and out["v"].iloc[3] == 4.0
    assert problems[0].count == 2
    assert [v for _, v in problems[0].examples] == ["3,5", "1,200"]


def test_missing_tokens_are_not_problems() -> None:
    tokens = ["", "NA", "n/a", "NULL", "None", "unknown", "UNKNOWN", "-", "  ", None, "#N/A"]
    df = pd.DataFrame({"n": tokens, "b": tokens, "d": tokens})
    out, problems = coerce_types(
        df, {"n": "number", "b": "boolean", "d": "date"}, source="x.csv", row_offset=2
    )
    assert problems == []
    assert out["n"].isna().all() and out["b"].isna().all() and out["d"].isna().all()


def test_unknown_in_bank_style_numbers() -> None:
    df = pd.DataFrame({"age": pd.Categorical(["56", "unknown", "41", "forty"])})
    out, problems = coerce_types(df, {"age": "number"}, source="bank.csv", row_offset=2)
    assert out["age"].tolist()[0] == 56.0 and np.isnan(out["age"].iloc[1])
    assert problems[0].examples == [(5, "forty")]


def test_boolean() -> None:
    df = pd.DataFrame(
        {
            "b": ["Yes", "no", "Y", "n", "TRUE", "false", "1", "0", "t", "F", "maybe", None],
            "num": [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 2, 1],
        }
    )
    types = {"b": "boolean", "num": "boolean"}
    out, problems = coerce_types(df, types, source="x.csv", row_offset=2)
    assert str(out["b"].dtype) == "boolean"
    assert out["b"].tolist()[:10] == [True, False] * 5
    assert out["b"].isna().tolist()[10:] == [True, True]
    by_col = {p.column: p for p in problems}
    assert by_col["b"].examples == [(12, "maybe")]
    assert by_col["num"].examples == [(12, "2")]


def test_boolean_from_category_column(tmp_path: Path) -> None:
    lines = ["id,opened"] + [f"{i},{'yes' if i % 2 else 'no'}" for i in range(50)] + ["50,perhaps"]
    path = write(tmp_path, "leads.csv", "\n".join(lines))
    df = read_table(path)
    assert isinstance(df["opened"].dtype, pd.CategoricalDtype)
    out, problems = coerce_types(df, {"opened": "boolean"}, source=path.name, row_offset=2)
    assert out["opened"].iloc[0] is np.False_ or out["opened"].iloc[0] == False  # noqa: E712
    assert out["opened"].sum() == 25
    assert problems[0].examples == [(52, "perhaps")]


def test_dates_iso_and_timezones() -> None:
    df = pd.DataFrame(
        {
            "d": [
                "2024-01-05",
                "2024-01-05 13:45:00",
                "2024-01-05T10:00:00+02:00",
                "2024-01-05T10:00:00Z",
                "not a date",
                "",
            ]
        }
    )
    out, problems = coerce_types(df, {"d": "date"}, source="x.csv", row_offset=2)
    assert out["d"].dtype == "datetime64[ns]"
    assert out["d"].tolist()[:4] == [
        pd.Timestamp("2024-01-05"),
        pd.Timestamp("2024-01-05 13:45"),
        pd.Timestamp("2024-01-05 08:00"),
        pd.Timestamp("2024-01-05 10:00"),
    ]
    assert problems[0].examples == [(6, "not a date")]


def test_dates_day_first_and_month_first() -> None:
    df = pd.DataFrame(
        {
            "eu": ["31/01/2024", "05/02/2024", "13.03.2024 08:30", "garbage"],
            "us": ["01/31/2024", "02/05/2024", "12/13/2024", ""],
            "dots": ["05.02.2024", "06.02.2024", "07.02.2024", None],
        }
    )
    out, problems = coerce_types(df, {c: "date" for c in df.columns}, source="x.csv", row_offset=2)
    assert out["eu"].tolist()[:3] == [
        pd.Timestamp("2024-01-31"),
        pd.Timestamp("2024-02-05"),
        pd.Timestamp("2024-03-13 08:30"),
    ]
    assert out["us"].tolist()[:3] == [
        pd.Timestamp("2024-01-31"),
        pd.Timestamp("2024-02-05"),
        pd.Timestamp("2024-12-13"),
    ]
    assert out["dots"].iloc[0] == pd.Timestamp("2024-02-05")  # dots: day first
    assert [(p.column, p.examples) for p in problems] == [("eu", [(5, "garbage")])]


def test_dates_with_am_pm_and_two_digit_years() -> None:
    df = pd.DataFrame(
        {"d": ["1/31/2024 2:05 PM", "12/01/24 12:00 AM", "2/3/2024 13:00", "1/1/2024 25:00"]}
    )
    out, problems = coerce_types(df, {"d": "date"}, source="x.csv", row_offset=2)
    assert out["d"].tolist()[:3] == [
        pd.Timestamp("2024-01-31 14:05"),
        pd.Timestamp("2024-12-01 00:00"),
        pd.Timestamp("2024-02-03 13:00"),
    ]
    assert problems[0].examples == [(5, "1/1/2024 25:00")]


def test_dates_out_of_range_are_reported() -> None:
    df = pd.DataFrame({"d": ["2024-01-05", "9999-12-31"]})
    out, problems = coerce_types(df, {"d": "date"}, source="x.csv", row_offset=2)
    assert out["d"].iloc[0] == pd.Timestamp("2024-01-05") and pd.isna(out["d"].iloc[1])
    assert problems[0].examples == [(3, "9999-12-31")]


def test_tz_aware_datetime_column_is_made_naive_utc() -> None:
    s = pd.Series(pd.to_datetime(["2024-01-05 10:00"]).tz_localize("Europe/Ljubljana"))
    out, problems = coerce_types(
        pd.DataFrame({"d": s}), {"d": "date"}, source="x.parquet", row_offset=1
    )
    assert out["d"].dtype == "datetime64[ns]"
    assert out["d"].iloc[0] == pd.Timestamp("2024-01-05 09:00")
    assert problems == []


def test_category_and_text() -> None:
    df = pd.DataFrame(
        {
            "cat": [" DE", "DE ", "", "FR", None],
            "cat2": pd.Categorical(["a ", "a", " ", None, "b"]),
            "txt": ["  hello ", "", None, "x", "y"],
            "num": [1.0, 2.5, np.nan, 4.0, 5.0],
        }
    )
    out, problems = coerce_types(
        df,
        {
            "cat": "category",
            "cat2": "category",
            "txt": "text",
            "num": "category",
            "gone": "number",
        },
        source="x.csv",
        row_offset=2,
    )
    assert problems == []
    assert "gone" not in out.columns
    assert isinstance(out["cat"].dtype, pd.CategoricalDtype)
    assert sorted(out["cat"].cat.categories) == ["DE", "FR"]
    assert out["cat"].isna().tolist() == [False, False, True, False, True]
    assert sorted(out["cat2"].cat.categories) == ["a", "b"]
    assert out["cat2"].tolist()[:2] == ["a", "a"]
    assert out["cat2"].isna().tolist()[2:4] == [True, True]
    assert out["txt"].iloc[0] == "hello" and out["txt"].isna().tolist()[1:3] == [True, True]
    assert pd.api.types.is_string_dtype(out["txt"].dtype)
    assert out["num"].tolist()[:2] == ["1", "2.5"]
    # The input frame is left alone.
    assert df["cat"].iloc[0] == " DE"


def test_coerce_rejects_unknown_type_names() -> None:
    with pytest.raises(ValueError, match="unknown column type"):
        coerce_types(pd.DataFrame({"a": [1]}), {"a": "integer"}, source="x.csv", row_offset=2)


def test_coerce_keeps_index_and_other_columns() -> None:
    df = pd.DataFrame({"a": ["1", "2"], "b": ["x", "y"]}, index=[10, 20])
    out, _ = coerce_types(df, {"a": "number"}, source="x.csv", row_offset=2)
    assert out.index.tolist() == [10, 20]
    assert out["a"].tolist() == [1.0, 2.0] and out["b"].tolist() == ["x", "y"]


def test_coerce_is_vectorised_on_large_columns() -> None:
    n = 200_000
    values = np.where(np.arange(n) % 1000 == 0, "oops", (np.arange(n) % 97).astype(str))
    df = pd.DataFrame({"n": pd.Series(values, dtype="str")})
    out, problems = coerce_types(df, {"n": "number"}, source="x.csv", row_offset=2)
    assert problems[0].count == 200
    assert problems[0].examples[:2] == [(2, "oops"), (1002, "oops")]


# ---------------------------------------------------------------------------
# Real data (skipped when ../shared/data is absent)
# ---------------------------------------------------------------------------


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent: real-data loading tests need it")
    return SHARED_DATA


def test_real_bank_marketing(shared_data: Path) -> None:
    path = shared_data / "uci_bank_marketing" / "bank-additional-full.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    df = read_table(path)
    assert df.shape == (41188, 21)
    assert list(df.columns) == [
        "age", "job", "marital", "education", "default", "housing", "loan",
        "contact", "month", "day_of_week", "duration", "campaign", "pdays",
        "previous", "poutcome", "emp.var.rate", "cons.price.idx",
        "cons.conf.idx", "euribor3m", "nr.employed", "y",
    ]  # fmt: skip
    assert df["age"].dtype == np.int64
    assert df["euribor3m"].dtype == np.float64
    assert isinstance(df["job"].dtype, pd.CategoricalDtype)
    assert (df["y"] == "yes").mean() == pytest.approx(0.113, abs=0.001)
    out, problems = coerce_types(
        df,
        {"default": "boolean", "housing": "boolean", "age": "number", "job": "category"},
        source=path.name,
        row_offset=row_label(path)[1],
    )
    assert problems == []  # "unknown" means missing
    assert out["default"].isna().sum() == (df["default"] == "unknown").sum() > 0
    assert "unknown" in out["job"].cat.categories  # categories keep their levels


def test_real_salvirt_b2b(shared_data: Path) -> None:
    path = shared_data / "salvirt_b2b" / "Salvirt_B2B_ML_dataset_HF.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    df = read_table(path)
    assert df.shape == (448, 23)
    assert list(df.columns)[:4] == ["Product", "Seller", "Authority", "Comp_size"]
    assert list(df.columns)[-1] == "Status"
    assert set(df["Status"].unique()) == {"Won", "Lost"}
    assert not df["Status"].astype(str).str.endswith("\r").any()


def test_formulas_without_saved_results_are_named(tmp_path):
    """Issue 18: a workbook written by a program (never opened in Excel) read its formula cells as empty, silently."""
    import openpyxl

    from leaddesigner.core.data.leadfile import read_file
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["lead_id", "revenue", "size"])
    ws.append(["L1", 100, 5])
    ws.append(["L2", "=B2*2", "=C2+1"])
    ws.append(["L3", 300, 7])
    p = tmp_path / "formulas.xlsx"
    wb.save(p)
    df, info = read_file(p)
    assert df["revenue"].isna().sum() == 1
    assert len(info.notes) == 1 and "2 cells" in info.notes[0] and "(B3, C3)" in info.notes[0] and "Excel" in info.notes[0]
