"""Proposals from the findings: conclusions, recommendations by addressee, the wording of title and introduction."""

from __future__ import annotations

import pytest

from indicators.models import Indicator
from reports import letters, library
from reports.findings import findings_refresh
from reports.models import Finding, LetterStatus, RecommendationText, TextKind
from tests.indicators.helpers import DECLARED, DECLARED_TITLE
from tests.reports.letters.helpers import (
    HEADS_9,
    INSTITUTE_9,
    MUNICIPAL_9,
    SHORTAGE_AC,
    VACANT_AC,
    A,
    C,
    _items,
    _propose,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def test_a_letter_to_the_school_heads_of_m1_concludes_with_the_school_lists(staffed):
    letter = _propose(staffed, "school_heads", staffed.m1)
    assert _items(letter) == [
        ("conclusion", "", 1, SHORTAGE_AC),
        ("conclusion", "", 2, VACANT_AC),
        ("recommendation", "school_heads", 1, HEADS_9),
    ]
    assert letter.status == LetterStatus.DRAFT and letter.addressee_line == "Руководителям ОО"
    assert letter.title == (
        "Адресные рекомендации руководителям общеобразовательных организаций муниципального образования "
        "«Алексеевский муниципальный район» по итогам мониторинга системы обеспечения профессионального развития "
        "педагогических работников за 2025 год"
    )
    assert (
        "(далее – мониторинг)" in letter.introduction and "9. Выявление кадровых потребностей." in letter.introduction
    )
    assert (letter.signatory_position, letter.signatory_name) == ("Ректор", "И.А. Воронина")


def test_a_letter_to_all_municipal_authorities_names_the_municipalities(staffed):
    letter = _propose(staffed, "municipal")
    assert _items(letter) == [
        (
            "conclusion",
            "",
            1,
            "Нехватка педагогических кадров в 1 муниципальном образовании: Алексеевский муниципальный район.",
        ),
        (
            "conclusion",
            "",
            2,
            "Высокая доля вакантных ставок (более 5 % ставок по штату) в 1 муниципальном образовании: "
            "Алексеевский муниципальный район.",
        ),
        ("recommendation", "municipal", 1, MUNICIPAL_9),
        (
            "recommendation",
            "municipal",
            2,
            "Обеспечить укомплектование педагогическими кадрами в 1 муниципальном образовании: "
            "Алексеевский муниципальный район.",
        ),
    ]


def test_a_note_to_several_addressees_groups_recommendations_by_addressee(staffed):
    letter = _propose(staffed, ["institute", "school_heads", "municipal"])
    assert letter.document_kind == "note" and letter.addressee_line == ""
    context = letters.letter_context(letter, draft=True)
    assert [i.text for i in context["conclusions"]] == [SHORTAGE_AC, VACANT_AC]
    assert context["grouped"] is True
    assert [(g.heading, [i.text for i in g.items]) for g in context["groups"]] == [
        (
            "Органам местного самоуправления, осуществляющим управление в сфере образования",
            [MUNICIPAL_9, f"Обеспечить укомплектование педагогическими кадрами в 2 ОО: {A}, {C}."],
        ),
        ("Руководителям общеобразовательных организаций", [HEADS_9]),
        ("ГАУ ДПО ИРО", [INSTITUTE_9]),  # the institute by its short name (its setup),
    ]


def test_a_municipality_without_findings_gets_no_conclusions(staffed):
    letter = _propose(staffed, "school_heads", staffed.m2)
    assert _items(letter) == []
    assert "все показатели, для которых установлены пороговые значения, их достигают" in letter.introduction


def test_a_letter_to_general_education_heads_names_no_kindergarten(staffed):
    """Issue 16, item 10: a letter to «руководителям общеобразовательных организаций» listed kindergartens."""
    from monitoring.models import Role, SchoolKind  # the world's schools get their kinds here only
    from reports.notices import letter_recipients
    from tests import factories

    staffed.school_c.kind = SchoolKind.PRESCHOOL
    staffed.school_c.save()
    letter = _propose(staffed, "school_heads", staffed.m1)
    conclusions = [t for k, _, _, t in _items(letter) if k == "conclusion"]
    assert conclusions and all(A in t and C not in t for t in conclusions), conclusions
    # Nor does the head of the kindergarten receive it; the school's head does.
    kindergarten_head = factories.UserFactory(username="head_c", role=Role.SCHOOL_HEAD, school=staffed.school_c)
    letter.status = LetterStatus.ISSUED
    recipients = set(letter_recipients(letter))
    assert staffed.head_a in recipients and kindergarten_head not in recipients
    # A letter to the municipal authority still speaks of every organisation that misses.
    municipal = _propose(staffed, "municipal", staffed.m1)
    assert any(C in t for k, _, _, t in _items(municipal) if k == "conclusion")


# -- a declarative indicator (Ж.5, tests.indicators.helpers) proposed like a coded one -------------------------

M2 = "Быковский муниципальный район"


def _declared_conclusion(world) -> str:
    proposal = letters.letter_proposal(period=world.period, user=world.analyst, kinds=["municipal"])
    indicator = Indicator.objects.get(code=DECLARED)
    (text,) = [t for i, t in proposal.conclusions if i == indicator.pk]
    return text


def test_a_declarative_indicator_is_concluded_with_its_directions_text_or_its_own(declared):
    findings_refresh(period=declared.period)
    library.library_ensure()
    conclusions = RecommendationText.objects.filter(kind=TextKind.CONCLUSION, direction=1, indicator=None)
    conclusions.update(text="По направлению 1 показатель «{indicator}» ниже порога: {units}.")
    assert _declared_conclusion(declared) == f"По направлению 1 показатель «{DECLARED_TITLE}» ниже порога: {M2}."
    RecommendationText.objects.create(
        kind=TextKind.CONCLUSION,
        direction=1,
        indicator=Indicator.objects.get(code=DECLARED),
        text="Низкий охват педагогов диагностикой в {count} {orgs}: {units}.",
    )
    assert _declared_conclusion(declared) == f"Низкий охват педагогов диагностикой в 1 муниципальном образовании: {M2}."
    RecommendationText.objects.filter(kind=TextKind.CONCLUSION, direction=1).update(is_active=False)
    assert _declared_conclusion(declared) == library.fill(
        library.FALLBACK_CONCLUSION,
        {"indicator": DECLARED_TITLE, "count": "1", "orgs": "муниципальном образовании", "units": M2},
    )


def test_a_declarative_indicators_direction_brings_its_recommendations(declared):
    findings_refresh(period=declared.period)
    # Only Ж.5 misses in direction 1 here: the direction's texts to municipal authorities come with it.
    Finding.objects.filter(indicator__direction=1).exclude(indicator__code=DECLARED).delete()
    RecommendationText.objects.all().delete()
    RecommendationText.objects.create(
        kind=TextKind.RECOMMENDATION,
        direction=1,
        addressee="municipal",
        text="Организовать диагностику в {period} году.",
    )
    proposal = letters.letter_proposal(period=declared.period, user=declared.analyst, kinds=["municipal"])
    assert ("municipal", None, "Организовать диагностику в 2025 году.") in proposal.recommendations
