"""What a model change does to leads: MQLs and SQLs gained and lost, and MQLs per week.

:func:`impact` scores leads with both models at the same moment and reports the counts per status, the
first lead ids each way with their old and new scores, and the change in MQLs per week;
:func:`impact_of_scores` does the same for two scorers already built. What changed in the model itself, in
words, is :mod:`leaddesigner.core.model.diff`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from leaddesigner.core.model import types as M

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from leaddesigner.core.scoring.engine import Scorer

__all__ = ["Impact", "LeadMove", "impact", "impact_of_scores"]


@dataclass
class LeadMove:
    """One lead whose status changed."""

    lead_id: str
    old_score: float
    new_score: float
    old_status: str
    new_status: str

    def to_dict(self) -> dict:
        return {"lead_id": self.lead_id, "old_score": self.old_score, "new_score": self.new_score,
                "old_status": self.old_status, "new_status": self.new_status}


@dataclass
class Impact:
    """What the change does to a set of leads (both models scored on the same data and moment)."""

    leads: int
    old_counts: dict[str, int]  # lead / MQL / SQL
    new_counts: dict[str, int]
    mql_gained: int  # now MQL or SQL, before below MQL
    mql_lost: int
    sql_gained: int
    sql_lost: int
    examples: dict[str, list[LeadMove]]  # "mql_gained", "mql_lost", "sql_gained", "sql_lost": the first N leads each
    old_mqls_per_week: float | None  # MQL or better, per week of lead creation (None without creation dates)
    new_mqls_per_week: float | None
    capacity_per_week: float | None = None  # the new model's SDR capacity
    as_of: str = ""
    changed_scores: int = 0  # leads whose score changed at all

    @property
    def old_mqls(self) -> int:
        return self.old_counts["MQL"] + self.old_counts["SQL"]

    @property
    def new_mqls(self) -> int:
        return self.new_counts["MQL"] + self.new_counts["SQL"]

    def text(self) -> str:
        out = [f"Impact on {self.leads:,} leads (scored as of {self.as_of}):" if self.as_of else f"Impact on {self.leads:,} leads:"]
        out.append(f"  MQL or better: {self.old_mqls:,} -> {self.new_mqls:,} ({self.new_mqls - self.old_mqls:+,}): "
                   f"{self.mql_gained:,} gained, {self.mql_lost:,} lost")
        out.append(f"  SQL: {self.old_counts['SQL']:,} -> {self.new_counts['SQL']:,} "
                   f"({self.new_counts['SQL'] - self.old_counts['SQL']:+,}): {self.sql_gained:,} gained, {self.sql_lost:,} lost")
        if self.old_mqls_per_week is not None and self.new_mqls_per_week is not None:
            d = self.new_mqls_per_week - self.old_mqls_per_week
            cap = f" (SDR capacity {M.plain_number(round(self.capacity_per_week, 6))})" if self.capacity_per_week else ""
            out.append(f"  MQLs per week: {self.old_mqls_per_week:.1f} -> {self.new_mqls_per_week:.1f} ({d:+.1f}){cap}")
        out.append(f"  Scores changed for {self.changed_scores:,} lead{'s' if self.changed_scores != 1 else ''}")
        titles = {"mql_gained": "Now MQL or better", "mql_lost": "No longer MQL", "sql_gained": "Now SQL", "sql_lost": "No longer SQL"}
        total = {"mql_gained": self.mql_gained, "mql_lost": self.mql_lost, "sql_gained": self.sql_gained, "sql_lost": self.sql_lost}
        for k, title in titles.items():
            moves = self.examples.get(k) or []
            if not moves:
                continue
            more = total[k] - len(moves)
            out.append("")
            out.append(f"{title} ({total[k]:,}" + (f", first {len(moves)}" if more > 0 else "") + "):")
            for mv in moves:
                out.append(f"  {mv.lead_id}: {M.plain_number(round(mv.old_score, 2))} ({mv.old_status}) -> "
                           f"{M.plain_number(round(mv.new_score, 2))} ({mv.new_status})")
        return "\n".join(out)

    def to_dict(self) -> dict:
        return {
            "leads": self.leads,
            "as_of": self.as_of,
            "old_counts": dict(self.old_counts),
            "new_counts": dict(self.new_counts),
            "mql_gained": self.mql_gained,
            "mql_lost": self.mql_lost,
            "sql_gained": self.sql_gained,
            "sql_lost": self.sql_lost,
            "changed_scores": self.changed_scores,
            "old_mqls_per_week": self.old_mqls_per_week,
            "new_mqls_per_week": self.new_mqls_per_week,
            "capacity_per_week": self.capacity_per_week,
            "examples": {k: [m.to_dict() for m in v] for k, v in self.examples.items()},
        }


def impact_of_scores(old: "Scorer", new: "Scorer", limit: int = 10) -> Impact:
    """Compare two scorers over the same leads (same rows in the same order)."""
    import numpy as np

    from leaddesigner.core.scoring.summary import weekly_volume

    if old.n != new.n:
        raise ValueError(f"the two scorings cover different leads ({old.n:,} and {new.n:,})")
    ro, rn = old.result, new.result
    assert ro is not None and rn is not None
    so, sn = ro.status.astype(np.int8), rn.status.astype(np.int8)
    ids = new.data.ids
    masks = {
        "mql_gained": (sn >= 1) & (so < 1),
        "mql_lost": (so >= 1) & (sn < 1),
        "sql_gained": (sn == 2) & (so < 2),
        "sql_lost": (so == 2) & (sn < 2),
    }
    examples: dict[str, list[LeadMove]] = {}
    for k, mask in masks.items():
        rows = np.flatnonzero(mask)[: max(int(limit), 0)]  # the first leads, in the order of the lead file
        examples[k] = [
            LeadMove(str(ids[i]), float(ro.score[i]), float(rn.score[i]), M.STATUSES[int(so[i])], M.STATUSES[int(sn[i])])
            for i in rows
        ]

    def per_week(sc: "Scorer", status: np.ndarray) -> float | None:
        d = sc.data
        if not d.created:
            return None
        wv = weekly_volume(d.frame[d.created], status, sc.model.capacity.per_week)
        return None if wv.frame.empty else wv.mean_mqls

    co = np.bincount(so, minlength=3)
    cn = np.bincount(sn, minlength=3)
    as_of = new.data.as_of
    return Impact(
        leads=new.n,
        old_counts={s: int(co[i]) for i, s in enumerate(M.STATUSES)},
        new_counts={s: int(cn[i]) for i, s in enumerate(M.STATUSES)},
        mql_gained=int(masks["mql_gained"].sum()),
        mql_lost=int(masks["mql_lost"].sum()),
        sql_gained=int(masks["sql_gained"].sum()),
        sql_lost=int(masks["sql_lost"].sum()),
        examples=examples,
        old_mqls_per_week=per_week(old, so),
        new_mqls_per_week=per_week(new, sn),
        capacity_per_week=new.model.capacity.per_week,
        as_of=_moment(as_of, new.data.horizon_days),
        changed_scores=int(np.count_nonzero(np.abs(rn.score - ro.score) > 1e-9)),
    )


def _moment(as_of: Any, horizon: float | None) -> str:
    import pandas as pd

    ts = pd.Timestamp(as_of)
    when = f"the end of {ts - pd.Timedelta(days=1):%Y-%m-%d}" if ts == ts.normalize() else f"{ts:%Y-%m-%d %H:%M}"
    return f"{M.plain_number(horizon)} days after creation, at most {when}" if horizon else when


def impact(
    old: M.ScoringModel,
    new: M.ScoringModel,
    leads: "pd.DataFrame",
    activities: "pd.DataFrame | None" = None,
    *,
    as_of: Any = None,
    horizon_days: float | None = None,
    limit: int = 10,
) -> Impact:
    """Score ``leads`` with both models at the same moment and compare.

    Parameters
    ----------
    old, new : ScoringModel
    leads, activities : pandas.DataFrame
        The lead file and activity log as frames (each model binds them its own way,
        so a changed column mapping is honoured).
    as_of : pandas.Timestamp or str, optional
        Default: the end of the latest day in the data (as the old model sees it),
        used for both models.
    horizon_days : float, optional
        Score each lead N days after its creation.
    limit : int
        How many example leads to keep each way.

    Data problems are not reported here (see ``leaddesigner.api`` or the CLI,
    which check them first); rules reading missing columns give 0 points.
    """
    from leaddesigner.core.scoring.engine import Scorer, bind

    d_old = bind(old, leads, activities, as_of=as_of, horizon_days=horizon_days)
    d_new = bind(new, leads, activities, as_of=d_old.as_of, horizon_days=horizon_days)
    return impact_of_scores(Scorer(old, d_old), Scorer(new, d_new), limit)
