"""Model files: lossless round trips, every validation error with its line and
key path, migrations of old formats, atomic saving, JSON models."""
from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from fuzzing import examples  # tests/ is on sys.path; see tests/fuzzing.py

from leaddesigner.core.model import types as M
from leaddesigner.core.model.io import (
    ModelError,
    atomic_write_text,
    did_you_mean,
    dumps_model,
    load_model,
    loads_model,
    migrate,
    parse_yaml,
    save_model,
    validate_dict,
)

from . import strategies as S

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "models"
SAMPLES = sorted((REPO / "sample_models").glob("*.yaml"))


def roundtrip(m: M.ScoringModel) -> M.ScoringModel:
    text = dumps_model(m)
    back = loads_model(text)
    assert back == m, text
    assert dumps_model(back) == text  # the text is stable too
    return back


# ---------------------------------------------------------------- round trips
@pytest.mark.parametrize("path", SAMPLES or [pytest.param(None, marks=pytest.mark.skip(reason="no sample_models/*.yaml yet"))], ids=lambda p: p and p.name)
def test_sample_models_round_trip(path):
    m = load_model(path)
    roundtrip(m)
    assert M.from_dict(json.loads(json.dumps(M.to_dict(m)))) == m  # plain data too


def test_fixture_models_round_trip():
    for p in FIXTURES.glob("*.yaml"):
        roundtrip(load_model(p))


def test_rich_model_round_trip_keeps_everything():
    m = load_model(FIXTURES / "v1_full.yaml")
    back = roundtrip(m)
    # spot checks on the parts most likely to get lost
    assert back.rule("target_industry").why.endswith("Sales asked for this rule.\n")
    assert back.rule("industry_map").map.case_sensitive and back.rule("industry_map").map.values == {"Software": 5, "finance": 3, "yes": 1}
    assert back.rule("size").map.bins[0] == M.Bin(None, 10, -5) and back.rule("size").map.bins[-1] == M.Bin(10000, None, 8)
    assert back.rule("webinar").activity.decay == M.Decay(None, 25, 7)
    assert back.rule("booleans_and_empties").enabled is False
    assert back.grades.engagement == {"1": 30, "2": 10, "3": None} and back.grades.mql_cells == ["A1", "A2", "B1"]
    assert back.capacity.working_days == 6 and back.persona.default == 0.8
    assert back.version == "2.3" and back.changelog[0].date == "2026-01-05"
    assert back.rule("target_industry").when.value == ["Software", "Finance", "10"]  # "10" stays text
    assert back.rule("dates").when.items[2].value == "2020-01-01"  # a YAML date becomes ISO text


def test_round_trip_of_tricky_values():
    m = M.ScoringModel(
        name="yes",  # YAML 1.1 would read a bare yes as true
        description="line one\nline two",
        version="1.10",
        attributes=[M.Attribute("a", "category"), M.Attribute("n", "number")],
        activities=M.ActivityColumns("id", "ts", "kind", None),  # a log without a detail column
        rules=[
            M.Rule("r", "r: colon, #hash", "fit", 1.5, when=M.Leaf("a", "in", ["null", "no", "1e3", "", " padded ", "ünï"])),
            M.Rule("m", "m", "fit", map=M.ValueMap("a", values={"on": 1, "NULL": 2, "007": -0.25})),
            M.Rule("b", "b", "fit", 0.1, when=M.Leaf("n", "between", [-1e-3, 1e12])),
        ],
        thresholds=M.Thresholds(0.3, 0.30000000000000004),
    )
    roundtrip(m)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(m=S.models())
def test_random_models_round_trip(m):
    roundtrip(m)


# ---------------------------------------------------------------- validation errors
BASE = """\
schema_version: 1
name: t
attributes:
  - {name: industry, type: category}
  - {name: employees, type: number}
  - {name: role, type: category}
products: [crm]
rules:
  - id: r1
    dimension: fit
    when: {attribute: industry, op: equals, value: Software}
    points: 10
"""
#                                                       line of the change ^ (rules[0] starts on line 9)


def errors(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ModelError) as e:
        loads_model(text, "model.yaml")
    return [(i.line, i.path, i.message) for i in e.value.issues]


def one_error(text: str) -> tuple[int | None, str, str]:
    errs = errors(text)
    assert len(errs) == 1, errs
    return errs[0]


def test_base_is_valid():
    assert loads_model(BASE).rule("r1").points == 10


@pytest.mark.parametrize(
    "old, new, line, path, message",
    [
        # misspelt keys, with a "did you mean"
        ("products: [crm]\n", "products: [crm]\ntresholds: {mql: 10}\n", 8, "tresholds", "unknown key 'tresholds'. Did you mean 'thresholds'?"),
        ("    points: 10\n", "    points: 10\n    grup: g\n", 13, "rules[0].grup", "Did you mean 'group'?"),
        ("  - {name: role, type: category}\n", "  - {name: role, type: category, knd: demographic}\n", 6, "attributes[2].knd", "Did you mean 'kind'?"),
        # misspelt values
        ("op: equals", "op: equal", 11, "rules[0].when.op", "'equal' is not allowed here. Did you mean 'equals'?"),
        ("dimension: fit", "dimension: Fit", 10, "rules[0].dimension", "Did you mean 'fit'?"),
        ("type: category}\n  - {name: employees", "type: categroy}\n  - {name: employees", 4, "attributes[0].type", "Did you mean 'category'?"),
        ("attribute: industry", "attribute: industy", 11, "rules[0].when.attribute", "'industy' is not a declared attribute. Did you mean 'industry'?"),
        ("attribute: industry", "attribute: Industry", 11, "rules[0].when.attribute", "Did you mean 'industry'?"),
        ("attribute: industry", "attribute: region", 11, "rules[0].when.attribute", "Declare it under attributes first."),
        ("    points: 10\n", "    points: 10\n    product: crn\n", 13, "rules[0].product", "product 'crn' is not listed under products. Did you mean 'crm'?"),
        # types and values
        ("attribute: industry, op: equals, value: Software", "attribute: employees, op: contains, value: x", 11, "rules[0].when.op", "'contains' does not apply to 'employees' (number). Use one of: equals"),
        ("attribute: industry, op: equals, value: Software", "attribute: employees, op: gt, value: many", 11, "rules[0].when.value", "'gt' takes a number, found text 'many'"),
        ("attribute: industry, op: equals, value: Software", "attribute: employees, op: between, value: [10, 5]", 11, "rules[0].when.value", "low (10) is above high (5)"),
        ("attribute: industry, op: equals, value: Software", "attribute: employees, op: between, value: 5", 11, "rules[0].when.value", "'between' takes two numbers [low, high]"),
        ("op: equals, value: Software", "op: in, value: Software", 11, "rules[0].when.value", "'in' takes a list of values like [A, B]"),
        ("op: equals, value: Software", "op: equals, value: [a, b]", 11, "rules[0].when.value", "use 'in' for a list"),
        ("op: equals, value: Software", "op: regex, value: '(abc'", 11, "rules[0].when.value", "not a valid RE2 regular expression (missing )"),
        ("op: equals, value: Software", "op: regex, value: '(?=a)b'", 11, "rules[0].when.value", "look-ahead (?=...) is not supported: rules use RE2"),
        ("op: equals, value: Software", "op: regex, value: '(a)\\1'", 11, "rules[0].when.value", "back-references"),
        ("op: equals, value: Software", "op: is_empty, value: x", 11, "rules[0].when.value", "'is_empty' takes no value; remove it"),
        ("op: equals, value: Software", "op: equals", 11, "rules[0].when", "missing 'value' for 'equals'"),
        ("    points: 10\n", "    points: ten\n", 12, "rules[0].points", "expected a number, found text 'ten'"),
        ("    points: 10\n", "", 9, "rules[0]", "missing required key 'points'"),
        ("id: r1", "id: 1st rule", 9, "rules[0].id", "is not a valid id"),
        ("name: t\n", "", 1, "", "missing required key 'name'"),
        ("    when: {attribute: industry, op: equals, value: Software}\n", "    when: {all: []}\n", 11, "rules[0].when.all", "must not be empty"),
        ("    when: {attribute: industry, op: equals, value: Software}\n", "    when: {any: [{attribute: industry, op: is_empty}], attribute: industry}\n", 11, "rules[0].when", "either a test {attribute, op, value} or one of all/any/not"),
    ],
)
def test_validation_errors(old, new, line, path, message):
    assert old in BASE
    got_line, got_path, got_message = one_error(BASE.replace(old, new, 1))
    assert (got_line, got_path) == (line, path), got_message
    assert message in got_message


def test_several_problems_are_reported_at_once_in_line_order():
    text = BASE.replace("dimension: fit", "dimension: fitt").replace("attribute: industry", "attribute: industy") + "tresholds: {mql: 1}\n"
    errs = errors(text)
    assert [(e[0], e[1]) for e in errs] == [(10, "rules[0].dimension"), (11, "rules[0].when.attribute"), (13, "tresholds")]
    with pytest.raises(ModelError) as e:
        loads_model(text, "model.yaml")
    formatted = str(e.value)
    assert formatted.startswith("model.yaml has 3 problems:")
    assert "model.yaml:13: tresholds: unknown key 'tresholds'" in formatted


def more_rules(text: str) -> str:
    """Rules to append to BASE (written at column 0, indented here)."""
    return textwrap.indent(textwrap.dedent(text), "  ")


def test_group_cap_misspelt():
    text = BASE.replace("    points: 10\n", "    points: 10\n    group: web\n") + "caps:\n  groups:\n    wbe: {max: 10}\n"
    assert one_error(text) == (16, "caps.groups.wbe", "no rule is in group 'wbe'. Did you mean 'web'?")


def test_group_mixing_dimensions():
    text = BASE.replace("    points: 10\n", "    points: 10\n    group: g\n") + more_rules(
        """\
        - id: r2
          dimension: engagement
          group: g
          when: {attribute: role, op: is_empty}
          points: 1
        """
    )
    line, path, msg = one_error(text)
    assert (line, path) == (16, "rules[1].group") and "mixes dimensions" in msg


def test_grade_cells():
    grades = "grades:\n  fit: {A: 10, B: null}\n  engagement: {'1': 5, '2': null}\n  mql_cells: [A1, a2, A11, Z9]\n"
    errs = errors(BASE + grades)
    assert [(e[0], e[1]) for e in errs] == [(16, "grades.mql_cells[1]"), (16, "grades.mql_cells[2]"), (16, "grades.mql_cells[3]")]
    assert "'a2' is not a grade cell. Did you mean 'A2'?" in errs[0][2]
    assert "Did you mean 'A1'?" in errs[1][2]
    assert "Did you mean" not in errs[2][2] and "like A1" in errs[2][2]
    line, path, msg = one_error(BASE + "grades:\n  fit: {A: 10, B: 20, C: null}\n  engagement: {'1': null}\n")
    assert (line, path) == (14, "grades.fit.B") and "highest to lowest" in msg
    line, path, msg = one_error(BASE + "grades:\n  fit: {A: 10}\n  mql_cells: [A1]\n")
    assert path == "grades.mql_cells" and "both fit and engagement" in msg


def test_map_and_activity_errors():
    text = BASE + more_rules(
        """\
        - id: m
          dimension: fit
          map:
            attribute: employees
            bins: [{from: 10, to: 5, points: 1}, {from: 0, to: 20, points: 3}]
        - id: v
          dimension: fit
          map: {attribute: employees, values: {a: 1}}
        - id: a
          dimension: engagement
          activity: {where: {attribute: tpye, op: equals, value: x}, decay: {half_life_days: 3, linear_pct: 10}}
          points: 1
        - id: b
          dimension: engagement
          activity: {within_days: 0}
        """
    )
    errs = {e[1]: (e[0], e[2]) for e in errors(text)}
    assert errs["rules[1].map.bins[0]"] == (17, "'from' (10) must be below 'to' (5)")
    assert "ascending order" in errs["rules[1].map.bins[1]"][1]
    assert errs["rules[2].map.values"][0] == 20 and "use 'bins'" in errs["rules[2].map.values"][1]
    assert errs["rules[3].activity.where.attribute"] == (23, "'tpye' is not an event field. Did you mean 'type'? Activity conditions test: type, detail")
    assert "either half_life_days or linear_pct" in errs["rules[3].activity.decay"][1]
    assert errs["rules[4]"][0] == 25 and "missing required key 'points'" in errs["rules[4]"][1]
    assert errs["rules[4].activity.within_days"] == (27, "expected a number more than 0, found 0")


def test_cross_reference_errors():
    text = BASE.replace("rules:\n", "columns: {industy: Industry}\npersona: {attribute: rol, weights: {a: 1}}\nthresholds: {mql: 50, sql: 20}\nrules:\n") + more_rules(
        """\
        - id: r1
          dimension: fit
          when: {attribute: role, op: is_empty}
          points: 1
        """
    )
    errs = {e[1]: (e[0], e[2]) for e in errors(text)}
    assert errs["columns.industy"] == (8, "maps 'industy', which is not a declared attribute. Did you mean 'industry'?")
    assert errs["persona.attribute"][0] == 9 and "Did you mean 'role'?" in errs["persona.attribute"][1]
    assert errs["thresholds.sql"][0] == 10 and "below the MQL threshold" in errs["thresholds.sql"][1]
    assert errs["rules[1].id"] == (16, "rule id 'r1' is already used by rules[0]; ids must be unique")


def test_unknown_attribute_type_is_reported_once():
    errs = errors(BASE.replace("{name: industry, type: category}", "{name: industry, type: categorical}"))
    assert [(e[0], e[1]) for e in errs] == [(4, "attributes[0].type")]


def test_duplicate_keys():
    text = BASE.replace("    points: 10\n", "    points: 10\n    points: 12\n")
    assert one_error(text) == (13, "rules[0].points", "key 'points' appears twice; keep one")
    text = BASE + "name: again\n"
    assert one_error(text)[:2] == (13, "name")


def test_invalid_yaml_syntax():
    line, path, msg = one_error(BASE.replace("name: t", "name: t: u"))
    assert (line, path) == (2, "") and msg.startswith("this is not valid YAML: mapping values are not allowed")
    line, path, msg = one_error(BASE.replace("    dimension: fit", "\tdimension: fit"))
    assert line == 10 and "spaces, not tabs" in msg
    line, path, msg = one_error("name: [a, b\nrules: []\n")
    assert line is not None and "not valid YAML" in msg


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "--- ~\n"])
def test_empty_file(text):
    assert one_error(text) == (1, "", "the file is empty: expected a model (schema_version, name, rules, ...)")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_not_a_mapping(text):
    line, path, msg = one_error(text)
    assert (line, path) == (1, "") and msg.startswith("expected a mapping of keys")


def test_schema_version_missing_newer_or_wrong():
    assert one_error(BASE.replace("schema_version: 1\n", "")) == (1, "schema_version", "missing: add 'schema_version: 1' at the top of the file")
    line, path, msg = one_error("# header\n" + BASE.replace("schema_version: 1", "schema_version: 2"))
    assert (line, path) == (2, "schema_version") and "newer than this LeadDesigner" in msg and "Update LeadDesigner" in msg
    line, path, msg = one_error(BASE.replace("schema_version: 1", "schema_version: one"))
    assert (line, path) == (1, "schema_version") and "whole number" in msg
    line, path, msg = one_error(BASE.replace("schema_version: 1", "schema_version: 0"))
    assert path == "schema_version"


def test_did_you_mean():
    assert did_you_mean("tresholds", ["thresholds", "rules"]) == " Did you mean 'thresholds'?"
    assert did_you_mean("RULES", ["thresholds", "rules"]) == " Did you mean 'rules'?"
    assert did_you_mean("xyz", ["thresholds", "rules"]) == ""
    assert did_you_mean("a", [None, "b"]) == ""


# ---------------------------------------------------------------- migrations and fixtures
def test_fixtures_exist_for_every_format_version():
    for version in range(1, M.SCHEMA_VERSION + 1):
        assert (FIXTURES / f"v{version}_minimal.yaml").exists()
        assert (FIXTURES / f"v{version}_full.yaml").exists()


@pytest.mark.parametrize("name", ["v1_minimal.yaml", "v1_full.yaml"])
def test_old_format_fixtures_load_through_migrate(name, monkeypatch):
    from leaddesigner.core.model import io as modelio

    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert "DO NOT EDIT" in text and "schema_version: 1" in text
    seen = []
    real = modelio.migrate
    monkeypatch.setattr(modelio, "migrate", lambda d, *a, **k: seen.append(d["schema_version"]) or real(d, *a, **k))
    m = load_model(FIXTURES / name)
    assert seen == [1]
    data, _ = parse_yaml(text)
    migrated = migrate(data)
    assert migrated["schema_version"] == M.SCHEMA_VERSION
    validate_dict(migrated)
    assert M.from_dict(migrated) == m


def test_v1_full_fixture_meaning():
    m = load_model(FIXTURES / "v1_full.yaml")
    assert m.name == "Full v1 model" and m.lead_id == "Lead ID" and m.created_at == "created"
    assert [r.kind for r in m.rules].count("activity") == 4 and [r.kind for r in m.rules].count("map") == 3
    assert m.caps.groups["web"] == M.Range(0, 30) and m.score_range == M.Range(0, 100)
    assert m.thresholds == M.Thresholds(40, 70)
    assert m.activities == M.ActivityColumns("Lead ID", "occurred_at", "event", "page")
    assert m.column_for("employees") == "Employee Count"


def test_migrations_run_in_order(monkeypatch):
    from leaddesigner.core.model import io as modelio

    monkeypatch.setattr(M, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(modelio, "MIGRATIONS", {1: lambda d: {**d, "schema_version": 2, "a": 1}, 2: lambda d: {**d, "schema_version": 3, "b": d["a"] + 1}})
    assert migrate({"schema_version": 1}) == {"schema_version": 3, "a": 1, "b": 2}
    assert migrate({"schema_version": 3}) == {"schema_version": 3}


# ---------------------------------------------------------------- saving
def test_save_and_load(tmp_path):
    m = load_model(FIXTURES / "v1_full.yaml")
    p = tmp_path / "model.yaml"
    save_model(m, p)
    assert load_model(p) == m
    assert p.stat().st_mode & 0o777 == 0o644
    os.chmod(p, 0o600)
    save_model(m, p)
    assert p.stat().st_mode & 0o777 == 0o600  # permissions of the original are kept


def test_save_keeps_key_order(tmp_path):
    m = load_model(FIXTURES / "v1_full.yaml")
    p = tmp_path / "model.yaml"
    save_model(m, p)
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    assert list(data) == [
        "schema_version", "name", "description", "version", "owners", "definitions", "lead_id", "created_at", "columns",
        "attributes", "activities", "persona", "products", "rules", "caps", "score_range", "thresholds", "grades",
        "capacity", "changelog",
    ]
    assert list(data["rules"][0]) == ["id", "label", "dimension", "group", "product", "when", "points", "why"]
    assert list(data["rules"][7]) == ["id", "label", "dimension", "enabled", "when", "points"]
    assert [a["name"] for a in data["attributes"]] == [a.name for a in m.attributes]
    assert [r["id"] for r in data["rules"]] == [r.id for r in m.rules]
    assert list(data["grades"]["fit"]) == ["A", "B", "C", "D"]  # band order is meaning
    assert list(data["definitions"]) == ["lead", "mql", "sql", "recycled"]
    assert list(data["persona"]["weights"]) == ["Decision maker", "Influencer", "User", "Student"]
    assert list(data["rules"][2]["map"]["values"]) == ["Software", "finance", "yes"]


def test_atomic_save_failure_leaves_original_and_no_temp_file(tmp_path, monkeypatch):
    p = tmp_path / "model.yaml"
    p.write_text("original\n", encoding="utf-8")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        save_model(load_model(FIXTURES / "v1_full.yaml"), p)
    assert p.read_text(encoding="utf-8") == "original\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["model.yaml"]


def test_atomic_write_failure_while_writing(tmp_path, monkeypatch):
    p = tmp_path / "model.yaml"
    p.write_text("original\n", encoding="utf-8")

    def boom(*a, **k):
        raise KeyboardInterrupt  # even an interrupt cleans up

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(p, "new text " * 1000)
    assert p.read_text(encoding="utf-8") == "original\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["model.yaml"]


def test_atomic_write_creates_folders(tmp_path):
    p = tmp_path / "a" / "b" / "m.yaml"
    atomic_write_text(p, "x: 1\n")
    assert p.read_text() == "x: 1\n"


def test_save_refuses_an_invalid_model(tmp_path):
    m = load_model(FIXTURES / "v1_full.yaml")
    m.rules[0].when.attribute = "nope"
    p = tmp_path / "model.yaml"
    p.write_text("original\n")
    with pytest.raises(ModelError, match="'nope' is not a declared attribute"):
        save_model(m, p)
    assert p.read_text() == "original\n"


# ---------------------------------------------------------------- JSON and encodings
def test_json_model_loads(tmp_path):
    m = load_model(FIXTURES / "v1_full.yaml")
    p = tmp_path / "model.json"
    p.write_text(json.dumps(M.to_dict(m), indent=2), encoding="utf-8")
    assert load_model(p) == m
    p2 = tmp_path / "saved.JSON"
    save_model(m, p2)
    assert json.loads(p2.read_text(encoding="utf-8"))["name"] == "Full v1 model"
    assert load_model(p2) == m


def test_json_errors(tmp_path):
    p = tmp_path / "model.json"
    p.write_text('{\n  "schema_version": 1,\n  "name": "x",\n  "rules": [}\n', encoding="utf-8")
    with pytest.raises(ModelError) as e:
        load_model(p)
    assert e.value.issues[0].line == 4 and "not valid JSON" in e.value.issues[0].message
    p.write_text(json.dumps({"schema_version": 1, "name": "x", "rules": [], "tresholds": {}}), encoding="utf-8")
    with pytest.raises(ModelError, match="Did you mean 'thresholds'"):
        load_model(p)


def test_utf8_bom_and_non_utf8(tmp_path):
    p = tmp_path / "bom.yaml"
    p.write_bytes("\ufeff".encode("utf-8") + BASE.replace("name: t", "name: Zürich").encode("utf-8"))
    assert load_model(p).name == "Zürich"
    p.write_bytes(BASE.replace("name: t", "name: Zürich").encode("latin-1"))
    with pytest.raises(ModelError, match="not UTF-8"):
        load_model(p)


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        load_model(tmp_path / "nope.yaml")


def test_ambiguous_grade_cells_are_rejected():
    # A + 11 and A1 + 1 would both be called "A11"
    text = BASE + "grades:\n  fit: {A: 10, A1: 0, B: null}\n  engagement: {'1': 5, '11': 0, '2': null}\n"
    line, path, msg = one_error(text)
    assert (line, path) == (13, "grades") and "grade cell 'A11' is ambiguous: it is A + 11 and A1 + 1" in msg


W = "attribute: industry, op: equals, value: Software"
EXTRA_ATTRS = "  - {name: role, type: category}\n  - {name: seen, type: date}\n  - {name: vip, type: boolean}\n"
BASE2 = BASE.replace("  - {name: role, type: category}\n", EXTRA_ATTRS)  # rules[0] starts on line 11, its when on 13


@pytest.mark.parametrize(
    "text, line, path, message",
    [
        (BASE.replace("products: [crm]\n", "products: [crm]\ncreated_at: industry\n"), 8, "created_at", "'industry' must be a date attribute, it is declared as category"),
        (BASE.replace("products: [crm]\n", "products: [crm]\ncreated_at: created\n"), 8, "created_at", "'created' is not a declared attribute"),
        (BASE.replace(W, "attribute: employees, op: equals, value: ten"), 11, "rules[0].when.value", "expected a number, found text 'ten'"),
        (BASE.replace(W, "attribute: employees, op: in, value: [1, two]"), 11, "rules[0].when.value", "expected a list of numbers"),
        (BASE2.replace(W, "attribute: seen, op: before, value: yesterday"), 13, "rules[0].when.value", "expected a date like 2026-01-31, found text 'yesterday'"),
        (BASE2.replace(W, "attribute: seen, op: within_days, value: week"), 13, "rules[0].when.value", "'within_days' takes a number"),
        (BASE2.replace(W, "attribute: seen, op: equals, value: 2026-01-01"), 13, "rules[0].when.op", "'equals' does not apply to 'seen' (date). Use one of: is_empty, is_not_empty, within_days"),
        (BASE2.replace(W, "attribute: vip, op: equals, value: maybe"), 13, "rules[0].when.value", "expected true or false, found text 'maybe'"),
        (BASE.replace(W, "attribute: industry, value: Software"), 11, "rules[0].when", "missing required key 'op'"),
        (BASE + "  - id: a\n    dimension: engagement\n    activity: {decay: {half_life_days: 3, period_days: 7}}\n    points: 1\n", 15, "rules[1].activity.decay.period_days", "period_days goes with linear_pct"),
        (BASE + "  - id: a\n    dimension: engagement\n    activity: {decay: {linear_pct: 150}}\n    points: 1\n", 15, "rules[1].activity.decay.linear_pct", "expected a number at most 100, found 150"),
        (BASE + "  - id: m\n    dimension: fit\n    map: {attribute: industry, bins: [{points: 1}]}\n", 15, "rules[1].map.bins", "bins need a number attribute; 'industry' is category: use 'values'"),
        (BASE + "  - id: m\n    dimension: fit\n    map: {attribute: employees, values: {a: 1}, bins: [{points: 1}]}\n", 15, "rules[1].map", "a map needs exactly one of 'values'"),
        (BASE + "  - id: m\n    dimension: fit\n    map: {attribute: industy, values: {a: 1}}\n", 15, "rules[1].map.attribute", "Did you mean 'industry'?"),
        (BASE + "  - id: m\n    dimension: fit\n    map: {attribute: industry, values: {a: 1}}\n    points: 3\n", 16, "rules[1].points", "a 'map' rule takes its points from the map; remove 'points'"),
        (BASE + "  - id: x\n    dimension: fit\n    points: 1\n", 13, "rules[1]", "a rule needs exactly one of 'when' (a condition), 'map' (per-value points) or 'activity' (events)"),
        (BASE.replace("  - {name: role, type: category}\n", "  - {name: role, type: category}\n  - {name: role, type: text}\n"), 7, "attributes[3].name", "attribute 'role' is declared twice"),
        (BASE + "grades:\n  fit: {A: null, B: 5}\n  engagement: {'1': null}\n", 14, "grades.fit.A", "only the last band may have no minimum"),
        (BASE + "score_range: {min: 10, max: 0}\n", 13, "score_range", "min (10) is above max (0)"),
        (BASE + "caps:\n  dimensions:\n    fit: {min: 5, max: 1}\n", 15, "caps.dimensions.fit", "min (5) is above max (1)"),
        (BASE + "caps:\n  dimensions:\n    fitt: {max: 1}\n", 15, "caps.dimensions.fitt", "Did you mean 'fit'?"),
        (BASE.replace("id: r1", "id: " + "r" * 81), 9, "rules[0].id", "is longer than 80 characters"),
        (BASE.replace("products: [crm]", "products: [crm, crm]"), 7, "products", "lists the same item twice"),
        (BASE + "persona: {attribute: role, weights: {a: -1}}\n", 13, "persona.weights.a", "expected a number at least 0, found -1"),
        (BASE + "capacity: {sdrs: 2.5}\n", 13, "capacity.sdrs", "expected a whole number, found 2.5"),
        (BASE.replace("schema_version: 1", "schema_version: 1.0"), 1, "schema_version", "expected a whole number like 1"),
    ],
)
def test_more_validation_errors(text, line, path, message):
    got_line, got_path, got_message = one_error(text)
    assert (got_line, got_path) == (line, path), got_message
    assert message in got_message


# ---------------------------------------------------------------- values mean what the user wrote (issue 21)
def _rule_values(text: str):
    m = loads_model(text, "m.yaml")
    return m, m.rules[0].when.value


@pytest.mark.parametrize("written, meant", [
    ("[US, GB, NO, DE]", ["US", "GB", "NO", "DE"]),
    ("[yes, no, on, off, Y, n]", ["yes", "no", "on", "off", "Y", "n"]),
    ("['01234', 01234, 00501]", ["01234", "01234", "00501"]),
    ("[12:30, 1e3, 0x1F, 1.50]", ["12:30", "1e3", "0x1F", "1.50"]),
    ("NO", "NO"),
])
def test_category_values_are_the_text_as_written(written, meant):
    op = "in" if written.startswith("[") else "equals"
    m, v = _rule_values(BASE.replace(W, f"attribute: industry, op: {op}, value: {written}"))
    assert v == meant and not [n for n in m.load_notes if "read as the text" in n]


def test_a_false_where_a_category_belongs_is_read_as_text_with_a_note():
    m, v = _rule_values(BASE.replace(W, "attribute: industry, op: in, value: [US, false]"))
    assert v == ["US", "false"]
    notes = [n for n in m.load_notes if "read as the text" in n]
    assert len(notes) == 1 and "m.yaml:11" in notes[0] and "country code NO" in notes[0]


def test_map_keys_are_the_text_as_written():
    text = BASE.replace("    when: {" + W + "}", "    map: {attribute: industry, values: {yes: 5, no: -5, '01234': 1, 00501: 2}}").replace("    points: 10\n", "")
    m = loads_model(text, "m.yaml")
    assert m.rules[0].map.values == {"yes": 5.0, "no": -5.0, "01234": 1.0, "00501": 2.0}


def test_numbers_stay_numbers_where_the_attribute_is_a_number():
    m, v = _rule_values(BASE.replace(W, "attribute: employees, op: in, value: [100, 0x10, 1e3]"))
    assert v == [100, 16, 1000.0]


def test_saved_text_reads_back_the_same_in_any_yaml_reader():
    m, _ = _rule_values(BASE.replace(W, "attribute: industry, op: in, value: [NO, yes, '01234', '12:30', 'null', 'true']"))
    text = dumps_model(m)
    for reader in (yaml.safe_load, lambda t: yaml.load(t, Loader=yaml.BaseLoader)):
        data = reader(text)
        assert data["rules"][0]["when"]["value"] == ["NO", "yes", "01234", "12:30", "null", "true"]
    assert dumps_model(loads_model(text, "m.yaml")) == text


@pytest.mark.parametrize("text, needle", [
    ("a: &a [*a]\n", "refers to the value it is part of"),
    ("".join(f"l{i}: &l{i} [" + ",".join([f"*l{i-1}"] * 9) + "]\n" for i in range(1, 12)).replace("[*l0,*l0,*l0,*l0,*l0,*l0,*l0,*l0,*l0]", "[x]"), "expands to more than"),
    ("a: " + "[" * 200 + "]" * 200 + "\n", "nested"),
    ("a: !!python/object:os.system ls\n", "not allowed"),
    ("a: !custom 3\n", "not allowed"),
    ("a: !!binary '%%%'\n", "not allowed"),
    ("schema_version: 1\nname: x\nthresholds: {mql: .inf}\nrules: []\n", "NaN or infinity"),
    ("schema_version: 1\nname: x\nthresholds: {mql: .nan}\nrules: []\n", "NaN or infinity"),
    ("schema_version: 1\nname: x\nthresholds: {mql: 1" + "0" * 400 + "}\nrules: []\n", "too large"),
    ("[1, 2]: x\n", "a key must be"),
    ("a: {<<: [1, 2]}\n", "merge"),
])
def test_hostile_yaml_is_a_clear_error(text, needle):
    import time

    t0 = time.perf_counter()
    with pytest.raises(ModelError) as e:
        loads_model(text, "bomb.yaml")
    assert needle in str(e.value) and "bomb.yaml" in str(e.value)
    assert time.perf_counter() - t0 < 5  # refused before expanding, not after


def test_a_huge_file_is_refused_by_size():
    with pytest.raises(ModelError, match="MB"):
        loads_model("schema_version: 1\nname: x\ndescription: " + "x" * 6_000_000 + "\nrules: []\n", "big.yaml")


# ---------------------------------------------------------------- saving (issue 18)
def test_saving_through_a_symlink_writes_the_target(tmp_path):
    from leaddesigner.core.model.io import atomic_write_text

    real = tmp_path / "models" / "real.yaml"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    atomic_write_text(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
    assert (real.stat().st_mode & 0o777) == 0o640


def test_stale_temp_files_of_an_interrupted_save_are_cleaned(tmp_path):
    import os
    import time

    from leaddesigner.core.model.io import STALE_TMP_SECONDS

    from leaddesigner.core.model.io import atomic_write_text

    target = tmp_path / "m.yaml"
    old = tmp_path / ".m.yaml.abc123.tmp"  # what kill -9 during a save leaves behind
    old.write_text("half")
    t = time.time() - STALE_TMP_SECONDS - 5
    os.utime(old, (t, t))
    fresh = tmp_path / ".m.yaml.def456.tmp"  # another process saving right now: left alone
    fresh.write_text("busy")
    atomic_write_text(target, "x\n")
    assert not old.exists() and fresh.exists() and target.read_text() == "x\n"


def test_a_failed_write_names_the_file(tmp_path):
    import os

    from leaddesigner.core.model.io import atomic_write_text

    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):  # root may write anyway
            pytest.skip("this user may write into a read-only folder (root)")
        with pytest.raises(OSError, match=str(folder / "m.yaml")):
            atomic_write_text(folder / "m.yaml", "x")
    finally:
        folder.chmod(0o700)


def test_a_full_disk_names_the_file_and_leaves_nothing_behind(tmp_path, monkeypatch):
    import errno
    import os

    from leaddesigner.core.model import io as modelio

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(modelio.os, "replace", full)
    target = tmp_path / "m.yaml"
    with pytest.raises(OSError) as e:
        modelio.atomic_write_text(target, "x\n")
    assert str(target) in str(e.value) and "No space left" in str(e.value)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("change, needle", [
    ("thresholds: {mql: 150}\nscore_range: {min: 0, max: 100}", "above the highest score a lead can have (score_range max 100)"),
    ("thresholds: {mql: -5}\nscore_range: {min: 0, max: 100}", "below the lowest score"),
    ("caps: {dimensions: {fit: {max: -10}}}", "below 0 would take points away"),
])
def test_semantic_checks_of_thresholds_and_caps(change, needle):
    text = BASE + change + "\n"
    with pytest.raises(ModelError) as e:
        loads_model(text, "model.yaml")
    assert needle in str(e.value) and "model.yaml:" in str(e.value)


def test_a_model_that_can_never_produce_an_mql_is_a_warning():
    m = loads_model(BASE + "thresholds: {mql: 50}\n", "model.yaml")  # one rule of 10 points
    assert len(m.load_notes) == 1 and "no lead can become an MQL" in m.load_notes[0] and "is 10, below the MQL threshold 50" in m.load_notes[0]
    assert not loads_model(BASE + "thresholds: {mql: 5}\n", "model.yaml").load_notes


def test_the_leaves_of_a_condition_in_order_with_their_negation():
    """One walk over a condition (value checks, renames, comparisons and the replay use it)."""
    from leaddesigner.core.model.conditions import AllOf, AnyOf, Leaf, Not, condition_attributes, leaves

    a, b, c, d = (Leaf(x, "equals", x) for x in ("a", "b", "c", "a"))
    cond = AllOf([a, Not(AnyOf([b, Not(c)])), d])
    assert [(leaf.attribute, neg) for leaf, neg in leaves(cond)] == [("a", False), ("b", True), ("c", False), ("a", False)]
    assert [leaf for leaf, _ in leaves(cond)][3] is d  # the leaves themselves: a rename writes into them
    assert list(leaves(None)) == [] and list(leaves(a)) == [(a, False)]
    assert condition_attributes(cond) == ["a", "b", "c"]
