"""How many examples a property test draws, and which dice it uses.

``make test`` loads the ``repeatable`` profile (``tests/conftest.py``): the
same examples on every run and every machine, whatever the environment says,
and no example database, so a fresh clone and a long-used checkout behave
alike. ``make fuzz`` loads the ``fuzz`` profile: random seeds, 20 times the
examples, and an example database in ``.hypothesis/`` (git-ignored) that
replays earlier failures first.

Tests that need more or fewer examples than the default say so with
``@settings(max_examples=examples(n))``: ``n`` under ``make test``, ``20 * n``
under ``make fuzz``.
"""
from __future__ import annotations

from hypothesis import settings

#: ``max_examples`` of the repeatable profile: examples(n) scales by the active profile's value over this
BASE_EXAMPLES = 100


def examples(n: int) -> int:
    """``n`` examples under ``make test``, proportionally more under the active profile (``make fuzz``: 20x)."""
    return max(1, n * settings.default.max_examples // BASE_EXAMPLES)
