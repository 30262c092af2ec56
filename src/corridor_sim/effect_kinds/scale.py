"""``scale``: the attribute scaled by 1 + m, never below zero, c <- c * max(0, 1 + m).

The kind for capacities: m = -1 closes a crossing, m = 0.5 adds half again.
"""

NAME = "scale"
ATTRIBUTES = ("capacity_tons_per_day", "cost_usd_per_ton", "fee_usd_per_ton", "hazard_per_day")
DEFAULT_FOR = ("capacity_tons_per_day",)


def apply_scale(value, m, n):
    """Change ``value[:n]`` in place by ``m[:n]`` (compiled with the engine)."""
    for i in range(n):
        grow = 1.0 + m[i]
        value[i] = value[i] * (grow if grow > 0.0 else 0.0)
