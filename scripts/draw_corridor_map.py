"""Draw the corridor network of a scenario as a static map: docs/corridor_map.png.

Usage (from the repository root):

    .venv/bin/python scripts/draw_corridor_map.py [SCENARIO] [--out docs/corridor_map.png]

SCENARIO defaults to the shipped baseline. The map needs matplotlib and
nothing else: no tiles, no network, no GIS packages. Nodes sit at their
latitude and longitude from the scenario and segments are coloured by mode.
Sea segments are drawn through a few display waypoints so they stay at sea
(the model itself knows only a segment's end nodes, transit days and
distance). The land outlines are Natural Earth 1:110m admin-0 countries
(public domain, naturalearthdata.com), simplified and clipped to the map's
extent, embedded at the end of this file.
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

from corridor_sim.network import build_graph
from corridor_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]

# One colour per mode (Okabe-Ito, readable by colour-blind viewers).
MODE_COLOUR = {"air": "#0072B2", "sea": "#009E73", "land": "#D55E00"}
KIND_STYLE = {  # marker, size, face colour
    "origin": ("*", 15, "#222222"),
    "hub": ("s", 7, "#222222"),
    "airport": ("^", 8, "#222222"),
    "port": ("D", 7, "#222222"),
    "border_crossing": ("X", 9, "#222222"),
    "chokepoint": ("o", 7, "white"),
    "destination": ("o", 12, "#CC0033"),
}
KIND_LABEL = {"origin": "origin", "hub": "hub", "airport": "airport", "port": "port",
              "border_crossing": "border crossing", "chokepoint": "chokepoint", "destination": "destination"}

# The two ways across the border at al-Qaim / Abu Kamal are told apart by line style:
# the official crossing outlined, the militia back roads dashed.
OFFICIAL_CROSSING = "official_al_qaim_abu_kamal"
BACK_ROADS = "backroads_al_qaim_abu_kamal"
BACK_ROADS_DASH = (0, (4, 2))


def official_outline(width: float) -> list:
    return [patheffects.withStroke(linewidth=width + 2.5, foreground="#5A2A00")]


# Display waypoints (lon, lat) between a sea segment's end nodes, so the line stays at sea.
SEA_WAYPOINTS = {
    "sea_hormuz_bab_el_mandeb": [(56.6, 26.4), (57.8, 25.0), (59.9, 22.6), (57.5, 18.0), (52.0, 14.0), (47.5, 12.6)],
    "sea_red_sea": [(42.3, 14.6), (40.0, 17.6), (38.3, 20.7), (36.6, 23.7), (34.6, 26.8), (33.0, 28.8)],
    "sea_hormuz_cape": [(56.6, 26.4), (57.8, 25.0), (59.9, 22.6), (58.0, 14.0), (52.0, 2.0), (44.0, -10.0),
                        (42.0, -18.0), (36.5, -26.5), (28.0, -34.5)],
    "sea_cape_gibraltar": [(12.0, -30.0), (4.0, -18.0), (-4.0, -4.0), (-19.0, 8.0), (-20.5, 20.0), (-13.5, 29.5),
                           (-8.0, 35.5)],
    "sea_gibraltar_tartus": [(0.0, 36.6), (11.6, 37.3), (20.0, 34.2), (31.0, 34.0)],
}
# Arc bend (matplotlib arc3 rad) for segments drawn side by side with others.
ARC = {"air_tehran_damascus": 0.18, "air_tehran_t4": 0.27, OFFICIAL_CROSSING: 0.45, BACK_ROADS: -0.45}

# Where each node's label goes, per panel: (dx, dy) in points, horizontal alignment[, shorter text];
# None: no label in that panel.
LABELS_MAIN = {
    "tehran": (8, 6, "left"), "bandar_abbas": (8, -12, "left"), "baghdad": (6, -14, "left"),
    "bab_el_mandeb": (8, -4, "left"), "suez": (-8, -12, "right"), "port_said": (-8, 4, "right"),
    "al_qaim": None, "abu_kamal": None, "t4": None, "damascus_airport": None, "damascus": None,
    "beirut": None, "tartus": None, "latakia": None,
}
LABELS_ZOOM = {
    "latakia": (-8, 4, "right"), "tartus": (-8, 6, "right"), "beirut": (-8, 4, "right"), "damascus": (-9, -5, "right"),
    "damascus_airport": (8, -8, "left", "Damascus airport"), "t4": (0, 10, "center"), "abu_kamal": (-6, 9, "right"),
    "al_qaim": (6, -14, "left"), "baghdad": (-8, -14, "right"),
}
LABELS_OVERVIEW = {"cape_good_hope": (8, -6, "left"), "gibraltar": (6, 6, "left"), "bandar_abbas": (6, -10, "left"),
                   "tehran": (6, 4, "left")}

# Faint place names (name, lon, lat) for orientation: countries upright, seas in italics.
COUNTRY_NAMES_MAIN = [("IRAN", 54.5, 31.5), ("IRAQ", 43.3, 31.2), ("SAUDI ARABIA", 44.5, 24.0), ("EGYPT", 31.8, 25.5),
                      ("SYRIA", 39.0, 37.8), ("TURKEY", 35.5, 38.8)]
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
    """The embedded land outlines: list of (iso code, [(lon, lat), ...])."""
    rings, joined = [], []
    for line in _COUNTRIES.strip("\n").split("\n"):
        if line.startswith(" "):
            joined[-1] += " " + line.strip()
        else:
            joined.append(line)
    for line in joined:
        iso, *pairs = line.split()
        rings.append((iso, [tuple(map(float, p.split(","))) for p in pairs]))
    return rings


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
        ax.text(lon, lat, text, fontsize=9, color="#8A8478", ha="center", va="center", zorder=1,
                style="italic" if italic else "normal")


def draw_segments(ax, graph, *, width=2.2, arcs=True):
    """Each segment as a line coloured by its mode; arcs=False draws every segment straight."""
    for u, v, sid, seg in graph.edges(keys=True, data=True):
        a, b = graph.nodes[u], graph.nodes[v]
        colour = MODE_COLOUR[seg["mode"]]
        if sid in SEA_WAYPOINTS:
            lons, lats = zip(*[(a["lon"], a["lat"]), *SEA_WAYPOINTS[sid], (b["lon"], b["lat"])], strict=True)
            ax.plot(lons, lats, color=colour, linewidth=width, solid_capstyle="round", zorder=2)
            continue
        ax.add_patch(FancyArrowPatch(
            (a["lon"], a["lat"]), (b["lon"], b["lat"]), arrowstyle="-",
            connectionstyle=f"arc3,rad={ARC.get(sid, 0.0) if arcs else 0.0}", color=colour, linewidth=width,
            linestyle=BACK_ROADS_DASH if sid == BACK_ROADS else "solid",
            path_effects=official_outline(width) if sid == OFFICIAL_CROSSING else None,
            zorder=2.5 if sid == OFFICIAL_CROSSING else 2, shrinkA=0, shrinkB=0))


def draw_nodes(ax, graph, labels, *, size=1.0, default_labels=True, fontsize=10):
    for nid, node in graph.nodes(data=True):
        marker, ms, face = KIND_STYLE[node["kind"]]
        ax.plot(node["lon"], node["lat"], marker=marker, markersize=ms * size, markerfacecolor=face,
                markeredgecolor="#222222", markeredgewidth=0.8, linestyle="none", zorder=4)
        spec = labels.get(nid, (6, 4, "left") if default_labels else None)
        if spec is None:
            continue
        dx, dy, ha, *text = spec
        ax.annotate(text[0] if text else node["name"], (node["lon"], node["lat"]), xytext=(dx, dy),
                    textcoords="offset points", ha=ha, va="center", fontsize=fontsize, zorder=5,
                    bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.75))


def frame(ax, extent, **style):
    lon0, lon1, lat0, lat1 = extent
    ax.add_patch(Rectangle((lon0, lat0), lon1 - lon0, lat1 - lat0, fill=False, zorder=6, **style))


def draw(scenario: str | None, out: Path) -> Path:
    spec = load_scenario(scenario)
    graph = build_graph(spec)
    land = countries()
    crossing_open = _lever_value(spec, "iraq", "official_crossing_open")

    fig = plt.figure(figsize=(16, 9), dpi=150)
    grid = fig.add_gridspec(2, 3, width_ratios=[1.1, 0.62, 0.42], height_ratios=[1.0, 1.05],
                            left=0.045, right=0.985, top=0.875, bottom=0.065, wspace=0.16, hspace=0.24)
    main = fig.add_subplot(grid[:, 0])
    zoom = fig.add_subplot(grid[0, 1:])
    overview = fig.add_subplot(grid[1, 1])
    key = fig.add_subplot(grid[1, 2])
    key.axis("off")

    setup_axes(main, MAIN_EXTENT, land=land, title="Middle East: air bridge, land bridge through Iraq, sea via Suez",
               grid_step=5)
    place_names(main, COUNTRY_NAMES_MAIN)
    place_names(main, SEA_NAMES_MAIN, italic=True)
    draw_segments(main, graph, width=2.4)
    draw_nodes(main, graph, LABELS_MAIN)
    frame(main, ZOOM_EXTENT, edgecolor="#444444", linewidth=1.0, linestyle=(0, (3, 2)))
    main.annotate("Levant and al-Qaim: enlarged at right", (ZOOM_EXTENT[0], ZOOM_EXTENT[3]), xytext=(0, 4),
                  textcoords="offset points", fontsize=8, ha="left", va="bottom", color="#444444")
    main.annotate("to the Cape of Good Hope\n(round Africa: lower right)", (57.4, 15.0), xytext=(-6, 0),
                  textcoords="offset points", fontsize=8, ha="right", va="center", color=MODE_COLOUR["sea"])
    main.text(30.3, 34.35, "from Gibraltar\n(round Africa)", fontsize=8, ha="left", va="bottom",
              color=MODE_COLOUR["sea"])
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
    draw_nodes(crossing, graph, {"abu_kamal": (-5, -13, "right"), "al_qaim": (7, 8, "left")}, default_labels=False,
               size=1.1, fontsize=8)
    crossing.text(0.03, 0.95, "al-Qaim / Abu Kamal, enlarged", transform=crossing.transAxes, fontsize=8, va="top",
                  fontweight="bold")
    state = "" if crossing_open is None else f" ({'open' if crossing_open else 'closed'} at start)"
    crossing.text(0.5, 0.78, f"official crossing{state}", transform=crossing.transAxes, fontsize=8,
                  ha="center", color=MODE_COLOUR["land"])
    crossing.text(0.5, 0.05, "militia back roads", transform=crossing.transAxes, fontsize=8, ha="center",
                  color=MODE_COLOUR["land"])
    zoom.indicate_inset_zoom(crossing, edgecolor="#444444", alpha=0.9)

    setup_axes(overview, OVERVIEW_EXTENT, land=land, title="Overview: the long way round Africa", grid_step=20)
    draw_segments(overview, graph, width=1.8, arcs=False)
    draw_nodes(overview, graph, LABELS_OVERVIEW, size=0.7, default_labels=False, fontsize=8)
    frame(overview, MAIN_EXTENT, edgecolor="#444444", linewidth=0.9, linestyle=(0, (3, 2)))
    overview.set_xlabel("Longitude (degrees)", fontsize=9)
    overview.set_ylabel("Latitude (degrees)", fontsize=9)

    mode_handles = [Line2D([], [], color=MODE_COLOUR[m], linewidth=3, label=m) for m in ("air", "sea", "land")]
    mode_handles += [
        Line2D([], [], color=MODE_COLOUR["land"], linewidth=3, path_effects=official_outline(3),
               label="land: official\nal-Qaim crossing"),
        Line2D([], [], color=MODE_COLOUR["land"], linewidth=3, linestyle=BACK_ROADS_DASH,
               label="land: militia back\nroads at al-Qaim"),
    ]
    kinds = sorted({n["kind"] for _, n in graph.nodes(data=True)}, key=list(KIND_STYLE).index)
    kind_handles = [Line2D([], [], marker=KIND_STYLE[k][0], markersize=KIND_STYLE[k][1] * 0.9,
                           markerfacecolor=KIND_STYLE[k][2], markeredgecolor="#222222", linestyle="none",
                           label=KIND_LABEL[k]) for k in kinds]
    first = key.legend(handles=mode_handles, loc="upper left", fontsize=9, title="Segments, by mode",
                       title_fontsize=10, frameon=False, alignment="left", handlelength=2.6)
    key.add_artist(first)
    key.legend(handles=kind_handles, loc="lower left", fontsize=9, title="Nodes, by kind", title_fontsize=10,
               frameon=False, alignment="left")

    fig.suptitle(f"corridor_sim: the {spec.name} network of Iran's supply corridors to Syria and Lebanon",
                 x=0.045, y=0.975, ha="left", fontsize=15, fontweight="bold")
    fig.text(0.045, 0.918, f"{len(spec.nodes)} nodes at their real coordinates, {len(spec.segments)} segments, "
             f"{len(spec.routes)} routes. Sea legs are drawn through display waypoints; the model knows only "
             "each segment's ends, transit days and distance.", fontsize=10, color="#333333")
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


# Natural Earth 1:110m admin-0 countries (public domain), one ring per entry: ISO code, then lon,lat pairs;
# simplified (Douglas-Peucker, 0.05 degrees near the Middle East, 0.5 elsewhere) and clamped to 22W-66E, 38S-46N.
_COUNTRIES = """
TZA 33.9,-1 39.2,-4.7 39.2,-8.5 40.3,-10.3 39.5,-10.9 34.6,-11.5 33.7,-9.4 30.7,-8.3 29.6,-6.5 29.3,-4.5 30.8,-3.4
  30.4,-1.1 33.9,-1
ESH -8.7,27.7 -8.7,25.9 -12,25.9 -11.9,23.4 -12.9,23.3 -12.9,21.3 -17.1,21 -14.8,21.5 -11.4,26.9 -8.7,27.7
KAZ 66,46 66,40.7 66,43 64.9,43.7 63.2,43.7 62,43.5 61.1,44.4 58.5,45.6 55.9,45 56,41.3 55.5,41.3 54.8,42 54.1,42.3
  52.9,42.1 52.5,41.8 52.4,42 52.7,42.4 52.5,42.8 51.3,43.1 50.9,44 50.3,44.3 50.3,44.6 51.3,44.5 51.3,45.2 52.2,45.4
  53,45.3 53.2,46 46.5,46 66,46
UZB 56,41.3 55.9,45 58.5,45.6 61.1,44.4 62,43.5 63.2,43.7 64.9,43.7 66,43 66,37.1 66,38 64.2,38.9 62.4,40.1
  61.9,41.1 61.5,41.3 60.5,41.2 60.1,41.4 60,42.2 58.6,42.8 57.8,42.2 56.9,41.8 57.1,41.3 56,41.3
COD 29.3,-4.5 30.7,-8.3 28.7,-8.5 28.4,-11.8 29.6,-12.2 29.7,-13.3 27.2,-11.6 22.2,-11.1 21.7,-7.3 20.1,-6.9 19,-8
  17.5,-8.1 16.3,-5.9 12.2,-5.8 13.6,-4.5 14.6,-5 16,-3.5 17.6,-0.4 18.5,4.2 19.5,5 22.4,4 25.7,5.3 27.4,5.2 28.4,4.3
  29.7,4.6 31.2,2.2 29.9,0.6 29.3,-4.5
SOM 41.6,-1.7 41,-0.9 41,2.8 42.1,4.2 42.8,4.3 43.7,5 45,5 47.8,8 48.9,9.5 48.9,11.4 50.3,11.7 50.7,12 51.1,12
  51,10.6 50.8,10.3 50.6,9.2 49.5,6.8 48.6,5.3 46.6,2.9 45.6,2 44.1,1.1 43.1,0.3 42,-0.9 41.8,-1.4 41.6,-1.7
KEN 39.2,-4.7 33.9,-1 35,1.9 34,4.2 35.3,5.5 38.1,3.6 41.9,3.9 41,2.8 41.6,-1.7 39.2,-4.7
SDN 24.6,8.2 23.8,8.7 23.5,9 23.4,9.3 23.6,9.7 23.6,10.1 23,10.7 22.9,11.4 22.5,11.7 22.5,12.3 22.3,12.6 21.9,12.6
  22,13 22.3,13.4 22.2,13.8 22.5,14.1 22.3,14.3 22.6,14.9 23,15.7 23.9,15.6 23.9,20 25,20 25,22 36.9,22 37.2,21
  37,20.8 37.1,19.8 37.5,18.6 38.4,18 37.9,17.4 37.2,17.3 36.9,17 36.8,16.3 36.3,14.8 36.4,14.4 36.3,13.6 35.9,12.6
  35.3,12.1 34.8,11.3 34.7,10.9 34.3,10.6 34,9.6 34,8.7 34,9.5 33.8,9.5 33.8,10 33.7,10.3 33.2,10.7 33.1,11.4
  33.2,12.2 32.7,12.2 32.7,12 32.1,12 32.3,11.7 32.4,11.1 31.9,10.5 31.4,9.8 30.8,9.7 30,10.3 29.6,10.1 29.5,9.8
  29,9.6 29,9.4 28,9.4 27.8,9.6 27.1,9.6 26.8,9.5 26.5,9.6 25.8,10.4 25.1,10.3 24.8,9.8 24.5,8.9 23.9,8.6 24.6,8.2
TCD 23.8,19.6 23.9,15.6 23,15.7 21.9,12.6 22.9,11.1 18,7.9 15.3,7.4 14,9.5 15.5,10 14.6,13.3 13.5,14.4 15.2,16.6
  15.9,20.4 14.9,22.9 15.9,23.4 23.8,19.6
RUS 48.6,45.8 47.7,45.6 46.7,44.6 47.6,43.7 47.5,43 48.6,41.8 48,41.4 47.8,41.2 47.4,41.2 46.7,41.8 45.8,42.1
  45.5,42.5 44.5,42.7 43.9,42.6 43.8,42.7 42.4,43.2 40.1,43.6 40,43.4 38.7,44.3 37.5,44.7 36.7,45.2 37.4,45.4 38.2,46
  37.7,46 40.1,46 27.3,46 66,46 66,42.2 66,46 46.5,46 49.1,46 48.6,45.8
ZAF 16.3,-28.6 16.8,-28.1 18.5,-29 19.9,-28.5 19.9,-24.8 20.9,-26.8 21.6,-26.7 23.3,-25.3 25.7,-25.5 29.4,-22.1
  31.2,-22.3 31.9,-24.4 31.8,-25.8 31,-25.7 30.7,-26.7 31.3,-27.3 32.8,-26.7 32.2,-28.8 28.2,-32.8 25.8,-33.9
  22.6,-33.9 20.1,-34.8 18.4,-34.1 18.2,-31.7 16.3,-28.6
ZAF 29,-29 27,-29.9 28.1,-30.5 29,-29
LSO 29,-29 28.1,-30.5 27,-29.9 29,-29
FRA 6.2,46 8.1,46 6,46 6.8,46 7.4,43.7 1.8,42.3 -1.9,43.4 -1.2,46 -4.6,46 6.2,46
FRA 8.7,42.6 9.4,43 9.2,41.4 8.7,42.6
ZWE 31.2,-22.3 28,-21.5 25.3,-17.7 27,-17.9 30.3,-15.5 32.8,-16.7 32.7,-20.3 31.2,-22.3
BWA 29.4,-22.1 25.7,-25.5 23.3,-25.3 21.6,-26.7 20.9,-26.8 19.9,-24.8 19.9,-21.8 20.9,-21.8 20.9,-18.3 25.3,-17.7
  28,-21.5 29.4,-22.1
NAM 19.9,-24.8 19.9,-28.5 18.5,-29 16.8,-28.1 16.3,-28.6 15.2,-27.1 14.3,-22.1 11.7,-17.3 25.1,-17.6 20.9,-18.3
  20.9,-21.8 19.9,-21.8 19.9,-24.8
SEN -16.7,13.6 -17.6,14.7 -16.1,16.5 -14.6,16.6 -12.2,14.6 -11.5,12.4 -16.7,12.4 -16.8,13.2 -13.8,13.5 -16.7,13.6
MLI -11.5,12.4 -12.2,14.6 -11.7,15.4 -5.5,15.5 -6.5,25 -4.9,25 3.1,19.7 3.2,19.1 4.3,19.2 3.6,15.6 -1.1,15 -4,13.5
  -5.4,10.4 -8,10.2 -9.1,12.3 -10.2,11.8 -11.5,12.4
MRT -17.1,21 -12.9,21.3 -12.9,23.3 -11.9,23.4 -12,25.9 -8.7,25.9 -8.7,27.4 -4.9,25 -6.5,25 -5.5,15.5 -11.7,15.4
  -12.2,14.6 -14.6,16.6 -16.5,16.1 -16.3,20.1 -17.1,21
BEN 2.7,6.3 1.9,6.1 1.7,9.1 0.8,10.5 2.8,12.2 3.8,10.7 2.7,8.5 2.7,6.3
NER 14.9,22.9 15.9,20.4 15.2,16.6 13.5,14.4 14.6,13.3 14.2,12.5 13.1,13.6 9,12.8 5.4,13.9 4.1,13.5 3.6,11.7 1,12.9
  0.4,14.9 3.6,15.6 4.3,19.2 12,23.5 14.1,22.5 14.9,22.9
NGA 2.7,6.3 4.4,13.7 9,12.8 13.1,13.6 14.6,12.1 11.7,7 9.2,6.4 8.5,4.8 5.9,4.3 4.3,6.3 2.7,6.3
CMR 14.5,12.9 15.5,10 14,9.5 15.4,7.7 14.5,4.7 15.9,1.7 9.6,2.3 8.5,4.5 8.8,5.5 10.1,7 11.7,7 14.5,12.9
TGO 0.9,11 1.9,6.1 1.1,5.9 -0,10.7 0.9,11
GHA 0,11 1.1,5.9 -2.9,5 -2.9,11 0,11
CIV -8,10.2 -6.2,10.5 -2.8,9.6 -2.9,5 -7.7,4.4 -7.6,5.7 -8.6,6.5 -8,10.2
GIN -13.7,12.6 -10.2,11.8 -9.1,12.3 -8,10.2 -8.3,7.7 -9.2,7.3 -9.8,8.5 -10.5,8.3 -11.1,10 -13.2,8.9 -15.1,11
  -13.7,12.6
GNB -16.7,12.4 -13.7,12.6 -13.7,11.8 -15.1,11 -16.7,12.4
LBR -8.4,7.7 -7.7,4.4 -11.4,6.8 -10.2,8.4 -9.2,7.3 -8.4,7.7
SLE -13.2,8.9 -11.1,10 -10.2,8.4 -11.4,6.8 -13.2,8.9
BFA -5.4,10.4 -4.3,13.2 -1.1,15 0.4,14.9 1,12.9 2.2,12.6 0.9,11 -2.9,11 -2.8,9.6 -5.4,10.4
CAF 27.4,5.2 24.4,5.1 22.4,4 19.5,5 18.5,3.5 17.1,3.7 16,2.3 14.5,5.5 15.3,7.4 18,7.9 22.9,11.1 23.5,9 27.4,5.2
COG 18.5,3.5 17.6,-0.4 16,-3.5 14.6,-5 12.6,-4.4 11.9,-5 11.1,-4 11.9,-3.4 11.5,-2.8 12.6,-1.9 14,-2.5 14.4,-1.3
  13.8,0 14.3,1.2 13.3,1.3 13.1,2.3 15.9,1.7 17.1,3.7 18.5,3.5
GAB 11.3,2.3 13,2.3 13.3,1.3 14.3,1.2 13.8,0 14.4,-1.3 14,-2.5 12.6,-1.9 11.5,-2.8 11.9,-3.4 11.1,-4 8.8,-1.1 9.5,1
  11.3,1.1 11.3,2.3
GNQ 9.6,2.3 11.3,2.3 11.3,1.1 9.5,1 9.6,2.3
ZMB 30.7,-8.3 33.2,-9.7 32.7,-13.7 33.2,-14 30.2,-14.8 30.3,-15.5 27,-17.9 23.2,-17.5 21.9,-16.1 21.9,-12.9 24,-12.9
  23.9,-10.9 27.2,-11.6 29.7,-13.3 29.6,-12.2 28.4,-11.8 28.4,-9.2 29,-8.4 30.7,-8.3
MWI 32.8,-9.2 34.3,-10.2 34.6,-13.6 35.7,-14.6 35,-16.8 34.5,-14.6 32.7,-13.7 33.5,-10.5 32.8,-9.2
MOZ 34.6,-11.5 37.5,-11.6 40.3,-10.3 40.8,-14.7 39.5,-16.7 34.8,-19.8 35.5,-24.1 33,-25.4 32.8,-26.7 32.1,-26.7
  31.2,-22.3 32.7,-20.3 32.8,-16.7 30.3,-15.9 30.2,-14.8 33.2,-14 34.5,-14.6 35,-16.8 35.7,-14.6 34.6,-13.6 34.6,-11.5
SWZ 32.1,-26.7 31.3,-27.3 30.7,-26.7 31,-25.7 32.1,-26.7
AGO 13,-4.8 12.2,-5.8 11.9,-5 13,-4.8
AGO 12.3,-6.1 16.3,-5.9 17.5,-8.1 19,-8 20.1,-6.9 21.7,-7.3 22.2,-11.1 24,-11.2 24,-12.9 21.9,-12.9 21.9,-16.1
  23.2,-17.5 11.7,-17.3 13.7,-11.3 12.3,-6.1
BDI 30.5,-2.4 30.8,-3.4 29.3,-4.5 29,-2.8 30.5,-2.4
ISR 35.7,32.7 35.5,32.4 35.2,32.5 35,31.9 35.2,31.8 35,31.6 34.9,31.4 35.4,31.5 35.4,31.1 34.9,29.5 34.3,31.2
  34.6,31.5 34.5,31.6 34.8,32.1 35,32.8 35.1,33.1 35.5,33.1 35.6,33.3 35.8,33.3 35.8,32.9 35.7,32.7
LBN 35.8,33.3 35.6,33.3 35.5,33.1 35.1,33.1 35.5,33.9 36,34.6 36.4,34.6 36.6,34.2 36.1,33.8 35.8,33.3
MDG 49.5,-12.5 50.4,-15.7 49.7,-15.7 47.1,-24.9 45.4,-25.6 44,-25 43.3,-22.8 44.5,-19.4 44,-17.4 44.4,-16.2
  46.3,-15.8 49.2,-12 49.5,-12.5
PSE 35.4,31.5 34.9,31.4 35,31.6 35.2,31.8 35,31.9 35.2,32.5 35.5,32.4 35.5,31.8 35.4,31.5
TUN 9.5,30.3 7.5,34.1 8.4,36.9 9.5,37.3 10.2,36.7 11,37.1 10.1,34.3 11.5,33.1 9.5,30.3
DZA -8.7,27.4 -8.7,28.8 -1.3,32.3 -2.2,35.2 -1.2,35.7 1.5,36.6 8.4,36.9 7.5,34.1 9.1,32.1 9.8,29.4 9.3,26.1
  10.3,24.4 12,23.5 5.7,19.6 3.2,19.1 3.1,19.7 -8.7,27.4
JOR 35.5,32.4 35.7,32.7 36.8,32.3 38.8,33.4 39.2,32.2 39,32 37,31.5 38,30.5 37.7,30.3 37.5,30 36.7,29.9 36.5,29.5
  36.1,29.2 35,29.4 34.9,29.5 35.4,31.1 35.4,31.5 35.5,31.8 35.5,32.4
ARE 51.6,24.2 51.8,24.3 51.8,24 52.6,24.2 54,24.1 56.1,26.1 56.3,25.7 56.4,24.9 55.9,24.9 55.8,24.3 56,24.1
  55.5,23.9 55.5,23.5 55.2,23.1 55.2,22.7 55,22.5 52,23 51.6,24.2
QAT 50.8,24.8 50.7,25.5 51,26 51.3,26.1 51.6,25.8 51.6,25.2 51.4,24.6 51.1,24.6 50.8,24.8
KWT 48,30 48.2,29.5 48.1,29.3 48.4,28.6 47.7,28.5 47.5,29 46.6,29.1 47.3,30.1 48,30
IRQ 39.2,32.2 38.8,33.4 41,34.4 41.4,35.6 41.3,36.4 41.8,36.6 42.3,37.2 42.8,37.4 43.9,37.3 44.3,37 44.8,37.2
  45.4,36 46.1,35.7 46.2,35.1 45.6,34.7 45.4,34 46.1,33 47.3,32.5 47.8,31.7 47.7,31 48,31 48,30.5 48.6,29.9 47.3,30.1
  46.6,29.1 44.7,29.2 41.9,31.2 40.4,31.9 39.2,32.2
OMN 55.2,22.7 55.2,23.1 55.5,23.5 55.5,23.9 56,24.1 55.8,24.3 55.9,24.9 56.4,24.9 56.8,24.2 57.4,23.9 58.7,23.6
  59.5,22.7 59.8,22.5 59.8,22.3 59.3,21.4 58.9,21.1 58.5,20.4 58,20.5 57.8,20.2 57.7,19.7 57.8,19.1 57.7,18.9
  57.2,18.9 56.6,18.6 56.5,18.1 56.3,17.9 55.7,17.9 55.3,17.6 55.3,17.2 54.8,17 54.2,17 53.6,16.7 53.1,16.7 52,19
  55,20 55.7,22 55.2,22.7
OMN 56.3,25.7 56.1,26.1 56.4,26.4 56.5,26.3 56.4,25.9 56.3,25.7
PAK 66,35.5 66,23.7 66,25.4 64.5,25.2 62.9,25.2 61.5,25.1 61.9,26.2 63.3,26.8 63.2,27.2 62.8,27.4 62.7,28.3
  61.8,28.7 61.4,29.3 60.9,29.8 62.5,29.3 63.6,29.5 64.1,29.3 64.4,29.6 65,29.5 66,29.9 66,35.5
AFG 66,37.4 66,29.9 65,29.5 64.4,29.6 64.1,29.3 63.6,29.5 62.5,29.3 60.9,29.8 61.8,30.7 61.7,31.4 60.9,31.5
  60.9,32.2 60.5,33 61,33.5 60.5,33.7 61.2,35.7 62.2,35.3 63,35.4 63.2,35.9 64,36 64.5,36.3 64.7,37.1 65.6,37.3
  65.7,37.7 66,37.4
TKM 52.5,41.8 52.9,42.1 54.1,42.3 54.8,42 55.5,41.3 57.1,41.3 56.9,41.8 57.8,42.2 58.6,42.8 60,42.2 60.1,41.4
  60.5,41.2 61.5,41.3 61.9,41.1 62.4,40.1 64.2,38.9 66,38 66,37.4 65.7,37.7 65.6,37.3 64.7,37.1 64.5,36.3 64,36
  63.2,35.9 63,35.4 62.2,35.3 61.2,35.7 61.1,36.5 60.4,36.5 59.2,37.4 58.4,37.5 57.3,38 56.6,38.1 56.2,37.9 55.5,38
  54.8,37.4 53.9,37.2 53.7,37.9 53.9,39 53.1,39.3 53.4,40 52.7,40 52.9,40.9 53.9,40.6 54.7,41 54,41.6 53.7,42.1
  52.9,41.9 52.8,41.1 52.5,41.8
IRN 48.6,29.9 48,30.5 48,31 47.7,31 47.8,31.7 47.3,32.5 46.1,33 45.4,34 45.6,34.7 46.2,35.1 46.1,35.7 45.4,36
  44.8,37.2 44.2,38 44.4,38.3 44.1,39.4 44.8,39.7 45,39.3 45.5,38.9 46.1,38.7 46.5,38.8 47.7,39.5 48.1,39.6 48.4,39.3
  48,38.8 48.6,38.3 48.9,38.3 49.2,37.6 50.1,37.4 50.8,36.9 52.3,36.7 53.8,37 53.9,37.2 54.8,37.4 55.5,38 56.2,37.9
  56.6,38.1 57.3,38 58.4,37.5 59.2,37.4 60.4,36.5 61.1,36.5 61.2,35.7 60.5,33.7 61,33.5 60.5,33 60.9,32.2 60.9,31.5
  61.7,31.4 61.8,30.7 60.9,29.8 61.4,29.3 61.8,28.7 62.7,28.3 62.8,27.4 63.2,27.2 63.3,26.8 61.9,26.2 61.5,25.1
  58.5,25.6 57.4,25.7 57,27 56.5,27.1 55.7,27 54.7,26.5 53.5,26.8 52.5,27.6 51.5,27.9 50.9,28.8 50.1,30.1 49.6,30
  48.9,30.3 48.6,29.9
SYR 35.7,32.7 35.8,32.9 35.8,33.3 36.1,33.8 36.6,34.2 36.4,34.6 36,34.6 35.9,35.4 36.1,35.8 36.7,36.3 36.7,36.8
  37.1,36.6 38.2,36.9 38.7,36.7 39.5,36.7 40.7,37.1 41.2,37.1 42.3,37.2 41.8,36.6 41.3,36.4 41.4,35.6 41,34.4
  38.8,33.4 36.8,32.3 35.7,32.7
ARM 46.5,38.8 46.1,38.7 45.7,39.3 45.7,39.5 45.3,39.5 45,39.7 44.8,39.7 44.4,40 43.7,40.3 43.8,40.7 43.6,41.1
  45,41.2 45.2,41 45.6,40.8 45.4,40.6 45.9,40.2 45.6,39.9 46,39.6 46.5,39.5 46.5,38.8
UKR 32.2,46 40.1,46 35,46 36.3,45.1 33.9,44.4 32.5,45.3 33.3,46 30.4,46 29.6,45.3 28.2,45.5 30,46 22.1,46 32.2,46
MDA 26.6,46 30,46 28.2,45.5 26.6,46
ROU 28.2,45.5 29.6,45.3 28.6,43.7 24.1,43.7 22.9,43.8 20.2,46 28.2,46 28.2,45.5
BGR 22.7,44.2 22.9,43.8 23.3,43.9 24.1,43.7 25.6,43.7 26.1,43.9 27.2,44.2 28,43.8 28.6,43.7 28,43.3 27.7,42.6 28,42
  27.1,42.1 26.1,41.8 26.1,41.3 25.2,41.2 24.5,41.6 23.7,41.3 23,41.3 22.9,42 22.4,42.3 22.5,42.5 22.4,42.6 22.6,42.9
  23,43.2 22.5,43.6 22.4,44 22.7,44.2
GRC 23,41.3 26.6,41.6 26.1,40.8 23.7,40.7 24.4,40.1 22.6,40.3 24,37.7 23.1,37.9 23.2,36.4 22.5,36.4 20.2,39.6
  21,40.8 23,41.3
TUR 44.8,37.2 44.3,37 43.9,37.3 42.8,37.4 42.3,37.2 41.2,37.1 40.7,37.1 39.5,36.7 38.7,36.7 38.2,36.9 37.1,36.6
  36.7,36.8 36.7,36.3 36.1,35.8 35.8,36.3 36.2,36.7 35.6,36.6 34.7,36.8 34,36.2 32.5,36.1 31.7,36.6 30.6,36.7
  30.4,36.3 29.7,36.1 28.7,36.7 27.6,36.7 27,37.7 26.3,38.2 26.8,39 26.2,39.5 27.3,40.4 28.8,40.5 29.2,41.2 31.1,41.1
  32.3,41.7 33.5,42 35.2,42 36.9,41.3 38.3,40.9 39.5,41.1 40.4,41 41.6,41.5 42.6,41.6 43.6,41.1 43.8,40.7 43.7,40.3
  44.4,40 44.8,39.7 44.1,39.4 44.4,38.3 44.2,38 44.8,37.2
TUR 26.1,41.8 27.1,42.1 28,42 28.1,41.6 29,41.3 28.8,41.1 27.6,41 26.4,40.2 26,40.6 26.1,40.8 26.3,40.9 26.6,41.6
  26.1,41.8
ALB 21,40.8 20.2,39.6 19.4,40.3 19.7,42.7 21,40.8
HRV 16.6,46 18.8,45.9 19.4,45.2 15.8,44.8 18.5,42.5 16,43.5 14.9,45.1 13.7,45.1 16.6,46
PRT -9,41.9 -8.3,42.3 -6.4,41.4 -7.5,39.6 -7,38.1 -7.9,36.8 -8.9,36.9 -8.8,38.3 -9.5,38.7 -9,41.9
ESP -7.5,37.1 -7.5,39.6 -6.4,41.4 -8.3,42.3 -9,41.9 -9.4,43 -8,43.7 3,42.5 2.1,41.2 0.8,41 -0.3,39.3 0.1,38.7
  -2.1,36.7 -5.4,35.9 -7.5,37.1
ITA 10.4,46 13.8,46 12.3,45.4 12.6,44.1 18.3,39.8 16.9,40.4 17.1,38.9 15.7,37.9 16.1,39 15.4,40 11.2,42.4 10.2,43.9
  8.9,44.4 7.4,43.7 6.8,46 10.4,46
ITA 14.8,38.1 15.5,38.2 15.1,36.6 12.4,37.6 14.8,38.1
ITA 8.7,40.9 9.8,40.5 9.7,39.2 8.8,38.9 8.2,41 8.7,40.9
AZE 46.4,41.9 46.7,41.8 47.4,41.2 47.8,41.2 48,41.4 48.6,41.8 49.1,41.3 49.6,40.6 50.1,40.5 50.4,40.3 49.6,40.2
  49.4,39.4 49.2,39 48.9,38.8 48.9,38.3 48.6,38.3 48,38.8 48.4,39.3 48.1,39.6 47.7,39.5 46.5,38.8 46.5,39.5 46,39.6
  45.6,39.9 45.9,40.2 45.4,40.6 45.6,40.8 45.2,41 45,41.2 45.2,41.4 46,41.1 46.5,41.1 46.6,41.2 46.1,41.7 46.4,41.9
AZE 46.1,38.7 45.5,38.9 45,39.3 44.8,39.7 45,39.7 45.3,39.5 45.7,39.5 45.7,39.3 46.1,38.7
GEO 40,43.4 40.1,43.6 42.4,43.2 43.8,42.7 43.9,42.6 44.5,42.7 45.5,42.5 45.8,42.1 46.4,41.9 46.1,41.7 46.6,41.2
  46.5,41.1 46,41.1 45.2,41.4 45,41.2 43.6,41.1 42.6,41.6 41.6,41.5 41.7,42 41.5,42.6 40.9,43 40.3,43.1 40,43.4
SVN 13.8,46 16.6,46 15.3,45.5 13.7,45.5 13.8,46
ERI 36.4,14.4 36.3,14.8 36.8,16.3 36.9,17 37.2,17.3 37.9,17.4 38.4,18 39,16.8 39.3,15.9 39.8,15.4 41.2,14.5 42.6,13
  43.1,12.7 42.8,12.5 42.4,12.5 42,12.9 41.6,13.5 41.2,13.8 40.9,14.1 40,14.5 39.3,14.5 39.1,14.7 38.5,14.5 37.9,15
  37.6,14.2 36.4,14.4
YEM 52,19 53.1,16.7 52.4,16.4 52.2,15.9 52.2,15.6 51.2,15.2 49.6,14.7 48.7,14 48.2,13.9 47.9,14 47.4,13.6 46.7,13.4
  45.6,13.3 45.4,13 45.1,13 45,12.7 44.5,12.7 44.2,12.6 43.5,12.6 43.2,13.2 43.3,13.8 43.1,14.1 42.9,14.8 42.6,15.2
  42.8,15.3 42.7,15.7 42.8,15.9 42.8,16.3 43.2,16.7 43.1,17.1 43.4,17.6 43.8,17.3 44.1,17.4 45.2,17.4 45.4,17.3
  46.4,17.2 46.7,17.3 47,16.9 47.5,17.1 48.2,18.2 49.1,18.6 52,19
SAU 35,29.4 36.1,29.2 36.5,29.5 36.7,29.9 37.5,30 37.7,30.3 38,30.5 37,31.5 39,32 39.2,32.2 40.4,31.9 41.9,31.2
  44.7,29.2 47.5,29 47.7,28.5 48.4,28.6 48.8,27.7 49.3,27.5 49.5,27.1 50.2,26.7 50.2,26.3 50.1,25.9 50.2,25.6
  50.5,25.3 50.8,24.8 51.1,24.6 51.4,24.6 52,23 55,22.5 55.2,22.7 55.7,22 55,20 52,19 49.1,18.6 48.2,18.2 47.5,17.1
  47,16.9 46.7,17.3 46.4,17.2 45.4,17.3 45.2,17.4 44.1,17.4 43.8,17.3 43.4,17.6 43.1,17.1 43.2,16.7 42.8,16.3
  42.6,16.8 42.3,17.1 42.3,17.5 41.8,17.8 41.2,18.7 40.9,19.5 40.2,20.2 39.8,20.3 39.1,21.3 39,22 39.1,22.6 38.5,23.7
  38,24.1 37.5,24.3 37.2,24.9 37.2,25.1 36.9,25.6 36.6,25.8 36.2,26.6 35.1,28.1 34.6,28.1 35,29.4
CYN 32.7,35.1 32.9,35.4 33.7,35.4 34.6,35.7 33.9,35.2 34,35.1 33.5,35 33.4,35.2 32.9,35.1 32.7,35.1
CYP 32.7,35.1 32.9,35.1 33.4,35.2 33.5,35 33.9,35.1 34,35 33,34.6 32.5,34.7 32.3,35.1 32.7,35.1
MAR -2.2,35.2 -1.3,32.3 -8.7,28.8 -8.8,27.1 -11.4,26.9 -14.8,21.5 -17,21.4 -14.4,26.3 -9.6,29.9 -9.8,31.2 -8.7,33.2
  -6.9,34.1 -5.9,35.8 -2.2,35.2
EGY 36.9,22 25,22 25,29.2 24.7,30 25,30.7 24.8,31.1 25.2,31.6 26.5,31.6 28.9,30.9 29.7,31.2 30.1,31.5 31,31.6
  31.7,31.4 32,30.9 32.2,31.3 33,31 33.8,31 34.3,31.2 34.9,29.5 34.6,29.1 34.4,28.3 34.2,27.8 33.9,27.6 33.1,28.4
  32.4,29.9 32.3,29.8 32.7,28.7 33.3,27.7 34.1,26.1 34.8,25 35.7,23.9 35.5,23.8 35.5,23.1 36.9,22
LBY 25,22 25,20 23.8,19.6 15.9,23.4 14.1,22.5 10.3,24.4 9.3,26.1 10,31.4 11.5,33.1 15.2,32.3 15.7,31.4 19.1,30.3
  20.9,32.7 24.9,31.9 25,22
ETH 47.8,8 45,5 43.7,5 42.8,4.3 42.1,4.2 41.9,3.9 41.2,3.9 40.8,4.3 39.9,3.8 39.6,3.4 38.9,3.5 38.7,3.6 38.1,3.6
  36.9,4.4 36.2,4.4 35.8,4.8 35.8,5.3 35.3,5.5 34.7,6.6 34.3,6.8 34.1,7.2 33.6,7.7 33,7.8 33.3,8.4 33.8,8.4 34,8.7
  34,9.6 34.3,10.6 34.7,10.9 34.8,11.3 35.3,12.1 35.9,12.6 36.3,13.6 36.4,14.4 37.6,14.2 37.9,15 38.5,14.5 39.1,14.7
  39.3,14.5 40,14.5 40.9,14.1 41.2,13.8 41.6,13.5 42,12.9 42.4,12.5 41.7,11.6 41.8,11.1 42.3,11 42.6,11.1 42.8,10.9
  42.6,10.6 43.3,9.5 43.7,9.2 46.9,8 47.8,8
DJI 42.4,12.5 42.8,12.5 43.1,12.7 43.3,12.4 43.3,12 42.7,11.7 43.1,11.5 42.8,10.9 42.6,11.1 42.3,11 41.8,11.1
  41.7,11.6 42.4,12.5
SOL 48.9,11.4 48.9,9.5 47.8,8 46.9,8 43.7,9.2 43.3,9.5 42.6,10.6 43.1,11.5 43.5,11.3 43.7,10.9 44.1,10.4 44.6,10.4
  45.6,10.7 46.6,10.8 47.5,11.1 48,11.2 48.4,11.4 48.9,11.4
UGA 33.9,-1 29.6,-1.3 31.2,3.8 34,4.2 34.5,3.6 35,1.9 33.9,-1
RWA 30.4,-1.1 30.8,-2.3 29,-2.8 29.3,-1.6 30.4,-1.1
BIH 18.6,42.6 16,45.2 19.4,44.9 19.5,43.6 18.6,42.6
MKD 22.4,42.3 23,41.3 20.6,41.1 20.8,42.1 22.4,42.3
SRB 18.8,45.9 20.2,46 22.7,44.6 22.5,42.5 21.6,42.2 20.8,43.3 20.3,42.8 19.2,43.5 18.8,45.9
MNE 20.1,42.6 19.4,41.9 18.5,42.5 19.2,43.5 20.1,42.6
-99 20.6,41.9 20.1,42.6 20.6,43.2 21.8,42.7 20.6,41.9
SSD 30.8,3.5 30,4.2 29.7,4.6 29.2,4.4 28.7,4.5 28.4,4.3 28,4.4 27.2,5.6 26.5,5.9 26.2,6.5 25.8,7 25.1,7.5 25.1,7.8
  23.9,8.6 24.5,8.9 24.8,9.8 25.1,10.3 25.8,10.4 26.5,9.6 26.8,9.5 27.1,9.6 27.8,9.6 28,9.4 29,9.4 29,9.6 29.5,9.8
  29.6,10.1 30,10.3 30.8,9.7 31.4,9.8 31.9,10.5 32.4,11.1 32.3,11.7 32.1,12 32.7,12 32.7,12.2 33.2,12.2 33.1,11.4
  33.2,10.7 33.7,10.3 33.8,10 33.8,9.5 34,9.5 34,8.7 33.8,8.4 33.3,8.4 33,7.8 33.6,7.7 34.1,7.2 34.3,6.8 34.7,6.6
  35.3,5.5 34,4.2 33.4,3.8 32.7,3.8 31.9,3.6 31.2,3.8 30.8,3.5
"""

if __name__ == "__main__":
    sys.exit(main())
