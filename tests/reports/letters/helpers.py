"""What the letter tests share: the staffed world whose findings the letters draw on, and short-hands."""

from __future__ import annotations

import pytest

from indicators.engine import compute_period
from indicators.models import ComputationRun
from indicators.services import run_begin, run_finish
from monitoring.models import Role, User
from reports import letters
from reports.models import Issuer, Letter
from tests import factories

A, C = "МКОУ «Алексеевская СШ»", "МКОУ «Аржановская СШ»"
SHORTAGE_AC = f"Нехватка педагогических кадров в 2 ОО: {A}, {C}."
VACANT_AC = f"Высокая доля вакантных ставок (более 5 % ставок по штату) в 2 ОО: {A}, {C}."
HEADS_9 = (
    "Своевременно выявлять кадровые потребности и направлять сведения о вакансиях в орган управления образованием."
)
MUNICIPAL_9 = (
    "Разработать меры по привлечению и закреплению педагогических кадров, в том числе в рамках целевого обучения "
    "и программы «Земский учитель»."
)
INSTITUTE_9 = (
    "Формировать график повышения квалификации и профессиональной переподготовки с учетом кадровых потребностей "
    "образовательных организаций региона."
)


@pytest.fixture
def staffed(world):
    # As in test_findings: 9.1 (≥ 95 %) and 9.11 (≤ 5 %) miss at schools A and C and at M1; B and M2 are fine.
    factories.StaffingRowFactory(period=world.period, school=world.school_a, vacant_positions=4)
    factories.StaffingRowFactory(period=world.period, school=world.school_b, vacant_positions=0)
    factories.StaffingRowFactory(period=world.period, school=world.school_c, vacant_positions=1)
    compute_period(period=world.period, directions=[9])
    run = ComputationRun.objects.create(period=world.period)
    run_begin(run_id=run.pk, steps=0)
    run_finish(run_id=run.pk)
    # The blanks the letters print on, filled in as their keepers would (a blank not filled in is not printed).
    factories.institute_issuer()
    letters.municipal_issuer(municipality=world.m1)
    Issuer.objects.filter(municipality=world.m1).update(
        address="403000, г. Энск-1, ул. Центральная, д. 2", city="Энск-1"
    )
    return world


def _items(letter: Letter) -> list[tuple[str, str, int, str]]:
    return list(letter.items.order_by("kind", "addressee", "order").values_list("kind", "addressee", "order", "text"))


def _propose(world, addressee, municipality=None, user=None, issuer=None) -> Letter:
    return letters.letter_propose(
        period=world.period,
        issuer=issuer or factories.institute_issuer(),
        addressee=addressee,
        municipality=municipality,
        user=user or world.analyst,
    )


def _signer(world=None):
    """A second institute analyst: the one who approves as signatory what ``world.analyst`` wrote (four eyes)."""
    # Looked up first: the factory sets the password again, which would log the user out of a test client.
    return User.objects.filter(username="director").first() or factories.UserFactory(
        username="director", role=Role.ANALYST, first_name="Ирина", last_name="Воронина"
    )


def _municipal_signer(world):
    """A second official of M1's education authority, who approves what ``world.municipal`` wrote."""
    return User.objects.filter(username="municipal-signer").first() or factories.UserFactory(
        username="municipal-signer", role=Role.MUNICIPAL, municipality=world.m1
    )


def _issued(world, **kw) -> Letter:
    letter = _propose(world, "school_heads", world.m1)
    letters.letter_approve(letter=letter, revision=letter.revision, user=_signer(world))
    return letters.letter_issue(letter=letter, user=world.analyst, **kw)
