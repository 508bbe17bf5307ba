"""The scoring core must run without Qt: importing it never loads PySide6/pyqtgraph."""
from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import importlib, pkgutil, sys
import leaddesigner.core as core
names = sorted(m.name for m in pkgutil.walk_packages(core.__path__, core.__name__ + "."))
for name in names:
    importlib.import_module(name)
print("\n".join(names))
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "pyqtgraph", "shiboken6"))
if qt:
    raise SystemExit("Qt modules imported by the core: " + ", ".join(qt))
"""


def test_core_imports_no_qt():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    imported = proc.stdout.split()
    for expected in ("scoring.engine", "scoring.conditions", "model.types", "model.io", "model.schema", "scoring.explain",
                     "data.leadfile", "edits.commands", "analysis.backtesting", "export.sqlexport"):
        assert f"leaddesigner.core.{expected}" in imported, imported
