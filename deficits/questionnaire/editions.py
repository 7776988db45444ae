"""Questionnaires and their editions: created in the builder or from an XLSForm workbook, exported back.

Only institute staff write here (``can_write_region``). An edition a campaign has used is
frozen: saving a questionnaire then makes the next edition, so answers already given keep
the form they were given to; an edition nobody has used yet is changed in place. Every
definition is checked by one set of rules (``deficits.questionnaire.definition``, the
XLSForm reader's), every scoring by ``scoring.scoring_check``.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import transaction

from deficits.models import Questionnaire, QuestionnaireEdition
from deficits.questionnaire.definition import DefinitionRefused, form_clean
from deficits.questionnaire.xlsform import FormProblem, FormRefused, form_from_xlsform, xlsform_from_questionnaire
from monitoring.models.scoping import can_write_region

CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")
CODE_RULE = "код анкеты — латинские строчные буквы, цифры, «-» и «_», до 60 знаков"
# Words of the questionnaires' addresses (/surveys/questionnaires/new/, …/import/): never a code.
RESERVED = {"new", "import"}


class EditionStale(DefinitionRefused):
    """The questionnaire was saved by someone else since the builder was opened on it."""


def edition_digest(*, edition: QuestionnaireEdition | None) -> str:
    """A short fingerprint of an edition's form and scoring (the builder sends back the one it was opened on)."""
    if edition is None:
        return ""
    payload = json.dumps([edition.version, edition.definition, edition.scoring], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def _writer(user) -> None:
    if not can_write_region(user):
        raise PermissionDenied("Анкеты создают и изменяют сотрудники института.")


def _code_problem(code: str) -> str | None:
    if not CODE.fullmatch(code):
        return f"Код «{code}»: {CODE_RULE}." if code else "Не указан код анкеты."
    if code in RESERVED:
        return f"Код «{code}» занят адресами портала, выберите другой."
    if Questionnaire.objects.filter(code=code).exists():
        return f"Анкета с кодом «{code}» уже есть."
    return None


def _in_use(edition: QuestionnaireEdition) -> bool:
    return edition.campaigns.exists() or edition.responses.exists()


def edition_in_use(*, edition: QuestionnaireEdition) -> bool:
    """Whether a campaign has used the edition (then it never changes)."""
    return _in_use(edition)


@transaction.atomic
def questionnaire_create(
    *,
    code: str,
    title: str,
    description: str = "",
    definition: dict[str, Any],
    scoring: dict[str, Any] | None,
    user,
) -> Questionnaire:
    """A new questionnaire with its first edition; DefinitionRefused names every problem."""
    _writer(user)
    code, title = code.strip(), " ".join(title.split())
    problems = []
    if problem := _code_problem(code):
        problems.append(problem)
    if not title:
        problems.append("Не указано название анкеты.")
    elif len(title) > 300:
        problems.append("Название анкеты длиннее 300 символов.")
    try:
        clean, clean_scoring = form_clean(definition=definition, scoring=scoring)
    except DefinitionRefused as exc:
        problems += exc.problems
    if problems:
        raise DefinitionRefused(problems)
    clean["form_id"] = code  # the workbook's form_id is the questionnaire's code
    questionnaire = Questionnaire.objects.create(code=code, title=title, description=description.strip())
    QuestionnaireEdition.objects.create(
        questionnaire=questionnaire, version=1, definition=clean, scoring=clean_scoring, created_by=user
    )
    return questionnaire


def _store(
    *, questionnaire: Questionnaire, definition: dict, scoring: dict, user, based_on: str | None = None
) -> QuestionnaireEdition:
    # The questionnaire's row is locked: two saves at once make one edition each, never the same number twice.
    Questionnaire.objects.select_for_update().filter(pk=questionnaire.pk).first()
    latest = questionnaire.editions.order_by("-version").first()
    if based_on is not None and based_on != edition_digest(edition=latest):
        raise EditionStale(
            [
                "Анкету уже изменили после того, как вы открыли конструктор. Ваш вариант не сохранен: "
                "скопируйте нужное, откройте конструктор заново и внесите изменения еще раз."
            ]
        )
    if latest is not None and not _in_use(latest):
        latest.definition, latest.scoring, latest.created_by = definition, scoring, user
        latest.save(update_fields=["definition", "scoring", "created_by"])
        return latest
    version = latest.version + 1 if latest is not None else 1
    return QuestionnaireEdition.objects.create(
        questionnaire=questionnaire, version=version, definition=definition, scoring=scoring, created_by=user
    )


@transaction.atomic
def edition_save(
    *,
    questionnaire: Questionnaire,
    definition: dict[str, Any],
    scoring: dict[str, Any] | None,
    user,
    based_on: str | None = None,
) -> QuestionnaireEdition:
    """Saves the questionnaire's form: its latest edition in place while unused, else a new edition.

    ``based_on`` (``edition_digest`` of the edition the editor was opened on): a save over a
    questionnaire changed since then raises EditionStale instead of overwriting that change.
    """
    _writer(user)
    clean, clean_scoring = form_clean(definition=definition, scoring=scoring)
    clean["form_id"] = questionnaire.code
    return _store(questionnaire=questionnaire, definition=clean, scoring=clean_scoring, user=user, based_on=based_on)


@transaction.atomic
def questionnaire_import_xlsform(
    *, source: str | BinaryIO, filename: str | None, user, questionnaire: Questionnaire | None = None
) -> QuestionnaireEdition:
    """A workbook as a new questionnaire (code and title from ``settings``) or as an edition of ``questionnaire``.

    A form that does not parse raises FormRefused with every place; nothing is stored then.
    """
    _writer(user)
    definition, scoring = form_from_xlsform(source=source, filename=filename)
    if questionnaire is not None:
        if definition["form_id"] and definition["form_id"] != questionnaire.code:
            # Another questionnaire's workbook, most likely: refused rather than taken as this one's edition.
            message = (
                f"form_id «{definition['form_id']}» не совпадает с кодом анкеты «{questionnaire.code}»: "
                "это файл другой анкеты? Исправьте form_id или загрузите файл как новую анкету"
            )
            raise FormRefused([FormProblem("settings", None, "form_id", message)])
        definition["form_id"] = questionnaire.code
        return _store(questionnaire=questionnaire, definition=definition, scoring=scoring, user=user)
    code = definition["form_id"]
    if problem := _code_problem(code):
        message = problem if code else f"укажите код анкеты в столбце form_id ({CODE_RULE})"
        raise FormRefused([FormProblem("settings", 2 if code else None, "form_id", message)])
    created = Questionnaire.objects.create(code=code, title=definition["title"][:300])
    return QuestionnaireEdition.objects.create(
        questionnaire=created, version=1, definition=definition, scoring=scoring, created_by=user
    )


def questionnaire_export_xlsform(*, edition: QuestionnaireEdition) -> bytes:
    """The edition as an XLSForm workbook (with the ``scoring`` sheet when it is scored)."""
    return xlsform_from_questionnaire(questionnaire=edition.definition, scoring=edition.scoring or None)
