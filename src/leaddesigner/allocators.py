"""How the process allocates memory: chosen once, when the command line (or the app it starts) begins.

A million leads and twelve million events pass through arrays of tens to
hundreds of megabytes that live for a step and are freed. Two allocators
decide what that costs:

* **Arrow's pool** (the files as read, text columns): the pyarrow wheels
  default to mimalloc, which hands freed pages back to the kernel at once;
  the next column's buffers then fault in fresh pages that the kernel must
  zero (on a virtual machine that reports freed pages to its host, each such
  page also costs the host a fault). jemalloc keeps them for a moment and
  reuses them. Measured interleaved with the commit before, 1M leads + 12M
  events: ``score`` from Parquet 4.7-5.7 -> 3.7-3.9 s (kernel time 1.9-3.9 ->
  1.0 s), ``simulate`` 7.9-8.0 -> 7.0-7.9 s, the app's load 7.3-7.6 -> 6.1-6.6 s.
* **glibc's arenas** (numpy's arrays up to 32 MB, pandas): each thread that
  allocates (the activity log's reader, the column guesses, the app's worker)
  gets an arena of its own, and memory freed in one is not reused by the
  others. One arena, with jemalloc: ``simulate``'s peak 1.65-1.67 ->
  1.46-1.48 GB, the app's 1.89-1.91 -> 1.74-1.75 GB; ``score``'s 1.35-1.37 ->
  1.41-1.44 GB (jemalloc keeps what it reuses).

``benchmarks/bench_score_cli.py`` and ``bench_load.py`` measure them. A user
who sets ``ARROW_DEFAULT_MEMORY_POOL``, ``MALLOC_ARENA_MAX`` or
``GLIBC_TUNABLES`` keeps their choice; a pyarrow built without jemalloc keeps
its pool. Other platforms (macOS, Windows, musl) keep their defaults.
"""
from __future__ import annotations

import ctypes
import os
import platform
import sys

__all__ = ["configure", "arrow_has_jemalloc", "M_ARENA_MAX"]

#: ``mallopt``'s parameter for the number of arenas (glibc's malloc.h)
M_ARENA_MAX = -8


def configure(environ: dict[str, str] | None = None) -> dict[str, str]:
    """Choose Arrow's jemalloc pool and one glibc arena on Linux with glibc, where the user chose neither.

    Call before pandas or pyarrow is imported (``leaddesigner.cli`` does, first thing): Arrow reads its
    pool from ``ARROW_DEFAULT_MEMORY_POOL`` once, when it first allocates, for every allocation inside
    Arrow (reading files, ``to_pandas``); a pool set later would serve only the calls made from Python.
    Returns what was chosen, e.g. ``{"arrow": "jemalloc", "glibc_arenas": "1"}``; never raises.
    """
    env = os.environ if environ is None else environ
    done: dict[str, str] = {}
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return done  # other platforms keep their defaults
    if "ARROW_DEFAULT_MEMORY_POOL" not in env and "pyarrow" not in sys.modules and arrow_has_jemalloc():
        env["ARROW_DEFAULT_MEMORY_POOL"] = "jemalloc"
        done["arrow"] = "jemalloc"
    if not {"MALLOC_ARENA_MAX", "GLIBC_TUNABLES"} & set(env):
        try:
            if ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1) == 1:
                done["glibc_arenas"] = "1"
        except (OSError, AttributeError):  # pragma: no cover - a libc without mallopt
            pass
    return done



def arrow_has_jemalloc() -> bool:
    """Whether the installed pyarrow was built with jemalloc, read from its build header without importing it
    (an import would choose the pool; a pool it lacks would make Arrow print a warning on every run)."""
    import importlib.util
    from pathlib import Path

    try:
        spec = importlib.util.find_spec("pyarrow")
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.submodule_search_locations:
        return False
    for folder in spec.submodule_search_locations:
        header = Path(folder) / "include" / "arrow" / "util" / "config.h"
        try:
            return "#define ARROW_JEMALLOC\n" in header.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    return False
