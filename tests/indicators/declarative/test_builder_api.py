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

    updated = client.put(LIST + "Ж.5/", {"definition": _definition(title="Другое наименование")}, format="json")
    assert updated.status_code == 200, updated.content
    assert Indicator.objects.get(code="Ж.5").title == "Другое наименование"
    _error(client.put(LIST + "Ж.5/", {"definition": _definition(code="Ж.6")}, format="json"), 400)

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
