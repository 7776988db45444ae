"""FilterSets shared by the HTML lists and (later) the API, so both filter alike."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q

from monitoring.models import (
    Attestation,
    AttestationCategory,
    AttestationResult,
    Category,
    Municipality,
    RosterEntry,
    School,
    SchoolKind,
    SchoolSubmission,
    SubmissionStatus,
)

# «ШНОР» spelled out where a form names it (issue 16, item 11).
LOW_RESULTS_LABEL = "ШНОР (школы с низкими образовательными результатами)"

# A yes/no filter reads «Все / Да / Нет»: django-filter's default «Неизвестно» meant "any".
YES_NO = [("true", "Да"), ("false", "Нет")]


class AllYesNoWidget(django_filters.widgets.BooleanWidget):
    """«Все / Да / Нет» with the values ``true``/``false`` the API uses too."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "Все"), *YES_NO]


# Submission status of the period, plus the schools that have none (or only a draft).
NOT_SUBMITTED = "none"
STATUS_CHOICES = [(NOT_SUBMITTED, "Не представлено"), *SubmissionStatus.choices]


class PortalFilterSet(django_filters.FilterSet):
    """A FilterSet whose form wears Bootstrap's classes (form-select for choices, form-control for text)."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            widget = field.widget
            css = "form-select" if hasattr(widget, "choices") else "form-control"
            if css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        return form


class MunicipalityFilter(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Поиск")

    class Meta:
        model = Municipality
        fields = ["q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value))


class SchoolFilter(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Поиск")
    # By code, not id: the same value in a page's address, the API and every database.
    municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.none(),
        to_field_name="code",
        label="Муниципалитет",
        empty_label="Все муниципалитеты",
    )
    kind = django_filters.ChoiceFilter(choices=SchoolKind.choices, label="Тип", empty_label="Все типы")
    low_results = django_filters.BooleanFilter(label=LOW_RESULTS_LABEL, widget=AllYesNoWidget)
    adverse_conditions = django_filters.BooleanFilter(label="Неблагоприятные условия", widget=AllYesNoWidget)

    class Meta:
        model = School
        fields = ["q", "municipality", "kind", "low_results", "adverse_conditions"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the municipalities the user may see.
        self.filters["municipality"].queryset = Municipality.objects.visible_to(user)

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value) | Q(head_name__icontains=value))


class SchoolPageFilter(SchoolFilter):
    """The school list page's filters: the API's, and the schools by their data for the page's period."""

    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="by_status", label="Данные за период", empty_label="Любые"
    )

    class Meta(SchoolFilter.Meta):
        fields = [*SchoolFilter.Meta.fields, "status"]

    def __init__(self, *args, period=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period

    def by_status(self, queryset, name, value):
        """Schools by their submission of the page's period («Не представлено»: none handed in)."""
        submissions = SchoolSubmission.objects.filter(period=self.period)
        if value == NOT_SUBMITTED:
            handed_in = [SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]
            return queryset.exclude(pk__in=submissions.filter(status__in=handed_in).values("school_id"))
        return queryset.filter(pk__in=submissions.filter(status=value).values("school_id"))


class RosterEntryFilter(PortalFilterSet):
    """Filters the period's roster (the teacher list)."""

    q = django_filters.CharFilter(method="search", label="ФИО или код")
    municipality = django_filters.ModelChoiceFilter(
        field_name="school__municipality",
        queryset=Municipality.objects.none(),
        to_field_name="code",
        label="Муниципалитет",
        empty_label="Все муниципалитеты",
    )
    school = django_filters.CharFilter(field_name="school__code", lookup_expr="iexact", label="Код ОО")
    position = django_filters.CharFilter(lookup_expr="icontains", label="Должность")
    category = django_filters.ChoiceFilter(choices=Category.choices, label="Категория", empty_label="Любая")
    part_time = django_filters.BooleanFilter(label="Совместитель", widget=AllYesNoWidget)

    class Meta:
        model = RosterEntry
        fields = ["q", "municipality", "school", "position", "category", "part_time"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["municipality"].queryset = Municipality.objects.visible_to(user)

    def search(self, queryset, name, value):
        return queryset.filter(Q(teacher__full_name__icontains=value) | Q(teacher__code__iexact=value))


class AttestationFilter(PortalFilterSet):
    """Filters the period's attestation register (a teacher's municipality and school: the period's roster)."""

    q = django_filters.CharFilter(method="search", label="ФИО или код")
    municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.none(),
        to_field_name="code",
        method="by_municipality",
        label="Муниципалитет",
        empty_label="Все муниципалитеты",
    )
    school = django_filters.CharFilter(method="by_school", label="Код ОО")
    category = django_filters.ChoiceFilter(choices=AttestationCategory.choices, label="Категория", empty_label="Любая")
    result = django_filters.ChoiceFilter(choices=AttestationResult.choices, label="Результат", empty_label="Любой")

    class Meta:
        model = Attestation
        fields = ["q", "municipality", "school", "category", "result"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["municipality"].queryset = Municipality.objects.visible_to(user)

    def search(self, queryset, name, value):
        return queryset.filter(Q(teacher__full_name__icontains=value) | Q(teacher__code__iexact=value))

    def _on_roster(self, queryset, **where):
        roster = RosterEntry.objects.filter(period=OuterRef("period"), teacher=OuterRef("teacher"), **where)
        return queryset.filter(Exists(roster))

    def by_municipality(self, queryset, name, value):
        return self._on_roster(queryset, school__municipality=value)

    def by_school(self, queryset, name, value):
        return self._on_roster(queryset, school__code__iexact=value.strip())
