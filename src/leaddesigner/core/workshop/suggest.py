"""The smallest point changes that make the model agree with the room.

Whole-number changes to the points of a few condition and activity rules
(``max_rules``, 3 by default), found greedily: at each step every rule is tried
with every change of -``max_step`` .. +``max_step`` points and with the exact
change that moves each card it scores across the MQL line (up to 4 x
``max_step``); the change that makes the most decided cards agree wins (ties:
the smaller change). A rule keeps its sign: a change never turns a buying
signal into a negative one or the other way round. A
linear estimate ranks the candidates; each step is confirmed by rescoring the
cards with the engine (caps, activity limits and grades included), and only a
step that makes strictly more cards agree is taken, so a suggestion never makes
the agreement worse. :func:`impact` says what the change does to all leads: MQLs
per week against the SDR capacity and, with outcomes, the AUC.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from leaddesigner.core.analysis.backtest import auc
from leaddesigner.core.edits.base import Command, Compound
from leaddesigner.core.edits.rules import SetRuleField
from leaddesigner.core.model.types import ScoringModel
from leaddesigner.core.scoring.engine import LeadData, Scorer, subset_data
from leaddesigner.core.scoring.summary import summarize

from .agreement import Agreement

__all__ = ["Impact", "PointChange", "Suggestion", "impact", "suggest_changes", "suggest_with_impact"]


@dataclass(frozen=True)
class PointChange:
    rule_id: str
    label: str
    old: float
    new: float

    def text(self) -> str:
        return f"'{self.label}': {self.old:g} -> {self.new:g} points ({self.new - self.old:+g})"


@dataclass
class Suggestion:
    changes: list[PointChange]
    agree_before: int
    agree_after: int
    decided: int
    model: ScoringModel  # the model with the changes
    notes: list[str] = field(default_factory=list)
    max_rules: int = 3

    def command(self) -> Command | None:
        """The changes as one edit (one undo step in the app); None when there is nothing to change."""
        cmds = [SetRuleField(c.rule_id, "points", c.new) for c in self.changes]
        if not cmds:
            return None
        return cmds[0] if len(cmds) == 1 else Compound(cmds, f"Agree with the room ({len(cmds)} rules)")

    def lines(self) -> list[str]:
        if not self.changes:
            return [f"No change of the points of up to {self.max_rules} rules makes more cards agree "
                    f"({self.agree_before} of {self.decided} agree now)."] + self.notes
        out = [f"{len(self.changes)} point change{'s' if len(self.changes) > 1 else ''}: agreement "
               f"{self.agree_before} -> {self.agree_after} of {self.decided} cards"]
        out += ["  " + c.text() for c in self.changes]
        return out + self.notes


@dataclass
class Impact:
    mqls_before: int
    mqls_after: int
    per_week_before: float
    per_week_after: float
    capacity_per_week: float
    auc_before: float | None = None
    auc_after: float | None = None

    def lines(self) -> list[str]:
        over = self.capacity_per_week and self.per_week_after > self.capacity_per_week
        out = [f"MQLs in the data: {self.mqls_before:,} -> {self.mqls_after:,}; per week "
               f"{self.per_week_before:.1f} -> {self.per_week_after:.1f} (SDR capacity {self.capacity_per_week:g} a week"
               + ("; over it: raise the MQL threshold or the team with it" if over else "") + ")"]
        if self.auc_before is not None and self.auc_after is not None:
            out.append(f"AUC against past conversions: {self.auc_before:.3f} -> {self.auc_after:.3f}")
        return out


def _verdicts(model: ScoringModel, sub) -> np.ndarray:
    return Scorer(copy.deepcopy(model), sub).result.status >= 1


def _deltas(f: np.ndarray, score: np.ndarray, t: float, max_step: int) -> set[int]:
    """Point changes worth trying for one rule: small ones, and the exact change that flips each card it scores."""
    out = set(range(-max_step, max_step + 1)) - {0}
    hit = f != 0
    need = (t - score[hit]) / f[hit]  # the change that puts each card it scores exactly on the line
    up = np.ceil(need - 1e-9)  # the smallest change that lifts a card onto the line; one less keeps it under
    for d in np.concatenate([up, up - 1]):
        if d != 0 and abs(d) <= 4 * max_step:
            out.add(int(d))
    return out


def suggest_changes(model: ScoringModel, data: LeadData, ag: Agreement, *, max_rules: int = 3, max_step: int = 15,
                    verify: int = 12) -> Suggestion:
    """Point changes (whole numbers, at most ``max_rules`` rules) that make more decided cards agree.

    Reads ``model`` (copied, never changed) and ``data`` (the bound leads the cards
    come from) only: safe in a worker thread while the app keeps editing.
    """
    decided = [c for c in ag.cards if c.room is not None]
    original = model
    model = copy.deepcopy(model)
    if not decided:
        return Suggestion([], 0, 0, 0, model, ["No card has a majority yet: vote first."], max_rules)
    rows = np.array([c.card.row for c in decided], dtype=np.int64)
    want = np.array([bool(c.room) for c in decided])
    sub = subset_data(data, rows)
    verdict = _verdicts(model, sub)
    before = int(np.count_nonzero(verdict == want))
    changes: dict[str, PointChange] = {}
    editable = [r for r in model.rules if r.enabled and r.kind in ("condition", "activity")]
    t = float(model.thresholds.mql)
    for _step in range(max_rules):
        cur = Scorer(copy.deepcopy(model), sub)
        score = cur.result.score
        agree_now = int(np.count_nonzero((cur.result.status >= 1) == want))
        if agree_now == len(want):
            break
        cands = []
        for r in editable:
            if r.id not in changes and len(changes) >= max_rules:
                continue
            f = cur.rule_factor(r.id)
            if not f.any():
                continue
            for d in _deltas(f, score, t, max_step):
                new = r.points + d
                if new == 0 or (r.points and (new > 0) != (r.points > 0)):
                    continue  # 0 points removes the rule and a flipped sign turns a signal around: not a point change
                est = int(np.count_nonzero(((score + d * f) >= t) == want))
                if est > agree_now:
                    cands.append((-est, abs(d), r.id, d))
        cands.sort()
        taken = None
        for _, _, rid, d in cands[:verify]:
            trial = copy.deepcopy(model)
            rule = next(x for x in trial.rules if x.id == rid)
            rule.points = float(rule.points + d)
            got = int(np.count_nonzero(_verdicts(trial, sub) == want))
            if got > agree_now and (taken is None or got > taken[0]):
                taken = (got, trial, rid, d)
        if taken is None:
            break
        got, model, rid, d = taken
        rule = next(x for x in model.rules if x.id == rid)
        first = changes.get(rid)
        old = first.old if first is not None else float(rule.points - d)
        changes[rid] = PointChange(rid, rule.label, old, float(rule.points))
    after = int(np.count_nonzero(_verdicts(model, sub) == want))
    notes = []
    if after <= before:  # nothing found: keep the model as it is
        return Suggestion([], before, before, len(want), copy.deepcopy(original), notes, max_rules)
    return Suggestion(list(changes.values()), before, after, len(want), model, notes, max_rules)


def impact(model: ScoringModel, data: LeadData, suggestion: Suggestion, outcome: np.ndarray | None = None) -> Impact:
    """What the suggested model does to all leads, next to ``model`` (same data, same moment)."""
    old, new = Scorer(copy.deepcopy(model), data), Scorer(copy.deepcopy(suggestion.model), data)
    s0, s1 = summarize(old, outcome), summarize(new, outcome)
    out = Impact(s0.mqls, s1.mqls, s0.weekly.mean_mqls if s0.weekly else float("nan"),
                 s1.weekly.mean_mqls if s1.weekly else float("nan"), float(model.capacity.per_week))
    if outcome is not None:
        y = np.asarray(outcome, dtype=bool)
        out.auc_before = float(auc(old.result.score, y))
        out.auc_after = float(auc(new.result.score, y))
    return out


def suggest_with_impact(model: ScoringModel, data: LeadData, ag: Agreement, outcome: np.ndarray | None = None,
                        *, max_rules: int = 3, progress=None) -> tuple[Suggestion, Impact | None]:
    """:func:`suggest_changes`, then :func:`impact` when there is a change (the app runs both in a worker)."""
    if progress:
        progress(0.1, "Trying point changes on the cards")
    s = suggest_changes(model, data, ag, max_rules=max_rules)
    if not s.changes:
        return s, None
    if progress:
        progress(0.6, "Scoring every lead with the changes")
    return s, impact(model, data, s, outcome)
