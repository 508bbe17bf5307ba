"""Edit commands: apply then inverse restores the model exactly; redo works; errors leave the model alone."""
from __future__ import annotations

import copy

import pytest

from leaddesigner.core.edits import commands as C
from leaddesigner.core.model.types import Attribute, Bin, Decay, Leaf, Rule, ScoringModel, to_dict
from leaddesigner.core.model.io import loads_model, validate_dict

MODEL_YAML = """
schema_version: 1
name: Test model
description: For command tests
version: "1"
owners: [Ops]
definitions: {lead: A person, mql: Score 50+}
lead_id: lead_id
created_at: created_at
columns: {industry: Industry}
attributes:
  - {name: created_at, type: date, kind: system}
  - {name: email, type: text, kind: demographic}
  - {name: company_size, type: number, kind: firmographic}
  - {name: industry, type: category, kind: firmographic}
  - {name: seniority, type: category, kind: demographic}
  - {name: persona, type: category, kind: demographic}
  - {name: is_customer, type: boolean, kind: system}
  - {name: spare, type: category}
persona: {attribute: persona, weights: {buyer: 1, user: 0.5}}
products: [analytics, payments]
rules:
  - {id: size, label: Size, dimension: fit, map: {attribute: company_size, bins: [{to: 10, points: -5}, {from: 10, points: 10}]}}
  - {id: industry, label: Industry, dimension: fit, map: {attribute: industry, values: {Software: 10, Retail: 4}}}
  - {id: vp, label: VP or above, dimension: fit, group: seniority, when: {attribute: seniority, op: in, value: [VP, C-level]}, points: 10}
  - {id: free_mail, label: Free mail, dimension: fit, when: {attribute: email, op: ends_with, value: gmail.com}, points: -10, why: Personal}
  - {id: combo, label: Combo, dimension: fit, when: {all: [{attribute: industry, op: equals, value: Software}, {attribute: company_size, op: gte, value: 50}]}, points: 5}
  - id: pricing
    label: Pricing views
    dimension: engagement
    group: web
    product: analytics
    activity: {where: {attribute: type, op: equals, value: page_view}, within_days: 30, max_points: 15, decay: {half_life_days: 10}}
    points: 5
  - {id: demo, label: Demo, dimension: engagement, activity: {where: {attribute: type, op: equals, value: demo_request}}, points: 30}
caps:
  dimensions: {fit: {min: -20, max: 50}}
  groups: {web: {max: 20}, seniority: {max: 12}}
score_range: {min: 0, max: 100}
thresholds: {mql: 50, sql: 80}
grades:
  fit: {A: 30, B: 15, C: null}
  engagement: {1: 30, 2: 10, 3: null}
  mql_cells: [A1, A2, B1]
capacity: {sdrs: 2, leads_per_sdr_per_week: 40, sla_hours: 24}
"""


@pytest.fixture
def model():
    return loads_model(MODEL_YAML)


def new_rule(rid="new_rule"):
    return Rule(rid, "New rule", "fit", 3.0, when=Leaf("industry", "equals", "Software"))


# Every command type, with arguments that make a real change.
CASES = [
    C.SetRuleField("vp", "points", 12),
    C.SetRuleField("vp", "points", -4.5),
    C.SetRuleField("vp", "label", "Senior people"),
    C.SetRuleField("vp", "enabled", False),
    C.SetRuleField("vp", "dimension", "engagement"),
    C.SetRuleField("vp", "group", None),
    C.SetRuleField("vp", "group", "new_group"),
    C.SetRuleField("vp", "product", "payments"),
    C.SetRuleField("free_mail", "why", None),
    C.SetRuleField("free_mail", "why", "Because"),
    C.SetRuleField("vp", "id", "vp_plus"),
    C.SetRuleField("vp", "attribute", "industry"),
    C.SetRuleField("vp", "attribute", "company_size"),
    C.SetRuleField("vp", "op", "not_in"),
    C.SetRuleField("vp", "op", "equals"),
    C.SetRuleField("vp", "op", "is_empty"),
    C.SetRuleField("vp", "value", "VP, Director, C-level"),
    C.SetRuleField("vp", "value", ["VP"]),
    C.SetRuleField("free_mail", "case_sensitive", True),
    C.SetRuleField("combo", "when", Leaf("industry", "in", ["Software", "Retail"])),
    C.SetRuleField("pricing", "attribute", "detail"),
    C.SetRuleField("pricing", "op", "in"),
    C.SetRuleField("pricing", "value", "page_view, email_click"),
    C.SetRuleField("pricing", "within_days", 60),
    C.SetRuleField("pricing", "within_days", None),
    C.SetRuleField("pricing", "max_points", 30),
    C.SetRuleField("pricing", "max_points", None),
    C.SetRuleField("pricing", "decay", Decay(linear_pct=20, period_days=7)),
    C.SetRuleField("pricing", "decay", None),
    C.SetRuleField("pricing", "half_life_days", 21),
    C.SetRuleField("demo", "half_life_days", 7),
    C.SetRuleField("demo", "where", None),
    C.SetRuleField("industry", "map_values", {"Software": 12, "Finance": 8}),
    C.SetRuleField("industry", "map_default", 2),
    C.SetRuleField("industry", "attribute", "seniority"),
    C.SetRuleField("size", "map_bins", [Bin(None, 50, 0), Bin(50, None, 15)]),
    C.SetRule("vp", Rule("vp", "Other", "engagement", 7.0, when=Leaf("email", "contains", "ceo"))),
    C.AddRule(0, new_rule()),
    C.AddRule(3, new_rule()),
    C.AddRule(None, new_rule()),
    C.RemoveRule("vp"),
    C.RemoveRule("size"),
    C.RemoveRule("demo"),
    C.MoveRule("vp", 0),
    C.MoveRule("size", 6),
    C.MoveRule("demo", 2),
    C.SetThreshold("mql", 42),
    C.SetThreshold("sql", 90),
    C.SetThreshold("sql", None),
    C.SetCapacity("sdrs", 5),
    C.SetCapacity("leads_per_sdr_per_week", 55.5),
    C.SetCapacity("sla_hours", 4),
    C.SetCapacity("working_days", 6),
    C.SetGradeBand("fit", "A", 35),
    C.SetGradeBand("engagement", "2", 12),
    C.SetGradeBands("fit", {"A": 40, "B": 20, "C": 5, "D": None}),
    C.SetGradeBands("engagement", {"hot": 30, "cold": None}),
    C.SetMqlCells(["A1"]),
    C.SetMqlCells(None),
    C.SetCap("dimension", "fit", 0, 40),
    C.SetCap("dimension", "fit", None, None),
    C.SetCap("dimension", "engagement", None, 60),
    C.SetCap("group", "web", 0, 25),
    C.SetCap("group", "web", None, None),
    C.SetCap("group", "seniority", None, None),
    C.SetCap("score_range", None, None, None),
    C.SetCap("score_range", None, -10, 120),
    C.SetAttribute("industry", "description", "Sector"),
    C.SetAttribute("spare", "kind", "intent"),
    C.SetAttribute("spare", "type", "text"),
    C.SetAttribute("industry", "name", "sector"),
    C.SetAttribute("seniority", "name", "level"),
    C.SetAttribute("created_at", "name", "created"),
    C.AddAttribute(0, Attribute("budget", "category", "form")),
    C.AddAttribute(None, Attribute("score2", "number", "intent", "Third party")),
    C.RemoveAttribute("spare"),
    C.SetColumnMapping("industry", "Sector"),
    C.SetColumnMapping("industry", None),
    C.SetColumnMapping("email", "Email Address"),
    C.SetDefinition("sql", "Accepted by an SDR"),
    C.SetDefinition("lead", ""),
    C.SetDefinition("mql", "Score 55+"),
    C.SetMeta("name", "Renamed"),
    C.SetMeta("description", None),
    C.SetMeta("version", "2"),
    C.SetMeta("owners", "Ops, Sales"),
    C.SetMeta("lead_id", "Lead ID"),
    C.SetMeta("created_at", None),
    C.SetMeta("products", ["analytics", "payments", "cards"]),
    C.Compound([C.SetRuleField("vp", "points", 1), C.RemoveRule("demo"), C.SetThreshold("mql", 10)], "Several"),
]


@pytest.mark.parametrize("cmd", CASES, ids=lambda c: c.text)
def test_apply_then_inverse_restores_exactly(model, cmd):
    before = to_dict(model)
    inverse = cmd.apply(model)
    after = to_dict(model)
    assert after != before, "the command should change something"
    validate_dict(copy.deepcopy(after))  # every edit leaves a valid model
    redo = inverse.apply(model)
    assert to_dict(model) == before
    redo.apply(model)
    assert to_dict(model) == after
    assert isinstance(cmd.text, str) and cmd.text


def test_removing_a_mapped_attribute_restores_mapping(model):
    model.columns["spare"] = "Spare Col"
    before = to_dict(model)
    inv = C.RemoveAttribute("spare").apply(model)
    assert "spare" not in model.columns
    inv.apply(model)
    assert to_dict(model) == before


ERRORS = [
    (C.SetRuleField("nope", "points", 1), "no rule"),
    (C.SetRuleField("vp", "points", "abc"), "number"),
    (C.SetRuleField("industry", "points", 3), "values"),
    (C.SetRuleField("vp", "id", "free_mail"), "already used"),
    (C.SetRuleField("vp", "id", "9 bad id"), "not valid"),
    (C.SetRuleField("vp", "label", "  "), "label"),
    (C.SetRuleField("vp", "dimension", "size"), "fit or engagement"),
    (C.SetRuleField("vp", "product", "cards"), "not one of"),
    (C.SetRuleField("vp", "attribute", "nonexistent"), "not a declared attribute"),
    (C.SetRuleField("vp", "op", "gt"), "does not apply"),
    (C.SetRuleField("vp", "op", "bogus"), "unknown operator"),
    (C.SetRuleField("combo", "op", "in"), "combined condition"),
    (C.SetRuleField("vp", "within_days", 3), "activity rules"),
    (C.SetRuleField("pricing", "within_days", -1), "more than 0"),
    (C.SetRuleField("pricing", "attribute", "industry"), "event field"),
    (C.SetRuleField("vp", "group", "web"), "mix dimensions"),
    (C.SetRuleField("vp", "whatever", 1), "unknown rule field"),
    (C.SetRuleField("free_mail", "value", "("), None),  # nothing wrong with '(' for ends_with
    (C.AddRule(0, Rule("vp", "Dup", "fit", 1.0, when=Leaf("industry", "equals", "X"))), "already used"),
    (C.AddRule(0, Rule("bad", "Bad", "fit", 1.0, when=Leaf("industry", "gt", 3))), "does not apply"),
    (C.SetThreshold("mql", None), "cannot be empty"),
    (C.SetThreshold("xql", 3), "mql"),
    (C.SetCapacity("sdrs", 1.5), "whole number"),
    (C.SetCapacity("sdrs", -1), "at least"),
    (C.SetCapacity("robots", 1), "no field"),
    (C.SetGradeBand("fit", "A", 10), "highest to lowest"),
    (C.SetGradeBand("fit", "Z", 10), "no fit band"),
    (C.SetMqlCells(["Z9"]), "not a grade cell"),
    (C.SetCap("dimension", "fit", 10, 5), "above the maximum"),
    (C.SetCap("group", "nogroup", 0, 5), "no rule is in group"),
    (C.SetAttribute("industry", "type", "number"), "cannot become"),
    (C.SetAttribute("industry", "name", "email"), "already"),
    (C.SetAttribute("created_at", "type", "text"), "cannot become"),
    (C.AddAttribute(0, Attribute("email", "text")), "already"),
    (C.RemoveAttribute("industry"), "used by"),
    (C.RemoveAttribute("persona"), "persona"),
    (C.SetMeta("created_at", "industry"), "date attribute"),
    (C.SetMeta("products", ["payments"]), "still used"),
    (C.SetMeta("name", ""), "needs a name"),
    (C.ReplaceModel({"schema_version": 1, "name": "x", "rules": [{"id": "a"}]}), None),
    (C.Compound([C.SetThreshold("mql", 10), C.RemoveRule("nope")]), "no rule"),
]


@pytest.mark.parametrize("cmd,words", ERRORS, ids=lambda x: getattr(x, "text", str(x)))
def test_invalid_edits_raise_and_leave_the_model_alone(model, cmd, words):
    before = to_dict(model)
    if words is None and not isinstance(cmd, C.ReplaceModel):
        cmd.apply(model)  # valid after all
        return
    with pytest.raises(C.CommandError) as e:
        cmd.apply(model)
    if words:
        assert words in str(e.value)
    assert to_dict(model) == before


def test_replace_model_in_place(model):
    before = to_dict(model)
    other = copy.deepcopy(before)
    other["name"] = "Other"
    other["rules"] = [r for r in other["rules"] if r["id"] not in ("combo", "demo")]
    ident = id(model)
    inv = C.ReplaceModel(other, "Load other").apply(model)
    assert id(model) == ident and model.name == "Other" and len(model.rules) == 5
    inv.apply(model)
    assert to_dict(model) == before


def test_op_change_adapts_the_value(model):
    C.SetRuleField("vp", "op", "equals").apply(model)
    assert model.rule("vp").when.value == "VP"
    C.SetRuleField("vp", "attribute", "company_size").apply(model)
    r = model.rule("vp").when
    assert r.op == "equals" and r.value == 0
    C.SetRuleField("vp", "op", "between").apply(model)
    assert model.rule("vp").when.value == [0, 0]
    C.SetRuleField("vp", "value", "50 - 500").apply(model)
    assert model.rule("vp").when.value == [50, 500]
    C.SetRuleField("vp", "op", "is_not_empty").apply(model)
    assert model.rule("vp").when.value is None


def test_text_and_merge_keys():
    a = C.SetRuleField("pricing_views", "points", 10)
    assert a.text == "Set points of pricing_views to 10"
    assert a.merge_key == C.SetRuleField("pricing_views", "points", 11).merge_key
    assert a.merge_key != C.SetRuleField("other", "points", 11).merge_key
    assert C.SetRuleField("x", "label", "y").merge_key is None
    assert C.SetThreshold("mql", 5).merge_key == C.SetThreshold("mql", 6).merge_key
    assert C.SetThreshold("mql", 5).text == "Set MQL threshold to 5"
    assert C.SetCapacity("sdrs", 3).merge_key == ("capacity", "sdrs")


@pytest.mark.parametrize(
    "text,op,atype,expected",
    [
        ("Software, Retail", "in", "category", ["Software", "Retail"]),
        ('"Acme, Inc.", Beta', "in", "category", ["Acme, Inc.", "Beta"]),
        ("10, 20", "in", "number", [10, 20]),
        ("50..500", "between", "number", [50, 500]),
        ("500, 50", "between", "number", [50, 500]),
        ("2.5", "gte", "number", 2.5),
        ("yes", "equals", "boolean", True),
        ("2026-01-31", "before", "date", "2026-01-31"),
        ("30", "within_days", "date", 30),
        ("gmail.com, yahoo.com", "ends_with", "text", ["gmail.com", "yahoo.com"]),
        ("gmail.com", "ends_with", "text", "gmail.com"),
        ("", "is_empty", "text", None),
    ],
)
def test_parse_value(text, op, atype, expected):
    assert C.parse_value(text, op, atype) == expected
    if expected is not None:
        assert C.parse_value(C.format_value(expected, op), op, atype) == expected


@pytest.mark.parametrize("text,op,atype", [("abc", "gt", "number"), ("1", "between", "number"), ("maybe", "equals", "boolean"), ("31/01", "before", "date")])
def test_parse_value_errors(text, op, atype):
    with pytest.raises(C.CommandError):
        C.parse_value(text, op, atype)


def test_needs_rebind():
    assert C.needs_rebind(C.SetColumnMapping("a", "b"))
    assert C.needs_rebind(C.SetMeta("lead_id", "x"))
    assert not C.needs_rebind(C.SetMeta("name", "x"))
    assert not C.needs_rebind(C.SetRuleField("a", "points", 1))
    assert C.needs_rebind(C.Compound([C.SetThreshold("mql", 1), C.AddAttribute(0, Attribute("z"))]))


def test_new_rule_id(model):
    assert C.new_rule_id(model, "fresh") == "fresh"
    assert C.new_rule_id(model, "vp") == "vp_2"
    assert C.new_rule_id(model, "9 lives!") == "r_9_lives"


def test_commands_apply_to_the_sample_models():
    from leaddesigner.paths import samples_dir
    from leaddesigner.core.model.io import load_model

    paths = sorted(samples_dir().glob("*.yaml"))
    if not paths:
        pytest.skip("no sample models")
    for p in paths:
        m = load_model(p)
        before = to_dict(m)
        for r in list(m.rules):
            inv = C.SetRuleField(r.id, "enabled", not r.enabled).apply(m)
            inv.apply(m)
            inv = C.MoveRule(r.id, 0).apply(m)
            inv.apply(m)
            inv = C.RemoveRule(r.id).apply(m)
            inv.apply(m)
        assert to_dict(m) == before


def test_core_commands_do_not_import_qt():
    import subprocess
    import sys

    code = "import sys, leaddesigner.core.edits.commands; sys.exit(any(m.startswith(('PySide6', 'pyqtgraph')) for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# ---------------------------------------------------------------- issue 12: typed values, changing a rule's attribute
def test_typed_values_with_commas_are_kept_whole():
    known = ["Banking, Investment And Insurance", "Retail", "Software"]
    text = C.quote_known_values("Banking, Investment And Insurance, retail", known)
    assert C.parse_value(text, "in", "category") == ["Banking, Investment And Insurance", "retail"]
    assert C.parse_value("Acme, Inc.\nRetail\n", "in", "category") == ["Acme, Inc.", "Retail"]  # one per line
    assert C.parse_value('"Acme, Inc.", Retail', "in", "category") == ["Acme, Inc.", "Retail"]
    assert C.quote_known_values("Software, Retail", known) == "Software, Retail"  # nothing to protect


def test_a_new_attribute_drops_the_old_values_and_names():
    from leaddesigner.core.model.types import Attribute, Leaf, Rule, ScoringModel, ValueMap

    m = ScoringModel(attributes=[Attribute("do_not_email", "category"), Attribute("occupation", "category"),
                                 Attribute("industry", "category")])
    m.rules = [
        Rule("do_not_email_rule", "Do not email", "fit", -10, when=Leaf("do_not_email", "equals", "Yes")),
        Rule("industry_map", "Industry", "fit", map=ValueMap("industry", values={"Software": 10})),
    ]
    inv = C.SetRuleField("do_not_email_rule", "attribute", "occupation").apply(m)
    r = m.rules[0]
    assert r.when.attribute == "occupation" and r.when.value != "Yes"
    assert r.id == "occupation_rule" and "do not email" not in r.label.lower()
    inv.apply(m)
    assert m.rules[0].id == "do_not_email_rule" and m.rules[0].when.value == "Yes"
    C.SetRuleField("industry_map", "attribute", "occupation").apply(m)
    r = m.rules[1]
    assert r.map.attribute == "occupation" and r.map.values == {} and r.id == "occupation_map" and r.label == "occupation"


def test_accounts_edits_need_no_rescore():
    from leaddesigner.core.model.accounts import Accounts

    m = ScoringModel(name="m", attributes=[Attribute("email", "text")], rules=[])
    assert not C.needs_rescore(C.SetAccounts(Accounts(mqa=50), "MQA line"))
    assert C.needs_rescore(C.SetThreshold("mql", 10))
    assert C.needs_rescore(C.Compound([C.SetAccounts(Accounts()), C.SetThreshold("mql", 10)]))
    inv = C.SetAccounts(Accounts(mqa=50)).apply(m)
    assert m.accounts.mqa == 50 and inv.apply(m) and m.accounts is None
