"""Uncertain parameters: small value classes drawn once per replicate.

A scenario number may be written as a plain value or as a distribution,
``{dist: beta, a: 2, b: 38}``.  Each class validates itself, knows its
support (so a probability field can refuse a Normal that strays outside
[0, 1]), its mean, and draws ``n`` values from a numpy Generator.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @property
    def support(self) -> tuple[float, float]:
        raise NotImplementedError

    @property
    def mean(self) -> float:
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        raise NotImplementedError


class Beta(_Dist):
    """Beta(a, b) on [low, high] (default [0, 1]): the usual prior for a probability."""

    dist: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> Beta:
        if not self.low < self.high:
            raise ValueError(f"low {self.low} must be below high {self.high}")
        return self

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    @property
    def mean(self) -> float:
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.low + (self.high - self.low) * rng.beta(self.a, self.b, n)


class Uniform(_Dist):
    """Uniform on [low, high]: a range when nothing more is known."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        if not self.low <= self.high:
            raise ValueError(f"low {self.low} must not exceed high {self.high}")
        return self

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    @property
    def mean(self) -> float:
        return 0.5 * (self.low + self.high)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


class Triangular(_Dist):
    """Triangular(low, mode, high): a range with a most likely value."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(f"need low <= mode <= high and low < high, got {self.low}, {self.mode}, {self.high}")
        return self

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)


class Normal(_Dist):
    """Normal(mean, sd), clipped to [low, high] when bounds are given."""

    dist: Literal["normal"]
    mu: float = Field(alias="mean")
    sd: float = Field(ge=0)
    low: float = -math.inf
    high: float = math.inf

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    @property
    def mean(self) -> float:
        return self.mu

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.clip(rng.normal(self.mu, self.sd, n), self.low, self.high)


class LogNormal(_Dist):
    """Log-normal with the given median and log-scale sigma: a positive, skewed quantity."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(ge=0)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    @property
    def mean(self) -> float:
        return self.median * math.exp(0.5 * self.sigma**2)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.median * np.exp(self.sigma * rng.standard_normal(n))


Distribution = Annotated[Beta | Uniform | Triangular | Normal | LogNormal, Field(discriminator="dist")]
Number = float | Distribution


def support_of(value: Number) -> tuple[float, float]:
    """The interval a number or distribution can take."""
    if isinstance(value, _Dist):
        return value.support
    return (float(value), float(value))


def mean_of(value: Number) -> float:
    """The mean of a number or distribution."""
    if isinstance(value, _Dist):
        return value.mean
    return float(value)


def draw(value: Number, rng: np.random.Generator, n: int) -> np.ndarray:
    """Draw ``n`` values (one per replicate); a plain number is repeated without drawing."""
    if isinstance(value, _Dist):
        return value.sample(rng, n).astype(np.float64)
    return np.full(n, float(value))


def is_uncertain(value: Number) -> bool:
    """Whether a scenario number is a distribution rather than a fixed value."""
    return isinstance(value, _Dist)
