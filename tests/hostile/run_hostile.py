"""Run the hostile-input corpus (``tests/hostile/cases.py``) against the command line; one line per case.

    make hostile
    .venv/bin/python tests/hostile/run_hostile.py [-k WORD] [--jobs 2]

Every case runs ``leaddesigner`` in a fresh folder, in a process of its own,
and must end with status 0, 1 or 2 within 10 s, under 1 GB of memory, with no
traceback; on status 2 the message names the file; inputs stay unchanged and
nothing is left behind. The last lines count the cases per class and list the
failures; the exit status is 1 when any case failed.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from hostile.cases import Case, all_cases  # noqa: E402

TIME_LIMIT_S = 10.0
MEMORY_LIMIT_MB = 1024
#: a hard cap on each command's address space (Qt, Arrow and DuckDB reserve far more than they use), so
#: a runaway case fails with MemoryError instead of taking the machine's memory
ADDRESS_SPACE_LIMIT = 8 << 30


def _digest(folder: Path) -> dict[str, str]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[str(p.relative_to(folder))] = hashlib.sha1(p.read_bytes()).hexdigest()
    return out


def _run(argv: list[str], cwd: Path, env: dict) -> tuple[int, str, str, float, float]:
    """(exit status, stdout, stderr, seconds, peak MB) of one command in its own process."""
    # the peak RSS of this child alone: a tiny wrapper reports its own getrusage(CHILDREN) after the command
    wrapper = (
        "import resource, subprocess, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE_LIMIT}, {ADDRESS_SPACE_LIMIT}))\n"
        "p = subprocess.run(sys.argv[1:])\n"
        "mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "sys.stderr.write(f'\\n@@peak_mb {mb:.0f}\\n')\n"
        "sys.exit(p.returncode)\n"
    )
    t0 = time.perf_counter()
    # a session of its own, so that a command past its time is killed with everything it started
    proc = subprocess.Popen([sys.executable, "-c", wrapper, sys.executable, "-m", "leaddesigner", *argv], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIME_LIMIT_S * 3)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        code, err = -9, err + "\n(killed: no answer within 30 s)"
    dt = time.perf_counter() - t0
    mb = 0.0
    lines = err.splitlines()
    if lines and lines[-1].startswith("@@peak_mb "):
        mb = float(lines[-1].split()[1])
        err = "\n".join(lines[:-1]).rstrip("\n")
    return code, out, err, dt, mb


def run_case(case: Case) -> tuple[Case, int, float, float, str, list[str]]:
    """Run one case; returns (case, status, seconds, peak MB, first message line, problems)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONWARNINGS="ignore")
    env.pop("DISPLAY", None)
    for key, value in case.env.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    with tempfile.TemporaryDirectory(prefix="ld-hostile-") as tmp:
        d = Path(tmp)
        for name, content in case.files.items():
            p = d / name
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content, encoding="utf-8")
        if case.setup is not None:
            try:
                case.setup(d)
            except Exception as e:  # the corpus itself is broken: say so, keep going
                return case, -1, 0.0, 0.0, "", [f"setup failed: {type(e).__name__}: {e}"]
        before = _digest(d)
        code, out, err, dt, mb = _run(case.argv, d, env)
        if case.then:
            code2, out2, err2, dt2, mb2 = _run(case.then, d, env)
            if code2 not in (0, 1):
                err += "\n" + err2
            code, dt, mb = max(code, code2), dt + dt2, max(mb, mb2)
        problems: list[str] = []
        if code not in case.exits:
            problems.append(f"exit {code}, expected {'/'.join(map(str, case.exits))}")
        if "Traceback" in err or "Traceback" in out:
            problems.append("a traceback")
        if "a bug" in err.lower() or "please report" in err.lower():
            problems.append("reported as a bug")
        if dt > TIME_LIMIT_S * (2 if case.then else 1):
            problems.append(f"took {dt:.1f} s")
        if mb > MEMORY_LIMIT_MB:
            problems.append(f"used {mb:.0f} MB")
        if code == 2:
            want = case.names or next(iter(case.files), "")
            want = want.split("/")[0]
            if want and want not in err:
                problems.append(f"the message does not name {want}")
        if case.stderr_has and case.stderr_has not in err:
            problems.append(f"stderr lacks {case.stderr_has!r}")
        if case.stdout_has and case.stdout_has not in out:
            problems.append(f"stdout lacks {case.stdout_has!r}")
        after = _digest(d)
        for name, h in before.items():
            if name not in case.writes and after.get(name) != h:
                problems.append(f"input {name} changed or lost")
        left = [str(p.relative_to(d)) for p in d.rglob("*.tmp*")]
        if left:
            problems.append(f"left behind: {', '.join(left)}")
        if case.check is not None and code in (0, 1) and not problems:
            try:
                why = case.check(d)
            except Exception as e:  # the check itself could not read the output
                why = f"check failed: {type(e).__name__}: {e}"
            if why:
                problems.append(why)
        first = next((ln for ln in err.splitlines() if ln.strip() and not ln.startswith(("note:", "  "))), "") or \
            next((ln for ln in out.splitlines() if ln.strip()), "")
        return case, code, dt, mb, first, problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", default="", help="only cases whose name contains this text")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at the same time (default 2)")
    args = ap.parse_args(argv)
    cases = [c for c in all_cases() if args.k.lower() in c.name.lower()]
    failed = []
    per_class: dict[str, list[int]] = {}
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for case, code, dt, mb, first, problems in pool.map(run_case, cases):
            ok = not problems
            per_class.setdefault(case.klass, [0, 0])[0 if ok else 1] += 1
            status = "ok  " if ok else "FAIL"
            print(f"{status} {case.klass:<12} {case.name[:52]:<52} exit {code:>2} {dt:5.1f} s {mb:5.0f} MB  {first[:110]}", flush=True)
            if not ok:
                failed.append((case, problems))
                print(f"     -> {'; '.join(problems)}", flush=True)
    print()
    for k, (ok, bad) in per_class.items():
        print(f"{k:<12} {ok:>3} ok, {bad:>3} failed")
    print(f"{len(cases)} cases in {time.perf_counter() - t0:.0f} s: {len(cases) - len(failed)} ok, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
