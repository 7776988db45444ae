"""The annual report tests' fixtures (tests.reports.annual.helpers), and the build beside the request held back."""

import pytest

from tests.reports.annual.helpers import year  # noqa: F401  (the fixture)


class Beside:
    """Work the embedded default would run in a thread beside the request, kept until the test runs it."""

    def __init__(self):
        self.pending = []

    def __call__(self, work):
        self.pending.append(work)

    def run(self) -> int:
        done = 0
        while self.pending:
            self.pending.pop(0)()
            done += 1
        return done


@pytest.fixture(autouse=True)
def beside(monkeypatch) -> Beside:
    # A real thread would open its own connection outside the test's transaction.
    from reports.annual import jobs

    held = Beside()
    monkeypatch.setattr(jobs, "run_beside", held)
    return held
