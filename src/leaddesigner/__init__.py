"""LeadDesigner: design, test and ship lead-scoring models.

The Python API (see :mod:`leaddesigner.api`)::

    from leaddesigner import load_model, score, explain

    model = load_model("model.yaml")
    scores = score(model, "leads.csv", "activities.csv")        # a pandas DataFrame
    print(explain(model, "leads.csv", "L0000042", "activities.csv").text())

Importing ``leaddesigner`` itself is cheap: the names below are loaded on first
use (pandas and numpy only when something is scored; never Qt).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> module that defines it (imported on first access)
_LAZY: dict[str, str] = {
    "load_model": "leaddesigner.api",
    "save_model": "leaddesigner.api",
    "score": "leaddesigner.api",
    "explain": "leaddesigner.api",
    "accounts": "leaddesigner.api",
    "scorer": "leaddesigner.api",
    "MissingDataError": "leaddesigner.api",
    "UnknownLeadError": "leaddesigner.api",
    "DataWarning": "leaddesigner.api",
    "ScoringModel": "leaddesigner.core.model.types",
    "ChangelogEntry": "leaddesigner.core.model.types",
    "ModelError": "leaddesigner.core.model.io",
    "LeadFileError": "leaddesigner.core.data.leadfile",
    "Explanation": "leaddesigner.core.scoring.explain",
    "diff_models": "leaddesigner.core.model.diff",
    "ModelDiff": "leaddesigner.core.model.diff",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:  # pragma: no cover - what type checkers and IDEs see ("X as X": an explicit re-export)
    from leaddesigner.core.data.leadfile import LeadFileError as LeadFileError
    from leaddesigner.core.model.diff import ModelDiff as ModelDiff
    from leaddesigner.core.model.diff import diff_models as diff_models
    from leaddesigner.core.model.io import ModelError as ModelError
    from leaddesigner.core.model.types import ChangelogEntry as ChangelogEntry
    from leaddesigner.core.model.types import ScoringModel as ScoringModel
    from leaddesigner.core.scoring.explain import Explanation as Explanation

    from .api import DataWarning as DataWarning
    from .api import MissingDataError as MissingDataError
    from .api import UnknownLeadError as UnknownLeadError
    from .api import accounts as accounts
    from .api import explain as explain
    from .api import load_model as load_model
    from .api import save_model as save_model
    from .api import score as score
    from .api import scorer as scorer


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'leaddesigner' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
