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

This module is part of the pure core and must never import Qt.
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
import pyarrow.compute as pc

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

DAY = 86_400
HOUR = 3_600

# --------------------------------------------------------------------------
# Public schema
# --------------------------------------------------------------------------

LEAD_COLUMNS: tuple[str, ...] = (
    "lead_id",
    "created_at",
    "email",
    "company",
    "company_size",
    "annual_revenue",
    "industry",
    "country",
    "job_title",
    "seniority",
    "department",
    "persona",
    "lead_source",
    "form_timeline",
    "form_budget",
    "form_product_interest",
    "intent_score",
    "converted",
    "converted_at",
    "first_sales_contact_at",
)

ACTIVITY_COLUMNS: tuple[str, ...] = ("lead_id", "timestamp", "type", "url")

ACTIVITY_TYPES: tuple[str, ...] = (
    "page_view",
    "email_open",
    "email_click",
    "content_download",
    "webinar_registered",
    "webinar_attended",
    "trial_signup",
    "trial_active_day",
    "demo_request",
    "contact_us",
    "intent_surge",
    "unsubscribe",
)
_T = {name: i for i, name in enumerate(ACTIVITY_TYPES)}

INDUSTRIES: tuple[str, ...] = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Government",
    "Media",
    "Professional Services",
    "Other",
)
_IND_P = np.array([0.22, 0.12, 0.10, 0.11, 0.09, 0.06, 0.05, 0.06, 0.11, 0.08])
_IND_FIT = np.array([0.55, 0.45, 0.0, -0.1, 0.0, -0.45, -0.55, -0.05, 0.1, -0.3])
_IND_LOGSIZE = np.array([0.0, 0.3, 0.3, 0.3, 0.2, 0.6, 0.9, -0.2, -0.4, -0.2])
_IND_REV_PER_EMP = np.array([260e3, 420e3, 170e3, 230e3, 150e3, 70e3, 90e3, 200e3, 160e3, 150e3])
_IND_SOFTWARE, _IND_FINSERV, _IND_RETAIL, _IND_EDU, _IND_GOV = 0, 1, 4, 5, 6

COUNTRIES: tuple[str, ...] = (
    "US", "GB", "DE", "FR", "CA", "AU", "NL", "IN", "BR", "SG",
    "ES", "SE", "IE", "IT", "JP", "MX", "CH", "ZA",
)  # fmt: skip
_COUNTRY_P = np.array(
    [0.44, 0.09, 0.06, 0.04, 0.05, 0.04, 0.025, 0.07, 0.035, 0.02,
     0.02, 0.015, 0.015, 0.015, 0.015, 0.01, 0.01, 0.01]
)  # fmt: skip
_COUNTRY_FIT = np.array(
    [0.15, 0.1, 0.1, 0.0, 0.1, 0.1, 0.1, -0.35, -0.25, 0.05,
     -0.1, 0.05, 0.05, -0.1, -0.2, -0.25, 0.05, -0.2]
)  # fmt: skip
_COUNTRY_TLD = (
    ".com", ".co.uk", ".de", ".fr", ".ca", ".com.au", ".nl", ".in", ".com.br", ".sg",
    ".es", ".se", ".ie", ".it", ".jp", ".mx", ".ch", ".co.za",
)  # fmt: skip
_COUNTRY_SUFFIXES = (
    (" Inc", " LLC", " Corp", ""),
    (" Ltd", " Ltd", " plc", ""),
    (" GmbH", " GmbH", " AG", " SE"),
    (" SAS", " SA", " SAS", ""),
    (" Inc", " Ltd", " Inc", ""),
    (" Pty Ltd", " Pty Ltd", " Ltd", ""),
    (" B.V.", " B.V.", " N.V.", ""),
    (" Pvt Ltd", " Pvt Ltd", " Ltd", ""),
    (" Ltda", " Ltda", " S.A.", ""),
    (" Pte Ltd", " Pte Ltd", "", ""),
    (" S.L.", " S.A.", "", ""),
    (" AB", " AB", "", ""),
    (" Ltd", " DAC", "", ""),
    (" S.r.l.", " S.p.A.", "", ""),
    (" K.K.", " Co., Ltd.", "", ""),
    (" S.A. de C.V.", "", "", ""),
    (" AG", " GmbH", " SA", ""),
    (" (Pty) Ltd", " Ltd", "", ""),
)

SENIORITIES: tuple[str, ...] = ("C-level", "VP", "Director", "Manager", "Individual Contributor", "Student")
_C, _VP, _DIR, _MGR, _IC, _STU = range(6)
_SEN_FIT = np.array([0.45, 0.6, 0.5, 0.15, -0.35, -1.2])
_SEN_JOBSEEK = np.array([0.004, 0.006, 0.015, 0.035, 0.075, 0.35])
_SEN_AUTH = np.array([1.0, 1.0, 0.7, 0.2, -0.4, -1.0])

DEPARTMENTS: tuple[str, ...] = ("Marketing", "Sales", "Finance", "IT", "Engineering", "Operations", "HR", "Other")
_MKT, _SAL, _FIN, _IT, _ENG, _OPS, _HR, _OTH = range(8)

PERSONAS: tuple[str, ...] = ("buyer", "influencer", "user", "other")
_BUY, _INF, _USR, _OTHP = range(4)
_PERS_FIT = np.array([0.6, 0.2, -0.2, -0.8])

LEAD_SOURCES: tuple[str, ...] = (
    "Organic Search",
    "Paid Search",
    "Webinar",
    "Referral",
    "Event",
    "Content Syndication",
    "Partner",
    "Direct",
)
_ORG, _PAID, _WEB, _REF, _EVT, _CS, _PART, _DIR_SRC = range(8)
_SRC_P = np.array([0.27, 0.16, 0.06, 0.06, 0.04, 0.16, 0.06, 0.19])
_SRC_INTENT = np.array([0.0, 0.05, 0.1, 0.45, -0.25, -0.45, 0.3, 0.2])
_SRC_TIMELINE_MISSING = np.array([0.38, 0.38, 0.45, 0.30, 0.55, 0.55, 0.32, 0.30])

FORM_TIMELINES: tuple[str, ...] = ("Now", "1-3 months", "3-6 months", "6-12 months", "Just researching")
FORM_BUDGETS: tuple[str, ...] = ("Approved", "Planned", "No budget")
PRODUCTS: tuple[str, ...] = ("Analytics", "Payments", "Both")
_PA, _PP, _PB = range(3)

# (title, seniority, department, persona, weight, weight_multiplier_for_small_companies)
_TITLES: tuple[tuple[str, int, int, int, float, float], ...] = (
    ("Chief Marketing Officer", _C, _MKT, _BUY, 0.8, 1.0),
    ("CMO", _C, _MKT, _BUY, 0.7, 1.0),
    ("VP of Marketing", _VP, _MKT, _BUY, 2.0, 0.7),
    ("VP Marketing", _VP, _MKT, _BUY, 1.0, 0.7),
    ("vp marketing", _VP, _MKT, _BUY, 0.2, 0.7),
    ("Vice President, Demand Generation", _VP, _MKT, _BUY, 0.7, 0.3),
    ("Head of Marketing", _DIR, _MKT, _BUY, 1.6, 1.5),
    ("Head of Demand Generation", _DIR, _MKT, _BUY, 1.4, 0.7),
    ("Head of Growth", _DIR, _MKT, _BUY, 1.1, 1.5),
    ("Director of Marketing", _DIR, _MKT, _BUY, 2.0, 0.8),
    ("Director, Marketing Operations", _DIR, _MKT, _BUY, 1.1, 0.3),
    ("Sr. Director, Revenue Marketing", _DIR, _MKT, _BUY, 0.4, 0.2),
    ("Marketing Manager", _MGR, _MKT, _INF, 4.0, 1.2),
    ("Marketing Ops Manager", _MGR, _MKT, _INF, 2.0, 0.6),
    ("Demand Generation Manager", _MGR, _MKT, _INF, 2.0, 0.6),
    ("Sr. Marketing Manager", _MGR, _MKT, _INF, 1.4, 0.6),
    ("Product Marketing Manager", _MGR, _MKT, _INF, 1.4, 0.6),
    ("marketing mgr", _MGR, _MKT, _INF, 0.2, 1.0),
    ("Marketing Specialist", _IC, _MKT, _USR, 3.0, 1.0),
    ("Marketing Coordinator", _IC, _MKT, _USR, 2.4, 1.0),
    ("Content Marketing Specialist", _IC, _MKT, _USR, 1.4, 1.0),
    ("Marketing Analyst", _IC, _MKT, _USR, 1.4, 0.8),
    ("Marketing Intern", _IC, _MKT, _OTHP, 0.7, 1.0),
    ("Chief Revenue Officer", _C, _SAL, _BUY, 0.7, 0.8),
    ("VP of Sales", _VP, _SAL, _BUY, 1.5, 0.8),
    ("Head of Sales", _DIR, _SAL, _BUY, 1.0, 1.2),
    ("Director of Sales Operations", _DIR, _SAL, _BUY, 0.8, 0.3),
    ("Head of Revenue Operations", _DIR, _SAL, _BUY, 1.0, 0.5),
    ("Sales Manager", _MGR, _SAL, _INF, 2.4, 1.0),
    ("RevOps Manager", _MGR, _SAL, _INF, 1.2, 0.6),
    ("Sales Operations Analyst", _IC, _SAL, _USR, 1.2, 0.6),
    ("Account Executive", _IC, _SAL, _USR, 2.4, 1.0),
    ("Sales Development Representative", _IC, _SAL, _USR, 2.0, 0.8),
    ("SDR", _IC, _SAL, _USR, 0.7, 0.8),
    ("CFO", _C, _FIN, _BUY, 0.8, 1.0),
    ("VP of Finance", _VP, _FIN, _BUY, 0.8, 0.5),
    ("Finance Director", _DIR, _FIN, _BUY, 0.8, 0.7),
    ("Head of Payments", _DIR, _FIN, _BUY, 0.5, 0.5),
    ("Controller", _MGR, _FIN, _INF, 0.8, 1.0),
    ("Accountant", _IC, _FIN, _USR, 1.0, 1.2),
    ("Financial Analyst", _IC, _FIN, _USR, 1.0, 0.8),
    ("CTO", _C, _ENG, _INF, 0.8, 2.5),
    ("CIO", _C, _IT, _INF, 0.4, 0.3),
    ("VP of Engineering", _VP, _ENG, _INF, 0.6, 0.5),
    ("IT Director", _DIR, _IT, _INF, 0.8, 0.5),
    ("IT Manager", _MGR, _IT, _INF, 1.2, 0.8),
    ("Engineering Manager", _MGR, _ENG, _INF, 1.0, 0.7),
    ("Software Engineer", _IC, _ENG, _USR, 2.6, 1.2),
    ("Sr Software Engineer", _IC, _ENG, _USR, 0.9, 1.0),
    ("Data Engineer", _IC, _ENG, _USR, 1.0, 0.8),
    ("Data Analyst", _IC, _IT, _USR, 1.5, 0.8),
    ("Solutions Architect", _IC, _IT, _USR, 0.6, 0.5),
    ("CEO", _C, _OTH, _BUY, 1.0, 6.0),
    ("Founder & CEO", _C, _OTH, _BUY, 0.5, 12.0),
    ("Co-Founder", _C, _OTH, _BUY, 0.4, 10.0),
    ("Owner", _C, _OTH, _BUY, 0.4, 10.0),
    ("COO", _C, _OPS, _BUY, 0.5, 2.0),
    ("Director of Operations", _DIR, _OPS, _INF, 0.6, 0.8),
    ("Operations Manager", _MGR, _OPS, _INF, 1.2, 1.0),
    ("Project Manager", _MGR, _OPS, _USR, 1.0, 0.8),
    ("Business Analyst", _IC, _OPS, _USR, 1.2, 0.6),
    ("Office Manager", _MGR, _OPS, _OTHP, 0.5, 2.0),
    ("Recruiter", _IC, _HR, _OTHP, 1.2, 0.8),
    ("Talent Acquisition Manager", _MGR, _HR, _OTHP, 0.6, 0.5),
    ("HR Manager", _MGR, _HR, _OTHP, 0.8, 1.0),
    ("HR Director", _DIR, _HR, _OTHP, 0.3, 0.5),
    ("Consultant", _IC, _OTH, _OTHP, 1.5, 2.0),
    ("Freelancer", _IC, _OTH, _OTHP, 0.4, 4.0),
    ("Teacher", _IC, _OTH, _OTHP, 0.3, 0.5),
    ("Journalist", _IC, _OTH, _OTHP, 0.2, 0.5),
)
_STUDENT_TITLES: tuple[str, ...] = (
    "Student",
    "MBA Student",
    "Graduate Student",
    "PhD Candidate",
    "Undergraduate Student",
)
_STUDENT_TITLE_P = np.array([0.5, 0.12, 0.14, 0.08, 0.16])

_FIRST_NAMES = (
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony Sandra Mark Ashley Steven "
    "Emily Paul Michelle Andrew Amanda Joshua Melissa Kevin Laura Brian Rebecca George Rachel Oliver Amelia "
    "Harry Isla Jack Olivia Noah Emma Liam Sophie Lukas Anna Leon Hannah Felix Lea Hugo Chloe Louis Camille "
    "Lucas Julia Sven Ingrid Lars Freya Daan Sanne Priya Arjun Rahul Ananya Vikram Deepa Wei Mei Hiroshi "
    "Yuki Carlos Ana Diego Sofia Mateo Valentina Pedro Beatriz Omar Fatima Aisha Ethan Chen Ravi Nina Marco"
).split()
_LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Wilson Anderson "
    "Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
    "Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker "
    "Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard "
    "Ward Cox Richardson Wood Watson Brooks Bennett Gray Hughes Price Sanders Patel Shah Sharma Singh Kumar "
    "Gupta Iyer Nair Mueller Schmidt Schneider Fischer Weber Wagner Becker Hoffmann Dubois Moreau Laurent "
    "Bernard Petit Lefebvre Jansen Visser Bakker Smit Andersson Johansson Nilsson Larsen Silva Santos Costa "
    "Oliveira Pereira Ferreira Tanaka Suzuki Sato Watanabe Wang Li Zhang Liu Chen Tan Lim Ng Rossi Russo "
    "Ferrari Fernandez Gonzalez Romero Navarro Murray Byrne Walsh Ryan OBrien Kowalski Novak"
).split()

_FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com")
_FREE_MAIL_P = np.array([0.56, 0.15, 0.17, 0.12])

# (name, domain, employees)
_UNIVERSITIES: tuple[tuple[str, str, int], ...] = (
    ("Northfield University", "northfield.edu", 21_000),
    ("Lakeshore State University", "lakeshore.edu", 34_000),
    ("Westbrook College", "westbrook.edu", 3_800),
    ("Pine Valley University", "pinevalley.edu", 12_500),
    ("Eastgate Institute of Technology", "eastgate.edu", 9_200),
    ("Harbor City University", "harborcity.edu", 26_000),
    ("St. Aldric College", "staldric.edu", 2_400),
    ("Redwood State University", "redwoodstate.edu", 30_500),
    ("Summit Business School", "summitbs.edu", 1_900),
    ("Greenhill University", "greenhill.edu", 15_800),
)
# (name, domain, employees, country code index)
_COMPETITORS: tuple[tuple[str, str, int, int], ...] = (
    ("Competitor A, Inc.", "competitor-a.com", 850, 0),
    ("Competitor B Ltd", "competitor-b.com", 2_300, 1),
    ("Competitor C", "competitor-c.io", 140, 0),
)

# Company name pieces: stem = head + mid + tail, then an industry descriptor.
_HEADS = (
    "Ac Al Ar Bel Bri Cal Car Cor Dal Del Dyn El Em Fal Fin Gal Gen Har Hel Ind Jun Kal Ken Lan Lum Mar "
    "Mer Nor Nov Oak Om Par Pin Quan Ral Red Riv Sal Sil Sol Ster Sum Tal Ter Tri Ul Val Ven Ver Wes Win Zen"
).split()
_MIDS = ("", "a", "i", "o", "an", "el", "er", "is")
_TAILS = (
    "a an bridge brook crest dale den field ford gate ix ly mark mont more net on ora point ridge stone ton "
    "tra vale view wave well wood worth yx"
).split()
_DESCRIPTORS: tuple[tuple[str, ...], ...] = (
    ("Software", "Labs", "Systems", "Technologies", "Cloud", "Data", "AI", "Digital"),
    ("Capital", "Financial", "Bank", "Insurance", "Wealth", "Credit", "Payments", "Securities"),
    ("Health", "Medical", "Care", "Pharma", "Bio", "Clinics", "Diagnostics", "Therapeutics"),
    ("Industries", "Manufacturing", "Robotics", "Components", "Materials", "Machinery", "Motors", "Steel"),
    ("Retail", "Goods", "Outfitters", "Market", "Brands", "Stores", "Home", "Apparel"),
    ("Learning", "Academy", "Education", "Institute", "Schools", "Tutoring", "EdTech", "Training"),
    ("County", "City Council", "Transit Authority", "Water District", "Port Authority", "Public Library",
     "Housing Agency", "Regional Council"),
    ("Media", "Studios", "Publishing", "News", "Entertainment", "Broadcasting", "Press", "Films"),
    ("Consulting", "Advisors", "Associates", "Partners", "Solutions", "Legal", "Accounting", "Strategy"),
    ("Group", "Holdings", "Enterprises", "Ventures", "Collective", "Works", "Trading", "Co"),
)  # fmt: skip
_QUALIFIERS = ("", " Global", " International", " North", " Digital Group", " Worldwide", " United", " Pacific")

# --------------------------------------------------------------------------
# Activity details (the ``url`` column)
# --------------------------------------------------------------------------

_PAGE_HOME = ("/",)
_PAGE_BLOG = (
    "/blog/what-is-lead-scoring",
    "/blog/icp-template",
    "/blog/mql-vs-sql",
    "/blog/buyer-vs-influencer",
    "/blog/negative-lead-scoring",
    "/blog/intent-data-guide",
    "/blog/sales-marketing-alignment",
    "/blog/b2b-attribution-models",
    "/blog/reduce-payment-failures",
    "/blog/global-checkout-guide",
    "/blog/subscription-billing-101",
    "/blog/analytics-dashboard-examples",
    "/blog/product-led-growth-scoring",
    "/blog/re-mql-playbook",
    "/blog/sdr-capacity-planning",
    "/blog/2026-benchmark-report",
)
_PAGE_DOCS_GENERAL = ("/docs/getting-started", "/docs/api/authentication", "/docs/sso-saml", "/docs/data-retention")
_PAGE_DOCS_ANALYTICS = ("/docs/analytics/dashboards", "/docs/analytics/sql-editor", "/docs/api/events")
_PAGE_DOCS_PAYMENTS = ("/docs/payments/checkout", "/docs/payments/webhooks", "/docs/payments/refunds")
_PAGE_PRICING = ("/pricing",)
_PAGE_ANALYTICS = ("/products/analytics",)
_PAGE_PAYMENTS = ("/products/payments",)
_PAGE_CUSTOMERS = ("/customers",)
_PAGE_SECURITY = ("/security",)
_PAGE_INTEGRATIONS = ("/integrations/salesforce", "/integrations/salesforce", "/integrations/hubspot")
_PAGE_CAREERS = (
    "/careers",
    "/careers",
    "/careers",
    "/careers/openings/account-executive",
    "/careers/openings/software-engineer",
    "/careers/openings/sdr",
    "/careers/openings/data-scientist",
    "/careers/openings/product-designer",
    "/careers/openings/customer-success-manager",
)
_PAGE_MISC = ("/about", "/about", "/contact", "/partners", "/events")
# page category order used by the per-lead weights below
_PG_HOME, _PG_BLOG, _PG_DOCS, _PG_PRICING, _PG_ANALYTICS, _PG_PAYMENTS = range(6)
_PG_CUSTOMERS, _PG_SECURITY, _PG_INTEGRATIONS, _PG_CAREERS, _PG_MISC = range(6, 11)

_ASSETS_GENERAL = (
    "Lead Scoring Playbook (eBook)",
    "2026 B2B Benchmark Report",
    "ICP Worksheet (Template)",
    "Sales & Marketing SLA Template",
)
_ASSETS_ANALYTICS = ("Analytics Datasheet", "Attribution Modeling Guide (eBook)", "Analytics ROI Calculator")
_ASSETS_PAYMENTS = ("Payments Buyer's Guide", "Global Checkout Whitepaper", "Payments Datasheet")
_INTENT_TOPICS_ANALYTICS = ("marketing analytics", "lead scoring software", "revenue attribution")
_INTENT_TOPICS_PAYMENTS = ("payment processing", "online checkout", "billing automation")
_CONTACT_TOPICS = ("Sales inquiry", "Support", "Partnership", "Careers question", "Press")
_WEBINAR_TOPICS = (
    "Lead Scoring 101",
    "Building an ICP Sales Trusts",
    "Global Payments for SaaS",
    "Attribution Without Tears",
    "From MQL to Revenue",
    "Checkout Conversion Clinic",
    "Intent Data in Practice",
    "Scoring Product-Led Leads",
)
_EMAIL_KINDS = (
    "Newsletter",
    "Product Update",
    "Nurture - Analytics",
    "Nurture - Payments",
    "Customer Story",
    "Webinar Invite",
)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _choice_rows(rng: np.random.Generator, cum: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one category per element of ``rows`` from per-row cumulative weights.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    cum : numpy.ndarray
        ``(n_rows, k)`` cumulative probabilities; the last column is 1.
    rows : numpy.ndarray
        Row of ``cum`` to use for each draw.

    Returns
    -------
    numpy.ndarray
        ``int8`` category per draw, in ``0..k-1``.  Loops over the ``k``
        categories only.
    """
    u = rng.random(rows.size, dtype=np.float32)
    out = np.zeros(rows.size, dtype=np.int8)
    for j in range(cum.shape[1] - 1):
        out += u >= cum[rows, j]
    return out


def _cumulative(weights: np.ndarray) -> np.ndarray:
    """Normalise ``(n, k)`` weights row-wise into float32 cumulative probabilities."""
    cum = np.cumsum(weights, axis=1, dtype=np.float32)
    cum /= cum[:, -1:]
    return cum


def _tod(rng: np.random.Generator, size: int) -> np.ndarray:
    """Seconds into the (UTC) day, mostly business hours of a global audience."""
    business = np.clip(rng.normal(14.0 * HOUR, 2.9 * HOUR, size), 5 * HOUR, 23.5 * HOUR)
    anytime = rng.uniform(0, DAY, size)
    return np.where(rng.random(size) < 0.86, business, anytime).astype(np.int64)


def _weekday(ts: np.ndarray) -> np.ndarray:
    """Monday=0 weekday of epoch seconds."""
    return (ts // DAY + 3) % 7


def _later(rng: np.random.Generator, base: np.ndarray, tau_days: np.ndarray, end: int, tail: float = 0.2) -> np.ndarray:
    """Timestamps on a later day than ``base``, decaying with mean ``tau_days``.

    A fraction ``tail`` is spread uniformly over the rest of the period
    (re-engagement).  Most weekend draws slide to the following Monday.
    """
    size = base.size
    rem_days = np.maximum((end - base) / DAY, 1.0)
    decay = rng.exponential(1.0, size) * tau_days
    spread = rng.random(size) * rem_days
    day_off = 1 + np.floor(np.where(rng.random(size) < tail, spread, decay)).astype(np.int64)
    ts = (base // DAY + day_off) * DAY + _tod(rng, size)
    wd = _weekday(ts)
    slide = (wd >= 5) & (rng.random(size) < 0.7)
    return ts + np.where(slide, (7 - wd) * DAY, 0)


def _ids(prefix: str, n: int) -> pa.Array:
    width = max(7, len(str(n)))
    nums = pc.cast(pa.array(np.arange(1, n + 1, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(nums, width, "0"), "")


def _take(values: Sequence[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    arr = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    return arr.take(pa.array(idx))


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _str_series(arr: pa.Array | pa.ChunkedArray) -> pd.Series:
    return pd.Series(pd.array(arr, dtype="str"))


def _cat(codes: np.ndarray, categories: Sequence[str]) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes), categories=list(categories))


def _ts_series(sec: np.ndarray, valid: np.ndarray | None = None) -> pd.Series:
    out = sec.astype("datetime64[s]").astype("datetime64[ns]")
    if valid is not None:
        out[~valid] = np.datetime64("NaT")
    return pd.Series(out)


class _Vocab:
    """Unique detail strings for the categorical ``url`` column."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, strings: Sequence[str]) -> np.ndarray:
        codes = []
        for s in strings:
            if s not in self._index:
                self._index[s] = len(self.items)
                self.items.append(s)
            codes.append(self._index[s])
        return np.asarray(codes, dtype=np.int16)


class _Events:
    """Accumulates event chunks (lead index, timestamp, type, detail code).

    Every chunk holds a single event type, so per-type look-ups touch only the
    chunks of that type.
    """

    def __init__(self, created: np.ndarray, end: int) -> None:
        self.created = created
        self.end = end
        self.chunks: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, lead: np.ndarray, ts: np.ndarray, etype: int, url: np.ndarray) -> None:
        """Add events, dropping those before their lead's creation or at/after the end."""
        ts = np.asarray(ts, dtype=np.int64)
        keep = (ts < self.end) & (ts >= self.created[lead])
        url = np.broadcast_to(np.asarray(url, dtype=np.int16), keep.shape)[keep]
        self.chunks.append((etype, lead[keep].astype(np.int32, copy=False), ts[keep], url))

    def select(self, etype: int, urls: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Lead indices and timestamps of the events of one type (and detail codes)."""
        leads, tss = [np.zeros(0, np.int32)], [np.zeros(0, np.int64)]
        for t, lead, ts, url in self.chunks:
            if t != etype:
                continue
            if urls is not None:
                m = np.isin(url, np.asarray(urls, dtype=np.int16))
                lead, ts = lead[m], ts[m]
            leads.append(lead)
            tss.append(ts)
        return np.concatenate(leads), np.concatenate(tss)

    def count(self, n: int, etype: int, urls: Sequence[int] | None = None) -> np.ndarray:
        """Events of one type (and detail codes) per lead."""
        return np.bincount(self.select(etype, urls)[0], minlength=n)

    def take_sorted(self, t0: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All events sorted by time (ties in insertion order); empties the buffer.

        Returns lead indices, ``datetime64[ns]`` timestamps, type codes and
        detail codes.
        """
        types = [np.full(c[1].size, c[0], np.int8) for c in self.chunks]
        leads = [c[1] for c in self.chunks]
        tss = [c[2] for c in self.chunks]
        urls = [c[3] for c in self.chunks]
        self.chunks = []
        # concatenate field by field, releasing each field's chunks right away
        etype = np.concatenate([np.zeros(0, np.int8), *types])
        del types
        url = np.concatenate([np.zeros(0, np.int16), *urls])
        del urls
        lead = np.concatenate([np.zeros(0, np.int32), *leads])
        del leads
        rel = np.concatenate([np.zeros(0, np.int64), *tss])
        del tss
        rel -= t0
        size = rel.size
        pos_bits = max(1, int(size - 1).bit_length())
        ts_bits = int(rel.max(initial=0)).bit_length()
        if pos_bits + ts_bits <= 62:
            # unique composite keys: an (unstable, fast) sort equals a stable argsort
            rel <<= pos_bits
            rel |= np.arange(size, dtype=np.int64)
            rel.sort()
            order = rel & ((1 << pos_bits) - 1)
            rel >>= pos_bits
        else:  # pragma: no cover - periods of many decades with huge data
            order = np.argsort(rel, kind="stable")
            rel = rel[order]
        rel += t0
        rel *= 1_000_000_000
        lead = lead[order]
        etype = etype[order]
        url = url[order]
        return lead, rel.view("datetime64[ns]"), etype, url


def _first_time(n: int, lead: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Earliest timestamp per lead (``int64`` max where none)."""
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, lead, ts)
    return out


def _calibrate_intercept(logit: np.ndarray, target: float) -> float:
    """Intercept ``b`` such that ``mean(sigmoid(logit + b)) == target`` (bisection)."""
    lo, hi = -20.0, 20.0
    for _ in range(50):
        mid = (lo + hi) / 2
        if _sigmoid(logit + mid).mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


# --------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------


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

    # ---------------------------------------------------------------- creation
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
    created = t0 + created_day * DAY + _tod(rng, n)

    source = rng.choice(len(LEAD_SOURCES), size=n, p=_SRC_P)
    if weeks > 1:
        in_web = (created_day // 7 == webinar_week) & (rng.random(n) < 0.55)
        source[in_web] = _WEB
        in_evt = event_days[created_day] & (rng.random(n) < 0.72)
        source[in_evt] = _EVT
        # badge-scan lists are imported in a few batches
        batch = 9 * HOUR + rng.integers(0, 5, n) * 1800 + rng.integers(0, 40, n)
        created = np.where(in_evt, t0 + created_day * DAY + batch, created)

    # -------------------------------------------------------------- companies
    report(0.05, "Creating companies")
    rng = rngs[1]
    n_comp = max(20, round(n * 0.45))
    c_ind = rng.choice(len(INDUSTRIES), size=n_comp, p=_IND_P)
    c_cty = rng.choice(len(COUNTRIES), size=n_comp, p=_COUNTRY_P / _COUNTRY_P.sum())
    c_size = np.exp(rng.normal(np.log(110) + _IND_LOGSIZE[c_ind], 1.8))
    c_size = np.clip(np.rint(c_size), 1, 50_000).astype(np.int64)
    c_size = np.where(c_ind == _IND_GOV, np.maximum(c_size, 25), c_size)  # no two-person town halls
    rev_pe = np.exp(rng.normal(np.log(_IND_REV_PER_EMP[c_ind]), 0.55))
    c_rev = np.maximum(np.round(c_size * rev_pe, -3), 10_000.0)
    c_style = (rng.random(n_comp) < 0.15).astype(np.int8)  # 0 first.last, 1 flast

    # names: unique (stem, descriptor, qualifier) per industry; descriptors differ across industries
    per_q = len(_HEADS) * len(_MIDS) * len(_TAILS) * 8
    rank_in_ind = np.zeros(n_comp, dtype=np.int64)
    for j in range(len(INDUSTRIES)):  # loop over industries, not companies
        m = c_ind == j
        rank_in_ind[m] = np.arange(int(m.sum()))
    qual = np.minimum(rank_in_ind // per_q, len(_QUALIFIERS) - 1)
    k = (rank_in_ind % per_q) * 7_919 % per_q  # 7919 is prime and coprime to per_q: a permutation
    desc = k % 8
    k //= 8
    tail = k % len(_TAILS)
    k //= len(_TAILS)
    mid = k % len(_MIDS)
    head = k // len(_MIDS)
    stem = _join(_take(_HEADS, head), _take(_MIDS, mid), _take(_TAILS, tail))
    descriptors = [d for ds in _DESCRIPTORS for d in ds]
    desc_flat = c_ind * 8 + desc
    desc_arr = _take(descriptors, desc_flat)
    qual_arr = _take(_QUALIFIERS, qual)
    suffix_tbl = [s for ss in _COUNTRY_SUFFIXES for s in ss]
    suffix_idx = c_cty * 4 + rng.integers(0, 4, n_comp)
    suffix_arr = pc.if_else(pa.array(c_ind == _IND_GOV), "", _take(suffix_tbl, suffix_idx))
    c_name = _join(stem, " ", desc_arr, qual_arr, suffix_arr)
    slug = pc.utf8_lower(pc.replace_substring(_join(stem, desc_arr, qual_arr), " ", ""))
    tld_idx = np.where((c_ind == _IND_SOFTWARE) & (rng.random(n_comp) < 0.2), len(_COUNTRY_TLD), c_cty)
    tld_idx = np.where((c_ind == _IND_GOV) & (c_cty == 0), len(_COUNTRY_TLD) + 1, tld_idx)
    c_domain = _join(slug, _take((*_COUNTRY_TLD, ".io", ".gov"), tld_idx))

    # append universities and competitors as extra "companies"
    n_u, n_k = len(_UNIVERSITIES), len(_COMPETITORS)
    all_name = pa.concat_arrays(
        [c_name, pa.array([u[0] for u in _UNIVERSITIES]), pa.array([c[0] for c in _COMPETITORS])]
    )
    all_domain = pa.concat_arrays(
        [c_domain, pa.array([u[1] for u in _UNIVERSITIES]), pa.array([c[1] for c in _COMPETITORS])]
    )
    all_ind = np.concatenate([c_ind, np.full(n_u, _IND_EDU), np.full(n_k, _IND_SOFTWARE)])
    all_cty = np.concatenate([c_cty, np.zeros(n_u, dtype=np.int64), [c[3] for c in _COMPETITORS]])
    all_size = np.concatenate([c_size, [u[2] for u in _UNIVERSITIES], [c[2] for c in _COMPETITORS]])
    all_rev = np.concatenate(
        [c_rev, [u[2] * 90_000.0 for u in _UNIVERSITIES], [c[2] * 240_000.0 for c in _COMPETITORS]]
    )
    all_style = np.concatenate([c_style, np.zeros(n_u + n_k, dtype=np.int8)])

    # ------------------------------------------------------------------ people
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

    t_sen = np.array([t[1] for t in _TITLES])
    t_dep = np.array([t[2] for t in _TITLES])
    t_per = np.array([t[3] for t in _TITLES])
    t_w = np.array([t[4] for t in _TITLES])
    t_small = t_w * np.array([t[5] for t in _TITLES])
    title_norm = rng.choice(len(_TITLES), size=n, p=t_w / t_w.sum())
    title_small = rng.choice(len(_TITLES), size=n, p=t_small / t_small.sum())
    title = np.where(size_true < 20, title_small, title_norm)
    title = np.where(student, len(_TITLES) + rng.choice(len(_STUDENT_TITLES), size=n, p=_STUDENT_TITLE_P), title)
    title_names = [t[0] for t in _TITLES] + list(_STUDENT_TITLES)
    seniority = np.where(student, _STU, t_sen[np.minimum(title, len(_TITLES) - 1)])
    department = np.where(student, _OTH, t_dep[np.minimum(title, len(_TITLES) - 1)])
    persona = np.where(student, _OTHP, t_per[np.minimum(title, len(_TITLES) - 1)])

    free_mail = (~competitor) & np.where(student, rng.random(n) < 0.25, rng.random(n) < 0.118)
    first = rng.integers(0, len(_FIRST_NAMES), n)
    last = rng.integers(0, len(_LAST_NAMES), n)
    first_l = _take([s.lower() for s in _FIRST_NAMES], first)
    last_l = _take([s.lower() for s in _LAST_NAMES], last)
    flast = pa.array((all_style[company] == 1) & ~free_mail)
    local = pc.if_else(flast, _join(pc.utf8_slice_codeunits(first_l, 0, 1), last_l), _join(first_l, ".", last_l))
    digits = pc.cast(pa.array(rng.integers(1, 99, n)), pa.string())
    with_digits = pa.array(free_mail & (rng.random(n) < 0.5))
    local = pc.if_else(with_digits, _join(local, digits), local)
    free_dom = _take(_FREE_MAIL, rng.choice(len(_FREE_MAIL), size=n, p=_FREE_MAIL_P))
    domain = pc.if_else(pa.array(free_mail), free_dom, all_domain.take(pa.array(company)))
    email = _join(local, "@", domain)
    del first_l, last_l, flast, local, digits, with_digits, free_dom, domain
    del stem, desc_arr, qual_arr, suffix_arr, slug, c_domain, all_domain
    pa.default_memory_pool().release_unused()  # give Arrow's string temporaries back

    # ------------------------------------------------------------ latent state
    report(0.18, "Drawing hidden fit and intent")
    rng = rngs[3]
    job_seeker = (~competitor) & (
        rng.random(n) < np.clip(_SEN_JOBSEEK[seniority] * np.where(free_mail, 2.5, 1.0), 0, 0.8)
    )
    size_fit = np.select(
        [size_true < 10, size_true < 50, size_true <= 5000, size_true <= 20000],
        [-0.6, 0.1, 0.7, 0.2],
        -0.2,
    )
    fit = (
        size_fit
        + _IND_FIT[industry]
        + _SEN_FIT[seniority]
        + _PERS_FIT[persona]
        + _COUNTRY_FIT[country]
        - 0.9 * free_mail
        - 1.5 * student
        - 5.0 * competitor
        - 0.5 * job_seeker
        + rng.normal(0, 0.35, n)
    )
    fit_c = fit - (np.median(fit) if n else 0.0)
    intent = (
        rng.normal(0, 1.0, n)
        + _SRC_INTENT[source]
        + 0.2 * np.clip(fit_c, -2, 2)
        - 1.8 * job_seeker
        - 0.6 * student
    )
    # competitors research the category keenly but never buy
    intent = np.where(competitor, rng.normal(0.3, 0.8, n), intent)

    # true product interest, by industry / department
    p_int = np.tile([0.55, 0.30, 0.15], (n, 1))
    pay_heavy = (industry == _IND_FINSERV) | (industry == _IND_RETAIL) | (department == _FIN)
    p_int[pay_heavy] = [0.28, 0.55, 0.17]
    interest = _choice_rows(rng, _cumulative(p_int), np.arange(n)).astype(np.int64)
    wants_a = interest != _PP
    wants_p = interest != _PA

    # ------------------------------------------------------- observed attributes
    company_size = pd.array(size_true, dtype="Int64")
    company_size[rng.random(n) < 0.03] = pd.NA
    revenue = all_rev[company].astype(np.float64)
    revenue[rng.random(n) < 0.10] = np.nan

    tl_missing = rng.random(n) < np.where(student, 0.5, _SRC_TIMELINE_MISSING[source])
    z = intent + rng.normal(0, 0.9, n)
    # digitize gives 0 (low intent) .. 4 (high); FORM_TIMELINES runs from "Now" to "Just researching"
    timeline = np.array([4, 3, 2, 1, 0])[np.digitize(z, [-1.0, -0.3, 0.5, 1.4])]
    timeline = np.where(student, 4, timeline)
    timeline = np.where(tl_missing, -1, timeline)
    zb = 0.6 * intent + 0.5 * _SEN_AUTH[seniority] + 0.3 * fit_c + rng.normal(0, 0.9, n)
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

    # --------------------------------------------------------------- activities
    report(0.25, "Generating web sessions")
    vocab = _Vocab()
    ev = _Events(created, end)
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
        [source == _ORG, source == _PAID, source == _REF, source == _PART],
        [
            np.where(rng.random(n) < 0.5, 4 + rng.integers(0, 2, n), 0),
            np.where(rng.random(n) < 0.25, 1, np.where(wants_a, 2, 3)),
            np.where(rng.random(n) < 0.4, 6, 0),
            np.where(rng.random(n) < 0.5, 7, 0),
        ],
        0,
    )
    web_src = source != _EVT
    web_src &= source != _CS
    web_src &= source != _WEB
    ev.add(all_idx[web_src], created[web_src], _T["page_view"], c_land[land[web_src]])
    c_assets_g = vocab.add(_ASSETS_GENERAL)
    c_assets_a = vocab.add(_ASSETS_ANALYTICS)
    c_assets_p = vocab.add(_ASSETS_PAYMENTS)
    cs = np.flatnonzero(source == _CS)
    ev.add(cs, created[cs], _T["content_download"], c_assets_g[rng.integers(0, len(c_assets_g), cs.size)])

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
    s_first &= source[s_lead] != _EVT
    s_time = _later(rng, created[s_lead], tau[s_lead], end)
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
    user_like = (persona == _USR) | (persona == _OTHP)
    tech = (department == _IT) | (department == _ENG)
    pg_w = np.empty((n, 11), dtype=np.float32)
    pg_w[:, _PG_HOME] = 1.0
    pg_w[:, _PG_BLOG] = 2.0 * np.where(user_like, 1.3, 1.0)
    pg_w[:, _PG_DOCS] = 0.45 * np.where(persona == _USR, 3.0, 1.0) * np.where(tech, 2.0, 1.0)
    pg_w[:, _PG_PRICING] = 0.28 * np.exp(0.7 * intent) * np.where(competitor, 5.0, 1.0)
    pg_w[:, _PG_ANALYTICS] = np.where(wants_a, 0.55, 0.05) * np.exp(0.3 * intent) * np.where(competitor, 2.0, 1.0)
    pg_w[:, _PG_PAYMENTS] = np.where(wants_p, 0.55, 0.05) * np.exp(0.3 * intent) * np.where(competitor, 2.0, 1.0)
    pg_w[:, _PG_CUSTOMERS] = 0.2 * np.exp(0.4 * intent) * np.where(persona == _BUY, 1.5, 1.0)
    pg_w[:, _PG_SECURITY] = (
        0.07 * np.exp(0.5 * intent) * np.where(tech, 2.5, 1.0) * np.where(size_true > 1000, 1.5, 1.0)
    )
    pg_w[:, _PG_INTEGRATIONS] = 0.13 * np.exp(0.4 * intent) * np.where(
        ((department == _MKT) | (department == _SAL)) & (seniority >= _MGR), 2.0, 1.0
    )
    pg_w[:, _PG_CAREERS] = 0.015 + 3.0 * job_seeker
    pg_w[:, _PG_MISC] = 0.25
    pg_cum = _cumulative(pg_w)
    del pg_w
    pv_lead = e_lead[is_pv]
    pv_cat = _choice_rows(rng, pg_cum, pv_lead)
    del pg_cum

    groups: list[tuple[int, np.ndarray]] = [
        (_PG_HOME, vocab.add(_PAGE_HOME)),
        (_PG_BLOG, vocab.add(_PAGE_BLOG)),
        (_PG_PRICING, vocab.add(_PAGE_PRICING)),
        (_PG_ANALYTICS, vocab.add(_PAGE_ANALYTICS)),
        (_PG_PAYMENTS, vocab.add(_PAGE_PAYMENTS)),
        (_PG_CUSTOMERS, vocab.add(_PAGE_CUSTOMERS)),
        (_PG_SECURITY, vocab.add(_PAGE_SECURITY)),
        (_PG_INTEGRATIONS, vocab.add(_PAGE_INTEGRATIONS)),
        (_PG_CAREERS, vocab.add(_PAGE_CAREERS)),
        (_PG_MISC, vocab.add(_PAGE_MISC)),
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
    docs = np.flatnonzero(pv_cat == _PG_DOCS)
    del pv_cat
    d_lead = pv_lead[docs]
    c_docs_g = vocab.add(_PAGE_DOCS_GENERAL)
    c_docs_a = vocab.add(_PAGE_DOCS_ANALYTICS)
    c_docs_p = vocab.add(_PAGE_DOCS_PAYMENTS)
    r = rng.random(d_lead.size)
    use_a = np.where(interest[d_lead] == _PB, rng.random(d_lead.size) < 0.5, wants_a[d_lead])
    pv_url[docs] = np.where(
        r < 0.4,
        c_docs_g[(r / 0.4 * len(c_docs_g)).astype(np.int64) % len(c_docs_g)],
        np.where(use_a, c_docs_a[rng.integers(0, 3, d_lead.size)], c_docs_p[rng.integers(0, 3, d_lead.size)]),
    )
    ev.add(pv_lead, e_ts[is_pv], _T["page_view"], pv_url)
    del pv_lead, pv_url, docs, d_lead

    is_pv = np.flatnonzero(~is_pv)  # now: the downloads
    dl_lead = e_lead[is_pv]
    r = rng.random(dl_lead.size)
    use_a = np.where(interest[dl_lead] == _PB, rng.random(dl_lead.size) < 0.5, wants_a[dl_lead])
    dl_url = np.where(
        r < 0.5,
        c_assets_g[rng.integers(0, len(c_assets_g), dl_lead.size)],
        np.where(use_a, c_assets_a[rng.integers(0, 3, dl_lead.size)], c_assets_p[rng.integers(0, 3, dl_lead.size)]),
    )
    ev.add(dl_lead, e_ts[is_pv], _T["content_download"], dl_url)
    del e_lead, e_ts, is_pv, dl_lead, dl_url

    # ------------------------------------------------------------------ e-mail
    report(0.55, "Generating e-mail")
    rng = rngs[6]
    send_days = np.flatnonzero(np.isin((t0 // DAY + np.arange(n_days) + 3) % 7, [1, 3]))  # Tue, Thu
    send_t = t0 + send_days * DAY + 15 * HOUR
    send_names = [
        f"{_EMAIL_KINDS[i % len(_EMAIL_KINDS)]} {np.datetime_as_string(np.datetime64(int(t), 's'), unit='D')}"
        for i, t in enumerate(send_t)
    ]
    c_send = vocab.add(send_names)
    n_send = send_t.size
    j0 = np.searchsorted(send_t, created, side="right")
    avail_sends = n_send - j0
    # each send after creation may be opened: expected opens grow with the sends a lead receives
    per_send = vol * 0.22 * np.exp(0.15 * intent) / max(avail_sends.mean(), 1.0) if n else vol
    n_open = np.where(avail_sends > 0, rng.poisson(per_send * avail_sends), 0)
    unsub = (rng.random(n) < _sigmoid(-3.3 - 0.6 * intent + 0.5 * (persona == _OTHP))) & (n_send - j0 > 0)
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
    ev.add(o_lead, o_ts, _T["email_open"], c_send[oj] if n_send else np.zeros(0, np.int16))
    click = rng.random(o_lead.size) < _sigmoid(-2.0 + 0.55 * intent[o_lead])
    k_ts = o_ts[click] + rng.integers(10, 900, int(click.sum()))
    k_lead = o_lead[click]
    keep = k_ts < unsub_t[k_lead]
    ev.add(k_lead[keep], k_ts[keep], _T["email_click"], c_send[oj[click][keep]] if n_send else np.zeros(0, np.int16))
    u_lead = np.flatnonzero(unsub)
    ev.add(u_lead, unsub_t[u_lead], _T["unsubscribe"], c_send[uj[u_lead]] if n_send else np.zeros(0, np.int16))
    del o_lead, o_ts, oj, click, k_ts, k_lead

    # ---------------------------------------------------------------- webinars
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
            web_names.append(f"{_WEBINAR_TOPICS[ti % len(_WEBINAR_TOPICS)]} ({date})")
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
        ws = np.flatnonzero(source == _WEB)
        r_lead = np.concatenate([ws, r_lead])
        rj = np.concatenate([w0[ws], rj])
        r_ts = np.concatenate([created[ws], r_ts])
        ok = rj < n_web
        r_lead, rj, r_ts = r_lead[ok], rj[ok], r_ts[ok]
        _, first_occ = np.unique(r_lead.astype(np.int64) * n_web + rj, return_index=True)
        first_occ.sort()
        r_lead, rj, r_ts = r_lead[first_occ], rj[first_occ], r_ts[first_occ]
        ev.add(r_lead, r_ts, _T["webinar_registered"], c_web[rj])
        att = rng.random(r_lead.size) < _sigmoid(-0.3 + 0.7 * intent[r_lead])
        a_ts = web_t[rj[att]] + rng.integers(0, 900, int(att.sum()))
        ev.add(r_lead[att], a_ts, _T["webinar_attended"], c_web[rj[att]])

    # ------------------------------------------------------------------ trials
    c_prod = vocab.add(["Analytics", "Payments"])
    p_trial = _sigmoid(
        -3.3 + 0.9 * intent + 0.5 * ((persona == _USR) | (persona == _INF)) + 0.3 * (industry == _IND_SOFTWARE)
        + 0.4 * tech
    )
    p_trial = np.where(competitor, 0.15, np.where(student, 0.04, p_trial))
    trial = rng.random(n) < p_trial
    tr_lead = np.flatnonzero(trial)
    same_day = rng.random(tr_lead.size) < 0.3
    tr_ts = np.where(
        same_day,
        created[tr_lead] + rng.integers(60, 2 * HOUR, tr_lead.size),
        _later(rng, created[tr_lead], tau[tr_lead] * 0.8, end, tail=0.1),
    )
    tr_prod = np.where(interest[tr_lead] == _PB, rng.integers(0, 2, tr_lead.size), np.where(wants_a[tr_lead], 0, 1))
    both = (interest[tr_lead] == _PB) & (rng.random(tr_lead.size) < 0.3)
    t_lead = np.concatenate([tr_lead, tr_lead[both]])
    t_ts = np.concatenate([tr_ts, tr_ts[both] + rng.integers(300, DAY, int(both.sum()))])
    t_prod = np.concatenate([tr_prod, 1 - tr_prod[both]])
    ev.add(t_lead, t_ts, _T["trial_signup"], c_prod[t_prod])
    # active days: 14 daily slots per trial, fading
    p_day = _sigmoid(-0.6 + 1.0 * intent[t_lead] + 0.3 * (persona[t_lead] == _USR))
    p_day = np.where(competitor[t_lead], 0.5, p_day)
    slots = np.arange(1, 15)
    on = rng.random((t_lead.size, 14)) < p_day[:, None] * 0.9 ** slots[None, :]
    on &= ~(competitor[t_lead][:, None] & (slots[None, :] > 3))
    ti_row, ti_slot = np.nonzero(on)
    a_ts = (t_ts[ti_row] // DAY + slots[ti_slot]) * DAY + _tod(rng, ti_row.size)
    ev.add(t_lead[ti_row], a_ts, _T["trial_active_day"], c_prod[t_prod[ti_row]])

    # ----------------------------------------------------- demo and contact-us
    report(0.72, "Generating hand-raisers and intent")
    rng = rngs[8]
    p_demo = _sigmoid(-4.0 + 1.2 * intent + 0.5 * (persona == _BUY) + 0.3 * np.clip(fit_c, -2, 2))
    p_demo = np.where(competitor, 0.02, np.where(student | job_seeker, 0.004, p_demo))
    demo = rng.random(n) < p_demo
    dm_lead = np.flatnonzero(demo)
    dm_ts = np.where(
        rng.random(dm_lead.size) < 0.25,
        created[dm_lead] + rng.integers(120, HOUR, dm_lead.size),
        _later(rng, created[dm_lead], tau[dm_lead] * 0.7, end, tail=0.15),
    )
    dm_prod = np.where(interest[dm_lead] == _PB, rng.integers(0, 2, dm_lead.size), np.where(wants_a[dm_lead], 0, 1))
    ev.add(dm_lead, dm_ts, _T["demo_request"], c_prod[dm_prod])

    c_topic = vocab.add(_CONTACT_TOPICS)
    sales_q = rng.random(n) < np.where(competitor | student | job_seeker, 0.003, _sigmoid(-4.3 + 0.9 * intent))
    careers_q = job_seeker & (rng.random(n) < 0.06)
    other_q = rng.random(n) < 0.012
    topic = np.where(sales_q, 0, np.where(careers_q, 3, rng.choice([1, 1, 1, 2, 4], size=n)))
    cu = sales_q | careers_q | other_q
    cu_lead = np.flatnonzero(cu)
    cu_ts = _later(rng, created[cu_lead], tau[cu_lead] * 0.7, end, tail=0.15)
    ev.add(cu_lead, cu_ts, _T["contact_us"], c_topic[topic[cu_lead]])

    # third-party intent surges: weekly data drop, Mondays 06:00
    c_top_a = vocab.add(_INTENT_TOPICS_ANALYTICS)
    c_top_p = vocab.add(_INTENT_TOPICS_PAYMENTS)
    mondays = t0 + np.flatnonzero((t0 // DAY + np.arange(n_days) + 3) % 7 == 0) * DAY + 6 * HOUR
    if mondays.size:
        m0 = np.searchsorted(mondays, created, side="right")
        weeks_left = mondays.size - m0
        lam = np.where(avail, 0.04 * weeks_left * np.exp((score - 50) / 18.0), 0.0) * vol_scale
        n_sg = rng.poisson(lam)
        g_lead = np.repeat(all_idx, n_sg)
        gj = m0[g_lead] + (rng.random(g_lead.size) * weeks_left[g_lead]).astype(np.int64)
        gj = np.minimum(gj, mondays.size - 1)
        use_a = np.where(interest[g_lead] == _PB, rng.random(g_lead.size) < 0.5, wants_a[g_lead])
        g_url = np.where(use_a, c_top_a[rng.integers(0, 3, g_lead.size)], c_top_p[rng.integers(0, 3, g_lead.size)])
        ev.add(g_lead, mondays[gj], _T["intent_surge"], g_url)

    # --------------------------------------------------------------- outcomes
    report(0.78, "Drawing conversions")
    rng = rngs[9]
    c_pricing = vocab.add(_PAGE_PRICING)[0]
    pricing_n = ev.count(n, _T["page_view"], [c_pricing])
    careers_n = ev.count(n, _T["page_view"], vocab.add(_PAGE_CAREERS))
    attended_n = ev.count(n, _T["webinar_attended"])
    trial_days_n = ev.count(n, _T["trial_active_day"])
    demo_lead, demo_ts = ev.select(_T["demo_request"])
    sales_lead, sales_ts = ev.select(_T["contact_us"], [c_topic[0]])
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
    logit = logit + (_calibrate_intercept(logit, 0.10) if n else 0.0)
    logit = np.where(competitor, -12.0, logit)
    would = rng.random(n) < _sigmoid(logit)
    delay = np.maximum(np.exp(rng.normal(np.log(24.0) - 0.25 * intent, 0.65, n)), 2.5) * DAY
    conv_t = created + delay.astype(np.int64)
    t_demo = _first_time(n, demo_lead, demo_ts)
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
    c_an, c_pay, c_cust, c_sec, c_int = (vocab.add(p)[0] for p in (_PAGE_ANALYTICS, _PAGE_PAYMENTS, _PAGE_CUSTOMERS,
                                                                   _PAGE_SECURITY, _PAGE_INTEGRATIONS[:1]))  # fmt: skip
    prod_page = np.where(wants_a[b_lead] & (~wants_p[b_lead] | (rng.random(b_lead.size) < 0.5)), c_an, c_pay)
    page_url = np.select([kind == 0, kind == 1, kind == 2, kind == 3], [c_pricing, prod_page, c_cust, c_sec], c_int)
    pv = kind <= 4
    ev.add(b_lead[pv], b_ts[pv], _T["page_view"], page_url[pv])
    mail = kind == 5
    if n_send:
        bj = np.maximum(np.searchsorted(send_t, b_ts[mail], side="right") - 1, 0)
        ok = (send_t[bj] < b_ts[mail]) & (b_ts[mail] < unsub_t[b_lead[mail]])
        ev.add(b_lead[mail][ok], b_ts[mail][ok], _T["email_click"], c_send[bj[ok]])
    tr = (kind == 6) & trial[b_lead]
    tprod = np.where(interest[b_lead[tr]] == _PP, 1, 0)
    ev.add(b_lead[tr], b_ts[tr], _T["trial_active_day"], c_prod[tprod])
    trp = (kind == 6) & ~trial[b_lead]
    ev.add(b_lead[trp], b_ts[trp], _T["page_view"], np.full(int(trp.sum()), c_pricing, dtype=np.int16))
    del b_lead, b_ts, kind, lo, page_url

    # first sales contact
    report(0.88, "Drawing sales contacts")
    rng = rngs[10]
    big = np.iinfo(np.int64).max
    t_hand = np.minimum(t_demo, _first_time(n, sales_lead, sales_ts))
    has_hand = t_hand < big
    c1 = np.where(
        has_hand & (rng.random(n) < 0.93),
        np.where(has_hand, t_hand, 0) + np.exp(rng.normal(np.log(5 * HOUR), 0.9, n)).astype(np.int64),
        big,
    )
    c2 = np.where((source == _EVT) & (rng.random(n) < 0.45), created + rng.integers(HOUR, 4 * DAY, n), big)
    sdr = rng.random(n) < _sigmoid(-3.2 + 0.9 * np.clip(fit_c, -3, 3) + 0.6 * intent)
    c3 = np.where(sdr, created + 2 * HOUR + rng.exponential(5 * DAY, n).astype(np.int64), big)
    contact = np.minimum(np.minimum(c1, c2), c3)
    pre = created + (rng.uniform(0.05, 0.8, n) * (conv_t - created)).astype(np.int64)
    contact = np.where(converted & (contact >= conv_t), pre, contact)
    contacted = contact < end

    # ----------------------------------------------------------------- frames
    report(0.92, "Building tables")
    lead_ids = _ids("L", n)
    leads = pd.DataFrame(
        {
            "lead_id": _str_series(lead_ids),
            "created_at": _ts_series(created),
            "email": _str_series(email),
            "company": _str_series(all_name.take(pa.array(company))),
            "company_size": company_size,
            "annual_revenue": revenue,
            "industry": _cat(industry, INDUSTRIES),
            "country": _cat(country, COUNTRIES),
            "job_title": _cat(title, title_names),
            "seniority": _cat(seniority, SENIORITIES),
            "department": _cat(department, DEPARTMENTS),
            "persona": _cat(persona, PERSONAS),
            "lead_source": _cat(source, LEAD_SOURCES),
            "form_timeline": _cat(timeline, FORM_TIMELINES),
            "form_budget": _cat(budget, FORM_BUDGETS),
            "form_product_interest": _cat(reported, PRODUCTS),
            "intent_score": intent_score,
            "converted": converted.astype(np.int8),
            "converted_at": _ts_series(conv_t, converted),
            "first_sales_contact_at": _ts_series(np.where(contacted, contact, 0), contacted),
        },
        columns=list(LEAD_COLUMNS),
    )

    report(0.95, "Sorting activities")
    del demo_lead, demo_ts, sales_lead, sales_ts
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
