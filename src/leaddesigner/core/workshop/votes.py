"""The room's answers, kept as a CSV beside the model: ``lead_id, voter, vote[, role]``.

One row per (lead, voter); a voter who changes their mind replaces their vote.
The file can be filled over several meetings, or by hand from a deck sent out
by e-mail, so reading it is forgiving where it can be (header case and spaces,
``Reach out now`` or ``1``, a byte-order mark, a ``;`` delimiter) and precise
where it cannot: an unknown vote names the file, the line and the column.
"""
from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from leaddesigner.core.model.errors import did_you_mean
from leaddesigner.core.model.io import atomic_write_text

__all__ = ["COLUMNS", "ROLES", "VOTES", "Vote", "VoteError", "Votes", "read_votes", "votes_path", "write_votes"]

#: the three answers, in the order of the keys 1, 2, 3
VOTES = ("reach out now", "not yet", "never")
#: roles the app offers (any text is kept)
ROLES = ("sales", "marketing")
COLUMNS = ("lead_id", "voter", "vote", "role")
#: the largest votes file read (a room of 40 voting on 30 cards is 1,200 rows)
MAX_BYTES = 20 * 1024 * 1024


class VoteError(ValueError):
    """A votes file that cannot be read: the message names the file, line and column."""


@dataclass(frozen=True)
class Vote:
    lead_id: str
    voter: str
    vote: str  # one of VOTES
    role: str = ""


class Votes:
    """Votes by (lead, voter), in the order they were cast; the last vote of a voter on a lead counts."""

    def __init__(self, votes: list[Vote] | None = None):
        self._by: dict[tuple[str, str], Vote] = {}
        for v in votes or []:
            self.cast(v)

    def cast(self, v: Vote) -> None:
        if v.vote not in VOTES:
            raise ValueError(f"A vote is one of {', '.join(VOTES)}, not {v.vote!r}.")
        key = (v.lead_id, v.voter)
        self._by.pop(key, None)  # a changed vote moves to the end: the order is the order of the last votes
        self._by[key] = v

    def withdraw(self, lead_id: str, voter: str) -> None:
        self._by.pop((lead_id, voter), None)

    def __iter__(self):
        return iter(self._by.values())

    def __len__(self) -> int:
        return len(self._by)

    def of(self, lead_id: str) -> list[Vote]:
        return [v for v in self._by.values() if v.lead_id == lead_id]

    def get(self, lead_id: str, voter: str) -> Vote | None:
        return self._by.get((lead_id, voter))

    def voters(self) -> list[str]:
        return list(dict.fromkeys(v.voter for v in self._by.values()))

    def roles(self) -> dict[str, str]:
        """Each voter's role (the last one given)."""
        return {v.voter: v.role for v in self._by.values() if v.role}


def votes_path(model_path: str | os.PathLike) -> Path:
    """Where a model's votes live: ``lead_model.yaml`` -> ``lead_model.votes.csv``."""
    p = Path(model_path)
    return p.with_name(p.stem + ".votes.csv")


def _vote_value(text: str) -> str | None:
    t = " ".join(str(text).strip().lower().replace("_", " ").replace("-", " ").split())
    if t in VOTES:
        return t
    if t in ("1", "2", "3"):
        return VOTES[int(t) - 1]
    if t in ("yes", "call", "reach out"):
        return VOTES[0]
    return None


def read_votes(path: str | os.PathLike) -> Votes:
    """Read a votes CSV; raises :class:`VoteError` naming the line and column of what is wrong."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as e:
        raise VoteError(f"Cannot read the votes file {p}: {e.strerror or e}.") from e
    if size > MAX_BYTES:
        raise VoteError(f"{p.name} is {size / 1e6:.0f} MB: a votes file has a row per vote (at most {MAX_BYTES // 2**20} MB).")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(rows)
    except StopIteration:
        raise VoteError(f"{p.name} is empty: expected a header line with {', '.join(COLUMNS[:3])} (and optionally role).") from None
    names = [" ".join(h.strip().lower().replace("_", " ").split()).replace(" ", "_") for h in header]
    col = {}
    for want in COLUMNS:
        if want in names:
            col[want] = names.index(want)
    missing = [c for c in COLUMNS[:3] if c not in col]
    if missing:
        hint = "; ".join(f"{m}{did_you_mean(m, header)}" for m in missing)
        raise VoteError(f"{p.name}, line 1: the header has no column {hint} "
                        f"(expected {', '.join(COLUMNS[:3])} and optionally role; found {', '.join(header) or 'nothing'}).")
    out = Votes()
    for line, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        def cell(name: str) -> str:
            i = col.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""
        lead, voter, vote = cell("lead_id"), cell("voter"), cell("vote")
        if not lead:
            raise VoteError(f"{p.name}, line {line}, column lead_id: empty (each row is one voter's answer on one lead).")
        if not voter:
            raise VoteError(f"{p.name}, line {line}, column voter: empty (who answered? a name or initials).")
        v = _vote_value(vote)
        if v is None:
            raise VoteError(f"{p.name}, line {line}, column vote: {vote!r} is not an answer; expected one of "
                            f"{', '.join(repr(x) for x in VOTES)} (or 1, 2, 3).")
        out.cast(Vote(lead, voter, v, cell("role")))
    return out


def write_votes(path: str | os.PathLike, votes: Votes) -> Path:
    """Write the votes CSV atomically (a crash mid-write leaves the previous file whole)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for v in votes:
        w.writerow([v.lead_id, v.voter, v.vote, v.role])
    p = Path(path)
    atomic_write_text(p, buf.getvalue())
    return p
