"""docs/parameters.md stays true to the shipped scenarios.

Every id of every shipped scenario is named in parameters.md, and the baseline's
plain numbers (segments, levers) and derived route days stand in the right table
row and column. The tables are parsed as markdown: a row is found by the id in
its first cell, a column by its header, and numbers are compared as numbers
(``1,384`` is 1384, ``0.0`` is 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from corridor_sim.network import build_network
from corridor_sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS = ROOT / "docs" / "parameters.md"
SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.yaml"))
BASELINE = ROOT / "scenarios" / "baseline.yaml"

# Segment field -> the header of its column in the segment tables.
SEGMENT_COLUMNS = {
    "transit_days": "days",
    "distance_km": "km",
    "cost_usd_per_ton": "cost",
    "fee_usd_per_ton": "fee",
    "interdiction_probability": "p",
    "capacity_tons_per_day": "capacity",
    "max_payload_tons": "max payload",
}
# Lever field -> the header of its column in the actors' lever tables.
LEVER_COLUMNS = {"value": "baseline", "cost_usd_per_day": "cost USD/day"}

NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?")


@dataclass
class Table:
    heading: str  # the last markdown heading above the table
    line: int  # line number of the header row (1-based)
    header: list[str]
    rows: list[list[str]]

    def column(self, name: str) -> int | None:
        return self.header.index(name) if name in self.header else None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_tables(text: str) -> list[Table]:
    """Every markdown table of a document, with the heading it sits under."""
    tables: list[Table] = []
    heading = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        is_table = (
            line.lstrip().startswith("|")
            and i + 1 < len(lines)
            and re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", lines[i + 1]) is not None
        )
        if not is_table:
            i += 1
            continue
        table = Table(heading, i + 1, _cells(line), [])
        i += 2
        while i < len(lines) and lines[i].lstrip().startswith("|"):
            table.rows.append(_cells(lines[i]))
            i += 1
        tables.append(table)
    return tables


def numbers_in(cell: str) -> list[float]:
    """The numbers written in a table cell (thousands separators and typographic minus allowed)."""
    cell = cell.replace("\u2212", "-").replace("\u202f", "").replace("\u00a0", "")
    return [float(m.replace(",", "")) for m in NUMBER.findall(cell)]


def is_plain(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def rows_named(tables: list[Table], ident: str, *, heading: str | None = None) -> list[tuple[Table, list[str]]]:
    """Rows whose first cell is ``ident`` (with or without backticks), optionally under a heading."""
    found = []
    for table in tables:
        if heading is not None and heading not in table.heading:
            continue
        for row in table.rows:
            if row and row[0].strip("`") == ident:
                found.append((table, row))
    return found


def check_number(problems: list[str], what: str, table: Table, row: list[str], column: str, value: float) -> None:
    col = table.column(column)
    if col is None:
        problems.append(f"{what}: the table at parameters.md line {table.line} has no column '{column}'")
        return
    cell = row[col] if col < len(row) else ""
    if not any(abs(x - value) <= 1e-9 * max(1.0, abs(value)) for x in numbers_in(cell)):
        problems.append(f"{what} = {value:g} is not in the '{column}' column of its row (it says '{cell}')")


@pytest.fixture(scope="module")
def doc() -> str:
    return PARAMETERS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tables(doc) -> list[Table]:
    return parse_tables(doc)


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE)


def scenario_ids(spec: Scenario) -> list[tuple[str, str, list[str]]]:
    """(kind, id, accepted spellings) of every id a reader may look up."""
    ids = []
    ids += [("node", n, [n]) for n in spec.nodes]
    ids += [("segment", s, [s]) for s in spec.segments]
    ids += [("route", r, [r]) for r in spec.routes]
    ids += [("fleet", f, [f]) for f in spec.fleets]
    ids += [("destination", d, [d]) for d in spec.destinations]
    ids += [("actor", a, [a]) for a in spec.actors]
    ids += [("rule", r, [r]) for r in spec.rules]
    for actor_id, actor in spec.actors.items():
        for lever_id in actor.levers:
            ids.append(("lever", f"{actor_id}.{lever_id}", [lever_id, f"{actor_id}.{lever_id}"]))
    return ids


def test_there_are_shipped_scenarios():
    assert BASELINE in SCENARIO_FILES, f"no baseline.yaml among {SCENARIO_FILES}"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_id_of_a_shipped_scenario_is_documented(path, doc):
    """Each node, segment, route, fleet, destination, actor, lever and rule id appears as `id` in parameters.md."""
    spec = load_scenario(path)
    missing = [
        f"{kind} {ident}"
        for kind, ident, spellings in scenario_ids(spec)
        if not any(f"`{s}`" in doc for s in spellings)
    ]
    assert not missing, f"{path.name}: ids not named (in backticks) in docs/parameters.md: " + ", ".join(missing)


def test_baseline_segment_numbers_are_in_their_rows(baseline, tables):
    """Each plain number of a baseline segment stands in that segment's row, in its column."""
    problems: list[str] = []
    for sid, seg in baseline.segments.items():
        rows = [(t, r) for t, r in rows_named(tables, sid) if t.column("days") is not None]
        if len(rows) != 1:
            problems.append(f"segment {sid}: expected one row in the segment tables, found {len(rows)}")
            continue
        table, row = rows[0]
        for field, column in SEGMENT_COLUMNS.items():
            value = getattr(seg, field)
            if is_plain(value):
                check_number(problems, f"segments.{sid}.{field}", table, row, column, float(value))
    assert not problems, "docs/parameters.md disagrees with the baseline:\n  " + "\n  ".join(problems)


def test_baseline_lever_numbers_are_in_their_rows(baseline, tables):
    """Each baseline lever's start value and money cost stand in its row of its actor's table."""
    problems: list[str] = []
    for actor_id, actor in baseline.actors.items():
        for lever_id, lever in actor.levers.items():
            rows = [(t, r) for t, r in rows_named(tables, lever_id, heading=f"`{actor_id}`") if t.column("lever") == 0]
            if len(rows) != 1:
                problems.append(
                    f"lever {actor_id}.{lever_id}: expected one row in the table under '### `{actor_id}`', "
                    f"found {len(rows)}"
                )
                continue
            table, row = rows[0]
            for field, column in LEVER_COLUMNS.items():
                value = getattr(lever, field)
                if is_plain(value):
                    check_number(problems, f"actors.{actor_id}.levers.{lever_id}.{field}", table, row, column, value)
    assert not problems, "docs/parameters.md disagrees with the baseline:\n  " + "\n  ".join(problems)


def test_baseline_route_days_in_the_derived_table(baseline, tables):
    """The derived route table's transit and turnaround days are what build_network computes."""
    net = build_network(baseline)
    problems: list[str] = []
    for k, rid in enumerate(net.route_ids):
        rows = [(t, r) for t, r in rows_named(tables, rid) if t.column("turnaround days") is not None]
        if len(rows) != 1:
            problems.append(f"route {rid}: expected one row in the derived route table, found {len(rows)}")
            continue
        table, row = rows[0]
        check_number(problems, f"{rid} transit days", table, row, "transit days", float(net.route_transit[k]))
        check_number(problems, f"{rid} turnaround days", table, row, "turnaround days", float(net.route_turnaround[k]))
    assert not problems, "docs/parameters.md disagrees with the baseline network:\n  " + "\n  ".join(problems)


def test_table_parser_reads_numbers_and_rows():
    """The helpers the checks above rely on."""
    text = "## Things\n\n| id | km | p |\n|---|---|---|\n| `a_b` | 1,384 | 0.0 |\n| `c` | U(40, 100) | −0.3 |\n"
    (table,) = parse_tables(text)
    assert table.heading == "Things" and table.header == ["id", "km", "p"]
    (found,) = rows_named([table], "a_b")
    assert numbers_in(found[1][1]) == [1384.0] and numbers_in(found[1][2]) == [0.0]
    assert numbers_in("U(40, 100)") == [40.0, 100.0] and numbers_in("−0.3") == [-0.3]
    assert numbers_in("2,000,000") == [2_000_000.0]
