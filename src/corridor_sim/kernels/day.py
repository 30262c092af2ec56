"""The day: each submodel in turn, for a chunk of replicates, and the entry points that run days.

A chunk's day, in this order (docs/ODD.md, section 7, has the same headings):

1. lever effects (:mod:`.effects`, then :mod:`.derived` where anything moved);
2. lever payments (:mod:`.payments`);
3. arrivals and deliveries (:mod:`.arrivals`);
4. airport storage: strikes on it, landings into it, cargo due out of it (:mod:`.storage`);
5. capacity queues: the waits ahead on each route (:mod:`.queues`), and the airports' (:mod:`.storage`);
6. the shipper's choice (:mod:`.choice`, reading :mod:`.beliefs`);
7. movement and interdiction (:mod:`.movement`, which updates :mod:`.beliefs`);
8. accounting (:mod:`.accounting`);
9. adaptive effort (:mod:`.adaptation`);
10. levers that respond to what their actor observes: the militias' (:mod:`.militias`).

The cross-replicate bands of the day's rows are made afterwards (:mod:`.bands`).
"""

from __future__ import annotations

from corridor_sim.kernels.accounting import _account
from corridor_sim.kernels.adaptation import _adapt
from corridor_sim.kernels.arrivals import _arrivals
from corridor_sim.kernels.choice import _decide
from corridor_sim.kernels.contract import CHUNK, scratch
from corridor_sim.kernels.effects import _apply_levers
from corridor_sim.kernels.militias import _respond
from corridor_sim.kernels.movement import _move
from corridor_sim.kernels.payments import _pay
from corridor_sim.kernels.queues import _route_waits
from corridor_sim.kernels.storage import _storage, _storage_waits


def _chunk_day(d, r0, n, uniforms, strikes, net, fx, par, st, rows, parts, sums, sc):
    """Day d for the chunk of n replicates from r0, whose uniforms are (n, legs) and (n, storages): every submodel."""
    _apply_levers(r0, n, False, net, fx, par, st, sc)
    _pay(r0, n, par, st, sc)
    _arrivals(d, r0, n, net, par, st, rows, sc)
    _storage(d, r0, n, strikes, net, par, st, sc)
    _route_waits(r0, n, net, st, sc)
    _storage_waits(r0, n, net, par, st, sc)
    _decide(r0, n, net, par, st, sc)
    _move(d, r0, n, uniforms, net, par, st, sc)
    _account(d, r0, n, net, par, st, rows, parts, sums, sc)
    _adapt(d, r0, n, par, st, sc)
    _respond(r0, n, net, par, st, sc)


def day(d, u, us, net, fx, par, st, rows, parts, sums, r_start, r_stop):
    """Simulate day d for replicates r_start .. r_stop - 1, after the day's rules and timed changes set the levers.

    ``u`` holds the day's interdiction uniforms, (blocks, BLOCK, legs), and ``us`` its storage strike
    uniforms, (blocks, BLOCK, storages): replicate r's are ``u[r // BLOCK, r % BLOCK]``.
    The day's flows go to ``rows``, the band stack (rows x replicates: the route
    quantities, then the destination ones, in the contract's order), ``parts``, transport, fees and
    losses per route and cargo (COST_PARTS, routes, cargo, replicates; or an empty (0, ...) array
    when no one reads them, and they are not computed), and ``sums``, (chunks, ENSEMBLE_SUMS, routes):
    each chunk's sums of payload tons dispatched, delivered and interdicted per route, then 1 where
    the chunk wrote the route's rows and 0 where it had nothing on the route and left its rows as
    they were (they are zeros: whoever reads them zeroes them first). Replicates go in chunks, each
    through the whole day; r_start must be a multiple of CHUNK. Replicates never read each other's
    values, so disjoint ranges can run at the same time on different threads (the kernels release
    the GIL).
    """
    sc = scratch(net, CHUNK, st.lev.shape[0])
    n_chunks = (r_stop - r_start + CHUNK - 1) // CHUNK
    for j in range(n_chunks):
        # Odd days walk the chunks backwards: the chunks a day touched last are still in the cache
        # when the next day starts with them (replicates are independent, so the order is free).
        r0 = r_start + CHUNK * (n_chunks - 1 - j if d % 2 else j)
        n = min(CHUNK, r_stop - r0)
        # The chunk's uniforms: a chunk lies within one block of the draws (CHUNK divides BLOCK).
        b, i = r0 // u.shape[1], r0 % u.shape[1]
        _chunk_day(d, r0, n, u[b, i : i + n], us[b, i : i + n], net, fx, par, st, rows, parts, sums, sc)


def span(d0, days, u, us, net, fx, par, st, rows, parts, sums, r_start, r_stop):
    """Days d0 .. d0 + days - 1 for replicates r_start .. r_stop - 1: each chunk through every day, then the next.

    The same results as :func:`day` called for each day in turn (a replicate's days run in order,
    and replicates never read each other's values), but a chunk's state stays in the cache from one
    day to the next instead of being streamed from memory every day. Day d0 + k's uniforms are
    ``u[:, k]`` and ``us[:, k]``, laid out as :func:`day`'s but for the blocks from r_start's on
    (r_start must be a multiple of the block), and its outputs are ``rows[k], parts[k], sums[k]``. Nothing outside
    the kernel may act between these days: the model spans only days on which no lever changes (see
    ``CorridorModel``).
    """
    sc = scratch(net, CHUNK, st.lev.shape[0])
    for r0 in range(r_start, r_stop, CHUNK):
        n = min(CHUNK, r_stop - r0)
        b, i = (r0 - r_start) // u.shape[2], (r0 - r_start) % u.shape[2]
        for k in range(days):
            ud, usd = u[b, k, i : i + n], us[b, k, i : i + n]
            _chunk_day(d0 + k, r0, n, ud, usd, net, fx, par, st, rows[k], parts[k], sums[k], sc)
