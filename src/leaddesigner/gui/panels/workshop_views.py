"""What the Workshop tab shows: one card (big enough for the back of a room), and the full-screen presenter.

:class:`CardView` renders a :class:`~leaddesigner.core.workshop.cards.Card`: the
story in large type, the lead id in small print, and, once revealed, the
model's verdict. :class:`PresenterWindow` is the same card full screen with the
vote keys, for the projector.
"""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from leaddesigner.core.workshop.cards import Card
from leaddesigner.core.workshop.votes import VOTES
from leaddesigner.gui.plotting.base import PALETTE

__all__ = ["VOTE_COLORS", "CardView", "PresenterWindow", "VoteBar"]

#: a colour per answer: green (call), amber (not yet), grey (never)
VOTE_COLORS = {VOTES[0]: "#1E8449", VOTES[1]: "#B9770E", VOTES[2]: "#5D6D7E"}


class CardView(QScrollArea):
    """One card: headline, facts, what the lead did; the verdict only when revealed."""

    def __init__(self, parent: QWidget | None = None, *, scale: float = 1.0):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._scale = scale
        self.body = QLabel(self)
        self.body.setObjectName("CardBody")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setContentsMargins(24, 18, 24, 18)
        self.setWidget(self.body)
        self.card: Card | None = None
        self._args: tuple = ()
        self.setStyleSheet("CardView, QLabel#CardBody { background: white; }")

    def set_scale(self, scale: float) -> None:
        self._scale = scale
        self._render()

    def show_card(self, card: Card | None, *, position: str = "", revealed: bool = False, mine: str | None = None,
                  counts: dict[str, int] | None = None, reasons: list[str] | None = None, note: str = "") -> None:
        self.card = card
        self._args = (position, revealed, mine, counts or {}, reasons or [], note)
        self._render()

    def text(self) -> str:
        """The card as plain text (tests: no score unless revealed)."""
        return self.body.text()

    def _px(self, factor: float) -> int:
        base = QFont(self.font()).pointSizeF()
        base = base if base > 0 else 10.0
        return round(base * 96 / 72 * factor * self._scale)

    def _render(self) -> None:
        c = self.card
        if c is None:
            note = self._args[5] if self._args else ""
            self.body.setText(f"<p style='font-size:{self._px(1.4)}px; color:#5D6D7E'>{escape(note or 'No cards yet.')}</p>")
            return
        position, revealed, mine, counts, reasons, _note = self._args
        s = c.story
        verdict_html: list[str] = []
        if revealed:  # on top: the room sees it without scrolling
            verdict = "reach out now" if c.model_says_call else "not now"
            colour = PALETTE["ok"] if c.model_says_call else "#5D6D7E"
            grade = f", grade {escape(c.grade)}" if c.grade else ""
            verdict_html.append(
                f"<div style='font-size:{self._px(1.4)}px; margin:6px 0; padding:8px; background:#F4F6F7'>"
                f"The model: <b style='color:{colour}'>{verdict}</b> \u2013 score {c.score:.0f} ({escape(c.status)}{grade}; "
                f"{escape(c.stratum)})</div>")
            if reasons:
                verdict_html.append(f"<ul style='font-size:{self._px(1.1)}px'>"
                                    + "".join(f"<li>{escape(r)}</li>" for r in reasons) + "</ul>")
        h = [f"<div style='font-size:{self._px(0.95)}px; color:#7F8C8D'>{escape(position)}</div>", *verdict_html,
             f"<div style='font-size:{self._px(2.0)}px; font-weight:600; margin:6px 0 4px 0'>{escape(s.headline)}</div>"]
        if s.origin:
            h.append(f"<div style='font-size:{self._px(1.3)}px; color:#34495E; margin-bottom:10px'>{escape(s.origin)}</div>")
        if s.facts:
            rows = "".join(f"<tr><td style='color:#5D6D7E; padding-right:18px'>{escape(k)}</td><td>{escape(v)}</td></tr>"
                           for k, v in s.facts)
            h.append(f"<table style='font-size:{self._px(1.35)}px; margin-bottom:12px'>{rows}</table>")
        events = s.events or ["No activity recorded before it was scored."]
        h.append(f"<ol style='font-size:{self._px(1.45)}px; margin-left:0'>" + "".join(f"<li>{escape(e)}</li>" for e in events) + "</ol>")
        if mine:
            h.append(f"<div style='font-size:{self._px(1.2)}px; color:{VOTE_COLORS[mine]}; margin-top:8px'>"
                     f"Your answer: <b>{escape(mine)}</b></div>")
        if counts and sum(counts.values()):
            parts = ", ".join(f"{counts.get(v, 0)} {escape(v)}" for v in VOTES)
            h.append(f"<div style='font-size:{self._px(1.1)}px; color:#34495E'>Room so far: {parts}</div>")
        h.append(f"<div style='font-size:{self._px(0.8)}px; color:#95A5A6; margin-top:16px'>lead {escape(c.lead_id)}</div>")
        self.body.setText("".join(h))


class VoteBar(QWidget):
    """The three answers as buttons (keys 1, 2, 3), previous / next and reveal."""

    voted = Signal(str)
    moved = Signal(int)
    revealToggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 4)
        self.prev_button = QPushButton("\u2190", self)
        self.prev_button.setToolTip("The previous card (Left arrow)")
        self.prev_button.clicked.connect(lambda: self.moved.emit(-1))
        lay.addWidget(self.prev_button)
        self.vote_buttons: dict[str, QPushButton] = {}
        for k, v in enumerate(VOTES, 1):
            b = QPushButton(f"{k}  {v.capitalize()}", self)
            b.setCheckable(True)
            b.setToolTip(f"Answer \u201c{v}\u201d for this card (key {k}) and go to the next one")
            b.setStyleSheet(f"QPushButton:checked {{ background: {VOTE_COLORS[v]}; color: white; font-weight: 600; }}")
            b.clicked.connect(lambda _=False, v=v: self.voted.emit(v))
            self.vote_buttons[v] = b
            lay.addWidget(b)
        self.next_button = QPushButton("\u2192", self)
        self.next_button.setToolTip("The next card (Right arrow)")
        self.next_button.clicked.connect(lambda: self.moved.emit(1))
        lay.addWidget(self.next_button)
        lay.addStretch(1)
        self.reveal_button = QPushButton("Reveal (R)", self)
        self.reveal_button.setToolTip("Show what the model says about this lead: its score and verdict (key R)")
        self.reveal_button.setCheckable(True)
        self.reveal_button.toggled.connect(self.revealToggled)
        lay.addWidget(self.reveal_button)

    def show_vote(self, mine: str | None) -> None:
        for v, b in self.vote_buttons.items():
            b.setChecked(v == mine)


class PresenterWindow(QWidget):
    """The current card full screen for the projector: keys 1/2/3 answer, arrows move, R reveals, Esc closes."""

    closed = Signal()

    def __init__(self, panel, scale: float = 1.6, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)  # a window of its own, closed with the main window
        self.setWindowTitle("LeadDesigner \u2013 would you call this lead?")
        self.panel = panel
        lay = QVBoxLayout(self)
        self.card_view = CardView(self, scale=scale)
        self.bar = VoteBar(self)
        lay.addWidget(self.card_view, 1)
        lay.addWidget(self.bar)
        self.bar.voted.connect(panel.vote)
        self.bar.moved.connect(panel.move)
        self.bar.revealToggled.connect(panel.set_revealed)
        hint = QLabel("1 reach out now · 2 not yet · 3 never · ← → move · R reveal · Esc ends", self)
        hint.setStyleSheet("color: #7F8C8D")
        lay.addWidget(hint)
        self.hint = hint
        self._keys = {Qt.Key.Key_1: lambda: panel.vote(VOTES[0]), Qt.Key.Key_2: lambda: panel.vote(VOTES[1]),
                      Qt.Key.Key_3: lambda: panel.vote(VOTES[2]), Qt.Key.Key_Right: lambda: panel.move(1),
                      Qt.Key.Key_Left: lambda: panel.move(-1), Qt.Key.Key_Space: lambda: panel.move(1),
                      Qt.Key.Key_R: lambda: panel.set_revealed(not panel.revealed), Qt.Key.Key_Escape: self.close}
        # the keys go to the window, not to a button that has the focus (Space would press it)
        for b in self.findChildren(QPushButton):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.card_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def resizeEvent(self, ev) -> None:  # noqa: N802 (Qt API)
        """Text for the back of the room: 1.6x at 1366x768, 2.25x at 1920x1080."""
        super().resizeEvent(ev)
        scale = max(1.2, min(3.0, 1.6 * min(self.width() / 1366, self.height() / 768)))
        self.card_view.set_scale(scale)
        f = QFont(self.font())
        f.setPointSizeF(max(9.0, QFont().pointSizeF() * scale * 0.8))
        for b in self.findChildren(QPushButton):
            b.setFont(f)

    def keyPressEvent(self, ev) -> None:  # noqa: N802 (Qt API)
        slot = self._keys.get(Qt.Key(ev.key()))
        if slot is None or ev.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            super().keyPressEvent(ev)
            return
        slot()

    def closeEvent(self, ev) -> None:  # noqa: N802 (Qt API)
        super().closeEvent(ev)
        self.closed.emit()
