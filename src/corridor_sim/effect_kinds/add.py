"""``add``: m added to the attribute, never below zero, x <- max(0, x + m).

The kind for costs and fees: a toll of m dollars a ton, a subsidy when m < 0; and for a segment's
hazard per day at risk, where independent hazards add.
"""

NAME = "add"
ATTRIBUTES = ("cost_usd_per_ton", "fee_usd_per_ton", "capacity_tons_per_day", "hazard_per_day")
DEFAULT_FOR = ("cost_usd_per_ton", "fee_usd_per_ton", "hazard_per_day")


def apply_add(value, m, n):
    """Change ``value[:n]`` in place by ``m[:n]`` (compiled with the engine)."""
    for i in range(n):
        x = value[i] + m[i]
        value[i] = x if x > 0.0 else 0.0
