"""The sheet registry: every column is held to the bounds of the field it fills (registry.bounded).

A value the database cannot store (a 300-character name in a 255-character field, 1E+308
staff positions, a count beyond a 32-bit integer) used to pass the checks and fail the
write, which left the head's upload «проверяется» for good. Now each is a cell problem with
its sheet, row and column, for every column of every registered sheet.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import models

from iom.models import ProgramTag, Provider
from monitoring.intake.package import registry
from monitoring.intake.package.parsing import MAX_LIST_ITEM, CellError, parse_text


def _bounded_columns():
    for sheet in registry.sheets():
        for column in sheet.columns:
            field = getattr(column.parse, "bound", None)
            if field is not None:
                yield pytest.param(sheet, column, field, id=f"{sheet.name}-{column.title}")


def _just_over(field: models.Field):
    """The smallest raw cell the field cannot store, and the largest value it can."""
    if isinstance(field, models.CharField):
        return "я" * (field.max_length + 1), "я" * field.max_length
    if isinstance(field, models.DecimalField):
        whole = Decimal(10) ** (field.max_digits - field.decimal_places)
        return str(whole), whole - Decimal(1).scaleb(-field.decimal_places)
    _low, high = registry.BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
    return str(high + 1), high


def test_every_sheet_is_bounded_by_the_tables_it_fills():
    # The bounds come from the sheet's models: a sheet without them would read unbounded.
    class Bare(registry.Sheet):
        name = "Лист без таблиц"
        columns = (registry.Column("Имя", "name", parse_text),)

    with pytest.raises(ValueError, match="declares no models"):
        registry.register(Bare())
    assert all(sheet.models for sheet in registry.sheets())
    # Every text or number column the sheets read from a model field is held to it.
    held = {(s.name, c.field) for s in registry.sheets() for c in s.columns if getattr(c.parse, "bound", None)}
    assert {("Педагоги", "full_name"), ("Педагоги", "workload"), ("Штатное расписание", "actual_need")} <= held
    assert {
        ("Штатное расписание", "vacant_posts"),
        ("Программы ДПП", "provider"),
        ("Программы ДПП", "positions"),
    } <= held


@pytest.mark.parametrize("sheet, column, field", list(_bounded_columns()))
def test_a_value_over_the_fields_bound_is_a_cell_problem(sheet, column, field):
    over, fits = _just_over(field)
    with pytest.raises(CellError) as refused:
        column.parse(over)
    # The bound's own words, or a stricter rule of the column (a choice, a checksum, a range of scores).
    assert re.search("[а-я]{4}", str(refused.value)), refused.value
    registry.field_bound(field)(fits)  # the largest value the field stores passes the bound


def test_the_messages_say_what_fits():
    name = next(c for c in registry.sheet_by_name("Педагоги").columns if c.field == "full_name")
    with pytest.raises(CellError, match="в ячейке 256 символов, а можно не более 255 символов"):
        name.parse("я" * 256)
    workload = next(c for c in registry.sheet_by_name("Педагоги").columns if c.field == "workload")
    with pytest.raises(CellError, match="ожидается число меньше 1 000"):
        workload.parse("1E+308")
    posts = next(c for c in registry.sheet_by_name("Штатное расписание").columns if c.field == "vacant_posts")
    with pytest.raises(CellError, match="ожидается целое число от 0 до 2 147 483 647"):
        posts.parse(2**31)


def test_a_column_stored_under_another_name_is_held_to_that_field():
    program = registry.sheet_by_name("Программы ДПП")
    provider = next(c for c in program.columns if c.field == "provider")
    longest = Provider._meta.get_field("name").max_length
    assert provider.parse("О" * longest) == "О" * longest
    with pytest.raises(CellError):
        provider.parse("О" * (longest + 1))
    # A list cell: each item is one stored value (and list cells hold short items anyway).
    positions = next(c for c in program.columns if c.field == "positions")
    assert positions.parse.bound == ProgramTag._meta.get_field("value")
    longest = min(ProgramTag._meta.get_field("value").max_length, MAX_LIST_ITEM)
    assert positions.parse(f"учитель; {'д' * longest}") == ["учитель", "д" * longest]
    with pytest.raises(CellError):
        positions.parse(f"учитель; {'д' * (longest + 1)}")


def test_registering_again_does_not_wrap_twice():
    sheet = registry.sheet_by_name("Педагоги")
    before = [c.parse for c in sheet.columns]
    registry.register(sheet)
    assert [c.parse for c in sheet.columns] == before


# The registry as config/extensions.py declares it: the import writes (and the export
# lists) sheets in this order, and the registration order breaks no tie differently.
REGISTERED = [
    ("Регион", 10, "RegionSheet"),
    ("Муниципалитеты", 20, "MunicipalitySheet"),
    ("Организации", 30, "SchoolSheet"),
    ("Педагоги", 40, "TeacherSheet"),
    ("Штатное расписание", 50, "StaffingSheet"),
    ("Аттестация", 60, "AttestationSheet"),
    ("Конкурсы", 60, "CompetitionSheet"),
    ("Методические объединения", 60, "AssociationSheet"),
    ("Методический актив", 60, "ActivistSheet"),
    ("Программы наставничества", 60, "MentoringProgramSheet"),
    ("Проекты молодых педагогов", 60, "ProjectSheet"),
    ("Цифровая среда", 60, "DigitalSheet"),
    ("Экспертная деятельность", 60, "ExpertSheet"),
    ("Мероприятия МО", 70, "AssociationEventSheet"),
    ("Наставничество", 70, "MentoringPairSheet"),
    ("Участники МО", 70, "AssociationMemberSheet"),
    ("Участники проектов", 70, "ProjectParticipantSheet"),
    ("Диагностика", 80, "DiagnosticSheet"),
    ("Программы ДПП", 85, "ProgramSheet"),
    ("Курсы", 86, "CourseSheet"),
    ("Обучение", 87, "EnrollmentSheet"),
    ("ИОМ", 90, "RouteSheet"),
    ("Мероприятия ИОМ", 95, "ActivitySheet"),
]
REGISTRATION_ORDER = [
    "Регион",
    "Муниципалитеты",
    "Организации",
    "Педагоги",
    "Штатное расписание",
    "Экспертная деятельность",
    "Методический актив",
    "Проекты молодых педагогов",
    "Участники проектов",
    "Программы наставничества",
    "Наставничество",
    "Конкурсы",
    "Аттестация",
    "Методические объединения",
    "Участники МО",
    "Мероприятия МО",
    "Цифровая среда",
    "Диагностика",
    "Программы ДПП",
    "Курсы",
    "Обучение",
    "ИОМ",
    "Мероприятия ИОМ",
]


def test_every_sheet_is_registered_once_and_in_its_order():
    assert [(s.name, s.order, type(s).__name__) for s in registry.sheets()] == REGISTERED
    assert list(registry._REGISTRY) == REGISTRATION_ORDER
