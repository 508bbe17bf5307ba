"""The Python API: load a model, score leads, explain a score.

Everything here is what the ``leaddesigner`` command line does, as functions
that take and return Python objects::

    from leaddesigner import load_model, score, explain

    model = load_model("model.yaml")
    scores = score(model, "leads.csv", "activities.csv", as_of="2026-06-30")
    why = explain(model, "leads.csv", "L0000042", "activities.csv", as_of="2026-06-30")
    print(why.text())

``score`` returns the same columns as ``leaddesigner score`` (lead id, ``score``,
``fit_score``, ``engagement_score``, ``grade``, ``status``, ``product_<name>``)
with the same values. Data problems are handled as the command line handles
them: columns that rules need (or an activity log for activity rules) must be
present, else :class:`MissingDataError` is raised unless ``allow_missing=True``;
every other problem (values that do not fit the declared type, duplicate ids,
events of unknown leads, ...) is reported as a :class:`DataWarning` and the
affected values count as missing.

Models and leads may be given as objects (a :class:`ScoringModel`, a
``pandas.DataFrame``) or as paths to files (``.yaml``/``.json`` models;
``.csv``/``.tsv``/``.txt``/``.gz``/``.xlsx``/``.parquet`` lead files).
"""
from __future__ import annotations

import datetime as _dt
import os
import warnings
from typing import TYPE_CHECKING, Any, Union

from leaddesigner.core.data.leadfile import LeadFileError
from leaddesigner.core.model.io import ModelError
from leaddesigner.core.model.io import load_model as _load_model
from leaddesigner.core.model.io import save_model as _save_model
from leaddesigner.core.model.types import ScoringModel

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from leaddesigner.core.scoring.engine import LeadData, Scorer
    from leaddesigner.core.scoring.explain import Explanation

__all__ = [
    "DataWarning",
    "LeadFileError",
    "MissingDataError",
    "ModelError",
    "ScoringModel",
    "UnknownLeadError",
    "accounts",
    "explain",
    "load_model",
    "save_model",
    "score",
    "scorer",
]

PathLike = Union[str, "os.PathLike[str]"]
#: a model object or the path of a model file
ModelLike = Union[ScoringModel, str, "os.PathLike[str]"]
#: a DataFrame or the path of a lead file / activity log
TableLike = Union["pd.DataFrame", str, "os.PathLike[str]"]
#: a moment: ``"2026-06-30"`` (the end of that day), ``"2026-06-30T14:00"``, a date, a datetime or a Timestamp
AsOf = Union[str, _dt.date, _dt.datetime, "pd.Timestamp", None]


class MissingDataError(LeadFileError):
    """The leads lack columns that rules need, or activity rules have no activity log.

    Those rules would give 0 points to every lead. Map the columns under
    ``columns:`` in the model, pass the activity log, or call again with
    ``allow_missing=True`` to score anyway.

    Attributes
    ----------
    problems : list of leaddesigner.core.data.leadfile.Problem
        The ``missing_column`` problems (empty when only the activity log is missing).
    rules : list of str
        Ids of the rules that would score 0.
    """

    def __init__(self, message: str, problems: list[Any], rules: list[str]) -> None:
        super().__init__(message)
        self.problems = problems
        self.rules = rules


class UnknownLeadError(LookupError):
    """:func:`explain` was asked about a lead id that is not in the leads."""

    def __init__(self, message: str, lead_id: str) -> None:
        super().__init__(message)
        self.lead_id = lead_id

    def __str__(self) -> str:  # LookupError would show the repr of the message
        return str(self.args[0])


class DataWarning(UserWarning):
    """A problem in the lead data that does not stop scoring (the values count as missing)."""


# ---------------------------------------------------------------- models
def load_model(path: PathLike) -> ScoringModel:
    """Read and validate a model file (``.yaml``/``.yml``, or ``.json``).

    Parameters
    ----------
    path : str or os.PathLike
        The model file.

    Returns
    -------
    ScoringModel

    Raises
    ------
    ModelError
        The file is not a valid model; ``.issues`` lists every problem with its line.
    OSError
        The file cannot be read.
    """
    return _load_model(path)


def save_model(model: ScoringModel, path: PathLike) -> None:
    """Validate ``model`` and write it atomically: JSON for a ``.json`` path, YAML otherwise.

    Raises
    ------
    ModelError
        The model would not load again (the file is left untouched).
    """
    _save_model(model, path)


# ---------------------------------------------------------------- scoring
def scorer(
    model: ModelLike,
    leads: TableLike,
    activities: TableLike | None = None,
    *,
    as_of: AsOf = None,
    horizon_days: float | None = None,
    allow_missing: bool = False,
) -> Scorer:
    """Load, check and score: the engine's :class:`~leaddesigner.core.scoring.engine.Scorer`.

    For callers who want more than :func:`score` gives (per-rule points with
    ``points_frame()``, ``rule_hits(id)``, re-scoring after editing the model
    in place with ``refresh()``). Arguments as for :func:`score`.
    """
    from leaddesigner.core.scoring.engine import Scorer

    m, data = _bind(model, leads, activities, as_of, horizon_days, allow_missing)
    return Scorer(m, data)


def score(
    model: ModelLike,
    leads: TableLike,
    activities: TableLike | None = None,
    *,
    as_of: AsOf = None,
    horizon_days: float | None = None,
    allow_missing: bool = False,
) -> pd.DataFrame:
    """Score every lead, as ``leaddesigner score`` does.

    Parameters
    ----------
    model : ScoringModel, str or os.PathLike
        A model object or the path of a model file.
    leads : pandas.DataFrame, str or os.PathLike
        One row per lead; the columns named in the model (``lead_id`` and one
        per attribute, renamed through ``columns:``). Values are converted to the
        declared types as when reading a file.
    activities : pandas.DataFrame, str, os.PathLike or None
        The activity log (one row per event, columns as in the model's
        ``activities`` section). Required when the model has activity rules,
        unless ``allow_missing``.
    as_of : str, date, datetime or pandas.Timestamp, optional
        Score as of this moment. A date (``"2026-06-30"`` or a ``datetime.date``)
        means the end of that day. Default: the end of the day of the latest
        event or lead in the data.
    horizon_days : float, optional
        Score each lead as it stood this many days after it was created (never
        later than ``as_of``). Needs ``created_at`` in the model.
    allow_missing : bool, default False
        Score even if columns that rules need (or the activity log) are missing;
        those rules give 0 points (a :class:`DataWarning` says so).

    Returns
    -------
    pandas.DataFrame
        One row per lead, in the order of ``leads``: the lead id column (named
        as in the model), ``score``, ``fit_score``, ``engagement_score``,
        ``grade`` and ``status`` (categoricals; status is ``lead``, ``MQL`` or
        ``SQL``) and ``product_<name>`` per product. Scores are rounded to two
        decimals, as in the file ``leaddesigner score`` writes.

    Raises
    ------
    ModelError
        The model file is not valid.
    LeadFileError
        A file cannot be read, or the lead id column is missing.
    MissingDataError
        Columns that rules need are missing (and ``allow_missing`` is False).
    ValueError
        ``as_of`` is not a date, or ``horizon_days`` is not above 0.

    Warns
    -----
    DataWarning
        For each data problem that does not stop scoring.
    """
    return scorer(model, leads, activities, as_of=as_of, horizon_days=horizon_days, allow_missing=allow_missing).frame()


def accounts(
    model: ModelLike,
    leads: TableLike,
    activities: TableLike | None = None,
    *,
    as_of: AsOf = None,
    horizon_days: float | None = None,
    allow_missing: bool = False,
) -> pd.DataFrame:
    """One row per account, as ``leaddesigner score --accounts`` writes it.

    The model's ``accounts`` section (without one: e-mail domains, free mail left out, the sum of contact
    scores, an MQA line at twice the MQL line). Columns: ``account``, ``contacts``, ``engaged``,
    ``roles_covered``, ``roles``, ``contact_points``, ``role_points``, ``rule_points``, ``score``, ``status``
    (``MQA`` or ``account``) and ``mqa_week``, highest score first. Arguments and errors as for :func:`score`;
    a key column the lead file lacks raises ``ValueError``.
    """
    from leaddesigner.core.scoring.accounts import account_frame, roll_up

    sc = scorer(model, leads, activities, as_of=as_of, horizon_days=horizon_days, allow_missing=allow_missing)
    return account_frame(roll_up(sc.model, sc.data, sc.result))


def explain(
    model: ModelLike,
    leads: TableLike,
    lead_id: str | int,
    activities: TableLike | None = None,
    *,
    as_of: AsOf = None,
    horizon_days: float | None = None,
    allow_missing: bool = False,
) -> Explanation:
    """Why one lead has its score: every rule that gave points and every cap that applied.

    Arguments as for :func:`score`, plus ``lead_id`` (compared as text, so
    ``17`` finds the lead ``"17"``; a repeated id explains its first row).

    Returns
    -------
    leaddesigner.core.scoring.explain.Explanation
        ``.lines`` (rule, group cap, dimension cap, score range) add up to
        ``.score``; also ``.fit``, ``.engagement``, ``.grade``, ``.status``,
        ``.products``, ``.to_mql`` (what the lead still needs) and ``.text()``
        (what ``leaddesigner explain`` prints).

    Raises
    ------
    UnknownLeadError
        No lead has that id (the message suggests close ids).
    """
    import numpy as np

    sc = scorer(model, leads, activities, as_of=as_of, horizon_days=horizon_days, allow_missing=allow_missing)
    ids = sc.data.ids
    key = str(lead_id)
    hits = np.flatnonzero(ids.to_numpy() == key)
    if len(hits) == 0:
        from leaddesigner.core.scoring.explain import close_ids

        n = len(ids)
        raise UnknownLeadError(
            f"Lead '{key}' is not in the leads (column '{sc.model.lead_id}', {n:,} lead{'s' if n != 1 else ''})."
            + close_ids(key, ids),
            key,
        )
    result: Explanation = sc.explain(int(hits[0]))
    return result


# ---------------------------------------------------------------- helpers
def _user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the caller's line, outside this module."""
    import sys

    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        level += 1
        frame = frame.f_back  # type: ignore[assignment]
    return level


def _model(model: ModelLike) -> ScoringModel:
    if isinstance(model, ScoringModel):
        return model
    if isinstance(model, (str, os.PathLike)):
        return _load_model(model)
    raise TypeError(f"model must be a ScoringModel or the path of a model file, not {type(model).__name__}")


def _as_of(value: AsOf) -> pd.Timestamp | None:
    import pandas as pd

    from leaddesigner.core.scoring.engine import parse_as_of

    if value is None:
        return None
    if isinstance(value, pd.Timestamp) or isinstance(value, _dt.datetime):
        ts = pd.Timestamp(value)
        if pd.isna(ts):
            raise ValueError("as_of is NaT: give a date like '2026-06-30'")
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return ts
    if isinstance(value, _dt.date):  # a day: its end, as on the command line
        return parse_as_of(value.isoformat())
    if isinstance(value, str):
        parsed = parse_as_of(value)
        if parsed is None or pd.isna(parsed):
            raise ValueError(f"'{value}' is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM")
        return parsed
    raise TypeError(f"as_of must be a date, datetime, Timestamp or text like '2026-06-30', not {type(value).__name__}")


def _bind(
    model: ModelLike,
    leads: TableLike,
    activities: TableLike | None,
    as_of: AsOf,
    horizon_days: float | None,
    allow_missing: bool,
) -> tuple[ScoringModel, LeadData]:
    """The core load pipeline (the same as the CLI's and the app's), with its checks as errors and warnings."""
    from .core.data.pipeline import check, load

    m = _model(model)
    when = _as_of(as_of)
    if horizon_days is not None and not float(horizon_days) > 0:
        raise ValueError(f"horizon_days must be a number of days above 0, found {horizon_days!r}")
    loaded = load(m, leads, activities, as_of=when, horizon_days=None if horizon_days is None else float(horizon_days))
    c = check(loaded)
    if c.errors and not allow_missing:
        n = len(c.errors)
        head = f"{loaded.leads.name} cannot be scored with the model '{m.name}' as it is ({n} problem{'s' if n != 1 else ''}):"
        tail = (
            "Map the columns under 'columns:' in the model (attribute: file column), pass the activity log, "
            "or call with allow_missing=True to score anyway (those rules then give 0 points)."
        )
        needed = [p for p in loaded.data.problems if p.kind == "missing_column" and p.rules]
        raise MissingDataError("\n".join([head] + ["  " + ln for ln in c.errors] + [tail]), needed, c.rules)
    if c.errors:
        act_rules = [r.id for r in m.rules if r.enabled and r.kind == "activity"]
        if act_rules and loaded.activities is None:
            warnings.warn(f"no activities given: activity rules {', '.join(act_rules)} score 0 for every lead.", DataWarning,
                          stacklevel=_user_stacklevel())
    for note in loaded.notes:
        warnings.warn(note, DataWarning, stacklevel=_user_stacklevel())
    for w in c.warnings:
        msg = w.message
        if w.examples:
            msg += " Examples: " + "; ".join(f"{where}: {raw!r}" for where, raw in w.examples)
            if w.more:
                msg += f"; ... {w.more:,} more"
            msg += "."
        warnings.warn(msg, DataWarning, stacklevel=_user_stacklevel())
    # the scorer is built again by the caller over the same data (cheap next to reading)
    return m, loaded.data
