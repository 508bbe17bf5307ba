"""Hypothesis strategies: random (valid) scoring models and random messy lead data.

Models use every rule kind and operator, nesting, negative points, maps with
values and bins, activity rules with windows/caps/decay, groups, caps, score
range, persona weighting, products, grades with mql_cells and thresholds.
Data has missing values in every column, mixed-case text, dates and events on
both sides of the as-of moment, and events of leads that are not in the file.
"""
from __future__ import annotations

import functools
import random

import pandas as pd
from hypothesis import strategies as st

from leaddesigner.core.model.types import (
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

CAT_POOL = ("Software", "software", "SOFTWARE", "Finance", "fin-tech", "Retail", "Health care", "Ünïcode", "x.y", "10",)
CAT_VALUES = CAT_POOL + ("Other", "soft", "RETAIL", "ünïcode", "care")
TXT_POOL = ("CEO", "Chief Executive Officer", "vp sales", "VP Marketing", "Head of Sales", "intern", "sales ops", "Data (BI) analyst", "a+b", "ceo",)
TXT_VALUES = ("ceo", "CEO", "VP", "sales", "Head", "ops", "(BI)", "a+b", "Executive", "ch", "x",)
REGEXES = ("^vp", "sales$", "c.o", "(ceo|cfo)", r"\(bi\)", "^[a-z ]+$", "Head", "oft", "^1",)
NUM_POOL = (-5.0, 0.0, 1.0, 9.5, 10.0, 50.0, 99.99, 100.0, 250.0, 1000.0,)
BOOL_RAW = ("yes", "no", "TRUE", "0", "1", "false",)
PERSONA_POOL = ("Decision maker", "decision MAKER", "Influencer", "user", "USER", "Gatekeeper", "unlisted role",)
EVENT_TYPES = ("visit", "Visit", "email_open", "webinar", "pricing_view", "form_submit",)
EVENT_DETAILS = ("/pricing", "/Pricing/enterprise", "/blog/ai", "/docs/start", "/",)
EVENT_VALUES = ("visit", "pricing", "/pricing", "blog", "email", "webinar", "VISIT", "/", "form",)
EVENT_REGEXES = ("^/pricing", "enterprise$", "blog|docs", "^v", "_",)

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
DATE_VALUES = tuple((AS_OF - pd.Timedelta(days=d)).strftime("%Y-%m-%d") for d in (-3, 0, 1, 7, 30, 200))


# ---------------------------------------------------------------- conditions
# Strategies are built once and reused (hypothesis validates every new strategy
# object, which costs more than drawing from it).
@functools.lru_cache(maxsize=None)
def _text_value(values: tuple, regexes: tuple, op: str):
    if op == "regex":
        return st.one_of(st.sampled_from(regexes), st.lists(st.sampled_from(regexes), min_size=1, max_size=3, unique=True))
    if op in ("equals", "not_equals"):
        return st.sampled_from(values)
    if op in ("in", "not_in"):
        return st.lists(st.sampled_from(values), min_size=1, max_size=4, unique=True)
    return st.one_of(st.sampled_from(values), st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))


TEXT_OPS = ("equals", "not_equals", "in", "not_in", "contains", "not_contains", "starts_with", "ends_with", "regex", "is_empty", "is_not_empty")
NUM_OPS = ("equals", "not_equals", "in", "not_in", "gt", "gte", "lt", "lte", "between", "is_empty", "is_not_empty")
BOOL_OPS = ("equals", "not_equals", "is_empty", "is_not_empty")
DATE_OPS = ("within_days", "older_than_days", "before", "after", "is_empty", "is_not_empty")
_LEAD_NAMES = st.sampled_from(tuple(sorted(TYPES)))
_EVENT_NAMES = st.sampled_from(("type", "detail"))
_NUM = st.sampled_from(NUM_POOL)
_NUM_LIST = st.lists(_NUM, min_size=1, max_size=4, unique=True)
_DAYS = st.sampled_from((0, 1, 7, 14, 30, 90, 2.5))
_DATES = st.sampled_from(DATE_VALUES)
_OPS = {t: st.sampled_from(o) for t, o in (("text", TEXT_OPS), ("number", NUM_OPS), ("boolean", BOOL_OPS), ("date", DATE_OPS))}


@st.composite
def _leaf(draw, event: bool = False):
    if event:
        name = draw(_EVENT_NAMES)
        atype = "category" if name == "type" else "text"
    else:
        name = draw(_LEAD_NAMES)
        atype = TYPES[name]
    if atype in ("category", "text"):
        op = draw(_OPS["text"])
        if op in ("is_empty", "is_not_empty"):
            return Leaf(name, op)
        if event:
            values, regexes = EVENT_VALUES, EVENT_REGEXES
        elif name == "persona":
            values, regexes = PERSONA_POOL + ("maker", "user"), ("^user$", "maker", "^[dg]")
        elif atype == "category":
            values, regexes = CAT_VALUES, REGEXES
        else:
            values, regexes = TXT_VALUES, REGEXES
        value = draw(_text_value(values, regexes, op))
        return Leaf(name, op, value, draw(st.booleans()))
    op = draw(_OPS[atype])
    if op in ("is_empty", "is_not_empty"):
        return Leaf(name, op)
    if atype == "number":
        if op in ("in", "not_in"):
            return Leaf(name, op, draw(_NUM_LIST))
        if op == "between":
            a, b = sorted([draw(_NUM), draw(_NUM)])
            return Leaf(name, op, [a, b])
        return Leaf(name, op, draw(_NUM))
    if atype == "boolean":
        return Leaf(name, op, draw(st.booleans()))
    if op in ("within_days", "older_than_days"):
        return Leaf(name, op, draw(_DAYS))
    return Leaf(name, op, draw(_DATES))


LEAD_LEAF = _leaf(False)
EVENT_LEAF = _leaf(True)


def leaf(event: bool = False):
    """One test on a lead attribute (or, with ``event``, on an event field)."""
    return EVENT_LEAF if event else LEAD_LEAF


@functools.lru_cache(maxsize=None)
def condition(event: bool = False, depth: int = 3):
    """A random condition tree (all/any/not nesting up to ``depth``)."""
    base = leaf(event)
    if depth <= 0:
        return base
    sub = condition(event, depth - 1)
    return st.one_of(
        base,
        base,
        st.lists(sub, min_size=1, max_size=3).map(AllOf),
        st.lists(sub, min_size=1, max_size=3).map(AnyOf),
        sub.map(Not),
    )


# ---------------------------------------------------------------- rules
_MAP_ATTRS = st.sampled_from(tuple(ATTRS_OF["category"] + ATTRS_OF["text"] + ATTRS_OF["number"] + ATTRS_OF["boolean"]))
_DEFAULTS = st.sampled_from((0.0, 0.0, -3.0, 2.0))
_CUTS = st.lists(st.sampled_from(NUM_POOL + (5.0, 20.0, 500.0)), min_size=1, max_size=5, unique=True)
_GAP = st.integers(0, 4)
_TRUE_KEY, _FALSE_KEY = st.sampled_from(("true", "yes")), st.sampled_from(("false", "no"))
_CAT_KEYS = {
    (pool_name, cs): st.lists(st.sampled_from(pool), min_size=1, max_size=5, unique_by=(lambda k: k) if cs else str.lower)
    for pool_name, pool in (("category", CAT_VALUES), ("text", TXT_POOL + TXT_VALUES))
    for cs in (False, True)
}


@st.composite
def _value_map(draw):
    name = draw(_MAP_ATTRS)
    atype = TYPES[name]
    default = draw(_DEFAULTS)
    if atype == "number":
        cuts = sorted(draw(_CUTS))
        open_lo, open_hi = draw(st.booleans()), draw(st.booleans())
        edges = ([None] if open_lo else []) + cuts + ([None] if open_hi else [])
        if len(edges) < 2:
            edges = [None] + cuts
        bins = []
        for lo, hi in zip(edges, edges[1:]):
            if draw(_GAP) == 0 and len(bins) > 0:
                continue  # leave a gap: values there get the default
            bins.append(Bin(lo, hi, draw(POINTS)))
        return ValueMap(name, bins=bins, default=default)
    if atype == "boolean":
        keys = [draw(_TRUE_KEY), draw(_FALSE_KEY)][: draw(st.integers(1, 2))]
        if draw(st.booleans()):
            keys.reverse()
        return ValueMap(name, values={k: draw(POINTS) for k in keys}, default=default)
    case_sensitive = draw(st.booleans())
    keys = draw(_CAT_KEYS[(atype, case_sensitive)])
    return ValueMap(name, values={k: draw(POINTS) for k in keys}, default=default, case_sensitive=case_sensitive)


_VALUE_MAP = _value_map()


def value_map():
    return _VALUE_MAP


_DECAY = st.one_of(
    st.none(),
    st.builds(Decay, half_life_days=st.sampled_from((7, 14, 30, 2.5))),
    st.builds(Decay, linear_pct=st.sampled_from((10, 25, 50, 100, 33.3)), period_days=st.sampled_from((1, 7, 10, 0.5))),
)
_ACTIVITY = st.builds(
    ActivitySpec,
    st.one_of(st.none(), condition(True, 2)),
    st.sampled_from((None, None, 0.5, 1, 7, 14, 30, 90)),
    st.sampled_from((None, None, 0, 5, 10, 25.5)),
    _DECAY,
)


def activity_spec():
    return _ACTIVITY


GROUPS = {"fit": ["fit_a", "fit_b"], "engagement": ["eng_a", "eng_b"]}
PRODUCTS = ["crm", "analytics"]
_KINDS = st.sampled_from(("condition", "condition", "map", "activity", "activity"))
_DIMENSIONS = st.sampled_from(("fit", "engagement"))
_GROUP = {d: st.one_of(st.none(), st.sampled_from(tuple(g))) for d, g in GROUPS.items()}
_PRODUCT = st.one_of(st.none(), st.none(), st.sampled_from(tuple(PRODUCTS)))
_ENABLED = st.sampled_from((True, True, True, True, False))


@st.composite
def _rule(draw):
    kind = draw(_KINDS)
    dimension = draw(_DIMENSIONS)
    r = Rule(id="?", label="?", dimension=dimension)
    if kind == "condition":
        r.when = draw(condition())
        r.points = draw(POINTS)
    elif kind == "map":
        r.map = draw(value_map())
    else:
        r.activity = draw(activity_spec())
        r.points = draw(SMALL_POINTS)
    r.group = draw(_GROUP[dimension])
    r.product = draw(_PRODUCT)
    r.enabled = draw(_ENABLED)
    return r


_RULE = _rule()


def rule(rule_id: str):
    """A random rule of any kind, with the given id."""

    def named(r: Rule) -> Rule:
        r.id, r.label = rule_id, f"Rule {rule_id}"
        return r

    return _RULE.map(named)


@functools.lru_cache(maxsize=None)
def _range(lo: tuple, hi: tuple):
    return st.builds(Range, st.sampled_from((None,) + lo), st.sampled_from((None,) + hi)).filter(
        lambda r: r.min is None or r.max is None or r.min <= r.max
    )


def range_(lo, hi):
    return _range(tuple(lo), tuple(hi))


_FIT_MINS = st.lists(st.sampled_from((-10.0, 0.0, 5.0, 10.0, 20.0, 30.0, 45.0)), min_size=1, max_size=3, unique=True)
_ENG_MINS = st.lists(st.sampled_from((-5.0, 0.0, 3.0, 8.0, 15.0, 25.0)), min_size=1, max_size=3, unique=True)


@st.composite
def _grades(draw):
    fit_mins = sorted(draw(_FIT_MINS), reverse=True)
    eng_mins = sorted(draw(_ENG_MINS), reverse=True)
    fit = {name: lo for name, lo in zip("ABC", fit_mins)}
    eng = {name: lo for name, lo in zip("123", eng_mins)}
    if draw(st.booleans()):
        fit[list(fit)[-1]] = None
    if draw(st.booleans()):
        eng[list(eng)[-1]] = None
    cells = [f + e for f in fit for e in eng]
    mql_cells = None
    if draw(st.booleans()):
        mql_cells = [c for c in cells if draw(st.booleans())] or [cells[0]]
    return Grades(fit, eng, mql_cells)


_GRADES = _grades()


def grades():
    return _GRADES


_PERSONA_KEYS = st.lists(st.sampled_from(("Decision maker", "influencer", "USER", "Gatekeeper")), min_size=1, max_size=4, unique=True)
_WEIGHT = st.sampled_from((0.0, 0.5, 1.0, 1.5, 2.0))
_PERSONA_DEFAULT = st.sampled_from((1.0, 0.75, 0.0, 1.25))


@st.composite
def _persona(draw):
    keys = draw(_PERSONA_KEYS)
    return Persona("persona", {k: draw(_WEIGHT) for k in keys}, draw(_PERSONA_DEFAULT))


_PERSONA = _persona()


def persona():
    return _PERSONA


_GROUP_CAP = st.one_of(st.none(), range_([-15.0, -5.0, 0.0, 3.0], [0.0, 10.0, 20.0, 35.0]))  # a cap's max is never below 0
_DIM_CAP = st.one_of(st.none(), range_([-20.0, 0.0, 5.0], [15.0, 30.0, 60.0]))
_MQL = st.sampled_from((-10.0, 0.0, 10.0, 20.0, 25.5, 40.0, 60.0))
_SQL_GAP = st.one_of(st.none(), st.sampled_from((0.0, 5.0, 10.0, 30.0)))
_SCORE_RANGE = st.one_of(st.none(), range_([0.0, -10.0], [50.0, 100.0]))
_MODEL_GRADES = st.one_of(st.builds(Grades), _GRADES)
_MODEL_PERSONA = st.one_of(st.none(), _PERSONA)


@st.composite
def _models(draw, min_rules: int, max_rules: int):
    n = draw(st.integers(min_rules, max_rules))
    rules = []
    for i in range(n):
        r = draw(_RULE)
        r.id, r.label = f"r{i}", f"Rule r{i}"
        rules.append(r)
    group_caps = {}
    for g in sorted({r.group for r in rules if r.group}):
        cap = draw(_GROUP_CAP)
        if cap is not None and (cap.min is not None or cap.max is not None):
            group_caps[g] = cap
    dim_caps = {}
    for d in ("fit", "engagement"):
        cap = draw(_DIM_CAP)
        if cap is not None and (cap.min is not None or cap.max is not None):
            dim_caps[d] = cap
    mql = draw(_MQL)
    gap = draw(_SQL_GAP)
    score_range = draw(_SCORE_RANGE)
    if score_range is not None:  # thresholds lie inside the score range (the loader refuses others)
        lo = score_range.min if score_range.min is not None else mql
        hi = score_range.max if score_range.max is not None else mql
        mql = min(max(mql, lo), hi)
        if gap is not None and score_range.max is not None and mql + gap > score_range.max:
            gap = None
    return ScoringModel(
        name="random model",
        lead_id="Lead ID",
        created_at="created",
        columns=dict(COLUMNS),
        attributes=[Attribute(a.name, a.type, a.kind) for a in ATTRS],
        activities=ActivityColumns("lead", "when", "event", "page"),
        persona=draw(_MODEL_PERSONA),
        products=list(PRODUCTS),
        rules=rules,
        caps=Caps(dim_caps, group_caps),
        score_range=score_range,
        thresholds=Thresholds(mql, None if gap is None else mql + gap),
        grades=draw(_MODEL_GRADES),
    )


@functools.lru_cache(maxsize=None)
def models(min_rules: int = 1, max_rules: int = 10):
    """Random valid models over the attributes in ``ATTRS``."""
    return _models(min_rules, max_rules)


# ---------------------------------------------------------------- data
# Data is made from a drawn seed with ``random.Random``: hypothesis draws of
# hundreds of cells are slow, and a lead table shrinks well enough through its
# size (number of leads, number of events) and the seed.
def _maybe(rnd: random.Random, pool, p_missing=0.2):
    if rnd.random() < p_missing:
        return rnd.choice([None, "", "  "])
    return rnd.choice(pool)


def _date_text(rnd: random.Random) -> str | None:
    if rnd.random() < 0.1:
        return None
    days = rnd.randint(-5, 400)
    minutes = rnd.choice([0, 0, 1, 59, 720, 1439])
    t = AS_OF - pd.Timedelta(days=days) - pd.Timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _number(rnd: random.Random) -> float:
    if rnd.random() < 0.2:
        return float("nan")
    return rnd.choice(NUM_POOL + (5.0, 20.0, 500.0, 12.0, 37.5))


def make_frames(n: int, k: int, seed: int, messy_ids: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    """``n`` leads and ``k`` events (some of unknown leads), and an as-of moment.

    With ``messy_ids``, some tables repeat a lead id and have a row without one
    (bind reports both; the engine gives a repeated id's events to its first row,
    which other scorers, e.g. SQL joins, need not do).
    """
    rnd = random.Random(seed)
    ids = [f"L{i}" for i in range(n)]
    if messy_ids and n > 2 and rnd.random() < 0.25:  # a repeated id and a row without an id
        ids[-1] = ids[0]
        ids[-2] = rnd.choice([None, ""])
    rows = []
    for i in range(n):
        rows.append(
            {
                "Lead ID": ids[i],
                "industry": _maybe(rnd, CAT_POOL),
                "segment": _maybe(rnd, ["SMB", "smb", "Mid-Market", "Enterprise"], 0.3),
                "Job Title": _maybe(rnd, TXT_POOL),
                "Employee Count": _number(rnd),
                "visits": _number(rnd),
                "opted_in": _maybe(rnd, BOOL_RAW),
                "created": _date_text(rnd),
                "last_seen": _date_text(rnd),
                "persona": _maybe(rnd, PERSONA_POOL, 0.25),
                "notes": "extra column",
            }
        )
    leads = pd.DataFrame(rows, columns=list(rows[0]) if rows else None)
    events = []
    for _ in range(k):
        who = rnd.choice(ids) if ids and rnd.random() < 0.9 else rnd.choice(["ghost-1", "ghost-2"])
        who = "ghost-3" if who is None else who
        days = rnd.randint(-3, 120)
        minutes = rnd.choice([0, 0, 1, 30, 720])
        ts = AS_OF - pd.Timedelta(days=days) - pd.Timedelta(minutes=minutes)
        events.append(
            {
                "lead": who,
                "when": ts.strftime("%Y-%m-%d %H:%M:%S"),
                "event": _maybe(rnd, EVENT_TYPES, 0.05),
                "page": _maybe(rnd, EVENT_DETAILS, 0.3),
            }
        )
    acts = pd.DataFrame(events, columns=["lead", "when", "event", "page"])
    as_of = AS_OF + pd.Timedelta(minutes=rnd.choice([0, 0, 1, 30]))
    return leads, acts, as_of


@functools.lru_cache(maxsize=None)
def lead_frames(min_leads: int = 1, max_leads: int = 30, max_events: int = 90, messy_ids: bool = False):
    """(leads, activities, as_of) made by :func:`make_frames`."""
    # hypothesis favours small sizes; mix in sizes from the upper half
    return st.builds(
        make_frames,
        st.one_of(st.integers(min_leads, max_leads), st.integers((min_leads + max_leads) // 2, max_leads)),
        st.one_of(st.integers(0, max_events), st.integers(max_events // 2, max_events)),
        st.integers(0, 2**32 - 1),
        st.just(messy_ids),
    )
