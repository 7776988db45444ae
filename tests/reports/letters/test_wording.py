"""Proposals from the findings: conclusions, recommendations by addressee, the wording of title and introduction."""

from __future__ import annotations

import pytest

from reports import letters
from reports.models import LetterStatus
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
        ("ГАУ ДПО ИРО", [INSTITUTE_9])  # the institute by its short name (its setup),
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
