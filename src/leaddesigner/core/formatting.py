"""Shares and numbers as text, the same way in the app, the CLI and the report.

Each medium says "unknown" its own way (the app an en dash, the CLI a hyphen,
the report "n/a"), so that is a parameter; the digits are not.
"""
from __future__ import annotations

import math
from typing import Any

__all__ = ["is_missing", "pct_text"]


def is_missing(x: Any) -> bool:
    """None, NaN or an infinite number: nothing to show."""
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def pct_text(x: float | None, decimals: int = 1, missing: str = "\u2013") -> str:
    """A share as ``40.0%`` (``missing`` when unknown)."""
    return missing if is_missing(x) else f"{100 * float(x):.{decimals}f}%"
