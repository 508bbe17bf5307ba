"""``leaddesigner export``: the model as YAML, JSON or SQL (the lead query, or with ``--accounts`` the account query)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from leaddesigner.cli import common
from leaddesigner.cli.common import CliError


def cmd_export(args: argparse.Namespace) -> int:
    from leaddesigner.core.model.io import atomic_write_text, dumps_model

    sql_only = {
        "--dialect": args.dialect,
        "--leads-table": args.leads_table,
        "--activities-table": args.activities_table,
        "--as-of": args.as_of,
        "--quote-identifiers": args.quote_identifiers or None,
        "--accounts": getattr(args, "accounts", False) or None,
    }
    given = [k for k, v in sql_only.items() if v is not None]
    if args.to != "sql" and given:
        raise CliError(f"{', '.join(given)} only {'applies' if len(given) == 1 else 'apply'} to --to sql.")
    model = common.read_model(args.model)
    if args.to == "yaml":
        text = dumps_model(model)
    elif args.to == "json":
        # the same structure as the YAML, checked against the schema we ship before anything is written
        from leaddesigner.core.scoring.outputs import model_json

        try:
            text = model_json(model)
        except (OSError, ValueError) as e:
            raise CliError(f"Cannot write the model as JSON ({e}); reinstall LeadDesigner.") from None
    else:
        from leaddesigner.core.export.sqlexport import (
            DIALECTS,
            SQLExportError,
            export_sql,
            folding_notes,
        )
        from leaddesigner.core.model.io import did_you_mean

        kwargs: dict[str, Any] = {}  # only what was given: the exporter's defaults stay its own
        if args.dialect is not None:
            if args.dialect not in DIALECTS:
                raise CliError(
                    f"--dialect: '{args.dialect}' is not supported.{did_you_mean(args.dialect, DIALECTS)} "
                    f"Choose one of: {', '.join(DIALECTS)}."
                )
            kwargs["dialect"] = args.dialect
        if args.leads_table is not None:
            kwargs["leads_table"] = args.leads_table
        if args.activities_table is not None:
            kwargs["activities_table"] = args.activities_table
        if args.as_of is not None:
            kwargs["as_of"] = args.as_of
        if args.quote_identifiers:
            kwargs["quote_identifiers"] = True
        try:
            if getattr(args, "accounts", False):
                from leaddesigner.core.export.account_sql import export_account_sql

                text = export_account_sql(model, **kwargs)
            else:
                text = export_sql(model, **kwargs)
        except SQLExportError as e:  # the model cannot be expressed in that dialect: the message says why
            raise CliError(f"Cannot export {args.model} as SQL: {e}") from None
        if not text.endswith("\n"):
            text += "\n"
        for note in folding_notes(model, kwargs.get("dialect", "duckdb")):
            print(f"warning: {note}", file=sys.stderr)
    if args.output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        out = Path(args.output)
        if out.is_dir():
            raise CliError(f"Cannot write \"{args.output}\": it is a folder. Give a file name.")
        if not (out.parent if str(out.parent) else Path(".")).is_dir():
            raise CliError(f"Cannot write \"{args.output}\": the folder \"{out.parent}\" does not exist. Create it first.")
        atomic_write_text(out, text)
        if not args.quiet:
            common.err(f"Wrote {args.output} ({args.to}, {common.count(len(model.rules), 'rule')})")
    return 0
