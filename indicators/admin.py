"""Admin of the indicators: the period's targets and thresholds are the institute's to edit.

The catalog itself is code (edit indicators/definitions), values and runs are written
by the engine only; both are shown read-only. A closed period's targets stay as its
reports used them.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from indicators import models
from monitoring.models.scoping import can_write_region
from monitoring.shared.admin import ReadOnlyAdmin, ScopedHistoryAdmin


@admin.register(models.Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "unit", "start_level", "breakdown"]
    list_filter = ["direction", "unit"]
    search_fields = ["code", "title"]


@admin.register(models.PeriodIndicator)
class PeriodIndicatorAdmin(ScopedHistoryAdmin):
    list_display = ["indicator", "period", "target", "threshold", "higher_is_better"]
    list_editable = ["target", "threshold", "higher_is_better"]
    list_filter = ["period", "indicator__direction"]
    list_select_related = ["indicator", "period"]
    search_fields = ["indicator__code", "indicator__title"]
    readonly_fields = ["period", "indicator"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.period.is_closed:
            return False
        return can_write_region(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("period", "indicator")

    def save_model(self, request, obj, form, change):
        # The list's inline editing reaches every row shown: refuse a closed period's here.
        if obj.period.is_closed:
            raise PermissionDenied("Период закрыт: его цели и пороги не меняются.")
        super().save_model(request, obj, form, change)


@admin.register(models.ComputationRun)
class ComputationRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "period", "status", "trigger", "user", "created_at", "finished_at", "values_written"]
    list_filter = ["status", "trigger", "period"]


@admin.register(models.IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "period", "level", "org_code", "breakdown", "numerator", "denominator", "value"]
    list_filter = ["period", "level", "indicator__direction"]
    search_fields = ["indicator__code", "org_code"]
    list_select_related = ["indicator", "period"]
