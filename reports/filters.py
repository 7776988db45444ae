"""FilterSets of the reports app (findings, letters, measures, annual reports), for the pages and the API."""

from __future__ import annotations

import django_filters

from indicators.models import Level
from reports.models import (
    AddresseeKind,
    AnnualReport,
    DecidedBy,
    DocumentKind,
    Finding,
    Letter,
    LetterStatus,
    Measure,
    MeasureStatus,
    ReportStatus,
)


class PeriodFilter(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period__year", label="Год периода")


class UnitFilter(PeriodFilter):
    """An indicator and an org unit, as the indicator values are filtered (indicators.filters)."""

    indicator = django_filters.CharFilter(field_name="indicator__code", label="Код показателя")
    direction = django_filters.NumberFilter(field_name="indicator__direction", label="Направление")
    level = django_filters.ChoiceFilter(choices=Level.choices, label="Уровень")
    org = django_filters.CharFilter(field_name="org_code", label="Код организации")
    municipality = django_filters.CharFilter(field_name="municipality__code", label="Код муниципалитета")


class FindingFilter(UnitFilter):
    class Meta:
        model = Finding
        fields = ["period", "indicator", "direction", "level", "org", "municipality"]


class MeasureFilter(UnitFilter):
    status = django_filters.ChoiceFilter(choices=MeasureStatus.choices, label="Состояние")
    decided_by = django_filters.ChoiceFilter(choices=DecidedBy.choices, label="Кем принято")

    class Meta:
        model = Measure
        fields = ["period", "indicator", "direction", "level", "org", "municipality", "status", "decided_by"]


class LetterFilter(PeriodFilter):
    status = django_filters.ChoiceFilter(choices=LetterStatus.choices, label="Состояние")
    addressee = django_filters.ChoiceFilter(choices=AddresseeKind.choices, label="Адресат")
    document_kind = django_filters.ChoiceFilter(choices=DocumentKind.choices, label="Вид документа")
    municipality = django_filters.CharFilter(field_name="municipality__code", label="Код муниципалитета")
    number = django_filters.CharFilter(label="Исходящий номер")

    class Meta:
        model = Letter
        fields = ["period", "status", "addressee", "document_kind", "municipality", "number"]


class AnnualReportFilter(PeriodFilter):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label="Состояние")
    municipality = django_filters.CharFilter(field_name="municipality__code", label="Код муниципалитета (справки)")
    region = django_filters.BooleanFilter(
        field_name="municipality", lookup_expr="isnull", label="Только отчеты по региону (true) или справки (false)"
    )

    class Meta:
        model = AnnualReport
        fields = ["period", "status", "municipality", "region"]
