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
    parser = argparse.ArgumentParser(
        prog="corridor-sim",
        description="Agent-based wargame of Iran's supply corridors to Syria and Lebanon.",
    )
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
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario value by key path or flat name, e.g. "
        "--set actors.us.levers.land_surveillance=0.6 (repeatable)",
    )

    val = sub.add_parser("validate", help="check a scenario file without running it")
    val.add_argument("scenario", help="scenario YAML file")
    return parser


def _overrides(pairs: list[str]) -> dict[str, object]:
    import yaml

    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--set {pair!r}: expected KEY=VALUE")
        out[key.strip()] = yaml.safe_load(value)
    return out


def _cmd_validate(args: argparse.Namespace) -> int:
    from corridor_sim.network import build_network
    from corridor_sim.scenario import load_scenario

    spec = load_scenario(args.scenario)
    net = build_network(spec)
    n_levers = sum(len(a.levers) for a in spec.actors.values())
    n_changes = sum(len(a.timeline) for a in spec.actors.values())
    print(
        f"{args.scenario}: valid scenario '{spec.name}': {len(spec.nodes)} nodes, {len(spec.segments)} segments, "
        f"{len(net.route_ids)} routes, {len(spec.actors)} actors with {n_levers} levers, "
        f"{n_changes} timed change(s), {len(spec.rules)} reactive rule(s); {spec.days} days from {spec.start_date}."
    )
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from corridor_sim import __version__
    from corridor_sim.model import CorridorModel
    from corridor_sim.outputs import destination_table, holds_results, resolved_document, route_table, write_results
    from corridor_sim.scenario import load_scenario, resolved_run, truncate

    recorded = resolved_run(args.scenario) if args.scenario else {}
    if args.seed is None:
        args.seed = recorded.get("seed", 1)
    if args.reps is None:
        args.reps = recorded.get("replicates", 100)
    if args.reps < 1:
        raise UsageError(f"--reps must be at least 1, got {args.reps}")
    if args.seed < 0:
        raise UsageError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.days is not None and args.days < 1:
        raise UsageError(f"--days must be at least 1, got {args.days}")
    if args.out is not None and holds_results(args.out) and not args.force:
        raise UsageError(f"{args.out} already holds results; use --force to overwrite them or choose another --out")
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out} exists and is not a folder")

    spec = load_scenario(args.scenario, overrides=_overrides(args.set) or None)
    if args.days is not None:
        spec, dropped = truncate(spec, args.days)
        for message in dropped:
            print(f"warning: {message}", file=sys.stderr)

    started = time.perf_counter()
    model = CorridorModel(spec, replicates=args.reps, rng=args.seed, keep_daily=not args.no_daily)
    model.run()
    elapsed = time.perf_counter() - started

    print(
        f"corridor-sim {__version__}: scenario '{spec.name}', {args.reps} replicates x {spec.days} days "
        f"from {spec.start_date}, seed {args.seed} ({elapsed:.1f} s)"
    )
    print("Median [5%, 95%] across replicates of totals over the run.\n")
    print("Routes")
    print(route_table(model.summary()).to_string(index=False))
    print("\nDestinations")
    print(destination_table(model.destinations()).to_string(index=False))
    if args.out is not None:
        command = "corridor-sim " + " ".join(shlex.quote(a) for a in args.argv)
        write_results(
            model, args.out, resolved=resolved_document(model, version=__version__, command=command), force=args.force
        )
        print(f"\nResults written to {args.out}/")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``corridor-sim`` command; returns the exit status."""
    from corridor_sim.scenario import ScenarioError

    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    args.argv = argv
    handlers = {"run": _cmd_run, "validate": _cmd_validate}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return handlers[args.command](args)
    except ScenarioError as err:
        print(f"error: {err.format()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
