"""Core change events: each command says what it does to which row, before it does it."""
from __future__ import annotations

import pytest

from leaddesigner.core.edits import commands as C
from leaddesigner.core.edits.changes import Change, ChangeEvents
from leaddesigner.core.model.types import Attribute, to_dict

from .test_commands import model, new_rule  # noqa: F401 (the fixture)


def recorder(model):
    """ChangeEvents with listeners that record (when, change, the rule ids they saw then)."""
    ev = ChangeEvents()
    seen: list[tuple[str, Change, list[str]]] = []
    ev.about_to_change.append(lambda c: seen.append(("before", c, [r.id for r in model.rules])))
    ev.changed.append(lambda c: seen.append(("after", c, [r.id for r in model.rules])))
    ev.failed.append(lambda c: seen.append(("failed", c, [r.id for r in model.rules])))
    return ev, seen


def test_inserted_removed_and_moved_rules_name_their_rows(model):  # noqa: F811
    ev, seen = recorder(model)
    ids = [r.id for r in model.rules]
    ev.apply(model, C.AddRule(1, new_rule("fresh")))
    (w0, c0, before), (w1, c1, after) = seen
    assert (w0, w1) == ("before", "after") and c0 == c1
    assert c0 == Change("inserted", "rules", 1, key="fresh")
    assert before == ids and after[1] == "fresh"  # listeners see the old list first, then the new one

    seen.clear()
    ev.apply(model, C.MoveRule("fresh", 3))
    assert seen[0][1] == Change("moved", "rules", 1, 3, key="fresh") and seen[1][2][3] == "fresh"

    seen.clear()
    ev.apply(model, C.RemoveRule("fresh"))
    assert seen[0][1] == Change("removed", "rules", 3, key="fresh") and [r.id for r in model.rules] == ids


def test_a_move_to_where_the_rule_is_moves_no_row(model):  # noqa: F811
    ev, seen = recorder(model)
    rid = model.rules[2].id
    ev.apply(model, C.MoveRule(rid, 2))
    assert seen[0][1].kind == "changed" and seen[0][1].index == 2


def test_a_rename_carries_the_old_and_the_new_id_and_the_field(model):  # noqa: F811
    ev, seen = recorder(model)
    rid = model.rules[0].id
    ev.apply(model, C.SetRuleField(rid, "id", "renamed"))
    c = seen[0][1]
    assert (c.kind, c.area, c.index, c.key, c.old_key, c.field) == ("changed", "rules", 0, "renamed", rid, "id")
    c = C.SetRuleField("renamed", "points", 3).change(model)
    assert (c.key, c.old_key, c.field) == ("renamed", "renamed", "points")


def test_attributes_rows_and_whole_model_resets(model):  # noqa: F811
    ev, seen = recorder(model)
    n = len(model.attributes)
    ev.apply(model, C.AddAttribute(None, Attribute("extra")))
    assert seen[-1][1] == Change("inserted", "attributes", n, key="extra")
    ev.apply(model, C.RemoveAttribute("extra"))
    assert seen[-1][1] == Change("removed", "attributes", n, key="extra")
    ev.apply(model, C.ReplaceModel(to_dict(model)))
    assert seen[-1][1].kind == "reset" and seen[-1][1].touches("rules", "anything")
    # a mapped attribute's removal is undone by restoring a snapshot: a reset, whose area is the attributes
    ev.apply(model, C.SetColumnMapping("spare", "Spare column"))
    inverse = ev.apply(model, C.RemoveAttribute("spare"))
    assert inverse.change(model) == Change("reset", "attributes")
    ev.apply(model, inverse)
    assert seen[-1][1].kind == "reset" and model.attribute("spare") is not None and model.columns["spare"] == "Spare column"


def test_value_edits_say_their_area_and_field(model):  # noqa: F811
    assert C.SetThreshold("mql", 40).change(model) == Change("changed", "thresholds")
    assert C.SetMeta("created_at", "created_at").change(model) == Change("changed", "meta", field="created_at")
    assert not Change("changed", "meta").touches("rules") and Change("reset", "model").touches("rules")


def test_a_failing_structural_edit_announces_nothing(model):  # noqa: F811
    ev, seen = recorder(model)
    before = to_dict(model)
    with pytest.raises(C.CommandError):
        ev.apply(model, C.AddRule(0, new_rule(model.rules[0].id)))  # a duplicate id
    assert seen == [] and to_dict(model) == before  # tried on a copy first: no row operation began


def test_a_failing_value_edit_is_announced_as_failed(model):  # noqa: F811
    ev, seen = recorder(model)
    with pytest.raises(C.CommandError):
        ev.apply(model, C.SetRuleField(model.rules[0].id, "points", "lots"))
    assert [w for w, _, _ in seen] == ["before", "failed"]


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        Change("renamed", "rules")
