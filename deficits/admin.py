"""Admin for the diagnostic instrument and the diagnostics, scoped like every other door.

An edition already used by a diagnostic is shown read-only: its scores must keep
their meaning, so a changed questionnaire is a new edition (``instrument_load``).
"""

from __future__ import annotations

from django.contrib import admin

from deficits import models
from monitoring.models.scoping import can_write_region
from monitoring.shared.admin import ReadOnlyAdmin, SafeTabularInline, ScopedAdmin, ScopedHistoryAdmin, may_use_admin


def _edition_in_use(instrument: models.Instrument | None) -> bool:
    return bool(instrument and instrument.pk and instrument.diagnostics.exists())


class EditionPartInline(SafeTabularInline):
    """Bands and groups of an edition: editable by institute staff until the edition is used."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return can_write_region(request.user) and not _edition_in_use(obj)

    def has_change_permission(self, request, obj=None):
        return can_write_region(request.user) and not _edition_in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return can_write_region(request.user) and not _edition_in_use(obj)


class LevelBandInline(EditionPartInline):
    model = models.LevelBand


class CompetenceGroupInline(EditionPartInline):
    model = models.CompetenceGroup
    show_change_link = True


@admin.register(models.Instrument)
class InstrumentAdmin(ScopedHistoryAdmin):
    list_display = ["name", "code", "version", "is_active"]
    list_filter = ["code", "is_active"]
    inlines = [LevelBandInline, CompetenceGroupInline]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _edition_in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _edition_in_use(obj)


class ItemInline(SafeTabularInline):
    model = models.Item
    extra = 0

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return can_write_region(request.user) and not _edition_in_use(obj and obj.instrument)

    def has_change_permission(self, request, obj=None):
        return can_write_region(request.user) and not _edition_in_use(obj and obj.instrument)

    def has_delete_permission(self, request, obj=None):
        return can_write_region(request.user) and not _edition_in_use(obj and obj.instrument)


@admin.register(models.CompetenceGroup)
class CompetenceGroupAdmin(ScopedHistoryAdmin):
    list_display = ["code", "name", "instrument", "order"]
    list_filter = ["instrument"]
    list_select_related = ["instrument"]
    inlines = [ItemInline]

    def get_queryset(self, request):
        # Groups belong to an instrument, which everyone signed in may read.
        return models.CompetenceGroup.objects.filter(instrument__in=models.Instrument.objects.visible_to(request.user))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _edition_in_use(obj and obj.instrument)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _edition_in_use(obj and obj.instrument)


class GroupResultInline(SafeTabularInline):
    model = models.GroupResult
    extra = 0
    can_delete = False
    readonly_fields = ["group_code", "score", "level", "is_deficit"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request.user)


@admin.register(models.Diagnostic)
class DiagnosticAdmin(ScopedAdmin):
    """Results are scored by the service, never typed in: every field but the kind is read-only."""

    list_display = ["teacher", "date", "kind", "status", "instrument", "imported"]
    list_filter = ["kind", "status", "imported", "instrument"]
    search_fields = ["teacher__code", "teacher__full_name"]
    list_select_related = ["teacher", "instrument"]
    date_hierarchy = "date"
    readonly_fields = ["teacher", "instrument", "date", "status", "answers", "imported", "submitted_at"]
    inlines = [GroupResultInline]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        # Drafts are the teacher's own until they are finished: no page shows them to staff, nor does the admin.
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.exclude(status=models.DiagnosticStatus.DRAFT)


def _institute(user) -> bool:
    return may_use_admin(user) and can_write_region(user)


class InstituteJournalAdmin(ScopedAdmin):
    """The personal links' journal: institute staff read it; nobody writes it here (the link pages do)."""

    def has_module_permission(self, request):
        return _institute(request.user)

    def has_view_permission(self, request, obj=None):
        return _institute(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PersonalLinkUseInline(SafeTabularInline):
    model = models.PersonalLinkUse
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "event", "address", "user_agent", "user"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return _institute(request.user)


@admin.register(models.PersonalLink)
class PersonalLinkAdmin(InstituteJournalAdmin):
    list_display = ["teacher", "issued_by", "issued_at", "bound_at", "diagnostic"]
    list_filter = [("bound_at", admin.EmptyFieldListFilter)]
    search_fields = ["teacher__code", "teacher__full_name", "issued_by__username"]
    list_select_related = ["teacher", "issued_by", "diagnostic__teacher"]
    date_hierarchy = "issued_at"
    fields = readonly_fields = ["teacher", "issued_by", "issued_at", "bound_at", "diagnostic", "digest", "device"]
    inlines = [PersonalLinkUseInline]


@admin.register(models.PersonalLinkUse)
class PersonalLinkUseAdmin(InstituteJournalAdmin):
    list_display = ["at", "teacher", "event", "address", "user_agent", "user"]
    list_filter = ["event"]
    search_fields = ["link__teacher__code", "link__teacher__full_name", "address", "user__username"]
    list_select_related = ["link__teacher", "user"]
    date_hierarchy = "at"
    fields = readonly_fields = ["link", "at", "event", "address", "user_agent", "user"]

    @admin.display(description="педагог", ordering="link__teacher__full_name")
    def teacher(self, obj):
        return obj.link.teacher


class QuestionnaireEditionInline(SafeTabularInline):
    """A questionnaire's editions, read here; their forms are changed in the builder or by an XLSForm upload."""

    model = models.QuestionnaireEdition
    extra = 0
    can_delete = False
    fields = readonly_fields = ["version", "created_at", "created_by"]

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Questionnaire)
class QuestionnaireAdmin(ScopedAdmin):
    """Questionnaires: the institute corrects a title or description here; forms live in their editions.

    Created in the builder or from a workbook (deficits.questionnaire.editions), never added or
    deleted here: a campaign's answers keep their edition.
    """

    list_display = ["title", "code", "shipped", "created_at"]
    list_filter = ["shipped"]
    search_fields = ["code", "title"]
    readonly_fields = ["code", "shipped", "created_at"]
    fields = ["code", "title", "description", "shipped", "created_at"]
    inlines = [QuestionnaireEditionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.QuestionnaireEdition)
class QuestionnaireEditionAdmin(ReadOnlyAdmin):
    """An edition's form and scoring, read only: the builder and XLSForm upload write them (a new
    edition once a campaign has used one)."""

    list_display = ["questionnaire", "version", "created_at", "created_by"]
    list_filter = ["questionnaire"]
    list_select_related = ["questionnaire", "created_by"]
    fields = readonly_fields = ["questionnaire", "version", "definition", "scoring", "created_at", "created_by"]
