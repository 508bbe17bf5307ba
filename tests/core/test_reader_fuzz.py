"""Property test over the readers (issue 18): whatever bytes a lead file holds, reading ends in a table or a clear error.

Hypothesis writes files a CRM, a spreadsheet or a broken disk could produce:
random bytes, CSV with any text (quotes, delimiters, NUL bytes, Greek and
Turkish letters, numbers in both European and US forms, dates in three
orders), ragged rows, many columns, mixed line endings, four encodings and
a mix of two, gzip (whole or truncated). Each is read the way the app reads
a user's file (read, detect, a model from the file, profile, bind and score);
every run ends in a result or a :class:`LeadFileError` whose message names
the file, never another exception.
"""
from __future__ import annotations

import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import examples
from leaddesigner.core.data import detect as D, pipeline
from leaddesigner.core.data.profile import profile
from leaddesigner.core.data.starter import model_from_file
from leaddesigner.core.data.leadfile import LeadFileError
pytestmark = pytest.mark.hypothesis

# the characters a real export holds, and the ones that break naive readers
CHARS = st.sampled_from(list("abcXYZ019 .,;|\t\"'=-+@/:_") + ["\x00", "\r", "\n", "é", "İ", "ı", "Σ", "ς", "ß", "€", "\ufeff", "😀"])
CELLS = st.one_of(
    st.text(CHARS, max_size=12),
    st.sampled_from(["", "NO", "yes", "00123", "1.500", "1,5", "12.000,50", "1e3", "$1,200", "3K", "-0", "NaN", "inf",
                     "31/12/2025", "01/02/2026, 09:00", "2026-01-05", "2026-02-30", "45000", "TRUE", "Ναι", "Evet",
                     "=HYPERLINK(\"x\")", "İstanbul", "ΟΔΟΣ"]),
)
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16")


@st.composite
def csv_bytes(draw) -> bytes:
    """A delimited text file: a header, rows (maybe ragged), an encoding (maybe two), line endings."""
    ncol = draw(st.integers(1, 8))
    wide = draw(st.booleans()) and draw(st.integers(0, 9)) == 0
    if wide:  # rare: a few thousand columns
        ncol = draw(st.integers(500, 3000))
    delim = draw(st.sampled_from([",", ";", "\t", "|"]))
    names = [draw(st.text(CHARS, min_size=0, max_size=8)) if not wide else f"c{i}" for i in range(ncol)]
    nrows = draw(st.integers(0, 3 if wide else 30))
    broken = draw(st.integers(0, 2)) == 0  # one file in three has ragged rows or an unclosed quote
    rows = []
    for _ in range(nrows):
        n = ncol if not broken or draw(st.integers(0, 4)) else draw(st.integers(0, ncol + 2))
        rows.append([draw(CELLS) if not wide else "1" for _ in range(n)])

    def field(v: str) -> str:
        if draw(st.booleans()) or any(c in v for c in (delim, '"', "\n", "\r")):
            return '"' + v.replace('"', '""') + '"' if not broken or draw(st.integers(0, 9)) else '"' + v
        return v

    eol = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    lines = [delim.join(field(v) for v in r) for r in [names, *rows]]
    if eol == "mixed":
        text = "".join(ln + draw(st.sampled_from(["\n", "\r\n"])) for ln in lines)
    else:
        text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    enc = draw(st.sampled_from(ENCODINGS))
    data = text.encode(enc, errors="replace")
    if draw(st.integers(0, 4)) == 0:  # a tail in another encoding
        tail = "\nX1" + delim + draw(st.sampled_from(["café", "Ñandú", "İzmir", "ΟΔΟΣ"]))
        data += tail.encode(draw(st.sampled_from(["cp1252", "utf-8", "latin-1"])), errors="replace")
    return data


FILES = st.one_of(
    st.binary(max_size=3000).map(lambda b: ("leads.csv", b)),
    csv_bytes().map(lambda b: ("leads.csv", b)),
    csv_bytes().map(lambda b: ("leads.txt", b)),
    st.tuples(csv_bytes(), st.integers(0, 200), st.booleans()).map(
        lambda t: ("leads.csv.gz", gzip.compress(t[0])[: t[1]] if t[2] else gzip.compress(t[0]))),
)


def read_like_the_app(path) -> None:
    """What the app does with a user's file, end to end; returns nothing, raises what it raises."""
    table = pipeline.read(path)
    det = D.detect(table.frame, source=table.name)
    model = model_from_file(det, name="Fuzzed")
    profile(table.frame, detection=det, source=table.name)
    loaded = pipeline.load(model, table)
    pipeline.check(loaded)
    assert len(loaded.scorer.frame()) == len(table.frame)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                            HealthCheck.function_scoped_fixture])
@given(FILES)
def test_any_file_ends_in_a_table_or_a_clear_error(tmp_path_factory, named):
    name, data = named
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / name
    path.write_bytes(data)
    try:
        read_like_the_app(path)
    except LeadFileError as e:
        message = str(e)
        assert name in message or path.name in message, f"the message does not name the file: {message}"
        assert "bug" not in message.lower()
    assert path.read_bytes() == data, "reading changed the file"
