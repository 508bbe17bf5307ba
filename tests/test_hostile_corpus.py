"""The hostile-input corpus and its runner (``make hostile`` runs all of it).

The suite runs one case of every class through the real runner, so that the
runner's checks (exit status, traceback, time, memory, untouched inputs, the
file named in the message) are themselves exercised on every ``make test``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile.cases import Case, GOOD_MODEL, all_cases  # noqa: E402
from hostile.run_hostile import run_case  # noqa: E402

CASES = all_cases()
CLASSES = ["regex", "yaml", "numbers", "data", "spreadsheets", "saving", "engines", "messages"]


def test_corpus_covers_every_class_with_120_cases():
    assert len(CASES) >= 120
    assert sorted({c.klass for c in CASES}) == sorted(CLASSES)
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "two cases share a name"


PICKED = {
    "regex": "regex (a+)+$ over long values #0",
    "yaml": "yaml billion laughs",
    "numbers": "model points nan",
    "data": "leads gzip bomb (600 MB in one value)",
    "spreadsheets": "xlsx output never holds a formula",
    "saving": "a save cleans temp files of a killed save",
    "engines": "engines agree: equals İstanbul",
    "messages": "line numbers after a quoted newline",
}


@pytest.mark.parametrize("klass", CLASSES)
def test_one_case_of_each_class_passes(klass):
    case = next(c for c in CASES if c.name == PICKED[klass])
    _, code, _, _, first, problems = run_case(case)
    assert problems == [], f"{case.name}: exit {code}, {first}"


def test_the_runner_catches_a_wrong_expectation():
    """A case that expects the wrong exit status and message is reported, with both problems."""
    case = Case("valid model expected to fail", "messages", {"m.yaml": GOOD_MODEL}, ["validate", "m.yaml"],
                exits=(2,), stderr_has="no such text")
    _, code, _, _, _, problems = run_case(case)
    assert code == 0
    assert any("exit 0, expected 2" in p for p in problems)
    assert any("no such text" in p for p in problems)


def test_the_runner_sees_a_changed_input():
    """An input the command rewrites, without saying it may, is reported as changed."""
    case = Case("export over its own model", "saving", {"m.yaml": GOOD_MODEL},
                ["export", "m.yaml", "--to", "yaml", "-o", "m.yaml"], exits=(0,))
    _, code, _, _, _, problems = run_case(case)
    assert code == 0
    assert any("m.yaml changed" in p for p in problems)
