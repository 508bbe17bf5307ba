"""A model in plain words, for people who do not read YAML (the sales team).

:meth:`leaddesigner.core.model.types.Rule.describe` and
:func:`leaddesigner.core.model.types.condition_text` are the compact, engineer-facing
renderings (``company_size -> < 200: -15``) used by the app's rule table and the
SQL comments. This module builds on the same model objects (and the model's own
``plain_number`` number formatting and ``Decay.describe``) but writes sentences for a
reader who does not know attribute names or operators::

    Company size is under 200                        -15
    Industry is Financial Services                   +15
    Each demo request in the last 60 days            +30 (at most 30 in total)

Everything here returns plain text (no HTML): the report escapes it, the
terminal prints it. Pure: no Qt.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leaddesigner.core.model.types import (
    ActivityColumns,
    AllOf,
    AnyOf,
    Condition,
    Leaf,
    Not,
    Range,
    Rule,
    ScoringModel,
    plain_number,
)

MINUS = "\u2212"  # a real minus sign: '-15' is easy to miss in a table, '−15' is not

_WORDS = {
    "equals": "is",
    "not_equals": "is not",
    "in": "is",  # "is Software or Finance"
    "not_in": "is neither",
    "gt": "is over",
    "gte": "is at least",
    "lt": "is under",
    "lte": "is at most",
    "contains": "contains",
    "not_contains": "does not contain",
    "starts_with": "starts with",
    "ends_with": "ends with",
    "regex": "matches the pattern",
    "is_empty": "is empty",
    "is_not_empty": "is filled in",
    "within_days": "is within the last",
    "older_than_days": "is more than",
    "before": "is before",
    "after": "is after",
}


def number(v: Any) -> str:
    """``50000000`` -> ``50,000,000``; ``2.5`` -> ``2.5``; other values as text."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, (int, float)):
        f = float(v)
        if f.is_integer() and abs(f) < 1e15:
            return f"{int(f):,}"
        return f"{f:,.6g}" if abs(f) >= 1000 else plain_number(f)
    return str(v)


def points(v: float, *, plus: bool = True) -> str:
    """``+10``, ``−15`` (with a real minus sign), ``0``; halves kept (``+2.5``)."""
    v = float(v)
    text = number(abs(v)) if float(abs(v)).is_integer() else f"{abs(v):.2f}".rstrip("0").rstrip(".")
    if v > 0:
        return ("+" if plus else "") + text
    if v < 0:
        return MINUS + text
    return "0"


def attribute_words(model: ScoringModel | None, name: str) -> str:
    """A readable name for an attribute: ``company_size`` -> ``Company size``."""
    text = str(name).replace("_", " ").strip()
    if text.lower().startswith("form "):
        text = "form answer \u201c" + text[5:] + "\u201d"
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) == 1 else text or str(name)


def sentence(text: str) -> str:
    """First letter upper case."""
    return text[:1].upper() + text[1:]


def _event_field_words(model: ScoringModel | None, name: str) -> str:
    if name == "type":
        return "event type"
    cols = model.activities if model is not None and model.activities is not None else ActivityColumns()
    detail = cols.detail or "detail"
    return {"url": "page", "page": "page"}.get(detail.lower(), detail.replace("_", " "))


def _value(v: Any, quote: bool) -> str:
    text = number(v)
    return f"\u201c{text}\u201d" if quote else text


def _values(vs: Any, quote: bool, joiner: str = "or") -> str:
    items = list(vs) if isinstance(vs, (list, tuple)) else [vs]
    shown = [_value(v, quote) for v in items]
    if len(shown) <= 1:
        return shown[0] if shown else "(nothing)"
    return ", ".join(shown[:-1]) + f" {joiner} " + shown[-1]


def condition_words(c: Condition | None, model: ScoringModel | None = None, *, events: bool = False) -> str:
    """A condition as a readable phrase, e.g. ``Industry is Software or Finance``.

    ``events=True`` reads attribute names as fields of an activity event
    (``type`` -> ``event type``, ``detail`` -> ``page``).
    """
    if c is None:
        return "always"
    if isinstance(c, AllOf):
        return " and ".join(_group(condition_words(i, model, events=events), i) for i in c.items)
    if isinstance(c, AnyOf):
        return " or ".join(_group(condition_words(i, model, events=events), i) for i in c.items)
    if isinstance(c, Not):
        return "not (" + condition_words(c.item, model, events=events) + ")"
    return _leaf_words(c, model, events)


def _group(text: str, c: Condition) -> str:
    return f"({text})" if isinstance(c, (AllOf, AnyOf)) else text


def _leaf_words(c: Leaf, model: ScoringModel | None, events: bool) -> str:
    name = _event_field_words(model, c.attribute) if events else attribute_words(model, c.attribute)
    atype = None
    if not events and model is not None:
        a = model.attribute(c.attribute)
        atype = a.type if a is not None else None
    quote = atype in ("text",) or (events and c.attribute != "type") or c.op in ("contains", "not_contains", "starts_with", "ends_with", "regex")
    op, v = c.op, c.value
    words = _WORDS.get(op, op)
    if op in ("is_empty", "is_not_empty"):
        return f"{name} {words}"
    if op == "between":
        lo, hi = (list(v) + [None, None])[:2]
        return f"{name} is between {number(lo)} and {number(hi)}"
    if op in ("within_days", "older_than_days"):
        tail = " ago" if op == "older_than_days" else ""
        return f"{name} {words} {number(v)} days{tail}"
    if op == "not_in":
        return f"{name} is neither " + _values(v, quote, "nor") if isinstance(v, list) and len(v) > 1 else f"{name} is not {_values(v, quote)}"
    if op == "regex":
        return f"{name} {words} {_values(v, True)}"
    if isinstance(v, bool) or (atype == "boolean" and op in ("equals", "not_equals")):
        truth = str(v).strip().lower() in ("true", "1", "yes")
        if op == "not_equals":
            truth = not truth
        return f"{name} is {'yes' if truth else 'no'}"
    if isinstance(v, list):
        return f"{name} {words} {_values(v, quote)}"
    return f"{name} {words} {_value(v, quote)}"


def _band_words(lower: float | None, upper: float | None) -> str:
    if lower is None and upper is None:
        return "any value"
    if lower is None:
        return f"under {number(upper)}"
    if upper is None:
        return f"{number(lower)} or more"
    return f"{number(lower)} to under {number(upper)}"


@dataclass
class PointsLine:
    """One 'when this, that many points' line of a rule."""

    when: str
    points: float
    note: str = ""


def rule_lines(rule: Rule, model: ScoringModel | None = None) -> list[PointsLine]:
    """What a rule gives, one line per case (a value map gives one line per value or band)."""
    if rule.map is not None:
        m = rule.map
        name = attribute_words(model, m.attribute)
        out: list[PointsLine] = []
        if m.values is not None:
            for k, v in m.values.items():
                out.append(PointsLine(sentence(f"{name} is {k}"), v))
        for b in m.bins or []:
            out.append(PointsLine(sentence(f"{name} is {_band_words(b.lower, b.upper)}"), b.points))
        if m.default:
            out.append(PointsLine(sentence(f"{name} is any other value"), m.default))
        return out
    if rule.activity is not None:
        a = rule.activity
        what = _activity_phrase(a.where, model) or "each activity where " + condition_words(a.where, model, events=True)
        if a.within_days is not None:
            what += f" in the last {number(a.within_days)} days"
        notes = []
        if a.max_points is not None:
            notes.append(f"at most {number(a.max_points)} points in total")
        if a.decay is not None:
            d = a.decay
            if d.half_life_days is not None:
                notes.append(f"older activity counts less: half as much after {number(d.half_life_days)} days")
            else:
                notes.append(f"older activity counts less: {number(d.linear_pct)}% less every {number(d.period_days)} days")
        return [PointsLine(sentence(what), rule.points, "; ".join(notes))]
    return [PointsLine(sentence(condition_words(rule.when, model)), rule.points)]


def _activity_phrase(where: Condition | None, model: ScoringModel | None) -> str | None:
    """``each demo request`` for ``type equals demo_request`` (and ``... where page ...`` for the rest)."""
    if where is None:
        return "each activity"
    nouns = _type_nouns(where)
    if nouns is not None:
        return "each " + nouns
    if isinstance(where, AllOf):
        types = [i for i in where.items if _type_nouns(i) is not None]
        if len(types) == 1:
            rest = [i for i in where.items if i is not types[0]]
            cond = rest[0] if len(rest) == 1 else AllOf(rest)
            return f"each {_type_nouns(types[0])} where {condition_words(cond, model, events=True)}"
    if isinstance(where, AnyOf):
        parts = [_activity_phrase(i, model) for i in where.items]
        if all(p is not None and p.startswith("each ") and p != "each activity" for p in parts):
            return "each " + ", or ".join(p[5:] for p in parts)
    return None


def _type_nouns(c: Condition) -> str | None:
    if isinstance(c, Leaf) and c.attribute == "type" and c.op in ("equals", "in"):
        vals = c.value if isinstance(c.value, list) else [c.value]
        names = [str(v).replace("_", " ") for v in vals]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return None


def rule_sentence(rule: Rule, model: ScoringModel | None = None) -> str:
    """The whole rule on one line: ``Industry is Software: +12; Industry is Retail: +4``."""
    parts = []
    scaled = rule.dimension == "engagement" and model is not None and model.persona is not None
    for ln in rule_lines(rule, model):
        notes = [ln.note] if ln.note else []
        if scaled:
            notes.append("times the buying-role weight")
        parts.append(f"{ln.when}: {points(ln.points)}" + (f" ({'; '.join(notes)})" if notes else ""))
    return "; ".join(parts)


def range_words(r: Range | None) -> str:
    if r is None or (r.min is None and r.max is None):
        return "no limit"
    if r.min is not None and r.max is not None:
        return f"between {points(r.min, plus=False)} and {points(r.max, plus=False)}"
    if r.max is not None:
        return f"at most {points(r.max, plus=False)}"
    return f"at least {points(r.min, plus=False)}"


def caps_lines(model: ScoringModel) -> list[str]:
    """Every limit on points, in words (group caps, dimension caps, the score range)."""
    out = []
    for g, r in model.caps.groups.items():
        labels = [x.label for x in model.rules if x.group == g]
        out.append(
            f"The rules of group \u201c{g}\u201d ({', '.join(labels) if labels else 'no rules'}) give "
            f"{range_words(r)} points together."
        )
    for dim, r in model.caps.dimensions.items():
        out.append(f"The {dim} score is kept {range_words(r)} points.")
    if model.score_range is not None and (model.score_range.min is not None or model.score_range.max is not None):
        out.append(f"The total score is kept {range_words(model.score_range)}.")
    return out


def band_ranges(bands: dict[str, float | None]) -> list[tuple[str, str]]:
    """Grade bands (highest first) as (name, range words): ``A: 40 or more``, ``B: 25 to under 40``."""
    out = []
    names = list(bands)
    prev = None
    for i, name in enumerate(names):
        lo = bands[name]
        last = i == len(names) - 1
        if last or lo is None:
            text = "any score" if prev is None else f"under {number(prev)}"
        elif prev is None:
            text = f"{number(lo)} or more"
        else:
            text = f"{number(lo)} to under {number(prev)}"
        out.append((name, text))
        if lo is not None:
            prev = lo
    return out


def threshold_lines(model: ScoringModel) -> list[str]:
    t = model.thresholds
    out = [f"A lead becomes an MQL (marketing qualified lead) when its score reaches {number(t.mql)}"]
    if model.grades.mql_cells is not None:
        out[0] += f" and its grade is {_values(model.grades.mql_cells, False)}"
    out[0] += "."
    if t.sql is not None:
        out.append(f"An MQL whose score reaches {number(t.sql)} is an SQL (sales qualified lead).")
    return out


def default_definitions(model: ScoringModel) -> dict[str, str]:
    """What lead, MQL and SQL mean when the model's ``definitions`` say nothing."""
    t = model.thresholds
    d = {
        "lead": "Any contact in the lead file that this model scores.",
        "mql": threshold_lines(model)[0],
    }
    if t.sql is not None:
        d["sql"] = f"An MQL whose score reaches {number(t.sql)}."
    return d
