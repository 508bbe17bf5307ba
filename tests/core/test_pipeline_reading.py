"""The load pipeline reads the lead file and the activity log side by side: same result, errors and progress as
one after the other, and no thread left behind whatever happens."""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaddesigner.core.data import pipeline
from leaddesigner.core.data.leadfile import LeadFileError
from leaddesigner.core.model.io import load_model

REPO = Path(__file__).resolve().parents[2]
CRM = REPO / "tests" / "fixtures" / "crm"
MODEL = REPO / "sample_models" / "enterprise_fit_first.yaml"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A small generated lead file and log (CSV), written once."""
    from leaddesigner.samples.generate import write_sample

    folder = tmp_path_factory.mktemp("side-by-side")
    write_sample(folder, 600, seed=3)
    return folder / "leads.csv", folder / "activities.csv"


def _side_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("activity-log")]


def test_side_by_side_equals_one_after_the_other(files):
    model = load_model(MODEL)
    leads, acts = files
    reports: list[tuple[float, str]] = []
    both = pipeline.load(model, leads, acts, as_of="2026-08-31", progress=lambda f, m: reports.append((f, m)))
    lt = pipeline.read(leads)
    at = pipeline.read(acts, "activity log", keep_dictionary=("lead_id",), text_columns=("timestamp",))
    alone = pipeline.load(model, lt, at, as_of="2026-08-31")  # tables given: nothing to read side by side
    np.testing.assert_array_equal(both.scorer.result.score, alone.scorer.result.score)
    np.testing.assert_array_equal(both.data.events.lead, alone.data.events.lead)
    assert both.detection == alone.detection and both.notes == alone.notes
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0  # never backwards, to the end
    assert any("activities.csv" in m for _, m in reports) and any("leads.csv" in m for _, m in reports)
    said = [m for _, m in reports]  # binding says its steps (seconds at a million leads)
    n_events = len(both.data.events)
    assert said.index(f"Reading the dates of {n_events:,} events") < said.index(f"Matching {n_events:,} events to their leads")
    assert _side_threads() == []


def test_a_bad_lead_file_is_the_error_reported_and_the_log_reader_stops(files, tmp_path):
    model = load_model(MODEL)
    bad = tmp_path / "leads.csv"
    bad.write_text("lead_id,created_at,lead_id\nL1,2026-01-01,L1\n", encoding="utf-8")
    with pytest.raises(LeadFileError, match='column name "lead_id" appears twice'):
        pipeline.load(model, bad, files[1])
    with pytest.raises(LeadFileError, match="appears twice"):  # the log missing too: still the lead file's error
        pipeline.load(model, bad, tmp_path / "missing.csv")
    assert _side_threads() == []


def test_a_bad_log_with_good_leads_reports_the_log(files, tmp_path):
    model = load_model(MODEL)
    log = tmp_path / "acts.csv"
    log.write_text("lead_id,timestamp,type\nL1,2026-01-01,page_view,extra,fields\n", encoding="utf-8")
    with pytest.raises(LeadFileError, match="acts.csv"):
        pipeline.load(model, files[0], log)
    assert _side_threads() == []


def test_cancel_from_the_progress_callback_stops_both(files):
    model = load_model(MODEL)

    class Cancelled(Exception):
        pass

    calls = {"n": 0}

    def progress(fraction: float, message: str) -> None:
        calls["n"] += 1
        if calls["n"] >= 2:
            raise Cancelled

    with pytest.raises(Cancelled):
        pipeline.load(model, files[0], files[1], progress=progress)
    assert _side_threads() == []


def test_crm_export_and_a_log_read_side_by_side_load_as_alone(tmp_path):
    """A HubSpot export (its own header names, quoting) beside a log written for its Record IDs."""
    from leaddesigner.core.data.detect import detect
    from leaddesigner.core.data.starter import model_from_file

    leads = CRM / "hubspot_contacts.csv"
    lt = pipeline.read(leads)
    model = model_from_file(detect(lt.frame, source=lt.name), activity_log_columns=["lead_id", "timestamp", "type"])
    ids = lt.frame[model.lead_id].astype(str).tolist()
    log = tmp_path / "hubspot_events.csv"
    pd.DataFrame({"lead_id": [ids[i % len(ids)] for i in range(500)] + ["unknown"],
                  "timestamp": pd.date_range("2026-01-01", periods=501, freq="h").strftime("%Y-%m-%d %H:%M:%S"),
                  "type": ["page_view", "email_click"] * 250 + ["page_view"]}).to_csv(log, index=False)
    both = pipeline.load(model, leads, log)
    alone = pipeline.load(model, lt, pipeline.read(log, "activity log", keep_dictionary=("lead_id",),
                                                   text_columns=("timestamp",)))
    np.testing.assert_array_equal(both.data.events.lead, alone.data.events.lead)
    assert [p.kind for p in both.data.problems] == [p.kind for p in alone.data.problems]
    assert "unknown_lead" in [p.kind for p in both.data.problems]


def test_the_logs_text_is_kept_as_bind_made_it(files, tmp_path):
    """After binding, the raw log holds the instants bind parsed (sharing the events' memory) and its lead ids
    as a categorical of the lead file's ids, instead of 12M texts each; binding that table again gives the same
    events and problems. A log with a row that did not become
    an event keeps its text, so a later bind reports the same problem."""
    model = load_model(MODEL)
    loaded = pipeline.load(model, files[0], files[1], as_of="2026-08-31")
    ts = loaded.activities.frame["timestamp"]
    assert pd.api.types.is_datetime64_any_dtype(ts.dtype)
    assert np.shares_memory(ts.to_numpy(), loaded.data.events.ts)
    ids = loaded.activities.frame["lead_id"]
    assert isinstance(ids.dtype, pd.CategoricalDtype)
    assert ids.astype(str).tolist() == pd.read_csv(files[1], dtype=str)["lead_id"].tolist()  # the same values
    again = pipeline.load(model, loaded.leads, loaded.activities, as_of="2026-08-31")
    np.testing.assert_array_equal(again.data.events.ts, loaded.data.events.ts)
    np.testing.assert_array_equal(again.data.events.lead, loaded.data.events.lead)
    np.testing.assert_array_equal(again.scorer.result.score, loaded.scorer.result.score)
    assert [p.message for p in again.data.problems] == [p.message for p in loaded.data.problems]

    log = tmp_path / "acts.csv"
    raw = pd.read_csv(files[1], dtype=str)
    raw.loc[3, "timestamp"] = "not a date"
    raw.to_csv(log, index=False)
    kept = pipeline.load(model, files[0], log, as_of="2026-08-31")
    assert kept.activities.frame["timestamp"].iloc[3] == "not a date"
    rebound = pipeline.load(model, kept.leads, kept.activities, as_of="2026-08-31")
    assert [p.message for p in rebound.data.problems] == [p.message for p in kept.data.problems]
    assert any(p.column == "timestamp" for p in kept.data.problems)


def test_load_without_scoring_binds_the_same_data(files):
    """``score=False`` (what ``simulate`` asks for: the replay scores every day itself) stops after binding."""
    model = load_model(MODEL)
    bound = pipeline.load(model, files[0], files[1], as_of="2026-08-31", score=False)
    scored = pipeline.load(model, files[0], files[1], as_of="2026-08-31")
    assert bound.scorer is None and bound.score_seconds == 0.0 and scored.scorer is not None
    np.testing.assert_array_equal(bound.data.events.lead, scored.data.events.lead)
    pd.testing.assert_frame_equal(bound.data.frame, scored.data.frame)
    assert [p.message for p in pipeline.check(bound).warnings] == [p.message for p in pipeline.check(scored).warnings]


def test_a_log_given_as_a_dataframe_is_never_changed(files):
    """Only a log the pipeline read itself is kept in bind's form: a caller's DataFrame stays as it was."""
    model = load_model(MODEL)
    leads = pd.read_csv(files[0], dtype=str)
    acts = pd.read_csv(files[1], dtype=str)
    before = acts.copy()
    loaded = pipeline.load(model, leads, acts, as_of="2026-08-31")
    pd.testing.assert_frame_equal(acts, before)
    assert loaded.activities.frame is acts and len(loaded.data.events) == len(acts)
