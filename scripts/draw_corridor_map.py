"""Draw the corridor network of a scenario as a static map: docs/corridor_map.png.

Usage (from the repository root):

    .venv/bin/python scripts/draw_corridor_map.py [SCENARIO] [--out docs/corridor_map.png]

SCENARIO defaults to the shipped baseline. The map needs matplotlib and
nothing else: no tiles, no network, no GIS packages. Nodes sit at their
latitude and longitude from the scenario and segments are coloured by mode.
Sea segments are drawn through a few display waypoints so they stay at sea
(the model itself knows only a segment's end nodes, transit days and
distance). The land outlines are Natural Earth 1:110m admin-0 countries
(public domain, naturalearthdata.com), simplified and clipped; they and the
sea waypoints are the ones corridor_sim.charts ships (charts/geodata/).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, Polygon, Rectangle
    from matplotlib.ticker import FuncFormatter
except ImportError:  # pragma: no cover - depends on the environment
    sys.exit("error: drawing the map needs matplotlib (.venv/bin/python -m pip install matplotlib)")

from corridor_sim.charts.corridor_map import land_outlines, sea_waypoints
from corridor_sim.charts.style import MODE_COLOURS
from corridor_sim.network import build_graph
from corridor_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]

# One colour per mode, and the land outlines and sea waypoints, shared with corridor_sim.charts.
MODE_COLOUR = MODE_COLOURS
SEA_WAYPOINTS = sea_waypoints()
KIND_STYLE = {  # marker, size, face colour
    "origin": ("*", 15, "#222222"),
    "hub": ("s", 7, "#222222"),
    "airport": ("^", 8, "#222222"),
    "port": ("D", 7, "#222222"),
    "border_crossing": ("X", 9, "#222222"),
    "chokepoint": ("o", 7, "white"),
    "destination": ("o", 12, "#CC0033"),
}
KIND_LABEL = {
    "origin": "origin",
    "hub": "hub",
    "airport": "airport",
    "port": "port",
    "border_crossing": "border crossing",
    "chokepoint": "chokepoint",
    "destination": "destination",
}

# The two ways across the border at al-Qaim / Abu Kamal are told apart by line style:
# the official crossing outlined, the militia back roads dashed.
OFFICIAL_CROSSING = "official_al_qaim_abu_kamal"
BACK_ROADS = "backroads_al_qaim_abu_kamal"
BACK_ROADS_DASH = (0, (4, 2))


def official_outline(width: float) -> list:
    return [patheffects.withStroke(linewidth=width + 2.5, foreground="#5A2A00")]


# Arc bend (matplotlib arc3 rad) for segments drawn side by side with others.
ARC = {"air_tehran_damascus": 0.18, "air_tehran_t4": 0.27, OFFICIAL_CROSSING: 0.45, BACK_ROADS: -0.45}

# Where each node's label goes, per panel: (dx, dy) in points, horizontal alignment[, shorter text];
# None: no label in that panel.
LABELS_MAIN = {
    "tehran": (8, 6, "left"),
    "bandar_abbas": (8, -12, "left"),
    "baghdad": (6, -14, "left"),
    "bab_el_mandeb": (8, -4, "left"),
    "suez": (-8, -12, "right"),
    "port_said": (-8, 4, "right"),
    "al_qaim": None,
    "abu_kamal": None,
    "t4": None,
    "damascus_airport": None,
    "damascus": None,
    "beirut": None,
    "tartus": None,
    "latakia": None,
}
LABELS_ZOOM = {
    "latakia": (-8, 4, "right"),
    "tartus": (-8, 6, "right"),
    "beirut": (-8, 4, "right"),
    "damascus": (-9, -5, "right"),
    "damascus_airport": (8, -8, "left", "Damascus airport"),
    "t4": (0, 10, "center"),
    "abu_kamal": (-6, 9, "right"),
    "al_qaim": (6, -14, "left"),
    "baghdad": (-8, -14, "right"),
}
LABELS_OVERVIEW = {
    "cape_good_hope": (8, -6, "left"),
    "gibraltar": (6, 6, "left"),
    "bandar_abbas": (6, -10, "left"),
    "tehran": (6, 4, "left"),
}

# Faint place names (name, lon, lat) for orientation: countries upright, seas in italics.
COUNTRY_NAMES_MAIN = [
    ("IRAN", 54.5, 31.5),
    ("IRAQ", 43.3, 31.2),
    ("SAUDI ARABIA", 44.5, 24.0),
    ("EGYPT", 31.8, 25.5),
    ("SYRIA", 39.0, 37.8),
    ("TURKEY", 35.5, 38.8),
]
SEA_NAMES_MAIN = [("Persian Gulf", 51.2, 27.9), ("Red Sea", 37.2, 21.5), ("Mediterranean", 32.6, 32.4)]
COUNTRY_NAMES_ZOOM = [("SYRIA", 38.8, 35.7), ("IRAQ", 43.3, 34.7), ("JORDAN", 37.6, 32.2)]

MAIN_EXTENT = (30.0, 60.5, 11.0, 39.5)  # lon min, lon max, lat min, lat max
ZOOM_EXTENT = (35.0, 45.0, 31.9, 36.6)
CROSSING_INSET = [0.40, 0.02, 0.37, 0.40]  # where the al-Qaim inset sits in the Levant panel (axes fraction)
OVERVIEW_EXTENT = (-22.0, 66.0, -38.0, 46.0)
CROSSING_EXTENT = (40.74, 41.34, 34.27, 34.55)


def degrees(axis: str):
    def fmt(value, _pos):
        hemi = ("E" if value >= 0 else "W") if axis == "lon" else ("N" if value >= 0 else "S")
        return f"{abs(value):g}°{hemi}"

    return FuncFormatter(fmt)


def countries():
    """The package's land outlines: list of (iso code, [(lon, lat), ...])."""
    return [(iso, [tuple(p) for p in ring]) for iso, ring in land_outlines()]


def setup_axes(ax, extent, *, land, title, ticks=True, grid_step=None):
    lon0, lon1, lat0, lat1 = extent
    ax.set_facecolor("#EAF2F8")
    for iso, ring in land:
        face = "#E9E4D8" if iso in ("IRN", "IRQ", "SYR", "LBN") else "#F4F1EA"
        ax.add_patch(Polygon(ring, closed=True, facecolor=face, edgecolor="#B8B2A6", linewidth=0.5, zorder=0))
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1.0 / math.cos(math.radians(0.5 * (lat0 + lat1))) if lat0 > -20 else 1.0)
    ax.set_title(title, fontsize=11, loc="left")
    if ticks:
        ax.xaxis.set_major_formatter(degrees("lon"))
        ax.yaxis.set_major_formatter(degrees("lat"))
        ax.tick_params(labelsize=8)
        if grid_step:
            ax.set_xticks([x for x in range(math.ceil(lon0), math.floor(lon1) + 1) if x % grid_step == 0])
            ax.set_yticks([y for y in range(math.ceil(lat0), math.floor(lat1) + 1) if y % grid_step == 0])
        ax.grid(color="white", linewidth=0.6, zorder=0.5)
    else:
        ax.set_xticks([])
        ax.set_yticks([])


def place_names(ax, names, *, italic=False):
    for text, lon, lat in names:
        ax.text(
            lon,
            lat,
            text,
            fontsize=9,
            color="#8A8478",
            ha="center",
            va="center",
            zorder=1,
            style="italic" if italic else "normal",
        )


def draw_segments(ax, graph, *, width=2.2, arcs=True):
    """Each segment as a line coloured by its mode; arcs=False draws every segment straight."""
    for u, v, sid, seg in graph.edges(keys=True, data=True):
        a, b = graph.nodes[u], graph.nodes[v]
        colour = MODE_COLOUR[seg["mode"]]
        if sid in SEA_WAYPOINTS:
            lons, lats = zip(*[(a["lon"], a["lat"]), *SEA_WAYPOINTS[sid], (b["lon"], b["lat"])], strict=True)
            ax.plot(lons, lats, color=colour, linewidth=width, solid_capstyle="round", zorder=2)
            continue
        ax.add_patch(
            FancyArrowPatch(
                (a["lon"], a["lat"]),
                (b["lon"], b["lat"]),
                arrowstyle="-",
                connectionstyle=f"arc3,rad={ARC.get(sid, 0.0) if arcs else 0.0}",
                color=colour,
                linewidth=width,
                linestyle=BACK_ROADS_DASH if sid == BACK_ROADS else "solid",
                path_effects=official_outline(width) if sid == OFFICIAL_CROSSING else None,
                zorder=2.5 if sid == OFFICIAL_CROSSING else 2,
                shrinkA=0,
                shrinkB=0,
            )
        )


def draw_nodes(ax, graph, labels, *, size=1.0, default_labels=True, fontsize=10):
    for nid, node in graph.nodes(data=True):
        marker, ms, face = KIND_STYLE[node["kind"]]
        ax.plot(
            node["lon"],
            node["lat"],
            marker=marker,
            markersize=ms * size,
            markerfacecolor=face,
            markeredgecolor="#222222",
            markeredgewidth=0.8,
            linestyle="none",
            zorder=4,
        )
        spec = labels.get(nid, (6, 4, "left") if default_labels else None)
        if spec is None:
            continue
        dx, dy, ha, *text = spec
        ax.annotate(
            text[0] if text else node["name"],
            (node["lon"], node["lat"]),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va="center",
            fontsize=fontsize,
            zorder=5,
            bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.75),
        )


def frame(ax, extent, **style):
    lon0, lon1, lat0, lat1 = extent
    ax.add_patch(Rectangle((lon0, lat0), lon1 - lon0, lat1 - lat0, fill=False, zorder=6, **style))


def draw(scenario: str | None, out: Path) -> Path:
    spec = load_scenario(scenario)
    graph = build_graph(spec)
    land = countries()
    crossing_open = _lever_value(spec, "iraq", "official_crossing_open")

    fig = plt.figure(figsize=(16, 9), dpi=150)
    grid = fig.add_gridspec(
        2,
        3,
        width_ratios=[1.1, 0.62, 0.42],
        height_ratios=[1.0, 1.05],
        left=0.045,
        right=0.985,
        top=0.875,
        bottom=0.065,
        wspace=0.16,
        hspace=0.24,
    )
    main = fig.add_subplot(grid[:, 0])
    zoom = fig.add_subplot(grid[0, 1:])
    overview = fig.add_subplot(grid[1, 1])
    key = fig.add_subplot(grid[1, 2])
    key.axis("off")

    setup_axes(
        main,
        MAIN_EXTENT,
        land=land,
        title="Middle East: air bridge, land bridge through Iraq, sea via Suez",
        grid_step=5,
    )
    place_names(main, COUNTRY_NAMES_MAIN)
    place_names(main, SEA_NAMES_MAIN, italic=True)
    draw_segments(main, graph, width=2.4)
    draw_nodes(main, graph, LABELS_MAIN)
    frame(main, ZOOM_EXTENT, edgecolor="#444444", linewidth=1.0, linestyle=(0, (3, 2)))
    main.annotate(
        "Levant and al-Qaim: enlarged at right",
        (ZOOM_EXTENT[0], ZOOM_EXTENT[3]),
        xytext=(0, 4),
        textcoords="offset points",
        fontsize=8,
        ha="left",
        va="bottom",
        color="#444444",
    )
    main.annotate(
        "to the Cape of Good Hope\n(round Africa: lower right)",
        (57.4, 15.0),
        xytext=(-6, 0),
        textcoords="offset points",
        fontsize=8,
        ha="right",
        va="center",
        color=MODE_COLOUR["sea"],
    )
    main.text(
        30.3, 34.35, "from Gibraltar\n(round Africa)", fontsize=8, ha="left", va="bottom", color=MODE_COLOUR["sea"]
    )
    main.set_xlabel("Longitude (degrees east)", fontsize=9)
    main.set_ylabel("Latitude (degrees north)", fontsize=9)

    setup_axes(zoom, ZOOM_EXTENT, land=land, title="Levant and the Iraq-Syria border", grid_step=1)
    place_names(zoom, COUNTRY_NAMES_ZOOM)
    draw_segments(zoom, graph, width=2.6)
    draw_nodes(zoom, graph, LABELS_ZOOM, default_labels=False)
    zoom.set_xlabel("Longitude (degrees east)", fontsize=9)
    zoom.set_ylabel("Latitude (degrees north)", fontsize=9)
    crossing = zoom.inset_axes(CROSSING_INSET)
    setup_axes(crossing, CROSSING_EXTENT, land=land, title="", ticks=False)
    draw_segments(crossing, graph, width=3.0)
    draw_nodes(
        crossing,
        graph,
        {"abu_kamal": (-5, -13, "right"), "al_qaim": (7, 8, "left")},
        default_labels=False,
        size=1.1,
        fontsize=8,
    )
    crossing.text(
        0.03,
        0.95,
        "al-Qaim / Abu Kamal, enlarged",
        transform=crossing.transAxes,
        fontsize=8,
        va="top",
        fontweight="bold",
    )
    state = "" if crossing_open is None else f" ({'open' if crossing_open else 'closed'} at start)"
    crossing.text(
        0.5,
        0.78,
        f"official crossing{state}",
        transform=crossing.transAxes,
        fontsize=8,
        ha="center",
        color=MODE_COLOUR["land"],
    )
    crossing.text(
        0.5,
        0.05,
        "militia back roads",
        transform=crossing.transAxes,
        fontsize=8,
        ha="center",
        color=MODE_COLOUR["land"],
    )
    zoom.indicate_inset_zoom(crossing, edgecolor="#444444", alpha=0.9)

    setup_axes(overview, OVERVIEW_EXTENT, land=land, title="Overview: the long way round Africa", grid_step=20)
    draw_segments(overview, graph, width=1.8, arcs=False)
    draw_nodes(overview, graph, LABELS_OVERVIEW, size=0.7, default_labels=False, fontsize=8)
    frame(overview, MAIN_EXTENT, edgecolor="#444444", linewidth=0.9, linestyle=(0, (3, 2)))
    overview.set_xlabel("Longitude (degrees)", fontsize=9)
    overview.set_ylabel("Latitude (degrees)", fontsize=9)

    mode_handles = [Line2D([], [], color=MODE_COLOUR[m], linewidth=3, label=m) for m in ("air", "sea", "land")]
    mode_handles += [
        Line2D(
            [],
            [],
            color=MODE_COLOUR["land"],
            linewidth=3,
            path_effects=official_outline(3),
            label="land: official\nal-Qaim crossing",
        ),
        Line2D(
            [],
            [],
            color=MODE_COLOUR["land"],
            linewidth=3,
            linestyle=BACK_ROADS_DASH,
            label="land: militia back\nroads at al-Qaim",
        ),
    ]
    kinds = sorted({n["kind"] for _, n in graph.nodes(data=True)}, key=list(KIND_STYLE).index)
    kind_handles = [
        Line2D(
            [],
            [],
            marker=KIND_STYLE[k][0],
            markersize=KIND_STYLE[k][1] * 0.9,
            markerfacecolor=KIND_STYLE[k][2],
            markeredgecolor="#222222",
            linestyle="none",
            label=KIND_LABEL[k],
        )
        for k in kinds
    ]
    first = key.legend(
        handles=mode_handles,
        loc="upper left",
        fontsize=9,
        title="Segments, by mode",
        title_fontsize=10,
        frameon=False,
        alignment="left",
        handlelength=2.6,
    )
    key.add_artist(first)
    key.legend(
        handles=kind_handles,
        loc="lower left",
        fontsize=9,
        title="Nodes, by kind",
        title_fontsize=10,
        frameon=False,
        alignment="left",
    )

    fig.suptitle(
        f"corridor_sim: the {spec.name} network of Iran's supply corridors to Syria and Lebanon",
        x=0.045,
        y=0.975,
        ha="left",
        fontsize=15,
        fontweight="bold",
    )
    fig.text(
        0.045,
        0.918,
        f"{len(spec.nodes)} nodes at their real coordinates, {len(spec.segments)} segments, "
        f"{len(spec.routes)} routes. Sea legs are drawn through display waypoints; the model knows only "
        "each segment's ends, transit days and distance.",
        fontsize=10,
        color="#333333",
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=150)
    plt.close(fig)
    return out


def _lever_value(spec, actor: str, lever: str) -> float | None:
    try:
        value = spec.actors[actor].levers[lever].value
    except KeyError:
        return None
    return float(value) if isinstance(value, (int, float)) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Draw a scenario's corridor network as a static map.")
    parser.add_argument("scenario", nargs="?", default=None, help="scenario YAML file (default: the shipped baseline)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "corridor_map.png", help="PNG to write")
    args = parser.parse_args(argv)
    print(f"wrote {draw(args.scenario, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
