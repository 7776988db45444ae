"""The questionnaire services: one draft at a time, saved answers checked, completed once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from deficits import services
from deficits.models import Diagnostic, DiagnosticKind, DiagnosticStatus, LinkEvent, PersonalLink
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


# ---------------------------------------------------------------------------
# Concurrent saves and submits: answers never change under the scores
# ---------------------------------------------------------------------------


def _consistent(diagnostic: Diagnostic) -> bool:
    """Whether the stored group results are the scores of the stored answers."""
    from deficits.scoring import instrument_spec, score_answers

    stored = Diagnostic.objects.get(pk=diagnostic.pk)
    spec = instrument_spec(stored.instrument)
    scores = score_answers(spec=spec, answers=stored.answers)
    expected = {s.group_code: (s.score, s.level, s.is_deficit) for s in scores}
    results = {r.group_code: (r.score, r.level, r.is_deficit) for r in stored.results.all()}
    return stored.status == DiagnosticStatus.SUBMITTED and results == expected


def test_a_save_read_before_a_submit_is_refused_after_it(world):
    # A second tab (or a double click) read the draft, then the first one completed it.
    draft = factories.DiagnosticFactory(teacher=world.teacher_a, date=dt.date(2025, 11, 1))
    answers = dict(draft.answers)
    stale = Diagnostic.objects.get(pk=draft.pk)
    services.diagnostic_complete(diagnostic=draft, today=TODAY)
    with pytest.raises(ValidationError, match="уже завершена"):
        services.diagnostic_save_answers(diagnostic=stale, answers={f"МЕТ-{n}": 1 for n in range(1, 11)})
    stored = Diagnostic.objects.get(pk=draft.pk)
    assert stored.answers == answers
    assert stored.results.get(group_code="МЕТ").score == sum(answers[f"МЕТ-{n}"] for n in range(1, 11))
    assert _consistent(stored)


def test_two_saves_from_pages_read_at_once_keep_both_pages(world):
    draft = services.diagnostic_start(teacher=world.teacher_a, kind=DiagnosticKind.ENTRY, today=TODAY)
    first, second = Diagnostic.objects.get(pk=draft.pk), Diagnostic.objects.get(pk=draft.pk)
    services.diagnostic_save_answers(diagnostic=first, answers={"МЕТ-1": 3})
    saved = services.diagnostic_save_answers(diagnostic=second, answers={"ТЕХ-1": 2})
    assert Diagnostic.objects.get(pk=draft.pk).answers == {"МЕТ-1": 3, "ТЕХ-1": 2} == saved.answers


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_submit_and_two_saves_at_once_leave_answers_and_scores_consistent(world):
    """Real transactions on PostgreSQL: each thread reads the draft, then all act at once."""
    import threading

    from django.db import connection

    rounds, refused, errors = 8, [], []
    for round_ in range(rounds):
        teacher = factories.TeacherFactory()
        draft = factories.DiagnosticFactory(teacher=teacher, date=dt.date(2025, 11, 1), scores={})
        barrier = threading.Barrier(3)

        def act(job, draft_pk=draft.pk, barrier=barrier):
            try:
                diagnostic = Diagnostic.objects.get(pk=draft_pk)  # what the request read
                barrier.wait()
                job(diagnostic)
            except ValidationError as exc:
                refused.append(exc)
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)
            finally:
                connection.close()

        jobs = [
            lambda d: services.diagnostic_complete(diagnostic=d, today=TODAY),
            lambda d: services.diagnostic_save_answers(diagnostic=d, answers={f"МЕТ-{n}": 1 for n in range(1, 11)}),
            lambda d: services.diagnostic_save_answers(diagnostic=d, answers={f"ИКТ-{n}": 1 for n in range(1, 11)}),
        ]
        threads = [threading.Thread(target=act, args=(job,)) for job in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert _consistent(draft), f"round {round_}: the stored answers are not the scored ones"
    assert all("уже завершена" in " ".join(e.messages) for e in refused)


# ---------------------------------------------------------------------------
# Personal links
# ---------------------------------------------------------------------------


def _visitor(address="10.0.0.1"):
    return services.LinkVisitor(user=None, address=address, user_agent="pytest")


def test_links_are_issued_in_one_query_and_not_to_accounts_that_sign_in_otherwise(world, django_assert_num_queries):
    from monitoring.models import Role, User

    closed = factories.TeacherFactory()
    User.objects.create(username="closed", role=Role.TEACHER, teacher=closed, is_active=False, password="!")
    legacy = factories.TeacherFactory()
    User.objects.create(username="legacy", role=Role.TEACHER, teacher=legacy, password="!x")  # unusable password
    teachers = [world.teacher_a, world.teacher_b, closed, legacy]
    with django_assert_num_queries(1):
        tokens = services.personal_links_issue(teachers=teachers, issued_by=world.head_a)
    assert tokens[world.teacher_a.pk] is None  # world.teacher: teacher A's account has a password
    assert tokens[closed.pk] is None
    assert services.personal_link_teacher(token=tokens[world.teacher_b.pk]) == world.teacher_b
    assert services.personal_link_teacher(token=tokens[legacy.pk]) == legacy
    with django_assert_num_queries(0):
        assert services.personal_links_issue(teachers=[], issued_by=world.head_a) == {}


def test_a_link_is_bound_to_the_first_browser_that_starts_it(world):
    token = services.personal_links_issue(teachers=[world.teacher_b], issued_by=world.head_b)[world.teacher_b.pk]
    opened = services.personal_link_use(token=token, device="", visitor=_visitor(), event=LinkEvent.OPENED)
    assert opened.bound_at is None and not Diagnostic.objects.exists()
    link = services.personal_link_use(token=token, device="browser-1", visitor=_visitor(), event=LinkEvent.STARTED)
    assert link.diagnostic.teacher == world.teacher_b and link.diagnostic.status == DiagnosticStatus.DRAFT
    assert link.device and "browser-1" not in link.device  # a digest, not the browser's value
    with pytest.raises(services.LinkRefused) as refused:
        services.personal_link_use(token=token, device="browser-2", visitor=_visitor(), event=LinkEvent.STARTED)
    assert refused.value.reason == LinkEvent.REFUSED_DEVICE
    again = services.personal_link_use(token=token, device="browser-1", visitor=_visitor(), event=LinkEvent.PAGE)
    assert again.diagnostic == link.diagnostic
    assert list(link.uses.order_by("pk").values_list("event", flat=True)) == [
        LinkEvent.OPENED, LinkEvent.STARTED, LinkEvent.REFUSED_DEVICE, LinkEvent.PAGE,
    ]  # fmt: skip


def test_a_link_that_cannot_start_a_diagnostic_today_says_why(world):
    from django.utils import timezone

    today = timezone.localdate()
    factories.DiagnosticFactory(teacher=world.teacher_b, date=today, submit=True)
    factories.DiagnosticFactory(teacher=world.teacher_b, date=today, kind=DiagnosticKind.INTERMEDIATE, submit=True)
    token = services.personal_links_issue(teachers=[world.teacher_b], issued_by=world.head_b)[world.teacher_b.pk]
    with pytest.raises(services.LinkRefused, match="Сегодня вы уже прошли промежуточную диагностику"):
        services.personal_link_use(token=token, device="b", visitor=_visitor(), event=LinkEvent.STARTED)
    link = PersonalLink.objects.get()
    assert link.bound_at is None and link.uses.get().event == LinkEvent.REFUSED_CLOSED


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_browsers_starting_one_link_at_once_bind_one(world):
    import threading

    from django.db import connection

    token = services.personal_links_issue(teachers=[world.teacher_b], issued_by=world.head_b)[world.teacher_b.pk]
    barrier, started, refused, errors = threading.Barrier(4), [], [], []

    def start(device):
        try:
            barrier.wait()
            started.append(
                services.personal_link_use(token=token, device=device, visitor=_visitor(), event=LinkEvent.STARTED)
            )
        except services.LinkRefused as exc:
            refused.append(exc.reason)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(f"browser-{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(started) == 1 and refused == [LinkEvent.REFUSED_DEVICE] * 3
    assert Diagnostic.objects.filter(teacher=world.teacher_b).count() == 1
    assert PersonalLink.objects.get().uses.count() == 4


def test_a_closed_period_takes_no_diagnostic(world):
    """Starting, saving and finishing are refused when the day's period is closed (issue 14, item 6)."""
    from monitoring.models import MonitoringPeriod, PeriodStatus

    draft = services.diagnostic_start(teacher=world.teacher_a, kind=DiagnosticKind.ENTRY, today=dt.date(2025, 3, 1))
    MonitoringPeriod.objects.filter(pk=world.period.pk).update(status=PeriodStatus.CLOSED)
    with pytest.raises(ValidationError, match="2025 года закрыт"):
        services.diagnostic_start(teacher=world.teacher_b, kind=DiagnosticKind.ENTRY, today=dt.date(2025, 3, 2))
    with pytest.raises(ValidationError, match="2025 года закрыт"):
        services.diagnostic_complete(diagnostic=draft, today=dt.date(2025, 3, 2))
    assert not Diagnostic.objects.filter(teacher=world.teacher_b).exists()
    draft.refresh_from_db()
    assert draft.status == DiagnosticStatus.DRAFT


def test_a_closed_period_refuses_saving_answers_today(world, monkeypatch):
    from django.utils import timezone

    from monitoring.models import MonitoringPeriod, PeriodStatus

    draft = services.diagnostic_start(teacher=world.teacher_a, kind=DiagnosticKind.ENTRY, today=dt.date(2025, 3, 1))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2025, 3, 2))
    MonitoringPeriod.objects.filter(pk=world.period.pk).update(status=PeriodStatus.CLOSED)
    with pytest.raises(ValidationError, match="закрыт"):
        services.diagnostic_save_answers(diagnostic=draft, answers={"МЕТ-1": 3})
    draft.refresh_from_db()
    assert draft.answers == {}
