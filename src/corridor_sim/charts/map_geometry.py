"""The corridor map's geometry: land outlines, sea waypoints, the extent and projection of a panel, curves.

No tiles and no network access: land outlines come from a file shipped with
the package (``geodata/land_110m.txt``, Natural Earth 1:110m, public domain),
and sea segments are drawn through the display waypoints in
``geodata/sea_waypoints.csv``. :mod:`~corridor_sim.charts.corridor_map`
draws with these and re-exports the public ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Polygon
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter

MAX_WIDTH = 14.0  # points, for the segment carrying the most tons
MIN_WIDTH = 1.0
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
