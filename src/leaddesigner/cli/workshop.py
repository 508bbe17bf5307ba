"""``leaddesigner workshop deck`` and ``leaddesigner workshop agreement``.

Thin adapters over :mod:`leaddesigner.core.workshop`: the deck of example leads
as a standalone HTML file to send out, and the room's votes against the model
with the smallest point changes that agree with them.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leaddesigner.cli import common

DECK_DESCRIPTION = (
    "Pick example leads (a fifth clear MQLs, a fifth clearly not, the rest near the MQL threshold, where the "
    "argument is) and write them as a standalone HTML deck: one card per slide telling the lead in plain words "
    "(who it is, what it did, in time order, up to the moment it is scored), a vote form (reach out now, not yet, "
    "never; keys 1, 2, 3) and a button that downloads the answers as a votes CSV. The cards never show the score. "
    "The same --seed gives the same deck."
)
DECK_EPILOG = (
    "examples:\n"
    "  leaddesigner workshop deck model.yaml leads.csv --activities activities.csv -o deck.html\n"
    "  leaddesigner workshop deck model.yaml leads.csv --cards 20 --seed 7 -o deck.html\n\n"
    "Exit status 0 on success, 2 on bad input."
)
AGREEMENT_DESCRIPTION = (
    "Read the room's votes (CSV with columns lead_id, voter, vote and optionally role; votes are 'reach out now', "
    "'not yet' or 'never') and compare them with the model: per card the votes, the room's majority and the "
    "model's verdict (an MQL or SQL means reach out now), the agreement (share of decided cards and Cohen's kappa), "
    "sales against marketing when voters have roles, and for each disagreement the rules that make the difference. "
    "Then the smallest whole-number point changes (at most three rules) that make more cards agree, and what they "
    "do to MQLs per week and, with --outcome, to the AUC."
)
AGREEMENT_EPILOG = (
    "examples:\n"
    "  leaddesigner workshop agreement model.yaml leads.csv model.votes.csv --activities activities.csv\n"
    "  leaddesigner workshop agreement model.yaml leads.csv votes.csv --outcome converted\n\n"
    "Exit status 0 on success, 2 on bad input."
)


def register(sub) -> None:
    ws = sub.add_parser("workshop", help="example-lead cards for sales interviews, and the room's votes against the model",
                        description=common.wrap("Workshop mode: 'would you call this lead?' cards and the room's votes."),
                        formatter_class=common.formatter)
    wsub = ws.add_subparsers(dest="workshop_command", metavar="deck|agreement", required=True)

    sp = wsub.add_parser("deck", help="write the deck of example leads as a standalone HTML file",
                         description=common.wrap(DECK_DESCRIPTION), epilog=DECK_EPILOG, formatter_class=common.formatter)
    _data_args(sp)
    sp.add_argument("--cards", metavar="N", type=common.pos_int, default=12, help="cards in the deck, 8 to 30 (default: 12)")
    sp.add_argument("--seed", metavar="S", type=common.nonneg_int, default=0, help="which leads are picked (default: 0)")
    sp.add_argument("-o", "--output", metavar="FILE", required=True, help="the HTML file to write (atomically)")
    sp.set_defaults(func=cmd_deck)

    sp = wsub.add_parser("agreement", help="the room's votes against the model, and point changes that agree with them",
                         description=common.wrap(AGREEMENT_DESCRIPTION), epilog=AGREEMENT_EPILOG,
                         formatter_class=common.formatter)
    _data_args(sp, votes=True)
    common.add_outcome_args(sp, help=common.OUTCOME_HELP + "; adds the AUC before and after the suggested changes")
    sp.add_argument("--max-rules", metavar="N", type=common.pos_int, default=3, help="rules the suggestion may change (default: 3)")
    sp.set_defaults(func=cmd_agreement)


def _data_args(sp: argparse.ArgumentParser, votes: bool = False) -> None:
    sp.add_argument("model", metavar="MODEL", help=common.DATA_HELP["model"])
    sp.add_argument("leads", metavar="LEADS", help=common.DATA_HELP["leads"])
    if votes:
        sp.add_argument("votes", metavar="VOTES", help="the votes CSV (lead_id, voter, vote[, role])")
    sp.add_argument("--activities", metavar="FILE", help=common.DATA_HELP["activities"])
    sp.add_argument("--as-of", metavar="DATE", type=common.as_of_arg, help=common.DATA_HELP["as_of"])
    sp.add_argument("--horizon-days", metavar="N", type=common.horizon_arg, help=common.DATA_HELP["horizon_days"])
    sp.add_argument("--allow-missing", action="store_true", help=common.DATA_HELP["allow_missing"])
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def cmd_deck(args: argparse.Namespace) -> int:
    from leaddesigner.core.model.io import atomic_write_text
    from leaddesigner.core.workshop.cards import deal
    from leaddesigner.core.workshop.deck import render_deck

    out = Path(args.output)
    if out.is_dir() or not (out.parent if str(out.parent) else Path(".")).is_dir():
        raise common.CliError(f"Cannot write \"{args.output}\": give a file name in a folder that exists, like deck.html.")
    progress = common.Progress(sys.stderr, enabled=not args.quiet)
    loaded = common.load_and_score(args, progress)
    deck = deal(loaded.scorer, args.cards, seed=args.seed)
    html = render_deck(deck, model_name=loaded.model.name or "")
    atomic_write_text(out, html)
    for note in deck.notes:
        common.err(f"note: {note}")
    if not args.quiet:
        kinds = {k: sum(c.stratum == k for c in deck.cards) for k in ("clear yes", "near the line", "clear no")}
        common.err(f"Wrote {args.output}: {common.count(len(deck.cards), 'card')} ({kinds['clear yes']} clear yes, "
                   f"{kinds['near the line']} near the MQL line {deck.threshold:g}, {kinds['clear no']} clear no), seed {deck.seed}")
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from leaddesigner.core.workshop.agreement import agreement
    from leaddesigner.core.workshop.cards import cards_for
    from leaddesigner.core.workshop.suggest import impact, suggest_changes
    from leaddesigner.core.workshop.votes import VoteError, read_votes

    common.existing_file(args.votes, "votes file")
    try:
        votes = read_votes(args.votes)
    except VoteError as e:
        raise common.CliError(str(e)) from None
    if not len(votes):
        raise common.CliError(f"{args.votes} has no votes yet (only a header).")
    progress = common.Progress(sys.stderr, enabled=not args.quiet)
    loaded = common.load_and_score(args, progress)
    spec = common.outcome_spec(args, loaded.model)
    outcome = common.read_outcome(loaded.pipeline.leads.frame, spec, loaded.leads_source) if spec is not None else None
    ids = list(dict.fromkeys(v.lead_id for v in votes))
    try:
        cards = cards_for(loaded.scorer, ids)
    except ValueError as e:
        raise common.CliError(f"{args.votes}: {e}") from None
    ag = agreement(loaded.scorer, cards, votes)
    print("\n".join(ag.lines()))
    s = suggest_changes(loaded.model, loaded.data, ag, max_rules=args.max_rules)
    print()
    print("\n".join(s.lines()))
    if s.changes:
        print("\n".join(impact(loaded.model, loaded.data, s, None if outcome is None else outcome.y).lines()))
    return 0
