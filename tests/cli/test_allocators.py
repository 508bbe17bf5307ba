"""The command line chooses Arrow's jemalloc pool and one glibc arena (leaddesigner.allocators), unless the user chose."""
from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from leaddesigner import allocators

LINUX_GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
PROBE = "import leaddesigner.cli, pyarrow as pa; print(pa.default_memory_pool().backend_name)"


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ARROW_DEFAULT_MEMORY_POOL", "MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}
    env.update(extra)
    return env


@pytest.mark.skipif(not LINUX_GLIBC, reason="the allocators are chosen on Linux with glibc only")
def test_the_command_line_reads_files_with_jemalloc():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=_clean_env(), check=True)
    assert out.stdout.strip() == "jemalloc" and out.stderr == ""


def test_a_pool_the_user_chose_is_kept():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         env=_clean_env(ARROW_DEFAULT_MEMORY_POOL="system"), check=True)
    assert out.stdout.strip() == "system"


@pytest.mark.skipif(not LINUX_GLIBC, reason="the allocators are chosen on Linux with glibc only")
def test_configure_sets_only_what_the_user_left_open(monkeypatch):
    env: dict[str, str] = {}
    monkeypatch.delitem(sys.modules, "pyarrow", raising=False)  # as before pandas is imported
    assert allocators.configure(env) == {"arrow": "jemalloc", "glibc_arenas": "1"}
    assert env == {"ARROW_DEFAULT_MEMORY_POOL": "jemalloc"}
    chosen = {"ARROW_DEFAULT_MEMORY_POOL": "mimalloc", "MALLOC_ARENA_MAX": "4"}
    assert allocators.configure(dict(chosen)) == {}
    assert allocators.configure({"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}) == {"arrow": "jemalloc"}


def test_a_pyarrow_without_jemalloc_keeps_its_pool(monkeypatch, tmp_path):
    """Arrow prints a warning on every run for a pool it was built without: the header is read first."""
    import importlib.machinery

    fake = tmp_path / "pyarrow"
    (fake / "include" / "arrow" / "util").mkdir(parents=True)
    (fake / "include" / "arrow" / "util" / "config.h").write_text("#define ARROW_MIMALLOC\n")
    spec = importlib.machinery.ModuleSpec("pyarrow", None, is_package=True)
    spec.submodule_search_locations = [str(fake)]
    monkeypatch.setattr("importlib.util.find_spec", lambda name: spec if name == "pyarrow" else None)
    assert not allocators.arrow_has_jemalloc()
    monkeypatch.delitem(sys.modules, "pyarrow", raising=False)
    env: dict[str, str] = {}
    assert "arrow" not in allocators.configure(env) and env == {}
    (fake / "include" / "arrow" / "util" / "config.h").write_text("#define ARROW_JEMALLOC\n#define ARROW_MIMALLOC\n")
    assert allocators.arrow_has_jemalloc()  # the header alone decides


def test_once_pyarrow_is_imported_its_pool_is_left_alone():
    import pyarrow  # noqa: F401

    env: dict[str, str] = {}
    assert "arrow" not in allocators.configure(env) and "ARROW_DEFAULT_MEMORY_POOL" not in env


def test_other_platforms_keep_their_allocators(monkeypatch):
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    env: dict[str, str] = {}
    assert allocators.configure(env) == {} and env == {}
