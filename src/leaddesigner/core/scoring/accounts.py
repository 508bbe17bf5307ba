"""Roll contact scores up to accounts: which contacts belong together, the account score, MQAs per week.

Pure numpy over the scorer's arrays (see :mod:`leaddesigner.core.model.accounts` for the settings and
what they mean). The SQL export (:mod:`leaddesigner.core.export.account_sql`) computes the same
account scores in a warehouse and is proven equal to :func:`roll_up`.

When an account became an MQA: its contacts are taken in the order they were created (each with the
score it has now) and the account is an MQA from the contact after which its score stays at or above
the MQA line; that contact's creation week is the account's MQA week.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leaddesigner.core.data.detect import EMAIL_NAMES, normalize_name
from leaddesigner.core.model.accounts import EMAIL_DOMAIN, FREE_MAIL_DOMAINS, Accounts, BuyingGroup
from leaddesigner.core.model.types import ScoringModel
from leaddesigner.core.scoring.conditions import evaluate, fold_arrow
from leaddesigner.core.scoring.engine import LeadData, ScoreArrays
from leaddesigner.core.scoring.summary import week_index, week_start

#: an account's status: below the MQA line, or a marketing-qualified account
ACCOUNT_STATUSES = ("account", "MQA")
_NAT = np.iinfo(np.int64).min
#: accounts with more contacts than this take the heap path of the top-N prefix (see _top_n)
_SMALL_ACCOUNT = 64


class AccountError(ValueError):
    """The accounts section cannot be applied to this lead file (a column is missing)."""


@dataclass
class AccountKeys:
    """Which account each lead belongs to."""

    codes: np.ndarray  # int64 per lead: index into ``names``, -1 for no account
    names: np.ndarray  # the account keys (object array of str)
    no_key: int  # leads whose key is missing (no e-mail, no '@', an empty column)
    free_mail: int  # leads writing from a free-mail domain (key email_domain only)

    @property
    def with_account(self) -> int:
        return int((self.codes >= 0).sum())


def default_accounts(model: ScoringModel, columns: list[str] | None = None) -> Accounts:
    """What ``score --accounts`` uses for a model without the section: e-mail domains, the sum of contact
    scores, twice the MQL threshold as the MQA line, the model's persona weights (0.5 and up) as the buying group.

    The e-mail column is the attribute named like one (``email``, ``E-mail``, ``Email Address``: the names the
    load's id detection takes), else such a column of the lead file (``columns``): CRM exports carry e-mail
    addresses that models rarely declare."""
    names = list(dict.fromkeys([a.name for a in model.attributes] + [str(c) for c in columns or []]))
    email = next((n for n in names if normalize_name(n) in EMAIL_NAMES), None)
    email = email or next((n for n in names if "mail" in n.lower()), "email")
    bg = None
    if model.persona is not None:
        roles = [k for k, w in model.persona.weights.items() if w >= 0.5] or list(model.persona.weights)
        bg = BuyingGroup(model.persona.attribute, roles, 0.0)
    return Accounts(key=EMAIL_DOMAIN, email=email, combine="sum", buying_group=bg, mqa=2 * float(model.thresholds.mql))


def _text_column(data: LeadData, name: str) -> pa.Array:
    """A lead-file column (declared or not) as Arrow text."""
    try:
        s = data.file_column(name)
    except KeyError:
        cols = list(data.frame.columns) + ([] if data.extra is None else list(data.extra.columns))
        raise AccountError(f"the column '{name}' named in the accounts section is not in the lead file; "
                           f"columns: {', '.join(map(str, cols[:30]))}") from None
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    try:
        arr = pa.array(s, type=pa.string(), from_pandas=True)
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr  # large columns come back chunked
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers or mixed values in an undeclared column
        values = s.where(s.notna(), None).to_numpy(dtype=object)
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def account_keys(settings: Accounts, data: LeadData) -> AccountKeys:
    """The account of each lead: the folded key text (e-mail domain or key column), free mail and blanks left out.

    Kept in ``data.cache`` per key setting: an edit to the model reuses them (0.5 s at a million leads)."""
    cache_key = ("account_keys", settings.key, settings.email if settings.key == EMAIL_DOMAIN else None)
    hit = data.cache.get(cache_key)
    if hit is None:
        hit = data.cache[cache_key] = _account_keys(settings, data)
    return hit


def _account_keys(settings: Accounts, data: LeadData) -> AccountKeys:
    if settings.key == EMAIL_DOMAIN:
        try:
            arr = _text_column(data, settings.email)
        except AccountError as e:
            cols = str(e).split("; columns: ", 1)[-1]
            raise AccountError(
                f"accounts group contacts by the domain of their e-mail address, and the lead file has no column "
                f"'{settings.email}'; name the e-mail column (accounts: email: ...) or a column that names the "
                f"account (accounts: key: ...); columns: {cols}") from None
        # the text after the first '@' (no '@': no domain); a split is four times faster than a regex here
        with_at = pc.if_else(pc.greater_equal(pc.find_substring(arr, "@"), 0), arr, pa.scalar("@"))
        domain = pc.list_element(pc.split_pattern(with_at, "@", max_splits=1), 1)
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
    names = enc.dictionary.to_numpy(zero_copy_only=False).astype(object)
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

    def code_of(self, account: str) -> int:
        """The account's index in ``keys.names`` and the per-account arrays (-1: no such account)."""
        hit = np.flatnonzero(self.keys.names == account)
        return int(hit[0]) if len(hit) else -1

    def contacts_of(self, account: str) -> np.ndarray:
        """Row positions of the account's contacts (file order)."""
        code = self.code_of(account)
        return np.flatnonzero(self.keys.codes == code) if code >= 0 else np.zeros(0, dtype=np.int64)

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
             n_acc: int) -> np.ndarray:
    """Combined contact points of the contacts so far, at every position (input sorted by account, then
    creation): the value at an account's last position is the account's."""
    how = settings.combine
    if how == "sum":
        out = _group_cumsum(pts_s, starts)
    elif how == "engaged":
        out = _group_cumsum(eng_s.astype(float) * settings.points_per_engaged, starts)
    elif how == "max":
        out = pd.Series(pts_s).groupby(codes_s, sort=False).cummax().to_numpy()
    else:  # top_n
        out = _top_n(codes_s, pts_s, starts, settings.top_n, n_acc)
    if settings.cap is not None:
        out = np.minimum(out, settings.cap)
    return out


def _top_n(codes_s, pts_s, starts, n, n_acc):
    """The sum of each account's n best contacts so far. Small accounts one position of every account at a
    time (as many steps as the largest small account); large ones (a key column where half the file says
    "N/A") with a heap each, so no account makes the loop as long as itself."""
    pos = np.arange(len(codes_s)) - starts
    out = np.zeros(len(codes_s))
    size = np.bincount(codes_s, minlength=n_acc)
    big = size[codes_s] > _SMALL_ACCOUNT
    best = np.full((n_acc, n), -np.inf)
    small = np.flatnonzero(~big)
    small = small[np.argsort(pos[small], kind="stable")]  # by position, then account
    bounds = np.searchsorted(pos[small], np.arange(int(pos[small].max()) + 2 if len(small) else 1))
    for k in range(len(bounds) - 1):
        rows = small[bounds[k]:bounds[k + 1]]
        g = codes_s[rows]
        cand = np.concatenate([best[g], pts_s[rows, None]], axis=1)
        cand = -np.sort(-cand, axis=1)[:, :n]
        best[g] = cand
        out[rows] = np.where(np.isfinite(cand), cand, 0.0).sum(axis=1)
    for start in np.unique(starts[big]).tolist():
        heap: list[float] = []
        total = 0.0
        end = start + int(size[codes_s[start]])
        for i, v in enumerate(pts_s[start:end].tolist(), start):
            if len(heap) < n:
                heapq.heappush(heap, v)
                total += v
            elif v > heap[0]:
                total += v - heapq.heapreplace(heap, v)
            out[i] = total
    return out


def _roles(settings: Accounts, data: LeadData) -> tuple[np.ndarray, list[str]]:
    """Per lead: index of its buying-group role (-1: none), and the role names."""
    bg = settings.buying_group
    if bg is None:
        return np.full(len(data), -1, dtype=np.int64), []
    cache_key = ("account_roles", bg.attribute, tuple(bg.roles))
    idx = data.cache.get(cache_key)
    if idx is None:
        arr = fold_arrow(_text_column(data, bg.attribute))
        wanted = fold_arrow(pa.array(bg.roles, pa.string()))
        idx = data.cache[cache_key] = pc.fill_null(pc.index_in(arr, value_set=wanted), -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return idx, list(bg.roles)


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

    # one pass over the contacts sorted by account, then creation (then file order): every figure is a running
    # value per account; its value at the account's last contact is the account's, and the running score says
    # when the account became an MQA
    rows = np.flatnonzero(has)
    if data.created is not None:
        created = data.frame[data.created].to_numpy(dtype="datetime64[ns]").view(np.int64)
        rows = rows[np.lexsort((created[rows], codes[rows]))]  # stable: ties keep file order
    else:
        created = None
        rows = rows[np.argsort(codes[rows], kind="stable")]
    c = codes[rows]
    starts = _starts(c)
    last = np.flatnonzero(np.append(c[1:] != c[:-1], True)) if len(c) else np.zeros(0, dtype=np.int64)
    e = engaged[rows]
    contacts = np.bincount(c, minlength=n_acc).astype(np.int64)
    n_engaged = np.bincount(c, weights=e, minlength=n_acc).astype(np.int64)
    contact_run = _combine(settings, c, pts[rows], e, starts, n_acc)
    # buying group: the first engaged contact of each (account, role) covers the role from there on
    ppr = float(settings.buying_group.points_per_role) if settings.buying_group else 0.0
    r = role[rows]
    ok = e & (r >= 0)
    pair = c[ok] * n_roles + r[ok]
    first_of_pair = np.full(n_acc * n_roles if len(role_names) else 0, len(c), dtype=np.int64)
    np.minimum.at(first_of_pair, pair, np.flatnonzero(ok))
    covers = np.zeros(len(c), dtype=float)
    firsts = first_of_pair[first_of_pair < len(c)]
    covers[firsts] = 1.0
    roles_run = _group_cumsum(covers, starts)
    rule_run = np.zeros(len(c))
    hits: dict[str, np.ndarray] = {}
    as_of = data.row_as_of_ns()
    for rule in settings.rules:
        if not rule.enabled:
            continue
        seen = _group_cumsum(evaluate(rule.when, data.column, len(data), as_of)[rows].astype(float), starts) > 0
        hits[rule.id] = seen[last]
        rule_run += np.where(seen, rule.points, 0.0)
    total_run = contact_run + roles_run * ppr + rule_run

    contact_pts, covered, rule_pts = contact_run[last], roles_run[last].astype(np.int64), rule_run[last]
    role_pts = covered * ppr
    score = np.round(contact_pts + role_pts + rule_pts, 2)
    mqa = score >= settings.mqa
    roles_text = np.full(n_acc, "", dtype=object)
    for j, name in enumerate(role_names):
        has_role = first_of_pair.reshape(n_acc, n_roles)[:, j] < len(c)
        roles_text = np.where(has_role, np.where(roles_text == "", name, roles_text + ", " + name), roles_text)

    # the MQA moment: the contact after the account's last running score below the line
    mqa_at = np.full(n_acc, _NAT, dtype=np.int64)
    if created is not None and mqa.any():
        below = np.round(total_run, 2) < settings.mqa
        pos = np.arange(len(c))
        last_below = np.full(n_acc, -1, dtype=np.int64)
        np.maximum.at(last_below, c[below], pos[below])
        start_at = np.where(last_below >= 0, last_below + 1, starts[last])
        good = mqa & (start_at < len(c))
        mqa_at[good] = created[rows[start_at[good]]]
    mqa_at = pd.Series(mqa_at.view("datetime64[ns]"))
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
        "status": np.where(mqa, ACCOUNT_STATUSES[1], ACCOUNT_STATUSES[0]),
        "mqa_at": mqa_at,
    })
    cap = settings.capacity(model.capacity.per_week)
    return AccountScores(settings, keys, frame, pts, engaged, hits, cap)


def account_frame(result: AccountScores) -> pd.DataFrame:
    """One row per account as ``score --accounts`` writes it (highest score first)."""
    f = result.frame.drop(columns=["mqa_at"]).copy()
    f["mqa_week"] = result.frame["mqa_at"].dt.to_period("W-SUN").dt.start_time
    return f.sort_values(["score", "account"], ascending=[False, True], kind="stable").reset_index(drop=True)
