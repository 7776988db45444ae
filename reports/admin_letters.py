"""Admin of letters, issuers and the recommendation library.

The library and the letterheads are the institute's to edit. Letters are written
through the composer pages (reports.letter_views); here a draft's texts may be touched
by institute staff, while the workflow fields (status, number, date, PDF, hash) are
never editable and an approved or issued letter is read-only as a whole — the model guard in
reports.letters.guards backs that up for any save that slips past.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import F

from monitoring.models import Role
from monitoring.models.scoping import can_write_region
from monitoring.shared.admin import ReadOnlyAdmin, SafeTabularInline, ScopedHistoryAdmin

# Importing reports.letters also registers the guard that keeps issued letters frozen.
from reports import letters
from reports.library import text_validate
from reports.models import (
    Issuer,
    IssuerKind,
    Letter,
    LetterItem,
    LetterReceipt,
    LetterStatus,
    OutgoingRegister,
    RecommendationText,
)


class RecommendationTextForm(forms.ModelForm):
    class Meta:
        model = RecommendationText
        fields = ["kind", "direction", "indicator", "addressee", "text", "order", "is_active"]

    def clean_text(self):
        text = self.cleaned_data["text"]
        text_validate(text)
        return text


@admin.register(RecommendationText)
class RecommendationTextAdmin(ScopedHistoryAdmin):
    form = RecommendationTextForm
    list_display = ["direction", "indicator", "kind", "addressee", "order", "is_active", "text"]
    list_filter = ["direction", "kind", "addressee", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["text", "indicator__code"]
    list_select_related = ["indicator"]


@admin.register(Issuer)
class IssuerAdmin(ScopedHistoryAdmin):
    list_display = ["name", "kind", "municipality", "signatory_position", "signatory_name", "signatory"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["municipality", "signatory"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "signatory" in form.base_fields:
            # Only someone who writes the body's letters may sign them; nobody else's name is listed.
            form.base_fields["signatory"].queryset = letters.permissions.signatory_candidates(obj)
        return form

    def get_queryset(self, request):
        # The institute's staff keep the institute's letterhead here; a municipal authority's is its own
        # to keep (here or on «Реквизиты бланка»), and only a superuser sees every body's.
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_superuser or (user.role == Role.MUNICIPAL and user.municipality_id):
            return queryset
        return queryset.filter(kind=IssuerKind.INSTITUTE)

    def has_add_permission(self, request):
        # A body's letterhead is set up once (a fresh portal asks for the institute's on «Реквизиты бланка»).
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        # A municipal authority keeps its own letterhead (address, requisites, signatory's name).
        user = request.user
        if user.is_active and user.is_superuser:
            return True
        if obj is not None and user.is_active and user.role == Role.MUNICIPAL and user.municipality_id:
            return obj.municipality_id == user.municipality_id
        return can_write_region(user) and (obj is None or obj.kind == IssuerKind.INSTITUTE)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return []
        # The signatory's login is the one person who approves the body's letters (four eyes): whoever
        # could set it could name themselves or a fresh account, so only a superuser assigns it.
        fields = ["signatory"]
        return fields if can_write_region(request.user) else ["kind", "municipality", *fields]

    def has_delete_permission(self, request, obj=None):
        return False


def _frozen(obj) -> bool:
    # Only a draft is touched here: an approved letter's text is the one its signatory approved
    # (a change goes back to draft on the letter's page first), an issued one is frozen.
    return obj is not None and obj.status != LetterStatus.DRAFT


class LetterItemInline(SafeTabularInline):
    model = LetterItem
    extra = 0
    fields = ["kind", "addressee", "order", "text"]

    def has_add_permission(self, request, obj=None):
        return not _frozen(obj) and can_write_region(request.user)

    def has_change_permission(self, request, obj=None):
        return not _frozen(obj) and can_write_region(request.user)

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and can_write_region(request.user)


@admin.register(Letter)
class LetterAdmin(ScopedHistoryAdmin):
    list_display = ["number", "issued_on", "title", "issuer", "addressee", "municipality", "status"]
    list_filter = ["status", "addressee", "document_kind", "period"]
    search_fields = ["number", "title"]
    list_select_related = ["issuer", "municipality", "period"]
    inlines = [LetterItemInline]
    readonly_fields = [
        "status",
        "number",
        "issued_on",
        "pdf",
        "pdf_sha256",
        "approved_by",
        "approved_at",
        "author",
        "corrects",
        "created_at",
        # Who signs follows the issuing body: a draft does not move to another body's letterhead here.
        "issuer",
        "revision",
    ]

    def get_queryset(self, request):
        return letters.letters_visible(request.user)

    def has_add_permission(self, request):
        # A letter starts from the findings in the composer, never from an empty form.
        return False

    def has_change_permission(self, request, obj=None):
        return not _frozen(obj) and can_write_region(request.user)

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and can_write_region(request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            # A save here is a new revision like the editor's: a signatory's «Согласовать» of the page
            # opened before it, and an editor's tab opened before it, are refused as stale.
            Letter.objects.filter(pk=form.instance.pk).update(revision=F("revision") + 1)


@admin.register(OutgoingRegister)
class OutgoingRegisterAdmin(ReadOnlyAdmin):
    """Numbers are drawn only by issuing a letter."""

    list_display = ["issuer", "year", "last_number"]

    def get_queryset(self, request):
        # The register has no scope paths of its own; it follows its issuer's.
        return OutgoingRegister.objects.filter(issuer__in=Issuer.objects.visible_to(request.user))


@admin.register(LetterReceipt)
class LetterReceiptAdmin(ReadOnlyAdmin):
    list_display = ["letter", "user", "read_at"]

    def get_queryset(self, request):
        return LetterReceipt.objects.filter(letter__in=Letter.objects.visible_to(request.user)).select_related(
            "letter", "user"
        )
