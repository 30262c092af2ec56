"""Bad experiment inputs are refused cleanly: the file, the key path and the problem; exit 2; nothing written.

Each test here is a regression test for one way an experiment file (or what it points at) used to
slip through: a traceback, a sweep that failed point by point, or an allocation the machine cannot
hold. ``corridor-sim validate`` and ``corridor-sim sweep`` must both refuse, before writing anything.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
import yaml

from conftest import tiny_experiment
from corridor_sim.cli import main
from corridor_sim.sweep import ExperimentError, load_experiment
from corridor_sim.sweep.design import MAX_CORE_HOURS, MAX_POINTS, count_points
from corridor_sim.sweep.experiment import looks_like_experiment
from corridor_sim.sweep.specs import MAX_SEED

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
EXPERIMENTS = ROOT / "experiments"
TWO_RANGES = {
    "actors.us.levers.land_surveillance": {"low": 0, "high": 1},
    "actors.us.levers.maritime_interdiction": {"low": 0, "high": 1},
}


def experiment(**changes) -> dict:
    """A small grid experiment (2 points x 4 replicates x 40 days) on a shipped scenario."""
    return tiny_experiment(**{"parameters": {"actors.iraq.levers.baghdad_control": [0, 1]}, **changes})


def write(folder: Path, content: dict | str | bytes, name: str = "exp.yaml") -> Path:
    path = folder / name
    if isinstance(content, dict):
        content = yaml.safe_dump(content, sort_keys=False)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def assert_refused(
    capsys, path: Path, key_path: str, *fragments: str, smoke: bool = False, commands=("validate", "sweep")
) -> str:
    """``validate`` and ``sweep --out`` exit 2 with a line naming the file and key path; nothing written."""
    out = path.parent / "out"
    sweep = ["sweep", str(path), "--out", str(out), "--no-progress", "--workers", "1"] + (["--smoke"] if smoke else [])
    messages = []
    for argv in (["validate", str(path)], sweep):
        if argv[0] not in commands:
            continue
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, f"{argv[0]} exited {code}: {err}"
        assert "Traceback" not in err
        prefix = f"error: {path}: {key_path}: " if key_path else f"error: {path}: "
        assert any(line.startswith(prefix) and all(f in line for f in fragments) for line in err.splitlines()), err
        assert not out.exists(), f"{argv[0]} wrote {out} for a refused experiment"
        messages.append(err)
    return messages[0]


# ----------------------------------------------------------------------------- files that are not text


def _utf8_cut(text: str) -> bytes:
    """UTF-8 text cut inside a multi-byte character."""
    raw = text.encode("utf-8")
    return raw[: raw.index("é".encode()) + 1]


NOT_UTF8 = {
    "random_bytes": lambda text: bytes(range(128, 256)) * 4,
    "utf16_with_bom": lambda text: text.encode("utf-16"),
    "gzip": lambda text: gzip.compress(text.encode("utf-8"), mtime=0),
    "cut_in_multibyte_character": _utf8_cut,
}


@pytest.mark.parametrize("kind", [*NOT_UTF8, "directory"])
def test_a_scenario_that_is_not_utf8_text_is_refused_under_the_key_scenario(tmp_path, capsys, kind):
    text = (SCENARIOS / "baseline.yaml").read_text(encoding="utf-8").replace("name: baseline", "name: baseliné")
    if kind == "directory":
        (tmp_path / "scenario.yaml").mkdir()
    else:
        (tmp_path / "scenario.yaml").write_bytes(NOT_UTF8[kind](text))
    path = write(tmp_path, experiment(scenario="scenario.yaml"))
    assert_refused(capsys, path, "scenario", "scenario.yaml")


@pytest.mark.parametrize("kind", list(NOT_UTF8))
def test_an_experiment_file_that_is_not_utf8_text_is_refused(tmp_path, capsys, kind):
    text = yaml.safe_dump(experiment(description="café"), sort_keys=False, allow_unicode=True)
    path = write(tmp_path, NOT_UTF8[kind](text))
    # Random bytes keep no key to tell an experiment by: validate leaves such a file to the scenario loader.
    commands = ("sweep",) if kind == "random_bytes" else ("validate", "sweep")
    assert_refused(capsys, path, "", "not UTF-8 text", commands=commands)


@pytest.mark.parametrize("shape", ["mappings", "lists"])
def test_an_experiment_nested_20000_levels_deep_is_refused(tmp_path, capsys, shape):
    depth = 20_000
    nested = "{a: " * depth + "1" + "}" * depth if shape == "mappings" else "[" * depth + "]" * depth
    text = yaml.safe_dump(experiment(), sort_keys=False) + f"description: {nested}\n"
    assert_refused(capsys, write(tmp_path, text), "", "nest")


def test_nesting_within_the_parsers_limit_but_too_deep_is_refused_with_its_key_path(tmp_path, capsys):
    text = "smoke: " + "{a: " * 200 + "1" + "}" * 200 + "\n" + yaml.safe_dump(experiment(), sort_keys=False)
    assert_refused(capsys, write(tmp_path, text), "smoke.a.a...", "line 1", "nested more than 64 levels")


@pytest.mark.parametrize(
    ("extra", "key_path"),
    [
        ("seed: 12\n", "seed"),
        ("replicates: 8\n", "replicates"),
        ("  actors.iraq.levers.baghdad_control: [1]\n", "parameters.actors.iraq.levers.baghdad_control"),
    ],
    ids=["seed", "replicates", "parameter"],
)
def test_a_duplicate_key_is_refused_naming_both_lines(tmp_path, capsys, extra, key_path):
    text = yaml.safe_dump(experiment(), sort_keys=False)
    if extra.startswith(" "):
        text += extra  # parameters is the last mapping: this line belongs to it
    else:
        text = extra + text
    assert_refused(capsys, write(tmp_path, text), key_path, "key written twice (first at line")


# ----------------------------------------------------------------------------- sizes


def test_a_grid_of_billions_of_points_is_refused_with_its_estimate_before_it_is_built(tmp_path, capsys):
    steps = {"low": 0, "high": 1, "steps": 300}
    parameters = {
        "actors.us.levers.land_surveillance": steps,
        "actors.us.levers.maritime_interdiction": steps,
        "actors.us.levers.sanctions_enforcement": steps,
        "actors.us.levers.troops_in_iraq": steps,
    }
    path = write(tmp_path, experiment(parameters=parameters, replicates=256))
    err = assert_refused(
        capsys, path, "design", "a grid design of 8,100,000,000 points x 256 replicates", "needs about"
    )
    assert f"{MAX_POINTS:,} points" in err


def test_a_grid_with_two_billion_steps_is_refused_without_listing_them(tmp_path, capsys):
    parameters = {"actors.us.levers.land_surveillance": {"low": 0, "high": 1, "steps": 2_000_000_000}}
    assert_refused(capsys, write(tmp_path, experiment(parameters=parameters)), "design", "2,000,000,000 points")


def test_a_sobol_design_of_a_billion_samples_is_refused_with_its_estimate(tmp_path, capsys):
    data = experiment(design={"kind": "sobol", "samples": 1_073_741_824}, parameters=TWO_RANGES)
    err = assert_refused(capsys, write(tmp_path, data), "design", "a sobol design of 4,294,967,296 points")
    assert re.search(r"needs about [\d.,]+ TB of memory for the design", err), err


def test_replicates_times_days_beyond_the_machine_are_refused(tmp_path, capsys):
    data = experiment(replicates=1_000_000_000, days=100_000)
    err = assert_refused(capsys, write(tmp_path, data), "design", "x 1,000,000,000 replicates x 100,000 days")
    assert f"{MAX_CORE_HOURS:,} core-hours" in err


@pytest.mark.parametrize(
    ("kind", "extra", "points"),
    [("sobol", {"second_order": False}, 8 * 4), ("sobol", {"second_order": True}, 8 * 6), ("morris", {}, 8 * 3)],
)
def test_point_counts_follow_the_samplers_formulas(kind, extra, points):
    """Sobol N(D+2), or N(2D+2) with second order; Morris r(D+1): the counts the estimate uses."""
    from corridor_sim.sweep.design import build_design
    from corridor_sim.sweep.specs import DesignSpec, Parameter

    params = [Parameter(f"p{i}", f"p{i}", None, 0.0, 1.0, None, False) for i in range(2)]
    spec = DesignSpec(kind=kind, samples=8, **extra)
    assert count_points(params, spec) == points == build_design(params, spec, seed=1).n_points


# ----------------------------------------------------------------------------- seeds, numbers, names


def test_a_seed_of_two_to_the_64_is_refused_before_anything_is_written(tmp_path, capsys):
    data = experiment(seed=2**64, common_random_numbers=True)
    assert_refused(capsys, write(tmp_path, data), "seed", "2^63 - 1")


def test_the_largest_seed_an_outcome_table_holds_is_accepted(tmp_path):
    assert load_experiment(write(tmp_path, experiment(seed=MAX_SEED))).seed == MAX_SEED
    with pytest.raises(ExperimentError, match="seed"):
        load_experiment(write(tmp_path, experiment(seed=MAX_SEED + 1)))


LEVER = "parameters.actors.us.levers.land_surveillance"
NON_FINITE = [
    ("values", {"parameters": {"actors.us.levers.land_surveillance": [0, ".nan"]}}, f"{LEVER}.values.1"),
    (
        "low",
        {"parameters": {"actors.us.levers.land_surveillance": {"low": ".nan", "high": 1, "steps": 2}}},
        f"{LEVER}.low",
    ),
    (
        "high",
        {"parameters": {"actors.us.levers.land_surveillance": {"low": 0, "high": ".inf", "steps": 2}}},
        f"{LEVER}.high",
    ),
    (
        "steps",
        {"parameters": {"actors.us.levers.land_surveillance": {"low": 0, "high": 1, "steps": ".inf"}}},
        f"{LEVER}.steps",
    ),
    ("samples", {"design": {"kind": "lhs", "samples": ".nan"}}, "design.samples"),
    ("replicates", {"replicates": "-.inf"}, "replicates"),
    ("days", {"days": ".nan"}, "days"),
    ("smoke_days", {"smoke": {"days": ".inf"}}, "smoke.days"),
    ("seed", {"seed": ".nan"}, "seed"),
]


@pytest.mark.parametrize(("changes", "key_path"), [c[1:] for c in NON_FINITE], ids=[c[0] for c in NON_FINITE])
def test_nan_and_infinite_numbers_are_refused_anywhere(tmp_path, capsys, changes, key_path):
    text = yaml.safe_dump(experiment(**changes), sort_keys=False)
    for word in (".nan", ".inf", "-.inf"):
        text = text.replace(f"'{word}'", word)
    assert_refused(capsys, write(tmp_path, text), key_path, "finite")


def test_a_range_whose_width_overflows_is_refused(tmp_path, capsys):
    data = experiment(
        design={"kind": "lhs", "samples": 4},
        parameters={"cargo.materiel.value_usd_per_ton": {"low": -1.5e308, "high": 1.5e308}},
    )
    assert_refused(capsys, write(tmp_path, data), "parameters.cargo.materiel.value_usd_per_ton", "too wide")


BAD_NAMES = {
    "dot_dot": "..",
    "dot": ".",
    "empty": "",
    "slash": "a/b",
    "backslash": "a\\b",
    "control_character": "a\x07b",
    "leading_dash": "-rf",
    "very_long": "x" * 300,
}


@pytest.mark.parametrize("name", list(BAD_NAMES.values()), ids=list(BAD_NAMES))
def test_names_that_are_not_plain_folder_names_are_refused(tmp_path, capsys, name):
    assert_refused(capsys, write(tmp_path, experiment(name=name)), "name", "")


def test_an_experiment_named_dot_dot_writes_nothing_with_the_default_results_folder(tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    path = write(tmp_path, experiment(name=".."))
    assert main(["sweep", str(path), "--no-progress", "--workers", "1"]) == 2
    assert "name" in capsys.readouterr().err
    assert list(work.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["exp.yaml", "work"]


# ----------------------------------------------------------------------------- the full design, also with --smoke


def test_a_full_design_that_only_its_smoke_version_could_run_is_refused_under_smoke(tmp_path, capsys):
    data = experiment(design={"kind": "sobol", "samples": 3}, parameters=TWO_RANGES, smoke={"samples": 2})
    assert_refused(capsys, write(tmp_path, data), "design.samples", "power of 2", smoke=True)


def test_a_smoke_version_that_cannot_run_is_refused_naming_smoke(tmp_path, capsys):
    data = experiment(design={"kind": "sobol", "samples": 8}, parameters=TWO_RANGES, smoke={"samples": 3})
    assert_refused(capsys, write(tmp_path, data), "smoke.samples", "--smoke", "power of 2", smoke=True)


def test_parameters_that_set_the_same_key_path_are_refused(tmp_path, capsys):
    parameters = {"us_land_surveillance": [0, 1], "actors.us.levers.land_surveillance.value": [0, 1]}
    path = write(tmp_path, experiment(parameters=parameters))
    assert_refused(capsys, path, "parameters.actors.us.levers.land_surveillance.value", "same key path")


# ----------------------------------------------------------------------------- validate on experiments


SHIPPED = sorted(EXPERIMENTS.glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_validate_accepts_every_shipped_experiment_with_a_one_line_summary(path, capsys):
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out.strip()
    assert "\n" not in out
    assert out.startswith(f"{path}: valid experiment '{path.stem}': ")


def test_validate_summarises_the_full_design_of_an_experiment(capsys):
    path = EXPERIMENTS / "global_sobol.yaml"
    assert main(["validate", str(path)]) == 0
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith(
            "valid experiment 'global_sobol': sobol design, 7,424 points x 8 replicates x 730 days "
            "(43.4 M replicate-days), 27 parameters, scenario ../scenarios/baseline.yaml"
        )
    )


def test_validate_reports_an_experiments_bad_key_path(tmp_path, capsys):
    parameters = {"actors.us.levers.land_survelliance": [0, 1]}
    path = write(tmp_path, experiment(parameters=parameters))
    assert_refused(capsys, path, "parameters.actors.us.levers.land_survelliance", "did you mean 'land_surveillance'")


def test_files_are_told_apart_by_their_keys(tmp_path):
    assert looks_like_experiment(write(tmp_path, {"name": "x", "design": {"kind": "grid"}}, "a.yaml"))
    assert looks_like_experiment(write(tmp_path, {"parameters": {}}, "b.yaml"))
    assert not looks_like_experiment(SCENARIOS / "baseline.yaml")
    assert not looks_like_experiment(write(tmp_path, {"extends": "baseline.yaml", "parameters": 1}, "c.yaml"))
    assert not looks_like_experiment(write(tmp_path, {"name": "neither"}, "d.yaml"))
    broken = yaml.safe_dump(experiment(), sort_keys=False).encode() + b"\xff\xfe broken: [\n"
    assert looks_like_experiment(write(tmp_path, broken, "e.yaml"))
    assert not looks_like_experiment(tmp_path / "missing.yaml")
