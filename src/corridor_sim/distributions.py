"""Uncertain parameters: small value classes drawn once per replicate.

A scenario number may be written as a plain value or as a distribution,
``{dist: beta, a: 2, b: 38}``.  Each class validates itself, knows its
support (so a probability field can refuse a Normal that strays outside
[0, 1]), its mean, and draws ``n`` values from a numpy Generator.

Every parameter must be finite, and so must every draw: a distribution whose
1e-12 or 1 - 1e-12 quantile is infinite or beyond :data:`LARGEST` in magnitude
(a log-normal with sigma 800, a uniform over +-1e308) is refused, because its
draws would overflow the model's sums into inf and NaN.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, AllowInfNan, BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

# The largest magnitude any scenario number (and any draw, to the 1e-12 quantiles) may have: beyond
# it, sums over days, replicates and routes overflow. The "no limit" defaults (1e12) stay below it.
LARGEST = 1e15
# The standard normal's 1 - 1e-12 quantile: the tails a distribution's draws are checked to.
_Z_TAIL = 7.034483825


def within_largest(x: float) -> float:
    """A scenario number, if its magnitude is at most :data:`LARGEST` (else ValueError)."""
    if abs(x) > LARGEST:
        raise ValueError(f"beyond the largest magnitude a scenario number may have ({LARGEST:g})")
    return x


def show(x: float) -> str:
    """A number as a message shows it: 5 rather than 5.0."""
    return str(int(x)) if math.isfinite(x) and x.is_integer() and abs(x) < 1e16 else repr(x)


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _finite_draws(self) -> _Dist:
        for which, q in zip(("1e-12", "1 - 1e-12"), self.tails(), strict=True):
            if not abs(q) <= LARGEST:
                raise ValueError(
                    f"{self.dist}: draws can reach {show(q)} (its {which} quantile): "  # type: ignore[attr-defined]
                    f"scenario numbers must stay within +-{LARGEST:g}"
                )
        return self

    def tails(self) -> tuple[float, float]:
        """The 1e-12 and 1 - 1e-12 quantiles (or bounds just outside them), which draws stay between."""
        return self.support

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
            raise ValueError(f"beta: low {show(self.low)} must be below high {show(self.high)}")
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
            raise ValueError(f"uniform: low {show(self.low)} is above high {show(self.high)}")
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
        low, mode, high = show(self.low), show(self.mode), show(self.high)
        if not self.low < self.high:
            raise ValueError(f"triangular: low {low} must be below high {high}")
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"triangular: mode {mode} is not within [low {low}, high {high}]")
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
    # Clip bounds: no bound by default (+-inf, which may also be written as .inf).
    low: Annotated[float, AllowInfNan(True)] = -math.inf
    high: Annotated[float, AllowInfNan(True)] = math.inf

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _check(self) -> Normal:
        for key in ("low", "high"):
            if math.isnan(getattr(self, key)):
                raise ValueError(f"normal: clip bound {key} is not a number (nan)")
        if not self.low <= self.high:
            raise ValueError(f"normal: clip bound low {show(self.low)} is above high {show(self.high)}")
        return self

    def tails(self) -> tuple[float, float]:
        spread = _Z_TAIL * self.sd
        return (max(self.low, self.mu - spread), min(self.high, self.mu + spread))

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

    def tails(self) -> tuple[float, float]:
        # In logs: exp overflows long before the check could say by how much.
        top = math.log(self.median) + _Z_TAIL * self.sigma
        mean = math.log(self.median) + 0.5 * self.sigma**2
        return (0.0, math.exp(max(top, mean)) if max(top, mean) < 700 else math.inf)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    @property
    def mean(self) -> float:
        return self.median * math.exp(0.5 * self.sigma**2)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.median * np.exp(self.sigma * rng.standard_normal(n))


class Sample(_Dist):
    """One of a list of values, each as likely: a posterior's accepted values (calibration).

    Values that name the same ``stream`` are drawn at the same position of their lists: parameters
    calibrated together keep each accepted replicate's values together (their joint distribution),
    as long as their lists have the same length and order.
    """

    dist: Literal["sample"]
    values: list[Annotated[float, AllowInfNan(False), AfterValidator(within_largest)]] = Field(min_length=1)
    stream: str | None = None  # the source of randomness the position is drawn from (default: the parameter's)

    @property
    def support(self) -> tuple[float, float]:
        return (min(self.values), max(self.values))

    @property
    def mean(self) -> float:
        return math.fsum(self.values) / len(self.values)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.asarray(self.values, dtype=np.float64)[rng.integers(0, len(self.values), n)]


Distribution = Annotated[Beta | Uniform | Triangular | Normal | LogNormal | Sample, Field(discriminator="dist")]
DISTRIBUTIONS = ("beta", "uniform", "triangular", "normal", "lognormal", "sample")


def _number_or_distribution(value: Any) -> str:
    return "distribution" if isinstance(value, (dict, _Dist)) else "number"


# A mapping is read as a distribution and anything else as a number, so that a distribution's own
# mistake (low above high) is what gets reported rather than "not a valid number".
Number = Annotated[
    Annotated[float, AllowInfNan(False), AfterValidator(within_largest), Tag("number")]
    | Annotated[Distribution, Tag("distribution")],
    Discriminator(_number_or_distribution),
]


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
