"""What the main window's parts share: names, file filters, timings, small label helpers."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget

from leaddesigner.core.data.leadfile import SUPPORTED_EXTENSIONS

__all__ = ["APP_NAME", "AUTOSAVE_AFTER_EDIT_MS", "AUTOSAVE_MS", "DATA_FILTER", "FONT_SCALES", "MAX_RECENT", "MODEL_FILTER",
           "model_file_name", "set_tab_text", "set_text"]

APP_NAME = "LeadDesigner"
FONT_SCALES = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.4)
MAX_RECENT = 8
AUTOSAVE_MS = 30_000
#: the recovery file is written this long after the last edit of a burst
AUTOSAVE_AFTER_EDIT_MS = 1_000
MODEL_FILTER = "Lead-scoring models (*.yaml *.yml *.json);;All files (*)"
DATA_FILTER = (
    "Lead files (" + " ".join("*" + e for e in SUPPORTED_EXTENSIONS) + ");;CSV (*.csv *.csv.gz);;"
    "Excel (*.xlsx *.xlsm);;Parquet (*.parquet *.pq);;All files (*)"
)


def set_text(label: QLabel, text: str) -> None:
    """Change a label only when its text changes (a new text re-lays out the window)."""
    if label.text() != text:
        label.setText(text)


def set_tab_text(tabs: QTabWidget, i: int, text: str) -> None:
    if tabs.tabText(i) != text:
        tabs.setTabText(i, text)


def model_file_name(name: str) -> str:
    import re

    base = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower() or "model"
    return base + ".yaml"
