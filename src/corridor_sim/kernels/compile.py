"""Compiling the engine with Numba, and telling the user while it happens.

:func:`engine` hands out the entry points (``attributes``, ``day``, ``span``, ``bands``), either
compiled or as the plain Python functions they are written as; both give bit-identical results
(only IEEE arithmetic and libm's ``exp``/``log1p``, in the same order, without fast-math).

The engine's modules call each other's helpers by bare name. To compile, every helper and entry
point is re-created over one namespace (every engine module's globals together) and compiled with
``cache=True``, helpers first, so each sees the compiled versions of those it calls. Numba's cache
checks only a function's own source file, and a compiled caller holds its callees' code, so each
function's cache entry is also tagged with a digest of every engine source file: changing any of
them compiles afresh instead of loading a stale caller.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import time
import types
from pathlib import Path

from corridor_sim.adapters.numba_events import compiled_function, listen_to_compiles
from corridor_sim.adapters.numba_refcounts import without_refcounts
from corridor_sim.effect_kinds import KINDS

# The modules whose functions are compiled together (their globals make the shared namespace).
_MODULES = (
    "corridor_sim.kernels.contract",
    "corridor_sim.effect_kinds",
    *(kind.__name__ for kind in KINDS),
    "corridor_sim.kernels.derived",
    "corridor_sim.kernels.effects",
    "corridor_sim.kernels.payments",
    "corridor_sim.kernels.arrivals",
    "corridor_sim.kernels.queues",
    "corridor_sim.kernels.beliefs",
    "corridor_sim.kernels.choice",
    "corridor_sim.kernels.binomial",
    "corridor_sim.kernels.storage",
    "corridor_sim.kernels.movement",
    "corridor_sim.kernels.accounting",
    "corridor_sim.kernels.adaptation",
    "corridor_sim.kernels.militias",
    "corridor_sim.kernels.day",
    "corridor_sim.kernels.bands",
)
# The helpers a chunk's day calls, each after those it calls; none allocates, so they are compiled
# without Numba's reference counting (adapters.numba_refcounts).
WITHOUT_REFCOUNTS = (
    *(f"apply_{kind.NAME}" for kind in KINDS),
    "apply_kind",
    "_leg_risk",
    "_group_made",
    "_route_made",
    "_derived",
    "_chain_moved",
    "_apply_levers",
    "_pay_within_budget",
    "_pay",
    "_returns_and_replacements",
    "_arrivals",
    "_group_loads",
    "_route_waits",
    "_believed_survival",
    "_learn",
    "_fade",
    "_learn_struck",
    "_destination_total",
    "_still_needed",
    "_normalise",
    "_fleet_limit",
    "_explore",
    "_decide",
    "_within",
    "_binomial_from_mode",
    "_binomial_at",
    "_binomial",
    "_storage",
    "_landing",
    "_storage_waits",
    "_convoys_struck",
    "_inspected",
    "_vehicles_lost",
    "_move",
    "_account",
    "_traffic_step",
    "_payoff_step",
    "_adapt",
    "_observe",
    "_respond",
    "_chunk_day",
)
# Every helper, each after those it calls.
HELPERS = (
    "scratch",
    *WITHOUT_REFCOUNTS,
    "_select",
    "_key",
    "_buckets_for",
    "_bucket",
    "_from_key",
    "_range",
    "_mid_range",
    "_shift",
    "_select_keyed",
)
ENTRY_POINTS = ("attributes", "day", "span", "bands")


def _namespace() -> dict:
    """Every engine module's globals in one dict; a name two modules bind to different objects is an error."""
    namespace: dict = {}
    for name in _MODULES:
        for key, value in vars(importlib.import_module(name)).items():
            if key.startswith("__"):
                continue
            if key in namespace and namespace[key] is not value and isinstance(value, types.FunctionType):
                raise RuntimeError(f"engine function name {key!r} is defined twice ({name})")
            namespace.setdefault(key, value)
    return namespace


def source_digest() -> str:
    """A digest of every engine module's source: the tag on the compiled code's cache entries."""
    digest = hashlib.sha256()
    for name in _MODULES:
        digest.update(Path(importlib.import_module(name).__file__).read_bytes())
    return digest.hexdigest()[:12]


LIBM_EXP = "corridor_sim_libm_exp"  # the symbol compiled kernels call for exp (contract.libm_exp)


def _external_exp():
    """The C library's ``exp`` for compiled code, called by its default symbol: an external function of Numba's.

    Numba's own ``math.exp`` links to glibc's ``exp@GLIBC_2.2.5``, a compatibility wrapper that calls
    the same function as the default ``exp`` (``exp@@GLIBC_2.29``, which CPython's ``math.exp`` calls)
    and only then checks for overflow and underflow to set ``errno``: the same values (checked on 5
    million arguments), and the wrapper was 40% of the time the kernels spent in ``exp``
    (docs/performance.md, session 11). The address is given to LLVM under a name of our own before
    any compiled code is made or loaded from the cache (which keeps the name, not the address).
    """
    import ctypes
    import ctypes.util

    from llvmlite import binding as llvm
    from numba import types as nb_types

    name = ctypes.util.find_library("m")
    library = ctypes.CDLL(name) if name else ctypes.CDLL(None)  # no separate libm: the process's own exp
    llvm.add_symbol(LIBM_EXP, ctypes.cast(library.exp, ctypes.c_void_p).value)
    return nb_types.ExternalFunction(LIBM_EXP, nb_types.float64(nb_types.float64))


@functools.cache
def _compiled() -> types.SimpleNamespace:
    """Every helper and entry point compiled with Numba (``engine(True)`` hands out the entry points)."""
    import numba

    listen_to_compiles(_CompileNotices)
    options = {"cache": True, "nogil": True, "error_model": "numpy"}
    namespace, tag = _namespace(), source_digest()
    namespace["libm_exp"] = _external_exp()
    for name in HELPERS + ENTRY_POINTS:
        py = namespace[name]
        func = types.FunctionType(py.__code__, namespace, name, py.__defaults__, py.__closure__)
        func.__module__, func.__doc__ = py.__module__, py.__doc__
        func.__qualname__ = f"{py.__qualname__}_{tag}"  # the cache entry's name (see the module's docstring)
        flags = without_refcounts() if name in WITHOUT_REFCOUNTS else {}
        namespace[name] = numba.njit(**options, **flags)(func)
    return types.SimpleNamespace(**{name: namespace[name] for name in HELPERS + ENTRY_POINTS})


@functools.cache
def _plain() -> types.SimpleNamespace:
    """Every helper and entry point as plain Python."""
    namespace = _namespace()
    return types.SimpleNamespace(**{name: namespace[name] for name in HELPERS + ENTRY_POINTS})


def engine(compiled: bool) -> types.SimpleNamespace:
    """The entry points, compiled with Numba or as plain Python (identical results)."""
    functions = vars(_compiled() if compiled else _plain())
    return types.SimpleNamespace(**{name: functions[name] for name in ENTRY_POINTS})


def numba_available() -> bool:
    """Whether Numba is installed (without importing it: that alone takes a quarter of a second)."""
    import importlib.util

    return importlib.util.find_spec("numba") is not None


# ---------------------------------------------------------------------- compilation notices

# The first compiled run on a machine compiles the kernels (then cached next to their sources): about
# About 180 s of CPU time since session 10 (docs/performance.md), 3 to 4 minutes of wall time. Said up front.
FIRST_COMPILE = "3 minutes of CPU time, 3 to 4 minutes on a busy machine"
NOTICE_EVERY = 30.0  # seconds between "still compiling" lines
_notices: list = []  # the stream compilation notices go to (none: silent)


def report_compilation(stream) -> None:
    """Write a notice and progress lines to ``stream`` (e.g. ``sys.stderr``) while the kernels compile.

    Compilation happens only on a machine's first compiled run (or after the kernels change); loading
    them from the cache says nothing. ``None`` silences the notices (the default: the library is quiet,
    the command line turns them on).
    """
    _notices[:] = [] if stream is None else [stream]


class _CompileNotices:
    """A compile-event listener: one line when compiling starts, one per entry point done, ticks between.

    Numba sends a compile event only when a function is really compiled, not when it is loaded
    from the cache. Helpers compile inside their callers, so only the outermost compile counts.
    """

    def __init__(self):
        self.depth = 0
        self.started = None
        self.stop = None

    def on_start(self, event) -> None:
        if _ours(event):
            self.depth += 1
            if self.depth == 1:
                self._begin()

    def on_end(self, event) -> None:
        if _ours(event):
            self.depth -= 1
            if self.depth == 0:
                self._end(compiled_function(event).__name__)

    def _say(self, text: str) -> None:
        if _notices:
            print(text, file=_notices[0], flush=True)

    def _begin(self) -> None:
        import threading

        if self.started is None:
            self.started = time.perf_counter()
            self._say(f"Compiling the simulation kernels, once: about {FIRST_COMPILE} (cached afterwards)...")
        self.stop = threading.Event()
        threading.Thread(target=self._tick, args=(self.stop,), daemon=True, name="compile-notices").start()

    def _end(self, name: str) -> None:
        self.stop.set()
        self._say(f"  compiled {name} ({time.perf_counter() - self.started:.0f} s so far)")

    def _tick(self, stop) -> None:
        while not stop.wait(NOTICE_EVERY):
            self._say(f"  still compiling ({time.perf_counter() - self.started:.0f} s)...")


def _ours(event) -> bool:
    """Whether a compile event concerns one of the engine's functions (not another library's)."""
    module = getattr(compiled_function(event), "__module__", None) or ""
    return module.startswith(("corridor_sim.kernels", "corridor_sim.effect_kinds"))
