"""Tests for the synthetic lead generator (pure core, no Qt)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaddesigner.samples import generate as gen_mod
from leaddesigner.samples.generate import (
    ACTIVITY_COLUMNS,
    ACTIVITY_TYPES,
    LEAD_COLUMNS,
    generate,
    write_frames,
    write_sample,
)

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = ROOT / "sample_models" / "data"
START = pd.Timestamp("2026-03-02")
END = START + pd.Timedelta(weeks=26)
FREE_MAIL = {"gmail.com", "yahoo.com", "outlook.com", "hotmail.com"}


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate(20_000, seed=11)


@pytest.fixture(scope="module")
def features(data) -> pd.DataFrame:
    """Per-lead behaviour counts and e-mail flags used by the signal tests."""
    leads, acts = data
    n = len(leads)
    codes = acts["lead_id"].cat.codes.to_numpy()
    typ = acts["type"].astype(str).to_numpy()
    url = acts["url"].astype(str).to_numpy()

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], minlength=n)

    pv = typ == "page_view"
    domain = leads["email"].str.split("@").str[1]
    return pd.DataFrame(
        {
            "converted": leads["converted"].to_numpy(),
            "pricing": count(pv & (url == "/pricing")),
            "careers": count(pv & pd.Series(url).str.startswith("/careers").to_numpy()),
            "demo": count(typ == "demo_request"),
            "contact_sales": count((typ == "contact_us") & (url == "Sales inquiry")),
            "trial_days": count(typ == "trial_active_day"),
            "attended": count(typ == "webinar_attended"),
            "downloads": count(typ == "content_download"),
            "free_mail": domain.isin(FREE_MAIL).to_numpy(),
            "edu": domain.str.endswith(".edu").to_numpy(),
            "competitor": domain.str.startswith("competitor-").to_numpy(),
        }
    )


def _auc(score: np.ndarray, y: np.ndarray) -> float:
    ranks = pd.Series(score).rank().to_numpy()
    pos = int(y.sum())
    neg = len(y) - pos
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


# --------------------------------------------------------------------- schema


def test_columns_order_and_dtypes(data):
    leads, acts = data
    assert tuple(leads.columns) == LEAD_COLUMNS
    assert leads.columns[0] == "lead_id"
    assert tuple(acts.columns) == ACTIVITY_COLUMNS == ("lead_id", "timestamp", "type", "url")
    for col in ("created_at", "converted_at", "first_sales_contact_at"):
        assert leads[col].dtype == "datetime64[ns]"
    assert acts["timestamp"].dtype == "datetime64[ns]"
    assert str(leads["company_size"].dtype) == "Int64"
    assert str(leads["intent_score"].dtype) == "Int64"
    assert leads["annual_revenue"].dtype == np.float64
    assert leads["converted"].dtype == np.int8
    for col in ("lead_id", "email", "company"):
        assert pd.api.types.is_string_dtype(leads[col].dtype), col
    for col in (
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
    ):
        assert isinstance(leads[col].dtype, pd.CategoricalDtype), col
    for col in ("lead_id", "type", "url"):
        assert isinstance(acts[col].dtype, pd.CategoricalDtype), col
    assert set(acts["type"].cat.categories) == set(ACTIVITY_TYPES)


def test_lead_ids_unique_and_formatted(data):
    leads, _ = data
    ids = leads["lead_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"L\d{7}").all()
    assert ids.iloc[0] == "L0000001"


def test_value_domains(data):
    leads, _ = data
    assert set(leads["seniority"].dropna().unique()) <= set(gen_mod.SENIORITIES)
    assert set(leads["persona"].dropna().unique()) == {"buyer", "influencer", "user", "other"}
    assert set(leads["lead_source"].unique()) == set(gen_mod.LEAD_SOURCES)
    assert set(leads["industry"].unique()) == set(gen_mod.INDUSTRIES)
    assert set(leads["form_timeline"].dropna().unique()) <= set(gen_mod.FORM_TIMELINES)
    assert set(leads["form_budget"].dropna().unique()) <= {"Approved", "Planned", "No budget"}
    assert set(leads["form_product_interest"].dropna().unique()) <= {"Analytics", "Payments", "Both"}
    size = leads["company_size"].dropna()
    assert size.min() >= 1 and size.max() <= 50_000
    score = leads["intent_score"].dropna()
    assert score.min() >= 0 and score.max() <= 100
    assert leads["email"].str.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+").all()
    # title and seniority agree
    students = leads["job_title"].astype(str).str.contains("Student|PhD")
    assert (leads.loc[students, "seniority"] == "Student").all()
    assert (leads.loc[leads["job_title"] == "CFO", "seniority"] == "C-level").all()
    assert (leads.loc[leads["job_title"] == "VP of Marketing", "persona"] == "buyer").all()
    assert (leads.loc[leads["job_title"] == "Recruiter", "persona"] == "other").all()


def test_missing_rates_and_mixes(data, features):
    leads, _ = data
    assert 0.02 <= leads["company_size"].isna().mean() <= 0.04
    assert 0.08 <= leads["annual_revenue"].isna().mean() <= 0.12
    assert 0.42 <= leads["intent_score"].isna().mean() <= 0.58
    assert 0.35 <= leads["form_timeline"].isna().mean() <= 0.45
    assert 0.40 <= leads["form_budget"].isna().mean() <= 0.50
    assert 0.10 <= features["free_mail"].mean() <= 0.14
    assert 0.015 <= features["competitor"].mean() <= 0.025
    assert 0.005 <= features["edu"].mean() <= 0.03
    assert leads["country"].value_counts().index[0] == "US"


def test_revenue_correlates_with_size(data):
    leads, _ = data
    both = leads[["company_size", "annual_revenue"]].dropna().astype(float)
    assert np.corrcoef(np.log(both["company_size"]), np.log(both["annual_revenue"]))[0, 1] > 0.8


# ----------------------------------------------------------------- timelines


def test_created_at_in_period_with_weekday_and_spikes(data):
    leads, _ = data
    c = leads["created_at"]
    assert c.min() >= START and c.max() < END
    weekend = c.dt.day_of_week >= 5
    assert weekend.mean() < 0.15  # weekdays dominate
    per_week = ((c - START) // pd.Timedelta(weeks=1)).value_counts()
    assert per_week.max() > 1.5 * per_week.median()  # campaign spikes


def test_activities_reference_leads_and_fall_in_period(data):
    leads, acts = data
    assert set(acts["lead_id"].cat.categories) == set(leads["lead_id"])
    assert acts["lead_id"].notna().all()
    assert acts["timestamp"].is_monotonic_increasing
    assert acts["timestamp"].min() >= START
    assert acts["timestamp"].max() < END
    created = leads.set_index("lead_id")["created_at"]
    created_per_event = created.reindex(acts["lead_id"].astype(str)).to_numpy()
    assert (acts["timestamp"].to_numpy() >= created_per_event).all()


def test_events_per_lead_and_heavy_tail(data):
    leads, acts = data
    per_lead = acts.groupby("lead_id", observed=False).size()
    assert len(per_lead) == len(leads)
    assert 11.0 <= per_lead.mean() <= 13.0
    assert per_lead.median() < per_lead.mean()  # most leads few events...
    assert per_lead.quantile(0.99) > 5 * per_lead.median()  # ...some very engaged


def test_events_per_lead_parameter():
    leads, acts = generate(3000, seed=5, events_per_lead=4.0)
    assert 3.4 <= len(acts) / len(leads) <= 4.6


def test_outcome_timestamps(data):
    leads, acts = data
    conv = leads["converted"] == 1
    assert leads.loc[conv, "converted_at"].notna().all()
    assert leads.loc[~conv, "converted_at"].isna().all()
    assert (leads.loc[conv, "converted_at"] > leads.loc[conv, "created_at"]).all()
    assert leads["converted_at"].max() < END
    contacted = leads["first_sales_contact_at"].notna()
    assert (leads.loc[contacted, "first_sales_contact_at"] >= leads.loc[contacted, "created_at"]).all()
    assert leads["first_sales_contact_at"].max() < END
    # every converter was contacted before converting and had activity before converting
    assert leads.loc[conv, "first_sales_contact_at"].notna().all()
    assert (leads.loc[conv, "first_sales_contact_at"] < leads.loc[conv, "converted_at"]).all()
    first_act = acts.groupby("lead_id", observed=True)["timestamp"].min()
    conv_leads = leads.loc[conv].set_index("lead_id")
    assert (first_act.reindex(conv_leads.index) < conv_leads["converted_at"]).all()
    assert 0.1 <= contacted.mean() <= 0.35


def test_conversion_rate(data):
    leads, _ = data
    assert 0.06 <= leads["converted"].mean() <= 0.10


def test_activity_intensifies_before_conversion(data):
    leads, acts = data
    conv = leads[leads["converted"] == 1].set_index("lead_id")
    a = acts[acts["lead_id"].isin(conv.index)]
    days_before = (conv["converted_at"].reindex(a["lead_id"].astype(str)).to_numpy() - a["timestamp"].to_numpy()) / (
        np.timedelta64(1, "D")
    )
    last_week = ((days_before > 0) & (days_before <= 7)).sum()
    week_before = ((days_before > 7) & (days_before <= 14)).sum()
    assert last_week > 1.3 * week_before


# -------------------------------------------------------------------- signal


def test_converters_show_more_high_intent_behaviour(features):
    f = features
    yes, no = f[f["converted"] == 1], f[f["converted"] == 0]
    for col in ("pricing", "demo", "contact_sales", "trial_days", "attended"):
        assert yes[col].mean() > 1.5 * no[col].mean(), col
    assert f.loc[f["pricing"] >= 2, "converted"].mean() > 3 * f.loc[f["pricing"] == 0, "converted"].mean()
    assert f.loc[f["demo"] > 0, "converted"].mean() > 3 * f.loc[f["demo"] == 0, "converted"].mean()
    assert f.loc[f["careers"] > 0, "converted"].mean() < 0.6 * f["converted"].mean()


def test_negative_signals_convert_less(data, features):
    leads, _ = data
    f = features
    corporate = ~(f["free_mail"] | f["edu"] | f["competitor"])
    base = f.loc[corporate, "converted"].mean()
    assert f.loc[f["free_mail"], "converted"].mean() < 0.6 * base
    assert f.loc[f["edu"], "converted"].mean() < 0.2 * base
    assert f.loc[f["competitor"], "converted"].sum() == 0
    assert leads.loc[leads["seniority"] == "Student", "converted"].mean() < 0.2 * base


def test_fit_signal(data):
    leads, _ = data
    rate = leads.groupby("persona", observed=True)["converted"].mean()
    assert rate["buyer"] > rate["influencer"] > rate["user"] > rate["other"]
    sen = leads.groupby("seniority", observed=True)["converted"].mean()
    assert min(sen["VP"], sen["Director"], sen["C-level"]) > sen["Individual Contributor"]
    size = leads["company_size"].astype(float)
    icp = leads.loc[(size >= 50) & (size <= 5000), "converted"].mean()
    assert icp > leads.loc[size < 10, "converted"].mean()
    assert icp > leads.loc[size > 20000, "converted"].mean()
    ind = leads.groupby("industry", observed=True)["converted"].mean()
    assert min(ind["Software"], ind["Financial Services"]) > max(ind["Government"], ind["Education"])


def test_product_interest_drives_product_pages(data):
    leads, acts = data
    stated = leads.set_index("lead_id")["form_product_interest"]
    pv = acts[acts["url"].isin(["/products/analytics", "/products/payments"])]
    interest = stated.reindex(pv["lead_id"].astype(str)).to_numpy()
    url = pv["url"].astype(str).to_numpy()
    a_share_a = (url[interest == "Analytics"] == "/products/analytics").mean()
    a_share_p = (url[interest == "Payments"] == "/products/analytics").mean()
    assert a_share_a > 0.75 and a_share_p < 0.25


def test_hand_points_model_separates_but_not_perfectly(data, features):
    """A sensible fit + behaviour points model lands around AUC 0.8."""
    leads, _ = data
    f = features
    size = leads["company_size"].astype(float).to_numpy()
    sen = leads["seniority"].astype(str).to_numpy()
    per = leads["persona"].astype(str).to_numpy()
    ind = leads["industry"].astype(str).to_numpy()
    fit = (
        10 * ((size >= 50) & (size <= 5000))
        + 5 * np.isin(ind, ["Software", "Financial Services"])
        + 10 * np.isin(sen, ["VP", "Director", "C-level"])
        + np.select([per == "buyer", per == "influencer"], [8, 4], 0)
        - 10 * f["free_mail"].to_numpy()
        - 20 * f["edu"].to_numpy()
        - 30 * f["competitor"].to_numpy()
    )
    behaviour = (
        5 * np.minimum(f["pricing"], 3)
        + 20 * (f["demo"] > 0)
        + 10 * (f["contact_sales"] > 0)
        + 2 * np.minimum(f["trial_days"], 10)
        + 5 * np.minimum(f["attended"], 2)
        + 2 * np.minimum(f["downloads"], 3)
        - 10 * (f["careers"] > 0)
    ).to_numpy()
    y = f["converted"].to_numpy()
    auc_fit, auc_beh, auc_all = _auc(fit, y), _auc(behaviour, y), _auc(fit + behaviour, y)
    assert 0.62 <= auc_fit <= 0.8
    assert 0.7 <= auc_beh <= 0.88
    assert 0.75 <= auc_all <= 0.88
    assert auc_all > max(auc_fit, auc_beh)


# ------------------------------------------------------------- determinism


def test_deterministic_for_a_seed():
    a_leads, a_acts = generate(1500, seed=3)
    b_leads, b_acts = generate(1500, seed=3)
    pd.testing.assert_frame_equal(a_leads, b_leads)
    pd.testing.assert_frame_equal(a_acts, b_acts)
    c_leads, _ = generate(1500, seed=4)
    assert not a_leads["email"].equals(c_leads["email"])


def test_deterministic_files(tmp_path):
    p1 = write_sample(tmp_path / "a", n_leads=800, seed=9)
    p2 = write_sample(tmp_path / "b", n_leads=800, seed=9)
    for x, y in zip(p1, p2, strict=True):
        assert x.read_bytes() == y.read_bytes()


def test_empty_and_invalid():
    leads, acts = generate(0)
    assert tuple(leads.columns) == LEAD_COLUMNS and len(leads) == 0
    assert tuple(acts.columns) == ACTIVITY_COLUMNS and len(acts) == 0
    with pytest.raises(ValueError):
        generate(-1)
    with pytest.raises(ValueError):
        generate(10, weeks=0)


def test_short_period_and_other_start():
    leads, acts = generate(500, seed=1, start="2025-01-06", weeks=1)
    start, end = pd.Timestamp("2025-01-06"), pd.Timestamp("2025-01-13")
    assert leads["created_at"].between(start, end, inclusive="left").all()
    assert acts["timestamp"].between(start, end, inclusive="left").all()


def test_progress_reports_fractions():
    seen: list[tuple[float, str]] = []
    generate(300, progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert all(isinstance(m, str) and m for _, m in seen)


# ------------------------------------------------------------------ writing


def test_write_csv_is_plain(tmp_path):
    leads, acts = generate(400, seed=2)
    lp, ap = write_frames(leads, acts, tmp_path, "csv")
    assert (lp.name, ap.name) == ("leads.csv", "activities.csv")
    assert not list(tmp_path.glob(".*tmp"))  # no temp files left behind
    header, first = lp.read_text().splitlines()[:2]
    assert header.split(",") == list(LEAD_COLUMNS)
    assert re.match(r"L0000001,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,", first)
    assert ap.read_text().splitlines()[0] == "lead_id,timestamp,type,url"
    back = pd.read_csv(lp, dtype={"company_size": "Int64", "intent_score": "Int64"})
    assert len(back) == len(leads)
    assert back["company_size"].isna().sum() == leads["company_size"].isna().sum()
    assert (back["lead_id"] == leads["lead_id"]).all()
    pd.testing.assert_series_equal(
        pd.to_datetime(back["converted_at"]).astype("datetime64[ns]"), leads["converted_at"], check_names=False
    )
    acts_back = pd.read_csv(ap)
    assert len(acts_back) == len(acts)
    assert (acts_back["type"] == acts["type"].astype(str)).all()


def test_write_parquet_round_trip(tmp_path):
    leads, acts = generate(300, seed=2)
    lp, ap = write_sample(tmp_path, n_leads=300, seed=2, fmt="parquet")
    assert lp.suffix == ".parquet"
    back = pd.read_parquet(lp)
    assert list(back.columns) == list(LEAD_COLUMNS)
    assert (back["lead_id"].astype(str) == leads["lead_id"]).all()
    assert len(pd.read_parquet(ap)) == len(acts)
    with pytest.raises(ValueError):
        write_sample(tmp_path, n_leads=10, fmt="xlsx")  # type: ignore[arg-type]


# -------------------------------------------------------------- the sample


def test_shipped_sample_matches_generator():
    lp, ap = SAMPLE_DIR / "leads.csv", SAMPLE_DIR / "activities.csv"
    assert lp.exists() and ap.exists()
    assert lp.stat().st_size + ap.stat().st_size < 6_000_000
    leads, acts = generate(4000, seed=7)
    s_leads, s_acts = pd.read_csv(lp), pd.read_csv(ap)
    assert list(s_leads.columns) == list(LEAD_COLUMNS)
    assert list(s_acts.columns) == list(ACTIVITY_COLUMNS)
    assert len(s_leads) == len(leads) == 4000
    assert len(s_acts) == len(acts)
    # not stale: same leads and outcomes as the generator gives today
    assert (s_leads["lead_id"] == leads["lead_id"]).all()
    assert (s_leads["email"] == leads["email"]).all()
    assert (s_leads["converted"] == leads["converted"]).all()


# ------------------------------------------------------------------- purity


def test_generator_does_not_import_qt():
    tree = ast.parse(Path(gen_mod.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"PySide6", "PyQt5", "PyQt6", "pyqtgraph", "shiboken6"}


def test_parquet_log_does_not_repeat_a_huge_category_list(tmp_path, monkeypatch):
    """A categorical with more than 100,000 categories is written as text: Arrow would store the whole category
    list with every row group, and reading would grow with rows x row groups (4M leads: 56 s for the log)."""
    import pyarrow.parquet as pq

    from leaddesigner.samples import generate as G

    ids = pd.Categorical([f"L{i:07d}" for i in range(150_000)])
    small = pd.Categorical(["a", "b"] * 75_000)
    frame = pd.DataFrame({"lead_id": ids, "type": small})
    path = tmp_path / "x.parquet"
    G._write_frame(frame, path, "parquet")
    schema = pq.ParquetFile(path).schema_arrow
    assert str(schema.field("lead_id").type) in ("string", "large_string")  # plain text: Parquet encodes each row group's own values
    assert "dictionary" in str(schema.field("type").type)  # a few categories stay categorical
    back = pd.read_parquet(path)
    assert back["lead_id"].astype(str).tolist() == list(ids.astype(str))
