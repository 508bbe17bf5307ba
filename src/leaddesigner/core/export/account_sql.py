"""Export the account roll-up as one SQL query: one row per account, proven equal to the engine.

The query is the lead query of :mod:`leaddesigner.core.export.sqlexport` (every lead scored as the
engine scores it) carrying three more things per lead: its account key (the folded e-mail domain, free
mail left out, or the folded key column), its buying-group role and one 0/1 per account rule. Then it
groups by account exactly as :func:`leaddesigner.core.scoring.accounts.roll_up` does:

* contact scores combine as the lead query returns them (two decimals): ``SUM``, ``MAX``, the sum of
  the ``top_n`` best (``ROW_NUMBER`` by score) or points per engaged contact, then the ``cap``;
* roles covered = distinct roles among engaged contacts; an account rule counts once when any contact
  matches (``MAX`` of the 0/1);
* ``score`` rounded to two decimals, ``status`` ``'MQA'`` at or above the MQA line, else ``'account'``.

Columns: ``account, contacts, engaged, roles_covered, contact_points, role_points, rule_points, score,
status`` (the engine's account frame without the text list of roles and the MQA week, which need the
contacts' order of creation). The lead query's assumptions hold (see sqlexport), plus: e-mail domains
are the text after the first ``@``; SQLite's ``LOWER`` folds ASCII letters only.
"""
from __future__ import annotations

import pandas as pd
import sqlglot.expressions as exp

from leaddesigner.core.export.sql_parts import SQLExportError, case, double, number, string
from leaddesigner.core.export.sqlexport import DIALECTS, QueryBuilder
from leaddesigner.core.model.accounts import EMAIL_DOMAIN, FREE_MAIL_DOMAINS, Accounts
from leaddesigner.core.model.types import Range, ScoringModel
from leaddesigner.core.scoring.accounts import default_accounts
from leaddesigner.core.scoring.conditions import fold_text

#: the columns of the account query, in order
ACCOUNT_SQL_COLUMNS = ["account", "contacts", "engaged", "roles_covered", "contact_points", "role_points",
                       "rule_points", "score", "status"]


def export_account_sql(
    model: ScoringModel,
    *,
    dialect: str = "duckdb",
    leads_table: str = "leads",
    activities_table: str = "activities",
    as_of: str | pd.Timestamp | None = None,
    pretty: bool = True,
    quote_identifiers: bool = False,
    settings: Accounts | None = None,
) -> str:
    """The account roll-up as one SQL query for ``dialect`` (the model's accounts section, or ``settings``,
    or the defaults of ``score --accounts``)."""
    tree = build_account_query(model, dialect=dialect, leads_table=leads_table, activities_table=activities_table,
                               as_of=as_of, quote_identifiers=quote_identifiers, settings=settings)
    return tree.sql(dialect=dialect, pretty=pretty)


def when(cond: exp.Expression, then: exp.Expression, default: exp.Expression) -> exp.Expression:
    """``CASE WHEN cond THEN then ELSE default END``."""
    return case([(cond, then)], default)


def _key(settings: Accounts):
    def make(b: QueryBuilder) -> exp.Expression:
        empty = exp.null()
        if settings.key == EMAIL_DOMAIN:
            email, _ = b.lead_column(settings.email)
            at = exp.StrPosition(this=email.copy(), substr=string("@"))
            domain = exp.Substring(this=email.copy(), start=exp.Add(this=at.copy(), expression=number(1)))
            folded = b.fold(domain)
            free = exp.In(this=folded.copy(), expressions=[string(d) for d in FREE_MAIL_DOMAINS])
            return exp.Case(ifs=[
                exp.If(this=exp.LTE(this=exp.Coalesce(this=at, expressions=[number(0)]), expression=number(0)), true=empty.copy()),
                exp.If(this=free, true=empty.copy()),
                exp.If(this=exp.EQ(this=folded.copy(), expression=string("")), true=empty.copy()),
            ], default=folded)
        col = b.col(settings.key, "l")
        folded = b.fold(col)
        return exp.Case(ifs=[exp.If(this=exp.EQ(this=folded.copy(), expression=string("")), true=empty)], default=folded)
    return make


def _role(settings: Accounts):
    def make(b: QueryBuilder) -> exp.Expression:
        bg = settings.buying_group
        col = b.col(bg.attribute, "l")
        folded = b.lower(col)
        ifs = [exp.If(this=exp.EQ(this=folded.copy(), expression=string(f)), true=string(role))
               for role, f in zip(bg.roles, fold_text(list(bg.roles)))]
        return exp.Case(ifs=ifs, default=exp.cast(exp.null(), exp.DataType.build("VARCHAR")))
    return make


def _hit(rule):
    def make(b: QueryBuilder) -> exp.Expression:
        return when(b.condition(rule.when, b.lead_column), number(1), number(0))
    return make


def build_account_query(
    model: ScoringModel,
    *,
    dialect: str = "duckdb",
    leads_table: str = "leads",
    activities_table: str = "activities",
    as_of: str | pd.Timestamp | None = None,
    quote_identifiers: bool = False,
    settings: Accounts | None = None,
) -> exp.Select:
    """The query of :func:`export_account_sql` as a sqlglot expression tree."""
    if dialect not in DIALECTS:
        raise SQLExportError(f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    a = settings or model.accounts or default_accounts(model)
    rules = [r for r in a.rules if r.enabled]
    extra = [("ac_key", _key(a))]
    if a.buying_group is not None:
        extra.append(("ac_role", _role(a)))
    extra += [(f"ac_h{i}", _hit(r)) for i, r in enumerate(rules)]
    b = QueryBuilder(model, dialect, leads_table, activities_table, as_of, quote_identifiers, None, extra)
    ctes, contacts = b.parts()
    ctes.append(("ac_contacts", contacts))

    ref = QueryBuilder.ref
    pts = ref({"score": "score", "fit": "fit_score", "engagement": "engagement_score"}[a.contact_score])
    engaged = exp.GTE(this=ref("engagement_score"), expression=number(a.engaged_min))
    ranked = [exp.alias_(ref("ac_key"), "ac_key"), exp.alias_(pts, "ac_pts"), exp.alias_(when(engaged, number(1), number(0)), "ac_engaged")]
    if a.buying_group is not None:
        ranked.append(ref("ac_role"))
    ranked += [ref(f"ac_h{i}") for i in range(len(rules))]
    if a.combine == "top_n":
        # ROW_NUMBER by the combined points: ties give the same sum whichever of them comes first
        window = exp.Window(this=exp.RowNumber(), partition_by=[ref("ac_key")],
                            order=exp.Order(expressions=[exp.Ordered(this=pts.copy(), desc=True)]))
        ranked.append(exp.alias_(window, "ac_rank"))
    ctes.append(("ac_ranked", exp.select(*ranked).from_(exp.to_table("ac_contacts"), copy=False)
                 .where(exp.Not(this=exp.Is(this=ref("ac_key"), expression=exp.null())), copy=False)))

    if a.combine == "sum":
        combined: exp.Expression = exp.Sum(this=ref("ac_pts"))
    elif a.combine == "max":
        combined = exp.Max(this=ref("ac_pts"))
    elif a.combine == "top_n":
        combined = exp.Sum(this=when(exp.LTE(this=ref("ac_rank"), expression=number(a.top_n)), ref("ac_pts"), double(0)))
    else:
        combined = exp.Sum(this=exp.Mul(this=ref("ac_engaged"), expression=double(a.points_per_engaged)))
    combined = exp.cast(combined, exp.DataType.build("DOUBLE"))
    if a.cap is not None:
        combined = b.clip(combined, Range(None, float(a.cap)))
    roll = [
        exp.alias_(ref("ac_key"), "ac_key"),
        exp.alias_(exp.Count(this=exp.Star()), "ac_contacts"),
        exp.alias_(exp.Sum(this=ref("ac_engaged")), "ac_engaged"),
        exp.alias_(exp.Count(this=exp.Distinct(expressions=[when(exp.EQ(this=ref("ac_engaged"), expression=number(1)), ref("ac_role"), exp.null())]))
                   if a.buying_group is not None else number(0), "ac_roles"),
        exp.alias_(combined, "ac_cp"),
    ]
    rule_parts = []
    for i, r in enumerate(rules):
        roll.append(exp.alias_(exp.Max(this=ref(f"ac_h{i}")), f"ac_h{i}"))
        rule_parts.append(exp.Mul(this=ref(f"ac_h{i}"), expression=double(r.points)))
    ctes.append(("ac_roll", exp.select(*roll).from_(exp.to_table("ac_ranked"), copy=False).group_by(ref("ac_key"), copy=False)))

    ppr = a.buying_group.points_per_role if a.buying_group is not None else 0.0
    role_pts = exp.Mul(this=ref("ac_roles"), expression=double(ppr))
    rule_pts: exp.Expression = double(0)
    for p in rule_parts:
        rule_pts = exp.Add(this=rule_pts, expression=p)
    parts = [
        exp.alias_(ref("ac_key"), "ac_key"), ref("ac_contacts"), ref("ac_engaged"), ref("ac_roles"), ref("ac_cp"),
        exp.alias_(role_pts, "ac_rp"), exp.alias_(rule_pts, "ac_up"),
        exp.alias_(b.round(exp.Paren(this=exp.Add(this=exp.Add(this=ref("ac_cp"), expression=exp.Paren(this=role_pts.copy())),
                                                  expression=exp.Paren(this=rule_pts.copy())))), "ac_score"),
    ]
    ctes.append(("ac_scored", exp.select(*parts).from_(exp.to_table("ac_roll"), copy=False)))
    status = when(exp.GTE(this=ref("ac_score"), expression=number(a.mqa)), string("MQA"), string("account"))
    final = exp.select(
        exp.alias_(ref("ac_key"), "account"),
        exp.alias_(ref("ac_contacts"), "contacts"),
        exp.alias_(ref("ac_engaged"), "engaged"),
        exp.alias_(ref("ac_roles"), "roles_covered"),
        exp.alias_(b.round(ref("ac_cp")), "contact_points"),
        exp.alias_(b.round(ref("ac_rp")), "role_points"),
        exp.alias_(b.round(ref("ac_up")), "rule_points"),
        exp.alias_(ref("ac_score"), "score"),
        exp.alias_(status, "status"),
    ).from_(exp.to_table("ac_scored"), copy=False)
    tree = b.attach(ctes, final)
    tree.args["with_"].add_comments([f" accounts: {line} " for line in a.describe()])
    return tree
