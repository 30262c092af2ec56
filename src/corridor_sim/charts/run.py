"""The figure set of a single run: each chart a function of DataFrames returning its Figure.

The tables come from :mod:`corridor_sim.charts.data` (or any DataFrame with
the documented columns); :func:`run_figures` draws the whole set from a
results folder. The figures live by subject in
:mod:`~corridor_sim.charts.run_time` (delivered over time, cumulative
against demand, route share), :mod:`~corridor_sim.charts.run_levers` (actor
levers) and :mod:`~corridor_sim.charts.run_routes` (interdiction, cost per
ton); they are imported here too, so ``from corridor_sim.charts.run import
delivered_over_time`` keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure

from corridor_sim.charts import data as D
from corridor_sim.charts.run_levers import lever_lanes
from corridor_sim.charts.run_routes import amount_of, cost_per_ton_chart, interdiction_chart, one_cargo
from corridor_sim.charts.run_time import (
    CHAR_IN,
    MODE_TITLES,
    band,
    cumulative_vs_demand,
    delivered_over_time,
    route_share_chart,
)
from corridor_sim.charts.style import route_colours
from corridor_sim.tables import cargo_units

__all__ = [
    "CHAR_IN",
    "FIGURES",
    "MODE_TITLES",
    "band",
    "cost_per_ton_chart",
    "cumulative_vs_demand",
    "delivered_over_time",
    "interdiction_chart",
    "lever_lanes",
    "route_share_chart",
    "run_figures",
    "run_tables",
]

# ----------------------------------------------------------------------------- the set


FIGURES = ("delivered", "cumulative", "route_share", "interdiction", "cost_per_ton", "levers", "map")


def run_tables(results: Any, cargo: str | None = None) -> dict[str, Any]:
    """Every table the run figures plot, from a :class:`~corridor_sim.charts.io.RunResults`: one cargo class's rows.

    ``cargo`` defaults to the first class; cargo classes are never added up.
    """
    from corridor_sim.charts import io

    scenario = results.scenario
    timeline = D.policy_timeline(results.events, results.replicates)
    route_dest = dict(zip(results.routes["route"], results.routes["destination"], strict=True))
    ts = results.timeseries
    paths = D.lever_paths(
        results.events,
        results.levers,
        days=int(scenario.get("days", results.bands["day"].max() + 1)),
        start_date=scenario.get("start_date", D.start_date_of(results.bands)),
        replicates=results.replicates,
        timeline=io.timeline_table(scenario),
        actors=results.actors,
        first_replicate=int(results.resolved.get("first_replicate", 0) or 0),
    )
    cargo = cargo or results.cargo_ids[0]
    one = lambda frame: one_cargo(frame, cargo)[0]  # noqa: E731 - the figures plot one cargo class each
    return {
        "timeline": timeline,
        "series": one(D.route_series(results.bands, timeseries=ts)),
        "cumulative": one(D.destination_cumulative(results.bands, timeseries=ts, route_destination=route_dest)),
        "share": one(D.route_share(results.bands)),
        "interdicted": one(D.route_intervals(results.summary, "interdicted_tons")),
        "rate": one(D.route_intervals(results.summary, "interdiction_rate")),
        "cost": one(D.route_distribution(results.summary, "cost_per_delivered_ton")),
        "paths": paths,
        "flows": D.segment_flows(results.summary, results.routes, cargo=cargo),
        "queues": D.capacity_queues(results.bands, results.routes, results.segments, cargo=cargo),
    }


def run_figures(results: Any, *, cargo: str | None = None, only: Sequence[str] | None = None) -> dict[str, Figure]:
    """The standard figure set of a run, by name (see ``FIGURES``)."""
    from corridor_sim.charts.corridor_map import corridor_map

    cargo = cargo or results.cargo_ids[0]
    t = run_tables(results, cargo)
    labels = dict(zip(results.routes["route"], results.routes["label"], strict=True))
    dest_labels = {d: (v.get("label") or d) for d, v in results.scenario.get("destinations", {}).items()}
    cargo = cargo or results.cargo_ids[0]
    unit = cargo_units(results.scenario).get(cargo, "tons")
    common = {"footer": results.footer, "cargo": cargo, "unit": unit}
    colours = route_colours(zip(results.routes["route"], results.routes["mode"], strict=True))
    makers = {
        "delivered": lambda: delivered_over_time(
            t["series"], t["timeline"], route_labels=labels, colours=colours, **common
        ),
        "cumulative": lambda: cumulative_vs_demand(
            t["cumulative"], t["timeline"], destination_labels=dest_labels, **common
        ),
        "route_share": lambda: route_share_chart(
            t["share"], t["timeline"], route_labels=labels, colours=colours, **common
        ),
        "interdiction": lambda: interdiction_chart(
            t["interdicted"], t["rate"], route_labels=labels, colours=colours, **common
        ),
        "cost_per_ton": lambda: cost_per_ton_chart(t["cost"], route_labels=labels, colours=colours, **common),
        "levers": lambda: lever_lanes(t["paths"], t["timeline"], levers=results.levers, footer=results.footer),
        "map": lambda: corridor_map(
            results.nodes, results.segments, t["flows"], t["queues"], unit=amount_of(cargo, unit), footer=results.footer
        ),
    }
    return {name: makers[name]() for name in (only or FIGURES)}
