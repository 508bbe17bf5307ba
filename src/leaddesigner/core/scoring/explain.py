"""Why a lead has its score: every rule that fired, every cap, adding up to the total."""
from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from leaddesigner.core.model.types import STATUSES, plain_number

if TYPE_CHECKING:  # pragma: no cover
    from leaddesigner.core.scoring.engine import Scorer


@dataclass
class ExplainLine:
    kind: str  # "rule", "group cap", "dimension cap", "score range"
    key: str  # rule id, group name or dimension
    label: str
    dimension: str
    points: float
    detail: str = ""


@dataclass
class Explanation:
    lead_id: str
    row: int
    lines: list[ExplainLine]
    fit: float
    engagement: float
    score: float
    grade: str | None
    status: str
    products: dict[str, float] = field(default_factory=dict)
    to_mql: str = ""

    def total(self) -> float:
        """Sum of the lines: equals ``score`` (the engine's invariant)."""
        return float(sum(line.points for line in self.lines))

    def text(self) -> str:
        """A plain-text breakdown, as ``leaddesigner explain`` prints it."""
        out = [f"Lead {self.lead_id}: score {_fmt(self.score)} ({self.status}"
               + (f", grade {self.grade}" if self.grade else "") + ")"]
        for dim in ("fit", "engagement", ""):
            rows = [ln for ln in self.lines if ln.dimension == dim]
            if not rows:
                continue
            out.append(f"  {dim or 'total'}:" if dim else "  overall:")
            for ln in rows:
                pts = f"{ln.points:+.2f}".rstrip("0").rstrip(".")
                detail = f"  [{ln.detail}]" if ln.detail else ""
                out.append(f"    {pts:>8}  {ln.label} ({ln.kind} {ln.key}){detail}")
        out.append(f"  = fit {_fmt(self.fit)} + engagement {_fmt(self.engagement)}"
                   + (f" -> score {_fmt(self.score)}" if abs(self.fit + self.engagement - self.score) > 1e-9 else ""))
        for p, v in self.products.items():
            out.append(f"  product {p}: {_fmt(v)}")
        if self.to_mql:
            out.append(f"  {self.to_mql}")
        return "\n".join(out)


def _fmt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def explain_row(sc: "Scorer", i: int) -> Explanation:
    m = sc.model
    res = sc.result
    lines: list[ExplainLine] = []
    group_sum: dict[str, float] = {}
    dim_sum = {"fit": 0.0, "engagement": 0.0}
    w = None if sc._weights is None else float(sc._weights[i])
    for rule in m.rules:
        st = sc._states.get(rule.id)
        if st is None:
            continue
        r = st.rule
        pts = float(sc._points(st)[i])
        if r.group:
            # a group cap applies to the group's sum even when every rule in it
            # gives 0 (a cap with min > 0 or max < 0), as in the engine
            group_sum.setdefault(r.group, 0.0)
        if pts == 0.0:
            continue
        details = []
        if r.kind == "activity":
            details.append(_activity_detail(sc, r, i))
        if r.dimension == "engagement" and w is not None and w != 1.0:
            details.append(f"persona weight x{plain_number(w)}")
        lines.append(ExplainLine("rule", r.id, r.label, r.dimension, pts, "; ".join(d for d in details if d)))
        if r.group:
            group_sum[r.group] = group_sum.get(r.group, 0.0) + pts
        else:
            dim_sum[r.dimension] += pts
    for g, s in group_sum.items():
        dim = sc.group_dimension(g)
        cap = m.caps.groups.get(g)
        capped = _clip1(s, cap)
        if capped != s:
            lines.append(ExplainLine("group cap", g, f"Group '{g}' capped at {_range_text(cap)}", dim, capped - s, f"rules gave {_fmt(s)}"))
        dim_sum[dim] += capped
    for dim in ("fit", "engagement"):
        cap = m.caps.dimensions.get(dim)
        capped = _clip1(dim_sum[dim], cap)
        if capped != dim_sum[dim]:
            lines.append(ExplainLine("dimension cap", dim, f"{dim.capitalize()} capped at {_range_text(cap)}", dim, capped - dim_sum[dim], f"rules gave {_fmt(dim_sum[dim])}"))
        dim_sum[dim] = capped
    raw_total = dim_sum["fit"] + dim_sum["engagement"]
    total = _clip1(raw_total, m.score_range)
    if total != raw_total:
        lines.append(ExplainLine("score range", "score", f"Score kept within {_range_text(m.score_range)}", "", total - raw_total, f"fit + engagement = {_fmt(raw_total)}"))
    names = sc.grade_names()
    grade = names[int(res.grade[i])] if names else None
    status = STATUSES[int(res.status[i])]
    return Explanation(
        lead_id=str(sc.data.ids[i]),
        row=i,
        lines=lines,
        fit=float(res.fit[i]),
        engagement=float(res.engagement[i]),
        score=float(res.score[i]),
        grade=grade,
        status=status,
        products={p: float(a[i]) for p, a in res.products.items()},
        to_mql=_to_mql(sc, float(res.score[i]), grade, status),
    )


def _activity_detail(sc: "Scorer", r, i: int) -> str:
    ev = sc.data.events
    if ev is None:
        return ""
    mask = sc.activity_event_mask(r) & (ev.lead == i)
    n = int(np.count_nonzero(mask))
    parts = [f"{n} event{'s' if n != 1 else ''}" + (f" in the last {plain_number(r.activity.within_days)} days" if r.activity.within_days else "")]
    full = n * r.points
    if r.activity.decay is not None:
        f = sc.decay_factors(r, sc.event_ages()[mask])
        parts.append(f"decay ({r.activity.decay.describe()}) {_fmt(full)} -> {_fmt(float(f.sum()) * r.points)}")
        full = float(f.sum()) * r.points
    if r.activity.max_points is not None and abs(full) > r.activity.max_points:
        parts.append(f"limited to {plain_number(r.activity.max_points)}")
    return ", ".join(parts)


def _to_mql(sc: "Scorer", score: float, grade: str | None, status: str) -> str:
    m = sc.model
    if status != "lead":
        if status == "MQL" and m.thresholds.sql is not None:
            return f"{_fmt(m.thresholds.sql - score)} more points to SQL ({_fmt(m.thresholds.sql)})."
        return ""
    parts = []
    if score < m.thresholds.mql:
        parts.append(f"{_fmt(m.thresholds.mql - score)} more points to reach the MQL threshold ({_fmt(m.thresholds.mql)})")
    cells = m.grades.mql_cells
    if cells is not None and grade is not None and grade not in cells:
        parts.append(f"a grade in {', '.join(cells)} (now {grade})")
    return "To become an MQL: " + " and ".join(parts) + "." if parts else ""


def _clip1(x: float, r) -> float:
    if r is None:
        return x
    if r.min is not None and x < r.min:
        return float(r.min)
    if r.max is not None and x > r.max:
        return float(r.max)
    return x


def _range_text(r) -> str:
    if r.min is not None and r.max is not None:
        return f"{plain_number(r.min)}..{plain_number(r.max)}"
    if r.max is not None:
        return f"max {plain_number(r.max)}"
    return f"min {plain_number(r.min)}"


def close_ids(word: str, ids) -> str:
    """`` Did you mean 'L0042' or 'L0024'?`` for the ids that look most like ``word``.

    Fast on millions of ids: case and spaces first, then every id one edit away
    (a missing, extra, wrong or swapped character), then ``difflib`` over all ids
    (small files) or over the ids sorted next to ``word`` (big files).
    """
    ids = pd.Index(ids).astype("str")
    if len(ids) == 0:
        return ""
    key = word.strip().lower()
    same = ids[ids.str.strip().str.lower() == key]
    if len(same):
        return f" Did you mean '{same[0]}'?"
    alphabet = sorted(set("".join(ids[:10_000])) | set(word))
    edits: list[str] = []
    for i in range(len(word) + 1):
        a, b = word[:i], word[i:]
        if b:
            edits.append(a + b[1:])  # deletion
            edits.extend(a + c + b[1:] for c in alphabet)  # replacement
        if len(b) > 1:
            edits.append(a + b[1] + b[0] + b[2:])  # transposition
        edits.extend(a + c + b for c in alphabet)  # insertion
    # an id that several edits lead to is the likelier one ('L000042' -> 'L0000042' by a '0' in 5 places)
    found = set(ids[ids.isin(set(edits) - {word})])
    ways = Counter(e for e in edits if e in found)
    close = [e for e, _ in sorted(ways.items(), key=lambda kv: (-kv[1], kv[0]))][:3]
    if not close:
        if len(ids) <= 50_000:
            pool = list(ids)
        else:  # the ids sorted next to the word: typos in the tail of long ids land there
            srt = ids.sort_values()
            pool = []
            for w in {word, word.upper(), word.lower()}:
                i = int(srt.searchsorted(w))
                pool += list(srt[max(0, i - 20) : i + 20])
            pool = list(dict.fromkeys(pool))
        close = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
