"""``leaddesigner score --accounts``: one row per account instead of per lead.

A thin adapter over :func:`leaddesigner.core.scoring.accounts.roll_up`: the model's accounts section, or the
defaults, which it states.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from leaddesigner.cli import common
from leaddesigner.cli.common import CliError, Loaded, Progress


def score_accounts(args: argparse.Namespace, loaded: Loaded, out: Path, ext: str, progress: Progress, as_of_reason: str) -> int:
    """``score --accounts``: one row per account (the model's accounts section, or the stated defaults)."""
    from leaddesigner.core.scoring.accounts import AccountError, account_frame, roll_up

    progress.stage("Rolling contacts up to accounts")
    try:
        result = roll_up(loaded.model, loaded.data, loaded.scorer.result)
    except AccountError as e:
        raise CliError(f"{loaded.leads_source}: {e}") from None
    frame = account_frame(result)
    progress.stage(f"Writing {out.name}")
    common.write_table(frame, out, ext)
    progress.done()
    if not args.quiet:
        if loaded.model.accounts is None:
            common.err("The model has no accounts section; defaults used (add one to change them):")
        for line in result.lines():
            common.err(line)
        common.err(f"As of {common.as_of_text(loaded.data.as_of)} ({as_of_reason}); "
                   f"{common.seconds(progress.elapsed())}; wrote {args.output}")
    return 0
