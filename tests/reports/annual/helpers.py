"""What the annual report's tests share: a year computed against the one before, with a letter and measures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from indicators.engine import compute_period, ensure_indicators
from reports.findings import findings_refresh
from reports.models import Issuer, Letter, LetterItem, Measure
from tests import factories
from tests.pdfs import pdf_text

INSTITUTE_NAME = (
    "Государственное автономное учреждение дополнительного профессионального образования "
    "«Северо-Осетинский республиканский институт повышения квалификации работников образования»"
)


def make_institute(**fields) -> Issuer:
    """The institute's blank as its staff would fill it in: a region other than the demo's."""
    values = {
        "kind": "institute",
        "name": INSTITUTE_NAME,
        "short_name": "ГБОУ ДПО СОРИПКРО",
        "address": "362040, г. Владикавказ, ул. Примерная, д. 1",
        "city": "Владикавказ",
        "signatory_position": "Ректор",
        "signatory_name": "А. Б. Ректоров",
    }
    return Issuer.objects.create(**values | fields)


@pytest.fixture
def year(world):
    """2024 and 2025 computed for direction 9; a letter issued and measures taken in 2025, one of 2024 judged."""
    before = factories.PeriodFactory(year=2024)
    # 9.1, the share of staffed positions: M1 2024 = 12/20 = 60 %, 2025 = 15/20 = 75 %.
    for period, vacant_a, vacant_c in ((before, 6, 2), (world.period, 4, 1)):
        factories.StaffingRowFactory(period=period, school=world.school_a, vacant_positions=vacant_a)
        factories.StaffingRowFactory(period=period, school=world.school_c, vacant_positions=vacant_c)
        factories.StaffingRowFactory(period=period, school=world.school_b, vacant_positions=0)
        compute_period(period=period, directions=[9])
    findings_refresh(period=world.period)
    issuer = make_institute()
    letter = Letter.objects.create(
        period=world.period, issuer=issuer, addressee="school_heads", addressee_line="Руководителям ОО",
        title="Адресные рекомендации по итогам мониторинга кадровых потребностей", signatory_position="Ректор",
        signatory_name="А. Б. Ректоров", status="issued", number="565/1", issued_on=dt.date(2025, 7, 23),
        pdf_sha256="0" * 64,
    )  # fmt: skip
    LetterItem.objects.create(
        letter=letter, kind="recommendation", addressee="school_heads", order=1,
        text="Разработать план привлечения молодых специалистов на вакантные должности.",
    )  # fmt: skip
    indicator = ensure_indicators()["9.1"]
    Measure.objects.create(
        period=before, text="Целевое обучение в педагогическом вузе", responsible="Начальник управления",
        due=dt.date(2025, 6, 1), indicator=indicator, level="municipality", org_code="01", municipality=world.m1,
        baseline=Decimal("60"), target=Decimal("70"),
    )  # fmt: skip
    Measure.objects.create(
        period=world.period, text="Конкурс на вакантные должности", responsible="Иванов И. И.",
        due=dt.date(2026, 6, 1), indicator=indicator, level="school", org_code="000001", school=world.school_a,
        municipality=world.m1, baseline=Decimal("60"), target=Decimal("90"),
    )  # fmt: skip
    return world


def pdftext(data: bytes) -> str:
    return " ".join(pdf_text(data).split())
