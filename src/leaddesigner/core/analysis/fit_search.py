"""The points search of :mod:`.fit`: sparse logistic fit by beam search, then whole-number points.

Steps 5 and 6 of :mod:`.fit`: forward selection over supports with Newton refits
of the logistic loss (leads that share their feature values fitted as one
weighted row), the BIC stop, and the ladder of multipliers whose rounded and
polished points fit best. Pure numpy."""
from __future__ import annotations

import math

import numpy as np

from .backtest import auc
from .fit_features import Design

__all__ = ["CHOOSE_SIZE", "MAX_POINTS", "calibrate", "choose_size", "forward_select", "integer_points", "logistic_baseline"]


#: points of one rule lie in [-MAX_POINTS, MAX_POINTS]
MAX_POINTS = 30


#: choose the number of rules on a time-ordered validation part of the fitting leads
#: (off: on the sample data it was noisier than the BIC stop; kept for experiments)
CHOOSE_SIZE = False


# ---------------------------------------------------------------- sparse logistic fit
def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _logloss(eta: np.ndarray, y: np.ndarray) -> float:
    # sum log(1 + exp(eta)) - y * eta, stably
    return float(np.sum(np.logaddexp(0.0, eta) - y * eta))


def _logloss_w(eta: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> float:
    v = np.logaddexp(0.0, eta) - y * eta
    return float(np.sum(v) if w is None else v @ w)


def _newton(
    X: np.ndarray, y: np.ndarray, beta: np.ndarray | None = None, l2: float = 1e-4, iters: int = 30, tol: float = 1e-9,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Logistic regression with an intercept (first coefficient), tiny ridge; returns (coef, loss).

    ``weights``: rows stand for that many identical leads (see :func:`_compress`).
    """
    n, k = X.shape
    sw = float(n if weights is None else weights.sum())
    A = np.empty((n, k + 1))
    A[:, 0] = 1.0
    A[:, 1:] = X
    b = np.zeros(k + 1) if beta is None else beta.astype(float, copy=True)
    if beta is None:
        ybar = float(y.mean() if weights is None else (y @ weights) / sw)
        p0 = min(max(ybar, 1e-6), 1 - 1e-6)
        b[0] = math.log(p0 / (1 - p0))
    reg = np.full(k + 1, l2 * sw)
    reg[0] = 0.0
    eta = A @ b
    loss = _logloss_w(eta, y, weights) + 0.5 * float(np.sum(reg * b * b))
    for _ in range(iters):
        p = _sigmoid(eta)
        w = p * (1 - p)
        r = p - y
        if weights is not None:
            w = w * weights
            r = r * weights
        grad = A.T @ r + reg * b
        H = (A * w[:, None]).T @ A
        H[np.diag_indices_from(H)] += reg + 1e-9
        try:
            step = np.linalg.solve(H, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, grad, rcond=None)[0]
        t = 1.0
        d_eta = A @ step
        while True:
            nb = b - t * step
            ne = eta - t * d_eta
            nl = _logloss_w(ne, y, weights) + 0.5 * float(np.sum(reg * nb * nb))
            if nl <= loss + 1e-12 or t < 1e-4:
                break
            t *= 0.5
        done = loss - nl < tol * max(1.0, abs(loss))
        if nl <= loss:
            b, eta, loss = nb, ne, nl
        if done:
            break
    return b, loss


def forward_select(
    X: np.ndarray, y: np.ndarray, max_rules: int, shortlist: int = 8, path: list | None = None, swaps: bool = True, beam: int = 10,
    swap_shortlist: int = 10,
) -> tuple[list[int], np.ndarray]:
    """Beam search (forward selection) + swaps on the logistic loss; returns (support, coefficients).

    Each step shortlists the candidates with the largest score-test statistic
    (one matrix-vector product over all candidates) and refits the model with
    each of them (Newton, warm start) to choose. The swap passes try, for every
    chosen rule, the best replacements by the same test and keep a swap that
    lowers the loss. A rule is added only while it gains more log-likelihood
    than the BIC penalty (log n / 2).
    """
    n, m = X.shape
    penalty = 0.5 * math.log(n)  # BIC: a rule must gain at least this much log-likelihood
    small = bool(X.min() >= 0 and X.max() <= 3)  # indicators and capped counts (whole numbers by construction)
    X32 = np.asarray(X, dtype=np.float32, order="F")  # score tests: one pass over all candidates
    binary = np.all((X32 == 0) | (X32 == 1), axis=0)
    X2 = X32 if binary.all() else np.asarray(X32 * X32, order="F")
    X8 = np.asarray(X32, dtype=np.uint8, order="F") if small else None
    yi = y.astype(np.int64)
    support: list[int] = []
    beta, loss = _newton(np.zeros((n, 0)), y)

    def groups_of(S):
        """Leads with the same values on S (and the same outcome) as one weighted row: (row -> group, values, outcome, count)."""
        key = yi.copy()
        mul = 2
        for j in S:
            key += X8[:, j].astype(np.int64) * mul
            mul *= 4
        _, first, inv, counts = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
        return inv.astype(np.int64).ravel(), X8[np.ix_(first, S)].astype(float), y[first], counts.astype(float)

    def child_fit(G, j, b0, **kw):
        """Fit S + [j] from the groups of S: one bincount instead of a sort."""
        gid, feats, yv, w = G
        key2 = gid * 4 + X8[:, j]
        cnt = np.bincount(key2, minlength=4 * len(w))
        nz = np.flatnonzero(cnt)
        par = nz // 4
        f = np.column_stack([feats[par], (nz % 4).astype(float)])
        b, l = _newton(f, yv[par], b0, weights=cnt[nz].astype(float), **kw)
        return b, l

    def child_groups(G, j):
        gid, feats, yv, w = G
        key2 = gid * 4 + X8[:, j]
        cnt = np.bincount(key2, minlength=4 * len(w))
        nz = np.flatnonzero(cnt)
        remap = np.zeros(4 * len(w), dtype=np.int64)
        remap[nz] = np.arange(len(nz))
        par = nz // 4
        return remap[key2], np.column_stack([feats[par], (nz % 4).astype(float)]), yv[par], cnt[nz].astype(float)

    def fit_S(S, b0, G=None, **kw):
        if X8 is None:
            return _newton(X[:, S], y, b0, **kw)
        if G is None:
            G = groups_of(S)
        gid, feats, yv, w = G
        return _newton(feats, yv, b0, weights=w, **kw)

    def fit_child(S0, G0, j, b0, **kw):
        if X8 is None:
            return _newton(X[:, S0 + [j]], y, b0, **kw)
        return child_fit(G0, j, b0, **kw)

    def score_test(S, b):
        eta = b[0] + (X[:, S] @ b[1:] if S else np.zeros(n))
        p = _sigmoid(eta)
        g = (X32.T @ (y - p).astype(np.float32)).astype(float)
        h = (X2.T @ (p * (1 - p)).astype(np.float32)).astype(float) + 1e-9
        s = g * g / h
        s[S] = -1.0
        return s

    quick = dict(iters=6, tol=1e-7)
    G_empty = groups_of([]) if X8 is not None else None
    # beam search: keep the `beam` best supports of each size (FasterRisk's idea, on our cheap fits)
    parents = [(support, beta, loss, G_empty)]
    while len(support) < max_rules:
        children: dict[frozenset, tuple] = {}
        for S0, b0, _, G0 in parents:
            s = score_test(S0, b0)
            for j in np.argsort(-s, kind="stable")[:shortlist]:
                if s[j] <= 0:
                    continue
                key = frozenset(S0 + [int(j)])
                if key in children:
                    continue
                b, l = fit_child(S0, G0, int(j), np.append(b0, 0.0), **quick)
                children[key] = (S0 + [int(j)], b, l, G0, int(j))
        if not children:
            break
        ranked = sorted(children.values(), key=lambda c: c[2])[:beam]
        nxt = []
        for S, b, l, G0, j in ranked:
            G = child_groups(G0, j) if X8 is not None else None
            nxt.append((S, b, l, G))
        S, b, l, G = nxt[0]
        b, l = fit_S(S, b, G)
        if loss - l < penalty:
            break
        support, beta, loss = S, b, l
        nxt[0] = (S, b, l, G)
        parents = nxt
        if path is not None:
            path.append((list(support), beta[1:].copy(), float(beta[0])))
    # swaps: drop one rule, add the best other (by the score test on the rest, then a fit)
    for _ in range(4 if swaps else 0):
        improved = False
        for i in range(len(support)):
            rest = support[:i] + support[i + 1 :]
            G_rest = groups_of(rest) if X8 is not None else None
            b_rest, _ = fit_S(rest, np.delete(beta, i + 1), G_rest, **quick)
            s = score_test(rest, b_rest)
            s[support[i]] = -1.0
            for j in np.argsort(-s, kind="stable")[:swap_shortlist]:
                if s[j] <= 0:
                    continue
                b, l = fit_child(rest, G_rest, int(j), np.append(b_rest, 0.0), **quick)
                if l < loss - 1e-6:
                    S = rest + [int(j)]
                    b, l = fit_S(S, b)
                    support, beta, loss, improved = S, b, l, True
                    break
        if not improved:
            break
    return support, beta[1:]


def choose_size(design: Design, max_rules: int) -> int:
    """How many rules: the forward path on the older 80% of the fitting leads, scored on the newer 20%.

    The size with the lowest validation log-loss wins, or a smaller one within 0.1% of it
    (fewer rules for the same accuracy). Falls back to ``max_rules`` with too little data.
    """
    train, order, y = design.train, design.order, design.y
    if order is None or max_rules <= 1:
        return max_rules
    rows = order[train[order]]  # fitting rows, oldest first
    cut = int(len(rows) * 0.8)
    inner, val = np.sort(rows[:cut]), np.sort(rows[cut:])
    if y[val].sum() < 10 or y[inner].sum() < 10 or (~y[val]).sum() < 10:
        return max_rules
    path: list = []
    Xi = np.asfortranarray(design.X[inner])
    forward_select(Xi, y[inner].astype(float), max_rules, path=path, swaps=False)
    if not path:
        return max_rules
    Xv, yv = design.X[val], y[val].astype(float)
    losses = [_logloss(b0 + Xv[:, S].astype(float) @ b, yv) for S, b, b0 in path]
    best = min(losses)
    for k, l in enumerate(losses, start=1):
        if l <= best + 1e-3 * abs(best):
            return k
    return max_rules


def integer_points(X: np.ndarray, y: np.ndarray, beta: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Whole points for the selected features: multiplier ladder + coordinate-descent polish.

    For each multiplier ``m`` (the largest coefficient becomes 6 .. 30 points) the
    log-odds coefficients times ``m`` are rounded, then each rule's points move by
    +-1 while the logistic loss of ``intercept + score / m`` falls. The multiplier
    with the lowest loss wins (the smaller one on a near tie).
    """
    k = X.shape[1]
    if k == 0:
        return np.zeros(0), 1.0
    n = len(y)
    if n > 100_000:  # polish on a sample: the loss differences it needs are large
        idx = np.sort(rng.choice(n, 100_000, replace=False))
        X, y = X[idx], y[idx]
        n = len(y)
    big = float(np.max(np.abs(beta)))
    if big <= 0:
        return np.zeros(k), 1.0
    rows = [np.flatnonzero(X[:, j]) for j in range(k)]
    vals = [X[r, j] for j, r in enumerate(rows)]
    best = None
    for top in (6, 8, 10, 12, 15, 20, 25, 30):
        mult = top / big
        p = np.clip(np.round(beta * mult), -MAX_POINTS, MAX_POINTS)
        p, loss = _polish(X, y, p, mult, rows, vals)
        if best is None or loss < best[2] - 1e-3:
            best = (p, mult, loss)
    return best[0], best[1]


def _fit_intercept(s: np.ndarray, y: np.ndarray, a: float) -> tuple[float, float]:
    for _ in range(20):
        p = _sigmoid(a + s)
        g = float(np.sum(p - y))
        h = float(np.sum(p * (1 - p))) + 1e-9
        a -= g / h
        if abs(g / h) < 1e-8:
            break
    return a, _logloss(a + s, y)


def _polish(X: np.ndarray, y: np.ndarray, p: np.ndarray, mult: float, rows: list, vals: list) -> tuple[np.ndarray, float]:
    """Coordinate descent on whole points; a move is scored on the rows it changes only."""
    p = p.copy()
    score = X @ p / mult
    a, loss = _fit_intercept(score, y, math.log(max(y.mean(), 1e-6) / max(1 - y.mean(), 1e-6)) - float(score.mean()))
    eta = a + score
    for _ in range(8):
        moved = False
        for j in range(len(p)):
            r, v = rows[j], vals[j] / mult
            if len(r) == 0:
                continue
            e, yr = eta[r], y[r]
            base = float(np.sum(np.logaddexp(0.0, e) - yr * e))
            for d in (1.0, -1.0):
                steps = 0
                while abs(p[j] + d) <= MAX_POINTS:
                    e2 = e + d * v
                    new = float(np.sum(np.logaddexp(0.0, e2) - yr * e2))
                    if new < base - 1e-9:
                        p[j] += d
                        e, base, steps = e2, new, steps + 1
                    else:
                        break
                if steps:
                    eta[r] = e
                    moved = True
                    break
        score = eta - a
        a, loss = _fit_intercept(score, y, a)
        eta = a + score
        if not moved:
            break
    return p, loss


def logistic_baseline(X: np.ndarray, y: np.ndarray, train: np.ndarray) -> tuple[float, float]:
    """Holdout and fitting AUC of an L2 logistic regression on all candidate features."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=1.0, max_iter=2000)
    clf.fit(X[train], y[train])
    z = clf.decision_function(X)
    return auc(z[~train], y[~train]), auc(z[train], y[train])


def calibrate(score: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    b, _ = _newton(score.reshape(-1, 1).astype(float), y.astype(float), l2=0.0)
    return float(b[0]), float(b[1])
