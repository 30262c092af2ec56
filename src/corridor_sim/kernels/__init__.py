"""The engine: the daily loop as compiled kernels over the model's replicate arrays.

Everything a day does to the replicate arrays runs here, one module per submodel, in the order
:mod:`.day` writes out once: lever effects (:mod:`.effects`, :mod:`.derived`), lever payments
(:mod:`.payments`), arrivals and deliveries (:mod:`.arrivals`), capacity queues (:mod:`.queues`),
the shipper's choice (:mod:`.choice`) on its beliefs (:mod:`.beliefs`), movement and interdiction
(:mod:`.movement`, drawing with :mod:`.binomial`), accounting (:mod:`.accounting`), adaptive
effort (:mod:`.adaptation`) and responding levers (:mod:`.militias`); then the cross-replicate bands (:mod:`.bands`).

The model hands the engine named records of arrays (:mod:`.contract`), built in one place
(:mod:`corridor_sim.engine_inputs`). The functions are plain Python over numpy arrays:
:func:`engine` returns them compiled with Numba (:mod:`.compile`) or, for runs too small to repay
loading the compiled code, as they are. Both give bit-identical results.

Arrays keep the model's layout (replicate axis last), except the per-leg and per-route state, kept
chunk-major (:func:`chunked`). Replicates go through the day in chunks of :data:`CHUNK`: every step
loops over a network entity (leg, route, ...) outside and over the chunk's replicates inside, so
the inner loops are contiguous and vectorise, index look-ups are made once per chunk, and the
chunk's arrays stay in cache from one step to the next. Each replicate's results depend only on
its own values, never on its chunk-mates.
"""

from corridor_sim.kernels.bands import band_work
from corridor_sim.kernels.compile import FIRST_COMPILE, engine, numba_available, report_compilation
from corridor_sim.kernels.contract import (
    CHUNK,
    Effects,
    Network,
    Params,
    Scratch,
    State,
    chunked,
    replicate_last,
    replicate_last_property,
    to_chunked,
)

__all__ = [
    "CHUNK",
    "FIRST_COMPILE",
    "Effects",
    "Network",
    "Params",
    "Scratch",
    "State",
    "band_work",
    "chunked",
    "engine",
    "numba_available",
    "replicate_last",
    "replicate_last_property",
    "report_compilation",
    "to_chunked",
]
