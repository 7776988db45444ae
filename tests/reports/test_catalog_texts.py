"""Texts that arrive with an indicator catalog file: checked, added once, proposed from the findings."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from indicators.declarative import files
from indicators.declarative.files import catalog_load
from indicators.declarative.services import catalog_adopt
from indicators.declarative.shipped import SHIPPED_DIR
from indicators.declarative.spec import DefinitionInvalid
from indicators.engine import compute_period
from indicators.models import IndicatorCatalog, Level
from reports import library
from reports.findings import findings_refresh
from reports.letters import wording
from reports.models import Finding, RecommendationText
from tests import factories

pytestmark = pytest.mark.django_db
ZHIRNOVSK = SHIPPED_DIR / "zhirnovsk-2022.json"
UPBRINGING = "Низкий охват педагогов, повысивших свою квалификацию по вопросам организации воспитания обучающихся"


def zhirnovsk(**change) -> dict:
    data = json.loads(ZHIRNOVSK.read_text(encoding="utf-8"))
    data.update(change)
    return data


def load(data: dict, *, replace: bool = False):
    return catalog_load(data=json.dumps(data, ensure_ascii=False), user=None, replace=replace)


def test_texts_join_the_library_once_and_after_the_shipped_ones():
    catalog = load(zhirnovsk())
    of_catalog = RecommendationText.objects.filter(indicator__catalog=catalog)
    count = len(zhirnovsk()["texts"])
    assert of_catalog.count() == count
    # The shipped library was loaded first (it loads only into an empty table).
    assert RecommendationText.objects.filter(indicator__isnull=True).exists()
    total = RecommendationText.objects.count()
    load(zhirnovsk(), replace=True)
    assert (of_catalog.count(), RecommendationText.objects.count()) == (count, total)
    text = of_catalog.get(indicator__code="Ж.11", kind="conclusion")
    assert text.direction == 3 and text.addressee == "" and text.text.startswith(UPBRINGING)
    recommendation = of_catalog.get(indicator__code="Ж.2", kind="recommendation")
    assert (recommendation.addressee, recommendation.text) == (
        "school_heads",
        "Внедрить ИОМ педагогов во всех образовательных организациях.",
    )


def test_a_new_text_of_a_reloaded_file_is_added_and_an_institute_edit_kept():
    catalog = load(zhirnovsk())
    edited = RecommendationText.objects.get(indicator__code="Ж.4", kind="conclusion")
    edited.text = "Нехватка кадров: {units}."
    edited.save()
    data = zhirnovsk()
    data["texts"].append(
        {"kind": "recommendation", "indicator": "Ж.4", "addressee": "municipal", "text": "Провести анализ вакансий."}
    )
    load(data, replace=True)
    texts = RecommendationText.objects.filter(indicator__catalog=catalog, indicator__code="Ж.4")
    # The file's conclusion comes back beside the edited one (they differ); the new recommendation arrives.
    assert sorted(texts.values_list("kind", "text")) == sorted(
        [
            ("conclusion", "Нехватка кадров: {units}."),
            ("conclusion", "Нехватка педагогических кадров в {count} {orgs}: {units}."),
            ("recommendation", "Провести анализ вакансий."),
        ]
    )


def test_an_export_carries_the_active_texts():
    catalog = load(zhirnovsk())
    RecommendationText.objects.filter(indicator__code="Ж.2").update(is_active=False)
    exported = files.catalog_dump(catalog)["texts"]
    expected = [t for t in zhirnovsk()["texts"] if t["indicator"] != "Ж.2"]
    assert sorted(map(_key, exported)) == sorted(map(_key, expected))
    # Indicator order first: Ж.1 (direction 1) before the direction-3 topics.
    assert exported[0]["indicator"] == "Ж.1"


def _key(text: dict) -> tuple:
    return text["indicator"], text["kind"], text["addressee"], text["text"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            {"kind": "conclusion", "indicator": "Ж.1", "text": "Охват {coverage}."},
            "Текст 1 (Ж.1): Неизвестные подстановки",
        ),
        (
            {"kind": "recommendation", "indicator": "Ж.1", "addressee": "teachers", "text": "Пройти диагностику."},
            "Текст 1 (Ж.1): адресат «teachers» неизвестен",
        ),
        ({"kind": "conclusion", "indicator": "1.2", "text": "Мало."}, "Текст 1: показатель «1.2» — не из этого набора"),
        (
            {"kind": "conclusion", "indicator": "Ж.1", "addressee": "municipal", "text": "Мало."},
            "Текст 1: у вывода адресата нет",
        ),
        (
            {"kind": "recommendation", "indicator": "Ж.1", "text": "Мало."},
            "Текст 1: у рекомендации должен быть адресат",
        ),
        ({"kind": "summary", "indicator": "Ж.1", "text": "Мало."}, "Текст 1: вид — conclusion"),
    ],
)
def test_a_wrong_text_refuses_the_whole_file(text, message):
    with pytest.raises(DefinitionInvalid) as refused:
        load(zhirnovsk(texts=[text]))
    assert any(e.startswith(message) for e in refused.value.errors), refused.value.errors
    assert not IndicatorCatalog.objects.exists()
    assert not RecommendationText.objects.filter(indicator__code__startswith="Ж").exists()


def test_a_file_without_texts_loads():
    data = zhirnovsk()
    del data["texts"]
    catalog = load(data)
    assert catalog.indicators.count() == 13
    assert not RecommendationText.objects.filter(indicator__catalog=catalog).exists()


def test_a_finding_below_the_threshold_proposes_the_letters_conclusion(world):
    # school_a: teacher_a finished a ПК course on «воспитание» in 2025 (1 of 1: 100 %); schools b and c:
    # nobody did (0 %), below the threshold of 5 % — two findings.
    program = factories.ProgramFactory(topics=["воспитание"])
    factories.EnrollmentFactory(teacher=world.teacher_a, course=factories.CourseRunFactory(program=program))
    factories.EnrollmentFactory(
        teacher=world.teacher_b,
        course=factories.CourseRunFactory(program=program, start=dt.date(2026, 1, 10), end=dt.date(2026, 2, 1)),
    )
    catalog = load(zhirnovsk())
    catalog_adopt(period=world.period, catalog=catalog, user=None, compute=False)
    compute_period(period=world.period)
    findings_refresh(period=world.period)
    found = Finding.objects.filter(period=world.period, indicator__code="Ж.11", level=Level.SCHOOL)
    assert sorted(found.values_list("org_code", "value")) == [("000002", 0), ("000003", 0)]
    assert found.first().threshold == 5
    template = library.library_active().conclusions["Ж.11"]
    text = library.fill(template, {"count": "2", "orgs": "ОО", "units": ", ".join(f.org_name for f in found),
                                   "threshold": "5"})  # fmt: skip
    assert text == (f"{UPBRINGING} (менее 5 %), в 2 ОО: МКОУ «Быковская СШ № 1», МКОУ «Аржановская СШ».")
    assert library.library_active().recommendations_for(addressee="school_heads", direction=3, code="Ж.11") == [
        "Систематизировать мониторинг системы обеспечения профессионального развития педагогических работников в ОУ."
    ]


def test_a_letter_to_school_heads_proposes_the_catalogs_conclusion_and_recommendation(world):
    # Nobody finished a course on «воспитание»: every school misses Ж.11 (0 % < 5 %).
    catalog = load(zhirnovsk())
    catalog_adopt(period=world.period, catalog=catalog, user=None, compute=False)
    compute_period(period=world.period)
    findings_refresh(period=world.period)
    proposal = wording.letter_proposal(period=world.period, user=world.analyst, kinds=["school_heads"])
    texts = [text for _, text in proposal.conclusions]
    assert (
        f"{UPBRINGING} (менее 5 %), в 3 ОО: МКОУ «Алексеевская СШ», МКОУ «Аржановская СШ», МКОУ «Быковская СШ № 1»."
        in texts
    )
    recommendations = [text for kind, _, text in proposal.recommendations if kind == "school_heads"]
    assert "Внедрить ИОМ педагогов во всех образовательных организациях." in recommendations
