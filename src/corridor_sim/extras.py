"""Optional extras (``pyproject.toml``): a message saying how to install one, not a traceback.

``scripts/run-default`` installs only what ``run``, ``validate``, ``plot``, ``compare`` and
``report`` need. Sobol and Morris designs and their analysis need SALib and a Dask cluster needs
``distributed`` (the ``sweep`` extra); :mod:`corridor_sim.ema` needs ``ema_workbench`` (``ema``).
"""

from __future__ import annotations

import importlib
from types import ModuleType

INSTALL = ".venv/bin/pip install -c requirements.lock -e '.[{extra}]'"


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message names the extra and how to install it."""


def install_command(extra: str) -> str:
    """The command that adds an extra to the project's .venv, at the pinned versions."""
    return INSTALL.format(extra=extra)


def require(module: str, *, extra: str, needed_by: str) -> ModuleType:
    """Import ``module`` from an optional extra, or raise :class:`MissingExtra` saying how to install it.

    Args:
        module: the module to import (``"SALib.sample.sobol"``).
        extra: the ``pyproject.toml`` extra that provides it (``"sweep"``).
        needed_by: what needs it, as the message's subject (``"a sobol design"``).
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        package = module.split(".")[0]
        raise MissingExtra(
            f"{needed_by} needs {package}, from the {extra} extra, which is not installed. "
            f"Install it with: {install_command(extra)}"
        ) from err
