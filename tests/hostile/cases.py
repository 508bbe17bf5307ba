"""The hostile-input corpus: files a colleague or a vendor could send, and what LeadDesigner must do with them.

Each case writes its inputs into a fresh folder and names the command to run.
The runner (``run_hostile.py``, ``make hostile``) checks for every case: the
exit status is 0, 1 or 2 (never a crash), a status 2 comes with a message
that names the file (and never calls the input "a bug"), no traceback, the
run ends within 10 s and under 1 GB, the input files are unchanged and
nothing is left behind (temp files of a save).

Classes (issue 18 and 21): regex, yaml, numbers (NaN, infinity, semantics),
data (numbers, dates, encodings, broken text files), spreadsheets, saving,
engines (non-ASCII text in the engine, DuckDB and SQLite), messages.
"""
from __future__ import annotations

import gzip
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

GOOD_MODEL = """\
schema_version: 1
name: Hostile test model
lead_id: lead_id
created_at: created
attributes:
  - {name: industry, type: category}
  - {name: employees, type: number}
  - {name: email, type: text}
  - {name: created, type: date}
rules:
  - {id: sw, label: Software, dimension: fit, when: {attribute: industry, op: equals, value: Software}, points: 20}
  - {id: big, label: Big, dimension: fit, when: {attribute: employees, op: gte, value: 500}, points: 15}
  - {id: free, label: Free mail, dimension: fit, when: {attribute: email, op: ends_with, value: gmail.com}, points: -10}
thresholds: {mql: 20}
"""
GOOD_LEADS = "lead_id,industry,employees,email,created\nL1,Software,800,a@x.com,2026-01-05\nL2,Retail,20,b@gmail.com,2026-01-06\n"


@dataclass
class Case:
    name: str
    klass: str
    files: dict[str, bytes | str]
    argv: list[str]
    exits: tuple[int, ...] = (0, 1, 2)
    names: str | None = None  # a file the message (on exit 2) must name; default: the first input file
    stdout_has: str | None = None
    stderr_has: str | None = None
    check: Callable[[Path], str | None] | None = None  # extra check of the folder after the run: None or what is wrong
    writes: tuple[str, ...] = ()  # files the command may create or change
    setup: Callable[[Path], None] | None = None  # makes inputs that are not plain text (workbooks, links)
    then: list[str] | None = None  # a second command on the same folder (before the check)
    env: dict[str, str | None] = field(default_factory=dict)  # environment changes for this case (None: unset)


def _random_bytes(seed: int, n: int = 3000) -> bytes:
    """``n`` bytes of noise, the same on every run."""
    return random.Random(seed).randbytes(n)


def _model(rule: str = "", extra: str = "", **repl: str) -> str:
    text = GOOD_MODEL
    for k, v in repl.items():
        text = text.replace(k, v)
    if rule:
        text = text.replace("thresholds: {mql: 20}\n", rule + "\nthresholds: {mql: 20}\n")
    return text + extra


def _score(model: str = "m.yaml", leads: str = "leads.csv", *more: str) -> list[str]:
    return ["score", model, leads, "-o", "out.csv", "--allow-missing", *more]


def _validate(model: str = "m.yaml") -> list[str]:
    return ["validate", model]


# ---------------------------------------------------------------- 1. regex
def regex_cases() -> list[Case]:
    out = []
    pats = {
        "lookahead": "(?=a)b", "neg lookahead": "(?!a)b", "lookbehind": "(?<=a)b", "backreference": "(a)\\1",
        "possessive": "a++", "unbalanced": "(abc", "bad class": "[z-a]", "bad escape": "ab\\", "huge repeat": "a{100000}",
    }
    for name, pat in pats.items():
        m = _model(f"  - {{id: rx, label: Rx, dimension: fit, when: {{attribute: email, op: regex, value: '{pat}'}}, points: 5}}")
        out.append(Case(f"regex {name} is refused at load", "regex", {"m.yaml": m, "leads.csv": GOOD_LEADS}, _validate(), exits=(2,),
                        stderr_has="m.yaml:"))
    # catastrophic backtracking patterns run in linear time on any data, ASCII or not
    for k, data in enumerate(["a" * 5000 + "!", "a" * 5000 + "é!", "aaaa" * 2000 + "\u0301"]):
        leads = "lead_id,industry,employees,email,created\n" + "".join(f"L{i},x,1,{data},2026-01-05\n" for i in range(3000))
        m = _model("  - {id: rx, label: Rx, dimension: fit, when: {attribute: email, op: regex, value: '(a+)+$'}, points: 5}")
        out.append(Case(f"regex (a+)+$ over long values #{k}", "regex", {"m.yaml": m, "leads.csv": leads}, _score(), exits=(0,), writes=("out.csv",)))
    return out


# ---------------------------------------------------------------- 2. yaml
def yaml_cases() -> list[Case]:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(12))
    docs = {
        "billion laughs": laughs,
        "recursive alias": "a: &a [*a]\n",
        "recursive map alias": "a: &a {b: *a}\n",
        "deep nesting": "a: " + "[" * 10000 + "]" * 10000 + "\n",
        "deep maps": "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "v\n",
        "python tag": "!!python/object/apply:os.system ['echo hi']\n",
        "custom tag": "schema_version: !custom 1\n",
        "binary tag": "a: !!binary '%%%%'\n",
        "set tag": "a: !!set {x, y}\n",
        "huge integer": _model(**{"points: 20}": "points: 1" + "0" * 500 + "}"}),
        "complex key": "? [a, b]\n: c\n",
        "merge non-map": "a: {<<: [1, 2]}\n",
        "bad date": _model(extra="changelog: [{date: 2026-13-45, author: x, note: y}]\n"),
        "changelog day that does not exist": _model(extra="changelog: [{date: 2026-02-30, author: x, note: y}]\n"),
        "tabs": "schema_version: 1\n\tname: x\n",
        "random bytes": _random_bytes(1),
        "utf-16 model": GOOD_MODEL.encode("utf-16"),
        "empty": "",
        "only a comment": "# nothing\n",
        "a list, not a map": "- a\n- b\n",
        "duplicate keys": GOOD_MODEL + "name: again\n",
        "unknown key": GOOD_MODEL.replace("points: 20}", "pionts: 20}"),
        "40 MB description": "schema_version: 1\nname: x\ndescription: '" + "x" * 40_000_000 + "'\nrules: []\n",
    }
    out = [Case(f"yaml {k}", "yaml", {"m.yaml": v}, _validate(), exits=(2,), stderr_has="m.yaml") for k, v in docs.items()]
    rules = "".join(f"  - {{id: r{i}, label: R{i}, dimension: fit, when: {{attribute: industry, op: equals, value: V{i}}}, points: 1}}\n"
                    for i in range(5000))
    big = GOOD_MODEL.replace("rules:\n", "rules:\n" + rules)
    out.append(Case("yaml 5,000 rules validate in time", "yaml", {"m.yaml": big}, _validate(), exits=(0,)))
    rules60 = "".join(f"  - {{id: r{i}, label: R{i}, dimension: fit, when: {{attribute: industry, op: equals, value: V{i}}}, points: 1}}\n"
                      for i in range(60_000))
    out.append(Case("yaml 60,000 rules", "yaml", {"m.yaml": GOOD_MODEL.replace("rules:\n", "rules:\n" + rules60)}, _validate(), exits=(0, 2)))
    return out


# ---------------------------------------------------------------- 3. numbers in the model
def number_cases() -> list[Case]:
    edits = {
        "points nan": ("points: 20}", "points: .nan}"),
        "points inf": ("points: 20}", "points: .inf}"),
        "points -inf": ("points: 20}", "points: -.inf}"),
        "threshold inf": ("{mql: 20}", "{mql: .inf}"),
        "threshold nan": ("{mql: 20}", "{mql: .NaN}"),
        "threshold huge": ("{mql: 20}", "{mql: 1e300}"),
        "between nan": ("op: gte, value: 500}", "op: between, value: [.nan, 10]}"),
        "gte inf": ("op: gte, value: 500}", "op: gte, value: .inf}"),
        "mql above range": ("{mql: 20}", "{mql: 150}\nscore_range: {min: 0, max: 100}"),
        "mql below range": ("{mql: 20}", "{mql: -50}\nscore_range: {min: 0, max: 100}"),
        "sql below mql": ("{mql: 20}", "{mql: 20, sql: 10}"),
        "negative cap": ("{mql: 20}", "{mql: 20}\ncaps: {dimensions: {fit: {max: -5}}}"),
        "cap nan": ("{mql: 20}", "{mql: 20}\ncaps: {dimensions: {fit: {max: .nan}}}"),
        "range min above max": ("{mql: 20}", "{mql: 20}\nscore_range: {min: 100, max: 0}"),
    }
    out = [Case(f"model {k}", "numbers", {"m.yaml": GOOD_MODEL.replace(a, b)}, _validate(), exits=(2,), stderr_has="m.yaml:")
           for k, (a, b) in edits.items()]
    out.append(Case("model that can never produce an MQL is a warning", "numbers", {"m.yaml": GOOD_MODEL.replace("{mql: 20}", "{mql: 90}")},
                    _validate(), exits=(0,), stderr_has="no lead can become an MQL"))
    out.append(Case("json model with NaN", "numbers", {"m.json": '{"schema_version": 1, "name": "x", "rules": [], "thresholds": {"mql": NaN}}'},
                    ["validate", "m.json"], exits=(2,), names="m.json"))

    def json_is_strict(d: Path) -> str | None:
        try:
            json.loads((d / "out.json").read_text(), parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
        except ValueError as e:
            return f"out.json is not strict JSON: {e}"
        return None

    out.append(Case("json export never holds NaN", "numbers", {"m.yaml": GOOD_MODEL}, ["export", "m.yaml", "--to", "json", "-o", "out.json"],
                    exits=(0,), check=json_is_strict, writes=("out.json",)))
    return out


# ---------------------------------------------------------------- 4. data: numbers, dates, encodings, broken files
def data_cases() -> list[Case]:
    m = {"m.yaml": GOOD_MODEL}
    big_ascii = "lead_id,industry,employees,email,created\n" + "".join(f"L{i},Software,10,a@x.com,2026-01-05\n" for i in range(4000))
    cases = {
        "semicolon thousands": "lead_id;industry;employees;email;created\nL1;Software;1.500;a@x.com;05.01.2026\nL2;Retail;12.000;b@y.com;06.01.2026\n",
        "mixed day orders": "lead_id,industry,employees,email,created\nL1,x,1,a@x.com,\"31/12/2025, 14:00\"\nL2,x,1,b@x.com,\"01/02/2026, 09:00\"\n",
        "a 2099 event": "lead_id,industry,employees,email,created\nL1,x,1,a@x.com,2026-01-05\nL2,x,1,b@x.com,2099-01-01\n",
        "cp1252 after 64 KiB": big_ascii + "L9999,Caf\xe9,10,a@x.com,2026-01-05\n",
        "utf-16 no bom": None,
        "nul bytes": "lead_id,industry\x00,employees\nL1,\x00x,1\n",
        "random bytes": None,
        "ragged rows": "lead_id,industry,employees\nL1,x\nL2,y,2,3,4\n",
        "5000 columns": ",".join(f"c{i}" for i in range(5000)) + "\n" + ",".join("1" for _ in range(5000)) + "\n",
        "only a header": "lead_id,industry,employees,email,created\n",
        "empty file": "",
        "blank lines": "\n\n\n",
        "bom and semicolon": "\ufefflead_id;industry;employees\nL1;x;1\n",
        "mixed line endings": "lead_id,industry,employees\r\nL1,x,1\nL2,y,2\rL3,z,3\n",
        "quoted newline": "lead_id,industry,employees\nL1,\"two\nlines\",1\nL2,x,y\n",
        "unclosed quote": "lead_id,industry,employees\nL1,\"open,1\nL2,x,2\n",
        "duplicate headers": "lead_id,industry,industry\nL1,x,y\n",
        "empty header names": "lead_id,,\nL1,x,y\n",
        "huge single field": "lead_id,industry\nL1," + "x" * 40_000_000 + "\n",
        "number overflow": "lead_id,industry,employees\nL1,x,1e400\nL2,y,99999999999999999999999999\n",
        "dates out of range": "lead_id,industry,employees,email,created\nL1,x,1,a,0001-01-01\nL2,x,1,b,9999-12-31\n",
        "formula text": "lead_id,industry,employees\n\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",x,1\n+cmd,y,2\n",
        "control characters": "lead_id,industry,employees\nL\x011,x\x0b,1\n",
        "no id column at all": "industry,employees\nSoftware,1\nRetail,2\n",
        "all ids empty": "lead_id,industry\n,x\n,y\n",
    }
    out = []
    for k, v in cases.items():
        if k == "utf-16 no bom":
            v = GOOD_LEADS.encode("utf-16-le")
        elif k == "random bytes":
            v = _random_bytes(2)
        elif k == "cp1252 after 64 KiB":
            v = v.encode("cp1252")
        out.append(Case(f"leads {k}", "data", {**m, "leads.csv": v}, _score(), writes=("out.csv",), names="leads.csv"))
    out.append(Case("leads truncated gzip", "data", {**m, "leads.csv.gz": gzip.compress(GOOD_LEADS.encode() * 50)[:60]},
                    _score(leads="leads.csv.gz"), writes=("out.csv",), names="leads.csv.gz"))
    def gzip_bomb(d: Path) -> None:  # 600 KB on disk, 600 MB of one value once unpacked
        with gzip.open(d / "leads.csv.gz", "wb", compresslevel=9) as f:
            f.write(b"lead_id,industry\nL1,")
            for _ in range(600):
                f.write(b"0" * (1 << 20))

    out.append(Case("leads gzip bomb (600 MB in one value)", "data", m, _score(leads="leads.csv.gz"), exits=(2,), setup=gzip_bomb,
                    names="leads.csv.gz", stderr_has="64 MB"))
    out.append(Case("leads not gzip", "data", {**m, "leads.csv.gz": b"not gzip at all"}, _score(leads="leads.csv.gz"), exits=(2,),
                    names="leads.csv.gz"))
    acts = {
        "events of unknown leads": "lead_id,timestamp,type,url\nZ9,2026-01-01,page_view,/\n",
        "events without timestamps": "lead_id,timestamp,type,url\nL1,,page_view,/\nL1,soon,page_view,/\n",
        "event columns missing": "who,when\nL1,2026-01-01\n",
        "event dated 2099": "lead_id,timestamp,type,url\nL1,2099-01-01,page_view,/pricing\nL1,2026-01-04,page_view,/pricing\n",
    }
    am = GOOD_MODEL.replace("rules:\n", "activities: {lead_id: lead_id, timestamp: timestamp, type: type, detail: url}\nrules:\n"
                            "  - {id: pv, label: Pricing, dimension: engagement, activity: {where: {attribute: detail, op: contains, "
                            "value: pricing}, within_days: 30}, points: 5}\n")
    for k, v in acts.items():
        out.append(Case(f"activities {k}", "data", {"m.yaml": am, "leads.csv": GOOD_LEADS, "acts.csv": v},
                        _score("m.yaml", "leads.csv", "--activities", "acts.csv"), writes=("out.csv",), names="acts.csv"))
    return out


# ---------------------------------------------------------------- 5. spreadsheets
def spreadsheet_cases() -> list[Case]:
    out = []

    def workbook(rows: list[list], path: Path, formulas: bool = False, max_row: int | None = None) -> None:
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        for r in rows:
            ws.append(r)
        wb.save(path)
        if max_row:  # a sheet that claims millions of (empty) rows in its stored dimension
            import shutil
            import zipfile

            tmp = path.with_suffix(".tmp.xlsx")
            with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
                for item in zin.infolist():
                    data = zin.read(item.filename)
                    if item.filename == "xl/worksheets/sheet1.xml":
                        import re

                        data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Z' + str(max_row).encode() + b'"', data)
                    zout.writestr(item, data)
            shutil.move(tmp, path)

    base = [["lead_id", "industry", "employees", "email", "created"], ["L1", "Software", 800, "a@x.com", "2026-01-05"]]
    specs = {
        "formulas without values": (base + [["L2", "x", "=C2*2", "b@x.com", "2026-01-06"]], {}),
        "claims 8 million rows": (base, {"max_row": 8_000_000}),
        "empty workbook": ([], {}),
        "header only": (base[:1], {}),
        "dates as Excel serial numbers": ([base[0], ["L1", "Software", 800, "a@x.com", 46027]], {}),
    }
    for k, (rows, kw) in specs.items():
        def setup(d: Path, rows=rows, kw=kw) -> None:
            workbook(rows, d / "leads.xlsx", **kw)
        out.append(Case(f"xlsx {k}", "spreadsheets", {"m.yaml": GOOD_MODEL}, _score(leads="leads.xlsx"), writes=("out.csv",),
                        names="leads.xlsx", setup=setup))
    out.append(Case("xlsx that is not a workbook", "spreadsheets", {"m.yaml": GOOD_MODEL, "leads.xlsx": b"PK\x03\x04garbage"},
                    _score(leads="leads.xlsx"), exits=(2,), names="leads.xlsx"))
    out.append(Case("xls renamed to xlsx", "spreadsheets", {"m.yaml": GOOD_MODEL, "leads.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500},
                    _score(leads="leads.xlsx"), exits=(2,), names="leads.xlsx"))

    def no_formulas(d: Path) -> str | None:
        import openpyxl

        ws = openpyxl.load_workbook(d / "out.xlsx").active
        bad = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
        return f"formulas in the output: {bad}" if bad else None

    hostile_ids = 'lead_id,industry,employees,email,created\n"=HYPERLINK(""http://evil"",""x"")",x,1,a,2026-01-05\n+1,y,2,b,2026-01-05\n@SUM(A1),z,3,c,2026-01-05\n'
    out.append(Case("xlsx output never holds a formula", "spreadsheets", {"m.yaml": GOOD_MODEL, "leads.csv": hostile_ids},
                    ["score", "m.yaml", "leads.csv", "-o", "out.xlsx", "--allow-missing"], exits=(0,), check=no_formulas, writes=("out.xlsx",)))

    def csv_defused(d: Path) -> str | None:
        text = (d / "out.csv").read_text()
        lines = text.splitlines()[1:]
        bad = [ln for ln in lines if ln[:1] in "=+@" or ln[:2] == '"=']
        return f"cells that start a formula: {bad}" if bad else None

    out.append(Case("csv output escapes = + - @", "spreadsheets", {"m.yaml": GOOD_MODEL, "leads.csv": hostile_ids},
                    _score(), exits=(0,), check=csv_defused, writes=("out.csv",)))
    long_id = "lead_id,industry,employees,email,created\n" + "L" * 40_000 + ",x,1,a,2026-01-05\n"
    out.append(Case("xlsx output with an id longer than a cell", "spreadsheets", {"m.yaml": GOOD_MODEL, "leads.csv": long_id},
                    ["score", "m.yaml", "leads.csv", "-o", "out.xlsx", "--allow-missing"], exits=(2,), names="out.xlsx", writes=("out.xlsx",)))
    ctrl = "lead_id,industry,employees,email,created\nL\x01x,x,1,a,2026-01-05\n"
    out.append(Case("xlsx output with control characters", "spreadsheets", {"m.yaml": GOOD_MODEL, "leads.csv": ctrl},
                    ["score", "m.yaml", "leads.csv", "-o", "out.xlsx", "--allow-missing"], exits=(0,), writes=("out.xlsx",)))
    return out


# ---------------------------------------------------------------- 6. saving
def saving_cases() -> list[Case]:
    out = []

    def link_setup(d: Path) -> None:
        (d / "real").mkdir()
        (d / "real" / "model.yaml").write_text(GOOD_MODEL)
        (d / "link.yaml").symlink_to(d / "real" / "model.yaml")

    def link_kept(d: Path) -> str | None:
        if not (d / "link.yaml").is_symlink():
            return "the symlink was replaced by a plain file"
        return None if "Hostile test model" in (d / "real" / "model.yaml").read_text() else "the target was not written"

    out.append(Case("export through a symlink writes its target", "saving", {"m.yaml": GOOD_MODEL},
                    ["export", "m.yaml", "--to", "yaml", "-o", "link.yaml"], exits=(0,), setup=link_setup, check=link_kept,
                    writes=("link.yaml", "real/model.yaml")))

    def stale_setup(d: Path) -> None:
        t = d / ".out.yaml.old123.tmp"
        t.write_text("half a file from a killed save")
        old = 1_000_000_000
        os.utime(t, (old, old))

    def no_stale(d: Path) -> str | None:
        left = list(d.glob(".*.tmp"))
        return f"left behind: {left}" if left else None

    out.append(Case("a save cleans temp files of a killed save", "saving", {"m.yaml": GOOD_MODEL},
                    ["export", "m.yaml", "--to", "yaml", "-o", "out.yaml"], exits=(0,), setup=stale_setup, check=no_stale,
                    writes=("out.yaml", ".out.yaml.old123.tmp")))
    out.append(Case("output into a missing folder", "saving", {"m.yaml": GOOD_MODEL, "leads.csv": GOOD_LEADS},
                    ["score", "m.yaml", "leads.csv", "-o", "nope/out.csv"], exits=(2,), names="nope"))
    out.append(Case("output is a folder", "saving", {"m.yaml": GOOD_MODEL, "leads.csv": GOOD_LEADS, "dir/keep": ""},
                    ["score", "m.yaml", "leads.csv", "-o", "dir"], exits=(2,), names="dir"))
    out.append(Case("export json into a missing folder", "saving", {"m.yaml": GOOD_MODEL},
                    ["export", "m.yaml", "--to", "json", "-o", "nope/m.json"], exits=(2,), names="nope"))
    out.append(Case("model is a folder", "saving", {"m.yaml/keep": ""}, _validate(), exits=(2,), names="m.yaml"))
    out.append(Case("model missing", "saving", {}, _validate(), exits=(2,), names="m.yaml"))
    out.append(Case("fit output with a wrong extension", "saving", {"leads.csv": GOOD_LEADS},
                    ["fit", "leads.csv", "--outcome", "industry", "--positive", "Software", "-o", "model.txt"], exits=(2,), names="model.txt"))
    return out


# ---------------------------------------------------------------- 7. engines and non-ASCII text
def _same_scores(expected: list[float]) -> Callable[[Path], str | None]:
    """The engine, the DuckDB engine and the exported DuckDB SQL all give ``expected`` (points per lead)."""

    def check(d: Path) -> str | None:
        import duckdb
        import pandas as pd

        from leaddesigner.core.model.io import load_model
        from leaddesigner.core.export.sqlexport import export_sql

        a = pd.read_csv(d / "out.csv", dtype={"lead_id": str}).sort_values("lead_id")["score"].tolist()
        b = pd.read_parquet(d / "duck.parquet").sort_values("lead_id")["score"].tolist()
        con = duckdb.connect()
        table = pd.read_csv(d / "leads.csv", dtype={"lead_id": str, "industry": str, "email": str}, parse_dates=["created"])
        con.register("leads", table)  # typed as a warehouse table would be
        sql = export_sql(load_model(d / "m.yaml"), dialect="duckdb", as_of="2026-02-01")
        c = con.execute(sql).df().sort_values("lead_id")["score"].tolist()
        if a != expected:
            return f"the engine scored {a}, expected {expected}"
        if b != expected:
            return f"the duckdb engine scored {b}, expected {expected}"
        if c != expected:
            return f"the exported SQL scored {c} on DuckDB, expected {expected}"
        return None

    return check


def engine_cases() -> list[Case]:
    out = []
    words = ["ÉCOLE", "école", "İstanbul", "ΟΔΟΣ ΑΘΗΝΩΝ", "Straße", "STRASSE"]
    leads = "lead_id,industry,employees,email,created\n" + "".join(f"L{i},{w},1,a@x.com,2026-01-05\n" for i, w in enumerate(words))
    cases = [("contains", "ÉCOLE", {0, 1}), ("equals", "İstanbul", {2}), ("contains", "ΟΔΟΣ", {3}), ("equals", "straße", {4, 5}),
             ("starts_with", "STRA", {4, 5})]
    for op, val, hits in cases:
        m = _model(f"  - {{id: t, label: T, dimension: fit, when: {{attribute: industry, op: {op}, value: '{val}'}}, points: 7}}")

        out.append(Case(f"engines agree: {op} {val}", "engines", {"m.yaml": m, "leads.csv": leads},
                        ["score", "m.yaml", "leads.csv", "-o", "out.csv", "--allow-missing"], exits=(0,), writes=("out.csv", "duck.parquet"),
                        check=_same_scores([7.0 if i in hits else 0.0 for i in range(len(words))]),
                        then=["score", "m.yaml", "leads.csv", "-o", "duck.parquet", "--engine", "duckdb", "--allow-missing"]))
    return out


# ---------------------------------------------------------------- 8. messages
def message_cases() -> list[Case]:
    out = []
    quoted = "lead_id,industry,employees\nL1,\"a\nb\nc\",1\nL2,x,2,extra\n"
    out.append(Case("line numbers after a quoted newline", "messages", {"m.yaml": GOOD_MODEL, "leads.csv": quoted}, _score(), exits=(2,),
                    names="leads.csv", stderr_has="line 5"))
    out.append(Case("unsupported extension", "messages", {"m.yaml": GOOD_MODEL, "leads.doc": "x"}, _score(leads="leads.doc"), exits=(2,), names="leads.doc"))
    out.append(Case("missing lead file", "messages", {"m.yaml": GOOD_MODEL}, _score(), exits=(2,), names="leads.csv"))
    out.append(Case("bad --as-of", "messages", {"m.yaml": GOOD_MODEL, "leads.csv": GOOD_LEADS}, _score("m.yaml", "leads.csv", "--as-of", "2026-02-30"),
                    exits=(2,), names="2026-02-30"))
    out.append(Case("bad outcome column", "messages", {"m.yaml": GOOD_MODEL, "leads.csv": GOOD_LEADS},
                    ["backtest", "m.yaml", "leads.csv", "--outcome", "nope"], exits=(2,), names="leads.csv"))
    out.append(Case("outcome that is no outcome", "messages", {"m.yaml": GOOD_MODEL, "leads.csv": GOOD_LEADS},
                    ["profile", "leads.csv", "--outcome", "email"], exits=(2,), names="leads.csv"))
    out.append(Case("explain an unknown lead", "messages", {"m.yaml": GOOD_MODEL, "leads.csv": GOOD_LEADS},
                    ["explain", "m.yaml", "leads.csv", "--lead", "L9"], exits=(2,), names="leads.csv"))
    out.append(Case("diff with a broken model", "messages", {"a.yaml": GOOD_MODEL, "b.yaml": "rules: [\n"}, ["diff", "a.yaml", "b.yaml"],
                    exits=(2,), names="b.yaml"))
    out.append(Case("profile of random bytes", "messages", {"leads.csv": _random_bytes(5)},
                    ["profile", "leads.csv"], exits=(2,), names="leads.csv", stderr_has="not a text file"))
    out.append(Case("profile of a header without a line break", "messages", {"leads.csv": "lead_id,industry"},
                    ["profile", "leads.csv"], exits=(0,), stdout_has="0 leads, 2 columns"))
    ragged_cp1252 = b"lead_id,industry\n" + b"L1,x\n" * 20000 + b"L2,x,caf\xe9\n"
    out.append(Case("a ragged cp1252 line after 64 KiB of UTF-8", "messages", {"m.yaml": GOOD_MODEL, "leads.csv": ragged_cp1252},
                    _score(), exits=(2,), names="leads.csv", stderr_has='line 20002'))

    def workbook_as_csv(d: Path) -> None:
        import openpyxl

        wb = openpyxl.Workbook()
        wb.active.append(["lead_id", "industry"])
        wb.save(d / "book.xlsx")
        (d / "book.xlsx").rename(d / "leads.csv")

    out.append(Case("a workbook saved as .csv", "messages", {"m.yaml": GOOD_MODEL}, _score(), exits=(2,), setup=workbook_as_csv,
                    names="leads.csv", stderr_has="rename it to .xlsx"))
    out.append(Case("gui without a display", "messages", {"m.yaml": GOOD_MODEL}, ["gui", "m.yaml"], exits=(2,), stderr_has="display", names="DISPLAY",
                    env={"QT_QPA_PLATFORM": None, "WAYLAND_DISPLAY": None}))
    return out


def all_cases() -> list[Case]:
    return regex_cases() + yaml_cases() + number_cases() + data_cases() + spreadsheet_cases() + saving_cases() + engine_cases() + message_cases()
