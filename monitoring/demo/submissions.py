"""Schools' submissions of a period and their history: submitted, returned, accepted."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from monitoring import models
from monitoring.demo.choice import Choice
from monitoring.demo.geography import Muni
from monitoring.demo.run import DemoRun
from monitoring.demo.writer import BATCH_SIZE

# The open period's submissions: "missing" means the school has not started at all.
_SUBMISSION_MIX = (
    ("accepted", 42),
    ("submitted", 18),
    ("returned", 10),
    ("draft", 18),
    ("missing", 12),
)
_RETURN_COMMENTS = (
    "Не заполнен лист «Штатное расписание».",
    "Число педагогов расходится со списочной численностью, уточните данные.",
    "Не указаны даты присвоения квалификационных категорий.",
    "У нескольких педагогов стаж больше возраста, проверьте данные.",
    "Нет оценки цифровой образовательной среды.",
)

_SUBMISSION_CHOICE = Choice(_SUBMISSION_MIX)


def write_submissions(run: DemoRun, *, period, muni: Muni) -> None:
    """Each school's submission and its history: submitted, maybe returned and sent
    again, then accepted — the steps monitoring.intake.submissions records."""
    rng = run.rng
    submitted, returned, accepted = (
        models.SubmissionStatus.SUBMITTED,
        models.SubmissionStatus.RETURNED,
        models.SubmissionStatus.ACCEPTED,
    )
    planned: list[tuple[models.SchoolSubmission, list[tuple[str, dt.datetime, str]]]] = []
    for school in muni.schools:
        if period.status == models.PeriodStatus.CLOSED:
            status = accepted
        elif school is run.head_school:
            status = models.SubmissionStatus.DRAFT  # the demo head has something to submit
        elif school is run.head2_school:
            status = returned  # and the other one something to fix
        elif muni.lagging:
            status = rng.choice(("draft", "missing", "missing"))
        else:
            status = _SUBMISSION_CHOICE.draw(rng)
        if status == "missing":
            continue
        at = dt.datetime(
            period.year,
            rng.randint(10, 11),
            rng.randint(1, 28),
            rng.randint(9, 17),
            rng.randint(0, 59),
            tzinfo=run.tz,
        )
        history: list[tuple[str, dt.datetime, str]] = []
        comment = ""
        if status != models.SubmissionStatus.DRAFT:
            history.append((submitted, at, ""))
            sent_back = status == returned or (status == accepted and rng.random() < 0.2)
            if sent_back:
                comment = rng.choice(_RETURN_COMMENTS)
                at += dt.timedelta(days=rng.randint(2, 10), hours=rng.randint(0, 6))
                history.append((returned, at, comment))
            if status == accepted:
                if sent_back:
                    at += dt.timedelta(days=rng.randint(3, 14), hours=rng.randint(0, 6))
                    history.append((submitted, at, ""))
                    comment = ""
                reviewed = at + dt.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6))
                history.append((accepted, reviewed, ""))
        last_sent = max((t for s, t, _ in history if s == submitted), default=None)
        planned.append(
            (
                models.SchoolSubmission(
                    period_id=period.pk,
                    school_id=school.pk,
                    status=status,
                    submitted_at=last_sent,
                    comment=comment,
                ),
                history,
            )
        )
    run.writer.create([submission for submission, _ in planned])
    now = timezone.now()
    for submission, history in planned:
        for status, at, comment in history:
            run.events.append(
                models.SubmissionEvent(
                    submission_id=submission.pk,
                    status=status,
                    comment=comment,
                    at=min(at, now),
                )
            )
    if len(run.events) >= BATCH_SIZE:
        flush_submission_events(run)


def flush_submission_events(run: DemoRun) -> None:
    # `at` is auto_now_add, which bulk_create overwrites with the present moment;
    # the history needs its own dates, so they are written back once the rows exist.
    events, run.events = run.events, []
    dates = [event.at for event in events]
    run.writer.create(events)
    for event, at in zip(events, dates, strict=True):
        event.at = at
    models.SubmissionEvent.objects.bulk_update(events, ["at"], batch_size=1000)
