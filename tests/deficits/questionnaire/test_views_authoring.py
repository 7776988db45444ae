"""Authoring pages (deficits.questionnaire.views.authoring): list, detail with preview, builder, XLSForm in and out."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deficits.models import Campaign, Questionnaire, QuestionnaireEdition, TargetKind
from deficits.questionnaire import editions
from deficits.questionnaire.xlsform import form_from_xlsform, xlsform_from_questionnaire
from tests.deficits.questionnaire.forms import definition, formula_looking, scoring

pytestmark = pytest.mark.django_db

XSS = "<script>alert('x')</script>"


@pytest.fixture
def burnout(world):
    return editions.questionnaire_create(
        code="burnout", title="Выгорание", definition=definition(), scoring=scoring(), user=world.analyst
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_list_shows_questionnaires_and_writers_get_the_buttons(client, world, burnout):
    page = signed_in(client, world.analyst).get(reverse("survey-questionnaire-list")).content.decode()
    assert "Выгорание" in page and reverse("survey-questionnaire-new") in page
    page = signed_in(client, world.ministry).get(reverse("survey-questionnaire-list")).content.decode()
    assert "Выгорание" in page and reverse("survey-questionnaire-new") not in page
    assert signed_in(client, world.teacher).get(reverse("survey-questionnaire-list")).status_code == 404


def test_the_detail_previews_the_form_with_its_skips(client, world, burnout):
    page = signed_in(client, world.municipal).get(reverse("survey-questionnaire-detail", args=["burnout"]))
    text = page.content.decode()
    assert page.status_code == 200
    # The section «load» and the item «rest»: in words, and as written.
    assert "Показывается, если «Вопрос role» = «Учитель» <code" in text
    assert "${role} = &#x27;teacher&#x27;</code>" in text
    assert "Показывается, если «Вопрос tired» ≥ 2 <code" in text
    assert "Ограничение: ответ ≥ 0 и ответ ≤ 60" in text
    assert "Руководитель" in text  # a choice's label
    assert "не используется" in text
    assert reverse("survey-edition-export", args=["burnout", 1]) in text
    assert reverse("survey-questionnaire-edit", args=["burnout"]) not in text  # not a writer


def test_labels_are_escaped_everywhere(client, world):
    hostile = definition()
    hostile["title"] = XSS
    hostile["sections"][0]["title"] = XSS
    hostile["sections"][0]["items"][0]["label"] = XSS
    hostile["choice_lists"]["role"][0]["label"] = XSS
    editions.questionnaire_create(code="x", title=XSS, definition=hostile, scoring={}, user=world.analyst)
    client = signed_in(client, world.analyst)
    for url in (
        reverse("survey-questionnaire-list"),
        reverse("survey-questionnaire-detail", args=["x"]),
        reverse("survey-questionnaire-edit", args=["x"]),
    ):
        text = client.get(url).content.decode()
        assert XSS not in text, url
    # The builder's JSON is a json_script block: "<" is escaped inside it too.
    assert "\\u003Cscript\\u003E" in text


def test_an_old_edition_can_be_previewed(client, world, burnout):
    first = burnout.editions.get()
    Campaign.objects.create(
        edition=first,
        period=world.period,
        title="Весенний опрос",
        opens=dt.date(2025, 3, 1),
        closes=dt.date(2025, 3, 2),
        target_kind=TargetKind.ROSTER,
    )
    changed = definition()
    changed["sections"][0]["items"][0]["label"] = "Новая формулировка"
    editions.edition_save(questionnaire=burnout, definition=changed, scoring={}, user=world.analyst)
    client = signed_in(client, world.analyst)
    latest = client.get(reverse("survey-questionnaire-detail", args=["burnout"])).content.decode()
    assert "Новая формулировка" in latest and "Весенний опрос" in latest
    old = client.get(reverse("survey-questionnaire-detail", args=["burnout"]) + "?edition=1").content.decode()
    assert "Новая формулировка" not in old and "Вопрос role" in old


def post_builder(client, url, definition_data, scoring_data=None, **fields):
    """The builder's POST; an edit carries the fingerprint of the edition it was opened on, as the page does."""
    body = {"definition": json.dumps(definition_data), "scoring": json.dumps(scoring_data or {}), **fields}
    if url.endswith("/edit/") and "based_on" not in body:
        latest = (
            QuestionnaireEdition.objects.filter(questionnaire__code=url.split("/")[-3]).order_by("-version").first()
        )
        body["based_on"] = editions.edition_digest(edition=latest)
    return client.post(url, body)


def test_the_builder_saves_in_place_then_a_new_edition_once_used(client, world, burnout):
    client = signed_in(client, world.analyst)
    url = reverse("survey-questionnaire-edit", args=["burnout"])
    assert client.get(url).status_code == 200
    changed = definition()
    changed["sections"][1]["items"][2]["label"] = "Почему так?"
    response = post_builder(client, url, changed, scoring())
    assert response.status_code == 302
    assert burnout.editions.get().definition["sections"][1]["items"][2]["label"] == "Почему так?"
    Campaign.objects.create(
        edition=burnout.editions.get(),
        period=world.period,
        title="Опрос",
        opens=dt.date(2025, 3, 1),
        closes=dt.date(2025, 3, 2),
        target_kind=TargetKind.ROSTER,
    )
    assert "сохранение создаст редакцию 2" in client.get(url).content.decode()
    response = post_builder(client, url, definition(), {})
    assert response.status_code == 302
    assert list(burnout.editions.values_list("version", flat=True)) == [2, 1]
    follow = client.get(response["Location"]).content.decode()
    assert "Сохранена новая редакция 2" in follow


def builder_json(page: str, element_id: str):
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S)
    assert found, element_id
    return json.loads(found.group(1))


def test_a_refused_save_keeps_everything_typed_and_names_the_item(client, world, burnout):
    client = signed_in(client, world.analyst)
    bad = definition()
    bad["sections"][1]["items"][1]["relevant"] = "${tired} >="
    bad["sections"][1]["items"][2]["label"] = "Мой новый, несохраненный текст"
    response = post_builder(client, reverse("survey-questionnaire-edit", args=["burnout"]), bad, scoring())
    text = response.content.decode()
    assert response.status_code == 400
    assert "Раздел 2 «load», вопрос «rest», условие показа: условие оборвано: ожидается значение" in text
    assert builder_json(text, "qb-initial") == bad  # everything typed, back in the editor
    assert builder_json(text, "qb-initial-scoring") == scoring()
    assert burnout.editions.get().definition == definition()


def test_a_save_over_a_newer_save_is_refused_and_keeps_what_was_typed(client, world, burnout):
    client = signed_in(client, world.analyst)
    url = reverse("survey-questionnaire-edit", args=["burnout"])
    opened = builder_json(client.get(url).content.decode(), "qb-initial")
    stale = re.search(r'name="based_on" value="(\w+)"', client.get(url).content.decode()).group(1)
    # Someone else saves first.
    theirs = definition()
    theirs["title"] = "Их правка"
    assert post_builder(client, url, theirs).status_code == 302
    mine = {**opened, "title": "Моя правка"}
    response = post_builder(client, url, mine, based_on=stale)
    text = response.content.decode()
    assert response.status_code == 409
    assert "Анкету уже изменили после того, как вы открыли конструктор" in text
    assert builder_json(text, "qb-initial")["title"] == "Моя правка"
    assert f'name="based_on" value="{stale}"' in text  # still stale until reloaded
    assert burnout.editions.get().definition["title"] == "Их правка"


def test_a_definition_that_is_not_json_is_refused_with_a_message(client, world, burnout):
    client = signed_in(client, world.analyst)
    response = client.post(reverse("survey-questionnaire-edit", args=["burnout"]), {"definition": "{oops"})
    assert response.status_code == 400
    assert "Анкета не прочитана" in response.content.decode()


def test_json_that_is_not_a_form_is_refused_and_the_editor_still_opens(client, world, burnout):
    client = signed_in(client, world.analyst)
    response = post_builder(client, reverse("survey-questionnaire-new"), ["not", "a", "form"], "x", code="a")
    assert response.status_code == 400
    assert "Анкета не прочитана: ожидается описание анкеты." in response.content.decode()
    assert builder_json(response.content.decode(), "qb-initial")["sections"]  # the blank form
    assert builder_json(response.content.decode(), "qb-initial-scoring") == {}
    assert not Questionnaire.objects.filter(code="a").exists()


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ('{"groups": "x"}', "Подсчет баллов: группы не прочитаны: ожидается список групп, а пришло строка."),
        (
            '{"bands": 5}',
            "Подсчет баллов, общие уровни: уровни не прочитаны: ожидается список уровней, а пришло число.",
        ),
        ('{"groups": [{"code": "EE", "items": "tired"}]}', "группа 1 «EE»: вопросы группы не прочитаны"),
        ('{"bands": ["x"]}', "Подсчет баллов, общие уровни: уровень 1 не прочитан."),
        ('{"group": []}', "Подсчет баллов: неизвестное поле «group»."),
        ("null", "Подсчет баллов не прочитан: пришло пустое значение (null)."),
        ("[]", "Подсчет баллов не прочитан: ожидается описание групп и уровней, а пришло список."),
        ('"x"', "Подсчет баллов не прочитан: ожидается описание групп и уровней, а пришло строка."),
        ('["groups"]', "Подсчет баллов не прочитан: ожидается описание групп и уровней, а пришло список."),
    ],
)
def test_a_scoring_that_is_no_valid_object_is_refused_not_saved_empty(client, world, burnout, posted, message):
    client = signed_in(client, world.analyst)
    url = reverse("survey-questionnaire-edit", args=["burnout"])
    typed = definition()
    typed["title"] = "Мой несохраненный заголовок"
    body = {
        "definition": json.dumps(typed),
        "scoring": posted,
        "based_on": editions.edition_digest(edition=burnout.editions.get()),
    }
    response = client.post(url, body)
    text = response.content.decode()
    assert response.status_code == 400
    assert message in text
    assert "Анкета не сохранена" in text
    assert builder_json(text, "qb-initial") == typed  # what was typed, back in the editor
    sent = json.loads(posted)
    # An object goes back as typed; anything else cannot be shown, and the editor keeps the groups it had.
    assert builder_json(text, "qb-initial-scoring") == (sent if isinstance(sent, dict) else scoring())
    assert burnout.editions.get().scoring == scoring()
    assert burnout.editions.get().definition == definition()


def test_a_null_scoring_is_refused_for_a_new_questionnaire_too(client, world):
    client = signed_in(client, world.analyst)
    body = {"definition": json.dumps(definition()), "scoring": "null", "code": "fresh"}
    response = client.post(reverse("survey-questionnaire-new"), body)
    assert response.status_code == 400
    assert "пустое значение (null)" in response.content.decode()
    assert builder_json(response.content.decode(), "qb-initial") == definition()
    assert not Questionnaire.objects.filter(code="fresh").exists()


def test_only_an_explicitly_empty_or_absent_scoring_removes_it(client, world, burnout):
    client = signed_in(client, world.analyst)
    url = reverse("survey-questionnaire-edit", args=["burnout"])
    assert post_builder(client, url, definition(), {}).status_code == 302
    assert burnout.editions.get().scoring == {}
    assert post_builder(client, url, definition(), scoring()).status_code == 302
    assert burnout.editions.get().scoring == scoring()
    digest = editions.edition_digest(edition=burnout.editions.get())
    response = client.post(url, {"definition": json.dumps(definition()), "based_on": digest})
    assert response.status_code == 302
    assert burnout.editions.get().scoring == {}


def test_a_new_questionnaire_from_the_builder(client, world):
    client = signed_in(client, world.analyst)
    url = reverse("survey-questionnaire-new")
    assert client.get(url).status_code == 200
    response = post_builder(client, url, definition(), scoring(), code="bad code", description="Для весны")
    text = response.content.decode()
    assert response.status_code == 400 and "Код «bad code»" in text
    assert 'value="bad code"' in text and "Для весны" in text  # kept
    response = post_builder(client, url, definition(), scoring(), code="burnout", description="Для весны")
    assert response.status_code == 302 and response["Location"] == reverse(
        "survey-questionnaire-detail", args=["burnout"]
    )
    created = Questionnaire.objects.get(code="burnout")
    assert (created.title, created.description) == ("Выгорание педагогов", "Для весны")
    assert created.editions.get().scoring == scoring()


def _broken_workbook() -> bytes:
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    for row in (
        ["type", "name", "label", "relevant"],
        ["integer", "years", "Стаж", ""],
        ["select_one nope", "role", "Должность", ""],
        ["text", "why", "Почему?", "${ghost} = 1"],
    ):
        survey.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_a_broken_workbook_is_refused_with_every_place_and_nothing_kept(client, world):
    client = signed_in(client, world.analyst)
    response = client.post(reverse("survey-questionnaire-import"), {"file": upload("form.xlsx", _broken_workbook())})
    text = response.content.decode()
    assert response.status_code == 400
    assert "Файл «form.xlsx» не загружен, ничего не сохранено" in text
    assert "Лист «survey», строка 3, столбец A («type»): списка «nope» нет на листе «choices»" in text
    assert "Лист «survey», строка 4, столбец D («relevant»): условие ссылается на «ghost»" in text
    assert not Questionnaire.objects.exists()


def test_a_file_that_is_no_workbook_is_said_so(client, world):
    client = signed_in(client, world.analyst)
    response = client.post(reverse("survey-questionnaire-import"), {"file": upload("a.xlsx", b"just text")})
    text = response.content.decode()
    assert response.status_code == 400 and "это текстовый файл, а не книга Excel" in text
    assert "Лист «a.xlsx»" not in text


def test_no_file_is_a_message(client, world):
    response = signed_in(client, world.analyst).post(reverse("survey-questionnaire-import"))
    assert response.status_code == 400 and "Выберите файл XLSForm" in response.content.decode()


def test_upload_then_download_is_the_same_questionnaire(client, world):
    client = signed_in(client, world.analyst)
    book = xlsform_from_questionnaire(questionnaire=definition(), scoring=scoring())
    response = client.post(reverse("survey-questionnaire-import"), {"file": upload("burnout.xlsx", book)})
    assert response.status_code == 302
    edition = QuestionnaireEdition.objects.get(questionnaire__code="burnout")
    assert (edition.definition, edition.scoring) == (definition(), scoring())
    download = client.get(reverse("survey-edition-export", args=["burnout", 1]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download["Content-Disposition"]
    assert form_from_xlsform(source=io.BytesIO(download.content), filename="d.xlsx") == (definition(), scoring())
    # A new edition of it from a workbook: the unused edition 1 is replaced.
    changed = definition()
    changed["title"] = "Выгорание, ред."
    response = client.post(
        reverse("survey-edition-import", args=["burnout"]),
        {"file": upload("v2.xlsx", xlsform_from_questionnaire(questionnaire=changed))},
    )
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.definition["title"] == "Выгорание, ред." and edition.scoring == {}


@pytest.mark.parametrize("role", ["ministry", "municipal", "head_a"])
def test_other_staff_read_but_may_not_write(client, world, burnout, role):
    client = signed_in(client, getattr(world, role))
    assert client.get(reverse("survey-questionnaire-detail", args=["burnout"])).status_code == 200
    assert client.get(reverse("survey-edition-export", args=["burnout", 1])).status_code == 200
    assert client.get(reverse("survey-questionnaire-edit", args=["burnout"])).status_code == 403
    changed = definition()
    changed["title"] = "Чужая правка"
    response = post_builder(client, reverse("survey-questionnaire-edit", args=["burnout"]), changed)
    assert response.status_code == 403
    response = post_builder(client, reverse("survey-questionnaire-new"), definition(), code="other")
    assert response.status_code == 403
    book = xlsform_from_questionnaire(questionnaire={**definition(), "form_id": "other"})
    assert client.post(reverse("survey-questionnaire-import"), {"file": upload("o.xlsx", book)}).status_code == 403
    assert Questionnaire.objects.count() == 1 and burnout.editions.get().definition == definition()


def test_a_teacher_and_unknown_codes_meet_not_found(client, world, burnout):
    teacher = signed_in(client, world.teacher)
    for url in (
        reverse("survey-questionnaire-detail", args=["burnout"]),
        reverse("survey-edition-export", args=["burnout", 1]),
        reverse("survey-questionnaire-edit", args=["burnout"]),
        reverse("survey-questionnaire-new"),
    ):
        assert teacher.get(url).status_code == 404, url
    analyst = signed_in(client, world.analyst)
    assert analyst.get(reverse("survey-questionnaire-detail", args=["nope"])).status_code == 404
    assert analyst.get(reverse("survey-edition-export", args=["burnout", 7])).status_code == 404
    assert analyst.get(reverse("survey-questionnaire-edit", args=["nope"])).status_code == 404


def test_the_builder_saves_texts_that_look_like_formulas_exactly(client, world, burnout):
    client = signed_in(client, world.analyst)
    form, scores = formula_looking()
    response = post_builder(client, reverse("survey-questionnaire-edit", args=["burnout"]), form, scores)
    assert response.status_code == 302
    edition = burnout.editions.get()
    assert (edition.definition, edition.scoring) == (form, scores)
