"""Scenarios compared: run each scenario (or read its results) and write the comparison.

:func:`gather_runs` runs each scenario file into ``out/NAME`` (or reads a
results folder, or a run already made with the same scenario, seed and
replicate count) with one progress bar; :func:`compare_scenarios` then hands
the results to :func:`corridor_sim.charts.write_comparison`, which only reads them.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corridor_sim.charts.io import ResultsError, RunResults, is_run, read_results

DAYS_PER_UPDATE = 10


def _matches(folder: Path, spec: Any, reps: int, seed: int) -> bool:
    """Whether a results folder holds exactly this scenario, replicate count and seed."""
    try:
        done = read_results(folder)
    except ResultsError:
        return False
    return done.seed == seed and done.replicates == reps and done.scenario == spec.to_dict()


def gather_runs(
    items: Sequence[str | Path], *, reps: int, seed: int, out: Path, progress: bool = True, command: str = ""
) -> list[RunResults]:
    """Each item's results: a results folder is read; a scenario file is run into ``out/NAME`` (or reused).

    A scenario already run into ``out/NAME`` with the same scenario, seed and
    replicate count is read back instead of run again. Runs show one tqdm
    progress bar over all scenarios' days.

    Raises:
        ResultsError: an item that is neither a results folder nor a scenario file, or a run
            too large for the memory there is (checked for every run before the first starts).
    """
    from tqdm import tqdm

    from corridor_sim.memory import RunTooLarge, check_fits
    from corridor_sim.scenario import load_scenario

    plan: list[tuple[str, Any]] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            if not is_run(path):
                raise ResultsError(
                    f"{path}: not a results folder (no summary.csv); give a scenario file or the "
                    "folder of a finished run"
                )
            plan.append(("read", path))
        elif path.is_file():
            plan.append(("run", load_scenario(path)))
        else:
            raise ResultsError(f"{path}: no such scenario file or results folder")
    names: list[str] = []
    for kind, what in plan:
        name = what.name if kind == "run" else read_results(what).name
        base, k = name, 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    todo = [
        (i, what)
        for i, (kind, what) in enumerate(plan)
        if kind == "run" and not _matches(out / names[i], what, reps, seed)
    ]
    for i, spec in todo:  # every run checked before the first starts: none may need more memory than there is
        try:
            check_fits(spec, reps, keep_daily=True, tables=True)
        except RunTooLarge as err:
            raise ResultsError(f"{items[i]}: {err}") from None
    total = sum(spec.days for _, spec in todo)
    results: dict[int, RunResults] = {}
    with tqdm(total=total, unit="day", desc="scenarios", disable=not progress or not todo, leave=True) as bar:
        for i, spec in todo:
            bar.set_description(f"{names[i]} ({reps} replicates)")
            results[i] = _run_one(spec, reps=reps, seed=seed, folder=out / names[i], bar=bar, command=command)
    return [
        results[i] if i in results else read_results(what if kind == "read" else out / names[i])
        for i, (kind, what) in enumerate(plan)
    ]


def _run_one(spec: Any, *, reps: int, seed: int, folder: Path, bar: Any, command: str) -> RunResults:
    from corridor_sim import __version__
    from corridor_sim.model import CorridorModel
    from corridor_sim.outputs import resolved_document, write_results

    model = CorridorModel(spec, replicates=reps, rng=seed)
    while model.day < spec.days:
        step = min(DAYS_PER_UPDATE, spec.days - model.day)
        model.run(step)
        bar.update(step)
    resolved = resolved_document(
        model,
        version=__version__,
        command=command or f"corridor-sim compare {shlex.quote(spec.name)} --reps {reps} --seed {seed}",
    )
    write_results(model, folder, resolved=resolved, force=True)
    return read_results(folder)


def compare_scenarios(
    items: Sequence[str | Path],
    *,
    reps: int,
    seed: int,
    out: str | Path,
    fmt: str = "png",
    progress: bool = True,
    command: str = "",
) -> list[Path]:
    """Run (or read) several scenarios and write their comparison into ``out``; returns the files written.

    ``out/NAME/`` holds each scenario's results, ``out/comparison.csv`` the
    outcomes' medians and 5-95% intervals, ``out/figures/compare.FMT`` the figure.

    Raises:
        ResultsError: an item that cannot be run or read (see :func:`gather_runs`).
        ValueError: an unknown format (before anything runs).
    """
    from corridor_sim.charts import FORMATS, write_comparison

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    out = Path(out)
    runs = gather_runs(items, reps=reps, seed=seed, out=out, progress=progress, command=command)
    return write_comparison(runs, out=out, fmt=fmt)
