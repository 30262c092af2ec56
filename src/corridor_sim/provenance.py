"""Which model code made a set of results.

``corridor_sim.__version__`` changes only on release; a sweep resumed after the
model's code changed would mix outcomes of two models under one manifest. The
model-code hash covers the source of every module that decides results.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

# Modules whose code decides a run's numbers (the sweep's own outcome and design code included).
RESULT_MODULES = (
    "actors.py",
    "adapters/mesa_events.py",
    "calibrated.py",
    "distributions.py",
    "effect_kinds/__init__.py",
    "effect_kinds/add.py",
    "effect_kinds/probability.py",
    "effect_kinds/scale.py",
    "engine_inputs.py",
    "fleets.py",
    "kernels/accounting.py",
    "kernels/adaptation.py",
    "kernels/arrivals.py",
    "kernels/bands.py",
    "kernels/beliefs.py",
    "kernels/binomial.py",
    "kernels/choice.py",
    "kernels/compile.py",
    "kernels/contract.py",
    "kernels/day.py",
    "kernels/derived.py",
    "kernels/effects.py",
    "kernels/militias.py",
    "kernels/movement.py",
    "kernels/payments.py",
    "kernels/queues.py",
    "levers.py",
    "metrics.py",
    "model.py",
    "network.py",
    "outputs.py",
    "policies.py",
    "rates.py",
    "responses.py",
    "recorder.py",
    "scenario.py",
    "scenario_checks.py",
    "scenario_schema.py",
    "schedule.py",
    "streams.py",
    "sweep/design.py",
    "sweep/experiment.py",
    "sweep/experiment_checks.py",
    "sweep/grouping.py",
    "sweep/outcomes.py",
    "sweep/runner.py",
    "sweep/specs.py",
    "tables.py",
    "yamlfile.py",
)
# Modules a run or a sweep imports whose code cannot change its numbers (tests/test_sweep.py checks that
# every module they import is in one list or the other).
NOT_RESULT_MODULES = (
    "__init__.py",
    "adapters/__init__.py",
    "adapters/numba_events.py",
    "adapters/numba_refcounts.py",
    "adapters/matplotlib_titles.py",
    "extras.py",
    "kernels/__init__.py",
    "memory.py",
    "sweep/__init__.py",
    "sweep/analyze.py",
    "sweep/chunks.py",
    "sweep/results.py",
    "sweep/store.py",
)


@functools.cache
def model_code_hash() -> str:
    """A short hash of the source of :data:`RESULT_MODULES` (16 hex digits)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in RESULT_MODULES:
        digest.update(name.encode())
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:16]
