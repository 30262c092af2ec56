"""The experiment file's typed sections and its parameters, as validated (no checks beyond the types here).

Kept apart from :mod:`corridor_sim.sweep.experiment` (which loads and checks the file) so that the
design and the checks can name these types without importing the loader.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from corridor_sim.sweep.outcomes import GROUPS


def _shown(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 5]}...{text[-2:]}"


DESIGNS = ("grid", "lhs", "sobol", "morris")
MAX_COUNT = 10**12  # the most any count in the file (replicates, days, samples, steps...) may be
MAX_SEED = 2**63 - 1  # outcome tables keep each run's seed (with common_random_numbers, this one) as int64
MAX_NAME_LENGTH = 100
MAX_MORRIS_LEVELS = 100  # SALib lays each trajectory on a grid of levels / 2 values


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ParameterSpec(_Strict):
    """One varied parameter: a list of ``values``, or a range ``low``..``high``."""

    values: list[float] | None = None
    low: float | None = None
    high: float | None = None
    steps: int | None = Field(
        default=None, ge=2, le=MAX_COUNT, description="Grid designs: evenly spaced values over the range."
    )
    integer: bool = Field(default=False, description="Round sampled values to whole numbers.")
    label: str = ""


class DesignSpec(_Strict):
    """How design points are chosen."""

    kind: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int | None = Field(
        default=None,
        ge=1,
        le=MAX_COUNT,
        description="lhs: points; sobol: base sample N (a power of 2); morris: trajectories.",
    )
    second_order: bool = Field(default=False, description="sobol: also estimate second-order indices.")
    levels: int = Field(default=4, ge=2, le=MAX_MORRIS_LEVELS, description="morris: grid levels (even).")


class SmokeSpec(_Strict):
    """The tiny version of the experiment that ``--smoke`` runs."""

    replicates: int = Field(default=4, ge=1, le=MAX_COUNT)
    days: int = Field(default=60, ge=1, le=MAX_COUNT)
    samples: int | None = Field(default=None, ge=1, le=MAX_COUNT)


class ExperimentSpec(_Strict):
    """The experiment file, validated."""

    name: str
    description: str = ""
    question: str = ""
    scenario: str
    seed: int = 1
    replicates: int = Field(default=32, ge=1, le=MAX_COUNT)
    days: int | None = Field(default=None, ge=1, le=MAX_COUNT)
    design: DesignSpec = DesignSpec()
    parameters: dict[str, ParameterSpec] = Field(min_length=1)
    outcomes: list[str] = Field(default_factory=lambda: list(GROUPS), min_length=1)
    report: list[str] = Field(default_factory=list, description="Outcome columns `analyze` prints by default.")
    cargo: str | None = None
    daily: bool = False
    common_random_numbers: bool = False
    points_per_chunk: int | None = Field(default=None, ge=1, le=MAX_COUNT)
    smoke: SmokeSpec = SmokeSpec()

    @field_validator("name")
    @classmethod
    def _folder_name(cls, value: str) -> str:
        """The default results folder is results/NAME: the name must be one plain folder name."""
        if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", value):
            raise ValueError(
                f"{_shown(value)} is not a usable folder name: use letters, digits, '_', '.' and '-', "
                "starting with a letter, digit or '_' (the default results folder is results/NAME)"
            )
        if len(value) > MAX_NAME_LENGTH:
            raise ValueError(f"a name of {len(value):,} characters is too long (at most {MAX_NAME_LENGTH})")
        return value

    @field_validator("seed")
    @classmethod
    def _seed_range(cls, value: int) -> int:
        if not 0 <= value <= MAX_SEED:
            raise ValueError(
                f"{_shown(value)} is not a seed: seeds run from 0 to 2^63 - 1 ({MAX_SEED:,}), "
                "as the outcome tables store them"
            )
        return value

    @field_validator("parameters", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """``key: [a, b, c]`` is short for ``key: {values: [a, b, c]}``."""
        if isinstance(value, dict):
            return {k: ({"values": v} if isinstance(v, list) else v) for k, v in value.items()}
        return value


# Fields that describe an experiment without changing its results (left out of its fingerprint).
DESCRIPTIVE = ("description", "question")


@dataclass(frozen=True)
class Parameter:
    """A varied parameter, resolved: its column name, its key path in the scenario and its domain."""

    name: str
    key_path: str
    values: tuple[float, ...] | None
    low: float | None
    high: float | None
    steps: int | None
    integer: bool

    @property
    def discrete(self) -> bool:
        return self.values is not None

    @property
    def n_values(self) -> int:
        """How many values a grid design takes (without listing them)."""
        if self.values is not None:
            return len(self.values)
        assert self.steps is not None
        return self.steps

    def grid_values(self) -> list[float]:
        """The values a grid design takes."""
        return [self.grid_value(i) for i in range(self.n_values)]

    def grid_value(self, i: int) -> float:
        """Value number ``i`` of a grid design."""
        if self.values is not None:
            return self.values[i]
        assert self.low is not None and self.high is not None and self.steps is not None
        step = (self.high - self.low) / (self.steps - 1)
        return self._round(self.low + i * step)

    def bounds(self) -> tuple[float, float]:
        """Sampling bounds: the range, or [0, number of values) for a list (each value an equal share)."""
        if self.values is not None:
            return 0.0, float(len(self.values))
        assert self.low is not None and self.high is not None
        return self.low, self.high

    def value_of(self, x: float) -> float:
        """The parameter value for a sample ``x`` drawn within :meth:`bounds`."""
        if self.values is not None:
            return self.values[min(int(math.floor(x)), len(self.values) - 1)]
        return self._round(x)

    def checked_values(self) -> list[float]:
        """Values checked against the scenario before a sweep: every listed value, or both ends and the middle."""
        if self.values is not None:
            return list(dict.fromkeys(self.values))
        assert self.low is not None and self.high is not None
        return list(dict.fromkeys([self.low, self._round((self.low + self.high) / 2), self.high]))

    def _round(self, x: float) -> float:
        return float(round(x)) if self.integer else float(x)
