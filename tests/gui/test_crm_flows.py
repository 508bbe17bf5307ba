"""A marketing manager's own CRM export in the app: start from the file, profile, rules, outcome (issues 10 and 12)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qt_settle import settle  # tests/gui/qt_settle.py

from leaddesigner.core.data.outcome import OutcomeSpec
from leaddesigner.core.edits import commands as C

CRM = Path(__file__).resolve().parents[1] / "fixtures" / "crm"
HUBSPOT = CRM / "hubspot_contacts.csv"
SALESFORCE = CRM / "salesforce_leads_report.csv"


@pytest.fixture
def bare(qtbot, tmp_path):
    from leaddesigner.gui.recovery import RecoveryStore
    from leaddesigner.gui.window.main_window import MainWindow

    w = MainWindow(interactive=False, settings_enabled=False, recovery=RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    yield w
    w.doc.wait_for_workers(30000)


def settled(qtbot, w, timeout=30000):
    qtbot.waitUntil(lambda: w.doc.has_data and w.doc.ready and not w.doc.loading, timeout=timeout)


def test_start_from_a_hubspot_export_without_a_model(bare, qtbot):
    w = bare
    w.start_from_file(HUBSPOT)
    qtbot.waitUntil(lambda: w.doc.has_data and bool(w.doc.model.attributes) and w.doc.ready and not w.doc.loading, timeout=30000)
    m = w.doc.model
    assert m.lead_id == "Record ID" and m.column_for(m.created_at) == "Create Date"
    assert len(m.attributes) == 19 and not m.rules  # every column but the id; nothing carried over
    assert w.doc.summary.leads == 1000
    assert w.doc.data.created is not None and w.doc.summary.weekly.frame["mqls"].shape[0] >= 20
    # no conversion shown until the user says what it means (issue 12, defect 1)
    assert m.outcome is None and w.doc.outcome is None
    assert "onverted" not in w.summary_strip.text()
    assert not w.hist.converted_curve.isVisible()


def test_the_outcome_is_chosen_never_guessed(bare, qtbot):
    from leaddesigner.gui.dialogs.data import OutcomeDialog

    w = bare
    w.start_from_file(HUBSPOT)
    qtbot.waitUntil(lambda: bool(w.doc.model.attributes) and w.doc.ready and not w.doc.loading, timeout=30000)
    d = w.doc
    assert [c.column for c in d.outcome_candidates][:1] == ["Lifecycle Stage"]
    assert "Unsubscribed from all email" not in d.outcome_columns
    dlg = OutcomeDialog(d, w)
    dlg.column_combo.setCurrentIndex(dlg.column_combo.findData("Lifecycle Stage"))
    assert sorted(dlg.checked_values()) == ["customer", "opportunity"]  # suggested, for the user to confirm
    assert "87 of 1,000 leads converted" in dlg.result_label.text()
    assert d.set_outcome(dlg.spec())
    settled(qtbot, w)
    assert d.model.outcome.positive == ["opportunity", "customer"] and int(d.outcome.sum()) == 87
    assert d.summary.conversion is not None
    d.undo_stack.undo()  # one undo step: back to no conversion at all
    assert d.model.outcome is None and d.outcome is None
    d.flush()
    assert d.summary.conversion is None
    # a date column: filled = converted
    dlg = OutcomeDialog(d, w)
    dlg.column_combo.setCurrentIndex(dlg.column_combo.findData("Became a Customer Date"))
    assert not dlg.values.isVisibleTo(dlg) and "is filled (the conversion date)" in dlg.result_label.text()
    assert dlg.spec() == OutcomeSpec("Became a Customer Date")


def test_profile_tab_makes_rules_that_score_live(bare, qtbot):
    w = bare
    w.start_from_file(HUBSPOT)
    qtbot.waitUntil(lambda: bool(w.doc.model.attributes) and w.doc.ready and not w.doc.loading, timeout=30000)
    p = w.panels["profile"]
    w.editor_tabs.setCurrentWidget(p)  # on screen first: choosing the outcome must update it in place
    qtbot.waitUntil(lambda: p.profile is not None and not p.busy, timeout=30000)
    assert p.profile.outcome is None and "No outcome chosen" in p.header.text()
    w.doc.set_outcome(OutcomeSpec("Lifecycle Stage", ("opportunity", "customer")))
    qtbot.waitUntil(lambda: p.profile is not None and p.profile.outcome is not None and not p.busy, timeout=30000)
    assert "87 of 1,000 leads converted" in p.header.text()
    assert p.columns_model.rows[0].iv >= p.columns_model.rows[1].iv  # strongest first
    assert p.select_column("Industry")
    assert p.rule_button.isEnabled()
    before = w.doc.summary.score.copy()
    assert p.make_rule()
    w.doc.flush()
    assert len(w.doc.model.rules) == 1 and w.doc.model.rules[0].map.attribute == "industry"
    assert not np.array_equal(before, w.doc.summary.score)  # the histogram follows at once
    w.doc.undo_stack.undo()
    w.doc.flush()
    assert not w.doc.model.rules and np.array_equal(before, w.doc.summary.score)
    assert p.select_column("Record ID") and not p.rule_button.isEnabled()  # no rule from the lead id


def test_a_failed_load_keeps_the_previous_data_and_its_name(bare, qtbot, tmp_path):
    """Issue 12, defect 2: the status and the report must never name a file whose data is not shown."""
    w = bare
    w.start_from_file(HUBSPOT)
    qtbot.waitUntil(lambda: bool(w.doc.model.attributes) and w.doc.ready and not w.doc.loading, timeout=30000)
    bad = tmp_path / "broken.csv"
    bad.write_text("a,b\n1,2\n3,4,5,6\n")
    failed = []
    w.doc.loadFailed.connect(failed.append)
    w.load_data(bad)
    qtbot.waitUntil(lambda: bool(failed) and not w.doc.loading, timeout=30000)
    assert "broken.csv" in failed[0] and "line 3" in failed[0]
    assert w.doc.leads_path == HUBSPOT and len(w.doc.data) == 1000
    msg = w.statusBar().currentMessage()
    assert "Still showing 1,000 leads from hubspot_contacts.csv" in msg and "Loading" not in msg


def test_new_model_set_the_id_then_load_a_file_whose_columns_differ(bare, qtbot):
    """The sequence of issue 10: nothing stays half-loaded, the status never sticks on 'Checking'."""
    from leaddesigner.gui.dialogs.data import ColumnMappingDialog

    w = bare
    w.load_data(SALESFORCE)
    settled(qtbot, w)
    w.new_model()
    settled(qtbot, w)
    assert w.doc.model.lead_id == "Lead ID" and len(w.doc.model.attributes) == 15
    dlg = ColumnMappingDialog(w.doc, w)
    assert dlg.id_combo.currentData() == "Lead ID"
    dlg.id_combo.setCurrentIndex(dlg.id_combo.findData("Email"))
    assert w.doc.push(dlg.command())
    settled(qtbot, w)
    assert w.doc.model.lead_id == "Email" and w.doc.data.id_column == "Email"
    w.load_data(HUBSPOT)  # other columns: 'Email' is there, the rest is named otherwise
    settled(qtbot, w)
    assert w.doc.leads_path == HUBSPOT and len(w.doc.data) == 1000
    assert "Checking" not in w.statusBar().currentMessage()
    assert w.doc.data.id_column == "Email"
    assert any(p.kind == "missing_column" for p in w.doc.data.problems)  # said on the Problems tab


def test_a_second_file_while_the_first_is_being_checked(bare, qtbot):
    w = bare
    w.load_data(SALESFORCE)
    w.load_data(HUBSPOT)  # before the first finished: the newest request wins
    settled(qtbot, w)
    assert w.doc.leads_path == HUBSPOT and w.doc.data.id_column == "Record ID"
    assert not w.doc.loading and w.progress.isHidden()


def test_undo_after_the_history_dialog(bare, qtbot, model_path):
    """Issue 12, defect 3: opening Edit > History used to break every later Ctrl+Z."""
    w = bare
    assert w.open_model(model_path, ask=False)
    dlg = w.history_dialog()
    dlg.show()
    dlg.reject()
    import gc

    gc.collect()
    settle(w)
    before = w.doc.model.thresholds.mql
    for v in (before + 1, before + 2):
        w.doc.push(C.SetThreshold("mql", v), mergeable=False)
    assert w.act_undo.text().startswith("&Undo Set MQL threshold")
    w.act_undo.trigger()
    w.act_undo.trigger()
    assert w.doc.model.thresholds.mql == before
    assert w.history_dialog() is dlg  # one dialog for the window's lifetime


def test_mapping_combos_ignore_the_wheel_and_never_map_do_not_email(bare, qtbot):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    from leaddesigner.core.data.detect import suggest_column
    from leaddesigner.gui.dialogs.data import NoWheelComboBox

    assert suggest_column("email", ["Do Not Email", "Email Address"], set()) == "Email Address"
    assert suggest_column("email", ["Do Not Email"], set()) is None
    cb = NoWheelComboBox()
    qtbot.addWidget(cb)
    cb.addItems(["a", "b", "c"])
    cb.show()
    ev = QWheelEvent(QPointF(5, 5), QPointF(5, 5), QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(cb, ev)
    assert cb.currentIndex() == 0


def test_dimension_combo_in_the_rules_table_commits_its_choice(window, qtbot):
    """Issue 12, defect 5: choosing 'engagement' said "dimension must be fit or engagement, not 'None'"."""
    from PySide6.QtWidgets import QComboBox, QStyleOptionViewItem

    w = window
    errors = []
    w.doc.error.connect(errors.append)
    src = w.rules_model
    col = src.column_of("dimension")
    row = next(i for i, r in enumerate(w.doc.model.rules) if r.dimension == "fit")
    rule_id = w.doc.model.rules[row].id
    index = w.rules_proxy.mapFromSource(src.index(row, col))
    delegate = w.rules_view.itemDelegate()
    editor = delegate.createEditor(w.rules_view.viewport(), QStyleOptionViewItem(), index)
    assert isinstance(editor, QComboBox)
    editor.setCurrentIndex(editor.findText("engagement"))
    delegate.setModelData(editor, w.rules_proxy, index)
    assert not errors, errors
    assert w.doc.model.rule(rule_id).dimension == "engagement"


def test_typed_values_are_parsed_as_picked_ones(window, qtbot):
    """Issue 12, defect 4: a typed value holding a comma was split into two junk values."""
    from leaddesigner.gui.tables.delegates import ValuePickerEditor

    ed = ValuePickerEditor(None, [("Banking, Investment And Insurance", 338), ("Retail", 120)], "", "in", "category")
    qtbot.addWidget(ed)
    ed.edit.setText("Banking, Investment And Insurance, Retail")
    from leaddesigner.core.edits import commands as C

    assert C.parse_value(ed.value_text(), "in", "category") == ["Banking, Investment And Insurance", "Retail"]


def test_a_workbook_asks_which_sheet_with_the_table_preselected(bare, qtbot, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    w = bare
    asked = {}

    def get_item(parent, title, label, items, current, editable):
        asked.update(items=list(items), current=items[current])
        return "Leads", True

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(CRM / "marketo_leads.xlsx"), "")))
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    w.load_leads_dialog()
    settled(qtbot, w)
    assert asked == {"items": ["Export info", "Leads"], "current": "Leads"}
    assert len(w.doc.data) == 1000 and w.doc.leads_table.info.sheet == "Leads"
    w.reload_data()  # the same sheet again
    settled(qtbot, w)
    assert w.doc.leads_table.info.sheet == "Leads"


def test_file_export_scores_sql_and_json(window, qtbot, tmp_path):
    """Issue 12, defect 14: what the CLI exports, the app exports too (the same core writers)."""
    import json

    import pandas as pd

    from leaddesigner.gui.actions import export as E

    w = window
    assert [a.text() for a in w.export_menu.actions()][:3] == ["&Scores (CSV, Parquet, Excel)...", "S&QL for the warehouse...", "Model as &JSON..."]
    for ext in (".csv", ".parquet", ".xlsx"):
        out = tmp_path / f"scores{ext}"
        worker = E.export_scores(w, out)
        with qtbot.waitSignal(worker.finished, timeout=60000):
            pass
        got = pd.read_csv(out, dtype={"lead_id": str}) if ext == ".csv" else pd.read_parquet(out) if ext == ".parquet" else pd.read_excel(out, dtype={"lead_id": str})
        assert len(got) == len(w.doc.data) and list(got.columns[:2]) == ["lead_id", "score"]
        np.testing.assert_allclose(got["score"].to_numpy(), np.round(w.doc.scorer.result.score, 2))
    dlg = E.SqlExportDialog(w)
    qtbot.addWidget(dlg)
    dlg.dialect.setCurrentIndex(dlg.dialect.findData("snowflake"))
    assert "SELECT" in dlg.text.upper() and dlg.save_button.isEnabled()
    assert dlg.save(tmp_path / "score.sql") is not None and (tmp_path / "score.sql").read_text() == dlg.text
    assert "proven on DuckDB" in dlg.message.text()
    w.doc.push(C.SetRuleField(w.doc.model.rules[0].id, "label", w.doc.model.rules[0].label))  # no-op edit keeps the model
    rule = next(r for r in w.doc.model.rules if r.kind == "condition" and r.when is not None and hasattr(r.when, "op")
                and r.when.op in ("equals", "in", "contains"))
    w.doc.push(C.SetRuleField(rule.id, "value", "ΟΔΟΣ" if rule.when.op != "in" else ["ΟΔΟΣ"]))
    dlg.dialect.setCurrentIndex(dlg.dialect.findData("sqlite"))
    assert "SQLite's LOWER folds ASCII letters only" in dlg.message.text() and rule.id in dlg.message.text()
    assert dlg.save_button.isEnabled()  # a warning, not a refusal
    assert E.export_json(w, tmp_path / "model.json") is not None
    assert json.loads((tmp_path / "model.json").read_text())["name"] == w.doc.model.name


def test_suggest_points_leaves_out_columns_recorded_after_the_outcome(window, qtbot):
    """Issue 12, defect 7: flagged and left out in the app as in the CLI, and remembered with the model."""
    from PySide6.QtCore import Qt

    from leaddesigner.gui.dialogs.fit import FitDialog

    w = window
    dlg = FitDialog(w)
    qtbot.addWidget(dlg)
    items = {dlg.exclude.item(i).text(): dlg.exclude.item(i) for i in range(dlg.exclude.count())}
    assert items["first_sales_contact_at"].checkState() == Qt.CheckState.Checked
    assert "after the outcome" in items["first_sales_contact_at"].toolTip()
    assert items["industry"].checkState() == Qt.CheckState.Unchecked
    dlg.set_excluded(dlg.excluded_columns() + ["intent_score"])
    dlg.max_rules.setValue(4)
    assert dlg.start()
    with qtbot.waitSignal(dlg.fitted, timeout=120000):
        pass
    o = dlg.result.model.outcome
    assert o.column == "converted" and "intent_score" in o.recorded_after and "first_sales_contact_at" in o.recorded_after
    assert dlg.use_model()
    dlg2 = FitDialog(w)  # the next time: the user's choice, not the guess
    qtbot.addWidget(dlg2)
    assert "intent_score" in dlg2.excluded_columns()


def test_suggest_points_save_as_button_asks_for_a_file(window, qtbot, monkeypatch, tmp_path):
    """Issue 12, defect 6: the button's clicked(bool) reached save_as as the path and it always crashed."""
    from PySide6.QtWidgets import QFileDialog

    from leaddesigner.gui.dialogs.fit import FitDialog

    w = window
    dlg = FitDialog(w)
    qtbot.addWidget(dlg)
    dlg.max_rules.setValue(3)
    assert dlg.start()
    with qtbot.waitSignal(dlg.fitted, timeout=120000):
        pass
    target = tmp_path / "suggested.yaml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    dlg.save_button.click()
    assert target.exists()


def test_new_model_starts_with_fresh_axis_and_no_deltas(window, qtbot):
    """Issue 12, defect 8: the score axis and the deltas of the previous model carried over after New model."""
    w = window
    w.doc.push(__import__("leaddesigner.core.edits.commands", fromlist=["C"]).SetThreshold("mql", 70))
    w.doc.flush()
    assert w.doc.baseline is not None
    w._forced_dirty = False
    w.doc.undo_stack.setClean()
    w.new_model()
    settled(qtbot, w)
    assert w.doc.baseline is None and "(" not in w.summary_strip.tiles["mqls"].text()
    lo, hi = w.doc.bounds
    s = w.doc.scorer.result.score
    assert lo <= s.min() and s.max() <= hi and hi - lo <= 200


def test_the_problems_tab_names_a_rule_whose_values_the_export_never_writes(bare, qtbot, tmp_path):
    """The sample model's countries are codes, HubSpot writes names: the Problems tab says so, and the problem goes
    the moment the rule lists the names (and comes back with undo)."""
    import copy
    import dataclasses

    from leaddesigner import paths
    from leaddesigner.core.model.conditions import Leaf
    from leaddesigner.core.model.io import load_model, save_model

    m = load_model(paths.samples_dir() / "enterprise_fit_first.yaml")
    m = dataclasses.replace(m, lead_id="Record ID", columns={"country": "Country/Region", "industry": "Industry",
                                                             "job_title": "Job Title", "created_at": "Create Date"})
    save_model(m, tmp_path / "m.yaml")
    w = bare
    assert w.open_model(tmp_path / "m.yaml", ask=False)
    w.doc.load(HUBSPOT)
    settled(qtbot, w)

    def not_found():
        return [p for p in w.problems_model.problems() if p.kind == "values_not_found"]

    assert [(p.column, p.rules) for p in not_found()] == [("Country/Region", ["icp_country"])]
    row = [p.kind for p in w.problems_model.problems()].index("values_not_found")
    shown = w.problems_model.data(w.problems_model.index(row, w.problems_model.column_of("kind")))
    assert shown == "Values not in the file"
    n = len(w.problems_model.problems())
    assert f"Problems ({n})" == w.editor_tabs.tabText(5)
    rule = copy.deepcopy(w.doc.model.rule("icp_country"))
    rule.when = Leaf("country", "in", ["United States", "United Kingdom", "Germany"])
    w.doc.push(C.SetRule("icp_country", rule), mergeable=False)
    settle(w)
    assert not_found() == [] and w.editor_tabs.tabText(5) == f"Problems ({n - 1})"
    assert w.doc.scorer.rule_hits("icp_country") > 400
    w.act_undo.trigger()
    settle(w)
    assert len(not_found()) == 1 and w.editor_tabs.tabText(5) == f"Problems ({n})"
