"""Shares as text: the same digits in the app, the CLI and the report; each medium's word for unknown."""
from __future__ import annotations

import math

from leaddesigner.core.analysis.compare import _pct as cli_pct
from leaddesigner.core.export.report_charts import pct_text as report_pct
from leaddesigner.core.formatting import is_missing, pct_text


def test_pct_text_digits_and_missing():
    assert pct_text(0.4) == "40.0%" and pct_text(0.12345, 2) == "12.35%" and pct_text(1) == "100.0%"
    for x in (None, math.nan, float("inf")):
        assert is_missing(x) and pct_text(x) == "\u2013" and pct_text(x, missing="") == ""
    assert not is_missing(0) and pct_text(0) == "0.0%"


def test_the_cli_and_the_report_show_the_app_s_digits():
    for x in (0.0, 0.0123, 0.5, 0.99949):
        assert cli_pct(x) == report_pct(x) == pct_text(x)
    assert (cli_pct(None), report_pct(None), pct_text(None)) == ("-", "n/a", "\u2013")
