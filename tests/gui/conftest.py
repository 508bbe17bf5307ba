"""GUI test fixtures: settings in a temp folder, a small generated data set, a loaded window."""
from __future__ import annotations

import copy
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QMessageBox

SAMPLE_LEADS = 2500


@pytest.fixture(autouse=True)
def qsettings_tmp(qapp, tmp_path):
    """Point QSettings (and the recovery folder) at a temp folder for every GUI test."""
    QCoreApplication.setOrganizationName("LeadDesigner")
    QCoreApplication.setApplicationName("LeadDesignerTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    folder = tmp_path / "settings"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    s = QSettings()
    s.clear()
    s.setValue("recovery/folder", str(tmp_path / "recovery"))
    s.sync()
    yield folder
    QSettings().clear()


@pytest.fixture(autouse=True)
def no_running_workers():
    """After each test, cancel and wait for every background worker (a QThread that outlives
    its test would be destroyed while running when the process exits)."""
    yield
    from leaddesigner.gui.tasks import stop_workers

    stop_workers(60000)


@pytest.fixture(autouse=True)
def no_blocking_dialogs(monkeypatch):
    """A test that does not say how to answer a message box gets 'Discard' / 'No' (never a hang)."""
    asked: list[tuple[str, str]] = []

    def question(parent, title, text, buttons=None, default=None):
        asked.append((title, text))
        if buttons is not None and buttons & QMessageBox.StandardButton.Discard:
            return QMessageBox.StandardButton.Discard
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: int(QMessageBox.StandardButton.Ok))
    return asked


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> tuple[Path, Path]:
    """A small generated lead file and activity log (CSV), written once per session."""
    from leaddesigner.samples.generate import generate, write_frames

    out = tmp_path_factory.mktemp("data")
    leads, acts = generate(SAMPLE_LEADS, seed=11, weeks=12)
    return write_frames(leads, acts, out, "csv")


@pytest.fixture(scope="session", autouse=True)
def dataset_frame_cache(dataset):
    """Read the session's generated files once: ~80 tests load them into a window (~140 ms each).

    Only files in the dataset's folder are cached, keyed by size and modification time,
    and every load gets its own copy of the frame; every other file is read as usual.
    """
    from leaddesigner.core.data import pipeline

    folder = dataset[0].parent
    real = pipeline.read_file
    cache: dict = {}

    def read_file(path, **kwargs):
        p = Path(path)
        if p.parent != folder:
            return real(path, **kwargs)
        st = p.stat()
        key = (p, st.st_size, st.st_mtime_ns, kwargs.get("sheet"), tuple(kwargs.get("keep_dictionary") or ()),
               tuple(kwargs.get("text_columns") or ()),
               tuple(kwargs.get("usecols") or ()))
        if key not in cache:
            cache[key] = real(path, **kwargs)
        frame, info = cache[key]
        return frame.copy(), copy.copy(info)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "read_file", read_file)
        yield cache


@pytest.fixture(scope="session")
def model_path() -> Path:
    from leaddesigner import paths

    p = paths.default_model()
    if not p.exists():
        pytest.skip("the default sample model is missing")
    return p


@pytest.fixture
def window(qtbot, dataset, model_path, tmp_path):
    """The main window with the sample model and the generated data loaded and scored."""
    from leaddesigner.gui.recovery import RecoveryStore
    from leaddesigner.gui.window.main_window import MainWindow

    w = MainWindow(interactive=False, settings_enabled=True, recovery=RecoveryStore(tmp_path / "recovery"))
    qtbot.addWidget(w)
    w.show()
    assert w.open_model(model_path, ask=False)
    w.load_data(*dataset)
    qtbot.waitUntil(lambda: w.doc.has_data and w.doc.ready and w.doc.summary is not None, timeout=30000)
    yield w
    w.doc.wait_for_workers(10000)
