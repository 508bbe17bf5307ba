"""``leaddesigner diff OLD NEW``: what changed between two model files, and what it does to leads.

Exit status as diff(1): 0 the models are the same, 1 they differ, 2 trouble
(a file that cannot be read, an invalid model, bad data, or a bug).
"""
from __future__ import annotations

import argparse
import json
import sys

from leaddesigner.cli import common

DESCRIPTION = (
    "List what changed from OLD to NEW in words: rules added, removed, re-weighted, with conditions "
    "changed, enabled or disabled, renamed or moved; activity windows and decay; caps and groups; MQL and SQL "
    "thresholds; grades and MQL cells; SDR capacity; attributes and column mapping; definitions, name, version "
    "and changelog entries. Anything else that differs is listed by its key. With --leads, both models score "
    "the same leads at the same moment and the MQLs and SQLs gained and lost are shown, with the first lead ids "
    "each way and the change in MQLs per week."
)

EPILOG = """\
examples:
  leaddesigner diff model_v1.yaml model_v2.yaml
  leaddesigner diff old.yaml new.yaml --leads leads.csv --activities activities.csv --as-of 2026-06-30
  leaddesigner diff old.yaml new.json --json > changes.json
  git show HEAD~1:model.yaml > /tmp/old.yaml && leaddesigner diff /tmp/old.yaml model.yaml

exit status (as diff(1)):
  0  the models are the same (nothing printed but a 'no differences' line)
  1  the models differ
  2  trouble: a missing or unreadable file, an invalid model, data that cannot be scored, or a bug
"""


def register(sub: argparse._SubParsersAction) -> None:
    sp = sub.add_parser(
        "diff",
        help="what changed between two models (and, with --leads, MQLs gained and lost)",
        description=common.wrap(DESCRIPTION),
        epilog=EPILOG,
        formatter_class=common.formatter,
    )
    sp.add_argument("old", metavar="OLD", help="the model before the change (.yaml or .json)")
    sp.add_argument("new", metavar="NEW", help="the model after the change (.yaml or .json)")
    sp.add_argument("--leads", metavar="FILE", help="score this lead file with both models and compare statuses")
    sp.add_argument("--activities", metavar="FILE", help=common.DATA_HELP["activities"] + " (with --leads)")
    sp.add_argument("--as-of", metavar="DATE", type=common.as_of_arg, help=common.DATA_HELP["as_of"] + " (with --leads)")
    sp.add_argument("--horizon-days", metavar="N", type=common.horizon_arg, help=common.DATA_HELP["horizon_days"] + " (with --leads)")
    sp.add_argument("--allow-missing", action="store_true", help=common.DATA_HELP["allow_missing"] + " (with --leads)")
    sp.add_argument("--limit", metavar="N", type=common.nonneg_int, default=10,
                    help="with --leads: show at most N lead ids each way (default: 10)")
    sp.add_argument("--json", action="store_true", help="print the changes (and the impact) as JSON")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr (warnings still show)")
    sp.set_defaults(func=cmd_diff)


def cmd_diff(args: argparse.Namespace) -> int:
    from leaddesigner.core.data.leadfile import LeadFileError
    from leaddesigner.core.model.io import ModelError

    try:
        return _diff(args)
    except (common.CliError, ModelError, LeadFileError, OSError, KeyboardInterrupt, BrokenPipeError):
        raise  # the entry point prints these and exits 2 (130 when interrupted)
    except Exception as e:  # a bug: say so, but exit 2, never 1 ("the models differ")
        common.unexpected(e, args)
        return 2


def _diff(args: argparse.Namespace) -> int:
    from leaddesigner.core.model.diff import diff_models

    for opt in ("activities", "as_of", "horizon_days", "allow_missing"):
        if getattr(args, opt) not in (None, False) and not args.leads:
            raise common.CliError(f"--{opt.replace('_', '-')} needs --leads FILE (the leads to score with both models).")
    old = common.read_model(args.old)
    new = common.read_model(args.new)
    d = diff_models(old, new)
    result = None
    if args.leads:
        result = _impact(args, old, new)
    if args.json:
        out = d.to_dict()
        out["impact"] = None if result is None else result.to_dict()
        sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False, default=str) + "\n")
    else:
        print(f"--- {args.old}\n+++ {args.new}")
        print(d.text())
        if result is not None:
            print()
            print(result.text())
    sys.stdout.flush()
    return 0 if d.empty else 1


def _impact(args: argparse.Namespace, old, new):
    from leaddesigner.core.analysis.impact import impact_of_scores
    from leaddesigner.core.data.leadfile import LeadFileError, row_label
    from leaddesigner.core.data.pipeline import check, load, read
    progress = common.Progress(sys.stderr, enabled=not args.quiet)
    row_label(args.leads)
    common.existing_file(args.leads, "lead file")
    if args.activities:
        row_label(args.activities)
        common.existing_file(args.activities, "activity log")
    leads = read(args.leads, "lead file", progress=progress)
    acts = read(args.activities, "activity log", progress=progress) if args.activities else None

    scorers = []
    as_of = args.as_of
    shown: set[str] = set()
    for path, model in ((args.old, old), (args.new, new)):
        progress.stage(f"Scoring with {path}")
        try:
            loaded = load(model, leads, acts, as_of=as_of, horizon_days=args.horizon_days, progress=progress)
        except LeadFileError as e:
            raise common.CliError(f"{path}: {e}") from None
        progress.done()
        as_of = loaded.data.as_of  # the new model scores at the moment the old one did
        c = check(loaded)
        if c.errors and not args.allow_missing:
            raise common.CliError(
                f"{path}: {loaded.leads.name} cannot be scored with it as it is:\n"
                + "\n".join("  " + e for e in c.errors)
                + "\nMap the columns under 'columns:' in the model, give the activity log with --activities, "
                "or pass --allow-missing."
            )
        for msg in loaded.notes + c.errors + [w.message for w in c.warnings]:
            if msg not in shown:  # the same data problem seen by both models: once
                shown.add(msg)
                common.err(f"warning: {path}: {msg}")
        scorers.append(loaded.scorer)
    progress.done()
    return impact_of_scores(scorers[0], scorers[1], args.limit)
