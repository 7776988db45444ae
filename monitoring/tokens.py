"""API tokens for other systems: made and revoked by institute staff, each acting as a user with a role and scope."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.crypto import get_random_string

from monitoring.models import ApiToken, Municipality, Role, School, Teacher, User
from monitoring.models.scoping import can_write_region

# A system's token acts as an account of its own, named with this prefix: not a person, so it
# is never offered where a person is chosen (the responsible for a measure).
SYSTEM_USERNAME_PREFIX = "api-"


def people_only(users: QuerySet[User]) -> QuerySet[User]:
    """The users that are people: without the system accounts that tokens act as."""
    return users.exclude(username__startswith=SYSTEM_USERNAME_PREFIX)


def is_system_account(user) -> bool:
    """Whether ``user`` is the account a system's token acts as (not a person)."""
    return bool(user.username.startswith(SYSTEM_USERNAME_PREFIX))


def _require_issuer(user) -> None:
    if not can_write_region(user):
        raise PermissionDenied("Выпускать и отзывать токены API может только специалист института.")


@transaction.atomic
def api_token_create(
    *,
    name: str,
    role: str,
    created_by: User,
    municipality: Municipality | None = None,
    school: School | None = None,
    teacher: Teacher | None = None,
) -> tuple[ApiToken, str]:
    """Make a token and return it with its secret, which is shown once and never stored.

    A system's token acts as a system account of its own with the role and anchor given
    (so monitoring.models.scoping needs no special case for tokens). A teacher's token acts as
    the teacher's own account, made if the teacher has none yet.
    """
    _require_issuer(created_by)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Укажите, для какой системы выпускается токен."})
    if role not in Role.values:
        raise ValidationError({"role": "Неизвестная роль."})
    anchors = {
        Role.MUNICIPAL: ("municipality", municipality, "Для роли муниципалитета укажите муниципалитет."),
        Role.SCHOOL_HEAD: ("school", school, "Для роли руководителя ОО укажите организацию."),
        Role.TEACHER: ("teacher", teacher, "Для роли педагога укажите педагога."),
    }
    if role in anchors and anchors[role][1] is None:
        field, _, message = anchors[role]
        raise ValidationError({field: message})
    user = None
    if role == Role.TEACHER:
        user = User.objects.filter(teacher=teacher).first()
    if user is None:
        user = User(
            username=f"{SYSTEM_USERNAME_PREFIX}{get_random_string(10).lower()}",
            first_name=name[:150],
            role=role,
            municipality=municipality if role == Role.MUNICIPAL else None,
            school=school if role == Role.SCHOOL_HEAD else None,
            teacher=teacher if role == Role.TEACHER else None,
            position="Системная учетная запись API",
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    token, secret = ApiToken.objects.create(user=user, name=name[:200], created_by=created_by)
    return token, secret


def api_token_revoke(*, token: ApiToken, user: User) -> None:
    """Revoke at once: the hash is deleted, so the next call with the token is refused."""
    _require_issuer(user)
    token.delete()
