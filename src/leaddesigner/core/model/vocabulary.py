"""The words of the model file: attribute types and kinds, date and number formats, dimensions, statuses,
operators and the fields of an activity event. Shared by the model's types, its conditions, the JSON Schema
and every reader of a model; no imports."""
from __future__ import annotations

__all__ = ['SCHEMA_VERSION', 'ATTRIBUTE_TYPES', 'DATE_FORMATS', 'NUMBER_FORMATS', 'ATTRIBUTE_KINDS', 'DIMENSIONS', 'STATUSES', 'OPERATORS', 'NO_VALUE_OPS', 'LIST_OPS', 'TEXT_OPS', 'ACTIVITY_FIELDS']

SCHEMA_VERSION = 1

ATTRIBUTE_TYPES = ("category", "number", "boolean", "date", "text")
#: how a file writes dates / numbers, where detection should not decide (``Attribute.format``)
DATE_FORMATS = ("ISO", "M/D/Y", "D/M/Y", "unix_s", "unix_ms", "excel")
NUMBER_FORMATS = ("1,234.5", "1.234,5")
ATTRIBUTE_KINDS = (
    "demographic",
    "firmographic",
    "technographic",
    "behavioural",
    "intent",
    "form",
    "system",
    "outcome",
    "other",
)
DIMENSIONS = ("fit", "engagement")
STATUSES = ("lead", "MQL", "SQL")

#: operator -> attribute types it applies to
OPERATORS: dict[str, tuple[str, ...]] = {
    "equals": ("category", "text", "number", "boolean"),
    "not_equals": ("category", "text", "number", "boolean"),
    "in": ("category", "text", "number"),
    "not_in": ("category", "text", "number"),
    "gt": ("number",),
    "gte": ("number",),
    "lt": ("number",),
    "lte": ("number",),
    "between": ("number",),
    "contains": ("category", "text"),
    "not_contains": ("category", "text"),
    "starts_with": ("category", "text"),
    "ends_with": ("category", "text"),
    "regex": ("category", "text"),
    "is_empty": ATTRIBUTE_TYPES,
    "is_not_empty": ATTRIBUTE_TYPES,
    "within_days": ("date",),
    "older_than_days": ("date",),
    "before": ("date",),
    "after": ("date",),
}
#: operators that take no value
NO_VALUE_OPS = ("is_empty", "is_not_empty")
#: operators whose value is a list
LIST_OPS = ("in", "not_in", "between")
#: text operators whose value may be one string or a list of strings (any matches)
TEXT_OPS = ("contains", "not_contains", "starts_with", "ends_with", "regex")

#: fields of an activity event that activity conditions can test, with their types
ACTIVITY_FIELDS = {"type": "category", "detail": "text"}
