"""Admin of the DPO catalog, enrollments and routes, scoped like every other door.

The catalog is the institute's to edit; routes are the teachers' and the heads' (their
pages), so the admin shows them read-only to everyone: an approval or a done mark made
here would skip the rules of iom.services.
"""

from __future__ import annotations

from django.contrib import admin

from iom import models
from monitoring.models import CuratorAssignment, Role, User
from monitoring.models.scoping import can_write_region
from monitoring.shared.admin import SafeTabularInline, ScopedAdmin, may_use_admin


class CatalogInline(SafeTabularInline):
    extra = 0

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return can_write_region(request.user)

    def has_change_permission(self, request, obj=None):
        return can_write_region(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_write_region(request.user)


class ProgramTagInline(CatalogInline):
    model = models.ProgramTag


class CourseRunInline(CatalogInline):
    model = models.CourseRun


@admin.register(models.Provider)
class ProviderAdmin(ScopedAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(models.Program)
class ProgramAdmin(ScopedAdmin):
    list_display = ["code", "name", "provider", "kind", "hours", "e_learning", "diagnostics_based"]
    list_filter = ["kind", "e_learning", "in_registry", "external_review", "diagnostics_based", "provider"]
    search_fields = ["code", "name"]
    list_select_related = ["provider"]
    autocomplete_fields = ["provider"]
    inlines = [ProgramTagInline, CourseRunInline]


@admin.register(models.CourseRun)
class CourseRunAdmin(ScopedAdmin):
    list_display = ["code", "program", "start", "end", "by_school_request"]
    list_filter = ["by_school_request"]
    search_fields = ["code", "program__code", "program__name"]
    list_select_related = ["program"]
    autocomplete_fields = ["program"]
    date_hierarchy = "end"


@admin.register(models.Enrollment)
class EnrollmentAdmin(ScopedAdmin):
    list_display = ["teacher", "course", "status", "final_attestation", "satisfaction"]
    list_filter = ["status", "final_attestation"]
    search_fields = ["teacher__code", "teacher__full_name", "course__code"]
    list_select_related = ["teacher", "course"]
    raw_id_fields = ["teacher", "course"]


class ReadOnlyInline(SafeTabularInline):
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RouteActivityInline(ReadOnlyInline):
    model = models.RouteActivity
    fields = ["due", "kind", "program", "group_code", "title", "done"]


class RouteEventInline(ReadOnlyInline):
    model = models.RouteEvent
    fields = ["at", "status", "user", "comment"]
    readonly_fields = ["at"]


@admin.register(models.Route)
class RouteAdmin(ScopedAdmin):
    list_display = ["teacher", "start", "end", "status", "corrected", "version", "based_on_diagnostic"]
    list_filter = ["status", "corrected", "based_on_diagnostic"]
    search_fields = ["teacher__code", "teacher__full_name"]
    list_select_related = ["teacher"]
    inlines = [RouteActivityInline, RouteEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CuratorAssignment)
class CuratorAssignmentAdmin(ScopedAdmin):
    """Curators and their teachers (also on /curators/): the institute assigns; heads and officials read theirs."""

    list_display = ["curator", "teacher", "assigned_at", "assigned_by"]
    list_select_related = ["curator", "teacher", "assigned_by"]
    search_fields = ["teacher__code", "teacher__full_name", "curator__username", "curator__last_name"]
    autocomplete_fields = ["teacher"]
    fields = ["curator", "teacher"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "curator":
            # Only a curator's account takes teachers (iom.curators.curator_assign says the same).
            kwargs["queryset"] = User.objects.filter(role=Role.CURATOR).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False  # an assignment is made or removed, never moved to another teacher

    def save_model(self, request, obj, form, change):
        obj.assigned_by = request.user
        super().save_model(request, obj, form, change)
