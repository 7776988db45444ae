"""Pages of decisions, notices and the annual report. Thin doors: the logic lives in measures, notices, annual."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from indicators.models import Indicator, Level
from monitoring import tokens
from monitoring.models import MonitoringPeriod, Role
from monitoring.models.scoping import can_write_region, is_region_wide, require_staff_reader
from monitoring.shared import dispatch
from monitoring.shared.pages import requested_period
from reports import annual, issuers, measures, notices
from reports.models import AnnualReport, DecidedBy, Measure, Notice, ReportStatus


def _viewer(request) -> None:
    require_staff_reader(request.user)


def _report_reader(request) -> None:
    # The annual report is the region's: those who see the whole region start and read it.
    if not is_region_wide(request.user):
        raise Http404("Страница недоступна.")


def _document_reader(request) -> None:
    # A report's row and files: the region's for region-wide roles, a справка also for its
    # municipality's officials; the row's scope (AnnualReport.objects.visible_to) decides which.
    require_staff_reader(request.user)


# ---------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------


class MeasureForm(forms.Form):
    period = forms.ModelChoiceField(MonitoringPeriod.objects.order_by("-year"), label="Период (по итогам которого)")
    text = forms.CharField(label="Мера (управленческое решение)", widget=forms.Textarea(attrs={"rows": 3}))
    indicator = forms.ModelChoiceField(
        Indicator.objects.order_by("order"), label="Показатель, который должен измениться"
    )
    level = forms.ChoiceField(label="Уровень", choices=Level.choices)
    org_code = forms.CharField(label="Код организации или муниципалитета", max_length=20, required=False)
    target = forms.DecimalField(label="Целевое значение", max_digits=14, decimal_places=2)
    responsible = forms.CharField(label="Ответственный", max_length=255, required=False)
    responsible_user = forms.ModelChoiceField(
        get_user_model().objects.none(), label="Ответственный (пользователь портала)", required=False
    )
    due = forms.DateField(label="Срок", widget=forms.DateInput(attrs={"type": "date"}))
    # Left out (an older form), the recorder's own body (reports.measures.measure_create).
    decided_by = forms.ChoiceField(label="Кем принято решение", choices=DecidedBy.choices, required=False)
    act = forms.CharField(
        label="Документ (приказ, распоряжение)",
        max_length=255,
        required=False,
        help_text="Для решения министерства обязательно: «Приказ министерства № 123 от 01.03.2026».",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_by"].choices = measures.decided_by_choices(user)
        # The system accounts API tokens act as are nobody to hold responsible.
        people = tokens.people_only(get_user_model().objects.filter(is_active=True)).order_by("last_name", "username")
        if user.role == Role.MUNICIPAL:
            # A municipal official names people of their own municipality as responsible.
            people = people.filter(municipality_id=user.municipality_id) | people.filter(
                school__municipality_id=user.municipality_id
            )
            self.fields["level"].choices = [
                (Level.MUNICIPALITY, Level.MUNICIPALITY.label),
                (Level.SCHOOL, Level.SCHOOL.label),
            ]
        self.fields["responsible_user"].queryset = people

    def clean(self):
        data = super().clean()
        if not data.get("responsible") and not data.get("responsible_user"):
            raise ValidationError("Укажите ответственного: ФИО или пользователя портала.")
        if data.get("level") != Level.REGION and not data.get("org_code"):
            self.add_error("org_code", "Укажите код организации или муниципалитета.")
        return data


@login_required
def measure_list(request):
    _viewer(request)
    period = requested_period(request)
    found = Measure.objects.visible_to(request.user).filter(period=period)
    # «Кем принято»: an unknown value shows every decision rather than an error.
    decided_by = request.GET.get("decided_by", "")
    if decided_by in DecidedBy.values:
        found = found.filter(decided_by=decided_by)
    else:
        decided_by = ""
    rows = measures.judged(found.select_related("indicator", "period", "responsible_user").order_by("due", "pk"))
    for j in rows:
        j.may_change = measures.may_change(user=request.user, measure=j.measure)
        j.may_mark = measures.may_mark_done(user=request.user, measure=j.measure)
    return render(
        request,
        "reports/measure_list.html",
        {
            "period": period,
            "periods": MonitoringPeriod.objects.order_by("-year"),
            "rows": rows,
            "can_create": measures.can_create_measures(request.user),
            "decided_by": decided_by,
            "decided_by_choices": DecidedBy.choices,
        },
    )


@login_required
def measure_create(request):
    _viewer(request)
    if not measures.can_create_measures(request.user):
        raise Http404("Страница недоступна.")
    form = MeasureForm(request.POST or None, user=request.user, initial={"period": requested_period(request)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            measure = measures.measure_create(
                period=d["period"],
                user=request.user,
                text=d["text"],
                responsible=d["responsible_user"] or d["responsible"],
                due=d["due"],
                indicator_code=d["indicator"].code,
                level=d["level"],
                org_code=d["org_code"],
                target=d["target"],
                decided_by=d["decided_by"],
                act=d["act"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Управленческое решение записано.")
            return redirect(f"{reverse('measure-list')}?period={measure.period.year}")
    return render(request, "reports/measure_form.html", {"form": form})


class MeasureEditForm(forms.Form):
    text = forms.CharField(label="Мера (управленческое решение)", widget=forms.Textarea(attrs={"rows": 3}))
    target = forms.DecimalField(label="Целевое значение", max_digits=14, decimal_places=2)
    responsible = forms.CharField(label="Ответственный", max_length=255)
    due = forms.DateField(label="Срок", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    act = forms.CharField(label="Документ (приказ, распоряжение)", max_length=255, required=False)


def _changeable(request, pk: int) -> Measure:
    """A decision the user sees and may change; any other is "not found"."""
    _viewer(request)
    measure = get_object_or_404(Measure.objects.visible_to(request.user).select_related("period"), pk=pk)
    if not measures.may_change(user=request.user, measure=measure):
        raise Http404("Страница недоступна.")
    return measure


@login_required
def measure_edit(request, pk: int):
    """Correct a recorded decision (its unit and indicator stay; another unit is another decision)."""
    measure = _changeable(request, pk)
    initial = {name: getattr(measure, name) for name in ("text", "target", "responsible", "due", "act")}
    form = MeasureEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            measures.measure_update(measure=measure, user=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404(str(exc)) from exc
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Решение исправлено.")
            return redirect(f"{reverse('measure-list')}?period={measure.period.year}")
    return render(request, "reports/measure_form.html", {"form": form, "measure": measure})


@login_required
@require_POST
def measure_delete(request, pk: int):
    measure = _changeable(request, pk)
    year = measure.period.year
    try:
        measures.measure_delete(measure=measure, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Решение удалено.")
    return redirect(f"{reverse('measure-list')}?period={year}")


@login_required
@require_POST
def measure_done(request, pk: int):
    _viewer(request)
    measure = get_object_or_404(Measure.objects.visible_to(request.user).select_related("period"), pk=pk)
    try:
        measures.measure_mark_done(measure=measure, user=request.user)
    except PermissionDenied as exc:
        raise Http404(str(exc)) from exc
    messages.success(request, "Мера отмечена как выполненная.")
    return redirect(f"{reverse('measure-list')}?period={measure.period.year}")


@login_required
def measure_effect(request):
    """The effectiveness table: every decision of the period in scope judged by the next period's values."""
    _viewer(request)
    period = requested_period(request)
    rows = measures.judged(
        Measure.objects.visible_to(request.user).filter(period=period).select_related("indicator").order_by("pk")
    )
    return render(
        request,
        "reports/measure_effect.html",
        {
            "period": period,
            "periods": MonitoringPeriod.objects.order_by("-year"),
            "next": measures.next_period(period),
            "rows": rows,
        },
    )


# ---------------------------------------------------------------------------
# Notices: a person's own, whatever their role
# ---------------------------------------------------------------------------


@login_required
def notice_list(request):
    items = Notice.objects.filter(user=request.user).order_by("-created_at", "-pk")[:200]
    return render(request, "reports/notice_list.html", {"notices": items})


@login_required
def notice_open(request, pk: int):
    notice = notices.notice_open(notice=get_object_or_404(Notice, pk=pk, user=request.user))
    # Only the portal's own paths are followed: a notice never sends anyone elsewhere.
    if notice.url.startswith("/") and not notice.url.startswith("//"):
        return redirect(notice.url)
    return redirect("notice-list")


@login_required
@require_POST
def notice_read_all(request):
    notices.notices_mark_all_read(user=request.user)
    return redirect("notice-list")


# ---------------------------------------------------------------------------
# The annual report
# ---------------------------------------------------------------------------


@login_required
def report_list(request):
    _report_reader(request)
    reports = (
        AnnualReport.objects.visible_to(request.user)
        .filter(municipality__isnull=True)  # the справки have their own list (reports.spravka_views)
        .select_related("period", "user")[:50]
    )
    try:
        issuers.require_institute_issuer()
    except issuers.RequisitesMissing as missing:
        # The title page wears the institute's name: without its setup no report is started.
        setup = issuers.requisites_missing_context(user=request.user, missing=missing, back=request.path)
    else:
        setup = None
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": reports,
            "periods": MonitoringPeriod.objects.order_by("-year"),
            "busy": any(r.status in (ReportStatus.QUEUED, ReportStatus.RUNNING) for r in reports),
            "setup": setup,
            "can_edit_requisites": can_write_region(request.user),
        },
    )


@login_required
def report_status(request, pk: int):
    """One report's (or справка's) row, polled by its list (htmx) while it is being built."""
    _document_reader(request)
    report = get_object_or_404(AnnualReport.objects.visible_to(request.user).select_related("period", "user"), pk=pk)
    return render(request, "reports/report_row.html", {"r": report})


class ReportStartForm(forms.Form):
    period = forms.ModelChoiceField(
        MonitoringPeriod.objects.all(),
        to_field_name="year",
        error_messages={
            "required": "Выберите год отчета.",
            "invalid_choice": "Такого периода мониторинга нет: выберите год из списка.",
        },
    )


def _already_building(report: AnnualReport) -> str:
    return (
        f"Отчет за {report.period.year} год уже формируется (№{report.pk}); "
        "когда он будет готов, ссылки на PDF и XLSX появятся в таблице ниже."
    )


@login_required
@require_POST
def report_start(request):
    _report_reader(request)
    form = ReportStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Отчет не запущен. {form.errors['period'][0]}")
        return redirect("report-list")
    period = form.cleaned_data["period"]
    if (running := annual.report_in_progress(period=period)) is not None:
        messages.info(request, _already_building(running))
        return redirect("report-list")
    try:
        with dispatch.watch() as queue:
            report = annual.annual_start(period=period, user=request.user)
    except issuers.RequisitesMissing as missing:
        messages.error(request, f"Отчет не запущен. {missing.message}")
        return redirect("report-list")
    if queue.down:
        messages.warning(request, f"Годовой отчет за {period.year} год (№{report.pk}): {dispatch.QUEUE_DOWN_MESSAGE}")
    else:
        # The message stays on the page while the table below it turns to «Готов»: it says what
        # happens next rather than «формируется», which the finished row would contradict.
        messages.success(
            request,
            f"Годовой отчет за {period.year} год (№{report.pk}) поставлен на формирование; "
            "когда он будет готов, ссылки на PDF и XLSX появятся в таблице ниже.",
        )
    return redirect("report-list")


@login_required
def report_file(request, pk: int, kind: str):
    _document_reader(request)
    if kind not in ("pdf", "xlsx"):
        raise Http404("Такого файла нет.")
    report = get_object_or_404(
        AnnualReport.objects.visible_to(request.user).select_related("period", "municipality"),
        pk=pk,
        status=ReportStatus.DONE,
    )
    stored = getattr(report, kind)
    if not stored:
        raise Http404("Файл отчета не сохранен.")
    return FileResponse(stored.open("rb"), as_attachment=True, filename=f"{annual.document_name(report)}.{kind}")
