"""A matplotlib figure's title (its suptitle).

The sweep report heads each figure with its title. The report read the private ``Figure._suptitle``
(a ``Text`` or None); matplotlib 3.8 added the public ``Figure.get_suptitle()``, which returns the
same text, or ``""`` for a figure without one, so this adapter now needs no private attribute. Known
to work on matplotlib 3.8 to 3.11 (pyproject.toml: ``matplotlib>=3.8,<3.12``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def figure_title(fig: Figure) -> str | None:
    """The figure's suptitle, or None if it has none (or an empty one)."""
    return fig.get_suptitle() or None
