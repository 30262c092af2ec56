"""Charts plot exactly the numbers in their tables; ``corridor-sim plot`` writes every format.

Each chart is drawn from small real results (a short escalation run with a
few replicates, made once per module) and its artists are read back: line
ydata, band polygons, bar sizes, box whiskers, image arrays, line widths.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

os.environ["MPLBACKEND"] = "Agg"

import matplotlib.dates as mdates  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from corridor_sim.charts import data as D  # noqa: E402
from corridor_sim.charts import io as chart_io  # noqa: E402
from corridor_sim.cli import main  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
REPS, DAYS, SEED = 12, 360, 3


def run_into(folder: Path, scenario: str, *extra: str, reps: int = REPS, days: int = DAYS) -> Path:
    args = [
        "run",
        str(SCENARIOS / scenario),
        "--reps",
        str(reps),
        "--seed",
        str(SEED),
        "--days",
        str(days),
        "--out",
        str(folder),
        *extra,
    ]
    assert main(args) == 0
    return folder


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short escalation run: scheduled changes, reactive rules firing in some replicates, daily tables kept."""
    return run_into(tmp_path_factory.mktemp("charts") / "escalation", "escalation.yaml")


@pytest.fixture(scope="module")
def nodaily_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same run made with --no-daily (no timeseries.parquet, no actors.parquet)."""
    return run_into(tmp_path_factory.mktemp("charts") / "nodaily", "escalation.yaml", "--no-daily")


@pytest.fixture(scope="module")
def ramp_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """crossing_baghdad_control: several changes on one day and a 60-day ramp."""
    return run_into(tmp_path_factory.mktemp("charts") / "ramp", "crossing_baghdad_control.yaml", reps=6, days=340)


@pytest.fixture(scope="module")
def results(run_dir: Path) -> chart_io.RunResults:
    return chart_io.read_results(run_dir)


@pytest.fixture(scope="module")
def tables(results: chart_io.RunResults) -> dict:
    from corridor_sim.charts.run import run_tables

    return run_tables(results)


def by_gid(fig, gid: str):
    found = fig.findobj(lambda a: a.get_gid() == gid)
    assert found, f"no artist with gid {gid!r}"
    return found[0]


def band_edges(coll, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) y values of a fill_between polygon over n points."""
    v = coll.get_paths()[0].vertices
    return v[1 : n + 1, 1], v[n + 2 : 2 * n + 2, 1][::-1]


def dates(frame: pd.DataFrame) -> np.ndarray:
    return mdates.date2num(pd.to_datetime(frame["date"]))


# ----------------------------------------------------------------------------- the tables


def test_lever_paths_rebuilt_from_events_equal_actors_parquet(results, ramp_dir):
    """Without actors.parquet, lever values rebuilt from events.parquet (ramps included) match the daily table."""
    for res in (results, chart_io.read_results(ramp_dir)):
        kw = {
            "days": res.scenario["days"],
            "start_date": res.scenario["start_date"],
            "replicates": res.replicates,
            "timeline": chart_io.timeline_table(res.scenario),
        }
        from_daily = D.lever_paths(res.events, res.levers, actors=res.actors, **kw)
        rebuilt = D.lever_paths(res.events, res.levers, **kw)
        assert len(from_daily) and len(from_daily) == len(rebuilt)
        np.testing.assert_allclose(rebuilt[D.BAND_COLUMNS], from_daily[D.BAND_COLUMNS], atol=1e-12)


def test_cumulative_delivered_same_from_bands_and_timeseries(results):
    """Cumulative delivered from bands (demand - backlog) equals the per-replicate cumulative sums."""
    route_dest = dict(zip(results.routes["route"], results.routes["destination"], strict=True))
    exact = D.destination_cumulative(results.bands, timeseries=results.timeseries, route_destination=route_dest)
    from_bands = D.destination_cumulative(results.bands)
    np.testing.assert_allclose(
        from_bands[["q05", "median", "q95", "demand"]], exact[["q05", "median", "q95", "demand"]], rtol=1e-9, atol=1e-6
    )


def test_route_series_daily_from_timeseries_equals_bands(results):
    """With a one-day window, the quantiles taken from timeseries.parquet are the model's own bands."""
    from_ts = D.route_series(results.bands, window=1, timeseries=results.timeseries)
    from_bands = D.route_series(results.bands, window=1)
    assert list(from_ts["route"]) == list(from_bands["route"])
    np.testing.assert_allclose(from_ts[D.BAND_COLUMNS], from_bands[D.BAND_COLUMNS], rtol=1e-9, atol=1e-9)


def test_policy_timeline_shares(results):
    """Scheduled changes happen in every replicate; a rule's share is the replicates with its event."""
    timeline = D.policy_timeline(results.events, results.replicates)
    timed = timeline[timeline["kind"] == "timed"]
    assert set(timed["label"]) == {
        "al-Qaim official crossing opens",
        "Strikes on militia sites in Iraq and at Abu Kamal",
    }
    assert (timed["share"] == 1.0).all()
    for row in timeline[timeline["kind"] == "rule"].itertuples():
        runs = results.events.loc[results.events["cause"] == row.cause, "replicate"].nunique()
        assert row.share == pytest.approx(runs / REPS)


# ----------------------------------------------------------------------------- run charts read back


def test_delivered_over_time_plots_the_bands(tables, results):
    from corridor_sim.charts.run import delivered_over_time

    series, timeline = tables["series"], tables["timeline"]
    fig = delivered_over_time(series, timeline, footer=results.footer)
    for route, g in series.groupby("route", sort=False):
        line = by_gid(fig, f"median:{route}")
        np.testing.assert_allclose(line.get_ydata(), g["median"])
        np.testing.assert_allclose(mdates.date2num(line.get_xdata()), dates(g))
        low, high = band_edges(by_gid(fig, f"band:{route}"), len(g))
        np.testing.assert_allclose(low, g["q05"])
        np.testing.assert_allclose(high, g["q95"])
    from corridor_sim.charts.markers import marker_rows

    rows = marker_rows(timeline)
    assert rows, "the escalation run has policy changes to mark"
    for m in rows:
        marker = by_gid(fig, f"marker:{m['number']}")
        assert mdates.date2num(marker.get_xdata()[0]) == pytest.approx(mdates.date2num(m["date"]))
    texts = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    assert "al-Qaim official crossing opens" in texts
    assert results.footer in texts


def test_route_series_without_daily_tables(nodaily_dir):
    """A --no-daily run draws from bands.parquet: the line is the smoothed daily median."""
    from corridor_sim.charts.run import delivered_over_time

    res = chart_io.read_results(nodaily_dir)
    assert res.timeseries is None and res.actors is None
    series = D.route_series(res.bands, window=30)
    fig = delivered_over_time(series)
    rows = res.bands[(res.bands["kind"] == "route") & (res.bands["quantity"] == "delivered_tons")]
    route = series["route"].iloc[0]
    daily = rows[rows["id"] == route].sort_values("day")["median"].to_numpy()
    expected = pd.Series(daily).rolling(30, min_periods=1).mean().to_numpy()
    np.testing.assert_allclose(by_gid(fig, f"median:{route}").get_ydata(), expected)


def test_cumulative_vs_demand_plots_the_table(tables):
    from corridor_sim.charts.run import cumulative_vs_demand

    cum = tables["cumulative"]
    fig = cumulative_vs_demand(cum, tables["timeline"])
    for dest, g in cum.groupby("destination", sort=False):
        np.testing.assert_allclose(by_gid(fig, f"median:{dest}").get_ydata(), g["median"])
        np.testing.assert_allclose(by_gid(fig, f"demand:{dest}").get_ydata(), g["demand"])
        low, high = band_edges(by_gid(fig, f"band:{dest}"), len(g))
        np.testing.assert_allclose(low, g["q05"])
        np.testing.assert_allclose(high, g["q95"])


def test_route_share_stacks_the_shares(tables):
    from corridor_sim.charts.run import route_share_chart

    share = tables["share"]
    fig = route_share_chart(share, tables["timeline"])
    wide = share.pivot(index="date", columns="route", values="share").fillna(0.0)
    wide = wide[wide.sum(axis=1) > 0]
    modes = share.drop_duplicates("route").set_index("route")["mode"]
    order = [r for m in ("air", "sea", "land") for r in dict.fromkeys(share["route"]) if modes[r] == m]
    top = np.zeros(len(wide))
    for route in order:
        low, high = band_edges(by_gid(fig, f"share:{route}"), len(wide))
        np.testing.assert_allclose(low, top, atol=1e-12)
        top = top + wide[route].to_numpy()
        np.testing.assert_allclose(high, top, atol=1e-12)
    np.testing.assert_allclose(top, 1.0)


def test_interdiction_bars_are_the_medians(tables):
    from corridor_sim.charts.run import interdiction_chart

    fig = interdiction_chart(tables["interdicted"], tables["rate"])
    for row in tables["interdicted"].itertuples():
        assert by_gid(fig, f"interdicted:{row.route}").get_width() == pytest.approx(row.median)
    for row in tables["rate"].itertuples():
        expected = 0.0 if np.isnan(row.median) else row.median
        assert by_gid(fig, f"rate:{row.route}").get_width() == pytest.approx(expected)


def test_cost_boxes_show_the_quantiles(tables, results):
    from corridor_sim.charts.run import cost_per_ton_chart

    dist = tables["cost"]
    fig = cost_per_ton_chart(dist)
    ax = fig.axes[0]
    medians = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 2 and ln.get_color() == "#111111"]
    shown = dist[dist["n"] > 0]
    got = sorted(float(ln.get_xdata()[0]) for ln in medians)
    np.testing.assert_allclose(got, sorted(shown["median"]))
    ends = sorted(float(x) for ln in ax.get_lines() for x in ln.get_xdata())
    for value in list(shown["q05"]) + list(shown["q95"]):
        assert np.isclose(ends, value).any()
    # the table itself is the quantiles of summary.csv
    route = shown["route"].iloc[0]
    values = results.summary.loc[results.summary["route"] == route, "cost_per_delivered_ton"].dropna()
    assert shown["median"].iloc[0] == pytest.approx(values.median())


def test_lever_lanes_show_lever_values(tables, results):
    from corridor_sim.charts.run import lever_lanes

    paths = tables["paths"]
    fig = lever_lanes(paths, tables["timeline"], levers=results.levers)
    changed = set(zip(results.events["actor"], results.events["lever"], strict=True))
    assert set(zip(paths["actor"], paths["lever"], strict=True)) == changed
    for (actor, lever), g in paths.groupby(["actor", "lever"], sort=False):
        np.testing.assert_allclose(by_gid(fig, f"median:{actor}.{lever}").get_ydata(), g["median"])
    texts = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    for row in tables["timeline"][tables["timeline"]["kind"] == "rule"].itertuples():
        assert f"{row.share:.0%} of replicates" in texts


def test_corridor_map_widths_follow_tons(tables, results):
    from corridor_sim.charts.corridor_map import corridor_map, width_for

    flows, queues = tables["flows"], tables["queues"]
    fig = corridor_map(results.nodes, results.segments, flows, queues)
    biggest = flows["tons"].max()
    for row in flows.itertuples():
        artist = by_gid(fig, f"segment:{row.segment}")
        assert artist.get_linewidth() == pytest.approx(width_for(row.tons, biggest))
    assert not queues.empty
    for seg in queues["segment"]:
        by_gid(fig, f"queue:{seg}")
    nodes = results.nodes.set_index("node")
    marker = by_gid(fig, "node:al_qaim")
    assert marker.get_xdata()[0] == pytest.approx(nodes.loc["al_qaim", "lon"])
    assert marker.get_ydata()[0] == pytest.approx(nodes.loc["al_qaim", "lat"])


def test_one_colour_per_route_everywhere(tables, results):
    """A route has the same colour in the time series, the route shares and the cost boxes."""
    from matplotlib.colors import to_hex

    from corridor_sim.charts.run import cost_per_ton_chart, delivered_over_time, route_share_chart
    from corridor_sim.charts.style import route_colours

    colours = route_colours(zip(results.routes["route"], results.routes["mode"], strict=True))
    f1 = delivered_over_time(tables["series"])
    f2 = route_share_chart(tables["share"])
    labels = dict(zip(results.routes["route"], results.routes["label"], strict=True))
    f3 = cost_per_ton_chart(tables["cost"], route_labels=labels)
    for route, colour in colours.items():
        assert to_hex(by_gid(f1, f"median:{route}").get_color()) == colour
        assert to_hex(by_gid(f2, f"share:{route}").get_facecolor()[0]) == colour
    ticks = {t.get_text().replace("\n", " "): to_hex(t.get_color()) for t in f3.axes[0].get_yticklabels()}
    assert all(ticks[labels[r]] == c for r, c in colours.items())


def test_chart_draws_into_given_axes(tables):
    """Charts take an optional Axes and draw there (for notebooks combining figures)."""
    from corridor_sim.charts.run import cost_per_ton_chart, delivered_over_time
    from corridor_sim.charts.style import new_figure

    fig = new_figure((10, 4))
    left, right = fig.subplots(1, 2)
    assert delivered_over_time(tables["series"], ax=left) is fig
    assert cost_per_ton_chart(tables["cost"], ax=right) is fig
    assert len(left.get_lines()) >= tables["series"]["route"].nunique()


# ----------------------------------------------------------------------------- sweep charts


@pytest.fixture(scope="module")
def grid_outcomes() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for point, (a, b) in enumerate((a, b) for a in (0.0, 0.5, 1.0) for b in (0.1, 0.4, 0.7)):
        for rep in range(8):
            rows.append(
                {
                    "point": point,
                    "replicate": rep,
                    "actors.iraq.levers.baghdad_control": a,
                    "actors.us.levers.land_surveillance": b,
                    "delivered_tons:mode:land": 40000 * (1 - 0.5 * a) * (1 - b) + rng.normal(0, 2000),
                }
            )
    return pd.DataFrame(rows)


def test_heatmap_cells_are_the_medians(grid_outcomes):
    from corridor_sim.charts.sweep import outcome_heatmap

    x, y, out = "actors.iraq.levers.baghdad_control", "actors.us.levers.land_surveillance", "delivered_tons:mode:land"
    fig = outcome_heatmap(grid_outcomes, x, y, out)
    expected = grid_outcomes.groupby([y, x])[out].median().unstack(x).sort_index().sort_index(axis=1)
    image = fig.axes[0].images[0].get_array()
    np.testing.assert_allclose(np.asarray(image), expected.to_numpy())


def test_line_with_band_against_a_parameter(grid_outcomes):
    from corridor_sim.charts.sweep import outcome_vs_parameter

    x, hue, out = "actors.us.levers.land_surveillance", "actors.iraq.levers.baghdad_control", "delivered_tons:mode:land"
    fig = outcome_vs_parameter(grid_outcomes, x, out, hue=hue)
    for value, g in grid_outcomes.groupby(hue):
        stats = g.groupby(x)[out]
        line = by_gid(fig, f"median:{value}")
        np.testing.assert_allclose(line.get_xdata(), sorted(g[x].unique()))
        np.testing.assert_allclose(line.get_ydata(), stats.median().to_numpy())
        low, high = band_edges(by_gid(fig, f"band:{value}"), g[x].nunique())
        np.testing.assert_allclose(low, stats.quantile(0.05).to_numpy())
        np.testing.assert_allclose(high, stats.quantile(0.95).to_numpy())


def test_continuous_parameter_is_binned():
    from corridor_sim.charts.sweep import parameter_bands

    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"p": rng.uniform(0, 1, 500)})
    frame["y"] = 3 * frame["p"] + rng.normal(0, 0.1, 500)
    bands = parameter_bands(frame, "p", "y", bins=5)
    assert len(bands) == 5 and bands["n"].sum() == 500
    assert np.all(np.diff(bands["median"]) > 0)


def test_sobol_bars_sorted_with_confidence():
    from corridor_sim.charts.sweep import sensitivity_bars

    idx = pd.DataFrame(
        {
            "parameter": ["a.x", "b.y", "c.z"],
            "S1": [0.1, 0.5, 0.02],
            "S1_conf": [0.02, 0.05, 0.01],
            "ST": [0.2, 0.6, 0.05],
            "ST_conf": [0.03, 0.06, 0.02],
        }
    )
    fig = sensitivity_bars(idx, outcome="delivered")
    ax = fig.axes[0]
    order = idx.sort_values("ST")
    st = [p for p in ax.patches if p.get_gid() == "bars:ST"]
    s1 = [p for p in ax.patches if p.get_gid() == "bars:S1"]
    np.testing.assert_allclose([p.get_width() for p in st], order["ST"])
    np.testing.assert_allclose([p.get_width() for p in s1], order["S1"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c z", "a x", "b y"]
    caps = [ln for ln in ax.get_lines() if ln.get_marker() == "|"]
    xs = sorted(float(x) for ln in caps for x in ln.get_xdata())
    for v, c in zip(order["ST"], order["ST_conf"], strict=True):
        assert np.isclose(xs, v + c).any() and np.isclose(xs, v - c).any()


def test_morris_bars():
    from corridor_sim.charts.sweep import sensitivity_bars

    idx = pd.DataFrame({"parameter": ["a", "b"], "mu_star": [5.0, 2.0], "mu_star_conf": [1.0, 0.5]})
    fig = sensitivity_bars(idx)
    widths = [p.get_width() for p in fig.axes[0].patches if p.get_gid() == "bars:mu_star"]
    assert widths == [2.0, 5.0]


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory, grid_outcomes: pd.DataFrame) -> Path:
    """A sweep results folder laid out as corridor_sim.sweep writes it: manifest.json, outcomes/, analysis/."""
    folder = tmp_path_factory.mktemp("sweep") / "grid"
    (folder / "outcomes").mkdir(parents=True)
    (folder / "analysis").mkdir()
    grid_outcomes.assign(seed=1).to_parquet(folder / "outcomes" / "chunk-000000.parquet", index=False)
    params = ["actors.iraq.levers.baghdad_control", "actors.us.levers.land_surveillance"]
    manifest = {
        "corridor_sim_version": "test",
        "name": "grid",
        "seed": 5,
        "replicates": 8,
        "parameters": params,
        "outcomes": ["delivered_tons:mode:land"],
        "design": {"kind": "grid", "n_points": 9},
        "experiment": {"parameters": {params[0]: {"label": "Baghdad-loyal control"}}},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    pd.DataFrame(
        {
            "outcome": "delivered_tons:mode:land",
            "parameter": params,
            "S1": [0.3, 0.5],
            "S1_conf": [0.05, 0.05],
            "ST": [0.4, 0.6],
            "ST_conf": [0.05, 0.06],
        }
    ).to_csv(folder / "analysis" / "sobol.csv", index=False)
    return folder


def test_plot_detects_a_sweep_folder(sweep_dir, tmp_path):
    assert main(["plot", str(sweep_dir), "--out", str(tmp_path / "figs")]) == 0
    names = sorted(p.stem for p in (tmp_path / "figs").glob("*.png"))
    assert names == [
        "heatmap_delivered_tons_mode_land",
        "indices_sobol_delivered_tons_mode_land",
        "lines_delivered_tons_mode_land",
    ]


def test_sweep_labels_from_the_experiment(sweep_dir):
    from corridor_sim.charts.sweep import outcome_label, sweep_figures

    assert outcome_label("delivered_tons:mode:land") == "tons delivered by land"
    assert outcome_label("share_met:syria") == "share of demand met (Syria)"
    figs = sweep_figures(chart_io.read_sweep(sweep_dir))
    ax = figs["heatmap_delivered_tons_mode_land"].axes[0]
    assert ax.get_ylabel() == "Baghdad-loyal control" and ax.get_xlabel() == "us land surveillance"


def test_plot_a_real_sweep(tmp_path):
    """A smoke run of a shipped experiment, analysed, then plotted and reported (the sweep engine's own files)."""
    pytest.importorskip("corridor_sim.sweep")
    experiment = ROOT / "experiments" / "alqaim_control_surveillance.yaml"
    if not experiment.is_file():
        pytest.skip(f"{experiment} is not there")
    folder = tmp_path / "sweep"
    assert main(["sweep", str(experiment), "--smoke", "--workers", "1", "--out", str(folder)]) == 0
    assert main(["analyze", str(folder)]) == 0
    assert main(["plot", str(folder)]) == 0
    names = {p.stem for p in (folder / "figures").glob("*.png")}
    assert "heatmap_delivered_tons_mode_land" in names and "lines_delivered_tons_mode_land" in names
    assert main(["report", str(folder)]) == 0
    assert (folder / "report.html").read_text(encoding="utf-8").count("data:image/png;base64,") == len(names)


# ----------------------------------------------------------------------------- files and the command


MAGIC = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_plot_writes_each_format(run_dir, tmp_path, fmt):
    out = tmp_path / fmt
    assert main(["plot", str(run_dir), "--out", str(out), "--format", fmt]) == 0
    from corridor_sim.charts.run import FIGURES

    files = sorted(out.iterdir())
    assert sorted(p.stem for p in files) == sorted(FIGURES)
    for path in files:
        assert path.suffix == f".{fmt}"
        assert path.read_bytes()[:5].startswith(MAGIC[fmt])
    if fmt == "svg":
        assert "al-Qaim official crossing opens" in (out / "delivered.svg").read_text()


def test_plot_default_folder_and_no_daily(nodaily_dir):
    assert main(["plot", str(nodaily_dir)]) == 0
    assert (nodaily_dir / "figures" / "levers.png").stat().st_size > 10_000


def test_plot_missing_or_invalid_folder(tmp_path, capsys):
    assert main(["plot", str(tmp_path / "nothing")]) == 2
    assert "no such folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["plot", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert "not a corridor-sim results folder" in err and "Traceback" not in err
    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / "manifest.json").write_text("{}")
    assert main(["plot", str(tmp_path / "sweep")]) == 2
    assert "no outcomes" in capsys.readouterr().err


def test_importing_corridor_sim_does_not_import_matplotlib():
    code = "import sys, corridor_sim, corridor_sim.charts; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
