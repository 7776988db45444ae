"""The annual report tests' fixture (tests.reports.annual.helpers)."""

from tests.reports.annual.helpers import year  # noqa: F401  (the fixture)
