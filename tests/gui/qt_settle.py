"""Wait for the window to finish what a resize, a font change or an update queued, without sleeping.

``settle(window)`` replaces ``qtbot.wait(50)`` after a layout change: it runs the
document's deferred steps (``doc.flush()``), then delivers Qt's posted events
(layout requests, deferred deletes, queued signals) and processes the event loop
until nothing more is queued. The result does not depend on how fast the machine
is, and it takes as long as the work does, not 50 ms.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication


def settle(*widgets, rounds: int = 4) -> None:
    for w in widgets:
        doc = getattr(w, "doc", None)
        if doc is not None and hasattr(doc, "flush"):
            doc.flush()
    app = QApplication.instance()
    for _ in range(rounds):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        QCoreApplication.sendPostedEvents()
        app.processEvents()
    for w in widgets:
        lay = w.layout() if hasattr(w, "layout") else None
        if lay is not None:
            lay.activate()
    app.processEvents()
