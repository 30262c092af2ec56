"""The scenario schema: the typed, frozen sections of a scenario file and the vocabularies they use.

Each section is a pydantic model with ``extra="forbid"`` (an unknown key is an error), frozen, and with
every plain number finite and at most LARGEST. Loading lives in :mod:`corridor_sim.scenario`, the
cross-reference and range checks in :mod:`corridor_sim.scenario_checks`; this module imports neither.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationInfo, field_validator

from corridor_sim.distributions import Number, within_largest

MODES = ("air", "sea", "land")
# Parties that may control nodes without being actors: they hold ground but have no levers. Actors are
# whatever a scenario's `actors:` mapping declares (plus the shipper's `actor`): see ActorId.
TERRITORIAL = ("syria", "lebanon", "international")
NODE_KINDS = ("origin", "hub", "airport", "port", "border_crossing", "chokepoint", "destination")
SEGMENT_ATTRIBUTES = (
    "interdiction_probability",
    "cost_usd_per_ton",
    "fee_usd_per_ton",
    "capacity_tons_per_day",
    "hazard_per_day",
    "inspection_probability",
)
# Also the rows of the model's node attribute table, in the order of the kernels' NODE_* positions.
# strike_probability is a storage node's (its ``storage:`` block; 0 elsewhere): see node_attribute.
NODE_ATTRIBUTES = ("interdiction_probability", "capacity_tons_per_day", "strike_probability")
# The longest storage dwell a scenario may give (it sizes each storing leg's ring of days).
MAX_DWELL_DAYS = 60
METRICS = (
    "lever",
    "delivered_7d",
    "interdicted_30d",
    "interdiction_rate_30d",
    "share_met",
    "backlog",
)

Mode = Literal["air", "sea", "land"]

# An actor id names a key path part (`actors.<id>`), a lever reference (`<id>.<lever>`) and part of a
# flat override name (`<id>_<lever>`), so it holds no dots, spaces or capitals.
ACTOR_ID = re.compile(r"[a-z][a-z0-9_]*")


def split_cargo(selector: str, cargo_ids: Sequence[str]) -> tuple[str, str | None]:
    """A selector and the cargo class named at its end (``mode:land:materiel``), or None if it names none."""
    where, _, last = selector.rpartition(":")
    if where and last in cargo_ids and where not in ("mode", "route"):
        return where, last
    return selector, None


def actor_id_problem(value: Any) -> str | None:
    """Why a value cannot be an actor id, or None."""
    if isinstance(value, str) and ACTOR_ID.fullmatch(value):
        return None
    return "not an actor id (use lowercase letters, digits and underscores, starting with a letter)"


def _actor_id(value: str) -> str:
    problem = actor_id_problem(value)
    if problem:
        raise ValueError(problem)
    return value


ActorId = Annotated[str, AfterValidator(_actor_id)]


# Whole numbers that size the run's arrays: the model's memory check, not LARGEST, bounds them.
SIZE_FIELDS = ("days", "transit_days", "turnaround_days", "loading_days")


class _Spec(BaseModel):
    """Every scenario section: unknown keys refused, frozen, and every number finite and at most LARGEST."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_sets(cls, value: Any) -> Any:
        # A YAML !!set has no order: as a list its order would follow the interpreter's hash seed.
        if isinstance(value, (set, frozenset)):
            raise ValueError("a set (!!set) has no order: write a list")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _not_huge(cls, value: Any, info: ValidationInfo) -> Any:
        # Numbers (plain or drawn) check themselves in distributions.Number; this covers the plain fields.
        if isinstance(value, (int, float)) and not isinstance(value, bool) and info.field_name not in SIZE_FIELDS:
            within_largest(value)
        return value


class CargoClass(_Spec):
    """A kind of cargo, accounted separately from every other kind."""

    unit: str = "tons"
    value_usd_per_ton: Number = 0.0
    reservation_cost_usd_per_ton: Number = Field(
        default=1e12,
        description="Highest expected cost per delivered unit the shipper will pay on a route.",
    )
    payload_factor: float = Field(default=1.0, gt=0, description="Units carried per ton of payload.")
    urgency_usd_per_ton_day: Number | None = Field(
        default=None,
        description=(
            "Holding cost per unit of this cargo and day in transit or queued (the shipper's urgency for it);"
            " absent: the shipper's urgency_usd_per_ton_day, per ton of payload."
        ),
    )
    replacement_share: Number = Field(
        default=1.0,
        description="Share of this cargo lost to interdiction that its destination demands again (ODD 7.2).",
    )
    label: str = ""


class Storage(_Spec):
    """An airport's storage: flown-in cargo waits there before its next leg, exposed to strikes (ODD 7.15)."""

    dwell_days: Number = Field(description="Days flown-in cargo waits before it starts the route's next leg.")
    strike_probability: Number = Field(
        default=0.0, description="Daily chance of a strike on the storage before any lever (levers add to it)."
    )
    destroyed_share: Number = Field(default=0.0, description="Share of everything in storage a strike destroys.")
    closure_days: Number = Field(default=0.0, description="Days a strike closes the airport to landings.")
    source: str = ""


class Node(_Spec):
    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    kind: Literal["origin", "hub", "airport", "port", "border_crossing", "chokepoint", "destination"]
    controller: str
    capacity_tons_per_day: Number | None = None
    interdiction_probability: Number = 0.0
    storage: Storage | None = None
    source: str = ""


def node_attribute(node: Node, attribute: str) -> tuple[str, Number | None]:
    """A node attribute's key path under the node and its value (a storage's strike probability, else 0)."""
    if attribute == "strike_probability":
        return "storage.strike_probability", node.storage.strike_probability if node.storage else 0.0
    return attribute, getattr(node, attribute)


class Segment(_Spec):
    from_: str = Field(alias="from")
    to: str
    mode: Mode
    transit_days: int = Field(ge=1)
    cost_usd_per_ton: Number = 0.0
    fee_usd_per_ton: Number = 0.0
    interdiction_probability: Number = 0.0
    capacity_tons_per_day: Number | None = None
    max_payload_tons: Number | None = None
    hazard_per_day: Number = 0.0  # loss hazard per day at risk on the segment (ODD 7.4: exposure)
    inspection_probability: Number = 0.0  # chance each vehicle load is inspected and seized (ODD 7.4.3)
    distance_km: float | None = Field(default=None, ge=0)
    label: str = ""
    source: str = ""


class Convoy(_Spec):
    """How a fleet's vehicles travel and are struck: in convoys, lost with their cargo, replaced over time."""

    size: Number = 1.0  # vehicles per convoy; a strike on a leg hits one convoy
    targeted_share: Number = 0.0  # share of strikes that intelligence aims at chosen vehicles
    targeted_vehicles: Number = 1.0  # vehicles a targeted strike takes (at most the convoy)
    vehicles_lost: bool = True  # the vehicles struck are lost to the fleet with their cargo
    replacement_per_day: Number = 0.0  # lost vehicles the fleet replaces each day


class Fleet(_Spec):
    mode: Mode
    payload_tons: Number
    count: Number
    cost_usd_per_vehicle_day: Number = 0.0
    loading_days: int = Field(default=1, ge=0)
    convoy: Convoy | None = None  # absent: every vehicle alone, never lost (ODD 7.4)
    label: str = ""
    source: str = ""


class Route(_Spec):
    segments: list[str] = Field(min_length=1)
    fleet: str
    mode: Mode | None = None
    turnaround_days: int | None = Field(default=None, ge=1)
    cargo: list[str] | None = None
    label: str = ""


class DemandPhase(_Spec):
    """A destination's daily demand for a cargo class from a day (or date) until the next phase starts."""

    day: int | None = Field(default=None, ge=0)
    date: dt.date | None = None
    value: Number
    basis: str = Field(min_length=1, description="Its source (docs/sources.md), or 'assumption: ...'.")

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return _parse_date(value)


# A destination's demand for a cargo class: one daily amount for the whole run, or phases in order from
# day 0 (ODD 7.2). A list is read as phases and anything else as an amount, so that a phase's own
# mistake is what gets reported.
DemandAmount = Annotated[
    Annotated[Number, Tag("demand-amount")] | Annotated[list[DemandPhase], Tag("demand-phases")],
    Discriminator(lambda value: "demand-phases" if isinstance(value, (list, tuple)) else "demand-amount"),
]


class Destination(_Spec):
    node: str
    demand: dict[str, DemandAmount]
    label: str = ""


class ShipperSpec(_Spec):
    actor: ActorId = "iran"
    risk_aversion: Number = 1.0
    inertia: Number = 0.8
    belief_memory: Number = 0.98
    prior_weight_loads: float = Field(default=5.0, gt=0)
    choice_temperature: float = Field(default=0.25, gt=0)
    urgency_usd_per_ton_day: Number = 0.0
    # How it learns (docs/ODD.md 7.6); each default leaves the shipper as it was before they existed.
    prior_spread: Number = 0.0  # sd of its prior's error on the logit scale (0: the prior is the day-0 truth)
    idle_memory: Number | None = None  # the share of the daily fade applied on days a leg moves nothing (None: all)
    loss_tolerance: Number = 1.0  # believed loss share above which a route is dropped (1: never)
    probe_demand_days: Number = 0.0  # a probe of a route dropped for its risk, in days of demand (0: no probes)
    probe_wait_days: Number = 30.0  # days out of use before the first probe
    probe_backoff: float = Field(default=2.0, ge=1)  # the wait's factor after a probe that did not lower the belief
    wait_learning_rate: Number = 1.0  # daily step of its believed queue wait toward the observed one (1: exact)


class Effect(_Spec):
    segments: list[str] = []
    nodes: list[str] = []
    attribute: Literal[
        "interdiction_probability",
        "cost_usd_per_ton",
        "fee_usd_per_ton",
        "capacity_tons_per_day",
        "strike_probability",
        "hazard_per_day",
        "inspection_probability",
    ]
    coef: Number
    kind: str | None = None  # how m changes the attribute (effect_kinds); None: the attribute's default
    invert: bool = False
    factors: list[str] = []


class Adaptive(_Spec):
    rate: float = Field(gt=0, le=1)
    floor: float = Field(default=0.2, ge=0, le=1)


class ResponseTerm(_Spec):
    of: list[str] = Field(min_length=1)  # levers (``actor.lever`` or ``1 - actor.lever``) multiplied together
    gain: Number


class Response(_Spec):
    """A lever that moves each day toward a target set by what its actor observes (docs/ODD.md 7.16)."""

    segments: list[str] = []  # where the actor watches queues, traffic and losses
    rate: Number  # share of the gap to the target closed each day
    delay_days: Number = 1.0  # mean lag of the observations (first-order delay)
    base: Number | None = None  # the target with nothing observed (default: the lever's start value)
    congestion: Number = 0.0  # per day of queue at the watched segments
    idle: Number = 0.0  # per unit of unused capacity share there
    loss_share: Number = 0.0  # per unit of the share of tons lost there
    levers: list[ResponseTerm] = []  # per unit of a product of levers (pressure, who holds the crossing)


class Lever(_Spec):
    value: Number
    min: float = 0.0
    max: float = 1.0
    unit: str = ""
    label: str = ""
    cost_usd_per_day: float = Field(default=0.0, ge=0)
    effects: list[Effect] = []
    adaptive: Adaptive | None = None
    response: Response | None = None
    source: str = ""


class Change(_Spec):
    lever: str
    day: int | None = Field(default=None, ge=0)
    date: dt.date | None = None
    set: float | None = None
    ramp_to: float | None = None
    ramp_days: int | None = Field(default=None, ge=1)
    label: str = ""


class Budget(_Spec):
    """An actor's money per day: its scripted levers are paid first, the rest funds its adaptive effort (ODD 7.9)."""

    usd_per_day: Number


class Decision(_Spec):
    """How an actor places its adaptive effort: by expected payoff, seen late and imperfectly (ODD 7.8)."""

    delay_days: Number = 0  # days its observations lag, drawn per replicate and rounded to whole days
    detection: Number = 1.0  # share of a target's traffic the actor sees, drawn per replicate and target


class Actor(_Spec):
    label: str = ""
    levers: dict[str, Lever] = {}
    timeline: dict[str, Change] = {}
    budget: Budget | None = None
    decision: Decision | None = None


class Condition(_Spec):
    metric: str
    above: float | None = None
    below: float | None = None


class RuleAction(_Spec):
    actor: ActorId
    lever: str
    set: float


class Rule(_Spec):
    label: str = ""
    when: Condition
    probability: Number = 1.0
    delay_days: int = Field(default=0, ge=0)
    delay_max_days: int | None = Field(default=None, ge=0)
    then: list[RuleAction] = Field(min_length=1)
    max_firings: int = Field(default=1, ge=1)


class Scenario(_Spec):
    """A fully resolved, validated scenario. Immutable: build a new one to change it."""

    name: str
    description: str = ""
    start_date: dt.date = dt.date(2019, 1, 1)
    days: int = Field(default=730, ge=1)
    cargo: dict[str, CargoClass] = Field(min_length=1)
    nodes: dict[str, Node] = Field(min_length=2)
    segments: dict[str, Segment] = Field(min_length=1)
    fleets: dict[str, Fleet] = Field(min_length=1)
    routes: dict[str, Route] = Field(min_length=1)
    destinations: dict[str, Destination] = Field(min_length=1)
    shipper: ShipperSpec = ShipperSpec()
    actors: dict[ActorId, Actor] = {}
    rules: dict[str, Rule] = {}

    @field_validator("start_date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return _parse_date(value)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain data (what ``scenario.resolved.yaml`` holds)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def change_day(self, change: Change) -> int:
        """The model day a timed change takes effect."""
        if change.day is not None:
            return change.day
        assert change.date is not None  # guaranteed by check_references
        return (change.date - self.start_date).days

    def phase_day(self, phase: DemandPhase) -> int:
        """The model day a demand phase starts."""
        if phase.day is not None:
            return phase.day
        assert phase.date is not None  # guaranteed by check_references
        return (phase.date - self.start_date).days

    def date_of(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day)

    def lever(self, ref: str) -> Lever:
        actor, lever = ref.split(".", 1)
        return self.actors[actor].levers[lever]


def _parse_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date in YYYY-MM-DD form") from None
    return value
