"""``leaddesigner compare`` and ``leaddesigner report``.

Thin adapters over :mod:`leaddesigner.core.analysis.compare` (two models side by side on
the same leads) and :mod:`leaddesigner.core.export.report` (the model explained to
the sales team as one standalone HTML file).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from leaddesigner.cli import common

COMPARE_DESCRIPTION = (
    "Score the same leads with two models (say marketing's A and sales' B) and compare them: leads, MQLs, SQLs "
    "and MQLs per week against capacity for each model (with --outcome also ROC AUC and the precision and recall "
    "of the MQL handover), both score distributions, the agreement matrix (MQL in both, only in A, only in B, in "
    "neither; with --outcome the conversion rate of each cell) and the leads one model hands to sales and the other "
    "does not, each with the three rules that make the biggest difference. Each model reads the lead file through "
    "its own column mapping."
)
COMPARE_EPILOG = (
    "examples:\n"
    "  leaddesigner compare marketing.yaml sales.yaml leads.csv --activities activities.csv\n"
    "  leaddesigner compare A.yaml B.yaml leads.csv --activities activities.csv --outcome converted --limit 5\n"
    "  leaddesigner compare A.yaml B.yaml leads.csv --json > comparison.json\n\n"
    "Exit status 0 on success, 2 on bad input."
)
REPORT_DESCRIPTION = (
    "Write one standalone HTML file that explains the model to the sales team: what a lead, an MQL and an SQL are, "
    "every rule in plain words with its points (negative points marked), the limits on points, thresholds, the "
    "fit x engagement grade grid and which grades become MQLs, SDR capacity against MQLs per week, the score "
    "distribution and weekly MQL charts, and with --outcome the backtest (AUC with its interval, conversion by score "
    "band, MQL against non-MQL conversion, conversions captured against leads handed over; with --converted-at the "
    "score of each converter when it converted), the changelog and the model's version and fingerprint. "
    "No external files or scripts: send it by mail or print it."
)
REPORT_EPILOG = (
    "examples:\n"
    "  leaddesigner report model.yaml leads.csv --activities activities.csv -o report.html\n"
    "  leaddesigner report model.yaml leads.csv --activities activities.csv --outcome converted \\\n"
    "      --converted-at converted_at -o report.html\n\n"
    "Exit status 0 on success, 2 on bad input."
)


def register(sub) -> None:
    # compare
    sp = sub.add_parser(
        "compare",
        help="two models side by side on the same leads: metrics, agreement, the leads they disagree on",
        description=common.wrap(COMPARE_DESCRIPTION),
        epilog=COMPARE_EPILOG,
        formatter_class=common.formatter,
    )
    sp.add_argument("model_a", metavar="A", help="the first model file (.yaml or .json)")
    sp.add_argument("model_b", metavar="B", help="the second model file")
    sp.add_argument("leads", metavar="LEADS", help=common.DATA_HELP["leads"])
    sp.add_argument("--activities", metavar="FILE", help=common.DATA_HELP["activities"])
    common.add_outcome_args(sp)
    sp.add_argument("--as-of", metavar="DATE", type=common.as_of_arg, help=common.DATA_HELP["as_of"])
    sp.add_argument("--horizon-days", metavar="N", type=common.horizon_arg, help=common.DATA_HELP["horizon_days"])
    sp.add_argument("--allow-missing", action="store_true", help=common.DATA_HELP["allow_missing"])
    sp.add_argument(
        "--limit", metavar="N", type=common.nonneg_int, default=20,
        help="leads listed per side, with their reasons (default: 20; the totals are always exact)",
    )
    sp.add_argument("--json", action="store_true", help="print one JSON document instead of the text")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr (warnings still show)")
    sp.set_defaults(func=cmd_compare)

    # report
    sp = sub.add_parser(
        "report",
        help="write a standalone HTML report that explains the model to the sales team",
        description=common.wrap(REPORT_DESCRIPTION),
        epilog=REPORT_EPILOG,
        formatter_class=common.formatter,
    )
    sp.add_argument("model", metavar="MODEL", help=common.DATA_HELP["model"])
    sp.add_argument("leads", metavar="LEADS", help=common.DATA_HELP["leads"])
    sp.add_argument("--activities", metavar="FILE", help=common.DATA_HELP["activities"])
    common.add_outcome_args(sp, help=common.OUTCOME_HELP + "; adds the backtest")
    sp.add_argument("--converted-at", metavar="COL", help="lead-file column with the conversion date (adds the score at conversion)")
    sp.add_argument("--first-contact", metavar="COL", help="lead-file column with the first sales contact date")
    sp.add_argument("--as-of", metavar="DATE", type=common.as_of_arg, help=common.DATA_HELP["as_of"])
    sp.add_argument("--horizon-days", metavar="N", type=common.horizon_arg, help=common.DATA_HELP["horizon_days"])
    sp.add_argument("--allow-missing", action="store_true", help=common.DATA_HELP["allow_missing"])
    sp.add_argument("--bootstrap", metavar="B", type=common.nonneg_int, default=200, help="bootstrap resamples for the AUC interval (default: 200)")
    sp.add_argument("--votes", metavar="FILE", help="the workshop's votes CSV (lead_id, voter, vote[, role]): adds what the room decided")
    sp.add_argument("-o", "--output", metavar="FILE", required=True, help="the HTML file to write (atomically)")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress and no result line on stderr")
    sp.set_defaults(func=cmd_report)


# ---------------------------------------------------------------- helpers
def _check_column(data, col: str, source: str, option: str) -> None:
    from leaddesigner.core.model.io import did_you_mean

    cols = ([] if data.extra is None else [str(c) for c in data.extra.columns]) + [str(c) for c in data.frame.columns]
    if col not in cols:
        raise common.CliError(f"{option}: there is no column '{col}' in {source}.{did_you_mean(col, cols)}")


def _output_path(path: str) -> Path:
    out = Path(path)
    if out.is_dir():
        raise common.CliError(f"Cannot write \"{path}\": it is a folder. Give a file name, like report.html.")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise common.CliError(f"Cannot write \"{path}\": the folder \"{folder}\" does not exist. Create it first.")
    return out


# ---------------------------------------------------------------- compare
def cmd_compare(args: argparse.Namespace) -> int:
    from leaddesigner.core.analysis.compare import compare
    from leaddesigner.core.data.leadfile import LeadFileError, row_label
    from leaddesigner.core.data.pipeline import load, read
    model_a = common.read_model(args.model_a)
    model_b = common.read_model(args.model_b)
    row_label(args.leads)
    common.existing_file(args.leads, "lead file")
    if args.activities:
        row_label(args.activities)
        common.existing_file(args.activities, "activity log")
    progress = common.Progress(sys.stderr, enabled=not args.quiet)
    leads = read(args.leads, "lead file", progress=progress)
    activities = read(args.activities, "activity log", progress=progress) if args.activities else None
    if activities is not None and activities.name == leads.name:
        leads.name, activities.name = str(args.leads), str(args.activities)
    leads_source = leads.name
    act_source = activities.name if activities is not None else "activities"

    bound = []
    for i, (path, model) in enumerate(((args.model_a, model_a), (args.model_b, model_b))):
        progress.stage(f"Checking the data against {Path(path).name}")
        try:
            loaded = load(model, leads, activities, as_of=args.as_of, horizon_days=args.horizon_days, progress=progress)
        except LeadFileError as e:
            raise common.CliError(f"{path}: {e}") from None
        progress.done()
        if i == 0:
            for note in loaded.notes:
                common.err(f"note: {note}")
        ns = argparse.Namespace(model=path, leads=args.leads, activities=args.activities, allow_missing=args.allow_missing)
        common.report_problems(loaded, ns)
        bound.append(loaded.data)
    spec = common.outcome_spec(args, model_a)
    y = common.read_outcome(leads.frame, spec, leads_source).y if spec is not None else None
    del leads, activities
    data_a, data_b = bound

    progress.stage("Scoring and comparing")
    comp = compare(model_a, model_b, data_a, data_b=data_b, outcome=y, limit=args.limit)
    if spec is not None:
        comp.outcome_name = spec.text() if spec.positive else spec.column
    progress.done()
    if args.json:
        d = comp.to_dict()
        d["files"] = {"a": args.model_a, "b": args.model_b, "leads": args.leads, "activities": args.activities}
        d["as_of"] = str(data_a.as_of)
        print(json.dumps(d, indent=2, ensure_ascii=False, default=_json_default))
    else:
        print(f"Data: {leads_source}" + (f" + {act_source}" if args.activities else "")
              + f", scored as of {common.as_of_text(data_a.as_of)}")
        print(comp.text(limit=args.limit))
    return 0


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


# ---------------------------------------------------------------- report
def cmd_report(args: argparse.Namespace) -> int:
    from leaddesigner.core.export.report import write_report

    out = _output_path(args.output)
    votes = None
    if args.votes:
        from leaddesigner.core.workshop.votes import VoteError, read_votes

        common.existing_file(args.votes, "votes file")
        try:
            votes = read_votes(args.votes)
        except VoteError as e:
            raise common.CliError(str(e)) from None
    progress = common.Progress(sys.stderr, enabled=not args.quiet)
    loaded = common.load_and_score(args, progress)
    data = loaded.data
    spec = common.outcome_spec(args, loaded.model)
    if (args.converted_at or args.first_contact) and spec is None:
        raise common.CliError("--converted-at and --first-contact need --outcome (the column telling who converted).")
    outcome = common.read_outcome(loaded.pipeline.leads.frame, spec, loaded.leads_source) if spec is not None else None
    y = outcome.y if outcome is not None else None
    if outcome is not None and outcome.at is not None and not args.converted_at:
        args.converted_at = spec.date or spec.column
    for col, opt in ((args.converted_at, "--converted-at"), (args.first_contact, "--first-contact")):
        if col:
            _check_column(data, col, loaded.leads_source, opt)
    progress.stage(f"Writing {out.name}")
    html = write_report(
        out, loaded.model, loaded.scorer,
        outcome=y, converted_at=args.converted_at, first_contact=args.first_contact,
        leads_source=loaded.leads_source, activities_source=loaded.activities_source,
        outcome_name=None if spec is None else spec.text() if spec.positive else spec.column, n_boot=args.bootstrap,
        votes=votes,
    )
    progress.done()
    if not args.quiet:
        common.err(
            f"Wrote {args.output} ({len(html.encode('utf-8')) / 1024:,.0f} KB: {common.count(len(loaded.model.rules), 'rule')}, "
            f"{common.count(len(data), 'lead')}{', with backtest' if y is not None else ''}) in {common.seconds(progress.elapsed())}"
        )
    return 0
