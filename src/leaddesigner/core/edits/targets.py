"""Edits to what a model aims at: MQL and SQL thresholds, SDR capacity and SLA, recycling, grade bands
and MQL cells, caps.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

from leaddesigner.core.edits.base import (
    Command,
    CommandError,
    M_did_you_mean,
    checked_id,
    is_whole,
    number_arg,
    optional_number,
    value_text,
)
from leaddesigner.core.model import types as M
from leaddesigner.core.model.types import (
    DIMENSIONS,
    Range,
    ScoringModel,
)

__all__ = [
    "SetThreshold",
    "SetCapacity",
    "SetRecycling",
    "SetGradeBand",
    "SetGradeBands",
    "SetMqlCells",
    "SetCap",
    "RestoreCaps",
]


# ---------------------------------------------------------------- thresholds, capacity, grades, caps
@dataclass
class SetThreshold(Command):
    """``name`` is ``mql`` or ``sql``; the SQL threshold may be ``None`` (no SQL stage)."""

    name: str
    value: float | None
    scope: ClassVar[str] = "thresholds"

    @property
    def text(self) -> str:
        if self.value is None:
            return f"Remove the {self.name.upper()} threshold"
        return f"Set {self.name.upper()} threshold to {value_text(float(self.value))}"

    @property
    def merge_key(self) -> Any:
        return ("threshold", self.name)

    def _apply(self, model: ScoringModel) -> Command:
        t = model.thresholds
        if self.name == "mql":
            if self.value is None:
                raise CommandError("the MQL threshold cannot be empty")
            v = float(number_arg(self.value, "The MQL threshold"))
            old = t.mql
            t.mql = v
        elif self.name == "sql":
            v = None if self.value is None else float(number_arg(self.value, "The SQL threshold"))
            old = t.sql
            t.sql = v
        else:
            raise CommandError(f"threshold must be 'mql' or 'sql', not '{self.name}'")
        return SetThreshold(self.name, old)


_CAPACITY_FIELDS = {
    "sdrs": ("SDRs", int, 0),
    "leads_per_sdr_per_week": ("leads per SDR per week", float, 0),
    "sla_hours": ("SLA hours", float, 0),
    "working_days": ("working days", int, 1),
}


#: capacity settings beyond the four numbers (field -> name as people read it)
_CAPACITY_EXTRA = {
    "leads_per_sdr_per_day": "leads per SDR per day",
    "workday_start": "start of the working day",
    "workday_hours": "working hours per day",
    "routing": "routing",
    "order": "queue order",
    "sla_target": "SLA target",
    "sla_working_hours": "SLA clock",
}


@dataclass
class SetCapacity(Command):
    """Set one capacity field. Besides sdrs, leads_per_sdr_per_week, sla_hours and
    working_days: leads_per_sdr_per_day (None: use the weekly figure), workday_start,
    workday_hours, routing (list of grade cells or None), order (fifo/score),
    sla_target (0-1) and sla_working_hours (bool)."""

    field: str
    value: Any
    scope: ClassVar[str] = "capacity"

    @property
    def text(self) -> str:
        if self.field in _CAPACITY_EXTRA:
            name = _CAPACITY_EXTRA[self.field]
            v = self.value
            if v is None:
                return f"Clear {name}"
            if isinstance(v, list):
                return f"Set {name} to {', '.join(v) or 'none'}"
            if isinstance(v, bool):
                return f"Set {name} to {'working hours' if v else 'around the clock'}"
            return f"Set {name} to {value_text(v) if not isinstance(v, str) else v}"
        name = _CAPACITY_FIELDS.get(self.field, (self.field,))[0]
        return f"Set {name} to {value_text(self.value)}"

    @property
    def merge_key(self) -> Any:
        return ("capacity", self.field)

    def _apply(self, model: ScoringModel) -> Command:
        if self.field in _CAPACITY_EXTRA:
            return self._apply_extra(model)
        if self.field not in _CAPACITY_FIELDS:
            raise CommandError(f"capacity has no field '{self.field}'; fields: {', '.join(list(_CAPACITY_FIELDS) + list(_CAPACITY_EXTRA))}")
        name, typ, lo = _CAPACITY_FIELDS[self.field]
        x = number_arg(self.value, name.capitalize())
        if typ is int:
            if not float(x).is_integer():
                raise CommandError(f"{name} must be a whole number")
            x = int(x)
        if x < lo:
            raise CommandError(f"{name} must be at least {lo}")
        if self.field == "working_days" and x > 7:
            raise CommandError("a week has at most 7 working days")
        old = getattr(model.capacity, self.field)
        setattr(model.capacity, self.field, typ(x))
        return SetCapacity(self.field, old)

    def _apply_extra(self, model: ScoringModel) -> Command:
        c = model.capacity
        f, v = self.field, self.value
        old = copy.deepcopy(getattr(c, f))
        if f == "leads_per_sdr_per_day":
            if v is not None:
                v = float(number_arg(v, "Leads per SDR per day"))
                if v < 0:
                    raise CommandError("leads per SDR per day must be at least 0")
        elif f in ("workday_start", "workday_hours"):
            v = float(number_arg(v, _CAPACITY_EXTRA[f].capitalize()))
            start = v if f == "workday_start" else c.workday_start
            hours = v if f == "workday_hours" else c.workday_hours
            if start < 0 or hours <= 0:
                raise CommandError("the working day must start at or after 0h and last more than 0 hours")
            if start + hours > 24:
                raise CommandError(f"a working day from {value_text(start)}h lasting {value_text(hours)} hours would end after midnight")
        elif f == "sla_target":
            v = float(number_arg(v, "The SLA target"))
            if not 0 < v <= 1:
                raise CommandError("the SLA target is a share between 0 and 1, like 0.9 for 90%")
        elif f == "order":
            if v not in M.QUEUE_ORDERS:
                raise CommandError(f"order must be one of {', '.join(M.QUEUE_ORDERS)}, not '{v}'")
        elif f == "sla_working_hours":
            if not isinstance(v, bool):
                raise CommandError("sla_working_hours is true or false")
        elif f == "routing":
            if v is not None:
                v = [str(x).strip() for x in v]
                g = model.grades
                cells = [a + b for a in g.fit for b in g.engagement]
                if not cells:
                    raise CommandError("routing lists grade cells, but the model has no grades yet")
                for x in v:
                    if x not in cells:
                        raise CommandError(f"'{x}' is not a grade cell.{M_did_you_mean(x, cells)} Cells look like {cells[0]}")
                if len(set(v)) != len(v):
                    raise CommandError("routing lists a grade cell twice")
        setattr(c, f, v)
        return SetCapacity(f, old)


@dataclass
class SetRecycling(Command):
    """Replace the recycling settings (a :class:`~leaddesigner.core.model.types.Recycling` or None to switch
    recycling off). The value is checked like the model file would be."""

    value: M.Recycling | None
    scope: ClassVar[str] = "recycling"

    @property
    def text(self) -> str:
        if self.value is None:
            return "Turn recycling off"
        return "Set recycling"

    def _apply(self, model: ScoringModel) -> Command:
        r = self.value
        if r is not None:
            if not isinstance(r, M.Recycling):
                raise CommandError("recycling must be a Recycling value or None")
            if r.disqualified is None and r.closed_lost is None and r.no_response_days is None:
                raise CommandError("recycling needs at least one of disqualified, closed lost or no response after N days")
            if r.no_response_days is not None and float(number_arg(r.no_response_days, "No response days")) <= 0:
                raise CommandError("no response days must be more than 0")
            if float(number_arg(r.cooldown_days, "The cool-down")) < 0:
                raise CommandError("the cool-down must be at least 0 days")
            for key, o in r.outcomes():
                what = key.replace("_", " ")
                if not str(o.column).strip() or not str(o.date).strip():
                    raise CommandError(f"{what}: name the column and the date column")
                if not o.values:
                    raise CommandError(f"{what}: list the values that mean it, like Disqualified")
                a = model.attribute(o.date)
                if a is not None and a.type != "date":
                    raise CommandError(f"{what}: '{o.date}' must be a date column, it is declared as {a.type}")
            if r.response_types is not None and not r.response_types:
                raise CommandError("response types: list at least one event type, or leave it empty for any event")
        old = copy.deepcopy(model.recycling)
        model.recycling = copy.deepcopy(r)
        return SetRecycling(old)


def _band_name(k: Any) -> str:
    s = str(k).strip()
    if not s:
        raise CommandError("a grade band needs a name, like A or 1")
    return s


def _check_bands(dim: str, bands: dict) -> None:
    items = list(bands.items())
    prev = None
    for j, (name, lo) in enumerate(items):
        if lo is None and j != len(items) - 1:
            raise CommandError(f"{dim} band '{name}': only the last band may have no minimum")
        if lo is not None and prev is not None and lo >= prev:
            raise CommandError(f"{dim} bands go from highest to lowest minimum; {name}'s {value_text(lo)} is not below {value_text(prev)}")
        if lo is not None:
            prev = lo


@dataclass
class SetGradeBand(Command):
    """Set the minimum score of one band (``dimension`` is fit or engagement)."""

    dimension: str
    band: str
    minimum: float | None
    scope: ClassVar[str] = "grades"

    @property
    def text(self) -> str:
        return f"Set {self.dimension} band {self.band} to {value_text(self.minimum)}"

    @property
    def merge_key(self) -> Any:
        return ("grade", self.dimension, self.band)

    def _apply(self, model: ScoringModel) -> Command:
        if self.dimension not in DIMENSIONS:
            raise CommandError(f"dimension must be {' or '.join(DIMENSIONS)}")
        bands: dict = getattr(model.grades, self.dimension)
        if self.band not in bands:
            raise CommandError(f"there is no {self.dimension} band '{self.band}'")
        new = dict(bands)
        new[self.band] = optional_number(self.minimum, "The band minimum")
        if new[self.band] is not None:
            new[self.band] = is_whole(new[self.band])
        _check_bands(self.dimension, new)
        old = bands[self.band]
        bands[self.band] = new[self.band]
        return SetGradeBand(self.dimension, self.band, old)


@dataclass
class SetGradeBands(Command):
    """Replace all bands of a dimension (add, rename, remove bands); keeps mql_cells valid."""

    dimension: str
    bands: dict
    mql_cells: list[str] | None = None
    keep_cells: bool = True
    scope: ClassVar[str] = "grades"

    @property
    def text(self) -> str:
        return f"Edit {self.dimension} grade bands"

    def _apply(self, model: ScoringModel) -> Command:
        if self.dimension not in DIMENSIONS:
            raise CommandError(f"dimension must be {' or '.join(DIMENSIONS)}")
        new = {_band_name(k): (None if v is None else is_whole(number_arg(v, f"Minimum of {k}"))) for k, v in self.bands.items()}
        _check_bands(self.dimension, new)
        old = dict(getattr(model.grades, self.dimension))
        old_cells = None if model.grades.mql_cells is None else list(model.grades.mql_cells)
        setattr(model.grades, self.dimension, new)
        if not self.keep_cells:
            model.grades.mql_cells = None if self.mql_cells is None else list(self.mql_cells)
        elif model.grades.mql_cells is not None:
            valid = {f + e for f in model.grades.fit for e in model.grades.engagement}
            model.grades.mql_cells = [c for c in model.grades.mql_cells if c in valid]
        return SetGradeBands(self.dimension, old, old_cells, keep_cells=False)


@dataclass
class SetMqlCells(Command):
    """Only leads graded in one of ``cells`` can be MQL (``None``: any grade)."""

    cells: list[str] | None
    scope: ClassVar[str] = "grades"

    @property
    def text(self) -> str:
        return "Allow MQLs from any grade" if self.cells is None else f"MQL grades: {', '.join(self.cells) or 'none'}"

    def _apply(self, model: ScoringModel) -> Command:
        if self.cells is not None:
            valid = [f + e for f in model.grades.fit for e in model.grades.engagement]
            for c in self.cells:
                if c not in valid:
                    raise CommandError(f"'{c}' is not a grade cell.{M_did_you_mean(c, valid)}")
        old = None if model.grades.mql_cells is None else list(model.grades.mql_cells)
        model.grades.mql_cells = None if self.cells is None else list(self.cells)
        return SetMqlCells(old)


@dataclass
class SetCap(Command):
    """Set or remove a cap. ``kind``: ``dimension`` (name fit/engagement), ``group`` or ``score_range``.

    ``minimum``/``maximum`` ``None`` both: remove the cap.
    """

    kind: str
    name: str | None
    minimum: float | None
    maximum: float | None
    scope: ClassVar[str] = "caps"

    @property
    def text(self) -> str:
        what = "score range" if self.kind == "score_range" else f"{self.name} cap"
        if self.minimum is None and self.maximum is None:
            return f"Remove the {what}"
        return f"Set the {what} to {value_text(self.minimum)}..{value_text(self.maximum)}"

    @property
    def merge_key(self) -> Any:
        return ("cap", self.kind, self.name)

    def _apply(self, model: ScoringModel) -> Command:
        lo = optional_number(self.minimum, "The minimum")
        hi = optional_number(self.maximum, "The maximum")
        lo = None if lo is None else is_whole(lo)
        hi = None if hi is None else is_whole(hi)
        if lo is not None and hi is not None and lo > hi:
            raise CommandError(f"the minimum ({value_text(lo)}) is above the maximum ({value_text(hi)})")
        rng = None if lo is None and hi is None else Range(lo, hi)
        if self.kind == "score_range":
            old = model.score_range
            model.score_range = rng
            return SetCap("score_range", None, None if old is None else old.min, None if old is None else old.max)
        if self.kind == "dimension":
            if self.name not in DIMENSIONS:
                raise CommandError(f"dimension caps are for {' or '.join(DIMENSIONS)}")
            table = model.caps.dimensions
        elif self.kind == "group":
            checked_id(self.name, "Group")
            if rng is not None and not any(r.group == self.name for r in model.rules):
                groups = sorted({r.group for r in model.rules if r.group})
                raise CommandError(f"no rule is in group '{self.name}'.{M_did_you_mean(str(self.name), groups)} Set the group on the rules first")
            table = model.caps.groups
        else:
            raise CommandError(f"cap kind must be dimension, group or score_range, not '{self.kind}'")
        old = table.get(self.name)
        keys = list(table)
        if rng is None:
            table.pop(self.name, None)
        else:
            table[self.name] = rng
        inv = RestoreCaps(self.kind, self.name, copy.deepcopy(old), keys)
        return inv


@dataclass
class RestoreCaps(Command):
    """Inverse of SetCap on a dict of caps: restores the value and the key order."""

    kind: str
    name: str
    old: Range | None
    order: list[str]
    scope: ClassVar[str] = "caps"

    @property
    def text(self) -> str:
        return f"Restore the {self.name} cap"

    def _apply(self, model: ScoringModel) -> Command:
        table = model.caps.dimensions if self.kind == "dimension" else model.caps.groups
        cur = table.get(self.name)
        keys = list(table)
        if self.old is None:
            table.pop(self.name, None)
        else:
            table[self.name] = copy.deepcopy(self.old)
            ordered = {k: table[k] for k in self.order if k in table}
            ordered.update({k: v for k, v in table.items() if k not in ordered})
            table.clear()
            table.update(ordered)
        return RestoreCaps(self.kind, self.name, copy.deepcopy(cur), keys)
