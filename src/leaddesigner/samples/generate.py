"""Deterministic, seeded, vectorised generator of realistic B2B leads.

The generator produces two frames that look like a CRM / marketing-automation
export:

* ``leads`` -- one row per lead: firmographics, person, form answers,
  third-party intent and the outcome (``converted``, ``converted_at``,
  ``first_sales_contact_at``);
* ``activities`` -- one row per behavioural event (page views, e-mail opens
  and clicks, downloads, webinars, trials, demo requests, intent surges, ...),
  sorted by timestamp.

Behind the data sit two hidden variables per lead:

* **fit** -- how well the lead matches the ideal customer profile: company size
  50..5,000 is best, Software / Financial Services beat Government / Education,
  VP / Director / C-level beat individual contributors, buyers beat
  influencers beat users beat others, and students, free-mail addresses and
  competitors are much worse;
* **buying intent** -- drives *which* events a lead produces (pricing and
  product pages, demo requests, contact-sales, trial activity, webinar
  attendance) and how many.  Job seekers (a small latent group) browse the
  careers pages instead and hardly ever buy; competitors browse pricing and
  product pages a lot and never buy.

``converted`` is drawn from a logistic model of fit, intent and the realised
high-intent events, so a sensible points model (fit + behaviour) separates
converters with an AUC of roughly 0.8, not 0.99.  Converters' activity
intensifies in the days before ``converted_at``.

Everything is vectorised with numpy / pyarrow (loops only over event *types*
or page categories, never over leads or events), so a million leads with
twelve events each take seconds.  The output is a pure function of the
arguments: the same seed gives the same frames, byte for byte.

The generator runs in stages that share what they drew (:class:`~.draws.Draw`):
the leads and their companies (:mod:`.people`), then each lead's activity and
outcome (:mod:`.activity`), over the tables of :mod:`.world`; this module
holds :func:`generate`, the frames it returns and the writers.

This package is pure (numpy, pandas, pyarrow) and must never import Qt.
"""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from .activity import activities, demo_and_contact_us, e_mail, outcomes, trials, webinars
from .draws import Draw, cat, ids, str_series, ts_series
from .people import companies, creation, latent_state, observed_attributes, people
from .world import (
    ACTIVITY_COLUMNS,
    ACTIVITY_TYPES,
    COUNTRIES,
    DAY,
    DEPARTMENTS,
    FORM_BUDGETS,
    FORM_TIMELINES,
    INDUSTRIES,
    LEAD_COLUMNS,
    LEAD_SOURCES,
    PERSONAS,
    PRODUCTS,
    SENIORITIES,
)

__all__ = [
    "ACTIVITY_COLUMNS",
    "ACTIVITY_TYPES",
    "LEAD_COLUMNS",
    "ProgressFn",
    "generate",
    "main",
    "write_frames",
    "write_sample",
]

ProgressFn = Callable[[float, str], None]


def generate(
    n_leads: int,
    *,
    seed: int = 7,
    start: str = "2026-03-02",
    weeks: int = 26,
    events_per_lead: float = 12.0,
    progress: ProgressFn | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate synthetic B2B leads, their activity log and outcomes.

    Parameters
    ----------
    n_leads : int
        Number of leads (rows of ``leads``).  ``0`` gives empty frames with the
        full schema.
    seed : int, default 7
        Seed of the random generator.  The same arguments always give the same
        frames.
    start : str, default "2026-03-02"
        First day of the period (ISO date, UTC, naive timestamps).
    weeks : int, default 26
        Length of the period.  Leads are created within it and no event,
        conversion or sales contact happens at or after ``start + weeks``.
    events_per_lead : float, default 12.0
        Target mean number of activity rows per lead.  Only the high-volume
        types (page views, downloads, e-mail, intent surges) scale with it;
        high-intent events (demo requests, trials, webinars, contact-us) keep
        their rates so the conversion signal does not depend on it.
    progress : callable, optional
        ``progress(fraction, message)`` called as the work advances, with
        ``fraction`` in ``[0, 1]``.

    Returns
    -------
    leads : pandas.DataFrame
        One row per lead, columns :data:`LEAD_COLUMNS` in that order.
        ``lead_id``, ``email``, ``company`` are ``str``; ``created_at``,
        ``converted_at``, ``first_sales_contact_at`` are ``datetime64[ns]``
        (``NaT`` when absent); ``company_size`` and ``intent_score`` are
        nullable ``Int64``; ``annual_revenue`` is ``float64`` (``NaN`` when
        missing); ``converted`` is ``int8`` 0/1; the other columns are
        ``category`` (missing form answers are ``NaN``).
    activities : pandas.DataFrame
        Columns :data:`ACTIVITY_COLUMNS`: ``lead_id`` (``category`` whose
        categories are all lead ids), ``timestamp`` (``datetime64[ns]``),
        ``type`` (``category`` of :data:`ACTIVITY_TYPES`) and ``url``
        (``category``: the detail -- URL path, asset, webinar, e-mail
        campaign, intent topic, product or contact topic).  Sorted by
        timestamp.

    Raises
    ------
    ValueError
        If ``n_leads`` is negative, ``weeks`` < 1 or ``events_per_lead`` < 0.
    """
    if n_leads < 0:
        raise ValueError(f"n_leads must be >= 0, got {n_leads}")
    if weeks < 1:
        raise ValueError(f"weeks must be >= 1, got {weeks}")
    if events_per_lead < 0:
        raise ValueError(f"events_per_lead must be >= 0, got {events_per_lead}")

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress(float(fraction), message)

    n = int(n_leads)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    t0 = int(pd.Timestamp(start).normalize().value // 1_000_000_000)  # midnight of the first day, epoch seconds
    n_days = weeks * 7
    end = t0 + n_days * DAY

    drawn = Draw(n=n, rngs=rngs, t0=t0, n_days=n_days, end=end, weeks=weeks, events_per_lead=events_per_lead, report=report)
    for stage in (creation, companies, people, latent_state, observed_attributes,  # the leads (people.py)
                  activities, e_mail, webinars, trials, demo_and_contact_us, outcomes):  # their story (activity.py)
        stage(drawn)
    return frames(drawn)


def frames(drawn: Draw) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two frames returned by :func:`generate`: leads in :data:`LEAD_COLUMNS` order, activities sorted by time."""
    (all_name, budget, company, company_size, contact, contacted, conv_t, converted, country, created,
     department, email, ev, industry, intent_score, n, persona, report, reported, revenue, seniority, source, t0,
     timeline, title, title_names, vocab) = drawn.get(
        "all_name", "budget", "company", "company_size", "contact", "contacted", "conv_t", "converted", "country",
        "created", "department", "email", "ev", "industry", "intent_score", "n", "persona", "report", "reported",
        "revenue", "seniority", "source", "t0", "timeline", "title", "title_names", "vocab")
    report(0.92, "Building tables")
    lead_ids = ids("L", n)
    leads = pd.DataFrame(
        {
            "lead_id": str_series(lead_ids),
            "created_at": ts_series(created),
            "email": str_series(email),
            "company": str_series(all_name.take(pa.array(company))),
            "company_size": company_size,
            "annual_revenue": revenue,
            "industry": cat(industry, INDUSTRIES),
            "country": cat(country, COUNTRIES),
            "job_title": cat(title, title_names),
            "seniority": cat(seniority, SENIORITIES),
            "department": cat(department, DEPARTMENTS),
            "persona": cat(persona, PERSONAS),
            "lead_source": cat(source, LEAD_SOURCES),
            "form_timeline": cat(timeline, FORM_TIMELINES),
            "form_budget": cat(budget, FORM_BUDGETS),
            "form_product_interest": cat(reported, PRODUCTS),
            "intent_score": intent_score,
            "converted": converted.astype(np.int8),
            "converted_at": ts_series(conv_t, converted),
            "first_sales_contact_at": ts_series(np.where(contacted, contact, 0), contacted),
        },
        columns=list(LEAD_COLUMNS),
    )

    report(0.95, "Sorting activities")
    a_lead, a_ts, a_type, a_url = ev.take_sorted(t0)
    id_dtype = pd.CategoricalDtype(pd.Index(pd.array(lead_ids, dtype="str")))
    activities = pd.DataFrame(
        {
            "lead_id": pd.Categorical.from_codes(a_lead, dtype=id_dtype, validate=False),
            "timestamp": pd.Series(a_ts, copy=False),
            "type": pd.Categorical.from_codes(a_type, dtype=pd.CategoricalDtype(list(ACTIVITY_TYPES)), validate=False),
            "url": pd.Categorical.from_codes(a_url, dtype=pd.CategoricalDtype(vocab.items), validate=False),
        },
        columns=list(ACTIVITY_COLUMNS),
    )
    del a_lead, a_ts, a_type, a_url
    report(1.0, f"Generated {n:,} leads and {len(activities):,} activities")
    return leads, activities


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

Format = Literal["csv", "parquet"]


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write via a temporary file in the same directory, then ``os.replace``.

    The temporary file is created by ``write`` itself, so it gets the usual
    permissions (umask) rather than ``mkstemp``'s private 0600.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_frame(df: pd.DataFrame, path: Path, fmt: Format) -> None:
    if fmt == "parquet":
        # a categorical with a huge category list (the log's lead ids) is written as text: Arrow would store the
        # whole list with every row group (~90 of them at 12M events), and a reader decodes it each time, so
        # reading grows with rows x row groups (4M leads: 56 s for the log); as text, Parquet keeps a dictionary
        # of the values each row group holds
        wide = [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype) and len(df[c].cat.categories) > 100_000]
        if wide:
            df = df.assign(**{c: df[c].astype("str") for c in wide})
        table = pa.Table.from_pandas(df, preserve_index=False)

        def write(tmp: Path) -> None:
            import pyarrow.parquet as pq

            pq.write_table(table, tmp, compression="zstd")

    else:
        def write(tmp: Path) -> None:
            df.to_csv(
                tmp,
                index=False,
                date_format="%Y-%m-%d %H:%M:%S",
                float_format="%.15g",
                lineterminator="\n",
                encoding="utf-8",
            )

    _atomic_write(path, write)


def write_frames(
    leads: pd.DataFrame, activities: pd.DataFrame, out_dir: str | os.PathLike[str], fmt: Format = "csv"
) -> tuple[Path, Path]:
    """Write ``leads.<fmt>`` and ``activities.<fmt>`` into ``out_dir`` atomically.

    Parameters
    ----------
    leads, activities : pandas.DataFrame
        Frames as returned by :func:`generate`.
    out_dir : str or os.PathLike
        Target directory, created if missing.
    fmt : {"csv", "parquet"}, default "csv"
        CSV is plain text (no index, ISO ``YYYY-MM-DD HH:MM:SS`` timestamps,
        empty cells for missing values); Parquet keeps dtypes (zstd).

    Returns
    -------
    tuple of pathlib.Path
        Paths of the leads file and the activities file.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    leads_path, act_path = out / f"leads.{fmt}", out / f"activities.{fmt}"
    _write_frame(leads, leads_path, fmt)
    _write_frame(activities, act_path, fmt)
    return leads_path, act_path


def write_sample(
    out_dir: str | os.PathLike[str],
    n_leads: int = 4000,
    seed: int = 7,
    fmt: Format = "csv",
    *,
    start: str = "2026-03-02",
    weeks: int = 26,
    events_per_lead: float = 12.0,
    progress: ProgressFn | None = None,
) -> tuple[Path, Path]:
    """Generate a data set and write it as ``leads.<fmt>`` and ``activities.<fmt>``.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Target directory, created if missing.  Each file is written to a
        temporary file in the same directory and moved into place with
        ``os.replace``, so readers never see a half-written file.
    n_leads, seed, start, weeks, events_per_lead, progress
        Passed to :func:`generate`.
    fmt : {"csv", "parquet"}, default "csv"
        Output format.

    Returns
    -------
    tuple of pathlib.Path
        Paths of the leads file and the activities file.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    sub = None
    if progress is not None:
        outer = progress

        def sub(f: float, m: str) -> None:
            outer(0.8 * f, m)

    leads, activities = generate(
        n_leads, seed=seed, start=start, weeks=weeks, events_per_lead=events_per_lead, progress=sub
    )
    if progress is not None:
        progress(0.8, "Writing files")
    paths = write_frames(leads, activities, out_dir, fmt)
    if progress is not None:
        progress(1.0, f"Wrote {paths[0].name} and {paths[1].name}")
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m leaddesigner.samples.generate OUT_DIR [--leads N] ...``."""
    ap = argparse.ArgumentParser(prog="python -m leaddesigner.samples.generate", description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--leads", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--start", default="2026-03-02")
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--events-per-lead", type=float, default=12.0)
    ap.add_argument("--format", choices=("csv", "parquet"), default="csv")
    a = ap.parse_args(argv)
    paths = write_sample(
        a.out_dir, a.leads, a.seed, a.format, start=a.start, weeks=a.weeks, events_per_lead=a.events_per_lead
    )
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
