"""The Timeline tab (gui/panels/timeline.py): live replay + SDR queue plots (pytest-qt, offscreen).

Two kinds of tests:

* over the real core (``core.queue.simulate``) and the shipped sample data
  (sample_models/data: 4,000 leads, 48,000 events): results shown, edits of
  the MQL threshold and capacity update the plots, suggestions apply and undo;
* over a fake core (monkeypatched ``compute_timeline``/``compute_suggestions``)
  for the machinery that must not depend on the numbers: stale results are
  dropped, a hidden tab does not compute, the last result stays (greyed) while
  the next one is computed, the period reaches the core.

Set ``LEADDESIGNER_SHOTS=/some/folder`` to keep the rendered PNGs.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from qt_settle import settle  # tests/gui/qt_settle.py

from leaddesigner import paths
from leaddesigner.core.edits import commands as C
from leaddesigner.gui.panels import timeline as T
from leaddesigner.gui.panels import timeline_worker as TW
from leaddesigner.gui.window import main_window as MW

WAIT_MS = 60000


# ------------------------------------------------------------------ fixtures
def _make_window(qtbot, tmp_path, monkeypatch, *, isolate: bool = True):
    from leaddesigner.gui.recovery import RecoveryStore

    if isolate:  # other panels are work in progress in parallel: this file tests the timeline alone
        monkeypatch.setattr(MW, "PANEL_MODULES", ("leaddesigner.gui.panels.timeline",))
    w = MW.MainWindow(interactive=False, settings_enabled=False, recovery=RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    return w


def _load(qtbot, w, *, activities: bool = True, model: Path | None = None) -> None:
    assert w.open_model(model or paths.default_model(), ask=False)
    w.load_data(paths.sample_leads(), paths.sample_activities() if activities else None)
    qtbot.waitUntil(lambda: w.doc.has_data and w.doc.ready and w.doc.summary is not None, timeout=WAIT_MS)


def _wait_timeline(qtbot, panel, *, suggestions: bool = False) -> None:
    def done():
        if not panel.up_to_date:
            return False
        return not suggestions or panel.result is None or panel.suggestions is not None

    qtbot.waitUntil(done, timeout=WAIT_MS)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    """Main window with the timeline only, the default model and the sample data, Timeline tab shown."""
    w = _make_window(qtbot, tmp_path, monkeypatch)
    _load(qtbot, w)
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentWidget(panel)
    yield w
    w.doc.wait_for_workers(WAIT_MS)


class FakeCore:
    """Stands in for core.queue: frames shaped like ``Simulation``; numbers follow the model.

    ``new`` per day = ``round(1000 / mql_threshold)``, capacity per working day =
    ``sdrs * 2``; ``delay`` seconds per run (ignoring cancellation when ``stubborn``).
    """

    def __init__(self, delay: float = 0.0, stubborn: bool = False):
        self.delay = delay
        self.stubborn = stubborn
        self.calls: list[tuple] = []
        self.lock = threading.Lock()

    def simulate(self, model, data, start, end, progress=None):
        with self.lock:
            self.calls.append((float(model.thresholds.mql), int(model.capacity.sdrs), start, end))
        t_end = time.perf_counter() + self.delay
        while time.perf_counter() < t_end:
            time.sleep(0.01)
            if progress is not None and not self.stubborn:
                progress(0.5, "replaying")
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        days = pd.date_range(start, end, freq="D")
        n = len(days)
        work = days.day_of_week < 5
        new = np.full(n, round(1000 / model.thresholds.mql), dtype=float)
        re = np.where(work, 1.0, 0.0)
        cap = np.where(work, model.capacity.sdrs * 2.0, 0.0)
        backlog = np.cumsum(new + re - cap).clip(0)
        daily = pd.DataFrame({"day": days, "new": new, "re_mql": re, "arriving": new + re, "capacity": cap,
                              "worked": np.minimum(cap, new + re), "backlog": backlog})
        monday = daily["day"] - pd.to_timedelta(daily["day"].dt.day_of_week, unit="D")
        g = daily.groupby(monday)
        weekly = pd.DataFrame({
            "week": list(g.groups), "new": g["new"].sum().to_numpy(), "re_mql": g["re_mql"].sum().to_numpy(),
            "arriving": g["arriving"].sum().to_numpy(), "capacity": g["capacity"].sum().to_numpy(),
            "worked": g["worked"].sum().to_numpy(), "backlog": g["backlog"].last().to_numpy(),
            "median_hours": 5.0, "p90_hours": 30.0, "sla_share": 0.5, "days": g["day"].count().to_numpy(),
        })
        rep = SimpleNamespace(start=start, end=end, arrivals=pd.DataFrame(), problems=[])
        summ = {"new": float(new.sum()), "re_mql": float(re.sum()), "worked": float(daily["worked"].sum()),
                "backlog_end": float(backlog[-1]), "sla_share": 0.5, "median_hours": 5.0, "p90_hours": 30.0,
                "sla_hours": float(model.capacity.sla_hours), "sla_target": 0.9, "sla_met": False,
                "capacity_per_week": float(model.capacity.per_week), "mean_arrivals_per_week": 1.0}
        return SimpleNamespace(daily=daily, weekly=weekly, summary=summ, replay=rep)

    def suggest(self, model, simulation, check=None):
        return {"team": int(model.capacity.sdrs) + 2, "threshold": float(model.thresholds.mql) + 5}


@pytest.fixture
def fake(monkeypatch):
    core = FakeCore()
    monkeypatch.setattr(TW, "compute_timeline", core.simulate)
    monkeypatch.setattr(TW, "compute_suggestions", core.suggest)
    return core


@pytest.fixture
def fake_window(qtbot, tmp_path, monkeypatch, fake):
    w = _make_window(qtbot, tmp_path, monkeypatch)
    _load(qtbot, w)
    yield w
    w.doc.wait_for_workers(WAIT_MS)


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LEADDESIGNER_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ------------------------------------------------------------------ installation and empty states
def test_install_adds_a_tab_and_an_analysis_action(qtbot, tmp_path, monkeypatch):
    w = _make_window(qtbot, tmp_path, monkeypatch, isolate=False)  # with whatever else is installed
    panel = w.panels["timeline"]
    assert isinstance(panel, T.TimelinePanel)
    i = w.view_tabs.indexOf(panel)
    assert i > 0 and w.view_tabs.tabText(i) == "Timeline"
    assert w.act_timeline in w.analysis_menu.actions()
    w.act_timeline.trigger()
    assert w.view_tabs.currentWidget() is panel
    # no data yet: one sentence says what is needed
    assert "Load a lead file" in panel.message()


def test_empty_state_without_activity_log(qtbot, tmp_path, monkeypatch, fake):
    w = _make_window(qtbot, tmp_path, monkeypatch)
    _load(qtbot, w, activities=False)
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentWidget(panel)
    qtbot.wait(T.DEBOUNCE_MS + 100)
    assert "activity log" in panel.message()
    assert panel.grab().save(str(_shots(tmp_path) / "timeline_panel_no_activity_log.png"))
    assert fake.calls == []  # nothing computed for data that cannot be replayed


def test_empty_state_without_creation_dates(fake_window, qtbot, fake):
    w = fake_window
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentWidget(panel)
    _wait_timeline(qtbot, panel)
    assert panel.message() is None
    w.doc.push(C.SetMeta("created_at", None))  # re-binds the data without creation dates
    qtbot.waitUntil(lambda: w.doc.ready and w.doc.data is not None and w.doc.data.created is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.message() is not None and "creation date" in panel.message(), timeout=WAIT_MS)
    w.doc.undo_stack.undo()
    qtbot.waitUntil(lambda: w.doc.ready and w.doc.data.created is not None, timeout=WAIT_MS)
    _wait_timeline(qtbot, panel)
    assert panel.message() is None and panel.result is not None


# ------------------------------------------------------------------ the real core over the sample data
def test_shows_the_replay_of_the_sample_data(window, qtbot, tmp_path):
    w = window
    panel = w.panels["timeline"]
    _wait_timeline(qtbot, panel, suggestions=True)
    assert panel.message() is None, panel.message()
    sim = panel.result.simulation
    # the default period: the data's last 26 weeks, whole days
    start, end = panel.period()
    assert (end - start).days == 26 * 7 - 1
    assert len(sim.daily) == 26 * 7
    new, re = panel.arrivals.bar_heights()
    assert np.array_equal(new, sim.weekly["new"].to_numpy(dtype=float))
    assert np.array_equal(re, sim.weekly["re_mql"].to_numpy(dtype=float))
    assert new.sum() > 0
    assert np.array_equal(panel.backlog.backlog_values(), sim.weekly["backlog"].to_numpy(dtype=float))
    assert len(panel.sla.shares()) == len(sim.weekly)
    assert f"{int(sim.summary['new'] + sim.summary['re_mql']):,} MQLs" in panel.summary_text()
    assert panel.suggestions is not None
    # per day: the same result, no new computation
    gen = panel.shown_generation
    panel.set_unit("day")
    new_d, _ = panel.arrivals.bar_heights()
    assert len(new_d) == len(sim.daily) and new_d.sum() == new.sum()
    assert panel.shown_generation == gen and not panel.busy
    panel.set_unit("week")


def test_threshold_and_capacity_edits_update_the_plots(window, qtbot):
    w = window
    doc = w.doc
    panel = w.panels["timeline"]
    _wait_timeline(qtbot, panel)
    new0, re0 = panel.arrivals.bar_heights()
    cap0 = panel.arrivals.capacity_values()

    doc.push(C.SetThreshold("mql", doc.model.thresholds.mql + 15))
    _wait_timeline(qtbot, panel)
    new1, re1 = panel.arrivals.bar_heights()
    assert new1.sum() < new0.sum()  # fewer leads reach a higher threshold
    assert panel.result.simulation.summary["mql_threshold"] == doc.model.thresholds.mql

    doc.push(C.SetCapacity("sdrs", doc.model.capacity.sdrs * 3))
    _wait_timeline(qtbot, panel)
    cap1 = panel.arrivals.capacity_values()
    assert cap1.max() > cap0.max()
    assert np.array_equal(panel.arrivals.bar_heights()[0], new1)  # arrivals do not depend on the team

    # undo both: back to the first picture
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    _wait_timeline(qtbot, panel)
    assert np.array_equal(panel.arrivals.bar_heights()[0], new0)
    assert np.array_equal(panel.arrivals.capacity_values(), cap0)


def test_apply_suggestions_and_undo(window, qtbot):
    w = window
    doc = w.doc
    panel = w.panels["timeline"]
    _wait_timeline(qtbot, panel, suggestions=True)
    sug = panel.suggestions
    team, thr = sug["team"], sug["threshold"]
    sdrs0, mql0 = doc.model.capacity.sdrs, doc.model.thresholds.mql
    if team is not None and team != sdrs0:
        assert panel.team_apply.isVisible()
        qtbot.mouseClick(panel.team_apply, Qt.MouseButton.LeftButton)
        assert doc.model.capacity.sdrs == team
        assert not panel.team_apply.isEnabled()  # stale until the new result
        _wait_timeline(qtbot, panel, suggestions=True)
        assert panel.result.simulation.summary["sla_met"] or panel.suggestions["team"] == team
        doc.undo_stack.undo()
        assert doc.model.capacity.sdrs == sdrs0
        _wait_timeline(qtbot, panel, suggestions=True)
    else:
        assert not panel.team_apply.isVisible()
    if thr is not None and thr != mql0:
        assert panel.threshold_apply.isVisible()
        qtbot.mouseClick(panel.threshold_apply, Qt.MouseButton.LeftButton)
        assert doc.model.thresholds.mql == thr
        doc.undo_stack.undo()
        assert doc.model.thresholds.mql == mql0
    else:
        assert not panel.threshold_apply.isVisible()


# ------------------------------------------------------------------ machinery (fake core)
def test_apply_buttons_push_undoable_edits(fake_window, qtbot, fake):
    w = fake_window
    doc = w.doc
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentWidget(panel)
    _wait_timeline(qtbot, panel, suggestions=True)
    sdrs0, mql0 = doc.model.capacity.sdrs, doc.model.thresholds.mql
    assert "SDRs" in panel.team_label.text() and panel.team_apply.isVisible()
    qtbot.mouseClick(panel.team_apply, Qt.MouseButton.LeftButton)
    assert doc.model.capacity.sdrs == sdrs0 + 2
    assert doc.undo_stack.undoText().startswith("Set SDRs")
    _wait_timeline(qtbot, panel, suggestions=True)
    qtbot.mouseClick(panel.threshold_apply, Qt.MouseButton.LeftButton)
    assert doc.model.thresholds.mql == mql0 + 5
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert (doc.model.capacity.sdrs, doc.model.thresholds.mql) == (sdrs0, mql0)
    _wait_timeline(qtbot, panel)
    assert fake.calls[-1][:2] == (mql0, sdrs0)


def test_stale_results_are_dropped(fake_window, qtbot, fake, monkeypatch):
    w = fake_window
    doc = w.doc
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentWidget(panel)
    _wait_timeline(qtbot, panel)
    # runs that cannot be cancelled (a core without progress calls) finish late, for an older model
    fake.delay, fake.stubborn = 0.4, True
    monkeypatch.setattr(T.TimelineWorker, "_progress", lambda self, *a: None)
    mql0 = doc.model.thresholds.mql
    doc.push(C.SetThreshold("mql", mql0 + 10))
    qtbot.waitUntil(lambda: panel._worker is not None, timeout=WAIT_MS)
    doc.push(C.SetThreshold("mql", mql0 + 20))  # while the first run is still working
    _wait_timeline(qtbot, panel)
    assert panel.dropped >= 1
    assert panel.shown_generation == panel.generation
    new, _ = panel.arrivals.bar_heights()
    # what is shown is for the newest model: 1000 / threshold new MQLs per day
    assert new.max() == 7 * round(1000 / (mql0 + 20))
    assert fake.calls[-1][0] == mql0 + 20


def test_edits_are_coalesced(fake_window, qtbot, fake):
    w = fake_window
    doc = w.doc
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentWidget(panel)
    _wait_timeline(qtbot, panel)
    fake.delay = 0.5
    n0 = len(fake.calls)
    mql0 = doc.model.thresholds.mql
    shown = []
    panel.resultShown.connect(shown.append)
    for k in range(1, 11):  # a spin-box drag: ten edits in a row
        doc.push(C.SetThreshold("mql", mql0 + k))
        qtbot.wait(20)
    _wait_timeline(qtbot, panel)
    assert len(fake.calls) - n0 <= 2  # not one run per edit
    assert fake.calls[-1][0] == mql0 + 10
    assert shown == [panel.generation]  # only the newest result reached the plots
    assert panel.arrivals.bar_heights()[0].max() == 7 * round(1000 / (mql0 + 10))


def test_an_edit_cancels_the_running_run(fake_window, qtbot, fake):
    w = fake_window
    doc = w.doc
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentWidget(panel)
    _wait_timeline(qtbot, panel)
    fake.delay = 30.0  # long enough that only a cancellation ends it in time
    cancelled = []
    n_calls = len(fake.calls)
    doc.push(C.SetThreshold("mql", doc.model.thresholds.mql + 1))
    qtbot.waitUntil(lambda: panel._worker is not None, timeout=WAIT_MS)
    panel._worker.cancelled.connect(cancelled.append)
    # the slow run must have started (read its delay) before the next one may be quick
    qtbot.waitUntil(lambda: len(fake.calls) > n_calls, timeout=WAIT_MS)
    fake.delay = 0.0
    t0 = time.perf_counter()
    doc.push(C.SetThreshold("mql", doc.model.thresholds.mql + 1))
    _wait_timeline(qtbot, panel)
    assert time.perf_counter() - t0 < 20.0  # the 30 s run was cut short
    assert len(cancelled) == 1
    assert fake.calls[-1][0] == doc.model.thresholds.mql


def test_shows_the_last_result_greyed_while_updating(fake_window, qtbot, fake, tmp_path):
    w = fake_window
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentWidget(panel)
    _wait_timeline(qtbot, panel)
    before = panel.arrivals.bar_heights()[0].copy()
    fake.delay = 1.0
    w.doc.push(C.SetThreshold("mql", w.doc.model.thresholds.mql + 10))
    qtbot.waitUntil(lambda: panel.status_label.text() == "updating\u2026", timeout=WAIT_MS)
    assert panel.is_greyed()
    assert panel.grab().save(str(_shots(tmp_path) / "timeline_panel_updating.png"))
    assert np.array_equal(panel.arrivals.bar_heights()[0], before)  # still the last result
    assert panel.message() is None
    _wait_timeline(qtbot, panel)
    assert panel.status_label.text() == "" and not panel.is_greyed()
    assert not np.array_equal(panel.arrivals.bar_heights()[0], before)


def test_hidden_tab_does_not_compute_until_shown(fake_window, qtbot, fake):
    w = fake_window
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentIndex(0)  # Overview
    qtbot.wait(T.DEBOUNCE_MS + 100)
    assert fake.calls == []  # loading the data did not replay it: nobody is looking
    w.doc.push(C.SetThreshold("mql", w.doc.model.thresholds.mql + 5))
    w.doc.push(C.SetCapacity("sdrs", 4))
    qtbot.wait(T.DEBOUNCE_MS + 100)
    assert fake.calls == []
    w.view_tabs.setCurrentWidget(panel)
    _wait_timeline(qtbot, panel)
    assert len(fake.calls) == 1 and fake.calls[0][1] == 4
    # shown again with nothing changed: no new run
    w.view_tabs.setCurrentIndex(0)
    w.view_tabs.setCurrentWidget(panel)
    qtbot.wait(T.DEBOUNCE_MS + 100)
    assert len(fake.calls) == 1


def test_period_selector_reaches_the_core(fake_window, qtbot, fake):
    w = fake_window
    panel = w.panels["timeline"]
    w.view_tabs.setCurrentWidget(panel)
    _wait_timeline(qtbot, panel)
    start, end = panel.period()
    assert fake.calls[-1][2:] == (start, end)
    panel.set_period(end - pd.Timedelta(days=27), end)
    _wait_timeline(qtbot, panel)
    assert fake.calls[-1][2:] == (end - pd.Timedelta(days=27), end)
    assert len(panel.arrivals.bar_heights()[0]) in (4, 5)  # weeks touched by 28 days
    panel.last_weeks_button.click()
    _wait_timeline(qtbot, panel)
    assert fake.calls[-1][2:] == (start, end)


def test_core_error_becomes_a_sentence(fake_window, qtbot, monkeypatch):
    w = fake_window
    panel = w.panels["timeline"]

    def fail(model, data, start, end, progress=None):
        raise ValueError("The period 2026-09-01 to 2026-08-01 is empty: choose a start before the end.")

    monkeypatch.setattr(TW, "compute_timeline", fail)
    w.view_tabs.setCurrentWidget(panel)
    _wait_timeline(qtbot, panel)
    assert panel.message().startswith("The period")


# ------------------------------------------------------------------ pictures
@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_render_png(window, qtbot, tmp_path, scale):
    w = window
    panel = w.panels["timeline"]
    _wait_timeline(qtbot, panel, suggestions=True)
    if scale != 1.0:
        w.set_font_scale(scale)
        settle(w, panel)
    assert abs(panel.arrivals.font_scale() - scale) < 1e-6
    settle(w, panel)
    out = _shots(tmp_path)
    tag = "1366x768" if scale == 1.0 else f"font{scale:g}"
    for name, widget in ((f"timeline_window_{tag}.png", w), (f"timeline_panel_{tag}.png", panel)):
        assert widget.grab().save(str(out / name))
        assert (out / name).stat().st_size > 10_000
    panel.set_unit("day")
    settle(w, panel)
    assert panel.grab().save(str(out / f"timeline_panel_days_{tag}.png"))
    # the three plots line up: one y-axis width
    widths = {v.y_axis.width() for v in (panel.arrivals, panel.backlog, panel.sla)}
    assert len(widths) == 1


# ------------------------------------------------------------------ Thresholds & capacity: the queue and recycling settings
def test_capacity_extras_edit_the_model_undoably(fake_window, qtbot):
    w = fake_window
    doc = w.doc
    tp = w.targets_panel
    c = doc.model.capacity
    before = (c.sla_target, c.workday_start, c.workday_hours, c.order, c.routing, c.sla_working_hours)
    tp.sla_target.setValue(80)
    assert doc.model.capacity.sla_target == pytest.approx(0.8)
    tp.workday_start.setValue(8.0)
    tp.workday_hours.setValue(9.5)
    assert (c.workday_start, c.workday_hours) == (8.0, 9.5)
    tp.workday_hours.setValue(20.0)  # 8h + 20h ends after midnight: refused, the form shows the model again
    assert c.workday_hours == 9.5 and tp.workday_hours.value() == 9.5
    tp.queue_order.setCurrentIndex(tp.queue_order.findData("score"))
    tp.queue_order.activated.emit(tp.queue_order.currentIndex())
    assert c.order == "score"
    tp.sla_clock.setCurrentIndex(1)
    tp.sla_clock.activated.emit(1)
    assert c.sla_working_hours is True
    tp.routing.setText("A1, B1")
    tp.routing.editingFinished.emit()
    assert c.routing == ["A1", "B1"]
    tp.routing.setText("Z9")
    tp.routing.editingFinished.emit()  # not a grade cell: refused
    assert c.routing == ["A1", "B1"] and tp.routing.text() == "A1, B1"
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert (c.sla_target, c.workday_start, c.workday_hours, c.order, c.routing, c.sla_working_hours) == before
    assert tp.sla_target.value() == round(100 * before[0]) and tp.routing.text() == ""


def test_recycling_box_edits_the_model_undoably(fake_window, qtbot):
    w = fake_window
    doc = w.doc
    box = w.targets_panel.recycling_box
    assert doc.model.recycling is None and not box.enabled.isChecked()
    assert not box.cooldown.isEnabled()
    box.enabled.setChecked(True)
    r = doc.model.recycling
    assert r is not None and r.no_response_days == 30 and box.cooldown.isEnabled()
    box.cooldown.setValue(14)
    assert doc.model.recycling.cooldown_days == 14
    box.reset.setChecked(False)
    assert doc.model.recycling.reset_engagement is False
    on, column, values, date = box.outcome_widgets["closed_lost"]
    on.setChecked(True)  # incomplete: nothing pushed yet
    assert doc.model.recycling.closed_lost is None
    column.setEditText("converted")
    values.setText("0, no")
    date.setEditText("converted_at")
    date.lineEdit().editingFinished.emit()
    o = doc.model.recycling.closed_lost
    assert (o.column, o.values, o.date) == ("converted", ["0", "no"], "converted_at")
    box.no_response_on.setChecked(False)
    assert doc.model.recycling.no_response_days is None
    on.setChecked(False)  # no trigger left: refused, the form shows the model again
    assert doc.model.recycling.closed_lost is not None and on.isChecked()
    assert "Set recycling" in doc.undo_stack.undoText()
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert doc.model.recycling is None and not box.enabled.isChecked()


def test_recycling_brings_re_mqls_to_the_timeline(window, qtbot):
    w = window
    doc = w.doc
    panel = w.panels["timeline"]
    _wait_timeline(qtbot, panel)
    assert panel.arrivals.bar_heights()[1].sum() == 0  # the default model does not recycle
    assert not panel.arrivals.legend.entries["re"].isVisibleTo(panel.arrivals)
    w.targets_panel.recycling_box.enabled.setChecked(True)
    w.targets_panel.recycling_box.cooldown.setValue(7)
    _wait_timeline(qtbot, panel)
    sim = panel.result.simulation
    new, re = panel.arrivals.bar_heights()
    assert np.array_equal(re, sim.weekly["re_mql"].to_numpy(dtype=float))
    assert sim.summary["recycled"] > 0
    if re.sum() > 0:
        assert panel.arrivals.legend.entries["re"].isVisibleTo(panel.arrivals)
