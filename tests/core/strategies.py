"""Hypothesis strategies: random (valid) scoring models and random messy lead data.

Models use every rule kind and operator, nesting, negative points, maps with
values and bins, activity rules with windows/caps/decay, groups, caps, score
range, persona weighting, products, grades with mql_cells and thresholds.
Data has missing values in every column, mixed-case text, dates and events on
both sides of the as-of moment, and events of leads that are not in the file.
"""
from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

from leaddesigner.core.model import (
    ActivityColumns,
    ActivitySpec,
    AllOf,
    AnyOf,
    Attribute,
    Bin,
    Caps,
    Decay,
    Grades,
    Leaf,
    Not,
    Persona,
    Range,
    Rule,
    ScoringModel,
    Thresholds,
    ValueMap,
)

AS_OF = pd.Timestamp("2026-03-15 00:00:00")
MINUTE_NS = 60 * 10**9
DAY_NS = 86_400 * 10**9

CAT_POOL = ["Software", "software", "SOFTWARE", "Finance", "fin-tech", "Retail", "Health care", "Ünïcode", "x.y", "10"]
CAT_VALUES = CAT_POOL + ["Other", "soft", "RETAIL", "ünïcode", "care"]
TXT_POOL = ["CEO", "Chief Executive Officer", "vp sales", "VP Marketing", "Head of Sales", "intern", "sales ops", "Data (BI) analyst", "a+b", "ceo"]
TXT_VALUES = ["ceo", "CEO", "VP", "sales", "Head", "ops", "(BI)", "a+b", "Executive", "ch", "x"]
REGEXES = ["^vp", "sales$", "c.o", "(ceo|cfo)", r"\(bi\)", "^[a-z ]+$", "Head", "oft", "^1"]
NUM_POOL = [-5.0, 0.0, 1.0, 9.5, 10.0, 50.0, 99.99, 100.0, 250.0, 1000.0]
BOOL_RAW = ["yes", "no", "TRUE", "0", "1", "false"]
PERSONA_POOL = ["Decision maker", "decision MAKER", "Influencer", "user", "USER", "Gatekeeper", "unlisted role"]
EVENT_TYPES = ["visit", "Visit", "email_open", "webinar", "pricing_view", "form_submit"]
EVENT_DETAILS = ["/pricing", "/Pricing/enterprise", "/blog/ai", "/docs/start", "/"]
EVENT_VALUES = ["visit", "pricing", "/pricing", "blog", "email", "webinar", "VISIT", "/", "form"]
EVENT_REGEXES = ["^/pricing", "enterprise$", "blog|docs", "^v", "_"]

ATTRS = [
    Attribute("industry", "category", "firmographic"),
    Attribute("segment", "category", "firmographic"),
    Attribute("title", "text", "demographic"),
    Attribute("employees", "number", "firmographic"),
    Attribute("visits", "number", "behavioural"),
    Attribute("opted_in", "boolean", "form"),
    Attribute("created", "date", "system"),
    Attribute("last_seen", "date", "behavioural"),
    Attribute("persona", "category", "demographic"),
]
#: attribute name -> file column name where they differ
COLUMNS = {"employees": "Employee Count", "title": "Job Title"}
TYPES = {a.name: a.type for a in ATTRS}
ATTRS_OF = {t: [a.name for a in ATTRS if a.type == t] for t in ("category", "text", "number", "boolean", "date")}

POINTS = st.one_of(st.integers(-20, 40).map(float), st.sampled_from([2.5, -7.25, 0.1, 13.75]))
SMALL_POINTS = st.one_of(st.integers(-6, 15).map(float), st.sampled_from([0.5, -2.5, 3.3]))
DATE_VALUES = [(AS_OF - pd.Timedelta(days=d)).strftime("%Y-%m-%d") for d in (-3, 0, 1, 7, 30, 200)]


# ---------------------------------------------------------------- conditions
def _text_value(values: list[str], regexes: list[str], op: str):
    if op == "regex":
        return st.one_of(st.sampled_from(regexes), st.lists(st.sampled_from(regexes), min_size=1, max_size=3, unique=True))
    if op in ("equals", "not_equals"):
        return st.sampled_from(values)
    if op in ("in", "not_in"):
        return st.lists(st.sampled_from(values), min_size=1, max_size=4, unique=True)
    return st.one_of(st.sampled_from(values), st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))


TEXT_OPS = ["equals", "not_equals", "in", "not_in", "contains", "not_contains", "starts_with", "ends_with", "regex", "is_empty", "is_not_empty"]
NUM_OPS = ["equals", "not_equals", "in", "not_in", "gt", "gte", "lt", "lte", "between", "is_empty", "is_not_empty"]
BOOL_OPS = ["equals", "not_equals", "is_empty", "is_not_empty"]
DATE_OPS = ["within_days", "older_than_days", "before", "after", "is_empty", "is_not_empty"]


@st.composite
def leaf(draw, attrs: dict[str, str] | None = None, event: bool = False):
    if event:
        name = draw(st.sampled_from(["type", "detail"]))
        atype = "category" if name == "type" else "text"
    else:
        name = draw(st.sampled_from(sorted(attrs)))
        atype = attrs[name]
    if atype in ("category", "text"):
        op = draw(st.sampled_from(TEXT_OPS))
        if op in ("is_empty", "is_not_empty"):
            return Leaf(name, op)
        if event:
            values, regexes = EVENT_VALUES, EVENT_REGEXES
        elif name == "persona":
            values, regexes = PERSONA_POOL + ["maker", "user"], ["^user$", "maker", "^[dg]"]
        elif atype == "category":
            values, regexes = CAT_VALUES, REGEXES
        else:
            values, regexes = TXT_VALUES, REGEXES
        value = draw(_text_value(values, regexes, op))
        return Leaf(name, op, value, draw(st.booleans()))
    if atype == "number":
        op = draw(st.sampled_from(NUM_OPS))
        if op in ("is_empty", "is_not_empty"):
            return Leaf(name, op)
        num = st.sampled_from(NUM_POOL)
        if op in ("in", "not_in"):
            return Leaf(name, op, draw(st.lists(num, min_size=1, max_size=4, unique=True)))
        if op == "between":
            a, b = sorted([draw(num), draw(num)])
            return Leaf(name, op, [a, b])
        return Leaf(name, op, draw(num))
    if atype == "boolean":
        op = draw(st.sampled_from(BOOL_OPS))
        if op in ("is_empty", "is_not_empty"):
            return Leaf(name, op)
        return Leaf(name, op, draw(st.booleans()))
    op = draw(st.sampled_from(DATE_OPS))
    if op in ("is_empty", "is_not_empty"):
        return Leaf(name, op)
    if op in ("within_days", "older_than_days"):
        return Leaf(name, op, draw(st.sampled_from([0, 1, 7, 14, 30, 90, 2.5])))
    return Leaf(name, op, draw(st.sampled_from(DATE_VALUES)))


def condition(attrs: dict[str, str] | None = None, event: bool = False, depth: int = 3):
    base = leaf(attrs, event)
    if depth <= 0:
        return base
    sub = condition(attrs, event, depth - 1)
    return st.one_of(
        base,
        base,
        st.lists(sub, min_size=1, max_size=3).map(AllOf),
        st.lists(sub, min_size=1, max_size=3).map(AnyOf),
        sub.map(Not),
    )


# ---------------------------------------------------------------- rules
@st.composite
def value_map(draw):
    name = draw(st.sampled_from(ATTRS_OF["category"] + ATTRS_OF["text"] + ATTRS_OF["number"] + ATTRS_OF["boolean"]))
    atype = TYPES[name]
    default = draw(st.sampled_from([0.0, 0.0, -3.0, 2.0]))
    if atype == "number":
        cuts = sorted(draw(st.lists(st.sampled_from(NUM_POOL + [5.0, 20.0, 500.0]), min_size=1, max_size=5, unique=True)))
        open_lo, open_hi = draw(st.booleans()), draw(st.booleans())
        edges = ([None] if open_lo else []) + cuts + ([None] if open_hi else [])
        if len(edges) < 2:
            edges = [None] + cuts
        bins = []
        for lo, hi in zip(edges, edges[1:]):
            if draw(st.integers(0, 4)) == 0 and len(bins) > 0:
                continue  # leave a gap: values there get the default
            bins.append(Bin(lo, hi, draw(POINTS)))
        if not bins:
            bins = [Bin(edges[0], edges[1], draw(POINTS))]
        return ValueMap(name, bins=bins, default=default)
    if atype == "boolean":
        t = draw(st.sampled_from(["true", "yes"]))
        f = draw(st.sampled_from(["false", "no"]))
        keys = draw(st.lists(st.sampled_from([t, f]), min_size=1, max_size=2, unique=True))
        return ValueMap(name, values={k: draw(POINTS) for k in keys}, default=default)
    pool = CAT_VALUES if atype == "category" else TXT_POOL + TXT_VALUES
    case_sensitive = draw(st.booleans())
    keys = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=5, unique_by=(lambda k: k) if case_sensitive else str.lower))
    return ValueMap(name, values={k: draw(POINTS) for k in keys}, default=default, case_sensitive=case_sensitive)


@st.composite
def activity_spec(draw):
    where = draw(st.one_of(st.none(), condition(event=True, depth=2)))
    within = draw(st.sampled_from([None, None, 0.5, 1, 7, 14, 30, 90]))
    max_points = draw(st.sampled_from([None, None, 0, 5, 10, 25.5]))
    decay = draw(
        st.one_of(
            st.none(),
            st.builds(Decay, half_life_days=st.sampled_from([7, 14, 30, 2.5])),
            st.builds(Decay, linear_pct=st.sampled_from([10, 25, 50, 100, 33.3]), period_days=st.sampled_from([1, 7, 10, 0.5])),
        )
    )
    return ActivitySpec(where, within, max_points, decay)


GROUPS = {"fit": ["fit_a", "fit_b"], "engagement": ["eng_a", "eng_b"]}
PRODUCTS = ["crm", "analytics"]


@st.composite
def rule(draw, rule_id: str):
    kind = draw(st.sampled_from(["condition", "condition", "map", "activity", "activity"]))
    dimension = draw(st.sampled_from(["fit", "engagement"]))
    r = Rule(id=rule_id, label=f"Rule {rule_id}", dimension=dimension)
    if kind == "condition":
        r.when = draw(condition(TYPES))
        r.points = draw(POINTS)
    elif kind == "map":
        r.map = draw(value_map())
    else:
        r.activity = draw(activity_spec())
        r.points = draw(SMALL_POINTS)
    r.group = draw(st.one_of(st.none(), st.sampled_from(GROUPS[dimension])))
    r.product = draw(st.one_of(st.none(), st.none(), st.sampled_from(PRODUCTS)))
    r.enabled = draw(st.sampled_from([True, True, True, True, False]))
    return r


def range_(lo: list, hi: list):
    return st.builds(Range, st.sampled_from([None] + lo), st.sampled_from([None] + hi)).filter(
        lambda r: r.min is None or r.max is None or r.min <= r.max
    )


@st.composite
def grades(draw):
    fit_n = draw(st.integers(1, 3))
    eng_n = draw(st.integers(1, 3))
    fit_mins = sorted(draw(st.lists(st.sampled_from([-10.0, 0.0, 5.0, 10.0, 20.0, 30.0, 45.0]), min_size=fit_n, max_size=fit_n, unique=True)), reverse=True)
    eng_mins = sorted(draw(st.lists(st.sampled_from([-5.0, 0.0, 3.0, 8.0, 15.0, 25.0]), min_size=eng_n, max_size=eng_n, unique=True)), reverse=True)
    fit = {name: lo for name, lo in zip("ABC", fit_mins)}
    eng = {name: lo for name, lo in zip("123", eng_mins)}
    if draw(st.booleans()):
        fit[list(fit)[-1]] = None
    if draw(st.booleans()):
        eng[list(eng)[-1]] = None
    cells = [f + e for f in fit for e in eng]
    mql_cells = draw(st.one_of(st.none(), st.lists(st.sampled_from(cells), min_size=1, max_size=len(cells), unique=True)))
    return Grades(fit, eng, mql_cells)


@st.composite
def persona(draw):
    keys = draw(st.lists(st.sampled_from(["Decision maker", "influencer", "USER", "Gatekeeper"]), min_size=1, max_size=4, unique=True))
    weights = {k: draw(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0])) for k in keys}
    return Persona("persona", weights, draw(st.sampled_from([1.0, 0.75, 0.0, 1.25])))


@st.composite
def models(draw, min_rules: int = 1, max_rules: int = 10):
    n = draw(st.integers(min_rules, max_rules))
    rules = [draw(rule(f"r{i}")) for i in range(n)]
    groups_used = sorted({r.group for r in rules if r.group})
    group_caps = {}
    for g in groups_used:
        cap = draw(st.one_of(st.none(), range_([-15.0, -5.0, 0.0, 3.0], [-2.0, 0.0, 10.0, 20.0, 35.0])))
        if cap is not None and (cap.min is not None or cap.max is not None):
            group_caps[g] = cap
    dim_caps = {}
    for d in ("fit", "engagement"):
        cap = draw(st.one_of(st.none(), range_([-20.0, 0.0, 5.0], [15.0, 30.0, 60.0])))
        if cap is not None and (cap.min is not None or cap.max is not None):
            dim_caps[d] = cap
    mql = draw(st.sampled_from([-10.0, 0.0, 10.0, 20.0, 25.5, 40.0, 60.0]))
    sql = draw(st.one_of(st.none(), st.sampled_from([0.0, 5.0, 10.0, 30.0]).map(lambda d: mql + d)))
    m = ScoringModel(
        name="random model",
        lead_id="Lead ID",
        created_at="created",
        columns=dict(COLUMNS),
        attributes=[Attribute(a.name, a.type, a.kind) for a in ATTRS],
        activities=ActivityColumns("lead", "when", "event", "page"),
        persona=draw(st.one_of(st.none(), persona())),
        products=list(PRODUCTS),
        rules=rules,
        caps=Caps(dim_caps, group_caps),
        score_range=draw(st.one_of(st.none(), range_([0.0, -10.0], [50.0, 100.0]))),
        thresholds=Thresholds(mql, sql),
        grades=draw(st.one_of(st.just(Grades()), grades())),
    )
    return m


# ---------------------------------------------------------------- data
def _maybe(draw, pool, p_missing=0.2):
    if draw(st.integers(0, 99)) < p_missing * 100:
        return draw(st.sampled_from([None, "", "  "]))
    return draw(st.sampled_from(pool))


def _date_text(draw, allow_future: bool = True) -> str | None:
    if draw(st.integers(0, 9)) == 0:
        return None
    days = draw(st.integers(-5 if allow_future else 0, 400))
    minutes = draw(st.sampled_from([0, 0, 1, 59, 720, 1439]))
    t = AS_OF - pd.Timedelta(days=days) - pd.Timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%d %H:%M:%S")


@st.composite
def lead_frames(draw, min_leads: int = 1, max_leads: int = 30, max_events: int = 60):
    n = draw(st.integers(min_leads, max_leads))
    ids = [f"L{i}" for i in range(n)]
    rows = []
    for i in range(n):
        num = lambda: None if draw(st.integers(0, 4)) == 0 else draw(st.sampled_from(NUM_POOL + [5.0, 20.0, 500.0, 12.0]))
        rows.append(
            {
                "Lead ID": ids[i],
                "industry": _maybe(draw, CAT_POOL),
                "segment": _maybe(draw, ["SMB", "smb", "Mid-Market", "Enterprise"], 0.3),
                "Job Title": _maybe(draw, TXT_POOL),
                "Employee Count": num(),
                "visits": num(),
                "opted_in": _maybe(draw, BOOL_RAW),
                "created": _date_text(draw),
                "last_seen": _date_text(draw),
                "persona": _maybe(draw, PERSONA_POOL, 0.25),
                "notes": "extra column",
            }
        )
    leads = pd.DataFrame(rows)
    leads["Employee Count"] = leads["Employee Count"].astype("float64")
    leads["visits"] = leads["visits"].astype("float64")
    k = draw(st.integers(0, max_events))
    events = []
    for _ in range(k):
        who = draw(st.one_of(st.sampled_from(ids), st.sampled_from(ids), st.sampled_from(["ghost-1", "ghost-2"])))
        days = draw(st.integers(-3, 120))
        minutes = draw(st.sampled_from([0, 0, 1, 30, 720]))
        ts = AS_OF - pd.Timedelta(days=days) - pd.Timedelta(minutes=minutes)
        events.append(
            {
                "lead": who,
                "when": ts.strftime("%Y-%m-%d %H:%M:%S"),
                "event": _maybe(draw, EVENT_TYPES, 0.05),
                "page": _maybe(draw, EVENT_DETAILS, 0.3),
            }
        )
    acts = pd.DataFrame(events, columns=["lead", "when", "event", "page"])
    as_of = AS_OF + pd.Timedelta(minutes=draw(st.sampled_from([0, 0, 1, 30])))
    return leads, acts, as_of
