"""Patterns observed in the world, declared for calibration or validation (``validation/patterns.yaml``).

Each pattern records an observation, the section of docs/sources.md that holds its source, the
scenario and model figure it is compared with, and its use: ``calibration`` (a target that the
uncertain parameters in ``targets`` may be fitted to) or ``validation`` (never used to set a
parameter). The file is declared before any calibration run; this module reads and checks it.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from corridor_sim.yamlfile import YamlProblem, load_yaml, read_text

PATTERNS_FILE = Path(__file__).resolve().parents[2] / "validation" / "patterns.yaml"


class PatternValue(BaseModel):
    """The observed value: a central figure, the range the sources allow, and its unit."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    low: float
    central: float
    high: float
    unit: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> PatternValue:
        if not self.low <= self.central <= self.high:
            raise ValueError(f"low {self.low}, central {self.central} and high {self.high} are not in order")
        return self


class Pattern(BaseModel):
    """One observed pattern and what it is for."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    use: Literal["calibration", "validation"]
    declared: datetime.date
    observation: str = Field(min_length=1)
    value: PatternValue
    period: str = Field(min_length=1)
    source: str = Field(min_length=1, description="the anchor of a section of docs/sources.md")
    scenario: str = Field(min_length=1)
    model_figure: str = Field(min_length=1)
    targets: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _targets_only_for_calibration(self) -> Pattern:
        if self.use == "validation" and self.targets:
            raise ValueError("a validation pattern sets no parameter: remove its targets")
        if self.use == "calibration" and not self.targets:
            raise ValueError("a calibration pattern names the uncertain parameters it may set (targets)")
        return self


class PatternsFile(BaseModel):
    """The whole file: patterns by id."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    patterns: dict[str, Pattern]


class PatternsProblem(Exception):
    """A patterns file that cannot be read, with the file and key path in its message."""


def load_patterns(path: Path = PATTERNS_FILE) -> dict[str, Pattern]:
    """The declared patterns by id.

    Raises:
        PatternsProblem: the file is missing, is not YAML, or breaks the schema (the message names
            the file, and each key path with its problem).
    """
    try:
        raw = load_yaml(read_text(path))
    except (OSError, YamlProblem) as err:
        raise PatternsProblem(f"{path}: {err}") from None
    try:
        return PatternsFile.model_validate(raw).patterns
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors())
        raise PatternsProblem(f"{path}: {problems}") from None
