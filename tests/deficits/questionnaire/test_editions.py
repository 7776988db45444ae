"""Questionnaires and editions (deficits.questionnaire.editions): who writes, in place or a new edition, XLSForm."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from deficits.models import Campaign, Questionnaire, QuestionnaireEdition, Response, TargetKind
from deficits.questionnaire import editions
from deficits.questionnaire.definition import DefinitionRefused
from deficits.questionnaire.xlsform import FormRefused, form_from_xlsform
from tests.deficits.questionnaire.forms import definition, scoring

pytestmark = pytest.mark.django_db


def create(world, **extra):
    values = {
        "code": "burnout",
        "title": "Выгорание",
        "description": "",
        "definition": definition(),
        "scoring": scoring(),
        "user": world.analyst,
    }
    return editions.questionnaire_create(**{**values, **extra})


def campaign_of(edition, world) -> Campaign:
    return Campaign.objects.create(
        edition=edition,
        period=world.period,
        title="Опрос",
        opens=dt.date(2025, 3, 1),
        closes=dt.date(2025, 3, 31),
        target_kind=TargetKind.ROSTER,
    )


def test_a_questionnaire_is_created_with_its_first_edition(world):
    questionnaire = create(world)
    edition = questionnaire.editions.get()
    assert (edition.version, edition.definition, edition.scoring) == (1, definition(), scoring())
    assert edition.created_by == world.analyst


@pytest.mark.parametrize("role", ["ministry", "municipal", "head_a", "teacher"])
def test_only_institute_staff_write(world, role):
    user = world.people[role] if hasattr(world, "people") else getattr(world, role)
    with pytest.raises(PermissionDenied):
        create(world, user=user)
    questionnaire = create(world)
    with pytest.raises(PermissionDenied):
        editions.edition_save(questionnaire=questionnaire, definition=definition(), scoring={}, user=user)
    book = editions.questionnaire_export_xlsform(edition=questionnaire.editions.get())
    with pytest.raises(PermissionDenied):
        editions.questionnaire_import_xlsform(source=io.BytesIO(book), filename="f.xlsx", user=user)
    assert Questionnaire.objects.count() == 1 and QuestionnaireEdition.objects.count() == 1


def test_a_refused_create_names_every_problem_and_keeps_nothing(world):
    bad = definition()
    bad["sections"][1]["relevant"] = "${ghost} = 1"
    with pytest.raises(DefinitionRefused) as caught:
        create(world, code="Бад код", title="", definition=bad)
    assert caught.value.problems[:2] == [
        f"Код «Бад код»: {editions.CODE_RULE}.",
        "Не указано название анкеты.",
    ]
    assert "Раздел 2 «load», условие показа" in caught.value.problems[2]
    assert not Questionnaire.objects.exists()


def test_codes_are_unique_and_not_the_addresses_words(world):
    create(world)
    for code, message in (("burnout", "Анкета с кодом «burnout» уже есть."), ("new", "занят адресами портала")):
        with pytest.raises(DefinitionRefused) as caught:
            create(world, code=code)
        assert message in caught.value.problems[0]


def test_an_unused_edition_is_changed_in_place(world):
    questionnaire = create(world)
    changed = definition()
    changed["sections"][0]["items"][0]["label"] = "Ваша должность сейчас"
    edition = editions.edition_save(questionnaire=questionnaire, definition=changed, scoring={}, user=world.analyst)
    assert edition.version == 1 and questionnaire.editions.count() == 1
    edition.refresh_from_db()
    assert edition.definition["sections"][0]["items"][0]["label"] == "Ваша должность сейчас"
    assert edition.scoring == {}


def test_an_edition_a_campaign_used_is_frozen_and_answers_keep_it(world):
    questionnaire = create(world)
    first = questionnaire.editions.get()
    campaign = campaign_of(first, world)
    response = Response.objects.create(
        campaign=campaign, edition=first, anonymous=True, municipality=world.m1, answers={"role": "teacher"}
    )
    changed = definition()
    changed["sections"][0]["items"][0]["label"] = "Новая формулировка"
    second = editions.edition_save(
        questionnaire=questionnaire, definition=changed, scoring=scoring(), user=world.analyst
    )
    assert second.version == 2 and second.pk != first.pk
    first.refresh_from_db()
    assert first.definition == definition()  # untouched
    response.refresh_from_db()
    assert response.edition_id == first.pk
    # The new edition is unused: the next save changes it in place.
    third = editions.edition_save(questionnaire=questionnaire, definition=definition(), scoring={}, user=world.analyst)
    assert third.pk == second.pk and questionnaire.editions.count() == 2
    assert editions.edition_in_use(edition=first) and not editions.edition_in_use(edition=second)


def test_a_save_based_on_an_older_state_is_stale(world):
    questionnaire = create(world)
    opened = editions.edition_digest(edition=questionnaire.editions.get())
    first = editions.edition_save(
        questionnaire=questionnaire, definition=definition(), scoring={}, user=world.analyst, based_on=opened
    )
    assert first.scoring == {}
    with pytest.raises(editions.EditionStale):
        editions.edition_save(
            questionnaire=questionnaire, definition=definition(), scoring=scoring(), user=world.analyst, based_on=opened
        )
    assert questionnaire.editions.get().scoring == {}
    now = editions.edition_digest(edition=questionnaire.editions.get())
    assert now != opened
    saved = editions.edition_save(
        questionnaire=questionnaire, definition=definition(), scoring=scoring(), user=world.analyst, based_on=now
    )
    assert saved.scoring == scoring()


def test_a_refused_save_changes_nothing(world):
    questionnaire = create(world)
    bad = definition()
    bad["sections"][0]["items"][0]["type"] = "slider"
    with pytest.raises(DefinitionRefused):
        editions.edition_save(questionnaire=questionnaire, definition=bad, scoring={}, user=world.analyst)
    assert questionnaire.editions.get().definition == definition()


def test_import_export_import_is_the_same_questionnaire(world):
    book = editions.questionnaire_export_xlsform(edition=create(world).editions.get())
    Questionnaire.objects.all().delete()
    edition = editions.questionnaire_import_xlsform(
        source=io.BytesIO(book), filename="burnout.xlsx", user=world.analyst
    )
    assert (edition.questionnaire.code, edition.questionnaire.title) == ("burnout", "Выгорание педагогов")
    assert (edition.definition, edition.scoring) == (definition(), scoring())
    again = editions.questionnaire_export_xlsform(edition=edition)
    assert form_from_xlsform(source=io.BytesIO(again), filename="again.xlsx") == (definition(), scoring())


def test_import_as_a_new_edition_of_a_used_questionnaire(world):
    questionnaire = create(world)
    campaign_of(questionnaire.editions.get(), world)
    changed = definition()
    changed["title"] = "Выгорание, весна"
    from deficits.questionnaire.xlsform import xlsform_from_questionnaire

    book = xlsform_from_questionnaire(questionnaire=changed)
    edition = editions.questionnaire_import_xlsform(
        source=io.BytesIO(book), filename="v2.xlsx", user=world.analyst, questionnaire=questionnaire
    )
    assert edition.version == 2 and edition.definition["title"] == "Выгорание, весна" and edition.scoring == {}


def test_another_questionnaires_workbook_is_not_taken_as_an_edition(world):
    from deficits.questionnaire.xlsform import xlsform_from_questionnaire

    questionnaire = create(world)
    other = {**definition(), "form_id": "feedback"}
    with pytest.raises(FormRefused) as caught:
        editions.questionnaire_import_xlsform(
            source=io.BytesIO(xlsform_from_questionnaire(questionnaire=other)),
            filename="feedback.xlsx",
            user=world.analyst,
            questionnaire=questionnaire,
        )
    assert "form_id «feedback» не совпадает с кодом анкеты «burnout»" in str(caught.value.problems[0])
    # Without a form_id the file is taken, and gets the questionnaire's code.
    plain = {**definition(), "form_id": ""}
    edition = editions.questionnaire_import_xlsform(
        source=io.BytesIO(xlsform_from_questionnaire(questionnaire=plain)),
        filename="plain.xlsx",
        user=world.analyst,
        questionnaire=questionnaire,
    )
    assert edition.definition["form_id"] == "burnout"


def test_the_builder_s_form_id_is_the_code(world):
    questionnaire = create(world, definition={**definition(), "form_id": "whatever"})
    assert questionnaire.editions.get().definition["form_id"] == "burnout"
    edition = editions.edition_save(
        questionnaire=questionnaire, definition={**definition(), "form_id": ""}, scoring={}, user=world.analyst
    )
    assert edition.definition["form_id"] == "burnout"


def _book(form_id: str) -> io.BytesIO:
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "relevant"])
    survey.append(["integer", "a", "A", ""])
    survey.append(["text", "b", "B", "${zz} > 1"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append(["Анкета", form_id])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_a_broken_workbook_is_refused_with_its_places(world):
    with pytest.raises(FormRefused) as caught:
        editions.questionnaire_import_xlsform(source=_book("x"), filename="x.xlsx", user=world.analyst)
    assert [str(p) for p in caught.value.problems] == [
        "Лист «survey», строка 3, столбец D («relevant»): условие ссылается на «zz»: такого вопроса выше нет"
    ]
    assert not Questionnaire.objects.exists()


def test_a_workbook_without_a_usable_form_id_is_refused(world):
    create(world)
    good = _book("")
    good_book = openpyxl.load_workbook(good)
    good_book["survey"]["D3"] = ""
    for form_id, message in (("", "укажите код анкеты в столбце form_id"), ("burnout", "уже есть")):
        good_book["settings"]["B2"] = form_id
        out = io.BytesIO()
        good_book.save(out)
        out.seek(0)
        with pytest.raises(FormRefused) as caught:
            editions.questionnaire_import_xlsform(source=out, filename="x.xlsx", user=world.analyst)
        assert message in str(caught.value.problems[0])
        assert caught.value.problems[0].sheet == "settings"
    assert Questionnaire.objects.count() == 1
