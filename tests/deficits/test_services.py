"""The questionnaire services: one draft at a time, saved answers checked, completed once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from deficits import services
from deficits.models import Diagnostic, DiagnosticKind, DiagnosticStatus
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 20)


def test_start_creates_one_draft_and_returns_it_again(world):
    first = services.diagnostic_start(teacher=world.teacher_a, kind=DiagnosticKind.ENTRY, today=TODAY)
    again = services.diagnostic_start(teacher=world.teacher_a, kind=DiagnosticKind.FINAL, today=TODAY)
    assert first.pk == again.pk and first.status == DiagnosticStatus.DRAFT
    assert first.instrument.code == "pedagog" and first.date == TODAY


def test_start_refuses_an_unknown_kind_and_a_second_one_the_same_day(world):
    with pytest.raises(ValidationError, match="Неизвестный вид"):
        services.diagnostic_start(teacher=world.teacher_a, kind="годовая", today=TODAY)
    factories.DiagnosticFactory(teacher=world.teacher_a, date=TODAY, submit=True)
    with pytest.raises(ValidationError, match="Сегодня вы уже прошли входную диагностику"):
        services.diagnostic_start(teacher=world.teacher_a, kind=DiagnosticKind.ENTRY, today=TODAY)
    assert Diagnostic.objects.count() == 1


def test_default_kind_is_entry_then_intermediate(world):
    assert services.default_kind(teacher=world.teacher_a) == DiagnosticKind.ENTRY
    factories.DiagnosticFactory(teacher=world.teacher_a, submit=True)
    assert services.default_kind(teacher=world.teacher_a) == DiagnosticKind.INTERMEDIATE


def test_save_refuses_unknown_statements_and_values_off_the_scale(world):
    draft = services.diagnostic_start(teacher=world.teacher_a, kind=DiagnosticKind.ENTRY, today=TODAY)
    with pytest.raises(ValidationError, match="В анкете нет утверждений: МЕТ-11"):
        services.diagnostic_save_answers(diagnostic=draft, answers={"МЕТ-11": 3})
    with pytest.raises(ValidationError, match="Ответ должен быть от 1 до 4: ИКТ-2"):
        services.diagnostic_save_answers(diagnostic=draft, answers={"ИКТ-1": 3, "ИКТ-2": 0})
    draft.refresh_from_db()
    assert draft.answers == {}
    services.diagnostic_save_answers(diagnostic=draft, answers={"ИКТ-1": 3})
    services.diagnostic_save_answers(diagnostic=draft, answers={"ИКТ-2": 4, "ИКТ-1": 2})
    draft.refresh_from_db()
    assert draft.answers == {"ИКТ-1": 2, "ИКТ-2": 4}
    assert services.missing_groups(diagnostic=draft) == ["МЕТ", "ТЕХ", "ИССЛ", "ПРОЕКТ", "ИКТ", "КОРР"]


def test_complete_dates_scores_and_freezes(world):
    draft = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 11, 1), scores={"ТЕХ": 30})
    done = services.diagnostic_complete(diagnostic=draft, today=TODAY)
    assert done.status == DiagnosticStatus.SUBMITTED and done.date == TODAY
    assert done.results.get(group_code="ТЕХ").level == "оптимальный"
    with pytest.raises(ValidationError, match="уже завершена"):
        services.diagnostic_complete(diagnostic=done, today=TODAY)
    with pytest.raises(ValidationError, match="уже завершена"):
        services.diagnostic_save_answers(diagnostic=done, answers={"ТЕХ-1": 1})


def test_complete_refuses_an_incomplete_draft(world):
    draft = factories.DiagnosticFactory(teacher=world.teacher_a, answers={"МЕТ-1": 4})
    with pytest.raises(ValidationError, match="Нет ответа на утверждения"):
        services.diagnostic_complete(diagnostic=draft, today=TODAY)
    draft.refresh_from_db()
    assert draft.status == DiagnosticStatus.DRAFT and not draft.results.exists()


def test_complete_refuses_a_clash_with_a_diagnostic_of_the_same_kind_that_day(world):
    factories.DiagnosticFactory(teacher=world.teacher_a, date=TODAY, submit=True)
    draft = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 11, 1))
    with pytest.raises(ValidationError, match="завершить эту можно завтра"):
        services.diagnostic_complete(diagnostic=draft, today=TODAY)


def test_previous_diagnostic_is_the_one_before(world):
    first = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 1, 10), submit=True)
    second = factories.DiagnosticFactory(
        teacher=world.teacher_a, date=dt.date(2025, 6, 10), kind=DiagnosticKind.INTERMEDIATE, submit=True
    )
    factories.DiagnosticFactory(teacher=world.teacher_b, date=dt.date(2025, 3, 1), submit=True)
    assert services.previous_diagnostic(diagnostic=second) == first
    assert services.previous_diagnostic(diagnostic=first) is None
