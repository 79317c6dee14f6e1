"""The Appendix AK seed text, read as an oracle: does a clause exist, is it in force, what does it say.

Text between ``~~`` is struck (deleted, not in force). Where the text shows a renumbering, the
canonical number is the new one and its heading is found through ``RENUMBERED`` (catalogue A1,
A48): the plain number would otherwise find the struck clause that used to carry it.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import pytest

# Canonical number -> how its heading starts in the text.
RENUMBERED = {
    "5.6": "~~5.75.6~~",
    "8.4": "~~8.5~~8.4",
    "8.5": "9.68.5",
    "8.6": "9.78.6",
    "16.3": "~~16.4~~16.3",
    "16.4": "~~16.5~~16.4",
}
STRUCK = re.compile(r"~~.*?~~")
HEADING = re.compile(r"^\s*(?:-\s+)?(?:~~)?\d+\.\d+")
REF = re.compile(r"^(?P<number>\d+\.\d+A?)(?P<items>(?:\([a-z]+\))*)$")
TABLE_REF = re.compile(r"^Table (?P<table>\d+\.\d+)(?: #(?P<row>\w+))?$")


def seed_path() -> Path:
    shared = os.environ.get("AKLEDGER_SHARED_DIR")
    base = Path(shared) if shared else Path(__file__).resolve().parents[3] / "shared"
    return base / "seed" / "sec-appendix-ak-smets1-svtad.txt"


@functools.cache
def seed_lines() -> tuple[str, ...]:
    """The seed's lines; a missing file FAILS the test that needs it (never skipped)."""
    path = seed_path()
    if not path.is_file():
        pytest.fail(f"Appendix AK seed text not found at {path} (set AKLEDGER_SHARED_DIR)")
    return tuple(path.read_text(encoding="utf-8").splitlines())


def unstruck(text: str) -> str:
    return STRUCK.sub("", text)


def _heading_pattern(number: str) -> re.Pattern[str]:
    start = RENUMBERED.get(number)
    if start is not None:
        return re.compile(r"^\s*(?:-\s+)?" + re.escape(start))
    return re.compile(r"^\s*(?:-\s+)?(?:~~)?" + re.escape(number) + r"(?:~~)?\s")


@functools.cache
def clause(number: str) -> tuple[str, bool] | None:
    """The text of clause ``number`` up to the next clause heading, and whether it is in force.

    A clause is struck when nothing is left of its heading line once struck text is removed.
    Where the number heads both a struck and an in-force clause, the in-force one is returned.
    """
    lines = seed_lines()
    pattern = _heading_pattern(number)
    found: list[tuple[str, bool]] = []
    for i, line in enumerate(lines):
        if not pattern.match(line):
            continue
        end = next((j for j in range(i + 1, len(lines)) if HEADING.match(lines[j])), len(lines))
        in_force = number in RENUMBERED or bool(unstruck(line).strip(" -\t"))
        found.append(("\n".join(lines[i:end]), in_force))
    if not found:
        return None
    return max(found, key=lambda item: item[1])


def check_ref(ref: str) -> str | None:
    """Why ``ref`` is not an in-force clause reference of the seed, or None if it is.

    Forms: "13.26", "15.1(a)", "20.33(a)(iv)", "20.12A", "Table 13.1", "Table 13.1 #2A".
    Sub-items must appear, unstruck, in the clause's text.
    """
    text = "\n".join(seed_lines())
    table = TABLE_REF.match(ref)
    if table:
        if f"Table {table['table']} " not in text:
            return f"{ref}: no Table {table['table']} in the text"
        row = table["row"]
        if row and not re.search(rf"(?m)^{re.escape(row)}\t", text):
            return f"{ref}: Table {table['table']} has no row {row}"
        return None
    m = REF.match(ref)
    if m is None:
        return f"{ref}: not a clause reference"
    found = clause(m["number"])
    if found is None:
        return f"{ref}: clause {m['number']} not in the text"
    body, in_force = found
    if not in_force:
        return f"{ref}: clause {m['number']} is struck"
    for item in re.findall(r"\([a-z]+\)", m["items"]):
        if item not in unstruck(body):
            return f"{ref}: clause {m['number']} has no unstruck item {item}"
    return None


def table_block(title: str) -> list[str]:
    """The heading line and the five severity rows of a threshold table, tab-separated."""
    lines = seed_lines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    header = next(line for line in lines[start + 1:] if line.startswith("Testing Issue Severity"))
    rows = [line for line in lines[start + 1:] if re.fullmatch(r"[1-5](\t\d+)+", line)][:5]
    return [header, *rows]
