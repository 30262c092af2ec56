"""validation/patterns.yaml: the observed patterns, declared for calibration or validation before any fit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corridor_sim.patterns import PATTERNS_FILE, PatternsProblem, load_patterns

ROOT = Path(__file__).resolve().parent.parent


def _anchors(markdown: str) -> set[str]:
    """The anchors of a markdown file's headings, as GitHub makes them."""
    out = set()
    for line in markdown.splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return out


def test_the_declared_patterns_read_and_each_cites_a_section_of_the_sources():
    patterns = load_patterns()
    anchors = _anchors((ROOT / "docs" / "sources.md").read_text(encoding="utf-8"))
    scenarios = {p.stem for p in (ROOT / "scenarios").glob("*.yaml")}
    assert len(patterns) >= 6
    for pid, pattern in patterns.items():
        assert pattern.source in anchors, f"{pid}: no section '{pattern.source}' in docs/sources.md"
        assert pattern.scenario in scenarios, f"{pid}: no scenario {pattern.scenario}"


def test_the_issues_validation_patterns_are_held_out_from_calibration():
    patterns = load_patterns()
    validation = {pid for pid, p in patterns.items() if p.use == "validation"}
    assert {"oil_by_tanker_truck_spring_2019", "grace_1_round_africa"} <= validation
    assert len(validation) >= 3
    assert all(not patterns[pid].targets for pid in validation)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("use: calibration", "use: validation", 1),
            "patterns.cargo_flights_2018: Value error, a validation pattern sets no parameter",
        ),
        (("low: 3.0, central: 3.6", "low: 5.0, central: 3.6", 1), "patterns.cargo_flights_2018.value"),
        (("use: calibration", "use: fitted", 1), "patterns.cargo_flights_2018.use"),
        (
            ("observation: About", "observatoin: About", 1),
            "patterns.cargo_flights_2018.observatoin: Extra inputs are not permitted",
        ),
    ],
)
def test_a_broken_patterns_file_is_refused_with_its_file_and_key_path(tmp_path, change, expected):
    text = PATTERNS_FILE.read_text(encoding="utf-8").replace(*change)
    path = tmp_path / "patterns.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PatternsProblem) as err:
        load_patterns(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_a_patterns_file_that_is_not_yaml_is_refused_with_its_line(tmp_path):
    path = tmp_path / "patterns.yaml"
    path.write_text("patterns: {a: [\n", encoding="utf-8")
    with pytest.raises(PatternsProblem, match=r"patterns\.yaml: line \d+"):
        load_patterns(path)
