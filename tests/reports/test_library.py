"""The recommendation library: the shipped set covers every direction and addressee, loads once, validates."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from reports import library
from reports.models import AddresseeKind, RecommendationText

pytestmark = pytest.mark.django_db


def _shipped() -> list[dict]:
    return json.loads(library.DEFAULT_LIBRARY.read_text(encoding="utf-8"))["texts"]


def test_the_shipped_set_covers_nine_directions_and_three_addressees():
    texts = _shipped()
    for direction in library.DIRECTIONS:
        of = [t for t in texts if t["direction"] == direction]
        assert any(t["kind"] == "conclusion" and t["indicator"] is None for t in of), direction
        for kind in AddresseeKind.values:
            assert any(t["kind"] == "recommendation" and t["addressee"] == kind for t in of), (direction, kind)
    for t in texts:
        library.text_validate(t["text"])  # every placeholder is one the composer fills


def test_key_indicators_have_their_own_conclusions():
    codes = {t["indicator"] for t in _shipped() if t["kind"] == "conclusion"}
    assert {"1.2", "2.2", "3.15", "7.7", "9.1", "9.3", "9.5", "9.11"} <= codes


def test_loaded_on_first_need_and_never_twice():
    assert not RecommendationText.objects.exists()
    lib = library.library_active()
    count = RecommendationText.objects.count()
    assert count == len(_shipped())
    assert lib.conclusion_for("9.1", direction=9) == "Нехватка педагогических кадров в {count} {orgs}: {units}."
    # An edit by the institute survives: the file is not read again.
    RecommendationText.objects.filter(indicator__code="9.1", kind="conclusion").update(text="Свой текст {count}")
    assert library.library_active().conclusion_for("9.1", direction=9) == "Свой текст {count}"
    assert library.library_load() == 0 and RecommendationText.objects.count() == count


def test_an_indicator_without_its_own_text_gets_the_directions():
    lib = library.library_active()
    assert lib.conclusion_for("9.4", direction=9) == lib.direction_conclusions[9]


@pytest.mark.parametrize("text", ["{unknown}", "сломанная {скобка", "{count!r:>{x}}"])
def test_unknown_placeholders_are_refused(text):
    with pytest.raises(ValidationError):
        library.text_validate(text)


def test_fill_and_figures():
    assert library.fill("в {count} {orgs}: {units}; {typo}", {"count": "2", "orgs": "ОО", "units": "А, Б"}) == (
        "в 2 ОО: А, Б; {typo}"
    )
    assert library.number("95.00") == "95" and library.number("70.50") == "70,5"
    assert library.orgs_word("municipality", 1) == "муниципальном образовании"
    assert library.orgs_word("municipality", 11) == "муниципальных образованиях"
    assert library.orgs_word("municipality", 21) == "муниципальном образовании"
    assert library.orgs_word("school", 5) == "ОО"


def test_the_admin_refuses_a_text_with_an_unknown_placeholder(client, world):
    from django.urls import reverse

    library.library_ensure()
    row = RecommendationText.objects.filter(kind="recommendation").first()
    client.force_login(world.analyst)
    url = reverse("admin:reports_recommendationtext_change", args=[row.pk])
    data = {
        "kind": row.kind,
        "direction": row.direction,
        "indicator": row.indicator_id or "",
        "addressee": row.addressee,
        "text": "Проверить {schools}",
        "order": row.order,
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "Неизвестные подстановки" in response.content.decode()
    data["text"] = "Проверить {units}"
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.text == "Проверить {units}"
    client.force_login(world.ministry)
    assert client.post(url, {**data, "text": "Министерство"}).status_code == 403


def test_a_conclusion_is_found_by_the_indicators_direction_never_by_its_code():
    lib = library.Library({"Ж.6": "Свой текст Ж.6"}, {3: "Текст направления 3"}, {})
    assert lib.conclusion_for("Ж.5", direction=3) == "Текст направления 3"  # «Ж.5» names no direction
    assert lib.conclusion_for("Ж.6", direction=3) == "Свой текст Ж.6"
    assert lib.conclusion_for("Ж.5", direction=4) == library.FALLBACK_CONCLUSION
