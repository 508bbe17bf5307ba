"""The Health tab shows what `leaddesigner health` computes for the same model, data and outcome."""
from __future__ import annotations

import os
from pathlib import Path

from qt_settle import settle

from leaddesigner.core.analysis.health import health
from leaddesigner.core.edits import commands as C


def test_health_tab_follows_the_core_and_edits(window, qtbot, tmp_path):
    w = window
    w.set_outcome_column("converted")
    qtbot.waitUntil(lambda: w.doc.ready, timeout=30000)
    p = w.panels["health"]
    with qtbot.waitSignal(p.runner.finished, timeout=60000):
        w.view_tabs.setCurrentWidget(p)
    d = w.doc
    ref = health(d.scorer, d.outcome, converted_at=d.outcome_read.at)
    assert p.table.rowCount() == len(ref.periods)
    for r, per in enumerate(ref.periods):
        assert p.table.item(r, 0).text() == per.period and p.table.item(r, 1).text() == f"{per.leads:,}"
        assert p.table.item(r, 4).text() == f"{per.psi:.3f}"
    for flag in ref.flags:
        assert flag.replace("'", "&#x27;") in p.notes.text() or flag in p.notes.text()
    # an edit while the tab is shown recomputes (once for a burst)
    mql = d.model.thresholds.mql
    with qtbot.waitSignal(p.runner.finished, timeout=60000):
        for v in (mql + 5, mql + 10, mql + 20):
            d.push(C.SetThreshold("mql", v), mergeable=False)
    assert p.result.periods[0].mqls == health(d.scorer, d.outcome).periods[0].mqls
    with qtbot.waitSignal(p.runner.finished, timeout=60000):
        p.period.setCurrentIndex(p.period.findData("quarter"))
    assert p.table.item(0, 0).text().startswith("2026Q")
    settle(w, p)
    out = Path(os.environ.get("LEADDESIGNER_SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    assert w.grab().save(str(out / "health_1366x768.png"))
