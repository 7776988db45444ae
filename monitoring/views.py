"""Pages of the monitored world. Thin: scope through visible_to, read through selectors."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from monitoring import selectors, services
from monitoring.filters import AttestationFilter, MunicipalityFilter, RosterEntryFilter, SchoolPageFilter
from monitoring.forms import TransferForm
from monitoring.intake.forms import REVIEW_DRAFT
from monitoring.models import (
    MonitoringPeriod,
    Municipality,
    Role,
    RosterEntry,
    School,
    SchoolSubmission,
    StaffingRow,
    Teacher,
)
from monitoring.models.scoping import can_see_personal_data, is_staff_reader, require_staff_reader
from monitoring.plausibility import plausibility_warnings
from monitoring.shared import extensions
from monitoring.shared.pages import page_of, requested_period
from monitoring.shared.spreadsheets import csv_text
from monitoring.shared.todo import todos_of


@login_required
def home(request):
    """Each role's to-do list (every line a link), then the figures of the user's scope that mean something to them."""
    user = request.user
    period = MonitoringPeriod.objects.current()
    context = {"period": period}
    if period is None:
        return render(request, "monitoring/home.html", context)
    today = timezone.localdate()
    context["todos"] = [
        *selectors.home_todos(user=user, period=period, today=today),
        *todos_of(user=user, period=period, today=today),
    ]
    region_wide = user.is_superuser or user.role in (Role.ANALYST, Role.MINISTRY)
    if region_wide or user.role in (Role.MUNICIPAL, Role.SCHOOL_HEAD):
        context["summary"] = selectors.region_summary(period=period, user=user)
    if region_wide:  # a municipal official's one row would repeat the figures above it
        context["completeness"] = selectors.municipality_completeness(period=period, user=user)
    if user.role == Role.SCHOOL_HEAD and user.school_id:
        context["school"] = user.school
    if user.role == Role.MUNICIPAL and user.municipality_id:
        context["municipality"] = user.municipality
    if user.role == Role.TEACHER and user.teacher_id:
        context["teacher"] = user.teacher
        context["roster_entries"] = (
            RosterEntry.objects.visible_to(user).select_related("school", "period").order_by("-period__year")
        )
    if user.role == Role.CURATOR and not user.is_superuser:
        # A curator's teachers, each with their school of the period.
        schools = {
            e.teacher_id: e.school
            for e in RosterEntry.objects.visible_to(user).filter(period=period).select_related("school")
        }
        context["curated"] = [
            (t, schools.get(t.pk)) for t in Teacher.objects.visible_to(user).order_by("full_name", "code")
        ]
    return render(request, "monitoring/home.html", context)


@login_required
def municipality_list(request):
    period = requested_period(request)
    filterset = MunicipalityFilter(request.GET, queryset=Municipality.objects.visible_to(request.user))
    completeness = {c.code: c for c in selectors.municipality_completeness(period=period, user=request.user)}
    municipalities = filterset.qs.annotate(n_schools=Count("schools")).order_by("name", "code")
    rows = [(m, completeness.get(m.code)) for m in municipalities]
    return render(
        request,
        "monitoring/municipality_list.html",
        {"filter": filterset, "rows": rows, "period": period},
    )


@login_required
def municipality_detail(request, code: str):
    municipality = get_object_or_404(Municipality.objects.visible_to(request.user), code=code)
    period = requested_period(request)
    schools = (
        School.objects.visible_to(request.user)
        .filter(municipality=municipality)
        .select_related("municipality")
        .order_by("name", "code")
    )
    page = page_of(request, schools)
    statuses = selectors.school_statuses(period=period, schools=page)
    teachers = RosterEntry.objects.visible_to(request.user).filter(period=period, school__municipality=municipality)
    return render(
        request,
        "monitoring/municipality_detail.html",
        {
            "municipality": municipality,
            "period": period,
            "statuses": statuses,
            "page": page,
            "teacher_count": teachers.count(),
        },
    )


@login_required
def school_list(request):
    period = requested_period(request)
    # Teachers counted by a subquery, not a join: the paginator's count then leaves it out, and only
    # the page's fifty schools are counted (the join grouped the whole region's roster twice).
    teachers = (
        RosterEntry.objects.filter(school=OuterRef("pk"), period=period)
        .order_by()
        .values("school")
        .annotate(n=Count("pk"))
        .values("n")
    )
    schools = (
        School.objects.visible_to(request.user)
        .select_related("municipality")
        .annotate(n_teachers=Coalesce(Subquery(teachers), 0))
        .order_by("municipality__name", "name", "code")
    )
    filterset = SchoolPageFilter(request.GET, queryset=schools, user=request.user, period=period)
    return render(
        request,
        "monitoring/school_list.html",
        {"filter": filterset, "page": page_of(request, filterset.qs), "period": period},
    )


@login_required
def school_detail(request, code: str):
    # A school outside the user's scope is "not found", not "forbidden": its existence
    # is itself information another school's head should not get.
    school = get_object_or_404(School.objects.visible_to(request.user).select_related("municipality"), code=code)
    period = requested_period(request)
    roster = (
        RosterEntry.objects.visible_to(request.user)
        .filter(period=period, school=school)
        .select_related("teacher")
        .order_by("teacher__full_name")
    )
    staffing = StaffingRow.objects.visible_to(request.user).filter(period=period, school=school).order_by("position")
    submission = SchoolSubmission.objects.visible_to(request.user).filter(period=period, school=school).first()
    return render(
        request,
        "monitoring/school_detail.html",
        {
            "school": school,
            "period": period,
            "roster": roster,
            "young": set(roster.young(period=period).values_list("pk", flat=True)),
            "staffing": staffing,
            "submission": submission,
            "history": submission.events.select_related("user") if submission else [],
            "can_upload": request.user.is_superuser or request.user.role in (Role.SCHOOL_HEAD, Role.ANALYST),
            "can_review": request.user.is_superuser or request.user.role in (Role.ANALYST, Role.MUNICIPAL),
            "plausibility": plausibility_warnings(period=period, schools=School.objects.filter(pk=school.pk)),
            # A review refused by its form keeps what the reviewer typed (intake.views.submission_review).
            "review_comment": request.session.pop(REVIEW_DRAFT.format(code=code), ""),
        },
    )


@login_required
def teacher_list(request):
    period = requested_period(request)
    roster = (
        RosterEntry.objects.visible_to(request.user)
        .filter(period=period)
        .select_related("teacher", "school", "school__municipality")
        .order_by("teacher__full_name", "teacher__code")
    )
    filterset = RosterEntryFilter(request.GET, queryset=roster, user=request.user)
    return render(
        request,
        "monitoring/teacher_list.html",
        {"filter": filterset, "page": page_of(request, filterset.qs), "period": period},
    )


@login_required
def teacher_detail(request, code: str):
    teacher = get_object_or_404(Teacher.objects.visible_to(request.user), code=code)
    entries = (
        RosterEntry.objects.visible_to(request.user)
        .filter(teacher=teacher)
        .select_related("school", "period")
        .order_by("-period__year")
    )
    context = {
        "teacher": teacher,
        "entries": entries,
        "personal": can_see_personal_data(request.user),
        "transfer_form": TransferForm(user=request.user) if services.can_transfer_teachers(request.user) else None,
        "period": MonitoringPeriod.objects.open().order_by("-year").first(),
    }
    return render(request, "monitoring/teacher_detail.html", context)


@login_required
@require_POST
def teacher_transfer(request, code: str):
    """Move a teacher to another school for the current open period (the institute, a municipal official)."""
    teacher = get_object_or_404(Teacher.objects.visible_to(request.user), code=code)
    if not services.can_transfer_teachers(request.user):
        raise PermissionDenied("Переводить педагогов может муниципальный координатор или специалист института.")
    period = MonitoringPeriod.objects.open().order_by("-year").first()
    form = TransferForm(request.POST, user=request.user)
    if period is None:
        messages.error(request, "Сбор данных закрыт: все периоды мониторинга закрыты.")
    elif not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            entry = services.roster_transfer(
                teacher=teacher, period=period, school=form.cleaned_data["school"], user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Педагог переведен в «{entry.school.name}» ({period.year} год).")
    return redirect("teacher-detail", code=code)


@login_required
def period_list(request):
    if not is_staff_reader(request.user):
        return redirect("home")
    periods = MonitoringPeriod.objects.order_by("-year")
    return render(request, "monitoring/period_list.html", {"periods": periods})


@login_required
def period_detail(request, year: int):
    require_staff_reader(request.user)
    period = get_object_or_404(MonitoringPeriod, year=year)
    plan = period.plan_items.select_related("responsible").order_by("direction")
    completeness = selectors.municipality_completeness(period=period, user=request.user)
    schools = (
        School.objects.visible_to(request.user)
        .select_related("municipality")
        .order_by("municipality__name", "name", "code")
    )
    page = page_of(request, schools)
    statuses = selectors.school_statuses(period=period, schools=page)
    warnings = []
    if request.user.is_superuser or request.user.role in (Role.ANALYST, Role.MUNICIPAL, Role.MINISTRY):
        warnings = plausibility_warnings(period=period, schools=School.objects.visible_to(request.user))
    return render(
        request,
        "monitoring/period_detail.html",
        {
            "period": period,
            "plan": plan,
            "completeness": completeness,
            "statuses": statuses,
            "page": page,
            "plausibility": warnings,
            # What the apps above add to the page (the presentations of results): rendered templates, safe HTML.
            "sections": [html for html in extensions.run("period_sections", period=period, user=request.user) if html],
        },
    )


@login_required
def attestation_list(request):
    """The period's attestation register (seeds/004: «реестр аттестуемых») for the staff of the user's scope."""
    require_staff_reader(request.user)
    period = requested_period(request)
    register = selectors.attestation_register(period=period, user=request.user)
    filterset = AttestationFilter(request.GET, queryset=register, user=request.user)
    rows = filterset.qs
    if request.GET.get("format") == "csv":
        return _attestation_csv(rows, period)
    return render(
        request,
        "monitoring/attestation_list.html",
        {
            "filter": filterset,
            "page": page_of(request, rows),
            "period": period,
            "counts": selectors.attestation_counts(register=rows),
            "periods": MonitoringPeriod.objects.order_by("-year"),
        },
    )


ATTESTATION_CSV_HEADER = [
    "Код педагога", "ФИО", "Код ОО", "Организация", "Муниципалитет", "Категория", "Дата заявления", "Дата решения",
    "Результат",
]  # fmt: skip


def _attestation_csv(rows, period) -> HttpResponse:
    """The register as the page filters it, as a CSV Excel opens (UTF-8 with its mark, «;»)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attestation-{period.year}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(ATTESTATION_CSV_HEADER)
    for a in rows.iterator(chunk_size=2000):
        # Names and codes come from uploaded packages: a cell starting with "=" stays text in Excel.
        writer.writerow(
            [
                csv_text(a.teacher.code),
                csv_text(a.teacher.full_name),
                csv_text(a.school_code or ""),
                csv_text(a.school_name or ""),
                csv_text(a.municipality_name or ""),
                a.get_category_display(),
                f"{a.applied_on:%d.%m.%Y}",
                f"{a.decided_on:%d.%m.%Y}" if a.decided_on else "",
                a.get_result_display(),
            ]
        )
    return response
