"""The diagnostics' FilterSet: the staff results page takes its unit from it, the API its filters.

Both read ``period``, ``municipality`` and ``school`` the same way: codes of objects in the
user's scope (anything else is refused, a 404 on the page and a 400 in the API), and a
school or municipality means the teachers on its roster — of the period, when one is given.
"""

from __future__ import annotations

import re

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from deficits.models import CompetenceGroup, Diagnostic, DiagnosticKind, DiagnosticStatus
from monitoring.models import MonitoringPeriod, Municipality, RosterEntry, School, Teacher


class CodeField(forms.ModelChoiceField):
    """One object chosen by its code; a malformed code reads as unknown, never reaches the database.

    Checked before the lookup: an over-long value, a NUL character (PostgreSQL refuses it in
    a query) or, with ``pattern``, a value of the wrong shape (a 30-digit "year" overflows
    SQLite's integers).
    """

    def __init__(self, *args, max_length: int = 50, pattern: str | None = None, **kwargs):
        self.max_length, self.pattern = max_length, pattern
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value)
        if len(text) > self.max_length or "\x00" in text or (self.pattern and not re.fullmatch(self.pattern, text)):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(text)


class CodeFilter(django_filters.ModelChoiceFilter):
    field_class = CodeField


def period_filter(**kwargs) -> CodeFilter:
    return CodeFilter(
        queryset=MonitoringPeriod.objects.all(),
        to_field_name="year",
        pattern=r"[0-9]{4}",
        error_messages={"invalid_choice": "Периода с таким годом нет."},
        **kwargs,
    )


def municipality_filter(**kwargs) -> CodeFilter:
    # The real querysets (the user's scope) are set in the FilterSet's __init__.
    return CodeFilter(
        queryset=Municipality.objects.none(),
        to_field_name="code",
        error_messages={"invalid_choice": "Муниципалитета с таким кодом нет в вашей области видимости."},
        **kwargs,
    )


def school_filter(**kwargs) -> CodeFilter:
    return CodeFilter(
        queryset=School.objects.none(),
        to_field_name="code",
        error_messages={"invalid_choice": "Организации с таким кодом нет в вашей области видимости."},
        **kwargs,
    )


def teacher_filter(**kwargs) -> CodeFilter:
    return CodeFilter(
        queryset=Teacher.objects.none(),
        to_field_name="code",
        error_messages={"invalid_choice": "Педагога с таким кодом нет в вашей области видимости."},
        **kwargs,
    )


def scope_choices(filterset: django_filters.FilterSet, user) -> None:
    """Narrow the code filters of a FilterSet to the objects ``user`` may see."""
    querysets = {
        "municipality": Municipality.objects.visible_to(user),
        "school": School.objects.visible_to(user).select_related("municipality"),
        "teacher": Teacher.objects.visible_to(user),
    }
    for name, queryset in querysets.items():
        if name in filterset.filters:
            filterset.filters[name].queryset = queryset


class RosterFilterSet(django_filters.FilterSet):
    """Code filters narrowed to the user's scope, and school/municipality meaning "on its roster".

    ``teacher_path`` leads from the filtered model to its teacher; a ``period`` filter, when
    the FilterSet has one, picks the roster of that period.
    """

    teacher_path = "teacher_id"

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope_choices(self, user)

    @extend_schema_field(OpenApiTypes.STR)
    def on_roster(self, queryset, name, value):
        roster = RosterEntry.objects.filter(**{name: value})
        if period := self.form.cleaned_data.get("period"):
            roster = roster.filter(period=period)
        return queryset.filter(**{f"{self.teacher_path}__in": roster.values("teacher_id")})


class DiagnosticFilterForm(forms.Form):
    def clean_deficit(self):
        code = self.cleaned_data.get("deficit")
        if code and not CompetenceGroup.objects.filter(code=code).exists():
            raise forms.ValidationError("Группы компетенций с таким кодом нет.")
        return code

    def clean(self):
        data = super().clean()
        if data.get("latest") and not data.get("period"):
            self.add_error("latest", "Последняя диагностика выбирается в периоде: укажите период (period).")
        return data


class DiagnosticFilter(RosterFilterSet):
    period = period_filter(method="in_period", label="Год периода: завершенные диагностики, датированные в нем")
    latest = django_filters.BooleanFilter(
        method="keep", label="Только последняя диагностика каждого педагога в периоде (нужен period)"
    )
    municipality = municipality_filter(
        field_name="school__municipality", method="on_roster", label="Код муниципалитета (педагоги его ОО)"
    )
    school = school_filter(field_name="school", method="on_roster", label="Код ОО (педагоги в ее списке)")
    teacher = teacher_filter(label="Код педагога")
    kind = django_filters.ChoiceFilter(choices=DiagnosticKind.choices, label="Вид диагностики")
    status = django_filters.ChoiceFilter(choices=DiagnosticStatus.choices, label="Состояние")
    deficit = django_filters.CharFilter(
        method="with_deficit", max_length=20, label="Код группы компетенций, в которой выявлен дефицит"
    )

    class Meta:
        model = Diagnostic
        fields = ["period", "latest", "municipality", "school", "teacher", "kind", "status", "deficit"]
        form = DiagnosticFilterForm

    @extend_schema_field(OpenApiTypes.INT)
    def in_period(self, queryset, name, value):
        if self.form.cleaned_data.get("latest"):
            return queryset.latest_in_period(value)
        return queryset.in_period(value)

    def keep(self, queryset, name, value):
        # Read by in_period(): "latest" only means something within a period.
        return queryset

    def with_deficit(self, queryset, name, value):
        return queryset.with_deficit_in(value)
