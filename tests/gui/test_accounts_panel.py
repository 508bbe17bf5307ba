"""The Accounts tab shows what `score --accounts` computes; the accounts settings in the Thresholds & capacity tab
are undoable edits; a HubSpot export without an accounts section rolls up by its e-mail column."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from qt_settle import settle

from leaddesigner.core.scoring.accounts import roll_up

CRM = Path(__file__).resolve().parents[1] / "fixtures" / "crm"


def _shown(qtbot, w):
    p = w.panels["accounts"]
    if p.isVisible() and not p.busy and p.view is not None:
        return p
    with qtbot.waitSignal(p.runner.finished, timeout=60000):
        w.view_tabs.setCurrentWidget(p)
    return p


def test_accounts_tab_shows_the_core_roll_up(window, qtbot, tmp_path):
    w = window
    d = w.doc
    p = _shown(qtbot, w)
    ref = roll_up(d.model, d.data, d.scorer.result)
    for line in ref.lines()[len(ref.settings.describe()):]:
        assert line.replace("'", "&#x27;") in p.summary.text()
    assert p.accounts_model.rowCount() == len(ref.frame)
    proxy = p.accounts_view.model()
    top = ref.frame.sort_values(["score", "account"], ascending=[False, True]).iloc[0]
    assert proxy.index(0, 0).data() == top["account"]  # highest score first
    # the weekly plot draws the core's MQAs per week against the account capacity
    wk = ref.weekly()
    assert np.array_equal(p.weekly.bar_heights(), wk["mqas"].to_numpy(dtype=float))
    assert p.weekly.capacity_line.value() == ref.capacity_per_week
    # an account's contacts and buying group
    name = ref.frame.sort_values("contacts", ascending=False).iloc[0]["account"]
    assert p.select_account(name)
    rows = ref.contacts_of(name)
    assert p.contacts_model.rowCount() == len(rows)
    assert name in p.group_label.text() and "buying group" in p.group_label.text()
    # double-click a contact: the inspector shows that lead
    idx = p.contacts_view.model().index(0, 0)
    p.contacts_view.doubleClicked.emit(idx)
    assert w.inspector.row in set(rows.tolist())
    settle(w, p)
    out = Path(os.environ.get("LEADDESIGNER_SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    assert w.grab().save(str(out / "accounts_tab.png"))


def test_settings_are_undoable_edits_and_the_tab_follows(window, qtbot):
    w = window
    d = w.doc
    p = _shown(qtbot, w)
    box = w.targets_panel.accounts_box
    before = d.model.accounts.mqa
    steps = d.undo_stack.count()
    summary = d.summary  # an accounts edit rescores no lead: the summary object stays
    with qtbot.waitSignal(p.runner.finished, timeout=60000):
        box.mqa.setValue(before + 10)
        box.mqa.setValue(before + 20)  # spin steps of one field merge into one undo step
    assert d.model.accounts.mqa == before + 20 and d.undo_stack.count() == steps + 1
    assert d.summary is summary
    assert p.view.result.mqas == roll_up(d.model, d.data, d.scorer.result).mqas
    with qtbot.waitSignal(p.runner.finished, timeout=60000):
        box.combine.setCurrentIndex(box.combine.findData("max"))
    assert d.model.accounts.combine == "max" and box.top_n.isEnabled() is False
    assert "best contact" in p.settings_label.text()
    d.undo_stack.undo()
    d.undo_stack.undo()
    assert d.model.accounts.mqa == before and d.model.accounts.combine != "max"
    assert box.mqa.value() == before
    # the link in the tab opens the settings
    p._on_settings_link("edit")
    assert w.editor_tabs.currentWidget() is w.targets_panel


def test_a_hubspot_export_without_a_section_uses_and_keeps_the_defaults(qtbot, tmp_path):
    from leaddesigner.gui.recovery import RecoveryStore
    from leaddesigner.gui.window.main_window import MainWindow

    w = MainWindow(interactive=False, settings_enabled=False, recovery=RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.start_from_file(CRM / "hubspot_contacts.csv")
    qtbot.waitUntil(lambda: w.doc.has_data and bool(w.doc.model.attributes) and w.doc.ready and not w.doc.loading, timeout=30000)
    assert w.doc.model.accounts is None
    p = _shown(qtbot, w)
    assert "no accounts section" in p.settings_label.text()
    res = p.view.result
    assert res.settings.key == "email_domain" and res.keys.free_mail > 0 and len(res.frame) > 100
    assert not res.frame["account"].str.contains("@").any()
    box = w.targets_panel.accounts_box
    assert box.keep.isVisibleTo(w.targets_panel)
    box.keep.click()
    assert w.doc.model.accounts is not None and w.doc.model.accounts.email == res.settings.email
    assert not box.keep.isVisibleTo(w.targets_panel)
    w.doc.undo_stack.undo()
    assert w.doc.model.accounts is None
    w.doc.wait_for_workers(30000)


def test_sorting_a_column_keeps_the_chosen_account(window, qtbot):
    from PySide6.QtCore import Qt

    p = _shown(qtbot, window)
    f = p.view.result.frame
    name = f.sort_values("contacts", ascending=False).iloc[0]["account"]
    assert p.select_account(name)
    p.accounts_view.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # contacts, most first
    m = p.accounts_model
    shown = [m.frame["contacts"].iat[i] for i in range(m.rowCount())]
    assert shown == sorted(shown, reverse=True)
    p.accounts_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # by name
    names = m.frame["account"].tolist()
    assert names == sorted(names, key=str.lower)
    assert p._current_account() == name and name in p.group_label.text()  # the chosen account stays chosen
