"""The benchmark scripts still run against the model's internals (tiny sizes; no timings asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import load_script

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _run(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _table_numbers(text: str) -> list[float]:
    """The last column of each data row of a markdown table."""
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    return [float(re.sub(r"[^0-9.]", "", row.rstrip(" |").rsplit("|", 1)[-1])) for row in rows[1:]]


def test_spans_benchmark_prints_a_rate_for_each_order():
    out = _run("spans.py", "--reps", "600", "--days", "12", "--runs", "1", "--threads", "2")
    numbers = _table_numbers(out)
    assert len(numbers) == 2 and all(x > 0 for x in numbers)
    rows = [row for row in out.splitlines() if row.startswith("| ") and "---" not in row][1:]
    spans = [int(row.split("|")[2]) for row in rows]
    assert spans[0] == 0 and spans[1] > 0  # the default order did take spans


def test_profile_benchmark_prints_each_step():
    out = _run("profile_day.py", "--reps", "300")
    numbers = _table_numbers(out)
    steps = load_script("profile_day", folder="benchmarks").STEPS  # every step of the day, in order
    assert len(numbers) == len(steps) + 3 and all(x >= 0 for x in numbers[-3:])  # + kernel, bands, draws
    assert [row.split("|")[1].strip() for row in out.splitlines() if row.startswith("| ")][2 : 2 + len(steps)] == list(
        steps
    )


def test_lower_bound_benchmark_reports_a_rate():
    out = _run("lower_bound.py", "--reps", "300", "--days", "3")
    assert re.search(r"random draws only: [0-9.]+ s for 300 x 3 replicate-days", out)


def test_mechanism_costs_benchmark_times_every_variant():
    out = _run("mechanism_costs.py", "--reps", "300", "--days", "3", "--runs", "1")
    variants = load_script("mechanism_costs", folder="benchmarks").VARIANTS
    rows = [row.split("|")[1].strip() for row in out.splitlines() if row.startswith("| ") and "---" not in row][1:]
    assert rows == list(variants)  # every variant built and ran, the shipped baseline first


def test_engine_time_prints_the_kernels_time_per_replicate_day():
    out = _run("engine_time.py", "--reps", "256")
    assert float(out.strip()) > 0


def test_mechanism_costs_by_the_engine_alone_covers_every_variant():
    out = _run("mechanism_costs.py", "--engine", "--reps", "256", "--runs", "1")
    variants = load_script("mechanism_costs", folder="benchmarks").VARIANTS
    rows = [row.split("|")[1].strip() for row in out.splitlines() if row.startswith("| ") and "---" not in row][1:]
    assert rows == list(variants)
    data = [row for row in out.splitlines() if row.startswith("| ") and "---" not in row][1:]
    assert all(float(row.split("|")[2].split()[0]) > 0 for row in data)  # each variant's nanoseconds
    assert data[0].split("|")[3].strip() == "1.00"  # relative to the shipped baseline, first


def test_side_by_side_compares_a_tree_with_itself():
    root = BENCHMARKS.parent
    args = ("--rounds", "1", "--reps", "300", "--days", "3", "--engine-reps", "256")
    out = _run("side_by_side.py", str(root), *args)
    ratios = re.findall(r"ratio this / other, ([A-Za-z +]+), pair by pair: ([0-9.]+)", out)
    assert [what for what, _ in ratios] == ["engine", "build + run + bands", "whole run wall", "whole run CPU"]
    assert all(float(value) > 0 for _, value in ratios)
