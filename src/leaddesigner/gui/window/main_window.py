"""The main window: model tables on the left, live plots on the right, summary on top."""
from __future__ import annotations

import importlib

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QSettings,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QFont,
    QFontMetrics,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStyle,
    QToolBar,
    QToolButton,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.gui.dialogs.model_dialogs import ShortcutsDialog
from leaddesigner.gui.document import DEFAULT_HORIZON_DAYS, ModelDocument
from leaddesigner.gui.plotting.base import base_point_size, scaled_font
from leaddesigner.gui.recovery import RecoveryStore
from leaddesigner.gui.window.common import (
    APP_NAME,
    AUTOSAVE_AFTER_EDIT_MS,
    AUTOSAVE_MS,
    FONT_SCALES,
)
from leaddesigner.gui.window.data import DataMixin
from leaddesigner.gui.window.document_slots import DocumentViewMixin
from leaddesigner.gui.window.files import FilesMixin
from leaddesigner.gui.window.layout import LayoutMixin
from leaddesigner.gui.window.rules import RulesMixin

__all__ = ["MainWindow", "FONT_SCALES"]


# Analysis panels, each a module with ``install(window)`` that adds its tab to ``window.view_tabs``,
# its actions to ``window.analysis_menu`` (or ``window.file_menu``) and itself to ``window.panels``.
PANEL_MODULES: tuple[str, ...] = (
    "leaddesigner.gui.panels.profile",
    "leaddesigner.gui.actions.export",
    "leaddesigner.gui.panels.timeline",
    "leaddesigner.gui.panels.backtest", "leaddesigner.gui.actions.analysis",
    "leaddesigner.gui.panels.workshop",
    "leaddesigner.gui.panels.health",
    "leaddesigner.gui.panels.accounts",
)

class MainWindow(QMainWindow, LayoutMixin, RulesMixin, DataMixin, FilesMixin, DocumentViewMixin):
    """LeadDesigner's window over one :class:`ModelDocument`.

    ``interactive=False`` (screenshots, tests) never opens a dialog on its own
    initiative; errors go to the status bar.
    """

    def __init__(self, document: ModelDocument | None = None, *, interactive: bool = True,
                 settings_enabled: bool = True, recovery: RecoveryStore | None = None):
        super().__init__()
        self.doc = document or ModelDocument(parent=self)
        if self.doc.parent() is None:
            self.doc.setParent(self)
        self.interactive = interactive
        self.settings_enabled = settings_enabled
        self.recovery = recovery if recovery is not None else (RecoveryStore() if settings_enabled else None)
        self._forced_dirty = False
        self._new_model_after_load = False  # start_from_file: make the model once the file is read
        self._fresh_load = False  # data just reset: the next scores are shown in steps (doc.defer)
        self._history_dialog: QDialog | None = None
        self._history_view = None
        self._font_scale = 1.0
        self._base_point_size = base_point_size()
        self._apply_app_font(1.0)  # a window starts at normal size, whatever an earlier window left
        self._hist_bounds: tuple | None = None
        self._last_grid: tuple | None = None
        self._mapping_offered_for: object = None
        self._closing = False
        self.setWindowTitle(APP_NAME)
        self.setObjectName("LeadDesignerMainWindow")

        self._build_actions()
        self._build_central()
        self._build_menus()
        self.panels: dict[str, object] = {}
        for name in PANEL_MODULES:
            importlib.import_module(name).install(self)
        self._build_toolbar()
        self._build_status_bar()
        self._no_tab_traps()
        self._connect_document()

        self._error_style_timer = QTimer(self)
        self._error_style_timer.setSingleShot(True)
        self._error_style_timer.timeout.connect(self._on_error_style_timer_timeout)
        self._autosave = QTimer(self)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.autosave)
        # and one second after each burst of edits: a crash (kill -9) loses at most the last second
        self._autosave_soon = QTimer(self)
        self._autosave_soon.setSingleShot(True)
        self._autosave_soon.setInterval(AUTOSAVE_AFTER_EDIT_MS)
        self._autosave_soon.timeout.connect(self.autosave)
        if self.recovery is not None:
            self._autosave.start()
            self.doc.undo_stack.indexChanged.connect(self._on_undo_stack_index_changed_autosave)

        self.resize(1366, 768)
        if settings_enabled:
            self._restore_settings()
        self._update_title()
        self._update_actions()
        self._on_document_model_reset()
        self.grades_title.setFont(scaled_font(self._font_scale, 1.15, bold=True))
        self.grades_hint.setFont(scaled_font(self._font_scale, 0.95))
        self._apply_row_heights(self.centralWidget().font())

    # ================================================================== construction
    def _action(self, text: str, slot, shortcut=None, tip: str = "", icon=None, context=None) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            seqs = shortcut if isinstance(shortcut, (list, tuple)) else [shortcut]
            a.setShortcuts([QKeySequence(s) for s in seqs])
        keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in a.shortcuts())
        full = (tip or text.replace("&", "").rstrip(".")) + (f"  ({keys})" if keys else "")
        a.setToolTip(full)
        a.setStatusTip(tip or text.replace("&", ""))
        if icon is not None:
            a.setIcon(self.style().standardIcon(icon))
        if context is not None:
            a.setShortcutContext(context)
        a.triggered.connect(lambda _checked=False: slot())
        if context is None:
            self.addAction(a)  # window-wide; actions with a context are added to their widget by the caller
        return a

    def _build_actions(self) -> None:
        S = QStyle.StandardPixmap
        self.act_new = self._action("&New model", self.new_model, "Ctrl+N", "Start an empty model (with the loaded file's columns as attributes)", S.SP_FileIcon)
        self.act_open = self._action("&Open model...", self.open_dialog, "Ctrl+O", "Open a model file (.yaml or .json)", S.SP_DialogOpenButton)
        self.act_save = self._action("&Save", self.save, "Ctrl+S", "Save the model (written safely: a crash never leaves half a file)", S.SP_DialogSaveButton)
        self.act_save_as = self._action("Save &as...", self.save_as, "Ctrl+Shift+S", "Save the model under another name")
        self.act_quit = self._action("&Quit", self.close, "Ctrl+Q", "Close LeadDesigner")
        self.act_load_leads = self._action("Load &leads...", self.load_leads_dialog, "Ctrl+L", "Load a lead export (CSV, Excel or Parquet)", S.SP_DirOpenIcon)
        self.act_load_acts = self._action("Load &activity log...", self.load_activities_dialog, "Ctrl+Shift+L", "Load the activity log (one row per event) for behaviour rules")
        self.act_reload = self._action("&Reload data", self.reload_data, "F5", "Read the lead file and activity log again", S.SP_BrowserReload)
        self.act_outcome = self._action("What \u201cconverted\u201d &means...", self._on_outcome_action_triggered, "Ctrl+Shift+O",
                                        "Say which column (and which of its values) means a lead converted: "
                                        "until then no conversion figure is shown")
        self.act_map = self._action("&Map columns...", self.map_columns, "Ctrl+M", "Pick which file column holds each attribute of the model")
        self.act_cancel = self._action("&Cancel loading", self.doc.cancel_load, "Esc", "Stop loading the data")
        self.act_cancel.setEnabled(False)

        self.act_undo = self.doc.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcuts([QKeySequence("Ctrl+Z")])
        self.act_undo.setIcon(self.style().standardIcon(S.SP_ArrowBack))
        self.act_undo.setToolTip("Undo the last edit (Ctrl+Z)")
        self.act_redo = self.doc.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.act_redo.setIcon(self.style().standardIcon(S.SP_ArrowForward))
        self.act_redo.setToolTip("Redo (Ctrl+Shift+Z)")
        self.addAction(self.act_undo)
        self.addAction(self.act_redo)
        self.act_history = self._action("Edit &history...", self.show_history, "Ctrl+H", "Every edit since opening; click one to go back to it")

        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.act_add_rule = self._action("&Add rule", self.add_rule, ["Ins", "Ctrl+Shift+A"], "Add a rule on a lead attribute below the selected rule")
        self.act_add_behaviour = self._action("Add &behaviour rule", self.add_behaviour_rule, ["Shift+Ins", "Ctrl+Shift+B"], "Add a rule that counts events from the activity log")
        self.act_duplicate = self._action("&Duplicate rule", self.duplicate_rule, "Ctrl+D", "Copy the selected rule")
        self.act_delete = self._action("De&lete rule", self.delete_rules, "Del", "Delete the selected rules (Ctrl+Z brings them back)", context=ctx)
        self.act_up = self._action("Move rule &up", lambda: self.move_rule(-1), "Ctrl+Up", "Move the selected rule up", context=ctx)
        self.act_down = self._action("Move rule do&wn", lambda: self.move_rule(+1), "Ctrl+Down", "Move the selected rule down", context=ctx)
        self.act_toggle = self._action("Switch rule on/off", self.toggle_rules, "Space", "Switch the selected rules on or off", context=Qt.ShortcutContext.WidgetShortcut)
        self.act_edit_rule = self._action("&Edit rule as YAML...", self.edit_rule_yaml, "Ctrl+E", "Edit every part of the selected rule, including combined conditions")
        self.act_edit_model = self._action("Edit whole model as YAML...", self.edit_model_yaml, "Ctrl+Shift+E", "Edit persona weights, activity columns and everything else")
        self.act_filter = self._action("&Filter rules", self.focus_filter, "Ctrl+F", "Show only rules containing some text")

        self.act_bigger = self._action("&Bigger text", lambda: self.step_font(+1), ["Ctrl+=", "Ctrl++"], "Bigger text in tables and plots (projector)")
        self.act_smaller = self._action("&Smaller text", lambda: self.step_font(-1), "Ctrl+-", "Smaller text")
        self.act_normal = self._action("&Normal text size", lambda: self.set_font_scale(1.0), "Ctrl+0", "Back to the normal text size")
        self.act_inspector = self._action("Lead &inspector", self.show_inspector, "Ctrl+I", "Why a lead has its score, rule by rule")
        self.act_grades = self._action("Show &grades", self.toggle_grades, "Ctrl+G", "Show or hide the grade grid (more room for the plots on a projector)")
        self.act_grades.setCheckable(True)
        self.act_grades.setChecked(True)
        self.act_shortcuts = self._action("&Keyboard shortcuts", self.show_shortcuts, "F1", "All keyboard shortcuts")
        self.act_about = self._action("&About LeadDesigner", self.show_about, None, "Version and credits")


    def showEvent(self, ev) -> None:  # noqa: N802
        super().showEvent(ev)
        if not getattr(self, "_sizes_done", False):
            self._sizes_done = True
            self._initial_sizes()

    def _initial_sizes(self) -> None:
        """Left 55% for the tables, right for the plots, unless the user's own sizes were restored."""
        if getattr(self, "_sizes_restored", False):
            return
        w = max(self.main_split.width(), self.width() - 10)
        self.main_split.setSizes([int(w * 0.55), w - int(w * 0.55)])
        h = max(self.plot_split.height(), self.height() - 230)
        self.plot_split.setSizes([int(h * 0.40), int(h * 0.32), h - int(h * 0.72)])
        lh = max(self.leads_split.height(), h - 40)
        self.leads_split.setSizes([int(lh * 0.45), lh - int(lh * 0.45)])

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = self.file_menu = mb.addMenu("&File")
        m.setToolTipsVisible(True)
        for a in (self.act_new, self.act_open):
            m.addAction(a)
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.setToolTipsVisible(True)
        m.addSeparator()
        m.addAction(self.act_save)
        m.addAction(self.act_save_as)
        m.addSeparator()
        m.addAction(self.act_quit)
        self._rebuild_recent_menu()

        m = mb.addMenu("&Edit")
        m.setToolTipsVisible(True)
        for a in (self.act_undo, self.act_redo, self.act_history, None, self.act_add_rule, self.act_add_behaviour,
                  self.act_duplicate, self.act_delete, self.act_up, self.act_down, self.act_toggle, None,
                  self.act_edit_rule, self.act_edit_model, None, self.act_filter):
            m.addSeparator() if a is None else m.addAction(a)

        m = mb.addMenu("&Data")
        m.setToolTipsVisible(True)
        for a in (self.act_load_leads, self.act_load_acts, self.act_reload, self.act_cancel, None, self.act_map):
            m.addSeparator() if a is None else m.addAction(a)
        m.addAction(self.act_outcome)

        # filled by the analysis panels (PANEL_MODULES)
        self.analysis_menu = mb.addMenu("&Analysis")
        self.analysis_menu.setToolTipsVisible(True)

        m = self.view_menu = mb.addMenu("&View")
        m.setToolTipsVisible(True)
        for a in (self.act_bigger, self.act_smaller, self.act_normal, None, self.act_inspector, self.act_grades):
            m.addSeparator() if a is None else m.addAction(a)

        m = mb.addMenu("&Help")
        m.addAction(self.act_shortcuts)
        m.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        tb = QToolBar("Main", self)
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.act_open, self.act_save, None, self.act_undo, self.act_redo, None, self.act_load_leads, self.act_reload):
            if a is None:
                tb.addSeparator()
            elif a in (self.act_undo, self.act_redo):
                # a fixed label: the action's text names the command and would re-lay out the bar on every edit
                b = QToolButton(tb)
                b.setIcon(a.icon())
                b.setText("Undo" if a is self.act_undo else "Redo")
                b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
                b.setAutoRaise(True)
                b.clicked.connect(a.trigger)
                b.setEnabled(a.isEnabled())
                a.enabledChanged.connect(b.setEnabled)
                a.changed.connect(self._on_undo_action_changed)
                setattr(self, "undo_button" if a is self.act_undo else "redo_button", b)
                b.setToolTip("Undo the last edit (Ctrl+Z)" if a is self.act_undo else "Redo (Ctrl+Shift+Z)")
                tb.addWidget(b)
            else:
                tb.addAction(a)
        spacer = QWidget(tb)
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy())
        tb.addWidget(spacer)
        for a, text in ((self.act_smaller, "A\u2212"), (self.act_bigger, "A+")):
            b = QToolButton(tb)
            b.setDefaultAction(a)
            b.setText(text)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            tb.addWidget(b)
        self.addToolBar(tb)
        self.toolbar = tb

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 (Qt API)
        if obj is self.rules_view and ev.type() == QEvent.Type.FocusIn:
            self._on_rules_view_focus_in()
        return super().eventFilter(obj, ev)

    def _on_rules_view_focus_in(self) -> None:
        """Keyboard users land on the name of the current (or first) rule, not on its on/off box:
        Right then reaches the points and F2 edits them."""
        v = self.rules_view
        idx = v.currentIndex()
        src = self.rules_proxy.mapToSource(idx) if idx.isValid() else None
        if self.rules_proxy.rowCount() and (src is None or self.rules_model.key_of(src.column()) == "enabled"):
            row = idx.row() if idx.isValid() else 0
            label = self.rules_proxy.mapFromSource(self.rules_model.index(self.rules_proxy.mapToSource(
                self.rules_proxy.index(row, 0)).row(), self.rules_model.column_of("label")))
            v.selectionModel().setCurrentIndex(label, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                               | QItemSelectionModel.SelectionFlag.Rows)

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.data_label = QLabel("No leads loaded", self)
        self.data_label.setToolTip("The loaded data")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop loading (Esc)")
        self.cancel_button.clicked.connect(self.doc.cancel_load)
        self.cancel_button.setVisible(False)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_button)
        sb.addPermanentWidget(self.data_label)

    def _connect_document(self) -> None:
        d = self.doc
        d.scoresChanged.connect(self._on_document_scores_changed)
        d.dataReset.connect(self._on_document_data_reset)
        d.momentChanged.connect(self._on_document_moment_changed)
        d.modelReset.connect(self._on_document_model_reset)
        d.changed.connect(self._on_document_changed)
        d.pathChanged.connect(self._update_title)
        d.loadStarted.connect(self._on_document_load_started)
        d.loadProgress.connect(self._on_document_load_progress)
        d.loadFinished.connect(self._on_document_load_ended)
        d.loadFailed.connect(self._on_document_load_failed)
        d.loadCancelled.connect(self._on_document_load_cancelled)
        d.error.connect(self.show_error)
        d.undo_stack.cleanChanged.connect(self._on_undo_stack_clean_changed)
        d.undo_stack.indexChanged.connect(self._on_undo_stack_index_changed)

    def _on_undo_action_changed(self) -> None:
        self.undo_button.setToolTip(self.act_undo.text().replace("&", "") + "  (Ctrl+Z)")
        if hasattr(self, "redo_button"):
            self.redo_button.setToolTip(self.act_redo.text().replace("&", "") + "  (Ctrl+Shift+Z)")

    def _on_undo_stack_clean_changed(self, _clean: bool) -> None:
        self._update_title()

    def _on_undo_stack_index_changed(self, _i: int) -> None:
        self._update_actions()

    # ================================================================== state helpers
    def is_modified(self) -> bool:
        return self._forced_dirty or not self.doc.undo_stack.isClean()

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.doc.title}[*] \u2014 {APP_NAME}")
        self.setWindowModified(self.is_modified())

    def _update_actions(self) -> None:
        has_rules = bool(self.doc.model.rules)
        for a in (self.act_duplicate, self.act_delete, self.act_up, self.act_down, self.act_toggle, self.act_edit_rule):
            a.setEnabled(has_rules)
        self.act_reload.setEnabled(self.doc.leads_path is not None)
        self.act_map.setEnabled(self.doc.leads_frame is not None)
        self.act_load_acts.setEnabled(self.doc.leads_path is not None or self.doc.leads_frame is not None)

    def status(self, text: str, ms: int = 6000) -> None:
        self.statusBar().setStyleSheet("")
        self.statusBar().showMessage(text, ms)

    def show_error(self, text: str) -> None:
        """An edit or refresh error: red in the status bar (no dialog, no traceback)."""
        self.statusBar().setStyleSheet("QStatusBar { color: #B00020; font-weight: bold; }")
        self.statusBar().showMessage(text, 15000)
        self._error_style_timer.start(15000)

    def _on_error_style_timer_timeout(self) -> None:
        self.statusBar().setStyleSheet("")

    def error_dialog(self, title: str, text: str, details: str | None = None) -> None:
        """A problem the user must act on: a dialog when interactive, else the status bar."""
        if not self.interactive:
            self.show_error(text.replace("\n", " "))
            return
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setInformativeText(details)
        box.exec()

    # ================================================================== view
    def font_scale(self) -> float:
        return self._font_scale

    def step_font(self, step: int) -> None:
        cur = min(range(len(FONT_SCALES)), key=lambda i: abs(FONT_SCALES[i] - self._font_scale))
        self.set_font_scale(FONT_SCALES[max(0, min(len(FONT_SCALES) - 1, cur + step))])

    def _apply_app_font(self, scale: float) -> None:
        """The application font at ``scale``: menus, the toolbar, the status bar and every dialog follow it."""
        app = QApplication.instance()
        f = QFont(app.font())
        f.setPointSizeF(self._base_point_size * scale)
        app.setFont(f)
        for m in self.findChildren(QMenu):
            m.setFont(f)
        px = round(16 * scale)
        for tb in self.findChildren(QToolBar):
            tb.setIconSize(QSize(px, px))

    def _strip_scale(self) -> float:
        """The summary strip's scale: it grows with the text, but on a short screen it leaves the plots room."""
        room = max(1.0, 1.0 + (self.height() - 620) / 500)  # 768 px: at most 1.3; 1080 px: 1.9
        return min(self._font_scale, room)

    def set_font_scale(self, scale: float) -> None:
        """Scale the text of tables, panels, plots and the window's chrome (presentation mode)."""
        self._font_scale = float(scale)
        self._apply_app_font(self._font_scale)
        f = QFont(self.font())
        f.setPointSizeF(self._base_point_size * self._font_scale)
        self.centralWidget().setFont(f)
        for v in (self.hist, self.weekly, self.grid):
            v.set_font_scale(self._font_scale)
        self.summary_strip.set_font_scale(self._strip_scale())
        self.grades_title.setFont(scaled_font(self._font_scale, 1.15, bold=True))
        self.grades_hint.setFont(scaled_font(self._font_scale, 0.95))
        self._apply_row_heights(f)
        ratio = self._font_scale / getattr(self, "_applied_scale", 1.0)
        self._applied_scale = self._font_scale
        for view in (self.rules_view, self.attributes_view, self.leads_view, self.problems_view, self.inspector.table,
                     self.targets_panel.caps_table, *self.targets_panel.band_tables.values()):
            view.setFont(f)
            h = view.horizontalHeader()
            if abs(ratio - 1.0) > 1e-6 and h.sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive:
                for c in range(h.count()):  # columns grow with the text
                    h.resizeSection(c, max(24, round(h.sectionSize(c) * ratio)))
        # labels styled with a style sheet do not follow their parent's font: set it on them
        plots = (self.hist, self.weekly, self.grid, self.summary_strip, self.grades_title, self.grades_hint)
        for wdg in self.centralWidget().findChildren(QWidget):
            if wdg.styleSheet() and not any(p is wdg or p.isAncestorOf(wdg) for p in plots):
                wdg.setFont(f)
        self.rule_details.setMinimumHeight(QFontMetrics(f).height() * 2 + 6)
        if abs(ratio - 1.0) > 1e-6:
            QTimer.singleShot(0, self, self._rebalance_plots)  # once the layouts know the new text sizes
        if self.settings_enabled:
            QSettings().setValue("view/font_scale", self._font_scale)
        self.status(f"Text size {round(self._font_scale * 100)}% (Ctrl+0: normal)", 2500)

    def _no_tab_traps(self) -> None:
        """Tab moves between the window's parts; the arrow keys move between cells (a table kept Tab for itself)."""
        for v in self._tables():
            v.setTabKeyNavigation(False)

    def _tables(self) -> list:
        return [self.rules_view, self.attributes_view, self.leads_view, self.problems_view, self.inspector.table,
                self.targets_panel.caps_table, *self.targets_panel.band_tables.values()]

    def _apply_row_heights(self, font: QFont) -> None:
        row_h = int(QFontMetrics(font).height() * 1.45) + 2
        for view in self._tables():
            view.verticalHeader().setDefaultSectionSize(row_h)

    def show_inspector(self) -> None:
        self.editor_tabs.setCurrentWidget(self.leads_tab)
        self.inspector.search.setFocus()

    def resizeEvent(self, ev) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(ev)
        if abs(self._strip_scale() - self.summary_strip._scale) > 0.01:
            self.summary_strip.set_font_scale(self._strip_scale())

    def _rebalance_plots(self, fit_grades: bool = True) -> None:
        """Bigger text needs the room in the plots more than in the grade grid."""
        if fit_grades:
            self._fit_grades_to_height()
        total = sum(self.plot_split.sizes())
        share = (0.38, 0.37, 0.25) if self._font_scale >= 1.3 else (0.40, 0.32, 0.28)
        if self.grades_page.isHidden():
            # the weekly plot's header (title, scoring moment, legend) wraps to more lines than the histogram's
            share = (0.47, 0.53, 0.0)
            heads = [v.height() - v.plot_widget.height() for v in (self.hist, self.weekly)]
            if all(h > 0 for h in heads) and total > sum(heads):
                # equal plot areas: each panel gets its header plus half of what is left
                rest = (total - sum(heads)) / 2
                share = ((heads[0] + rest) / total, (heads[1] + rest) / total, 0.0)
        self.plot_split.setSizes([int(total * x) for x in share])

    def _say_grades_hidden(self) -> None:
        self.status("The grade grid is hidden to make room for the plots (Ctrl+G shows it)", 8000)

    def _fit_grades_to_height(self) -> None:
        """Hide the grade grid when big text leaves too little height for it and the two plots."""
        need = sum(v.minimumSizeHint().height() for v in (self.hist, self.weekly, self.grid))
        have = self.plot_split.height()
        if self.grades_page.isVisible() and need > have:
            self._grades_auto_hidden = True
            self.act_grades.setChecked(False)
            self.grades_page.setVisible(False)
            QTimer.singleShot(2600, self, self._say_grades_hidden)
        elif getattr(self, "_grades_auto_hidden", False) and need <= have:
            self._grades_auto_hidden = False
            self.act_grades.setChecked(True)
            self.grades_page.setVisible(True)

    def toggle_grades(self) -> None:
        self._grades_auto_hidden = False
        self.grades_page.setVisible(self.act_grades.isChecked())
        if self._font_scale >= 1.3:  # the user's choice stands: share the height again, without hiding it
            QTimer.singleShot(0, self, lambda: self._rebalance_plots(fit_grades=False))
        if self.act_grades.isChecked():
            self.grid.setFocus()

    def history_dialog(self) -> QDialog:
        """Edit > History: one dialog for the window's lifetime.

        The dialog and its QUndoView are kept: when PySide6 (6.11) frees the
        Python wrapper of a QUndoView, it also invalidates the undo stack's
        actions, and every later Ctrl+Z fails with "Internal C++ object
        (QAction) already deleted".
        """
        if self._history_dialog is None:
            dlg = QDialog(self)
            dlg.setWindowTitle("Edit history")
            view = QUndoView(dlg)
            view.setStack(self.doc.undo_stack)
            view.setEmptyLabel("<opened>")
            lay = QVBoxLayout(dlg)
            lay.addWidget(QLabel("Click an entry to go back to that point; every edit after it can be redone.", dlg))
            lay.addWidget(view)
            dlg.resize(420, 480)
            self._history_dialog, self._history_view = dlg, view
        return self._history_dialog

    def show_history(self) -> None:
        self.history_dialog().exec()

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self).exec()

    def show_about(self) -> None:
        import leaddesigner

        QMessageBox.about(
            self, "About LeadDesigner",
            f"<b>LeadDesigner {getattr(leaddesigner, '__version__', '')}</b><br>"
            "Design lead-scoring models with sales and marketing: edit the rules, see at once how many MQLs per week "
            "they produce against SDR capacity, and save the model for the production system.",
        )

    # ================================================================== settings and closing
    def _restore_settings(self) -> None:
        s = QSettings()
        geo = s.value("window/geometry")
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        state = s.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        restored = False
        for key, split in (("window/main_split", self.main_split), ("window/plot_split", self.plot_split)):
            v = s.value(key)
            if isinstance(v, QByteArray) and not v.isEmpty():
                restored = split.restoreState(v) or restored
        self._sizes_restored = restored
        hv = s.value("rules/header")
        if isinstance(hv, QByteArray) and not hv.isEmpty():
            self.rules_view.horizontalHeader().restoreState(hv)
        scale = s.value("view/font_scale", 1.0, type=float)
        if scale and abs(scale - 1.0) > 1e-6:
            self.set_font_scale(scale)
        mode = s.value("scoring/mode", "horizon", type=str)
        days = s.value("scoring/horizon_days", DEFAULT_HORIZON_DAYS, type=float)
        days = days if days and days > 0 else DEFAULT_HORIZON_DAYS
        self.targets_panel.moment_box.days.blockSignals(True)
        self.targets_panel.moment_box.days.setValue(int(round(days)))
        self.targets_panel.moment_box.days.blockSignals(False)
        self.doc.set_scoring_moment(days if mode == "horizon" else None, self.doc.as_of_pref)

    def save_settings(self) -> None:
        if not self.settings_enabled:
            return
        s = QSettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/main_split", self.main_split.saveState())
        s.setValue("window/plot_split", self.plot_split.saveState())
        s.setValue("rules/header", self.rules_view.horizontalHeader().saveState())
        s.setValue("view/font_scale", self._font_scale)
        s.sync()

    def closeEvent(self, ev: QCloseEvent) -> None:  # noqa: N802
        if self.is_modified():
            ans = QMessageBox.question(
                self, "Save changes before closing?",
                f"The model \u201c{self.doc.model.name}\u201d has unsaved changes.",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Save,
            )
            if ans == QMessageBox.StandardButton.Cancel or (ans == QMessageBox.StandardButton.Save and not self.save()):
                ev.ignore()
                return
        self._closing = True
        self._autosave.stop()
        self._clear_recovery()
        self.save_settings()
        self.doc.cancel_load()
        self.doc.wait_for_workers(300)  # a load still running finishes after the window closes (see app.main)
        ev.accept()

