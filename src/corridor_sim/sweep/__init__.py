"""Experiments at scale: Monte Carlo ensembles, parameter sweeps and sensitivity analysis.

``load_experiment`` reads and checks an experiment file; ``run_sweep`` runs
it on local processes or a Dask cluster into a results folder (resumable);
``analyze`` computes statistics per design point and sensitivity indices.
See docs/experiments.md. Dask and SALib are imported only by the functions
that use them.
"""

from corridor_sim.sweep.analyze import Analysis, AnalysisError, analyze
from corridor_sim.sweep.experiment import Experiment, ExperimentError, load_experiment
from corridor_sim.sweep.runner import SweepAborted, SweepReport, run_sweep
from corridor_sim.sweep.store import SweepError

__all__ = [
    "Analysis",
    "AnalysisError",
    "Experiment",
    "ExperimentError",
    "SweepAborted",
    "SweepError",
    "SweepReport",
    "analyze",
    "load_experiment",
    "run_sweep",
]
