"""Plot views of the main window: what they show, what they emit, that they render.

Run offscreen: ``QT_QPA_PLATFORM=offscreen pytest tests/gui/test_plots.py``.
"""
from __future__ import annotations

import os

from qt_settle import settle  # tests/gui/qt_settle.py

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from leaddesigner.core.scoring.summary import Summary, histogram, weekly_volume
from leaddesigner.gui.panels.grade_grid import GradeGridView
from leaddesigner.gui.panels.summary_strip import SummaryStrip, format_delta
from leaddesigner.gui.plotting.overview import PALETTE, ScoreHistogramView, WeeklyVolumeView


# ------------------------------------------------------------------ helpers
def scores(n: int = 20_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    s = np.where(rng.random(n) < 0.7, rng.gamma(2.0, 10.0, n), rng.normal(60, 12, n))
    conv = rng.random(n) < 1 / (1 + np.exp(-(s - 60) / 8)) * 0.4
    return s, conv


def np_counts(values: np.ndarray, lo: float, hi: float, bins: int) -> np.ndarray:
    """np.histogram counts, values outside [lo, hi] counted in the end bins (the view's contract)."""
    edges = np.linspace(lo, hi, bins + 1)
    return np.histogram(np.clip(values, lo, hi), bins=edges)[0]


def weekly(capacity: float = 300.0, seed: int = 1):
    rng = np.random.default_rng(seed)
    n = 40_000
    # Wednesday 7 Jan to Tuesday 7 Apr 2026: partial first and last weeks; lead volume grows
    day = np.floor(np.sqrt(rng.random(n)) * 90).astype(int)
    created = pd.Series(pd.Timestamp("2026-01-07") + pd.to_timedelta(day * 86400 + rng.integers(0, 86400, n), unit="s"))
    status = (rng.random(n) < 0.1).astype(np.int8) + (rng.random(n) < 0.02)
    return weekly_volume(created, status, capacity)


def make_summary(mqls: int, sqls: int, leads: int = 10_000, capacity: float = 300.0, conversion=None) -> Summary:
    counts = {"lead": leads - mqls, "MQL": mqls - sqls, "SQL": sqls}
    grades = pd.DataFrame([[10, 20], [30, 40]], index=["A", "B"], columns=["1", "2"])
    # scores whose median is 24
    score = np.concatenate([np.full(leads // 2, 10.0), [24.0], np.full(leads - leads // 2 - 1, 40.0)])
    return Summary(leads, counts, grades, score, weekly(capacity), capacity, conversion)


def distinct_colours(img: QImage, step: int = 7) -> int:
    seen = set()
    for y in range(0, img.height(), step):
        for x in range(0, img.width(), step):
            seen.add(img.pixel(x, y))
            if len(seen) > 50:
                return len(seen)
    return len(seen)


def send_mouse(widget, kind: QEvent.Type, pos: QPoint, button=Qt.MouseButton.LeftButton) -> None:
    buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else Qt.MouseButton.LeftButton
    gp = widget.mapToGlobal(pos)
    ev = QMouseEvent(kind, QPointF(pos), QPointF(gp), button if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton,
                     buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)


@pytest.fixture
def hist(qtbot):
    v = ScoreHistogramView()
    qtbot.addWidget(v)
    v.resize(900, 450)
    v.set_bounds(0, 100, 100)
    v.set_thresholds(50, 80)
    v.show()
    qtbot.waitExposed(v)
    return v


# ------------------------------------------------------------------ histogram
def test_histogram_counts_equal_numpy_histogram(hist):
    s, _ = scores()
    s = np.concatenate([s, [-5.0, 0.0, 99.99, 100.0, 250.0]])  # outside values land in the end bins
    hist.set_scores(s)
    shown = hist.shown_counts()
    np.testing.assert_array_equal(shown["total"], np_counts(s, 0, 100, 100))
    np.testing.assert_allclose(shown["edges"], np.linspace(0, 100, 101))
    assert shown["converted"] is None
    assert int(shown["total"].sum()) == len(s)
    assert hist.message() is None


def test_histogram_other_bins_and_bounds(hist):
    s, _ = scores()
    hist.set_bounds(-20, 180, 40)
    hist.set_scores(s)
    np.testing.assert_array_equal(hist.shown_counts()["total"], np_counts(s, -20, 180, 40))
    np.testing.assert_array_equal(hist.shown_counts()["total"], histogram(s, -20, 180, 40)[0])
    assert hist.bounds() == (-20.0, 180.0, 40)
    x0, x1 = hist.view_box.viewRange()[0]
    assert x0 <= -20 and x1 >= 180


def test_new_bounds_rebin_the_scores_shown_unless_scores_follow(hist):
    s, conv = scores()
    hist.set_scores(s, conv)
    hist.set_bounds(-20, 180, 40)  # alone: the scores shown are binned again
    np.testing.assert_array_equal(hist.shown_counts()["total"], np_counts(s, -20, 180, 40))
    hist.set_bounds(0, 100, 20, rebin=False)  # the caller sets new scores next
    hist.set_scores(s[:50], conv[:50])
    np.testing.assert_array_equal(hist.shown_counts()["total"], np_counts(s[:50], 0, 100, 20))


def test_histogram_converted_series_sum_to_total(hist):
    s, conv = scores()
    hist.set_scores(s, conv)
    shown = hist.shown_counts()
    np.testing.assert_array_equal(shown["converted"], np_counts(s[conv], 0, 100, 100))
    np.testing.assert_array_equal(shown["not_converted"], np_counts(s[~conv], 0, 100, 100))
    np.testing.assert_array_equal(shown["converted"] + shown["not_converted"], shown["total"])
    np.testing.assert_array_equal(shown["total"], np_counts(s, 0, 100, 100))
    # two distinct colours, legend says which is which
    assert hist.converted_curve.isVisible()
    c1 = hist.converted_curve.opts["fillBrush"].color().name()
    c2 = hist.total_curve.opts["fillBrush"].color().name()
    assert c1 != c2
    assert not hist.legend.entries["converted"].isHidden()
    assert not hist.legend.entries["not_converted"].isHidden()
    assert hist.legend.entries["bars"].isHidden()
    # back to one series
    hist.set_scores(s)
    assert not hist.converted_curve.isVisible()
    assert hist.legend.entries["converted"].isHidden()


def test_histogram_empty_scores_show_message(hist):
    hist.set_scores(np.zeros(0))
    assert hist.message()
    assert hist.shown_counts()["total"].sum() == 0
    hist.set_scores(np.array([10.0]))
    assert hist.message() is None


def test_histogram_y_range_changes_only_when_peak_moves_a_lot(hist):
    s, _ = scores()
    hist.set_scores(s)
    top = hist.y_top()
    peak = hist.shown_counts()["total"].max()
    assert 0.5 * top <= peak <= top
    hist.set_scores(s[: int(len(s) * 0.85)])  # peak drops 15 %: no rescale
    assert hist.y_top() == top
    hist.set_scores(s[: len(s) // 4])  # peak drops 75 %: rescale down
    assert hist.y_top() < top
    hist.set_scores(np.concatenate([s, s, s]))  # peak triples: rescale up
    assert hist.y_top() >= 3 * peak


def test_histogram_mouse_zoom_and_menu_disabled(hist):
    assert hist.view_box.state["mouseEnabled"] == [False, False]
    assert not hist.plot_item.menuEnabled()
    assert hist.view_box.state["autoRange"] == [False, False]
    assert hist.mql_line.movable and hist.sql_line.movable


def test_set_thresholds_moves_lines_without_emitting(hist, qtbot):
    with qtbot.assertNotEmitted(hist.thresholdMoved), qtbot.assertNotEmitted(hist.thresholdDragFinished):
        hist.set_thresholds(42.5, 77)
        hist.set_thresholds(60, None)
        hist.set_thresholds(30, 90)
        hist.set_bounds(0, 150)
    assert hist.thresholds() == (30.0, 90.0)
    assert hist.mql_line.label.toPlainText() == "MQL 30"
    assert hist.sql_line.label.toPlainText() == "SQL 90"
    hist.set_thresholds(55, None)
    assert hist.thresholds() == (55.0, None)
    assert not hist.sql_line.isVisible()


def test_drag_via_setpos_emits_moved_and_one_finished(hist, qtbot):
    moved, finished = [], []
    hist.thresholdMoved.connect(lambda n, v: moved.append((n, v)))
    hist.thresholdDragFinished.connect(lambda n, a, b: finished.append((n, a, b)))
    hist.mql_line.setPos(52)
    hist.mql_line.setPos(55)
    hist.mql_line.sigPositionChangeFinished.emit(hist.mql_line)
    assert moved == [("mql", 52.0), ("mql", 55.0)]
    assert finished == [("mql", 50.0, 55.0)]
    # the next drag starts from where the last one ended
    hist.sql_line.setPos(85)
    hist.sql_line.sigPositionChangeFinished.emit(hist.sql_line)
    hist.sql_line.setPos(88)
    hist.sql_line.sigPositionChangeFinished.emit(hist.sql_line)
    assert finished[1:] == [("sql", 80.0, 85.0), ("sql", 85.0, 88.0)]
    # a release without a change is not an undo step
    hist.sql_line.sigPositionChangeFinished.emit(hist.sql_line)
    assert len(finished) == 3


def test_lines_cannot_cross(hist):
    hist.sql_line.setPos(30)  # below MQL 50
    assert hist.sql_line.value() == 50
    hist.set_thresholds(50, 80)
    hist.mql_line.setPos(95)  # above SQL 80
    assert hist.mql_line.value() == 80
    hist.set_thresholds(50, None)
    hist.mql_line.setPos(95)  # no SQL: only the score range bounds it
    assert hist.mql_line.value() == 95
    hist.mql_line.setPos(400)
    assert hist.mql_line.value() == 100


def test_drag_with_the_mouse_snaps_and_emits_once(hist, qtbot):
    s, _ = scores()
    hist.set_scores(s)
    settle(hist)
    vb, pw = hist.view_box, hist.plot_widget
    vp = pw.viewport()
    top = hist.y_top()

    def at(x: float) -> QPoint:
        return pw.mapFromScene(vb.mapViewToScene(QPointF(x, top * 0.5)))

    moved, finished = [], []
    hist.thresholdMoved.connect(lambda n, v: moved.append((n, v)))
    hist.thresholdDragFinished.connect(lambda n, a, b: finished.append((n, a, b)))
    send_mouse(vp, QEvent.Type.MouseButtonPress, at(50.0))
    for x in (50.6, 52.3, 55.2, 60.4, 63.7):
        send_mouse(vp, QEvent.Type.MouseMove, at(x))
        qtbot.wait(1)
    send_mouse(vp, QEvent.Type.MouseButtonRelease, at(63.7))
    qtbot.wait(1)
    assert len(finished) == 1, (moved, finished)
    name, before, after = finished[0]
    assert name == "mql" and before == 50.0
    assert after == pytest.approx(64.0, abs=1.0) and after == round(after)  # snapped to whole points
    assert moved and all(n == "mql" and v == round(v) for n, v in moved)
    assert hist.thresholds()[0] == after
    # dragging the view elsewhere does not pan or zoom it
    rng = vb.viewRange()
    send_mouse(vp, QEvent.Type.MouseButtonPress, at(20.0))
    send_mouse(vp, QEvent.Type.MouseMove, at(30.0))
    send_mouse(vp, QEvent.Type.MouseButtonRelease, at(30.0))
    assert vb.viewRange() == rng
    assert len(finished) == 1


def test_set_thresholds_during_a_drag_leaves_the_dragged_line_alone(hist):
    finished = []
    hist.thresholdDragFinished.connect(lambda n, a, b: finished.append((n, a, b)))
    hist.mql_line.moving = True  # as pyqtgraph sets it while the mouse holds the line
    hist.mql_line.setPos(61.3)
    assert hist.mql_line.value() == 61  # snapped while dragging
    hist.set_thresholds(61, 80)  # the window echoes the model back
    hist.set_thresholds(50, 80)  # or a stale value: the hand wins
    assert hist.mql_line.value() == 61
    hist.mql_line.moving = False
    hist.mql_line.sigPositionChangeFinished.emit(hist.mql_line)
    assert finished == [("mql", 50.0, 61.0)]


def test_histogram_font_scale(hist):
    before = hist.x_axis._tick_font.pointSizeF()
    hist.set_font_scale(1.6)
    assert hist.x_axis._tick_font.pointSizeF() == pytest.approx(before * 1.6)
    assert hist.mql_line.label.textItem.font().pointSizeF() == pytest.approx(before * 1.6)
    # the title grows too, less than the axes (a projector's short screen keeps the plot's height)
    assert before * 1.15 < hist.title_label.font().pointSizeF() < before * 1.6 * 1.15
    assert hist.font_scale() == 1.6


# ------------------------------------------------------------------ weekly
@pytest.fixture
def week_view(qtbot):
    v = WeeklyVolumeView()
    qtbot.addWidget(v)
    v.resize(900, 450)
    v.show()
    qtbot.waitExposed(v)
    return v


def test_weekly_bars_capacity_and_warning_brush(week_view):
    wk = weekly(capacity=300.0)
    f = wk.frame
    assert f["over_capacity"].any() and (~f["over_capacity"]).any()  # the data has both
    week_view.set_weekly(wk)
    np.testing.assert_array_equal(week_view.bar_heights(), f["mqls"].to_numpy(dtype=float))
    brushes = week_view.bar_brushes()
    assert len(brushes) == len(f)
    warning = pg_color(PALETTE["warning"])
    for b, over, partial in zip(brushes, f["over_capacity"], f["partial"]):
        assert b is week_view.brushes[(bool(over), bool(partial))]
        if over and not partial:
            assert b.color().name() == warning
        if not over:
            assert b.color().name() != warning
    # partial weeks are lighter than full ones
    assert f["partial"].any()
    full, light = week_view.brushes[(False, False)].color(), week_view.brushes[(False, True)].color()
    assert light.lightness() > full.lightness()
    assert week_view.capacity_line.value() == 300.0
    assert week_view.capacity_line.isVisible()
    assert week_view.legend.text("capacity") == "SDR capacity 300/week"
    assert week_view.message() is None
    assert week_view.view_box.state["mouseEnabled"] == [False, False]
    # tick labels are the week starts
    labels = week_view.week_axis.tickStrings([0.0, 1.0], 1.0, 1.0)
    ws = pd.Timestamp(f["week_start"].iloc[0])
    assert labels[0] == f"{ws:%b} {ws.day}"


def pg_color(hex_: str) -> str:
    from PySide6.QtGui import QColor

    return QColor(hex_).name()


def test_weekly_capacity_line_follows_capacity_and_no_dates_message(week_view):
    week_view.set_weekly(weekly(capacity=1000.0))
    assert week_view.capacity_line.value() == 1000.0
    assert not week_view.frame()["over_capacity"].any()
    week_view.set_weekly(weekly_volume(None, np.zeros(3, dtype=np.int8), 100))
    assert "created_at" in week_view.message()
    week_view.set_weekly(weekly(capacity=200.0))
    assert week_view.message() is None
    assert week_view.capacity_line.value() == 200.0


# ------------------------------------------------------------------ grade grid
GRID = pd.DataFrame([[120, 80, 40, 5], [300, 150, 60, 10], [900, 400, 100, 20], [5000, 800, 200, 30]],
                    index=list("ABCD"), columns=list("1234"))


@pytest.fixture
def grid(qtbot):
    v = GradeGridView()
    qtbot.addWidget(v)
    v.resize(480, 400)
    v.show()
    qtbot.waitExposed(v)
    return v


def test_grade_grid_shows_counts_and_conversion(grid):
    conv = GRID * 0 + 0.35
    conv.loc["A", "4"] = 0.4  # 2 of 5 leads: too few to show a rate
    grid.set_grid(GRID, conv, ["A1", "A2", "B1"])
    assert grid.cells()[:4] == ["A1", "A2", "A3", "A4"] and len(grid.cells()) == 16
    total = GRID.to_numpy().sum()
    assert grid.cell_lines("D1") == ["5,000", "35% conv."]
    assert grid.cell_lines("A4") == ["5", "n<20"]  # nobody reads 40% from 5 leads
    assert grid.cell_lines("D4") == ["30", "35% conv."]
    for f in GRID.index:
        for e in GRID.columns:
            assert grid.cell_lines(f"{f}{e}")[0] == f"{GRID.loc[f, e]:,}"
    tip = grid.cell_tooltip("A1").splitlines()
    assert tip[0] == "A1: 120 leads, 42 converted (35%), MQL cell"
    assert tip[1] == f"{100 * 120 / total:.1f}% of the graded leads"
    assert grid.cell_tooltip("D1").splitlines()[0] == "D1: 5,000 leads, 1,750 converted (35%)"
    assert "too few" in grid.cell_tooltip("A4") and "2 converted (40%)" in grid.cell_tooltip("A4")
    # small rates keep a decimal
    grid.set_grid(GRID, GRID * 0 + 0.025)
    assert grid.cell_lines("D1") == ["5,000", "2.5% conv."]
    # no outcomes: the share of graded leads instead
    grid.set_grid(GRID)
    assert grid.cell_lines("A1") == ["120", f"{100 * 120 / total:.1f}%"]
    assert "converted" not in grid.cell_tooltip("A1")


def test_grade_grid_lays_the_rate_below_beside_or_not_at_all(grid):
    grid.set_grid(GRID, GRID * 0 + 0.12)
    grid.resize(480, 400)  # tall cells: the rate under the count
    assert grid._geometry()["mode"] == "stacked"
    assert grid.shown_lines("D1") == ["5,000", "12% conv."]
    grid.resize(700, 150)  # wide and short (a 768 px high screen): beside it
    assert grid._geometry()["mode"] == "side"
    assert grid.shown_lines("D1") == ["5,000", "12% conv."]
    grid.resize(230, 120)  # tiny: the count only (the tooltip has the rate)
    assert grid._geometry()["mode"] == "count"
    assert grid.shown_lines("D1") == ["5,000"]
    for size in ((480, 400), (700, 150), (230, 120)):
        grid.resize(*size)
        assert distinct_colours(grid.grab().toImage()) > 5


def test_grade_grid_paints_from_its_cache(grid, qtbot, monkeypatch):
    """Cell texts and colours are computed once per set_grid, the layout once per size: not per paint."""
    calls = {"cells": 0, "geometry": 0}
    build, geometry = GradeGridView._build_cells, GradeGridView._geometry

    def counting_build(self):
        calls["cells"] += 1
        return build(self)

    def counting_geometry(self):
        if self._geo is None:
            calls["geometry"] += 1
        return geometry(self)

    monkeypatch.setattr(GradeGridView, "_build_cells", counting_build)
    monkeypatch.setattr(GradeGridView, "_geometry", counting_geometry)
    grid.set_grid(GRID, GRID * 0 + 0.1, ["A1"])
    for _ in range(20):
        grid.repaint()
    assert calls == {"cells": 1, "geometry": 1}
    grid.resize(500, 420)
    grid.repaint()
    assert calls == {"cells": 1, "geometry": 2}


def test_grade_grid_click_emits_cell(grid, qtbot):
    grid.set_grid(GRID, mql_cells=["A1"])
    for name in ("A1", "C3", "D4"):
        with qtbot.waitSignal(grid.cellClicked, timeout=1000) as blocker:
            qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(name).center().toPoint())
        assert blocker.args == [name]
    # keyboard: the clicked cell has focus; Right + Enter selects D4 -> stays at the edge
    grid.setFocus()
    with qtbot.waitSignal(grid.cellClicked, timeout=1000) as blocker:
        qtbot.keyClick(grid, Qt.Key.Key_Left)
        qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert blocker.args == ["D3"]


def test_grade_grid_without_grades(grid, qtbot):
    grid.set_grid(None)
    assert grid.message() == "No grades defined in this model"
    assert grid.cells() == []
    with qtbot.assertNotEmitted(grid.cellClicked):
        qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.rect().center())


def test_grade_grid_counts_fit_their_cells_at_large_fonts(grid):
    big = GRID * 1000
    grid.set_grid(big)
    grid.set_font_scale(1.6)
    grid.resize(360, 300)
    img = grid.grab().toImage()  # paints; the count font shrinks to the narrowest cell
    assert distinct_colours(img) > 5


# ------------------------------------------------------------------ summary strip
def test_summary_strip_counts_and_signed_deltas(qtbot):
    strip = SummaryStrip()
    qtbot.addWidget(strip)
    prev = make_summary(mqls=375, sqls=90)
    now = make_summary(mqls=412, sqls=85)
    strip.set_summary(now, prev)
    t = strip.tiles
    assert t["mqls"].text() == "MQLs 412 (+37)"
    assert t["sqls"].text() == "SQLs 85 (-5)"
    assert t["leads"].text() == "Leads 10,000"  # unchanged leads: no noise
    assert t["mqls"].value_label.text() == "412"
    assert t["mqls"].delta_label.text() == "(+37)"
    assert "4.1% of leads" in t["mqls"].detail_label.text()
    assert t["weekly"].delta_label.text() == "(±0)"
    assert "weeks over" in t["weekly"].detail_label.text()
    assert t["conversion"].isHidden()  # outcomes unknown
    assert "MQLs 412 (+37)" in strip.text()
    # negative in the warning colour, positive not
    assert t["sqls"].delta_colour() == PALETTE["warning"].lower()
    assert t["mqls"].delta_colour() == PALETTE["ok"].lower()
    # without a previous summary: no deltas
    strip.set_summary(now)
    assert t["mqls"].text() == "MQLs 412"
    strip.set_summary(None)
    assert t["mqls"].value_label.text() == "–"


def test_summary_strip_conversion_and_capacity(qtbot):
    strip = SummaryStrip()
    qtbot.addWidget(strip)
    conv = {"lead": 0.02, "MQL": 0.10, "SQL": 0.30}
    prev = make_summary(400, 100, capacity=1000.0, conversion={"lead": 0.02, "MQL": 0.10, "SQL": 0.20})
    now = make_summary(400, 100, capacity=1000.0, conversion=conv)
    strip.set_summary(now, prev)
    tile = strip.tiles["conversion"]
    assert not tile.isHidden()
    # (300 * 10 % + 100 * 30 %) / 400 = 15 %, before 12.5 %
    assert tile.value_label.text() == "15.0%"
    assert tile.delta_label.text() == "(+2.5 pp)"
    assert "others 2.0%" in tile.detail_label.text()
    # average over capacity: the value turns warning-coloured
    strip.set_summary(make_summary(400, 100, capacity=1.0))
    assert strip.tiles["weekly"].value_colour() == PALETTE["warning"].lower()
    strip.set_summary(make_summary(400, 100, capacity=1000.0))
    assert strip.tiles["weekly"].value_colour() == PALETTE["text"].lower()


def test_summary_strip_updates_set_no_style_sheets(qtbot, monkeypatch):
    """Colours change through palettes; a style sheet on every update would re-polish the labels."""
    from PySide6.QtWidgets import QLabel

    strip = SummaryStrip()
    qtbot.addWidget(strip)
    sheets = []
    monkeypatch.setattr(QLabel, "setStyleSheet", lambda self, text: sheets.append(text))
    palettes = []
    orig = QLabel.setPalette
    monkeypatch.setattr(QLabel, "setPalette", lambda self, pal: (palettes.append(self), orig(self, pal)))
    prev = make_summary(375, 90, capacity=1.0)
    for k in range(5):
        strip.set_summary(make_summary(412 + k, 85, capacity=1.0), prev)
    assert sheets == []
    n = len(palettes)
    strip.set_summary(make_summary(417, 85, capacity=1.0), prev)  # same colours as the last update
    assert len(palettes) == n
    assert all(not lab.styleSheet() for t in strip.tiles.values() for lab in (t.value_label, t.delta_label))


def test_format_delta():
    assert format_delta(37) == "+37"
    assert format_delta(-4) == "-4"
    assert format_delta(0) == "±0"
    assert format_delta(1234) == "+1,234"
    assert format_delta(0.44, 1, " pp") == "+0.4 pp"
    assert format_delta(-0.04, 1, " pp") == "±0 pp"


def test_summary_strip_font_scale_keeps_1366_width(qtbot):
    strip = SummaryStrip()
    qtbot.addWidget(strip)
    strip.set_summary(make_summary(412_345, 85_000, leads=1_200_000, conversion={"lead": 0.02, "MQL": 0.1, "SQL": 0.3}),
                      make_summary(400_000, 85_500, leads=1_200_000, conversion={"lead": 0.02, "MQL": 0.1, "SQL": 0.2}))
    strip.set_font_scale(1.6)
    assert strip.minimumSizeHint().width() <= 1366
    strip.resize(1366, strip.sizeHint().height())
    strip.show()
    qtbot.waitExposed(strip)
    assert strip.tiles["mqls"].delta_label.text() == "(+12,345)"


# ------------------------------------------------------------------ rendering
@pytest.mark.parametrize("scale", [1.0, 1.6])
def test_widgets_render_to_png(qtbot, tmp_path, scale):
    s, conv = scores()
    h = ScoreHistogramView()
    h.set_bounds(0, 100)
    h.set_scores(s, conv)
    h.set_thresholds(50, 80)
    w = WeeklyVolumeView()
    w.set_weekly(weekly())
    g = GradeGridView()
    g.set_grid(GRID, GRID * 0 + 0.1, ["A1"])
    st = SummaryStrip()
    st.set_summary(make_summary(412, 85), make_summary(375, 90))
    for name, widget, size in [("hist", h, (900, 420)), ("weekly", w, (900, 420)), ("grid", g, (420, 380)),
                               ("strip", st, (1366, 120))]:
        qtbot.addWidget(widget)
        widget.set_font_scale(scale)
        widget.resize(*size)
        widget.show()
        qtbot.waitExposed(widget)
        path = tmp_path / f"{name}_{scale}.png"
        assert widget.grab().save(str(path))
        img = QImage(str(path))
        assert img.width() >= size[0] * 0.9 and img.height() > 50
        assert distinct_colours(img) > 5, f"{name} rendered (nearly) one colour"
