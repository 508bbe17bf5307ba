"""The shape of the tree, checked: public names between modules, modules readable in one sitting."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "leaddesigner"
MODULES = sorted(SRC.rglob("*.py"))
#: a module longer than this says at its top why it is one module ("One module because ...")
MAX_LINES = 800


def _private_uses(path: Path) -> list[str]:
    """``from leaddesigner.x import _y`` and ``module._y`` on a leaddesigner module imported by name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ours: dict[str, str] = {}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            module = ("." * node.level) + (node.module or "")
            if not (node.level or module.startswith("leaddesigner")):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"line {node.lineno}: from {module} import {alias.name}")
                ours[alias.asname or alias.name] = module
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ours
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(SRC)) for p in MODULES])
def test_no_private_name_is_used_across_modules(path):
    assert _private_uses(path) == [], f"{path.relative_to(SRC)} uses another module's private names: give them public names"


def test_the_check_finds_a_private_import(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("from leaddesigner.core.scoring import engine as E\nfrom .x import _hidden\nE._secret()\n")
    assert _private_uses(f) == ["line 2: from .x import _hidden", "line 3: E._secret"]


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(SRC)) for p in MODULES])
def test_long_modules_say_why_they_are_one_module(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    if lines <= MAX_LINES:
        return
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert "One module because" in doc, (
        f"{path.relative_to(SRC)} has {lines} lines: split it by responsibility, or say at its top "
        f"why it is one module ('One module because ...')")


SCRIPTS = sorted([*(SRC.parents[1] / "docs").glob("*.py"), *(SRC.parents[1] / "benchmarks").glob("*.py")])


def _missing_imports(path: Path) -> list[str]:
    """``from leaddesigner.x import y`` lines whose module or name does not exist."""
    import importlib

    tree = ast.parse(path.read_text(encoding="utf-8"))
    missing = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("leaddesigner"):
            try:
                mod = importlib.import_module(node.module)
            except ImportError:
                missing.append(f"line {node.lineno}: {node.module}")
                continue
            for alias in node.names:
                if not hasattr(mod, alias.name):
                    try:
                        importlib.import_module(f"{node.module}.{alias.name}")
                    except ImportError:
                        missing.append(f"line {node.lineno}: {node.module}.{alias.name}")
    return missing


@pytest.mark.parametrize("path", SCRIPTS, ids=[p.name for p in SCRIPTS])
def test_scripts_import_names_that_exist(path):
    """docs/ and benchmarks/ are not imported by the suite: a module move must not leave them broken."""
    assert _missing_imports(path) == [], f"{path.name}: {_missing_imports(path)}"


def test_the_script_check_finds_a_stale_import(tmp_path):
    f = tmp_path / "old.py"
    f.write_text("from leaddesigner.core import commands as C\nfrom leaddesigner.gui.main_window import MainWindow\n"
                 "from leaddesigner.core.edits import commands\n")
    assert _missing_imports(f) == ["line 1: leaddesigner.core.commands", "line 2: leaddesigner.gui.main_window"]
