"""The rules and attributes tables: select, add, duplicate, delete, move, toggle, edit as YAML, filter, details.

A part of :class:`~leaddesigner.gui.window.main_window.MainWindow` (a mixin: its methods use the
window's widgets and document as ``self``), kept apart so each part reads in one sitting.
"""
from __future__ import annotations

import copy
from html import escape

from PySide6.QtCore import (
    QModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QDialog,
    QMenu,
)

from leaddesigner.core.edits import commands as C
from leaddesigner.core.model.types import ActivitySpec, Attribute, Leaf, Rule
from leaddesigner.gui.dialogs.model_dialogs import ModelYamlDialog, RuleYamlDialog, ValueMapDialog
from leaddesigner.gui.tables.rules import RulesTableModel, value_counts
from leaddesigner.gui.window.common import (
    set_tab_text,
    set_text,
)

__all__ = ["RulesMixin"]


class RulesMixin:
    """The rules and attributes tables: select, add, duplicate, delete, move, toggle, edit as YAML, filter, details."""

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
        labels = [self.doc.model.rule(i).label or i for i in ids]  # as the table shows them, not the ids
        cmd = C.RemoveRule(ids[0]) if len(ids) == 1 else C.Compound([C.RemoveRule(i) for i in ids], f"Delete {len(ids)} rules")
        if self.doc.push(cmd):
            n = self.rules_proxy.rowCount()
            if n:
                self.rules_view.selectRow(min(max(row, 0), n - 1))
            shown = f"'{labels[0]}'" if len(labels) == 1 else f"{len(labels)} rules"
            self.status(f"Deleted {shown} (Ctrl+Z brings {'it' if len(ids) == 1 else 'them'} back)")

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
            set_text(self.rule_details, "<span style='color:#777'>Select a rule to see it in plain words. "
                                         "Double-click a cell to edit it; Ctrl+Z undoes any edit.</span>")
            return
        hits = self.doc.scorer.rule_hits(r.id) if self.doc.scorer is not None and r.enabled else None  # now, not cached
        text = f"<b>{escape(r.label)}</b> ({r.dimension}): {escape(r.describe())}"
        if r.kind != "map" and r.kind != "activity":
            text += f" \u2192 <b>{'+' if r.points > 0 else ''}{r.points:g}</b>"
        if hits is not None:
            text += f" &nbsp;\u00b7&nbsp; {hits:,} leads get points now"
        if r.why:
            text += f"<br><i>Why:</i> {escape(r.why)}"
        set_text(self.rule_details, text)

    def _update_rules_tab_title(self) -> None:
        n = len(self.doc.model.rules)
        shown = self.rules_proxy.rowCount()
        set_tab_text(self.editor_tabs, 0, f"Rules ({shown} of {n})" if shown != n else f"Rules ({n})")

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

    def add_attribute(self) -> None:
        m = self.doc.model
        frame = self.doc.leads_frame
        declared = {m.column_for(a.name) for a in m.attributes} | {m.lead_id}
        extra = [c for c in (frame.columns if frame is not None else []) if c not in declared]
        if extra:
            col = str(extra[0])
            attr = self.doc.attribute_for_column(col)
            name = attr.name
            cmds = [C.AddAttribute(None, attr)]
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
