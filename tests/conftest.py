"""Test-wide setup: Qt renders offscreen, and hypothesis draws the same examples on every run.

Profiles (see ``tests/fuzzing.py``):

* ``repeatable`` (always loaded here, so ``make test`` is the same on every
  machine whatever ``CI`` or other variables say): derandomised, no example
  database, no deadline (a busy 2-core box).
* ``fuzz`` (``make fuzz``, ``--hypothesis-profile fuzz``): random seeds, 20x the
  examples, failures kept in ``.hypothesis/`` and replayed first next time.
"""
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import HealthCheck, settings  # noqa: E402
from hypothesis.database import DirectoryBasedExampleDatabase  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

settings.register_profile("repeatable", deadline=None, derandomize=True, database=None, print_blob=True)
settings.register_profile(
    "fuzz",
    deadline=None,
    derandomize=False,
    max_examples=2000,  # 20x the repeatable default of 100 (tests/fuzzing.py scales explicit counts alike)
    database=DirectoryBasedExampleDatabase(str(REPO / ".hypothesis" / "fuzz")),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("repeatable")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """After a failing fuzz run: how to keep the counterexample as a fixed test case."""
    if settings.get_current_profile_name() != "fuzz" or not terminalreporter.stats.get("failed"):
        return
    terminalreporter.write_sep("-", "turning a fuzz failure into a regression test")
    terminalreporter.write_line(
        "Each failure above prints 'Falsifying example: test_name(arg=value, ...)'. Copy those arguments into an\n"
        "@example(arg=value, ...) decorator directly above @given on that test (from hypothesis import example),\n"
        "with a comment saying what the case is. Then fix the code (or the test's promise) until `make test`\n"
        "passes: the example runs on every `make test`. The failing example is also kept in .hypothesis/fuzz\n"
        "and replayed first by the next `make fuzz`."
    )
