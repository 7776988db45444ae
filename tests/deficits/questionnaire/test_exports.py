"""Exports of a campaign's responses: columns by campaign and reader, anonymity, formulas kept as text."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from deficits.models import CampaignStatus, RespondentRole
from deficits.questionnaire import exports
from deficits.questionnaire.results import ITEM_TOO_FEW, REGION_ONLY, TOO_FEW, WHILE_OPEN
from deficits.questionnaire.tallies import tallies_rebuild
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


def test_an_anonymous_export_is_the_pages_summary_not_a_row_per_response(world, make_campaign, add_response):
    """A row per response would carry place, role and every answer together: one person's record."""
    m3 = factories.MunicipalityFactory(code="03", name="Волжский городской округ")
    campaign = make_campaign(anonymous=True)
    for municipality, count in ((world.m1, 7), (world.m2, 2), (m3, 5)):
        for n in range(count):
            add_response(campaign, municipality=municipality, answers={"mood": "good", "tired": 1 + n % 5})
    tallies_rebuild(campaign=campaign)
    rows, _ = _xlsx(campaign, world.analyst)
    assert rows[0] == exports.SUMMARY_HEADER
    assert rows[1][:3] == ["Респондентов", None, 14]
    cells = {str(v) for row in rows for v in row if v is not None}
    assert not {world.m1.name, world.m2.name, m3.name, "Учитель", "общеобразовательная"} & cells
    # The «mood» item: 14 of 14 «Хорошо» (100 %), as on the page.
    assert ["Как вы себя чувствуете?", "Хорошо", 14, 100] in rows
    # No item answered by fewer than five shows its counts: «Часов в неделю» nobody answered.
    assert ["Часов в неделю", ITEM_TOO_FEW, None, None] in rows
    csv_rows = list(csv.reader(io.StringIO(_csv(campaign, world.analyst).decode("utf-8-sig")), delimiter=";"))
    assert csv_rows[0] == exports.SUMMARY_HEADER and len(csv_rows) == len(rows)


def test_an_anonymous_export_says_why_it_is_withheld(world, make_campaign, add_response):
    campaign = make_campaign(anonymous=True)
    for _ in range(6):
        add_response(campaign, municipality=world.m1, answers={"mood": "good"})
    tallies_rebuild(campaign=campaign)
    # A municipal official: the region's total minus their part would be the rest of the region.
    rows, _ = _xlsx(campaign, world.municipal)
    assert rows[1][0] == REGION_ONLY and len(rows) == 2
    # While the campaign runs, two exports a minute apart would differ by one person's answers.
    campaign.status = CampaignStatus.OPEN
    campaign.save(update_fields=["status"])
    rows, _ = _xlsx(campaign, world.analyst)
    assert rows[1][0] == WHILE_OPEN and len(rows) == 2
    assert _csv(campaign, world.analyst).decode("utf-8-sig").splitlines()[1:] == [WHILE_OPEN]


def test_an_anonymous_export_under_five_says_so(world, make_campaign, add_response):
    campaign = make_campaign(anonymous=True)
    for _ in range(4):
        add_response(campaign, municipality=world.m1, answers={"mood": "good"})
    tallies_rebuild(campaign=campaign)
    rows, _ = _xlsx(campaign, world.analyst)
    assert rows[1:] == [[TOO_FEW, None, None, None]]


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
