"""The bands kernel: exact quantiles and means across replicates, whatever the shape of the values."""

from __future__ import annotations

import numpy as np
import pytest

from corridor_sim import kernels

QUANTILES = np.array([0.05, 0.5, 0.95])


def _rows(n: int, rng: np.random.Generator) -> np.ndarray:
    """Rows like the model's daily flows, and worse: zeros, residues, heavy tails, ties, signs."""
    flows = np.where(rng.random(n) < 0.5, 0.0, rng.gamma(2.0, 50.0, n))
    residue = np.where(rng.random(n) < 0.7, rng.normal(0, 1e-13, n), rng.pareto(1.1, n) * 1e3)
    costs = np.exp(rng.normal(6, 3, n))  # dollars from about 1 to tens of millions
    ties = rng.integers(0, 4, n).astype(float) * 12.0  # whole truck loads
    mixed = rng.normal(0, 1, n) * np.where(rng.random(n) < 0.1, 1e9, 1.0)
    lone = np.zeros(n)
    lone[rng.integers(n)] = 5.0  # one replicate uses the route
    rows = [flows, residue, costs, ties, mixed, lone, np.zeros(n), np.full(n, 3.5), -costs]
    return np.ascontiguousarray(np.stack(rows))


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 3001])
def test_bands_are_numpy_quantiles_and_means(compiled, n):
    if compiled and not kernels.numba_available():
        pytest.skip("numba not installed")
    if not compiled and n > 64:
        n = 65  # plain Python is slow; the compiled kernel covers the large rows
    engine = kernels.engine(compiled)
    stack = _rows(n, np.random.default_rng(n))
    original = stack.copy()
    position = QUANTILES * (n - 1)
    positions = np.floor(position).astype(np.intp)
    stats = np.full((4, stack.shape[0]), np.nan)
    for part in range(2):  # two threads' shares: every other row each
        none = np.zeros(stack.shape[0], dtype=bool)
        engine.bands(stack, positions, position - positions, stats, kernels.band_work(n, 3), part, 2, none)
    # Exact order statistics; the interpolation between them may round differently from numpy's (1 ulp).
    np.testing.assert_allclose(stats[:3], np.quantile(stack, QUANTILES, axis=1), rtol=4e-16, atol=0)
    exact = np.sort(stack, axis=1)[:, positions]  # at the order statistics themselves: bit for bit
    ranks_only = np.full((4, stack.shape[0]), np.nan)
    engine.bands(stack, positions, np.zeros(3), ranks_only, kernels.band_work(n, 3), 0, 1, none)
    np.testing.assert_array_equal(ranks_only[:3], exact.T)
    np.testing.assert_allclose(stats[3], stack.mean(axis=1), rtol=1e-12, atol=1e-300)
    np.testing.assert_array_equal(stack, original)  # the rows are read, not reordered
