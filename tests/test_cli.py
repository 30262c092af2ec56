"""The corridor-sim command: messages and exit status for bad input, result files, reproducibility."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from corridor_sim import CorridorModel, __version__, load_scenario
from corridor_sim.cli import main

EXE = Path(sys.executable).parent / "corridor-sim"
SMALL = ["--reps", "4", "--days", "40"]
REPRODUCIBLE = ("summary.csv", "destinations.csv", "bands.parquet", "events.parquet", "timeseries.parquet")


def run_cli(*args: object) -> tuple[int, str, str]:
    """Run ``corridor-sim`` in-process; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's own usage errors
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in a folder, with its bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.fixture
def policy_file(policy_scenario, write_yaml):
    """The one-route scenario with a us actor, timed changes on days 10 and 30 and a reactive rule."""
    raw = policy_scenario(days=60, leg1_p=0.05, leg2_capacity=80)
    raw["actors"]["us"]["timeline"]["late"] = {"lever": "surveillance", "day": 30, "set": 0.1, "label": "late change"}
    return write_yaml(raw, "policy.yaml")


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory, baseline_path):
    """One small baseline run with --out; its exit status, stdout, stderr and folder."""
    out = tmp_path_factory.mktemp("baseline") / "results"
    code, stdout, stderr = run_cli("run", baseline_path, "--reps", "5", "--days", "60", "--seed", "7", "--out", out)
    return code, stdout, stderr, out


# ----------------------------------------------------------------------------- bad input


def test_bad_input_run_exits_2_with_message_and_writes_nothing(bad_input, tmp_path, names_problem):
    """run on each kind of wrong file: exit 2, file and key path on stderr, no traceback, no --out folder."""
    path = bad_input.write(tmp_path)
    out = tmp_path / "results"
    code, stdout, stderr = run_cli("run", path, *SMALL, "--out", out)
    assert code == 2
    assert names_problem(stderr, path, bad_input.key_path, bad_input.fragments), stderr
    assert "Traceback" not in stdout + stderr
    assert not out.exists()


def test_bad_input_validate_exits_2_with_message(bad_input, tmp_path, names_problem):
    """validate on each kind of wrong file: exit 2 and the file, key path and problem on stderr."""
    path = bad_input.write(tmp_path)
    code, stdout, stderr = run_cli("validate", path)
    assert code == 2
    assert names_problem(stderr, path, bad_input.key_path, bad_input.fragments), stderr
    assert "Traceback" not in stdout + stderr and "valid scenario" not in stdout


@pytest.mark.parametrize("case", ["probability_above_one", "unknown_lever_timeline", "invalid_yaml"])
def test_bad_input_leaves_existing_results_unchanged_even_with_force(case, tmp_path, baseline_path, bad_inputs):
    """A wrong file run with --force into a folder of earlier results leaves those files as they were."""
    out = tmp_path / "results"
    assert run_cli("run", baseline_path, "--reps", "2", "--days", "30", "--out", out)[0] == 0
    before = snapshot(out)
    bad = bad_inputs[case].write(tmp_path)
    code, _, stderr = run_cli("run", bad, *SMALL, "--out", out, "--force")
    assert code == 2 and str(bad) in stderr
    assert snapshot(out) == before


@pytest.mark.parametrize(
    "case",
    [
        "unknown_key_segment",
        "invalid_yaml",
        "file_not_found",
        "malformed_unquoted_date",
    ],
)
def test_bad_input_in_a_real_process(case, tmp_path, names_problem, bad_inputs):
    """The installed corridor-sim command exits 2 on a wrong file, with the message and no traceback."""
    bad = bad_inputs[case]
    path, out = bad.write(tmp_path), tmp_path / "results"
    proc = subprocess.run(
        [str(EXE), "run", str(path), *SMALL, "--out", str(out)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2, proc.stderr
    assert names_problem(proc.stderr, path, bad.key_path, bad.fragments), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--reps", "0"], ["--reps"]),
        (["--days", "0"], ["--days"]),
        (["--seed", "-1"], ["--seed"]),
        (["--threads", "0"], ["--threads"]),
        (["--set", "us_land_surveilance=0.5"], ["us_land_surveilance", "did you mean 'us_land_surveillance'"]),
        (
            ["--set", "actors.us.levers.land_surveillance=1.5"],
            ["actors.us.levers.land_surveillance.value", "not within"],
        ),
        (["--set", "no_equals_sign"], ["KEY=VALUE"]),
        (["--reps", "many"], ["--reps"]),
    ],
)
def test_bad_arguments_exit_2_without_traceback(tmp_path, baseline_path, args, words):
    """Bad command-line values (replicates, days, seed, --set) exit 2 with a message naming them; nothing is written."""
    out = tmp_path / "results"
    code, stdout, stderr = run_cli("run", baseline_path, "--days", "30", *args, "--out", out)
    assert code == 2
    assert all(w in stderr for w in words), stderr
    assert "Traceback" not in stdout + stderr
    assert not out.exists()


def test_out_that_is_a_file_is_refused(tmp_path, baseline_path):
    """--out naming an existing file exits 2 and leaves the file alone."""
    out = tmp_path / "results"
    out.write_text("not a folder")
    code, _, stderr = run_cli("run", baseline_path, "--reps", "2", "--days", "30", "--out", out)
    assert code == 2 and str(out) in stderr
    assert out.read_text() == "not a folder"


# ----------------------------------------------------------------------------- the out folder


def test_existing_results_refused_without_force(tmp_path, baseline_path):
    """A second run into a folder holding results exits 2, names --force, and changes no file."""
    out = tmp_path / "results"
    assert run_cli("run", baseline_path, "--reps", "2", "--days", "30", "--seed", "1", "--out", out)[0] == 0
    before = snapshot(out)
    code, _, stderr = run_cli("run", baseline_path, "--reps", "2", "--days", "30", "--seed", "2", "--out", out)
    assert code == 2 and "--force" in stderr and str(out) in stderr
    assert snapshot(out) == before


def test_force_overwrites_results(tmp_path, baseline_path):
    """With --force the new run's files replace the old ones, and daily files of the old run do not linger."""
    out, fresh = tmp_path / "results", tmp_path / "fresh"
    assert run_cli("run", baseline_path, "--reps", "2", "--days", "30", "--seed", "1", "--out", out)[0] == 0
    assert (out / "timeseries.parquet").exists()
    args = ["run", baseline_path, "--reps", "2", "--days", "30", "--seed", "2", "--no-daily"]
    assert run_cli(*args, "--out", out, "--force")[0] == 0
    assert run_cli(*args, "--out", fresh)[0] == 0
    assert (out / "summary.csv").read_bytes() == (fresh / "summary.csv").read_bytes()
    assert not (out / "timeseries.parquet").exists() and not (out / "actors.parquet").exists()


def test_empty_existing_folder_is_accepted(tmp_path, baseline_path):
    """An existing but empty --out folder is not 'holding results' and is written to."""
    out = tmp_path / "results"
    out.mkdir()
    assert run_cli("run", baseline_path, "--reps", "2", "--days", "30", "--out", out)[0] == 0
    assert (out / "summary.csv").exists()


def test_no_daily_omits_daily_files(tmp_path, baseline_path):
    """--no-daily writes every result file except timeseries.parquet and actors.parquet."""
    out = tmp_path / "results"
    assert run_cli("run", baseline_path, "--reps", "2", "--days", "30", "--no-daily", "--out", out)[0] == 0
    names = {p.name for p in out.iterdir()}
    assert {"summary.csv", "destinations.csv", "bands.parquet", "events.parquet", "scenario.resolved.yaml"} <= names
    assert "timeseries.parquet" not in names and "actors.parquet" not in names


# ----------------------------------------------------------------------------- validate and run output


def test_validate_good_file(baseline_path):
    """validate on the baseline exits 0, says it is valid and counts its routes."""
    code, stdout, stderr = run_cli("validate", baseline_path)
    spec = load_scenario(baseline_path)
    assert code == 0 and stderr == ""
    assert "valid" in stdout and f"{len(spec.routes)} routes" in stdout


def test_validate_in_a_real_process(baseline_path):
    """The installed command validates the baseline with exit status 0."""
    proc = subprocess.run([str(EXE), "validate", str(baseline_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "valid" in proc.stdout


def test_run_prints_route_and_destination_tables(baseline_run, baseline_path):
    """run prints a table with every route and its measures, and one with every destination."""
    code, stdout, stderr, _ = baseline_run
    assert code == 0 and "Traceback" not in stderr
    spec = load_scenario(baseline_path)
    routes_at, dest_at = stdout.index("Routes"), stdout.index("Destinations")
    route_part, dest_part = stdout[routes_at:dest_at], stdout[dest_at:]
    for header in ("dispatched", "delivered", "interdicted", "interdiction rate", "per delivered", "capacity use"):
        assert header in route_part
    for rid in spec.routes:
        assert rid in route_part
    for header in ("demand", "delivered", "share met", "backlog"):
        assert header in dest_part
    for did in spec.destinations:
        assert did in dest_part
    # A class a destination never demands nor receives has no row: Lebanon's materiel, not its oil.
    lebanon = [line for line in dest_part.splitlines() if "lebanon" in line]
    assert any(" materiel " in line for line in lebanon) and not any(" oil " in line for line in lebanon)


def test_run_without_out_writes_nothing(tmp_path, baseline_path, monkeypatch):
    """run without --out prints the tables and creates no files."""
    monkeypatch.chdir(tmp_path)
    code, stdout, _ = run_cli("run", baseline_path, "--reps", "2", "--days", "30")
    assert code == 0 and "Routes" in stdout
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- result files


def test_result_files_have_the_documented_columns(baseline_run, baseline_path):
    """Each result file exists with the columns the issue names and one row per documented unit."""
    code, _, _, out = baseline_run
    assert code == 0
    spec = load_scenario(baseline_path)
    reps, days, dests, cargo = 5, 60, len(spec.destinations), len(spec.cargo)

    summary = pd.read_csv(out / "summary.csv")
    assert {
        "replicate",
        "route",
        "mode",
        "cargo",
        "dispatched_tons",
        "delivered_tons",
        "interdicted_tons",
        "cost_usd",
        "cost_per_delivered_ton",
    } <= set(summary.columns)
    # One row per replicate, route and cargo class the route carries (its `cargo:`; all if not given).
    carried = sum(len(r.cargo or spec.cargo) for r in spec.routes.values())
    assert len(summary) == reps * carried
    assert set(summary["mode"]) <= {"air", "sea", "land"}

    destinations = pd.read_csv(out / "destinations.csv")
    assert {"replicate", "destination", "cargo", "demand_tons", "delivered_tons", "backlog_tons"} <= set(
        destinations.columns
    )
    assert len(destinations) == reps * dests * cargo

    timeseries = pd.read_parquet(out / "timeseries.parquet")
    assert {
        "replicate",
        "day",
        "date",
        "route",
        "mode",
        "cargo",
        "dispatched_tons",
        "delivered_tons",
        "interdicted_tons",
        "in_transit_tons",
        "queued_tons",
        "cost_usd",
    } <= set(timeseries.columns)
    assert len(timeseries) == reps * days * carried
    assert timeseries["date"].min() == pd.Timestamp(spec.start_date)

    actors = pd.read_parquet(out / "actors.parquet")
    n_levers = sum(len(a.levers) for a in spec.actors.values())
    assert {"replicate", "day", "actor", "lever", "value"} <= set(actors.columns)
    assert len(actors) == reps * days * n_levers

    events = pd.read_parquet(out / "events.parquet")
    assert ["replicate", "day", "date", "actor", "lever", "old_value", "new_value", "cause", "label"] == list(
        events.columns
    )

    bands = pd.read_parquet(out / "bands.parquet")
    assert {"day", "date", "median", "q05", "q95", "mean"} <= set(bands.columns)
    assert sorted(bands["day"].unique()) == list(range(days))
    assert (bands["q05"] <= bands["median"] + 1e-9).all() and (bands["median"] <= bands["q95"] + 1e-9).all()

    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["seed"] == 7 and resolved["corridor_sim_version"] == __version__
    from corridor_sim.provenance import model_code_hash

    assert resolved["model_code"] == model_code_hash()
    assert resolved["scenario"]["days"] == days


def test_bands_summarise_the_timeseries(baseline_run):
    """bands.parquet's route quantiles are the quantiles across replicates of timeseries.parquet's daily values,
    and it has per-destination demand and backlog bands."""
    out = baseline_run[3]
    ts, bands = pd.read_parquet(out / "timeseries.parquet"), pd.read_parquet(out / "bands.parquet")
    assert {"demand_tons", "backlog_tons", "delivered_tons"} <= set(bands["quantity"][bands["kind"] == "destination"])
    route = ts["route"].iloc[0]
    daily = ts[ts.route == route].pivot_table(index="day", columns="replicate", values="delivered_tons", observed=True)
    band = bands[(bands.kind == "route") & (bands.id == route) & (bands.quantity == "delivered_tons")].set_index("day")
    pd.testing.assert_series_equal(band["median"], daily.median(axis=1), check_names=False)
    pd.testing.assert_series_equal(band["mean"], daily.mean(axis=1), check_names=False)
    pd.testing.assert_series_equal(band["q95"], daily.quantile(0.95, axis=1), check_names=False)


def test_events_file_lists_timed_changes_and_rule_firings(tmp_path, policy_file):
    """events.parquet has each timed change per replicate on its day and date, and the rule's firings."""
    out = tmp_path / "results"
    assert run_cli("run", policy_file, "--reps", "12", "--seed", "3", "--out", out)[0] == 0
    events = pd.read_parquet(out / "events.parquet")
    more = events[events.cause.str.contains("more")]
    assert sorted(more.replicate) == list(range(12))
    assert (more.day == 10).all() and (more.date == pd.Timestamp("2019-01-11")).all()
    assert more[["actor", "lever", "old_value", "new_value"]].drop_duplicates().to_numpy().tolist() == [
        ["us", "surveillance", 0.3, 0.8]
    ]
    votes = events[events.cause.str.contains("vote")]
    assert 0 < votes.replicate.nunique() < 12
    assert (votes.label == "parliament votes the troops out").all()


def test_resolved_scenario_reproduces_the_run(tmp_path, policy_file):
    """scenario.resolved.yaml (scenario, seed, replicates) reproduces summary.csv exactly, --set and --days included."""
    out = tmp_path / "results"
    code, _, _ = run_cli(
        "run", policy_file, "--reps", "4", "--seed", "5", "--days", "45", "--set", "us_surveillance=0.6", "--out", out
    )
    assert code == 0
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["scenario"]["actors"]["us"]["levers"]["surveillance"]["value"] == 0.6
    assert resolved["scenario"]["days"] == 45
    model = CorridorModel(
        load_scenario(resolved["scenario"]), replicates=resolved["replicates"], rng=resolved["seed"], keep_daily=False
    ).run()
    pd.testing.assert_frame_equal(
        model.summary(), pd.read_csv(out / "summary.csv"), check_dtype=False, check_exact=False, rtol=1e-12
    )


def test_rerunning_resolved_file_reproduces_files(tmp_path, policy_file):
    """corridor-sim run on a run's scenario.resolved.yaml (no --seed: the recorded one) rewrites identical files."""
    first, again = tmp_path / "first", tmp_path / "again"
    assert run_cli("run", policy_file, "--reps", "4", "--seed", "17", "--days", "45", "--out", first)[0] == 0
    code, _, stderr = run_cli("run", first / "scenario.resolved.yaml", "--reps", "4", "--out", again)
    assert code == 0, stderr
    for name in REPRODUCIBLE:
        assert (first / name).read_bytes() == (again / name).read_bytes(), name


def test_resolved_scenario_records_the_command(tmp_path, baseline_path):
    """scenario.resolved.yaml's command is the corridor-sim command that was run."""
    out = tmp_path / "results"
    assert run_cli("run", baseline_path, "--reps", "2", "--days", "30", "--seed", "11", "--out", out)[0] == 0
    command = yaml.safe_load((out / "scenario.resolved.yaml").read_text())["command"]
    assert command.startswith("corridor-sim run") and "--seed 11" in command and str(baseline_path) in command


# ----------------------------------------------------------------------------- reproducibility


def test_same_seed_gives_byte_identical_files(tmp_path, policy_file):
    """Two runs with the same seed write byte-identical summary, destinations, bands, events and timeseries."""
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert run_cli("run", policy_file, "--reps", "6", "--seed", "13", "--out", out)[0] == 0
    for name in REPRODUCIBLE:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_different_seed_gives_different_files(tmp_path, policy_file):
    """Runs with different seeds write different summaries."""
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli("run", policy_file, "--reps", "6", "--seed", "13", "--out", a)[0] == 0
    assert run_cli("run", policy_file, "--reps", "6", "--seed", "14", "--out", b)[0] == 0
    assert (a / "summary.csv").read_bytes() != (b / "summary.csv").read_bytes()


def test_real_process_matches_in_process_run(tmp_path, policy_file):
    """The installed command and main() give byte-identical summary.csv for the same seed."""
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli("run", policy_file, "--reps", "3", "--seed", "2", "--out", a)[0] == 0
    proc = subprocess.run(
        [str(EXE), "run", str(policy_file), "--reps", "3", "--seed", "2", "--out", str(b)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Routes" in proc.stdout
    assert (a / "summary.csv").read_bytes() == (b / "summary.csv").read_bytes()


# ----------------------------------------------------------------------------- --days


def test_shorter_days_drop_later_changes_with_warning(tmp_path, policy_file):
    """--days 20 runs 20 days, warns on stderr about the day-30 change it drops, and keeps the day-10 change."""
    out = tmp_path / "results"
    code, _, stderr = run_cli("run", policy_file, "--reps", "3", "--days", "20", "--out", out)
    assert code == 0
    warnings = [line for line in stderr.splitlines() if "warning" in line.lower()]
    assert len(warnings) == 1
    assert "actors.us.timeline.late" in warnings[0] and "30" in warnings[0]
    events = pd.read_parquet(out / "events.parquet")
    assert not events.cause.str.contains("late").any()
    assert (events[events.cause.str.contains("more")].day == 10).all()
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())["scenario"]
    assert resolved["days"] == 20 and "late" not in resolved["actors"]["us"]["timeline"]
    assert pd.read_parquet(out / "timeseries.parquet")["day"].max() == 19


def test_longer_days_keep_every_change(tmp_path, policy_file):
    """--days beyond the file's horizon runs longer, warns about nothing and keeps every timed change."""
    out = tmp_path / "results"
    code, _, stderr = run_cli("run", policy_file, "--reps", "2", "--days", "90", "--out", out)
    assert code == 0 and "warning" not in stderr.lower()
    assert pd.read_parquet(out / "timeseries.parquet")["day"].max() == 89
    assert pd.read_parquet(out / "events.parquet").cause.str.contains("late").any()


def test_output_piped_to_a_reader_that_stops_early_ends_quietly(baseline_path):
    """``corridor-sim run | head``: no traceback when the reader has closed the pipe, buffered output or not."""
    import os

    for unbuffered in ("1", ""):
        env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
        proc = subprocess.run(
            f"'{EXE}' run '{baseline_path}' --reps 2 --days 20 | true",
            shell=True,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr


def test_command_line_and_scenario_modules_load_without_mesa():
    """Checking a scenario needs neither Mesa nor pandas: they load only for commands that run the model."""
    code = (
        "import sys, corridor_sim, corridor_sim.cli, corridor_sim.scenario; "
        "print(sorted(m for m in ('mesa', 'pandas', 'matplotlib', 'dask', 'SALib') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert proc.stdout.strip() == "[]"


def test_a_small_run_loads_no_plotting_sweep_or_compiler_modules(tmp_path, baseline_path):
    """Start-up: a one-replicate, one-day run with outputs imports neither matplotlib, Dask, SALib nor Numba."""
    code = (
        "import sys; from corridor_sim.cli import main; "
        f"code = main(['run', {str(baseline_path)!r}, '--reps', '1', '--days', '1', "
        f"'--out', {str(tmp_path / 'o')!r}]); "
        "print(code, sorted(m for m in ('matplotlib', 'dask', 'distributed', 'SALib', 'numba', 'solara') "
        "if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "0 []"


# ----------------------------------------------------------------------------- --version and params


def test_version_prints_the_package_version():
    """corridor-sim --version prints 'corridor-sim <version>' and exits 0."""
    code, stdout, _ = run_cli("--version")
    assert code == 0 and stdout.strip() == f"corridor-sim {__version__}"


def test_params_lists_every_lever_of_the_baseline_with_its_range(baseline_path):
    """corridor-sim params: one row per baseline lever with its min–max and start value, and every flat name."""
    from corridor_sim.scenario import flat_names

    code, stdout, stderr = run_cli("params", baseline_path)
    assert code == 0, stderr
    rows = {line.split()[0]: line for line in stdout.splitlines() if line.strip()}
    spec = load_scenario(baseline_path)
    for actor_id, actor in spec.actors.items():
        for lever_id, lever in actor.levers.items():
            row = rows[f"{actor_id}.{lever_id}"].split()
            # A start value drawn per replicate is shown by its distribution ("uniform on [0, 1]").
            start = lever.value.dist if hasattr(lever.value, "dist") else f"{lever.value:g}"
            assert row[1] == f"{lever.min:g}–{lever.max:,g}" and row[2] == start
            flat = rows[f"{actor_id}_{lever_id}"].split()
            assert flat[1] == f"actors.{actor_id}.levers.{lever_id}.value" and f"[{lever.min:g}," in flat[3:]
    assert set(flat_names(spec.to_dict())) <= set(rows)
    assert rows["days"].split()[1:] == ["days", "730", ">=", "1"]


def test_params_defaults_to_the_baseline_and_rejects_a_bad_file(tmp_path):
    assert run_cli("params")[1] == run_cli("params", Path(__file__).parents[1] / "scenarios" / "baseline.yaml")[1]
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nnodes: 3\n")
    code, _, stderr = run_cli("params", bad)
    assert code == 2 and stderr.startswith("error: ") and "Traceback" not in stderr
