"""The main window: model tables on the left, live plots on the right, summary on top."""
from __future__ import annotations

import copy
import importlib
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QEvent, QItemSelectionModel, QModelIndex, QSettings, QSize, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QColor, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core import commands as C
from leaddesigner.core.leadfile import SUPPORTED_EXTENSIONS
from leaddesigner.core.model import ActivitySpec, Attribute, Leaf, Rule, ScoringModel
from leaddesigner.core.modelio import ModelError, dumps_model, load_model, loads_model, save_model

from .delegates import AttributesDelegate, RulesDelegate, guess_type
from .data_dialogs import ColumnMappingDialog, OutcomeDialog, suggest_column
from .dialogs import ModelYamlDialog, RuleYamlDialog, ShortcutsDialog, ValueMapDialog
from .document import DEFAULT_HORIZON_DAYS, ModelDocument, day_text
from .inspector import LeadInspector
from .panels import DefinitionsPanel, TargetsPanel
from .plots import GradeGridView, ScoreHistogramView, WeeklyVolumeView, base_point_size, scaled_font
from .recovery import RecoveryStore
from .summary_strip import SummaryStrip
from .table_models import (
    AttributesTableModel,
    LeadsTableModel,
    ProblemsTableModel,
    RulesTableModel,
    _esc,
    value_counts,
)

__all__ = ["MainWindow", "FONT_SCALES"]

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



# Analysis panels, each a module with ``install(window)`` that adds its tab to ``window.view_tabs``,
# its actions to ``window.analysis_menu`` (or ``window.file_menu``) and itself to ``window.panels``.
PANEL_MODULES: tuple[str, ...] = (
    "leaddesigner.gui.profile_panel",
    "leaddesigner.gui.export_actions",
    "leaddesigner.gui.timeline_panel",
    "leaddesigner.gui.backtest_panel", "leaddesigner.gui.analysis_actions",
)

class RulesFilterProxy(QSortFilterProxyModel):
    """Rules of one dimension and/or containing some text; keeps the scoring order."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.dimension: str | None = None
        self.text = ""

    def set_filter(self, dimension: str | None, text: str) -> None:
        self.beginFilterChange()
        self.dimension, self.text = dimension, text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802
        src = self.sourceModel()
        if row >= src.rowCount():
            return False
        r = src.rule(row)
        if self.dimension and r.dimension != self.dimension:
            return False
        if self.text:
            hay = " ".join([r.id, r.label, r.describe(), r.group or "", r.product or "", r.why or ""]).lower()
            return self.text in hay
        return True


class MainWindow(QMainWindow):
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

    def _build_central(self) -> None:
        doc = self.doc
        self.summary_strip = SummaryStrip(self)

        # mapping banner: shown when the model's attributes are not all in the file
        self.banner = QFrame(self)
        self.banner.setObjectName("mappingBanner")
        self.banner.setStyleSheet("#mappingBanner { background: #fff4e0; border: 1px solid #e8b96a; border-radius: 4px; }")
        self.banner_label = QLabel("", self.banner)
        self.banner_label.setWordWrap(True)
        self.banner_button = QPushButton("Map columns...", self.banner)
        self.banner_button.setToolTip("Pick the file column for each missing attribute (Ctrl+M)")
        self.banner_button.clicked.connect(self.map_columns)
        self.banner_problems = QPushButton("Show problems", self.banner)
        self.banner_problems.clicked.connect(lambda: self.editor_tabs.setCurrentWidget(self.problems_tab))
        bl = QHBoxLayout(self.banner)
        bl.setContentsMargins(8, 4, 8, 4)
        bl.addWidget(self.banner_label, 1)
        bl.addWidget(self.banner_button)
        bl.addWidget(self.banner_problems)
        self.banner.setVisible(False)

        # ---- rules tab
        self.rules_model = RulesTableModel(doc, self)
        self.rules_proxy = RulesFilterProxy(self)
        self.rules_proxy.setSourceModel(self.rules_model)
        self.rules_view = QTableView(self)
        self.rules_view.setObjectName("rulesView")
        self.rules_view.setModel(self.rules_proxy)
        self.rules_view.setItemDelegate(RulesDelegate(doc, self.rules_view))
        self.rules_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rules_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.rules_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.rules_view.setDragEnabled(True)
        self.rules_view.setAcceptDrops(True)
        self.rules_view.setDropIndicatorShown(True)
        self.rules_view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.rules_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.rules_view.setAlternatingRowColors(True)
        self.rules_view.setWordWrap(False)
        self.rules_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.rules_view.verticalHeader().setVisible(False)
        self.rules_view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.rules_view.doubleClicked.connect(self._on_rules_view_double_clicked)
        self.rules_view.setToolTip("")
        for a in (self.act_delete, self.act_up, self.act_down, self.act_toggle):
            self.rules_view.addAction(a)
        self.rules_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.rules_view.customContextMenuRequested.connect(self._on_rules_view_context_menu)
        self.rules_view.installEventFilter(self)  # focus in: start on the rule's name, so Right reaches its points
        widths = {"enabled": 34, "label": 190, "dimension": 86, "attribute": 120, "op": 92, "value": 160, "points": 74,
                  "matches": 96, "max_points": 52, "within_days": 66, "decay": 70, "group": 96, "product": 84,
                  "id": 130, "why": 260}
        hh = self.rules_view.horizontalHeader()
        hh.setHighlightSections(False)
        for key, w in widths.items():
            self.rules_view.setColumnWidth(self.rules_model.column_of(key), w)
        hh.setSectionsMovable(True)
        hh.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        hh.customContextMenuRequested.connect(self._on_rules_header_context_menu)
        self.rules_view.selectionModel().currentRowChanged.connect(self._on_rules_view_current_changed)

        self.rule_filter_dim = QComboBox(self)
        self.rule_filter_dim.addItem("All rules", None)
        self.rule_filter_dim.addItem("Fit", "fit")
        self.rule_filter_dim.addItem("Engagement", "engagement")
        self.rule_filter_dim.setToolTip("Show the rules of one dimension")
        self.rule_filter_text = QLineEdit(self)
        self.rule_filter_text.setPlaceholderText("Filter rules (Ctrl+F)")
        self.rule_filter_text.setClearButtonEnabled(True)
        self.rule_filter_text.setToolTip("Show only rules whose name, id, condition, group or product contains this text")
        self.rule_filter_dim.currentIndexChanged.connect(self._on_rule_filter_changed)
        self.rule_filter_text.textChanged.connect(self._on_rule_filter_changed)

        rbar = QHBoxLayout()
        rbar.setContentsMargins(0, 0, 0, 0)
        self._rule_buttons = []
        S = QStyle.StandardPixmap
        for act, label, icon in ((self.act_add_rule, "Add rule", None), (self.act_add_behaviour, "Add behaviour rule", None),
                                 (self.act_duplicate, "Duplicate", None), (self.act_delete, "", S.SP_TrashIcon),
                                 (self.act_up, "", S.SP_ArrowUp), (self.act_down, "", S.SP_ArrowDown)):
            b = QToolButton(self)
            if icon is not None:
                b.setIcon(self.style().standardIcon(icon))
            else:
                b.setText(label)
            b.setToolTip(act.toolTip())
            b.setAutoRaise(True)
            b.clicked.connect(act.trigger)
            act.enabledChanged.connect(b.setEnabled)
            b.setEnabled(act.isEnabled())
            self._rule_buttons.append(b)
            rbar.addWidget(b)
        rbar.addStretch(1)
        self.rule_filter_text.setMinimumWidth(90)
        rbar.addWidget(self.rule_filter_dim)
        rbar.addWidget(self.rule_filter_text, 1)
        self.rule_details = QLabel("", self)
        self.rule_details.setWordWrap(True)
        self.rule_details.setTextFormat(Qt.TextFormat.RichText)
        self.rule_details.setStyleSheet("color: #333; padding: 2px;")
        self.rule_details.setMinimumHeight(QFontMetrics(self.font()).height() * 2 + 6)
        self.rules_tab = QWidget(self)
        rl = QVBoxLayout(self.rules_tab)
        rl.setContentsMargins(4, 4, 4, 4)
        rl.setSpacing(3)
        rl.addLayout(rbar)
        rl.addWidget(self.rules_view, 1)
        rl.addWidget(self.rule_details)

        # ---- attributes tab
        self.attributes_model = AttributesTableModel(doc, self)
        self.attributes_view = QTableView(self)
        self.attributes_view.setModel(self.attributes_model)
        self.attributes_view.setItemDelegate(AttributesDelegate(doc, self.attributes_view))
        self.attributes_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.attributes_view.setAlternatingRowColors(True)
        self.attributes_view.verticalHeader().setVisible(False)
        self.attributes_view.setWordWrap(False)
        for key, w in {"name": 150, "type": 84, "column": 150, "status": 70, "filled": 60, "distinct": 70,
                       "used_by": 200, "kind": 100, "description": 260}.items():
            self.attributes_view.setColumnWidth(self.attributes_model.column_of(key), w)
        abar = QHBoxLayout()
        add_attr = QPushButton("Add attribute", self)
        add_attr.setToolTip("Declare another lead attribute (pick its file column afterwards)")
        add_attr.clicked.connect(self.add_attribute)
        del_attr = QPushButton("Delete attribute", self)
        del_attr.setToolTip("Delete the selected attribute (only when no rule uses it)")
        del_attr.clicked.connect(self.delete_attribute)
        map_btn = QPushButton("Map columns...", self)
        map_btn.setToolTip("Pick the file column of every attribute at once (Ctrl+M)")
        map_btn.clicked.connect(self.map_columns)
        abar.addWidget(add_attr)
        abar.addWidget(del_attr)
        abar.addStretch(1)
        abar.addWidget(map_btn)
        self.attributes_tab = QWidget(self)
        al = QVBoxLayout(self.attributes_tab)
        al.setContentsMargins(4, 4, 4, 4)
        al.addLayout(abar)
        al.addWidget(self.attributes_view, 1)

        # ---- targets and definitions
        self.targets_panel = TargetsPanel(doc, self)
        self.definitions_panel = DefinitionsPanel(doc, self)

        # ---- leads tab
        self.leads_model = LeadsTableModel(doc, self)
        self.leads_view = QTableView(self)
        self.leads_view.setModel(self.leads_model)
        self.leads_view.setSortingEnabled(True)
        self.leads_view.horizontalHeader().setSortIndicator(1, Qt.SortOrder.DescendingOrder)
        self.leads_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.leads_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.leads_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.leads_view.setAlternatingRowColors(True)
        self.leads_view.setWordWrap(False)
        self.leads_view.verticalHeader().setVisible(False)
        self.leads_view.activated.connect(self._on_leads_view_activated)
        self.leads_view.doubleClicked.connect(self._on_leads_view_activated)
        self.lead_status = QComboBox(self)
        for text, v in (("All leads", None), ("MQLs and SQLs", 1), ("SQLs", 2), ("Below MQL", 0)):
            self.lead_status.addItem(text, v)
        self.lead_status.setToolTip("Show leads of one status")
        self.lead_grade = QComboBox(self)
        self.lead_grade.setToolTip("Show leads of one grade (or click a cell of the grade grid)")
        self.lead_search = QLineEdit(self)
        self.lead_search.setPlaceholderText("Lead id contains...")
        self.lead_search.setClearButtonEnabled(True)
        self.lead_search.setToolTip("Type part of a lead id and press Enter")
        self.lead_count = QLabel("", self)
        self.lead_count.setStyleSheet("color: #555;")
        self.lead_status.currentIndexChanged.connect(self._on_lead_filter_changed)
        self.lead_grade.currentIndexChanged.connect(self._on_lead_filter_changed)
        self.lead_search.returnPressed.connect(self._on_lead_filter_changed)
        lbar = QHBoxLayout()
        lbar.addWidget(self.lead_status)
        lbar.addWidget(self.lead_grade)
        lbar.addWidget(self.lead_search, 1)
        lbar.addWidget(self.lead_count)
        leads_top = QWidget(self)
        ll = QVBoxLayout(leads_top)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(lbar)
        ll.addWidget(self.leads_view, 1)
        hint = QLabel("Double-click a lead (or press Enter) to see below why it has its score.", self)
        hint.setStyleSheet("color: #555;")
        ll.addWidget(hint)
        self.inspector = LeadInspector(doc, self)
        self.inspector_box = QFrame(self)
        self.inspector_box.setObjectName("inspectorBox")
        # a line, not a style sheet: children of a widget with a style sheet stop following the font scale
        rule = QFrame(self.inspector_box)
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        ib = QVBoxLayout(self.inspector_box)
        ib.setContentsMargins(0, 0, 0, 0)
        ib.setSpacing(2)
        ib.addWidget(rule)
        self.inspector_title = QLabel("<b>Lead inspector</b> <span style='color:#555'>&nbsp;why a lead has its score, "
                                      "and what it would take to become an MQL (Ctrl+I)</span>", self)
        ib.addWidget(self.inspector_title)
        ib.addWidget(self.inspector, 1)
        self.leads_split = QSplitter(Qt.Orientation.Vertical, self)
        self.leads_split.setObjectName("leadsSplit")
        self.leads_split.addWidget(leads_top)
        self.leads_split.addWidget(self.inspector_box)
        self.leads_split.setChildrenCollapsible(False)
        self.leads_split.setStretchFactor(0, 4)
        self.leads_split.setStretchFactor(1, 5)
        self.leads_tab = QWidget(self)
        lt = QVBoxLayout(self.leads_tab)
        lt.setContentsMargins(4, 4, 4, 4)
        lt.addWidget(self.leads_split)

        # ---- problems tab
        self.problems_model = ProblemsTableModel(doc, self)
        self.problems_view = QTableView(self)
        self.problems_view.setModel(self.problems_model)
        self.problems_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems_view.setWordWrap(True)
        self.problems_view.verticalHeader().setVisible(False)
        self.problems_view.setAlternatingRowColors(True)
        ph = self.problems_view.horizontalHeader()
        for c, w in enumerate((120, 120, 70, 420, 260, 160)):
            self.problems_view.setColumnWidth(c, w)
        ph.setStretchLastSection(True)
        self.problems_view.doubleClicked.connect(self._on_problems_view_double_clicked)
        self.problems_empty = QLabel("No problems: every attribute was found and every value fits its type.", self)
        self.problems_empty.setStyleSheet("color: #1B6E3A; padding: 6px;")
        self.problems_empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.problems_tab = QWidget(self)
        pl = QVBoxLayout(self.problems_tab)
        pl.setContentsMargins(4, 4, 4, 4)
        pl.addWidget(self.problems_empty)
        pl.addWidget(self.problems_view, 1)
        pl.addStretch(0)

        self.editor_tabs = QTabWidget(self)
        self.editor_tabs.setDocumentMode(True)
        self.editor_tabs.addTab(self.rules_tab, "Rules")
        self.editor_tabs.addTab(self.attributes_tab, "Attributes")
        self.editor_tabs.addTab(self.targets_panel, "Thresholds && capacity")
        self.editor_tabs.addTab(self.definitions_panel, "Definitions")
        self.editor_tabs.addTab(self.leads_tab, "Leads")
        self.editor_tabs.addTab(self.problems_tab, "Problems")
        tips = ["The scoring rules, in order (Ctrl+1)", "Lead attributes and the file columns they come from (Ctrl+2)",
                "MQL/SQL thresholds, SDR capacity, grade bands and caps (Ctrl+3)",
                "What lead, MQL and SQL mean; the model's name and owners (Ctrl+4)",
                "The loaded leads with their scores (Ctrl+5)", "What in the data does not fit the model (Ctrl+6)"]
        for i, t in enumerate(tips):
            self.editor_tabs.setTabToolTip(i, t)
            self._action(f"Tab {i + 1}", lambda i=i: self.editor_tabs.setCurrentIndex(i), f"Ctrl+{i + 1}", t)
        self.editor_tabs.currentChanged.connect(self._on_editor_tabs_current_changed)
        self._on_editor_tabs_current_changed(self.editor_tabs.currentIndex())

        # ---- plots
        self.hist = ScoreHistogramView(self)
        self.hist.thresholdMoved.connect(self._on_hist_threshold_moved)
        self.hist.thresholdDragFinished.connect(self._on_hist_threshold_drag_finished)
        self.weekly = WeeklyVolumeView(self)
        self.weekly.noteLinkActivated.connect(self._on_weekly_note_link_activated)
        self.grid = GradeGridView(self)
        self.grid.cellClicked.connect(self._on_grid_cell_clicked)
        self.grades_page = QWidget(self)
        self.grades_page.setAutoFillBackground(True)
        pal = self.grades_page.palette()
        pal.setColor(self.grades_page.backgroundRole(), Qt.GlobalColor.white)
        self.grades_page.setPalette(pal)
        self.grades_title = QLabel("Leads per grade", self.grades_page)
        self.grades_title.setToolTip(self.grid.toolTip())
        # names the axes also when the grid drops its own captions (short panes, big text)
        self.grades_hint = QLabel("fit \u00d7 engagement", self.grades_page)
        self.grades_hint.setToolTip(self.grid.toolTip())
        hp = self.grades_hint.palette()
        hp.setColor(self.grades_hint.foregroundRole(), QColor("#555555"))
        self.grades_hint.setPalette(hp)
        head = QHBoxLayout()
        head.setSpacing(10)
        head.addWidget(self.grades_title, 0, Qt.AlignmentFlag.AlignBaseline)
        head.addWidget(self.grades_hint, 0, Qt.AlignmentFlag.AlignBaseline)
        head.addStretch(1)
        gl = QVBoxLayout(self.grades_page)
        gl.setContentsMargins(6, 2, 0, 0)
        gl.setSpacing(0)
        gl.addLayout(head)
        gl.addWidget(self.grid, 1)

        self.plot_split = QSplitter(Qt.Orientation.Vertical, self)
        self.plot_split.setObjectName("plotSplit")
        self.plot_split.addWidget(self.hist)
        self.plot_split.addWidget(self.weekly)
        self.plot_split.addWidget(self.grades_page)
        self.plot_split.setStretchFactor(0, 5)
        self.plot_split.setStretchFactor(1, 4)
        self.plot_split.setStretchFactor(2, 4)
        self.plot_split.setChildrenCollapsible(False)

        # explicit minimums: at big presentation fonts the panes clip or scroll instead of growing
        # the window past a 1366x768 screen
        for wdg in (self.hist, self.weekly):
            wdg.setMinimumSize(220, 110)
        self.grades_page.setMinimumSize(220, 100)
        self.grid.setMinimumSize(200, 70)
        self.editor_tabs.setMinimumSize(380, 220)
        self.editor_tabs.tabBar().setUsesScrollButtons(True)
        self.inspector_box.setMinimumHeight(120)

        self.main_split = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_split.setObjectName("mainSplit")
        self.main_split.addWidget(self.editor_tabs)
        # the right side: the live overview plots, then one tab per analysis panel (PANEL_MODULES)
        self.view_tabs = QTabWidget(self)
        self.view_tabs.setObjectName("viewTabs")
        self.view_tabs.setDocumentMode(True)
        self.view_tabs.addTab(self.plot_split, "Overview")
        self.view_tabs.setTabToolTip(0, "Score distribution, MQLs per week against capacity, leads per grade")
        self.view_tabs.setMinimumSize(240, 220)
        self.main_split.addWidget(self.view_tabs)
        self.main_split.setStretchFactor(0, 11)
        self.main_split.setStretchFactor(1, 9)
        self.main_split.setChildrenCollapsible(False)

        central = QWidget(self)
        cl = QVBoxLayout(central)
        cl.setContentsMargins(4, 2, 4, 2)
        cl.setSpacing(3)
        # the strip's texts change on every edit; a fixed height keeps that from re-laying out the window
        self.summary_strip.setSizePolicy(self.summary_strip.sizePolicy().horizontalPolicy(), QSizePolicy.Policy.Fixed)
        cl.addWidget(self.summary_strip)
        cl.addWidget(self.banner)
        cl.addWidget(self.main_split, 1)
        self.setCentralWidget(central)

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
        d.applied.connect(self._on_document_applied)
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

    # ================================================================== document signals
    def _on_document_scores_changed(self) -> None:
        d = self.doc
        sc, s, m = d.scorer, d.summary, d.model
        if sc is None or s is None:
            return
        lo, hi = d.bounds
        if self._hist_bounds != (lo, hi):
            span = hi - lo
            bins = int(span) if 20 <= span <= 200 and float(span).is_integer() else 100
            self.hist.set_bounds(lo, hi, bins, rebin=False)  # set_scores below bins the new scores
            self._hist_bounds = (lo, hi)
        self.hist.set_scores(sc.result.score, d.outcome)
        self.hist.set_thresholds(m.thresholds.mql, m.thresholds.sql)
        self.weekly.set_weekly(s.weekly)
        grid = (_plain_frame(s.grade_counts), _plain_frame(d.grade_conversion()), list(m.grades.mql_cells or []))
        if not _same_grid(grid, self._last_grid):  # threshold drags leave the grades alone: no repaint
            self._last_grid = grid
            self.grid.set_grid(*grid)
        self.summary_strip.set_summary(s, d.baseline)
        self.summary_strip.hold_height()
        self._update_lead_count()
        self._show_rule_details()  # its "N leads get points now" follows the scores, as the table does

    def _on_document_data_reset(self) -> None:
        if self._new_model_after_load and self.doc.leads_frame is not None:
            self._new_model_after_load = False
            self._install_new_model(self.model_from_data())  # re-binds: this slot runs again with the new model
            self._next_load_status = (f"New model from {self.doc.leads_path.name if self.doc.leads_path else 'the file'}: "
                                      "add rules from the Profile tab, and say what \u201cconverted\u201d means (Ctrl+Shift+O)")
            return
        d = self.doc
        self._hist_bounds = None
        self._last_grid = None
        n_ev = len(d.data.events) if d.data is not None and d.data.events is not None else 0
        src = d.leads_path.name if d.leads_path else "leads"
        self._update_data_label()
        self._rebuild_grade_filter()
        self._update_problems()
        self._update_actions()
        self._update_lead_count()
        loaded = f"Loaded {len(d.data):,} leads from {src}" + (f" and {n_ev:,} events" if n_ev else "") + f" in {d.load_seconds:.1f} s"
        follow = getattr(self, "_next_load_status", None)
        self._next_load_status = None
        self.status(f"{loaded}. {follow}" if follow else loaded, 20000 if follow else 6000)

    def _update_data_label(self) -> None:
        """Status bar, right: the leads, events and the moment they are scored for."""
        d = self.doc
        if d.data is None:
            return
        n_ev = len(d.data.events) if d.data.events is not None else 0
        moment = d.moment_text()
        text = f"{len(d.data):,} leads" + (f" \u00b7 {n_ev:,} events" if n_ev else "") + f" \u00b7 {moment}"
        _set_text(self.data_label, text)
        # at most half the bar: the status messages on the left stay readable at a projector's text size
        self.data_label.setMinimumWidth(min(QFontMetrics(self.data_label.font()).horizontalAdvance(text) + 12, self.width() // 2))
        end = f"the end of {day_text(d.data_end)}, the latest day in the data" if d.data_end is not None else "-"
        self.data_label.setToolTip(
            f"Leads: {d.leads_path or '-'}\nActivity log: {d.activities_path or '-'}\n"
            f"Scored: {moment}\nEnd of the data: {end}\n"
            "(Thresholds && capacity tab: when leads are scored)\n"
            f"Outcome column: {d.outcome_column or 'none'}\nLoaded and scored in {d.load_seconds:.1f} s"
        )

    def _on_document_moment_changed(self) -> None:
        d = self.doc
        self._update_data_label()
        if d.data is not None:
            as_of, horizon = d.data.as_of, d.data.horizon_days
            short = (f"each lead {horizon:g} days after creation" if horizon is not None
                     else f"every lead as of {day_text(as_of)}")
            self.weekly.set_note(f"{short} <a href='moment'>change</a>")
            self.weekly.note_label.setToolTip(
                f"Leads scored {d.moment_text()}.\nClick \u201cchange\u201d to choose when leads are scored "
                "(Thresholds && capacity tab).")
            self.weekly.set_moment(as_of, horizon)
        else:
            self.weekly.set_note("")
        if self.settings_enabled:
            s = QSettings()
            s.setValue("scoring/mode", "horizon" if d.horizon_pref is not None else "as_of")
            s.setValue("scoring/horizon_days", float(d.horizon_pref or self.targets_panel.moment_box.days.value()))

    def _on_weekly_note_link_activated(self, _link: str) -> None:
        self.show_scoring_moment()

    def show_scoring_moment(self) -> None:
        """Show the control that sets when leads are scored."""
        self.editor_tabs.setCurrentWidget(self.targets_panel)
        box = self.targets_panel.moment_box
        self.targets_panel.scroll.ensureWidgetVisible(box)
        (box.days if box.horizon_radio.isChecked() else box.date).setFocus()

    def _on_document_model_reset(self) -> None:
        self._hist_bounds = None
        self._last_grid = None
        self._update_title()
        self._update_actions()
        self._update_rules_tab_title()
        self._rebuild_grade_filter()
        if self.doc.scorer is None:
            self.hist.set_thresholds(self.doc.model.thresholds.mql, self.doc.model.thresholds.sql)

    def _on_document_applied(self, cmd) -> None:
        if cmd.scope in ("thresholds", "model") and self.doc.scorer is None:
            self.hist.set_thresholds(self.doc.model.thresholds.mql, self.doc.model.thresholds.sql)
        self._update_rules_tab_title()
        if cmd.scope in ("attributes", "columns", "model", "rules", "meta") or type(cmd).__name__ == "_RestoreModel":
            self._update_problems()
        if cmd.scope == "grades" or type(cmd).__name__ in ("_RestoreModel", "ReplaceModel"):
            self._rebuild_grade_filter()
        self._show_rule_details()
        self._update_actions()

    def _on_document_load_started(self, message: str) -> None:
        self.progress.setValue(0)
        self.progress.setFormat(message[:40] + " %p%")
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.act_cancel.setEnabled(True)
        self.statusBar().showMessage(message + " ...")

    def _on_document_load_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.progress.setToolTip(message)

    def _on_document_load_ended(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.act_cancel.setEnabled(False)
        self._maybe_offer_mapping()

    def _on_document_load_failed(self, message: str) -> None:
        self._new_model_after_load = False
        self._on_document_load_ended()
        d = self.doc
        kept = (f" Still showing {len(d.data):,} leads from {d.leads_path.name if d.leads_path else 'the previous data'}."
                if d.data is not None else "")
        self.statusBar().clearMessage()
        self.status("Loading failed." + kept, 15000)
        self.error_dialog("Cannot load the data", message + kept)

    def _on_document_load_cancelled(self) -> None:
        self._on_document_load_ended()
        self.status("Loading cancelled; the previous data is kept." if self.doc.has_data else "Loading cancelled.")

    # ================================================================== plots
    def _on_hist_threshold_moved(self, name: str, value: float) -> None:
        # live: the model follows the line; no undo step until the drag ends
        self.doc.apply_live(C.SetThreshold(name, value))

    def _on_hist_threshold_drag_finished(self, name: str, before: float, after: float) -> None:
        current = self.doc.model.thresholds.mql if name == "mql" else self.doc.model.thresholds.sql
        if current != after:
            self.doc.apply_live(C.SetThreshold(name, after))
        self.doc.push(C.SetThreshold(name, after), inverse=C.SetThreshold(name, before), mergeable=False)
        self.doc.end_gesture()
        self.status(f"{name.upper()} threshold {before:g} \u2192 {after:g} (Ctrl+Z to undo)")

    def _on_grid_cell_clicked(self, cell: str) -> None:
        i = self.lead_grade.findData(cell)
        if i >= 0:
            self.lead_grade.setCurrentIndex(i)
        self.editor_tabs.setCurrentWidget(self.leads_tab)
        self.status(f"Showing the leads graded {cell}")

    # ================================================================== rules
    def current_rule_id(self) -> str | None:
        idx = self.rules_view.currentIndex()
        if not idx.isValid():
            sel = self.rules_view.selectionModel().selectedRows()
            if not sel:
                return None
            idx = sel[0]
        return self.rules_proxy.data(idx, Qt.ItemDataRole.UserRole + 1)

    def selected_rule_ids(self) -> list[str]:
        rows = sorted({self.rules_proxy.mapToSource(i).row() for i in self.rules_view.selectionModel().selectedRows()})
        if not rows:
            rid = self.current_rule_id()
            return [rid] if rid else []
        return [self.doc.model.rules[r].id for r in rows]

    def select_rule(self, rule_id: str, column_key: str = "label") -> None:
        row = self.rules_model.row_of(rule_id)
        if row < 0:
            return
        src = self.rules_model.index(row, self.rules_model.column_of(column_key))
        idx = self.rules_proxy.mapFromSource(src)
        if not idx.isValid():  # filtered out: clear the filter
            self.rule_filter_text.clear()
            self.rule_filter_dim.setCurrentIndex(0)
            idx = self.rules_proxy.mapFromSource(src)
        from PySide6.QtCore import QItemSelectionModel

        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.rules_view.selectionModel().setCurrentIndex(idx, flags)
        self.rules_view.scrollTo(idx)

    def _insert_index(self) -> int:
        rid = self.current_rule_id()
        return self.doc.model.rule_index(rid) + 1 if rid else len(self.doc.model.rules)

    def add_rule(self) -> None:
        m = self.doc.model
        cur = self.doc.model.rule(self.current_rule_id()) if self.current_rule_id() else None
        attr = None
        if cur is not None and cur.kind == "condition" and isinstance(cur.when, Leaf):
            attr = m.attribute(cur.when.attribute)
        if attr is None:
            attr = next((a for a in m.attributes if a.type == "category"), m.attributes[0] if m.attributes else None)
        if attr is None:
            self.show_error("Declare an attribute first (Attributes tab), then add rules on it.")
            return
        op = C.default_op(attr.type)
        counts = value_counts(self.doc, attr.name, False)
        value = {"gte": 0, "within_days": 30, "contains": "", "equals": True}.get(op)
        if op == "in":
            value = [counts[0][0]] if counts else ["value"]
        elif op == "contains" and counts:
            value = counts[0][0]
        elif op == "contains":
            value = "text"
        rid = C.new_rule_id(m, f"{attr.name}_rule")
        rule = Rule(rid, f"New rule on {attr.name}", cur.dimension if cur is not None else "fit", 5.0,
                    when=Leaf(attr.name, op, value))
        if self.doc.push(C.AddRule(self._insert_index(), rule)):
            self.select_rule(rid)
            self.rules_view.edit(self.rules_view.currentIndex())

    def add_behaviour_rule(self) -> None:
        m = self.doc.model
        counts = value_counts(self.doc, "type", True)
        etype = counts[0][0] if counts else "page_view"
        rid = C.new_rule_id(m, f"{etype}_events")
        rule = Rule(rid, f"{etype.replace('_', ' ').capitalize()} events", "engagement", 2.0,
                    activity=ActivitySpec(Leaf("type", "equals", etype), 30, 10, None))
        if self.doc.push(C.AddRule(self._insert_index(), rule)):
            self.select_rule(rid)
            self.rules_view.edit(self.rules_view.currentIndex())

    def duplicate_rule(self) -> None:
        rid = self.current_rule_id()
        if not rid:
            return
        r = copy.deepcopy(self.doc.model.rule(rid))
        r.id = C.new_rule_id(self.doc.model, rid + "_copy")
        r.label = r.label + " (copy)"
        if self.doc.push(C.AddRule(self.doc.model.rule_index(rid) + 1, r)):
            self.select_rule(r.id)

    def delete_rules(self) -> None:
        ids = self.selected_rule_ids()
        if not ids:
            return
        row = self.rules_view.currentIndex().row()
        cmd = C.RemoveRule(ids[0]) if len(ids) == 1 else C.Compound([C.RemoveRule(i) for i in ids], f"Delete {len(ids)} rules")
        if self.doc.push(cmd):
            n = self.rules_proxy.rowCount()
            if n:
                self.rules_view.selectRow(min(max(row, 0), n - 1))
            self.status(f"Deleted {', '.join(ids)} (Ctrl+Z brings {'it' if len(ids) == 1 else 'them'} back)")

    def move_rule(self, step: int) -> None:
        rid = self.current_rule_id()
        if not rid:
            return
        i = self.doc.model.rule_index(rid)
        j = i + step
        if not 0 <= j < len(self.doc.model.rules):
            return
        col = self.rules_view.currentIndex().column()
        key = self.rules_model.key_of(self.rules_proxy.mapToSource(self.rules_view.currentIndex()).column()) if col >= 0 else "label"
        if self.doc.push(C.MoveRule(rid, j)):
            self.select_rule(rid, key or "label")

    def toggle_rules(self) -> None:
        ids = self.selected_rule_ids()
        if not ids:
            return
        m = self.doc.model
        cmds = [C.SetRuleField(i, "enabled", not m.rule(i).enabled) for i in ids]
        self.doc.push(cmds[0] if len(cmds) == 1 else C.Compound(cmds, f"Switch {len(cmds)} rules on/off"))

    def edit_rule_yaml(self, rule_id: str | None = None) -> None:
        rid = rule_id or self.current_rule_id()
        if not rid:
            return
        dlg = RuleYamlDialog(self.doc, rid, self)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.result_command is not None:
            if self.doc.push(dlg.result_command):
                self.select_rule(dlg.result_command.new_id)

    def edit_model_yaml(self) -> None:
        dlg = ModelYamlDialog(self.doc, self)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.result_command is not None:
            self.doc.push(dlg.result_command)

    def edit_value_map(self, rule_id: str) -> None:
        ValueMapDialog(self.doc, rule_id, self).exec()

    def focus_filter(self) -> None:
        self.editor_tabs.setCurrentWidget(self.rules_tab)
        self.rule_filter_text.setFocus()
        self.rule_filter_text.selectAll()

    def _on_rule_filter_changed(self, *_args) -> None:
        self.rules_proxy.set_filter(self.rule_filter_dim.currentData(), self.rule_filter_text.text())
        self._update_rules_tab_title()

    def _on_rules_view_double_clicked(self, index: QModelIndex) -> None:
        src = self.rules_proxy.mapToSource(index)
        key = self.rules_model.key_of(src.column())
        r = self.rules_model.rule(src.row())
        if RulesTableModel.editable(r, key) or key == "enabled":
            return  # the view opened the cell editor
        if r.kind == "map" and key in ("attribute", "op", "value", "points"):
            self.edit_value_map(r.id)
        elif key in ("attribute", "op", "value", "points", "decay"):
            self.edit_rule_yaml(r.id)

    def _on_rules_view_current_changed(self, *_args) -> None:
        self._show_rule_details()

    def _show_rule_details(self) -> None:
        rid = self.current_rule_id()
        try:
            r = self.doc.model.rule(rid) if rid else None
        except KeyError:
            r = None
        if r is None:
            _set_text(self.rule_details, "<span style='color:#777'>Select a rule to see it in plain words. "
                                         "Double-click a cell to edit it; Ctrl+Z undoes any edit.</span>")
            return
        hits = self.doc.scorer.rule_hits(r.id) if self.doc.scorer is not None and r.enabled else None  # now, not cached
        text = f"<b>{_esc(r.label)}</b> ({r.dimension}): {_esc(r.describe())}"
        if r.kind != "map" and r.kind != "activity":
            text += f" \u2192 <b>{'+' if r.points > 0 else ''}{r.points:g}</b>"
        if hits is not None:
            text += f" &nbsp;\u00b7&nbsp; {hits:,} leads get points now"
        if r.why:
            text += f"<br><i>Why:</i> {_esc(r.why)}"
        _set_text(self.rule_details, text)

    def _update_rules_tab_title(self) -> None:
        n = len(self.doc.model.rules)
        shown = self.rules_proxy.rowCount()
        _set_tab_text(self.editor_tabs, 0, f"Rules ({shown} of {n})" if shown != n else f"Rules ({n})")

    def _on_rules_view_context_menu(self, pos) -> None:
        menu = QMenu(self)
        for a in (self.act_add_rule, self.act_add_behaviour, self.act_duplicate, self.act_delete, None,
                  self.act_up, self.act_down, self.act_toggle, None, self.act_edit_rule):
            menu.addSeparator() if a is None else menu.addAction(a)
        menu.exec(self.rules_view.viewport().mapToGlobal(pos))

    def _on_rules_header_context_menu(self, pos) -> None:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        for c, spec in enumerate(self.rules_model.columns()):
            a = menu.addAction(spec.header)
            a.setCheckable(True)
            a.setChecked(not self.rules_view.isColumnHidden(c))
            a.setToolTip(spec.tip)
            a.toggled.connect(lambda on, c=c: self.rules_view.setColumnHidden(c, not on))
        menu.exec(self.rules_view.horizontalHeader().mapToGlobal(pos))

    # ================================================================== attributes
    def add_attribute(self) -> None:
        m = self.doc.model
        frame = self.doc.leads_frame
        declared = {m.column_for(a.name) for a in m.attributes} | {m.lead_id}
        extra = [c for c in (frame.columns if frame is not None else []) if c not in declared]
        if extra:
            col = str(extra[0])
            from .delegates import _attribute_name

            name = _attribute_name(col, m)
            cmds = [C.AddAttribute(None, Attribute(name, guess_type(frame[col]), "other"))]
            if name != col:
                cmds.append(C.SetColumnMapping(name, col))
            cmd = cmds[0] if len(cmds) == 1 else C.Compound(cmds, f"Add attribute {name}")
        else:
            k = 1
            while m.attribute(f"attribute_{k}") is not None:
                k += 1
            name = f"attribute_{k}"
            cmd = C.AddAttribute(None, Attribute(name, "category", "other"))
        if self.doc.push(cmd):
            row = len(m.attributes) - 1
            self.attributes_view.setCurrentIndex(self.attributes_model.index(row, 0))
            self.attributes_view.scrollToBottom()
            self.status(f"Added attribute {name}" + (f" from column {extra[0]}" if extra else "") + "; edit its name, type and column in the table")

    def delete_attribute(self) -> None:
        idx = self.attributes_view.currentIndex()
        if not idx.isValid():
            return
        name = self.doc.model.attributes[idx.row()].name
        self.doc.push(C.RemoveAttribute(name))

    # ================================================================== data
    def _last_folder(self) -> str:
        if not self.settings_enabled:
            return str(Path.home())
        return QSettings().value("files/last_folder", str(Path.home()), type=str)

    def _remember_folder(self, path: Path) -> None:
        if self.settings_enabled:
            QSettings().setValue("files/last_folder", str(Path(path).parent))

    def load_leads_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load leads", self._last_folder(), DATA_FILTER)
        if not path:
            return
        self._remember_folder(Path(path))
        sheet = None
        if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
            sheet = self.ask_sheet(Path(path))
            if sheet is False:
                return
        acts = None
        guess = Path(path).with_name("activities" + "".join(Path(path).suffixes))
        if guess.exists() and guess != Path(path):
            acts = guess
        self.load_data(Path(path), acts, sheet=sheet or None)
        if acts is not None:
            self.status(f"Also loading the activity log next to it: {acts.name}")

    def ask_sheet(self, path: Path):
        """The sheet to read from a workbook with several (the table sheet preselected); False: cancelled."""
        from PySide6.QtWidgets import QInputDialog

        from leaddesigner.core.leadfile import LeadFileError, workbook_sheets

        try:
            sheets, table = workbook_sheets(path)
        except LeadFileError:
            return None  # the load itself says what is wrong with the file
        if len(sheets) < 2:
            return None
        item, ok = QInputDialog.getItem(self, "Which sheet?", f"{path.name} has {len(sheets)} sheets. Read the leads from:",
                                        sheets, sheets.index(table), False)
        return item if ok else False

    def load_activities_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load activity log", self._last_folder(), DATA_FILTER)
        if path:
            self._remember_folder(Path(path))
            self.doc.load_activities(Path(path))

    def load_data(self, leads: Path, activities: Path | None = None, *, sheet: str | None = None) -> None:
        self._mapping_offered_for = None
        self.doc.load(Path(leads), Path(activities) if activities else None, sheet=sheet)
        self._update_actions()

    def reload_data(self) -> None:
        if self.doc.leads_path is not None:
            t = self.doc.leads_table
            sheet = t.info.sheet if t is not None and t.info is not None and t.info.sheet else None
            self.load_data(self.doc.leads_path, self.doc.activities_path, sheet=sheet)

    def map_columns(self) -> None:
        if self.doc.leads_frame is None:
            self.show_error("Load a lead file first (Data > Load leads, Ctrl+L); then map its columns.")
            return
        dlg = ColumnMappingDialog(self.doc, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            cmd = dlg.command()
            if cmd is not None:
                self.doc.push(cmd)

    def missing_attributes(self) -> list[str]:
        d = self.doc
        if d.leads_frame is None:
            return []
        cols = set(d.leads_frame.columns)
        return [a.name for a in d.model.attributes if d.model.column_for(a.name) not in cols]

    def _maybe_offer_mapping(self) -> None:
        missing = self.missing_attributes()
        if not missing:
            return
        d = self.doc
        used = [a for a in missing if any(a in r.attributes() for r in d.model.rules)]
        taken = {d.model.column_for(a.name) for a in d.model.attributes}
        cols = [str(c) for c in d.leads_frame.columns]
        suggest = [a for a in used if suggest_column(a, cols, taken)]
        key = (id(d.leads_frame), tuple(missing))
        if self.interactive and suggest and self._mapping_offered_for != key and self.isVisible():
            self._mapping_offered_for = key
            QTimer.singleShot(0, self, self.map_columns)

    def _update_problems(self) -> None:
        self.problems_model._reset()
        n = self.problems_model.rowCount()
        _set_tab_text(self.editor_tabs, 5, f"Problems ({n})" if n else "Problems")
        self.problems_empty.setVisible(n == 0 and self.doc.data is not None)
        self.problems_view.setVisible(n > 0 or self.doc.data is None)
        self.problems_view.resizeRowsToContents()
        missing = self.missing_attributes()
        if missing:
            d = self.doc
            used = [a for a in missing if any(a in r.attributes() for r in d.model.rules)]
            src = d.leads_path.name if d.leads_path else "the lead file"
            names = ", ".join(missing[:6]) + (" ..." if len(missing) > 6 else "")
            self.banner_label.setText(
                f"<b>{len(missing)} attribute{'s' if len(missing) != 1 else ''} of the model {'are' if len(missing) != 1 else 'is'} not in {_esc(src)}</b>: "
                f"{_esc(names)}." + (f" {len(used)} {'are' if len(used) != 1 else 'is'} used by rules, which give 0 points until mapped." if used else "")
            )
            self.banner.setVisible(True)
        else:
            self.banner.setVisible(False)

    def choose_outcome(self, column: str | None = ..., *, ask: bool = True) -> bool:  # type: ignore[assignment]
        """Data > What "converted" means: the outcome dialog (a yes/no or date column can be set directly).

        ``column`` preselects a column; with ``ask=False`` a column whose reading needs no choice
        (yes/no, a date, or suggested values) is set at once. One undo step; stored in the model.
        """
        d = self.doc
        if d.leads_frame is None:
            self.show_error("Load a lead file first (Data > Load leads, Ctrl+L); then say which column means converted.")
            return False
        if column is None and column is not ...:
            ok = d.set_outcome(None)
            self.status("Conversion not shown (no outcome)." if ok else "")
            return ok
        if column is not ... and not ask:
            ok = d.set_outcome_column(column)
            if ok:
                self.status(f"Converted: {d.outcome_read.summary() if d.outcome_read is not None else column}")
            return ok
        dlg = OutcomeDialog(d, self)
        if column is not ...:
            dlg.column_combo.setCurrentIndex(max(0, dlg.column_combo.findData(column)))
        if not self.interactive:
            self._last_outcome_dialog = dlg
            return False
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        ok = d.set_outcome(dlg.spec())
        if ok:
            self.status(f"Converted: {d.outcome_read.summary()}" if d.outcome_read is not None else "Conversion not shown (no outcome).", 10000)
        return ok

    def _on_outcome_action_triggered(self, _checked: bool = False) -> None:
        self.choose_outcome()

    def set_outcome_column(self, column: str | None) -> None:
        """An outcome column chosen from a list (the Backtest tab): set directly, or ask for the values that mean converted."""
        cand = next((c for c in self.doc.outcome_candidates if c.column == column), None)
        needs_values = column is not None and (cand is None or (cand.kind == "values" and not cand.suggested))
        self.choose_outcome(column, ask=needs_values)
        self.leads_model._reset()

    def _rebuild_grade_filter(self) -> None:
        cur = self.lead_grade.currentData()
        self.lead_grade.blockSignals(True)
        self.lead_grade.clear()
        self.lead_grade.addItem("All grades", None)
        g = self.doc.model.grades
        for f in g.fit:
            for e in g.engagement:
                self.lead_grade.addItem(f"Grade {f}{e}", f"{f}{e}")
        i = self.lead_grade.findData(cur)
        self.lead_grade.setCurrentIndex(max(0, i))
        self.lead_grade.blockSignals(False)

    def _on_lead_filter_changed(self, *_args) -> None:
        self.leads_model.set_filters(self.lead_status.currentData(), self.lead_grade.currentData(), self.lead_search.text())
        self._update_lead_count()

    def _update_lead_count(self) -> None:
        n = self.leads_model.rowCount()
        total = self.leads_model.n
        _set_text(self.lead_count, f"{n:,} of {total:,} leads" if total else "")
        _set_tab_text(self.editor_tabs, 4, f"Leads ({total:,})" if total else "Leads")

    def _on_leads_view_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        self.inspector.set_row(self.leads_model.data_row(index.row()))

    def _on_problems_view_double_clicked(self, index: QModelIndex) -> None:
        kind = self.problems_model.data(index, Qt.ItemDataRole.UserRole + 1)
        if kind == "missing_column":
            self.map_columns()
        elif kind == "no_activities":
            self.load_activities_dialog()

    def _on_editor_tabs_current_changed(self, i: int) -> None:
        self.leads_model.set_active(self.editor_tabs.widget(i) is self.leads_tab)

    # ================================================================== files
    def new_model(self) -> None:
        """File > New model: from the loaded file's columns (detected types, formats, id, creation date), no rules."""
        if not self.maybe_save():
            return
        self._install_new_model(self.model_from_data())
        self.status("New model from the lead file's columns: add rules from the Profile tab or with Add rule (Ins)"
                    if self.doc.leads_frame is not None else "New model: add rules on the Rules tab (Ins)")

    def model_from_data(self) -> ScoringModel:
        """A model for the loaded file (nothing of the open model is carried over), or an empty one."""
        from leaddesigner.core.data.starter import model_from_file

        d = self.doc
        if d.leads_frame is None or d.loaded is None:
            return ScoringModel(name="Untitled model")
        from leaddesigner.core.data.detect import detect

        t = d.leads_table
        det = detect(t.frame, delimiter=t.info.delimiter if t.info else None, source=t.name)  # the file's own view
        acts = [str(c) for c in d.activities_frame.columns] if d.activities_frame is not None else None
        return model_from_file(det, name=f"Model for {t.name}", activity_log_columns=acts)

    def _install_new_model(self, m: ScoringModel) -> None:
        self.doc.set_model(m, None)
        self._forced_dirty = True  # a model made from a file is worth saving
        self._clear_recovery()
        self._update_title()

    def start_from_file(self, leads: Path, activities: Path | None = None) -> None:
        """Open a lead file with no model: once it is read, a new model is made from its columns."""
        self._new_model_after_load = True
        self.load_data(leads, activities)

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open model", self._last_folder(), MODEL_FILTER)
        if path:
            self.open_model(Path(path), ask=False)

    def open_model(self, path: Path, ask: bool = True) -> bool:
        """Open a model file; problems are shown with their lines. Returns True when opened."""
        if ask and not self.maybe_save():
            return False
        path = Path(path)
        try:
            m = load_model(path)
        except ModelError as e:
            lines = [(f"line {i.line}: " if i.line else "") + (f"{i.path}: " if i.path else "") + i.message for i in e.issues[:12]]
            more = f"\n... and {len(e.issues) - 12} more" if len(e.issues) > 12 else ""
            self.error_dialog(f"Cannot open {path.name}",
                              f"{path.name} has {len(e.issues)} problem{'s' if len(e.issues) != 1 else ''}. "
                              "Fix them in a text editor (the lines are given) and open it again.",
                              "\n".join(lines) + more)
            return False
        except OSError as e:
            self.error_dialog(f"Cannot open {path.name}", f"Cannot read {path}: {e.strerror or e}. Check the file exists and you may read it.")
            return False
        self.doc.set_model(m, path)
        self._forced_dirty = False
        self._clear_recovery()
        self._add_recent(path)
        self._remember_folder(path)
        self._update_title()
        if m.load_notes:  # e.g. no lead can reach the MQL threshold, a 'false' read as text
            self.status(f"Opened {path.name}: " + " ".join(n.split(": ", 2)[-1] for n in m.load_notes), 20000)
        else:
            self.status(f"Opened {path.name}: {len(m.rules)} rules")
        return True

    def save(self) -> bool:
        if self.doc.path is None or self.doc.path.suffix.lower() not in (".yaml", ".yml", ".json"):
            return self.save_as()
        return self._save_to(self.doc.path)

    def save_as(self) -> bool:
        start = str(self.doc.path) if self.doc.path else str(Path(self._last_folder()) / _file_name(self.doc.model.name))
        path, _ = QFileDialog.getSaveFileName(self, "Save model as", start, MODEL_FILTER)
        if not path:
            return False
        p = Path(path)
        if p.suffix.lower() not in (".yaml", ".yml", ".json"):
            p = p.with_suffix(".yaml")
        return self._save_to(p)

    def _save_to(self, path: Path) -> bool:
        self.doc.flush()
        entry_added = False
        if self.interactive and self.is_modified():
            # an optional changelog entry, added as an undoable edit: undoing it after the save
            # marks the model modified again, as it then differs from the file. Not asked when
            # the model cannot be saved anyway (save_model below lists its problems).
            from .dialogs import add_changelog_entry, ask_changelog_entry, model_is_saveable

            if model_is_saveable(self.doc.model):
                choice, entry = ask_changelog_entry(self, self.doc, settings_enabled=self.settings_enabled)
                if choice == "cancel":
                    self.status("Not saved")
                    return False
                if entry is not None:
                    entry_added = self.doc.push(add_changelog_entry(self.doc.model, entry), mergeable=False)
        try:
            save_model(self.doc.model, path)
        except ModelError as e:
            if entry_added:  # the entry belongs to a save that did not happen
                self.doc.undo_stack.undo()
            lines = [(f"{i.path}: " if i.path else "") + i.message for i in e.issues[:12]]
            self.error_dialog("The model cannot be saved yet",
                              f"The model has {len(e.issues)} problem{'s' if len(e.issues) != 1 else ''} that the production "
                              "system would reject. Fix them (or undo the edit that caused them) and save again.",
                              "\n".join(lines))
            return False
        except OSError as e:
            if entry_added:
                self.doc.undo_stack.undo()
            self.error_dialog("Cannot save", f"Cannot write {path}: {e.strerror or e}. Choose another folder with Save as (Ctrl+Shift+S).")
            return False
        self.doc.set_path(path)
        self.doc.undo_stack.setClean()
        self._forced_dirty = False
        self._clear_recovery()
        self._add_recent(path)
        self._remember_folder(path)
        self._update_title()
        self.status(f"Saved {path}" + (" with a changelog entry" if entry_added else ""))
        return True

    def maybe_save(self) -> bool:
        """Ask to save unsaved changes. False means: stop (the user cancelled or saving failed)."""
        if not self.is_modified():
            return True
        ans = QMessageBox.question(
            self, "Save changes?",
            f"The model \u201c{self.doc.model.name}\u201d has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if ans == QMessageBox.StandardButton.Save:
            return self.save()
        if ans == QMessageBox.StandardButton.Discard:
            self._clear_recovery()
            return True
        return False

    # -- recent files
    def recent_files(self) -> list[str]:
        if not self.settings_enabled:
            return getattr(self, "_recent", [])
        v = QSettings().value("files/recent", [])
        if isinstance(v, str):
            v = [v]
        return [str(x) for x in (v or [])]

    def _add_recent(self, path: Path) -> None:
        p = str(Path(path).resolve())
        items = [x for x in self.recent_files() if x != p]
        items.insert(0, p)
        items = items[:MAX_RECENT]
        if self.settings_enabled:
            QSettings().setValue("files/recent", items)
        else:
            self._recent = items
        self._rebuild_recent_menu()

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        items = self.recent_files()
        for i, p in enumerate(items):
            a = self.recent_menu.addAction(f"&{i + 1}  {Path(p).name}")
            a.setToolTip(p)
            a.triggered.connect(lambda _c=False, p=p: self.open_model(Path(p)))
        if not items:
            a = self.recent_menu.addAction("No recent models")
            a.setEnabled(False)

    # ================================================================== recovery
    def _on_undo_stack_index_changed_autosave(self, _i: int) -> None:
        self._autosave_soon.start()  # restarts: one write after the burst

    def autosave(self) -> None:
        if self.recovery is None or not self.is_modified():
            return
        try:
            self.recovery.save(
                dumps_model(self.doc.model),
                path=str(self.doc.path) if self.doc.path else None,
                name=self.doc.model.name,
                leads=str(self.doc.leads_path) if self.doc.leads_path else None,
                activities=str(self.doc.activities_path) if self.doc.activities_path else None,
            )
        except OSError as e:
            self.show_error(f"Autosave failed ({e.strerror or e}); save your work with Ctrl+S.")

    def _clear_recovery(self) -> None:
        if self.recovery is not None:
            try:
                self.recovery.clear()
            except OSError:
                pass

    def check_recovery(self) -> bool:
        """Offer the newest recovery file a crashed session left. Returns True if one was recovered."""
        if self.recovery is None:
            return False
        try:
            orphans = self.recovery.orphans()
        except OSError:
            return False
        if not orphans:
            return False
        import datetime as _dt

        recovered = False
        for k, rec in enumerate(orphans):  # every crashed window's work, newest first
            if recovered:
                break
            when = _dt.datetime.fromtimestamp(rec.saved_at).strftime("%d %b %Y at %H:%M:%S")
            where = f" ({rec.original})" if rec.original else ""
            more = (f"\n\n{len(orphans) - k - 1} more crashed window(s) left changes too: you are asked about each, "
                    "now (after No) or the next time LeadDesigner starts.") if k + 1 < len(orphans) else ""
            ans = QMessageBox.question(
                self, "Recover unsaved changes?",
                f"LeadDesigner closed unexpectedly with unsaved changes to \u201c{rec.name}\u201d{where}. "
                f"They were saved for recovery on {when}; changes made in the last second before that moment may be missing.\n\n"
                "Recover them? (No deletes the recovered copy.)" + more,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Yes,
            )
            if ans != QMessageBox.StandardButton.Yes:
                rec.remove()
                continue
            recovered = self._recover(rec)
        return recovered

    def _recover(self, rec) -> bool:
        """Open a recovered model (and its lead files) in this window; its recovery file becomes ours."""
        try:
            m = loads_model(rec.text(), str(rec.model_path))
        except (ModelError, OSError) as e:
            self.error_dialog("Cannot recover", f"The recovered copy cannot be read ({e}). It is kept at {rec.model_path}.")
            return False
        original = Path(rec.original) if rec.original else None
        self.doc.set_model(m, original)
        self._forced_dirty = True
        self._update_title()
        self.autosave()  # our own recovery file now holds it
        self.status(f"Recovered unsaved changes to {rec.name}; save them with Ctrl+S")
        leads = rec.meta.get("leads")
        if leads and not self.doc.has_data and Path(leads).exists():
            acts = rec.meta.get("activities")
            self.load_data(Path(leads), Path(acts) if acts and Path(acts).exists() else None)
        rec.remove()
        return True

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


def _set_text(label: QLabel, text: str) -> None:
    """Change a label only when its text changes (a new text re-lays out the window)."""
    if label.text() != text:
        label.setText(text)


def _set_tab_text(tabs: QTabWidget, i: int, text: str) -> None:
    if tabs.tabText(i) != text:
        tabs.setTabText(i, text)


def _plain_frame(df):
    """The same table with object-dtype labels: cheap ``.loc`` lookups when the grid paints."""
    if df is None:
        return None
    import pandas as pd

    return pd.DataFrame(df.to_numpy(), index=pd.Index([str(x) for x in df.index], dtype=object),
                        columns=pd.Index([str(x) for x in df.columns], dtype=object))


def _same_grid(a: tuple, b: tuple | None) -> bool:
    """Whether two (counts, conversion, mql_cells) tuples show the same grid."""
    if b is None:
        return False
    for x, y in zip(a[:2], b[:2]):
        if (x is None) != (y is None):
            return False
        if x is not None and (x.shape != y.shape or list(x.index) != list(y.index) or list(x.columns) != list(y.columns)
                              or not np.array_equal(x.to_numpy(), y.to_numpy(), equal_nan=True)):
            return False
    return a[2] == b[2]


def _file_name(name: str) -> str:
    import re

    base = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower() or "model"
    return base + ".yaml"

