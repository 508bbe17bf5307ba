"""The scoring model: plain dataclasses, conversion to and from the YAML structure.

The model's dataclasses and their dict mapping are the file format: one place
to read when production asks what a field means. The file's words (types,
formats, operators) are in :mod:`.vocabulary` and the condition language of
``when`` / ``where`` in :mod:`.conditions`; both are re-exported here.

The YAML file is the contract with production systems; this module is the one
place that knows how a model maps to plain dicts and lists (``from_dict`` /
``to_dict``). Structural validation happens before ``from_dict`` (see
:mod:`leaddesigner.core.model.validate`), so ``from_dict`` may assume well-formed input.

Scoring order (the engine and the SQL export follow it exactly):

1. each enabled rule gives points per lead (condition rules: ``points`` when
   the condition holds; value maps: the mapped points; activity rules:
   ``points`` per matching event times its decay factor, limited in magnitude
   by ``max_points``);
2. engagement rules are multiplied by the lead's persona weight;
3. rules sharing a ``group`` are summed and the sum is clipped to the group cap;
4. groups and ungrouped rules are summed per dimension and clipped to the
   dimension cap: these are ``fit_score`` and ``engagement_score``;
5. ``score`` = fit + engagement, clipped to ``score_range``;
6. grades come from the (capped) dimension scores, status from ``score``;
7. product scores are the sums of step-2 points of the rules tagged with a
   product (caps do not apply to them).
"""
from __future__ import annotations

import copy
import datetime as _dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leaddesigner.core.model.accounts import Accounts

from leaddesigner.core.model.conditions import (  # noqa: F401 - the model's names stay importable from here
    OP_WORDS,
    AllOf,
    AnyOf,
    Condition,
    Leaf,
    Not,
    condition_attributes,
    condition_from_dict,
    condition_text,
    condition_to_dict,
    leaves,
    plain_number,
    plain_value,
)
from leaddesigner.core.model.vocabulary import (  # noqa: F401 - the model's names stay importable from here
    ACTIVITY_FIELDS,
    ATTRIBUTE_KINDS,
    ATTRIBUTE_TYPES,
    DATE_FORMATS,
    DIMENSIONS,
    LIST_OPS,
    NO_VALUE_OPS,
    NUMBER_FORMATS,
    OPERATORS,
    SCHEMA_VERSION,
    STATUSES,
    TEXT_OPS,
)


# ---------------------------------------------------------------- rules
@dataclass
class Bin:
    """Numeric band ``lower <= x < upper``; ``None`` means unbounded."""

    lower: float | None
    upper: float | None
    points: float


@dataclass
class ValueMap:
    """One rule mapping an attribute's values (or numeric bins) to points.

    Unlisted non-missing values get ``default``; missing values get 0.
    """

    attribute: str
    values: dict[str, float] | None = None
    bins: list[Bin] | None = None
    default: float = 0.0
    case_sensitive: bool = False


@dataclass
class Decay:
    """Half-life in days, or a linear loss of ``linear_pct`` percent per ``period_days``."""

    half_life_days: float | None = None
    linear_pct: float | None = None
    period_days: float = 7.0

    def describe(self) -> str:
        if self.half_life_days is not None:
            return f"half-life {plain_number(self.half_life_days)} days"
        return f"-{plain_number(self.linear_pct)}% per {plain_number(self.period_days)} days"


@dataclass
class ActivitySpec:
    """Count events matching ``where`` within ``within_days`` before the as-of date."""

    where: Condition | None = None
    within_days: float | None = None
    max_points: float | None = None
    decay: Decay | None = None


@dataclass
class Rule:
    id: str
    label: str
    dimension: str
    points: float = 0.0
    when: Condition | None = None
    map: ValueMap | None = None
    activity: ActivitySpec | None = None
    group: str | None = None
    product: str | None = None
    enabled: bool = True
    why: str | None = None

    @property
    def kind(self) -> str:
        """``condition``, ``map`` or ``activity``."""
        if self.activity is not None:
            return "activity"
        if self.map is not None:
            return "map"
        return "condition"

    def attributes(self) -> list[str]:
        """Lead attributes this rule reads (activity rules read none)."""
        if self.map is not None:
            return [self.map.attribute]
        if self.activity is not None:
            return []
        return condition_attributes(self.when)

    def describe(self) -> str:
        """The rule's condition in plain words."""
        if self.map is not None:
            m = self.map
            if m.values is not None:
                parts = [f"{k}: {signed_number(v)}" for k, v in m.values.items()]
            else:
                parts = [f"{band_text(b)}: {signed_number(b.points)}" for b in m.bins or []]
            if m.default:
                parts.append(f"other: {signed_number(m.default)}")
            return f"{m.attribute} -> " + ", ".join(parts)
        if self.activity is not None:
            a = self.activity
            text = "each event" if a.where is None else "each event where " + condition_text(a.where)
            if a.within_days is not None:
                text += f" in the last {plain_number(a.within_days)} days"
            text += f": {signed_number(self.points)}"
            if a.max_points is not None:
                text += f", at most {plain_number(a.max_points)}"
            if a.decay is not None:
                text += f", {a.decay.describe()}"
            return text
        return condition_text(self.when)


def signed_number(v: float) -> str:
    """Points with their sign: ``+5``, ``-2.5``, ``0``."""
    return ("+" if v > 0 else "") + plain_number(v)


def band_text(b: Bin) -> str:
    """A number band as people write it: ``< 10``, ``10-50``, ``>= 50``."""
    if b.lower is None:
        return f"< {plain_number(b.upper)}"
    if b.upper is None:
        return f">= {plain_number(b.lower)}"
    return f"{plain_number(b.lower)}-{plain_number(b.upper)}"


# ---------------------------------------------------------------- the rest
@dataclass
class Attribute:
    name: str
    type: str = "category"
    kind: str = "other"
    description: str | None = None
    #: how the file writes the values, where detection should not decide: dates 'ISO', 'M/D/Y',
    #: 'D/M/Y', 'unix_s', 'unix_ms', 'excel'; numbers '1,234.5' or '1.234,5' (see coerce.coerce_types)
    format: str | None = None


@dataclass
class ActivityColumns:
    """Columns of the activity log file (one row per event)."""

    lead_id: str = "lead_id"
    timestamp: str = "timestamp"
    type: str = "type"
    detail: str | None = "url"


@dataclass
class Range:
    min: float | None = None
    max: float | None = None


@dataclass
class Caps:
    dimensions: dict[str, Range] = field(default_factory=dict)
    groups: dict[str, Range] = field(default_factory=dict)


@dataclass
class Persona:
    """Scale engagement points by a persona column (buying-group weighting)."""

    attribute: str
    weights: dict[str, float]
    default: float = 1.0


@dataclass
class Thresholds:
    mql: float = 50.0
    sql: float | None = None


@dataclass
class Grades:
    """Band name -> minimum dimension score, highest first; the last band catches the rest."""

    fit: dict[str, float | None] = field(default_factory=dict)
    engagement: dict[str, float | None] = field(default_factory=dict)
    #: if set, only leads whose grade is one of these cells can be MQL or SQL
    mql_cells: list[str] | None = None


#: how the SDR queue orders leads of the same routing rank
QUEUE_ORDERS = ("fifo", "score")


@dataclass
class Capacity:
    """The SDR team that works the MQLs, and its follow-up promise.

    ``leads_per_sdr_per_day``, when set, replaces ``leads_per_sdr_per_week``
    (which is then spread evenly over the ``working_days``, Monday first).
    SDRs touch leads during ``workday_hours`` hours from ``workday_start``
    (hour of day) on working days. ``routing`` lists grade cells worked first,
    in that order (cells not listed come after them); inside one rank leads are
    taken by ``order`` (``fifo``: oldest arrival first; ``score``: highest score
    first). ``sla_target`` is the share of MQLs that must be touched within
    ``sla_hours`` for the SLA to count as met; the SLA clock runs around the
    clock, or only during working hours with ``sla_working_hours``.
    """

    sdrs: int = 1
    leads_per_sdr_per_week: float = 50.0
    sla_hours: float = 24.0
    working_days: int = 5
    leads_per_sdr_per_day: float | None = None
    workday_start: float = 9.0
    workday_hours: float = 8.0
    routing: list[str] | None = None
    order: str = "fifo"
    sla_target: float = 0.9
    sla_working_hours: bool = False

    @property
    def per_sdr_day(self) -> float:
        """Leads one SDR touches on one working day."""
        if self.leads_per_sdr_per_day is not None:
            return float(self.leads_per_sdr_per_day)
        return self.leads_per_sdr_per_week / max(self.working_days, 1)

    @property
    def per_day(self) -> float:
        """Leads the team touches on one working day."""
        return self.sdrs * self.per_sdr_day

    @property
    def per_week(self) -> float:
        if self.leads_per_sdr_per_day is not None:
            return self.sdrs * self.leads_per_sdr_per_day * self.working_days
        return self.sdrs * self.leads_per_sdr_per_week


@dataclass
class RecycleOutcome:
    """A lead-file column whose ``values`` mean "sent back", dated by the ``date`` column.

    Both are lead-file columns: a declared attribute's name or any other column
    of the lead file (outcome columns are often not attributes). Values compare
    case-insensitively.
    """

    column: str
    values: list[str]
    date: str


@dataclass
class Recycling:
    """When an MQL goes back to nurture, and when it may come back ("re-MQL").

    A lead is recycled when it is an MQL (or SQL) and

    * ``disqualified`` or ``closed_lost`` says so (at that column's date), or
    * ``no_response_days`` pass after it became an MQL without a response event
      (an activity-log event whose type is in ``response_types``; any event when
      that is not set); it is recycled at the end of the last of those days.

    After ``cooldown_days`` a recycled lead re-MQLs when its status is MQL again
    after having been below MQL at some moment since the recycle (a fresh
    crossing). With ``reset_engagement`` the activity-log events before the
    recycle moment stop counting for it (all activity rules), so the lead must
    earn its engagement points again.
    """

    disqualified: RecycleOutcome | None = None
    closed_lost: RecycleOutcome | None = None
    no_response_days: float | None = None
    response_types: list[str] | None = None
    cooldown_days: float = 30.0
    reset_engagement: bool = True

    def outcomes(self) -> list[tuple[str, RecycleOutcome]]:
        return [(k, o) for k, o in (("disqualified", self.disqualified), ("closed_lost", self.closed_lost)) if o is not None]


def is_iso_day(text: str) -> bool:
    """True for a real calendar day written YYYY-MM-DD (2026-02-30 and 20261122 are not)."""
    try:
        _dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


@dataclass
class ChangelogEntry:
    date: str
    author: str
    note: str


@dataclass
class Outcome:
    """Which lead-file column says a lead converted (see :mod:`leaddesigner.core.data.outcome`).

    ``positive``: the values that mean converted (None: a yes/no column, or a
    date column where filled means converted). ``date``: the column that says
    when, if another one.
    """

    column: str
    positive: list[str] | None = None
    date: str | None = None
    #: columns recorded with or after the outcome (sales notes, stages): never scored, never fitted on
    recorded_after: list[str] | None = None


@dataclass
class ScoringModel:
    name: str = "Untitled model"
    description: str | None = None
    version: str | None = None
    owners: list[str] = field(default_factory=list)
    definitions: dict[str, str] = field(default_factory=dict)
    lead_id: str = "lead_id"
    created_at: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    attributes: list[Attribute] = field(default_factory=list)
    activities: ActivityColumns | None = None
    persona: Persona | None = None
    products: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    caps: Caps = field(default_factory=Caps)
    score_range: Range | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    grades: Grades = field(default_factory=Grades)
    capacity: Capacity = field(default_factory=Capacity)
    recycling: Recycling | None = None
    #: how contact scores roll up to accounts (see :mod:`leaddesigner.core.model.accounts`); None: not set
    accounts: Accounts | None = None
    #: what "converted" means in the lead file; None until the user has said so
    outcome: Outcome | None = None
    changelog: list[ChangelogEntry] = field(default_factory=list)
    #: what loading the file noticed without refusing it (not saved; see modelio.values_as_written)
    load_notes: list[str] = field(default_factory=list, repr=False, compare=False)

    # -- lookups
    def attribute(self, name: str) -> Attribute | None:
        for a in self.attributes:
            if a.name == name:
                return a
        return None

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def rule_index(self, rule_id: str) -> int:
        for i, r in enumerate(self.rules):
            if r.id == rule_id:
                return i
        raise KeyError(rule_id)

    def column_for(self, attribute: str) -> str:
        """The file column that holds ``attribute``."""
        return self.columns.get(attribute, attribute)

    def copy(self) -> ScoringModel:
        return copy.deepcopy(self)


# ---------------------------------------------------------------- dict <-> model
def _range(d: dict | None) -> Range | None:
    if d is None:
        return None
    return Range(d.get("min"), d.get("max"))


def _range_dict(r: Range) -> dict:
    out = {}
    if r.min is not None:
        out["min"] = _plain(r.min)
    if r.max is not None:
        out["max"] = _plain(r.max)
    return out


def rule_from_dict(d: dict) -> Rule:
    m = None
    if "map" in d:
        md = d["map"]
        bins = None
        if "bins" in md:
            bins = [Bin(b.get("from"), b.get("to"), float(b["points"])) for b in md["bins"]]
        values = None
        if "values" in md:
            values = {str(k): float(v) for k, v in md["values"].items()}
        m = ValueMap(
            md["attribute"], values, bins, float(md.get("default", 0)), bool(md.get("case_sensitive", False))
        )
    act = None
    if "activity" in d:
        ad = d["activity"] or {}
        decay = None
        if "decay" in ad:
            dd = ad["decay"]
            decay = Decay(dd.get("half_life_days"), dd.get("linear_pct"), dd.get("period_days", 7.0))
        act = ActivitySpec(
            condition_from_dict(ad["where"]) if "where" in ad else None,
            ad.get("within_days"),
            ad.get("max_points"),
            decay,
        )
    return Rule(
        id=str(d["id"]),
        label=d.get("label") or str(d["id"]),
        dimension=d["dimension"],
        points=float(d.get("points", 0)),
        when=condition_from_dict(d["when"]) if "when" in d else None,
        map=m,
        activity=act,
        group=d.get("group"),
        product=d.get("product"),
        enabled=bool(d.get("enabled", True)),
        why=d.get("why"),
    )


def rule_to_dict(r: Rule) -> dict:
    out: dict[str, Any] = {"id": r.id, "label": r.label, "dimension": r.dimension}
    if not r.enabled:
        out["enabled"] = False
    if r.group:
        out["group"] = r.group
    if r.product:
        out["product"] = r.product
    if r.when is not None:
        out["when"] = condition_to_dict(r.when)
    if r.map is not None:
        m = r.map
        md: dict[str, Any] = {"attribute": m.attribute}
        if m.values is not None:
            md["values"] = {k: _plain(v) for k, v in m.values.items()}
        if m.bins is not None:
            bl = []
            for b in m.bins:
                bd: dict[str, Any] = {}
                if b.lower is not None:
                    bd["from"] = _plain(b.lower)
                if b.upper is not None:
                    bd["to"] = _plain(b.upper)
                bd["points"] = _plain(b.points)
                bl.append(bd)
            md["bins"] = bl
        if m.default:
            md["default"] = _plain(m.default)
        if m.case_sensitive:
            md["case_sensitive"] = True
        out["map"] = md
    if r.activity is not None:
        a = r.activity
        ad: dict[str, Any] = {}
        if a.where is not None:
            ad["where"] = condition_to_dict(a.where)
        if a.within_days is not None:
            ad["within_days"] = _plain(a.within_days)
        if a.max_points is not None:
            ad["max_points"] = _plain(a.max_points)
        if a.decay is not None:
            if a.decay.half_life_days is not None:
                ad["decay"] = {"half_life_days": _plain(a.decay.half_life_days)}
            else:
                ad["decay"] = {"linear_pct": _plain(a.decay.linear_pct), "period_days": _plain(a.decay.period_days)}
        out["activity"] = ad
    if r.map is None:
        out["points"] = _plain(r.points)
    if r.why:
        out["why"] = r.why
    return out


def from_dict(d: dict) -> ScoringModel:
    """Build a model from a validated, migrated dict (see ``validate.load_model``)."""
    from leaddesigner.core.model.accounts import accounts_from_dict

    caps = d.get("caps") or {}
    grades = d.get("grades") or {}
    thr = d.get("thresholds") or {}
    cap = d.get("capacity") or {}
    act = d.get("activities")
    persona = d.get("persona")
    return ScoringModel(
        name=d.get("name", "Untitled model"),
        description=d.get("description"),
        version=None if d.get("version") is None else str(d.get("version")),
        owners=list(d.get("owners") or []),
        definitions=dict(d.get("definitions") or {}),
        lead_id=d.get("lead_id", "lead_id"),
        created_at=d.get("created_at"),
        columns=dict(d.get("columns") or {}),
        attributes=[
            Attribute(a["name"], a.get("type", "category"), a.get("kind", "other"), a.get("description"), a.get("format"))
            for a in d.get("attributes") or []
        ],
        activities=None
        if act is None
        else ActivityColumns(
            act.get("lead_id", "lead_id"), act.get("timestamp", "timestamp"), act.get("type", "type"), act.get("detail", "url")
        ),
        persona=None
        if persona is None
        else Persona(
            persona["attribute"], {str(k): float(v) for k, v in persona["weights"].items()}, float(persona.get("default", 1.0))
        ),
        products=[str(p) for p in d.get("products") or []],
        rules=[rule_from_dict(r) for r in d.get("rules") or []],
        caps=Caps(
            {k: _range(v) for k, v in (caps.get("dimensions") or {}).items()},
            {k: _range(v) for k, v in (caps.get("groups") or {}).items()},
        ),
        score_range=_range(d.get("score_range")),
        thresholds=Thresholds(float(thr.get("mql", 50)), None if thr.get("sql") is None else float(thr["sql"])),
        grades=Grades(
            {str(k): v for k, v in (grades.get("fit") or {}).items()},
            {str(k): v for k, v in (grades.get("engagement") or {}).items()},
            None if grades.get("mql_cells") is None else [str(c) for c in grades["mql_cells"]],
        ),
        capacity=Capacity(
            int(cap.get("sdrs", 1)),
            float(cap.get("leads_per_sdr_per_week", 50)),
            float(cap.get("sla_hours", 24)),
            int(cap.get("working_days", 5)),
            None if cap.get("leads_per_sdr_per_day") is None else float(cap["leads_per_sdr_per_day"]),
            float(cap.get("workday_start", 9)),
            float(cap.get("workday_hours", 8)),
            None if cap.get("routing") is None else [str(c) for c in cap["routing"]],
            str(cap.get("order", "fifo")),
            float(cap.get("sla_target", 0.9)),
            bool(cap.get("sla_working_hours", False)),
        ),
        recycling=recycling_from_dict(d.get("recycling")),
        accounts=accounts_from_dict(d.get("accounts")),
        outcome=outcome_from_dict(d.get("outcome")),
        changelog=[ChangelogEntry(str(c["date"]), c["author"], c["note"]) for c in d.get("changelog") or []],
    )


def to_dict(m: ScoringModel) -> dict:
    """The model as plain data in the canonical key order of the YAML format."""
    from leaddesigner.core.model.accounts import accounts_to_dict

    out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "name": m.name}
    if m.description:
        out["description"] = m.description
    if m.version is not None:
        out["version"] = m.version
    if m.owners:
        out["owners"] = list(m.owners)
    if m.definitions:
        out["definitions"] = dict(m.definitions)
    out["lead_id"] = m.lead_id
    if m.created_at:
        out["created_at"] = m.created_at
    if m.columns:
        out["columns"] = dict(m.columns)
    out["attributes"] = []
    for a in m.attributes:
        ad: dict[str, Any] = {"name": a.name, "type": a.type, "kind": a.kind}
        if a.description:
            ad["description"] = a.description
        if a.format:
            ad["format"] = a.format
        out["attributes"].append(ad)
    if m.activities is not None:
        a = m.activities
        # detail: null says "the log has no detail column" (left out, it means the default 'url')
        out["activities"] = {"lead_id": a.lead_id, "timestamp": a.timestamp, "type": a.type, "detail": a.detail}
    if m.persona is not None:
        p = m.persona
        out["persona"] = {"attribute": p.attribute, "weights": {k: _plain(v) for k, v in p.weights.items()}}
        if p.default != 1.0:
            out["persona"]["default"] = _plain(p.default)
    if m.products:
        out["products"] = list(m.products)
    out["rules"] = [rule_to_dict(r) for r in m.rules]
    caps: dict[str, Any] = {}
    if m.caps.dimensions:
        caps["dimensions"] = {k: _range_dict(v) for k, v in m.caps.dimensions.items()}
    if m.caps.groups:
        caps["groups"] = {k: _range_dict(v) for k, v in m.caps.groups.items()}
    if caps:
        out["caps"] = caps
    if m.score_range is not None:
        out["score_range"] = _range_dict(m.score_range)
    thr: dict[str, Any] = {"mql": _plain(m.thresholds.mql)}
    if m.thresholds.sql is not None:
        thr["sql"] = _plain(m.thresholds.sql)
    out["thresholds"] = thr
    g: dict[str, Any] = {}
    if m.grades.fit:
        g["fit"] = {k: _plain(v) for k, v in m.grades.fit.items()}
    if m.grades.engagement:
        g["engagement"] = {k: _plain(v) for k, v in m.grades.engagement.items()}
    if m.grades.mql_cells is not None:
        g["mql_cells"] = list(m.grades.mql_cells)
    if g:
        out["grades"] = g
    c = m.capacity
    out["capacity"] = {
        "sdrs": c.sdrs,
        "leads_per_sdr_per_week": _plain(c.leads_per_sdr_per_week),
        "sla_hours": _plain(c.sla_hours),
    }
    if c.working_days != 5:
        out["capacity"]["working_days"] = c.working_days
    if c.leads_per_sdr_per_day is not None:
        out["capacity"]["leads_per_sdr_per_day"] = _plain(c.leads_per_sdr_per_day)
    if c.workday_start != 9.0:
        out["capacity"]["workday_start"] = _plain(c.workday_start)
    if c.workday_hours != 8.0:
        out["capacity"]["workday_hours"] = _plain(c.workday_hours)
    if c.routing is not None:
        out["capacity"]["routing"] = list(c.routing)
    if c.order != "fifo":
        out["capacity"]["order"] = c.order
    if c.sla_target != 0.9:
        out["capacity"]["sla_target"] = _plain(c.sla_target)
    if c.sla_working_hours:
        out["capacity"]["sla_working_hours"] = True
    if m.recycling is not None:
        out["recycling"] = recycling_to_dict(m.recycling)
    if m.accounts is not None:
        out["accounts"] = accounts_to_dict(m.accounts)
    if m.outcome is not None:
        out["outcome"] = outcome_to_dict(m.outcome)
    if m.changelog:
        out["changelog"] = [{"date": e.date, "author": e.author, "note": e.note} for e in m.changelog]
    return out


def outcome_from_dict(d: dict | None) -> Outcome | None:
    if not d:
        return None
    pos = d.get("positive")
    if isinstance(pos, str):
        pos = [pos]
    after = d.get("recorded_after")
    return Outcome(str(d["column"]), None if not pos else [str(v) for v in pos], None if d.get("date") is None else str(d["date"]),
                   None if not after else [str(c) for c in after])


def outcome_to_dict(o: Outcome) -> dict:
    out: dict[str, Any] = {"column": o.column}
    if o.positive:
        out["positive"] = list(o.positive)
    if o.date:
        out["date"] = o.date
    if o.recorded_after:
        out["recorded_after"] = list(o.recorded_after)
    return out


def recycling_from_dict(d: dict | None) -> Recycling | None:
    if d is None:
        return None

    def outcome(o: dict | None) -> RecycleOutcome | None:
        if o is None:
            return None
        vals = o.get("values")
        vals = [vals] if not isinstance(vals, list) else vals
        return RecycleOutcome(str(o["column"]), [_text(v) for v in vals], str(o["date"]))

    nr = d.get("no_response_days")
    rt = d.get("response_types")
    return Recycling(
        outcome(d.get("disqualified")),
        outcome(d.get("closed_lost")),
        None if nr is None else float(nr),
        None if rt is None else [str(t) for t in rt],
        float(d.get("cooldown_days", 30)),
        bool(d.get("reset_engagement", True)),
    )


def recycling_to_dict(r: Recycling) -> dict:
    out: dict[str, Any] = {}
    for key, o in r.outcomes():
        out[key] = {"column": o.column, "values": list(o.values), "date": o.date}
    if r.no_response_days is not None:
        out["no_response_days"] = _plain(r.no_response_days)
    if r.response_types is not None:
        out["response_types"] = list(r.response_types)
    out["cooldown_days"] = _plain(r.cooldown_days)
    out["reset_engagement"] = r.reset_engagement
    return out


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


_plain = plain_value
