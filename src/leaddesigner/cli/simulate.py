"""``leaddesigner simulate MODEL LEADS --activities FILE``: replay the period, run the SDR queue, check the SLA.

Prints the weekly table (MQLs and re-MQLs arriving, capacity, worked, backlog,
median and p90 hours to first touch, share contacted within the SLA) and the
SLA summary with the smallest team and the lowest MQL threshold that meet the
SLA target. ``-o weekly.csv`` also writes the weekly table.
"""
from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from leaddesigner.cli import common

DESCRIPTION = (
    "Replay the model day by day over a period (default: the 26 weeks before the latest date in the data): "
    "the day each lead becomes an MQL, decay and activity windows as in production, recycling and re-MQLs as "
    "the model's 'recycling:' settings say. Then work the MQLs through the SDR queue with the model's "
    "'capacity:' (SDRs, leads per SDR per week or day, working days and hours, routing) and report per week "
    "the MQLs and re-MQLs arriving, the capacity, the leads worked, the backlog, the median and 90th-percentile "
    "hours to first touch and the share contacted within the SLA. The summary names the smallest team and the "
    "lowest MQL threshold that meet the SLA target (capacity.sla_target, default 90%)."
)

EPILOG = """\
examples:
  leaddesigner simulate model.yaml leads.csv --activities activities.csv
  leaddesigner simulate model.yaml leads.csv --activities activities.csv --from 2026-03-02 --to 2026-08-30
  leaddesigner simulate model.yaml leads.csv --activities activities.csv --sdrs 3 --sla-hours 24 -o weekly.csv

how the queue works: an MQL arrives at its last activity on the day it crosses the threshold (its creation
time on its creation day, else midnight); each working day has its share of the weekly capacity as touch
slots spread over the working hours; each slot takes the first waiting lead by routing rank (the order of
grade cells in capacity.routing, unlisted cells last), then oldest first (capacity.order: fifo) or highest
score first (score). Leads still waiting at the end count as breached once past the SLA, as pending before.

exit status: 0 done (whether or not the SLA is met), 2 bad input.
"""

OUT_EXTS = (".csv", ".xlsx", ".parquet")


def register(sub: argparse._SubParsersAction) -> None:
    sp = sub.add_parser(
        "simulate",
        help="replay MQLs over time, run the SDR queue and check the follow-up SLA",
        description=common.wrap(DESCRIPTION),
        epilog=EPILOG,
        formatter_class=common.formatter,
    )
    sp.add_argument("model", metavar="MODEL", help=common.DATA_HELP["model"])
    sp.add_argument("leads", metavar="LEADS", help=common.DATA_HELP["leads"])
    sp.add_argument("--activities", metavar="FILE", help=common.DATA_HELP["activities"])
    sp.add_argument("--from", dest="start", metavar="DATE", type=_date_arg, help="first day of the period (default: 26 weeks before --to)")
    sp.add_argument("--to", dest="end", metavar="DATE", type=_date_arg, help="last day of the period (default: the last full day in the data)")
    sp.add_argument("--as-of", metavar="DATE", type=common.as_of_arg, help=common.DATA_HELP["as_of"])
    sp.add_argument("--sdrs", metavar="N", type=common.nonneg_int, help="number of SDRs (default: capacity.sdrs of the model)")
    sp.add_argument("--sla-hours", metavar="H", type=_positive, help="follow-up SLA in hours (default: capacity.sla_hours)")
    sp.add_argument("--no-suggest", action="store_true", help="skip the team and threshold suggestions (faster)")
    sp.add_argument("-o", "--output", metavar="FILE", help="also write the weekly table (.csv, .xlsx or .parquet)")
    sp.add_argument("--json", action="store_true", help="print the weekly table and the summary as JSON")
    sp.add_argument("--allow-missing", action="store_true", help=common.DATA_HELP["allow_missing"])
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr (warnings still show)")
    sp.set_defaults(func=cmd_simulate, horizon_days=None)


def _date_arg(text: str) -> pd.Timestamp:
    import re

    t = pd.NaT
    if re.match(r"^\s*\d{4}-\d{1,2}-\d{1,2}", text or ""):
        try:
            t = pd.Timestamp(text.strip()).as_unit("ns")
        except (ValueError, TypeError, OverflowError):
            t = pd.NaT
    if t is pd.NaT:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: expected a date like 2026-06-30")
    return t.normalize()


def _positive(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of hours") from None
    if not v > 0:
        raise argparse.ArgumentTypeError("the SLA must be more than 0 hours")
    return v


def cmd_simulate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from leaddesigner.core.analysis.queue import simulate

    out = None
    if args.output:
        out = Path(args.output)
        ext = out.suffix.lower()
        if ext not in OUT_EXTS:
            raise common.CliError(f"{args.output}: cannot write '{ext or 'no extension'}'; use one of {', '.join(OUT_EXTS)}.")
        if not (out.parent if str(out.parent) else Path(".")).is_dir():
            raise common.CliError(f"{args.output}: the folder {out.parent} does not exist.")
    if args.start is not None and args.end is not None and args.start > args.end:
        raise common.CliError(f"--from {args.start.date()} is after --to {args.end.date()}.")
    progress = common.Progress(sys.stderr, enabled=not args.quiet)
    loaded = common.load_and_score(args, progress, score=False, guess="model")  # the replay scores every day itself
    # the replay reads the bound data only: the files as read (1M leads + 12M events: ~200 MB) go now
    model, data = loaded.model, loaded.data
    del loaded
    import pyarrow as pa

    pa.default_memory_pool().release_unused()  # their text lived in Arrow's allocator, which keeps freed memory
    progress.stage("Replaying the period")
    try:
        sim = simulate(
            model,
            data,
            args.start,
            args.end,
            sdrs=args.sdrs,
            sla_hours=args.sla_hours,
            suggest=not args.no_suggest,
            progress=progress,
        )
    except ValueError as e:
        raise common.CliError(str(e)) from None
    progress.done()
    for p in sim.summary.get("problems", []):
        common.err(f"warning: {p}")
    if out is not None:
        common.write_table(sim.weekly, out, out.suffix.lower())
    if args.json:
        weekly = sim.weekly.copy()
        weekly["week"] = weekly["week"].dt.strftime("%Y-%m-%d")
        doc = {"summary": _plain(sim.summary), "weekly": json.loads(weekly.to_json(orient="records"))}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        print(sim.text())
    sys.stdout.flush()
    if not args.quiet and out is not None:
        common.err(f"wrote {args.output}")
    return 0


def _plain(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, float) and v != v:
            v = None
        elif hasattr(v, "item"):
            v = v.item()
        out[k] = v
    return out
