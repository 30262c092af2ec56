"""Charts of corridor_sim results: every chart a function of DataFrames that returns its Figure.

Modules: :mod:`~corridor_sim.charts.run` (the figure set of a single run,
drawn by ``run_time``, ``run_routes`` and ``run_levers``),
:mod:`~corridor_sim.charts.corridor_map` (on ``map_geometry``, with ``map_layers``),
:mod:`~corridor_sim.charts.sweep` (a sweep's figure set, drawn by
``sweep_outcomes`` and ``sweep_indices`` on ``sweep_axes``),
:mod:`~corridor_sim.charts.compare`; :mod:`~corridor_sim.charts.data` (from
``data_time``, ``data_routes`` and ``data_levers``) makes
the tables they plot from a run's files, :mod:`~corridor_sim.charts.io` reads
results folders and :mod:`~corridor_sim.charts.style` holds the colours and
fonts. matplotlib is imported by the chart modules only, so importing this
package (or corridor_sim) stays light until a chart is drawn.

The functions here are what ``corridor-sim plot`` calls (:func:`plot`) and what
:func:`corridor_sim.comparison.compare_scenarios` draws its runs with
(:func:`write_comparison`). Charts never run the model: they read DataFrames
and results folders.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corridor_sim.charts.io import ResultsError, is_run, is_sweep, read_results, read_sweep

FORMATS = ("png", "svg", "pdf")

_LAZY = {
    "delivered_over_time": "run",
    "cumulative_vs_demand": "run",
    "route_share_chart": "run",
    "interdiction_chart": "run",
    "cost_per_ton_chart": "run",
    "lever_lanes": "run",
    "run_figures": "run",
    "corridor_map": "corridor_map",
    "outcome_heatmap": "sweep",
    "outcome_vs_parameter": "sweep",
    "sensitivity_bars": "sweep",
    "sweep_figures": "sweep",
    "compare_figure": "compare",
    "key_outcomes": "compare",
}

__all__ = [
    "FORMATS",
    "ResultsError",
    "is_run",
    "is_sweep",
    "plot",
    "read_results",
    "read_sweep",
    "save",
    "write_comparison",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"corridor_sim.charts.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'corridor_sim.charts' has no attribute {name!r}")


def save(fig: Any, path: str | Path, *, dpi: int | None = None) -> Path:
    """Write a figure (format from the file's suffix) in the house style's save settings."""
    import matplotlib as mpl

    from corridor_sim.charts.style import RC

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context(RC):
        fig.savefig(path, dpi=dpi, metadata=_metadata(path.suffix))
    return path


def _metadata(suffix: str) -> dict[str, Any] | None:
    # Fixed metadata keeps the files identical from one run to the next (no creation date).
    if suffix == ".svg":
        return {"Date": None}
    if suffix == ".pdf":
        return {"CreationDate": None}
    if suffix == ".png":
        return {"Software": None}
    return None


def figure_sets(folder: str | Path) -> tuple[str, dict[str, Any]]:
    """('run' or 'sweep', {name: Figure}) for a results folder (a sweep is told by its manifest.json)."""
    folder = Path(folder)
    if is_sweep(folder):
        from corridor_sim.charts.sweep import sweep_figures

        return "sweep", sweep_figures(read_sweep(folder))
    from corridor_sim.charts.run import run_figures

    results = read_results(folder)
    cargos = results.cargo_ids
    if len(cargos) == 1:
        return "run", run_figures(results)
    from corridor_sim.charts.run import FIGURES

    figures: dict[str, Any] = run_figures(results, only=["levers"])  # the levers do not depend on the cargo
    per_cargo = [f for f in FIGURES if f != "levers"]
    for cargo in cargos:  # cargo classes are never summed: one set each
        figures.update({f"{k}_{cargo}": v for k, v in run_figures(results, cargo=cargo, only=per_cargo).items()})
    return "run", figures


def plot(folder: str | Path, *, out: str | Path | None = None, fmt: str = "png") -> list[Path]:
    """Write a results folder's figure set into ``out`` (default ``FOLDER/figures``); returns the files.

    Raises:
        ResultsError: the folder is missing or holds no readable results.
        ValueError: an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    folder = Path(folder)
    out = Path(out) if out is not None else folder / "figures"
    _, figures = figure_sets(folder)
    written = []
    for name, fig in figures.items():
        written.append(save(fig, out / f"{name}.{fmt}"))
    return written


def write_comparison(runs: Sequence[Any], *, out: str | Path, fmt: str = "png") -> list[Path]:
    """Write the comparison of several runs' results (RunResults) into ``out``; returns the files written.

    ``out/comparison.csv`` holds the outcomes' medians and 5-95% intervals per cargo class,
    ``out/figures/compare.FMT`` the figure of the first cargo class, ``compare_<cargo>.FMT`` the others'.

    Raises:
        ValueError: an unknown format.
    """
    from corridor_sim.charts.compare import compare_figure, compare_stats, comparison_footer, comparison_outcomes
    from corridor_sim.tables import cargo_units

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    out = Path(out)
    outcomes = comparison_outcomes(runs)
    out.mkdir(parents=True, exist_ok=True)
    table = out / "comparison.csv"
    compare_stats(outcomes).to_csv(table, index=False)
    written = [table]
    units: dict[str, str] = {}
    for r in runs:
        units.update(cargo_units(r.scenario))
    for k, cargo in enumerate(dict.fromkeys(outcomes["cargo"].astype(str))):  # one figure per cargo class
        fig = compare_figure(
            outcomes,
            scenarios=[r.name for r in runs],
            cargo=cargo,
            unit=units.get(cargo, "tons"),
            footer=comparison_footer(runs),
        )
        written.append(save(fig, out / "figures" / (f"compare.{fmt}" if k == 0 else f"compare_{cargo}.{fmt}")))
    return written
