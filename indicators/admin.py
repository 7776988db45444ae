"""Admin of the indicators: the period's targets and thresholds are the institute's to edit.

The coded catalog is code (edit indicators/definitions), values and runs are written
by the engine only; all are shown read-only. The institute's own (declarative)
indicators and their catalogs are shown here with their definitions, read-only: they
are edited in the builder, through indicators.declarative.services, which validates a
definition before it is stored. A closed period's targets stay as its reports used them.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html, format_html_join

from indicators import models
from monitoring.models.scoping import can_write_region
from monitoring.shared.admin import HistoryAdmin, ReadOnlyAdmin, ScopedHistoryAdmin


def definition_text(spec: dict) -> str:
    """A declarative definition as indented JSON in a block (escaped: its texts are people's)."""
    if not spec:
        return "—"
    return format_html(
        '<pre class="indicator-definition" style="white-space: pre-wrap">{}</pre>',
        json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=False),
    )


class _InstituteOnly:
    """Shown to the institute's staff only: they define indicators (the builder is where they edit them)."""

    def has_module_permission(self, request):
        return can_write_region(request.user)

    def has_view_permission(self, request, obj=None):
        return can_write_region(request.user)


@admin.register(models.IndicatorCatalog)
class IndicatorCatalogAdmin(_InstituteOnly, HistoryAdmin, ReadOnlyAdmin):
    list_display = ["title", "slug", "source", "created_at"]
    search_fields = ["title", "slug"]
    fields = ["slug", "title", "source", "description", "created_at", "members"]
    readonly_fields = ["created_at", "members"]

    @admin.display(description="показатели набора")
    def members(self, obj) -> str:
        rows = list(obj.indicators.order_by("order", "code").values_list("code", "title"))
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} {}</li>", rows)) if rows else "—"


@admin.register(models.Indicator)
class IndicatorAdmin(HistoryAdmin, ReadOnlyAdmin):
    list_display = ["code", "title", "kind", "catalog", "unit", "start_level", "breakdown"]
    list_filter = ["kind", "direction", "unit", "catalog"]
    list_select_related = ["catalog"]
    search_fields = ["code", "title"]
    fields = [
        "code", "kind", "catalog", "direction", "order", "title", "unit", "start_level", "breakdown", "note",
        "definition",
    ]  # fmt: skip
    readonly_fields = ["definition"]

    @admin.display(description="определение")
    def definition(self, obj) -> str:
        return definition_text(obj.spec)


@admin.register(models.PeriodIndicator)
class PeriodIndicatorAdmin(ScopedHistoryAdmin):
    list_display = ["indicator", "period", "target", "threshold", "higher_is_better"]
    list_editable = ["target", "threshold", "higher_is_better"]
    list_filter = ["period", "indicator__direction"]
    list_select_related = ["indicator", "period"]
    search_fields = ["indicator__code", "indicator__title"]
    # A declarative indicator's definition in the period is shown, never typed in here: the builder
    # (indicators.declarative.services) validates one before it is stored.
    fields = ["period", "indicator", "target", "threshold", "higher_is_better", "definition"]
    readonly_fields = ["period", "indicator", "definition"]

    @admin.display(description="определение в периоде")
    def definition(self, obj) -> str:
        return definition_text(obj.spec)

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
