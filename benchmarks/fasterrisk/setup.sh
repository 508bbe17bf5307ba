#!/usr/bin/env bash
# Build FasterRisk's own virtual environment OUTSIDE the repository.
#
# FasterRisk (Liu et al., NeurIPS 2022) pins old numpy/pandas/scikit-learn, so it
# is never a LeadDesigner dependency: benchmarks/bench_fit.py runs it in this
# separate environment (via benchmarks/fasterrisk/run_fasterrisk.py) on the same
# candidate features and the same time split as `leaddesigner fit`.
#
# Usage: bash benchmarks/fasterrisk/setup.sh            (default: ~/.cache/leaddesigner/fasterrisk-venv)
#        FASTERRISK_VENV=/tmp/fr bash benchmarks/fasterrisk/setup.sh
# Tries the python versions listed in FASTERRISK_PYTHONS (first that installs wins).
set -euo pipefail
VENV="${FASTERRISK_VENV:-$HOME/.cache/leaddesigner/fasterrisk-venv}"
PYTHONS="${FASTERRISK_PYTHONS:-python3.11 python3.12 python3.10 python3.13}"
LOG="$(dirname "$VENV")/fasterrisk-install.log"
mkdir -p "$(dirname "$VENV")"
: > "$LOG"
for py in $PYTHONS; do
  if ! command -v "$py" >/dev/null 2>&1; then
    echo "skip $py: not found" | tee -a "$LOG"; continue
  fi
  echo "== trying $py ($($py --version 2>&1))" | tee -a "$LOG"
  rm -rf "$VENV"
  "$py" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip >>"$LOG" 2>&1 || true
  if "$VENV/bin/python" -m pip install fasterrisk >>"$LOG" 2>&1 \
     && "$VENV/bin/python" -c "import fasterrisk, numpy, sklearn; from fasterrisk.fasterrisk import RiskScoreOptimizer" >>"$LOG" 2>&1; then
    echo "FasterRisk installed with $py in $VENV" | tee -a "$LOG"
    "$VENV/bin/python" -m pip list 2>/dev/null | grep -i -E "fasterrisk|numpy|pandas|scikit|scipy" | tee -a "$LOG"
    exit 0
  fi
  echo "!! $py failed (see $LOG)" | tee -a "$LOG"
done
rm -rf "$VENV"
echo "FasterRisk could not be installed with any of: $PYTHONS. Pip's errors are in $LOG" >&2
exit 1
