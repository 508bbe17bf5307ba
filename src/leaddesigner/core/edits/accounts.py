"""Edits to the accounts section (how contacts roll up to accounts, the MQA line)."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

from leaddesigner.core.edits.base import Command, CommandError, issue_text
from leaddesigner.core.model.accounts import Accounts
from leaddesigner.core.model.types import ScoringModel, to_dict

__all__ = ["SetAccounts"]


@dataclass
class SetAccounts(Command):
    """Replace the accounts section (None removes it). The value is checked as the model file would be.

    ``what`` names the setting that changed ("MQA line", "combine"): the undo text says it, and
    consecutive edits of the same setting (spin-box steps) merge into one undo step.
    """

    value: Accounts | None
    what: str = "accounts"
    scope: ClassVar[str] = "accounts"

    @property
    def text(self) -> str:
        if self.value is None:
            return "Remove the accounts section"
        return f"Set accounts: {self.what}"

    @property
    def merge_key(self) -> Any:
        return ("accounts", self.what) if self.what != "accounts" else None

    def _apply(self, model: ScoringModel) -> Command:
        from leaddesigner.core.model.io import ModelError
        from leaddesigner.core.model.validate import validate_dict

        if self.value is not None:
            if not isinstance(self.value, Accounts):
                raise CommandError("accounts must be an Accounts value or None")
            trial = copy.copy(model)
            trial.accounts = self.value
            try:
                validate_dict(to_dict(trial))
            except ModelError as e:
                raise CommandError(issue_text(e)) from None
        old = copy.deepcopy(model.accounts)
        model.accounts = copy.deepcopy(self.value)
        return SetAccounts(old, self.what)
