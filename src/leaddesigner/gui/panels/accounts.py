"""The Accounts tab: contacts rolled up to the companies that buy (the figures ``score --accounts`` writes).

An adapter over :func:`leaddesigner.core.scoring.accounts.roll_up`, computed in a worker (latest request
wins) after each load and edit while the tab is shown: the settings of the model's accounts section as
a form (each change one undo step), MQAs per week against the team's capacity, every account with its
score and buying group, and the contacts of the account chosen (double-click one to inspect it).
The settings are edited in the Thresholds & capacity tab (:mod:`.accounts_form`); without an accounts section
the tab shows what the defaults give.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.model.accounts import EMAIL_DOMAIN, Accounts
from leaddesigner.core.model.types import STATUSES
from leaddesigner.core.scoring.accounts import AccountScores, roll_up
from leaddesigner.core.scoring.summary import WeeklyVolume
from leaddesigner.gui.panels.accounts_form import settings_in_force
from leaddesigner.gui.plotting.overview import WeeklyVolumeView
from leaddesigner.gui.tasks import TaskRunner

__all__ = ["AccountsPanel", "FrameModel", "install"]

ACCOUNT_COLUMNS = [("account", "Account"), ("score", "Score"), ("status", "Status"), ("contacts", "Contacts"),
                   ("engaged", "Engaged"), ("roles", "Buying group"), ("mqa_at", "MQA since")]


@dataclass
class AccountView:
    """What the worker hands back: the roll-up and the contacts' own figures at that moment."""

    result: AccountScores
    lead_ids: np.ndarray
    score: np.ndarray
    engagement: np.ndarray
    status: np.ndarray
    extra: pd.DataFrame  # e-mail, role and creation date of every lead (for the contacts table)
    table: pd.DataFrame  # the accounts, highest score first (sorted in the worker: a 350,000-row sort is ~0.3 s)


def _run(model, data, arrays) -> AccountView:
    """In the worker: the roll-up of a copy of the model over the scores of the moment."""
    res = roll_up(model, data, arrays)
    a = res.settings
    cols = {}
    for name in ([a.email] if a.key == EMAIL_DOMAIN else [a.key]) + ([a.buying_group.attribute] if a.buying_group else []) \
            + ([data.created] if data.created else []):
        if name in data.frame.columns:
            cols[name] = data.frame[name]
        elif data.extra is not None and name in data.extra.columns:
            cols[name] = data.extra[name]
    table = res.frame.sort_values(["score", "account"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return AccountView(res, data.ids.to_numpy(dtype=object), np.asarray(arrays.score).copy(),
                       np.asarray(arrays.engagement).copy(), np.asarray(arrays.status).copy(), pd.DataFrame(cols), table)


class FrameModel(QAbstractTableModel):
    """A read-only table over a DataFrame: numbers right-aligned; sorted by pandas (a million-row sort is one
    ``sort_values``, not a million Python comparisons in a proxy), ties in the order the frame came in."""

    def __init__(self, columns: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        self.columns = columns
        self.base = pd.DataFrame({c: [] for c, _ in columns})
        self.order = np.zeros(0, dtype=np.int64)
        self._show(self.base)
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_frame(self, frame: pd.DataFrame, columns: list[tuple[str, str]] | None = None) -> None:
        """Show ``frame`` (and, if given, these columns), sorted as the user last chose: one model reset, so
        views never see a column count that changed under them."""
        self.beginResetModel()
        if columns is not None:
            self.columns = columns
            self._sort = None
        self.base = frame.reset_index(drop=True)
        self.order = self._order()
        self._show(self.base.take(self.order).reset_index(drop=True))
        self.endResetModel()

    def _show(self, frame: pd.DataFrame) -> None:
        """``frame`` as shown, and its columns as arrays: a cell is an array item, not a pandas lookup (Qt asks
        for thousands of cells when it sizes the columns)."""
        self.frame = frame
        self._cells = [frame[c].to_numpy() if c in frame.columns else np.full(len(frame), None) for c, _ in self.columns]

    def _order(self) -> np.ndarray:
        """Positions in ``base`` of the rows as shown."""
        n = len(self.base)
        if self._sort is None or not n or self._sort[0] >= len(self.columns) \
                or self.columns[self._sort[0]][0] not in self.base.columns:
            return np.arange(n)
        col, order = self._sort
        key = self.base[self.columns[col][0]]
        asc = order == Qt.SortOrder.AscendingOrder
        if key.dtype.kind in "iuf":  # already in that order (the worker sorts by score): nothing to do
            k = key.to_numpy()
            if not np.isnan(k).any() if k.dtype.kind == "f" else True:
                if (asc and (k[:-1] <= k[1:]).all()) or (not asc and (k[:-1] >= k[1:]).all()):
                    return np.arange(n)
        if key.dtype == object:
            key = key.astype(str).str.lower()
        # ties keep the incoming order whichever the direction
        keyed = pd.DataFrame({"k": key.to_numpy(), "p": np.arange(n)})
        return keyed.sort_values(["k", "p"], ascending=[asc, True], kind="stable", na_position="last").index.to_numpy()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:  # noqa: D102 (Qt API)
        self.layoutAboutToBeChanged.emit()
        old = self.order
        self._sort = (column, order)
        self.order = self._order()
        self._show(self.base.take(self.order).reset_index(drop=True))
        new_row = np.empty(len(self.order), dtype=np.int64)
        new_row[self.order] = np.arange(len(self.order))
        before = self.persistentIndexList()  # the current row and the selection follow their rows
        after = [self.index(int(new_row[old[i.row()]]), i.column()) for i in before]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section][1]
        return None

    def value(self, row: int, col: int):
        return self._cells[col][row]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        v = self.value(index.row(), index.column())
        if isinstance(v, np.datetime64):
            v = pd.NaT if np.isnat(v) else pd.Timestamp(v)
        name = self.columns[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if v is None or v is pd.NaT or (isinstance(v, (float, np.floating)) and np.isnan(v)):
                return ""
            if isinstance(v, pd.Timestamp):
                return v.strftime("%Y-%m-%d")
            if isinstance(v, (bool, np.bool_)):
                return "\u2713" if v else ""
            if isinstance(v, (float, np.floating)):
                return f"{v:,.2f}".rstrip("0").rstrip(".")
            if isinstance(v, (int, np.integer)):
                return f"{v:,}"
            return str(v)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(v, (int, float, np.integer, np.floating)) \
                and not isinstance(v, (bool, np.bool_)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and name == "status" and v in ("MQA", "MQL", "SQL"):
            return QColor("#1E6B52")
        return None


def _table(model: FrameModel, parent) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setResizeContentsPrecision(200)  # size columns from the first rows, not thousands
    return view


class AccountsPanel(QWidget):
    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = document
        self.view: AccountView | None = None
        self._stale = True
        self._filling = False
        self.runner = TaskRunner("LeadDesignerAccounts", self)
        self.runner.finished.connect(self._on_result)
        self.runner.failed.connect(self._on_failed)
        self.window_ = None

        lay = QVBoxLayout(self)
        self.settings_label = QLabel(self)
        self.settings_label.setWordWrap(True)
        self.settings_label.setTextFormat(Qt.TextFormat.RichText)
        self.settings_label.linkActivated.connect(self._on_settings_link)
        lay.addWidget(self.settings_label)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.summary)

        split = QSplitter(Qt.Orientation.Vertical, self)
        self.weekly = WeeklyVolumeView(split, title="MQAs by the week they became MQAs vs account capacity",
                                       noun="MQAs", capacity_word="Account capacity")
        self.weekly.setToolTip("Accounts that became MQAs each week (the week of the contact whose arrival made the "
                               "account an MQA, every contact scored as now) against the accounts the team can work.")
        lower = QSplitter(Qt.Orientation.Horizontal, split)
        lower.setChildrenCollapsible(False)
        self.accounts_model = FrameModel(ACCOUNT_COLUMNS, self)
        self.accounts_view = _table(self.accounts_model, lower)
        self.accounts_view.setToolTip("Every account, highest score first. Choose one to see its contacts.")
        self.accounts_view.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # score, highest first, until the user sorts
        self.accounts_view.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._show_contacts())
        right = QWidget(lower)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.group_label = QLabel(right)
        self.group_label.setWordWrap(True)
        self.group_label.setTextFormat(Qt.TextFormat.RichText)
        rl.addWidget(self.group_label)
        self.contacts_model = FrameModel([], self)
        self.contacts_view = _table(self.contacts_model, right)
        self.contacts_view.setToolTip("The account's contacts. Double-click one to see why it has its score.")
        self.contacts_view.doubleClicked.connect(self._inspect_contact)
        rl.addWidget(self.contacts_view, 1)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        self.weekly.setMinimumHeight(150)
        lay.addWidget(split, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.recompute)
        document.scoresChanged.connect(self._on_document_scores_changed)
        document.changed.connect(self._on_model_changed)
        document.modelReset.connect(self._on_model_changed)
        document.dataReset.connect(self._show_settings)
        self._show_settings()

    def settings(self) -> Accounts:
        """The accounts section in force: the model's, or the defaults for the loaded columns."""
        return settings_in_force(self.doc)

    def _show_settings(self) -> None:
        a = self.settings()
        own = self.doc.model.accounts is not None
        text = html.escape(f"{a.describe()[1][:-1]}; MQA at {a.mqa:g}.")
        if not own:
            text = "<i>The model has no accounts section: the defaults.</i> " + text
        self.settings_label.setText(f"{text} <a href='edit'>{'Change' if own else 'Keep and change'} the settings</a>")

    def _on_settings_link(self, _link: str) -> None:
        w = self.window_
        if w is None:
            return
        box = w.targets_panel.accounts_box
        w.editor_tabs.setCurrentWidget(w.targets_panel)
        w.targets_panel.scroll.ensureWidgetVisible(box)
        box.mqa.setFocus()

    # ------------------------------------------------------------ computing
    @property
    def busy(self) -> bool:
        return self.runner.busy or self._timer.isActive()

    def _on_model_changed(self, change=None) -> None:
        self._show_settings()
        if change is None or change.touches("accounts"):  # accounts edits rescore no lead: recompute here
            self._on_document_scores_changed()

    def _on_document_scores_changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self._timer.start(150)  # an edit burst (a drag) computes once

    def showEvent(self, ev) -> None:  # noqa: N802 (Qt API)
        super().showEvent(ev)
        if self._stale:
            self.recompute()

    def recompute(self) -> None:
        d = self.doc
        self._stale = False
        if d.data is None or d.scorer is None or getattr(d.scorer, "result", None) is None:
            self.summary.setText("Load leads first: accounts are your contacts grouped by company.")
            return
        self.summary.setText("Computing \u2026")
        r = d.scorer.result
        arrays = type(r)(r.score.copy(), r.fit.copy(), r.engagement.copy(), r.grade, r.status.copy(), {})
        model = d.model.copy()
        if model.accounts is None:
            model.accounts = self.settings()
        self.runner.run(_run, model, d.data, arrays, progress_kw=None)

    def _on_failed(self, message: str) -> None:
        self.view = None
        self.accounts_model.set_frame(pd.DataFrame({c: [] for c, _ in ACCOUNT_COLUMNS}))
        self.summary.setText(f"<span style='color:#C0392B'>{html.escape(message)}</span>")

    def _on_result(self, view: AccountView) -> None:
        self.view = view
        res = view.result
        said = len(res.settings.describe())
        self.summary.setText("<br>".join(html.escape(x) for x in res.lines()[said:]))  # the settings are said above
        wk = res.weekly()
        if len(wk):
            frame = pd.DataFrame({"week_start": wk["week_start"], "mqls": wk["mqas"], "over_capacity": wk["over"],
                                  "partial": False})
            self.weekly.set_weekly(WeeklyVolume(frame, res.capacity_per_week))  # the Overview's plot, MQAs as its bars
        else:
            self.weekly.set_weekly(None)
            self.weekly.show_message("No MQAs yet: no account reaches the MQA line" if self.doc.data.created
                                     else "MQAs per week need a lead creation date (created_at)")
        keep = self._current_account()
        frame = view.table
        first = self.accounts_model.rowCount() == 0
        self.accounts_model.set_frame(frame)
        if first:  # later results keep the widths the user sees (sizing reads thousands of cells)
            self.accounts_view.resizeColumnsToContents()
        self.select_account(keep if keep is not None else (frame["account"].iloc[0] if len(frame) else None))

    # ------------------------------------------------------------ the chosen account
    def _current_account(self) -> str | None:
        idx = self.accounts_view.currentIndex()
        if not idx.isValid():
            return None
        return str(self.accounts_model.frame["account"].iat[idx.row()])

    def select_account(self, account: str | None) -> bool:
        """Choose ``account`` in the table (its contacts show beside it)."""
        if account is None:
            self._show_contacts()
            return False
        hits = np.flatnonzero(self.accounts_model.frame["account"].to_numpy() == account)
        if not len(hits):
            self._show_contacts()
            return False
        idx = self.accounts_model.index(int(hits[0]), 0)
        moved = self.accounts_view.currentIndex().row() != idx.row()
        self.accounts_view.setCurrentIndex(idx)  # a new row shows its contacts through currentRowChanged
        self.accounts_view.scrollTo(idx)
        if not moved:  # the same row after a new result: its contacts may have changed
            self._show_contacts()
        return True

    def _show_contacts(self) -> None:
        v, name = self.view, self._current_account()
        if v is None or name is None:
            self.group_label.setText("")
            self.contacts_model.set_frame(pd.DataFrame(), [])
            return
        res = v.result
        rows = res.contacts_of(name)
        a = res.settings
        acc = res.frame.loc[res.frame["account"] == name].iloc[0]
        cols: dict = {"lead": v.lead_ids[rows], "score": np.round(v.score[rows], 2),
                      "status": [STATUSES[int(s)] for s in v.status[rows]], "engagement": np.round(v.engagement[rows], 2),
                      "engaged": res.engaged[rows]}
        spec = [("lead", "Lead"), ("score", "Score"), ("status", "Status"), ("engagement", "Engagement"), ("engaged", "Engaged")]
        some = v.extra.iloc[rows]  # only the account's rows: a whole text column as objects costs ~0.5 s at 1M
        for c in some.columns:
            cols[c] = some[c].to_numpy()
            spec.append((c, c))
        cols["row"] = rows
        frame = pd.DataFrame(cols).sort_values("score", ascending=False, kind="stable")
        same_columns = spec == self.contacts_model.columns
        self.contacts_model.set_frame(frame, spec)
        self.contacts_view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        if not same_columns:  # sizing reads hundreds of cells: once per kind of table, not per account
            self.contacts_view.resizeColumnsToContents()
        head = (f"<b>{html.escape(name)}</b>: {acc['score']:g} points ({acc['contact_points']:g} from contacts, "
                f"{acc['role_points']:g} buying group, {acc['rule_points']:g} account rules), {acc['status']}")
        parts = [f"{int(acc['contacts'])} contact{'s' if acc['contacts'] != 1 else ''}, {int(acc['engaged'])} engaged"]
        if a.buying_group is not None:
            have = set(r.strip() for r in str(acc["roles"]).split(",") if r.strip())
            marks = [f"{html.escape(r)} {'&#10003;' if r in have else '&ndash;'}" for r in a.buying_group.roles]
            parts.append(f"buying group {len(have)} of {len(a.buying_group.roles)}: " + ", ".join(marks))
        code = res.code_of(name)
        hits = [r.label or r.id for r in a.rules if r.enabled and res.rule_hits.get(r.id) is not None
                and bool(res.rule_hits[r.id][code])]
        if hits:
            parts.append("account rules: " + ", ".join(html.escape(h) for h in hits))
        self.group_label.setText(head + "<br>" + "; ".join(parts))

    def _inspect_contact(self, index) -> None:
        w = self.window_
        if w is None or not index.isValid():
            return
        row = int(self.contacts_model.frame["row"].iat[index.row()])
        w.inspector.set_row(row)
        w.show_inspector()


def install(window) -> AccountsPanel:
    """Add the Accounts tab to ``window.view_tabs`` and "Accounts" to the Analysis menu."""
    panel = AccountsPanel(window.doc, window.view_tabs)
    panel.window_ = window
    i = window.view_tabs.addTab(panel, "Accounts")
    window.view_tabs.setTabToolTip(i, "Contacts rolled up to accounts: MQAs per week against capacity, each account's "
                                      "buying group and contacts")
    act = QAction("&Accounts (buying groups)", window)
    act.setShortcut("Ctrl+Shift+K")
    act.triggered.connect(lambda: window.view_tabs.setCurrentWidget(panel))
    window.analysis_menu.addAction(act)
    window.act_accounts = act
    window.panels["accounts"] = panel
    return panel
