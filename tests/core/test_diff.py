"""diff_models on hand-made pairs: each kind of change is named in plain words; nothing is missed."""
from __future__ import annotations

import json

import pandas as pd
from hypothesis import given, settings

from fuzzing import examples  # tests/ is on sys.path; see tests/fuzzing.py
from leaddesigner.core.analysis.impact import impact
from leaddesigner.core.model import types as M
from leaddesigner.core.model.diff import diff_models
from leaddesigner.core.model.io import loads_model

from . import strategies as S

BASE = """\
schema_version: 1
name: Base
version: "1.0"
owners: [Ops]
definitions: {mql: Score 50 or more}
lead_id: id
created_at: created
columns: {size: employees}
attributes:
  - {name: size, type: number, kind: firmographic}
  - {name: industry, type: category, kind: firmographic}
  - {name: created, type: date, kind: system}
  - {name: role, type: category, kind: demographic}
activities: {lead_id: lead_id, timestamp: timestamp, type: type, detail: url}
persona: {attribute: role, weights: {buyer: 1, user: 0.5}}
products: [crm]
rules:
  - {id: big, label: Big company, dimension: fit, when: {attribute: size, op: gte, value: 200}, points: 20}
  - {id: ind, label: Industry, dimension: fit, map: {attribute: industry, values: {Software: 20, Retail: -5}}}
  - id: visits
    label: Visits
    dimension: engagement
    group: web
    activity: {where: {attribute: type, op: equals, value: visit}, within_days: 30, max_points: 40, decay: {half_life_days: 14}}
    points: 5
  - {id: bands, label: Size bands, dimension: fit, map: {attribute: size, bins: [{to: 10, points: -5}, {from: 10, points: 5}]}}
caps:
  dimensions: {fit: {max: 60}}
  groups: {web: {max: 30}}
thresholds: {mql: 50, sql: 80}
grades:
  fit: {A: 40, B: 20, C: null}
  engagement: {"1": 30, "2": null}
capacity: {sdrs: 2, leads_per_sdr_per_week: 50, sla_hours: 24}
"""


def base() -> M.ScoringModel:
    return loads_model(BASE)


def texts(old: M.ScoringModel, new: M.ScoringModel) -> list[str]:
    return [c.text for c in diff_models(old, new).changes]


def test_identical_models_have_no_changes():
    d = diff_models(base(), base())
    assert d.empty and len(d) == 0 and d.changes == []
    assert d.text() == "'Base' (version 1.0): no differences."
    assert d.to_dict()["identical"] is True and d.summary() == ""


def test_rules_added_and_removed_by_id():
    old, new = base(), base()
    new.rules = [r for r in new.rules if r.id != "big"]
    new.rules.append(M.Rule("demo", "Demo request", "engagement", 30.0, when=M.Leaf("industry", "equals", "Software")))
    assert texts(old, new) == [
        "Rule added: demo (Demo request) [engagement]: +30 when industry is Software",
        "Rule removed: big (Big company) [fit]: +20 when size >= 200",
    ]
    kinds = [(c.kind, c.key) for c in diff_models(old, new).changes]
    assert kinds == [("added", "demo"), ("removed", "big")]


def test_reweighted_condition_and_negative():
    old, new = base(), base()
    new.rule("big").points = -10
    new.rule("big").when = M.Leaf("size", "gte", 500)
    assert texts(old, new) == [
        "Rule big (Big company): points +20 -> -10 (now a negative rule)",
        "Rule big (Big company): condition size >= 200 -> >= 500",
    ]


def test_condition_in_plain_words_for_trees():
    old, new = base(), base()
    new.rule("big").when = M.AllOf([M.Leaf("size", "gte", 200), M.Not(M.Leaf("industry", "in", ["Retail", "Gov"]))])
    assert texts(old, new) == [
        "Rule big (Big company): condition size >= 200 -> size >= 200 and not industry is one of (Retail, Gov)"
    ]


def test_enabled_renamed_dimension_group_product_why():
    old, new = base(), base()
    r = new.rule("big")
    r.enabled = False
    r.label = "Large company"
    r.group = "size"
    r.product = "crm"
    r.why = "Big deals"
    out = texts(old, new)
    assert out == [
        "Rule big (Large company): renamed from 'Big company'",
        "Rule big (Large company): disabled",
        "Rule big (Large company): group none -> size",
        "Rule big (Large company): product none -> crm",
        "Rule big (Large company): reason changed to 'Big deals'",
    ]
    assert [c.kind for c in diff_models(old, new).changes][:2] == ["renamed", "disabled"]
    assert texts(new, old)[1] == "Rule big (Big company): enabled"


def test_rule_moved():
    old, new = base(), base()
    new.rules.insert(0, new.rules.pop(2))  # visits first
    assert texts(old, new) == ["Rule visits moved from position 3 to 1"]


def test_value_map_changes():
    old, new = base(), base()
    m = new.rule("ind").map
    m.values = {"Software": 25, "Finance": 10}
    m.default = 2
    new.rule("bands").map.bins[1].points = 8
    assert texts(old, new) == [
        "Rule ind (Industry): industry Software: +20 -> +25",
        "Rule ind (Industry): value 'Finance' added (+10)",
        "Rule ind (Industry): value 'Retail' removed (was -5)",
        "Rule ind (Industry): other values 0 -> +2",
        "Rule bands (Size bands): size >= 10: +5 -> +8",
    ]
    new2 = base()
    new2.rule("bands").map.bins = [M.Bin(None, 50, -5), M.Bin(50, None, 5)]
    assert texts(old, new2) == ["Rule bands (Size bands): size bands < 10: -5, >= 10: +5 -> < 50: -5, >= 50: +5"]


def test_activity_window_decay_max_and_per_event_points():
    old, new = base(), base()
    r = new.rule("visits")
    r.points = 3
    r.activity.within_days = 14
    r.activity.max_points = None
    r.activity.decay = M.Decay(linear_pct=10, period_days=7)
    r.activity.where = M.Leaf("type", "in", ["visit", "webinar"])
    assert texts(old, new) == [
        "Rule visits (Visits): per-event points +5 -> +3",
        "Rule visits (Visits): events type is visit -> is one of (visit, webinar)",
        "Rule visits (Visits): window last 30 days -> last 14 days",
        "Rule visits (Visits): max 40 -> none",
        "Rule visits (Visits): decay half-life 14 days -> -10% per 7 days",
    ]


def test_rule_kind_changed():
    old, new = base(), base()
    r = new.rule("big")
    r.when, r.map = None, M.ValueMap("size", bins=[M.Bin(None, 200, 0), M.Bin(200, None, 20)])
    assert texts(old, new) == ["Rule big (Big company): now a map rule: +20 when size >= 200 -> size -> < 200: 0, >= 200: +20"]


def test_thresholds_caps_grades_capacity():
    old, new = base(), base()
    new.thresholds = M.Thresholds(55, None)
    new.caps.dimensions["fit"] = M.Range(None, 50)
    new.caps.dimensions["engagement"] = M.Range(-20, 40)
    del new.caps.groups["web"]
    new.score_range = M.Range(0, 100)
    new.grades.fit["A"] = 45
    new.grades.engagement["3"] = None
    new.grades.engagement["2"] = 10
    new.grades.mql_cells = ["A1", "B1"]
    new.capacity.sdrs = 3
    new.capacity.sla_hours = 8
    assert texts(old, new) == [
        "Fit score cap max 60 -> max 50",
        "Engagement score capped at -20..40",
        "Group 'web' cap removed (was max 30)",
        "Score kept within none -> 0..100",
        "MQL threshold 50 -> 55",
        "SQL threshold 80 -> none",
        "Fit band A starts at 45 (was 40)",
        "Engagement band 2 starts at 10 (was none)",
        "Engagement band 3 added (from none)",
        "Only grades A1, B1 can be MQL (any grade before)",
        "SDRs: 2 -> 3 (capacity 100 -> 150 leads per week)",
        "Follow-up SLA (hours): 24 -> 8",
    ]


def test_attributes_columns_definitions_metadata_persona_products():
    old, new = base(), base()
    new.name = "Base v2"
    new.version = "2.0"
    new.owners = ["Ops", "Sales"]
    new.definitions["sql"] = "Accepted by sales"
    new.definitions["mql"] = "Score 55 or more"
    new.attributes.append(M.Attribute("country", "category", "firmographic"))
    new.attribute("role").kind = "other"
    new.columns["size"] = "headcount"
    new.columns["industry"] = "sector"
    new.persona.weights["user"] = 0.4
    new.products.append("ads")
    new.activities.detail = "page"
    out = texts(old, new)
    assert out == [
        "Name: 'Base' -> 'Base v2'",
        "Version: 1.0 -> 2.0",
        "Owners: Ops -> Ops, Sales",
        "Definition of MQL changed: 'Score 50 or more' -> 'Score 55 or more'",
        "Definition of SQL added: 'Accepted by sales'",
        "Attribute role: kind demographic -> other",
        "Attribute country added (category, firmographic)",
        "Attribute size is read from column 'headcount' (was 'employees')",
        "Attribute industry is read from column 'sector' (was 'industry')",
        "Activity log column for detail: url -> page",
        "Persona user: weight x0.5 -> x0.4",
        "Product ads added",
    ]
    d = diff_models(old, new)
    assert d.text().startswith("'Base' (version 1.0) -> 'Base v2' (version 2.0): 12 changes\n\nModel:\n  ~ Name:")
    assert "\nColumn mapping:\n  ~ Attribute size is read from column 'headcount'" in d.text()


def test_changelog_entries_added():
    old, new = base(), base()
    new.changelog.append(M.ChangelogEntry("2026-11-22", "Ann", "Raised the MQL bar after Q3 review"))
    d = diff_models(old, new)
    assert [c.text for c in d.changes] == ["Entry added: 2026-11-22 Ann: 'Raised the MQL bar after Q3 review'"]
    assert d.changes[0].new == {"date": "2026-11-22", "author": "Ann", "note": "Raised the MQL bar after Q3 review"}
    assert d.summary() == ""  # a changelog entry is not itself a change worth summarising


def test_generic_fallback_catches_what_no_comparison_describes(monkeypatch):
    """A field the specific comparisons do not know (a future format key) still shows up."""
    old, new = base(), base()
    real = M.to_dict

    def to_dict(m):
        d = real(m)
        if m is new:
            d["thresholds"]["recycle"] = 10
            d["rules"][0]["owner"] = "Kim"
        return d

    monkeypatch.setattr(M, "to_dict", to_dict)
    out = texts(old, new)
    assert "rules.big.owner set to 'Kim'" in out
    assert "thresholds.recycle set to 10" in out


def test_summary_and_json():
    old, new = base(), base()
    new.thresholds.mql = 60
    for r in new.rules:
        r.label += "!"
    d = diff_models(old, new)
    assert d.summary(max_items=2) == (
        "Rule big (Big company!): renamed from 'Big company'; Rule ind (Industry!): renamed from 'Industry'; and 3 more changes."
    )
    data = json.loads(json.dumps(d.to_dict()))
    assert data["identical"] is False and len(data["changes"]) == 5
    assert {"section", "kind", "key", "text", "old", "new"} <= set(data["changes"][0])


@settings(max_examples=examples(60))
@given(S.models(), S.models())
def test_empty_exactly_when_the_files_would_be_equal(a, b):
    d = diff_models(a, b)
    assert d.empty == (M.to_dict(a) == M.to_dict(b))
    assert diff_models(a, a.copy()).empty
    assert all(c.text and c.section for c in d.changes)
    json.dumps(d.to_dict())


# ------------------------------------------------------------------ impact
def test_impact_counts_gains_and_losses():
    old = base()
    new = base()
    new.thresholds.mql = 20
    new.thresholds.sql = 40
    new.rule("ind").map.values["Retail"] = 30
    leads = pd.DataFrame({
        "id": ["a", "b", "c", "d"],
        "employees": [500, 5, 300, 50],
        "industry": ["Software", "Retail", "Retail", "Farming"],
        "created": ["2026-05-04", "2026-05-05", "2026-05-12", "2026-05-13"],
        "role": ["buyer"] * 4,
    })
    # old: a 20+20+5=45 lead, b -5-5=-10, c 20-5+5=20, d 0+5=5 ; new: a 45 SQL, b 25 MQL, c 55 SQL, d 5
    res = impact(old, new, leads, None, as_of="2026-06-30")
    assert res.old_counts == {"lead": 4, "MQL": 0, "SQL": 0}
    assert res.new_counts == {"lead": 1, "MQL": 1, "SQL": 2}
    assert (res.mql_gained, res.mql_lost, res.sql_gained, res.sql_lost) == (3, 0, 2, 0)
    assert [m.lead_id for m in res.examples["mql_gained"]] == ["a", "b", "c"]
    mv = res.examples["sql_gained"][1]
    assert (mv.lead_id, mv.old_score, mv.new_score, mv.old_status, mv.new_status) == ("c", 20, 55, "lead", "SQL")
    # the last week (May 11-13) is partial and left out of the mean, as in the app's weekly volume
    assert res.old_mqls_per_week == 0 and res.new_mqls_per_week == 2
    assert res.changed_scores == 2
    text = res.text()
    assert "MQL or better: 0 -> 3 (+3): 3 gained, 0 lost" in text
    assert "MQLs per week: 0.0 -> 2.0 (+2.0)" in text
    assert "  c: 20 (lead) -> 55 (SQL)" in text
    back = impact(new, old, leads, None, as_of="2026-06-30", limit=1)
    assert (back.mql_lost, back.sql_lost) == (3, 2) and len(back.examples["mql_lost"]) == 1
    json.dumps(res.to_dict())


def test_recycling_in_words_and_outcome_rules_by_key():
    old, new = base(), base()
    new.recycling = M.Recycling(no_response_days=14, cooldown_days=30)
    t = texts(old, new)
    assert t == ["Recycling added: MQLs can now go back to nurture and re-MQL"]
    assert texts(new, old) == ["Recycling removed: MQLs no longer recycle"]

    old = base()
    old.recycling = M.Recycling(no_response_days=14, cooldown_days=30, reset_engagement=True)
    new = base()
    new.recycling = M.Recycling(no_response_days=21, cooldown_days=45, reset_engagement=False,
                                response_types=["demo_request"],
                                closed_lost=M.RecycleOutcome(column="stage", values=["Closed Lost"], date="closed_at"))
    t = texts(old, new)
    assert "Recycle an MQL after this many days without a response: 14 -> 21" in t
    assert "Days before a recycled lead may re-MQL: 30 -> 45" in t
    assert "Engagement points start again after a recycle: yes -> no" in t
    assert "Events that count as a response: none -> demo_request" in t
    # the outcome rule has no words of its own: the generic pass names it by key, nothing is lost
    assert any(x.startswith("recycling.closed_lost") for x in t), t
    assert all(c.section == "recycling" for c in diff_models(old, new).changes)
