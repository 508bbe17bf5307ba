"""What LeadDesigner writes for other programs: scores, the model as JSON. One writer for the CLI and the app.

* :func:`write_scores` writes the scored leads as CSV, Excel or Parquet,
  atomically (a temp file beside the target, then a rename: never a
  half-written file), keeping the old file's permissions. Text that came from
  a lead file can never become a spreadsheet formula: in CSV and Excel a cell
  starting with ``= + - @`` (or a tab or carriage return) gets a leading
  apostrophe, as the OWASP advice on CSV injection says; Excel cells lose
  control characters Excel cannot store, and a value too long for a cell is
  refused with its row instead of being cut.
* :func:`model_json` gives the model as JSON checked against the JSON Schema
  that ships with the package (never ``NaN``).
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from leaddesigner.core.model import types as M

__all__ = ["SCORE_FORMATS", "OutputError", "write_scores", "defuse_formulas", "model_json", "EXCEL_MAX_ROWS"]

SCORE_FORMATS = (".csv", ".parquet", ".xlsx")
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL = 32_767
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class OutputError(ValueError):
    """A file that cannot be written as asked; the message names the file and what to do."""


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if frame[c].dtype == object or isinstance(frame[c].dtype, (pd.StringDtype, pd.CategoricalDtype))]


def defuse_formulas(frame: pd.DataFrame, *, excel: bool = False) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas (and, for Excel, hold no control characters)."""
    out = frame.copy()
    for c in _text_columns(out):
        s = out[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        s = s.astype(object)
        text = s.where(s.isna(), s.astype(str))
        mask = text.notna() & text.astype(str).str.match(_FORMULA_START)
        if mask.any():
            text = text.where(~mask, "'" + text.astype(str))
        if excel:
            text = text.where(text.isna(), text.astype(str).str.replace(_EXCEL_ILLEGAL, "", regex=True))
        out[c] = text
    return out


def write_scores(frame: pd.DataFrame, path: str | os.PathLike[str], *, defuse: bool = True) -> Path:
    """Write ``frame`` to ``path`` (.csv, .parquet or .xlsx) atomically; see the module docstring."""
    out = Path(path)
    ext = out.suffix.lower()
    if ext not in SCORE_FORMATS:
        raise OutputError(f'Cannot write "{out}": the format is chosen by the extension; use one of {", ".join(SCORE_FORMATS)}.')
    if ext == ".xlsx" and len(frame) >= EXCEL_MAX_ROWS:
        raise OutputError(f"{len(frame):,} leads do not fit in an Excel sheet ({EXCEL_MAX_ROWS - 1:,} rows at most). Write .csv or .parquet.")
    if ext in (".csv", ".xlsx") and defuse:
        frame = defuse_formulas(frame, excel=ext == ".xlsx")
    if ext == ".xlsx":
        for c in _text_columns(frame):
            lengths = frame[c].astype(object).dropna().astype(str).str.len()
            if len(lengths) and lengths.max() > EXCEL_MAX_CELL:
                row = int(np.argmax(lengths.to_numpy() > EXCEL_MAX_CELL))
                raise OutputError(f'Cannot write "{out.name}": column {c} of row {row + 2} holds {int(lengths.max()):,} characters, '
                                  f"more than an Excel cell can ({EXCEL_MAX_CELL:,}). Write .csv or .parquet.")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f'Cannot write "{out}": the folder "{folder}" does not exist. Create it first.')
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=f".tmp{ext}", dir=folder)
    os.close(fd)
    try:
        if ext == ".csv":
            frame.to_csv(tmp, index=False, lineterminator="\n")
        elif ext == ".xlsx":
            frame.to_excel(tmp, index=False, sheet_name="scores", engine="openpyxl")
        else:
            frame.to_parquet(tmp, index=False)
        mode = out.stat().st_mode & 0o777 if out.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, out)
    except OSError as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise OutputError(f'Cannot write "{out}": {e.strerror or e}. Check the disk space and that you may write there.') from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out


def model_json(model: M.ScoringModel) -> str:
    """The model as JSON (the YAML's structure), validated against the shipped JSON Schema; never NaN."""
    import jsonschema

    from leaddesigner.paths import resources_dir

    data = M.to_dict(model)
    schema_file = resources_dir() / "model.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:  # the loader accepted the model, so this is a schema/loader mismatch: a bug
        where = ".".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise RuntimeError(f"the JSON export does not match {schema_file.name} at {where}: {errors[0].message}")
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
