"""Adapters: each use of a dependency's private or experimental API, in one small module apiece.

Each module says what it uses, why, and on which versions it is known to work; pyproject.toml
bounds that dependency to those versions. Nothing here is imported at package import time, so
this package stays free of heavy imports.

* :mod:`.numba_refcounts`: Numba's private ``_nrt`` option (compiling without reference counting).
* :mod:`.numba_events`: Numba's experimental compile events (``numba.core.event``).
"""
