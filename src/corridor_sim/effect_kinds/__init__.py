"""The kinds of lever effect: how an effect's m = coef x lever value (x factors) changes an attribute.

Each kind is one module here with its ``NAME`` (what a scenario writes as an effect's ``kind:``),
the ``ATTRIBUTES`` it may change, the attributes it is the ``DEFAULT_FOR`` (an effect that names
no kind takes its attribute's default), and its ``apply_<name>(value, m, n)``, plain Python over
arrays that the engine compiles with the rest of the day. :data:`KINDS` registers them: an
effect's kind is its index in that tuple (the ``eff_kind`` array of the engine's effects record),
and :func:`apply_kind` hands the work to the kind's function.

Adding a kind: write its module (the three names and the function), add it to :data:`KINDS` and
a branch to :func:`apply_kind` (tests/test_effect_kinds.py checks that every registered kind has
one), and describe it in docs/parameters.md. This package imports nothing else of corridor_sim,
so the scenario's checks and the engine can both read it.
"""

from __future__ import annotations

from corridor_sim.effect_kinds import add, probability, scale
from corridor_sim.effect_kinds.add import apply_add
from corridor_sim.effect_kinds.probability import apply_probability
from corridor_sim.effect_kinds.scale import apply_scale

KINDS = (probability, scale, add)
NAMES = tuple(kind.NAME for kind in KINDS)
PROBABILITY, SCALE, ADD = (NAMES.index(kind.NAME) for kind in (probability, scale, add))


def apply_kind(kind, value, m, n):
    """Apply an effect of kind ``kind`` (an index into KINDS) to ``value[:n]``, in place."""
    if kind == PROBABILITY:
        apply_probability(value, m, n)
    elif kind == SCALE:
        apply_scale(value, m, n)
    elif kind == ADD:
        apply_add(value, m, n)


def default_kind(attribute: str) -> str:
    """The kind of an effect on ``attribute`` that names none."""
    return next(kind.NAME for kind in KINDS if attribute in kind.DEFAULT_FOR)


def kind_index(name: str | None, attribute: str) -> int:
    """An effect's kind as the engine takes it: its index in KINDS (the attribute's default if ``name`` is None)."""
    return NAMES.index(name if name is not None else default_kind(attribute))


def allowed(name: str, attribute: str) -> bool:
    """Whether a kind may change the attribute."""
    return name in NAMES and attribute in KINDS[NAMES.index(name)].ATTRIBUTES
