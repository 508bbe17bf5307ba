"""``leaddesigner backtest``: a model against past conversions, and MQL threshold suggestions.

A thin adapter over :mod:`leaddesigner.core.analysis.backtest` and
:mod:`leaddesigner.core.analysis.thresholds`: load and score with the shared CLI helpers,
split by time (older leads tune, the most recent are the holdout), print the
backtest, each converter's score at conversion (when a conversion date column
is given) and the four threshold suggestions, computed on the tuning part and
checked on the holdout.
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd

from leaddesigner.cli import common

DESCRIPTION = (
    "Backtest a model against past conversions: ROC AUC with a bootstrap interval, conversion by score band "
    "and grade, lift and cumulative gains, precision and recall of the MQL threshold, MQL against non-MQL "
    "conversion rate. The leads are split by creation time: the older ones tune, the most recent (--holdout, "
    "default 20%) are the holdout the figures are reported on. With a conversion date column, each converter "
    "is scored as of the moment it converted (and of first sales contact). Then four MQL thresholds are "
    "suggested from the tuning part, each with what it would mean: one that fits SDR capacity, one that "
    "reaches a recall of converters, one that maximises F1 and the average score at conversion."
)
EPILOG = (
    "examples:\n"
    "  leaddesigner backtest model.yaml leads.csv --activities activities.csv --outcome converted \\\n"
    "      --converted-at converted_at --first-contact first_sales_contact_at\n"
    "  leaddesigner backtest bank.yaml bank-additional-full.csv --outcome y --holdout 0.2 --json\n\n"
    "The outcome column may hold 0/1, true/false, yes/no, won/lost or CRM stages (Closed Won, Closed Lost, "
    "open stages count as not converted).\nExit status 0 on success, 2 on bad input."
)


def _fraction(text: str) -> float:
    try:
        v = float(text.rstrip("%")) / (100.0 if text.endswith("%") else 1.0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0.0 <= v < 1.0:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 0 and below 1 (e.g. 0.2 for 20%)")
    return v


def _recall(text: str) -> float:
    try:
        v = float(text.rstrip("%")) / (100.0 if text.endswith("%") else 1.0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0.0 < v <= 1.0:
        raise argparse.ArgumentTypeError(f"'{text}' must be above 0 and at most 1 (e.g. 0.8 for 80%)")
    return v


def register(sub) -> None:
    sp = sub.add_parser(
        "backtest",
        help="backtest a model against past conversions; suggest MQL thresholds",
        description=common.wrap(DESCRIPTION),
        epilog=EPILOG,
        formatter_class=common.formatter,
    )
    sp.add_argument("model", metavar="MODEL", help=common.DATA_HELP["model"])
    sp.add_argument("leads", metavar="LEADS", help=common.DATA_HELP["leads"])
    common.add_outcome_args(sp)
    sp.add_argument("--converted-at", metavar="COL", help="lead-file column with the conversion date: score each converter as of then")
    sp.add_argument("--first-contact", metavar="COL", help="lead-file column with the first sales contact date: score converters as of then too")
    sp.add_argument("--activities", metavar="FILE", help=common.DATA_HELP["activities"])
    sp.add_argument("--as-of", metavar="DATE", type=common.as_of_arg, help=common.DATA_HELP["as_of"])
    sp.add_argument("--horizon-days", metavar="N", type=common.horizon_arg, help=common.DATA_HELP["horizon_days"])
    sp.add_argument("--allow-missing", action="store_true", help=common.DATA_HELP["allow_missing"])
    sp.add_argument(
        "--holdout", metavar="F", type=_fraction, default=0.2,
        help="share of the most recent leads kept as the holdout (default: 0.2; 0: no split)",
    )
    sp.add_argument("--recall", metavar="R", type=_recall, default=0.8, help="share of converters the recall suggestion must reach (default: 0.8)")
    sp.add_argument("--capacity", metavar="N", type=common.nonneg_float, help="MQLs the SDR team can work per week (default: the model's capacity)")
    sp.add_argument("--bootstrap", metavar="B", type=common.nonneg_int, default=200, help="bootstrap resamples for the AUC interval (default: 200; 0: none)")
    sp.add_argument("--json", action="store_true", help="print one JSON document instead of the text report")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr (warnings still show)")
    sp.set_defaults(func=cmd_backtest)


# ---------------------------------------------------------------- columns
def _columns(loaded: common.Loaded) -> list[str]:
    """The lead file's columns as the user sees them (model attributes under their file names)."""
    model, data = loaded.model, loaded.data
    cols = [model.lead_id]
    cols += [model.column_for(a.name) for a in model.attributes if model.column_for(a.name) in _file_columns(loaded)]
    cols += [] if data.extra is None else [str(c) for c in data.extra.columns]
    return cols


def _file_columns(loaded: common.Loaded) -> set[str]:
    present = {a.name for a in loaded.model.attributes} - {p.column for p in loaded.data.problems if p.kind == "missing_column"}
    return {loaded.model.column_for(a) for a in present}


def _column(loaded: common.Loaded, col: str, option: str) -> pd.Series:
    """A lead-file column by its file name, or a CliError naming the columns there are."""
    from leaddesigner.core.model.io import did_you_mean

    data, model = loaded.data, loaded.model
    if data.extra is not None and col in data.extra.columns:
        return data.extra[col]
    for a in model.attributes:
        if model.column_for(a.name) == col and col in _file_columns(loaded):
            return data.frame[a.name]
    cols = _columns(loaded)
    shown = ", ".join(cols[:40]) + (" ..." if len(cols) > 40 else "")
    raise common.CliError(f"{option}: there is no column '{col}' in {loaded.leads_source}.{did_you_mean(col, cols)} Columns in the file: {shown}.")


def _dates(loaded: common.Loaded, col: str, option: str) -> np.ndarray:
    """A date column as datetime64[ns]; values that are not dates are warned about and count as missing."""
    from leaddesigner.core.data.coerce import coerce_types
    from leaddesigner.core.data.leadfile import row_label
    s = _column(loaded, col, option)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.to_numpy(dtype="datetime64[ns]")
    frame, problems = coerce_types(pd.DataFrame({col: s}), {col: "date"}, source=loaded.leads_source, row_offset=row_label(loaded.leads_source)[1])
    out = frame[col].to_numpy(dtype="datetime64[ns]")
    if problems and np.isnat(out).all():
        seen = ", ".join(repr(str(v)) for v in s.dropna().unique()[:5])
        raise common.CliError(f"{option}: column '{col}' of {loaded.leads_source} holds no dates (found {seen}). Give the column with the dates.")
    for p in problems:
        common.err(f"warning: {option}: {p.message}")
    return out


# ---------------------------------------------------------------- command
def cmd_backtest(args: argparse.Namespace) -> int:
    from leaddesigner.core.analysis.backtesting import run_backtest, time_dependent

    progress = common.Progress(sys.stderr, enabled=not args.quiet)
    loaded = common.load_and_score(args, progress)
    model, data = loaded.model, loaded.data

    spec = common.outcome_spec(args, model)
    if spec is None:
        raise common.CliError(
            "backtest needs the outcome: --outcome COLUMN (with --positive VALUES for a stage or status column), "
            "or an outcome: section in the model."
        )
    outcome = common.read_outcome(loaded.pipeline.leads.frame, spec, loaded.leads_source)
    y = outcome.y
    args.outcome = spec.column
    converted_at = _dates(loaded, args.converted_at, "--converted-at") if args.converted_at else outcome.at
    if args.converted_at is None and outcome.at is not None:
        args.converted_at = spec.date or spec.column
    first_contact = _dates(loaded, args.first_contact, "--first-contact") if args.first_contact else None

    created = None
    if model.created_at and model.created_at in data.frame.columns and data.frame[model.created_at].notna().any():
        created = data.frame[model.created_at].to_numpy(dtype="datetime64[ns]")
    split_by = f"creation date ('{model.column_for(model.created_at)}')" if created is not None else "row order (no creation date)"

    progress.stage("Backtesting")
    capacity = args.capacity if args.capacity is not None else model.capacity.per_week
    run = run_backtest(
        loaded.scorer, y, created=created, holdout_fraction=args.holdout, capacity_per_week=capacity,
        recall=args.recall, converted_at=converted_at, first_contact=first_contact,
        conversion_column=f"'{args.converted_at}'", n_boot=args.bootstrap,
    )
    bt, sac, holdout = run.backtest, run.at_conversion, run.holdout
    if run.at_conversion_error and converted_at is not None and sac is None:
        run.notes.append(run.at_conversion_error)
    notes: list[str] = []
    if time_dependent(model) and data.horizon_days is None:
        notes.append(
            f"Every lead is scored as of {common.as_of_text(data.as_of)}, so activity after a lead converted counts too, "
            "which flatters the backtest. --horizon-days N scores each lead as it stood N days after it was created."
        )
    notes += run.notes
    sugg, current, checked = run.suggestions, run.current, run.checked
    progress.done()

    if args.json:
        doc = {
            "model": {"name": model.name, "file": args.model, "mql_threshold": model.thresholds.mql, "capacity_per_week": capacity},
            "data": {
                "leads": loaded.leads_source,
                "activities": loaded.activities_source,
                "as_of": data.as_of.isoformat(),
                "horizon_days": data.horizon_days,
                "outcome": args.outcome,
                "outcome_positive": list(spec.positive) if spec.positive else None,
                "split": {"by": run.split_by, "holdout_fraction": args.holdout if holdout is not None else 0.0},
            },
            "backtest": bt.to_dict(),
            "score_at_conversion": None if sac is None else sac.to_dict(),
            "suggestions": {
                "computed_on": "tuning" if holdout is not None else "all leads",
                "recall_target": args.recall,
                "current": {**current.to_dict(), "holdout": checked["current"].to_dict() if "current" in checked else None},
                "items": [{**s.to_dict(), "holdout": checked[s.key].to_dict() if s.key in checked else None} for s in sugg],
            },
            "calibration": None if run.calibration is None else {
                "lines": run.calibration_lines,
                "points_to_double_the_odds": run.calibration.points_to_double,
                "bands": [{"score": float(c), "leads": int(n), "converted": int(k), "rate": float(r), "low": float(lo),
                           "high": float(hi)}
                          for c, n, k, r, lo, hi in zip(run.calibration.centres, run.calibration.leads,
                                                        run.calibration.converted, run.calibration.rate,
                                                        run.calibration.lo, run.calibration.hi)],
            },
            "notes": notes,
        }
        print(json.dumps(doc, indent=2, allow_nan=False))
        return 0

    files = loaded.leads_source + (f" + {loaded.activities_source}" if loaded.activities_source else "")
    when = f"{data.horizon_days:g} days after each lead was created, at most " if data.horizon_days else ""
    print(f"Model: {model.name} ({args.model}), MQL threshold {model.thresholds.mql:g}")
    print(f"Data: {files}, scored as of {when}{common.as_of_text(data.as_of)}")
    print(f"Outcome: {outcome.summary()}")
    if holdout is not None:
        print(f"Split by {split_by}: the most recent {100 * args.holdout:g}% ({int(holdout.sum()):,} leads) are the holdout.")
    print()
    print(bt.text())
    if sac is not None:
        print()
        print(sac.text())
    if run.calibration_lines:
        print()
        print("Points as probabilities (all leads, 90% interval):")
        for line in run.calibration_lines:
            print(f"  {line}")
    print()
    print(f"MQL threshold suggestions (computed on {run.suggested_on}):")
    for s in [current] + sugg:
        print("  " + s.text().replace("\n", "\n  "))
        if s.key in checked:
            print(f"      on the holdout: {checked[s.key].meaning()}.")
    if notes:
        print()
        print("Notes:")
        for line in notes:
            print(f"  - {line}")
    return 0
