"""core.report: the sales report is one valid, self-contained HTML page with its charts,
every rule label (escaped), and no way for user text to inject markup."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from leaddesigner import paths
from leaddesigner.core.model import describe as D
from leaddesigner.core.scoring.engine import Scorer, bind
from leaddesigner.core.data.leadfile import read_table
from leaddesigner.core.model.io import load_model, loads_model
from leaddesigner.core.export.report import model_hash, render_report, write_report
from leaddesigner.core.export.report_charts import nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Balance(HTMLParser):
    """Every start tag closed in order (HTML void elements aside)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}> at {self.getpos()}")
        else:
            self.stack.pop()


def check_html(html: str) -> ET.Element:
    p = Balance()
    p.feed(html)
    p.close()
    assert p.errors == [] and p.stack == [], (p.errors[:5], p.stack)
    return ET.fromstring(html.split("\n", 1)[1] if html.startswith("<!DOCTYPE") else html)  # strict XML too


def no_external_resources(html: str) -> None:
    low = html.lower()
    for bad in ("<script", "<link", "<img", "<iframe", "@import", "url(", " src=", " href=", "<object"):
        assert bad not in low, bad
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml"}, urls


@pytest.fixture(scope="module")
def sample():
    model = load_model(paths.samples_dir() / "enterprise_fit_first.yaml")
    leads = read_table(paths.sample_leads())
    acts = read_table(paths.sample_activities())
    data = bind(model, leads, acts)
    return model, data


@pytest.fixture(scope="module")
def full_report(sample):
    model, data = sample
    return render_report(
        model, data, outcome="converted", converted_at="converted_at", first_contact="first_sales_contact_at",
        leads_source="leads.csv", activities_source="activities.csv", n_boot=50,
    )


def test_report_is_valid_html_with_its_charts(full_report):
    root = check_html(full_report)
    svgs = root.findall(f".//{SVG}svg")
    # distribution, weekly MQLs, gains, deciles, score at conversion, score at first contact
    assert len(svgs) == 6
    for svg in svgs:
        assert svg.find(f"{SVG}title").text  # an accessible name
        assert len(svg.findall(f".//{SVG}text")) >= 5  # tick labels, axis labels, legend
        assert svg.findall(f".//{SVG}rect") or svg.findall(f".//{SVG}polyline")
    no_external_resources(full_report)


def test_report_has_every_section(full_report, sample):
    model, _ = sample
    for heading in ("What the words mean", "Every rule, in plain words", "Limits on points", "Thresholds and grades",
                    "SDR capacity against MQLs per week", "How the scores are spread", "Has the score predicted sales?",
                    "Score at the moment of conversion", "Changes to the model"):
        assert f">{heading}<" in full_report, heading
    assert "AUC 0." in full_report and "95% interval" in full_report
    assert model_hash(model) in full_report and "version 3.2" in full_report
    assert "A1 <span class=\"mqltag\">MQL</span>" in full_report  # the MQL cells of the grade grid
    assert "B4 <span" not in full_report
    assert "\u221225" in full_report  # negative points with a real minus sign
    assert full_report.count('class="neglabel"') == sum(
        1 for r in model.rules for ln in D.rule_lines(r, model) if r.enabled and ln.points < 0
    )


def test_every_rule_label_is_in_the_report(full_report, sample):
    model, _ = sample
    root = check_html(full_report)
    text = "".join(root.itertext())
    for r in model.rules:
        assert r.label in text, r.label


def test_user_text_is_escaped(sample):
    model, data = sample
    m = model.copy()
    m.name = "Evil <script>alert('name')</script>"
    m.rules[0].label = "<script>alert(1)</script>"
    m.rules[1].why = "\"quoted\" & <b>bold</b>"
    m.definitions["mql"] = "</dd></dl><script>alert(2)</script>"
    from leaddesigner.core.model.types import ChangelogEntry

    m.changelog = [ChangelogEntry("2026-01-01", "<img src=x onerror=alert(3)>", "raised <MQL> & more")]
    html = render_report(m, Scorer(m, data), leads_source="<leads>.csv")
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&amp;" in html
    root = check_html(html)
    text = "".join(root.itertext())
    assert "<script>alert(1)</script>" in text  # shown to the reader as written
    assert "raised <MQL> & more" in text


def test_report_without_outcome_or_dates():
    model = loads_model(
        "schema_version: 1\nname: Tiny\nlead_id: id\nattributes:\n  - {name: size, type: number}\n"
        "rules:\n  - {id: big, label: Big, dimension: fit, when: {attribute: size, op: gte, value: 100}, points: 60}\n"
        "  - {id: small, label: Small, dimension: fit, when: {attribute: size, op: lt, value: 10}, points: -5}\n"
        "thresholds: {mql: 50}\n"
    )
    data = bind(model, pd.DataFrame({"id": ["a", "b", "c"], "size": [500, 5, np.nan]}))
    html = render_report(model, data)
    root = check_html(html)
    assert len(root.findall(f".//{SVG}svg")) == 1  # the distribution only
    assert "no creation date" in html and "No outcome column was given" in html
    assert "This model has no grades" in html
    assert "(from the model\u2019s thresholds" in html  # default definitions
    no_external_resources(html)


def test_write_report_is_atomic_and_returns_the_page(tmp_path, sample):
    model, data = sample
    out = tmp_path / "r.html"
    out.write_text("old")
    html = write_report(out, model, data, n_boot=0)
    assert out.read_text(encoding="utf-8") == html
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temp file left behind


def test_unknown_option_is_an_error(sample):
    model, data = sample
    with pytest.raises(TypeError):
        render_report(model, data, colour="red")


def test_nice_ticks():
    assert list(nice_ticks(0, 100, 5)) == [0, 20, 40, 60, 80, 100]
    assert list(nice_ticks(0, 1043, 5)) == [0, 250, 500, 750, 1000, 1250]
    t = nice_ticks(0, 0.23, 5)
    assert t[0] == 0 and t[-1] >= 0.23


def test_describe_rules_in_plain_words(sample):
    model, _ = sample
    size = D.rule_lines(model.rule("size"), model)
    assert [(ln.when, ln.points) for ln in size] == [
        ("Company size is under 200", -15),
        ("Company size is 200 to under 1,000", 10),
        ("Company size is 1,000 to under 5,000", 20),
        ("Company size is 5,000 or more", 25),
    ]
    (demo,) = D.rule_lines(model.rule("demo"), model)
    assert demo.when.startswith("Each demo request") and "in the last 60 days" in demo.when
    assert "at most 30 points" in demo.note
    (pricing,) = D.rule_lines(model.rule("pricing"), model)
    assert "half as much after 21 days" in pricing.note
    assert D.points(-15) == "\u221215" and D.points(2.5) == "+2.5" and D.points(0) == "0"
    assert D.band_ranges({"A": 40, "B": 25, "C": None}) == [("A", "40 or more"), ("B", "25 to under 40"), ("C", "under 25")]
    assert any("at most 20 points together" in x for x in D.caps_lines(model))
