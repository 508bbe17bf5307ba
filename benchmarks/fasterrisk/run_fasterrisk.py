"""Run FasterRisk on a design exported by benchmarks/bench_fit.py (runs in FasterRisk's own venv).

Usage: FASTERRISK_PYTHON run_fasterrisk.py DESIGN.npz OUT.json

DESIGN.npz holds X_train, y_train, X_holdout, y_holdout (the same candidate binary
features and the same time split as `leaddesigner fit`), k (the number of rules the
points model used) and lb/ub (the points range). Writes the holdout AUC of the
best FasterRisk model (lowest training logistic loss, as FasterRisk orders them),
its training AUC, the seconds it took and its points.
"""
import json
import sys
import time

import numpy as np
from fasterrisk.fasterrisk import RiskScoreOptimizer
from sklearn.metrics import roc_auc_score


def main(src: str, dst: str) -> None:
    d = np.load(src)
    Xtr, ytr = d["X_train"].astype(float), d["y_train"].astype(bool)
    Xho, yho = d["X_holdout"].astype(float), d["y_holdout"].astype(bool)
    k, lb, ub = int(d["k"]), float(d["lb"]), float(d["ub"])
    t0 = time.perf_counter()
    opt = RiskScoreOptimizer(X=Xtr, y=np.where(ytr, 1, -1), k=k, lb=lb, ub=ub, parent_size=10)
    opt.optimize()
    mults, b0s, betas = opt.get_models()
    secs = time.perf_counter() - t0
    beta = np.asarray(betas[0], dtype=float)
    out = {
        "k": k,
        "lb": lb,
        "ub": ub,
        "holdout_auc": float(roc_auc_score(yho, Xho @ beta)),
        "train_auc": float(roc_auc_score(ytr, Xtr @ beta)),
        "seconds": secs,
        "nonzero": int(np.count_nonzero(beta)),
        "points": {str(int(j)): float(beta[j]) for j in np.flatnonzero(beta)},
        "multiplier": float(mults[0]),
        "intercept": float(b0s[0]),
    }
    with open(dst, "w") as f:
        json.dump(out, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
