"""What every API endpoint shares: the scoped base viewset and the role permissions.

Each app keeps its endpoints in its own ``api.py`` (they call that app's services and
selectors); the rules of scope and role are only here and in monitoring.models.scoping.
"""

from __future__ import annotations

from rest_framework import permissions, viewsets

from monitoring.models.scoping import can_write_region, is_staff_reader, scope_filter
from monitoring.shared.authentication import TokenAuthentication


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


PERSONAL_DECISION_MESSAGE = "Это решение принимает сам человек в портале, а не интеграция по токену."


def by_token(request) -> bool:
    """Whether the request signed in with an integration token (not a person's session)."""
    return request.user.is_authenticated and isinstance(request.successful_authenticator, TokenAuthentication)


class PersonDecides(permissions.BasePermission):
    """The view's ``personal_actions`` (submitting, approving) are taken by a person, never by a token.

    A token acts as a system account (or on a teacher's behalf from another system): a decision
    made with it — a route approved, a diagnostic completed — is traceable to no person, and the
    rules that rely on distinct people (a head approves what a teacher submitted) mean nothing.
    """

    message = PERSONAL_DECISION_MESSAGE

    def has_permission(self, request, view):
        return view.action not in getattr(view, "personal_actions", ()) or not by_token(request)
