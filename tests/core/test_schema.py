"""The published JSON Schema (resources/model.schema.json) is the loader's schema,
accepts every valid model and rejects structurally invalid ones."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from fuzzing import examples  # tests/ is on sys.path; see tests/fuzzing.py

from leaddesigner.core.model import types as M
from leaddesigner.core.model.io import ModelError, load_model, loads_model, validate_dict
from leaddesigner.core.model.schema import SCHEMA, schema_json

from . import strategies as S

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "resources" / "model.schema.json"
FIXTURES = REPO / "tests" / "fixtures" / "models"
MODEL_FILES = sorted((REPO / "sample_models").glob("*.yaml")) + sorted(FIXTURES.glob("*.yaml"))


@pytest.fixture(scope="module")
def file_validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_file_equals_the_loaders_schema():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_json(), (
        "resources/model.schema.json is out of date: run "
        "`.venv/bin/python -m leaddesigner.core.model.schema > resources/model.schema.json` (make schema)"
    )
    assert json.loads(schema_json()) == SCHEMA


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.name)
def test_model_files_validate_against_the_file_schema(path, file_validator):
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    _dates_to_text(raw)
    assert not list(file_validator.iter_errors(raw))
    # and what the app writes back is valid too
    file_validator.validate(json.loads(json.dumps(M.to_dict(load_model(path)))))


def _dates_to_text(x):
    """YAML reads 2026-01-05 as a date; the loader (and any JSON consumer) sees text."""
    import datetime as dt

    if isinstance(x, dict):
        for k, v in x.items():
            x[k] = v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else _dates_to_text(v)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            x[i] = v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else _dates_to_text(v)
    return x


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(m=S.models())
def test_random_valid_models_validate_against_the_file_schema(m, file_validator):
    data = json.loads(json.dumps(M.to_dict(m)))
    validate_dict(data)
    file_validator.validate(data)


def _valid() -> dict:
    return {
        "schema_version": 1,
        "name": "t",
        "attributes": [{"name": "industry", "type": "category"}, {"name": "n", "type": "number"}],
        "rules": [
            {"id": "r1", "dimension": "fit", "when": {"attribute": "industry", "op": "equals", "value": "x"}, "points": 1},
            {"id": "r2", "dimension": "engagement", "activity": {"within_days": 7}, "points": 2},
            {"id": "r3", "dimension": "fit", "map": {"attribute": "n", "bins": [{"from": 1, "points": 1}]}},
        ],
        "thresholds": {"mql": 10},
        "caps": {"groups": {}, "dimensions": {"fit": {"max": 5}}},
        "grades": {"fit": {"A": 1, "B": None}, "engagement": {"1": None}},
    }


def _set(path: str, value):
    def edit(d: dict) -> None:
        *head, last = path.split("/")
        for k in head:
            d = d[int(k)] if isinstance(d, list) else d[k]
        if value is _DELETE:
            del d[int(last) if isinstance(d, list) else last]
        elif isinstance(d, list):
            d[int(last)] = value
        else:
            d[last] = value

    return edit


_DELETE = object()

INVALID = {
    "unknown top-level key": _set("tresholds", {"mql": 1}),
    "no name": _set("name", _DELETE),
    "no rules": _set("rules", _DELETE),
    "wrong schema_version": _set("schema_version", 1.5),
    "name not text": _set("name", 3),
    "rules not a list": _set("rules", {"r1": {}}),
    "rule without id": _set("rules/0/id", _DELETE),
    "rule without dimension": _set("rules/0/dimension", _DELETE),
    "unknown dimension": _set("rules/0/dimension", "intent"),
    "bad rule id": _set("rules/0/id", "two words"),
    "points not a number": _set("rules/0/points", "10"),
    "unknown rule key": _set("rules/0/weight", 3),
    "unknown operator": _set("rules/0/when/op", "like"),
    "unknown condition key": _set("rules/0/when/attr", "industry"),
    "empty all": _set("rules/0/when", {"all": []}),
    "value is a mapping": _set("rules/0/when/value", {"a": 1}),
    "case_sensitive not boolean": _set("rules/0/when/case_sensitive", "yes"),
    "attribute type unknown": _set("attributes/0/type", "string"),
    "attribute without type": _set("attributes/0/type", _DELETE),
    "attribute kind unknown": _set("attributes/0/kind", "psychographic"),
    "window not positive": _set("rules/1/activity/within_days", 0),
    "negative max_points": _set("rules/1/activity/max_points", -5),
    "decay over 100%": _set("rules/1/activity/decay", {"linear_pct": 150}),
    "unknown decay key": _set("rules/1/activity/decay", {"half_life": 7}),
    "empty bins": _set("rules/2/map/bins", []),
    "bin without points": _set("rules/2/map/bins/0", {"from": 1}),
    "map without attribute": _set("rules/2/map/attribute", _DELETE),
    "thresholds without mql": _set("thresholds", {"sql": 5}),
    "unknown cap dimension": _set("caps/dimensions", {"intent": {"max": 1}}),
    "range key": _set("caps/dimensions/fit", {"maximum": 1}),
    "empty band list": _set("grades/fit", {}),
    "band minimum text": _set("grades/fit/A", "high"),
    "duplicate products": _set("products", ["a", "a"]),
    "negative persona weight": _set("persona", {"attribute": "industry", "weights": {"a": -1}}),
    "capacity working days": _set("capacity", {"working_days": 8}),
    "sla zero": _set("capacity", {"sla_hours": 0}),
    "changelog entry without note": _set("changelog", [{"date": "2026-01-01", "author": "me"}]),
    "activities unknown key": _set("activities", {"lead": "id"}),
}


def test_valid_base_document(file_validator):
    d = _valid()
    file_validator.validate(d)
    validate_dict(d)
    loads_model(yaml.safe_dump(d))


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_documents_rejected_by_loader_and_file_schema(name, file_validator):
    d = copy.deepcopy(_valid())
    INVALID[name](d)
    assert list(file_validator.iter_errors(d)), f"the schema file accepts: {name}"
    with pytest.raises(ModelError):
        validate_dict(d)
    with pytest.raises(ModelError) as e:
        loads_model(yaml.safe_dump(d, sort_keys=False), "m.yaml")
    assert all(i.message for i in e.value.issues)
