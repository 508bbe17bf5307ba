"""Workshop mode's core: the deck of example leads, their stories, the votes file, agreement, suggestions."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leaddesigner.api import load_model, scorer
from leaddesigner.core.model.types import Attribute, Leaf, Rule, ScoringModel, Thresholds
from leaddesigner.core.workshop.agreement import agreement, cohen_kappa
from leaddesigner.core.workshop.cards import MAX_CARDS, MIN_CARDS, Card, deal, swap_card
from leaddesigner.core.workshop.story import Story, event_phrase
from leaddesigner.core.workshop.suggest import impact, suggest_changes
from leaddesigner.core.workshop.votes import VOTES, Vote, VoteError, Votes, read_votes, votes_path, write_votes

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_models"


@pytest.fixture(scope="module")
def sample():
    m = load_model(SAMPLES / "enterprise_fit_first.yaml")
    return scorer(m, SAMPLES / "data" / "leads.csv", SAMPLES / "data" / "activities.csv", horizon_days=30)


# ------------------------------------------------------------------ the deck
def test_the_deck_is_mostly_near_the_line_and_reproducible(sample):
    deck = deal(sample, 15, seed=3)
    kinds = [c.stratum for c in deck.cards]
    assert len(deck.cards) == 15 and len({c.row for c in deck.cards}) == 15
    assert kinds.count("clear yes") == 3 and kinds.count("clear no") == 3 and kinds.count("near the line") == 9
    t, score = deck.threshold, sample.result.score
    for c in deck.cards:
        assert c.score == score[c.row]
        if c.stratum == "near the line":
            assert abs(c.score - t) <= deck.band
        elif c.stratum == "clear yes":
            assert c.model_says_call and c.score - t > deck.band
        else:
            assert not c.model_says_call and t - c.score > deck.band
    near = [c for c in deck.cards if c.stratum == "near the line"]
    assert sum(c.score >= t for c in near) in (4, 5)  # both sides of the line
    assert deal(sample, 15, seed=3).ids() == deck.ids()
    assert deal(sample, 15, seed=4).ids() != deck.ids()
    assert len(deal(sample, 2).cards) == MIN_CARDS and len(deal(sample, 99).cards) == MAX_CARDS


def test_a_swapped_card_is_another_lead_of_the_same_kind(sample):
    deck = deal(sample, 10, seed=1)
    before = deck.ids()
    old = deck.cards[4]
    new = swap_card(sample, deck, 4)
    assert new.stratum == old.stratum and new.lead_id not in before and deck.cards[4] is new
    assert [c for i, c in enumerate(deck.ids()) if i != 4] == [c for i, c in enumerate(before) if i != 4]


# ------------------------------------------------------------------ stories
def test_a_card_tells_every_attribute_the_model_uses_and_never_the_verdict(sample):
    used = {a for r in sample.model.rules if r.enabled for a in r.attributes()}
    for c in deal(sample, 30, seed=2).cards:
        assert used <= set(c.story.attributes), used - set(c.story.attributes)
        text = c.story.text()
        words = set(re.findall(r"[A-Za-z0-9]+", text))
        assert not {"MQL", "SQL", "points", "grade"} & words, text
        assert c.grade is None or c.grade not in words
        score_labels = [k for k, _ in c.story.facts if "score" in k.lower()]  # an attribute the model reads
        assert "score" not in re.sub("|".join(map(re.escape, score_labels)) or "^$", "", text).lower(), text
        assert c.story.headline.endswith(".") and c.lead_id == c.story.lead_id
        # an e-mail address shows its domain only
        assert not re.search(r"[\w.]+@[\w-]+\.", text.replace("\u2026@", "@@")), text


def test_a_crm_s_own_score_rating_status_and_names_stay_off_the_card():
    """Salesforce's Rating and Lead Status, HubSpot's Lifecycle Stage, a person's name: the room judges the lead."""
    from leaddesigner.core.data.detect import detect
    from leaddesigner.core.data.pipeline import load, read
    from leaddesigner.core.data.starter import model_from_file

    crm = ROOT / "tests" / "fixtures" / "crm"
    for name, hidden in (("salesforce_leads_report.csv", ("Rating", "Lead status", "First name", "Last name", "Converted")),
                         ("hubspot_contacts.csv", ("Lifecycle stage", "Lead status", "First name", "Last name"))):
        t = read(crm / name)
        m = model_from_file(detect(t.frame, delimiter=t.info.delimiter if t.info else None, source=name))
        m.rules = [Rule("r1", "Any industry", "fit", 5, when=Leaf(next(a.name for a in m.attributes if "industry" in a.name.lower()), "is_not_empty"))]
        sc = load(m, t).scorer
        for c in deal(sc, 10).cards:
            labels = {k.lower() for k, _ in c.story.facts}
            assert not labels & {h.lower() for h in hidden}, (name, labels)
            assert "email" in labels or "e-mail" in labels  # shown (as its domain): a rule could read it
            assert c.story.headline and "None" not in c.story.text()


def test_events_are_told_in_time_order_and_only_until_the_lead_is_scored(sample):
    d = sample.data
    moments = d.row_as_of_ns()
    deck = deal(sample, 30, seed=5)
    told = [c for c in deck.cards if c.story.events]
    assert told, "no card with activity in the sample"
    for c in told:
        assert c.story.events[0].startswith("On ")
        rows = (d.events.lead == c.row) & (d.events.ts < moments[c.row])
        days = pd.to_datetime(d.events.ts[rows]).normalize().unique()
        assert len(c.story.events) == len(days)


def test_international_values_are_told_as_written():
    m = ScoringModel(name="t", lead_id="id")
    m.attributes = [Attribute("job_title", "category", "demographic"), Attribute("country", "category", "firmographic"),
                    Attribute("industry", "category", "firmographic"), Attribute("company_size", "number", "firmographic")]
    m.rules = [Rule("r1", "Norway", "fit", 10, when=Leaf("country", "equals", "NO"))]
    leads = pd.DataFrame({"id": ["a", "b", "c", "d"], "job_title": ["Διευθυντής Πωλήσεων", "İşletme Müdürü", "CFO", "VP Sales"],
                          "country": ["NO", "TR", "GR", "United States"], "industry": ["Λογισμικό", "Yazılım", "Software", "Other"],
                          "company_size": [300, 45, 1200, 80]})
    sc = scorer(m, leads)
    deck = deal(sc, 8)
    heads = {c.lead_id: c.story.headline for c in deck.cards}
    assert heads["a"] == "Διευθυντής Πωλήσεων at a 300-person Λογισμικό company in Norway."
    assert heads["b"] == "İşletme Müdürü at a 45-person Yazılım company in Türkiye."
    assert heads["d"] == "VP Sales at an 80-person company in the United States."  # "Other" says nothing
    assert heads["c"] == "CFO at a 1,200-person Software company in Greece."


@pytest.mark.parametrize("etype, details, phrase", [
    ("page_view", ["/blog/a", "/pricing", "/docs"], "viewed 3 pages, including /pricing"),
    ("Visit Webpage", ["/"], "viewed /"),
    ("content_download", ["ROI white paper"], "downloaded ROI white paper"),
    ("Fill Out Form", ["Contact"], "filled out a form"),
    ("demo_request", [""], "asked for a demo"),
    ("Open Email", ["a", "b"], "opened 2 marketing e-mails"),
    ("webinar_attended", ["x"], "attended a webinar"),
    ("Podcast listened", ["", ""], "podcast listened (2x)"),
])
def test_event_phrases(etype, details, phrase):
    assert event_phrase(etype, details) == phrase


# ------------------------------------------------------------------ votes
def test_votes_round_trip_and_the_last_vote_counts(tmp_path):
    v = Votes([Vote("L1", "Ana", "reach out now", "sales"), Vote("L1", "Ben", "never", "marketing"),
               Vote("L2", "Ana", "not yet", "sales"), Vote("L1", "Ana", "not yet", "sales")])
    assert len(v) == 3 and v.get("L1", "Ana").vote == "not yet"
    p = write_votes(votes_path(tmp_path / "lead_model.yaml"), v)
    assert p.name == "lead_model.votes.csv"
    assert p.read_text().splitlines()[0] == "lead_id,voter,vote,role"
    back = read_votes(p)
    assert list(back) == list(v)


def test_votes_written_by_hand_are_read(tmp_path):
    p = tmp_path / "votes.csv"
    p.write_bytes("\ufeffLead ID;Voter;Vote\nL1;Ana;1\nL2;Ana; Reach out now \nL3;Zoë;3\n\n".encode("utf-8"))
    v = read_votes(p)
    assert [(x.lead_id, x.voter, x.vote, x.role) for x in v] == [
        ("L1", "Ana", "reach out now", ""), ("L2", "Ana", "reach out now", ""), ("L3", "Zoë", "never", "")]


@pytest.mark.parametrize("text, where", [
    ("lead_id,voter,vote\nL1,Ana,maybe\n", "votes.csv, line 2, column vote: 'maybe'"),
    ("lead_id,voter,vote\nL1,,never\n", "votes.csv, line 2, column voter: empty"),
    ("lead,voter,vote\nL1,Ana,never\n", "votes.csv, line 1: the header has no column lead_id"),
    ("", "votes.csv is empty"),
])
def test_a_bad_votes_file_says_where(tmp_path, text, where):
    p = tmp_path / "votes.csv"
    p.write_text(text)
    with pytest.raises(VoteError, match=re.escape(where)):
        read_votes(p)


# ------------------------------------------------------------------ agreement
def test_cohen_kappa_by_hand():
    model = [True, True, False, False, False, True]
    room = [True, False, False, False, True, True]
    # observed 4/6; chance 0.5 * 0.5 + 0.5 * 0.5 = 0.5; kappa = (2/3 - 1/2) / (1/2) = 1/3
    assert cohen_kappa(model, room) == pytest.approx(1 / 3)
    assert cohen_kappa([True, False], [True, False]) == 1.0
    assert np.isnan(cohen_kappa([True, True], [True, True]))


def _small():
    """Six leads: industry Software +30, title VP +25; MQL at 50. Scores 55, 30, 25, 0, 55, 30."""
    m = ScoringModel(name="small", lead_id="id")
    m.attributes = [Attribute("industry", "category", "firmographic"), Attribute("title", "category", "demographic")]
    m.rules = [Rule("sw", "Software company", "fit", 30, when=Leaf("industry", "equals", "Software")),
               Rule("vp", "VP title", "fit", 25, when=Leaf("title", "equals", "VP"))]
    m.thresholds = Thresholds(mql=50)
    leads = pd.DataFrame({"id": [f"L{i}" for i in range(1, 7)],
                          "industry": ["Software", "Software", "Retail", "Retail", "Software", "Software"],
                          "title": ["VP", "Analyst", "VP", "Analyst", "VP", "Analyst"]})
    sc = scorer(m, leads)
    assert list(sc.result.score) == [55, 30, 25, 0, 55, 30]
    cards = [Card(i, f"L{i + 1}", "near the line", Story(f"L{i + 1}", ""), float(sc.result.score[i]),
                  "MQL" if sc.result.score[i] >= 50 else "lead") for i in range(6)]
    return sc, cards


def _votes(pattern: dict[str, list[str]]) -> Votes:
    v = Votes()
    for lead, answers in pattern.items():
        for k, a in enumerate(answers):
            v.cast(Vote(lead, f"v{k}", a, "sales" if k % 2 == 0 else "marketing"))
    return v


def test_agreement_by_hand():
    sc, cards = _small()
    R, N, X = VOTES
    votes = _votes({"L1": [R, R, N], "L2": [N, R, R, R], "L3": [N, X, N], "L4": [X, X, X],
                    "L5": [R, N], "L6": [R, R, R]})
    ag = agreement(sc, cards, votes)
    # room: call, call, no, no, split, call; model: call, no, no, no, call, no
    assert [c.room for c in ag.cards] == [True, True, False, False, None, True]
    assert [c.model for c in ag.cards] == [True, False, False, False, True, False]
    assert ag.decided == 5 and ag.split == 1 and ag.share == pytest.approx(3 / 5)
    # model [T,F,F,F,F] vs room [T,T,F,F,T]: po 3/5, pm 1/5, pr 3/5, pe .2*.6 + .8*.4 = .44, kappa (.6-.44)/.56
    assert ag.kappa == pytest.approx((0.6 - 0.44) / 0.56)
    l2 = ag.cards[1]
    assert l2.agrees is False and l2.reasons[0] == "lacks 20 points for the MQL line 50"
    # sales (v0, v2) against marketing (v1, v3) per card, where both have a majority
    assert ag.sales_marketing_share is not None
    assert "Cohen's kappa" in "\n".join(ag.lines())


def test_suggestion_agrees_with_the_room_and_applies_as_one_command():
    sc, cards = _small()
    R, N, X = VOTES
    # the room calls every Software lead (L1, L2, L5, L6), no Retail lead
    votes = _votes({"L1": [R, R], "L2": [R, R], "L3": [N, N], "L4": [X, X], "L5": [R, R], "L6": [R, R]})
    ag = agreement(sc, cards, votes)
    assert ag.share == pytest.approx(4 / 6)
    s = suggest_changes(sc.model, sc.data, ag)
    assert s.agree_before == 4 and s.agree_after == 6
    assert [(c.rule_id, c.old) for c in s.changes] == [("sw", 30.0)] and s.changes[0].new == 50.0
    cmd = s.command()
    m = sc.model.copy()
    cmd.apply(m)
    assert next(r for r in m.rules if r.id == "sw").points == 50
    imp = impact(sc.model, sc.data, s, np.array([1, 1, 0, 0, 1, 0], dtype=bool))
    assert (imp.mqls_before, imp.mqls_after) == (2, 4)


@pytest.mark.parametrize("seed", range(6))
def test_a_suggestion_never_makes_agreement_worse(sample, seed):
    deck = deal(sample, 12, seed=seed)
    rng = np.random.default_rng(seed)
    votes = Votes([Vote(c.lead_id, f"v{k}", VOTES[int(rng.integers(0, 3))]) for c in deck.cards for k in range(3)])
    ag = agreement(sample, deck.cards, votes)
    s = suggest_changes(sample.model, sample.data, ag)
    assert s.agree_after >= s.agree_before
    if s.changes:
        assert s.agree_after > s.agree_before
        assert all(float(c.new).is_integer() and c.new != c.old for c in s.changes) and len(s.changes) <= 3
