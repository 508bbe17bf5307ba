"""File > Export: scores, SQL for the warehouse and the model as JSON, from the app (what the CLI's
``score -o``, ``export --to sql`` and ``export --to json`` write, through the same core functions).

Scores are written in a worker thread (a million rows take a few seconds);
the SQL dialog previews the query as the dialect and as-of choice change.
"""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QVBoxLayout,
)

from leaddesigner.core.export.sqlexport import DIALECTS, SQLExportError, export_sql, folding_notes
from leaddesigner.core.model.io import atomic_write_text
from leaddesigner.core.scoring.outputs import model_json, write_scores
from leaddesigner.gui.tasks import TaskWorker

__all__ = ["install", "export_scores", "SqlExportDialog", "export_json"]

SCORES_FILTER = "CSV (*.csv);;Parquet (*.parquet);;Excel workbook (*.xlsx)"


def _stem(window) -> str:
    d = window.doc
    return (d.path.stem if d.path else (d.model.name or "model")).replace(" ", "_")


def _folder(window) -> Path:
    return Path(window._last_folder()) if hasattr(window, "_last_folder") else Path.home()


class _Job(QObject):
    """Says in the window how a background write went, then goes away."""

    def __init__(self, window, what: str, path: Path):
        super().__init__(window)
        self.window_, self.what, self.path = window, what, path

    def on_finished(self, _result) -> None:
        self.window_.status(f"{self.what} written to {self.path}", 15000)
        self.deleteLater()

    def on_failed(self, message: str) -> None:
        self.window_.error_dialog(f"Cannot export the {self.what.lower()}", message)
        self.deleteLater()


def export_scores(window, path: Path | None = None) -> TaskWorker | None:
    """Write every lead's score, grade and status (as ``leaddesigner score`` does) to CSV, Parquet or Excel."""
    d = window.doc
    if d.scorer is None:
        window.error_dialog("Nothing to export yet", "Load leads first (Data > Load leads): the scores are theirs.")
        return None
    if path is None:
        chosen, filt = QFileDialog.getSaveFileName(window, "Export scores", str(_folder(window) / f"{_stem(window)}_scores.csv"), SCORES_FILTER)
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() not in (".csv", ".parquet", ".xlsx"):
            path = path.with_suffix(".parquet" if "Parquet" in filt else ".xlsx" if "Excel" in filt else ".csv")
    d.flush()
    frame = d.scorer.frame()
    w = TaskWorker(write_scores, frame, Path(path), progress_kw=None, thread_name="LeadDesignerExport")
    job = _Job(window, "Scores", Path(path))
    w.finished.connect(job.on_finished)
    w.failed.connect(job.on_failed)
    window._export_worker = w
    window.status(f"Writing {len(frame):,} scores to {path} …", 60000)
    w.start()
    return w


def export_json(window, path: Path | None = None) -> Path | None:
    """The open model as JSON, checked against the schema."""
    if path is None:
        chosen, _ = QFileDialog.getSaveFileName(window, "Export the model as JSON", str(_folder(window) / f"{_stem(window)}.json"), "JSON (*.json)")
        if not chosen:
            return None
        path = Path(chosen)
    try:
        atomic_write_text(Path(path), model_json(window.doc.model))
    except (OSError, ValueError) as e:
        window.error_dialog("Cannot export the model", f"{path}: {getattr(e, 'strerror', None) or e}")
        return None
    window.status(f"Model written to {path} (JSON)", 15000)
    return Path(path)


class SqlExportDialog(QDialog):
    """Dialect, table names and scoring moment; a live preview; Save writes the query."""

    def __init__(self, window):
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Export SQL for the warehouse")
        d = window.doc
        self.dialect = QComboBox(self)
        for x in DIALECTS:
            self.dialect.addItem(x, x)
        self.leads_table = QLineEdit("leads", self)
        self.activities_table = QLineEdit("activities", self)
        self.as_of = QComboBox(self)
        self.as_of.addItem("the warehouse clock (now, when the query runs)", None)
        if d.data is not None:
            self.as_of.addItem(f"as of the data's moment ({d.data.as_of:%Y-%m-%d %H:%M})", str(d.data.as_of))
        self.quote = QCheckBox("Quote every identifier (exact case)", self)
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Dialect", self.dialect)
        form.addRow("Leads table", self.leads_table)
        form.addRow("Activity table", self.activities_table)
        form.addRow("Score as of", self.as_of)
        form.addRow("", self.quote)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.preview, 1)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        for sig in (self.dialect.currentIndexChanged, self.as_of.currentIndexChanged, self.quote.toggled,
                    self.leads_table.textChanged, self.activities_table.textChanged):
            sig.connect(self._on_option_changed)
        self.resize(820, 640)
        self.text = ""
        self._update()

    def _on_option_changed(self, *_args) -> None:
        self._update()

    def _update(self) -> None:
        try:
            self.text = export_sql(self.window_.doc.model, dialect=self.dialect.currentData(),
                                   leads_table=self.leads_table.text().strip() or "leads",
                                   activities_table=self.activities_table.text().strip() or "activities",
                                   as_of=self.as_of.currentData(), quote_identifiers=self.quote.isChecked())
            if not self.text.endswith("\n"):
                self.text += "\n"
            self.preview.setPlainText(self.text)
            notes = folding_notes(self.window_.doc.model, self.dialect.currentData())
            if notes:
                self.message.setText("<span style='color:#B9770E'>" + "<br>".join(html.escape(n, quote=False) for n in notes) + "</span>")
            else:
                self.message.setText("One query: the same scores as the app, row for row (proven on DuckDB, SQLite and Spark).")
            self.save_button.setEnabled(True)
        except SQLExportError as e:
            self.text = ""
            self.preview.setPlainText("")
            self.message.setText(f"<span style='color:#C0392B'>{e}</span>")
            self.save_button.setEnabled(False)

    def _on_save_clicked(self) -> None:
        if self.save(None) is not None:
            self.accept()

    def save(self, path: Path | None) -> Path | None:
        w = self.window_
        if path is None:
            start = _folder(w) / f"{_stem(w)}_{self.dialect.currentData()}.sql"
            chosen, _ = QFileDialog.getSaveFileName(self, "Save the SQL", str(start), "SQL (*.sql)")
            if not chosen:
                return None
            path = Path(chosen)
        try:
            atomic_write_text(Path(path), self.text)
        except OSError as e:
            self.message.setText(f"<span style='color:#C0392B'>Cannot write {path}: {e.strerror or e}</span>")
            return None
        w.status(f"SQL ({self.dialect.currentData()}) written to {path}", 15000)
        return Path(path)


def install(window) -> None:
    """File > Export > Scores..., SQL for the warehouse..., Model as JSON... (beside Export report)."""
    menu = QMenu("E&xport", window.file_menu)
    menu.setToolTipsVisible(True)
    window.file_menu.insertMenu(window.act_quit, menu)
    window.export_menu = menu

    def action(text: str, slot, tip: str, shortcut: str | None = None) -> QAction:
        a = QAction(text, window)
        a.setToolTip(tip)
        a.setStatusTip(tip)
        if shortcut:
            a.setShortcut(shortcut)
            window.addAction(a)
        a.triggered.connect(lambda _c=False: slot())
        menu.addAction(a)
        return a

    window.act_export_scores = action("&Scores (CSV, Parquet, Excel)...", lambda: export_scores(window),
                                      "Every lead's score, fit, engagement, grade and status, as `leaddesigner score` writes them",
                                      "Ctrl+Alt+S")
    window.act_export_sql = action("S&QL for the warehouse...", lambda: SqlExportDialog(window).exec(),
                                   "The model as one SQL query for DuckDB, Postgres, Snowflake, BigQuery, Spark, T-SQL or SQLite")
    window.act_export_json = action("Model as &JSON...", lambda: export_json(window),
                                    "The model file as JSON (checked against the JSON Schema)")
    window.panels["export"] = menu
