"""Plain-numpy lower bound: exactly the model's random draws for the same replicates and days, nothing else.

The model draws, per replicate, each uncertain scenario number once (one stream
per number and block of 256 replicates) and, every day, one uniform per leg
and replicate for interdiction (one stream per block, into a reused buffer as
the model does; a partial last block draws its rows and skips the rest). Rules
draw their trials and delays up front. This script makes the same calls on the same streams and
times them, so ``model time / lower-bound time`` says how far the model is
from the cost of its randomness alone.

    python benchmarks/lower_bound.py --reps 10000 --days 730
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from corridor_sim.distributions import draw, is_uncertain
from corridor_sim.network import build_network
from corridor_sim.scenario import load_scenario
from corridor_sim.streams import BLOCK, block_generator, blocks, draw_per_replicate


def uncertain_numbers(spec) -> list[tuple[str, object]]:
    """Every number given as a distribution, with the key path the model uses as its stream name."""
    found = []

    def walk(node, path):
        if is_uncertain(node):
            found.append((path, node))
        elif hasattr(type(node), "model_fields") and not isinstance(node, type):
            for name in type(node).model_fields:
                walk(getattr(node, name), f"{path}.{name}" if path else name)
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}.{i}")

    walk(spec, "")
    return found


def lower_bound(scenario: str | None, reps: int, days: int, seed: int = 1) -> float:
    """Seconds to make the model's random draws for ``reps`` replicates over ``days`` days."""
    spec = load_scenario(scenario, overrides={"days": days})
    legs = build_network(spec).n_legs
    started = time.perf_counter()
    for path, value in uncertain_numbers(spec):
        draw_per_replicate(seed, 0, reps, path, lambda g, m, v=value: draw(v, g, m))
    for rule_id, rule in spec.rules.items():
        for k in range(rule.max_firings):
            draw_per_replicate(seed, 0, reps, f"rules.{rule_id}.trial.{k}", lambda g, m: g.random(m))
            draw_per_replicate(seed, 0, reps, f"rules.{rule_id}.delay.{k}", lambda g, m: g.random(m))
    streams = [(block_generator(seed, b, "interdiction"), rows.stop) for b, rows, _ in blocks(0, reps)]
    u = np.empty((len(streams), BLOCK, legs))
    for _ in range(days):
        for (gen, used), block in zip(streams, u, strict=True):
            # The block's rows the run holds; a partial last block skips the rest, as the model does.
            gen.random(out=block[:used])
            if used < BLOCK:
                gen.bit_generator.advance((BLOCK - used) * legs)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=None)
    parser.add_argument("--reps", type=int, default=10000)
    parser.add_argument("--days", type=int, default=730)
    args = parser.parse_args()
    seconds = lower_bound(args.scenario, args.reps, args.days)
    rate = args.reps * args.days / seconds
    print(f"random draws only: {seconds:.2f} s for {args.reps} x {args.days} replicate-days ({rate:,.0f} per s)")


if __name__ == "__main__":
    main()
