"""A new model from a lead file: every column an attribute, read the way the file is written.

Used by File > New model from this file, ``leaddesigner gui --leads FILE``
without a model, and ``leaddesigner profile --new-model``. The model starts
with no rules: the user adds them from the Profile (one click per column)
or by hand. Nothing of a previously open model is carried over.
"""
from __future__ import annotations

import pandas as pd

from leaddesigner.core.model.types import (
    DATE_FORMATS,
    NUMBER_FORMATS,
    ActivityColumns,
    Attribute,
    ScoringModel,
)

from .detect import (
    ROW_NUMBERS,
    ColumnGuess,
    Detection,
    attribute_kind,
    attribute_name,
    guess_column,
    normalize_name,
)

__all__ = ["activity_columns", "attribute_for_column", "model_from_file"]

#: activity-log column names per role (normalised: lower case, separators as spaces), most likely first
_ACTIVITY_NAMES = {
    "lead_id": ("lead id", "leadid", "contact id", "person id", "record id", "prospect id", "id"),
    "timestamp": ("timestamp", "activity date", "occurred at", "event time", "time", "date", "created at", "datetime"),
    "type": ("type", "activity type", "event type", "event", "activity", "action"),
    "detail": ("url", "detail", "primary attribute value", "page", "asset", "page url", "campaign"),
}




def activity_columns(columns: list[str], lead_id: str | None = None) -> ActivityColumns | None:
    """The activity log's columns by their names (None when the lead id, time or type column is not found)."""
    lower = {normalize_name(c): c for c in columns}
    found: dict[str, str | None] = {}
    for role, names in _ACTIVITY_NAMES.items():
        order = ((normalize_name(lead_id),) if role == "lead_id" and lead_id else ()) + names
        found[role] = next((lower[n] for n in order if n in lower), None)
    if not (found["lead_id"] and found["timestamp"] and found["type"]):
        return None
    return ActivityColumns(found["lead_id"], found["timestamp"], found["type"], found["detail"])  # type: ignore[arg-type]


def _attribute(g: ColumnGuess, name: str) -> Attribute:
    """The attribute a column becomes under ``name``: its detected type, format (when the values decided one), kind."""
    fmt = g.format if (g.type == "date" and g.format in DATE_FORMATS) or (g.type == "number" and g.format in NUMBER_FORMATS) else None
    return Attribute(name, g.type, attribute_kind(g.column, g.type), format=fmt)


def attribute_for_column(column: str, used: set[str], *, detection: Detection | None = None,
                         values: pd.Series | None = None, delimiter: str | None = None) -> Attribute:
    """The attribute a file column becomes when the user adds it: a free name, the detected type and format.

    The load's ``detection`` decides when it saw the column (the same reading as a
    model made from the file); otherwise the column's ``values`` are detected now
    (EU numbers and day-first dates included; ``delimiter`` as in
    :func:`~.detect.guess_column`); with neither, a category.
    """
    g = detection.columns.get(column) if detection is not None else None
    if g is None:
        g = guess_column(values, column, delimiter=delimiter) if values is not None else ColumnGuess(column, "category")
    return _attribute(g, attribute_name(column, used))


def model_from_file(
    detection: Detection,
    *,
    name: str = "Untitled model",
    activity_log_columns: list[str] | None = None,
) -> ScoringModel:
    """A model with one attribute per column of the detected file (the id excepted), no rules.

    Types and formats are the detected ones (stored in each attribute's
    ``format`` where the values decided it, so production reads the file the
    same way); ``lead_id`` and ``created_at`` are the detected id column and
    creation date.
    """
    m = ScoringModel(name=name)
    # rules made from a profile give about 10 points per doubling of the odds: 20 is a lead whose
    # odds are four times the average lead's, a sensible first line to drag from
    m.thresholds.mql = 20.0
    used: set[str] = set()
    for col, g in detection.columns.items():
        if col == detection.id_column:
            continue
        attr = attribute_name(col, used)
        m.attributes.append(_attribute(g, attr))
        if attr != col:
            m.columns[attr] = col
        if col == detection.created:
            m.created_at = attr
    if detection.id_column == ROW_NUMBERS:
        m.lead_id = "row"  # no column: the load pipeline names leads by their line number, under this name
    else:
        m.lead_id = detection.id_column
    if activity_log_columns:
        m.activities = activity_columns(activity_log_columns, m.lead_id)
    return m
