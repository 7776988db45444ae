"""The letter tests' fixture: a world whose staffing misses two thresholds (tests.reports.letters.helpers)."""

from tests.reports.letters.helpers import staffed  # noqa: F401  (the fixture)
