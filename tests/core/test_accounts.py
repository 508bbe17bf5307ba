"""Accounts: contacts grouped by e-mail domain or a key column, scores combined, buying group, account rules,
MQA and the week each account became one; every figure below is worked out by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leaddesigner import api
from leaddesigner.core.model.accounts import (
    AccountRule,
    Accounts,
    BuyingGroup,
    accounts_from_dict,
    accounts_to_dict,
)
from leaddesigner.core.model.io import ModelError, dumps_model, load_model, loads_model
from leaddesigner.core.model.types import Attribute, Leaf, Rule, ScoringModel, Thresholds
from leaddesigner.core.scoring.accounts import AccountError, account_frame, account_keys, default_accounts, roll_up

# fit: 10 for a company of 100 or more; engagement: 20 for any visit
MODEL = ScoringModel(
    name="accounts by hand",
    created_at="created_at",
    attributes=[Attribute("created_at", "date"), Attribute("email", "text"), Attribute("persona", "category"),
                Attribute("company_size", "number"), Attribute("visits", "number")],
    rules=[Rule("big", "Big company", "fit", 10, when=Leaf("company_size", "gte", 100)),
           Rule("visit", "Visited", "engagement", 20, when=Leaf("visits", "gt", 0))],
    thresholds=Thresholds(25),
)
LEADS = pd.DataFrame({
    "lead_id": ["L1", "L2", "L3", "L4", "L5", "L6", "L7"],
    "created_at": ["2026-03-02", "2026-03-10", "2026-03-20", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"],
    "email": ["ann@acme.com", "Bob@ACME.COM", "cy@acme.com", "di@beta.io", "ed@gmail.com", None, "fe@"],
    "persona": ["buyer", "Influencer", "user", "BUYER", "buyer", "buyer", "buyer"],
    "company_size": [500, 500, 500, 50, 500, 500, 500],
    "visits": [3, 0, 5, 1, 1, 1, 1],
})
# scores: L1 30, L2 10, L3 30, L4 20; acme = L1 L2 L3, beta.io = L4; L5 free mail, L6 and L7 no domain
SETTINGS = Accounts(cap=50, buying_group=BuyingGroup("persona", ["buyer", "influencer"], 5),
                    rules=[AccountRule("big_co", Leaf("company_size", "gte", 100), 15, "Any contact at a big company")],
                    mqa=60)


@pytest.fixture(scope="module")
def scored():
    sc = api.scorer(MODEL, LEADS, as_of="2026-03-31")
    return sc, sc.full()


def _acc(scored, settings):
    sc, arrays = scored
    r = roll_up(sc.model, sc.data, arrays, settings)
    return r, r.frame.set_index("account")


def test_keys_fold_the_domain_and_leave_free_mail_and_blanks_out(scored):
    sc, _ = scored
    k = account_keys(SETTINGS, sc.data)
    assert k.names.tolist() == ["acme.com", "beta.io"]
    assert k.codes.tolist() == [0, 0, 0, 1, -1, -1, -1]
    assert (k.free_mail, k.no_key, k.with_account) == (1, 2, 4)


def test_sum_with_cap_roles_and_account_rules(scored):
    r, f = _acc(scored, SETTINGS)
    acme, beta = f.loc["acme.com"], f.loc["beta.io"]
    # acme: 30 + 10 + 30 = 70, capped at 50; engaged L1 and L3 (20 engagement points each); roles: buyer (L1;
    # L3 is a user, the influencer L2 is not engaged) -> 5; big company -> 15; 50 + 5 + 15 = 70 >= 60
    assert (acme.contacts, acme.engaged, acme.roles_covered, acme.roles) == (3, 2, 1, "buyer")
    assert (acme.contact_points, acme.role_points, acme.rule_points, acme.score, acme.status) == (50, 5, 15, 70, "MQA")
    # beta: 20, one engaged buyer (BUYER folds to buyer) -> 5, 50 people -> no rule; 25 < 60
    assert (beta.contact_points, beta.role_points, beta.rule_points, beta.score, beta.status) == (20, 5, 0, 25, "account")
    assert r.rule_hits["big_co"].tolist() == [True, False]
    # in creation order acme is L1 (30 + 5 + 15 = 50), then L2 (40 + 5 + 15 = 60: an MQA from here), then L3
    assert acme.mqa_at == pd.Timestamp("2026-03-10")
    assert pd.isna(beta.mqa_at)
    wk = r.weekly()
    assert wk["week_start"].tolist() == [pd.Timestamp("2026-03-09")] and wk["mqas"].tolist() == [1]


@pytest.mark.parametrize("settings, acme, beta", [
    (Accounts(combine="max", mqa=30), 30, 20),
    (Accounts(combine="top_n", top_n=2, mqa=60), 60, 20),
    (Accounts(combine="top_n", top_n=5, mqa=60), 70, 20),
    (Accounts(combine="engaged", points_per_engaged=10, mqa=20), 20, 10),
    (Accounts(combine="sum", contact_score="engagement", mqa=40), 40, 20),
    (Accounts(combine="sum", contact_score="fit", mqa=30), 30, 0),
    (Accounts(combine="engaged", engaged_min=25, points_per_engaged=1, mqa=1), 0, 0),  # nobody has 25 engagement points
])
def test_each_way_to_combine(scored, settings, acme, beta):
    _, f = _acc(scored, settings)
    assert (f.loc["acme.com", "score"], f.loc["beta.io", "score"]) == (acme, beta)
    assert (f.loc["acme.com", "status"] == "MQA") == (acme >= settings.mqa)


def test_mqa_moment_follows_the_combination(scored):
    # top 1 (= max) of 30 reaches 30 with the first contact already
    _, f = _acc(scored, Accounts(combine="top_n", top_n=1, mqa=30))
    assert f.loc["acme.com", "mqa_at"] == pd.Timestamp("2026-03-02")
    # top 2 reaches 60 only with L3 (30 + 30)
    _, f = _acc(scored, Accounts(combine="top_n", top_n=2, mqa=60))
    assert f.loc["acme.com", "mqa_at"] == pd.Timestamp("2026-03-20")


def test_a_negative_account_rule_takes_an_account_out(scored):
    st = Accounts(rules=[AccountRule("comp", Leaf("email", "ends_with", "acme.com"), -100)], mqa=10)
    _, f = _acc(scored, st)
    assert (f.loc["acme.com", "score"], f.loc["acme.com", "status"]) == (-30, "account")
    assert f.loc["beta.io", "status"] == "MQA"


def test_key_column_from_the_file_even_undeclared(scored):
    leads = LEADS.assign(company=["Acme Inc", "ACME INC", "Beta", "Beta", "", None, "Acme Inc"])
    sc = api.scorer(MODEL, leads, as_of="2026-03-31")
    r = roll_up(sc.model, sc.data, sc.full(), Accounts(key="company", mqa=50))
    f = r.frame.set_index("account")
    # a key column is folded but otherwise taken as written; "" and missing are no account
    assert f["contacts"].to_dict() == {"acme inc": 3, "beta": 2}
    assert f.loc["acme inc", "score"] == 30 + 10 + 30  # L1, L2, L7
    assert f.loc["beta", "score"] == 30 + 20  # L3, L4
    with pytest.raises(AccountError, match="'Company Name' named in the accounts section is not in the lead file"):
        roll_up(sc.model, sc.data, sc.full(), Accounts(key="Company Name"))


def test_international_domains_fold_like_rules(scored):
    leads = pd.DataFrame({"lead_id": ["a", "b", "c", "d"], "email": ["Ελένη@ΕΤΑΙΡΕΙΑ.gr", "x@εταιρεια.GR", "y@Şirket.com.tr", "z@şirket.com.tr"]})
    m = ScoringModel(name="intl", attributes=[Attribute("email", "text")], rules=[])
    sc = api.scorer(m, leads)
    k = account_keys(Accounts(), sc.data)
    assert k.names.tolist() == ["εταιρεια.gr", "şirket.com.tr"] and k.codes.tolist() == [0, 0, 1, 1]


def test_yaml_round_trip_and_sample_models(tmp_path):
    m = MODEL.copy()
    m.accounts = SETTINGS
    text = dumps_model(m)
    assert "accounts:" in text and "mqa: 60" in text
    back = loads_model(text)
    assert back.accounts == SETTINGS
    assert accounts_from_dict(accounts_to_dict(Accounts(combine="top_n", top_n=4, key="company"))) == Accounts(combine="top_n", top_n=4, key="company")
    for name in ("enterprise_fit_first", "product_led_multi_product", "smb_speed_to_lead"):
        sm = load_model(f"sample_models/{name}.yaml")
        assert sm.accounts is not None, name


@pytest.mark.parametrize("section, message", [
    ("{combine: average}", "average"),
    ("{email: mail}", "'mail' is not a declared attribute"),
    ("{key: company, email: email}", "email only matters with key: email_domain"),
    ("{buying_group: {attribute: role, roles: [buyer]}}", "'role' is not a declared attribute"),
    ("{rules: [{id: a, when: {attribute: size, op: gte, value: 5}, points: 3}]}", "'size' is not a declared attribute"),
    ("{rules: [{id: a, when: {attribute: email, op: gte, value: 5}, points: 3}]}", "gte"),
    ("{email: n}", "must be a text attribute"),
    ("{top_n: 0}", "top_n"),
])
def test_bad_sections_name_the_key(section, message):
    text = ("schema_version: 1\nname: x\nattributes: [{name: email, type: text}, {name: n, type: number}]\n"
            f"rules: []\naccounts: {section}\n")
    with pytest.raises(ModelError) as e:
        loads_model(text, source="m.yaml")
    assert message in str(e.value) and "accounts" in str(e.value)


def test_defaults_find_the_email_column_and_the_buying_group():
    m = load_model("sample_models/enterprise_fit_first.yaml")
    m.accounts = None
    d = default_accounts(m)
    assert (d.key, d.email, d.combine, d.mqa) == ("email_domain", "email", "sum", 120)
    assert d.buying_group.roles == ["buyer", "influencer"]
    bare = ScoringModel(name="crm", attributes=[Attribute("Lifecycle Stage")], rules=[])
    assert default_accounts(bare, ["Record ID", "Email", "Company Name"]).email == "Email"


def test_account_frame_is_what_score_accounts_writes(scored):
    r, _ = _acc(scored, SETTINGS)
    f = account_frame(r)
    assert f["account"].tolist() == ["acme.com", "beta.io"]  # highest score first
    assert f.loc[0, "mqa_week"] == pd.Timestamp("2026-03-09") and pd.isna(f.loc[1, "mqa_week"])
    assert "mqa_at" not in f.columns
    lines = r.lines()
    assert "2 accounts (1 with more than one contact) from 4 contacts; 1 free-mail and 2 without a key belong to no account." in lines
    assert any(line.startswith("MQAs: 1 of 2 accounts; 1.0 per week") for line in lines)


def test_contacts_of_an_account(scored):
    r, _ = _acc(scored, SETTINGS)
    assert r.contacts_of("acme.com").tolist() == [0, 1, 2]
    assert r.contacts_of("nope").tolist() == []
    assert np.array_equal(r.contact_points[:4], [30, 10, 30, 20])


def test_top_n_moment_is_the_same_for_small_and_huge_accounts(monkeypatch):
    """The top-N prefix takes a heap for large accounts; both paths give the same MQA moments, and an account
    of 200,000 contacts (a key column that says "N/A") rolls up in well under a few seconds."""
    import time

    from leaddesigner.core.scoring import accounts as A

    rng = np.random.default_rng(3)
    n = 3000
    leads = pd.DataFrame({"lead_id": [f"L{i}" for i in range(n)],
                          "created_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 90 * 86400, n), unit="s"),
                          "company": rng.choice(["a", "b", "c", "d"], n, p=[0.7, 0.2, 0.05, 0.05]),
                          "visits": rng.integers(0, 4, n), "company_size": rng.integers(1, 1000, n)})
    sc = api.scorer(MODEL, leads.assign(email=None, persona=None), as_of="2026-04-30")
    st = Accounts(key="company", combine="top_n", top_n=4, mqa=100)
    heap = roll_up(sc.model, sc.data, sc.full(), st).frame
    monkeypatch.setattr(A, "_SMALL_ACCOUNT", 10**9)
    loop = roll_up(sc.model, sc.data, sc.full(), st).frame
    pd.testing.assert_frame_equal(heap, loop)
    assert heap["mqa_at"].notna().sum() >= 2
    monkeypatch.undo()
    big = pd.DataFrame({"lead_id": [f"B{i}" for i in range(200_000)], "created_at": pd.Timestamp("2026-01-01"),
                        "company": "N/A", "visits": 1, "company_size": 5, "email": None, "persona": None})
    sc = api.scorer(MODEL, big, as_of="2026-04-30")
    t0 = time.perf_counter()
    f = roll_up(sc.model, sc.data, sc.full(), Accounts(key="company", combine="top_n", top_n=4, mqa=60)).frame
    assert f["contacts"].tolist() == [200_000] and f["score"].tolist() == [80]
    assert f["mqa_at"].tolist() == [pd.Timestamp("2026-01-01")]  # three contacts of 20 reach 60 on the first day
    assert time.perf_counter() - t0 < 10  # one pass with a heap, not 200,000 steps over every account
