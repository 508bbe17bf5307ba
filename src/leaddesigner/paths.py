"""Where the shipped resources and samples live (a source checkout or an installed wheel)."""
from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent
_REPO = _PKG.parent.parent


def _first(*candidates: Path) -> Path:
    for c in candidates:
        if c.exists():
            return c
    return candidates[0]


def resources_dir() -> Path:
    return _first(_REPO / "resources", _PKG / "_resources")


def samples_dir() -> Path:
    return _first(_REPO / "sample_models", _PKG / "_samples")


DEFAULT_MODEL_NAME = "product_led_multi_product.yaml"


def default_model() -> Path:
    """The model the app opens when started without arguments."""
    return samples_dir() / DEFAULT_MODEL_NAME


def sample_leads() -> Path:
    return samples_dir() / "data" / "leads.csv"


def sample_activities() -> Path:
    return samples_dir() / "data" / "activities.csv"
