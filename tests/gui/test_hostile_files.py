"""Hostile model and lead files in the real window (issues 18 and 21).

Each file is opened the way a user would open it. The window shows a message
that names the file, keeps what it showed before, raises nothing (pytest-qt
fails a test on an exception inside a Qt slot) and keeps answering: its event
loop never stalls for a second, while the file is read or after.
"""
from __future__ import annotations

import gzip
import random
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hostile.cases import GOOD_MODEL  # noqa: E402
from leaddesigner.core.edits import commands as C  # noqa: E402


class Heartbeat:
    """A 20 ms timer on the GUI thread; ``worst`` is the longest gap between two ticks (the longest freeze)."""

    def __init__(self):
        self.last = time.perf_counter()
        self.worst = 0.0
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start()

    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def stop(self) -> float:
        self.timer.stop()
        return self.worst


def _laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        lines.append(f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


HOSTILE_MODELS = {
    "billion_laughs.yaml": _laughs(),
    "lookahead_regex.yaml": GOOD_MODEL.replace(
        "thresholds:", "  - {id: rx, label: Rx, dimension: fit, when: {attribute: email, op: regex, value: '(?=a)b'}, points: 5}\nthresholds:"),
    "nan_points.yaml": GOOD_MODEL.replace("points: 20}", "points: .nan}"),
    "deep_nesting.yaml": "a: " + "[" * 10000 + "]" * 10000 + "\n",
    "python_tag.yaml": "!!python/object/apply:os.system ['echo hi']\n",
    "random_bytes.yaml": random.Random(7).randbytes(3000),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_MODELS))
def test_a_hostile_model_file_is_refused_with_its_name_and_the_window_keeps_working(window, qtbot, tmp_path, name):
    w = window
    before = w.doc.model
    path = tmp_path / name
    content = HOSTILE_MODELS[name]
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    beat = Heartbeat()
    t0 = time.perf_counter()
    assert w.open_model(path, ask=False) is False
    took = time.perf_counter() - t0
    qtbot.wait(60)
    assert beat.stop() < 1.0 and took < 1.0, f"the window froze for {max(beat.worst, took):.2f} s"
    assert name in w.statusBar().currentMessage()
    assert w.doc.model is before and w.doc.has_data  # nothing lost


def _gzip_bomb(path: Path) -> None:
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(b"lead_id,industry\nL1,")
        for _ in range(200):
            f.write(b"0" * (1 << 20))


HOSTILE_LEADS = {
    "random_bytes.csv": lambda p: p.write_bytes(random.Random(3).randbytes(5000)),
    "ragged_cp1252.csv": lambda p: p.write_bytes(b"lead_id,industry\n" + b"L1,x\n" * 20000 + b"L2,x,caf\xe9\n"),
    "workbook.csv": lambda p: p.write_bytes(b"PK\x03\x04" + bytes(2000)),
    "unclosed_quote.csv": lambda p: p.write_text('lead_id,industry\nL1,"Software\nL2,Retail\n'),
    "one_huge_value.csv.gz": _gzip_bomb,
    "utf16_no_bom.csv": lambda p: p.write_bytes("lead_id,industry\nL1,Λογισμικό\n".encode("utf-16-le")[:-1]),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_LEADS))
def test_a_hostile_lead_file_is_refused_with_its_name_and_the_window_keeps_working(window, qtbot, tmp_path, name):
    w = window
    shown_path, shown_rows = w.doc.leads_path, len(w.doc.data)
    path = tmp_path / name
    HOSTILE_LEADS[name](path)
    failed: list[str] = []
    w.doc.loadFailed.connect(failed.append)
    beat = Heartbeat()
    w.load_data(path)
    qtbot.waitUntil(lambda: bool(failed) and not w.doc.loading, timeout=20000)
    qtbot.wait(60)
    assert beat.stop() < 1.0, f"the window froze for {beat.worst:.2f} s while reading {name}"
    assert name in failed[0], failed[0]
    assert "Traceback" not in failed[0] and "bug" not in failed[0].lower()
    assert w.doc.leads_path == shown_path and len(w.doc.data) == shown_rows  # the previous data stays
    assert "Still showing" in w.statusBar().currentMessage()


NORWAY = """\
schema_version: 1
name: Norway
lead_id: lead_id
attributes:
  - {name: country, type: category}
  - {name: opt_in, type: category}
  - {name: zip, type: text}
rules:
  - {id: ctry, label: Country we sell in, dimension: fit, when: {attribute: country, op: in, value: [US, GB, NO, DE]}, points: 5}
  - {id: opt, label: Opted in, dimension: fit, map: {attribute: opt_in, values: {yes: 5, no: -5}}}
  - {id: zip, label: Oslo centre, dimension: fit, when: {attribute: zip, op: equals, value: 0150}, points: 3}
thresholds: {mql: 5}
"""


def test_norway_yes_no_and_zip_codes_score_as_written_in_the_model_table(bare_window, qtbot, tmp_path):
    """Issue 21: `NO`, `yes`/`no` and `0150` are the text the user wrote, in the table and in the scores."""
    w = bare_window
    model = tmp_path / "norway.yaml"
    model.write_text(NORWAY)
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,country,opt_in,zip\nN1,NO,yes,0150\nU1,US,no,10001\nF1,FR,yes,75001\n")
    assert w.open_model(model, ask=False)
    w.load_data(leads)
    qtbot.waitUntil(lambda: w.doc.has_data and w.doc.ready and not w.doc.loading, timeout=20000)
    src = w.rules_model
    value_col = src.column_of("value")
    shown = {w.doc.model.rules[i].id: src.data(src.index(i, value_col)) for i in range(src.rowCount())}
    assert "NO" in shown["ctry"] and "False" not in shown["ctry"] and "false" not in shown["ctry"]
    assert shown["zip"] == "0150"
    scores = dict(zip(w.doc.data.ids, w.doc.scorer.result.score))
    assert scores == {"N1": 5 + 5 + 3, "U1": 5 - 5, "F1": 5}
    # typing the values into the table keeps them as text too
    row = next(i for i, r in enumerate(w.doc.model.rules) if r.id == "ctry")
    assert src.setData(src.index(row, value_col), "NO, ON, yes")
    assert w.doc.model.rule("ctry").when.value == ["NO", "ON", "yes"]
    w.doc.push(C.SetRuleField("zip", "value", "01234"))
    assert w.doc.model.rule("zip").when.value == "01234"


@pytest.fixture
def bare_window(qtbot, tmp_path):
    from leaddesigner.gui.recovery import RecoveryStore
    from leaddesigner.gui.window.main_window import MainWindow

    w = MainWindow(interactive=False, settings_enabled=False, recovery=RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(w)
    w.show()
    yield w
    w.doc.wait_for_workers(30000)
