"""Sweeps: experiment files, designs, chunked runs, resume after a kill, local and Dask backends."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import tiny_experiment
from corridor_sim.cli import main
from corridor_sim.sweep import ExperimentError, SweepError, load_experiment, run_sweep
from corridor_sim.sweep import chunks as sweep_chunks
from corridor_sim.sweep import runner as sweep_runner
from corridor_sim.sweep.chunks import plan_chunks
from corridor_sim.sweep.design import build_design, point_seed
from corridor_sim.sweep.outcomes import LandOvertakesAir, OutcomeLayout, simulate

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
EXPERIMENTS = ROOT / "experiments"
VENV_BIN = Path(sys.executable).parent
pytestmark = pytest.mark.filterwarnings("ignore:.*shortened horizon.*:UserWarning")


experiment_dict = tiny_experiment


@pytest.fixture
def write_experiment(tmp_path):
    def write(data: dict | str, name: str = "exp.yaml") -> Path:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


def outcome_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "outcomes").glob("*.parquet"))}


# ----------------------------------------------------------------------------- plan, seeds, design


def test_chunks_are_whole_replicate_blocks_in_point_order():
    chunks = plan_chunks(3, 600, points_per_chunk=2)
    units = [u for c in chunks for u in c.units]
    assert [(u.point, u.first_replicate, u.replicates) for u in units[:3]] == [(0, 0, 256), (0, 256, 256), (0, 512, 88)]
    assert all(u.first_replicate % 256 == 0 for u in units)
    assert sum(c.runs for c in chunks) == 3 * 600
    assert [len(c.units) for c in chunks] == [2, 2, 2, 2, 1]


@pytest.mark.parametrize(
    ("points", "replicates", "unit"),
    [(3, 600, 256), (10, 512, 512), (3, 2000, 768), (100, 1000, 1000), (40, 5000, 1024)],
)
def test_units_grow_to_four_blocks_keeping_eight_units_or_more(points, replicates, unit):
    units = [u for c in plan_chunks(points, replicates) for u in c.units]
    assert max(u.replicates for u in units) == unit
    assert all(u.first_replicate % 256 == 0 for u in units)
    assert sum(u.replicates for u in units) == points * replicates
    assert len(units) >= min(8, points * -(-replicates // 256))


def test_units_of_several_blocks_give_the_outcomes_of_single_blocks(write_experiment, tmp_path, monkeypatch):
    experiment = load_experiment(write_experiment(experiment_dict(replicates=1100, days=15)))
    assert {u.replicates for c in plan_chunks(4, 1100) for u in c.units} == {512, 76}
    run_sweep(experiment, tmp_path / "big", workers=1, progress=False)
    monkeypatch.setattr(sweep_chunks, "MAX_UNIT_BLOCKS", 1)
    assert {u.replicates for c in plan_chunks(4, 1100) for u in c.units} == {256, 76}
    run_sweep(experiment, tmp_path / "small", workers=1, progress=False)
    big, small = pd.read_parquet(tmp_path / "big" / "outcomes"), pd.read_parquet(tmp_path / "small" / "outcomes")
    assert len(big) == 4 * 1100
    pd.testing.assert_frame_equal(big, small)


def test_point_seed_depends_only_on_experiment_seed_and_point():
    assert point_seed(5, 3) == point_seed(5, 3)
    assert len({point_seed(5, p) for p in range(100)}) == 100
    assert point_seed(5, 3) != point_seed(6, 3)
    expected = np.random.SeedSequence(5, spawn_key=(3,)).generate_state(1)[0]
    assert point_seed(5, 3) == int(expected)


def test_grid_design_is_every_combination_first_parameter_slowest(write_experiment):
    experiment = load_experiment(write_experiment(experiment_dict()))
    design = build_design(experiment.parameters, experiment.design, experiment.seed)
    assert design.values.tolist() == [[0, 0.2], [0, 0.8], [1, 0.2], [1, 0.8]]


@pytest.mark.parametrize("kind, samples, expected", [("lhs", 6, 6), ("sobol", 4, 4 * (3 + 2)), ("morris", 3, 3 * 4)])
def test_sampled_designs_are_reproducible_and_within_bounds(write_experiment, kind, samples, expected):
    data = experiment_dict(design={"kind": kind, "samples": samples})
    data["parameters"] = {
        "actors.iraq.levers.baghdad_control": [0, 1],
        "actors.us.levers.land_surveillance": {"low": 0.2, "high": 0.8},
        "fleets.trucks.count": {"low": 80, "high": 160, "integer": True},
    }
    experiment = load_experiment(write_experiment(data))
    a = build_design(experiment.parameters, experiment.design, experiment.seed)
    b = build_design(experiment.parameters, experiment.design, experiment.seed)
    assert a.n_points == expected
    assert np.array_equal(a.values, b.values)
    assert set(a.values[:, 0]) <= {0.0, 1.0}
    assert a.values[:, 1].min() >= 0.2 and a.values[:, 1].max() <= 0.8
    assert np.all(a.values[:, 2] == np.round(a.values[:, 2]))


# ----------------------------------------------------------------------------- running


def test_sweep_writes_a_dataset_pandas_reads_in_one_line(write_experiment, tmp_path):
    experiment = load_experiment(write_experiment(experiment_dict()))
    report = run_sweep(experiment, tmp_path / "out", workers=1, progress=False)
    assert report.ok and report.chunks_run == report.chunks_total == 4
    frame = pd.read_parquet(tmp_path / "out" / "outcomes")
    assert len(frame) == 4 * 4
    assert list(frame.columns[:5]) == [
        "point",
        "replicate",
        "seed",
        "actors.iraq.levers.baghdad_control",
        "actors.us.levers.land_surveillance",
    ]
    assert frame[["point", "replicate"]].values.tolist() == [[p, r] for p in range(4) for r in range(4)]
    assert set(experiment.layout.columns()) <= set(frame.columns)
    assert (frame["seed"] == frame["point"].map(lambda p: point_seed(11, p))).all()
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["chunks"]["complete"] == [0, 1, 2, 3]
    assert manifest["seed"] == 11 and manifest["design"]["n_points"] == 4
    assert not any((tmp_path / "out" / "outcomes").glob(".*")), "no partial files inside outcomes/"


def test_outcomes_equal_the_models_own_tables(write_experiment, tmp_path):
    """A run's outcomes are the totals of CorridorModel's summary, with the point's values set."""
    from corridor_sim import CorridorModel

    experiment = load_experiment(write_experiment(experiment_dict()))
    run_sweep(experiment, tmp_path / "out", workers=1, progress=False)
    frame = pd.read_parquet(tmp_path / "out" / "outcomes")
    row = frame[frame["point"] == 3]
    model = CorridorModel(
        SCENARIOS / "crossing_open_militia.yaml",
        replicates=4,
        rng=point_seed(11, 3),
        keep_daily=False,
        days=40,
        iraq_baghdad_control=1,
        us_land_surveillance=0.8,
    ).run()
    summary = model.summary()
    summary = summary[summary["cargo"] == "materiel"]  # the experiment's cargo class
    land = summary[summary["mode"] == "land"].groupby("replicate")["delivered_tons"].sum().to_numpy()
    assert np.allclose(row["delivered_tons:mode:land"], land)
    dest = model.destinations()
    share = dest[(dest["destination"] == "syria") & (dest["cargo"] == "materiel")]["share_met"].to_numpy()
    assert np.allclose(row["share_met:syria"], share)


def test_replicates_split_across_chunks_equal_one_model_run(tmp_path):
    """A point's replicates cut into 256-blocks give the same results as one model of them all."""
    experiment = load_experiment(_write(tmp_path, experiment_dict(replicates=300, days=15)))
    layout = experiment.layout
    whole, _ = simulate(experiment.base, {}, seed=3, replicates=300, days=15, layout=layout)
    second, _ = simulate(experiment.base, {}, seed=3, replicates=44, first_replicate=256, days=15, layout=layout)
    for column in layout.columns():
        assert np.array_equal(whole[column][256:], second[column], equal_nan=True), column


def _write(folder: Path, data: dict, name: str = "exp.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_results_identical_with_one_or_two_local_workers(write_experiment, tmp_path):
    experiment = load_experiment(write_experiment(experiment_dict()))
    run_sweep(experiment, tmp_path / "one", workers=1, progress=False)
    report = run_sweep(experiment, tmp_path / "two", workers=2, progress=False)
    assert report.backend == "2 local processes"
    assert outcome_files(tmp_path / "one") == outcome_files(tmp_path / "two")


def test_rerun_of_a_complete_sweep_does_nothing(write_experiment, tmp_path):
    experiment = load_experiment(write_experiment(experiment_dict()))
    run_sweep(experiment, tmp_path / "out", workers=1, progress=False)
    before = outcome_files(tmp_path / "out")
    report = run_sweep(experiment, tmp_path / "out", workers=1, progress=False)
    assert report.chunks_run == 0 and report.chunks_done_before == 4
    assert "already complete" in report.describe()
    assert outcome_files(tmp_path / "out") == before


def test_progress_bar_shows_done_rate_and_time_left(write_experiment, tmp_path, capsys):
    experiment = load_experiment(write_experiment(experiment_dict()))
    run_sweep(experiment, tmp_path / "out", workers=1, progress=True)
    err = capsys.readouterr().err
    assert "16/16" in err and "run/s" in err and "<" in err  # done/total [elapsed<left, rate]


def test_daily_series_kept_only_when_asked(write_experiment, tmp_path):
    experiment = load_experiment(write_experiment(experiment_dict(daily=True, days=20)))
    run_sweep(experiment, tmp_path / "out", workers=1, progress=False)
    daily = pd.read_parquet(tmp_path / "out" / "daily")
    assert len(daily) == 4 * 4 * 20
    assert {"point", "replicate", "day", "delivered_tons:mode:land", "interdicted_tons:mode:sea"} <= set(daily.columns)
    outcomes = pd.read_parquet(tmp_path / "out" / "outcomes")
    per_run = daily.groupby(["point", "replicate"])["delivered_tons:mode:land"].sum().to_numpy()
    assert np.allclose(per_run, outcomes["delivered_tons:mode:land"])
    plain = load_experiment(write_experiment(experiment_dict(days=20), "plain.yaml"))
    run_sweep(plain, tmp_path / "plain", workers=1, progress=False)
    assert not (tmp_path / "plain" / "daily").exists()


# ----------------------------------------------------------------------------- interruption and failures


def _reference(write_experiment, tmp_path, data) -> dict[str, bytes]:
    experiment = load_experiment(write_experiment(data, "reference.yaml"))
    run_sweep(experiment, tmp_path / "reference", workers=1, progress=False)
    return outcome_files(tmp_path / "reference")


def test_sweep_killed_halfway_and_rerun_equals_uninterrupted(write_experiment, tmp_path):
    """SIGKILL the whole sweep (driver and worker processes) after some chunks, rerun, compare bytes."""
    data = experiment_dict(
        replicates=4,
        days=150,
        parameters={"actors.us.levers.land_surveillance": {"low": 0.0, "high": 0.9, "steps": 10}},
    )
    path = write_experiment(data)
    out = tmp_path / "killed"
    command = [str(VENV_BIN / "corridor-sim"), "sweep", str(path), "--out", str(out), "--workers", "2"]
    with open(tmp_path / "killed.log", "w") as log:
        process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and process.poll() is None:
        done = len(list((out / "outcomes").glob("*.parquet"))) if (out / "outcomes").exists() else 0
        if done >= 3:
            os.killpg(process.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    survivors = outcome_files(out)
    assert 3 <= len(survivors) < 10
    for name in survivors:  # every file left in outcomes/ is a complete chunk
        assert len(pd.read_parquet(out / "outcomes" / name)) == 4

    rerun = subprocess.run(command + ["--no-progress"], capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "resumed" in rerun.stdout
    assert outcome_files(out) == _reference(write_experiment, tmp_path, data)
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_interrupted_in_process_then_resumed_equals_uninterrupted(write_experiment, tmp_path, monkeypatch):
    """Ctrl-C (KeyboardInterrupt) after two points: finished chunks stay, the rerun completes the rest."""
    data = experiment_dict()
    experiment = load_experiment(write_experiment(data))
    real = sweep_runner.simulate
    calls = []

    def interrupting(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_runner, "simulate", interrupting)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(experiment, tmp_path / "out", workers=1, progress=False)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["chunks"]["complete"] == [0, 1]
    monkeypatch.setattr(sweep_runner, "simulate", real)
    report = run_sweep(experiment, tmp_path / "out", workers=1, progress=False)
    assert report.chunks_done_before == 2 and report.chunks_run == 2
    assert outcome_files(tmp_path / "out") == _reference(write_experiment, tmp_path, data)


def test_failing_design_point_is_reported_and_does_not_sink_the_rest(write_experiment, tmp_path, monkeypatch):
    data = experiment_dict()
    experiment = load_experiment(write_experiment(data))
    real = sweep_runner.simulate

    def failing(raw, assignments, **kwargs):
        if (
            assignments["actors.us.levers.land_surveillance"] == 0.8
            and assignments["actors.iraq.levers.baghdad_control"]
        ):
            raise ValueError("capacity went negative")
        return real(raw, assignments, **kwargs)

    monkeypatch.setattr(sweep_runner, "simulate", failing)
    report = run_sweep(experiment, tmp_path / "out", workers=1, progress=False)
    assert not report.ok
    assert [f["point"] for f in report.failures] == [3]
    assert report.failures[0]["parameters"] == {
        "actors.iraq.levers.baghdad_control": 1.0,
        "actors.us.levers.land_surveillance": 0.8,
    }
    assert "ValueError: capacity went negative" in report.failures[0]["error"]
    assert "point(s) failed" in report.describe()
    frame = pd.read_parquet(tmp_path / "out" / "outcomes")
    assert sorted(frame["point"].unique()) == [0, 1, 2]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "incomplete" and manifest["failures"][0]["point"] == 3
    assert (tmp_path / "out" / "failures" / "chunk-000003.json").exists()

    monkeypatch.setattr(sweep_runner, "simulate", real)  # the cause fixed: the rerun retries only point 3
    report = run_sweep(experiment, tmp_path / "out", workers=1, progress=False)
    assert report.ok and report.chunks_run == 1
    assert not (tmp_path / "out" / "failures" / "chunk-000003.json").exists()
    assert outcome_files(tmp_path / "out") == _reference(write_experiment, tmp_path, data)


def test_cli_reports_failed_points_with_their_parameters_and_exits_1(write_experiment, tmp_path, monkeypatch, capsys):
    def failing(raw, assignments, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(sweep_runner, "simulate", failing)
    path = write_experiment(experiment_dict())
    code = main(["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1", "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1
    assert "design point 0 failed (actors.iraq.levers.baghdad_control=0, actors.us.levers.land_surveillance=0.2)" in (
        captured.err
    )
    assert "RuntimeError: boom" in captured.err


# ----------------------------------------------------------------------------- the results folder


def test_a_different_experiment_into_a_used_folder_is_refused_unless_force(write_experiment, tmp_path, capsys):
    out = tmp_path / "out"
    first = write_experiment(experiment_dict(), "first.yaml")
    assert main(["sweep", str(first), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    before = outcome_files(out)
    other = write_experiment(experiment_dict(seed=12), "other.yaml")
    capsys.readouterr()
    assert main(["sweep", str(other), "--out", str(out), "--workers", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "different experiment" in err and "--force" in err and "Traceback" not in err
    assert outcome_files(out) == before
    assert main(["sweep", str(other), "--out", str(out), "--workers", "1", "--no-progress", "--force"]) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 12
    assert outcome_files(out) != before
    report = run_sweep(load_experiment(other), out, workers=1, progress=False, force=True)
    assert report.chunks_done_before == 0 and report.chunks_run == 4, "--force starts again from nothing"


def test_description_changes_do_not_count_as_a_different_experiment(write_experiment, tmp_path):
    experiment = load_experiment(write_experiment(experiment_dict()))
    run_sweep(experiment, tmp_path / "out", workers=1, progress=False)
    reworded = load_experiment(write_experiment(experiment_dict(description="reworded"), "b.yaml"))
    assert run_sweep(reworded, tmp_path / "out", workers=1, progress=False).chunks_run == 0


def test_smoke_and_full_runs_are_different_experiments(write_experiment, tmp_path):
    path = write_experiment(experiment_dict())
    run_sweep(load_experiment(path, smoke=True), tmp_path / "out", workers=1, progress=False)
    with pytest.raises(SweepError, match="different experiment"):
        run_sweep(load_experiment(path), tmp_path / "out", workers=1, progress=False)


def test_a_folder_holding_other_files_is_refused(write_experiment, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "summary.csv").write_text("x\n")
    with pytest.raises(SweepError, match="not empty"):
        run_sweep(load_experiment(write_experiment(experiment_dict())), tmp_path / "out", workers=1, progress=False)


# ----------------------------------------------------------------------------- bad experiment files

BAD = [
    (
        "unknown_key_path",
        {"parameters": {"actors.us.levers.land_survelliance": [0, 1]}},
        "parameters.actors.us.levers.land_survelliance",
        "did you mean 'land_surveillance'",
    ),
    (
        "unknown_actor_path",
        {"parameters": {"actors.usa.levers.x": [0, 1]}},
        "parameters.actors.usa.levers.x",
        "unknown key path",
    ),
    (
        "empty_range",
        {"parameters": {"actors.us.levers.land_surveillance": {"low": 0.5, "high": 0.5, "steps": 3}}},
        "parameters.actors.us.levers.land_surveillance",
        "empty range",
    ),
    (
        "reversed_range",
        {"parameters": {"actors.us.levers.land_surveillance": {"low": 0.9, "high": 0.1, "steps": 3}}},
        "parameters.actors.us.levers.land_surveillance",
        "low 0.9 is above high 0.1",
    ),
    (
        "empty_values",
        {"parameters": {"actors.us.levers.land_surveillance": []}},
        "parameters.actors.us.levers.land_surveillance",
        "empty list of values",
    ),
    (
        "rejected_value",
        {"parameters": {"actors.us.levers.land_surveillance": [0.5, 1.5]}},
        "parameters.actors.us.levers.land_surveillance",
        "value 1.5 is rejected by the scenario",
    ),
    (
        "rejected_probability",
        {"parameters": {"segments.suez_canal.interdiction_probability": {"low": 0, "high": 2, "steps": 3}}},
        "parameters.segments.suez_canal.interdiction_probability",
        "not within [0, 1]",
    ),
    (
        "fractional_integer_field",
        {
            "design": {"kind": "lhs", "samples": 4},
            "parameters": {"segments.suez_canal.transit_days": {"low": 1, "high": 4}},
        },
        "parameters.segments.suez_canal.transit_days",
        "integer: true",
    ),
    (
        "sobol_one_parameter",
        {
            "design": {"kind": "sobol", "samples": 8},
            "parameters": {"actors.us.levers.land_surveillance": {"low": 0, "high": 1}},
        },
        "parameters",
        "at least 2 parameters",
    ),
    (
        "morris_one_parameter",
        {
            "design": {"kind": "morris", "samples": 4},
            "parameters": {"actors.us.levers.land_surveillance": {"low": 0, "high": 1}},
        },
        "parameters",
        "at least 2 parameters",
    ),
    (
        "sobol_not_power_of_two",
        {
            "design": {"kind": "sobol", "samples": 6},
            "parameters": {
                "actors.us.levers.land_surveillance": {"low": 0, "high": 1},
                "fleets.trucks.count": {"low": 80, "high": 160},
            },
        },
        "design.samples",
        "power of 2",
    ),
    ("sampled_design_without_samples", {"design": {"kind": "lhs"}}, "design.samples", "needs 'samples'"),
    (
        "grid_range_without_steps",
        {"parameters": {"actors.us.levers.land_surveillance": {"low": 0, "high": 1}}},
        "parameters.actors.us.levers.land_surveillance",
        "needs 'steps'",
    ),
    ("unknown_design", {"design": {"kind": "factorial"}}, "design.kind", "'factorial'"),
    ("unknown_top_level_key", {"replicats": 10}, "replicats", "did you mean 'replicates'"),
    (
        "unknown_parameter_key",
        {"parameters": {"actors.us.levers.land_surveillance": {"values": [0], "stesp": 2}}},
        "parameters.actors.us.levers.land_surveillance.stesp",
        "unknown key",
    ),
    ("zero_replicates", {"replicates": 0}, "replicates", "greater than or equal to 1"),
    ("unknown_outcome_group", {"outcomes": ["delivered", "deliverd_by_route"]}, "outcomes", "'deliverd_by_route'"),
    ("unknown_report_column", {"report": ["delivered_tons:mode:rail"]}, "report", "not one of"),
    ("missing_scenario", {"scenario": "no_such_scenario.yaml"}, "scenario", "not found"),
    ("unknown_cargo", {"cargo": "coal"}, "cargo", "unknown cargo class 'coal'"),
]


@pytest.mark.parametrize("changes, key_path, fragment", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_experiment_file_exits_2_naming_key_path_before_any_work(
    write_experiment, tmp_path, capsys, changes, key_path, fragment
):
    path = write_experiment(experiment_dict(**changes))
    out = tmp_path / "out"
    code = main(["sweep", str(path), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    lines = [x.removeprefix("error: ") for x in err.splitlines()]
    line = next((x for x in lines if x.startswith(f"{path}: {key_path}:")), None)
    assert line is not None, err
    assert fragment in line, err
    assert not out.exists(), "nothing may be written for a bad experiment"


@pytest.mark.parametrize(
    "text, fragment",
    [("name: [unclosed\n", "not valid YAML"), ("- a\n- list\n", "must be a mapping"), (None, "file not found")],
    ids=["invalid_yaml", "not_a_mapping", "missing_file"],
)
def test_unreadable_experiment_file_exits_2(tmp_path, capsys, text, fragment):
    path = tmp_path / "exp.yaml"
    if text is not None:
        path.write_text(text)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    assert fragment in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_experiment_error_lists_every_problem(write_experiment):
    data = experiment_dict(replicates=0, parameters={"actors.us.levers.nothing": [0, 1]})
    with pytest.raises(ExperimentError) as info:
        load_experiment(write_experiment(data))
    paths = [p for p, _ in info.value.problems]
    assert "replicates" in paths


def test_flat_override_names_work_as_parameters(write_experiment):
    experiment = load_experiment(write_experiment(experiment_dict(parameters={"us_land_surveillance": [0.1, 0.2]})))
    assert experiment.parameters[0].key_path == "actors.us.levers.land_surveillance.value"


# ----------------------------------------------------------------------------- shipped experiments


SHIPPED = sorted(EXPERIMENTS.glob("*.yaml"))


def test_the_issue_experiments_are_shipped():
    assert len(SHIPPED) >= 3
    kinds = {load_experiment(p).design.kind for p in SHIPPED}
    assert {"grid", "sobol"} <= kinds


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_experiment_runs_with_smoke(path, tmp_path, capsys):
    out = tmp_path / path.stem
    assert main(["sweep", str(path), "--smoke", "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    experiment = load_experiment(path, smoke=True)
    frame = pd.read_parquet(out / "outcomes")
    design = build_design(experiment.parameters, experiment.design, experiment.seed)
    assert len(frame) == design.n_points * experiment.replicates
    assert main(["analyze", str(out)]) == 0
    assert (out / "analysis" / "point_stats.csv").exists()
    assert "Sweep" in capsys.readouterr().out


def test_every_shipped_experiment_is_in_the_readme():
    readme = (EXPERIMENTS / "README.md").read_text()
    for path in SHIPPED + [EXPERIMENTS / "ema_example.py"]:
        assert path.name in readme, path.name


# ----------------------------------------------------------------------------- land overtakes air


def _fake_model(days: int, replicates: int) -> types.SimpleNamespace:
    return types.SimpleNamespace(
        net=types.SimpleNamespace(route_mode=["air", "land", "sea"]),
        n_replicates=replicates,
        spec=types.SimpleNamespace(days=days),
    )


def _feed(tracker: LandOvertakesAir, model, land: np.ndarray, air: np.ndarray) -> np.ndarray:
    for day in range(land.shape[0]):
        delivered = np.zeros((land.shape[1], 3, 1))
        delivered[:, 0, 0] = air[day]
        delivered[:, 1, 0] = land[day]
        tracker(model, day, {"delivered": delivered})
    return tracker.result()


def test_land_overtakes_air_day_needs_thirty_days_above():
    days = 200
    model = _fake_model(days, 3)
    air = np.full((days, 3), 10.0)
    land = np.zeros((days, 3))
    land[80:, 0] = 20.0  # from day 80 on: the 7-day mean passes air's on day 83 (4 x 20 / 7 > 10)
    land[80:105, 1] = 20.0  # a 25-day spell only: never for good
    land[80:105, 2] = 20.0
    land[130:, 2] = 20.0  # then for good from day 130
    result = _feed(LandOvertakesAir(model, cargo=0), model, land, air)
    np.testing.assert_array_equal(result, [83, np.nan, 133])


def test_a_start_up_ramp_is_not_an_overtaking():
    """Land ahead of air in the warm-up only does not count; ahead from the warm-up's end on, or later, does.

    'Never' is NaN, not a day.
    """
    days = 200
    model = _fake_model(days, 4)
    air = np.full((days, 4), 10.0)
    land = np.zeros((days, 4))
    land[:31, :] = 30.0  # every replicate: land far ahead in days 0-30 (the start-up ramp), then behind
    land[100:, 1] = 20.0  # replicate 1: land passes air for good on day 103
    land[50:, 2] = 20.0  # replicate 2: ahead from day 53, inside the warm-up, for good: ahead when it ends (60)
    land[45:75, 3] = 20.0  # replicate 3: ahead from day 48 to 77 only (18 days after the warm-up), then for good
    land[120:, 3] = 20.0  # from day 123
    result = _feed(LandOvertakesAir(model, cargo=0), model, land, air)
    np.testing.assert_array_equal(result, [np.nan, 103, 60, 123])
    assert OutcomeLayout.columns(types.SimpleNamespace(groups=("land_overtakes_air_day",), modes=())) == [
        "land_overtakes_air",
        "land_overtakes_air_day",
    ]


# Fleets from a handful of trucks to a large one: some runs where land overtakes air and some where it never does.
FEW_TRUCKS = {"fleets.trucks.count": {"dist": "uniform", "low": 5, "high": 80}}


def test_never_is_nan_and_left_out_of_the_statistics():
    """A run's outcomes: 1/0 whether land overtakes air, the day or NaN (not a day number); medians skip 'never'."""
    from corridor_sim.scenario import load_raw, validate
    from corridor_sim.sweep.analyze import describe

    path = SCENARIOS / "crossing_open_militia.yaml"
    spec = validate(load_raw(path), str(path))
    layout = OutcomeLayout.from_spec(spec, groups=["land_overtakes_air_day"], cargo="materiel")
    values, _ = simulate(load_raw(path), FEW_TRUCKS, seed=4, replicates=12, days=300, layout=layout)
    event, day = values["land_overtakes_air"], values["land_overtakes_air_day"]
    assert set(event) == {0.0, 1.0}, "the check needs runs with and without the shift"
    np.testing.assert_array_equal(np.isnan(day), event == 0.0)
    assert np.nanmin(day) >= 60
    stats = describe(pd.DataFrame(values), list(values)).set_index("outcome")
    assert stats.loc["land_overtakes_air", "mean"] == event.mean()  # the share of runs with the shift
    assert stats.loc["land_overtakes_air_day", "median"] == np.median(day[event == 1.0])  # among those runs
    assert stats.loc["land_overtakes_air_day", "n"] == event.sum()


def test_land_overtakes_air_tracker_agrees_with_the_daily_table():
    """The online tracker equals the definition computed from the model's per-replicate daily table."""
    from corridor_sim import CorridorModel
    from corridor_sim.sweep.outcomes import WARMUP_DAYS

    days = 300
    from corridor_sim.scenario import load_scenario

    spec = load_scenario(SCENARIOS / "crossing_open_militia.yaml", overrides=FEW_TRUCKS)
    model = CorridorModel(spec, replicates=12, rng=4, keep_daily=True, days=days)
    tracker = LandOvertakesAir(model, cargo=0)
    model.observers.append(tracker)
    model.run()
    daily = model.timeseries()
    daily = daily[daily["cargo"] == "materiel"]  # cargo 0: the tracker never adds oil's barrels to materiel
    expected = []
    for _, rep in daily.groupby("replicate"):
        by_mode = rep.pivot_table(index="day", columns="mode", values="delivered_tons", aggfunc="sum", observed=True)
        mean = by_mode.rolling(7, min_periods=1).mean()
        above = (mean["land"] > mean["air"]).to_numpy()
        found = np.nan
        for d in range(WARMUP_DAYS, days - 29):
            if above[d : d + 30].all() and (d == WARMUP_DAYS or not above[d - 1]):
                found = d
                break
        expected.append(found)
    np.testing.assert_array_equal(tracker.result(), expected)
    assert np.isfinite(expected).any(), "the check needs a replicate where land overtakes air"
    assert np.isnan(expected).any(), "the check needs a replicate where it does not"


# ----------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real Dask scheduler and two workers, each a separate process on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    dask = str(VENV_BIN / "dask")
    common = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    processes = [
        subprocess.Popen(
            [
                dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            **common,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        address = json.loads(scheduler_file.read_text())["address"]
        assert re.match(r"tcp://127\.0\.0\.1:\d+$", address)
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [
                        dask,
                        "worker",
                        address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                        "--no-nanny",
                    ],
                    **common,
                )
            )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):  # workers first, then the scheduler
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def test_dask_cluster_of_two_worker_processes_runs_a_sweep_identical_to_local(
    dask_cluster, write_experiment, tmp_path, capsys
):
    from distributed import Client

    with Client(dask_cluster, timeout="30s") as client:
        workers = client.scheduler_info()["workers"]
        assert len(workers) == 2
        assert all(w["host"] == "127.0.0.1" for w in workers.values())
        pids = set(client.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids
    path = write_experiment(experiment_dict())
    code = main(["sweep", str(path), "--out", str(tmp_path / "dask"), "--scheduler", dask_cluster, "--no-progress"])
    assert code == 0
    assert f"Dask cluster {dask_cluster} (2 worker threads)" in capsys.readouterr().out
    run_sweep(load_experiment(path), tmp_path / "local", workers=2, progress=False)
    assert outcome_files(tmp_path / "dask") == outcome_files(tmp_path / "local")
    assert len(outcome_files(tmp_path / "dask")) == 4


def test_unreachable_scheduler_exits_2_before_any_run(write_experiment, tmp_path, capsys):
    import dask

    path = write_experiment(experiment_dict())
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["sweep", str(path), "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2
    assert "cannot connect to the Dask scheduler" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_layout_refuses_an_ambiguous_cargo():
    from corridor_sim.scenario import load_raw, validate

    raw = load_raw(SCENARIOS / "baseline.yaml")
    raw["cargo"]["oil"] = {"unit": "tons"}
    with pytest.raises(ValueError, match="several cargo classes"):
        OutcomeLayout.from_spec(validate(raw), groups=("delivered",))


def test_resuming_after_the_model_code_changed_is_refused_unless_force(write_experiment, tmp_path, capsys, monkeypatch):
    """A sweep made by other model code is not resumed (its outcomes would mix two models)."""
    from corridor_sim import provenance

    out = tmp_path / "out"
    path = write_experiment(experiment_dict())
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model_code"] == provenance.model_code_hash()
    before = outcome_files(out)
    monkeypatch.setattr(provenance, "model_code_hash", lambda: "0123456789abcdef")
    capsys.readouterr()
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "different model code" in err and "--force" in err and "Traceback" not in err
    assert outcome_files(out) == before
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress", "--force"]) == 0
    assert json.loads((out / "manifest.json").read_text())["model_code"] == "0123456789abcdef"


def test_model_code_hash_covers_files_that_exist():
    from corridor_sim import provenance

    root = Path(provenance.__file__).parent
    assert all((root / name).is_file() for name in provenance.RESULT_MODULES)
    assert len(provenance.model_code_hash()) == 16


def test_every_module_a_run_or_sweep_imports_is_classed_as_deciding_results_or_not():
    """A new module that decides numbers (as rates.py does) cannot slip past the model-code hash unclassed."""
    from corridor_sim import provenance

    code = (
        "import sys, corridor_sim.model, corridor_sim.sweep.runner, corridor_sim.sweep.analyze; "
        "print(' '.join(m for m in sys.modules if m.startswith('corridor_sim')))"
    )
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    root = Path(provenance.__file__).parent
    files = set()
    for module in imported:
        path = root.joinpath(*module.split(".")[1:])
        files.add(str((path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).relative_to(root)))
    classed = set(provenance.RESULT_MODULES) | set(provenance.NOT_RESULT_MODULES)
    assert files - classed == set()
    assert {"rates.py", "kernels/movement.py", "sweep/outcomes.py"} <= set(provenance.RESULT_MODULES)
