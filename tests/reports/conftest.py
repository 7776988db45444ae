"""What the reports' tests share with the indicators' (tests.indicators.helpers): Ж.5, declarative, computed."""

from tests.indicators.helpers import declared  # noqa: F401  (the fixture)
