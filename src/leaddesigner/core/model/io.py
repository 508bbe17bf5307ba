"""Read, validate, migrate and save model files: the one entry point for model files.

Reading YAML safely is in :mod:`.yaml_safe`, validation in :mod:`.validate`,
the error types in :mod:`.errors`; this module ties them together and re-exports
what callers need (``ModelError``, ``did_you_mean``, ``validate_dict``).

Errors are for marketers: every message names the file and YAML line, the key
path (``rules[3].when.op``), what was expected, and a "did you mean" where a
key, operator, attribute or group looks misspelt. All problems are collected,
not just the first. Saving writes a temp file beside the target and renames
it, so a crash never leaves a half-written model.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import yaml

from leaddesigner.core.model import types as M
from leaddesigner.core.model.errors import ModelError, ModelIssue, SourceLines, did_you_mean, path_text
from leaddesigner.core.model.validate import validate_dict
from leaddesigner.core.model.yaml_safe import parse_yaml

__all__ = [
    "MIGRATIONS", "ModelError", "ModelIssue", "YamlDumper", "atomic_write_text", "did_you_mean",
    "dumps_model", "highest_score", "load_model", "loads_model", "migrate", "model_hash", "never_mql", "parse_yaml", "save_model",
    "validate_dict", "values_as_written",
]


#: attribute types whose rule values are text whatever they look like (``NO``, ``yes``, ``01234``, ``12:30``)
_TEXT_TYPES = ("category", "text")


def values_as_written(data: Any, lines: SourceLines) -> list[ModelIssue]:
    """Give category and text rule values back the text the file has (YAML reads ``01234`` as 1234).

    Values of category/text attributes (and of the activity log's type and
    detail) are compared as text, so ``value: [US, NO, 01234, 12:30]`` means
    those four texts. Returns notes for values written as ``true``/``false``
    (earlier versions saved a YAML 1.1 ``NO`` that way): they are read as the
    text ``true``/``false``; the note names the line.
    """
    notes: list[ModelIssue] = []
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        return notes
    types = {a.get("name"): a.get("type") for a in data.get("attributes") or [] if isinstance(a, dict)}
    types.update({"type": "category", "detail": "text"})

    def fix(v: Any, path: tuple) -> Any:
        raw = lines.raw.get(path)
        if isinstance(v, bool):
            text = raw if raw is not None else ("true" if v else "false")
            notes.append(ModelIssue(path_text(path), f"{text} is read as the text '{text}' (this attribute holds text). "
                                    "If you meant a value such as the country code NO, write that value.", lines.of(path)))
            return text
        if raw is not None:
            return raw
        if isinstance(v, (int, float)):
            return str(v)
        return v

    def walk(c: Any, path: tuple, activity: bool) -> None:
        if not isinstance(c, dict):
            return
        for k in ("all", "any"):
            if isinstance(c.get(k), list):
                for i, x in enumerate(c[k]):
                    walk(x, path + (k, i), activity)
        if "not" in c:
            walk(c["not"], path + ("not",), activity)
        attr = c.get("attribute")
        if attr is None or "value" not in c:
            return
        atype = ("category" if attr == "type" else "text") if activity else types.get(attr)
        if atype not in _TEXT_TYPES:
            return
        v = c["value"]
        if isinstance(v, list):
            c["value"] = [fix(x, path + ("value", i)) for i, x in enumerate(v)]
        elif v is not None:
            c["value"] = fix(v, path + ("value",))

    for i, r in enumerate(data["rules"]):
        if not isinstance(r, dict):
            continue
        walk(r.get("when"), ("rules", i, "when"), False)
        act = r.get("activity")
        if isinstance(act, dict):
            walk(act.get("where"), ("rules", i, "activity", "where"), True)
    rec = data.get("recycling")
    if isinstance(rec, dict):
        for key in ("disqualified", "closed_lost"):
            o = rec.get(key)
            if isinstance(o, dict) and isinstance(o.get("values"), list):
                o["values"] = [fix(x, ("recycling", key, "values", j)) for j, x in enumerate(o["values"])]
    out = data.get("outcome")
    if isinstance(out, dict) and isinstance(out.get("positive"), list):
        out["positive"] = [fix(x, ("outcome", "positive", j)) for j, x in enumerate(out["positive"])]
    return notes


# ---------------------------------------------------------------- migrations
#: version N -> function turning a version-N dict into a version-N+1 dict.
#: Add an entry (and a fixture file in tests/fixtures/models/) with every format change.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


def migrate(data: dict, source: str | None = None, lines: SourceLines | None = None) -> dict:
    """Bring an older model dict up to the current ``schema_version``."""
    version = data.get("schema_version")
    line = lines.of(("schema_version",)) if lines is not None and "schema_version" in data else None
    if version is None:
        raise ModelError(
            [ModelIssue("schema_version", f"missing: add 'schema_version: {M.SCHEMA_VERSION}' at the top of the file", 1)],
            source,
        )
    if not isinstance(version, int) or version < 1:
        raise ModelError([ModelIssue("schema_version", f"expected a whole number like {M.SCHEMA_VERSION}, found {version!r}", line)], source)
    if version > M.SCHEMA_VERSION:
        raise ModelError(
            [
                ModelIssue(
                    "schema_version",
                    f"this file uses format version {version}, newer than this LeadDesigner "
                    f"(reads up to {M.SCHEMA_VERSION}). Update LeadDesigner to open it.",
                    line,
                )
            ],
            source,
        )
    while data["schema_version"] < M.SCHEMA_VERSION:
        data = MIGRATIONS[data["schema_version"]](data)
    return data


# ---------------------------------------------------------------- public API
def loads_model(text: str, source: str | None = None) -> M.ScoringModel:
    """Parse a model from YAML text.

    Notes that do not stop loading (a ``false`` where a category value
    belongs) are in the returned model's ``load_notes``.
    """
    data, lines = parse_yaml(text, source)
    if isinstance(data, dict):
        data = migrate(data, source, lines)
    notes = values_as_written(data, lines)
    validate_dict(data, lines, source)
    m = M.from_dict(data)
    m.load_notes = [n.format(source) for n in notes]
    unreachable = never_mql(m)
    if unreachable:
        m.load_notes.append(ModelIssue("thresholds.mql", unreachable, lines.of(("thresholds", "mql"))).format(source))
    return m


def highest_score(m: M.ScoringModel) -> float | None:
    """The most points a lead can get from the model (None: unbounded, e.g. activity rules without max_points)."""
    dims: dict[str, float] = {d: 0.0 for d in M.DIMENSIONS}
    groups: dict[tuple[str, str], float] = {}
    for r in m.rules:
        if not r.enabled:
            continue
        if r.kind == "map":
            vals = list((r.map.values or {}).values()) + [b.points for b in (r.map.bins or [])] + [r.map.default]
            best = max([v for v in vals if v is not None] + [0.0])
        elif r.kind == "activity":  # points per event, up to max_points
            if r.points <= 0:
                best = 0.0
            elif r.activity.max_points is None:
                return None
            else:
                best = float(r.activity.max_points)
        else:
            best = max(0.0, r.points)
        if m.persona is not None and r.dimension == "engagement":
            best *= max([1.0, m.persona.default, *m.persona.weights.values()])
        if r.group:
            groups[(r.dimension, r.group)] = groups.get((r.dimension, r.group), 0.0) + best
        else:
            dims[r.dimension] += best
    for (dim, g), v in groups.items():
        cap = m.caps.groups.get(g)
        dims[dim] += min(v, cap.max) if cap is not None and cap.max is not None else v
    total = 0.0
    for dim, v in dims.items():
        cap = m.caps.dimensions.get(dim)
        total += min(v, cap.max) if cap is not None and cap.max is not None else v
    if m.score_range is not None and m.score_range.max is not None:
        total = min(total, m.score_range.max)
    return total


def never_mql(m: M.ScoringModel) -> str:
    """A sentence when no lead can ever reach the MQL threshold (rules, caps and score range allow less), else ""."""
    if not m.rules:
        return ""
    top = highest_score(m)
    if top is None or top >= m.thresholds.mql:
        return ""
    return (f"no lead can become an MQL: the most a lead can score with these rules and caps is {top:g}, "
            f"below the MQL threshold {m.thresholds.mql:g}")


def load_model(path: str | os.PathLike) -> M.ScoringModel:
    """Read and validate a model file. Raises :class:`ModelError` or ``OSError``."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise ModelError([ModelIssue("", f"the file is not UTF-8 text (byte {e.start}); save it as UTF-8")], str(p)) from None
    if p.suffix.lower() == ".json":
        import json

        def no_constant(name: str) -> Any:
            raise json.JSONDecodeError(f"{name} is not a usable number", text, 0)

        try:
            data = json.loads(text, parse_constant=no_constant)
        except json.JSONDecodeError as e:
            raise ModelError([ModelIssue("", f"this is not valid JSON: {e.msg}", e.lineno)], str(p)) from None
        if isinstance(data, dict):
            data = migrate(data, str(p))
        validate_dict(data, None, str(p))
        return M.from_dict(data)
    return loads_model(text, str(p))


class YamlDumper(yaml.SafeDumper):
    """Block style for structure; flow style for short leaves like conditions and ranges."""


def _repr_str(dumper: yaml.SafeDumper, s: str) -> yaml.Node:
    style = "|" if "\n" in s else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)


def _is_flat(v: Any) -> bool:
    return not isinstance(v, (dict, list)) or (isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v))


def _repr_dict(dumper: yaml.SafeDumper, d: dict) -> yaml.Node:
    flow = 0 < len(d) <= 4 and all(_is_flat(v) for v in d.values()) and all(
        not (isinstance(v, str) and (len(v) > 40 or "\n" in v)) for v in d.values()
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", d.items(), flow_style=flow)


def _repr_list(dumper: yaml.SafeDumper, items: list) -> yaml.Node:
    flow = all(not isinstance(x, (dict, list)) for x in items) and len(str(items)) < 80
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


YamlDumper.add_representer(str, _repr_str)
YamlDumper.add_representer(dict, _repr_dict)
YamlDumper.add_representer(list, _repr_list)


def model_hash(m: M.ScoringModel) -> str:
    """First 12 hex digits of the SHA-256 of the canonical YAML (:func:`dumps_model`): tells two versions apart.

    The report's fingerprint and the exported SQL's header carry it, so a query in the
    warehouse can be matched to the model file and the report it came with.
    """
    return hashlib.sha256(dumps_model(m).encode("utf-8")).hexdigest()[:12]


def dumps_model(m: M.ScoringModel) -> str:
    """The model as YAML text, keys in the canonical order."""
    return yaml.dump(M.to_dict(m), Dumper=YamlDumper, sort_keys=False, allow_unicode=True, width=100)


#: temp files of an interrupted save (kill -9) older than this are removed by the next save in the folder
STALE_TMP_SECONDS = 600


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and a rename.

    Readers see either the old file or the new one, never a partial file.
    A symbolic link is followed (its target is written, the link stays); the
    original's permissions and, where the process may set it, its owner are
    kept. Temp files that an interrupted save left beside the file (a crash,
    ``kill -9``) are removed. A full disk or a folder without write access is
    an ``OSError`` whose message names the file.
    """
    p = Path(path)
    if p.is_symlink():
        p = Path(os.path.realpath(p))
    p.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(p)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    except OSError as e:
        raise OSError(e.errno, f"cannot write {p}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if p.exists():
            st = p.stat()
            os.chmod(tmp, st.st_mode & 0o7777)
            if hasattr(os, "chown"):
                try:
                    os.chown(tmp, st.st_uid, st.st_gid)
                except OSError:
                    pass  # not ours to give away: the owner becomes the writer, as with any editor
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except OSError as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise OSError(e.errno, f"cannot write {p}: {e.strerror or e}") from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _remove_stale_temps(p: Path) -> None:
    """Remove ``.<name>.*.tmp`` files of earlier interrupted saves of ``p`` (older than a few minutes)."""
    import time

    now = time.time()
    try:
        for t in p.parent.glob(f".{p.name}.*.tmp"):
            try:
                if now - t.stat().st_mtime > STALE_TMP_SECONDS:
                    t.unlink()
            except OSError:
                pass
    except OSError:
        pass


def save_model(m: M.ScoringModel, path: str | os.PathLike) -> None:
    """Validate and write the model atomically (YAML, or JSON for a .json path)."""
    data = M.to_dict(m)
    validate_dict(data, None, str(path))
    if Path(path).suffix.lower() == ".json":
        import json

        atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        atomic_write_text(path, dumps_model(m))
