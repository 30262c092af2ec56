"""corridor_sim: an agent-based wargame of Iran's supply corridors to Syria and Lebanon."""

from importlib.metadata import PackageNotFoundError, version

from corridor_sim.model import CorridorModel
from corridor_sim.scenario import Scenario, ScenarioError, load_scenario

try:
    __version__ = version("corridor_sim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["CorridorModel", "Scenario", "ScenarioError", "load_scenario", "__version__"]
