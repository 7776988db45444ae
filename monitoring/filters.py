"""FilterSets shared by the HTML lists and (later) the API, so both filter alike."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from monitoring.models import Category, Municipality, RosterEntry, School, SchoolKind


class MunicipalityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Поиск")

    class Meta:
        model = Municipality
        fields = ["q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value))


class SchoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Поиск")
    # By code, not id: the same value in a page's address, the API and every database.
    municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.none(),
        to_field_name="code",
        label="Муниципалитет",
        empty_label="Все муниципалитеты",
    )
    kind = django_filters.ChoiceFilter(choices=SchoolKind.choices, label="Тип", empty_label="Все типы")
    low_results = django_filters.BooleanFilter(label="ШНОР")
    adverse_conditions = django_filters.BooleanFilter(label="Неблагоприятные условия")

    class Meta:
        model = School
        fields = ["q", "municipality", "kind", "low_results", "adverse_conditions"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the municipalities the user may see.
        self.filters["municipality"].queryset = Municipality.objects.visible_to(user)

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value) | Q(head_name__icontains=value))


class RosterEntryFilter(django_filters.FilterSet):
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
    part_time = django_filters.BooleanFilter(label="Совместитель")

    class Meta:
        model = RosterEntry
        fields = ["q", "municipality", "school", "position", "category", "part_time"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["municipality"].queryset = Municipality.objects.visible_to(user)

    def search(self, queryset, name, value):
        return queryset.filter(Q(teacher__full_name__icontains=value) | Q(teacher__code__iexact=value))
