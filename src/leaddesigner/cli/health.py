"""``leaddesigner health``: the model over time (score drift, MQL rate, conversion, sales cycle, inflation, rules).

A thin adapter over :func:`leaddesigner.core.analysis.health.health`.
"""
from __future__ import annotations

import argparse
import json
import math
import sys

from leaddesigner.cli import common

DESCRIPTION = (
    "Group the leads by the month (or quarter, or week) they were created in and show, per period: leads, the MQL "
    "rate, the median score and the population stability index (PSI) of the scores against the first period; with "
    "--outcome the conversion of MQLs and of the other leads, and with --converted-at the median days from creation "
    "to conversion. Then inflation (the same leads scored at the end of the data instead of N days after creation) "
    "and flags: a PSI over 0.1 or 0.25, an MQL rate or MQL conversion that moved, a rule whose share of leads changed."
)
EPILOG = (
    "examples:\n"
    "  leaddesigner health model.yaml leads.csv --activities activities.csv --outcome converted\n"
    "  leaddesigner health model.yaml leads.csv --outcome converted --converted-at converted_at --period quarter\n"
    "  leaddesigner health model.yaml leads.csv --json > health.json\n\n"
    "Exit status 0 on success, 2 on bad input."
)


def register(sub) -> None:
    sp = sub.add_parser("health", help="the model over time: score drift (PSI), MQL rate, conversion, inflation, rules",
                        description=common.wrap(DESCRIPTION), epilog=EPILOG, formatter_class=common.formatter)
    sp.add_argument("model", metavar="MODEL", help=common.DATA_HELP["model"])
    sp.add_argument("leads", metavar="LEADS", help=common.DATA_HELP["leads"])
    sp.add_argument("--activities", metavar="FILE", help=common.DATA_HELP["activities"])
    common.add_outcome_args(sp)
    sp.add_argument("--converted-at", metavar="COL", help="lead-file column with the conversion date (adds the sales cycle)")
    sp.add_argument("--period", choices=("month", "quarter", "week"), default="month", help="how leads are grouped (default: month)")
    sp.add_argument("--as-of", metavar="DATE", type=common.as_of_arg, help=common.DATA_HELP["as_of"])
    sp.add_argument("--horizon-days", metavar="N", type=common.horizon_arg, default=30,
                    help="score each lead N days after creation (default: 30; inflation compares with the end of the data)")
    sp.add_argument("--allow-missing", action="store_true", help=common.DATA_HELP["allow_missing"])
    sp.add_argument("--json", action="store_true", help="print one JSON document instead of the text")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    sp.set_defaults(func=cmd_health)


def _num(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def cmd_health(args: argparse.Namespace) -> int:
    import numpy as np

    from leaddesigner.core.analysis.health import health

    progress = common.Progress(sys.stderr, enabled=not args.quiet)
    loaded = common.load_and_score(args, progress)
    spec = common.outcome_spec(args, loaded.model)
    outcome = common.read_outcome(loaded.pipeline.leads.frame, spec, loaded.leads_source) if spec is not None else None
    conv = None
    if args.converted_at:
        if outcome is None:
            raise common.CliError("--converted-at needs --outcome (the column telling who converted).")
        frame = loaded.pipeline.leads.frame
        if args.converted_at not in frame.columns:
            from leaddesigner.core.model.io import did_you_mean

            raise common.CliError(f"--converted-at: there is no column '{args.converted_at}' in {loaded.leads_source}."
                                  f"{did_you_mean(args.converted_at, [str(c) for c in frame.columns])}")
        from leaddesigner.core.data.dates import parse_dates

        conv = parse_dates(frame[args.converted_at], None, name=args.converted_at)
        if conv is None:
            raise common.CliError(f"--converted-at: the column '{args.converted_at}' holds no dates.")
    elif outcome is not None and outcome.at is not None:
        conv = np.asarray(outcome.at, dtype="datetime64[ns]")
    try:
        h = health(loaded.scorer, None if outcome is None else outcome.y, period=args.period, converted_at=conv)
    except ValueError as e:
        raise common.CliError(str(e)) from None
    if args.json:
        doc = {
            "period": h.period,
            "periods": [{"period": p.period, "leads": p.leads, "mqls": p.mqls, "mql_rate": _num(p.mql_rate),
                         "median_score": p.median_score, "psi": _num(p.psi), "converted": p.converted,
                         "mql_conversion": p.mql_conversion, "other_conversion": p.other_conversion,
                         "days_to_convert_mql": p.days_to_convert_mql, "days_to_convert_other": p.days_to_convert_other,
                         "days_to_mql": p.days_to_mql, "days_mql_to_convert": p.days_mql_to_convert}
                        for p in h.periods],
            "inflation_points": h.inflation,
            "rules": [{"rule": r.rule_id, "label": r.label, "first": r.first, "last": r.last} for r in h.rules],
            "flags": h.flags,
        }
        print(json.dumps(doc, indent=2, allow_nan=False))
        return 0
    print("\n".join(h.lines()))
    if not args.quiet:
        common.err(f"Health of {common.count(len(loaded.data), 'lead')} over {common.count(len(h.periods), args.period)} "
                   f"in {h.seconds:.2f} s")
    return 0
