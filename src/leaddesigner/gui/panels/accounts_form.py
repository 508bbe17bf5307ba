"""The accounts settings in the Thresholds & capacity tab: how contacts roll up to accounts and the MQA line.

Each change is one undo step (:class:`~leaddesigner.core.edits.accounts.SetAccounts`; steps of one spin box
merge). Without an accounts section the box shows the defaults ``score --accounts`` would use; changing one
of them, or "Keep these settings", writes the section into the model. Account rules are edited in the
model's YAML (Edit > Edit whole model as YAML); the box lists them.
"""
from __future__ import annotations

import copy
import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leaddesigner.core.edits import commands as C
from leaddesigner.core.model.accounts import (
    COMBINES,
    CONTACT_SCORES,
    EMAIL_DOMAIN,
    Accounts,
    BuyingGroup,
)
from leaddesigner.core.model.types import condition_text
from leaddesigner.core.scoring.accounts import default_accounts

__all__ = ["AccountsBox", "settings_in_force"]

COMBINE_TEXT = {"sum": "sum of contact scores", "max": "best contact", "top_n": "sum of the N best contacts",
                "engaged": "points per engaged contact"}
COMBINE_TIP = ("How contact scores combine: the sum of all contacts, the best contact's score, the sum of the N best, "
               "or points per engaged contact")


def settings_in_force(doc) -> Accounts:
    """The model's accounts section, or the defaults for the loaded columns."""
    m = doc.model
    if m.accounts is not None:
        return m.accounts
    d = doc.data
    cols = [] if d is None else list(d.frame.columns) + ([] if d.extra is None else list(d.extra.columns))
    return default_accounts(m, cols)


class AccountsBox(QGroupBox):
    def __init__(self, document, parent: QWidget | None = None):
        super().__init__("Accounts: contacts rolled up to the companies that buy", parent)
        self.doc = document
        self._filling = False
        self._build_form()
        self.rules_label = QLabel(self)
        self.rules_label.setWordWrap(True)
        self.rules_label.setTextFormat(Qt.TextFormat.RichText)
        self.layout().addWidget(self.rules_label)
        document.changed.connect(self._on_document_changed)
        document.modelReset.connect(self._fill_form)
        document.dataReset.connect(self._fill_form)
        self._fill_form()

    def _on_document_changed(self, change) -> None:
        if change.touches("accounts", "attributes", "persona"):
            self._fill_form()

    def _build_form(self) -> None:
        outer = QVBoxLayout(self)
        row = QHBoxLayout()
        outer.addLayout(row)
        left, right = QFormLayout(), QFormLayout()
        mid = left
        for f in (left, right):
            f.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.key = QComboBox(self)
        self.key.setToolTip("Which contacts belong together: the e-mail domain (free mail such as gmail.com is no "
                            "account) or a column of your lead file, such as an account id or a company domain")
        self.key.currentIndexChanged.connect(lambda _i: self._edit("grouping"))
        left.addRow("Group contacts by", self.key)
        self.combine = QComboBox(self)
        for c in COMBINES:
            self.combine.addItem(COMBINE_TEXT[c], c)
        self.combine.setToolTip(COMBINE_TIP)
        self.combine.currentIndexChanged.connect(lambda _i: self._edit("combine"))
        self.top_n = QSpinBox(self)
        self.top_n.setRange(1, 50)
        self.top_n.setPrefix("N = ")
        self.top_n.valueChanged.connect(lambda _v: self._edit("top N"))
        for box in (self.key, self.combine):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        comb = QHBoxLayout()
        comb.addWidget(self.combine, 1)
        comb.addWidget(self.top_n)
        left.addRow("Combine", comb)
        self.contact_score = QComboBox(self)
        for c in CONTACT_SCORES:
            self.contact_score.addItem(c, c)
        self.contact_score.setToolTip("Which contact score combines: fit alone counts a company once per contact")
        self.contact_score.currentIndexChanged.connect(lambda _i: self._edit("contact score"))
        left.addRow("Contact score", self.contact_score)

        self.cap = QDoubleSpinBox(self)
        self.cap.setRange(0, 1e6)
        self.cap.setSpecialValueText("no cap")
        self.cap.setToolTip("Upper limit of the combined contact points (0: none)")
        self.cap.valueChanged.connect(lambda _v: self._edit("cap"))
        mid.addRow("Cap", self.cap)
        self.engaged_min = QDoubleSpinBox(self)
        self.engaged_min.setRange(-1e6, 1e6)
        self.engaged_min.setToolTip("A contact is engaged when its engagement score is at least this")
        self.engaged_min.valueChanged.connect(lambda _v: self._edit("engaged at"))
        mid.addRow("Engaged at", self.engaged_min)
        self.per_engaged = QDoubleSpinBox(self)
        self.per_engaged.setRange(-1e6, 1e6)
        self.per_engaged.setToolTip("Points per engaged contact (when the account score counts engaged contacts)")
        self.per_engaged.valueChanged.connect(lambda _v: self._edit("points per engaged contact"))
        mid.addRow("Per engaged", self.per_engaged)

        self.roles = QLineEdit(self)
        self.roles.setPlaceholderText("buyer, influencer")
        self.roles.setToolTip("The buying group: values of the persona column that should be engaged, separated by commas")
        self.roles.editingFinished.connect(lambda: self._edit("buying group"))
        right.addRow("Roles", self.roles)
        self.per_role = QDoubleSpinBox(self)
        self.per_role.setRange(-1e6, 1e6)
        self.per_role.setToolTip("Points for each role of the buying group with at least one engaged contact")
        self.per_role.valueChanged.connect(lambda _v: self._edit("points per role"))
        right.addRow("Per role", self.per_role)
        mqa = QHBoxLayout()
        self.mqa = QDoubleSpinBox(self)
        self.mqa.setRange(-1e6, 1e6)
        self.mqa.setToolTip("An account scoring at least this is a marketing-qualified account (MQA)")
        self.mqa.valueChanged.connect(lambda _v: self._edit("MQA line"))
        mqa.addWidget(self.mqa)
        self.capacity = QDoubleSpinBox(self)
        self.capacity.setRange(0, 1e6)
        self.capacity.setSpecialValueText("SDR capacity")
        self.capacity.setSuffix(" /week")
        self.capacity.setToolTip("Accounts the team can work per week (0: the SDR capacity, one account per lead)")
        self.capacity.valueChanged.connect(lambda _v: self._edit("account capacity"))
        right.addRow("MQA at", mqa)
        right.addRow("Accounts/week", self.capacity)
        self.keep = QPushButton("Keep these settings in the model", self)
        self.keep.setToolTip("The model has no accounts section: these are the defaults. Keep them to edit them.")
        self.keep.clicked.connect(self.keep_defaults)
        right.addRow(self.keep)
        for f in (left, right):
            row.addLayout(f, 1)

    def settings(self) -> Accounts:
        return settings_in_force(self.doc)

    def _fill_form(self, *_args) -> None:
        """Model -> widgets (no edits while filling)."""
        a = self.settings()
        own = self.doc.model.accounts is not None
        self._filling = True
        try:
            self.key.clear()
            self.key.addItem("e-mail domain", EMAIL_DOMAIN)
            d = self.doc.data
            cols = [] if d is None else [str(c) for c in d.frame.columns] + ([] if d.extra is None else [str(c) for c in d.extra.columns])
            for c in cols:
                self.key.addItem(f"column {c}", c)
            if a.key != EMAIL_DOMAIN and self.key.findData(a.key) < 0:
                self.key.addItem(f"column {a.key}", a.key)
            self.key.setCurrentIndex(max(self.key.findData(a.key), 0))
            self.combine.setCurrentIndex(max(self.combine.findData(a.combine), 0))
            self.top_n.setValue(a.top_n)
            self.top_n.setEnabled(a.combine == "top_n")
            self.contact_score.setCurrentIndex(max(self.contact_score.findData(a.contact_score), 0))
            self.cap.setValue(0 if a.cap is None else a.cap)
            self.engaged_min.setValue(a.engaged_min)
            self.per_engaged.setValue(a.points_per_engaged)
            self.per_engaged.setEnabled(a.combine == "engaged")
            self.roles.setText(", ".join(a.buying_group.roles) if a.buying_group else "")
            self.per_role.setValue(a.buying_group.points_per_role if a.buying_group else 0)
            self.per_role.setEnabled(a.buying_group is not None)
            can_group = a.buying_group is not None or self.doc.model.persona is not None
            self.roles.setEnabled(can_group)
            self.roles.setToolTip(
                "The buying group: values of the persona column that should be engaged, separated by commas"
                if can_group else "The model has no persona column: set one (persona weights) to name a buying group")
            self.mqa.setValue(a.mqa)
            self.capacity.setValue(a.capacity_per_week or 0)
            self.keep.setVisible(not own)
            self._show_rules(a)
        finally:
            self._filling = False

    def _form_settings(self) -> Accounts:
        a = copy.deepcopy(self.settings())
        a.key = self.key.currentData() or EMAIL_DOMAIN
        a.combine = self.combine.currentData()
        a.top_n = self.top_n.value()
        a.contact_score = self.contact_score.currentData()
        a.cap = self.cap.value() or None
        a.engaged_min = self.engaged_min.value()
        a.points_per_engaged = self.per_engaged.value()
        roles = [r.strip() for r in self.roles.text().split(",") if r.strip()]
        if roles:
            attr = a.buying_group.attribute if a.buying_group else (self.doc.model.persona.attribute if self.doc.model.persona else None)
            a.buying_group = None if attr is None else BuyingGroup(attr, roles, self.per_role.value())
        else:
            a.buying_group = None
        a.mqa = self.mqa.value()
        a.capacity_per_week = self.capacity.value() or None
        return a

    def _edit(self, what: str) -> None:
        """One setting changed: one undo step (a change to the defaults keeps them in the model)."""
        if self._filling:
            return
        new = self._form_settings()
        if new != self.doc.model.accounts:
            self.doc.push(C.SetAccounts(new, what))

    def keep_defaults(self) -> None:
        self.doc.push(C.SetAccounts(copy.deepcopy(self.settings()), "keep the defaults"))

    def _show_rules(self, a: Accounts) -> None:
        if not a.rules:
            self.rules_label.setText("<span style='color:#555'>No account rules (add them under <i>accounts: rules:</i> "
                                     "with Edit &gt; Edit whole model as YAML).</span>")
            return
        items = [f"{'+' if r.points > 0 else ''}{r.points:g} {html.escape(r.label or r.id)} "
                 f"<span style='color:#555'>(when any contact: {html.escape(condition_text(r.when))})</span>"
                 + ("" if r.enabled else " <i>off</i>") for r in a.rules]
        self.rules_label.setText("Account rules: " + "; ".join(items))
