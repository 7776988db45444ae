"""The one institute setup: the issuing bodies' names and requisites, entered once, read by every document.

The institute (the regional issuer) and each municipal education authority keep their
own blank on an :class:`~reports.models.Issuer`. Letters and the annual report read it;
nothing in the code carries another region's requisites. A document asked for before
its body is set up raises :class:`RequisitesMissing`, which every door turns into a
Russian message with a link to the setup page (``reports.issuer_views``).

Who edits what: institute staff edit the regional issuer; a municipal official edits
only their own municipality's issuer. The writer is never told which row to change: the
row follows from the user.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from monitoring.models import Role
from monitoring.models.scoping import can_write_region
from reports.models import Issuer, IssuerKind

# The fields the setup page edits (kind and municipality follow from the user).
EDITABLE = (
    "name",
    "short_name",
    "address",
    "city",
    "phone",
    "fax",
    "email",
    "site",
    "okpo",
    "ogrn",
    "inn_kpp",
    "signatory_position",
    "signatory_name",
    "number_suffix",
    "adoption_body",
)


class RequisitesMissing(Exception):
    """A document needs a body's blank that has not been filled in yet."""

    def __init__(self, *, issuer: Issuer | None, kind: str = IssuerKind.INSTITUTE):
        self.issuer = issuer
        self.kind = issuer.kind if issuer is not None else kind
        self.missing = issuer.missing_for_blank if issuer is not None else []
        super().__init__(self.message)

    @property
    def message(self) -> str:
        whose = "института" if self.kind == IssuerKind.INSTITUTE else "муниципального органа управления образованием"
        text = f"Заполните реквизиты {whose}: без них документ не на чем напечатать."
        if self.missing:
            text += " Не заполнено: " + ", ".join(self.missing) + "."
        return text


def institute_issuer_or_none() -> Issuer | None:
    """The institute's blank as entered (complete or not), or None on a portal not yet set up."""
    return Issuer.objects.filter(kind=IssuerKind.INSTITUTE).order_by("pk").first()


def require_complete(issuer: Issuer | None, *, kind: str = IssuerKind.INSTITUTE) -> Issuer:
    """The issuer, if its blank can be printed; otherwise RequisitesMissing naming what is missing."""
    if issuer is None or not issuer.is_complete:
        raise RequisitesMissing(issuer=issuer, kind=kind)
    return issuer


def require_institute_issuer() -> Issuer:
    """The institute's blank, complete; RequisitesMissing when the portal has not been set up."""
    return require_complete(institute_issuer_or_none())


def may_edit_requisites(user) -> bool:
    """Institute staff (the regional blank) and municipal officials with a municipality (their own)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return can_write_region(user) or (user.role == Role.MUNICIPAL and bool(user.municipality_id))


def issuer_of(user) -> Issuer:
    """The blank a user keeps: the institute's for its staff, their authority's for a municipal official.

    An unsaved instance when the body has no blank yet (the setup page creates it on save).
    """
    if not may_edit_requisites(user):
        raise PermissionDenied("Реквизиты заполняют сотрудники института и муниципальных органов управления.")
    if can_write_region(user):
        return institute_issuer_or_none() or Issuer(kind=IssuerKind.INSTITUTE)
    found = Issuer.objects.filter(municipality_id=user.municipality_id).first()
    return found or Issuer(kind=IssuerKind.MUNICIPAL, municipality_id=user.municipality_id)


def requisites_save(*, user, values: dict) -> Issuer:
    """Store the requisites of the user's own blank; nothing else is touched."""
    with transaction.atomic():
        issuer = issuer_of(user)
        if issuer.pk is not None:
            issuer = Issuer.objects.select_for_update().get(pk=issuer.pk)
        for name in EDITABLE:
            if name in values:
                setattr(issuer, name, (values[name] or "").strip())
        # The adopting body left empty is the usual one («научно-методического совета»), never a gap in the letter.
        issuer.adoption_body = issuer.adoption_body or Issuer._meta.get_field("adoption_body").get_default()
        issuer.full_clean()
        missing = issuer.missing_for_blank
        if missing:
            raise ValidationError("Заполните обязательные реквизиты: " + ", ".join(missing) + ".")
        issuer.save()
    return issuer


def requisites_missing_context(*, user, missing: RequisitesMissing, back: str = "") -> dict:
    """What the setup-needed message shows: the message, and the setup link if this user keeps that blank."""
    own = may_edit_requisites(user) and (
        (missing.kind == IssuerKind.INSTITUTE and can_write_region(user))
        or (
            missing.kind == IssuerKind.MUNICIPAL
            and not can_write_region(user)
            and missing.issuer is not None
            and missing.issuer.municipality_id == user.municipality_id
        )
    )
    return {"missing": missing, "may_edit": own, "back": back}
