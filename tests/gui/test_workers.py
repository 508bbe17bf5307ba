"""Background workers end and are freed whoever drops them last (no thread outlives its work)."""
from __future__ import annotations

import gc
import os
import threading
import time

from leaddesigner.gui import tasks as workers
from leaddesigner.gui.tasks import TaskWorker


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


def test_the_runner_delivers_only_the_latest_run(qtbot):
    """A panel's runner: a second request replaces the first; the first's result never reaches the owner."""
    from leaddesigner.gui.tasks import TaskRunner

    runner = TaskRunner("LeadDesignerTest")
    got, first_done = [], threading.Event()
    runner.finished.connect(got.append)
    release = threading.Event()

    def slow(progress):
        release.wait(5)
        first_done.set()
        return "first"

    runner.run(slow)
    assert runner.busy
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.run(lambda progress: "second")
    release.set()
    assert first_done.wait(5)
    qtbot.waitUntil(lambda: not workers.live_workers(), timeout=5000)
    qtbot.wait(50)  # let any queued signal of the first run arrive
    assert got == ["second"] and not runner.busy


def test_the_runner_reports_failures_and_cancels(qtbot):
    from leaddesigner.gui.tasks import TaskRunner

    runner = TaskRunner("LeadDesignerTest")
    with qtbot.waitSignal(runner.failed, timeout=5000) as failed:
        runner.run(lambda progress: (_ for _ in ()).throw(ValueError("column 'Lead Score' is not a number")))
    assert failed.args == ["column 'Lead Score' is not a number"] and not runner.busy

    release = threading.Event()
    runner.run(lambda progress: release.wait(5))
    with qtbot.waitSignal(runner.cancelled, timeout=1000):
        runner.cancel()
    assert not runner.busy
    release.set()
    qtbot.waitUntil(lambda: not workers.live_workers(), timeout=5000)


def test_progress_raises_cancelled_after_cancel(qtbot):
    """The core's progress callback is how a run stops: after cancel() it raises, and `cancelled` ends the run."""
    from leaddesigner.gui.tasks import TaskWorker

    started = threading.Event()

    def loop(progress):
        started.set()
        while True:
            progress(0.5, "working")
            time.sleep(0.001)

    w = TaskWorker(loop)
    with qtbot.waitSignal(w.cancelled, timeout=5000):
        w.start()
        assert started.wait(5)
        w.cancel()
    assert w.wait(5000)


def test_a_run_that_ends_while_discarded_still_ends_its_thread(qtbot):
    """The race behind a hung window close: discard() disconnects every signal (also the direct one that
    quits the thread), the run ends in that moment and emits into nothing, discard() connects the quit again:
    too late. The thread idled in its event loop forever and closing the window waited on it."""
    from leaddesigner.gui.tasks import TaskWorker

    release = threading.Event()
    w = TaskWorker(lambda progress: release.wait(5))
    w.start()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for sig in (w.progress, w.finished, w.failed, w.cancelled):  # discard()'s first half, before the run ends
            sig.disconnect()
    release.set()
    w.discard()  # the second half: the thread must end although nobody heard the run end
    assert w.wait(5000), "the worker's thread never ended"
