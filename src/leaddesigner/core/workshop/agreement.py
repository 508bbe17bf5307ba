"""Does the model agree with the room? Per card, overall (share and Cohen's kappa), sales against marketing.

The room's verdict on a card is its majority: "reach out now" against the other
two answers ("not yet" and "never" both mean: sales should not call today). A
tie is *split* and left out of the agreement. The model's verdict is the lead's
status: an MQL or SQL is "reach out now". For each disagreement the rules that
make the difference are named: for a lead the model calls and the room would
not, the rules whose points lift it over the line; for a lead the room would
call, how many points it lacks and which rules hold it back.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from leaddesigner.core.scoring.engine import Scorer

from .cards import Card
from .votes import VOTES, Votes

__all__ = ["Agreement", "CardVerdict", "agreement", "cohen_kappa"]


def cohen_kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa of two yes/no raters over the same items (NaN when chance agreement is total)."""
    n = len(a)
    if n == 0 or n != len(b):
        return float("nan")
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1.0 - 1e-12:
        return float("nan")
    return (po - pe) / (1 - pe)


@dataclass
class CardVerdict:
    card: Card
    counts: dict[str, int]  # per answer (VOTES)
    room: bool | None  # True: reach out now; None: split or no votes
    by_role: dict[str, bool | None] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)  # for a disagreement: the rules that make the difference

    @property
    def model(self) -> bool:
        return self.card.model_says_call

    @property
    def agrees(self) -> bool | None:
        return None if self.room is None else self.room == self.model


@dataclass
class Agreement:
    cards: list[CardVerdict]
    share: float  # cards where model and room agree, of the decided cards
    kappa: float
    decided: int
    split: int
    sales_marketing_kappa: float | None = None  # None: not both roles voted
    sales_marketing_share: float | None = None
    voters: int = 0

    def disagreements(self) -> list[CardVerdict]:
        return [c for c in self.cards if c.agrees is False]

    def lines(self) -> list[str]:
        """The agreement table in plain text (CLI, tests)."""
        def k(x):
            return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"
        out = [f"{'lead':<14}{'reach out':>10}{'not yet':>9}{'never':>7}  {'room':<10}{'model':<10}agree"]
        for c in self.cards:
            room = "split" if c.room is None else ("call" if c.room else "not now")
            agree = "-" if c.agrees is None else ("yes" if c.agrees else "NO")
            out.append(f"{c.card.lead_id[:13]:<14}{c.counts[VOTES[0]]:>10}{c.counts[VOTES[1]]:>9}{c.counts[VOTES[2]]:>7}  "
                       f"{room:<10}{'call' if c.model else 'not now':<10}{agree}")
        out.append(f"Agreement: {self.share:.0%} of {self.decided} decided cards ({self.split} split), "
                   f"Cohen's kappa {k(self.kappa)}; {self.voters} voter{'' if self.voters == 1 else 's'}.")
        if self.sales_marketing_kappa is not None:
            out.append(f"Sales against marketing: {self.sales_marketing_share:.0%} agree, kappa {k(self.sales_marketing_kappa)}.")
        for c in self.disagreements():
            out.append(f"  {c.card.lead_id}: " + "; ".join(c.reasons))
        return out


def _majority(counts: dict[str, int]) -> bool | None:
    yes = counts.get(VOTES[0], 0)
    no = sum(counts.get(v, 0) for v in VOTES[1:])
    if yes == no:
        return None
    return yes > no


def _reasons(sc: Scorer, card: Card) -> list[str]:
    """Which rules make the difference between the model's verdict and the room's."""
    ex = sc.explain(card.row)
    t = float(sc.model.thresholds.mql)
    rules = [ln for ln in ex.lines if ln.kind == "rule"]
    if card.model_says_call:  # the room would not call it: what lifts it over the line
        lifting = sorted((ln for ln in rules if ln.points > 0), key=lambda ln: -ln.points)
        over = ex.score - t
        out = [f"scores {_n(over)} over the MQL line {_n(t)}" if over >= 0 else f"is an MQL at {_n(ex.score)}"]
        decisive = [ln for ln in lifting if ln.points > over]
        named = decisive or lifting
        out += [f"'{ln.label}' gives +{_n(ln.points)}" + (" (without it: not an MQL)" if ln in decisive else "")
                for ln in named[:3]]
        return out
    short = t - ex.score
    if short <= 0:  # over the line, but its grade cannot become an MQL
        return [f"scores {_n(ex.score)}, over the MQL line {_n(t)}, but grade {ex.grade} cannot become an MQL "
                "(the grades that can are set under Thresholds)"]
    holding = sorted((ln for ln in rules if ln.points < 0), key=lambda ln: ln.points)
    out = [f"lacks {_n(short)} points for the MQL line {_n(t)}"]
    out += [f"'{ln.label}' takes {_n(ln.points)}" for ln in holding[:3]]
    caps = [ln for ln in ex.lines if ln.kind != "rule" and ln.points < 0]
    out += [f"{ln.label} ({_n(ln.points)})" for ln in caps[:2]]
    return out


def _n(x: float) -> str:
    """Points as people say them: 7.5, 12, -20."""
    return f"{round(float(x), 1):g}"


def agreement(sc: Scorer, cards: list[Card], votes: Votes, *, reasons: dict | None = None) -> Agreement:
    """The model (scored by ``sc``) against the room's ``votes`` on ``cards``.

    ``reasons``: a cache of the disagreement reasons by lead row, valid while the
    scores stay the same (the app keeps one per result: a vote does not explain
    every disagreement again, which takes ~150 ms per lead at a million leads).
    """
    roles = votes.roles()
    verdicts: list[CardVerdict] = []
    for card in cards:
        vs = votes.of(card.lead_id)
        counts = {v: sum(1 for x in vs if x.vote == v) for v in VOTES}
        by_role = {}
        for role in sorted({roles.get(x.voter, "") for x in vs} - {""}):
            rc = {v: sum(1 for x in vs if x.vote == v and roles.get(x.voter) == role) for v in VOTES}
            by_role[role] = _majority(rc)
        cv = CardVerdict(card, counts, _majority(counts) if vs else None, by_role)
        if cv.agrees is False:
            if reasons is None:
                cv.reasons = _reasons(sc, card)
            else:
                if card.row not in reasons:
                    reasons[card.row] = _reasons(sc, card)
                cv.reasons = reasons[card.row]
        verdicts.append(cv)
    decided = [c for c in verdicts if c.room is not None]
    share = sum(c.agrees for c in decided) / len(decided) if decided else float("nan")
    kappa = cohen_kappa([c.model for c in decided], [bool(c.room) for c in decided])
    sm_k = sm_share = None
    both = [c for c in verdicts if c.by_role.get("sales") is not None and c.by_role.get("marketing") is not None]
    if both:
        s = [bool(c.by_role["sales"]) for c in both]
        m = [bool(c.by_role["marketing"]) for c in both]
        sm_share = sum(x == y for x, y in zip(s, m)) / len(both)
        sm_k = cohen_kappa(s, m)
    return Agreement(verdicts, share, kappa, len(decided), len(verdicts) - len(decided), sm_k, sm_share,
                     len({v.voter for c in cards for v in votes.of(c.lead_id)}))
