"""Adapters: each private or experimental API of a dependency that corridor_sim relies on, behind one small module.

A private API can change in any release, so each is used in one place only, says why no public API
serves, and names the versions it is known to work on; pyproject.toml bounds that dependency to
those versions, and tests/test_adapters.py checks each adapter against the installed library.

* :mod:`corridor_sim.adapters.mesa_events`: the time of the next event on a Mesa model's event list
  (``Model._event_list``), which the scheduler needs to end a span of days before it.
* :mod:`corridor_sim.adapters.matplotlib_titles`: a figure's title (its suptitle), for the sweep
  report's headings. The report used to read the private ``Figure._suptitle``; the adapter now uses
  the public ``Figure.get_suptitle()`` (matplotlib 3.8 on) and still names the versions checked.
* :mod:`corridor_sim.adapters.numba_refcounts`: Numba's private ``_nrt`` option (compiling the
  engine's day helpers without reference counting).
* :mod:`corridor_sim.adapters.numba_events`: Numba's experimental compile events
  (``numba.core.event``), for the first run's compile notices.

This package imports no dependency itself: each adapter imports only what it adapts, when loaded.
"""
