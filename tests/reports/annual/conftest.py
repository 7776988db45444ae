"""The annual report tests' fixtures (tests.reports.annual.helpers), and the build beside the request held back."""

import pytest

from tests.reports.annual.helpers import year  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def _held(beside):
    # Every report started here is built when the test says so (tests/conftest.py: beside).
    return beside
