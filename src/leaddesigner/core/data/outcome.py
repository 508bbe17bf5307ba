"""What "converted" means in a lead file, as users hold it.

An :class:`OutcomeSpec` names a column and how to read it:

* a yes/no column (``converted`` 0/1, ``Converted`` true/false, ``Won``/``Lost``,
  CRM stages with ``Closed Won``): read as it stands;
* some values of a column (``Lifecycle Stage`` is ``opportunity`` or
  ``customer``; ``Lead Status`` is ``Qualified``): ``positive`` lists them;
* a date column (``Became a Customer Date``): filled means converted, and
  the date is when.

``date`` optionally names the column that says when a lead converted (for a
date outcome it is the column itself). The spec is stored in the model file
(``outcome:``), so the app, the CLI and the report read the same outcome,
and the app shows no conversion figure until the user has chosen one.

:func:`candidates` lists columns that could be the outcome, with the values
that would mean "converted", for the user to confirm: nothing is chosen by
itself. :func:`after_outcome_name` says whether a column's name suggests it is
recorded with or after the outcome (it must not be a scoring feature).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .detect import normalize_name

__all__ = [
    "OutcomeSpec",
    "Outcome",
    "OutcomeError",
    "OutcomeCandidate",
    "candidates",
    "resolve",
    "read_model_outcome",
    "after_outcome_name",
    "after_outcome_values",
    "fold",
]


class OutcomeError(ValueError):
    """The outcome cannot be read as given; the message says what the column holds and what to give."""


def fold(value: Any) -> str:
    """Text as compared everywhere: NFC-normalised, Unicode case-folded, surrounding blanks removed."""
    return unicodedata.normalize("NFC", str(value)).casefold().strip()


@dataclass(frozen=True)
class OutcomeSpec:
    """Which column says a lead converted, and how (see the module docstring)."""

    column: str
    positive: tuple[str, ...] | None = None
    date: str | None = None

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"column": self.column}
        if self.positive:
            out["positive"] = list(self.positive)
        if self.date:
            out["date"] = self.date
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "OutcomeSpec":
        pos = d.get("positive")
        if isinstance(pos, str):
            pos = [pos]
        return cls(str(d["column"]), None if not pos else tuple(str(v) for v in pos), None if d.get("date") is None else str(d["date"]))

    def text(self) -> str:
        """In words: ``'Lifecycle Stage' is opportunity or customer``."""
        if self.positive:
            vals = list(self.positive)
            shown = ", ".join(vals[:-1]) + (" or " if len(vals) > 1 else "") + vals[-1]
            return f"'{self.column}' is {shown}"
        return f"'{self.column}'"


@dataclass
class Outcome:
    """An outcome read from the data: who converted and, where known, when."""

    spec: OutcomeSpec
    y: np.ndarray  # bool per lead
    at: np.ndarray | None  # datetime64[ns] per lead (NaT: not converted or unknown), or None
    kind: str  # 'flag', 'values' or 'date'
    description: str  # one line: what counts as converted, and how many did

    @property
    def converted(self) -> int:
        return int(self.y.sum())

    def summary(self) -> str:
        """``column 'converted', 363 of 4,000 leads converted (9.1%)`` (what the CLI prints after "Outcome:")."""
        sp = self.spec
        what = f"column '{sp.column}'"
        if self.kind == "values" and sp.positive:
            vals = list(sp.positive)
            what += " is " + ", ".join(vals[:-1]) + (" or " if len(vals) > 1 else "") + vals[-1]
        elif self.kind == "date":
            what += " is filled (the conversion date)"
        return f"{what}, {_count(self.converted, len(self.y))}"


@dataclass
class OutcomeCandidate:
    """A column that could be the outcome, and what choosing it would mean."""

    column: str
    kind: str  # 'flag', 'values', 'date'
    values: list[tuple[str, int]] = field(default_factory=list)  # distinct values with counts (most frequent first)
    suggested: tuple[str, ...] = ()  # for 'values': the ones that read as converted
    rate: float | None = None  # share converted if chosen as suggested
    note: str = ""

    def spec(self) -> OutcomeSpec:
        return OutcomeSpec(self.column, self.suggested or None if self.kind == "values" else None)


# ---------------------------------------------------------------- names
#: words in a column name (split at _ . - blanks and camelCase) that say "recorded with or after the outcome"
AFTER_OUTCOME_WORDS = {
    "converted", "conversion", "conversions", "convert", "outcome", "won", "lost", "closed", "churn", "churned",
    "stage", "status", "opportunity", "opportunities", "result", "results", "customer", "became", "deal", "deals",
    "qualified", "disqualified", "sales_contact", "first_sales_contact", "customer_since", "mql_date", "sql_date",
    "tags", "quality", "notes", "owner", "gewonnen", "verloren",
}


def _words(name: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", str(name))]


def after_outcome_name(name: str) -> bool:
    """Whether a column's name suggests it is recorded with or after the outcome (a leak if scored)."""
    words = _words(name)
    joined = "_".join(words)
    return any(w in AFTER_OUTCOME_WORDS for w in words) or any(k in joined for k in ("sales_contact", "customer_since"))


#: a person's name or contact details: values differ by person, not by fit or interest
_PERSONAL_NAMES = {
    "first_name", "last_name", "middle_name", "full_name", "given_name", "family_name", "surname", "name",
    "contact_name", "lead_name", "person_name", "salutation", "vorname", "nachname", "nom", "prenom", "prénom",
}
_PERSONAL_WORDS = {"phone", "mobile", "fax", "street", "address", "telefon", "telephone"}


def personal_detail_name(name: str) -> bool:
    """Whether a column holds a person's name or contact details (``First Name``, ``Phone``, ``Street``).

    Such columns are never scored: points for "Eleni" over "Leon" would be arbitrary, and unfair.
    ``Company Name`` or ``Account Name`` are not a person's name and are not matched.
    """
    words = _words(name)
    return "_".join(words) in _PERSONAL_NAMES or any(w in _PERSONAL_WORDS for w in words)


#: words in the values of a column written by sales after the lead was worked ("Closed by Horizzon", "Lost to EINS")
_AFTER_VALUES = re.compile(
    r"\b(closed|won|lost|converted|revert(ed|ing)?|(not )?interested|disqualified|junk lead|already a customer|"
    r"ringing|wrong number|switched off|busy|in touch|opportunity|deal)\b", re.I)


def after_outcome_values(s: pd.Series, min_share: float = 0.2) -> bool:
    """Whether a text column's values read like notes sales wrote after working the lead (a leak if scored).

    True when at least ``min_share`` of the filled leads carry a value with
    words such as closed, won, lost, reverted, interested, ringing.
    """
    if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        return False
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_datetime64_any_dtype(s.dtype):
        return False
    counted = _distinct_counts(s, 5000)
    if counted is None:
        return False
    values, counts = counted
    if not len(values):
        return False
    hit = np.array([bool(_AFTER_VALUES.search(str(v))) for v in values], dtype=bool)
    return bool(counts[hit].sum() >= min_share * counts.sum())


def _distinct_counts(s: pd.Series, limit: int) -> tuple[list, np.ndarray] | None:
    """The filled values of ``s`` once each with their counts, or None when there are more than ``limit``.

    Text held by Arrow is counted by Arrow, and more than ``limit`` distinct values
    are refused before any Python string is made: an e-mail column of a million
    leads would otherwise build a million-entry index while holding the GIL
    (~250 ms in which the app's window could not paint).
    """
    if (isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow") or isinstance(s.dtype, pd.ArrowDtype):
        import pyarrow as pa
        import pyarrow.compute as pc

        vc = pc.value_counts(pc.drop_null(pa.chunked_array(s.array.__arrow_array__())))
        if len(vc) > limit:
            return None
        return vc.field("values").to_pylist(), vc.field("counts").to_numpy(zero_copy_only=False)
    vc = s.value_counts(dropna=True)
    vc = vc[vc > 0]
    if len(vc) > limit:
        return None
    return list(vc.index), vc.to_numpy()


_OUTCOME_NAME_RANK = ("converted", "outcome", "won", "closed won", "is won", "y", "signed up", "gewonnen", "lifecycle stage",
                      "became a customer date", "became an opportunity date", "converted date", "converted at", "lead status",
                      "person status", "status", "stage")
#: values of a stage/status column that read as converted (folded)
POSITIVE_WORDS = {
    "1", "1.0", "true", "t", "yes", "y", "won", "closed won", "closed-won", "closed_won", "converted", "customer",
    "opportunity", "win", "deal won", "purchased", "signed", "paying customer", "qualified", "sales accepted",
    "evangelist", "ja", "gewonnen", "oui", "sí", "si", "evet", "ναι",
}
#: yes/no columns about e-mail consent or bounces: attributes of a lead, never what "converted" means
_NOT_OUTCOME = re.compile(r"(unsubscrib|opt.?out|opt.?in|bounce|do not|dnc|newsletter|consent|marketing contact|spam|gdpr)", re.I)




# ---------------------------------------------------------------- reading
def _column(frame: pd.DataFrame | Any, column: str) -> pd.Series:
    """The column from a frame, or from bound data (``LeadData.extra`` then ``.frame``)."""
    if isinstance(frame, pd.DataFrame):
        if column in frame.columns:
            return frame[column]
        cols = [str(c) for c in frame.columns]
    else:
        cols = []
        for f in (getattr(frame, "extra", None), getattr(frame, "frame", None)):
            if f is not None:
                if column in f.columns:
                    return f[column]
                cols += [str(c) for c in f.columns]
    from leaddesigner.core.model.io import did_you_mean

    raise OutcomeError(f"there is no column '{column}' in the lead file.{did_you_mean(column, cols)} Columns in the file: {', '.join(cols[:25])}")


def _as_dates(s: pd.Series) -> np.ndarray | None:
    """The column as datetime64[ns] when (almost) every present value is a date, else None."""
    if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        return None
    from .dates import parse_dates

    return parse_dates(s)


def _flag(s: pd.Series) -> np.ndarray | None:
    """A yes/no, won/lost or stage column read as converted or not (None: it is not one)."""
    from leaddesigner.core.scoring.summary import parse_outcome

    y = parse_outcome(s)
    if y is not None:
        return y
    from .detect import guess_column

    if guess_column(s, str(s.name)).type == "boolean":  # Ja/Nein, Oui/Non, X
        from leaddesigner.core.data.coerce import coerce_types
        out, _ = coerce_types(pd.DataFrame({"b": s.reset_index(drop=True)}), {"b": "boolean"}, source="x.parquet", row_offset=1)
        return out["b"].fillna(False).to_numpy(dtype=bool)
    return None


def _count(n: int, total: int) -> str:
    return f"{n:,} of {total:,} leads converted ({100 * n / max(total, 1):.1f}%)"


def resolve(spec: OutcomeSpec, frame: pd.DataFrame | Any) -> Outcome:
    """Read ``spec`` from a lead frame (or bound :class:`LeadData`): who converted, and when.

    Raises :class:`OutcomeError` with what the column holds when it cannot be read that way.
    """
    s = _column(frame, spec.column)
    n = len(s)
    at = None
    if spec.positive:
        want = {fold(v) for v in spec.positive}
        # fold the distinct values only, then gather (a million leads have a few dozen stages)
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        folded = [fold(u) for u in uniques]
        hit = np.array([f in want for f in folded] + [False])
        y = hit[codes]
        present = set(folded)
        unknown = sorted(want - present)
        if unknown and len(unknown) == len(want):
            shown = ", ".join(list(map(str, pd.unique(s.dropna().astype(str))))[:12])
            raise OutcomeError(f"no value of '{spec.column}' is {', '.join(spec.positive)}; its values are: {shown}")
        kind, desc = "values", f"Converted: {spec.text()}; {_count(int(y.sum()), n)}."
    else:
        dates = None
        if not (pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype)):
            dates = _as_dates(s)
        if dates is not None:
            y = ~np.isnat(dates)
            at = dates
            kind, desc = "date", f"Converted: '{spec.column}' is filled (that date is when); {_count(int(y.sum()), n)}."
        else:
            y = _flag(s)
            if y is None:
                vals = pd.Series(s.dropna().astype(str)).value_counts().head(12)
                shown = ", ".join(f"{v} ({c:,})" for v, c in vals.items())
                raise OutcomeError(
                    f"'{spec.column}' does not look like an outcome (converted or not): it holds {shown}. Say which values mean converted "
                    f"(on the command line: --outcome '{spec.column}' --positive VALUE[,VALUE...])."
                )
            kind, desc = "flag", f"Converted: {spec.text()}; {_count(int(y.sum()), n)}."
    if spec.date and spec.date != spec.column:
        at = _as_dates(_column(frame, spec.date))
        if at is None:
            raise OutcomeError(f"the conversion date column '{spec.date}' does not hold dates")
        at = np.where(y, at, np.datetime64("NaT"))
    return Outcome(spec, np.asarray(y, dtype=bool), at, kind, desc)


# ---------------------------------------------------------------- candidates
def candidates(frame: pd.DataFrame, detection: Any | None = None, *, max_values: int = 30) -> list[OutcomeCandidate]:
    """Columns that could say who converted, likely ones first, for the user to choose from.

    Yes/no columns, stage or status columns with up to ``max_values`` values
    (``suggested`` holds the values that read as converted), and date
    columns whose name speaks of conversion (``Became a Customer Date``).
    Identifiers and free text are left out. Nothing is chosen here.
    """
    from .detect import detect as _detect

    det = detection if detection is not None else _detect(frame)
    out: list[OutcomeCandidate] = []
    n = len(frame)
    for col, g in det.columns.items():
        if col == det.id_column or g.filled == 0 or _NOT_OUTCOME.search(col):
            continue
        s = frame[col]
        if g.unique and g.type != "date":
            continue
        if g.type == "date":
            if not after_outcome_name(col) or col == det.created:
                continue
            filled = g.filled
            out.append(OutcomeCandidate(col, "date", [], (), filled / max(n, 1),
                                        f"filled for {filled:,} leads: filled = converted, and the date says when"))
            continue
        if g.type not in ("boolean", "category", "number") or g.distinct > max_values or g.distinct < 2:
            continue
        vc = s.value_counts(dropna=True)  # on the codes of a categorical: no million-row text copy
        vc = vc[vc > 0]
        values = [(str(v).strip(), int(c)) for v, c in vc.items()]
        if g.type == "number" and g.distinct > 2:
            continue
        flag = _flag(s) if g.distinct <= 2 or g.type == "boolean" else None
        if flag is not None and g.distinct <= 2:
            rate = float(flag.mean()) if n else None
            out.append(OutcomeCandidate(col, "flag", values, (), rate, f"{int(flag.sum()):,} leads read as converted"))
            continue
        suggested = tuple(v for v, _ in values if fold(v) in POSITIVE_WORDS or normalize_name(v).replace(" ", "") in POSITIVE_WORDS)
        if not suggested and not after_outcome_name(col):
            continue  # names, countries, industries: the user can still choose any column by hand
        rate = (sum(c for v, c in values if v in suggested) / n) if n else None
        out.append(OutcomeCandidate(col, "values", values, suggested, rate,
                                    "choose the values that mean converted" + (f" (suggested: {', '.join(suggested)})" if suggested else "")))

    def rank(c: OutcomeCandidate) -> tuple:
        k = normalize_name(c.column)
        named = _OUTCOME_NAME_RANK.index(k) if k in _OUTCOME_NAME_RANK else len(_OUTCOME_NAME_RANK) + (0 if after_outcome_name(c.column) else 1)
        return (named, {"flag": 0, "date": 1, "values": 2}[c.kind])

    return sorted(out, key=rank)


def read_model_outcome(outcome: Any, frame: pd.DataFrame | None, source: str = "these leads") -> tuple[Outcome | None, str]:
    """A model's ``outcome:`` (a :class:`leaddesigner.core.model.types.Outcome` or None) read from a lead frame.

    Returns ``(outcome, "")``, ``(None, "")`` when the model has none, or
    ``(None, why)`` when this file cannot give it (the column is missing, or no
    value matches): the app shows the reason instead of any conversion figure.
    """
    if outcome is None or frame is None:
        return None, ""
    spec = OutcomeSpec(outcome.column, tuple(outcome.positive) if outcome.positive else None, outcome.date)
    try:
        return resolve(spec, frame), ""
    except OutcomeError as e:
        return None, f"The model's outcome cannot be read from {source}: {e}"
