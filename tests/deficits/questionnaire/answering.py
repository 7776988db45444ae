"""A small questionnaire with skip logic and a campaign to answer it, for the answering tests."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.utils import timezone

from deficits.models import Campaign, CampaignStatus, Invitation, Questionnaire, QuestionnaireEdition, TargetKind


def item(name: str, kind: str = "text", **extra: Any) -> dict[str, Any]:
    base = {
        "name": name,
        "type": kind,
        "label": f"Вопрос {name}",
        "hint": "",
        "required": False,
        "relevant": "",
        "constraint": "",
        "constraint_message": "",
    }
    return {**base, **extra}


def definition() -> dict[str, Any]:
    """Three sections: who you are; burnout (teachers only); free comments."""
    return {
        "title": "Анкета для проверки",
        "form_id": "check",
        "version": "1",
        "sections": [
            {
                "name": "about",
                "title": "О себе",
                "relevant": "",
                "items": [
                    item("role", "single", list="roles", required=True, hint="Выберите один вариант"),
                    item(
                        "years",
                        "number",
                        integer=True,
                        required=True,
                        constraint=". >= 0 and . <= 60",
                        constraint_message="Стаж — от 0 до 60 лет",
                    ),
                    item("subjects", "multiple", list="subjects", relevant="${role} = 'teacher'", required=True),
                    item("math_hours", "number", integer=False, relevant="selected(${subjects}, 'math')"),
                ],
            },
            {
                "name": "burnout",
                "title": "Самочувствие",
                "relevant": "${role} = 'teacher'",
                "items": [
                    item("b1", "scale", start=0, end=4, step=1, required=True),
                    item("b2", "scale", start=0, end=4, step=1, required=True),
                    item("since", "date"),
                ],
            },
            {
                "name": "comments",
                "title": "Комментарии",
                "relevant": "",
                "items": [item("short", "text"), item("long", "long_text")],
            },
        ],
        "choice_lists": {
            "roles": [{"name": "teacher", "label": "Учитель"}, {"name": "head", "label": "Руководитель"}],
            "subjects": [
                {"name": "math", "label": "Математика"},
                {"name": "rus", "label": "Русский язык"},
                {"name": "phys", "label": "Физика"},
            ],
        },
    }


SCORING = {
    "groups": [
        {
            "code": "EX",
            "name": "Истощение",
            "items": ["b1", "b2"],
            "bands": [
                {"name": "низкий", "min": 0, "max": 3, "flag": False},
                {"name": "высокий", "min": 4, "max": 8, "flag": True},
            ],
        }
    ]
}

TEACHER_ANSWERS = {
    "role": "teacher",
    "years": "12",
    "subjects": ["math", "rus"],
    "math_hours": "4,5",
    "b1": "3",
    "b2": "4",
}


def campaign(
    world, *, anonymous: bool = False, code: str | None = None, form: dict[str, Any] | None = None, **fields: Any
) -> Campaign:
    questionnaire = Questionnaire.objects.create(code=code or f"check-{secrets.token_hex(3)}", title="Проверка")
    edition = QuestionnaireEdition.objects.create(
        questionnaire=questionnaire,
        version=1,
        definition=form or definition(),
        scoring={} if form else SCORING,
    )
    today = timezone.localdate()
    values = {
        "title": "Опрос для проверки",
        "opens": today - dt.timedelta(days=1),
        "closes": today + dt.timedelta(days=10),
        "status": CampaignStatus.OPEN,
        "target_kind": TargetKind.ROSTER,
        **fields,
    }
    return Campaign.objects.create(edition=edition, period=world.period, anonymous=anonymous, **values)


def invitation(campaign: Campaign, teacher, school, **fields: Any) -> Invitation:
    return Invitation.objects.create(
        campaign=campaign,
        teacher=teacher,
        school=school,
        municipality=school.municipality,
        nonce=secrets.token_urlsafe(12),
        **fields,
    )
