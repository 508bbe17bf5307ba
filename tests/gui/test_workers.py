"""Background workers end and are freed whoever drops them last (no thread outlives its work)."""
from __future__ import annotations

import gc
import os
import threading
import time

from leaddesigner.gui import workers
from leaddesigner.gui.analysis_actions import TaskWorker


def _os_threads() -> int:
    return len(os.listdir(f"/proc/{os.getpid()}/task")) if os.path.isdir(f"/proc/{os.getpid()}/task") else threading.active_count()


def test_a_discarded_worker_frees_its_thread_without_deadlock(qtbot):
    """The caller discards a running task and drops it: _LIVE holds the last reference when the thread
    ends. Freeing the QThread inside its own 'finished' signal made ~QThread wait for itself (a hang
    seen in `make test`); the finished thread is now parked and freed by the GUI thread."""
    before = _os_threads()
    release = threading.Event()
    for _ in range(20):
        w = TaskWorker(lambda progress: release.wait(5), thread_name="LeadDesignerTest")
        w.start()
        w.discard()
        del w
    gc.collect()
    release.set()
    qtbot.waitUntil(lambda: not workers.live_workers(), timeout=5000)
    getattr(workers, "_free_ended_threads", lambda: None)()
    deadline = time.monotonic() + 5
    while _os_threads() > before and time.monotonic() < deadline:
        qtbot.wait(20)
    assert _os_threads() <= before, "a worker thread is still alive (stuck freeing itself?)"


def test_wait_reports_a_finished_worker(qtbot):
    w = TaskWorker(lambda progress: 42)
    with qtbot.waitSignal(w.finished, timeout=5000) as got:
        w.start()
    assert got.args == [42]
    assert w.wait(5000)
    assert w not in workers.live_workers()
