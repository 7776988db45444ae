"""The builder's API (indicators/builder_api.py): definitions, preview, catalogs as files, per role and per token."""

from __future__ import annotations

import copy
import json
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import Indicator, IndicatorCatalog, PeriodIndicator
from monitoring.models import PeriodStatus
from tests.api import session_client, token_client
from tests.indicators.declarative.conftest import UPBRINGING

pytestmark = pytest.mark.django_db

LIST = "/api/v1/declarative-indicators/"
PREVIEW = "/api/v1/declarative-indicators/preview/"
CATALOGS = "/api/v1/indicator-catalogs/"


def _definition(**changes) -> dict:
    data = copy.deepcopy(UPBRINGING)
    data.update(changes)
    return data


def _error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:400])
    body = response.json()
    assert body["code"] and any("а" <= ch <= "я" for ch in body["detail"].lower()), body
    return body


@pytest.mark.parametrize("person", ["ministry", "municipal", "head_a", "teacher"])
def test_only_institute_staff_reach_the_builders_api(trained, person):
    client = session_client(trained.people[person])
    _error(client.get(LIST), 403)
    _error(client.post(PREVIEW, {"definition": _definition()}, format="json"), 403)
    _error(client.post(LIST, {"definition": _definition()}, format="json"), 403)
    _error(client.get(CATALOGS), 403)
    assert not Indicator.objects.filter(code="Ж.5").exists()


def test_preview_answers_the_value_and_its_cost(trained):
    response = session_client(trained.analyst).post(PREVIEW, {"definition": _definition()}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["numerator"] == "1" and body["denominator"] == "3"
    assert body["value"].startswith("33.3")
    top = [row["municipality"] for row in body["top"]]
    assert top == ["Алексеевский муниципальный район", "Быковский муниципальный район"]
    assert body["queries"] > 0 and body["partial"] is False


def test_preview_names_the_wrong_part(trained):
    bad = _definition(numerator=[{"field": "status", "op": "in", "value": ["завершил"]}])
    body = _error(session_client(trained.analyst).post(PREVIEW, {"definition": bad}, format="json"), 400)
    assert body["errors"]["definition"] == [
        "Числитель, условие 1: у совокупности «педагоги списка периода» нет поля «status»."
    ]


def test_save_list_get_update_and_remove(trained):
    client = session_client(trained.analyst)
    created = client.post(LIST, {"definition": _definition(), "period": 2025}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["code"] == "Ж.5" and created.json()["definition"]["numerator"] == UPBRINGING["numerator"]
    listed = client.get(LIST, {"period": 2025}).json()
    assert [row["code"] for row in listed["results"]] == ["Ж.5"]
    assert client.get(LIST + "Ж.5/").json()["title"] == UPBRINGING["title"]

    revision = created.json()["revision"]
    assert client.get(LIST + "Ж.5/").json()["revision"] == revision
    changed = {"definition": _definition(title="Другое наименование"), "revision": revision}
    updated = client.put(LIST + "Ж.5/", changed, format="json")
    assert updated.status_code == 200, updated.content
    assert updated.json()["revision"] == revision + 1
    assert Indicator.objects.get(code="Ж.5").title == "Другое наименование"
    renamed = {"definition": _definition(code="Ж.6"), "revision": revision + 1}
    _error(client.put(LIST + "Ж.5/", renamed, format="json"), 400)

    assert client.delete(LIST + "Ж.5/").status_code == 204
    assert not PeriodIndicator.objects.filter(indicator__code="Ж.5").exists()
    assert client.get(LIST + "Ж.5/").status_code == 404


def test_a_closed_period_is_a_conflict(trained):
    trained.period.status = PeriodStatus.CLOSED
    trained.period.save()
    body = _error(session_client(trained.analyst).post(LIST, {"definition": _definition()}, format="json"), 409)
    assert body["detail"] == "Период 2025 закрыт: его показатели не меняются."


def test_a_token_reads_and_previews_but_does_not_change_what_the_region_computes(trained):
    client = token_client(trained.analyst)
    assert client.get(LIST).status_code == 200
    assert client.post(PREVIEW, {"definition": _definition()}, format="json").status_code == 200
    _error(client.post(LIST, {"definition": _definition()}, format="json"), 403)
    upload = SimpleUploadedFile("набор.json", b"{}", content_type="application/json")
    _error(client.post(CATALOGS + "import/", {"file": upload}, format="multipart"), 403)
    assert not Indicator.objects.filter(code="Ж.5").exists()


def _file(**changes) -> bytes:
    payload = {
        "format": "monitoring-indicators",
        "version": 1,
        "catalog": {"slug": "vospitanie", "title": "Воспитание", "source": "", "description": ""},
        "indicators": [_definition(**changes)],
    }
    return json.dumps(payload, ensure_ascii=False).encode()


def test_import_adopt_and_export_round_trip(trained):
    client = session_client(trained.analyst)
    upload = SimpleUploadedFile("набор.json", _file(), content_type="application/json")
    imported = client.post(CATALOGS + "import/", {"file": upload}, format="multipart")
    assert imported.status_code == 201, imported.content
    assert imported.json()["indicators"] == ["Ж.5"]
    adopted = client.post(CATALOGS + "vospitanie/adopt/?period=2025")
    assert adopted.json() == {"added": 1}
    assert PeriodIndicator.objects.filter(period=trained.period, indicator__code="Ж.5").exists()
    export = client.get(CATALOGS + "vospitanie/export/")
    assert unquote(export["Content-Disposition"].split("UTF-8''")[1]) == "показатели-vospitanie.json"
    assert json.loads(export.content)["indicators"][0]["numerator"] == UPBRINGING["numerator"]

    bad = SimpleUploadedFile("bad.json", _file(code="Ж.7", title=""), content_type="application/json")
    body = _error(client.post(CATALOGS + "import/", {"file": bad}, format="multipart"), 400)
    assert body["errors"]["file"] == ["Показатель 1 (Ж.7): Наименование: укажите наименование показателя."]
    assert not Indicator.objects.filter(code="Ж.7").exists()
    assert IndicatorCatalog.objects.count() == 1


def test_creating_an_existing_code_is_a_conflict_and_changes_nothing(trained):
    client = session_client(trained.analyst)
    assert client.post(LIST, {"definition": _definition()}, format="json").status_code == 201
    body = _error(client.post(LIST, {"definition": _definition(title="Чужое")}, format="json"), 409)
    assert "Код Ж.5 уже занят показателем" in body["detail"]
    indicator = Indicator.objects.get(code="Ж.5")
    assert indicator.title == UPBRINGING["title"] and indicator.revision == 1


def test_an_edit_of_an_older_revision_is_a_conflict(trained):
    # Two tabs (or two people) open revision 1; the first save wins, the second is refused.
    client = session_client(trained.analyst)
    revision = client.post(LIST, {"definition": _definition()}, format="json").json()["revision"]
    first = {"definition": _definition(title="Первая правка"), "revision": revision}
    assert client.put(LIST + "Ж.5/", first, format="json").status_code == 200
    second = {"definition": _definition(title="Вторая правка"), "revision": revision}
    body = _error(client.put(LIST + "Ж.5/", second, format="json"), 409)
    assert "изменен после того, как вы его открыли" in body["detail"]
    indicator = Indicator.objects.get(code="Ж.5")
    assert (indicator.title, indicator.revision) == ("Первая правка", revision + 1)
    assert PeriodIndicator.objects.get(indicator=indicator).spec["title"] == "Первая правка"


def test_an_edit_without_its_revision_is_refused(trained):
    client = session_client(trained.analyst)
    client.post(LIST, {"definition": _definition()}, format="json")
    body = _error(client.put(LIST + "Ж.5/", {"definition": _definition(title="Без версии")}, format="json"), 400)
    assert body["errors"]["revision"] == [
        "Передайте версию определения (revision), которую вы правили: без нее правка не сохраняется."
    ]
    assert Indicator.objects.get(code="Ж.5").title == UPBRINGING["title"]


@pytest.mark.parametrize("code", ["ж.5", "Ж.05", "Ж_5", "Ж-5"])
def test_a_code_that_looks_like_an_existing_one_is_refused(trained, code):
    client = session_client(trained.analyst)
    client.post(LIST, {"definition": _definition()}, format="json")
    body = _error(client.post(LIST, {"definition": _definition(code=code)}, format="json"), 409)
    assert body["detail"] == f"Код {code} не отличить на глаз от кода Ж.5; выберите другой код."
    assert list(Indicator.objects.filter(kind="declarative").values_list("code", flat=True)) == ["Ж.5"]


def test_an_indicator_does_not_move_to_another_catalog(trained):
    IndicatorCatalog.objects.create(slug="a", title="Набор А")
    IndicatorCatalog.objects.create(slug="b", title="Набор Б")
    client = session_client(trained.analyst)
    revision = client.post(LIST, {"definition": _definition(), "catalog": "a"}, format="json").json()["revision"]
    moved = {"definition": _definition(), "catalog": "b", "revision": revision}
    body = _error(client.put(LIST + "Ж.5/", moved, format="json"), 409)
    assert body["detail"] == "Показатель Ж.5 входит в набор «Набор А»: в другой набор он не переносится."
    indicator = Indicator.objects.get(code="Ж.5")
    assert (indicator.catalog.slug, indicator.revision) == ("a", revision)


def test_importing_a_known_slug_needs_replace(trained):
    client = session_client(trained.analyst)
    upload = SimpleUploadedFile("набор.json", _file(), content_type="application/json")
    assert client.post(CATALOGS + "import/", {"file": upload}, format="multipart").status_code == 201
    payload = json.loads(_file(title="Новое наименование"))
    payload["indicators"] = [_definition(code="Ж.6", title="Новый показатель")]
    again = SimpleUploadedFile("набор.json", json.dumps(payload).encode(), content_type="application/json")
    body = _error(client.post(CATALOGS + "import/", {"file": again}, format="multipart"), 400)
    assert "уже есть в портале" in body["errors"]["file"][0]
    assert list(IndicatorCatalog.objects.get(slug="vospitanie").indicators.values_list("code", flat=True)) == ["Ж.5"]
    assert not Indicator.objects.filter(code="Ж.6").exists()

    again.seek(0)
    replaced = client.post(CATALOGS + "import/", {"file": again, "replace": "true"}, format="multipart")
    assert replaced.status_code == 201, replaced.content
    assert replaced.json()["indicators"] == ["Ж.6"]
    # Ж.5 is no longer in the file: it leaves the catalog but stays an indicator.
    assert Indicator.objects.get(code="Ж.5").catalog is None
