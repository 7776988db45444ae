"""Who may do what with letters: the issuing bodies, their writers, the readers and the addressees.

Who may do what follows the issuing body: the institute's letters are written, approved
and issued by institute analysts; a municipal authority's by that municipality's
officials — approved by one of them other than the author (four eyes, ``workflow.approval_refusal``),
by the body's named signatory alone when it has a login. Addressees (by kind and scope) confirm
they have read an issued letter.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from monitoring.models import Municipality, Role
from monitoring.models.scoping import can_see
from reports import library
from reports.issuers import require_institute_issuer
from reports.models import AddresseeKind, DocumentKind, Issuer, IssuerKind, Letter, LetterStatus, TextKind

# --- issuing bodies ----------------------------------------------------------------

def institute_issuer() -> Issuer:
    """The institute's letterhead as its staff entered it on the setup page; RequisitesMissing until then."""
    return require_institute_issuer()


def municipal_issuer(*, municipality: Municipality) -> Issuer:
    """A municipality's education authority, created on first need; its officials fill in the requisites."""
    issuer, _ = Issuer.objects.get_or_create(
        municipality=municipality,
        defaults={
            "kind": IssuerKind.MUNICIPAL,
            # «…муниципального образования «X»» keeps the name undeclined and still correct.
            "name": f"Отдел по образованию администрации муниципального образования «{municipality.name}»",
            "signatory_position": "Начальник отдела по образованию",
            "signatory_name": "—",
            "number_suffix": "",
        },
    )
    return issuer


def issuers_for(user) -> list[Issuer]:
    """The issuing bodies a user writes letters for."""
    if user.is_superuser or user.role == Role.ANALYST:
        found = [institute_issuer()]
        if user.is_superuser:
            found += list(Issuer.objects.filter(kind=IssuerKind.MUNICIPAL).order_by("name"))
        return found
    if user.role == Role.MUNICIPAL and user.municipality_id:
        return [municipal_issuer(municipality=user.municipality)]
    return []


def may_write(*, user, issuer: Issuer) -> bool:
    """Whether a user writes, approves and issues letters of this body (its signatory's side)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if issuer.kind == IssuerKind.INSTITUTE:
        return user.role == Role.ANALYST
    return user.role == Role.MUNICIPAL and user.municipality_id == issuer.municipality_id


def signatory_candidates(issuer: Issuer | None) -> QuerySet:
    """Who may be named a body's signatory: the active people who write its letters (and so may approve them)."""
    users = get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name", "username")
    if issuer is None:
        return users.none()
    if issuer.kind == IssuerKind.INSTITUTE:
        return users.filter(role=Role.ANALYST)
    return users.filter(role=Role.MUNICIPAL, municipality_id=issuer.municipality_id)


def require_writer(user, issuer: Issuer) -> None:
    if not may_write(user=user, issuer=issuer):
        raise PermissionDenied("Письма этого органа готовят и подписывают его сотрудники.")


# --- selectors ---------------------------------------------------------------------


def letters_visible(user) -> QuerySet[Letter]:
    """The letters a user may open: drafts only for their authors' side, issued ones for their addressees in scope."""
    base = Letter.objects.visible_to(user).select_related("issuer", "period", "municipality")
    if user.is_superuser or user.role == Role.ANALYST:
        return base
    issued = Q(status=LetterStatus.ISSUED) & ~Q(addressee=AddresseeKind.INSTITUTE, document_kind=DocumentKind.LETTER)
    if user.role == Role.MINISTRY:
        return base.filter(status=LetterStatus.ISSUED)
    if user.role == Role.MUNICIPAL:
        return base.filter(Q(issuer__municipality_id=user.municipality_id) | issued)
    if user.role == Role.SCHOOL_HEAD:
        return base.filter(issued)
    return base.none()


def addressee_kinds(letter: Letter) -> list[str]:
    """Whom a letter speaks to: its addressee kind and those of its recommendation groups."""
    kinds = {letter.addressee} | {
        a for a in letter.items.filter(kind=TextKind.RECOMMENDATION).values_list("addressee", flat=True) if a
    }
    return [k for k in library.ADDRESSEE_ORDER if k in kinds]


def may_receive(*, user, letter: Letter) -> bool:
    """Whether a user is among an issued letter's addressees (and so confirms reading it)."""
    if not letter.is_issued or not can_see(user=user, obj=letter):
        return False
    role_kind = {
        Role.MUNICIPAL: AddresseeKind.MUNICIPAL,
        Role.SCHOOL_HEAD: AddresseeKind.SCHOOL_HEADS,
        Role.ANALYST: AddresseeKind.INSTITUTE,
    }.get(user.role)
    return role_kind is not None and role_kind in addressee_kinds(letter)
