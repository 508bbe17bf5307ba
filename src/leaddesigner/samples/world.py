"""The synthetic world of the sample data: columns, industries, countries, titles, pages, assets.

Each table holds the values a column takes and the weights (and hidden fit) the
generator draws them with; :mod:`.generate` explains the model behind them.
"""
from __future__ import annotations

import numpy as np

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
T = {name: i for i, name in enumerate(ACTIVITY_TYPES)}

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
IND_P = np.array([0.22, 0.12, 0.10, 0.11, 0.09, 0.06, 0.05, 0.06, 0.11, 0.08])
IND_FIT = np.array([0.55, 0.45, 0.0, -0.1, 0.0, -0.45, -0.55, -0.05, 0.1, -0.3])
IND_LOGSIZE = np.array([0.0, 0.3, 0.3, 0.3, 0.2, 0.6, 0.9, -0.2, -0.4, -0.2])
IND_REV_PER_EMP = np.array([260e3, 420e3, 170e3, 230e3, 150e3, 70e3, 90e3, 200e3, 160e3, 150e3])
IND_SOFTWARE, IND_FINSERV, IND_RETAIL, IND_EDU, IND_GOV = 0, 1, 4, 5, 6

COUNTRIES: tuple[str, ...] = (
    "US", "GB", "DE", "FR", "CA", "AU", "NL", "IN", "BR", "SG",
    "ES", "SE", "IE", "IT", "JP", "MX", "CH", "ZA",
)  # fmt: skip
COUNTRY_P = np.array(
    [0.44, 0.09, 0.06, 0.04, 0.05, 0.04, 0.025, 0.07, 0.035, 0.02,
     0.02, 0.015, 0.015, 0.015, 0.015, 0.01, 0.01, 0.01]
)  # fmt: skip
COUNTRY_FIT = np.array(
    [0.15, 0.1, 0.1, 0.0, 0.1, 0.1, 0.1, -0.35, -0.25, 0.05,
     -0.1, 0.05, 0.05, -0.1, -0.2, -0.25, 0.05, -0.2]
)  # fmt: skip
COUNTRY_TLD = (
    ".com", ".co.uk", ".de", ".fr", ".ca", ".com.au", ".nl", ".in", ".com.br", ".sg",
    ".es", ".se", ".ie", ".it", ".jp", ".mx", ".ch", ".co.za",
)  # fmt: skip
COUNTRY_SUFFIXES = (
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
C, VP, DIR, MGR, IC, STU = range(6)
SEN_FIT = np.array([0.45, 0.6, 0.5, 0.15, -0.35, -1.2])
SEN_JOBSEEK = np.array([0.004, 0.006, 0.015, 0.035, 0.075, 0.35])
SEN_AUTH = np.array([1.0, 1.0, 0.7, 0.2, -0.4, -1.0])

DEPARTMENTS: tuple[str, ...] = ("Marketing", "Sales", "Finance", "IT", "Engineering", "Operations", "HR", "Other")
MKT, SAL, FIN, IT, ENG, OPS, HR, OTH = range(8)

PERSONAS: tuple[str, ...] = ("buyer", "influencer", "user", "other")
BUY, INF, USR, OTHP = range(4)
PERS_FIT = np.array([0.6, 0.2, -0.2, -0.8])

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
ORG, PAID, WEB, REF, EVT, CS, PART, DIR_SRC = range(8)
SRC_P = np.array([0.27, 0.16, 0.06, 0.06, 0.04, 0.16, 0.06, 0.19])
SRC_INTENT = np.array([0.0, 0.05, 0.1, 0.45, -0.25, -0.45, 0.3, 0.2])
SRC_TIMELINE_MISSING = np.array([0.38, 0.38, 0.45, 0.30, 0.55, 0.55, 0.32, 0.30])

FORM_TIMELINES: tuple[str, ...] = ("Now", "1-3 months", "3-6 months", "6-12 months", "Just researching")
FORM_BUDGETS: tuple[str, ...] = ("Approved", "Planned", "No budget")
PRODUCTS: tuple[str, ...] = ("Analytics", "Payments", "Both")
PA, PP, PB = range(3)

# (title, seniority, department, persona, weight, weight_multiplier_for_small_companies)
TITLES: tuple[tuple[str, int, int, int, float, float], ...] = (
    ("Chief Marketing Officer", C, MKT, BUY, 0.8, 1.0),
    ("CMO", C, MKT, BUY, 0.7, 1.0),
    ("VP of Marketing", VP, MKT, BUY, 2.0, 0.7),
    ("VP Marketing", VP, MKT, BUY, 1.0, 0.7),
    ("vp marketing", VP, MKT, BUY, 0.2, 0.7),
    ("Vice President, Demand Generation", VP, MKT, BUY, 0.7, 0.3),
    ("Head of Marketing", DIR, MKT, BUY, 1.6, 1.5),
    ("Head of Demand Generation", DIR, MKT, BUY, 1.4, 0.7),
    ("Head of Growth", DIR, MKT, BUY, 1.1, 1.5),
    ("Director of Marketing", DIR, MKT, BUY, 2.0, 0.8),
    ("Director, Marketing Operations", DIR, MKT, BUY, 1.1, 0.3),
    ("Sr. Director, Revenue Marketing", DIR, MKT, BUY, 0.4, 0.2),
    ("Marketing Manager", MGR, MKT, INF, 4.0, 1.2),
    ("Marketing Ops Manager", MGR, MKT, INF, 2.0, 0.6),
    ("Demand Generation Manager", MGR, MKT, INF, 2.0, 0.6),
    ("Sr. Marketing Manager", MGR, MKT, INF, 1.4, 0.6),
    ("Product Marketing Manager", MGR, MKT, INF, 1.4, 0.6),
    ("marketing mgr", MGR, MKT, INF, 0.2, 1.0),
    ("Marketing Specialist", IC, MKT, USR, 3.0, 1.0),
    ("Marketing Coordinator", IC, MKT, USR, 2.4, 1.0),
    ("Content Marketing Specialist", IC, MKT, USR, 1.4, 1.0),
    ("Marketing Analyst", IC, MKT, USR, 1.4, 0.8),
    ("Marketing Intern", IC, MKT, OTHP, 0.7, 1.0),
    ("Chief Revenue Officer", C, SAL, BUY, 0.7, 0.8),
    ("VP of Sales", VP, SAL, BUY, 1.5, 0.8),
    ("Head of Sales", DIR, SAL, BUY, 1.0, 1.2),
    ("Director of Sales Operations", DIR, SAL, BUY, 0.8, 0.3),
    ("Head of Revenue Operations", DIR, SAL, BUY, 1.0, 0.5),
    ("Sales Manager", MGR, SAL, INF, 2.4, 1.0),
    ("RevOps Manager", MGR, SAL, INF, 1.2, 0.6),
    ("Sales Operations Analyst", IC, SAL, USR, 1.2, 0.6),
    ("Account Executive", IC, SAL, USR, 2.4, 1.0),
    ("Sales Development Representative", IC, SAL, USR, 2.0, 0.8),
    ("SDR", IC, SAL, USR, 0.7, 0.8),
    ("CFO", C, FIN, BUY, 0.8, 1.0),
    ("VP of Finance", VP, FIN, BUY, 0.8, 0.5),
    ("Finance Director", DIR, FIN, BUY, 0.8, 0.7),
    ("Head of Payments", DIR, FIN, BUY, 0.5, 0.5),
    ("Controller", MGR, FIN, INF, 0.8, 1.0),
    ("Accountant", IC, FIN, USR, 1.0, 1.2),
    ("Financial Analyst", IC, FIN, USR, 1.0, 0.8),
    ("CTO", C, ENG, INF, 0.8, 2.5),
    ("CIO", C, IT, INF, 0.4, 0.3),
    ("VP of Engineering", VP, ENG, INF, 0.6, 0.5),
    ("IT Director", DIR, IT, INF, 0.8, 0.5),
    ("IT Manager", MGR, IT, INF, 1.2, 0.8),
    ("Engineering Manager", MGR, ENG, INF, 1.0, 0.7),
    ("Software Engineer", IC, ENG, USR, 2.6, 1.2),
    ("Sr Software Engineer", IC, ENG, USR, 0.9, 1.0),
    ("Data Engineer", IC, ENG, USR, 1.0, 0.8),
    ("Data Analyst", IC, IT, USR, 1.5, 0.8),
    ("Solutions Architect", IC, IT, USR, 0.6, 0.5),
    ("CEO", C, OTH, BUY, 1.0, 6.0),
    ("Founder & CEO", C, OTH, BUY, 0.5, 12.0),
    ("Co-Founder", C, OTH, BUY, 0.4, 10.0),
    ("Owner", C, OTH, BUY, 0.4, 10.0),
    ("COO", C, OPS, BUY, 0.5, 2.0),
    ("Director of Operations", DIR, OPS, INF, 0.6, 0.8),
    ("Operations Manager", MGR, OPS, INF, 1.2, 1.0),
    ("Project Manager", MGR, OPS, USR, 1.0, 0.8),
    ("Business Analyst", IC, OPS, USR, 1.2, 0.6),
    ("Office Manager", MGR, OPS, OTHP, 0.5, 2.0),
    ("Recruiter", IC, HR, OTHP, 1.2, 0.8),
    ("Talent Acquisition Manager", MGR, HR, OTHP, 0.6, 0.5),
    ("HR Manager", MGR, HR, OTHP, 0.8, 1.0),
    ("HR Director", DIR, HR, OTHP, 0.3, 0.5),
    ("Consultant", IC, OTH, OTHP, 1.5, 2.0),
    ("Freelancer", IC, OTH, OTHP, 0.4, 4.0),
    ("Teacher", IC, OTH, OTHP, 0.3, 0.5),
    ("Journalist", IC, OTH, OTHP, 0.2, 0.5),
)
STUDENT_TITLES: tuple[str, ...] = (
    "Student",
    "MBA Student",
    "Graduate Student",
    "PhD Candidate",
    "Undergraduate Student",
)
STUDENT_TITLE_P = np.array([0.5, 0.12, 0.14, 0.08, 0.16])

FIRST_NAMES = (
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony Sandra Mark Ashley Steven "
    "Emily Paul Michelle Andrew Amanda Joshua Melissa Kevin Laura Brian Rebecca George Rachel Oliver Amelia "
    "Harry Isla Jack Olivia Noah Emma Liam Sophie Lukas Anna Leon Hannah Felix Lea Hugo Chloe Louis Camille "
    "Lucas Julia Sven Ingrid Lars Freya Daan Sanne Priya Arjun Rahul Ananya Vikram Deepa Wei Mei Hiroshi "
    "Yuki Carlos Ana Diego Sofia Mateo Valentina Pedro Beatriz Omar Fatima Aisha Ethan Chen Ravi Nina Marco"
).split()
LAST_NAMES = (
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

FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com")
FREE_MAIL_P = np.array([0.56, 0.15, 0.17, 0.12])

# (name, domain, employees)
UNIVERSITIES: tuple[tuple[str, str, int], ...] = (
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
COMPETITORS: tuple[tuple[str, str, int, int], ...] = (
    ("Competitor A, Inc.", "competitor-a.com", 850, 0),
    ("Competitor B Ltd", "competitor-b.com", 2_300, 1),
    ("Competitor C", "competitor-c.io", 140, 0),
)

# Company name pieces: stem = head + mid + tail, then an industry descriptor.
HEADS = (
    "Ac Al Ar Bel Bri Cal Car Cor Dal Del Dyn El Em Fal Fin Gal Gen Har Hel Ind Jun Kal Ken Lan Lum Mar "
    "Mer Nor Nov Oak Om Par Pin Quan Ral Red Riv Sal Sil Sol Ster Sum Tal Ter Tri Ul Val Ven Ver Wes Win Zen"
).split()
MIDS = ("", "a", "i", "o", "an", "el", "er", "is")
TAILS = (
    "a an bridge brook crest dale den field ford gate ix ly mark mont more net on ora point ridge stone ton "
    "tra vale view wave well wood worth yx"
).split()
DESCRIPTORS: tuple[tuple[str, ...], ...] = (
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
QUALIFIERS = ("", " Global", " International", " North", " Digital Group", " Worldwide", " United", " Pacific")

# --------------------------------------------------------------------------
# Activity details (the ``url`` column)
# --------------------------------------------------------------------------

PAGE_HOME = ("/",)
PAGE_BLOG = (
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
PAGE_DOCS_GENERAL = ("/docs/getting-started", "/docs/api/authentication", "/docs/sso-saml", "/docs/data-retention")
PAGE_DOCS_ANALYTICS = ("/docs/analytics/dashboards", "/docs/analytics/sql-editor", "/docs/api/events")
PAGE_DOCS_PAYMENTS = ("/docs/payments/checkout", "/docs/payments/webhooks", "/docs/payments/refunds")
PAGE_PRICING = ("/pricing",)
PAGE_ANALYTICS = ("/products/analytics",)
PAGE_PAYMENTS = ("/products/payments",)
PAGE_CUSTOMERS = ("/customers",)
PAGE_SECURITY = ("/security",)
PAGE_INTEGRATIONS = ("/integrations/salesforce", "/integrations/salesforce", "/integrations/hubspot")
PAGE_CAREERS = (
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
PAGE_MISC = ("/about", "/about", "/contact", "/partners", "/events")
# page category order used by the per-lead weights below
PG_HOME, PG_BLOG, PG_DOCS, PG_PRICING, PG_ANALYTICS, PG_PAYMENTS = range(6)
PG_CUSTOMERS, PG_SECURITY, PG_INTEGRATIONS, PG_CAREERS, PG_MISC = range(6, 11)

ASSETS_GENERAL = (
    "Lead Scoring Playbook (eBook)",
    "2026 B2B Benchmark Report",
    "ICP Worksheet (Template)",
    "Sales & Marketing SLA Template",
)
ASSETS_ANALYTICS = ("Analytics Datasheet", "Attribution Modeling Guide (eBook)", "Analytics ROI Calculator")
ASSETS_PAYMENTS = ("Payments Buyer's Guide", "Global Checkout Whitepaper", "Payments Datasheet")
INTENT_TOPICS_ANALYTICS = ("marketing analytics", "lead scoring software", "revenue attribution")
INTENT_TOPICS_PAYMENTS = ("payment processing", "online checkout", "billing automation")
CONTACT_TOPICS = ("Sales inquiry", "Support", "Partnership", "Careers question", "Press")
WEBINAR_TOPICS = (
    "Lead Scoring 101",
    "Building an ICP Sales Trusts",
    "Global Payments for SaaS",
    "Attribution Without Tears",
    "From MQL to Revenue",
    "Checkout Conversion Clinic",
    "Intent Data in Practice",
    "Scoring Product-Led Leads",
)
EMAIL_KINDS = (
    "Newsletter",
    "Product Update",
    "Nurture - Analytics",
    "Nurture - Payments",
    "Customer Story",
    "Webinar Invite",
)
