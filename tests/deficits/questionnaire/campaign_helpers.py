"""Questionnaires, editions and campaigns for the campaign tests (the models have no factories yet)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from deficits.models import Campaign, Questionnaire, QuestionnaireEdition, TargetKind

DEFINITION = {
    "title": "Опрос об условиях работы",
    "form_id": "conditions",
    "version": "1",
    "sections": [
        {
            "name": "main",
            "title": "Условия",
            "relevant": "",
            "items": [
                {
                    "name": "q1",
                    "type": "single",
                    "label": "Довольны ли вы условиями?",
                    "hint": "",
                    "required": True,
                    "relevant": "",
                    "constraint": "",
                    "constraint_message": "",
                    "list": "yn",
                }
            ],
        }
    ],
    "choice_lists": {"yn": [{"name": "yes", "label": "Да"}, {"name": "no", "label": "Нет"}]},
}


def edition_make(code: str = "conditions") -> QuestionnaireEdition:
    questionnaire, _ = Questionnaire.objects.get_or_create(code=code, defaults={"title": "Условия работы"})
    return QuestionnaireEdition.objects.create(
        questionnaire=questionnaire, version=questionnaire.editions.count() + 1, definition=DEFINITION
    )


def campaign_make(period, *, target_kind=TargetKind.ROSTER, target=None, seed=None, **fields) -> Campaign:
    """A draft campaign written directly (the services' checks are tested on their own)."""
    values = {
        "edition": edition_make(),
        "period": period,
        "title": "Опрос об условиях работы",
        "opens": timezone.localdate(),
        "closes": timezone.localdate() + dt.timedelta(days=30),
        "target_kind": target_kind,
        "target": target or {},
        "seed": seed,
        **fields,
    }
    return Campaign.objects.create(**values)
