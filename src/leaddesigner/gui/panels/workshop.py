"""The Workshop tab: "would you call this lead?" cards, the room's votes, agreement, and scenarios.

An adapter over :mod:`leaddesigner.core.workshop` (the figures ``leaddesigner
workshop agreement`` prints). The facilitator deals a deck from the loaded
leads, the room answers each card (keys 1/2/3, full screen with F11), the
model's verdict is revealed after the vote; the Agreement page compares the
model with the room and suggests the smallest point changes that agree with it
(applied as one undo step). Votes are saved beside the model
(``<model>.votes.csv``) as they are cast. Scenarios keep named versions of the
model for this session ("Marketing proposal", "Sales proposal"); Alt+1..9
switches to one (an undoable edit), so the plots and the summary strip show
the difference at once.
"""
from __future__ import annotations

import copy
import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.edits import commands as C
from leaddesigner.core.model.types import to_dict
from leaddesigner.core.workshop.agreement import Agreement, agreement
from leaddesigner.core.workshop.cards import (
    MAX_CARDS,
    MIN_CARDS,
    Card,
    Deck,
    cards_for,
    deal,
    refresh_verdicts,
    swap_card,
)
from leaddesigner.core.workshop.suggest import suggest_with_impact
from leaddesigner.core.workshop.votes import ROLES, VOTES, Vote, VoteError, Votes, read_votes, votes_path, write_votes
from leaddesigner.gui.panels.workshop_views import CardView, PresenterWindow, VoteBar
from leaddesigner.gui.tasks import TaskRunner

__all__ = ["WorkshopPanel", "install"]

VOTES_FILTER = "Votes (*.csv);;All files (*)"


class WorkshopPanel(QWidget):
    """Cards, votes, agreement and scenarios over the window's document."""

    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = document
        self.window_ = None
        self.deck: Deck | None = None
        self._deck_leads = 0
        self._stale = False
        self.index = 0
        self.revealed = False
        self.votes = Votes()
        self.votes_file: Path | None = None
        self.agreement: Agreement | None = None
        self.suggestion = None
        self.scenarios: list[tuple[str, dict]] = []
        self.presenter: PresenterWindow | None = None
        self.runner = TaskRunner("LeadDesignerWorkshop", self)
        self.runner.finished.connect(self._on_suggestion)
        self.runner.failed.connect(lambda m: self.suggest_label.setText(f"No suggestion: {html.escape(m)}"))

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        top.addWidget(QLabel("Cards", self))
        self.n_cards = QSpinBox(self)
        self.n_cards.setRange(MIN_CARDS, MAX_CARDS)
        self.n_cards.setValue(12)
        top.addWidget(self.n_cards)
        top.addWidget(QLabel("Seed", self))
        self.seed = QSpinBox(self)
        self.seed.setRange(0, 9999)
        self.seed.setToolTip("The same seed deals the same leads")
        top.addWidget(self.seed)
        self.deal_button = QPushButton("Deal cards", self)
        self.deal_button.setToolTip("Pick example leads: a fifth clear MQLs, a fifth clearly not, the rest near the MQL line")
        self.deal_button.clicked.connect(self.deal)
        top.addWidget(self.deal_button)
        self.swap_button = QPushButton("Swap this card", self)
        self.swap_button.setToolTip("Another lead of the same kind instead of this one")
        self.swap_button.clicked.connect(self.swap)
        top.addWidget(self.swap_button)
        top.addStretch(1)
        lay.addLayout(top)
        top = QHBoxLayout()
        top.addWidget(QLabel("Voter", self))
        self.voter = QLineEdit(self)
        self.voter.setPlaceholderText("name (empty: the room)")
        self.voter.setMaximumWidth(180)
        top.addWidget(self.voter)
        self.role = QComboBox(self)
        self.role.addItems(["", *ROLES, "other"])
        self.role.setToolTip("The voter's role: agreement compares sales with marketing")
        top.addWidget(self.role)
        top.addStretch(1)
        self.present_button = QPushButton("Present full screen (F11)", self)
        self.present_button.setToolTip("The card full screen for the projector: 1/2/3 answer, arrows move, R reveals, Esc ends")
        self.present_button.clicked.connect(self.present)
        top.addWidget(self.present_button)
        lay.addLayout(top)

        self.pages = QTabWidget(self)
        lay.addWidget(self.pages, 1)
        cards_page = QWidget(self)
        cl = QVBoxLayout(cards_page)
        cl.setContentsMargins(0, 0, 0, 0)
        self.card_view = CardView(cards_page)
        self.bar = VoteBar(cards_page)
        self.bar.voted.connect(self.vote)
        self.bar.moved.connect(self.move)
        self.bar.revealToggled.connect(self.set_revealed)
        self.status_label = QLabel(cards_page)
        cl.addWidget(self.card_view, 1)
        cl.addWidget(self.bar)
        cl.addWidget(self.status_label)
        self.pages.addTab(cards_page, "Cards")

        ag_page = QWidget(self)
        al = QVBoxLayout(ag_page)
        self.summary_label = QLabel(ag_page)
        self.summary_label.setWordWrap(True)
        al.addWidget(self.summary_label)
        self.table = QTableWidget(0, 7, ag_page)
        self.table.setHorizontalHeaderLabels(["Lead", "Reach out", "Not yet", "Never", "Room", "Model", "Why they differ"])
        self.table.setWordWrap(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for col in range(6):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.cellDoubleClicked.connect(self._on_table_double_clicked)
        al.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.suggest_button = QPushButton("Suggest changes", ag_page)
        self.suggest_button.setToolTip("The smallest point changes (whole numbers, up to 3 rules) that make the model agree "
                                       "with the room on more cards, with what they do to MQLs per week")
        self.suggest_button.clicked.connect(self.suggest)
        row.addWidget(self.suggest_button)
        self.apply_button = QPushButton("Apply the changes", ag_page)
        self.apply_button.setEnabled(False)
        self.apply_button.setToolTip("One undo step (Ctrl+Z takes it back)")
        self.apply_button.clicked.connect(self.apply_suggestion)
        row.addWidget(self.apply_button)
        row.addStretch(1)
        self.open_votes_button = QPushButton("Add votes\u2026", ag_page)
        self.open_votes_button.setToolTip("Answers sent back from the HTML deck (leaddesigner workshop deck), or another meeting's votes")
        self.open_votes_button.clicked.connect(lambda: self.add_votes_file())
        row.addWidget(self.open_votes_button)
        self.save_votes_button = QPushButton("Save votes as\u2026", ag_page)
        self.save_votes_button.setToolTip("A CSV: lead_id, voter, vote, role")
        self.save_votes_button.clicked.connect(lambda: self.save_votes_as())
        row.addWidget(self.save_votes_button)
        al.addLayout(row)
        self.suggest_label = QLabel(ag_page)
        self.suggest_label.setWordWrap(True)
        self.suggest_label.setTextFormat(Qt.TextFormat.RichText)
        al.addWidget(self.suggest_label)
        self.pages.addTab(ag_page, "Agreement")

        sc_page = QWidget(self)
        sl = QVBoxLayout(sc_page)
        sl.addWidget(QLabel("Named versions of the model for this session. Alt+1 \u2026 Alt+9 switches (Ctrl+Z goes back).", sc_page))
        self.scenario_list = QListWidget(sc_page)
        self.scenario_list.itemActivated.connect(lambda it: self.switch_scenario(self.scenario_list.row(it)))
        sl.addWidget(self.scenario_list, 1)
        srow = QHBoxLayout()
        self.keep_button = QPushButton("Keep the current model as\u2026", sc_page)
        self.keep_button.clicked.connect(lambda: self.keep_scenario())
        srow.addWidget(self.keep_button)
        self.switch_button = QPushButton("Switch to", sc_page)
        self.switch_button.clicked.connect(lambda: self.switch_scenario(self.scenario_list.currentRow()))
        srow.addWidget(self.switch_button)
        srow.addStretch(1)
        sl.addLayout(srow)
        self.pages.addTab(sc_page, "Scenarios")

        for key, slot in (("1", lambda: self.vote(VOTES[0])), ("2", lambda: self.vote(VOTES[1])),
                          ("3", lambda: self.vote(VOTES[2])), ("Right", lambda: self.move(1)),
                          ("Left", lambda: self.move(-1)), ("R", lambda: self.set_revealed(not self.revealed))):
            sh = QShortcut(QKeySequence(key), cards_page, activated=slot)
            sh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        document.scoresChanged.connect(self._on_document_scores_changed)
        document.dataReset.connect(self._on_document_data_reset)
        document.pathChanged.connect(self._on_document_path_changed)
        self._on_document_path_changed()
        self._show()

    # ------------------------------------------------------------------ deck
    def deal(self) -> Deck | None:
        sc = self.doc.scorer
        if sc is None:
            self._show(note="Load leads first (Data > Load leads): the cards are leads from your file.")
            return None
        self.deck = deal(sc, self.n_cards.value(), seed=self.seed.value())
        self._deck_leads = len(sc.data)
        self.index, self.revealed = 0, False
        self.bar.reveal_button.setChecked(False)
        self._refresh_agreement()
        self._show()
        return self.deck

    def swap(self) -> None:
        if self.deck is None or self.doc.scorer is None:
            return
        try:
            swap_card(self.doc.scorer, self.deck, self.index, seed=self.seed.value())
        except ValueError as e:
            self._status(str(e))
            return
        self.set_revealed(False)
        self._show()

    def current(self) -> Card | None:
        return self.deck.cards[self.index] if self.deck is not None and self.deck.cards else None

    def move(self, step: int) -> None:
        if self.deck is None:
            return
        self.index = max(0, min(len(self.deck.cards) - 1, self.index + step))
        self.set_revealed(False)
        self._show()

    def set_revealed(self, on: bool) -> None:
        self.revealed = bool(on)
        for bar in self._bars():
            if bar.reveal_button.isChecked() != self.revealed:
                bar.reveal_button.blockSignals(True)
                bar.reveal_button.setChecked(self.revealed)
                bar.reveal_button.blockSignals(False)
        self._show()

    # ------------------------------------------------------------------ votes
    def voter_name(self) -> str:
        return self.voter.text().strip() or "room"

    def vote(self, answer: str) -> None:
        """The current voter's answer on the current card, saved at once; then the next card."""
        c = self.current()
        if c is None:
            return
        self.votes.cast(Vote(c.lead_id, self.voter_name(), answer, self.role.currentText()))
        self._save_votes()
        self._refresh_agreement()
        if self.index < len(self.deck.cards) - 1:
            self.move(1)
        else:
            self._show()

    def _save_votes(self) -> None:
        if self.votes_file is None:
            return
        try:
            write_votes(self.votes_file, self.votes)
        except OSError as e:
            self._status(f"Votes not saved to {self.votes_file.name}: {e.strerror or e}. Save them with 'Save votes as'.")

    def add_votes_file(self, path: str | Path | None = None) -> bool:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Add votes", str(self.votes_file.parent if self.votes_file else Path.home()),
                                                  VOTES_FILTER)
            if not path:
                return False
        try:
            more = read_votes(path)
        except VoteError as e:
            self._error("Cannot read the votes", str(e))
            return False
        for v in more:
            self.votes.cast(v)
        self._save_votes()
        self._refresh_agreement()
        self._show()
        self._status(f"Added {len(more):,} votes from {Path(path).name}")
        return True

    def save_votes_as(self, path: str | Path | None = None) -> Path | None:
        if path is None:
            start = str(self.votes_file or Path.home() / "workshop.votes.csv")
            path, _ = QFileDialog.getSaveFileName(self, "Save votes", start, VOTES_FILTER)
            if not path:
                return None
        try:
            p = write_votes(path, self.votes)
        except OSError as e:
            self._error("Cannot save the votes", f"{path}: {e.strerror or e}")
            return None
        self.votes_file = p
        self._status(f"Votes saved to {p.name}; new votes go there as they are cast")
        return p

    # ------------------------------------------------------------------ agreement
    def _cards_voted(self) -> list[Card]:
        """The deck's cards with votes, then the other voted leads this data has (votes from other meetings)."""
        sc = self.doc.scorer
        if sc is None:
            return []
        deck_ids = self.deck.ids() if self.deck is not None else []
        voted = set(v.lead_id for v in self.votes)
        others = [i for i in dict.fromkeys(v.lead_id for v in self.votes) if i not in deck_ids]
        if others:
            known = set(map(str, sc.data.ids))
            others = [i for i in others if i in known]
        ids = [i for i in deck_ids if i in voted] + others
        return cards_for(sc, ids) if ids else []

    def _refresh_agreement(self) -> None:
        sc = self.doc.scorer
        cards = self._cards_voted()
        if sc is not None and getattr(self, "_reasons_of", None) is not sc.result:
            self._reasons, self._reasons_of = {}, sc.result  # the reasons hold while the scores do
        self.agreement = agreement(sc, cards, self.votes, reasons=self._reasons) if sc is not None and cards else None
        self.suggestion = None
        self.apply_button.setEnabled(False)
        self._show_agreement()

    def _show_agreement(self) -> None:
        ag = self.agreement
        self.table.setRowCount(0)
        if ag is None:
            self.summary_label.setText("No votes yet: answer the cards (Cards page), or add votes from a file.")
            self.suggest_button.setEnabled(False)
            return
        lines = ag.lines()
        self.summary_label.setText("<br>".join(html.escape(x, quote=False) for x in lines if x.startswith(("Agreement", "Sales against"))))
        self.table.setRowCount(len(ag.cards))
        for r, cv in enumerate(ag.cards):
            room = "split" if cv.room is None else ("reach out" if cv.room else "not now")
            model = "reach out" if cv.model else "not now"
            cells = [cv.card.lead_id, *(str(cv.counts[v]) for v in VOTES), room, model, "; ".join(cv.reasons)]
            for col, text in enumerate(cells):
                it = QTableWidgetItem(text)
                if col in (1, 2, 3):
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if cv.agrees is False:
                    it.setForeground(Qt.GlobalColor.darkRed)
                if col == 6 and text:
                    it.setToolTip(text)
                self.table.setItem(r, col, it)
        self.table.resizeRowsToContents()
        self.suggest_button.setEnabled(bool(ag.disagreements()) and not self.runner.busy)

    def _on_table_double_clicked(self, row: int, _col: int) -> None:
        """Show that lead's card (and its verdict) on the Cards page."""
        if self.agreement is None or self.deck is None:
            return
        lead = self.agreement.cards[row].card.lead_id
        if lead in self.deck.ids():
            self.index = self.deck.ids().index(lead)
            self.pages.setCurrentIndex(0)
            self.set_revealed(True)

    def suggest(self) -> None:
        d = self.doc
        if self.agreement is None or d.scorer is None:
            return
        self.suggest_button.setEnabled(False)
        self.suggest_label.setText("Trying point changes on the cards \u2026")
        self.runner.run(suggest_with_impact, d.model.copy(), d.data, self.agreement,
                        None if d.outcome is None else d.outcome.copy())

    def _on_suggestion(self, result) -> None:
        s, imp = result
        self.suggestion = s
        text = "<br>".join(html.escape(x, quote=False) for x in s.lines())
        if imp is not None:
            text += "<br>" + "<br>".join(html.escape(x, quote=False) for x in imp.lines())
        self.suggest_label.setText(text)
        self.apply_button.setEnabled(bool(s.changes))
        self.suggest_button.setEnabled(True)

    def apply_suggestion(self) -> bool:
        s = self.suggestion
        cmd = s.command() if s is not None else None
        if cmd is None:
            return False
        ok = self.doc.push(cmd, mergeable=False)
        if ok:
            self._status(f"Applied {len(s.changes)} point change(s): {s.agree_before} \u2192 {s.agree_after} of "
                         f"{s.decided} cards agree (Ctrl+Z to undo)")
        self.apply_button.setEnabled(False)
        return ok

    # ------------------------------------------------------------------ scenarios
    def keep_scenario(self, name: str | None = None) -> str | None:
        if name is None:
            name, ok = QInputDialog.getText(self, "Keep the model as a scenario", "Name (e.g. Marketing proposal):")
            if not ok or not name.strip():
                return None
        name = name.strip()
        data = to_dict(self.doc.model)
        self.scenarios = [(n, d) for n, d in self.scenarios if n != name] + [(name, data)]
        self._show_scenarios()
        self._status(f"Kept '{name}' (Alt+{len(self.scenarios)} switches to it)" if len(self.scenarios) <= 9 else f"Kept '{name}'")
        return name

    def switch_scenario(self, i: int) -> bool:
        if not 0 <= i < len(self.scenarios):
            return False
        name, data = self.scenarios[i]
        ok = self.doc.push(C.ReplaceModel(copy.deepcopy(data), f"Switch to scenario '{name}'"), mergeable=False)
        if ok:
            self._status(f"Scenario '{name}' (Ctrl+Z goes back)")
        return ok

    def _show_scenarios(self) -> None:
        self.scenario_list.clear()
        for k, (name, data) in enumerate(self.scenarios, 1):
            rules = len(data.get("rules", []))
            mql = data.get("thresholds", {}).get("mql")
            self.scenario_list.addItem(f"{'Alt+' + str(k) if k <= 9 else '     '}   {name}   ({rules} rules, MQL at {mql:g})"
                                       if isinstance(mql, (int, float)) else f"Alt+{k}   {name}")

    # ------------------------------------------------------------------ presenting
    def present(self) -> PresenterWindow:
        if self.deck is None:
            self.deal()
        if self.presenter is None:
            self.presenter = PresenterWindow(self, parent=self.window())
            self.presenter.closed.connect(self._on_presenter_closed)
        self._show()
        screen = self.window().screen()
        if screen is not None:  # the main window's screen (the projector, when the window is there)
            self.presenter.setGeometry(screen.geometry())
        self.presenter.showFullScreen()
        self.presenter.activateWindow()
        return self.presenter

    def _on_presenter_closed(self) -> None:
        self.presenter = None

    # ------------------------------------------------------------------ document
    def _on_document_scores_changed(self) -> None:
        """An edit moved scores: the cards' verdicts follow (their stories do not change); hidden: when shown."""
        if not self.isVisible() and self.presenter is None:
            self._stale = True
            return
        self._stale = False
        sc = self.doc.scorer
        if self.deck is not None and sc is not None:
            if len(sc.data) != self._deck_leads:  # other data: the rows mean other leads, deal again when asked
                self.deck = None
            else:
                self.deck.cards = refresh_verdicts(sc, self.deck.cards)
        self._refresh_agreement()
        self._show()

    def showEvent(self, ev) -> None:  # noqa: N802 (Qt API)
        super().showEvent(ev)
        if getattr(self, "_stale", False):
            self._on_document_scores_changed()

    def _on_document_data_reset(self) -> None:
        self.deck = None  # other leads: the old cards may not exist; votes stay (they name leads by id)
        self._stale = True
        self._on_document_scores_changed()

    def _on_document_path_changed(self) -> None:
        p = self.doc.path
        self.votes_file = votes_path(p) if p is not None else None
        if self.votes_file is not None and self.votes_file.exists():
            try:
                for v in read_votes(self.votes_file):
                    self.votes.cast(v)
            except VoteError as e:
                self._status(str(e))
        self._refresh_agreement()

    # ------------------------------------------------------------------ display
    def _show(self, note: str = "") -> None:
        c = self.current()
        n_total = len(self.votes)
        if c is None:
            msg = note or ("Deal cards to start: example leads from your file, most of them near the MQL line."
                           if self.doc.scorer is not None else "Load leads first: the cards are leads from your file.")
            for view in self._views():
                view.show_card(None, note=msg)
            self.status_label.setText(f"{n_total:,} votes" if n_total else "")
            return
        mine = self.votes.get(c.lead_id, self.voter_name())
        counts = {v: sum(1 for x in self.votes.of(c.lead_id) if x.vote == v) for v in VOTES}
        reasons = []
        if self.revealed and self.agreement is not None:
            cv = next((x for x in self.agreement.cards if x.card.lead_id == c.lead_id), None)
            reasons = cv.reasons if cv is not None else []
        pos = f"Card {self.index + 1} of {len(self.deck.cards)}"
        for view in self._views():
            view.show_card(c, position=pos, revealed=self.revealed, mine=mine.vote if mine else None,
                           counts=counts, reasons=reasons)
        for bar in self._bars():
            bar.show_vote(mine.vote if mine else None)
        where = f" \u00b7 saved to {self.votes_file.name}" if self.votes_file is not None else " \u00b7 not saved yet (Agreement: Save votes as)"
        self.status_label.setText(f"{pos} \u00b7 {sum(counts.values())} answer{'' if sum(counts.values()) == 1 else 's'} on this card \u00b7 {n_total:,} in all{where}")

    def _views(self) -> list[CardView]:
        return [self.card_view, *([self.presenter.card_view] if self.presenter is not None else [])]

    def _bars(self) -> list[VoteBar]:
        return [self.bar, *([self.presenter.bar] if self.presenter is not None else [])]

    def _status(self, text: str) -> None:
        w = self.window_
        if w is not None and hasattr(w, "status"):
            w.status(text)
        else:
            self.status_label.setText(text)

    def _error(self, title: str, text: str) -> None:
        w = self.window_
        if w is not None and hasattr(w, "error_dialog"):
            w.error_dialog(title, text)
        else:
            self.status_label.setText(f"{title}: {text}")

    def shutdown(self) -> None:
        self.runner.cancel(quiet=True)
        if self.presenter is not None:
            self.presenter.close()


def install(window) -> WorkshopPanel:
    """Add the Workshop tab to ``window.view_tabs``, with F11 (present) and Alt+1..9 (scenarios)."""
    panel = WorkshopPanel(window.doc, window.view_tabs)
    panel.window_ = window
    i = window.view_tabs.addTab(panel, "Workshop")
    window.view_tabs.setTabToolTip(i, "Would you call this lead? Example leads for the room, votes, agreement, scenarios")
    act = QAction("&Workshop cards", window)
    act.setShortcut("Ctrl+Shift+W")
    act.setToolTip("Example leads for sales and marketing to vote on; does the model agree with the room?")
    act.triggered.connect(lambda: window.view_tabs.setCurrentWidget(panel))
    window.analysis_menu.addAction(act)
    present = QAction("&Present the cards", window)
    present.setShortcut("F11")
    present.triggered.connect(panel.present)
    window.analysis_menu.addAction(present)
    window.addAction(present)
    for k in range(1, 10):
        a = QAction(f"Scenario {k}", window)
        a.setShortcut(f"Alt+{k}")
        a.triggered.connect(lambda _=False, k=k: panel.switch_scenario(k - 1))
        window.addAction(a)
    window.act_workshop = act
    window.panels["workshop"] = panel
    return panel
