"""Numba's private ``_nrt`` option: compiling a function without Numba's reference counting.

The engine's day helpers make hundreds of array views per chunk and day, and Numba counts
references to each (two atomic calls per view: 5-6% of a run). Their callers hold every array for
the whole call and the helpers allocate nothing, so they are compiled without reference counting:
the same machine code less those calls (bit-identical results). ``_nrt`` is not part of Numba's
public API; it is checked on numba 0.68 (the version requirements.lock
pins), and pyproject.toml allows 0.68.x only. A helper that allocated would fail to compile with it,
loudly.
"""

from __future__ import annotations


def without_refcounts() -> dict[str, bool]:
    """The ``numba.njit`` keyword arguments that turn reference counting off."""
    return {"_nrt": False}
