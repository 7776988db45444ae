"""Django admin for every model of the monitored world, scoped like every other door.

Permissions follow the role, not Django's permission tables: institute analysts (and
superusers) change data; ministry, municipal officials and school heads with admin
access only view rows within their scope; teachers never enter the admin.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportExportMixin

from monitoring import models
from monitoring.intake import jobs as imports
from monitoring.intake import resources
from monitoring.models.scoping import can_see_personal_data, can_write_region
from monitoring.shared.admin import (
    HistoryAdmin,
    SafeFieldsMixin,
    SafeTabularInline,
    ScopedAdmin,
    ScopedHistoryAdmin,
    may_use_admin,
)


@admin.register(models.Region)
class RegionAdmin(ScopedAdmin):
    list_display = ["code", "name"]


class SheetImportExportAdmin(ImportExportMixin, ScopedHistoryAdmin):
    """Import and export through the data package's sheet (see monitoring.intake.resources)."""

    # The package's formats, written so that no cell runs as a formula (not the library's dozen),
    # read as the package reads uploads (bounded, in a child process).
    formats = resources.ADMIN_FORMATS
    # The upload kept between preview and confirmation is named by the browser: only names
    # the storage made are opened (the library's default opens any path it is sent).
    tmp_storage_class = resources.PrivateUploadStorage
    # The columns to export are chosen by the sheet's Russian titles.
    export_form_class = resources.SheetExportForm
    # The sheet's import writes in bulk (package_import) and hands back counts, not objects,
    # for the admin's per-object journal to name: confirming an import that added rows failed
    # there (500). The rows' audit trail is the import itself, as for every package.
    skip_admin_log = True

    def process_import(self, request, **kwargs):
        # The confirmation names its format and resource by their place in the lists: a number
        # out of them (or the kept file read in another format) is a tampered form, not a 500.
        if not self.has_import_permission(request):
            raise PermissionDenied
        formats, classes = self.get_import_formats(), self.get_import_resource_classes(request)
        for name, size in (("format", len(formats)), ("resource", len(classes))):
            value = request.POST.get(name, "0")
            if not (value.isascii() and value.isdigit() and int(value) < size):
                raise SuspiciousOperation("Форма подтверждения импорта повреждена: начните импорт заново.")
        try:
            return super().process_import(request, **kwargs)
        except resources.FileRefused as exc:
            raise SuspiciousOperation(f"{exc} Начните импорт заново.") from exc

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, resources.FileRefused):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_export_resource_kwargs(self, request, **kwargs):
        # The resource leaves personal columns empty for roles without personal data.
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def has_import_permission(self, request):
        return can_write_region(request.user)

    def has_export_permission(self, request):
        return may_use_admin(request.user)


@admin.register(models.Municipality)
class MunicipalityAdmin(SheetImportExportAdmin):
    resource_classes = [resources.MunicipalityResource]
    list_display = ["code", "name", "region"]
    search_fields = ["code", "name"]


@admin.register(models.School)
class SchoolAdmin(SheetImportExportAdmin):
    resource_classes = [resources.SchoolResource]
    list_display = ["code", "name", "municipality", "kind", "low_results", "adverse_conditions"]
    list_filter = ["kind", "low_results", "adverse_conditions"]
    search_fields = ["code", "name", "head_name"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality"]


class PlanItemInline(SafeTabularInline):
    model = models.MonitoringPlanItem
    extra = 0
    autocomplete_fields = ["responsible"]

    def has_add_permission(self, request, obj=None):
        return can_write_region(request.user)

    def has_change_permission(self, request, obj=None):
        return can_write_region(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_write_region(request.user)

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request.user)


@admin.register(models.MonitoringPeriod)
class MonitoringPeriodAdmin(ScopedHistoryAdmin):
    list_display = ["year", "reference_date", "status"]
    list_filter = ["status"]
    inlines = [PlanItemInline]


@admin.register(models.MonitoringPlanItem)
class MonitoringPlanItemAdmin(ScopedHistoryAdmin):
    list_display = ["period", "direction", "deadline", "state", "obligation", "responsible_name", "responsible"]
    list_filter = ["period", "direction", "state", "obligation"]
    list_select_related = ["period", "responsible"]

    def get_readonly_fields(self, request, obj=None):
        # A reader outside the institute sees the item's organisations, not a list of every
        # municipality to choose from (the history's form would offer the whole region).
        fields = list(super().get_readonly_fields(request, obj))
        if not can_write_region(request.user):
            fields.append("municipalities")
        return fields


@admin.register(models.Teacher)
class TeacherAdmin(SheetImportExportAdmin):
    """Birth dates and СНИЛС only for the roles of monitoring.models.scoping.can_see_personal_data.

    Everyone else gets the card without them: not in the list, the form, the history (whose
    versions would show them) nor the export (the package's «Педагоги» sheet carries them).
    """

    resource_classes = [resources.TeacherResource]
    list_display = ["code", "full_name", "sex", "birth_date"]
    search_fields = ["code", "full_name"]
    list_filter = ["sex"]
    personal_fields = ("birth_date", "snils")

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if can_see_personal_data(request.user) else [f for f in shown if f not in self.personal_fields]

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        return excluded if can_see_personal_data(request.user) else [*excluded, *self.personal_fields]

    def has_export_permission(self, request):
        return super().has_export_permission(request) and can_see_personal_data(request.user)

    def history_allowed(self, request, obj) -> bool:
        return super().history_allowed(request, obj) and can_see_personal_data(request.user)


@admin.register(models.RosterEntry)
class RosterEntryAdmin(ScopedHistoryAdmin):
    list_display = ["period", "teacher", "school", "position", "category", "part_time", "workload"]
    list_filter = ["period", "category", "part_time", "education_level"]
    search_fields = ["teacher__code", "teacher__full_name", "school__code", "school__name"]
    list_select_related = ["period", "teacher", "school"]
    autocomplete_fields = ["teacher", "school"]


@admin.register(models.StaffingRow)
class StaffingRowAdmin(ScopedHistoryAdmin):
    list_display = [
        "period",
        "school",
        "position",
        "positions_by_schedule",
        "actual_need",
        "vacant_positions",
        "vacant_posts",
    ]
    list_filter = ["period"]
    search_fields = ["school__code", "school__name", "position"]
    list_select_related = ["period", "school"]
    autocomplete_fields = ["school"]


@admin.register(models.ExpertRole)
class ExpertRoleAdmin(ScopedAdmin):
    list_display = ["period", "teacher", "kind", "subject"]
    list_filter = ["period", "kind"]
    search_fields = ["teacher__code", "teacher__full_name", "subject"]
    list_select_related = ["period", "teacher"]
    autocomplete_fields = ["teacher"]


@admin.register(models.MethodicalActivist)
class MethodicalActivistAdmin(ScopedAdmin):
    list_display = ["period", "full_name", "municipality", "role", "teacher"]
    list_filter = ["period", "role"]
    search_fields = ["full_name", "teacher__code"]
    list_select_related = ["period", "municipality", "teacher"]
    autocomplete_fields = ["teacher", "municipality"]


class SupportProjectParticipantInline(SafeTabularInline):
    model = models.SupportProjectParticipant
    extra = 0
    autocomplete_fields = ["teacher"]


@admin.register(models.SupportProject)
class SupportProjectAdmin(ScopedAdmin):
    list_display = ["period", "code", "name"]
    list_filter = ["period"]
    search_fields = ["code", "name"]
    inlines = [SupportProjectParticipantInline]


@admin.register(models.SupportProjectParticipant)
class SupportProjectParticipantAdmin(ScopedAdmin):
    list_display = ["project", "teacher"]
    list_select_related = ["project", "teacher"]
    autocomplete_fields = ["teacher"]


@admin.register(models.MentoringProgram)
class MentoringProgramAdmin(ScopedAdmin):
    list_display = ["period", "code", "name", "school", "municipality"]
    list_filter = ["period"]
    search_fields = ["code", "name"]
    list_select_related = ["period", "school", "municipality"]
    autocomplete_fields = ["school", "municipality"]


@admin.register(models.MentoringPair)
class MentoringPairAdmin(ScopedAdmin):
    list_display = ["program", "mentor", "mentee", "form"]
    list_select_related = ["program", "mentor", "mentee"]
    autocomplete_fields = ["mentor", "mentee"]


@admin.register(models.CompetitionEntry)
class CompetitionEntryAdmin(ScopedAdmin):
    list_display = ["period", "teacher", "competition", "level", "result", "date"]
    list_filter = ["period", "level", "result"]
    search_fields = ["teacher__code", "teacher__full_name", "competition"]
    list_select_related = ["period", "teacher"]
    autocomplete_fields = ["teacher"]


@admin.register(models.Attestation)
class AttestationAdmin(ScopedHistoryAdmin):
    """The register of attested teachers (the package's «Аттестация»): the institute corrects a row here."""

    list_display = ["period", "teacher", "category", "applied_on", "decided_on", "result"]
    list_filter = ["period", "category", "result"]
    search_fields = ["teacher__code", "teacher__full_name"]
    list_select_related = ["period", "teacher"]
    autocomplete_fields = ["teacher"]


@admin.register(models.MethodicalAssociation)
class MethodicalAssociationAdmin(ScopedAdmin):
    list_display = ["period", "code", "name", "level", "school", "municipality", "subject"]
    list_filter = ["period", "level"]
    search_fields = ["code", "name", "subject"]
    list_select_related = ["period", "school", "municipality"]
    autocomplete_fields = ["school", "municipality"]


@admin.register(models.AssociationMember)
class AssociationMemberAdmin(ScopedAdmin):
    list_display = ["association", "teacher", "is_head"]
    list_filter = ["is_head"]
    list_select_related = ["association", "teacher"]
    autocomplete_fields = ["teacher"]


@admin.register(models.AssociationEvent)
class AssociationEventAdmin(ScopedAdmin):
    list_display = ["association", "date", "title", "networked"]
    list_filter = ["networked"]
    list_select_related = ["association"]


@admin.register(models.DigitalEnvironmentScore)
class DigitalEnvironmentScoreAdmin(ScopedAdmin):
    list_display = ["period", "school", "infrastructure", "tools", "usage", "professional_development"]
    list_filter = ["period"]
    list_select_related = ["period", "school"]
    autocomplete_fields = ["school"]


@admin.register(models.SchoolSubmission)
class SchoolSubmissionAdmin(ScopedHistoryAdmin):
    list_display = ["period", "school", "status", "submitted_at"]
    list_filter = ["period", "status"]
    search_fields = ["school__code", "school__name"]
    list_select_related = ["period", "school"]
    autocomplete_fields = ["school"]


@admin.register(models.User)
class UserAdmin(SafeFieldsMixin, HistoryAdmin, BaseUserAdmin):
    """Users are managed by institute staff only; nobody else sees the user list.

    Institute staff give accounts their roles and scopes, never more than their own powers:
    only a superuser grants superuser status, permissions or groups, and a superuser's
    account (its password too) is changed by a superuser only — an analyst could otherwise
    make themselves or a new account superuser, or set the superuser's password.

    Institute staff accounts (the analyst role) are managed by a superuser only: an analyst
    who could set a colleague's password, or create a second analyst account, could sign in
    as that colleague — and the four-eyes rules (letters approved by a second person) rely on
    distinct people. An analyst edits their own account, and keeps managing heads, teachers,
    municipal and ministry accounts; the analyst role is not among the roles they hand out.
    """

    _GRANTS = ("is_superuser", "user_permissions", "groups")

    list_display = ["username", "last_name", "first_name", "role", "municipality", "school", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["municipality", "school"]
    autocomplete_fields = ["municipality", "school", "teacher"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Роль и область видимости", {"fields": ("role", "position", "municipality", "school", "teacher")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Роль и область видимости", {"fields": ("role", "municipality", "school", "teacher")}),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if can_write_region(request.user) else qs.none()

    def has_module_permission(self, request):
        return can_write_region(request.user)

    def has_view_permission(self, request, obj=None):
        return can_write_region(request.user)

    def has_add_permission(self, request):
        return can_write_region(request.user)

    def has_change_permission(self, request, obj=None):
        return can_write_region(request.user) and self._within_powers(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_write_region(request.user) and self._within_powers(request, obj)

    def get_readonly_fields(self, request, obj=None):
        shown = list(super().get_readonly_fields(request, obj))
        return shown if request.user.is_superuser else [*shown, *self._GRANTS]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        role = form.base_fields.get("role")
        # The form class is made afresh per request (modelform_factory): its fields are its own.
        if role is not None and not request.user.is_superuser and obj != request.user:
            role.choices = [(value, label) for value, label in role.choices if value != models.Role.ANALYST]
        return form

    @staticmethod
    def _within_powers(request, obj) -> bool:
        if request.user.is_superuser or obj is None:
            return True
        if obj.is_superuser:
            return False
        return obj.role != models.Role.ANALYST or obj.pk == request.user.pk


@admin.register(models.SubmissionEvent)
class SubmissionEventAdmin(ScopedAdmin):
    list_display = ["submission", "status", "user", "at"]
    list_filter = ["status"]
    list_select_related = ["submission__school", "submission__period", "user"]

    # History is written by the workflow services only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.ImportJob)
class ImportJobAdmin(ScopedAdmin):
    list_display = ["created_at", "kind", "period", "school", "user", "original_name", "status"]
    list_filter = ["kind", "status", "period"]
    list_select_related = ["period", "school", "user"]

    def get_object(self, request, object_id, from_field=None):
        # The problems quote the bad cells, birth dates and СНИЛС among them: shown as the
        # import pages show them (monitoring.intake.jobs.job_messages). Nothing here is saved.
        job = super().get_object(request, object_id, from_field)
        if job is not None:
            job.problems = imports.job_messages(job=job, user=request.user)
            job.warnings = imports.job_messages(job=job, user=request.user, warnings=True)
        return job

    def get_exclude(self, request, obj=None):
        # The stored files are not served from /media/ (a link there answers 404): they are
        # downloaded through the import pages' scoped doors (uploaded_file, marked_errors).
        # The preview (rows by name, birth dates and СНИЛС before and after among them) is read
        # on the job's page, which hides personal data from whom it must (jobs.job_preview).
        return [*(super().get_exclude(request, obj) or []), "file", "error_report", "preview"]

    def get_readonly_fields(self, request, obj=None):
        # The uploaded file carries the «Педагоги» sheet: no link to it for roles without personal data.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "uploaded_file", "marked_errors"] if can_see_personal_data(request.user) else fields

    @admin.display(description="файл")
    def uploaded_file(self, job):
        if not job.file:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("import-file", args=[job.pk]), job.original_name)

    @admin.display(description="отчет об ошибках")
    def marked_errors(self, job):
        if not job.problems:
            return "—"
        return format_html('<a href="{}">скачать (.xlsx)</a>', reverse("import-error-report", args=[job.pk]))

    # Imports are made through the import doors, which validate; the admin only shows them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.ExportJob)
class ExportJobAdmin(ScopedAdmin):
    list_display = ["created_at", "period", "format", "user", "status", "finished_at"]
    list_select_related = ["period", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.ApiToken)
class ApiTokenAdmin(SafeFieldsMixin, admin.ModelAdmin):
    """Issued tokens, for institute staff only (issued on /api-tokens/; deleting one revokes it)."""

    list_display = ["name", "token_key", "user", "created", "created_by", "last_used_at"]
    list_select_related = ["user", "created_by"]
    search_fields = ["name", "token_key", "user__username"]
    # The secret is never stored; the hash is useless to show.
    exclude = ["digest"]
    readonly_fields = ["name", "token_key", "user", "created", "created_by", "last_used_at", "expiry"]

    def has_module_permission(self, request):
        return can_write_region(request.user)

    def has_view_permission(self, request, obj=None):
        return can_write_region(request.user)

    def has_add_permission(self, request):
        return False  # issued on /api-tokens/, where the secret is shown once

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return can_write_region(request.user)
