"""Benchmark ``leaddesigner fit``: holdout AUC of the points model against anchors, and seconds.

For each data set: fit the sparse integer points model (time split, holdout = the most
recent 20%), and report its holdout AUC with
  * ``logistic_auc``: scikit-learn's L2 logistic regression (C=1) on the same candidate
    features and split (what ``fit_points`` reports);
  * ``logistic_tuned_auc``: the same with C chosen on the newest 20% of the fitting part;
  * ``fasterrisk_auc``: FasterRisk with the same candidate features, split and number of
    rules, run in its own venv (see benchmarks/fasterrisk/), when that venv exists.

Data sets: the generated sample (sample_models/data, with its activity log), a generated
50,000-lead set with activities (written to a temp folder), the UCI bank-marketing file
(outcome y, without duration) and the Salvirt B2B set (outcome Status) from ../shared/data
(skipped when absent). Prints JSON (and writes it with -o).

    .venv/bin/python benchmarks/bench_fit.py [--datasets sample,g50k,bank,salvirt] [-o out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from leaddesigner.core.analysis import fit as F  # noqa: E402
from leaddesigner.core.analysis import fit_features, fit_search  # noqa: E402
from leaddesigner.core.analysis.backtest import auc  # noqa: E402
from leaddesigner.core.data.leadfile import read_table  # noqa: E402
from leaddesigner.core.scoring.summary import parse_outcome  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
FR_DIR = Path(__file__).resolve().parent / "fasterrisk"
FR_PYTHON = Path(os.environ.get("FASTERRISK_VENV", Path.home() / ".cache" / "leaddesigner" / "fasterrisk-venv")) / "bin" / "python"


def load(name: str, tmp: Path):
    """(leads, outcome column, activities, exclude) or None when the data is absent."""
    if name == "sample":
        d = ROOT / "sample_models" / "data"
        return read_table(d / "leads.csv"), "converted", read_table(d / "activities.csv"), []
    if name == "sample_leads_only":
        d = ROOT / "sample_models" / "data"
        return read_table(d / "leads.csv"), "converted", None, []
    if name in ("g50k", "g50k_leads_only"):
        from leaddesigner.samples.generate import write_sample

        d = tmp / "g50k"
        if not (d / "leads.csv").exists():
            write_sample(d, 50_000, 11, "csv")
        act = read_table(d / "activities.csv") if name == "g50k" else None
        return read_table(d / "leads.csv"), "converted", act, []
    if name == "bank":
        p = SHARED / "uci_bank_marketing" / "bank-additional-full.csv"
        if not p.exists():
            return None
        return read_table(p), "y", None, ["duration"]
    if name == "salvirt":
        p = SHARED / "salvirt_b2b" / "Salvirt_B2B_ML_dataset_HF.csv"
        if not p.exists():
            return None
        return read_table(p), "Status", None, []
    raise SystemExit(f"unknown data set {name}")


def tuned_logistic(design: fit_features.Design) -> tuple[float, float]:
    """Holdout AUC of L2 logistic regression with C picked on the newest 20% of the fitting part."""
    from sklearn.linear_model import LogisticRegression

    X, y, train, order = design.X, design.y, design.train, design.order
    rows = order[train[order]]
    cut = int(len(rows) * 0.8)
    inner, val = rows[:cut], rows[cut:]
    best = (-1.0, 1.0)
    for c in (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0):
        clf = LogisticRegression(C=c, max_iter=3000).fit(X[inner], y[inner])
        a = auc(clf.decision_function(X[val]), y[val])
        if a > best[0]:
            best = (a, c)
    clf = LogisticRegression(C=best[1], max_iter=3000).fit(X[train], y[train])
    return auc(clf.decision_function(X[~train]), y[~train]), best[1]


def fasterrisk(design: fit_features.Design, k: int, bounds: float, tmp: Path, timeout: float) -> dict:
    if not FR_PYTHON.exists():
        return {"error": f"no FasterRisk venv at {FR_PYTHON.parent.parent}: run benchmarks/fasterrisk/setup.sh"}
    X, y, train = design.X, design.y, design.train
    src, dst = tmp / "design.npz", tmp / "fasterrisk.json"
    np.savez(src, X_train=X[train], y_train=y[train], X_holdout=X[~train], y_holdout=y[~train], k=k, lb=-bounds, ub=bounds)
    try:
        subprocess.run([str(FR_PYTHON), str(FR_DIR / "run_fasterrisk.py"), str(src), str(dst)], check=True, timeout=timeout,
                       capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    except subprocess.CalledProcessError as e:
        return {"error": (e.stderr or "").strip().splitlines()[-1:] or "failed"}
    out = json.loads(dst.read_text())
    out["points"] = {design.candidates[int(j)].label: v for j, v in out["points"].items()}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", default="sample,sample_leads_only,g50k,bank,salvirt")
    ap.add_argument("--max-rules", type=int, default=12)
    ap.add_argument("--no-fasterrisk", action="store_true")
    ap.add_argument("--fasterrisk-bounds", type=float, default=fit_search.MAX_POINTS)
    ap.add_argument("--fasterrisk-timeout", type=float, default=1800)
    ap.add_argument("--no-tuned", action="store_true", help="skip the tuned logistic regression")
    ap.add_argument("-o", "--output")
    args = ap.parse_args(argv)
    import sklearn.linear_model  # noqa: F401  (imported once, outside the timings)

    results = []
    with tempfile.TemporaryDirectory(prefix="bench_fit_") as t:
        tmp = Path(t)
        for name in args.datasets.split(","):
            got = load(name, tmp)
            if got is None:
                results.append({"dataset": name, "skipped": "data absent"})
                continue
            leads, col, act, exclude = got
            y = parse_outcome(leads[col])
            t0 = time.perf_counter()
            r = F.fit_points(leads, y, activities=act, exclude=exclude, outcome_column=col, max_rules=args.max_rules)
            secs = time.perf_counter() - t0
            row = {
                "dataset": name,
                "leads": len(leads),
                "events": 0 if act is None else len(act),
                "converted": int(y.sum()),
                "fit_rows": r.n_train,
                "holdout_rows": r.n_holdout,
                "holdout_converted": r.positives_holdout,
                "candidates": r.n_candidates,
                "rules": r.n_rules,
                "points_auc": round(r.holdout_auc, 4),
                "logistic_auc": round(r.logistic_auc, 4),
                "points_train_auc": round(r.train_auc, 4),
                "seconds": round(secs, 2),
                "split": r.split,
                "excluded": sorted(r.excluded),
            }
            if not args.no_tuned:
                auc, c = tuned_logistic(r.design)
                row["logistic_tuned_auc"], row["logistic_tuned_C"] = round(auc, 4), c
            if not args.no_fasterrisk:
                fr = fasterrisk(r.design, r.n_rules, args.fasterrisk_bounds, tmp, args.fasterrisk_timeout)
                if "holdout_auc" in fr:
                    row["fasterrisk_auc"] = round(fr["holdout_auc"], 4)
                    row["fasterrisk_seconds"] = round(fr["seconds"], 1)
                    row["fasterrisk_rules"] = fr["nonzero"]
                else:
                    row["fasterrisk_error"] = fr.get("error")
            row["rules_text"] = [f"{int(rr.points):+d} {rr.label}" for rr in r.model.rules]
            results.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "rules_text"}), file=sys.stderr, flush=True)
    text = json.dumps(results, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
