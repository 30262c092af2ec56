"""``probability``: an independent added hazard, or a proportional cut.

With m >= 0 the lever adds a hazard independent of those already there, p <- 1 - (1 - p)(1 - m);
with m < 0 (escorts, say) it cuts the probability in proportion, p <- p(1 + m). m is clipped to
[-1, 1], so p stays a probability.
"""

NAME = "probability"
# The attributes it may change, and those whose effects are of this kind unless a scenario says.
ATTRIBUTES = ("interdiction_probability", "strike_probability", "inspection_probability")
DEFAULT_FOR = ("interdiction_probability", "strike_probability", "inspection_probability")


def apply_probability(value, m, n):
    """Change ``value[:n]`` in place by ``m[:n]`` (compiled with the engine)."""
    for i in range(n):
        x = -1.0 if m[i] < -1.0 else (1.0 if m[i] > 1.0 else m[i])
        value[i] = 1.0 - (1.0 - value[i]) * (1.0 - x) if x >= 0.0 else value[i] * (1.0 + x)
