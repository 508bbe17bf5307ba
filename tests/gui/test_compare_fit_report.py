"""Analysis > Suggest points, Analysis > Compare with model, File > Export report (issue 4)."""
from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from qt_settle import settle  # tests/gui/qt_settle.py

from leaddesigner.core.edits import commands as C
from leaddesigner.core.model.io import load_model, save_model
from leaddesigner.core.model.types import to_dict

SHOTS = Path(os.environ.get("LEADDESIGNER_SHOTS", "/tmp/leaddesigner_shots"))


def wait_ready(qtbot, w):
    qtbot.waitUntil(lambda: w.doc.ready and w.doc.has_data, timeout=30000)
    w.doc.flush()


def _shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / name))


# ------------------------------------------------------------------ suggest points
def test_fit_dialog_fits_and_use_this_model_is_undoable(window, qtbot):
    from leaddesigner.gui.dialogs.fit import open_fit_dialog

    w = window
    doc = w.doc
    original = to_dict(doc.model)
    # an unsaved edit first: it must come back with undo
    rid = next(r.id for r in doc.model.rules if r.kind == "condition" and r.when is not None)
    assert doc.push(C.SetRuleField(rid, "points", 23.0), mergeable=False)
    doc.end_gesture()
    edited = to_dict(doc.model)
    wait_ready(qtbot, w)

    dlg = open_fit_dialog(w)
    assert dlg is not None and dlg.busy
    with qtbot.waitSignal(dlg.fitted, timeout=120000):
        pass
    res = dlg.result
    assert 1 <= res.n_rules <= 12
    assert 0.5 < res.holdout_auc <= 1.0 and 0.5 < res.logistic_auc <= 1.0
    assert dlg.rules.rowCount() == res.n_rules
    assert f"{res.holdout_auc:.3f}" in dlg.headline.text() and f"{res.logistic_auc:.3f}" in dlg.headline.text()
    assert dlg.use_button.isEnabled() and dlg.save_button.isEnabled()
    dlg.resize(1366, 768)
    settle(dlg)
    _shot(dlg, "fit_dialog.png")

    fitted = to_dict(res.model)
    panel = w.panels["backtest"]
    # the hidden tab computes its holdout AUC in a pass of its own after the run (Document.defer): wait for it too
    qtbot.waitUntil(lambda: panel.output is not None and not panel.busy and panel.holdout_auc is not None, timeout=60000)
    auc_before = panel.holdout_auc
    assert dlg.use_model()
    assert to_dict(doc.model) == fitted
    assert doc.undo_stack.undoText() == "Use the suggested points model"
    wait_ready(qtbot, w)
    assert len(doc.scorer.result.score) == len(doc.outcome)
    assert w.is_modified()
    # the holdout AUC says what the swap did, against the AUC just before it
    qtbot.waitUntil(lambda: panel.holdout_auc is not None and panel.holdout_auc_delta is not None, timeout=30000)
    assert panel.holdout_auc_delta == pytest.approx(panel.holdout_auc - auc_before)
    assert "since the last change" in panel.auc_text()

    doc.undo_stack.undo()
    assert to_dict(doc.model) == edited  # the user's unsaved edit is back
    wait_ready(qtbot, w)
    doc.undo_stack.undo()
    assert to_dict(doc.model) == original
    doc.undo_stack.redo()
    doc.undo_stack.redo()
    assert to_dict(doc.model) == fitted
    wait_ready(qtbot, w)


def test_fit_dialog_save_as_and_cancel(window, qtbot, tmp_path):
    from leaddesigner.gui.dialogs.fit import FitDialog

    w = window
    before = to_dict(w.doc.model)
    dlg = FitDialog(w)
    qtbot.addWidget(dlg)
    dlg.max_rules.setValue(4)
    dlg.set_excluded(["intent_score"])
    assert dlg.start()
    dlg.cancel()
    assert not dlg.busy and dlg.result is None
    assert dlg.start()
    with qtbot.waitSignal(dlg.fitted, timeout=120000):
        pass
    assert dlg.result.n_rules <= 4
    assert not any("intent" in (r.attribute() or "") for r in dlg.result.model.rules if hasattr(r, "attribute"))
    out = dlg.save_as(tmp_path / "suggested.yaml")
    assert out is not None and out.exists()
    again = load_model(out)
    assert to_dict(again) == to_dict(dlg.result.model)
    assert to_dict(w.doc.model) == before  # saving leaves the open model alone


def test_fit_needs_an_outcome(window, qtbot, monkeypatch):
    from leaddesigner.gui.dialogs.fit import open_fit_dialog

    w = window
    w.set_outcome_column(None)
    shown = []
    monkeypatch.setattr(w, "error_dialog", lambda title, text, details=None: shown.append((title, text)))
    assert open_fit_dialog(w) is None
    assert shown and "outcome" in shown[0][1].lower()


# ------------------------------------------------------------------ compare
@pytest.fixture
def model_b(tmp_path, model_path):
    """The sample model with another threshold and one rule's points changed: some leads swap sides."""
    m = load_model(model_path)
    m.name = "Sales' model"
    m.thresholds.mql = m.thresholds.mql - 8
    r = next(r for r in m.rules if r.kind == "condition" and r.when is not None and r.points > 0)
    r.points = r.points + 15
    p = tmp_path / "sales.yaml"
    save_model(m, p)
    return p


def test_compare_dialog_matches_core_compare(window, qtbot, model_b):
    from leaddesigner.core.analysis.compare import compare
    from leaddesigner.gui.dialogs.compare import open_compare_dialog

    w = window
    wait_ready(qtbot, w)
    dlg = open_compare_dialog(w, model_b)
    assert dlg is not None
    with qtbot.waitSignal(dlg.compared, timeout=120000):
        pass
    c = dlg.comparison
    ref = compare(w.doc.model, load_model(model_b), w.doc.data, outcome=w.doc.outcome)
    assert c.agreement == ref.agreement
    for key in ("both", "only_a", "only_b", "neither"):
        assert dlg.agreement.count(key) == ref.agreement[key]
    assert sum(c.agreement.values()) == len(w.doc.data)
    assert c.agreement["only_b"] > 0
    assert dlg.table_b.rowCount() == min(ref.only_b_total, 200)
    assert f"({ref.only_b_total:,}" in dlg.lists.tabText(1)
    first = ref.only_b[0]
    assert dlg.table_b.item(0, 0).text() == str(first.lead_id)
    assert first.words() and dlg.table_b.item(0, 5).text().split("\n")[0] == first.words()[0]
    assert np.array_equal(dlg.dist.curve_a.getData()[1], ref.hist_a)
    rows = {dlg.metrics.item(r, 0).text(): (dlg.metrics.item(r, 1).text(), dlg.metrics.item(r, 2).text())
            for r in range(dlg.metrics.rowCount())}
    assert rows["ROC AUC (all leads)"] == (f"{ref.metrics_a.auc:.3f}", f"{ref.metrics_b.auc:.3f}")
    assert rows["MQL threshold"][1] == f"{ref.metrics_b.mql_threshold:g}"
    dlg.resize(1366, 768)
    settle(dlg)
    _shot(dlg, "compare_dialog.png")
    dlg.close()


def test_compare_with_a_broken_file_says_why(window, qtbot, tmp_path, monkeypatch):
    from leaddesigner.gui.dialogs.compare import CompareDialog

    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [1, 2\n")
    w = window
    dlg = CompareDialog(w)
    qtbot.addWidget(dlg)
    shown = []
    monkeypatch.setattr(w, "error_dialog", lambda title, text, details=None: shown.append(text))
    assert not dlg.set_model_file(bad)
    assert shown and "bad.yaml" in shown[0]
    assert dlg.comparison is None


# ------------------------------------------------------------------ report
class _Html(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def test_export_report_writes_the_file(window, qtbot, tmp_path):
    from leaddesigner.gui.actions.analysis import export_report

    w = window
    w.panels["backtest"].set_conversion_column("converted_at", "first_sales_contact_at")
    path = tmp_path / "report.html"
    worker = export_report(w, path)
    assert worker is not None
    # (the worker's own signals are emitted in its thread: wait for what the window shows)
    qtbot.waitUntil(lambda: "Report written" in w.statusBar().currentMessage(), timeout=120000)
    assert path.exists()
    html = path.read_text(encoding="utf-8")
    p = _Html()
    p.feed(html)
    assert "html" in p.tags and ("svg" in p.tags or "img" in p.tags)
    assert w.doc.model.name in html
    assert str(path) in w.statusBar().currentMessage()


def test_export_report_from_the_file_menu_asks_for_the_path(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    w = window
    target = tmp_path / "for_sales"  # no suffix: .html is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    w.act_export_report.trigger()
    qtbot.waitUntil(lambda: "Report written" in w.statusBar().currentMessage(), timeout=120000)
    assert target.with_suffix(".html").exists()


def test_export_report_error_is_a_dialog(window, qtbot, tmp_path, monkeypatch):
    from leaddesigner.gui.actions.analysis import export_report

    w = window
    shown = []
    monkeypatch.setattr(w, "error_dialog", lambda title, text, details=None: shown.append((title, text)))
    (tmp_path / "a_file").write_text("not a folder")
    assert export_report(w, tmp_path / "a_file" / "r.html") is not None
    qtbot.waitUntil(lambda: bool(shown), timeout=120000)
    assert shown and shown[0][0] == "Cannot export the report"
    assert "a_file" in shown[0][1]
