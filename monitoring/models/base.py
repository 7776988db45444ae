"""Enumerations the whole cycle shares: the nine directions and the users' roles."""

from __future__ import annotations

from django.db import models

# The natural Russian collation of name columns (``db_collation=NATURAL``): case- and ё-insensitive,
# numbers by value. PostgreSQL gets it from a migration, SQLite on each connection; the rules live
# in monitoring.shared.collation.
NATURAL = "ru_natural"

# ---------------------------------------------------------------------------
# Enumerations shared by the whole cycle
# ---------------------------------------------------------------------------


class Direction(models.IntegerChoices):
    """The nine directions of the regional order (titles as in spec/indicators.md)."""

    DEFICITS = 1, "Выявление профессиональных дефицитов педагогических работников"
    ROUTES = 2, "Учет индивидуальных образовательных маршрутов (ИОМ)"
    RETRAINING = 3, "Профессиональная переподготовка и качество ДПП"
    DIGITAL = 4, "Развитие цифровой образовательной среды ДПО"
    EXPERTS = 5, "Вовлечение педагогов в экспертную деятельность"
    ACTIVISTS = 6, "Формирование методического актива"
    MENTORING = 7, "Поддержка молодых педагогов, наставничество"
    NETWORKS = 8, "Сетевое взаимодействие педагогов"
    STAFFING = 9, "Выявление кадровых потребностей"


class Role(models.TextChoices):
    """What a user is; their scope follows from it (see monitoring.models.scoping)."""

    ANALYST = "analyst", "Специалист института"
    MINISTRY = "ministry", "Представитель министерства"
    MUNICIPAL = "municipal", "Специалист муниципального органа управления образованием"
    SCHOOL_HEAD = "school_head", "Руководитель образовательной организации"
    TEACHER = "teacher", "Педагог"
    # A ЦНППМ curator or tutor (seeds/003, 004 direction 6): follows the routes of the teachers
    # assigned to them (monitoring.models.people.CuratorAssignment).
    CURATOR = "curator", "Куратор (тьютор) ЦНППМ"
