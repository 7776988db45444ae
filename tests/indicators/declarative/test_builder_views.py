"""The indicator builder's pages (indicators/builder.py): who opens them, preview, save, edit, remove,
adopt, import and export, closed periods, CSRF."""

from __future__ import annotations

import copy
import json
import re
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from indicators.declarative import files
from indicators.models import Indicator, IndicatorCatalog, IndicatorValue, PeriodIndicator
from monitoring.models import PeriodStatus
from tests.indicators.declarative.conftest import UPBRINGING

pytestmark = pytest.mark.django_db

INDEX = "/indicators/builder/"
NEW = "/indicators/builder/new/"
PREVIEW = "/indicators/builder/preview/"
IMPORT = "/indicators/builder/import/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _definition(**changes) -> dict:
    data = copy.deepcopy(UPBRINGING)
    data.update(changes)
    return data


def _post(client, url, data, **extra):
    return client.post(url, {"definition": json.dumps(data, ensure_ascii=False), **extra})


def _revision(response) -> int:
    """The revision the edit form carries (what its save sends back)."""
    return int(re.search(r'<input type="hidden" name="revision" value="(\d+)">', response.content.decode())[1])


def _initial(response) -> dict:
    """The definition the page gives its script (what the form shows)."""
    html = response.content.decode()
    match = re.search(r'<script id="builder-initial" type="application/json">(.*?)</script>', html, re.S)
    assert match, "no builder-initial on the page"
    return json.loads(match.group(1))


@pytest.mark.parametrize(
    ("person", "status"), [("ministry", 403), ("municipal", 403), ("head_a", 403), ("teacher", 404)]
)
def test_only_institute_staff_open_the_builder(world, person, status):
    # Other staff are refused; a teacher meets "not found", as on every staff page.
    client = _client(world.people[person])
    assert client.get(INDEX).status_code == status
    assert client.get(NEW).status_code == status
    assert _post(client, PREVIEW, _definition()).status_code == status
    assert _post(client, NEW, _definition()).status_code == status
    assert not Indicator.objects.filter(code="Ж.5").exists()


def test_the_analyst_opens_the_list_and_the_form_with_the_vocabulary(world):
    client = _client(world.analyst)
    index = client.get(INDEX)
    assert index.status_code == 200
    assert "Новый показатель" in index.content.decode()
    form = client.get(NEW)
    html = form.content.decode()
    assert form.status_code == 200
    vocab = json.loads(re.search(r'id="builder-vocabulary" type="application/json">(.*?)</script>', html, re.S)[1])
    teachers = vocab["populations"]["teachers"]
    assert {"enrollments", "diagnostics"} <= {r["name"] for r in teachers["relations"]}
    fields = {f["name"]: f for g in vocab["populations"]["enrollments"]["groups"] for f in g["fields"]}
    assert fields["program.topic"]["kind"] == "tag"
    assert ["воспитание", "воспитание"] in fields["program.topic"]["choices"]
    assert vocab["operators"]["date"]["in_period"] == "в году периода"
    # Every input of the form has its label.
    for control in re.findall(r'<(?:input|select|textarea)[^>]*id="(b-[a-z]+)"', html):
        assert f'for="{control}"' in html, control


def test_the_menu_leads_institute_staff_to_the_builder(world):
    assert "Конструктор показателей" in _client(world.analyst).get("/").content.decode()
    assert "Конструктор показателей" not in _client(world.ministry).get("/").content.decode()


def test_the_preview_shows_the_value_the_ranking_and_the_cost(trained):
    response = _post(_client(trained.analyst), PREVIEW, _definition())
    html = response.content.decode()
    assert response.status_code == 200, html
    assert re.search(r'id="preview-value">33,33 %<', html), html
    assert re.search(r'id="preview-numerator">1<', html)
    assert re.search(r'id="preview-denominator">3<', html)
    queries = int(re.search(r'id="preview-queries">(\d+)<', html)[1])
    assert 0 < queries < 20
    top = re.search(r'id="preview-top">(.*?)</ol>', html, re.S)[1]
    assert top.index("Алексеевский") < top.index("Быковский")
    assert "50 %" in top
    assert not IndicatorValue.objects.exists() and not Indicator.objects.filter(code="Ж.5").exists()


def test_a_preview_with_a_breakdown_lists_its_values(trained):
    response = _post(_client(trained.analyst), PREVIEW, _definition(breakdown="teacher.sex"))
    html = response.content.decode()
    assert "preview-breakdowns" in html
    assert re.search(r"<li>sex=Ж — 50 %</li><li>sex=М — 0 %</li>", html), html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"numerator": [{"field": "nope", "op": "is", "value": True}]},
            "Числитель, условие 1: у совокупности «педагоги списка периода» нет поля «nope».",
        ),
        (
            {
                "numerator": [
                    {"relation": "enrollments", "op": "exists", "where": [{"field": "status", "op": "in", "value": []}]}
                ]
            },
            "Числитель, условие 1 («запись на курс»), условие 1 (поле «статус обучения»): "
            "выберите от 1 до 50 значений.",
        ),
        ({"title": ""}, "Наименование: укажите наименование показателя."),
        ({"unit": "count", "denominator": [{"field": "part_time", "op": "is", "value": True}]}, "Знаменатель:"),
    ],
)
def test_an_invalid_definition_is_named_part_by_part(trained, changes, message):
    client = _client(trained.analyst)
    preview = _post(client, PREVIEW, _definition(**changes))
    assert preview.status_code == 422
    assert message in preview.content.decode()
    saved = _post(client, NEW, _definition(**changes), catalog="")
    assert saved.status_code == 400
    assert message in saved.content.decode()
    # Everything typed comes back to the form.
    assert _initial(saved) == _definition(**changes)
    assert not Indicator.objects.filter(code="Ж.5").exists()


def test_save_edit_history_and_remove(trained):
    client = _client(trained.analyst)
    response = _post(client, NEW, _definition(), catalog="")
    assert response.status_code == 302
    assert response["Location"] == "/indicators/builder/edit/%D0%96.5/?period=2025"
    pi = PeriodIndicator.objects.get(period=trained.period, indicator__code="Ж.5")
    assert pi.spec["numerator"] == UPBRINGING["numerator"] and pi.target == 80

    edit = client.get(response["Location"])
    assert edit.status_code == 200
    assert _initial(edit)["numerator"] == UPBRINGING["numerator"]
    assert "Ж.5" in client.get(INDEX).content.decode()

    changed = _definition(title="Доля педагогов, обученных воспитанию", threshold="40")
    assert _revision(edit) == 1
    assert _post(client, response["Location"], changed, revision=1).status_code == 302
    pi.refresh_from_db()
    assert pi.indicator.title == "Доля педагогов, обученных воспитанию" and pi.threshold == 40
    history = client.get(response["Location"]).content.decode()
    table = re.search(r'id="builder-history">(.*?)</ol>\n', history, re.S)[1]
    assert "создан" in table and "изменено определение" in table
    assert "Наименование: было «Доля педагогов, повысивших квалификацию по вопросам воспитания»" in table
    assert "добавлен в период 2025" in table
    assert trained.analyst.username in table or trained.analyst.get_full_name() in table
    # The numerator in words: the relation and its conditions.
    assert (
        "есть «запись на курс», такая что статус обучения одно из «завершил» и курс: окончание в году периода"
        " и программа: тематика одна из «воспитание»"
    ) in table

    # The code of an indicator being edited does not change.
    renamed = _post(client, response["Location"], _definition(code="Ж.6"), revision=2)
    assert renamed.status_code == 400 and "не меняется" in renamed.content.decode()

    removed = client.post("/indicators/builder/edit/Ж.5/remove/?period=2025")
    assert removed.status_code == 302
    assert not PeriodIndicator.objects.filter(period=trained.period, indicator__code="Ж.5").exists()
    assert client.get(response["Location"]).status_code == 404


def test_a_closed_period_is_refused_with_the_services_message(trained):
    trained.period.status = PeriodStatus.CLOSED
    trained.period.save()
    client = _client(trained.analyst)
    response = _post(client, NEW + "?period=2025", _definition())
    assert response.status_code == 400
    assert "Период 2025 закрыт: его показатели не меняются." in response.content.decode()
    assert _initial(response)["title"] == UPBRINGING["title"]
    assert not Indicator.objects.filter(code="Ж.5").exists()


def _catalog_file(**changes) -> bytes:
    payload = {
        "format": "monitoring-indicators",
        "version": 1,
        "catalog": {"slug": "vospitanie", "title": "Воспитание", "source": "Приказ № 1", "description": ""},
        "indicators": [_definition(**changes)],
    }
    return json.dumps(payload, ensure_ascii=False).encode()


def test_import_adopt_and_export_a_catalog(trained):
    client = _client(trained.analyst)
    upload = SimpleUploadedFile("набор.json", _catalog_file(), content_type="application/json")
    response = client.post(IMPORT + "?period=2025", {"file": upload})
    assert response.status_code == 302
    catalog = IndicatorCatalog.objects.get(slug="vospitanie")
    assert list(catalog.indicators.values_list("code", flat=True)) == ["Ж.5"]
    assert not PeriodIndicator.objects.filter(indicator__code="Ж.5").exists()

    index = client.get(INDEX).content.decode()
    assert "Принять в период" in index and 'data-confirm="Принять набор «Воспитание» в период 2025?' in index
    adopted = client.post(f"/indicators/builder/catalogs/{catalog.slug}/adopt/?period=2025")
    assert adopted.status_code == 302
    assert PeriodIndicator.objects.get(period=trained.period, indicator__code="Ж.5").spec["code"] == "Ж.5"

    export = client.get(f"/indicators/builder/catalogs/{catalog.slug}/export/")
    assert export.status_code == 200
    disposition = export["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "показатели-vospitanie.json"
    assert json.loads(export.content) == files.catalog_dump(catalog)
    assert json.loads(export.content)["indicators"][0]["numerator"] == UPBRINGING["numerator"]


def test_a_refused_file_lists_every_error_and_stores_nothing(trained):
    bad = json.loads(_catalog_file(title=""))
    bad["indicators"].append(_definition(code="Ж.6", numerator=[{"field": "nope", "op": "is", "value": True}]))
    upload = SimpleUploadedFile("набор.json", json.dumps(bad).encode(), content_type="application/json")
    response = _client(trained.analyst).post(IMPORT, {"file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Показатель 1 (Ж.5): Наименование: укажите наименование показателя." in html
    assert "Показатель 2 (Ж.6): Числитель, условие 1:" in html
    assert not IndicatorCatalog.objects.exists() and not Indicator.objects.filter(code__in=["Ж.5", "Ж.6"]).exists()


def test_a_too_big_file_is_refused_before_it_is_read(trained, settings):
    upload = SimpleUploadedFile("big.json", b" " * (files.MAX_BYTES + 1), content_type="application/json")
    response = _client(trained.analyst).post(IMPORT, {"file": upload}, follow=True)
    assert "Файл больше 1 МБ" in response.content.decode()
    assert not IndicatorCatalog.objects.exists()


def test_the_builders_posts_need_the_csrf_token(trained):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trained.analyst)
    assert _post(client, NEW, _definition()).status_code == 403
    assert _post(client, PREVIEW, _definition()).status_code == 403
    assert not Indicator.objects.filter(code="Ж.5").exists()


def test_a_catalog_chosen_on_the_form_holds_the_saved_indicator(trained):
    IndicatorCatalog.objects.create(slug="moi", title="Мои показатели")
    client = _client(trained.analyst)
    assert _post(client, NEW, _definition(), catalog="moi").status_code == 302
    assert Indicator.objects.get(code="Ж.5").catalog.slug == "moi"
    edit = client.get("/indicators/builder/edit/Ж.5/").content.decode()
    assert '<option value="moi" selected>' in edit
    # Saving with an empty choice would leave it in its catalog: the form does not offer one.
    assert "без набора" not in edit


def test_new_with_an_existing_code_is_refused_and_changes_nothing(trained):
    client = _client(trained.analyst)
    assert _post(client, NEW, _definition(), catalog="").status_code == 302
    again = _post(client, NEW, _definition(title="Чужое наименование"), catalog="")
    assert again.status_code == 400
    html = again.content.decode()
    assert "Код Ж.5 уже занят показателем «Доля педагогов, повысивших квалификацию по вопросам воспитания»" in html
    assert _initial(again)["title"] == "Чужое наименование"
    indicator = Indicator.objects.get(code="Ж.5")
    assert (indicator.title, indicator.revision) == (UPBRINGING["title"], 1)


def test_a_second_tab_saving_an_older_revision_is_refused_with_everything_typed_kept(trained):
    client = _client(trained.analyst)
    url = _post(client, NEW, _definition(), catalog="")["Location"]
    first_tab, second_tab = client.get(url), client.get(url)
    assert _revision(first_tab) == _revision(second_tab) == 1
    assert _post(client, url, _definition(title="Правка первой вкладки"), revision=1).status_code == 302
    typed = _definition(title="Правка второй вкладки", target="90")
    refused = _post(client, url, typed, revision=_revision(second_tab))
    assert refused.status_code == 409
    assert "изменен после того, как вы его открыли" in refused.content.decode()
    assert _initial(refused) == typed
    # The page stays stale (the revision it was opened on) until it is reloaded.
    assert _revision(refused) == 1
    pi = PeriodIndicator.objects.get(period=trained.period, indicator__code="Ж.5")
    assert (pi.indicator.title, pi.indicator.revision, pi.spec["title"]) == (
        "Правка первой вкладки",
        2,
        "Правка первой вкладки",
    )
    assert _revision(client.get(url)) == 2


@pytest.mark.parametrize("revision", [None, "", "два"])
def test_an_edit_without_a_readable_revision_is_refused_as_stale(trained, revision):
    client = _client(trained.analyst)
    url = _post(client, NEW, _definition(), catalog="")["Location"]
    extra = {} if revision is None else {"revision": revision}
    assert _post(client, url, _definition(title="Без версии"), **extra).status_code == 409
    assert Indicator.objects.get(code="Ж.5").title == UPBRINGING["title"]


@pytest.mark.parametrize(
    ("existing", "code"), [("Ж.5", "ж.5"), ("C.1", "С.1"), ("С.1", "c.1"), ("Ж.12", "Ж.012"), ("Ж.12", "Ж_12")]
)
def test_a_code_that_looks_like_an_existing_one_is_refused(trained, existing, code):
    client = _client(trained.analyst)
    assert _post(client, NEW, _definition(code=existing), catalog="").status_code == 302
    response = _post(client, NEW, _definition(code=code), catalog="")
    assert response.status_code == 400
    assert f"Код {code} не отличить на глаз от кода {existing}; выберите другой код." in response.content.decode()
    assert list(Indicator.objects.filter(kind="declarative").values_list("code", flat=True)) == [existing]


def test_an_indicator_does_not_move_to_another_catalog(trained):
    IndicatorCatalog.objects.create(slug="a", title="Набор А")
    IndicatorCatalog.objects.create(slug="b", title="Набор Б")
    client = _client(trained.analyst)
    url = _post(client, NEW, _definition(), catalog="a")["Location"]
    response = _post(client, url, _definition(title="В другой набор"), catalog="b", revision=1)
    assert response.status_code == 400
    assert "Показатель Ж.5 входит в набор «Набор А»: в другой набор он не переносится." in response.content.decode()
    indicator = Indicator.objects.get(code="Ж.5")
    assert (indicator.catalog.slug, indicator.title, indicator.revision) == ("a", UPBRINGING["title"], 1)


def test_importing_a_known_slug_needs_the_replace_box(trained):
    client = _client(trained.analyst)
    first = SimpleUploadedFile("набор.json", _catalog_file(), content_type="application/json")
    assert client.post(IMPORT, {"file": first}).status_code == 302
    assert 'name="replace"' in client.get(INDEX).content.decode()
    payload = json.loads(_catalog_file())
    payload["catalog"]["title"] = "Воспитание, версия 2"
    payload["indicators"] = [_definition(code="Ж.6", title="Новый показатель")]
    data = json.dumps(payload, ensure_ascii=False).encode()

    refused = client.post(IMPORT, {"file": SimpleUploadedFile("набор.json", data)})
    assert refused.status_code == 400
    assert "Набор «Воспитание» (vospitanie) уже есть в портале." in refused.content.decode()
    catalog = IndicatorCatalog.objects.get(slug="vospitanie")
    assert catalog.title == "Воспитание" and list(catalog.indicators.values_list("code", flat=True)) == ["Ж.5"]
    assert not Indicator.objects.filter(code="Ж.6").exists()

    replaced = client.post(IMPORT, {"file": SimpleUploadedFile("набор.json", data), "replace": "on"})
    assert replaced.status_code == 302
    catalog.refresh_from_db()
    assert catalog.title == "Воспитание, версия 2"
    assert list(catalog.indicators.values_list("code", flat=True)) == ["Ж.6"]
    # The indicator the file no longer lists leaves the catalog (and stays an indicator).
    assert Indicator.objects.get(code="Ж.5").catalog is None
