"""The indicator values over HTTP: the same rows, fields and number formats as export_indicators."""

from __future__ import annotations

from django.urls import path
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination

from indicators.export import format_row, ordered
from indicators.filters import IndicatorValueFilter
from indicators.models import IndicatorValue


class IndicatorValueSerializer(serializers.Serializer):
    """A row as export_indicators writes it: every number a string in the CSV's format."""

    indicator = serializers.CharField()
    level = serializers.CharField()
    org = serializers.CharField()
    breakdown = serializers.CharField()
    numerator = serializers.CharField(allow_blank=True)
    denominator = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)

    def to_representation(self, instance: IndicatorValue) -> dict:
        return dict(zip(self.fields, format_row(instance), strict=True))


class ExportPagination(PageNumberPagination):
    # A region's period is ~100,000 rows; pages of a thousand keep a client's loop short.
    page_size = 1000
    page_size_query_param = "page_size"
    max_page_size = 10000


class IndicatorValueList(generics.ListAPIView):
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    pagination_class = ExportPagination

    def get_queryset(self):
        return ordered(IndicatorValue.objects.visible_to(self.request.user))


urlpatterns = [
    path("indicator-values/", IndicatorValueList.as_view(), name="api-indicator-values"),
]
