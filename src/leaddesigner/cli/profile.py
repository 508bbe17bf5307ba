"""``leaddesigner profile``: every column of a lead file, with conversion per value when the outcome is known.

A thin adapter over :func:`leaddesigner.core.data.profile.profile` (the app's
Profile tab shows the same figures): reads the file through the load
pipeline's reader and detection, reads the outcome, prints one block per
column (strongest first with an outcome) or one JSON document, and with
``--new-model`` writes a starter model (one attribute per column, the detected
id, creation date and formats, the outcome; no rules).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from leaddesigner.cli import common


def register(sub) -> None:
    sp = sub.add_parser(
        "profile",
        help="profile every column of a lead file (types, fill, values; with --outcome, conversion and IV)",
        description=common.wrap(
            "Profile a lead file before writing rules: for every column the type and format it reads as "
            "(US or European dates and numbers, currencies, yes/no in several languages), the fill rate, "
            "the number of distinct values and the most frequent values or five number bands. With --outcome, "
            "the conversion rate of each value or band and the column's information value (IV); columns whose "
            "names say they are recorded with or after the outcome are flagged. Also says which column is the "
            "lead id (or that leads are numbered by line) and which date dates each lead."
        ),
        epilog="examples:\n"
        "  leaddesigner profile hubspot_contacts.csv --outcome 'Lifecycle Stage' --positive opportunity,customer\n"
        "  leaddesigner profile salesforce_report.csv --outcome Converted --json\n"
        "  leaddesigner profile leads.xlsx --sheet Leads --new-model starter.yaml",
        formatter_class=common.formatter,
    )
    sp.add_argument("leads", metavar="LEADS", help=common.DATA_HELP["leads"])
    common.add_outcome_args(sp, help=common.OUTCOME_HELP.replace(" (default: the model's outcome:)", ""))
    sp.add_argument("--sheet", metavar="NAME", help=common.DATA_HELP["sheet"])
    sp.add_argument("--values", metavar="N", type=common.pos_int, default=5, help="values or bands shown per column (default: 5)")
    sp.add_argument("--json", action="store_true", help="print one JSON document instead of the text")
    sp.add_argument("--new-model", metavar="MODEL", help="also write a starter model for this file (.yaml): attributes, id, dates, outcome")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    sp.set_defaults(func=cmd_profile)


def cmd_profile(args: argparse.Namespace) -> int:
    from leaddesigner.core.data.detect import detect
    from leaddesigner.core.data.pipeline import read
    from leaddesigner.core.data.profile import profile

    common.existing_file(args.leads, "lead file")
    if args.new_model and Path(args.new_model).suffix.lower() not in (".yaml", ".yml", ".json"):
        raise common.CliError(f"--new-model {args.new_model}: a model file ends in .yaml (or .json).")
    progress = common.Progress(sys.stderr, enabled=not args.quiet)
    progress.stage(f"Loading {Path(args.leads).name}")
    table = read(args.leads, "lead file", progress=progress, sheet=args.sheet)
    progress.stage("Profiling the columns")
    det = detect(table.frame, delimiter=table.info.delimiter if table.info else None, source=table.name)
    spec = common.outcome_spec(args)
    outcome = common.read_outcome(table.frame, spec, table.name) if spec is not None else None
    prof = profile(table.frame, outcome=outcome, detection=det, source=table.name)
    progress.done()
    if args.json:
        doc = {
            "file": str(args.leads),
            "rows": prof.rows,
            "notes": table.notes + det.lines(),
            "lead_id": det.id_column,
            "created": det.created,
            "outcome": None if outcome is None else {**spec.to_dict(), "converted": outcome.converted, "description": outcome.description},
            "columns": [
                {
                    "column": c.column, "type": c.type, "format": c.format, "fill_rate": round(c.fill_rate, 4),
                    "distinct": c.distinct, "iv": None if c.iv is None else round(c.iv, 4), "strength": c.strength,
                    "after_outcome": c.after_outcome, "is_id": c.is_id, "is_outcome": c.is_outcome, "note": c.note,
                    "values": [
                        {"label": v.label, "leads": v.leads, "converted": v.converted,
                         "rate": None if v.rate is None else round(v.rate, 4), "woe": None if v.woe is None else round(v.woe, 4)}
                        for v in c.values
                    ],
                }
                for c in prof.columns
            ],
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        for note in table.notes:
            print(note)
        print(prof.text(values=args.values))
    if args.new_model:
        from leaddesigner.core.data.starter import model_from_file
        from leaddesigner.core.model.io import save_model
        from leaddesigner.core.model.types import Outcome

        m = model_from_file(det, name=f"Model for {table.name}")
        if spec is not None:
            m.outcome = Outcome(spec.column, list(spec.positive) if spec.positive else None, spec.date)
        save_model(m, Path(args.new_model))
        common.err(f"Wrote {args.new_model}: {len(m.attributes)} attributes, lead id '{m.lead_id}', no rules yet.")
    return 0
