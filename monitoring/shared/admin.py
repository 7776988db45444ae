"""The admin's base classes, scoped like every other door; every app's admin builds on them.

Permissions follow the role, not Django's permission tables: institute analysts (and
superusers) change data; ministry, municipal officials and school heads with admin access
only view rows within their scope; teachers never enter the admin. Every form field of a
scoped admin is made safe (autocompletes that cannot 500, JSON without NUL, dates within
the portal's years), and a row of a closed period is read-only.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models as models_
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from monitoring import models
from monitoring.models.scoping import can_see_personal_data, can_write_region
from monitoring.shared.periods import period_closed_message
from monitoring.shared.text import FIRST_YEAR, LAST_YEAR

ADMIN_VIEW_ROLES = {
    models.Role.ANALYST,
    models.Role.MINISTRY,
    models.Role.MUNICIPAL,
    models.Role.SCHOOL_HEAD,
}


# Fields that hold personal data (152-ФЗ) wherever a lookup reaches them (Teacher's own, or
# teacher__birth_date from the roster): monitoring.models.scoping.can_see_personal_data only.
PERSONAL_FIELDS = frozenset({"birth_date", "snils"})


def may_use_admin(user) -> bool:
    return bool(user.is_active and user.is_staff and (user.is_superuser or user.role in ADMIN_VIEW_ROLES))


class _KnownValuesOnly:
    """Django's autocomplete widget looks the submitted values up again to show them; a value
    that is no key at all (a teacher's code typed where the id goes) made that lookup raise
    (500). Values the key field cannot read are left out of it; the form says they are wrong."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        key = remote.model._meta.get_field(remote.field_name)
        kept = []
        for item in value:
            try:
                key.to_python(item)
            except ValidationError:
                continue
            kept.append(item)
        return super().optgroups(name, kept, attr)


class SafeAutocompleteSelect(_KnownValuesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_KnownValuesOnly, AutocompleteSelectMultiple):
    pass


class NulFreeJSONField(forms.JSONField):
    """The admin's JSON fields (a roster row's subjects): what PostgreSQL cannot store is a form error.

    ``["\\u0000"]`` decoded to a NUL, which PostgreSQL refuses in jsonb (500), and a body
    nested thousands deep made json.loads raise RecursionError (500).
    """

    def to_python(self, value):
        try:
            converted = super().to_python(value)
        except RecursionError as exc:
            raise ValidationError("Значение вложено слишком глубоко.", code="invalid") from exc
        try:
            # NaN and Infinity are no JSON to PostgreSQL (a 500 on save).
            text = json.dumps(converted, allow_nan=False)
        except ValueError as exc:
            raise ValidationError("Недопустимое число в значении (NaN или бесконечность).", code="invalid") from exc
        if "\\u0000" in text:
            raise ValidationError("Недопустимый символ (NUL) в значении.", code="invalid")
        return converted

    def bound_data(self, data, initial):
        # Redisplaying the refused value parses it again.
        try:
            return super().bound_data(data, initial)
        except RecursionError:
            return forms.fields.InvalidJSONInput(data)


def _within_years(value) -> None:
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(f"Дата должна быть между {FIRST_YEAR} и {LAST_YEAR} годами.")


class SafeFieldsMixin:
    """The admin's fields as safe as the uploads: autocompletes that survive a value that is not a key,
    JSON without NUL, dates within the monitoring's years (monitoring.shared.text.FIRST_YEAR)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models_.JSONField):
            kwargs.setdefault("form_class", NulFreeJSONField)
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, models_.DateField):
            if not isinstance(db_field, models_.DateTimeField):
                formfield.validators.append(_within_years)
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SafeTabularInline(SafeFieldsMixin, admin.TabularInline):
    """Every inline of the admin: its rows' fields as safe as a whole form's (dates, JSON, autocompletes)."""


class ScopedAdmin(SafeFieldsMixin, admin.ModelAdmin):
    """Lists and forms show only what monitoring.models.scoping lets the user see."""

    list_per_page = 50

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A select offers only rows the user may see: a form shown read-only, or an old
        # version's page, must not list the municipalities, schools or letters of others.
        manager = db_field.related_model._default_manager
        if "queryset" not in kwargs and hasattr(manager, "visible_to"):
            kwargs["queryset"] = manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def lookup_allowed(self, lookup, value, request=None):
        # A filter on a personal field in the address (?snils__startswith=003-284,
        # ?teacher__birth_date__year=1986) answers "yes or no" about data the role may not
        # read: tried digit by digit it reads a whole СНИЛС out. Refused (400) for such roles.
        if (
            request is not None
            and PERSONAL_FIELDS.intersection(lookup.split(LOOKUP_SEP))
            and not can_see_personal_data(request.user)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_module_permission(self, request):
        return may_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return may_use_admin(request.user)

    def has_add_permission(self, request):
        return can_write_region(request.user)

    def has_change_permission(self, request, obj=None):
        return can_write_region(request.user) and not _in_closed_period(obj)

    def has_delete_permission(self, request, obj=None):
        return can_write_region(request.user) and not _in_closed_period(obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "period" not in form.base_fields:
            return form

        class OpenPeriodForm(form):
            def clean_period(self):
                # A row is not added to (or moved into) a closed period here either.
                period = self.cleaned_data.get("period")
                if period is not None and period.is_closed:
                    raise ValidationError(period_closed_message(period))
                return period

        return OpenPeriodForm


def _in_closed_period(obj) -> bool:
    """A row of a closed period is shown read-only: closed means read-only at every door."""
    period = getattr(obj, "period", None) if obj is not None else None
    return isinstance(period, models.MonitoringPeriod) and period.is_closed


class HistoryAdmin(SimpleHistoryAdmin):
    """The «История» of a row (django-simple-history): who changed what, for those who see the row.

    simple-history shows the history of a row missing from the admin's queryset by rebuilding
    it from its last historical version, and its version page saves the old version on a
    POST; here the row must be within the user's scope (a deleted row's history is the
    institute's), and a version is only ever read (SIMPLE_HISTORY_REVERT_DISABLED).
    """

    def history_allowed(self, request, obj) -> bool:
        if obj is None:
            return can_write_region(request.user)
        return self.has_view_permission(request, obj)

    def _check_history(self, request, object_id) -> None:
        obj = self.get_object(request, unquote(object_id))
        if not self.history_allowed(request, obj):
            raise Http404("Запись не найдена или недоступна.")

    def history_view(self, request, object_id, extra_context=None):
        self._check_history(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_history(request, object_id)
        if request.method != "GET":
            raise PermissionDenied("Прежние версии только просматриваются.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedHistoryAdmin(HistoryAdmin, ScopedAdmin):
    """A scoped admin whose rows keep their history."""


class ReadOnlyAdmin(ScopedAdmin):
    """Rows written only by the portal's services (values, runs, registers): read, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
