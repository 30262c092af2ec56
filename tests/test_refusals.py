"""Every kind of bad scenario input is refused cleanly: exit 2, file (or option), key path and problem, nothing written.

Each case in ``REFUSALS`` is a wrong input once ended in a traceback or was accepted; it is run through
``corridor-sim run --out`` (nothing may be written) and, where the file itself is wrong, ``validate``.
The memory cap is fixed at 8 GB (``CORRIDOR_SIM_MEMORY``) so the size cases do not depend on the machine.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import message_names, one_route, with_policies
from corridor_sim import CorridorModel, load_scenario, yamlfile
from corridor_sim.cli import main
from corridor_sim.memory import RunTooLarge, check_fits, memory_needed, parse_size
from corridor_sim.yamlfile import MAX_DEPTH, YamlProblem, load_yaml

EXE = Path(sys.executable).parent / "corridor-sim"
CAP = "8GB"
LEVER = "actors.us.levers.surveillance"


@pytest.fixture(autouse=True)
def _memory_cap(monkeypatch):
    monkeypatch.setenv("CORRIDOR_SIM_MEMORY", CAP)


def run_cli(*args: object) -> tuple[int, str, str]:
    """Run ``corridor-sim`` in-process; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def base() -> dict[str, Any]:
    """The policy scenario of conftest: one route, a ``us`` actor with two levers, a timed change and a rule."""
    return with_policies(one_route(days=60))


def text_of(raw: dict[str, Any]) -> str:
    return yaml.safe_dump(raw, sort_keys=False)


@dataclass(frozen=True)
class Refusal:
    """A bad input: ``make(folder)`` writes the file and returns it; ``args`` are extra ``run`` options.

    The message must have a line ``<file>: <key_path>: ...`` (``<file>: ...`` when key_path is empty) with
    every fragment; for an option's problem (``option``), a line naming the option with every fragment.
    """

    id: str
    make: Callable[[Path], Path]
    key_path: str
    fragments: tuple[str, ...]
    args: tuple[str, ...] = ()
    option: str = ""
    validate: bool = True  # validate refuses it too (False: only the run's options make it wrong)
    reps: tuple[str, ...] = ("--reps", "4")  # the run's replicates, unless args give them


def _bytes(data: bytes | Callable[[], bytes]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "bad.yaml"
        path.write_bytes(data() if callable(data) else data)
        return path

    return make


def _text(edit: Callable[[str], str]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "bad.yaml"
        path.write_text(edit(text_of(base())), encoding="utf-8")
        return path

    return make


def _raw(mutate: Callable[[dict[str, Any]], None]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        raw = base()
        mutate(raw)
        path = folder / "bad.yaml"
        path.write_text(text_of(raw), encoding="utf-8")
        return path

    return make


def _set(*keys: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        node: Any = raw
        for k in keys[:-1]:
            node = node[int(k)] if isinstance(node, list) else node[k]
        if isinstance(node, list):
            node[int(keys[-1])] = value
        else:
            node[keys[-1]] = value

    return mutate


def _extends(parent: Callable[[Path], Path] | str) -> Callable[[Path], Path]:
    """A file that extends ``parent`` (written by a maker into a subfolder, or a path as written)."""

    def make(folder: Path) -> Path:
        if callable(parent):
            sub = folder / "parent"
            sub.mkdir()
            target = parent(sub).relative_to(folder).as_posix()
        else:
            target = parent
            (folder / "sub").mkdir()
        path = folder / "child.yaml"
        path.write_text(f"extends: {target}\nname: child\n", encoding="utf-8")
        return path

    return make


def _resolved(replicates: Any, *, extra: str = "") -> Callable[[Path], Path]:
    """A run's scenario.resolved.yaml recording ``replicates``."""

    def make(folder: Path) -> Path:
        doc = {"corridor_sim_version": "0", "seed": 1, "replicates": replicates, "scenario": base()}
        path = folder / "scenario.resolved.yaml"
        path.write_text(text_of(doc) + extra, encoding="utf-8")
        return path

    return make


def _insert_after(anchor: str, line: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert anchor in text
        return text.replace(anchor, anchor + line, 1)

    return edit


LATIN1 = text_of(base()).replace("name: one_route", "name: caf\u00e9")
EFFECT = ("actors", "us", "levers", "surveillance", "effects")


def _dist(value: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return _set("fleets", "trucks", "count", value=value)


def _list_section(section: str, items: list[str]) -> Callable[[dict[str, Any]], None]:
    def mutate(raw: dict[str, Any]) -> None:
        raw[section] = items
        if section == "actors":
            raw.pop("rules")

    return mutate


REFUSALS: list[Refusal] = [
    # files that are not UTF-8 text
    Refusal("random_bytes", _bytes(random.Random(7).randbytes(400)), "", ("not UTF-8",)),
    Refusal("utf16_with_bom", _bytes(text_of(base()).encode("utf-16")), "", ("UTF-16",)),
    Refusal("latin1_byte_in_a_label", _bytes(LATIN1.encode("latin-1")), "", ("line 1, column 10", "byte 0xe9")),
    Refusal("gzip_file", _bytes(gzip.compress(text_of(base()).encode(), mtime=0)), "", ("gzip",)),
    Refusal(
        "cut_inside_a_character",
        _bytes(LATIN1.encode()[: LATIN1.encode().index(b"caf") + 4]),
        "",
        ("ends inside a multi-byte character",),
    ),
    Refusal(
        "extends_a_latin1_file",
        _extends(_bytes(LATIN1.encode("latin-1"))),
        "extends",
        ("parent/bad.yaml", "byte 0xe9"),
    ),
    Refusal("extends_dot", _extends("."), "extends", ("'.'", "not a file")),
    Refusal("extends_a_folder", _extends("sub"), "extends", ("'sub'", "not a file")),
    # YAML nested 20,000 levels deep, flow and block style (libyaml refused these before; the pure-Python parser
    # and --set values ended in a RecursionError), and 200 deep (accepted before)
    Refusal("nested_flow", _text(lambda t: t + "deep: " + "[" * 20000 + "]" * 20000 + "\n"), "", ("nest",)),
    Refusal(
        "nested_block",
        _text(lambda t: t + "deep:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(20000)) + "\n"),
        "",
        ("nest",),
    ),
    Refusal("nested_200", _text(lambda t: t + "deep: " + "[" * 200 + "]" * 200 + "\n"), "", ("nested more than",)),
    # keys written twice
    Refusal(
        "duplicate_node",
        _text(_insert_after("nodes:\n", "  hub: {name: Other, lat: 1, lon: 1, kind: hub, controller: iraq}\n")),
        "nodes.hub",
        ("written twice",),
    ),
    Refusal(
        "duplicate_lever",
        _text(_insert_after("    levers:\n", "      troops: {value: 0.5}\n")),
        "actors.us.levers.troops",
        ("written twice",),
    ),
    Refusal(
        "duplicate_rule",
        _text(
            _insert_after(
                "rules:\n", "  vote: {when: {metric: day, above: 5}, then: [{actor: us, lever: troops, set: 1}]}\n"
            )
        ),
        "rules.vote",
        ("written twice",),
    ),
    Refusal("duplicate_days", _text(lambda t: t + "days: 30\n"), "days", ("written twice", "first at line")),
    Refusal("duplicate_replicates", _resolved(5, extra="replicates: 7\n"), "replicates", ("written twice",)),
    Refusal(
        "duplicate_extends",
        _bytes(b"extends: a.yaml\nname: x\nextends: b.yaml\n"),
        "extends",
        ("written twice",),
    ),
    # a set has no order: its list order would follow the hash seed
    Refusal(
        "set_of_segments",
        _text(lambda t: t.replace("    segments:\n    - leg1\n    - leg2\n", "    segments: !!set {leg1, leg2}\n")),
        "routes.road.segments",
        ("set", "write a list"),
    ),
    # numbers that are not finite, or too large for the model's sums
    Refusal(
        "nan_effect_coef", _raw(_set(*EFFECT, "0", "coef", value=float("nan"))), f"{LEVER}.effects.0.coef", ("finite",)
    ),
    Refusal(
        "nan_reservation_cost",
        _raw(_set("cargo", "materiel", "reservation_cost_usd_per_ton", value=float("nan"))),
        "cargo.materiel.reservation_cost_usd_per_ton",
        ("finite",),
    ),
    Refusal(
        "nan_urgency",
        _raw(_set("shipper", value={"urgency_usd_per_ton_day": float("nan")})),
        "shipper.urgency_usd_per_ton_day",
        ("finite",),
    ),
    Refusal(
        "inf_urgency",
        _raw(_set("shipper", value={"urgency_usd_per_ton_day": float("inf")})),
        "shipper.urgency_usd_per_ton_day",
        ("finite",),
    ),
    Refusal("nan_lever_min", _raw(_set(*EFFECT[:-1], "min", value=float("nan"))), f"{LEVER}.min", ("finite",)),
    Refusal("nan_lever_max", _raw(_set(*EFFECT[:-1], "max", value=float("nan"))), f"{LEVER}.max", ("finite",)),
    Refusal(
        "nan_rule_threshold",
        _raw(_set("rules", "vote", "when", "above", value=float("nan"))),
        "rules.vote.when.above",
        ("finite",),
    ),
    Refusal(
        "inf_lever_cost",
        _raw(_set(*EFFECT[:-1], "cost_usd_per_day", value=float("inf"))),
        f"{LEVER}.cost_usd_per_day",
        ("finite",),
    ),
    Refusal(
        "uniform_over_all_floats",
        _raw(_set("segments", "leg1", "cost_usd_per_ton", value={"dist": "uniform", "low": -1e308, "high": 1e308})),
        "segments.leg1.cost_usd_per_ton",
        ("uniform", "draws can reach"),
    ),
    Refusal(
        "demand_1e308",
        _raw(_set("destinations", "syria", "demand", "materiel", value=1e308)),
        "destinations.syria.demand.materiel",
        ("largest magnitude",),
    ),
    Refusal(
        "lognormal_sigma_800",
        _raw(_set("cargo", "materiel", "value_usd_per_ton", value={"dist": "lognormal", "median": 1000, "sigma": 800})),
        "cargo.materiel.value_usd_per_ton",
        ("lognormal", "draws can reach inf"),
    ),
    Refusal(
        "capacity_sigma_400",
        _raw(
            _set("segments", "leg2", "capacity_tons_per_day", value={"dist": "lognormal", "median": 50, "sigma": 400})
        ),
        "segments.leg2.capacity_tons_per_day",
        ("lognormal", "draws can reach inf"),
    ),
    Refusal(
        "normal_clip_bounds_inverted",
        _raw(
            _set(
                "segments",
                "leg1",
                "cost_usd_per_ton",
                value={"dist": "normal", "mean": 5, "sd": 1, "low": 10, "high": 0},
            )
        ),
        "segments.leg1.cost_usd_per_ton",
        ("normal: clip bound low 10 is above high 0",),
    ),
    Refusal(
        "negative_urgency",
        _raw(_set("shipper", value={"urgency_usd_per_ton_day": -5})),
        "shipper.urgency_usd_per_ton_day",
        ("must not be negative",),
    ),
    Refusal(
        "negative_reservation_cost",
        _raw(_set("cargo", "materiel", "reservation_cost_usd_per_ton", value=-5)),
        "cargo.materiel.reservation_cost_usd_per_ton",
        ("must not be negative",),
    ),
    # a distribution's own mistake is what is reported
    Refusal(
        "uniform_low_above_high",
        _raw(_dist({"dist": "uniform", "low": 5, "high": 3})),
        "fleets.trucks.count",
        ("uniform: low 5 is above high 3",),
    ),
    Refusal(
        "uniform_zero_high_below_low",
        _raw(_dist({"dist": "uniform", "low": 5, "high": 0})),
        "fleets.trucks.count",
        ("uniform: low 5 is above high 0",),
    ),
    Refusal(
        "uniform_nan_bound",
        _raw(_dist({"dist": "uniform", "low": float("nan"), "high": 3})),
        "fleets.trucks.count.low",
        ("finite",),
    ),
    Refusal(
        "triangular_mode_above_high",
        _raw(_dist({"dist": "triangular", "low": 1, "mode": 5, "high": 3})),
        "fleets.trucks.count",
        ("triangular: mode 5 is not within [low 1, high 3]",),
    ),
    Refusal(
        "triangular_low_equals_high",
        _raw(_dist({"dist": "triangular", "low": 3, "mode": 3, "high": 3})),
        "fleets.trucks.count",
        ("triangular: low 3 must be below high 3",),
    ),
    Refusal(
        "beta_low_above_high",
        _raw(_dist({"dist": "beta", "a": 2, "b": 2, "low": 5, "high": 3})),
        "fleets.trucks.count",
        ("beta: low 5 must be below high 3",),
    ),
    Refusal(
        "unknown_dist",
        _raw(_dist({"dist": "gamma", "k": 2})),
        "fleets.trucks.count",
        ("unknown distribution 'gamma'", "uniform"),
    ),
    Refusal(
        "no_dist_key",
        _raw(_dist({"low": 1, "high": 3})),
        "fleets.trucks.count",
        ("a distribution needs 'dist'",),
    ),
    Refusal(
        "effect_attribute_its_nodes_lack",
        _raw(
            _set(*EFFECT, "0", value={"nodes": ["hub"], "attribute": "capacity_tons_per_day", "coef": -0.5}),
        ),
        f"{LEVER}.effects.0.attribute",
        ("node 'hub' has no capacity_tons_per_day",),
    ),
    # sizes that would allocate terabytes
    Refusal("days_1e8", _raw(_set("days", value=100_000_000)), "days", ("100000000 days", "need about", "8.6 GB")),
    Refusal("days_1e23", _raw(_set("days", value=10**23)), "days", ("need about", "YB")),
    Refusal(
        "transit_1e9",
        _raw(_set("segments", "leg1", "transit_days", value=1_000_000_000)),
        "segments.leg1.transit_days",
        ("1000000000 days in transit", "need about", "TB"),
    ),
    Refusal(
        "turnaround_1e9",
        _raw(_set("routes", "road", "turnaround_days", value=1_000_000_000)),
        "",
        ("routes.road.turnaround_days", "need about 800"),
        option="--reps (default 100)",
        validate=False,
        reps=(),
    ),
    Refusal(
        "reps_1e12",
        _raw(lambda raw: None),
        "",
        ("x 60 days", "need about", "PB", "CORRIDOR_SIM_MEMORY allows 8.6 GB"),
        args=("--reps", "1000000000000"),
        option="--reps 1000000000000",
        validate=False,
    ),
    Refusal(
        "replicates_1e12_in_resolved_file",
        _resolved(10**12),
        "replicates",
        ("1000000000000 replicates", "need about", "PB"),
        validate=False,
        reps=(),
    ),
    # --set values
    Refusal(
        "set_invalid_yaml",
        _raw(lambda raw: None),
        "",
        ("not valid YAML",),
        ("--set", "us_surveillance=[1"),
        "--set 'us_surveillance=[1'",
        False,
    ),
    Refusal(
        "set_python_tag",
        _raw(lambda raw: None),
        "",
        ("not valid YAML", "python/object"),
        ("--set", "us_surveillance=!!python/object/apply:os.getcwd []"),
        "--set",
        False,
    ),
    Refusal(
        "set_deep_nesting",
        _raw(lambda raw: None),
        "",
        ("nest",),
        ("--set", "us_surveillance=" + "[" * 20000),
        "--set",
        False,
    ),
    Refusal(
        "set_impossible_date",
        _raw(lambda raw: None),
        "start_date",
        ("2019-02-30", "not a date"),
        ("--set", "start_date=2019-02-30"),
        validate=False,
    ),
    Refusal(
        "set_nan_effect_coef",
        _raw(lambda raw: None),
        f"{LEVER}.effects.0.coef",
        ("finite",),
        ("--set", f"{LEVER}.effects.0.coef=.nan"),
        validate=False,
    ),
    Refusal(
        "set_on_actors_list",
        _raw(_list_section("actors", ["us"])),
        "actors",
        ("dictionary",),
        ("--set", "days=30"),
        validate=False,
    ),
    Refusal(
        "set_on_destinations_list",
        _raw(_list_section("destinations", ["syria"])),
        "destinations",
        ("dictionary",),
        ("--set", "days=30"),
        validate=False,
    ),
]


def says(message: str, path: Path, case: Refusal) -> bool:
    """Whether a message names the file (or option), the key path and every fragment."""
    if case.option:
        return any(case.option in line and all(f in line for f in case.fragments) for line in message.splitlines())
    return message_names(message, path, case.key_path, case.fragments)


@pytest.mark.parametrize("case", REFUSALS, ids=[c.id for c in REFUSALS])
def test_run_refuses_with_message_and_writes_nothing(case, tmp_path):
    """run: exit 2, the file (or option), key path and problem on stderr, no traceback, no --out folder."""
    path, out = case.make(tmp_path), tmp_path / "results"
    args = case.args if "--reps" in case.args else (*case.reps, *case.args)
    code, stdout, stderr = run_cli("run", path, *args, "--out", out)
    assert (code, says(stderr, path, case)) == (2, True), stderr
    assert "Traceback" not in stdout + stderr
    assert not out.exists()


@pytest.mark.parametrize("case", [c for c in REFUSALS if c.validate], ids=[c.id for c in REFUSALS if c.validate])
def test_validate_refuses_with_message(case, tmp_path):
    """validate: exit 2 and the file, key path and problem on stderr."""
    path = case.make(tmp_path)
    code, stdout, stderr = run_cli("validate", path)
    assert (code, says(stderr, path, case)) == (2, True), stderr
    assert "valid scenario" not in stdout


@pytest.mark.parametrize(
    "case_id",
    ["random_bytes", "latin1_byte_in_a_label", "set_deep_nesting", "reps_1e12", "days_1e23", "uniform_over_all_floats"],
)
def test_refusal_in_a_real_process(case_id, tmp_path):
    """The installed command exits 2 with the message and no traceback."""
    case = next(c for c in REFUSALS if c.id == case_id)
    path, out = case.make(tmp_path), tmp_path / "results"
    args = case.args if "--reps" in case.args else (*case.reps, *case.args)
    proc = subprocess.run(
        [str(EXE), "run", str(path), *args, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CORRIDOR_SIM_MEMORY": CAP},
    )
    assert proc.returncode == 2, proc.stderr
    assert says(proc.stderr, path, case), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not out.exists()


def test_a_set_is_refused_whatever_the_hash_seed(tmp_path):
    """Validation does not depend on PYTHONHASHSEED: a !!set is refused, with the same message, under any seed."""
    path = next(c for c in REFUSALS if c.id == "set_of_segments").make(tmp_path)
    results = set()
    for seed in ("0", "1", "2", "3"):
        proc = subprocess.run(
            [str(EXE), "validate", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        results.add((proc.returncode, proc.stderr))
    assert len(results) == 1 and next(iter(results))[0] == 2, results


# ----------------------------------------------------------------------------- what is still accepted


def test_utf8_byte_order_mark_and_non_ascii_text_are_accepted(tmp_path):
    """UTF-8 with a byte-order mark and non-ASCII labels load as before."""
    text = text_of(base()).replace("name: one_route", "name: café")
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_scenario(path).name == "café"


def test_merge_keys_may_override_what_they_merge():
    """YAML merge keys (<<) keep safe_load's meaning: the mapping's own keys override the merged ones."""
    data = load_yaml("base: &b {a: 1, b: 2}\nchild:\n  <<: *b\n  b: 3\n")
    assert data["child"] == {"a": 1, "b": 3}


def test_deep_nesting_is_refused_by_the_pure_python_parser_too():
    """Without libyaml (which stops at 1,000 levels itself), the loader stops at MAX_DEPTH, before recursion."""

    class PurePython(yamlfile._Checked, yaml.SafeLoader):
        pass

    for text in ("x: " + "[" * 20000 + "]" * 20000, "x:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(20000))):
        with pytest.raises(YamlProblem, match="nested more than"):
            yaml.load(text, Loader=PurePython)  # noqa: S506 - a SafeLoader
    assert yaml.load("a: {b: [1, 2]}", Loader=PurePython) == {"a": {"b": [1, 2]}}  # noqa: S506


def test_nesting_up_to_the_limit_is_accepted():
    """Nesting of MAX_DEPTH levels loads; one more is refused."""
    assert load_yaml("x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))
    with pytest.raises(YamlProblem, match="nested more than"):
        load_yaml("x: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


def test_normal_without_clip_bounds_round_trips(tmp_path):
    """An unbounded normal (default clip bounds +-inf) and explicit .inf bounds are still accepted."""
    raw = base()
    raw["actors"]["us"]["levers"]["surveillance"]["effects"][0]["coef"] = {"dist": "normal", "mean": 0.1, "sd": 0.01}
    raw["fleets"]["trucks"]["payload_tons"] = {"dist": "normal", "mean": 10, "sd": 1, "low": 1, "high": float("inf")}
    spec = load_scenario(raw)
    assert load_scenario(spec.to_dict()) == spec


def test_shipped_scenarios_fit_comfortably(scenario_file):
    """Every shipped scenario, 100 replicates with daily tables written, is far below the 8 GB cap."""
    need = memory_needed(load_scenario(scenario_file), 100, keep_daily=True, tables=True)
    assert 100 * 10**6 < need.total < 2 * 10**9


# ----------------------------------------------------------------------------- the memory check itself


def test_model_refuses_a_run_too_large_before_allocating():
    """The library refuses too: CorridorModel with 10**12 replicates raises RunTooLarge at once."""
    started = time.perf_counter()
    with pytest.raises(RunTooLarge, match=r"1000000000000 replicates x 60 days .* need about .* PB"):
        CorridorModel(base(), replicates=10**12, rng=1)
    assert time.perf_counter() - started < 5


def test_memory_check_is_cheap(baseline_path):
    """The check every run makes takes well under a millisecond."""
    spec = load_scenario(baseline_path)
    started = time.perf_counter()
    for _ in range(100):
        check_fits(spec, 100, keep_daily=True, tables=True)
    assert (time.perf_counter() - started) / 100 < 1e-3


def test_memory_estimate_grows_with_replicates_days_and_daily_tables(baseline_path):
    """Twice the replicates about twice the memory; daily tables add a term per replicate-day."""
    spec = load_scenario(baseline_path)

    def grows(n: int, keep_daily: bool = True) -> int:
        need = memory_needed(spec, n, keep_daily=keep_daily)
        return need.total - need.fixed

    assert 1.9 < (grows(2000) - grows(0)) / (grows(1000) - grows(0)) < 2.1
    assert grows(1000, keep_daily=False) < grows(1000) / 5


@pytest.mark.parametrize(
    ("text", "size"), [("8GB", 8 * 2**30), ("512M", 512 * 2**20), ("1000", 1000), ("1.5T", int(1.5 * 2**40))]
)
def test_memory_cap_sizes(text, size):
    assert parse_size(text) == size


def test_too_large_names_what_to_change():
    """A scenario whose one replicate cannot fit blames its key; one that fits once blames the replicates."""
    raw = base()
    raw["days"] = 10**9
    with pytest.raises(RunTooLarge) as info:
        check_fits(load_scenario(raw), 1, keep_daily=False)
    assert info.value.culprit == "days"
    assert re.search(r"1000000000 days need about [\d.]+ GB of memory for one replicate", str(info.value))
    with pytest.raises(RunTooLarge) as info:
        check_fits(load_scenario(base()), 10**9, keep_daily=False)
    assert info.value.culprit == "replicates"


def test_horizon_past_the_last_date_is_refused():
    """A horizon that fits in memory but runs past 9999-12-31 is refused rather than failing on its dates."""
    raw = base()
    raw["days"] = 3_000_000
    with pytest.raises(RunTooLarge, match="9999-12-31"):
        check_fits(load_scenario(raw), 1, keep_daily=False, available=10**15)
