"""corridor_sim: an agent-based wargame of Iran's supply corridors to Syria and Lebanon.

The names below load on first use (PEP 562), so ``import corridor_sim.cli`` or
``corridor_sim.scenario`` does not import Mesa and pandas before they are needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# The package version (pyproject.toml reads it from here; importlib.metadata alone costs 45 ms of start-up).
__version__ = "0.1.0"

__all__ = ["CorridorModel", "Scenario", "ScenarioError", "load_scenario", "__version__"]

_LAZY = {
    "CorridorModel": "corridor_sim.model",
    "Scenario": "corridor_sim.scenario",
    "ScenarioError": "corridor_sim.scenario",
    "load_scenario": "corridor_sim.scenario",
}

if TYPE_CHECKING:  # pragma: no cover
    from corridor_sim.model import CorridorModel
    from corridor_sim.scenario import Scenario, ScenarioError, load_scenario


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'corridor_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
