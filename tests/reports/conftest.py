"""What the reports' tests share: the indicators' fixture (tests.indicators.helpers: Ж.5, declarative, computed)
and ``people``, the world with e-mail addresses and a head for school C (the plan's tests)."""

import pytest

from monitoring.models import Role
from tests import factories
from tests.indicators.helpers import declared  # noqa: F401  (the fixture)


@pytest.fixture
def people(world):
    for name, person in world.people.items():
        person.email = f"{name}@example.org"
        person.save(update_fields=["email"])
    world.head_c = factories.UserFactory(
        username="head_c", role=Role.SCHOOL_HEAD, school=world.school_c, email="head_c@example.org"
    )
    world.municipal_b = factories.UserFactory(
        username="municipal_b", role=Role.MUNICIPAL, municipality=world.m2, email="mb@example.org"
    )
    return world
