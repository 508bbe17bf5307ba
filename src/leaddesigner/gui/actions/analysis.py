"""Analysis actions of the main window, and the worker that runs analyses off the GUI thread.

``install(window)`` adds to the window:

* Analysis > "Suggest points..." (:class:`~leaddesigner.gui.dialogs.fit.FitDialog`),
* Analysis > "Compare with model..." (:class:`~leaddesigner.gui.dialogs.compare.CompareDialog`),
* File > "Export report..." (before Quit): one standalone HTML file for the sales team.

:class:`TaskWorker` runs one pure core function in a ``QThread``: the
function gets a ``progress(fraction, message)`` callback that raises
:class:`~leaddesigner.gui.workers.Cancelled` once the user pressed Cancel, so
every core function that reports progress can be stopped. Workers register
in the same live set as the loaders, so closing the window waits for them.
"""
from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from leaddesigner.gui.tasks import TaskWorker, model_snapshot

__all__ = ["TaskWorker", "install", "export_report", "REPORT_FILTER", "model_snapshot"]

REPORT_FILTER = "HTML report (*.html *.htm);;All files (*)"


# ------------------------------------------------------------------ actions
def _last_folder(window) -> str:
    if getattr(window, "_last_folder", None) is not None:
        return window._last_folder()
    return str(Path.home())


def export_report(window, path: Path | None = None) -> TaskWorker | None:
    """Write the HTML report of the open model on the loaded leads to ``path`` (asks when None).

    The report is rendered in a worker thread from a copy of the model (the
    user may keep editing); the status bar says where it went, errors come as
    dialogs. Returns the worker (its ``finished`` carries the path), or None
    when cancelled or impossible.
    """
    doc = window.doc
    if doc.data is None:
        window.error_dialog("Nothing to report on yet",
                            "Load leads first (Data > Load leads): the report shows what the model does to them.")
        return None
    if path is None:
        stem = (doc.path.stem if doc.path else (doc.model.name or "model")).replace(" ", "_")
        start = str(Path(_last_folder(window)) / f"{stem}_report.html")
        chosen, _ = QFileDialog.getSaveFileName(window, "Export report for sales", start, REPORT_FILTER)
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() not in (".html", ".htm"):
            path = path.with_suffix(".html")
    path = Path(path)
    doc.flush()
    kwargs: dict[str, Any] = {
        "leads_source": doc.leads_path.name if doc.leads_path else None,
        "activities_source": doc.activities_path.name if doc.activities_path else None,
    }
    if doc.outcome is not None:
        kwargs["outcome"] = np.asarray(doc.outcome, dtype=bool)
        kwargs["outcome_name"] = doc.outcome_column
        panel = getattr(window, "panels", {}).get("backtest")
        if panel is not None:
            conv, contact = panel.conversion_column(), panel.contact_column()
            if conv:
                kwargs["converted_at"] = conv
                if contact:
                    kwargs["first_contact"] = contact
    workshop = getattr(window, "panels", {}).get("workshop")
    if workshop is not None and len(workshop.votes):
        kwargs["votes"] = copy.deepcopy(workshop.votes)
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    w = TaskWorker(_write_report, path, model_snapshot(doc.model), dataclasses.replace(doc.data), kwargs,
                   progress_kw=None, thread_name="LeadDesignerReport")
    # a receiver living in the GUI thread: the worker's signals arrive queued (a bare function would run in the worker)
    job = _ReportJob(window, path, w)
    w.finished.connect(job.on_finished)
    w.failed.connect(job.on_failed)
    window._report_worker = w
    window.status(f"Writing the report to {path} …", 60000)
    w.start()
    return w


class _ReportJob(QObject):
    """Tells the window how an export went (status message or error dialog), then goes away."""

    def __init__(self, window, path: Path, worker: TaskWorker):
        super().__init__(window)
        self.window_, self.path, self.worker = window, path, worker

    def on_finished(self, _result) -> None:
        w = self.window_
        if getattr(w, "_remember_folder", None) is not None:
            w._remember_folder(self.path)
        w.status(f"Report written to {self.path}", 15000)
        self.deleteLater()

    def on_failed(self, message: str) -> None:
        self.window_.error_dialog("Cannot export the report",
                                  f"The report could not be written to {self.path}: {message}")
        self.deleteLater()


def _write_report(path: Path, model, data, kwargs: dict) -> Path:
    from leaddesigner.core.export.report import write_report

    try:
        write_report(path, model, data, **kwargs)
    except OSError as e:
        raise ValueError(f"{e.strerror or e}. Choose another folder.") from None
    return path


def install(window) -> None:
    """Add Suggest points, Compare with model (Analysis menu) and Export report (File menu)."""
    from PySide6.QtGui import QAction

    from leaddesigner.gui.dialogs.compare import open_compare_dialog
    from leaddesigner.gui.dialogs.fit import open_fit_dialog

    def action(text, slot, tip, shortcut=None):
        a = QAction(text, window)
        a.setToolTip(tip)
        a.setStatusTip(tip)
        if shortcut:
            from PySide6.QtGui import QKeySequence

            a.setShortcut(QKeySequence(shortcut))
            window.addAction(a)
        a.triggered.connect(lambda _c=False: slot())
        return a

    window.act_suggest_points = action(
        "&Suggest points...", lambda: open_fit_dialog(window),
        "Learn a points model from the leads' outcomes (needs an outcome column)")
    window.act_compare = action(
        "&Compare with model...", lambda: open_compare_dialog(window),
        "Score the loaded leads with another model file and compare: metrics, agreement, leads that differ")
    window.act_export_report = action(
        "&Export report...", lambda: export_report(window),
        "Write one HTML file that explains the model to the sales team (rules, thresholds, plots, backtest)",
        "Ctrl+Shift+R")
    import types

    window.panels["analysis_actions"] = types.SimpleNamespace(
        suggest_points=window.act_suggest_points, compare=window.act_compare, export_report=window.act_export_report)
    window.analysis_menu.addAction(window.act_suggest_points)
    window.analysis_menu.addAction(window.act_compare)
    window.file_menu.insertAction(window.act_quit, window.act_export_report)
    window.file_menu.insertSeparator(window.act_quit)
