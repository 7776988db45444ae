"""A period's presentations of results (add, correct, delete): thin doors over reports.presentations."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from monitoring.models import MonitoringPeriod
from reports import presentations
from reports.models import AnnualReport, Letter, Presentation, PresentationKind


class PresentationForm(forms.Form):
    date = forms.DateField(
        label="Дата",
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"type": "date", "class": "form-control", "min": "2000-01-01", "max": "2100-12-31"}
        ),
    )
    kind = forms.ChoiceField(
        label="Форма", choices=PresentationKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    title = forms.CharField(label="Тема", max_length=500, widget=forms.TextInput(attrs={"class": "form-control"}))
    audience = forms.CharField(
        label="Участники",
        max_length=500,
        help_text="Например: «муниципальные органы управления образованием, руководители ОО»",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    place = forms.CharField(
        label="Место или ссылка",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    report = forms.ModelChoiceField(
        AnnualReport.objects.none(),
        label="Годовой отчет",
        required=False,
        empty_label="— без отчета —",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    letters = forms.ModelMultipleChoiceField(
        Letter.objects.none(),
        label="Письма с рекомендациями",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, period: MonitoringPeriod, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = presentations.report_choices(period=period)
        self.fields["report"].label_from_instance = (
            lambda r: f"Годовой отчет {period.year} от {timezone.localtime(r.finished_at or r.created_at):%d.%m.%Y}"
        )
        self.fields["letters"].queryset = presentations.letter_choices(period=period)
        self.fields["letters"].label_from_instance = lambda x: f"от {x.issued_on:%d.%m.%Y} № {x.number}: {x.title[:80]}"


def _period(request, year: int) -> MonitoringPeriod:
    if not presentations.may_edit(request.user):
        raise Http404("Страница недоступна.")
    return get_object_or_404(MonitoringPeriod, year=year)


def _save(request, period: MonitoringPeriod, form: PresentationForm, presentation: Presentation | None):
    d = form.cleaned_data
    try:
        saved = presentations.presentation_save(
            user=request.user,
            period=period,
            presentation=presentation,
            date=d["date"],
            kind=d["kind"],
            title=d["title"],
            audience=d["audience"],
            place=d["place"],
            report=d["report"].pk if d["report"] else None,
            letters=[x.pk for x in d["letters"]],
        )
    except PermissionDenied as exc:
        raise Http404(str(exc)) from exc
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return None
    messages.success(request, f"Представление результатов сохранено: {saved.title}.")
    return redirect("presentation-list", year=period.year)


@login_required
def presentation_list(request, year: int):
    """The period's presentations and the form that adds one."""
    period = _period(request, year)
    form = PresentationForm(request.POST or None, period=period)
    if request.method == "POST" and form.is_valid() and (done := _save(request, period, form, None)):
        return done
    return render(
        request,
        "reports/presentation_list.html",
        {
            "period": period,
            "form": form,
            "presentations": presentations.presentations_for(period=period, user=request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def presentation_edit(request, year: int, pk: int):
    period = _period(request, year)
    presentation = get_object_or_404(Presentation.objects.filter(period=period), pk=pk)
    initial = {
        "date": presentation.date,
        "kind": presentation.kind,
        "title": presentation.title,
        "audience": presentation.audience,
        "place": presentation.place,
        "report": presentation.report_id,
        "letters": list(presentation.letters.values_list("pk", flat=True)),
    }
    form = PresentationForm(request.POST or None, period=period, initial=initial)
    if request.method == "POST" and form.is_valid() and (done := _save(request, period, form, presentation)):
        return done
    return render(
        request,
        "reports/presentation_list.html",
        {"period": period, "form": form, "presentation": presentation},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def presentation_delete(request, year: int, pk: int):
    period = _period(request, year)
    presentation = get_object_or_404(Presentation.objects.filter(period=period), pk=pk)
    try:
        presentations.presentation_delete(user=request.user, presentation=presentation)
    except PermissionDenied as exc:
        raise Http404(str(exc)) from exc
    messages.success(request, "Представление результатов удалено.")
    return redirect("presentation-list", year=period.year)
