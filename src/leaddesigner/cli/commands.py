"""The ``leaddesigner`` command line: a thin adapter over :mod:`leaddesigner.core`.

Every subcommand loads files with the core (``modelio``, ``leadfile``), binds and
scores with :mod:`leaddesigner.core.scoring.engine` and prints or writes what the core
returns; no scoring logic lives here.

Exit codes: 0 success, 2 bad input (missing or unreadable file, invalid model,
bad date, unknown lead, missing columns, ...; one paragraph on stderr, no
traceback), 1 an unexpected error (a bug: a short message asking to report it;
``LEADDESIGNER_DEBUG=1`` shows the traceback), 130 interrupted.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from pathlib import Path
from typing import Sequence

import leaddesigner
from leaddesigner.cli import common
from leaddesigner.cli.common import (
    DATA_HELP,
    OUTCOME_HELP,
    CliError,
    Loaded,
    Progress,
    outcome_spec,
    read_outcome,
)
from leaddesigner.cli.export import cmd_export
from leaddesigner.core.scoring.explain import close_ids

PROG = "leaddesigner"
#: output formats of ``score`` (by the extension of ``-o``)
SCORE_FORMATS = (".csv", ".xlsx", ".parquet")
#: column names ``summary`` tries as the outcome when ``--outcome`` is not given (case-insensitive)
OUTCOME_NAMES = ("converted", "outcome", "won", "y", "status")
#: Excel's sheet limit, header row included
EXCEL_MAX_ROWS = 1_048_576
XCB_LIBS = "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"


# ---------------------------------------------------------------- output helpers


# ---------------------------------------------------------------- argument types


# ---------------------------------------------------------------- loading


# ---------------------------------------------------------------- commands
def cmd_validate(args: argparse.Namespace) -> int:
    from leaddesigner.core.model.io import ModelError

    status = 0
    for path in args.models:
        try:
            m = common.read_model(path, notes=False)
        except ModelError as e:
            common.err(e.format())
            status = 2
            continue
        except CliError as e:
            common.err(f"error: {e}")
            status = 2
            continue
        print(f"{path}: valid ({common.count(len(m.rules), 'rule')}, {common.count(len(m.attributes), 'attribute')})")
        for note in m.load_notes:
            common.err(f"warning: {note}")
    return status


def _score_duckdb(args: argparse.Namespace, out: Path, progress: Progress) -> int:
    """``score --engine duckdb``: the exported SQL on DuckDB over the files, streamed to the output (core/outofcore.py)."""
    from leaddesigner.core.export.outofcore import (
        UNSUPPORTED_OPTIONS,
        OutOfCoreError,
        input_kind,
        score_files,
    )

    if getattr(args, "horizon_days", None) is not None:
        raise CliError(f"--horizon-days is not supported with --engine duckdb: {UNSUPPORTED_OPTIONS['--horizon-days']}. Use --engine pandas.")
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise CliError(f"Cannot write \"{args.output}\" with --engine duckdb: write .csv or .parquet (or use --engine pandas for .xlsx).")
    model = common.read_model(args.model)
    leads_source, act_source = common.sources(args.leads, args.activities)
    for path, what in ((args.leads, "lead file"), (args.activities, "activity log")):
        if path is None:
            continue
        common.existing_file(path, what)
        if input_kind(path) is None:
            raise CliError(
                f"Cannot read {what} \"{path}\" with --engine duckdb: it reads CSV/TSV/TXT (optionally .gz) and Parquet files. "
                "Save it as CSV or Parquet, or use --engine pandas."
            )
    try:
        res = score_files(
            model,
            args.leads,
            out,
            activities_path=args.activities,
            as_of=args.as_of,
            allow_missing=getattr(args, "allow_missing", False),
            memory_limit=args.memory_limit,
            temp_directory=args.temp_dir,
            threads=args.threads,
            leads_display=leads_source,
            activities_display=act_source,
            progress=progress.stage,
        )
    except OutOfCoreError as e:
        raise CliError(str(e)) from None
    progress.done()
    for w in res.warnings:
        common.err(f"warning: {w}")
    if not args.quiet:
        c = res.status_counts
        why = "--as-of" if res.as_of_given else "the latest date in the data"
        common.err(
            f"Scored {common.count(res.rows, 'lead')} on DuckDB: {c['SQL']:,} SQL, {c['MQL']:,} MQL, {c['lead']:,} below MQL; "
            f"as of {common.as_of_text(res.as_of)} ({why}); {common.seconds(progress.elapsed())}; wrote {args.output}"
        )
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    out = Path(args.output)
    ext = out.suffix.lower()
    engine = getattr(args, "engine", "pandas")
    if engine != "duckdb" and (
        getattr(args, "memory_limit", None) is not None or getattr(args, "temp_dir", None) is not None or getattr(args, "threads", 2) != 2
    ):
        raise CliError("--memory-limit, --temp-dir and --threads only apply to --engine duckdb.")
    if ext not in SCORE_FORMATS:
        raise CliError(
            f"Cannot write \"{args.output}\": the output format is chosen by the extension, and "
            f"{'it has none' if not ext else repr(ext) + ' is not supported'}. Use one of: {', '.join(SCORE_FORMATS)}."
        )
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise CliError(f"Cannot write \"{args.output}\": the folder \"{folder}\" does not exist. Create it first.")
    progress = Progress(sys.stderr, enabled=not args.quiet)
    if engine == "duckdb" and getattr(args, "accounts", False):
        raise CliError("--accounts runs on the pandas engine; for files larger than memory run the account query "
                       "(leaddesigner export MODEL --to sql --accounts) in your warehouse or in DuckDB.")
    if engine == "duckdb":
        if getattr(args, "memory_limit", None) is None:
            args.memory_limit = "2GB"
        args.temp_dir = getattr(args, "temp_dir", None)
        args.threads = getattr(args, "threads", 2)
        return _score_duckdb(args, out, progress)
    # no column's guess is read but the formats, and nothing of the files but the bound data
    loaded = common.load_and_score(args, progress, guess="model", keep_files=False)
    if getattr(args, "accounts", False):
        from leaddesigner.cli.accounts import score_accounts

        return score_accounts(args, loaded, out, ext, progress, _as_of_reason(loaded))
    frame = loaded.scorer.frame()
    if ext == ".xlsx" and len(frame) >= EXCEL_MAX_ROWS:
        raise CliError(
            f"{common.count(len(frame), 'lead')} do not fit in an Excel sheet ({EXCEL_MAX_ROWS - 1:,} rows at most). "
            "Write .csv or .parquet instead."
        )
    slow = " (Excel is slow for large files; .csv or .parquet are much faster)" if ext == ".xlsx" and len(frame) > 100_000 else ""
    progress.stage(f"Writing {out.name}{slow}")
    common.write_table(frame, out, ext)
    progress.done()
    if not args.quiet:
        from leaddesigner.core.scoring.summary import count_statuses

        counts = count_statuses(loaded.scorer.result.status)
        why = _as_of_reason(loaded)
        common.err(
            f"Scored {common.count(len(frame), 'lead')}: {counts[2]:,} SQL, {counts[1]:,} MQL, {counts[0]:,} below MQL; "
            f"as of {common.as_of_text(loaded.data.as_of)} ({why}); {common.seconds(progress.elapsed())}; wrote {args.output}"
        )
    return 0


def _as_of_reason(loaded: Loaded) -> str:
    """Why the scores are as of that moment: the option, the data, or (no dates at all) today."""
    if loaded.as_of_given:
        return "--as-of"
    d = loaded.data
    no_created = d.created is None or not bool(d.frame[d.created].notna().any())
    if no_created and (d.events is None or len(d.events) == 0):
        return "today: the data holds no dates; give --as-of to choose the day"
    return "the latest date in the data"


def cmd_explain(args: argparse.Namespace) -> int:
    import numpy as np

    progress = Progress(sys.stderr, enabled=not args.quiet)
    loaded = common.load_and_score(args, progress, guess="model")
    ids = loaded.data.ids
    rows = []
    for lead in args.lead:
        hits = np.flatnonzero(ids.to_numpy() == lead)
        if len(hits) == 0:
            raise CliError(
                f"Lead '{lead}' is not in {loaded.leads_source} (column '{loaded.model.lead_id}', {common.count(len(ids), 'lead')})."
                + close_ids(lead, ids)
            )
        rows.append(int(hits[0]))  # a repeated id: its first row
    texts = [loaded.scorer.explain(r).text() for r in rows]
    print("\n\n".join(texts))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from leaddesigner.core.data.outcome import OutcomeSpec, candidates
    from leaddesigner.core.scoring.summary import summarize

    progress = Progress(sys.stderr, enabled=not args.quiet)
    loaded = common.load_and_score(args, progress)
    outcome = None
    spec = outcome_spec(args, loaded.model)
    if spec is None and not args.no_outcome:
        # a column plainly named like an outcome and holding 0/1, yes/no or won/lost
        raw = loaded.pipeline.leads.frame
        lower = {str(c).lower(): c for c in raw.columns}
        for name in OUTCOME_NAMES:
            col = lower.get(name)
            if col is None:
                continue
            hit = [c for c in candidates(raw, loaded.pipeline.detection) if c.column == col and c.kind == "flag"]
            if hit:
                spec = OutcomeSpec(str(col))
                break
    if spec is not None:
        outcome = read_outcome(loaded.pipeline.leads.frame, spec, loaded.leads_source)
    s = summarize(loaded.scorer, None if outcome is None else outcome.y)
    m = loaded.model
    files = loaded.leads_source + (f" + {loaded.activities_source}" if loaded.activities_source else "")
    print(f"Model: {m.name} ({args.model})")
    horizon = loaded.data.horizon_days
    when = f"{horizon:g} days after each lead was created, at most " if horizon else ""
    print(f"Data: {files}, scored as of {when}{common.as_of_text(loaded.data.as_of)}")
    if outcome is not None:
        print(f"Outcome: {outcome.summary()}")
    print(s.text())
    return 0


def _outcome_column(loaded: Loaded, col: str):
    data, model = loaded.data, loaded.model
    if data.extra is not None and col in data.extra.columns:
        return data.extra[col]
    for a in model.attributes:
        if model.column_for(a.name) == col:
            return data.frame[a.name]
    from leaddesigner.core.model.io import did_you_mean

    cols = [model.column_for(a.name) for a in model.attributes if model.column_for(a.name) in data.frame.columns]
    cols += [] if data.extra is None else [str(c) for c in data.extra.columns]
    raise CliError(
        f"--outcome: there is no column '{col}' in {loaded.leads_source}.{did_you_mean(col, cols)}"
        + (f" Columns not used by the model: {', '.join(map(str, data.extra.columns[:20]))}." if data.extra is not None else "")
    )


def cmd_generate(args: argparse.Namespace) -> int:
    from leaddesigner.samples.generate import write_sample

    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise CliError(f"Cannot write into \"{args.output}\": it is a file, not a folder.")
    progress = Progress(sys.stderr, enabled=not args.quiet)
    progress.stage(f"Generating {common.count(args.leads, 'lead')}")
    paths = write_sample(
        out,
        args.leads,
        args.seed,
        args.format,
        start=args.start,
        weeks=args.weeks,
        events_per_lead=args.events_per_lead,
        progress=progress,
    )
    progress.done()
    leads_path, act_path = paths
    print(f"Wrote {leads_path} ({common.count(args.leads, 'lead')}, {_size(leads_path)})")
    print(f"Wrote {act_path} (activity log, {_size(act_path)})")
    if not args.quiet:
        common.err(f"Generated in {common.seconds(progress.elapsed())} (seed {args.seed}, {args.weeks} weeks from {args.start}).")
    return 0


def _size(p: Path) -> str:
    n = float(p.stat().st_size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return ""


def _check_qt() -> None:
    """Raise CliError with install hints when PySide6 cannot be imported."""
    import importlib

    try:
        importlib.import_module("PySide6.QtWidgets")
    except ImportError as e:
        msg = (
            f"The app needs PySide6 (Qt for Python), which cannot be imported here ({e}). "
            "Install it with: python -m pip install 'PySide6-Essentials>=6.8,<6.12' pyqtgraph "
            "(or reinstall LeadDesigner: python -m pip install leaddesigner)."
        )
        if sys.platform.startswith("linux"):
            msg += (
                f" On Linux, Qt's xcb window plugin also needs {XCB_LIBS} "
                f"(Debian/Ubuntu: sudo apt-get install {XCB_LIBS})."
            )
        msg += " Everything else works without it: see 'leaddesigner --help'."
        raise CliError(msg) from None


#: shared libraries Qt's xcb platform plugin loads that minimal Linux installs lack -> Debian/Ubuntu package
XCB_SONAMES = {"libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-keysyms.so.1": "libxcb-keysyms1"}


def _missing_xcb_packages() -> list[str]:
    """Packages whose libraries the dynamic loader cannot find (the same search Qt does)."""
    import ctypes

    missing = []
    for soname, package in XCB_SONAMES.items():
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(package)
    return missing


def _check_display(environ: dict | None = None) -> None:
    """On Linux with Qt's xcb plugin: fail early (exit 2) where Qt would abort the process."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return  # offscreen, wayland, ...: not our business
    if not platform and env.get("WAYLAND_DISPLAY"):
        return  # Qt prefers Wayland there
    missing = _missing_xcb_packages()
    if missing:
        raise CliError(
            f"The app cannot open a window: Qt's xcb plugin needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed. Install them (Debian/Ubuntu: "
            f"sudo apt-get install {XCB_LIBS}) and try again. The other commands work without them."
        )
    if not env.get("DISPLAY"):
        raise CliError(
            "The app cannot open a window: there is no display (DISPLAY is not set). Run it in a desktop "
            "session, or use 'leaddesigner gui MODEL --screenshot out.png' to render without one."
        )


def cmd_gui(args: argparse.Namespace) -> int:
    from leaddesigner import paths

    if getattr(args, "defaults", False):
        model = paths.default_model()
        leads = paths.sample_leads()
        acts = paths.sample_activities()
        model, leads, acts = (p if p.exists() else None for p in (model, leads, acts))
    else:
        model = common.existing_file(args.model, "model") if args.model else None
        leads = common.existing_file(args.leads, "lead file") if args.leads else None
        acts = common.existing_file(args.activities, "activity log") if args.activities else None
    screenshot = None
    if getattr(args, "screenshot", None):
        screenshot = Path(args.screenshot)
        folder = screenshot.parent if str(screenshot.parent) else Path(".")
        if not folder.is_dir():
            raise CliError(f"Cannot write \"{args.screenshot}\": the folder \"{folder}\" does not exist.")
    if acts is not None and leads is None and not getattr(args, "defaults", False):
        raise CliError("--activities needs a lead file too: add --leads FILE.")
    _check_qt()
    if screenshot is None:
        _check_display()
    elif "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no display
    import importlib

    try:
        app = importlib.import_module("leaddesigner.gui.app")
    except ModuleNotFoundError as e:
        top = (e.name or "").split(".")[0]
        if top in ("PySide6", "pyqtgraph", "shiboken6"):
            raise CliError(
                f"The app needs {top}, which is not installed here. Install it with: "
                "python -m pip install 'PySide6-Essentials>=6.8,<6.12' pyqtgraph "
                "(or reinstall LeadDesigner)."
            ) from None
        raise
    return int(app.main(model=model, leads=leads, activities=acts, screenshot=screenshot) or 0)


# ---------------------------------------------------------------- parser
EPILOG = """\
examples:
  leaddesigner validate sample_models/enterprise_fit_first.yaml
  leaddesigner score MODEL.yaml leads.csv --activities activities.csv -o scores.parquet
  leaddesigner explain MODEL.yaml leads.csv --activities activities.csv --lead L0000042
  leaddesigner summary MODEL.yaml leads.csv --activities activities.csv
  leaddesigner generate --leads 100000 --seed 7 -o /tmp/leads
  leaddesigner export MODEL.yaml --to json -o model.json
  leaddesigner backtest MODEL.yaml leads.csv --outcome converted --converted-at converted_at
  leaddesigner fit leads.csv --outcome converted --activities activities.csv -o learned.yaml
  leaddesigner compare A.yaml B.yaml leads.csv --outcome converted
  leaddesigner report MODEL.yaml leads.csv --outcome converted -o report.html
  leaddesigner simulate MODEL.yaml leads.csv --activities activities.csv -o weekly.csv
  leaddesigner diff OLD.yaml NEW.yaml --leads leads.csv
  leaddesigner score MODEL.yaml leads.parquet --engine duckdb -o scores.parquet
  leaddesigner            (the app, with the sample model and sample leads)

Lead files and activity logs: .csv/.tsv/.txt (optionally .gz), .xlsx/.xlsm, .parquet.
Exit status: 0 ok, 2 bad input (the message says which file, line and column), 1 a bug
(`diff`: 0 same, 1 the models differ, 2 trouble).
"""


# Sub-command modules (one per feature area), registered in this order after the built-in ones.
COMMAND_MODULES: tuple[str, ...] = (
    "leaddesigner.cli.profile",
    "leaddesigner.cli.backtest",
    "leaddesigner.cli.diff",
    "leaddesigner.cli.compare",
    "leaddesigner.cli.fit",
    "leaddesigner.cli.simulate",
    "leaddesigner.cli.workshop",
    "leaddesigner.cli.health",
)


def build_parser() -> argparse.ArgumentParser:
    quiet = argparse.ArgumentParser(add_help=False)
    quiet.add_argument("-q", "--quiet", action="store_true", help="no progress and no result line on stderr (warnings still show)")

    p = argparse.ArgumentParser(
        prog=PROG,
        description=common.wrap(
            "Design, test and ship lead-scoring models. Without a command, opens the app "
            "with the sample model and sample leads."
        ),
        epilog=EPILOG,
        formatter_class=common.formatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {leaddesigner.__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", title="commands")

    def data_args(sp: argparse.ArgumentParser, allow_missing: bool = True) -> None:
        sp.add_argument("model", metavar="MODEL", help=DATA_HELP["model"])
        sp.add_argument("leads", metavar="LEADS", help=DATA_HELP["leads"])
        sp.add_argument("--activities", metavar="FILE", help=DATA_HELP["activities"])
        sp.add_argument("--as-of", metavar="DATE", type=common.as_of_arg, help=DATA_HELP["as_of"])
        sp.add_argument("--horizon-days", metavar="N", type=common.horizon_arg, help=DATA_HELP["horizon_days"])
        sp.add_argument("--sheet", metavar="NAME", help=DATA_HELP["sheet"])
        if allow_missing:
            sp.add_argument("--allow-missing", action="store_true", help=DATA_HELP["allow_missing"])

    # validate
    sp = sub.add_parser(
        "validate",
        parents=[quiet],
        help="check model files; print every problem with its line",
        description=common.wrap(
            "Check model files: structure, operators against attribute types, declared attributes, groups, "
        "grades. Every problem is printed as FILE:LINE: key.path: message, with a 'did you mean' for misspellings."),
        epilog="examples:\n  leaddesigner validate model.yaml\n  leaddesigner validate sample_models/*.yaml\n\n"
        "Exit status 0 when all files are valid, 2 otherwise.",
        formatter_class=common.formatter,
    )
    sp.add_argument("models", metavar="MODEL", nargs="+", help="model file(s) to check")
    sp.set_defaults(func=cmd_validate)

    # score
    sp = sub.add_parser(
        "score",
        parents=[quiet],
        help="score a lead file and write the scores",
        description=common.wrap(
            "Score every lead and write one row per lead: the lead id, score, fit_score, engagement_score, "
        "grade, status (SQL, MQL or lead) and product_<name> per product. Data problems are printed as warnings; "
        "columns that rules need must be present (or pass --allow-missing)."),
        epilog="examples:\n"
        "  leaddesigner score model.yaml leads.csv --activities activities.csv -o scores.csv\n"
        "  leaddesigner score model.yaml leads.xlsx -o scores.xlsx --as-of 2026-06-30\n"
        "  leaddesigner score model.yaml leads.parquet --activities events.parquet -o scores.parquet\n"
        "  leaddesigner score model.yaml big.parquet --activities events.parquet --engine duckdb -o scores.parquet\n"
        "  leaddesigner score model.yaml leads.csv --activities activities.csv --accounts -o accounts.csv\n\n"
        "--engine duckdb scores files larger than memory: it runs the model's SQL export on DuckDB over\n"
        "the files (CSV or Parquet in and out) within --memory-limit, spilling to --temp-dir. It reads\n"
        "plain numbers, ISO dates and yes/no values and stops at the first value it cannot read (the\n"
        "pandas engine reads more formats and warns instead); --horizon-days and .xlsx are not supported.",
        formatter_class=common.formatter,
    )
    data_args(sp)
    sp.add_argument(
        "-o", "--output", metavar="OUT", required=True,
        help="output file; the format follows the extension: .csv, .xlsx or .parquet (written atomically)",
    )
    sp.add_argument(
        "--engine", choices=("pandas", "duckdb"), default="pandas",
        help="pandas (default): load everything into memory; duckdb: stream files larger than memory through the SQL export",
    )
    sp.add_argument("--memory-limit", metavar="SIZE", help="duckdb engine: memory DuckDB may use, like 2GB or 500MB (default: 2GB)")
    sp.add_argument(
        "--temp-dir", metavar="DIR",
        help="duckdb engine: folder for what does not fit in memory (default: leaddesigner-duckdb in the system temp folder)",
    )
    sp.add_argument("--threads", metavar="N", type=common.pos_int, default=2, help="duckdb engine: threads (default: 2)")
    sp.add_argument(
        "--accounts", action="store_true",
        help="write one row per account instead of per lead: contacts, engaged, buying-group roles covered, "
        "the score and its parts, MQA and the week it became one (the model's accounts section; without one: "
        "e-mail domains, free mail left out, the sum of contact scores, MQA at twice the MQL line)",
    )
    sp.set_defaults(func=cmd_score)

    # explain
    sp = sub.add_parser(
        "explain",
        parents=[quiet],
        help="show why a lead has its score, rule by rule",
        description=common.wrap(
            "Print every rule that gave a lead points, every cap that applied, the grade and status, and "
        "what the lead needs to become an MQL. The lines add up to the score."),
        epilog="examples:\n"
        "  leaddesigner explain model.yaml leads.csv --activities activities.csv --lead L0000042\n"
        "  leaddesigner explain model.yaml leads.csv --lead 17 --lead 23 --as-of 2026-06-30",
        formatter_class=common.formatter,
    )
    data_args(sp)
    sp.add_argument("--lead", metavar="ID", action="append", required=True, help="lead id (repeat for several leads)")
    sp.set_defaults(func=cmd_explain)

    # summary
    sp = sub.add_parser(
        "summary",
        parents=[quiet],
        help="statuses, score quantiles, grade grid and MQLs per week vs SDR capacity",
        description=common.wrap(
            "Summarise what the model does to a set of leads: leads per status, score quantiles, the "
        "fit x engagement grade grid and MQLs per week of lead creation against SDR capacity. With an outcome "
        "column (--outcome, or a column named converted, outcome, won, y or status holding 0/1, yes/no or "
        "won/lost values), also the conversion rate per status."),
        epilog="examples:\n"
        "  leaddesigner summary model.yaml leads.csv --activities activities.csv\n"
        "  leaddesigner summary model.yaml leads.csv --outcome closed_won --as-of 2026-06-30",
        formatter_class=common.formatter,
    )
    data_args(sp)
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--outcome", metavar="COL", help=OUTCOME_HELP)
    g.add_argument("--no-outcome", action="store_true", help="do not look for an outcome column")
    sp.add_argument("--positive", metavar="VALUES", help=common.POSITIVE_HELP)
    sp.set_defaults(func=cmd_summary)

    # generate
    sp = sub.add_parser(
        "generate",
        parents=[quiet],
        help="write realistic synthetic leads and an activity log",
        description=common.wrap(
            "Generate a seeded, realistic B2B lead export (firmographics, persona, form answers, intent, "
        "outcome) and its activity log, and write leads.<format> and activities.<format> into a folder. "
        "The same arguments always give the same files."),
        epilog="examples:\n  leaddesigner generate -o data\n  leaddesigner generate --leads 1000000 --format parquet -o /tmp/big",
        formatter_class=common.formatter,
    )
    sp.add_argument("--leads", type=common.nonneg_int, default=4000, metavar="N", help="number of leads (default: 4000)")
    sp.add_argument("--seed", type=int, default=7, metavar="S", help="random seed (default: 7)")
    sp.add_argument("--weeks", type=common.pos_int, default=26, metavar="W", help="length of the period in weeks (default: 26)")
    sp.add_argument("--start", default="2026-03-02", metavar="DATE", type=_date_arg, help="first day of the period (default: 2026-03-02)")
    sp.add_argument(
        "--events-per-lead", type=common.nonneg_float, default=12.0, metavar="E", help="mean activity rows per lead (default: 12)"
    )
    sp.add_argument("-o", "--output", metavar="DIR", required=True, help="folder to write into (created if missing)")
    sp.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format (default: csv)")
    sp.set_defaults(func=cmd_generate)

    # export
    sp = sub.add_parser(
        "export",
        parents=[quiet],
        help="write the model as YAML, JSON or SQL",
        description=common.wrap(
            "Write the model in canonical YAML, as JSON with the same structure (for systems that read "
        "JSON; validates against resources/model.schema.json), or as a SQL query that scores leads in a database."),
        epilog="examples:\n"
        "  leaddesigner export model.yaml --to json -o model.json\n"
        "  leaddesigner export model.yaml --to yaml            (normalised YAML on stdout)\n"
        "  leaddesigner export model.yaml --to sql --dialect duckdb --leads-table leads --activities-table events\n"
        "  leaddesigner export model.yaml --to sql --accounts --dialect snowflake -o accounts.sql",
        formatter_class=common.formatter,
    )
    sp.add_argument("model", metavar="MODEL", help=DATA_HELP["model"])
    sp.add_argument("--to", required=True, choices=("yaml", "json", "sql"), help="output format")
    sp.add_argument(
        "--dialect", metavar="D",
        help="SQL only: database dialect: duckdb (default), postgres, snowflake, bigquery, spark, tsql or sqlite",
    )
    sp.add_argument("--leads-table", metavar="T", help="SQL only: table holding the leads, may be schema.table (default: leads)")
    sp.add_argument(
        "--activities-table", metavar="A", help="SQL only: table holding the activity log (default: activities)"
    )
    sp.add_argument(
        "--as-of", metavar="DATE", type=_date_text_arg,
        help="SQL only: score as of this moment; a date means the end of that day (default: the database's clock)",
    )
    sp.add_argument("--quote-identifiers", action="store_true", help="SQL only: quote every column and table name")
    sp.add_argument("--accounts", action="store_true",
                    help="SQL only: the account query (one row per account: contacts, engaged, roles covered, score, MQA) "
                    "instead of the lead query")
    sp.add_argument("-o", "--output", metavar="FILE", help="write here (atomically) instead of to stdout")
    sp.set_defaults(func=cmd_export)

    # gui
    sp = sub.add_parser(
        "gui",
        help="open the app",
        description=common.wrap(
            "Open the LeadDesigner app, optionally with a model, a lead file and an activity log."),
        epilog="examples:\n"
        "  leaddesigner gui\n"
        "  leaddesigner gui model.yaml --leads leads.csv --activities activities.csv\n"
        "  leaddesigner gui model.yaml --leads leads.csv --screenshot shot.png   (render, save, quit)\n\n"
        f"Needs PySide6; on Linux, Qt's xcb plugin needs {XCB_LIBS}.",
        formatter_class=common.formatter,
    )
    sp.add_argument("model", metavar="MODEL", nargs="?", help=DATA_HELP["model"])
    sp.add_argument("--leads", metavar="FILE", help=DATA_HELP["leads"])
    sp.add_argument("--activities", metavar="FILE", help=DATA_HELP["activities"])
    sp.add_argument(
        "--screenshot", metavar="PNG",
        help="render the window into this PNG file and quit (offscreen unless QT_QPA_PLATFORM says otherwise)",
    )
    sp.set_defaults(func=cmd_gui)

    # commands that live in their own modules: each has ``register(sub)`` that adds its
    # parser(s) with ``set_defaults(func=...)``; the functions may use this module's helpers
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return p


def _date_arg(text: str) -> str:
    import datetime as dt

    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-03-02") from None
    return text


def _date_text_arg(text: str) -> str:
    common.as_of_arg(text)  # validates
    return text


# ---------------------------------------------------------------- entry point
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (never raises for bad input)."""
    parser = build_parser()
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as e:  # --help, --version, usage errors
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    if args.command is None:
        args = argparse.Namespace(command="gui", defaults=True, func=cmd_gui)
    return run(args)


def run(args: argparse.Namespace) -> int:
    from leaddesigner.core.data.leadfile import LeadFileError
    from leaddesigner.core.model.io import ModelError

    try:
        return args.func(args)
    except ModelError as e:
        common.err(e.format())
    except (CliError, LeadFileError) as e:
        common.err(f"error: {e}")
    except BrokenPipeError:
        # `leaddesigner explain ... | head`: stop quietly
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 1
    except OSError as e:
        name = f" \"{e.filename}\"" if getattr(e, "filename", None) else ""
        common.err(f"error: cannot read or write{name}: {e.strerror or e}.")
    except ModuleNotFoundError as e:
        if e.name in ("leaddesigner.core.export.sqlexport", "leaddesigner.gui.app", "leaddesigner.gui"):
            common.err(f"error: this installation of LeadDesigner lacks {e.name}; reinstall it.")
            return 2
        return common.unexpected(e, args)
    except ValueError as e:  # other bad values; could also be a bug, so say how to tell
        common.err(
            f"error: {e}. If the input looks right to you, this may be a bug in LeadDesigner: please report it "
            "(LEADDESIGNER_DEBUG=1 shows the details)."
        )
        if os.environ.get("LEADDESIGNER_DEBUG"):
            traceback.print_exc()
    except KeyboardInterrupt:
        common.err("interrupted")
        return 130
    except Exception as e:  # a bug: short message, exit 1
        return common.unexpected(e, args)
    return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
