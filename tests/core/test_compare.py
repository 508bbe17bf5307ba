"""core.compare on hand-made model pairs: the agreement matrix, histograms, metrics and the
rules named for each disagreement are checked against direct computations."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from leaddesigner.core.analysis.compare import _match_rules

from leaddesigner.core.analysis.compare import compare

from leaddesigner.core.analysis.compare import rebind
from leaddesigner.core.model.describe import MINUS
from leaddesigner.core.scoring.engine import Scorer, bind
from leaddesigner.core.model.io import loads_model

MODEL_A = """\
schema_version: 1
name: Marketing
version: "1"
lead_id: id
created_at: created
attributes:
  - {name: created, type: date, kind: system}
  - {name: size, type: number, kind: firmographic}
  - {name: industry, type: category, kind: firmographic}
  - {name: webinar, type: boolean, kind: behavioural}
rules:
  - {id: big, label: Big company, dimension: fit, when: {attribute: size, op: gte, value: 1000}, points: 30}
  - id: ind
    label: Industry
    dimension: fit
    map: {attribute: industry, values: {Software: 20, Retail: 5}}
  - {id: web, label: Webinar attendee, dimension: engagement, when: {attribute: webinar, op: equals, value: true}, points: 40}
thresholds: {mql: 50}
capacity: {sdrs: 1, leads_per_sdr_per_week: 2, sla_hours: 24}
"""

MODEL_B = """\
schema_version: 1
name: Sales
version: "2"
lead_id: id
created_at: created
attributes:
  - {name: created, type: date, kind: system}
  - {name: size, type: number, kind: firmographic}
  - {name: industry, type: category, kind: firmographic}
  - {name: webinar, type: boolean, kind: behavioural}
rules:
  - {id: big, label: Big company, dimension: fit, when: {attribute: size, op: gte, value: 1000}, points: 30}
  - id: ind
    label: Industry
    dimension: fit
    map: {attribute: industry, values: {Software: 20, Retail: 25}}
  - {id: web, label: Webinar attendee, dimension: engagement, when: {attribute: webinar, op: equals, value: true}, points: 10}
thresholds: {mql: 50}
capacity: {sdrs: 1, leads_per_sdr_per_week: 3, sla_hours: 24}
"""

LEADS = pd.DataFrame(
    {
        "id": [f"L{i}" for i in range(8)],
        "created": pd.to_datetime(
            ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-09", "2026-03-10", "2026-03-11", "2026-03-16", "2026-03-17"]
        ),
        "size": [5000, 50, 2000, 10, 3000, 20, 1500, 100],
        "industry": ["Software", "Software", "Retail", "Retail", "Other", "Software", "Retail", "Other"],
        "webinar": [True, True, False, True, True, False, True, False],
        "converted": [1, 1, 1, 0, 0, 0, 1, 0],
    }
)
# scores: A = 30*big + ind + 40*web ; B = 30*big + ind' + 10*web
#  L0 5000 Software web   A 90 MQL  B 60 MQL     -> both
#  L1   50 Software web   A 60 MQL  B 30 lead    -> only A (webinar 40 vs 10)
#  L2 2000 Retail  -      A 35 lead B 55 MQL     -> only B (industry 5 vs 25)
#  L3   10 Retail  web    A 45 lead B 35 lead    -> neither
#  L4 3000 Other   web    A 70 MQL  B 40 lead    -> only A (webinar)
#  L5   20 Software -     A 20 lead B 20 lead    -> neither
#  L6 1500 Retail  web    A 75 MQL  B 65 MQL     -> both
#  L7  100 Other   -      A 0  lead B 0  lead    -> neither


@pytest.fixture
def pair():
    a, b = loads_model(MODEL_A), loads_model(MODEL_B)
    data = bind(a, LEADS)
    return a, b, data


def test_agreement_matrix_equals_direct_computation(pair):
    a, b, data = pair
    comp = compare(a, b, data, outcome="converted")
    sa, sb = Scorer(a, data), Scorer(b, bind(b, LEADS))
    qa, qb = sa.result.status >= 1, sb.result.status >= 1
    assert comp.agreement == {
        "both": int((qa & qb).sum()),
        "only_a": int((qa & ~qb).sum()),
        "only_b": int((~qa & qb).sum()),
        "neither": int((~qa & ~qb).sum()),
    }
    assert comp.agreement == {"both": 2, "only_a": 2, "only_b": 1, "neither": 3}
    y = LEADS["converted"].to_numpy() == 1
    for key, mask in {"both": qa & qb, "only_a": qa & ~qb, "only_b": ~qa & qb, "neither": ~qa & ~qb}.items():
        assert comp.agreement_conversion[key] == pytest.approx(y[mask].mean())
    assert comp.only_a_total == 2 and comp.only_b_total == 1
    assert not comp.rebound


def test_difference_lists_name_the_rules_that_decide(pair):
    a, b, data = pair
    comp = compare(a, b, data)
    assert [d.lead_id for d in comp.only_a] == ["L4", "L1"]  # highest A score first
    for d in comp.only_a:
        assert d.rules[0].key == "web"
        assert d.rules[0].points_a == 40 and d.rules[0].points_b == 10
        assert d.rules[0].difference == 30
        assert "Webinar attendee: +40 in A, +10 in B" in d.words()[0]
    (l2,) = comp.only_b
    assert l2.lead_id == "L2" and l2.status_a == "lead" and l2.status_b == "MQL"
    assert [r.key for r in l2.rules] == ["ind"]  # the only rule that differs for L2
    assert l2.rules[0].difference == -20
    assert "industry = Retail" in l2.rules[0].words()


def test_metrics_and_auc_match_direct_computation(pair):
    sk = pytest.importorskip("sklearn.metrics")
    a, b, data = pair
    comp = compare(a, b, data, outcome="converted")
    y = LEADS["converted"].to_numpy() == 1
    sa = Scorer(a, data)
    ma = comp.metrics_a
    assert ma.leads == 8 and ma.mqls == 4 and comp.metrics_b.mqls == 3
    assert ma.auc == pytest.approx(sk.roc_auc_score(y, sa.result.score))
    q = sa.result.status >= 1
    assert ma.precision == pytest.approx((q & y).sum() / q.sum())
    assert ma.recall == pytest.approx((q & y).sum() / y.sum())
    assert ma.non_mql_conversion == pytest.approx(y[~q].mean())
    assert ma.capacity_per_week == 2 and comp.metrics_b.capacity_per_week == 3
    assert ma.mqls_per_week is not None


def test_histograms_share_bins_and_count_every_lead(pair):
    a, b, data = pair
    comp = compare(a, b, data)
    assert len(comp.bin_edges) == len(comp.hist_a) + 1 == len(comp.hist_b) + 1
    assert comp.hist_a.sum() == comp.hist_b.sum() == len(LEADS)


def test_limit_keeps_totals_exact(pair):
    a, b, data = pair
    comp = compare(a, b, data, limit=1)
    assert len(comp.only_a) == 1 and comp.only_a_total == 2


def test_text_and_dict(pair):
    a, b, data = pair
    comp = compare(a, b, data, outcome="converted")
    text = comp.text()
    assert "MQL only in A" in text and "Webinar attendee" in text and "ROC AUC" in text
    d = json.loads(json.dumps(comp.to_dict()))
    assert d["agreement"]["counts"]["only_a"] == 2
    assert d["only_a"]["leads"][0]["reasons"][0].startswith("Webinar attendee")
    assert sum(d["distribution"]["a"]) == 8


def test_model_b_with_other_attributes_is_bound_again():
    """B reads a column A does not declare, under another attribute name: the leads are bound again for B."""
    a = loads_model(MODEL_A)
    b_text = MODEL_B.replace("  - {name: webinar, type: boolean, kind: behavioural}\n",
                             "  - {name: webinar, type: boolean, kind: behavioural}\n  - {name: employees, type: number, kind: firmographic}\n")
    b_text = b_text.replace("rules:\n", "columns: {employees: headcount}\nrules:\n  - {id: tiny, label: Tiny company, dimension: fit, when: {attribute: employees, op: lt, value: 30}, points: -50}\n")
    b = loads_model(b_text)
    leads = LEADS.assign(headcount=LEADS["size"])
    data = bind(a, leads)
    comp = compare(a, b, data)
    assert comp.rebound
    direct = Scorer(b, bind(b, leads)).result
    rebound = Scorer(b, rebind(b, data, a)).result
    np.testing.assert_allclose(rebound.score, direct.score)
    qa = Scorer(a, data).result.status >= 1
    qb = direct.status >= 1
    assert comp.agreement["only_b"] == int((~qa & qb).sum())


def test_grade_gate_and_threshold_are_named():
    a = loads_model(MODEL_A)
    b = loads_model(
        MODEL_A.replace("name: Marketing", "name: Gated")
        .replace("thresholds: {mql: 50}", "thresholds: {mql: 50}\ngrades:\n  fit: {A: 40, B: null}\n  engagement: {'1': 30, '2': null}\n  mql_cells: [A1]")
    )
    data = bind(a, LEADS)
    comp = compare(a, b, data)
    # L1: fit 20 (B), engagement 40 (1) -> B1, score 60: B's gate keeps it from sales
    l1 = next(d for d in comp.only_a if d.lead_id == "L1")
    assert l1.rules == []  # same points in both models
    assert any("hands over only grades A1" in n and "B1" in n for n in l1.notes)
    c = loads_model(MODEL_A.replace("thresholds: {mql: 50}", "thresholds: {mql: 65}"))
    comp = compare(a, c, data)
    l1 = next(d for d in comp.only_a if d.lead_id == "L1")
    assert any("threshold decides" in n for n in l1.notes)


def test_rules_are_matched_by_id_label_and_subject():
    a = loads_model(MODEL_A)
    b = loads_model(
        MODEL_B.replace("id: ind\n    label: Industry", "id: vertical\n    label: Vertical")
        .replace("id: web, label: Webinar attendee", "id: webinar_rule, label: Webinar attendee")
    )
    topics = {t[0]: (t[1], t[2]) for t in _match_rules(a, b)}
    assert topics["big"] == (["big"], ["big"])  # same id
    assert topics["web"] == (["web"], ["webinar_rule"])  # same label
    assert topics["ind"] == (["ind"], ["vertical"])  # both read 'industry'


def test_negative_points_use_a_minus_sign(pair):
    a, b, data = pair
    comp = compare(a, b, data)
    assert MINUS not in comp.only_a[0].rules[0].words()
    assert comp.only_b[0].rules[0].difference < 0
