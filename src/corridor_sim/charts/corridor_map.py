"""The corridor map: nodes at their real latitude and longitude, segments by mode, width by tons carried.

No tiles and no network access: land outlines come from a file shipped with
the package (``geodata/land_110m.txt``, Natural Earth 1:110m, public domain),
and sea segments are drawn through the display waypoints in
``geodata/sea_waypoints.csv`` so that they stay at sea (segments not listed
there are straight lines, or arcs where two share the same ends). The queue
at each capacity-limited crossing is drawn as a circle whose area is the
average queue, with its average and peak written beside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Polygon
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter

from corridor_sim.charts.style import MODE_COLOURS, SLIDE, add_footer, new_figure, styled, wrap

KIND_STYLE = {  # marker, size, face colour
    "origin": ("*", 16, "#222222"),
    "hub": ("s", 8, "#222222"),
    "airport": ("^", 9, "#222222"),
    "port": ("D", 8, "#222222"),
    "border_crossing": ("X", 10, "#222222"),
    "chokepoint": ("o", 7, "white"),
    "destination": ("o", 13, "#CC0033"),
}
KIND_LABEL = {"border_crossing": "border crossing"}
MAX_WIDTH = 14.0  # points, for the segment carrying the most tons
MIN_WIDTH = 1.0
QUEUE_COLOUR = "#7A0177"
LAND, LAND_HOME, COAST, SEA = "#F4F1EA", "#E9E4D8", "#B8B2A6", "#EAF2F8"


@cache
def land_outlines() -> tuple[tuple[str, np.ndarray], ...]:
    """The shipped land outlines: (ISO code, (n, 2) lon/lat array) per ring."""
    text = resources.files("corridor_sim.charts").joinpath("geodata/land_110m.txt").read_text(encoding="utf-8")
    joined: list[str] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(" ") and joined:
            joined[-1] += " " + line.strip()
        else:
            joined.append(line)
    rings = []
    for line in joined:
        iso, *pairs = line.split()
        rings.append((iso, np.array([[float(v) for v in p.split(",")] for p in pairs])))
    return tuple(rings)


@cache
def sea_waypoints() -> dict[str, list[tuple[float, float]]]:
    """Display waypoints (lon, lat) per sea segment id, from the shipped CSV."""
    text = resources.files("corridor_sim.charts").joinpath("geodata/sea_waypoints.csv").read_text(encoding="utf-8")
    out: dict[str, list[tuple[float, float]]] = {}
    for line in text.splitlines()[1:]:
        if not line.strip() or line.startswith(("#", "segment,")):
            continue
        seg, lon, lat = line.split(",")
        out.setdefault(seg, []).append((float(lon), float(lat)))
    return out


def width_for(tons: float, max_tons: float) -> float:
    """Line width (points) for a segment's tons: area-like (square-root) scale up to MAX_WIDTH."""
    if max_tons <= 0 or not tons > 0:
        return MIN_WIDTH
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * math.sqrt(tons / max_tons)


def _aspect(lat0: float, lat1: float) -> float:
    return 1.0 / math.cos(math.radians(0.5 * (lat0 + lat1))) if -60 < lat0 and lat1 < 60 else 1.0


def _extent(nodes: pd.DataFrame) -> tuple[tuple[float, float, float, float], list[str]]:
    """The main panel's extent: the nodes within 30 degrees of the origins' and destinations' centre."""
    core = nodes[nodes["kind"].isin(["origin", "destination"])]
    core = core if len(core) else nodes
    clat, clon = core["lat"].mean(), core["lon"].mean()
    near = nodes[np.hypot(nodes["lat"] - clat, nodes["lon"] - clon) < 30]
    far = [n for n in nodes["node"] if n not in set(near["node"])]
    lon0, lon1, lat0, lat1 = near["lon"].min(), near["lon"].max(), near["lat"].min(), near["lat"].max()
    pad_lon, pad_lat = 0.08 * (lon1 - lon0) + 1.0, 0.08 * (lat1 - lat0) + 1.0
    return (lon0 - pad_lon, lon1 + pad_lon, lat0 - pad_lat, lat1 + pad_lat), far


def _setup(ax: Axes, extent: Sequence[float], *, ticks: bool = True, home: Sequence[str] = ()) -> None:
    lon0, lon1, lat0, lat1 = extent
    ax.set_facecolor(SEA)
    for iso, ring in land_outlines():
        if ring[:, 0].max() < lon0 - 5 or ring[:, 0].min() > lon1 + 5:
            continue
        ax.add_patch(
            Polygon(
                ring,
                closed=True,
                facecolor=LAND_HOME if iso in home else LAND,
                edgecolor=COAST,
                linewidth=0.5,
                zorder=0,
            )
        )
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(_aspect(lat0, lat1))
    ax.grid(color="white", linewidth=0.6, zorder=0.5)
    if ticks:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{abs(v):g}°{'E' if v >= 0 else 'W'}"))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{abs(v):g}°{'N' if v >= 0 else 'S'}"))
        ax.tick_params(labelsize=9)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(True)
        ax.spines[side].set_color("#888888")


def _curve(a: tuple[float, float], b: tuple[float, float], bend: float) -> MplPath:
    """A quadratic curve from a to b bowing sideways by ``bend`` times the distance."""
    (x0, y0), (x1, y1) = a, b
    mx, my = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    cx, cy = mx - bend * (y1 - y0), my + bend * (x1 - x0)
    return MplPath([(x0, y0), (cx, cy), (x1, y1)], [MplPath.MOVETO, MplPath.CURVE3, MplPath.CURVE3])


def _bends(segments: pd.DataFrame) -> dict[str, float]:
    """Sideways bends: air legs arc; segments sharing both ends fan out so each stays visible."""
    bends: dict[str, float] = {}
    pairs: dict[frozenset, list[str]] = {}
    for row in segments.itertuples(index=False):
        pairs.setdefault(frozenset((row.from_node, row.to_node)), []).append(row.segment)
    for sids in pairs.values():
        if len(sids) > 1:
            for k, sid in enumerate(sids):
                bends[sid] = 0.45 * (2 * k / (len(sids) - 1) - 1)
    for row in segments.itertuples(index=False):
        if row.mode == "air" and row.segment not in bends:
            bends[row.segment] = 0.12
    return bends


def _draw_segments(
    ax: Axes,
    nodes: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    tons: Mapping[str, float],
    scale: float,
    bends: Mapping[str, float],
    waypoints: Mapping[str, Sequence],
) -> None:
    at = nodes.set_index("node")
    max_tons = max(tons.values(), default=0.0)
    order = sorted(segments.itertuples(index=False), key=lambda r: -tons.get(r.segment, 0.0))
    for row in order:
        a = at.loc[row.from_node]
        b = at.loc[row.to_node]
        t = tons.get(row.segment, 0.0)
        width = width_for(t, max_tons) * scale
        colour = MODE_COLOURS.get(row.mode, "#777777")
        style = {"color": colour, "linewidth": width, "solid_capstyle": "round", "zorder": 2 + t / (max_tons or 1)}
        if t <= 0:
            style.update(linestyle=(0, (2, 2)), alpha=0.7, linewidth=MIN_WIDTH * scale)
        if row.segment in waypoints:
            pts = [(a["lon"], a["lat"]), *waypoints[row.segment], (b["lon"], b["lat"])]
            (artist,) = ax.plot(*zip(*pts, strict=True), **style)
        else:
            path = _curve((a["lon"], a["lat"]), (b["lon"], b["lat"]), bends.get(row.segment, 0.0))
            artist = PathPatch(
                path,
                fill=False,
                edgecolor=colour,
                linewidth=style["linewidth"],
                linestyle=style.get("linestyle", "solid"),
                alpha=style.get("alpha"),
                capstyle="round",
                zorder=style["zorder"],
            )
            ax.add_patch(artist)
        artist.set_gid(f"segment:{row.segment}")
        artist.set_label(f"_segment {row.segment}")


def _draw_nodes(
    ax: Axes,
    nodes: pd.DataFrame,
    *,
    labels: Mapping[str, tuple] | None,
    size: float = 1.0,
    fontsize: float = 10.5,
    extent: Sequence[float],
) -> None:
    lon0, lon1, lat0, lat1 = extent
    for row in nodes.itertuples(index=False):
        if not (lon0 <= row.lon <= lon1 and lat0 <= row.lat <= lat1):
            continue
        marker, ms, face = KIND_STYLE.get(row.kind, ("o", 7, "#222222"))
        ax.plot(
            row.lon,
            row.lat,
            marker=marker,
            markersize=ms * size,
            markerfacecolor=face,
            markeredgecolor="#222222",
            markeredgewidth=0.8,
            linestyle="none",
            zorder=10,
            gid=f"node:{row.node}",
        )
        if labels is None:
            continue
        spec = labels.get(row.node, (7, 5, "left"))
        if spec is None:
            continue
        dx, dy, ha, *text = spec
        ax.annotate(
            text[0] if text else row.name,
            (row.lon, row.lat),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va="center",
            fontsize=fontsize,
            zorder=11,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
        )


def _auto_labels(nodes: pd.DataFrame, extent: Sequence[float]) -> dict[str, tuple]:
    """Label to the side with the fewest near neighbours (right unless a neighbour sits there)."""
    lon0, lon1, lat0, lat1 = extent
    span = max(lon1 - lon0, lat1 - lat0)
    out = {}
    pts = nodes[["lon", "lat"]].to_numpy()
    for i, row in enumerate(nodes.itertuples(index=False)):
        d = pts - pts[i]
        near = (np.hypot(d[:, 0], d[:, 1]) < 0.12 * span) & (np.arange(len(pts)) != i)
        right = int((near & (d[:, 0] > 0)).sum())
        left = int((near & (d[:, 0] < 0)).sum())
        below = int((near & (d[:, 1] < 0)).sum())
        dy = 7 if below > 0 else -7
        out[row.node] = (
            (8, dy, "left") if right <= left and row.lon < lon1 - 0.15 * (lon1 - lon0) else (-8, dy, "right")
        )
    return out


def _queue_marks(
    ax: Axes,
    nodes: pd.DataFrame,
    segments: pd.DataFrame,
    queues: pd.DataFrame | None,
    bends: Mapping[str, float],
    *,
    text: bool,
    scale: float = 1.0,
) -> None:
    """A circle at the middle of each queueing segment, area by its average queue; optionally the numbers."""
    if queues is None or queues.empty:
        return
    at = nodes.set_index("node")
    seg = segments.set_index("segment")
    biggest = float(queues["mean_tons"].max()) or 1.0
    for row in queues.itertuples(index=False):
        if row.segment not in seg.index:
            continue
        s = seg.loc[row.segment]
        a, b = at.loc[s["from_node"]], at.loc[s["to_node"]]
        path = _curve((a["lon"], a["lat"]), (b["lon"], b["lat"]), bends.get(row.segment, 0.0))
        mid = 0.5 * path.vertices[1] + 0.25 * (path.vertices[0] + path.vertices[2])  # the curve's midpoint
        area = 700 * scale * (row.mean_tons / biggest) if biggest > 0 else 0
        ax.scatter(
            [mid[0]],
            [mid[1]],
            s=max(area, 25 * scale),
            facecolor=QUEUE_COLOUR,
            alpha=0.4,
            edgecolor=QUEUE_COLOUR,
            linewidth=1.2,
            zorder=12,
            gid=f"queue:{row.segment}",
        )
        if not text:
            continue
        up = mid[1] >= 0.5 * (a["lat"] + b["lat"])
        ax.annotate(
            _short_segment(s["label"] or row.segment.replace("_", " "), 26),
            (mid[0], mid[1]),
            xytext=(0, 16 if up else -16),
            textcoords="offset points",
            ha="center",
            va="bottom" if up else "top",
            fontsize=9,
            color="#222222",
            zorder=13,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
        )


def queue_text(queues: pd.DataFrame | None, segments: pd.DataFrame) -> str:
    """'Militia back roads ...: 770 t waiting on average, peak 2,453 t (23 Jul 2019)', one line per queue."""
    if queues is None or queues.empty:
        return ""
    label = dict(zip(segments["segment"], segments["label"], strict=True))
    lines = []
    for row in queues.itertuples(index=False):
        name = _short_segment(label.get(row.segment) or row.segment.replace("_", " "), 48)
        lines.append(
            f"{name}: {row.mean_tons:,.0f} t waiting on average,\n    peak {row.peak_tons:,.0f} t "
            f"({pd.Timestamp(row.peak_date):%d %b %Y})"
        )
    return "\n".join(lines)


def _short_segment(label: str, width: int = 40) -> str:
    """A segment label without its parenthesised detail, wrapped."""
    cut = label.find(" (")
    return wrap(label[:cut] if cut > 0 else label, width)


@styled
def corridor_map(
    nodes: pd.DataFrame,
    segments: pd.DataFrame,
    flows: pd.DataFrame | None = None,
    queues: pd.DataFrame | None = None,
    *,
    waypoints: Mapping[str, Sequence[tuple[float, float]]] | None = None,
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
    main.set_title("Segments by mode; width by tons carried over the run", fontsize=12)
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
        text = queue_text(queues, segments)
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
    _legend(key, segments, nodes, tons, queues)
    fig.suptitle(title or "Corridor map: where the tons went", x=0.01, y=0.985, ha="left", va="top")
    add_footer(fig, footer, "Land outlines: Natural Earth 1:110m (public domain). Tons: mean across replicates.")
    return fig


def _frame(ax: Axes, extent: Sequence[float]) -> None:
    """Outline, on a map, the area another panel enlarges."""
    lon0, lon1, lat0, lat1 = extent
    ax.add_patch(
        Polygon(
            [(lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1)],
            closed=True,
            fill=False,
            edgecolor="#333333",
            linestyle="--",
            linewidth=1.0,
            zorder=20,
        )
    )


def _short_name(name: str) -> str:
    return name.replace(" International Airport", " airport")


def _legend(
    key: Axes, segments: pd.DataFrame, nodes: pd.DataFrame, tons: Mapping[str, float], queues: pd.DataFrame | None
) -> None:
    modes = [m for m in ("air", "sea", "land") if m in set(segments["mode"])]
    mode_handles = [Line2D([], [], color=MODE_COLOURS[m], linewidth=4, label=m) for m in modes]
    width_handles = []
    max_tons = max(tons.values(), default=0.0)
    if max_tons > 0:
        for t in _nice_steps(max_tons):
            width_handles.append(Line2D([], [], color="#666666", linewidth=width_for(t, max_tons), label=f"{t:,.0f} t"))
        width_handles.append(
            Line2D([], [], color="#666666", linewidth=MIN_WIDTH, linestyle=(0, (2, 2)), label="no flow")
        )
    if queues is not None and not queues.empty:
        mode_handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                markersize=12,
                markerfacecolor=QUEUE_COLOUR,
                alpha=0.45,
                markeredgecolor=QUEUE_COLOUR,
                label="queue",
            )
        )
    kinds = [k for k in KIND_STYLE if k in set(nodes["kind"])]
    kind_handles = [
        Line2D(
            [],
            [],
            marker=KIND_STYLE[k][0],
            markersize=KIND_STYLE[k][1] * 0.75,
            markerfacecolor=KIND_STYLE[k][2],
            markeredgecolor="#222222",
            linestyle="none",
            label=KIND_LABEL.get(k, k),
        )
        for k in kinds
    ]
    style = {"fontsize": 9.5, "title_fontsize": 10, "alignment": "left", "loc": "upper left", "borderaxespad": 0}
    for x, handles, title, ncol in (
        (0.0, mode_handles, "Mode", 1),
        (0.2, width_handles, "Tons carried", 1),
        (0.45, kind_handles, "Nodes", 2),
    ):
        if handles:
            leg = key.legend(
                handles=handles,
                bbox_to_anchor=(x, 0.72),
                title=title,
                ncol=ncol,
                handlelength=2.4,
                columnspacing=1.0,
                **style,
            )
            key.add_artist(leg)


def _nice_steps(max_tons: float) -> list[float]:
    """Three round tonnages up to max_tons for the width key."""
    top = 10 ** math.floor(math.log10(max_tons))
    top = max(m * top for m in (1, 2, 5, 10) if m * top <= max_tons)
    return [top / 10, top / 2.5 if top / 2.5 >= top / 10 * 2 else top / 5, top]


def network_figure(nodes: pd.DataFrame, segments: pd.DataFrame, **kwargs: Any) -> Figure:
    """The network alone, every segment at the same width."""
    return corridor_map(nodes, segments, None, None, **kwargs)
