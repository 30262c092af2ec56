"""``corridor-sim compare``: runs or reads several scenarios and draws their key outcomes side by side."""

from __future__ import annotations

import os
from pathlib import Path

os.environ["MPLBACKEND"] = "Agg"

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from corridor_sim.charts import io as chart_io  # noqa: E402
from corridor_sim.charts.compare import compare_figure, compare_stats, comparison_outcomes, key_outcomes  # noqa: E402
from corridor_sim.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
REPS, SEED = 4, 5


@pytest.fixture(scope="module")
def short_scenarios(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two shipped scenarios shortened to 300 days (the crossing opens on day 272)."""
    folder = tmp_path_factory.mktemp("scenarios")
    out = []
    for name in ("baseline", "crossing_open_militia"):
        path = folder / f"{name}.yaml"
        path.write_text(f"extends: {SCENARIOS / name}.yaml\nname: {name}\ndays: 300\n", encoding="utf-8")
        out.append(path)
    return out


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory, short_scenarios: list[Path]) -> Path:
    out = tmp_path_factory.mktemp("compare") / "cmp"
    args = ["compare", *map(str, short_scenarios), "--reps", str(REPS), "--seed", str(SEED), "--out", str(out)]
    assert main(args) == 0
    return out


def test_compare_runs_each_scenario_and_draws(compared: Path, capsys):
    for name in ("baseline", "crossing_open_militia"):
        res = chart_io.read_results(compared / name)
        assert res.replicates == REPS and res.seed == SEED and res.name == name
    assert (compared / "figures" / "compare.png").read_bytes()[:4] == b"\x89PNG"
    table = pd.read_csv(compared / "comparison.csv")
    assert set(table["scenario"]) == {"baseline", "crossing_open_militia"}
    assert {"q05", "median", "q95"} <= set(table.columns)


def test_compare_reuses_finished_runs(compared: Path, short_scenarios: list[Path], capsys):
    """Running the same comparison again reads the runs back instead of running them."""
    before = {p: p.stat().st_mtime_ns for p in compared.glob("*/summary.csv")}
    args = ["compare", *map(str, short_scenarios), "--reps", str(REPS), "--seed", str(SEED), "--out", str(compared)]
    assert main(args) == 0
    assert {p: p.stat().st_mtime_ns for p in compared.glob("*/summary.csv")} == before
    assert "day/s" not in capsys.readouterr().err  # no progress bar: nothing ran


def test_compare_reads_results_folders(compared: Path, tmp_path: Path):
    out = tmp_path / "again"
    assert (
        main(
            [
                "compare",
                str(compared / "baseline"),
                str(compared / "crossing_open_militia"),
                "--out",
                str(out),
                "--format",
                "svg",
            ]
        )
        == 0
    )
    assert (out / "figures" / "compare.svg").read_text().lstrip().startswith("<?xml")
    assert not (out / "baseline").exists()  # nothing was run


def test_compare_shows_progress(short_scenarios: list[Path], tmp_path: Path, capsys):
    assert main(["compare", str(short_scenarios[0]), "--reps", "2", "--out", str(tmp_path / "p")]) == 0
    err = capsys.readouterr().err
    assert "baseline" in err and "300/300" in err


def test_key_outcomes_add_up(compared: Path):
    res = chart_io.read_results(compared / "crossing_open_militia")
    out = key_outcomes(res.summary, res.destinations, scenario=res.name)  # the first cargo class: materiel
    delivered = out[out["outcome"] == "delivered_tons"].groupby("replicate")["value"].sum()
    materiel = res.summary[res.summary["cargo"] == "materiel"]
    np.testing.assert_allclose(delivered, materiel.groupby("replicate")["delivered_tons"].sum())
    land = out[(out["outcome"] == "interdiction_rate") & (out["group"] == "land")].set_index("replicate")["value"]
    # The land rate is the land routes' rates weighted by the tons sent on each (routes without a rate left out).
    s = materiel[(materiel["mode"] == "land") & materiel["interdiction_rate"].notna()]
    s = s.assign(weighted=s["interdiction_rate"] * s["dispatched_tons"]).groupby("replicate")
    np.testing.assert_allclose(land, s["weighted"].sum() / s["dispatched_tons"].sum())


def test_compare_bars_are_the_medians(compared: Path):
    runs = [chart_io.read_results(compared / n) for n in ("baseline", "crossing_open_militia")]
    outcomes = comparison_outcomes(runs)
    stats = compare_stats(outcomes)
    assert set(stats["cargo"]) == {"materiel", "oil"}  # every cargo class, each on its own rows
    stats = stats[stats["cargo"] == "materiel"]
    fig = compare_figure(outcomes)  # the first cargo class: materiel
    scenarios = ["baseline", "crossing_open_militia"]
    for ax, name in zip(
        fig.axes, ("delivered_tons", "interdiction_rate", "cost_per_delivered_ton", "share_met"), strict=True
    ):
        part = stats[stats["outcome"] == name]
        for group, g in part.groupby("group"):
            bars = [p for p in ax.patches if p.get_gid() == f"bars:{group}"]
            expected = g.set_index("scenario").reindex(scenarios)["median"].fillna(0.0)
            np.testing.assert_allclose([b.get_height() for b in bars], expected)
    # opening the crossing moves more by land (a sanity check on what the chart shows)
    land = stats[(stats["outcome"] == "delivered_tons") & (stats["group"] == "land")].set_index("scenario")
    assert land.loc["crossing_open_militia", "median"] > land.loc["baseline", "median"]


def test_compare_bad_input(tmp_path: Path, capsys):
    assert main(["compare", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o")]) == 2
    assert "no such scenario file or results folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["compare", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2
    assert "not a results folder" in capsys.readouterr().err
    assert main(["compare", str(SCENARIOS / "baseline.yaml"), "--reps", "0"]) == 2


def test_compare_refuses_a_run_too_large_for_memory_before_running_any(tmp_path, capsys):
    small = tmp_path / "small.yaml"
    small.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\ndays: 10\n")
    huge = tmp_path / "huge.yaml"
    huge.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\ndays: 100000000\n")
    assert main(["compare", str(small), str(huge), "--reps", "2", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{huge}: 100000000 days need about" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "small").exists()  # nothing ran
