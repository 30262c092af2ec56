"""The corridor map: nodes at their real latitude and longitude, segments by mode, width by tons carried.

No tiles and no network access: land outlines come from a file shipped with
the package (``geodata/land_110m.txt``, Natural Earth 1:110m, public domain),
and sea segments are drawn through the display waypoints in
``geodata/sea_waypoints.csv`` so that they stay at sea (segments not listed
there are straight lines, or arcs where two share the same ends). The queue
at each capacity-limited crossing is drawn as a circle whose area is the
average queue, with its average and peak written beside it. The geometry
(outlines, waypoints, extents, curves) lives in :mod:`~corridor_sim.charts.map_geometry`
and the layers (segments, nodes and labels, queues, key) in
:mod:`~corridor_sim.charts.map_layers`; their public names are imported here too,
so ``from corridor_sim.charts.corridor_map import width_for`` keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from corridor_sim.charts.map_geometry import (
    COAST,
    LAND,
    LAND_HOME,
    MAX_WIDTH,
    MIN_WIDTH,
    SEA,
    _bends,
    _extent,
    _frame,
    _setup,
    land_outlines,
    sea_waypoints,
    width_for,
)
from corridor_sim.charts.map_layers import (
    KIND_LABEL,
    KIND_STYLE,
    QUEUE_COLOUR,
    _auto_labels,
    _draw_nodes,
    _draw_segments,
    _legend,
    _queue_marks,
    queue_text,
)
from corridor_sim.charts.style import SLIDE, add_footer, new_figure, styled

__all__ = [
    "COAST",
    "KIND_LABEL",
    "KIND_STYLE",
    "LAND",
    "LAND_HOME",
    "MAX_WIDTH",
    "MIN_WIDTH",
    "QUEUE_COLOUR",
    "SEA",
    "corridor_map",
    "land_outlines",
    "network_figure",
    "queue_text",
    "sea_waypoints",
    "width_for",
]


@styled
def corridor_map(
    nodes: pd.DataFrame,
    segments: pd.DataFrame,
    flows: pd.DataFrame | None = None,
    queues: pd.DataFrame | None = None,
    *,
    waypoints: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    unit: str = "tons",
    footer: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The corridor network on a map, segments as wide as the tons they carried.

    Panels: the whole corridor region; the Levant and the Iraq-Syria border
    enlarged; a close-up of the capacity-limited crossings with their queues;
    and, when some nodes lie far away (the route round Africa), the whole network.

    Args:
        nodes: node, name, lat, lon, kind (:func:`~corridor_sim.charts.io.network_tables`).
        segments: segment, from_node, to_node, mode, label, capacity.
        flows: segment, tons (:func:`~corridor_sim.charts.data.segment_flows`); None draws the
            network alone, every segment thin.
        queues: segment, mean_tons, peak_tons, peak_date
            (:func:`~corridor_sim.charts.data.capacity_queues`).
        waypoints: sea segment id -> [(lon, lat), ...] to draw through
            (default: the shipped ``geodata/sea_waypoints.csv``).
        unit: what the flows are counted in, for the labels ("tons", "barrels of oil").
        footer: the footer line (scenario, replicates, seed, version).
        title: the figure's title (default: a descriptive one).
        ax: draw only the main map into this Axes.
    """
    tons = {} if flows is None else dict(zip(flows["segment"], flows["tons"].astype(float), strict=True))
    waypoints = sea_waypoints() if waypoints is None else waypoints
    nodes = nodes.assign(name=[_short_name(n) for n in nodes["name"]])
    bends = _bends(segments)
    extent, far = _extent(nodes)
    home = ("IRN", "IRQ", "SYR", "LBN")
    draw = {"tons": tons, "bends": bends, "waypoints": waypoints}
    if ax is not None:
        _setup(ax, extent, home=home)
        _draw_segments(ax, nodes, segments, scale=1.0, **draw)
        _draw_nodes(ax, nodes, labels=_auto_labels(nodes, extent), extent=extent)
        _queue_marks(ax, nodes, segments, queues, bends, text=False, scale=0.4)
        return ax.figure
    fig = new_figure((SLIDE[0] * 1.15, SLIDE[1] * 1.2))
    outer = fig.add_gridspec(1, 2, width_ratios=[1.0, 0.95], left=0.045, right=0.99, top=0.9, bottom=0.07, wspace=0.1)
    main = fig.add_subplot(outer[0, 0])
    _setup(main, extent, home=home)
    _draw_segments(main, nodes, segments, scale=1.0, **draw)
    limited = segments[segments["capacity"].astype(bool)]
    crossing_ids = set(limited["from_node"]) | set(limited["to_node"])
    crossings = nodes[nodes["node"].isin(crossing_ids)]
    right = outer[0, 1].subgridspec(
        3, 2, height_ratios=[1.1, 1.0, 0.62], width_ratios=[1.25, 1.0], hspace=0.3, wspace=0.08
    )
    main_labels = _auto_labels(nodes, extent)
    levant = None
    if len(crossings):
        clon, clat = crossings["lon"].mean(), crossings["lat"].mean()
        levant = (clon - 6.3, clon + 3.6, clat - 2.0, clat + 2.0)
        for row in nodes.itertuples(index=False):  # named in the enlarged panel, not twice
            inside = levant[0] <= row.lon <= levant[1] and levant[2] <= row.lat <= levant[3]
            if inside and row.kind not in ("origin", "destination", "hub"):
                main_labels[row.node] = None
    _draw_nodes(main, nodes, labels=main_labels, extent=extent)
    main.set_title(f"Segments by mode; width by {unit} carried over the run", fontsize=12)
    if levant is not None:
        zax = fig.add_subplot(right[0, :])
        _setup(zax, levant, home=home)
        _draw_segments(zax, nodes, segments, scale=1.0, **draw)
        labels = _auto_labels(nodes, levant)
        for n in crossing_ids:
            labels[n] = None
        _draw_nodes(zax, nodes, labels=labels, extent=levant, fontsize=9.5)
        _queue_marks(zax, nodes, segments, queues, bends, text=False, scale=0.35)
        zax.set_title("The Levant and the Iraq-Syria border", fontsize=12)
        _frame(main, levant)
        span = max(crossings["lon"].max() - crossings["lon"].min(), crossings["lat"].max() - crossings["lat"].min())
        span = max(span, 0.05)
        clon, clat = crossings["lon"].mean(), crossings["lat"].mean()
        close = (clon - 0.95 * span, clon + 0.95 * span, clat - 0.62 * span, clat + 0.62 * span)
        cax = fig.add_subplot(right[1, 0] if far else right[1, :])
        _setup(cax, close, ticks=False, home=home)
        _draw_segments(cax, nodes, segments, scale=1.0, **draw)
        _draw_nodes(
            cax, nodes, labels=_auto_labels(nodes[nodes["node"].isin(crossing_ids)], close), extent=close, fontsize=9
        )
        _queue_marks(cax, nodes, segments, queues, bends, text=True)
        cax.set_title("The crossing, enlarged: queues", fontsize=10.5)
        text = queue_text(queues, segments, unit)
        if text:
            cax.set_xlabel(text, fontsize=9, color=QUEUE_COLOUR, loc="left", linespacing=1.2)
        _frame(zax, close)
    if far:
        inner = fig.add_subplot(right[1, 1] if levant is not None else right[:2, :])
        world = (nodes["lon"].min() - 6, nodes["lon"].max() + 6, nodes["lat"].min() - 5, nodes["lat"].max() + 6)
        _setup(inner, world, ticks=False)
        _draw_segments(inner, nodes, segments, scale=0.45, tons=tons, bends={}, waypoints=waypoints)
        _draw_nodes(inner, nodes, labels=None, size=0.5, extent=world)
        inner.set_title("Whole network", fontsize=10.5)
        _frame(inner, extent)
    key = fig.add_subplot(right[2, :])
    key.axis("off")
    _legend(key, segments, nodes, tons, queues, unit)
    fig.suptitle(title or f"Corridor map: where the {unit} went", x=0.01, y=0.985, ha="left", va="top")
    what = unit[0].upper() + unit[1:]
    add_footer(fig, footer, f"Land outlines: Natural Earth 1:110m (public domain). {what}: mean across replicates.")
    return fig


def _short_name(name: str) -> str:
    return name.replace(" International Airport", " airport")


def network_figure(nodes: pd.DataFrame, segments: pd.DataFrame, **kwargs: Any) -> Figure:
    """The network alone, every segment at the same width."""
    return corridor_map(nodes, segments, None, None, **kwargs)
