"""Random streams: replicate i's draws depend only on (seed, i).

Replicates are grouped in fixed blocks of :data:`BLOCK` (replicates
``b*BLOCK .. (b+1)*BLOCK-1`` form block ``b``). Each block and each *source*
of randomness has its own stream, ``SeedSequence(seed, spawn_key=(b, source))``,
so a stream never depends on how many replicates or blocks a run has, on
batching, or on which worker runs it. Within a block, numpy fills draws in
replicate order, so replicate i's draws depend only on replicates of its block
with smaller index, which are the same in every run: replicate i is identical
whether the run has 10 or 10,000 replicates.

Sources are named (a scenario key path for an uncertain parameter, a rule id,
``"interdiction"``); the name is hashed to a stable integer, so adding a
parameter does not reshuffle the draws of the others (common random numbers
across scenarios).
"""

from __future__ import annotations

import zlib

import numpy as np

BLOCK = 256


def source_key(name: str) -> int:
    """A stable integer for a named source of randomness."""
    return zlib.crc32(name.encode("utf-8"))


def block_generator(seed: int, block: int, source: str) -> np.random.Generator:
    """The generator of one source for one block of replicates."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, source_key(source))))


def blocks(first: int, count: int) -> list[tuple[int, slice, slice]]:
    """Blocks covering replicates ``first .. first+count-1``.

    Returns (block number, rows within the block, rows within the run's arrays).
    """
    out = []
    i = first
    end = first + count
    while i < end:
        b = i // BLOCK
        block_end = min((b + 1) * BLOCK, end)
        out.append((b, slice(i - b * BLOCK, block_end - b * BLOCK), slice(i - first, block_end - first)))
        i = block_end
    return out


def draw_per_replicate(seed: int, first: int, count: int, source: str, sampler) -> np.ndarray:
    """One value per replicate from ``sampler(rng, n)``, drawn block by block.

    Each block draws for all its rows up to the last one needed, so values do
    not depend on the run's size.
    """
    out = np.empty(count, dtype=np.float64)
    for b, rows, target in blocks(first, count):
        rng = block_generator(seed, b, source)
        out[target] = np.asarray(sampler(rng, rows.stop))[rows]
    return out


def binomial_from_uniform(n: np.ndarray, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Binomial(n, p) draws by inverting the CDF at given uniforms ``u``.

    Exact (k is the smallest count whose CDF reaches u) and it consumes exactly
    one uniform per element whatever n and p are, so a policy that changes
    traffic on one leg does not reshuffle the draws of any other (common
    random numbers across scenarios). It is also several times faster than
    ``Generator.binomial`` for the small n of vehicle loads, because most
    elements stop at k = 0.
    """
    k = np.zeros(u.shape)
    p0 = np.exp(n * np.log1p(-np.minimum(p, 1.0 - 1e-15)))  # P(k = 0)
    live = np.flatnonzero((u > p0) & (n > 0) & (p > 0))
    if live.size == 0:
        return k
    nn, pp, uu = n.ravel()[live], p.ravel()[live], u.ravel()[live]
    sure = pp >= 1.0
    ratio = np.where(sure, 0.0, pp / np.where(sure, 1.0, 1.0 - pp))
    pmf = p0.ravel()[live]
    cdf = pmf.copy()
    kk = np.zeros(live.size)
    go = np.flatnonzero(~sure)
    while go.size:
        kk[go] += 1.0
        pmf[go] *= (nn[go] - kk[go] + 1.0) / kk[go] * ratio[go]
        cdf[go] += pmf[go]
        go = go[(uu[go] > cdf[go]) & (kk[go] < nn[go])]
    kk[sure] = nn[sure]
    k.ravel()[live] = kk
    return k
