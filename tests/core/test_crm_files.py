"""Files shaped like real CRM exports load, detect, profile, fit, score and backtest with no hand edits.

The fixtures in ``tests/fixtures/crm/`` are written by ``make_exports.py`` there
(seeded): a HubSpot contacts export, a Salesforce report with its footer, a
Marketo workbook with a cover sheet, a European ;-separated export and a
web-analytics export without any id column.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaddesigner.core.data.coerce import coerce_types
from leaddesigner.core.data.detect import ROW_NUMBERS, detect, guess_column
from leaddesigner.core.data.leadfile import LeadFileError, read_file
from leaddesigner.core.data.outcome import OutcomeError, OutcomeSpec, candidates, resolve
from leaddesigner.core.data.pipeline import check, load, read
from leaddesigner.core.data.profile import profile
from leaddesigner.core.data.starter import model_from_file
from leaddesigner.core.model.io import dumps_model, loads_model

CRM = Path(__file__).resolve().parents[1] / "fixtures" / "crm"
HUBSPOT = CRM / "hubspot_contacts.csv"
SALESFORCE = CRM / "salesforce_leads_report.csv"
MARKETO = CRM / "marketo_leads.xlsx"
EU = CRM / "eu_leads_semicolon.csv"
WEB = CRM / "web_analytics_no_id.csv"


@pytest.fixture(scope="module")
def tables():
    return {p.name: read(p) for p in (HUBSPOT, SALESFORCE, MARKETO, EU, WEB)}


def test_fixtures_are_what_the_generator_writes(tmp_path, monkeypatch):
    """The committed files are reproducible from the seeded generator (no hand edits crept in)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_exports", CRM / "make_exports.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "HERE", tmp_path)
    mod.main()
    for name in ("hubspot_contacts.csv", "salesforce_leads_report.csv", "eu_leads_semicolon.csv", "web_analytics_no_id.csv"):
        assert (tmp_path / name).read_bytes() == (CRM / name).read_bytes(), name
    a, b = pd.read_excel(tmp_path / "marketo_leads.xlsx", sheet_name=None), pd.read_excel(MARKETO, sheet_name=None)
    assert a.keys() == b.keys() and all(a[k].equals(b[k]) for k in a)


# ---------------------------------------------------------------- reading
def test_salesforce_footer_is_left_out_and_said():
    df, info = read_file(SALESFORCE)
    assert len(df) == 1000 and len(info.footer) == 5
    assert df["Lead ID"].notna().all() and not df["Lead ID"].str.contains("Grand Totals").any()
    assert any('"Grand Totals (1000 records)"' in n and "Confidential Information" in n for n in info.notes)


def test_a_one_field_line_inside_the_data_is_still_an_error(tmp_path):
    p = tmp_path / "broken.csv"
    p.write_text('"a","b"\n"1","2"\n"oops"\n"3","4"\n"Grand Totals (2 records)"\n')
    with pytest.raises(LeadFileError) as e:
        read_file(p)
    assert "line 3" in str(e.value) and "expected 2 fields" in str(e.value)


def test_a_workbook_reads_the_sheet_that_holds_the_table():
    df, info = read_file(MARKETO)
    assert info.sheet == "Leads" and info.sheets == ["Export info", "Leads"] and len(df) == 1000
    assert any('sheet "Leads"' in n for n in info.notes)
    cover, info = read_file(MARKETO, sheet="Export info")
    assert info.sheet == "Export info" and len(cover) == 3 and not info.notes


def test_european_export_numbers_dates_and_text(tables):
    t = tables["eu_leads_semicolon.csv"]
    det = detect(t.frame, delimiter=t.info.delimiter)
    assert det.columns["Jahresumsatz"].format == "1.234,5"
    assert det.columns["Erstellt am"].format == "D/M/Y"
    assert det.columns["Newsletter"].type == "boolean" and det.columns["Gewonnen"].type == "boolean"
    # "21.000" employees beside "500": thousands, because the file is ;-separated (and said so)
    g = det.columns["Mitarbeiter"]
    assert g.format == "1.234,5" and g.ambiguous and "thousands" in g.note
    out, _ = coerce_types(t.frame, {"Mitarbeiter": "number", "Jahresumsatz": "number", "Erstellt am": "date"},
                          source="eu.csv", row_offset=2, formats=det.formats())
    assert out["Mitarbeiter"].max() > 1000 and out["Jahresumsatz"].min() >= 1000
    assert out["Erstellt am"].notna().all()
    assert "Γιώργος" in set(t.frame["Vorname"].astype(str)) and "NO" in set(t.frame["Land"].astype(str))


# ---------------------------------------------------------------- detection
@pytest.mark.parametrize(
    "values, fmt, ambiguous",
    [
        (["6/12/2025, 2:58 PM", "1/2/2025, 9:00 AM", "12/31/2025, 11:59 PM"], "M/D/Y", False),
        (["31/12/2025 14:00", "01/02/2026 09:00"], "D/M/Y", False),
        (["01/02/2025", "03/04/2025", "11/12/2025"], "M/D/Y", True),  # no value decides: the US reading, said
        (["01.02.2025", "03.04.2025"], "D/M/Y", True),  # dots are written day first
        (["2025-06-12 14:58", "2025-06-13"], None, False),
        (["2025-06-12T14:58:00Z", "2025-06-12T16:58:00+02:00"], None, False),
    ],
)
def test_date_orders_are_decided_from_the_whole_column(values, fmt, ambiguous):
    g = guess_column(pd.Series(values * 5, dtype="str"), "Create Date")
    assert g.type == "date" and g.format == fmt and g.ambiguous == ambiguous
    if ambiguous:
        assert "above 12" in g.note


def test_epoch_and_excel_dates_need_a_date_name():
    secs = pd.Series([1_717_000_000, 1_718_000_000, 1_719_500_000])
    assert guess_column(secs, "created_at").format == "unix_s"
    assert guess_column(secs * 1000, "Created Date").format == "unix_ms"
    assert guess_column(pd.Series([45000.0, 45500.0, 45800.25]), "Signup date").format == "excel"
    assert guess_column(secs, "revenue").type == "number"  # a big number is not a date by itself
    out, _ = coerce_types(pd.DataFrame({"d": [45292.0]}), {"d": "date"}, source="x.csv", row_offset=2, formats={"d": "excel"})
    assert out["d"].iloc[0] == pd.Timestamp("2024-01-01")


@pytest.mark.parametrize(
    "values, expected, fmt",
    [
        (["$1,250,000.00", "$300.50", ""], [1_250_000.0, 300.5, np.nan], None),
        (["$1.2M", "€3k", "USD 1,250"], [1_200_000.0, 3000.0, 1250.0], None),
        (["1.234,5", "12,75", "3"], [1234.5, 12.75, 3.0], "1.234,5"),
        (["1,234", "12,500", "300"], [1234.0, 12500.0, 300.0], None),
    ],
)
def test_numbers_with_separators_and_currency(values, expected, fmt):
    s = pd.Series(values * 3, dtype="str")
    g = guess_column(s, "Annual Revenue")
    assert g.type == "number" and g.format == fmt
    out, probs = coerce_types(pd.DataFrame({"v": s}), {"v": "number"}, source="x.csv", row_offset=2, formats={"v": fmt} if fmt else None)
    np.testing.assert_allclose(out["v"].to_numpy()[: len(values)], expected)
    assert not probs


@pytest.mark.parametrize("values", [["Yes", "No"], ["true", "false", ""], ["1", "0"], ["X", ""], ["Ja", "Nein"], ["Evet", "Hayır"], ["Ναι", "Όχι"]])
def test_booleans(values):
    s = pd.Series(values * 4, dtype="str")
    assert guess_column(s, "Opt in").type == "boolean"
    out, probs = coerce_types(pd.DataFrame({"b": s}), {"b": "boolean"}, source="x.csv", row_offset=2)
    assert not probs and out["b"].iloc[0] == True  # noqa: E712 - pandas BooleanDtype


def test_zip_codes_and_ids_with_leading_zeros_stay_text():
    g = guess_column(pd.Series(["01234", "00501", "12345"] * 4, dtype="str"), "Zip")
    assert g.type in ("category", "text")


def test_id_column_and_creation_date_per_export(tables):
    want = {
        "hubspot_contacts.csv": ("Record ID", "Create Date"),
        "salesforce_leads_report.csv": ("Lead ID", "Create Date"),
        "marketo_leads.xlsx": ("Id", "Created At"),
        "eu_leads_semicolon.csv": ("Kontakt-ID", "Erstellt am"),
        "web_analytics_no_id.csv": (ROW_NUMBERS, "Session Start"),
    }
    for name, (id_col, created) in want.items():
        t = tables[name]
        det = detect(t.frame, delimiter=t.info.delimiter if t.info else None, source=name)
        assert (det.id_column, det.created) == (id_col, created), name
    det = detect(tables["web_analytics_no_id.csv"].frame, source="web.csv")
    assert "numbered by their line in web.csv" in det.id_note


def test_columns_guessed_on_every_core_equal_one_at_a_time(tables, monkeypatch):
    """A big file's columns are guessed on a thread per core; every guess, note and decision is the serial one."""
    from leaddesigner.core.data import detect as detect_module

    for name, t in tables.items():
        delimiter = t.info.delimiter if t.info else None
        monkeypatch.setattr(detect_module, "_PARALLEL_CELLS", 10**12)
        serial = detect(t.frame, delimiter=delimiter, source=name)
        monkeypatch.setattr(detect_module, "_PARALLEL_CELLS", 0)
        threaded = detect(t.frame, delimiter=delimiter, source=name)
        assert threaded == serial, name
        assert list(threaded.columns) == [str(c) for c in t.frame.columns]


# ---------------------------------------------------------------- outcomes
def test_outcomes_as_users_hold_them(tables):
    hs = tables["hubspot_contacts.csv"].frame
    stage = resolve(OutcomeSpec("Lifecycle Stage", ("opportunity", "Customer")), hs)  # values compare folded
    assert stage.kind == "values" and stage.converted == int(hs["Lifecycle Stage"].isin(["opportunity", "customer"]).sum())
    became = resolve(OutcomeSpec("Became a Customer Date"), hs)
    assert became.kind == "date" and became.converted == int(hs["Became a Customer Date"].notna().sum())
    assert not np.isnat(became.at[became.y]).any() and np.isnat(became.at[~became.y]).all()
    sf = tables["salesforce_leads_report.csv"].frame
    flag = resolve(OutcomeSpec("Converted", date="Converted Date"), sf)
    assert flag.kind == "flag" and flag.converted == 87 and (~np.isnat(flag.at)).sum() == 87
    eu = tables["eu_leads_semicolon.csv"].frame
    assert resolve(OutcomeSpec("Gewonnen"), eu).converted == int((eu["Gewonnen"] == "Ja").sum())
    with pytest.raises(OutcomeError, match="--positive"):
        resolve(OutcomeSpec("Lead Status"), hs)
    with pytest.raises(OutcomeError, match="no value of 'Lead Status' is"):
        resolve(OutcomeSpec("Lead Status", ("Won",)), hs)


def test_candidates_offer_never_choose(tables):
    hs = tables["hubspot_contacts.csv"].frame
    cands = candidates(hs)
    names = [c.column for c in cands]
    assert names[0] == "Lifecycle Stage" and cands[0].suggested == ("opportunity", "customer")
    assert "Became a Customer Date" in names
    # consent flags look like yes/no outcomes and are not: never offered
    assert "Unsubscribed from all email" not in names and "Marketing contact status" not in names


# ---------------------------------------------------------------- the pipeline
@pytest.fixture(scope="module")
def sample_model():
    from leaddesigner import paths
    from leaddesigner.core.model.io import load_model

    return load_model(paths.samples_dir() / "enterprise_fit_first.yaml")


def test_every_shape_loads_into_the_sample_model(tables, sample_model):
    for name, t in tables.items():
        L = load(sample_model, t)
        assert len(L.data) == len(t.frame) and L.id_column != sample_model.lead_id, name
        assert any("Lead id:" in n for n in L.notes), name
        assert L.data.ids.is_unique, name
        c = check(L, has_log=True)
        assert any("company_size" in e for e in c.errors), name  # the model's columns are named otherwise: said


def test_a_model_made_from_the_file_round_trips_and_scores_the_same(tables):
    for name, t in tables.items():
        det = detect(t.frame, delimiter=t.info.delimiter if t.info else None, source=name)
        m = model_from_file(det, name=f"Model for {name}")
        m2 = loads_model(dumps_model(m), "m.yaml")
        assert dumps_model(m2) == dumps_model(m)
        L = load(m2, t)
        assert not check(L, has_log=True).errors
        # detected formats are stored, so production reads the file the same way
        for a in m2.attributes:
            g = det.columns[m2.column_for(a.name)]
            if a.type in ("date", "number") and g.format:
                assert a.format == g.format
        bad = [p for p in L.data.problems if p.kind == "type_mismatch"]
        assert not bad, (name, [p.message for p in bad])


def test_profile_and_a_rule_from_it_score_live(tables):
    t = tables["hubspot_contacts.csv"]
    det = detect(t.frame, source="hs.csv")
    o = resolve(OutcomeSpec("Lifecycle Stage", ("opportunity", "customer")), t.frame)
    prof = profile(t.frame, outcome=o, detection=det)
    ind = prof.column("Industry")
    y = o.y
    for v in ind.values:
        if v.value is not None:
            rows = (t.frame["Industry"].astype(str) == v.value).to_numpy()
            assert v.leads == rows.sum() and v.rate == pytest.approx(y[rows].mean())
    assert 0 < ind.iv < 1 and prof.column("Record ID").is_id and prof.column("Lifecycle Stage").is_outcome
    assert prof.column("Lead Status").after_outcome  # recorded with the outcome: flagged
    m = model_from_file(det)
    rule = ind.rule(attribute="industry", dimension="fit")
    m.rules.append(rule)
    L = load(m, t)
    best = max((v for v in ind.values if v.value is not None and v.leads >= 20), key=lambda v: v.rate)
    worst = min((v for v in ind.values if v.value is not None and v.leads >= 20), key=lambda v: v.rate)
    score = L.scorer.result.score
    col = t.frame["Industry"].astype(str).to_numpy()
    assert score[col == best.value].min() > score[col == worst.value].max()


def test_profile_without_outcome_and_numbers_in_bins(tables):
    t = tables["salesforce_leads_report.csv"]
    prof = profile(t.frame)
    emp = prof.column("No. of Employees")
    assert emp.iv is None and all(v.rate is None for v in emp.values)
    assert sum(v.leads for v in emp.values) == 1000
    r = emp.rule()
    assert r.map.bins and all(b.points == 0 for b in r.map.bins)
    assert "Lead ID" in prof.text() and prof.to_frame().shape[0] == 16


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "category", "arrow"])
def test_values_written_after_the_outcome_read_the_same_in_every_dtype(dtype):
    """Notes like "Closed won" flag a column whatever pandas holds it as; many distinct values never do."""
    import pyarrow as pa

    from leaddesigner.core.data.outcome import after_outcome_values

    def series(values):
        s = pd.Series(values, dtype=object)
        return s.astype(pd.ArrowDtype(pa.string())) if dtype == "arrow" else s.astype(dtype)

    notes = ["Closed won", "Lost to EINS", None, "new", "new", "Ringing", "new", "new", "new", "new"]
    assert after_outcome_values(series(notes))  # 3 of 9 filled leads: over the 20% share
    assert not after_outcome_values(series(notes), min_share=0.5)
    assert not after_outcome_values(series(["new"] * 9 + ["Closed won"]))  # 10%: below the share
    assert not after_outcome_values(series([None, None]))
    # more than 5,000 distinct values (an e-mail column) is never a notes column, even if they say "won"
    assert not after_outcome_values(series([f"won {i}" for i in range(5001)]))
    assert after_outcome_values(series([f"won {i}" for i in range(5000)]))


def test_date_columns_outside_the_model_are_read_as_the_pipeline_reads_them():
    """One reader (core.data.dates) for conversion dates, date outcomes and the report: EU, US, ISO, serials."""
    from leaddesigner.core.data.dates import parse_dates

    def days(a):
        return [None if np.isnat(v) else str(v)[:16] for v in a]

    eu = pd.Series(["01.02.2025", "13.02.2025", None, "", "05.03.2025"] * 4, name="Converted")
    assert days(parse_dates(eu))[:5] == ["2025-02-01T00:00", "2025-02-13T00:00", None, None, "2025-03-05T00:00"]
    us = pd.Series(["6/12/2025, 2:58 PM", "12/31/2025, 1:00 AM"])
    assert days(parse_dates(us)) == ["2025-06-12T14:58", "2025-12-31T01:00"]
    assert days(parse_dates(pd.Series(["2025-02-01T10:00:00+02:00", "2025-02-03"]))) == ["2025-02-01T08:00", "2025-02-03T00:00"]
    assert days(parse_dates(pd.Series(["01/02/2025", "x"]), "D/M/Y")) == ["2025-02-01T00:00", None]  # the known format wins
    assert days(parse_dates(pd.Series([45000.0, 45001.5]), "excel")) == ["2023-03-15T00:00", "2023-03-16T12:00"]
    assert parse_dates(pd.Series(["Won", "Lost", "Open"])) is None  # not a date column


def test_a_number_attribute_is_not_suggested_a_text_column():
    """HubSpot's 'Company Name' looks like company_size by name; its values say it is text."""
    from leaddesigner.core.data.detect import suggest_column

    cols = ["Record ID", "Company Name", "Number of Employees", "Create Date"]
    kinds = {"Record ID": "text", "Company Name": "text", "Number of Employees": "number", "Create Date": "date"}
    assert suggest_column("company_size", cols, set()) == "Company Name"  # by name alone
    assert suggest_column("company_size", cols, set(), "number", kinds) is None
    assert suggest_column("created_at", cols, set(), "date", kinds) in (None, "Create Date")
    assert suggest_column("company_name", cols, set(), "category", kinds) == "Company Name"  # text attributes still match


def test_an_attribute_added_from_a_column_reads_it_as_the_load_did(tables):
    """Adding a file column as an attribute (rules table, attributes tab) uses the load's detection: an EU
    number column is a number with its format, a day-first date a date, text a category or text, the
    name free. Without a detection the values are detected the same way."""
    from leaddesigner.core.data.starter import attribute_for_column

    t = tables["eu_leads_semicolon.csv"]
    det = detect(t.frame, delimiter=t.info.delimiter if t.info else None, source="eu")
    m = model_from_file(det)
    for col, g in det.columns.items():
        if col == det.id_column:
            continue
        a = attribute_for_column(col, {"taken"}, detection=det)
        b = attribute_for_column(col, {"taken"}, values=t.frame[col], delimiter=";")
        made = m.attribute(next(x.name for x in m.attributes if m.column_for(x.name) == col))
        assert (a.type, a.format, a.kind) == (made.type, made.format, made.kind) == (b.type, b.format, b.kind), col
    kinds = {g.type for g in det.columns.values()}
    assert {"number", "date"} <= kinds  # the fixture has EU numbers and dates: the check above covered them
    assert attribute_for_column("Umsatz", {"umsatz"}).name != "umsatz"
    assert attribute_for_column("Umsatz", set()).type == "category"


# ---------------------------------------------------------------- guessing only what binding reads
def _without_formats(m):
    """The model as a user writes it by hand: no format stored, so binding takes the detection's."""
    import dataclasses

    return dataclasses.replace(m, attributes=[dataclasses.replace(a, format=None) for a in m.attributes])


def test_guessing_only_the_model_s_columns_binds_exactly_as_guessing_all(tables):
    """``load(guess="model")`` (``score``, ``explain``, ``simulate``) guesses only the model's dates and numbers
    without a format; every export binds to the same values, problems, notes and scores as a load that guessed
    every column (EU decimal commas and day-first dates, US month-first dates, currency amounts, a workbook)."""
    from leaddesigner.core.scoring.binding import formatted_columns

    for name, t in tables.items():
        full = detect(t.frame, delimiter=t.info.delimiter if t.info else None, source=name)
        m = _without_formats(model_from_file(full, name=f"Model for {name}"))
        assert formatted_columns(m), name  # every export has a date (and most a number) whose format matters
        a, b = load(m, t, guess="all"), load(m, t, guess="model")
        assert b.data.frame.equals(a.data.frame), name
        assert b.data.ids.equals(a.data.ids) and b.id_column == a.id_column, name
        assert [(p.kind, p.column, p.message, p.rows) for p in b.data.problems] == \
               [(p.kind, p.column, p.message, p.rows) for p in a.data.problems], name
        assert b.notes == a.notes, name
        assert np.array_equal(b.scorer.result.score, a.scorer.result.score), name
        guessed = b.detection.columns
        if m.lead_id in t.frame.columns:  # the model's id is the file's: only the formatted columns are guessed
            assert set(guessed) == set(formatted_columns(m)) and not b.detection.complete, name
        else:  # lines number the leads: every column was guessed in the search for an id
            assert b.detection.complete and name == "web_analytics_no_id.csv"
        for col, g in guessed.items():
            assert g == full.columns[col], (name, col)
        assert a.detection.columns == full.columns and a.detection.complete, name


def test_a_partial_guess_falls_back_to_every_column_when_the_id_or_the_creation_date_must_be_found(tables):
    t = tables["salesforce_leads_report.csv"]
    full = detect(t.frame, source="sf.csv")
    # the model's id and creation date are in the file: only what was asked for (and the creation date)
    some = detect(t.frame, lead_id="Lead ID", created="Create Date", columns=["Annual Revenue"], source="sf.csv")
    assert sorted(some.columns) == ["Annual Revenue", "Create Date"] and not some.complete
    assert (some.id_column, some.created) == ("Lead ID", "Create Date") and some.id_note == some.created_note == ""
    # an id that is not in the file is looked for among every column, as without ``columns``
    for kw in ({"lead_id": "lead_id"}, {"lead_id": "Lead ID", "created": "created_at"}, {"lead_id": "Lead ID", "created": "Company"}):
        assert detect(t.frame, columns=["Annual Revenue"], source="sf.csv", **kw) == detect(t.frame, source="sf.csv", **kw), kw
    assert full.complete


def test_score_reads_the_model_s_formats_from_a_partial_guess(tmp_path):
    """The CLI's ``score`` guesses only what binding reads: an EU export scored by a hand-written model without
    formats gets its thousands dots (``21.000`` employees in a ;-file), decimal commas and day-first dates read
    as a load that guessed every column reads them."""
    import dataclasses
    import subprocess
    import sys

    from leaddesigner.core.model.conditions import Leaf
    from leaddesigner.core.model.types import Rule

    t = read(EU)
    m = _without_formats(model_from_file(detect(t.frame, delimiter=";", source="eu"), name="EU"))
    attr = {m.column_for(a.name): a.name for a in m.attributes}
    rules = [
        Rule("big", "1,000+ employees", "fit", 10, when=Leaf(attr["Mitarbeiter"], "gte", 1000)),
        Rule("rich", "Revenue over 20M", "fit", 5, when=Leaf(attr["Jahresumsatz"], "gte", 20_000_000)),
        Rule("summer", "Created from July", "fit", 3, when=Leaf(attr["Erstellt am"], "after", "2026-07-01")),
    ]
    m = dataclasses.replace(m, rules=rules)
    model = tmp_path / "eu.yaml"
    model.write_text(dumps_model(m))
    out = tmp_path / "scores.csv"
    run = subprocess.run([sys.executable, "-m", "leaddesigner", "score", str(model), str(EU), "-o", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    expected = load(m, t, guess="all").scorer.result.score
    got = pd.read_csv(out)["score"].to_numpy()
    assert np.array_equal(got, expected)
    assert len(set(got)) >= 4  # every rule hits some leads and misses others: the formats decided something


# ---------------------------------------------------------------- rule values the export never writes
HUBSPOT_COLUMNS = {"country": "Country/Region", "industry": "Industry", "job_title": "Job Title", "email": "Email",
                   "company_size": "Number of Employees", "annual_revenue": "Annual Revenue", "created_at": "Create Date"}


def _hubspot_model(sample_model, **rule_changes):
    import dataclasses

    rules = [dataclasses.replace(r, **rule_changes[r.id]) if r.id in rule_changes else r for r in sample_model.rules]
    return dataclasses.replace(sample_model, lead_id="Record ID", columns=dict(HUBSPOT_COLUMNS), rules=rules)


def test_a_rule_listing_codes_where_the_export_writes_names_is_said(tables, sample_model):
    """The enterprise model's countries are ISO codes; HubSpot writes ``United States``: the rule matches no lead.
    Said once, with what the column holds and how to fix it, in the checks the command line prints."""
    from leaddesigner.core.model.conditions import Leaf
    from leaddesigner.core.scoring.value_checks import KIND, values_never_found

    t = tables["hubspot_contacts.csv"]
    L = load(_hubspot_model(sample_model), t)
    probs = values_never_found(L.model, L.data)
    assert [(p.kind, p.column, p.count, p.rules) for p in probs] == [(KIND, "Country/Region", 1000, ["icp_country"])]
    msg = probs[0].message
    assert "“Country we sell in” (icp_country): none of its values (US, GB, DE, CA, NL, AU) occur in column 'Country/Region'" in msg
    assert "gives its points to no lead" in msg and "United States (378), United Kingdom (105)" in msg
    assert "lists codes and the file writes names" in msg
    assert L.scorer.rule_hits("icp_country") == 0  # what the message says: no lead gets the points
    assert [w.kind for w in check(L, has_log=True).warnings].count(KIND) == 1
    # the values as the file writes them, in any case (folded as the engine folds): found, nothing said
    named = Leaf("country", "in", ["united states", "UNITED KINGDOM", "Germany"])
    L2 = load(_hubspot_model(sample_model, icp_country={"when": named}), t)
    written = int(t.frame["Country/Region"].isin(["United States", "United Kingdom", "Germany"]).sum())
    assert values_never_found(L2.model, L2.data) == [] and L2.scorer.rule_hits("icp_country") == written > 483
    # ... unless the rule compares case by case
    strict = Leaf("country", "in", ["united states"], case_sensitive=True)
    L3 = load(_hubspot_model(sample_model, icp_country={"when": strict}), t)
    assert [p.rules for p in values_never_found(L3.model, L3.data)] == [["icp_country"]]


def test_only_value_lists_that_give_points_are_checked(sample_model):
    """``not``, ``not in`` and ``contains`` matching nothing can be meant; a value map whose keys never occur gives
    every lead its default; an empty column is said elsewhere; Greek and Turkish values fold as the engine folds."""
    import dataclasses

    from leaddesigner.core.model.conditions import AnyOf, Leaf, Not
    from leaddesigner.core.model.types import Rule, ValueMap
    from leaddesigner.core.scoring import value_checks
    from leaddesigner.core.scoring.engine import bind

    n = 50
    frame = pd.DataFrame({
        "lead_id": [f"L{i}" for i in range(n)],
        "country": pd.Categorical(["ΕΛΛΆΔΑ", "TÜRKİYE", "NO"] * 16 + ["NO", "NO"]),
        "industry": pd.Series(["Banking", "Insurance"] * 25, dtype="str"),
        "job_title": pd.Series(["CEO", "CFO"] * 25, dtype="str"),
        "email": pd.Series([None] * n, dtype="str"),
    })
    attrs = [a for a in sample_model.attributes if a.name in ("country", "industry", "job_title", "email")]

    def said(*rules):
        m = dataclasses.replace(sample_model, attributes=attrs, rules=list(rules), lead_id="lead_id", columns={},
                                persona=None, products=[], caps=[])
        return [p.rules[0] for p in value_checks.values_never_found(m, bind(m, frame))]

    def cond(rid, when):
        return Rule(rid, rid, "fit", 5, when=when)

    assert said(cond("greek", Leaf("country", "equals", "Ελλάδα")), cond("norway", Leaf("country", "in", ["no"]))) == []
    assert said(cond("turkey", Leaf("country", "equals", "Türkiye"))) == []  # TÜRKİYE folds to türkiye
    assert said(cond("iso", Leaf("country", "in", ["GR", "TR"]))) == ["iso"]
    assert said(cond("neg", Not(Leaf("country", "in", ["GR"]))), cond("notin", Leaf("country", "not_in", ["GR"])),
                cond("has", Leaf("country", "contains", "xyz"))) == []
    assert said(cond("any", AnyOf([Leaf("country", "in", ["GR"]), Leaf("industry", "in", ["Banking"])]))) == ["any"]
    assert said(cond("empty", Leaf("email", "in", ["a@b.c"]))) == []
    m = Rule("ind", "Industry", "fit", 0, map=ValueMap("industry", {"Software": 10, "Retail": 4}, default=-2))
    assert said(m) == ["ind"]
    m_ok = Rule("ind", "Industry", "fit", 0, map=ValueMap("industry", {"banking": 10}))
    assert said(m_ok) == []
    value_checks_rows = value_checks.MAX_TEXT_ROWS
    cto = cond("cto", Leaf("job_title", "in", ["CTO"]))
    assert said(cto) == ["cto"] and said(cond("ceo", Leaf("job_title", "equals", "ceo"))) == []
    try:  # a long text column that is not categorical is not counted on every edit: not checked
        value_checks.MAX_TEXT_ROWS = 10
        assert said(cto) == [] and said(cond("iso", Leaf("country", "in", ["GR"]))) == ["iso"]
    finally:
        value_checks.MAX_TEXT_ROWS = value_checks_rows


def test_a_categorical_of_ids_is_not_counted_for_value_lists(sample_model, monkeypatch):
    """Hostile shape: an attribute typed category mapped to a column of unique ids. Its distinct values are not
    what a value list names; counting them would stall the app's first refresh of the Problems tab."""
    import dataclasses

    from leaddesigner.core.model.conditions import Leaf
    from leaddesigner.core.model.types import Rule
    from leaddesigner.core.scoring import value_checks
    from leaddesigner.core.scoring.engine import bind

    n = 3000
    frame = pd.DataFrame({"lead_id": [f"L{i}" for i in range(n)], "country": pd.Categorical([f"id-{i}" for i in range(n)])})
    m = dataclasses.replace(sample_model, attributes=[a for a in sample_model.attributes if a.name == "country"],
                            rules=[Rule("us", "US", "fit", 5, when=Leaf("country", "in", ["US"]))], lead_id="lead_id",
                            columns={}, persona=None, products=[], caps=[])
    assert [p.rules for p in value_checks.values_never_found(m, bind(m, frame))] == [["us"]]
    monkeypatch.setattr(value_checks, "MAX_DISTINCT", n - 1)
    assert value_checks.values_never_found(m, bind(m, frame)) == []


def test_the_load_counts_the_values_so_the_window_only_compares(tables, sample_model, monkeypatch):
    """``load`` (the app's worker thread) counts the columns the value lists read; asking after an edit counts
    nothing again (1M leads: 24 ms that would freeze the window when the data arrives)."""
    from leaddesigner.core.scoring import value_checks

    L = load(_hubspot_model(sample_model), tables["hubspot_contacts.csv"])

    def no_count(s):
        raise AssertionError(f"{s.name} counted in the window's thread")

    monkeypatch.setattr(value_checks, "_present", no_count)
    assert [p.rules for p in value_checks.values_never_found(L.model, L.data)] == [["icp_country"]]


def test_files_let_go_once_bound_score_the_same(tables, sample_model):
    """``load(keep_files=False)`` (``score``): the files as read keep their columns, not their rows; a frame the
    caller gave is the caller's and is never emptied."""
    from leaddesigner.core.data.pipeline import read as read_table

    m = _hubspot_model(sample_model)
    kept, let_go = load(m, HUBSPOT), load(m, HUBSPOT, keep_files=False)
    assert np.array_equal(let_go.scorer.result.score, kept.scorer.result.score)
    assert let_go.data.frame.equals(kept.data.frame) and let_go.notes == kept.notes
    assert len(let_go.leads.frame) == 0 and list(let_go.leads.frame.columns) == list(kept.leads.frame.columns)
    given = read_table(HUBSPOT)  # a table (or frame) the caller read, as the app keeps one for the next bind
    rows = len(given.frame)
    assert len(load(m, given, keep_files=False).leads.frame) == rows == len(given.frame)
    assert load(m, given.frame, keep_files=False).leads.frame is given.frame and len(given.frame) == rows
