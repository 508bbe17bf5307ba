"""A lead column read as dates: the one reader behind outcomes, backtests, the report and the app.

The load pipeline reads the model's date attributes while binding; columns the
model does not score (a conversion date, a first sales contact, ``Became a
Customer Date``) are read here, the same way: the format detected from the
values (ISO with or without time and offset, ``M/D/YYYY``, ``D.M.YYYY``, epoch
numbers, Excel serials) or the one the caller knows (the detection of the
file, a format stored in the model), through :func:`coerce.coerce_types`.
Plain ISO text is parsed by Arrow on its chunks, so a worker thread reading a
million dates does not hold the GIL for long (the window keeps painting).

Before this module the same question had four answers (the app's Backtest tab
and the report let pandas guess each value with ``format="mixed"``, which reads
``01.02.2025`` as January 2 where the pipeline reads 1 February).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["parse_dates"]


def parse_dates(s: pd.Series, fmt: str | None = None, *, name: str | None = None) -> np.ndarray | None:
    """``s`` as naive datetime64[ns] (zoned values in UTC; NaT where a lead has no date or an unreadable one),
    or None when the column does not hold dates.

    ``fmt``: how the values are written when the caller knows it (detection, the
    model's mapping); otherwise it is decided from the values, as the load
    pipeline decides it (:func:`detect.guess_column`), and a column that is not a
    date column gives None.
    """
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        t = s
        if getattr(t.dt, "tz", None) is not None:
            t = t.dt.tz_convert("UTC").dt.tz_localize(None)
        return t.to_numpy(dtype="datetime64[ns]")
    if fmt is None:
        from .detect import guess_column

        g = guess_column(s, name if name is not None else str(s.name))
        if g.type != "date":
            return None
        fmt = g.format
    from leaddesigner.core.data.coerce import coerce_types
    frame = pd.DataFrame({"d": s.reset_index(drop=True)})
    out, _ = coerce_types(frame, {"d": "date"}, source="x.parquet", row_offset=1, formats={"d": fmt} if fmt else None)
    return out["d"].to_numpy(dtype="datetime64[ns]")
