"""Routes (ИОМ): proposals from a diagnostic, building, approval, progress and correction.

Every write a door makes goes through these functions; the rules live here: a route
lasts one to three years, its activities fall inside it, a course names a program,
only the teacher edits their route and marks activities done, only the head of the
teacher's school approves it, and a correction after an intermediate diagnostic keeps
the previous version.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from deficits.models import Diagnostic, DiagnosticKind, DiagnosticStatus
from deficits.scoring import active_instrument
from iom.audience import Post, program_fits, teacher_post
from iom.models import (
    PROGRAM_FLAGS,
    ActivityKind,
    CourseRun,
    Program,
    Route,
    RouteActivity,
    RouteComment,
    RouteEvent,
    RouteStatus,
    RouteVersion,
)
from monitoring.models import CuratorAssignment, MonitoringPeriod, Role, RosterEntry, Teacher
from monitoring.shared import extensions
from monitoring.shared.periods import date_lock_open

# How many catalog programs are proposed per deficit group: enough to choose from,
# few enough to read on one screen.
PROPOSALS_PER_GROUP = 5
# Default due date of a proposed non-course activity: half a year into the route, the
# usual point of the intermediate diagnostic.
DEFAULT_DUE_MONTHS = 6


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February falls on the 28th in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 2, 28)


def active_group_choices() -> list[tuple[str, str]]:
    """(code, name) of the competence groups of the questionnaire in use."""
    return list(active_instrument().groups.order_by("order").values_list("code", "name"))


def program_flags(program: Program) -> list[str]:
    """Titles of the flags a program has, in the sheet's order."""
    return [title for name, title in PROGRAM_FLAGS.items() if getattr(program, name)]


def default_route_dates(today: dt.date) -> tuple[dt.date, dt.date]:
    """A one-year route starting today (ending the day before the anniversary)."""
    return today, years_after(today, 1) - dt.timedelta(days=1)


def open_route(*, teacher_id: int, today: dt.date) -> Route | None:
    """The teacher's route a new route built today would overlap (route_create refuses a second one).

    Asked before the builder is shown, so that a teacher with a route is sent to it instead of
    filling the whole form to be refused.
    """
    start, end = default_route_dates(today)
    return Route.objects.filter(teacher_id=teacher_id, start__lte=end, end__gte=start).order_by("start").first()


def route_length_problem(*, start: dt.date, end: dt.date) -> str | None:
    """Why a route's dates are not allowed, in Russian; None when they are.

    "One to three years": a route of a school year (1 September to 31 August) counts as
    one year, so the shortest ends the day before the anniversary of its start.
    """
    if end <= start:
        return "окончание маршрута должно быть позже его начала"
    if end < years_after(start, 1) - dt.timedelta(days=1):
        return "маршрут составляется не менее чем на один год"
    if end > years_after(start, 3):
        return "маршрут составляется не более чем на три года"
    return None


@dataclass
class ActivityInput:
    """An activity as a door hands it over (the builder form, the add form, the correction)."""

    kind: str
    due: dt.date
    program: Program | None = None
    group_code: str = ""
    title: str = ""


@dataclass
class Proposal:
    kind: str
    program: Program | None = None
    title: str = ""
    next_run: CourseRun | None = None
    due: dt.date | None = None
    # Set for an activity already in the route (a correction offers to keep it).
    group_code: str = ""
    picked: bool = False
    # Names of the other deficit groups a proposed program also develops (it is proposed once).
    also_groups: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return ActivityKind(self.kind).label


@dataclass
class GroupProposals:
    group_code: str
    group_name: str
    score: int
    level: str
    items: list[Proposal] = field(default_factory=list)


# What else a teacher can do about a deficit, besides a course: the kinds of the spec's
# `Мероприятия ИОМ` sheet, each with a wording the teacher can edit.
OTHER_ACTIVITIES = (
    (ActivityKind.SELF_EDUCATION, "Самообразование: изучение методических материалов по теме «{group}»"),
    (ActivityKind.MENTORING, "Работа с наставником по теме «{group}»"),
    (ActivityKind.METHODICAL, "Участие в методическом объединении: открытое занятие по теме «{group}»"),
    (ActivityKind.COMPETITION, "Участие в конкурсе профессионального мастерства"),
    (ActivityKind.EXPERT, "Участие в экспертной деятельности (предметная комиссия, аттестация)"),
)


def ranked_programs(*, group_code: str, today: dt.date, post: Post | None = None) -> list[Program]:
    """Catalog programs addressing a group that suit the teacher's post, best first.

    Ranking (the issue's order): available as e-learning first — a teacher can study
    without leaving school; then those with an upcoming run, the soonest first; then
    the shorter program (a deficit in one group rarely needs a 250-hour retraining).
    Programs aimed at another post than the teacher's are left out (iom.audience): a
    maths teacher is not offered a retraining for primary-school teachers; a program
    with no target positions suits everyone.
    """
    programs = (
        Program.objects.addressing(group_code)
        .select_related("provider")
        .prefetch_related("tags")
        .annotate(next_start=Min("runs__start", filter=Q(runs__start__gte=today)))
        # nulls_last: programs with no upcoming run go after those with one on every backend
        # (SQLite sorts NULL first, PostgreSQL last).
        .order_by("-e_learning", F("next_start").asc(nulls_last=True), "hours", "code")
    )
    post = post or Post()
    return [p for p in programs if program_fits(p.target_positions, post)]


def deficit_order(result) -> tuple:
    """The largest deficit first: the lowest score (the bands are the instrument's, so scores compare)."""
    return (result.score, result.group_code)


def propose(
    *, diagnostic: Diagnostic, today: dt.date | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> list[GroupProposals]:
    """For each deficit group of the diagnostic, largest deficit first: fitting programs and the other kinds.

    A program developing several deficit groups is proposed once, under the group with the
    largest deficit, and says which other groups it covers: ticked once, it is in the route once.
    """
    today = today or timezone.localdate()
    start = start or today
    post = teacher_post(teacher_id=diagnostic.teacher_id)
    names = dict(diagnostic.instrument.groups.values_list("code", "name"))
    end = end or default_route_dates(start)[1]

    def within(day: dt.date) -> dt.date:
        # Offered dates fall inside the route, so a teacher who keeps them is never refused.
        return min(max(day, start), end)

    default_due = within(max(_months_after(start, DEFAULT_DUE_MONTHS), today))
    results = sorted(diagnostic.results.filter(is_deficit=True), key=deficit_order)
    deficit_codes = [r.group_code for r in results]
    proposed: set[int] = set()
    out = []
    for result in results:
        group = GroupProposals(
            result.group_code, names.get(result.group_code, result.group_code), result.score, result.level
        )
        ranked = ranked_programs(group_code=result.group_code, today=today, post=post)
        programs = [p for p in ranked if p.pk not in proposed][:PROPOSALS_PER_GROUP]
        proposed.update(p.pk for p in programs)
        runs = _next_runs(programs, today)
        for program in programs:
            run = runs.get(program.pk)
            also = [names.get(c, c) for c in deficit_codes if c != result.group_code and c in program.competences]
            group.items.append(
                Proposal(
                    ActivityKind.COURSE,
                    program=program,
                    next_run=run,
                    due=within(run.end) if run else default_due,
                    also_groups=also,
                )
            )
        for kind, title in OTHER_ACTIVITIES:
            group.items.append(Proposal(kind, title=title.format(group=group.group_name.lower()), due=default_due))
        out.append(group)
    return out


def _next_runs(programs: list[Program], today: dt.date) -> dict[int, CourseRun]:
    runs: dict[int, CourseRun] = {}
    for run in CourseRun.objects.filter(program__in=programs, start__gte=today).order_by("start", "code"):
        runs.setdefault(run.program_id, run)
    return runs


def _months_after(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _activity_key(kind: str, program_id: int | None, group_code: str, due: dt.date) -> tuple:
    return (kind, program_id, group_code or "", due)


def _once_per_program(activities: list[ActivityInput], existing: list[RouteActivity] = ()) -> list[ActivityInput]:
    """The activities with each program's course kept once: the first tick wins, a repeat is dropped.

    A program developing two deficit groups can be ticked under both (or again when it is in
    the route already); a route studies it once.
    """
    seen = {a.program_id for a in existing if a.program_id}
    kept = []
    for a in activities:
        if a.program is not None:
            if a.program.pk in seen:
                continue
            seen.add(a.program.pk)
        kept.append(a)
    return kept


def _check_activities(
    *, start: dt.date, end: dt.date, activities: list[ActivityInput], existing: list[RouteActivity] = ()
) -> None:
    problems = []
    seen = {_activity_key(a.kind, a.program_id, a.group_code, a.due) for a in existing}
    for number, a in enumerate(activities, start=1):
        key = _activity_key(a.kind, a.program.pk if a.program else None, a.group_code, a.due)
        if key in seen:
            problems.append(f"{number}. Такое мероприятие с этим сроком в маршруте уже есть: выберите другой срок")
        seen.add(key)
        label = a.program.name if a.program else (a.title or dict(ActivityKind.choices).get(a.kind, a.kind))
        if a.kind not in ActivityKind.values:
            problems.append(f"{number}. «{label}»: неизвестный вид мероприятия")
        if a.kind == ActivityKind.COURSE and a.program is None:
            problems.append(f"{number}. Для курса нужно выбрать программу из каталога")
        if not start <= a.due <= end:
            problems.append(
                f"{number}. «{label}»: срок {a.due:%d.%m.%Y} должен быть в пределах маршрута "
                f"({start:%d.%m.%Y}–{end:%d.%m.%Y})"
            )
    if problems:
        raise ValidationError(problems)


def _require_owner(route: Route, user) -> None:
    if user.role != Role.TEACHER or user.teacher_id != route.teacher_id:
        raise PermissionDenied("Изменять маршрут может только сам педагог.")


def _require_open(start: dt.date) -> None:
    # A route belongs to the period of the year it starts in: once that period is closed, the
    # route is read-only at every door (monitoring.shared.periods.period_lock_open), checked as it is written.
    date_lock_open(date=start)


def _require_editable(route: Route) -> None:
    if not route.is_editable:
        raise ValidationError(
            f"Маршрут в состоянии «{route.get_status_display()}»: изменить его можно после возврата на доработку "
            "или при корректировке по итогам промежуточной диагностики."
        )


def _activity(route: Route, a: ActivityInput) -> RouteActivity:
    return RouteActivity(
        route=route,
        kind=a.kind,
        program=a.program,
        group_code=a.group_code,
        title=a.title if a.program is None else "",
        due=a.due,
    )


@transaction.atomic
def route_create(
    *,
    teacher: Teacher,
    start: dt.date,
    end: dt.date,
    activities: list[ActivityInput],
    user,
    diagnostic: Diagnostic | None = None,
) -> Route:
    """A new draft route of the signed-in teacher, from their diagnostic when given."""
    if user.role != Role.TEACHER or user.teacher_id != teacher.pk:
        raise PermissionDenied("Маршрут составляет сам педагог.")
    _require_open(start)
    if problem := route_length_problem(start=start, end=end):
        raise ValidationError(problem[0].upper() + problem[1:] + ".")
    if not activities:
        raise ValidationError("Выберите хотя бы одно мероприятие маршрута.")
    if diagnostic is not None and (
        diagnostic.teacher_id != teacher.pk or diagnostic.status != DiagnosticStatus.SUBMITTED
    ):
        raise ValidationError("Маршрут строится по вашей завершенной диагностике.")
    activities = _once_per_program(activities)
    _check_activities(start=start, end=end, activities=activities)
    overlapping = Route.objects.filter(teacher=teacher, start__lte=end, end__gte=start).first()
    if overlapping is not None:
        raise ValidationError(
            f"У вас уже есть маршрут на {overlapping.start:%d.%m.%Y}–{overlapping.end:%d.%m.%Y}: "
            "скорректируйте его вместо нового."
        )
    route = Route.objects.create(
        teacher=teacher, start=start, end=end, diagnostic=diagnostic, based_on_diagnostic=diagnostic is not None
    )
    RouteActivity.objects.bulk_create([_activity(route, a) for a in activities])
    return route


@transaction.atomic
def activity_add(*, route: Route, activity: ActivityInput, user) -> RouteActivity:
    _require_owner(route, user)
    _require_open(route.start)
    _require_editable(route)
    existing = list(route.activities.all())
    if not _once_per_program([activity], existing):
        raise ValidationError(f"Программа «{activity.program.name}» уже есть в маршруте.")
    _check_activities(start=route.start, end=route.end, activities=[activity], existing=existing)
    created = _activity(route, activity)
    created.save()
    return created


@transaction.atomic
def activity_remove(*, activity: RouteActivity, user) -> None:
    _require_owner(activity.route, user)
    _require_open(activity.route.start)
    _require_editable(activity.route)
    activity.delete()


@transaction.atomic
def route_submit(*, route: Route, user) -> Route:
    """The teacher sends the route to the school head for approval."""
    _require_owner(route, user)
    _require_open(route.start)
    _require_editable(route)
    if not route.activities.exists():
        raise ValidationError("В маршруте нет ни одного мероприятия.")
    route.status = RouteStatus.SUBMITTED
    route.save(update_fields=["status"])
    RouteEvent.objects.create(route=route, status=route.status, user=user)
    return route


def is_head_of(*, user, teacher_id: int) -> bool:
    """Whether ``user`` heads the school the teacher works at in the current period."""
    if user.role != Role.SCHOOL_HEAD or not user.school_id:
        return False
    period = MonitoringPeriod.objects.current()
    return RosterEntry.objects.filter(teacher_id=teacher_id, school_id=user.school_id, period=period).exists()


# A comment is a note to the teacher, not a document: a few paragraphs at most.
COMMENT_MAX = 5000


def is_curator_of(*, user, teacher_id: int) -> bool:
    """Whether ``user`` is a ЦНППМ curator the teacher is assigned to."""
    return (
        user.role == Role.CURATOR
        and not user.is_superuser
        and CuratorAssignment.objects.filter(curator=user, teacher_id=teacher_id).exists()
    )


def may_comment(*, user, route: Route) -> bool:
    return is_curator_of(user=user, teacher_id=route.teacher_id) or is_head_of(user=user, teacher_id=route.teacher_id)


def route_comment_add(*, route: Route, author, text: str) -> RouteComment:
    """A comment on a route by the teacher's curator or the head of the teacher's school."""
    if not may_comment(user=author, route=route):
        raise PermissionDenied("Комментировать маршрут могут куратор педагога и руководитель его организации.")
    text = (text or "").strip()
    if not text:
        raise ValidationError("Комментарий не может быть пустым.")
    if len(text) > COMMENT_MAX:
        raise ValidationError(f"Комментарий длиннее {COMMENT_MAX} знаков ({len(text)}): сократите его.")
    comment = RouteComment.objects.create(route=route, author=author, text=text)
    # The teacher hears of it (config/extensions.py: route_commented), once the comment is stored.
    transaction.on_commit(lambda: extensions.run("route_commented", comment))
    return comment


@transaction.atomic
def route_review(*, route: Route, user, approve: bool, comment: str = "") -> Route:
    """The school head approves a submitted route, or returns it with a comment."""
    if not is_head_of(user=user, teacher_id=route.teacher_id):
        raise PermissionDenied("Согласовать маршрут может только руководитель организации, где работает педагог.")
    _require_open(route.start)
    # Two decisions sent at once: the second waits for the first and finds the route decided.
    route.status = Route.objects.select_for_update().values_list("status", flat=True).get(pk=route.pk)
    if route.status != RouteStatus.SUBMITTED:
        raise ValidationError("Маршрут не ожидает согласования.")
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError("Напишите, что нужно доработать в маршруте.")
    route.status = RouteStatus.APPROVED if approve else RouteStatus.RETURNED
    route.comment = comment
    fields = ["status", "comment"]
    if approve:
        route.approved_by, route.approved_at = user, timezone.now()
        fields += ["approved_by", "approved_at"]
    route.save(update_fields=fields)
    event = RouteEvent.objects.create(route=route, status=route.status, user=user, comment=comment)
    # The teacher hears of the decision (config/extensions.py: route_reviewed), once it is stored.
    transaction.on_commit(lambda: extensions.run("route_reviewed", event))
    return route


@transaction.atomic
def activity_mark(*, activity: RouteActivity, user, done: bool) -> RouteActivity:
    """The teacher marks an activity of their approved route done (or not done after all)."""
    _require_owner(activity.route, user)
    _require_open(activity.route.start)
    if not activity.route.is_approved:
        raise ValidationError("Отмечать выполнение можно после согласования маршрута руководителем.")
    activity.done = done
    activity.done_at = timezone.now() if done else None
    activity.save(update_fields=["done", "done_at"])
    return activity


def route_reflect(*, route: Route, user, text: str) -> Route:
    _require_owner(route, user)
    _require_open(route.start)
    text = text.strip()
    if len(text) > 5000:
        raise ValidationError("Рефлексия — не более 5000 знаков.")
    route.reflection = text
    route.save(update_fields=["reflection"])
    return route


def correction_diagnostic(*, route: Route) -> Diagnostic | None:
    """The intermediate diagnostic a route may be corrected by: submitted after the route began, not yet used."""
    candidate = (
        Diagnostic.objects.submitted()
        .filter(
            teacher_id=route.teacher_id, kind=DiagnosticKind.INTERMEDIATE, date__gte=route.start, date__lte=route.end
        )
        .order_by("-date", "-pk")
        .first()
    )
    if candidate is None or candidate.pk == route.diagnostic_id:
        return None
    return candidate


def current_plan(*, route: Route) -> GroupProposals:
    """The route's open activities as pre-ticked proposals, for a correction to keep or drop."""
    plan = GroupProposals("", "Текущий план (невыполненные мероприятия)", 0, "")
    for a in route.activities.filter(done=False).select_related("program").order_by("due", "pk"):
        plan.items.append(
            Proposal(a.kind, program=a.program, title=a.title, due=a.due, group_code=a.group_code, picked=True)
        )
    return plan


def _snapshot(route: Route) -> dict:
    return {
        "start": route.start.isoformat(),
        "end": route.end.isoformat(),
        "status": route.status,
        "diagnostic": route.diagnostic_id,
        "activities": [
            {
                "kind": a.kind,
                "program": a.program.code if a.program_id else None,
                "group_code": a.group_code,
                "title": a.label,
                "due": a.due.isoformat(),
                "done": a.done,
            }
            for a in route.activities.select_related("program").order_by("due", "pk")
        ],
    }


@transaction.atomic
def route_correct(
    *, route: Route, user, diagnostic: Diagnostic, end: dt.date, activities: list[ActivityInput]
) -> Route:
    """Correct a route after an intermediate diagnostic; the version before is kept.

    Done activities stay (they happened); the open ones are replaced by the new plan.
    The corrected route goes back to the head for approval.
    """
    _require_owner(route, user)
    _require_open(route.start)
    if diagnostic.pk != getattr(correction_diagnostic(route=route), "pk", None):
        raise ValidationError(
            "Скорректировать маршрут можно по новой промежуточной диагностике, пройденной в его сроки."
        )
    if problem := route_length_problem(start=route.start, end=end):
        raise ValidationError(problem[0].upper() + problem[1:] + ".")
    kept_done = list(route.activities.filter(done=True))
    activities = _once_per_program(activities, kept_done)
    _check_activities(start=route.start, end=end, activities=activities, existing=kept_done)
    if not activities and not kept_done:
        raise ValidationError("Выберите хотя бы одно мероприятие маршрута.")
    RouteVersion.objects.create(
        route=route,
        number=route.version,
        reason=("до корректировки по итогам промежуточной диагностики от " + diagnostic.date.strftime("%d.%m.%Y")),
        snapshot=_snapshot(route),
    )
    route.activities.filter(done=False).delete()
    RouteActivity.objects.bulk_create([_activity(route, a) for a in activities])
    route.end = end
    route.version += 1
    route.corrected = True
    route.diagnostic = diagnostic
    route.status = RouteStatus.DRAFT
    route.comment = ""
    route.save(update_fields=["end", "version", "corrected", "diagnostic", "status", "comment"])
    RouteEvent.objects.create(route=route, status=route.status, user=user, comment="скорректирован")
    return route
