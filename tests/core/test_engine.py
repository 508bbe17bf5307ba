"""Hand-computed unit tests of the scoring engine: operators, missing values,
maps, activity decay and limits, caps, personas, products, grades, statuses,
the output frame, binding problems and the scorer's helpers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
from leaddesigner.core.scoring.engine import Scorer, bind, default_as_of, parse_as_of, score

AS_OF = parse_as_of("2026-03-15")  # the end of 15 March = 2026-03-16 00:00


def test_parse_as_of():
    assert AS_OF == pd.Timestamp("2026-03-16 00:00")
    assert parse_as_of("2026-03-15T12:30") == pd.Timestamp("2026-03-15 12:30")
    assert parse_as_of("2026-03-15T12:30+02:00") == pd.Timestamp("2026-03-15 10:30")
    assert parse_as_of(None) is None


# ---------------------------------------------------------------- helpers
def matches(atype: str, values: list, cond, name: str = "a") -> list[bool]:
    """Which of ``values`` (one lead each, raw as in a file) satisfy ``cond``."""
    m = ScoringModel(attributes=[Attribute(name, atype)], rules=[Rule("r", "r", "fit", 1, when=cond)])
    leads = pd.DataFrame({"lead_id": [str(i) for i in range(len(values))], name: values})
    data = bind(m, leads, as_of=AS_OF)
    assert not [p for p in data.problems if p.kind == "type_mismatch"], data.problems
    return [bool(x) for x in Scorer(m, data).rule_points("r")]


def leaf(op, value=None, case_sensitive=False):
    return Leaf("a", op, value, case_sensitive)


INDUSTRIES = ["Software", "software", "SOFTWARE", "Soft", "Finance", None, ""]


# ---------------------------------------------------------------- text operators
@pytest.mark.parametrize("atype", ["category", "text"])
class TestTextOperators:
    def test_equals_is_case_insensitive_by_default(self, atype):
        assert matches(atype, INDUSTRIES, leaf("equals", "software")) == [1, 1, 1, 0, 0, 0, 0]

    def test_equals_case_sensitive(self, atype):
        assert matches(atype, INDUSTRIES, leaf("equals", "software", True)) == [0, 1, 0, 0, 0, 0, 0]

    def test_not_equals_never_matches_missing(self, atype):
        assert matches(atype, INDUSTRIES, leaf("not_equals", "software")) == [0, 0, 0, 1, 1, 0, 0]
        assert matches(atype, INDUSTRIES, leaf("not_equals", "software", True)) == [1, 0, 1, 1, 1, 0, 0]

    def test_in_and_not_in(self, atype):
        assert matches(atype, INDUSTRIES, leaf("in", ["SOFTware", "finance"])) == [1, 1, 1, 0, 1, 0, 0]
        assert matches(atype, INDUSTRIES, leaf("not_in", ["SOFTware", "finance"])) == [0, 0, 0, 1, 0, 0, 0]
        assert matches(atype, INDUSTRIES, leaf("in", ["Software", "finance"], True)) == [1, 0, 0, 0, 0, 0, 0]

    def test_not_of_in_matches_missing_but_not_in_does_not(self, atype):
        # documented in conditions.py: `not` negates row by row
        assert matches(atype, INDUSTRIES, Not(leaf("in", ["software"]))) == [0, 0, 0, 1, 1, 1, 1]
        assert matches(atype, INDUSTRIES, leaf("not_in", ["software"])) == [0, 0, 0, 1, 1, 0, 0]

    def test_contains_one_or_a_list(self, atype):
        titles = ["Chief Executive Officer", "VP Sales", "head of sales", "Intern", None]
        assert matches(atype, titles, leaf("contains", "SALES")) == [0, 1, 1, 0, 0]
        assert matches(atype, titles, leaf("contains", ["sales", "chief"])) == [1, 1, 1, 0, 0]
        assert matches(atype, titles, leaf("contains", "Sales", True)) == [0, 1, 0, 0, 0]
        # not_contains: none of them; missing never matches
        assert matches(atype, titles, leaf("not_contains", ["sales", "chief"])) == [0, 0, 0, 1, 0]

    def test_starts_with_and_ends_with_lists(self, atype):
        titles = ["VP Sales", "vp marketing", "SVP Sales", "Head of Sales", None]
        assert matches(atype, titles, leaf("starts_with", "vp")) == [1, 1, 0, 0, 0]
        assert matches(atype, titles, leaf("starts_with", ["vp", "head"])) == [1, 1, 0, 1, 0]
        assert matches(atype, titles, leaf("starts_with", "vp", True)) == [0, 1, 0, 0, 0]
        assert matches(atype, titles, leaf("ends_with", ["SALES", "ing"])) == [1, 1, 1, 1, 0]
        assert matches(atype, titles, leaf("ends_with", "Sales", True)) == [1, 0, 1, 1, 0]

    def test_regex_searches_anywhere_case_insensitive_by_default(self, atype):
        titles = ["CEO", "ceo & founder", "Co-CEO", "CFO", "intern", None]
        assert matches(atype, titles, leaf("regex", "^ceo")) == [1, 1, 0, 0, 0, 0]
        assert matches(atype, titles, leaf("regex", "c[ef]o")) == [1, 1, 1, 1, 0, 0]
        assert matches(atype, titles, leaf("regex", "^CEO", True)) == [1, 0, 0, 0, 0, 0]
        assert matches(atype, titles, leaf("regex", ["^intern$", "(ceo|cfo)$"])) == [1, 0, 1, 1, 1, 0]

    def test_regex_with_groups_does_not_warn(self, atype, recwarn):
        assert matches(atype, ["CEO", "x"], leaf("regex", "(ceo|cfo)")) == [1, 0]
        assert not [w for w in recwarn if issubclass(w.category, UserWarning)]

    def test_special_characters_are_literal_outside_regex(self, atype):
        vals = ["a+b", "aab", "Data (BI)", "x.y", "xzy"]
        assert matches(atype, vals, leaf("contains", "(bi)")) == [0, 0, 1, 0, 0]
        assert matches(atype, vals, leaf("equals", "x.y")) == [0, 0, 0, 1, 0]
        assert matches(atype, vals, leaf("starts_with", "a+")) == [1, 0, 0, 0, 0]

    def test_is_empty_treats_blank_as_missing(self, atype):
        vals = ["x", None, "", "   ", "0"]
        assert matches(atype, vals, leaf("is_empty")) == [0, 1, 1, 1, 0]
        assert matches(atype, vals, leaf("is_not_empty")) == [1, 0, 0, 0, 1]

    def test_values_are_stripped(self, atype):
        assert matches(atype, ["  Software ", "Software"], leaf("equals", "software")) == [1, 1]

    def test_numbers_in_the_model_compare_as_text(self, atype):
        # a YAML value 10 or 10.0 compares with the text "10"
        assert matches(atype, ["10", "10.5", "x"], leaf("in", [10.0, "x"])) == [1, 0, 1]


# ---------------------------------------------------------------- numbers, booleans, dates
EMPLOYEES = [5, 10, 10.5, 50, None, -1]


@pytest.mark.parametrize(
    "cond, expected",
    [
        (leaf("equals", 10), [0, 1, 0, 0, 0, 0]),
        (leaf("not_equals", 10), [1, 0, 1, 1, 0, 1]),
        (leaf("in", [5, 50]), [1, 0, 0, 1, 0, 0]),
        (leaf("not_in", [5, 50]), [0, 1, 1, 0, 0, 1]),
        (leaf("gt", 10), [0, 0, 1, 1, 0, 0]),
        (leaf("gte", 10), [0, 1, 1, 1, 0, 0]),
        (leaf("lt", 10), [1, 0, 0, 0, 0, 1]),
        (leaf("lte", 10), [1, 1, 0, 0, 0, 1]),
        (leaf("between", [5, 10.5]), [1, 1, 1, 0, 0, 0]),  # inclusive both ends
        (leaf("is_empty"), [0, 0, 0, 0, 1, 0]),
        (leaf("is_not_empty"), [1, 1, 1, 1, 0, 1]),
        (Not(leaf("gt", 10)), [1, 1, 0, 0, 1, 1]),  # not: true for missing
        (AllOf([leaf("gt", 0), leaf("lt", 50)]), [1, 1, 1, 0, 0, 0]),
        (AnyOf([leaf("lt", 0), leaf("is_empty")]), [0, 0, 0, 0, 1, 1]),
    ],
)
def test_number_operators(cond, expected):
    assert matches("number", EMPLOYEES, cond) == expected


def test_number_column_read_from_text():
    assert matches("number", ["1,200", " 7 ", "", "n/a"], leaf("gt", 1000)) == [1, 0, 0, 0]


@pytest.mark.parametrize(
    "cond, expected",
    [
        (leaf("equals", True), [1, 0, 1, 0, 0]),
        (leaf("equals", False), [0, 1, 0, 1, 0]),
        (leaf("not_equals", True), [0, 1, 0, 1, 0]),
        (leaf("is_empty"), [0, 0, 0, 0, 1]),
        (Not(leaf("equals", True)), [0, 1, 0, 1, 1]),
    ],
)
def test_boolean_operators(cond, expected):
    assert matches("boolean", ["yes", "no", "TRUE", "0", ""], cond) == expected


DATES = [
    "2026-03-15 00:00",  # 1 day before as-of (end of the 15th)
    "2026-03-14 00:00",  # exactly 2 days
    "2026-03-09 12:00",  # 6.5 days
    "2026-03-10 23:59",  # inside 10 March
    "2026-03-20",  # after the as-of moment
    None,
]


@pytest.mark.parametrize(
    "cond, expected",
    [
        (leaf("within_days", 1), [1, 0, 0, 0, 0, 0]),
        (leaf("within_days", 2), [1, 1, 0, 0, 0, 0]),  # inclusive
        (leaf("within_days", 7), [1, 1, 1, 1, 0, 0]),  # the future is not "within the last"
        (leaf("older_than_days", 2), [0, 0, 1, 1, 0, 0]),  # strictly older
        (leaf("older_than_days", 1), [0, 1, 1, 1, 0, 0]),
        (leaf("before", "2026-03-10"), [0, 0, 1, 0, 0, 0]),  # before the start of that day
        (leaf("after", "2026-03-10"), [1, 1, 0, 0, 1, 0]),  # after the end of that day
        (leaf("after", "2026-03-09"), [1, 1, 0, 1, 1, 0]),  # 9 March 12:00 is not after 9 March
        (leaf("is_empty"), [0, 0, 0, 0, 0, 1]),
        (Not(leaf("within_days", 7)), [0, 0, 0, 0, 1, 1]),
    ],
)
def test_date_operators_relative_to_as_of(cond, expected):
    assert matches("date", DATES, cond) == expected


def test_date_rules_follow_set_as_of():
    m = ScoringModel(attributes=[Attribute("d", "date")], rules=[Rule("r", "r", "fit", 5, when=Leaf("d", "within_days", 7))])
    data = bind(m, pd.DataFrame({"lead_id": ["1", "2"], "d": ["2026-03-10", "2026-02-01"]}), as_of=AS_OF)
    sc = Scorer(m, data)
    assert list(sc.result.score) == [5, 0]
    sc.set_as_of(pd.Timestamp("2026-02-05"))
    assert list(sc.result.score) == [0, 5]
    assert data.as_of == pd.Timestamp("2026-02-05")


# ---------------------------------------------------------------- value maps
def map_points(atype, values, vmap) -> list[float]:
    m = ScoringModel(attributes=[Attribute("a", atype)], rules=[Rule("r", "r", "fit", map=vmap)])
    data = bind(m, pd.DataFrame({"lead_id": [str(i) for i in range(len(values))], "a": values}), as_of=AS_OF)
    return list(Scorer(m, data).rule_points("r"))


def test_value_map_values_default_and_missing():
    vm = ValueMap("a", values={"Software": 10, "finance": 6}, default=-2)
    assert map_points("category", ["software", "FINANCE", "Retail", None, ""], vm) == [10, 6, -2, 0, 0]
    vm.case_sensitive = True
    assert map_points("category", ["software", "finance", "Software", None], vm) == [-2, 6, 10, 0]
    assert map_points("text", ["software", "x", None], ValueMap("a", values={"SOFTWARE": 3})) == [3, 0, 0]


def test_value_map_bins_open_ended_with_gap():
    bins = [Bin(None, 10, 1), Bin(10, 100, 5), Bin(200, None, 9)]  # 100..200 is a gap
    vm = ValueMap("a", bins=bins, default=-1)
    values = [-5, 9.99, 10, 99.9, 100, 150, 200, 1e9, None]
    assert map_points("number", values, vm) == [1, 1, 5, 5, -1, -1, 9, 9, 0]


def test_value_map_bins_closed_both_ends():
    vm = ValueMap("a", bins=[Bin(18, 25, 2), Bin(25, 35, 4)])
    assert map_points("number", [17, 18, 24.5, 25, 34, 35, None], vm) == [0, 2, 2, 4, 4, 0, 0]


def test_value_map_on_boolean():
    assert map_points("boolean", ["yes", "no", ""], ValueMap("a", values={"yes": 4, "no": -1})) == [4, -1, 0]
    assert map_points("boolean", ["true", "false"], ValueMap("a", values={"true": 3}, default=1)) == [3, 1]


# ---------------------------------------------------------------- activity rules
def activity_model(points: float, **spec) -> ScoringModel:
    return ScoringModel(
        attributes=[],
        activities=ActivityColumns("lead_id", "timestamp", "type", "url"),
        rules=[Rule("a", "activity", "engagement", points, activity=ActivitySpec(**spec))],
        thresholds=Thresholds(mql=1000),
    )


def events(*rows) -> pd.DataFrame:
    """rows: (lead, days before as-of, type, url)"""
    return pd.DataFrame(
        [{"lead_id": l, "timestamp": (AS_OF - pd.Timedelta(days=d)).isoformat(), "type": t, "url": u} for l, d, t, u in rows],
        columns=["lead_id", "timestamp", "type", "url"],
    )


LEADS = pd.DataFrame({"lead_id": ["1", "2", "3"]})


def activity_points(model, acts) -> list[float]:
    return list(Scorer(model, bind(model, LEADS, acts, as_of=AS_OF)).rule_points("a"))


def test_activity_counts_matching_events_before_as_of():
    acts = events(
        ("1", 1, "visit", "/pricing"),
        ("1", 3, "Visit", "/blog"),
        ("1", 5, "email_open", None),
        ("1", -1, "visit", "/pricing"),  # after as-of: ignored
        ("1", 0, "visit", "/pricing"),  # exactly at as-of: ignored
        ("2", 40, "visit", "/pricing"),
    )
    m = activity_model(3, where=Leaf("type", "equals", "visit"))
    assert activity_points(m, acts) == [6, 3, 0]
    m = activity_model(3, where=Leaf("type", "equals", "visit"), within_days=30)
    assert activity_points(m, acts) == [6, 0, 0]
    m = activity_model(2, where=AllOf([Leaf("type", "equals", "visit"), Leaf("detail", "starts_with", "/PRICING")]))
    assert activity_points(m, acts) == [2, 2, 0]
    m = activity_model(1, where=Leaf("detail", "is_empty"))
    assert activity_points(m, acts) == [1, 0, 0]
    m = activity_model(1)  # no where: every event
    assert activity_points(m, acts) == [3, 1, 0]


def test_half_life_decay_halves_at_the_half_life():
    acts = events(("1", 14, "visit", "/"), ("2", 28, "visit", "/"), ("3", 7, "visit", "/"))
    pts = activity_points(activity_model(10, decay=Decay(half_life_days=14)), acts)
    assert pts == pytest.approx([5.0, 2.5, 10 / np.sqrt(2)])


def test_linear_decay_loses_a_step_per_completed_period():
    acts = events(("1", 6, "visit", "/"), ("2", 7, "visit", "/"), ("2", 15, "visit", "/"), ("3", 30, "visit", "/"))
    pts = activity_points(activity_model(8, decay=Decay(linear_pct=25, period_days=7)), acts)
    # age 6: 100%; age 7: 75%; age 15: 50%; age 30: 4 periods -> 0%
    assert pts == pytest.approx([8.0, 6.0 + 4.0, 0.0])


def test_max_points_limits_positive_and_negative_totals():
    acts = events(*[("1", d, "unsubscribe", "/") for d in (1, 2, 3, 4)], ("2", 1, "unsubscribe", "/"))
    assert activity_points(activity_model(-5, max_points=12), acts) == [-12, -5, 0]
    assert activity_points(activity_model(5, max_points=12), acts) == [12, 5, 0]
    assert activity_points(activity_model(5, max_points=0), acts) == [0, 0, 0]
    sc = Scorer(m := activity_model(5, max_points=0), bind(m, LEADS, acts, as_of=AS_OF))
    assert sc.rule_hits("a") == 0 and sc.rule_matches("a") == 2  # a cap of 0: matched, no points


def test_max_points_applies_after_decay():
    acts = events(*[("1", 14, "visit", "/") for _ in range(3)])
    assert activity_points(activity_model(4, max_points=5, decay=Decay(half_life_days=14)), acts) == [5, 0, 0]  # 3 x 2 = 6 -> 5


def test_activity_without_events_scores_zero():
    m = activity_model(5)
    assert list(Scorer(m, bind(m, LEADS, None, as_of=AS_OF)).result.score) == [0, 0, 0]
    assert activity_points(m, events()) == [0, 0, 0]


# ---------------------------------------------------------------- aggregation order
def _lead_model(rules, **kw) -> ScoringModel:
    return ScoringModel(
        attributes=[Attribute("x", "number"), Attribute("role", "category")],
        rules=rules,
        **kw,
    )


def _score(model, leads):
    data = bind(model, leads, as_of=AS_OF)
    return Scorer(model, data)


def test_group_caps_then_dimension_caps_then_score_range():
    rules = [
        Rule("r1", "r1", "fit", 10, when=Leaf("x", "gt", 0), group="g"),
        Rule("r2", "r2", "fit", 10, when=Leaf("x", "gt", 0), group="g"),
        Rule("r3", "r3", "fit", 8, when=Leaf("x", "gt", 0)),
        Rule("r4", "r4", "engagement", 30, when=Leaf("x", "gt", 0)),
    ]
    m = _lead_model(
        rules,
        caps=Caps({"fit": Range(None, 20), "engagement": Range(None, 25)}, {"g": Range(None, 15)}),
        score_range=Range(0, 40),
    )
    sc = _score(m, pd.DataFrame({"lead_id": ["1", "2"], "x": [1, -1]}))
    # group 20 -> 15; fit 15 + 8 = 23 -> 20; engagement 30 -> 25; 45 -> 40
    assert sc.result.fit[0] == 20 and sc.result.engagement[0] == 25 and sc.result.score[0] == 40
    assert sc.result.score[1] == 0
    ex = sc.explain(0)
    assert [(ln.kind, ln.key, ln.points) for ln in ex.lines] == [
        ("rule", "r1", 10),
        ("rule", "r2", 10),
        ("rule", "r3", 8),
        ("rule", "r4", 30),
        ("group cap", "g", -5),
        ("dimension cap", "fit", -3),
        ("dimension cap", "engagement", -5),
        ("score range", "score", -5),
    ]
    assert ex.total() == 40
    assert "capped" in ex.text()


def test_caps_with_minimums():
    rules = [
        Rule("neg", "neg", "fit", -30, when=Leaf("x", "gt", 0), group="g"),
        Rule("zero", "zero", "fit", 5, when=Leaf("x", "gt", 100), group="h"),
    ]
    m = _lead_model(rules, caps=Caps({"fit": Range(-20, None)}, {"g": Range(-25, None), "h": Range(2, 10)}), score_range=Range(-5, None))
    sc = _score(m, pd.DataFrame({"lead_id": ["1", "2"], "x": [1, -1]}))
    # lead 1: g -30 -> -25, h 0 -> 2 (a group's minimum applies even when its rules give 0), fit -23 -> -20, score -5
    assert sc.result.fit[0] == -20 and sc.result.score[0] == -5
    # lead 2: g 0, h 0 -> 2
    assert sc.result.fit[1] == 2 and sc.result.score[1] == 2
    for i in (0, 1):
        ex = sc.explain(i)
        assert ex.total() == pytest.approx(ex.score)


def test_persona_weights_scale_engagement_only():
    rules = [
        Rule("fit", "fit", "fit", 10, when=Leaf("x", "is_not_empty")),
        Rule("eng", "eng", "engagement", 10, when=Leaf("x", "is_not_empty"), product="p"),
    ]
    m = _lead_model(rules, persona=Persona("role", {"Decision maker": 1.5, "user": 0.5, "blocker": 0}, default=0.8), products=["p"])
    leads = pd.DataFrame({"lead_id": list("123456"), "x": [1] * 6, "role": ["decision MAKER", "USER", "Blocker", "other", None, ""]})
    sc = _score(m, leads)
    assert list(sc.result.fit) == [10] * 6
    assert list(sc.result.engagement) == pytest.approx([15, 5, 0, 8, 8, 8])
    assert list(sc.result.products["p"]) == pytest.approx([15, 5, 0, 8, 8, 8])  # after persona weighting
    assert sc.rule_hits("eng") == 5  # the blocker gets 0 points
    assert sc.rule_matches("eng") == 6
    assert "persona weight x1.5" in sc.explain(0).text()


def test_persona_on_a_number_column():
    m = _lead_model([Rule("eng", "eng", "engagement", 10, when=Leaf("x", "is_not_empty"))], persona=Persona("x", {"1": 2, "2.5": 3}))
    sc = _score(m, pd.DataFrame({"lead_id": ["1", "2", "3"], "x": [1, 2.5, 7]}))
    assert list(sc.result.score) == [20, 30, 10]


def test_product_scores_ignore_caps():
    rules = [
        Rule("a", "a", "fit", 30, when=Leaf("x", "gt", 0), product="crm", group="g"),
        Rule("b", "b", "engagement", 20, when=Leaf("x", "gt", 0), product="crm"),
        Rule("c", "c", "fit", 7, when=Leaf("x", "gt", 0), product="bi"),
        Rule("d", "d", "fit", 5, when=Leaf("x", "gt", 0)),
    ]
    m = _lead_model(rules, products=["crm", "bi", "unused"], caps=Caps({"fit": Range(None, 10)}, {"g": Range(None, 5)}), score_range=Range(0, 20))
    sc = _score(m, pd.DataFrame({"lead_id": ["1", "2"], "x": [1, 0]}))
    assert sc.result.products["crm"][0] == 50 and sc.result.products["bi"][0] == 7
    assert list(sc.result.products["unused"]) == [0, 0]
    assert sc.result.score[0] == 20  # fit 5 + 7 + 5 = 17 -> 10; + 20 = 30 -> 20
    assert sc.explain(0).products == {"crm": 50, "bi": 7, "unused": 0}


def test_disabled_rules_do_not_count():
    m = _lead_model([Rule("a", "a", "fit", 30, when=Leaf("x", "gt", 0), enabled=False)])
    sc = _score(m, pd.DataFrame({"lead_id": ["1"], "x": [1]}))
    assert sc.result.score[0] == 0 and sc.rule_hits("a") == 0 and list(sc.points_frame().columns) == []


# ---------------------------------------------------------------- grades and statuses
def graded_model(mql_cells=None, sql=None) -> ScoringModel:
    """fit and eng are numbers; one rule per value gives exactly that many points."""
    rules = [Rule(f"f{v}", f"fit {v}", "fit", v, when=Leaf("fit", "equals", v)) for v in (0, 5, 10, 20, 25, 40)]
    rules += [Rule(f"e{v}", f"eng {v}", "engagement", v, when=Leaf("eng", "equals", v)) for v in (0, 5, 10, 20, 30)]
    return ScoringModel(
        attributes=[Attribute("fit", "number"), Attribute("eng", "number")],
        rules=rules,
        thresholds=Thresholds(30, sql),
        grades=Grades({"A": 20, "B": 10, "C": None}, {"1": 10, "2": None}, mql_cells),
    )


GRADED = pd.DataFrame(
    {
        "lead_id": list("abcdefg"),
        "fit": [25, 20, 10, 5, 40, 0, 10],
        "eng": [10, 5, 20, 30, 0, 30, 9.99],
    }
)


def test_grades_from_dimension_scores():
    sc = _score(graded_model(), GRADED)
    names = sc.grade_names()
    assert names == ["A1", "A2", "B1", "B2", "C1", "C2"]
    assert [names[g] for g in sc.result.grade] == ["A1", "A2", "B1", "C1", "A2", "C1", "B2"]


def test_status_thresholds():
    sc = _score(graded_model(sql=40), GRADED)
    # scores 35, 25, 30, 35, 40, 30, 10+0 (9.99 matches no rule)
    assert list(sc.result.score) == [35, 25, 30, 35, 40, 30, 10]
    assert list(sc.frame()["status"]) == ["MQL", "lead", "MQL", "MQL", "SQL", "MQL", "lead"]


def test_mql_cells_gate_mql_and_sql():
    sc = _score(graded_model(mql_cells=["A1", "A2", "B1"], sql=40), GRADED)
    # d (C1, 35) and f (C1, 30) are over the threshold but not in an MQL cell
    assert list(sc.frame()["status"]) == ["MQL", "lead", "MQL", "lead", "SQL", "lead", "lead"]
    ex = sc.explain(3)
    assert ex.status == "lead" and "a grade in A1, A2, B1 (now C1)" in ex.to_mql


def test_no_grades_gives_minus_one_codes_and_empty_column():
    m = _lead_model([Rule("a", "a", "fit", 60, when=Leaf("x", "gt", 0))])
    sc = _score(m, pd.DataFrame({"lead_id": ["1", "2"], "x": [1, 0]}))
    assert list(sc.result.grade) == [-1, -1] and sc.grade_names() == []
    assert sc.frame()["grade"].isna().all()
    assert list(sc.frame()["status"]) == ["MQL", "lead"]


def test_frame_columns_order_and_rounding():
    m = _lead_model(
        [Rule("a", "a", "fit", 10 / 3, when=Leaf("x", "gt", 0), product="crm"), Rule("b", "b", "engagement", 1, when=Leaf("x", "gt", 0), product="bi")],
        products=["crm", "bi"],
        grades=Grades({"A": 1, "B": None}, {"1": 1, "2": None}),
        thresholds=Thresholds(4, 100),
    )
    m.lead_id = "Email"
    leads = pd.DataFrame({"Email": ["a@x", "b@x"], "x": [1, 0]})
    fr = _score(m, leads).frame()
    assert list(fr.columns) == ["Email", "score", "fit_score", "engagement_score", "grade", "status", "product_crm", "product_bi"]
    assert list(fr["Email"]) == ["a@x", "b@x"]
    assert list(fr["score"]) == [4.33, 0] and list(fr["fit_score"]) == [3.33, 0]
    assert list(fr["grade"]) == ["A1", "B2"] and list(fr["status"]) == ["MQL", "lead"]
    assert list(fr["product_crm"]) == [3.33, 0]
    assert score(m, bind(m, leads, as_of=AS_OF)).equals(fr)


# ---------------------------------------------------------------- bind problems
def problems_of(data, kind):
    return [p for p in data.problems if p.kind == kind]


def test_missing_column_names_the_rules_that_need_it():
    m = ScoringModel(
        attributes=[Attribute("industry", "category"), Attribute("employees", "number"), Attribute("spare", "text")],
        columns={"employees": "Employee Count"},
        rules=[
            Rule("ind", "ind", "fit", 5, when=Leaf("industry", "is_not_empty")),
            Rule("emp", "emp", "fit", 5, when=Leaf("employees", "gt", 10)),
            Rule("emp2", "emp2", "fit", map=ValueMap("employees", bins=[Bin(0, None, 1)])),
        ],
    )
    leads = pd.DataFrame({"lead_id": ["1", "2"], "industry": ["a", "b"], "Employee count": [100, 5]})
    data = bind(m, leads, as_of=AS_OF)
    missing = {p.column: p for p in problems_of(data, "missing_column")}
    assert set(missing) == {"Employee Count", "spare"}
    p = missing["Employee Count"]
    assert p.rules == ["emp", "emp2"] and p.count == 2
    assert "emp, emp2" in p.message and "Did you mean 'Employee count'?" in p.message
    assert "no rule uses it" in missing["spare"].message
    sc = Scorer(m, data)
    assert list(sc.rule_points("emp")) == [0, 0] and list(sc.result.score) == [5, 5]
    assert list(data.extra.columns) == ["Employee count"]  # undeclared columns are kept aside


def test_type_mismatch_counted_with_examples_and_rules():
    m = ScoringModel(
        attributes=[Attribute("employees", "number"), Attribute("signup", "date"), Attribute("vip", "boolean")],
        columns={"employees": "Employees"},
        rules=[Rule("emp", "emp", "fit", 5, when=Leaf("employees", "gt", 10)), Rule("vip", "vip", "fit", 1, when=Leaf("vip", "equals", True))],
    )
    leads = pd.DataFrame(
        {
            "lead_id": [str(i) for i in range(8)],
            "Employees": ["12", "lots", "7", "", "n/a", "many", "few", "some"],
            "signup": ["2026-01-01"] * 7 + ["soon"],
            "vip": ["yes", "no", "maybe", "", "y", "n", "1", "0"],
        }
    )
    data = bind(m, leads, as_of=AS_OF, leads_source="leads.csv")
    tm = {p.column: p for p in problems_of(data, "type_mismatch")}
    assert set(tm) == {"Employees", "signup", "vip"}
    p = tm["Employees"]
    assert p.count == 4 and p.rules == ["emp"]
    assert p.examples == [(3, "lots"), (7, "many"), (8, "few"), (9, "some")]  # line numbers: header is line 1
    assert "Employees" in p.message and "leads.csv" in p.message
    assert tm["signup"].count == 1 and tm["signup"].examples == [(9, "soon")] and tm["signup"].rules == []
    assert tm["vip"].count == 1 and tm["vip"].rules == ["vip"]
    # the values that do not fit are treated as missing
    assert list(Scorer(m, data).rule_points("emp")) == [5, 0, 0, 0, 0, 0, 0, 0]


def test_duplicate_and_empty_ids():
    m = ScoringModel(attributes=[Attribute("x", "number")], rules=[Rule("r", "r", "fit", 1, when=Leaf("x", "gt", 0))])
    leads = pd.DataFrame({"lead_id": ["a", "b", "a", "", None, "b", "a"], "x": [1] * 7})
    data = bind(m, leads, as_of=AS_OF)
    dup = problems_of(data, "duplicate_id")[0]
    assert dup.count == 3 and [e[0] for e in dup.examples] == [4, 7, 8] and dup.examples[0][1] == "a"
    empty = problems_of(data, "empty_id")[0]
    assert empty.count == 2 and [e[0] for e in empty.examples] == [5, 6]
    assert len(Scorer(m, data).result.score) == 7  # every row is scored


def test_unknown_event_leads_are_reported_and_ignored():
    m = activity_model(1)
    acts = events(("1", 1, "visit", "/"), ("nobody", 1, "visit", "/"), ("ghost", 2, "visit", "/"), ("2", 1, "visit", "/"))
    data = bind(m, LEADS, acts, as_of=AS_OF)
    p = problems_of(data, "unknown_lead")[0]
    assert p.count == 2 and p.examples == [(3, "nobody"), (4, "ghost")]
    assert "2 events" in p.message
    assert len(data.events) == 2
    assert list(Scorer(m, data).result.score) == [1, 1, 0]


def test_event_ids_match_lead_ids_as_text():
    m = activity_model(1)
    leads = pd.DataFrame({"lead_id": [101, 102]})
    acts = pd.DataFrame({"lead_id": ["101", "102", "102"], "timestamp": ["2026-03-01"] * 3, "type": ["v"] * 3, "url": ["/"] * 3})
    data = bind(m, leads, acts, as_of=AS_OF)
    assert not data.problems
    assert list(Scorer(m, data).result.score) == [1, 2]


def test_missing_id_column_and_activity_columns_are_errors():
    m = ScoringModel(lead_id="lead_id", attributes=[])
    with pytest.raises(KeyError, match="Did you mean 'Lead_ID'"):
        bind(m, pd.DataFrame({"Lead_ID": ["1"]}))
    m = activity_model(1)
    with pytest.raises(KeyError, match="'timestamp' \\(timestamp\\)"):
        bind(m, LEADS, pd.DataFrame({"lead_id": ["1"], "time": ["2026-01-01"], "type": ["x"], "url": ["/"]}))


def test_default_as_of_is_end_of_day_of_latest_event_or_lead():
    m = activity_model(1)
    acts = events(("1", 3, "v", "/"))  # 2026-03-13 00:00
    data = bind(m, LEADS, acts)
    assert data.as_of == pd.Timestamp("2026-03-14")
    m2 = ScoringModel(attributes=[Attribute("created", "date")], created_at="created")
    data = bind(m2, pd.DataFrame({"lead_id": ["1", "2"], "created": ["2026-02-01 10:00", "2026-02-03 23:00"]}))
    assert data.as_of == pd.Timestamp("2026-02-04")
    assert default_as_of(None, None) > pd.Timestamp.now()
    # only events in the future (a typo like 2099): as if there were none, not 2099
    only_future = np.array([pd.Timestamp("2099-01-01").value, pd.Timestamp("2098-05-05").value])
    assert pd.Timestamp.now() < default_as_of(None, only_future) < pd.Timestamp.now() + pd.Timedelta(days=3)
    mixed = np.array([pd.Timestamp("2026-03-13 10:00").value, pd.Timestamp("2099-01-01").value])
    assert default_as_of(None, mixed) == pd.Timestamp("2026-03-14")


# ---------------------------------------------------------------- scorer helpers
def test_rule_hits_and_matches():
    rules = [
        Rule("zero", "zero", "fit", 0, when=Leaf("x", "gt", 0)),
        Rule("pos", "pos", "fit", 5, when=Leaf("x", "gt", 0)),
        Rule("map", "map", "fit", map=ValueMap("x", bins=[Bin(None, 2, 0), Bin(2, None, 3)])),
    ]
    m = _lead_model(rules)
    sc = _score(m, pd.DataFrame({"lead_id": list("abcd"), "x": [1, 2, 3, None]}))
    assert sc.rule_matches("zero") == 3 and sc.rule_hits("zero") == 0
    assert sc.rule_matches("pos") == 3 and sc.rule_hits("pos") == 3
    assert sc.rule_hits("map") == 2
    assert sc.rule_hits("nope") == 0 and sc.rule_matches("nope") == 0
    pf = sc.points_frame([1, 3])
    assert list(pf.index) == ["b", "d"] and list(pf["pos"]) == [5, 0] and list(pf["map"]) == [3, 0]


def test_refresh_follows_point_and_threshold_edits():
    m = _lead_model([Rule("a", "a", "fit", 10, when=Leaf("x", "gt", 0))], thresholds=Thresholds(15))
    sc = _score(m, pd.DataFrame({"lead_id": ["1", "2"], "x": [1, 0]}))
    assert list(sc.result.status) == [0, 0]
    m.rules[0].points = 20
    sc.refresh()
    assert list(sc.result.score) == [20, 0] and list(sc.result.status) == [1, 0]
    m.thresholds.mql = 25
    assert list(sc.refresh().status) == [0, 0]
    m.rules.append(Rule("b", "b", "engagement", 7, when=Leaf("x", "lte", 0)))
    assert list(sc.refresh().score) == [20, 7]
    m.rules[0].enabled = False
    assert list(sc.refresh().score) == [0, 7]


def test_set_as_of_rescoring_equals_binding_at_that_moment():
    m = activity_model(10, within_days=7, decay=Decay(half_life_days=7))
    acts = events(("1", 1, "v", "/"), ("1", 6, "v", "/"), ("2", 10, "v", "/"), ("3", -2, "v", "/"))
    data = bind(m, LEADS, acts, as_of=AS_OF)
    sc = Scorer(m, data)
    later = AS_OF + pd.Timedelta(days=3)
    sc.set_as_of(later)
    fresh = Scorer(m, bind(m, LEADS, acts, as_of=later))
    np.testing.assert_allclose(sc.result.score, fresh.result.score)
    assert sc.result.score[2] > 0  # the future event has now happened
    assert sc.result.score[1] == 0  # 13 days: outside the window


def test_progress_callback():
    calls = []
    m = _lead_model([Rule("a", "a", "fit", 1, when=Leaf("x", "gt", 0)), Rule("b", "b", "fit", 1, when=Leaf("x", "gt", 1))])
    Scorer(m, bind(m, pd.DataFrame({"lead_id": ["1"], "x": [1]}), as_of=AS_OF), progress=lambda f, msg: calls.append((f, msg)))
    assert calls[0] == (0, "Scoring rule 1 of 2: a") and calls[-1] == (1.0, "Scored")


def test_horizon_scores_each_lead_days_after_creation():
    m = ScoringModel(
        attributes=[Attribute("created", "date")],
        created_at="created",
        activities=ActivityColumns("lead_id", "timestamp", "type", "url"),
        rules=[
            Rule("a", "events", "engagement", 1, activity=ActivitySpec()),
            Rule("new", "new", "fit", 10, when=Leaf("created", "within_days", 2)),
        ],
    )
    leads = pd.DataFrame({"lead_id": ["1", "2", "3"], "created": ["2026-03-01", "2026-03-14", None]})
    acts = events(("1", 13, "v", "/"), ("1", 10, "v", "/"), ("2", 1, "v", "/"), ("3", 1, "v", "/"), ("3", 30, "v", "/"))
    data = bind(m, leads, acts, as_of=AS_OF, horizon_days=5)
    sc = Scorer(m, data)
    # lead 1: created 1 March, scored as of 6 March: the event of 3 March counts, the one of 6 March 00:00 does not;
    #         its creation is 5 days old then, not within 2 days
    # lead 2: created 14 March, 5 days later is after as-of (16 March 00:00): scored as of as-of
    # lead 3: no creation date: scored as of as-of
    assert list(sc.rule_points("a")) == [1, 1, 2]
    assert list(sc.rule_points("new")) == [0, 10, 0]
    sc.set_as_of(AS_OF)  # no horizon: everybody as of the 16th
    assert list(sc.rule_points("a")) == [2, 1, 2] and list(sc.rule_points("new")) == [0, 10, 0]


def test_events_find_their_lead_when_ids_are_missing_or_repeated():
    m = activity_model(1)
    leads = pd.DataFrame({"lead_id": ["x", None, "y", "", "x"]})
    acts = events(("y", 1, "v", "/"), ("y", 2, "v", "/"), ("x", 1, "v", "/"))
    data = bind(m, leads, acts, as_of=AS_OF)
    assert {p.kind for p in data.problems} == {"empty_id", "duplicate_id"}
    # a row without an id gets no events; a repeated id's events go to its first row
    assert list(Scorer(m, data).result.score) == [1, 0, 2, 0, 0]


def test_events_without_a_lead_id_are_unknown():
    m = activity_model(1)
    leads = pd.DataFrame({"lead_id": ["x", "", "y"]})
    acts = events(("", 1, "v", "/"), ("  ", 1, "v", "/"), ("y", 1, "v", "/"))
    data = bind(m, leads, acts, as_of=AS_OF)
    unknown = problems_of(data, "unknown_lead")[0]
    assert unknown.count == 2 and [e[0] for e in unknown.examples] == [2, 3]
    assert list(Scorer(m, data).result.score) == [0, 0, 1]


def test_a_date_in_the_future_does_not_move_the_scoring_moment():
    """Issue 18: one event dated 2099 moved every activity window to 2099."""
    from leaddesigner.core.model.types import ActivityColumns, ActivitySpec, Attribute, Leaf, Rule, ScoringModel

    m = ScoringModel(
        lead_id="id", created_at="created",
        attributes=[Attribute("created", "date")],
        activities=ActivityColumns("id", "ts", "type", None),
        rules=[Rule("recent", "Recent visit", "engagement", 10,
                    activity=ActivitySpec(Leaf("type", "equals", "visit"), within_days=7))],
    )
    leads = pd.DataFrame({"id": ["a", "b"], "created": pd.to_datetime(["2026-03-01", "2099-01-01"])})
    acts = pd.DataFrame({"id": ["a", "a"], "ts": pd.to_datetime(["2026-03-10 10:00", "2099-05-05 00:00"]), "type": ["visit", "visit"]})
    data = bind(m, leads, acts)
    assert data.as_of == pd.Timestamp("2026-03-11")
    sc = Scorer(m, data)
    assert sc.result.score[0] == 10  # the March visit is inside the window of the real moment
    kinds = [p for p in data.problems if p.kind == "future_date"]
    assert len(kinds) == 2 and "2099-01-01" in kinds[0].message and "2099-05-05" in kinds[1].message
