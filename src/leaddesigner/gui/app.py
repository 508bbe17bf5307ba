"""Start the app: ``main(model, leads, activities, screenshot)``.

``python -m leaddesigner.gui.app`` with no arguments opens the sample model
and sample leads; the ``leaddesigner`` CLI passes paths explicitly.
With ``screenshot`` the window is rendered once data and plots are ready,
saved as PNG, and the process returns 0 (works with
``QT_QPA_PLATFORM=offscreen``).
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Sequence

__all__ = ["create_app", "main", "take_screenshot"]

ORGANIZATION = "LeadDesigner"
APPLICATION = "LeadDesigner"
DEFAULT_SCREENSHOT_SIZE = (1366, 768)
SCREENSHOT_TIMEOUT_S = 300.0


def create_app(argv: Sequence[str] | None = None):
    """The QApplication (created once), with the names QSettings uses."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    try:
        import leaddesigner

        QCoreApplication.setApplicationVersion(getattr(leaddesigner, "__version__", ""))
    except ImportError:  # pragma: no cover
        pass
    return app


def freeze_startup_objects() -> None:
    """Keep the objects of the opened window out of the garbage collector's full passes.

    A full pass over the ~190,000 Python objects of the open window (Qt
    wrappers, plots, modules) takes ~110 ms and holds the GIL: when a worker
    thread's allocations triggered one, the window froze that long (the 107-114 ms
    stalls while loading 1M leads, ``benchmarks/bench_load.py``). Those objects
    live as long as the app; after ``gc.freeze()`` later passes scan only what
    came after (0.1 ms right after). Reference counting still frees every
    object; only reference cycles among the frozen ones are no longer collected.
    """
    gc.collect()
    gc.freeze()


def _install_excepthook(window) -> None:
    """Unexpected errors: a sentence in a dialog (details on stderr), never a traceback on screen."""
    from PySide6.QtWidgets import QMessageBox

    def hook(exc_type, exc, tb):
        traceback.print_exception(exc_type, exc, tb)
        if issubclass(exc_type, KeyboardInterrupt):
            return
        try:
            window.autosave()
        except Exception:  # noqa: BLE001 - best effort
            pass
        msg = str(exc).strip().splitlines()[0][:240] if str(exc).strip() else ""
        text = (f"Something unexpected went wrong ({exc_type.__name__}{': ' + msg if msg else ''}).\n\n"
                "Your model is autosaved. Save it now (Ctrl+S); if the window behaves oddly, restart LeadDesigner "
                "and it will offer to recover your changes.")
        if window.interactive and window.isVisible():
            QMessageBox.warning(window, "Unexpected error", text)
        else:
            window.show_error(text.replace("\n\n", " "))

    sys.excepthook = hook


def _screenshot_size(size) -> tuple[int, int]:
    if size:
        return int(size[0]), int(size[1])
    env = os.environ.get("LEADDESIGNER_SCREENSHOT_SIZE", "")
    if "x" in env:
        try:
            w, h = env.lower().split("x", 1)
            return int(w), int(h)
        except ValueError:
            pass
    return DEFAULT_SCREENSHOT_SIZE


def _wait_until(app, predicate, timeout_s: float) -> bool:
    from PySide6.QtCore import QEventLoop

    end = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > end:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    return True


def take_screenshot(window, path: Path, timeout_s: float = SCREENSHOT_TIMEOUT_S) -> bool:
    """Wait for the load worker and the coalesced update, render the window, save a PNG."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    doc = window.doc
    ok = _wait_until(app, lambda: doc.ready, timeout_s)
    doc.flush()
    for _ in range(5):  # layouts, deferred inspector refresh, repaint
        app.processEvents()
    window.repaint()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    saved = window.grab().save(str(path))
    return ok and saved


def main(model=None, leads=None, activities=None, screenshot=None, *, size=None) -> int:
    """Open the window with ``model`` (path or None), ``leads`` and ``activities``.

    With ``screenshot`` (a PNG path): render once data and plots are ready,
    save, return 0 (2 if the model or data could not be loaded; the message
    goes to stderr). Otherwise run the event loop and return its exit code.
    """
    app = create_app()
    from leaddesigner.gui.window.main_window import MainWindow

    shot = screenshot is not None
    window = MainWindow(interactive=not shot, settings_enabled=not shot)
    failures: list[str] = []
    if shot:
        window.doc.loadFailed.connect(failures.append)
        window.doc.error.connect(failures.append)
        w, h = _screenshot_size(size)
        window.resize(w, h)
    else:
        _install_excepthook(window)
    window.show()
    if model is not None:
        if not window.open_model(Path(model), ask=False):
            if shot:
                print(f"error: cannot open model {model}", file=sys.stderr)
                return 2
    freeze_startup_objects()
    if leads is not None:
        if model is None:  # start from the file: a model made from its columns
            window.start_from_file(Path(leads), Path(activities) if activities is not None else None)
        else:
            window.load_data(Path(leads), Path(activities) if activities is not None else None)
    elif activities is not None:
        failures.append("an activity log needs a lead file (--leads)")
    if shot:
        ok = take_screenshot(window, Path(screenshot))
        for f in failures:
            print(f"error: {f}", file=sys.stderr)
        window._clear_recovery()
        window.doc.wait_for_workers(5000)
        window.hide()
        window.deleteLater()
        app.processEvents()
        if not ok:
            print(f"error: could not render {screenshot} in time", file=sys.stderr)
            return 2
        return 2 if failures else 0
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, window.check_recovery)
    code = int(app.exec())
    from .tasks import stop_workers

    stop_workers(-1)  # a QThread must not be destroyed while it runs: let a cancelled load finish
    return code


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m leaddesigner.gui.app",
                                 description="Open LeadDesigner (no arguments: the sample model and sample leads).")
    ap.add_argument("model", nargs="?", help="model file (.yaml/.json)")
    ap.add_argument("--leads", help="lead file (.csv, .xlsx, .parquet)")
    ap.add_argument("--activities", help="activity log")
    ap.add_argument("--screenshot", help="render the window into this PNG and quit")
    ap.add_argument("--size", help="window size for --screenshot, e.g. 1920x1080")
    return ap.parse_args(list(argv))


def cli(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = _parse(args_list)
    model, leads, acts = args.model, args.leads, args.activities
    if model is None and leads is None:
        from leaddesigner import paths

        m, l, a = paths.default_model(), paths.sample_leads(), paths.sample_activities()
        model = m if m.exists() else None
        leads = l if l.exists() else None
        acts = a if a.exists() and leads is not None else None
    size = None
    if args.size:
        w, h = args.size.lower().split("x", 1)
        size = (int(w), int(h))
    return main(model, leads, acts, args.screenshot, size=size)


if __name__ == "__main__":
    raise SystemExit(cli())
