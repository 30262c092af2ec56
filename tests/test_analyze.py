"""Sweep analysis: statistics per design point, Sobol and Morris indices (checked on known functions)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from corridor_sim.cli import main
from corridor_sim.sweep import AnalysisError, analyze, load_experiment, run_sweep
from corridor_sim.sweep.analyze import describe, morris_indices, sobol_indices
from corridor_sim.sweep.design import build_design
from corridor_sim.sweep.specs import DesignSpec, Parameter

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def uniform(name: str, low: float, high: float) -> Parameter:
    return Parameter(name=name, key_path=name, values=None, low=low, high=high, steps=None, integer=False)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray, float]:
    """Analytic first-order and total Sobol indices of the Ishigami function, and S13."""
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var, v13 / var


def test_sobol_indices_of_the_ishigami_function_are_recovered():
    params = [uniform(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)]
    design = build_design(params, DesignSpec(kind="sobol", samples=2048, second_order=True), seed=3)
    assert design.n_points == 2048 * (2 * 3 + 2)
    first, second = sobol_indices(design.problem(), {"y": ishigami(design.values)}, second_order=True, seed=1)
    s1, st, s13 = ishigami_indices()
    assert np.allclose(first["S1"], s1, atol=0.04), first
    assert np.allclose(first["ST"], st, atol=0.04), first
    # the truth lies within (a little more than) the reported 95% confidence half-widths
    assert np.all(np.abs(first["ST"] - st) <= 2 * first["ST_conf"] + 0.01)
    assert list(first.columns) == ["outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
    pair = second[(second["parameter_1"] == "x1") & (second["parameter_2"] == "x3")]
    assert abs(float(pair["S2"].iloc[0]) - s13) < 0.08


def test_sobol_indices_first_order_design_without_second_order():
    params = [uniform(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)]
    design = build_design(params, DesignSpec(kind="sobol", samples=1024), seed=5)
    first, second = sobol_indices(design.problem(), {"y": ishigami(design.values)}, seed=2)
    s1, st, _ = ishigami_indices()
    assert second is None
    assert np.allclose(first["S1"], s1, atol=0.06) and np.allclose(first["ST"], st, atol=0.06)


def test_morris_ranks_parameters_by_their_effect():
    params = [uniform("strong", 0, 1), uniform("weak", 0, 1), uniform("none", 0, 1)]
    design = build_design(params, DesignSpec(kind="morris", samples=20, levels=4), seed=4)
    y = 10 * design.values[:, 0] + design.values[:, 1] ** 2
    table = morris_indices(design.problem(), design.samples, {"y": y}, levels=4, seed=1)
    mu_star = table.set_index("parameter")["mu_star"]
    assert mu_star["strong"] == pytest.approx(10.0)
    assert mu_star["strong"] > mu_star["weak"] > mu_star["none"] == pytest.approx(0.0)
    assert {"mu", "mu_star", "mu_star_conf", "sigma"} <= set(table.columns)


def test_describe_matches_numpy_statistics():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"point": np.repeat([0, 1], 50), "y": rng.normal(size=100)})
    stats = describe(frame, ["y"], by="point").set_index("point")
    for point in (0, 1):
        y = frame.loc[frame["point"] == point, "y"].to_numpy()
        row = stats.loc[point]
        assert row["n"] == 50
        assert row["mean"] == pytest.approx(y.mean())
        assert row["std"] == pytest.approx(y.std(ddof=1))
        assert row["q05"] == pytest.approx(np.quantile(y, 0.05))
        assert row["median"] == pytest.approx(np.median(y))
        assert row["q95"] == pytest.approx(np.quantile(y, 0.95))


# ----------------------------------------------------------------------------- analyse real sweeps


def _experiment(tmp_path: Path, design: dict, parameters: dict, **changes) -> Path:
    data = {
        "name": "analysed",
        "scenario": str(SCENARIOS / "baseline.yaml"),
        "seed": 5,
        "replicates": 3,
        "days": 30,
        "cargo": "materiel",
        "design": design,
        "parameters": parameters,
        **changes,
    }
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


SAMPLED = {
    "actors.us.levers.maritime_interdiction": {"low": 0, "high": 1},
    "actors.egypt.levers.mesa_membership": [0, 1],
    "fleets.trucks.count": {"low": 80, "high": 160},
}


@pytest.mark.parametrize(
    "design, table, columns",
    [
        ({"kind": "sobol", "samples": 4}, "sobol", {"S1", "S1_conf", "ST", "ST_conf"}),
        ({"kind": "morris", "samples": 3}, "morris", {"mu_star", "mu_star_conf", "sigma"}),
    ],
    ids=["sobol", "morris"],
)
def test_analyze_writes_indices_of_a_sensitivity_sweep(tmp_path, capsys, design, table, columns):
    path = _experiment(tmp_path, design, SAMPLED, report=["delivered_tons", "delivered_tons:mode:sea"])
    out = tmp_path / "out"
    run_sweep(load_experiment(path), out, workers=1, progress=False)
    assert main(["analyze", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"{table.capitalize()} indices for delivered_tons" in printed
    indices = pd.read_csv(out / "analysis" / f"{table}.csv")
    assert {"outcome", "parameter"} | columns <= set(indices.columns)
    assert set(indices["parameter"]) == set(SAMPLED)
    assert "delivered_tons" in set(indices["outcome"])
    assert (out / "analysis" / "point_stats.csv").exists() and (out / "analysis" / "outcome_stats.csv").exists()


def test_analyze_grid_prints_each_point_and_writes_csv(tmp_path, capsys):
    params = {"actors.us.levers.maritime_interdiction": [0, 1], "actors.egypt.levers.suez_restriction": [0, 1]}
    path = _experiment(tmp_path, {"kind": "grid"}, params)
    out = tmp_path / "out"
    run_sweep(load_experiment(path), out, workers=1, progress=False)
    result = analyze(out)
    assert sorted(result.point_stats["point"].unique()) == [0, 1, 2, 3]
    outcomes = pd.read_parquet(out / "outcomes")
    expected = outcomes[outcomes["point"] == 2]["delivered_tons"]
    row = result.point_stats[(result.point_stats["point"] == 2) & (result.point_stats["outcome"] == "delivered_tons")]
    assert float(row["median"].iloc[0]) == pytest.approx(expected.median())
    assert float(row["actors.us.levers.maritime_interdiction"].iloc[0]) == 1.0
    text = result.format(["delivered_tons"])
    assert "Per design point" in text and "delivered_tons" in text
    assert main(["analyze", str(out), "--outcome", "delivered_tons:mode:sea"]) == 0
    assert "delivered_tons:mode:sea" in capsys.readouterr().out
    stats = pd.read_csv(out / "analysis" / "point_stats.csv")
    assert {"point", "outcome", "n", "mean", "std", "q05", "median", "q95"} <= set(stats.columns)
    assert not (out / "analysis" / "sobol.csv").exists()


def test_analyze_an_incomplete_sweep_says_so_and_skips_indices(tmp_path):
    path = _experiment(tmp_path, {"kind": "sobol", "samples": 2}, SAMPLED)
    out = tmp_path / "out"
    run_sweep(load_experiment(path), out, workers=1, progress=False)
    (out / "outcomes" / "chunk-000000.parquet").unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["chunks"]["complete"] = manifest["chunks"]["complete"][1:]
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = analyze(out)
    assert any("incomplete" in n for n in result.notes)
    assert any("no sensitivity indices" in n for n in result.notes)
    assert "sobol" not in result.indices


def test_analyze_refuses_a_folder_that_is_not_a_sweep(tmp_path, capsys):
    with pytest.raises(AnalysisError, match="no manifest.json"):
        analyze(tmp_path)
    assert main(["analyze", str(tmp_path)]) == 2
    assert "not a sweep results folder" in capsys.readouterr().err


def test_analyze_unknown_outcome_exits_2(tmp_path, capsys):
    path = _experiment(tmp_path, {"kind": "grid"}, {"actors.us.levers.maritime_interdiction": [0, 1]})
    run_sweep(load_experiment(path), tmp_path / "out", workers=1, progress=False)
    assert main(["analyze", str(tmp_path / "out"), "--outcome", "tons"]) == 2
    assert "unknown outcome" in capsys.readouterr().err


def test_a_sweeps_leading_driver_is_flagged_when_it_is_an_assumption_not_a_lever():
    """Issue 18: the top Sobol driver of tons delivered was the cargo value per ton, with nothing to flag it."""
    from corridor_sim.sweep.analyze import leading_driver, parameter_kind

    assert parameter_kind("actors.us.levers.land_surveillance") == "policy lever"
    assert parameter_kind("actors.us.levers.land_surveillance.value") == "policy lever"
    assert parameter_kind("actors.us.levers.land_surveillance.effects.0.coef") == "assumption"
    assert parameter_kind("cargo.materiel.value_usd_per_ton") == "assumption"
    rows = pd.DataFrame(
        {
            "parameter": ["cargo.materiel.value_usd_per_ton", "actors.us.levers.land_surveillance"],
            "ST": [0.45, 0.2],
        }
    )
    rows["kind"] = rows["parameter"].map(parameter_kind)
    line = leading_driver("sobol", rows)
    assert "cargo.materiel.value_usd_per_ton" in line and "ASSUMPTION" in line
    assert "largest policy lever is actors.us.levers.land_surveillance" in line
    assert "ASSUMPTION" not in leading_driver("sobol", rows.assign(ST=[0.1, 0.2]))


def test_the_sensitivity_chart_colours_an_assumptions_name_apart_from_the_levers():
    from corridor_sim.charts.style import WARNING_COLOUR, close
    from corridor_sim.charts.sweep_indices import sensitivity_bars

    table = pd.DataFrame(
        {
            "parameter": ["cargo.materiel.value_usd_per_ton", "actors.us.levers.land_surveillance"],
            "kind": ["assumption", "policy lever"],
            "S1": [0.3, 0.1],
            "S1_conf": [0.05, 0.05],
            "ST": [0.45, 0.2],
            "ST_conf": [0.05, 0.05],
        }
    )
    fig = sensitivity_bars(table)
    colours = {t.get_text(): t.get_color() for t in fig.axes[0].get_yticklabels()}
    assumption = next(c for name, c in colours.items() if "value" in name.lower())
    lever = next(c for name, c in colours.items() if "surveillance" in name.lower())
    assert assumption == WARNING_COLOUR and lever != WARNING_COLOUR
    close(fig)
