"""The ``corridor-sim`` command: argument parsing and messages, nothing else."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
import warnings
from pathlib import Path

EXIT_BAD_INPUT = 2


class UsageError(Exception):
    """A problem with what the user asked for: printed without a traceback, exit 2."""


def _parser() -> argparse.ArgumentParser:
    from corridor_sim import __version__

    parser = argparse.ArgumentParser(
        prog="corridor-sim",
        description="Agent-based wargame of Iran's supply corridors to Syria and Lebanon.",
    )
    parser.add_argument("--version", action="version", version=f"corridor-sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run a scenario's replicates and write the results",
        description="Run a scenario and print per-route and per-destination tables.",
    )
    run.add_argument("scenario", nargs="?", default=None, help="scenario YAML file (default: the shipped baseline)")
    run.add_argument(
        "--reps",
        type=int,
        default=None,
        help="replicates (default 100, or the count recorded in a scenario.resolved.yaml)",
    )
    run.add_argument(
        "--seed",
        type=int,
        default=None,
        help="random seed (default 1, or the seed recorded in a scenario.resolved.yaml)",
    )
    run.add_argument("--days", type=int, default=None, help="shorten or lengthen the horizon")
    run.add_argument("--out", type=Path, default=None, help="folder for the result files")
    run.add_argument("--force", action="store_true", help="overwrite results already in --out")
    run.add_argument(
        "--no-daily",
        action="store_true",
        help="skip timeseries.parquet and actors.parquet (per-replicate daily tables)",
    )
    run.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help="threads each day runs on (default: 1 below 2,048 replicates, else the cores available, at most 4); "
        "results do not depend on it",
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario value by key path or flat name, e.g. "
        "--set actors.us.levers.land_surveillance=0.6 (repeatable)",
    )

    val = sub.add_parser(
        "validate",
        help="check a scenario or experiment file without running it",
        description="Check a scenario file, or an experiment file (told by its design: or parameters: key) "
        "with its full design and base scenario, and print a one-line summary.",
    )
    val.add_argument("scenario", help="scenario or experiment YAML file")

    params = sub.add_parser(
        "params",
        help="list a scenario's levers and the names --set accepts, with their ranges",
        description="List every lever (range, start value, unit, cost) and every flat override name "
        "(the key path it sets, its value, its range) of a scenario.",
    )
    params.add_argument("scenario", nargs="?", default=None, help="scenario YAML file (default: the shipped baseline)")

    plot = sub.add_parser(
        "plot",
        help="draw the figure set of a run's or a sweep's results folder",
        description="Write the standard figures of a results folder (a sweep's is told by its manifest.json).",
    )
    plot.add_argument("results", type=Path, help="results folder (corridor-sim run --out, or a sweep's)")
    plot.add_argument("--out", type=Path, default=None, help="folder for the figures (default RESULTS/figures)")
    plot.add_argument("--format", choices=("png", "svg", "pdf"), default="png", help="file format (default png)")

    compare = sub.add_parser(
        "compare",
        help="run (or read) several scenarios and draw them side by side",
        description="Run each scenario file (or read a results folder) and compare their key outcomes.",
    )
    compare.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario YAML files or results folders")
    compare.add_argument("--reps", type=int, default=100, help="replicates per scenario run (default 100)")
    compare.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    compare.add_argument(
        "--out", type=Path, default=Path("results/compare"), help="folder for runs and figures (default: %(default)s)"
    )
    compare.add_argument("--format", choices=("png", "svg", "pdf"), default="png", help="figure format (default png)")

    report = sub.add_parser(
        "report",
        help="write a self-contained HTML report of a results folder",
        description="Write one HTML file with the figures, tables, levers and policy timeline embedded.",
    )
    report.add_argument("results", type=Path, help="results folder (corridor-sim run --out, or a sweep's)")
    report.add_argument("--out", type=Path, default=None, help="HTML file to write (default RESULTS/report.html)")

    sweep = sub.add_parser(
        "sweep",
        help="run an experiment's design points and replicates (resumable)",
        description="Run an experiment file on all local cores, or on a Dask cluster with --scheduler. "
        "Rerunning the same command resumes an interrupted sweep.",
    )
    sweep.add_argument("experiment", type=Path, help="experiment YAML file (see experiments/)")
    sweep.add_argument("--out", type=Path, default=None, help="results folder (default results/NAME)")
    sweep.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores)")
    sweep.add_argument("--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    sweep.add_argument("--smoke", action="store_true", help="a tiny version: few points and replicates, short horizon")
    sweep.add_argument("--force", action="store_true", help="start again, replacing the sweep results in --out")
    sweep.add_argument("--no-progress", action="store_true", help="no progress bar")

    analyze = sub.add_parser(
        "analyze",
        help="statistics per design point and sensitivity indices of a sweep",
        description="Print outcome statistics per design point (and Sobol or Morris indices) of a sweep's "
        "results folder, and write them as CSV files under RESULTS/analysis/.",
    )
    analyze.add_argument("results", type=Path, help="a sweep's results folder")
    analyze.add_argument(
        "--outcome", action="append", default=[], metavar="NAME", help="outcome column to print (repeatable)"
    )
    return parser


def _overrides(pairs: list[str]) -> dict[str, object]:
    """``--set KEY=VALUE`` pairs, each value read as YAML with the scenario files' loader."""
    from corridor_sim.yamlfile import YamlProblem, load_yaml

    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {pair!r}: expected KEY=VALUE")
        if key.strip() in out:
            raise UsageError(f"--set {key.strip()}: given twice")
        try:
            out[key.strip()] = load_yaml(value)
        except YamlProblem as problem:
            shown = pair if len(pair) <= 80 else pair[:60] + f"... ({len(pair):,} characters)"
            raise UsageError(f"--set {shown!r}: {problem}") from None
    return out


def _too_large(args: argparse.Namespace, label: str, err: Exception, *, reps_from_file: bool) -> Exception:
    """A run that cannot fit (memory.RunTooLarge), as an error naming the option or the key to change."""
    from corridor_sim.scenario import ScenarioError

    culprit, subject = err.culprit, err.subject  # type: ignore[attr-defined]
    if culprit == "replicates":
        if reps_from_file:
            return ScenarioError(label, [("replicates", str(err))])
        option = f"--reps {args.reps}" if args.reps_given else f"--reps (default {args.reps})"
        hint = "" if getattr(args, "no_daily", True) else " (--no-daily keeps less)"
        return UsageError(f"{label}: {option} x {subject.split(' x ', 1)[1]}{hint} {err.problem}")  # type: ignore[attr-defined]
    if culprit == "days" and getattr(args, "days", None) is not None:
        return UsageError(f"{label}: --days {err}")
    return ScenarioError(label, [(culprit, str(err))])


def _cmd_validate(args: argparse.Namespace) -> int:
    from corridor_sim.memory import RunTooLarge, check_fits
    from corridor_sim.network import build_network
    from corridor_sim.scenario import load_scenario
    from corridor_sim.sweep.experiment import looks_like_experiment

    if looks_like_experiment(args.scenario):
        return _validate_experiment(args.scenario)

    spec = load_scenario(args.scenario)
    try:  # a scenario whose one replicate cannot fit in memory is no use
        check_fits(spec, 1, keep_daily=False)
    except RunTooLarge as err:
        raise _too_large(args, args.scenario, err, reps_from_file=False) from None
    net = build_network(spec)
    n_levers = sum(len(a.levers) for a in spec.actors.values())
    n_changes = sum(len(a.timeline) for a in spec.actors.values())
    print(
        f"{args.scenario}: valid scenario '{spec.name}': {len(spec.nodes)} nodes, {len(spec.segments)} segments, "
        f"{len(net.route_ids)} routes, {len(spec.actors)} actors with {n_levers} levers, "
        f"{n_changes} timed change(s), {len(spec.rules)} reactive rule(s); {spec.days} days from {spec.start_date}."
    )
    return 0


def _validate_experiment(path: str) -> int:
    """Check an experiment file as ``sweep`` would (full design, and its --smoke version) and summarise it."""
    from corridor_sim.sweep import load_experiment

    experiment = load_experiment(path)
    load_experiment(path, smoke=True)
    size = experiment.size()
    print(
        f"{path}: valid experiment '{experiment.name}': {size.kind} design, {size.shape()}, "
        f"{size.parameters} parameter{'s' if size.parameters != 1 else ''}, scenario {experiment.spec.scenario}"
    )
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    from corridor_sim.parameters import describe

    print(describe(args.scenario))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from corridor_sim import __version__
    from corridor_sim.memory import RunTooLarge, check_fits
    from corridor_sim.model import CorridorModel
    from corridor_sim.outputs import (
        destination_table,
        holds_results,
        resolved_document,
        route_table,
        unwritable,
        write_results,
    )
    from corridor_sim.scenario import default_scenario_path, load_scenario, resolved_run

    recorded = resolved_run(args.scenario) if args.scenario else {}
    if args.seed is None:
        args.seed = recorded.get("seed", 1)
    args.reps_given = args.reps is not None
    if args.reps is None:
        args.reps = recorded.get("replicates", 100)
    if args.reps < 1:
        raise UsageError(f"--reps must be at least 1, got {args.reps}")
    if args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.days is not None and args.days < 1:
        raise UsageError(f"--days must be at least 1, got {args.days}")
    if args.threads is not None and args.threads < 1:
        raise UsageError(f"--threads must be at least 1, got {args.threads}")
    if args.out is not None and holds_results(args.out) and not args.force:
        raise UsageError(f"{args.out} already holds results; use --force to overwrite them or choose another --out")
    problem = unwritable(args.out) if args.out is not None else None
    if problem:  # found before the simulation runs, not after
        raise UsageError(f"--out {args.out}: {problem}")

    with warnings.catch_warnings(record=True) as dropped:  # --days's dropped timed changes, said once, here
        warnings.simplefilter("always", UserWarning)
        spec = load_scenario(args.scenario, overrides=_overrides(args.set) or None, days=args.days)
    for message in dropped:
        print(f"warning: {message.message}", file=sys.stderr)

    try:  # before any array is made (the model checks its arrays too; this adds the tables --out writes)
        daily = not args.no_daily
        check_fits(spec, args.reps, keep_daily=daily, tables=daily and args.out is not None, threads=args.threads or 1)
    except RunTooLarge as err:
        label = args.scenario or str(default_scenario_path())
        raise _too_large(args, label, err, reps_from_file="replicates" in recorded and not args.reps_given) from None

    started = time.perf_counter()
    model = CorridorModel(spec, replicates=args.reps, rng=args.seed, keep_daily=not args.no_daily, threads=args.threads)
    model.run()
    elapsed = time.perf_counter() - started

    print(
        f"corridor-sim {__version__}: scenario '{spec.name}', {args.reps} replicates x {spec.days} days "
        f"from {spec.start_date}, seed {args.seed} ({elapsed:.1f} s)"
    )
    print("Median [5%, 95%] across replicates of totals over the run.\n")
    print("Routes")
    units = {cid: c.unit for cid, c in spec.cargo.items()}
    print(route_table(model.summary(), units).to_string(index=False))
    print(
        "Interdiction rate: over the replicates whose cargo reached every leg of the route; "
        "$ per delivered unit: over those that delivered at least one vehicle load on it (docs/ODD.md 7.12)."
    )
    print("\nDestinations")
    print(destination_table(model.destinations(), units).to_string(index=False))
    if args.out is not None:
        command = "corridor-sim " + " ".join(shlex.quote(a) for a in args.argv)
        write_results(
            model, args.out, resolved=resolved_document(model, version=__version__, command=command), force=args.force
        )
        print(f"\nResults written to {args.out}/")
    return 0


def _cmd_plot(args: argparse.Namespace) -> int:
    from corridor_sim.charts import ResultsError, plot

    try:
        written = plot(args.results, out=args.out, fmt=args.format)
    except ResultsError as err:
        raise UsageError(str(err)) from None
    print(f"{len(written)} figure(s) written to {written[0].parent}/" if written else "no figures to draw")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from corridor_sim.charts import ResultsError
    from corridor_sim.comparison import compare_scenarios

    if args.reps < 1:
        raise UsageError(f"--reps must be at least 1, got {args.reps}")
    if args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    command = "corridor-sim " + " ".join(shlex.quote(a) for a in args.argv)
    try:
        written = compare_scenarios(
            args.scenarios, reps=args.reps, seed=args.seed, out=args.out, fmt=args.format, command=command
        )
    except ResultsError as err:
        raise UsageError(str(err)) from None
    print("Comparison written: " + ", ".join(str(p) for p in written))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from corridor_sim.charts import ResultsError
    from corridor_sim.report import write_report

    try:
        out = write_report(args.results, args.out)
    except ResultsError as err:
        raise UsageError(str(err)) from None
    print(f"Report written to {out}")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from corridor_sim.sweep import SweepAborted, SweepError, load_experiment, run_sweep

    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    experiment = load_experiment(args.experiment, smoke=args.smoke)
    try:
        report = run_sweep(
            experiment,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            force=args.force,
            progress=not args.no_progress,
        )
    except SweepError as err:
        raise UsageError(str(err)) from None
    except SweepAborted as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("finished chunks are kept; run the same command again to resume", file=sys.stderr)
        raise
    print(report.describe())
    return 0 if report.ok else 1


def _cmd_analyze(args: argparse.Namespace) -> int:
    from corridor_sim.sweep import AnalysisError, analyze

    try:
        result = analyze(args.results)
    except AnalysisError as err:
        raise UsageError(str(err)) from None
    unknown = [o for o in args.outcome if o not in result.outcomes]
    if unknown:
        raise UsageError(f"unknown outcome(s) {', '.join(unknown)}; the sweep has {', '.join(result.outcomes)}")
    print(result.format(args.outcome or None))
    return 0


# Modules each command needs, loaded up front by _load (the rest load where they are used).
_MODULES = {
    "run": ("corridor_sim.model", "corridor_sim.outputs"),
    "validate": ("corridor_sim.scenario",),
}


_frozen: list[bool] = []


def _load(modules: tuple[str, ...]) -> None:
    """Import modules with the cyclic garbage collector paused, then freeze what they made.

    Loading Mesa, pandas and pydantic makes hundreds of thousands of long-lived objects, and the
    collector would walk them again and again while they load and at every full collection after (a
    sixth of a short run's time). This is the command's own process, so they are moved out of its
    reach with ``gc.freeze`` (once per process: a process calling main again keeps its collector).
    """
    import gc
    import importlib

    if _frozen:
        for name in modules:
            importlib.import_module(name)
        return
    _frozen.append(True)
    collecting = gc.isenabled()
    gc.disable()
    try:
        for name in modules:
            importlib.import_module(name)
        gc.freeze()
    finally:
        if collecting:
            gc.enable()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``corridor-sim`` command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    args.argv = argv
    _load(_MODULES.get(args.command, ("corridor_sim.scenario",)))
    from corridor_sim import kernels
    from corridor_sim.extras import MissingExtra
    from corridor_sim.scenario import ScenarioError

    kernels.report_compilation(sys.stderr)  # for this command: a first run's minutes of compiling are announced

    handlers = {
        "run": _cmd_run,
        "validate": _cmd_validate,
        "params": _cmd_params,
        "plot": _cmd_plot,
        "compare": _cmd_compare,
        "report": _cmd_report,
        "sweep": _cmd_sweep,
        "analyze": _cmd_analyze,
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            status = handlers[args.command](args)
            sys.stdout.flush()  # here, so that a closed pipe is caught below rather than at exit
            return status
    except ScenarioError as err:
        print(f"error: {err.format()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MissingExtra as err:
        print(f"error: corridor-sim {args.command}: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (``corridor-sim run | head``): stop quietly.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    finally:
        kernels.report_compilation(None)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
