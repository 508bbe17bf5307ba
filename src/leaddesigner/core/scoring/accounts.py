"""Roll contact scores up to accounts: which contacts belong together, the account score, MQAs per week.

Pure numpy over the scorer's arrays (see :mod:`leaddesigner.core.model.accounts` for the settings and
what they mean). The SQL export (:mod:`leaddesigner.core.export.account_sql`) computes the same
account scores in a warehouse and is proven equal to :func:`roll_up`.

When an account became an MQA: its contacts are taken in the order they were created (each with the
score it has now) and the account is an MQA from the contact after which its score stays at or above
the MQA line; that contact's creation week is the account's MQA week.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leaddesigner.core.model.accounts import EMAIL_DOMAIN, FREE_MAIL_DOMAINS, Accounts, default_accounts
from leaddesigner.core.model.types import ScoringModel
from leaddesigner.core.scoring.conditions import evaluate, fold_arrow
from leaddesigner.core.scoring.engine import LeadData, ScoreArrays
from leaddesigner.core.scoring.summary import week_index, week_start

#: one account's contact table columns (the account view's drill-down and ``score --accounts --contacts``)
ACCOUNT_STATUSES = ("account", "MQA")
_NAT = np.iinfo(np.int64).min


class AccountError(ValueError):
    """The accounts section cannot be applied to this lead file (a column is missing)."""


@dataclass
class AccountKeys:
    """Which account each lead belongs to."""

    codes: np.ndarray  # int64 per lead: index into ``names``, -1 for no account
    names: list[str]
    no_key: int  # leads whose key is missing (no e-mail, no '@', an empty column)
    free_mail: int  # leads writing from a free-mail domain (key email_domain only)

    @property
    def with_account(self) -> int:
        return int((self.codes >= 0).sum())


def _text_column(data: LeadData, name: str) -> pa.Array:
    if name in data.frame.columns:
        s = data.frame[name]
    elif data.extra is not None and name in data.extra.columns:
        s = data.extra[name]
    else:
        cols = list(data.frame.columns) + ([] if data.extra is None else list(data.extra.columns))
        raise AccountError(f"the accounts key column '{name}' is not in the lead file; columns: {', '.join(map(str, cols[:30]))}")
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    try:
        return pa.array(s, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers or mixed values in an undeclared column
        values = s.where(s.notna(), None).to_numpy(dtype=object)
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def account_keys(settings: Accounts, data: LeadData) -> AccountKeys:
    """The account of each lead: the folded key text (e-mail domain or key column), free mail and blanks left out."""
    if settings.key == EMAIL_DOMAIN:
        arr = _text_column(data, settings.email)
        parts = pc.extract_regex(arr, r"(?s)^[^@]*@(?P<domain>.*)$")
        domain = pc.struct_field(parts, [0])
        keys = fold_arrow(domain)
        keys = pc.if_else(pc.equal(keys, ""), pa.scalar(None, pa.string()), keys)
        free = pc.fill_null(pc.is_in(keys, value_set=pa.array(FREE_MAIL_DOMAINS)), False)
        n_free = int(pc.sum(free).as_py() or 0)
        keys = pc.if_else(free, pa.scalar(None, pa.string()), keys)
    else:
        keys = fold_arrow(_text_column(data, settings.key))
        keys = pc.if_else(pc.equal(keys, ""), pa.scalar(None, pa.string()), keys)
        n_free = 0
    enc = keys.dictionary_encode() if len(keys) else pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), pa.array([], pa.string()))
    codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    names = enc.dictionary.to_pylist()
    n_missing = int((codes < 0).sum()) - n_free
    return AccountKeys(codes, names, n_missing, n_free)


@dataclass
class AccountScores:
    """Per account: contacts, engagement, buying group, the score and its parts, MQA status and week."""

    settings: Accounts
    keys: AccountKeys
    #: account, contacts, engaged, roles_covered, roles, contact_points, role_points, rule_points, score, status, mqa_at
    frame: pd.DataFrame
    contact_points: np.ndarray  # per lead: the contact score that combines (two decimals)
    engaged: np.ndarray  # per lead: engaged contact
    rule_hits: dict[str, np.ndarray] = field(default_factory=dict)  # account rule id -> per account bool
    capacity_per_week: float = 0.0

    @property
    def mqas(self) -> int:
        return int((self.frame["status"] == "MQA").sum())

    def contacts_of(self, account: str) -> np.ndarray:
        """Row positions of the account's contacts (file order)."""
        try:
            code = self.keys.names.index(account)
        except ValueError:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self.keys.codes == code)

    def weekly(self) -> pd.DataFrame:
        """MQAs per Monday-based week of becoming an MQA against the capacity: week_start, mqas, capacity, over."""
        at = self.frame.loc[self.frame["status"] == "MQA", "mqa_at"].dropna()
        if at.empty:
            return pd.DataFrame({"week_start": pd.Series([], dtype="datetime64[ns]"), "mqas": pd.Series([], dtype=np.int64),
                                 "capacity": pd.Series([], dtype=float), "over": pd.Series([], dtype=bool)})
        w = week_index(at.to_numpy(dtype="datetime64[ns]").view(np.int64))
        lo, hi = int(w.min()), int(w.max())
        counts = np.bincount(w - lo, minlength=hi - lo + 1)
        cap = float(self.capacity_per_week)
        return pd.DataFrame({
            "week_start": [week_start(k) for k in range(lo, hi + 1)],
            "mqas": counts.astype(np.int64),
            "capacity": cap,
            "over": counts > cap,
        })

    def lines(self) -> list[str]:
        """What the roll-up found, in words (the CLI and the account view say the same)."""
        k = self.keys
        n_acc = len(self.frame)
        multi = int((self.frame["contacts"] > 1).sum()) if n_acc else 0
        wk = self.weekly()
        out = self.settings.describe() + [
            f"{n_acc:,} accounts ({multi:,} with more than one contact) from {k.with_account:,} contacts; "
            f"{k.free_mail:,} free-mail and {k.no_key:,} without a key belong to no account.",
            f"MQAs: {self.mqas:,} of {n_acc:,} accounts"
            + (f"; {wk['mqas'].mean():.1f} per week against a capacity of {self.capacity_per_week:g}"
               f" ({int(wk['over'].sum())} of {len(wk)} weeks over)" if len(wk) else "")
            + ".",
        ]
        return out


def _group_order(codes: np.ndarray, key2: np.ndarray) -> np.ndarray:
    """Rows with an account, ordered by account then ``key2`` (stable)."""
    rows = np.flatnonzero(codes >= 0)
    order = np.lexsort((rows, key2[rows], codes[rows]))
    return rows[order]


def _starts(sorted_codes: np.ndarray) -> np.ndarray:
    """For each position of a run-sorted code array, the position where its run starts."""
    n = len(sorted_codes)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    new = np.empty(n, dtype=bool)
    new[0] = True
    new[1:] = sorted_codes[1:] != sorted_codes[:-1]
    idx = np.where(new, np.arange(n), 0)
    return np.maximum.accumulate(idx)


def _group_cumsum(x: np.ndarray, starts: np.ndarray) -> np.ndarray:
    c = np.cumsum(x, dtype=float)
    before = np.where(starts > 0, c[np.maximum(starts - 1, 0)], 0.0)
    return c - before


def _combine(settings: Accounts, codes_s: np.ndarray, pts_s: np.ndarray, eng_s: np.ndarray, starts: np.ndarray,
             n_acc: int, prefix: bool) -> np.ndarray:
    """Combined contact points: per account (prefix False, input sorted by account) or per position for the
    contacts so far (prefix True, input sorted by account then creation)."""
    how = settings.combine
    if how == "sum":
        out = _group_cumsum(pts_s, starts) if prefix else np.bincount(codes_s, weights=pts_s, minlength=n_acc)
    elif how == "engaged":
        e = eng_s.astype(float) * settings.points_per_engaged
        out = _group_cumsum(e, starts) if prefix else np.bincount(codes_s, weights=e, minlength=n_acc)
    elif how == "max":
        if prefix:
            out = pd.Series(pts_s).groupby(codes_s, sort=False).cummax().to_numpy()
        else:
            out = np.full(n_acc, -np.inf)
            np.maximum.at(out, codes_s, pts_s)
    else:  # top_n
        out = _top_n(codes_s, pts_s, starts, settings.top_n, n_acc, prefix)
    if settings.cap is not None:
        out = np.minimum(out, settings.cap)
    return out


def _top_n(codes_s, pts_s, starts, n, n_acc, prefix):
    if not prefix:
        order = np.lexsort((-pts_s, codes_s))
        c, p = codes_s[order], pts_s[order]
        rank = np.arange(len(c)) - _starts(c)
        keep = rank < n
        return np.bincount(c[keep], weights=p[keep], minlength=n_acc)
    # contacts in creation order: keep each account's n best so far, one position of every account at a time
    pos = np.arange(len(codes_s)) - starts
    out = np.zeros(len(codes_s))
    best = np.full((n_acc, n), -np.inf)
    for k in range(int(pos.max()) + 1 if len(pos) else 0):
        rows = np.flatnonzero(pos == k)
        g = codes_s[rows]
        cand = np.concatenate([best[g], pts_s[rows, None]], axis=1)
        cand = -np.sort(-cand, axis=1)[:, :n]
        best[g] = cand
        out[rows] = np.where(np.isfinite(cand), cand, 0.0).sum(axis=1)
    return out


def _roles(settings: Accounts, data: LeadData) -> tuple[np.ndarray, list[str]]:
    """Per lead: index of its buying-group role (-1: none), and the role names."""
    bg = settings.buying_group
    if bg is None:
        return np.full(len(data), -1, dtype=np.int64), []
    arr = fold_arrow(_text_column(data, bg.attribute))
    wanted = fold_arrow(pa.array(bg.roles, pa.string()))
    idx = pc.index_in(arr, value_set=wanted)
    return pc.fill_null(idx, -1).to_numpy(zero_copy_only=False).astype(np.int64), list(bg.roles)


def roll_up(model: ScoringModel, data: LeadData, arrays: ScoreArrays, settings: Accounts | None = None) -> AccountScores:
    """Account scores of ``data`` scored as ``arrays`` (the model's ``accounts`` section, or ``settings``,
    or :func:`default_accounts`)."""
    if settings is None and model.accounts is None:
        columns = list(data.frame.columns) + ([] if data.extra is None else list(data.extra.columns))
        settings = default_accounts(model, columns)
    settings = settings or model.accounts
    keys = account_keys(settings, data)
    n_acc = len(keys.names)
    codes = keys.codes
    source = {"score": arrays.score, "fit": arrays.fit, "engagement": arrays.engagement}[settings.contact_score]
    pts = np.round(np.asarray(source, dtype=float), 2)
    engaged = np.round(np.asarray(arrays.engagement, dtype=float), 2) >= settings.engaged_min
    role, role_names = _roles(settings, data)
    has = codes >= 0
    n_roles = max(len(role_names), 1)

    # per account, in one pass of sorted rows
    rows = np.flatnonzero(has)
    c = codes[rows]
    contacts = np.bincount(c, minlength=n_acc)
    n_engaged = np.bincount(c, weights=engaged[rows], minlength=n_acc).astype(np.int64)
    contact_pts = _combine(settings, c, pts[rows], engaged[rows], _starts(c), n_acc, prefix=False)
    covered_pair = has & engaged & (role >= 0)
    pairs = np.unique(codes[covered_pair] * n_roles + role[covered_pair])
    covered = np.bincount(pairs // n_roles, minlength=n_acc).astype(np.int64)
    ppr = settings.buying_group.points_per_role if settings.buying_group else 0.0
    role_pts = covered * float(ppr)
    as_of = data.row_as_of_ns()
    rule_pts = np.zeros(n_acc)
    hits: dict[str, np.ndarray] = {}
    lead_hits: dict[str, np.ndarray] = {}
    for r in settings.rules:
        if not r.enabled:
            continue
        mask = evaluate(r.when, data.column, len(data), as_of) & has
        lead_hits[r.id] = mask
        hit = np.bincount(codes[mask], minlength=n_acc) > 0
        hits[r.id] = hit
        rule_pts += np.where(hit, r.points, 0.0)
    total = contact_pts + role_pts + rule_pts
    score = np.round(total, 2)
    mqa = score >= settings.mqa

    roles_text = np.full(n_acc, "", dtype=object)
    if len(pairs):
        acc_of, role_of = pairs // n_roles, pairs % n_roles
        parts: dict[int, list[str]] = {}
        for a_, r_ in zip(acc_of.tolist(), role_of.tolist()):
            parts.setdefault(a_, []).append(role_names[r_])
        for a_, names in parts.items():
            roles_text[a_] = ", ".join(names)

    mqa_at = _mqa_moments(settings, data, codes, pts, engaged, role, n_roles, lead_hits, n_acc, mqa)
    frame = pd.DataFrame({
        "account": pd.Series(keys.names, dtype=object),
        "contacts": contacts.astype(np.int64),
        "engaged": n_engaged,
        "roles_covered": covered,
        "roles": roles_text,
        "contact_points": np.round(contact_pts, 2),
        "role_points": np.round(role_pts, 2),
        "rule_points": np.round(rule_pts, 2),
        "score": score,
        "status": np.where(mqa, "MQA", "account"),
        "mqa_at": mqa_at,
    })
    cap = settings.capacity(model.capacity.per_week)
    return AccountScores(settings, keys, frame, pts, engaged, hits, cap)


def _mqa_moments(settings, data, codes, pts, engaged, role, n_roles, lead_hits, n_acc, mqa) -> pd.Series:
    """Per account: the creation moment of the contact after which the account stays an MQA (NaT otherwise)."""
    out = np.full(n_acc, _NAT, dtype=np.int64)
    if data.created is None or not mqa.any():
        return pd.Series(out.view("datetime64[ns]"))
    created = data.frame[data.created].to_numpy(dtype="datetime64[ns]").view(np.int64)
    order = _group_order(codes, created)
    c = codes[order]
    starts = _starts(c)
    prefix = _combine(settings, c, pts[order], engaged[order], starts, n_acc, prefix=True)
    if settings.buying_group is not None and settings.buying_group.points_per_role:
        ok = engaged[order] & (role[order] >= 0)
        pair = np.where(ok, c * n_roles + role[order], -1)
        first = np.zeros(len(c), dtype=bool)
        _, idx = np.unique(pair, return_index=True)
        first[idx] = True
        first &= pair >= 0
        prefix = prefix + _group_cumsum(first.astype(float), starts) * settings.buying_group.points_per_role
    for r in settings.rules:
        if r.enabled:
            seen = _group_cumsum(lead_hits[r.id][order].astype(float), starts) > 0
            prefix = prefix + np.where(seen, r.points, 0.0)
    below = np.round(prefix, 2) < settings.mqa
    # the last position below the line per account; the MQA moment is the contact after it
    pos = np.arange(len(c))
    last_below = np.full(n_acc, -1, dtype=np.int64)
    np.maximum.at(last_below, c[below], pos[below])
    first_pos = np.full(n_acc, len(c), dtype=np.int64)
    np.minimum.at(first_pos, c, pos)
    start_at = np.where(last_below >= 0, last_below + 1, first_pos)
    good = mqa & (start_at < len(c))
    out[good] = created[order[start_at[good]]]
    return pd.Series(out.view("datetime64[ns]"))


def account_frame(result: AccountScores) -> pd.DataFrame:
    """One row per account as ``score --accounts`` writes it (highest score first)."""
    f = result.frame.drop(columns=["mqa_at"]).copy()
    f["mqa_week"] = result.frame["mqa_at"].dt.to_period("W-SUN").dt.start_time
    return f.sort_values(["score", "account"], ascending=[False, True], kind="stable").reset_index(drop=True)
