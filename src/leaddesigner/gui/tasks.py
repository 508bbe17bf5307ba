"""Background tasks: one thread per run, one runner per panel where the latest request wins.

* :class:`ThreadWorker`: one run of background work in its own ``QThread``,
  registered while it runs so that closing the window (and the tests) can cancel
  and wait for every worker, whoever started it (:func:`stop_workers`).
* :class:`TaskWorker`: runs one pure core function, handing it a
  ``progress(fraction, message)`` callback that raises :class:`Cancelled` once
  the run was cancelled; exactly one of ``finished``, ``failed``, ``cancelled``.
* :class:`TaskRunner`: what a panel or dialog owns. ``runner.run(fn, ...)``
  cancels the run in flight and starts a new one; only the latest run's
  ``progress``, ``finished`` and ``failed`` reach the owner (napari's
  ``thread_worker`` and Orange's ``ConcurrentWidgetMixin`` do the same job).

The file loader (:mod:`~leaddesigner.gui.workers`) and the Timeline replay (:mod:`~leaddesigner.gui.panels.timeline_worker`)
are ThreadWorkers with signals of their own.
"""
from __future__ import annotations

import threading
import time
import traceback
import warnings
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal

__all__ = ["Cancelled", "TaskRunner", "TaskWorker", "ThreadWorker", "live_workers", "model_snapshot", "stop_workers"]


class Cancelled(Exception):
    """Raised inside the worker when the user pressed Cancel."""


#: workers whose thread has not finished yet: Python must not delete a running QThread
_LIVE: set = set()
#: finished QThreads, kept until the GUI thread frees them (see ThreadWorker._on_thread_finished)
_ENDED: list = []


def live_workers() -> list:
    """The workers whose thread has not finished yet (a snapshot)."""
    return list(_LIVE)


def stop_workers(ms: int = 30000) -> None:
    """Cancel every live worker, whoever started it, and wait up to ``ms`` for each (negative: forever).

    Window close, the app's exit and the tests call it: a QThread must not be destroyed while it runs.
    """
    for w in list(_LIVE):
        w.cancel()
        w.wait(ms)


def _free_ended_threads() -> None:
    """Free the QThreads of finished workers (GUI thread; each has ended, so the wait is immediate)."""
    while _ENDED:
        _ENDED.pop().wait()


class ThreadWorker(QObject):
    """One run of background work in its own ``QThread``.

    Subclasses define their signals and ``run()``, which executes in the worker
    thread and checks :attr:`_cancel`; the thread ends when ``run()`` returns. While its thread runs, the
    worker is registered in :data:`_LIVE`, so
    :func:`stop_workers` (window close, tests) can cancel and
    wait for every worker, whoever started it.
    """

    thread_name = "LeadDesignerWorker"

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._cancel = threading.Event()
        self._thread: QThread | None = None

    # -- control (GUI thread)
    def start(self) -> None:
        _free_ended_threads()
        self._thread = QThread()
        self._thread.setObjectName(self.thread_name)
        self.moveToThread(self._thread)
        self._thread.started.connect(self._run_then_quit)
        _LIVE.add(self)
        self._thread.finished.connect(self._on_thread_finished)
        self._thread.start()

    def _run_then_quit(self) -> None:
        """The run, then the end of the thread's event loop, both in the worker thread.

        The thread quits itself, whatever the run emitted and whoever still listens:
        ending it through the run's signals lost the quit when the owner disconnected them
        at the moment the run ended (a cancelled task), and closing the window then
        waited on an idle thread. ``QThread.quit`` is thread-safe.
        """
        try:
            self.run()
        finally:
            self._thread.quit()

    def _on_thread_finished(self) -> None:
        # Runs in the worker thread, inside QThread::finished. When _LIVE holds the last reference
        # to this worker, discarding it would free the QThread right here, and ~QThread waits for
        # its own thread to end: a deadlock. The QThread is parked in _ENDED for the GUI thread.
        _ENDED.append(self._thread)
        _LIVE.discard(self)

    def cancel(self) -> None:
        self._cancel.set()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def wait(self, ms: int = 30000) -> bool:
        """Wait up to ``ms`` milliseconds (forever when negative) for the thread to end."""
        if self._thread is None:
            return True
        from PySide6.QtCore import QDeadlineTimer

        done = self._thread.wait(QDeadlineTimer(QDeadlineTimer.ForeverConstant.Forever) if ms < 0 else ms)
        if done:
            _LIVE.discard(self)
            _free_ended_threads()
        return done


class TaskWorker(ThreadWorker):
    """Run ``fn(*args, progress=cb, **kwargs)`` in its own thread.

    Exactly one of ``finished(result)``, ``failed(message)`` or ``cancelled()``
    is emitted per run (queued to the GUI thread). ``fn`` must only read what
    it was given: pass snapshots (copies of the model, immutable score arrays),
    never live objects the GUI edits meanwhile.

    ``progress_kw`` names the keyword the callback is passed as (None: not passed).

    Connect the signals to methods of QObjects that live in the GUI thread
    (they are then queued to it); a plain function or lambda would run in the
    worker thread.
    """

    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, fn: Callable[..., Any], *args, progress_kw: str | None = "progress", thread_name: str = "LeadDesignerTask",
                 **kwargs):
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._progress_kw = progress_kw
        self.thread_name = thread_name
        self.seconds = 0.0
        self.result: Any = None

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def discard(self) -> None:
        """Stop listening and ask the run to stop; the thread ends on its own."""
        with warnings.catch_warnings():  # PySide warns about a signal nobody listened to
            warnings.simplefilter("ignore", RuntimeWarning)
            for sig in (self.progress, self.finished, self.failed, self.cancelled):
                try:
                    sig.disconnect()
                except (RuntimeError, TypeError):
                    pass
        self.cancel()

    # -- work (worker thread)
    def report(self, fraction: float, message: str = "") -> None:
        """The progress callback handed to ``fn``: raises :class:`Cancelled` after :meth:`cancel`."""
        if self._cancel.is_set():
            raise Cancelled()
        self.progress.emit(max(0.0, min(1.0, float(fraction))), str(message))

    def run(self) -> None:
        t0 = time.perf_counter()
        try:
            kwargs = dict(self._kwargs)
            if self._progress_kw:
                kwargs[self._progress_kw] = self.report
            result = self._fn(*self._args, **kwargs)
            if self._cancel.is_set():
                raise Cancelled()
            self.seconds = time.perf_counter() - t0
            self.result = result
            end, args = self.finished, (result,)
        except Cancelled:
            end, args = self.cancelled, ()
        except MemoryError:
            end, args = self.failed, ("There is not enough memory for this analysis. Close other programs or use a smaller export.",)
        except (ValueError, KeyError) as e:  # the core's way of saying what is wrong with the input
            msg = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
            end, args = self.failed, (msg or type(e).__name__,)
        except Exception as e:  # a bug: the user gets a sentence, the details go to stderr
            traceback.print_exc()
            end, args = self.failed, (f"The analysis failed unexpectedly ({type(e).__name__}: {str(e)[:200]}).",)
        end.emit(*args)


def model_snapshot(model):
    """A deep copy of the model for a worker (the GUI keeps editing the live one)."""
    return model.copy() if hasattr(model, "copy") else __import__("copy").deepcopy(model)


class TaskRunner(QObject):
    """Runs one :class:`TaskWorker` at a time for its owner: a new request replaces the running one.

    The owner connects once to the runner's signals instead of to each worker's;
    a replaced or cancelled run never reaches the owner. ``busy`` says whether a
    run is in flight (the owner's ``busy()`` for the tests' ``waitUntil``).
    """

    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, thread_name: str = "LeadDesignerTask", parent: QObject | None = None):
        super().__init__(parent)
        self.thread_name = thread_name
        self.worker: TaskWorker | None = None

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def run(self, fn: Callable[..., Any], *args, progress_kw: str | None = "progress", **kwargs) -> TaskWorker:
        """Cancel the run in flight (if any) and run ``fn(*args, **kwargs)`` in a new thread."""
        self.cancel(quiet=True)
        w = TaskWorker(fn, *args, progress_kw=progress_kw, thread_name=self.thread_name, **kwargs)
        w.progress.connect(self._on_worker_progress)
        w.finished.connect(self._on_worker_finished)
        w.failed.connect(self._on_worker_failed)
        w.cancelled.connect(self._on_worker_cancelled)
        self.worker = w
        w.start()
        return w

    def cancel(self, quiet: bool = False) -> None:
        """Stop listening to the run in flight and ask it to stop; ``cancelled`` follows unless ``quiet``."""
        w, self.worker = self.worker, None
        if w is not None:
            w.discard()
            if not quiet:
                self.cancelled.emit()

    # slots: a worker's signals arrive queued in the GUI thread; a replaced worker's are dropped
    def _on_worker_progress(self, fraction: float, message: str) -> None:
        if self.sender() is self.worker:
            self.progress.emit(fraction, message)

    def _on_worker_finished(self, result: object) -> None:
        if self.sender() is self.worker:
            self.worker = None
            self.finished.emit(result)

    def _on_worker_failed(self, message: str) -> None:
        if self.sender() is self.worker:
            self.worker = None
            self.failed.emit(message)

    def _on_worker_cancelled(self) -> None:
        if self.sender() is self.worker:
            self.worker = None
            self.cancelled.emit()
