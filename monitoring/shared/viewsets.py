"""What every API endpoint shares: the scoped base viewset and the role permissions.

Each app keeps its endpoints in its own ``api.py`` (they call that app's services and
selectors); the rules of scope and role are only here and in monitoring.models.scoping.
"""

from __future__ import annotations

from rest_framework import permissions, viewsets

from monitoring.models.scoping import can_write_region, is_staff_reader, scope_filter


class ScopedViewSet(viewsets.GenericViewSet):
    """Lists and objects narrowed by monitoring.models.scoping, in a stable order.

    ``queryset`` gives the shape (select_related, annotations); the scope filter and the
    ordering are applied on every request. The ordering always ends with the primary key
    so that pages never repeat or skip a row.
    """

    ordering: tuple[str, ...] = ()
    # Ids are numbers: anything else in their place is a 404 from the router, not a
    # database error. Endpoints looked up by a code override this.
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        queryset = super().get_queryset()
        user = self.request.user
        return queryset.filter(scope_filter(user=user, model=queryset.model)).order_by(*self.ordering, "pk")


class IsStaffReader(permissions.BasePermission):
    """Staff resources (results, letters, runs): institute, ministry, municipal and school staff."""

    message = "Эти данные доступны только сотрудникам органов и организаций образования."

    def has_permission(self, request, view):
        return is_staff_reader(request.user)


class RegionWriteOrReadOnly(permissions.BasePermission):
    """Everyone in scope reads; only institute staff write region-wide data."""

    message = "Изменять эти данные может только специалист института."

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or can_write_region(request.user)
