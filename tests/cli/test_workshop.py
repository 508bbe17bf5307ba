"""`leaddesigner workshop deck` and `leaddesigner workshop agreement`: the deck's vote form writes a file the
agreement reads; the deck never shows a score; bad votes name the line."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from leaddesigner.api import load_model, scorer
from leaddesigner.core.workshop.cards import deal
from leaddesigner.core.workshop.votes import VOTES, Vote, Votes, read_votes, write_votes

from .helpers import run

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "sample_models" / "enterprise_fit_first.yaml"
LEADS = ROOT / "sample_models" / "data" / "leads.csv"
EVENTS = ROOT / "sample_models" / "data" / "activities.csv"
HUBSPOT = ROOT / "tests" / "fixtures" / "crm" / "hubspot_contacts.csv"

# a tiny DOM for the deck's script: cards, buttons, the name field; the download is captured
NODE_DOM = r"""
const fs = require('fs'); const ids = JSON.parse(process.argv[1]);
const cl = () => ({ toggle() {} });
const cards = ids.map(id => { const b = [0, 1, 2].map(() => ({ classList: cl(), addEventListener(e, f) { this.f = f; } }));
  return { dataset: { id }, classList: cl(), querySelectorAll: () => b, b }; });
const els = { voter: { value: process.argv[2] }, role: { value: 'marketing' }, pos: { textContent: '' } };
let key, out = null;
global.document = { querySelectorAll: () => cards, getElementById: i => els[i], addEventListener: (e, f) => { key = f; },
  createElement: () => ({ click() { out = this.h; }, set href(v) { this.h = v; } }) };
global.Blob = function (p) { this.text = p.join(''); }; global.URL = { createObjectURL: b => b };
global.alert = m => { throw new Error(m); };
eval(fs.readFileSync(process.argv[3], 'utf8') + ';global.download = download;');
for (const k of ['1', '2', '3', 'ArrowLeft', '1']) key({ key: k, target: { tagName: 'BODY' } });
cards[5].b[2].f();
download();
process.stdout.write(out.text);
"""


@pytest.fixture(scope="module")
def deck_html(tmp_path_factory):
    from leaddesigner.core.workshop.deck import render_deck

    sc = scorer(load_model(MODEL), LEADS, EVENTS)
    deck = deal(sc, 12, seed=0)
    return deck, sc, render_deck(deck, model_name=sc.model.name)


def test_deck_writes_a_standalone_file_without_scores(capsys, tmp_path):
    out = tmp_path / "deck.html"
    code, _, err = run(capsys, "workshop", "deck", MODEL, LEADS, "--activities", EVENTS, "--cards", 10, "--seed", 3,
                       "-o", out)
    assert code == 0 and "Wrote" in err and "10 cards" in err
    html = out.read_text(encoding="utf-8")
    assert html.count("class='card'") == 10 and "<script src" not in html and "http" not in html.replace("http-equiv", "")
    sc = scorer(load_model(MODEL), LEADS, EVENTS)
    again = deal(sc, 10, seed=3)
    assert re.findall(r"data-id='([^']+)'", html) == again.ids()  # the CLI scores as the API does: same deck
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)>.*?</\1>", "", html, flags=re.S))
    visible = re.sub(r"/\S+", " ", visible)  # page addresses are what the lead read (/blog/mql-vs-sql), not a verdict
    assert not re.search(r"\b(MQL|SQL|points|score)\b", visible, re.I), "the deck shows a verdict"
    for c in again.cards:
        assert f"lead {c.lead_id}" in html  # small print to match answers


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: the deck's script is checked with node")
def test_the_deck_s_vote_form_writes_a_votes_file_the_app_reads(deck_html, tmp_path):
    deck, _, html = deck_html
    js = tmp_path / "deck.js"
    js.write_text(re.search(r"<script>(.*)</script>", html, re.S).group(1), encoding="utf-8")
    csv_text = subprocess.run(["node", "-e", NODE_DOM, json.dumps(deck.ids()), 'Zoë "Z" Παπαδοπούλου', str(js)],
                              capture_output=True, text=True, check=True, encoding="utf-8").stdout
    f = tmp_path / "answers.votes.csv"
    f.write_text(csv_text, encoding="utf-8")
    got = [(v.lead_id, v.voter, v.vote, v.role) for v in read_votes(f)]
    who = 'Zoë "Z" Παπαδοπούλου'
    ids = deck.ids()
    # keys 1, 2, 3 answer cards 1-3; an arrow back and 1 changes card 3; a click answers card 6
    assert got == [(ids[0], who, VOTES[0], "marketing"), (ids[1], who, VOTES[1], "marketing"),
                   (ids[2], who, VOTES[0], "marketing"), (ids[5], who, VOTES[2], "marketing")]


def test_agreement_prints_the_core_s_figures(capsys, tmp_path, deck_html):
    """The CLI prints what core.workshop computes for the same votes: one source for the figures."""
    from leaddesigner.core.workshop.agreement import agreement
    from leaddesigner.core.workshop.suggest import suggest_changes

    deck, sc, _ = deck_html
    votes = Votes()
    for k, c in enumerate(deck.cards):
        call = c.model_says_call != (k % 4 == 0)  # the room disagrees on every fourth card
        for who, role in (("Ana", "sales"), ("Ben", "sales"), ("Cleo", "marketing")):
            votes.cast(Vote(c.lead_id, who, VOTES[0] if call else VOTES[2 if who == "Ben" else 1], role))
    path = write_votes(tmp_path / "m.votes.csv", votes)
    code, out, err = run(capsys, "workshop", "agreement", MODEL, LEADS, path, "--activities", EVENTS,
                         "--outcome", "converted", "-q")
    assert code == 0, err
    ag = agreement(sc, deck.cards, votes)
    assert ag.share == pytest.approx(9 / 12) and ag.decided == 12
    for line in ag.lines():
        assert line in out
    for line in suggest_changes(sc.model, sc.data, ag).lines():
        assert line in out
    assert "Sales against marketing: 100% agree" in out


def test_agreement_names_a_bad_vote_and_an_unknown_lead(capsys, tmp_path):
    bad = tmp_path / "votes.csv"
    bad.write_text("lead_id,voter,vote\nL0000001,Ana,maybe\n")
    code, _, err = run(capsys, "workshop", "agreement", MODEL, LEADS, bad)
    assert code == 2 and "votes.csv, line 2, column vote: 'maybe'" in err
    bad.write_text("lead_id,voter,vote\nL000001,Ana,never\n")
    code, _, err = run(capsys, "workshop", "agreement", MODEL, LEADS, bad, "--activities", EVENTS, "-q")
    assert code == 2 and "does not have: 'L000001'" in err and "Did you mean" in err


def test_deck_from_a_hubspot_export(capsys, tmp_path):
    """A user's own file: a model made from the HubSpot export, a deck from it (no activity log)."""
    from leaddesigner.core.data.detect import detect
    from leaddesigner.core.data.pipeline import read
    from leaddesigner.core.data.starter import model_from_file
    from leaddesigner.core.model.io import save_model
    from leaddesigner.core.model.types import Leaf, Rule

    t = read(HUBSPOT)
    m = model_from_file(detect(t.frame, delimiter=t.info.delimiter, source=HUBSPOT.name), name="HubSpot")
    ind = next(a.name for a in m.attributes if "industry" in a.name.lower())
    m.rules = [Rule("sw", "Software", "fit", 30, when=Leaf(ind, "equals", "Software"))]
    m.thresholds.mql = 20
    save_model(m, tmp_path / "hub.yaml")
    out = tmp_path / "deck.html"
    code, _, err = run(capsys, "workshop", "deck", tmp_path / "hub.yaml", HUBSPOT, "-o", out)
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert html.count("class='card'") == 12 and "Lifecycle" not in html and "First name" not in html


def test_the_report_tells_what_the_room_decided(capsys, tmp_path, deck_html):
    from leaddesigner.core.workshop.agreement import agreement

    deck, sc, _ = deck_html
    votes = Votes()
    for k, c in enumerate(deck.cards):
        for who, role in (("Ana", "sales"), ("Cleo", "marketing")):
            call = c.model_says_call if role == "marketing" or k % 3 else not c.model_says_call
            votes.cast(Vote(c.lead_id, who, VOTES[0] if call else VOTES[1], role))
    path = write_votes(tmp_path / "m.votes.csv", votes)
    out = tmp_path / "report.html"
    code, _, err = run(capsys, "report", MODEL, LEADS, "--activities", EVENTS, "--votes", path, "-o", out, "-q")
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    ag = agreement(sc, deck.cards, votes)
    assert "What sales and marketing decided together" in html
    assert f"on <b>{round(ag.share * 100):.0f}%</b> of the {ag.decided} leads" in html
    assert f"Sales and marketing agreed with each other on {round(ag.sales_marketing_share * 100):.0f}%" in html
    for c in deck.cards:
        assert c.story.headline.split(" at ")[0].replace("&", "&amp;") in html
