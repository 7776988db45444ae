"""Exports of a campaign's responses: columns by campaign and reader, anonymity, formulas kept as text."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from deficits.models import RespondentRole
from deficits.questionnaire import exports
from deficits.questionnaire.results import OTHERS, TOO_FEW
from tests import factories

pytestmark = pytest.mark.django_db


def _xlsx(campaign, user) -> list[list]:
    header, rows = exports.export_rows(campaign=campaign, user=user)
    out = io.BytesIO()
    exports.write_xlsx(header, rows, out)
    out.seek(0)
    sheet = load_workbook(out).active
    return [[c.value for c in row] for row in sheet.iter_rows()], sheet


def _csv(campaign, user) -> bytes:
    header, rows = exports.export_rows(campaign=campaign, user=user)
    return b"".join(exports.csv_chunks(header, rows, batch=2))


def _named(world, make_campaign, add_response):
    campaign = make_campaign()
    add_response(
        campaign,
        municipality=world.m1,
        school=world.school_a,
        teacher=world.teacher_a,
        answers={
            "mood": "so",
            "load": ["papers", "class"],
            "tired": 4,
            "hours": 36,
            "since": "2025-09-01",
            "comment": '=HYPERLINK("http://x","y")',
        },
    )
    add_response(
        campaign,
        municipality=world.m2,
        school=world.school_b,
        teacher=world.teacher_b,
        kind="дошкольная",
        role=RespondentRole.HEAD,
        answers={"mood": "good", "tired": 1, "comment": "Нормально\x07"},
    )
    return campaign


def test_a_named_export_for_the_institute(world, make_campaign, add_response):
    campaign = _named(world, make_campaign, add_response)
    rows, sheet = _xlsx(campaign, world.analyst)
    header = rows[0]
    assert header[:7] == ["Код педагога", "ФИО педагога", "ОО", "Муниципалитет", "Тип ОО", "Роль", "Получен"]
    assert header[7:] == [
        "mood: Как вы себя чувствуете?",
        "load: Что вас нагружает?",
        "tired: Усталость",
        "hours: Часов в неделю",
        "since: С какого дня",
        "comment: Что бы вы изменили?",
        "Выгорание: баллы",
        "Выгорание: уровень",
    ]
    # Ordered by municipality: Алексеевский (teacher A) before Быковский (teacher B).
    first, second = rows[1], rows[2]
    assert first[:6] == [
        "T0000001",
        "Петрова Анна Ивановна",
        world.school_a.name,
        world.m1.name,
        "общеобразовательная",
        "Педагог",
    ]
    assert first[7:13] == [
        "Так себе",
        "Отчеты; Классное руководство",
        4,
        36,
        "2025-09-01",
        '=HYPERLINK("http://x","y")',
    ]
    assert first[13:] == [4, "высокий"]
    # The formula-looking answer is a text cell: nothing runs when the file is opened.
    assert sheet.cell(row=2, column=13).data_type == "s"
    assert second[3:6] == [world.m2.name, "дошкольная", "Руководитель ОО"]
    assert second[12] == "Нормально"  # a control character XML cannot hold is dropped
    assert second[8] is None  # no answer: an empty cell
    assert len(rows) == 3


def test_officials_get_no_person_columns_and_only_their_scope(world, make_campaign, add_response):
    campaign = _named(world, make_campaign, add_response)
    rows, _ = _xlsx(campaign, world.municipal)
    assert rows[0][:5] == ["ОО", "Муниципалитет", "Тип ОО", "Роль", "Получен"]
    assert len(rows) == 2 and rows[1][1] == world.m1.name
    ministry, _ = _xlsx(campaign, world.ministry)
    assert "ФИО педагога" not in ministry[0] and len(ministry) == 3
    text = str(ministry)
    assert "Петрова" not in text and "T0000001" not in text


def test_the_csv_has_a_bom_semicolons_and_neutralised_formulas(world, make_campaign, add_response):
    campaign = _named(world, make_campaign, add_response)
    data = _csv(campaign, world.analyst)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Код педагога" and len(rows) == 3
    assert rows[1][12] == '\'=HYPERLINK("http://x","y")'
    assert rows[1][8] == "Отчеты; Классное руководство"
    assert rows[1][9] == "4"


def test_an_anonymous_export_keeps_no_person_and_merges_small_municipalities(world, make_campaign, add_response):
    m3 = factories.MunicipalityFactory(code="03", name="Волжский городской округ")
    campaign = make_campaign(anonymous=True)
    for municipality, count in ((world.m1, 7), (world.m2, 2), (m3, 5)):
        for n in range(count):
            add_response(campaign, municipality=municipality, answers={"mood": "good", "tired": 1 + n % 5})
    # Two of M1's respondents are heads: a combination under five inside M1, merged with the next smallest.
    campaign.responses.filter(municipality=world.m1).order_by("id").filter(
        pk__in=list(campaign.responses.filter(municipality=world.m1).values_list("pk", flat=True)[:2])
    ).update(role=RespondentRole.HEAD)
    rows, _ = _xlsx(campaign, world.analyst)
    assert rows[0][:3] == ["Муниципалитет", "Тип ОО", "Роль"]
    assert not {"Код педагога", "ФИО педагога", "ОО", "Получен"} & set(rows[0])
    body = rows[1:]
    assert len(body) == 14
    municipalities = [r[0] for r in body]
    # M2 (2) and the next smallest (Волжский, 5) are «Другие»; M1 (7) is shown; ordered by the shown name.
    assert municipalities == [world.m1.name] * 7 + [OTHERS] * 7
    # Inside M1: heads (2) and teachers (5) — the heads' combination is hidden with the next smallest.
    m1_rows = [r for r in body if r[0] == world.m1.name]
    assert {(r[1], r[2]) for r in m1_rows} == {(OTHERS, OTHERS)}


def test_an_anonymous_export_under_five_has_no_rows(world, make_campaign, add_response):
    campaign = make_campaign(anonymous=True)
    for _ in range(4):
        add_response(campaign, municipality=world.m1, answers={"mood": "good"})
    for _ in range(3):
        add_response(campaign, municipality=world.m2, answers={"mood": "bad"})
    rows, _ = _xlsx(campaign, world.municipal)
    assert rows[1:] == [[TOO_FEW] + [None] * (len(rows[0]) - 1)]
    region, _ = _xlsx(campaign, world.analyst)
    assert len(region) == 8
    csv_rows = _csv(campaign, world.municipal).decode("utf-8-sig").splitlines()
    assert csv_rows[1:] == [TOO_FEW]


def test_the_workbook_writer_streams_plain_values(tmp_path):
    rows = ([n, f"строка {n}", "", None, 1.5, "@cmd", "<&>"] for n in range(1200))
    path = tmp_path / "out.xlsx"
    with path.open("wb") as out:
        assert exports.write_xlsx(["№", "Текст", "Пусто", "Нет", "Дробь", "Команда", "Знаки"], rows, out) == 1200
    sheet = load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 1201
    assert values[1200] == [1199, "строка 1199", None, None, 1.5, "@cmd", "<&>"]
    assert sheet.cell(row=2, column=6).data_type == "s"
