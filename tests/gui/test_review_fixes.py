"""Regression tests for defects found by using the issue 4 / issue 6 features in a real window.

Each test names the defect it guards against; each failed before its fix.
"""
from __future__ import annotations

import types

import numpy as np
import pandas as pd
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from qt_settle import settle  # tests/gui/qt_settle.py

from leaddesigner.core.edits import commands as C


def _backtest(w, qtbot):
    p = w.panels["backtest"]
    w.view_tabs.setCurrentWidget(p)
    if w.doc.outcome is None:
        w.set_outcome_column("converted")
    qtbot.waitUntil(lambda: w.doc.ready, timeout=30000)
    w.doc.flush()
    qtbot.waitUntil(lambda: p.output is not None and not p.busy, timeout=60000)
    return p


def _wheel_down(widget) -> None:
    c = QPointF(widget.width() / 2, widget.height() / 2)
    ev = QWheelEvent(c, widget.mapToGlobal(c), QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                     Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, ev)


# ------------------------------------------------------------------ Help > Keyboard shortcuts
def test_shortcuts_dialog_lists_the_keys_the_app_really_has(window):
    """It listed Ctrl+N for "Add a rule" (Ctrl+N is New model) and none of the new keys
    (Ctrl+Shift+R export report, Ctrl+T timeline)."""
    from leaddesigner.gui.dialogs.model_dialogs import ShortcutsDialog

    w = window
    keys = ShortcutsDialog(w).keys()
    assert keys.get("Ctrl+N") == "New model"
    assert "Export report" in keys.get("Ctrl+Shift+R", "")
    assert keys.get("Ctrl+T") == "Timeline"
    assert keys.get("Ctrl+B") == "Backtest"
    assert "Add rule" in keys.get("Ins / Ctrl+Shift+A", "")
    # every menu entry with a shortcut is listed with its own keys
    for menu in (w.file_menu, w.analysis_menu, w.view_menu):
        for a in menu.actions():
            if a.shortcuts() and a.menu() is None:
                k = " / ".join(s.toString() for s in a.shortcuts())
                assert k in keys, (a.text(), k)


def test_ctrl_b_shows_the_backtest_tab(window):
    w = window
    w.view_tabs.setCurrentIndex(0)
    w.act_backtest.trigger()
    assert w.view_tabs.currentWidget() is w.panels["backtest"]


# ------------------------------------------------------------------ Backtest tab
def test_wheel_over_a_backtest_plot_scrolls_the_page(window, qtbot):
    """pyqtgraph swallowed the wheel: the page stopped scrolling whenever the pointer was over a plot."""
    w = window
    w.resize(1366, 768)
    p = _backtest(w, qtbot)
    settle(w, p)
    bar = p.scroll.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(0)
    _wheel_down(p.gains_view.plot_widget.viewport())
    assert bar.value() > 0


def test_suggestion_buttons_follow_bigger_text(window, qtbot):
    """A style sheet on the suggestions frame stopped the Apply buttons and the recall box from growing
    with View > Bigger text."""
    w = window
    p = _backtest(w, qtbot)
    normal = p.suggestion_rows["f1"].apply_button.font().pointSizeF()
    w.set_font_scale(1.5)
    settle(w, p)
    for row in p.suggestion_rows.values():
        assert row.apply_button.font().pointSizeF() >= 1.4 * normal
    assert p.recall_spin.font().pointSizeF() >= 1.4 * normal
    # the plots grow with the text, so their axis titles still fit
    assert p.gains_view.minimumHeight() >= 1.4 * 230


def test_gains_mql_label_stays_inside_the_plot_at_big_text(qtbot):
    """With few conversions captured the label sat below the point and covered the x axis (1.5x text)."""
    from leaddesigner.gui.panels.backtest import GainsCurveView

    v = GainsCurveView()
    qtbot.addWidget(v)
    v.resize(520, 300)
    v.show()
    v.set_font_scale(1.5)
    x = np.linspace(0, 1, 101)
    gains = types.SimpleNamespace(lead_share=x, conversion_share=np.sqrt(x), thresholds=np.linspace(100, 0, 101))
    v.set_gains(gains, 0.03, 0.13)
    settle(v)
    r = v.mql_label_rect()
    (x0, x1), (y0, y1) = v.view_box.viewRange()
    assert r.top() >= y0 - 1e-9 and r.bottom() <= y1 + 1e-9  # rect in view coordinates: y grows upward
    assert min(r.top(), r.bottom()) >= y0 - 1e-9 and max(r.top(), r.bottom()) <= y1 + 1e-9
    assert r.left() >= x0 - 1e-9 and r.right() <= x1 + 1e-9


def test_apply_status_keeps_f1_in_capitals(window, qtbot):
    """The status bar said "(best balance (f1))"."""
    w = window
    p = _backtest(w, qtbot)
    s = p.suggestion("f1")
    if s is None or s.threshold is None or abs(s.threshold - w.doc.model.thresholds.mql) < 1e-9:
        w.doc.push(C.SetThreshold("mql", float(w.doc.model.thresholds.mql) + 7), mergeable=False)
        w.doc.end_gesture()
        qtbot.waitUntil(lambda: not p.busy, timeout=30000)
    assert p.apply_suggestion("f1")
    assert "(F1)" in w.statusBar().currentMessage()


# ------------------------------------------------------------------ Suggest points
def test_suggested_points_auc_matches_the_app_when_scoring_as_of_a_date(window, qtbot):
    """With "as of a date" the dialog fitted on events up to the end of the data and compared its AUC with
    the open model's at the app's moment: it promised +0.09, the tile then showed -0.03."""
    from leaddesigner.gui.dialogs.fit import open_fit_dialog

    w = window
    p = _backtest(w, qtbot)
    d = w.doc
    end = pd.Timestamp(d.data.as_of)
    d.set_scoring_moment(None, end - pd.Timedelta(days=20))
    qtbot.waitUntil(lambda: d.ready and d.data.horizon_days is None, timeout=30000)
    d.flush()
    qtbot.waitUntil(lambda: p.holdout_auc is not None and not p.busy, timeout=60000)

    dlg = open_fit_dialog(w)
    with qtbot.waitSignal(dlg.fitted, timeout=120000):
        pass
    res = dlg.result
    assert res.horizon_days == 30  # no leak: events after the 30th day do not count in the fit
    promised = dlg.app_auc()
    assert f"{promised:.3f}" in dlg.headline.text()
    assert dlg.use_model()
    qtbot.waitUntil(lambda: d.ready, timeout=30000)
    d.flush()
    qtbot.waitUntil(lambda: p.holdout_auc is not None and not p.busy, timeout=60000)
    assert abs(p.holdout_auc - promised) < 1e-6


def test_suggested_points_details_read_as_sentences(window, qtbot):
    from leaddesigner.gui.dialogs.fit import open_fit_dialog

    w = window
    _backtest(w, qtbot)
    dlg = open_fit_dialog(w)
    with qtbot.waitSignal(dlg.fitted, timeout=120000):
        pass
    text = dlg.details.text()
    assert " s. by '" not in text and "Split by '" in text
    assert dlg.app_auc() == dlg.result.holdout_auc  # the app scores as the fit did: one figure


# ------------------------------------------------------------------ Compare with model
def test_compare_does_not_bold_a_difference_the_table_does_not_show():
    """37.7% against 37.7% had one of them in bold."""
    from leaddesigner.gui.dialogs.compare import _better

    a = types.SimpleNamespace(auc=0.7931, precision=0.37681, recall=0.287, weeks_over_capacity=7)
    b = types.SimpleNamespace(auc=0.7042, precision=0.37690, recall=0.207, weeks_over_capacity=4)
    better = _better(types.SimpleNamespace(metrics_a=a, metrics_b=b))
    assert "MQLs that convert" not in better
    assert better["ROC AUC (all leads)"] == "A" and better["Weeks over capacity"] == "B"


# ------------------------------------------------------------------ Timeline tab
def test_timeline_backlog_legend_names_the_period_unit(window, qtbot):
    """The legend said "Waiting at the end of the period", which reads as the whole From-To range."""
    w = window
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.result is not None and not panel.busy, timeout=60000)
    assert panel.backlog.legend.text("backlog") == "Waiting at the end of each week"
    panel.set_unit("day")
    assert panel.backlog.legend.text("backlog") == "Waiting at the end of each day"
    # the replay counts MQLs on the day they cross: the summary says so, and why it differs from the strip
    assert "crossed the threshold" in panel.summary_text()
    assert "summary strip" in panel.summary_label.toolTip()


def test_timeline_apply_says_what_it_did(window, qtbot):
    w = window
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.result is not None and panel.suggestions is not None and not panel.busy,
                    timeout=60000)
    before = int(w.doc.model.capacity.sdrs)
    panel.team_apply.setProperty("value", before + 1)
    panel._on_team_apply_clicked()
    assert w.doc.model.capacity.sdrs == before + 1
    assert "Ctrl+Z" in w.statusBar().currentMessage()
    w.act_undo.trigger()
    assert w.doc.model.capacity.sdrs == before


def test_wheel_over_a_timeline_plot_scrolls_the_tab(window, qtbot):
    w = window
    panel = w.panels["timeline"]
    w.resize(1000, 560)
    w.set_font_scale(2.0)
    w.view_tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.result is not None and not panel.busy, timeout=60000)
    settle(w, panel)
    bar = panel.content.verticalScrollBar()
    if bar.maximum() == 0:  # the plots fit: nothing to scroll, the wheel must still not be lost
        return
    bar.setValue(0)
    _wheel_down(panel.arrivals.plot_widget.viewport())
    assert bar.value() > 0


def test_normal_text_size_keeps_the_plot_titles_of_the_new_tabs(window, qtbot):
    """Ctrl+0 at normal size (or any size change) turned the Backtest and Timeline plot titles into body text:
    the window sets its plain font on every label with a style sheet."""
    w = window
    bt, tl = w.panels["backtest"], w.panels["timeline"]
    before = bt.decile_view.title_label.font().pointSizeF()
    for scale in (1.0, 1.0, 1.5, 1.0):
        w.set_font_scale(scale)
        settle(w)
        for title in (bt.decile_view.title_label, bt.gains_view.title_label, bt.suggest_title,
                      tl.arrivals.title_label, tl.sla.title_label):
            assert title.font().bold(), (scale, title.text())
    assert abs(bt.decile_view.title_label.font().pointSizeF() - before) < 1e-6
