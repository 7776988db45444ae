"""The one function that decides what a user may see.

Every door — pages, admin, API, exports, PDFs, file downloads — narrows its querysets
with :func:`scope_filter` (usually through ``Model.objects.visible_to(user)``), so the
rules live here only:

- institute staff and ministry officials: the whole region;
- a municipal official: rows reachable from their municipality;
- a school head: rows reachable from their school;
- a teacher: rows about themselves;
- a ЦНППМ curator: the rows about the teachers assigned to them (as those teachers see them);
- anyone else (anonymous, inactive, a role without its anchor): nothing.

Each model declares in ``scope_paths`` how it reaches a municipality, a school and a
teacher; a model that cannot be reached from a kind of scope shows nothing to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Model, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from monitoring.models.base import Role

# Matches no row; cheaper than a subquery and valid on every backend.
NOTHING = Q(pk__in=[])
EVERYTHING = Q()

REGION_WIDE_ROLES = frozenset({Role.ANALYST, Role.MINISTRY})


@dataclass(frozen=True)
class ScopePaths:
    """ORM paths from a model to the objects a user's scope is made of.

    ``None`` means the model cannot be reached from that kind of scope, so users of
    that scope see none of its rows. ``public`` rows (periods, the region) are seen by
    every signed-in user. ``region_wide`` names a field whose empty value marks a row
    addressed to the whole region (a letter to every school head): municipal officials
    and school heads see such rows beside their own.
    """

    municipality: str | tuple[str, ...] | None = None
    school: str | tuple[str, ...] | None = None
    teacher: str | tuple[str, ...] | None = None
    public: bool = False
    region_wide: str | None = None
    # A path through a teacher's roster (``…roster_entries__school``) follows the roster of the
    # period the row belongs to: the path to that year (``date__year``, ``period__year``), or
    # None for the teacher's current school (their latest roster). A school's head sees a
    # moved teacher's rows of the years they were at the school, not the later ones.
    year: str | None = None


class ScopedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what a user may see."""

    def visible_to(self, user):
        return self.filter(scope_filter(user=user, model=self.model))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def _paths(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


def _crosses_many(model: type[Model], path: str) -> bool:
    """Whether following ``path`` from ``model`` can multiply rows (a reverse FK or M2M)."""
    current = model
    for part in path.split("__"):
        if part == "pk":
            return False
        field = current._meta.get_field(part)
        if field.one_to_many or field.many_to_many:
            return True
        if not field.is_relation:
            return False
        current = field.related_model
    return False


ROSTER = "roster_entries__school"


def _roster_school(model: type[Model], path: str, year: str | None):
    """The school (or its municipality) of the teacher that ``path`` goes through, in the row's year.

    ``path`` is ``<teacher>__roster_entries__school[__municipality]``. The teacher's roster row
    of the latest period up to the row's year decides (a row older than every roster: the
    earliest one); without ``year``, the teacher's latest row — their current school.
    """
    teacher, _, rest = path.partition(ROSTER)
    teacher = teacher.removesuffix("__") or "pk"
    # The roster model is read off the path itself (the teacher's reverse relation), so this
    # module needs no import of the models that import it.
    teacher_model = model
    for part in teacher.split("__") if teacher != "pk" else ():
        teacher_model = teacher_model._meta.get_field(part).related_model
    RosterEntry = teacher_model._meta.get_field("roster_entries").related_model
    column = "school__municipality_id" if rest.endswith("__municipality") else "school_id"
    entries = RosterEntry.objects.filter(teacher=OuterRef(teacher)).order_by()
    latest = entries.order_by("-period__year")
    if year is None:
        return Subquery(latest.values(column)[:1])
    up_to = latest.filter(period__year__lte=OuterRef(year)).values(column)[:1]
    earliest = entries.order_by("period__year").values(column)[:1]
    return Coalesce(Subquery(up_to), Subquery(earliest))


def _anchor(model: type[Model], paths: tuple[str, ...], value, *, year: str | None = None) -> Q:
    if not paths or value is None:
        return NOTHING
    q = reduce(or_, (Q(**{path: value}) for path in paths))
    through_roster = [path for path in paths if ROSTER in path]
    if through_roster:
        # Reachable through the roster at all (the join narrows the rows to check), and through
        # the roster of the row's own period (the subquery decides).
        candidates = model._base_manager.filter(q)
        decided = reduce(or_, (Q(**{f"_scope_{i}": value}) for i in range(len(through_roster))))
        annotated = candidates.annotate(
            **{f"_scope_{i}": _roster_school(model, path, year) for i, path in enumerate(through_roster)}
        )
        other = [path for path in paths if ROSTER not in path]
        if other:
            decided |= reduce(or_, (Q(**{path: value}) for path in other))
        return Q(pk__in=annotated.filter(decided).values("pk"))
    if any(_crosses_many(model, path) for path in paths):
        # Joining through a reverse relation would repeat rows; a subquery on the
        # primary key keeps one row per object and lets callers keep chaining.
        return Q(pk__in=model._base_manager.filter(q).values("pk"))
    return q


def scope_filter(*, user, model: type[Model]) -> Q:
    """The filter that keeps exactly the rows of ``model`` that ``user`` may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    paths: ScopePaths | None = getattr(model, "scope_paths", None)
    if user.is_superuser or user.role in REGION_WIDE_ROLES:
        return EVERYTHING
    if paths is None:
        return NOTHING
    if paths.public:
        return EVERYTHING
    wide = Q(**{f"{paths.region_wide}__isnull": True}) if paths.region_wide else NOTHING
    if user.role == Role.MUNICIPAL:
        return _anchor(model, _paths(paths.municipality), user.municipality_id, year=paths.year) | wide
    if user.role == Role.SCHOOL_HEAD:
        return _anchor(model, _paths(paths.school), user.school_id, year=paths.year) | wide
    if user.role == Role.TEACHER:
        return _anchor(model, _paths(paths.teacher), user.teacher_id)
    if user.role == Role.CURATOR:
        # A curator sees, of each teacher assigned to them, what that teacher sees of themselves.
        return _anchor(model, _curated(_paths(paths.teacher)), user.pk)
    return NOTHING


def _curated(teacher_paths: tuple[str, ...]) -> tuple[str, ...]:
    """The teacher paths continued to the curators assigned to that teacher."""
    return tuple("curator_links__curator" if p == "pk" else f"{p}__curator_links__curator" for p in teacher_paths)


def can_see(*, user, obj: Model) -> bool:
    """Whether ``user`` may see one object (for doors that already hold it)."""
    model = type(obj)
    return model._base_manager.filter(scope_filter(user=user, model=model), pk=obj.pk).exists()


# Those who read the staff pages of their scope (dashboards, results, letters); teachers
# have their own pages.
STAFF_ROLES = frozenset({Role.ANALYST, Role.MINISTRY, Role.MUNICIPAL, Role.SCHOOL_HEAD})


def is_staff_reader(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in STAFF_ROLES))


def is_region_wide(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in REGION_WIDE_ROLES))


def require_staff_reader(user) -> None:
    """A staff page answers "not found" to anyone else (teachers included), like a page out of scope."""
    if not is_staff_reader(user):
        raise Http404("Страница недоступна.")


def can_write_region(user) -> bool:
    """Only institute staff change region-wide data through the generic doors (admin, lists)."""
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ANALYST))


# Birth dates and СНИЛС are personal data (152-ФЗ): the institute's staff process them and
# a school head keeps them for their own staff; a teacher sees their own. Ministry and
# municipal officials work with aggregates and never need them.
PERSONAL_DATA_ROLES = frozenset({Role.ANALYST, Role.SCHOOL_HEAD, Role.TEACHER})


def can_see_personal_data(user) -> bool:
    """Whether ``user`` may see the personal data of the teachers in their scope."""
    return bool(
        user and user.is_authenticated and user.is_active and (user.is_superuser or user.role in PERSONAL_DATA_ROLES)
    )
