"""Admin of measures (institute staff edit them), meetings and presentations, notices and annual reports (read-only)."""

from __future__ import annotations

from django.contrib import admin

from monitoring.models.scoping import can_write_region, is_region_wide
from monitoring.shared.admin import ReadOnlyAdmin, ScopedAdmin, ScopedHistoryAdmin
from reports import models


@admin.register(models.Measure)
class MeasureAdmin(ScopedHistoryAdmin):
    list_display = [
        "text", "period", "decided_by", "indicator", "level", "org_code", "responsible", "due", "status", "target",
    ]  # fmt: skip
    list_filter = ["period", "decided_by", "status", "level", "indicator__direction"]
    search_fields = ["text", "responsible", "org_code"]
    list_select_related = ["period", "indicator"]
    autocomplete_fields = ["responsible_user"]
    raw_id_fields = ["item", "municipality", "school"]
    # The baseline is the unit's value when the decision was recorded: history, not input.
    readonly_fields = ["baseline", "created_at", "created_by"]


@admin.register(models.Meeting)
class MeetingAdmin(ScopedAdmin):
    """A body's meetings as their pages keep them (reports.meeting_views); the institute corrects them here."""

    list_display = ["date", "number", "issuer", "created_by"]
    list_filter = ["issuer__kind"]
    search_fields = ["number", "agenda"]
    list_select_related = ["issuer", "created_by"]
    # The protocol file is attached on the meetings page, where its content is checked.
    readonly_fields = ["protocol_file", "created_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        # An issued letter cites this protocol's number and date: they stay as it printed them.
        cited = obj is not None and obj.letters.filter(status=models.LetterStatus.ISSUED).exists()
        return super().has_change_permission(request, obj) and not cited


@admin.register(models.Presentation)
class PresentationAdmin(ScopedAdmin):
    list_display = ["date", "period", "kind", "title", "audience"]
    list_filter = ["period", "kind"]
    search_fields = ["title", "audience"]
    list_select_related = ["period"]
    readonly_fields = ["created_by"]
    filter_horizontal = ["letters"]


@admin.register(models.Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "text", "read_at", "emailed"]
    list_filter = ["emailed", "read_at"]
    search_fields = ["text", "key", "user__username"]
    list_select_related = ["user"]

    def get_queryset(self, request):
        # Notices are personal: the institute checks deliveries, everyone else sees their own.
        qs = models.Notice.objects.select_related("user")
        return qs if can_write_region(request.user) else qs.filter(user=request.user)


@admin.register(models.AnnualReport)
class AnnualReportAdmin(ReadOnlyAdmin):
    list_display = ["period", "status", "progress", "pages", "user", "created_at", "finished_at"]
    list_filter = ["status", "period"]
    list_select_related = ["period", "user"]

    # The region's report is the institute's and the ministry's, in the admin as on its pages.
    def has_module_permission(self, request):
        return super().has_module_permission(request) and is_region_wide(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and is_region_wide(request.user)
