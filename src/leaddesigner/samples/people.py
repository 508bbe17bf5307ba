"""Stages 1-5 of the sample generator: when leads arrive, their companies, the people, hidden fit and intent, the form answers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .draws import Draw, choice_rows, cumulative, join, take, tod
from .world import (
    COMPETITORS,
    COUNTRIES,
    COUNTRY_FIT,
    COUNTRY_P,
    COUNTRY_SUFFIXES,
    COUNTRY_TLD,
    DAY,
    DESCRIPTORS,
    EVT,
    FIN,
    FIRST_NAMES,
    FREE_MAIL,
    FREE_MAIL_P,
    HEADS,
    HOUR,
    IND_EDU,
    IND_FINSERV,
    IND_FIT,
    IND_GOV,
    IND_LOGSIZE,
    IND_P,
    IND_RETAIL,
    IND_REV_PER_EMP,
    IND_SOFTWARE,
    INDUSTRIES,
    LAST_NAMES,
    LEAD_SOURCES,
    MIDS,
    OTH,
    OTHP,
    PA,
    PERS_FIT,
    PP,
    QUALIFIERS,
    SEN_AUTH,
    SEN_FIT,
    SEN_JOBSEEK,
    SRC_INTENT,
    SRC_P,
    SRC_TIMELINE_MISSING,
    STU,
    STUDENT_TITLE_P,
    STUDENT_TITLES,
    TAILS,
    TITLES,
    UNIVERSITIES,
    WEB,
)


def creation(drawn: Draw) -> None:
    """When each lead arrives: weekday rhythm, a growing trend, a webinar week and an event (badge scans imported in batches); its source."""
    (n, n_days, report, rngs, t0, weeks) = drawn.get(
        "n", "n_days", "report", "rngs", "t0", "weeks")
    report(0.0, "Creating leads")
    rng = rngs[0]
    day = np.arange(n_days)
    wd_day = (t0 // DAY + day + 3) % 7
    week = day // 7
    webinar_week = min(weeks - 1, max(0, round(weeks * 0.2)))
    event_week = min(weeks - 1, max(0, round(weeks * 0.55)))
    if event_week == webinar_week and weeks > 1:
        event_week = min(weeks - 1, webinar_week + 1)
    day_w = np.array([1.0, 1.1, 1.1, 1.0, 0.8, 0.22, 0.2])[wd_day] * (1.0 + 0.35 * day / n_days)
    day_w = day_w * np.where(week == webinar_week, 1.8, 1.0)
    event_days = (week == event_week) & ((wd_day == 2) | (wd_day == 3))
    if weeks > 1:  # a single-week period has no room for campaign spikes
        day_w = day_w * np.where(event_days, 3.0, 1.0)
    created_day = rng.choice(n_days, size=n, p=day_w / day_w.sum())
    created = t0 + created_day * DAY + tod(rng, n)

    source = rng.choice(len(LEAD_SOURCES), size=n, p=SRC_P)
    if weeks > 1:
        in_web = (created_day // 7 == webinar_week) & (rng.random(n) < 0.55)
        source[in_web] = WEB
        in_evt = event_days[created_day] & (rng.random(n) < 0.72)
        source[in_evt] = EVT
        # badge-scan lists are imported in a few batches
        batch = 9 * HOUR + rng.integers(0, 5, n) * 1800 + rng.integers(0, 40, n)
        created = np.where(in_evt, t0 + created_day * DAY + batch, created)
    drawn.keep(created=created, rng=rng, source=source, webinar_week=webinar_week)



def companies(drawn: Draw) -> None:
    """The companies leads work for: industry, country, size, revenue, a unique name and web domain; plus universities and competitors."""
    (n, report, rngs) = drawn.get(
        "n", "report", "rngs")
    report(0.05, "Creating companies")
    rng = rngs[1]
    n_comp = max(20, round(n * 0.45))
    c_ind = rng.choice(len(INDUSTRIES), size=n_comp, p=IND_P)
    c_cty = rng.choice(len(COUNTRIES), size=n_comp, p=COUNTRY_P / COUNTRY_P.sum())
    c_size = np.exp(rng.normal(np.log(110) + IND_LOGSIZE[c_ind], 1.8))
    c_size = np.clip(np.rint(c_size), 1, 50_000).astype(np.int64)
    c_size = np.where(c_ind == IND_GOV, np.maximum(c_size, 25), c_size)  # no two-person town halls
    rev_pe = np.exp(rng.normal(np.log(IND_REV_PER_EMP[c_ind]), 0.55))
    c_rev = np.maximum(np.round(c_size * rev_pe, -3), 10_000.0)
    c_style = (rng.random(n_comp) < 0.15).astype(np.int8)  # 0 first.last, 1 flast

    # names: unique (stem, descriptor, qualifier) per industry; descriptors differ across industries
    per_q = len(HEADS) * len(MIDS) * len(TAILS) * 8
    rank_in_ind = np.zeros(n_comp, dtype=np.int64)
    for j in range(len(INDUSTRIES)):  # loop over industries, not companies
        m = c_ind == j
        rank_in_ind[m] = np.arange(int(m.sum()))
    qual = np.minimum(rank_in_ind // per_q, len(QUALIFIERS) - 1)
    k = (rank_in_ind % per_q) * 7_919 % per_q  # 7919 is prime and coprime to per_q: a permutation
    desc = k % 8
    k //= 8
    tail = k % len(TAILS)
    k //= len(TAILS)
    mid = k % len(MIDS)
    head = k // len(MIDS)
    stem = join(take(HEADS, head), take(MIDS, mid), take(TAILS, tail))
    descriptors = [d for ds in DESCRIPTORS for d in ds]
    desc_flat = c_ind * 8 + desc
    desc_arr = take(descriptors, desc_flat)
    qual_arr = take(QUALIFIERS, qual)
    suffix_tbl = [s for ss in COUNTRY_SUFFIXES for s in ss]
    suffix_idx = c_cty * 4 + rng.integers(0, 4, n_comp)
    suffix_arr = pc.if_else(pa.array(c_ind == IND_GOV), "", take(suffix_tbl, suffix_idx))
    c_name = join(stem, " ", desc_arr, qual_arr, suffix_arr)
    slug = pc.utf8_lower(pc.replace_substring(join(stem, desc_arr, qual_arr), " ", ""))
    tld_idx = np.where((c_ind == IND_SOFTWARE) & (rng.random(n_comp) < 0.2), len(COUNTRY_TLD), c_cty)
    tld_idx = np.where((c_ind == IND_GOV) & (c_cty == 0), len(COUNTRY_TLD) + 1, tld_idx)
    c_domain = join(slug, take((*COUNTRY_TLD, ".io", ".gov"), tld_idx))

    # append universities and competitors as extra "companies"
    n_u, n_k = len(UNIVERSITIES), len(COMPETITORS)
    all_name = pa.concat_arrays(
        [c_name, pa.array([u[0] for u in UNIVERSITIES]), pa.array([c[0] for c in COMPETITORS])]
    )
    all_domain = pa.concat_arrays(
        [c_domain, pa.array([u[1] for u in UNIVERSITIES]), pa.array([c[1] for c in COMPETITORS])]
    )
    all_ind = np.concatenate([c_ind, np.full(n_u, IND_EDU), np.full(n_k, IND_SOFTWARE)])
    all_cty = np.concatenate([c_cty, np.zeros(n_u, dtype=np.int64), [c[3] for c in COMPETITORS]])
    all_size = np.concatenate([c_size, [u[2] for u in UNIVERSITIES], [c[2] for c in COMPETITORS]])
    all_rev = np.concatenate(
        [c_rev, [u[2] * 90_000.0 for u in UNIVERSITIES], [c[2] * 240_000.0 for c in COMPETITORS]]
    )
    all_style = np.concatenate([c_style, np.zeros(n_u + n_k, dtype=np.int8)])
    drawn.keep(all_cty=all_cty, all_domain=all_domain, all_ind=all_ind, all_name=all_name, all_rev=all_rev,
        all_size=all_size, all_style=all_style, c_domain=c_domain, c_size=c_size, desc_arr=desc_arr,
        n_comp=n_comp, n_k=n_k, n_u=n_u, qual_arr=qual_arr, rng=rng, slug=slug, stem=stem, suffix_arr=suffix_arr)



def people(drawn: Draw) -> None:
    """Each lead: its company (students at universities, competitors), job title, seniority, department, persona and e-mail address."""
    (all_cty, all_domain, all_ind, all_size, all_style, c_domain, c_size, desc_arr, n, n_comp, n_k, n_u,
     qual_arr, report, rngs, slug, stem, suffix_arr) = drawn.get(
        "all_cty", "all_domain", "all_ind", "all_size", "all_style", "c_domain", "c_size", "desc_arr", "n",
        "n_comp", "n_k", "n_u", "qual_arr", "report", "rngs", "slug", "stem", "suffix_arr")
    drawn.drop("all_domain", "c_domain", "desc_arr", "qual_arr", "slug", "stem", "suffix_arr")
    report(0.12, "Creating people")
    rng = rngs[2]
    u = rng.random(n)
    student = u < 0.025
    competitor = (u >= 0.025) & (u < 0.045)
    company = rng.choice(n_comp, size=n, p=(w := c_size**0.3) / w.sum())
    company = np.where(student, n_comp + rng.integers(0, n_u, n), company)
    company = np.where(competitor, n_comp + n_u + rng.choice(n_k, size=n, p=[0.45, 0.35, 0.2]), company)
    size_true = all_size[company]
    industry = all_ind[company]
    country = all_cty[company]

    t_sen = np.array([t[1] for t in TITLES])
    t_dep = np.array([t[2] for t in TITLES])
    t_per = np.array([t[3] for t in TITLES])
    t_w = np.array([t[4] for t in TITLES])
    t_small = t_w * np.array([t[5] for t in TITLES])
    title_norm = rng.choice(len(TITLES), size=n, p=t_w / t_w.sum())
    title_small = rng.choice(len(TITLES), size=n, p=t_small / t_small.sum())
    title = np.where(size_true < 20, title_small, title_norm)
    title = np.where(student, len(TITLES) + rng.choice(len(STUDENT_TITLES), size=n, p=STUDENT_TITLE_P), title)
    title_names = [t[0] for t in TITLES] + list(STUDENT_TITLES)
    seniority = np.where(student, STU, t_sen[np.minimum(title, len(TITLES) - 1)])
    department = np.where(student, OTH, t_dep[np.minimum(title, len(TITLES) - 1)])
    persona = np.where(student, OTHP, t_per[np.minimum(title, len(TITLES) - 1)])

    free_mail = (~competitor) & np.where(student, rng.random(n) < 0.25, rng.random(n) < 0.118)
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    first_l = take([s.lower() for s in FIRST_NAMES], first)
    last_l = take([s.lower() for s in LAST_NAMES], last)
    flast = pa.array((all_style[company] == 1) & ~free_mail)
    local = pc.if_else(flast, join(pc.utf8_slice_codeunits(first_l, 0, 1), last_l), join(first_l, ".", last_l))
    digits = pc.cast(pa.array(rng.integers(1, 99, n)), pa.string())
    with_digits = pa.array(free_mail & (rng.random(n) < 0.5))
    local = pc.if_else(with_digits, join(local, digits), local)
    free_dom = take(FREE_MAIL, rng.choice(len(FREE_MAIL), size=n, p=FREE_MAIL_P))
    domain = pc.if_else(pa.array(free_mail), free_dom, all_domain.take(pa.array(company)))
    email = join(local, "@", domain)
    del first_l, last_l, flast, local, digits, with_digits, free_dom, domain
    del stem, desc_arr, qual_arr, suffix_arr, slug, c_domain, all_domain
    pa.default_memory_pool().release_unused()  # give Arrow's string temporaries back
    drawn.keep(company=company, competitor=competitor, country=country, department=department, email=email,
        free_mail=free_mail, industry=industry, persona=persona, rng=rng, seniority=seniority,
        size_true=size_true, student=student, title=title, title_names=title_names)



def latent_state(drawn: Draw) -> None:
    """The hidden variables: fit to the ideal customer profile, buying intent, job seekers, and which product the lead really wants."""
    (competitor, country, department, free_mail, industry, n, persona, report, rngs, seniority, size_true,
     source, student) = drawn.get(
        "competitor", "country", "department", "free_mail", "industry", "n", "persona", "report", "rngs",
        "seniority", "size_true", "source", "student")
    report(0.18, "Drawing hidden fit and intent")
    rng = rngs[3]
    job_seeker = (~competitor) & (
        rng.random(n) < np.clip(SEN_JOBSEEK[seniority] * np.where(free_mail, 2.5, 1.0), 0, 0.8)
    )
    size_fit = np.select(
        [size_true < 10, size_true < 50, size_true <= 5000, size_true <= 20000],
        [-0.6, 0.1, 0.7, 0.2],
        -0.2,
    )
    fit = (
        size_fit
        + IND_FIT[industry]
        + SEN_FIT[seniority]
        + PERS_FIT[persona]
        + COUNTRY_FIT[country]
        - 0.9 * free_mail
        - 1.5 * student
        - 5.0 * competitor
        - 0.5 * job_seeker
        + rng.normal(0, 0.35, n)
    )
    fit_c = fit - (np.median(fit) if n else 0.0)
    intent = (
        rng.normal(0, 1.0, n)
        + SRC_INTENT[source]
        + 0.2 * np.clip(fit_c, -2, 2)
        - 1.8 * job_seeker
        - 0.6 * student
    )
    # competitors research the category keenly but never buy
    intent = np.where(competitor, rng.normal(0.3, 0.8, n), intent)

    # true product interest, by industry / department
    p_int = np.tile([0.55, 0.30, 0.15], (n, 1))
    pay_heavy = (industry == IND_FINSERV) | (industry == IND_RETAIL) | (department == FIN)
    p_int[pay_heavy] = [0.28, 0.55, 0.17]
    interest = choice_rows(rng, cumulative(p_int), np.arange(n)).astype(np.int64)
    wants_a = interest != PP
    wants_p = interest != PA
    drawn.keep(fit_c=fit_c, intent=intent, interest=interest, job_seeker=job_seeker, rng=rng, wants_a=wants_a,
        wants_p=wants_p)



def observed_attributes(drawn: Draw) -> None:
    """What the CRM shows: company size and revenue (some missing), form answers that follow intent with noise, third-party intent."""
    (all_rev, company, fit_c, free_mail, intent, interest, n, rng, seniority, size_true, source, student) = drawn.get(
        "all_rev", "company", "fit_c", "free_mail", "intent", "interest", "n", "rng", "seniority", "size_true",
        "source", "student")
    company_size = pd.array(size_true, dtype="Int64")
    company_size[rng.random(n) < 0.03] = pd.NA
    revenue = all_rev[company].astype(np.float64)
    revenue[rng.random(n) < 0.10] = np.nan

    tl_missing = rng.random(n) < np.where(student, 0.5, SRC_TIMELINE_MISSING[source])
    z = intent + rng.normal(0, 0.9, n)
    # digitize gives 0 (low intent) .. 4 (high); FORM_TIMELINES runs from "Now" to "Just researching"
    timeline = np.array([4, 3, 2, 1, 0])[np.digitize(z, [-1.0, -0.3, 0.5, 1.4])]
    timeline = np.where(student, 4, timeline)
    timeline = np.where(tl_missing, -1, timeline)
    zb = 0.6 * intent + 0.5 * SEN_AUTH[seniority] + 0.3 * fit_c + rng.normal(0, 0.9, n)
    budget = np.array([2, 1, 0])[np.digitize(zb, [-0.2, 1.3])]
    budget = np.where(rng.random(n) < 0.45, -1, budget)
    noisy = rng.random(n) < 0.1
    reported = np.where(noisy, rng.integers(0, 3, n), interest)
    reported = np.where(rng.random(n) < 0.32, -1, reported)

    avail = (~free_mail) & (~student) & (rng.random(n) < 0.40 + 0.08 * np.log10(size_true))
    acct = 0.6 * intent + 0.8 * rng.normal(0, 1, n)
    score = np.clip(np.rint(45 + 12 * acct + rng.normal(0, 12, n)), 0, 100).astype(np.int64)
    intent_score = pd.array(score, dtype="Int64")
    intent_score[~avail] = pd.NA
    drawn.keep(avail=avail, budget=budget, company_size=company_size, intent_score=intent_score, reported=reported,
        revenue=revenue, score=score, timeline=timeline)
