"""The corridor map's layers: segments by mode and width, nodes and their labels, queues, the key.

Each function draws one layer into an Axes set up by
:func:`~corridor_sim.charts.map_geometry._setup`; the label placement
(:func:`_auto_labels`) lives here beside the nodes it labels.
:mod:`~corridor_sim.charts.corridor_map` re-exports the public ones.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch

from corridor_sim.charts.map_geometry import MIN_WIDTH, _curve, width_for
from corridor_sim.charts.style import MODE_COLOURS, wrap

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
QUEUE_COLOUR = "#7A0177"


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


def queue_text(queues: pd.DataFrame | None, segments: pd.DataFrame, unit: str = "tons") -> str:
    """'Militia back roads ...: 770 t waiting on average, peak 2,453 t (23 Jul 2019)', one line per queue."""
    if queues is None or queues.empty:
        return ""
    t = short_unit(unit)
    label = dict(zip(segments["segment"], segments["label"], strict=True))
    lines = []
    for row in queues.itertuples(index=False):
        name = _short_segment(label.get(row.segment) or row.segment.replace("_", " "), 48)
        lines.append(
            f"{name}: {row.mean_tons:,.0f} {t} waiting on average,\n    peak {row.peak_tons:,.0f} {t} "
            f"({pd.Timestamp(row.peak_date):%d %b %Y})"
        )
    return "\n".join(lines)


def _short_segment(label: str, width: int = 40) -> str:
    """A segment label without its parenthesised detail, wrapped."""
    cut = label.find(" (")
    return wrap(label[:cut] if cut > 0 else label, width)


def short_unit(unit: str) -> str:
    """How the map writes an amount's unit next to a number: "t" for tons, else its first word ("barrels")."""
    return "t" if unit == "tons" else unit.split(" ", 1)[0]


def _legend(
    key: Axes,
    segments: pd.DataFrame,
    nodes: pd.DataFrame,
    tons: Mapping[str, float],
    queues: pd.DataFrame | None,
    unit: str = "tons",
) -> None:
    modes = [m for m in ("air", "sea", "land") if m in set(segments["mode"])]
    mode_handles = [Line2D([], [], color=MODE_COLOURS[m], linewidth=4, label=m) for m in modes]
    width_handles = []
    max_tons = max(tons.values(), default=0.0)
    if max_tons > 0:
        for t in _nice_steps(max_tons):
            width_handles.append(
                Line2D([], [], color="#666666", linewidth=width_for(t, max_tons), label=f"{t:,.0f} {short_unit(unit)}")
            )
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
        (0.2, width_handles, f"{unit[0].upper() + unit[1:]} carried", 1),
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
