"""What drives each shipped scenario's conclusion, as ``scripts/findings.py`` measured it, for run reports.

``scripts/findings.py`` writes docs/findings.md for readers and ``findings.json`` (next to this module)
for reports: per shipped scenario, its headline metrics' paired difference from the baseline, the
mechanism switches and the leading assumptions, with a fingerprint of the scenario (and baseline)
they were measured on. A run's report shows its scenario's entry, and says so when the run's
scenario is not the one measured (a changed lever, horizon or number).
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

FINDINGS_FILE = "findings.json"


def amount(x: float, unit: str, sign: str = "+") -> str:
    """A headline's amount as the findings show it: a share to 3 decimals, else a whole number with commas."""
    return f"{x:{sign}.3f}" if unit == "share" else f"{x:{sign},.0f}"


def fingerprint(scenario: dict[str, Any]) -> str:
    """A digest of a scenario's validated mapping (``Scenario.to_dict()``): equal for the same scenario."""
    text = json.dumps(scenario, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def scenario_fingerprint(raw: dict[str, Any]) -> str:
    """The fingerprint of a raw scenario mapping once validated (a run's resolved scenario, say)."""
    from corridor_sim.scenario import validate

    return fingerprint(validate(raw).to_dict())


def load_findings(path: str | Path | None = None) -> dict[str, Any]:
    """The measured findings ({} if none were written)."""
    source = Path(path) if path is not None else Path(str(resources.files("corridor_sim") / FINDINGS_FILE))
    try:
        return json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
