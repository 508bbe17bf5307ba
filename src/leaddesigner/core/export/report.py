"""The model explained to the sales team: one standalone HTML file (issue 4, "Report for sales").

The seeds insist that the scoring model must not hide in the marketing tool:
sales should see what a lead, an MQL and an SQL are, every rule with its
points, the caps, thresholds and grades, how many MQLs a week the SDR team is
asked to work, and (when outcomes are known) how well the score has predicted
conversions. :func:`render_report` builds that page; :func:`write_report`
writes it atomically (``leaddesigner report`` and the app's File > Export
report both call it).

The page is self-contained: no scripts, no external style sheets, fonts or
images. Charts are inline SVG drawn here from numpy arrays (axes, ticks,
labels, legends). All user text (labels, definitions, changelog notes, file
names) is HTML-escaped. The markup is XHTML-compatible (every element closed,
no named entities besides the XML ones), so it parses with ``xml.etree`` as
well as with HTML parsers. Print-friendly (``@media print``).

Pure: numpy/pandas only, no Qt.
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from leaddesigner.core.export.report_charts import (
    chart_deciles,
    chart_distribution,
    chart_gains,
    chart_score_at,
    chart_weekly,
    esc,
    number_text,
    pct_text,
)
from leaddesigner.core.model import describe as D
from leaddesigner.core.model.io import model_hash
from leaddesigner.core.model.types import STATUSES, ScoringModel
from leaddesigner.core.scoring.engine import LeadData, Scorer
from leaddesigner.core.scoring.summary import score_bounds, summarize

__all__ = ["render_report", "write_report", "model_hash", "ReportOptions"]




# ---------------------------------------------------------------- options and inputs
@dataclass
class ReportOptions:
    """What the report is about besides the model (all optional)."""

    leads_source: str | None = None  # file name shown in the report
    activities_source: str | None = None
    outcome_name: str | None = None
    generated: _dt.datetime | None = None  # default: now (UTC)
    n_boot: int = 200  # bootstrap resamples for the AUC interval
    votes: Any = None  # the workshop's votes (core.workshop.votes.Votes): adds what the room decided


def _column(data: LeadData, name: str) -> pd.Series:
    try:
        return data.file_column(name)
    except KeyError:
        pass
    cols = list(data.frame.columns) + ([] if data.extra is None else [str(c) for c in data.extra.columns])
    from leaddesigner.core.model.io import did_you_mean

    raise KeyError(f"there is no column '{name}' in the lead file.{did_you_mean(name, cols)}")


def _dates(value: Any, data: LeadData, what: str) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, str):
        from leaddesigner.core.data.dates import parse_dates

        arr = parse_dates(_column(data, value), name=value)  # read as the load pipeline reads dates
        if arr is None:
            raise ValueError(f"{what}: column '{value}' holds no dates")
    else:
        t = pd.to_datetime(pd.Series(value), errors="coerce")
        if getattr(t.dt, "tz", None) is not None:
            t = t.dt.tz_convert("UTC").dt.tz_localize(None)
        arr = t.to_numpy(dtype="datetime64[ns]")
    if len(arr) != len(data):
        raise ValueError(f"{what} has {len(arr):,} values for {len(data):,} leads")
    return arr


# ---------------------------------------------------------------- the page
CSS = """
:root { --text: #1f2933; --muted: #66707c; --line: #dde2e8; --soft: #f5f7fa; --pos: #1d6b3c; --pos-bg: #e5f3ea;
  --neg: #a61b1b; --neg-bg: #fbe9e9; --accent: #2a5fa8; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #eef1f5; color: var(--text);
  font: 15px/1.5 "Segoe UI", -apple-system, BlinkMacSystemFont, Helvetica, Arial, sans-serif; }
main { max-width: 1000px; margin: 24px auto; background: #fff; padding: 36px 48px 28px;
  border-radius: 6px; box-shadow: 0 1px 4px rgba(20, 30, 45, 0.12); }
header.top { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 8px; }
header.top .kicker { text-transform: uppercase; letter-spacing: 0.08em; font-size: 12px; color: var(--accent); font-weight: 600; }
h1 { font-size: 28px; margin: 4px 0 6px; line-height: 1.2; }
h2 { font-size: 20px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
p { margin: 8px 0; }
.meta { color: var(--muted); font-size: 13px; margin: 2px 0; }
.meta code { font-size: 12px; }
.lede { font-size: 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(136px, 1fr)); gap: 12px; margin: 18px 0 6px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; background: var(--soft); }
.card .v { font-size: 24px; font-weight: 650; line-height: 1.2; }
.card .l { font-size: 12.5px; color: var(--muted); }
.card.warn { border-color: #f0b37e; background: #fff4ea; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 14px; }
th, td { text-align: left; padding: 6px 9px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; font-size: 13px; color: #3a4551; border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.rulestart td { border-top: 1px solid #c9d0d8; }
td.rule { width: 30%; }
td.rule .why { display: block; color: var(--muted); font-size: 12.5px; font-style: italic; margin-top: 2px; }
.tag { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 9px; background: #e8edf4; color: #3a4a5e;
  margin: 2px 4px 0 0; white-space: nowrap; }
.pts { display: inline-block; min-width: 48px; text-align: center; font-weight: 650; border-radius: 4px; padding: 1px 6px;
  font-variant-numeric: tabular-nums; }
.pts.pos { color: var(--pos); background: var(--pos-bg); }
.pts.neg { color: var(--neg); background: var(--neg-bg); border: 1px solid #e7b3b3; }
.pts.zero { color: var(--muted); background: #eef0f3; }
td.negative { background: #fff6f6; }
.neglabel { color: var(--neg); font-size: 11px; font-weight: 600; display: block; }
.note { color: var(--muted); font-size: 13px; }
.callout { border-left: 4px solid var(--accent); background: #f2f6fc; padding: 10px 14px; margin: 12px 0; border-radius: 0 4px 4px 0; }
.callout.warn { border-left-color: #d9822b; background: #fff6ec; }
dl.defs { margin: 8px 0; }
dl.defs dt { font-weight: 650; margin-top: 10px; }
dl.defs dd { margin: 2px 0 0 0; padding-left: 14px; border-left: 3px solid var(--line); }
table.grid { width: auto; }
table.grid td, table.grid th { text-align: center; min-width: 108px; border: 1px solid var(--line); }
table.grid th.rowhead { text-align: left; }
table.grid td.mql { background: #e3eefb; border: 2px solid var(--accent); }
table.grid td .g { font-weight: 700; font-size: 15px; display: block; }
table.grid td .mqltag { display: inline-block; font-size: 10.5px; font-weight: 700; color: #fff; background: var(--accent);
  border-radius: 8px; padding: 0 6px; }
table.grid td .c { font-size: 12.5px; color: var(--muted); display: block; }
figure { margin: 14px 0 18px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
.two { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.two > div { flex: 1 1 300px; }
.two > div.wide { flex: 1.35 1 380px; }
ul.warnings li { margin: 3px 0; }
footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12.5px; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  main { box-shadow: none; margin: 0; padding: 0; max-width: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, table.grid, .cards, tr, .callout { break-inside: avoid; page-break-inside: avoid; }
  section { break-inside: auto; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { margin: 14mm; }
}
"""


def _pts(v: float) -> str:
    cls = "pos" if v > 0 else ("neg" if v < 0 else "zero")
    return f'<span class="pts {cls}">{esc(D.points(v))}</span>'


NUM = ' class="num"'


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], num: Sequence[int] = (), cls: str = "") -> str:
    """A table from pre-escaped cell HTML; ``num`` are right-aligned column indexes."""
    c = f' class="{cls}"' if cls else ""
    out = [f"<table{c}><thead><tr>"]
    out += [f"<th{NUM if i in num else ''}>{h}</th>" for i, h in enumerate(head)]
    out.append("</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>" + "".join(f"<td{NUM if i in num else ''}>{v}</td>" for i, v in enumerate(r)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def render_report(
    model: ScoringModel,
    data: LeadData | Scorer,
    *,
    outcome: Any = None,
    converted_at: Any = None,
    first_contact: Any = None,
    options: ReportOptions | None = None,
    **kwargs: Any,
) -> str:
    """The report as one HTML page (see the module docstring).

    ``data`` is the leads bound to ``model`` (a :class:`LeadData`), or a
    :class:`Scorer` already holding them (the app passes its scorer; it is only
    read). ``outcome`` is a lead-file column name or a bool array;
    ``converted_at`` / ``first_contact`` are column names or datetime arrays
    (they add the score-at-conversion section). Keyword arguments not named
    here fill :class:`ReportOptions` (``leads_source``, ``activities_source``,
    ``outcome_name``, ``generated``, ``n_boot``).
    """
    from leaddesigner.core.analysis.compare import resolve_outcome

    opts = options or ReportOptions()
    for k, v in kwargs.items():
        if not hasattr(opts, k):
            raise TypeError(f"render_report() got an unexpected keyword argument '{k}'")
        setattr(opts, k, v)
    sc = data if isinstance(data, Scorer) else Scorer(model, data)
    ld = sc.data
    y, outcome_name = resolve_outcome(outcome, ld)
    if opts.outcome_name:
        outcome_name = opts.outcome_name
    conv_at = _dates(converted_at, ld, "converted_at")
    first = _dates(first_contact, ld, "first_contact")
    generated = opts.generated or _dt.datetime.now(_dt.timezone.utc)

    res = sc.result
    summary = summarize(sc, y)
    n = len(res.score)
    mqls = summary.mqls
    sqls = summary.status_counts.get("SQL", 0)
    weekly = summary.weekly
    created = ld.frame[model.created_at] if model.created_at and model.created_at in ld.frame.columns else None

    bt = None
    sac = None
    split_by = "none"
    if y is not None:  # the same workflow as the Backtest tab and `leaddesigner backtest`
        from leaddesigner.core.analysis.backtesting import run_backtest

        cr = None if created is None or not created.notna().any() else created.to_numpy(dtype="datetime64[ns]")
        run = run_backtest(sc, y, created=cr, capacity_per_week=model.capacity.per_week, converted_at=conv_at,
                           first_contact=first, n_boot=opts.n_boot)
        bt, sac, split_by = run.backtest, run.at_conversion, run.split_by

    h: list[str] = []
    title = f"How we score leads: {model.name}"
    h.append('<!DOCTYPE html>\n<html lang="en" xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="utf-8"/>')
    h.append('<meta name="viewport" content="width=device-width, initial-scale=1"/>')
    h.append(f'<meta name="generator" content="LeadDesigner"/><title>{esc(title)}</title><style>{CSS}</style></head><body><main>')

    # -- header
    version = f"version {model.version}" if model.version else "no version number"
    h.append('<header class="top"><div class="kicker">Lead scoring, explained for sales</div>')
    h.append(f"<h1>{esc(model.name)}</h1>")
    if model.description:
        h.append(f'<p class="lede">{esc(model.description)}</p>')
    h.append(f'<p class="meta">Model {esc(version)} &#183; fingerprint <code>{model_hash(model)}</code>'
             + (f" &#183; owners: {esc(', '.join(model.owners))}" if model.owners else "") + "</p>")
    h.append(f'<p class="meta">Report generated {esc(generated.strftime("%Y-%m-%d %H:%M UTC"))} by LeadDesigner</p>')
    h.append("</header>")

    # -- data line + cards
    h.append(_data_line(model, ld, created, opts, y, outcome_name))
    h.append(_cards(n, mqls, sqls, weekly, model, bt))

    # -- definitions
    h.append("<section><h2>What the words mean</h2><dl class=\"defs\">")
    defaults = D.default_definitions(model)
    names = {"lead": "Lead", "mql": "MQL: marketing qualified lead", "sql": "SQL: sales qualified lead"}
    keys = ["lead", "mql", "sql"] + [k for k in model.definitions if k not in ("lead", "mql", "sql")]
    for k in keys:
        text = model.definitions.get(k)
        auto = False
        if not text:
            text = defaults.get(k)
            auto = True
        if not text:
            continue
        h.append(f"<dt>{esc(names.get(k, k))}</dt><dd>{esc(text.strip())}"
                 + (' <span class="note">(from the model\u2019s thresholds; the model file gives no definition)</span>' if auto else "")
                 + "</dd>")
    h.append("</dl>")
    h.append('<div class="callout"><b>How the score works.</b> Every lead gets a <b>fit</b> score (who they are: company, role, '
             "answers on forms) and an <b>engagement</b> score (what they do: visits, downloads, demo requests). "
             "Each rule below adds or takes away points; limits keep any one area from dominating. "
             f"The lead\u2019s score is fit plus engagement. {esc(' '.join(D.threshold_lines(model)))}</div>")
    h.append("</section>")

    # -- rules
    h.append(_rules_section(model, sc))
    h.append(_caps_section(model))
    h.append(_grades_section(model, sc, bt, y))
    h.append(_capacity_section(model, weekly, mqls, n, _aging_note(model, ld)))
    h.append(_distribution_section(model, res, summary))
    if bt is not None:
        h.append(_backtest_section(model, bt, sac, outcome_name, _leak_note(model, ld), split_by, run.calibration_lines))
    elif outcome is None:
        h.append('<section><h2>Has the score predicted sales?</h2><p class="note">No outcome column was given, so this '
                 "report cannot check the score against past conversions. Run it with an outcome "
                 "(<code>--outcome converted</code>) to add the backtest.</p></section>")
    if model.accounts is not None:
        h.append(_accounts_section(model, sc))
    if opts.votes is not None and len(opts.votes):
        h.append(_workshop_section(sc, opts.votes))
    h.append(_changelog_section(model))
    h.append(
        f"<footer>{esc(model.name)} &#183; {esc(version)} &#183; fingerprint <code>{model_hash(model)}</code> &#183; "
        f"generated {esc(generated.strftime('%Y-%m-%d %H:%M UTC'))}. The fingerprint changes whenever any rule, "
        "point, cap, threshold or grade changes: two reports with the same fingerprint describe the same model.</footer>"
    )
    h.append("</main></body></html>\n")
    return "".join(h)


def write_report(path: str | os.PathLike, model: ScoringModel, data: LeadData | Scorer, **kwargs: Any) -> str:
    """Render the report and write it atomically to ``path``; returns the HTML.

    Same keyword arguments as :func:`render_report`.
    """
    from leaddesigner.core.model.io import atomic_write_text

    html = render_report(model, data, **kwargs)
    atomic_write_text(path, html)
    return html


# ---------------------------------------------------------------- sections
def _data_line(model, ld: LeadData, created, opts: ReportOptions, y, outcome_name) -> str:
    parts = [f"Figures below come from <b>{len(ld):,} leads</b>"]
    if opts.leads_source:
        parts.append(f" in <code>{esc(opts.leads_source)}</code>")
    if opts.activities_source:
        parts.append(f" with the activity log <code>{esc(opts.activities_source)}</code>")
    if created is not None and created.notna().any():
        parts.append(f", created {created.min():%Y-%m-%d} to {created.max():%Y-%m-%d}")
    as_of = pd.Timestamp(ld.as_of)
    shown = (as_of - pd.Timedelta(days=1)) if as_of == as_of.normalize() else as_of
    when = f"{ld.horizon_days:g} days after each lead was created (at most as of the end of {shown:%Y-%m-%d})" if ld.horizon_days else (
        f"as of the end of {shown:%Y-%m-%d}" if as_of == as_of.normalize() else f"as of {as_of:%Y-%m-%d %H:%M}")
    parts.append(f", scored {esc(when)}.")
    if y is not None:
        parts.append(f" Outcome: column <code>{esc(outcome_name)}</code>, {int(y.sum()):,} converted ({pct_text(float(y.mean()) if len(y) else None)}).")
    return '<p class="meta" style="font-size:14px">' + "".join(parts) + "</p>"


def _cards(n, mqls, sqls, weekly, model, bt) -> str:
    cards = [(f"{n:,}", "leads scored", "")]
    cards.append((f"{mqls:,}", f"MQLs handed to sales ({pct_text(mqls / n if n else None)} of leads)", ""))
    if model.thresholds.sql is not None:
        cards.append((f"{sqls:,}", "of them SQLs", ""))
    cap = model.capacity.per_week
    if len(weekly.frame):
        over = weekly.mean_mqls > cap
        cards.append((f"{weekly.mean_mqls:.1f}", f"MQLs per week; SDR capacity {cap:g}", " warn" if over else ""))
    else:
        cards.append((f"{cap:g}", "MQLs per week the SDR team can work", ""))
    if bt is not None and np.isfinite(bt.auc):
        cards.append((f"{bt.auc:.2f}", "AUC: ranking of converters (0.5 coin toss, 1 perfect)", ""))
        if bt.mql is not None and np.isfinite(bt.mql.mql_rate.rate):
            cards.append((pct_text(bt.mql.mql_rate.rate), f"of MQLs converted, vs {pct_text(bt.mql.non_mql_rate.rate)} of other leads", ""))
    return '<div class="cards">' + "".join(
        f'<div class="card{w}"><div class="v">{esc(v)}</div><div class="l">{esc(l)}</div></div>' for v, l, w in cards
    ) + "</div>"


def _rules_section(model: ScoringModel, sc: Scorer) -> str:
    n = max(len(sc.result.score), 1)
    out = ["<section><h2>Every rule, in plain words</h2>"]
    out.append('<p>Points are added up for each lead. <span class="pts pos">+10</span> adds points; '
               '<span class="pts neg">\u221210</span> <b>takes points away</b> (red-tinted lines are negative: '
               "signs that a lead is not a buyer). The last column shows how many of the leads in this data the rule "
               "gives points to today.</p>")
    if model.persona is not None:
        p = model.persona
        w = ", ".join(f"{k} \u00d7{D.number(v)}" for k, v in p.weights.items())
        out.append(f'<p class="callout">Engagement points are multiplied by the buying role '
                   f"(<i>{esc(D.attribute_words(model, p.attribute))}</i>): {esc(w)}; anyone else \u00d7{esc(D.number(p.default))}. "
                   "A decision maker\u2019s visit counts more than a student\u2019s.</p>")
    for dim, title, what in (("fit", "Fit: who the lead is", "company, role and form answers"),
                             ("engagement", "Engagement: what the lead does", "visits, downloads, events, requests")):
        rules = [r for r in model.rules if r.enabled and r.dimension == dim]
        out.append(f"<h3>{esc(title)}</h3>")
        if not rules:
            out.append(f'<p class="note">No {dim} rules ({esc(what)}).</p>')
            continue
        out.append('<table class="rules"><thead><tr><th>Rule</th><th>When</th><th class="num">Points</th>'
                   '<th class="num">Leads it scores</th></tr></thead><tbody>')
        for r in rules:
            lines = D.rule_lines(r, model)
            hits = sc.rule_hits(r.id)
            span = len(lines)
            tags = []
            if r.group:
                tags.append(f'<span class="tag">group: {esc(r.group)}</span>')
            if r.product:
                tags.append(f'<span class="tag">product: {esc(r.product)}</span>')
            why = f'<span class="why">{esc(r.why)}</span>' if r.why else ""
            for i, ln in enumerate(lines):
                neg = ln.points < 0
                row = ['<tr class="rulestart">' if i == 0 else "<tr>"]
                ncls = ' class="negative"' if neg else ""
                if i == 0:
                    row.append(f'<td class="rule" rowspan="{span}"><b>{esc(r.label)}</b> {"".join(tags)}{why}</td>')
                note = f'<br/><span class="note">{esc(ln.note)}</span>' if ln.note else ""
                row.append(f"<td{ncls}>{esc(ln.when)}{note}</td>")
                neglabel = '<span class="neglabel">negative</span>' if neg else ""
                row.append(f'<td class="num{" negative" if neg else ""}">{_pts(ln.points)}{neglabel}</td>')
                if i == 0:
                    row.append(f'<td class="num" rowspan="{span}">{hits:,}<br/><span class="note">{pct_text(hits / n)}</span></td>')
                row.append("</tr>")
                out.append("".join(row))
        out.append("</tbody></table>")
    off = [r for r in model.rules if not r.enabled]
    if off:
        out.append('<p class="note">Switched off (they give no points now): '
                   + esc(", ".join(r.label for r in off)) + ".</p>")
    out.append("</section>")
    return "".join(out)


def _caps_section(model: ScoringModel) -> str:
    lines = D.caps_lines(model)
    out = ["<section><h2>Limits on points</h2>"]
    if not lines:
        out.append('<p class="note">This model puts no limits on points: every rule counts in full.</p>')
    else:
        out.append("<p>Limits stop one kind of signal from carrying a lead on its own (for example, forty page views "
                   "are not worth forty times one):</p><ul>")
        out += [f"<li>{esc(x)}</li>" for x in lines]
        out.append("</ul>")
    out.append("</section>")
    return "".join(out)


def _grades_section(model: ScoringModel, sc: Scorer, bt, y) -> str:
    g = model.grades
    out = ["<section><h2>Thresholds and grades</h2><ul>"]
    out += [f"<li>{esc(x)}</li>" for x in D.threshold_lines(model)]
    out.append("</ul>")
    if not g.fit or not g.engagement:
        out.append('<p class="note">This model has no grades: only the score decides.</p></section>')
        return "".join(out)
    out.append("<p>The grade pairs a <b>letter for fit</b> (A = ideal customer profile) with a <b>number for engagement</b> "
               "(1 = most active). Each cell shows how many leads in this data have that grade"
               + (" and how many of them converted" if y is not None else "") + ".")
    if g.mql_cells is not None:
        out.append(f" Only the highlighted cells ({esc(', '.join(g.mql_cells))}) can become MQLs, whatever the score.</p>")
    else:
        out.append(f" Any grade can become an MQL once the score reaches {esc(D.number(model.thresholds.mql))}.</p>")
    res = sc.result
    names = sc.grade_names()
    counts = np.bincount(res.grade[res.grade >= 0], minlength=len(names))
    conv = np.bincount(res.grade[res.grade >= 0], weights=y[res.grade >= 0].astype(float), minlength=len(names)) if y is not None else None
    mqls = np.bincount(res.grade[res.status >= 1], minlength=len(names))
    thin: set[str] = set()
    if bt is not None and bt.grades is not None and "thin" in bt.grades.columns:
        thin = {str(x) for x in bt.grades.loc[bt.grades["thin"].astype(bool), "grade"]}
    fits = D.band_ranges(g.fit)
    engs = D.band_ranges(g.engagement)
    out.append('<table class="grid"><thead><tr><th class="rowhead">Fit \u2193 / Engagement \u2192</th>')
    for name, rng in engs:
        out.append(f"<th>{esc(name)}<br/><span class=\"note\">engagement {esc(rng)}</span></th>")
    out.append("</tr></thead><tbody>")
    for i, (fname, frng) in enumerate(fits):
        out.append(f'<tr><th class="rowhead">{esc(fname)}<br/><span class="note">fit {esc(frng)}</span></th>')
        for j, (ename, _) in enumerate(engs):
            k = i * len(engs) + j
            cell = names[k]
            eligible = g.mql_cells is None or cell in g.mql_cells
            cls = ' class="mql"' if (g.mql_cells is not None and eligible) else ""
            tag = ' <span class="mqltag">MQL</span>' if (g.mql_cells is not None and eligible) else ""
            body = f'<span class="g">{esc(cell)}{tag}</span><span class="c">{int(counts[k]):,} lead{"" if counts[k] == 1 else "s"}'
            if int(mqls[k]):
                body += f", {int(mqls[k]):,} MQL"
            body += "</span>"
            if conv is not None and counts[k]:
                star = "*" if cell in thin else ""
                body += f'<span class="c">{int(conv[k]):,} converted ({pct_text(conv[k] / counts[k])}){star}</span>'
            out.append(f"<td{cls}>{body}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    if thin:
        from leaddesigner.core.analysis.backtest import THIN_CONVERSIONS, THIN_LEADS

        out.append(f'<p class="note">* Fewer than {THIN_LEADS} leads or {THIN_CONVERSIONS} conversions in the cell: '
                   "its rate is not reliable.</p>")
    out.append("</section>")
    return "".join(out)


def _aging_note(model: ScoringModel, ld: LeadData) -> str | None:
    if ld.horizon_days is not None or not any(r.enabled and r.kind == "activity" for r in model.rules):
        return None
    return ("All leads are scored as of the same day, so the activity of older leads has aged and their weeks show fewer "
            "MQLs than they had at the time. To compare weeks fairly, score each lead as it stood some days after it "
            "was created (the --horizon-days option).")


def _capacity_section(model: ScoringModel, weekly, mqls: int, n: int, aging: str | None = None) -> str:
    c = model.capacity
    out = ["<section><h2>SDR capacity against MQLs per week</h2>"]
    out.append(f"<p>The SDR team is sized for <b>{c.per_week:g} MQLs a week</b>: {c.sdrs:,} SDR"
               f"{'s' if c.sdrs != 1 else ''} \u00d7 {c.leads_per_sdr_per_week:g} MQLs each. "
               f"Every MQL is contacted within <b>{c.sla_hours:g} hours</b> ({c.working_days} working days a week).</p>")
    f = weekly.frame
    if len(f):
        full = f[~f["partial"]]
        mean = weekly.mean_mqls
        verdict = "within" if mean <= c.per_week else "above"
        out.append(
            f"<p>On these leads the model hands over <b>{mean:.1f} MQLs a week</b> on average ({verdict} capacity); "
            f"{weekly.weeks_over} of {len(f)} weeks go over capacity"
            + (f" and the busiest full week has {int(full['mqls'].max()):,}" if len(full) else "")
            + ". Weeks are counted by the day each lead was created.</p>"
        )
        if mean > c.per_week:
            out.append('<p class="callout warn">More MQLs arrive than the team can call within the SLA: either raise the '
                       "threshold, tighten the grades, or add SDR time.</p>")
        out.append(f"<figure>{chart_weekly(f, c.per_week)}<figcaption>Bars: MQLs among the leads created each week; "
                   "dashed line: what the SDR team can work. Lighter bars are weeks the data covers only in part.</figcaption></figure>")
        if aging:
            out.append(f'<p class="note">{esc(aging)}</p>')
    else:
        out.append(f'<p class="note">The lead file has no creation date, so MQLs cannot be counted per week '
                   f"({mqls:,} MQLs among {n:,} leads in all).</p>")
    out.append("</section>")
    return "".join(out)


def _distribution_section(model, res, summary) -> str:
    q = summary.quantiles
    out = ["<section><h2>How the scores are spread</h2>"]
    out.append(f"<p>Half of the leads score below {q['median']:.0f}; one in ten scores above {q['p90']:.0f}. "
               f"The dashed lines mark the thresholds: leads right of the MQL line are handed to sales"
               + (" when their grade allows it" if model.grades.mql_cells is not None else "") + ".</p>")
    out.append(f"<figure>{chart_distribution(model, res.score, res.status)}<figcaption>Number of leads per score band, "
               "coloured by what happens to them.</figcaption></figure>")
    counts = summary.status_counts
    n = max(summary.leads, 1)
    rows = []
    for s in reversed(STATUSES):
        if s == "SQL" and model.thresholds.sql is None:
            continue
        c = counts.get(s, 0)
        row = [esc(s if s != "lead" else "Lead (below MQL)"), f"{c:,}", pct_text(c / n)]
        if summary.conversion is not None:
            row.append(pct_text(summary.conversion.get(s)))
        rows.append(row)
    head = ["Status", "Leads", "Share"] + (["Converted"] if summary.conversion is not None else [])
    out.append(_table(head, rows, num=(1, 2, 3)))
    out.append("</section>")
    return "".join(out)


def _leak_note(model: ScoringModel, ld: LeadData) -> str | None:
    """Scores taken after the fact flatter a backtest: say so when activity or dates count."""
    from leaddesigner.core.analysis.backtesting import time_dependent

    if ld.horizon_days is not None or not time_dependent(model):
        return None
    return ("Every lead is scored as of the same day, after the outcome was known, so activity that happened after a "
            "lead converted counts too. That flatters the figures below; the score at the moment of conversion "
            "(when a conversion date is given) does not have this bias.")


def _backtest_section(model, bt, sac, outcome_name, leak: str | None = None, split_by: str = "created",
                      calibration: list[str] | None = None) -> str:
    out = ["<section><h2>Has the score predicted sales?</h2>"]
    out.append(f"<p>Checked against the outcome column <code>{esc(outcome_name)}</code>: {bt.n_converted:,} of "
               f"{bt.n:,} leads converted ({pct_text(bt.base_rate)}).</p>")
    if calibration:
        out.append("<p><b>What a score means:</b> " + " ".join(esc(x.rstrip(".") + ".") for x in calibration)
                   + ' <span class="note">(past conversions; 90% interval)</span></p>')
    if leak:
        out.append(f'<p class="note">{esc(leak)}</p>')
    if np.isfinite(bt.auc):
        out.append(
            f"<p><b>AUC {bt.auc:.2f}</b> (95% interval {bt.auc_low:.2f} to {bt.auc_high:.2f}). In words: take one lead that "
            f"converted and one that did not; the converted one has the higher score {pct_text(bt.auc, 0)} of the time "
            "(50% would be a coin toss).</p>"
        )
        hold = bt.parts.get("holdout") if bt.parts else None
        if hold is not None and np.isfinite(hold.auc):
            which = "most recent fifth of the leads" if split_by == "created" else "last fifth of the rows (no creation dates)"
            out.append(f'<p class="note">On the {which} alone ({hold.n:,} leads, '
                       f"{hold.n_converted:,} converted): AUC {hold.auc:.2f} ({hold.auc_low:.2f} to {hold.auc_high:.2f}).</p>")
    m = bt.mql
    if m is not None:
        ratio = m.mql_rate.rate / m.non_mql_rate.rate if m.non_mql_rate.rate and np.isfinite(m.non_mql_rate.rate) else None
        out.append("<h3>MQLs against the other leads</h3>")
        out.append(_table(
            ["", "Leads", "Converted", "Conversion rate", "95% interval"],
            [
                ["MQLs (handed to sales)", f"{m.mql_rate.leads:,}", f"{m.mql_rate.conversions:,}", pct_text(m.mql_rate.rate),
                 f"{pct_text(m.mql_rate.low)} to {pct_text(m.mql_rate.high)}"],
                ["Other leads", f"{m.non_mql_rate.leads:,}", f"{m.non_mql_rate.conversions:,}", pct_text(m.non_mql_rate.rate),
                 f"{pct_text(m.non_mql_rate.low)} to {pct_text(m.non_mql_rate.high)}"],
            ],
            num=(1, 2, 3, 4),
        ))
        text = (f"MQLs are <b>{pct_text(m.share_of_leads)} of the leads</b> and hold <b>{pct_text(m.share_of_conversions)} of "
                f"all conversions</b>")
        if ratio is not None and np.isfinite(ratio):
            text += f"; an MQL converts {ratio:.1f} times as often as another lead"
        out.append(f"<p>{text}.</p>")
    out.append('<div class="two"><div class="wide">')
    g = bt.gains
    mp = (m.share_of_leads, m.share_of_conversions) if m is not None and np.isfinite(m.share_of_conversions) else None
    out.append(f"<figure>{chart_gains(np.asarray(g.lead_share), np.asarray(g.conversion_share), mp)}<figcaption>"
               "Hand leads to sales from the highest score down: the curve shows what share of all conversions you "
               "have reached. The higher above the diagonal, the better the score.</figcaption></figure></div><div>")
    d = bt.deciles
    if d is not None and len(d):
        rows = [[str(int(r.band)), f"{number_text(r.score_min)} to {number_text(r.score_max)}", f"{int(r.leads):,}", f"{int(r.conversions):,}",
                 pct_text(r.rate), f"{r.lift:.1f}\u00d7" if np.isfinite(r.lift) else "n/a"] for r in d.itertuples(index=False)]
        out.append("<h3>Conversion by score band</h3>")
        out.append(_table(["Band", "Scores", "Leads", "Conv.", "Rate", "Lift"], rows, num=(2, 3, 4, 5)))
    out.append("</div></div>")
    if d is not None and len(d):
        out.append(f"<figure>{chart_deciles(d, bt.base_rate)}<figcaption>Leads sorted by score and cut into ten bands of "
                   "equal size (leads with the same score stay together). Lift: how many times the average rate.</figcaption></figure>")
    if sac is not None:
        out.append(_score_at_section(model, sac))
    if bt.warnings:
        out.append('<div class="callout warn"><b>Read with care.</b><ul class="warnings">'
                   + "".join(f"<li>{esc(w)}</li>" for w in bt.warnings) + "</ul></div>")
    out.append("</section>")
    return "".join(out)


def _score_at_section(model, sac) -> str:
    out = ["<h3>Score at the moment of conversion</h3>"]
    dists = [("at conversion", sac.at_conversion)]
    if sac.at_first_contact is not None and sac.at_first_contact.count:
        dists.append(("at first sales contact", sac.at_first_contact))
    for what, dist in dists:
        if not dist.count:
            continue
        q = dist.quantiles
        out.append(
            f"<p>The {dist.count:,} converters scored <b>{dist.mean:.1f} on average {what}</b> "
            f"(middle half {q.get('p25', float('nan')):.0f} to {q.get('p75', float('nan')):.0f}); "
            f"{pct_text(dist.share_mql)} of them were at or above the MQL threshold ({D.number(sac.threshold)}) then.</p>"
        )
        lo, hi = score_bounds(model, np.asarray(dist.scores))
        out.append(f"<figure>{chart_score_at(dist, sac.threshold, lo, hi, what)}"
                   f"<figcaption>Each converter\u2019s score as it stood {esc(what)}, scored by the same rules "
                   "with only the activity up to that moment.</figcaption></figure>")
    return "".join(out)


def _workshop_section(sc: Scorer, votes) -> str:
    """What the room decided in the workshop: the model against the votes, card by card."""
    from leaddesigner.core.workshop.agreement import agreement
    from leaddesigner.core.workshop.cards import cards_for
    from leaddesigner.core.workshop.votes import VOTES

    known = set(map(str, sc.data.ids))
    ids = [i for i in dict.fromkeys(v.lead_id for v in votes) if i in known]
    out = ["<section><h2>What sales and marketing decided together</h2>"]
    if not ids:
        out.append('<p class="note">The workshop votes name no lead of this data.</p></section>')
        return "".join(out)
    ag = agreement(sc, cards_for(sc, ids), votes)
    k = "n/a" if np.isnan(ag.kappa) else f"{ag.kappa:.2f}"
    out.append(f"<p>{ag.voters} people answered, for {len(ag.cards)} example leads, whether sales should reach out "
               f"now. The model agrees with the room on <b>{pct_text(ag.share, 0)}</b> of the {ag.decided} leads the "
               f"room decided (Cohen's kappa {k}; {ag.split} split)."
               + (f" Sales and marketing agreed with each other on {pct_text(ag.sales_marketing_share, 0)}."
                  if ag.sales_marketing_share is not None else "") + "</p>")
    rows = []
    for cv in ag.cards:
        room = "split" if cv.room is None else ("reach out now" if cv.room else "not now")
        rows.append([esc(cv.card.story.headline), *(str(cv.counts[v]) for v in VOTES), room,
                     "reach out now" if cv.model else "not now", esc("; ".join(cv.reasons)) or "agrees"])
    out.append(_table(["Lead", "Reach out now", "Not yet", "Never", "The room", "The model", "Why they differ"],
                      rows, num=(1, 2, 3)))
    out.append("</section>")
    return "".join(out)


def _accounts_section(model: ScoringModel, sc: Scorer) -> str:
    """Accounts: the roll-up in words (as ``score --accounts`` says it) and the ten best accounts."""
    from leaddesigner.core.scoring.accounts import AccountError, account_frame, roll_up

    out = ["<section><h2>Accounts: the companies that buy</h2>"]
    try:
        res = roll_up(model, sc.data, sc.result)
    except AccountError as e:
        out.append(f'<p class="note">{esc(str(e))}</p></section>')
        return "".join(out)
    out.append("<ul>" + "".join(f"<li>{esc(line)}</li>" for line in res.lines()) + "</ul>")
    top = account_frame(res).head(10)
    if len(top):
        rows = [[esc(str(r.account)), f"{int(r.contacts):,}", f"{int(r.engaged):,}", esc(str(r.roles) or "–"),
                 f"{float(r.score):,.2f}".rstrip("0").rstrip("."), esc(str(r.status))] for r in top.itertuples()]
        out.append(_table(["Account", "Contacts", "Engaged", "Buying group", "Score", "Status"], rows, num=(1, 2, 4)))
    out.append("</section>")
    return "".join(out)


def _changelog_section(model: ScoringModel) -> str:
    out = ["<section><h2>Changes to the model</h2>"]
    if not model.changelog:
        out.append('<p class="note">The model file records no changes yet (its <code>changelog</code> is empty).</p>')
    else:
        rows = [[esc(c.date), esc(c.author), esc(c.note)] for c in model.changelog]
        out.append(_table(["Date", "Who", "What changed"], rows))
    out.append("</section>")
    return "".join(out)
