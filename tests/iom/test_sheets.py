"""The catalog and route sheets: round trip through an empty portal, validations, replace."""

from __future__ import annotations

import datetime as dt

import pytest

from iom.models import CourseRun, Enrollment, Program, ProgramTag, Provider, Route, RouteActivity, RouteStatus
from monitoring import models
from monitoring.demo import seed_demo
from monitoring.intake.package.exporter import package_export
from monitoring.intake.package.importer import package_import
from monitoring.services import period_create
from monitoring.shared import extensions
from tests import factories

pytestmark = pytest.mark.django_db

IOM_MODELS = (Provider, Program, ProgramTag, CourseRun, Enrollment, Route, RouteActivity)


def _iom_rows(period) -> dict[str, set]:
    """What the period's package says about the catalog and routes, by natural keys."""
    # Every route of the roster, whatever its years (one begun before the period too).
    routes = Route.objects.filter(teacher__roster_entries__period=period)
    return {
        "programs": set(
            Program.objects.values_list("code", "name", "provider__name", "kind", "hours", "e_learning", "internship")
        ),
        "tags": set(ProgramTag.objects.values_list("program__code", "kind", "value")),
        "runs": set(CourseRun.objects.values_list("code", "program__code", "start", "end", "by_school_request")),
        "enrollments": set(
            Enrollment.objects.values_list(
                "teacher__code", "course__code", "status", "final_attestation", "satisfaction"
            )
        ),
        "routes": set(routes.values_list("teacher__code", "start", "end", "based_on_diagnostic", "corrected")),
        "approved": set(routes.approved().values_list("teacher__code", "start")),
        "activities": set(
            RouteActivity.objects.filter(route__in=routes).values_list(
                "route__teacher__code", "route__start", "kind", "program__code", "group_code", "due", "done"
            )
        ),
    }


def test_catalog_and_routes_round_trip_through_an_empty_portal(tmp_path):
    seed_demo(size="small", seed=5)
    period = models.MonitoringPeriod.objects.current()
    path = tmp_path / "package.xlsx"
    package_export(period=period, path=path)
    roster = set(models.RosterEntry.objects.filter(period=period).values_list("teacher_id", flat=True))
    before = _iom_rows(period)
    # The package carries every enrollment of the roster, on runs of any year: compare those.
    in_package = {e for e in before["enrollments"] if models.Teacher.objects.filter(code=e[0], pk__in=roster).exists()}
    assert before["programs"] and before["routes"] and before["activities"] and in_package
    # The demo's earlier year is in there: runs and enrollments that ended before the period.
    assert any(r[3] < period.start for r in before["runs"])
    assert any(CourseRun.objects.get(code=e[1]).end < period.start for e in in_package)

    for wipe in extensions.callables("demo_wipes"):
        wipe()
    assert not any(model.objects.exists() for model in IOM_MODELS)
    models.User.objects.all().delete()
    models.MonitoringPeriod.objects.all().delete()
    models.Teacher.objects.all().delete()
    models.School.objects.all().delete()
    models.Municipality.objects.all().delete()
    models.Region.objects.all().delete()

    period = period_create(year=period.year)
    result = package_import(source=path, period=period)
    assert result.applied, [str(p) for p in result.problems[:5]]
    after = _iom_rows(period)
    assert after["programs"] == before["programs"]
    assert after["tags"] == before["tags"]
    assert after["enrollments"] == in_package
    for key in ("routes", "approved", "activities"):
        assert after[key] == before[key], key
    assert after["runs"] == before["runs"]  # the catalog's cohorts, every year's


def _csv(folder, name: str, header: str, *rows: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def _counts():
    return tuple(model.objects.count() for model in IOM_MODELS)


@pytest.mark.parametrize(
    ("sheet", "header", "row", "message"),
    [
        (
            "ИОМ",
            "Код педагога,Начало,Окончание",
            "T0000001,01.09.2025,01.03.2026",
            "Лист «ИОМ», строка 2, столбец «Окончание»: маршрут составляется не менее чем на один год",
        ),
        (
            "ИОМ",
            "Код педагога,Начало,Окончание",
            "T9999999,01.09.2025,31.08.2026",
            "Лист «ИОМ», строка 2, столбец «Код педагога»: Педагога в списке периода с таким кодом нет",
        ),
        (
            "Мероприятия ИОМ",
            "Код педагога,Начало ИОМ,Вид,Код программы,Срок",
            "T0000001,01.03.2025,курс,,01.05.2025",
            "Лист «Мероприятия ИОМ», строка 2, столбец «Код программы»: для мероприятия «курс» укажите код программы",
        ),
        (
            "Мероприятия ИОМ",
            "Код педагога,Начало ИОМ,Вид,Срок",
            "T0000001,01.03.2025,конкурс,01.05.2027",
            "Лист «Мероприятия ИОМ», строка 2, столбец «Срок»: срок вне сроков маршрута (01.03.2025–28.02.2026)",
        ),
        (
            "Мероприятия ИОМ",
            "Код педагога,Начало ИОМ,Вид,Срок",
            "T0000001,02.03.2025,конкурс,01.05.2025",
            "Лист «Мероприятия ИОМ», строка 2, столбец «Начало ИОМ»: у педагога T0000001 нет маршрута",
        ),
        (
            "Курсы",
            "Код курса,Код программы,Начало,Окончание",
            "К-9,П-404,01.03.2025,01.04.2025",
            "Лист «Курсы», строка 2, столбец «Код программы»: Программы с таким кодом нет",
        ),
        (
            "Курсы",
            "Код курса,Код программы,Начало,Окончание",
            "К-9,П-001,01.04.2025,01.03.2025",
            "Лист «Курсы», строка 2, столбец «Окончание»: окончание курса раньше его начала",
        ),
        (
            "Обучение",
            "Код педагога,Код курса,Статус,Итоговая аттестация,Удовлетворенность",
            "T0000001,К-0001,зачислен,да,6",
            "Лист «Обучение», строка 2, столбец «Удовлетворенность»: ожидается целое число от 1 до 5",
        ),
        (
            "Программы ДПП",
            "Код программы,Наименование,Организация,Вид,Часов,Компетенции",
            "П-9,Курс,ГАУ ДПО,ПК,36,ИКТ; ЦИФРА",
            "Лист «Программы ДПП», строка 2, столбец «Компетенции»: допустимые значения",
        ),
    ],
)
def test_bad_rows_are_refused_by_place_and_change_nothing(world, tmp_path, sheet, header, row, message):
    program = factories.ProgramFactory(code="П-001", groups=["ИКТ"])
    factories.CourseRunFactory(code="К-0001", program=program)
    factories.RouteFactory(teacher=world.teacher_a)
    before = _counts()
    folder = tmp_path / "pkg"
    _csv(folder, sheet, header, row)
    result = package_import(source=folder, period=world.period)
    assert not result.applied
    assert any(str(p).startswith(message) for p in result.problems), [str(p) for p in result.problems]
    assert _counts() == before


def test_attestation_without_completion_is_refused(world, tmp_path):
    factories.CourseRunFactory(code="К-0001")
    folder = tmp_path / "pkg"
    _csv(folder, "Обучение", "Код педагога,Код курса,Статус,Итоговая аттестация", "T0000001,К-0001,отчислен,да")
    result = package_import(source=folder, period=world.period)
    assert [str(p) for p in result.problems] == [
        "Лист «Обучение», строка 2, столбец «Итоговая аттестация»: итоговая аттестация отмечена, "
        "а статус обучения «отчислен», а не «завершил» (значение: «да»)"
    ]


def test_program_lists_replace_the_tags_and_import_is_idempotent(world, tmp_path):
    folder = tmp_path / "pkg"
    header = "Код программы,Наименование,Организация,Вид,Часов,Компетенции,Тематика,ЭО и ДОТ"
    _csv(folder, "Программы ДПП", header, "П-1,Цифровая школа,АНО ДПО «Центр»,ПК,36,ИКТ; ТЕХ,ШНОР,да")
    first = package_import(source=folder, period=world.period)
    assert first.applied and first.sheets["Программы ДПП"].added == 1
    program = Program.objects.get(code="П-1")
    assert (program.competences, program.topics, program.e_learning) == (["ИКТ", "ТЕХ"], ["ШНОР"], True)
    assert program.provider.name == "АНО ДПО «Центр»"
    again = package_import(source=folder, period=world.period)
    assert again.sheets["Программы ДПП"].unchanged == 1
    _csv(folder, "Программы ДПП", header, "П-1,Цифровая школа,АНО ДПО «Центр»,ПК,36,КОРР,,да")
    package_import(source=folder, period=world.period)
    program = Program.objects.get(code="П-1")
    assert (program.competences, program.topics) == (["КОРР"], [])


def test_replace_removes_the_periods_routes_and_runs_only(world, tmp_path):
    kept_run = factories.CourseRunFactory(code="К-OLD", start=dt.date(2023, 3, 1), end=dt.date(2023, 4, 1))
    factories.CourseRunFactory(code="К-2025", start=dt.date(2025, 3, 1), end=dt.date(2025, 4, 1))
    old_route = factories.RouteFactory(teacher=world.teacher_a, start=dt.date(2022, 9, 1), end=dt.date(2023, 8, 31))
    factories.RouteFactory(teacher=world.teacher_a, start=dt.date(2025, 3, 1), end=dt.date(2026, 2, 28))
    folder = tmp_path / "pkg"
    _csv(folder, "ИОМ", "Код педагога,Начало,Окончание,Согласован", "T0000002,01.02.2025,31.01.2026,нет")
    _csv(
        folder,
        "Курсы",
        "Код курса,Код программы,Начало,Окончание",
        f"К-NEW,{kept_run.program.code},01.05.2025,01.06.2025",
    )
    result = package_import(source=folder, period=world.period, replace=True)
    assert result.applied, [str(p) for p in result.problems]
    assert set(CourseRun.objects.values_list("code", flat=True)) == {"К-OLD", "К-NEW"}
    assert set(Route.objects.values_list("teacher__code", "start")) == {
        ("T0000001", old_route.start),
        ("T0000002", dt.date(2025, 2, 1)),
    }
    # An unapproved route made elsewhere waits for the head's approval.
    assert Route.objects.get(teacher=world.teacher_b).status == RouteStatus.SUBMITTED
