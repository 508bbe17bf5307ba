"""The Workshop tab: deal cards, vote with the keys, reveal, agreement, suggested changes as one undo step,
scenarios, the presenter. Set ``LEADDESIGNER_SHOTS=/some/folder`` to keep the rendered PNGs."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from qt_settle import settle

from leaddesigner.core.edits import commands as C
from leaddesigner.core.workshop.votes import VOTES, read_votes


@pytest.fixture
def ws(qtbot, dataset, model_path, tmp_path):
    """The window on a copy of the sample model (votes are written beside it), leads loaded, Workshop tab shown."""
    from leaddesigner.gui.recovery import RecoveryStore
    from leaddesigner.gui.window.main_window import MainWindow

    model = tmp_path / "lead_model.yaml"
    shutil.copy(model_path, model)
    w = MainWindow(interactive=False, settings_enabled=True, recovery=RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    assert w.open_model(model, ask=False)
    w.load_data(*dataset)
    qtbot.waitUntil(lambda: w.doc.has_data and w.doc.ready and w.doc.summary is not None, timeout=30000)
    panel = w.panels["workshop"]
    w.view_tabs.setCurrentWidget(panel)
    yield w, panel
    panel.shutdown()
    w.doc.wait_for_workers(10000)


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LEADDESIGNER_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_cards_keys_votes_and_reveal(ws, qtbot, tmp_path):
    w, panel = ws
    deck = panel.deal()
    assert deck is not None and len(deck.cards) == 12
    first = panel.current()
    text = panel.card_view.text()
    assert first.story.headline.split(" at ")[0] in text.replace("&amp;", "&") and f"lead {first.lead_id}" in text
    assert "score" not in text.lower().replace("intent score", "") and "MQL" not in text
    panel.card_view.setFocus()
    QTest.keyClick(panel.card_view, Qt.Key.Key_1)  # reach out now, then the next card
    QTest.keyClick(panel.card_view, Qt.Key.Key_3)
    assert panel.index == 2
    QTest.keyClick(panel.card_view, Qt.Key.Key_Left)
    assert panel.index == 1
    QTest.keyClick(panel.card_view, Qt.Key.Key_R)
    assert panel.revealed and "The model:" in panel.card_view.text() and "score" in panel.card_view.text()
    QTest.keyClick(panel.card_view, Qt.Key.Key_Right)
    assert not panel.revealed  # a new card starts hidden
    saved = read_votes(w.doc.path.with_name("lead_model.votes.csv"))
    assert [(v.lead_id, v.voter, v.vote) for v in saved] == [(deck.cards[0].lead_id, "room", VOTES[0]),
                                                            (deck.cards[1].lead_id, "room", VOTES[2])]
    settle(w, panel)
    assert panel.grab().save(str(_shots(tmp_path) / "workshop_card_1366x768.png"))


def test_agreement_suggestion_applies_as_one_undo_step(ws, qtbot):
    w, panel = ws
    deck = panel.deal()
    panel.voter.setText("Ana")
    panel.role.setCurrentText("sales")
    t = w.doc.model.thresholds.mql
    # the room calls what the model calls, and the near-the-line leads just under the line
    for k, c in enumerate(deck.cards):
        panel.index = k
        panel.vote(VOTES[0] if c.model_says_call or (c.stratum == "near the line" and c.score >= t - deck.band) else VOTES[1])
    ag = panel.agreement
    assert ag is not None and ag.decided == 12 and panel.table.rowCount() == 12
    assert "Agreement:" in panel.summary_label.text()
    before = ag.share
    if not ag.disagreements():
        pytest.skip("the room agreed with the model on this deck")
    with qtbot.waitSignal(panel.runner.finished, timeout=30000):
        panel.suggest()
    s = panel.suggestion
    if not s.changes:
        assert "No change" in panel.suggest_label.text()
        return
    assert panel.apply_button.isEnabled()
    n = w.doc.undo_stack.count()
    old_model = w.doc.model.copy()
    assert panel.apply_suggestion()
    assert w.doc.undo_stack.count() == n + 1
    qtbot.waitUntil(lambda: w.doc.ready, timeout=30000)
    settle(w, panel)
    assert panel.agreement.share > before
    assert panel.agreement.share == pytest.approx(s.agree_after / s.decided)
    w.doc.undo_stack.undo()
    qtbot.waitUntil(lambda: w.doc.ready, timeout=30000)
    assert [r.points for r in w.doc.model.rules] == [r.points for r in old_model.rules]


def test_scenarios_switch_with_alt_keys_and_undo(ws, qtbot, tmp_path):
    w, panel = ws
    mql = w.doc.model.thresholds.mql
    panel.keep_scenario("Marketing proposal")
    w.doc.push(C.SetThreshold("mql", mql + 15), mergeable=False)
    panel.keep_scenario("Sales proposal")
    assert panel.scenario_list.count() == 2 and panel.scenario_list.item(0).text().startswith("Alt+1")
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert w.doc.model.thresholds.mql == mql
    qtbot.waitUntil(lambda: w.doc.ready, timeout=30000)
    assert w.doc.summary is not None  # the plots and the strip follow the switch
    assert panel.switch_scenario(1) and w.doc.model.thresholds.mql == mql + 15
    w.doc.undo_stack.undo()
    assert w.doc.model.thresholds.mql == mql
    panel.pages.setCurrentIndex(2)
    settle(w, panel)
    assert panel.grab().save(str(_shots(tmp_path) / "workshop_scenarios_1366x768.png"))


def test_present_full_screen_and_vote_from_the_presenter(ws, qtbot, tmp_path):
    w, panel = ws
    panel.deal()
    p = panel.present()
    qtbot.waitUntil(p.isVisible, timeout=5000)
    assert panel.current().lead_id in p.card_view.text()
    QTest.keyClick(p, Qt.Key.Key_2)
    assert panel.votes.get(panel.deck.cards[0].lead_id, "room").vote == VOTES[1] and panel.index == 1
    out = _shots(tmp_path)
    for size in ((1920, 1080), (1366, 768)):
        p.showNormal()
        p.resize(*size)
        settle(p)
        assert p.grab().save(str(out / f"workshop_presenter_{size[0]}x{size[1]}.png"))
    QTest.keyClick(p, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: panel.presenter is None, timeout=5000)


def test_votes_from_the_deck_files_are_added(ws, qtbot, tmp_path):
    w, panel = ws
    deck = panel.deal()
    f = tmp_path / "zoe.votes.csv"
    f.write_text("lead_id,voter,vote,role\n" + "".join(f"{c.lead_id},Zoë,reach out now,marketing\n" for c in deck.cards))
    assert panel.add_votes_file(f)
    assert len(panel.votes) == 12 and panel.agreement.voters == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("lead_id,voter,vote\nL1,Ana,perhaps\n")
    errors = []
    w.error_dialog = lambda title, text, details=None: errors.append(text)
    assert not panel.add_votes_file(bad)
    assert "line 2, column vote" in errors[0] and len(panel.votes) == 12
    panel.pages.setCurrentIndex(1)
    settle(w, panel)
    assert panel.grab().save(str(_shots(tmp_path) / "workshop_agreement_1366x768.png"))


def test_no_two_actions_share_a_shortcut(ws):
    """F5 was both Reload and Present: Qt then runs neither ("Ambiguous shortcut overload")."""
    from PySide6.QtGui import QAction

    w, _ = ws
    seen: dict[str, str] = {}
    for a in w.findChildren(QAction):
        for key in a.shortcuts():
            k = key.toString()
            assert k not in seen, f"{k}: {seen[k]!r} and {a.text()!r}"
            seen[k] = a.text()
    assert seen["F11"] == "&Present the cards" and seen["F5"] == "&Reload data"


def test_a_hidden_workshop_tab_catches_up_when_shown(ws, qtbot):
    """Edits while another tab is in front do not rebuild the cards (at a million leads that is 0.2 s a time);
    the verdicts follow when the tab is shown, the stories stay."""
    w, panel = ws
    deck = panel.deal()
    stories = [c.story for c in deck.cards]
    w.view_tabs.setCurrentIndex(0)
    assert not panel.isVisible()
    w.doc.push(C.SetThreshold("mql", 1), mergeable=False)
    qtbot.waitUntil(lambda: w.doc.ready, timeout=30000)
    assert panel._stale and not all(c.model_says_call for c in panel.deck.cards)
    w.view_tabs.setCurrentWidget(panel)
    settle(w, panel)
    res = w.doc.scorer.result
    assert not panel._stale
    assert [c.status for c in panel.deck.cards] == [("lead", "MQL", "SQL")[int(res.status[c.row])] for c in panel.deck.cards]
    assert [c.story for c in panel.deck.cards] == stories
