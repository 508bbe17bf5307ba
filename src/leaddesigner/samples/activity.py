"""Stages 6-11 of the sample generator: web sessions, e-mail, webinars, trials, hand-raisers and intent, then outcomes."""
from __future__ import annotations

import numpy as np

from .draws import (
    Draw,
    Events,
    Vocab,
    calibrate_intercept,
    choice_rows,
    cumulative,
    first_time,
    later,
    sigmoid,
    tod,
)
from .world import (
    ASSETS_ANALYTICS,
    ASSETS_GENERAL,
    ASSETS_PAYMENTS,
    BUY,
    CONTACT_TOPICS,
    CS,
    DAY,
    EMAIL_KINDS,
    ENG,
    EVT,
    HOUR,
    IND_SOFTWARE,
    INF,
    INTENT_TOPICS_ANALYTICS,
    INTENT_TOPICS_PAYMENTS,
    IT,
    MGR,
    MKT,
    ORG,
    OTHP,
    PAGE_ANALYTICS,
    PAGE_BLOG,
    PAGE_CAREERS,
    PAGE_CUSTOMERS,
    PAGE_DOCS_ANALYTICS,
    PAGE_DOCS_GENERAL,
    PAGE_DOCS_PAYMENTS,
    PAGE_HOME,
    PAGE_INTEGRATIONS,
    PAGE_MISC,
    PAGE_PAYMENTS,
    PAGE_PRICING,
    PAGE_SECURITY,
    PAID,
    PART,
    PB,
    PG_ANALYTICS,
    PG_BLOG,
    PG_CAREERS,
    PG_CUSTOMERS,
    PG_DOCS,
    PG_HOME,
    PG_INTEGRATIONS,
    PG_MISC,
    PG_PAYMENTS,
    PG_PRICING,
    PG_SECURITY,
    PP,
    REF,
    SAL,
    USR,
    WEB,
    WEBINAR_TOPICS,
    T,
)


def activities(drawn: Draw) -> None:
    """Web sessions: the creation event, then page views and downloads per session, pages chosen by persona, interest and intent."""
    (competitor, created, department, end, events_per_lead, intent, interest, job_seeker, n, persona, report,
     rng, rngs, seniority, size_true, source, wants_a, wants_p) = drawn.get(
        "competitor", "created", "department", "end", "events_per_lead", "intent", "interest", "job_seeker", "n",
        "persona", "report", "rng", "rngs", "seniority", "size_true", "source", "wants_a", "wants_p")
    report(0.25, "Generating web sessions")
    vocab = Vocab()
    ev = Events(created, end)
    all_idx = np.arange(n, dtype=np.int32)

    act = rng.gamma(0.55, 1 / 0.55, n) * np.exp(0.4 * intent) * np.where(competitor, 2.2, 1.0)
    act *= np.where(job_seeker, 1.3, 1.0)
    act /= max(act.mean(), 1e-12) if n else 1.0
    tau = 14.0 * np.exp(-0.2 * intent)  # days; keen leads come back sooner
    rem = np.maximum((end - created) / DAY, 0.0)
    # share of a lead's later activity that falls inside the period
    surv = 0.45 + 0.55 * (0.2 + 0.8 * (1 - np.exp(-rem / tau)))
    structural = 1.8  # creation event, webinars, trials, demos, bursts: roughly per lead
    volume = max(events_per_lead - structural, 0.12 * events_per_lead)
    vol_scale = volume / (12.0 - structural)  # 1 at the default
    volume /= 0.943  # sessions and sends that fall after the period are lost
    vol = volume * act / max(surv.mean(), 1e-9) if n else act

    # creation event at created_at
    rng = rngs[4]
    c_land = vocab.add(["/", "/pricing", "/products/analytics", "/products/payments", "/blog/what-is-lead-scoring",
                        "/blog/icp-template", "/customers", "/partners"])  # fmt: skip
    land = np.select(
        [source == ORG, source == PAID, source == REF, source == PART],
        [
            np.where(rng.random(n) < 0.5, 4 + rng.integers(0, 2, n), 0),
            np.where(rng.random(n) < 0.25, 1, np.where(wants_a, 2, 3)),
            np.where(rng.random(n) < 0.4, 6, 0),
            np.where(rng.random(n) < 0.5, 7, 0),
        ],
        0,
    )
    web_src = source != EVT
    web_src &= source != CS
    web_src &= source != WEB
    ev.add(all_idx[web_src], created[web_src], T["page_view"], c_land[land[web_src]])
    c_assets_g = vocab.add(ASSETS_GENERAL)
    c_assets_a = vocab.add(ASSETS_ANALYTICS)
    c_assets_p = vocab.add(ASSETS_PAYMENTS)
    cs = np.flatnonzero(source == CS)
    ev.add(cs, created[cs], T["content_download"], c_assets_g[rng.integers(0, len(c_assets_g), cs.size)])

    # web sessions: page views and downloads (a Poisson total split per event = two Poisson counts)
    rng = rngs[5]
    lam_pv = vol * 0.60
    lam_dl = vol * 0.045 * np.exp(0.2 * intent)
    w_cnt = rng.poisson(lam_pv + lam_dl)
    p_pv = (lam_pv / np.maximum(lam_pv + lam_dl, 1e-12)).astype(np.float32)
    n_sess = np.where(w_cnt > 0, np.minimum(w_cnt, 1 + rng.poisson(0.3 * w_cnt)), 0)
    s_start = np.cumsum(n_sess) - n_sess
    s_lead = np.repeat(all_idx, n_sess)
    s_first = np.zeros(s_lead.size, dtype=bool)
    s_first[s_start[n_sess > 0]] = True
    s_first &= source[s_lead] != EVT
    s_time = later(rng, created[s_lead], tau[s_lead], end)
    s_time[s_first] = created[s_lead[s_first]] + rng.integers(20, 600, int(s_first.sum()))
    del s_lead, s_first
    e_lead = np.repeat(all_idx, w_cnt)
    e_sess = (rng.random(e_lead.size, dtype=np.float32) * n_sess[e_lead]).astype(np.int64)
    e_sess += s_start[e_lead]
    e_ts = s_time[e_sess]
    del e_sess, s_time
    e_ts += (rng.standard_exponential(e_lead.size, dtype=np.float32) * 240.0).astype(np.int64)
    is_pv = rng.random(e_lead.size, dtype=np.float32) < p_pv[e_lead]

    report(0.40, "Choosing pages")
    user_like = (persona == USR) | (persona == OTHP)
    tech = (department == IT) | (department == ENG)
    pg_w = np.empty((n, 11), dtype=np.float32)
    pg_w[:, PG_HOME] = 1.0
    pg_w[:, PG_BLOG] = 2.0 * np.where(user_like, 1.3, 1.0)
    pg_w[:, PG_DOCS] = 0.45 * np.where(persona == USR, 3.0, 1.0) * np.where(tech, 2.0, 1.0)
    pg_w[:, PG_PRICING] = 0.28 * np.exp(0.7 * intent) * np.where(competitor, 5.0, 1.0)
    pg_w[:, PG_ANALYTICS] = np.where(wants_a, 0.55, 0.05) * np.exp(0.3 * intent) * np.where(competitor, 2.0, 1.0)
    pg_w[:, PG_PAYMENTS] = np.where(wants_p, 0.55, 0.05) * np.exp(0.3 * intent) * np.where(competitor, 2.0, 1.0)
    pg_w[:, PG_CUSTOMERS] = 0.2 * np.exp(0.4 * intent) * np.where(persona == BUY, 1.5, 1.0)
    pg_w[:, PG_SECURITY] = (
        0.07 * np.exp(0.5 * intent) * np.where(tech, 2.5, 1.0) * np.where(size_true > 1000, 1.5, 1.0)
    )
    pg_w[:, PG_INTEGRATIONS] = 0.13 * np.exp(0.4 * intent) * np.where(
        ((department == MKT) | (department == SAL)) & (seniority >= MGR), 2.0, 1.0
    )
    pg_w[:, PG_CAREERS] = 0.015 + 3.0 * job_seeker
    pg_w[:, PG_MISC] = 0.25
    pg_cum = cumulative(pg_w)
    del pg_w
    pv_lead = e_lead[is_pv]
    pv_cat = choice_rows(rng, pg_cum, pv_lead)
    del pg_cum

    groups: list[tuple[int, np.ndarray]] = [
        (PG_HOME, vocab.add(PAGE_HOME)),
        (PG_BLOG, vocab.add(PAGE_BLOG)),
        (PG_PRICING, vocab.add(PAGE_PRICING)),
        (PG_ANALYTICS, vocab.add(PAGE_ANALYTICS)),
        (PG_PAYMENTS, vocab.add(PAGE_PAYMENTS)),
        (PG_CUSTOMERS, vocab.add(PAGE_CUSTOMERS)),
        (PG_SECURITY, vocab.add(PAGE_SECURITY)),
        (PG_INTEGRATIONS, vocab.add(PAGE_INTEGRATIONS)),
        (PG_CAREERS, vocab.add(PAGE_CAREERS)),
        (PG_MISC, vocab.add(PAGE_MISC)),
    ]
    lut_n = np.ones(11, dtype=np.float32)
    lut_off = np.zeros(11, dtype=np.int32)
    flat: list[np.ndarray] = []
    pos = 0
    for g, codes in groups:
        lut_n[g], lut_off[g] = codes.size, pos
        flat.append(codes)
        pos += codes.size
    flat_codes = np.concatenate(flat)
    pick = (rng.random(pv_lead.size, dtype=np.float32) * lut_n[pv_cat]).astype(np.int32)
    pick = np.minimum(pick + lut_off[pv_cat], flat_codes.size - 1)
    pv_url = flat_codes[pick]
    del pick
    docs = np.flatnonzero(pv_cat == PG_DOCS)
    del pv_cat
    d_lead = pv_lead[docs]
    c_docs_g = vocab.add(PAGE_DOCS_GENERAL)
    c_docs_a = vocab.add(PAGE_DOCS_ANALYTICS)
    c_docs_p = vocab.add(PAGE_DOCS_PAYMENTS)
    r = rng.random(d_lead.size)
    use_a = np.where(interest[d_lead] == PB, rng.random(d_lead.size) < 0.5, wants_a[d_lead])
    pv_url[docs] = np.where(
        r < 0.4,
        c_docs_g[(r / 0.4 * len(c_docs_g)).astype(np.int64) % len(c_docs_g)],
        np.where(use_a, c_docs_a[rng.integers(0, 3, d_lead.size)], c_docs_p[rng.integers(0, 3, d_lead.size)]),
    )
    ev.add(pv_lead, e_ts[is_pv], T["page_view"], pv_url)
    del pv_lead, pv_url, docs, d_lead

    is_pv = np.flatnonzero(~is_pv)  # now: the downloads
    dl_lead = e_lead[is_pv]
    r = rng.random(dl_lead.size)
    use_a = np.where(interest[dl_lead] == PB, rng.random(dl_lead.size) < 0.5, wants_a[dl_lead])
    dl_url = np.where(
        r < 0.5,
        c_assets_g[rng.integers(0, len(c_assets_g), dl_lead.size)],
        np.where(use_a, c_assets_a[rng.integers(0, 3, dl_lead.size)], c_assets_p[rng.integers(0, 3, dl_lead.size)]),
    )
    ev.add(dl_lead, e_ts[is_pv], T["content_download"], dl_url)
    del e_lead, e_ts, is_pv, dl_lead, dl_url
    drawn.keep(act=act, all_idx=all_idx, ev=ev, rng=rng, tau=tau, tech=tech, vocab=vocab, vol=vol, vol_scale=vol_scale)



def e_mail(drawn: Draw) -> None:
    """Marketing e-mail: sends, opens, clicks and unsubscribes, more engagement from keener leads."""
    (all_idx, created, ev, intent, n, n_days, persona, report, rngs, t0, vocab, vol) = drawn.get(
        "all_idx", "created", "ev", "intent", "n", "n_days", "persona", "report", "rngs", "t0", "vocab", "vol")
    report(0.55, "Generating e-mail")
    rng = rngs[6]
    send_days = np.flatnonzero(np.isin((t0 // DAY + np.arange(n_days) + 3) % 7, [1, 3]))  # Tue, Thu
    send_t = t0 + send_days * DAY + 15 * HOUR
    send_names = [
        f"{EMAIL_KINDS[i % len(EMAIL_KINDS)]} {np.datetime_as_string(np.datetime64(int(t), 's'), unit='D')}"
        for i, t in enumerate(send_t)
    ]
    c_send = vocab.add(send_names)
    n_send = send_t.size
    j0 = np.searchsorted(send_t, created, side="right")
    avail_sends = n_send - j0
    # each send after creation may be opened: expected opens grow with the sends a lead receives
    per_send = vol * 0.22 * np.exp(0.15 * intent) / max(avail_sends.mean(), 1.0) if n else vol
    n_open = np.where(avail_sends > 0, rng.poisson(per_send * avail_sends), 0)
    unsub = (rng.random(n) < sigmoid(-3.3 - 0.6 * intent + 0.5 * (persona == OTHP))) & (n_send - j0 > 0)
    uj = j0 + (rng.random(n) * np.maximum(n_send - j0, 1)).astype(np.int64)
    uj = np.minimum(uj, max(n_send - 1, 0))
    unsub_t = np.where(unsub, (send_t[uj] if n_send else 0) + rng.integers(60, 3 * HOUR, n), np.iinfo(np.int64).max)
    o_lead = np.repeat(all_idx, n_open)
    avail_o = n_send - j0[o_lead]
    oj = j0[o_lead] + (rng.random(o_lead.size) ** 1.25 * avail_o).astype(np.int64)
    oj = np.minimum(oj, max(n_send - 1, 0))
    open_delay = np.exp(rng.normal(np.log(3 * HOUR), 1.2, o_lead.size)).astype(np.int64)
    o_ts = (send_t[oj] if n_send else np.zeros(0, np.int64)) + open_delay
    keep = o_ts < unsub_t[o_lead]
    o_lead, o_ts, oj = o_lead[keep], o_ts[keep], oj[keep]
    ev.add(o_lead, o_ts, T["email_open"], c_send[oj] if n_send else np.zeros(0, np.int16))
    click = rng.random(o_lead.size) < sigmoid(-2.0 + 0.55 * intent[o_lead])
    k_ts = o_ts[click] + rng.integers(10, 900, int(click.sum()))
    k_lead = o_lead[click]
    keep = k_ts < unsub_t[k_lead]
    ev.add(k_lead[keep], k_ts[keep], T["email_click"], c_send[oj[click][keep]] if n_send else np.zeros(0, np.int16))
    u_lead = np.flatnonzero(unsub)
    ev.add(u_lead, unsub_t[u_lead], T["unsubscribe"], c_send[uj[u_lead]] if n_send else np.zeros(0, np.int16))
    del o_lead, o_ts, oj, click, k_ts, k_lead
    drawn.keep(c_send=c_send, n_send=n_send, rng=rng, send_t=send_t, unsub_t=unsub_t)



def webinars(drawn: Draw) -> None:
    """Webinars every other Wednesday: registrations and attendance, more of both from keen leads."""
    (act, all_idx, created, ev, intent, n_days, report, rngs, source, t0, vocab, webinar_week, weeks) = drawn.get(
        "act", "all_idx", "created", "ev", "intent", "n_days", "report", "rngs", "source", "t0", "vocab",
        "webinar_week", "weeks")
    report(0.65, "Generating webinars and trials")
    rng = rngs[7]
    web_days = [w * 7 + 2 for w in range(1, weeks, 2)]  # every other Wednesday
    web_days += [webinar_week * 7 + 3] if weeks > 1 else []  # the flagship, on Thursday
    web_days = sorted(set(d for d in web_days if d < n_days))
    web_t = t0 + np.asarray(web_days, dtype=np.int64) * DAY + 16 * HOUR
    web_names = []
    ti = 0
    for d in web_days:
        date = np.datetime_as_string(np.datetime64(t0 + d * DAY, "s"), unit="D")
        if weeks > 1 and d == webinar_week * 7 + 3:
            web_names.append(f"Flagship: State of B2B Revenue ({date})")
        else:
            web_names.append(f"{WEBINAR_TOPICS[ti % len(WEBINAR_TOPICS)]} ({date})")
            ti += 1
    c_web = vocab.add(web_names)
    n_web = web_t.size
    if n_web:
        w0 = np.searchsorted(web_t, created, side="right")
        n_reg = np.minimum(rng.poisson(0.14 * np.sqrt(act) * np.exp(0.35 * intent)), 3)
        r_lead = np.repeat(all_idx, n_reg)
        rj = w0[r_lead] + np.floor(rng.exponential(1.2, r_lead.size)).astype(np.int64)
        lead_time = web_t[np.minimum(rj, n_web - 1)] - created[r_lead]
        r_ts = created[r_lead] + (rng.random(r_lead.size) * lead_time).astype(np.int64)
        # webinar-sourced leads registered at creation for the next webinar
        ws = np.flatnonzero(source == WEB)
        r_lead = np.concatenate([ws, r_lead])
        rj = np.concatenate([w0[ws], rj])
        r_ts = np.concatenate([created[ws], r_ts])
        ok = rj < n_web
        r_lead, rj, r_ts = r_lead[ok], rj[ok], r_ts[ok]
        _, first_occ = np.unique(r_lead.astype(np.int64) * n_web + rj, return_index=True)
        first_occ.sort()
        r_lead, rj, r_ts = r_lead[first_occ], rj[first_occ], r_ts[first_occ]
        ev.add(r_lead, r_ts, T["webinar_registered"], c_web[rj])
        att = rng.random(r_lead.size) < sigmoid(-0.3 + 0.7 * intent[r_lead])
        a_ts = web_t[rj[att]] + rng.integers(0, 900, int(att.sum()))
        ev.add(r_lead[att], a_ts, T["webinar_attended"], c_web[rj[att]])
    drawn.keep(rng=rng)



def trials(drawn: Draw) -> None:
    """Free trials: who starts one, for which product, and the product usage that follows."""
    (competitor, created, end, ev, industry, intent, interest, n, persona, rng, student, tau, tech, vocab,
     wants_a) = drawn.get(
        "competitor", "created", "end", "ev", "industry", "intent", "interest", "n", "persona", "rng", "student",
        "tau", "tech", "vocab", "wants_a")
    c_prod = vocab.add(["Analytics", "Payments"])
    p_trial = sigmoid(
        -3.3 + 0.9 * intent + 0.5 * ((persona == USR) | (persona == INF)) + 0.3 * (industry == IND_SOFTWARE)
        + 0.4 * tech
    )
    p_trial = np.where(competitor, 0.15, np.where(student, 0.04, p_trial))
    trial = rng.random(n) < p_trial
    tr_lead = np.flatnonzero(trial)
    same_day = rng.random(tr_lead.size) < 0.3
    tr_ts = np.where(
        same_day,
        created[tr_lead] + rng.integers(60, 2 * HOUR, tr_lead.size),
        later(rng, created[tr_lead], tau[tr_lead] * 0.8, end, tail=0.1),
    )
    tr_prod = np.where(interest[tr_lead] == PB, rng.integers(0, 2, tr_lead.size), np.where(wants_a[tr_lead], 0, 1))
    both = (interest[tr_lead] == PB) & (rng.random(tr_lead.size) < 0.3)
    t_lead = np.concatenate([tr_lead, tr_lead[both]])
    t_ts = np.concatenate([tr_ts, tr_ts[both] + rng.integers(300, DAY, int(both.sum()))])
    t_prod = np.concatenate([tr_prod, 1 - tr_prod[both]])
    ev.add(t_lead, t_ts, T["trial_signup"], c_prod[t_prod])
    # active days: 14 daily slots per trial, fading
    p_day = sigmoid(-0.6 + 1.0 * intent[t_lead] + 0.3 * (persona[t_lead] == USR))
    p_day = np.where(competitor[t_lead], 0.5, p_day)
    slots = np.arange(1, 15)
    on = rng.random((t_lead.size, 14)) < p_day[:, None] * 0.9 ** slots[None, :]
    on &= ~(competitor[t_lead][:, None] & (slots[None, :] > 3))
    ti_row, ti_slot = np.nonzero(on)
    a_ts = (t_ts[ti_row] // DAY + slots[ti_slot]) * DAY + tod(rng, ti_row.size)
    ev.add(t_lead[ti_row], a_ts, T["trial_active_day"], c_prod[t_prod[ti_row]])
    drawn.keep(c_prod=c_prod, trial=trial)



def demo_and_contact_us(drawn: Draw) -> None:
    """Hand-raisers: demo requests, contact-us forms and third-party intent surges."""
    (all_idx, avail, c_prod, competitor, created, end, ev, fit_c, intent, interest, job_seeker, n, n_days,
     persona, report, rngs, score, student, t0, tau, vocab, vol_scale, wants_a) = drawn.get(
        "all_idx", "avail", "c_prod", "competitor", "created", "end", "ev", "fit_c", "intent", "interest",
        "job_seeker", "n", "n_days", "persona", "report", "rngs", "score", "student", "t0", "tau", "vocab",
        "vol_scale", "wants_a")
    report(0.72, "Generating hand-raisers and intent")
    rng = rngs[8]
    p_demo = sigmoid(-4.0 + 1.2 * intent + 0.5 * (persona == BUY) + 0.3 * np.clip(fit_c, -2, 2))
    p_demo = np.where(competitor, 0.02, np.where(student | job_seeker, 0.004, p_demo))
    demo = rng.random(n) < p_demo
    dm_lead = np.flatnonzero(demo)
    dm_ts = np.where(
        rng.random(dm_lead.size) < 0.25,
        created[dm_lead] + rng.integers(120, HOUR, dm_lead.size),
        later(rng, created[dm_lead], tau[dm_lead] * 0.7, end, tail=0.15),
    )
    dm_prod = np.where(interest[dm_lead] == PB, rng.integers(0, 2, dm_lead.size), np.where(wants_a[dm_lead], 0, 1))
    ev.add(dm_lead, dm_ts, T["demo_request"], c_prod[dm_prod])

    c_topic = vocab.add(CONTACT_TOPICS)
    sales_q = rng.random(n) < np.where(competitor | student | job_seeker, 0.003, sigmoid(-4.3 + 0.9 * intent))
    careers_q = job_seeker & (rng.random(n) < 0.06)
    other_q = rng.random(n) < 0.012
    topic = np.where(sales_q, 0, np.where(careers_q, 3, rng.choice([1, 1, 1, 2, 4], size=n)))
    cu = sales_q | careers_q | other_q
    cu_lead = np.flatnonzero(cu)
    cu_ts = later(rng, created[cu_lead], tau[cu_lead] * 0.7, end, tail=0.15)
    ev.add(cu_lead, cu_ts, T["contact_us"], c_topic[topic[cu_lead]])

    # third-party intent surges: weekly data drop, Mondays 06:00
    c_top_a = vocab.add(INTENT_TOPICS_ANALYTICS)
    c_top_p = vocab.add(INTENT_TOPICS_PAYMENTS)
    mondays = t0 + np.flatnonzero((t0 // DAY + np.arange(n_days) + 3) % 7 == 0) * DAY + 6 * HOUR
    if mondays.size:
        m0 = np.searchsorted(mondays, created, side="right")
        weeks_left = mondays.size - m0
        lam = np.where(avail, 0.04 * weeks_left * np.exp((score - 50) / 18.0), 0.0) * vol_scale
        n_sg = rng.poisson(lam)
        g_lead = np.repeat(all_idx, n_sg)
        gj = m0[g_lead] + (rng.random(g_lead.size) * weeks_left[g_lead]).astype(np.int64)
        gj = np.minimum(gj, mondays.size - 1)
        use_a = np.where(interest[g_lead] == PB, rng.random(g_lead.size) < 0.5, wants_a[g_lead])
        g_url = np.where(use_a, c_top_a[rng.integers(0, 3, g_lead.size)], c_top_p[rng.integers(0, 3, g_lead.size)])
        ev.add(g_lead, mondays[gj], T["intent_surge"], g_url)
    drawn.keep(c_topic=c_topic)



def outcomes(drawn: Draw) -> None:
    """Conversions from fit, intent and the realised high-intent events; a burst of activity before converting; sales contacts."""
    (all_idx, c_prod, c_send, c_topic, competitor, created, end, ev, fit_c, intent, interest, n, n_send, report,
     rngs, send_t, source, trial, unsub_t, vocab, wants_a, wants_p) = drawn.get(
        "all_idx", "c_prod", "c_send", "c_topic", "competitor", "created", "end", "ev", "fit_c", "intent",
        "interest", "n", "n_send", "report", "rngs", "send_t", "source", "trial", "unsub_t", "vocab", "wants_a",
        "wants_p")
    report(0.78, "Drawing conversions")
    rng = rngs[9]
    c_pricing = vocab.add(PAGE_PRICING)[0]
    pricing_n = ev.count(n, T["page_view"], [c_pricing])
    careers_n = ev.count(n, T["page_view"], vocab.add(PAGE_CAREERS))
    attended_n = ev.count(n, T["webinar_attended"])
    trial_days_n = ev.count(n, T["trial_active_day"])
    demo_lead, demo_ts = ev.select(T["demo_request"])
    sales_lead, sales_ts = ev.select(T["contact_us"], [c_topic[0]])
    demo_seen = np.bincount(demo_lead, minlength=n) > 0
    sales_seen = np.bincount(sales_lead, minlength=n) > 0
    logit = (
        0.95 * np.clip(fit_c, -4, 3)
        + 0.85 * intent
        + 0.7 * demo_seen
        + 0.5 * sales_seen
        + 0.06 * np.minimum(trial_days_n, 14)
        + 0.25 * np.minimum(attended_n, 2)
        + 0.2 * np.log1p(pricing_n)
        - 0.7 * (careers_n > 0)
    )
    logit = logit + rng.normal(0, 0.8, n)
    logit = logit + (calibrate_intercept(logit, 0.10) if n else 0.0)
    logit = np.where(competitor, -12.0, logit)
    would = rng.random(n) < sigmoid(logit)
    delay = np.maximum(np.exp(rng.normal(np.log(24.0) - 0.25 * intent, 0.65, n)), 2.5) * DAY
    conv_t = created + delay.astype(np.int64)
    t_demo = first_time(n, demo_lead, demo_ts)
    conv_t = np.where(demo_seen, np.maximum(conv_t, np.where(demo_seen, t_demo, 0) + DAY), conv_t)  # sales follow-up
    converted = would & (conv_t < end)

    # activity intensifies before converting (also for those converting after the period)
    report(0.84, "Adding pre-conversion bursts")
    b_n = np.where(would, 1 + rng.poisson(1.0, n), 0)
    b_lead = np.repeat(all_idx, b_n)
    lo = np.maximum(created[b_lead], conv_t[b_lead] - 10 * DAY)
    b_ts = lo + (rng.random(b_lead.size) ** 0.6 * (conv_t[b_lead] - lo)).astype(np.int64)
    kind = rng.choice(7, size=b_lead.size, p=[0.34, 0.22, 0.1, 0.05, 0.05, 0.12, 0.12])
    b_first = (np.arange(b_lead.size) - (np.cumsum(b_n) - b_n)[b_lead]) == 0
    kind = np.where(b_first & (kind > 4), kind - 5, kind)  # each burst starts with a page view
    c_an, c_pay, c_cust, c_sec, c_int = (vocab.add(p)[0] for p in (PAGE_ANALYTICS, PAGE_PAYMENTS, PAGE_CUSTOMERS,
                                                                   PAGE_SECURITY, PAGE_INTEGRATIONS[:1]))  # fmt: skip
    prod_page = np.where(wants_a[b_lead] & (~wants_p[b_lead] | (rng.random(b_lead.size) < 0.5)), c_an, c_pay)
    page_url = np.select([kind == 0, kind == 1, kind == 2, kind == 3], [c_pricing, prod_page, c_cust, c_sec], c_int)
    pv = kind <= 4
    ev.add(b_lead[pv], b_ts[pv], T["page_view"], page_url[pv])
    mail = kind == 5
    if n_send:
        bj = np.maximum(np.searchsorted(send_t, b_ts[mail], side="right") - 1, 0)
        ok = (send_t[bj] < b_ts[mail]) & (b_ts[mail] < unsub_t[b_lead[mail]])
        ev.add(b_lead[mail][ok], b_ts[mail][ok], T["email_click"], c_send[bj[ok]])
    tr = (kind == 6) & trial[b_lead]
    tprod = np.where(interest[b_lead[tr]] == PP, 1, 0)
    ev.add(b_lead[tr], b_ts[tr], T["trial_active_day"], c_prod[tprod])
    trp = (kind == 6) & ~trial[b_lead]
    ev.add(b_lead[trp], b_ts[trp], T["page_view"], np.full(int(trp.sum()), c_pricing, dtype=np.int16))
    del b_lead, b_ts, kind, lo, page_url

    # first sales contact
    report(0.88, "Drawing sales contacts")
    rng = rngs[10]
    big = np.iinfo(np.int64).max
    t_hand = np.minimum(t_demo, first_time(n, sales_lead, sales_ts))
    has_hand = t_hand < big
    c1 = np.where(
        has_hand & (rng.random(n) < 0.93),
        np.where(has_hand, t_hand, 0) + np.exp(rng.normal(np.log(5 * HOUR), 0.9, n)).astype(np.int64),
        big,
    )
    c2 = np.where((source == EVT) & (rng.random(n) < 0.45), created + rng.integers(HOUR, 4 * DAY, n), big)
    sdr = rng.random(n) < sigmoid(-3.2 + 0.9 * np.clip(fit_c, -3, 3) + 0.6 * intent)
    c3 = np.where(sdr, created + 2 * HOUR + rng.exponential(5 * DAY, n).astype(np.int64), big)
    contact = np.minimum(np.minimum(c1, c2), c3)
    pre = created + (rng.uniform(0.05, 0.8, n) * (conv_t - created)).astype(np.int64)
    contact = np.where(converted & (contact >= conv_t), pre, contact)
    contacted = contact < end
    drawn.keep(contact=contact, contacted=contacted, conv_t=conv_t, converted=converted)
