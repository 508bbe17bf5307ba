"""JSON Schema of the model file (``schema_version: 1``).

This dict is what the loader validates against; ``resources/model.schema.json``
is the same schema written out for other systems (``make schema`` regenerates
it, ``tests/core/test_schema.py`` keeps the two equal). Structure lives here;
the cross-references (declared attributes, operator/type fit, groups, grade
cells) are checked in :mod:`leaddesigner.core.model.io`.
"""
from __future__ import annotations

import json

from leaddesigner.core.model.accounts import COMBINES, CONTACT_SCORES
from leaddesigner.core.model.types import (
    ACTIVITY_FIELDS,
    ATTRIBUTE_KINDS,
    ATTRIBUTE_TYPES,
    DATE_FORMATS,
    DIMENSIONS,
    NUMBER_FORMATS,
    OPERATORS,
    QUEUE_ORDERS,
    SCHEMA_VERSION,
)

_ID = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_.\-]*$", "maxLength": 80}
_NUM = {"type": "number"}
_TEXT = {"type": "string"}
_SCALAR = {"type": ["string", "number", "boolean"]}

SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://leaddesigner.dev/schema/model-v1.json",
    "title": "LeadDesigner scoring model",
    "description": "A lead-scoring model: attributes, rules, caps, thresholds, grades and SDR capacity.",
    "type": "object",
    "additionalProperties": False,
    "required": ["schema_version", "name", "rules"],
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION, "description": "Format version of this file."},
        "name": _TEXT,
        "description": _TEXT,
        "version": {"type": ["string", "number"]},
        "owners": {"type": "array", "items": _TEXT},
        "definitions": {
            "description": "What a lead, an MQL and an SQL mean for this team, in plain words.",
            "type": "object",
            "additionalProperties": _TEXT,
            "properties": {"lead": _TEXT, "mql": _TEXT, "sql": _TEXT},
        },
        "lead_id": {"description": "File column holding the unique lead id.", **_TEXT},
        "created_at": {"description": "Date attribute that dates a lead (MQLs per week).", **_TEXT},
        "columns": {
            "description": "Model attribute name -> column name in the lead file, where they differ.",
            "type": "object",
            "additionalProperties": _TEXT,
        },
        "attributes": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "type"],
                "properties": {
                    "name": _ID,
                    "type": {"enum": list(ATTRIBUTE_TYPES)},
                    "kind": {"enum": list(ATTRIBUTE_KINDS)},
                    "description": _TEXT,
                    "format": {
                        "description": "How the file writes the values, where detection should not decide: "
                        "dates ISO, M/D/Y, D/M/Y, unix_s, unix_ms or excel; numbers 1,234.5 or 1.234,5.",
                        "enum": [*DATE_FORMATS, *NUMBER_FORMATS],
                    },
                },
            },
        },
        "activities": {
            "description": "Columns of the activity log: one row per event.",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "lead_id": _TEXT,
                "timestamp": _TEXT,
                "type": _TEXT,
                "detail": {"description": "Column with the page or detail of an event; null when the log has none.", "type": ["string", "null"]},
            },
        },
        "persona": {
            "description": "Buying-group weighting: engagement points are multiplied by the persona's weight.",
            "type": "object",
            "additionalProperties": False,
            "required": ["attribute", "weights"],
            "properties": {
                "attribute": _TEXT,
                "weights": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
                "default": {"type": "number", "minimum": 0},
            },
        },
        "products": {"type": "array", "items": _ID, "uniqueItems": True},
        "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
        "caps": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "dimensions": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {d: {"$ref": "#/$defs/range"} for d in DIMENSIONS},
                },
                "groups": {"type": "object", "additionalProperties": {"$ref": "#/$defs/range"}},
            },
        },
        "score_range": {"$ref": "#/$defs/range"},
        "thresholds": {
            "type": "object",
            "additionalProperties": False,
            "required": ["mql"],
            "properties": {"mql": _NUM, "sql": _NUM},
        },
        "grades": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "fit": {"$ref": "#/$defs/bands"},
                "engagement": {"$ref": "#/$defs/bands"},
                "mql_cells": {"type": "array", "items": _TEXT, "uniqueItems": True},
            },
        },
        "capacity": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "sdrs": {"type": "integer", "minimum": 0},
                "leads_per_sdr_per_week": {"type": "number", "minimum": 0},
                "sla_hours": {"type": "number", "exclusiveMinimum": 0},
                "working_days": {"type": "integer", "minimum": 1, "maximum": 7},
                "leads_per_sdr_per_day": {
                    "description": "Leads one SDR touches per working day; replaces leads_per_sdr_per_week when set.",
                    "type": "number",
                    "minimum": 0,
                },
                "workday_start": {"description": "Hour of day the SDRs start (0-24).", "type": "number", "minimum": 0, "maximum": 24},
                "workday_hours": {"description": "Hours the SDRs work per working day.", "type": "number", "exclusiveMinimum": 0, "maximum": 24},
                "routing": {
                    "description": "Grade cells worked first, in this order (cells not listed come after them).",
                    "type": "array",
                    "items": _TEXT,
                },
                "order": {"description": "Order inside one routing rank: fifo (oldest first) or score (highest first).", "enum": list(QUEUE_ORDERS)},
                "sla_target": {"description": "Share of MQLs that must be touched within sla_hours.", "type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "sla_working_hours": {"description": "The SLA clock runs only during working hours (default: around the clock).", "type": "boolean"},
            },
        },
        "recycling": {
            "description": "When an MQL goes back to nurture and when it may re-MQL.",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "disqualified": {"$ref": "#/$defs/outcome"},
                "closed_lost": {"$ref": "#/$defs/outcome"},
                "no_response_days": {
                    "description": "Recycle an MQL after this many days without a response event.",
                    "type": "number",
                    "exclusiveMinimum": 0,
                },
                "response_types": {
                    "description": "Event types that count as a response (default: any event).",
                    "type": "array",
                    "minItems": 1,
                    "items": _TEXT,
                },
                "cooldown_days": {"description": "Days after a recycle before the lead may re-MQL.", "type": "number", "minimum": 0},
                "reset_engagement": {"description": "Only events after the recycle count for activity rules.", "type": "boolean"},
            },
        },
        "accounts": {
            "description": "How contact scores roll up to accounts (buying groups) and when an account is an MQA.",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "key": {"description": "Lead-file column that names the account, or 'email_domain' (the default).", **_TEXT},
                "email": {"description": "Attribute with e-mail addresses (for key: email_domain).", **_TEXT},
                "combine": {"description": "How contact scores combine.", "enum": list(COMBINES)},
                "top_n": {"description": "Contacts summed with combine: top_n.", "type": "integer", "minimum": 1},
                "cap": {"description": "Upper limit of the combined contact points.", "type": "number", "minimum": 0},
                "contact_score": {"description": "Which contact score combines.", "enum": list(CONTACT_SCORES)},
                "engaged_min": {"description": "A contact is engaged when its engagement score is at least this.", **_NUM},
                "points_per_engaged": {"description": "Points per engaged contact (combine: engaged).", **_NUM},
                "buying_group": {
                    "description": "Roles (persona values) that should be engaged; each covered role adds points_per_role.",
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["attribute", "roles"],
                    "properties": {
                        "attribute": _TEXT,
                        "roles": {"type": "array", "minItems": 1, "items": _TEXT},
                        "points_per_role": _NUM,
                    },
                },
                "rules": {
                    "description": "Account fit rules: an account gets the points once when any contact matches.",
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["id", "when", "points"],
                        "properties": {
                            "id": _ID,
                            "label": _TEXT,
                            "enabled": {"type": "boolean"},
                            "when": {"$ref": "#/$defs/condition"},
                            "points": _NUM,
                        },
                    },
                },
                "mqa": {"description": "Account score at which an account is marketing-qualified (MQA).", **_NUM},
                "capacity_per_week": {"description": "Accounts the team can work per week (default: the SDR capacity).",
                                      "type": "number", "minimum": 0},
            },
        },
        "outcome": {
            "description": "Which lead-file column says a lead converted: a yes/no column, some values of a column "
            "(positive), or a date column (filled = converted).",
            "type": "object",
            "additionalProperties": False,
            "required": ["column"],
            "properties": {
                "column": _TEXT,
                "positive": {"description": "Values of the column that mean converted.", "type": "array", "minItems": 1, "items": {"type": ["string", "number", "boolean"]}},
                "date": {"description": "Column with the date a lead converted, if not the outcome column itself.", **_TEXT},
                "recorded_after": {"description": "Columns recorded with or after the outcome (sales notes, stages): "
                                   "never scored or fitted on.", "type": "array", "items": _TEXT},
            },
        },
        "changelog": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["date", "author", "note"],
                "properties": {"date": _TEXT, "author": _TEXT, "note": _TEXT},
            },
        },
    },
    "$defs": {
        "outcome": {
            "description": "A lead-file column whose values mean the lead was sent back, dated by another column.",
            "type": "object",
            "additionalProperties": False,
            "required": ["column", "values", "date"],
            "properties": {
                "column": _TEXT,
                "values": {"anyOf": [_SCALAR, {"type": "array", "minItems": 1, "items": _SCALAR}]},
                "date": _TEXT,
            },
        },
        "range": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"min": _NUM, "max": _NUM},
        },
        "bands": {
            "description": "Band name -> minimum score, highest band first; the last band (minimum may be null) catches the rest.",
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": ["number", "null"]},
        },
        "condition": {
            "description": "A test on one attribute ({attribute, op, value}) or a combination ({all: [...]}, {any: [...]}, {not: {...}}).",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "attribute": _TEXT,
                "op": {"enum": list(OPERATORS)},
                "value": {"anyOf": [_SCALAR, {"type": "array", "items": _SCALAR}]},
                "case_sensitive": {"type": "boolean"},
                "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
                "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
                "not": {"$ref": "#/$defs/condition"},
            },
        },
        "rule": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "dimension"],
            "properties": {
                "id": _ID,
                "label": _TEXT,
                "dimension": {"enum": list(DIMENSIONS)},
                "enabled": {"type": "boolean"},
                "group": _ID,
                "product": _ID,
                "when": {"$ref": "#/$defs/condition"},
                "map": {
                    "description": "Per-value points: values (category) or bins (number) -> points.",
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["attribute"],
                    "properties": {
                        "attribute": _TEXT,
                        "values": {"type": "object", "additionalProperties": _NUM},
                        "bins": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["points"],
                                "properties": {"from": _NUM, "to": _NUM, "points": _NUM},
                            },
                        },
                        "default": _NUM,
                        "case_sensitive": {"type": "boolean"},
                    },
                },
                "activity": {
                    "description": "Points per matching event in the activity log.",
                    "type": ["object", "null"],
                    "additionalProperties": False,
                    "properties": {
                        "where": {
                            "$ref": "#/$defs/condition",
                            "description": "Event fields: " + ", ".join(ACTIVITY_FIELDS),
                        },
                        "within_days": {"type": "number", "exclusiveMinimum": 0},
                        "max_points": {"type": "number", "minimum": 0},
                        "decay": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "half_life_days": {"type": "number", "exclusiveMinimum": 0},
                                "linear_pct": {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
                                "period_days": {"type": "number", "exclusiveMinimum": 0},
                            },
                        },
                    },
                },
                "points": _NUM,
                "why": {"description": "Why this rule exists: shown to sales in the report.", **_TEXT},
            },
        },
    },
}


def schema_json() -> str:
    """The schema as written to ``resources/model.schema.json``."""
    return json.dumps(SCHEMA, indent=2) + "\n"


if __name__ == "__main__":  # pragma: no cover - `make schema`
    print(schema_json(), end="")
