"""Numba's compile events (``numba.core.event``): knowing when a function is really compiled.

Numba sends a ``numba:compile`` event when it compiles a function, not when it loads one from its
cache: the engine listens, to tell the user that the first run on a machine is compiling (minutes)
and not stuck. ``numba.core.event`` is documented as experimental; it is checked on numba 0.68
(the version requirements.lock pins), and pyproject.toml allows 0.68.x only.
"""

from __future__ import annotations


def listen_to_compiles(listener_class: type) -> None:
    """Register an instance of a listener (with ``on_start(event)`` and ``on_end(event)``) for compile events."""
    from numba.core import event

    class Listener(listener_class, event.Listener):
        pass

    event.register("numba:compile", Listener())


def compiled_function(event) -> object:
    """The plain Python function a compile event is about."""
    return event.data["dispatcher"].py_func
