"""The questionnaires the portal ships as data (fixtures/questionnaires/*.json), and what they do on submission.

Four instruments, worded by the institute (none is a published test): the teachers'
burnout screening (``burnout``), the course participants' feedback
(``course-feedback``), a school's digital-environment self-assessment
(``digital-environment``) and the school heads' management-deficit diagnostic
(``heads-diagnostic``). Each file holds the questionnaire's code, title, description,
its form (the definition of ``deficits.questionnaire.xlsform``, so staff can download it
as an XLSForm workbook and edit it) and its scoring.

:func:`shipped_questionnaires_load` stores each file that is new or changed and leaves
the others untouched, so the demo and a deployment can call it on every start (as
``indicators.declarative.shipped`` does for the indicator catalogs). A changed file
makes a new edition only when the stored one was already used by a campaign (answers
given keep the form they were given to); an unused edition is updated in place. A
questionnaire with a shipped code that staff made themselves is never touched.

The digital-environment self-assessment's hook stores the school's four 0–4 scores of
the campaign's period (``DigitalEnvironmentScore``) from a head's named response, so
they can be collected instead of imported.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from deficits.models import Questionnaire, QuestionnaireEdition, RespondentRole, Response
from deficits.questionnaire.hooks import register
from deficits.questionnaire.scoring import item_points, scoring_check
from monitoring.models import DigitalEnvironmentScore

SHIPPED_DIR = Path(settings.BASE_DIR) / "fixtures" / "questionnaires"
FORMAT = "monitoring-questionnaire"
DIGITAL = "digital-environment"
# The four areas of the data package's «Цифровая среда» sheet: the scoring's group codes.
DIGITAL_AREAS = ("infrastructure", "tools", "usage", "professional_development")


class Action:
    CREATED = "created"  # a new questionnaire with its first edition
    EDITION = "edition"  # the stored edition was used by a campaign: a new one made
    UPDATED = "updated"  # the stored edition was unused: changed in place
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # staff's own questionnaire has the code: left alone


@dataclass(frozen=True)
class Shipped:
    code: str
    path: Path
    action: str

    @property
    def loaded(self) -> bool:
        return self.action in (Action.CREATED, Action.EDITION, Action.UPDATED)


def shipped_files(directory: Path = SHIPPED_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def shipped_file_read(path: Path) -> dict[str, Any]:
    """A shipped file's content, checked: its scoring fits its form (ValueError naming the file otherwise)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT or not data.get("code") or not isinstance(data.get("definition"), dict):
        raise ValueError(f"{path.name}: не файл анкеты портала (format «{FORMAT}», code, definition).")
    problems = scoring_check(definition=data["definition"], scoring=data.get("scoring") or {})
    if problems:
        raise ValueError(f"{path.name}: {' '.join(problems)}")
    return data


def _store(data: Mapping[str, Any], user) -> str:
    definition, scoring = data["definition"], data.get("scoring") or {}
    questionnaire = Questionnaire.objects.filter(code=data["code"]).first()
    if questionnaire is None:
        questionnaire = Questionnaire.objects.create(
            code=data["code"], title=data["title"], description=data.get("description", ""), shipped=True
        )
        QuestionnaireEdition.objects.create(
            questionnaire=questionnaire, version=1, definition=definition, scoring=scoring, created_by=user
        )
        return Action.CREATED
    if not questionnaire.shipped:
        return Action.SKIPPED
    meta = {"title": data["title"], "description": data.get("description", "")}
    meta_changed = any(getattr(questionnaire, key) != value for key, value in meta.items())
    if meta_changed:
        Questionnaire.objects.filter(pk=questionnaire.pk).update(**meta)
    edition = questionnaire.editions.order_by("-version").first()
    if edition is not None and edition.definition == definition and edition.scoring == scoring:
        return Action.UPDATED if meta_changed else Action.UNCHANGED
    if edition is None or edition.campaigns.exists() or edition.responses.exists():
        QuestionnaireEdition.objects.create(
            questionnaire=questionnaire,
            version=(edition.version + 1) if edition else 1,
            definition=definition,
            scoring=scoring,
            created_by=user,
        )
        return Action.EDITION
    QuestionnaireEdition.objects.filter(pk=edition.pk).update(definition=definition, scoring=scoring)
    return Action.UPDATED


@transaction.atomic
def shipped_questionnaires_load(*, user=None, directory: Path = SHIPPED_DIR) -> list[Shipped]:
    """Store each shipped questionnaire that is not stored as its file has it (None: the operator or the demo)."""
    out = []
    for path in shipped_files(directory):
        data = shipped_file_read(path)
        out.append(Shipped(data["code"], path, _store(data, user)))
    return out


# --- the digital-environment self-assessment -------------------------------------------------------


def digital_area_scores(*, definition: Mapping[str, Any], scoring: Mapping[str, Any], answers: Mapping[str, Any]):
    """Area → its 0–4 score: the mean of the area's answers, rounded half up (None: an area left unanswered)."""
    items = {item["name"]: item for section in definition.get("sections", []) for item in section["items"]}
    groups = {group["code"]: group["items"] for group in scoring.get("groups", [])}
    out: dict[str, int | None] = {}
    for area in DIGITAL_AREAS:
        points = [item_points(items[name], answers.get(name)) for name in groups.get(area, []) if name in items]
        given = [p for p in points if p is not None]
        if not given:
            out[area] = None
            continue
        mean = (sum(given) / len(given)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        out[area] = int(min(Decimal(4), max(Decimal(0), mean)))
    return out


@register(DIGITAL)
def digital_scores_store(*, response: Response) -> None:
    """A school head's named self-assessment becomes the school's four scores of the campaign's period.

    An anonymous response (no school), a respondent who is not the head, a closed period
    or an area left unanswered changes nothing.
    """
    if response.anonymous or response.school_id is None or response.role != RespondentRole.HEAD:
        return
    period = response.campaign.period
    if period.is_closed:
        return
    edition = response.edition
    scores = digital_area_scores(definition=edition.definition, scoring=edition.scoring, answers=response.answers)
    if any(value is None for value in scores.values()):
        return
    DigitalEnvironmentScore.objects.update_or_create(period=period, school_id=response.school_id, defaults=scores)
