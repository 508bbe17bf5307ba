"""The window's widgets: model tables and editors on the left, summary strip and plots on the right.

A part of :class:`~leaddesigner.gui.window.main_window.MainWindow` (a mixin: its methods use the
window's widgets and document as ``self``), kept apart so each part reads in one sitting.
"""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.gui.panels.definitions import DefinitionsPanel
from leaddesigner.gui.panels.forms import TargetsPanel
from leaddesigner.gui.panels.grade_grid import GradeGridView
from leaddesigner.gui.panels.inspector import LeadInspector
from leaddesigner.gui.panels.summary_strip import SummaryStrip
from leaddesigner.gui.plotting.overview import ScoreHistogramView, WeeklyVolumeView
from leaddesigner.gui.tables.delegates import AttributesDelegate, RulesDelegate
from leaddesigner.gui.tables.leads import LeadsTableModel, ProblemsTableModel
from leaddesigner.gui.tables.parts import AttributesTableModel
from leaddesigner.gui.tables.rules import RulesTableModel

__all__ = ["LayoutMixin", "RulesFilterProxy"]


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


class LayoutMixin:
    """The window's widgets: model tables and editors on the left, summary strip and plots on the right."""

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
