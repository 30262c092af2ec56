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

A model makes one :class:`Streams` for its run (seed, first replicate, count) and hands it to
everything that draws.
"""

from __future__ import annotations

import zlib
from typing import Any

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


def draw_value(seed: int, first: int, count: int, source: str, value) -> np.ndarray:
    """One value per replicate of a scenario number (``distributions.Number``) from its own source.

    A fixed number is repeated without making the blocks' generators (which would draw nothing from
    them): the same values, without the cost of seeding a generator per block.
    """
    from corridor_sim.distributions import draw, is_uncertain

    if not is_uncertain(value):
        return np.full(count, float(value))
    # A sample that names a stream draws its position there, shared with the parameters calibrated with it.
    source = getattr(value, "stream", None) or source
    return draw_per_replicate(seed, first, count, source, lambda g, m: draw(value, g, m))


class Streams:
    """A run's random streams: the seed and the replicates it holds, for everything that draws.

    The model makes one and hands it to whatever draws (parameters, levers, effects, the shipper,
    rules, the daily interdiction uniforms), so the seed reaches every stream by one path. A source's
    name (a scenario key path, a rule's draw) picks its streams; see the module docstring.

    A sweep may put several design points in one model (:meth:`grouped`): the model's replicates are
    then the points' replicates one after another, each drawn from its own point's seed and
    replicate index, exactly as if the point ran alone.

    Args:
        seed: the run's seed.
        first: index of the run's first replicate (a multiple of :data:`BLOCK`).
        count: how many replicates the run holds.
    """

    def __init__(self, seed: int, first: int, count: int):
        if count < 1:
            raise ValueError(f"replicates must be at least 1, got {count}")
        if first % BLOCK:
            raise ValueError(f"first_replicate must be a multiple of {BLOCK}, got {first}")
        self.seed = seed
        self.first = first
        self.count = count
        self.segments: tuple[tuple[int, int, int], ...] = ((seed, first, count),)
        self.overrides: dict[str, np.ndarray] = {}
        self.read: set[str] = set()  # the sources drawn from so far
        # Each uncertain scenario number drawn so far, by source: what attribution reads (scripts/findings.py).
        self.drawn: dict[str, np.ndarray] = {}

    @classmethod
    def grouped(cls, segments, overrides: dict[str, np.ndarray] | None = None) -> Streams:
        """Streams for several runs in one model: ``segments`` are (seed, first, count), in model order.

        Each segment's count must divide :data:`BLOCK` or be a multiple of it, so that every
        replicate block of a segment's streams lies within one block of the model's replicates (the
        daily draws are filled block by block, on the model's threads). ``overrides`` gives, per source
        name, each model replicate's value of a number the segments differ in (a design point's
        parameter): :meth:`value` returns it instead of drawing. :attr:`read` then says which sources
        were asked for, so that a caller can check every override was used.
        """
        segments = tuple((int(seed), int(first), int(count)) for seed, first, count in segments)
        offset = 0
        for _seed, first, count in segments:
            if count < 1 or first % BLOCK or not (BLOCK % count == 0 or count % BLOCK == 0):
                raise ValueError(f"cannot group a run of {count} replicates from {first}: see Streams.grouped")
            if offset % BLOCK and offset % BLOCK + count > BLOCK:
                raise ValueError("a grouped run may not straddle a block of the model's replicates")
            offset += count
        self = cls(segments[0][0], 0, offset)
        self.segments = segments
        self.overrides = {} if overrides is None else dict(overrides)
        for source, values in self.overrides.items():
            if np.shape(values) != (offset,):
                raise ValueError(f"override {source!r} has shape {np.shape(values)}, not ({offset},)")
        return self

    def __repr__(self) -> str:
        if len(self.segments) > 1:
            return f"Streams.grouped({len(self.segments)} runs, {self.count} replicates)"
        return f"Streams(seed={self.seed}, first={self.first}, count={self.count})"

    def value(self, source: str, value) -> np.ndarray:
        """One value per replicate of a scenario number from source ``source`` (see :func:`draw_value`)."""
        from corridor_sim.distributions import is_uncertain

        self.read.add(source)
        if source in self.overrides:
            return self.overrides[source].astype(float, copy=True)
        values = self._each_segment(lambda seed, first, count: draw_value(seed, first, count, source, value))
        if is_uncertain(value):
            self.drawn[source] = values.copy()  # callers may change theirs in place (a lever)
        return values

    def per_replicate(self, source: str, sampler) -> np.ndarray:
        """One value per replicate from ``sampler(rng, n)`` (see :func:`draw_per_replicate`)."""
        self.read.add(source)
        return self._each_segment(lambda seed, first, count: draw_per_replicate(seed, first, count, source, sampler))

    def _each_segment(self, draw) -> np.ndarray:
        """``draw(seed, first, count)`` for each segment, in model order (segments alike are drawn once)."""
        if len(self.segments) == 1:
            return draw(*self.segments[0])
        drawn: dict[tuple[int, int, int], np.ndarray] = {}
        parts = []
        for segment in self.segments:
            if segment not in drawn:
                drawn[segment] = draw(*segment)
            parts.append(drawn[segment])
        return np.concatenate(parts)

    def interdiction(self, legs: int, storages: int = 0) -> InterdictionDraws:
        """The daily uniforms of the run's replicates: one per leg (interdiction), and one per storage (strikes)."""
        return InterdictionDraws(self.segments, legs, storages)


def seed_from(rng: Any) -> int:
    """A run's seed from what a model is given: an int seed, a numpy Generator (draws one) or None (fresh entropy)."""
    if rng is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(rng, (int, np.integer)):
        if rng < 0:
            raise ValueError(f"seed must be a non-negative integer, got {rng}")
        return int(rng)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63))
    raise TypeError(f"rng must be an int seed, a numpy Generator or None, not {type(rng).__name__}")


class InterdictionDraws:
    """Each day's interdiction uniforms: one per leg and replicate, from each block's own stream.

    Every block draws for all its ``BLOCK`` rows every day, so a stream's
    position never depends on the run's size. The kernels turn each uniform
    into a binomial count of lost vehicle loads by inverting the CDF (exact,
    and one uniform per leg, replicate and day whatever the traffic, so a
    policy that changes traffic on one leg does not reshuffle the draws of any
    other: common random numbers across scenarios).

    Rows of a block the run does not hold (the last block of 8 replicates has
    248) are not drawn: the stream jumps over them (``advance``, exact for
    PCG64, whose ``random`` takes one 64-bit output per double), so the rows
    that are drawn get the values a whole block would give them.

    Blocks are independent streams, so threads may fill disjoint ranges of
    blocks at once (numpy's generators release the GIL while filling).

    With airport storage (kernels/storage.py), each replicate also has one strike uniform per storage
    and day, from each block's own ``"storage_strikes"`` stream, in arrays of their own
    (:attr:`strike_buffer`; the legs' uniforms are the same with or without them). Each stream draws
    straight into its array: nothing is copied.
    """

    def __init__(self, segments, legs: int, storages: int = 0):
        # Pieces: one block of one segment's streams, with the model rows it fills; in model order. Grouped
        # runs that share a seed (a sweep's common random numbers) share their streams: within a block of
        # the model, a piece whose stream and rows another piece already draws is copied from it instead
        # (``_gather``: each model row's source row), the same values without drawing them again.
        self._generators, self._rows, self._model_rows, self._pieces_of = [], [], [], []
        self._strike_generators: list[np.random.Generator] = []
        gathers: list[np.ndarray | None] = []
        leaders: list[dict] = []
        offset = 0
        for seed, first, count in segments:
            for b, rows, target in blocks(first, count):
                model_block = (offset + target.start) // BLOCK
                while len(self._pieces_of) <= model_block:
                    self._pieces_of.append([])
                    gathers.append(None)
                    leaders.append({})
                start = (offset + target.start) % BLOCK
                size = rows.stop - rows.start
                key = (seed, b, rows.start, rows.stop)
                if key in leaders[model_block]:  # the same draws as an earlier piece of this block
                    if gathers[model_block] is None:
                        gathers[model_block] = np.arange(BLOCK)
                    source = leaders[model_block][key]
                    gathers[model_block][start : start + size] = np.arange(source, source + size)
                    continue
                leaders[model_block][key] = start
                self._pieces_of[model_block].append(len(self._generators))
                self._generators.append(block_generator(seed, b, "interdiction"))
                if storages:
                    self._strike_generators.append(block_generator(seed, b, "storage_strikes"))
                self._rows.append((rows.start, rows.stop))
                self._model_rows.append((start, start + size))
            offset += count
        self._gather = gathers
        self.legs = legs
        self.storages = storages
        self.buffer = np.zeros((len(self._pieces_of), BLOCK, legs))
        self.strike_buffer = np.zeros((len(self._pieces_of), BLOCK, storages))

    def span_buffers(self, blocks: int, days: int) -> tuple[np.ndarray, np.ndarray]:
        """Arrays for :meth:`fill_span` of up to ``blocks`` blocks and ``days`` days: the legs', the strikes'."""
        return np.zeros((blocks, days, BLOCK, self.legs)), np.zeros((blocks, days, BLOCK, self.storages))

    def fill(self, first_block: int = 0, stop_block: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The next day's uniforms of blocks first_block .. stop_block - 1: :attr:`buffer` and :attr:`strike_buffer`.

        They are (blocks, BLOCK, legs) and (blocks, BLOCK, storages). Each block's stream advances one
        day per call: every day, every block must be filled once.
        """
        stop = len(self._pieces_of) if stop_block is None else stop_block
        for b in range(first_block, stop):
            for piece in self._pieces_of[b]:
                self._fill_piece(piece, self.buffer[b], self.strike_buffer[b])
            if self._gather[b] is not None:
                self.buffer[b] = self.buffer[b][self._gather[b]]
                self.strike_buffer[b] = self.strike_buffer[b][self._gather[b]]
        return self.buffer, self.strike_buffer

    def fill_span(
        self, days: int, first_block: int, stop_block: int, out: np.ndarray, strikes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The next ``days`` days' uniforms of blocks first_block .. stop_block - 1 into ``out`` and ``strikes``.

        Day k's uniforms of block b go to ``out[b - first_block, k]`` and ``strikes[b - first_block, k]``
        (:meth:`span_buffers` makes them). Each block's stream advances ``days`` days, giving the
        values ``days`` calls of :meth:`fill` would: a whole block's days follow each other in its
        stream, so they are drawn in one call.
        """
        for b in range(first_block, stop_block):
            for piece in self._pieces_of[b]:
                if self._rows[piece] == (0, BLOCK):
                    self._generators[piece].random(out=out[b - first_block, :days])
                    if self.storages:
                        self._strike_generators[piece].random(out=strikes[b - first_block, :days])
                    continue
                for k in range(days):
                    self._fill_piece(piece, out[b - first_block, k], strikes[b - first_block, k])
            if self._gather[b] is not None:
                out[b - first_block, :days] = out[b - first_block, :days][:, self._gather[b]]
                strikes[b - first_block, :days] = strikes[b - first_block, :days][:, self._gather[b]]
        return out, strikes

    def _fill_piece(self, piece: int, out: np.ndarray, strikes: np.ndarray) -> None:
        """A piece's next day into out (BLOCK, legs) and strikes (BLOCK, storages): the rows the run holds.

        The streams skip the rows it does not hold.
        """
        (start, end), stream = self._rows[piece], self._generators[piece]
        lo, hi = self._model_rows[piece]
        _draw_rows(stream, start, end, self.legs, out[lo:hi])
        if self.storages:
            _draw_rows(self._strike_generators[piece], start, end, self.storages, strikes[lo:hi])


def _draw_rows(stream: np.random.Generator, start: int, end: int, width: int, out: np.ndarray) -> None:
    """A block's rows start .. end - 1 of ``width`` uniforms each into ``out``, the stream skipping the others."""
    if start:
        stream.bit_generator.advance(start * width)
    stream.random(out=out)
    if end < BLOCK:
        stream.bit_generator.advance((BLOCK - end) * width)
