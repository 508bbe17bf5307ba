"""What a raw lead file holds: each column's type and format, the id column, the creation date.

Every guess is made from the whole column (its distinct values, so a
categorical of 1M rows costs its categories) and comes with a sentence that
says what was decided and, where the values allow two readings, that it is
ambiguous and how the other reading can be chosen. The app shows these
sentences and lets the user correct any of them in one place (the mapping
step); the corrections are stored in the model (``Attribute.format``,
``lead_id``, ``created_at``) so that production reads the file the same way.

Pure: no Qt. The app, the CLI (``profile``, ``fit``, ``gui --leads``) and the
Python API call :func:`detect`.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leaddesigner.core.data.coerce import (
    FALSE_TOKENS,
    MISSING_TOKENS,
    TRUE_TOKENS,
    coerce_types,
)
from leaddesigner.core.data.parallel import on_cores

__all__ = [
    "normalize_name",
    "ColumnGuess", "Detection", "detect", "guess_column", "ROW_NUMBERS", "is_id_like_name", "attribute_name",
    "attribute_kind", "suggest_column",
]

#: the id "column" of a file without one: each lead is named by its line (or row) number
ROW_NUMBERS = "(row number)"

#: id-like column names, most likely first (compared after lower-casing and squeezing separators)
_ID_NAMES = (
    "lead id", "leadid", "record id", "recordid", "prospect id", "contact id", "person id", "lead_id",
    "id", "kontakt id", "kunden id", "customer id", "account id", "hubspot id", "salesforce id", "sfdc id",
    "marketo id", "uuid", "guid", "key",
)
_ID_PATTERN = re.compile(r"(^|\s)(id|uuid|guid|key|nr|no|number)$")
#: column names (as normalize_name writes them) that hold e-mail addresses
EMAIL_NAMES = ("email", "email address", "e mail", "e mail address", "emailaddress", "mail")
#: creation-date names, most likely first (same normalisation)
_CREATED_NAMES = (
    "created at", "create date", "created date", "created", "created on", "date created", "creation date",
    "createdate", "createddate", "lead created", "lead created date", "erstellt am", "erstellungsdatum",
    "date de creation", "fecha de creacion", "session start", "first seen", "signup date", "sign up date",
)
_CREATED_WORDS = re.compile(r"(creat|erstellt|signup|sign up|first seen|added)")
_DATE_NAME = re.compile(r"(date|time|created|updated|modified|_at$| at$|\bat\b|day|datum|fecha|timestamp|seen|since)", re.I)

# a text value that may be a date: digits with - / . separators, or a month name next to digits
_DATE_SHAPE = (
    r"^\s*(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{8}T|\d{4}/\d{1,2}/\d{1,2}"
    r"|(?:\d{1,2}\s+)?[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{4})"
)
_LEADING_ZERO = r"^[+-]?0\d"


def normalize_name(name: str, *, camel: bool = False) -> str:
    """A column or attribute name as lower-case words: ``Lead_Source`` -> ``lead source`` (``camel``:
    ``leadSource`` too). How names are compared everywhere a name is recognised."""
    s = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name)) if camel else str(name)
    return re.sub(r"[\s_\-./:]+", " ", s.strip().lower()).strip()




def is_id_like_name(name: str) -> bool:
    """Whether a column name reads as an identifier (``Record ID``, ``lead_id``, ``Kontakt-ID``, ``Id``)."""
    n = normalize_name(name)
    return n in _ID_NAMES or bool(_ID_PATTERN.search(n)) or n.replace(" ", "") in {x.replace(" ", "") for x in _ID_NAMES}


def attribute_name(column: str, used: set[str] | None = None) -> str:
    """A model attribute name for a file column: ``Number of Employees`` -> ``number_of_employees``."""
    a = re.sub(r"[^0-9a-z]+", "_", str(column).strip().lower()).strip("_")[:60] or "column"
    if not re.match(r"[a-z_]", a):
        a = "c_" + a
    used = used if used is not None else set()
    base, i = a, 2
    while a in used:
        a = f"{base}_{i}"
        i += 1
    used.add(a)
    return a


_ENGAGEMENT_NAME = re.compile(
    r"(visit|view|page|click|open|download|webinar|trial|demo|activit|contact|campaign|previous|pdays|poutcome|last_|engag|"
    r"session|event|email_|intent|form|call|touch|respon|repl|sign_?up|login|lead_source|source|month|day_of_week)",
    re.IGNORECASE,
)
_FIRMO_NAME = re.compile(r"(company|compan|comp_size|size|revenue|industry|employee|country|region|sector|account|budget|client|market|firma|land|branche|umsatz|mitarbeiter)", re.IGNORECASE)
_DEMO_NAME = re.compile(r"(age|job|title|seniority|role|department|persona|education|marital|gender|name|email|mail|default|housing|loan)", re.IGNORECASE)


def attribute_kind(column: str, atype: str) -> str:
    """The kind of attribute a column's name suggests: firmographic, demographic, behavioural, intent, form, system."""
    if atype == "date":
        return "system"
    if re.search(r"intent", column, re.I):
        return "intent"
    if re.search(r"^form|form_", column, re.I):
        return "form"
    if _ENGAGEMENT_NAME.search(column):
        return "behavioural"
    if _FIRMO_NAME.search(column):
        return "firmographic"
    if _DEMO_NAME.search(column):
        return "demographic"
    return "other"


@dataclass
class ColumnGuess:
    """One column: the type it reads as, how its values are written, and what the values say."""

    column: str
    type: str  # 'category', 'number', 'boolean', 'date', 'text'
    format: str | None = None  # model.types.DATE_FORMATS / NUMBER_FORMATS, None: nothing to decide
    rows: int = 0
    filled: int = 0  # values present (not empty, not a missing-value token)
    distinct: int = 0  # distinct present values
    unique: bool = False  # every present value differs from the others
    ambiguous: bool = False  # the values allow another reading (see note)
    note: str = ""  # what was decided from the values, in one sentence (empty when obvious)

    @property
    def fill_rate(self) -> float:
        return self.filled / self.rows if self.rows else 0.0


@dataclass
class Detection:
    """What :func:`detect` found in a lead file."""

    columns: dict[str, ColumnGuess]
    id_column: str  # a column, or ROW_NUMBERS
    id_note: str
    created: str | None
    created_note: str
    notes: list[str] = field(default_factory=list)  # ambiguities worth showing
    #: every column of the file was guessed (``detect(columns=...)`` guesses only those asked for)
    complete: bool = True

    def types(self) -> dict[str, str]:
        return {c: g.type for c, g in self.columns.items()}

    def formats(self) -> dict[str, str]:
        return {c: g.format for c, g in self.columns.items() if g.format}

    def lines(self) -> list[str]:
        """Everything decided, a sentence each: id, creation date, then the notes."""
        return [x for x in (self.id_note, self.created_note, *self.notes) if x]


# ---------------------------------------------------------------- one column
def _present_text(s: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
    """The distinct present values as stripped text, and how often each occurs (None: not counted)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = np.asarray(s.array.codes)
        counts = np.bincount(codes[codes >= 0], minlength=len(s.cat.categories))
        cats = pd.Series(s.cat.categories.astype(str), dtype="str").str.strip()
        keep = (counts > 0) & cats.notna().to_numpy() & (cats != "").to_numpy()
        vals, cnt = cats[keep].reset_index(drop=True), counts[keep]
    else:
        vc = s.astype("str").str.strip().value_counts(dropna=True, sort=False)
        vc = vc[vc.index != ""]
        vals, cnt = pd.Series(vc.index, dtype="str"), vc.to_numpy()
    missing = vals.str.lower().isin(MISSING_TOKENS).to_numpy()
    if missing.any():
        vals, cnt = vals[~missing].reset_index(drop=True), cnt[~missing]
    return vals, cnt


def _share(mask: np.ndarray, weights: np.ndarray) -> float:
    total = weights.sum()
    return float(weights[mask].sum() / total) if total else 0.0


def _match(values: pd.Series, pattern: str) -> np.ndarray:
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    return np.asarray(pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False), dtype=bool)


def _date_order(values: pd.Series) -> tuple[str, bool, str]:
    """(format, ambiguous, note) of day/month/year dates written with / . or -."""
    parts = values.str.extract(r"^\s*(\d{1,2})([./-])(\d{1,2})\2(\d{2,4})")
    ok = parts[0].notna().to_numpy()
    if not ok.any():
        if _match(values, r"^\s*[+-]?\d{4}-\d{2}-\d{2}").mean() > 0.5:
            return "ISO", False, ""
        return "ISO", False, ""
    a = parts[0][ok].astype(int).to_numpy()
    b = parts[2][ok].astype(int).to_numpy()
    dots = (parts[1][ok] == ".").to_numpy()
    first_big, second_big = int((a > 12).sum()), int((b > 12).sum())
    if first_big and not second_big:
        return "D/M/Y", False, f"day first: {first_big:,} value{'s' if first_big != 1 else ''} start with a day above 12"
    if second_big and not first_big:
        return "M/D/Y", False, f"month first (US): {second_big:,} value{'s' if second_big != 1 else ''} have a day above 12 in the middle"
    if first_big and second_big:
        order = "D/M/Y" if first_big >= second_big else "M/D/Y"
        return order, True, (
            f"the values disagree ({first_big:,} read only day first, {second_big:,} only month first); "
            f"read as {order}, the others are reported as not dates"
        )
    order = "D/M/Y" if dots.mean() >= 0.5 else "M/D/Y"
    why = "dots are written day first" if order == "D/M/Y" else "slashes without a day above 12 are read the US way"
    return order, True, f"no value has a number above 12 (e.g. 01/02/2025 could be 1 February or 2 January): {why}"


def guess_column(s: pd.Series, name: str | None = None, *, delimiter: str | None = None) -> ColumnGuess:
    """The type and format a column reads as, from all its values.

    ``delimiter``: the file's field delimiter; a ``;`` file is where decimal
    commas come from, which decides numbers like ``1.500``.
    """
    name = str(name if name is not None else s.name)
    n = len(s)
    g = ColumnGuess(name, "text", rows=n)
    if pd.api.types.is_bool_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        g.type, g.filled = "boolean", int(s.notna().sum())
        g.distinct = int(s.nunique(dropna=True))
        return g
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        g.type, g.filled = "date", int(s.notna().sum())
        g.distinct = int(s.nunique(dropna=True))
        g.unique = g.distinct == g.filled
        return g
    if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        x = s.to_numpy(dtype="float64", na_value=np.nan)
        ok = np.isfinite(x)
        g.filled = int(ok.sum())
        u = np.unique(x[ok])
        g.distinct = len(u)
        g.unique = g.distinct == g.filled and g.filled > 0
        g.type = "number"
        if len(u) and set(u.tolist()) <= {0.0, 1.0}:
            g.type = "boolean"
        elif len(u) and _DATE_NAME.search(name):
            lo, hi = float(u.min()), float(u.max())
            whole = bool(np.all(u == np.round(u)))
            for fmt, a, b, what in (("unix_s", 9e8, 4.2e9, "seconds since 1970"), ("unix_ms", 9e11, 4.2e12, "milliseconds since 1970"),
                                    ("excel", 2e4, 7.3e4, "Excel day numbers")):
                if a <= lo and hi <= b and (whole or fmt == "excel"):
                    g.type, g.format, g.note = "date", fmt, f"numbers read as dates ({what}), as the name says"
                    break
        return g
    vals, cnt = _present_text(s)
    g.filled = int(cnt.sum())
    g.distinct = len(vals)
    g.unique = g.distinct == g.filled and g.filled > 0
    if not len(vals):
        g.note = "empty"
        return g
    low = vals.str.lower()
    # booleans: every distinct value is a yes/no word
    if low.isin(TRUE_TOKENS | FALSE_TOKENS).all() and g.distinct <= 4:
        g.type = "boolean"
        return g
    # dates
    shaped = _match(vals, _DATE_SHAPE)
    if _share(shaped, cnt) >= 0.8:
        out, probs = coerce_types(pd.DataFrame({name: vals[shaped]}), {name: "date"}, source="x.parquet", row_offset=1)
        parsed = out[name].notna().to_numpy()
        if _share(parsed, cnt[shaped]) * _share(shaped, cnt) >= 0.9:
            g.type = "date"
            iso = _match(vals, r"^\s*[+-]?\d{4}-\d{1,2}-\d{1,2}")
            if _share(iso, cnt) < 0.5:
                g.format, g.ambiguous, g.note = _date_order(vals[shaped])
            return g
    # numbers (not ids with leading zeros, not zip codes); a cheap screen on a sample first
    sample = vals.iloc[:1000]
    numberish = _match(sample, r"^[\s+\-(]*(?:[$€£¥₺₹]|[A-Z]{3}\s?)?\s*\d[\d\s.,'\x{a0}]*(?:[kKmMbB]|bn|Mio\.?|Mrd\.?)?\s*(?:[$€£¥₺₹]|[A-Z]{3}|kr)?\)?$")
    if numberish.mean() >= 0.9 and not _match(vals, _LEADING_ZERO).any():
        out, _ = coerce_types(pd.DataFrame({name: vals}), {name: "number"}, source="x.parquet", row_offset=1)
        ok = out[name].notna().to_numpy()
        if _share(ok, cnt) >= 0.95:
            g.type = "number"
            g.format, g.ambiguous, g.note = _number_format(vals[ok], delimiter)
            return g
    g.type = "category" if g.distinct <= max(50, 0.5 * g.filled) else "text"
    return g


def _number_format(vals: pd.Series, delimiter: str | None) -> tuple[str | None, bool, str]:
    """How a number column writes the decimal mark, when its values show it (or leave it open)."""
    core = vals.str.replace(r"[^\d.,]", "", regex=True)
    eu_strong = _match(core, r"^\d{1,3}(\.\d{3})+,\d+$|^\d+,\d{1,2}$|^\d{1,3}(\.\d{3}){2,}$")
    en_strong = _match(core, r"^\d{1,3}(,\d{3})+\.\d+$|^\d+\.\d{1,2}$|^\d+\.\d{4,}$|^\d{1,3}(,\d{3}){2,}$")
    if eu_strong.any() and not en_strong.any():
        return "1.234,5", False, "decimal commas (1.234,5 is one thousand two hundred thirty-four and a half)"
    if en_strong.any():
        return None, False, ""
    three = _match(core, r"^\d{1,3}\.\d{3}$")
    if three.any():
        if delimiter == ";":
            return "1.234,5", True, (
                f"values like {vals[three].iloc[0]} read as thousands (1.500 = 1500): the file is ;-separated, "
                "as European exports with decimal commas are; if they are decimals, set the format to 1,234.5"
            )
        return None, True, (
            f"values like {vals[three].iloc[0]} read as decimals (1.500 = 1.5); if the dot groups thousands, "
            "set the format to 1.234,5"
        )
    return None, False, ""


# ---------------------------------------------------------------- the file
def detect(
    frame: pd.DataFrame,
    *,
    lead_id: str | None = None,
    created: str | None = None,
    delimiter: str | None = None,
    source: str = "the file",
    columns: Iterable[str] | None = None,
) -> Detection:
    """Guess every column, the id column and the creation date of a lead file.

    ``lead_id`` / ``created``: what the model names (kept when the file has
    them; otherwise the file decides and the note says so).

    ``columns``: guess only these (and ``created``): for a caller that reads
    nothing else, e.g. ``score``, which needs the format of the model's dates
    and numbers and not the distinct values of a million e-mail addresses.
    When ``lead_id`` or ``created`` is not in the file (or ``created`` is not
    dates), every column is guessed, as the search for another one needs.
    :attr:`Detection.complete` says whether every column was guessed.
    """
    cols = [str(c) for c in frame.columns]
    if columns is None:
        return _detect(frame, cols, cols, lead_id, created, delimiter, source)
    wanted = set(map(str, columns)) | ({created} if created is not None else set())
    some = [c for c in cols if c in wanted]
    det = _detect(frame, cols, some, lead_id, created, delimiter, source)
    if det.id_column == lead_id and (created is None or det.created == created):
        return det
    return _detect(frame, cols, cols, lead_id, created, delimiter, source, known=det.columns)


def _detect(frame: pd.DataFrame, cols: list[str], some: list[str], lead_id: str | None, created: str | None,
            delimiter: str | None, source: str, known: dict[str, ColumnGuess] | None = None) -> Detection:
    known = known or {}
    asked = set(some)
    todo = [(i, c) for i, c in enumerate(cols) if c in asked and c not in known]
    fresh = dict(zip((c for _, c in todo), _guess_all(frame, [i for i, _ in todo], [c for _, c in todo], delimiter), strict=True))
    guesses = {c: known[c] if c in known else fresh[c] for c in cols if c in asked}
    notes = [f"{c}: {g.note}." for c, g in guesses.items() if g.ambiguous and g.note]
    id_col, id_note = _find_id(frame, guesses, lead_id, source)
    created_col, created_note = _find_created(guesses, created, source, id_col)
    return Detection(guesses, id_col, id_note, created_col, created_note, notes, complete=len(guesses) == len(set(cols)))


#: from this many cells on, columns are guessed on every core (a lone column is guessed in its own time)
_PARALLEL_CELLS = 2_000_000


def _guess_all(frame: pd.DataFrame, positions: list[int], cols: list[str], delimiter: str | None) -> list[ColumnGuess]:
    """The guess of each column ``cols[i]`` (at ``positions[i]`` of the frame); a big file's columns on a thread per core.

    The costly steps of a guess (hashing a million e-mail addresses, regexes
    over the distinct values) run in Arrow, which lets go of the GIL: 1M leads
    x 20 columns 1.35 -> 0.8 s on 2 cores. A guess reads only its own column,
    so the threads share nothing and the result is the serial one.
    """
    def one(i: int) -> ColumnGuess:
        return guess_column(frame.iloc[:, positions[i]], cols[i], delimiter=delimiter)

    if len(frame) * len(cols) < _PARALLEL_CELLS:
        return [one(i) for i in range(len(cols))]
    return on_cores(one, range(len(cols)), name="detect")


def _find_id(frame: pd.DataFrame, guesses: dict[str, ColumnGuess], wanted: str | None, source: str) -> tuple[str, str]:
    if wanted is not None and wanted in map(str, frame.columns):  # the model's own: kept, guessed or not
        return wanted, ""
    n = len(frame)

    def usable(c: str) -> bool:
        g = guesses[c]
        return g.unique and g.filled >= 0.99 * n and g.type in ("number", "text", "category") and n > 0

    ranked = sorted(
        (c for c in guesses if is_id_like_name(c) and usable(c)),
        key=lambda c: (_ID_NAMES.index(normalize_name(c)) if normalize_name(c) in _ID_NAMES else len(_ID_NAMES)),
    )
    missing = f"the model's lead id column '{wanted}' is not in {source}; " if wanted else ""
    if ranked:
        return ranked[0], f"Lead id: {missing}using '{ranked[0]}' (every value differs)."
    emails = [c for c in guesses if normalize_name(c) in EMAIL_NAMES and usable(c)]
    if emails:
        return emails[0], f"Lead id: {missing}no id column, so the e-mail address '{emails[0]}' names each lead (every value differs)."
    return ROW_NUMBERS, (
        f"Lead id: {missing}no column names each lead, so leads are numbered by their line in {source} "
        "(the first lead is line 2)."
    )


def _find_created(guesses: dict[str, ColumnGuess], wanted: str | None, source: str, id_col: str) -> tuple[str | None, str]:
    dates = [c for c, g in guesses.items() if g.type == "date"]
    if wanted is not None and wanted in dates:
        return wanted, ""
    by_name = [c for c in dates if normalize_name(c) in _CREATED_NAMES]
    by_name.sort(key=lambda c: _CREATED_NAMES.index(normalize_name(c)))
    by_word = [c for c in dates if _CREATED_WORDS.search(normalize_name(c)) and c not in by_name]
    pick = (by_name or by_word or [None])[0]
    if pick is None and len(dates) == 1:
        pick = dates[0]
    if pick is None:
        if dates:
            return None, (
                f"Creation date: {len(dates)} date columns ({', '.join(dates[:4])}) but none is named like a creation "
                "date; choose one to count MQLs per week."
            )
        return None, f"Creation date: {source} has no date column, so MQLs per week and time-based checks are not available."
    g = guesses[pick]
    how = f" ({g.format})" if g.format and g.format != "ISO" else ""
    return pick, f"Creation date: '{pick}'{how} dates each lead (MQLs per week, the holdout split)."


def suggest_column(attribute: str, columns: list[str], taken: set[str], atype: str | None = None,
                   kinds: Mapping[str, str] | None = None) -> str | None:
    """The file column most likely to hold ``attribute`` (case and punctuation ignored).

    A column must share the attribute's name, not only a word of it: ``email`` is
    not read from ``Do Not Email``. With the attribute's type ``atype`` and the
    columns' detected types ``kinds``, a number or date attribute is never
    suggested a column of text (``company_size`` is not read from ``Company Name``).
    """
    def norm(s: str) -> str:
        return "".join(ch for ch in s.lower() if ch.isalnum())

    def fits(c: str) -> bool:
        if atype not in ("number", "date") or kinds is None or c not in kinds:
            return True
        return kinds[c] == atype or (atype == "number" and kinds[c] == "boolean")

    free = [c for c in columns if c not in taken and fits(c)]
    target = norm(attribute)
    for c in free:
        if norm(c) == target:
            return c
    normed = {norm(c): c for c in free}
    close = difflib.get_close_matches(target, list(normed), n=1, cutoff=0.72)
    if close:
        return normed[close[0]]
    for c in free:  # "Company Size (employees)" holds company_size
        n = norm(c)
        if target and n.startswith(target) and not any(w in c.lower() for w in ("not", "no ", "opt", "unsub")):
            return c
    return None
