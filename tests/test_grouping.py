"""Design points sharing one model: each point's outcomes are exactly those it gets alone.

A sweep's users rely on a point's results depending only on the experiment seed, the point and the
replicate (or, with common random numbers, the seed and the replicate), never on how points were
grouped into models or which worker ran them; and on a sweep over a structural key still running,
one model per point.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import tiny_experiment
from corridor_sim.streams import BLOCK, Streams
from corridor_sim.sweep import load_experiment, run_sweep
from corridor_sim.sweep.design import build_design, point_seed
from corridor_sim.sweep.grouping import GroupingRefused, GroupRun, can_group, simulate_group
from corridor_sim.sweep.outcomes import simulate


def _experiment(tmp_path: Path, **changes) -> Path:
    data = tiny_experiment(**changes)
    path = tmp_path / "experiment.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _outcomes(folder: Path) -> pd.DataFrame:
    frame = pd.read_parquet(folder / "outcomes")
    return frame.sort_values(["point", "replicate"]).reset_index(drop=True)


@pytest.mark.parametrize("crn", [False, True])
def test_a_group_gives_each_point_its_own_outcomes_and_daily_table(tmp_path, crn):
    """Points with their own seeds (or common ones), uncertain parameters, rules and the overtaking tracker."""
    experiment = load_experiment(
        _experiment(
            tmp_path,
            replicates=8,
            days=90,
            common_random_numbers=crn,
            daily=True,
            outcomes=["delivered_by_route", "interdiction_rate", "share_met", "land_overtakes_air_day"],
        )
    )
    design = build_design(experiment.parameters, experiment.design, experiment.seed)
    keys = [p.key_path for p in design.parameters]
    runs = [
        GroupRun(tuple(map(float, design.values[p])), experiment.seed if crn else point_seed(experiment.seed, p), 0, 8)
        for p in range(design.n_points)
    ]
    assert can_group(keys, runs)
    grouped = simulate_group(experiment.base, keys, runs, days=90, layout=experiment.layout, daily=True)
    for run, (outcomes, daily) in zip(runs, grouped, strict=True):
        alone, alone_daily = simulate(
            experiment.base,
            dict(zip(keys, run.values, strict=True)),
            seed=run.seed,
            replicates=8,
            days=90,
            layout=experiment.layout,
            daily=True,
        )
        for name, values in alone.items():
            np.testing.assert_array_equal(outcomes[name], values, err_msg=name)
        pd.testing.assert_frame_equal(daily, alone_daily)
    delivered = [o["delivered_tons:route:land_backroads_syria"].mean() for o, _ in grouped]
    assert len(set(delivered)) > 1, "the points' parameters made no difference: the test would not see a mix-up"


def test_the_outcomes_do_not_depend_on_how_points_are_grouped(tmp_path):
    """One sweep, its points one to a chunk (each alone), three to a chunk and all four in one: the same table."""
    tables = []
    for per_chunk in (1, 3, 4):
        folder = tmp_path / f"plan{per_chunk}"
        folder.mkdir()
        changes = {"replicates": 4, "days": 60, "points_per_chunk": per_chunk}
        run_sweep(load_experiment(_experiment(folder, **changes)), folder / "out", workers=1, progress=False)
        tables.append(_outcomes(folder / "out"))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    pd.testing.assert_frame_equal(tables[0], tables[2])


def test_a_structural_key_runs_each_point_alone(tmp_path):
    """A key the model does not draw per replicate (a fleet's loading days) cannot be shared: refused, then alone."""
    experiment = load_experiment(
        _experiment(
            tmp_path,
            replicates=4,
            days=40,
            parameters={"fleets.trucks.loading_days": [1, 3], "actors.us.levers.land_surveillance": [0.2, 0.8]},
        )
    )
    design = build_design(experiment.parameters, experiment.design, experiment.seed)
    keys = [p.key_path for p in design.parameters]
    runs = [GroupRun(tuple(map(float, design.values[p])), 7, 0, 4) for p in range(design.n_points)]
    with pytest.raises(GroupingRefused, match="fleets.trucks.loading_days"):
        simulate_group(experiment.base, keys, runs, days=40, layout=experiment.layout)
    report = run_sweep(experiment, tmp_path / "out", workers=1, progress=False)
    assert report.ok
    table = _outcomes(tmp_path / "out")
    by_loading = table.groupby("fleets.trucks.loading_days")["delivered_tons"].mean()
    assert by_loading.loc[1.0] != by_loading.loc[3.0]


def test_runs_that_cannot_pack_into_blocks_are_not_grouped():
    layout_keys = ["actors.us.levers.land_surveillance"]
    assert not can_group(layout_keys, [GroupRun((0.5,), 1, 0, 10), GroupRun((0.6,), 1, 0, 10)])
    assert not can_group(layout_keys, [GroupRun((0.5,), 1, 0, 8)])  # one run: nothing to share
    assert can_group(layout_keys, [GroupRun((0.5,), 1, 0, 8), GroupRun((0.6,), 1, 0, 8)])
    with pytest.raises(ValueError, match="cannot group"):
        Streams.grouped([(1, 0, 10), (2, 0, 10)])
    with pytest.raises(ValueError, match="straddle"):
        Streams.grouped([(1, 0, 8), (2, 0, BLOCK)])


def test_grouped_streams_draw_each_run_as_if_alone():
    """Values, per-replicate draws and the daily uniforms of a group are its runs' own, concatenated."""
    from corridor_sim.distributions import Normal

    runs = [(13, BLOCK, BLOCK), (11, 0, 8), (12, 0, 8), (11, 0, 8)]
    group = Streams.grouped(runs)
    alone = [Streams(*run) for run in runs]
    spec = Normal(dist="normal", mean=1.0, sd=0.5)
    np.testing.assert_array_equal(group.value("x.y", spec), np.concatenate([s.value("x.y", spec) for s in alone]))
    uniforms = group.interdiction(5, 2)
    own = [s.interdiction(5, 2) for s in alone]
    for _ in range(3):
        drawn = uniforms.fill()
        each = [d.fill() for d in own]
        for k, width in enumerate((5, 2)):  # the legs' uniforms, then the storages' strike uniforms
            day = drawn[k].reshape(-1, width)[: group.count]
            runs_alone = [e[k].reshape(-1, width)[: s.count] for e, s in zip(each, alone, strict=True)]
            np.testing.assert_array_equal(day, np.concatenate(runs_alone))


def test_the_default_plan_puts_small_points_together_and_keeps_workers_busy():
    """Points of fewer replicates than a block come many to a chunk (at most 2,048 replicates), in 16 chunks or more."""
    from corridor_sim.sweep.chunks import plan_chunks

    for points, replicates in ((7424, 8), (120, 128), (40, 32)):
        chunks = plan_chunks(points, replicates)
        assert len(chunks) >= 16
        assert max(c.runs for c in chunks) <= 2048
        assert max(len(c.units) for c in chunks) > 1  # they share models
    assert all(len(c.units) == 1 for c in plan_chunks(12, 8))  # too few points to share and still spread
