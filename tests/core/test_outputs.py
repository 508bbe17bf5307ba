"""Outputs for other programs: no formulas from lead data, no cut values, no NaN in JSON (issues 18, 21)."""
from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from leaddesigner.core.scoring.outputs import OutputError

from leaddesigner.core.scoring.outputs import defuse_formulas

from leaddesigner.core.scoring.outputs import model_json

from leaddesigner.core.scoring.outputs import write_scores


def frame():
    return pd.DataFrame({
        "lead_id": ['=HYPERLINK("http://x.example","click")', "+1 555", "-2", "@sum", "\tx", "L1", "ctrl\x01char"],
        "score": [1.0, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0],
    })


def test_csv_cells_never_start_a_formula(tmp_path):
    out = write_scores(frame(), tmp_path / "s.csv")
    got = pd.read_csv(out, dtype={"lead_id": str}, keep_default_na=False)
    assert got["lead_id"].tolist()[:5] == ["'=HYPERLINK(\"http://x.example\",\"click\")", "'+1 555", "'-2", "'@sum", "'\tx"]
    assert got["lead_id"][5] == "L1" and got["score"].tolist()[2] == -3.0  # numbers untouched


def test_excel_cells_are_text_without_control_characters(tmp_path):
    import openpyxl

    out = write_scores(frame(), tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(out).active
    cells = [ws.cell(row=r, column=1) for r in range(2, 9)]
    assert all(c.data_type == "s" for c in cells)  # strings, never formulas
    assert cells[0].value.startswith("'=") and cells[6].value == "ctrlchar"


def test_a_value_too_long_for_excel_is_refused_not_cut(tmp_path):
    f = pd.DataFrame({"lead_id": ["x" * 40_000], "score": [1.0]})
    with pytest.raises(OutputError, match="row 2 holds 40,000 characters"):
        write_scores(f, tmp_path / "s.xlsx")
    assert not list(tmp_path.iterdir())  # nothing left behind


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        write_scores(frame(), tmp_path / "nope" / "s.csv")


def test_parquet_keeps_the_values_as_they_are(tmp_path):
    out = write_scores(frame(), tmp_path / "s.parquet")
    assert pd.read_parquet(out)["lead_id"].tolist() == frame()["lead_id"].tolist()
    assert defuse_formulas(frame())["score"].equals(frame()["score"])


def test_model_json_is_strict_json():
    from leaddesigner import paths
    from leaddesigner.core.model.io import load_model

    text = model_json(load_model(paths.default_model()))
    json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    assert "NaN" not in text and not any(isinstance(v, float) and math.isnan(v) for v in [])
