"""Two models side by side on the same leads (issue 4, "Compare two models").

Marketing's model and sales' model scored on the same bound leads:

* per-model metrics (leads, MQLs, SQLs, MQLs per week against capacity; with
  an outcome also ROC AUC and the MQL handover's precision and recall, from
  :mod:`leaddesigner.core.analysis.backtest`);
* both score distributions as histograms on common bins (to overlay);
* the agreement matrix: MQL in both / only in A / only in B / in neither,
  with counts and, given an outcome, the conversion rate of each cell;
* the leads one model hands to sales and the other does not, each with the
  rules that make the difference (the three largest per-rule point
  differences, in plain words) and any threshold or grade gate that decides.

"MQL" here means status MQL or SQL (an SQL is an MQL that went further), as in
:mod:`leaddesigner.core.scoring.summary`.

Binding. :func:`compare` takes the leads bound to ``model_a`` (what the app
holds). When ``model_b`` reads attributes that binding lacks, or reads them
under other file columns or types, the leads are bound a second time for
``model_b`` from the same rows (the attribute columns are renamed back to
``model_a``'s file columns, the undeclared columns are kept, and the already
bound activity log is shared: both models see the same events for the same
rows). Pass ``data_b`` to give ``model_b`` its own binding of the same rows in
the same order (the CLI does that, binding each model from the files).
Row ``i`` is the same lead in both bindings.

Per-rule points (:meth:`Scorer.points_frame`) are taken after the persona weight
and before caps, so the rule differences of a lead need not add up to its score
difference; when caps or the score range change the difference, the lead's
reasons say so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leaddesigner.core.formatting import pct_text
from leaddesigner.core.model.describe import number, points as pts_text
from leaddesigner.core.model.types import STATUSES, ScoringModel, leaves
from leaddesigner.core.scoring.engine import LeadData, Scorer, bind
from leaddesigner.core.scoring.summary import histogram, parse_outcome, score_bounds, summarize

__all__ = ["compare", "Comparison", "ModelMetrics", "LeadDifference", "RuleDifference", "rebind", "resolve_outcome"]

#: histogram bins shared by both models
BINS = 50
#: rule differences shown per lead
TOP_RULES = 3
CELLS = ("both", "only_a", "only_b", "neither")
CELL_WORDS = {
    "both": "MQL in both",
    "only_a": "MQL only in A",
    "only_b": "MQL only in B",
    "neither": "MQL in neither",
}


# ---------------------------------------------------------------- results
@dataclass
class ModelMetrics:
    name: str
    version: str | None
    leads: int
    mqls: int  # MQL or SQL
    sqls: int
    mqls_per_week: float | None  # mean over full weeks of lead creation; None without dates
    capacity_per_week: float
    weeks_over_capacity: int | None
    mql_threshold: float
    sql_threshold: float | None
    auc: float | None = None
    precision: float | None = None  # share of MQLs that converted
    recall: float | None = None  # share of converters that were MQLs
    mql_conversion: float | None = None
    non_mql_conversion: float | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class RuleDifference:
    """One rule's points for one lead in both models."""

    key: str  # the rule id (the id in A when rules were matched by label)
    label: str
    points_a: float
    points_b: float
    in_a: bool  # the rule exists and is enabled in A
    in_b: bool
    values: str = ""  # the lead's values of the attributes the rule reads, e.g. "company size = 150"

    @property
    def difference(self) -> float:
        return self.points_a - self.points_b

    def words(self) -> str:
        """``Demo or contact request: +30 in A, 0 in B (only A has this rule)``."""
        text = f"{self.label}: {pts_text(self.points_a)} in A, {pts_text(self.points_b)} in B"
        notes = []
        if not self.in_b:
            notes.append("only A has this rule")
        elif not self.in_a:
            notes.append("only B has this rule")
        if self.values:
            notes.append(self.values)
        return text + (f" ({'; '.join(notes)})" if notes else "")

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["difference"] = self.difference
        d["words"] = self.words()
        return d


@dataclass
class LeadDifference:
    """A lead one model hands to sales and the other does not."""

    lead_id: str
    row: int
    score_a: float
    score_b: float
    status_a: str
    status_b: str
    grade_a: str | None
    grade_b: str | None
    rules: list[RuleDifference]
    notes: list[str] = field(default_factory=list)  # thresholds, grade gates, caps
    converted: bool | None = None

    def words(self) -> list[str]:
        return [r.words() for r in self.rules] + list(self.notes)

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "rules"}
        d["rules"] = [r.to_dict() for r in self.rules]
        d["reasons"] = self.words()
        return d


@dataclass
class Comparison:
    name_a: str
    name_b: str
    metrics_a: ModelMetrics
    metrics_b: ModelMetrics
    bin_edges: np.ndarray  # BINS + 1 common edges
    hist_a: np.ndarray
    hist_b: np.ndarray
    agreement: dict[str, int]  # CELLS -> count
    agreement_conversion: dict[str, float | None] | None  # CELLS -> conversion rate (None: empty cell)
    only_a: list[LeadDifference]  # leads A hands over and B does not (up to ``limit``)
    only_b: list[LeadDifference]
    only_a_total: int
    only_b_total: int
    outcome_name: str | None = None
    rebound: bool = False  # model B was bound separately (see module docstring)
    notes: list[str] = field(default_factory=list)

    @property
    def leads(self) -> int:
        return int(sum(self.agreement.values()))

    @property
    def agreement_rate(self) -> float:
        n = self.leads
        return (self.agreement["both"] + self.agreement["neither"]) / n if n else 1.0

    def to_dict(self) -> dict:
        return {
            "model_a": self.name_a,
            "model_b": self.name_b,
            "metrics": {"a": self.metrics_a.to_dict(), "b": self.metrics_b.to_dict()},
            "distribution": {
                "bin_edges": [float(x) for x in self.bin_edges],
                "a": [int(x) for x in self.hist_a],
                "b": [int(x) for x in self.hist_b],
            },
            "agreement": {
                "counts": {k: int(v) for k, v in self.agreement.items()},
                "conversion": self.agreement_conversion,
                "agreement_rate": self.agreement_rate,
            },
            "only_a": {"total": self.only_a_total, "leads": [d.to_dict() for d in self.only_a]},
            "only_b": {"total": self.only_b_total, "leads": [d.to_dict() for d in self.only_b]},
            "outcome": self.outcome_name,
            "rebound": self.rebound,
            "notes": list(self.notes),
        }

    def metric_rows(self, dash: str = "-") -> list[tuple[str, str, str]]:
        """The side-by-side figures as (label, A, B) texts: the terminal and the app show the same rows."""
        a, b = self.metrics_a, self.metrics_b

        def both(f, *args):
            return f(getattr(a, args[0]), *args[1:], dash=dash), f(getattr(b, args[0]), *args[1:], dash=dash)

        rows = [
            ("Leads", f"{a.leads:,}", f"{b.leads:,}"),
            ("MQLs (SQLs included)", _count_share(a.mqls, a.leads), _count_share(b.mqls, b.leads)),
            ("SQLs", _count_share(a.sqls, a.leads), _count_share(b.sqls, b.leads)),
            ("MQL threshold", number(a.mql_threshold), number(b.mql_threshold)),
            ("MQLs per week", *both(_opt, "mqls_per_week", "{:,.1f}")),
            ("SDR capacity per week", number(a.capacity_per_week), number(b.capacity_per_week)),
            ("Weeks over capacity", *both(_opt, "weeks_over_capacity", "{}")),
        ]
        if self.outcome_name is not None:
            rows += [
                ("ROC AUC (all leads)", *both(_opt, "auc", "{:.3f}")),
                ("MQLs that convert", *both(_pct, "precision")),
                ("Conversions captured", *both(_pct, "recall")),
                ("Other leads that convert", *both(_pct, "non_mql_conversion")),
            ]
        return rows

    def text(self, limit: int | None = None) -> str:
        """A terminal rendering (``leaddesigner compare`` prints it)."""
        a, b = self.metrics_a, self.metrics_b
        out = [f"A: {_name(a)}", f"B: {_name(b)}", ""]
        rows = self.metric_rows()
        w = max(len(r[0]) for r in rows) + 2
        out.append(f"{'':<{w}}{'A':>12}{'B':>12}")
        out += [f"{r[0]:<{w}}{r[1]:>12}{r[2]:>12}" for r in rows]
        out.append("")
        head = "Agreement (MQL = MQL or SQL)"
        if self.outcome_name is not None:
            head += f", conversion rate by '{self.outcome_name}'"
        out.append(head + ":")
        n = max(self.leads, 1)
        for k in CELLS:
            c = self.agreement[k]
            line = f"  {CELL_WORDS[k]:<16}{c:>9,}  {100 * c / n:5.1f}%"
            if self.agreement_conversion is not None:
                r = self.agreement_conversion.get(k)
                line += f"   converted {_pct(r)}"
            out.append(line)
        out.append(f"  The models agree on {100 * self.agreement_rate:.1f}% of leads.")
        out.append("")
        out.append("Score distributions (common bins; A '#', B '='):")
        out += _text_hist(self.bin_edges, self.hist_a, self.hist_b)
        for side, lst, total in (("A", self.only_a, self.only_a_total), ("B", self.only_b, self.only_b_total)):
            shown = lst if limit is None else lst[:limit]
            out.append("")
            out.append(f"Only {side} hands to sales ({total:,} lead{'s' if total != 1 else ''}"
                       + (f", first {len(shown)} shown" if len(shown) < total else "") + "):")
            if not shown:
                out.append("  none")
            for d in shown:
                conv = "" if d.converted is None else ("  converted" if d.converted else "  not converted")
                out.append(
                    f"  {d.lead_id}  A {number(round(d.score_a, 2))} {d.status_a}{_grade(d.grade_a)}"
                    f"  B {number(round(d.score_b, 2))} {d.status_b}{_grade(d.grade_b)}{conv}"
                )
                for reason in d.words():
                    out.append(f"      {reason}")
        if self.notes:
            out.append("")
            out += [f"Note: {n_}" for n_ in self.notes]
        return "\n".join(out)


def _name(m: ModelMetrics) -> str:
    return m.name + (f" (version {m.version})" if m.version else "")


def _grade(g: str | None) -> str:
    return f" {g}" if g else ""


def _count_share(c: int, n: int) -> str:
    return f"{c:,} ({100 * c / n:.1f}%)" if n else f"{c:,}"


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and x != x)


def _pct(x: float | None, dash: str = "-") -> str:
    return pct_text(x, missing=dash)


def _opt(x: Any, fmt: str, dash: str = "-") -> str:
    return dash if _missing(x) else fmt.format(x)


def _text_hist(edges: np.ndarray, ha: np.ndarray, hb: np.ndarray, rows: int = 10, width: int = 40) -> list[str]:
    """The common-bin histograms regrouped into ``rows`` bands, as two bars per band."""
    k = max(1, int(np.ceil(len(ha) / rows)))
    ga = np.add.reduceat(ha, np.arange(0, len(ha), k))
    gb = np.add.reduceat(hb, np.arange(0, len(hb), k))
    top = max(1, int(max(ga.max(initial=0), gb.max(initial=0))))
    out = []
    for i in range(len(ga)):
        lo, hi = edges[i * k], edges[min((i + 1) * k, len(edges) - 1)]
        band = f"{number(round(lo, 1))}-{number(round(hi, 1))}"
        out.append(f"  {band:>11} A {'#' * int(round(width * ga[i] / top)):<{width}} {int(ga[i]):>7,}")
        out.append(f"  {'':>11} B {'=' * int(round(width * gb[i] / top)):<{width}} {int(gb[i]):>7,}")
    return out


# ---------------------------------------------------------------- binding
def fits(model: ScoringModel, data: LeadData, bound_with: ScoringModel | None = None) -> bool:
    """Can ``model`` be scored on ``data`` as bound (same attributes, types and file columns)?"""
    for a in model.attributes:
        if data.types.get(a.name) != a.type or a.name not in data.frame.columns:
            return False
        if bound_with is not None and bound_with.column_for(a.name) != model.column_for(a.name):
            return False
    if bound_with is not None and bound_with.lead_id != model.lead_id:
        # the ids are the same rows either way; a different id column means a different file layout
        return False
    if model.created_at and model.created_at != data.created and data.created is not None:
        return False
    return True


def rebind(model: ScoringModel, data: LeadData, bound_with: ScoringModel | None = None) -> LeadData:
    """Bind the rows of ``data`` again for ``model`` (see the module docstring).

    ``bound_with`` is the model ``data`` was bound with (its column mapping
    gives back the file's column names); without it the attribute names are
    taken as the column names. The activity log already bound is shared.
    """
    names = {c: (bound_with.column_for(c) if bound_with is not None else c) for c in data.frame.columns}
    raw = data.frame.rename(columns=names)
    if data.extra is not None:
        extra = data.extra[[c for c in data.extra.columns if c not in raw.columns]]
        raw = pd.concat([raw, extra], axis=1)
    lead_col = model.lead_id
    raw = raw.drop(columns=[lead_col], errors="ignore")
    raw.insert(0, lead_col, data.ids.to_numpy())
    out = bind(model, raw, None, as_of=data.as_of, horizon_days=data.horizon_days)
    out.events = data.events
    return out


def resolve_outcome(outcome: Any, data: LeadData) -> tuple[np.ndarray | None, str | None]:
    """An outcome given as a column name (of the lead file) or as an array, read as bool."""
    if outcome is None:
        return None, None
    if isinstance(outcome, str):
        s = None
        if data.extra is not None and outcome in data.extra.columns:
            s = data.extra[outcome]
        elif outcome in data.frame.columns:
            s = data.frame[outcome]
        if s is None:
            raise KeyError(f"there is no column '{outcome}' in the lead file")
        y = parse_outcome(s)
        if y is None:
            raise ValueError(f"column '{outcome}' does not look like an outcome (0/1, true/false, yes/no, won/lost)")
        return y, outcome
    y = np.asarray(outcome)
    if y.dtype != bool:
        parsed = parse_outcome(pd.Series(y))
        if parsed is None:
            raise ValueError("the outcome values are not 0/1, true/false, yes/no or won/lost")
        y = parsed
    if len(y) != len(data):
        raise ValueError(f"the outcome has {len(y):,} values for {len(data):,} leads")
    return y, "outcome"


# ---------------------------------------------------------------- compare
def compare(
    model_a: ScoringModel,
    model_b: ScoringModel,
    data: LeadData,
    *,
    outcome: Any = None,
    data_b: LeadData | None = None,
    limit: int | None = 20,
    scorer_a: Scorer | None = None,
    scorer_b: Scorer | None = None,
) -> Comparison:
    """Score both models on the same leads and compare them (see the module docstring).

    ``data`` holds the leads bound to ``model_a``; ``outcome`` is a column
    name or a bool array (one per lead). ``limit`` caps the number of leads
    listed (with reasons) per side; the totals are always exact. Scorers
    already holding these models and leads may be passed to save a scoring.
    """
    y, outcome_name = resolve_outcome(outcome, data)
    notes: list[str] = []
    rebound = False
    if data_b is None:
        if fits(model_b, data, model_a):
            data_b = data
        else:
            data_b = rebind(model_b, data, model_a)
            rebound = True
            notes.append("Model B reads other attributes than A: the leads were bound a second time for B (same rows, same activity log).")
    if len(data_b) != len(data):
        raise ValueError(f"the two bindings hold {len(data):,} and {len(data_b):,} leads: they must be the same rows")
    missing = [p for p in data_b.problems if p.kind == "missing_column" and p.rules]
    for p in missing:
        notes.append(f"Model B: {p.message}")
    sa = scorer_a if scorer_a is not None else Scorer(model_a, data)
    sb = scorer_b if scorer_b is not None else Scorer(model_b, data_b)
    ra, rb = sa.result, sb.result

    ma = _metrics(model_a, sa, y)
    mb = _metrics(model_b, sb, y)

    lo_a, hi_a = score_bounds(model_a, ra.score)
    lo_b, hi_b = score_bounds(model_b, rb.score)
    lo, hi = min(lo_a, lo_b), max(hi_a, hi_b)
    ha, edges = histogram(ra.score, lo, hi, BINS)
    hb, _ = histogram(rb.score, lo, hi, BINS)

    qa, qb = ra.status >= 1, rb.status >= 1
    masks = {"both": qa & qb, "only_a": qa & ~qb, "only_b": ~qa & qb, "neither": ~qa & ~qb}
    agreement = {k: int(np.count_nonzero(m)) for k, m in masks.items()}
    conv = None
    if y is not None:
        conv = {k: (float(y[m].mean()) if agreement[k] else None) for k, m in masks.items()}

    only_a_rows = _order(np.flatnonzero(masks["only_a"]), ra.score)
    only_b_rows = _order(np.flatnonzero(masks["only_b"]), rb.score)
    if limit is not None:
        only_a_rows, only_b_rows = only_a_rows[:limit], only_b_rows[:limit]
    pairs = _match_rules(model_a, model_b)
    only_a = _differences(only_a_rows, sa, sb, pairs, y, "A")
    only_b = _differences(only_b_rows, sa, sb, pairs, y, "B")
    return Comparison(
        name_a=model_a.name,
        name_b=model_b.name,
        metrics_a=ma,
        metrics_b=mb,
        bin_edges=edges,
        hist_a=ha,
        hist_b=hb,
        agreement=agreement,
        agreement_conversion=conv,
        only_a=only_a,
        only_b=only_b,
        only_a_total=agreement["only_a"],
        only_b_total=agreement["only_b"],
        outcome_name=outcome_name,
        rebound=rebound,
        notes=notes,
    )


def _order(rows: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The strongest handovers first: highest score in the model that hands them over, then row."""
    return rows[np.lexsort((rows, -score[rows]))]


def _metrics(model: ScoringModel, sc: Scorer, y: np.ndarray | None) -> ModelMetrics:
    res = sc.result
    s = summarize(sc)
    weekly = s.weekly
    has_weeks = len(weekly.frame) > 0
    mql = res.status >= 1
    m = ModelMetrics(
        name=model.name,
        version=model.version,
        leads=len(res.score),
        mqls=int(np.count_nonzero(mql)),
        sqls=int(np.count_nonzero(res.status == 2)),
        mqls_per_week=weekly.mean_mqls if has_weeks else None,
        capacity_per_week=float(model.capacity.per_week),
        weeks_over_capacity=weekly.weeks_over if has_weeks else None,
        mql_threshold=float(model.thresholds.mql),
        sql_threshold=None if model.thresholds.sql is None else float(model.thresholds.sql),
    )
    if y is not None:
        from leaddesigner.core.analysis import backtest

        m.auc = _finite(backtest.auc(res.score, y))
        bt = backtest.backtest(res.score, y, mql=mql, n_boot=0)
        cut = bt.mql if bt is not None else None
        if cut is not None:
            m.precision = _finite(cut.precision)
            m.recall = _finite(cut.recall)
            m.mql_conversion = _finite(cut.mql_rate.rate)
            m.non_mql_conversion = _finite(cut.non_mql_rate.rate)
    return m


def _finite(x) -> float | None:
    return None if x is None or not np.isfinite(float(x)) else float(x)


def _match_rules(a: ScoringModel, b: ScoringModel) -> list[tuple[str, list[str], list[str], str]]:
    """Topics: (key, rule ids in A, rule ids in B, label) covering every enabled rule of both models.

    A rule of A and a rule of B are the same topic when their ids match, else
    when their labels match (case-insensitive), else when they score the same
    thing: value/condition rules reading a common attribute, activity rules
    naming a common event type or page (``page_view`` alone does not count).
    Rules left alone form topics of their own. The points of a topic are the
    sums over its rules, so "+20 for company size in A" and "+12 for company
    size band in B" show as one difference of 8, not as two of 20 and 12.
    """
    ra = [r for r in a.rules if r.enabled]
    rb = [r for r in b.rules if r.enabled]
    pairs: list[tuple[list, list]] = []
    left_a, left_b = list(ra), list(rb)
    for key in (lambda r: r.id, lambda r: r.label.strip().lower()):
        by_key = {}
        for r in left_b:
            by_key.setdefault(key(r), r)
        rest = []
        for r in left_a:
            other = by_key.pop(key(r), None)
            if other is not None:
                pairs.append(([r], [other]))
                left_b.remove(other)
            else:
                rest.append(r)
        left_a = rest
    # the rest: group by what they score (union of overlapping subjects)
    items = [("a", r, _subject(r)) for r in left_a] + [("b", r, _subject(r)) for r in left_b]
    parent = list(range(len(items)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if items[i][2] & items[j][2]:
                parent[find(i)] = find(j)
    groups: dict[int, tuple[list, list]] = {}
    for i, (side, r, _) in enumerate(items):
        g = groups.setdefault(find(i), ([], []))
        (g[0] if side == "a" else g[1]).append(r)
    pairs += list(groups.values())
    out = []
    used: set[str] = set()
    for ga, gb in pairs:
        la = " + ".join(r.label for r in ga)
        lb = " + ".join(r.label for r in gb)
        label = la if (la == lb or not lb) else (lb if not la else f"{la} (A) / {lb} (B)")
        key = (ga or gb)[0].id
        if key in used:
            key = f"B:{key}"
        used.add(key)
        out.append((key, [r.id for r in ga], [r.id for r in gb], label))
    return out


def _subject(r) -> set:
    """What a rule scores, as tokens: attributes it reads, or event types/pages it counts."""
    if r.kind != "activity":
        return {("attr", x) for x in r.attributes()}
    tokens = set()

    for c, _ in leaves(r.activity.where):
        if c.op not in ("not_equals", "not_in", "not_contains", "is_empty", "is_not_empty"):
            vals = c.value if isinstance(c.value, list) else [c.value]
            for v in vals:
                t = str(v).strip().lower()
                if t and t != "page_view":
                    tokens.add(("event", t))
    return tokens


def _values_text(model: ScoringModel, data: LeadData, rule_ids: list[str], row: int) -> str:
    attrs = []
    for rid in rule_ids:
        for a in model.rule(rid).attributes():
            if a not in attrs:
                attrs.append(a)
    parts = []
    for attr in attrs[:3]:
        if attr not in data.frame.columns:
            continue
        v = data.frame[attr].iloc[row]
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            text = "empty"
        elif isinstance(v, pd.Timestamp):
            text = f"{v:%Y-%m-%d}"
        else:
            text = number(v) if isinstance(v, (int, float, np.integer, np.floating)) else str(v)
        parts.append(f"{attr.replace('_', ' ')} = {text}")
    return ", ".join(parts)


def _differences(rows: np.ndarray, sa: Scorer, sb: Scorer, pairs, y, side: str) -> list[LeadDifference]:
    if len(rows) == 0:
        return []
    pa = sa.points_frame(rows)
    pb = sb.points_frame(rows)
    ma, mb = sa.model, sb.model
    names_a, names_b = sa.grade_names(), sb.grade_names()
    out = []
    for j, i in enumerate(rows):
        i = int(i)
        diffs = []
        for key, ids_a, ids_b, label in pairs:
            va = float(sum(pa[r].iloc[j] for r in ids_a if r in pa.columns))
            vb = float(sum(pb[r].iloc[j] for r in ids_b if r in pb.columns))
            if abs(va - vb) < 1e-9:
                continue
            values = _values_text(ma, sa.data, ids_a, i) or _values_text(mb, sb.data, ids_b, i)
            diffs.append(RuleDifference(key, label, va, vb, bool(ids_a), bool(ids_b), values))
        diffs.sort(key=lambda d: (-abs(d.difference), d.key))
        top = diffs[:TOP_RULES]
        ra, rb = sa.result, sb.result
        notes = _gate_notes(sa, sb, i, side, sum(d.difference for d in diffs))
        ga = names_a[int(ra.grade[i])] if names_a else None
        gb = names_b[int(rb.grade[i])] if names_b else None
        out.append(
            LeadDifference(
                lead_id=str(sa.data.ids[i]),
                row=i,
                score_a=float(ra.score[i]),
                score_b=float(rb.score[i]),
                status_a=STATUSES[int(ra.status[i])],
                status_b=STATUSES[int(rb.status[i])],
                grade_a=ga,
                grade_b=gb,
                rules=top,
                notes=notes,
                converted=None if y is None else bool(y[i]),
            )
        )
    return out


def _gate_notes(sa: Scorer, sb: Scorer, i: int, side: str, rule_diff: float) -> list[str]:
    """Why the lead is handed over by one model only, beyond rule points."""
    notes = []
    score_diff = float(sa.result.score[i] - sb.result.score[i])
    if abs(score_diff - rule_diff) > 1e-6:
        notes.append(
            f"caps and the score range change the difference: the rules differ by {pts_text(round(rule_diff, 2))} "
            f"points, the scores by {pts_text(round(score_diff, 2))}"
        )
    ta, tb = sa.model.thresholds.mql, sb.model.thresholds.mql
    # the lead would pass in the other model with the handing model's (lower) threshold
    held, t_held, t_hand, held_label = (
        (float(sb.result.score[i]), tb, ta, "B") if side == "A" else (float(sa.result.score[i]), ta, tb, "A")
    )
    if t_hand <= held < t_held:
        notes.append(
            f"the MQL threshold decides: {held_label} needs {number(t_held)}, the other model {number(t_hand)}; "
            f"this lead scores {number(round(held, 2))} in {held_label}"
        )
    # the model that does not hand the lead over: was it the grade gate?
    sc, label = (sb, "B") if side == "A" else (sa, "A")
    cells = sc.model.grades.mql_cells
    names = sc.grade_names()
    if cells is not None and names:
        grade = names[int(sc.result.grade[i])]
        if float(sc.result.score[i]) >= sc.model.thresholds.mql and grade not in cells:
            notes.append(
                f"{label} hands over only grades {', '.join(cells)}; in {label} this lead is {grade} "
                f"although its score ({number(round(float(sc.result.score[i]), 2))}) reaches the threshold"
            )
    return notes
