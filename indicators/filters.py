"""FilterSets of the indicators app, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, Q

from indicators.models import ComputationRun, IndicatorKind, IndicatorValue, Level, PeriodIndicator, RunStatus


def in_direction(queryset, direction: int):
    """Rows of the direction's indicators as their period had them: a declarative one by its period's definition
    (it may have moved to another direction since), a coded one by the catalog's."""
    edition = PeriodIndicator.objects.filter(
        period=OuterRef("period"), indicator=OuterRef("indicator"), spec__direction=direction
    )
    return queryset.filter(
        Q(indicator__kind=IndicatorKind.CODED, indicator__direction=direction)
        | Q(Exists(edition), indicator__kind=IndicatorKind.DECLARATIVE)
    )


class IndicatorValueFilter(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period__year", label="Год периода")
    indicator = django_filters.CharFilter(field_name="indicator__code", label="Код показателя")
    direction = django_filters.NumberFilter(method="filter_direction", label="Направление")
    level = django_filters.ChoiceFilter(choices=Level.choices, label="Уровень")
    org = django_filters.CharFilter(field_name="org_code", label="Код организации")
    breakdown = django_filters.CharFilter(label="Разрез")

    class Meta:
        model = IndicatorValue
        fields = ["period", "indicator", "direction", "level", "org", "breakdown"]

    def filter_direction(self, queryset, name, value):
        return in_direction(queryset, int(value))


class ComputationRunFilter(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period__year", label="Год периода")
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label="Состояние")

    class Meta:
        model = ComputationRun
        fields = ["period", "status"]
