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
        named = from_daily.set_index(["actor", "lever"]).index.isin(rebuilt.set_index(["actor", "lever"]).index)
        from_events = from_daily[named].reset_index(drop=True)
        assert len(from_events) and len(from_events) == len(rebuilt)
        np.testing.assert_allclose(rebuilt[D.BAND_COLUMNS], from_events[D.BAND_COLUMNS], atol=1e-12)
        # The militias' responding levers move with no event: only the daily table shows them (ODD 7.16).
        moved = set(zip(from_daily[~named]["actor"], from_daily[~named]["lever"], strict=True))
        assert ("militias", "toll_usd_per_ton") in moved


def test_cumulative_delivered_same_from_bands_and_timeseries(tmp_path):
    """Cumulative delivered from bands (demand - backlog) equals the per-replicate cumulative sums.

    Exact where demand is the same in every replicate: here materiel's, set to fixed amounts (the
    shipped scenarios draw every demand per replicate, ODD 7.2, where the bands give an approximation).
    """
    fixed = ("--set", "demand_syria_materiel=80", "--set", "demand_lebanon_materiel=60")
    results = chart_io.read_results(run_into(tmp_path / "fixed_demand", "escalation.yaml", *fixed))
    route_dest = dict(zip(results.routes["route"], results.routes["destination"], strict=True))
    exact = D.destination_cumulative(results.bands, timeseries=results.timeseries, route_destination=route_dest)
    from_bands = D.destination_cumulative(results.bands)
    exact, from_bands = (t[t["cargo"].astype(str) == "materiel"].reset_index(drop=True) for t in (exact, from_bands))
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
    # Events name the scripted changes; the militias' levers that respond move without one (ODD 7.16).
    responding = {("militias", "toll_usd_per_ton"), ("militias", "escorts"), ("militias", "bypass_building")}
    assert set(zip(paths["actor"], paths["lever"], strict=True)) == changed | responding
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

    shown = set(tables["series"]["route"].astype(str))  # one cargo class's routes (the figures' default)
    routes = results.routes[results.routes["route"].isin(shown)]
    colours = route_colours(zip(routes["route"], routes["mode"], strict=True))
    f1 = delivered_over_time(tables["series"])
    f2 = route_share_chart(tables["share"])
    labels = dict(zip(results.routes["route"], results.routes["label"], strict=True))
    f3 = cost_per_ton_chart(tables["cost"], route_labels=labels)
    for route, colour in colours.items():
        assert to_hex(by_gid(f1, f"median:{route}").get_color()) == colour
        assert to_hex(by_gid(f2, f"share:{route}").get_facecolor()[0]) == colour
    ticks = {t.get_text().replace("\n", " "): to_hex(t.get_color()) for t in f3.axes[0].get_yticklabels()}
    assert all(ticks[labels[r]] == c for r, c in colours.items())


def test_any_actor_gets_a_colour_and_a_name():
    """The shipped actors keep their colours; any other takes a fallback colour fixed by its id, and a name
    made of its id; an actor never raises KeyError."""
    from corridor_sim.charts.style import ACTOR_COLOURS, FALLBACK_ACTOR_COLOURS, actor_colour, actor_name

    assert actor_colour("us") == ACTOR_COLOURS["us"] and actor_name("gulf") == "Gulf states"
    others = ["jordan", "russia", "saudi_arabia", "turkey", "a1"]
    colours = [actor_colour(a) for a in others]
    assert colours == [actor_colour(a) for a in others]  # the same every time
    assert set(colours) <= set(FALLBACK_ACTOR_COLOURS)
    assert not set(FALLBACK_ACTOR_COLOURS) & set(ACTOR_COLOURS.values())
    assert (actor_name("saudi_arabia"), actor_name("jordan")) == ("Saudi Arabia", "Jordan")


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
        "fingerprint": "test",
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


# ----------------------------------------------------------------------------- sweep charts follow the design

SURVEILLANCE, BAGHDAD = "actors.us.levers.land_surveillance", "actors.iraq.levers.baghdad_control"


def write_sweep(
    folder: Path,
    outcomes: pd.DataFrame,
    design: dict,
    *,
    report: list[str] | None = None,
    smoke: bool = False,
    analysis: dict[str, pd.DataFrame] | None = None,
) -> Path:
    """A sweep results folder as corridor_sim.sweep writes it: manifest.json, design.parquet, outcomes/, analysis/."""
    params = [p["name"] for p in design["parameters"]]
    (folder / "outcomes").mkdir(parents=True)
    outcomes.assign(seed=1).to_parquet(folder / "outcomes" / "chunk-000000.parquet", index=False)
    points = outcomes.drop_duplicates("point").sort_values("point")
    points[["point"] + params].to_parquet(folder / "design.parquet", index=False)
    manifest = {
        "fingerprint": "test",
        "name": "synthetic",
        "seed": 1,
        "replicates": int(outcomes.groupby("point").size().max()),
        "days": 730,
        "smoke": smoke,
        "parameters": params,
        "outcomes": [c for c in outcomes.columns if c not in params and c not in ("point", "replicate")],
        "design": {"n_points": len(points), **design},
        "experiment": {"report": report or []},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for name, table in (analysis or {}).items():
        (folder / "analysis").mkdir(exist_ok=True)
        table.to_csv(folder / "analysis" / f"{name}.csv", index=False)
    return folder


def grid_runs(xs, ys, reps: int, outcome, seed: int = 0) -> pd.DataFrame:
    """Runs of a grid over surveillance (xs) x Baghdad control (ys): ``outcome(x, y, rng)`` per run."""
    rng = np.random.default_rng(seed)
    rows = [
        {"point": k, "replicate": r, BAGHDAD: y, SURVEILLANCE: x, "delivered_tons:mode:land": outcome(x, y, rng)}
        for k, (y, x) in enumerate((y, x) for y in ys for x in xs)
        for r in range(reps)
    ]
    return pd.DataFrame(rows)


ELEVEN = [0.1 * i for i in range(11)]  # as Parameter.grid_values makes low: 0, high: 1, steps: 11
GRID_DESIGN = {
    "kind": "grid",
    "parameters": [
        {"name": BAGHDAD, "key_path": BAGHDAD, "bounds": [0.0, 2.0], "values": [0.0, 1.0]},
        {"name": SURVEILLANCE, "key_path": SURVEILLANCE, "bounds": [0.0, 1.0], "low": 0.0, "high": 1.0},
    ],
}


def test_an_eleven_step_grid_is_plotted_at_exactly_its_eleven_values(tmp_path):
    """The shipped 2 x 11 grid: 11 heat-map columns labelled 0 ... 1 and line points at 0, 0.1, ..., 1."""
    from corridor_sim.charts.sweep import sweep_figures

    runs = grid_runs(ELEVEN, [0.0, 1.0], 6, lambda x, y, rng: 1000 * (1 - x) * (1 - 0.5 * y) + rng.normal(0, 5))
    figs = sweep_figures(chart_io.read_sweep(write_sweep(tmp_path / "grid", runs, GRID_DESIGN)))
    out = "delivered_tons:mode:land"
    ax = figs["heatmap_delivered_tons_mode_land"].axes[0]
    expected = runs.groupby([BAGHDAD, SURVEILLANCE])[out].median().unstack(SURVEILLANCE)
    np.testing.assert_allclose(np.asarray(ax.images[0].get_array()), expected.to_numpy())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7",
                                                            "0.8", "0.9", "1"]  # fmt: skip
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0 (off)", "1 (on)"]
    lines = figs["lines_delivered_tons_mode_land"]
    for value, g in runs.groupby(BAGHDAD):
        line = by_gid(lines, f"median:{value}")
        np.testing.assert_allclose(line.get_xdata(), ELEVEN)
        np.testing.assert_allclose(line.get_ydata(), g.groupby(SURVEILLANCE)[out].median().to_numpy())


def test_a_switch_is_two_categories_not_a_line_with_a_band():
    from corridor_sim.charts.sweep import outcome_vs_parameter

    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"switch": np.repeat([0.0, 1.0], 50)})
    frame["y"] = 100 + 50 * frame["switch"] + rng.normal(0, 10, 100)
    fig = outcome_vs_parameter(frame, "switch", "y")
    ax = fig.axes[0]
    assert not [c for c in ax.collections if str(c.get_gid()).startswith("band")]  # no fill_between band
    markers = {ln.get_gid(): ln for ln in ax.get_lines() if ln.get_marker() == "o"}
    assert sorted(markers) == ["median:all:0", "median:all:1"]  # two separate series, one point each
    for value, line in ((0.0, markers["median:all:0"]), (1.0, markers["median:all:1"])):
        np.testing.assert_allclose(np.asarray(line.get_xdata(), float), [value])
        np.testing.assert_allclose(
            np.asarray(line.get_ydata(), float), [frame.loc[frame["switch"] == value, "y"].median()]
        )
    assert not [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 1 and ln.get_linestyle() not in ("None", "")]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0 (off)", "1 (on)"]


def test_a_sampled_parameter_is_binned_in_ranges_labelled_as_ranges():
    from corridor_sim.charts.sweep import Domain, outcome_heatmap, outcome_vs_parameter

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"a": rng.uniform(0, 1, 400), "b": rng.uniform(80, 160, 400)})
    frame["y"] = 10 * frame["a"] + frame["b"] / 40 + rng.normal(0, 0.1, 400)
    domains = {"a": Domain(low=0.0, high=1.0), "b": Domain(low=80.0, high=160.0)}
    fig = outcome_vs_parameter(frame, "a", "y", domains=domains)
    ax = fig.axes[0]
    ranges = [
        "0.0–0.1",
        "0.1–0.2",
        "0.2–0.3",
        "0.3–0.4",
        "0.4–0.5",
        "0.5–0.6",
        "0.6–0.7",
        "0.7–0.8",
        "0.8–0.9",
        "0.9–1.0",
    ]
    assert [t.get_text() for t in ax.get_xticklabels()] == ranges
    line = by_gid(fig, "median:all")
    np.testing.assert_allclose(line.get_xdata(), np.arange(0.05, 1.0, 0.1))
    cells = np.minimum((frame["a"] * 10).astype(int), 9)
    np.testing.assert_allclose(line.get_ydata(), frame.groupby(cells)["y"].median().to_numpy())
    heat = outcome_heatmap(frame, "a", "b", "y", bins=4, domains=domains).axes[0]
    assert [t.get_text() for t in heat.get_xticklabels()] == ["0.00–0.25", "0.25–0.50", "0.50–0.75", "0.75–1.00"]
    assert [t.get_text() for t in heat.get_yticklabels()] == ["80–100", "100–120", "120–140", "140–160"]


def sobol_sweep(folder: Path, *, smoke: bool) -> Path:
    """Five sampled parameters; y depends on p4 most, then p2, then p5 (file order p1 ... p5)."""
    rng = np.random.default_rng(4)
    names = [f"p{i}" for i in range(1, 6)]
    runs = pd.DataFrame(rng.uniform(0, 1, (256, 5)), columns=names)
    runs.insert(0, "point", np.arange(256))
    runs.insert(1, "replicate", 0)
    runs["delivered_tons"] = 10 * runs["p4"] + 3 * runs["p2"] + runs["p5"] + rng.normal(0, 0.01, 256)
    design = {
        "kind": "sobol",
        "parameters": [{"name": n, "key_path": n, "bounds": [0, 1], "low": 0, "high": 1} for n in names],
    }
    indices = pd.DataFrame(
        {
            "outcome": "delivered_tons",
            "parameter": names,
            "S1": [0.0, 0.08, 0.0, 0.9, 0.01],
            "S1_conf": 0.01,
            "ST": [0.0, 0.08, 0.0, 0.91, 0.01],
            "ST_conf": 0.01,
        }
    )
    return write_sweep(folder, runs, design, smoke=smoke, analysis={"sobol": indices})


def test_sobol_line_charts_show_the_top_ranked_parameters(tmp_path):
    from corridor_sim.charts.sweep import sweep_figures

    figs = sweep_figures(chart_io.read_sweep(sobol_sweep(tmp_path / "sobol", smoke=False)))
    lines = [k for k in figs if k.startswith("lines_")]
    assert lines == ["lines_delivered_tons_p4", "lines_delivered_tons_p2", "lines_delivered_tons_p5"]
    assert "#1 of 5 by total-order Sobol index" in figs["lines_delivered_tons_p4"].get_suptitle()
    assert not figs["indices_sobol_delivered_tons"].findobj(lambda a: a.get_gid() == "warning")


def test_a_smoke_runs_indices_carry_a_visible_warning(tmp_path):
    from corridor_sim.charts.sweep import sweep_figures

    figs = sweep_figures(chart_io.read_sweep(sobol_sweep(tmp_path / "sobol", smoke=True)))
    (text,) = figs["indices_sobol_delivered_tons"].findobj(lambda a: a.get_gid() == "warning")
    assert text.get_visible() and "SMOKE RUN" in text.get_text() and "mean nothing" in text.get_text()
    assert text.get_fontsize() >= 14 and text.get_zorder() > max(p.get_zorder() for p in text.axes.patches)


def test_a_colour_scale_inside_the_noise_says_so():
    """Cells 0.5 apart, each run with noise of sd 50 (16 runs a cell: a median's standard error is about 16): a note."""
    from corridor_sim.charts.sweep import outcome_heatmap

    noise = np.random.default_rng(5).normal(0, 50, 16)  # each cell's runs meet the same chance: medians 0.5 apart
    quiet = grid_runs([0.0, 0.5, 1.0], [0.0, 1.0], 16, lambda x, y, rng: 1000 + 0.5 * x)
    quiet["delivered_tons:mode:land"] += noise[quiet["replicate"]]
    ax = outcome_heatmap(quiet, SURVEILLANCE, BAGHDAD, "delivered_tons:mode:land").axes[0]
    image = np.asarray(ax.images[0].get_array())
    assert np.ptp(image) == pytest.approx(0.5)
    assert "less than chance alone" in ax.get_title(loc="left")
    loud = grid_runs([0.0, 0.5, 1.0], [0.0, 1.0], 16, lambda x, y, rng: 1000 + 500 * x + rng.normal(0, 50))
    assert outcome_heatmap(loud, SURVEILLANCE, BAGHDAD, "delivered_tons:mode:land").axes[0].get_title(loc="left") == ""


def test_land_overtakes_air_share_and_day_among_those_runs(tmp_path):
    """Heat maps of the share of runs where land overtakes air and of the day among them; 'never' is no number."""
    from corridor_sim.charts.sweep import sweep_figures
    from corridor_sim.sweep import analyze

    def day(x, y, rng):  # overtakes in about (1 - x) of the runs, around day 100 + 200 x
        return 100 + 200 * x + rng.normal(0, 5) if rng.uniform() < 1 - x else np.nan

    runs = grid_runs([0.0, 0.5, 1.0], [0.0, 1.0], 40, day).rename(columns={"delivered_tons:mode:land": "day"})
    runs = runs.assign(land_overtakes_air=runs["day"].notna().astype(float), land_overtakes_air_day=runs.pop("day"))
    design = {"kind": "grid", "parameters": [dict(p) for p in GRID_DESIGN["parameters"]]}
    folder = write_sweep(tmp_path / "overtake", runs, design, report=["land_overtakes_air_day"])
    figs = sweep_figures(chart_io.read_sweep(folder))
    share = figs["heatmap_land_overtakes_air"].axes[0]
    expected = runs.groupby([BAGHDAD, SURVEILLANCE])["land_overtakes_air"].mean().unstack(SURVEILLANCE)
    np.testing.assert_allclose(np.asarray(share.images[0].get_array()), expected.to_numpy())
    days = figs["heatmap_land_overtakes_air_day"].axes[0]
    medians = runs.groupby([BAGHDAD, SURVEILLANCE])["land_overtakes_air_day"].median().unstack(SURVEILLANCE)
    image = np.ma.filled(days.images[0].get_array().astype(float), np.nan)
    np.testing.assert_allclose(image, medians.to_numpy())  # NaN where no run overtakes, not 731
    assert [t.get_text() for t in days.texts if t.get_gid() == "cell:missing"] == ["never", "never"]
    lines = figs["lines_land_overtakes_air_day"]
    ys = np.concatenate([ln.get_ydata() for ln in lines.axes[0].get_lines() if str(ln.get_gid()).startswith("median")])
    assert ys.max() < 400  # the line's values are days among the runs that overtake
    text = analyze(folder, write=False).format()
    assert "land_overtakes_air" in text and "% of runs" in text and "never" in text


# ----------------------------------------------------------------------------- files and the command


MAGIC = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_plot_writes_each_format(run_dir, tmp_path, fmt):
    out = tmp_path / fmt
    assert main(["plot", str(run_dir), "--out", str(out), "--format", fmt]) == 0
    from corridor_sim.charts.run import FIGURES

    files = sorted(out.iterdir())
    cargos = chart_io.read_results(run_dir).cargo_ids  # one set of figures per cargo class; the levers once
    assert sorted(p.stem for p in files) == sorted(
        ["levers"] + [f"{f}_{c}" for f in FIGURES if f != "levers" for c in cargos]
    )
    for path in files:
        assert path.suffix == f".{fmt}"
        assert path.read_bytes()[:5].startswith(MAGIC[fmt])
    if fmt == "svg":
        assert "al-Qaim official crossing opens" in (out / "delivered_materiel.svg").read_text()


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
    assert "not a sweep's manifest" in capsys.readouterr().err
    (tmp_path / "sweep" / "manifest.json").write_text('{"fingerprint": "x"}')
    assert main(["plot", str(tmp_path / "sweep")]) == 2
    assert "no outcomes" in capsys.readouterr().err


def test_plot_refuses_a_results_folder_whose_resolved_scenario_is_not_utf8(run_dir, tmp_path, capsys):
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(run_dir, folder)
    (folder / "scenario.resolved.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    assert main(["plot", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "scenario.resolved.yaml" in err and "not UTF-8" in err and "Traceback" not in err


def test_importing_corridor_sim_does_not_import_matplotlib():
    code = "import sys, corridor_sim, corridor_sim.charts; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
