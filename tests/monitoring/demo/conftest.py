"""The small demo region, seed 1, for the tests of the demo package."""

from __future__ import annotations

import pytest

from monitoring.demo import seed_demo


@pytest.fixture
def demo():
    return seed_demo(size="small", seed=1)
