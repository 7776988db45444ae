"""Pages of data intake: the package import and export, the head's staffing upload and the review of submissions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from monitoring.intake import exports, jobs, submissions
from monitoring.intake.forms import REVIEW_DRAFT, ExportForm, PackageUploadForm, ReviewForm, StaffingUploadForm
from monitoring.intake.package import registry
from monitoring.intake.package.error_report import error_workbook_from_sheets
from monitoring.models import (
    ExportStatus,
    ImportJob,
    ImportKind,
    ImportStatus,
    MonitoringPeriod,
    School,
    SchoolSubmission,
)
from monitoring.models.scoping import can_see_personal_data, can_write_region, require_staff_reader
from monitoring.shared import dispatch
from monitoring.shared.pages import page_of
from monitoring.shared.text import FORBIDDEN


def _tell_if_queue_down(request, queue: dispatch.Watch) -> bool:
    """The job is saved either way; when the queue could not take it, the user learns it will start later."""
    if queue.down:
        messages.warning(request, dispatch.QUEUE_DOWN_MESSAGE)
    return queue.down


@login_required
def import_list(request):
    require_staff_reader(request.user)
    form = None
    if can_write_region(request.user):
        form = PackageUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            with dispatch.watch() as queue:
                job = jobs.import_job_create(
                    kind=ImportKind.PACKAGE,
                    period=form.cleaned_data["period"],
                    user=request.user,
                    file=form.cleaned_data["file"],
                    replace=form.cleaned_data["replace"],
                )
            _tell_if_queue_down(request, queue)
            return redirect("import-detail", pk=job.pk)
    elif request.method == "POST":
        raise PermissionDenied("Загружать пакет данных региона может только специалист института.")
    import_jobs = ImportJob.objects.visible_to(request.user).select_related("period", "school", "user")
    recent_exports = exports.exports_visible(request.user).select_related("period")[:10]
    return render(
        request,
        "monitoring/import_list.html",
        {
            "form": form,
            "page": page_of(request, import_jobs),
            "exports": recent_exports,
            "export_ready": ExportStatus.READY,
            "export_failed": ExportStatus.FAILED,
            # Its own ids: the upload form above has a «period» field too.
            "export_form": ExportForm(auto_id="export-%s"),
        },
    )


@login_required
@require_POST
def export_start(request):
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Выберите период и формат выгрузки.")
        return redirect("import-list")
    with dispatch.watch() as queue:
        exports.export_job_start(period=form.cleaned_data["period"], user=request.user, fmt=form.cleaned_data["format"])
    if not _tell_if_queue_down(request, queue):
        messages.success(request, "Выгрузка запущена; файл появится в списке выгрузок, когда будет готов.")
    return redirect("import-list")


@login_required
def export_file(request, pk: int):
    job = get_object_or_404(exports.exports_visible(request.user), pk=pk, status=ExportStatus.READY)
    name = f"Пакет данных {job.period.year}.{job.format}"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name)


def _job(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user).select_related("period", "school"), pk=pk)


@login_required
def import_detail(request, pk: int):
    job = _job(request, pk)
    template = "monitoring/includes/import_status.html" if request.headers.get("HX-Request") else None
    context = {
        "job": job,
        "sheets": jobs.job_preview(job=job, user=request.user),
        "acknowledgement": jobs.removal_acknowledgement(job),
        "can_cancel": jobs.can_cancel(job=job, user=request.user),
        "problems": jobs.job_messages(job=job, user=request.user),
        # The stale-preview notice heads the page (import_status.html), not the list.
        "warnings": [w for w in jobs.job_messages(job=job, user=request.user, warnings=True) if not w.get("outdated")],
        "progress": jobs.import_progress(job.pk),
        "can_confirm": job.status == ImportStatus.CHECKED
        and (job.user_id == request.user.pk or can_write_region(request.user)),
    }
    return render(request, template or "monitoring/import_detail.html", context)


@login_required
@require_POST
def import_confirm(request, pk: int):
    job = _job(request, pk)
    try:
        with dispatch.watch() as queue:
            jobs.import_job_confirm(
                job=job, user=request.user, removals_acknowledged=request.POST.get("remove_teachers") == "1"
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _tell_if_queue_down(request, queue)
    return redirect("import-detail", pk=job.pk)


@login_required
@require_POST
def import_cancel(request, pk: int):
    job = _job(request, pk)
    try:
        jobs.import_job_cancel(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("import-detail", pk=job.pk)
    messages.success(request, "Загрузка отменена: файл и предпросмотр удалены, данные в портале не изменились.")
    if job.kind == ImportKind.STAFFING and job.school_id:
        return redirect("school-detail", code=job.school.code)
    return redirect("import-list")


@login_required
def import_format(request):
    """The package's sheets and columns, as the import reads them (the registry itself, never out of date)."""
    require_staff_reader(request.user)
    return render(request, "monitoring/import_format.html", {"sheets": registry.sheets()})


@login_required
def import_file(request, pk: int):
    """The uploaded file as it was kept; scoped like the job itself."""
    job = _job(request, pk)
    _require_personal_data(request)
    if not job.file:
        raise Http404("Файл не сохранен.")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.original_name)


@login_required
def import_error_report(request, pk: int):
    """The upload with its bad cells marked, as an .xlsx; scoped like the job itself.

    The marked copy was written by the worker that refused the file (jobs.
    import_job_store_error_report): a web request never reads an upload, whatever it
    holds. Until the worker has stored it (or for a file that could not be read) the
    report is the list of problems alone.
    """
    job = _job(request, pk)
    _require_personal_data(request)
    if not job.problems:
        raise Http404("В этой загрузке нет ошибок.")
    filename = f"Ошибки — {job.original_name.rsplit('.', 1)[0]}.xlsx"
    if job.error_report:
        return FileResponse(job.error_report.open("rb"), as_attachment=True, filename=filename)
    return _xlsx_download(error_workbook_from_sheets(sheets=[], problems=job.problems), filename)


def _require_personal_data(request) -> None:
    # An uploaded file (and its error report, which quotes its cells) carries the «Педагоги»
    # sheet: birth dates and СНИЛС, for the roles of monitoring.models.scoping.can_see_personal_data only.
    if not can_see_personal_data(request.user):
        raise Http404("Файл содержит персональные данные педагогов.")


def _school_for_upload(request, code: str) -> School:
    school = get_object_or_404(School.objects.visible_to(request.user), code=code)
    if not submissions.can_upload_staffing(user=request.user, school=school):
        raise PermissionDenied("Загружать данные организации может ее руководитель.")
    return school


@login_required
def staffing_template_download(request, code: str):
    school = _school_for_upload(request, code)
    period = MonitoringPeriod.objects.current()
    template = submissions.staffing_template(school=school, period=period)
    return _xlsx_download(template.content, template.filename)


def _xlsx_download(content: bytes, filename: str) -> HttpResponse:
    """A generated workbook as an attachment; the Russian file name survives every browser (RFC 6266)."""
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
def staffing_upload(request, code: str):
    school = _school_for_upload(request, code)
    period = MonitoringPeriod.objects.current()
    form = StaffingUploadForm(request.POST or None, request.FILES or None)
    # With every period closed, the "current" one is the latest closed: nothing is collected.
    closed = period is None or period.is_closed
    if request.method == "POST" and closed:
        messages.error(request, "Сбор данных закрыт: все периоды мониторинга закрыты, загрузка не принимается.")
    elif request.method == "POST" and form.is_valid():
        with dispatch.watch() as queue:
            job = jobs.import_job_create(
                kind=ImportKind.STAFFING,
                period=period,
                user=request.user,
                file=form.cleaned_data["file"],
                school=school,
            )
        _tell_if_queue_down(request, queue)
        return redirect("import-detail", pk=job.pk)
    return render(
        request, "monitoring/staffing_upload.html", {"school": school, "period": period, "form": form, "closed": closed}
    )


@login_required
@require_POST
def submission_review(request, code: str):
    school = get_object_or_404(School.objects.visible_to(request.user), code=code)
    period = MonitoringPeriod.objects.current()
    submission = get_object_or_404(SchoolSubmission.objects.visible_to(request.user), period=period, school=school)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        said = "; ".join(
            f"{form.fields[name].label or 'Действие'}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        messages.error(request, f"Решение не сохранено. {said}")
        # The typed comment comes back in the form (school_detail reads it once).
        request.session[REVIEW_DRAFT.format(code=code)] = FORBIDDEN.sub("", request.POST.get("comment", ""))[:20000]
        return redirect("school-detail", code=code)
    action, comment = form.cleaned_data["action"], form.cleaned_data["comment"]
    service = {
        "return": submissions.submission_return,
        "accept": submissions.submission_accept,
        "withdraw": submissions.submission_withdraw_acceptance,
    }[action]
    try:
        service(submission=submission, user=request.user, comment=comment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Статус данных: {submission.get_status_display()}.")
    return redirect("school-detail", code=code)
