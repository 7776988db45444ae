"""A weighted choice the demo prepares once and draws many times."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any


class Choice:
    """A weighted choice prepared once and drawn many times (one bisect per draw)."""

    __slots__ = ("cumulative", "values")

    def __init__(self, options: Sequence[tuple[Any, float]]):
        self.values: list[Any] = []
        self.cumulative: list[float] = []
        total = 0.0
        for value, weight in options:
            total += weight
            self.values.append(value)
            self.cumulative.append(total)

    def draw(self, rng: random.Random) -> Any:
        return rng.choices(self.values, cum_weights=self.cumulative)[0]
