"""One look for every figure: colours per mode, route and actor, fonts, the footer.

Everything here is plain data that a notebook may change before drawing::

    from corridor_sim.charts import style
    style.MODE_COLOURS["air"] = "#1f77b4"   # every air route's shade follows
    style.RC["font.size"] = 14              # bigger text everywhere
    style.RC.clear()                        # or draw with your own rcParams

Figures are made without pyplot outside interactive sessions (a plain
:class:`~matplotlib.figure.Figure` with an Agg canvas), so nothing depends on
a display and nothing accumulates in pyplot's figure list. In IPython or
Jupyter, pyplot makes them, so they show inline and with ``plt.show()``.
"""

from __future__ import annotations

import functools
import sys
import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure

# Okabe-Ito colours (readable by colour-blind viewers), as on the docs' corridor map.
MODE_COLOURS: dict[str, str] = {"air": "#0072B2", "sea": "#009E73", "land": "#D55E00"}
MODE_ORDER: tuple[str, ...] = ("air", "sea", "land")
# Paul Tol's "muted" scheme for the shipped scenarios' actors: never drawn next to the mode colours.
ACTOR_COLOURS: dict[str, str] = {
    "us": "#332288",
    "iraq": "#882255",
    "militias": "#999933",
    "egypt": "#CC6677",
    "israel": "#44AA99",
    "gulf": "#DDCC77",
    "iran": "#117733",
}
ACTOR_NAMES: dict[str, str] = {
    "us": "United States",
    "iraq": "Iraq",
    "militias": "Militias",
    "egypt": "Egypt",
    "israel": "Israel",
    "gulf": "Gulf states",
    "iran": "Iran",
}
# Any other actor a scenario declares takes one of these by its id (see actor_colour): the rest of
# Tol's muted scheme, then his dark scheme.
FALLBACK_ACTOR_COLOURS: tuple[str, ...] = (
    "#88CCEE",
    "#AA4499",
    "#222255",
    "#225555",
    "#225522",
    "#666633",
    "#663333",
)
DESTINATION_COLOURS: tuple[str, ...] = ("#555555", "#A0A0A0", "#2F2F2F", "#C8C8C8")
SCENARIO_COLOURS: tuple[str, ...] = ("#4C4C4C", "#AA3377", "#228833", "#EE6677", "#66CCEE", "#CCBB44", "#BBBBBB")
BAND_ALPHA = 0.25
MARKER_COLOUR = "#444444"
FOOTER_COLOUR = "#555555"
WARNING_COLOUR = "#B2182B"  # a sweep figure's warnings: a smoke run, cells within the noise

# Sizes for a 16:9 slide: figures are 13.3 x 7.5 inches (or a fraction of that) with text to match.
SLIDE = (13.33, 7.5)
RC: dict[str, Any] = {
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.frameon": False,
    "figure.titlesize": 16,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#E2E2E2",
    "grid.linewidth": 0.8,
    "lines.linewidth": 2.0,
    "savefig.dpi": 110,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}


def styled[F: Callable[..., Any]](func: F) -> F:
    """Draw inside ``rc_context(RC)``: the house style, unless a notebook changed RC."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with mpl.rc_context(RC):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def interactive() -> bool:
    """Whether we run in IPython/Jupyter or an interactive interpreter."""
    return "IPython" in sys.modules or "ipykernel" in sys.modules or hasattr(sys, "ps1") or bool(sys.flags.interactive)


def new_figure(figsize: Sequence[float] = SLIDE, **kwargs: Any) -> Figure:
    """A new Figure: through pyplot when interactive, otherwise a standalone Agg figure."""
    if interactive():
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize, **kwargs)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=figsize, **kwargs)
    FigureCanvasAgg(fig)
    return fig


def close(fig: Figure) -> None:
    """Release a figure (a no-op for standalone figures, which the garbage collector frees)."""
    if interactive():
        import matplotlib.pyplot as plt

        plt.close(fig)


# ----------------------------------------------------------------------------- colours


def _shade(colour: str, amount: float) -> str:
    """Lighten (amount > 0, towards white) or darken (amount < 0, towards black) a colour."""
    rgb = np.array(to_rgb(colour))
    target = np.ones(3) if amount > 0 else np.zeros(3)
    return to_hex(rgb + abs(amount) * (target - rgb))


def _shades(n: int) -> list[float]:
    """The shade amounts from dark to light around the base colour (0 = the base itself)."""
    if n == 1:
        return [0.0]
    return list(np.linspace(-0.3, 0.38, n))


def route_colours(route_modes: Iterable[tuple[str, str]]) -> dict[str, str]:
    """One colour per route: its mode's colour, in a darker-to-lighter shade per route of that mode.

    ``route_modes`` is (route id, mode) in the scenario's route order; the same
    network always gets the same colours, in every figure and every scenario.
    """
    by_mode: dict[str, list[str]] = {}
    for route, mode in route_modes:
        by_mode.setdefault(mode, [])
        if route not in by_mode[mode]:
            by_mode[mode].append(route)
    colours = {}
    for mode, routes in by_mode.items():
        base = MODE_COLOURS.get(mode, "#777777")
        for route, amount in zip(routes, _shades(len(routes)), strict=True):
            colours[route] = _shade(base, amount)
    return colours


def actor_colour(actor: str) -> str:
    """An actor's colour: its entry in ACTOR_COLOURS, or one of FALLBACK_ACTOR_COLOURS chosen by its id.

    The choice hashes the id (CRC-32), so an actor keeps its colour in every figure and every run.
    """
    if actor in ACTOR_COLOURS:
        return ACTOR_COLOURS[actor]
    return FALLBACK_ACTOR_COLOURS[zlib.crc32(actor.encode("utf-8")) % len(FALLBACK_ACTOR_COLOURS)]


def actor_name(actor: str) -> str:
    """An actor's name for a figure: its entry in ACTOR_NAMES, or its id in words (``saudi_arabia``: Saudi Arabia)."""
    return ACTOR_NAMES.get(actor) or actor.replace("_", " ").title()


def mode_order(modes: Iterable[str]) -> list[str]:
    """Modes in the house order (air, sea, land), unknown ones after."""
    modes = list(dict.fromkeys(modes))
    return [m for m in MODE_ORDER if m in modes] + [m for m in modes if m not in MODE_ORDER]


# ----------------------------------------------------------------------------- text


def footer_text(
    *, scenario: str | None = None, replicates: int | None = None, seed: int | None = None, version: str | None = None
) -> str:
    """'Scenario crossing_open_militia · 100 replicates · seed 7 · corridor_sim 0.1.0'."""
    parts = []
    if scenario:
        parts.append(f"Scenario {scenario}")
    if replicates is not None:
        parts.append(f"{replicates:,} replicate{'s' if replicates != 1 else ''}")
    if seed is not None:
        parts.append(f"seed {seed}")
    if version:
        parts.append(f"corridor_sim {version}")
    return " · ".join(parts)


def add_footer(fig: Figure, text: str | None, note: str | None = None) -> None:
    """The footer line at the figure's bottom left, and an optional note at the right (above it if they'd touch)."""
    left = fig.text(0.01, 0.008, text, fontsize=9.5, color=FOOTER_COLOUR, ha="left", va="bottom") if text else None
    if not note:
        return
    right = fig.text(0.99, 0.008, note, fontsize=9.5, color=FOOTER_COLOUR, ha="right", va="bottom")
    if left is not None:
        renderer = fig.canvas.get_renderer()
        a, b = left.get_window_extent(renderer), right.get_window_extent(renderer)
        if b.x0 < a.x1 + 12:
            right.set_y(0.008 + 1.3 * a.height / fig.bbox.height)


def thousands(value: float, _pos: Any = None) -> str:
    """Tick label with thousands separators: 12,500."""
    return f"{value:,.0f}"


def usd(value: float, _pos: Any = None) -> str:
    return f"${value:,.0f}"


def percent(value: float, _pos: Any = None) -> str:
    return f"{value:.0%}"


def wrap(text: str, width: int = 28) -> str:
    """Wrap a label on word boundaries."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
