"""The demo logins, one per role, and the people and places they are anchored to."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password

from monitoring import models
from monitoring.demo.run import DemoRun
from monitoring.demo.workforce import TEACHER, Person

DEMO_PASSWORD = "demo12345"

# (username, role, what the account shows) — printed by the command, the Makefile and the README.
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    ("analyst", models.Role.ANALYST, "Специалист института: весь регион"),
    ("director", models.Role.ANALYST, "Ректор института: подписывает письма, которые составил analyst"),
    ("ministry", models.Role.MINISTRY, "Представитель министерства: весь регион"),
    ("municipal", models.Role.MUNICIPAL, "Специалист муниципалитета: город-герой Волгоград"),
    ("head", models.Role.SCHOOL_HEAD, "Руководитель школы в Волгограде"),
    ("head2", models.Role.SCHOOL_HEAD, "Руководитель школы в городе Волжском"),
    ("teacher", models.Role.TEACHER, "Педагог школы руководителя head"),
    ("curator", models.Role.CURATOR, "Куратор (тьютор) ЦНППМ: 15 педагогов Волгограда с маршрутами"),
    ("admin", models.Role.ANALYST, "Суперпользователь: администрирование портала"),
]


def pick_demo_teacher(run: DemoRun, *, roster, young: set[int], mentees: set[int]) -> None:
    """The `teacher` account: at the head's school in both years, ideally a young mentee."""
    school = run.head_school
    here = [p for p, post in roster if post.school is school]
    both_years = [p for p in here if p.posts[0] is not None and p.posts[0].school is school]

    def rank(person: Person) -> tuple:
        post = person.posts[1]
        return (person.pk not in mentees, person.pk not in young, post.position != TEACHER, person.code)

    run.demo_teacher = min(both_years or here, key=rank)


def create_accounts(run: DemoRun) -> list[str]:
    """The demo logins, one per role; a username that already exists is left as it is."""
    user_model = models.User
    head_school = models.School.objects.get(pk=run.head_school.pk)
    head2_school = models.School.objects.get(pk=run.head2_school.pk)
    teacher = run.demo_teacher

    def first_last(full_name: str) -> dict[str, str]:
        last, first, *_ = full_name.split()
        return {"first_name": first, "last_name": last}

    fields: dict[str, dict[str, Any]] = {
        "analyst": {
            "first_name": "Ирина",
            "last_name": "Савельева",
            "is_staff": True,
            "position": "Ведущий аналитик центра мониторинга",
        },
        # The institute's signatory (reports.demo makes her the letterhead's signatory): the
        # analyst composes a letter, the rector approves it — never the author herself.
        "director": {
            "first_name": "Ирина",
            "last_name": "Воронина",
            "is_staff": True,
            "position": "Ректор",
        },
        "ministry": {
            "first_name": "Андрей",
            "last_name": "Кравцов",
            "is_staff": True,
            "position": "Консультант отдела общего образования",
        },
        "municipal": {
            "first_name": "Елена",
            "last_name": "Гончарова",
            "is_staff": True,
            "municipality_id": run.munis[0].pk,
            "position": "Главный специалист",
        },
        "head": {
            **first_last(head_school.head_name),
            "is_staff": True,
            "school": head_school,
            "position": "Директор",
        },
        "head2": {
            **first_last(head2_school.head_name),
            "is_staff": True,
            "school": head2_school,
            "position": "Директор",
        },
        "teacher": {
            **first_last(teacher.full_name),
            "is_staff": False,
            "teacher_id": teacher.pk,
            "position": teacher.posts[1].position,
        },
        # Her teachers are assigned by iom.demo (a step after the routes exist).
        "curator": {
            "first_name": "Марина",
            "last_name": "Лебедева",
            "is_staff": False,
            "position": "Тьютор центра непрерывного повышения профессионального мастерства",
        },
        "admin": {
            "first_name": "Сергей",
            "last_name": "Орлов",
            "is_staff": True,
            "is_superuser": True,
        },
    }
    # Hashing is slow on purpose (~0.2 s each): the demo accounts share one hash.
    password = make_password(DEMO_PASSWORD)
    existing = set(user_model.objects.filter(username__in=fields).values_list("username", flat=True))
    created = []
    for username, role, _ in DEMO_ACCOUNTS:
        if username in existing:
            continue
        user_model(
            username=username,
            email=f"{username}@demo.example",
            role=role,
            password=password,
            **fields[username],
        ).save()
        created.append(username)

    analyst = user_model.objects.filter(username="analyst").first()
    if analyst is not None:
        models.MonitoringPlanItem.objects.filter(period__in=run.periods, responsible__isnull=True).update(
            responsible=analyst
        )
    # Who made each step: the demo heads sent their schools' data, the municipal
    # specialist reviewed Volgograd's and the institute everyone else's.
    status = models.SubmissionStatus
    events = models.SubmissionEvent.objects.filter(submission__period__in=run.periods)
    heads = user_model.objects.filter(username__in=("head", "head2"), role=models.Role.SCHOOL_HEAD)
    for head in heads:
        models.SchoolSubmission.objects.filter(period__in=run.periods, school_id=head.school_id).exclude(
            status=status.DRAFT
        ).update(submitted_by=head)
        events.filter(submission__school_id=head.school_id, status=status.SUBMITTED).update(user=head)
    reviews = events.filter(status__in=(status.RETURNED, status.ACCEPTED))
    municipal = user_model.objects.filter(username="municipal", role=models.Role.MUNICIPAL).first()
    if municipal is not None:
        reviews.filter(submission__school__municipality_id=municipal.municipality_id).update(user=municipal)
    if analyst is not None:
        reviews.filter(user__isnull=True).update(user=analyst)
    return created
