"""The adopting body's meetings page (list, add, delete) and the protocol download: thin doors over reports.meetings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from monitoring.models.scoping import require_staff_reader
from reports import meetings
from reports.models import Meeting


class MeetingForm(forms.Form):
    number = forms.CharField(
        label="Номер протокола", max_length=50, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    date = forms.DateField(
        label="Дата заседания",
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"type": "date", "class": "form-control", "min": "2000-01-01", "max": "2100-12-31"}
        ),
    )
    agenda = forms.CharField(
        label="Повестка", required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    protocol_file = forms.FileField(
        label="Протокол (файл)",
        required=False,
        help_text="PDF, DOCX или изображение (PNG, JPEG), не более 10 МБ.",
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.png,.jpg,.jpeg", "class": "form-control"}),
    )


def _issuer(request):
    require_staff_reader(request.user)
    try:
        return meetings.meeting_issuer(user=request.user)
    except PermissionDenied as exc:
        raise Http404(str(exc)) from exc


@login_required
def meeting_list(request):
    """The body's meetings, and the form that adds one."""
    issuer = _issuer(request)
    form = MeetingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = meetings.meeting_create(
                user=request.user,
                issuer=issuer,
                number=d["number"],
                date=d["date"],
                agenda=d["agenda"],
                protocol_file=d["protocol_file"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Заседание внесено: {meeting.citation}.")
            return redirect("meeting-list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reports/meeting_list.html",
        {"issuer": issuer, "meetings": meetings.meetings_of(issuer=issuer), "form": form},
        status=status,
    )


@login_required
@require_POST
def meeting_delete(request, pk: int):
    issuer = _issuer(request)
    meeting = get_object_or_404(Meeting.objects.filter(issuer=issuer), pk=pk)
    try:
        meetings.meeting_delete(user=request.user, meeting=meeting)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Заседание удалено.")
    return redirect("meeting-list")


@login_required
def meeting_protocol(request, pk: int):
    """The attached protocol, to those who see the meeting (always as a download, under a readable name)."""
    require_staff_reader(request.user)
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user).exclude(protocol_file=""), pk=pk)
    suffix = meeting.protocol_file.name.rsplit(".", 1)[-1] if "." in meeting.protocol_file.name else "bin"
    try:
        stored = meeting.protocol_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Файл протокола не найден.") from exc
    name = f"Протокол № {_in_file_name(meeting.number)} от {meeting.date:%d.%m.%Y}.{suffix}"
    response = FileResponse(stored, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _in_file_name(number: str) -> str:
    """A protocol number as a file name can carry it: «12/2026» would lose its beginning as a folder."""
    return "".join("-" if ch in '/\\:*?"<>|' else ch for ch in number)
