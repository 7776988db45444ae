"""FilterSets of the indicators app, shared by the pages and the API."""

from __future__ import annotations

import django_filters

from indicators.models import ComputationRun, IndicatorValue, Level, RunStatus


class IndicatorValueFilter(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period__year", label="Год периода")
    indicator = django_filters.CharFilter(field_name="indicator__code", label="Код показателя")
    direction = django_filters.NumberFilter(field_name="indicator__direction", label="Направление")
    level = django_filters.ChoiceFilter(choices=Level.choices, label="Уровень")
    org = django_filters.CharFilter(field_name="org_code", label="Код организации")
    breakdown = django_filters.CharFilter(label="Разрез")

    class Meta:
        model = IndicatorValue
        fields = ["period", "indicator", "direction", "level", "org", "breakdown"]


class ComputationRunFilter(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period__year", label="Год периода")
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label="Состояние")

    class Meta:
        model = ComputationRun
        fields = ["period", "status"]
