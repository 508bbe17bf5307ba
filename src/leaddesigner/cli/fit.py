"""``leaddesigner fit``: learn a sparse integer points model from past outcomes.

A thin adapter over :func:`leaddesigner.core.analysis.fit.fit_points`: reads the lead file
(and activity log), checks the outcome column, fits, prints the holdout AUC
against a logistic regression on the same candidate features and the rules,
and writes an ordinary model file (atomically, validated).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leaddesigner.cli import common

MODEL_EXTS = (".yaml", ".yml", ".json")


def register(sub) -> None:
    sp = sub.add_parser(
        "fit",
        help="learn a points model (sparse whole-number points) from leads with a known outcome",
        description=common.wrap(
            "Learn a points model from history: type the columns, bin numbers, build candidate rules "
            "(category values, number bands, missing values, activity counts), fit at most --max-rules rules "
            "with whole-number points on the older leads and report the AUC on the most recent ones "
            "(--holdout) against a logistic regression on the same candidates. Writes an ordinary model "
            "file: plain labels, fit/engagement dimensions, MQL/SQL thresholds, grades."
        ),
        epilog="examples:\n"
        "  leaddesigner fit leads.csv --outcome converted -o fitted.yaml\n"
        "  leaddesigner fit leads.csv --outcome converted --activities activities.csv --max-rules 10 -o fitted.yaml\n"
        "  leaddesigner fit bank.csv --outcome y --exclude duration -o bank.yaml\n\n"
        + common.wrap(
            "Not used as features: the outcome, id columns, dates (conversion and contact dates leak the outcome), "
            "columns whose names say they are recorded with or after the outcome (status, stage, won, closed, ...), "
            "any column that on its own predicts the outcome almost perfectly, and the columns given to --exclude."
        )
        + "\n"
        + common.wrap(
            "With an activity log, each lead is scored as of --horizon-days after it was created; score the file "
            "with the same --horizon-days to reproduce the fitted scores."
        )
        + "\n\nExit status 0 on success, 2 for bad input.",
        formatter_class=common.formatter,
    )
    sp.add_argument("leads", metavar="LEADS", help="lead file with the outcome (.csv, .xlsx, .parquet)")
    common.add_outcome_args(sp, required=True)
    sp.add_argument("--activities", metavar="FILE", help="activity log (lead id, timestamp, type[, url])")
    sp.add_argument("--max-rules", metavar="K", type=common.pos_int, default=12, help="at most this many rules (default 12)")
    sp.add_argument(
        "--exclude", metavar="COL", nargs="+", action="extend", default=[], help="columns never to use (known leaks, e.g. duration); several, or comma-separated"
    )
    sp.add_argument("--holdout", metavar="F", type=_fraction, default=0.2, help="most recent share of leads held out (default 0.2)")
    sp.add_argument("--created", metavar="COL", help="creation-date column (default: one named like created_at; else row order)")
    sp.add_argument(
        "--horizon-days", metavar="N", type=common.horizon_arg, default=14.0,
        help="with --activities: score each lead N days after creation (default 14)",
    )
    sp.add_argument("--name", metavar="TEXT", help="model name (default: Fitted points model)")
    sp.add_argument("--seed", metavar="N", type=common.nonneg_int, default=0, help="seed (default 0)")
    sp.add_argument("-o", "--output", metavar="MODEL", required=True, help="model file to write (.yaml or .json)")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    sp.set_defaults(func=cmd_fit)


def _fraction(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number like 0.2") from None
    if not 0.0 < v < 0.9:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 0.9 like 0.2, found {text}")
    return v


def cmd_fit(args: argparse.Namespace) -> int:
    from leaddesigner.core.analysis.fit import FitError, fit_points
    from leaddesigner.core.data.pipeline import read
    from leaddesigner.core.model.io import did_you_mean, save_model

    out = Path(args.output)
    if out.suffix.lower() not in MODEL_EXTS:
        raise common.CliError(
            f"Cannot write \"{args.output}\": a model file ends in .yaml (or .json); "
            f"{'it has no extension' if not out.suffix else repr(out.suffix) + ' is not one of them'}."
        )
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise common.CliError(f"Cannot write \"{args.output}\": the folder \"{folder}\" does not exist. Create it first.")
    if out.is_dir():
        raise common.CliError(f"Cannot write \"{args.output}\": it is a folder.")
    common.existing_file(args.leads, "lead file")
    if args.activities:
        common.existing_file(args.activities, "activity log")

    progress = common.Progress(sys.stderr, enabled=not args.quiet)
    table = read(args.leads, "lead file", progress=progress)
    leads_source = table.name
    for note in table.notes:
        common.err(f"note: {note}")
    leads = table.frame
    cols = [str(c) for c in leads.columns]
    spec = common.outcome_spec(args)
    outcome = common.read_outcome(leads, spec, leads_source).y
    args.exclude = [c.strip() for item in args.exclude for c in item.split(",") if c.strip()]
    for c in args.exclude:
        if c not in leads.columns:
            raise common.CliError(f"--exclude {c}: {leads_source} has no such column.{did_you_mean(c, cols)}")
    if args.created is not None and args.created not in leads.columns:
        raise common.CliError(f"--created {args.created}: {leads_source} has no such column.{did_you_mean(args.created, cols)}")
    activities = read(args.activities, "activity log", progress=progress).frame if args.activities else None

    progress.stage(f"Fitting points on {common.count(len(leads), 'lead')}")
    try:
        res = fit_points(
            leads,
            outcome,
            activities=activities,
            created=args.created,
            max_rules=args.max_rules,
            holdout_fraction=args.holdout,
            exclude=args.exclude,
            seed=args.seed,
            progress=progress,
            horizon_days=args.horizon_days,
            outcome_column=spec.column,
            name=args.name,
        )
    except FitError as e:
        raise common.CliError(f"Cannot fit {leads_source}: {e}.") from None
    progress.done()
    from leaddesigner.core.model.types import Outcome

    res.model.outcome = Outcome(spec.column, list(spec.positive) if spec.positive else None, spec.date)
    save_model(res.model, out)
    print(res.text())
    hint = f"leaddesigner score {args.output} {args.leads}"
    if args.activities:
        hint += f" --activities {args.activities}"
    if res.horizon_days is not None:
        hint += f" --horizon-days {res.horizon_days:g}"
    print(f"\nWrote {args.output}. Score with: {hint} -o scores.csv")
    return 0
