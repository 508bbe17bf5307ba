"""Typing the columns of a lead file as the model declares them.

Numbers (thousands separators, decimal commas, currency, ``1.2M``), booleans
(yes/no, ja/nein, evet/hayır, ``X``), dates (ISO, US and European day orders
decided from the values, Excel serials, epoch seconds and milliseconds) and
categories. :func:`coerce_types` is the one converter: the CLI, the API, the
app and the profile call it, and a value that does not fit is reported with its
row (:class:`~leaddesigner.core.data.leadfile.Problem`), never dropped silently.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leaddesigner.core.data.excel_reader import cell_to_str
from leaddesigner.core.data.parallel import chained, on_slices
from leaddesigner.core.data.reading import (
    ARROW_CANNOT,
    COLUMN_TYPES,
    MAX_EXAMPLES,
    Problem,
    file_kind,
)
from leaddesigner.core.model.types import DATE_FORMATS, NUMBER_FORMATS  # noqa: F401 - the formats coerce_types accepts

__all__ = ["MISSING_TOKENS", "TRUE_TOKENS", "FALSE_TOKENS", "PLAIN_ISO", "coerce_types", "recode"]


# Tokens that mean "no value" for number, boolean and date columns (compared
# case-insensitively after stripping surrounding whitespace).
MISSING_TOKENS = frozenset(
    {"", "na", "n/a", "#n/a", "nan", "null", "none", "unknown", "-"}
)

# English and the languages of our users' exports (German, French, Spanish, Portuguese,
# Italian, Dutch, Turkish, Greek); "x" is a ticked box (an empty cell is missing).
TRUE_TOKENS = frozenset({"true", "yes", "y", "1", "t", "1.0", "x", "ja", "wahr", "oui", "vrai", "si", "sí", "sim",
                          "verdadeiro", "vero", "waar", "evet", "ναι", "checked"})
FALSE_TOKENS = frozenset({"false", "no", "n", "0", "f", "0.0", "nein", "falsch", "non", "faux", "não", "nao", "falso",
                           "nee", "onwaar", "hayır", "hayir", "όχι", "οχι", "unchecked"})


def coerce_types(
    df: pd.DataFrame,
    types: Mapping[str, str],
    *,
    source: str,
    row_offset: int,
    formats: Mapping[str, str | None] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert columns to the types a model needs and report values that do not fit.

    Parameters
    ----------
    df : pandas.DataFrame
        As returned by :func:`read_table`. It is not modified.
    types : mapping of str to str
        Column name to one of ``'category'``, ``'number'``, ``'boolean'``,
        ``'date'``, ``'text'``. Columns not in *df* are skipped (the caller
        reports missing columns).
    source : str
        The file name shown in messages; its extension decides whether rows
        are called "line" or "row" (see :func:`row_label`).
    row_offset : int
        The user-visible number of the first row of *df* (e.g. the second
        element of :func:`row_label`); row ``i`` is ``row_offset + i``.
    formats : mapping of str to str, optional
        Column name to how its values are written, where the guess from the
        values should not decide: dates ``'ISO'``, ``'M/D/Y'``, ``'D/M/Y'``
        (a day/month order), ``'unix_s'``, ``'unix_ms'`` (epoch numbers),
        ``'excel'`` (Excel day serials); numbers ``'1,234.5'`` or
        ``'1.234,5'`` (which of ``,`` and ``.`` is the decimal mark).

    Returns
    -------
    (pandas.DataFrame, list of Problem)
        A new frame with converted columns, and at most one
        ``'type_mismatch'`` problem per column with the number of values
        affected and up to five ``(row, raw value)`` examples.

    Notes
    -----
    * number: surrounding whitespace is ignored; thousands separators are
      accepted when the column makes them unambiguous (``1,200`` and
      ``1,234.5``; in a column that uses decimal commas such as ``3,5``,
      ``1.234,5`` is 1234.5); a currency sign or code and a K/M/B suffix
      are understood (``$1,250,000.00``, ``EUR 1.200,50``, ``$1.2M``);
      result float64.
    * boolean: true/false, yes/no, y/n, 1/0, t/f, x (a ticked box), and
      yes/no in German, French, Spanish, Portuguese, Italian, Dutch,
      Turkish and Greek (any case); result pandas ``boolean``.
    * date: ISO 8601 first; if most values are not ISO, common day/month
      orders are tried (day-first when some value's first number exceeds 12
      or the separator is a dot); result naive ``datetime64[ns]``
      (time-zone-aware values are converted to UTC).
    * For number, boolean and date, "", NA, N/A, #N/A, NaN, null, none,
      unknown and "-" (any case) mean missing. Missing values are never
      problems.
    * category: stripped, empty means missing, ``category`` dtype with text
      categories. text: stripped, empty means missing, string dtype.
    """
    unknown = sorted({t for t in types.values() if t not in COLUMN_TYPES})
    if unknown:
        raise ValueError(
            f"unknown column type(s) {unknown}; expected one of {list(COLUMN_TYPES)}"
        )
    out = df.copy(deep=False)
    problems: list[Problem] = []
    unit = _unit_for_source(source)
    for column, kind in types.items():
        if column not in out.columns:
            continue
        series = out[column]
        if isinstance(series, pd.DataFrame):  # duplicate labels: take the first
            series = series.iloc[:, 0]
        converter = _CONVERTERS[kind]
        fmt = (formats or {}).get(column)
        values, bad = converter(series, fmt) if fmt else converter(series)
        out[column] = values.set_axis(out.index).rename(column)
        if bad is not None:
            count = int(np.count_nonzero(bad))
            if count:
                problems.append(
                    _mismatch_problem(series, column, kind, bad, count, source, unit, row_offset)
                )
    return out, problems


def _unit_for_source(source: str) -> str:
    kind = file_kind(source)
    return "line" if kind in ("text", "text.gz") else "row"


# kind -> (one value is not ..., several values are not ..., expected ...)
_EXPECTED = {
    "number": ("a number", "numbers", "plain numbers such as 1200, 1,200 or 3.5"),
    "boolean": ("a yes/no value", "yes/no values", "true/false, yes/no, y/n, 1/0 or t/f"),
    "date": ("a date", "dates", "dates such as 2024-03-31 or 31/03/2024"),
}


def _mismatch_problem(
    series: pd.Series,
    column: str,
    kind: str,
    bad: np.ndarray,
    count: int,
    source: str,
    unit: str,
    row_offset: int,
) -> Problem:
    positions = np.flatnonzero(bad)[:MAX_EXAMPLES]
    examples: list[tuple[int, str]] = []
    for pos in positions:  # at most five
        raw = series.iloc[int(pos)]
        examples.append((row_offset + int(pos), cell_to_str(raw)))
    one, several, expected = _EXPECTED[kind]
    shown = ", ".join(f'"{v}" on {unit} {r}' for r, v in examples[:3])
    if count == 1:
        message = (
            f'1 value in column "{column}" of {source} is not {one} ({shown}); '
            f"it is treated as missing (expected {expected})."
        )
    else:
        message = (
            f'{count:,} values in column "{column}" of {source} are not {several} '
            f"(e.g. {shown}); they are treated as missing (expected {expected})."
        )
    return Problem(
        kind="type_mismatch",
        column=column,
        message=message,
        count=count,
        examples=examples,
    )


def _on_values(
    series: pd.Series,
    convert: Callable[[pd.Series], tuple[pd.Series, np.ndarray]],
) -> tuple[pd.Series, np.ndarray]:
    """Apply *convert* to a text view of *series*.

    *convert* receives a string Series (stripped, missing for empty) and
    returns the converted Series and a boolean "does not fit" mask. For a
    categorical it runs on the categories only and the result is expanded
    through the codes.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = _text_view(pd.Series(series.cat.categories))
        if len(cats) == 0:  # all missing: convert one missing value instead
            cats = pd.Series([None], dtype="str")
        conv, bad_c = convert(cats)
        codes = np.asarray(series.array.codes)
        valid = codes >= 0
        idx = np.where(valid, codes, 0)
        result = conv.iloc[idx].reset_index(drop=True)
        if not valid.all():
            result = result.where(pd.Series(valid))
        bad = np.asarray(bad_c, dtype=bool)[idx] & valid
        return result, bad
    return convert(_text_view(series).reset_index(drop=True))


def _text_view(series: pd.Series) -> pd.Series:
    """String dtype, stripped, with empty strings as missing."""
    if pd.api.types.is_float_dtype(series.dtype) or pd.api.types.is_integer_dtype(series.dtype):
        s = _numbers_to_text(series)
    elif pd.api.types.is_bool_dtype(series.dtype):
        s = series.astype("str").where(series.notna())
    elif pd.api.types.is_datetime64_any_dtype(series.dtype):
        s = _dates_to_text(series)
    elif isinstance(series.dtype, pd.CategoricalDtype):
        # the few categories become text; the million rows are one Arrow take (astype would build a Python
        # string per row while holding the GIL: 80 ms per million rows of window stall)
        cats = _text_view(pd.Series(series.cat.categories))
        values = pa.array(cats.to_numpy(dtype=object, na_value=None), type=pa.string())
        codes = np.asarray(series.array.codes)
        taken = values.take(pa.array(codes, mask=codes < 0))
        out = pa.chunked_array([taken]).to_pandas()
        out.index, out.name = series.index, series.name
        return out
    else:
        s = series.astype("str")
        kept = _clean_text(s)
        if kept is not None:
            return kept
    s = s.str.strip()
    return s.where(s.str.len() > 0)


def _clean_text(s: pd.Series) -> pd.Series | None:
    """``s`` itself when stripping would change nothing and no value is empty (the usual e-mail or title
    column): the bound column then shares the lead file's text (1M e-mails: 37 MB) instead of a copy."""
    arr = s.array.__arrow_array__() if hasattr(s.array, "__arrow_array__") else None
    if arr is None or len(s) < 1000:
        return None
    lengths = pc.binary_length(arr)
    trimmed = pc.binary_length(pc.utf8_trim_whitespace(arr))  # pandas' str.strip: the same kernel
    if pc.sum(trimmed).as_py() != pc.sum(lengths).as_py() or pc.any(pc.equal(lengths, 0)).as_py():
        return None
    return s


def _numbers_to_text(series: pd.Series) -> pd.Series:
    """Format numbers as text, integers without a trailing ``.0``."""
    if pd.api.types.is_integer_dtype(series.dtype) and not series.hasnans:
        return series.astype("str")
    arr = series.to_numpy(dtype="float64", na_value=np.nan)
    text = pd.Series(arr).astype("str")
    whole = np.isfinite(arr) & (np.floor(arr) == arr) & (np.abs(arr) < 2**53)
    if whole.any():
        text = text.copy()
        text[whole] = pd.Series(arr[whole].astype(np.int64)).astype("str").to_numpy()
    return text.where(~np.isnan(arr))


def _dates_to_text(series: pd.Series) -> pd.Series:
    values = pd.Series(pd.DatetimeIndex(series))
    midnight = (values.dt.normalize() == values).all()
    fmt = "%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M:%S"
    return values.dt.strftime(fmt).astype("str").where(values.notna())


def _missing_tokens(values: pd.Series) -> pd.Series:
    """Mask of values that mean "missing" (already missing or a token)."""
    return values.isna() | values.str.lower().isin(MISSING_TOKENS)


_EN_GROUPED = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"


_EN_GROUPED_STRONG = r"[+-]?\d{1,3}(?:(?:,\d{3})+\.\d+|(?:,\d{3}){2,})"


_EU_GROUPED = r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?"


_EU_GROUPED_STRONG = r"[+-]?\d{1,3}(?:(?:\.\d{3})+,\d+|(?:\.\d{3}){2,})"


_COMMA_DECIMAL = r"[+-]?\d*,\d+"


_DOT_DECIMAL_CLEAR = r"[+-]?(?:\d*\.(?:\d{1,2}|\d{4,})|\d{4,}\.\d+|0\.\d+)"


# Digit groups separated by a space, no-break space, narrow no-break space or
# apostrophe. (Real characters, not \u escapes, so that Arrow's RE2 engine
# handles the pattern instead of a slow per-value Python fallback.)
_GROUP_SPACES = " \u00a0\u202f'"


_SPACE_GROUPED = rf"[+-]?\d{{1,3}}(?:[{_GROUP_SPACES}]\d{{3}})+(?:[.,]\d+)?"


_PLAIN_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


_ARROW_ERRORS = (*ARROW_CANNOT, pa.ArrowTypeError)


def _to_float(values: pd.Series) -> np.ndarray:
    """Parse a string Series to float64 (NaN where it does not parse).

    Arrow parses the whole column at once when every value is a number; when
    some are not, only the values that look like plain numbers are handed to
    Arrow (a cast fails as a whole), and pandas is the last resort.
    """
    arr = pa.array(values, from_pandas=True, type=pa.string())
    try:
        # A failing cast still parses everything: try the first values first.
        pc.cast(arr.slice(0, 1000), pa.float64())
        parsed = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
        return np.array(parsed, dtype="float64")  # a writable copy
    except _ARROW_ERRORS:
        pass
    del arr
    plain = values.str.fullmatch(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool)
    out = np.full(len(values), np.nan)
    try:
        arr = pa.array(values[plain], from_pandas=True, type=pa.string())
        out[plain] = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except _ARROW_ERRORS:  # pragma: no cover - Arrow rejected a plain number
        out = pd.to_numeric(values, errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
    return out


# A number with a currency sign or code before or after it and an optional K/M/B suffix:
# "$1,250,000.00", "USD 1,250.00", "1.200,50 €", "$1.2M", "-€3k". RE2 syntax (Arrow).
_MONEY = (
    r"^(?P<sign>[+-]?)\s*(?:[$€£¥₺₹]|R\$|US\$|(?:USD|EUR|GBP|CHF|JPY|AUD|CAD|NOK|SEK|DKK|TRY|INR|BRL)\s?)?\s*"
    r"(?P<num>\d[\d.,'\x{a0}\x{202f} ]*)\s*(?P<suffix>[kKmMbB]|bn|Mio\.?|Mrd\.?)?\s*"
    r"(?:[$€£¥₺₹]|kr|(?:USD|EUR|GBP|CHF|JPY|AUD|CAD|NOK|SEK|DKK|TRY|INR|BRL))?$"
)


_SUFFIX_FACTOR = {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9, "mio": 1e6, "mio.": 1e6, "mrd": 1e9, "mrd.": 1e9}


def _strip_money(v: pd.Series, failed: np.ndarray) -> tuple[pd.Series, np.ndarray | None]:
    """Values of ``v`` (where ``failed``) without currency signs and suffixes, and the suffix factor per value."""
    idx = np.flatnonzero(failed)
    arr = pa.array(v.iloc[idx], type=pa.string(), from_pandas=True)
    try:
        parts = pc.extract_regex(arr, _MONEY)
    except _ARROW_ERRORS:  # pragma: no cover - the pattern is RE2-compatible
        return v, None
    ok = np.asarray(parts.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    if not ok.any():
        return v, None
    sign = np.asarray(pc.struct_field(parts, "sign").to_numpy(zero_copy_only=False), dtype=object)
    num = np.asarray(pc.struct_field(parts, "num").to_numpy(zero_copy_only=False), dtype=object)
    suffix = np.asarray(pc.utf8_lower(pc.struct_field(parts, "suffix")).to_numpy(zero_copy_only=False), dtype=object)
    out = v.copy()
    factor = np.ones(len(v))
    rows = idx[ok]
    out.iloc[rows] = [f"{a or ''}{b.strip()}" for a, b in zip(sign[ok], num[ok])]
    factor[rows] = [_SUFFIX_FACTOR.get(x, 1.0) if x else 1.0 for x in suffix[ok]]
    return out, factor


def _convert_number_text(values: pd.Series, fmt: str | None = None) -> tuple[pd.Series, np.ndarray]:
    missing = _missing_tokens(values)
    v = values.where(~missing)
    present = v.notna().to_numpy()
    factor = None
    if fmt == "1.234,5":  # decimal commas, dots group the thousands: reinterpret every value
        num = np.full(len(v), np.nan)
        failed = present.copy()
    else:
        num = _to_float(v)
        failed = present & np.isnan(num)
    if failed.any():
        v, factor = _strip_money(v, failed)
        if factor is not None:
            if fmt != "1.234,5":
                num[failed] = _to_float(v[failed])
                failed = present & np.isnan(num)
    if failed.any():
        fv = v[failed]
        # "1 200" / "1'200": spaces and apostrophes between digit groups.
        spaced = fv.str.fullmatch(_SPACE_GROUPED).to_numpy(dtype=bool)
        if spaced.any():
            fv = fv.copy()
            fv[spaced] = fv[spaced].str.replace(f"[{_GROUP_SPACES}]", "", regex=True)
        comma = fv.str.contains(",", regex=False).to_numpy(dtype=bool)
        dots = fv.str.count(r"\.").to_numpy() > 1
        forced = {"1,234.5": "en", "1.234,5": "eu"}.get(fmt or "")
        if forced or comma.any() or dots.any() or spaced.any():
            mode = forced or _separator_mode(v, fv)
            if mode == "en":
                grouped = fv.str.fullmatch(_EN_GROUPED).to_numpy(dtype=bool)
                fixed = fv[grouped].str.replace(",", "", regex=False)
                num[np.flatnonzero(failed)[grouped]] = _to_float(fixed)
            elif mode == "eu":
                # Reinterpret the whole column: "." groups, "," is the decimal.
                fixable = v.str.fullmatch(
                    f"(?:{_EU_GROUPED})|(?:{_COMMA_DECIMAL})|[+-]?\\d+"
                ).to_numpy(dtype=bool)
                spaced_all = v.str.fullmatch(_SPACE_GROUPED).to_numpy(dtype=bool)
                target = fixable | spaced_all
                fixed = (
                    v[target]
                    .str.replace(f"[{_GROUP_SPACES}.]", "", regex=True)
                    .str.replace(",", ".", regex=False)
                )
                num[target] = _to_float(fixed)
            # else: "," and "." are used both ways; the values that need a
            # guess stay unparsed and are reported.
    if factor is not None:
        num = num * factor
    bad = present & ~np.isfinite(num)
    num[bad] = np.nan
    return pd.Series(num, dtype="float64"), bad


def _separator_mode(v: pd.Series, failed: pd.Series) -> str:
    """Decide how "," and "." are used in a number column: 'en', 'eu' or 'none'."""
    def anymatch(s: pd.Series, pattern: str) -> bool:
        return bool(s.str.fullmatch(pattern).fillna(False).any())

    eu = (
        anymatch(failed, _EU_GROUPED_STRONG)
        or bool(
            (
                failed.str.fullmatch(_COMMA_DECIMAL).fillna(False)
                & ~failed.str.fullmatch(_EN_GROUPED).fillna(False)
            ).any()
        )
    )
    en = anymatch(failed, _EN_GROUPED_STRONG) or anymatch(v, _DOT_DECIMAL_CLEAR)
    if eu and en:
        return "none"
    return "eu" if eu else "en"


def _convert_number(series: pd.Series, fmt: str | None = None) -> tuple[pd.Series, np.ndarray | None]:
    if pd.api.types.is_bool_dtype(series.dtype) and not isinstance(
        series.dtype, pd.CategoricalDtype
    ):
        return pd.Series(series.to_numpy(dtype="float64", na_value=np.nan)), None
    if pd.api.types.is_numeric_dtype(series.dtype) and not isinstance(
        series.dtype, pd.CategoricalDtype
    ):
        arr = series.to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isfinite(arr) & ~np.isnan(arr)
        arr = np.where(bad, np.nan, arr)
        return pd.Series(arr, dtype="float64"), bad
    if fmt:
        return _on_values(series, lambda v: _convert_number_text(v, fmt))
    return _on_values(series, _convert_number_text)


def _convert_boolean_text(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    lower = values.str.lower()
    is_true = lower.isin(TRUE_TOKENS).to_numpy(dtype=bool)
    is_false = lower.isin(FALSE_TOKENS).to_numpy(dtype=bool)
    missing = _missing_tokens(values).to_numpy(dtype=bool)
    bad = ~(is_true | is_false | missing)
    result = pd.arrays.BooleanArray(is_true, ~(is_true | is_false))
    return pd.Series(result), bad


def _convert_boolean(series: pd.Series, fmt: str | None = None) -> tuple[pd.Series, np.ndarray | None]:
    if pd.api.types.is_bool_dtype(series.dtype) and not isinstance(
        series.dtype, pd.CategoricalDtype
    ):
        return series.astype("boolean").reset_index(drop=True), None
    if pd.api.types.is_numeric_dtype(series.dtype) and not isinstance(
        series.dtype, pd.CategoricalDtype
    ):
        arr = series.to_numpy(dtype="float64", na_value=np.nan)
        is_true = arr == 1
        is_false = arr == 0
        bad = ~(is_true | is_false | np.isnan(arr))
        return pd.Series(pd.arrays.BooleanArray(is_true, ~(is_true | is_false))), bad
    return _on_values(series, _convert_boolean_text)


_NS_MIN = pd.Timestamp.min


_NS_MAX = pd.Timestamp.max


# Day/month/year or month/day/year with an optional time, e.g. "31/01/2024",
# "1.2.24", "01/31/2024 2:05 PM". Named groups for pyarrow's extract_regex
# (RE2: no back-references, so the two separators are compared afterwards).
_DMY = (
    r"^(?P<a>\d{1,2})(?P<s1>[./-])(?P<b>\d{1,2})(?P<s2>[./-])(?P<y>\d{4}|\d{2})"
    r"(?:,?[ T]+(?P<hh>\d{1,2}):(?P<mm>\d{2})(?::(?P<ss>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?"
    r"\s*(?P<ampm>[AaPp][Mm])?)?$"
)


def _to_naive_ns(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Make datetimes naive (UTC) and nanosecond; flag ones out of range."""
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    out_of_range = ((values < _NS_MIN) | (values > _NS_MAX)).to_numpy(dtype=bool)
    if out_of_range.any():
        values = values.where(~out_of_range)
    return values.astype("datetime64[ns]"), out_of_range


def _guess_dayfirst(first: np.ndarray, second: np.ndarray, dots: np.ndarray) -> bool:
    """Whether d/m/y (True) or m/d/y (False) fits the numbers better.

    A first number above 12 means day first, a second number above 12 means
    month first; when nothing decides, dots ("05.02.2024") mean day first
    and slashes month first (pandas' default).
    """
    first_big = int(np.count_nonzero(first > 12))
    second_big = int(np.count_nonzero(second > 12))
    if first_big or second_big:
        return first_big >= second_big
    return bool(dots.mean() >= 0.5) if len(dots) else False


def _parse_unusual_dates(values: pd.Series, dayfirst: bool | None = None) -> pd.Series:
    """Parse non-ISO date strings (best called on distinct values): UTC datetimes.

    Day/month/year forms are decomposed with one regular expression (Arrow)
    and assembled with array arithmetic. Anything else ("Jan 5, 2024") goes
    to pandas' flexible parser, but only strings with at least two groups of
    digits, so that words or lone numbers never become dates.
    """
    n = len(values)
    result = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    parts = pc.extract_regex(arr, _DMY)
    matched = np.asarray(parts.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    if matched.any():
        def field(name: str) -> pa.Array:
            return pc.struct_field(parts, name)

        def number(name: str) -> np.ndarray:
            f = field(name)
            f = pc.if_else(pc.equal(f, ""), pa.scalar(None, pa.string()), f)
            return np.asarray(
                pc.cast(f, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64"
            )

        matched &= np.asarray(
            pc.fill_null(pc.equal(field("s1"), field("s2")), False).to_numpy(
                zero_copy_only=False
            ),
            dtype=bool,
        )
        a, b, year = number("a"), number("b"), number("y")
        dots = np.asarray(
            pc.fill_null(pc.equal(field("s1"), "."), False).to_numpy(zero_copy_only=False),
            dtype=bool,
        )
        if dayfirst is None:
            dayfirst = _guess_dayfirst(a[matched], b[matched], dots[matched])
        day, month = (a, b) if dayfirst else (b, a)
        short = np.asarray(
            pc.fill_null(pc.equal(pc.utf8_length(field("y")), 2), False).to_numpy(
                zero_copy_only=False
            ),
            dtype=bool,
        )
        year = np.where(short, year + np.where(year < 69, 2000, 1900), year)
        hour = number("hh")
        ampm = np.asarray(
            pc.utf8_lower(field("ampm")).to_numpy(zero_copy_only=False), dtype=object
        )
        has_ampm = (ampm == "am") | (ampm == "pm")
        bad_hour = has_ampm & ((hour > 12) | (hour < 1))
        hour = np.where(has_ampm, hour % 12 + np.where(ampm == "pm", 12, 0), hour)
        hour = np.where(bad_hour, np.nan, np.nan_to_num(hour, nan=0.0))
        frac_text = pc.utf8_rpad(pc.utf8_slice_codeunits(field("frac"), 0, 9), 9, "0")
        nanos = np.nan_to_num(
            np.asarray(
                pc.cast(frac_text, pa.float64()).to_numpy(zero_copy_only=False),
                dtype="float64",
            )
        )
        valid = matched & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
        dates = pd.to_datetime(
            pd.DataFrame(
                {
                    "year": np.where(valid, year, np.nan),
                    "month": np.where(valid, month, np.nan),
                    "day": np.where(valid, day, np.nan),
                }
            ),
            errors="coerce",
        ).to_numpy(dtype="datetime64[ns]")
        minute = np.nan_to_num(number("mm"))
        second = np.nan_to_num(number("ss"))
        bad_time = (minute > 59) | (second > 60) | (hour > 23) | np.isnan(hour)
        offset = (((hour * 60 + minute) * 60 + second) * 1e9 + nanos)
        offset = np.where(bad_time, 0, offset).astype("int64").astype("timedelta64[ns]")
        assembled = dates + offset
        assembled[bad_time] = np.datetime64("NaT")
        result = np.where(matched, assembled, result)
    dayfirst = bool(dayfirst)
    out = pd.Series(result, index=values.index).dt.tz_localize("UTC")
    todo = pd.Series(~matched, index=values.index) & values.notna()
    todo &= values.str.contains(r"\d+\D+\d+", regex=True).fillna(False)
    if todo.any():
        parsed = pd.to_datetime(
            values[todo], format="mixed", dayfirst=dayfirst, errors="coerce", utc=True
        )
        out[todo[todo].index] = parsed.astype("datetime64[ns, UTC]")
    return out


_ISO_START = r"[+-]?\d{4}-?\d{2}-?\d{2}"


#: Plain ISO timestamps with a year from 1700 to 2199 (inside the nanosecond range), a
#: valid-looking month, day and time of day and at most microseconds (pandas' parser keeps
#: no more): what exports write, and all that the fast path takes (the CSV reader reads a
#: column as instants when its sample shows only these).
PLAIN_ISO = (
    r"^(?:1[7-9]|2[01])\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"(?:[ T](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?)?$"
)


def _plain_iso_dates(values: pd.Series) -> pd.Series | None:
    """Parse a column of plain ISO timestamps with Arrow, or None if any value is not one.

    The general path below builds a Python string per value for pandas'
    parser (seconds and hundreds of MB for millions of events). When every
    present value has the strict form of :data:`PLAIN_ISO`, Arrow's own
    ISO parser gives the same instants; anything else (other forms,
    missing-value tokens, an impossible date such as 2024-02-30 that Arrow
    rejects) returns None and the general path decides, so results never
    differ.
    """
    try:
        # the Arrow chunks as they are (pa.array() would concatenate millions of strings holding the GIL)
        arr = values.array.__arrow_array__() if isinstance(values.dtype, pd.StringDtype) and hasattr(values.array, "__arrow_array__") else None
        if arr is None or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            return None
        if arr.null_count == len(arr):
            return None
        # every present value plain (a slice without any is no objection), then parsed: both on every core
        if any(ok is False for ok in on_slices(lambda part: pc.all(pc.match_substring_regex(part, PLAIN_ISO)).as_py(), arr)):
            return None
        parsed = chained(on_slices(lambda part: pc.cast(part, pa.timestamp("ns")), arr))
    except (*_ARROW_ERRORS, TypeError, ValueError):
        return None
    # a fresh array: pandas 3 would copy it again (96 MB at 12M events)
    return pd.Series(parsed.to_numpy(zero_copy_only=False), index=values.index, dtype="datetime64[ns]", copy=False)


def _epoch_dates(x: np.ndarray, fmt: str) -> tuple[pd.Series, np.ndarray]:
    """Numbers as dates: epoch seconds or milliseconds, or Excel day serials (1900 system)."""
    ok = np.isfinite(x)
    if fmt == "excel":
        ns = (x - 25569.0) * 86400e9  # 25569 = 1970-01-01 in Excel's calendar
    else:
        ns = x * (1e9 if fmt == "unix_s" else 1e6)
    ok &= (ns > _NS_MIN.value) & (ns < _NS_MAX.value)
    out = np.full(len(x), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[ok] = np.round(ns[ok]).astype(np.int64).astype("datetime64[ns]")
    return pd.Series(out, dtype="datetime64[ns]"), np.isfinite(x) & ~ok


def _convert_date_text(values: pd.Series, fmt: str | None = None) -> tuple[pd.Series, np.ndarray]:
    if fmt in ("unix_s", "unix_ms", "excel"):
        missing = _missing_tokens(values)
        v = values.where(~missing)
        x = _to_float(v)
        out, bad = _epoch_dates(x, fmt)
        bad |= v.notna().to_numpy(dtype=bool) & np.isnan(x)
        return out.set_axis(values.index), bad
    fast = _plain_iso_dates(values)
    if fast is not None:
        return fast, np.zeros(len(values), dtype=bool)
    missing = _missing_tokens(values)
    v = values.where(~missing)
    present = v.notna().to_numpy(dtype=bool)
    # Failing values are slow for pandas' ISO parser: only try those that
    # start like an ISO date (2024-01-31, 20240131).
    iso_like = v.str.match(_ISO_START).fillna(False).to_numpy(dtype=bool)
    if iso_like.all() or not iso_like.any():
        parsed = pd.to_datetime(v.where(iso_like), format="ISO8601", errors="coerce", utc=True)
    else:
        parsed = pd.Series(pd.NaT, index=v.index, dtype="datetime64[us, UTC]")
        parsed[iso_like] = pd.to_datetime(
            v[iso_like], format="ISO8601", errors="coerce", utc=True
        ).astype("datetime64[us, UTC]")
    failed = present & parsed.isna().to_numpy(dtype=bool)
    n_failed = int(failed.sum())
    if n_failed and (n_failed > 0.5 * int(present.sum()) or fmt in ("M/D/Y", "D/M/Y")):
        codes, uniques = pd.factorize(v[failed])
        dayfirst = {"M/D/Y": False, "D/M/Y": True}.get(fmt or "")
        fallback = _parse_unusual_dates(pd.Series(uniques, dtype="str"), dayfirst)
        # Microseconds hold any year, so neither side can overflow here.
        parsed = parsed.astype("datetime64[us, UTC]")
        parsed.iloc[np.flatnonzero(failed)] = fallback.astype("datetime64[us, UTC]").array.take(
            codes
        )
    result, out_of_range = _to_naive_ns(parsed)
    bad = present & (result.isna().to_numpy(dtype=bool) | out_of_range)
    return result, bad


def _convert_date(series: pd.Series, fmt: str | None = None) -> tuple[pd.Series, np.ndarray | None]:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        result, out_of_range = _to_naive_ns(series.reset_index(drop=True))
        return result, out_of_range
    if fmt in ("unix_s", "unix_ms", "excel") and pd.api.types.is_numeric_dtype(series.dtype) and not isinstance(
        series.dtype, pd.CategoricalDtype
    ):
        return _epoch_dates(series.to_numpy(dtype="float64", na_value=np.nan), fmt)
    if fmt and fmt != "ISO":
        return _on_values(series, lambda v: _convert_date_text(v, fmt))
    if isinstance(series.dtype, pd.StringDtype):
        # Plain ISO text has no surrounding spaces and no empty values, so the
        # stripped text view (two copies of every value) would change nothing.
        fast = _plain_iso_dates(series.reset_index(drop=True))
        if fast is not None:
            return fast, np.zeros(len(series), dtype=bool)
    return _on_values(series, _convert_date_text)


def recode(codes: np.ndarray, new_code: np.ndarray, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """A categorical whose category ``c`` becomes ``new_code[c]`` (-1: missing), of ``dtype``.

    The lookup has the codes' own width (int8 for a log's event types: no
    event-sized int64 temporaries) and code -1 stays missing; when nothing
    changes the codes are kept as they are. Binding a log's event types and
    reading categorical columns share it.
    """
    if len(new_code) == len(dtype.categories) and np.array_equal(new_code, np.arange(len(new_code))):
        return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
    lookup = np.append(new_code, -1).astype(codes.dtype)  # the last entry: code -1 (missing) stays -1
    return pd.Categorical.from_codes(lookup[codes], dtype=dtype, validate=False)


def _convert_category(series: pd.Series, fmt: str | None = None) -> tuple[pd.Series, None]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = _text_view(pd.Series(series.cat.categories))
        new_codes_for_cat, new_cats = pd.factorize(cats, use_na_sentinel=True)
        dtype = pd.CategoricalDtype(pd.Index(new_cats, dtype="str"))
        return pd.Series(recode(np.asarray(series.array.codes), new_codes_for_cat, dtype), copy=False), None
    text = _text_view(series).reset_index(drop=True)
    return text.astype("category"), None


def _convert_text(series: pd.Series, fmt: str | None = None) -> tuple[pd.Series, None]:
    return _text_view(series).reset_index(drop=True), None


_CONVERTERS: dict[str, Callable[..., tuple[pd.Series, np.ndarray | None]]] = {
    "number": _convert_number,
    "boolean": _convert_boolean,
    "date": _convert_date,
    "category": _convert_category,
    "text": _convert_text,
}
