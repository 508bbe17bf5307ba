"""A deck of example leads for the room: a few clear yes, a few clear no, most near the MQL line.

The argument is near the threshold, so most cards come from there (half just
above it, half just below); a fifth are clear MQLs and a fifth clearly not, so
the room calibrates on easy ones too. The same model, data, size and seed give
the same deck; :func:`swap_card` replaces one card by another of its kind.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from leaddesigner.core.model.types import STATUSES
from leaddesigner.core.scoring.engine import Scorer

from .story import Story, event_positions, lead_story

__all__ = ["MAX_CARDS", "MIN_CARDS", "STRATA", "Card", "Deck", "cards_for", "deal", "refresh_verdicts", "swap_card"]

MIN_CARDS, MAX_CARDS = 8, 30
#: the kinds of card, as the facilitator's notes name them
STRATA = ("clear yes", "near the line", "clear no")


@dataclass
class Card:
    """One example lead: its story (shown) and the model's verdict (hidden until the room has voted)."""

    row: int
    lead_id: str
    stratum: str
    story: Story
    score: float
    status: str  # none | MQL | SQL
    grade: str | None = None

    @property
    def model_says_call(self) -> bool:
        """The model's verdict: an MQL (or SQL) is a lead sales should reach out to now."""
        return self.status in ("MQL", "SQL")


@dataclass
class Deck:
    cards: list[Card]
    seed: int
    threshold: float
    band: float  # "near the line" is within this many points of the threshold
    notes: list[str] = field(default_factory=list)

    def ids(self) -> list[str]:
        return [c.lead_id for c in self.cards]


def _band(score: np.ndarray, threshold: float) -> float:
    """How far from the threshold a lead is still "near the line": a fifth of the scores' middle spread."""
    if len(score) == 0:
        return 1.0
    q25, q75 = np.quantile(score, [0.25, 0.75])
    spread = float(q75 - q25) or float(np.std(score)) or 1.0
    return max(1.0, 0.2 * spread + 0.05 * abs(threshold))


def _strata(sc: Scorer, band: float) -> dict[str, np.ndarray]:
    res, t = sc.result, float(sc.model.thresholds.mql)
    call = res.status >= 1
    near = np.abs(res.score - t) <= band
    return {
        "near the line": np.flatnonzero(near),
        "clear yes": np.flatnonzero(call & ~near),
        "clear no": np.flatnonzero(~call & ~near),
    }


def _card(sc: Scorer, row: int, stratum: str, positions: np.ndarray | None = None, moments=None) -> Card:
    res = sc.result
    names = sc.grade_names()
    moment = None if moments is None else int(moments[row]) if isinstance(moments, np.ndarray) else int(moments)
    story = lead_story(sc.model, sc.data, row, positions=positions, moment_ns=moment)
    return Card(row, str(sc.data.ids[row]), stratum, story, float(res.score[row]),
                STATUSES[int(res.status[row])], names[int(res.grade[row])] if names and res.grade[row] >= 0 else None)


def deal(sc: Scorer, n: int = 12, seed: int = 0) -> Deck:
    """``n`` cards (8-30) from the scored leads: 20% clear yes, 20% clear no, the rest near the MQL line.

    Near the line means within :func:`_band` points of the threshold, split
    evenly above and below it. A stratum with too few leads is filled from the
    others (the deck's notes say so). Cards are shuffled so the room cannot
    guess the verdict from the order.
    """
    n = int(min(MAX_CARDS, max(MIN_CARDS, n)))
    n = min(n, len(sc.data))
    rng = np.random.default_rng(seed)
    t = float(sc.model.thresholds.mql)
    band = _band(sc.result.score, t)
    pools = _strata(sc, band)
    want = {"clear yes": round(0.2 * n), "clear no": round(0.2 * n)}
    want["near the line"] = n - want["clear yes"] - want["clear no"]
    chosen: dict[str, list[int]] = {}
    notes: list[str] = []
    near = pools["near the line"]
    score = sc.result.score
    above, below = near[score[near] >= t], near[score[near] < t]
    k_above = min(len(above), (want["near the line"] + 1) // 2)
    k_below = min(len(below), want["near the line"] - k_above)
    k_above = min(len(above), want["near the line"] - k_below)
    chosen["near the line"] = [*rng.choice(above, k_above, replace=False), *rng.choice(below, k_below, replace=False)]
    for s in ("clear yes", "clear no"):
        pool = pools[s]
        chosen[s] = list(rng.choice(pool, min(len(pool), want[s]), replace=False))
    short = n - sum(len(v) for v in chosen.values())
    if short > 0:
        taken = {int(r) for v in chosen.values() for r in v}
        for s in ("near the line", "clear yes", "clear no"):
            rest = np.array([r for r in pools[s] if int(r) not in taken], dtype=np.int64)
            extra = list(rng.choice(rest, min(short, len(rest)), replace=False)) if len(rest) else []
            if extra:
                notes.append(f"Too few leads of some kinds: {len(extra)} more cards are {s}.")
            chosen[s] += extra
            taken |= {int(r) for r in extra}
            short -= len(extra)
            if short <= 0:
                break
    where = event_positions(sc.data, [int(r) for s in STRATA for r in chosen[s]])
    moments = sc.data.row_as_of_ns()
    cards = [_card(sc, int(r), s, where[int(r)], moments) for s in STRATA for r in chosen[s]]
    order = rng.permutation(len(cards))
    return Deck([cards[i] for i in order], seed, t, band, notes)


def swap_card(sc: Scorer, deck: Deck, index: int, seed: int | None = None) -> Card:
    """Replace card ``index`` by another lead of the same kind (not in the deck); returns the new card.

    The facilitator swaps a card the room cannot judge (a lead with nothing in
    its story, a name everybody knows). Raises ValueError when no other lead of
    that kind exists.
    """
    old = deck.cards[index]
    pools = _strata(sc, deck.band)
    taken = {c.row for c in deck.cards}
    rest = [int(r) for r in pools[old.stratum] if int(r) not in taken]
    if not rest:
        raise ValueError(f"No other lead is {old.stratum}: every one is in the deck already.")
    rng = np.random.default_rng(deck.seed * 1_000_003 + index * 7_919 + len(taken) + (seed or 0))
    new = _card(sc, int(rng.choice(rest)), old.stratum)
    deck.cards[index] = new
    return new


def cards_for(sc: Scorer, lead_ids: list[str]) -> list[Card]:
    """The cards of leads given by id (the leads a votes file answered), in that order.

    Raises ValueError naming the ids the scored leads do not have (with the
    closest ids, in case the votes were typed by hand).
    """
    from leaddesigner.core.scoring.explain import close_ids

    ids = sc.data.ids
    pos = {str(x): i for i, x in enumerate(ids)}
    missing = [x for x in lead_ids if str(x) not in pos]
    if missing:
        shown = ", ".join(repr(x) for x in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ValueError(f"The votes name {len(missing)} lead(s) the lead file does not have: {shown}."
                         f"{close_ids(str(missing[0]), ids)}")
    t, band = float(sc.model.thresholds.mql), _band(sc.result.score, float(sc.model.thresholds.mql))
    out = []
    where = event_positions(sc.data, [pos[str(x)] for x in lead_ids])
    moments = sc.data.row_as_of_ns()
    for x in lead_ids:
        r = pos[str(x)]
        s = float(sc.result.score[r])
        kind = "near the line" if abs(s - t) <= band else ("clear yes" if sc.result.status[r] >= 1 else "clear no")
        out.append(_card(sc, r, kind, where[r], moments))
    return out


def refresh_verdicts(sc: Scorer, cards: list[Card]) -> list[Card]:
    """The same cards (same stories) with the model's current score, status and grade (after an edit)."""
    res, names = sc.result, sc.grade_names()
    out = []
    for c in cards:
        r = c.row
        grade = names[int(res.grade[r])] if names and res.grade[r] >= 0 else None
        out.append(dataclasses.replace(c, score=float(res.score[r]), status=STATUSES[int(res.status[r])], grade=grade))
    return out
